/* SPDX-License-Identifier: MIT */
/*
 * test_fit.c - invnet_fit against the recipe run step by step, the split, stops and errors.
 */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/common.h"
#include <hdf5.h>

#include "invnet/invnet_fit.h"
#include "invnet/invnet_stats.h"
#include "tests/invnet/helpers.h"

static char dir[64];

static void
setup(void)
{
    tst_mkdtemp(dir, sizeof dir, "fit");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void
teardown(void)
{
    tst_rmtree(dir);
}

TestSuite(invnet_fit, .init = setup, .fini = teardown);

/*
 * The recipe as `bpinv train` ran it before invnet_fit, call by call: at most stop_after
 * epochs (0: until the trainer is done). The best validation loss into *best.
 */
static invnet_file *
by_hand(const char *path, const invnet_fit_params *p, size_t stop_after, double *best)
{
    invnet_dataset *d = invnet_dataset_load(path, p->noisy, p->max_samples, NULL);
    invnet_file *f = calloc(1, sizeof *f);
    invnet_train_params tp = p->train;
    size_t nv, nt, nx, ny;
    invnet_trainer *tr;
    invnet_epoch e;

    cr_assert_not_null(d);
    nv = (size_t)(p->val * (double)d->rows + 0.5);
    if (p->val > 0 && nv == 0)
        nv = 1;
    nt = d->rows - nv;
    nx = d->n_in;
    ny = d->n_out;
    f->samples = d->h;
    f->geom = d->geom;
    d->geom = NULL;
    tp.lr = invnet_train_lr(&tp);
    f->train = tp;
    f->n_train = nt;
    f->n_val = nv;
    f->net = invnet_net_alloc(nx, p->n_hidden, p->hidden, ny, p->act, NULL);
    f->env = invnet_envelope_alloc(nx);
    cr_assert(f->net != NULL && f->env != NULL);
    invnet_net_init(f->net, tp.seed);
    cr_assert_eq(invnet_envelope_compute(f->env, nt, d->x, 1e-10, 100000, NULL), FWD_OK);
    invnet_dataset_standardise(d, nt, f->net);
    tr =
        invnet_trainer_alloc(f->net, &tp, nt, d->x, d->t, nv, d->x + nt * nx, d->t + nt * ny, NULL);
    cr_assert_not_null(tr);
    f->train_loss = malloc(tp.epochs * sizeof(double));
    f->val_loss = malloc(tp.epochs * sizeof(double));
    while (!invnet_trainer_test(tr) && (stop_after == 0 || f->n_epochs < stop_after)) {
        cr_assert_eq(invnet_trainer_iterate(tr, &e, NULL), FWD_OK);
        f->train_loss[f->n_epochs] = e.train_loss;
        f->val_loss[f->n_epochs++] = e.val_loss;
    }
    f->best_epoch = invnet_trainer_restore_best(tr, best);
    if (nv > 0)
        invnet_evaluate(f->net, tp.nthreads, nv, d->x + nt * nx, d->t + nt * ny, f->val_rmse);
    else
        invnet_evaluate(f->net, tp.nthreads, nt, d->x, d->t, f->val_rmse);
    invnet_trainer_free(tr);
    invnet_dataset_free(d);
    return f;
}

/* Bit for bit: weights, normalisation, envelope, history, outcome. */
static void
expect_same(const invnet_file *a, const invnet_file *b)
{
    const invnet_envelope *ea = a->env, *eb = b->env;
    size_t np = invnet_net_nparams(a->net), k, n;

    cr_assert_eq(np, invnet_net_nparams(b->net));
    cr_assert_eq(invnet_net_depth(a->net), invnet_net_depth(b->net));
    for (k = 0; k <= invnet_net_depth(a->net); k++)
        cr_expect_eq(invnet_net_units(a->net, k), invnet_net_units(b->net, k));
    cr_expect_eq(invnet_net_activation(a->net), invnet_net_activation(b->net));
    cr_expect_eq(memcmp(invnet_net_params_const(a->net), invnet_net_params_const(b->net),
                        np * sizeof(double)),
                 0, "different weights");
    for (k = 0; k < 4; k++) {
        n = k < 2 ? invnet_net_n_in(a->net) : invnet_net_n_out(a->net);
        cr_expect_eq(memcmp(invnet_net_norm_const(a->net, (int)k),
                            invnet_net_norm_const(b->net, (int)k), n * sizeof(double)),
                     0, "different normalisation %zu", k);
    }
    cr_assert_eq(ea->n, eb->n);
    cr_assert_eq(ea->n_pc, eb->n_pc);
    cr_expect_eq(memcmp(ea->min, eb->min, ea->n * sizeof(double)), 0);
    cr_expect_eq(memcmp(ea->max, eb->max, ea->n * sizeof(double)), 0);
    cr_expect_eq(memcmp(ea->mean, eb->mean, ea->n * sizeof(double)), 0);
    cr_expect_eq(memcmp(ea->pc, eb->pc, ea->n_pc * ea->n * sizeof(double)), 0);
    cr_expect_eq(memcmp(ea->pc_var, eb->pc_var, ea->n_pc * sizeof(double)), 0);
    cr_expect_eq(ea->d2_q99, eb->d2_q99);
    cr_expect_eq(ea->d2_q999, eb->d2_q999);
    cr_assert_eq(a->n_epochs, b->n_epochs);
    if (a->n_epochs > 0) {
        cr_expect_eq(memcmp(a->train_loss, b->train_loss, a->n_epochs * sizeof(double)), 0);
        cr_expect_eq(memcmp(a->val_loss, b->val_loss, a->n_epochs * sizeof(double)), 0);
    }
    cr_expect_eq(a->best_epoch, b->best_epoch);
    cr_expect_eq(memcmp(a->val_rmse, b->val_rmse, invnet_net_n_out(a->net) * sizeof(double)), 0,
                 "different validation RMSE");
    cr_expect_eq(a->n_train, b->n_train);
    cr_expect_eq(a->n_val, b->n_val);
    cr_expect_eq(a->train.lr, b->train.lr);
    cr_expect_eq(a->train.seed, b->train.seed);
    cr_expect_eq(a->train.epochs, b->train.epochs);
    cr_expect_eq(a->samples.method, b->samples.method);
    cr_expect_eq(a->samples.prior.n_layers, b->samples.prior.n_layers);
    cr_expect_eq(fwd_geom_ndata(a->geom), fwd_geom_ndata(b->geom));
}

/* Counts the calls; asks to stop at epoch stop_at (0: at the start, SIZE_MAX: never). */
struct progress {
    size_t calls, starts, stop_at, last_epoch, n_train;
};

static int
progress(const invnet_fit_info *info, const invnet_epoch *e, void *ud)
{
    struct progress *pr = ud;

    pr->calls++;
    pr->n_train = info->n_train;
    if (e == NULL) {
        pr->starts++;
        return pr->stop_at == 0;
    }
    cr_expect_eq(e->epoch, pr->last_epoch + 1, "epochs out of order");
    cr_expect_eq(info->last.epoch, e->epoch);
    pr->last_epoch = e->epoch;
    return e->epoch == pr->stop_at;
}

/* Two hidden layers of sigmoid units, a fast rate: the validation loss turns before the end. */
static invnet_fit_params
small_params(void)
{
    invnet_fit_params p = invnet_fit_default();

    p.hidden[0] = 24;
    p.hidden[1] = 12;
    p.n_hidden = 2;
    p.act = INVNET_SIGMOID;
    p.val = 0.15;
    p.noisy = 1;
    p.train.epochs = 30;
    p.train.batch = 64;
    p.train.lr = 0.05;
    p.train.patience = 4;
    p.train.seed = 7;
    p.train.nthreads = 2;
    p.train.average = 0.5; /* a short memory: the average too turns before the end */
    p.version = "9.8.7";
    return p;
}

Test(invnet_fit, equals_the_step_by_step_recipe, .timeout = 120)
{
    invnet_fit_params p = small_params();
    struct progress pr = {0, 0, SIZE_MAX, 0, 0};
    char path[128];
    invnet_file *a = NULL, *b;
    invnet_fit_info info;
    fwd_error err;
    double best;

    tst_make_samples(dir, "s.h5", 1500, 0.05, 0, path);
    cr_assert_eq(invnet_fit(path, &p, progress, &pr, &a, &info, &err), FWD_OK, "%s", err.msg);
    b = by_hand(path, &p, 0, &best);
    expect_same(a, b);
    /* the case the restore matters in: the best epoch is not the last */
    cr_expect_lt(a->best_epoch, a->n_epochs, "best %zu of %zu", a->best_epoch, a->n_epochs);
    cr_expect_gt(a->best_epoch, 0);
    cr_expect_eq(info.best_val_loss, best);
    cr_expect_eq(info.best_val_loss, a->val_loss[a->best_epoch - 1]);
    cr_expect_eq(info.last.epoch, a->n_epochs);
    cr_expect_eq(info.last.val_loss, a->val_loss[a->n_epochs - 1]);
    cr_expect_eq(info.stopped, 0);
    cr_expect_eq(info.rows, 1500);
    cr_expect_eq(info.n_val, 225);
    cr_expect_eq(info.n_train, 1275);
    cr_expect_eq(info.n_in, TST_NPTS);
    cr_expect_eq(info.n_out, 5);
    cr_expect_eq(pr.starts, 1);
    cr_expect_eq(pr.calls, 1 + a->n_epochs);
    cr_expect_eq(pr.n_train, 1275);
    cr_expect_str_eq(a->samples_path, path);
    cr_expect_str_eq(a->data, "noisy");
    cr_expect_str_eq(a->bpinv_version, "9.8.7");
    cr_expect_geq(a->train_seconds, 0);
    invnet_file_free(a);
    invnet_file_free(b);
}

/* The clean data, and the defaults but for the epochs. */
Test(invnet_fit, clean_data_and_defaults_match_too, .timeout = 120)
{
    invnet_fit_params p = invnet_fit_default();
    char path[128];
    invnet_file *a = NULL, *b;
    fwd_error err;

    p.noisy = 0;
    p.train.epochs = 3;
    tst_make_samples(dir, "s.h5", 800, 0.05, 0, path);
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &a, NULL, &err), FWD_OK, "%s", err.msg);
    b = by_hand(path, &p, 0, NULL);
    expect_same(a, b);
    cr_expect_str_eq(a->data, "clean");
    cr_expect_str_eq(a->bpinv_version, "");
    cr_expect_eq(a->n_val, 80);
    cr_expect_eq(invnet_net_units(a->net, 1), 64);
    invnet_file_free(a);
    invnet_file_free(b);
}

