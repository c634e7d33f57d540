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
# the programs docs/install.md shows are these
awk '/^```c$/ { f = 1; n++; next } /^```$/ { f = 0 } f && n == 1' "$ROOT/docs/install.md" >"$TMP/doc.c"
cmp -s "$TMP/doc.c" "$ROOT/tests/install/example.c" && ok ||
    bad "docs/install.md's C example differs from tests/install/example.c"
awk '/^```c$/ { f = 1; n++; next } /^```$/ { f = 0 } f && n == 2' "$ROOT/docs/install.md" >"$TMP/doc2.c"
cmp -s "$TMP/doc2.c" "$ROOT/tests/install/invert.c" && ok ||
    bad "docs/install.md's second C example differs from tests/install/invert.c"

# --- inverting through the library (tests/install/invert.c): bpinv invert's CSV, in C and C++
"$P/bin/bpinv" samples -m schlumberger --layers 3 --ab2 1:1000:20 --rho 1:1000 --thick 1:100 \
    -n 3000 --noise 0.03 -o "$TMP/s.h5" -q &&
    "$P/bin/bpinv" train "$TMP/s.h5" -o "$TMP/net.h5" --epochs 3 --hidden 16 -q &&
    "$P/bin/bpinv" forward -m schlumberger --rho 50,500,20 --thick 5,40 --ab2 1:1000:20 \
        >"$TMP/v1.csv" && ok || bad "a net and a sounding for invert.c"
printf 'ab2_m,rho_a_ohmm\n1,100\n2,-5\n4,80\n' >"$TMP/v2.csv" # an item with an error
"$P/bin/bpinv" invert "$TMP/net.h5" "$TMP/v1.csv" "$TMP/v2.csv" >"$TMP/cli_inv.csv" 2>/dev/null
# every column but the time taken
no_time() {
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "time_ms") t = i }
        { s = ""; for (i = 1; i <= NF; i++) if (i != t) s = s "," $i; print s }' "$1"
}
no_time "$TMP/cli_inv.csv" >"$TMP/cli_inv.txt"
grep -q "^,.*v1.csv,v1.csv,schlumberger,3,[0-9]" "$TMP/cli_inv.txt" && grep -q "v2.csv,.*rho_a" \
    "$TMP/cli_inv.txt" && ok || bad "bpinv invert for invert.c: $(cat "$TMP/cli_inv.txt")"
for lang in c c++; do
    if [ $lang = c ]; then
        # shellcheck disable=SC2046 # word splitting of the flags is meant
        cc -std=c11 -Wall -Wextra -Werror "$ROOT/tests/install/invert.c" -o "$TMP/inv_$lang" \
            $(pkg-config --cflags --libs bpinv) -lgsl 2>"$TMP/cc.err" && ok ||
            bad "cc invert.c: $(cat "$TMP/cc.err")"
    elif command -v g++ >/dev/null 2>&1; then # the headers' extern "C"
        # shellcheck disable=SC2046
        g++ -x c++ -std=c++11 -Wall -Wextra -Werror "$ROOT/tests/install/invert.c" \
            -o "$TMP/inv_$lang" $(pkg-config --cflags --libs bpinv) -lgsl 2>"$TMP/cc.err" && ok ||
            bad "g++ invert.c: $(cat "$TMP/cc.err")"
    else
        echo "test_install: no g++: the headers not tried as C++" >&2
        continue
    fi
    LD_LIBRARY_PATH="$P/lib" "$TMP/inv_$lang" "$TMP/net.h5" "$TMP/v1.csv" "$TMP/v2.csv" \
        >"$TMP/lib_inv.csv" 2>"$TMP/lib_inv.err" && ok || bad "invert.c ($lang): $(cat "$TMP/lib_inv.err")"
    no_time "$TMP/lib_inv.csv" >"$TMP/lib_inv.txt"
    cmp -s "$TMP/lib_inv.txt" "$TMP/cli_inv.txt" && ok ||
        bad "invert.c ($lang) and bpinv invert differ: $(diff "$TMP/lib_inv.txt" "$TMP/cli_inv.txt")"
    grep -q "v1.csv: misfit [0-9.]* %, [0-9.e+]* ohm-m [0-9.e+]* m / .* ohm-m\$" "$TMP/lib_inv.err" &&
        grep -q "v2.csv: .*rho_a" "$TMP/lib_inv.err" && ok || bad "invert.c ($lang): $(cat "$TMP/lib_inv.err")"
done
# the headers' version is the library's
printf '#include <stdio.h>\n#include "forward/base/fwd_error.h"\nint main(void) { printf("%%d.%%d.%%d %%s\\n", BPINV_VERSION_MAJOR, BPINV_VERSION_MINOR, BPINV_VERSION_PATCH, fwd_version()); return 0; }\n' >"$TMP/ver.c"
# shellcheck disable=SC2046
V=$("$P/bin/bpinv" --version | cut -d' ' -f2)
cc -std=c11 "$TMP/ver.c" -o "$TMP/ver" $(pkg-config --cflags --libs bpinv) 2>"$TMP/cc.err" &&
    v=$(LD_LIBRARY_PATH="$P/lib" "$TMP/ver") && [ "$v" = "$V $V" ] && ok ||
    bad "BPINV_VERSION_* and fwd_version(): $v, bpinv --version: $("$P/bin/bpinv" --version) $(cat "$TMP/cc.err")"

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
