# shellcheck shell=bash disable=SC2034  # constants for the tests that source it
# tests/integration/lib.sh: what the integration tests share. A test is a bash
# script that sources this file, speaks TAP on stdout (meson protocol 'tap')
# and ends with tap_done:
#
#	source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#	lab_require_root
#	lab_up || bail_out "the lab did not come up"
#	check "sipedge answers OPTIONS from outside" \
#		lab_options out "$LAB_OUT_APPLIANCE4" partner.example
#	tap_done
#
# The lab: lab_up runs `scripts/lab up --wait --owner $$`, so a test waits for a
# lab that another run still holds, and the lab is this test's: lab_down, or
# the EXIT trap lab_up sets, takes it down (`scripts/lab down --owner $$`
# leaves anyone else's lab alone). On SIGTERM (meson's timeout) the teardown
# is started detached, since meson SIGKILLs the process group half a second
# later; should it die anyway, the next `scripts/lab up` finds the lab
# abandoned and clears it.
#
# Everything but TAP goes to stderr, or to stdout as '# ' comment lines.
#
# Environment (meson sets it, tests/integration/meson.build):
#   SIPEDGE_SRC  the source tree (default: two levels above this file)
#   SIPEDGE_BIN  the sipedge that `scripts/lab up` starts
#   SIPEDGE_LAB_WAIT  seconds lab_up waits for another lab (default 200, less
#                     than the tests' meson timeouts, so that a lab left up
#                     fails a test with a message rather than a timeout)

SIPEDGE_SRC=${SIPEDGE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LAB=$SIPEDGE_SRC/scripts/lab
SIPP_DIR=$SIPEDGE_SRC/tests/sipp
export SIPEDGE_SRC

# The lab's addresses (DESIGN.md, "Contracts that other tools rely on").
LAB_RUN_DIR=/run/sipedge-lab
LAB_PKI=$LAB_RUN_DIR/pki
LAB_NAMESPACES=(sipedge-out sipedge-dp sipedge-in)
LAB_OUT_APPLIANCE4=198.51.100.1
LAB_OUT_APPLIANCE6=2001:db8:0:1::1
LAB_OUT_PEER4=198.51.100.10
LAB_OUT_PEER6=2001:db8:0:1::10
LAB_IN_APPLIANCE4=192.0.2.1
LAB_IN_APPLIANCE6=2001:db8:0:2::1
LAB_IN_HOST4=(192.0.2.11 192.0.2.12)
LAB_IN_HOST6=(2001:db8:0:2::11 2001:db8:0:2::12)
LAB_DOMAIN=example.com
LAB_PEER_DOMAIN=partner.example

# --- TAP ------------------------------------------------------------------

tap_n=0
tap_failed=0

# diag TEXT...: each line of each TEXT as a TAP comment.
diag() {
	local line
	printf '%s\n' "$@" | while IFS= read -r line; do
		echo "# $line"
	done
}

# ok DESC: a passing test point.
ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $*"
}

# not_ok DESC [DIAG...]: a failing test point, with diagnostics.
not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - $1"
	shift
	(($# == 0)) || diag "$*"
}

# check DESC CMD...: ok when CMD succeeds; its output becomes the diagnostics
# of a failure.
check() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if ((rc == 0)); then
		ok "$desc"
	else
		not_ok "$desc" "$* -> exit status $rc" "$out"
	fi
}

# check_fails DESC CMD...: ok when CMD fails.
check_fails() {
	local desc=$1 out rc=0
	shift
	out=$("$@" 2>&1) || rc=$?
	if ((rc != 0)); then
		ok "$desc"
	else
		not_ok "$desc" "$* succeeded" "$out"
	fi
}

# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [[ $2 == "$3" ]]; then
		ok "$1"
	else
		not_ok "$1" "expected: $2" "got:      $3"
	fi
}

# check_match DESC REGEX TEXT: TEXT matches the extended regular expression.
check_match() {
	if grep -Eq -- "$2" <<<"$3"; then
		ok "$1"
	else
		not_ok "$1" "expected to match: $2" "got: $3"
	fi
}

