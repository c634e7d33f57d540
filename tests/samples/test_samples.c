/* SPDX-License-Identifier: MIT */
/*
 * test_samples.c - libsmp: prior, random streams, parallel generation, the samples file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <hdf5.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_model.h"
#include "samples/smp_file.h"
#include "samples/smp_gen.h"
#include "samples/smp_h5.h"
#include "forward/base/fwd_rng.h"

static void
quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    gsl_set_error_handler_off();
}

TestSuite(smp_prior, .init = quiet);
TestSuite(smp_gen, .init = quiet);

static void
expect_prior_error(size_t n, const char *rho, const char *thick, const char *fragment)
{
    smp_prior p;
    fwd_error err;

    cr_assert_eq(smp_prior_parse(&p, n, rho, thick, &err), FWD_EINVAL, "%s / %s", rho, thick);
    cr_assert(strstr(err.msg, fragment) != NULL, "\"%s\" lacks \"%s\"", err.msg, fragment);
    /* the input at fault, named in the library's words: "rho: ...", never an option */
    cr_assert(strcmp(err.field, "rho") == 0 || strcmp(err.field, "thick") == 0 ||
                  strcmp(err.field, "layers") == 0,
              "field \"%s\"", err.field);
    cr_assert(strncmp(err.msg, err.field, strlen(err.field)) == 0 &&
                  strncmp(err.msg + strlen(err.field), ": ", 2) == 0,
              "\"%s\" does not begin with its field \"%s\"", err.msg, err.field);
    cr_assert_null(strstr(err.msg, "--"), "\"%s\" names an option", err.msg);
}

Test(smp_prior, parse)
{
    smp_prior p;

    cr_assert_eq(smp_prior_parse(&p, 3, "1:1000", "0.5:50", NULL), 0);
    cr_assert(p.rho_min[2] == 1 && p.rho_max[2] == 1000 && p.thick_max[1] == 50);
    cr_assert_eq(smp_prior_parse(&p, 3, "1:100,10:1000,1:1e4", "1:5,2:80", NULL), 0);
    cr_assert(p.rho_min[1] == 10 && p.rho_max[2] == 1e4 && p.thick_min[1] == 2);
    cr_assert_eq(smp_prior_parse(&p, 1, "3:30", NULL, NULL), 0);
    expect_prior_error(3, "", "1:2", "rho: expected MIN:MAX or 3 ranges");
    expect_prior_error(3, NULL, "1:2", "rho: ");
    expect_prior_error(3, "100:1", "1:2",
                       "rho: layer 1: expected finite 0 < MIN < MAX ohm-m, "
                       "got 100:1");
    expect_prior_error(3, "5:5", "1:2", "got 5:5");
    expect_prior_error(3, "0:5", "1:2", "got 0:5");
    expect_prior_error(3, "-1:5", "1:2", "got -1:5");
    expect_prior_error(3, "nan:5", "1:2", "layer 1");
    expect_prior_error(3, "1:inf", "1:2", "layer 1");
    expect_prior_error(3, "1:10,1:10", "1:2", "expected 1 or 3 ranges");
    expect_prior_error(2, "1:10", "1:2,2:3", "thick: expected one range MIN:MAX, got more");
    expect_prior_error(3, "1:10,1:10,1:10,1:10", "1:2", "got more");
    expect_prior_error(3, "1:10,x:3,1:10", "1:2", "rho: range 2: expected MIN:MAX, got \"x:3\"");
    expect_prior_error(3, "1-10", "1:2", "range 1");
    expect_prior_error(3, "1:2:3", "1:2", "range 1");
    expect_prior_error(3, "1:10", "2:1", "thick: layer 1");
    expect_prior_error(3, "1:10", NULL, "thick: ");
    expect_prior_error(3, "1:10", "1:2,1:3,1:4", "thick: ");
    expect_prior_error(0, "1:10", NULL, "layers: expected 1 to");
    expect_prior_error(FWD_MAX_LAYERS + 1, "1:10", "1:2", "layers: ");
}

/* To draw DC models from, a contrast of at most 1e10 between the layers (1 to 1e15: sample
 * 12 of a 4-layer Schlumberger run had a negative response and the run stopped), also
 * across layers; MT's responses stay positive, and a file's prior is read whatever it is. */
