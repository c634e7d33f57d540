/* SPDX-License-Identifier: MIT */
/*
 * test_jacobian.c - the analytic Jacobian against central differences of the forward
 * model, for every parameter of every method, both DC filters, and models that reach the
 * recursions' shortcuts (a first layer thick enough to hide the rest; thin layers; contrasts
 * of 1e4); its response against fwd_eval_batch's; its errors.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_model.h"

#define NPTS 25

/* Step of the fourth-order central difference, in log10 units: truncation ~ step^4 / 30
 * times the fifth derivative, rounding ~ 1e-16 / step times the cancellation in the data
 * (up to the contrast, 1e4): both below 1e-8 of the datum. */
#define STEP 1e-3

/* Models as log10 parameters [rho..., h...], with their layer counts. */
static const struct {
    size_t n;
    double p[11];
} models[] = {
    {1, {2.1}},
    {2, {1.0, 3.0, 1.2}},
    {2, {3.5, -0.5, 0.3}},          /* 1e4 contrast, resistive over conductive */
    {3, {2.0, 0.0, 2.5, 1.0, 1.5}}, /* thin conductor */
    {4, {1.5, 3.0, 0.5, 2.0, 0.0, 1.0, 1.7}},
    {4, {0.2, 2.8, 3.9, 1.1, 2.9, -0.3, 0.6}}, /* first layer of 800 m: shortcuts taken */
    {6, {2.0, 1.0, 2.5, 0.7, 3.0, 1.4, 0.5, 0.8, 1.1, 1.3, 1.6}},
    /* a top of 1 cm: beyond 120 m (1.2e4 h_1, 0.08 decades from the nearest spacing) Key's
     * filter leaves the data to the shared filter, its Jacobian too */
    {3, {2.5, 1.0, 2.0, -2.0, 1.0}},
};

static fwd_geom *
geometry(fwd_method m, int finite_mn)
{
    double x[NPTS], mn[NPTS];
    size_t i;

    for (i = 0; i < NPTS; i++) {
        x[i] = (m == FWD_MT ? 1e-4 : 1.0) * pow(10.0, (m == FWD_MT ? 7.0 : 4.0) * i / (NPTS - 1));
        mn[i] = 0.1 * x[i];
    }
    return fwd_geom_alloc(m, NPTS, x, finite_mn ? mn : NULL, NULL);
}

/* Worst |J - central difference| over a datum's scale (|d| for resistivities, 1 degree for
 * phases), over every datum and parameter of every model. */
static double
worst_error(fwd_method m, int finite_mn, fwd_hankel hankel)
{
    fwd_geom *g = geometry(m, finite_mn);
    fwd_params fp = fwd_params_default();
    fwd_workspace *w;
    fwd_error err;
    const double offset[] = {1, -1, 2, -2}, weight[] = {8, -8, -1, 1};
    size_t im, i, k, s, nd, np;
    double *d, *J, *fd, *db, p[11], scale, e, worst = 0.0;

    cr_assert_not_null(g);
    fp.hankel = hankel;
    w = fwd_workspace_alloc(g, &fp, &err);
    cr_assert_not_null(w, "%s", err.msg);
    nd = fwd_geom_ndata(g);
    d = malloc(nd * sizeof *d);
    fd = malloc(nd * sizeof *fd);
    db = malloc(nd * sizeof *db);
    J = malloc(nd * 11 * sizeof *J);
    for (im = 0; im < sizeof models / sizeof models[0]; im++) {
        np = FWD_MODEL_NPARAMS(models[im].n);
        cr_assert_eq(fwd_jacobian(w, models[im].n, models[im].p, d, J, &err), 0, "%s", err.msg);
        /* the response is the batch evaluator's, bit for bit */
        cr_assert_eq(fwd_eval_batch(w, models[im].n, 1, models[im].p, db, &err), 0);
        cr_assert(memcmp(d, db, nd * sizeof *d) == 0, "model %zu: response differs", im);
        for (k = 0; k < np; k++) {
            /* (8 (f(+h) - f(-h)) - (f(+2h) - f(-2h))) / 12h */
            for (i = 0; i < nd; i++)
                fd[i] = 0.0;
            for (s = 0; s < 4; s++) {
                memcpy(p, models[im].p, np * sizeof *p);
                p[k] += offset[s] * STEP;
                cr_assert_eq(fwd_eval_batch(w, models[im].n, 1, p, db, &err), 0);
                for (i = 0; i < nd; i++)
                    fd[i] += weight[s] * db[i] / (12 * STEP);
            }
            for (i = 0; i < nd; i++) {
                scale = i < NPTS ? fabs(d[i]) : 1.0;
                e = fabs(J[i * np + k] - fd[i]) / scale;
                cr_assert(e < 1e-6, "method %d model %zu datum %zu param %zu: %.10g vs %.10g",
                          (int)m, im, i, k, J[i * np + k], fd[i]);
                worst = e > worst ? e : worst;
            }
        }
    }
    free(J);
    free(db);
    free(fd);
    free(d);
    fwd_workspace_free(w);
    fwd_geom_free(g);
    return worst;
}

