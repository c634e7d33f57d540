#!/bin/sh
# SPDX-License-Identifier: MIT
# test_bad_inputs.sh - the bad-input corpus: every case of tests/data/bad/MANIFEST run through
# bpinv, with its exact exit status, a short message holding the expected fragment, no crash
# and no HDF5 error stack, nothing on stdout for a failure, existing outputs left unchanged and
# no output created by a failure. Files that must not be committed (a 100 MB line, a file of
# mode 000, truncated and edited HDF5 files, small nets) are made here first.
# usage: sh tests/cli/test_bad_inputs.sh PATH/TO/bpinv
#   SHOW=1 in the environment prints every case's exit status and message
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"
BAD=$(cd "$(dirname "$0")/../data/bad" && pwd)
MIN_CASES=50
PY=/usr/bin/python3

# --- fixtures --------------------------------------------------------------------------------
# fixture DESCRIPTION ARGS...: runs bpinv, which must succeed
fixture() {
    d=$1; shift
    setup "$@"
    [ "$rc" -eq 0 ] || bad "fixture $d: exit $rc: $(cat "$TMP/err")"
}
SAMPLES=$TMP/s.h5
NET=$TMP/net.h5
NETW=$TMP/netw.h5
NETMT=$TMP/netmt.h5
T="--epochs 2 --hidden 4 -j 1 -q"
fixture samples samples -m schlumberger --layers 3 --ab2 1:1000:15 --rho 1:1000 --thick 1:50 \
    --noise 0.03 -n 200 -j 1 -o "$SAMPLES" -q
fixture net train "$SAMPLES" -o "$NET" $T
fixture "wenner samples" samples -m wenner --layers 3 --a 1:200:10 --rho 1:1000 --thick 1:50 \
    -n 200 -j 1 -o "$TMP/w.h5" -q
fixture "wenner net" train "$TMP/w.h5" -o "$NETW" $T
fixture "mt samples" samples -m mt --layers 2 --period 0.01:1000:10 --rho 1:1000 --thick 10:5000 \
    -n 200 -j 1 -o "$TMP/mt.h5" -q
fixture "mt net" train "$TMP/mt.h5" -o "$NETMT" $T
fixture "narrow samples" samples -m schlumberger --layers 3 --ab2 1:10:8 --rho 1:1000 --thick 1:50 \
    -n 200 -j 1 -o "$TMP/narrow.h5" -q
fixture "narrow net" train "$TMP/narrow.h5" -o "$TMP/net_narrow.h5" $T
if [ "$fail" -gt 0 ]; then
    finish cli-bad-inputs
    exit 1
fi

head -c 3000 "$NET" >"$TMP/trunc_net.h5"
head -c "$(($(wc -c <"$SAMPLES") / 2))" "$SAMPLES" >"$TMP/trunc_samples.h5"
# one line of 100 MB (bigger than a sounding file may be) and a header with a 70 KB line
{ head -c 100000000 /dev/zero | tr '\0' '7'; echo ',1,x'; } >"$TMP/long_line.csv"
{ printf 'ab2_m,rho_a_ohmm,note\n1,100,short\n2,90,'; head -c 70000 /dev/zero | tr '\0' 'x'
    printf '\n4,80,short\n'; } >"$TMP/line_70k.csv"
cp "$BAD/schl_ok.csv" "$TMP/noread.csv"
chmod 000 "$TMP/noread.csv"
noread_skip=0
if cat "$TMP/noread.csv" >/dev/null 2>&1; then
    noread_skip=1
    echo "note: running as root (mode 000 does not stop reading): cases of noread.csv skipped;" \
        "the unreadable path case is covered by sounding_notdir" >&2
fi
mkdir "$TMP/emptydir"
printf 'source,name\nkeep me\n' >"$TMP/exists.csv"
printf '5 1 757\n10 1 513\n20 1 22x6\n30 1 188\n' >"$TMP/typo3.txt" # a typo in a headerless 3-column file
cp "$NETW" "$TMP/exists.h5"

have_py=0
if $PY -c "import h5py, numpy" 2>/dev/null; then
    have_py=1
    if ! PYTHONPATH="$(dirname "$0")" $PY - "$SAMPLES" "$NET" "$TMP" >"$TMP/py" 2>&1 <<'PYEOF'
import shutil, sys, h5py, numpy as np
from h5edit import edit, set_attr
samples, net, d = sys.argv[1:4]
# an HDF5 file of another program: h5py defaults, no bpinv attributes
with h5py.File(f"{d}/foreign.h5", "w") as f:
    f.attrs["title"] = "temperature log"
    f["depth_m"] = np.linspace(0, 100, 11)
    f["temperature_c"] = 10 + 0.03 * np.linspace(0, 100, 11)
