#!/bin/sh
# SPDX-License-Identifier: MIT
# test_python.sh - the Python package (tools/python, docs/python.md): installed offline into a
# venv of Debian's python3 with its numpy, pytest and matplotlib (--system-site-packages),
# imported from outside the source tree, its pytest suite run against this bpinv and its
# libbpinv.so.0.1, and the example script run. The pytest counts are added to this script's.
# usage: sh tests/cli/test_python.sh PATH/TO/bpinv
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
PY=/usr/bin/python3

case $BPINV in /*) ;; *) BPINV=$(pwd)/$BPINV ;; esac
# the library beside the command (build/), or beside what a link to it points to (./bpinv)
# its soname: MAJOR.MINOR of the version before 1.0, MAJOR after (Makefile)
VER=$("$BPINV" --version | cut -d' ' -f2)
SOV=$(echo "$VER" | awk -F. '{ print ($1 == 0) ? $1 "." $2 : $1 }')
LIB=$(dirname "$BPINV")/libbpinv.so.$SOV
[ -f "$LIB" ] || LIB=$(dirname "$(readlink -f "$BPINV")")/libbpinv.so.$SOV
if [ ! -f "$LIB" ]; then
    bad "no libbpinv.so.$SOV beside $BPINV: build it with make"
    finish test_python
    exit
fi

if [ ! -x "$PY" ] || ! "$PY" -c 'import ensurepip, venv, numpy, pytest' >"$TMP/err" 2>&1; then
    bad "$PY lacks venv, numpy or pytest ($(tail -1 "$TMP/err")): make deps installs them" \
        "(python3-venv python3-numpy python3-pytest python3-matplotlib ...)"
    finish test_python
    exit
fi

# one version: the Makefile's (bpinv --version), the package's metadata and its module
grep -qx "version = \"$VER\"" "$ROOT/tools/python/pyproject.toml" && ok ||
    bad "tools/python/pyproject.toml: version is not bpinv's $VER"

# --- install: offline, from a copy (a build leaves build/ and *.egg-info beside the sources) --
VENV=$TMP/venv
cp -R "$ROOT/tools/python" "$TMP/src"
rm -rf "$TMP/src/build" "$TMP/src"/*.egg-info # what a pip install run in the tree left
if "$PY" -m venv --system-site-packages "$VENV" >"$TMP/err" 2>&1 &&
    "$VENV/bin/pip" install --no-build-isolation --no-index --no-cache-dir -q "$TMP/src" \
        >"$TMP/out" 2>"$TMP/err"; then
    ok
else
    bad "pip install ./tools/python: $(cat "$TMP/out" "$TMP/err")"
    finish test_python
    exit
fi
rm -rf "$TMP/src"

# --- import from outside the source tree: the installed package, this library -------------
cd "$TMP" || exit 2
out=$(BPINV_LIBRARY=$LIB "$VENV/bin/python" -c 'import bpinv
print(bpinv.__version__, bpinv.__file__, bpinv.library_path)' 2>&1)
case $out in
"$VER $VENV/"*"/site-packages/bpinv/__init__.py $LIB") ok ;;
*) bad "import bpinv from the venv: $out" ;;
esac
# a library that cannot be loaded: ImportError naming it and saying what to do
out=$(BPINV_LIBRARY=$TMP/nosuch.so.0 "$VENV/bin/python" -c 'import bpinv' 2>&1)
case $out in
*"ImportError: bpinv: cannot load the library named by BPINV_LIBRARY=$TMP/nosuch.so.0"*"make install"*)
    ok ;;
*) bad "import bpinv with a bad BPINV_LIBRARY: $out" ;;
esac
# found without BPINV_LIBRARY: through pkg-config's bpinv.pc, and by the loader
mkdir "$TMP/pc"
sed -e "s|@PREFIX@|$TMP|; s|@LIBDIR@|$(dirname "$LIB")|; s|@INCLUDEDIR@|$TMP|; s|@VERSION@|$VER|" \
    "$ROOT/tools/bpinv.pc.in" >"$TMP/pc/bpinv.pc"
if command -v pkg-config >/dev/null 2>&1; then
    out=$(unset BPINV_LIBRARY; PKG_CONFIG_PATH=$TMP/pc PKG_CONFIG_LIBDIR=$TMP/pc LD_LIBRARY_PATH= \
        "$VENV/bin/python" -c 'import bpinv; print(bpinv.library_path)' 2>&1)
    [ "$out" = "$(dirname "$LIB")/libbpinv.so.0.1" ] && ok || bad "found by pkg-config: $out"
fi
out=$(unset BPINV_LIBRARY; PKG_CONFIG_LIBDIR=$TMP/nosuch PKG_CONFIG_PATH= \
    LD_LIBRARY_PATH=$(dirname "$LIB") "$VENV/bin/python" -c \
    'import bpinv; print(bpinv.library_path)' 2>&1)
[ "$(readlink -f "$out")" = "$(readlink -f "$LIB")" ] && ok || bad "found by the loader: $out"
# the package needs nothing of the source tree: the library and numpy only
BPINV_LIBRARY=$LIB "$VENV/bin/python" -c 'import bpinv
r = bpinv.forward("mt", [100], [], [1, 10])
assert abs(r[1][0] - 45) < 1e-9 and abs(r[0][1] / 100 - 1) < 1e-6, r' >"$TMP/out" 2>&1 && ok ||
    bad "forward from the venv: $(cat "$TMP/out")"
cd "$ROOT" || exit 2

# --- the pytest suite ------------------------------------------------------------------------
t0=$(date +%s)
BPINV=$BPINV BPINV_LIBRARY=$LIB "$VENV/bin/python" -m pytest -q -p no:cacheprovider \
    --basetemp="$TMP/pytest-tmp" tools/python/tests >"$TMP/pytest" 2>&1
prc=$?
summary=$(tail -1 "$TMP/pytest")
# "2 failed, 78 passed, 1 skipped in 6.73s": the count before a word
count() {
    echo "$summary" | awk -v w="$1" '{ for (i = 2; i <= NF; i++) if ($i ~ "^" w) n += $(i - 1) }
                                     END { print n + 0 }'
}
np=$(count passed)
nf=$(count failed)
ne=$(count error)
pass=$((pass + np))
fail=$((fail + nf + ne))
echo "test_python: pytest: $summary ($(($(date +%s) - t0)) s)"
if [ "$prc" -ne 0 ]; then
    # the failures are counted above; a run that failed without any (a usage error, a crash
    # in collection) counts as one
    [ $((nf + ne)) -gt 0 ] || bad "pytest tools/python/tests: exit $prc"
    tail -60 "$TMP/pytest" >&2
fi

# --- the example script: a real sounding inverted and plotted ------------------------------
setup samples -m schlumberger --layers 3 --ab2 1:1000:20 --rho 1:1000 --thick 1:50 --noise 0.03 \
    -n 8000 -o "$TMP/s.h5" -q
setup train "$TMP/s.h5" -o "$TMP/net.h5" --epochs 30 --hidden 32 -q
if MPLBACKEND=Agg BPINV_LIBRARY=$LIB "$VENV/bin/python" tools/python/examples/invert_sounding.py \
    "$TMP/net.h5" docs/examples/mawlamyine_loc3_schlumberger.csv -o "$TMP/maw.png" \
    >"$TMP/out" 2>"$TMP/err" && [ -s "$TMP/maw.png" ] &&
    [ "$(head -c 4 "$TMP/maw.png" | od -An -c | tr -d ' \n')" = '211PNG' ] &&
    grep -q "segment_jump" "$TMP/out"; then
    ok
else
    bad "examples/invert_sounding.py: $(cat "$TMP/out" "$TMP/err")"
fi

finish test_python
