# SPDX-License-Identifier: MIT
"""bpinv: 1D DC resistivity (Schlumberger, Wenner) and magnetotelluric soundings inverted with
a trained backpropagation network, from Python.

A thin layer (ctypes; numpy in and out) over the C library libbpinv.so.0.1 of bpinv 0.1.0:
the same forward model, sounding readers, checks and inversion as the ``bpinv`` command, so
the results are those of ``bpinv forward`` and ``bpinv invert --format json``. Nets are
trained with the command (``bpinv samples``, ``bpinv train``). Units: ohm-m, m, s, degrees.

- ``forward(method, rho, thick, x, mn2=None, filter="shared")``: apparent resistivity
  (ohm-m; and phase in degrees for MT) of a layered earth.
- ``Sounding(method, x, rho_a, ...)``, ``read_sounding(path, method=None, component="det")``:
  field data, checked and sorted; ``read_soundings(path, ...)``: every station of a survey
  table.
- ``Net(path)``: a trained net; ``.invert(x, data, ...)``, ``.invert_sounding(s)``,
  ``.invert_many([...])`` give ``Result`` objects.
- ``Error``: what the library reports, with its message (``FileError``, also an OSError,
  for a file that could not be opened, read or written); ``NoteWarning``: what the command
  prints as a note (a directory's files left out, a result's note).

The library is found through BPINV_LIBRARY (its path), then pkg-config's bpinv, then the
dynamic loader (docs/python.md).
"""

from ._lib import Error, FileError, NoteWarning, VERSION as __version__, path as library_path
from ._forward import Forward, forward
from ._sounding import Sounding, read_sounding, read_soundings
from ._net import Net, Result

__all__ = ["Error", "FileError", "NoteWarning", "Forward", "forward", "Sounding", "read_sounding", "read_soundings", "Net", "Result", "library_path"]
