/* SPDX-License-Identifier: MIT */
/*
 * invnet_invert.c - one sounding through the net, with its checks.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_interp.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "forward/base/fwd_io.h"
#include "forward/base/fwd_rng.h"
#include "forward/fwd_forward.h"
#include "invnet/invert/invnet_invert.h"
#include "invnet/invnet_mask.h"
#include "invnet/invnet_stats.h"

/* Geometries whose forward workspaces an inverter keeps (soundings of a survey share one). */
#define CACHE 4

struct cached {
    fwd_geom *g;
    fwd_workspace *w;
    unsigned long used;
};

struct invnet_inverter {
    const invnet_file *nf;
    invnet_check_params p;
    invnet_work *w;
    size_t n_net, nd_net, np;
    double *feat, *params, *data;     /* the features (nd_net), the net's output (np) */
    double *in, *z;                   /* a masked net's input; its features standardised */
    double *contrib;                  /* each feature's term of d2 (nd_net) */
    double *extra;                    /* each feature's error variance beyond the training noise */
    double *d2work;                   /* scratch of the partial distance (nd_net^2 + 2 nd_net) */
    double *logx;                     /* the net's points, log10 (n_net) */
    double lo, hi;                    /* their smallest and largest */
    unsigned char *obs, *obs_feat;    /* observed net points (n_net) and features (nd_net) */
    double *lm;                       /* the refined parameters (np) */
    invnet_lm_workspace *lmw;         /* the refinement's memory, kept from fit to fit */
    double start[2 * FWD_MAX_LAYERS]; /* the refinement's start instead of the net's model */
    int has_start;
    size_t starts;        /* the most starts of the refinement now (invnet_inverter_set_starts) */
    int all_starts;       /* run them all, also past a fit within the noise */
    double *lx, *ly, *lp; /* the merged curve: log10 x, log10 rho_a, phase */
    double *seg, *resp;   /* log10 shift of each point's segment; f(m) at the points */
    size_t seg_ref;       /* the reference segment, by increasing MN/2 (merge_curve) */
    size_t *level;        /* each point's unknown level (invnet_lm_params.level): the
                             segments joined to the reference across a gap (no shared AB/2),
                             1 to n_levels, 0 the others (merge_curve) */
    size_t n_levels;
    int refining;    /* physics() of fits: the levels of gap blocks fitted (relevel) */
    double *rsh;     /* the observed rho_a with the segment shifts applied */
    double *scratch; /* one value per point, for the gaps of the curve */
    double *absz;    /* two per point: the refined fit's residuals in units of error */
    size_t cap;      /* room of the per-point arrays */
    struct cached c[CACHE];
    invnet_ranges rg; /* the last sounding's equivalent models */
    unsigned long tick;
    gsl_interp_accel *acc;
};

const char *
invnet_flag_name(int k)
{
    static const char *const names[INVNET_NFLAGS] = {"data_outside_training_range",
                                                     "extrapolated_geometry",
                                                     "not_inverted",
                                                     "model_at_prior_bound",
                                                     "high_misfit",
                                                     "segment_jump",
                                                     "unresolved_parameters",
                                                     "ranges_not_converged",
                                                     "outlier_reading",
                                                     "outlier_dropped"};

    return k >= 0 && k < INVNET_NFLAGS ? names[k] : "unknown";
}

const char *
invnet_flag_list(unsigned flags, const char *sep, char *buf, size_t cap)
{
    int k;

    buf[0] = '\0';
    for (k = 0; k < INVNET_NFLAGS; k++)
        if (flags & (1u << k)) {
            if (buf[0] != '\0')
                strncat(buf, sep, cap - strlen(buf) - 1);
            strncat(buf, invnet_flag_name(k), cap - strlen(buf) - 1);
        }
    return buf;
}

invnet_check_params
invnet_check_default(void)
{
    invnet_check_params p;

    p.span_tol_decades = 0.02;
    p.max_extrapolated = 0.2;
    p.d2_factor = 1;
    p.bound_tol = 0.02;
    p.misfit_noise_factor = 2;
    p.misfit_floor_pct = 5;
    p.chi2_max = 4;
    p.outlier_sigmas = 5;
    p.segment_jump = 1.2;
    p.segment_ref = 0;
    p.gap_decades = 0.35;
    p.refine_iter = 0;
    p.refine_starts = 8;
    p.refit_factor = 1.5;
    p.ranges = 0;
    p.range = invnet_ranges_default();
    p.equivalent = 0;
    p.n_holds = 0;
    p.exit_decades = 2;
    return p;
}

/* The names of the held parameters, by kind. */
static const char *const hold_names[] = {"rho", "h", "depth"};

/* "rho2", "h1", "depth3": the name of hold h, into buf. */
static const char *
hold_name(const invnet_hold *h, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%zu", hold_names[h->kind], h->layer);
    return buf;
}

/* One NAME=VALUE (fixed) or NAME=LO:HI part of a holds spec (len bytes at s) into *h. */
static int
hold_part(const char *s, size_t len, int fixed, invnet_hold *h, fwd_error *err)
{
    const char *field = fixed ? "fix" : "bound";
    char buf[96], *eq, *end, *name;
    size_t k;
    long layer;

    if (len >= sizeof buf)
        return fwd_error_set_field(err, FWD_EINVAL, field, "%s: \"%.40s...\": expected NAME=%s",
                                   field, s, fixed ? "VALUE" : "LO:HI");
    memcpy(buf, s, len);
    buf[len] = '\0';
    for (name = buf; *name == ' '; name++)
        continue;
    if ((eq = strchr(name, '=')) == NULL)
        return fwd_error_set_field(err, FWD_EINVAL, field, "%s: \"%s\": expected NAME=%s", field,
                                   name, fixed ? "VALUE (rho2=50)" : "LO:HI (depth2=30:40)");
    *eq = '\0';
    for (k = 0; k < 3; k++) {
        size_t n = strlen(hold_names[k]);

        if (strncmp(name, hold_names[k], n) == 0 && name[n] >= '1' && name[n] <= '9')
            break;
        if (k == INVNET_HOLD_THICK && strncmp(name, "thick", 5) == 0 && name[5] >= '1' &&
            name[5] <= '9')
            break;
    }
    layer =
        k < 3 ? strtol(name + (k == 1 && name[0] == 't' ? 5 : strlen(hold_names[k])), &end, 10) : 0;
    if (k == 3 || *end != '\0' || layer < 1 || layer > FWD_MAX_LAYERS)
        return fwd_error_set_field(err, FWD_EINVAL, field,
                                   "%s: \"%s\": expected rhoK, hK (thickK) or depthK, K a layer "
                                   "from 1",
                                   field, name);
    h->kind = (invnet_hold_kind)k;
    h->layer = (size_t)layer;
    h->lo = fwd_strtod(eq + 1, &end);
    if (!fixed && *end == ':')
        h->hi = fwd_strtod(end + 1, &end);
    else
        h->hi = h->lo;
    if (*end != '\0' || (!fixed && strchr(eq + 1, ':') == NULL) || !(h->lo > 0) ||
        !isfinite(h->lo) || !(h->hi > 0) || !isfinite(h->hi) || h->lo > h->hi)
        return fwd_error_set_field(
            err, FWD_EINVAL, field, "%s: %s=\"%s\": expected %s", field, name, eq + 1,
            fixed ? "a value > 0 (ohm-m or m)" : "LO:HI, 0 < LO <= HI (ohm-m or m)");
    return FWD_OK;
}

int
invnet_holds_parse(invnet_check_params *p, const char *spec, int fixed, fwd_error *err)
{
    const char *field = fixed ? "fix" : "bound";
    invnet_hold add[INVNET_MAX_HOLDS];
    size_t n = 0, k, j;
    const char *q = spec;

    if (spec == NULL || *spec == '\0')
        return fwd_error_set_field(err, FWD_EINVAL, field, "%s: expected NAME=%s,...", field,
                                   fixed ? "VALUE" : "LO:HI");
    while (*q != '\0') {
        size_t len = strcspn(q, ",");
        int rc;

        if (p->n_holds + n == INVNET_MAX_HOLDS)
            return fwd_error_set_field(err, FWD_EINVAL, field,
                                       "%s: expected at most %d parameters held, got more", field,
                                       INVNET_MAX_HOLDS);
        if ((rc = hold_part(q, len, fixed, &add[n], err)) != FWD_OK)
            return rc;
        for (k = 0; k < p->n_holds + n; k++) {
            const invnet_hold *o = k < p->n_holds ? &p->hold[k] : &add[k - p->n_holds];
            char b[32];

            if (o->kind == add[n].kind && o->layer == add[n].layer)
                return fwd_error_set_field(err, FWD_EINVAL, field,
                                           "%s: %s: expected each parameter held once, got it "
                                           "twice",
                                           field, hold_name(o, b, sizeof b));
        }
        n++;
        q += len + (q[len] == ',');
    }
    for (j = 0; j < n; j++)
        p->hold[p->n_holds++] = add[j];
    return FWD_OK;
}

/* Hold h as the options give it: its name ("depth2") into b, its value ("20", "9:11") into
 * val. */
static void
hold_spec(const invnet_hold *h, char *b, size_t bcap, char *val, size_t vcap)
{
    hold_name(h, b, bcap);
    if (h->lo == h->hi)
        snprintf(val, vcap, "%g", h->lo);
    else
        snprintf(val, vcap, "%g:%g", h->lo, h->hi);
}

/* The hold of p of this kind and layer, or NULL. */
static const invnet_hold *
hold_of(const invnet_check_params *p, invnet_hold_kind kind, size_t layer)
{
    size_t k;

    for (k = 0; k < p->n_holds; k++)
        if (p->hold[k].kind == kind && p->hold[k].layer == layer)
            return &p->hold[k];
    return NULL;
}

/*
 * Where the bottom of layer `layer` can lie given the prior and the other holds: from the
 * surface, each thickness within its hold or its prior; from each depth held above it, that
 * depth's interval plus the thicknesses between. [*lo, *hi] m, empty (lo > hi) when none.
 */
static void
depth_reach(const smp_prior *pr, const invnet_check_params *p, size_t layer, double *lo, double *hi)
{
    size_t j, u;

    for (u = 0; u < layer; u++) { /* u: the layer of a depth held above (0: the surface) */
        const invnet_hold *d = u > 0 ? hold_of(p, INVNET_HOLD_DEPTH, u) : NULL;
        double a = d != NULL ? d->lo : 0, b = d != NULL ? d->hi : 0;

        if (u > 0 && d == NULL)
            continue;
        for (j = u + 1; j <= layer; j++) {
            const invnet_hold *t = hold_of(p, INVNET_HOLD_THICK, j);

            a += t != NULL ? t->lo : pr->thick_min[j - 1];
            b += t != NULL ? t->hi : pr->thick_max[j - 1];
        }
        *lo = u == 0 ? a : fmax(*lo, a);
        *hi = u == 0 ? b : fmin(*hi, b);
    }
}

int
invnet_holds_check(const invnet_file *nf, const invnet_check_params *p, fwd_error *err)
{
    const smp_prior *pr = &nf->samples.prior;
    size_t k, j, nl = pr->n_layers;

    for (k = 0; k < p->n_holds; k++) {
        const invnet_hold *h = &p->hold[k];
        const char *field = h->lo == h->hi ? "fix" : "bound";
        double lo, hi;
        char b[32], val[64];

        hold_spec(h, b, sizeof b, val, sizeof val);
        if (p->refine_iter == 0)
            return fwd_error_set_field(err, FWD_EINVAL, field,
                                       "%s: %s=%s: parameters are held in the refinement, "
                                       "expected it on (--no-refine)",
                                       field, b, val);
        if (h->layer > (h->kind == INVNET_HOLD_RHO ? nl : nl - 1))
            return fwd_error_set_field(err, FWD_EINVAL, field,
                                       "%s: %s=%s: expected a layer of the net's %zu-layer model "
                                       "(%s)",
                                       field, b, val, nl,
                                       h->kind == INVNET_HOLD_RHO ? "rho1 .. rhoN"
                                                                  : "h and depth above the "
                                                                    "half-space");
        if (h->kind == INVNET_HOLD_DEPTH) {
            for (lo = hi = 0, j = 0; j < h->layer; j++) {
                lo += pr->thick_min[j];
                hi += pr->thick_max[j];
            }
        } else {
            lo = h->kind == INVNET_HOLD_RHO ? pr->rho_min[h->layer - 1]
                                            : pr->thick_min[h->layer - 1];
            hi = h->kind == INVNET_HOLD_RHO ? pr->rho_max[h->layer - 1]
                                            : pr->thick_max[h->layer - 1];
        }
        if (h->lo < lo || h->hi > hi)
            return fwd_error_set_field(err, FWD_EINVAL, field,
                                       "%s: %s=%s: expected inside the prior of layer %zu, %g .. "
                                       "%g %s",
                                       field, b, val, h->layer, lo, hi,
                                       h->kind == INVNET_HOLD_RHO ? "ohm-m" : "m");
    }
    for (k = 0; k < p->n_holds; k++) { /* a depth the other holds let no model reach */
        const invnet_hold *h = &p->hold[k];
        double lo = 0, hi = 0;
        char b[32], val[64];

        if (h->kind != INVNET_HOLD_DEPTH)
            continue;
        depth_reach(pr, p, h->layer, &lo, &hi);
        if (h->hi < lo * (1 - 1e-9) || h->lo > hi * (1 + 1e-9)) {
            hold_spec(h, b, sizeof b, val, sizeof val);
            return fwd_error_set_field(err, FWD_EINVAL, h->lo == h->hi ? "fix" : "bound",
                                       "%s: %s=%s: expected within the reach of the other "
                                       "parameters held above it and the prior's thicknesses, "
                                       "%.6g .. %.6g m",
                                       h->lo == h->hi ? "fix" : "bound", b, val, lo, hi);
        }
    }
    return FWD_OK;
}

