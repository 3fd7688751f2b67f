#!/bin/sh
# clang_test.sh - the daemon, protocol and simulator sources also compile
# under clang (which builds the fuzz targets), with the project's warnings
# as errors: syntax and semantics only, no objects.
echo "1..1"
if ! command -v clang >/dev/null 2>&1; then
	echo "not ok 1 - clang missing (scripts/deps installs it)"
	exit 0
fi
out=$(
	for f in "$top_srcdir"/protocol/*.c "$top_srcdir"/daemon/*.c \
		"$top_srcdir"/sim/*.c; do
		# shellcheck disable=SC2086
		clang -fsyntax-only -Werror -Wall -Wextra -Wshadow \
			-Wstrict-prototypes -Wmissing-prototypes \
			-Wno-unused-parameter -D_GNU_SOURCE \
			-I"$top_srcdir/include" -I"$top_builddir" \
			-I"$top_srcdir/sim" $TW_DEP_CFLAGS "$f" 2>&1
	done
)
if [ -z "$out" ]; then
	echo "ok 1 - clang compiles every source without a warning"
else
	echo "$out" | head -n 40 | sed 's/^/# /'
	echo "not ok 1 - clang"
fi
