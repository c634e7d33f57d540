#!/bin/sh
# SPDX-License-Identifier: MIT
# bench_train.sh - training throughput: a 30-64-7 net (4-layer Schlumberger, 30 spacings),
# batch 256, Adam, on 1 and 2 threads; PyTorch on the same data in the same run when
# python3-torch is installed (`make bench-peers`), else a note. FANN (libfann-dev)
# likewise, when built. Markdown on stdout.
# The machine's speed drifts within minutes, so the trainers take turns for ROUNDS rounds
# and each configuration's best round is reported; the ratio is bpinv's best against
# PyTorch's best configuration, with the CPU's vector extensions, the BLAS kernels the
# process got and the fraction of the DGEMM rate reached.
# The DESIGN target: >= 1,000,000 sample-passes/s on 2 cores; issue 17's: >= 3 x PyTorch.
# usage: sh tests/bench/bench_train.sh PATH/TO/bpinv PATH/TO/bench_train [COUNT [EPOCHS [ROUNDS]]]
BPINV=${1:-./bpinv}
BENCH=${2:-build/bench_train}
N=${3:-200000}
E=${4:-5}
R=${5:-3}
HIDDEN=64
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$BPINV" samples -m schlumberger --layers 4 --ab2 1:1000:30 --rho 1:1000 --thick 1:50 \
    --noise 0.03 -n "$N" -q -o "$TMP/s.h5" || exit 1
PY=/usr/bin/python3
TORCH=no
$PY -c "import torch, h5py" 2>/dev/null && TORCH=yes
FANN=$(dirname "$BENCH")/peer_train_fann

# compare TITLE: the trainers in turns for R rounds, the table of best rounds and the ratio
compare() {
    : >"$TMP/rows"
    i=1
    while [ "$i" -le "$R" ]; do
        "$BENCH" "$TMP/s.h5" "$E" "$HIDDEN" 256 >>"$TMP/rows" || return 1
        if [ "$TORCH" = yes ]; then
            for th in 1 2; do
                $PY "$(dirname "$0")/peer_train_torch.py" "$TMP/s.h5" "$E" "$HIDDEN" 256 "$th" \
                    >>"$TMP/rows" || return 1
            done
        fi
        i=$((i + 1))
    done
    if [ -x "$FANN" ]; then
        "$FANN" "$TMP/s.h5" "$E" >>"$TMP/rows" || return 1
    fi
    echo "### $1"
    echo
    "$BENCH" --peak >"$TMP/peak" || return 1
    cat "$TMP/peak"
    echo
    echo "Best of $R rounds, the trainers taking turns."
    echo
    echo "| trainer | net | threads | epochs | seconds | sample-passes/s | validation MSE |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    # the best round of each configuration (trainer, net, threads), in the order first seen
    awk -F'|' '/^\|/ { k = $2 "|" $3 "|" $4; if (!(k in best)) order[++n] = k;
        if ($7 + 0 > best[k] + 0) { best[k] = $7; row[k] = $0 } }
        END { for (i = 1; i <= n; i++) print row[order[i]] }' "$TMP/rows" >"$TMP/best"
    cat "$TMP/best"
    echo
    # FLOPs of one sample-pass of an n_in-h-n_out net: forward 2h(n_in + n_out), backward
    # 2h(n_in + 2 n_out) (weight gradients of both layers and the hidden error terms)
    awk -v best="$TMP/best" -F': ' '
        /2 threads/ { peak = $2 + 0 }
        END {
            while ((getline line < best) > 0) {
                split(line, f, "|"); split(f[3], u, "-"); rate = f[7] + 0
                flop = 2 * u[2] * (2 * u[1] + 3 * u[3])
                if (f[2] ~ /^ bpinv/ && rate > ours) { ours = rate; ourth = f[4] + 0 }
                if (f[2] ~ /^ PyTorch/ && rate > peer) { peer = rate; peername = f[2]; peerth = f[4] + 0 }
            }
            sub(/^ PyTorch /, "", peername); sub(/ +$/, "", peername)
            gf = ours * flop / 1e9
            printf "- bpinv: %.2f M sample-passes/s on %d thread%s = %.1f GFLOP/s (%d FLOP a pass), %.0f %% of the DGEMM rate on 2 threads.\n", ours / 1e6, ourth, (ourth > 1 ? "s" : ""), gf, flop, 100 * gf / peak
            if (peer > 0)
                printf "- PyTorch at its best: %s on %d thread%s, %.2f M sample-passes/s.\n- **bpinv / PyTorch = %.2f x** (target >= 3 x).\n", peername, peerth, (peerth > 1 ? "s" : ""), peer / 1e6, ours / peer
        }' "$TMP/peak"
    echo
}

echo "## train: $N samples (4 layers, 30 spacings, noise 0.03), 90 % trained, $E epochs, batch 256, Adam"
echo
echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); vector extensions:$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|fma)$' | sort | tr '\n' ' ' | sed 's/^/ /')"
echo "- bpinv's own loops (tanh, the optimiser's step) run their AVX-512, AVX2 or SSE2 clone,"
echo "  whichever the CPU has; the matrix products run the BLAS's kernels."
echo
compare "The BLAS's kernels as this environment sets them" || exit 1
if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
    # the environment forces a kernel family; the CPU's own choice is what a user would get
    (unset OPENBLAS_CORETYPE; compare "The BLAS's own choice of kernels for this CPU (OPENBLAS_CORETYPE unset)") || exit 1
