/* SPDX-License-Identifier: MIT */
/*
 * invnet_fit.c - training as one call: split, envelope, standardisation, epochs, history.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/base/fwd_io.h"
#include "forward/base/fwd_rng.h"
#include "forward/base/fwd_time.h"
#include "invnet/invnet_fit.h"
#include "invnet/invnet_misfit.h"
#include "invnet/invnet_stats.h"

/* The envelope's eigenvalue floor, relative to the largest, and its quantile rows. */
#define FIT_ENV_REL_FLOOR 1e-10
#define FIT_ENV_Q_ROWS    100000

invnet_fit_params
invnet_fit_default(void)
{
    invnet_fit_params p;

    memset(&p, 0, sizeof p);
    p.hidden[0] = 64;
    p.n_hidden = 1;
    p.act = INVNET_TANH;
    p.val = 0.1;
    p.noisy = 1;
    p.max_samples = 0;
    p.train = invnet_train_default();
    p.version = "";
    p.masked = 0;
    p.mask = invnet_mask_default();
    p.ranks = 1;
    p.head_rows = INVNET_HEAD_ROWS;
    p.data_epochs = 0;
    p.param_weight = 1;
    p.data_lr = 0;
    return p;
}

/* The hidden layers of p, or of net (p NULL), as "64,64" into buf. */
static void
hidden_text(const invnet_fit_params *p, const invnet_net *net, char *buf, size_t cap)
{
    size_t k, n = p != NULL ? p->n_hidden : invnet_net_depth(net) - 1;

    for (k = 0, buf[0] = '\0'; k < n && k < INVNET_MAX_HIDDEN; k++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%zu", k ? "," : "",
                 p != NULL ? p->hidden[k] : invnet_net_units(net, k + 1));
}

size_t
invnet_fit_settings(const invnet_fit_params *p, size_t rows, char *buf, size_t cap)
{
    const invnet_train_params *t = &p->train;
    char hidden[64];
    int n;

    hidden_text(p, NULL, hidden, sizeof hidden);
    /* %.17g: a double's every bit */
    n = snprintf(buf, cap,
                 "rows=%zu data=%s val=%.17g head_rows=%zu hidden=%s "
                 "activation=%s masked=%d min_span=%.17g max_missing=%.17g p_full=%.17g "
                 "p_missing=%.17g layout=%s epochs=%zu batch=%zu optimizer=%s learning_rate=%.17g "
                 "momentum=%.17g beta1=%.17g beta2=%.17g adam_eps=%.17g lr_decay=%.17g "
                 "patience=%zu min_delta=%.17g seed=%llu huber=%.17g average=%.17g "
                 "data_epochs=%zu param_weight=%.17g data_learning_rate=%.17g",
                 rows, p->noisy ? "noisy" : "clean", p->val,
                 p->head_rows ? p->head_rows : (size_t)INVNET_HEAD_ROWS, hidden,
                 invnet_activation_name(p->act), p->masked, p->mask.min_span, p->mask.max_missing,
                 p->mask.p_full, p->mask.p_missing, invnet_mask_layout_name(p->mask.layout),
                 t->epochs, t->batch, invnet_optimizer_name(t->opt), invnet_train_lr(t),
                 t->momentum, t->beta1, t->beta2, t->adam_eps, t->lr_decay, t->patience,
                 t->min_delta, (unsigned long long)t->seed, t->huber, t->average, p->data_epochs,
                 p->param_weight, p->data_lr > 0 ? p->data_lr : invnet_train_lr(t));
    if (n >= 0 && p->init != NULL) { /* a warm start's net (appended: older strings stand) */
        int m =
            snprintf(buf + ((size_t)n < cap ? (size_t)n : 0), (size_t)n < cap ? cap - (size_t)n : 0,
                     " init=%016llx", (unsigned long long)invnet_fit_init_hash(p->init->net));

        n = m < 0 ? m : n + m;
    }
    return n < 0 ? 0 : (size_t)n;
}

uint64_t
invnet_fit_init_hash(const invnet_net *net)
{
    uint64_t h = fwd_hash(FWD_HASH_START, invnet_net_params_const(net),
                          invnet_net_nparams(net) * sizeof(double));
    int k;

    for (k = 0; k < 4; k++)
        h = fwd_hash(h, invnet_net_norm_const(net, k),
                     (k < 2 ? invnet_net_n_in(net) : invnet_net_n_out(net)) * sizeof(double));
    return h;
}

/* One value of a settings string for a message: a fraction to 15 digits (0.1, not
 * 0.10000000000000001), anything else (whole numbers, names) as it is. */
static void
setting_value(const char *v, size_t n, char *out, size_t cap)
{
    char buf[128], *end;
    double x;

    snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf ? n : sizeof buf - 1), v);
    x = fwd_strtod(buf, &end);
    if (end != buf && *end == '\0' && strpbrk(buf, ".eE") != NULL)
        snprintf(out, cap, "%.15g", x);
    else if ((snprintf(out, cap, "%s", buf) >= (int)cap || n >= sizeof buf) && cap > 4)
        memcpy(out + strlen(out) - (strlen(out) > 3 ? 3 : 0), "...", 4); /* a long value cut */
}

/* The value of s's setting init= (a warm start's hash) into buf; "" without one. */
static void
init_setting(const char *s, char *buf, size_t cap)
{
    const char *at = strstr(s, " init=");

    snprintf(buf, cap, "%.*s", at != NULL ? (int)strcspn(at + 6, " ") : 0,
             at != NULL ? at + 6 : "");
}

/* The first setting of a (a settings string) that b differs in: its name into name, its
 * values in a and in b into va and vb (cap bytes each); 0 when they are the same. */
