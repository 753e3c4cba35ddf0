#!/usr/bin/env bash
# edge_tcp: SIP over TCP in the lab with the real sipedge. TCP to the
# appliance goes through the dataplane's exception path (a TAP per port
# holding the appliance's address) to the control plane's kernel sockets
# (control/tcp), which answer through the same transaction layer and TU as
# UDP: OPTIONS gets 200 from both sides, over IPv4 and IPv6; the domain
# permit, which the dataplane applies to UDP only, is applied by the
# control plane to TCP from outside (403 for evil.example, 501 for a
# permitted domain until the presence engine exists); an RFC 5626
# CRLFCRLF ping gets its CRLF pong and two pipelined requests get two
# answers in order, on one connection.
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

# tcp_options NS TARGET DOMAIN: OPTIONS over TCP (SIPp -t t1), 200 expected.
# shellcheck disable=SC2317  # called through check
tcp_options() {
	lab_sipp "$1" options.xml "$2" -t t1 -key domain "$3"
}

options_before=$(stat ctl_sip_options_200)
accepted_before=$(stat ctl_tcp_accepted)
check "OPTIONS over TCP from outside to $LAB_OUT_APPLIANCE4:5060" \
	tcp_options out "$LAB_OUT_APPLIANCE4:5060" "$LAB_PEER_DOMAIN"
check "OPTIONS over TCP from outside to [$LAB_OUT_APPLIANCE6]:5060" \
	tcp_options out "[$LAB_OUT_APPLIANCE6]:5060" "$LAB_PEER_DOMAIN"
check "OPTIONS over TCP from inside to $LAB_IN_APPLIANCE4:5060" \
	tcp_options in "$LAB_IN_APPLIANCE4:5060" "$LAB_DOMAIN"
check "OPTIONS over TCP from inside to [$LAB_IN_APPLIANCE6]:5060" \
	tcp_options in "[$LAB_IN_APPLIANCE6]:5060" "$LAB_DOMAIN"
check_eq "the control plane answered those four 200" \
	"$((options_before + 4))" "$(stat ctl_sip_options_200)"
check_eq "on four TCP connections" \
	"$((accepted_before + 4))" "$(stat ctl_tcp_accepted)"

# The permit for TCP from outside is the control plane's (ctl_permit).
deny_before=$(stat ctl_permit_replied_403_identity)
check "SUBSCRIBE over TCP from evil.example gets 403" \
	lab_sipp out subscribe_403.xml "$LAB_OUT_APPLIANCE4:5060" -t t1 \
	-key domain evil.example -key ruri sip:alice@example.com
check_eq "answered by the control plane's permit" \
	"$((deny_before + 1))" "$(stat ctl_permit_replied_403_identity)"
check "SUBSCRIBE over TCP from partner.example gets 501 (no presence engine yet)" \
	lab_sipp out request_501.xml "$LAB_OUT_APPLIANCE4:5060" -t t1 \
	-key domain "$LAB_PEER_DOMAIN"

# One connection from sipedge-out: a keepalive ping, then two OPTIONS in
# one write. Prints "pong", then each answer's status code and CSeq.
tcp_session() {
	in_ns out python3 - "$LAB_OUT_PEER4" "$LAB_OUT_APPLIANCE4" \
		"$LAB_PEER_DOMAIN" <<'PY'
import socket, sys
src, dst, domain = sys.argv[1:4]
s = socket.create_connection((dst, 5060), timeout=5,
                             source_address=(src, 0))
port = s.getsockname()[1]
s.sendall(b"\r\n\r\n")
pong = s.recv(2)
print("pong" if pong == b"\r\n" else "no pong: %r" % pong)

def options(n):
    return ("OPTIONS sip:%s SIP/2.0\r\n"
            "Via: SIP/2.0/TCP %s:%d;branch=z9hG4bK-tcp-%d-%d\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:tcp-probe@%s>;tag=t%d\r\n"
            "To: <sip:%s>\r\n"
            "Call-ID: tcp-%d@%s\r\n"
            "CSeq: %d OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
            % (dst, src, port, port, n, domain, port, dst, port, src,
               n)).encode()

s.sendall(options(1) + options(2))
buf = b""
answers = []
while len(answers) < 2:
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        continue
    head, buf = buf[:end].decode(errors="replace"), buf[end + 4:]
    lines = head.split("\r\n")
    cseq = [l.split(":", 1)[1].strip() for l in lines[1:]
            if l.lower().startswith("cseq:")]
    answers.append("%s %s" % (lines[0].split(" ")[1], cseq[0] if cseq
                                else "?"))
for a in answers:
    print(a)
PY
}

ping_before=$(stat ctl_tcp_keepalive_ping)
check_eq "a CRLFCRLF ping gets a CRLF pong; two pipelined OPTIONS get two 200s in order" \
	"$(printf 'pong\n200 1 OPTIONS\n200 2 OPTIONS')" "$(tcp_session 2>&1)"
check_eq "the ping was counted" \
	"$((ping_before + 1))" "$(stat ctl_tcp_keepalive_ping)"
check_match "sipedgectl stats ctl_tcp shows the transport's counters" \
	'ctl_tcp_open' "$("$CTL" stats ctl_tcp)"

lab_down
check "scripts/lab down" lab_is_gone
tap_done
