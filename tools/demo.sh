#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh - what `make demo` runs: for each real field sounding in docs/examples, a training
# set for its survey geometry, a net trained on it, and the inversion with plots; then a
# summary table. Outputs go to build/demo/. A step whose output exists, was made by the same
# command (its .cmd stamp) and is newer than its input and than bpinv is not run again.
# usage: sh tools/demo.sh PATH/TO/bpinv
set -e
BPINV=${1:-./bpinv}
OUT=build/demo
EX=docs/examples
mkdir -p "$OUT"
t_start=$(date +%s)

# step NAME OUTPUT INPUT COMMAND...: runs COMMAND unless OUTPUT exists from the same command
# and is newer than INPUT (- for none)
step() {
    s_name=$1 s_out=$2 s_in=$3
    shift 3
    if [ -f "$s_out" ] && [ -f "$s_out.cmd" ] && [ "$(cat "$s_out.cmd")" = "$*" ] &&
        { [ "$s_in" = - ] || [ ! "$s_in" -nt "$s_out" ]; } && [ ! "$BPINV" -nt "$s_out" ]; then
        echo "   $s_name: $s_out is up to date"
        return 0
    fi
    t0=$(date +%s)
    rm -f "$s_out.cmd"
    "$@"
    echo "$*" >"$s_out.cmd"
    echo "   $s_name: done in $(($(date +%s) - t0)) s"
}

# net NAME SAMPLES-ARGS...: a training set and a net for one survey geometry
net() {
    name=$1
    shift
    step "samples $name" "$OUT/$name.samples.h5" - \
        "$BPINV" samples "$@" -n 100000 --seed 1 -o "$OUT/$name.samples.h5" --force
    step "train $name" "$OUT/$name.net.h5" "$OUT/$name.samples.h5" \
        "$BPINV" train "$OUT/$name.samples.h5" -o "$OUT/$name.net.h5" --epochs 80 --force -q
}

echo "== 1/3 training sets and nets, one per survey geometry (100,000 samples each)"
echo "-- Schlumberger, Mawlamyine: AB/2 5-350 m; 4 layers, 10-3000 ohm-m, 0.5-80 m, 5 % noise"
net mawlamyine -m schlumberger --layers 4 --ab2 5:350:20 --rho 10:3000 --thick 0.5:80 --noise 0.05
echo "-- Wenner, Aung San: a 4-96 m; 3 layers, 10-3000 ohm-m, 0.5-60 m, 3 % noise"
net aungsan -m wenner --layers 3 --a 4:96:16 --rho 10:3000 --thick 0.5:60 --noise 0.03
echo "-- MT, Cull (1985): 0.02-2000 s; 4 layers, 0.3-3000 ohm-m, 20 m-30 km, 30 % noise"
net cull -m mt --layers 4 --period 0.02:2000:24 --rho 0.3:3000 --thick 20:30000 --noise 0.3
echo "-- MT, Penola EDI: 0.004-1300 s; 4 layers, 0.3-3000 ohm-m, 5 m-20 km, 5 % noise"
net penola -m mt --layers 4 --period 0.004:1300:26 --rho 0.3:3000 --thick 5:20000 --noise 0.05

echo
echo "== 2/3 inverting the field soundings (net, then Levenberg-Marquardt inside the prior)"
rm -f "$OUT"/*.csv.tmp.* "$OUT"/results_*.csv
"$BPINV" invert "$OUT/mawlamyine.net.h5" "$EX/mawlamyine_loc3_schlumberger.csv" --refine --force \
    --plot "$OUT/plots" --ref-rho 348.4,722.9,282,100.8,51.4,170.8,31.1,184.3 \
    --ref-thick 1.4,1.6,1.4,12.1,11.4,25.1,54.2 --ref-label "published 8-layer model" \
    -o "$OUT/results_mawlamyine.csv" -q
"$BPINV" invert "$OUT/aungsan.net.h5" "$EX/aungsan_wenner.txt" --refine --force --plot "$OUT/plots" \
    -o "$OUT/results_aungsan.csv" -q
"$BPINV" invert "$OUT/cull.net.h5" "$EX/cull1985_mt.txt" --refine --force --plot "$OUT/plots" \
    -o "$OUT/results_cull.csv" -q
"$BPINV" invert "$OUT/penola.net.h5" "$EX/penola_site3.edi" --refine --force --plot "$OUT/plots" \
    -o "$OUT/results_penola.csv" -q
echo "   plots in $OUT/plots/, results in $OUT/results_*.csv"

echo
echo "== 3/3 summary"
printf '%-36s %-13s %6s %9s %8s  %s\n' sounding method layers misfit_% chi2 flags
for f in "$OUT"/results_mawlamyine.csv "$OUT"/results_aungsan.csv "$OUT"/results_cull.csv \
    "$OUT"/results_penola.csv; do
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { n = split($c["source"], p, "/");
          printf "%-36s %-13s %6s %9s %8s  %s\n", p[n], $c["method"], $c["n_layers"],
                 $c["misfit_rms_pct"], $c["chi2"] == "" ? "-" : $c["chi2"],
                 $c["flags"] == "" ? "-" : $c["flags"] }' "$f"
done
echo
echo "demo finished in $(($(date +%s) - t_start)) s; see docs/examples/README.md for what the"
echo "results mean and how each net's prior was chosen."
