/* SPDX-License-Identifier: MIT */
/*
 * test_invert_masked.c - a masked net (invnet_mask.h) inverts soundings of any part of its
 * span of at least its min_span, with points missing inside, and says so in its flags: the
 * same net for any thread count, the file round trip, sub-spans fitted to the noise, the
 * range checks on partial soundings (false alarms in the prior, recall outside it), too
 * short a sounding refused, data beyond the net's span used by the fit only.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <hdf5.h>

#include "forward/fwd_forward.h"
#include "invnet/invert/invnet_invert.h"
#include "invnet/invnet_mask.h"
#include "samples/smp_gen.h"
#include "samples/smp_h5.h"
#include "tests/common.h"
#include "tests/invnet/helpers.h"

static char dir[64], spath[128];
static invnet_file *nf;

static void
setup(void)
{
    tst_mkdtemp(dir, sizeof dir, "masked");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    tst_make_samples(dir, "s.h5", 20000, 0.03, 0, spath);
}

/* The net of the tests that judge its answers (the others train a few epochs). */
static void
train(void)
{
    nf = tst_train_masked(spath, 25, 2, 1.0);
}

static void
teardown(void)
{
    invnet_file_free(nf);
    tst_rmtree(dir);
}

TestSuite(invnet_masked, .init = setup, .fini = teardown, .timeout = 300);

/* The response of a 3-layer model at n AB/2 x, with relative noise sd from the stream r. */
static fwd_sounding *
synthetic(const double *p, size_t n, const double *x, double noise, gsl_rng *rng)
{
    fwd_sounding *s = tst_sounding(n, x, x); /* the data below */
    fwd_geom *g = fwd_geom_alloc(FWD_SCHLUMBERGER, n, x, NULL, NULL);
    fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
    double rho[3] = {pow(10, p[0]), pow(10, p[1]), pow(10, p[2])};
    double h[2] = {pow(10, p[3]), pow(10, p[4])};
    size_t i;

    cr_assert_eq(fwd_eval(w, 3, rho, h, s->rho_a, NULL), FWD_OK);
    for (i = 0; i < n; i++)
        s->rho_a[i] *= exp(noise * gsl_ran_gaussian(rng, 1));
    fwd_workspace_free(w);
    fwd_geom_free(g);
    return s;
}

static double
median(double *v, size_t n)
{
    gsl_sort(v, 1, n);
    return gsl_stats_median_from_sorted_data(v, 1, n);
}

/* n points log-spaced over [a, a + span] decades of AB/2 (m), 8 a decade. */
static size_t
spacings(double a, double span, double *x)
{
    size_t n = (size_t)(8 * span + 0.5) + 1, k;

    for (k = 0; k < n; k++)
        x[k] = pow(10, a + span * (double)k / (double)(n - 1));
    return n;
}

/* A masked net's file says its layout and loads back the same: "aligned" (4 F + 1 inputs,
 * the default) or "masked" (2 F, the nets made before it). */
static void
round_trip(invnet_mask_layout layout, const char *name, size_t n_in)
{
    char path[160], buf[16];
    invnet_file *g;
    hid_t f;

    nf = tst_train_masked_as(spath, 2, 2, 1.0, layout);
    cr_assert(nf->masked && nf->mask.layout == layout);
    cr_assert_eq(invnet_net_n_in(nf->net), n_in);
    cr_assert_eq(invnet_file_n_in(nf), n_in);
    snprintf(path, sizeof path, "%s/m%d.h5", dir, (int)layout);
    cr_assert_eq(invnet_file_save(path, nf, 0, NULL), FWD_OK);
    f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_eq(smp_h5_read_str(f, path, "inputs", buf, sizeof buf, NULL), FWD_OK);
    H5Fclose(f);
    cr_expect_str_eq(buf, name);
    g = invnet_file_load(path, NULL);
    cr_assert_not_null(g);
    cr_expect(g->masked && g->mask.layout == layout && g->mask.min_span == 1.0 &&
              g->mask.max_missing == nf->mask.max_missing);
    cr_expect_eq(memcmp(invnet_net_params_const(g->net), invnet_net_params_const(nf->net),
                        invnet_net_nparams(nf->net) * sizeof(double)),
                 0);
    invnet_file_free(g);
    invnet_file_free(nf);
    nf = NULL;
}

