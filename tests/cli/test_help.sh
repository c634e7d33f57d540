#!/bin/sh
# SPDX-License-Identifier: MIT
# test_help.sh - every subcommand's --help agrees with its guide in docs/: each long option
# the help lists is documented there, and each option the guide's table lists is in the help.
# usage: sh tests/cli/test_help.sh PATH/TO/bpinv
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"

for c in forward samples train invert; do
    run "$c" --help
    [ "$rc" -eq 0 ] && ok || bad "$c --help: exit $rc"
    grep -o -- '--[a-z][a-z0-9-]*' "$TMP/out" | sort -u | grep -v -x -- '--help' >"$TMP/help.$c"
    while read -r o; do
        grep -q -- "\`$o\`\|\`$o \|$o " "docs/$c.md" && ok || bad "$c: $o is in --help but not in docs/$c.md"
    done <"$TMP/help.$c"
    # the options of the guide's tables (rows starting with | `--x`)
    grep -o -- '^| `--[a-z][a-z0-9-]*`\|^| `-[a-z]`, `--[a-z][a-z0-9-]*`' "docs/$c.md" |
        grep -o -- "--[a-z][a-z0-9-]*" | grep -v -x -- "--help" | sort -u >"$TMP/doc.$c"
    while read -r o; do
        grep -q -x -- "$o" "$TMP/help.$c" && ok || bad "$c: $o is in docs/$c.md but not in --help"
    done <"$TMP/doc.$c"
done
run --version
grep -qx "bpinv [0-9.]*" "$TMP/out" && ok || bad "--version: $(cat "$TMP/out")"
run help
for c in forward samples train invert info; do
    grep -q "^  $c " "$TMP/out" && ok || bad "bpinv help does not list $c"
done
finish cli-help
