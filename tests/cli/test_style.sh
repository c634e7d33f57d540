#!/bin/sh
# SPDX-License-Identifier: MIT
# test_style.sh - docs/dev/style.md's rule on length, checked: no function of the libraries
# or tools/ longer than about 120 lines (MAX below) without its reason written in the
# comment above it (a comment that names style.md). Each function over it is named by file,
# line and length.
# usage: sh tests/cli/test_style.sh [PATH/TO/bpinv]  (bpinv is not run)
BPINV=${1:-build/bpinv}
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MAX=125 # "about 120"

# long FILE: the functions of FILE (a definition's name at a line's start, its body to the
# first "}" at a line's start) over MAX lines whose comment above does not name style.md
long() {
    awk -v F="$1" -v max=$MAX '
        /^\/\*/ { cmt = ""; incmt = 1 }
        incmt { cmt = cmt $0 }
        incmt && /\*\// { incmt = 0; last = FNR }
        /^[a-z_][a-z_0-9]*\(/ { name = $1; sub(/\(.*/, "", name); start = FNR
                                why = (FNR - last <= 3 && cmt ~ /style\.md/) }
        /^}/ { if (start && FNR - start > max && !why)
                   printf "%s:%d: %s is %d lines, no reason above it\n", F, start, name, FNR - start
               start = 0 }' "$ROOT/$1"
}

: >"$TMP/long"
n=0
for f in $(cd "$ROOT" && find forward samples invnet tools -name '*.c' | sort); do
    long "$f" >>"$TMP/long"
    n=$((n + 1))
done
[ "$n" -gt 40 ] && ok || bad "only $n sources found under $ROOT"
[ ! -s "$TMP/long" ] && ok || bad "functions over $MAX lines: $(cat "$TMP/long")"

# the check itself, on a function of MAX + 10 lines, with and without its reason
mkdir -p "$TMP/tree"
{
    echo "/* a function */"
    echo "static int"
    echo "f(void)"
    echo "{"
    i=0
    while [ $i -lt $((MAX + 10)) ]; do
        echo "    x();"
        i=$((i + 1))
    done
    echo "}"
} >"$TMP/tree/a.c"
sed 's|^/\* a function \*/|/* a function, long: style.md allows it here */|' "$TMP/tree/a.c" >"$TMP/tree/b.c"
ROOT_SAVE=$ROOT
ROOT=$TMP/tree
[ -n "$(long a.c)" ] && ok || bad "a function of $((MAX + 10)) lines was not found"
[ -z "$(long b.c)" ] && ok || bad "a long function with its reason was refused: $(long b.c)"
ROOT=$ROOT_SAVE
finish cli-style
