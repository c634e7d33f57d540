#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Inverts one field sounding with a trained bpinv net and plots it: the data against the
model's response, and the layered model (resistivity against depth). docs/python.md.

usage: invert_sounding.py NET.h5 SOUNDING [-o PNG] [--force] [--method M] [--component C]
                          [--ranges [PCT]] [--no-refine]

An existing PNG is replaced only with --force, as bpinv invert's outputs are.

example (a net trained with the command first, docs/python.md):
    python3 tools/python/examples/invert_sounding.py build/demo/wenner.net.h5 \\
        docs/examples/aungsan_wenner.txt -o aungsan.png
"""

import argparse
import os
import sys

import numpy as np

import bpinv


def model_steps(rho, depth, bottom):
    """A layered model as a step line: (resistivities, depths) down to `bottom` m."""
    tops = np.concatenate([[0.0], depth])
    bases = np.concatenate([depth, [bottom]])
    r = np.repeat(rho, 2)
    z = np.column_stack([tops, bases]).ravel()
    return r, z


def plot(s, res, png):
    """Data, response and model of Sounding s inverted as Result res, into the file png."""
    import matplotlib.pyplot as plt

    mt = s.method == "mt"
    xlabel = {"schlumberger": "AB/2 (m)", "wenner": "a (m)", "mt": "period (s)"}[s.method]
    fig, axes = plt.subplots(1, 3 if mt else 2, figsize=(13 if mt else 10, 4.8),
                             gridspec_kw={"width_ratios": [3, 2, 2] if mt else [3, 2]})
    ax = axes[0]
    # the data, with their errors where the sounding gives them (a factor 10**sd); a
    # Schlumberger sounding in segments as bpinv joins them, and as read
    factor = res.segment_factors(s)
    obs = s.rho_a * factor
    if np.any(factor != 1):
        ax.plot(s.x, s.rho_a, "o", mfc="none", color="0.6", ms=4, label="observed, as read")
    label = "observed" if np.all(factor == 1) else "observed, segments joined"
    if s.sd_log10 is not None:
        lo = obs * (1 - 10.0 ** -s.sd_log10)
        hi = obs * (10.0 ** s.sd_log10 - 1)
        ax.errorbar(s.x, obs, yerr=[lo, hi], fmt="o", color="k", ms=4, lw=0.8, label=label)
    else:
        ax.plot(s.x, obs, "o", color="k", ms=4, label=label)
    if res.rho is not None:
        # the response where each reading was measured (its own AB/2 and MN/2) ...
        at = bpinv.forward(s.method, res.rho, res.thick, s.x, mn2=s.mn2)
        at_rho = at[0] if mt else at
        ax.plot(s.x, at_rho, "x", color="C3", ms=6, label="model, at the readings")
        # ... and as a smooth curve for an ideal array (MN -> 0)
        xc = np.geomspace(s.x[0] / 1.5, s.x[-1] * 1.5, 150)
        curve = bpinv.forward(s.method, res.rho, res.thick, xc)
        ax.plot(xc, curve[0] if mt else curve, "-", color="C3", lw=1.5, label="model response")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("apparent resistivity (ohm-m)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    if mt:
        ax = axes[1]
        if s.sd_phase is not None:
            ax.errorbar(s.x, s.phase, yerr=s.sd_phase, fmt="o", color="k", ms=4, lw=0.8)
        else:
            ax.plot(s.x, s.phase, "o", color="k", ms=4)
        if res.rho is not None:
            ax.plot(s.x, at[1], "x", color="C3", ms=6)
            ax.plot(xc, curve[1], "-", color="C3", lw=1.5)
        ax.set_xscale("log")
        ax.set_ylim(0, 90)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("phase (degrees)")
        ax.grid(True, which="both", alpha=0.3)
    ax = axes[-1]
    if res.rho is not None:
        # down to the depth the sounding sees (AB/2 / 3, a / 3, or a skin depth 503
        # sqrt(rho_a T) m at the longest period), or below the deepest interface
        seen = 503 * np.sqrt(s.rho_a[-1] * s.x[-1]) if mt else s.x[-1] / 3
        bottom = max(seen, 1.5 * res.depth[-1] if len(res.depth) else 0)
        # depth on a log axis (MT sees from metres to tens of km): from the shallowest depth
        # the sounding sees, or above the first interface
        shallow = 503 * np.sqrt(s.rho_a[0] * s.x[0]) / 3 if mt else s.x[0] / 3
        top_z = min(shallow, res.depth[0] / 3 if len(res.depth) else shallow)
        if res.ranges is not None:  # the equivalent models' interval of each layer
            r = np.array(res.ranges["rho_ohmm"])
            for k in range(len(res.rho)):
                top = top_z if k == 0 else res.depth[k - 1]
                base = res.depth[k] if k < len(res.depth) else bottom
                ax.fill_betweenx([top, base], r[k, 0], r[k, 2], color="C0", alpha=0.2, lw=0)
        rr, zz = model_steps(res.rho, res.depth, bottom)
        zz[zz == 0] = top_z
        ax.plot(rr, zz, "-", color="C3", lw=2, label="%d layers" % res.n_layers)
        ax.set_yscale("log")
        ax.set_ylim(bottom, top_z)
        ax.set_xscale("log")
        ax.legend(fontsize=8)
    ax.set_xlabel("resistivity (ohm-m)")
    ax.set_ylabel("depth (m)")
    ax.grid(True, which="both", alpha=0.3)
    title = "%s (%s): " % (s.name, s.method)
    if res.misfit_rms_pct is not None:
        title += "misfit %.3g %%" % res.misfit_rms_pct
    if res.chi2 is not None:
        title += ", chi2 %.3g" % res.chi2
    title += "; " + (", ".join(res.flags) if res.flags else "no flags")
    fig.suptitle(title, color="C3" if res.flags else "k")
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("net", help="a net file from bpinv train")
    ap.add_argument("sounding", help="a sounding file (text, or EDI for MT)")
    ap.add_argument("-o", "--output",
                    help="the PNG to write [SOUNDING's file name + .png, here]")
    ap.add_argument("--force", action="store_true", help="replace an existing PNG")
    ap.add_argument("--method", help="read the sounding as this method [the net's]")
    ap.add_argument("--component", default="det", help="EDI impedance: det, xy, yx or berd [det]")
    ap.add_argument("--ranges", nargs="?", const=90.0, type=float, default=None,
                    help="the equivalent models' ranges, at PCT %% [90]")
    ap.add_argument("--no-refine", action="store_true", help="the net's model alone")
    a = ap.parse_args(argv)
    png = a.output or os.path.basename(a.sounding) + ".png"
    if os.path.exists(png) and not a.force:  # refused before any work, as bpinv invert does
        print("invert_sounding.py: %s: exists (use --force to replace it)" % png,
              file=sys.stderr)
        return 1
    try:
        with bpinv.Net(a.net) as net:
            s = bpinv.read_sounding(a.sounding, method=a.method or net.method,
                                    component=a.component)
            res = net.invert_sounding(s, refine=not a.no_refine, ranges=a.ranges)
    except bpinv.Error as e:
        print("invert_sounding.py: %s" % e, file=sys.stderr)
        return 1
    print(res)
    if res.rho is not None:
        print("%5s %12s %12s %12s" % ("layer", "rho (ohm-m)", "thick (m)", "top (m)"))
        tops = np.concatenate([[0.0], res.depth])
        for k, rho in enumerate(res.rho):
            h = "%12.4g" % res.thick[k] if k < len(res.thick) else "%12s" % "half-space"
            print("%5d %12.4g %s %12.4g" % (k + 1, rho, h, tops[k]))
    print("misfit %s %%, flags: %s" % (res.misfit_rms_pct, ", ".join(res.flags) or "none"))
    plot(s, res, png)
    print("wrote %s" % png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
