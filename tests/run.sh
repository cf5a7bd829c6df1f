#!/bin/sh
# SPDX-License-Identifier: ISC
# Run every test binary in DIR (unit tests first, then integration tests),
# each with a time limit, and end with one line: "N passed, N failed".
dir=${1:?usage: run.sh DIR}
passed=0 failed=0 broken=""
for t in "$dir"/test_* "$dir"/it_*; do
	case $t in *.o|*.d) continue ;; esac
	[ -x "$t" ] || continue
	name=$(basename "$t")
	echo "== $name"
	out=$(mktemp)
	start=$(date +%s)
	timeout -k 5 300 "$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	echo "== $name took $(($(date +%s) - start)) s"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s).*/\1/p' "$out" | tail -n 1)
	rm -f "$out"
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ -z "$f" ]; then
		# Crashed, timed out or a sanitizer fired before cmocka summed up.
		failed=$((failed + 1))
		broken="$broken $name(exit $rc)"
	fi
done
[ -n "$broken" ] && echo "broken:$broken"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
