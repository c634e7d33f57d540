/* SPDX-License-Identifier: MIT */
/*
 * test_misfit.c - the data-misfit loss of a net's models: its value against the samples'
 * own noise, its gradient through the whole net against central differences (DC and MT,
 * plain and masked nets), and the training stage that uses it (lowers the validation
 * misfit, same net for any number of threads, recorded in the net file).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <hdf5.h>

#include "invnet/invnet_fit.h"
#include "invnet/invnet_mask.h"
#include "invnet/invnet_misfit.h"
#include "tests/common.h"
#include "tests/invnet/helpers.h"

static char dir[64];

static void
setup(void)
{
    tst_mkdtemp(dir, sizeof dir, "misfit");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void
teardown(void)
{
    tst_rmtree(dir);
}

TestSuite(invnet_misfit, .init = setup, .fini = teardown);

/* n samples of method m (20 points, 3 layers) at the noise given, read and standardised as
 * training does (plain or masked net); the dataset into *d. */
static invnet_file *
prepared(fwd_method m, size_t n, double noise, int noisy, int masked, invnet_dataset **d)
{
    invnet_fit_params p = invnet_fit_default();
    double x[TST_NPTS];
    static int made;
    char path[256], name[32];
    invnet_file *f = NULL;
    fwd_error err;
    size_t i;

    for (i = 0; i < TST_NPTS; i++)
        x[i] = (m == FWD_MT ? 1e-3 : 1.0) * pow(10, (m == FWD_MT ? 5.0 : 3.0) * i / (TST_NPTS - 1));
    snprintf(name, sizeof name, "s%d.h5", made++);
    tst_make_samples_method(dir, name, n, noise, 0, m, TST_NPTS, x, 3, path);
    *d = invnet_dataset_load(path, noisy, 0, &err);
    cr_assert_not_null(*d, "%s", err.msg);
    p.val = 0;
    p.masked = masked != 0; /* 1: the aligned layout (the default), 2: the absolute one */
    p.mask.layout = masked == 2 ? INVNET_MASK_ABSOLUTE : INVNET_MASK_ALIGNED;
    p.version = "test";
    cr_assert_eq(invnet_fit_prepare(path, *d, &p, &f, NULL, &err), FWD_OK, "%s", err.msg);
    return f;
}

/* The loss of the true models (the standardised targets as the net's outputs) is the
 * samples' noise measured in units of itself: a chi-square per datum of 1 (0 on clean
 * data). Its value alone (dy NULL, the validation rows') comes from the exact forward
 * model; with its gradient (the training rows'), from fwd_jacobian_approx: within 1e-5
 * of it (3e-6 measured), and below 1e-6 on clean data (3e-8). */
static void
truth_scores(fwd_method m)
{
    invnet_dataset *d;
    invnet_file *f = prepared(m, 1500, 0.02, 1, 0, &d);
    invnet_misfit *mis = invnet_misfit_alloc(f, 1.0, 1, NULL);
    double *dy = calloc(d->rows * d->n_out, sizeof *dy), loss, approx;

    loss = invnet_misfit_loss(mis, 0, d->rows, d->x, d->t, 1.0 / (double)d->rows, NULL);
    /* 1500 x 20 (MT 40) squared standard normals: 1 +- 0.008 (MT 0.006) */
    cr_assert(fabs(loss - 1) < 0.04, "method %d: chi-square per datum %.4f", (int)m, loss);
    approx = invnet_misfit_loss(mis, 0, d->rows, d->x, d->t, 1.0 / (double)d->rows, dy);
    cr_assert(fabs(approx - loss) < 1e-5 * loss, "method %d: %.10g against %.10g", (int)m, approx,
              loss);
    cr_assert_eq(invnet_misfit_failures(mis), 0);
    invnet_misfit_free(mis);
    invnet_file_free(f);
    invnet_dataset_free(d);

    f = prepared(m, 300, 0.02, 0, 0, &d); /* clean data: the models fit exactly */
    mis = invnet_misfit_alloc(f, 1.0, 1, NULL);
    loss = invnet_misfit_loss(mis, 0, d->rows, d->x, d->t, 1.0 / (double)d->rows, NULL);
    cr_assert(loss < 1e-16, "method %d: clean data misfit %g", (int)m, loss);
    approx = invnet_misfit_loss(mis, 0, d->rows, d->x, d->t, 1.0 / (double)d->rows, dy);
    cr_assert(approx < 1e-6, "method %d: clean data misfit with the gradient %g", (int)m, approx);
    invnet_misfit_free(mis);
    invnet_file_free(f);
    invnet_dataset_free(d);
    free(dy);
}

