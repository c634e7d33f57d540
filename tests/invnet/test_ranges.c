/* SPDX-License-Identifier: MIT */
/*
 * test_ranges.c - the equivalent models of a sounding (invnet_ranges.h): a half-space with
 * Gaussian noise in ln rho_a, whose posterior is analytic; a thin conductive layer, known
 * by its conductance far better than by its resistivity or thickness; determinism; bad
 * parameters refused.
 */
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_method.h"
#include "invnet/invert/invnet_lm.h"
#include "invnet/invert/invnet_ranges.h"
#include "tests/invnet/helpers.h"

/* n AB/2 log-spaced over 1..1000 m. */
static void
spacings(size_t n, double *x)
{
    size_t i;

    for (i = 0; i < n; i++)
        x[i] = pow(10, 3.0 * (double)i / (double)(n - 1));
}

/* The response of the model (rho, h) at x, times exp(noise N(0,1)) from a seeded stream. */
static fwd_sounding *
sounding(size_t nl, const double *rho, const double *h, size_t n, const double *x, double noise,
         unsigned long seed, fwd_workspace **w, fwd_geom **g)
{
    fwd_sounding *s = tst_sounding(n, x, x);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    size_t i;

    gsl_rng_set(r, seed);
    *g = fwd_geom_alloc(FWD_SCHLUMBERGER, n, x, NULL, NULL);
    *w = fwd_workspace_alloc(*g, NULL, NULL);
    cr_assert_not_null(*w);
    cr_assert_eq(fwd_eval(*w, nl, rho, h, s->rho_a, NULL), FWD_OK);
    for (i = 0; i < n; i++)
        s->rho_a[i] *= exp(noise * gsl_ran_gaussian(r, 1));
    gsl_rng_free(r);
    return s;
}

/*
 * A half-space of 100 ohm-m seen at 20 AB/2 with 3 % noise in ln rho_a: rho_a = rho for
 * every spacing, so the posterior of log10 rho is Gaussian, mean the mean of log10 rho_a
 * and sd 0.03 / (ln 10 sqrt 20), far inside the prior 1..1000 ohm-m. The sampled 5, 50 and
 * 95 % agree with it within a quarter of that sd (their Monte Carlo error is about 0.08 sd
 * at the effective sample size asserted).
 */
