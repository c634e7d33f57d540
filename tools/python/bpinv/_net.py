# SPDX-License-Identifier: MIT
"""bpinv.Net and bpinv.Result: soundings inverted with a trained net (libinvnet's batch)."""

import contextlib
import ctypes
import json
import os
import threading
import warnings

import numpy as np

from . import _lib
from ._lib import EINVAL, ENOMEM, Error, NoteWarning, lib
from ._sounding import Sounding, _read_survey

# bpinv invert: at most 30 Levenberg-Marquardt iterations unless --no-refine
REFINE_ITERATIONS = 30
# bpinv invert --ranges without a level
RANGES_LEVEL = 90.0

_CSV, _JSON = 0, 1

# Debian's HDF5 is built without thread safety, and ctypes lets other Python threads run
# during a call: net files are read one at a time.
_hdf5_lock = threading.Lock()


def _array_or_none(v):
    return None if v is None else np.asarray(v, dtype=np.float64)


class Result:
    """One sounding inverted: what ``bpinv invert --format json`` gives for it.

    Attributes
    ----------
    source, name, method : str
        The file (or the name given to an in-memory sounding), the station's name, the method.
    component : str or None
        The impedance an EDI file's curve is of (``"det"``, ``"xy"``, ``"yx"``, ``"berd"``);
        None for a text file's curve, a Sounding's, and DC.
    n_layers : int or None
        Layers of the model (with a set of nets: the count chosen); None when there is none:
        the sounding could not be read, or was not inverted (until 2026-12-06 the net's
        count then, as the CSV had it).
    rho : numpy.ndarray or None
        Resistivity of each layer, ohm-m, top to bottom; None when no model was given (the
        flag ``not_inverted``, or ``error``).
    thick : numpy.ndarray or None
        Thickness of each layer above the half-space, m (n_layers - 1 values).
    depth : numpy.ndarray or None
        Depth of the top of each layer below the first, m: the cumulative thicknesses.
    misfit_rms_pct : float or None
        RMS misfit of the model's response, percent (docs/invert.md).
    misfit_net_pct : float or None
        The same for the net's own model, before the refinement.
    refined : bool or None
        Whether the Levenberg-Marquardt refinement was kept.
    chi2 : float or None
        Mean squared error-weighted residual, where the sounding gives errors (each raised
        to the training noise); else None.
    chi2_given : float or None
        The same against the sounding's errors as given; else None.
    error_floor_pct : float or None
        With chi2: the floor each error was raised to (the net's training noise, as a
        relative error of rho_a), percent; else None.
    noise_scale : float or None
        The data's noise in units of their errors (or of the training noise):
        sqrt(chi2 / (n - p)) of the fit where chi2 is beyond chance, else 1; the layer
        count and the ranges allow for it.
    doi_m : float or None
        The depth of investigation of the model, m: the deepest depth where halving or
        doubling every resistivity below it still changes the response beyond the noise
        (docs/invert.md, "Depth of investigation"). With ``doi=True`` or ranges; else None.
    outlier_point, outlier_sigmas : float or None
        With a refined model: the reading that stands out most from the fit (its AB/2, a or
        period) and by how many times the larger of its error and the residuals' typical
        size; above 5, the flag ``outlier_reading``.
    dropped_point, dropped_sigmas : float or None
        With ``drop_outlier=True``, a sounding whose reading was left out (``outlier_dropped``):
        that reading's AB/2, a or period, and how far the reading the first answer's fit
        flagged stood out (that one, or its neighbour when leaving the neighbour out fitted
        better).
    dropped_line : int or None
        That reading's line in its file (for arrays, its place in them, from 1): which of two
        readings at one AB/2 with two MN/2.
    mahalanobis_d2, span_decades : float or None
        The range check's distance from the training set; the decades of the net's span the
        sounding covers.
    net_points_observed : int or None
    note : str or None
        What the reader assumed about the sounding's file (a full AB column halved, ...),
        then what the answer needs said (why it was not inverted, ...), "; " between. Also
        given as a ``bpinv.NoteWarning`` (``"SOURCE: NOTE"``), as ``bpinv invert`` prints
        its notes; ``warnings.simplefilter("ignore", bpinv.NoteWarning)`` silences them.
    columns_not_read : str or None
        The columns of a text file's header that were not read (``'"Remarks"'``), as
        ``Sounding.unused``; None when all were.
    flags : list of str
        ``data_outside_training_range``, ``extrapolated_geometry``, ``not_inverted``,
        ``model_at_prior_bound``, ``high_misfit``, ``segment_jump``, ...
    in_range : bool
        False when the net is outside what it was trained on (docs/invert.md).
    prior_exit : dict or None
        Where the refined fit missed the high_misfit threshold, or rests on a bound of the
        prior: the fit with the prior widened (``misfit_rms_pct``, ``chi2``, ``rho_ohmm``,
        ``thick_m``, the ``parameter`` furthest beyond the prior, one of an equivalent set,
        and ``beyond_decades``); when it fits, clearly better, the sounding is
        ``data_outside_training_range`` (docs/invert.md, step 7). None where the refined
        fit met the threshold inside the prior, and with ``refine=False``, with ``fix`` or
        ``bound``, or when that fit failed.
    ranges : dict or None
        With ``ranges=``: the equivalent models, as in the JSON (``"rho_ohmm"``: per layer
        ``[low, median, high]`` ohm-m, ``"thick_m"``, ``"depth_m"``, ``"conductance_siemens"``,
        ``"transverse_ohmm2"``, ``"unresolved"``, ``"doi_m"``, ``"doi_interval_m"``: the
        depth of investigation's ``[low, median, high]`` across the equivalent models,
        ``"depth_envelope"``, ...); with ``equivalent=True`` also ``"models"``, the models
        themselves.
    envelope : dict or None
        With ``ranges=``: the resistivity-depth envelope of the equivalent models as arrays,
        ``"depth"`` (m, 64 log-spaced depths), ``"rho"`` (depths x 3: the low, median and
        high percentiles of the resistivity at that depth, ohm-m), ``"conductance"`` (S, the
        conductance from the surface down to that depth, siemens) and ``"transverse"`` (T,
        ohm-m2), each depths x 3. Read by depth, not layer by layer, they hold where models
        that fit equally well put a conductor in different layers; the median at each depth
        is no model (it need not fit the data). None for a half-space.
    equivalent : dict or None
        With ``equivalent=True``: the equivalent models (up to 100 a sounding, spread evenly
        over those that fit) as arrays, ``"rho"`` (models x layers, ohm-m), ``"thick"`` (models x
        (layers - 1), m), ``"misfit_rms_pct"`` and ``"chi2"`` (NaN where the sounding gives
        no errors), each fit computed as the answer's (``--equivalent``), and ``"repeat"``,
        True where a model repeats an earlier one (``rho[~repeat]``: the distinct models).
    layer_counts : list of dict or None
        With a set of nets: each count's ``n_layers``, ``misfit_rms_pct``, ``chi2``,
        ``criterion`` (BIC) and ``weight``.
    segments : list of dict or None
        A Schlumberger sounding measured with several MN/2: each segment's ``mn2_m`` and the
        ``factor`` its readings were multiplied by to join the others (docs/invert.md).
    time_ms : float or None
        Time to invert and check it, ms.
    error : str or None
        Why the sounding could not be read or inverted (the library's message); the other
        attributes are then None (``flags`` empty, ``in_range`` False).
    json : dict
        The sounding's object in the JSON, as it is.
    """

    def __init__(self, obj, n_layers=None):
        self.json = obj
        self.source = obj.get("source")
        self.name = obj.get("name")
        self.method = obj.get("method")
        self.component = obj.get("component")
        self.error = obj.get("error")
        self.rho = _array_or_none(obj.get("rho_ohmm"))
        self.thick = _array_or_none(obj.get("thick_m"))
        self.depth = None if self.thick is None else np.cumsum(self.thick)
        self.position = {k: obj[k] for k in ("x_m", "y_m", "elevation_m", "lat_deg", "lon_deg")
                         if obj.get(k) is not None}
        self.segments = obj.get("segments")
        self.note = obj.get("note")
        self.columns_not_read = obj.get("columns_not_read")
        if obj.get("n_layers") is not None:
            n_layers = obj["n_layers"]
        elif self.rho is not None:
            n_layers = len(self.rho)
        self.n_layers = None if self.error is not None or self.rho is None else n_layers
        self.misfit_rms_pct = obj.get("misfit_rms_pct")
        self.misfit_net_pct = obj.get("misfit_net_pct")
        self.refined = obj.get("refined")
        self.chi2 = obj.get("chi2")
        self.chi2_given = obj.get("chi2_given")
        self.error_floor_pct = obj.get("error_floor_pct")
        self.noise_scale = obj.get("noise_scale")
        self.doi_m = obj.get("doi_m")
        self.outlier_point = obj.get("outlier_point")
        self.outlier_sigmas = obj.get("outlier_sigmas")
        self.dropped_point = obj.get("dropped_point")
        self.dropped_sigmas = obj.get("dropped_sigmas")
        self.dropped_line = obj.get("dropped_line")
        self.mahalanobis_d2 = obj.get("mahalanobis_d2")
        self.span_decades = obj.get("span_decades")
        self.net_points_observed = obj.get("net_points_observed")
        self.flags = list(obj.get("flags") or [])
        self.in_range = bool(obj.get("in_range", False))
        self.ranges = obj.get("ranges")
        self.equivalent = _equivalent(self.ranges)
        self.envelope = _envelope(self.ranges)
        self.prior_exit = obj.get("prior_exit")
        self.layer_counts = obj.get("layer_counts")
        self.time_ms = obj.get("time_ms")

    @property
    def ok(self):
        """True when a model was given (no error, not ``not_inverted``)."""
        return self.error is None and self.rho is not None

    def row(self):
        """The result as one flat dict, for a table of a survey (``csv.DictWriter``,
        ``pandas.DataFrame([r.row() for r in results])``): the names and values of
        ``bpinv invert``'s CSV columns (``rho_1_ohmm``, ``thick_1_m``, ``misfit_rms_pct``,
        ``flags`` joined by ``;``, ...), each layer's depth (``depth_1_m``, the bottom of
        layer 1) and the station's position; None for an empty value. Soundings of other
        layer counts have other keys: a DataFrame fills the gaps with NaN."""
        row = {"source": self.source, "name": self.name, "method": self.method,
               "n_layers": self.n_layers}
        if self.rho is not None:
            for k, v in enumerate(self.rho, 1):
                row["rho_%d_ohmm" % k] = float(v)
            for k, v in enumerate(self.thick, 1):
                row["thick_%d_m" % k] = float(v)
            for k, v in enumerate(self.depth, 1):
                row["depth_%d_m" % k] = float(v)
        for key in ("doi_m", "misfit_rms_pct", "misfit_net_pct", "refined", "chi2",
                    "chi2_given", "mahalanobis_d2", "span_decades", "in_range"):
            row[key] = getattr(self, key)
        row["flags"] = ";".join(self.flags)
        for key in ("x_m", "y_m", "elevation_m", "lat_deg", "lon_deg"):
            row[key] = self.position.get(key)
        row["error"] = self.error
        return row

    def segment_factors(self, sounding):
        """The factor bpinv multiplied each reading of ``sounding`` (the Sounding inverted)
        by to join its Schlumberger segments (docs/invert.md, step 2), as a numpy array:
        each reading takes its segment's ``factor`` in ``segments``. The model was fitted
        to, and its misfit computed against, ``sounding.rho_a * factors``. All 1 for a
        sounding of one MN/2 (or none) and for Wenner and MT soundings."""
        if self.name is not None and getattr(sounding, "name", self.name) != self.name:
            raise ValueError("segment_factors: the sounding is %r, this result %r: give the "
                             "Sounding inverted" % (sounding.name, self.name))
        f = np.ones(len(sounding.x))
        if sounding.mn2 is None or not self.segments:
            return f
        seg_mn2 = np.array([g["mn2_m"] for g in self.segments], float)
        seg_f = np.array([g["factor"] for g in self.segments], float)
        # the JSON's MN/2 have 6 digits: each reading's segment is the nearest
        k = np.abs(np.log(sounding.mn2)[:, None] - np.log(seg_mn2)[None, :]).argmin(axis=1)
        if not np.allclose(seg_mn2[k], sounding.mn2, rtol=1e-5):
            raise ValueError("segment_factors: the sounding's MN/2 are not this result's "
                             "segments (%s); give the Sounding inverted"
                             % ", ".join("%g" % m for m in seg_mn2))
        return seg_f[k]

    def model_string(self):
        """The model in words: ``"100 ohm-m 4 m / 20 ohm-m 15 m / 300 ohm-m"``."""
        if self.rho is None:
            return "no model"
        parts = ["%.4g ohm-m %.4g m" % (r, h) for r, h in zip(self.rho, self.thick)]
        parts.append("%.4g ohm-m" % self.rho[-1])
        return " / ".join(parts)

    def __repr__(self):
        if self.error is not None:
            return "<bpinv.Result %r: error: %s>" % (self.source, self.error)
        s = "<bpinv.Result %r: %s, %s" % (
            self.name, self.method, "not inverted" if self.rho is None else
            "%d layers, %s" % (self.n_layers, self.model_string()))
        if self.misfit_rms_pct is not None:
            s += ", misfit %.4g %%" % self.misfit_rms_pct
        if self.chi2 is not None:
            s += ", chi2 %.4g" % self.chi2
        s += ", in range" if self.in_range else ", NOT in range"
        if self.flags:
            s += ", flags " + ",".join(self.flags)
        return s + ">"


