/* SPDX-License-Identifier: MIT */
/*
 * invnet_ranges.h - the equivalent models of one sounding: every layered model that fits
 * the data as well as the noise allows and lies inside the prior, summarised as intervals.
 *
 * The posterior of the log10 parameters (fwd_model.h layout): likelihood exp(-chi2 / 2)
 * with the residuals of the Levenberg-Marquardt fit (invnet_lm.h: the sounding's errors
 * raised to the training noise, or, where it gives none, the training noise itself), prior
 * uniform in log10 inside the net's prior box. Two facts shape the sampler. Equivalence is
 * a long valley in these coordinates (h / rho or h rho constant), bent where it meets the
 * box. And a sounding of several layers has several separate groups of equivalent models
 * (which layer takes up a contrast, where a layer the data barely see sits): a chain
 * started at the refined model stays in its group, and in 100 synthetic 4-layer soundings
 * the truth was outside that group's 90 % intervals 30-50 % of the time.
 *
 * So: (1) Levenberg-Marquardt fits from `starts` uniform draws of the prior, short ones,
 * find the groups: distinct fits (0.1 decades apart) within chi2 + 20 of the best, with the
 * given model; (2) `chains` chains of differential-evolution Metropolis with a past archive
 * (DE-MCz, ter Braak & Vrugt 2008, Stat. Comput. 18:435) start from draws of the local
 * (Laplace) approximation of those groups, taken in turn, and propose along differences of
 * archived states - which lie along the valleys, however long or bent, and, once in ten
 * steps at full length, jump between groups; the chains run as two independent halves,
 * each with its own archive; (3) the intervals are percentiles of the kept states that
 * fit: within the chi-square quantile 0.999 (np degrees of freedom) of the best.
 * Each group found starts as many chains as the others, whatever its posterior mass: the
 * chains seldom leave their group in their 80 steps, so the intervals are those of an
 * equal mixture of the groups - wider than the posterior's where a group is improbable,
 * which the calibration measured (docs/invert.md) rewards. Diagnostics: split R-hat and
 * the effective sample size over the chains (low where chains stay in different groups,
 * as they mostly do), and how far the intervals of the two halves are apart.
 * A Schlumberger sounding in MN/2 segments (segment_ref_mn2): each segment's level but the
 * reference's is a nuisance parameter under a flat prior, integrated out exactly (the
 * residuals are linear in it: the chains sample chi2 with each such segment's
 * least-squares level taken out; the fits that look for groups use the levels as given).
 * The random stream is seeded from the sounding's numbers and the seed: the same sounding
 * gives the same intervals in any batch, order or thread count.
 */
#ifndef INVNET_RANGES_H
#define INVNET_RANGES_H

#include <stddef.h>
#include <stdint.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_forward.h"
#include "forward/fwd_model.h"
#include "forward/readers/fwd_sounding.h"
#include "invnet/invert/invnet_lm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct invnet_ranges_params {
    double level;              /* central interval, percent, 0 < level < 100 [90] */
    size_t starts;             /* fits from draws of the prior that look for groups [48] */
    size_t start_iter;         /* iterations of each [8] */
    size_t chains;             /* chains, 2 to 64 [64] */
    size_t burn;               /* steps per chain discarded [30] */
    size_t steps;              /* steps per chain kept, >= 20 [50] */
    size_t draws;              /* equivalent models kept for pictures [100] */
    uint64_t seed;             /* mixed with the sounding's numbers [1] */
    double unresolved_share;   /* a parameter whose interval is wider than this share of its
                                  prior's log10 width, or than unresolved_decades, or that
                                  reaches within 1 % of that width of a bound, or whose
                                  end lies so near a bound that the bound cut the tail
                                  the interval leaves out (for a Gaussian posterior: the
                                  end within 0.26 of the interval's half on that side at
                                  90 %, 0.11 at 99 %), is unresolved [0.5] */
    double unresolved_decades; /* (a factor 10 at 1) [1] */
    double noise_scale;        /* the errors are multiplied by this, >= 1; 0: by
                                  invnet_lm_noise_scale() of the best fit's chi2: data
                                  noisier than the errors (or than the training noise)
                                  widen the intervals as much as their misfit says [0] */
    /* Parameters held (a borehole; bpinv invert's --fix and --bound): the caller narrows
     * lo and hi of a resistivity or thickness (lo == hi: fixed there, not sampled); a depth
     * here, as invnet_lm_params holds it: the bottom of layer depth_layer[k] (1-based, by
     * increasing layer) within [10^depth_lo[k], 10^depth_hi[k]] m; at one depth (lo == hi),
     * the thickness of that layer follows from those above. held[j]: parameter j is held
     * (never unresolved: its interval is within what the user gave). [none] */
    size_t n_depth;
    size_t depth_layer[INVNET_LM_MAX_DEPTHS];
    double depth_lo[INVNET_LM_MAX_DEPTHS], depth_hi[INVNET_LM_MAX_DEPTHS];
    unsigned char held[2 * FWD_MAX_LAYERS];
    double segment_ref_mn2; /* a Schlumberger sounding in MN/2 segments: the MN/2 (m) of
                               the segment whose level is kept (invert's --segment-ref);
                               every other segment's level (a factor on its apparent
                               resistivities) is unknown, integrated out of the
                               posterior under a flat prior. 0: the levels as given
                               (and for a sounding of one MN/2) [0] */
} invnet_ranges_params;

