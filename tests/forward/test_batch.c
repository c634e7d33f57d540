/* SPDX-License-Identifier: MIT */
/*
 * test_batch.c - the batch API: same numbers as one model at a time, any thread count,
 * and errors that name the bad row.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>
#include <criterion/criterion.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_model.h"

#define NL    4
#define NP    FWD_MODEL_NPARAMS(NL)
#define COUNT 64

/* Deterministic models spread over log10 rho in [-1, 4], log10 h in [-0.5, 2.5]. */
static void
make_models(double *p)
{
    size_t m, k;

    for (m = 0; m < COUNT; m++)
        for (k = 0; k < NP; k++)
            p[m * NP + k] = k < NL ? -1.0 + 5.0 * fmod(0.618034 * (m * NP + k + 1), 1.0)
                                   : -0.5 + 3.0 * fmod(0.414214 * (m * NP + k + 1), 1.0);
}

static fwd_geom *
geometry(fwd_method m)
{
    double x[30];
    size_t i;

    for (i = 0; i < 30; i++)
        x[i] = (m == FWD_MT ? 1e-3 : 1.0) * pow(10.0, 3.0 * i / 29.0);
    return fwd_geom_alloc(m, 30, x, NULL, NULL);
}

Test(fwd_forward, equals_single_evaluations)
{
    fwd_method methods[] = {FWD_SCHLUMBERGER, FWD_WENNER, FWD_MT};
    double p[COUNT * NP], *d, one[60], rho[NL], h[NL - 1];
    size_t im, m, nd;

    make_models(p);
    for (im = 0; im < 3; im++) {
        fwd_geom *g = geometry(methods[im]);
        fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
        nd = fwd_geom_ndata(g);
        d = malloc(COUNT * nd * sizeof *d);
        cr_assert_eq(fwd_workspace_geom(w), g);
        cr_assert_eq(fwd_eval_batch(w, NL, COUNT, p, d, NULL), 0);
        for (m = 0; m < COUNT; m++) {
            fwd_model_from_log10(NL, p + m * NP, rho, h, NULL);
            cr_assert_eq(fwd_eval(w, NL, rho, h, one, NULL), 0);
            cr_assert(memcmp(one, d + m * nd, nd * sizeof *d) == 0, "method %zu model %zu", im, m);
        }
        free(d);
        fwd_workspace_free(w);
        fwd_geom_free(g);
    }
}

