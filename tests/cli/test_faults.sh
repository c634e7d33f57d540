#!/bin/sh
# SPDX-License-Identifier: MIT
# test_faults.sh - faults a user meets: `kill -9` of `bpinv samples` at random moments
# (the file must open, hold a prefix equal to an uninterrupted run, and --resume to the
# same file), `kill -9` of `bpinv train --force` (the previous net stays intact) and a
# full disk (a 1 MiB tmpfs: a clear error, nothing corrupt left behind).
# usage: sh tests/cli/test_faults.sh PATH/TO/bpinv [KILLS]
#   KILLS random kills of samples (default 20; the kill times come from a fixed seed)
BPINV=${1:-./bpinv}
KILLS=${2:-20}
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3

S="samples -m schlumberger --layers 3 --ab2 1:1000:30 --rho 1:1000 --thick 1:50 --noise 0.03"
N=40000

# prefix_ok FILE REF: FILE's n_complete rows equal REF's first rows, in every dataset
prefix_ok() {
    $PY - "$1" "$2" <<'PYEOF'
import sys, h5py, numpy as np
f, r = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
n = int(f.attrs["n_complete"])
for k in ("models", "data_clean", "data_noisy"):
    assert f[k].shape[0] >= n, (k, f[k].shape, n)
    assert np.array_equal(f[k][:n], r[k][:n]), k
print(n)
PYEOF
}

# --- kill -9 during samples ----------------------------------------------------------------
run $S -n $N --batch 1024 -o "$TMP/ref.h5"
[ "$rc" -eq 0 ] && ok || bad "reference run: exit $rc: $(cat "$TMP/err")"
if ! $PY -c "import h5py" 2>/dev/null; then
    echo "note: python3-h5py not installed; kill -9 of samples skipped" >&2
else
    i=0
    absent=0
    complete=0
    partial=0
    # delays in ms, spread over the run (about 0.65 s with 2 threads), from a fixed seed
    for d in $(awk -v n="$KILLS" 'BEGIN { srand(ENVIRON["FAULT_SEED"] ? ENVIRON["FAULT_SEED"] : 7); for (i = 0; i < n; i++) printf "%d ", 2 + rand() * 700 }'); do
        i=$((i + 1))
        f="$TMP/k.h5"
        rm -f "$f" "$f".tmp.*
        "$BPINV" $S -n $N --batch 1024 -o "$f" 2>/dev/null &
        pid=$!
        sleep "$(awk -v d="$d" 'BEGIN { printf "%.3f", d / 1000 }')"
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
        if [ ! -e "$f" ]; then
            absent=$((absent + 1)) # killed before the file was given its name
            ok
            continue
        fi
        if ! "$BPINV" info "$f" >/dev/null 2>"$TMP/ierr"; then
            bad "kill at ${d} ms: info fails: $(cat "$TMP/ierr")"
            cp "$f" "$TMP/../bpinv-kill-$d.h5" 2>/dev/null
            continue
        fi
        n=$(prefix_ok "$f" "$TMP/ref.h5" 2>"$TMP/perr")
        if [ -z "$n" ]; then bad "kill at ${d} ms: prefix differs: $(tail -1 "$TMP/perr")"; continue; fi
        if [ "$n" -eq $N ]; then complete=$((complete + 1)); else partial=$((partial + 1)); fi
        if ! "$BPINV" $S -n $N --batch 1024 -o "$f" --resume 2>"$TMP/rerr"; then
            bad "kill at ${d} ms ($n complete): resume fails: $(cat "$TMP/rerr")"
        elif ! h5diff "$f" "$TMP/ref.h5" models >/dev/null ||
            ! h5diff "$f" "$TMP/ref.h5" data_noisy >/dev/null ||
            ! h5diff "$f" "$TMP/ref.h5" data_clean >/dev/null; then
            bad "kill at ${d} ms ($n complete): resumed file differs from one run"
        else ok; fi
    done
    echo "faults: $i kills of samples: $absent before the file appeared, $partial partial, $complete complete" >&2
fi