invnet_ranges_params invnet_ranges_default(void);

/* Checks every field (FWD_EINVAL naming it). */
int invnet_ranges_check(const invnet_ranges_params *p, fwd_error *err);

/* [low, median, high]: the (100 - level) / 2, 50 and (100 + level) / 2 percentiles. */
typedef double invnet_interval[3];

/* The depths of the ranges' resistivity-depth envelope. */
#define INVNET_ENVELOPE_DEPTHS 64

typedef struct invnet_ranges {
    size_t n_layers;
    double level; /* percent */
    invnet_interval rho_ohmm[FWD_MAX_LAYERS];
    invnet_interval thick_m[FWD_MAX_LAYERS];          /* layers above the half-space */
    invnet_interval depth_m[FWD_MAX_LAYERS];          /* interface k: below layer k */
    invnet_interval conductance_s[FWD_MAX_LAYERS];    /* h / rho of each layer above, siemens */
    invnet_interval transverse_ohmm2[FWD_MAX_LAYERS]; /* h rho of each layer above */
    unsigned char unresolved[2 * FWD_MAX_LAYERS];     /* per parameter: 1 if unresolved */
    /* per parameter: 1 if held (invnet_ranges_params.held: a borehole's, its interval what
     * was given); per interface k (below layer k + 1): 1 if a depth held bounds it */
    unsigned char held[2 * FWD_MAX_LAYERS], held_depth[FWD_MAX_LAYERS];
    size_t n_unresolved;
    double doi_m;                   /* depth of investigation of the given model: the deepest depth
                                       where halving or doubling every resistivity below it changes
                                       the response by at least the chi-square quantile of one
                                       degree of freedom at the level (2.71 at 90 %), in chi2 with
                                       the errors scaled by noise_scale and readings denser than 10
                                       a decade counted as 10 a decade (each weighs the decades it
                                       stands for times 10, at most 1), on a grid of 4 a decade
                                       refined to 1 %; NAN when not found (more than FWD_MAX_LAYERS
                                       - 1 layers; data that see no depth, or deeper than 1000 km) */
    invnet_interval doi_interval_m; /* the depth of investigation across the equivalent
                              models: the interval at the level of that of
                              INVNET_DOI_MODELS of them spread evenly (the i-th of N at
                              i N / INVNET_DOI_MODELS, in the order of draws), each as
                              doi_m, with the errors scaled by noise_scale; NAN where none
                              is found */
    /* The resistivity-depth envelope: at each of n_envelope depths (INVNET_ENVELOPE_DEPTHS;
     * 0 for a half-space), the interval at the level, across the equivalent models, of the
     * resistivity there (its log10's percentiles, as the parameters'), of the conductance
     * from the surface down to it (the integral of dz / rho, siemens) and of the transverse
     * resistance (of rho dz, ohm-m2): Dar Zarrouk's S and T of the section above that depth.
     * Read by depth, not by layer, they do not depend on which layer of a model takes up a
     * conductor (models that fit equally well swap them; the per-layer intervals then mix
     * two groups). The depths are log-spaced from half the shallowest first interface of
     * any equivalent model to twice the deepest interface of any, or to the deep end of the
     * depth of investigation (doi_m, doi_interval_m) if that is deeper: above, every model
     * is in its first layer (the resistivity interval is rho_ohmm[0]'s), below the deepest
     * base in its half-space. The median at each depth is no model: joined from depth to
     * depth it need not fit the data (a conductor that the models put at different depths
     * is at none of them at its median). */
    size_t n_envelope;
    double envelope_depth_m[INVNET_ENVELOPE_DEPTHS];
    invnet_interval envelope_rho_ohmm[INVNET_ENVELOPE_DEPTHS];
    invnet_interval envelope_conductance_s[INVNET_ENVELOPE_DEPTHS];
    invnet_interval envelope_transverse_ohmm2[INVNET_ENVELOPE_DEPTHS];
    double noise_scale;              /* the factor the errors were multiplied by (>= 1) */
    double best[2 * FWD_MAX_LAYERS]; /* log10 parameters of the best fit among the given
                                        model and the starts' fits (the given model when
                                        none fits better): invnet_invert refines from it */
    size_t evaluations;              /* forward models computed, the fits' included */
    size_t n_groups;       /* separate groups of equivalent models the fits found (>= 1) */
    double acceptance;     /* of the kept steps */
    double ess_min;        /* smallest effective sample size of a parameter, all chains */
    double rhat_max;       /* largest split R-hat of a parameter (1: the chains agree) */
    double halves_decades; /* largest difference, in decades, between an end of a
                              parameter's interval from the first half of the chains and
                              from the second (two independent runs, archives apart) */
    double halves_share;   /* the same difference as a share of the width of the interval
                              of all the chains */
    size_t n_fit;          /* kept states that fit well enough to count (see above) */
    size_t n_draws;        /* equivalent models in draws */
    double *draws;         /* n_draws x np log10 parameters, spread evenly over the kept
                              states: allocated, see invnet_ranges_release() */
    double *draws_fit;     /* NULL, or n_draws then n_draws more values, one block: each
                              draw's misfit_rms_pct, then its chi2 (NAN where the sounding
                              gives no errors), as invnet_result's of the answer
                              (invnet_invert with check.equivalent fills it; the sampler
                              leaves it NULL): the equivalent models as a user exports
                              them. Freed with draws. */
} invnet_ranges;

