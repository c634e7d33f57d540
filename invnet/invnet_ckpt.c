/* SPDX-License-Identifier: MIT */
/*
 * invnet_ckpt.c - the training checkpoint file (invnet_ckpt.h).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "forward/base/fwd_io.h"
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

/* The rows of a chunk of the training order: 8 MB (a chunk is at most 4 GB in HDF5). */
#define ORDER_CHUNK ((size_t)1 << 20)

/* The training order as dataset perm of n unsigned 64-bit rows, checksummed by chunk. */
static int
write_order(hid_t g, const char *path, const uint64_t *perm, size_t n, fwd_error *err)
{
    hsize_t dim = n, chunk = n < ORDER_CHUNK ? (n ? n : 1) : ORDER_CHUNK;
    hid_t sp = H5Screate_simple(1, &dim, NULL), pl = H5Pcreate(H5P_DATASET_CREATE),
          d = H5I_INVALID_HID;
    int rc = FWD_OK;

    if (sp < 0 || pl < 0 || H5Pset_chunk(pl, 1, &chunk) < 0 || H5Pset_fletcher32(pl) < 0 ||
        (d = H5Dcreate2(g, "perm", H5T_STD_U64LE, sp, H5P_DEFAULT, pl, H5P_DEFAULT)) < 0 ||
        (n > 0 && H5Dwrite(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, perm) < 0))
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot write /training/state/perm", path);
    if (d >= 0)
        H5Dclose(d);
    if (pl >= 0)
        H5Pclose(pl);
    if (sp >= 0)
        H5Sclose(sp);
    return rc;
}

