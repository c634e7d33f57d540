/* SPDX-License-Identifier: MIT */
/*
 * invnet_batch.c - soundings read and inverted in parallel, each result kept whole.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "forward/base/fwd_time.h"
#include "forward/fwd_forward.h"
#include "invnet/invert/invnet_batch.h"

invnet_batch_params
invnet_batch_default(void)
{
    invnet_batch_params p;

    p.check = invnet_check_default();
    p.component = FWD_COMP_DET;
    p.threads = 1;
    p.curves = 0;
    p.curve_points = 120;
    p.curve_pad_decades = 0.1;
    return p;
}

const invnet_candidate *
invnet_batch_best(const invnet_batch_item *it)
{
    return it->status == FWD_OK && it->best < it->n_candidates ? &it->candidates[it->best] : NULL;
}

/* Values per point of a sounding's data (fwd_method.h). */
static size_t
values_per_point(const fwd_sounding *s)
{
    return fwd_method_get(s->method)->nvalues;
}

/* A new copy of n doubles, NULL when out of memory. */
static double *
copy_of(const double *v, size_t n)
{
    double *c = malloc(n * sizeof(double));

    if (c != NULL)
        memcpy(c, v, n * sizeof(double));
    return c;
}

/* The item's only candidate from r, with copies of the arrays r borrows from the inverter. */
static int
keep_result(invnet_batch_item *it, const invnet_result *r)
{
    invnet_candidate *c = calloc(1, sizeof *c);

    if (c == NULL)
        return FWD_ENOMEM;
    it->candidates = c;
    it->n_candidates = 1;
    it->best = 0;
    c->r = *r;
    c->r.response = NULL;
    c->r.observed = NULL;
    c->r.ranges = NULL;
    if (r->ranges != NULL) {
        if ((c->ranges = malloc(sizeof *c->ranges)) == NULL)
            return FWD_ENOMEM;
        if (invnet_ranges_copy(c->ranges, r->ranges) != FWD_OK)
            return FWD_ENOMEM;
    }
    if (r->response != NULL &&
        (c->response = copy_of(r->response, values_per_point(it->s) * it->s->n)) == NULL)
        return FWD_ENOMEM;
    if (r->observed != NULL && (it->observed = copy_of(r->observed, it->s->n)) == NULL)
        return FWD_ENOMEM;
    return FWD_OK;
}

/*
 * The envelope of the responses of c's equivalent models (c->ranges->draws) into c->band,
 * with w, a workspace of the curve's nc points (nv values). Draws whose forward model fails
 * are left out; none left, no band. FWD_OK or FWD_ENOMEM.
 */
static int
make_band(invnet_candidate *c, fwd_workspace *w, size_t nv, size_t nc)
{
    const invnet_ranges *g = c->ranges;
    size_t nl = g->n_layers, np = FWD_MODEL_NPARAMS(nl), d, j, k, used = 0;
    double rho[FWD_MAX_LAYERS], th[FWD_MAX_LAYERS], *f = malloc(nv * sizeof *f);

    c->band = malloc(2 * nv * sizeof *c->band);
    if (f == NULL || c->band == NULL) {
        free(f);
        return FWD_ENOMEM;
    }
    for (k = 0; k < nv; k++) {
        c->band[(k / nc) * 2 * nc + k % nc] = INFINITY;
        c->band[(k / nc) * 2 * nc + nc + k % nc] = -INFINITY;
    }
    for (d = 0; d < g->n_draws; d++) {
        const double *p = g->draws + d * np;

        for (j = 0; j < np; j++)
            *(j < nl ? &rho[j] : &th[j - nl]) = pow(10, p[j]);
        if (fwd_eval(w, nl, rho, th, f, NULL) != FWD_OK)
            continue;
        used++;
        for (k = 0; k < nv; k++) {
            double *lo = &c->band[(k / nc) * 2 * nc + k % nc], *hi = lo + nc;

            *lo = fmin(*lo, f[k]);
            *hi = fmax(*hi, f[k]);
        }
    }
    free(f);
    if (used == 0) {
        free(c->band);
        c->band = NULL;
    }
    return FWD_OK;
}

/*
 * The candidate's response on p->curve_points points log-spaced over the sounding's span
 * (a plain net: and the net's, which it saw extrapolated), widened by p->curve_pad_decades. A
 * forward model that fails there leaves no curve; only running out of memory is an error.
 */
