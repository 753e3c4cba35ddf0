#!/usr/bin/env bash
# edge_policy: the dataplane's policy stages in the lab with the real
# sipedge. The domain permit (DESIGN.md policy order, step 4) answers 403
# itself to a request from a domain that may not federate and to one for a
# domain that is not local, while a permitted request reaches the control
# plane; the per-source rate limit (step 2) drops a flood from one source
# while another source is still served.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
CTL=${SIPEDGECTL_BIN:-$(dirname "$SIPEDGE_BIN")/sipedgectl}
SECOND_PEER=198.51.100.20

lab_up || bail_out "the lab did not come up with sipedge"

stat() {
	"$CTL" stats "$1" | awk -v n="$1" '$1 == n { print $2 }'
}

# --- domain permit ----------------------------------------------------------

deny_id=$(stat dp_outside_deny_identity)
deny_ruri=$(stat dp_outside_deny_ruri)
handoff=$(stat dp_outside_handoff)
check "SUBSCRIBE from evil.example gets 403" \
	lab_sipp out subscribe_403.xml "$LAB_OUT_APPLIANCE4:5060" \
	-key domain evil.example -key ruri sip:alice@example.com
check_eq "the 403 came from the dataplane (deny_identity)" \
	"$((deny_id + 1))" "$(stat dp_outside_deny_identity)"
check_eq "nothing of it reached the control plane" \
	"$handoff" "$(stat dp_outside_handoff)"
check "SUBSCRIBE from partner.example for elsewhere.example gets 403" \
	lab_sipp out subscribe_403.xml "$LAB_OUT_APPLIANCE4:5060" \
	-key domain partner.example -key ruri sip:bob@elsewhere.example
check_eq "counted as deny_ruri" \
	"$((deny_ruri + 1))" "$(stat dp_outside_deny_ruri)"
check "SUBSCRIBE from a subdomain of partner.example reaches the control plane (501 until the presence engine)" \
	lab_sipp out request_501.xml "$LAB_OUT_APPLIANCE4:5060" \
	-key domain sip.partner.example
check "SUBSCRIBE from evil.example over IPv6 gets 403 too" \
	lab_sipp out subscribe_403.xml "[$LAB_OUT_APPLIANCE6]:5060" \
	-key domain evil.example -key ruri sip:alice@example.com

# --- rate limit ---------------------------------------------------------------

ip -n sipedge-out addr add "$SECOND_PEER/24" dev out0
limited=$(stat dp_outside_drop_rate_limit)
# 12,000 OPTIONS from .10 as fast as one socket sends them: well past the
# lab's 2,000/s with a burst of 4,000.
in_ns out python3 - "$LAB_OUT_APPLIANCE4" <<'PY'
import socket, sys
msg = (b"OPTIONS sip:%s SIP/2.0\r\n"
       b"Via: SIP/2.0/UDP 198.51.100.10:5090;branch=z9hG4bKflood%%d\r\n"
       b"From: <sip:flood@partner.example>;tag=f\r\nTo: <sip:%s>\r\n"
       b"Call-ID: flood%%d\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
       % (sys.argv[1].encode(), sys.argv[1].encode()))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.10", 5090))
for i in range(12000):
    s.sendto(msg % (i, i), (sys.argv[1], 5060))
PY
check "OPTIONS from another source ($SECOND_PEER) is still answered" \
	in_ns out sipp -sf "$SIPP_DIR/options.xml" -key domain partner.example \
	-m 1 -timeout 10s -timeout_error -nostdin -i "$SECOND_PEER" -p 0 \
	"$LAB_OUT_APPLIANCE4:5060"
after=$(stat dp_outside_drop_rate_limit)
check "the flood from .10 was rate-limited ($((after - limited)) dropped)" \
	test "$after" -gt "$limited"

lab_down
check "scripts/lab down" lab_is_gone
tap_done