edit(samples, f"{d}/s_nc0.h5", lambda f: set_attr(f, "n_complete", np.uint64(0)))
shutil.copy(f"{d}/s_nc0.h5", f"{d}/s_nc0_resume.h5")
edit(samples, f"{d}/s_ncbig.h5", lambda f: set_attr(f, "n_complete", np.uint64(10**6)))
edit(samples, f"{d}/s_dipole.h5", lambda f: set_attr(f, "method", "dipole"))
edit(net, f"{d}/net_dipole.h5", lambda f: set_attr(f, "method", "dipole"))
edit(samples, f"{d}/s_nan.h5", lambda f: f["data_noisy"].__setitem__((7, 3), np.nan))
def nodata(f):
    del f["data_noisy"]
edit(samples, f"{d}/s_nodata.h5", nodata)
# the method relabelled: a Schlumberger file that says it is Wenner
edit(samples, f"{d}/s_relabel.h5", lambda f: set_attr(f, "method", "wenner"))
edit(net, f"{d}/net_relabel.h5", lambda f: set_attr(f, "method", "wenner"))
edit(samples, f"{d}/s_layers0.h5", lambda f: set_attr(f, "n_layers", np.uint64(0)))
edit(samples, f"{d}/s_version9.h5", lambda f: set_attr(f, "format_version", np.uint64(9)))
edit(samples, f"{d}/s_fmtint.h5", lambda f: set_attr(f, "format", np.int64(1)))
edit(net, f"{d}/net_depth0.h5", lambda f: set_attr(f, "depth", np.uint64(0)))
edit(net, f"{d}/net_geomnan.h5", lambda f: f["geometry/ab2_m"].__setitem__(4, np.nan))
def geom0(f):
    del f["geometry/ab2_m"]
    f["geometry/ab2_m"] = np.zeros(0)
edit(samples, f"{d}/s_geom0.h5", geom0)
edit(samples, f"{d}/s_noisenan.h5", lambda f: set_attr(f, "noise", np.array([np.nan])))
edit(net, f"{d}/net_noise2.h5", lambda f: set_attr(f, "noise", np.array([2.0])))
def geomdup(f):
    a = f["geometry/ab2_m"][...]
    a[2] = a[1]
    f["geometry/ab2_m"][...] = a
edit(net, f"{d}/net_geomdup.h5", geomdup)
edit(net, f"{d}/net_filter.h5", lambda f: set_attr(f, "forward_filter", "nosuch"))
edit(net, f"{d}/net_v2.h5", lambda f: set_attr(f, "format_version", np.uint64(2)))
def outmean(f):
    a = f["normalisation/output_mean"][...]
    a[0] = 1e300
    f["normalisation/output_mean"][...] = a
edit(net, f"{d}/net_outmean.h5", outmean)
print("ok")
PYEOF
    then bad "h5py fixtures: $(cat "$TMP/py")"; fi
else
    echo "note: python3-h5py not installed; cases with h5py-made files skipped" >&2
fi