void
invnet_inverter_free(invnet_inverter *v)
{
    int k;

    if (v == NULL)
        return;
    for (k = 0; k < CACHE; k++) {
        fwd_workspace_free(v->c[k].w);
        fwd_geom_free(v->c[k].g);
    }
    gsl_interp_accel_free(v->acc);
    invnet_ranges_release(&v->rg);
    free(v->resp);
    free(v->rsh);
    free(v->scratch);
    free(v->absz);
    free(v->seg);
    free(v->level);
    free(v->lp);
    free(v->ly);
    free(v->lx);
    free(v->data);
    free(v->lm);
    invnet_lm_workspace_free(v->lmw);
    free(v->params);
    free(v->feat);
    free(v->in);
    free(v->z);
    free(v->contrib);
    free(v->extra);
    free(v->d2work);
    free(v->logx);
    free(v->obs);
    free(v->obs_feat);
    invnet_work_free(v->w);
    free(v);
}

void
invnet_inverter_set_ranges(invnet_inverter *v, int on)
{
    v->p.ranges = on;
}

void
invnet_inverter_set_exit(invnet_inverter *v, double decades)
{
    v->p.exit_decades = decades;
}

void
invnet_inverter_set_starts(invnet_inverter *v, size_t n, int all)
{
    v->starts = n > 0 ? n : v->p.refine_starts;
    v->all_starts = all;
}

void
invnet_inverter_set_start(invnet_inverter *v, const double *p)
{
    v->has_start = p != NULL;
    if (p != NULL)
        memcpy(v->start, p, FWD_MODEL_NPARAMS(v->nf->samples.prior.n_layers) * sizeof(double));
}

invnet_inverter *
invnet_inverter_alloc(const invnet_file *nf, const invnet_check_params *p, fwd_error *err)
{
    invnet_inverter *v = calloc(1, sizeof *v);
    size_t k;
    int bad = v == NULL;

    if (!bad) {
        v->nf = nf;
        v->p = p != NULL ? *p : invnet_check_default();
        v->starts = v->p.refine_starts;
        v->n_net = fwd_geom_size(nf->geom);
        v->nd_net = fwd_geom_ndata(nf->geom);
        v->np = invnet_net_n_out(nf->net);
        bad = (v->w = invnet_work_alloc(nf->net, 1, err)) == NULL;
        bad = bad || (v->feat = malloc(v->nd_net * sizeof(double))) == NULL;
        bad = bad || (v->data = malloc(v->nd_net * sizeof(double))) == NULL;
        bad = bad || (v->params = malloc(v->np * sizeof(double))) == NULL;
        bad = bad || (v->lm = malloc(v->np * sizeof(double))) == NULL;
        bad = bad || (v->lmw = invnet_lm_workspace_alloc()) == NULL;
        bad = bad || (v->acc = gsl_interp_accel_alloc()) == NULL;
        bad = bad || (v->in = malloc(invnet_net_n_in(nf->net) * sizeof(double))) == NULL;
        bad = bad || (v->z = malloc(v->nd_net * sizeof(double))) == NULL;
        bad = bad || (v->contrib = malloc(v->nd_net * sizeof(double))) == NULL;
        bad = bad || (v->extra = malloc(v->nd_net * sizeof(double))) == NULL;
        bad = bad || (v->d2work = malloc((v->nd_net + 2) * v->nd_net * sizeof(double))) == NULL;
        bad = bad || (v->logx = malloc(v->n_net * sizeof(double))) == NULL;
        bad = bad || (v->obs = malloc(v->n_net)) == NULL;
        bad = bad || (v->obs_feat = malloc(v->nd_net)) == NULL;
    }
    for (k = 0; !bad && k < v->n_net; k++) {
        v->logx[k] = log10(fwd_geom_x(nf->geom)[k]);
        v->lo = k == 0 ? v->logx[k] : fmin(v->lo, v->logx[k]);
        v->hi = k == 0 ? v->logx[k] : fmax(v->hi, v->logx[k]);
    }

    if (bad) {
        invnet_inverter_free(v);
        fwd_error_set(err, FWD_ENOMEM, "out of memory");
        return NULL;
    }
    return v;
}

/* Room for soundings of n points. */
static int
reserve(invnet_inverter *v, size_t n)
{
    double **arr[8] = {&v->lx, &v->ly, &v->lp, &v->seg, &v->resp, &v->rsh, &v->scratch, &v->absz};
    size_t per_point[8] = {1, 1, 1, 1, 2, 1, 1, 2}; /* the response holds MT phases too */
    int k;

    if (n <= v->cap)
        return FWD_OK;
    {
        size_t *l = realloc(v->level, n * sizeof *l);

        if (l == NULL)
            return FWD_ENOMEM;
        v->level = l;
    }
    for (k = 0; k < 8; k++) {
        double *p = realloc(*arr[k], per_point[k] * n * sizeof(double));

        if (p == NULL)
            return FWD_ENOMEM;
        *arr[k] = p;
    }
    v->cap = n;
    return FWD_OK;
}

/* The forward workspace of geometry g (taken over by the cache, or freed), built once. */
static fwd_workspace *
workspace_for(invnet_inverter *v, fwd_geom *g, fwd_error *err)
{
    int k, lru = 0;

    for (k = 0; k < CACHE; k++)
        if (v->c[k].g != NULL && fwd_geom_equal(v->c[k].g, g)) {
            v->c[k].used = ++v->tick;
            fwd_geom_free(g);
            return v->c[k].w;
        }
    for (k = 1; k < CACHE; k++)
        if (v->c[k].used < v->c[lru].used)
            lru = k;
    fwd_workspace_free(v->c[lru].w);
    fwd_geom_free(v->c[lru].g);
    v->c[lru].g = g;
    v->c[lru].w = fwd_workspace_alloc(g, NULL, err);
    v->c[lru].used = ++v->tick;
    if (v->c[lru].w == NULL) {
        fwd_geom_free(v->c[lru].g);
        v->c[lru].g = NULL;
    }
    return v->c[lru].w;
}

/* Segments that share no AB/2 are joined by the curve through the points of each nearest
 * the other (up to JOIN_NEAR each). */
#define JOIN_NEAR 3

/* The median of the n > 0 values of a (sorted in place). */
static double
median(double *a, size_t n)
{
    gsl_sort(a, 1, n);
    return gsl_stats_median_from_sorted_data(a, 1, n);
}

/* The k (at most JOIN_NEAR) points of (x, y) (n, in logs) nearest the span [lo, hi], not at
 * an x of the other segment (ox, on), into (px, py); how many. */
static size_t
nearest(const double *x, const double *y, size_t n, const double *ox, size_t on, double lo,
        double hi, double *px, double *py)
{
    double dist[JOIN_NEAR];
    size_t i, j, k = 0;

    for (i = 0; i < n; i++) {
        double d = x[i] < lo ? lo - x[i] : x[i] > hi ? x[i] - hi : 0;

        for (j = 0; j < on && ox[j] != x[i]; j++)
            continue;
        if (j < on)
            continue; /* shared: not a witness of its own reading */
        if (k == JOIN_NEAR && d >= dist[k - 1])
            continue;
        if (k < JOIN_NEAR)
            k++;
        for (j = k - 1; j > 0 && dist[j - 1] > d; j--) {
            dist[j] = dist[j - 1];
            px[j] = px[j - 1];
            py[j] = py[j - 1];
        }
        dist[j] = d;
        px[j] = x[i];
        py[j] = y[i];
    }
    return k;
}

/*
 * The log10 offset d that puts the points (bx, by) (nb) on one smooth curve with (ax, ay)
 * (na): the least-squares fit of y = c0 + c1 t + c2 t^2 (t = x - t0) to a's points and
 * y + d to b's. 0 with *ok 0 when the points cannot settle it (fewer than 5, one side
 * empty, or normal equations that are not positive definite). Solved by Cholesky (GSL).
 */
static double
smooth_offset(const double *ax, const double *ay, size_t na, const double *bx, const double *by,
              size_t nb, int *ok)
{
    double m[4 * 4] = {0}, rhs[4] = {0}, sol[4], t0 = 0;
    gsl_matrix_view mv = gsl_matrix_view_array(m, 4, 4);
    gsl_vector_view rv = gsl_vector_view_array(rhs, 4), sv = gsl_vector_view_array(sol, 4);
    size_t i, j, k;

    *ok = 0;
    if (na == 0 || nb == 0 || na + nb < 5)
        return 0;
    for (i = 0; i < na; i++)
        t0 += ax[i] / (double)(na + nb);
    for (i = 0; i < nb; i++)
        t0 += bx[i] / (double)(na + nb);
    for (i = 0; i < na + nb; i++) { /* the normal equations */
        double t = (i < na ? ax[i] : bx[i - na]) - t0, y = i < na ? ay[i] : by[i - na];
        double row[4] = {1, t, t * t, i < na ? 0 : 1};

        for (j = 0; j < 4; j++) {
            for (k = 0; k < 4; k++)
                m[j * 4 + k] += row[j] * row[k];
            rhs[j] += row[j] * y;
        }
    }
    if (gsl_linalg_cholesky_decomp1(&mv.matrix) != GSL_SUCCESS ||
        gsl_linalg_cholesky_solve(&mv.matrix, &rv.vector, &sv.vector) != GSL_SUCCESS)
        return 0;
    *ok = 1;
    return -sol[3]; /* b's points are y = curve - coefficient: the offset that lifts them */
}

/*
 * The log10 factor that brings segment b (nb points) onto segment a (na points), x in logs,
 * increasing. Shared AB/2 measure the shift themselves (the same AB/2, two MN/2): the median
 * of the log ratios there, one alone its ratio. Until 2026-12-06 one shared reading that was
 * 0.15 decades from a smooth curve through the segments' nearest points was taken for a bad
 * one and the curve's offset used: on a steep branch the curve is what is wrong (a factor
 * 2.5 on an exact 1D earth), and 45 % of in-prior soundings of six 4-point segments came out
 * high_misfit (0 % now; docs/bench/2026-12-06-segments.md); a bad shared reading is left to
 * the outlier test. No shared AB/2: the offset of one smooth curve through the points of
 * each nearest the other (smooth_offset), or 0. tmp: room for na + nb values and 4 JOIN_NEAR
 * more.
 */
static double
join_offset(const double *ax, const double *ay, size_t na, const double *bx, const double *by,
            size_t nb, double *tmp)
{
    double *ux = tmp + na + nb, *uy = ux + JOIN_NEAR, *wx = uy + JOIN_NEAR, *wy = wx + JOIN_NEAR;
    double d;
    size_t i, j, n = 0, nu, nw;
    int ok;

    for (i = 0; i < nb; i++)
        for (j = 0; j < na; j++)
            if (ax[j] == bx[i])
                tmp[n++] = ay[j] - by[i];
    if (n > 0)
        return median(tmp, n);
    nu = nearest(ax, ay, na, bx, nb, bx[0], bx[nb - 1], ux, uy);
    nw = nearest(bx, by, nb, ax, na, ax[0], ax[na - 1], wx, wy);
    d = smooth_offset(ux, uy, nu, wx, wy, nw, &ok);
    return ok ? d : 0;
}