Test(fwd_jacobian, schlumberger_matches_central_differences)
{
    cr_assert(worst_error(FWD_SCHLUMBERGER, 0, FWD_HANKEL_SHARED) < 1e-7);
    cr_assert(worst_error(FWD_SCHLUMBERGER, 0, FWD_HANKEL_KEY201) < 1e-7);
}

Test(fwd_jacobian, finite_mn_matches_central_differences)
{
    cr_assert(worst_error(FWD_SCHLUMBERGER, 1, FWD_HANKEL_SHARED) < 1e-7);
    cr_assert(worst_error(FWD_SCHLUMBERGER, 1, FWD_HANKEL_KEY201) < 1e-7);
}

Test(fwd_jacobian, wenner_matches_central_differences)
{
    cr_assert(worst_error(FWD_WENNER, 0, FWD_HANKEL_SHARED) < 1e-7);
    cr_assert(worst_error(FWD_WENNER, 0, FWD_HANKEL_KEY201) < 1e-7);
}

Test(fwd_jacobian, mt_matches_central_differences)
{
    cr_assert(worst_error(FWD_MT, 0, FWD_HANKEL_SHARED) < 1e-7);
}

/* A half-space: d rho_a / d log10 rho = ln 10 rho, exactly; the MT phase does not move. */
Test(fwd_jacobian, half_space_is_exact)
{
    fwd_method ms[] = {FWD_SCHLUMBERGER, FWD_WENNER, FWD_MT};
    double p[] = {1.7}, d[2 * NPTS], J[2 * NPTS], rho = pow(10.0, 1.7);
    size_t im, i;

    for (im = 0; im < 3; im++) {
        fwd_geom *g = geometry(ms[im], 0);
        fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);

        cr_assert_eq(fwd_jacobian(w, 1, p, d, J, NULL), 0);
        for (i = 0; i < NPTS; i++)
            cr_assert(fabs(J[i] / (log(10.0) * rho) - 1) < 1e-12, "%zu: %.15g", i, J[i]);
        for (i = NPTS; i < fwd_geom_ndata(g); i++)
            cr_assert(fabs(J[i]) < 1e-12, "phase %zu: %g", i, J[i]);
        fwd_workspace_free(w);
        fwd_geom_free(g);
    }
}

