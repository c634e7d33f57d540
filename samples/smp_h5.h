/* SPDX-License-Identifier: MIT */
/*
 * smp_h5.h - small HDF5 helpers: typed attributes and checked opening, shared by the
 * bpinv file formats (samples here, nets in invnet/).
 *
 * Files store explicit little-endian types (H5T_IEEE_F64LE, H5T_STD_U64LE) and UTF-8
 * variable-length strings, so h5py reads them as float, int and str. Every function returns
 * 0 or a FWD_E* code with a message naming the file path given and the attribute.
 */
#ifndef SMP_H5_H
#define SMP_H5_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "forward/fwd_error.h"

int smp_h5_write_str(hid_t loc, const char *name, const char *value, fwd_error *err);
int smp_h5_write_strs(hid_t loc, const char *name, size_t n, char *const *values, fwd_error *err);
int smp_h5_write_u64(hid_t loc, const char *name, uint64_t value, fwd_error *err);
/* n values as a 1-D attribute (n >= 1). */
int smp_h5_write_f64(hid_t loc, const char *name, size_t n, const double *values, fwd_error *err);
/* Rewrites an existing scalar u64 attribute. */
int smp_h5_update_u64(hid_t loc, const char *name, uint64_t value, fwd_error *err);

/* Reads a string attribute (fixed or variable length) into buf; FWD_EFORMAT if absent. */
int smp_h5_read_str(hid_t loc, const char *path, const char *name, char *buf, size_t cap,
                    fwd_error *err);
int smp_h5_read_u64(hid_t loc, const char *path, const char *name, uint64_t *value, fwd_error *err);
/* Reads exactly n doubles; FWD_EFORMAT if absent or of another size. */
int smp_h5_read_f64(hid_t loc, const char *path, const char *name, size_t n, double *values,
                    fwd_error *err);

/* Opens path read-only (writable when rw), FWD_EIO or FWD_EFORMAT with a clear message;
 * returns the file id or H5I_INVALID_HID. */
hid_t smp_h5_open(const char *path, int rw, fwd_error *err);

/* Reads a whole 1-D double dataset of n values. */
int smp_h5_read_vector(hid_t loc, const char *path, const char *name, size_t n, double *v,
                       fwd_error *err);

#endif /* SMP_H5_H */