/* Rounded, at least 1 when asked for; the normalisation from the training rows only. */
Test(invnet_fit, the_validation_count_rounds)
{
    static const double val[] = {0.1, 0.001, 0, 0.5, 0.99};
    static const size_t n_val[] = {21, 1, 0, 103, 203};
    invnet_fit_params p = invnet_fit_default();
    char path[128];
    invnet_dataset *raw, *d;
    invnet_file *f;
    invnet_fit_info info;
    fwd_error err;
    double mean;
    size_t k, i, j, nt;

    tst_make_samples(dir, "s.h5", 205, 0.03, 0, path);
    raw = invnet_dataset_load(path, 1, 0, NULL);
    cr_assert_not_null(raw);
    for (k = 0; k < sizeof val / sizeof val[0]; k++) {
        p.val = val[k];
        d = invnet_dataset_load(path, 1, 0, NULL);
        cr_assert_eq(invnet_fit_prepare(path, d, &p, &f, &info, &err), FWD_OK, "%s", err.msg);
        nt = 205 - n_val[k];
        cr_expect_eq(info.n_val, n_val[k], "val %g: %zu validation rows", val[k], info.n_val);
        cr_expect_eq(info.n_train, nt);
        cr_expect_eq(f->n_val, n_val[k]);
        cr_expect_eq(f->n_train, nt);
        cr_expect_eq(f->n_epochs, 0);
        cr_expect_not_null(f->geom);
        cr_expect_null(d->geom, "the geometry moves into the file");
        /* means and envelope of the raw training rows, standardised rows in d */
        for (j = 0; j < TST_NPTS; j++) {
            for (i = 0, mean = 0; i < nt; i++)
                mean += raw->x[i * TST_NPTS + j];
            mean /= (double)nt;
            cr_expect(fabs(invnet_net_in_mean(f->net)[j] - mean) < 1e-12 * (1 + fabs(mean)),
                      "in_mean[%zu] %.17g, expected %.17g", j, invnet_net_in_mean(f->net)[j], mean);
            for (i = 0, mean = 0; i < nt; i++)
                mean += d->x[i * TST_NPTS + j];
            cr_expect(fabs(mean / (double)nt) < 1e-10, "standardised mean %g", mean);
            for (i = 0, mean = -INFINITY; i < nt; i++)
                mean = fmax(mean, raw->x[i * TST_NPTS + j]);
            cr_expect_eq(f->env->max[j], mean, "envelope max of feature %zu", j);
        }
        invnet_file_free(f);
        invnet_dataset_free(d);
    }
    invnet_dataset_free(raw);
}

