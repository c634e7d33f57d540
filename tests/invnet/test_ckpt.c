/* SPDX-License-Identifier: MIT */
/*
 * test_ckpt.c - training checkpoints: a training stopped anywhere (at an epoch's end, in the
 * middle of one, in either stage, in a masked net) and resumed from its checkpoint file makes
 * the net of the uninterrupted training, bit for bit; other settings or rows are refused, and
 * so is every damaged checkpoint.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <hdf5.h>

#include "invnet/invnet_ckpt.h"
#include "invnet/invnet_fit.h"
#include "samples/smp_h5.h"
#include "tests/common.h"
#include "tests/invnet/helpers.h"

static char dir[64];

static void
setup(void)
{
    tst_mkdtemp(dir, sizeof dir, "ckpt");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void
teardown(void)
{
    tst_rmtree(dir);
}

TestSuite(invnet_ckpt, .init = setup, .fini = teardown);

/* A small net, a rate that keeps the validation loss moving, 8 steps an epoch. */
static invnet_fit_params
small_params(void)
{
    invnet_fit_params p = invnet_fit_default();

    p.hidden[0] = 16;
    p.n_hidden = 1;
    p.val = 0.1;
    p.train.epochs = 10;
    p.train.batch = 64;
    p.train.lr = 0.01;
    p.train.patience = 0;
    p.train.seed = 11;
    p.train.nthreads = 2;
    p.version = "9.8.7";
    return p;
}

/* The run's checkpoints, saved to path at every call; a stop asked after epoch stop_at:
 * at its end, or (mid) in the middle of the next epoch, through the stop flag. */
struct run {
    char path[256];
    size_t saves, stops, stop_at;
    int mid;
    volatile sig_atomic_t flag;
    size_t last_epoch; /* the checkpoint's last epoch */
};

static void
save_ckpt(void *ud, const invnet_ckpt *c, int stopped)
{
    struct run *r = ud;
    fwd_error err;

    cr_assert_eq(invnet_ckpt_save(r->path, c, &err), FWD_OK, "%s", err.msg);
    r->saves++;
    r->stops += stopped != 0;
    r->last_epoch = c->state->epoch;
}

static int
stop_at(const invnet_fit_info *info, const invnet_epoch *e, void *ud)
{
    struct run *r = ud;

    (void)info;
    if (e == NULL || e->epoch != r->stop_at)
        return 0;
    if (r->mid) {
        r->flag = 1; /* the next epoch stops after its first step */
        return 0;
    }
    return 1;
}

/* Stops before the first epoch. */
static int
stop_first(const invnet_fit_info *info, const invnet_epoch *e, void *ud)
{
    (void)info;
    (void)ud;
    return e == NULL;
}

/* Bit for bit: the weights, the history, the outcome. */
static void
expect_same(const invnet_file *a, const invnet_file *b, const char *what)
{
    size_t np = invnet_net_nparams(a->net);

    cr_assert_eq(np, invnet_net_nparams(b->net), "%s", what);
    cr_expect_eq(memcmp(invnet_net_params_const(a->net), invnet_net_params_const(b->net),
                        np * sizeof(double)),
                 0, "%s: different weights", what);
    cr_assert_eq(a->n_epochs, b->n_epochs, "%s: %zu and %zu epochs", what, a->n_epochs,
                 b->n_epochs);
    cr_expect_eq(memcmp(a->train_loss, b->train_loss, a->n_epochs * sizeof(double)), 0,
                 "%s: different training losses", what);
    cr_expect_eq(memcmp(a->val_loss, b->val_loss, a->n_epochs * sizeof(double)), 0,
                 "%s: different validation losses", what);
    cr_expect_eq(a->best_epoch, b->best_epoch, "%s: best epochs %zu and %zu", what, a->best_epoch,
                 b->best_epoch);
    cr_expect_eq(a->data_epochs, b->data_epochs, "%s", what);
    cr_expect_eq(a->data_first_epoch, b->data_first_epoch, "%s", what);
    cr_expect_eq(a->n_data_halved, b->n_data_halved, "%s", what);
    cr_expect_eq(memcmp(a->val_rmse, b->val_rmse, invnet_net_n_out(a->net) * sizeof(double)), 0,
                 "%s: different validation RMSE", what);
}