static int
settings_differ(const char *a, const char *b, char *name, char *va, char *vb, size_t cap)
{
    while (*a != '\0' || *b != '\0') {
        size_t la = strcspn(a, " "), lb = strcspn(b, " ");

        if (la != lb || strncmp(a, b, la) != 0) {
            size_t na = strcspn(a, "= "), nb = strcspn(b, "= ");

            snprintf(name, cap, "%.*s", (int)(la > 0 ? na : nb), la > 0 ? a : b);
            setting_value(a + na + (a[na] == '='), la - na - (a[na] == '='), va, cap);
            setting_value(b + nb + (b[nb] == '='), lb - nb - (b[nb] == '='), vb, cap);
            if (la == 0) /* a setting one string has (init=) and the other not */
                snprintf(va, cap, "none");
            if (lb == 0)
                snprintf(vb, cap, "none");
            return 1;
        }
        a += la + (a[la] == ' ');
        b += lb + (b[lb] == ' ');
    }
    return 0;
}

/* The least and the largest of g's points. */
static void
fit_range(const fwd_geom *g, double *lo, double *hi)
{
    const double *x = fwd_geom_x(g);
    size_t k;

    *lo = INFINITY;
    *hi = -INFINITY;
    for (k = 0; k < fwd_geom_size(g); k++) {
        *lo = x[k] < *lo ? x[k] : *lo;
        *hi = x[k] > *hi ? x[k] : *hi;
    }
}

double
invnet_fit_span(const fwd_geom *g)
{
    double lo, hi;

    fit_range(g, &lo, &hi);
    return log10(hi) - log10(lo);
}

int
invnet_fit_masked(const invnet_fit_params *p, const fwd_geom *g)
{
    return p->masked && invnet_fit_span(g) > p->mask.min_span + 1e-9;
}

/* The points of g as "30 points, 1 to 1000 m" into buf. */
static void
points_text(const fwd_geom *g, char *buf, size_t cap)
{
    double lo, hi;
    size_t n = fwd_geom_size(g);

    fit_range(g, &lo, &hi);
    snprintf(buf, cap, "%zu point%s, %g to %g %s%s", n, n == 1 ? "" : "s", lo, hi,
             fwd_method_get(fwd_geom_method(g))->x_unit,
             fwd_geom_mn2(g) != NULL ? " with MN/2" : "");
}

int
invnet_fit_init_check(const invnet_fit_params *p, const char *samples_path, const smp_header *h,
                      const fwd_geom *g, fwd_error *err)
{
    const invnet_file *in = p->init;
    const char *name = p->init_name != NULL ? p->init_name : "the net to start from";
    char a[96], b[96];
    size_t k;
    int masked;

    if (in == NULL)
        return FWD_OK;
    if (in->samples.method != h->method)
        return fwd_error_set_field(err, FWD_EINVAL, "method",
                                   "%s: a net for %s soundings; %s holds %s soundings: a training "
                                   "starts only from a net of its method",
                                   name, fwd_method_name(in->samples.method), samples_path,
                                   fwd_method_name(h->method));
    if (in->samples.prior.n_layers != h->prior.n_layers)
        return fwd_error_set_field(err, FWD_EINVAL, "layers",
                                   "%s: a net of %zu layers; %s holds earths of %zu: a training "
                                   "starts only from a net of its layer count",
                                   name, in->samples.prior.n_layers, samples_path,
                                   h->prior.n_layers);
    if (!fwd_geom_equal(in->geom, g)) {
        points_text(in->geom, a, sizeof a);
        points_text(g, b, sizeof b);
        return fwd_error_set_field(err, FWD_EINVAL, "geometry",
                                   "%s: a net of %s; %s is of %s%s: a training starts only from a "
                                   "net of the same points",
                                   name, a, samples_path, b,
                                   strcmp(a, b) == 0 ? " (other values between)" : "");
    }
    masked = invnet_fit_masked(p, g);
    if (masked != in->masked)
        return fwd_error_set_field(err, FWD_EINVAL, "masked",
                                   "%s: a net of %s; this training makes one of %s (min_span %g "
                                   "decades of a %.3g-decade span): a training starts only from a "
                                   "net of the same inputs",
                                   name, in->masked ? "any part of its span" : "its whole span",
                                   masked ? "any part of its span" : "its whole span",
                                   p->mask.min_span, invnet_fit_span(g));
    if (masked && in->mask.layout != p->mask.layout)
        return fwd_error_set_field(
            err, FWD_EINVAL, "layout", "%s: its inputs are laid out %s; this training's %s", name,
            invnet_mask_layout_name(in->mask.layout), invnet_mask_layout_name(p->mask.layout));
    for (k = 0; k < p->n_hidden && p->n_hidden + 1 == invnet_net_depth(in->net); k++)
        if (p->hidden[k] != invnet_net_units(in->net, k + 1))
            break;
    if (p->n_hidden + 1 != invnet_net_depth(in->net) || k < p->n_hidden) {
        hidden_text(NULL, in->net, a, sizeof a);
        hidden_text(p, NULL, b, sizeof b);
        return fwd_error_set_field(err, FWD_EINVAL, "hidden",
                                   "%s: hidden units %s; this training's %s: a training starts "
                                   "only from a net of the same layers",
                                   name, a, b);
    }
    if (invnet_net_activation(in->net) != p->act)
        return fwd_error_set_field(
            err, FWD_EINVAL, "activation", "%s: %s hidden units; this training's are %s", name,
            invnet_activation_name(invnet_net_activation(in->net)), invnet_activation_name(p->act));
    return FWD_OK;
}