def _equivalent(ranges):
    """The equivalent models of a ranges object sampled with equivalent=True, as arrays:
    {"rho": models x layers (ohm-m), "thick": models x (layers - 1) (m), "misfit_rms_pct",
    "chi2" (NaN where the sounding gives no errors), "repeat" (True where the model repeats
    an earlier one, parameter for parameter: ``rho[~repeat]`` are the distinct models)};
    None without them."""
    models = (ranges or {}).get("models")
    if models is None:
        return None

    def col(key):
        return np.array([np.nan if m[key] is None else m[key] for m in models], dtype=float)

    return {"rho": np.array([m["rho_ohmm"] for m in models], dtype=float),
            "thick": np.array([m["thick_m"] for m in models], dtype=float),
            "misfit_rms_pct": col("misfit_rms_pct"), "chi2": col("chi2"),
            "repeat": np.array([m["same_as"] is not None for m in models], dtype=bool)}


def _envelope(ranges):
    """The resistivity-depth envelope of a ranges object as arrays: {"depth": (m), "rho":
    depths x 3 (ohm-m), "conductance": depths x 3 (S), "transverse": depths x 3 (ohm-m2)};
    None without ranges or for a half-space."""
    e = (ranges or {}).get("depth_envelope")
    if e is None:
        return None
    return {"depth": np.array(e["depth_m"], dtype=float),
            "rho": np.array(e["rho_ohmm"], dtype=float),
            "conductance": np.array(e["conductance_siemens"], dtype=float),
            "transverse": np.array(e["transverse_ohmm2"], dtype=float)}