/*
 * Trains with p to the end (the reference), then for each stop in stops (an epoch; negative:
 * in the middle of the epoch after): stopped there, its checkpoint read back, resumed to the
 * end: the reference net each time.
 */
static void
expect_resumes(const char *samples, invnet_fit_params p, const long *stops, size_t n,
               size_t expect_epochs)
{
    invnet_file *ref = NULL, *a = NULL, *b = NULL;
    invnet_fit_info info;
    invnet_ckpt *c;
    struct run r;
    fwd_error err;
    char what[64];
    size_t k;

    cr_assert_eq(invnet_fit(samples, &p, NULL, NULL, &ref, NULL, &err), FWD_OK, "%s", err.msg);
    cr_assert_eq(ref->n_epochs, expect_epochs, "the reference ran %zu epochs", ref->n_epochs);
    for (k = 0; k < n; k++) {
        invnet_fit_params q = p;

        memset(&r, 0, sizeof r);
        snprintf(r.path, sizeof r.path, "%s/net.h5.ckpt", dir);
        r.stop_at = (size_t)labs(stops[k]);
        r.mid = stops[k] < 0;
        snprintf(what, sizeof what, "stopped %s epoch %zu", r.mid ? "after" : "at", r.stop_at);
        q.checkpoint = save_ckpt;
        q.checkpoint_ud = &r;
        q.stop = &r.flag;
        cr_assert_eq(invnet_fit(samples, &q, stop_at, &r, &a, &info, &err), FWD_OK, "%s: %s", what,
                     err.msg);
        cr_assert_eq(info.stopped, 1, "%s: not stopped", what);
        cr_assert_eq(r.stops, 1, "%s: %zu checkpoints on the stop", what, r.stops);
        cr_assert_eq(r.last_epoch, r.stop_at, "%s: the checkpoint is of epoch %zu", what,
                     r.last_epoch);
        cr_assert_eq(r.saves, r.stop_at + 1, "%s: %zu checkpoints", what, r.saves);
        invnet_file_free(a);
        c = invnet_ckpt_load(r.path, &err);
        cr_assert_not_null(c, "%s: %s", what, err.msg);
        q = p;
        q.resume = c;
        cr_assert_eq(invnet_fit(samples, &q, NULL, NULL, &b, &info, &err), FWD_OK, "%s: %s", what,
                     err.msg);
        cr_expect(b->train_seconds >= c->seconds, "%s: the time before is not counted", what);
        expect_same(ref, b, what);
        invnet_ckpt_free(c);
        invnet_file_free(b);
    }
    invnet_file_free(ref);
}

Test(invnet_ckpt, a_resumed_training_is_the_uninterrupted_one, .timeout = 120)
{
    invnet_fit_params p = small_params();
    const long stops[] = {1, 4, -4, 9, -9};
    char path[256];

    tst_make_samples(dir, "s.h5", 600, 0.03, 0, path);
    expect_resumes(path, p, stops, sizeof stops / sizeof stops[0], 10);
    /* SGD's velocity, no average, early stopping's count carried over */
    p.train.opt = INVNET_SGD;
    p.train.lr = 0.05;
    p.train.average = 0;
    p.train.patience = 2;
    p.train.epochs = 60;
    {
        invnet_file *ref = NULL;
        fwd_error err;
        long at[2];

        cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &ref, NULL, &err), FWD_OK, "%s", err.msg);
        cr_assert(ref->n_epochs < 60 && ref->n_epochs > 3, "patience: %zu epochs", ref->n_epochs);
        at[0] = (long)ref->n_epochs - 1; /* within the patience that ends it */
        at[1] = -(long)ref->n_epochs + 2;
        expect_resumes(path, p, at, 2, ref->n_epochs);
        invnet_file_free(ref);
    }
}

/* A masked net with a data stage: stops in the first stage, at its last epoch, in the data
 * stage before its rate's first halving takes effect, between halvings and after the last
 * (patience 2), each resumed to the same net. */