/* A new net file for d with the provenance and settings of p; NULL with err set. */
static invnet_file *
fit_file_alloc(const char *samples_path, const invnet_dataset *d, const invnet_fit_params *p,
               size_t n_train, size_t n_val, fwd_error *err)
{
    invnet_file *f = calloc(1, sizeof *f);
    size_t npts, n_in;

    if (f == NULL) {
        fwd_error_set(err, FWD_ENOMEM, "out of memory");
        return NULL;
    }
    f->samples = d->h;
    f->train = p->train;
    f->train.lr = invnet_train_lr(&p->train);
    f->n_train = n_train;
    f->n_val = n_val;
    snprintf(f->samples_path, sizeof f->samples_path, "%s", samples_path);
    snprintf(f->data, sizeof f->data, "%s", p->noisy ? "noisy" : "clean");
    snprintf(f->bpinv_version, sizeof f->bpinv_version, "%s", p->version != NULL ? p->version : "");
    f->masked = p->masked;
    f->mask = p->mask;
    npts = fwd_geom_size(d->geom);
    n_in = p->masked && npts > 0 ? invnet_mask_n_in(p->mask.layout, d->n_in / npts, npts) : d->n_in;
    f->net = invnet_net_alloc(n_in, p->n_hidden, p->hidden, d->n_out, p->act, err);
    f->env = invnet_envelope_alloc(d->n_in);
    if (f->net == NULL || f->env == NULL) {
        if (f->net != NULL)
            fwd_error_set(err, FWD_ENOMEM, "out of memory");
        invnet_file_free(f);
        return NULL;
    }
    return f;
}

/*
 * Whether any process of a part failed (bad non-zero on this one): of a part, a sum over
 * the processes, so that all stop together rather than wait for the one that left; of a
 * whole set, bad itself.
 */
static int
fit_agree(const invnet_dataset *d, const invnet_fit_params *p, int bad)
{
    double v = bad != 0;

    if (d->part)
        p->reduce(p->reduce_ud, &v, 1);
    return v > 0;
}

/*
 * One mean and one sd for every point of a value (the pooled statistics of its npts
 * columns): in the aligned layout a slot holds a different point for every window, so a
 * standardised value must mean the same there whatever the point.
 */
static void
fit_pool(size_t npts, size_t n_in, double *mean, double *sd)
{
    size_t v, k;

    for (v = 0; npts > 0 && v + npts <= n_in; v += npts) {
        double m = 0, s = 0;

        for (k = 0; k < npts; k++)
            m += mean[v + k];
        m /= (double)npts;
        for (k = 0; k < npts; k++)
            s += sd[v + k] * sd[v + k] + (mean[v + k] - m) * (mean[v + k] - m);
        s = sqrt(s / (double)npts);
        for (k = 0; k < npts; k++) {
            mean[v + k] = m;
            sd[v + k] = s > 0 ? s : 1;
        }
    }
}

/* The training rows the statistics are computed from, at most. */
static size_t
fit_head(const invnet_fit_params *p)
{
    return p->head_rows > 0 ? p->head_rows : INVNET_HEAD_ROWS;
}

/*
 * The arrays of f that fit_share() sends, into fld and len (values each): the
 * normalisation, then the envelope's bounds, mean, and its e->n_pc components. Their count.
 */
static size_t
share_fields(invnet_file *f, double **fld, size_t *len)
{
    invnet_envelope *e = f->env;
    size_t ni = invnet_net_n_in(f->net), no = invnet_net_n_out(f->net), n = e->n;

    fld[0] = invnet_net_in_mean(f->net), len[0] = ni;
    fld[1] = invnet_net_in_sd(f->net), len[1] = ni;
    fld[2] = invnet_net_out_mean(f->net), len[2] = no;
    fld[3] = invnet_net_out_sd(f->net), len[3] = no;
    fld[4] = e->min, len[4] = n;
    fld[5] = e->max, len[5] = n;
    fld[6] = e->mean, len[6] = n;
    fld[7] = e->pc_var, len[7] = e->n_pc;
    fld[8] = e->pc, len[8] = e->n_pc * n;
    return 9;
}

/*
 * Process 0's statistics of a part's head (the net's normalisation, the envelope) to every
 * process, bit for bit, through p's exchange; rc is process 0's FWD_OK, or its error. 0 when
 * shared; -1 when any process is out of memory or process 0 failed (err says which).
 */
static int
fit_share(invnet_file *f, const invnet_dataset *d, const invnet_fit_params *p, int rc,
          fwd_error *err)
{
    invnet_envelope *e = f->env;
    size_t n = e->n, ni = invnet_net_n_in(f->net), no = invnet_net_n_out(f->net);
    size_t len = 4 + 2 * ni + 2 * no + 4 * n + n * n, size = (size_t)p->ranks, k, nf, len_k[9];
    size_t *c = calloc(4 * size, sizeof *c);
    double *v = calloc(2 * len, sizeof *v), *at, *fld[9];

    if (fit_agree(d, p, c == NULL || v == NULL)) {
        free(c);
        free(v);
        fwd_error_set(err, FWD_ENOMEM, "out of memory");
        return -1;
    }
    if (p->rank == 0) { /* its code, the envelope's scalars, then the arrays */
        v[0] = rc;
        v[1] = (double)e->n_pc;
        v[2] = e->d2_q99;
        v[3] = e->d2_q999;
        nf = rc == FWD_OK ? share_fields(f, fld, len_k) : 0;
        for (k = 0, at = v + 4; k < nf; at += len_k[k], k++)
            memcpy(at, fld[k], len_k[k] * sizeof *v);
        for (k = 1; k < size; k++) /* to each other process, from the same buffer */
            c[k] = len;
    } else {
        c[2 * size] = len; /* from process 0 */
    }
    /* received apart from what is sent: MPI wants the buffers apart */
    p->exchange(p->exchange_ud, v, c, c + size, v + len, c + 2 * size, c + 3 * size);
    if (p->rank != 0)
        memcpy(v, v + len, len * sizeof *v);
    rc = (int)v[0];
    if (p->rank != 0 && rc == FWD_OK) {
        e->n_pc = (size_t)v[1];
        e->d2_q99 = v[2];
        e->d2_q999 = v[3];
        nf = share_fields(f, fld, len_k);
        for (k = 0, at = v + 4; k < nf; at += len_k[k], k++)
            memcpy(fld[k], at, len_k[k] * sizeof *v);
    } else if (p->rank != 0) {
        fwd_error_set(err, rc, "the statistics of the first rows failed (process 0 says why)");
    }
    free(c);
    free(v);
    return rc == FWD_OK ? 0 : -1;
}

