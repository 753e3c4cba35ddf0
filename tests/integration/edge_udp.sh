#!/usr/bin/env bash
# edge_udp: the lab with the real sipedge (DPDK on af_packet in sipedge-dp):
# OPTIONS to the appliance over UDP, IPv4 and IPv6, from both sides, is
# answered 200 through the dataplane's hand-off and the control plane; a
# request with no service yet gets 501; malformed SIP is counted and
# dropped while the daemon goes on serving; sipedgectl stats shows it all.
# The control plane answers through the transaction layer: a retransmitted
# OPTIONS is absorbed by its server transaction (the same 200 re-sent, one
# transaction in `sipedgectl stats txn`), and a request without the
# z9hG4bK branch cookie gets the layer's 400 through the dataplane.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root
CTL=${SIPEDGECTL_BIN:-$(dirname "$SIPEDGE_BIN")/sipedgectl}

lab_up || bail_out "the lab did not come up with sipedge"
ok "scripts/lab up: sipedge answers OPTIONS on both sides"

# stat NAME: the counter's value from the running daemon.
stat() {
	"$CTL" stats "$1" | awk -v n="$1" '$1 == n { print $2 }'
}

before=$(stat ctl_sip_options_200)
check "OPTIONS from outside over IPv4" lab_options out "$LAB_OUT_APPLIANCE4"
check "OPTIONS from outside over IPv6" lab_options out "$LAB_OUT_APPLIANCE6"
check "OPTIONS from inside over IPv4" lab_options in "$LAB_IN_APPLIANCE4"
check "OPTIONS from inside over IPv6" lab_options in "$LAB_IN_APPLIANCE6"
check_eq "the control plane answered those four 200" \
	"$((before + 4))" "$(stat ctl_sip_options_200)"
check "a SUBSCRIBE with no presence engine yet gets 501" \
	lab_sipp out request_501.xml "$LAB_OUT_APPLIANCE4:5060" \
	-key domain "$LAB_PEER_DOMAIN"

# udp_exchange TARGET BRANCH COPIES: send the same OPTIONS (Via branch
# BRANCH) COPIES times from sipedge-out on one kernel socket, read the
# replies on it (2 s timeout each); print each reply's status line, then
# "identical" when every reply is byte for byte the first.
udp_exchange() {
	in_ns out python3 - "$LAB_OUT_PEER4" "$1" "$2" "$3" \
		"$LAB_PEER_DOMAIN" <<'PY'
import socket, sys
src, dst, branch, copies, domain = sys.argv[1:6]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
s.settimeout(2.0)
port = s.getsockname()[1]
req = ("OPTIONS sip:%s SIP/2.0\r\n"
       "Via: SIP/2.0/UDP %s:%d;branch=%s\r\n"
       "Max-Forwards: 70\r\n"
       "From: <sip:txn-probe@%s>;tag=t%d\r\n"
       "To: <sip:%s>\r\n"
       "Call-ID: %s@%s\r\n"
       "CSeq: 1 OPTIONS\r\n"
       "Content-Length: 0\r\n\r\n"
       % (dst, src, port, branch, domain, port, dst, branch, src)).encode()
for _ in range(int(copies)):
    s.sendto(req, (dst, 5060))
replies = []
for _ in range(int(copies)):
    try:
        replies.append(s.recvfrom(65535)[0])
    except socket.timeout:
        print("timeout")
        break
for r in replies:
    print(r.split(b"\r\n", 1)[0].decode(errors="replace"))
if len(replies) == int(copies) and all(r == replies[0] for r in replies):
    print("identical")
PY
}

branch=z9hG4bK-edge-udp-$$-$RANDOM
created_before=$(stat txn_created_server_non_invite)
absorbed_before=$(stat txn_req_absorbed)
tu_before=$(stat ctl_sip_options_200)
replies=$(udp_exchange "$LAB_OUT_APPLIANCE4" "$branch" 2)
check_eq "an OPTIONS sent twice with one branch gets two identical 200s" \
	"$(printf 'SIP/2.0 200 OK\nSIP/2.0 200 OK\nidentical')" "$replies"
txn_stats=$("$CTL" stats txn)
check_match "sipedgectl stats txn shows the layer's counters" \
	'txn_req_absorbed' "$txn_stats"
check_eq "one server transaction created for the two copies" \
	"$((created_before + 1))" "$(stat txn_created_server_non_invite)"
check_eq "one retransmission absorbed by it" \
	"$((absorbed_before + 1))" "$(stat txn_req_absorbed)"
check_eq "the TU answered once" \
	"$((tu_before + 1))" "$(stat ctl_sip_options_200)"
nocookie_before=$(stat txn_no_cookie_rejected)
check_match "an OPTIONS without the z9hG4bK cookie gets the layer's 400" \
	'^SIP/2.0 400 ' \
	"$(udp_exchange "$LAB_OUT_APPLIANCE4" "rfc2543-$$-$RANDOM" 1)"
check_eq "counted as no_cookie_rejected" \
	"$((nocookie_before + 1))" "$(stat txn_no_cookie_rejected)"

# Malformed datagrams, sent from the foreign side with a kernel socket.
bad_before=$(stat dp_outside_drop_sip_malformed)
in_ns out python3 - "$LAB_OUT_APPLIANCE4" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for junk in (b"garbage\r\n\r\n",
             b"OPTIONS sip:x SIP/2.0\r\nTo: a\rb\r\n\r\n",
             b"OPTIONS sip:x SIP/2.0\r\n" + b"X: y\r\n" * 200 + b"\r\n"):
    s.sendto(junk, (sys.argv[1], 5060))
PY
sleep 1
check_eq "three malformed datagrams (junk, a bare CR, 200 headers) dropped" \
	"$((bad_before + 3))" "$(stat dp_outside_drop_sip_malformed)"

# A datagram larger than the lab's af_packet frame (9216): the kernel
# reassembles it, the PMD truncates it, the dataplane counts the frame as
# shorter than its IP total length.
trunc_before=$(stat dp_outside_drop_ip_truncated)
in_ns out python3 - "$LAB_OUT_APPLIANCE4" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"OPTIONS sip:x SIP/2.0\r\n" + b"Y" * 20000 + b"\r\n\r\n",
         (sys.argv[1], 5060))
PY
sleep 1
check_eq "a 20 kB datagram counted as truncated and dropped" \
	"$((trunc_before + 1))" "$(stat dp_outside_drop_ip_truncated)"
check "sipedge still answers OPTIONS after them" \
	lab_options out "$LAB_OUT_APPLIANCE4"
check_match "sipedgectl stats shows per-worker shards" 'worker0' \
	"$("$CTL" stats dp_outside_rx_frames --per-shard)"

lab_down
check "scripts/lab down" lab_is_gone
tap_done
