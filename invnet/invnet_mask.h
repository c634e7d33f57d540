/* SPDX-License-Identifier: MIT */
/*
 * invnet_mask.h - nets that invert any part of their span: which of a net's points a
 * sounding observes (its mask), drawn at random for training and found for a sounding.
 *
 * A masked net reads 2F inputs for F features: the F features, standardised, 0 (the
 * training mean) where the point is not observed; then F indicators, 1 where it is. The
 * features of one point (MT: rho_a and phase) are observed together. Training draws a new
 * mask for every row in every epoch, reproducibly from (seed, epoch, row) on any thread:
 * a window of the net's span in log10 x, from min_span decades to the whole span wide (the
 * whole span with probability p_full), placed at random; and, in a share p_missing of the
 * rows, points dropped at random inside it, up to max_missing of them (gaps, dead bands,
 * rejected readings). Nothing outside a sounding's span is extrapolated into the net.
 */
#ifndef INVNET_MASK_H
#define INVNET_MASK_H

#include <stddef.h>
#include <stdint.h>

#include "forward/base/fwd_error.h"

/* The most points a masked net may have. */
#define INVNET_MASK_MAX_POINTS 1024

typedef struct invnet_mask_params {
    double min_span;    /* decades: the narrowest window trained on, > 0 [1] */
    double max_missing; /* largest fraction of a window's points dropped, 0 <= . < 1 [0.3] */
    double p_full;      /* probability that a row is seen whole [0.2] */
    double p_missing;   /* probability that a row drops points [0.5] */
} invnet_mask_params;

/* The defaults in brackets above. */
invnet_mask_params invnet_mask_default(void);

/* Checks every field (FWD_EINVAL naming it). */
int invnet_mask_check(const invnet_mask_params *p, fwd_error *err);

/*
 * Draws the points that row `row` observes in epoch `epoch` of a run seeded with seed, for
 * a net whose npts points are at logx (log10 x, any order): obs[k] is 1 or 0. Depends on
 * its arguments only. At least min(npts, 2) points are observed.
 */
void invnet_mask_draw(const invnet_mask_params *p, size_t npts, const double *logx, uint64_t seed,
                      uint64_t epoch, uint64_t row, unsigned char *obs);

/*
 * The input row of a masked net from standardised features z (nvalues blocks of npts, the
 * layout of invnet_features) and the observed points obs[npts]: in[j] = z[j] where point
 * j % npts is observed, else 0; in[F + j] = 1 or 0 likewise (F = nvalues * npts).
 */
void invnet_mask_input(size_t nvalues, size_t npts, const double *z, const unsigned char *obs,
                       double *in);

/*
 * The points of a net (logx, npts) that a sounding measured at slog (ns values of log10 x,
 * ascending) observes, into obs: those inside the sounding's span (widened by tol decades)
 * and not inside a gap, an interval between two consecutive sounding points wider than
 * max(gap, twice the sounding's median interval) decades. work: ns doubles of scratch, or
 * NULL to allocate them here. Returns how many are observed.
 */
size_t invnet_mask_observed(size_t npts, const double *logx, size_t ns, const double *slog,
                            double tol, double gap, unsigned char *obs, double *work);

/* The width in decades of the observed points' span (0 when fewer than 2). */
double invnet_mask_span(size_t npts, const double *logx, const unsigned char *obs);

#endif /* INVNET_MASK_H */