Test(fwd_jacobian, errors_name_the_problem)
{
    fwd_geom *g = geometry(FWD_SCHLUMBERGER, 0);
    fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
    double p[] = {1.0, NAN, 1.0}, big[] = {1.0, 400.0, 1.0}, d[NPTS], J[NPTS * 3];
    fwd_error err;

    cr_assert_eq(fwd_jacobian(w, 0, p, d, J, &err), FWD_EINVAL);
    cr_assert(strstr(err.msg, "layers") != NULL, "%s", err.msg);
    cr_assert_eq(fwd_jacobian(w, FWD_MAX_LAYERS + 1, p, d, J, &err), FWD_EINVAL);
    cr_assert_eq(fwd_jacobian(w, 2, p, d, J, &err), FWD_ENUMERIC, "%s", err.msg);
    cr_assert_eq(fwd_jacobian(w, 2, big, d, J, &err), FWD_ENUMERIC, "%s", err.msg);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/*
 * Worst |fwd_jacobian_approx - fwd_jacobian| over the datum's scale (as worst_error) in d
 * and in J, over `count` random models of 1-6 layers (log10 rho uniform over rho_decades
 * from 1 ohm-m, or from 0.01 when they are more than 4, h 0.1 to 1000 m, a fixed seed), of
 * those whose contrast (the largest rho over the smallest) is at most 1e4; every model of a
 * larger contrast must give fwd_jacobian's bits. The approximation runs in a workspace of
 * its own, first: values left by the exact call cannot stand in for grid points it skipped.
 * *identical: whether every model gave the same bits.
 */
static double
approx_error(fwd_method m, int finite_mn, fwd_hankel hankel, double rho_decades, size_t count,
             int *identical)
{
    fwd_geom *g = geometry(m, finite_mn);
    fwd_params fp = fwd_params_default();
    fwd_workspace *w, *wa;
    fwd_error err;
    size_t im, i, k, n, np, nd;
    double *d, *J, *da, *Ja, p[11], scale, e, worst = 0.0, r0 = rho_decades > 4 ? -2 : 0, lo, hi;
    unsigned long long s = 12345;
    int same;

    cr_assert_not_null(g);
    fp.hankel = hankel;
    w = fwd_workspace_alloc(g, &fp, &err);
    wa = fwd_workspace_alloc(g, &fp, &err);
    cr_assert(w != NULL && wa != NULL, "%s", err.msg);
    nd = fwd_geom_ndata(g);
    d = malloc(nd * sizeof *d);
    da = malloc(nd * sizeof *da);
    J = malloc(nd * 11 * sizeof *J);
    Ja = malloc(nd * 11 * sizeof *Ja);
    *identical = 1;
    for (im = 0; im < count; im++) {
        n = 1 + im % 6;
        np = FWD_MODEL_NPARAMS(n);
        lo = INFINITY;
        hi = -INFINITY;
        for (k = 0; k < np; k++) { /* a 64-bit LCG (Knuth's MMIX constants) */
            s = s * 6364136223846793005ULL + 1442695040888963407ULL;
            p[k] = (double)(s >> 11) / 9007199254740992.0;
            p[k] = k < n ? r0 + rho_decades * p[k] : 4 * p[k] - 1;
            lo = k < n ? fmin(lo, p[k]) : lo;
            hi = k < n ? fmax(hi, p[k]) : hi;
        }
        cr_assert_eq(fwd_jacobian_approx(wa, n, p, da, Ja, &err), 0, "%s", err.msg);
        cr_assert_eq(fwd_jacobian(w, n, p, d, J, &err), 0, "%s", err.msg);
        same = memcmp(da, d, nd * sizeof *d) == 0 && memcmp(Ja, J, nd * np * sizeof *J) == 0;
        *identical &= same;
        if (hi - lo > 4) {
            cr_assert(same, "model %zu: contrast 1e%.2f, not exact", im, hi - lo);
            continue;
        }
        for (i = 0; i < nd; i++) {
            scale = i < NPTS ? fabs(d[i]) : 1.0;
            e = fabs(da[i] - d[i]) / scale;
            for (k = 0; k < np; k++)
                e = fmax(e, fabs(Ja[i * np + k] - J[i * np + k]) / scale);
            worst = e > worst ? e : worst;
        }
    }
    free(Ja);
    free(J);
    free(da);
    free(d);
    fwd_workspace_free(wa);
    fwd_workspace_free(w);
    fwd_geom_free(g);
    return worst;
}

/*
 * fwd_jacobian_approx leaves out filter weights (DC on the shared grid, contrasts up to 1e4)
 * and is the same elsewhere. Its worst error over 3,000 models of contrasts up to 1e4 is
 * below 1e-3 of the datum (first layers to 0.1 m); the bound fails if the weights left out
 * at small lambda were not added to the first one kept (3e-2), or those at large lambda to
 * the last (1.8e-3), or if many more were left out (1e-5 of the largest: 1e-2), or if the
 * grid points computed stopped short of those read (the approximation runs first, in a
 * workspace of its own). Contrasts beyond 1e4 (rho from 0.01 to 1e7): the exact bits. The
 * approximation must also be in effect: not the same bits as fwd_jacobian.
 */
Test(fwd_jacobian, approx_is_close_to_exact)
{
    int same;

    cr_assert_lt(approx_error(FWD_SCHLUMBERGER, 0, FWD_HANKEL_SHARED, 4, 3000, &same), 1e-3);
    cr_assert(!same);
    cr_assert_lt(approx_error(FWD_SCHLUMBERGER, 1, FWD_HANKEL_SHARED, 4, 3000, &same), 1e-3);
    cr_assert(!same);
    cr_assert_lt(approx_error(FWD_WENNER, 0, FWD_HANKEL_SHARED, 4, 3000, &same), 1e-3);
    cr_assert(!same);
    approx_error(FWD_SCHLUMBERGER, 0, FWD_HANKEL_SHARED, 9, 600, &same); /* asserts inside */
    approx_error(FWD_SCHLUMBERGER, 1, FWD_HANKEL_SHARED, 9, 600, &same);
    cr_assert_eq(approx_error(FWD_MT, 0, FWD_HANKEL_SHARED, 4, 300, &same), 0);
    cr_assert(same);
    cr_assert_eq(approx_error(FWD_SCHLUMBERGER, 0, FWD_HANKEL_KEY201, 4, 300, &same), 0);
    cr_assert(same);
}
