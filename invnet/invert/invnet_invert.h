/* SPDX-License-Identifier: MIT */
/*
 * invnet_invert.h - inverting one field sounding with a trained net, and checking the
 * answer: resampling onto the net's geometry, the range checks, and the physics check.
 *
 * Steps (docs/invert.md): (1) a Schlumberger sounding measured with several MN/2 is made one
 * curve: each segment's factor to its neighbour is the median of their log ratios where they
 * meet (each point near the other's span against the other's curve), the factors chained
 * and every segment brought to a reference (segment_ref), the same AB/2 of several segments
 * averaged in log; (2) the curve is interpolated in log-log (GSL Steffen, monotone between points)
 * at the net's points; net points beyond the sounding's span are extrapolated; (3) range checks
 * against the training envelope; (4) the net predicts the model; (5) the forward model of the
 * prediction is computed at the sounding's own points (its own AB/2 and MN/2) and compared with the
 * observed data. Each failed check sets a flag.
 */
#ifndef INVNET_INVERT_H
#define INVNET_INVERT_H

#include <stddef.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_model.h"
#include "forward/readers/fwd_sounding.h"
#include "invnet/invnet_file.h"
#include "invnet/invert/invnet_lm.h"
#include "invnet/invert/invnet_ranges.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Flags, in the order they are printed. */
enum {
    INVNET_FLAG_OUTSIDE = 1u << 0,     /* data_outside_training_range */
    INVNET_FLAG_EXTRAP = 1u << 1,      /* extrapolated_geometry */
    INVNET_FLAG_REFUSED = 1u << 2,     /* not_inverted: too little of the net's span covered */
    INVNET_FLAG_BOUND = 1u << 3,       /* model_at_prior_bound */
    INVNET_FLAG_MISFIT = 1u << 4,      /* high_misfit */
    INVNET_FLAG_JUMP = 1u << 5,        /* segment_jump */
    INVNET_FLAG_UNRESOLVED = 1u << 6,  /* unresolved_parameters: with ranges, a parameter's
                                          interval spans most of its prior or reaches a bound */
    INVNET_FLAG_UNCONVERGED = 1u << 7, /* ranges_not_converged: the intervals of the even and
                                          of the odd chains differ at an end by more than 3/4
                                          of the interval's width */
    INVNET_FLAG_OUTLIER = 1u << 8,     /* outlier_reading: one reading stands out of the
                                          refined fit (outlier_sigmas below) */
    INVNET_FLAG_DROPPED = 1u << 9      /* outlier_dropped: the reading that stood out was
                                          left out and the rest inverted again
                                          (invnet_batch_params.drop_outlier) */
};
#define INVNET_NFLAGS 10
/* Flags that make in_range false: the net is outside what it was trained on. */
#define INVNET_RANGE_FLAGS                                                                         \
    (INVNET_FLAG_OUTSIDE | INVNET_FLAG_EXTRAP | INVNET_FLAG_REFUSED | INVNET_FLAG_BOUND)

/* The name of flag bit k (0 .. INVNET_NFLAGS - 1): "data_outside_training_range", ... */
const char *invnet_flag_name(int k);

/*
 * The names of the flags set in flags, in order, joined by sep ("a;b"), into buf of cap >= 1
 * bytes (truncated to fit); "" when none is set. Returns buf.
 */
const char *invnet_flag_list(unsigned flags, const char *sep, char *buf, size_t cap);

/*
 * A parameter held in the refinement (bpinv invert --fix, --bound), as a borehole or another
 * method gives it: the resistivity or the thickness of layer `layer` (1-based), or the depth
 * of its bottom (an interface), fixed (lo == hi) or bounded to [lo, hi], ohm-m or m.
 */
typedef enum { INVNET_HOLD_RHO, INVNET_HOLD_THICK, INVNET_HOLD_DEPTH } invnet_hold_kind;

typedef struct invnet_hold {
    invnet_hold_kind kind;
    size_t layer;
    double lo, hi;
} invnet_hold;

/* Most parameters held at once. */
#define INVNET_MAX_HOLDS 16

