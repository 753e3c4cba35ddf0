#!/usr/bin/env bash
# edge_fragments: IP fragments through the real sipedge in the lab. The
# lab's af_packet has the kernel reassemble IPv4 before DPDK sees it, but
# not IPv6: an IPv6 SIP message larger than the veth's 1500-byte MTU
# reaches the dataplane in fragments and must be reassembled there. What
# the appliance sends larger than the port's MTU (a 403 copying a long
# Via, an echo reply to a large ping) must leave in fragments that the
# peer's kernel puts back together, over IPv4 and IPv6.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
CTL=${SIPEDGECTL_BIN:-$(dirname "$SIPEDGE_BIN")/sipedgectl}

lab_up || bail_out "the lab did not come up with sipedge"

stat() {
	"$CTL" stats "$1" | awk -v n="$1" '$1 == n { print $2 }'
}

# send DST KIND SIZE: one SIP request of about SIZE bytes over UDP from
# sipedge-out (the kernel fragments what exceeds the MTU); prints the
# status line of the answer and whether it carries the request's branch.
# KIND options: from partner.example, answered by the control plane;
# KIND deny: from evil.example, with SIZE bytes of Via branch, answered
# 403 by the dataplane.
send() {
	in_ns out python3 - "$@" <<'PY'
import socket, sys
dst, kind, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
v6 = ":" in dst
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET,
                  socket.SOCK_DGRAM)
s.bind(("", 0))
s.settimeout(5)
port = s.getsockname()[1]
me = "[2001:db8:0:1::10]" if v6 else "198.51.100.10"
host = "[%s]" % dst if v6 else dst
if kind == "options":
    branch, dom, ruri, method = "z9hG4bKbig", "partner.example", \
        "sip:" + host, "OPTIONS"
    body = ("x" * 70 + "\r\n") * (size // 72)
else:
    branch, dom, ruri, method = "z9hG4bK" + "b" * size, "evil.example", \
        "sip:alice@example.com", "SUBSCRIBE"
    body = ""
msg = ("%s %s SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;rport;branch=%s\r\n"
       "Max-Forwards: 70\r\nFrom: <sip:w@%s>;tag=1\r\nTo: <%s>\r\n"
       "Call-ID: frag-%s-%d@lab\r\nCSeq: 1 %s\r\nEvent: presence\r\n"
       "Content-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s"
       % (method, ruri, me, port, branch, dom, ruri, kind, size, method,
          len(body), body))
s.sendto(msg.encode(), (dst, 5060))
try:
    data = s.recv(65535)
except socket.timeout:
    print("no answer")
    sys.exit(1)
print(data.split(b"\r\n")[0].decode(), len(data),
      "branch" if branch.encode() in data else "no-branch")
PY
}

# big_echo DST SIZE: one ICMP or ICMPv6 echo with SIZE bytes of data from
# sipedge-out; exit 0 when the whole of it comes back within 3 s.
# shellcheck disable=SC2317  # tests call it through check
big_echo() {
	in_ns out python3 - "$@" <<'PY'
import os, socket, struct, sys, time
dst, size = sys.argv[1], int(sys.argv[2])
v6 = ":" in dst
ident = os.getpid() & 0xffff
if v6:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    req, want = 128, 129
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    req, want = 8, 0
data = bytes(i & 0xff for i in range(size))
body = struct.pack("!BBHHH", req, 0, 0, ident, 1) + data
if not v6:  # the kernel sums ICMPv6 itself
    c = sum(struct.unpack("!%dH" % (len(body) // 2), body))
    while c >> 16:
        c = (c & 0xffff) + (c >> 16)
    body = body[:2] + struct.pack("!H", ~c & 0xffff) + body[4:]
s.settimeout(0.5)
deadline = time.time() + 3
while time.time() < deadline:
    s.sendto(body, (dst, 0))
    try:
        while True:
            pkt = s.recv(65535)
            icmp = pkt if v6 else pkt[(pkt[0] & 0x0f) * 4:]
            if icmp[0] == want and \
               struct.unpack("!H", icmp[4:6])[0] == ident:
                sys.exit(0 if icmp[8:] == data else 1)
    except socket.timeout:
        pass
sys.exit(1)
PY
}

# --- reassembly -------------------------------------------------------------

whole=$(stat dp_outside_frag_reassembled)
held=$(stat dp_outside_frag_held)
out=$(send "$LAB_OUT_APPLIANCE6" options 4000)
check_match "a 4 KB OPTIONS over IPv6, in fragments, is answered 200" \
	"^SIP/2.0 200 " "$out"
check_eq "the dataplane reassembled it" "$((whole + 1))" \
	"$(stat dp_outside_frag_reassembled)"
check "its first fragments were held for it" \
	test "$(stat dp_outside_frag_held)" -ge "$((held + 2))"
out=$(send "$LAB_OUT_APPLIANCE6" options 8000)
check_match "an 8 KB OPTIONS over IPv6 (6 fragments) is answered 200" \
	"^SIP/2.0 200 " "$out"
out=$(send "$LAB_OUT_APPLIANCE4" options 8000)
check_match "an 8 KB OPTIONS over IPv4 (whole from the kernel) is answered 200" \
	"^SIP/2.0 200 " "$out"

# --- fragmentation ----------------------------------------------------------

frags=$(stat dp_outside_frag_tx_fragments)
out=$(send "$LAB_OUT_APPLIANCE4" deny 3000)
check_match "a 3 KB 403 over IPv4 reaches the peer whole" \
	"^SIP/2.0 403 .* branch$" "$out"
check "it left in fragments" \
	test "$(stat dp_outside_frag_tx_fragments)" -ge "$((frags + 3))"
frags=$(stat dp_outside_frag_tx_fragments)
out=$(send "$LAB_OUT_APPLIANCE6" deny 3000)
check_match "a 3 KB 403 over IPv6 reaches the peer whole" \
	"^SIP/2.0 403 .* branch$" "$out"
check "it left in fragments" \
	test "$(stat dp_outside_frag_tx_fragments)" -ge "$((frags + 3))"
frags=$(stat dp_outside_frag_tx_fragments)
check "a 3,000-byte echo over IPv4 comes back whole" \
	big_echo "$LAB_OUT_APPLIANCE4" 3000
check "an echo of 3,000 bytes over IPv6 comes back whole (in fragments both ways)" \
	big_echo "$LAB_OUT_APPLIANCE6" 3000
check "the replies left in fragments" \
	test "$(stat dp_outside_frag_tx_fragments)" -ge "$((frags + 6))"
check_eq "nothing was dropped for a bad fragment" "0" \
	"$(($(stat dp_outside_drop_frag_malformed) + \
	    $(stat dp_outside_drop_frag_overlap) + \
	    $(stat dp_outside_drop_frag_tiny) + \
	    $(stat dp_outside_drop_frag_timeout)))"

lab_down
check "scripts/lab down" lab_is_gone
tap_done