/* The largest factor between two neighbour segments of s (by MN/2) as v->seg has them. */
static double
seg_jump(const invnet_inverter *v, const fwd_sounding *s)
{
    double l, prev = NAN, jump = 0;
    size_t i;

    for (l = fwd_sounding_next_mn2(s, 0); l < INFINITY; l = fwd_sounding_next_mn2(s, l)) {
        for (i = 0; s->mn2[i] != l; i++)
            continue;
        if (!isnan(prev))
            jump = fmax(jump, fabs(v->seg[i] - prev));
        prev = v->seg[i];
    }
    return pow(10, jump);
}

/*
 * The unknown levels of a sounding of ns segments (by increasing MN/2, the points of
 * segment k at idx[start[k] .. start[k + 1])), r the reference: segments linked by shared
 * AB/2 (exactly equal, as rejoin() finds them) form a block, known to each other through
 * those readings; a block apart from the reference's, across a gap, has a level no reading
 * measures, only the model: v->level of its points 1 to v->n_levels, the fit's unknowns.
 */
static void
gap_levels(invnet_inverter *v, const fwd_sounding *s, size_t ns, const size_t *start,
           const size_t *idx, size_t r)
{
    size_t k, a, b, blk = 0, ref_blk = 0, *of = v->level; /* first each point's block */

    for (k = 0; k < ns; k++) {
        int shared = 0;

        for (a = start[k]; k > 0 && a < start[k + 1] && !shared; a++)
            for (b = start[k - 1]; b < start[k] && !shared; b++)
                shared = s->x[idx[a]] == s->x[idx[b]];
        blk += k > 0 && !shared;
        if (k == r)
            ref_blk = blk;
        for (a = start[k]; a < start[k + 1]; a++)
            of[idx[a]] = blk;
    }
    v->n_levels = blk;         /* blocks but the reference's */
    for (a = 0; a < s->n; a++) /* 0 the reference's block, the others 1 to n_levels */
        of[a] = of[a] == ref_blk ? 0 : of[a] < ref_blk ? of[a] + 1 : of[a];
}

/* The points-weighted median of ns segments' levels lev, segment k holding cnt[k] of n
 * points (ties broken by order): its index, SIZE_MAX when none (no points). The level
 * most points agree on: --segment-ref auto's reference. */
static size_t
weighted_median(const double *lev, const size_t *cnt, size_t ns, size_t n)
{
    double half = 0.5 * (double)n;
    size_t k, j, med = SIZE_MAX;

    for (k = 0; k < ns; k++) {
        double below = 0;

        for (j = 0; j < ns; j++)
            if (lev[j] < lev[k] || (lev[j] == lev[k] && j < k))
                below += (double)cnt[j];
        if (below < half && below + (double)cnt[k] >= half)
            med = k;
    }
    return med;
}

/*
 * The sounding as one curve of distinct points, in logs, into v->lx, v->ly (v->lp: MT
 * phases), *m of them. Schlumberger segments of one MN/2 each are joined: each neighbour
 * pair's factor by join_offset, chained from the smallest MN/2; then all are brought to the
 * reference segment (the smallest MN/2, the one of MN/2 ref > 0, or with ref < 0 the level
 * most points agree on: the points-weighted median) and one AB/2 measured in several
 * segments is averaged in log. v->seg[i] the log10 shift of point i's segment; *jump the
 * largest factor between two neighbours. FWD_EINVAL for a ref the sounding has not,
 * FWD_ENOMEM.
 */
static int
merge_curve(invnet_inverter *v, const fwd_sounding *s, double ref, size_t *m, double *jump,
            fwd_error *err)
{
    size_t n = s->n, i, j, k, ns = 0, *start, *idx, r = 0;
    double *mn, *c, *sx, *sy, *tmp, *cnt, next;

    *jump = 1;
    *m = 0;
    v->n_levels = 0;
    for (i = 0; i < n; i++) {
        v->seg[i] = 0;
        v->level[i] = 0;
    }
    /* a sounding of one curve (no MN/2, or one) has nothing to join: any reference will do (a
     * survey's stations without segments beside those with) */
    if (s->mn2 == NULL || fwd_sounding_next_mn2(s, fwd_sounding_next_mn2(s, 0)) == INFINITY)
        ref = 0;
    if (s->mn2 == NULL) {
        for (i = 0; i < n; i++) {
            v->lx[i] = log10(s->x[i]);
            v->ly[i] = log10(s->rho_a[i]);
            if (s->phase != NULL)
                v->lp[i] = s->phase[i];
        }
        *m = n;
        return FWD_OK;
    }
    /* one block: per segment its MN/2, level, start; per point its order, x, y; room */
    mn = malloc((6 * n + 4 * JOIN_NEAR) * sizeof *mn + (3 * n + 1) * sizeof *start);
    if (mn == NULL)
        return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", s->source);
    c = mn + n;
    sx = c + n;
    sy = sx + n;
    tmp = sy + n;                  /* n + 4 JOIN_NEAR (join_offset) */
    cnt = tmp + n + 4 * JOIN_NEAR; /* n: of the merged points */
    start = (size_t *)(cnt + n);
    idx = start + n + 1; /* then n: the points of each segment (the median) */
    /* the segments by increasing MN/2, the points of each in x order (as s has them) */
    start[0] = 0;
    for (next = fwd_sounding_next_mn2(s, 0); next < INFINITY;
         next = fwd_sounding_next_mn2(s, next)) {
        k = start[ns];
        for (i = 0; i < n; i++)
            if (s->mn2[i] == next) {
                idx[k] = i;
                sx[k] = log10(s->x[i]);
                sy[k++] = log10(s->rho_a[i]);
            }
        mn[ns++] = next;
        start[ns] = k;
    }
    /* chained from the first; the reference */
    c[0] = 0;
    for (k = 1; k < ns; k++) {
        double d = join_offset(sx + start[k - 1], sy + start[k - 1], start[k] - start[k - 1],
                               sx + start[k], sy + start[k], start[k + 1] - start[k], tmp);

        c[k] = c[k - 1] + d;
    }
    if (ref > 0) {
        for (r = 0; r < ns && fabs(mn[r] - ref) > 1e-6 * ref; r++) /* 3 ft: 0.9144 m */
            continue;
        if (r == ns) {
            char list[96] = "";

            for (k = 0; k < ns && strlen(list) < sizeof list - 16; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%g", k ? ", " : "",
                         mn[k]);
            free(mn);
            return fwd_error_set_field(err, FWD_EINVAL, "segment_ref",
                                       "%s: segment_ref: expected an MN/2 of the sounding (%s%s "
                                       "m), got %g m",
                                       s->source, list, k < ns ? ", ..." : "", ref);
        }
    } else if (ref < 0) {           /* the points-weighted median level */
        size_t *pts = idx + n, med; /* each segment's points */

        for (k = 0; k < ns; k++)
            pts[k] = start[k + 1] - start[k];
        if ((med = weighted_median(c, pts, ns, n)) != SIZE_MAX)
            r = med;
    }
    v->seg_ref = r;
    gap_levels(v, s, ns, start, idx, r);
    /* each segment brought to the reference; one AB/2 of several segments averaged */
    for (k = 0; k < ns; k++)
        for (j = start[k]; j < start[k + 1]; j++) {
            double lx = sx[j], ly = sy[j] + c[k] - c[r];

            v->seg[idx[j]] = c[k] - c[r];
            for (i = 0; i < *m && fabs(v->lx[i] - lx) > FWD_SOUNDING_SAME_DECADES; i++)
                continue;
            if (i < *m) {
                cnt[i]++;
                v->ly[i] += (ly - v->ly[i]) / cnt[i];
                continue;
            }
            for (i = *m; i > 0 && v->lx[i - 1] > lx; i--) { /* inserted in order */
                v->lx[i] = v->lx[i - 1];
                v->ly[i] = v->ly[i - 1];
                cnt[i] = cnt[i - 1];
            }
            v->lx[i] = lx;
            v->ly[i] = ly;
            cnt[i] = 1;
            (*m)++;
        }
    free(mn);
    *jump = seg_jump(v, s);
    return FWD_OK;
}

/* log10 rho_a (and phase) of the merged curve at log10 x = t; extrapolated beyond its ends
 * along the end slope (clamped to what a layered earth allows in log-log) or flat. */
static void
resample(invnet_inverter *v, gsl_interp *ir, gsl_interp *ip, size_t m, double t, double *ly,
         double *ph)
{
    const double *x = v->lx, *y = v->ly;
    double slope, lo_slope = ip != NULL ? -1 : -3;

    if (t < x[0] || t > x[m - 1]) {
        size_t a = t < x[0] ? 0 : m - 2;

        slope = (y[a + 1] - y[a]) / (x[a + 1] - x[a]);
        /* MT rho_a slopes lie in [-1, 1] (phase 90..0 degrees); a DC curve rises at most
         * like AB/2 but may fall faster (about -3 over a good conductor) */
        slope = slope > 1 ? 1 : slope < lo_slope ? lo_slope : slope;
        *ly = t < x[0] ? y[0] + slope * (t - x[0]) : y[m - 1] + slope * (t - x[m - 1]);
        if (ph != NULL)
            *ph = t < x[0] ? v->lp[0] : v->lp[m - 1];
        return;
    }
    *ly = gsl_interp_eval(ir, x, y, t, v->acc);
    if (ph != NULL)
        *ph = gsl_interp_eval(ip, x, v->lp, t, v->acc);
}

static invnet_lm_params fit_params(const invnet_inverter *v);

/* The least-squares level (log10) of the block of segments k joined across a gap against
 * the response v->resp: the mean of log10(v->resp / rho) - (shift - off) over its points
 * (shift NULL: 0), weighted as the fit weighs them; NAN when it has none. */
static double
gap_level(const invnet_inverter *v, const fwd_sounding *s, size_t k, const double *rho,
          const double *shift, double off)
{
    invnet_lm_params lp = fit_params(v);
    double a = 0, b = 0, d;
    size_t i;

    for (i = 0; i < s->n; i++)
        if (v->level[i] == k) {
            double w = invnet_lm_point_weight(s, &lp, i);

            a += w * w *
                 (shift != NULL ? log10(v->resp[i] / rho[i]) - (shift[i] - off)
                                : log10(v->resp[i] / rho[i]));
            b += w * w;
        }
    return b > 0 && isfinite(d = a / b) ? d : NAN;
}

/* The data as joined (s->rho_a is v->rsh) with each block of segments joined across a gap
 * (gap_levels) at its least-squares level against the response v->resp, the level the fit
 * takes out: v->rsh and v->seg moved by it. Only for fitted models (v->refining): the net's
 * raw model is not good enough to level the data by (with --no-refine the levels stay
 * merge_curve's estimate). */
static void
relevel(invnet_inverter *v, const fwd_sounding *s)
{
    size_t k, i;

    if (v->n_levels == 0 || !v->refining || s->rho_a != v->rsh)
        return;
    for (k = 1; k <= v->n_levels; k++) {
        double d = gap_level(v, s, k, v->rsh, NULL, 0);

        if (isnan(d))
            continue;
        for (i = 0; i < s->n; i++)
            if (v->level[i] == k) {
                v->seg[i] += d;
                v->rsh[i] *= pow(10, d);
            }
    }
}

/* Every segment's level of s (by increasing MN/2) but the reference's (v->seg_ref) an
 * unknown of the fit (relevel): v->level of each point, the reference 0 and the others 1
 * to ns - 1, v->n_levels ns - 1. */
static void
levels_all_free(invnet_inverter *v, const fwd_sounding *s)
{
    size_t k, i;
    double l;

    for (k = 0, l = fwd_sounding_next_mn2(s, 0); l < INFINITY; l = fwd_sounding_next_mn2(s, l), k++)
        for (i = 0; i < s->n; i++)
            if (s->mn2[i] == l)
                v->level[i] = k == v->seg_ref ? 0 : k < v->seg_ref ? k + 1 : k;
    v->n_levels = k > 0 ? k - 1 : 0;
}

/* The model's response at the sounding's points into v->resp; misfit and chi2 into r: each
 * value compared as its method's table says (fwd_method.h), point by point, the data of
 * segments joined across a gap at the levels that fit the model best (relevel). */