typedef struct invnet_check_params {
    /* A net point further than this (decades) beyond the sounding's span is extrapolated
     * [0.02]. */
    double span_tol_decades;
    /* Largest fraction of the net's points that may be extrapolated; beyond it the sounding
     * is not inverted [0.2]. */
    double max_extrapolated;
    /* Squared Mahalanobis distance threshold, as a multiple of the training set's 99.9th
     * percentile [1]. */
    double d2_factor;
    /* A predicted parameter beyond a prior bound by more than this fraction of its log10
     * range is at the bound [0.02]. A refined model (kept inside the prior) replaces the
     * net's, and with it this flag: it is judged by its fit (high_misfit). */
    double bound_tol;
    /* high_misfit above max(misfit_noise_factor * 100 * noise, misfit_floor_pct) percent
     * [2, 5]; or, for a sounding with errors, above chi2_max chi-square per datum [4]: the
     * same rule, a misfit of twice the noise, where the errors are the noise. */
    double misfit_noise_factor, misfit_floor_pct, chi2_max;
    /* outlier_reading when a reading of the refined fit stands out by more than this many
     * times the larger of its error and the residuals' robust scale [5] */
    double outlier_sigmas;
    /* segment_jump when two Schlumberger segments differ by more than this factor [1.2]. */
    double segment_jump;
    /* The Schlumberger segment the others are joined to: 0 the smallest MN/2 (the usual
     * choice), > 0 the segment of this MN/2 (m; a sounding without one is an error), < 0
     * the level most points agree on (the points-weighted median of the segments') [0]. */
    double segment_ref;
    /* A masked net (invnet_file.masked): a net point strictly inside an interval between
     * two of the sounding's points wider than max(gap_decades, twice the sounding's median
     * interval) is not observed [0.35]. */
    double gap_decades;
    /* Levenberg-Marquardt iterations refining the net's model against the sounding
     * (invnet_lm.h); 0 keeps the net's model as it is [0]. */
    size_t refine_iter;
    /* Most starts of the refinement [8]: the net's model; then, while the best fit misses
     * the noise (misfit above refit_factor * 100 * noise percent, noise at least 1 %, or, for a
     * sounding with errors, chi-square per datum above refit_factor^2 against its errors as
     * given, chi2_given, not as raised to the training noise), the classical half-space
     * start and models drawn from the prior, seeded by the sounding's values (fwd_sounding_hash),
     * so that any thread count gives the same answer. The best fit is kept. [1.5] */
    size_t refine_starts;
    double refit_factor;
    /* Non-zero: the equivalent models of each inverted sounding, sampled from its final
     * model with the parameters range (invnet_ranges.h), into invnet_result.ranges [0]. */
    int ranges;
    invnet_ranges_params range;
    /* Non-zero, with ranges: each equivalent model kept for pictures (invnet_ranges.draws)
     * has its fit computed as the answer's (invnet_ranges.draws_fit), for a user to
     * export: about n_draws more forward models a sounding [0]. */
    int equivalent;
    /* Parameters held in the refinement, n_holds of them [none]: the net's model is moved
     * onto them (a fixed value set, a bounded one brought to its nearer end, a depth by the
     * thickness of its layer), then refined with them held (invnet_lm_fit), and the refined
     * model kept only when it fits better than that; the ranges' equivalent models hold
     * them too (invnet_ranges_params). They need refine_iter > 0 (invnet_holds_check). */
    size_t n_holds;
    invnet_hold hold[INVNET_MAX_HOLDS];
    /* The fit outside the prior [2]: a refined sounding that misses the high_misfit
     * threshold, or whose answer rests on a bound of the prior (invnet_result.on_bound), is
     * fitted once more from its best model, in the prior's box widened by this many decades
     * on each side of every parameter (0: not). When that fit meets the threshold, with
     * half the misfit (a quarter of the chi2) or less (an answer on a bound that met it: a
     * chi-square lower by more than 10.83), and a parameter
     * beyond the prior by more than bound_tol of its range, the data need an earth the
     * prior does not hold: data_outside_training_range, the fit in invnet_result.exit_*.
     * A level shift of the whole curve (an MT static shift, a wrong geometric factor) is
     * fitted so too, by a scaled earth. Where the wider fit also misses, no layered earth
     * of the net's layers fits (a bad reading, 2D or 3D effects): high_misfit alone. Not
     * with holds; with a set of nets (invnet_set), for the count chosen only. */
    double exit_decades;
} invnet_check_params;

