/* SPDX-License-Identifier: MIT */
/*
 * invnet_stats.c - features, column statistics and the training envelope.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "invnet/invnet_stats.h"

int
invnet_features(fwd_method m, size_t npts, size_t rows, const double *data, double *feat,
                fwd_error *err)
{
    const fwd_method_info *mi = fwd_method_get(m);
    size_t nd = fwd_method_ndata(m, npts), i, j, k, t;

    if (mi == NULL)
        return fwd_error_set(err, FWD_EINVAL, "method: expected a method, got %d", (int)m);
    for (i = 0; i < rows; i++)
        for (k = 0, j = 0; k < mi->nvalues; k++) {
            const fwd_value_info *val = mi->values[k];

            for (t = 0; t < npts; t++, j++) {
                double v = data[i * nd + j];

                if (!isfinite(v) || (val->positive && v <= 0))
                    return fwd_error_set(err, FWD_EINVAL,
                                         "row %zu, point %zu: %s: expected a finite value %s %s, "
                                         "got %g",
                                         i + 1, t + 1, val->name, val->positive ? "> 0" : "in",
                                         val->unit, v);
                feat[i * nd + j] = val->to_feature(v);
            }
        }
    return FWD_OK;
}

const char *
invnet_feature_name(fwd_method m, size_t npts, size_t j, char *buf, size_t cap)
{
    const fwd_method_info *mi = fwd_method_get(m);
    size_t k = npts > 0 ? j / npts : 0;

    if (mi != NULL && k < mi->nvalues)
        snprintf(buf, cap, "%s_%zu", mi->values[k]->feature, j - k * npts + 1);
    else
        snprintf(buf, cap, "feature_%zu", j + 1);
    return buf;
}

void
invnet_colstats(size_t rows, size_t cols, const double *x, double *mean, double *sd)
{
    size_t i, j;

    for (j = 0; j < cols; j++)
        mean[j] = sd[j] = 0;
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++)
            mean[j] += x[i * cols + j];
    for (j = 0; j < cols; j++)
        mean[j] /= rows > 0 ? (double)rows : 1.0;
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) {
            double r = x[i * cols + j] - mean[j];

            sd[j] += r * r;
        }
    for (j = 0; j < cols; j++) {
        sd[j] = rows > 1 ? sqrt(sd[j] / (double)(rows - 1)) : 0;
        /* a constant column: its mean is not exact, so its sd is rounding noise, not 0 */
        if (!(sd[j] > INVNET_SD_REL_FLOOR * fabs(mean[j])) || !(sd[j] > 0))
            sd[j] = 1;
    }
}

invnet_envelope *
invnet_envelope_alloc(size_t n)
{
    invnet_envelope *e = calloc(1, sizeof *e);

    if (e == NULL || n == 0 || n > SIZE_MAX / sizeof(double) / n)
        goto fail;
    e->n = n;
    e->min = malloc(n * sizeof(double));
    e->max = malloc(n * sizeof(double));
    e->mean = malloc(n * sizeof(double));
    e->pc = malloc(n * n * sizeof(double));
    e->pc_var = malloc(n * sizeof(double));
    if (e->min == NULL || e->max == NULL || e->mean == NULL || e->pc == NULL || e->pc_var == NULL)
        goto fail;
    return e;
fail:
    invnet_envelope_free(e);
    return NULL;
}

void
invnet_envelope_free(invnet_envelope *e)
{
    if (e == NULL)
        return;
    free(e->pc_var);
    free(e->pc);
    free(e->mean);
    free(e->max);
    free(e->min);
    free(e);
}

static double full_d2(const invnet_envelope *e, const double *x, double *contrib);

double
invnet_envelope_d2(const invnet_envelope *e, const double *x)
{
    return full_d2(e, x, NULL);
}

/* Rows per block of the covariance sum. */
#define COV_BLOCK 4096