# --- a file size limit hit in every part of a batch: the file holds a prefix and resumes ----
# (ulimit -f counts 512-byte blocks in dash, 1 KiB in bash; SIGXFSZ ignored, so writes
# fail with EFBIG; stderr is a file too, so no limit below a few blocks)
if $PY -c "import h5py" 2>/dev/null; then
    for lim in 40 150 420 777 1300 2222 3500 6000; do
        rm -f "$TMP/l.h5"
        (trap '' XFSZ; ulimit -f $lim; exec "$BPINV" $S -n $N --batch 1024 -o "$TMP/l.h5") \
            >/dev/null 2>"$TMP/lerr"
        lrc=$?
        if [ $lrc -ne 1 ] || ! grep -q "File too large" "$TMP/lerr"; then
            bad "file size limit $lim: exit $lrc: $(cat "$TMP/lerr")"
        elif [ ! -e "$TMP/l.h5" ]; then
            ok # the limit hit before the header was on disk
        elif ! n=$(prefix_ok "$TMP/l.h5" "$TMP/ref.h5" 2>"$TMP/perr"); then
            bad "file size limit $lim: no consistent prefix: $(tail -1 "$TMP/perr")"
        elif ! "$BPINV" $S -n $N --batch 1024 -o "$TMP/l.h5" --resume 2>"$TMP/rerr" ||
            ! h5diff "$TMP/l.h5" "$TMP/ref.h5" models >/dev/null ||
            ! h5diff "$TMP/l.h5" "$TMP/ref.h5" data_noisy >/dev/null; then
            bad "file size limit $lim ($n complete): resume fails or differs: $(cat "$TMP/rerr")"
        else ok; fi
    done
fi

# --- a chunk lost by a cut flush: refused when read, made again by --resume ----------------
if $PY -c "import h5py" 2>/dev/null; then
    setup $S -n 4096 --batch 1024 -o "$TMP/hole.h5"
    cp "$TMP/hole.h5" "$TMP/whole4096.h5"
    # data_noisy made again without its second chunk (rows 1024..2047), as a torn index would
    if $PY - "$TMP/hole.h5" <<'PYEOF'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    d = f["data_noisy"]
    v, attrs, chunks = d[:], dict(d.attrs), d.chunks
    del f["data_noisy"]
    n = f.create_dataset("data_noisy", shape=v.shape, maxshape=(None, v.shape[1]), dtype=v.dtype,
                         chunks=chunks, compression="gzip", shuffle=True)
    n[:1024] = v[:1024]
    n[2048:] = v[2048:]
    for k, x in attrs.items():
        n.attrs[k] = x
PYEOF
    then
        expect_fail 1 "training on a file with a lost chunk" "rows from 1024 on are missing" \
            train "$TMP/hole.h5" -o "$TMP/hole-net.h5"
        run $S -n 4096 --batch 1024 -o "$TMP/hole.h5" --resume
        [ "$rc" -eq 0 ] && ok || bad "--resume of a file with a lost chunk: exit $rc: $(cat "$TMP/err")"
        h5diff "$TMP/hole.h5" "$TMP/whole4096.h5" data_noisy >/dev/null &&
            h5diff "$TMP/hole.h5" "$TMP/whole4096.h5" models >/dev/null && ok ||
            bad "--resume of a file with a lost chunk: not the uninterrupted file"
    else
        bad "h5py could not cut a chunk out"
    fi
fi

# --- kill -9 during train --force: the previous net is kept whole --------------------------
run $S -n 4000 -o "$TMP/s.h5"
run train "$TMP/s.h5" -o "$TMP/net.h5" --epochs 2 --hidden 16 -q
[ "$rc" -eq 0 ] && ok || bad "train: exit $rc: $(cat "$TMP/err")"
cp "$TMP/net.h5" "$TMP/keep.h5"
for d in 0.05 0.3 0.8 1.5; do
    # epochs enough to outlast the last kill (500 took 0.73 s on an idle machine: done
    # before the kill at 1.5 s, the net rightly replaced)
    "$BPINV" train "$TMP/s.h5" -o "$TMP/net.h5" --force --epochs 100000 --patience 0 -q 2>/dev/null &
    pid=$!
    sleep $d
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    cmp -s "$TMP/net.h5" "$TMP/keep.h5" && ok || bad "kill of train at $d s changed the previous net"
    rm -f "$TMP"/net.h5.tmp.*
done

# --- a full disk ---------------------------------------------------------------------------
# A 1 MiB tmpfs when this user may mount one (root); else a 1 MiB file size limit
# (ulimit -f, SIGXFSZ ignored), where writes fail with "File too large" instead.
D="$TMP/disk"
mkdir "$D"
if mount -t tmpfs -o size=1m tmpfs "$D" 2>/dev/null; then
    trap 'umount "$D" 2>/dev/null; rm -rf "$TMP"' EXIT
    full="No space left on device"
    fill() { dd if=/dev/zero of="$D/fill" bs=1k count=2048 2>/dev/null; }
    unfill() { rm -f "$D/fill"; }
    limited() { "$BPINV" "$@"; }
