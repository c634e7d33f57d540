/* SPDX-License-Identifier: MIT */
/*
 * invnet_lm.h - Levenberg-Marquardt inversion of one sounding (GSL gsl_multifit_nlinear):
 * the classical 1D inversion a user of IPI2Win or pyGIMLi runs, used here to refine the
 * net's answer and, from a half-space start, as the baseline the net is measured against.
 *
 * Unknowns: the log10 parameters (fwd_model.h layout). Residuals: ln(f_i / d_i) for
 * apparent resistivities and 2 (phi_f - phi_d) in radians for MT phases (the phase error of
 * an impedance whose ln rho_a error is the same), or, when the sounding gives standard
 * errors, (log10 f_i - log10 d_i) / sd_i and (phi_f - phi_d) / sd_phi, each error raised to
 * its floor. Jacobian analytic (fwd_jacobian_approx, through the change of variable of the
 * bounds); geodesic acceleration off; trust region in decades of the parameters.
 */
#ifndef INVNET_LM_H
#define INVNET_LM_H

#include <stddef.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_forward.h"
#include "forward/readers/fwd_sounding.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Most depth bounds of one fit, and the weight of their residuals. */
#define INVNET_LM_MAX_DEPTHS   16
#define INVNET_LM_DEPTH_WEIGHT 100.0

typedef struct invnet_lm_params {
    size_t max_iter; /* most iterations [30] */
    double xtol;     /* step tolerance, relative [1e-6] */
    double gtol;     /* gradient tolerance [1e-8] */
    double ftol;     /* cost tolerance [1e-10] */
    double ctol;     /* stop when the cost falls by less than this fraction of itself in two
                        iterations in a row [1e-3] */
    double max_step; /* largest |log10 parameter| change from the start, decades [4] */
    /* Smallest standard errors used, where the sounding gives errors: of log10 rho_a and of
     * the phase in degrees (an error floor, as MT practice applies) [0, 0]. */
    double sd_log10_floor, sd_phase_floor;
    /* Depths held in bounds (from a borehole): the bottom of layer depth_layer[k] (1-based)
     * in [10^depth_lo[k], 10^depth_hi[k]] m, by a residual of weight INVNET_LM_DEPTH_WEIGHT
     * times its log10 distance outside, then, on return, by moving that interface onto the
     * bound (the thickness of its layer changed). n_depth of them [0]. */
    size_t n_depth;
    size_t depth_layer[INVNET_LM_MAX_DEPTHS];
    double depth_lo[INVNET_LM_MAX_DEPTHS], depth_hi[INVNET_LM_MAX_DEPTHS];
    /* Levels not known (a Schlumberger sounding's MN/2 segments joined across a gap, where
     * no AB/2 is shared): reading i's apparent resistivity is known to a factor common to
     * the readings of level[i] (1 to n_levels; 0: none), a further unknown the fit takes
     * out exactly (variable projection, Golub and Pereyra 1973: for a model, the best
     * factors are linear least squares; residuals and Jacobian are projected off each
     * level's weights, invnet_lm_point_weight). Borrowed, s->n values; NULL: none [NULL, 0].
     * invnet_lm_residuals leaves them in too. */
    const size_t *level;
    size_t n_levels;
} invnet_lm_params;

invnet_lm_params invnet_lm_default(void);

/* The defaults with the error floors of data of this noise (log-normal, relative): noise /
 * ln 10 in log10 rho_a and fwd_phase_sd_deg(noise) in phase, the training noise a net
 * knows the data to at best. */
invnet_lm_params invnet_lm_noise(double noise);

/* Forward models a Jacobian is counted as (fwd_jacobian_approx: 2.2 DC, 1.8 MT of them for
 * 4 layers and 30 points, make bench; 3 before 2026-12-06, with fwd_jacobian). */
#define INVNET_LM_JACOBIAN_MODELS 2

/* What a fit cost. */
typedef struct invnet_lm_count {
    size_t iterations;  /* of the trust-region method */
    size_t evaluations; /* forward models computed for the residuals */
    size_t jacobians;   /* analytic Jacobians (fwd_jacobian_approx, about 2 models each) */
} invnet_lm_count;

/*
 * Fits the n_layers model whose log10 parameters are in p (the start; the result on
 * return) to sounding s, computing responses with w (a workspace of s's own geometry,
 * fwd_sounding_geom()). With bounds lo and hi (log10, may be NULL) each parameter is kept
 * inside (lo, hi) by the smooth change of variable p = lo + (hi - lo) / (1 + e^-u), and one
 * with lo == hi is fixed there (not an unknown); without them, within max_step decades of
 * the start. lp's depth bounds are held as it says. *count gets the iterations run and the
 * forward models computed (count may be NULL). Returns
 * FWD_OK also when the iterations ran out (the best model so far is returned); FWD_EINVAL
 * when the sounding has fewer data than free parameters; FWD_ENOMEM.
 */