/*
 * A net of any part of its span: every point of a value is standardised alike, with the
 * mean and sd of all the training values of that kind (a slot of the aligned layout holds
 * a different point for every window); one for the whole span keeps each point's own.
 */
Test(invnet_fit, a_masked_net_standardises_a_value_alike_at_every_point)
{
    invnet_fit_params p = invnet_fit_default();
    char path[128];
    invnet_dataset *raw, *d;
    invnet_file *f;
    invnet_fit_info info;
    fwd_error err;
    double m = 0, v = 0, *im, *is;
    size_t i, j, nt;

    tst_make_samples(dir, "s.h5", 400, 0.03, 0, path);
    raw = invnet_dataset_load(path, 1, 0, NULL);
    cr_assert_not_null(raw);
    p.masked = 1;
    d = invnet_dataset_load(path, 1, 0, NULL);
    cr_assert_eq(invnet_fit_prepare(path, d, &p, &f, &info, &err), FWD_OK, "%s", err.msg);
    cr_assert(f->masked && f->mask.layout == INVNET_MASK_ALIGNED);
    nt = info.n_train;
    for (i = 0; i < nt * TST_NPTS; i++)
        m += raw->x[i];
    m /= (double)(nt * TST_NPTS);
    for (i = 0; i < nt * TST_NPTS; i++)
        v += (raw->x[i] - m) * (raw->x[i] - m);
    v /= (double)(nt * TST_NPTS);
    im = invnet_net_in_mean(f->net);
    is = invnet_net_in_sd(f->net);
    for (j = 0; j < TST_NPTS; j++) { /* the features, and where the second block repeats them */
        cr_expect(fabs(im[j] - m) < 1e-12 * fabs(m), "in_mean[%zu] %.17g, expected %.17g", j, im[j],
                  m);
        /* each point's sd over nt - 1, the whole's over nt: 1 / nt apart at most */
        cr_expect(fabs(is[j] / sqrt(v) - 1) < 1.0 / (double)nt, "in_sd[%zu] %.17g, expected %.17g",
                  j, is[j], sqrt(v));
        cr_expect_eq(im[2 * TST_NPTS + j], im[j]);
        cr_expect_eq(is[2 * TST_NPTS + j], is[j]);
        cr_expect_eq(im[TST_NPTS + j], 0, "an indicator is as it is");
        cr_expect_eq(is[TST_NPTS + j], 1);
    }
    /* the standardised training rows: mean 0 over all the values of that kind */
    for (i = 0, m = 0; i < nt * TST_NPTS; i++)
        m += d->x[i];
    cr_expect(fabs(m / (double)(nt * TST_NPTS)) < 1e-10, "standardised mean %g", m);
    cr_expect(invnet_net_depth(f->net) == 2 && invnet_net_units(f->net, 1) == 64,
              "the three-layer net by default");
    invnet_file_free(f);
    invnet_dataset_free(d);

    /* the layers given are kept and reported; a net of the whole span keeps each point's
     * own statistics */
    p.n_hidden = 2;
    p.hidden[0] = 16;
    p.hidden[1] = 8;
    d = invnet_dataset_load(path, 1, 0, NULL);
    cr_assert_eq(invnet_fit_prepare(path, d, &p, &f, &info, &err), FWD_OK, "%s", err.msg);
    cr_expect(invnet_net_depth(f->net) == 3 && invnet_net_units(f->net, 1) == 16 &&
              invnet_net_units(f->net, 2) == 8);
    invnet_file_free(f);
    invnet_dataset_free(d);
    p = invnet_fit_default();
    d = invnet_dataset_load(path, 1, 0, NULL);
    cr_assert_eq(invnet_fit_prepare(path, d, &p, &f, &info, &err), FWD_OK, "%s", err.msg);
    cr_expect(!f->masked);
    cr_expect_neq(invnet_net_in_mean(f->net)[0], invnet_net_in_mean(f->net)[TST_NPTS - 1]);
    invnet_file_free(f);
    invnet_dataset_free(d);
    invnet_dataset_free(raw);
}

