/* SPDX-License-Identifier: MIT */
/*
 * invnet_ckpt.c - the training checkpoint file (invnet_ckpt.h).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "invnet/invnet_ckpt.h"
#include "invnet/invnet_file_internal.h"
#include "samples/smp_file.h"
#include "samples/smp_h5.h"

/* The state's datasets; avg only with an average. */
static const char *const state_arrays[] = {"weights", "best", "m", "v", "avg"};

static double *
state_array(const invnet_train_state *s, size_t k)
{
    double *a[] = {s->weights, s->best, s->m, s->v, s->avg};

    return a[k];
}

/* A group named name under loc, or H5I_INVALID_HID with FWD_EIO in err. */
static hid_t
make_group(hid_t loc, const char *path, const char *name, fwd_error *err)
{
    hid_t g = H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);

    if (g < 0)
        fwd_error_set(err, FWD_EIO, "%s: cannot create /%s", path, name);
    return g;
}

static int
write_state(hid_t loc, const char *path, const invnet_train_state *s, fwd_error *err)
{
    hid_t g = make_group(loc, path, "state", err);
    double *perm;
    size_t k;
    int rc = FWD_OK;

    if (g < 0)
        return FWD_EIO;
    for (k = 0; k < 5 && rc == FWD_OK; k++)
        if (state_array(s, k) != NULL)
            rc = smp_h5_write_matrix(g, path, state_arrays[k], s->np, 0, state_array(s, k), "1",
                                     NULL, err);
    perm = rc ? NULL : malloc((s->n_train ? s->n_train : 1) * sizeof *perm);
    if (rc == FWD_OK && perm == NULL)
        rc = fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
    for (k = 0; rc == FWD_OK && k < s->n_train; k++)
        perm[k] = (double)s->perm[k]; /* exact below 2^53 rows */
    rc = rc ? rc : smp_h5_write_matrix(g, path, "perm", s->n_train, 0, perm, "row", NULL, err);
    free(perm);
    rc = rc ? rc : smp_h5_write_u64(g, "epoch", s->epoch, err);
    rc = rc ? rc : smp_h5_write_u64(g, "best_epoch", s->best_epoch, err);
    rc = rc ? rc : smp_h5_write_u64(g, "since_best", s->since_best, err);
    rc = rc ? rc : smp_h5_write_u64(g, "last_epoch", s->last_epoch, err);
    rc = rc ? rc : smp_h5_write_u64(g, "halvings", s->halvings, err);
    rc = rc ? rc : smp_h5_write_u64(g, "halved", (uint64_t)s->halved, err);
    rc = rc ? rc : smp_h5_write_u64(g, "step", s->step, err);
    rc = rc ? rc : smp_h5_write_f64(g, "best_loss", 1, &s->best_loss, err);
    rc = rc ? rc : smp_h5_write_f64(g, "learning_rate", 1, &s->lr, err);
    H5Gclose(g);
    return rc;
}

static int
write_ckpt(hid_t file, const char *path, const void *ud, fwd_error *err)
{
    const invnet_ckpt *c = ud;
    double secs = c->seconds;
    char name[32];
    size_t k;
    hid_t g;
    int rc;

    rc = smp_h5_write_str(file, "format", INVNET_CKPT_FORMAT, err);
    rc = rc ? rc : smp_h5_write_u64(file, "format_version", INVNET_CKPT_FORMAT_VERSION, err);
    rc = rc ? rc
            : smp_h5_write_str(file, "bpinv_version",
                               c->training != NULL ? c->training->bpinv_version
                               : c->n_done > 0     ? c->done[0]->bpinv_version
                                                   : "",
                               err);
    rc = rc ? rc : smp_h5_write_str(file, "settings", c->settings, err);
    rc = rc ? rc : smp_h5_write_u64(file, "n_done", c->n_done, err);
    rc = rc ? rc : smp_h5_write_u64(file, "stage", (uint64_t)c->stage, err);
    rc = rc ? rc : smp_h5_write_f64(file, "seconds", 1, &secs, err);
    if (rc == FWD_OK && (g = make_group(file, path, "nets", err)) >= 0)
        H5Gclose(g);
    for (k = 0; k < c->n_done && rc == FWD_OK; k++) {
        snprintf(name, sizeof name, "nets/%zu", k);
        if ((g = make_group(file, path, name, err)) < 0)
            return FWD_EIO;
        rc = invnet_file_write_at(g, path, c->done[k], err);
        H5Gclose(g);
    }
    if (rc == FWD_OK && c->training != NULL) {
        if ((g = make_group(file, path, "training", err)) < 0)
            return FWD_EIO;
        rc = invnet_file_write_at(g, path, c->training, err);
        rc = rc ? rc : write_state(g, path, c->state, err);
        H5Gclose(g);
    }
    return rc;
}

int
invnet_ckpt_save(const char *path, const invnet_ckpt *c, fwd_error *err)
{
    if (c->n_done > INVNET_SET_MAX || (c->training != NULL) != (c->state != NULL))
        return fwd_error_set(err, FWD_EINVAL,
                             "%s: a checkpoint of %zu nets done (at most %d), %s net in "
                             "training and %s state",
                             path, c->n_done, INVNET_SET_MAX, c->training ? "a" : "no",
                             c->state ? "a" : "no");
    return invnet_file_publish(path, 1, write_ckpt, c, err);
}