Test(smp_prior, contrast_for_dc_draws)
{
    smp_prior p;
    fwd_error err;

    cr_assert_eq(smp_prior_parse(&p, 3, "1:1e15", "1:2", NULL), 0);
    cr_assert_eq(smp_prior_check(&p, NULL), 0);
    cr_assert_eq(smp_prior_check_draws(&p, FWD_MT, NULL), 0);
    cr_assert_eq(smp_prior_check_draws(&p, FWD_SCHLUMBERGER, &err), FWD_EINVAL);
    cr_expect_str_eq(err.msg, "rho: expected the most resistive layer at most 1e+10 times the "
                              "least, got 1 to 1e+15 ohm-m (beyond, DC responses can come out "
                              "negative)");
    cr_expect_str_eq(err.field, "rho");
    cr_assert_eq(smp_prior_parse(&p, 3, "0.01:1,1:10,1e6:1e9", "1:2", NULL), 0);
    cr_assert_eq(smp_prior_check_draws(&p, FWD_WENNER, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "got 0.01 to 1e+09 ohm-m") != NULL, "%s", err.msg);
    cr_assert_eq(smp_prior_parse(&p, 3, "0.1:1,1:10,1e6:1e9", "1:5", NULL), 0);
    cr_assert_eq(smp_prior_check_draws(&p, FWD_WENNER, NULL), 0);
}

/* Kolmogorov-Smirnov distance of sorted x from the uniform distribution on [lo, hi]. */
static double
ks_uniform(double *x, size_t n, double lo, double hi)
{
    double d = 0, f;
    size_t i;

    gsl_sort(x, 1, n);
    for (i = 0; i < n; i++) {
        f = (x[i] - lo) / (hi - lo);
        d = fmax(d, fmax(fabs(f - (double)i / n), fabs((double)(i + 1) / n - f)));
    }
    return d;
}

/* log10 of each parameter is uniform in its range: KS on 1e5 draws, fixed seed. */
Test(smp_prior, log_uniform_draws)
{
    enum { N = 100000 };
    smp_prior p;
    gsl_rng *r = gsl_rng_alloc(fwd_rng_xoshiro256ss);
    double *v = malloc(5 * N * sizeof *v), *col = malloc(N * sizeof *col), par[5], d;
    const double lo[5] = {0, 1, 0, -0.5, 0.3}, hi[5] = {3, 2, 4, 1.7, 2};
    size_t i, k;

    cr_assert_eq(smp_prior_parse(&p, 3, "1:1000,10:100,1:1e4", "0.316227766:50.118723,2:100", NULL),
                 0);
    for (i = 0; i < N; i++) {
        fwd_rng_set_stream(r, 2024, i);
        smp_prior_draw(&p, r, par);
        memcpy(v + 5 * i, par, sizeof par);
    }
    for (k = 0; k < 5; k++) {
        for (i = 0; i < N; i++) {
            col[i] = v[5 * i + k];
            cr_assert(col[i] >= lo[k] - 1e-9 && col[i] <= hi[k] + 1e-9, "param %zu: %g", k, col[i]);
        }
        /* 1.95 / sqrt(N) is the 0.1 % critical value of the KS statistic. */
        d = ks_uniform(col, N, lo[k], hi[k]);
        cr_assert(d < 1.95 / sqrt((double)N), "param %zu: KS distance %g", k, d);
    }
    free(col);
    free(v);
    gsl_rng_free(r);
}

/* A config on a geometry of 20 AB/2 from 1 to 300 m (or periods), 3 layers. */
static fwd_geom *
make_config(smp_config *c, fwd_method m, double noise)
{
    double x[20];
    size_t i;
    fwd_geom *g;

    for (i = 0; i < 20; i++)
        x[i] = (m == FWD_MT ? 1e-3 : 1.0) * pow(300.0, i / 19.0);
    memset(c, 0, sizeof *c);
    g = fwd_geom_alloc(m, 20, x, NULL, NULL);
    c->geom = g;
    cr_assert_eq(smp_prior_parse(&c->prior, 3, "1:1000", "1:50", NULL), 0);
    c->noise = noise;
    c->seed = 42;
    return g;
}

#define NS 3000
#define NP 5

static void
run(const smp_config *c, int threads, uint64_t first, size_t n, double *p, double *cl, double *no)
{
    fwd_error err;
    smp_gen *g = smp_gen_alloc(c, threads, &err);

    cr_assert_not_null(g, "%s", err.msg);
    cr_assert_eq(smp_gen_run(g, first, n, p, cl, no, &err), 0, "%s", err.msg);
    smp_gen_free(g);
}

