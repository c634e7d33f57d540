/* SPDX-License-Identifier: MIT */
/*
 * test_file.c - training on a real samples file, the net file's round trip, and bad files.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/common.h"
#include <hdf5.h>

#include "forward/fwd_model.h"
#include "invnet/invnet_data.h"
#include "invnet/invnet_file.h"
#include "invnet/invnet_train.h"
#include "samples/smp_file.h"
#include "samples/smp_gen.h"
#include "samples/smp_h5.h"
#include "tests/invnet/helpers.h"

static char dir[64];

static void
setup(void)
{
    tst_mkdtemp(dir, sizeof dir, "invnet");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void
teardown(void)
{
    tst_rmtree(dir);
}

TestSuite(invnet_file, .init = setup, .fini = teardown);

/*
 * 50,000 noise-free 3-layer soundings, 30 epochs. A parameter drawn log-uniformly over a
 * range of W decades has a standard deviation of W / sqrt(12): 0.87 for rho (3 decades),
 * 0.49 for h (1.7 decades); predicting the prior mean scores that. The first layer and the
 * basement are seen directly by the short and long spacings: we ask for 0.1 and 0.25 of
 * their sd. The first thickness is resolved where the curve bends: 0.7 of its sd. The
 * middle layer suffers from equivalence (only h2/rho2 or h2 rho2 is resolved when it is
 * thin) and is invisible under a thick first layer, so only a gain over the prior is asked:
 * 0.9 and 0.95 of the sd. Measured with seed 42: 0.015, 0.615, 0.095, 0.271, 0.438 (Huber's
 * loss, the default; with the squared error 0.034, 0.61, 0.096, 0.25, 0.43).
 */
Test(invnet_file, learns_a_real_samples_file, .timeout = 300)
{
    static const double limit[5] = {0.087, 0.78, 0.22, 0.34, 0.465};
    static const char *name[5] = {"rho1", "rho2", "rho3", "h1", "h2"};
    char path[128];
    invnet_file *a, *b;
    size_t j;

    tst_make_samples(dir, "s.h5", 50000, 0, 0, path);
    a = tst_train(path, 30, 2, 0.1, 0);
    for (j = 0; j < 5; j++) {
        cr_log_info("validation RMSE %s: %.3f log10 (limit %.3f)", name[j], a->val_rmse[j],
                    limit[j]);
        cr_expect_lt(a->val_rmse[j], limit[j], "%s: RMSE %.3f", name[j], a->val_rmse[j]);
    }
    b = tst_train(path, 30, 1, 0.1, 0);
    cr_expect_eq(memcmp(invnet_net_params(a->net), invnet_net_params(b->net),
                        invnet_net_nparams(a->net) * sizeof(double)),
                 0, "same seed, different nets");
    invnet_file_free(a);
    invnet_file_free(b);
}

Test(invnet_file, saved_net_predicts_bit_identically)
{
    char path[128], net[160];
    invnet_file *a, *b;
    invnet_work *wa, *wb;
    double x[64 * 20], ya[64 * 5], yb[64 * 5];
    size_t i;
    fwd_error err;

    tst_make_samples(dir, "s.h5", 3000, 0.03, 0, path);
    a = tst_train(path, 3, 1, 0.2, 0);
    sprintf(net, "%s/net.h5", dir);
    cr_assert_eq(invnet_file_save(net, a, 0, &err), FWD_OK, "%s", err.msg);
    b = invnet_file_load(net, &err);
    cr_assert_not_null(b, "%s", err.msg);
    for (i = 0; i < 64 * 20; i++)
        x[i] = 1 + 2 * sin((double)i); /* log10 rho_a in -1..3 */
    wa = invnet_work_alloc(a->net, 16, NULL);
    wb = invnet_work_alloc(b->net, 16, NULL);
    cr_assert_eq(invnet_net_predict(a->net, wa, 64, x, ya, NULL), FWD_OK);
    cr_assert_eq(invnet_net_predict(b->net, wb, 64, x, yb, NULL), FWD_OK);
    cr_expect_eq(memcmp(ya, yb, sizeof ya), 0, "loaded net predicts differently");
    cr_expect_eq(b->samples.method, FWD_SCHLUMBERGER);
    cr_expect_eq(fwd_geom_size(b->geom), 20);
    cr_expect_eq(b->samples.prior.rho_max[2], 1000);
    cr_expect_eq(b->n_epochs, 3);
    cr_expect_eq(b->env->n_pc, a->env->n_pc);
    cr_expect_eq(memcmp(b->env->pc, a->env->pc, a->env->n_pc * 20 * sizeof(double)), 0);
    cr_expect_eq(b->env->d2_q999, a->env->d2_q999);
    cr_expect_eq(b->val_rmse[1], a->val_rmse[1]);
    cr_expect_eq(b->train.lr, invnet_train_lr(&a->train));
    cr_expect_eq(b->train.huber, 0.1, "the loss's threshold: %g", b->train.huber);
    /* no temporary file left next to it */
    sprintf(net, "%s/net.h5.tmp.%ld", dir, (long)getpid());
    cr_expect_neq(access(net, F_OK), 0);
    invnet_work_free(wa);
    invnet_work_free(wb);
    invnet_file_free(a);
    invnet_file_free(b);
}

