#!/usr/bin/env bash
# edge_udp: the lab with the real sipedge (DPDK on af_packet in sipedge-dp):
# OPTIONS to the appliance over UDP, IPv4 and IPv6, from both sides, is
# answered 200 through the dataplane's hand-off and the control plane; a
# request with no service yet gets 501; malformed SIP is counted and
# dropped while the daemon goes on serving; sipedgectl stats shows it all.
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
