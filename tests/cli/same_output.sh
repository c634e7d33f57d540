#!/bin/sh
# SPDX-License-Identifier: MIT
# same_output.sh - checks that two bpinv binaries behave the same, byte for byte, timings
# aside: a restructuring's proof. Every bpinv run of the command-line tests, the README's
# tutorial and `make demo` is recorded by a wrapper (arguments, exit status, stdout, stderr,
# and the files it writes: HDF5 files attribute by attribute and dataset by dataset, text
# and PNG files whole), once with each binary; then the two records are compared.
# Timings (time_ms, "12.3 ms", "4.5 s", samples/s, train_seconds), temporary directory
# names and process ids are masked first (tests/cli/record.py).
# usage: sh tests/cli/same_output.sh OLD/bpinv NEW/bpinv [TEST.sh ...]
#   the default scripts: every tests/cli/test_*.sh but the fault tests (random kills)
set -u
OLD=$(realpath "$1")
NEW=$(realpath "$2")
shift 2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -eq 0 ]; then
    set -- tests/cli/test_forward.sh tests/cli/test_samples.sh tests/cli/test_train.sh \
        tests/cli/test_invert.sh tests/cli/test_invert_field.sh tests/cli/test_bad_inputs.sh \
        tests/cli/test_help.sh tests/cli/test_fuzz_regress.sh tests/cli/test_tutorial.sh demo
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# record NAME BINARY SCRIPTS...: runs the scripts with a recording wrapper of BINARY
record() {
    name=$1 bin=$2
    shift 2
    mkdir -p "$WORK/$name/bin"
    cat >"$WORK/$name/bin/bpinv" <<EOF
#!/bin/sh
exec /usr/bin/python3 "$ROOT/tests/cli/record.py" "$bin" "\$@"
EOF
    chmod +x "$WORK/$name/bin/bpinv"
    for t in "$@"; do
        s=$(basename "$t" .sh)
        mkdir -p "$WORK/$name/rec/$s"
        if [ "$t" = demo ]; then
            # in a directory of its own: the demo writes build/demo/ where it runs
            mkdir -p "$WORK/$name/root"
            ln -sf "$ROOT/docs" "$WORK/$name/root/docs"
            (cd "$WORK/$name/root" && BPINV_RECORD="$WORK/$name/rec/$s" \
                sh "$ROOT/tools/demo.sh" "$WORK/$name/bin/bpinv" >"$WORK/$name/log.$s" 2>&1)
        else
            (cd "$ROOT" && BPINV_RECORD="$WORK/$name/rec/$s" sh "$t" "$WORK/$name/bin/bpinv" \
                >"$WORK/$name/log.$s" 2>&1)
        fi
        echo "$s: exit $?" >>"$WORK/$name/status"
    done
}

record old "$OLD" "$@" &
record new "$NEW" "$@"
wait
status=0
if ! diff "$WORK/old/status" "$WORK/new/status" >/dev/null; then
    echo "same_output: the scripts ended differently:" >&2
    diff "$WORK/old/status" "$WORK/new/status" >&2
    status=1
fi
n=$(find "$WORK/old/rec" -type f | wc -l)
if diff -r "$WORK/old/rec" "$WORK/new/rec" >"$WORK/diff"; then
    echo "same_output: $n bpinv runs, the same output (timings aside)"
else
    echo "same_output: $n bpinv runs; these differ:" >&2
    head -100 "$WORK/diff" >&2
    status=1
fi
cat "$WORK/new/status"
exit $status
