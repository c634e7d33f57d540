#!/bin/sh
# SPDX-License-Identifier: MIT
# test_install.sh - make install into a temporary prefix, then use what it installed: a C
# program built with pkg-config against libbpinv.so (tests/install/example.c) gives what
# bpinv forward gives; the installed bpinv runs; the manual page renders and lists every
# option of every command's --help; the bash completion completes commands, options and
# methods; DESTDIR stages the same files; make uninstall removes them all.
# usage: sh tests/cli/test_install.sh PATH/TO/bpinv   (the bpinv of build/: make install's)
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
P="$TMP/prefix"

# make install builds nothing here: the tree is built (make test builds it first), so that it
# never relinks what the scripts running beside this one are using
SOV=$(make -s -C "$ROOT" --no-print-directory print-soversion 2>/dev/null)
[ -n "$SOV" ] || bad "make print-soversion printed nothing"
if ! make -q --no-print-directory -C "$ROOT" build/bpinv "build/libbpinv.so.$("$BPINV" --version | cut -d' ' -f2)" \
    build/bpinv.1 build/bpinv.bash; then
    bad "the tree is not built (make first): make install would build it"
    finish test_install
    exit
fi
make -s -C "$ROOT" install PREFIX="$P" >"$TMP/make.out" 2>&1 && ok ||
    bad "make install: $(tail -5 "$TMP/make.out")"
for f in bin/bpinv "lib/libbpinv.so.$SOV" lib/libbpinv.so lib/pkgconfig/bpinv.pc \
    include/bpinv/forward/fwd_forward.h include/bpinv/invnet/invert/invnet_batch.h \
    include/bpinv/forward/base/fwd_error.h share/man/man1/bpinv.1 \
    share/bash-completion/completions/bpinv share/doc/bpinv/LICENSE share/doc/bpinv/docs/invert.md \
    share/doc/bpinv/docs/examples/penola_site3.edi share/doc/bpinv/docs/img/demo_penola_mt.png; do
    [ -e "$P/$f" ] && ok || bad "not installed: $f"
done
[ ! -e "$P/include/bpinv/forward/fwd_internal.h" ] && ok || bad "an internal header installed"
# the soname, and only the public prefixes exported
objdump -p "$P/lib/libbpinv.so.$SOV" 2>/dev/null | grep -q "SONAME *libbpinv.so.$SOV\$" && ok ||
    bad "soname: $(objdump -p "$P/lib/libbpinv.so.$SOV" | grep SONAME)"
if command -v nm >/dev/null 2>&1; then
    other=$(nm -D --defined-only "$P/lib/libbpinv.so.$SOV" | awk '$2 ~ /^[TDBR]$/ {print $3}' |
        grep -v '^fwd_\|^smp_\|^invnet_' | head -3)
    [ -z "$other" ] && ok || bad "exported beyond the API: $other"
    # and each of them declared in an installed header (libfwd's internal ones are hidden)
    undeclared=$(nm -D --defined-only "$P/lib/libbpinv.so.$SOV" | awk '$2 ~ /^[TDBR]$/ {print $3}' |
        sed 's/@.*//' | sort -u | while read -r f; do
            grep -rqw -- "$f" "$P/include/bpinv" || echo "$f"
        done | head -3)
    [ -z "$undeclared" ] && ok || bad "exported, in no installed header: $undeclared"
fi

# --- a C program against the installed library, with pkg-config ----------------------------
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
pkg-config --exists bpinv && ok || bad "pkg-config does not find bpinv.pc"
[ "$(pkg-config --modversion bpinv)" = "$("$P/bin/bpinv" --version | cut -d' ' -f2)" ] && ok ||
    bad "bpinv.pc version $(pkg-config --modversion bpinv)"
# shellcheck disable=SC2046 # word splitting of the flags is meant
cc -std=c11 -Wall -Wextra -Werror "$ROOT/tests/install/example.c" -o "$TMP/example" \
    $(pkg-config --cflags --libs bpinv) -lm 2>"$TMP/cc.err" && ok ||
    bad "cc with pkg-config: $(cat "$TMP/cc.err")"
LD_LIBRARY_PATH="$P/lib" "$TMP/example" >"$TMP/ex.csv" 2>"$TMP/ex.err" && ok ||
    bad "example: $(cat "$TMP/ex.err")"
"$P/bin/bpinv" forward -m schlumberger --rho 100,10,1000 --thick 5,20 --ab2 1:1000:13 \
    >"$TMP/cli.csv" && ok || bad "installed bpinv forward"
