#!/usr/bin/env bash
# lab_topology: `scripts/lab up --no-daemon` builds the lab as DESIGN.md says
# (namespaces, veths, addresses, routes, what keeps the kernel of sipedge-dp
# out of the dataplane's way, the PKI), allows one lab at a time, and
# `scripts/lab down` removes all of it. Needs no dataplane.
set -uo pipefail
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

lab_require_root

# addrs NS IF FAMILY: "ADDR/LEN flags..." one line each.
addrs() {
	ip -n "$1" -o "-$3" addr show dev "$2" scope global |
		sed -E 's/^[0-9]+: +[^ ]+ +inet6? //; s/ +valid_lft.*//; s/\\$//'
}

sysctl_in() {
	ip netns exec "$1" cat "/proc/sys/net/$2"
}

# --- up ---------------------------------------------------------------------

if ! lab_up --no-daemon; then
	bail_out "scripts/lab up --no-daemon failed"
fi
ok "scripts/lab up --no-daemon"

for ns in "${LAB_NAMESPACES[@]}"; do
	check "namespace $ns exists" test -e "/run/netns/$ns"
	check_match "lo is up in $ns" 'state UNKNOWN|[<,]UP[,>]' \
		"$(ip -n "$ns" -o link show dev lo)"
done

# --- the veths ----------------------------------------------------------------

for pair in sipedge-out:out0:dp-out sipedge-in:in0:dp-in; do
	IFS=: read -r ns peer dp <<<"$pair"
	l=$(ip -n sipedge-dp -d -o link show dev "$dp" 2>&1)
	check_match "$dp is a veth in sipedge-dp, its peer in $ns" \
		"^[0-9]+: $dp@if[0-9]+:.*link-netns $ns.* veth" "$l"
	check_match "$dp is up" '[<,]UP[,>].*state UP' "$l"
	l=$(ip -n "$ns" -d -o link show dev "$peer" 2>&1)
	check_match "$peer is a veth in $ns, its peer in sipedge-dp" \
		"^[0-9]+: $peer@if[0-9]+:.*link-netns sipedge-dp.* veth" "$l"
	check_match "$peer is up" '[<,]UP[,>].*state UP' "$l"

	check_eq "$dp has no address" "" \
		"$(ip -n sipedge-dp -o addr show dev "$dp" 2>&1)"
	check_eq "$dp: arp_ignore=8" 8 \
		"$(sysctl_in sipedge-dp "ipv4/conf/$dp/arp_ignore")"
	check_eq "$dp: disable_ipv6=1" 1 \
		"$(sysctl_in sipedge-dp "ipv6/conf/$dp/disable_ipv6")"

	for nif in "sipedge-dp $dp" "$ns $peer"; do
		read -r n i <<<"$nif"
		k=$(ip netns exec "$n" ethtool -k "$i" 2>&1)
		check_match "tx checksum offload is off on $i ($n)" \
			'^tx-checksumming: off' "$k"
		check_match "rx checksum offload is off on $i ($n)" \
			'^rx-checksumming: off' "$k"
	done
done

# --- addresses and routes -----------------------------------------------------

check_eq "out0 holds 198.51.100.10/24" "198.51.100.10/24" \
	"$(addrs sipedge-out out0 4 | cut -d' ' -f1)"
check_match "out0 holds 2001:db8:0:1::10/64, nodad" \
	'^2001:db8:0:1::10/64 .*nodad' "$(addrs sipedge-out out0 6)"
check_eq "in0 holds 192.0.2.11/24 and 192.0.2.12/24" \
	"192.0.2.11/24 192.0.2.12/24" \
	"$(addrs sipedge-in in0 4 | cut -d' ' -f1 | sort | xargs)"
check_eq "in0 holds 2001:db8:0:2::11/64 and ::12/64" \
	"2001:db8:0:2::11/64 2001:db8:0:2::12/64" \
	"$(addrs sipedge-in in0 6 | cut -d' ' -f1 | sort | xargs)"
check_eq "in0's IPv6 addresses are nodad" 2 \
	"$(addrs sipedge-in in0 6 | grep -c nodad)"
