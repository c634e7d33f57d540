/* SPDX-License-Identifier: MIT */
/*
 * helpers.h - what the libinvnet tests share.
 */
#ifndef TESTS_INVNET_HELPERS_H
#define TESTS_INVNET_HELPERS_H

#include <stddef.h>

#include "forward/readers/fwd_sounding.h"
#include "invnet/invnet_file.h"

/* The geometry of the test nets: 20 AB/2 log-spaced over 1..1000 m; prior 3 layers,
 * rho 1..1000 ohm-m, thicknesses 1..50 m. */
#define TST_NPTS 20

/* Writes n samples (seed 42, noise as given) to dir/name, leaving the last n_complete_cut
 * incomplete; the path into path. */
void tst_make_samples(const char *dir, const char *name, size_t n, double noise,
                      size_t n_complete_cut, char *path);

/* As tst_make_samples, at the nd AB/2 ab2 (m). */
void tst_make_samples_at(const char *dir, const char *name, size_t n, double noise,
                         size_t n_complete_cut, size_t nd, const double *ab2, char *path);

/* As tst_make_samples_at, of nl layers (the same prior ranges for each). */
void tst_make_samples_layers(const char *dir, const char *name, size_t n, double noise,
                             size_t n_complete_cut, size_t nd, const double *ab2, size_t nl,
                             char *path);
/* As tst_make_samples_layers, of method m at its nx points x (AB/2, a or periods). */
void tst_make_samples_method(const char *dir, const char *name, size_t n, double noise,
                             size_t n_complete_cut, fwd_method m, size_t nx, const double *x,
                             size_t nl, char *path);

/* Trains a 20-64-5 tanh net on a samples file (its noisy or clean data) as `bpinv train`
 * does, validating on the last fraction val of the rows. */
invnet_file *tst_train(const char *path, size_t epochs, int nthreads, double val, int noisy);

/* A Schlumberger sounding of n points x (AB/2, m) with apparent resistivities d (ohm-m),
 * made in memory (fwd_sounding_free() it). */
fwd_sounding *tst_sounding(size_t n, const double *x, const double *d);

/* As tst_train, for a masked net (invnet_mask.h) of the given narrowest span, validating on
 * a tenth of the rows. */
invnet_file *tst_train_masked(const char *path, size_t epochs, int nthreads, double min_span);

/* As tst_train_masked, with its inputs in the given layout. */
invnet_file *tst_train_masked_as(const char *path, size_t epochs, int nthreads, double min_span,
                                 invnet_mask_layout layout);

/* Sets the root attribute name of the HDF5 file at path to the n values v (one u64 when
 * u64 != 0) with the writers the library saves with, as a damaged or foreign file would
 * have it; deletes the attribute when v is NULL (a file from before it). */
void tst_set_attr(const char *path, const char *name, size_t n, const double *v, int u64);

#endif /* TESTS_INVNET_HELPERS_H */
