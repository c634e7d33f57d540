#!/usr/bin/python3
"""Writes docs/examples/profile_synthetic.csv: a synthetic Schlumberger survey along a line,
12 stations 50 m apart, in one table (a station column; positions and elevations).

The earth, 4 layers under every station: topsoil, 80 ohm-m, 1.5 m; dry sand, 600 ohm-m,
thickening from 3 m (station P01) to 20 m (P12); clay, 8 ohm-m, down to a resistive
basement, 2000 ohm-m, at 40 m depth under P01-P06 and 70 m under P07-P12 (a step between
P06 and P07). AB/2 1.5-300 m, 20 readings a station, 3 % Gaussian noise in
log rho_a (seed 7). Made with bpinv's own forward model (tools/python):

    PYTHONPATH=tools/python BPINV_LIBRARY=build/libbpinv.so \
        /usr/bin/python3 docs/examples/make_profile.py > docs/examples/profile_synthetic.csv
"""
import numpy as np

import bpinv

rng = np.random.default_rng(7)
ab2 = np.geomspace(1.5, 300, 20)
print("# synthetic survey (docs/examples/make_profile.py): 12 stations, 4 layers each:")
print("# 80 ohm-m 1.5 m / 600 ohm-m 3-20 m (thickening to the east) / 8 ohm-m to basement")
print("# at 40 m (P01-P06) or 70 m (P07-P12) / 2000 ohm-m; 3 % noise")
print("station,x_m,y_m,elevation_m,ab2_m,rho_a_ohmm")
for k in range(12):
    sand = 3 + 17 * k / 11
    base = 40 if k < 6 else 70
    thick = [1.5, sand, base - 1.5 - sand]
    rho_a = bpinv.forward("schlumberger", [80, 600, 8, 2000], thick, ab2)
    noisy = rho_a * np.exp(0.03 * rng.standard_normal(ab2.size))
    for x, v in zip(ab2, noisy):
        print("P%02d,%d,%d,%.1f,%.4g,%.4g" % (k + 1, 350000 + 50 * k, 6250000 + 10 * k,
                                             52.0 - 0.8 * k, x, v))
