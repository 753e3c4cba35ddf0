#!/usr/bin/env bash
# lab_daemon_fails: when sipedge does not come up, `scripts/lab up` fails
# (non-zero, within its 60 s), says why, and leaves no lab behind.
#   1. $SIPEDGE_BIN exits at once (meson passes /bin/false): up fails as
#      soon as it sees the daemon gone.
#   2. A daemon that runs but never answers OPTIONS and ignores SIGTERM:
#      with SIPEDGE_LAB_READY_TIMEOUT=5, up gives up after 5 s, prints the
#      end of sipedge.log and SIGKILLs the daemon after its 10 s of grace.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root

# --- 1. the daemon exits at once ----------------------------------------------

[[ -n ${SIPEDGE_BIN:-} ]] || bail_out "SIPEDGE_BIN is not set (meson sets it)"
start=$SECONDS
rc=0
# shellcheck disable=SC2119  # no arguments: the daemon, as configured
lab_up 2>"$TEST_TMP/up1.err" || rc=$?
took=$((SECONDS - start))
diag "SIPEDGE_BIN=$SIPEDGE_BIN: scripts/lab up said:" "$(cat "$TEST_TMP/up1.err")"
check_eq "scripts/lab up fails when sipedge exits (exit status 1)" 1 "$rc"
check_match "... within 60 s (took ${took} s)" '^([0-9]|[1-5][0-9])$' "$took"
check_match "... saying sipedge exited" 'sipedge exited' \
	"$(cat "$TEST_TMP/up1.err")"
check "... leaving no namespace and no $LAB_RUN_DIR" lab_is_gone

# --- 2. the daemon runs but never answers ----------------------------------------

silent=$TEST_TMP/silent-sipedge
cat >"$silent" <<EOF
#!/bin/sh
# A sipedge that never answers and ignores SIGTERM.
echo "silent stand-in: running, answering nothing"
echo \$\$ >"$TEST_TMP/silent.pid"
exec python3 -c 'import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
time.sleep(3600)'
EOF
chmod +x "$silent"

start=$SECONDS
rc=0
# shellcheck disable=SC2119
SIPEDGE_BIN=$silent SIPEDGE_LAB_READY_TIMEOUT=5 lab_up \
	2>"$TEST_TMP/up2.err" || rc=$?
took=$((SECONDS - start))
err=$(cat "$TEST_TMP/up2.err")
diag "a silent sipedge: scripts/lab up said:" "$err"
check_eq "scripts/lab up fails when sipedge never answers (exit status 1)" \
	1 "$rc"
check_match "... after its timeout, and 10 s of grace for SIGTERM (took ${took} s)" \
	'^(1[5-9]|[2-3][0-9])$' "$took"
check_match "... saying which side did not answer" \
	'no 200 to OPTIONS on 192\.0\.2\.1:5060' "$err"
check_match "... printing the end of sipedge.log" \
	'\| silent stand-in: running' "$err"
check_match "... and that SIGTERM was not enough" 'SIGKILL' "$err"
pid=$(cat "$TEST_TMP/silent.pid" 2>/dev/null)
check_match "the stand-in recorded its PID" '^[0-9]+$' "$pid"
state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)
check_match "the stand-in is gone (state: ${state:-none})" '^(Z?)$' "$state"
check "no namespace and no $LAB_RUN_DIR are left" lab_is_gone

tap_done
