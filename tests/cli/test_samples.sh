#!/bin/sh
# SPDX-License-Identifier: MIT
# test_samples.sh - command-line tests of `bpinv samples` and `bpinv info`: thread
# invariance, the file layout read from Python, interruption and --resume, refusal to
# overwrite, and every bad argument.
# usage: sh tests/cli/test_samples.sh PATH/TO/bpinv
BPINV=${1:-./bpinv}
. "$(dirname "$0")/lib.sh"

S="samples -m schlumberger --layers 3 --ab2 1:1000:30 --rho 1:1000 --thick 1:50 --noise 0.03"

# --- same file for any thread count -----------------------------------------------------
# (-j 1 and 4 by setup: under valgrind, plain; the -j 2 run, last, is the one checked there)
for j in 1 4 2; do
    if [ $j -eq 2 ]; then
        run $S -n 5000 --batch 1500 -j $j -o "$TMP/j$j.h5"
    else
        setup $S -n 5000 --batch 1500 -j $j -o "$TMP/j$j.h5"
    fi
    [ "$rc" -eq 0 ] && ok || bad "-j $j: exit $rc: $(cat "$TMP/err")"
done
h5diff "$TMP/j1.h5" "$TMP/j2.h5" >/dev/null && ok || bad "-j1 and -j2 differ"
h5diff "$TMP/j1.h5" "$TMP/j4.h5" >/dev/null && ok || bad "-j1 and -j4 differ"
[ ! -s "$TMP/err" ] && ok || bad "stderr not silent when not a terminal: $(cat "$TMP/err")"

# --- info --------------------------------------------------------------------------------
run info "$TMP/j1.h5"
[ "$rc" -eq 0 ] && ok || bad "info: exit $rc"
for frag in "bpinv samples file" "schlumberger" "30 points, ab2_m 1 .. 1000" "layer 3: rho 1 .. 1000 ohm-m (half-space)" \
    "5000 of 5000 complete" "seed        42" "noise       0.03"; do
    grep -qF "$frag" "$TMP/out" && ok || bad "info lacks '$frag': $(cat "$TMP/out")"
done
expect_fail 1 "info of a text file" "not an HDF5 file" info "$0"
expect_fail 1 "info of a missing file" "no such file" info "$TMP/none.h5"
expect_fail 2 "info without a file" "expected one file" info
expect_fail 2 "info with an option" 'unknown option "-q"' info -q

# --- the layout docs/formats.md promises, read with h5py ----------------------------------
PY=/usr/bin/python3
if $PY -c "import h5py" 2>/dev/null; then
    if $PY - "$TMP/j1.h5" >"$TMP/py" 2>&1 <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
a = f.attrs
assert a["format"] == "bpinv-samples", a["format"]
assert a["method"] == "schlumberger" and a["n_layers"] == 3 and a["seed"] == 42
assert a["n_complete"] == 5000 and abs(a["noise"] - 0.03) < 1e-15
ab2 = f["geometry/ab2_m"][:]
assert ab2.shape == (30,) and ab2[0] == 1 and ab2[-1] == 1000
assert f["geometry/ab2_m"].attrs["units"] == "m"
m = f["models"]
assert m.shape == (5000, 5) and list(m.attrs["columns"])[:2] == ["rho_1_ohmm", "rho_2_ohmm"]
assert list(m.attrs["units"]) == ["ohm-m"] * 3 + ["m"] * 2
assert (m[:, :3] >= 1).all() and (m[:, :3] <= 1000).all() and (m[:, 3:] <= 50).all()
d = f["data_noisy"]
assert d.shape == (5000, 30) and d.attrs["columns"][0] == "rho_a_ohmm(ab2_m=1)"
r = np.log(f["data_noisy"][:] / f["data_clean"][:])
assert abs(r.std() - 0.03) < 0.001, r.std()
print("ok")
PYEOF
    then ok; else bad "h5py reading: $(cat "$TMP/py")"; fi
else
    echo "note: python3-h5py not installed; h5py layout check skipped" >&2
fi

