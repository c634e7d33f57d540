# SPDX-License-Identifier: MIT
"""h5edit - what the CLI tests' h5py fixtures share: copies of bpinv HDF5 files, edited.

Imported by the Python parts of tests/cli/test_bad_inputs.sh and test_train.sh (run with
PYTHONPATH=tests/cli).
"""
import shutil

import h5py


def edit(src, dst, fn):
    """Copies the file src to dst, then calls fn on dst opened read-write."""
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        fn(f)


def set_attr(obj, key, val):
    """Replaces attribute key of obj (a file, group or dataset) by val, with val's type:
    assigning to an existing attribute would keep its old type."""
    del obj.attrs[key]
    obj.attrs[key] = val