check_no_match "no IPv6 address is tentative" 'tentative|dadfailed' \
	"$(ip -n sipedge-out -6 addr; ip -n sipedge-in -6 addr)"

check_match "sipedge-out: default via 198.51.100.1" \
	'^default via 198\.51\.100\.1 dev out0' \
	"$(ip -n sipedge-out -4 route show default)"
check_match "sipedge-out: IPv6 default via 2001:db8:0:1::1" \
	'^default via 2001:db8:0:1::1 dev out0' \
	"$(ip -n sipedge-out -6 route show default)"
check_match "sipedge-in: default via 192.0.2.1" \
	'^default via 192\.0\.2\.1 dev in0' \
	"$(ip -n sipedge-in -4 route show default)"
check_match "sipedge-in: IPv6 default via 2001:db8:0:2::1" \
	'^default via 2001:db8:0:2::1 dev in0' \
	"$(ip -n sipedge-in -6 route show default)"
check_match "sipedge-in sources from 192.0.2.11 by default" \
	'src 192\.0\.2\.11( |$)' "$(ip -n sipedge-in route get 192.0.2.1)"
check_match "sipedge-in sources from 2001:db8:0:2::11 by default" \
	'src 2001:db8:0:2::11( |$)' \
	"$(ip -n sipedge-in -6 route get 2001:db8:0:2::1)"
check_eq "sipedge-dp has no route" "" \
	"$(ip -n sipedge-dp route show; ip -n sipedge-dp -6 route show table main | grep -v '^fe80::/64\|^::1 \|^local\|^multicast')"

# --- the PKI --------------------------------------------------------------------

for f in ca.pem example.com.pem partner.example.pem; do
	check_eq "pki/$f exists, mode 0644" 644 \
		"$(stat -c %a "$LAB_PKI/$f" 2>&1)"
done
for f in ca.key example.com.key partner.example.key; do
	check_eq "pki/$f exists, mode 0600, root's" "600 root" \
		"$(stat -c '%a %U' "$LAB_PKI/$f" 2>&1)"
done
check_match "the CA is a CA" 'CA:TRUE' \
	"$(openssl x509 -in "$LAB_PKI/ca.pem" -noout -ext basicConstraints 2>&1)"
for d in "$LAB_DOMAIN" "$LAB_PEER_DOMAIN"; do
	pem=$LAB_PKI/$d.pem
	check "$d.pem verifies against ca.pem" \
		openssl verify -CAfile "$LAB_PKI/ca.pem" "$pem"
	check "$d.pem is good for TLS servers and clients" \
		openssl verify -CAfile "$LAB_PKI/ca.pem" -purpose sslserver \
		-purpose sslclient "$pem"
	check_eq "$d.pem: SAN is DNS:$d" "DNS:$d" \
		"$(openssl x509 -in "$pem" -noout -ext subjectAltName 2>&1 |
			sed -n 2p | xargs)"
	check_match "$d.pem: EKU serverAuth and clientAuth" \
		'TLS Web Server Authentication, TLS Web Client Authentication' \
		"$(openssl x509 -in "$pem" -noout -ext extendedKeyUsage 2>&1)"
	check_match "$d.key is ECDSA P-256" 'ASN1 OID: prime256v1' \
		"$(openssl pkey -in "$LAB_PKI/$d.key" -noout -text 2>&1)"
	check_eq "$d.key belongs to $d.pem" \
		"$(openssl x509 -in "$pem" -noout -pubkey 2>&1)" \
		"$(openssl pkey -in "$LAB_PKI/$d.key" -pubout 2>&1)"
done

# --- one lab at a time ------------------------------------------------------------

check_eq "the lock holds the owner's PID" "$$" \
	"$(cat "$LAB_RUN_DIR/lock" 2>&1)"
