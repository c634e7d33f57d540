#!/bin/sh
# SPDX-License-Identifier: MIT
# bench_train.sh - training throughput: a 30-64-7 net (4-layer Schlumberger, 30 spacings),
# batch 256, Adam, on 1 and 2 threads; PyTorch on the same data in the same run when
# python3-torch is installed (`make bench-peers`), else a note. Markdown on stdout.
# FANN (libfann-dev) likewise, when built. The DESIGN target: >= 1,000,000 sample-passes/s
# on 2 cores, faster than PyTorch.
# usage: sh tests/bench/bench_train.sh PATH/TO/bpinv PATH/TO/bench_train [COUNT [EPOCHS]]
BPINV=${1:-./bpinv}
BENCH=${2:-build/bench_train}
N=${3:-200000}
E=${4:-5}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

"$BPINV" samples -m schlumberger --layers 4 --ab2 1:1000:30 --rho 1:1000 --thick 1:50 \
    --noise 0.03 -n "$N" -q -o "$TMP/s.h5" || exit 1
echo "## train: $N samples (4 layers, 30 spacings, noise 0.03), 90 % trained, $E epochs, batch 256, Adam"
echo
echo "| trainer | net | threads | epochs | seconds | sample-passes/s | validation MSE |"
echo "|---|---|---:|---:|---:|---:|---:|"
"$BENCH" "$TMP/s.h5" "$E" 64 256 || exit 1
PY=/usr/bin/python3
if $PY -c "import torch, h5py" 2>/dev/null; then
    $PY "$(dirname "$0")/peer_train_torch.py" "$TMP/s.h5" "$E" 64 256 || exit 1
else
    echo
    echo "PyTorch peer skipped: python3-torch is not installed (make bench-peers installs it)."
fi
FANN=$(dirname "$BENCH")/peer_train_fann
if [ -x "$FANN" ]; then
    "$FANN" "$TMP/s.h5" "$E" || exit 1
else
    echo
    echo "FANN peer skipped: libfann-dev is not installed (make bench-peers installs it)."
fi
echo
echo "Target: >= 1,000,000 sample-passes/s on 2 threads. Validation MSE is of the standardised"
echo "log10 parameters after the same epochs (1.0 = no better than the training mean)."