Test(invnet_misfit, true_models_score_the_noise_schlumberger, .timeout = 60)
{
    truth_scores(FWD_SCHLUMBERGER);
}

Test(invnet_misfit, true_models_score_the_noise_mt, .timeout = 60)
{
    truth_scores(FWD_MT);
}

/* A masked net's loss reads its observed points only: garbage at the others changes
 * nothing, and the same garbage observed does; in either layout. */
static void
reads_observed_only(int layout)
{
    invnet_dataset *d;
    invnet_file *f = prepared(FWD_SCHLUMBERGER, 50, 0.02, 0, layout, &d);
    invnet_misfit *mis = invnet_misfit_alloc(f, 1.0, 1, NULL);
    size_t nf = d->n_in, ni = invnet_net_n_in(f->net), i, k, off = 0, on = 0;
    double *in = malloc(d->rows * ni * sizeof *in), *dy = calloc(d->rows * 5, sizeof *dy), a, b;
    unsigned char obs[TST_NPTS];

    cr_assert_eq(ni, layout == 2 ? 2 * nf : 4 * nf + 1);
    for (k = 0; k < TST_NPTS; k++)
        obs[k] = k >= 5 && k < 14;
    for (i = 0; i < d->rows; i++)
        invnet_mask_input(f->mask.layout, 1, TST_NPTS, d->x + i * nf, obs, in + i * ni);
    /* a value input of a point not observed, and of one observed (by their indicators) */
    while (in[nf + off] > 0.5)
        off++;
    while (!(in[nf + on] > 0.5))
        on++;
    cr_assert(invnet_misfit_loss(mis, 0, d->rows, in, d->t, 1, NULL) < 1e-16);
    a = invnet_misfit_loss(mis, 0, d->rows, in, d->t, 1, dy); /* fwd_jacobian_approx's */
    cr_assert(a < 1e-6 * (double)d->rows, "clean, observed: %g", a);
    for (i = 0; i < d->rows; i++) /* a wrong value where not observed */
        in[i * ni + off] = 7.0;
    b = invnet_misfit_loss(mis, 0, d->rows, in, d->t, 1, dy);
    cr_assert(b == a, "%g against %g", b, a);
    for (i = 0; i < d->rows; i++)
        in[i * ni + on] = 7.0; /* and where observed */
    b = invnet_misfit_loss(mis, 0, d->rows, in, d->t, 1, dy);
    cr_assert(b > 1, "%g", b);
    invnet_misfit_free(mis);
    invnet_file_free(f);
    invnet_dataset_free(d);
    free(dy);
    free(in);
}

Test(invnet_misfit, masked_rows_read_the_observed_points_only, .timeout = 60)
{
    reads_observed_only(1);
    reads_observed_only(2);
}

/* The loss of the net's own outputs on rows (inputs in), and its gradient in the weights
 * into grad when not NULL. */
static double
net_loss(invnet_file *f, invnet_misfit *mis, invnet_work *w, size_t rows, const double *in,
         double *grad)
{
    size_t no = invnet_net_n_out(f->net);
    double *y = malloc(rows * no * sizeof *y), *dy = calloc(rows * no, sizeof *dy), loss;

    cr_assert_eq(invnet_net_forward(f->net, w, rows, in, y), FWD_OK);
    loss = invnet_misfit_loss(mis, 0, rows, in, y, 1.0 / (double)rows, dy);
    if (grad != NULL)
        invnet_net_backward(f->net, w, rows, in, dy, grad);
    free(dy);
    free(y);
    return loss;
}