/* The training envelope: every training row within min/max, distance quantiles ordered,
 * and a sounding far from the set (rho_a x 1000 everywhere) far beyond them. */
Test(invnet_file, envelope_describes_the_training_set)
{
    char path[128];
    invnet_dataset *d;
    invnet_envelope *e;
    double far[20], high[20], d2;
    size_t j;

    tst_make_samples(dir, "s.h5", 5000, 0.03, 0, path);
    d = invnet_dataset_load(path, 1, 0, NULL);
    e = invnet_envelope_alloc(d->n_in);
    cr_assert_eq(invnet_envelope_compute(e, d->rows, d->x, 1e-10, 100000, NULL), FWD_OK);
    cr_expect_eq(e->n_pc, 20, "noisy data have a full-rank covariance");
    cr_expect_gt(e->d2_q999, e->d2_q99);
    /* squared distances average the number of components over the set they came from */
    cr_expect_gt(e->d2_q99, 20);
    for (j = 0; j < 20; j++) {
        cr_expect_leq(e->min[j], d->x[j]);
        cr_expect_geq(e->max[j], d->x[j]);
        far[j] = d->x[j] + (j % 2 ? 0.3 : -0.3); /* a zigzag no layered earth makes */
        high[j] = d->x[j] + 3;                   /* rho_a x 1000 */
    }
    d2 = invnet_envelope_d2(e, far);
    cr_expect_gt(d2, 10 * e->d2_q999, "d2 %g", d2);
    for (j = 0; j < 20 && high[j] <= e->max[j]; j++)
        continue;
    cr_expect_lt(j, 20, "rho_a x 1000 lies inside the per-feature envelope");
    invnet_envelope_free(e);
    invnet_dataset_free(d);
}

Test(invnet_file, interrupted_samples_file_trains_on_complete_rows)
{
    char path[128];
    invnet_dataset *d;

    tst_make_samples(dir, "s.h5", 3000, 0.03, 1000, path); /* 2000 of 3000 complete */
    d = invnet_dataset_load(path, 1, 0, NULL);
    cr_assert_not_null(d);
    cr_expect_eq(d->rows, 2000);
    invnet_dataset_free(d);
    d = invnet_dataset_load(path, 1, 500, NULL);
    cr_expect_eq(d->rows, 500);
    invnet_dataset_free(d);
}

static void expect_load_error(const char *path, int samples, const char *fragment);

/* The training settings of the net file at path, loaded (which must succeed). */
static invnet_train_params
reloaded(const char *path)
{
    invnet_file *f = invnet_file_load(path, NULL);
    invnet_train_params p;

    cr_assert_not_null(f, "%s does not load", path);
    p = f->train;
    invnet_file_free(f);
    return p;
}

/* The loss a net was trained with: saved and loaded; files from before it (no attribute)
 * were trained on the squared error; a damaged value is refused. */