# check_no_match DESC REGEX TEXT
check_no_match() {
	if ! grep -Eq -- "$2" <<<"$3"; then
		ok "$1"
	else
		not_ok "$1" "expected not to match: $2" "got: $3"
	fi
}

# skip_all REASON: the whole test is skipped (meson: SKIP).
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# bail_out REASON: stop the test here (meson: failed).
bail_out() {
	echo "Bail out! $*"
	exit 1
}

# tap_done: the plan; exit status 1 when a test point failed.
tap_done() {
	echo "1..$tap_n"
	((tap_failed == 0)) || exit 1
	exit 0
}

# --- the test's own scratch space and children ----------------------------

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sipedge-it.XXXXXX")
test_pids=()		# background children to stop at exit (by PID)
lab_up_pid=

# track PID: stop PID (a child of this test) when the test ends.
track() {
	test_pids+=("$1")
}

# stop_tracked: SIGTERM the tracked children, then SIGKILL what is left.
stop_tracked() {
	local pid i
	for pid in "${test_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for ((i = 0; i < 30; i++)); do
		local alive=0
		for pid in "${test_pids[@]}"; do
			kill -0 "$pid" 2>/dev/null && alive=1
		done
		((alive)) || break
		sleep 0.1
	done
	for pid in "${test_pids[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	test_pids=()
}

# shellcheck disable=SC2317  # invoked by the EXIT trap
lib_exit() {
	local rc=$?
	trap - EXIT
	stop_tracked
	if [[ -e $LAB_RUN_DIR/lock ]]; then
		"$LAB" down --owner $$ >&2 || true
	fi
	rm -rf "$TEST_TMP"
	exit "$rc"
}

# shellcheck disable=SC2317  # invoked by the signal traps
lib_signal() {
	trap - EXIT INT TERM HUP
	echo "Bail out! interrupted by SIG$1"
	[[ -z $lab_up_pid ]] || kill -TERM "$lab_up_pid" 2>/dev/null || true
	stop_tracked
	# meson SIGKILLs the process group soon after its SIGTERM: the
	# teardown runs in a session of its own and outlives this test.
	setsid "$LAB" down --owner $$ </dev/null >/dev/null 2>&1 &
	rm -rf "$TEST_TMP"
	exit $((128 + $2))
}

trap lib_exit EXIT
trap 'lib_signal INT 2' INT
trap 'lib_signal TERM 15' TERM
trap 'lib_signal HUP 1' HUP

# --- the lab --------------------------------------------------------------

# lab_require_root: the lab needs root; skip the test otherwise.
lab_require_root() {
	[[ $(id -u) -eq 0 ]] || skip_all "the lab needs root"
}

# lab_up [scripts/lab up ARGS...]: bring the lab up for this test (waiting
# for another run's lab to go). Its output goes to stderr.
# shellcheck disable=SC2120  # the arguments are optional
lab_up() {
	"$LAB" up --wait="${SIPEDGE_LAB_WAIT:-200}" --owner $$ "$@" >&2 &
	lab_up_pid=$!
	local rc=0
	# wait returns early for a trapped signal: lib_signal then runs.
	wait "$lab_up_pid" || rc=$?
	lab_up_pid=
	return "$rc"
}

# lab_is_gone: no lab namespace and no /run/sipedge-lab/ remain (else says
# what does).
# shellcheck disable=SC2317  # tests call it through check
lab_is_gone() {
	local ns
	for ns in "${LAB_NAMESPACES[@]}"; do
		if [[ -e /run/netns/$ns ]]; then
			echo "namespace $ns remains"
			return 1
		fi
	done
	if [[ -e $LAB_RUN_DIR ]]; then
		echo "$LAB_RUN_DIR remains:"
		ls -la "$LAB_RUN_DIR"
		return 1
	fi
}

# lab_down: take this test's lab down (no-op when it is not up).
lab_down() {
	"$LAB" down --owner $$ >&2
}

# ns_name NS: the full name of out, dp, in (or of a full name).
ns_name() {
	case $1 in
	out | dp | in) echo "sipedge-$1" ;;
	*) echo "$1" ;;
	esac
}