def _holds_spec(held, bounds):
    """bpinv invert's --fix or --bound text of a dict ({"rho2": 50} or {"h2": (10, 20)}), or
    the text as given; None for None, or for an empty dict (a dict built in code that holds
    nothing: it was an error)."""
    if held is None or (isinstance(held, dict) and not held):
        return None
    if isinstance(held, str):
        return held.encode()
    parts = []
    for name, v in held.items():
        if bounds:
            try:
                if isinstance(v, (str, bytes)):
                    raise TypeError(v)  # "19" is not (1, 9)
                lo, hi = v
                parts.append("%s=%r:%r" % (name, float(lo), float(hi)))
            except (TypeError, ValueError):
                raise TypeError("bound: %s: expected (low, high), numbers, got %r"
                                % (name, v)) from None
        else:
            try:
                parts.append("%s=%r" % (name, float(v)))
            except (TypeError, ValueError):
                raise TypeError("fix: %s: expected a number, got %r" % (name, v)) from None
    return ",".join(parts).encode()


class _Params:
    """An invnet_batch_params object, set as bpinv invert's options set it."""

    def __init__(self, refine=True, ranges=None, layers=None, threads=1, misfit_max=None,
                 columns=None, fix=None, bound=None, segment_ref=None, doi=False, starts=None,
                 fit_to=None, equivalent=False, drop_outlier=False):
        self.ptr = lib.invnet_batch_params_alloc()
        self._columns = _lib.columns_spec(columns)  # borrowed by the library: kept here
        if not self.ptr:
            raise MemoryError("bpinv: out of memory")
        try:
            # None is the default, as for the other settings (it was no refinement)
            if refine is None:
                refine = True
            if isinstance(refine, (bool, np.bool_)):
                refine = REFINE_ITERATIONS if refine else 0
            if isinstance(ranges, (bool, np.bool_)) or ranges is None:
                ranges = RANGES_LEVEL if ranges else 0
            self.set("refine", refine)
            self.set("ranges", ranges)
            self.set("layers", 0 if layers is None else layers)
            self.set("threads", threads)
            # for the batches' size (Net._batch): threads 0 is every core
            self.threads = int(threads) if int(threads) > 0 else (os.cpu_count() or 1)
            self.ranges = ranges
            if not isinstance(doi, (bool, np.bool_)):  # doi="no" was True
                raise TypeError("doi: expected True or False, got %r" % (doi,))
            self.set("doi", 1 if doi else 0)
            if not isinstance(equivalent, (bool, np.bool_)):
                raise TypeError("equivalent: expected True or False, got %r" % (equivalent,))
            if equivalent and not ranges:  # as bpinv invert --equivalent without --ranges
                raise ValueError("equivalent: the equivalent models are those the ranges "
                                 "sample: give ranges=True (or a level) too")
            self.set("equivalent", 1 if equivalent else 0)
            if not isinstance(drop_outlier, (bool, np.bool_)):
                raise TypeError("drop_outlier: expected True or False, got %r" % (drop_outlier,))
            if drop_outlier and refine == 0:  # as bpinv invert --drop-outlier --no-refine
                raise ValueError("drop_outlier: the reading the refined fit finds off: not "
                                 "with refine=False")
            self.set("drop_outlier", 1 if drop_outlier else 0)
            if misfit_max is not None:
                self.set("misfit_max", misfit_max)
            if segment_ref is not None:
                # 0 and -1 are the library's "first" and "auto": not MN/2s a user gives
                ref = {"first": 0, "auto": -1}.get(segment_ref) if isinstance(segment_ref, str) \
                    else None
                if ref is None:
                    try:
                        ref = float(segment_ref)
                    except (TypeError, ValueError):
                        ref = None
                    if isinstance(segment_ref, (bool, np.bool_)) or ref is None:
                        raise TypeError("segment_ref: expected \"first\", \"auto\" or an MN/2 "
                                        "in m, got %r" % (segment_ref,))
                    if not ref > 0:
                        raise ValueError("segment_ref: expected an MN/2 > 0 m, got %r"
                                         % (segment_ref,))
                self.set("segment_ref", ref)
            for name, v in (("starts", starts), ("fit_to", fit_to)):
                if v is not None and refine == 0:  # as bpinv invert --no-refine --starts
                    raise ValueError("%s: a setting of the refinement: not with refine=False"
                                     % name)
            if starts is not None:
                self.set("starts", starts)
            if fit_to is not None:
                self.set("fit_to", fit_to)
            fix, bound = _holds_spec(fix, False), _holds_spec(bound, True)
            if fix is not None or bound is not None:
                e = _lib.new_err()
                _lib.check(lib.invnet_batch_params_set_holds(
                    self.ptr, fix, bound, ctypes.byref(e)), e)
            if self._columns is not None:
                e = _lib.new_err()
                _lib.check(lib.invnet_batch_params_set_columns(self.ptr, self._columns,
                                                               ctypes.byref(e)), e)
        except BaseException:
            self.free()
            raise

    def set(self, name, value):
        # True, "0", "no" were numbers to float() (starts=True ran 1 start, refine="0" no
        # refinement): a setting is a number
        if isinstance(value, (bool, np.bool_, str, bytes)):
            raise TypeError("%s: expected a number, got %r" % (name, value))
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise TypeError("%s: expected a number, got %r" % (name, value)) from None
        e = _lib.new_err()
        _lib.check(lib.invnet_batch_params_set(self.ptr, name.encode(), v, ctypes.byref(e)), e)

    def free(self):
        lib.invnet_batch_params_free(self.ptr)
        self.ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.free()


