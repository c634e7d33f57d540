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
#include "invnet/invnet_data.h"
#include "invnet/invnet_train.h"
#include "samples/smp_file.h"
#include "samples/smp_gen.h"
#include "tests/invnet/helpers.h"

/* Writes n samples of a 3-layer Schlumberger prior (20 spacings, 1-1000 m) to dir/name. */
void
tst_make_samples(const char *dir, const char *name, size_t n, double noise, size_t n_complete_cut,
                 char *path)
{
    double ab2[20];
    size_t i, np = FWD_MODEL_NPARAMS(3), nd = 20;
    smp_config c;
    fwd_geom *g0;
    smp_gen *g;
    smp_file *f;
    double *P = malloc(n * np * sizeof *P), *C = malloc(n * nd * sizeof *C),
           *Z = malloc(n * nd * sizeof *Z);

    for (i = 0; i < 20; i++)
        ab2[i] = pow(10, 3.0 * (double)i / 19);
    memset(&c, 0, sizeof c);
    g0 = fwd_geom_alloc(FWD_SCHLUMBERGER, 20, ab2, NULL, NULL);
    c.geom = g0;
    cr_assert_eq(smp_prior_parse(&c.prior, 3, "1:1000", "1:50", NULL), FWD_OK);
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

/* Trains as `bpinv train` does; returns the net file (in memory). */
invnet_file *
tst_train(const char *path, size_t epochs, int nthreads, double val, int noisy)
{
    invnet_dataset *d = invnet_dataset_load(path, noisy, 0, NULL);
    invnet_file *f = calloc(1, sizeof *f);
    invnet_train_params p = invnet_train_default();
    size_t h[] = {64}, nv, nt;
    invnet_trainer *tr;
    invnet_epoch e;

    cr_assert_not_null(d);
    nv = (size_t)(val * (double)d->rows);
    nt = d->rows - nv;
    f->samples = d->h;
    f->geom = d->geom;
    d->geom = NULL;
    f->net = invnet_net_alloc(d->n_in, 1, h, d->n_out, INVNET_TANH, NULL);
    f->env = invnet_envelope_alloc(d->n_in);
    cr_assert_eq(invnet_envelope_compute(f->env, nt, d->x, 1e-10, 100000, NULL), FWD_OK);
    invnet_net_init(f->net, 42);
    invnet_dataset_standardise(d, nt, f->net);
    p.epochs = epochs;
    p.nthreads = nthreads;
    tr = invnet_trainer_alloc(f->net, &p, nt, d->x, d->t, nv, d->x + nt * d->n_in,
                              d->t + nt * d->n_out, NULL);
    cr_assert_not_null(tr);
    f->train_loss = malloc(epochs * sizeof(double));
    f->val_loss = malloc(epochs * sizeof(double));
    while (!invnet_trainer_test(tr)) {
        cr_assert_eq(invnet_trainer_iterate(tr, &e, NULL), FWD_OK);
        f->train_loss[f->n_epochs] = e.train_loss;
        f->val_loss[f->n_epochs++] = e.val_loss;
    }
    f->best_epoch = invnet_trainer_restore_best(tr, NULL);
    invnet_evaluate(f->net, nthreads, nv, d->x + nt * d->n_in, d->t + nt * d->n_out, f->val_rmse);
    f->train = p;
    f->n_train = nt;
    f->n_val = nv;
    strcpy(f->data, noisy ? "noisy" : "clean");
    strcpy(f->samples_path, path);
    strcpy(f->bpinv_version, "test");
    invnet_trainer_free(tr);
    invnet_dataset_free(d);
    return f;
}