paste -d, "$TMP/ex.csv" "$TMP/cli.csv" | awk -F, 'NR == 1 { next }
    { d = $2 - $4; if (d < 0) d = -d; if ($1 != $3 || d > 1e-10 * $4) bad++; n++ }
    END { exit !(n == 13 && bad == 0) }' && ok ||
    bad "example and bpinv forward differ: $(paste -d' ' "$TMP/ex.csv" "$TMP/cli.csv")"
grep -qx "field: rho_a_ohmm\[1\]: expected a finite number > 0, got -3" "$TMP/ex.err" && ok ||
    bad "example's error message: $(cat "$TMP/ex.err")"
# the program docs/install.md shows is this one
awk '/^```c$/ { f = 1; next } /^```$/ { f = 0 } f' "$ROOT/docs/install.md" >"$TMP/doc.c"
cmp -s "$TMP/doc.c" "$ROOT/tests/install/example.c" && ok ||
    bad "docs/install.md's C example differs from tests/install/example.c"

# --- the manual page: renders, and holds every option of every command ----------------------
MANWIDTH=100 man -l "$P/share/man/man1/bpinv.1" >"$TMP/man.txt" 2>"$TMP/man.err" && ok ||
    bad "man -l: $(cat "$TMP/man.err")"
[ ! -s "$TMP/man.err" ] && ok || bad "man -l warns: $(cat "$TMP/man.err")"
for c in forward samples train invert info; do
    grep -q "^   bpinv $c\$" "$TMP/man.txt" && ok || bad "no section for $c in the manual page"
    "$P/bin/bpinv" help "$c" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u >"$TMP/opts"
    [ -s "$TMP/opts" ] || [ "$c" = info ] || bad "bpinv help $c lists no option"
    while read -r o; do
        grep -q -- "$o" "$TMP/man.txt" && ok || bad "$c $o: in --help, not in the manual page"
    done <"$TMP/opts"
done

# --- bash completion -----------------------------------------------------------------------
if command -v bash >/dev/null 2>&1; then
    comp() { # comp WORD... : what completing the last word offers
        bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _bpinv
                 printf "%s\n" "${COMPREPLY[@]}"' sh \
            "$P/share/bash-completion/completions/bpinv" "$@" | sort | tr '\n' ' '
    }
    [ "$(comp bpinv in)" = "info invert " ] && ok || bad "complete 'bpinv in': $(comp bpinv in)"
    [ "$(comp bpinv invert --ran)" = "--ranges " ] && ok ||
        bad "complete 'invert --ran': $(comp bpinv invert --ran)"
    [ "$(comp bpinv forward -m "")" = "mt schlumberger wenner " ] && ok ||
        bad "complete 'forward -m': $(comp bpinv forward -m "")"
    [ "$(comp bpinv help tr)" = "train " ] && ok || bad "complete 'help tr': $(comp bpinv help tr)"
    [ "$(comp bpinv forward --filter "")" = "key201 shared " ] && ok ||
        bad "complete 'forward --filter': $(comp bpinv forward --filter "")"
    [ "$(comp bpinv train --optimizer "")" = "adam sgd " ] && ok ||
        bad "complete 'train --optimizer': $(comp bpinv train --optimizer "")"
fi

# --- DESTDIR stages the same tree; uninstall removes everything ----------------------------
make -s -C "$ROOT" install PREFIX=/opt/bpinv DESTDIR="$TMP/stage" >"$TMP/make.out" 2>&1 && ok ||
    bad "make install DESTDIR: $(tail -5 "$TMP/make.out")"
grep -q "^prefix=/opt/bpinv$" "$TMP/stage/opt/bpinv/lib/pkgconfig/bpinv.pc" && ok ||
    bad "staged bpinv.pc: $(head -2 "$TMP/stage/opt/bpinv/lib/pkgconfig/bpinv.pc")"
[ "$(cd "$P" && find . ! -type d | sort)" = "$(cd "$TMP/stage/opt/bpinv" && find . ! -type d | sort)" ] &&
    ok || bad "DESTDIR staged another set of files"
make -s -C "$ROOT" uninstall PREFIX="$P" >"$TMP/make.out" 2>&1 && ok ||
    bad "make uninstall: $(tail -5 "$TMP/make.out")"
left=$(find "$P" ! -type d)
[ -z "$left" ] && ok || bad "left after uninstall: $left"

finish test_install