# --- nothing overwritten without --force; --force replaces ----------------------------------
cksum "$TMP/j2.h5" >"$TMP/sum1"
expect_fail 1 "existing file" "exists; not overwritten (use --force" $S -n 100 -o "$TMP/j2.h5"
cksum "$TMP/j2.h5" | cmp -s - "$TMP/sum1" && ok || bad "existing file was modified"
run $S -n 100 -o "$TMP/j2.h5" --force
[ "$rc" -eq 0 ] && "$BPINV" info "$TMP/j2.h5" | grep -q "100 of 100" && ok || bad "--force"
expect_fail 1 "missing directory" "cannot create the file" $S -n 10 -o "$TMP/no/dir/x.h5"

# thousands of points: column names pass HDF5's 64 KiB compact-attribute limit
# (not under valgrind, where its 1024-row chunks of 10,000 values take minutes)
if [ -z "$BPINV_VALGRIND" ]; then
    run samples -m mt --layers 2 --period 1e-3:1e3:5000 --rho 1:100 --thick 1:100 -n 20 -o "$TMP/wide.h5"
    [ "$rc" -eq 0 ] && "$BPINV" info "$TMP/wide.h5" | grep -q "20 of 20 complete" && ok || bad "5000 periods: exit $rc: $(cat "$TMP/err")"
fi

# --- interrupt, then --resume gives the uninterrupted file ----------------------------------
# (valgrind runs bpinv some 50 times slower: fewer samples last as long)
NR=300000
[ -n "$BPINV_VALGRIND" ] && NR=10000
R="samples -m schlumberger --layers 2 --ab2 1:100:10 --rho 1:100 --thick 1:20 --noise 0.05 -n $NR --batch 1024 -j 1"
"$BPINV" $R -o "$TMP/whole.h5" 2>/dev/null
# interrupt SIGNAL FILE: starts run $R into FILE, sends SIGNAL 0.3 s after FILE appears
# (or after 60 s), leaves $rc
interrupt() {
    env --default-signal=INT "$BPINV" $R -o "$2" 2>"$TMP/err" & # SIGINT not ignored (lib.sh)
    pid=$!
    i=0
    while [ ! -e "$2" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
    sleep 0.3
    kill -"$1" $pid 2>/dev/null
    reap $pid
}
interrupt INT "$TMP/cut.h5"
if [ "$rc" -eq 0 ]; then
    echo "note: the run finished before SIGINT; interruption not exercised" >&2
else
    [ "$rc" -eq 130 ] && ok || bad "SIGINT: exit $rc, expected 130"
    grep -q "interrupted: .* holds [0-9]* of $NR samples; continue with --resume" "$TMP/err" && ok ||
        bad "SIGINT message: $(cat "$TMP/err")"
    "$BPINV" info "$TMP/cut.h5" | grep -q "(interrupted: continue with --resume)" && ok || bad "info of an interrupted file"
    expect_fail 1 "resume with other arguments" "seed (--seed) differs" $R --seed 5 -o "$TMP/cut.h5" --resume
    run $R -o "$TMP/cut.h5" --resume
    [ "$rc" -eq 0 ] && ok || bad "--resume: exit $rc: $(cat "$TMP/err")"
    h5diff "$TMP/whole.h5" "$TMP/cut.h5" >/dev/null && ok || bad "interrupted + resumed differs from one run"
fi

# --resume of a file another program rewrote (/models made contiguous by h5repack): refused
# before any dataset is trimmed, the file left as it was
run samples -m wenner --layers 2 --a 1:100:10 --rho 1:100 --thick 1:20 -n 3000 -o "$TMP/rw0.h5"
h5repack -l /models:CONTI "$TMP/rw0.h5" "$TMP/rw.h5" && ok || bad "h5repack"
cp "$TMP/rw.h5" "$TMP/rw_before.h5"
expect_fail 1 "--resume of a rewritten file" "expected it chunked and growing" \
    samples -m wenner --layers 2 --a 1:100:10 --rho 1:100 --thick 1:20 -n 6000 -o "$TMP/rw.h5" --resume
h5diff "$TMP/rw.h5" "$TMP/rw_before.h5" >/dev/null && ok || bad "a refused --resume changed the file"

# SIGTERM: the same clean stop, exit 143
interrupt TERM "$TMP/term.h5"
if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 143 ] && ok || bad "SIGTERM: exit $rc, expected 143"
    "$BPINV" info "$TMP/term.h5" >/dev/null && ok || bad "file left by SIGTERM does not open"
