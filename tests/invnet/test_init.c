/* SPDX-License-Identifier: MIT */
/*
 * test_init.c - warm starts (invnet_fit_params.init): a training begins from a trained net's
 * weights and normalisation, keeps them unless an epoch validates better (so it never ends
 * worse on its validation rows than where it began), resumes from its checkpoint to the
 * uninterrupted net, and refuses a net of another method, layer count, geometry, layout or
 * inputs, naming what differs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <hdf5.h>

#include "invnet/invnet_ckpt.h"
#include "invnet/invnet_data.h"
#include "invnet/invnet_fit.h"
#include "invnet/invnet_train.h"
#include "samples/smp_file.h"
#include "tests/common.h"
#include "tests/invnet/helpers.h"

static char dir[64];

static void
setup(void)
{
    tst_mkdtemp(dir, sizeof dir, "init");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void
teardown(void)
{
    tst_rmtree(dir);
}

TestSuite(invnet_init, .init = setup, .fini = teardown);

/* A small plain net trained with squared error (huber 0: its validation loss is the mean
 * squared error invnet_evaluate() computes). */
static invnet_fit_params
plain_params(void)
{
    invnet_fit_params p = invnet_fit_default();

    p.hidden[0] = 16;
    p.n_hidden = 1;
    p.val = 0.2;
    p.train.epochs = 15;
    p.train.batch = 64;
    p.train.lr = 0.01;
    p.train.patience = 0;
    p.train.huber = 0;
    p.train.seed = 5;
    p.train.nthreads = 2;
    return p;
}

/* The net file a training of path with p makes. */
static invnet_file *
fit(const char *path, const invnet_fit_params *p)
{
    invnet_file *f = NULL;
    fwd_error err;

    cr_assert_eq(invnet_fit(path, p, NULL, NULL, &f, NULL, &err), FWD_OK, "%s", err.msg);
    return f;
}

/* The mean squared error of net on the validation rows of path (the last fraction val),
 * standardised by the net's own normalisation: computed apart from the trainer. */
static double
val_mse(const char *path, invnet_net *net, double val)
{
    fwd_error err;
    invnet_dataset *d = invnet_dataset_load(path, 1, 0, &err);
    size_t nv, nt;
    double e;

    cr_assert_not_null(d, "%s", err.msg);
    nv = invnet_n_val(d->rows, val);
    nt = d->rows - nv;
    invnet_dataset_standardise(d, 0, net);
    e = invnet_evaluate(net, 1, nv, d->x + nt * d->n_in, d->t + nt * d->n_out, NULL);
    invnet_dataset_free(d);
    return e;
}

static int
same_doubles(const double *a, const double *b, size_t n)
{
    return memcmp(a, b, n * sizeof *a) == 0;
}

/* The weights and the normalisation of a and b, bit for bit. */
static void
expect_same_net(const invnet_net *a, const invnet_net *b, const char *what)
{
    int k;

    cr_assert_eq(invnet_net_nparams(a), invnet_net_nparams(b), "%s", what);
    cr_expect(
        same_doubles(invnet_net_params_const(a), invnet_net_params_const(b), invnet_net_nparams(a)),
        "%s: different weights", what);
    for (k = 0; k < 4; k++)
        cr_expect(same_doubles(invnet_net_norm_const(a, k), invnet_net_norm_const(b, k),
                               k < 2 ? invnet_net_n_in(a) : invnet_net_n_out(a)),
                  "%s: normalisation %d differs", what, k);
}

/* A rate that makes every epoch worse than a trained start: the start is kept, bit for bit,
 * at the loss computed apart; a gentle rate improves on it, and the net ends better. */