/* With no validation rows, the RMSE is of the training rows, in log10 units. */
Test(invnet_fit, no_validation_rows_rate_the_training_rows)
{
    invnet_fit_params p = invnet_fit_default();
    char path[128];
    invnet_dataset *raw;
    invnet_file *f;
    invnet_work *w;
    double *y, sq;
    size_t i, j, no = 5;
    fwd_error err;

    p.val = 0;
    p.train.epochs = 2;
    tst_make_samples(dir, "s.h5", 300, 0.03, 0, path);
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_OK, "%s", err.msg);
    cr_expect_eq(f->n_val, 0);
    cr_expect_eq(f->n_train, 300);
    raw = invnet_dataset_load(path, 1, 0, NULL);
    y = malloc(300 * no * sizeof *y);
    w = invnet_work_alloc(f->net, 300, NULL);
    cr_assert_eq(invnet_net_predict(f->net, w, 300, raw->x, y, NULL), FWD_OK);
    for (j = 0; j < no; j++) {
        for (i = 0, sq = 0; i < 300; i++)
            sq += (y[i * no + j] - raw->t[i * no + j]) * (y[i * no + j] - raw->t[i * no + j]);
        sq = sqrt(sq / 300);
        cr_expect(fabs(f->val_rmse[j] - sq) < 1e-9 * sq, "RMSE %zu: %.12g, expected %.12g", j,
                  f->val_rmse[j], sq);
    }
    invnet_work_free(w);
    free(y);
    invnet_dataset_free(raw);
    invnet_file_free(f);
}