Test(invnet_file, the_loss_is_recorded)
{
    static const double bad[] = {-0.5, NAN, 1000};
    char path[128], net[160];
    invnet_file *a, *b;
    double zero = 0;
    size_t k;

    tst_make_samples(dir, "s.h5", 2000, 0.03, 0, path);
    a = tst_train(path, 2, 1, 0.1, 0);
    a->train.huber = 0.25;
    sprintf(net, "%s/net.h5", dir);
    cr_assert_eq(invnet_file_save(net, a, 0, NULL), FWD_OK);
    b = invnet_file_load(net, NULL);
    cr_assert_not_null(b);
    cr_expect_eq(b->train.huber, 0.25);
    invnet_file_free(b);
    tst_set_attr(net, "huber", 1, &zero, 0);
    cr_expect_eq(reloaded(net).huber, 0);
    tst_set_attr(net, "huber", 0, NULL, 0);
    cr_expect_eq(reloaded(net).huber, 0, "a file from before the attribute");
    /* the weights' averaging likewise: recorded, none in files from before it, checked */
    cr_expect_eq(a->train.average, 0.999);
    a->train.average = 0.99;
    cr_assert_eq(invnet_file_save(net, a, 1, NULL), FWD_OK);
    cr_expect_eq(reloaded(net).average, 0.99);
    tst_set_attr(net, "average", 0, NULL, 0);
    cr_expect_eq(reloaded(net).average, 0, "a file from before the averaging");
    tst_set_attr(net, "average", 1, bad + 1, 0);
    expect_load_error(net, 0, "average: expected 0 to");
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char want[64];

        tst_set_attr(net, "huber", 1, bad + k, 0);
        snprintf(want, sizeof want, "huber: expected 0 to 100, got %g", bad[k]);
        expect_load_error(net, 0, want);
    }
    invnet_file_free(a);
}

/* invnet_file_late_fall() over the last k epochs of f, which it must say it measured over
 * `used` epochs. */
static double
late_fall(const invnet_file *f, size_t k, size_t used)
{
    double fall = invnet_file_late_fall(f, &k);

    cr_expect_eq(k, used, "the fall over %zu epochs, expected %zu", k, used);
    return fall;
}

/* The fall of the loss over the last epochs (the hint of bpinv train), on histories made by
 * hand: the best loss before the last k epochs against the best of all. */
Test(invnet_file, the_late_fall_is_that_of_the_best_loss)
{
    double loss[] = {4, 2, 3, 1.9, 1.8, 1.98, 1.7, 1.5, 1.6, 1.6};
    invnet_file f;

    memset(&f, 0, sizeof f);
    f.val_loss = loss;
    f.n_epochs = 5;
    /* the best before the last 2 epochs is 2, then 1.8 */
    cr_expect_float_eq(late_fall(&f, 2, 2), 1 - 1.8 / 2, 1e-15);
    cr_expect_float_eq(late_fall(&f, 1, 1), 1 - 1.8 / 1.9, 1e-15);
    /* k cut to the epochs but one: from the first epoch's 4 */
    cr_expect_float_eq(late_fall(&f, 4, 4), 1 - 1.8 / 4, 1e-15);
    cr_expect_float_eq(late_fall(&f, 100, 4), 1 - 1.8 / 4, 1e-15);
    cr_expect_eq(late_fall(&f, 0, 0), 0);
    /* a loss that rose at the end did not fall */
    f.n_epochs = 6;
    cr_expect_eq(late_fall(&f, 1, 1), 0);
    /* the data stage (epochs 7-10) alone: from its first epoch's 1.7 to 1.5 */
    f.n_epochs = 10;
    f.data_epochs = 50;
    f.data_first_epoch = 7;
    cr_expect_float_eq(late_fall(&f, 20, 3), 1 - 1.5 / 1.7, 1e-15);
    cr_expect_eq(late_fall(&f, 2, 2), 0, "no lower over the last two");
    f.data_first_epoch = 10; /* one epoch of it */
    cr_expect_eq(late_fall(&f, 20, 0), 0);
    f.data_first_epoch = 11; /* none */
    cr_expect_eq(late_fall(&f, 20, 0), 0);
    /* a NaN is passed over: epochs 2-4 without the third */
    f.data_epochs = f.data_first_epoch = 0;
    loss[2] = NAN;
    f.n_epochs = 5;
    cr_expect_float_eq(late_fall(&f, 2, 2), 1 - 1.8 / 2, 1e-15);
    /* losses that are not positive give no fall: before the window, or in it */
    loss[0] = 0;
    f.n_epochs = 2;
    cr_expect_eq(late_fall(&f, 1, 1), 0);
    loss[0] = 2.385;
    loss[1] = 0;
    cr_expect_eq(late_fall(&f, 1, 1), 0);
    f.val_loss = NULL;
    cr_expect_eq(late_fall(&f, 1, 0), 0);
}