/* Replaces the root attribute "inputs" of the net file at path by value. */
static void
set_inputs(const char *path, const char *value)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);

    cr_assert_geq(f, 0);
    H5Adelete(f, "inputs");
    cr_assert_eq(smp_h5_write_str(f, "inputs", value, NULL), FWD_OK);
    H5Fclose(f);
}

Test(invnet_masked, file_says_masked_and_round_trips)
{
    char path[160];
    fwd_error err;

    round_trip(INVNET_MASK_ABSOLUTE, "masked", 2 * TST_NPTS);
    round_trip(INVNET_MASK_ALIGNED, "aligned", 4 * TST_NPTS + 1);
    snprintf(path, sizeof path, "%s/m%d.h5", dir, (int)INVNET_MASK_ALIGNED);
    /* a file saying something else than values, masked or aligned */
    set_inputs(path, "pixels");
    cr_assert_null(invnet_file_load(path, &err));
    cr_expect(strstr(err.msg, "inputs: expected values, masked or aligned, got \"pixels\"") != NULL,
              "%s", err.msg);
    /* "masked" on a net with the aligned layout's inputs: they do not fit */
    set_inputs(path, "masked");
    cr_assert_null(invnet_file_load(path, &err));
    cr_expect(strstr(err.msg, "a net for another geometry") != NULL, "%s", err.msg);
}

/* A net from before masked nets (no 'inputs' attribute) is a plain net. */
Test(invnet_masked, a_file_without_inputs_is_plain)
{
    char path[160];
    invnet_file *plain = tst_train(spath, 2, 2, 0.1, 1), *g;
    hid_t f;

    snprintf(path, sizeof path, "%s/p.h5", dir);
    cr_assert_eq(invnet_file_save(path, plain, 0, NULL), FWD_OK);
    f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(H5Adelete(f, "inputs"), 0);
    H5Fclose(f);
    g = invnet_file_load(path, NULL);
    cr_assert(g != NULL && !g->masked && invnet_net_n_in(g->net) == TST_NPTS);
    invnet_file_free(g);
    invnet_file_free(plain);
}

Test(invnet_masked, same_net_for_any_thread_count)
{
    invnet_file *a = tst_train_masked(spath, 2, 1, 1.0), *b = tst_train_masked(spath, 2, 2, 1.0);

    cr_assert_eq(memcmp(invnet_net_params_const(a->net), invnet_net_params_const(b->net),
                        invnet_net_nparams(a->net) * sizeof(double)),
                 0, "1 and 2 threads trained different masked nets");
    cr_assert_eq(memcmp(a->val_loss, b->val_loss, a->n_epochs * sizeof(double)), 0);
    invnet_file_free(b);
    invnet_file_free(a);
}

/*
 * In-prior soundings of 1, 1.5, 2 and 3 decades placed at random in the net's 3 decades,
 * at spacings of their own (8 a decade, not the net's), 3 % noise: every one inverted; the
 * range flags on at most 5 % of them per coverage (the partial envelope's false alarms);
 * refined, a median misfit within 1.5 x the noise; with a tenth of the points dropped, the
 * same.
 */
