/* SPDX-License-Identifier: MIT */
/*
 * invnet_invert.c - one sounding through the net, with its checks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_interp.h>

#include "forward/fwd_forward.h"
#include "invnet/invert/invnet_invert.h"
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
    double *feat, *params, *data; /* the net's input (nd_net) and output (np) */
    double *lm;                   /* the refined parameters (np) */
    double *lx, *ly, *lp;         /* the merged curve: log10 x, log10 rho_a, phase */
    double *seg, *resp;           /* log10 shift of each point's segment; f(m) at the points */
    double *rsh;                  /* the observed rho_a with the segment shifts applied */
    size_t cap;                   /* room of the per-point arrays */
    struct cached c[CACHE];
    unsigned long tick;
    gsl_interp_accel *acc;
};

const char *
invnet_flag_name(int k)
{
    static const char *const names[INVNET_NFLAGS] = {
        "data_outside_training_range", "extrapolated_geometry", "not_inverted",
        "model_at_prior_bound",        "high_misfit",           "segment_jump"};

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
    p.misfit_noise_factor = 3;
    p.misfit_floor_pct = 5;
    p.chi2_max = 4;
    p.segment_jump = 1.2;
    p.refine_iter = 0;
    return p;
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
    free(v->resp);
    free(v->rsh);
    free(v->seg);
    free(v->lp);
    free(v->ly);
    free(v->lx);
    free(v->data);
    free(v->lm);
    free(v->params);
    free(v->feat);
    invnet_work_free(v->w);
    free(v);
}

