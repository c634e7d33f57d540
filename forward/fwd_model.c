/* SPDX-License-Identifier: MIT */
/*
 * fwd_model.c - the 1D layered-earth model: checks and log10 parameters.
 */
#include <math.h>

#include "forward/fwd_model.h"
#include "forward/fwd_internal.h"

int
fwd_model_check(size_t n, const double *rho, const double *thick_m, fwd_error *err)
{
    size_t i;

    if (n < 1 || n > FWD_MAX_LAYERS)
        return fwd_error_set_field(err, FWD_EINVAL, "rho", "layers: expected 1 to %d, got %zu",
                                   FWD_MAX_LAYERS, n);
    if (rho == NULL || (n > 1 && thick_m == NULL))
        return fwd_error_set_field(err, FWD_EINVAL, rho == NULL ? "rho" : "thick",
                                   "model: missing resistivities or thicknesses");
    for (i = 0; i < n; i++)
        if (!isfinite(rho[i]) || !(rho[i] > 0))
            return fwd_error_set_field(
                err, FWD_EINVAL, "rho",
                "resistivity of layer %zu: expected finite > 0 ohm-m, got %g", i + 1, rho[i]);
    for (i = 0; i + 1 < n; i++)
        if (!isfinite(thick_m[i]) || !(thick_m[i] > 0))
            return fwd_error_set_field(err, FWD_EINVAL, "thick",
                                       "thickness of layer %zu: expected finite > 0 m, got %g",
                                       i + 1, thick_m[i]);
    return FWD_OK;
}

void
fwd_model_to_log10(size_t n, const double *rho, const double *thick_m, double *p)
{
    size_t i;

    for (i = 0; i < n; i++)
        p[i] = log10(rho[i]);
    for (i = 0; i + 1 < n; i++)
        p[n + i] = log10(thick_m[i]);
}

int
fwd_model_from_log10(size_t n, const double *p, double *rho, double *thick_m, fwd_error *err)
{
    size_t i, np = FWD_MODEL_NPARAMS(n);
    double v;

    for (i = 0; i < np; i++) {
        v = pow(10.0, p[i]);
        if (!isfinite(p[i]) || !isfinite(v) || !(v > 0))
            return fwd_fail(err, FWD_ENUMERIC,
                            "parameter %zu: expected a finite log10 value, got %g", i + 1, p[i]);
        if (i < n)
            rho[i] = v;
        else
            thick_m[i - n] = v;
    }
    return FWD_OK;
}