int
invnet_envelope_compute(invnet_envelope *e, size_t rows, const double *x, double rel_floor,
                        size_t max_rows_q, fwd_error *err)
{
    size_t n = e->n, i, j, k, nb, nq, step;
    double *sd = NULL, *blk = NULL, *d2 = NULL;
    gsl_matrix *cov = NULL, *evec = NULL;
    gsl_vector *eval = NULL;
    gsl_eigen_symmv_workspace *ws = NULL;
    int rc = FWD_OK;

    if (rows < 2 || max_rows_q < 1)
        return fwd_error_set(err, FWD_EINVAL,
                             "envelope: expected >= 2 rows and >= 1 quantile row, got %zu and %zu",
                             rows, max_rows_q);
    for (j = 0; j < n; j++)
        e->min[j] = e->max[j] = x[j];
    for (i = 1; i < rows; i++)
        for (j = 0; j < n; j++) {
            double v = x[i * n + j];

            if (v < e->min[j])
                e->min[j] = v;
            if (v > e->max[j])
                e->max[j] = v;
        }
    nq = rows < max_rows_q ? rows : max_rows_q;
    sd = malloc(n * sizeof *sd);
    blk = malloc(COV_BLOCK * n * sizeof *blk);
    d2 = malloc((nq > 0 ? nq : 1) * sizeof *d2);
    cov = gsl_matrix_calloc(n, n);
    evec = gsl_matrix_alloc(n, n);
    eval = gsl_vector_alloc(n);
    ws = gsl_eigen_symmv_alloc(n);
    if (sd == NULL || blk == NULL || d2 == NULL || cov == NULL || evec == NULL || eval == NULL ||
        ws == NULL) {
        rc = fwd_error_set(err, FWD_ENOMEM, "envelope: out of memory for %zu features", n);
        goto done;
    }
    invnet_colstats(rows, n, x, e->mean, sd);
    /* covariance: sum of centred blocks B^T B, in a fixed order */
    for (i = 0; i < rows; i += nb) {
        gsl_matrix_view vb;

        nb = rows - i < COV_BLOCK ? rows - i : COV_BLOCK;
        for (k = 0; k < nb; k++)
            for (j = 0; j < n; j++)
                blk[k * n + j] = x[(i + k) * n + j] - e->mean[j];
        vb = gsl_matrix_view_array(blk, nb, n);
        gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0 / (double)(rows - 1), &vb.matrix, 1.0, cov);
    }
    if (gsl_eigen_symmv(cov, eval, evec, ws) != GSL_SUCCESS ||
        gsl_eigen_symmv_sort(eval, evec, GSL_EIGEN_SORT_VAL_DESC) != GSL_SUCCESS) {
        rc = fwd_error_set(err, FWD_ENUMERIC, "envelope: eigen-decomposition failed");
        goto done;
    }
    e->n_pc = 0;
    for (k = 0; k < n; k++) {
        double lam = gsl_vector_get(eval, k);

        if (!(lam > rel_floor * gsl_vector_get(eval, 0)) || !(lam > INVNET_VAR_ABS_FLOOR) ||
            !isfinite(lam))
            break;
        for (j = 0; j < n; j++)
            e->pc[k * n + j] = gsl_matrix_get(evec, j, k);
        e->pc_var[k] = lam;
        e->n_pc++;
    }
    if (e->n_pc == 0) {
        rc = fwd_error_set(err, FWD_ENUMERIC,
                           "envelope: the training features do not vary (all rows equal?)");
        goto done;
    }
    /* distance quantiles over nq rows spread evenly over the set */
    step = rows / nq;
    for (k = 0; k < nq; k++)
        d2[k] = invnet_envelope_d2(e, x + (k * step) * n);
    gsl_sort(d2, 1, nq);
    e->d2_q99 = gsl_stats_quantile_from_sorted_data(d2, 1, nq, 0.99);
    e->d2_q999 = gsl_stats_quantile_from_sorted_data(d2, 1, nq, 0.999);
