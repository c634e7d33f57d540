#!/bin/sh
# SPDX-License-Identifier: MIT
# test_init.sh - `bpinv train --init NET0.h5`, a warm start: training begins from a trained
# net's weights and normalisation (and its layout options unless given), keeps them when no
# epoch validates better (the weights compared with h5diff), records where it began (`bpinv
# info`), takes each layer count's net from a set, resumes a stopped warm start to the
# uninterrupted net, and refuses a net it cannot start from (another layer count, method,
# geometry, hidden layers, inputs; no validation rows; a missing or foreign file) with one
# message, exit 1 or 2, nothing written.
# usage: sh tests/cli/test_init.sh PATH/TO/bpinv
BPINV=${1:-build/bpinv}
. "$(dirname "$0")/lib.sh"

G="--ab2 1:1000:20 --rho 1:1000 --thick 1:50 --noise 0.03 -n 2000 -q"
for s in "s3 --layers 3 --seed 1" "s3b --layers 3 --seed 2" "s2 --layers 2 --seed 3" \
    "s2b --layers 2 --seed 4"; do
    set -- $s
    n=$1
    shift
    setup samples -m schlumberger "$@" $G -o "$TMP/$n.h5"
    [ "$rc" -eq 0 ] && ok || bad "samples $n: exit $rc: $(cat "$TMP/err")"
done
setup samples -m schlumberger --layers 3 --ab2 1:100:15 --rho 1:1000 --thick 1:50 --noise 0.03 \
    -n 500 -q -o "$TMP/sg.h5"
[ "$rc" -eq 0 ] && ok || bad "samples sg: exit $rc: $(cat "$TMP/err")"
setup samples -m mt --layers 3 --period 0.001:1000:20 --rho 1:1000 --thick 1:50 --noise 0.03 \
    -n 500 -q -o "$TMP/smt.h5"
[ "$rc" -eq 0 ] && ok || bad "samples mt: exit $rc: $(cat "$TMP/err")"

if [ -n "${BPINV_VALGRIND:-}" ]; then E=4; else E=30; fi
OPTS="--epochs $E --patience 0 --batch 128"

# --- a net to start from, and a warm start on other rows -------------------------------------
setup train "$TMP/s3.h5" -o "$TMP/a.h5" $OPTS --hidden 12 -q
[ "$rc" -eq 0 ] && ok || bad "train a: exit $rc: $(cat "$TMP/err")"
run train "$TMP/s3b.h5" -o "$TMP/b.h5" $OPTS --init "$TMP/a.h5"
if [ "$rc" -ne 0 ]; then bad "warm start: exit $rc: $(cat "$TMP/err")"
elif ! grep -q "starting from $TMP/a.h5: its weights and normalisation, validation loss" "$TMP/err"; then
    bad "warm start: no line saying where it starts: $(cat "$TMP/err")"
elif ! grep -q "net 81-12-5" "$TMP/err"; then
    bad "warm start: not the start's hidden layer (12): $(head -1 "$TMP/err")"
else ok; fi
# the start's validation loss, beaten: the net's best below it
awk -v f="$TMP/err" 'BEGIN {
    while ((getline l < f) > 0) {
        if (l ~ /starting from/) { sub(/.*validation loss /, "", l); s = l + 0 }
        if (l ~ /best epoch/) { sub(/.*val loss /, "", l); b = l + 0 }
    }
    exit !(s > 0 && b > 0 && b < s) }' && ok || bad "warm start: best not below its start: $(cat "$TMP/err")"

run info "$TMP/b.h5"
grep -q "started     from $TMP/a.h5 (its weights and normalisation; validation loss" "$TMP/out" &&
    ok || bad "info: no start: $(cat "$TMP/out")"
# its normalisation is the start's; its weights moved
h5diff -q "$TMP/a.h5" "$TMP/b.h5" /normalisation /normalisation && ok ||
    bad "the warm start's normalisation is not its start's"
h5diff -q "$TMP/a.h5" "$TMP/b.h5" /layers /layers >/dev/null 2>&1 &&
    bad "the warm start did not train" || ok
# --- a rate that makes every epoch worse: the start's weights are what is saved ----------------
run train "$TMP/s3b.h5" -o "$TMP/c.h5" --epochs 3 --batch 128 --init "$TMP/a.h5" --lr 2 --average 0
if [ "$rc" -ne 0 ]; then bad "kept: exit $rc: $(cat "$TMP/err")"
elif ! grep -q "no epoch of 3 validated better than $TMP/a.h5" "$TMP/err"; then
    bad "kept: not said: $(cat "$TMP/err")"