static int
make_curve(invnet_batch_item *it, invnet_candidate *c, const invnet_file *nf,
           const invnet_batch_params *p)
{
    const fwd_sounding *s = it->s;
    const double *xn = fwd_geom_x(nf->geom);
    size_t nc = p->curve_points, k;
    double x0 = nf->masked ? s->x[0] : fmin(s->x[0], xn[0]);
    double x1 = nf->masked ? s->x[s->n - 1] : fmax(s->x[s->n - 1], xn[fwd_geom_size(nf->geom) - 1]);
    double lo = log10(x0) - p->curve_pad_decades, hi = log10(x1) + p->curve_pad_decades;
    fwd_geom *g;
    fwd_workspace *w;
    int ok;

    it->curve_x = malloc(nc * sizeof(double));
    c->curve = malloc(values_per_point(s) * nc * sizeof(double));
    if (it->curve_x == NULL || c->curve == NULL)
        return FWD_ENOMEM;
    for (k = 0; k < nc; k++)
        it->curve_x[k] = pow(10, lo + (hi - lo) * (double)k / (double)(nc - 1));
    g = fwd_geom_alloc(s->method, nc, it->curve_x, NULL, NULL);
    w = g != NULL ? fwd_workspace_alloc(g, NULL, NULL) : NULL;
    ok = w != NULL &&
         fwd_eval(w, c->r.n_layers, c->r.rho_ohmm, c->r.thick_m, c->curve, NULL) == FWD_OK;
    if (ok && c->ranges != NULL && c->ranges->n_draws > 0 &&
        make_band(c, w, values_per_point(s) * nc, nc) != FWD_OK) {
        fwd_workspace_free(w);
        fwd_geom_free(g);
        return FWD_ENOMEM;
    }
    fwd_workspace_free(w);
    fwd_geom_free(g);
    if (ok) {
        it->n_curve = nc;
    } else {
        free(c->curve);
        c->curve = NULL;
        free(it->curve_x);
        it->curve_x = NULL;
    }
    return FWD_OK;
}

/* Records a failed read or inversion in the item: not an error of the batch. */
static void
item_failed(invnet_batch_item *it, const fwd_error *e)
{
    it->status = e->code != FWD_OK ? e->code : FWD_EIO;
    snprintf(it->err, sizeof it->err, "%s", e->msg[0] != '\0' ? e->msg : fwd_strerror(it->status));
}

/* Reads and inverts the sounding of it->path with v. Returns FWD_ENOMEM or FWD_OK. */
static int
invert_one(invnet_inverter *v, const invnet_file *nf, const invnet_batch_params *p,
           invnet_batch_item *it)
{
    double ts = fwd_time_seconds();
    invnet_result r;
    fwd_error e;
    int rc;

    fwd_error_clear(&e);
    it->s = fwd_sounding_read(it->path, nf->samples.method, p->component, &e);
    if (it->s == NULL) {
        item_failed(it, &e);
        return FWD_OK;
    }
    if (invnet_invert(v, it->s, &r, &e) != FWD_OK) {
        item_failed(it, &e);
        return FWD_OK;
    }
    rc = keep_result(it, &r);
    if (rc != FWD_OK)
        return rc;
    it->time_ms = 1e3 * (fwd_time_seconds() - ts);
    if (p->curves && r.inverted)
        rc = make_curve(it, &it->candidates[0], nf, p);
    return rc;
}

/* Every item in parallel, results by index; FWD_ENOMEM if a thread ran out of memory. */
static int
invert_all(const invnet_file *nf, const invnet_batch_params *p, invnet_batch *b, int threads)
{
    long n = (long)b->n;
    int failed = 0;

#pragma omp parallel num_threads(threads) default(none) shared(nf, p, b, n, failed)
    {
        invnet_inverter *v = invnet_inverter_alloc(nf, &p->check, NULL);
        long q;

        if (v == NULL) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 4)
        for (q = 0; q < n; q++) {
            if (v == NULL)
                continue;
            if (invert_one(v, nf, p, &b->item[q]) != FWD_OK) {
#pragma omp atomic write
                failed = 1;
            }
        }
        invnet_inverter_free(v);
    }
    return failed ? FWD_ENOMEM : FWD_OK;
}