static int
physics(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s, invnet_result *r,
        fwd_error *err)
{
    const fwd_method_info *mi = fwd_method_get(s->method);
    size_t i, k, nd = fwd_sounding_ndata(s);
    double sum = 0, chi = 0, chi_given = 0, noise = v->nf->samples.noise;
    int iphase = fwd_method_value_index(s->method, FWD_VALUE_PHASE);
    /* errors of every value: as given, or (MT, one of the two given) from the other, as the
     * refinement weighs them (invnet_lm_point_sd) */
    int all_sd = s->sd_log10 != NULL || s->sd_phase != NULL;
    int rc = fwd_eval(fw, r->n_layers, r->rho_ohmm, r->thick_m, v->resp, err);

    if (rc != FWD_OK)
        return rc;
    relevel(v, s);
    for (i = 0; i < s->n; i++) {
        double sl, sp;

        invnet_lm_point_sd(s, i, &sl, &sp);
        for (k = 0; k < mi->nvalues; k++) {
            const fwd_value_info *vi = mi->values[k];
            const double *obs = fwd_sounding_values(s, k);
            double calc = v->resp[k * s->n + i], d = vi->misfit(calc, obs[i]);
            double sd = (int)k == iphase ? sp : sl;

            sum += d * d;
            if (all_sd) {
                double c = vi->residual(calc, obs[i]) / fmax(sd, vi->sd_floor(noise));
                double g = vi->residual(calc, obs[i]) / sd;

                chi += c * c;
                chi_given += g * g;
            }
        }
    }
    r->misfit_rms_pct = 100 * sqrt(sum / (double)nd);
    r->chi2 = all_sd ? chi / (double)nd : NAN;
    r->chi2_given = all_sd ? chi_given / (double)nd : NAN;
    r->error_floor_pct = all_sd ? 100 * noise : NAN;
    return FWD_OK;
}

/* The prior's box in log10, widened by tol of each range on each side. */
static void
prior_box(const invnet_inverter *v, double tol, double *lo, double *hi)
{
    const smp_prior *pr = &v->nf->samples.prior;
    size_t nl = pr->n_layers, j;

    for (j = 0; j < v->np; j++) {
        double a = log10(j < nl ? pr->rho_min[j] : pr->thick_min[j - nl]);
        double b = log10(j < nl ? pr->rho_max[j] : pr->thick_max[j - nl]);

        lo[j] = a - tol * (b - a);
        hi[j] = b + tol * (b - a);
    }
}

/* Whether a parameter of p lies beyond the prior's box widened by tol of its range. */
static int
beyond_box(const invnet_inverter *v, const double *p, double tol)
{
    double lo[2 * FWD_MAX_LAYERS], hi[2 * FWD_MAX_LAYERS];
    size_t j;

    prior_box(v, tol, lo, hi);
    for (j = 0; j < v->np; j++)
        if (p[j] < lo[j] || p[j] > hi[j])
            return 1;
    return 0;
}

/* The log10 parameters of r's model into p (set_model's inverse). */
static void
params_of(const invnet_result *r, double *p)
{
    size_t j, nl = r->n_layers;

    for (j = 0; j < 2 * nl - 1; j++)
        p[j] = log10(j < nl ? r->rho_ohmm[j] : r->thick_m[j - nl]);
}

/* Sets the model of r from log10 parameters p. */
static void
set_model(invnet_result *r, const double *p)
{
    size_t j, nl = r->n_layers;

    for (j = 0; j < 2 * nl - 1; j++)
        if (j < nl)
            r->rho_ohmm[j] = pow(10, p[j]);
        else
            r->thick_m[j - nl] = pow(10, p[j]);
}

/* The net's points that the merged curve (m points) observes, into v->obs, their number
 * and the part of the net's span the curve covers into r; for a masked net, the curve's points
 * beyond the net's span into r too (data the net does not see: the physics check and the refinement
 * use them). */
static void
observed_points(invnet_inverter *v, size_t m, invnet_result *r)
{
    double lo = v->lo, hi = v->hi, tol = v->p.span_tol_decades;
    size_t k, i;

    for (i = 0; i < m && v->nf->masked; i++)
        if (v->lx[i] < lo - tol || v->lx[i] > hi + tol)
            r->n_extrapolated++;
    r->n_observed = invnet_mask_observed(v->n_net, v->logx, m, v->lx, tol, v->p.gap_decades, v->obs,
                                         v->scratch);
    for (k = 0; k < v->n_net; k++)
        r->n_in_span += v->logx[k] >= v->lx[0] - tol && v->logx[k] <= v->lx[m - 1] + tol;
    /* the part of the net's span the sounding covers */
    r->span_decades = fmax(0, fmin(hi, v->lx[m - 1]) - fmax(lo, v->lx[0]));
}

/* (2) the merged curve (m points) at the net's points, into v->data; counts the net's
 * points beyond the sounding's span in r. */
static int
at_net_points(invnet_inverter *v, const fwd_sounding *s, size_t m, invnet_result *r, fwd_error *err)
{
    const double *xn = fwd_geom_x(v->nf->geom);
    size_t n_net = v->n_net, k;
    /* a second value per point (the MT phase) is interpolated beside rho_a */
    int two = fwd_method_get(v->nf->samples.method)->nvalues > 1;
    gsl_interp *ir = NULL, *ip = NULL;
    int rc = FWD_OK;

    /* GSL's interpolation wants 2 or more points in increasing x, and calls its error
     * handler (by default: abort) otherwise: the merged curve's points are checked here */
    for (k = 1; k < m && v->lx[k] > v->lx[k - 1]; k++)
        continue;
    if (m < 2 || k < m) {
        rc = fwd_error_set_field(err, FWD_EINVAL, fwd_method_get(s->method)->x_column,
                                 "%s: %s: expected 2 or more distinct points in increasing "
                                 "order, got %zu%s",
                                 s->source, fwd_method_get(s->method)->x_column, m,
                                 k < m ? " out of order" : "");
        goto done;
    }
    ir = gsl_interp_alloc(m >= 3 ? gsl_interp_steffen : gsl_interp_linear, m);
    ip = two ? gsl_interp_alloc(m >= 3 ? gsl_interp_steffen : gsl_interp_linear, m) : NULL;
    if (ir == NULL || (two && ip == NULL) || gsl_interp_init(ir, v->lx, v->ly, m) != GSL_SUCCESS ||
        (ip != NULL && gsl_interp_init(ip, v->lx, v->lp, m) != GSL_SUCCESS)) {
        rc = fwd_error_set(err, FWD_ENOMEM, "%s: cannot set up the interpolation", s->source);
        goto done;
    }
    gsl_interp_accel_reset(v->acc);
    observed_points(v, m, r);
    if (!v->nf->masked) { /* a plain net reads all its points: those beyond are extrapolated */
        memset(v->obs, 1, n_net);
        r->n_observed = n_net;
    }
    for (k = 0; k < n_net; k++) {
        double t = log10(xn[k]), ly = 0, ph = 0;

        if (!v->nf->masked &&
            (t < v->lx[0] - v->p.span_tol_decades || t > v->lx[m - 1] + v->p.span_tol_decades))
            r->n_extrapolated++;
        if (v->obs[k]) /* a masked net's other points are not read: any value will do */
            resample(v, ir, ip, m, t, &ly, two ? &ph : NULL);
        v->data[k] = pow(10, ly);
        if (two)
            v->data[n_net + k] = ph;
    }
done:
    gsl_interp_free(ip);
    gsl_interp_free(ir);
    return rc;
}

/* The variance, in feature units, of the errors s gives beyond the training noise, at each
 * net point (the reading nearest in log x), into v->extra; 0 where s gives none. */
static void
extra_variance(invnet_inverter *v, const fwd_sounding *s)
{
    const fwd_method_info *mi = fwd_method_get(v->nf->samples.method);
    size_t k, t, i, near;

    for (k = 0; k < mi->nvalues; k++) {
        const fwd_value_info *vi = mi->values[k];
        const double *sd = fwd_sounding_sd(s, k), *val = fwd_sounding_values(s, k);

        for (t = 0; t < v->n_net; t++) {
            double *ev = v->extra + k * v->n_net + t, d, ratio, floor;

            *ev = 0;
            if (sd == NULL || !v->obs[t])
                continue;
            for (i = 1, near = 0; i < s->n; i++)
                if (fabs(log10(s->x[i]) - v->logx[t]) < fabs(log10(s->x[near]) - v->logx[t]))
                    near = i;
            /* feature units per unit of the error (1 for log10 rho_a, 1/90 for a phase) */
            d = 1e-3 * fmax(1, fabs(val[near]));
            ratio = (vi->to_feature(val[near] + d) - vi->to_feature(val[near])) /
                    vi->residual(val[near] + d, val[near]);
            floor = vi->sd_floor(v->nf->samples.noise);
            if (sd[near] > floor)
                *ev = ratio * ratio * (sd[near] * sd[near] - floor * floor);
        }
    }
}

/* (3) the range checks of the observed input features (from v->data, into v->feat): each
 * within its training range, and the Mahalanobis distance of them all under the marginal
 * of the training distribution for them; the net point that weighs most in that distance.
 * Where the sounding gives errors larger than the training noise, both allow for them. */
static int
range_checks(invnet_inverter *v, const fwd_sounding *s, invnet_result *r, fwd_error *err)
{
    const invnet_envelope *e = v->nf->env;
    size_t j, k, dof, best = 0, nv = v->nd_net / v->n_net;
    double w, wbest = -INFINITY;

    if (invnet_features(v->nf->samples.method, v->n_net, 1, v->data, v->feat, err) != FWD_OK)
        return FWD_ENUMERIC;
    extra_variance(v, s);
    for (j = 0; j < v->nd_net; j++) {
        double slack = 3 * sqrt(v->extra[j]);

        v->obs_feat[j] = v->obs[j % v->n_net];
        if (v->obs_feat[j] && (v->feat[j] < e->min[j] - slack || v->feat[j] > e->max[j] + slack))
            r->n_outside++;
    }
    r->d2 =
        invnet_envelope_d2_partial(e, v->feat, v->obs_feat, v->extra, v->contrib, &dof, v->d2work);
    if (!isfinite(r->d2))
        return fwd_error_set(err, FWD_ENUMERIC,
                             "%s: the range check failed (a covariance of the observed "
                             "features that is not positive definite)",
                             s->source);
    r->d2_max = invnet_envelope_d2_limit(e, dof, v->p.d2_factor);
    for (k = 0; k < v->n_net; k++) {
        for (j = 0, w = 0; j < nv; j++)
            w += v->contrib[j * v->n_net + k];
        if (v->obs[k] && w > wbest) {
            wbest = w;
            best = k;
        }
    }
    r->worst_x = fwd_geom_x(v->nf->geom)[best];
    r->worst_share = r->d2 > 0 ? wbest / r->d2 : 0;
    if (r->n_outside > 0 || r->d2 > r->d2_max)
        r->flags |= INVNET_FLAG_OUTSIDE;
    return FWD_OK;
}

/* (4) the net's model into v->params: from the features, or for a masked net from the
 * features it observes (the others at their training mean) and the observed points. */
static int
predict(invnet_inverter *v, fwd_error *err)
{
    const invnet_net *net = v->nf->net;
    const double *mu = invnet_net_norm_const(net, 0), *sd = invnet_net_norm_const(net, 1);
    size_t j, f = v->nd_net, ni = invnet_net_n_in(net);

    if (!v->nf->masked)
        return invnet_net_predict(net, v->w, 1, v->feat, v->params, err);
    /* standardised as in training, placed by the net's layout, then back in the units the
     * net standardises */
    for (j = 0; j < f; j++)
        v->z[j] = v->obs_feat[j] ? (v->feat[j] - mu[j]) / sd[j] : 0;
    invnet_mask_input(v->nf->mask.layout, f / v->n_net, v->n_net, v->z, v->obs, v->in);
    for (j = 0; j < ni; j++)
        v->in[j] = mu[j] + sd[j] * v->in[j];
    return invnet_net_predict(net, v->w, 1, v->in, v->params, err);
}

/* The high_misfit threshold of a sounding without errors, percent. */
static double
misfit_limit(const invnet_inverter *v)
{
    return fmax(v->p.misfit_noise_factor * 100 * v->nf->samples.noise, v->p.misfit_floor_pct);
}

/* The stream of the refinement's prior draws, beside the sounding's values. */
#define INVNET_STARTS_SEED 0x7374617274u /* "start" */

/* r fits the sounding to the noise: no more starts are needed. With errors, those the
 * sounding gives (chi2_given): errors raised to a net's larger training noise would stop
 * the starts at a fit many times worse than the data allow (a 3 % sounding at 19 % with a
 * net of 20 %, when 2.6 % was there to be found). */
static int
fits_noise(const invnet_inverter *v, const invnet_result *r)
{
    double f = v->p.refit_factor;

    if (isfinite(r->chi2_given))
        return r->chi2_given <= f * f;
    if (isfinite(r->chi2))
        return r->chi2 <= f * f;
    /* a net of clean data (noise 0) counts 1 % as its noise */
    return r->misfit_rms_pct <= f * 100 * fmax(v->nf->samples.noise, 0.01);
}

/* Every parameter of the np in the box (lo, hi) is held: other starts change nothing. */
static int
all_held(size_t np, const double *lo, const double *hi)
{
    size_t j;

    for (j = 0; j < np; j++)
        if (lo[j] != hi[j])
            return 0;
    return 1;
}

