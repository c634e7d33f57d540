#!/bin/sh
# SPDX-License-Identifier: MIT
# test_resume.sh - `bpinv train --resume`: a training killed (kill -9, at random moments),
# stopped (SIGINT) or cut in a set of nets, continued from NET.h5.ckpt to the net an
# uninterrupted run makes (weights, history and every attribute but the time, compared
# with h5diff and h5dump); the checkpoint gone once the net is written; each refusal (no
# checkpoint, another setting, other rows, a foreign NET.h5, a checkpoint over which a
# fresh run would start, a damaged or foreign checkpoint) one message, exit 1, no file
# changed.
# usage: sh tests/cli/test_resume.sh PATH/TO/bpinv [KILLS]
#   KILLS random kill -9 of a training (default 3; not under valgrind)
BPINV=${1:-build/bpinv}
KILLS=${2:-3}
. "$(dirname "$0")/lib.sh"

setup samples -m schlumberger --layers 3 --ab2 1:1000:20 --rho 1:1000 --thick 1:50 --noise 0.03 \
    -n 3000 -o "$TMP/s.h5" -q
[ "$rc" -eq 0 ] && ok || bad "samples: exit $rc: $(cat "$TMP/err")"
setup samples -m schlumberger --layers 2 --ab2 1:1000:20 --rho 1:1000 --thick 1:50 --noise 0.03 \
    -n 3000 -o "$TMP/s2.h5" -q
[ "$rc" -eq 0 ] && ok || bad "samples 2: exit $rc: $(cat "$TMP/err")"

# under valgrind: few epochs (each takes seconds there)
if [ -n "${BPINV_VALGRIND:-}" ]; then E=6; else E=150; fi
OPTS="--epochs $E --patience 0 --hidden 12 --batch 128 -q"

# same A B WHAT: the nets of A and B alike but for the training time
same() {
    h5dump -A "$1" | sed '1d; /train_seconds/,+4d' >"$TMP/a.txt"
    h5dump -A "$2" | sed '1d; /train_seconds/,+4d' >"$TMP/b.txt"
    if ! h5diff -q "$1" "$2" /layers /layers || ! h5diff -q "$1" "$2" /history /history; then
        bad "$3: weights or history differ from the uninterrupted run's"
    elif ! cmp -s "$TMP/a.txt" "$TMP/b.txt"; then
        bad "$3: attributes differ: $(diff "$TMP/a.txt" "$TMP/b.txt" | head -5)"
    else ok; fi
}

# --- the uninterrupted nets ------------------------------------------------------------------
# (by the bpinv under test: under valgrind its BLAS is another, and so are the last bits)
run train "$TMP/s.h5" -o "$TMP/ref.h5" $OPTS --checkpoint 0
[ "$rc" -eq 0 ] && ok || bad "train: exit $rc: $(cat "$TMP/err")"
setup train "$TMP/s2.h5" "$TMP/s.h5" -o "$TMP/refset.h5" $OPTS --checkpoint 0
[ "$rc" -eq 0 ] && ok || bad "train a set: exit $rc: $(cat "$TMP/err")"

# --- kill -9 at random moments, then --resume (a checkpoint at every epoch's end) --------------
if [ -z "${BPINV_VALGRIND:-}" ] && ! sanitized; then
    resumed=0
    for d in $(awk -v n="$KILLS" 'BEGIN { srand(11); for (i = 0; i < n; i++) printf "%.2f ", 0.1 + rand() * 0.6 }'); do
        rm -f "$TMP"/k.h5*
        "$BPINV" train "$TMP/s.h5" -o "$TMP/k.h5" $OPTS --checkpoint 1e-6 2>/dev/null &
        kp=$!
        sleep "$d"
        kill -9 $kp 2>/dev/null
        wait $kp 2>/dev/null
        if [ ! -e "$TMP/k.h5.ckpt" ]; then
            [ -e "$TMP/k.h5" ] && ok || bad "kill at $d s: no checkpoint, and no net"
            continue
        fi
        resumed=$((resumed + 1))
        run train "$TMP/s.h5" -o "$TMP/k.h5" $OPTS --checkpoint 1e-6 --resume
        [ "$rc" -eq 0 ] && ok || bad "resume after kill at $d s: exit $rc: $(cat "$TMP/err")"
        same "$TMP/ref.h5" "$TMP/k.h5" "killed at $d s, resumed"
        # done with: the checkpoint and the temporary file of one the kill cut short
        [ -z "$(ls "$TMP" | grep '^k\.h5\.')" ] && ok ||
            bad "resumed after kill at $d s, left: $(ls "$TMP" | grep '^k\.h5')"
    done
    [ "$resumed" -ge 1 ] && ok || bad "none of the $KILLS kills came before the training's end"
    # a set of two nets: killed during the second file's training
    rm -f "$TMP"/ks.h5*
    env --default-signal=INT "$BPINV" train "$TMP/s2.h5" "$TMP/s.h5" -o "$TMP/ks.h5" $OPTS \
        --checkpoint 1e-6 -q >/dev/null 2>&1 &
    kp=$!
    i=0
    while ! h5dump -a /n_done "$TMP/ks.h5.ckpt" 2>/dev/null | grep -q "(0): 1" && [ $i -lt 300 ]; do
        sleep 0.02
        i=$((i + 1))
    done
    sleep 0.2
    kill -9 $kp 2>/dev/null
    wait $kp 2>/dev/null
    run train "$TMP/s2.h5" "$TMP/s.h5" -o "$TMP/ks.h5" $OPTS --checkpoint 1e-6 --resume
    [ "$rc" -eq 0 ] && ok || bad "a set resumed: exit $rc: $(cat "$TMP/err")"
    h5diff -q "$TMP/refset.h5" "$TMP/ks.h5" /nets/2/layers /nets/2/layers &&
        h5diff -q "$TMP/refset.h5" "$TMP/ks.h5" /nets/3/layers /nets/3/layers && ok ||
        bad "a set killed in its second file and resumed: not the uninterrupted set"
