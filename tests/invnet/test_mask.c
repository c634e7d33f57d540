/* SPDX-License-Identifier: MIT */
/*
 * test_mask.c - masked nets' inputs (invnet/invnet_mask.h) and the range check of a
 * partial sounding (invnet_envelope_d2_partial, _limit): windows, dropouts and the points a
 * sounding observes; the marginal distance against a covariance computed independently.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "forward/fwd_forward.h"
#include "invnet/invnet_mask.h"
#include "invnet/invnet_stats.h"

#define NP 31 /* points, 3 decades: 10 a decade */

static double logx[NP];

static void
grid(void)
{
    size_t k;

    for (k = 0; k < NP; k++)
        logx[NP - 1 - k] = 3.0 * (double)k / (NP - 1); /* any order: here descending */
}

TestSuite(invnet_mask, .init = grid);

static size_t
n_obs(const unsigned char *o, size_t n)
{
    size_t k, c = 0;

    for (k = 0; k < n; k++)
        c += o[k];
    return c;
}

Test(invnet_mask, same_arguments_same_mask)
{
    invnet_mask_params p = invnet_mask_default();
    unsigned char a[NP], b[NP];
    size_t row, differ = 0;

    for (row = 0; row < 200; row++) {
        invnet_mask_draw(&p, NP, logx, 42, 3, row, a);
        invnet_mask_draw(&p, NP, logx, 42, 3, row, b);
        cr_assert(memcmp(a, b, NP) == 0, "row %zu", row);
        invnet_mask_draw(&p, NP, logx, 42, 4, row, b);
        differ += memcmp(a, b, NP) != 0;
    }
    cr_assert_gt(differ, 150, "another epoch gave the same mask %zu times of 200", 200 - differ);
}

/* Without dropouts a mask is one window: every point between its ends, at least min_span
 * wide (less one interval of the grid), or the whole span. */
Test(invnet_mask, windows_are_contiguous_and_wide_enough)
{
    invnet_mask_params p = invnet_mask_default();
    unsigned char o[NP];
    size_t row, k, whole = 0, rows = 20000;

    p.p_missing = 0;
    p.min_span = 1.5;
    for (row = 0; row < rows; row++) {
        double lo = INFINITY, hi = -INFINITY;

        invnet_mask_draw(&p, NP, logx, 7, 1, row, o);
        for (k = 0; k < NP; k++)
            if (o[k]) {
                lo = fmin(lo, logx[k]);
                hi = fmax(hi, logx[k]);
            }
        for (k = 0; k < NP; k++)
            cr_assert_eq(o[k], logx[k] >= lo && logx[k] <= hi, "row %zu: a hole at %zu", row, k);
        cr_assert_geq(hi - lo, 1.5 - 0.1 - 1e-9, "row %zu: %g decades", row, hi - lo);
        whole += n_obs(o, NP) == NP;
    }
    /* p_full = 0.2, plus the windows that happen to be whole: binomial, 5 sd */
    cr_assert(whole > rows * 0.2 - 5 * sqrt(rows * 0.16), "%zu whole of %zu", whole, rows);
    cr_assert(whole < rows * 0.3, "%zu whole of %zu", whole, rows);
    invnet_mask_draw(&(invnet_mask_params){3.5, 0, 0, 0, INVNET_MASK_ALIGNED}, NP, logx, 7, 1, 0,
                     o);
    cr_assert_eq(n_obs(o, NP), NP, "a min_span wider than the grid: the whole span");
}

Test(invnet_mask, dropouts_keep_two_points)
{
    invnet_mask_params p = {0.2, 0.9, 0, 1, INVNET_MASK_ALIGNED};
    unsigned char o[NP];
    size_t row, dropped = 0, seen = 0;

    for (row = 0; row < 5000; row++) {
        invnet_mask_draw(&p, NP, logx, 1, 1, row, o);
        cr_assert_geq(n_obs(o, NP), 2, "row %zu", row);
        seen += n_obs(o, NP);
    }
    p.p_missing = 0;
    for (row = 0; row < 5000; row++) {
        invnet_mask_draw(&p, NP, logx, 1, 1, row, o);
        dropped += n_obs(o, NP);
    }
    /* the same windows; dropping a mean of 0.45 of the points leaves about 0.55 */
    cr_assert(seen < 0.7 * (double)dropped && seen > 0.4 * (double)dropped, "%zu of %zu", seen,
              dropped);
}

