/* SPDX-License-Identifier: MIT */
/*
 * invnet_mask.h - nets that invert any part of their span: which of a net's points a
 * sounding observes (its mask), drawn at random for training and found for a sounding.
 *
 * A masked net reads its F features (standardised; 0, the training mean, where a point is
 * not observed) and F indicators (1 where the point is observed), in one of two layouts:
 * - aligned (the default; the file's inputs "aligned"), 4F + 1 inputs: the
 *   observed points placed from the window's first point on (slot k - first), the same
 *   placed up to its last point (slot k + npts - 1 - last), each with its indicators, and
 *   first / (npts - 1), where the window starts. A DC response is unchanged when the
 *   spacings and every thickness scale together, an MT response when the periods scale by
 *   k^2 and the thicknesses by k: a window's place along the span is a depth scale. Placed
 *   at its edges, every window of a width is read by the same weights, whatever its place,
 *   and the net learns from all of them at once (the top of the earth from the first
 *   points, the bottom from the last).
 * - absolute (the nets made before it, which still load; inputs "masked"), 2F inputs: the
 *   F features in their own places, then the F indicators.
 * The features of one point (MT: rho_a and phase) are observed together. Training draws a new
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

#ifdef __cplusplus
extern "C" {
#endif

/* The most points a masked net may have. */
#define INVNET_MASK_MAX_POINTS 1024

/* How a masked net's inputs are laid out (above). */
typedef enum invnet_mask_layout {
    INVNET_MASK_ABSOLUTE = 0, /* 2F inputs: each feature in its place ("masked") */
    INVNET_MASK_ALIGNED = 1   /* 4F + 1: aligned at the window's first and last points */
} invnet_mask_layout;

typedef struct invnet_mask_params {
    double min_span;           /* decades: the narrowest window trained on, > 0 [1] */
    double max_missing;        /* largest fraction of a window's points dropped, 0 <= . < 1 [0.3] */
    double p_full;             /* probability that a row is seen whole [0.2] */
    double p_missing;          /* probability that a row drops points [0.5] */
    invnet_mask_layout layout; /* how the net reads them [INVNET_MASK_ALIGNED] */
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

/* The number of a masked net's inputs in layout l, for F = nvalues * npts features. */
size_t invnet_mask_n_in(invnet_mask_layout l, size_t nvalues, size_t npts);

/*
 * The input row in[invnet_mask_n_in(l, ..)] of a masked net, in layout l, from standardised
 * features z (nvalues blocks of npts, the layout of invnet_features) and the observed points
 * obs[npts] (at least one). Absolute: in[j] = z[j] where point j % npts is observed, else 0;
 * in[F + j] = 1 or 0 likewise. Aligned: as the header says.
 */
void invnet_mask_input(invnet_mask_layout l, size_t nvalues, size_t npts, const double *z,
                       const unsigned char *obs, double *in);

/*
 * The other way: the standardised features z[F] (0 where not observed) and the observed
 * points obs[npts] of an input row that invnet_mask_input made.
 */
void invnet_mask_unpack(invnet_mask_layout l, size_t nvalues, size_t npts, const double *in,
                        double *z, unsigned char *obs);

/* The name of layout l in a net file ("masked", "aligned"); of the name (-1 if none). */
const char *invnet_mask_layout_name(invnet_mask_layout l);
int invnet_mask_layout_parse(const char *name);

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

#ifdef __cplusplus
}
#endif

#endif /* INVNET_MASK_H */