invnet_check_params invnet_check_default(void);

/*
 * Adds the parameters of spec to p->hold: fixed ones, "rho2=50,h1=3.5" (NAME=VALUE), or
 * bounded ones, "h2=10:20,depth2=30:40" (NAME=LO:HI); NAME is rhoK (ohm-m), hK or thickK
 * (m), depthK (the depth of the bottom of layer K, m). FWD_EINVAL, p unchanged, with one
 * message naming the part and err->field "fix" or "bound": an unknown name, a value that is
 * not a finite number > 0, LO above HI, a parameter held twice, more than INVNET_MAX_HOLDS.
 */
int invnet_holds_parse(invnet_check_params *p, const char *spec, int fixed, fwd_error *err);

/*
 * Checks p's holds against the net nf: each names a layer of its model (rhoK: K up to its
 * layers; hK, depthK: above its half-space) and lies inside its prior (a depth, between the
 * least and the most depth the prior's thicknesses give); p refines (refine_iter > 0; the
 * ranges, when asked for, hold them too). FWD_OK, or FWD_EINVAL with one message (err->field "fix"
 * or "bound"): "rho3=5000: expected inside the prior of layer 3, 1 .. 1000 ohm-m".
 */
int invnet_holds_check(const invnet_file *nf, const invnet_check_params *p, fwd_error *err);

/* The parameters p holds at one value (not a bound, not a depth): no unknowns of the
 * refinement, each counted as a datum by invnet_refinable. */
size_t invnet_holds_fixed(const invnet_check_params *p);

/*
 * Whether a sounding of nd data (fwd_sounding_ndata: an MT reading is two) can be refined,
 * and its ranges sampled, with p for a model of n_layers >= 1 layers (0: never): at least
 * as many data, with the parameters held at one value (--fix) counted as data, as the
 * model has parameters (FWD_MODEL_NPARAMS, 2 n_layers - 1). Fewer leave the model
 * undetermined: the net's answer stands as it is (invnet_result.refined 0), and it has no
 * ranges.
 */
int invnet_refinable(const invnet_check_params *p, size_t nd, size_t n_layers);

