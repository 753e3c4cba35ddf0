#!/usr/bin/env bash
# `sipedge --check-config`: the embedded default passes; a bad file is
# refused with FILE:LINE:COL and exit 1; the daemon refuses to start on it.
set -u
SIPEDGE=$1
n=0 fail=0
check() {
	n=$((n + 1))
	if [[ $2 == 0 ]]; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi
}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

out=$("$SIPEDGE" --check-config 2>&1); rc=$?
check "embedded default is valid (exit $rc: $out)" $([[ $rc == 0 && $out == "<embedded>: ok" ]]; echo $?)

"$SIPEDGE" --print-default-config > "$dir/default.yaml"
out=$("$SIPEDGE" --check-config --config "$dir/default.yaml" 2>&1); rc=$?
check "printed default config checks ok as a file" $([[ $rc == 0 ]]; echo $?)

sed 's/^  min_expires: 60 /  min_expires: 0 /' "$dir/default.yaml" > "$dir/range.yaml"
line=$(grep -n '^  min_expires: 0 ' "$dir/range.yaml" | cut -d: -f1)
out=$("$SIPEDGE" --check-config --config "$dir/range.yaml" 2>&1); rc=$?
check "out-of-range value: exit 1 and $dir/range.yaml:$line: (got: $out)" \
	$([[ $rc == 1 && $out == *"range.yaml:$line:"*"presence.min_expires"* ]]; echo $?)

printf 'admin: { socket: /run/s.sock }\nstate_dir: /x\ndomains:\n  local: [example.com]\n  colour: blue\n' > "$dir/unknown.yaml"
sed -n '/^dataplane:/,/^state_dir:/p' "$dir/default.yaml" | grep -v '^state_dir:' >> "$dir/unknown.yaml"
out=$("$SIPEDGE" --check-config --config "$dir/unknown.yaml" 2>&1); rc=$?
check "unknown key: exit 1 at line 5 (got: $out)" \
	$([[ $rc == 1 && $out == *"unknown.yaml:5:"*"colour"* ]]; echo $?)

out=$("$SIPEDGE" --config "$dir/unknown.yaml" 2>&1); rc=$?
check "the daemon refuses to start on a bad config" $([[ $rc == 1 && $out == *"unknown.yaml:5:"* ]]; echo $?)

out=$("$SIPEDGE" --check-config --config "$dir/missing.yaml" 2>&1); rc=$?
check "missing file: exit 1 naming the file" $([[ $rc == 1 && $out == *"missing.yaml"* ]]; echo $?)

"$SIPEDGE" --bogus >/dev/null 2>&1; rc=$?
check "unknown option: exit 2" $([[ $rc == 2 ]]; echo $?)
echo "1..$n"
exit $fail