/*
 * Widens env's bounds to every training row of d beyond the head (rows [0, n_train) of
 * the set), over all the processes of p when d is a part: each puts its bounds in its own
 * slot, zeros elsewhere, and the sum gives every process every slot, exactly. 0, or -1 out
 * of memory (on any process: all then fail).
 */
static int
fit_bounds(invnet_envelope *env, const invnet_dataset *d, size_t n_train,
           const invnet_fit_params *p)
{
    size_t n = env->n, rows = d->part ? d->train_held : n_train, i, j, k;
    size_t nproc = d->part ? (size_t)p->ranks : 1, me = d->part ? (size_t)p->rank : 0;
    double *b = calloc(nproc * 2 * n + 1, sizeof *b), *mine;

    if (fit_agree(d, p, b == NULL)) { /* all go on, or none does */
        free(b);
        return -1;
    }
    mine = b + me * 2 * n;
    for (j = 0; j < n; j++) {
        mine[j] = env->min[j];
        mine[n + j] = env->max[j];
    }
    for (i = 0; i < rows; i++)
        for (j = 0; j < n; j++) {
            double v = d->x[i * n + j];

            mine[j] = v < mine[j] ? v : mine[j];
            mine[n + j] = v > mine[n + j] ? v : mine[n + j];
        }
    if (nproc > 1)
        p->reduce(p->reduce_ud, b, nproc * 2 * n);
    for (k = 0; k < nproc; k++)
        for (j = 0; j < n; j++) {
            env->min[j] = b[k * 2 * n + j] < env->min[j] ? b[k * 2 * n + j] : env->min[j];
            env->max[j] = b[k * 2 * n + n + j] > env->max[j] ? b[k * 2 * n + n + j] : env->max[j];
        }
    free(b);
    return 0;
}

int
invnet_fit_prepare(const char *samples_path, invnet_dataset *d, const invnet_fit_params *p,
                   invnet_file **out, invnet_fit_info *info, fwd_error *err)
{
    invnet_fit_info scratch_info;
    fwd_error scratch, env_err;
    invnet_fit_params mp;
    invnet_file *f;
    size_t n_val, n_train, n_head, j;

    *out = NULL;
    err = err != NULL ? err : &scratch;
    info = info != NULL ? info : &scratch_info;
    memset(info, 0, sizeof *info);
    info->best_val_loss = INFINITY;
    if (!(p->param_weight >= 0 && isfinite(p->param_weight)) ||
        !(p->data_lr >= 0 && p->data_lr <= 10))
        return fwd_error_set(err, FWD_EINVAL,
                             "param_weight, data_lr: expected a finite value >= 0 and 0 to 10, "
                             "got %g, %g",
                             p->param_weight, p->data_lr);
    if (!(p->val >= 0 && p->val < 1))
        return fwd_error_set_field(err, FWD_EINVAL, "val",
                                   "validation fraction: expected 0 <= val < 1, got %g", p->val);
    n_val = invnet_n_val(d->rows, p->val);
    n_train = d->rows > n_val ? d->rows - n_val : 0;
    info->rows = d->rows;
    info->n_train = n_train;
    info->n_val = n_val;
    info->n_in = d->n_in;
    info->n_out = d->n_out;
    if (n_train < 2)
        return fwd_error_set(err, FWD_EINVAL,
                             "%s: %zu complete samples leave %zu for training; expected >= 2",
                             samples_path, d->rows, n_train);
    if (d->part && (d->n_val != n_val || p->ranks < 2 || p->reduce == NULL || p->exchange == NULL))
        return fwd_error_set(err, FWD_EINVAL,
                             "%s: a part of the rows (%zu validating) needs the processes that "
                             "hold the others, and %zu validating",
                             samples_path, d->n_val, n_val);
    mp = *p;
    mp.masked = invnet_fit_masked(p, d->geom);
    if (mp.masked && invnet_mask_check(&p->mask, err) != FWD_OK)
        return err->code;
    if (mp.masked && fwd_geom_size(d->geom) > INVNET_MASK_MAX_POINTS)
        return fwd_error_set_field(err, FWD_EINVAL, "min_span",
                                   "%s: %zu points: a net that inverts part of its span takes "
                                   "at most %d (a min_span as wide as the span makes a net of "
                                   "the whole span, which takes any number)",
                                   samples_path, fwd_geom_size(d->geom), INVNET_MASK_MAX_POINTS);
    if (invnet_fit_init_check(p, samples_path, &d->h, d->geom, err) != FWD_OK)
        return err->code; /* alike on every process: each holds the same net and header */
    f = fit_file_alloc(samples_path, d, &mp, n_train, n_val, err);
    if (fit_agree(d, p, f == NULL)) {
        if (f != NULL)
            fwd_error_set(err, FWD_ENOMEM, "out of memory (on another process)");
        invnet_file_free(f);
        return err->code;
    }
    f->init_val_loss = NAN;
    if (p->init != NULL) { /* a warm start: its weights, and the normalisation they are of */
        const invnet_net *from = p->init->net;

        memcpy(invnet_net_params(f->net), invnet_net_params_const(from),
               invnet_net_nparams(f->net) * sizeof(double));
        memcpy(invnet_net_in_mean(f->net), invnet_net_norm_const(from, 0),
               invnet_net_n_in(from) * sizeof(double));
        memcpy(invnet_net_in_sd(f->net), invnet_net_norm_const(from, 1),
               invnet_net_n_in(from) * sizeof(double));
        memcpy(invnet_net_out_mean(f->net), invnet_net_norm_const(from, 2),
               invnet_net_n_out(from) * sizeof(double));
        memcpy(invnet_net_out_sd(f->net), invnet_net_norm_const(from, 3),
               invnet_net_n_out(from) * sizeof(double));
        snprintf(f->init_net, sizeof f->init_net, "%s",
                 p->init_name != NULL ? p->init_name : "(a net in memory)");
    } else {
        invnet_net_init(f->net, p->train.seed);
    }
    /* the envelope describes the training features in physical units: its shape from the
     * head, its bounds from every training row */
    n_head = d->part ? d->n_head : n_train < fit_head(p) ? n_train : fit_head(p);
    env_err.code = FWD_OK;
    if (!d->part || p->rank == 0) { /* of a part, process 0 computes them for all */
        invnet_envelope_compute(f->env, n_head, d->x, FIT_ENV_REL_FLOOR, FIT_ENV_Q_ROWS, &env_err);
    }
    if ((!d->part || p->rank == 0) && p->init == NULL) { /* the normalisation, unless started */
        invnet_colstats(n_head, d->n_in, d->x, invnet_net_in_mean(f->net),
                        invnet_net_in_sd(f->net));
        if (f->masked && f->mask.layout == INVNET_MASK_ALIGNED)
            fit_pool(fwd_geom_size(d->geom), d->n_in, invnet_net_in_mean(f->net),
                     invnet_net_in_sd(f->net));
        invnet_colstats(n_head, d->n_out, d->t, invnet_net_out_mean(f->net),
                        invnet_net_out_sd(f->net));
    }
    if (d->part && fit_share(f, d, p, env_err.code, &env_err) != 0)
        env_err.code = env_err.code != FWD_OK ? env_err.code : FWD_ENOMEM;
    if (env_err.code != FWD_OK) {
        invnet_file_free(f);
        return fwd_error_set(err, env_err.code, "%s: %s", samples_path, env_err.msg);
    }
    if (fit_bounds(f->env, d, n_train, p) != 0) {
        invnet_file_free(f);
        return fwd_error_set(err, FWD_ENOMEM, "out of memory");
    }
    info->n_in = invnet_net_n_in(f->net);
    invnet_dataset_standardise(d, 0, f->net);
    /* a masked net's indicators (and where its window starts) are as they are; features
     * placed again (the aligned layout's second block) are standardised as the features */
    for (j = d->n_in; j < invnet_net_n_in(f->net) && p->init == NULL; j++) {
        int again = f->mask.layout == INVNET_MASK_ALIGNED && j / d->n_in == 2;

        invnet_net_in_mean(f->net)[j] = again ? invnet_net_in_mean(f->net)[j % d->n_in] : 0;
        invnet_net_in_sd(f->net)[j] = again ? invnet_net_in_sd(f->net)[j % d->n_in] : 1;
    }
    f->geom = d->geom;
    d->geom = NULL;
    *out = f;
    return FWD_OK;
}