Test(invnet_ranges, half_space_posterior_is_analytic)
{
    enum { N = 20 };
    const double rho = 100, noise = 0.03, lo = 0, hi = 3;
    double x[N], mean = 0, sd = noise / (log(10.0) * sqrt((double)N)),
                 z = gsl_cdf_ugaussian_Pinv(0.95);
    invnet_ranges_params rp = invnet_ranges_default();
    invnet_ranges out;
    fwd_workspace *w;
    fwd_geom *g;
    fwd_sounding *s;
    size_t i;

    spacings(N, x);
    s = sounding(1, &rho, NULL, N, x, noise, 3, &w, &g);
    for (i = 0; i < N; i++)
        mean += log10(s->rho_a[i]) / N;
    rp.noise_scale = 1; /* the posterior of these errors (the scale by the misfit: below) */
    cr_assert_eq(invnet_ranges_sample(w, s, 1, &mean, &lo, &hi, noise, &rp, &out, NULL), FWD_OK);
    cr_log_info("half-space: p05 %.5f p50 %.5f p95 %.5f (analytic %.5f %.5f %.5f), ESS %.0f, "
                "R-hat %.3f, acceptance %.2f, %zu evaluations",
                log10(out.rho_ohmm[0][0]), log10(out.rho_ohmm[0][1]), log10(out.rho_ohmm[0][2]),
                mean - z * sd, mean, mean + z * sd, out.ess_min, out.rhat_max, out.acceptance,
                out.evaluations);
    cr_expect_float_eq(log10(out.rho_ohmm[0][0]), mean - z * sd, 0.25 * sd);
    cr_expect_float_eq(log10(out.rho_ohmm[0][1]), mean, 0.15 * sd);
    cr_expect_float_eq(log10(out.rho_ohmm[0][2]), mean + z * sd, 0.25 * sd);
    cr_expect_geq(out.ess_min, 500);
    cr_expect_lt(out.rhat_max, 1.1);
    cr_expect_lt(out.halves_share, 0.2, "halves %.3f", out.halves_share);
    cr_expect_eq(out.n_unresolved, 0);
    cr_expect_eq(out.n_groups, 1, "one minimum: %zu groups", out.n_groups);
    /* the chains' steps, their starts and the fits from the prior (at most start_iter
     * iterations of a Jacobian and a step each), the local approximation, the depths of
     * investigation of the model and of INVNET_DOI_MODELS equivalent ones (40 bisections of
     * two models at most each) */
    cr_expect_geq(out.evaluations, rp.chains * (rp.burn + rp.steps + 1) + rp.starts);
    cr_expect_leq(out.evaluations,
                  rp.chains * (rp.burn + rp.steps + 1) + rp.starts * (3 * rp.start_iter + 4) + 2 +
                      (1 + INVNET_DOI_MODELS) * 2 * 44,
                  "%zu evaluations", out.evaluations);
    cr_expect_eq(out.n_draws, rp.draws);
    { /* the pictures' draws come from every chain: hardly two alike */
        size_t a, b, same = 0;

        for (a = 0; a < out.n_draws; a++)
            for (b = 0; b < a; b++)
                same += out.draws[a] == out.draws[b];
        cr_expect_leq(same, out.n_draws / 10, "%zu repeated draws", same);
    }
    invnet_ranges_release(&out);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/*
 * Data noisier than the errors: the half-space of above seen with 9 % noise and analysed
 * with 3 %. The best fit (log10 rho = the mean of log10 rho_a) misses by chi2 = sum of the
 * squared deviations / (0.03 / ln 10)^2, beyond chance, and the errors are scaled by
 * s = sqrt(chi2 / (N - 1)): noise_scale is that s, and the intervals are the analytic ones
 * of errors s x 3 % (within a quarter of their sd), about three times those of 3 %. Data
 * that fit better than the errors keep them (s = 1), and a scale given is used as given.
 */
Test(invnet_ranges, noisier_data_widen_the_intervals_by_their_misfit)
{
    enum { N = 20 };
    const double rho = 100, noise = 0.03, lo = 0, hi = 3, z = gsl_cdf_ugaussian_Pinv(0.95);
    double x[N], mean = 0, ss = 0, scale, sd;
    invnet_ranges_params rp = invnet_ranges_default();
    invnet_ranges out;
    fwd_workspace *w;
    fwd_geom *g;
    fwd_sounding *s;
    size_t i;

    spacings(N, x);
    s = sounding(1, &rho, NULL, N, x, 3 * noise, 3, &w, &g);
    for (i = 0; i < N; i++)
        mean += log10(s->rho_a[i]) / N;
    for (i = 0; i < N; i++)
        ss += pow(log10(s->rho_a[i]) - mean, 2);
    scale = sqrt(ss / pow(noise / log(10.0), 2) / (N - 1));
    /* beyond chance: chi2 above the 95th percentile of chi-square with N - 1 degrees */
    cr_assert_gt(ss / pow(noise / log(10.0), 2), gsl_cdf_chisq_Pinv(0.95, N - 1));
    sd = scale * noise / (log(10.0) * sqrt((double)N));
    cr_assert_gt(scale, 2, "the data are noisier than 3 %%: s %.3f", scale);
    cr_assert_eq(invnet_ranges_sample(w, s, 1, &mean, &lo, &hi, noise, &rp, &out, NULL), FWD_OK);
    cr_log_info("noisy half-space: s %.4f (expected %.4f); p05 %.5f p95 %.5f (analytic %.5f "
                "%.5f)",
                out.noise_scale, scale, log10(out.rho_ohmm[0][0]), log10(out.rho_ohmm[0][2]),
                mean - z * sd, mean + z * sd);
    cr_expect_float_eq(out.noise_scale, scale, 1e-6 * scale);
    cr_expect_float_eq(log10(out.rho_ohmm[0][0]), mean - z * sd, 0.25 * sd);
    cr_expect_float_eq(log10(out.rho_ohmm[0][2]), mean + z * sd, 0.25 * sd);
    invnet_ranges_release(&out);
    /* a scale given: the errors as they are */
    rp.noise_scale = 1;
    cr_assert_eq(invnet_ranges_sample(w, s, 1, &mean, &lo, &hi, noise, &rp, &out, NULL), FWD_OK);
    cr_expect_eq(out.noise_scale, 1);
    cr_expect_float_eq(log10(out.rho_ohmm[0][2]) - log10(out.rho_ohmm[0][0]), 2 * z * sd / scale,
                       0.25 * sd / scale);
    invnet_ranges_release(&out);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
    /* data that fit better than the errors: s = 1 */
    s = sounding(1, &rho, NULL, N, x, noise / 3, 3, &w, &g);
    rp.noise_scale = 0;
    mean = 2;
    cr_assert_eq(invnet_ranges_sample(w, s, 1, &mean, &lo, &hi, noise, &rp, &out, NULL), FWD_OK);
    cr_expect_eq(out.noise_scale, 1);
    invnet_ranges_release(&out);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/*
 * A parameter is unresolved when the prior's bound cut its interval's tail: the half-space
 * below with its errors scaled 150 times (sigma 0.44 decades) and a bound 0.5 decades
 * below the data's level cuts 13 % of the posterior, more than the 5 % a 90 % interval
 * leaves out: its lower end then about 0.09 decades above the bound, a sixth of its lower
 * half (a whole tail cut: 0.26); 1.0 decades below, about 1 %, the end a third of a decade
 * above it, nearly half. A 50 % interval leaves out 25 %, more than the 5 % a bound 0.7
 * decades below cuts: resolved (a whole tail cut: 1.09 of its half).
 * Neither end is within 1 % of the prior's width, nor the width over 2 decades
 * (unresolved_decades) or half the prior's.
 */
Test(invnet_ranges, an_interval_cut_by_a_bound_is_unresolved)
{
    enum { N = 20 };
    const double rho = 100, noise = 0.03;
    double x[N], mean = 0, lo, hi;
    invnet_ranges_params rp = invnet_ranges_default();
    invnet_ranges out;
    fwd_workspace *w;
    fwd_geom *g;
    fwd_sounding *s;
    size_t i, k;

    spacings(N, x);
    s = sounding(1, &rho, NULL, N, x, noise, 3, &w, &g);
    for (i = 0; i < N; i++)
        mean += log10(s->rho_a[i]) / N;
    rp.noise_scale = 150;
    rp.unresolved_decades = 2;
    for (k = 0; k < 3; k++) {
        double lo_end, mid;

        lo = mean - (k == 1 ? 1.0 : k == 2 ? 0.7 : 0.5);
        hi = mean + 3;
        rp.level = k == 2 ? 50 : 90; /* a bound's 5 %, within the 25 % a 50 % one leaves */
        cr_assert_eq(invnet_ranges_sample(w, s, 1, &mean, &lo, &hi, noise, &rp, &out, NULL),
                     FWD_OK);
        lo_end = log10(out.rho_ohmm[0][0]);
        mid = log10(out.rho_ohmm[0][1]);
        cr_log_info("bound %.1f decades below: the end %.3f above it, its half %.3f", mean - lo,
                    lo_end - lo, mid - lo_end);
        cr_expect_gt(lo_end - lo, 0.01 * (hi - lo)); /* the older rules: not theirs */
        cr_expect_lt(log10(out.rho_ohmm[0][2]) - lo_end, fmin(2, 0.5 * (hi - lo)));
        cr_expect_eq(out.unresolved[0], k == 0, "bound %.1f decades below, %g %%: %d", mean - lo,
                     rp.level, out.unresolved[0]);
        invnet_ranges_release(&out);
    }
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/*
 * A parameter is unresolved when its interval spans more than a decade, however wide the
 * prior: the half-space of above with its errors scaled 150 times has a 90 % interval of
 * 2 z 150 x 0.03 / (ln 10 sqrt 20) = 1.44 decades (analytic), less than half of a prior of
 * 6 decades, unresolved at unresolved_decades 1 and not at 2. At 3 times the errors
 * (0.03 decades), resolved.
 */
Test(invnet_ranges, a_decade_wide_interval_is_unresolved)
{
    enum { N = 20 };
    const double rho = 100, noise = 0.03, lo = -1, hi = 5, z = gsl_cdf_ugaussian_Pinv(0.95);
    double x[N], mean = 0, width = 2 * z * 150 * noise / (log(10.0) * sqrt((double)N));
    invnet_ranges_params rp = invnet_ranges_default();
    invnet_ranges out;
    fwd_workspace *w;
    fwd_geom *g;
    fwd_sounding *s;
    size_t i;

    spacings(N, x);
    s = sounding(1, &rho, NULL, N, x, noise, 3, &w, &g);
    for (i = 0; i < N; i++)
        mean += log10(s->rho_a[i]) / N;
    cr_assert(width > 1 && width < 0.5 * (hi - lo), "width %.3f", width);
    rp.noise_scale = 150;
    cr_assert_eq(invnet_ranges_sample(w, s, 1, &mean, &lo, &hi, noise, &rp, &out, NULL), FWD_OK);
    cr_log_info("wide half-space: 90 %% width %.3f decades (analytic %.3f)",
                log10(out.rho_ohmm[0][2] / out.rho_ohmm[0][0]), width);
    cr_expect_float_eq(log10(out.rho_ohmm[0][2] / out.rho_ohmm[0][0]), width, 0.15 * width);
    cr_expect_eq(out.unresolved[0], 1);
    cr_expect_eq(out.n_unresolved, 1);
    invnet_ranges_release(&out);
    rp.unresolved_decades = 2;
    cr_assert_eq(invnet_ranges_sample(w, s, 1, &mean, &lo, &hi, noise, &rp, &out, NULL), FWD_OK);
    cr_expect_eq(out.unresolved[0], 0);
    invnet_ranges_release(&out);
    rp.unresolved_decades = 1;
    rp.noise_scale = 3;
    cr_assert_eq(invnet_ranges_sample(w, s, 1, &mean, &lo, &hi, noise, &rp, &out, NULL), FWD_OK);
    cr_expect_eq(out.unresolved[0], 0);
    invnet_ranges_release(&out);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/* The thin conductor of two tests: 100 / 5 / 1000 ohm-m, 10 and 2 m, at n AB/2 over
 * 1-1000 m (into x) with 2 % noise; its log10 parameters into p. */
static fwd_sounding *
thin_conductor(size_t n, double *x, double *p, fwd_workspace **w, fwd_geom **g)
{
    const double rho[3] = {100, 5, 1000}, h[2] = {10, 2};
    size_t j;

    spacings(n, x);
    for (j = 0; j < 3; j++)
        p[j] = log10(rho[j]);
    p[3] = log10(h[0]);
    p[4] = log10(h[1]);
    return sounding(3, rho, h, n, x, 0.02, 5, w, g);
}

/*
 * A thin conductive layer (2 m of 5 ohm-m under 10 m of 100, over 1000 ohm-m) seen with 2 %
 * noise: its conductance h / rho is known to a fraction of the interval of its resistivity
 * or thickness (the equivalence of H-type curves), the truth lies inside the intervals of
 * the resolved quantities, and the top layer is resolved.
 */
Test(invnet_ranges, thin_conductor_known_by_its_conductance)
{
    enum { N = 30 };
    const double noise = 0.02; /* thin_conductor()'s */
    const double lo[5] = {0, 0, 0, -0.3, -0.3}, hi[5] = {3.5, 3.5, 3.5, 2, 2};
    double x[N], p[5], ws, wr, wh;
    invnet_ranges out;
    fwd_workspace *w;
    fwd_geom *g;
    fwd_sounding *s;
    size_t j;

    s = thin_conductor(N, x, p, &w, &g);
    cr_assert_eq(invnet_ranges_sample(w, s, 3, p, lo, hi, noise, NULL, &out, NULL), FWD_OK);
    ws = log10(out.conductance_s[1][2] / out.conductance_s[1][0]);
    wr = log10(out.rho_ohmm[1][2] / out.rho_ohmm[1][0]);
    wh = log10(out.thick_m[1][2] / out.thick_m[1][0]);
    cr_log_info("thin conductor: 90 %% widths, decades: S %.3f, rho_2 %.3f, h_2 %.3f; S %.3g "
                "[%.3g, %.3g] (true 0.4); ESS %.0f, R-hat %.3f, acceptance %.2f, %zu unresolved",
                ws, wr, wh, out.conductance_s[1][1], out.conductance_s[1][0],
                out.conductance_s[1][2], out.ess_min, out.rhat_max, out.acceptance,
                out.n_unresolved);
    cr_expect_lt(ws, 0.35 * fmin(wr, wh), "S %.3f, rho_2 %.3f, h_2 %.3f decades", ws, wr, wh);
    cr_expect(out.conductance_s[1][0] < 0.4 && out.conductance_s[1][2] > 0.4);
    /* rho_1 to about the noise (2 %): within 0.02 decades of the truth */
    cr_expect_float_eq(log10(out.rho_ohmm[0][1]), 2, 0.02, "rho_1 %.4g [%.4g, %.4g]",
                       out.rho_ohmm[0][1], out.rho_ohmm[0][0], out.rho_ohmm[0][2]);
    cr_expect_lt(log10(out.rho_ohmm[0][2] / out.rho_ohmm[0][0]), 0.05);
    cr_expect(out.rho_ohmm[2][0] < 1000 && out.rho_ohmm[2][2] > 1000);
    cr_expect(out.depth_m[0][0] < 10 && out.depth_m[0][2] > 10);
    cr_expect(!out.unresolved[0], "rho_1 is resolved");
    cr_expect(out.unresolved[1] || out.unresolved[4], "rho_2 or h_2 alone is not");
    /* the envelope: above every model's first interface rho_1's interval, below every
     * deepest one the half-space's, bit for bit (the same values, the same percentiles);
     * the conductance down to 30 m (the truth's 10 / 100 + 2 / 5 + 18 / 1000 = 0.518 S)
     * inside its interval and resolved as well as S_2 is */
    cr_assert_eq(out.n_envelope, INVNET_ENVELOPE_DEPTHS);
    cr_expect(memcmp(out.envelope_rho_ohmm[0], out.rho_ohmm[0], sizeof(invnet_interval)) == 0);
    cr_expect(memcmp(out.envelope_rho_ohmm[INVNET_ENVELOPE_DEPTHS - 1], out.rho_ohmm[2],
                     sizeof(invnet_interval)) == 0);
    cr_expect_lt(out.envelope_depth_m[0], out.depth_m[0][0]);
    cr_expect_gt(out.envelope_depth_m[INVNET_ENVELOPE_DEPTHS - 1], out.depth_m[1][2]);
    for (j = 0; j < INVNET_ENVELOPE_DEPTHS && out.envelope_depth_m[j] < 30; j++)
        ;
    {
        const double *c = out.envelope_conductance_s[j], z = out.envelope_depth_m[j];
        double truth = 10 / 100.0 + 2 / 5.0 + (z - 12) / 1000;

        cr_log_info("conductance to %.3g m: %.3g [%.3g, %.3g] S (true %.3g)", z, c[1], c[0], c[2],
                    truth);
        cr_expect(c[0] < truth && c[2] > truth, "S to %g m: [%g, %g], true %g", z, c[0], c[2],
                  truth);
        cr_expect_lt(log10(c[2] / c[0]), 1.5 * ws);
    }
    invnet_ranges_release(&out);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/*
 * A borehole's parameters held: the thin conductor above with rho_2 fixed at its 5 ohm-m (a
 * box of no width) gives h_2 to about the width of its conductance (S = h_2 / 5), rho_2 held
 * there in every model and never unresolved; its base fixed at 12 m, every model's h_1 + h_2
 * is 12 m; bounded to 11-13 m, within. Bad holds refused.
 */
Test(invnet_ranges, a_borehole_holds_the_equivalent_models)
{
    enum { N = 30 };
    const double noise = 0.02; /* thin_conductor()'s */
    double lo[5] = {0, 0, 0, -0.3, -0.3}, hi[5] = {3.5, 3.5, 3.5, 2, 2};
    double x[N], p[5];
    invnet_ranges_params rp = invnet_ranges_default();
    invnet_ranges out;
    fwd_workspace *w;
    fwd_geom *g;
    fwd_sounding *s;
    fwd_error err;
    size_t d, k;

    s = thin_conductor(N, x, p, &w, &g);
    lo[1] = hi[1] = log10(5);
    rp.held[1] = 1;
    cr_assert_eq(invnet_ranges_sample(w, s, 3, p, lo, hi, noise, &rp, &out, &err), FWD_OK, "%s",
                 err.msg);
    cr_log_info("rho_2 held at 5: h_2 %.3g [%.3g, %.3g], S_2 [%.3g, %.3g], %zu unresolved",
                out.thick_m[1][1], out.thick_m[1][0], out.thick_m[1][2], out.conductance_s[1][0],
                out.conductance_s[1][2], out.n_unresolved);
    for (d = 0; d < 3; d++)
        cr_expect_float_eq(out.rho_ohmm[1][d], 5, 1e-12);
    for (d = 0; d < out.n_draws; d++)
        cr_expect_eq(out.draws[d * 5 + 1], log10(5));
    cr_expect(out.thick_m[1][0] < 2 && out.thick_m[1][2] > 2);
    cr_expect_float_eq(log10(out.thick_m[1][2] / out.thick_m[1][0]),
                       log10(out.conductance_s[1][2] / out.conductance_s[1][0]), 1e-3);
    cr_expect_lt(log10(out.thick_m[1][2] / out.thick_m[1][0]), 0.1);
    cr_expect(!out.unresolved[1] && !out.unresolved[4]);
    invnet_ranges_release(&out);

    lo[1] = 0;
    hi[1] = 3.5;
    rp.held[1] = 0;
    for (k = 0; k < 2; k++) { /* the base of layer 2 at 12 m; then within 11-13 m */
        rp.n_depth = 1;
        rp.depth_layer[0] = 2;
        rp.depth_lo[0] = log10(k == 0 ? 12 : 11);
        rp.depth_hi[0] = log10(k == 0 ? 12 : 13);
        cr_assert_eq(invnet_ranges_sample(w, s, 3, p, lo, hi, noise, &rp, &out, &err), FWD_OK, "%s",
                     err.msg);
        cr_log_info("base of layer 2 %s: depth %.4g [%.4g, %.4g], h_2 [%.3g, %.3g]",
                    k == 0 ? "at 12 m" : "in 11-13 m", out.depth_m[1][1], out.depth_m[1][0],
                    out.depth_m[1][2], out.thick_m[1][0], out.thick_m[1][2]);
        cr_assert_gt(out.n_draws, 20);
        for (d = 0; d < out.n_draws; d++) {
            double z = pow(10, out.draws[d * 5 + 3]) + pow(10, out.draws[d * 5 + 4]);

            if (k == 0)
                cr_expect_float_eq(z, 12, 1e-7, "model %zu: base at %.9g m", d, z);
            else
                cr_expect(z >= 11 * (1 - 1e-9) && z <= 13 * (1 + 1e-9), "model %zu: %g m", d, z);
        }
        if (k == 0)
            for (d = 0; d < 3; d++)
                cr_expect_float_eq(out.depth_m[1][d], 12, 1e-7);
        invnet_ranges_release(&out);
    }
    /* h_2 fixed too, at its 2 m: the base at 12 m now sets h_1 (10 m in every model) */
    rp.depth_lo[0] = rp.depth_hi[0] = log10(12);
    lo[4] = hi[4] = log10(2);
    cr_assert_eq(invnet_ranges_sample(w, s, 3, p, lo, hi, noise, &rp, &out, &err), FWD_OK, "%s",
                 err.msg);
    for (d = 0; d < 3; d++) {
        cr_expect_float_eq(out.thick_m[0][d], 10, 1e-7, "h_1 %g", out.thick_m[0][d]);
        cr_expect_float_eq(out.thick_m[1][d], 2, 1e-12);
    }
    cr_expect(!out.unresolved[3] && !out.unresolved[4], "h_1 and h_2 are held");
    invnet_ranges_release(&out);
    lo[4] = -0.3;
    hi[4] = 2;
    /* fewer data than parameters, but as many as the free ones: 4 readings, 5 parameters,
     * rho_1 fixed */
    {
        fwd_sounding *s4 = tst_sounding(4, x, s->rho_a);
        fwd_geom *g4 = fwd_geom_alloc(FWD_SCHLUMBERGER, 4, x, NULL, NULL);
        fwd_workspace *w4 = fwd_workspace_alloc(g4, NULL, NULL);
        invnet_ranges_params r4 = invnet_ranges_default();

        cr_expect_eq(invnet_ranges_sample(w4, s4, 3, p, lo, hi, noise, &r4, &out, &err),
                     FWD_EINVAL);
        cr_expect(strstr(err.msg, "4 data cannot determine 5 parameters") != NULL, "%s", err.msg);
        lo[0] = hi[0] = p[0];
        r4.held[0] = 1;
        cr_expect_eq(invnet_ranges_sample(w4, s4, 3, p, lo, hi, noise, &r4, &out, &err), FWD_OK,
                     "%s", err.msg);
        invnet_ranges_release(&out);
        lo[0] = 0;
        hi[0] = 3.5;
        fwd_sounding_free(s4);
        fwd_workspace_free(w4);
        fwd_geom_free(g4);
    }
    rp.depth_layer[0] = 3; /* the half-space has no base */
    cr_expect_eq(invnet_ranges_sample(w, s, 3, p, lo, hi, noise, &rp, &out, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "a depth held below layer 3 of 3") != NULL, "%s", err.msg);
    rp.depth_layer[0] = 0;
    cr_expect_eq(invnet_ranges_check(&rp, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "depth 1 held: expected the bottom of a layer") != NULL, "%s",
              err.msg);
    rp.n_depth = 0;
    lo[2] = 3;
    hi[2] = 2;
    cr_expect_eq(invnet_ranges_sample(w, s, 3, p, lo, hi, noise, &rp, &out, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "parameter 3: bounds 3 > 2") != NULL, "%s", err.msg);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/* The resistivity at depth z of the model p (nl layers, log10), its conductance (S) and
 * transverse resistance (T) from the surface to z by the midpoint rule on 20,000 steps:
 * the test's own reckoning, not the library's sums of whole layers. */
static void
at_depth(const double *p, size_t nl, double z, double *rho, double *S, double *T)
{
    const size_t steps = 20000;
    double dz = z / (double)steps;
    size_t i, k;

    *S = *T = 0;
    for (i = 0; i <= steps; i++) {
        double zi = i < steps ? (i + 0.5) * dz : z, top = 0, r = 0;

        for (k = 0; k < nl; k++) {
            r = pow(10, p[k]);
            if (k + 1 == nl || zi < (top += pow(10, p[nl + k])))
                break;
        }
        if (i < steps) {
            *S += dz / r;
            *T += dz * r;
        } else {
            *rho = r;
        }
    }
}

/*
 * The envelope of a set of one's own (200 random 3-layer models) against the test's own
 * reckoning: at each of several depths, each model's resistivity, S and T there (at_depth),
 * sorted, their percentiles as GSL takes them from sorted data; the depths log-spaced from
 * half the shallowest first interface to twice the deepest base. One layer: none; bad
 * parameters refused by name.
 */
Test(invnet_ranges, envelope_is_each_depths_percentiles)
{
    enum { N = 200, NL = 3, NP = 5 };
    const size_t at[5] = {0, 9, 30, 47, INVNET_ENVELOPE_DEPTHS - 1};
    double S[N * NP], v[3][N], zmin = INFINITY, zmax = 0;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    invnet_ranges out;
    fwd_error err;
    size_t i, j, q;

    gsl_rng_set(r, 11);
    for (i = 0; i < N * NP; i++)
        S[i] = i % NP < NL ? 3 * gsl_rng_uniform(r) : 2 * gsl_rng_uniform(r) - 0.5;
    for (i = 0; i < N; i++) {
        zmin = fmin(zmin, pow(10, S[i * NP + 3]));
        zmax = fmax(zmax, pow(10, S[i * NP + 3]) + pow(10, S[i * NP + 4]));
    }
    memset(&out, 0, sizeof out);
    cr_assert_eq(invnet_ranges_envelope(S, N, NL, 80, 0, &out, &err), FWD_OK);
    cr_assert_eq(out.n_envelope, INVNET_ENVELOPE_DEPTHS);
    cr_expect_float_eq(out.envelope_depth_m[0], zmin / 2, 1e-12 * zmin);
    cr_expect_float_eq(out.envelope_depth_m[INVNET_ENVELOPE_DEPTHS - 1], 2 * zmax, 1e-12 * zmax);
    for (j = 1; j + 1 < INVNET_ENVELOPE_DEPTHS; j++) /* log-spaced */
        cr_expect_float_eq(out.envelope_depth_m[j] * out.envelope_depth_m[j],
                           out.envelope_depth_m[j - 1] * out.envelope_depth_m[j + 1],
                           1e-10 * pow(out.envelope_depth_m[j], 2));
    for (j = 0; j < 5; j++) {
        double z = out.envelope_depth_m[at[j]], f[3] = {0.1, 0.5, 0.9};
        const double *got[3] = {out.envelope_rho_ohmm[at[j]], out.envelope_conductance_s[at[j]],
                                out.envelope_transverse_ohmm2[at[j]]};

        for (i = 0; i < N; i++) {
            at_depth(S + i * NP, NL, z, &v[0][i], &v[1][i], &v[2][i]);
            v[0][i] = log10(v[0][i]);
        }
        for (q = 0; q < 3; q++) {
            size_t e;

            gsl_sort(v[q], 1, N);
            for (e = 0; e < 3; e++) {
                double want = gsl_stats_quantile_from_sorted_data(v[q], 1, N, f[e]);

                if (q == 0)
                    want = pow(10, want);
                cr_expect(fabs(got[q][e] - want) <= 1e-3 * want,
                          "depth %g m, quantity %zu, percentile %g: %.6g, expected %.6g", z, q,
                          100 * f[e], got[q][e], want);
            }
        }
    }
    /* a chain's repeats (each model kept 1 to 9 times in a row, as a chain that stays put
     * keeps its state): the distinct states counted give the bits of the same states laid
     * out with no two alike in a row, which are selected among all */
    {
        double *rep = malloc(9 * N * NP * sizeof *rep), *mix = malloc(9 * N * NP * sizeof *mix);
        invnet_ranges a, b;
        size_t n = 0, m, c, t;

        cr_assert(rep != NULL && mix != NULL);
        for (i = 0; i < N; i++)
            for (c = 1 + gsl_rng_uniform_int(r, 9); c > 0; c--)
                memcpy(rep + n++ * NP, S + i * NP, NP * sizeof *S);
        for (t = 0, m = 0; t < 9; t++) /* the same states, every model's copies apart */
            for (i = 0; i < n; i++)
                if (i % 9 == t)
                    memcpy(mix + m++ * NP, rep + i * NP, NP * sizeof *S);
        for (i = 1, c = 1; i < n; i++) /* runs of one state: most of them, so selected */
            c += memcmp(mix + i * NP, mix + (i - 1) * NP, NP * sizeof *S) != 0;
        cr_assert_gt(2 * c, n, "%zu runs of %zu states", c, n);
        cr_assert_eq(invnet_ranges_envelope(rep, n, NL, 90, 0, &a, &err), FWD_OK);
        cr_assert_eq(invnet_ranges_envelope(mix, n, NL, 90, 0, &b, &err), FWD_OK);
        cr_expect(memcmp(a.envelope_depth_m, b.envelope_depth_m, sizeof a.envelope_depth_m) == 0);
        cr_expect(memcmp(a.envelope_rho_ohmm, b.envelope_rho_ohmm, sizeof a.envelope_rho_ohmm) ==
                  0);
        cr_expect(memcmp(a.envelope_conductance_s, b.envelope_conductance_s,
                         sizeof a.envelope_conductance_s) == 0);
        cr_expect(memcmp(a.envelope_transverse_ohmm2, b.envelope_transverse_ohmm2,
                         sizeof a.envelope_transverse_ohmm2) == 0);
        free(rep);
        free(mix);
    }
    /* down to a depth asked for (a depth of investigation below every base): the last
     * depth is it, its S the test's own */
    cr_assert_eq(invnet_ranges_envelope(S, N, NL, 80, 50 * zmax, &out, &err), FWD_OK);
    cr_expect_float_eq(out.envelope_depth_m[INVNET_ENVELOPE_DEPTHS - 1], 50 * zmax, 1e-9 * zmax);
    cr_expect_float_eq(out.envelope_depth_m[0], zmin / 2, 1e-12 * zmin);
    for (i = 0; i < N; i++)
        at_depth(S + i * NP, NL, 50 * zmax, &v[0][i], &v[1][i], &v[2][i]);
    gsl_sort(v[1], 1, N);
    {
        double want = gsl_stats_quantile_from_sorted_data(v[1], 1, N, 0.5);

        cr_expect(fabs(out.envelope_conductance_s[INVNET_ENVELOPE_DEPTHS - 1][1] - want) <=
                      1e-3 * want,
                  "S at %g m: %g, expected %g", 50 * zmax,
                  out.envelope_conductance_s[INVNET_ENVELOPE_DEPTHS - 1][1], want);
    }
    cr_expect_eq(invnet_ranges_envelope(S, N, NL, 80, NAN, &out, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "deepest nan m (expected 0 or more)") != NULL, "%s", err.msg);
    /* one layer: no envelope, the rest untouched; bad parameters named */
    out.n_envelope = 7;
    out.doi_m = 5;
    cr_expect_eq(invnet_ranges_envelope(S, N, 1, 90, 0, &out, &err), FWD_OK);
    cr_expect_eq(out.n_envelope, 0);
    cr_expect_eq(out.doi_m, 5);
    S[7] = NAN;
    cr_expect_eq(invnet_ranges_envelope(S, N, NL, 90, 0, &out, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "model 2, parameter 3: expected a log10 value from -30 to 30, "
                              "found nan") != NULL,
              "%s", err.msg);
    S[7] = 1;
    cr_expect_eq(invnet_ranges_envelope(S, N, NL, 100, 0, &out, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "level 100 %") != NULL, "%s", err.msg);
    cr_expect_eq(invnet_ranges_envelope(S, N, 0, 90, 0, &out, &err), FWD_EINVAL);
    gsl_rng_free(r);
}

/*
 * Started from a model far from the data (every parameter 1.5 decades off), the fits from
 * the prior find the real group: the intervals hold the truth and are narrow. With no fits
 * from the prior (starts 0) the chains stay near the wrong model and miss it.
 */
Test(invnet_ranges, a_wrong_start_is_left_for_the_real_group)
{
    enum { N = 25 };
    const double rho[2] = {20, 200}, h[1] = {8}, noise = 0.02;
    const double lo[3] = {-0.5, -0.5, -0.5}, hi[3] = {3.5, 3.5, 2.5};
    double x[N], p[3] = {log10(20) + 1.5, log10(200) - 1.5, log10(8) + 1.5};
    invnet_ranges out;
    fwd_workspace *w;
    fwd_geom *g;
    fwd_sounding *s;
    size_t j;

    invnet_ranges_params rp = invnet_ranges_default();
    size_t missed = 0;

    spacings(N, x);
    s = sounding(2, rho, h, N, x, noise, 11, &w, &g);
    /* without the fits from the prior, the chains stay near the wrong start (the errors as
     * given: scaled by the misfit of that start, the intervals would span the prior) */
    rp.starts = 0;
    rp.noise_scale = 1;
    cr_assert_eq(invnet_ranges_sample(w, s, 2, p, lo, hi, noise, &rp, &out, NULL), FWD_OK);
    for (j = 0; j < 3; j++) {
        const double *iv = j < 2 ? out.rho_ohmm[j] : out.thick_m[0];
        double t = j < 2 ? rho[j] : h[0];

        missed += !(iv[0] < t && t < iv[2]);
    }
    cr_expect_geq(missed, 2, "with no fits from the prior, %zu of 3 intervals miss", missed);
    invnet_ranges_release(&out);
    cr_assert_eq(invnet_ranges_sample(w, s, 2, p, lo, hi, noise, NULL, &out, NULL), FWD_OK);
    for (j = 0; j < 3; j++) {
        const double *iv = j < 2 ? out.rho_ohmm[j] : out.thick_m[0];
        double t = j < 2 ? rho[j] : h[0];

        cr_log_info("parameter %zu: %.4g [%.4g, %.4g], true %g", j, iv[1], iv[0], iv[2], t);
        cr_expect(iv[0] < t && t < iv[2], "parameter %zu: [%g, %g], true %g", j, iv[0], iv[2], t);
        cr_expect_lt(log10(iv[2] / iv[0]), 0.15, "parameter %zu: [%g, %g]", j, iv[0], iv[2]);
    }
    invnet_ranges_release(&out);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/*
 * The depth of investigation is the array's, not the count of its readings': a half-space
 * of 100 ohm-m seen at 8, 30, 100 and 300 AB/2 over 1-100 m (3 % noise, exact data) gives
 * the same depth to 5 %, as readings denser than 10 a decade count as 10 a decade (the
 * chi2 summed over every reading gave 110, 122, 147 and 175 m).
 */
Test(invnet_ranges, depth_of_investigation_is_the_arrays)
{
    const size_t n[4] = {8, 30, 100, 300};
    const double rho = 100, noise = 0.03, lo = -1, hi = 5;
    double x[300], d[4], p = 2;
    size_t k, i;

    for (k = 0; k < 4; k++) {
        invnet_ranges_params rp = invnet_ranges_default();
        invnet_ranges out;
        fwd_workspace *w;
        fwd_geom *g;
        fwd_sounding *s;

        for (i = 0; i < n[k]; i++)
            x[i] = pow(10, 2.0 * (double)i / (double)(n[k] - 1));
        s = sounding(1, &rho, NULL, n[k], x, 0, 1, &w, &g);
        rp.starts = 4; /* one group: the half-space */
        cr_assert_eq(invnet_ranges_sample(w, s, 1, &p, &lo, &hi, noise, &rp, &out, NULL), FWD_OK);
        d[k] = out.doi_m;
        invnet_ranges_release(&out);
        fwd_sounding_free(s);
        fwd_workspace_free(w);
        fwd_geom_free(g);
    }
    cr_log_info("half-space, AB/2 1-100 m: depth of investigation %.4g, %.4g, %.4g, %.4g m for "
                "8, 30, 100, 300 readings",
                d[0], d[1], d[2], d[3]);
    { /* without the sampling (for plots): the same depth, from the same model */
        double dd;
        fwd_workspace *w;
        fwd_geom *g;
        fwd_sounding *s;
        fwd_error err;

        for (i = 0; i < 30; i++)
            x[i] = pow(10, 2.0 * (double)i / 29.0);
        s = sounding(1, &rho, NULL, 30, x, 0, 1, &w, &g);
        cr_assert_eq(invnet_ranges_doi(w, s, 1, &p, noise, 0, 90, &dd, NULL), FWD_OK);
        cr_expect_float_eq(dd, d[1], 1e-9 * d[1], "%g m against the ranges' %g m", dd, d[1]);
        cr_expect_eq(invnet_ranges_doi(w, s, 1, &p, noise, 0, 100, &dd, &err), FWD_EINVAL);
        cr_expect(isnan(dd) && strstr(err.msg, "level 100") != NULL, "%s", err.msg);
        fwd_sounding_free(s);
        fwd_workspace_free(w);
        fwd_geom_free(g);
    }
    for (k = 1; k < 4; k++)
        cr_expect_float_eq(d[k] / d[0], 1, 0.05, "%zu readings: %g m, 8 readings: %g m", n[k], d[k],
                           d[0]);
}

/*
 * The depth of investigation across the equivalent models: the interval of that of
 * INVNET_DOI_MODELS of them, the i-th of N at i N / INVNET_DOI_MODELS, recomputed one by
 * one with invnet_ranges_doi at the ranges' noise scale (every kept state is a draw when
 * draws allow them all).
 */
Test(invnet_ranges, depth_of_investigation_across_equivalent_models)
{
    enum { N = 24 };
    const double rho[3] = {100, 10, 1000}, h[2] = {5, 20}, noise = 0.03;
    const double lo[5] = {-0.5, -0.5, -0.5, -1, -1}, hi[5] = {4, 4, 4, 3, 3};
    double x[N], p[5] = {2, 1, 3, log10(5), log10(20)}, d[INVNET_DOI_MODELS], iv[3];
    invnet_ranges_params rp = invnet_ranges_default();
    invnet_ranges out;
    fwd_workspace *w;
    fwd_geom *g;
    fwd_sounding *s;
    size_t n, m, k = 0;

    spacings(N, x);
    s = sounding(3, rho, h, N, x, noise, 5, &w, &g);
    rp.draws = 100000;
    cr_assert_eq(invnet_ranges_sample(w, s, 3, p, lo, hi, noise, &rp, &out, NULL), FWD_OK);
    cr_assert_eq(out.n_draws, out.n_fit, "every kept state a draw");
    n = out.n_draws < INVNET_DOI_MODELS ? out.n_draws : INVNET_DOI_MODELS;
    cr_assert_geq(n, 2);
    for (m = 0; m < n; m++) {
        double dd;

        cr_assert_eq(invnet_ranges_doi(w, s, 3, out.draws + (m * out.n_draws / n) * 5, noise,
                                       out.noise_scale, out.level, &dd, NULL),
                     FWD_OK);
        if (isfinite(dd))
            d[k++] = dd;
    }
    cr_assert_geq(k, 2);
    gsl_sort(d, 1, k);
    iv[0] = gsl_stats_quantile_from_sorted_data(d, 1, k, (100 - out.level) / 200);
    iv[1] = gsl_stats_quantile_from_sorted_data(d, 1, k, 0.5);
    iv[2] = gsl_stats_quantile_from_sorted_data(d, 1, k, (100 + out.level) / 200);
    cr_log_info("depth of investigation: model %.4g m, across %zu models %.4g [%.4g, %.4g] m",
                out.doi_m, k, out.doi_interval_m[1], out.doi_interval_m[0], out.doi_interval_m[2]);
    for (m = 0; m < 3; m++)
        cr_expect_float_eq(out.doi_interval_m[m], iv[m], 1e-12 * iv[m], "end %zu: %g against %g", m,
                           out.doi_interval_m[m], iv[m]);
    cr_expect(iv[0] < iv[1] && iv[1] < iv[2], "models of one depth: %g, %g, %g", iv[0], iv[1],
              iv[2]);
    /* a noise scale below 1 is refused */
    cr_expect_eq(invnet_ranges_doi(w, s, 3, p, noise, 0.5, 90, &d[0], NULL), FWD_EINVAL);
    invnet_ranges_release(&out);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/*
 * The depth of investigation follows the scaling laws of the physics. A Schlumberger
 * response depends on lengths only through their ratios, so the same layered earth and
 * spacings, all ten times larger, are seen ten times deeper; an MT response over a
 * half-space depends on depth / sqrt(rho T), so a half-space four times more resistive is
 * seen twice as deep. Exact but for the bisection's 1 % (and the Hankel filter's sampling
 * in the DC case).
 */
Test(invnet_ranges, depth_of_investigation_scales_as_the_physics)
{
    enum { N = 20 };
    double x[N], x10[N], lo = -1, hi = 5, d[2];
    const double noise = 0.03;
    fwd_workspace *w;
    fwd_geom *g;
    fwd_sounding *s;
    size_t i, k;

    spacings(N, x);
    for (i = 0; i < N; i++)
        x10[i] = x[i] / 10; /* 0.1..100 m, then 1..1000 m */
    for (k = 0; k < 2; k++) {
        /* 3 layers: 50 ohm-m, 200 ohm-m, 20 ohm-m under 2 and 6 m (then 20 and 60 m) */
        const double rho[3] = {50, 200, 20}, th[2] = {k == 0 ? 2 : 20, k == 0 ? 6 : 60};
        double pr[5] = {log10(50), log10(200), log10(20), log10(th[0]), log10(th[1])};
        const double lo5[5] = {lo, lo, lo, lo, lo}, hi5[5] = {hi, hi, hi, hi, hi};
        invnet_ranges out;

        s = sounding(3, rho, th, N, k == 0 ? x10 : x, 0, 1, &w, &g);
        cr_assert_eq(invnet_ranges_sample(w, s, 3, pr, lo5, hi5, noise, NULL, &out, NULL), FWD_OK);
        d[k] = out.doi_m;
        invnet_ranges_release(&out);
        fwd_sounding_free(s);
        fwd_workspace_free(w);
        fwd_geom_free(g);
    }
    cr_log_info("DC depth of investigation: %.4g m (AB/2 to 100 m), %.4g m (to 1000 m)", d[0],
                d[1]);
    /* below the layers (8 m), of the order of the largest AB/2 (100 m) */
    cr_expect(d[0] > 8 && d[0] < 200, "%g m", d[0]);
    cr_expect_float_eq(d[1] / d[0], 10, 0.3, "ratio %g", d[1] / d[0]);
    /* MT: periods 1e-3..1e2 s over 100 and 400 ohm-m */
    for (k = 0; k < 2; k++) {
        double rho = k == 0 ? 100 : 400, pr = log10(rho), T[N], mlo = -1, mhi = 5;
        fwd_sounding *m = calloc(1, sizeof *m);
        invnet_ranges out;

        cr_assert_not_null(m);
        for (i = 0; i < N; i++)
            T[i] = pow(10, -3 + 5.0 * (double)i / (N - 1));
        m->method = FWD_MT;
        m->n = N;
        m->x = malloc(N * sizeof(double));
        m->rho_a = malloc(2 * N * sizeof(double));
        m->line = calloc(N, sizeof(size_t));
        cr_assert(m->x != NULL && m->rho_a != NULL && m->line != NULL);
        memcpy(m->x, T, sizeof T);
        m->phase = m->rho_a + N; /* one block, as the reader lays it out */
        strcpy(m->source, "mt");
        g = fwd_geom_alloc(FWD_MT, N, T, NULL, NULL);
        w = fwd_workspace_alloc(g, NULL, NULL);
        cr_assert_eq(fwd_eval(w, 1, &rho, NULL, m->rho_a, NULL), FWD_OK);
        cr_assert_eq(invnet_ranges_sample(w, m, 1, &pr, &mlo, &mhi, noise, NULL, &out, NULL),
                     FWD_OK);
        d[k] = out.doi_m;
        invnet_ranges_release(&out);
        m->phase = NULL;
        fwd_sounding_free(m);
        fwd_workspace_free(w);
        fwd_geom_free(g);
    }
    cr_log_info("MT depth of investigation: %.4g m (100 ohm-m), %.4g m (400 ohm-m)", d[0], d[1]);
    cr_expect_float_eq(d[1] / d[0], 2, 0.05, "ratio %g", d[1] / d[0]);
}

/*
 * invnet_lm_chi2 against chi2 written out: without errors, (ln(f/d) / noise)^2, the MT
 * phase at noise / 2 radians; with errors of log10 rho_a, each raised to noise / ln 10; the
 * apparent resistivities given apart (joined segments) replace the sounding's.
 */
Test(invnet_ranges, chi2_as_written_out)
{
    enum { N = 6 };
    const double noise = 0.05, pd = noise / 2 * 180 / FWD_PI;
    double x[N], d[2 * N], f[2 * N], other[N], sd[N], want = 0;
    fwd_sounding *s;
    size_t i;

    for (i = 0; i < N; i++) {
        x[i] = pow(10, (double)i);
        d[i] = 100 + 10 * (double)i;
        f[i] = d[i] * (1 + 0.03 * (double)i - 0.04);
        other[i] = 2 * d[i];
        sd[i] = i % 2 ? 0.001 : 0.05; /* below and above the floor 0.0217 */
        want += pow(log(f[i] / d[i]) / noise, 2);
    }
    s = tst_sounding(N, x, d);
    cr_expect_float_eq(invnet_lm_chi2(s, NULL, f, noise), want, 1e-9 * want);
    for (i = 0, want = 0; i < N; i++)
        want += pow(log(f[i] / other[i]) / noise, 2);
    cr_expect_float_eq(invnet_lm_chi2(s, other, f, noise), want, 1e-9 * want);
    s->sd_log10 = sd;
    for (i = 0, want = 0; i < N; i++)
        want += pow(log10(f[i] / d[i]) / fmax(sd[i], noise / log(10.0)), 2);
    cr_expect_float_eq(invnet_lm_chi2(s, NULL, f, noise), want, 1e-9 * want);
    s->sd_log10 = NULL;
    /* MT: phases too */
    s->method = FWD_MT;
    s->phase = d + N;
    for (i = 0, want = 0; i < N; i++) {
        d[N + i] = 45;
        f[N + i] = 45 + (double)i;
        want += pow(log(f[i] / d[i]) / noise, 2) + pow((double)i / pd, 2);
    }
    cr_expect_float_eq(invnet_lm_chi2(s, NULL, f, noise), want, 1e-9 * want);
    s->phase = NULL;
    fwd_sounding_free(s);
}

/* The same sounding and seed: the same intervals, to the bit; another seed: others. */
Test(invnet_ranges, deterministic_per_sounding_and_seed)
{
    enum { N = 20 };
    const double rho[2] = {30, 300}, h[1] = {20}, noise = 0.03;
    const double lo[3] = {0, 0, -0.3}, hi[3] = {3, 3, 2};
    double x[N], p[3] = {log10(30), log10(300), log10(20)};
    invnet_ranges_params rp = invnet_ranges_default();
    invnet_ranges a, b, c;
    fwd_workspace *w;
    fwd_geom *g;
    fwd_sounding *s;

    spacings(N, x);
    s = sounding(2, rho, h, N, x, noise, 7, &w, &g);
    cr_assert_eq(invnet_ranges_sample(w, s, 2, p, lo, hi, noise, &rp, &a, NULL), FWD_OK);
    cr_assert_eq(invnet_ranges_sample(w, s, 2, p, lo, hi, noise, &rp, &b, NULL), FWD_OK);
    rp.seed = 2;
    cr_assert_eq(invnet_ranges_sample(w, s, 2, p, lo, hi, noise, &rp, &c, NULL), FWD_OK);
    cr_assert_eq(a.n_draws, b.n_draws);
    cr_expect_eq(memcmp(a.draws, b.draws, a.n_draws * 3 * sizeof(double)), 0);
    invnet_ranges_release(&a);
    invnet_ranges_release(&b);
    invnet_ranges_release(&c);
    cr_expect_eq(memcmp(&a, &b, sizeof a), 0);
    cr_expect_neq(memcmp(a.rho_ohmm, c.rho_ohmm, sizeof a.rho_ohmm), 0);
    /* and the two seeds agree within their Monte Carlo error: 0.05 decades here */
    cr_expect_float_eq(log10(a.rho_ohmm[1][1]), log10(c.rho_ohmm[1][1]), 0.05);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

Test(invnet_ranges, bad_parameters_refused)
{
    invnet_ranges_params p = invnet_ranges_default();
    fwd_error err;

    cr_expect_eq(invnet_ranges_check(&p, &err), FWD_OK);
    p.level = 100;
    cr_expect_eq(invnet_ranges_check(&p, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "level");
    cr_expect(strstr(err.msg, "got 100") != NULL, "%s", err.msg);
    p = invnet_ranges_default();
    p.level = NAN;
    cr_expect_eq(invnet_ranges_check(&p, &err), FWD_EINVAL);
    p = invnet_ranges_default();
    p.chains = 1;
    cr_expect_eq(invnet_ranges_check(&p, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "chains");
    p = invnet_ranges_default();
    p.steps = 10;
    cr_expect_eq(invnet_ranges_check(&p, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "steps");
    p = invnet_ranges_default();
    p.unresolved_share = 0;
    cr_expect_eq(invnet_ranges_check(&p, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "unresolved_share");
    p = invnet_ranges_default();
    p.unresolved_decades = 0;
    cr_expect_eq(invnet_ranges_check(&p, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "unresolved_decades");
    p = invnet_ranges_default();
    p.noise_scale = 0.5; /* errors are never narrowed */
    cr_expect_eq(invnet_ranges_check(&p, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "noise_scale");
    cr_expect(strstr(err.msg, "got 0.5") != NULL, "%s", err.msg);
    p.noise_scale = NAN;
    cr_expect_eq(invnet_ranges_check(&p, &err), FWD_EINVAL);
}

/* A workspace of another geometry than the sounding's is refused, not read out of bounds:
 * the fit, the ranges and the depth of investigation all compute with the workspace. */
Test(invnet_ranges, workspace_of_another_geometry_refused)
{
    double x[20], x3[3] = {1, 2, 4}, rho[2] = {100, 10}, h = 5, p[3], lo[3], hi[3], doi = 0;
    invnet_ranges_params rp = invnet_ranges_default();
    invnet_lm_params lp = invnet_lm_default();
    invnet_ranges out;
    fwd_workspace *w, *w3;
    fwd_geom *g, *g3;
    fwd_sounding *s;
    fwd_error err;
    size_t j;

    spacings(20, x);
    s = sounding(2, rho, &h, 20, x, 0.02, 7, &w, &g);
    g3 = fwd_geom_alloc(FWD_SCHLUMBERGER, 3, x3, NULL, NULL);
    w3 = fwd_workspace_alloc(g3, NULL, NULL);
    cr_assert_not_null(w3);
    fwd_model_to_log10(2, rho, &h, p);
    for (j = 0; j < 3; j++) {
        lo[j] = -1;
        hi[j] = 4;
    }
    cr_expect_eq(invnet_lm_fit(w3, s, 2, p, lo, hi, &lp, NULL, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "workspace: expected one of the sounding's geometry "
                              "(schlumberger, 20 points from 1") != NULL,
              "%s", err.msg);
    cr_expect(strstr(err.msg, "got schlumberger, 3 points from 1") != NULL, "%s", err.msg);
    cr_expect_eq(invnet_ranges_doi(w3, s, 2, p, 0.02, 1, 90, &doi, &err), FWD_EINVAL);
    cr_expect(isnan(doi));
    cr_expect_eq(invnet_ranges_sample(w3, s, 2, p, lo, hi, 0.02, &rp, &out, &err), FWD_EINVAL);
    /* its own workspace fits; the same points taken for another method do not */
    cr_expect_eq(invnet_lm_fit(w, s, 2, p, lo, hi, &lp, NULL, &err), FWD_OK, "%s", err.msg);
    s->method = FWD_WENNER;
    cr_expect_eq(invnet_lm_fit(w, s, 2, p, lo, hi, &lp, NULL, &err), FWD_EINVAL);
    s->method = FWD_SCHLUMBERGER;
    fwd_workspace_free(w3);
    fwd_geom_free(g3);
    fwd_workspace_free(w);
    fwd_geom_free(g);
    fwd_sounding_free(s);
}

/* The 13 AB/2 of three MN/2 segments, two AB/2 shared at each joint, as fwd_sounding
 * orders them (by AB/2, then MN/2): x, mn2 and each reading's segment (0, 1, 2) into seg;
 * returns the count (17). */
static size_t
segmented(double *x, double *mn2, size_t *seg)
{
    static const double ab2[13] = {1.5, 2.2, 3.2, 4.6, 6.8, 10, 15, 22, 32, 46, 68, 100, 150};
    static const size_t first[3] = {0, 3, 6}, last[3] = {4, 7, 12};
    static const double mn[3] = {0.5, 2, 10};
    size_t i, k, n = 0;

    for (i = 0; i < 13; i++)
        for (k = 0; k < 3; k++)
            if (i >= first[k] && i <= last[k]) {
                x[n] = ab2[i];
                mn2[n] = mn[k];
                seg[n++] = k;
            }
    return n;
}

/* The chi2 of the log10 model p against s with each of the segments but the first (seg[i] of
 * reading i: 0, 1, 2) at its least-squares level, computed here from the residuals at the
 * levels as given: a level e^d on a segment moves its residuals by -d times their weight. */
static double
chi2_free_levels(fwd_workspace *w, const fwd_sounding *s, const size_t *seg, const double *p,
                 const invnet_lm_params *lp)
{
    double f[32], resp[32], c = 0;
    size_t i, k;

    cr_assert(s->n <= 32);
    cr_assert_eq(invnet_lm_residuals(w, s, 3, p, lp, resp, f), FWD_OK);
    for (k = 0; k < 3; k++) {
        double a = 0, b = 0, d;

        for (i = 0; i < s->n; i++)
            if (seg[i] == k) {
                double wt = invnet_lm_point_weight(s, lp, i);

                a += f[i] * wt;
                b += wt * wt;
            }
        d = k == 0 ? 0 : a / b;
        for (i = 0; i < s->n; i++)
            if (seg[i] == k) {
                double r = f[i] - d * invnet_lm_point_weight(s, lp, i);

                c += r * r;
            }
    }
    return c;
}

/* How many of the 5 parameters of a 3-layer earth (rho, h) lie outside their intervals. */
static size_t
outside(const invnet_ranges *g, const double *rho, const double *h)
{
    size_t j, n = 0;

    for (j = 0; j < 3; j++)
        n += !(g->rho_ohmm[j][0] <= rho[j] && rho[j] <= g->rho_ohmm[j][2]);
    for (j = 0; j < 2; j++)
        n += !(g->thick_m[j][0] <= h[j] && h[j] <= g->thick_m[j][2]);
    return n;
}

/*
 * A sounding in MN/2 segments (0.5, 2 and 10 m) whose second and third segments read 1.25
 * and 0.8 times the earth's response (what lateral changes near M and N do), exact
 * otherwise, with errors of 2 to 6 % (unequal weights within each segment): with the first
 * segment's level kept and the others integrated out (segment_ref_mn2 0.5) every 90 %
 * interval holds the true earth, and rho_1 is known to the errors (the kept level fixes the
 * scale); with the levels as given (0) the shifted data pull the fit off it (errors not
 * scaled, in both). Started from the fit at the levels as given, with the noise scale from
 * the fit, the levels are fitted too: the scale stays 1. The depth of investigation is of the
 * levels as given, as invnet_ranges_doi's. With noisy data (10 %), the noise scale is that
 * of the best fit's chi2 at its least-squares levels (computed here), over n - p - 2 degrees
 * of freedom. An MN/2 that is not the sounding's is refused, naming the field.
 * invnet_lm_point_weight is the residual's change when the data are multiplied by e.
 */
Test(invnet_ranges, free_segment_levels_hold_a_shifted_segment)
{
    const double rho[3] = {100, 10, 300}, h[2] = {3, 15}, shift[3] = {1, 1.25, 0.8};
    const double lo[5] = {0, 0, 0, -0.3, -0.3}, hi[5] = {3.5, 3.5, 3.5, 2, 2};
    /* the fit of these data at the levels as given */
    const double off[5] = {2.01409, 1.11042, 2.62286, 0.470111, 1.42712};
    invnet_ranges_params rp = invnet_ranges_default();
    invnet_lm_params lp = invnet_lm_noise(0.02);
    double x[17], mn2[17], p[5], t[5], f0[17], f1[17], resp[17], exact[17], doi, c;
    size_t seg[17], n = segmented(x, mn2, seg), i, j, miss[2] = {0, 0};
    fwd_sounding *s = tst_sounding(n, x, x);
    invnet_ranges out;
    fwd_workspace *w;
    fwd_error err;
    fwd_geom *g;
    gsl_rng *r;
    int k;

    s->mn2 = malloc(n * sizeof(double));
    s->sd_log10 = malloc(n * sizeof(double));
    cr_assert(s->mn2 != NULL && s->sd_log10 != NULL);
    memcpy(s->mn2, mn2, n * sizeof(double));
    for (i = 0; i < n; i++) /* 2, 3.5 and 5.9 % in turn */
        s->sd_log10[i] = 0.0087 + 0.0065 * (double)(i % 3);
    g = fwd_sounding_geom(s, &err);
    cr_assert_not_null(g, "%s", err.msg);
    w = fwd_workspace_alloc(g, NULL, NULL);
    cr_assert_not_null(w);
    cr_assert_eq(fwd_eval(w, 3, rho, h, exact, NULL), FWD_OK);
    for (i = 0; i < n; i++)
        s->rho_a[i] = exact[i] * shift[seg[i]];
    for (j = 0; j < 3; j++)
        t[j] = log10(rho[j]);
    t[3] = log10(h[0]);
    t[4] = log10(h[1]);
    /* the weight: data times e move each residual by minus it */
    cr_assert_eq(invnet_lm_residuals(w, s, 3, t, &lp, resp, f0), FWD_OK);
    for (i = 0; i < n; i++)
        s->rho_a[i] *= exp(1.0);
    cr_assert_eq(invnet_lm_residuals(w, s, 3, t, &lp, resp, f1), FWD_OK);
    for (i = 0; i < n; i++) {
        s->rho_a[i] /= exp(1.0);
        cr_expect_float_eq(f0[i] - f1[i], invnet_lm_point_weight(s, &lp, i), 1e-9, "%zu", i);
    }
    cr_expect_float_eq(chi2_free_levels(w, s, seg, t, &lp), 0, 1e-18);
    rp.noise_scale = 1;
    for (k = 0; k < 2; k++) {
        rp.segment_ref_mn2 = k == 0 ? 0.5 : 0;
        memcpy(p, t, sizeof p);
        cr_assert_eq(invnet_ranges_sample(w, s, 3, p, lo, hi, 0.02, &rp, &out, &err), FWD_OK, "%s",
                     err.msg);
        miss[k] = outside(&out, rho, h);
        cr_log_info("levels %s: rho_1 [%.4g, %.4g], rho_2 [%.3g, %.3g], rho_3 [%.3g, %.3g], h_2 "
                    "[%.3g, %.3g]; %zu of 5 outside",
                    k == 0 ? "free" : "given", out.rho_ohmm[0][0], out.rho_ohmm[0][2],
                    out.rho_ohmm[1][0], out.rho_ohmm[1][2], out.rho_ohmm[2][0], out.rho_ohmm[2][2],
                    out.thick_m[1][0], out.thick_m[1][2], miss[k]);
        if (k == 0) {
            cr_expect_lt(log10(out.rho_ohmm[0][2] / out.rho_ohmm[0][0]), 0.05,
                         "rho_1 [%g, %g]: the kept level fixes it", out.rho_ohmm[0][0],
                         out.rho_ohmm[0][2]);
            cr_assert_eq(invnet_ranges_doi(w, s, 3, t, 0.02, 1, 90, &doi, &err), FWD_OK);
            cr_expect_eq(out.doi_m, doi, "the depth of investigation %g, alone %g", out.doi_m, doi);
        }
        invnet_ranges_release(&out);
    }
    cr_expect_eq(miss[0], 0, "levels free: %zu intervals miss the earth", miss[0]);
    cr_expect_geq(miss[1], 2, "levels as given: %zu intervals miss the earth", miss[1]);
    /* from the fit at the levels as given, the noise scale from the fit */
    rp.noise_scale = 0;
    rp.segment_ref_mn2 = 0.5;
    memcpy(p, off, sizeof p);
    cr_assert_eq(invnet_ranges_sample(w, s, 3, p, lo, hi, 0.02, &rp, &out, &err), FWD_OK);
    cr_expect_lt(out.noise_scale, 1.01, "noise scale %g on exact data", out.noise_scale);
    cr_expect_eq(outside(&out, rho, h), 0, "rho_3 [%g, %g]", out.rho_ohmm[2][0],
                 out.rho_ohmm[2][2]);
    invnet_ranges_release(&out);
    /* noisy data: the scale of the best fit at its levels, n - p - 2 degrees of freedom */
    r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    for (i = 0; i < n; i++)
        s->rho_a[i] = exact[i] * shift[seg[i]] * exp(0.1 * gsl_ran_gaussian(r, 1));
    gsl_rng_free(r);
    memcpy(p, t, sizeof p);
    cr_assert_eq(invnet_ranges_sample(w, s, 3, p, lo, hi, 0.02, &rp, &out, &err), FWD_OK);
    c = chi2_free_levels(w, s, seg, out.best, &lp);
    cr_expect_gt(out.noise_scale, 2, "noise scale %g of 10 %% noise against 2-6 %% errors",
                 out.noise_scale);
    cr_expect_float_eq(out.noise_scale * out.noise_scale * (double)(n - 5 - 2), c, 1e-9 * c,
                       "noise scale %g, chi2 at the best fit's levels %g", out.noise_scale, c);
    invnet_ranges_release(&out);
    rp.segment_ref_mn2 = 3;
    cr_expect_eq(invnet_ranges_sample(w, s, 3, t, lo, hi, 0.02, &rp, &out, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "segment_ref_mn2");
    cr_expect(strstr(err.msg, "expected an MN/2 of the sounding, got 3 m") != NULL, "%s", err.msg);
    rp.segment_ref_mn2 = -1;
    cr_expect_eq(invnet_ranges_check(&rp, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "segment_ref_mn2");
    rp.segment_ref_mn2 = INFINITY;
    cr_expect_eq(invnet_ranges_check(&rp, &err), FWD_EINVAL);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}
