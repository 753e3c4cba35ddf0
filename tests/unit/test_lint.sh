#!/usr/bin/env bash
# sipedgectl lint over the sample corpus: every valid file is ok, every
# invalid file fails for the reason tests/sip/invalid/EXPECTED names, and
# usage and I/O errors exit 2.
set -u
CTL=$1
SIPDIR=$2
fail=0
n=0
check() { # name, condition result
	n=$((n + 1))
	if [[ $2 == 0 ]]; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi
}

out=$("$CTL" lint "$SIPDIR"/valid/*.sip); rc=$?
check "valid corpus exits 0" $([[ $rc == 0 ]]; echo $?)
n_files=$(ls "$SIPDIR"/valid/*.sip | wc -l)
n_ok=$(grep -c ': ok$' <<<"$out")
check "every valid file prints ok ($n_ok/$n_files)" $([[ $n_ok == "$n_files" ]]; echo $?)

while read -r name want; do
	[[ -z $name || $name == \#* ]] && continue
	f=$SIPDIR/invalid/$name.sip
	json=$("$CTL" lint --json "$f"); rc=$?
	got=$(grep -o '"error_id":"[A-Z_]*"' <<<"$json" | cut -d'"' -f4)
	check "$name is invalid: $want (got $got, exit $rc)" \
		$([[ $rc == 1 && $got == "$want" ]]; echo $?)
	txt=$("$CTL" lint "$f")
	check "$name prints FILE: invalid: reason" \
		$([[ $txt == "$f: invalid: "* ]]; echo $?)
done < "$SIPDIR/invalid/EXPECTED"

"$CTL" lint "$SIPDIR"/valid/options.sip "$SIPDIR"/invalid/dup_cseq.sip >/dev/null; rc=$?
check "one invalid among valid files exits 1" $([[ $rc == 1 ]]; echo $?)
"$CTL" lint >/dev/null 2>&1; rc=$?
check "no file is a usage error (exit 2)" $([[ $rc == 2 ]]; echo $?)
"$CTL" lint --bogus x >/dev/null 2>&1; rc=$?
check "unknown option is a usage error (exit 2)" $([[ $rc == 2 ]]; echo $?)
"$CTL" lint /nonexistent/file.sip >/dev/null 2>&1; rc=$?
check "missing file is an I/O error (exit 2)" $([[ $rc == 2 ]]; echo $?)
json=$("$CTL" lint --json "$SIPDIR"/valid/subscribe.sip)
check "--json shows the parsed From tag" \
	$(grep -q '"tag":"1928301774"' <<<"$json"; echo $?)
check "--json shows the method and Request-URI" \
	$(grep -q '"method":"SUBSCRIBE","request_uri":"sip:alice@example.com"' <<<"$json"; echo $?)
python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' <<<"$("$CTL" lint --json "$SIPDIR"/valid/*.sip "$SIPDIR"/invalid/*.sip)" 2>/dev/null
check "--json output is valid JSON for every corpus file" $?
echo "1..$n"
exit $fail