Test(invnet_masked, sub_spans_inverted_and_fitted)
{
    enum { N = 80 };
    const double spans[] = {1, 1.5, 2, 3};
    invnet_check_params cp = invnet_check_default();
    invnet_inverter *v;
    smp_config c;

    train();
    smp_gen *g;
    static double P[N * 5], C[N * TST_NPTS], Z[N * TST_NPTS];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    size_t k, i, j;

    memset(&c, 0, sizeof c);
    c.geom = nf->geom;
    c.prior = nf->samples.prior;
    c.seed = 5;
    g = smp_gen_alloc(&c, 1, NULL);
    cr_assert_eq(smp_gen_run(g, 0, N, P, C, Z, NULL), FWD_OK);
    cp.refine_iter = 30;
    v = invnet_inverter_alloc(nf, &cp, NULL);
    for (k = 0; k < sizeof spans / sizeof spans[0]; k++) {
        double mf[N], x[64];
        size_t n_flag = 0, n_range = 0, n;

        for (i = 0; i < N; i++) {
            double a = gsl_rng_uniform(rng) * (3 - spans[k]);
            fwd_sounding *s;
            invnet_result r;

            n = spacings(a, spans[k], x);
            if (i % 2) { /* drop a tenth of the inner points */
                for (j = 1; j + 1 < n; j++)
                    if (j % 10 == 5)
                        memmove(x + j, x + j + 1, (n - j - 1) * sizeof *x), n--;
            }
            s = synthetic(P + i * 5, n, x, 0.03, rng);
            cr_assert_eq(invnet_invert(v, s, &r, NULL), FWD_OK);
            cr_assert(r.inverted, "span %g at %g: %s", spans[k], a,
                      invnet_flag_list(r.flags, ";", (char[128]){0}, 128));
            n_range += (r.flags & (INVNET_FLAG_OUTSIDE | INVNET_FLAG_BOUND)) != 0;
            n_flag += r.flags != 0;
            mf[i] = r.misfit_rms_pct;
            fwd_sounding_free(s);
        }
        cr_log_info("masked net, %g decades: %zu of %d range-flagged, %zu flagged at all, "
                    "median misfit %.2f %%",
                    spans[k], n_range, N, n_flag, median(mf, N));
        cr_expect_leq(n_range, N / 20, "%g decades: %zu of %d range-flagged", spans[k], n_range, N);
        cr_expect_leq(median(mf, N), 1.5 * 3.0, "%g decades: median misfit %.2f %%", spans[k],
                      median(mf, N));
    }
    invnet_inverter_free(v);
    smp_gen_free(g);
    gsl_rng_free(rng);
}

/* The parameters a sounding resolves of a 3-layer log10 model p: log10 rho_1, rho_3, and of
 * a middle layer 3 times more conductive than both neighbours its conductance h / rho, 3
 * times more resistive its transverse resistance h rho (NAN otherwise: neither resolved).
 * The type is the true model's, t (t = p for the truth itself). */
static void
resolved(const double *p, const double *t, double *q)
{
    const double c = log10(3.0);

    q[0] = p[0];
    q[1] = p[2];
    q[2] = t[1] < fmin(t[0], t[2]) - c   ? p[4] - p[1]
           : t[1] > fmax(t[0], t[2]) + c ? p[4] + p[1]
                                         : NAN;
}

/* The median of the finite values of v[n]. */
static double
median_finite(const double *v, size_t n)
{
    double w[256];
    size_t i, m = 0;

    for (i = 0; i < n && m < 256; i++)
        if (isfinite(v[i]))
            w[m++] = v[i];
    cr_assert_gt(m, 10, "too few values for a median: %zu", m);
    return median(w, m);
}

/*
 * On a sub-span, the masked net against a net trained for that sub-span alone, on the
 * same samples there: once refined (the default answer) as accurate within 1.5 x on the
 * resolved parameters (make bench measures the 1.25 x of issue 16 on 300 soundings), and
 * the net alone within 3 x (points fed to the wrong inputs would be far off).
 */
