/* SPDX-License-Identifier: MIT */
/*
 * smp_prior.h - the prior of a training set: log-uniform resistivities and thicknesses.
 *
 * Each layer j has a resistivity range [rho_min_j, rho_max_j] (ohm-m) and, but the last,
 * a thickness range [thick_min_j, thick_max_j] (m); a draw is uniform in log10 of each.
 * libsmp builds on libfwd and reports errors through fwd_error and the FWD_E* codes.
 */
#ifndef SMP_PRIOR_H
#define SMP_PRIOR_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_method.h"
#include "forward/fwd_model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct smp_prior {
    size_t n_layers;
    double rho_min[FWD_MAX_LAYERS], rho_max[FWD_MAX_LAYERS];
    double thick_min[FWD_MAX_LAYERS], thick_max[FWD_MAX_LAYERS];
} smp_prior;

/*
 * Fills p for n_layers layers from range specs: "MIN:MAX" for every layer, or a comma
 * list of one "MIN:MAX" per layer ("1:100,10:1000,1:1e4"); thick_spec likewise with
 * n_layers - 1 ranges (may be NULL when n_layers == 1). MIN and MAX finite, 0 < MIN < MAX.
 * FWD_EINVAL with err->field "rho", "thick" or "layers" (fwd_error.h) and a message that
 * begins with it and says what was found ("rho: range 2: expected MIN:MAX, got \"x\"").
 */
int smp_prior_parse(smp_prior *p, size_t n_layers, const char *rho_spec, const char *thick_spec,
                    fwd_error *err);

/* Checks a prior filled by hand (or read from a file): smp_prior_parse's rules and errors. */
int smp_prior_check(const smp_prior *p, fwd_error *err);

/* Checks a prior to draw DC models of method m from (smp_config_check): smp_prior_check's
 * rules, and for Schlumberger and Wenner the largest resistivity at most FWD_MAX_CONTRAST
 * times the least (beyond, their responses can come out negative and the run stopped
 * there; MT's do not). Files of wider priors are still read. */
int smp_prior_check_draws(const smp_prior *p, fwd_method m, fwd_error *err);

/*
 * Draws one model: FWD_MODEL_NPARAMS(n_layers) log10 parameters into params (layout of
 * fwd_model.h), each uniform between the log10 of its range, from r.
 */
void smp_prior_draw(const smp_prior *p, gsl_rng *r, double *params);

#ifdef __cplusplus
}
#endif

#endif /* SMP_PRIOR_H */