fi

# --- bad arguments: exit 2 and a message naming the option -----------------------------------
B="samples -m wenner --layers 2 --a 1:100:10 --rho 1:100 --thick 1:20 -n 10 -o $TMP/b.h5"
expect_fail 2 "missing method" "-m/--method: missing" samples --layers 2 --a 1 --rho 1:2 --thick 1:2 -n 1 -o "$TMP/b.h5"
expect_fail 2 "missing layers" "--layers: missing" samples -m wenner --a 1 --rho 1:2 -n 1 -o "$TMP/b.h5"
expect_fail 2 "bad layers" '--layers: expected an integer from 1 to 64, got "0"' $B --layers 0
expect_fail 2 "too many layers" '--layers: expected an integer from 1 to 64, got "65"' $B --layers 65
[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok || bad "--layers 65: one message expected: $(cat "$TMP/err")"
expect_fail 2 "missing rho" "--rho: missing" samples -m wenner --layers 2 --a 1 --thick 1:2 -n 1 -o "$TMP/b.h5"
expect_fail 2 "missing thick" "--thick: missing" samples -m wenner --layers 2 --a 1 --rho 1:2 -n 1 -o "$TMP/b.h5"
expect_fail 2 "inverted range" "--rho: layer 1: expected finite 0 < MIN < MAX ohm-m, got 100:1" $B --rho 100:1
expect_fail 2 "empty range" "got 5:5" $B --rho 5:5
expect_fail 2 "non-positive thickness" "--thick: layer 1" $B --thick 0:5
expect_fail 2 "nan range" "--rho: layer 1" $B --rho nan:5
expect_fail 2 "range count" "--rho: expected 1 or 2 ranges" $B --rho 1:2,1:3,1:4
expect_fail 2 "noise too big" '--noise: expected a number from 0 to 1, got "1.5"' $B --noise 1.5
expect_fail 2 "noise not a number" '--noise: expected a number from 0 to 1, got "lots"' $B --noise lots
expect_fail 2 "zero count" '-n/--count: expected an integer from 1' $B -n 0
expect_fail 2 "missing count" "-n/--count: missing" samples -m wenner --layers 1 --a 1 --rho 1:2 -o "$TMP/b.h5"
expect_fail 2 "missing output" "-o/--output: missing" samples -m wenner --layers 1 --a 1 --rho 1:2 -n 3
expect_fail 2 "bad seed" '--seed: expected an integer from 0' $B --seed -4
expect_fail 2 "bad threads" '-j/--threads: expected an integer from 1 to 1024, got "0"' $B -j 0
expect_fail 2 "bad batch" '--batch: expected an integer' $B --batch x
expect_fail 2 "resume and force" "--resume and --force" $B --resume --force
expect_fail 2 "-q --progress" "bpinv samples: --quiet and --progress: choose one" $B -q --progress
expect_fail 2 "geometry of another method" "--ab2: not an option of method wenner" $B --ab2 1,2
expect_fail 2 "missing geometry" "--a: missing" samples -m wenner --layers 1 --rho 1:2 -n 3 -o "$TMP/b.h5"
expect_fail 2 "thick for one layer" "--thick: a 1-layer earth has no thickness" samples -m mt --layers 1 --period 1 --rho 1:2 --thick 1:2 -n 3 -o "$TMP/b.h5"
expect_fail 1 "resume of a missing file" "no such file" $B -o "$TMP/none.h5" --resume
[ ! -e "$TMP/b.h5" ] && ok || bad "a failed run left $TMP/b.h5"
run samples --help
[ "$rc" -eq 0 ] && grep -q "usage: bpinv samples" "$TMP/out" && ok || bad "samples --help"

# --resume with other arguments: the message gives the file's value and the command line's
run samples -m schlumberger --layers 2 --ab2 1:100:6 --rho 1:100 --thick 1:10 -n 40 -j1 -o "$TMP/r.h5"
cp "$TMP/r.h5" "$TMP/r0.h5"
while IFS='|' read -r args frag; do
    expect_fail 1 "resume, $frag" "$frag" samples $args -n 80 -j1 --resume -o "$TMP/r.h5"
done <<'EOF'
-m wenner --layers 2 --a 1:100:6 --rho 1:100 --thick 1:10|method differs from this command line (the file has schlumberger, not wenner)
-m schlumberger --layers 3 --ab2 1:100:6 --rho 1:100 --thick 1:10|n_layers (--layers) differs from this command line (the file has 2, not 3)
-m schlumberger --layers 2 --ab2 1:100:7 --rho 1:100 --thick 1:10|geometry differs from this command line (the file has 6 points, not 7)
-m schlumberger --layers 2 --ab2 1:120:6 --rho 1:100 --thick 1:10|(the file has point 2: ab2_m 2.511886432, not 2.605171085)
-m schlumberger --layers 2 --ab2 1:100:6 --mn2 0.5 --rho 1:100 --thick 1:10|(the file has no MN/2, not MN/2 given (--mn2))
-m schlumberger --layers 2 --ab2 1:100:6 --rho 1:200 --thick 1:10|prior (--rho) differs from this command line (the file has layer 1: 1:100 ohm-m, not 1:200)
-m schlumberger --layers 2 --ab2 1:100:6 --rho 1:100 --thick 1:20|prior (--thick) differs from this command line (the file has layer 1: 1:10 m, not 1:20)
-m schlumberger --layers 2 --ab2 1:100:6 --rho 1:100 --thick 1:10 --noise 0.1|noise (--noise) differs from this command line (the file has 0, not 0.1)
EOF
cmp -s "$TMP/r.h5" "$TMP/r0.h5" && ok || bad "a refused --resume changed the file"

# a noise no survey has is noted (not refused); a usual one, and -q, say nothing
for nz in 0 0.5 0.03; do
    run samples -m schlumberger --layers 2 --ab2 1:100:6 --rho 1:100 --thick 1:10 -n 10 \
        --noise $nz -o "$TMP/nz$nz.h5"
    case $nz in
    0) want="note: --noise 0: a net trained on noise-free data flags field soundings" ;;
    0.5) want="note: --noise 0.5: 50 % a reading, and invert's high_misfit threshold (twice the noise) 100 %" ;;
    *) want="" ;;
    esac
    if [ -n "$want" ]; then
        [ "$rc" -eq 0 ] && grep -qF "$want" "$TMP/err" && ok || bad "--noise $nz: $(cat "$TMP/err")"
    else
        [ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ] && ok || bad "--noise $nz: $(cat "$TMP/err")"
    fi
