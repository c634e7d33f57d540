/* SPDX-License-Identifier: MIT */
/*
 * invnet_file.c - writing the net file atomically and reading it back with every check.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "forward/base/fwd_io.h"
#include "invnet/invnet_file.h"
#include "invnet/invnet_file_internal.h"
#include "samples/smp_h5.h"

void
invnet_file_free(invnet_file *f)
{
    if (f == NULL)
        return;
    free(f->val_loss);
    free(f->train_loss);
    invnet_envelope_free(f->env);
    fwd_geom_free(f->geom);
    invnet_net_free(f->net);
    free(f);
}

size_t
invnet_file_n_in(const invnet_file *f)
{
    size_t nf = fwd_geom_ndata(f->geom), npts = fwd_geom_size(f->geom);

    return f->masked && npts > 0 ? invnet_mask_n_in(f->mask.layout, nf / npts, npts) : nf;
}

double
invnet_file_late_fall(const invnet_file *f, size_t *epochs)
{
    size_t first = f->data_epochs > 0 && f->data_first_epoch > 0 ? f->data_first_epoch - 1 : 0, n,
           i, k = *epochs;
    /* a warm start's first stage began at its start's loss, which its epochs had to beat:
     * a loss before its first epoch */
    size_t warm = first == 0 && f->init_net[0] != '\0' && f->init_val_loss > 0;
    double before = warm ? f->init_val_loss : INFINITY, best;

    if (f->val_loss == NULL || first >= f->n_epochs || (n = f->n_epochs - first) + warm < 2) {
        *epochs = 0;
        return 0;
    }
    if (k > n - 1 + warm)
        *epochs = k = n - 1 + warm;
    for (i = first; i < f->n_epochs - k; i++)
        before = fmin(before, f->val_loss[i]);
    best = before;
    for (; i < f->n_epochs; i++)
        best = fmin(best, f->val_loss[i]);
    if (!(before > 0 && isfinite(before) && best > 0))
        return 0;
    return 1 - best / before;
}

/* The name of a masked net's input j (j >= the nf features in the absolute layout) into
 * buf. */
static void
input_name(const invnet_file *f, size_t j, char *buf, size_t cap)
{
    const fwd_method_info *mi = fwd_method_get(f->samples.method);
    size_t npts = fwd_geom_size(f->geom), nf = fwd_geom_ndata(f->geom), b = j / nf, k, v;
    char name[48];

    if (f->mask.layout != INVNET_MASK_ALIGNED) { /* the indicator of feature j - nf */
        snprintf(buf, cap, "observed_%s",
                 invnet_feature_name(f->samples.method, npts, j - nf, name, sizeof name));
        return;
    }
    if (b >= 4) {
        snprintf(buf, cap, "window_start");
        return;
    }
    v = (j % nf) / npts;
    k = j % npts;
    snprintf(buf, cap, "%s%s_%s%zu", b % 2 ? "observed_" : "", mi->values[v]->feature,
             b < 2 ? "first+" : "last-", b < 2 ? k : npts - 1 - k);
}

/* Column names: features (which 0), parameters (1), the net's inputs (2); NULL-terminated,
 * free_names() them. */
static char **
make_names(const invnet_file *f, int which)
{
    size_t npts = fwd_geom_size(f->geom), nl = f->samples.prior.n_layers;
    size_t nf = fwd_geom_ndata(f->geom), j;
    size_t n = which == 0 ? nf : which == 2 ? invnet_file_n_in(f) : FWD_MODEL_NPARAMS(nl);
    char **s = calloc(n + 1, sizeof *s), buf[64];

    for (j = 0; s != NULL && j < n; j++) {
        if (which == 2 && f->masked && (j >= nf || f->mask.layout == INVNET_MASK_ALIGNED))
            input_name(f, j, buf, sizeof buf);
        else if (which != 1)
            invnet_feature_name(f->samples.method, npts, j, buf, sizeof buf);
        else if (j < nl)
            snprintf(buf, sizeof buf, "log10_rho_%zu", j + 1);
        else
            snprintf(buf, sizeof buf, "log10_thick_%zu", j - nl + 1);
        if ((s[j] = strdup(buf)) == NULL) {
            while (j-- > 0)
                free(s[j]);
            free(s);
            return NULL;
        }
    }
    return s;
}

static void
free_names(char **s)
{
    size_t j;

    for (j = 0; s != NULL && s[j] != NULL; j++)
        free(s[j]);
    free(s);
}