/* dL/dtheta by backpropagation against central differences, every 7th weight and bias. */
static void
gradient_check(fwd_method m, int masked)
{
    invnet_dataset *d;
    invnet_file *f = prepared(m, 40, 0.03, 1, masked, &d);
    invnet_misfit *mis = invnet_misfit_alloc(f, 1.0, 1, NULL);
    invnet_work *w = invnet_work_alloc(f->net, 8, NULL);
    size_t np = invnet_net_nparams(f->net), nf = d->n_in, ni = invnet_net_n_in(f->net), i, k;
    double *theta = invnet_net_params(f->net), *grad = malloc(np * sizeof *grad), *in;
    double h = 1e-4, lp, lm, fd, worst = 0; /* smaller: rounding of the loss shows */
    unsigned char obs[TST_NPTS];

    in = malloc(8 * ni * sizeof *in);
    for (i = 0; i < 8; i++) {
        if (masked) {
            for (k = 0; k < TST_NPTS; k++)
                obs[k] = (k + i) % 4 != 0 && k > i;
            invnet_mask_input(f->mask.layout, nf / TST_NPTS, TST_NPTS, d->x + i * nf, obs,
                              in + i * ni);
        } else {
            memcpy(in + i * ni, d->x + i * nf, nf * sizeof *in);
        }
    }
    net_loss(f, mis, w, 8, in, grad);
    for (k = 0; k < np; k += 7) {
        double t0 = theta[k];

        theta[k] = t0 + h;
        lp = net_loss(f, mis, w, 8, in, NULL);
        theta[k] = t0 - h;
        lm = net_loss(f, mis, w, 8, in, NULL);
        theta[k] = t0;
        fd = (lp - lm) / (2 * h);
        cr_assert(fabs(grad[k] - fd) <= 1e-5 * (fabs(fd) + 1e-2),
                  "method %d weight %zu: %.9g vs %.9g", (int)m, k, grad[k], fd);
        worst = fmax(worst, fabs(grad[k] - fd));
    }
    cr_assert(worst > 0 || np == 0);
    invnet_work_free(w);
    invnet_misfit_free(mis);
    invnet_file_free(f);
    invnet_dataset_free(d);
    free(in);
    free(grad);
}

Test(invnet_misfit, gradient_through_the_net_schlumberger, .timeout = 60)
{
    gradient_check(FWD_SCHLUMBERGER, 0);
    gradient_check(FWD_SCHLUMBERGER, 1);
    gradient_check(FWD_SCHLUMBERGER, 2);
}

Test(invnet_misfit, gradient_through_the_net_mt, .timeout = 60)
{
    gradient_check(FWD_MT, 0);
    gradient_check(FWD_MT, 1);
    gradient_check(FWD_MT, 2);
}

Test(invnet_misfit, bad_weight_is_refused)
{
    invnet_dataset *d;
    invnet_file *f = prepared(FWD_SCHLUMBERGER, 20, 0.02, 1, 0, &d);
    fwd_error err;

    cr_assert_null(invnet_misfit_alloc(f, -1, 1, &err));
    cr_assert(strstr(err.msg, "data weight") != NULL, "%s", err.msg);
    cr_assert_null(invnet_misfit_alloc(f, NAN, 1, &err));
    invnet_file_free(f);
    invnet_dataset_free(d);
}

/* The stage's settings are checked before any training. */
Test(invnet_misfit, bad_stage_settings_are_refused)
{
    invnet_fit_params p = invnet_fit_default();
    invnet_file *f = NULL;
    char path[256];
    fwd_error err;

    tst_make_samples(dir, "b.h5", 200, 0.02, 0, path);
    p.data_epochs = 2;
    p.param_weight = -1;
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_EINVAL);
    cr_assert(strstr(err.msg, "param_weight") != NULL, "%s", err.msg);
    cr_assert_null(f);
    p.param_weight = 1;
    p.data_lr = INFINITY;
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_EINVAL);
    cr_assert(strstr(err.msg, "data_lr") != NULL, "%s", err.msg);
}