fi
[ "$TORCH" = yes ] || echo "PyTorch peer skipped: python3-torch is not installed (make bench-peers installs it)."
[ -x "$FANN" ] || echo "FANN peer skipped: libfann-dev is not installed (make bench-peers installs it)."
echo
echo "Target: >= 1,000,000 sample-passes/s on 2 threads. Validation MSE is of the standardised"
echo "log10 parameters after the same epochs (1.0 = no better than the training mean)."

# The checkpoints (train --checkpoint): whole runs without and with one at every epoch's
# end, in turns; the difference over the epochs is a checkpoint's cost
CE=$((E * 4))
echo
echo "## train --checkpoint: the cost of a checkpoint ($N samples, $CE epochs, $HIDDEN hidden units)"
echo
: >"$TMP/ck"
i=1
while [ "$i" -le "$R" ]; do
    for c in 0 1e-6; do
        t0=$(date +%s.%N)
        "$BPINV" train "$TMP/s.h5" -o "$TMP/ck.h5" --force --epochs "$CE" --patience 0 \
            --hidden "$HIDDEN" -q --checkpoint "$c" || exit 1
        awk -v c="$c" -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print c, b - a }' >>"$TMP/ck"
    done
    i=$((i + 1))
done
"$BPINV" train "$TMP/s.h5" -o "$TMP/ck2.h5" --epochs 2 --patience 0 --hidden "$HIDDEN" -q \
    --checkpoint 1e-6 >/dev/null 2>&1 &
ckpid=$!
while [ ! -e "$TMP/ck2.h5.ckpt" ] && kill -0 $ckpid 2>/dev/null; do sleep 0.05; done
kill -9 $ckpid 2>/dev/null
wait $ckpid 2>/dev/null
size=$(stat -c %s "$TMP/ck2.h5.ckpt" 2>/dev/null || echo 0)
awk -v e="$CE" -v size="$size" -v net="$(stat -c %s "$TMP/ck.h5")" '
    { if (!($1 in best) || $2 < best[$1]) best[$1] = $2 }
    END {
        per = (best["1e-6"] - best["0"]) / e
        printf "- whole run, best of its rounds: %.2f s without checkpoints, %.2f s with one every epoch\n", best["0"], best["1e-6"]
        printf "- a checkpoint: %.1f ms; %.2f MB (the net file: %.2f MB)\n", 1000 * per, size / 1e6, net / 1e6
        printf "- at the default, one every 60 s: %.4f %% of the training time\n", 100 * per / 60
    }' "$TMP/ck"

# A warm start (train --init): a net of 200 epochs goes on for 100 more, against 300 epochs
# from the seed: the best validation loss and the training seconds of each (2 threads)
echo
echo "## train --init: 100 more epochs from a net of 200, against 300 from the seed"
echo
"$BPINV" samples -m schlumberger --layers 4 --ab2 1:1000:25 --rho 1:10000 --thick 0.5:200 \
    --noise 0.02 -n 50000 --seed 1 -q -o "$TMP/w.h5" || exit 1
# loss_time NAME ARGS...: trains, and prints NAME, the best validation loss and the seconds
loss_time() {
    name=$1
    shift
    "$BPINV" train "$TMP/w.h5" "$@" -j 2 --patience 0 2>"$TMP/w.err" >/dev/null || exit 1
    sed -n 's/.*val loss \([0-9.]*\)), \([0-9.]*\) s.*/\1 \2/p' "$TMP/w.err" | tail -1 |
        awk -v n="$name" '{ print n, $1, $2 }'
}
{
    loss_time a200 -o "$TMP/a200.h5" --epochs 200
    loss_time s300 -o "$TMP/s300.h5" --epochs 300
    loss_time w100 -o "$TMP/w100.h5" --epochs 100 --init "$TMP/a200.h5"
} >"$TMP/w.txt"
awk '{ l[$1] = $2; t[$1] = $3 }
    END {
        printf "4 layers, rho 1-10,000 ohm-m, h 0.5-200 m, 25 AB/2, 50,000 samples at 2 %% noise, the defaults\n\n"
        printf "| net | epochs | best validation loss | training s |\n|---|---:|---:|---:|\n"
        printf "| from the seed | 200 | %.6f | %.1f |\n", l["a200"], t["a200"]
        printf "| from the seed | 300 | %.6f | %.1f |\n", l["s300"], t["s300"]
        printf "| `--init` the net of 200 | 200 + 100 | %.6f | %.1f + %.1f |\n", l["w100"], t["a200"], t["w100"]
        printf "\nThe 100 epochs from the net: %.2f x the time of 300 from the seed, its loss %+.3f %% of theirs\n",
            t["w100"] / t["s300"], 100 * (l["w100"] / l["s300"] - 1)
    }' "$TMP/w.txt"