def _output(batch, fmt, net_path):
    e = _lib.new_err()
    s = lib.invnet_output_string(batch, fmt, net_path, ctypes.byref(e))
    if not s:
        _lib.raise_err(e)
    try:
        return ctypes.string_at(s).decode("utf-8", "replace")
    finally:
        lib.invnet_output_string_free(s)


def _expand(paths, method=-1):
    """The files that paths stand for, as bpinv invert expands them for a net of method (its
    code; -1: any): a directory, its *.csv, *.txt, *.dat, *.tsv and *.edi files in name
    order; holding .edi files and others, the .edi alone for an MT net, the others for a DC
    one, what was left out said in a warning (bpinv.NoteWarning)."""
    if not paths:
        return []
    ops = (ctypes.c_char_p * len(paths))(*paths)
    out = ctypes.POINTER(ctypes.c_char_p)()
    n = ctypes.c_size_t()
    e = _lib.new_err()
    _lib.check(lib.invnet_batch_expand_for(ops, len(paths), method, ctypes.byref(out),
                                           ctypes.byref(n), ctypes.byref(e)), e)
    if e.msg:
        warnings.warn(e.msg.decode("utf-8", "replace"), NoteWarning, stacklevel=3)
    try:
        return [out[i] for i in range(n.value)]
    finally:
        lib.invnet_batch_paths_free(out, n.value)


