/* SPDX-License-Identifier: MIT */
/*
 * invnet_lm.c - Levenberg-Marquardt fitting of a layered model to one sounding.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>

#include "forward/fwd_model.h"
#include "invnet/invert/invnet_lm.h"

struct lm_ctx {
    fwd_workspace *w;
    const fwd_sounding *s;
    size_t nl;
    const double *start, *lo, *hi;
    double max_step, floor_l, floor_p;
    int iphase; /* index of the phase among the method's values; -1: none */
    double rho[FWD_MAX_LAYERS], thick[FWD_MAX_LAYERS];
    double *resp; /* the response: values per point times n */
    double *fbuf; /* the residuals, before they go to GSL's vector (of any stride) */
    double *jac;  /* the response's Jacobian in the log10 parameters (fwd_jacobian_approx) */
    size_t evals; /* forward models computed */
    size_t jacs;  /* Jacobians computed */
    size_t nfree; /* the unknowns: parameters idx[0..nfree) (the others fixed at lo) */
    size_t idx[2 * FWD_MAX_LAYERS];
    const invnet_lm_params *lp; /* its depth bounds */
};

invnet_lm_params
invnet_lm_default(void)
{
    invnet_lm_params p;

    p.max_iter = 30;
    p.xtol = 1e-6;
    p.gtol = 1e-8;
    p.ftol = 1e-10;
    p.ctol = 1e-3;
    p.max_step = 4;
    p.sd_log10_floor = 0;
    p.sd_phase_floor = 0;
    p.n_depth = 0;
    p.level = NULL;
    p.n_levels = 0;
    return p;
}

invnet_lm_params
invnet_lm_noise(double noise)
{
    invnet_lm_params p = invnet_lm_default();

    p.sd_log10_floor = noise / log(10.0);
    p.sd_phase_floor = fwd_phase_sd_deg(noise);
    return p;
}

/* Parameter j from the unknown v. */
static double
param(const struct lm_ctx *c, double v, size_t j)
{
    if (c->lo != NULL)
        return c->lo[j] + (c->hi[j] - c->lo[j]) / (1 + exp(-v));
    return v < c->start[j] - c->max_step   ? c->start[j] - c->max_step
           : v > c->start[j] + c->max_step ? c->start[j] + c->max_step
                                           : v;
}

/* d param / d v of parameter j at the unknown v (0 where max_step holds it). */
static double
param_slope(const struct lm_ctx *c, double v, size_t j)
{
    double e;

    if (c->lo != NULL) {
        e = exp(-fabs(v));
        return (c->hi[j] - c->lo[j]) * e / ((1 + e) * (1 + e));
    }
    return fabs(v - c->start[j]) < c->max_step ? 1.0 : 0.0;
}

/* All the log10 parameters p of the unknowns x: the fixed ones at their bound. */
static void
params_of(const struct lm_ctx *c, const gsl_vector *x, double *p)
{
    size_t k;

    if (c->lo != NULL)
        for (k = 0; k < FWD_MODEL_NPARAMS(c->nl); k++)
            p[k] = c->lo[k];
    for (k = 0; k < c->nfree; k++)
        p[c->idx[k]] = param(c, gsl_vector_get(x, k), c->idx[k]);
}

/* log10 of the depth of the bottom of layer k (1-based) of the parameters p. */
static double
log_depth(const double *p, size_t nl, size_t k)
{
    double d = 0;
    size_t j;

    for (j = 0; j < k; j++)
        d += pow(10, p[nl + j]);
    return log10(d);
}

/* The context of a sounding s for n_layers layers, the floors of lp (NULL: none), the
 * response into resp; no bounds, no start. */
static void
ctx_init(struct lm_ctx *c, fwd_workspace *w, const fwd_sounding *s, size_t n_layers,
         const invnet_lm_params *lp, double *resp)
{
    memset(c, 0, sizeof *c);
    c->w = w;
    c->s = s;
    c->nl = n_layers;
    c->floor_l = lp != NULL ? lp->sd_log10_floor : 0;
    c->floor_p = lp != NULL ? lp->sd_phase_floor : 0;
    c->iphase = fwd_method_value_index(s->method, FWD_VALUE_PHASE);
    c->resp = resp;
}

/* The factors that make point i's misfits residuals (the fit's, invnet_lm.h): of
 * ln(rho_a ratio) into *ar, of the phase difference in degrees into *ap (0 when the method
 * has none). */
