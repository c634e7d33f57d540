#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# forward_curves.py - draws docs/img/forward_curves.png from `bpinv forward` output:
# Schlumberger and Wenner curves of a three-layer earth and its MT response.
# usage: /usr/bin/python3 docs/img/forward_curves.py ./bpinv  (needs python3-matplotlib)
import csv, io, subprocess, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

bpinv = sys.argv[1] if len(sys.argv) > 1 else "./bpinv"
model = ["--rho", "100,10,1000", "--thick", "5,20"]

def run(*args, model=model):
    out = subprocess.run([bpinv, "forward", *model, *args], check=True,
                         capture_output=True, text=True).stdout
    rows = list(csv.reader(io.StringIO(out)))
    return rows[0], [[float(v) for v in r] for r in rows[1:]]

_, s = run("-m", "schlumberger", "--ab2", "0.5:2000:60")
_, w = run("-m", "wenner", "--a", "0.5:2000:60")
# MT sees the same earth 100 times thicker (500 and 2000 m): both limits, 100 ohm-m at the
# shortest periods and 1000 at the longest, inside the usual band
_, m = run("-m", "mt", "--period", "1e-4:1e4:80", model=["--rho", "100,10,1000", "--thick", "500,2000"])

fig, ax = plt.subplots(1, 3, figsize=(12, 3.8), facecolor="white")
ax[0].step([0, 5, 25, 1e4], [100, 10, 1000, 1000], where="post", color="k")
ax[0].set_xscale("symlog", linthresh=1); ax[0].set_yscale("log")
ax[0].set_xlim(0, 200); ax[0].set_ylim(5, 2000)
ax[0].set_xlabel("depth (m)"); ax[0].set_ylabel("resistivity (ohm-m)")
ax[0].set_title("model: 100 / 10 / 1000 ohm-m, 5 m and 20 m")
ax[1].loglog([r[0] for r in s], [r[1] for r in s], label="Schlumberger, AB/2")
ax[1].loglog([r[0] for r in w], [r[1] for r in w], "--", label="Wenner, a")
ax[1].set_xlabel("spacing (m)"); ax[1].set_ylabel("apparent resistivity (ohm-m)")
ax[1].set_title("DC soundings"); ax[1].legend()
ticks = [10, 20, 50, 100, 200, 500, 1000]
ax[1].set_yticks(ticks, [str(t) for t in ticks]); ax[1].set_ylim(10, 1000)
ax[2].loglog([r[0] for r in m], [r[1] for r in m], color="C2")
ax[2].set_xlabel("period (s)"); ax[2].set_ylabel("apparent resistivity (ohm-m)", color="C2")
ax2 = ax[2].twinx(); ax2.semilogx([r[0] for r in m], [r[2] for r in m], color="C3")
ax2.set_ylabel("phase (degrees)", color="C3"); ax2.set_ylim(0, 90)
ax[2].set_title("magnetotellurics (500 m and 2000 m)")
for a in ax:
    a.grid(True, which="both", alpha=0.3)
fig.tight_layout()
fig.savefig("docs/img/forward_curves.png", dpi=110, facecolor="white")