/* A stop after epoch 3 of 50 keeps 3 epochs and the best of them; a stop at once keeps none. */
Test(invnet_fit, a_stop_request_keeps_the_best_weights, .timeout = 120)
{
    invnet_fit_params p = small_params();
    struct progress pr = {0, 0, 3, 0, 0};
    char path[128];
    invnet_file *a, *b;
    invnet_net *init;
    invnet_fit_info info;
    fwd_error err;
    size_t k, best = 0;

    p.train.epochs = 50;
    p.train.patience = 0;
    p.train.lr = 0.05;
    tst_make_samples(dir, "s.h5", 1000, 0.05, 0, path);
    cr_assert_eq(invnet_fit(path, &p, progress, &pr, &a, &info, &err), FWD_OK, "%s", err.msg);
    cr_expect_eq(info.stopped, 1);
    cr_expect_eq(a->n_epochs, 3);
    cr_expect_eq(pr.calls, 4);
    for (k = 1; k < 3; k++)
        if (a->val_loss[k] < a->val_loss[best])
            best = k;
    cr_expect_eq(a->best_epoch, best + 1);
    b = by_hand(path, &p, 3, NULL);
    expect_same(a, b);
    invnet_file_free(a);
    invnet_file_free(b);

    /* stopped before the first epoch: the initial weights, no history */
    pr = (struct progress){0, 0, 0, 0, 0};
    cr_assert_eq(invnet_fit(path, &p, progress, &pr, &a, &info, &err), FWD_OK, "%s", err.msg);
    cr_expect_eq(info.stopped, 1);
    cr_expect_eq(pr.calls, 1);
    cr_expect_eq(a->n_epochs, 0);
    cr_expect_eq(a->best_epoch, 0);
    cr_expect(isinf(info.best_val_loss));
    init = invnet_net_alloc(TST_NPTS, p.n_hidden, p.hidden, 5, p.act, NULL); /* 2 given */
    invnet_net_init(init, p.train.seed);
    cr_expect_eq(memcmp(invnet_net_params(init), invnet_net_params(a->net),
                        invnet_net_nparams(init) * sizeof(double)),
                 0, "not the initial weights");
    invnet_net_free(init);
    invnet_file_free(a);
}

