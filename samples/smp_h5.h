/* SPDX-License-Identifier: MIT */
/*
 * smp_h5.h - small HDF5 helpers: typed attributes and checked opening, shared by the
 * bpinv file formats (samples here, nets in invnet/).
 *
 * Files store explicit little-endian types (H5T_IEEE_F64LE, H5T_STD_U64LE) and UTF-8
 * variable-length strings, so h5py reads them as float, int and str. Every function returns
 * 0 or a FWD_E* code with a message naming the file path given and the attribute.
 *
 * Libraries never print: smp_h5_open and smp_h5_create_temp turn off HDF5's automatic
 * printing of its error stack (H5Eset_auto2 on the default stack, a setting of the process
 * that a program may turn on again after them); their messages say what went wrong.
 */
#ifndef SMP_H5_H
#define SMP_H5_H

#include <stddef.h>
#include <stdint.h>

#include <hdf5.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_geom.h"
#include "samples/smp_prior.h"

#ifdef __cplusplus
extern "C" {
#endif

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
/* Reads one double in [lo, hi] (so never NaN); FWD_EFORMAT names the range otherwise. */
int smp_h5_read_f64_in(hid_t loc, const char *path, const char *name, double lo, double hi,
                       double *value, fwd_error *err);

/*
 * A file access property list for a file that is written in steps (H5Pclose it): format
 * 1.8 or later, and a metadata cache that never evicts, so that metadata reaches the disk
 * only in H5Fflush and a killed writer leaves the file as of its last flush. The cache
 * then grows with the file's metadata (a few MB for a million samples).
 * H5I_INVALID_HID on failure.
 */
hid_t smp_h5_writer_fapl(void);

/*
 * Creates the HDF5 file "path.tmp.PID" (H5F_ACC_EXCL), for a file that fwd_io_publish()
 * will then give the name path (forward/base/fwd_io.h). Sets *tmp to its name (free() it) and
 * returns its id. On failure: FWD_EIO naming path and the system's reason, no file left
 * behind (one of that name that was there already is another's, and kept), *tmp NULL,
 * H5I_INVALID_HID.
 */
hid_t smp_h5_create_temp(const char *path, hid_t fcpl, hid_t fapl, char **tmp, fwd_error *err);

/* Opens path read-only (writable when rw, through smp_h5_writer_fapl), FWD_EIO or FWD_EFORMAT with
 * a clear message; returns the file id or H5I_INVALID_HID. */
hid_t smp_h5_open(const char *path, int rw, fwd_error *err);

/* The string attribute 'format' of the HDF5 file at path into fmt (cap bytes): what kind of
 * bpinv file it is (SMP_FORMAT, INVNET_FORMAT). FWD_OK; smp_h5_open's errors when the file
 * cannot be opened; FWD_EFORMAT with err->field "format" when it has no such attribute. */
int smp_h5_file_format(const char *path, char *fmt, size_t cap, fwd_error *err);

/* Reads a whole 1-D double dataset of n values. */
int smp_h5_read_vector(hid_t loc, const char *path, const char *name, size_t n, double *v,
                       fwd_error *err);

/*
 * Writes group /geometry of loc: the points as dataset ab2_m, a_m or period_s (and mn2_m
 * for a finite-MN Schlumberger array), each with `units` and `columns`. path is for messages.
 */
int smp_h5_write_geometry(hid_t loc, const char *path, const fwd_geom *g, fwd_error *err);
/* Reads /geometry of method m into a new fwd_geom (*g, fwd_geom_free() it). */
int smp_h5_read_geometry(hid_t loc, const char *path, fwd_method m, fwd_geom **g, fwd_error *err);

/* Reads the string attribute forward_filter into buf (cap bytes): the name of a Hankel
 * filter (fwd_hankel_name), else FWD_EFORMAT naming it. */
int smp_h5_read_filter(hid_t loc, const char *path, char *buf, size_t cap, fwd_error *err);
/* Writes the prior ranges as attributes rho_min, rho_max (ohm-m), thick_min, thick_max (m). */
int smp_h5_write_prior(hid_t loc, const smp_prior *p, fwd_error *err);
/*
 * Reads them for p->n_layers layers (set by the caller) and checks them: FWD_EFORMAT
 * "PATH: prior attributes: " and smp_prior_check's message, with its err->field.
 */
int smp_h5_read_prior(hid_t loc, const char *path, smp_prior *p, fwd_error *err);
/* After a failed H5Dread: "its checksum does not match: the file is damaged (...)" when
 * HDF5's error stack says a checksum failed, else "read error". */
const char *smp_h5_read_why(void);

/*
 * Writes a rows x cols double dataset (1-D when cols is 0) with a `units` attribute and,
 * if columns is not NULL, a `columns` attribute of cols (or rows, for 1-D) names. Its values
 * carry a Fletcher32 checksum (one chunk), which HDF5 checks on every read: a damaged
 * value is a read error (smp_h5_read_why), not a wrong number. The geometry's datasets too.
 */
int smp_h5_write_matrix(hid_t loc, const char *path, const char *name, size_t rows, size_t cols,
                        const double *v, const char *units, char *const *columns, fwd_error *err);
/*
 * Reads a 2-D double dataset of exactly rows x cols values (FWD_EFORMAT naming the dataset,
 * what was expected and what was found otherwise).
 */
int smp_h5_read_matrix(hid_t loc, const char *path, const char *name, size_t rows, size_t cols,
                       double *v, fwd_error *err);
/* The dimensions of a dataset (rank 1 or 2; cols is 0 for rank 1); FWD_EFORMAT if absent. */
int smp_h5_dims(hid_t loc, const char *path, const char *name, size_t *rows, size_t *cols,
                fwd_error *err);
#ifdef __cplusplus
}
#endif

#endif /* SMP_H5_H */
