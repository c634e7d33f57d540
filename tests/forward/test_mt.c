/* SPDX-License-Identifier: MIT */
/*
 * test_mt.c - magnetotelluric responses against the half-space, the limits and the
 * two-layer closed form.
 */
#include <math.h>

#include <criterion/criterion.h>

#include "forward/fwd_forward.h"
#include "tests/forward/ref.h"

static void
eval_mt(size_t np, const double *T, size_t n, const double *rho, const double *h, double *d)
{
    fwd_error err;
    fwd_geom *g = fwd_geom_alloc(FWD_MT, np, T, NULL, &err);
    fwd_workspace *w;

    cr_assert_not_null(g, "geometry: %s", err.msg);
    w = fwd_workspace_alloc(g, NULL, &err);
    cr_assert_not_null(w, "workspace: %s", err.msg);
    cr_assert_eq(fwd_eval(w, n, rho, h, d, &err), 0, "eval: %s", err.msg);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

Test(fwd_forward, half_space)
{
    double T[] = {1e-5, 0.0137, 1, 240, 1e5}, d[10], rho[] = {123.4};
    size_t i;

    eval_mt(5, T, 1, rho, NULL, d);
    for (i = 0; i < 5; i++) {
        cr_assert(rel_diff(d[i], rho[0]) < 1e-13, "rho_a at %g s: %.15g", T[i], d[i]);
        cr_assert(fabs(d[5 + i] - 45.0) < 1e-12, "phase at %g s: %.15g", T[i], d[5 + i]);
    }
}

Test(fwd_forward, short_and_long_period_limits)
{
    double T[] = {1e-6, 1e7}, d[4], rho[] = {20, 2000, 3}, h[] = {50, 400};

    eval_mt(2, T, 3, rho, h, d);
    cr_assert(rel_diff(d[0], rho[0]) < 1e-9, "short period: %.12g", d[0]);
    cr_assert(fabs(d[2] - 45.0) < 1e-7, "short period phase: %.12g", d[2]);
    cr_assert(rel_diff(d[1], rho[2]) < 1e-2, "long period: %.12g", d[1]);
    cr_assert(fabs(d[3] - 45.0) < 0.5, "long period phase: %.12g", d[3]);
}

Test(fwd_forward, two_layer_closed_form)
{
    double T[41], d[82], rho[2], h[] = {250.0}, ra, ph;
    const double ratios[] = {1e-4, 0.01, 0.5, 3, 100, 1e4};
    size_t i, j;

    for (i = 0; i < 41; i++)
        T[i] = pow(10.0, -4.0 + i * 0.2);
    for (j = 0; j < 6; j++) {
        rho[0] = 35.0;
        rho[1] = rho[0] * ratios[j];
        eval_mt(41, T, 2, rho, h, d);
        for (i = 0; i < 41; i++) {
            ref_mt(2, rho, h, T[i], &ra, &ph);
            cr_assert(rel_diff(d[i], ra) < 1e-10, "ratio %g T %g: %.14g vs %.14g", ratios[j], T[i],
                      d[i], ra);
            cr_assert(fabs(d[41 + i] - ph) < 1e-8, "phase ratio %g T %g: %.14g vs %.14g", ratios[j],
                      T[i], d[41 + i], ph);
        }
    }
}

Test(fwd_forward, four_layer_recursion)
{
    double T[] = {1e-3, 0.1, 3, 60, 2e3}, d[10], ra, ph;
    double rho[] = {300, 8, 1500, 0.9}, h[] = {120, 700, 5000};
    size_t i;

    eval_mt(5, T, 4, rho, h, d);
    for (i = 0; i < 5; i++) {
        ref_mt(4, rho, h, T[i], &ra, &ph);
        cr_assert(rel_diff(d[i], ra) < 1e-10, "T %g: %.14g vs %.14g", T[i], d[i], ra);
        cr_assert(fabs(d[5 + i] - ph) < 1e-8, "phase T %g: %.14g vs %.14g", T[i], d[5 + i], ph);
    }
}

Test(fwd_forward, mt_extreme_models_are_finite)
{
    double T[] = {1e-6, 1e-3, 1, 1e3, 1e6}, d[10], rho[4], h[3];
    const double rhos[] = {1e-3, 1e6}, hs[] = {1e-3, 1e5};
    size_t a, b, c, i;

    for (a = 0; a < 16; a++)
        for (b = 0; b < 8; b++) {
            for (c = 0; c < 4; c++)
                rho[c] = rhos[(a >> c) & 1];
            for (c = 0; c < 3; c++)
                h[c] = hs[(b >> c) & 1];
            eval_mt(5, T, 4, rho, h, d);
            for (i = 0; i < 5; i++) {
                cr_assert(isfinite(d[i]) && d[i] > 0, "rho_a %g", d[i]);
                cr_assert(isfinite(d[5 + i]) && d[5 + i] >= 0 && d[5 + i] <= 90, "phase %g",
                          d[5 + i]);
            }
        }
}
