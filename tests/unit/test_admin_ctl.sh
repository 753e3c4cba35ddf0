#!/usr/bin/env bash
# sipedgectl stats / call against no daemon (exit 2 and the message) and
# against test_admin_daemon (a stand-in serving known stats): output, exit
# codes 0 / 1 / 2, --socket and SIPEDGE_SOCKET.
set -u
CTL=$1
DAEMON=$2
fail=0
n=0
check() { # name, condition result
	n=$((n + 1))
	if [[ $2 == 0 ]]; then echo "ok $n - $1"; else echo "not ok $n - $1"; fail=1; fi
}

tmp=$(mktemp -d /tmp/test_admin_ctl.XXXXXX)
dpid=
cleanup() {
	[[ -n $dpid ]] && kill "$dpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- no daemon --------------------------------------------------------------
err=$("$CTL" --socket /nonexistent/x.sock stats 2>&1 >/dev/null); rc=$?
check "unreachable daemon exits 2 (got $rc)" $([[ $rc == 2 ]]; echo $?)
check "unreachable daemon message names the path and the reason" \
	$([[ $err == "sipedgectl: cannot reach sipedge at /nonexistent/x.sock: No such file or directory" ]]; echo $?)
err=$(SIPEDGE_SOCKET=/nonexistent/y.sock "$CTL" call help 2>&1 >/dev/null); rc=$?
check "SIPEDGE_SOCKET is honoured when --socket is absent" \
	$([[ $rc == 2 && $err == *"/nonexistent/y.sock:"* ]]; echo $?)
err=$(SIPEDGE_SOCKET=/nonexistent/y.sock "$CTL" --socket /nonexistent/z.sock call help 2>&1 >/dev/null)
check "--socket wins over SIPEDGE_SOCKET" \
	$([[ $err == *"/nonexistent/z.sock:"* ]]; echo $?)
"$CTL" stats --bogus >/dev/null 2>&1; rc=$?
check "unknown stats option is a usage error (exit 2)" $([[ $rc == 2 ]]; echo $?)
"$CTL" call >/dev/null 2>&1; rc=$?
check "call without a command is a usage error (exit 2)" $([[ $rc == 2 ]]; echo $?)

# --- a stand-in daemon -------------------------------------------------------
sock=$tmp/run/sipedge.sock
"$DAEMON" "$sock" "$tmp/ready" &
dpid=$!
for _ in $(seq 200); do [[ -e $tmp/ready ]] && break; sleep 0.05; done
check "stand-in daemon is up" $([[ -e $tmp/ready ]]; echo $?)

out=$("$CTL" --socket "$sock" stats); rc=$?
check "stats exits 0" $([[ $rc == 0 ]]; echo $?)
check "stats prints name value lines, gauges signed" \
	$([[ $out == $'dp_rx 12\ndp_drop_acl 3\npres_subscriptions -3' ]]; echo $?)
out=$("$CTL" --socket "$sock" stats dp_ --json); rc=$?
check "stats PREFIX --json prints the matching object" \
	$([[ $rc == 0 && $out == '{"dp_rx":12,"dp_drop_acl":3}' ]]; echo $?)
python3 -c 'import json,sys; json.loads(sys.stdin.read())' <<<"$("$CTL" --socket "$sock" stats --json --per-shard)" 2>/dev/null
check "stats --json --per-shard is valid JSON" $?
out=$("$CTL" --socket "$sock" stats --per-shard)
check "stats --per-shard has a column per shard" \
	$([[ $(head -n1 <<<"$out") == *"worker0  worker1  ctl0  total" ]]; echo $?)
out=$(SIPEDGE_SOCKET=$sock "$CTL" call help); rc=$?
check "call help lists the commands" \
	$([[ $rc == 0 && $out == *quit* && $out == *stats* ]]; echo $?)
err=$("$CTL" --socket "$sock" call fail 2>&1 >/dev/null); rc=$?
check "an error answer exits 1 with the error on stderr" \
	$([[ $rc == 1 && $err == "error: fail: as asked" ]]; echo $?)
"$CTL" --socket "$sock" call nosuch >/dev/null 2>&1; rc=$?
check "an unknown command exits 1" $([[ $rc == 1 ]]; echo $?)
out=$("$CTL" --socket "$sock" call quit); rc=$?
check "call quit exits 0 with the output" $([[ $rc == 0 && $out == bye ]]; echo $?)
wait "$dpid"; rc=$?
dpid=
check "stand-in daemon exits 0" $([[ $rc == 0 ]]; echo $?)
check "the socket file is gone after the daemon" $([[ ! -e $sock ]]; echo $?)
echo "1..$n"
exit $fail