Test(invnet_mask, input_layout_absolute)
{
    double z[6] = {1, 2, 3, 4, 5, 6}, in[12];
    unsigned char o[3] = {1, 0, 1};
    const double want[12] = {1, 0, 3, 4, 0, 6, 1, 0, 1, 1, 0, 1};

    cr_assert_eq(invnet_mask_n_in(INVNET_MASK_ABSOLUTE, 2, 3), 12);
    invnet_mask_input(INVNET_MASK_ABSOLUTE, 2, 3, z, o, in); /* MT: rho_a of 3, then phase */
    cr_assert(memcmp(in, want, sizeof want) == 0);
}

/* Worked by hand: 4 points of 2 values (MT), points 1 and 3 observed: first 1, last 3. */
Test(invnet_mask, input_layout_aligned)
{
    double z[8] = {1, 2, 3, 4, 5, 6, 7, 8}, in[33];
    unsigned char o[4] = {0, 1, 0, 1};
    const double want[33] = {
        2,      0, 4, 0, 6, 0, 8, 0, /* from the first point: slots 0 and 2 of each value */
        1,      0, 1, 0, 1, 0, 1, 0, /* their indicators */
        0,      2, 0, 4, 0, 6, 0, 8, /* up to the last point, which is the net's last: slots 1, 3 */
        0,      1, 0, 1, 0, 1, 0, 1, /* their indicators */
        1.0 / 3};                    /* where the window starts */

    cr_assert_eq(invnet_mask_n_in(INVNET_MASK_ALIGNED, 2, 4), 33);
    invnet_mask_input(INVNET_MASK_ALIGNED, 2, 4, z, o, in);
    cr_assert(memcmp(in, want, sizeof want) == 0);
}

/* Unpacking an input gives back the observed points and their features, for random masks in
 * either layout. */
Test(invnet_mask, unpack_inverts_input)
{
    enum { V = 2 };
    invnet_mask_params p = invnet_mask_default();
    double z[V * NP], in[4 * V * NP + 1], back[V * NP];
    unsigned char o[NP], ob[NP];
    size_t row, k, l;

    for (k = 0; k < V * NP; k++)
        z[k] = sin(1.0 + (double)k);
    for (l = 0; l < 2; l++)
        for (row = 0; row < 500; row++) {
            invnet_mask_draw(&p, NP, logx, 3, 1, row, o);
            invnet_mask_input((invnet_mask_layout)l, V, NP, z, o, in);
            invnet_mask_unpack((invnet_mask_layout)l, V, NP, in, back, ob);
            cr_assert(memcmp(o, ob, NP) == 0, "layout %zu row %zu: points", l, row);
            for (k = 0; k < V * NP; k++)
                cr_assert_eq(back[k], o[k % NP] ? z[k] : 0, "layout %zu row %zu: %zu", l, row, k);
        }
}

/*
 * The symmetry the aligned layout stands on: a Schlumberger response is unchanged when
 * AB/2 and every thickness scale by one factor. The response of an earth on a window of the
 * net's points, and that of the same earth with its thicknesses 10^(s/10) times larger on
 * the window s points (s/10 decades) further, fill the same aligned inputs; only the last,
 * where the window starts, differs. In the absolute layout they share no input.
 */
