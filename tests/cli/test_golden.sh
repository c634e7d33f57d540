#!/bin/sh
# SPDX-License-Identifier: MIT
# test_golden.sh - the layout of the samples and net files (docs/formats.md) is what
# tests/golden/ holds: `h5dump -H` (groups, datasets, attributes, types and shapes, no
# values) of files made by fixed commands. A change of layout is a change of file format:
# it must be deliberate, and comes with a new format_version and docs/formats.md.
# usage: sh tests/cli/test_golden.sh PATH/TO/bpinv
#   UPDATE=1 in the environment rewrites the golden files from this binary (then review the
#   diff with git before committing it)
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"
GOLDEN=$(cd "$(dirname "$0")/../golden" && pwd)

if ! command -v h5dump >/dev/null 2>&1; then
    bad "h5dump not found (Debian package hdf5-tools; make check installs it)"
    finish cli-golden
    exit 1
fi

# golden NAME FILE: compares h5dump -H of FILE (its own name masked) with GOLDEN/NAME
golden() {
    h5dump -H "$2" | sed "1s|.*|HDF5 \"FILE\" {|" >"$TMP/$1"
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$TMP/$1" "$GOLDEN/$1"
        echo "updated tests/golden/$1"
    fi
    if diff -u "$GOLDEN/$1" "$TMP/$1" >"$TMP/diff"; then
        ok
    else
        bad "$1: the layout differs from tests/golden/$1:"
        head -40 "$TMP/diff" >&2
    fi
}

setup samples -m schlumberger --layers 3 --ab2 2:200:12 --mn2 0.5 --rho 1:1000 --thick 1:50 \
    --noise 0.03 -n 300 -j 1 -q -o "$TMP/schl.h5"
[ "$rc" -eq 0 ] && ok || bad "schlumberger samples: exit $rc: $(cat "$TMP/err")"
golden samples_schlumberger_mn2.h5dump "$TMP/schl.h5"

setup samples -m mt --layers 2 --period 0.01:100:9 --rho 1:1000 --thick 10:5000 -n 300 -j 1 \
    -q -o "$TMP/mt.h5"
[ "$rc" -eq 0 ] && ok || bad "mt samples: exit $rc: $(cat "$TMP/err")"
golden samples_mt.h5dump "$TMP/mt.h5"

setup train "$TMP/schl.h5" -o "$TMP/net.h5" --epochs 3 --hidden 8 -j 1 -q
[ "$rc" -eq 0 ] && ok || bad "train: exit $rc: $(cat "$TMP/err")"
golden net_schlumberger_mn2.h5dump "$TMP/net.h5"
finish cli-golden