Test(invnet_init, the_start_is_kept_unless_an_epoch_beats_it, .timeout = 120)
{
    invnet_fit_params p = plain_params(), q;
    invnet_file *a, *b, *c;
    char s1[256], s2[256];
    double start, mse;

    tst_make_samples(dir, "s1.h5", 800, 0.03, 0, s1);
    tst_make_samples(dir, "s2.h5", 900, 0.03, 0, s2); /* s1 and 100 rows more */
    a = fit(s1, &p);
    q = p;
    q.init = a;
    q.init_name = "a.h5";
    q.train.lr = 0.3;    /* far too large for a trained net: every epoch worse */
    q.train.average = 0; /* (an average of the steps would stay near the start) */
    q.train.epochs = 4;
    b = fit(s2, &q);
    start = val_mse(s2, a->net, q.val);
    cr_expect_eq(b->best_epoch, 0, "epoch %zu of a rate of 0.3 beat the start", b->best_epoch);
    cr_expect_eq(b->n_epochs, 4);
    cr_expect_str_eq(b->init_net, "a.h5");
    cr_expect(fabs(b->init_val_loss - start) <= 1e-12 * start,
              "the start's loss %.17g, computed apart %.17g", b->init_val_loss, start);
    for (size_t k = 0; k < b->n_epochs; k++)
        cr_expect(b->val_loss[k] > b->init_val_loss, "epoch %zu: %g, not worse than the start",
                  k + 1, b->val_loss[k]);
    expect_same_net(a->net, b->net, "kept");
    /* the trainer alone: keep_start's loss, an epoch that does not beat it, the start back */
    {
        invnet_trainer *tr;
        invnet_dataset *d;
        fwd_error err;
        double loss;

        d = invnet_dataset_load(s2, 1, 0, &err);
        cr_assert_not_null(d, "%s", err.msg);
        invnet_dataset_standardise(d, 0, a->net);
        {
            invnet_net *n = invnet_net_clone(a->net);
            size_t nv = invnet_n_val(d->rows, q.val), nt = d->rows - nv;
            invnet_epoch e;

            tr = invnet_trainer_alloc(n, &q.train, nt, d->x, d->t, nv, d->x + nt * d->n_in,
                                      d->t + nt * d->n_out, &err);
            cr_assert_not_null(tr, "%s", err.msg);
            cr_assert_eq(invnet_trainer_keep_start(tr, &loss, &err), FWD_OK, "%s", err.msg);
            cr_expect(fabs(loss - start) <= 1e-12 * start, "keep_start's loss %.17g", loss);
            cr_assert_eq(invnet_trainer_iterate(tr, &e, &err), FWD_OK, "%s", err.msg);
            cr_expect_eq(e.improved, 0);
            cr_expect_eq(invnet_trainer_restore_best(tr, &loss), 0);
            cr_expect(same_doubles(invnet_net_params_const(n), invnet_net_params_const(a->net),
                                   invnet_net_nparams(n)),
                      "restore_best did not give the start back");
            invnet_trainer_free(tr);
            invnet_net_free(n);
        }
        invnet_dataset_free(d);
    }
    /* a gentle rate: better than the start, and than the start on the rows computed apart */
    q.train.lr = 0.003;
    q.train.average = p.train.average;
    q.train.epochs = 10;
    c = fit(s2, &q);
    cr_assert_gt(c->best_epoch, 0);
    mse = val_mse(s2, c->net, q.val);
    cr_expect_lt(mse, start, "warm start %.6g, its start %.6g", mse, start);
    cr_expect(fabs(mse - c->val_loss[c->best_epoch - 1]) <= 1e-9 * mse);
    /* the normalisation stays the start's (s2's own statistics differ) */
    for (int k = 0; k < 4; k++)
        cr_expect(same_doubles(invnet_net_norm_const(a->net, k), invnet_net_norm_const(c->net, k),
                               k < 2 ? invnet_net_n_in(a->net) : invnet_net_n_out(a->net)),
                  "normalisation %d is not the start's", k);
    /* read back: the start's name and loss */
    {
        char out[300];
        fwd_error err;
        invnet_file *r;

        snprintf(out, sizeof out, "%s/c.h5", dir);
        cr_assert_eq(invnet_file_save(out, c, 0, &err), FWD_OK, "%s", err.msg);
        r = invnet_file_load(out, &err);
        cr_assert_not_null(r, "%s", err.msg);
        cr_expect_str_eq(r->init_net, "a.h5");
        cr_expect_eq(r->init_val_loss, c->init_val_loss);
        invnet_file_free(r);
        snprintf(out, sizeof out, "%s/a.h5", dir);
        cr_assert_eq(invnet_file_save(out, a, 0, &err), FWD_OK, "%s", err.msg);
        r = invnet_file_load(out, &err);
        cr_assert_not_null(r, "%s", err.msg);
        cr_expect_str_eq(r->init_net, "", "a net trained from the seed names no start");
        invnet_file_free(r);
    }
    invnet_file_free(a);
    invnet_file_free(b);
    invnet_file_free(c);
}

/* Same seed, same net whatever the threads; and a warm start stopped and resumed from its
 * checkpoint is the uninterrupted one; another start is refused by the settings. */
struct run {
    char path[256];
    size_t stop_at;
};

static void
save_ckpt(void *ud, const invnet_ckpt *c, int stopped)
{
    struct run *r = ud;
    fwd_error err;

    (void)stopped;
    cr_assert_eq(invnet_ckpt_save(r->path, c, &err), FWD_OK, "%s", err.msg);
}