Test(invnet_mask, shifted_window_of_a_scaled_earth_same_inputs)
{
    enum { A = 4, W = 12, S = 13 };
    double x[NP], d0[NP], d1[NP], in0[4 * NP + 1], in1[4 * NP + 1], a0[2 * NP], a1[2 * NP];
    const double rho[3] = {80, 8, 400}, h[2] = {2, 15};
    double hs[2];
    unsigned char o0[NP] = {0}, o1[NP] = {0};
    fwd_workspace *w;
    fwd_geom *g;
    size_t k, same = 0;

    for (k = 0; k < NP; k++)
        x[k] = pow(10, 3.0 * (double)k / (NP - 1)); /* AB/2 1 m - 1 km, 10 a decade */
    g = fwd_geom_alloc(FWD_SCHLUMBERGER, NP, x, NULL, NULL);
    w = fwd_workspace_alloc(g, NULL, NULL);
    cr_assert_not_null(w);
    cr_assert_eq(fwd_eval(w, 3, rho, h, d0, NULL), FWD_OK);
    for (k = 0; k < 2; k++)
        hs[k] = h[k] * pow(10, S / 10.0);
    cr_assert_eq(fwd_eval(w, 3, rho, hs, d1, NULL), FWD_OK);
    for (k = 0; k < NP; k++) {
        o0[k] = k >= A && k < A + W && k != A + 5; /* a reading dropped, in both */
        o1[k] = k >= A + S && k < A + S + W && k != A + S + 5;
        d0[k] = log10(d0[k]);
        d1[k] = log10(d1[k]);
    }
    invnet_mask_input(INVNET_MASK_ALIGNED, 1, NP, d0, o0, in0);
    invnet_mask_input(INVNET_MASK_ALIGNED, 1, NP, d1, o1, in1);
    for (k = 0; k < 4 * NP; k++)
        cr_assert(fabs(in0[k] - in1[k]) < 1e-6, "input %zu: %.9g against %.9g", k, in0[k], in1[k]);
    cr_assert_float_eq(in1[4 * NP] - in0[4 * NP], (double)S / (NP - 1), 1e-12);
    invnet_mask_input(INVNET_MASK_ABSOLUTE, 1, NP, d0, o0, a0);
    invnet_mask_input(INVNET_MASK_ABSOLUTE, 1, NP, d1, o1, a1);
    for (k = NP; k < 2 * NP; k++)
        same += a0[k] > 0.5 && a1[k] > 0.5;
    cr_assert_eq(same, 0, "absolute: %zu points shared", same);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

Test(invnet_mask, layout_names)
{
    invnet_mask_params p = invnet_mask_default();
    fwd_error err;

    cr_assert_eq(p.layout, INVNET_MASK_ALIGNED);
    cr_assert_str_eq(invnet_mask_layout_name(INVNET_MASK_ABSOLUTE), "masked");
    cr_assert_str_eq(invnet_mask_layout_name(INVNET_MASK_ALIGNED), "aligned");
    cr_assert_eq(invnet_mask_layout_parse("aligned"), INVNET_MASK_ALIGNED);
    cr_assert_eq(invnet_mask_layout_parse("masked"), INVNET_MASK_ABSOLUTE);
    cr_assert_eq(invnet_mask_layout_parse("values"), -1);
    p.layout = (invnet_mask_layout)7;
    cr_assert_eq(invnet_mask_check(&p, &err), FWD_EINVAL);
    cr_assert(strstr(err.msg, "layout: expected absolute (0) or aligned (1), got 7") != NULL, "%s",
              err.msg);
}

/* The points of the net a sounding observes: its span, less its gaps. */
Test(invnet_mask, observed_points_of_a_sounding)
{
    /* a sounding 0.5..1.7 (log10), 8 a decade, with a 0.5-decade gap 1.0..1.5 */
    double s[16], work[16];
    unsigned char o[NP];
    size_t n = 0, k;

    for (k = 0; k <= 4; k++)
        s[n++] = 0.5 + 0.125 * (double)k;
    for (k = 0; k <= 1; k++)
        s[n++] = 1.5 + 0.125 * (double)k + 0.075 * (double)k;
    cr_assert_eq(invnet_mask_observed(NP, logx, n, s, 0.02, 0.35, o, NULL), 6 + 3);
    for (k = 0; k < NP; k++) {
        int inside = logx[k] >= 0.5 - 1e-9 && logx[k] <= 1.7 + 1e-9;
        int gap = logx[k] > 1.0 + 0.02 && logx[k] < 1.5 - 0.02;

        cr_assert_eq(o[k], inside && !gap, "point %g", logx[k]);
    }
    cr_assert_float_eq(invnet_mask_span(NP, logx, o), 1.2, 1e-12);
    /* no gap rule for an evenly sparse sounding: 3 points a decade is not a gap */
    s[0] = 0, s[1] = 0.33, s[2] = 0.66, s[3] = 1.0;
    cr_assert_eq(invnet_mask_observed(NP, logx, 4, s, 0.02, 0.2, o, work), 11);
}

/* The marginal distance of a partial row against the sample covariance of those columns,
 * solved independently (LU), and the share of each feature. */
Test(invnet_mask, partial_distance_is_the_marginal)
{
    enum { R = 4000, N = 6 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *x = malloc(R * N * sizeof *x), row[N], c[N], mean[N] = {0}, cov[N * N] = {0};
    unsigned char obs[N] = {1, 0, 1, 1, 0, 1};
    invnet_envelope *e = invnet_envelope_alloc(N);
    size_t i, j, k, a, b, io[4] = {0, 2, 3, 5}, dof;
    double d2, want = 0, sum = 0;
    gsl_matrix *m = gsl_matrix_alloc(4, 4);
    gsl_vector *r = gsl_vector_alloc(4), *z = gsl_vector_alloc(4);
    gsl_permutation *perm = gsl_permutation_alloc(4);
    int sg;

    for (i = 0; i < R; i++) { /* correlated columns: mixtures of three normals */
        double u = gsl_ran_gaussian(rng, 1), v = gsl_ran_gaussian(rng, 1);

        for (j = 0; j < N; j++)
            x[i * N + j] = (double)j + u * (double)(j + 1) + v * (j % 2 ? 1 : -0.5) +
                           0.3 * gsl_ran_gaussian(rng, 1);
    }
    cr_assert_eq(invnet_envelope_compute(e, R, x, 1e-12, R, NULL), 0);
    for (i = 0; i < R; i++)
        for (j = 0; j < N; j++)
            mean[j] += x[i * N + j] / R;
    for (i = 0; i < R; i++)
        for (j = 0; j < N; j++)
            for (k = 0; k < N; k++)
                cov[j * N + k] += (x[i * N + j] - mean[j]) * (x[i * N + k] - mean[k]) / (R - 1);
    for (j = 0; j < N; j++)
        row[j] = mean[j] + (j % 3 == 0 ? 2.5 : -1.0);
    for (a = 0; a < 4; a++) {
        gsl_vector_set(r, a, row[io[a]] - mean[io[a]]);
        for (b = 0; b < 4; b++)
            gsl_matrix_set(m, a, b, cov[io[a] * N + io[b]]);
    }
    gsl_linalg_LU_decomp(m, perm, &sg);
    gsl_linalg_LU_solve(m, perm, r, z);
    for (a = 0; a < 4; a++)
        want += gsl_vector_get(r, a) * gsl_vector_get(z, a);
    d2 = invnet_envelope_d2_partial(e, row, obs, NULL, c, &dof, NULL);
    cr_assert_float_eq(d2, want, 1e-6 * want, "marginal d2 %g, independently %g", d2, want);
    cr_assert_eq(dof, 4);
    for (j = 0; j < N; j++) {
        sum += c[j];
        if (!obs[j])
            cr_assert_eq(c[j], 0);
    }
    cr_assert_float_eq(sum, d2, 1e-9 * d2, "the shares add up");
    memset(obs, 1, N);
    cr_assert_float_eq(invnet_envelope_d2_partial(e, row, obs, NULL, c, NULL, NULL),
                       invnet_envelope_d2(e, row), 1e-12 * want,
                       "every feature observed: the whole distance");
    gsl_permutation_free(perm);
    gsl_vector_free(z);
    gsl_vector_free(r);
    gsl_matrix_free(m);
    invnet_envelope_free(e);
    free(x);
    gsl_rng_free(rng);
}

/* The threshold keeps its meaning: on rows of the training distribution, a subset of the
 * features is flagged about as often as the whole row (0.1 %): between 0.02 % and 1 %. */
Test(invnet_mask, partial_threshold_false_alarms)
{
    enum { R = 20000, N = 8 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    double *x = malloc(R * N * sizeof *x);
    invnet_envelope *e = invnet_envelope_alloc(N);
    unsigned char obs[N];
    double work[N * N + 2 * N]; /* scratch given, as an inverter does */
    size_t i, j, alarms[N + 1] = {0}, dof, k;

    for (i = 0; i < R; i++) {
        double u = gsl_ran_gaussian(rng, 1);

        for (j = 0; j < N; j++)
            x[i * N + j] = u * (1 + 0.1 * (double)j) + 0.5 * gsl_ran_gaussian(rng, 1);
    }
    cr_assert_eq(invnet_envelope_compute(e, R, x, 1e-12, R, NULL), 0);
    for (i = 0; i < R; i++) {
        for (k = 2; k <= N; k += 3) { /* the first k features */
            for (j = 0; j < N; j++)
                obs[j] = j < k;
            if (invnet_envelope_d2_partial(e, x + i * N, obs, NULL, NULL, &dof, work) >
                invnet_envelope_d2_limit(e, dof, 1))
                alarms[k]++;
        }
    }
    /* and not far fewer: a threshold left at the whole row's would flag none of them */
    for (k = 2; k <= N; k += 3)
        cr_assert(alarms[k] < R / 100 && alarms[k] >= R / 5000,
                  "%zu of %d rows flagged on %zu features", alarms[k], R, k);
    invnet_envelope_free(e);
    free(x);
    gsl_rng_free(rng);
}