void
invnet_ckpt_free(invnet_ckpt *c)
{
    size_t k;

    if (c == NULL)
        return;
    for (k = 0; k < c->n_done; k++)
        invnet_file_free(c->done[k]);
    invnet_file_free(c->training);
    invnet_train_state_free(c->state);
    free(c);
}

/* A net at loc/name into a new invnet_file (*f); where names it in errors. */
static int
read_net(hid_t loc, const char *where, const char *name, invnet_file **f, fwd_error *err)
{
    hid_t g;
    int rc;

    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return fwd_error_set(err, FWD_EFORMAT, "%s: no group /%s: the file is damaged", where,
                             name);
    if ((*f = calloc(1, sizeof **f)) == NULL)
        return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", where);
    if ((g = H5Gopen2(loc, name, H5P_DEFAULT)) < 0)
        return fwd_error_set(err, FWD_EFORMAT, "%s: cannot open /%s", where, name);
    rc = invnet_file_read_at(g, where, *f, err);
    H5Gclose(g);
    return rc;
}

/* A counter of the state: a whole number of at most max. */
static int
read_count(hid_t g, const char *where, const char *name, uint64_t max, size_t *v, fwd_error *err)
{
    uint64_t u = 0;
    int rc = smp_h5_read_u64(g, where, name, &u, err);

    if (rc == FWD_OK && u > max)
        return fwd_error_set(err, FWD_EFORMAT, "%s: state/%s: expected at most %llu, got %llu",
                             where, name, (unsigned long long)max, (unsigned long long)u);
    *v = (size_t)u;
    return rc;
}

/* The counters of the state of f's trainer, checked against f's history. */
static int
read_counters(hid_t g, const char *where, const invnet_file *f, invnet_train_state *s,
              fwd_error *err)
{
    size_t halved = 0;
    uint64_t step = 0;
    int rc;

    rc = read_count(g, where, "epoch", f->n_epochs, &s->epoch, err);
    if (rc == FWD_OK && s->epoch != f->n_epochs)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: state/epoch: expected %zu (the epochs of the history), got %zu",
                             where, f->n_epochs, s->epoch);
    rc = rc ? rc : read_count(g, where, "best_epoch", s->epoch, &s->best_epoch, err);
    rc = rc ? rc : read_count(g, where, "since_best", s->epoch, &s->since_best, err);
    rc = rc ? rc : read_count(g, where, "last_epoch", 200000000, &s->last_epoch, err);
    rc = rc ? rc : read_count(g, where, "halvings", INVNET_TRAIN_HALVINGS, &s->halvings, err);
    rc = rc ? rc : read_count(g, where, "halved", 1, &halved, err);
    rc = rc ? rc : smp_h5_read_u64(g, where, "step", &step, err);
    rc = rc ? rc : smp_h5_read_f64(g, where, "best_loss", 1, &s->best_loss, err);
    rc = rc ? rc : smp_h5_read_f64_in(g, where, "learning_rate", 1e-300, 1e300, &s->lr, err);
    if (rc == FWD_OK && !(s->best_loss >= 0)) /* +inf: no epoch of the stage yet */
        return fwd_error_set(err, FWD_EFORMAT, "%s: state/best_loss: expected >= 0, got %g", where,
                             s->best_loss);
    s->halved = (int)halved;
    s->step = step;
    return rc;
}

/* /training/state of the net f into a new state (*s). */
static int
read_state(hid_t loc, const char *where, const invnet_file *f, invnet_train_state **s,
           fwd_error *err)
{
    size_t np = invnet_net_nparams(f->net), n = (size_t)f->n_train, k, r, c;
    double *perm = NULL;
    hid_t g;
    int rc = FWD_OK;

    if (H5Lexists(loc, "state", H5P_DEFAULT) <= 0)
        return fwd_error_set(err, FWD_EFORMAT, "%s: no group /training/state: the file is damaged",
                             where);
    if ((g = H5Gopen2(loc, "state", H5P_DEFAULT)) < 0)
        return fwd_error_set(err, FWD_EFORMAT, "%s: cannot open /training/state", where);
    if ((*s = invnet_train_state_alloc(np, n, f->train.average > 0)) == NULL ||
        (perm = malloc((n ? n : 1) * sizeof *perm)) == NULL)
        rc = fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", where);
    for (k = 0; k < 5 && rc == FWD_OK; k++) {
        if (state_array(*s, k) == NULL)
            continue;
        rc = smp_h5_dims(g, where, state_arrays[k], &r, &c, err);
        if (rc == FWD_OK && (r != np || c != 0))
            rc = fwd_error_set(err, FWD_EFORMAT,
                               "%s: /training/state/%s: expected %zu values (the net's weights), "
                               "got %zu",
                               where, state_arrays[k], np, r);
        rc = rc ? rc : smp_h5_read_vector(g, where, state_arrays[k], np, state_array(*s, k), err);
        for (c = 0; rc == FWD_OK && c < np; c++)
            if (!isfinite(state_array(*s, k)[c]))
                rc = fwd_error_set(err, FWD_EFORMAT,
                                   "%s: /training/state/%s: value %zu is not finite", where,
                                   state_arrays[k], c);
    }
    rc = rc ? rc : smp_h5_dims(g, where, "perm", &r, &c, err);
    if (rc == FWD_OK && (r != n || c != 0))
        rc = fwd_error_set(err, FWD_EFORMAT,
                           "%s: /training/state/perm: expected %zu rows (n_train), got %zu", where,
                           n, r);
    rc = rc ? rc : smp_h5_read_vector(g, where, "perm", n, perm, err);
    for (k = 0; rc == FWD_OK && k < n; k++) {
        if (!(perm[k] >= 0 && perm[k] < (double)n) || perm[k] != floor(perm[k]))
            rc = fwd_error_set(err, FWD_EFORMAT,
                               "%s: /training/state/perm[%zu]: expected a row 0 to %zu, got %g",
                               where, k, n - 1, perm[k]);
        else
            (*s)->perm[k] = (uint64_t)perm[k];
    }
    rc = rc ? rc : read_counters(g, where, f, *s, err);
    free(perm);
    H5Gclose(g);
    return rc;
}

