/* SPDX-License-Identifier: MIT */
/*
 * bench_util.c - what the benchmarks that train nets in memory share.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <hdf5.h>

#include "forward/base/fwd_rng.h"
#include "forward/fwd_method.h"
#include "invnet/invert/invnet_lm.h"
#include "invnet/invnet_fit.h"
#include "invnet/invnet_stats.h"
#include "tests/bench/bench_util.h"

void
bench_die(const char *prog, const char *what, const fwd_error *err)
{
    fprintf(stderr, "%s: %s: %s\n", prog, what, err != NULL ? err->msg : "failed");
    exit(1);
}

double
bench_pct(const double *v, size_t n, double q)
{
    double *c = malloc(n * sizeof *c), r = NAN;
    size_t i, m = 0;

    for (i = 0; i < n; i++)
        if (isfinite(v[i]))
            c[m++] = v[i];
    if (m > 0) {
        gsl_sort(c, 1, m);
        r = gsl_stats_quantile_from_sorted_data(c, 1, m, q);
    }
    free(c);
    return r;
}

invnet_dataset *
bench_dataset(const smp_config *c, size_t n)
{
    invnet_dataset *d = calloc(1, sizeof *d);
    size_t nd = fwd_geom_ndata(c->geom), np = 2 * c->prior.n_layers - 1;
    double *clean = malloc(n * nd * sizeof(double)), *noisy = malloc(n * nd * sizeof(double));
    smp_gen *g = smp_gen_alloc(c, 2, NULL);
    fwd_error err;

    d->h.method = fwd_geom_method(c->geom);
    d->h.prior = c->prior;
    d->h.noise = c->noise;
    d->h.seed = c->seed;
    d->h.n_complete = d->h.n_requested = n;
    d->geom = fwd_geom_alloc(d->h.method, fwd_geom_size(c->geom), fwd_geom_x(c->geom), NULL, NULL);
    d->rows = n;
    d->n_in = nd;
    d->n_out = np;
    d->x = malloc(n * nd * sizeof(double));
    d->t = malloc(n * np * sizeof(double));
    if (g == NULL || smp_gen_run(g, 0, n, d->t, clean, noisy, &err) != FWD_OK ||
        invnet_features(d->h.method, fwd_geom_size(c->geom), n, noisy, d->x, &err) != FWD_OK)
        bench_die("bench", "samples", NULL);
    smp_gen_free(g);
    free(clean);
    free(noisy);
    return d;
}

void
bench_test_set(const smp_config *c, size_t n, double **P, double **C, double **Z)
{
    smp_config t = *c;
    size_t nd = fwd_geom_ndata(c->geom);
    smp_gen *g;

    t.seed = 7; /* other draws of the prior than the training's */
    g = smp_gen_alloc(&t, 2, NULL);
    *P = malloc(n * (2 * c->prior.n_layers - 1) * sizeof **P);
    *C = malloc(n * nd * sizeof **C);
    *Z = malloc(n * nd * sizeof **Z);
    if (g == NULL || *P == NULL || *C == NULL || *Z == NULL ||
        smp_gen_run(g, 0, n, *P, *C, *Z, NULL) != FWD_OK)
        bench_die("bench", "test soundings", NULL);
    smp_gen_free(g);
}

invnet_file *
bench_fit(const smp_config *c, size_t n, const invnet_fit_params *p)
{
    invnet_dataset *d = bench_dataset(c, n);
    invnet_file *f;
    fwd_error err;

    if (invnet_fit_dataset("memory", d, p, NULL, NULL, &f, NULL, &err) != FWD_OK)
        bench_die("bench", "train", &err);
    invnet_dataset_free(d);
    return f;
}

invnet_file *
bench_train(const smp_config *c, size_t n, size_t epochs, int masked)
{
    invnet_fit_params p = invnet_fit_default();

    p.train.epochs = epochs;
    p.train.nthreads = 2;
    p.masked = masked;
    return bench_fit(c, n, &p);
}

void openblas_set_num_threads(int num_threads);

void
bench_init(void)
{
    gsl_set_error_handler_off();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    openblas_set_num_threads(1);
}

size_t
bench_count(int argc, char **argv, int i, size_t dflt, size_t min, const char *usage)
{
    size_t n = argc > i ? (size_t)strtoul(argv[i], NULL, 10) : dflt;

    if (n < min) {
        fprintf(stderr, "usage: %s\n", usage);
        exit(2);
    }
    return n;
}

void
bench_sounding(fwd_sounding *s, fwd_method m, size_t n, double *x, double *d)
{
    memset(s, 0, sizeof *s);
    s->method = m;
    s->n = n;
    s->x = x;
    s->rho_a = d;
    s->phase = fwd_method_get(m)->nvalues > 1 ? d + n : NULL;
    strcpy(s->name, "bench");
    strcpy(s->source, "bench");
}

double
bench_cost(fwd_workspace *w, const fwd_sounding *s, size_t nl, const double *p, double noise)
{
    double f[2048], resp[2048];

    if (fwd_method_ndata(s->method, s->n) > 2048 ||
        invnet_lm_residuals(w, s, nl, p, NULL, resp, f) != FWD_OK)
        return INFINITY;
    return invnet_lm_chi2(s, NULL, resp, noise);
}

double
bench_best_fit(fwd_workspace *w, const fwd_sounding *s, size_t nl, const double *starts,
               size_t n_starts, size_t n_random, const double *lo, const double *hi, double noise,
               uint64_t seed, double *best)
{
    invnet_lm_params lp = invnet_lm_noise(noise);
    double p[2 * FWD_MAX_LAYERS], c, cb = INFINITY;
    size_t np = FWD_MODEL_NPARAMS(nl), k, j;

    lp.max_iter = 200;
    lp.ctol = 0;
    for (k = 0; k < n_starts + 1 + n_random; k++) {
        if (k < n_starts) {
            memcpy(p, starts + k * np, np * sizeof *p);
        } else if (k == n_starts) {
            invnet_lm_halfspace_start(s, nl, p);
        } else {
            for (j = 0; j < np; j++)
                p[j] = lo[j] + (0.01 + 0.98 * (double)(fwd_splitmix64(&seed) >> 11) * 0x1.0p-53) *
                                   (hi[j] - lo[j]);
        }
        for (j = 0; j < np; j++)
            p[j] = fmin(fmax(p[j], lo[j] + 0.01 * (hi[j] - lo[j])), hi[j] - 0.01 * (hi[j] - lo[j]));
        if (invnet_lm_fit(w, s, nl, p, lo, hi, &lp, NULL, NULL) != FWD_OK)
            continue;
        c = bench_cost(w, s, nl, p, noise);
        if (c < cb) {
            cb = c;
            if (best != NULL)
                memcpy(best, p, np * sizeof *p);
        }
    }
    return cb;
}