Test(smp_gen, identical_for_any_thread_count_and_split)
{
    smp_config c;
    fwd_geom *geo = make_config(&c, FWD_WENNER, 0.05);
    size_t nd = 20, sz = NS * (NP + 2 * nd);
    double *a = malloc(sz * sizeof *a), *b = malloc(sz * sizeof *b);
    int threads[] = {2, 4, 7}, t;

    run(&c, 1, 0, NS, a, a + NS * NP, a + NS * (NP + nd));
    for (t = 0; t < 3; t++) {
        memset(b, 0, sz * sizeof *b);
        run(&c, threads[t], 0, NS, b, b + NS * NP, b + NS * (NP + nd));
        cr_assert(memcmp(a, b, sz * sizeof *a) == 0, "%d threads differ from 1", threads[t]);
    }
    /* samples 1000.. computed alone equal the same rows of the whole run */
    memset(b, 0, sz * sizeof *b);
    run(&c, 3, 1000, NS - 1000, b, b + NS * NP, b + NS * (NP + nd));
    cr_assert(memcmp(a + 1000 * NP, b, (NS - 1000) * NP * sizeof *a) == 0);
    cr_assert(memcmp(a + NS * NP + 1000 * nd, b + NS * NP, (NS - 1000) * nd * sizeof *a) == 0);
    free(b);
    free(a);
    fwd_geom_free(geo);
}

Test(smp_gen, clean_rows_are_the_forward_response)
{
    smp_config c;
    fwd_geom *geo = make_config(&c, FWD_SCHLUMBERGER, 0.02);
    double *p = malloc(NS * NP * sizeof *p), *cl = malloc(NS * 20 * sizeof *cl);
    double *no = malloc(NS * 20 * sizeof *no), rho[3], h[2], d[20];
    fwd_workspace *w = fwd_workspace_alloc(geo, NULL, NULL);
    size_t i, j;

    run(&c, 2, 0, NS, p, cl, no);
    for (i = 0; i < NS; i++) {
        /* as a reader of the file would: from the stored physical values */
        for (j = 0; j < 3; j++)
            rho[j] = pow(10.0, p[i * NP + j]);
        for (j = 0; j < 2; j++)
            h[j] = pow(10.0, p[i * NP + 3 + j]);
        cr_assert_eq(fwd_eval(w, 3, rho, h, d, NULL), 0);
        for (j = 0; j < 20; j++)
            cr_assert(fabs(d[j] / cl[i * 20 + j] - 1) <= 1e-12, "sample %zu datum %zu", i, j);
    }
    fwd_workspace_free(w);
    free(no);
    free(cl);
    free(p);
    fwd_geom_free(geo);
}

Test(smp_gen, noise_has_the_stated_statistics)
{
    smp_config c;
    fwd_geom *geo = make_config(&c, FWD_MT, 0.05);
    size_t nd = 40, i, j, n = 0, m = 0;
    double *p = malloc(NS * NP * sizeof *p), *cl = malloc(NS * nd * sizeof *cl);
    double *no = malloc(NS * nd * sizeof *no), s1 = 0, s2 = 0, q1 = 0, q2 = 0, z, sd;

    run(&c, 2, 0, NS, p, cl, no);
    for (i = 0; i < NS; i++)
        for (j = 0; j < nd; j++) {
            if (j < 20) {
                z = log(no[i * nd + j] / cl[i * nd + j]);
                s1 += z;
                s2 += z * z;
                n++;
            } else {
                z = no[i * nd + j] - cl[i * nd + j];
                q1 += z;
                q2 += z * z;
                m++;
            }
        }
    sd = sqrt(s2 / n - (s1 / n) * (s1 / n));
    cr_assert(fabs(s1 / n) < 4 * 0.05 / sqrt((double)n), "log-ratio mean %g", s1 / n);
    cr_assert(fabs(sd / 0.05 - 1) < 0.02, "log-ratio sd %g, expected 0.05", sd);
    sd = sqrt(q2 / m - (q1 / m) * (q1 / m));
    cr_assert(fabs(sd / (0.05 * SMP_PHASE_DEG_PER_NOISE) - 1) < 0.02, "phase sd %g degrees", sd);
    free(no);
    free(cl);
    free(p);
    fwd_geom_free(geo);
}

Test(smp_gen, config_errors)
{
    smp_config c;
    fwd_geom *geo = make_config(&c, FWD_WENNER, 0.05);
    fwd_error err;

    c.noise = 1.5;
    cr_assert_null(smp_gen_alloc(&c, 1, &err));
    cr_assert(strncmp(err.msg, "noise: expected 0 to 1", 22) == 0, "%s", err.msg);
    cr_assert_str_eq(err.field, "noise");
    c.noise = NAN;
    cr_assert_null(smp_gen_alloc(&c, 1, &err));
    c.noise = 0.1;
    cr_assert_null(smp_gen_alloc(&c, 0, &err));
    cr_assert(strstr(err.msg, "threads") != NULL);
    c.geom = NULL;
    cr_assert_null(smp_gen_alloc(&c, 1, &err));
    smp_gen_free(NULL);
    fwd_geom_free(geo);
}
