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
# bpinv help COMMAND is the command's --help; a bad help request is a usage error
for c in forward samples train invert info; do
    "$BPINV" "$c" --help >"$TMP/a" 2>&1
    run help "$c"
    [ "$rc" -eq 0 ] && cmp -s "$TMP/a" "$TMP/out" && ok || bad "help $c differs from $c --help"
done
expect_fail 2 "help of an unknown command" 'bpinv help: unknown command "nosuch"' help nosuch
expect_fail 2 "help of two commands" "bpinv help: expected one command, got 2 words" help train info
expect_fail 2 "--version with more" 'bpinv: --version: unexpected argument "extra"' --version extra
# BPINV_HUGE_PAGES other than 0 or 1 (no, off) did not turn huge pages off: refused
BPINV_HUGE_PAGES=no "$BPINV" --version >"$TMP/out" 2>"$TMP/err"
[ $? -eq 2 ] && grep -q 'bpinv: BPINV_HUGE_PAGES: expected 0 (off) or 1, got "no"' "$TMP/err" &&
    [ ! -s "$TMP/out" ] && ok || bad "BPINV_HUGE_PAGES=no: $(cat "$TMP/err")"
BPINV_HUGE_PAGES=0 "$BPINV" --version >"$TMP/out" 2>&1 && ok || bad "BPINV_HUGE_PAGES=0 refused"
# the manual page and the completion come from the same tables (tests/cli/test_install.sh
# checks them installed): every command's section, and its long options
run help --man
[ "$rc" -eq 0 ] && head -2 "$TMP/out" | grep -q '^\.TH BPINV 1 ' && ok || bad "help --man: $(head -2 "$TMP/out")"
for c in forward samples train invert info; do
    grep -q "^\.SS \"bpinv $c\"$" "$TMP/out" && ok || bad "help --man: no section for $c"
done
run help --bash-completion
[ "$rc" -eq 0 ] && grep -q '^complete -o filenames -F _bpinv bpinv$' "$TMP/out" && ok ||
    bad "help --bash-completion: $(tail -1 "$TMP/out")"
grep -q '^    invert) opts=".*--ranges.*--layers' "$TMP/out" && ok || bad "completion lacks invert's options"
if command -v bash >/dev/null 2>&1; then
    bash -n "$TMP/out" && ok || bad "the completion script is not valid bash"
fi
# the method names the usage lines write out by hand are the table's (fwd_method_list, as
# the message of an unknown method gives them): a method added to the table is listed
run forward -m no-such-method
methods=$(sed -n 's/.*method: expected \(.*\), got "no-such-method".*/\1/p' "$TMP/err" | head -1 |
    sed 's/,/ /g; s/ or / /')
[ "$(echo "$methods" | wc -w)" -ge 3 ] && ok || bad "no method list in: $(cat "$TMP/err")"
"$BPINV" forward --help >"$TMP/h.forward" 2>&1
"$BPINV" samples --help >"$TMP/h.samples" 2>&1
"$BPINV" help >"$TMP/h.top" 2>&1
for m in $methods; do
    for h in forward samples top; do
        grep -qw -- "$m" "$TMP/h.$h" && ok || bad "the $h help does not name the method $m"
    done
done
finish cli-help