Test(invnet_masked, as_good_as_a_dedicated_net)
{
    enum { N = 120, A = 5, B = 15, NS = B - A + 1 };
    invnet_check_params cp = invnet_check_default();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    static double P[N * 5], C[N * NS], Z[N * NS], err[4][3][N];
    const char *what[4] = {"masked, refined", "dedicated, refined", "masked alone",
                           "dedicated alone"};
    double x[NS], med[4][3], q[3], t[3];
    char dpath[160];
    invnet_file *ded;
    invnet_inverter *v[4];
    smp_config c;
    fwd_geom *gs;
    smp_gen *g;
    size_t i, k, j;

    train();
    for (i = 0; i < NS; i++) /* 1.58 decades inside the net's 3: 6.2 to 233 m */
        x[i] = pow(10, 3.0 * (double)(A + i) / (TST_NPTS - 1));
    tst_make_samples_at(dir, "sub.h5", 20000, 0.03, 0, NS, x, dpath);
    ded = tst_train(dpath, 25, 2, 0.1, 1);
    cr_assert(!ded->masked);
    memset(&c, 0, sizeof c);
    gs = fwd_geom_alloc(FWD_SCHLUMBERGER, NS, x, NULL, NULL);
    c.geom = gs;
    c.prior = nf->samples.prior;
    c.seed = 5;
    c.noise = 0.03;
    g = smp_gen_alloc(&c, 1, NULL);
    cr_assert_eq(smp_gen_run(g, 0, N, P, C, Z, NULL), FWD_OK);
    cp.refine_iter = 30;
    v[0] = invnet_inverter_alloc(nf, &cp, NULL);
    v[1] = invnet_inverter_alloc(ded, &cp, NULL);
    v[2] = invnet_inverter_alloc(nf, NULL, NULL);
    v[3] = invnet_inverter_alloc(ded, NULL, NULL);
    for (i = 0; i < N; i++) {
        fwd_sounding *s = tst_sounding(NS, x, Z + i * NS);

        resolved(P + i * 5, P + i * 5, t);
        for (k = 0; k < 4; k++) {
            invnet_result r;
            double lp[5];

            cr_assert_eq(invnet_invert(v[k], s, &r, NULL), FWD_OK);
            cr_assert(r.inverted, "%s: sounding %zu not inverted", what[k], i);
            for (j = 0; j < 3; j++)
                lp[j] = log10(r.rho_ohmm[j]);
            lp[3] = log10(r.thick_m[0]);
            lp[4] = log10(r.thick_m[1]);
            resolved(lp, P + i * 5, q);
            for (j = 0; j < 3; j++)
                err[k][j][i] = fabs(q[j] - t[j]);
        }
        fwd_sounding_free(s);
    }
    for (k = 0; k < 4; k++) {
        for (j = 0; j < 3; j++)
            med[k][j] = median_finite(err[k][j], N);
        cr_log_info("%s: median |error| log10 rho_1 %.3f, rho_3 %.3f, S or T of a thin layer %.3f",
                    what[k], med[k][0], med[k][1], med[k][2]);
    }
    for (j = 0; j < 3; j++) {
        cr_expect_leq(med[0][j], 1.5 * med[1][j] + 0.002, "refined, parameter %zu: %.3f vs %.3f", j,
                      med[0][j], med[1][j]);
        cr_expect_leq(med[2][j], 3 * med[3][j] + 0.002, "net alone, parameter %zu: %.3f vs %.3f", j,
                      med[2][j], med[3][j]);
    }
    for (k = 0; k < 4; k++)
        invnet_inverter_free(v[k]);
    invnet_file_free(ded);
    smp_gen_free(g);
    fwd_geom_free(gs);
    gsl_rng_free(rng);
}

/* Less than min_span: refused. Points beyond the net's span: flagged, not fed to the net,
 * but fitted by the refinement like the others. More points missing than training had:
 * flagged. */
