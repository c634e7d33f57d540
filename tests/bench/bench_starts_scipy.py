# SPDX-License-Identifier: MIT
"""bench_starts_scipy.py - `invert`'s refinement against an independent best fit.

bench_starts compares `bpinv invert`'s answers with the best of 20 of its own
Levenberg-Marquardt fits. This script gives the same soundings a reference from another
optimiser: SciPy's bounded trust-region least squares (``least_squares``, method "trf",
Branch, Coleman and Li 1999), from 20 starts in the same prior box (the net's model and
19 log-uniform draws of the box, seeded), each run until it stops on its own tolerances
(1e-10), of the same objective (the log residuals of the apparent resistivities and the
phase residuals in the weights invert fits with: the training noise, or the sounding's
errors raised to it), with the forward model and its Jacobian from libbpinv (bpinv.Forward).

It reads the JSON lines `bench_starts T FILE` wrote, checks that its objective gives the
costs bench_starts measured for invert's answers (to 1e-9), and prints, per set of soundings,
the share of invert's answers (the default, every start: `--fit-to 0`, one start) within 5 %
of this reference's misfit, how often each reference beats the other, and the time of each.

usage: python3 bench_starts_scipy.py FILE   (BPINV_LIBRARY and PYTHONPATH as python.md says)
"""

import json
import math
import sys
import time

try:
    import numpy as np
    from scipy.optimize import least_squares
except ImportError:
    print("SciPy reference skipped: python3-numpy or python3-scipy is not installed (make "
          "bench-peers installs them).")
    sys.exit(0)

import bpinv

NSTARTS = 20
TOL = 1e-10
LN10 = math.log(10.0)


class Objective:
    """The refinement's residuals (invnet_lm.c, resid_point and point_scales) for one
    sounding of bench_starts' dump: r(p) and its Jacobian in the log10 parameters p."""

    def __init__(self, d):
        self.nl = d["layers"]
        self.n = len(d["x"])
        self.mt = d["method"] == "mt"
        self.obs = np.array(d["rho_a"])
        self.phase = np.array(d["phase"]) if d["phase"] is not None else None
        self.fwd = bpinv.Forward(d["method"], d["x"], mn2=d["mn2"])
        noise = d["noise"]
        floor_l, floor_p = noise / LN10, noise * 90 / math.pi
        sdl = d["sd_log10"]
        sdp = d["sd_phase"]
        if sdl is None and sdp is None:  # the training noise: the cost over noise squared
            self.ar = np.full(self.n, 1 / noise)
            self.ap = np.full(self.n, 2 * math.pi / 180 / noise)
        else:
            sl = (np.maximum(sdl, floor_l) if sdl is not None
                  else np.maximum(sdp, floor_p) * math.pi / 90 / LN10)
            self.ar = 1 / (LN10 * sl)
            sp = np.maximum(sdp, floor_p) if sdp is not None else sl * LN10 / 2 * 180 / math.pi
            self.ap = 1 / sp

    def split(self, p):
        return 10.0 ** p[:self.nl], 10.0 ** p[self.nl:]

    def residuals(self, p):
        rho, thick = self.split(p)
        d = self.fwd(rho, thick)
        if self.mt:
            ra, ph = d
            return np.concatenate([np.log(ra / self.obs) * self.ar, (ph - self.phase) * self.ap])
        return np.log(d / self.obs) * self.ar

    def jacobian(self, p):
        rho, thick = self.split(p)
        d, jac = self.fwd.jacobian(rho, thick)
        n = self.n
        out = np.empty_like(jac)
        out[:n] = jac[:n] / d[:n, None] * self.ar[:, None]
        if self.mt:
            out[n:] = jac[n:] * self.ap[:, None]
        return out

    def cost(self, p, obs=None):
        """The cost of p, of the data obs (a mode's joined data) if given."""
        keep = self.obs
        if obs is not None:
            self.obs = np.array(obs)
        try:
            r = self.residuals(np.asarray(p, dtype=float))
        finally:
            self.obs = keep
        return float(r @ r)