typedef struct invnet_result {
    unsigned flags;
    int inverted; /* a model was predicted (not refused) */
    int in_range; /* no flag of INVNET_RANGE_FLAGS */
    size_t n_layers;
    double rho_ohmm[FWD_MAX_LAYERS];
    double thick_m[FWD_MAX_LAYERS];
    double misfit_rms_pct; /* RMS of (f(m) - d) / d, phases as 2 (f - d) in radians (the
                              relative error of rho_a a phase error goes with), percent */
    double misfit_net_pct; /* the same for the net's own model, before any refinement */
    int refined;           /* the model was refined by Levenberg-Marquardt: from the net's
                              model, or from the half-space start when that fitted better */
    size_t lm_iterations;  /* iterations of that refinement */
    double misfit_max_pct; /* the high_misfit threshold used */
    double chi2;       /* per datum, where the sounding has errors (raised to the training noise:
                          noise / ln 10 in log10 rho_a, noise 90 / pi degrees); NAN otherwise */
    double chi2_given; /* the same against the sounding's errors as given: NAN without */
    double error_floor_pct; /* the floor chi2 raised each error to, as a relative error of
                               rho_a: the net's training noise, percent; NAN without errors */
    /* The refined fit's reading of largest residual in units of its error (raised to the
     * training noise; or that noise) and of the residuals' robust scale (1.4826 x their
     * median absolute value), whichever is larger: outlier_reading above outlier_sigmas of
     * the check; outlier_x its AB/2 (m), a (m) or period (s), outlier_index its point in
     * the sounding. NAN (index 0) when not refined. */
    double outlier_sigmas, outlier_x;
    size_t outlier_index;
    double d2;             /* squared Mahalanobis distance of the features */
    double d2_max;         /* its threshold */
    size_t n_outside;      /* observed features outside the per-feature training range */
    size_t n_extrapolated; /* a plain net: its points extrapolated from the sounding; a
                              masked net: the sounding's points beyond the net's span */
    size_t n_observed;     /* the net's points the sounding observes (a plain net: all) */
    size_t n_in_span;      /* the net's points inside the sounding's span */
    double span_decades;   /* the part of the net's span the sounding covers, decades */
    double worst_x;        /* the net point contributing most to d2 (its x), and its share */
    double worst_share;    /* of d2 (the features of an MT point together) */
    double max_jump;       /* largest Schlumberger segment factor (1: none) */
    /* Segments joined to a reference of the caller's (first or an MN/2, not the level most
     * readings agree on): the reference's MN/2, and the level most of the readings agree on
     * (the points-weighted median of the segments' final levels) as the factor from the
     * reference's (> 1; 1 when they agree or when joined to that level) and its MN/2. */
    double ref_mn2, ref_off, ref_auto_mn2;
    const double *response;      /* f(m) at the sounding's points (n, or 2n for MT: rho_a then
                                    phase); borrowed from the inverter until its next use */
    const double *observed;      /* the apparent resistivities f(m) is compared with: the data,
                                    Schlumberger segments shifted as joined; borrowed likewise */
    const invnet_ranges *ranges; /* with check.ranges, of an inverted sounding with as many
                                    data as parameters: borrowed likewise; else NULL */
    /* With parameters held (check.hold): 1 where the ranges found no model inside the prior
     * that honours them (a depth held out of reach of the layers above it, or below the
     * prior's thinnest layer; a thickness and its layer's depth both fixed, apart), so the
     * answer has none; else 0. */
    int ranges_held_failed;
    /* The fit outside the prior (invnet_check_params.exit_decades), where it was run
     * (exit_run 1; else 0 and exit_misfit_pct NAN): its misfit and chi2 as above, its model,
     * and the parameter furthest beyond the prior (exit_param: 0..n_layers-1 the
     * resistivities, then the thicknesses; exit_beyond its distance beyond the box, log10;
     * 0 inside); exit_flagged 1 where that fit set data_outside_training_range (it meets the
     * high_misfit threshold, clearly better than inside, with a parameter beyond; for an
     * answer on_bound that met it, a chi-square lower by more than 10.83). */
    int exit_run, exit_flagged;
    /* The refined answer rests on a bound of the prior (within 0.1 % of a parameter's log10
     * range): the fit outside the prior is run for it too. */
    int on_bound;
    double exit_misfit_pct, exit_chi2;
    double exit_rho_ohmm[FWD_MAX_LAYERS], exit_thick_m[FWD_MAX_LAYERS];
    size_t exit_param;
    double exit_beyond;
} invnet_result;

/* What one thread needs to invert soundings with one net. */
typedef struct invnet_inverter invnet_inverter;

/* nf is borrowed and must outlive the inverter. */
invnet_inverter *invnet_inverter_alloc(const invnet_file *nf, const invnet_check_params *p,
                                       fwd_error *err);
void invnet_inverter_free(invnet_inverter *v);

/* Turns the inverter's ranges (invnet_check_params.ranges) on or off. */
void invnet_inverter_set_ranges(invnet_inverter *v, int on);

/* Sets the inverter's fit outside the prior (invnet_check_params.exit_decades; 0: off). */
void invnet_inverter_set_exit(invnet_inverter *v, double decades);

/* The most starts of the refinement (invnet_check_params.refine_starts) from now on, 0:
 * the inverter's own again; all: every one of them, not only while the best fit misses the
 * noise. */
void invnet_inverter_set_starts(invnet_inverter *v, size_t n, int all);

/* The refinement runs from the log10 model p (of the net's layer count) alone, instead of
 * from the net's model and the further starts, until set to NULL; the rest is unchanged
 * (the net still predicts, for its checks). For a fit tried again from a new start: the
 * further starts are drawn from the sounding's values, the same each time. */
void invnet_inverter_set_start(invnet_inverter *v, const double *p);

/*
 * Inverts s (of the net's method; FWD_EINVAL otherwise) into r. A sounding the checks
 * reject is not an error: r says why. Errors are FWD_ENOMEM, FWD_ENUMERIC (a non-finite
 * value from the net or the forward model) and FWD_EINVAL.
 */
int invnet_invert(invnet_inverter *v, const fwd_sounding *s, invnet_result *r, fwd_error *err);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_INVERT_H */
