/* SPDX-License-Identifier: MIT */
/*
 * invnet_batch.c - soundings read and inverted in parallel, each result kept whole.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "forward/base/fwd_time.h"
#include "forward/fwd_forward.h"
#include "invnet/invert/invnet_batch.h"
#include "invnet/invert/invnet_batch_internal.h"

invnet_batch_params
invnet_batch_default(void)
{
    invnet_batch_params p;

    p.check = invnet_check_default();
    p.component = FWD_COMP_DET;
    p.threads = 1;
    p.curves = 0;
    p.doi = 0;
    p.curve_points = 120;
    p.curve_pad_decades = 0.1;
    p.layers = 0;
    p.drop_outlier = 0;
    p.stations = NULL;
    p.columns = NULL;
    p.part = 0;
    p.parts = 1;
    p.progress = NULL;
    p.progress_arg = NULL;
    p.stop = NULL;
    return p;
}

void
invnet_batch_part(size_t n, size_t part, size_t parts, size_t *first, size_t *count)
{
    /* n * part / parts without overflow: n < 2^64 / parts is far beyond any batch */
    size_t a = n / parts * part + n % parts * part / parts;
    size_t b = n / parts * (part + 1) + n % parts * (part + 1) / parts;

    *first = a;
    *count = b - a;
}

/* FWD_MAX_LAYERS as text, for a message. */
#define STRINGIFY(x) #x
#define TEXT_OF(x)   STRINGIFY(x)
#define LAYERS_MAX   TEXT_OF(FWD_MAX_LAYERS)

invnet_batch_params *
invnet_batch_params_alloc(void)
{
    invnet_batch_params *p = malloc(sizeof *p);

    if (p != NULL)
        *p = invnet_batch_default();
    return p;
}

void
invnet_batch_params_free(invnet_batch_params *p)
{
    free(p);
}

int
invnet_batch_params_set_columns(invnet_batch_params *p, const char *columns, fwd_error *err)
{
    int rc = fwd_sounding_columns_check(columns, err);

    if (rc == FWD_OK)
        p->columns = columns;
    return rc;
}

int
invnet_batch_params_set_stations(invnet_batch_params *p, const char *stations, fwd_error *err)
{
    const char *q = stations;

    while (q != NULL) { /* each name, up to a comma or the end: none empty */
        size_t len = strcspn(q, ",");

        if (len == 0)
            return fwd_error_set_field(err, FWD_EINVAL, "stations",
                                       "stations: expected names, comma-separated, got \"%s\" "
                                       "(an empty name)",
                                       stations);
        q = q[len] == ',' ? q + len + 1 : NULL;
    }
    p->stations = stations;
    return FWD_OK;
}

int
invnet_batch_params_set_holds(invnet_batch_params *p, const char *fix, const char *bound,
                              fwd_error *err)
{
    invnet_check_params c = p->check;
    int rc = FWD_OK;

    c.n_holds = 0;
    if (fix != NULL)
        rc = invnet_holds_parse(&c, fix, 1, err);
    if (rc == FWD_OK && bound != NULL)
        rc = invnet_holds_parse(&c, bound, 0, err);
    if (rc == FWD_OK)
        p->check = c;
    return rc;
}

/* v is a whole number from lo to hi. */
static int
whole_in(double v, double lo, double hi)
{
    return v >= lo && v <= hi && v == floor(v);
}

int
invnet_batch_params_set(invnet_batch_params *p, const char *name, double v, fwd_error *err)
{
    if (strcmp(name, "refine") == 0 && whole_in(v, 0, 10000)) {
        p->check.refine_iter = (size_t)v;
    } else if (strcmp(name, "ranges") == 0 && (v == 0 || (v >= 1 && v <= 99.9))) {
        p->check.ranges = v > 0;
        if (v > 0)
            p->check.range.level = v;
    } else if (strcmp(name, "layers") == 0 && whole_in(v, 0, FWD_MAX_LAYERS)) {
        p->layers = (size_t)v;
    } else if (strcmp(name, "threads") == 0 && whole_in(v, 1, 1024)) {
        p->threads = (size_t)v;
    } else if (strcmp(name, "misfit_max") == 0 && v > 0 && isfinite(v)) {
        p->check.misfit_noise_factor = 0;
        p->check.misfit_floor_pct = v;
    } else if (strcmp(name, "curves") == 0 && (v == 0 || v == 1)) {
        p->curves = v == 1;
    } else if (strcmp(name, "doi") == 0 && (v == 0 || v == 1)) {
        p->doi = v == 1;
    } else if (strcmp(name, "segment_ref") == 0 && (v == -1 || v >= 0) && isfinite(v)) {
        p->check.segment_ref = v;
    } else if (strcmp(name, "starts") == 0 && whole_in(v, 1, 100)) {
        p->check.refine_starts = (size_t)v;
    } else if (strcmp(name, "fit_to") == 0 && v >= 0 && v <= 100) {
        p->check.refit_factor = v;
    } else if (strcmp(name, "equivalent") == 0 && (v == 0 || v == 1)) {
        p->check.equivalent = v == 1;
    } else if (strcmp(name, "drop_outlier") == 0 && (v == 0 || v == 1)) {
        p->drop_outlier = v == 1;
    } else {
        static const char *const known[] = {"refine",     "ranges", "layers",     "threads",
                                            "misfit_max", "curves", "doi",        "segment_ref",
                                            "starts",     "fit_to", "equivalent", "drop_outlier"};
        static const char *const want[] = {"a whole number from 0 to 10000",
                                           "0 (none) or a level from 1 to 99.9 percent",
                                           ("a whole number from 0 to " LAYERS_MAX),
                                           "a whole number from 1 to 1024",
                                           "a finite percentage > 0",
                                           "0 or 1",
                                           "0 or 1",
                                           "0 (the first segment), -1 (auto) or an MN/2 > 0",
                                           "a whole number from 1 to 100",
                                           "a factor from 0 to 100",
                                           "0 or 1",
                                           "0 or 1"};
        size_t k;

        for (k = 0; k < sizeof known / sizeof known[0]; k++)
            if (strcmp(name, known[k]) == 0)
                break;
        if (k == sizeof known / sizeof known[0])
            return fwd_error_set_field(err, FWD_EINVAL, "setting",
                                       "setting: expected refine, ranges, layers, threads, "
                                       "misfit_max, curves, doi, segment_ref, starts, "
                                       "fit_to, equivalent or drop_outlier, got \"%s\"",
                                       name);
        return fwd_error_set_field(err, FWD_EINVAL, known[k], "%s: expected %s, got %g", known[k],
                                   want[k], v);
    }
    return FWD_OK;
}

const invnet_candidate *
invnet_batch_best(const invnet_batch_item *it)
{
    return it->status == FWD_OK && it->best < it->n_candidates ? &it->candidates[it->best] : NULL;
}