# --- the cases ----------------------------------------------------------------------------------
# trim S: S without leading and trailing blanks
trim() { printf '%s' "$1" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'; }
# output_of ARGS...: the path given to -o, if any
output_of() {
    o=
    while [ $# -gt 0 ]; do
        case $1 in -o | --output) o=$2; shift ;; esac
        shift
    done
    printf '%s' "$o"
}

cases=0
skipped=0
# Under valgrind (tests/valgrind/run.sh) a bpinv run costs a second or two of start-up: the
# cases that invert one file with a net run together, one bpinv run per net and exit
# status (1: a bad file, 0: one read as it should be), each file's message or row still
# looked for (grouped, below). The same code paths then run under memcheck in one process.
: >"$TMP/group"
set -f
while IFS='|' read -r name code frag args; do
    case $name in '#'* | '') continue ;; esac
    name=$(trim "$name")
    code=$(trim "$code")
    frag=$(trim "$frag")
    case $args in
    *noread*) if [ "$noread_skip" -eq 1 ]; then skipped=$((skipped + 1)); continue; fi ;;
    esac
    # a usage error (exit 2) is refused while the command line is parsed, before a file is
    # opened: under memcheck a second of start-up each for little, the sanitizers' run has
    # them
    if [ "$code" -eq 2 ] && [ -n "${BPINV_VALGRIND:-}" ]; then
        skipped=$((skipped + 1))
        continue
    fi
    case $args in
    *s_nc0.h5* | *s_nc0_resume.h5* | *s_ncbig.h5* | *dipole.h5* | *s_nan.h5* | *s_nodata.h5* | *foreign.h5* | \
        *relabel.h5* | *s_layers0.h5* | *s_version9.h5* | *s_fmtint.h5* | *net_depth0.h5* | \
        *net_geomnan.h5* | *s_geom0.h5* | *net_geomdup.h5* | *net_filter.h5* | *net_v2.h5* | \
        *net_outmean.h5*)
        if [ "$have_py" -eq 0 ]; then skipped=$((skipped + 1)); continue; fi ;;
    esac
    # expand the placeholders; arguments split at blanks
    args=$(printf '%s' "$args" | sed "s|\\\$BAD|$BAD|g; s|\\\$TMP|$TMP|g; s|\\\$SAMPLES|$SAMPLES|g;
        s|\\\$NETW|$NETW|g; s|\\\$NETMT|$NETMT|g; s|\\\$NET|$NET|g")
    # shellcheck disable=SC2086
    set -- $args
    if [ -n "${BPINV_VALGRIND:-}" ] && [ "$code" -le 1 ] && [ $# -eq 3 ] && [ "$1" = invert ] &&
        [ -f "$3" ]; then
        printf '%s|%s|%s|%s|%s\n' "$2" "$code" "$name" "$3" "$frag" >>"$TMP/group"
        cases=$((cases + 1))
        continue
    fi
    o=$(output_of "$@")
    sum=
    existed=0
    [ -n "$o" ] && [ -e "$o" ] && existed=1
    [ -n "$o" ] && [ -f "$o" ] && sum=$(cksum <"$o")
    cases=$((cases + 1))
    run "$@" </dev/null
    lines=$(wc -l <"$TMP/err")
    [ -n "${SHOW:-}" ] && printf '%-24s %s %s\n' "$name" "$rc" "$(head -c 300 "$TMP/err")" >&2
    if [ "$rc" -ne "$code" ]; then
        bad "$name: exit $rc, expected $code: $(head -c 600 "$TMP/err")"
    elif grep -qE 'Segmentation|HDF5-DIAG|Sanitizer|runtime error|Assertion|core dumped' "$TMP/err"; then
        bad "$name: a crash or an HDF5 error stack: $(head -c 600 "$TMP/err")"
    elif [ "$code" -ne 0 ] && ! grep -qF -- "$frag" "$TMP/err"; then
        bad "$name: stderr lacks '$frag': $(head -c 600 "$TMP/err")"
    elif [ "$code" -ne 0 ] && [ -s "$TMP/out" ]; then
        bad "$name: wrote to stdout on error: $(head -c 300 "$TMP/out")"
    elif [ "$code" -ne 0 ] && { [ "$lines" -lt 1 ] || [ "$lines" -gt 1 ]; }; then
        bad "$name: expected a one-line message, got $lines lines: $(head -c 600 "$TMP/err")"
    elif [ "$code" -eq 0 ] && [ -n "$frag" ] && ! grep -qF -- "$frag" "$TMP/out"; then
        bad "$name: stdout lacks '$frag': $(head -c 600 "$TMP/out") $(head -c 300 "$TMP/err")"
    elif [ -n "$sum" ] && [ "$code" -ne 0 ] && [ "$(cksum <"$o")" != "$sum" ]; then
        bad "$name: the existing $o was changed"
    elif [ -n "$o" ] && [ "$existed" -eq 0 ] && [ "$code" -ne 0 ] && [ -e "$o" ]; then
        bad "$name: a failed run created $o"
        rm -f "$o"
    else
        ok
    fi
done <"$BAD/MANIFEST"
set +f

# the grouped cases: one run per net and exit status, no crash; exit 1: every file's
# message on stderr, nothing on stdout; exit 0: every file's row on stdout
for ng in $(cut -d'|' -f1,2 "$TMP/group" | sort -u); do
    net=${ng%|*}
    want=${ng##*|}
    files=$(awk -F'|' -v n="$net" -v c="$want" '$1 == n && $2 == c { printf "%s ", $4 }' "$TMP/group")
    # shellcheck disable=SC2086
    run invert "$net" $files </dev/null
    if [ "$rc" -ne "$want" ]; then
        bad "grouped cases of $net: exit $rc, expected $want: $(head -c 600 "$TMP/err")"
    elif grep -qE 'Segmentation|HDF5-DIAG|Sanitizer|runtime error|Assertion|core dumped' "$TMP/err"; then
        bad "grouped cases of $net: a crash or an HDF5 error stack: $(head -c 600 "$TMP/err")"
    elif [ "$want" -eq 1 ] && [ -s "$TMP/out" ]; then
        bad "grouped cases of $net: wrote to stdout: $(head -c 300 "$TMP/out")"
    else
        ok
    fi
    while IFS='|' read -r n c name file frag; do
        [ "$n" = "$net" ] && [ "$c" = "$want" ] || continue
        if [ "$want" -eq 1 ]; then
            grep -qF -- "$frag" "$TMP/err" && ok || bad "$name (grouped): stderr lacks '$frag'"
        else
            grep -qF -- "$frag" "$TMP/out" && ok || bad "$name (grouped): stdout lacks '$frag'"
        fi
    done <"$TMP/group"
done

echo "bad inputs: $cases cases run, $skipped skipped"
[ "$cases" -ge "$MIN_CASES" ] && ok || bad "only $cases cases ran, expected at least $MIN_CASES"
ls "$TMP" | grep -q '\.tmp\.' && bad "temporary files left: $(ls "$TMP" | grep '\.tmp\.')" || ok
finish cli-bad-inputs
