/* SPDX-License-Identifier: MIT */
/*
 * invnet_batch_internal.h - the model moves between layer counts that the choice of the
 * count (invnet_batch.c) makes, and which counts it fits from every start, for the tests;
 * not installed.
 */
#ifndef INVNET_BATCH_INTERNAL_H
#define INVNET_BATCH_INTERNAL_H

#include <stddef.h>

#include "invnet/invert/invnet_invert.h"

/* not exported from libbpinv.so (only the installed headers' functions are) */
#pragma GCC visibility push(hidden)

/*
 * The model of r (nl layers) split into nb > nl layers, as log10 parameters into p: layer
 * `first` (SIZE_MAX: the thickest above the half-space) into two halves, then the thickest
 * again until there are nb; a half-space split gets an interface as deep again as the one
 * above it (at 10 m below a half-space alone). The same earth: a start for nb layers as good
 * as r's fit, with the new interface where the caller guesses the data want one.
 */
void invnet_split_model(const invnet_result *r, size_t nb, size_t first, double *p);

/*
 * The model of r (nl layers) with nb < nl layers, as log10 parameters into p: layers
 * `first` and first + 1 merged (SIZE_MAX: the two neighbours of least contrast), then those
 * of least contrast again until there are nb; a thickness-weighted mean of log10 rho, or
 * into the half-space, the half-space's.
 */
void invnet_merge_model(const invnet_result *r, size_t nb, size_t first, double *p);

/*
 * Which counts run all their starts after the first fits and the restarts (want[k] set; the
 * number returned), of the nn counts' fits r of s by the nets nf (by increasing count): all
 * when the count the criterion prefers misses the noise (chi2 above refit^2 per datum); else
 * each other count whose fit is above its noise level (chi2 > n - p for n data and p
 * parameters, its expected value when the model is right) and, fitted to that level, would
 * be preferred: n - p + p ln n below the preferred criterion. Until 2026-12-06 only the count
 * just above: a count below, its first fit stopped in a local minimum (Mawlamyine, 3 layers:
 * 5.8 % where all starts find 4.0 %), kept a weight of 5e-5 against 4 layers' 0.82, where
 * its fit is the one preferred (0.90).
 */
size_t invnet_batch_more_starts(const invnet_file *const *nf, size_t nn, const fwd_sounding *s,
                                const invnet_result *r, double refit, int *want);

#pragma GCC visibility pop

#endif /* INVNET_BATCH_INTERNAL_H */