Test(invnet_masked, too_short_refused_beyond_span_flagged)
{
    const double p[5] = {2, 1, 2.5, 0.7, 1.2};
    invnet_check_params cp = invnet_check_default();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    invnet_inverter *v;
    invnet_result r;
    fwd_sounding *s;
    double x[64];
    size_t n;

    nf = tst_train_masked(spath, 10, 2, 1.0);
    cp.refine_iter = 30;
    v = invnet_inverter_alloc(nf, &cp, NULL);
    n = spacings(1, 0.7, x);
    s = synthetic(p, n, x, 0, rng);
    cr_assert_eq(invnet_invert(v, s, &r, NULL), FWD_OK);
    cr_expect(!r.inverted && (r.flags & INVNET_FLAG_REFUSED), "0.7 decades were inverted");
    cr_expect_float_eq(r.span_decades, 0.7, 1e-9);
    fwd_sounding_free(s);
    /* 2 to 4 decades: the net sees 2 to 3, the fit all of it */
    n = spacings(2, 2, x);
    s = synthetic(p, n, x, 0, rng);
    cr_assert_eq(invnet_invert(v, s, &r, NULL), FWD_OK);
    cr_expect(r.inverted && (r.flags & INVNET_FLAG_EXTRAP), "flags %u", r.flags);
    cr_expect_eq(r.n_extrapolated, 8, "the 8 points beyond 1000 m");
    cr_expect_lt(r.n_observed, TST_NPTS / 2);
    /* fitted within the rule the starts stop at (1.5 x the 3 % training noise), and the 8
     * points beyond the span as closely as the rest */
    cr_expect_lt(r.misfit_rms_pct, 4.5, "the refinement fits all 17 points: %.2f %%",
                 r.misfit_rms_pct);
    {
        double beyond = 0;
        size_t k;

        for (k = 0; k < s->n; k++)
            if (s->x[k] > 1000 * (1 + 1e-9))
                beyond += pow(log(r.response[k] / s->rho_a[k]), 2);
        cr_expect_lt(100 * sqrt(beyond / 8), 4.5, "the points beyond the span miss by %.2f %%",
                     100 * sqrt(beyond / 8));
    }
    fwd_sounding_free(s);
    /* four readings at 1-2 m and one at 1000 m: 3 decades, but most of them missing, more
     * than the net was trained with: outside its training */
    {
        const double xs[5] = {1, 1.25, 1.6, 2, 1000};

        s = synthetic(p, 5, xs, 0, rng);
        cr_assert_eq(invnet_invert(v, s, &r, NULL), FWD_OK);
        cr_expect(r.inverted && (r.flags & INVNET_FLAG_OUTSIDE) && !r.in_range,
                  "%zu of %zu points observed, flags %u", r.n_observed, r.n_in_span, r.flags);
        cr_expect_eq(r.n_in_span, TST_NPTS);
        fwd_sounding_free(s);
    }
    invnet_inverter_free(v);
    gsl_rng_free(rng);
}

/*
 * Out of the prior, on part of the span: a 3000 ohm-m cover 500 m thick seen through 2
 * decades, and a spike on one reading: the envelope of the observed points flags
 * them, and the point weighing most is the spike's.
 */
Test(invnet_masked, outside_the_prior_on_part_of_the_span)
{
    const double far[5] = {3.5, 0, 0, 2.7, 2.7}; /* 3000 ohm-m, 500 m, over 1 ohm-m */
    const double p[5] = {2, 1, 2.5, 0.7, 1.2};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    invnet_inverter *v;

    train();
    v = invnet_inverter_alloc(nf, NULL, NULL);
    invnet_result r;
    fwd_sounding *s;
    double x[64];
    size_t n;

    n = spacings(1, 2, x);
    s = synthetic(far, n, x, 0, rng);
    cr_assert_eq(invnet_invert(v, s, &r, NULL), FWD_OK);
    cr_expect(r.flags & (INVNET_FLAG_OUTSIDE | INVNET_FLAG_BOUND), "far model not flagged: %u",
              r.flags);
    fwd_sounding_free(s);
    s = synthetic(p, n, x, 0, rng);
    s->rho_a[9] *= 8;
    cr_assert_eq(invnet_invert(v, s, &r, NULL), FWD_OK);
    cr_expect(r.flags & INVNET_FLAG_OUTSIDE, "spike not flagged: %u", r.flags);
    cr_expect_float_eq(log10(r.worst_x), log10(x[9]), 0.16, "worst point %g, the spike at %g",
                       r.worst_x, x[9]);
    cr_expect_gt(r.worst_share, 0.2);
    fwd_sounding_free(s);
    invnet_inverter_free(v);
    gsl_rng_free(rng);
}

