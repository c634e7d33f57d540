#!/bin/sh
# SPDX-License-Identifier: MIT
# bench_mpi.sh - bpinv under mpirun (docs/scaling.md): strong and weak scaling of samples,
# train and invert on this machine with 1, 2 and 4 ranks of one thread each (4 on 2 cores is
# oversubscribed: it shows the overhead, not a speed-up), against one process of the plain
# build; mpirun's own start-up; the bytes each training step sums over the ranks.
# usage: sh tests/bench/bench_mpi.sh PATH/TO/bpinv PATH/TO/build-mpi/bpinv [SCALE]
#   SCALE (default 1) multiplies every size: 0.2 for a quick look.
BPINV=${1:-./bpinv}
MPIBIN=${2:-build-mpi/bpinv}
SCALE=${3:-1}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
export OMP_WAIT_POLICY=passive

if [ ! -x "$MPIBIN" ] || ! command -v mpirun >/dev/null 2>&1; then
    echo "## MPI: skipped ($MPIBIN not built: make deps MPI=1 && make MPI=1)"
    exit 0
fi
now() { date +%s.%N; }
sz() { awk -v n="$1" -v s="$SCALE" 'BEGIN { printf "%d", n * s }'; }
# timed K CMD...: seconds of the whole process (K = 0: the plain build, one process)
timed() {
    k=$1
    shift
    t0=$(now)
    if [ "$k" -eq 0 ]; then
        "$BPINV" "$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; touch "$TMP/failed"; }
    else
        mpirun -np "$k" "$MPIBIN" "$@" >/dev/null 2>"$TMP/err" || { cat "$TMP/err" >&2; touch "$TMP/failed"; }
    fi
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
# row LABEL K WORK SECONDS BASE: a table row with the rate, speed-up and efficiency
row() {
    if [ "$2" -eq 0 ]; then ranks="1 (plain build)"; r=1; else ranks=$2; r=$2; fi
    awk -v l="$1" -v k="$ranks" -v r="$r" -v w="$3" -v t="$4" -v b="$5" 'BEGIN {
        printf "| %s | %s | %.2f | %.0f | %.2f | %.0f %% |\n", l, k, t, w / t, b / t, 100 * b / t / r }'
}

echo "## MPI: scaling on this machine ($(nproc) cores; one thread per rank)"
echo
t=$(timed 1 --version)
t2=$(timed 2 --version)
echo "mpirun start-up: $t s for 1 rank, $t2 s for 2 (bpinv --version under mpirun)."
echo

G="-m schlumberger --layers 4 --ab2 1:1000:30 --rho 1:1000 --thick 1:100 --noise 0.02 -j 1"
N=$(sz 400000)
echo "### samples, strong: $N samples, 4 layers, 30 AB/2"
echo
echo "| run | ranks | seconds | samples/s | speed-up | efficiency |"
echo "|---|---:|---:|---:|---:|---:|"
base=$(timed 1 samples $G -n "$N" -o "$TMP/s.h5" -q --force)
row "samples" 0 "$N" "$(timed 0 samples $G -n "$N" -o "$TMP/s.h5" -q --force)" "$base"
row "samples" 1 "$N" "$base" "$base"
for k in 2 4; do
    row "samples" $k "$N" "$(timed $k samples $G -n "$N" -o "$TMP/s.h5" -q --force)" "$base"
done
echo
W=$(sz 200000)
echo "### samples, weak: $W samples per rank"
echo
echo "| run | ranks | seconds | samples/s | speed-up | efficiency |"
echo "|---|---:|---:|---:|---:|---:|"
base=""
for k in 1 2 4; do
    t=$(timed $k samples $G -n $((W * k)) -o "$TMP/w.h5" -q --force)
    base=${base:-$t}
    # weak: the ideal keeps the time; speed-up is work per second against 1 rank's
    awk -v k=$k -v w=$((W * k)) -v t="$t" -v b="$base" 'BEGIN {
        printf "| samples | %d | %.2f | %.0f | %.2f | %.0f %% |\n", k, t, w / t, k * b / t, 100 * b / t }'
done
echo

R=$(sz 200000)
timed 0 samples $G -n "$R" -o "$TMP/t.h5" -q --force >/dev/null
bytes_per=$(stat -c %s "$TMP/t.h5")
# loop K ARGS...: the training loop's seconds (the net's train_seconds: no read, no start-up)
loop() {
    timed "$@" >/dev/null
    /usr/bin/python3 -c "import h5py, sys; print(h5py.File(sys.argv[1])['/'].attrs['train_seconds'])" "$TMP/n.h5"
}
for batch in 256 1024; do
    E=10
    P=$(awk -v r="$R" -v e=$E 'BEGIN { printf "%d", (r - int(r * 0.1 + 0.5)) * e }')
    echo "### train, strong: $R rows (10 % validating), net 30-64-7, batch $batch, $E epochs"
    echo
    echo "Seconds of the training loop (the net's \`train_seconds\`: without the read and mpirun's start-up)."
    echo
    echo "| run | ranks | loop seconds | sample-passes/s | speed-up | efficiency |"
    echo "|---|---:|---:|---:|---:|---:|"
    T="--epochs $E --patience 0 --hidden 64 --batch $batch -j 1 -q --force"
    base=$(loop 1 train "$TMP/t.h5" -o "$TMP/n.h5" $T)
    row "train" 0 "$P" "$(loop 0 train "$TMP/t.h5" -o "$TMP/n.h5" $T)" "$base"
    row "train" 1 "$P" "$base" "$base"
    for k in 2 4; do
        row "train" $k "$P" "$(loop $k train "$TMP/t.h5" -o "$TMP/n.h5" $T)" "$base"
    done
    # each step sums every shard's gradient and loss: shards x (parameters + 1) doubles
    awk -v b=$batch 'BEGIN { np = 30 * 64 + 64 + 64 * 7 + 7; sh = int((b + 127) / 128);
        printf "\nSummed per step: %d shards x %d doubles = %.1f KiB (one MPI_Allreduce); ", sh, np + 1, sh * (np + 1) * 8 / 1024;
        printf "at most %d ranks have a shard to compute.\n\n", sh }'