Test(invnet_fit, errors)
{
    invnet_fit_params p = invnet_fit_default();
    char path[128], want[256];
    static invnet_file sentinel;
    invnet_dataset *d;
    invnet_file *f = &sentinel;
    fwd_error err;

    tst_make_samples(dir, "s.h5", 205, 0.03, 0, path);
    /* 2 rows, 0.1 validating: 1 of them (at least 1), 1 left */
    p.max_samples = 2;
    cr_expect_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_EINVAL);
    cr_expect_null(f);
    snprintf(want, sizeof want, "%s: 2 complete samples leave 1 for training; expected >= 2", path);
    cr_expect_str_eq(err.msg, want);
    /* 0.995 of 205 rows: 204 validating, 1 left */
    p.max_samples = 0;
    p.val = 0.995;
    cr_expect_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_EINVAL);
    snprintf(want, sizeof want, "%s: 205 complete samples leave 1 for training; expected >= 2",
             path);
    cr_expect_str_eq(err.msg, want);
    /* the data set is untouched by a failed set-up */
    d = invnet_dataset_load(path, 1, 0, NULL);
    cr_assert_not_null(d);
    cr_expect_eq(invnet_fit_prepare(path, d, &p, &f, NULL, NULL), FWD_EINVAL);
    cr_expect_not_null(d->geom);
    invnet_dataset_free(d);
    /* a fraction out of range names the field */
    p.val = 1;
    cr_expect_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "val");
    p.val = NAN;
    cr_expect_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, NULL), FWD_EINVAL);
    /* a bad layout, a bad setting, a missing file */
    p = invnet_fit_default();
    p.n_hidden = INVNET_MAX_HIDDEN + 1;
    cr_expect_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_EINVAL);
    cr_expect_null(f);

    p = invnet_fit_default();
    p.train.batch = 0;
    cr_expect_neq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_OK);
    cr_expect_null(f);
    p = invnet_fit_default();
    cr_expect_neq(invnet_fit("/nonexistent/s.h5", &p, NULL, NULL, &f, NULL, &err), FWD_OK);
    cr_expect_null(f);
    cr_expect(strstr(err.msg, "/nonexistent/s.h5") != NULL, "%s", err.msg);
}

