# SPDX-License-Identifier: MIT
"""bpinv.forward: the response of a layered earth (libfwd's fwd_eval)."""

import ctypes

import numpy as np

from . import _lib
from ._lib import EINVAL, Error, lib

FILTERS = ("shared", "key201")


def forward(method, rho, thick, x, mn2=None, filter="shared"):
    """The response of a 1D layered earth at the points of a sounding.

    Parameters
    ----------
    method : str
        ``"schlumberger"``, ``"wenner"`` or ``"mt"``.
    rho : array_like, N values
        Layer resistivities, ohm-m, top to bottom (the last is the half-space).
    thick : array_like, N - 1 values (or None / [] for a half-space)
        Layer thicknesses, m.
    x : array_like
        The points: AB/2 in m (Schlumberger), electrode spacing a in m (Wenner) or periods
        in s (MT), in any order (the output follows it).
    mn2 : array_like or float, optional
        Schlumberger only: MN/2 in m, one per point or one for all (each below its AB/2).
        None: the ideal array (MN -> 0).
    filter : str
        The DC Hankel filter: ``"shared"`` (the default of bpinv, about 1e-7) or
        ``"key201"`` (Key's 201-point filter, about 1e-10, 30 times slower). No effect for MT.

    Returns
    -------
    numpy.ndarray or tuple of numpy.ndarray
        DC: the apparent resistivities, ohm-m, one per point. MT: ``(rho_a, phase)``,
        apparent resistivity in ohm-m and impedance phase in degrees (0 to 90).

    Raises
    ------
    bpinv.Error
        A bad method, model or geometry, with the library's message (e.g. ``"resistivity of
        layer 2: expected finite > 0 ohm-m, got -5"``).
    """
    m = _lib.method_code(method)
    rho = _lib.array(rho, "rho")
    thick = _lib.array(np.zeros(0) if thick is None else thick, "thick")
    x = _lib.array(x, "x")
    if len(thick) != max(len(rho) - 1, 0):
        raise Error(
            EINVAL,
            "thick: expected %d value%s for %d layer%s (rho), got %d"
            % (max(len(rho) - 1, 0), "" if len(rho) == 2 else "s", len(rho),
               "" if len(rho) == 1 else "s", len(thick)),
            "thick",
        )
    if mn2 is not None:
        mn2 = _lib.array(mn2, "mn2")
        if len(mn2) == 1 and len(x) > 1:
            mn2 = np.full(len(x), mn2[0])
        if len(mn2) != len(x):
            raise Error(EINVAL, "mn2: expected %d values (one per point of x) or one, got %d"
                        % (len(x), len(mn2)), "mn2")
    if filter not in FILTERS:
        raise Error(EINVAL, 'filter: expected shared or key201, got "%s"' % (filter,), "filter")
    params = lib.fwd_params_default()
    params.hankel = FILTERS.index(filter)

    e = _lib.new_err()
    g = lib.fwd_geom_alloc(m, len(x), _lib.dptr(x), _lib.dptr(mn2), ctypes.byref(e))
    if not g:
        _lib.raise_err(e)
    w = None
    try:
        w = lib.fwd_workspace_alloc(g, ctypes.byref(params), ctypes.byref(e))
        if not w:
            _lib.raise_err(e)
        nvals = 2 if _lib.METHODS[m] == "mt" else 1
        d = np.empty(nvals * len(x))
        _lib.check(lib.fwd_eval(w, len(rho), _lib.dptr(rho),
                                _lib.dptr(thick) if len(thick) else None, _lib.dptr(d),
                                ctypes.byref(e)), e)
    finally:
        lib.fwd_workspace_free(w)
        lib.fwd_geom_free(g)
    if nvals == 2:
        return d[: len(x)].copy(), d[len(x):].copy()
    return d
