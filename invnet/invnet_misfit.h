/* SPDX-License-Identifier: MIT */
/*
 * invnet_misfit.h - the data misfit of a net's own models, as a training loss: the
 * forward model in the training loop (docs/methods.md, "Training on the data misfit").
 *
 * For a row whose net input holds the observed data d (standardised features; a masked
 * net's observed points only) and whose net output stands for the model m (log10
 * parameters through the output normalisation), the loss is
 *     weight / n * sum_i r_i^2,
 *     r_i = (ln f_i(m) - ln d_i) / sigma                for apparent resistivities,
 *     r_i = (phi_i(m) - phi_i) / fwd_phase_sd_deg(sigma) for MT phases (degrees),
 * over the n observed values, sigma the training noise (at least INVNET_MISFIT_MIN_NOISE):
 * the misfit's chi-square per datum, about 1 for a model that fits to the noise. Its
 * gradient in the outputs comes from the forward model's analytic Jacobian
 * (fwd_jacobian_approx): dL/dm_k = 2 weight / n sum_i r_i dr_i/dm_k. A model is read inside the
 * prior widened by INVNET_MISFIT_MARGIN decades on each side; a parameter held at that
 * edge gets no gradient from the data.
 */
#ifndef INVNET_MISFIT_H
#define INVNET_MISFIT_H

#include <stddef.h>

#include "forward/base/fwd_error.h"
#include "invnet/invnet_file.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The smallest sigma used, for nets trained on clean data. */
#define INVNET_MISFIT_MIN_NOISE 0.01
/* Decades beyond the prior that a model's parameters may reach in the forward model. */
#define INVNET_MISFIT_MARGIN 1.0

typedef struct invnet_misfit invnet_misfit;

/*
 * The misfit loss of net file f's net (its geometry, method, layers, prior, noise,
 * normalisation and input layout, borrowed for the misfit's life), times weight, with
 * scratch for nthreads threads. NULL with err set when out of memory (FWD_ENOMEM) or the
 * weight is not finite and >= 0 (FWD_EINVAL).
 */
invnet_misfit *invnet_misfit_alloc(const invnet_file *f, double weight, int nthreads,
                                   fwd_error *err);
void invnet_misfit_free(invnet_misfit *m);

/*
 * The loss of `rows` rows (net inputs in, standardised outputs y) as an invnet_loss_fn
 * (invnet_train.h), ud an invnet_misfit: returns scale times its sum over the rows and adds
 * scale times its gradient in y into dy. dy NULL: the value alone, of the exact forward
 * model (one forward model a row: validation); with dy, the value and gradient of
 * fwd_jacobian_approx's response (within 1e-3 of the datum: training), 29 % cheaper than
 * fwd_jacobian's. A row whose model has no finite response adds nothing (see
 * invnet_misfit_failures).
 */
double invnet_misfit_loss(void *ud, int thread, size_t rows, const double *in, const double *y,
                          double scale, double *dy);

/* Rows so far whose model had no finite response (0 in every test so far). */
size_t invnet_misfit_failures(const invnet_misfit *m);

#ifdef __cplusplus
}
#endif

#endif /* INVNET_MISFIT_H */
