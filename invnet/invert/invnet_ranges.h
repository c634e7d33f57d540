/* SPDX-License-Identifier: MIT */
/*
 * invnet_ranges.h - the equivalent models of one sounding: every layered model that fits
 * the data as well as the noise allows and lies inside the prior, summarised as intervals.
 *
 * A random-walk Metropolis sampler of the posterior of the log10 parameters (fwd_model.h
 * layout): likelihood exp(-chi2 / 2) with the residuals of the Levenberg-Marquardt fit
 * (invnet_lm.h: the sounding's errors raised to the training noise, or, where it gives
 * none, the training noise itself), prior uniform in log10 inside the net's prior box.
 * The Gaussian proposal has the covariance of the local (Laplace) approximation at the
 * starting model, (J'J + D)^-1, J the Jacobian of the residuals and D = diag(4 / width^2)
 * of the box (so that a direction the data do not see is explored across the box, not
 * to infinity), scaled during the burn-in towards an acceptance of 0.25. Equivalence is a
 * straight valley in these coordinates (h / rho or h rho constant), which that covariance
 * follows. Several chains, the first from the starting model, the others from a draw of
 * the local approximation; split R-hat and the effective sample size (Geyer's initial
 * monotone sequence) of every parameter say whether they agree and how many independent
 * draws they are worth. The random stream is seeded from the sounding's numbers and the
 * seed: the same sounding gives the same intervals in any batch, order or thread count.
 */
#ifndef INVNET_RANGES_H
#define INVNET_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_forward.h"
#include "forward/fwd_model.h"
#include "forward/readers/fwd_sounding.h"

typedef struct invnet_ranges_params {
    double level;            /* central interval, percent, 0 < level < 100 [90] */
    size_t chains;           /* chains, >= 2 [2] */
    size_t burn;             /* steps per chain discarded while the proposal adapts [800] */
    size_t steps;            /* steps per chain kept, >= 100 [1600] */
    uint64_t seed;           /* mixed with the sounding's numbers [1] */
    double unresolved_share; /* a parameter whose interval is wider than this share of its
                                prior's log10 width, or that reaches within 1 % of that
                                width of a bound, is unresolved [0.5] */
} invnet_ranges_params;

invnet_ranges_params invnet_ranges_default(void);

/* Checks every field (FWD_EINVAL naming it). */
int invnet_ranges_check(const invnet_ranges_params *p, fwd_error *err);

/* [low, median, high]: the (100 - level) / 2, 50 and (100 + level) / 2 percentiles. */
typedef double invnet_interval[3];

typedef struct invnet_ranges {
    size_t n_layers;
    double level; /* percent */
    invnet_interval rho_ohmm[FWD_MAX_LAYERS];
    invnet_interval thick_m[FWD_MAX_LAYERS];          /* layers above the half-space */
    invnet_interval depth_m[FWD_MAX_LAYERS];          /* interface k: below layer k */
    invnet_interval conductance_s[FWD_MAX_LAYERS];    /* h / rho of each layer above */
    invnet_interval transverse_ohmm2[FWD_MAX_LAYERS]; /* h rho of each layer above */
    unsigned char unresolved[2 * FWD_MAX_LAYERS];     /* per parameter: 1 if unresolved */
    size_t n_unresolved;
    size_t evaluations; /* forward models computed */
    double acceptance;  /* of the kept steps */
    double ess_min;     /* smallest effective sample size of a parameter, all chains */
    double rhat_max;    /* largest split R-hat of a parameter (1: the chains agree) */
} invnet_ranges;

/*
 * Samples the equivalent models of s for n_layers layers from the log10 parameters p (the
 * refined model; moved just inside the box if need be), with bounds lo and hi (log10, the
 * net's prior) and the training noise (relative, as in the samples file), computing
 * responses with w (a workspace of s's geometry, fwd_sounding_geom()). Fills out. FWD_OK;
 * FWD_EINVAL for bad parameters or fewer data than parameters; FWD_ENUMERIC when the
 * forward model fails at the start; FWD_ENOMEM.
 */
int invnet_ranges_sample(fwd_workspace *w, const fwd_sounding *s, size_t n_layers, const double *p,
                         const double *lo, const double *hi, double noise,
                         const invnet_ranges_params *rp, invnet_ranges *out, fwd_error *err);

/* The name of parameter j of an n_layers model, as the CSV columns name it: "rho_2",
 * "thick_1". */
const char *invnet_param_name(size_t n_layers, size_t j, char *buf, size_t cap);

#endif /* INVNET_RANGES_H */
