# SPDX-License-Identifier: MIT
"""bench_segments.py - the ranges (--ranges) of Schlumberger soundings in MN/2 segments.

A sounding measured with several MN/2 is joined into one curve, each segment's level
fitted from the readings its joints share (docs/invert.md, step 2). This measures whether
the 90 % intervals of the equivalent models hold the truth 90 % of the time there, as they
do for one ideal curve: EARTHS three-layer earths (rho 1-1000 ohm-m, h 1-50 m,
log-uniform; 30 by default, 200 in `make bench`), 3 % noise, three noise draws each,
inverted with --ranges by one 3-layer net trained on that prior (AB/2 1-1000 m). Each
earth is measured three ways:
- in segments: 13 AB/2 from 1.5 to 150 m, MN/2 0.5 m at AB/2 1.5-7 m, 2 m at 4.7-22 m,
  10 m at 15-150 m (two AB/2 shared at each joint), each reading at its own MN/2;
- the same, each segment but the first shifted by its own factor, log-uniform within 1.12
  either way (what lateral changes near M and N do in the field: `segment_jump` is set
  beyond 1.2);
- as one ideal curve at the same 13 AB/2 (MN -> 0).
Per quantity (rho_k, h_k, the middle layer's S and T): the share of true values inside
their 90 % interval (target 85-95 %) and the median width in decades. Then the refined
answers alone (no --ranges) of the same soundings in segments, as given, shifted, and with
one reading at a joint 25 % off (the first of the 2 m or the 10 m segment, an AB/2 the
segment before shares): the misfit (median, p90), the errors of the resolved rho_1 and
rho_3 (median, p90 of |log10|), and the share flagged segment_jump, outlier_reading or
high_misfit. It prints them; the numbers are read against docs/invert.md, not checked here.

usage: BPINV_LIBRARY=build/libbpinv.so.0.1 PYTHONPATH=tools/python \
       /usr/bin/python3 tests/bench/bench_segments.py build/bpinv [EARTHS]
"""
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import bpinv

BPINV = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/bpinv")
EARTHS = int(sys.argv[2]) if len(sys.argv) > 2 else 30
DRAWS, NOISE = 3, 0.03
AB2 = np.round(np.geomspace(1.5, 150, 13), 1)
SEGMENTS = [(0.5, AB2[:5]), (2.0, AB2[3:8]), (10.0, AB2[6:])]  # two AB/2 shared a joint
NAMES = ["rho_1", "rho_2", "rho_3", "h_1", "h_2", "S_2", "T_2"]


def quantities(rho, thick):
    """log10 of NAMES' quantities."""
    r, h = np.log10(rho), np.log10(thick)
    return np.array([r[0], r[1], r[2], h[0], h[1], h[1] - r[1], h[1] + r[1]])


def intervals(rg):
    """[low, high] log10 of NAMES' quantities from a Result's ranges."""
    iv = [rg["rho_ohmm"][k] for k in range(3)] + [rg["thick_m"][k] for k in range(2)]
    iv += [rg["conductance_siemens"][1], rg["transverse_ohmm2"][1]]
    return np.log10([[a[0], a[2]] for a in iv])


def refined(net, kind, items, truth):
    """Prints the refined answers' misfit, errors of rho_1 and rho_3 and flags."""
    t0 = time.perf_counter()
    res = net.invert_many(items, threads=2)
    dt = time.perf_counter() - t0
    mis = np.array([r.misfit_rms_pct for r in res])
    err = np.abs(np.array([np.log10(r.rho)[[0, 2]] for r in res]) - truth[:, [0, 2]])
    share = {f: 100 * np.mean([f in r.flags for r in res])
             for f in ("segment_jump", "outlier_reading", "high_misfit")}
    print("refined, %s: %.2f ms a sounding; misfit %.2f / %.2f %%; |error| rho_1 %.3f / %.3f, "
          "rho_3 %.3f / %.3f decades; %s" % (
              kind, 1e3 * dt / len(res), np.median(mis), np.percentile(mis, 90),
              np.median(err[:, 0]), np.percentile(err[:, 0], 90), np.median(err[:, 1]),
              np.percentile(err[:, 1], 90),
              ", ".join("%s %.1f %%" % (f, v) for f, v in share.items())))