invnet_inverter *
invnet_inverter_alloc(const invnet_file *nf, const invnet_check_params *p, fwd_error *err)
{
    invnet_inverter *v = calloc(1, sizeof *v);
    int bad = v == NULL;

    if (!bad) {
        v->nf = nf;
        v->p = p != NULL ? *p : invnet_check_default();
        v->n_net = fwd_geom_size(nf->geom);
        v->nd_net = fwd_geom_ndata(nf->geom);
        v->np = invnet_net_n_out(nf->net);
        bad = (v->w = invnet_work_alloc(nf->net, 1, err)) == NULL;
        bad = bad || (v->feat = malloc(v->nd_net * sizeof(double))) == NULL;
        bad = bad || (v->data = malloc(v->nd_net * sizeof(double))) == NULL;
        bad = bad || (v->params = malloc(v->np * sizeof(double))) == NULL;
        bad = bad || (v->lm = malloc(v->np * sizeof(double))) == NULL;
        bad = bad || (v->acc = gsl_interp_accel_alloc()) == NULL;
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
    double **arr[6] = {&v->lx, &v->ly, &v->lp, &v->seg, &v->resp, &v->rsh};
    size_t per_point[6] = {1, 1, 1, 1, 2, 1}; /* the response holds MT phases too */
    int k;

    if (n <= v->cap)
        return FWD_OK;
    for (k = 0; k < 6; k++) {
        double *p = realloc(*arr[k], per_point[k] * n * sizeof(double));

        if (p == NULL)
            return FWD_ENOMEM;
        *arr[k] = p;
    }
    v->cap = n;
    return FWD_OK;
}

static int
same_geom(const fwd_geom *a, const fwd_geom *b)
{
    size_t n = fwd_geom_size(a);
    const double *ma = fwd_geom_mn2(a), *mb = fwd_geom_mn2(b);

    return fwd_geom_method(a) == fwd_geom_method(b) && n == fwd_geom_size(b) &&
           memcmp(fwd_geom_x(a), fwd_geom_x(b), n * sizeof(double)) == 0 &&
           (ma == NULL) == (mb == NULL) && (ma == NULL || memcmp(ma, mb, n * sizeof(double)) == 0);
}

/* The forward workspace of geometry g (taken over by the cache, or freed), built once. */
static fwd_workspace *
workspace_for(invnet_inverter *v, fwd_geom *g, fwd_error *err)
{
    int k, lru = 0;

    for (k = 0; k < CACHE; k++)
        if (v->c[k].g != NULL && same_geom(v->c[k].g, g)) {
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

/*
 * The sounding as one curve of distinct points, in logs: Schlumberger segments of one MN/2
 * each are shifted onto the curve so far, from the smallest MN/2 up. Returns the number of
 * points; *jump the largest shift factor.
 */
static size_t
merge_curve(invnet_inverter *v, const fwd_sounding *s, double *jump)
{
    size_t n = s->n, i, j, m = 0;
    double mn_done = -1;

    *jump = 1;
    for (i = 0; i < n; i++)
        v->seg[i] = 0;
    if (s->mn2 == NULL) {
        for (i = 0; i < n; i++) {
            v->lx[i] = log10(s->x[i]);
            v->ly[i] = log10(s->rho_a[i]);
            if (s->phase != NULL)
                v->lp[i] = s->phase[i];
        }
        return n;
    }
    /* segments in increasing MN/2 */
    for (;;) {
        double mn = INFINITY, shift = 0, ov = 0;
        size_t m0 = m;

        for (i = 0; i < n; i++)
            if (s->mn2[i] > mn_done && s->mn2[i] < mn)
                mn = s->mn2[i];
        if (mn == INFINITY)
            break;
        /* the shift: mean log ratio at the AB/2 the curve so far already has */
        for (i = 0; i < n; i++) {
            if (s->mn2[i] != mn)
                continue;
            for (j = 0; j < m0; j++)
                if (v->lx[j] == log10(s->x[i])) {
                    shift += v->ly[j] - log10(s->rho_a[i]);
                    ov++;
                }
        }
        if (ov > 0)
            shift /= ov;
        if (fabs(shift) > log10(*jump))
            *jump = pow(10, fabs(shift));
        /* add the shifted segment: a common AB/2 is averaged in log, a new one inserted */
        for (i = 0; i < n; i++) {
            double lx, ly;

            if (s->mn2[i] != mn)
                continue;
            lx = log10(s->x[i]);
            ly = log10(s->rho_a[i]) + shift;
            v->seg[i] = shift;
            for (j = 0; j < m0 && v->lx[j] != lx; j++)
                continue;
            if (j < m0) {
                v->ly[j] = 0.5 * (v->ly[j] + ly);
                continue;
            }
            /* insert in order */
            for (j = m; j > 0 && v->lx[j - 1] > lx; j--) {
                v->lx[j] = v->lx[j - 1];
                v->ly[j] = v->ly[j - 1];
            }
            v->lx[j] = lx;
            v->ly[j] = ly;
            m++;
        }
        mn_done = mn;
    }
    return m;
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

/* The model's response at the sounding's points into v->resp; misfit and chi2 into r: each
 * value compared as its method's table says (fwd_method.h), point by point. */
static int
physics(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s, invnet_result *r,
        fwd_error *err)
{
    const fwd_method_info *mi = fwd_method_get(s->method);
    size_t i, k, nd = fwd_sounding_ndata(s);
    double sum = 0, chi = 0, noise = v->nf->samples.noise;
    int all_sd = 1, rc = fwd_eval(fw, r->n_layers, r->rho_ohmm, r->thick_m, v->resp, err);

    if (rc != FWD_OK)
        return rc;
    for (k = 0; k < mi->nvalues; k++)
        all_sd = all_sd && fwd_sounding_sd(s, k) != NULL;
    for (i = 0; i < s->n; i++)
        for (k = 0; k < mi->nvalues; k++) {
            const fwd_value_info *vi = mi->values[k];
            const double *obs = fwd_sounding_values(s, k), *sd = fwd_sounding_sd(s, k);
            double calc = v->resp[k * s->n + i], d = vi->misfit(calc, obs[i]);

            sum += d * d;
            if (sd != NULL) {
                double c = vi->residual(calc, obs[i]) / fmax(sd[i], vi->sd_floor(noise));
                chi += c * c;
            }
        }
    r->misfit_rms_pct = 100 * sqrt(sum / (double)nd);
    r->chi2 = all_sd ? chi / (double)nd : NAN;
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

/* (2) the merged curve (m points) at the net's points, into v->data; counts the net's
 * points beyond the sounding's span in r. */
static int
at_net_points(invnet_inverter *v, const fwd_sounding *s, size_t m, invnet_result *r, fwd_error *err)
{
    const double *xn = fwd_geom_x(v->nf->geom);
    size_t n_net = v->n_net, k;
    /* a second value per point (the MT phase) is interpolated beside rho_a */
    int two = fwd_method_get(v->nf->samples.method)->nvalues > 1;
    gsl_interp *ir, *ip;
    int rc = FWD_OK;

    ir = gsl_interp_alloc(m >= 3 ? gsl_interp_steffen : gsl_interp_linear, m);
    ip = two ? gsl_interp_alloc(m >= 3 ? gsl_interp_steffen : gsl_interp_linear, m) : NULL;
    if (ir == NULL || (two && ip == NULL) || gsl_interp_init(ir, v->lx, v->ly, m) != GSL_SUCCESS ||
        (ip != NULL && gsl_interp_init(ip, v->lx, v->lp, m) != GSL_SUCCESS)) {
        rc = fwd_error_set(err, FWD_ENOMEM, "%s: cannot set up the interpolation", s->source);
        goto done;
    }
    gsl_interp_accel_reset(v->acc);
    for (k = 0; k < n_net; k++) {
        double t = log10(xn[k]), ly, ph;

        if (t < v->lx[0] - v->p.span_tol_decades || t > v->lx[m - 1] + v->p.span_tol_decades)
            r->n_extrapolated++;
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

/* (3) the range checks of the net's input features (from v->data, into v->feat). */
static int
range_checks(invnet_inverter *v, invnet_result *r, fwd_error *err)
{
    const invnet_envelope *e = v->nf->env;
    size_t j;

    if (invnet_features(v->nf->samples.method, v->n_net, 1, v->data, v->feat, err) != FWD_OK)
        return FWD_ENUMERIC;
    for (j = 0; j < v->nd_net; j++)
        if (v->feat[j] < e->min[j] || v->feat[j] > e->max[j])
            r->n_outside++;
    r->d2 = invnet_envelope_d2(e, v->feat);
    r->d2_max = v->p.d2_factor * e->d2_q999;
    if (r->n_outside > 0 || r->d2 > r->d2_max)
        r->flags |= INVNET_FLAG_OUTSIDE;
    return FWD_OK;
}

/* (6) Levenberg-Marquardt from the net's model (v->params), kept when it fits s better. */
static int
refine(invnet_inverter *v, fwd_workspace *fw, const fwd_sounding *s, invnet_result *r,
       fwd_error *err)
{
    const invnet_file *nf = v->nf;
    invnet_lm_params lp = invnet_lm_default();
    invnet_result keep = *r;
    double lo[2 * FWD_MAX_LAYERS], hi[2 * FWD_MAX_LAYERS];
    int rc;

    lp.max_iter = v->p.refine_iter;
    lp.sd_log10_floor = nf->samples.noise / log(10.0);
    lp.sd_phase_floor = fwd_phase_sd_deg(nf->samples.noise);
    memcpy(v->lm, v->params, v->np * sizeof(double));
    prior_box(v, 0, lo, hi);
    if (invnet_lm_fit(fw, s, r->n_layers, v->lm, lo, hi, &lp, &r->lm_iterations, NULL) != FWD_OK)
        return FWD_OK;
    set_model(r, v->lm);
    rc = physics(v, fw, s, r, err);
    if (rc != FWD_OK)
        return rc;
    r->refined = 1;
    if (!(r->misfit_rms_pct <= keep.misfit_rms_pct)) {
        /* no better: the net's model stands */
        *r = keep;
        rc = physics(v, fw, s, r, err);
    }
    return rc;
}

/* (5) the physics check, where the sounding was measured (each reading at its own AB/2 and
 * MN/2), against the data as joined: each segment shifted as the net saw it; then (6). */
static int
physics_check(invnet_inverter *v, const fwd_sounding *s, invnet_result *r, fwd_error *err)
{
    fwd_workspace *fw;
    fwd_geom *g;
    fwd_sounding sv;
    size_t k;
    int rc;

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
    if (v->p.refine_iter > 0 && fwd_sounding_ndata(s) >= v->np)
        rc = refine(v, fw, s, r, err);
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
    r->chi2 = NAN;
    r->n_layers = nf->samples.prior.n_layers;
    r->max_jump = 1;
    if (s->method != meth)
        return fwd_error_set(err, FWD_EINVAL, "%s: %s %s sounding, but the net is for %s",
                             s->source, fwd_method_article(s->method), fwd_method_name(s->method),
                             fwd_method_name(meth));
    if (reserve(v, s->n) != FWD_OK)
        return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", s->source);

    /* (1) one curve; (2) at the net's points */
    m = merge_curve(v, s, &r->max_jump);
    if (r->max_jump > v->p.segment_jump)
        r->flags |= INVNET_FLAG_JUMP;
    if (m < 2)
        return fwd_error_set(err, FWD_EINVAL, "%s: fewer than 2 distinct points", s->source);
    rc = at_net_points(v, s, m, r, err);
    if (rc != FWD_OK)
        goto done;
    if (r->n_extrapolated > 0)
        r->flags |= INVNET_FLAG_EXTRAP;
    if ((double)r->n_extrapolated > v->p.max_extrapolated * (double)v->n_net) {
        r->flags |= INVNET_FLAG_REFUSED;
        goto done;
    }

    /* (3) range checks on the features */
    rc = range_checks(v, r, err);
    if (rc != FWD_OK)
        goto done;

    /* (4) the model */
    rc = invnet_net_predict(nf->net, v->w, 1, v->feat, v->params, err);
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
    r->response = v->resp;
    r->observed = v->rsh;
    r->misfit_max_pct =
        fmax(v->p.misfit_noise_factor * 100 * nf->samples.noise, v->p.misfit_floor_pct);
    if (isfinite(r->chi2) ? r->chi2 > v->p.chi2_max : r->misfit_rms_pct > r->misfit_max_pct)
        r->flags |= INVNET_FLAG_MISFIT;
done:
    r->in_range = (r->flags & INVNET_RANGE_FLAGS) == 0;
    return rc;
}