else
    echo "note: cannot mount a tmpfs; a full disk is a file size limit instead" >&2
    full="File too large"
    lim=2048
    fill() { lim=1; } # room for a message on stderr, which is a file here too
    unfill() { lim=2048; }
    limited() { (trap '' XFSZ; ulimit -f $lim; exec "$BPINV" "$@"); }
fi
# run_full ARGS...: run bpinv under the limit
run_full() { limited "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; }
check_full() { # DESCRIPTION: exit 1 and the system's reason, in one line
    if [ "$rc" -ne 1 ]; then bad "$1: exit $rc, expected 1: $(cat "$TMP/err")"
    elif ! grep -qF "$full" "$TMP/err"; then bad "$1: stderr lacks '$full': $(cat "$TMP/err")"
    elif [ "$(wc -l <"$TMP/err")" -ne 1 ]; then bad "$1: not one line: $(cat "$TMP/err")"
    else ok; fi
}

run_full $S -n $N --batch 1024 -o "$D/s.h5"
check_full "samples on a full disk"
if [ -e "$D/s.h5" ]; then # what it holds is a consistent prefix, and says so
    "$BPINV" info "$D/s.h5" >/dev/null 2>&1 && ok || bad "samples on a full disk: info fails"
    if $PY -c "import h5py" 2>/dev/null; then
        prefix_ok "$D/s.h5" "$TMP/ref.h5" >/dev/null 2>&1 && ok || bad "samples on a full disk: bad prefix"
    fi
fi
rm -f "$D/s.h5"
fill
run_full train "$TMP/s.h5" -o "$D/net.h5" --epochs 2 --hidden 16 -q
check_full "train on a full disk"
grep -q "^bpinv train: $D/net.h5: cannot " "$TMP/err" && ! grep -q '\.tmp\.' "$TMP/err" && ok ||
    bad "train on a full disk: the net not named: $(cat "$TMP/err")"
# room to begin the file, not to finish it (a net of 200 x 200 hidden units, 0.4 MB): the
# net's name, not its temporary file's, and that nothing was made (tmpfs only)
if [ "$full" = "No space left on device" ] && [ "$(stat -f -c %S "$D")" -eq 4096 ]; then
    unfill
    dd if=/dev/zero of="$D/fill" bs=1k count=900 2>/dev/null
    run_full train "$TMP/s.h5" -o "$D/net.h5" --epochs 1 --hidden 200,200 -q
    check_full "train on a disk that fills while the net is written"
    grep -q "^bpinv train: $D/net.h5: cannot write: $full (not made)$" "$TMP/err" && ok ||
        bad "train on a disk that fills: the net's name and fate not said: $(cat "$TMP/err")"
    [ -z "$(ls "$D" | grep net)" ] && ok || bad "train on a disk that fills left: $(ls "$D")"
    fill
fi
[ -z "$(ls "$D" | grep net)" ] && ok || bad "train on a full disk left: $(ls "$D")"
unfill
cp "$TMP/keep.h5" "$D/net.h5"
fill
run_full train "$TMP/s.h5" -o "$D/net.h5" --force --epochs 2 --hidden 16 -q
check_full "train --force on a full disk"
grep -q "^bpinv train: $D/net.h5: cannot " "$TMP/err" && ! grep -q '\.tmp\.' "$TMP/err" && ok ||
    bad "train --force on a full disk: the net not named: $(cat "$TMP/err")"
cmp -s "$D/net.h5" "$TMP/keep.h5" && ok || bad "train --force on a full disk changed the net"
[ "$(ls "$D" | grep -c net)" -eq 1 ] && ok || bad "train --force on a full disk left: $(ls "$D")"
"$BPINV" forward -m schlumberger --rho 100,20,300 --thick 4,15 --ab2 1:1000:30 >"$TMP/a.csv"
unfill
fill
run_full invert "$TMP/keep.h5" "$TMP/a.csv" "$TMP/a.csv" "$TMP/a.csv" "$TMP/a.csv" "$TMP/a.csv" \
    "$TMP/a.csv" "$TMP/a.csv" "$TMP/a.csv" "$TMP/a.csv" "$TMP/a.csv" -o "$D/out.csv"
check_full "invert -o on a full disk"
[ -z "$(ls "$D" | grep out)" ] && ok || bad "invert -o on a full disk left: $(ls "$D")"

finish cli-faults