static void
point_scales(const struct lm_ctx *c, size_t i, double *ar, double *ap)
{
    double sl, sp;

    /* errors: as given or from the other, raised to the floors */
    invnet_lm_point_sd(c->s, i, &sl, &sp);
    sl = sl > 0 ? fmax(sl, c->floor_l) : 0;
    *ar = sl > 0 ? 1 / (log(10.0) * sl) : 1;
    *ap = 0;
    if (c->iphase >= 0) {
        sp = sp > 0 ? fmax(sp, c->floor_p) : 0;
        *ap = sp > 0 ? 1 / sp : 2 * FWD_PI / 180;
    }
}

void
invnet_lm_point_sd(const fwd_sounding *s, size_t i, double *sl, double *sp)
{
    *sl = s->sd_log10 != NULL   ? s->sd_log10[i]
          : s->sd_phase != NULL ? s->sd_phase[i] * FWD_PI / 90 / log(10.0)
                                : 0;
    *sp = s->phase == NULL      ? 0
          : s->sd_phase != NULL ? s->sd_phase[i]
                                : *sl * log(10.0) / 2 * 180 / FWD_PI;
}

double
invnet_lm_point_weight(const fwd_sounding *s, const invnet_lm_params *lp, size_t i)
{
    struct lm_ctx c;
    double ar, ap;

    ctx_init(&c, NULL, s, 0, lp, NULL);
    point_scales(&c, i, &ar, &ap);
    return ar;
}

/* The residuals of point i of the response resp against s, its apparent resistivities
 * rho_a: of rho_a into *fr, of the phase into *fp (0 when the method has none). */
static void
resid_point(const struct lm_ctx *c, const double *rho_a, const double *resp, size_t i, double *fr,
            double *fp)
{
    double ar, ap;

    point_scales(c, i, &ar, &ap);
    *fr = log(resp[i] / rho_a[i]) * ar;
    *fp = c->iphase >= 0 ? (resp[(size_t)c->iphase * c->s->n + i] - c->s->phase[i]) * ap : 0;
}

/* The apparent resistivities' entries of f (one per reading, stride `stride`) with each of
 * lp's unknown levels taken out: the part along its readings' weights (a factor e^d on
 * their data moves them by -d times it), by least squares. */
static void
project_levels(const struct lm_ctx *c, double *f, size_t stride)
{
    size_t n = c->s->n, k, i;
    double ar, ap;

    for (k = 1; c->lp != NULL && c->lp->level != NULL && k <= c->lp->n_levels; k++) {
        double a = 0, b = 0;

        for (i = 0; i < n; i++)
            if (c->lp->level[i] == k) {
                point_scales(c, i, &ar, &ap);
                a += f[i * stride] * ar;
                b += ar * ar;
            }
        for (i = 0; b > 0 && i < n; i++)
            if (c->lp->level[i] == k) {
                point_scales(c, i, &ar, &ap);
                f[i * stride] -= a / b * ar;
            }
    }
}

/* The residuals f of the response c->resp against s (the fit's, invnet_lm.h). */
static void
resid(const struct lm_ctx *c, double *f)
{
    size_t i;

    for (i = 0; i < c->s->n; i++) {
        double fp;

        resid_point(c, c->s->rho_a, c->resp, i, &f[i], &fp);
        if (c->iphase >= 0)
            f[(size_t)c->iphase * c->s->n + i] = fp;
    }
    project_levels(c, f, 1);
}

double
invnet_lm_chi2(const fwd_sounding *s, const double *rho_a, const double *resp, double noise)
{
    invnet_lm_params lp = invnet_lm_noise(noise);
    struct lm_ctx c;
    double sum = 0;
    size_t i;

    ctx_init(&c, NULL, s, 0, &lp, NULL);
    for (i = 0; i < s->n; i++) {
        double fr, fp;

        resid_point(&c, rho_a != NULL ? rho_a : s->rho_a, resp, i, &fr, &fp);
        sum += fr * fr + fp * fp;
    }
    return s->sd_log10 != NULL || s->sd_phase != NULL ? sum : sum / (noise * noise);
}

double
invnet_lm_noise_scale(double chi2, size_t n, size_t p)
{
    double dof = (double)n - (double)p;

    if (n <= p || !isfinite(chi2) || !(chi2 > gsl_cdf_chisq_Pinv(0.95, dof)))
        return 1;
    return sqrt(chi2 / dof);
}