Test(invnet_ckpt, a_data_stage_and_masks_resume_alike, .timeout = 240)
{
    invnet_fit_params p = small_params();
    const long stops[] = {3, 6, -6, 11, -12, 14, 16, -17};
    invnet_file *ref = NULL;
    fwd_error err;
    char path[256];

    tst_make_samples(dir, "m.h5", 500, 0.03, 0, path);
    p.masked = 1;
    p.mask.min_span = 1;
    p.train.epochs = 6;
    p.data_epochs = 30;
    p.data_lr = 0.1;
    p.param_weight = 0.1;
    p.train.patience = 2;
    /* the stage's rate halved after epochs 11, 13 and 14; it stops at 19 */
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &ref, NULL, &err), FWD_OK, "%s", err.msg);
    cr_assert_eq(ref->n_data_halved, 3);
    cr_assert_eq(ref->data_halved_at[0], 12);
    cr_assert_eq(ref->data_halved_at[2], 15);
    invnet_file_free(ref);
    expect_resumes(path, p, stops, sizeof stops / sizeof stops[0], 19);
    /* resumed in the data stage and stopped before its next epoch: the stage's best so far */
    {
        struct run r;
        invnet_fit_params q = p;
        invnet_ckpt *c;
        invnet_fit_info info;

        memset(&r, 0, sizeof r);
        snprintf(r.path, sizeof r.path, "%s/d.ckpt", dir);
        r.stop_at = 9;
        q.checkpoint = save_ckpt;
        q.checkpoint_ud = &r;
        cr_assert_eq(invnet_fit(path, &q, stop_at, &r, &ref, NULL, &err), FWD_OK, "%s", err.msg);
        invnet_file_free(ref);
        c = invnet_ckpt_load(r.path, &err);
        cr_assert_not_null(c, "%s", err.msg);
        cr_assert_eq(c->stage, 2);
        q = p;
        q.resume = c;
        r.stop_at = 0; /* at once */
        cr_assert_eq(invnet_fit(path, &q, stop_first, NULL, &ref, &info, &err), FWD_OK, "%s",
                     err.msg);
        cr_assert_eq(info.stopped, 1);
        cr_expect_eq(ref->n_epochs, 9);
        cr_expect_eq(
            memcmp(invnet_net_params(ref->net), c->state->best, c->state->np * sizeof(double)), 0,
            "stopped at once in the data stage: not its best weights");
        invnet_file_free(ref);
        invnet_ckpt_free(c);
    }
}

/* Stops at epoch 2 and returns the checkpoint read back. */
static invnet_ckpt *
checkpoint_of(const char *samples, invnet_fit_params p, char *ckpt, size_t cap)
{
    invnet_file *a = NULL;
    struct run r;
    invnet_ckpt *c;
    fwd_error err;

    memset(&r, 0, sizeof r);
    snprintf(r.path, sizeof r.path, "%s/c.h5.ckpt", dir);
    snprintf(ckpt, cap, "%s", r.path);
    r.stop_at = 2;
    p.checkpoint = save_ckpt;
    p.checkpoint_ud = &r;
    cr_assert_eq(invnet_fit(samples, &p, stop_at, &r, &a, NULL, &err), FWD_OK, "%s", err.msg);
    invnet_file_free(a);
    c = invnet_ckpt_load(r.path, &err);
    cr_assert_not_null(c, "%s", err.msg);
    return c;
}

/* Resumes c with p, expecting an error naming field and holding both texts. */
static void
expect_refused(const char *samples, invnet_fit_params p, const invnet_ckpt *c, const char *field,
               const char *text1, const char *text2)
{
    invnet_file *b = NULL;
    fwd_error err;

    p.resume = c;
    p.resume_name = "x.ckpt";
    cr_expect_eq(invnet_fit(samples, &p, NULL, NULL, &b, NULL, &err), FWD_EINVAL, "%s: resumed",
                 text1);
    cr_expect_null(b);
    cr_expect_str_eq(err.field, field);
    cr_expect(strstr(err.msg, text1) != NULL && strstr(err.msg, text2) != NULL &&
                  strncmp(err.msg, "x.ckpt: ", 8) == 0,
              "expected x.ckpt, \"%s\" and \"%s\" in: %s", text1, text2, err.msg);
    invnet_file_free(b);
}

