#!/bin/sh
# lint_test.sh - scripts/lint as a TAP test.
echo "1..1"
if out=$("$top_srcdir/scripts/lint" 2>&1); then
	echo "ok 1 - lint clean"
else
	echo "$out" | sed 's/^/# /'
	echo "not ok 1 - lint"
fi