static void
expect_load_error(const char *path, int samples, const char *fragment)
{
    fwd_error err;

    memset(&err, 0, sizeof err);
    if (samples)
        cr_expect_null(invnet_dataset_load(path, 1, 0, &err));
    else
        cr_expect_null(invnet_file_load(path, &err));
    cr_expect(strstr(err.msg, fragment) != NULL, "expected \"%s\" in \"%s\"", fragment, err.msg);
    cr_expect(strstr(err.msg, path) != NULL, "message does not name %s: %s", path, err.msg);
}

Test(invnet_file, bad_files_get_clear_errors)
{
    char s[128], net[160], text[160], trunc[160], cmd[512], zero[128];
    invnet_file *a;
    fwd_geom *g10;
    hid_t fid;
    double x10[10];
    size_t i;
    FILE *fp;

    tst_make_samples(dir, "s.h5", 2000, 0.03, 0, s);
    tst_make_samples(dir, "zero.h5", 100, 0.03, 100, zero);
    sprintf(net, "%s/net.h5", dir);
    sprintf(text, "%s/text.h5", dir);
    sprintf(trunc, "%s/trunc.h5", dir);
    fp = fopen(text, "w");
    fputs("ab2,rho_a\n1,100\n", fp);
    fclose(fp);
    a = tst_train(s, 2, 1, 0.1, 0);
    cr_assert_eq(invnet_file_save(net, a, 0, NULL), FWD_OK);
    /* never overwritten without asking */
    cr_expect_eq(invnet_file_save(net, a, 0, NULL), FWD_EEXIST);
    snprintf(cmd, sizeof cmd, "head -c 3000 %s > %s", net, trunc);
    cr_assert_eq(system(cmd), 0);

    expect_load_error(text, 1, "not an HDF5 file");
    expect_load_error(net, 1, "format");      /* a net given as samples */
    expect_load_error(zero, 1, "n_complete"); /* nothing complete */
    expect_load_error("/nonexistent/s.h5", 1, "/nonexistent/s.h5");
    expect_load_error(s, 0, "a samples file");
    expect_load_error(text, 0, "not an HDF5 file");
    expect_load_error(trunc, 0, trunc);

    /* a net whose geometry was replaced by one of 10 points: its weights no longer fit */
    for (i = 0; i < 10; i++)
        x10[i] = pow(10, (double)i / 3);
    g10 = fwd_geom_alloc(FWD_SCHLUMBERGER, 10, x10, NULL, NULL);
    cr_expect_eq(
        invnet_file_save(
            trunc, &(invnet_file){.net = a->net, .geom = g10, .env = a->env, .samples = a->samples},
            1, NULL),
        FWD_EINVAL, "saving a net that does not fit its geometry");
    fid = H5Fopen(net, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(fid, 0);
    cr_assert_geq(H5Ldelete(fid, "geometry", H5P_DEFAULT), 0);
    cr_assert_eq(smp_h5_write_geometry(fid, net, g10, NULL), FWD_OK);
    H5Fclose(fid);
    expect_load_error(net, 0, "another geometry");
    fwd_geom_free(g10);
    /* the save of a file into a missing directory fails, leaving nothing */
    cr_expect_eq(invnet_file_save("/nonexistent/dir/net.h5", a, 0, NULL), FWD_EIO);
    invnet_file_free(a);
}
