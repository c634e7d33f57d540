#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh - what `make demo` runs: the parts of the pipeline that exist today.
set -e
BPINV=${1:-./bpinv}
OUT=build/demo
mkdir -p "$OUT"
echo "== 1/3 forward: a three-layer earth, Schlumberger AB/2 1..1000 m"
"$BPINV" forward -m schlumberger --rho 100,10,1000 --thick 5,20 --ab2 1:1000:7
echo
echo "== 2/3 samples: 20000 three-layer models with 3 % noise into $OUT/train.h5"
"$BPINV" samples -m schlumberger --layers 3 --ab2 1:1000:30 --rho 1:1000 --thick 1:50 \
    --noise 0.03 -n 20000 -o "$OUT/train.h5" --force
echo
echo "== 3/3 info"
"$BPINV" info "$OUT/train.h5"
echo
echo "Not yet: training the network (bpinv train) and inverting the real field soundings"
echo "(bpinv invert) are being built; this demo will run them when they exist."