fi

# --- SIGINT: the best net and a checkpoint; --resume replaces that net with the whole run's ---
signal_at "^epoch    2 " INT "$BPINV" train "$TMP/s.h5" -o "$TMP/i.h5" --epochs $E --patience 0 \
    --hidden 12 --batch 128 -j1
[ "$rc" -eq 130 ] && [ -e "$TMP/i.h5" ] && [ -e "$TMP/i.h5.ckpt" ] &&
    grep -q "^bpinv train: the same command with --resume continues the training from .*/i.h5.ckpt$" \
        "$TMP/err" && ok || bad "SIGINT: exit $rc, $(ls "$TMP" | grep '^i\.'): $(tail -2 "$TMP/err")"
cp "$TMP/i.h5.ckpt" "$TMP/i.keep"
run info "$TMP/i.h5.ckpt"
[ "$rc" -eq 0 ] && grep -q "i.h5.ckpt: bpinv training checkpoint (format version 1)" "$TMP/out" &&
    grep -q "^  best so far epoch [0-9]*, validation loss 0\.[0-9]*" "$TMP/out" &&
    grep -q "^  training    .*/s.h5: [0-9]* epochs run, in the first stage" "$TMP/out" &&
    grep -q "^  settings    rows=3000 .* epochs=$E " "$TMP/out" && ok ||
    bad "info of a checkpoint: exit $rc: $(cat "$TMP/out" "$TMP/err")"
run train "$TMP/s.h5" -o "$TMP/i.h5" $OPTS
[ "$rc" -eq 1 ] &&
    grep -q "i.h5.ckpt: the checkpoint of an interrupted training of .*/i.h5: continue it with --resume" \
        "$TMP/err" && cmp -s "$TMP/i.h5.ckpt" "$TMP/i.keep" && ok ||
    bad "a fresh run over a checkpoint: exit $rc: $(cat "$TMP/err")"
expect_fail 1 "resumed with other epochs" "its training of $TMP/s.h5 had epochs $E; this one has epochs 7: a training continues with the settings it began with (option --epochs; or, without --resume, --force trains afresh)" \
    train "$TMP/s.h5" -o "$TMP/i.h5" --epochs 7 --patience 0 --hidden 12 --batch 128 -q --resume
expect_fail 1 "resumed with another hidden layer" "had hidden 12; this one has hidden 13" \
    train "$TMP/s.h5" -o "$TMP/i.h5" --epochs $E --patience 0 --hidden 13 --batch 128 -q --resume
expect_fail 1 "resumed with another rate" "had learning_rate 0.001; this one has learning_rate 0.002" \
    train "$TMP/s.h5" -o "$TMP/i.h5" $OPTS --lr 0.002 --resume
expect_fail 1 "resumed on other samples" "its samples file 1 was $TMP/s.h5 (schlumberger, 3 layers, seed 42, noise 0.03); this command's $TMP/s2.h5 is another (schlumberger, 2 layers" \
    train "$TMP/s2.h5" -o "$TMP/i.h5" $OPTS --resume