/* The response of the log10 parameters p into c->resp (FWD_OK or the forward's error). */
static int
respond(struct lm_ctx *c, const double *p)
{
    size_t np = FWD_MODEL_NPARAMS(c->nl), j;

    c->evals++;
    for (j = 0; j < np; j++) {
        if (j < c->nl)
            c->rho[j] = pow(10, p[j]);
        else
            c->thick[j - c->nl] = pow(10, p[j]);
    }
    return fwd_eval(c->w, c->nl, c->rho, c->thick, c->resp, NULL);
}

static int
residuals(const gsl_vector *x, void *data, gsl_vector *f)
{
    struct lm_ctx *c = data;
    double p[2 * FWD_MAX_LAYERS];
    size_t j, nd = fwd_method_ndata(c->s->method, c->s->n);

    params_of(c, x, p);
    if (respond(c, p) != FWD_OK)
        return GSL_EDOM;
    resid(c, c->fbuf);
    for (j = 0; c->lp != NULL && j < c->lp->n_depth; j++) { /* 0 inside, linear outside */
        double z = log_depth(p, c->nl, c->lp->depth_layer[j]);
        double out = z < c->lp->depth_lo[j]   ? z - c->lp->depth_lo[j]
                     : z > c->lp->depth_hi[j] ? z - c->lp->depth_hi[j]
                                              : 0;

        c->fbuf[nd + j] = INVNET_LM_DEPTH_WEIGHT * out;
    }
    for (j = 0; j < f->size; j++) /* a Jacobian column, when differencing: not stride 1 */
        gsl_vector_set(f, j, c->fbuf[j]);
    return GSL_SUCCESS;
}

/*
 * The trust region's scaling D: the slope d p / d u of each unknown's box (param_slope; 1
 * without a box), so that the region bounds the step in decades of the parameters
 * (|D du| = |dp| to first order), wherever the logit puts them; never smaller within a fit
 * than it has been (GSL's update of Marquardt's and More's scalings does the same): where
 * an unknown's slope falls towards a bound, a D that followed it would let one step throw
 * it hundreds across the logit, to the far bound, where its slope and its Jacobian column
 * vanish and it stays (a review found 39 % of fits from random starts ending on a bound so;
 * 19 % with D kept). Floored at 1e-3 of the box, the slope of a start moved just inside it.
 * GSL's scale methods see only the Jacobian, so the slopes reach them from jacobian(),
 * which GSL calls just before, on the same thread (trust.c: eval_df, then scale->init or
 * ->update; nothing between), the Jacobian being analytic (fdf.df set).
 * Measured (bench_starts, bench_invert): Marquardt's scaling (D from the Jacobian's
 * columns) let a parameter the data barely see take long steps, onto a bound of its box or
 * along an equivalence valley, and stopped in local minima: Mawlamyine's fit cost 41.6
 * against a 20-start reference of 15.7 (now 15.6), 3 of 4 field soundings within 5 % of
 * the reference (now 4); Levenberg's (D = I in the logits) squeezed every step near a
 * bound, where the logit is flat: fits stopped short of a bound they pressed against.
 */
static _Thread_local double box_diag[2 * FWD_MAX_LAYERS];

static int
box_init(const gsl_matrix *J, gsl_vector *diag)
{
    size_t j;

    (void)J;
    for (j = 0; j < diag->size; j++)
        gsl_vector_set(diag, j, box_diag[j]);
    return GSL_SUCCESS;
}

static int
box_update(const gsl_matrix *J, gsl_vector *diag)
{
    size_t j;

    (void)J;
    for (j = 0; j < diag->size; j++)
        gsl_vector_set(diag, j, fmax(gsl_vector_get(diag, j), box_diag[j]));
    return GSL_SUCCESS;
}

static const gsl_multifit_nlinear_scale box_scaling = {"box", box_init, box_update};

/* The residuals' Jacobian in the unknowns x, from the forward model's; the trust region's
 * scaling of x into box_diag. fwd_jacobian_approx: it sets the step, not the answer (the
 * residuals are exact), and costs 29 % less (make bench); the refined batch 11 % faster on
 * one thread, 7 % on two, the same quality tables in bench_starts and bench_invert (single
 * answers move within their equivalence). */
