#!/bin/sh
# SPDX-License-Identifier: MIT
# bench_invert.sh - `bpinv invert`: one sounding end to end (process start, net load, read,
# invert, physics check, print) beside `bpinv --version`'s own start-up, a batch of 10,000
# sounding files on 1 and 2 threads, the net alone (--no-refine) and refined (the default), as
# one survey table, and each with spacings of its own;
# then quality against classical Levenberg-Marquardt (bench_invert).
# Targets: one sounding <= 20 ms and within 5 ms of --version; 10,000 soundings, the net
# alone, >= 20,000 soundings/s.
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
# one sounding: 100 rounds of three whole processes in turn (--version, invert --no-refine,
# invert; the order rotating), each timed around its own start and exit; the differences to
# --version are taken within a round, so the machine's drift moves all three. A row's total
# is --version's median plus the median difference.
st=$("$BENCH" --startup 100 "$BPINV" "$TMP/net.h5" "$TMP/snd/s000000.csv") || exit 1
set -- $st
v_ms=$1
one_ms=$(awk -v v="$1" -v d="$2" 'BEGIN { printf "%.2f", v + d }')
echo "| what | value | target |"
echo "|---|---:|---|"
echo "| bpinv --version, whole process (median of 100) | $v_ms ms | - |"
awk -v v="$1" -v a="$2" -v b="$3" -v a9="$4" -v b9="$5" 'BEGIN {
    printf "| one sounding, --no-refine, whole process (--version + the median difference of 100 rounds; its 90th percentile) | %.2f ms (--version + %.2f; p90 + %.2f) | <= 20 ms, <= --version + 5 |\n", v + a, a, a9
    printf "| one sounding, refined (default), whole process (--version + the median difference of 100 rounds; its 90th percentile) | %.2f ms (--version + %.2f; p90 + %.2f) | <= 20 ms, <= --version + 5 |\n", v + b, b, b9 }'
# The same with the heap in 4 KiB pages only (BPINV_HUGE_PAGES=0; tools/cli_heap.c): what
# the huge page at the heap's start saves, in this run.
st0=$(export BPINV_HUGE_PAGES=0
    "$BENCH" --startup 100 "$BPINV" "$TMP/net.h5" "$TMP/snd/s000000.csv") || exit 1
set -- $st0
awk -v v="$1" -v a="$2" -v b="$3" -v a9="$4" -v b9="$5" 'BEGIN {
    printf "| the same three, BPINV_HUGE_PAGES=0: --version; one sounding --no-refine; refined | %.2f ms; --version + %.2f (p90 + %.2f); --version + %.2f (p90 + %.2f) | - |\n", v, a, a9, b, b9 }'
# Where the start-up goes: a process's minor page faults (first touches of a page), each at
# this machine's cost. A VM that traps every fault makes them dear; bare metal does not.
if [ -x /usr/bin/time ]; then
    faults() { /usr/bin/time -f %R "$@" 2>&1 >/dev/null | tail -n 1; }
    f_v=$(faults "$BPINV" --version)
    f_i=$(faults "$BPINV" invert "$TMP/net.h5" "$TMP/snd/s000000.csv" --no-refine)
    f_v0=$(export BPINV_HUGE_PAGES=0; faults "$BPINV" --version)
    f_i0=$(export BPINV_HUGE_PAGES=0
        faults "$BPINV" invert "$TMP/net.h5" "$TMP/snd/s000000.csv" --no-refine)
    us=$("$BENCH" --fault-cost)
    awk -v fv="$f_v" -v fi="$f_i" -v fv0="$f_v0" -v fi0="$f_i0" -v us="$us" 'BEGIN {
        printf "| minor page faults: --version / one sounding, --no-refine (BPINV_HUGE_PAGES=0: %d / %d) | %d / %d | - |\n", fv0, fi0, fv, fi
        printf "| cost of a page fault on this machine (first touch, median of 9 x 1024) | %.2f us | - |\n", us
        printf "| the one sounding'"'"'s faults beyond --version'"'"'s, at that cost (negative: fewer; BPINV_HUGE_PAGES=0: %d, %.2f ms) | %d, %.2f ms | - |\n", fi0 - fv0, (fi0 - fv0) * us / 1000, fi - fv, (fi - fv) * us / 1000 }'
    awk -v fv="$f_v" -v fi="$f_i" -v us="$us" -v ms="$one_ms" -v v="$v_ms" 'BEGIN {
        printf "| one sounding, --no-refine, less its extra faults | --version + %.2f ms | <= --version + 5 |\n", ms - v - (fi - fv) * us / 1000 }'