Test(invnet_ckpt, other_settings_or_rows_are_refused, .timeout = 120)
{
    invnet_fit_params p = small_params(), q;
    char path[256], other[256], ck[256];
    invnet_ckpt *c;

    tst_make_samples(dir, "s.h5", 600, 0.03, 0, path);
    tst_make_samples(dir, "t.h5", 600, 0.05, 0, other); /* other noise: other rows */
    c = checkpoint_of(path, p, ck, sizeof ck);
    q = p;
    q.train.epochs = 11;
    expect_refused(path, q, c, "epochs", "had epochs 10;", "has epochs 11:");
    q = p;
    q.train.lr = 0.02;
    expect_refused(path, q, c, "learning_rate", "had learning_rate 0.01;",
                   "has learning_rate 0.02:");
    q = p;
    q.hidden[0] = 17;
    expect_refused(path, q, c, "hidden", "had hidden 16;", "has hidden 17:");
    q = p;
    q.max_samples = 500;
    expect_refused(path, q, c, "rows", "had rows 600;", "has rows 500:");
    expect_refused(other, p, c, "samples", "t.h5 holds other rows", "s.h5");
    /* what the run saved when stopped: its net, not one of another seed or rate */
    {
        invnet_set set = {0};
        fwd_error err;
        size_t k;

        for (k = 0; k < 3; k++) {
            q = p;
            q.train.seed = k == 1 ? 12 : p.train.seed;
            q.train.lr = k == 2 ? 0.02 : p.train.lr;
            cr_assert_eq(invnet_fit(path, &q, NULL, NULL, &set.net[0], NULL, &err), FWD_OK, "%s",
                         err.msg);
            set.n = 1;
            cr_expect_eq(invnet_ckpt_saved(c, &set), k == 0, "net %zu", k);
            invnet_file_free(set.net[0]);
        }
    }
    /* the threads are not a setting */
    {
        invnet_file *b = NULL;
        fwd_error err;

        q = p;
        q.train.nthreads = 1;
        q.resume = c;
        cr_expect_eq(invnet_fit(path, &q, NULL, NULL, &b, NULL, &err), FWD_OK, "%s", err.msg);
        invnet_file_free(b);
    }
    /* a checkpoint whose settings say fewer epochs than its history holds (a crafted file:
     * the history's room is the settings') */
    q = p;
    q.train.epochs = 1;
    invnet_fit_settings(&q, 600, c->settings, sizeof c->settings);
    expect_refused(path, q, c, "settings", "2 epochs run of at most 10", "the file is damaged");
    invnet_ckpt_free(c);
}

/* Writes attribute name of group grp (NULL: the root) of the file at path: one u64 (u64) or
 * one double. */
static void
set_attr(const char *path, const char *grp, const char *name, double v, int u64)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT), g;

    cr_assert_geq(f, 0, "%s: cannot open", path);
    g = grp != NULL ? H5Gopen2(f, grp, H5P_DEFAULT) : f;
    cr_assert_geq(g, 0, "%s: no %s", path, grp);
    if (H5Aexists(g, name) > 0)
        cr_assert_geq(H5Adelete(g, name), 0);
    cr_assert_eq(u64 ? smp_h5_write_u64(g, name, (uint64_t)v, NULL)
                     : smp_h5_write_f64(g, name, 1, &v, NULL),
                 FWD_OK);
    if (grp != NULL)
        H5Gclose(g);
    H5Fclose(f);
}

/* Copies the file at from to to. */
static void
copy(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[65536];
    size_t n;

    cr_assert(a != NULL && b != NULL);
    while ((n = fread(buf, 1, sizeof buf, a)) > 0)
        cr_assert_eq(fwrite(buf, 1, n, b), n);
    fclose(a);
    cr_assert_eq(fclose(b), 0);
}

/* Loads path expecting an error holding text. */
static void
expect_bad(const char *path, const char *text)
{
    fwd_error err;
    invnet_ckpt *c = invnet_ckpt_load(path, &err);

    cr_expect_null(c, "%s: loaded", text);
    cr_expect(strstr(err.msg, text) != NULL, "expected \"%s\" in: %s", text, err.msg);
    invnet_ckpt_free(c);
}