static int
write_state(hid_t loc, const char *path, const invnet_train_state *s, fwd_error *err)
{
    hid_t g = make_group(loc, path, "state", err);
    size_t k;
    int rc = FWD_OK;

    if (g < 0)
        return FWD_EIO;
    for (k = 0; k < 5 && rc == FWD_OK; k++)
        if (state_array(s, k) != NULL)
            rc = smp_h5_write_matrix(g, path, state_arrays[k], s->np, 0, state_array(s, k), "1",
                                     NULL, err);
    rc = rc ? rc : write_order(g, path, s->perm, s->n_train, err);
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
write_ckpt(hid_t file, const char *path, const invnet_ckpt *c, fwd_error *err)
{
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
    if (rc == FWD_OK && (g = make_group(file, path, "nets", err)) < 0)
        return FWD_EIO;
    if (rc == FWD_OK)
        H5Gclose(g);
    for (k = 0; k < c->n_done && rc == FWD_OK; k++) {
        snprintf(name, sizeof name, "nets/%zu", k);
        if ((g = make_group(file, path, name, err)) < 0)
            return FWD_EIO;
        rc = invnet_file_write_at(g, path, c->done[k], err);
        H5Gclose(g);
    }
    if (rc == FWD_OK) {
        if ((g = make_group(file, path, "training", err)) < 0)
            return FWD_EIO;
        rc = invnet_file_write_at(g, path, c->training, err);
        rc = rc ? rc : write_state(g, path, c->state, err);
        H5Gclose(g);
    }
    return rc;
}

/*
 * Writes c to path atomically: made in memory (HDF5's core driver), then its image written
 * to a temporary file beside path, synced and renamed (fwd_io). A write that fails (a full
 * disk) then fails in plain stdio, which frees everything; HDF5's own file, once its close
 * failed, stayed open with its temporary file's blocks for the rest of the run, and a
 * checkpoint fails again every minute on a full disk.
 */
int
invnet_ckpt_save(const char *path, const invnet_ckpt *c, fwd_error *err)
{
    hid_t fapl = H5I_INVALID_HID, file = H5I_INVALID_HID;
    unsigned char *image = NULL;
    ssize_t size = -1;
    char *tmp = NULL, *mem = NULL;
    FILE *f;
    int rc = FWD_OK;

    if (c->n_done > INVNET_SET_MAX || c->training == NULL || c->state == NULL)
        return fwd_error_set(err, FWD_EINVAL,
                             "%s: a checkpoint of %zu nets done (at most %d), %s net in "
                             "training and %s state: expected a net and its state",
                             path, c->n_done, INVNET_SET_MAX, c->training ? "a" : "no",
                             c->state ? "a" : "no");
    /* HDF5 prints its error stack unless told not to: the message says what went wrong */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    /* the file in memory under a name nothing has on disk: the core driver opens a file of
     * its name first (the last checkpoint: read whole for nothing), and one of that name
     * left open in the process would refuse every later one */
    if ((mem = malloc(strlen(path) + 48)) != NULL)
        sprintf(mem, "%s.in-memory.%ld", path, (long)getpid());
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    /* the earliest format (HDF5's default; the net files ask for 1.8's): HDF5 1.10's file
     * image of a superblock of version 2 or later keeps a checksum that no longer matches
     * it (h5py: "incorrect metadata checksum") */
    if (mem == NULL || fapl < 0 ||
        H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_LATEST) < 0 ||
        H5Pset_fapl_core(fapl, (size_t)1 << 20, 0) < 0 ||
        (file = H5Fcreate(mem, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)) < 0)
        rc = fwd_error_set(err, FWD_ENOMEM, "%s: cannot make the checkpoint in memory", path);
    rc = rc ? rc : write_ckpt(file, path, c, err);
    if (rc == FWD_OK && H5Fget_obj_count(file, H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE |
                                                   H5F_OBJ_ATTR) != 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: HDF5 objects left open", path);
    if (rc == FWD_OK &&
        (H5Fflush(file, H5F_SCOPE_GLOBAL) < 0 || (size = H5Fget_file_image(file, NULL, 0)) <= 0 ||
         (image = malloc((size_t)size)) == NULL ||
         H5Fget_file_image(file, image, (size_t)size) != size))
        rc = fwd_error_set(err, FWD_ENOMEM, "%s: out of memory for the checkpoint (%lld bytes)",
                           path, (long long)size);
    if (file >= 0 && H5Fclose(file) < 0 && rc == FWD_OK)
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot close the checkpoint in memory", path);
    if (fapl >= 0)
        H5Pclose(fapl);
    /* a file of this process's temporary name is a dead one's of the same PID (containers
     * reuse them): it would refuse the new one ("wx") */
    if (rc == FWD_OK && (tmp = fwd_io_temp_name(path)) != NULL) {
        unlink(tmp);
        free(tmp);
        tmp = NULL;
    }
    if (rc == FWD_OK && (f = fwd_io_open_temp(path, &tmp, err)) == NULL)
        rc = err != NULL ? err->code : FWD_EIO;
    else if (rc == FWD_OK) {
        errno = 0;
        if (fwrite(image, 1, (size_t)size, f) != (size_t)size && errno == 0)
            errno = ENOSPC; /* a short write without a reason: most likely */
        rc = fwd_io_close_publish(f, tmp, path, 1, err);
    }
    free(mem);
    free(tmp);
    free(image);
    return rc;
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

/* The training order of n rows (perm, unsigned 64-bit) into a new array *perm (free() it):
 * its type and size checked before it is allocated, then each row once (a permutation). */
static int
read_order(hid_t g, const char *where, size_t n, uint64_t **perm, fwd_error *err)
{
    hid_t d = H5Dopen2(g, "perm", H5P_DEFAULT), sp = H5I_INVALID_HID, t = H5I_INVALID_HID;
    hsize_t dim = 0;
    unsigned char *seen = NULL;
    uint64_t *v = NULL;
    size_t k;
    int rc = FWD_OK;

    if (d < 0 || (sp = H5Dget_space(d)) < 0 || H5Sget_simple_extent_ndims(sp) != 1 ||
        H5Sget_simple_extent_dims(sp, &dim, NULL) < 0 || (t = H5Dget_type(d)) < 0 ||
        H5Tget_class(t) != H5T_INTEGER)
        rc = fwd_error_set(err, FWD_EFORMAT, "%s: state/perm: expected a 1-D array of row numbers",
                           where);
    else if (dim != n)
        rc =
            fwd_error_set(err, FWD_EFORMAT, "%s: state/perm: expected %zu rows (n_train), got %llu",
                          where, n, (unsigned long long)dim);
    else if ((*perm = v = malloc((n ? n : 1) * sizeof *v)) == NULL ||
             (seen = calloc(n / 8 + 1, 1)) == NULL)
        rc = fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", where);
    else if (n > 0 && H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        rc = fwd_error_set(err, FWD_EFORMAT, "%s: state/perm: %s", where, smp_h5_read_why());
    for (k = 0; rc == FWD_OK && k < n; k++) {
        if (v[k] >= n || (seen[v[k] / 8] >> (v[k] % 8) & 1))
            rc = fwd_error_set(err, FWD_EFORMAT,
                               "%s: state/perm[%zu]: expected each row 0 to %zu once, "
                               "got %llu%s",
                               where, k, n - 1, (unsigned long long)v[k], v[k] < n ? " again" : "");
        else
            seen[v[k] / 8] |= (unsigned char)(1u << (v[k] % 8));
    }
    free(seen);
    if (t >= 0)
        H5Tclose(t);
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return rc;
}

/* /training/state of the net f into a new state (*s): every size checked before anything is
 * allocated for it. */
static int
read_state(hid_t loc, const char *where, const invnet_file *f, invnet_train_state **s,
           fwd_error *err)
{
    size_t np = invnet_net_nparams(f->net), n = (size_t)f->n_train, k, r, c;
    hid_t g;
    int rc = FWD_OK;

    if (H5Lexists(loc, "state", H5P_DEFAULT) <= 0)
        return fwd_error_set(err, FWD_EFORMAT, "%s: no group state: the file is damaged", where);
    if ((g = H5Gopen2(loc, "state", H5P_DEFAULT)) < 0)
        return fwd_error_set(err, FWD_EFORMAT, "%s: cannot open state", where);
    for (k = 0; k < 5 && rc == FWD_OK; k++) {
        if (k == 4 && !(f->train.average > 0))
            continue;
        rc = smp_h5_dims(g, where, state_arrays[k], &r, &c, err);
        if (rc == FWD_OK && (r != np || c != 0))
            rc = fwd_error_set(err, FWD_EFORMAT,
                               "%s: state/%s: expected %zu values (the net's weights), "
                               "got %zu",
                               where, state_arrays[k], np, r);
    }
    if (rc == FWD_OK && (*s = invnet_train_state_alloc(np, 1, f->train.average > 0)) == NULL)
        rc = fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", where);
    for (k = 0; k < 5 && rc == FWD_OK; k++) {
        if (state_array(*s, k) == NULL)
            continue;
        rc = smp_h5_read_vector(g, where, state_arrays[k], np, state_array(*s, k), err);
        for (c = 0; rc == FWD_OK && c < np; c++)
            if (!isfinite(state_array(*s, k)[c]))
                rc = fwd_error_set(err, FWD_EFORMAT, "%s: state/%s: value %zu is not finite", where,
                                   state_arrays[k], c);
    }
    if (rc == FWD_OK) { /* the order: allocated for n rows once the file's are n */
        uint64_t *perm = NULL;

        rc = read_order(g, where, n, &perm, err);
        if (perm != NULL) {
            free((*s)->perm);
            (*s)->perm = perm;
            (*s)->n_train = n;
        }
    }
    rc = rc ? rc : read_counters(g, where, f, *s, err);
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

/* The stage against the state and the history: the first stage's epochs end at its most
 * epochs and it has no data stage yet; the data stage's run from its first epoch on. */
static int
check_stage(const char *path, const invnet_ckpt *c, fwd_error *err)
{
    const invnet_file *f = c->training;
    const invnet_train_state *s = c->state;
    int ok;

    if (c->stage == 1)
        ok = f->data_epochs == 0 && s->last_epoch == f->train.epochs && s->epoch <= s->last_epoch;
    else
        ok = f->data_first_epoch > 0 && s->epoch >= f->data_first_epoch &&
             s->last_epoch == f->data_first_epoch - 1 + f->data_epochs && s->epoch <= s->last_epoch;
    if (ok)
        return FWD_OK;
    return fwd_error_set(err, FWD_EFORMAT,
                         "%s: stage %d, at epoch %zu of at most %zu, does not fit the net in "
                         "training (max_epochs %zu, data_epochs %zu from epoch %zu): the file is "
                         "damaged",
                         path, c->stage, s->epoch, s->last_epoch, f->train.epochs, f->data_epochs,
                         f->data_first_epoch);
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
    if (rc != FWD_OK)
        return rc;
    snprintf(where, sizeof where, "%s:/training", path);
    rc = read_net(file, where, "training", &c->training, err);
    if (rc == FWD_OK) {
        hid_t g = H5Gopen2(file, "training", H5P_DEFAULT);

        rc = g < 0 ? fwd_error_set(err, FWD_EFORMAT, "%s: cannot open", where)
                   : read_state(g, where, c->training, &c->state, err);
        if (g >= 0)
            H5Gclose(g);
    }
    return rc ? rc : check_stage(path, c, err);
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

/* Whether the nets a and b are of one training: samples of one method, prior, seed and
 * noise (by what they are, not by name: a staged copy is the same), one split, settings. */
static int
same_training(const invnet_file *a, const invnet_file *b)
{
    const invnet_train_params *p = &a->train, *q = &b->train;

    return a->samples.seed == b->samples.seed && a->samples.noise == b->samples.noise &&
           invnet_set_mismatch(a, b) == NULL && p->seed == q->seed && a->n_train == b->n_train &&
           a->n_val == b->n_val && p->epochs == q->epochs && p->opt == q->opt && p->lr == q->lr &&
           p->batch == q->batch && p->huber == q->huber && p->patience == q->patience &&
           p->average == q->average && a->masked == b->masked && a->data_epochs == b->data_epochs &&
           invnet_net_activation(a->net) == invnet_net_activation(b->net) &&
           invnet_net_nparams(a->net) == invnet_net_nparams(b->net) &&
           strcmp(a->init_net, b->init_net) == 0;
}

int
invnet_ckpt_saved(const invnet_ckpt *c, const invnet_set *s)
{
    size_t k, j;

    if (s->n > c->n_done + 1)
        return 0;
    for (k = 0; k < s->n; k++) { /* a set is kept by layer count */
        const invnet_file *b = s->net[k], *a = c->training;

        for (j = 0; j < c->n_done; j++)
            if (c->done[j]->samples.prior.n_layers == b->samples.prior.n_layers)
                a = c->done[j];
        if (a->samples.prior.n_layers != b->samples.prior.n_layers || !same_training(a, b))
            return 0;
    }
    return 1;
}