/* a fits at least as well as b: by chi-square where the sounding has errors (what the fit
 * minimises), else by the misfit. */
static int
fits_better(const invnet_result *a, const invnet_result *b)
{
    if (isfinite(a->chi2) && isfinite(b->chi2))
        return a->chi2 <= b->chi2;
    return a->misfit_rms_pct <= b->misfit_rms_pct;
}

/* The parameters held (v->p.hold) into the log10 box lo, hi (of the prior) and lp's depth
 * bounds. */
static void
hold_box(const invnet_inverter *v, double *lo, double *hi, invnet_lm_params *lp)
{
    size_t k, nl = v->nf->samples.prior.n_layers;

    lp->n_depth = 0;
    for (k = 0; k < v->p.n_holds; k++) {
        const invnet_hold *h = &v->p.hold[k];
        size_t j = h->kind == INVNET_HOLD_RHO ? h->layer - 1 : nl + h->layer - 1;

        if (h->kind == INVNET_HOLD_DEPTH) { /* by increasing layer: projected top down */
            size_t i = lp->n_depth++;

            for (; i > 0 && lp->depth_layer[i - 1] > h->layer; i--) {
                lp->depth_layer[i] = lp->depth_layer[i - 1];
                lp->depth_lo[i] = lp->depth_lo[i - 1];
                lp->depth_hi[i] = lp->depth_hi[i - 1];
            }
            lp->depth_layer[i] = h->layer;
            lp->depth_lo[i] = log10(h->lo);
            lp->depth_hi[i] = log10(h->hi);
            continue;
        }
        if (h->lo == h->hi) { /* fixed */
            lo[j] = hi[j] = log10(h->lo);
        } else {
            lo[j] = fmax(lo[j], log10(h->lo));
            hi[j] = fmin(hi[j], log10(h->hi));
        }
    }
}

size_t
invnet_holds_fixed(const invnet_check_params *p)
{
    size_t k, n = 0;

    for (k = 0; k < p->n_holds; k++)
        n += p->hold[k].kind != INVNET_HOLD_DEPTH && p->hold[k].lo == p->hold[k].hi;
    return n;
}

int
invnet_refinable(const invnet_check_params *p, size_t nd, size_t n_layers)
{
    return n_layers > 0 && nd + invnet_holds_fixed(p) >= FWD_MODEL_NPARAMS(n_layers);
}

/* A parameter this close to a bound of the box (log10 units) is on it (the projected fit
 * puts it there exactly; this allows for rounding) */
#define ON_BOUND 1e-9
/* and is moved this share of the box inside to fit again from there (bench_starts, share
 * of soundings within 5 % of the reference, with the fit's scaling of 2026-12-04: a tenth
 * or a quarter 76.5 %, a half 74.0 %, to the net's value instead 73.0 %) */
#define OFF_BOUND 0.1
/* A refined answer this close to a bound of the prior (a share of the parameter's log10
 * range) rests on it: the data may want an earth beyond the prior (a tester's basement of
 * 10,000 ohm-m came out at a prior's 3,000, its misfit 4.4 % at 3 % noise, unflagged). */
#define AT_BOUND 1e-3
/* An answer at a bound is fitted once more in the box widened by this many decades on each
 * side (through_bound) */
#define THROUGH_DECADES 1.0

/* The np parameters p into q, each on a bound of the box (lo, hi) that is not a point
 * (held) moved OFF_BOUND of the box inside; 1 when one was, else 0. */
static int
off_bounds(size_t np, const double *p, const double *lo, const double *hi, double *q)
{
    size_t j;
    int moved = 0;

    for (j = 0; j < np; j++) {
        q[j] = p[j];
        if (lo[j] < hi[j] && p[j] <= lo[j] + ON_BOUND)
            q[j] = lo[j] + OFF_BOUND * (hi[j] - lo[j]), moved = 1;
        else if (lo[j] < hi[j] && p[j] >= hi[j] - ON_BOUND)
            q[j] = hi[j] - OFF_BOUND * (hi[j] - lo[j]), moved = 1;
    }
    return moved;
}

/* The fit r, of the parameters v->lm after iterations of LM, into best and best_p when it
 * fits at least as well (strict 0: a first fit is kept over the net's model on a tie) or
 * strictly better (strict 1); 1 when it was. */
static int
keep_better(const invnet_inverter *v, const invnet_result *r, size_t iterations, int strict,
            invnet_result *best, double *best_p)
{
    if (!fits_better(r, best) || (strict && fits_better(best, r)))
        return 0;
    *best = *r;
    best->refined = 1;
    best->lm_iterations = iterations;
    memcpy(best_p, v->lm, v->np * sizeof(double));
    return 1;
}

/* The fit's parameters for the sounding merge_curve joined: the training noise's floors, and
 * the levels of segments joined across a gap unknown (gap_levels). */
static invnet_lm_params
fit_params(const invnet_inverter *v)
{
    invnet_lm_params lp = invnet_lm_noise(v->nf->samples.noise);

    lp.level = v->n_levels > 0 ? v->level : NULL;
    lp.n_levels = v->n_levels;
    return lp;
}

/* A fit carried on to convergence (converge): at most this many iterations, until the cost
 * falls by less than this share of itself in two iterations in a row (bench_starts,
 * --fit-to 0, within 5 % of the best of 20 fits of 200 iterations: 94.5 % without, 95.0 %
 * with 100 / 1e-5 or 200 / 1e-6, 94.5 % with 60 / 1e-4; 2026-12-06) */
#define POLISH_ITER 100
#define POLISH_CTOL 1e-5

/* The best fit so far (best, of the parameters best_p), when it misses the noise, carried on
 * to convergence: the starts' own stopping rule (the cost falling by less than 0.1 % in two
 * iterations) can leave a fit on the gentle floor of an equivalence valley. Kept when it
 * fits better; 1 when it ran. */
static int
converge(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s, invnet_result *r,
         const double *lo, const double *hi, const invnet_lm_params *lp, invnet_result *best,
         double *best_p)
{
    invnet_lm_params lc = *lp;
    invnet_lm_count cnt;
    fwd_error e;

    if (!best->refined || v->has_start || v->starts < v->p.refine_starts ||
        all_held(v->np, lo, hi) || fits_noise(v, best))
        return 0; /* capped (a set's first fits, invnet_inverter_set_starts): a screening */
    lc.max_iter = POLISH_ITER;
    lc.ctol = POLISH_CTOL;
    memcpy(v->lm, best_p, v->np * sizeof(double));
    if (invnet_lm_fit_in(v->lmw, fw, s, r->n_layers, v->lm, lo, hi, &lc, &cnt, NULL) == FWD_OK) {
        set_model(r, v->lm);
        if (physics(v, fw, s, r, &e) == FWD_OK)
            keep_better(v, r, best->lm_iterations + cnt.iterations, 1, best, best_p);
    }
    return 1;
}

/* r rests on a bound of the prior that is not a point. */
static int
on_prior_bound(const invnet_inverter *v, const invnet_result *r)
{
    double lo[2 * FWD_MAX_LAYERS], hi[2 * FWD_MAX_LAYERS], p[2 * FWD_MAX_LAYERS];
    size_t j;

    prior_box(v, 0, lo, hi);
    params_of(r, p);
    for (j = 0; j < v->np; j++)
        if (lo[j] < hi[j] && (p[j] <= lo[j] + AT_BOUND * (hi[j] - lo[j]) ||
                              p[j] >= hi[j] - AT_BOUND * (hi[j] - lo[j])))
            return 1;
    return 0;
}

/*
 * The best fit so far (best, of the parameters best_p in the box lo, hi: the prior's, none
 * held), when it rests on a bound (on_prior_bound), fitted once more from it in the box widened by
 * THROUGH_DECADES: the box's change of variable has no slope at its bound, where a fit can
 * stay although the data pull the parameter back inside (a tester's 0.50 m topsoil at the
 * prior's least thickness, chi2 0.74, where 1.42 m fits to 0.35). Kept when it ends inside
 * the box and fits better; an end outside is the fit outside the prior's to report
 * (prior_exit).
 */
static void
through_bound(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s, invnet_result *r,
              const double *lo, const double *hi, const invnet_lm_params *lp, invnet_result *best,
              double *best_p)
{
    double wlo[2 * FWD_MAX_LAYERS], whi[2 * FWD_MAX_LAYERS];
    invnet_lm_count cnt;
    fwd_error e;
    size_t j;

    if (!on_prior_bound(v, best))
        return;
    for (j = 0; j < v->np; j++) {
        wlo[j] = lo[j] < hi[j] ? lo[j] - THROUGH_DECADES : lo[j];
        whi[j] = lo[j] < hi[j] ? hi[j] + THROUGH_DECADES : hi[j];
    }
    memcpy(v->lm, best_p, v->np * sizeof(double));
    if (invnet_lm_fit_in(v->lmw, fw, s, r->n_layers, v->lm, wlo, whi, lp, &cnt, NULL) != FWD_OK)
        return;
    for (j = 0; j < v->np; j++) {
        if (v->lm[j] < lo[j] - ON_BOUND || v->lm[j] > hi[j] + ON_BOUND)
            return;
        v->lm[j] = fmin(fmax(v->lm[j], lo[j]), hi[j]);
    }
    set_model(r, v->lm);
    if (physics(v, fw, s, r, &e) == FWD_OK)
        keep_better(v, r, best->lm_iterations + cnt.iterations, 1, best, best_p);
}

/* (6) Levenberg-Marquardt from the net's model (v->params; or the start given,
 * invnet_inverter_set_start), kept when it fits s better. */
static int
refine(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s, invnet_result *r,
       fwd_error *err)
{
    invnet_lm_params lp = fit_params(v);
    invnet_result keep = *r, best = *r;
    invnet_result first, sb;
    double lo[2 * FWD_MAX_LAYERS], hi[2 * FWD_MAX_LAYERS], best_p[2 * FWD_MAX_LAYERS],
        first_p[2 * FWD_MAX_LAYERS], sb_p[2 * FWD_MAX_LAYERS];
    invnet_lm_count cnt;
    uint64_t draws = 0;
    size_t j, start, iterations;
    int rc = FWD_OK, later = 0, strict;
    /* --fit-to 0, the best fit: each start's fit carried on to convergence before they are
     * compared (bench_starts: within 5 % of the 20-start reference 97.5 / 98.5 % against
     * 95.0 / 96.0 % for the best alone, at 1.9 x the time), so that more starts never fit
     * worse than fewer. Not while the starts stop at the noise: a start carried on to the
     * noise's edge would stop the others, whose fits were better (14 of 10,000 worse) */
    int each = v->p.refit_factor == 0 && !v->has_start;

    lp.max_iter = v->p.refine_iter;
    prior_box(v, 0, lo, hi);
    first = best;           /* not refined: nothing to carry on, where start 0's fit fails */
    if (v->p.n_holds > 0) { /* the net's model moved onto the parameters held: the baseline */
        hold_box(v, lo, hi, &lp);
        invnet_lm_project(&lp, r->n_layers, lo, hi, v->params);
        set_model(r, v->params);
        if ((rc = physics(v, fw, s, r, err)) != FWD_OK)
            return rc;
        keep = best = first = *r;
    }
    /* from the net's model; while the best fit misses the noise, from the classical
     * half-space start (a narrow window of a wide net can leave the net far from the
     * answer), then from models drawn from the prior: fits of real soundings stop in local
     * minima that other starts get out of */
    for (start = 0; start < v->starts || start == 0; start++) {
        if (start == 0) {
            memcpy(v->lm, v->has_start ? v->start : v->params, v->np * sizeof(double));
        } else if (v->has_start || (!v->all_starts && fits_noise(v, &best)) ||
                   all_held(v->np, lo, hi)) {
            break; /* a start given: from it alone */
        } else if (start == 1) {
            invnet_lm_halfspace_start(s, r->n_layers, v->lm);
            for (j = 0; j < v->np; j++) /* strictly inside the prior */
                v->lm[j] = fmin(fmax(v->lm[j], lo[j] + 0.01 * (hi[j] - lo[j])),
                                hi[j] - 0.01 * (hi[j] - lo[j]));
        } else {
            if (start == 2)
                draws = fwd_sounding_hash(s, INVNET_STARTS_SEED);
            for (j = 0; j < v->np; j++) /* log-uniform inside the box, off its edges */
                v->lm[j] =
                    lo[j] + (0.02 + 0.96 * (double)(fwd_splitmix64(&draws) >> 11) * 0x1.0p-53) *
                                (hi[j] - lo[j]);
        }
        if (invnet_lm_fit_in(v->lmw, fw, s, r->n_layers, v->lm, lo, hi, &lp, &cnt, NULL) != FWD_OK)
            continue;
        set_model(r, v->lm);
        if ((rc = physics(v, fw, s, r, err)) != FWD_OK) {
            if (start == 0)
                return rc;
            continue; /* the other starts' fits stand */
        }
        /* the start's fit (sb); with a parameter on a bound of the box: a bound can stop a
         * projected fit in a local minimum (a topsoil driven to the least thickness, its
         * resistivity to match), so once more from it, those parameters OFF_BOUND of the
         * box inside, after every start, its iterations counted with the start's; with
         * --fit-to 0 carried on to convergence. Then kept when it fits at least as well as
         * the best (strictly, for a refit or a later start carried on): more starts never
         * fit worse than fewer (but for the end's convergence, which can reorder them) */
        sb = *r;
        sb.refined = 1;
        sb.lm_iterations = iterations = cnt.iterations;
        memcpy(sb_p, v->lm, v->np * sizeof(double));
        strict = each && start > 0;
        if (!v->has_start && off_bounds(v->np, v->lm, lo, hi, v->lm) &&
            invnet_lm_fit_in(v->lmw, fw, s, r->n_layers, v->lm, lo, hi, &lp, &cnt, NULL) ==
                FWD_OK) {
            set_model(r, v->lm);
            if (physics(v, fw, s, r, err) == FWD_OK &&
                keep_better(v, r, iterations + cnt.iterations, 1, &sb, sb_p))
                strict = 1;
        }
        if (each)
            converge(v, fw, s, r, lo, hi, &lp, &sb, sb_p);
        if (fits_better(&sb, &best) && (!strict || !fits_better(&best, &sb))) {
            best = sb;
            memcpy(best_p, sb_p, v->np * sizeof(double));
            later |= start > 0;
        }
        if (start == 0) {
            first = best;
            memcpy(first_p, best_p, v->np * sizeof(double));
        }
    }
    /* the best fit carried on to convergence where it misses the noise; and the first
     * start's, as one start alone would, so that more starts never fit worse than the first
     * alone (not than any fewer: the fits' order before and after convergence can differ, a
     * reviewer's 8 starts at 10.2 % where 2-5 found 7.6 %, 21 of 1,300 noisy soundings worse
     * at 8 starts than at 3, each no worse than before this convergence) */
    if (!each)
        converge(v, fw, s, r, lo, hi, &lp, &best, best_p);
    if (!each && later && converge(v, fw, s, r, lo, hi, &lp, &first, first_p) &&
        !fits_better(&best, &first)) {
        best = first;
        memcpy(best_p, first_p, v->np * sizeof(double));
    }
    if (best.refined && !v->has_start && v->p.n_holds == 0)
        through_bound(v, fw, s, r, lo, hi, &lp, &best, best_p);
    if (!best.refined) { /* no better: the net's model stands */
        *r = keep;
        return physics(v, fw, s, r, err);
    }
    *r = best;
    memcpy(v->lm, best_p, v->np * sizeof(double));
    set_model(r, v->lm);
    return physics(v, fw, s, r, err); /* v->resp of the model kept */
}