done
run samples -m schlumberger --layers 2 --ab2 1:100:6 --rho 1:100 --thick 1:10 -n 10 \
    --noise 0 -o "$TMP/nzq.h5" -q
[ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ] && ok || bad "--noise 0 -q: $(cat "$TMP/err")"

# a prior whose interfaces the geometry cannot see is noted (a tester's thicknesses in km;
# AB/2 in km; periods given as frequencies); a usual prior (above) and -q say nothing
for case in "--ab2 1:1000:31 --thick 0.001:0.2|interfaces lie at most 0.4 m deep, where the longest AB/2 (1000 m) sees some 330 m: most of the data see the half-space alone" \
    "--ab2 0.001:1:31 --thick 1:200|shallowest interface lies at 1 m or deeper, below the 0.33 m the longest AB/2 (1 m) sees" \
    "-m mt --period 1e-4:1e-2:9 --thick 1000:5000|shallowest interface lies at 1000 m or deeper, below the 159 m the longest period (0.01 s) sees" \
    "-m wenner --a 1:1000:31 --thick 0.001:0.2|where the widest a (1000 m) sees some 495 m"; do
    opts=${case%%|*}
    want=${case#*|}
    # shellcheck disable=SC2086
    run samples -m schlumberger --layers 3 $opts --rho 1:10 --noise 0.03 -n 10 -o "$TMP/dn.h5" --force
    [ "$rc" -eq 0 ] && grep -qF "$want" "$TMP/err" && ok || bad "$opts: $(cat "$TMP/err")"
    # shellcheck disable=SC2086
    run samples -m schlumberger --layers 3 $opts --rho 1:10 --noise 0.03 -n 10 -o "$TMP/dn.h5" --force -q
    [ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ] && ok || bad "$opts -q: $(cat "$TMP/err")"
done

finish cli-samples