def reference(obj, d, seed):
    """The best cost of NSTARTS bounded fits, and the seconds they took."""
    lo, hi = np.array(d["lo"]), np.array(d["hi"])
    rng = np.random.default_rng(seed)
    inset = 1e-6 * (hi - lo)
    best = math.inf
    t0 = time.perf_counter()
    for k in range(NSTARTS):
        if k == 0:
            x0 = np.clip(np.array(d["net"]), lo + inset, hi - inset)
        else:
            x0 = lo + (0.01 + 0.98 * rng.random(len(lo))) * (hi - lo)
        try:
            fit = least_squares(obj.residuals, x0, jac=obj.jacobian, bounds=(lo, hi),
                                method="trf", ftol=TOL, xtol=TOL, gtol=TOL, max_nfev=2000)
        except bpinv.Error:  # a model without a finite response: that start fails
            continue
        best = min(best, 2 * fit.cost)  # least_squares' cost is half the sum of squares
    return best, time.perf_counter() - t0


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python3 bench_starts_scipy.py FILE")
    sets = {}
    worst = 0.0
    with open(sys.argv[1]) as f:
        for i, line in enumerate(f):
            d = json.loads(line)
            obj = Objective(d)
            for mode in ("default", "all", "one"):  # the same objective as bench_starts'
                c = obj.cost(d["model_" + mode], d.get("rho_a_" + mode))
                worst = max(worst, abs(c - d["cost_" + mode]) / d["cost_" + mode])
            ref, secs = reference(obj, d, seed=i)
            sets.setdefault(d["set"], []).append((d, ref, secs))
    if worst > 1e-9:
        sys.exit("bench_starts_scipy: the objective differs from bench_starts' by %.3g" % worst)
    names = {"defaults": "in the prior, 2 % noise; net of the defaults",
             "data-stage": "in the prior, 2 % noise; net of --hidden 128,128 --data-epochs 160",
             "field": "field soundings of docs/examples (demo nets)"}
    print("## refinement against SciPy's best of %d bounded fits\n" % NSTARTS)
    print("The soundings of bench_starts; reference: SciPy %s `least_squares` (trf, the prior "
          "box, tolerances %g, the analytic Jacobian), from the net's model and %d draws of the "
          "box, the best of them. Share of `invert`'s answers within 5 %% of its misfit; how "
          "often bench_starts' own reference (20 LM fits) is more than 1 %% better or worse "
          "than it; time a sounding (one thread; this reference in Python). The objectives "
          "agree to %.1g.\n" % (__import__("scipy").__version__, TOL, NSTARTS - 1, worst))
    print("| soundings | n | invert | --fit-to 0 | one start | LM reference better / worse "
          "| ms: invert / --fit-to 0 / reference | reference / invert, / --fit-to 0 |")
    print("|---|---:|---:|---:|---:|---|---|---:|")
    for key, rows in sets.items():
        n = len(rows)
        share = {m: 100.0 * sum(math.sqrt(d["cost_" + m] / ref) <= 1.05 for d, ref, _ in rows) / n
                 for m in ("default", "all", "one")}
        better = sum(d["cost_ref"] < 0.99 ** 2 * ref for d, ref, _ in rows)
        worse = sum(d["cost_ref"] > 1.01 ** 2 * ref for d, ref, _ in rows)
        t = {m: sum(d["s_" + m] for d, _, _ in rows) for m in ("default", "all")}
        tref = sum(s for _, _, s in rows)
        print("| %s | %d | %.1f %% | %.1f %% | %.1f %% | %d / %d | %.2f / %.2f / %.0f | %.0f x / "
              "%.0f x |" % (names.get(key, key), n, share["default"], share["all"], share["one"],
                            better, worse, 1e3 * t["default"] / n, 1e3 * t["all"] / n,
                            1e3 * tref / n, tref / t["default"], tref / t["all"]))


if __name__ == "__main__":
    main()