/* The intervals of the even and of the odd chains differ at an end by more than this share
 * of the interval: ranges_not_converged. */
#define HALVES_MAX 0.75

/* The fit of each of the ranges' draws (v->rg), as r's is computed (physics), into
 * v->rg.draws_fit; a sounding of MN/2 segments whose levels the ranges integrated out
 * (free: invnet_ranges_params.segment_ref_mn2) with each segment's level but the
 * reference's fitted to each model, as the sampler took them (at the answer's levels a
 * reviewer's Mawlamyine models missed by 6.0-25 % where the answer's 5.8 % and their own
 * levels' 4.8-7.2 % were the fits the sampler kept). physics moves the response (v->resp)
 * and the levels (v->rsh, which is s->rho_a, and v->seg) to each model's: they are kept
 * and put back with the levels' unknowns, so that what follows sees r's, bit for bit. A
 * draw whose forward model fails gets NAN. FWD_OK or FWD_ENOMEM. */
static int
draws_fit(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s, const invnet_result *r,
          int free_levels, fwd_error *err)
{
    size_t d, n = v->rg.n_draws, np = FWD_MODEL_NPARAMS(r->n_layers), nr = fwd_sounding_ndata(s);
    size_t n_levels = v->n_levels, *level;
    int refining = v->refining;
    invnet_result e = *r;
    double *fit, *keep;

    if (n == 0)
        return FWD_OK;
    fit = malloc(2 * n * sizeof *fit);
    keep = malloc((nr + 2 * s->n) * sizeof *keep);
    level = malloc(s->n * sizeof *level);
    if (fit == NULL || keep == NULL || level == NULL) {
        free(fit);
        free(keep);
        free(level);
        return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory for the equivalent models",
                             s->source);
    }
    memcpy(keep, v->resp, nr * sizeof *keep);
    memcpy(keep + nr, v->rsh, s->n * sizeof *keep);
    memcpy(keep + nr + s->n, v->seg, s->n * sizeof *keep);
    memcpy(level, v->level, s->n * sizeof *level);
    if (free_levels) { /* also with --no-refine: the sampler's levels are free */
        levels_all_free(v, s);
        v->refining = 1;
    }
    for (d = 0; d < n; d++) {
        set_model(&e, v->rg.draws + d * np);
        if (physics(v, fw, s, &e, NULL) == FWD_OK) {
            fit[d] = e.misfit_rms_pct;
            fit[n + d] = e.chi2;
        } else {
            fit[d] = fit[n + d] = NAN;
        }
    }
    memcpy(v->resp, keep, nr * sizeof *keep);
    memcpy(v->rsh, keep + nr, s->n * sizeof *keep);
    memcpy(v->seg, keep + nr + s->n, s->n * sizeof *keep);
    memcpy(v->level, level, s->n * sizeof *level);
    v->n_levels = n_levels;
    v->refining = refining;
    free(keep);
    free(level);
    v->rg.draws_fit = fit;
    return FWD_OK;
}

/* (7) the equivalent models around the answer (the refined model, else the net's). */
static int
ranges(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s, invnet_result *r,
       fwd_error *err)
{
    double lo[2 * FWD_MAX_LAYERS], hi[2 * FWD_MAX_LAYERS], l;
    invnet_ranges_params rp = v->p.range;
    size_t k;
    int rc;

    prior_box(v, 0, lo, hi);
    if (v->p.n_holds > 0) { /* a borehole's: the equivalent models that honour it */
        invnet_lm_params lp = invnet_lm_default();

        hold_box(v, lo, hi, &lp);
        rp.n_depth = lp.n_depth;
        memcpy(rp.depth_layer, lp.depth_layer, sizeof rp.depth_layer);
        memcpy(rp.depth_lo, lp.depth_lo, sizeof rp.depth_lo);
        memcpy(rp.depth_hi, lp.depth_hi, sizeof rp.depth_hi);
        for (k = 0; k < v->p.n_holds; k++) {
            const invnet_hold *h = &v->p.hold[k];

            if (h->kind != INVNET_HOLD_DEPTH)
                rp.held[h->kind == INVNET_HOLD_RHO ? h->layer - 1 : r->n_layers + h->layer - 1] = 1;
        }
    }
    invnet_ranges_release(&v->rg);
    /* segments: the reference's level kept, the others' (fitted from a few shared
     * readings) integrated out */
    rp.segment_ref_mn2 = 0;
    if (s->mn2 != NULL)
        for (k = 0, l = fwd_sounding_next_mn2(s, 0); l < INFINITY;
             l = fwd_sounding_next_mn2(s, l), k++)
            if (k == v->seg_ref)
                rp.segment_ref_mn2 = l;
    rc = invnet_ranges_sample(fw, s, r->n_layers, r->refined ? v->lm : v->params, lo, hi,
                              v->nf->samples.noise, &rp, &v->rg, err);
    if (v->p.n_holds > 0 && (rc == FWD_EINVAL || rc == FWD_ENUMERIC)) {
        r->ranges_held_failed = 1; /* holds the refinement took, the sampler cannot: said */
        return FWD_OK;
    }
    if (rc == FWD_OK && v->p.equivalent)
        rc = draws_fit(v, fw, s, r, rp.segment_ref_mn2 > 0, err);
    if (rc != FWD_OK)
        return rc;
    r->ranges = &v->rg;
    if (v->rg.n_unresolved > 0)
        r->flags |= INVNET_FLAG_UNRESOLVED;
    if (v->rg.halves_share > HALVES_MAX)
        r->flags |= INVNET_FLAG_UNCONVERGED;
    return FWD_OK;
}

/*
 * The refined fit's reading that stands out most (r->outlier_sigmas, r->outlier_x): each
 * residual of v->resp against s (its apparent resistivities as compared, v->rsh) in units
 * of its error raised to the training noise (or that noise; 1 % for a net of clean data),
 * the largest over the larger of 1 and the residuals' robust scale, 1.4826 x their median
 * (so that data noisier than the errors throughout make no outlier); outlier_reading above
 * the check's outlier_sigmas.
 */
static void
outlier(invnet_inverter *v, const fwd_sounding *s, invnet_result *r)
{
    const fwd_method_info *mi = fwd_method_get(s->method);
    double noise = fmax(v->nf->samples.noise, 0.01), big = -1, scale;
    size_t i, k, n = 0, worst = 0;

    for (i = 0; i < s->n; i++) {
        double sl, sp; /* the errors as the refinement weighs them */

        invnet_lm_point_sd(s, i, &sl, &sp);
        for (k = 0; k < mi->nvalues; k++) {
            const fwd_value_info *vi = mi->values[k];
            const double *obs = k == 0 ? v->rsh : fwd_sounding_values(s, k);
            double e = fmax(k == 0 ? sl : sp, vi->sd_floor(noise));
            double z = fabs(vi->residual(v->resp[k * s->n + i], obs[i])) / e;

            v->absz[n++] = z;
            if (z > big) {
                big = z;
                worst = i;
            }
        }
    }
    gsl_sort(v->absz, 1, n);
    scale = fmax(1, 1.4826 * gsl_stats_median_from_sorted_data(v->absz, 1, n));
    r->outlier_sigmas = big / scale;
    r->outlier_x = s->x[worst];
    r->outlier_index = worst;
    if (r->outlier_sigmas > v->p.outlier_sigmas)
        r->flags |= INVNET_FLAG_OUTLIER;
}

/* r misses the high_misfit threshold (its chi2 against chi2_max where the sounding gives
 * errors). */
static int
misses(const invnet_inverter *v, const invnet_result *r)
{
    return isfinite(r->chi2) ? r->chi2 > v->p.chi2_max : r->misfit_rms_pct > misfit_limit(v);
}

/* Its fit with the prior widened says so when it lowers the chi-square (a sum: against the
 * sounding's errors, else the training noise; in units of the wider fit's residual variance
 * where that is above 1) by more than this: chi-square of one degree of freedom at 99.9 %.
 * An answer on a bound at the end of an equivalence valley gains less, by fitting the
 * noise. */
#define BOUND_GAIN 10.83

/* r's chi-square over the nd data of its sounding, a sum: against the errors where it has
 * them (r->chi2 is per datum), else against the training noise (at least 1 %). */
static double
chi2_sum(const invnet_inverter *v, const invnet_result *r, size_t nd)
{
    double f = r->misfit_rms_pct / (100 * fmax(v->nf->samples.noise, 0.01));

    return isfinite(r->chi2) ? r->chi2 * (double)nd : f * f * (double)nd;
}

/* (8) The fit outside the prior (invnet_check_params.exit_decades): from r's model, in the
 * prior's box widened on each side; its misfit, model and the parameter furthest beyond the
 * prior into r->exit_*, data_outside_training_range when it fits with one beyond, clearly
 * better than inside. v->resp is r's response again on return. */