/* Each thread with its own workspace on a shared geometry: bit-identical to serial. */
Test(fwd_forward, threads_give_identical_results)
{
    double p[COUNT * NP], serial[COUNT * 30], par[COUNT * 30];
    fwd_geom *g = geometry(FWD_SCHLUMBERGER);
    fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
    int nt;

    make_models(p);
    cr_assert_eq(fwd_eval_batch(w, NL, COUNT, p, serial, NULL), 0);
    for (nt = 2; nt <= 7; nt += 5) {
        memset(par, 0, sizeof par);
#pragma omp parallel num_threads(nt) default(none) shared(g, p, par)
        {
            fwd_workspace *tw = fwd_workspace_alloc(g, NULL, NULL);
            long m;
#pragma omp for schedule(dynamic, 3)
            for (m = 0; m < COUNT; m++)
                fwd_eval_batch(tw, NL, 1, p + m * NP, par + m * 30, NULL);
            fwd_workspace_free(tw);
        }
        cr_assert(memcmp(serial, par, sizeof par) == 0, "%d threads differ", nt);
    }
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

Test(fwd_forward, bad_row_is_named)
{
    double p[COUNT * NP], d[COUNT * 30];
    fwd_geom *g = geometry(FWD_WENNER);
    fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
    fwd_error err;

    make_models(p);
    p[16 * NP + 5] = NAN;
    cr_assert_eq(fwd_eval_batch(w, NL, COUNT, p, d, &err), FWD_ENUMERIC);
    cr_assert(strstr(err.msg, "model 17: parameter 6") != NULL, "%s", err.msg);
    cr_assert_eq(fwd_eval_batch(w, 0, 1, p, d, &err), FWD_EINVAL);
    cr_assert_eq(fwd_eval_batch(w, FWD_MAX_LAYERS + 1, 1, p, d, &err), FWD_EINVAL);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

Test(fwd_forward, workspace_errors)
{
    fwd_params p = fwd_params_default();
    fwd_geom *g = geometry(FWD_WENNER);
    fwd_error err;
    double rho[] = {1, 2}, h[] = {-1}, d[30];
    fwd_workspace *w;

    cr_assert_null(fwd_workspace_alloc(NULL, NULL, &err));
    cr_assert_eq(err.code, FWD_EINVAL);
    p.gl_nodes_per_ln = 0;
    cr_assert_null(fwd_workspace_alloc(g, &p, &err));
    cr_assert(strstr(err.msg, "gl_nodes_per_ln") != NULL);
    p = fwd_params_default();
    p.gl_max_nodes = 2;
    cr_assert_null(fwd_workspace_alloc(g, &p, &err));
    w = fwd_workspace_alloc(g, NULL, &err);
    cr_assert_eq(fwd_eval(w, 2, rho, h, d, &err), FWD_EINVAL);
    cr_assert_str_eq(err.msg, "thickness of layer 1: expected finite > 0 m, got -1");
    fwd_workspace_free(w);
    fwd_workspace_free(NULL);
    fwd_geom_free(g);
}

/* More quadrature nodes change a Wenner response by less than 1e-9: converged. (With the
 * Key filter, whose own error is 1e-10, so that the quadrature's error shows.) */
Test(fwd_forward, quadrature_converged)
{
    fwd_params p = fwd_params_default();
    fwd_geom *g = geometry(FWD_WENNER);
    fwd_workspace *w1, *w2;

    p.hankel = FWD_HANKEL_KEY201;
    w1 = fwd_workspace_alloc(g, &p, NULL);
    double pm[COUNT * NP], d1[COUNT * 30], d2[COUNT * 30];
    size_t i;

    p.gl_nodes_per_ln = 40;
    w2 = fwd_workspace_alloc(g, &p, NULL);
    make_models(pm);
    fwd_eval_batch(w1, NL, COUNT, pm, d1, NULL);
    fwd_eval_batch(w2, NL, COUNT, pm, d2, NULL);
    for (i = 0; i < COUNT * 30; i++)
        cr_assert(fabs(d1[i] / d2[i] - 1) < 1e-9, "%zu: %.15g vs %.15g", i, d1[i], d2[i]);
    fwd_workspace_free(w2);
    fwd_workspace_free(w1);
    fwd_geom_free(g);
}

/* The shared-grid filter and Key's published filter agree to 1e-6 on random 4-layer
 * models, irregular spacings and finite MN/2: no spacing falls between the cracks. */
Test(fwd_forward, shared_filter_agrees_with_key201)
{
    double x[23], mn2[23], pm[COUNT * NP], d1[COUNT * 23], d2[COUNT * 23], worst = 0;
    fwd_params p = fwd_params_default();
    fwd_method m;
    fwd_geom *g;
    fwd_workspace *w1, *w2;
    size_t i, k;

    for (i = 0; i < 23; i++) {
        x[i] = 0.37 * pow(10.0, 4.2 * fmod(0.7548776662 * (i + 1), 1.0));
        mn2[i] = x[i] * (0.02 + 0.5 * fmod(0.5698402910 * (i + 1), 1.0));
    }
    make_models(pm);
    for (k = 0; k < 3; k++) {
        m = k == 1 ? FWD_WENNER : FWD_SCHLUMBERGER;
        g = fwd_geom_alloc(m, 23, x, k == 2 ? mn2 : NULL, NULL);
        p.hankel = FWD_HANKEL_SHARED;
        w1 = fwd_workspace_alloc(g, &p, NULL);
        p.hankel = FWD_HANKEL_KEY201;
        w2 = fwd_workspace_alloc(g, &p, NULL);
        cr_assert_eq(fwd_eval_batch(w1, NL, COUNT, pm, d1, NULL), 0);
        cr_assert_eq(fwd_eval_batch(w2, NL, COUNT, pm, d2, NULL), 0);
        for (i = 0; i < COUNT * 23; i++) {
            cr_assert(fabs(d1[i] / d2[i] - 1) < 1e-6, "case %zu datum %zu: %.12g vs %.12g", k, i,
                      d1[i], d2[i]);
            worst = fmax(worst, fabs(d1[i] / d2[i] - 1));
        }
        fwd_workspace_free(w2);
        fwd_workspace_free(w1);
        fwd_geom_free(g);
    }
    cr_log_info("shared vs key201: worst relative difference %.2e", worst);
    p.hankel = (fwd_hankel)5;
    cr_assert_null(fwd_workspace_alloc(g = geometry(FWD_WENNER), &p, NULL));
    fwd_geom_free(g);
    cr_assert_str_eq(fwd_hankel_name(FWD_HANKEL_KEY201), "key201");
    cr_assert_str_eq(fwd_hankel_name((fwd_hankel)5), "unknown");
}