static int
jacobian(const gsl_vector *x, void *data, gsl_matrix *J)
{
    struct lm_ctx *c = data;
    double p[2 * FWD_MAX_LAYERS], slope[2 * FWD_MAX_LAYERS], ar, ap, *row;
    size_t np = FWD_MODEL_NPARAMS(c->nl), n = c->s->n, nd = fwd_method_ndata(c->s->method, n);
    size_t i, j, k, t;

    params_of(c, x, p);
    c->jacs++;
    if (fwd_jacobian_approx(c->w, c->nl, p, c->resp, c->jac, NULL) != FWD_OK)
        return GSL_EDOM;
    for (j = 0; j < c->nfree; j++) {
        k = c->idx[j];
        slope[j] = param_slope(c, gsl_vector_get(x, j), k);
        box_diag[j] = c->lo == NULL ? 1.0 : fmax(slope[j], 1e-3 * (c->hi[k] - c->lo[k]));
    }
    gsl_matrix_set_zero(J);
    for (i = 0; i < n; i++) {
        point_scales(c, i, &ar, &ap);
        row = c->jac + i * np;
        for (j = 0; j < c->nfree; j++)
            gsl_matrix_set(J, i, j, ar * row[c->idx[j]] / c->resp[i] * slope[j]);
        if (c->iphase >= 0) {
            row = c->jac + ((size_t)c->iphase * n + i) * np;
            for (j = 0; j < c->nfree; j++)
                gsl_matrix_set(J, (size_t)c->iphase * n + i, j, ap * row[c->idx[j]] * slope[j]);
        }
    }
    for (j = 0; j < c->nfree; j++) /* the projection is linear: each column projected */
        project_levels(c, gsl_matrix_ptr(J, 0, j), J->tda);
    for (t = 0; t < c->lp->n_depth; t++) { /* the depth residuals: linear outside the bound */
        size_t lay = c->lp->depth_layer[t];
        double z = log_depth(p, c->nl, lay), sum = pow(10, z);

        if (z >= c->lp->depth_lo[t] && z <= c->lp->depth_hi[t])
            continue;
        for (j = 0; j < c->nfree; j++) {
            k = c->idx[j];
            if (k >= c->nl && k - c->nl < lay)
                gsl_matrix_set(J, nd + t, j,
                               INVNET_LM_DEPTH_WEIGHT * pow(10, p[k]) / sum * slope[j]);
        }
    }
    return GSL_SUCCESS;
}

int
invnet_lm_residuals(fwd_workspace *w, const fwd_sounding *s, size_t n_layers, const double *p,
                    const invnet_lm_params *lp, double *resp, double *f)
{
    struct lm_ctx c;

    ctx_init(&c, w, s, n_layers, lp, resp);
    if (respond(&c, p) != FWD_OK)
        return FWD_ENUMERIC;
    resid(&c, f);
    return FWD_OK;
}

/* Moves each interface whose depth is outside its bound (lp) onto it, by the thickness of its
 * own layer (when that stays > 0 and is not fixed). */
static void
project_depths(const invnet_lm_params *lp, size_t nl, const double *lo, const double *hi, double *p)
{
    size_t j;

    for (j = 0; j < lp->n_depth; j++) {
        size_t k = lp->depth_layer[j], t = nl + k - 1;
        double z = log_depth(p, nl, k), want, above;

        if (z >= lp->depth_lo[j] && z <= lp->depth_hi[j])
            continue;
        if (lo != NULL && lo[t] == hi[t])
            continue;
        want = pow(10, z < lp->depth_lo[j] ? lp->depth_lo[j] : lp->depth_hi[j]);
        above = pow(10, z) - pow(10, p[t]);
        if (want > above)
            p[t] = log10(want - above);
    }
}

void
invnet_lm_project(const invnet_lm_params *lp, size_t n_layers, const double *lo, const double *hi,
                  double *p)
{
    size_t j;

    for (j = 0; lo != NULL && j < FWD_MODEL_NPARAMS(n_layers); j++)
        p[j] = p[j] < lo[j] ? lo[j] : p[j] > hi[j] ? hi[j] : p[j];
    project_depths(lp, n_layers, lo, hi, p);
}

/*
 * The trust-region iterations: at most max_iter, until GSL's tests (xtol, gtol, ftol) pass,
 * no step makes progress, or the cost falls by less than the fraction ctol of itself in two
 * iterations in a row (a fit crawling along an equivalence valley, where the misfit no
 * longer changes). GSL_SUCCESS when it stopped by a test, GSL_EMAXITER, or an error.
 */
