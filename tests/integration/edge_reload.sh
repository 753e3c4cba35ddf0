#!/usr/bin/env bash
# edge_reload: `sipedgectl reload` under load in the lab. sipedge runs on a
# config file; while SIPp sends OPTIONS from sipedge-out at a steady rate,
# the file is switched ten times between two versions that differ in
# reloadable tables (an extra ACL rule, an extra permitted domain, another
# rate limit) and each is reloaded: every reload is applied, SIPp sees no
# failed call, and the dataplane drops nothing. A file that changes a
# restart-only key (workers) is refused whole, and an invalid one too,
# with the daemon still serving.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
CTL=${SIPEDGECTL_BIN:-$(dirname "$SIPEDGE_BIN")/sipedgectl}
RATE=300
CALLS=4500

stat() {
	"$CTL" stats "$1" | awk -v n="$1" '$1 == n { print $2 }'
}

conf=$TEST_TMP/sipedge.yaml
a=$TEST_TMP/a.yaml
b=$TEST_TMP/b.yaml
"$SIPEDGE_BIN" --print-default-config >"$a"
# b: the same with an extra ACL rule first, an extra permitted domain and
# another rate limit (all reloadable).
python3 - "$a" "$b" <<'PY'
import sys
t = open(sys.argv[1]).read()
t = t.replace("  acl:\n", "  acl:\n    - { port: outside, action: deny, "
              "proto: tcp, dport: 23, name: no-telnet }\n", 1)
t = t.replace("  permitted:\n", "  permitted:\n    - domain: other.example\n"
              "      subdomains: false\n", 1)
t = t.replace("requests_per_second: 2000", "requests_per_second: 3000", 1)
open(sys.argv[2], "w").write(t)
PY
cp "$a" "$conf"
export SIPEDGE_CONFIG=$conf

lab_up || bail_out "the lab did not come up with sipedge on $conf"

# The drops a reload could cause (background IPv6 multicast from the peer's
# kernel lands in other drop counters and does not count here).
LOSS='^dp_outside_drop_(handoff_full|tx_full|acl_default|rate_limit|sip_malformed|udp_port)$'
drops() {
	"$CTL" stats dp_outside_drop |
		awk -v re="$LOSS" '$1 ~ re { s += $2 } END { print s + 0 }'
}
drops_before=$(drops)
log=$TEST_TMP/sipp-load.log
(cd "$TEST_TMP" && in_ns out sipp -sf "$SIPP_DIR/options.xml" \
	-key domain partner.example -i "$LAB_OUT_PEER4" -p 0 \
	-r "$RATE" -m "$CALLS" -timeout 60s -timeout_error -nostdin \
	-trace_stat -stf "$TEST_TMP/load.csv" \
	"$LAB_OUT_APPLIANCE4:5060") >"$log" 2>&1 &
load=$!
track "$load"

applied=0
for i in $(seq 1 10); do
	sleep 1
	if ((i % 2)); then cp "$b" "$conf"; else cp "$a" "$conf"; fi
	if "$CTL" reload >"$TEST_TMP/reload-$i.out" 2>&1; then
		applied=$((applied + 1))
	else
		diag "reload $i: $(cat "$TEST_TMP/reload-$i.out")"
	fi
done
rc=0
wait "$load" || rc=$?
check_eq "ten reloads applied under load" 10 "$applied"
check_eq "SIPp: $CALLS OPTIONS at $RATE/s, every one answered 200 (exit 0)" \
	0 "$rc"
((rc == 0)) || diag "$(sipp_errors "$log")"
drops_after=$(drops)
check_eq "the dataplane dropped no SIP on the outside port meanwhile" \
	"$drops_before" "$drops_after"

# The tables really changed: other.example may federate under b only.
check "under a, a SUBSCRIBE from other.example gets the dataplane's 403" \
	lab_sipp out subscribe_403.xml "$LAB_OUT_APPLIANCE4:5060" \
	-key domain other.example -key ruri sip:alice@example.com
cp "$b" "$conf"
check "reload to b" "$CTL" reload
check "under b, it reaches the control plane (501 until presence exists)" \
	lab_sipp out request_501.xml "$LAB_OUT_APPLIANCE4:5060" \
	-key domain other.example
cp "$a" "$conf"
check "reload back to a" "$CTL" reload

# A restart-only change: refused whole, the daemon goes on serving.
sed 's/^  workers: 1/  workers: 2/' "$a" >"$conf"
check_fails "a reload that changes dataplane.workers is refused" \
	"$CTL" reload
check_match "the refusal names the key" "dataplane.workers" \
	"$("$CTL" reload 2>&1)"
printf 'dataplane: [\n' >"$conf"
check_fails "an invalid file is refused" "$CTL" reload
check "OPTIONS still answered after the refusals" \
	lab_options out "$LAB_OUT_APPLIANCE4"

lab_down
check "scripts/lab down" lab_is_gone
tap_done