static int
write_root(hid_t r, const invnet_file *f, fwd_error *err)
{
    const invnet_train_params *p = &f->train;
    double lr = invnet_train_lr(p), best = f->best_epoch > 0 && f->best_epoch <= f->n_epochs
                                               ? f->val_loss[f->best_epoch - 1]
                                           : f->init_net[0] != '\0' ? f->init_val_loss
                                           : f->n_epochs > 0        ? f->val_loss[0]
                                                                    : NAN;
    int rc;

    rc = smp_h5_write_str(r, "format", INVNET_FORMAT, err);
    rc = rc ? rc : smp_h5_write_u64(r, "format_version", INVNET_FORMAT_VERSION, err);
    rc = rc ? rc : smp_h5_write_str(r, "bpinv_version", f->bpinv_version, err);
    rc = rc ? rc : smp_h5_write_str(r, "method", fwd_method_name(f->samples.method), err);
    rc = rc ? rc : smp_h5_write_u64(r, "n_layers", f->samples.prior.n_layers, err);
    rc = rc ? rc : smp_h5_write_prior(r, &f->samples.prior, err);
    rc = rc ? rc : smp_h5_write_f64(r, "noise", 1, &f->samples.noise, err);
    rc = rc ? rc : smp_h5_write_u64(r, "samples_seed", f->samples.seed, err);
    rc = rc ? rc : smp_h5_write_str(r, "samples_file", f->samples_path, err);
    if (f->init_net[0] != '\0') { /* a warm start's */
        rc = rc ? rc : smp_h5_write_str(r, "init_net", f->init_net, err);
        rc = rc ? rc : smp_h5_write_f64(r, "init_val_loss", 1, &f->init_val_loss, err);
    }
    rc = rc ? rc : smp_h5_write_str(r, "forward_filter", f->samples.forward_filter, err);
    rc = rc ? rc : smp_h5_write_str(r, "trained_on", f->data, err);
    rc = rc ? rc
            : smp_h5_write_str(r, "inputs",
                               f->masked ? invnet_mask_layout_name(f->mask.layout) : "values", err);
    if (f->masked) {
        rc = rc ? rc : smp_h5_write_f64(r, "mask_min_span_decades", 1, &f->mask.min_span, err);
        rc = rc ? rc : smp_h5_write_f64(r, "mask_max_missing", 1, &f->mask.max_missing, err);
        rc = rc ? rc : smp_h5_write_f64(r, "mask_p_full", 1, &f->mask.p_full, err);
        rc = rc ? rc : smp_h5_write_f64(r, "mask_p_missing", 1, &f->mask.p_missing, err);
    }
    rc = rc ? rc
            : smp_h5_write_str(r, "activation",
                               invnet_activation_name(invnet_net_activation(f->net)), err);
    rc = rc ? rc : smp_h5_write_u64(r, "depth", invnet_net_depth(f->net), err);
    rc = rc ? rc : smp_h5_write_str(r, "optimizer", invnet_optimizer_name(p->opt), err);
    rc = rc ? rc : smp_h5_write_f64(r, "learning_rate", 1, &lr, err);
    rc = rc ? rc : smp_h5_write_f64(r, "lr_decay", 1, &p->lr_decay, err);
    rc = rc ? rc : smp_h5_write_f64(r, "momentum", 1, &p->momentum, err);
    rc = rc ? rc : smp_h5_write_f64(r, "huber", 1, &p->huber, err);
    rc = rc ? rc : smp_h5_write_f64(r, "average", 1, &p->average, err);
    rc = rc ? rc : smp_h5_write_u64(r, "batch", p->batch, err);
    rc = rc ? rc : smp_h5_write_u64(r, "max_epochs", p->epochs, err);
    rc = rc ? rc : smp_h5_write_u64(r, "patience", p->patience, err);
    rc = rc ? rc : smp_h5_write_u64(r, "seed", p->seed, err);
    rc = rc ? rc : smp_h5_write_u64(r, "n_train", f->n_train, err);
    rc = rc ? rc : smp_h5_write_u64(r, "n_val", f->n_val, err);
    rc = rc ? rc : smp_h5_write_u64(r, "epochs_run", f->n_epochs, err);
    rc = rc ? rc : smp_h5_write_u64(r, "best_epoch", f->best_epoch, err);
    rc = rc ? rc : smp_h5_write_f64(r, "best_val_loss", 1, &best, err);
    rc = rc ? rc : smp_h5_write_f64(r, "train_seconds", 1, &f->train_seconds, err);
    if (f->data_epochs > 0) { /* the data-misfit stage, when it ran */
        rc = rc ? rc : smp_h5_write_u64(r, "data_epochs", f->data_epochs, err);
        rc = rc ? rc : smp_h5_write_u64(r, "data_first_epoch", f->data_first_epoch, err);
        rc = rc ? rc : smp_h5_write_f64(r, "param_weight", 1, &f->param_weight, err);
        rc = rc ? rc : smp_h5_write_f64(r, "data_learning_rate", 1, &f->data_lr, err);
        rc = rc ? rc : smp_h5_write_u64(r, "data_halvings", f->n_data_halved, err);
        if (f->n_data_halved > 0) {
            double at[INVNET_TRAIN_HALVINGS];
            size_t k;

            for (k = 0; k < f->n_data_halved; k++)
                at[k] = (double)f->data_halved_at[k];
            rc = rc ? rc : smp_h5_write_f64(r, "data_halved_at", f->n_data_halved, at, err);
        }
    }
    return rc;
}