cmp -s "$TMP/i.h5.ckpt" "$TMP/i.keep" && ok || bad "a refused resume changed the checkpoint"
# the samples file grown (samples --resume) since: its first rows are those trained on, and
# --max-samples keeps to them; a copy on another path will do
mkdir "$TMP/stage"
cp "$TMP/s.h5" "$TMP/stage/s.h5"
setup samples -m schlumberger --layers 3 --ab2 1:1000:20 --rho 1:1000 --thick 1:50 --noise 0.03 \
    -n 3500 -o "$TMP/stage/s.h5" -q --resume
[ "$rc" -eq 0 ] && ok || bad "samples --resume: exit $rc: $(cat "$TMP/err")"
cp "$TMP/i.keep" "$TMP/g.h5.ckpt"
expect_fail 1 "resumed on a grown samples file" "had rows 3000; this one has rows 3500: a training continues with the settings it began with (the samples file holds 3500 complete samples: --max-samples 3000 trains on the first 3000, as it had; or, without --resume, --force trains afresh)" \
    train "$TMP/stage/s.h5" -o "$TMP/g.h5" $OPTS --resume
run train "$TMP/stage/s.h5" -o "$TMP/g.h5" $OPTS --resume --max-samples 3000
[ "$rc" -eq 0 ] && ok || bad "resumed on a grown copy with --max-samples: exit $rc: $(cat "$TMP/err")"
h5diff -q "$TMP/ref.h5" "$TMP/g.h5" /layers /layers && ok ||
    bad "resumed on a grown copy with --max-samples: not the uninterrupted net"
run train "$TMP/s.h5" -o "$TMP/i.h5" $OPTS --resume -j 2
[ "$rc" -eq 0 ] && [ ! -e "$TMP/i.h5.ckpt" ] && ok ||
    bad "resume after SIGINT: exit $rc, $(ls "$TMP" | grep '^i\.'): $(cat "$TMP/err")"
same "$TMP/ref.h5" "$TMP/i.h5" "stopped by SIGINT (-j 1), resumed on -j 2"
run info "$TMP/i.h5"
grep -q "best epoch" "$TMP/out" && ok || bad "info of a resumed net: $(cat "$TMP/out" "$TMP/err")"

# ... a set given by decreasing layer count (the file keeps its nets by count), stopped
# after two epochs of its second samples file: --resume takes the saved set for its own
if [ -z "${BPINV_VALGRIND:-}" ]; then
    start_until "s2.h5: 2700 training" "$BPINV" train "$TMP/s.h5" "$TMP/s2.h5" -o "$TMP/ds.h5" \
        --epochs $E --patience 0 --hidden 12 --batch 128 -j1
    i=0
    while [ "$(grep -c '^epoch    2 ' "$TMP/err")" -lt 2 ] && [ $i -lt 600 ]; do
        sleep 0.01
        i=$((i + 1))
    done
    kill -INT $pid
    reap $pid
    [ "$rc" -eq 130 ] && [ -e "$TMP/ds.h5.ckpt" ] && ok || bad "a set stopped: exit $rc: $(tail -2 "$TMP/err")"
    run train "$TMP/s.h5" "$TMP/s2.h5" -o "$TMP/ds.h5" $OPTS --resume
    [ "$rc" -eq 0 ] && ok || bad "a set by decreasing count, resumed: exit $rc: $(cat "$TMP/err")"
    h5diff -q "$TMP/refset.h5" "$TMP/ds.h5" /nets/2/layers /nets/2/layers &&
        h5diff -q "$TMP/refset.h5" "$TMP/ds.h5" /nets/3/layers /nets/3/layers && ok ||
        bad "a set by decreasing count, stopped and resumed: not the uninterrupted nets"
fi
# a run without checkpoints, stopped: no word of --resume
signal_at "^epoch    2 " INT "$BPINV" train "$TMP/s.h5" -o "$TMP/nc.h5" --epochs $E --patience 0 \
    --hidden 12 --batch 128 -j1 --checkpoint 0
[ "$rc" -eq 130 ] && [ ! -e "$TMP/nc.h5.ckpt" ] && ! grep -q -- "--resume" "$TMP/err" && ok ||
    bad "stopped without checkpoints: exit $rc: $(tail -2 "$TMP/err")"

# --- refusals ---------------------------------------------------------------------------------
# a file of the checkpoint's name that is no checkpoint: never touched, --force or not
echo "my notes" >"$TMP/x.h5.ckpt"
for f in "" --force; do
    expect_fail 1 "a foreign NET.h5.ckpt $f" "x.h5.ckpt: exists and is not (or cannot be read as) a bpinv training checkpoint" \
        train "$TMP/s.h5" -o "$TMP/x.h5" $OPTS $f
