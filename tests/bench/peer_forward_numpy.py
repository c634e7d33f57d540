# SPDX-License-Identifier: MIT
"""peer_forward_numpy.py - the peer of bench_forward: the same Schlumberger forward in numpy.

The textbook evaluation of Key's (2012) 201-point J1 filter (the coefficients are read from
forward/fwd_filter_key201.c, so the filter is the same), vectorised over models, spacings
and taps: rho_a(s) = rho_1 + sum_i b_i j1_i (T(b_i / s) - rho_1), with T from the tanh
recursion of the resistivity transform. 4 layers, 30 AB/2 over 1-1000 m, log-uniform models
(rho 1-1000 ohm-m, h 1-100 m). Prints one Markdown row: models/s on one thread.
usage: python3 peer_forward_numpy.py [COUNT] [bpinv models/s for the ratio]
"""
import re
import sys
import time

import numpy as np


def coefficients(path="forward/fwd_filter_key201.c"):
    text = open(path).read()
    arrays = re.findall(r"\{([^{}]*)\}", text)
    nums = [np.array([float(v) for v in re.findall(r"[-+]?\d\.\d+e[-+]\d+", a)])
            for a in arrays]
    nums = [a for a in nums if a.size == 201]
    return nums[0], nums[1]


def forward(base, j1, rho, h, s):
    lam = base[None, None, :] / s[None, :, None]           # (1, P, 201)
    T = np.broadcast_to(rho[:, -1][:, None, None], (rho.shape[0], s.size, base.size)).copy()
    for j in range(rho.shape[1] - 2, -1, -1):
        t = np.tanh(lam * h[:, j][:, None, None])
        r = rho[:, j][:, None, None]
        T = (T + r * t) / (1.0 + T * t / r)
    return rho[:, :1] + ((T - rho[:, 0][:, None, None]) * (base * j1)).sum(axis=2)


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    ours = float(sys.argv[2]) if len(sys.argv) > 2 else 0
    base, j1 = coefficients()
    g = np.random.default_rng(42)
    rho = 10 ** g.uniform(0, 3, (count, 4))
    h = 10 ** g.uniform(0, 2, (count, 3))
    s = np.logspace(0, 3, 30)
    t0 = time.perf_counter()
    for a in range(0, count, 1000):
        forward(base, j1, rho[a:a + 1000], h[a:a + 1000], s)
    rate = count / (time.perf_counter() - t0)
    print("| peer: numpy %s, Key 201 vectorised (1 thread) | %.0f | - | - | - | - |"
          % (np.__version__, rate))
    if ours > 0:
        print("| ratio bpinv / numpy, 1 thread | %.1f | | | | |" % (ours / rate))


if __name__ == "__main__":
    main()