class Net(_lib.Owned):
    """A trained net file (``bpinv train``): one net, or a set of nets for several layer
    counts. A context manager; :meth:`close` frees it (so does garbage collection).

    Parameters
    ----------
    path : str or os.PathLike
        The net file.

    Attributes
    ----------
    path : str
        As given (it is the ``"net"`` of the JSON output).
    method : str
        The survey method the net was trained for: ``"schlumberger"``, ``"wenner"`` or
        ``"mt"``.
    layer_counts : tuple of int
        The layer count of each net, increasing: one for a plain net file, several for a
        set (``bpinv train S2.h5 S3.h5 ... -o NETS.h5``).

    Raises
    ------
    bpinv.Error
        The library's message, as ``bpinv invert`` prints it after ``bpinv invert: ``:
        ``"net.h5: cannot open: no such file"``, ``"x.h5: not an HDF5 file (or a truncated
        one)"``, ``"s.h5: format: expected "bpinv-net", got "bpinv-samples" (a samples file:
        train a net on it first)"``.

    Options of the inversions (the same as ``bpinv invert``'s)
    ---------------------------------------------------------
    refine : bool or int
        True or None (default): refine the net's model by Levenberg-Marquardt, at most 30
        iterations, as ``bpinv invert``; False: the net's model as it is (``--no-refine``);
        an int: that many iterations at most.
    ranges : None, bool or float
        None or False: no ranges; True: the 90 % ranges of the equivalent models
        (``--ranges``); a level in percent, 1 to 99.9 (``--ranges=PCT``).
    layers : int, optional
        With a set of nets: this layer count's net alone (``--layers``); None: the count is
        chosen for each sounding.
    threads : int
        Soundings inverted at once (1 to 1024; the results do not depend on it). Default 1.
    misfit_max : float, optional
        The ``high_misfit`` threshold for soundings without errors, percent
        (``--misfit-max``); None: max(2 x the training noise, 5 %).
    fix, bound : dict or str, optional
        Parameters held in the refinement (``--fix``, ``--bound``): ``fix={"h2": 2}``,
        ``bound={"depth2": (30, 40)}``, names rhoK (ohm-m), hK, depthK (m), or the
        option's text, ``"h2=2"``. Outside the net's prior, or with ``refine=False`` or
        ranges: bpinv.Error.
    segment_ref : str or float, optional
        The Schlumberger segment the others are joined to (``--segment-ref``): ``"first"``
        (default), ``"auto"`` or an MN/2 in m. With a Wenner or MT net a ValueError.
    doi : bool
        True: the depth of investigation of each model reported, into ``Result.doi_m`` (as
        ``--plot``, ``--section`` and ``--xyz`` compute it; about 80 forward models a
        sounding). Default False (None there unless ranges were asked for).
    starts : int, optional
        The most starts of the refinement, 1 to 100 (``--starts``); None: 8. Not with
        ``refine=False`` (a ValueError), nor is fit_to.
    fit_to : float, optional
        The further starts go on while the best fit misses this many times the noise
        (``--fit-to``, 0 to 100; 0 runs them all); None: 1.5.
    equivalent : bool
        True, with ranges: the equivalent models themselves, into ``Result.equivalent``
        (``--equivalent``; 100 more forward models a sounding). Without ranges a
        ValueError. Default False.
    drop_outlier : bool
        True: a sounding whose refined answer is flagged ``outlier_reading`` (a spike) is
        inverted again without that reading, flagged ``outlier_dropped``, the reading in
        ``Result.json["dropped_point"]`` and its note (``--drop-outlier``). With
        ``refine=False`` a ValueError. Default False.
    """

    def __init__(self, path):
        self.path = os.fsdecode(path)
        self._bpath = _lib.encode(path)
        e = _lib.new_err()
        with _hdf5_lock:
            ptr = lib.invnet_set_load(self._bpath, ctypes.byref(e))
        if not ptr:
            _lib.raise_err(e)
        self._ptr = ptr
        self._own(lib.invnet_set_free, ptr)
        self.method = _lib.method_name(lib.invnet_set_method(ptr))
        counts = []
        while lib.invnet_set_layers(ptr, len(counts)) > 0:
            counts.append(int(lib.invnet_set_layers(ptr, len(counts))))
        self.layer_counts = tuple(counts)

    def __repr__(self):
        return "<bpinv.Net %r: %s%s>" % (self.path, self.method, ", closed" if self.closed else "")

    def _closed_error(self):
        return ValueError("bpinv.Net %r: closed" % self.path)

    def _c(self):
        """The library's net, while held (:meth:`_held`): a close() meanwhile waits."""
        if not self._finalizer.alive:
            raise self._closed_error()
        return self._ptr

    def _batch(self, params, soundings=None, paths=None):
        """Runs the soundings (or files) in batches short enough for Ctrl-C to stop between
        them (a call into the library cannot be interrupted); a Result for each sounding,
        as one batch gives them (each sounding's answer is its own, whatever its batch)."""
        items = soundings if soundings is not None else paths
        # about 0.1-0.3 s a batch: --ranges takes some 10 ms a sounding, the refinement 0.5 ms
        step = max(1, params.threads) * (16 if params.ranges else 256)
        out = []
        # the net and the soundings held for the whole call: a close() in another thread
        # frees them when it ends
        with contextlib.ExitStack() as held:
            held.enter_context(self._held())
            for s in soundings or ():
                held.enter_context(s._held())
            for k in range(0, len(items), step):
                part = items[k:k + step]
                out += self._batch_one(params, soundings=part if soundings is not None else None,
                                       paths=part if paths is not None else None)
        return out

    def _batch_one(self, params, soundings=None, paths=None):
        """Runs one batch, the net and soundings held by the caller; a Result for each of
        its soundings."""
        out = ctypes.c_void_p()
        e = _lib.new_err()
        if soundings is not None:
            arr = (ctypes.POINTER(_lib._FwdSounding) * len(soundings))(
                *[s._c() for s in soundings])
            rc = lib.invnet_batch_invert_soundings(self._c(), params.ptr, arr, len(soundings),
                                                   ctypes.byref(out), ctypes.byref(e))
        else:
            arr = (ctypes.c_char_p * len(paths))(*paths)
            rc = lib.invnet_batch_invert_set(self._c(), params.ptr, arr, len(paths),
                                             ctypes.byref(out), ctypes.byref(e))
        _lib.check(rc, e)
        try:
            doc = json.loads(_output(out, _JSON, self._bpath))
        finally:
            lib.invnet_batch_free(out)
        # the JSON of a plain net has no n_layers: a sounding inverted has the net's
        one = self.layer_counts[0] if len(self.layer_counts) == 1 else None
        res = [Result(o, one) for o in doc["soundings"]]
        for r in res:  # what bpinv invert prints as notes (a tester saw none from Python)
            if r.note:
                where = r.source if not r.name or os.path.basename(r.source or "") == r.name \
                    else "%s: station %r" % (r.source, r.name)
                warnings.warn("%s: %s" % (where, r.note), NoteWarning, stacklevel=3)
        return res

    def _method_options(self, segment_ref=None, component="det"):
        # an option of another method than the net's would be ignored: refused, as by
        # bpinv invert
        a = _lib.method_article(self.method) if self.method is not None else "a"
        if segment_ref is not None and segment_ref != "first" and self.method != "schlumberger":
            raise ValueError("segment_ref: %s: expected a Schlumberger net (the option joins "
                             "segments of one MN/2), got %s %s net" % (self.path, a, self.method))
        if component != "det" and self.method is not None and self.method != "mt":
            raise ValueError("component: %s: expected a magnetotelluric net (the option "
                             "chooses an EDI file's impedance), got %s %s net"
                             % (self.path, a, self.method))

    def invert_sounding(self, sounding, refine=True, ranges=None, layers=None, threads=1,
                        misfit_max=None, fix=None, bound=None, segment_ref=None, doi=False,
                        starts=None, fit_to=None, equivalent=False, drop_outlier=False):
        """Inverts one Sounding (see the class for the options). Returns a Result.

        Raises bpinv.Error when the sounding cannot be inverted (an MT sounding with a
        Schlumberger net: ``"NAME: an mt sounding, but the net is for schlumberger"``).
        """
        if not isinstance(sounding, Sounding):
            raise TypeError("invert_sounding: expected a bpinv.Sounding, got %r" % (sounding,))
        self._method_options(segment_ref)
        with _Params(refine=refine, ranges=ranges, layers=layers, threads=threads,
                     misfit_max=misfit_max, fix=fix, bound=bound, segment_ref=segment_ref,
                     doi=doi, starts=starts, fit_to=fit_to, equivalent=equivalent,
                     drop_outlier=drop_outlier) as p:
            r = self._batch(p, soundings=[sounding])[0]
        if r.error is not None:
            raise Error(ENOMEM if r.error.endswith("out of memory") else EINVAL, r.error)
        return r

    def invert(self, x, data, errors=None, refine=True, ranges=None, layers=None, mn2=None,
               phase=None, sd_phase=None, threads=1, misfit_max=None, name="sounding",
               fix=None, bound=None, segment_ref=None, doi=False, starts=None, fit_to=None,
               equivalent=False, drop_outlier=False):
        """Inverts one sounding given as arrays. Returns a Result.

        Parameters
        ----------
        x : array_like
            AB/2 (m), spacings a (m) or periods (s), in any order.
        data : array_like
            Apparent resistivities, ohm-m. MT: also the phases, degrees, either as
            ``phase=`` or with data a 2 x n array ``[rho_a, phase]``, so that the tuple
            ``bpinv.forward("mt", ...)`` returns can be given as it is.
        errors : array_like or float, optional
            Standard errors of log10 rho_a (decades), one per point or one for all. MT:
            also of the phases (degrees), either as ``sd_phase=`` or with errors a 2 x n
            array ``[sd_log10, sd_phase]``.
        mn2 : array_like or float, optional
            Schlumberger: MN/2 (m), one per point or one for all.
        name : str
            The sounding's name and source in the Result.
        refine, ranges, layers, threads, misfit_max, fix, bound, segment_ref, doi, starts,
        fit_to, equivalent, drop_outlier
            As for the class.
        """
        if self.method is None:
            raise Error(EINVAL, "%s: the net's method is not known" % self.path)
        rho_a, phase = self._split("data", data, phase, "phase")
        sd_log10, sd_phase = self._split("errors", errors, sd_phase, "sd_phase")
        with Sounding(self.method, x, rho_a, phase=phase, mn2=mn2, sd_log10=sd_log10,
                      sd_phase=sd_phase, name=name) as s:
            return self.invert_sounding(s, refine=refine, ranges=ranges, layers=layers,
                                        threads=threads, misfit_max=misfit_max, fix=fix,
                                        bound=bound, segment_ref=segment_ref, doi=doi,
                                        starts=starts, fit_to=fit_to, equivalent=equivalent,
                                        drop_outlier=drop_outlier)

    def _split(self, what, a, second, second_name):
        """data (or errors) given as one array or, for MT, a 2 x n one: the two rows."""
        if a is None:
            return None, second
        arr = _lib.real(a, what)
        if arr.ndim == 2:
            if self.method != "mt" or arr.shape[0] != 2:
                raise Error(EINVAL, "%s: expected %s, got shape %s%s" % (
                    what, "1 or 2 rows (the phases second)" if self.method == "mt"
                    else "a 1-D array (the net is for %s soundings)" % self.method, arr.shape,
                    " (MT data, rho_a and phase?)" if arr.shape[0] == 2 and
                    self.method != "mt" else ""), what)
            if second is not None:
                raise Error(EINVAL, "%s: the phases given twice (a second row and %s=)"
                            % (what, second_name), what)
            return arr[0], arr[1]
        return arr, second

    def invert_many(self, soundings, component="det", refine=True, ranges=None, layers=None,
                    threads=1, misfit_max=None, columns=None, fix=None, bound=None,
                    segment_ref=None, doi=False, starts=None, fit_to=None, equivalent=False,
                    drop_outlier=False):
        """Inverts many soundings: Sounding objects and sounding files (str or os.PathLike)
        in any mix. Files are read as ``bpinv invert`` reads them, as the net's method
        (component: the MT impedance of EDI files, ``"det"``, ``"xy"``, ``"yx"`` or
        ``"berd"``; other than det with a DC net a ValueError); a
        directory stands for its ``*.csv``, ``*.txt``, ``*.dat``, ``*.tsv`` and ``*.edi``
        files in name order (holding both .edi files and others: the .edi alone with an MT
        net, the others with a DC one, what was left out said in a ``NoteWarning``).

        columns: text files' header names for bpinv's columns, as for :func:`read_sounding`.

        Returns a list of Result, in order: one per sounding, a survey table's stations each
        (as ``bpinv invert`` reads them: a station with a bad reading, or too few, fails
        alone). A sounding that cannot be read or inverted gives a Result with ``error`` set
        (the library's message), not an exception.
        """
        if isinstance(soundings, (str, bytes, os.PathLike, Sounding)):
            soundings = [soundings]
        items = []
        for s in soundings:
            if isinstance(s, Sounding):
                items.append(s)
            elif isinstance(s, (str, bytes, os.PathLike)):
                items.extend(_expand([_lib.encode(s)], lib.invnet_set_method(self._ptr)))
            else:
                # an array by its kind and shape (its repr printed every value)
                what = "a numpy array of shape %s (build a bpinv.Sounding of it)" % (s.shape,) \
                    if isinstance(s, np.ndarray) else repr(s)
                raise TypeError("invert_many: expected Sounding objects and paths, got %s"
                                % what)
        comp = _lib.component_code(component)
        self._method_options(segment_ref, "det" if comp == 0 else component)
        own = []
        if comp != 0:
            # invnet_batch_params_set has no setting for the EDI component: the files are read
            # here, as the batch would read them (a Result holding the error when one cannot
            # be), and inverted as soundings in memory; a directory left by _expand holds no
            # sounding file: the batch says so
            read = {i: self._read(s, component, columns) for i, s in enumerate(items)
                    if isinstance(s, bytes) and not os.path.isdir(s)}
            own = [x for v in read.values() for x in v if isinstance(x, Sounding)]
            items = [x for i, s in enumerate(items) for x in read.get(i, [s])]
        try:
            with _Params(refine=refine, ranges=ranges, layers=layers, threads=threads,
                         misfit_max=misfit_max, columns=columns, fix=fix, bound=bound,
                         segment_ref=segment_ref, doi=doi, starts=starts, fit_to=fit_to,
                         equivalent=equivalent, drop_outlier=drop_outlier) as p:
                results = [[s] if isinstance(s, Result) else [] for s in items]
                mem = [i for i, s in enumerate(items) if isinstance(s, Sounding)]
                files = [i for i, s in enumerate(items) if isinstance(s, bytes)]
                if mem:
                    for i, r in zip(mem, self._batch(p, soundings=[items[i] for i in mem])):
                        results[i] = [r]
                if files:
                    # a survey table gives one result per station, all with its path as
                    # source, in the files' order
                    # in the files' order; a file given twice in a row gives the same results
                    # twice, so that a run of one path splits its results evenly
                    got = self._batch(p, paths=[items[i] for i in files])
                    k = j = 0
                    while j < len(files):
                        run = j + 1
                        while run < len(files) and items[files[run]] == items[files[j]]:
                            run += 1
                        src, start = os.fsdecode(items[files[j]]), k
                        k += 1
                        while k < len(got) and got[k].source == src:
                            k += 1
                        each = (k - start) // (run - j)
                        for q, i in enumerate(files[j:run]):
                            results[i] = got[start + q * each:start + (q + 1) * each]
                        j = run
        finally:
            for s in own:
                s.close()
        return [r for rs in results for r in rs]

    def _read(self, path, component, columns=None):
        """The soundings of a file (one per station), read as the net's method and as the
        batch reads them: a station that fails alone, a Result holding its name and error;
        a list of one Result holding the error when the file cannot be read."""
        try:
            got = _read_survey(path, self.method, component, columns)
        except Error as e:
            return [Result({"source": os.fsdecode(path), "error": str(e)})]
        return [x if isinstance(x, Sounding) else
                Result({"source": os.fsdecode(path), "name": x[0], "error": x[1]})
                for x in got]