elif ! h5diff -q "$TMP/a.h5" "$TMP/c.h5" /layers /layers; then
    bad "kept: the weights are not the start's"
else ok; fi
run info "$TMP/c.h5"
grep -q "no epoch did better, its weights are these" "$TMP/out" && ok ||
    bad "info of a kept start: $(grep started "$TMP/out")"

# ... and with --patience, stopped early by it: the start was the best to beat (info counts
# the epochs without a better loss from the start's, as the training did)
run train "$TMP/s3b.h5" -o "$TMP/p.h5" --epochs 50 --patience 2 --batch 128 --init "$TMP/a.h5" --lr 2 --average 0 -q
[ "$rc" -eq 0 ] && ok || bad "patience: exit $rc: $(cat "$TMP/err")"
run info "$TMP/p.h5"
grep -q "stopped     early, at epoch 2 of 50: no validation loss 0.01 % below the best for 2 epochs (--patience)" "$TMP/out" &&
    ok || bad "info of a warm start stopped by --patience: $(grep stopped "$TMP/out")"

# --- a set: each layer count's net from the set given ----------------------------------------
setup train "$TMP/s2.h5" "$TMP/s3.h5" -o "$TMP/set.h5" $OPTS --hidden 10 -q
[ "$rc" -eq 0 ] && ok || bad "train a set: exit $rc: $(cat "$TMP/err")"
run train "$TMP/s2b.h5" "$TMP/s3b.h5" -o "$TMP/set2.h5" $OPTS --init "$TMP/set.h5"
[ "$rc" -eq 0 ] && ok || bad "a set from a set: exit $rc: $(cat "$TMP/err")"
grep -q "starting from $TMP/set.h5 (its net of 2 layers): " "$TMP/err" &&
    grep -q "starting from $TMP/set.h5 (its net of 3 layers): " "$TMP/err" && ok ||
    bad "a set from a set: the net of each count not named: $(grep starting "$TMP/err")"
run info "$TMP/set2.h5"
[ "$(grep -c "started     from $TMP/set.h5" "$TMP/out")" -eq 2 ] && ok ||
    bad "a set from a set: not both nets started from it: $(grep started "$TMP/out")"
# continued in place: refused (a stop would save over the start a --resume needs), the net
# as it was
cp "$TMP/a.h5" "$TMP/inplace.h5"
expect_fail 1 "in place" "inplace.h5: is the --init net: a stop would save the best net so far over it" \
    train "$TMP/s3.h5" -o "$TMP/inplace.h5" $OPTS --init "$TMP/inplace.h5" --force
cmp -s "$TMP/a.h5" "$TMP/inplace.h5" && ok || bad "in place: the net was changed"

# --- stopped and resumed: the uninterrupted warm start ---------------------------------------
if [ -z "${BPINV_VALGRIND:-}" ]; then
    R="--epochs 200 --patience 0 --batch 128 --init $TMP/a.h5"
    setup train "$TMP/s3b.h5" -o "$TMP/ref.h5" $R --checkpoint 0 -q
    [ "$rc" -eq 0 ] && ok || bad "reference: exit $rc: $(cat "$TMP/err")"
    signal_at "^epoch    5 " INT "$BPINV" train "$TMP/s3b.h5" -o "$TMP/r.h5" $R --checkpoint 1e-6
    [ "$rc" -eq 130 ] && [ -e "$TMP/r.h5.ckpt" ] && ok ||
        bad "stopped warm start: exit $rc, checkpoint $(ls "$TMP"/r.h5* 2>&1): $(cat "$TMP/err")"
    cp "$TMP/r.h5.ckpt" "$TMP/kept.ckpt"
    run info "$TMP/r.h5.ckpt"
    grep -q "started     from $TMP/a.h5 (--init), validation loss" "$TMP/out" && ok ||
        bad "info of a warm start's checkpoint: $(cat "$TMP/out")"
    expect_fail 1 "resumed without --init" "(option --init" \
        train "$TMP/s3b.h5" -o "$TMP/r.h5" --epochs 200 --patience 0 --batch 128 --hidden 12 --resume
    expect_fail 1 "resumed from another start" "began from $TMP/a.h5 (weights " \
        train "$TMP/s3b.h5" -o "$TMP/r.h5" $R --checkpoint 1e-6 --resume --init "$TMP/b.h5"
    grep -q "this one from $TMP/b.h5 (weights " "$TMP/err" && ok ||
        bad "resumed from another start: the new one not named: $(cat "$TMP/err")"
    run train "$TMP/s3b.h5" -o "$TMP/r.h5" $R --checkpoint 1e-6 --resume -q
    if [ "$rc" -ne 0 ]; then bad "resumed: exit $rc: $(cat "$TMP/err")"
    elif ! h5diff -q "$TMP/ref.h5" "$TMP/r.h5" /layers /layers ||
        ! h5diff -q "$TMP/ref.h5" "$TMP/r.h5" /history /history; then
        bad "resumed: not the uninterrupted warm start"
    else ok; fi