/* How a masked net's training rows become its inputs: a mask per row and epoch. */
struct mask_ctx {
    invnet_mask_params p;
    size_t npts, nvalues;
    double *logx;
    uint64_t seed;
};

/* The net's points in log10 into c->logx. */
static void
mc_log(struct mask_ctx *c, const fwd_geom *g)
{
    size_t k;

    for (k = 0; k < c->npts; k++)
        c->logx[k] = log10(fwd_geom_x(g)[k]);
}

static void
mask_input(const void *ud, uint64_t epoch, size_t row, const double *x, double *in)
{
    const struct mask_ctx *c = ud;
    unsigned char obs[INVNET_MASK_MAX_POINTS];

    invnet_mask_draw(&c->p, c->npts, c->logx, c->seed, epoch, row, obs);
    invnet_mask_input(c->p.layout, c->nvalues, c->npts, x, obs, in);
}

/* The inputs of the n rows d holds from `at` on, rows first, first + 1, ... of the set: as
 * they are (borrowed, *own NULL), or for a masked net each with a mask of "epoch 0"
 * (training epochs count from 1), fixed for the run, in a new array (*own, to free). NULL
 * when out of memory. */
static const double *
fixed_inputs(const invnet_dataset *d, const invnet_file *f, const struct mask_ctx *c, size_t at,
             size_t first, size_t n, double **own)
{
    size_t ni = invnet_net_n_in(f->net), i;

    *own = NULL;
    if (!f->masked)
        return d->x + at * d->n_in;
    if ((*own = malloc((n > 0 ? n : 1) * ni * sizeof **own)) == NULL)
        return NULL;
    for (i = 0; i < n; i++)
        mask_input(c, 0, first + i, d->x + (at + i) * d->n_in, *own + i * ni);
    return *own;
}

/* Room for n epochs in f's history (*cap); 0, or -1 out of memory. */
static int
history_reserve(invnet_file *f, size_t *cap, size_t n)
{
    double *a, *b;

    if (n <= *cap)
        return 0;
    a = realloc(f->train_loss, n * sizeof *a);
    if (a != NULL)
        f->train_loss = a;
    b = realloc(f->val_loss, n * sizeof *b);
    if (b != NULL)
        f->val_loss = b;
    if (a == NULL || b == NULL)
        return -1;
    *cap = n;
    return 0;
}

/* Appends e's losses to f's history, growing it by doubling from *cap. */
static int
history_push(invnet_file *f, size_t *cap, const invnet_epoch *e, fwd_error *err)
{
    if (f->n_epochs == *cap && history_reserve(f, cap, *cap ? 2 * *cap : 64) != 0)
        return fwd_error_set(err, FWD_ENOMEM, "out of memory for the loss history");
    f->train_loss[f->n_epochs] = e->train_loss;
    f->val_loss[f->n_epochs] = e->val_loss;
    f->n_epochs++;
    return FWD_OK;
}

/* The checkpoints of a run (invnet_fit_params.checkpoint). */
struct ckpt_ctx {
    const invnet_fit_params *p;
    invnet_train_state *snap; /* the trainer's state at the end of the last epoch; NULL: none */
    invnet_net *best;         /* a net of its stage's best weights */
    int stage;                /* the stage of that epoch; 0: none yet */
    char settings[INVNET_CKPT_SETTINGS];
    double base, t0; /* seconds of training in the runs before; this run's start */
};