static int
prior_exit(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s, invnet_result *r,
           fwd_error *err)
{
    invnet_lm_params lp = fit_params(v);
    double lo[2 * FWD_MAX_LAYERS], hi[2 * FWD_MAX_LAYERS], in_lo[2 * FWD_MAX_LAYERS],
        in_hi[2 * FWD_MAX_LAYERS], p[2 * FWD_MAX_LAYERS];
    invnet_result t = *r;
    size_t j, nl = r->n_layers;
    int rc, better;

    lp.max_iter = v->p.refine_iter;
    prior_box(v, 0, in_lo, in_hi);
    for (j = 0; j < v->np; j++) {
        lo[j] = in_lo[j] - v->p.exit_decades;
        hi[j] = in_hi[j] + v->p.exit_decades;
        p[j] = log10(j < nl ? r->rho_ohmm[j] : r->thick_m[j - nl]);
    }
    rc = invnet_lm_fit_in(v->lmw, fw, s, nl, p, lo, hi, &lp, NULL, err);
    if (rc == FWD_ENOMEM)
        return rc;
    if (rc != FWD_OK)
        return FWD_OK; /* no fit: nothing to say */
    set_model(&t, p);
    if ((rc = physics(v, fw, s, &t, err)) != FWD_OK)
        return rc;
    r->exit_run = 1;
    r->exit_misfit_pct = t.misfit_rms_pct;
    r->exit_chi2 = t.chi2;
    memcpy(r->exit_rho_ohmm, t.rho_ohmm, sizeof r->exit_rho_ohmm);
    memcpy(r->exit_thick_m, t.thick_m, sizeof r->exit_thick_m);
    r->exit_param = 0;
    r->exit_beyond = 0;
    for (j = 0; j < v->np; j++) {
        double b = fmax(in_lo[j] - p[j], p[j] - in_hi[j]);

        if (b > r->exit_beyond) {
            r->exit_beyond = b;
            r->exit_param = j;
        }
    }
    /* it fits, clearly better than inside (half the misfit, or a quarter of chi2: not a
     * sounding just over the threshold that the wider box brings just under; an answer
     * that met it on a bound, by BOUND_GAIN of chi-square), with a parameter beyond the
     * prior by more than bound_tol of its range */
    if (!misses(v, r)) {
        /* the gain in units of the wider fit's residual variance, where the data are
         * noisier than the noise assumed (a misfit of 4.8 % at a net's 2 %, under the 5 %
         * threshold: any wider fit gains 10.83 of an unscaled chi-square) */
        size_t nd = fwd_sounding_ndata(s);
        double in = chi2_sum(v, r, nd), out = chi2_sum(v, &t, nd);

        better = (in - out) / fmax(1, out / (double)(nd > v->np ? nd - v->np : 1)) > BOUND_GAIN;
    } else {
        better = isfinite(t.chi2) ? t.chi2 <= 0.25 * r->chi2
                                  : t.misfit_rms_pct <= 0.5 * r->misfit_rms_pct;
    }
    r->exit_flagged = !misses(v, &t) && better && beyond_box(v, p, v->p.bound_tol);
    if (r->exit_flagged)
        r->flags |= INVNET_FLAG_OUTSIDE;
    return physics(v, fw, s, r, err); /* r's response back in v->resp */
}

/* A fit of the ranges' best start is taken for the answer when it fits better than this
 * share of the answer's chi-square (or this share squared of its misfit): a better basin,
 * not the same one to the last digit. */
#define RANGES_BETTER 0.98

/*
 * (7b) The ranges' starts found a better fit than the refinement (their starts reach basins
 * the refinement's did not: the demo's Schlumberger net on the Mawlamyine sounding, 5.52 %
 * beside an answer of 6.55 %, before the refinement's steps were measured in decades):
 * refined from their best as the refinement refines, it becomes the answer, and the ranges
 * are sampled again around it (their depth of investigation is the answer's). Otherwise r
 * and v->resp are as they were.
 */
static int
ranges_best(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s, invnet_result *r,
            fwd_error *err)
{
    invnet_lm_params lp = fit_params(v);
    double lo[2 * FWD_MAX_LAYERS], hi[2 * FWD_MAX_LAYERS], p[2 * FWD_MAX_LAYERS];
    invnet_result t = *r;
    invnet_lm_count cnt;
    int better;

    lp.max_iter = v->p.refine_iter;
    prior_box(v, 0, lo, hi);
    if (v->p.n_holds > 0) /* held as the refinement held them */
        hold_box(v, lo, hi, &lp);
    memcpy(p, v->rg.best, v->np * sizeof *p);
    if (invnet_lm_fit_in(v->lmw, fw, s, r->n_layers, p, lo, hi, &lp, &cnt, NULL) != FWD_OK)
        return FWD_OK; /* v->resp untouched */
    set_model(&t, p);
    if (physics(v, fw, s, &t, NULL) != FWD_OK)
        return physics(v, fw, s, r, err);
    better = isfinite(t.chi2) && isfinite(r->chi2)
                 ? t.chi2 < RANGES_BETTER * r->chi2
                 : t.misfit_rms_pct < sqrt(RANGES_BETTER) * r->misfit_rms_pct;
    if (!better)
        return physics(v, fw, s, r, err); /* the answer's response back in v->resp */
    t.refined = 1;
    t.lm_iterations = cnt.iterations;
    t.flags &= ~(unsigned)(INVNET_FLAG_UNRESOLVED | INVNET_FLAG_UNCONVERGED);
    *r = t;
    memcpy(v->lm, p, v->np * sizeof *p);
    return ranges(v, fw, s, r, err);
}

/* Rounds of rejoin() and a refinement at most. */
#define REJOIN_MAX 8

/*
 * Schlumberger segments joined again from the refined model (its response at each reading,
 * v->resp): the ratio of two readings at a shared AB/2 is in part the finite-MN effect (1.12
 * at AB/2 = 5 m between MN/2 of 0.5 and 2 m over a conductor), which merge_curve took for a
 * shift and the fit, at each reading's own MN/2, then added again. Each joint with shared
 * AB/2 becomes the median there of the data's log10 ratio less the model's; a block of
 * segments joined across a gap (gap_levels) is set to its least-squares level against the
 * model, the level the fit took out; the reference segment stays. v->seg and v->rsh from
 * s's own rho_a. 1 when a shift moved by more than 1e-4 decades, 0 when none did, -1 out of
 * memory.
 */
static int
rejoin(invnet_inverter *v, const fwd_sounding *s)
{
    size_t n = s->n, i, j, k = 0, nd;
    double l, prev = 0, c = 0, c_ref = 0, old_prev = 0, moved = 0, *d, *newc;

    if (s->mn2 == NULL || fwd_sounding_next_mn2(s, fwd_sounding_next_mn2(s, 0)) == INFINITY)
        return 0; /* one segment */
    d = malloc(2 * n * sizeof *d);
    if (d == NULL)
        return -1;
    newc = d + n; /* each point's new shift, before the reference's is taken off */
    for (l = fwd_sounding_next_mn2(s, 0); l < INFINITY;
         prev = l, l = fwd_sounding_next_mn2(s, l), k++) {
        double old = 0;

        for (i = 0; i < n && s->mn2[i] != l; i++)
            continue;
        old = v->seg[i];
        if (k > 0) {
            for (nd = 0, i = 0; i < n; i++) /* the readings shared with the segment before */
                for (j = 0; s->mn2[i] == l && j < n; j++)
                    if (s->mn2[j] == prev && s->x[j] == s->x[i])
                        d[nd++] = log10(s->rho_a[j] / s->rho_a[i]) - log10(v->resp[j] / v->resp[i]);
            double md = nd > 0 ? median(d, nd) : NAN;

            c += isfinite(md) ? md : old - old_prev;
        } else {
            c = old;
        }
        if (k == v->seg_ref)
            c_ref = c;
        for (i = 0; i < n; i++)
            if (s->mn2[i] == l)
                newc[i] = c;
        old_prev = old;
    }
    /* a block joined across a gap (v->level): at its least-squares level against the model,
     * the level the fit took out (weighted as the fit weighs its readings) */
    for (k = 1; k <= v->n_levels; k++) {
        double gl = gap_level(v, s, k, s->rho_a, newc, c_ref);

        for (i = 0; !isnan(gl) && i < n; i++)
            if (v->level[i] == k)
                newc[i] += gl;
    }
    for (i = 0; i < n; i++) {
        moved = fmax(moved, fabs(newc[i] - c_ref - v->seg[i]));
        v->seg[i] = newc[i] - c_ref;
        v->rsh[i] = s->rho_a[i] * pow(10, v->seg[i]);
    }
    free(d);
    return moved > 1e-4;
}

/* The level most of s's readings agree on against the reference's, with the segments at
 * their final levels (v->seg): the points-weighted median of the segments' levels, as
 * merge_curve's auto reference, into r->ref_off (a factor, >= 1) and r->ref_auto_mn2; the
 * reference's MN/2 into r->ref_mn2. Nothing (r->ref_off 1) for one segment or a sounding
 * joined to that level (--segment-ref auto). */
static size_t median_level(const invnet_inverter *v, const fwd_sounding *s, size_t *ns, double *mn,
                           double *lev);

static void
ref_level(const invnet_inverter *v, const fwd_sounding *s, invnet_result *r)
{
    double lev[64], mn[64];
    size_t ns, k;

    r->ref_off = 1;
    r->ref_mn2 = r->ref_auto_mn2 = NAN;
    if (s->mn2 == NULL || v->p.segment_ref < 0)
        return;
    k = median_level(v, s, &ns, mn, lev);
    if (k == SIZE_MAX || ns < 2)
        return;
    r->ref_mn2 = mn[v->seg_ref];
    r->ref_off = pow(10, fabs(lev[k] - lev[v->seg_ref]));
    r->ref_auto_mn2 = mn[k];
}

/* The points-weighted median of s's segments' levels (v->seg): the index of that segment
 * (by increasing MN/2), as merge_curve's auto reference; ns and the MN/2 of each into *ns,
 * mn (room for 64; SIZE_MAX beyond) and each segment's level into lev. */
static size_t
median_level(const invnet_inverter *v, const fwd_sounding *s, size_t *ns, double *mn, double *lev)
{
    double l;
    size_t cnt[64], i;

    *ns = 0;
    for (l = fwd_sounding_next_mn2(s, 0); l < INFINITY && *ns < 64;
         l = fwd_sounding_next_mn2(s, l), (*ns)++) {
        cnt[*ns] = 0;
        for (i = 0; i < s->n; i++)
            if (s->mn2[i] == l) {
                lev[*ns] = v->seg[i];
                cnt[*ns]++;
            }
        mn[*ns] = l;
    }
    return l < INFINITY ? SIZE_MAX : weighted_median(lev, cnt, *ns, s->n);
}

/*
 * --segment-ref auto with segments joined across a gap: merge_curve chose the reference
 * from the levels it estimated there, the fit then moved them; the reference becomes the
 * level most points agree on among the final ones. A common factor on a DC sounding's
 * apparent resistivities is the same factor on every resistivity of its model: the
 * data as joined, the response and the model (the net's and the refined) are scaled by it.
 */
static void
rereference(invnet_inverter *v, const fwd_sounding *s, invnet_result *r)
{
    double mn[64], lev[64], f;
    size_t ns, k = median_level(v, s, &ns, mn, lev), i, j, nl = r->n_layers;

    if (k == SIZE_MAX || k == v->seg_ref || lev[k] == 0)
        return;
    f = pow(10, -lev[k]);
    for (i = 0; i < s->n; i++) {
        v->seg[i] -= lev[k];
        v->rsh[i] *= f;
        v->resp[i] *= f;
    }
    for (j = 0; j < nl; j++) {
        r->rho_ohmm[j] *= f;
        v->lm[j] -= lev[k];
        v->params[j] -= lev[k];
    }
    v->seg_ref = k;
}

/* A refined answer and the data as joined for it, to go back to. */
struct answer {
    double *d; /* v->seg, v->rsh, v->resp (n each), v->lm (np), then n levels */
    size_t n_levels;
    invnet_result r;
};

/* r and v's joined data into a (a->d malloc'd); -1 out of memory. */
static int
save_answer(const invnet_inverter *v, size_t n, const invnet_result *r, struct answer *a)
{
    size_t i;

    a->d = malloc((4 * n + v->np) * sizeof *a->d);
    if (a->d == NULL)
        return -1;
    memcpy(a->d, v->seg, n * sizeof *a->d);
    memcpy(a->d + n, v->rsh, n * sizeof *a->d);
    memcpy(a->d + 2 * n, v->resp, n * sizeof *a->d);
    memcpy(a->d + 3 * n, v->lm, v->np * sizeof *a->d);
    for (i = 0; i < n; i++)
        a->d[3 * n + v->np + i] = (double)v->level[i];
    a->n_levels = v->n_levels;
    a->r = *r;
    return 0;
}

static void
restore_answer(invnet_inverter *v, size_t n, invnet_result *r, const struct answer *a)
{
    size_t i;

    memcpy(v->seg, a->d, n * sizeof *a->d);
    memcpy(v->rsh, a->d + n, n * sizeof *a->d);
    memcpy(v->resp, a->d + 2 * n, n * sizeof *a->d);
    memcpy(v->lm, a->d + 3 * n, v->np * sizeof *a->d);
    for (i = 0; i < n; i++)
        v->level[i] = (size_t)a->d[3 * n + v->np + i];
    v->n_levels = a->n_levels;
    *r = a->r;
}

