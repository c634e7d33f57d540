#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh - what `make demo` runs: one training set and one net per method (Schlumberger,
# Wenner, MT), each over a wide span and prior, then every real field sounding in
# docs/examples inverted by the net of its method, with plots; then a summary table. Outputs go to build/demo/. A step whose output exists, was made by the same
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

# net NAME SAMPLES-ARGS...: a training set and a net for one method, over a wide span
net() {
    name=$1
    shift
    step "samples $name" "$OUT/$name.samples.h5" - \
        "$BPINV" samples "$@" -n 100000 --seed 1 -o "$OUT/$name.samples.h5" --force
    step "train $name" "$OUT/$name.net.h5" "$OUT/$name.samples.h5" \
        "$BPINV" train "$OUT/$name.samples.h5" -o "$OUT/$name.net.h5" --epochs 80 --force -q
}

echo "== 1/3 one net per method, each for any part of its span of 1 decade or more"
echo "   (100,000 samples each; 4 layers, 1-10,000 ohm-m (MT 0.3-10,000))"
echo "-- Schlumberger: AB/2 1 m-10 km; thicknesses 0.5 m-2 km, 5 % noise"
net schlumberger -m schlumberger --layers 4 --ab2 1:10000:41 --rho 1:10000 --thick 0.5:2000 \
    --noise 0.05
echo "-- Wenner: a 1 m-1 km; thicknesses 0.5 m-1 km, 3 % noise"
net wenner -m wenner --layers 4 --a 1:1000:31 --rho 1:10000 --thick 0.5:1000 --noise 0.03
echo "-- MT: periods 1e-4-1e4 s; thicknesses 5 m-30 km, 20 % noise"
net mt -m mt --layers 4 --period 1e-4:1e4:49 --rho 0.3:10000 --thick 5:30000 --noise 0.2

echo
echo "== 2/3 inverting the field soundings (net, then Levenberg-Marquardt inside the prior)"
rm -f "$OUT"/*.csv.tmp.* "$OUT"/results_*.csv
"$BPINV" invert "$OUT/schlumberger.net.h5" "$EX/mawlamyine_loc3_schlumberger.csv" --force \
    --plot "$OUT/plots" --ref-rho 348.4,722.9,282,100.8,51.4,170.8,31.1,184.3 \
    --ref-thick 1.4,1.6,1.4,12.1,11.4,25.1,54.2 --ref-label "published 8-layer model" \
    -o "$OUT/results_schlumberger.csv" -q
"$BPINV" invert "$OUT/wenner.net.h5" "$EX/aungsan_wenner.txt" --force --plot "$OUT/plots" \
    -o "$OUT/results_wenner.csv" -q
"$BPINV" invert "$OUT/mt.net.h5" "$EX/cull1985_mt.txt" "$EX/penola_site3.edi" --force \
    --plot "$OUT/plots" -o "$OUT/results_mt.csv" -q
echo "   plots in $OUT/plots/, results in $OUT/results_*.csv"
echo "-- a synthetic survey of 12 Schlumberger stations in one table (docs/examples):"
"$BPINV" invert "$OUT/schlumberger.net.h5" "$EX/profile_synthetic.csv" --force --ranges \
    --section "$OUT/plots/profile_section.png" --xyz "$OUT/profile.xyz" --plot "$OUT/plots" \
    -o "$OUT/results_profile.csv" -q
# the misfits, and each flag with its count (--ranges: equivalence leaves parameters
# unresolved at most stations, and says so)
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { m = $c["misfit_rms_pct"] + 0; lo = NR == 2 || m < lo ? m : lo; hi = m > hi ? m : hi;
      k = split($c["flags"], fl, ";"); for (i = 1; i <= k; i++) n[fl[i]]++ }
    END { printf "   misfits %.1f-%.1f %% (3 %% noise); flags:", lo, hi
          s = ""; for (f in n) s = s sprintf(" %s x%d", f, n[f]); print s == "" ? " none" : s
          printf "   section in %s, plots with the equivalent models in %s\n",
                 "'"$OUT"'/plots/profile_section.png", "'"$OUT"'/plots/" }' \
    "$OUT/results_profile.csv"

echo
echo "== 3/3 summary"
printf '%-36s %-13s %6s %7s %9s %8s %8s  %s\n' sounding method layers decades misfit_% chi2 \
    in_range flags
for f in "$OUT"/results_schlumberger.csv "$OUT"/results_wenner.csv "$OUT"/results_mt.csv; do
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        { n = split($c["source"], p, "/");
          printf "%-36s %-13s %6s %7s %9s %8s %8s  %s\n", p[n], $c["method"], $c["n_layers"],
                 $c["span_decades"], $c["misfit_rms_pct"], $c["chi2"] == "" ? "-" : $c["chi2"],
                 $c["in_range"], $c["flags"] == "" ? "-" : $c["flags"] }' "$f"
done
echo "(chi2: per datum against the errors a file gives, each raised to the net's noise; where"
echo " there is one it is the measure of the fit: a misfit_% of 42 beside a chi2 of 0.2 says"
echo " the file's errors are larger still. bpinv invert's JSON: chi2_given, the errors as given)"
echo
echo "demo finished in $(($(date +%s) - t_start)) s; see docs/examples/README.md for what the"
echo "results mean and how each net's span and prior were chosen."