/* The state at the end of an epoch of the stage, kept for the checkpoints. */
static void
ckpt_take(struct ckpt_ctx *c, const invnet_trainer *tr, int stage)
{
    if (c->snap == NULL)
        return;
    invnet_trainer_get_state(tr, c->snap);
    c->stage = stage;
}

/* The checkpoint of the last epoch, given to the caller's function. */
static void
ckpt_give(struct ckpt_ctx *c, const invnet_file *f, int stopped)
{
    invnet_file view;
    invnet_ckpt ck;

    if (c->snap == NULL || c->stage == 0)
        return;
    memcpy(invnet_net_params(c->best), c->snap->best, c->snap->np * sizeof(double));
    view = *f; /* borrowed parts: the history, the geometry, the envelope */
    view.net = c->best;
    view.train_seconds = c->base + fwd_time_seconds() - c->t0;
    if (c->snap->best_epoch > 0) /* the stage's best, whose weights these are */
        view.best_epoch = c->snap->best_epoch;
    if (c->stage == 1) { /* the data stage set up, none of its epochs ended: not begun */
        view.data_epochs = view.data_first_epoch = 0;
        view.n_data_halved = 0;
    }
    memset(&ck, 0, sizeof ck);
    memcpy(ck.settings, c->settings, sizeof ck.settings);
    ck.training = &view;
    ck.state = c->snap;
    ck.stage = c->stage;
    ck.seconds = view.train_seconds;
    c->p->checkpoint(c->p->checkpoint_ud, &ck, stopped);
}

/* The first of n values of a and b that differ (bit for bit), or n. */
static size_t
first_change(const double *a, const double *b, size_t n)
{
    size_t k;

    for (k = 0; k < n && memcmp(a + k, b + k, sizeof *a) == 0; k++)
        ;
    return k;
}

/*
 * Takes over the training of p->resume: the same settings and the same rows (their
 * statistics, bit for bit), then its history into f and, in the first stage, its trainer's
 * state into tr.
 */
static int
fit_resume(const char *samples_path, const invnet_fit_params *p, invnet_file *f, invnet_trainer *tr,
           invnet_fit_info *info, struct ckpt_ctx *c, fwd_error *err)
{
    const invnet_ckpt *r = p->resume;
    const invnet_file *g = r->training;
    const char *name = p->resume_name != NULL ? p->resume_name : "the checkpoint";
    char what[128], wa[128], wb[128];
    size_t k, n, n_in = invnet_net_n_in(f->net), n_out = invnet_net_n_out(f->net);

    if (g == NULL || r->state == NULL)
        return fwd_error_set(err, FWD_EINVAL, "%s: holds no training in progress", name);
    /* the start first: the layout settings a start stands for follow it */
    init_setting(r->settings, wa, sizeof wa);
    init_setting(c->settings, wb, sizeof wb);
    if (strcmp(wa, wb) != 0) {
        char from_a[1200], from_b[1200];

        if (wa[0] != '\0')
            snprintf(from_a, sizeof from_a, "%s (weights %s)", g->init_net, wa);
        else
            snprintf(from_a, sizeof from_a, "the seed's weights");
        if (wb[0] != '\0')
            snprintf(from_b, sizeof from_b, "%s (weights %s)",
                     p->init_name != NULL ? p->init_name : "a net", wb);
        else
            snprintf(from_b, sizeof from_b, "the seed's weights");
        return fwd_error_set_field(err, FWD_EINVAL, "init",
                                   "%s: its training of %s began from %s; this one from %s: a "
                                   "training continues from the net it began from",
                                   name, g->samples_path, from_a, from_b);
    }
    if (settings_differ(r->settings, c->settings, what, wa, wb, sizeof wa))
        return fwd_error_set_field(err, FWD_EINVAL, what,
                                   "%s: its training of %s had %s %s; this one has %s %s: a "
                                   "training continues with the settings it began with",
                                   name, g->samples_path, what, wa, what, wb);
    if (invnet_net_n_in(g->net) != n_in || invnet_net_n_out(g->net) != n_out ||
        g->n_epochs > p->train.epochs + p->data_epochs ||
        r->state->last_epoch > p->train.epochs + p->data_epochs)
        return fwd_error_set_field(err, FWD_EINVAL, "settings",
                                   "%s: its net of %zu inputs and %zu outputs, %zu epochs run of "
                                   "at most %zu, is not of the settings it names (%zu, %zu, at "
                                   "most %zu epochs): the file is damaged",
                                   name, invnet_net_n_in(g->net), invnet_net_n_out(g->net),
                                   g->n_epochs, r->state->last_epoch, n_in, n_out,
                                   p->train.epochs + p->data_epochs);
    for (k = 0; k < 4; k++) { /* the rows: their statistics */
        n = k < 2 ? n_in : n_out;
        if (first_change(invnet_net_norm_const(f->net, (int)k),
                         invnet_net_norm_const(g->net, (int)k), n) < n)
            break;
    }
    n = f->env->n;
    if (k < 4 || invnet_net_nparams(f->net) != invnet_net_nparams(g->net) ||
        f->n_train != g->n_train || n != g->env->n ||
        first_change(f->env->min, g->env->min, n) < n ||
        first_change(f->env->max, g->env->max, n) < n ||
        first_change(f->env->mean, g->env->mean, n) < n)
        return fwd_error_set_field(err, FWD_EINVAL, "samples",
                                   "%s: %s holds other rows than the training it holds was of "
                                   "(%s): their means or ranges differ",
                                   name, samples_path, g->samples_path);
    memcpy(f->train_loss, g->train_loss, g->n_epochs * sizeof(double));
    memcpy(f->val_loss, g->val_loss, g->n_epochs * sizeof(double));
    f->n_epochs = g->n_epochs;
    f->best_epoch = g->best_epoch;
    f->init_val_loss = g->init_val_loss;
    f->data_epochs = g->data_epochs;
    f->data_first_epoch = g->data_first_epoch;
    f->param_weight = g->param_weight;
    f->data_lr = g->data_lr;
    f->n_data_halved = g->n_data_halved;
    memcpy(f->data_halved_at, g->data_halved_at, sizeof f->data_halved_at);
    c->base = r->seconds;
    if (g->n_epochs > 0) { /* the last epoch, as the progress callback saw it */
        info->last.epoch = g->n_epochs;
        info->last.train_loss = g->train_loss[g->n_epochs - 1];
        info->last.val_loss = g->val_loss[g->n_epochs - 1];
        info->last.improved = r->state->best_epoch == g->n_epochs;
    }
    if (g->best_epoch > 0)
        info->best_val_loss = g->val_loss[g->best_epoch - 1];
    else if (p->init != NULL) /* none has beaten the net it began from yet */
        info->best_val_loss = g->init_val_loss;
    if (r->stage == 1)
        return invnet_trainer_set_state(tr, r->state, err);
    /* the data stage's best so far: the net, should a stop come before its next epoch */
    memcpy(invnet_net_params(f->net), r->state->best, r->state->np * sizeof(double));
    return FWD_OK;
}