Test(invnet_ckpt, damaged_checkpoints_are_refused, .timeout = 120)
{
    invnet_fit_params p = small_params();
    char path[256], ck[256], bad[300], net[300];
    invnet_ckpt *c;
    invnet_file *f = NULL;
    fwd_error err;
    FILE *fp;
    long size;
    int k;

    tst_make_samples(dir, "s.h5", 600, 0.03, 0, path);
    c = checkpoint_of(path, p, ck, sizeof ck);
    /* read back as written */
    cr_expect_eq(c->stage, 1);
    cr_expect_eq(c->n_done, 0);
    cr_expect_eq(c->state->epoch, 2);
    cr_expect_eq(c->training->n_epochs, 2);
    cr_expect(strstr(c->settings, "epochs=10 ") != NULL, "%s", c->settings);
    invnet_ckpt_free(c);
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    snprintf(net, sizeof net, "%s/net.h5", dir);
    expect_bad(path, "(a samples file)");
    cr_assert_eq(invnet_fit(path, &p, NULL, NULL, &f, NULL, &err), FWD_OK, "%s", err.msg);
    cr_assert_eq(invnet_file_save(net, f, 0, &err), FWD_OK, "%s", err.msg);
    invnet_file_free(f);
    expect_bad(net, "(a net file)");
    snprintf(bad, sizeof bad, "%s/none.ckpt", dir);
    expect_bad(bad, "none.ckpt");
    snprintf(bad, sizeof bad, "%s/bad.ckpt", dir);
    copy(ck, bad);
    set_attr(bad, NULL, "format_version", 2, 1);
    expect_bad(bad, "format_version: expected 1, got 2");
    copy(ck, bad);
    set_attr(bad, NULL, "stage", 3, 1);
    expect_bad(bad, "stage: expected 1 or 2, got 3");
    copy(ck, bad);
    set_attr(bad, NULL, "n_done", 1, 1);
    expect_bad(bad, "no group /nets/0");
    copy(ck, bad);
    set_attr(bad, "training/state", "epoch", 1, 1);
    expect_bad(bad, "state/epoch: expected 2 (the epochs of the history), got 1");
    copy(ck, bad);
    set_attr(bad, "training/state", "halvings", 4, 1);
    expect_bad(bad, "state/halvings: expected at most 3, got 4");
    copy(ck, bad);
    set_attr(bad, "training/state", "best_loss", NAN, 0);
    expect_bad(bad, "state/best_loss: expected >= 0, got nan");
    copy(ck, bad);
    set_attr(bad, "training", "epochs_run", 3, 1);
    expect_bad(bad, "bad.ckpt:/training");
    /* the training order: a row out of range, a row twice */
    for (k = 0; k < 2; k++) {
        hid_t fl, d;
        uint64_t v[540];

        copy(ck, bad);
        fl = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);
        d = H5Dopen2(fl, "training/state/perm", H5P_DEFAULT);
        cr_assert_geq(d, 0);
        cr_assert_geq(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
        v[17] = k == 0 ? 540 : v[3];
        cr_assert_geq(H5Dwrite(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
        H5Dclose(d);
        H5Fclose(fl);
        if (k == 0)
            expect_bad(bad, "state/perm[17]: expected each row 0 to 539 once, got 540");
        else
            expect_bad(bad, "state/perm[17]: expected each row 0 to 539 once, got");
    }
    /* a stage the state does not fit; no net in training */
    copy(ck, bad);
    set_attr(bad, NULL, "stage", 2, 1);
    expect_bad(bad, "stage 2, at epoch 2 of at most 10, does not fit the net in training");
    copy(ck, bad);
    {
        hid_t fl = H5Fopen(bad, H5F_ACC_RDWR, H5P_DEFAULT);

        cr_assert_geq(H5Ldelete(fl, "training", H5P_DEFAULT), 0);
        H5Fclose(fl);
    }
    expect_bad(bad, "no group /training");
    /* cut short */
    copy(ck, bad);
    fp = fopen(bad, "r+b");
    cr_assert_not_null(fp);
    fseek(fp, 0, SEEK_END);
    size = ftell(fp);
    fclose(fp);
    cr_assert_eq(truncate(bad, size / 2), 0);
    expect_bad(bad, "bad.ckpt");
}