rc=0
out=$("$LAB" up --no-daemon 2>&1) || rc=$?
check_eq "a second scripts/lab up is refused (exit status 75)" 75 "$rc"
check_match "... saying a lab is already up" 'already up' "$out"
start=$SECONDS
rc=0
out=$("$LAB" up --no-daemon --wait=2 2>&1) || rc=$?
check_eq "scripts/lab up --wait=2 gives up (exit status 75)" 75 "$rc"
check_match "... after waiting about 2 s" '^[2-5]$' "$((SECONDS - start))"
check_eq "the first lab is still whole" "$$" "$(cat "$LAB_RUN_DIR/lock" 2>&1)"

# --- exec and status ------------------------------------------------------------

out=$("$LAB" exec in ip -br addr 2>&1)
check_match "scripts/lab exec in ip -br addr" \
	'^in0@if[0-9]+ +UP .*192\.0\.2\.11/24' "$out"
check_match "scripts/lab exec sipedge-out ..." '^out0@if[0-9]+ +UP' \
	"$("$LAB" exec sipedge-out ip -br link 2>&1)"
check_eq "scripts/lab exec passes the exit status on" 3 \
	"$("$LAB" exec dp sh -c 'exit 3'; echo $?)"
check_fails "scripts/lab exec with an unknown namespace fails" \
	"$LAB" exec nowhere true
check "scripts/lab status: a lab is up" "$LAB" status

# --- down ---------------------------------------------------------------------

check "scripts/lab down" "$LAB" down
check "down removed the namespaces and $LAB_RUN_DIR" lab_is_gone
out=$("$LAB" down 2>&1)
rc=$?
check_eq "a second scripts/lab down succeeds" 0 "$rc"
check_match "... doing nothing" 'no lab is up' "$out"
check_fails "scripts/lab status: no lab" "$LAB" status
check_fails "scripts/lab exec with no lab fails" "$LAB" exec in true
check "and leaves nothing behind" lab_is_gone

# --- races and remains ---------------------------------------------------------

# Two ups at once: exactly one wins, the other is refused.
"$LAB" up --no-daemon --owner $$ >"$TEST_TMP/up1" 2>&1 &
p1=$!
"$LAB" up --no-daemon --owner $$ >"$TEST_TMP/up2" 2>&1 &
p2=$!
rc1=0 rc2=0
wait "$p1" || rc1=$?
wait "$p2" || rc2=$?
check_eq "two concurrent ups: one builds the lab, one is refused" "0 75" \
	"$(printf '%s\n' "$rc1" "$rc2" | sort -n | xargs)"
check_match "... and the winner's lab is whole" 'lab: up' \
	"$("$LAB" status 2>&1)"
lab_down
check "... and goes down" lab_is_gone

# A lab whose owner has exited is taken down by the next up.
sleep 600 &
owner=$!
track "$owner"
check "up --owner PID" "$LAB" up --no-daemon --owner "$owner"
kill "$owner"
wait "$owner" 2>/dev/null
out=$("$LAB" up --no-daemon --owner $$ 2>&1)
rc=$?
check_eq "an up after the owner exited succeeds" 0 "$rc"
check_match "... taking the abandoned lab down first" \
	'taking down an abandoned lab: its owner, PID [0-9]+, has exited' "$out"
check_eq "... and the lab is now this test's" "$$" \
	"$(cat "$LAB_RUN_DIR/lock" 2>&1)"
lab_down

# A half-built lab (its up died) is taken down by the next up.
check "up" "$LAB" up --no-daemon --owner $$
rm -f "$LAB_RUN_DIR/ready"
out=$("$LAB" up --no-daemon --owner $$ 2>&1)
rc=$?
check_eq "an up over a half-built lab succeeds" 0 "$rc"
check_match "... taking the half-built lab down first" 'half-built' "$out"
lab_down

# Namespaces left without a lock: up refuses, down removes them.
ip netns add sipedge-dp
out=$("$LAB" up --no-daemon --owner $$ 2>&1)
rc=$?
check_eq "up refuses a left-over namespace without a lock" 1 "$rc"
check_match "... saying scripts/lab down removes it" 'scripts/lab down' "$out"
check "... and takes down nothing it did not build" test -e /run/netns/sipedge-dp
check "scripts/lab down removes the left-over namespace" "$LAB" down
check "nothing is left" lab_is_gone

tap_done