int
invnet_batch_joined(const invnet_batch_item *it)
{
    return it->s != NULL && it->observed != NULL &&
           fwd_sounding_next_mn2(it->s, fwd_sounding_next_mn2(it->s, 0)) < INFINITY;
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

/* Candidate c of the item from r, with copies of the arrays r borrows from the inverter;
 * the data as compared too when observed. */
static int
keep_result(invnet_batch_item *it, invnet_candidate *c, const invnet_result *r, int observed)
{
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
    if (observed && r->observed != NULL && (it->observed = copy_of(r->observed, it->s->n)) == NULL)
        return FWD_ENOMEM;
    return FWD_OK;
}

/* chi2 of r's response against the data as compared (Schlumberger segments joined), with
 * the errors and noise of the refinement (invnet_lm_chi2); NAN when r has no response. */
static double
chi2_of(const fwd_sounding *s, const invnet_result *r, double noise)
{
    if (r->response == NULL || r->observed == NULL)
        return NAN;
    return invnet_lm_chi2(s, r->observed, r->response, noise);
}

/* The criterion of r among the layer counts: BIC, chi2 / ns^2 + k ln n, with ns the noise
 * scale (NAN when r has no model). */
static double
criterion_of(const fwd_sounding *s, const invnet_result *r, double noise, double ns)
{
    return r->inverted ? chi2_of(s, r, noise) / (ns * ns) + (double)FWD_MODEL_NPARAMS(r->n_layers) *
                                                                log((double)fwd_sounding_ndata(s))
                       : NAN;
}

/*
 * c->doi_m for a plot, a section or an XYZ table: the ranges' depth of investigation, or where none
 * were sampled, invnet_ranges_doi's of c's model against the data as compared (Schlumberger
 * segments joined) at 90 %. FWD_OK (NAN where the forward model or the geometry fails) or
 * FWD_ENOMEM.
 */
static int
doi(const invnet_batch_item *it, invnet_candidate *c, const invnet_file *nf)
{
    double p[2 * FWD_MAX_LAYERS];
    fwd_sounding sv = *it->s;
    fwd_workspace *w;
    fwd_error e;
    fwd_geom *g;
    int rc;

    if (c->ranges != NULL) {
        c->doi_m = c->ranges->doi_m;
        memcpy(c->doi_interval_m, c->ranges->doi_interval_m, sizeof c->doi_interval_m);
        return FWD_OK;
    }
    fwd_model_to_log10(c->r.n_layers, c->r.rho_ohmm, c->r.thick_m, p);
    if (it->observed != NULL)
        sv.rho_a = it->observed;
    if ((g = fwd_sounding_geom(&sv, &e)) == NULL)
        return e.code == FWD_ENOMEM ? FWD_ENOMEM : FWD_OK;
    if ((w = fwd_workspace_alloc(g, NULL, NULL)) == NULL) {
        fwd_geom_free(g);
        return FWD_ENOMEM;
    }
    rc = invnet_ranges_doi(w, &sv, c->r.n_layers, p, nf->samples.noise, 0, 90, &c->doi_m, NULL);
    fwd_workspace_free(w);
    fwd_geom_free(g);
    return rc == FWD_ENOMEM ? FWD_ENOMEM : FWD_OK;
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
    size_t nl = g->n_layers, np = FWD_MODEL_NPARAMS(nl), d, k, used = 0;
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
        if (fwd_model_from_log10(nl, g->draws + d * np, rho, th, NULL) != FWD_OK ||
            fwd_eval(w, nl, rho, th, f, NULL) != FWD_OK)
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

/* The thickest of the nl - 1 layers above the half-space, thicknesses h (0 for nl <= 2). */
static size_t
thickest(const double *h, size_t nl)
{
    size_t i = 0, k;

    for (k = 1; k + 1 < nl; k++)
        if (h[k] > h[i])
            i = k;
    return i;
}

/* The upper of the two neighbouring layers of least contrast among nl of log10 resistivities
 * lr. */
static size_t
least_contrast(const double *lr, size_t nl)
{
    size_t i = 0, k;

    for (k = 1; k + 1 < nl; k++)
        if (fabs(lr[k] - lr[k + 1]) < fabs(lr[i] - lr[i + 1]))
            i = k;
    return i;
}

/* invnet_batch_internal.h */
void
invnet_split_model(const invnet_result *r, size_t nb, size_t first, double *p)
{
    double rho[FWD_MAX_LAYERS], h[FWD_MAX_LAYERS], z = 0;
    size_t nl = r->n_layers, k, i;

    if (nl < 1 || nb > FWD_MAX_LAYERS)
        return;
    memcpy(rho, r->rho_ohmm, nl * sizeof *rho);
    if (nl > 1)
        memcpy(h, r->thick_m, (nl - 1) * sizeof *h);
    for (; nl < nb; nl++, first = SIZE_MAX) {
        i = first < nl ? first : thickest(h, nl);
        if (nl == 1 || i + 1 == nl) { /* the half-space: a layer of it on top of it */
            for (z = 0, k = 0; k + 1 < nl; k++)
                z += h[k];
            h[nl - 1] = nl == 1 ? 10 : z;
            rho[nl] = rho[nl - 1];
            continue;
        }
        for (k = nl; k > i + 1; k--) /* layer i into two halves */
            rho[k] = rho[k - 1];
        rho[i + 1] = rho[i];
        for (k = nl - 1; k > i + 1; k--)
            h[k] = h[k - 1];
        h[i] /= 2;
        h[i + 1] = h[i];
    }
    for (k = 0; k < nb; k++)
        p[k] = log10(rho[k]);
    for (k = 0; k + 1 < nb; k++)
        p[nb + k] = log10(h[k]);
}

/* invnet_batch_internal.h */
void
invnet_merge_model(const invnet_result *r, size_t nb, size_t first, double *p)
{
    double lr[FWD_MAX_LAYERS], h[FWD_MAX_LAYERS];
    size_t nl = r->n_layers, k, i;

    if (nl < 2 || nl > FWD_MAX_LAYERS || nb < 1)
        return;
    for (k = 0; k < nl; k++)
        lr[k] = log10(r->rho_ohmm[k]);
    memcpy(h, r->thick_m, (nl - 1) * sizeof *h);
    for (; nl > nb; nl--, first = SIZE_MAX) {
        i = first + 1 < nl && first != SIZE_MAX ? first : least_contrast(lr, nl);
        if (i + 2 < nl) { /* two layers above the half-space: one of their total thickness */
            lr[i] = (h[i] * lr[i] + h[i + 1] * lr[i + 1]) / (h[i] + h[i + 1]);
            h[i] += h[i + 1];
            for (k = i + 1; k + 2 < nl; k++)
                h[k] = h[k + 1];
        } else { /* the deepest layer into the half-space */
            lr[i] = lr[i + 1];
        }
        for (k = i + 1; k + 1 < nl; k++)
            lr[k] = lr[k + 1];
    }
    memcpy(p, lr, nb * sizeof *p);
    for (k = 0; k + 1 < nb; k++)
        p[nb + k] = log10(h[k]);
}

/* The count of r the criterion prefers (the first of least BIC; 0 when none has one), its
 * criterion into *cb. */
static size_t
preferred(const invnet_file *const *nf, size_t nn, const fwd_sounding *s, const invnet_result *r,
          double *cb)
{
    size_t k, b = 0;

    *cb = INFINITY;
    for (k = 0; k < nn; k++) {
        double c = criterion_of(s, &r[k], nf[k]->samples.noise, 1);

        if (c < *cb) {
            *cb = c;
            b = k;
        }
    }
    return b;
}

/* Count k's room in saved for retry(): its response (values per point x n) and its observed
 * apparent resistivities (n). */
static double *
slot(double *saved, const fwd_sounding *s, size_t k)
{
    return saved + k * (values_per_point(s) + 1) * s->n;
}

/* Count k again from the start st alone (NULL: from its net and the further starts), kept
 * when its chi2 is lower (1 returned); else r points at keep, a copy of what the new run
 * overwrote (0). */
static int
retry(invnet_inverter *v, const invnet_file *nf, const fwd_sounding *s, invnet_result *r,
      double *keep, const double *st)
{
    size_t nv = values_per_point(s) * s->n;
    double old = chi2_of(s, r, nf->samples.noise);
    invnet_result alt;
    int rc;

    if (!r->inverted || r->response == NULL || r->observed == NULL)
        return 0;              /* nothing to compare with (too few data for the count, say) */
    if (r->response != keep) { /* else kept there by an earlier retry */
        memcpy(keep, r->response, nv * sizeof *keep);
        memcpy(keep + nv, r->observed, s->n * sizeof *keep);
    }
    invnet_inverter_set_start(v, st);
    rc = invnet_invert(v, s, &alt, NULL);
    invnet_inverter_set_start(v, NULL);
    if (rc == FWD_OK && alt.inverted && chi2_of(s, &alt, nf->samples.noise) < old) {
        *r = alt;
        return 1;
    }
    r->response = keep;
    r->observed = keep + nv;
    return 0;
}

/* A count below the one preferred runs all its starts only when its first fit is within this
 * factor of the preferred fit's chi2 (invnet_batch_more_starts). bench_layers (60 truths a
 * count, 2-5 layers, Schlumberger and MT): every count below, 2.2 x the time of choosing
 * among 4 counts; within 3 x, 1.06 x, the same counts right (88.2 % against 88.0 %
 * exact, the mean of the tables); the tester's Mawlamyine 3 layers were at 2.3 x. */
#define LOWER_WITHIN 3.0

/* invnet_batch_internal.h */
size_t
invnet_batch_more_starts(const invnet_file *const *nf, size_t nn, const fwd_sounding *s,
                         const invnet_result *r, double refit, int *want)
{
    double cb, nd = (double)fwd_sounding_ndata(s);
    size_t k, b = preferred(nf, nn, s, r, &cb), n = 0;
    double chi2_b = chi2_of(s, &r[b], nf[b]->samples.noise);
    /* the preferred count misses the noise: the sounding's own errors where it gives them
     * all (fits_noise in invnet_invert.c) */
    double miss = isfinite(r[b].chi2_given) ? r[b].chi2_given * nd : chi2_b;

    for (k = 0; k < nn; k++) {
        double np = (double)FWD_MODEL_NPARAMS(r[k].n_layers), level = fmax(nd - np, 0);
        double ck = chi2_of(s, &r[k], nf[k]->samples.noise);

        want[k] = r[k].inverted && (!(miss <= refit * refit * nd) ||
                                    (k != b && ck > level && level + np * log(nd) < cb &&
                                     (k > b || ck < LOWER_WITHIN * chi2_b)));
        n += (size_t)want[k];
    }
    return n;
}

/* After a retry from the start p of an nl-layer count: when its fit was kept, p becomes
 * that count's start *st (started set). */
static void
kept(int yes, const double *p, size_t nl, int *started, double *st)
{
    if (!yes)
        return;
    memcpy(st, p, FWD_MODEL_NPARAMS(nl) * sizeof *st);
    *started = 1;
}

/*
 * Fits of neighbouring counts that contradict each other, tried again (the refinement from
 * each count's net can stop in a worse minimum), each from its new start alone: a count that
 * fits worse than the count below, or no better by the criterion's price of its two more
 * parameters while the count below misses the noise (chi2 above refit^2 per datum), from
 * that count's fit split (invnet_split_model: nested models, it can fit at least as well), the
 * thickest layer first, then each other layer in turn while the contradiction stands; then,
 * from the count the criterion prefers, the count below it when it loses by more than the
 * penalties differ, from the preferred fit merged (invnet_merge_model), the two layers of least
 * contrast first, then every other pair in turn while the preferred fit fits the noise and
 * the count below still loses; and so on down while the retried count takes the lead.
 * saved: nn x (values + 1) x n doubles for retry(); started[k], st[k]: the start of a fit
 * kept.
 */
static void
reconcile(invnet_inverter *const *v, const invnet_file *const *nf, size_t nn, const fwd_sounding *s,
          double refit, invnet_result *r, double *saved, int *started,
          double (*st)[2 * FWD_MAX_LAYERS])
{
    size_t k, i, nd = fwd_sounding_ndata(s);
    double trial[2 * FWD_MAX_LAYERS], lr[FWD_MAX_LAYERS];
    int tried[INVNET_SET_MAX] = {0};

    for (k = 1; k < nn; k++) {
        size_t nb = r[k - 1].n_layers, first = thickest(r[k - 1].thick_m, nb);

        if (!r[k - 1].inverted || !r[k].inverted || !r[k - 1].refined)
            continue;
        /* the thickest layer first (i = 0), then every other one, the half-space too */
        for (i = 0; i <= nb; i++) {
            double lo = chi2_of(s, &r[k - 1], nf[k - 1]->samples.noise);
            double hi = chi2_of(s, &r[k], nf[k]->samples.noise);
            double price = criterion_of(s, &r[k], nf[k]->samples.noise, 1) - hi -
                           (criterion_of(s, &r[k - 1], nf[k - 1]->samples.noise, 1) - lo);

            if (i > 0 && i - 1 == first)
                continue; /* tried first */
            if (!(hi > lo || (lo > refit * refit * (double)nd && lo - hi < price)))
                break;
            invnet_split_model(&r[k - 1], r[k].n_layers, i == 0 ? first : i - 1, trial);
            kept(retry(v[k], nf[k], s, &r[k], slot(saved, s, k), trial), trial, r[k].n_layers,
                 &started[k], st[k]);
        }
    }
    /* downwards from the count the criterion prefers now, while that count beats the one
     * below: only that one can take its place */
    for (;;) {
        double cb;
        size_t b = preferred(nf, nn, s, r, &cb), least;

        if (b == 0 || tried[b - 1] || !r[b - 1].inverted || !r[b].refined)
            break;
        k = b - 1;
        tried[k] = 1;
        for (i = 0; i < r[b].n_layers; i++)
            lr[i] = log10(r[b].rho_ohmm[i]);
        least = least_contrast(lr, r[b].n_layers);
        invnet_merge_model(&r[b], r[k].n_layers, least, trial);
        kept(retry(v[k], nf[k], s, &r[k], slot(saved, s, k), trial), trial, r[k].n_layers,
             &started[k], st[k]);
        for (i = 0; i + 1 < r[b].n_layers; i++) {
            if (i == least)
                continue; /* tried first */
            if (!(criterion_of(s, &r[k], nf[k]->samples.noise, 1) > cb &&
                  chi2_of(s, &r[b], nf[b]->samples.noise) <= refit * refit * (double)nd))
                break;
            invnet_merge_model(&r[b], r[k].n_layers, i, trial);
            kept(retry(v[k], nf[k], s, &r[k], slot(saved, s, k), trial), trial, r[k].n_layers,
                 &started[k], st[k]);
        }
    }
}

/* Appends the formatted sentence to buf (len used of cap), '\n' before it if not first. */
static void FWD_PRINTF(4, 5) why_add(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len > 0 && *len + 1 < cap)
        buf[(*len)++] = '\n';
    va_start(ap, fmt);
    n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    *len = n < 0 ? *len : *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

/* What --drop-outlier did to it, r its answer: the reading left out (with its line, or
 * its place in arrays given; beside the flagged one when that fitted better), and a
 * reading still standing out; into buf (why_add). */
static void
dropped_note(const invnet_batch_item *it, const invnet_result *r, char *buf, size_t cap,
             size_t *len)
{
    const fwd_method_info *mi = it->s != NULL ? fwd_method_get(it->s->method) : NULL;
    char line[32] = "";

    if (!it->dropped || mi == NULL)
        return;
    if (it->dropped_line > 0)
        snprintf(line, sizeof line, "%s %zu, ", it->given ? "point" : "line", it->dropped_line);
    if (it->flagged_x == it->dropped_x)
        why_add(buf, cap, len,
                "its reading at %s %g (%s%.3g times its error off the first answer's fit) "
                "left out (--drop-outlier): the answer is of the other %zu",
                mi->x_column, it->dropped_x, line, it->dropped_sigmas, it->s->n);
    else /* a spike at an end: its neighbour stood out most */
        why_add(buf, cap, len,
                "its reading at %s %g (%sbeside %g, which the first answer's fit put %.3g "
                "times its error off) left out (--drop-outlier): the fit without it fits "
                "better than without %g; the answer is of the other %zu",
                mi->x_column, it->dropped_x, line, it->flagged_x, it->dropped_sigmas, it->flagged_x,
                it->s->n);
    if (r->flags & INVNET_FLAG_OUTLIER) /* a second spike: one is left out */
        why_add(buf, cap, len,
                "another reading stands out of the answer's fit, at %s %g (%.3g times its "
                "error): --drop-outlier leaves out one reading a sounding",
                mi->x_column, r->outlier_x, r->outlier_sigmas);
}

/* When every apparent resistivity of s lies below the least resistivity of the net's prior
 * (of its nl layers), or above the largest, which no earth of the prior gives: says so into
 * buf (why_add), with the unit it may have been meant in (kohm-m read as ohm-m: a survey
 * trial's station, flagged, got notes about segment levels and a wider prior). 1 when
 * said, else 0. */
static int
units_note(const fwd_sounding *s, const smp_prior *pr, size_t nl, char *buf, size_t cap,
           size_t *len)
{
    double lo = INFINITY, hi = 0, plo = INFINITY, phi = 0;
    size_t k;

    for (k = 0; k < s->n; k++) {
        lo = fmin(lo, s->rho_a[k]);
        hi = fmax(hi, s->rho_a[k]);
    }
    for (k = 0; k < nl && k < FWD_MAX_LAYERS; k++) {
        plo = fmin(plo, pr->rho_min[k]);
        phi = fmax(phi, pr->rho_max[k]);
    }
    if (s->n == 0 || !(hi < plo || lo > phi))
        return 0;
    why_add(buf, cap, len,
            "every rho_a (%.3g to %.3g ohm-m) lies %s the net's prior (%g to %g ohm-m), which "
            "no earth of it gives: %s",
            lo, hi, hi < plo ? "below" : "above", plo, phi,
            hi < plo && lo * 1e3 >= plo && hi * 1e3 <= phi
                ? "are they in kohm-m (x 1000)? a unit in the header converts them, "
                  "\"rho_a (kOhm-m)\""
                : "are they in another unit, or from another method?");
    return 1;
}

/*
 * What the answer of it (candidate c, from the net nf) needs said, into it->why and, with
 * the sounding's own note, it->note: why it was not inverted (how much of the net's span
 * it covers, against what the net takes: a net of parts of its span, --min-span decades;
 * of the whole span, 80 % of its points); where its fit with the prior widened (step 7)
 * leaves the net's prior, when that fit is flagged or clearly better (half the misfit, a
 * quarter of chi2): a net of a wider prior would fit it, or the prior is likely too
 * narrow; that it fits its errors as raised to the training noise (chi2 within chi2_max)
 * but not as given (chi2_given beyond): the floor hides the misfit; that the segments were
 * joined to a reference more than a factor jump from the level most readings agree on. FWD_ENOMEM
 * or FWD_OK.
 */
static int
item_why(invnet_batch_item *it, const invnet_candidate *c, const invnet_file *nf,
         const invnet_check_params *p)
{
    const invnet_result *r = &c->r;
    double chi2_max = p->chi2_max, jump = p->segment_jump, ref = p->segment_ref;
    char buf[2048];
    size_t len = 0, nl = r->n_layers, j = r->exit_param, k = j < nl ? j : j - nl, ns, w, u;
    size_t nd = fwd_sounding_ndata(it->s);
    int units;

    buf[0] = '\0';
    dropped_note(it, r, buf, sizeof buf, &len);
    units = units_note(it->s, &nf->samples.prior, nl, buf, sizeof buf, &len);
    if ((r->flags & INVNET_FLAG_REFUSED) && nf->masked)
        why_add(buf, sizeof buf, &len,
                "not inverted: it covers %.2f decades of the net's span, less than the %g "
                "decade%s the net takes",
                r->span_decades, nf->mask.min_span, nf->mask.min_span == 1 ? "" : "s");
    else if (r->flags & INVNET_FLAG_REFUSED)
        why_add(buf, sizeof buf, &len,
                "not inverted: it covers %.2f decades of the net's span, and more than 20 %% of "
                "the net's points lie outside it (a net of its whole span: train with a smaller "
                "--min-span for parts of it)",
                r->span_decades);
    if (r->inverted && (p->refine_iter > 0 || p->ranges) && !invnet_refinable(p, nd, nl)) {
        size_t most = nl, held = invnet_holds_fixed(p), q, set = it->n_candidates;
        char also[64] = "", fit[192];

        while (most > 1 && nd < FWD_MODEL_NPARAMS(most)) /* the most layers nd data fit */
            most--;
        for (q = 0; q < it->n_candidates; q++) /* a set's count of that many or fewer */
            if (it->candidates[q].r.n_layers <= most &&
                (set == it->n_candidates ||
                 it->candidates[q].r.n_layers > it->candidates[set].r.n_layers))
                set = q;
        if (held > 0)
            snprintf(also, sizeof also, " (and %zu value%s held)", held, held == 1 ? "" : "s");
        if (set < it->n_candidates) /* weighed below this one: its fit says why */
            snprintf(fit, sizeof fit,
                     "they determine the set's %zu-layer net, which fits them to %.3g %% "
                     "(--layers %zu takes it alone)",
                     it->candidates[set].r.n_layers, it->candidates[set].r.misfit_rms_pct,
                     it->candidates[set].r.n_layers);
        else
            snprintf(fit, sizeof fit, "they determine a net of %zu layers or fewer", most);
        why_add(buf, sizeof buf, &len,
                "%s: its %zu %s%s are fewer than the %zu parameters of a %zu-layer earth, which "
                "they cannot determine: the net's answer as it is (misfit %.3g %%); %s",
                p->refine_iter == 0 ? "no ranges"
                : p->ranges         ? "not refined, and no ranges"
                                    : "not refined",
                nd,
                fwd_geom_method(nf->geom) == FWD_MT ? "data (each period's rho_a and phase)"
                                                    : "readings",
                also, FWD_MODEL_NPARAMS(nl), nl, r->misfit_rms_pct, fit);
    }
    if (r->ranges_held_failed)
        why_add(buf, sizeof buf, &len,
                "no ranges: no model inside the net's prior honours the parameters held (a "
                "depth fixed out of reach of the layers above it, or leaving its layer thinner "
                "than the prior allows; a thickness and its layer's depth both fixed, apart); "
                "the answer is the refinement's, held as it could");
    /* (an answer that met the threshold on a bound and was not flagged: nothing to say) */
    if (r->exit_run && r->exit_beyond > 0.01 && !units && /* units: the note above says why */
        (r->exit_flagged ||
         ((r->flags & INVNET_FLAG_MISFIT) &&
          (isfinite(r->chi2) ? r->exit_chi2 <= 0.25 * r->chi2
                             : r->exit_misfit_pct <= 0.5 * r->misfit_rms_pct)))) {
        const smp_prior *pr = &nf->samples.prior;
        double v = j < nl ? r->exit_rho_ohmm[k] : r->exit_thick_m[k];
        double lo = j < nl ? pr->rho_min[k] : pr->thick_min[k];
        double hi = j < nl ? pr->rho_max[k] : pr->thick_max[k];

        why_add(buf, sizeof buf, &len,
                "with the prior widened, the fit (misfit %.3g %%, %.3g %% inside it) puts %s%zu "
                "at %.4g %s, %.2f decades %s the net's prior (%g to %g %s): %s",
                r->exit_misfit_pct, r->misfit_rms_pct, j < nl ? "rho_" : "thick_", k + 1, v,
                j < nl ? "ohm-m" : "m", r->exit_beyond, v > hi ? "above" : "below", lo, hi,
                j < nl ? "ohm-m" : "m",
                r->exit_flagged ? "a net of a wider prior would fit it"
                                : "it misses there too, less: the prior is likely too narrow (a "
                                  "wider one, or another layer count, may fit it)");
    }
    if (isfinite(r->chi2_given) && r->chi2 <= chi2_max && r->chi2_given > chi2_max)
        why_add(buf, sizeof buf, &len,
                "it fits the net's noise (chi2 %.3g, each error raised to %g %%) but not its own "
                "errors (chi2_given %.3g): the answer, its ranges and the layer count weigh %g %% "
                "errors; if its errors are right, a net of less noise, or another layer count, "
                "may fit it closer",
                r->chi2, r->error_floor_pct, r->chi2_given, r->error_floor_pct);
    if (r->ref_off > jump && !units) /* levels fitted to an answer at a bound: no guide */
        why_add(buf, sizeof buf, &len,
                "its segments are joined to the one of MN/2 %g m (%s), a factor %.3g from the "
                "level most of its readings agree on (MN/2 %g m): the answer and its ranges are "
                "at the reference's level; --segment-ref auto joins to theirs",
                r->ref_mn2, ref > 0 ? "--segment-ref" : "the first, the default reference",
                r->ref_off, r->ref_auto_mn2);
    if (len == 0)
        return FWD_OK;
    ns = strlen(it->s->note);
    it->why = malloc(len + 1);
    it->note = malloc(ns + 2 + 2 * len + 1); /* each '\n' becomes "; " */
    if (it->why == NULL || it->note == NULL) {
        free(it->why);
        free(it->note);
        it->why = it->note = NULL;
        return FWD_ENOMEM;
    }
    memcpy(it->why, buf, len + 1);
    memcpy(it->note, it->s->note, ns);
    w = ns;
    if (ns > 0)
        it->note[w++] = ';', it->note[w++] = ' ';
    for (u = 0; u <= len; u++) /* the lines joined by "; " */
        if (buf[u] == '\n')
            it->note[w++] = ';', it->note[w++] = ' ';
        else
            it->note[w++] = buf[u];
    return FWD_OK;
}

/* The nn counts' fits r of it->s (it->candidates allocated) weighed: each one's chi2 and
 * BIC, the data's noise scale from the count of least chi2 per degree of freedom, the
 * weights exp(-BIC / 2) normalised, it->best the count of least BIC. */
static void
weigh_counts(invnet_batch_item *it, const invnet_file *const *nf, size_t nn, const invnet_result *r)
{
    double best = INFINITY, sum = 0;
    size_t k, least;

    it->n_candidates = nn;
    it->best = 0;
    it->noise_scale = NAN;
    /* chi2 of each count; the data's noise from the count of least chi2 per degree of
     * freedom */
    for (k = 0, least = 0; k < nn; k++) {
        invnet_candidate *c = &it->candidates[k];
        size_t np = FWD_MODEL_NPARAMS(r[k].n_layers), nd = fwd_sounding_ndata(it->s);

        c->chi2 = r[k].inverted ? chi2_of(it->s, &r[k], nf[k]->samples.noise) : NAN;
        if (isfinite(c->chi2) && nd > np && !(c->chi2 / (double)(nd - np) >= it->noise_scale)) {
            it->noise_scale = c->chi2 / (double)(nd - np);
            least = k;
        }
    }
    if (isfinite(it->noise_scale))
        it->noise_scale =
            invnet_lm_noise_scale(it->candidates[least].chi2, fwd_sounding_ndata(it->s),
                                  FWD_MODEL_NPARAMS(r[least].n_layers));
    for (k = 0; k < nn; k++) { /* the criterion of each count, the least */
        invnet_candidate *c = &it->candidates[k];

        c->criterion = criterion_of(it->s, &r[k], nf[k]->samples.noise,
                                    isfinite(it->noise_scale) ? it->noise_scale : 1);
        if (c->criterion < best) {
            best = c->criterion;
            it->best = k;
        }
    }
    for (k = 0; k < nn; k++)
        sum += isfinite(it->candidates[k].criterion)
                   ? exp(-0.5 * (it->candidates[k].criterion - best))
                   : 0;
    for (k = 0; k < nn; k++) {
        invnet_candidate *c = &it->candidates[k];

        c->weight = isfinite(c->criterion) ? exp(-0.5 * (c->criterion - best)) / sum : 0;
        c->doi_m = c->doi_interval_m[0] = c->doi_interval_m[1] = c->doi_interval_m[2] = NAN;
    }
}

/* Takes point k out of s (its reading, and with it an MT period's phase, errors, MN/2 and
 * line). */
static void
drop_point(fwd_sounding *s, size_t k)
{
    double *arr[] = {s->x, s->mn2, s->rho_a, s->phase, s->sd_log10, s->sd_phase};
    size_t a, tail = s->n - k - 1;

    for (a = 0; a < sizeof arr / sizeof arr[0]; a++)
        if (arr[a] != NULL)
            memmove(arr[a] + k, arr[a] + k + 1, tail * sizeof *arr[a]);
    if (s->line != NULL)
        memmove(s->line + k, s->line + k + 1, tail * sizeof *s->line);
    s->n--;
}

/* How well r fits, to compare fits of one sounding less a point: chi2 where the sounding
 * gives errors, else the misfit; infinite without a model. */
static double
fit_cost(const invnet_result *r)
{
    return !r->inverted ? INFINITY : isfinite(r->chi2) ? r->chi2 : r->misfit_rms_pct;
}

/* Of the reading k that r's fit flagged and its neighbours, the one whose sounding less it v
 * fits best (a spike at an end bends the fit: its neighbour stood out most in 4 of 36 of a
 * tester's soundings), fitted without ranges nor the fit outside the prior (put back as
 * nn inverters leave them); k when out of memory or none fits better. */
static size_t
best_to_drop(invnet_inverter *v, size_t nn, const invnet_batch_params *p, const fwd_sounding *s,
             size_t k)
{
    size_t j, best = k;
    double cost = INFINITY, c[3] = {INFINITY, INFINITY, INFINITY};
    fwd_error e;

    invnet_inverter_set_ranges(v, 0);
    invnet_inverter_set_exit(v, 0);
    for (j = k > 0 ? k - 1 : k; j <= k + 1 && j < s->n; j++) {
        fwd_sounding *less = fwd_sounding_copy(s);
        invnet_result r;

        if (less == NULL)
            break;
        drop_point(less, j);
        if (invnet_invert(v, less, &r, &e) == FWD_OK)
            c[j + 1 - k] = fit_cost(&r);
        fwd_sounding_free(less);
    }
    invnet_inverter_set_ranges(v, nn == 1 && p->check.ranges);
    invnet_inverter_set_exit(v, nn == 1 ? p->check.exit_decades : 0);
    for (j = 0; j < 3; j++) /* the flagged one first: a neighbour only when it fits better */
        if (c[(j + 1) % 3] < cost) {
            cost = c[(j + 1) % 3];
            best = k + (j + 1) % 3 - 1;
        }
    return best;
}

/* With p->drop_outlier, an item whose answer r (from its first inversion, by inverter v of
 * the nn) is flagged outlier_reading, not yet dropped, and left with 3 readings or more
 * without it: its reading that stood out (or a neighbour's: best_to_drop) taken out of
 * it->s and said in it->dropped*, its candidates of that inversion freed; 1 (invert it
 * again), else 0. */
static int
drop_outlier(const invnet_batch_params *p, invnet_batch_item *it, const invnet_result *r,
             invnet_inverter *v, size_t nn)
{
    size_t k = r->outlier_index;

    if (!p->drop_outlier || it->dropped || !(r->flags & INVNET_FLAG_OUTLIER) || k >= it->s->n ||
        it->s->n <= FWD_SOUNDING_MIN_POINTS)
        return 0;
    it->flagged_x = it->s->x[k];
    k = best_to_drop(v, nn, p, it->s, k);
    it->dropped = 1;
    it->dropped_x = it->s->x[k];
    it->dropped_rho = it->s->rho_a[k];
    it->dropped_sigmas = r->outlier_sigmas;
    it->dropped_line = it->s->line != NULL ? it->s->line[k] : 0;
    drop_point(it->s, k);
    free(it->candidates);
    it->candidates = NULL;
    it->n_candidates = 0;
    return 1;
}

/*
 * Reads the sounding of it->path and inverts it with the nn inverters v of the nets nf (a
 * set's, by increasing count): a candidate each, the one of least BIC reported, with its
 * ranges when asked (want_ranges: the inverters compute none) and its fit outside the
 * prior where it misses (the inverters run none). FWD_ENOMEM or FWD_OK.
 */
static int
invert_one(invnet_inverter *const *v, const invnet_file *const *nf, size_t nn, int want_ranges,
           const invnet_batch_params *p, invnet_batch_item *it)
{
    double ts = fwd_time_seconds(), *saved = NULL;
    double st[INVNET_SET_MAX][2 * FWD_MAX_LAYERS];
    /* one[k]: the starts of count k's fit kept, 1 one, 0 as the inverter's, 2 all of them */
    int started[INVNET_SET_MAX] = {0}, one[INVNET_SET_MAX] = {0}, want[INVNET_SET_MAX];
    invnet_result r[INVNET_SET_MAX];
    fwd_error e;
    size_t k;
    int rc = FWD_OK, exit_too;

    if (it->status != FWD_OK) /* a sounding given in memory that failed its checks */
        return FWD_OK;
    fwd_error_clear(&e);
    /* with several counts, first one fit each from its net: the other counts' fits, split
     * or merged, are better further starts than draws of the prior */
    for (k = 0; k < nn; k++) {
        invnet_inverter_set_starts(v[k], nn > 1 ? 1 : 0, 0);
        rc = invnet_invert(v[k], it->s, &r[k], &e);
        invnet_inverter_set_starts(v[k], 0, 0);
        if (rc != FWD_OK) {
            item_failed(it, &e);
            return FWD_OK;
        }
        one[k] = nn > 1;
    }
    if (nn > 1) {
        saved = malloc(nn * (values_per_point(it->s) + 1) * it->s->n * sizeof *saved);
        if (saved == NULL)
            return FWD_ENOMEM;
        reconcile(v, nf, nn, it->s, p->check.refit_factor, r, saved, started, st);
        /* counts whose further starts could change the choice: all their starts, and the
         * restarts again */
        if (invnet_batch_more_starts(nf, nn, it->s, r, p->check.refit_factor, want) > 0) {
            for (k = 0; k < nn; k++) {
                if (!want[k])
                    continue;
                invnet_inverter_set_starts(v[k], 0, 1);
                if (retry(v[k], nf[k], it->s, &r[k], slot(saved, it->s, k), NULL)) {
                    started[k] = 0;
                    one[k] = 2;
                }
                invnet_inverter_set_starts(v[k], 0, 0);
            }
            reconcile(v, nf, nn, it->s, p->check.refit_factor, r, saved, started, st);
        }
    }
    if ((it->candidates = calloc(nn, sizeof *it->candidates)) == NULL) {
        free(saved);
        return FWD_ENOMEM;
    }
    weigh_counts(it, nf, nn, r);
    if (drop_outlier(p, it, &r[it->best], v[it->best], nn)) { /* a spike left out: again */
        free(saved);
        it->time_ms += 1e3 * (fwd_time_seconds() - ts);
        return invert_one(v, nf, nn, want_ranges, p, it);
    }
    /* the count chosen missing the threshold, or on a bound of its prior: its fit outside
     * the prior */
    exit_too = nn > 1 && p->check.exit_decades > 0 && r[it->best].inverted &&
               ((r[it->best].flags & INVNET_FLAG_MISFIT) || r[it->best].on_bound);
    if ((want_ranges || exit_too) && r[it->best].inverted) { /* again, for the count chosen */
        invnet_inverter_set_ranges(v[it->best], want_ranges);
        invnet_inverter_set_exit(v[it->best], exit_too ? p->check.exit_decades : 0);
        invnet_inverter_set_start(v[it->best], started[it->best] ? st[it->best] : NULL);
        invnet_inverter_set_starts(v[it->best], one[it->best] == 1 ? 1 : 0, one[it->best] == 2);
        rc = invnet_invert(v[it->best], it->s, &r[it->best], &e);
        invnet_inverter_set_starts(v[it->best], 0, 0);
        invnet_inverter_set_start(v[it->best], NULL);
        invnet_inverter_set_exit(v[it->best], 0);
        invnet_inverter_set_ranges(v[it->best], 0);
        if (rc != FWD_OK) {
            item_failed(it, &e);
            free(saved);
            return FWD_OK;
        }
    }
    for (k = 0; k < nn && it->dropped; k++) /* said beside the reading's outlier_point */
        r[k].flags |= INVNET_FLAG_DROPPED;
    for (k = 0; k < nn && rc == FWD_OK; k++)
        rc = keep_result(it, &it->candidates[k], &r[k], k == it->best);
    free(saved);
    if (rc != FWD_OK)
        return rc;
    it->time_ms += 1e3 * (fwd_time_seconds() - ts);
    rc = item_why(it, &it->candidates[it->best], nf[it->best], &p->check);
    if (rc == FWD_OK && p->curves && r[it->best].inverted)
        rc = make_curve(it, &it->candidates[it->best], nf[it->best], p);
    if (rc == FWD_OK && r[it->best].inverted &&
        (p->curves || p->doi || it->candidates[it->best].ranges != NULL))
        rc = doi(it, &it->candidates[it->best], nf[it->best]);
    return rc;
}

/* Every item in parallel, results by index; FWD_ENOMEM if a thread ran out of memory. Once
 * p->stop says so, the items not begun are marked stopped (b->n_stopped). */
static int
invert_all(const invnet_file *const *nf, size_t nn, const invnet_batch_params *p, invnet_batch *b,
           int threads)
{
    long n = (long)(b->first + b->count);
    int failed = 0, want_ranges = nn > 1 && p->check.ranges;
    invnet_check_params cp = p->check;
    size_t done = 0, stopped = 0;

    if (want_ranges) /* only for the count chosen */
        cp.ranges = 0;
    if (nn > 1) /* the fit outside the prior likewise */
        cp.exit_decades = 0;
#pragma omp parallel num_threads(threads) default(none)                                            \
    shared(nf, nn, p, cp, b, n, failed, want_ranges, done, stopped)
    {
        invnet_inverter *v[INVNET_SET_MAX] = {NULL};
        int ok = 1;
        size_t k;
        long q;

        for (k = 0; k < nn; k++)
            ok = ok && (v[k] = invnet_inverter_alloc(nf[k], &cp, NULL)) != NULL;
        if (!ok) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 4)
        for (q = (long)b->first; q < n; q++) {
            if (!ok)
                continue;
            if (p->stop != NULL && *p->stop != 0) {
                invnet_batch_item *it = &b->item[q];

                if (it->status == FWD_OK) { /* not one that could not be read */
                    it->status = FWD_ESTOPPED;
                    snprintf(it->err, sizeof it->err, "not inverted: the run was stopped");
#pragma omp atomic update
                    stopped++;
                }
                continue;
            }
            if (invert_one(v, nf, nn, want_ranges, p, &b->item[q]) != FWD_OK) {
#pragma omp atomic write
                failed = 1;
            }
            if (p->progress != NULL) {
#pragma omp critical(invnet_batch_progress)
                p->progress(++done, b->count, p->progress_arg);
            }
        }
        for (k = 0; k < nn; k++)
            invnet_inverter_free(v[k]);
    }
    b->n_stopped = stopped;
    return failed ? FWD_ENOMEM : FWD_OK;
}

/* What one file gave: its soundings, or why none. */
struct file_read {
    fwd_sounding **s;
    fwd_error *serr; /* of each station: FWD_OK, or why it is no sounding */
    size_t n;
    fwd_error e;
    double ms; /* reading it */
};

/* A file that could not be read as method m because it names another method (its header's
 * columns, an EDI file: the reader's "this is a ..."), e its error, and that reads as that
 * method: e says so, as invnet_invert does of a sounding of another method ("this is a
 * wenner sounding ..., expected schlumberger" named no net). A file that merely fails (a
 * typo in a reading) keeps its error, even where another method's reader would take it. */
static void
other_method(const char *path, fwd_method m, const invnet_batch_params *p, fwd_error *e)
{
    fwd_sounding **s;
    fwd_error e2;
    size_t n;
    int k;

    /* the reader's "this is a ...", or a Schlumberger file's MN/2 read as Wenner's (its
     * AB/2 and MN/2 columns fit both arrays: only the MN/2 says which) */
    if (strcmp(path, FWD_SOUNDING_STDIN) == 0 ||
        (strstr(e->msg, ": this is a") == NULL &&
         strstr(e->msg, "a Schlumberger sounding, read as Wenner") == NULL))
        return; /* the standard input cannot be read again */
    for (k = 0; k < FWD_N_METHODS; k++) {
        if ((fwd_method)k == m || fwd_sounding_read_stations(path, (fwd_method)k, p->component,
                                                             p->columns, &s, &n, &e2) != FWD_OK)
            continue;
        const char *hint = strstr(e->msg, "; if \""); /* the reader's: which column */
        char say[sizeof e->msg];

        fwd_sounding_free_stations(s, n);
        snprintf(say, sizeof say, "%s", hint != NULL ? hint : "");
        fwd_error_set(e, FWD_EINVAL, "%s: %s %s sounding, but the net is for %s%s", path,
                      fwd_method_article((fwd_method)k), fwd_method_name((fwd_method)k),
                      fwd_method_name(m), say);
        return;
    }
}

/* The names of sounding files a directory operand stands for (invnet_batch_expand). */
static const char *const sounding_ext[] = {".csv", ".txt", ".dat", ".tsv", ".edi"};
#define N_SOUNDING_EXT (sizeof sounding_ext / sizeof sounding_ext[0])

size_t
invnet_batch_stem(const char *name)
{
    size_t n = strlen(name), k;

    for (k = 0; n > 4 && k < N_SOUNDING_EXT; k++)
        if (strcasecmp(name + n - 4, sounding_ext[k]) == 0)
            return n - 4;
    return n;
}

/* Whether d names a file a directory operand stands for: not hidden, a sounding file's
 * extension in any case. */
static int
visible(const struct dirent *d)
{
    return d->d_name[0] != '.' && invnet_batch_stem(d->d_name) < strlen(d->d_name);
}

static int natural_order(const struct dirent **pa, const struct dirent **pb);

/* Not hidden. */
static int
not_hidden(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* A directory among the paths (invnet_batch_expand keeps one that holds no sounding file, so
 * that it is not passed over in silence): its error in err, naming a few of what it holds;
 * 1. 0 when path is no directory. */
static int
no_sounding_files(const char *path, fwd_error *err)
{
    struct dirent **names;
    struct stat st;
    char some[256] = "", sub[1200], ext[64] = "";
    int n, k, files = 0, dirs = 0;

    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    for (k = 0; k < (int)N_SOUNDING_EXT; k++) /* ".csv, .txt, ... or .edi" */
        snprintf(ext + strlen(ext), sizeof ext - strlen(ext), "%s%s",
                 k == 0                        ? ""
                 : k + 1 < (int)N_SOUNDING_EXT ? ", "
                                               : " or ",
                 sounding_ext[k]);
    if ((n = scandir(path, &names, not_hidden, natural_order)) < 0) {
        fwd_error_set(err, FWD_EIO, "%s: cannot read the directory: %s", path, strerror(errno));
        return 1;
    }
    for (k = 0; k < n; k++) {
        size_t len = strlen(some);
        int dir = snprintf(sub, sizeof sub, "%s/%s", path, names[k]->d_name) < (int)sizeof sub &&
                  stat(sub, &st) == 0 && S_ISDIR(st.st_mode);

        dirs += dir;
        files += !dir;
        if (k < 3)
            snprintf(some + len, sizeof some - len, "%s%.60s%s", k > 0 ? ", " : "",
                     names[k]->d_name, dir ? "/" : "");
        free(names[k]);
    }
    if (n > 3)
        snprintf(some + strlen(some), sizeof some - strlen(some), ", ...");
    free(names);
    fwd_error_set(err, FWD_EFORMAT,
                  "%s: expected sounding files in the directory (names ending in %s, any "
                  "case), got %s%s%s%s",
                  path, ext, n > 0 ? "only " : "none", some,
                  files > 0 ? " (a file of another name: give it as an operand)" : "",
                  dirs > 0 ? " (its subdirectories are not searched: give each one)" : "");
    return 1;
}

/* Reads the n files of paths in parallel into r[k] (r[k].n 0 and r[k].e set when one cannot be
 * read): each file's stations, for method m. */
static void
read_all(const char *const *paths, size_t n, fwd_method m, const invnet_batch_params *p,
         struct file_read *r, int threads)
{
    long q, nl = (long)n;

#pragma omp parallel for num_threads(threads) schedule(dynamic, 4) default(none)                   \
    shared(paths, nl, m, p, r)
    for (q = 0; q < nl; q++) {
        double ts = fwd_time_seconds();

        fwd_error_clear(&r[q].e);
        if (fwd_sounding_read_survey(paths[q], m, p->component, p->columns, &r[q].s, &r[q].serr,
                                     &r[q].n, &r[q].e) != FWD_OK) {
            r[q].n = 0;
            if (!no_sounding_files(paths[q], &r[q].e))
                other_method(paths[q], m, p, &r[q].e);
        }
        r[q].ms = 1e3 * (fwd_time_seconds() - ts);
    }
}

/* The items of the files read: one per sounding, in order, its time its share of the file's
 * read; one that records the error of a file that could not be read. The soundings move
 * into the items. */
static int
items_of_files(invnet_batch *b, const char *const *paths, size_t n, struct file_read *r)
{
    size_t k, j, i = 0, total = 0;

    for (k = 0; k < n; k++)
        total += r[k].n > 0 ? r[k].n : 1;
    if (total > ((size_t)-1) / sizeof(invnet_batch_item) ||
        (total > 0 && (b->item = calloc(total, sizeof *b->item)) == NULL))
        return FWD_ENOMEM;
    b->n = total; /* only now: invnet_batch_free walks b->n items */
    for (k = 0; k < n; k++) {
        for (j = 0; j < (r[k].n > 0 ? r[k].n : 1); j++, i++) {
            invnet_batch_item *it = &b->item[i];

            if ((it->path = strdup(paths[k])) == NULL)
                return FWD_ENOMEM;
            if (r[k].n == 0) {
                item_failed(it, &r[k].e);
                continue;
            }
            it->s = r[k].s[j];
            r[k].s[j] = NULL;
            it->time_ms = r[k].ms / (double)r[k].n;
            if (r[k].serr != NULL && r[k].serr[j].code != FWD_OK) /* a station that is none */
                item_failed(it, &r[k].serr[j]);
        }
    }
    return FWD_OK;
}

/* The items of the soundings given: copies, or the error of one that fails its check. */
static int
items_of_soundings(invnet_batch *b, const fwd_sounding *const *given, size_t n)
{
    fwd_error e;
    size_t k;

    if (n > ((size_t)-1) / sizeof(invnet_batch_item) ||
        (n > 0 && (b->item = calloc(n, sizeof *b->item)) == NULL))
        return FWD_ENOMEM;
    b->n = n;
    for (k = 0; k < n; k++) {
        if (fwd_sounding_check(given[k], &e) != FWD_OK)
            item_failed(&b->item[k], &e); /* a sounding made by hand, wrong: this item only */
        else if ((b->item[k].s = fwd_sounding_copy(given[k])) == NULL)
            return FWD_ENOMEM;
        b->item[k].given = 1;
        if ((b->item[k].path = strdup(given[k]->source)) == NULL)
            return FWD_ENOMEM;
    }
    return FWD_OK;
}

/* Whether item it is named name (len bytes): its sounding's name (a survey table's station,
 * else its file's), or that name without a sounding file's suffix; a file that could not be
 * read, by its path's last name likewise. */
static int
named(const invnet_batch_item *it, const char *name, size_t len)
{
    const char *own = it->s != NULL ? it->s->name : strrchr(it->path, '/');

    own = own == NULL ? it->path : own + (it->s == NULL);
    return strncmp(own, name, len) == 0 && (own[len] == '\0' || invnet_batch_stem(own) == len);
}

/* Leaves in b the items named in the comma-separated list (in their order in b); FWD_OK,
 * FWD_EINVAL naming the first name that matches none (and a few of those there). */
static int
keep_stations(invnet_batch *b, const char *list, fwd_error *err)
{
    const char *q = list, *end;
    char *keep = calloc(b->n + 1, 1);
    size_t i, m = 0;

    if (keep == NULL)
        return fwd_error_set(err, FWD_ENOMEM, "out of memory");
    for (; *q != '\0'; q = *end == ',' ? end + 1 : end) {
        int found = 0;

        end = q + strcspn(q, ",");
        for (i = 0; i < b->n; i++)
            if (named(&b->item[i], q, (size_t)(end - q)))
                found = keep[i] = 1;
        if (!found) {
            char some[160] = "";

            for (i = 0; i < b->n && i < 3; i++)
                snprintf(some + strlen(some), sizeof some - strlen(some), "%s\"%.40s\"",
                         i > 0 ? ", " : "",
                         b->item[i].s != NULL ? b->item[i].s->name : b->item[i].path);
            free(keep);
            return fwd_error_set_field(err, FWD_EINVAL, "stations",
                                       "stations: no sounding named \"%.*s\" among the %zu read "
                                       "(%s%s)",
                                       (int)(end - q), q, b->n, some, b->n > 3 ? ", ..." : "");
        }
    }
    for (i = 0; i < b->n; i++) {
        if (keep[i]) {
            b->item[m++] = b->item[i];
            continue;
        }
        fwd_sounding_free(b->item[i].s); /* read, not inverted: nothing else is held */
        free(b->item[i].path);
    }
    b->n = m;
    free(keep);
    return FWD_OK;
}

/* The batch of the nn nets nf (by increasing count): of the files paths, or of the soundings
 * given (copied) when paths is NULL. */
static int
batch(const invnet_file *const *nf, size_t nn, const invnet_batch_params *p,
      const char *const *paths, const fwd_sounding *const *given, size_t n, invnet_batch **out,
      fwd_error *err)
{
    struct file_read *r = NULL;
    invnet_batch *b;
    size_t k, threads;
    int rc;

    *out = NULL;
    if (p->threads < 1 || (p->curves && p->curve_points < 2) ||
        !(p->curve_pad_decades >= 0 && isfinite(p->curve_pad_decades)))
        return fwd_error_set(err, FWD_EINVAL,
                             "threads: expected >= 1, curve points >= 2 and a finite pad >= 0");
    if (p->parts < 1 || p->part >= p->parts)
        return fwd_error_set(err, FWD_EINVAL, "part: expected 0 <= part < parts, got %zu of %zu",
                             p->part, p->parts);
    for (k = 0; k < nn; k++)
        if ((rc = invnet_holds_check(nf[k], &p->check, err)) != FWD_OK)
            return rc;
    if (p->check.ranges && (rc = invnet_ranges_check(&p->check.range, err)) != FWD_OK)
        return rc;
    /* the ranges weigh the data by the training noise: a net of noiseless samples has none
     * (each sounding failed, "ranges: 3 layers, noise 0": Python's ranges=True so) */
    for (k = 0; p->check.ranges && k < nn; k++)
        if (!(nf[k]->samples.noise > 0))
            return fwd_error_set_field(err, FWD_EINVAL, "ranges",
                                       "ranges: expected a net trained on noisy samples (the "
                                       "ranges weigh the data by the training noise), got one "
                                       "of samples of noise 0");
    if ((b = calloc(1, sizeof *b)) == NULL)
        return fwd_error_set(err, FWD_ENOMEM, "out of memory");
    b->n_layers = nf[nn - 1]->samples.prior.n_layers;
    b->n_counts = nn;
    b->ranges_level = p->check.ranges ? p->check.range.level : 0;
    b->doi = p->check.ranges || p->curves || p->doi;
    /* no idle threads spinning beside a short run */
    threads = p->threads < n ? p->threads : n;
    threads = threads > 1024 ? 1024 : threads;
    if (paths != NULL) {
        if (n > 0 && (r = calloc(n, sizeof *r)) == NULL) {
            rc = FWD_ENOMEM;
        } else {
            read_all(paths, n, nf[0]->samples.method, p, r, (int)(threads > 0 ? threads : 1));
            rc = items_of_files(b, paths, n, r);
        }
        for (k = 0; r != NULL && k < n; k++) {
            fwd_sounding_free_stations(r[k].s, r[k].n);
            free(r[k].serr);
        }
        free(r);
    } else {
        rc = items_of_soundings(b, given, n);
    }
    if (rc == FWD_OK && p->stations != NULL &&
        (rc = keep_stations(b, p->stations, err)) != FWD_OK) {
        invnet_batch_free(b);
        return rc;
    }
    for (k = 0; rc == FWD_OK && k < b->n; k++) { /* every part's, as its file says */
        invnet_station *st = &b->item[k].station;
        const fwd_sounding *s = b->item[k].s;

        st->x_m = s != NULL ? s->x_m : NAN;
        st->y_m = s != NULL ? s->y_m : NAN;
        st->elevation_m = s != NULL ? s->elevation_m : NAN;
        st->lat_deg = s != NULL ? s->lat_deg : NAN;
        st->lon_deg = s != NULL ? s->lon_deg : NAN;
    }
    invnet_batch_part(b->n, p->part, p->parts, &b->first, &b->count);
    threads = p->threads < b->count ? p->threads : b->count;
    if (rc == FWD_OK && b->count > 0)
        rc = invert_all(nf, nn, p, b, (int)(threads > 1024 ? 1024 : threads));
    for (k = b->first; rc == FWD_OK && k < b->first + b->count && !b->segments; k++)
        b->segments = invnet_batch_best(&b->item[k]) != NULL && invnet_batch_joined(&b->item[k]);
    if (rc != FWD_OK) {
        invnet_batch_free(b);
        return fwd_error_set(err, rc, "out of memory");
    }
    *out = b;
    return FWD_OK;
}

int
invnet_batch_invert(const invnet_file *nf, const invnet_batch_params *p, const char *const *paths,
                    size_t n, invnet_batch **out, fwd_error *err)
{
    return batch(&nf, 1, p, paths, NULL, n, out, err);
}

/* The batch of the set's nets of p->layers (all when 0), of paths or of the soundings given. */
static int
set_batch(const invnet_set *ns, const invnet_batch_params *p, const char *const *paths,
          const fwd_sounding *const *given, size_t n, invnet_batch **out, fwd_error *err)
{
    const invnet_file *one;

    *out = NULL;
    if (p->layers == 0)
        return batch((const invnet_file *const *)ns->net, ns->n, p, paths, given, n, out, err);
    if ((one = invnet_set_find(ns, p->layers)) == NULL) {
        char list[128] = "";
        size_t k;

        for (k = 0; k < ns->n; k++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%zu", k ? ", " : "",
                     ns->net[k]->samples.prior.n_layers);
        return fwd_error_set_field(err, FWD_EINVAL, "layers",
                                   "layers: expected a layer count of the nets (%s), got %zu", list,
                                   p->layers);
    }
    return batch(&one, 1, p, paths, given, n, out, err);
}

int
invnet_batch_invert_set(const invnet_set *ns, const invnet_batch_params *p,
                        const char *const *paths, size_t n, invnet_batch **out, fwd_error *err)
{
    return set_batch(ns, p, paths, NULL, n, out, err);
}

int
invnet_batch_invert_soundings(const invnet_set *ns, const invnet_batch_params *p,
                              const fwd_sounding *const *s, size_t n, invnet_batch **out,
                              fwd_error *err)
{
    size_t k;

    *out = NULL;
    for (k = 0; k < n; k++)
        if (s[k] == NULL)
            return fwd_error_set(err, FWD_EINVAL, "soundings: [%zu] is NULL", k);
    return set_batch(ns, p, NULL, s, n, out, err);
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
        free(it->why);
        free(it->note);
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

/* Names in natural order, the order of a profile's stations: runs of digits compare as
 * numbers ("L1-200" before "L1-1000"), the rest byte by byte; ties (leading zeros) by bytes.
 * The same on every machine, whatever the locale. */
static int
natural_order(const struct dirent **pa, const struct dirent **pb)
{
    const unsigned char *a = (const unsigned char *)(*pa)->d_name;
    const unsigned char *b = (const unsigned char *)(*pb)->d_name;

    while (*a != '\0' && *b != '\0') {
        if (isdigit(*a) && isdigit(*b)) {
            const unsigned char *ea, *eb;
            size_t la, lb;

            while (*a == '0' && isdigit(a[1]))
                a++;
            while (*b == '0' && isdigit(b[1]))
                b++;
            for (ea = a; isdigit(*ea); ea++)
                continue;
            for (eb = b; isdigit(*eb); eb++)
                continue;
            la = (size_t)(ea - a), lb = (size_t)(eb - b);
            if (la != lb)
                return la < lb ? -1 : 1;
            for (; a < ea; a++, b++)
                if (*a != *b)
                    return *a < *b ? -1 : 1;
            continue;
        }
        if (*a != *b)
            return *a < *b ? -1 : 1;
        a++, b++;
    }
    if (*a != *b)
        return *a < *b ? -1 : 1;
    return strcmp((*pa)->d_name, (*pb)->d_name);
}

/* Whether name ends in ".edi", any case. */
static int
is_edi(const char *name)
{
    size_t n = strlen(name);

    return n > 4 && strcasecmp(name + n - 4, ".edi") == 0;
}

/* Adds path, or the files of directory path named as soundings (visible) in natural order
 * of their names: regular files, and those it cannot tell (a dangling link, one it may not
 * look at), which are then reported as unreadable with the others; not directories. For
 * method (>= 0) the files of the other kind are left out when the directory holds both (for
 * MT, what is not .edi: an MT survey's folder holds notes and station tables too, which
 * failed the run; for DC, .edi files), named in note (cap bytes, appended to). */
static int
add_operand(struct paths *l, const char *path, int method, fwd_error *note)
{
    struct dirent **names;
    struct stat st;
    size_t len = strlen(path), before, left = 0, n_edi = 0;
    int n, k, rc = FWD_OK, mt = method == (int)FWD_MT, skip;
    char some[200] = "";

    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return paths_add(l, path); /* a missing file is reported with the others */
    n = scandir(path, &names, visible, natural_order);
    if (n < 0) /* itself, as an empty one: reported with the others, which are inverted (one
                * unreadable directory of a survey's ended the run, nothing inverted) */
        return paths_add(l, path);
    before = l->n;
    len -= path[len - 1] == '/'; /* no double slash when the operand ends with one */
    for (k = 0; k < n; k++)
        n_edi += (size_t)is_edi(names[k]->d_name);
    skip = method >= 0 && n_edi > 0 && n_edi < (size_t)n; /* both kinds */
    for (k = 0; k < n; k++) {
        char *buf;

        if (skip && is_edi(names[k]->d_name) != mt) {
            if (left++ < 3)
                snprintf(some + strlen(some), sizeof some - strlen(some), "%s%.50s",
                         left > 1 ? ", " : "", names[k]->d_name);
            free(names[k]);
            continue;
        }
        buf = malloc(len + strlen(names[k]->d_name) + 2);
        if (buf == NULL)
            rc = rc != FWD_OK ? rc : FWD_ENOMEM;
        else
            sprintf(buf, "%.*s/%s", (int)len, path, names[k]->d_name);
        if (rc == FWD_OK && (stat(buf, &st) != 0 || S_ISREG(st.st_mode)))
            rc = paths_add(l, buf);
        free(buf);
        free(names[k]);
    }
    free(names);
    if (rc == FWD_OK && l->n == before) /* itself: read, it fails, named (no_sounding_files) */
        rc = paths_add(l, path);
    if (left > 0)
        fwd_error_append(
            note, "%s%s: %s; %zu other file%s left out (%s%s): give %s as operand%s to read %s",
            note != NULL && note->msg[0] != '\0' ? "; " : "", path,
            mt ? "its .edi files only, for an MT net" : "no .edi files, for a DC net", left,
            left == 1 ? "" : "s", some, left > 3 ? ", ..." : "", left == 1 ? "it" : "them",
            left == 1 ? "" : "s", left == 1 ? "it" : "them");
    return rc;
}

int
invnet_batch_expand(const char *const *operands, size_t n_operands, char ***paths, size_t *n,
                    fwd_error *err)
{
    return invnet_batch_expand_for(operands, n_operands, -1, paths, n, err);
}

int
invnet_batch_expand_for(const char *const *operands, size_t n_operands, int method, char ***paths,
                        size_t *n, fwd_error *err)
{
    struct paths l = {NULL, 0, 0};
    size_t k;
    int rc = FWD_OK;

    fwd_error_clear(err);
    for (k = 0; k < n_operands && rc == FWD_OK; k++)
        rc = add_operand(&l, operands[k], method, err);
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