done:
    gsl_eigen_symmv_free(ws);
    gsl_vector_free(eval);
    gsl_matrix_free(evec);
    gsl_matrix_free(cov);
    free(d2);
    free(blk);
    free(sd);
    return rc;
}

/* invnet_envelope_d2, with each feature's term into contrib (may be NULL): r_j times
 * sum_k pc_kj (pc_k . r) / pc_var_k. */
static double
full_d2(const invnet_envelope *e, const double *x, double *contrib)
{
    size_t k, j, n = e->n;
    double d2 = 0;

    for (k = 0; k < e->n_pc; k++) {
        const double *v = e->pc + k * n;
        double p = 0;

        for (j = 0; j < n; j++)
            p += v[j] * (x[j] - e->mean[j]);
        d2 += p * p / e->pc_var[k];
        for (j = 0; contrib != NULL && j < n; j++)
            contrib[j] += (x[j] - e->mean[j]) * v[j] * p / e->pc_var[k];
    }
    return d2;
}

double
invnet_envelope_d2_partial(const invnet_envelope *e, const double *x, const unsigned char *obs,
                           const double *extra, double *contrib, size_t *dof, double *work)
{
    size_t n = e->n, no = 0, a, b, j, j2, k;
    double *own = NULL, *S, *r, *z, d2 = 0, ridge = e->n_pc > 0 ? 1e-9 * e->pc_var[0] : 1;
    gsl_matrix_view Sv;
    gsl_vector_view rv, zv;

    for (j = 0; j < n; j++)
        no += obs[j] != 0;
    if (contrib != NULL)
        memset(contrib, 0, n * sizeof *contrib);
    if (dof != NULL)
        *dof = no < e->n_pc ? no : e->n_pc;
    for (j = 0; extra != NULL && j < n; j++)
        if (obs[j] && extra[j] > 0)
            break;
    if (no == n && (extra == NULL || j == n))
        return full_d2(e, x, contrib);
    if (no == 0)
        return 0;
    if (work == NULL && (work = own = malloc((no * no + 2 * no) * sizeof *work)) == NULL)
        return NAN;
    S = work;
    r = S + no * no;
    z = r + no;
    /* S_oo and r over the observed features, a and b counting them */
    for (j = 0, a = 0; j < n; j++) {
        if (!obs[j])
            continue;
        r[a] = x[j] - e->mean[j];
        for (j2 = 0, b = 0; j2 <= j; j2++) {
            double c = j2 != j ? 0 : ridge + (extra != NULL ? fmax(extra[j], 0) : 0);

            if (!obs[j2])
                continue;
            for (k = 0; k < e->n_pc; k++)
                c += e->pc_var[k] * e->pc[k * n + j] * e->pc[k * n + j2];
            S[a * no + b] = S[b * no + a] = c;
            b++;
        }
        a++;
    }
    Sv = gsl_matrix_view_array(S, no, no);
    rv = gsl_vector_view_array(r, no);
    zv = gsl_vector_view_array(z, no);
    if (gsl_linalg_cholesky_decomp1(&Sv.matrix) != GSL_SUCCESS ||
        gsl_linalg_cholesky_solve(&Sv.matrix, &rv.vector, &zv.vector) != GSL_SUCCESS) {
        free(own);
        return NAN;
    }
    for (j = 0, a = 0; j < n; j++)
        if (obs[j]) {
            d2 += r[a] * z[a];
            if (contrib != NULL)
                contrib[j] = r[a] * z[a];
            a++;
        }
    free(own);
    return d2;
}

double
invnet_envelope_d2_limit(const invnet_envelope *e, size_t dof, double factor)
{
    if (dof >= e->n_pc || dof == 0)
        return factor * e->d2_q999;
    return factor * e->d2_q999 * gsl_cdf_chisq_Pinv(0.999, (double)dof) /
           gsl_cdf_chisq_Pinv(0.999, (double)e->n_pc);
}