/* The validation data misfit of a net's models, chi-square per datum. */
static double
val_misfit(invnet_file *f, const char *path)
{
    invnet_dataset *d = invnet_dataset_load(path, 1, 0, NULL);

    invnet_misfit *mis = invnet_misfit_alloc(f, 1.0, 1, NULL);
    size_t nv = 300, first = d->rows - nv, i, j, nf = d->n_in, no = d->n_out;
    const double *im = invnet_net_norm_const(f->net, 0), *is = invnet_net_norm_const(f->net, 1);
    invnet_work *w = invnet_work_alloc(f->net, 1, NULL);
    double *z = malloc(nf * sizeof *z), y[5], dy[5], sum = 0;

    for (i = first; i < d->rows; i++) { /* the plain inputs: features standardised */
        for (j = 0; j < nf; j++)
            z[j] = (d->x[i * nf + j] - im[j]) / is[j];
        cr_assert_eq(invnet_net_forward(f->net, w, 1, z, y), FWD_OK);
        sum += invnet_misfit_loss(mis, 0, 1, z, y, 1.0, dy);
    }
    (void)no;
    invnet_work_free(w);
    invnet_misfit_free(mis);
    invnet_dataset_free(d);
    free(z);
    return sum / (double)nv;
}

/* The stage lowers the data misfit, is recorded in the file, and gives the same net for 1
 * and 2 threads. */
Test(invnet_misfit, the_stage_fits_the_data_for_any_thread_count, .timeout = 120)
{
    invnet_fit_params p = invnet_fit_default();
    invnet_file *a = NULL, *b = NULL, *c = NULL;
    char path[256], out[300];
    double before, after;
    fwd_error err;

    tst_make_samples(dir, "s.h5", 3000, 0.02, 0, path);
    p.train.epochs = 30;
    p.version = "test";
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &a, NULL, &err), FWD_OK, "%s", err.msg);
    p.data_epochs = 8;
    p.param_weight = 0.1;
    p.train.nthreads = 1;
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &b, NULL, &err), FWD_OK, "%s", err.msg);
    p.train.nthreads = 2;
    p.train.pace = INVNET_PACE_ALTERNATE; /* 1 and 2 threads in turn */
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &c, NULL, &err), FWD_OK, "%s", err.msg);
    p.train.pace = 1;
    cr_assert(memcmp(invnet_net_params(b->net), invnet_net_params(c->net),
                     invnet_net_nparams(b->net) * sizeof(double)) == 0,
              "1 and 2 threads: different nets");
    before = val_misfit(a, path);
    after = val_misfit(b, path);
    cr_assert(after < 0.5 * before, "validation chi-square per datum %.2f -> %.2f", before, after);
    cr_assert_eq(b->n_epochs, 38);
    cr_assert_eq(b->data_first_epoch, 31);
    cr_assert(b->best_epoch >= 31, "best epoch %zu", b->best_epoch);
    /* recorded, and read back */
    snprintf(out, sizeof out, "%s/net.h5", dir);
    cr_assert_eq(invnet_file_save(out, b, 0, &err), FWD_OK, "%s", err.msg);
    invnet_file_free(c);
    c = invnet_file_load(out, &err);
    cr_assert_not_null(c, "%s", err.msg);
    cr_assert_eq(c->data_epochs, 8);
    cr_assert_eq(c->data_first_epoch, 31);
    cr_assert_eq(c->param_weight, 0.1);
    cr_assert_eq(c->data_lr, 1e-3);
    cr_assert_eq(a->data_epochs, 0);
    invnet_file_free(a);
    invnet_file_free(b);
    invnet_file_free(c);
}

/* Loads the net at path expecting an error that mentions what. */
static void
expect_refused(const char *path, const char *what)
{
    fwd_error err;
    invnet_file *f = invnet_file_load(path, &err);

    cr_expect_null(f, "%s: loaded", what);
    cr_expect(strstr(err.msg, what) != NULL, "expected \"%s\" in: %s", what, err.msg);
    invnet_file_free(f);
}

