#!/bin/sh
# SPDX-License-Identifier: MIT
# field_layers.sh - the layer counts the demo's field soundings choose: for each method, sets
# of nets for 2-5 layers with the demo's geometry, prior, noise and seed (tools/demo.sh),
# 40,000 samples a count, 60 epochs; then each field sounding inverted by its method's set
# (docs/invert.md, "Layer counts chosen by the data"). About a minute on two cores.
# usage: sh tests/bench/field_layers.sh [BPINV [OUTDIR]]   (default build/bpinv, build/layers)
set -e
BPINV=${1:-build/bpinv}
OUT=${2:-build/layers}
EX=docs/examples
mkdir -p "$OUT"

# set NAME SAMPLES-ARGS...: OUT/NAME.nets.h5, one net for each of 2-5 layers
set_of_nets() {
    name=$1
    shift
    t0=$(date +%s)
    for k in 2 3 4 5; do
        "$BPINV" samples "$@" --layers $k -n 40000 --seed 1 -o "$OUT/$name$k.h5" --force
    done
    "$BPINV" train "$OUT/${name}2.h5" "$OUT/${name}3.h5" "$OUT/${name}4.h5" "$OUT/${name}5.h5" \
        -o "$OUT/$name.nets.h5" --epochs 60 --force -q
    echo "$name: samples and nets in $(($(date +%s) - t0)) s" >&2
}
set_of_nets schlumberger -m schlumberger --ab2 1:10000:41 --rho 1:10000 --thick 0.5:2000 \
    --noise 0.05
set_of_nets wenner -m wenner --a 1:1000:31 --rho 1:10000 --thick 0.5:1000 --noise 0.03
set_of_nets mt -m mt --period 1e-4:1e4:49 --rho 0.3:10000 --thick 5:30000 --noise 0.2

"$BPINV" invert "$OUT/schlumberger.nets.h5" "$EX/mawlamyine_loc3_schlumberger.csv" --format json
"$BPINV" invert "$OUT/schlumberger.nets.h5" "$EX/mawlamyine_loc3_schlumberger.csv" \
    --segment-ref auto --format json
"$BPINV" invert "$OUT/wenner.nets.h5" "$EX/aungsan_wenner.txt" --format json
"$BPINV" invert "$OUT/mt.nets.h5" "$EX/cull1985_mt.txt" "$EX/penola_site3.edi" --format json