static int
stop_at(const invnet_fit_info *info, const invnet_epoch *e, void *ud)
{
    (void)info;
    return e != NULL && e->epoch == ((struct run *)ud)->stop_at;
}

Test(invnet_init, a_warm_start_resumes_and_is_the_same_for_any_threads, .timeout = 120)
{
    invnet_fit_params p = plain_params(), q;
    invnet_file *a, *a2, *ref, *one, *b;
    invnet_ckpt *c;
    struct run r;
    fwd_error err;
    char s1[256], s2[256];

    tst_make_samples(dir, "s1.h5", 700, 0.03, 0, s1);
    tst_make_samples(dir, "s2.h5", 800, 0.03, 0, s2);
    p.train.huber = 0.1;
    a = fit(s1, &p);
    q = p;
    q.init = a;
    q.init_name = "a.h5";
    q.train.lr = 0.003;
    q.train.epochs = 8;
    ref = fit(s2, &q);
    q.train.nthreads = 1;
    one = fit(s2, &q);
    expect_same_net(ref->net, one->net, "1 and 2 threads");
    q.train.nthreads = 2;
    /* stopped after epoch 3, resumed */
    memset(&r, 0, sizeof r);
    snprintf(r.path, sizeof r.path, "%s/w.ckpt", dir);
    r.stop_at = 3;
    q.checkpoint = save_ckpt;
    q.checkpoint_ud = &r;
    cr_assert_eq(invnet_fit(s2, &q, stop_at, &r, &b, NULL, &err), FWD_OK, "%s", err.msg);
    invnet_file_free(b);
    c = invnet_ckpt_load(r.path, &err);
    cr_assert_not_null(c, "%s", err.msg);
    q.checkpoint = NULL;
    q.resume = c;
    b = fit(s2, &q);
    expect_same_net(ref->net, b->net, "resumed");
    cr_expect_eq(b->best_epoch, ref->best_epoch);
    cr_expect_eq(b->init_val_loss, ref->init_val_loss);
    invnet_file_free(b);
    /* resumed from another start (one more epoch of its training): refused, naming it */
    p.train.epochs++;
    a2 = fit(s1, &p);
    q.init = a2;
    b = NULL;
    cr_expect_eq(invnet_fit(s2, &q, NULL, NULL, &b, NULL, &err), FWD_EINVAL);
    cr_expect_null(b);
    cr_expect_str_eq(err.field, "init", "field %s: %s", err.field, err.msg);
    /* and resumed without one */
    q.init = NULL;
    cr_expect_eq(invnet_fit(s2, &q, NULL, NULL, &b, NULL, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "init", "field %s: %s", err.field, err.msg);
    invnet_ckpt_free(c);
    invnet_file_free(a);
    invnet_file_free(a2);
    invnet_file_free(ref);
    invnet_file_free(one);
}

/* Each difference a net cannot start a training across is refused, naming it, before any
 * row is read by a program (invnet_fit_init_check) and by the training itself. */
Test(invnet_init, a_net_of_other_inputs_is_refused, .timeout = 120)
{
    static const double ab2[12] = {1, 2, 4, 7, 10, 20, 40, 70, 100, 200, 400, 700};
    invnet_fit_params p = plain_params(), q;
    invnet_file *a, *m, *out = NULL;
    fwd_error err;
    char s3[256], s4[256], sg[256], smt[256];
    const struct {
        const char *field, *samples, *words;
        size_t hidden;
        invnet_activation act;
        int masked;
    } cases[] = {
        {"layers", s4, "a net of 3 layers", 16, INVNET_TANH, 0},
        {"geometry", sg, "20 points, 1 to 1000 m", 16, INVNET_TANH, 0},
        {"method", smt, "a net for schlumberger soundings", 16, INVNET_TANH, 0},
        {"hidden", s3, "hidden units 16", 32, INVNET_TANH, 0},
        {"activation", s3, "tanh hidden units", 16, INVNET_SIGMOID, 0},
        {"masked", s3, "its whole span", 16, INVNET_TANH, 1},
    };
    const double periods[4] = {0.01, 0.1, 1, 10};
    size_t k;

    tst_make_samples(dir, "s3.h5", 300, 0.03, 0, s3);
    {
        double x[TST_NPTS];

        for (k = 0; k < TST_NPTS; k++)
            x[k] = pow(10, 3.0 * (double)k / (TST_NPTS - 1));
        tst_make_samples_layers(dir, "s4.h5", 300, 0.03, 0, TST_NPTS, x, 4, s4);
    }
    tst_make_samples_at(dir, "sg.h5", 300, 0.03, 0, 12, ab2, sg);
    tst_make_samples_method(dir, "smt.h5", 300, 0.03, 0, FWD_MT, 4, periods, 3, smt);
    p.train.epochs = 2;
    a = fit(s3, &p);
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        smp_header h;
        fwd_geom *g = NULL;

        q = p;
        q.init = a;
        q.init_name = "a.h5";
        q.hidden[0] = cases[k].hidden;
        q.act = cases[k].act;
        q.masked = cases[k].masked;
        q.mask.min_span = 1;
        cr_assert_eq(smp_file_read_header(cases[k].samples, &h, &g, &err), FWD_OK, "%s", err.msg);
        cr_expect_eq(invnet_fit_init_check(&q, cases[k].samples, &h, g, &err), FWD_EINVAL,
                     "%s: not refused", cases[k].field);
        cr_expect_str_eq(err.field, cases[k].field, "%s: field %s (%s)", cases[k].field, err.field,
                         err.msg);
        cr_expect(strstr(err.msg, "a.h5") != NULL && strstr(err.msg, cases[k].words) != NULL,
                  "%s: %s", cases[k].field, err.msg);
        fwd_geom_free(g);
        cr_expect_eq(invnet_fit(cases[k].samples, &q, NULL, NULL, &out, NULL, &err), FWD_EINVAL,
                     "%s: trained", cases[k].field);
        cr_expect_null(out);
        cr_expect_str_eq(err.field, cases[k].field, "%s: training's field %s", cases[k].field,
                         err.field);
    }
    /* a masked start for a net of the whole span, and no validation rows for a warm start */
    q = p;
    q.masked = 1;
    q.mask.min_span = 1;
    m = fit(s3, &q);
    q = p;
    q.init = m;
    cr_expect_eq(invnet_fit(s3, &q, NULL, NULL, &out, NULL, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "masked", "%s", err.msg);
    cr_expect(strstr(err.msg, "any part of its span") != NULL, "%s", err.msg);
    q = p;
    q.init = a;
    q.val = 0;
    cr_expect_eq(invnet_fit(s3, &q, NULL, NULL, &out, NULL, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "val", "%s", err.msg);
    cr_expect_null(out);
    /* a masked start for a masked training: accepted */
    q = p;
    q.masked = 1;
    q.mask.min_span = 1;
    q.init = m;
    q.train.epochs = 1;
    out = fit(s3, &q);
    cr_expect_eq(out->masked, 1);
    invnet_file_free(out);
    invnet_file_free(a);
    invnet_file_free(m);
}

/* The hint that more epochs may help measures a warm start's fall from its start's loss: an
 * epoch far worse than the start, then a recovery to just below it, is not a fall of 22 %. */
Test(invnet_init, the_late_fall_counts_from_the_start)
{
    double val[3] = {0.131, 0.110, 0.1024};
    invnet_file f;
    size_t k = 2;
    double fall;

    memset(&f, 0, sizeof f);
    f.val_loss = val;
    f.n_epochs = 3;
    fall = invnet_file_late_fall(&f, &k);
    cr_expect(fabs(fall - (1 - 0.1024 / 0.131)) < 1e-12, "from the seed: %g", fall);
    snprintf(f.init_net, sizeof f.init_net, "a.h5");
    f.init_val_loss = 0.102646;
    k = 2;
    fall = invnet_file_late_fall(&f, &k);
    cr_expect(fabs(fall - (1 - 0.1024 / 0.102646)) < 1e-12, "from the start: %g", fall);
    k = 5; /* all 3 epochs: the start's loss comes before the first */
    fall = invnet_file_late_fall(&f, &k);
    cr_expect_eq(k, 3);
    cr_expect(fabs(fall - (1 - 0.1024 / 0.102646)) < 1e-12, "over all epochs: %g", fall);
    f.n_epochs = 1; /* one epoch, 0.131: no fall from the start */
    k = 5;
    fall = invnet_file_late_fall(&f, &k);
    cr_expect_eq(k, 1);
    cr_expect_eq(fall, 1 - 0.102646 / 0.102646, "one worse epoch: %g", fall);
    f.n_epochs = 3;
    /* a data stage's fall is its own */
    f.data_epochs = 2;
    f.data_first_epoch = 2;
    k = 1;
    fall = invnet_file_late_fall(&f, &k);
    cr_expect(fabs(fall - (1 - 0.1024 / 0.110)) < 1e-12, "the data stage: %g", fall);
}