/* Frees g->draws and g->draws_fit (g may be NULL or zeroed). */
void invnet_ranges_release(invnet_ranges *g);

/* A copy of src into dst with its own draws: FWD_OK or FWD_ENOMEM (dst then has none). */
int invnet_ranges_copy(invnet_ranges *dst, const invnet_ranges *src);

/* The equivalent models whose depths of investigation make doi_interval_m. */
#define INVNET_DOI_MODELS 15

/*
 * The depth of investigation of the model p (n_layers, log10 parameters: the answer, the
 * best fit) for s, as the ranges' doi_m, at the level (percent; 90 as the ranges' default)
 * with the training noise and the errors scaled by noise_scale (>= 1; 0: the noise scale
 * of p's own fit, invnet_lm_noise_scale), into *doi_m (NAN where none is found), with w a
 * workspace of s's geometry: without the ranges' sampling, about 80 forward models.
 * FWD_OK; FWD_EINVAL for bad parameters; FWD_ENOMEM.
 */
int invnet_ranges_doi(fwd_workspace *w, const fwd_sounding *s, size_t n_layers, const double *p,
                      double noise, double noise_scale, double level, double *doi_m,
                      fwd_error *err);

/*
 * Samples the equivalent models of s for n_layers layers from the log10 parameters p (the
 * refined model; moved just inside the box if need be), with bounds lo and hi (log10, the
 * net's prior) and the training noise (relative, as in the samples file), computing
 * responses with w (a workspace of s's geometry, fwd_sounding_geom()). Fills out, whose
 * old contents are overwritten, not freed: release it first when it holds draws. FWD_OK;
 * FWD_EINVAL for bad parameters or fewer data than parameters; FWD_ENUMERIC when the
 * forward model fails at the start; FWD_ENOMEM.
 */
int invnet_ranges_sample(fwd_workspace *w, const fwd_sounding *s, size_t n_layers, const double *p,
                         const double *lo, const double *hi, double noise,
                         const invnet_ranges_params *rp, invnet_ranges *out, fwd_error *err);

/*
 * The resistivity-depth envelope (invnet_ranges' n_envelope and envelope_* fields) of the n
 * models S (n x FWD_MODEL_NPARAMS(n_layers) log10 parameters, fwd_model.h layout: of a
 * set of one's own, another program's equivalent models) at level (percent), its depths
 * reaching deepest (m; 0: twice the deepest base alone) if that is deeper, into out, whose
 * other fields are left as they are; none (n_envelope 0) for one layer or no model.
 * invnet_ranges_sample fills it from the equivalent models. FWD_OK; FWD_EINVAL for bad
 * parameters (a log10 parameter not within -30..30 among them); FWD_ENOMEM.
 */
int invnet_ranges_envelope(const double *S, size_t n, size_t n_layers, double level, double deepest,
                           invnet_ranges *out, fwd_error *err);

/* The name of parameter j of an n_layers model, as the CSV columns name it: "rho_2",
 * "thick_1". */
const char *invnet_param_name(size_t n_layers, size_t j, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_RANGES_H */