static int
drive(gsl_multifit_nlinear_workspace *ws, const invnet_lm_params *p, double cost)
{
    size_t k;
    double now;
    int info, flat = 0, status;

    for (k = 0; k < p->max_iter; k++) {
        status = gsl_multifit_nlinear_iterate(ws);
        if (status == GSL_ENOPROG)
            return GSL_SUCCESS; /* as close as the trust region gets */
        if (status != GSL_SUCCESS)
            return status;
        if (gsl_multifit_nlinear_test(p->xtol, p->gtol, p->ftol, &info, ws) == GSL_SUCCESS)
            return GSL_SUCCESS;
        gsl_blas_ddot(gsl_multifit_nlinear_residual(ws), gsl_multifit_nlinear_residual(ws), &now);
        flat = cost - now <= p->ctol * cost ? flat + 1 : 0;
        cost = now;
        if (flat >= 2)
            return GSL_SUCCESS;
    }
    return GSL_EMAXITER;
}

/* What a fit allocates: GSL's workspace of nr residuals and nfree unknowns, the response,
 * the residuals and the Jacobian (nd and nd x np values). */
struct invnet_lm_workspace {
    gsl_multifit_nlinear_workspace *ws;
    size_t n, p; /* ws's residuals and unknowns */
    double *resp, *fbuf, *jac;
    size_t n_resp, n_fbuf, n_jac; /* their room */
};

invnet_lm_workspace *
invnet_lm_workspace_alloc(void)
{
    return calloc(1, sizeof(invnet_lm_workspace));
}

static void
lm_release(invnet_lm_workspace *lw)
{
    gsl_multifit_nlinear_free(lw->ws);
    free(lw->jac);
    free(lw->fbuf);
    free(lw->resp);
}

void
invnet_lm_workspace_free(invnet_lm_workspace *lw)
{
    if (lw == NULL)
        return;
    lm_release(lw);
    free(lw);
}

/* a at room for n values (growing it, its contents lost); 0, or -1 out of memory */
static int
room(double **a, size_t *have, size_t n)
{
    double *b;

    if (*have >= n)
        return 0;
    if ((b = malloc(n * sizeof(double))) == NULL)
        return -1;
    free(*a);
    *a = b;
    *have = n;
    return 0;
}

/* lw ready for a fit of nd data (nr residuals), np parameters of which nfree unknown: GSL's
 * workspace kept when its sizes are these. 0, or -1 out of memory. */
static int
lm_ready(invnet_lm_workspace *lw, size_t nd, size_t nr, size_t np, size_t nfree)
{
    if (room(&lw->resp, &lw->n_resp, nd) != 0 || room(&lw->fbuf, &lw->n_fbuf, nr) != 0 ||
        room(&lw->jac, &lw->n_jac, nd * np) != 0)
        return -1;
    if (lw->ws == NULL || lw->n != nr || lw->p != nfree) {
        gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();

        fp.scale = &box_scaling; /* above */
        /* QR (GSL's default). The normal equations by modified Cholesky gave the same
         * answers and 5 % less time on one thread, but none on two: its J^T J (dsyrk, a
         * level-3 call) takes OpenBLAS's buffer lock on every iteration of both threads. */
        gsl_multifit_nlinear_free(lw->ws);
        lw->ws = gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, nr, nfree);
        if (lw->ws == NULL)
            return -1;
        lw->n = nr;
        lw->p = nfree;
    }
    return 0;
}

int
invnet_lm_fit(fwd_workspace *w, const fwd_sounding *s, size_t n_layers, double *p, const double *lo,
              const double *hi, const invnet_lm_params *lp, invnet_lm_count *count, fwd_error *err)
{
    invnet_lm_workspace lw = {0};
    int rc = invnet_lm_fit_in(&lw, w, s, n_layers, p, lo, hi, lp, count, err);

    lm_release(&lw);
    return rc;
}

