/* SPDX-License-Identifier: MIT */
/*
 * fwd_model.h - the 1D layered-earth model.
 *
 * A model has n >= 1 horizontal layers: resistivities rho[0..n-1] in ohm-m from the top
 * down, and thicknesses thick_m[0..n-2] in metres; the last layer is a half-space. For
 * inversion the model is a parameter vector of FWD_MODEL_NPARAMS(n) = 2n-1 values,
 * [log10 rho_1 .. log10 rho_n, log10 h_1 .. log10 h_{n-1}].
 */
#ifndef FWD_MODEL_H
#define FWD_MODEL_H

#include <stddef.h>

#include "forward/base/fwd_error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest number of layers libfwd accepts; more is never a 1D sounding's resolution. */
#define FWD_MAX_LAYERS 64

/* The largest ratio of the most to the least resistive layer a prior of models may span
 * (smp_prior_check): the DC responses of 4-layer models drawn from 1 to 1e12 ohm-m came out
 * negative (a filter's weights cancel); to 1e11 every one of 50,000 was positive. */
#define FWD_MAX_CONTRAST 1e10

/* Number of log10 parameters of an n-layer model. */
#define FWD_MODEL_NPARAMS(n) (2 * (n)-1)

/*
 * Checks a model: 1 <= n <= FWD_MAX_LAYERS, every rho and thickness finite and > 0.
 * thick_m may be NULL when n == 1. Returns 0 or FWD_EINVAL with a message naming the
 * layer, e.g. "thickness of layer 2: expected finite > 0 m, got -3", err->field "rho"
 * (the resistivities, whose count is the layers') or "thick".
 */
int fwd_model_check(size_t n, const double *rho, const double *thick_m, fwd_error *err);

/* Writes the 2n-1 log10 parameters of a checked model into p. */
void fwd_model_to_log10(size_t n, const double *rho, const double *thick_m, double *p);

/*
 * Converts 2n-1 log10 parameters back to rho (n values) and thick_m (n-1 values; may be
 * NULL when n == 1). Returns 0, or FWD_ENUMERIC if a parameter is not finite or its power
 * of ten over- or underflows.
 */
int fwd_model_from_log10(size_t n, const double *p, double *rho, double *thick_m, fwd_error *err);

#ifdef __cplusplus
}
#endif

#endif /* FWD_MODEL_H */