fi

# the start's own earths as validation rows (its seed and prior, fewer rows): said
run train "$TMP/s3.h5" -o "$TMP/seen.h5" --epochs 1 --batch 128 --init "$TMP/a.h5" --max-samples 1000
[ "$rc" -eq 0 ] && grep -q "note: $TMP/s3.h5: its validation rows (900 to 999) are earths $TMP/a.h5 was trained on (its samples of the same seed 1 and prior, rows 0 to 1799)" "$TMP/err" &&
    ok || bad "validation rows the start trained on: not said: $(cat "$TMP/err")"
run train "$TMP/s3b.h5" -o "$TMP/unseen.h5" --epochs 1 --batch 128 --init "$TMP/a.h5" --max-samples 1000
[ "$rc" -eq 0 ] && ! grep -q "are earths" "$TMP/err" && ok ||
    bad "another seed: a note of seen rows: $(cat "$TMP/err")"

# --- refusals: one message, nothing written ---------------------------------------------------
refuse() { # CODE WHAT FRAGMENT ARGS...
    code=$1; what=$2; frag=$3; shift 3
    rm -f "$TMP/x.h5"
    expect_fail "$code" "$what" "$frag" "$@"
    [ ! -e "$TMP/x.h5" ] && [ ! -e "$TMP/x.h5.ckpt" ] && ok || bad "$what: a file was written"
}
refuse 1 "another layer count" "$TMP/a.h5: no net of 2 layers, for $TMP/s2.h5 (its net: 3 layers)" \
    train "$TMP/s2.h5" -o "$TMP/x.h5" $OPTS --init "$TMP/a.h5"
refuse 1 "another geometry" "a net of 20 points, 1 to 1000 m; $TMP/sg.h5 is of 15 points, 1 to 100 m" \
    train "$TMP/sg.h5" -o "$TMP/x.h5" $OPTS --init "$TMP/a.h5"
refuse 1 "another method" "a net for schlumberger soundings; $TMP/smt.h5 holds mt soundings" \
    train "$TMP/smt.h5" -o "$TMP/x.h5" $OPTS --init "$TMP/a.h5"
refuse 1 "other hidden layers" "hidden units 12; this training's 20: a training starts only from a net of the same layers (--hidden)" \
    train "$TMP/s3b.h5" -o "$TMP/x.h5" $OPTS --init "$TMP/a.h5" --hidden 20
refuse 1 "another activation" "tanh hidden units; this training's are sigmoid (--activation)" \
    train "$TMP/s3b.h5" -o "$TMP/x.h5" $OPTS --init "$TMP/a.h5" --activation sigmoid
refuse 1 "a whole-span training from a net of any part" "a net of any part of its span; this training makes one of its whole span" \
    train "$TMP/s3b.h5" -o "$TMP/x.h5" $OPTS --init "$TMP/a.h5" --min-span 3
refuse 2 "no validation rows" "--init with --val 0: a warm start needs validation rows" \
    train "$TMP/s3b.h5" -o "$TMP/x.h5" $OPTS --init "$TMP/a.h5" --val 0
refuse 1 "a missing net" "$TMP/none.h5" \
    train "$TMP/s3b.h5" -o "$TMP/x.h5" $OPTS --init "$TMP/none.h5"
refuse 1 "a samples file for a net" "(--init: a net file bpinv train wrote)" \
    train "$TMP/s3b.h5" -o "$TMP/x.h5" $OPTS --init "$TMP/s3.h5"
if [ -e "$TMP/kept.ckpt" ]; then
    refuse 1 "a checkpoint for a net" "kept.ckpt: a training checkpoint, not a net: --resume continues its training" \
        train "$TMP/s3b.h5" -o "$TMP/x.h5" $OPTS --init "$TMP/kept.ckpt"
fi

finish test_init
