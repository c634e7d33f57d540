#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""record.py - runs bpinv and records what it did, for tests/cli/same_output.sh.

usage: record.py REAL_BPINV ARGS...   (BPINV_RECORD names the directory of the records)

Runs REAL_BPINV ARGS with the caller's stdin, passes its stdout, stderr and exit status on
unchanged, and writes one record into $BPINV_RECORD (numbered in the order of the runs):
the arguments, the exit status, stdout, stderr and the files named by -o/--output and
--plot, with what changes from run to run masked: temporary directory names, process ids,
times. Without BPINV_RECORD it only runs bpinv.
"""
import hashlib
import os
import re
import signal
import stat
import subprocess
import sys

TMPDIR = re.compile(r"/tmp/tmp\.[A-Za-z0-9]+|/tmp/[A-Za-z0-9_.-]*\.[A-Za-z0-9]{6,}(?=/)")
PID = re.compile(r"\.tmp\.[0-9]+")
TIMES = [
    (re.compile(r'"time_ms": [0-9.eE+-]+'), '"time_ms": T'),
    (re.compile(r"[0-9]+(\.[0-9]+)? (ms|s)\b"), r"T \2"),
    (re.compile(r" *[0-9]+ samples/s"), " R samples/s"),
    (re.compile(r"[0-9]+(\.[0-9]+)?%"), "P%"),
]


def mask(text, work):
    if work:
        text = text.replace(work, "WORK")
    text = TMPDIR.sub("TMP", text)
    text = PID.sub(".tmp.PID", text)
    for rx, rep in TIMES:
        text = rx.sub(rep, text)
    lines = text.split("\n")
    # invert's CSV: time_ms is the last column
    if lines and lines[0].startswith("source,name,") and lines[0].endswith(",time_ms"):
        lines = [lines[0]] + [re.sub(r",[0-9.]+$", ",T", ln) for ln in lines[1:]]
    return "\n".join(lines)


def h5_digest(path):
    """Every attribute (but train_seconds) and every dataset's values and attributes."""
    try:
        import h5py
        import numpy as np
    except ImportError:
        return ["(h5py missing)"]
    out = []
    try:
        with h5py.File(path, "r") as f:
            def attrs(name, obj):
                for k in sorted(obj.attrs):
                    if k in ("train_seconds",):
                        continue
                    v = obj.attrs[k]
                    out.append(mask(f"{name}@{k} = {v!r}", ""))

            attrs("/", f)

            def visit(name, obj):
                attrs(name, obj)
                if isinstance(obj, h5py.Dataset):
                    a = np.asarray(obj[()])
                    h = hashlib.sha256(a.tobytes()).hexdigest()[:16]
                    out.append(f"{name}: {a.dtype} {a.shape} {h}")

            f.visititems(visit)
    except OSError as e:
        out.append(f"(not readable by h5py: {e.__class__.__name__})")
    return out


def file_record(path, work):
    if os.path.isdir(path):
        out = []
        for n in sorted(os.listdir(path)):
            out += file_record(os.path.join(path, n), work)
        return out
    if not os.path.isfile(path):
        return [f"{mask(path, work)}: (none)"]
    with open(path, "rb") as fh:
        data = fh.read()
    head = f"{mask(path, work)}:"
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        # in a process of its own: h5py may crash on a damaged file (the fuzz inputs)
        try:
            q = subprocess.run([sys.executable, __file__, "--digest", path], timeout=60,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            lines = q.stdout.decode(errors="replace").splitlines()
            return [head] + (lines if q.returncode == 0 else ["(h5py failed on it)"])
        except subprocess.TimeoutExpired:
            return [head, "(h5py hung on it)"]
    if path.endswith(".png"):
        return [head + " png " + hashlib.sha256(data).hexdigest()[:16]]
    try:
        return [head, mask(data.decode(), work)]
    except UnicodeDecodeError:
        return [head + " bytes " + hashlib.sha256(data).hexdigest()[:16]]


def main():
    if sys.argv[1] == "--digest":
        print("\n".join(h5_digest(sys.argv[2])))
        return
    real, args = sys.argv[1], sys.argv[2:]
    rec = os.environ.get("BPINV_RECORD")
    # a device as stdout (/dev/full: the write-error tests) is given to bpinv itself
    direct = stat.S_ISCHR(os.fstat(1).st_mode)
    p = subprocess.Popen([real] + args, stdout=None if direct else subprocess.PIPE,
                         stderr=subprocess.PIPE)
    # the tests interrupt runs (SIGINT, SIGTERM): passed on to bpinv
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, _f: p.send_signal(s))
    p.stdout, p.stderr = p.communicate()
    p.stdout = p.stdout or b""
    if not direct:
        sys.stdout.buffer.write(p.stdout)
        sys.stdout.flush()
    sys.stderr.buffer.write(p.stderr)
    sys.stderr.flush()
    if rec:
        work = os.getcwd() if os.getcwd().startswith("/tmp/") else ""
        outs = []
        for i, a in enumerate(args[:-1]):
            if a in ("-o", "--output", "--plot") and args[i + 1] != "-":
                outs.append(args[i + 1])
        body = ["args: " + mask(" ".join(args), work), f"exit: {p.returncode}",
                "stdout:", mask(p.stdout.decode(errors="replace"), work),
                "stderr:", mask(p.stderr.decode(errors="replace"), work)]
        for o in outs:
            body += file_record(o, work)
        n = len(os.listdir(rec))
        with open(os.path.join(rec, f"{n:05d}"), "w") as fh:
            fh.write("\n".join(body) + "\n")
    sys.exit(p.returncode if p.returncode >= 0 else 128 - p.returncode)


if __name__ == "__main__":
    main()