/*
 * Runs the trainer's stage to its end (or until cb or the stop flag stops it:
 * info->stopped), each epoch into f's history and through cb; then restores the stage's
 * best weights into the net (those it started from when none of its epochs ended), with
 * f->best_epoch and info->best_val_loss when one did.
 */
static int
run_stage(invnet_trainer *tr, invnet_file *f, size_t *cap, invnet_fit_progress_fn cb, void *ud,
          invnet_fit_info *info, struct ckpt_ctx *c, fwd_error *err)
{
    invnet_epoch e;
    double best;
    size_t b;
    int rc;

    while (!info->stopped && !invnet_trainer_test(tr)) {
        if ((rc = invnet_trainer_iterate(tr, &e, err)) != FWD_OK)
            return rc;
        if (e.stopped) { /* by the stop flag, mid-epoch: that epoch does not count */
            info->stopped = 1;
            ckpt_give(c, f, 1);
            break;
        }
        if ((rc = history_push(f, cap, &e, err)) != FWD_OK)
            return rc;
        info->last = e;
        if (e.halved && f->n_data_halved < INVNET_TRAIN_HALVINGS) /* recorded in the file */
            f->data_halved_at[f->n_data_halved++] = e.epoch;
        ckpt_take(c, tr, info->stage);
        ckpt_give(c, f, 0);
        if (cb != NULL && cb(info, &e, ud) != 0) {
            info->stopped = 1;
            ckpt_give(c, f, 1);
        }
    }
    b = invnet_trainer_restore_best(tr, &best);
    if (b > 0 || f->best_epoch == 0) {
        f->best_epoch = b;
        info->best_val_loss = best;
    }
    return FWD_OK;
}

/* The data stage (invnet_misfit.h) after the first, or on from a checkpoint of it: its loss
 * into *mis (freed by the caller), its settings into f, its epochs run. */
static int
data_stage(const invnet_dataset *d, const invnet_fit_params *p, invnet_trainer *tr, invnet_file *f,
           size_t *cap, invnet_fit_progress_fn cb, void *ud, invnet_fit_info *info,
           struct ckpt_ctx *ck, invnet_misfit **mis, fwd_error *err)
{
    int resumed = p->resume != NULL && p->resume->stage == 2, rc;

    *mis = invnet_misfit_alloc(f, 1.0, p->train.nthreads, err);
    if (fit_agree(d, p, *mis == NULL))
        return *mis == NULL ? err->code
                            : fwd_error_set(err, FWD_ENOMEM, "out of memory (on another process)");
    invnet_trainer_set_loss(tr, p->data_epochs, p->data_lr, p->param_weight, invnet_misfit_loss,
                            *mis);
    if (resumed && (rc = invnet_trainer_set_state(tr, p->resume->state, err)) != FWD_OK)
        return rc; /* as every process: its sizes were checked alike */
    f->data_epochs = p->data_epochs;
    f->param_weight = p->param_weight;
    f->data_lr = p->data_lr > 0 ? p->data_lr : f->train.lr;
    if (!resumed)
        f->data_first_epoch = f->n_epochs + 1;
    info->stage = 2;
    if ((rc = run_stage(tr, f, cap, cb, ud, info, ck, err)) != FWD_OK)
        return rc;
    if (f->n_epochs < f->data_first_epoch) /* stopped before any of its epochs ended */
        f->data_epochs = f->data_first_epoch = 0;
    return FWD_OK;
}

