# SPDX-License-Identifier: MIT
"""bench_python.py - what calling bpinv from Python costs (docs/python.md).

Three tables, each against the fastest peer there is:
- forward: bpinv.forward per call (its geometry kept set up between calls) and a Forward
  object, against one set up for each call, the library's fwd_eval on a workspace made once
  (called through ctypes: the floor under any Python call), and `bpinv forward` as a process;
- inversion: Net.invert_many on soundings in memory, and Net.invert one at a time, against
  `bpinv invert` on the same soundings written as files (one process for all);
- start: import bpinv and load a net, against `bpinv info` on that net.

usage: BPINV_LIBRARY=build/libbpinv.so.0.1 PYTHONPATH=tools/python \
       /usr/bin/python3 tests/bench/bench_python.py build/bpinv
"""
import ctypes
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import bpinv
from bpinv import _lib

BPINV = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/bpinv")
RHO, THICK = [100.0, 10.0, 1000.0], [5.0, 20.0]
AB2 = np.geomspace(1, 1000, 30)


def best_of(fn, repeat=5):
    """The least wall time of fn() over repeat runs, seconds."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def run(*args):
    subprocess.run([BPINV, *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def forward_table():
    n = 2000
    t_py = best_of(lambda: [bpinv.forward("schlumberger", RHO, THICK, AB2) for _ in range(n)])
    t_new = best_of(lambda: [bpinv.Forward("schlumberger", AB2)(RHO, THICK) for _ in range(n // 10)])
    t_new *= 10
    with bpinv.Forward("schlumberger", AB2) as f:
        t_obj = best_of(lambda: [f(RHO, THICK) for _ in range(n)])
    # the floor: fwd_eval on one workspace, through ctypes
    lib, err = _lib.lib, _lib.new_err()
    dp = ctypes.POINTER(ctypes.c_double)
    lib.fwd_geom_alloc.restype = ctypes.c_void_p
    lib.fwd_geom_alloc.argtypes = [ctypes.c_int, ctypes.c_size_t, dp, dp, ctypes.c_void_p]
    lib.fwd_workspace_alloc.restype = ctypes.c_void_p
    lib.fwd_workspace_alloc.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.fwd_eval.restype = ctypes.c_int
    lib.fwd_eval.argtypes = [ctypes.c_void_p, ctypes.c_size_t, dp, dp, dp, ctypes.c_void_p]
    x = np.ascontiguousarray(AB2)
    g = lib.fwd_geom_alloc(0, len(x), x.ctypes.data_as(dp), None, ctypes.byref(err))
    w = lib.fwd_workspace_alloc(g, None, ctypes.byref(err))
    rho, th = np.array(RHO), np.array(THICK)
    d = np.empty(len(x))
    args = (w, 3, rho.ctypes.data_as(dp), th.ctypes.data_as(dp), d.ctypes.data_as(dp),
            ctypes.byref(err))
    t_c = best_of(lambda: [lib.fwd_eval(*args) for _ in range(n)])
    lib.fwd_workspace_free.argtypes = lib.fwd_geom_free.argtypes = [ctypes.c_void_p]
    lib.fwd_workspace_free(w)
    lib.fwd_geom_free(g)
    t_cli = best_of(lambda: run("forward", "-m", "schlumberger", "--rho", "100,10,1000",
                                "--thick", "5,20", "--ab2", "1:1000:30"), 10)
    print("## Python: forward\n")
    print("3-layer Schlumberger, 30 AB/2; the least of 5 runs of %d calls (10 processes)." % n)
    print()
    print("| call | per call | calls/s | against bpinv.forward |")
    print("|---|---:|---:|---:|")
    for name, t in (("bpinv.forward (its geometry kept between calls)", t_py / n),
                    ("a Forward object, called", t_obj / n),
                    ("a new Forward each call (the geometry set up each time)", t_new / n),
                    ("fwd_eval on one workspace, via ctypes (the floor)", t_c / n),
                    ("`bpinv forward` (a process)", t_cli)):
        print("| %s | %.1f us | %.0f | %.2f x |" % (name, 1e6 * t, 1 / t, (t_py / n) / t))
    print()


def invert_table(tmp):
    run("samples", "-m", "schlumberger", "--layers", "3", "--ab2", "1:1000:30", "--rho",
        "1:1000", "--thick", "1:50", "--noise", "0.03", "-n", "20000", "--seed", "7", "-o",
        os.path.join(tmp, "s.h5"), "-q")
    net_path = os.path.join(tmp, "net.h5")
    run("train", os.path.join(tmp, "s.h5"), "-o", net_path, "--epochs", "20", "-q")
    rng = np.random.default_rng(3)
    n = 200
    sdir = os.path.join(tmp, "snd")
    os.mkdir(sdir)
    soundings = []
    for k in range(n):
        rho = 10 ** rng.uniform(0, 3, 3)
        th = 10 ** rng.uniform(0, np.log10(50), 2)
        d = bpinv.forward("schlumberger", rho, th, AB2) * np.exp(0.03 * rng.standard_normal(30))
        p = os.path.join(sdir, "s%03d.csv" % k)
        with open(p, "w") as f:
            f.write("ab2_m,rho_a_ohmm\n")
            for a, v in zip(AB2, d):
                f.write("%.17g,%.17g\n" % (a, v))
        soundings.append(bpinv.Sounding("schlumberger", AB2, d, name="s%03d" % k))
    with bpinv.Net(net_path) as net:
        t_many = best_of(lambda: net.invert_many(soundings, threads=1), 3)
        t_one = best_of(lambda: [net.invert_sounding(s) for s in soundings], 3)
        t_files = best_of(lambda: net.invert_many([sdir], threads=1), 3)
    t_cli = best_of(lambda: run("invert", net_path, sdir, "-j", "1", "-q", "--format", "json"), 3)
    print("## Python: inversion\n")
    print("%d synthetic 3-layer Schlumberger soundings (30 AB/2, 3 %% noise), refined (30 LM "
          "iterations at most), 1 thread; the least of 3 runs." % n)
    print()
    print("| how | total | soundings/s | against `bpinv invert` |")
    print("|---|---:|---:|---:|")
    for name, t in (("Net.invert_many, soundings in memory", t_many),
                    ("Net.invert_sounding, one call each", t_one),
                    ("Net.invert_many, the files", t_files),
                    ("`bpinv invert DIR -j 1` (a process, JSON)", t_cli)):
        print("| %s | %.3f s | %.0f | %.2f x |" % (name, t, n / t, t_cli / t))
    print()
    return net_path


def start_table(net_path):
    code = "import bpinv; bpinv.Net(%r).close()" % net_path
    env = dict(os.environ)
    t_py = best_of(lambda: subprocess.run([sys.executable, "-c", code], check=True, env=env), 5)
    t_info = best_of(lambda: run("info", net_path), 5)
    print("## Python: start\n")
    print("| what | time |")
    print("|---|---:|")
    print("| python3 -c 'import bpinv; bpinv.Net(NET).close()' | %.0f ms |" % (1e3 * t_py))
    print("| `bpinv info NET` | %.0f ms |" % (1e3 * t_info))
    print()


if __name__ == "__main__":
    forward_table()
    with tempfile.TemporaryDirectory() as tmp:
        start_table(invert_table(tmp))