# in_ns NS CMD...: run CMD in a lab namespace (out, dp, in or the full name).
in_ns() {
	local ns
	ns=$(ns_name "$1")
	shift
	ip netns exec "$ns" "$@"
}

# ns_source NS [4|6]: the default source address of a peer namespace.
ns_source() {
	case $(ns_name "$1")/${2:-4} in
	sipedge-out/4) echo "$LAB_OUT_PEER4" ;;
	sipedge-out/6) echo "$LAB_OUT_PEER6" ;;
	sipedge-in/4) echo "${LAB_IN_HOST4[0]}" ;;
	sipedge-in/6) echo "${LAB_IN_HOST6[0]}" ;;
	*) return 1 ;;
	esac
}

# --- SIPp -----------------------------------------------------------------
# Scenarios live in tests/sipp/. SIPp runs in the peer namespaces; its screen
# output goes to $TEST_TMP and, on failure, into the TAP diagnostics.

sipp_n=0

# sipp_errors LOG: SIPp's own error lines (time-stamped; the first line of
# each), without the time stamps.
sipp_errors() {
	grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}[[:space:]]' "$1" |
		sed -E 's/^[0-9-]+[[:space:]]+[0-9:.]+[[:space:]]+[0-9.]+: //' |
		uniq | tail -n 5 || true
}

# lab_sipp NS SCENARIO TARGET [SIPP ARGS...]: one run of SCENARIO from NS (a
# client: -m 1 and a 10 s timeout unless ARGS say otherwise; -i is the
# namespace's source address of TARGET's family unless ARGS give one) to
# TARGET (host:port, [v6]:port). Returns SIPp's exit status (0: every call
# succeeded).
lab_sipp() {
	local ns=$1 scenario=$2 target=$3
	shift 3
	local src log rc=0 family=4
	[[ $target == \[* ]] && family=6
	src=$(ns_source "$ns" "$family") ||
		{ echo "lab_sipp: no peer namespace $ns" >&2; return 2; }
	sipp_n=$((sipp_n + 1))
	log=$TEST_TMP/sipp-$sipp_n-$(basename "$scenario" .xml).log
	(cd "$TEST_TMP" && in_ns "$ns" sipp -sf "$SIPP_DIR/$scenario" \
		-i "$src" -p 0 -m 1 -timeout 10s -timeout_error -nostdin \
		"$@" "$target") >"$log" 2>&1 || rc=$?
	if ((rc != 0)); then
		echo "sipp $scenario from $ns to $target: exit status $rc" >&2
		sipp_errors "$log" >&2
	fi
	return "$rc"
}

# lab_sipp_bg NS SCENARIO [SIPP ARGS...]: SIPp in the background (a server
# scenario: give -i/-p in ARGS as needed). Its PID is left in SIPP_BG_PID
# and it is stopped when the test ends; its screens go to
# $TEST_TMP/sipp-bg-N.log.
SIPP_BG_PID=
lab_sipp_bg() {
	local ns=$1 scenario=$2
	shift 2
	sipp_n=$((sipp_n + 1))
	(cd "$TEST_TMP" && exec ip netns exec "$(ns_name "$ns")" sipp \
		-sf "$SIPP_DIR/$scenario" -nostdin "$@") \
		>"$TEST_TMP/sipp-bg-$sipp_n.log" 2>&1 &
	SIPP_BG_PID=$!
	track "$SIPP_BG_PID"
}

# lab_options NS TARGET_IP [DOMAIN]: OPTIONS from NS to TARGET_IP:5060, 200
# expected. DOMAIN (the From domain) defaults to partner.example from out,
# example.com from in.
lab_options() {
	local ns=$1 target=$2 domain=${3:-}
	if [[ -z $domain ]]; then
		domain=$LAB_DOMAIN
		[[ $(ns_name "$ns") == sipedge-out ]] && domain=$LAB_PEER_DOMAIN
	fi
	[[ $target == *:* ]] && target="[$target]"
	lab_sipp "$ns" options.xml "$target:5060" -key domain "$domain"
}