int
invnet_batch_invert(const invnet_file *nf, const invnet_batch_params *p, const char *const *paths,
                    size_t n, invnet_batch **out, fwd_error *err)
{
    invnet_batch *b;
    size_t k, threads;
    int rc;

    *out = NULL;
    if (p->threads < 1 || (p->curves && p->curve_points < 2) ||
        !(p->curve_pad_decades >= 0 && isfinite(p->curve_pad_decades)))
        return fwd_error_set(err, FWD_EINVAL,
                             "threads: expected >= 1, curve points >= 2 and a finite pad >= 0");
    if (n > ((size_t)-1) / sizeof(invnet_batch_item))
        return fwd_error_set(err, FWD_ENOMEM, "out of memory");
    b = calloc(1, sizeof *b);
    if (b == NULL || (n > 0 && (b->item = calloc(n, sizeof *b->item)) == NULL)) {
        free(b);
        return fwd_error_set(err, FWD_ENOMEM, "out of memory");
    }
    b->n = n;
    b->n_layers = nf->samples.prior.n_layers;
    b->ranges_level = p->check.ranges ? p->check.range.level : 0;
    for (k = 0; k < n; k++) {
        b->item[k].station.x_m = b->item[k].station.y_m = b->item[k].station.elevation_m = NAN;
        if ((b->item[k].path = strdup(paths[k])) == NULL) {
            invnet_batch_free(b);
            return fwd_error_set(err, FWD_ENOMEM, "out of memory");
        }
    }
    /* no idle threads spinning beside a short run */
    threads = p->threads < n ? p->threads : n;
    rc = n > 0 ? invert_all(nf, p, b, (int)(threads > 1024 ? 1024 : threads)) : FWD_OK;
    if (rc != FWD_OK) {
        invnet_batch_free(b);
        return fwd_error_set(err, rc, "out of memory");
    }
    *out = b;
    return FWD_OK;
}

void
invnet_batch_free(invnet_batch *b)
{
    size_t i, k;

    if (b == NULL)
        return;
    for (i = 0; i < b->n; i++) {
        invnet_batch_item *it = &b->item[i];

        for (k = 0; k < it->n_candidates; k++) {
            free(it->candidates[k].band);
            invnet_ranges_release(it->candidates[k].ranges);
            free(it->candidates[k].ranges);
            free(it->candidates[k].curve);
            free(it->candidates[k].response);
        }
        free(it->candidates);
        free(it->curve_x);
        free(it->observed);
        fwd_sounding_free(it->s);
        free(it->path);
    }
    free(b->item);
    free(b);
}

/* A growing list of paths. */
struct paths {
    char **v;
    size_t n, cap;
};

static int
paths_add(struct paths *l, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        char **v = realloc(l->v, cap * sizeof *v);

        if (v == NULL)
            return FWD_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    if ((l->v[l->n] = strdup(path)) == NULL)
        return FWD_ENOMEM;
    l->n++;
    return FWD_OK;
}

/* The files a directory operand stands for: sounding files by their extension. */
static int
visible(const struct dirent *d)
{
    static const char *const ext[] = {".csv", ".txt", ".dat", ".tsv", ".edi"};
    size_t n = strlen(d->d_name), k, j;

    if (d->d_name[0] == '.' || n < 5)
        return 0;
    for (k = 0; k < sizeof ext / sizeof ext[0]; k++) {
        for (j = 0; j < 4 && tolower((unsigned char)d->d_name[n - 4 + j]) == ext[k][j]; j++)
            continue;
        if (j == 4)
            return 1;
    }
    return 0;
}

/* Adds path, or the regular files of directory path in name order. */
static int
add_operand(struct paths *l, const char *path, fwd_error *err)
{
    struct dirent **names;
    struct stat st;
    char buf[4096];
    int n, k, rc = FWD_OK;

    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return paths_add(l, path); /* a missing file is reported with the others */
    n = scandir(path, &names, visible, alphasort);
    if (n < 0)
        return fwd_error_set(err, FWD_EIO, "%s: cannot read the directory: %s", path,
                             strerror(errno));
    for (k = 0; k < n; k++) {
        /* no double slash when the operand ends with one */
        snprintf(buf, sizeof buf, "%.*s/%s", (int)(strlen(path) - (path[strlen(path) - 1] == '/')),
                 path, names[k]->d_name);
        if (rc == FWD_OK && stat(buf, &st) == 0 && S_ISREG(st.st_mode))
            rc = paths_add(l, buf);
        free(names[k]);
    }
    free(names);
    return rc;
}

int
invnet_batch_expand(const char *const *operands, size_t n_operands, char ***paths, size_t *n,
                    fwd_error *err)
{
    struct paths l = {NULL, 0, 0};
    size_t k;
    int rc = FWD_OK;

    for (k = 0; k < n_operands && rc == FWD_OK; k++)
        rc = add_operand(&l, operands[k], err);
    if (rc != FWD_OK) {
        if (rc == FWD_ENOMEM)
            fwd_error_set(err, FWD_ENOMEM, "out of memory");
        invnet_batch_paths_free(l.v, l.n);
        *paths = NULL;
        *n = 0;
        return rc;
    }
    *paths = l.v;
    *n = l.n;
    return FWD_OK;
}

void
invnet_batch_paths_free(char **paths, size_t n)
{
    size_t k;

    if (paths == NULL)
        return;
    for (k = 0; k < n; k++)
        free(paths[k]);
    free(paths);
}