/* The net file is complete for saving; a second save without overwrite names no option. */
Test(invnet_fit, saves_and_refuses_to_overwrite)
{
    invnet_fit_params p = invnet_fit_default();
    char path[128], net[160], want[256];
    invnet_file *f, *g;
    fwd_error err;

    p.train.epochs = 2;
    tst_make_samples(dir, "s.h5", 300, 0.03, 0, path);
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_OK, "%s", err.msg);
    snprintf(net, sizeof net, "%s/net.h5", dir);
    cr_assert_eq(invnet_file_save(net, f, 0, &err), FWD_OK, "%s", err.msg);
    cr_expect_eq(invnet_file_save(net, f, 0, &err), FWD_EEXIST);
    snprintf(want, sizeof want, "%s: exists", net);
    cr_expect_str_eq(err.msg, want);
    g = invnet_file_load(net, &err);
    cr_assert_not_null(g, "%s", err.msg);
    cr_expect_eq(g->n_epochs, 2);
    cr_expect_eq(g->n_val, 30);
    cr_expect_eq(g->best_epoch, f->best_epoch);
    cr_expect_str_eq(g->samples_path, path);
    invnet_file_free(g);
    invnet_file_free(f);
}

/* --- the ranks of a distributed run, as threads ------------------------------------------- */

/* What the "ranks" (threads here, MPI processes in bpinv) share: their sum, done as
 * MPI_Allreduce would, one value added per rank in whatever order the threads come. */
struct ranks {
    pthread_barrier_t bar;
    pthread_mutex_t mu;
    double *sum; /* cap values, 0 between sums */
    size_t cap;
};

static void
sum_ranks(void *ud, double *v, size_t n)
{
    struct ranks *g = ud;
    size_t i;

    cr_assert_leq(n, g->cap);
    pthread_barrier_wait(&g->bar); /* the sum is 0 */
    pthread_mutex_lock(&g->mu);
    for (i = 0; i < n; i++)
        g->sum[i] += v[i];
    pthread_mutex_unlock(&g->mu);
    pthread_barrier_wait(&g->bar); /* every rank's values are in */
    memcpy(v, g->sum, n * sizeof *v);
    if (pthread_barrier_wait(&g->bar) == PTHREAD_BARRIER_SERIAL_THREAD)
        memset(g->sum, 0, n * sizeof *g->sum); /* every rank has its copy: 0 for the next */
    pthread_barrier_wait(&g->bar);
}

struct rank_job {
    const char *path;
    invnet_dataset *d;
    invnet_fit_params p;
    invnet_file *out;
    int rc;
};

static void *
rank_main(void *arg)
{
    struct rank_job *j = arg;

    j->rc = invnet_fit_dataset(j->path, j->d, &j->p, NULL, NULL, &j->out, NULL, NULL);
    return NULL;
}

/* The net trained by K ranks sharing each step (invnet_trainer_set_ranks, through
 * invnet_fit_params) is the one process's, bit for bit, for K = 2, 3 and 5 (more ranks than
 * a batch of 512 has shards: some idle), with 1 and 2 threads each; without a reduce
 * function, or with a rank out of range, a "rank" is one whole process. */