/* A data stage on a plateau halves its rate after every flat epoch (patience 2), 3 times:
 * the file records the epochs that ran first at each halved rate, reads them back, and
 * refuses them damaged; a file without them (written before they were) loads. */
Test(invnet_misfit, the_file_records_where_the_stage_halved_its_rate, .timeout = 120)
{
    invnet_fit_params p = invnet_fit_default();
    invnet_file *a = NULL, *b;
    char path[256], out[300];
    double at[3], bad[3];
    size_t k, first;
    fwd_error err;

    tst_make_samples(dir, "h.h5", 600, 0.02, 0, path);
    p.train.epochs = 3;
    p.train.patience = 2;
    p.train.nthreads = 1;
    p.data_epochs = 20;
    p.data_lr = 1e-12; /* no step lowers the loss: a plateau from the stage's first epoch */
    p.version = "test";
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &a, NULL, &err), FWD_OK, "%s", err.msg);
    first = a->data_first_epoch;
    cr_assert_eq(a->n_data_halved, 3);
    for (k = 0; k < 3; k++) /* its first epoch is its best; each later one is flat */
        cr_expect_eq(a->data_halved_at[k], first + 2 + k, "halving %zu at epoch %zu, not %zu", k,
                     a->data_halved_at[k], first + 2 + k);
    cr_expect_eq(a->n_epochs, first + 5, "stopped after epoch %zu", a->n_epochs);
    snprintf(out, sizeof out, "%s/halved.h5", dir);
    cr_assert_eq(invnet_file_save(out, a, 0, &err), FWD_OK, "%s", err.msg);
    b = invnet_file_load(out, &err);
    cr_assert_not_null(b, "%s", err.msg);
    cr_assert_eq(b->n_data_halved, 3);
    for (k = 0; k < 3; k++)
        cr_expect_eq(b->data_halved_at[k], a->data_halved_at[k]);
    invnet_file_free(b);
    for (k = 0; k < 3; k++)
        at[k] = (double)a->data_halved_at[k];
    /* damaged: too many, out of order, not whole, before the stage, past the history, a
     * count that does not match the epochs */
    bad[0] = 4;
    tst_set_attr(out, "data_halvings", 1, bad, 1);
    expect_refused(out, "data_halvings: expected 0 to 3, got 4");
    bad[0] = 3;
    tst_set_attr(out, "data_halvings", 1, bad, 1);
    memcpy(bad, at, sizeof at);
    bad[2] = bad[1];
    tst_set_attr(out, "data_halved_at", 3, bad, 0);
    expect_refused(out, "data_halved_at[2]");
    memcpy(bad, at, sizeof at);
    bad[0] += 0.5;
    tst_set_attr(out, "data_halved_at", 3, bad, 0);
    expect_refused(out, "data_halved_at[0]");
    memcpy(bad, at, sizeof at);
    bad[0] = (double)first;
    tst_set_attr(out, "data_halved_at", 3, bad, 0);
    expect_refused(out, "data_halved_at[0]");
    memcpy(bad, at, sizeof at);
    bad[2] = (double)a->n_epochs + 1;
    tst_set_attr(out, "data_halved_at", 3, bad, 0);
    expect_refused(out, "data_halved_at[2]");
    tst_set_attr(out, "data_halved_at", 2, at, 0);
    expect_refused(out, "data_halved_at");
    /* a file from before the record: no halvings known */
    tst_set_attr(out, "data_halved_at", 0, NULL, 0);
    tst_set_attr(out, "data_halvings", 0, NULL, 0);
    b = invnet_file_load(out, &err);
    cr_assert_not_null(b, "%s", err.msg);
    cr_expect_eq(b->n_data_halved, 0);
    cr_expect_eq(b->data_first_epoch, first);
    invnet_file_free(b);
    invnet_file_free(a);
}