done
[ "$(cat "$TMP/x.h5.ckpt")" = "my notes" ] && [ ! -e "$TMP/x.h5" ] && ok ||
    bad "a foreign NET.h5.ckpt was changed, or a net made"
expect_fail 1 "--resume without a checkpoint, a net there" "i.h5: exists, and there is no checkpoint $TMP/i.h5.ckpt to resume: its training ended (or it is another net); --force trains afresh over it" \
    train "$TMP/s.h5" -o "$TMP/i.h5" $OPTS --resume
# ... nor a net: from the start (a job script that always says --resume)
run train "$TMP/s.h5" -o "$TMP/n0.h5" --epochs $E --patience 0 --hidden 12 --batch 128 --resume \
    --checkpoint 0
[ "$rc" -eq 0 ] && grep -q "note: no checkpoint $TMP/n0.h5.ckpt to resume: training from the start" "$TMP/err" &&
    ok || bad "--resume without a checkpoint: exit $rc: $(head -3 "$TMP/err")"
same "$TMP/ref.h5" "$TMP/n0.h5" "--resume without a checkpoint"
# a NET.h5 that is not the interrupted run's: kept unless --force
cp "$TMP/i.keep" "$TMP/f.h5.ckpt"
cp "$TMP/refset.h5" "$TMP/f.h5"
cp "$TMP/f.h5" "$TMP/f.keep"
expect_fail 1 "resume over another net" "f.h5: exists, and is not (or cannot be read as) the net the interrupted training saved" \
    train "$TMP/s.h5" -o "$TMP/f.h5" $OPTS --resume
cmp -s "$TMP/f.h5" "$TMP/f.keep" && ok || bad "a refused resume changed the net there"
# --force: afresh, over the checkpoint, which is gone after
run train "$TMP/s.h5" -o "$TMP/f.h5" $OPTS --force
[ "$rc" -eq 0 ] && [ ! -e "$TMP/f.h5.ckpt" ] && ok || bad "--force over a checkpoint: exit $rc: $(cat "$TMP/err")"
same "$TMP/ref.h5" "$TMP/f.h5" "--force over a checkpoint"
# damaged and foreign checkpoints
head -c 3000 "$TMP/i.keep" >"$TMP/d.h5.ckpt"
expect_fail 1 "a truncated checkpoint" "d.h5.ckpt" train "$TMP/s.h5" -o "$TMP/d.h5" $OPTS --resume
[ ! -e "$TMP/d.h5" ] && ok || bad "a damaged checkpoint made a net"
cp "$TMP/ref.h5" "$TMP/d.h5.ckpt"
expect_fail 1 "a net file as checkpoint" "d.h5.ckpt: exists and is not (or cannot be read as) a bpinv training checkpoint, which train writes there" \
    train "$TMP/s.h5" -o "$TMP/d.h5" $OPTS --resume
# a dead process's temporary checkpoint under the PID this run has (a container's restart
# gives the same PID): replaced, not in the way of every checkpoint
if [ -z "${BPINV_VALGRIND:-}" ] && [ "$(id -u)" -eq 0 ] && unshare -fp --mount-proc true 2>/dev/null; then
    echo "half a checkpoint" >"$TMP/u.h5.ckpt.tmp.1"
    run_u() { unshare -fp --mount-proc "$BPINV" "$@"; }
    run_u train "$TMP/s.h5" -o "$TMP/u.h5" --epochs 3 --hidden 12 --checkpoint 1e-6 -q \
        >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ] && [ "$(ls "$TMP" | grep -c '^u\.h5')" -eq 1 ] && ok ||
        bad "a dead process's temporary checkpoint of this PID: exit $rc, $(ls "$TMP" | grep '^u\.'): $(cat "$TMP/err")"
fi
# a checkpoint that cannot be written (a file size limit that lets the net through, not its
# checkpoint): the training goes on, says so once, and leaves no file of it
if [ -z "${BPINV_VALGRIND:-}" ]; then
    (trap '' XFSZ; ulimit -f 600; exec "$BPINV" train "$TMP/s.h5" -o "$TMP/w.h5" --epochs 3 \
        --hidden 200 --checkpoint 1e-6 -q) >"$TMP/out" 2>"$TMP/err"
    rc=$?
    [ "$rc" -eq 0 ] && [ "$(grep -c "w.h5.ckpt: cannot write: File too large; training goes on" \
        "$TMP/err")" -eq 1 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
        [ "$(ls "$TMP" | grep -c '^w\.h5')" -eq 1 ] && ok ||
        bad "an unwritable checkpoint: exit $rc, $(ls "$TMP" | grep '^w\.'): $(cat "$TMP/err")"
fi

finish test_resume