Test(invnet_fit, ranks_train_the_one_process_net)
{
    char path[128];
    invnet_fit_params p = invnet_fit_default();
    invnet_file *one = NULL;
    size_t np, k, K;
    int threads;

    tst_make_samples(dir, "s.h5", 2600, 0.03, 0, path);
    p.hidden[0] = 16;
    p.n_hidden = 1;
    p.train.epochs = 3;
    p.train.batch = 512; /* 4 shards */
    p.train.nthreads = 1;
    p.version = "test";
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &one, NULL, NULL), FWD_OK);
    np = invnet_net_nparams(one->net);
    for (K = 2; K <= 5; K += K == 3 ? 2 : 1)
        for (threads = 1; threads <= 2; threads++) {
            struct ranks g;
            struct rank_job job[5];
            pthread_t th[5];

            memset(&g, 0, sizeof g);
            pthread_barrier_init(&g.bar, NULL, (unsigned)K);
            pthread_mutex_init(&g.mu, NULL);
            g.cap = 1 << 16;
            g.sum = calloc(g.cap, sizeof *g.sum);
            for (k = 0; k < K; k++) { /* HDF5 is read by one thread at a time */
                job[k].path = path;
                job[k].d = invnet_dataset_load(path, 1, 0, NULL);
                cr_assert_not_null(job[k].d);
                job[k].p = p;
                job[k].p.train.nthreads = threads;
                job[k].p.rank = (int)k;
                job[k].p.ranks = (int)K;
                job[k].p.reduce = sum_ranks;
                job[k].p.reduce_ud = &g;
                job[k].out = NULL;
            }
            for (k = 0; k < K; k++)
                cr_assert_eq(pthread_create(&th[k], NULL, rank_main, &job[k]), 0);
            for (k = 0; k < K; k++)
                pthread_join(th[k], NULL);
            for (k = 0; k < K; k++) {
                cr_assert_eq(job[k].rc, FWD_OK, "%zu ranks, rank %zu", K, k);
                cr_expect_arr_eq(invnet_net_params_const(job[k].out->net),
                                 invnet_net_params_const(one->net), np * sizeof(double),
                                 "%zu ranks x %d threads, rank %zu", K, threads, k);
                cr_expect_eq(job[k].out->n_epochs, one->n_epochs);
                cr_expect_arr_eq(job[k].out->val_loss, one->val_loss,
                                 one->n_epochs * sizeof(double));
                invnet_file_free(job[k].out);
                invnet_dataset_free(job[k].d);
            }
            pthread_barrier_destroy(&g.bar);
            pthread_mutex_destroy(&g.mu);
            free(g.sum);
        }
    /* no reduce function, or a rank out of range: one process, the same net */
    for (k = 0; k < 2; k++) {
        invnet_dataset *d = invnet_dataset_load(path, 1, 0, NULL);
        invnet_file *f = NULL;
        invnet_fit_params q = p;

        q.rank = k == 0 ? 1 : 7;
        q.ranks = 3;
        q.reduce = k == 0 ? NULL : sum_ranks;
        cr_assert_eq(invnet_fit_dataset(path, d, &q, NULL, NULL, &f, NULL, NULL), FWD_OK);
        cr_expect_arr_eq(invnet_net_params_const(f->net), invnet_net_params_const(one->net),
                         np * sizeof(double), "case %zu", k);
        invnet_file_free(f);
        invnet_dataset_free(d);
    }
    invnet_file_free(one);
}

/* A net of any part of its span only where its points span more than min_span decades;
 * the order of the points does not matter (an MT geometry may run either way). */
Test(invnet_fit, masked_only_below_the_span)
{
    const double up[] = {1, 10, 100, 1000}, down[] = {1000, 100, 10, 1};
    const double *xs[] = {up, down};
    invnet_fit_params p = invnet_fit_default();
    fwd_error err;
    size_t k;

    for (k = 0; k < 2; k++) {
        fwd_geom *g = fwd_geom_alloc(FWD_SCHLUMBERGER, 4, xs[k], NULL, &err);

        cr_assert_not_null(g, "%s", err.msg);
        cr_expect_float_eq(invnet_fit_span(g), 3, 1e-12);
        p.masked = 1;
        p.mask.min_span = 1;
        cr_expect_eq(invnet_fit_masked(&p, g), 1);
        p.mask.min_span = 2.99;
        cr_expect_eq(invnet_fit_masked(&p, g), 1);
        p.mask.min_span = 3; /* as wide as the span: a plain net */
        cr_expect_eq(invnet_fit_masked(&p, g), 0);
        p.mask.min_span = 20;
        cr_expect_eq(invnet_fit_masked(&p, g), 0);
        p.masked = 0;
        p.mask.min_span = 1;
        cr_expect_eq(invnet_fit_masked(&p, g), 0);
        fwd_geom_free(g);
    }
}
