#!/bin/sh
# SPDX-License-Identifier: MIT
# bench_samples.sh - `bpinv samples` into HDF5: 1,000,000 samples of a 3-layer earth on
# 30 points, -j2 and -j1, Schlumberger and MT; samples/s and file size as a Markdown table.
# The DESIGN target: 1,000,000 Schlumberger samples in <= 15 s on 2 cores.
# usage: sh tests/bench/bench_samples.sh PATH/TO/bpinv [COUNT]
BPINV=${1:-./bpinv}
N=${2:-1000000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

now() { date +%s.%N; }

echo "## samples: $N samples, 3 layers, 30 points, noise 0.03"
echo
echo "| method | threads | seconds | samples/s | file MiB | bytes/sample | target |"
echo "|---|---:|---:|---:|---:|---:|---|"
for m in schlumberger mt; do
    if [ $m = mt ]; then G="--period 0.001:1000:30"; else G="--ab2 1:1000:30"; fi
    for j in 2 1; do
        t0=$(now)
        "$BPINV" samples -m $m --layers 3 $G --rho 1:1000 --thick 1:50 --noise 0.03 \
            -n "$N" -j $j -q -o "$TMP/s.h5" --force || exit 1
        t1=$(now)
        size=$(stat -c %s "$TMP/s.h5")
        awk -v m=$m -v j=$j -v t0="$t0" -v t1="$t1" -v n="$N" -v s="$size" 'BEGIN {
            t = t1 - t0;
            printf "| %s | %d | %.2f | %.0f | %.1f | %.1f | %s |\n", m, j, t, n / t,
                   s / 1048576, s / n, (m == "schlumberger" && j == 2) ? "<= 15 s" : "-" }'
    done
done
