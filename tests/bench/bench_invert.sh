#!/bin/sh
# SPDX-License-Identifier: MIT
# bench_invert.sh - `bpinv invert`: one sounding end to end (process start, net load, read,
# invert, physics check, print), a batch of 10,000 sounding files on 1 and 2 threads, with and
# without --refine; then quality against classical Levenberg-Marquardt (bench_invert).
# DESIGN targets: one sounding <= 20 ms; 10,000 soundings >= 20,000 soundings/s.
# usage: sh tests/bench/bench_invert.sh PATH/TO/bpinv PATH/TO/bench_invert [COUNT]
BPINV=${1:-./bpinv}
BENCH=${2:-build/bench_invert}
N=${3:-10000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
now() { date +%s.%N; }

"$BPINV" samples -m schlumberger --layers 3 --ab2 1:1000:30 --rho 1:1000 --thick 1:50 \
    --noise 0.03 -n 100000 -q -o "$TMP/s.h5" || exit 1
"$BPINV" train "$TMP/s.h5" -o "$TMP/net.h5" --epochs 60 -q || exit 1
mkdir "$TMP/snd"
"$BENCH" "$TMP/net.h5" "$TMP/snd" "$N" >"$TMP/quality.md" || exit 1

echo "## invert: speed (3-layer Schlumberger net, 30 AB/2, the net of the quality table)"
echo
# one sounding: 50 runs of the whole process in a row, timed together (timing each run with
# date would add two process starts of date to every run)
t0=$(now)
for i in $(seq 1 50); do
    "$BPINV" invert "$TMP/net.h5" "$TMP/snd/s000000.csv" >/dev/null || exit 1
done
t1=$(now)
awk -v t0="$t0" -v t1="$t1" 'BEGIN {
    printf "| one sounding, whole process (mean of 50 in a row) | %.1f ms | <= 20 ms |\n", (t1 - t0) * 1000 / 50 }' >"$TMP/one.md"
echo "| what | value | target |"
echo "|---|---:|---|"
cat "$TMP/one.md"
for opt in "-j 2" "-j 1" "-j 2 --refine" "-j 1 --refine"; do
    t0=$(now)
    "$BPINV" invert "$TMP/net.h5" "$TMP/snd" $opt -q -o "$TMP/out.csv" --force || exit 1
    t1=$(now)
    awk -v t0="$t0" -v t1="$t1" -v n="$N" -v o="$opt" 'BEGIN {
        printf "| %d soundings, invert %s, whole process | %.0f soundings/s (%.2f s) | %s |\n",
               n, o, n / (t1 - t0), t1 - t0, o == "-j 2" ? ">= 20,000/s" : "-" }'
done
echo
echo "## cost growth: invert against the batch size (-j 2, whole process)"
echo
echo "| soundings | seconds | soundings/s |"
echo "|---:|---:|---:|"
for b in 1 10 100 1000 "$N"; do
    mkdir "$TMP/b$b"
    ls "$TMP/snd" | head -n "$b" | while read -r f; do ln -s "$TMP/snd/$f" "$TMP/b$b/$f"; done
    t0=$(now)
    "$BPINV" invert "$TMP/net.h5" "$TMP/b$b" -j 2 -q -o "$TMP/b$b.csv" || exit 1
    t1=$(now)
    awk -v t0="$t0" -v t1="$t1" -v n="$b" 'BEGIN { printf "| %d | %.3f | %.0f |\n", n, t1 - t0, n / (t1 - t0) }'
done
echo
cat "$TMP/quality.md"
