# SPDX-License-Identifier: MIT
"""bpinv.forward: the response of a layered earth (libfwd's fwd_eval)."""

import collections
import ctypes
import threading

import numpy as np

from . import _lib
from ._lib import EINVAL, Error, lib

FILTERS = ("shared", "key201")


def _thick_checked(rho, thick):
    if len(thick) != max(len(rho) - 1, 0):
        raise Error(
            EINVAL,
            "thick: expected %d value%s for %d layer%s (rho), got %d"
            % (max(len(rho) - 1, 0), "" if len(rho) == 2 else "s", len(rho),
               "" if len(rho) == 1 else "s", len(thick)),
            "thick",
        )


class Forward(_lib.Owned):
    """The forward model of one geometry, set up once: call it with models.

    ``f = bpinv.Forward("schlumberger", x); f(rho, thick)`` gives what
    ``bpinv.forward("schlumberger", rho, thick, x)`` gives, without setting the geometry up
    again (its filter weights: most of a call's time, about 0.8 ms for 30 AB/2 against
    7 us for a model). For loops over models: a fit, a grid search, a sampler. The
    parameters are those of :func:`forward`. An object computes for one thread at a time
    (its workspace is one): calls from several threads take turns, so for models in
    parallel give each thread its own. :meth:`close` (or the garbage collector) frees it;
    a context manager.
    """

    def __init__(self, method, x, mn2=None, filter="shared"):
        m = _lib.method_code(method)
        x = _lib.array(x, "x")
        if mn2 is not None:
            mn2 = _lib.array(mn2, "mn2")
            if len(mn2) == 1 and len(x) > 1:
                mn2 = np.full(len(x), mn2[0])
            if len(mn2) != len(x):
                raise Error(EINVAL, "mn2: expected %d values (one per point of x) or one, got %d"
                            % (len(x), len(mn2)), "mn2")
        if filter not in FILTERS:
            raise Error(EINVAL, 'filter: expected shared or key201, got "%s"' % (filter,),
                        "filter")
        if filter != FILTERS[0] and _lib.method_name(m) == "mt":  # as bpinv forward says
            raise Error(EINVAL, 'filter: not an option of method mt (no Hankel transform), got '
                        '"%s"' % (filter,), "filter")
        params = lib.fwd_params_default()
        params.hankel = FILTERS.index(filter)
        e = _lib.new_err()
        g = lib.fwd_geom_alloc(m, len(x), _lib.dptr(x), _lib.dptr(mn2), ctypes.byref(e))
        if not g:
            _lib.raise_err(e)
        w = lib.fwd_workspace_alloc(g, ctypes.byref(params), ctypes.byref(e))
        if not w:
            lib.fwd_geom_free(g)
            _lib.raise_err(e)
        self.method = _lib.METHODS[m]
        self.x = x
        self.mn2 = mn2
        self.filter = filter
        self._w = w
        self._turn = threading.RLock()  # the workspace's: one call at a time, and close()
        self._busy = False  # a call is in the library (under _turn)
        self._own(_free_workspace, w, g)

    def close(self):
        """Frees the workspace, once a call running in another thread has ended (or, from
        inside a call, a __del__ or a signal handler of its thread, when that call ends).
        Idempotent."""
        with self._turn:
            if self._busy:
                self._closing = True  # the call frees it as it ends
                return
            _lib.Owned.close(self)

    def _run(self, fn, *args):
        """fn(self._w, *args) under the workspace's turn: its return code."""
        with self._turn:
            self._busy = True  # before the check: a close() between the two waits
            try:
                if self.closed:
                    raise self._closed_error()
                return fn(self._w, *args)
            finally:
                self._busy = False
                if self._closing:
                    _lib.Owned.close(self)

    def __call__(self, rho, thick):
        """The response of the model (rho ohm-m, thick m): as :func:`forward` returns it."""
        if self.closed:
            raise self._closed_error()
        rho = _lib.array(rho, "rho")
        thick = _lib.array(np.zeros(0) if thick is None else thick, "thick")
        _thick_checked(rho, thick)
        n = len(self.x)
        mt = self.method == "mt"
        d = np.empty((2 if mt else 1) * n)
        e = _lib.new_err()
        rc = self._run(lib.fwd_eval, len(rho), _lib.dptr(rho),
                       _lib.dptr(thick) if len(thick) else None, _lib.dptr(d), ctypes.byref(e))
        _lib.check(rc, e)
        if mt:
            return d[:n].copy(), d[n:].copy()
        return d

    def jacobian(self, rho, thick):
        """The response and its derivatives in the model's log10 parameters.

        Returns ``(d, J)``: d as :func:`forward` returns it, flat (MT: rho_a then phase), and
        J of shape (len(d), 2N - 1) with ``J[i, k]`` = d d_i / d log10 p_k, p = (rho_1 ..
        rho_N, h_1 .. h_N-1), in ohm-m (or degrees) per decade. Analytic (libfwd's
        fwd_jacobian): about three forward models' time, exact to rounding.
        """
        if self.closed:
            raise self._closed_error()
        rho = _lib.array(rho, "rho")
        thick = _lib.array(np.zeros(0) if thick is None else thick, "thick")
        _thick_checked(rho, thick)
        self(rho, thick)  # checks the model, naming a bad layer
        p = np.log10(np.concatenate([rho, thick]))
        nd = (2 if self.method == "mt" else 1) * len(self.x)
        d = np.empty(nd)
        jac = np.empty((nd, len(p)))
        e = _lib.new_err()
        rc = self._run(lib.fwd_jacobian, len(rho), _lib.dptr(p), _lib.dptr(d), _lib.dptr(jac),
                       ctypes.byref(e))
        _lib.check(rc, e)
        return d, jac

    def __repr__(self):
        return "<bpinv.Forward %s, %d points%s>" % (self.method, len(self.x),
                                                   ", closed" if self.closed else "")


def _free_workspace(w, g):
    lib.fwd_workspace_free(w)
    lib.fwd_geom_free(g)


# forward(): the geometries last used, per thread (a workspace is one thread's at a time)
_CACHE_SIZE = 8
_cache = threading.local()


def _cached(method, x, mn2, filter):
    key = (method, x.tobytes(), None if mn2 is None else np.asarray(mn2, float).tobytes(),
           filter)
    lru = getattr(_cache, "lru", None)
    if lru is None:
        lru = _cache.lru = collections.OrderedDict()
    f = lru.get(key)
    if f is not None:
        lru.move_to_end(key)
        return f
    f = Forward(method, x, mn2=mn2, filter=filter)
    lru[key] = f
    if len(lru) > _CACHE_SIZE:
        lru.popitem(last=False)[1].close()
    return f


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
        ``"key201"`` (Key's 201-point filter, about 1e-10, 30 times slower); MT has none
        (``"key201"`` is an error).

    The geometries of the last 8 calls of each thread are kept set up, so a loop over models
    at one geometry costs a model's time (about 7 us for 30 AB/2), not a geometry's; or make
    a :class:`Forward` yourself.

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
    _thick_checked(rho, thick)
    return _cached(_lib.METHODS[m], x, mn2, filter)(rho, thick)