def main():
    rng = np.random.default_rng(5)
    with tempfile.TemporaryDirectory() as tmp:
        samples, net_path = os.path.join(tmp, "s.h5"), os.path.join(tmp, "net.h5")
        t0 = time.perf_counter()
        subprocess.run([BPINV, "samples", "-m", "schlumberger", "--layers", "3", "--ab2",
                        "1:1000:30", "--rho", "1:1000", "--thick", "1:50", "--noise", "0.03",
                        "-n", "20000", "--seed", "5", "-o", samples, "-q"], check=True)
        subprocess.run([BPINV, "train", samples, "-o", net_path, "--epochs", "30", "-q"],
                       check=True)
        print("net: 3 layers, 20,000 samples, 30 epochs: %.0f s" % (time.perf_counter() - t0))
        x_seg = np.concatenate([a for _, a in SEGMENTS])
        mn_seg = np.concatenate([np.full(len(a), m) for m, a in SEGMENTS])
        truth, kinds = [], {"segments": [], "shifted": [], "one curve": []}
        bad = []  # in segments, one shared reading 25 % off
        seg_of = np.concatenate([np.full(len(a), k) for k, (_, a) in enumerate(SEGMENTS)])
        for e in range(EARTHS):
            rho = 10 ** rng.uniform(0, 3, 3)
            thick = 10 ** rng.uniform(0, np.log10(50), 2)
            seg = bpinv.forward("schlumberger", rho, thick, x_seg, mn2=mn_seg)
            one = bpinv.forward("schlumberger", rho, thick, AB2)
            for d in range(DRAWS):
                truth.append(quantities(rho, thick))
                kinds["segments"].append(bpinv.Sounding(
                    "schlumberger", x_seg, seg * np.exp(NOISE * rng.standard_normal(len(seg))),
                    mn2=mn_seg, name="E%02d.%d" % (e, d)))
                shift = 10 ** np.concatenate([[0], rng.uniform(-0.05, 0.05, len(SEGMENTS) - 1)])
                kinds["shifted"].append(bpinv.Sounding(
                    "schlumberger", x_seg,
                    seg * shift[seg_of] * np.exp(NOISE * rng.standard_normal(len(seg))),
                    mn2=mn_seg, name="E%02d.%d" % (e, d)))
                noisy = seg * np.exp(NOISE * rng.standard_normal(len(seg)))
                k = int(rng.integers(1, len(SEGMENTS)))  # the first reading of segment k
                noisy[np.flatnonzero(seg_of == k)[0]] *= 1.25
                bad.append(bpinv.Sounding("schlumberger", x_seg, noisy, mn2=mn_seg,
                                          name="E%02d.%d" % (e, d)))
                kinds["one curve"].append(bpinv.Sounding(
                    "schlumberger", AB2, one * np.exp(NOISE * rng.standard_normal(len(one))),
                    name="E%02d.%d" % (e, d)))
        truth = np.array(truth)
        print("%d earths x %d noise draws, %g %% noise; 90 %% intervals: share holding the "
              "truth, median width (decades)" % (EARTHS, DRAWS, 100 * NOISE))
        with bpinv.Net(net_path) as net:
            cover = {}
            for kind, items in kinds.items():
                t0 = time.perf_counter()
                res = net.invert_many(items, ranges=True, threads=2)
                dt = time.perf_counter() - t0
                iv = np.array([intervals(r.ranges) for r in res])
                inside = (truth >= iv[:, :, 0] - 1e-9) & (truth <= iv[:, :, 1] + 1e-9)
                cover[kind] = (inside.mean(axis=0), np.median(iv[:, :, 1] - iv[:, :, 0], axis=0))
                print("%s: %.1f ms a sounding, median misfit %.2f %%" % (
                    kind, 1e3 * dt / len(res), np.median([r.misfit_rms_pct for r in res])))
            answers = {"segments": kinds["segments"], "shifted": kinds["shifted"],
                       "one reading at a joint 25 % off": bad}
            for kind, items in answers.items():
                refined(net, kind, items, truth)
        print("| quantity |" + "".join(" %s: inside | width |" % k for k in kinds))
        print("|---|" + "---:|---:|" * len(kinds))
        for j, name in enumerate(NAMES):
            print("| %s |" % name + "".join(" %.1f %% | %.3f |" % (100 * cover[k][0][j],
                                                                   cover[k][1][j])
                                            for k in kinds))


if __name__ == "__main__":
    main()