/* The format attributes: FWD_OK, or FWD_EFORMAT naming what the file is instead. */
static int
read_ckpt_format(hid_t file, const char *path, fwd_error *err)
{
    char buf[64];
    uint64_t v = 0;
    int rc;

    if (smp_h5_read_str(file, path, "format", buf, sizeof buf, err) != FWD_OK)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: not a bpinv training checkpoint (no string attribute 'format')",
                             path);
    if (strcmp(buf, INVNET_CKPT_FORMAT) != 0)
        return fwd_error_set(err, FWD_EFORMAT, "%s: format: expected \"%s\", got \"%s\"%s", path,
                             INVNET_CKPT_FORMAT, buf,
                             strcmp(buf, INVNET_FORMAT) == 0 ? " (a net file)"
                             : strcmp(buf, SMP_FORMAT) == 0  ? " (a samples file)"
                                                             : "");
    rc = smp_h5_read_u64(file, path, "format_version", &v, err);
    if (rc == FWD_OK && v != INVNET_CKPT_FORMAT_VERSION)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: format_version: expected %d, got %llu (written by another bpinv "
                             "version)",
                             path, INVNET_CKPT_FORMAT_VERSION, (unsigned long long)v);
    return rc;
}

/* Everything but the format: the root's attributes, the nets, the state. */
static int
read_ckpt(hid_t file, const char *path, invnet_ckpt *c, fwd_error *err)
{
    char name[32], where[1100];
    uint64_t v = 0;
    size_t k, n = 0;
    int rc;

    rc = smp_h5_read_str(file, path, "settings", c->settings, sizeof c->settings, err);
    rc = rc ? rc : read_count(file, path, "n_done", INVNET_SET_MAX, &n, err);
    rc = rc ? rc : smp_h5_read_u64(file, path, "stage", &v, err);
    if (rc == FWD_OK && v != 1 && v != 2)
        return fwd_error_set(err, FWD_EFORMAT, "%s: stage: expected 1 or 2, got %llu", path,
                             (unsigned long long)v);
    c->stage = (int)v;
    rc = rc ? rc : smp_h5_read_f64_in(file, path, "seconds", 0, 1e12, &c->seconds, err);
    for (k = 0; k < n && rc == FWD_OK; k++) {
        snprintf(name, sizeof name, "nets/%zu", k);
        snprintf(where, sizeof where, "%s:/%s", path, name);
        rc = read_net(file, where, name, &c->done[k], err);
        c->n_done = k + 1; /* freed with c, whatever the read did */
    }
    if (rc != FWD_OK || H5Lexists(file, "training", H5P_DEFAULT) <= 0)
        return rc; /* none: between two samples files */
    snprintf(where, sizeof where, "%s:/training", path);
    rc = read_net(file, where, "training", &c->training, err);
    if (rc == FWD_OK) {
        hid_t g = H5Gopen2(file, "training", H5P_DEFAULT);

        rc = g < 0 ? fwd_error_set(err, FWD_EFORMAT, "%s: cannot open", where)
                   : read_state(g, where, c->training, &c->state, err);
        if (g >= 0)
            H5Gclose(g);
    }
    return rc;
}

invnet_ckpt *
invnet_ckpt_load(const char *path, fwd_error *err)
{
    invnet_ckpt *c = calloc(1, sizeof *c);
    hid_t file;

    if (c == NULL) {
        fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    file = smp_h5_open(path, 0, err);
    if (file < 0 || read_ckpt_format(file, path, err) != FWD_OK ||
        read_ckpt(file, path, c, err) != FWD_OK) {
        if (file >= 0)
            H5Fclose(file);
        invnet_ckpt_free(c);
        return NULL;
    }
    H5Fclose(file);
    return c;
}