int
invnet_fit_dataset(const char *samples_path, invnet_dataset *d, const invnet_fit_params *p,
                   invnet_fit_progress_fn cb, void *ud, invnet_file **out, invnet_fit_info *info,
                   fwd_error *err)
{
    invnet_fit_info scratch_info;
    fwd_error scratch;
    invnet_trainer *tr = NULL;
    invnet_misfit *mis = NULL;
    invnet_file *f = NULL;
    struct mask_ctx mc = {0};
    struct ckpt_ctx ck = {0};
    int resumed2 = p->resume != NULL && p->resume->stage == 2; /* in the data stage */
    const double *xv = NULL;
    double *xv_own = NULL;
    size_t nt, nv, nx, ny, ht, hv, cap = 0;
    int rank, ranks;
    double t0, e;
    int rc;

    err = err != NULL ? err : &scratch;
    info = info != NULL ? info : &scratch_info;
    rc = invnet_fit_prepare(samples_path, d, p, out, info, err);
    if (rc != FWD_OK)
        return rc;
    f = *out;
    *out = NULL;
    nt = info->n_train;
    nv = info->n_val;
    nx = d->n_in;
    ny = d->n_out;
    ht = d->part ? d->val_at : nt; /* the rows held: training, then validation */
    hv = d->part ? d->val_held : nv;
    rank = d->part ? p->rank : 0; /* the processes the rows are split between */
    ranks = d->part ? p->ranks : 1;
    mc.p = f->mask;
    mc.npts = fwd_geom_size(f->geom);
    mc.nvalues = nx / mc.npts;
    mc.seed = p->train.seed ^ 0x6d61736bu; /* "mask": a stream apart from the shuffling's */
    mc.logx = malloc(mc.npts * sizeof *mc.logx);
    if (mc.logx != NULL) {
        mc_log(&mc, f->geom);
        xv = fixed_inputs(d, f, &mc, ht, nt + (d->part ? d->val_first : 0), hv, &xv_own);
    }
    if (xv == NULL)
        rc = fwd_error_set(err, FWD_ENOMEM, "out of memory");
    else if ((tr = invnet_trainer_alloc(f->net, &f->train, nt, d->x, d->t, nv, xv, d->t + ht * ny,
                                        err)) == NULL)
        rc = err->code;
    if (rc == FWD_OK && f->masked)
        invnet_trainer_set_input(tr, nx, mask_input, &mc);
    if (rc == FWD_OK)
        invnet_trainer_set_ranks(tr, p->rank, p->ranks, p->reduce, p->reduce_ud);
    if (rc == FWD_OK)
        invnet_trainer_set_stop(tr, p->stop);
    if (rc == FWD_OK && d->part && (f->train.batch * (nx + ny) > INT_MAX))
        rc = fwd_error_set_field(err, FWD_EINVAL, "batch",
                                 "batch: %zu rows of %zu values are more than one exchange between "
                                 "processes takes (%d values); use a smaller batch",
                                 f->train.batch, nx + ny, INT_MAX);
    if (rc == FWD_OK && d->part && invnet_trainer_set_split(tr, p->exchange, p->exchange_ud) != 0)
        rc = fwd_error_set(err, FWD_ENOMEM, "out of memory");
    /* the history's room for every epoch, so that no process fails alone mid-run */
    if (rc == FWD_OK && history_reserve(f, &cap, p->train.epochs + p->data_epochs) != 0)
        rc = fwd_error_set(err, FWD_ENOMEM, "out of memory for the loss history");
    ck.p = p;
    invnet_fit_settings(p, info->rows, ck.settings, sizeof ck.settings);
    if (rc == FWD_OK && p->checkpoint != NULL &&
        ((ck.snap = invnet_train_state_alloc(invnet_net_nparams(f->net), nt,
                                             f->train.average > 0)) == NULL ||
         (ck.best = invnet_net_clone(f->net)) == NULL))
        rc = fwd_error_set(err, FWD_ENOMEM, "out of memory for the checkpoints");
    if (rc == FWD_OK && p->resume != NULL)
        rc = fit_resume(samples_path, p, f, tr, info, &ck, err);
    if (fit_agree(d, p, rc != FWD_OK)) {
        rc = rc != FWD_OK ? rc
                          : fwd_error_set(err, FWD_ENOMEM, "out of memory (on another process)");
        goto done;
    }
    /* a warm start: the net it begins from is the best so far (every process: collective) */
    if (p->init != NULL && p->resume == NULL) {
        if ((rc = invnet_trainer_keep_start(tr, &f->init_val_loss, err)) != FWD_OK)
            goto done;
        info->best_val_loss = f->init_val_loss;
    }
    info->stage = resumed2 ? 2 : 1;
    if (cb != NULL && cb(info, NULL, ud) != 0)
        info->stopped = 1;
    ck.t0 = t0 = fwd_time_seconds();
    if (!resumed2 && (rc = run_stage(tr, f, &cap, cb, ud, info, &ck, err)) != FWD_OK)
        goto done;
    if (p->data_epochs > 0 && !info->stopped &&
        (rc = data_stage(d, p, tr, f, &cap, cb, ud, info, &ck, &mis, err)) != FWD_OK)
        goto done;
    f->train_seconds = ck.base + fwd_time_seconds() - t0;
    if (nv > 0) {
        e = invnet_evaluate_split(f->net, p->train.nthreads, nv, xv, d->t + ht * ny, f->val_rmse,
                                  rank, ranks, p->reduce, p->reduce_ud);
    } else {
        free(xv_own);
        if ((xv = fixed_inputs(d, f, &mc, 0, d->train_first, d->part ? d->train_held : nt,
                               &xv_own)) == NULL) {
            rc = fwd_error_set(err, FWD_ENOMEM, "out of memory");
            goto done;
        }
        e = invnet_evaluate_split(f->net, p->train.nthreads, nt, xv, d->t, f->val_rmse, rank, ranks,
                                  p->reduce, p->reduce_ud);
    }
    if (isnan(e)) { /* its workspaces could not be had: the RMSE would read 0 */
        rc = fwd_error_set(err, FWD_ENOMEM, "out of memory for the validation errors");
        goto done;
    }
    *out = f;
    f = NULL;
done:
    invnet_train_state_free(ck.snap);
    invnet_net_free(ck.best);
    invnet_trainer_free(tr);
    invnet_misfit_free(mis);
    invnet_file_free(f);
    free(xv_own);
    free(mc.logx);
    return rc;
}

int
invnet_fit(const char *samples_path, const invnet_fit_params *p, invnet_fit_progress_fn cb,
           void *ud, invnet_file **out, invnet_fit_info *info, fwd_error *err)
{
    fwd_error scratch;
    invnet_dataset *d;
    int rc;

    *out = NULL;
    err = err != NULL ? err : &scratch;
    d = invnet_dataset_load_part(samples_path, p->noisy, p->max_samples, p->val, fit_head(p),
                                 p->exchange != NULL ? p->rank : 0,
                                 p->exchange != NULL ? p->ranks : 1, err);
    if (d == NULL)
        return err->code != FWD_OK ? err->code : FWD_EIO;
    rc = invnet_fit_dataset(samples_path, d, p, cb, ud, out, info, err);
    invnet_dataset_free(d);
    return rc;
}