static int
write_body(hid_t file, const char *path, const invnet_file *f, fwd_error *err)
{
    const invnet_net *net = f->net;
    const invnet_envelope *e = f->env;
    const double *theta = invnet_net_params_const(net);
    size_t depth = invnet_net_depth(net), n_in = invnet_net_n_in(net),
           n_out = invnet_net_n_out(net);
    size_t l, nep = f->n_epochs;
    char **fnames = make_names(f, 0), **pnames = make_names(f, 1), **inames = make_names(f, 2);
    char name[64];
    hid_t g = H5I_INVALID_HID;
    int rc = FWD_OK;

    if (fnames == NULL || pnames == NULL || inames == NULL) {
        rc = fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    rc = write_root(file, f, err);
    rc = rc ? rc : smp_h5_write_geometry(file, path, f->geom, err);
    for (l = 1; l <= depth && rc == FWD_OK; l++) {
        size_t ni = invnet_net_units(net, l - 1), no = invnet_net_units(net, l);

        snprintf(name, sizeof name, "layers/%zu", l);
        if (l == 1 && (g = H5Gcreate2(file, "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0)
            H5Gclose(g);
        g = H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0) {
            rc = fwd_error_set(err, FWD_EIO, "%s: cannot create %s", path, name);
            break;
        }
        rc = smp_h5_write_matrix(g, path, "weights", no, ni,
                                 theta + invnet_net_weight_offset(net, l - 1), "1", NULL, err);
        rc = rc ? rc
                : smp_h5_write_matrix(g, path, "bias", no, 0,
                                      theta + invnet_net_bias_offset(net, l - 1), "1", NULL, err);
        rc = rc ? rc
                : smp_h5_write_str(g, "activation",
                                   l < depth ? invnet_activation_name(invnet_net_activation(net))
                                             : "linear",
                                   err);
        H5Gclose(g);
        g = H5I_INVALID_HID;
    }
    if (rc == FWD_OK &&
        (g = H5Gcreate2(file, "normalisation", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot create /normalisation", path);
    rc = rc ? rc
            : smp_h5_write_matrix(g, path, "input_mean", n_in, 0, invnet_net_norm_const(net, 0),
                                  "feature units", inames, err);
    rc = rc ? rc
            : smp_h5_write_matrix(g, path, "input_sd", n_in, 0, invnet_net_norm_const(net, 1),
                                  "feature units", inames, err);
    rc = rc ? rc
            : smp_h5_write_matrix(g, path, "output_mean", n_out, 0, invnet_net_norm_const(net, 2),
                                  "log10(ohm-m), log10(m)", pnames, err);
    rc = rc ? rc
            : smp_h5_write_matrix(g, path, "output_sd", n_out, 0, invnet_net_norm_const(net, 3),
                                  "log10(ohm-m), log10(m)", pnames, err);
    if (g >= 0)
        H5Gclose(g);
    g = H5I_INVALID_HID;
    if (rc == FWD_OK &&
        (g = H5Gcreate2(file, "envelope", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot create /envelope", path);
    rc = rc ? rc
            : smp_h5_write_matrix(g, path, "input_min", e->n, 0, e->min, "feature units", fnames,
                                  err);
    rc = rc ? rc
            : smp_h5_write_matrix(g, path, "input_max", e->n, 0, e->max, "feature units", fnames,
                                  err);
    rc = rc ? rc
            : smp_h5_write_matrix(g, path, "input_mean", e->n, 0, e->mean, "feature units", fnames,
                                  err);
    rc = rc ? rc
            : smp_h5_write_matrix(g, path, "pc_vectors", e->n_pc, e->n, e->pc, "1", fnames, err);
    rc = rc ? rc
            : smp_h5_write_matrix(g, path, "pc_variance", e->n_pc, 0, e->pc_var,
                                  "feature units squared", NULL, err);
    rc = rc ? rc : smp_h5_write_f64(g, "d2_q99", 1, &e->d2_q99, err);
    rc = rc ? rc : smp_h5_write_f64(g, "d2_q999", 1, &e->d2_q999, err);
    if (g >= 0)
        H5Gclose(g);
    g = H5I_INVALID_HID;
    if (rc == FWD_OK &&
        (g = H5Gcreate2(file, "history", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot create /history", path);
    if (rc == FWD_OK && nep > 0) {
        const char *u = f->train.huber > 0 ? "mean Huber loss of standardised outputs"
                                           : "mean squared error of standardised outputs";

        rc = smp_h5_write_matrix(g, path, "train_loss", nep, 0, f->train_loss, u, NULL, err);
        rc = rc ? rc : smp_h5_write_matrix(g, path, "val_loss", nep, 0, f->val_loss, u, NULL, err);
    }
    rc = rc ? rc
            : smp_h5_write_matrix(g, path, "val_rmse", n_out, 0, f->val_rmse, "log10 units", pnames,
                                  err);
done:
    if (g >= 0)
        H5Gclose(g);
    free_names(inames);
    free_names(pnames);
    free_names(fnames);
    return rc;
}

/* Whether f's net fits its geometry and layers (FWD_EINVAL naming path if not). */
static int
check_fits(const char *path, const invnet_file *f, fwd_error *err)
{
    if (invnet_net_n_in(f->net) != invnet_file_n_in(f) || f->env->n != fwd_geom_ndata(f->geom) ||
        invnet_net_n_out(f->net) != FWD_MODEL_NPARAMS(f->samples.prior.n_layers) ||
        fwd_geom_method(f->geom) != f->samples.method)
        return fwd_error_set(err, FWD_EINVAL,
                             "%s: the net (%zu inputs, %zu outputs) does not fit its geometry "
                             "(%zu data) and layers (%zu)",
                             path, invnet_net_n_in(f->net), invnet_net_n_out(f->net),
                             fwd_geom_ndata(f->geom), f->samples.prior.n_layers);
    return FWD_OK;
}

/* The n nets of f into a set's groups nets/<n_layers> under the root's format attributes. */
static int
write_set(hid_t file, const char *path, const invnet_file *const *f, size_t n, fwd_error *err)
{
    char name[32];
    size_t k;
    hid_t g;
    int rc;

    rc = smp_h5_write_str(file, "format", INVNET_FORMAT, err);
    rc = rc ? rc : smp_h5_write_u64(file, "format_version", INVNET_FORMAT_VERSION_SET, err);
    rc = rc ? rc : smp_h5_write_str(file, "method", fwd_method_name(f[0]->samples.method), err);
    rc = rc ? rc : smp_h5_write_u64(file, "n_nets", n, err);
    if (rc == FWD_OK && (g = H5Gcreate2(file, "nets", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) >= 0)
        H5Gclose(g);
    for (k = 0; k < n && rc == FWD_OK; k++) {
        snprintf(name, sizeof name, "nets/%zu", f[k]->samples.prior.n_layers);
        g = H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0)
            return fwd_error_set(err, FWD_EIO, "%s: cannot create /%s", path, name);
        rc = write_body(g, path, f[k], err);
        H5Gclose(g);
    }
    return rc;
}

static int load_at(hid_t loc, const char *path, invnet_file *f, fwd_error *err);

/* Writes one net (n == 1 and single) or a set of n to path atomically. */
static int
save(const char *path, const invnet_file *const *f, size_t n, int single, int overwrite,
     fwd_error *err)
{
    char *tmp = NULL;
    hid_t fapl = H5I_INVALID_HID, file = H5I_INVALID_HID;
    size_t k;
    int rc = FWD_OK;

    for (k = 0; k < n; k++)
        if ((rc = check_fits(path, f[k], err)) != FWD_OK)
            return rc;
    if (!overwrite && access(path, F_OK) == 0)
        return fwd_error_set(err, FWD_EEXIST, "%s: exists", path);
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot set up HDF5", path);
    else if ((file = smp_h5_create_temp(path, H5P_DEFAULT, fapl, &tmp, err)) < 0)
        rc = err != NULL ? err->code : FWD_EIO;
    if (rc == FWD_OK)
        rc = single ? write_body(file, path, f[0], err) : write_set(file, path, f, n, err);
    if (file >= 0) {
        if (rc == FWD_OK && H5Fget_obj_count(file, H5F_OBJ_ALL) != 1)
            rc = fwd_error_set(err, FWD_EIO, "%s: HDF5 objects left open", path);
        errno = 0;
        if (H5Fclose(file) < 0 && rc == FWD_OK) {
            const char *why = fwd_io_why("disk full?"); /* errno's, before access() */

            rc = fwd_error_set(err, FWD_EIO, "%s: cannot write: %s (%s)", path, why,
                               access(path, F_OK) == 0 ? "the file as it was" : "not made");
        }
    }
    if (fapl >= 0)
        H5Pclose(fapl);
    if (rc == FWD_OK)
        rc = fwd_io_publish(tmp, path, overwrite, err); /* removes tmp if it fails */
    else if (tmp != NULL)
        unlink(tmp);
    free(tmp);
    return rc;
}

int
invnet_file_write_at(hid_t loc, const char *path, const invnet_file *f, fwd_error *err)
{
    int rc = check_fits(path, f, err);

    return rc ? rc : write_body(loc, path, f, err);
}

int
invnet_file_read_at(hid_t loc, const char *path, invnet_file *f, fwd_error *err)
{
    return load_at(loc, path, f, err);
}

int
invnet_file_save(const char *path, const invnet_file *f, int overwrite, fwd_error *err)
{
    return save(path, &f, 1, 1, overwrite, err);
}

int
invnet_set_save(const char *path, const invnet_file *const *f, size_t n, int overwrite,
                fwd_error *err)
{
    size_t k, j;

    if (n < 1 || n > INVNET_SET_MAX)
        return fwd_error_set(err, FWD_EINVAL, "%s: expected 1 to %d nets, got %zu", path,
                             INVNET_SET_MAX, n);
    for (k = 1; k < n; k++)
        for (j = 0; j < k; j++)
            if (f[j]->samples.prior.n_layers == f[k]->samples.prior.n_layers)
                return fwd_error_set(err, FWD_EINVAL,
                                     "%s: two nets of %zu layers: expected one "
                                     "net per layer count",
                                     path, f[k]->samples.prior.n_layers);
    if (n == 1)
        return save(path, f, 1, 1, overwrite, err);
    for (k = 1; k < n; k++) {
        const char *why = invnet_set_mismatch(f[0], f[k]);

        if (why != NULL)
            return fwd_error_set(err, FWD_EINVAL,
                                 "%s: the nets of %zu and %zu layers differ in their %s: a set "
                                 "holds nets of one survey",
                                 path, f[0]->samples.prior.n_layers, f[k]->samples.prior.n_layers,
                                 why);
    }
    return save(path, f, n, 0, overwrite, err);
}

const char *
invnet_set_mismatch(const invnet_file *a, const invnet_file *b)
{
    size_t i, n = fwd_geom_size(a->geom);
    const double *xa = fwd_geom_x(a->geom), *xb = fwd_geom_x(b->geom);

    if (a->samples.method != b->samples.method)
        return "method";
    if (n != fwd_geom_size(b->geom))
        return "geometry (number of points)";
    for (i = 0; i < n; i++)
        if (xa[i] != xb[i])
            return "geometry (spacings or periods)";
    if (!fwd_geom_equal(a->geom, b->geom))
        return "geometry (MN/2)";
    if (strcmp(a->samples.forward_filter, b->samples.forward_filter) != 0)
        return "forward filter";
    if (a->samples.noise != b->samples.noise)
        return "training noise";
    if (a->masked != b->masked)
        return "inputs (masked or not)";
    return NULL;
}

static int
all_finite(const double *v, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

/* Reads the layers, checking their shapes chain from n_in to n_out. */
/* The largest |log10| of an output's mean or standard deviation in a net file (a model of
 * 1e30 ohm-m or m is none; 1e300 made the net's answers infinite) */
#define OUTPUT_LOG10_MAX 30

static int
read_layers(hid_t file, const char *path, invnet_file *f, fwd_error *err)
{
    size_t n_in = invnet_file_n_in(f), n_out = FWD_MODEL_NPARAMS(f->samples.prior.n_layers);
    size_t hidden[INVNET_MAX_HIDDEN], depth, l, r, c, prev = n_in;
    uint64_t d64;
    char buf[32], name[64];
    invnet_activation act;
    fwd_error e2;
    int rc;

    rc = smp_h5_read_u64(file, path, "depth", &d64, err);
    if (rc == FWD_OK && (d64 < 2 || d64 > INVNET_MAX_HIDDEN + 1))
        return fwd_error_set(err, FWD_EFORMAT, "%s: depth: expected 2 to %d, got %llu", path,
                             INVNET_MAX_HIDDEN + 1, (unsigned long long)d64);
    rc = rc ? rc : smp_h5_read_str(file, path, "activation", buf, sizeof buf, err);
    if (rc == FWD_OK && invnet_activation_parse(buf, &act, NULL) != FWD_OK)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: activation: expected tanh or sigmoid, got \"%s\"", path, buf);
    if (rc != FWD_OK)
        return rc;
    depth = (size_t)d64;
    for (l = 1; l <= depth; l++) {
        snprintf(name, sizeof name, "layers/%zu/weights", l);
        rc = smp_h5_dims(file, path, name, &r, &c, err);
        if (rc != FWD_OK)
            return rc;
        if (c != prev || (l == depth && r != n_out) || r < 1 || r > INVNET_MAX_UNITS)
            return fwd_error_set(err, FWD_EFORMAT,
                                 "%s: /%s: expected %zu columns%s, got %zu x %zu (a net for "
                                 "another geometry or number of layers?)",
                                 path, name, prev, l == depth ? " and one row per parameter" : "",
                                 r, c);
        if (l < depth)
            hidden[l - 1] = r;
        prev = r;
    }
    {
        /* the sizes the file declares, before anything is allocated for them */
        double total = 0;

        prev = n_in;
        for (l = 1; l <= depth; l++) {
            double units = l < depth ? (double)hidden[l - 1] : (double)n_out;

            total += units * ((double)prev + 1);
            prev = (size_t)units;
        }
        if (total > INVNET_FILE_MAX_PARAMS)
            return fwd_error_set(err, FWD_EFORMAT,
                                 "%s: /layers: expected at most %g weights and biases, got %.0f",
                                 path, (double)INVNET_FILE_MAX_PARAMS, total);
    }
    f->net = invnet_net_alloc(n_in, depth - 1, hidden, n_out, act, &e2);
    if (f->net == NULL)
        return fwd_error_set(err, e2.code, "%s: %s", path, e2.msg);
    for (l = 1; l <= depth && rc == FWD_OK; l++) {
        double *theta = invnet_net_params(f->net);
        size_t ni = invnet_net_units(f->net, l - 1), no = invnet_net_units(f->net, l);

        double *w = theta + invnet_net_weight_offset(f->net, l - 1);
        double *b = theta + invnet_net_bias_offset(f->net, l - 1);
        size_t k;

        snprintf(name, sizeof name, "layers/%zu/weights", l);
        rc = smp_h5_read_matrix(file, path, name, no, ni, w, err);
        for (k = 0; rc == FWD_OK && k < no * ni; k++)
            if (!isfinite(w[k]))
                rc = fwd_error_set(err, FWD_EFORMAT, "%s: /%s: row %zu, column %zu is %g", path,
                                   name, k / ni + 1, k % ni + 1, w[k]);
        snprintf(name, sizeof name, "layers/%zu/bias", l);
        rc = rc ? rc : smp_h5_read_vector(file, path, name, no, b, err);
        for (k = 0; rc == FWD_OK && k < no; k++)
            if (!isfinite(b[k]))
                rc = fwd_error_set(err, FWD_EFORMAT, "%s: /%s: value %zu is %g", path, name, k + 1,
                                   b[k]);
    }
    rc = rc ? rc
            : smp_h5_read_vector(file, path, "normalisation/input_mean", n_in,
                                 invnet_net_in_mean(f->net), err);
    rc = rc ? rc
            : smp_h5_read_vector(file, path, "normalisation/input_sd", n_in,
                                 invnet_net_in_sd(f->net), err);
    rc = rc ? rc
            : smp_h5_read_vector(file, path, "normalisation/output_mean", n_out,
                                 invnet_net_out_mean(f->net), err);
    rc = rc ? rc
            : smp_h5_read_vector(file, path, "normalisation/output_sd", n_out,
                                 invnet_net_out_sd(f->net), err);
    for (l = 0; l < 4 && rc == FWD_OK; l++) {
        const double *v = invnet_net_norm_const(f->net, (int)l);
        size_t n = l < 2 ? n_in : n_out, j;

        /* the outputs are log10 of ohm-m and m: beyond OUTPUT_LOG10_MAX no earth's */
        for (j = 0; j < n; j++)
            if (!isfinite(v[j]) || (l % 2 == 1 && !(v[j] > 0)) ||
                (l >= 2 && fabs(v[j]) > OUTPUT_LOG10_MAX))
                return fwd_error_set(
                    err, FWD_EFORMAT,
                    "%s: /normalisation: value %zu of %s is %g (expected finite%s%s)", path, j + 1,
                    l == 0   ? "input_mean"
                    : l == 1 ? "input_sd"
                    : l == 2 ? "output_mean"
                             : "output_sd",
                    v[j], l % 2 ? " and > 0" : "", l >= 2 ? ", at most 30 in log10" : "");
    }
    return rc;
}

static int
read_envelope(hid_t file, const char *path, invnet_file *f, fwd_error *err)
{
    size_t n = fwd_geom_ndata(f->geom), r, c;
    invnet_envelope *e = f->env = invnet_envelope_alloc(n);
    hid_t g;
    int rc;

    if (e == NULL)
        return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
    rc = smp_h5_read_vector(file, path, "envelope/input_min", n, e->min, err);
    rc = rc ? rc : smp_h5_read_vector(file, path, "envelope/input_max", n, e->max, err);
    rc = rc ? rc : smp_h5_read_vector(file, path, "envelope/input_mean", n, e->mean, err);
    rc = rc ? rc : smp_h5_dims(file, path, "envelope/pc_vectors", &r, &c, err);
    if (rc == FWD_OK && (r < 1 || r > n || c != n))
        return fwd_error_set(
            err, FWD_EFORMAT,
            "%s: /envelope/pc_vectors: expected 1 to %zu rows of %zu, got %zu x %zu", path, n, n, r,
            c);
    if (rc != FWD_OK)
        return rc;
    e->n_pc = r;
    rc = smp_h5_read_matrix(file, path, "envelope/pc_vectors", r, n, e->pc, err);
    rc = rc ? rc : smp_h5_read_vector(file, path, "envelope/pc_variance", r, e->pc_var, err);
    if (rc != FWD_OK)
        return rc;
    g = H5Gopen2(file, "envelope", H5P_DEFAULT);
    if (g < 0)
        return fwd_error_set(err, FWD_EFORMAT, "%s: /envelope: cannot open", path);
    rc = smp_h5_read_f64(g, path, "d2_q99", 1, &e->d2_q99, err);
    rc = rc ? rc : smp_h5_read_f64(g, path, "d2_q999", 1, &e->d2_q999, err);
    H5Gclose(g);
    if (rc != FWD_OK)
        return rc;
    if (!all_finite(e->min, n) || !all_finite(e->max, n) || !all_finite(e->mean, n) ||
        !all_finite(e->pc, r * n) || !all_finite(e->pc_var, r))
        return fwd_error_set(err, FWD_EFORMAT, "%s: /envelope: a value is not finite", path);
    if (!(e->d2_q99 > 0 && e->d2_q99 <= e->d2_q999 && isfinite(e->d2_q999)))
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: /envelope: d2_q99, d2_q999: expected 0 < d2_q99 <= d2_q999, "
                             "got %g, %g",
                             path, e->d2_q99, e->d2_q999);
    for (c = 0; c < n; c++)
        if (e->min[c] > e->max[c])
            return fwd_error_set(err, FWD_EFORMAT,
                                 "%s: /envelope: feature %zu: expected input_min <= input_max, "
                                 "got %g > %g",
                                 path, c, e->min[c], e->max[c]);
    for (c = 0; c < r; c++)
        if (!(e->pc_var[c] > 0))
            return fwd_error_set(err, FWD_EFORMAT,
                                 "%s: /envelope/pc_variance: value %zu is %g (expected > 0)", path,
                                 c, e->pc_var[c]);
    return FWD_OK;
}

/* The epochs at which the data stage halved its rate: none in files without data_halvings
 * (written before 2026-12-04, when it was not recorded). Each a whole epoch of the stage,
 * after its first, in increasing order. */
static int
read_halvings(hid_t file, const char *path, invnet_file *f, fwd_error *err)
{
    double at[INVNET_TRAIN_HALVINGS];
    uint64_t n = 0;
    size_t k;
    int rc;

    f->n_data_halved = 0;
    if (H5Aexists(file, "data_halvings") <= 0)
        return FWD_OK;
    rc = smp_h5_read_u64(file, path, "data_halvings", &n, err);
    if (rc == FWD_OK && n > INVNET_TRAIN_HALVINGS)
        return fwd_error_set(err, FWD_EFORMAT, "%s: data_halvings: expected 0 to %d, got %llu",
                             path, INVNET_TRAIN_HALVINGS, (unsigned long long)n);
    if (rc == FWD_OK && n > 0)
        rc = smp_h5_read_f64(file, path, "data_halved_at", (size_t)n, at, err);
    if (rc != FWD_OK)
        return rc;
    for (k = 0; k < n; k++) {
        double lo = k > 0 ? at[k - 1] + 1 : (double)f->data_first_epoch + 1;

        if (!(at[k] >= lo && at[k] <= (double)f->n_epochs) || at[k] != floor(at[k]))
            return fwd_error_set(err, FWD_EFORMAT,
                                 "%s: data_halved_at[%zu]: expected a whole epoch from %g to %zu "
                                 "(after the stage's first epoch and the one before, at most "
                                 "epochs_run), got %g",
                                 path, k, lo, f->n_epochs, at[k]);
        f->data_halved_at[k] = (size_t)at[k];
    }
    f->n_data_halved = (size_t)n;
    return FWD_OK;
}

/* The data-misfit stage's settings: none in files without data_epochs (trained on the
 * parameters' error alone, as before the stage existed). */
static int
read_data_stage(hid_t file, const char *path, invnet_file *f, fwd_error *err)
{
    uint64_t v = 0, first = 0;
    int rc;

    f->data_epochs = f->data_first_epoch = 0;
    f->param_weight = 1;
    f->data_lr = 0;
    f->n_data_halved = 0;
    if (H5Aexists(file, "data_epochs") <= 0)
        return FWD_OK;
    rc = smp_h5_read_u64(file, path, "data_epochs", &v, err);
    rc = rc ? rc : smp_h5_read_u64(file, path, "data_first_epoch", &first, err);
    rc = rc ? rc : smp_h5_read_f64(file, path, "param_weight", 1, &f->param_weight, err);
    rc = rc ? rc : smp_h5_read_f64(file, path, "data_learning_rate", 1, &f->data_lr, err);
    if (rc != FWD_OK)
        return rc;
    if (v < 1 || v > 100000000 || first < 1 || first > f->n_epochs + 1)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: data_epochs, data_first_epoch: expected >= 1 and 1 to %zu "
                             "(epochs_run + 1), got %llu, %llu",
                             path, f->n_epochs + 1, (unsigned long long)v,
                             (unsigned long long)first);
    if (!(f->param_weight >= 0 && isfinite(f->param_weight)) ||
        !(f->data_lr > 0 && isfinite(f->data_lr)))
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: param_weight, data_learning_rate: expected >= 0 and > 0, "
                             "got %g, %g",
                             path, f->param_weight, f->data_lr);
    f->data_epochs = (size_t)v;
    f->data_first_epoch = (size_t)first;
    return read_halvings(file, path, f, err);
}

/* What the net reads: "values" (all its points; files without the attribute, from before
 * masked nets), "masked" or "aligned" (invnet_mask.h's layouts), with the masks it was
 * trained with. */
static int
read_inputs(hid_t file, const char *path, invnet_file *f, fwd_error *err)
{
    fwd_error e2;
    char buf[16];
    int rc, layout;

    f->masked = 0;
    f->mask = invnet_mask_default();
    if (H5Aexists(file, "inputs") <= 0)
        return FWD_OK;
    rc = smp_h5_read_str(file, path, "inputs", buf, sizeof buf, err);
    if (rc == FWD_OK && strcmp(buf, "values") == 0)
        return FWD_OK;
    if (rc != FWD_OK)
        return rc;
    if ((layout = invnet_mask_layout_parse(buf)) < 0)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: inputs: expected values, masked or aligned, got \"%s\"", path,
                             buf);
    f->masked = 1;
    f->mask.layout = (invnet_mask_layout)layout;
    rc = rc ? rc : smp_h5_read_f64(file, path, "mask_min_span_decades", 1, &f->mask.min_span, err);
    rc = rc ? rc : smp_h5_read_f64(file, path, "mask_max_missing", 1, &f->mask.max_missing, err);
    rc = rc ? rc : smp_h5_read_f64(file, path, "mask_p_full", 1, &f->mask.p_full, err);
    rc = rc ? rc : smp_h5_read_f64(file, path, "mask_p_missing", 1, &f->mask.p_missing, err);
    if (rc == FWD_OK && invnet_mask_check(&f->mask, &e2) != FWD_OK)
        return fwd_error_set(err, FWD_EFORMAT, "%s: %s", path, e2.msg);
    return rc;
}

static int
read_rest(hid_t file, const char *path, invnet_file *f, fwd_error *err)
{
    invnet_train_params *p = &f->train;
    size_t n_out = FWD_MODEL_NPARAMS(f->samples.prior.n_layers), r, c;
    uint64_t v = 0;
    char buf[32];
    int rc;

    *p = invnet_train_default();
    rc = smp_h5_read_str(file, path, "samples_file", f->samples_path, sizeof f->samples_path, err);
    /* a warm start's net and loss; none in files from before 2026-12-07 */
    f->init_net[0] = '\0';
    f->init_val_loss = NAN;
    if (rc == FWD_OK && H5Aexists(file, "init_net") > 0) {
        rc = smp_h5_read_str(file, path, "init_net", f->init_net, sizeof f->init_net, err);
        rc = rc ? rc : smp_h5_read_f64(file, path, "init_val_loss", 1, &f->init_val_loss, err);
    }
    rc = rc ? rc : smp_h5_read_str(file, path, "trained_on", f->data, sizeof f->data, err);
    rc = rc ? rc : smp_h5_read_str(file, path, "optimizer", buf, sizeof buf, err);
    if (rc == FWD_OK && invnet_optimizer_parse(buf, &p->opt, NULL) != FWD_OK)
        return fwd_error_set(err, FWD_EFORMAT, "%s: optimizer: expected adam or sgd, got \"%s\"",
                             path, buf);
    rc = rc ? rc : smp_h5_read_f64(file, path, "learning_rate", 1, &p->lr, err);
    rc = rc ? rc : smp_h5_read_f64(file, path, "lr_decay", 1, &p->lr_decay, err);
    rc = rc ? rc : smp_h5_read_f64(file, path, "momentum", 1, &p->momentum, err);
    /* the loss's threshold; 0, squared error, in files from before it */
    p->huber = 0;
    if (rc == FWD_OK && H5Aexists(file, "huber") > 0)
        rc = smp_h5_read_f64_in(file, path, "huber", 0, INVNET_TRAIN_HUBER_MAX, &p->huber, err);
    /* the weights' averaging; 0, none, in files from before it */
    p->average = 0;
    if (rc == FWD_OK && H5Aexists(file, "average") > 0)
        rc = smp_h5_read_f64_in(file, path, "average", 0, INVNET_TRAIN_AVERAGE_MAX, &p->average,
                                err);
    rc = rc ? rc : smp_h5_read_u64(file, path, "batch", &v, err);
    p->batch = (size_t)v;
    rc = rc ? rc : smp_h5_read_u64(file, path, "max_epochs", &v, err);
    p->epochs = (size_t)v;
    rc = rc ? rc : smp_h5_read_u64(file, path, "patience", &v, err);
    p->patience = (size_t)v;
    rc = rc ? rc : smp_h5_read_u64(file, path, "seed", &p->seed, err);
    rc = rc ? rc : smp_h5_read_u64(file, path, "n_train", &f->n_train, err);
    rc = rc ? rc : smp_h5_read_u64(file, path, "n_val", &f->n_val, err);
    rc = rc ? rc : smp_h5_read_u64(file, path, "best_epoch", &v, err);
    f->best_epoch = (size_t)v;
    rc = rc ? rc : smp_h5_read_f64(file, path, "train_seconds", 1, &f->train_seconds, err);
    rc = rc ? rc : smp_h5_read_u64(file, path, "epochs_run", &v, err);
    if (rc != FWD_OK)
        return rc;
    if (v > 100000000)
        return fwd_error_set(err, FWD_EFORMAT, "%s: epochs_run: %llu is not plausible", path,
                             (unsigned long long)v);
    f->n_epochs = (size_t)v;
    if (f->best_epoch > f->n_epochs)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: best_epoch: expected <= epochs_run = %zu, got %zu", path,
                             f->n_epochs, f->best_epoch);
    if (strcmp(f->data, "noisy") != 0 && strcmp(f->data, "clean") != 0)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: trained_on: expected noisy or clean, got \"%s\"", path, f->data);
    if (f->n_train < 1 || !(p->lr > 0 && isfinite(p->lr)))
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: n_train, learning_rate: expected >= 1 and > 0, got %llu, %g",
                             path, (unsigned long long)f->n_train, p->lr);
    if (f->n_epochs > 0) {
        /* the dimensions first: a damaged epochs_run must not allocate gigabytes */
        rc = smp_h5_dims(file, path, "history/train_loss", &r, &c, err);
        if (rc == FWD_OK && (r != f->n_epochs || c != 0))
            return fwd_error_set(
                err, FWD_EFORMAT,
                "%s: /history/train_loss: expected %zu values (epochs_run), got %zu%s%.0zu", path,
                f->n_epochs, r, c != 0 ? " x " : "", c);
        f->train_loss = rc ? NULL : malloc(f->n_epochs * sizeof(double));
        f->val_loss = rc ? NULL : malloc(f->n_epochs * sizeof(double));
        if (rc == FWD_OK && (f->train_loss == NULL || f->val_loss == NULL))
            return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
        rc = rc ? rc
                : smp_h5_read_vector(file, path, "history/train_loss", f->n_epochs, f->train_loss,
                                     err);
        rc = rc ? rc
                : smp_h5_read_vector(file, path, "history/val_loss", f->n_epochs, f->val_loss, err);
        if (rc == FWD_OK &&
            (!all_finite(f->train_loss, f->n_epochs) || !all_finite(f->val_loss, f->n_epochs)))
            return fwd_error_set(err, FWD_EFORMAT, "%s: /history: a loss is not finite", path);
    }
    rc = rc ? rc : smp_h5_read_vector(file, path, "history/val_rmse", n_out, f->val_rmse, err);
    if (rc == FWD_OK && !all_finite(f->val_rmse, n_out))
        return fwd_error_set(err, FWD_EFORMAT, "%s: /history/val_rmse: a value is not finite",
                             path);
    return rc;
}

/* The format attributes at loc: FWD_OK with the version in *v, or FWD_EFORMAT. */
static int
read_format(hid_t loc, const char *path, uint64_t *v, fwd_error *err)
{
    char buf[64];
    int rc;

    *v = 0; /* also when it fails */
    rc = smp_h5_read_str(loc, path, "format", buf, sizeof buf, err);
    if (rc != FWD_OK)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: not a bpinv net file (no string attribute 'format')", path);
    if (strcmp(buf, INVNET_FORMAT) != 0)
        return fwd_error_set(
            err, FWD_EFORMAT, "%s: format: expected \"%s\", got \"%s\"%s", path, INVNET_FORMAT, buf,
            strcmp(buf, SMP_FORMAT) == 0 ? " (a samples file: train a net on it first)" : "");
    rc = smp_h5_read_u64(loc, path, "format_version", v, err);
    if (rc == FWD_OK && *v != INVNET_FORMAT_VERSION && *v != INVNET_FORMAT_VERSION_SET)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: format_version: expected %d or %d, got %llu (written by another "
                             "bpinv version)",
                             path, INVNET_FORMAT_VERSION, INVNET_FORMAT_VERSION_SET,
                             (unsigned long long)*v);
    return rc;
}

/* One net at loc (the file's root, or a set's group) into f; path names it in errors. */
static int
load_at(hid_t loc, const char *path, invnet_file *f, fwd_error *err)
{
    char buf[64], list[64];
    uint64_t v;
    int rc;

    rc = read_format(loc, path, &v, err);
    if (rc == FWD_OK && v != INVNET_FORMAT_VERSION)
        return fwd_error_set(err, FWD_EFORMAT, "%s: format_version: expected %d, got %llu", path,
                             INVNET_FORMAT_VERSION, (unsigned long long)v);
    rc = rc ? rc : smp_h5_read_str(loc, path, "method", buf, sizeof buf, err);
    if (rc == FWD_OK && fwd_method_parse(buf, &f->samples.method, NULL) != FWD_OK)
        return fwd_error_set(err, FWD_EFORMAT, "%s: method: expected %s, got \"%s\"", path,
                             fwd_method_list(list, sizeof list), buf);
    rc = rc ? rc : smp_h5_read_u64(loc, path, "n_layers", &v, err);
    if (rc == FWD_OK && (v < 1 || v > FWD_MAX_LAYERS))
        return fwd_error_set(err, FWD_EFORMAT, "%s: n_layers: expected 1 to %d, got %llu", path,
                             FWD_MAX_LAYERS, (unsigned long long)v);
    if (rc != FWD_OK)
        return rc;
    f->samples.prior.n_layers = (size_t)v;
    rc = smp_h5_read_prior(loc, path, &f->samples.prior, err);
    rc = rc ? rc : smp_h5_read_f64_in(loc, path, "noise", 0, 1, &f->samples.noise, err);
    rc = rc ? rc : smp_h5_read_u64(loc, path, "samples_seed", &f->samples.seed, err);
    rc = rc ? rc
            : smp_h5_read_filter(loc, path, f->samples.forward_filter,
                                 sizeof f->samples.forward_filter, err);
    rc = rc ? rc
            : smp_h5_read_str(loc, path, "bpinv_version", f->bpinv_version, sizeof f->bpinv_version,
                              err);
    rc = rc ? rc : smp_h5_read_geometry(loc, path, f->samples.method, &f->geom, err);
    rc = rc ? rc : read_inputs(loc, path, f, err);
    rc = rc ? rc : read_layers(loc, path, f, err);
    rc = rc ? rc : read_envelope(loc, path, f, err);
    rc = rc ? rc : read_rest(loc, path, f, err);
    rc = rc ? rc : read_data_stage(loc, path, f, err);
    return rc;
}

invnet_file *
invnet_file_load(const char *path, fwd_error *err)
{
    invnet_file *f = calloc(1, sizeof *f);
    hid_t file = H5I_INVALID_HID;
    uint64_t v;

    if (f == NULL) {
        fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    file = smp_h5_open(path, 0, err);
    if (file < 0 || read_format(file, path, &v, err) != FWD_OK)
        goto fail;
    if (v == INVNET_FORMAT_VERSION_SET) {
        fwd_error_set(err, FWD_EFORMAT,
                      "%s: holds nets for several layer counts (a set): expected one net here",
                      path);
        goto fail;
    }
    if (load_at(file, path, f, err) != FWD_OK)
        goto fail;
    H5Fclose(file);
    return f;
fail:
    if (file >= 0)
        H5Fclose(file);
    invnet_file_free(f);
    return NULL;
}

void
invnet_set_free(invnet_set *s)
{
    size_t k;

    if (s == NULL)
        return;
    for (k = 0; k < s->n; k++)
        invnet_file_free(s->net[k]);
    free(s);
}

const invnet_file *
invnet_set_find(const invnet_set *s, size_t n_layers)
{
    size_t k;

    for (k = 0; k < s->n; k++)
        if (s->net[k]->samples.prior.n_layers == n_layers)
            return s->net[k];
    return NULL;
}

invnet_set *
invnet_set_load(const char *path, fwd_error *err)
{
    invnet_set *s = calloc(1, sizeof *s);
    hid_t file = H5I_INVALID_HID, g;
    uint64_t v, n = 0;
    char name[32], where[1100];
    size_t k;
    int rc;

    if (s == NULL) {
        fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    file = smp_h5_open(path, 0, err);
    if (file < 0 || read_format(file, path, &v, err) != FWD_OK)
        goto fail;
    if (v == INVNET_FORMAT_VERSION) { /* one net, from the file already open */
        if ((s->net[0] = calloc(1, sizeof *s->net[0])) == NULL) {
            fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
        s->n = 1;
        if (load_at(file, path, s->net[0], err) != FWD_OK)
            goto fail;
        H5Fclose(file);
        return s;
    }
    if (H5Aexists(file, "n_nets") <= 0) { /* a set's version without a set's attribute */
        fwd_error_set(err, FWD_EFORMAT,
                      "%s: format_version 2 (a set of nets), but attribute 'n_nets' is missing: "
                      "the file is damaged or not a bpinv set",
                      path);
        goto fail;
    }
    rc = smp_h5_read_u64(file, path, "n_nets", &n, err);
    if (rc == FWD_OK && (n < 1 || n > INVNET_SET_MAX)) {
        fwd_error_set(err, FWD_EFORMAT, "%s: n_nets: expected 1 to %d, got %llu", path,
                      INVNET_SET_MAX, (unsigned long long)n);
        goto fail;
    }
    if (rc != FWD_OK)
        goto fail;
    for (k = 1; k <= FWD_MAX_LAYERS && s->n < n; k++) {
        snprintf(name, sizeof name, "nets/%zu", k);
        if (H5Lexists(file, "nets", H5P_DEFAULT) <= 0 || H5Lexists(file, name, H5P_DEFAULT) <= 0)
            continue;
        snprintf(where, sizeof where, "%s:/%s", path, name);
        g = H5Gopen2(file, name, H5P_DEFAULT);
        if (g < 0 || (s->net[s->n] = calloc(1, sizeof *s->net[s->n])) == NULL) {
            fwd_error_set(err, g < 0 ? FWD_EFORMAT : FWD_ENOMEM, "%s: cannot read", where);
            if (g >= 0)
                H5Gclose(g);
            goto fail;
        }
        rc = load_at(g, where, s->net[s->n++], err);
        H5Gclose(g);
        if (rc != FWD_OK)
            goto fail;
        if (s->net[s->n - 1]->samples.prior.n_layers != k) {
            fwd_error_set(err, FWD_EFORMAT, "%s: n_layers: expected %zu, got %zu", where, k,
                          s->net[s->n - 1]->samples.prior.n_layers);
            goto fail;
        }
        if (s->n > 1 && invnet_set_mismatch(s->net[0], s->net[s->n - 1]) != NULL) {
            fwd_error_set(err, FWD_EFORMAT, "%s: its %s differs from the set's first net", where,
                          invnet_set_mismatch(s->net[0], s->net[s->n - 1]));
            goto fail;
        }
    }
    if (s->n != n) {
        fwd_error_set(err, FWD_EFORMAT, "%s: n_nets: %llu, but %zu nets under /nets", path,
                      (unsigned long long)n, s->n);
        goto fail;
    }
    H5Fclose(file);
    return s;
fail:
    if (file >= 0)
        H5Fclose(file);
    invnet_set_free(s);
    return NULL;
}

fwd_method
invnet_set_method(const invnet_set *s)
{
    return s->net[0]->samples.method;
}

size_t
invnet_set_layers(const invnet_set *s, size_t k)
{
    return k < s->n ? s->net[k]->samples.prior.n_layers : 0;
}
