#!/usr/bin/env bash
# edge_exception: the exception path in the lab, with the real sipedge on its
# embedded default config. TCP to the appliance reaches the kernel of
# sipedge-dp through the TAPs (sx-out, sx-in) and what the kernel answers
# leaves through the dataplane: a connect to a TCP port the ACL permits
# (5060) with nothing listening is refused at once (the RST came back), one
# to a port no rule permits times out; a listener in sipedge-dp on
# 198.51.100.1:5061 (and 192.0.2.1:5061) echoes a line over a connection
# from the peer side (both directions, through the ACL's TCP rules). The
# appliance's own flows: a UDP client in sipedge-dp asks 198.51.100.10:5353,
# where a responder in sipedge-out answers; the answer comes back although no
# ACL rule permits UDP from there (the session table), while a datagram the
# responder sends from another port is dropped by the default deny.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
CTL=${SIPEDGECTL_BIN:-$(dirname "$SIPEDGE_BIN")/sipedgectl}

lab_up || bail_out "the lab did not come up with sipedge"
ok "scripts/lab up: sipedge answers OPTIONS on both sides"

stat() {
	"$CTL" stats "$1" | awk -v n="$1" '$1 == n { print $2 }'
}

# tcp_connect NS ADDR PORT: print "refused", "accepted" or "timeout" (3 s).
tcp_connect() {
	in_ns "$1" python3 - "$2" "$3" <<'PY'
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(3)
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print("accepted")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
PY
}

# 5060 is in the ACL; the control plane may listen there (SIP over TCP) or
# not yet: either answer proves the SYN reached the kernel and its answer
# came back through the dataplane.
for a in "$LAB_OUT_APPLIANCE4" "$LAB_OUT_APPLIANCE6"; do
	tx=$(stat dp_outside_tap_tx)
	out=$(stat dp_outside_tap_out)
	got=$(tcp_connect out "$a" 5060)
	check_match "TCP to $a:5060 is answered by the kernel ($got)" \
		'^(refused|accepted)$' "$got"
	check "  the SYN went to the TAP (dp_outside_tap_tx)" \
		test "$(stat dp_outside_tap_tx)" -gt "$tx"
	check "  the answer left through the dataplane (dp_outside_tap_out)" \
		test "$(stat dp_outside_tap_out)" -gt "$out"
done
check "the kernel's ARP and ND on sx-out were answered" \
	test "$(stat dp_outside_tap_arp_replies)" -gt 0 -a \
	"$(stat dp_outside_tap_nd_replies)" -gt 0

deny=$(stat dp_outside_drop_acl_default)
check_eq "TCP to port 22 (no ACL rule) times out" timeout \
	"$(tcp_connect out "$LAB_OUT_APPLIANCE4" 22)"
check "  dropped by the default deny" \
	test "$(stat dp_outside_drop_acl_default)" -gt "$deny"

# echo_server ADDR PORT READY: in sipedge-dp, accept one connection and echo
# one line. Exit 3 at once when the port is taken (then the daemon serves
# it: the test only connects).
echo_server() {
	in_ns dp python3 - "$1" "$2" "$3" <<'PY'
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((sys.argv[1], int(sys.argv[2])))
except OSError:
    open(sys.argv[3], "w").write("busy")
    sys.exit(3)
s.listen(1)
open(sys.argv[3], "w").write("ready")
s.settimeout(20)
c, _ = s.accept()
c.settimeout(5)
line = b""
while not line.endswith(b"\n"):
    b = c.recv(100)
    if not b:
        break
    line += b
c.sendall(line)
c.close()
PY
}

# echo_client NS ADDR PORT: send a line, print what comes back.
echo_client() {
	in_ns "$1" python3 - "$2" "$3" <<'PY'
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(b"through the exception path\n")
data = b""
while not data.endswith(b"\n"):
    b = s.recv(100)
    if not b:
        break
    data += b
print(data.decode().strip())
PY
}

# wait_file FILE: up to 10 s for FILE to appear.
wait_file() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ -s $1 ]] && return 0
		sleep 0.1
	done
	return 1
}

for side in out in; do
	if [[ $side == out ]]; then
		a=$LAB_OUT_APPLIANCE4 port=outside
	else
		a=$LAB_IN_APPLIANCE4 port=inside
	fi
	ready=$TEST_TMP/echo-$side
	echo_server "$a" 5061 "$ready" &
	track $!
	if ! wait_file "$ready"; then
		not_ok "$port: the echo server in sipedge-dp did not start"
		continue
	fi
	if [[ $(cat "$ready") == busy ]]; then
		check_match "$port: TCP $a:5061 (the daemon's) accepts" \
			'^accepted$' "$(tcp_connect "$side" "$a" 5061)"
		continue
	fi
	check_eq "$port: a line over TCP to $a:5061 comes back" \
		"through the exception path" "$(echo_client "$side" "$a" 5061)"
done

# The appliance's own flow: a query from sipedge-dp to 198.51.100.10:5353.
# The responder first sends a stray datagram from port 5354 (no session, no
# rule: dropped), then its answer from 5353.
ready=$TEST_TMP/responder
in_ns out python3 - "$LAB_OUT_PEER4" "$ready" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 5353))
stray = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
stray.bind((sys.argv[1], 5354))
open(sys.argv[2], "w").write("ready")
s.settimeout(20)
data, peer = s.recvfrom(512)
stray.sendto(b"stray", peer)
s.sendto(b"answer to " + data, peer)
PY
track $!
wait_file "$ready" || not_ok "the responder in sipedge-out did not start"
fresh=$(stat dp_outside_xflow_new)
hit=$(stat dp_outside_xflow_hit)
deny=$(stat dp_outside_drop_acl_default)
answer=$(in_ns dp python3 - "$LAB_OUT_PEER4" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(b"query", (sys.argv[1], 5353))
try:
    data, peer = s.recvfrom(512)
    print("%s from %s:%d" % (data.decode(), peer[0], peer[1]))
except socket.timeout:
    print("nothing")
PY
)
check_eq "the answer from .10:5353 reaches the appliance's own socket" \
	"answer to query from $LAB_OUT_PEER4:5353" "$answer"
check "  a session was opened (dp_outside_xflow_new)" \
	test "$(stat dp_outside_xflow_new)" -gt "$fresh"
check "  the answer passed by it (dp_outside_xflow_hit)" \
	test "$(stat dp_outside_xflow_hit)" -gt "$hit"
check "  the stray datagram from :5354 met the default deny" \
	test "$(stat dp_outside_drop_acl_default)" -gt "$deny"
check_eq "no datagram from the kernel was dropped as not its own" \
	0 "$(stat dp_outside_drop_tap_not_ours)"
check "sipedge still answers OPTIONS from outside" \
	lab_options out "$LAB_OUT_APPLIANCE4"

lab_down
check "scripts/lab down" lab_is_gone
tap_done
