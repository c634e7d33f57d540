#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh - what `make bench` runs: every benchmark, as one Markdown report on stdout and in
# build/bench-report.md (machine, date, commit, then each table with its target and peers).
# Copy a report worth keeping to docs/bench/DATE.md.
# usage: sh tests/bench/run.sh BUILD-DIR
B=${1:-build}
OUT=$B/bench-report.md
{
    echo "# bpinv benchmarks, $(date -u +%Y-%m-%d)"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with local changes)')"
    echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "- compiler: $(${CC:-cc} --version | head -1)"
    echo
    "$B/bench_forward" | tee "$B/bench-forward.md" || exit 1
    ours=$(awk -F'|' '$2 ~ /^ schlumberger / { print $3 + 0; exit }' "$B/bench-forward.md")
    if /usr/bin/python3 -c "import numpy" 2>/dev/null; then
        OPENBLAS_NUM_THREADS=1 /usr/bin/python3 tests/bench/peer_forward_numpy.py 20000 "$ours"
    else
        echo "numpy peer skipped: python3-numpy is not installed (make bench-peers installs it)."
    fi
    echo
    sh tests/bench/bench_samples.sh "$B/bpinv" || exit 1
    echo
    sh tests/bench/bench_train.sh "$B/bpinv" "$B/bench_train" || exit 1
    echo
    sh tests/bench/bench_invert.sh "$B/bpinv" "$B/bench_invert" || exit 1
    echo
    "$B/bench_writer" || exit 1
    echo
    sh tests/bench/bench_mpi.sh "$B/bpinv" build-mpi/bpinv || exit 1
    echo
    "$B/bench_growth" || exit 1
    echo
    "$B/bench_subspan" || exit 1
    echo
    "$B/bench_misfit" || exit 1
    echo
    "$B/bench_starts" 200 "$B/bench-starts.jsonl" || exit 1
    echo
    SOV=$(make -s --no-print-directory print-soversion)
    if [ -f "$B/libbpinv.so.$SOV" ]; then
        BPINV_LIBRARY=$B/libbpinv.so.$SOV PYTHONPATH=tools/python OPENBLAS_NUM_THREADS=1 \
            /usr/bin/python3 tests/bench/bench_starts_scipy.py "$B/bench-starts.jsonl" || exit 1
    fi
    echo
    "$B/bench_ranges" || exit 1
    if /usr/bin/python3 -c "import numpy" 2>/dev/null && [ -f "$B/libbpinv.so.$SOV" ]; then
        BPINV_LIBRARY=$B/libbpinv.so.$SOV PYTHONPATH=tools/python \
            /usr/bin/python3 tests/bench/bench_segments.py "$B/bpinv" 200 || exit 1
    fi
    "$B/bench_layers" || exit 1
    echo
    if /usr/bin/python3 -c "import numpy" 2>/dev/null && [ -f "$B/libbpinv.so.$SOV" ]; then
        BPINV_LIBRARY=$B/libbpinv.so.$SOV PYTHONPATH=tools/python \
            /usr/bin/python3 tests/bench/bench_python.py "$B/bpinv" || exit 1
    else
        echo "Python benchmark skipped: python3-numpy or $B/libbpinv.so.$SOV missing (make deps, make)."
    fi
} | tee "$OUT.tmp"
status=$?
mv "$OUT.tmp" "$OUT"
echo
echo "report written to $OUT"
exit $status
