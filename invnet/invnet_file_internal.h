/* SPDX-License-Identifier: MIT */
/*
 * invnet_file_internal.h - the net file's parts for the other files of invnet/ (the
 * training checkpoint, invnet_ckpt.c): a net written into or read from a group of an HDF5
 * file open elsewhere. Not installed.
 */
#ifndef INVNET_FILE_INTERNAL_H
#define INVNET_FILE_INTERNAL_H

#include <hdf5.h>

#include "forward/base/fwd_error.h"
#include "invnet/invnet_file.h"

/* not exported from libbpinv.so: inside the library only */
#pragma GCC visibility push(hidden)

/* Writes f into loc (a file's root or a group) as a net file's root holds it; path names the
 * file in errors. FWD_EINVAL when the net does not fit its geometry. */
int invnet_file_write_at(hid_t loc, const char *path, const invnet_file *f, fwd_error *err);

/* Reads the net at loc into f (zeroed by the caller; invnet_file_free() it after, whatever the
 * result), every part checked as invnet_file_load() does; path names it in errors. */
int invnet_file_read_at(hid_t loc, const char *path, invnet_file *f, fwd_error *err);

#pragma GCC visibility pop

#endif /* INVNET_FILE_INTERNAL_H */