done

# memory: each rank holds its part of the rows; process 0 also the head (the first 2^20
# training rows, the statistics'), when its part is smaller
B=$(sz 2200000)
timed 0 samples $G -n "$B" --seed 4 -o "$TMP/b.h5" -q --force >/dev/null
echo "### train, memory: $B rows (10 % validating), 30 features and 7 parameters a row, 1 epoch"
echo
echo "Peak resident memory of each rank (/usr/bin/time), and the whole process's seconds (the read is most of it)."
echo
echo "| ranks | rows held by each rank, about (MiB of them) | peak per rank, MiB | seconds |"
echo "|---:|---|---|---:|"
for k in 1 2 4; do
    rm -f "$TMP"/mem.*
    t0=$(now)
    mpirun -np $k sh -c '/usr/bin/time -f %M -o "$0.$OMPI_COMM_WORLD_RANK" "$@"' "$TMP/mem" "$MPIBIN" \
        train "$TMP/b.h5" -o "$TMP/nb.h5" --epochs 1 --batch 1024 -j 1 -q --force >/dev/null 2>"$TMP/err" ||
        { cat "$TMP/err" >&2; touch "$TMP/failed"; }
    t1=$(now)
    peaks=$(for r in $(seq 0 $((k - 1))); do awk '{ printf "%.0f", $1 / 1024 }' "$TMP/mem.$r"; echo; done | paste -sd, - | sed 's/,/, /g')
    awk -v k=$k -v n="$B" -v p="$peaks" -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" 'BEGIN {
        nt = n - int(n * 0.1 + 0.5); head = nt < 1048576 ? nt : 1048576; part = n / k; r0 = nt / k < head && k > 1 ? head + (n - nt) / k : part;
        if (k > 1) held = sprintf("%.0f (%.0f); process 0: %.0f (%.0f)", part, part * 296 / 1048576, r0, r0 * 296 / 1048576);
        else held = sprintf("%.0f (%.0f)", n, n * 296 / 1048576);
        printf "| %d | %s | %s | %.1f |\n", k, held, p, t }'
done
awk -v b=1024 'BEGIN { printf "\nRows brought to each rank per step (batch %d): %d of its %d at 2 ranks, %d of %d at 4: %.1f and %.1f KiB of 296-byte rows.\n\n", b, b / 2 / 2, b / 2, b / 4 * 3 / 4, b / 4, b / 4 * 296 / 1024, b / 4 * 3 / 4 * 296 / 1024 }'

# the soundings: the noisy data of samples, as one survey table (long layout)
M=$(sz 4000)
timed 0 samples $G -n "$M" --seed 9 -o "$TMP/f.h5" -q --force >/dev/null
/usr/bin/python3 - "$TMP/f.h5" "$TMP/survey.csv" <<'EOF' || exit 1
import sys, h5py
with h5py.File(sys.argv[1], "r") as f, open(sys.argv[2], "w") as out:
    x, d = f["geometry/ab2_m"][:], f["data_noisy"][:]
    out.write("station,ab2_m,rho_a_ohmm\n")
    for i, row in enumerate(d):
        for a, r in zip(x, row):
            out.write(f"S{i},{a:.6g},{r:.6g}\n")
EOF
timed 0 train "$TMP/t.h5" -o "$TMP/n.h5" --epochs 10 --hidden 64 -j 2 -q --force >/dev/null
for refine in --no-refine --refine; do
    echo "### invert, strong: $M soundings of one survey table, $refine"
    echo
    echo "| run | ranks | seconds | soundings/s | speed-up | efficiency |"
    echo "|---|---:|---:|---:|---:|---:|"
    I="$refine -j 1 -o $TMP/out.csv --force -q"
    base=$(timed 1 invert "$TMP/n.h5" "$TMP/survey.csv" $I)
    row "invert" 0 "$M" "$(timed 0 invert "$TMP/n.h5" "$TMP/survey.csv" $I)" "$base"
    row "invert" 1 "$M" "$base" "$base"
    for k in 2 4; do
        row "invert" $k "$M" "$(timed $k invert "$TMP/n.h5" "$TMP/survey.csv" $I)" "$base"
    done
    echo
done
awk -v s="$bytes_per" -v n="$R" 'BEGIN { printf "Samples file: %.0f bytes per sample (4 layers, 30 points, compressed).\n", s / n }'
[ ! -e "$TMP/failed" ]