/* Segments joined again from the fit r (rejoin), refined again from it alone, until the
 * shifts settle (REJOIN_MAX rounds at most); s the data as joined (v->rsh), orig as read. */
static int
rejoin_rounds(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s,
              const fwd_sounding *orig, invnet_result *r, fwd_error *err)
{
    size_t k;
    int rc = FWD_OK, again;

    for (k = 0; rc == FWD_OK && r->refined && k < REJOIN_MAX; k++) {
        int had = v->has_start;
        double keep[2 * FWD_MAX_LAYERS];

        if ((again = rejoin(v, orig)) < 0)
            return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", s->source);
        if (!again)
            break;
        memcpy(keep, v->start, sizeof keep);
        params_of(r, v->start);
        v->has_start = 1;
        rc = physics(v, fw, s, r, err);
        /* refine() keeps a fit better than r as it enters: r as a model not yet refined
         * (best_p is only set by a fit it keeps), and refined still where none is */
        r->refined = 0;
        if (rc == FWD_OK)
            rc = refine(v, fw, s, r, err);
        r->refined = 1;
        v->has_start = had;
        memcpy(v->start, keep, sizeof keep);
    }
    return rc;
}

/* What the fit minimises, per datum: chi-square where the sounding has errors, else the
 * squared misfit. */
static double
fit_sum(const invnet_result *r)
{
    return isfinite(r->chi2) ? r->chi2 : r->misfit_rms_pct * r->misfit_rms_pct;
}

/* The significance level at which every segment's level fitted must fit better than the
 * levels the shared readings give (levels_free). */
#define LEVELS_ALPHA 0.01

/*
 * Schlumberger segments joined by shared AB/2 take their levels from those readings (the
 * median of the ratios, less the model's finite-MN ratio: rejoin). When the data ask for
 * more, every segment's level but the reference's becomes an unknown of the fit too (as
 * across a gap, and as --ranges takes them): rounds from the answer, and where they miss
 * the noise the refinement's starts too (the net's model, a half-space, the prior's draws),
 * with the levels unknown. That fit is kept when it is better by an F-test at LEVELS_ALPHA
 * for the levels it adds (add of them, n - p - (segments - 1) degrees of freedom left), so
 * that noise does not move levels the shared readings fix. A tester's MN/2 80 m at AB/2
 * 100 m (the two MN/2 a factor 10.8 apart there over a conductor), exact data: 16-180 %
 * misfit at the shared readings' levels, 0 with them free (tests/invnet/test_invert.c);
 * docs/invert.md, step 2. s the data as joined, orig as read.
 */
static int
levels_free(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s, const fwd_sounding *orig,
            invnet_result *r, fwd_error *err)
{
    struct answer held = {0};
    size_t n = s->n, nd = fwd_sounding_ndata(s) + invnet_holds_fixed(&v->p), ns = 0, dof, add;
    double l, s0, s1;
    int rc, keep;

    if (orig->mn2 == NULL)
        return FWD_OK;
    for (l = fwd_sounding_next_mn2(orig, 0); l < INFINITY; l = fwd_sounding_next_mn2(orig, l))
        ns++;
    if (ns < 2 || v->n_levels >= ns - 1 || nd <= v->np + ns - 1)
        return FWD_OK;
    if (save_answer(v, n, r, &held) < 0)
        return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", s->source);
    add = ns - 1 - v->n_levels;
    dof = nd - v->np - (ns - 1);
    levels_all_free(v, orig);
    rc = rejoin_rounds(v, fw, s, orig, r, err);
    if (rc == FWD_OK && !fits_noise(v, r)) {
        /* from the net's model and the further starts too, with the levels unknown: a
         * misjoin (a large finite-MN ratio at a shared AB/2) can leave the answer at the
         * shared readings' levels, and the rounds from it, in a minimum of their own */
        struct answer rounds = {0};
        int was = r->refined;

        if (save_answer(v, n, r, &rounds) < 0) {
            free(held.d);
            return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", s->source);
        }
        r->refined = 0;
        rc = refine(v, fw, s, r, err);
        r->refined |= was;
        if (rc == FWD_OK)
            rc = rejoin_rounds(v, fw, s, orig, r, err);
        if (rc == FWD_OK && fits_better(&rounds.r, r) && !fits_better(r, &rounds.r))
            restore_answer(v, n, r, &rounds);
        free(rounds.d);
    }
    s0 = fit_sum(&held.r);
    s1 = fit_sum(r);
    /* the upper tail of F, not its inverse: gsl_cdf_fdist_Qinv fails to converge for some
     * degrees of freedom (NAN from add 1 and dof 597 on, a reviewer found) */
    keep = rc == FWD_OK && r->refined && s1 < s0 &&
           (s1 <= 0 || gsl_cdf_fdist_Q((s0 - s1) / s1 * (double)dof / (double)add, (double)add,
                                       (double)dof) < LEVELS_ALPHA);
    if (rc != FWD_OK && rc != FWD_ENOMEM) { /* a fit that failed: the answer as it was */
        rc = FWD_OK;
        if (err != NULL)
            fwd_error_clear(err);
    }
    if (rc == FWD_OK && !keep)
        restore_answer(v, n, r, &held);
    free(held.d);
    return rc;
}

/* (5) the physics check, where the sounding was measured (each reading at its own AB/2 and
 * MN/2), against the data as joined: each segment shifted as the net saw it; then (6). */
static int
physics_check(invnet_inverter *v, const fwd_sounding *s, invnet_result *r, fwd_error *err)
{
    const fwd_sounding *orig = s;
    fwd_workspace *fw;
    fwd_geom *g;
    fwd_sounding sv;
    size_t k;
    int rc;

    v->refining = 0;
    for (k = 0; k < s->n; k++)
        v->rsh[k] = s->rho_a[k] * pow(10, v->seg[k]);
    sv = *s;
    sv.rho_a = v->rsh;
    s = &sv;
    g = fwd_sounding_geom(s, err);
    fw = g != NULL ? workspace_for(v, g, err) : NULL;
    if (fw == NULL)
        return err != NULL ? err->code : FWD_ENOMEM;
    rc = physics(v, fw, s, r, err);
    if (rc != FWD_OK)
        return rc;
    r->misfit_net_pct = r->misfit_rms_pct;
    /* too few data for the model and the gaps' levels: the levels as estimated, as before */
    if (v->n_levels > 0 && fwd_sounding_ndata(s) + invnet_holds_fixed(&v->p) < v->np + v->n_levels)
        v->n_levels = 0;
    if (v->p.refine_iter > 0 && invnet_refinable(&v->p, fwd_sounding_ndata(s), r->n_layers)) {
        size_t levels = v->n_levels;
        struct answer before = {0}; /* the answer at merge_curve's levels */

        /* segments joined across a gap: first at merge_curve's levels (the joint fit from the
         * net's model alone stopped in local minima: 3 of 40 soundings of a tester's at 6-7 %
         * for 2 % noise), then, in the rounds below, with their levels fitted too */
        v->n_levels = 0;
        rc = refine(v, fw, s, r, err);
        v->n_levels = levels;
        v->refining = 1;
        if (rc == FWD_OK && levels > 0 && r->refined && save_answer(v, s->n, r, &before) < 0)
            return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", s->source);
        if (rc == FWD_OK)
            rc = rejoin_rounds(v, fw, s, orig, r, err);
        /* the rounds with the gaps' levels unknown fit from one start: where they end worse
         * than the answer at the estimated levels, that answer stays */
        if (before.d != NULL && rc == FWD_OK && fits_better(&before.r, r) &&
            !fits_better(r, &before.r))
            restore_answer(v, s->n, r, &before);
        free(before.d);
        if (rc == FWD_OK)
            rc = levels_free(v, fw, s, orig, r, err);
        if (rc == FWD_OK && r->refined && v->n_levels > 0 && v->p.segment_ref < 0)
            rereference(v, orig, r);
    }
    if (rc == FWD_OK && v->p.ranges &&
        invnet_refinable(&v->p, fwd_sounding_ndata(s), r->n_layers)) {
        rc = ranges(v, fw, s, r, err);
        if (rc == FWD_OK && v->p.refine_iter > 0 && !v->has_start)
            rc = ranges_best(v, fw, s, r, err);
    }
    /* of the answer, the ranges' better fit if it is one */
    if (rc == FWD_OK) /* where the fit outside the prior can run (no holds) */
        r->on_bound = r->refined && v->p.n_holds == 0 && on_prior_bound(v, r);
    if (rc == FWD_OK && v->p.refine_iter > 0 && v->p.exit_decades > 0 && v->p.n_holds == 0 &&
        invnet_refinable(&v->p, fwd_sounding_ndata(s), r->n_layers) &&
        (misses(v, r) || r->on_bound))
        rc = prior_exit(v, fw, s, r, err);
    /* segment_jump: what the finite-MN effect does not explain, nor (relevel) the model
     * across a gap; of the final levels (ranges_best may have moved them) */
    if (rc == FWD_OK && r->refined && orig->mn2 != NULL) {
        r->max_jump = seg_jump(v, orig);
        r->flags &= ~(unsigned)INVNET_FLAG_JUMP;
        if (r->max_jump > v->p.segment_jump)
            r->flags |= INVNET_FLAG_JUMP;
    }
    if (rc == FWD_OK)
        ref_level(v, orig, r);
    return rc;
}

int
invnet_invert(invnet_inverter *v, const fwd_sounding *s, invnet_result *r, fwd_error *err)
{
    const invnet_file *nf = v->nf;
    size_t m;
    fwd_method meth = nf->samples.method;
    int rc = FWD_OK;

    memset(r, 0, sizeof *r);
    r->chi2 = r->chi2_given = r->error_floor_pct = r->outlier_sigmas = r->outlier_x = NAN;
    r->exit_misfit_pct = r->exit_chi2 = NAN;
    r->n_layers = nf->samples.prior.n_layers;
    r->max_jump = 1;
    r->ref_off = 1;
    r->ref_mn2 = r->ref_auto_mn2 = NAN;
    if (s->method != meth)
        return fwd_error_set(err, FWD_EINVAL, "%s: %s %s sounding, but the net is for %s",
                             s->source, fwd_method_article(s->method), fwd_method_name(s->method),
                             fwd_method_name(meth));
    if (reserve(v, s->n) != FWD_OK)
        return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", s->source);

    /* (1) one curve; (2) at the net's points */
    if ((rc = merge_curve(v, s, v->p.segment_ref, &m, &r->max_jump, err)) != FWD_OK)
        return rc;
    if (r->max_jump > v->p.segment_jump)
        r->flags |= INVNET_FLAG_JUMP;
    if (m < 2)
        return fwd_error_set(err, FWD_EINVAL, "%s: fewer than 2 distinct points", s->source);
    rc = at_net_points(v, s, m, r, err);
    if (rc != FWD_OK)
        goto done;
    if (r->n_extrapolated > 0)
        r->flags |= INVNET_FLAG_EXTRAP;
    if (nf->masked
            ? r->n_observed < 2 || r->span_decades < nf->mask.min_span - v->p.span_tol_decades
            : (double)r->n_extrapolated > v->p.max_extrapolated * (double)v->n_net) {
        r->flags |= INVNET_FLAG_REFUSED;
        goto done;
    }

    /* more of the net's points missing inside the sounding's span than training showed */
    if (nf->masked &&
        (double)(r->n_in_span - r->n_observed) > nf->mask.max_missing * (double)r->n_in_span + 0.5)
        r->flags |= INVNET_FLAG_OUTSIDE;

    /* (3) range checks on the features */
    rc = range_checks(v, s, r, err);
    if (rc != FWD_OK)
        goto done;

    /* (4) the model */
    rc = predict(v, err);
    if (rc != FWD_OK)
        goto done;
    r->inverted = 1;
    if (beyond_box(v, v->params, v->p.bound_tol))
        r->flags |= INVNET_FLAG_BOUND;
    set_model(r, v->params);

    /* (5) the physics check; (6) optionally, Levenberg-Marquardt from the net's model */
    rc = physics_check(v, s, r, err);
    if (rc != FWD_OK)
        goto done;
    /* the answer is the refined model, inside the prior by construction, judged by its fit:
     * where the net's own model was beyond a bound, the refinement has replaced it */
    if (r->refined)
        r->flags &= ~(unsigned)INVNET_FLAG_BOUND;
    r->response = v->resp;
    r->observed = v->rsh;
    r->misfit_max_pct = misfit_limit(v);
    if (misses(v, r))
        r->flags |= INVNET_FLAG_MISFIT;
    if (r->refined && fwd_sounding_ndata(s) > v->np)
        outlier(v, s, r);
done:
    r->in_range = (r->flags & INVNET_RANGE_FLAGS) == 0;
    return rc;
}
