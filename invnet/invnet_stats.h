/* SPDX-License-Identifier: MIT */
/*
 * invnet_stats.h - what the net sees of a sounding, and what it was trained on.
 *
 * Features: a data row (apparent resistivities in ohm-m, then for MT the phases in
 * degrees) becomes log10 rho_a per point, then phase / 90 per period: each value by its
 * method's rule (fwd_value_info.to_feature, fwd_method.h). The training
 * envelope summarises the training features so that `invert` can tell when a sounding
 * lies outside them: per-feature minimum and maximum, and the mean and principal
 * components of their covariance for a Mahalanobis distance, with quantiles of that
 * distance over the training set as thresholds.
 */
#ifndef INVNET_STATS_H
#define INVNET_STATS_H

#include <stddef.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_geom.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Features of rows data rows of fwd_geom_ndata() values for method m with npts points, into
 * feat (same size). FWD_EINVAL naming the row and column for a resistivity that is not
 * finite and > 0 or a phase that is not finite.
 */
int invnet_features(fwd_method m, size_t npts, size_t rows, const double *data, double *feat,
                    fwd_error *err);

/* Feature names ("log10_rho_a_1", ..., "phase_over_90_1", ...: fwd_value_info.feature and
 * the point) into buf; returns buf. */
const char *invnet_feature_name(fwd_method m, size_t npts, size_t j, char *buf, size_t cap);

/* A standard deviation below this fraction of |mean| is rounding noise: the column is
 * constant. */
#define INVNET_SD_REL_FLOOR 1e-12
/* Principal components of smaller variance (feature units squared) are not used. */
#define INVNET_VAR_ABS_FLOOR 1e-20

/* Column means and standard deviations (two passes; sd of a constant column is 1). */
void invnet_colstats(size_t rows, size_t cols, const double *x, double *mean, double *sd);

/* The training envelope of n features. */
typedef struct invnet_envelope {
    size_t n;       /* features */
    double *min;    /* n: smallest value over the training rows */
    double *max;    /* n: largest */
    double *mean;   /* n */
    size_t n_pc;    /* principal components kept (variance above the floor) */
    double *pc;     /* n_pc x n, row k the k-th unit eigenvector of the covariance */
    double *pc_var; /* n_pc variances (eigenvalues), largest first */
    double d2_q99;  /* 99th and 99.9th percentile of the squared Mahalanobis distance */
    double d2_q999; /* of the training rows */
} invnet_envelope;

/* An empty envelope of n features (arrays allocated, n_pc = 0); NULL when out of memory. */
invnet_envelope *invnet_envelope_alloc(size_t n);
void invnet_envelope_free(invnet_envelope *e);

/*
 * Computes e from rows feature rows x (rows >= 2): min, max, mean, the covariance's
 * eigen-decomposition keeping components of variance > rel_floor * the largest (e.g.
 * 1e-10), and the distance quantiles over at most max_rows_q (>= 1) rows spread over x.
 */
int invnet_envelope_compute(invnet_envelope *e, size_t rows, const double *x, double rel_floor,
                            size_t max_rows_q, fwd_error *err);

/* Squared Mahalanobis distance of a feature row from the training mean, in the kept
 * components: sum_k (pc_k . (x - mean))^2 / pc_var_k. */
double invnet_envelope_d2(const invnet_envelope *e, const double *x);

/*
 * The squared Mahalanobis distance of the observed features of x (obs[j] != 0) from the
 * training mean, under the marginal of the envelope's Gaussian for them: r' S_oo^-1 r with
 * r = x_o - mean_o and S = sum_k pc_var_k pc_k pc_k' (plus 1e-9 of the largest variance on
 * the diagonal, for the components left out) plus diag(extra): the variance of the
 * sounding's errors beyond the training noise (n values, may be NULL for none). contrib (n values,
 * may be NULL) receives each feature's term r_j (S_oo^-1 r)_j, which add up to the distance (0
 * where not observed). *dof (may be NULL) receives the degrees of freedom, min(observed, n_pc).
 * Every feature observed without extra gives invnet_envelope_d2(). NAN when out of memory.
 */
double invnet_envelope_d2_partial(const invnet_envelope *e, const double *x,
                                  const unsigned char *obs, const double *extra, double *contrib,
                                  size_t *dof, double *work);

/*
 * The threshold of the distance for dof degrees of freedom: factor times the training
 * rows' 99.9th percentile, scaled by the ratio of the chi-square 99.9th percentiles of dof
 * and n_pc degrees of freedom, so that a partial sounding is held to the same false-alarm
 * rate as a whole one.
 */
double invnet_envelope_d2_limit(const invnet_envelope *e, size_t dof, double factor);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_STATS_H */