int
invnet_lm_fit_in(invnet_lm_workspace *lw, fwd_workspace *w, const fwd_sounding *s, size_t n_layers,
                 double *p, const double *lo, const double *hi, const invnet_lm_params *lp,
                 invnet_lm_count *count, fwd_error *err)
{
    invnet_lm_params par = lp != NULL ? *lp : invnet_lm_default();
    size_t np = FWD_MODEL_NPARAMS(n_layers), nd = fwd_method_ndata(s->method, s->n), j, nr;
    gsl_multifit_nlinear_workspace *ws;
    gsl_multifit_nlinear_fdf fdf;
    double start[2 * FWD_MAX_LAYERS];
    struct lm_ctx c;
    double u0[2 * FWD_MAX_LAYERS];
    gsl_vector_view x0;
    double chi_start, chi_end;
    int status, rc = FWD_OK;
    invnet_lm_count none;

    if (count == NULL)
        count = &none;
    count->iterations = count->evaluations = count->jacobians = 0;
    if ((rc = fwd_sounding_geom_check(s, fwd_workspace_geom(w), err)) != FWD_OK)
        return rc;
    memcpy(start, p, np * sizeof(double));
    ctx_init(&c, w, s, n_layers, &par, NULL);
    c.lo = lo;
    c.hi = hi;
    c.lp = &par;
    for (j = 0; j < np; j++)
        if (lo == NULL || lo[j] != hi[j])
            c.idx[c.nfree++] = j;
    if (nd < c.nfree + (par.level != NULL ? par.n_levels : 0))
        return fwd_error_set(err, FWD_EINVAL, "%s: %zu data cannot determine %zu parameters",
                             s->source, nd, c.nfree + (par.level != NULL ? par.n_levels : 0));
    if (c.nfree == 0) { /* everything fixed: the model is known */
        memcpy(p, lo, np * sizeof(double));
        return FWD_OK;
    }
    for (j = 0; j < c.nfree; j++) {
        size_t k = c.idx[j];

        if (lo != NULL) {
            /* the start, moved just inside the box, in the unknown u = logit */
            double t = (p[k] - lo[k]) / (hi[k] - lo[k]);

            t = t < 1e-3 ? 1e-3 : t > 1 - 1e-3 ? 1 - 1e-3 : t;
            u0[j] = log(t / (1 - t));
        } else {
            u0[j] = p[k];
        }
    }
    x0 = gsl_vector_view_array(u0, c.nfree);
    nr = nd + par.n_depth;
    c.start = start;
    c.max_step = par.max_step;
    if (lm_ready(lw, nd, nr, np, c.nfree) != 0)
        return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory for the fit", s->source);
    ws = lw->ws;
    c.resp = lw->resp;
    c.fbuf = lw->fbuf;
    c.jac = lw->jac;
    fdf.f = residuals;
    fdf.df = jacobian; /* analytic: box_scaling reads the slopes it leaves */
    fdf.fvv = NULL;
    fdf.n = nr;
    fdf.p = c.nfree;
    fdf.params = &c;
    if (gsl_multifit_nlinear_init(&x0.vector, &fdf, ws) != GSL_SUCCESS) {
        rc = fwd_error_set(err, FWD_ENUMERIC, "%s: the starting model has no finite response",
                           s->source);
        goto done;
    }
    gsl_blas_ddot(gsl_multifit_nlinear_residual(ws), gsl_multifit_nlinear_residual(ws), &chi_start);
    status = drive(ws, &par, chi_start);
    count->iterations = gsl_multifit_nlinear_niter(ws);
    gsl_blas_ddot(gsl_multifit_nlinear_residual(ws), gsl_multifit_nlinear_residual(ws), &chi_end);
    /* keep the result unless it failed outright or made things worse */
    if ((status == GSL_SUCCESS || status == GSL_EMAXITER) && isfinite(chi_end) &&
        chi_end <= chi_start)
        params_of(&c, gsl_multifit_nlinear_position(ws), p);
    else /* the start, the fixed parameters at their values */
        for (j = 0; lo != NULL && j < np; j++)
            p[j] = lo[j] == hi[j] ? lo[j] : p[j];
done:
    project_depths(&par, n_layers, lo, hi, p);
    count->evaluations = c.evals;
    count->jacobians = c.jacs;
    return rc;
}

void
invnet_lm_halfspace_start(const fwd_sounding *s, size_t n_layers, double *p)
{
    const fwd_method_info *mi = fwd_method_get(s->method);
    double mean = 0, zlo, zhi;
    size_t i, j;

    for (i = 0; i < s->n; i++)
        mean += log10(s->rho_a[i]);
    mean /= (double)s->n;
    /* the depths the first and last points see in the mean half-space (MT: skin depths) */
    zlo = mi->depth_m(s->x[0], pow(10, mean)) / 5;
    zhi = mi->depth_m(s->x[s->n - 1], pow(10, mean)) / 2;
    for (j = 0; j < n_layers; j++)
        p[j] = mean;
    {
        /* depths d_k = zlo (zhi/zlo)^(k/(N-2)), k = 0..N-2; thickness = d_k - d_{k-1} */
        double prev = 0;

        for (j = 0; j + 1 < n_layers; j++) {
            double d = n_layers > 2 ? zlo * pow(zhi / zlo, (double)j / (double)(n_layers - 2))
                                    : sqrt(zlo * zhi);

            p[n_layers + j] = log10(d - prev);
            prev = d;
        }
    }
}
