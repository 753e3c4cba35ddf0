#!/usr/bin/env bash
# edge_acl: the dataplane's ACL (DESIGN.md policy order, step 1) in the lab
# with the real sipedge on its embedded default config: what the rules
# permit gets through (SIP over UDP, checked by lab_up's OPTIONS; ICMP and
# ICMPv6 echo, which over IPv6 needs neighbour discovery through the ACL
# too), and a datagram to a port no rule permits is dropped by the default
# deny, counted in dp_PORT_drop_acl_default, not as a closed UDP port.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
CTL=${SIPEDGECTL_BIN:-$(dirname "$SIPEDGE_BIN")/sipedgectl}

lab_up || bail_out "the lab did not come up with sipedge"
ok "scripts/lab up: OPTIONS answered on both sides through the ACL"

stat() {
	"$CTL" stats "$1" | awk -v n="$1" '$1 == n { print $2 }'
}

# udp_to NS DST PORT: one datagram from a peer namespace.
udp_to() {
	in_ns "$1" python3 - "$2" "$3" <<'PY'
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.sendto(b"not for a service", (sys.argv[1], int(sys.argv[2])))
PY
}

# echo_to NS DST: one ICMP or ICMPv6 echo; exit 0 when answered within 3 s.
echo_to() {
	in_ns "$1" python3 - "$2" <<'PY'
import os, socket, struct, sys, time
dst = sys.argv[1]
v6 = ":" in dst
ident = os.getpid() & 0xffff
if v6:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    req, want = 128, 129
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    req, want = 8, 0
body = struct.pack("!BBHHH", req, 0, 0, ident, 1) + b"edge-acl"
if not v6:  # the kernel sums ICMPv6 itself
    c = sum(struct.unpack("!%dH" % (len(body) // 2), body))
    c = (c & 0xffff) + (c >> 16)
    c = ~((c & 0xffff) + (c >> 16)) & 0xffff
    body = body[:2] + struct.pack("!H", c) + body[4:]
s.settimeout(0.5)
deadline = time.time() + 3
while time.time() < deadline:
    s.sendto(body, (dst, 0))
    try:
        while True:
            pkt = s.recv(2048)
            icmp = pkt if v6 else pkt[(pkt[0] & 0x0f) * 4:]
            if icmp[0] == want and struct.unpack("!H", icmp[4:6])[0] == ident:
                sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)
PY
}

for side in out in; do
	if [[ $side == out ]]; then
		port=outside a4=$LAB_OUT_APPLIANCE4 a6=$LAB_OUT_APPLIANCE6
	else
		port=inside a4=$LAB_IN_APPLIANCE4 a6=$LAB_IN_APPLIANCE6
	fi
	deny=$(stat "dp_${port}_drop_acl_default")
	closed=$(stat "dp_${port}_drop_udp_port")
	udp_to "$side" "$a4" 9999
	udp_to "$side" "$a6" 9999
	sleep 1
	check_eq "$port: UDP to 9999 (IPv4, IPv6) dropped by the ACL default deny" \
		"$((deny + 2))" "$(stat "dp_${port}_drop_acl_default")"
	check_eq "$port: not counted as a closed UDP port" \
		"$closed" "$(stat "dp_${port}_drop_udp_port")"
	# The index of the port's `icmp` rule in the default config's acl:
	# (its counters are named by position).
	rule=$("$SIPEDGE_BIN" --print-default-config | awk -v p="$port" '
		/^  acl:/ { in_acl = 1; n = 0; next }
		in_acl && /^    - \{/ {
			if ($0 ~ "port: " p "," && $0 ~ /name: icmp }/) {
				print n; exit
			}
			n++; next
		}
		in_acl && /^  [a-z]/ { in_acl = 0 }')
	permit=$(stat "dp_${port}_acl_rule${rule}_permit")
	check "$port: ICMP echo answered" echo_to "$side" "$a4"
	check "$port: counted by its rule (dp_${port}_acl_rule${rule}_permit)" \
		test "$(stat "dp_${port}_acl_rule${rule}_permit")" -gt "$permit"
	check "$port: ICMPv6 echo answered (ND permitted too)" \
		echo_to "$side" "$a6"
done
check "sipedge still answers OPTIONS from outside" \
	lab_options out "$LAB_OUT_APPLIANCE4"

lab_down
check "scripts/lab down" lab_is_gone
tap_done