fi
for opt in "-j 2 --no-refine" "-j 1 --no-refine" "-j 2" "-j 1"; do
    t0=$(now)
    "$BPINV" invert "$TMP/net.h5" "$TMP/snd" $opt -q -o "$TMP/out.csv" --force || exit 1
    t1=$(now)
    awk -v t0="$t0" -v t1="$t1" -v n="$N" -v o="$opt" 'BEGIN {
        printf "| %d soundings, invert %s, whole process | %.0f soundings/s (%.2f s) | %s |\n",
               n, o, n / (t1 - t0), t1 - t0, o == "-j 2 --no-refine" ? ">= 20,000/s" : "-" }'
done
# the same soundings as one survey table (a station column): one file read, split by station
awk 'FNR == 1 { st = FILENAME; sub(/.*\//, "", st); sub(/\.csv$/, "", st); next }
     { print st "," $0 }' "$TMP"/snd/*.csv | { echo "station,ab2_m,rho_a_ohmm"; cat; } >"$TMP/survey.csv"
t0=$(now)
"$BPINV" invert "$TMP/net.h5" "$TMP/survey.csv" -j 2 --no-refine -q -o "$TMP/survey.out" --force || exit 1
t1=$(now)
[ "$(wc -l <"$TMP/survey.out")" -eq $((N + 1)) ] || { echo "survey table: not $N rows" >&2; exit 1; }
awk -v t0="$t0" -v t1="$t1" -v n="$N" 'BEGIN {
    printf "| %d soundings as one survey table (a station column), invert -j 2 --no-refine, whole process | %.0f soundings/s (%.2f s) | - |\n", n, n / (t1 - t0), t1 - t0 }'
# the same soundings, each with spacings of its own (a field survey): every AB/2 times a
# factor 1 to 1.5 drawn per sounding, the points past the net's 1000 m dropped. The data
# stay exact: a DC response is unchanged when the spacings and every h scale together.
mkdir "$TMP/own"
awk -v seed=7 'BEGIN { srand(seed) }
     FNR == 1 { if (out != "") close(out); out = FILENAME; sub(/.*\//, "", out)
                out = dir "/" out; f = 1 + 0.5 * rand(); print > out; next }
     { split($0, v, ","); if (v[1] * f <= 1000) printf "%.6g,%s\n", v[1] * f, v[2] > out }' \
    dir="$TMP/own" "$TMP"/snd/*.csv
for opt in "-j 2 --no-refine" "-j 2"; do
    t0=$(now)
    "$BPINV" invert "$TMP/net.h5" "$TMP/own" $opt -q -o "$TMP/own.csv" --force || exit 1
    t1=$(now)
    awk -v t0="$t0" -v t1="$t1" -v n="$N" -v o="$opt" 'BEGIN {
        printf "| %d soundings, each its own spacings, invert %s, whole process | %.0f soundings/s (%.2f s) | - |\n",
               n, o, n / (t1 - t0), t1 - t0 }'
done
# pictures: 200 soundings with --plot (a 1000 x 560 PNG each), drawn by 1 and 2 processes;
# the inversion alone is about 0.01 s of it
mkdir "$TMP/p200"
ls "$TMP/snd" | head -n 200 | while read -r f; do ln -s "$TMP/snd/$f" "$TMP/p200/$f"; done
for j in 1 2; do
    t0=$(now)
    "$BPINV" invert "$TMP/net.h5" "$TMP/p200" -j "$j" --no-refine --plot "$TMP/plots$j" -q \
        -o "$TMP/p200.csv" --force || exit 1
    t1=$(now)
    [ "$(ls "$TMP/plots$j" | wc -l)" -eq 200 ] || { echo "--plot: not 200 pictures" >&2; exit 1; }
    awk -v t0="$t0" -v t1="$t1" -v j="$j" -v kb="$(du -sk "$TMP/plots$j" | cut -f1)" 'BEGIN {
        printf "| 200 soundings, invert -j %d --no-refine --plot, whole process | %.0f pictures/s (%.2f s; %.0f kB a PNG) | - |\n",
               j, 200 / (t1 - t0), t1 - t0, kb / 200 }'
done
echo
echo "## cost growth: invert against the batch size (-j 2 --no-refine, whole process)"
echo
echo "| soundings | seconds | soundings/s |"
echo "|---:|---:|---:|"
for b in 1 10 100 1000 "$N"; do
    mkdir "$TMP/b$b"
    ls "$TMP/snd" | head -n "$b" | while read -r f; do ln -s "$TMP/snd/$f" "$TMP/b$b/$f"; done
    t0=$(now)
    "$BPINV" invert "$TMP/net.h5" "$TMP/b$b" -j 2 --no-refine -q -o "$TMP/b$b.csv" || exit 1
    t1=$(now)
    awk -v t0="$t0" -v t1="$t1" -v n="$b" 'BEGIN { printf "| %d | %.3f | %.0f |\n", n, t1 - t0, n / (t1 - t0) }'
done
echo
cat "$TMP/quality.md"