int invnet_lm_fit(fwd_workspace *w, const fwd_sounding *s, size_t n_layers, double *p,
                  const double *lo, const double *hi, const invnet_lm_params *lp,
                  invnet_lm_count *count, fwd_error *err);

/*
 * What a fit allocates (GSL's trust-region workspace, the response, the residuals, the
 * Jacobian), kept from one fit to the next: a batch fits thousands of soundings of one
 * size, and allocating it for each fit took 6 % of a refined batch's time. One per thread;
 * invnet_lm_workspace_alloc returns NULL out of memory.
 */
typedef struct invnet_lm_workspace invnet_lm_workspace;

invnet_lm_workspace *invnet_lm_workspace_alloc(void);
void invnet_lm_workspace_free(invnet_lm_workspace *lw);

/* invnet_lm_fit in lw's memory (what the sizes need is allocated, then kept); the same
 * answer, bit for bit. */
int invnet_lm_fit_in(invnet_lm_workspace *lw, fwd_workspace *w, const fwd_sounding *s,
                     size_t n_layers, double *p, const double *lo, const double *hi,
                     const invnet_lm_params *lp, invnet_lm_count *count, fwd_error *err);

/*
 * Moves the log10 parameters p of an n_layers model into the box (lo, hi) (a parameter with
 * lo == hi set to it; NULL: no box) and each depth lp bounds onto its bound, as
 * invnet_lm_fit holds them.
 */
void invnet_lm_project(const invnet_lm_params *lp, size_t n_layers, const double *lo,
                       const double *hi, double *p);

/*
 * The residuals the fit minimises (above) of the n_layers model of log10 parameters p
 * against s, into f (fwd_method_ndata(s->method, s->n) values), the response computed with
 * w (of s's geometry) into resp (as many). lp: its two error floors (NULL: none). FWD_OK, or
 * FWD_ENUMERIC where the forward model fails.
 */
int invnet_lm_residuals(fwd_workspace *w, const fwd_sounding *s, size_t n_layers, const double *p,
                        const invnet_lm_params *lp, double *resp, double *f);

/*
 * The errors of point i of s as the fit weighs them, before any floor: as s gives them, a
 * missing one (an MT sounding with errors of rho_a or of the phase alone) from the other
 * through the impedance error e (sd log10 rho_a = 2 e / ln 10, sd phase = e radians): *sl
 * in decades, *sp in degrees (0 for a method without phases); both 0 where s gives none.
 */
void invnet_lm_point_sd(const fwd_sounding *s, size_t i, double *sl, double *sp);

/*
 * The factor that makes point i's ln(rho_a ratio) its residual in the fit (invnet_lm.h): 1 /
 * (ln 10 sd), sd as invnet_lm_point_sd() gives it raised to lp's floor (NULL: none), or 1
 * where s gives no errors. Data multiplied by e^d move that residual by -d times it.
 */
double invnet_lm_point_weight(const fwd_sounding *s, const invnet_lm_params *lp, size_t i);

/*
 * chi2 of the response resp (fwd_method_ndata values at s's points, as a forward model
 * gives them) against s, its apparent resistivities taken from rho_a (NULL: s->rho_a; e.g.
 * Schlumberger segments as joined): the residuals above with the floors of the training
 * noise (sd of log10 rho_a noise / ln 10, of the phase fwd_phase_sd_deg(noise)), where s
 * gives no errors in units of the noise itself (ln rho_a at noise, the phase at noise / 2
 * radians).
 */
double invnet_lm_chi2(const fwd_sounding *s, const double *rho_a, const double *resp, double noise);

/*
 * The data's noise in units of their errors, from the chi2 (a sum, as above) of the best fit
 * of p parameters to n data: sqrt(chi2 / (n - p)) where chi2 is larger than chance allows
 * (above the 95th percentile of chi-square with n - p degrees of freedom): the data are
 * noisier than the errors say; else 1, the errors as they are (never narrowed). 1 when
 * n <= p or chi2 is not finite.
 */
double invnet_lm_noise_scale(double chi2, size_t n, size_t p);

/*
 * The classical starting model: n_layers layers of the sounding's mean apparent resistivity
 * (geometric mean), with interfaces at depths log-spaced between a fifth of its smallest
 * spacing (or, for MT, skin depth) and half its largest. log10 parameters into p.
 */
void invnet_lm_halfspace_start(const fwd_sounding *s, size_t n_layers, double *p);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_LM_H */
