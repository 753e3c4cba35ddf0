#!/usr/bin/env bash
# edge_pat: forwarding with PAT and the SIP ALG in the lab. An inside node
# (sipedge-in) subscribes to a foreign peer (sipedge-out, SIPp UAS on
# 198.51.100.10:5060): the SUBSCRIBE leaves from the appliance's outside
# address and a PAT port with Via and Contact rewritten, the 200 comes
# back to the node, and the peer's NOTIFY to the Contact reaches the node
# and is answered. Then an INVITE of ~4 KB, larger than the outside MTU
# (1500): the appliance fragments it, and the 200 reaches the node.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
CTL=${SIPEDGECTL_BIN:-$(dirname "$SIPEDGE_BIN")/sipedgectl}

lab_up || bail_out "the lab did not come up with sipedge"

stat() {
	"$CTL" stats "$1" | awk -v n="$1" '$1 == n { print $2 }'
}

# uas SCENARIO: the peer's SIPp in the background, one call.
uas() {
	lab_sipp_bg out "$1" -i "$LAB_OUT_PEER4" -p 5060 -m 1 \
		-timeout 20s -timeout_error
	sleep 0.5
}

# --- SUBSCRIBE, 200, NOTIFY to the Contact, 200 --------------------------------

pat_out=$(stat dp_inside_pat_out)
pat_in=$(stat dp_outside_pat_in)
alg_out=$(stat dp_inside_pat_alg)
alg_in=$(stat dp_outside_pat_alg)
uas pat_subscribe_uas.xml
check "the inside node's SUBSCRIBE gets its 200 and the NOTIFY" \
	lab_sipp in pat_subscribe_uac.xml "$LAB_OUT_PEER4:5060" -timeout 20s
check "the peer got the SUBSCRIBE and the 200 to its NOTIFY" \
	wait "$SIPP_BG_PID"
check "datagrams translated out (pat_out)" \
	test "$(stat dp_inside_pat_out)" -ge "$((pat_out + 2))"
check "datagrams translated back (pat_in)" \
	test "$(stat dp_outside_pat_in)" -ge "$((pat_in + 2))"
check "the ALG rewrote both ways" \
	test "$(stat dp_inside_pat_alg)" -gt "$alg_out" -a \
	"$(stat dp_outside_pat_alg)" -gt "$alg_in"
check_eq "no SIP dropped by the ALG" 0 \
	"$(( $(stat dp_inside_drop_pat_alg) + $(stat dp_outside_drop_pat_alg) ))"

# --- a 4 KB INVITE, fragmented on the way out --------------------------------

frags=$(stat dp_outside_frag_tx_datagrams)
uas pat_invite_uas.xml
check "the inside node's 4 KB INVITE gets its 200" \
	lab_sipp in pat_invite_uac.xml "$LAB_OUT_PEER4:5060" -timeout 20s
check "the peer got the INVITE and the ACK" wait "$SIPP_BG_PID"
check "the INVITE left in fragments" \
	test "$(stat dp_outside_frag_tx_datagrams)" -gt "$frags"

# --- static PAT: XMPP federation (TCP 5269) to an inside node ----------------

# An XMPP-ish server on the inside node 192.0.2.11:5269 (the default
# config's static) that answers each line with "ok " + the line.
in_ns in python3 - <<'PY' &
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.11", 5269))
s.listen(1)
s.settimeout(20)
c, peer = s.accept()
c.settimeout(10)
line = c.recv(200)
c.sendall(b"ok " + line + b" from " + peer[0].encode())
c.close()
PY
xmpp=$!
track "$xmpp"
sleep 0.5
st_in=$(stat dp_outside_pat_static_in)
reply=$(in_ns out python3 - "$LAB_OUT_APPLIANCE4" <<'PY'
import socket, sys
c = socket.create_connection((sys.argv[1], 5269), timeout=10)
c.sendall(b"<stream>")
print(c.recv(200).decode())
PY
)
check_eq "TCP to 198.51.100.1:5269 reaches the inside node and its answer comes back" \
	"ok <stream> from $LAB_OUT_PEER4" "$reply"
check "counted as static PAT both ways" \
	test "$(stat dp_outside_pat_static_in)" -gt "$st_in" -a \
	"$(stat dp_inside_pat_static_out)" -gt 0
wait "$xmpp" 2>/dev/null || true

lab_down
check "scripts/lab down" lab_is_gone
tap_done