/* The input a masked net is given for a partial sounding is the one it was trained with
 * (invnet_mask_input): the net's answer through invnet_invert equals the net applied by
 * hand to the standardised features of the observed points, 0 elsewhere, and the 0/1 of
 * each point, placed by the net's layout; for either layout. */
static void
partial_input(invnet_mask_layout layout)
{
    const double *xn, *im, *is;
    double d[TST_NPTS], z[TST_NPTS], in[4 * TST_NPTS + 1], raw[4 * TST_NPTS + 1], p[5];
    const double rho[3] = {50, 5, 300}, h[2] = {3, 12};
    unsigned char obs[TST_NPTS];
    invnet_inverter *v;
    invnet_work *w;
    invnet_result r;
    fwd_sounding *s;
    fwd_geom *g;
    fwd_workspace *fw;
    size_t k, ni;

    nf = tst_train_masked_as(spath, 2, 2, 1.0, layout);
    ni = invnet_net_n_in(nf->net);
    xn = fwd_geom_x(nf->geom);
    im = invnet_net_norm_const(nf->net, 0);
    is = invnet_net_norm_const(nf->net, 1);
    /* the data at net points 5..14 only (1.4 of 3 decades) */
    g = fwd_geom_alloc(FWD_SCHLUMBERGER, 10, xn + 5, NULL, NULL);
    fw = fwd_workspace_alloc(g, NULL, NULL);
    cr_assert_eq(fwd_eval(fw, 3, rho, h, d + 5, NULL), FWD_OK);
    s = tst_sounding(10, xn + 5, d + 5);
    v = invnet_inverter_alloc(nf, NULL, NULL);
    cr_assert_eq(invnet_invert(v, s, &r, NULL), FWD_OK);
    cr_assert(r.inverted && r.n_observed == 10, "%zu observed", r.n_observed);
    for (k = 0; k < TST_NPTS; k++) {
        obs[k] = k >= 5 && k < 15;
        z[k] = obs[k] ? (log10(d[k]) - im[k]) / is[k] : 12345; /* unobserved: not read */
    }
    invnet_mask_input(layout, 1, TST_NPTS, z, obs, in);
    for (k = 0; k < ni; k++) /* predict standardises: undo it */
        raw[k] = im[k] + is[k] * in[k];
    w = invnet_work_alloc(nf->net, 1, NULL);
    cr_assert_eq(invnet_net_predict(nf->net, w, 1, raw, p, NULL), FWD_OK);
    for (k = 0; k < 3; k++)
        cr_expect_float_eq(log10(r.rho_ohmm[k]), p[k], 1e-12, "rho %zu", k + 1);
    for (k = 0; k < 2; k++)
        cr_expect_float_eq(log10(r.thick_m[k]), p[3 + k], 1e-12, "h %zu", k + 1);
    invnet_work_free(w);
    invnet_inverter_free(v);
    fwd_sounding_free(s);
    fwd_workspace_free(fw);
    fwd_geom_free(g);
    invnet_file_free(nf);
    nf = NULL;
}

Test(invnet_masked, partial_input_is_the_training_layout)
{
    partial_input(INVNET_MASK_ABSOLUTE);
    partial_input(INVNET_MASK_ALIGNED);
}
