#!/bin/sh
# SPDX-License-Identifier: MIT
# demo.sh - what `make demo` runs: the parts of the pipeline that exist today.
set -e
BPINV=${1:-./bpinv}
OUT=build/demo
mkdir -p "$OUT"
echo "== 1/4 forward: a three-layer earth, Schlumberger AB/2 1..1000 m"
"$BPINV" forward -m schlumberger --rho 100,10,1000 --thick 5,20 --ab2 1:1000:7
echo
echo "== 2/4 samples: 20000 three-layer models with 3 % noise into $OUT/train.h5"
"$BPINV" samples -m schlumberger --layers 3 --ab2 1:1000:30 --rho 1:1000 --thick 1:50 \
    --noise 0.03 -n 20000 -o "$OUT/train.h5" --force
echo
echo "== 3/4 train: a 30-64-5 network on it, 40 epochs at most"
"$BPINV" train "$OUT/train.h5" -o "$OUT/net.h5" --epochs 40 --force
echo
echo "== 4/4 info"
"$BPINV" info "$OUT/train.h5"
"$BPINV" info "$OUT/net.h5"
echo
echo "Not yet: inverting the real field soundings (bpinv invert) is being built; this demo"
echo "will run it when it exists."
