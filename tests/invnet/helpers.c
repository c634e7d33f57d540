/* SPDX-License-Identifier: MIT */
/*
 * helpers.c - what the libinvnet tests share: a samples file, a trained net.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "forward/fwd_model.h"
#include "invnet/invnet_fit.h"
#include "samples/smp_file.h"
#include "samples/smp_gen.h"
#include "samples/smp_h5.h"
#include "tests/invnet/helpers.h"

/* Writes n samples of a 3-layer Schlumberger prior (20 spacings, 1-1000 m) to dir/name. */
void
tst_make_samples(const char *dir, const char *name, size_t n, double noise, size_t n_complete_cut,
                 char *path)
{
    double ab2[TST_NPTS];
    size_t i;

    for (i = 0; i < TST_NPTS; i++)
        ab2[i] = pow(10, 3.0 * (double)i / (TST_NPTS - 1));
    tst_make_samples_at(dir, name, n, noise, n_complete_cut, TST_NPTS, ab2, path);
}

void
tst_make_samples_at(const char *dir, const char *name, size_t n, double noise,
                    size_t n_complete_cut, size_t nd, const double *ab2, char *path)
{
    tst_make_samples_layers(dir, name, n, noise, n_complete_cut, nd, ab2, 3, path);
}

void
tst_make_samples_layers(const char *dir, const char *name, size_t n, double noise,
                        size_t n_complete_cut, size_t nd, const double *ab2, size_t nl, char *path)
{
    tst_make_samples_method(dir, name, n, noise, n_complete_cut, FWD_SCHLUMBERGER, nd, ab2, nl,
                            path);
}

void
tst_make_samples_method(const char *dir, const char *name, size_t n, double noise,
                        size_t n_complete_cut, fwd_method m, size_t nx, const double *x, size_t nl,
                        char *path)
{
    size_t np = FWD_MODEL_NPARAMS(nl), nd;
    smp_config c;
    fwd_geom *g0;
    smp_gen *g;
    smp_file *f;
    double *P, *C, *Z;

    memset(&c, 0, sizeof c);
    g0 = fwd_geom_alloc(m, nx, x, NULL, NULL);
    cr_assert_not_null(g0);
    nd = fwd_geom_ndata(g0);
    P = malloc(n * np * sizeof *P);
    C = malloc(n * nd * sizeof *C);
    Z = malloc(n * nd * sizeof *Z);
    c.geom = g0;
    cr_assert_eq(smp_prior_parse(&c.prior, nl, "1:1000", "1:50", NULL), FWD_OK);
    c.noise = noise;
    c.seed = 42;
    g = smp_gen_alloc(&c, 2, NULL);
    cr_assert_eq(smp_gen_run(g, 0, n, P, C, Z, NULL), FWD_OK);
    sprintf(path, "%s/%s", dir, name);
    f = smp_file_create(path, &c, n, "test", 0, NULL);
    cr_assert_not_null(f);
    cr_assert_eq(smp_file_append(f, n - n_complete_cut, P, C, Z, NULL), FWD_OK);
    cr_assert_eq(smp_file_close(f, NULL), FWD_OK);
    smp_gen_free(g);
    fwd_geom_free(g0);
    free(Z);
    free(C);
    free(P);
}

/* Trains as `bpinv train` does (invnet_fit); returns the net file (in memory). */
invnet_file *
tst_train(const char *path, size_t epochs, int nthreads, double val, int noisy)
{
    invnet_fit_params p = invnet_fit_default();
    invnet_file *f = NULL;
    fwd_error err;

    p.val = val;
    p.noisy = noisy;
    p.train.epochs = epochs;
    p.train.nthreads = nthreads;
    p.version = "test";
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_OK, "%s", err.msg);
    return f;
}

invnet_file *
tst_train_masked(const char *path, size_t epochs, int nthreads, double min_span)
{
    return tst_train_masked_as(path, epochs, nthreads, min_span, INVNET_MASK_ALIGNED);
}

invnet_file *
tst_train_masked_as(const char *path, size_t epochs, int nthreads, double min_span,
                    invnet_mask_layout layout)
{
    invnet_fit_params p = invnet_fit_default();
    invnet_file *f = NULL;
    fwd_error err;

    p.train.epochs = epochs;
    p.train.nthreads = nthreads;
    p.masked = 1;
    p.mask.min_span = min_span;
    p.mask.layout = layout;
    p.version = "test";
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_OK, "%s", err.msg);
    return f;
}

fwd_sounding *
tst_sounding(size_t n, const double *x, const double *d)
{
    fwd_sounding *s = calloc(1, sizeof *s);

    cr_assert_not_null(s);
    s->method = FWD_SCHLUMBERGER;
    s->n = n;
    s->x = malloc(n * sizeof(double));
    s->rho_a = malloc(n * sizeof(double));
    s->line = calloc(n, sizeof(size_t));
    cr_assert(s->x != NULL && s->rho_a != NULL && s->line != NULL);
    memcpy(s->x, x, n * sizeof(double));
    memcpy(s->rho_a, d, n * sizeof(double));
    strcpy(s->name, "test");
    strcpy(s->source, "test");
    return s;
}

void
tst_set_attr(const char *path, const char *name, size_t n, const double *v, int u64)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);

    cr_assert_geq(f, 0, "%s: cannot open", path);
    if (H5Aexists(f, name) > 0)
        cr_assert_geq(H5Adelete(f, name), 0);
    if (v != NULL)
        cr_assert_eq(u64 ? smp_h5_write_u64(f, name, (uint64_t)v[0], NULL)
                         : smp_h5_write_f64(f, name, n, v, NULL),
                     FWD_OK);
    H5Fclose(f);
}
