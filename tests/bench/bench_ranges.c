/* SPDX-License-Identifier: MIT */
/*
 * bench_ranges.c - the intervals of `invert --ranges` (invnet_ranges.h): calibration, width
 * and cost, and a cross-check against an independent sampler.
 *
 * For a 4-layer Schlumberger net (30 AB/2, 1-1000 m) and a 4-layer MT net (30 periods,
 * 1e-3-1e3 s), each trained in memory: COUNT soundings drawn from the prior with the
 * training noise (3 %), inverted as `bpinv invert --ranges` does on one thread. Per
 * parameter (rho, h, depth, S, T of each layer), the share of true values inside their 90 %
 * interval (target 85-95 %) and the median interval width in decades (and for Schlumberger
 * data twice as noisy, 6 %, on the same net: the same target); the time per
 * sounding, forward models, groups, the diagnostics; the cost with 5 layers. Then, on two
 * 3-layer soundings (Schlumberger, MT), a plain random-walk Metropolis of 10^6 steps
 * (isotropic proposal, from the true model) against the intervals: their percentiles
 * should agree within their Monte Carlo errors.
 * usage: bench_ranges [COUNT]   (default 500)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <hdf5.h>

#include "forward/base/fwd_time.h"
#include "invnet/invert/invnet_invert.h"
#include "invnet/invert/invnet_lm.h"
#include "tests/bench/bench_util.h"

#define NL    4
#define NP    (2 * NL - 1)
#define NQ    (NL + 4 * (NL - 1)) /* rho, h, depth, S, T */
#define NOISE 0.03

static size_t n_test = 500;

/* The NQ quantities of log10 model p, as log10: rho_k, h_k, depth_k, S_k, T_k. */
static void
quantities(const double *p, double *q)
{
    double z = 0;
    size_t k;

    for (k = 0; k < NL; k++)
        q[k] = p[k];
    for (k = 0; k + 1 < NL; k++) {
        z += pow(10, p[NL + k]);
        q[NL + k] = p[NL + k];
        q[2 * NL - 1 + k] = log10(z);
        q[3 * NL - 2 + k] = p[NL + k] - p[k];
        q[4 * NL - 3 + k] = p[NL + k] + p[k];
    }
}

/* The same quantities' intervals from g, log10, [low, median, high]. */
static void
intervals(const invnet_ranges *g, double (*iv)[3])
{
    size_t k, e;

    for (e = 0; e < 3; e++) {
        for (k = 0; k < NL; k++)
            iv[k][e] = log10(g->rho_ohmm[k][e]);
        for (k = 0; k + 1 < NL; k++) {
            iv[NL + k][e] = log10(g->thick_m[k][e]);
            iv[2 * NL - 1 + k][e] = log10(g->depth_m[k][e]);
            iv[3 * NL - 2 + k][e] = log10(g->conductance_s[k][e]);
            iv[4 * NL - 3 + k][e] = log10(g->transverse_ohmm2[k][e]);
        }
    }
}

static const char *
qname(size_t j, char *buf, size_t cap)
{
    static const char *const what[5] = {"rho", "h", "depth", "S", "T"};
    size_t t = j < NL ? 0 : 1 + (j - NL) / (NL - 1), k = j < NL ? j : (j - NL) % (NL - 1);

    snprintf(buf, cap, "%s_%zu", what[t], k + 1);
    return buf;
}

/*
 * The true model p's (log10) resistivity at each depth of g's envelope and its S and T
 * down to it, inside the envelope's intervals: counted into in[3] (rho, S, T) of n[3], the
 * depths above the depth of investigation (doi_m) into in_seen, n_seen.
 */
static void
envelope_cover(const invnet_ranges *g, const double *p, size_t *in, size_t *n, size_t *in_seen,
               size_t *n_seen)
{
    size_t d, k, q;

    for (d = 0; d < g->n_envelope; d++) {
        double z = g->envelope_depth_m[d], top = 0, v[3] = {0, 0, 0};
        const double *iv[3] = {g->envelope_rho_ohmm[d], g->envelope_conductance_s[d],
                               g->envelope_transverse_ohmm2[d]};

        for (k = 0; k < NL; k++) {
            double r = pow(10, p[k]), bot = k + 1 < NL ? top + pow(10, p[NL + k]) : INFINITY;
            double dz = fmin(z, bot) - top;

            if (dz <= 0)
                break;
            v[0] = r;
            v[1] += dz / r;
            v[2] += dz * r;
            top = bot;
        }
        for (q = 0; q < 3; q++) {
            int ok = v[q] >= iv[q][0] && v[q] <= iv[q][2];

            in[q] += (size_t)ok;
            n[q]++;
            if (isfinite(g->doi_m) && z <= g->doi_m) {
                in_seen[q] += (size_t)ok;
                n_seen[q]++;
            }
        }
    }
}

/* Monte Carlo repeats of bpinv's intervals (seeds), batches of the plain sampler. */
#define REPEATS 8
#define BATCHES 10

/*
 * The 5, 50 and 95 % of each of the np log10 parameters by plain random-walk Metropolis:
 * n steps from p0, a Gaussian step of sd `step` decades in every parameter, the same
 * likelihood and box as invert --ranges. pc[j]: the percentiles of all the states (every
 * tenth kept); se[j]: their standard errors by batch means (BATCHES batches).
 */
static void
plain_metropolis(fwd_workspace *w, const fwd_sounding *s, size_t nl, const double *p0,
                 const double *lo, const double *hi, double noise, size_t n, double step,
                 double (*pc)[3], double (*se)[3])
{
    size_t np = 2 * nl - 1, nd = fwd_sounding_ndata(s), t, j, e, b, kept = 0, nb;
    double *resp = malloc(nd * sizeof *resp), *f = malloc(nd * sizeof *f);
    double *S = malloc(n / 10 * np * sizeof *S), *col = malloc(n / 10 * sizeof *col);
    double x[2 * FWD_MAX_LAYERS], y[2 * FWD_MAX_LAYERS], c, cy;
    invnet_lm_params lp = invnet_lm_default();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

#define CHI2(p, out)                                                                               \
    do {                                                                                           \
        size_t i_;                                                                                 \
        (out) = 0;                                                                                 \
        if (invnet_lm_residuals(w, s, nl, p, &lp, resp, f) != FWD_OK)                              \
            (out) = INFINITY;                                                                      \
        for (i_ = 0; i_ < nd; i_++)                                                                \
            (out) += f[i_] * f[i_] / (noise * noise);                                              \
    } while (0)
    memcpy(x, p0, np * sizeof *x);
    CHI2(x, c);
    for (t = 0; t < n; t++) {
        int in = 1;

        for (j = 0; j < np; j++) {
            y[j] = x[j] + step * gsl_ran_gaussian_ziggurat(r, 1);
            in = in && y[j] >= lo[j] && y[j] <= hi[j];
        }
        if (in) {
            CHI2(y, cy);
            if (gsl_rng_uniform(r) < exp(fmin(0, -0.5 * (cy - c)))) {
                memcpy(x, y, np * sizeof *x);
                c = cy;
            }
        }
        if (t % 10 == 0 && kept < n / 10)
            memcpy(S + kept++ * np, x, np * sizeof *x);
    }
#undef CHI2
    nb = kept / BATCHES;
    for (j = 0; j < np; j++)
        for (e = 0; e < 3; e++) {
            double q = e == 0 ? 0.05 : e == 1 ? 0.5 : 0.95, m = 0, m2 = 0;

            for (t = 0; t < kept; t++)
                col[t] = S[t * np + j];
            pc[j][e] = bench_pct(col, kept, q);
            for (b = 0; b < BATCHES; b++) {
                double v;

                for (t = 0; t < nb; t++)
                    col[t] = S[(b * nb + t) * np + j];
                v = bench_pct(col, nb, q);
                m += v / BATCHES;
                m2 += v * v / BATCHES;
            }
            se[j][e] = sqrt(fmax(m2 - m * m, 0) / (BATCHES - 1));
        }
    gsl_rng_free(r);
    free(col);
    free(S);
    free(f);
    free(resp);
}

/*
 * One cross-check: a sounding of the nl-layer model (rho, h) at npts spacings (periods)
 * x0..x1 with noise (seeded), the prior box [lo, hi] (log10). bpinv's intervals from the
 * Levenberg-Marquardt fit of a half-space start, REPEATS times with other seeds (their
 * spread: the Monte Carlo error of one answer); the plain sampler's 10^6 steps from the
 * truth. A row per parameter: the two sets of percentiles, and the largest difference in
 * units of the combined standard error.
 */
static void
cross_check(const char *name, fwd_method m, size_t nl, const double *rho, const double *h,
            double x0, double x1, double noise, const double *lo, const double *hi)
{
    enum { NPTS = 30 };
    size_t np = 2 * nl - 1, nd, i, j, e, k;
    double x[NPTS], p[2 * FWD_MAX_LAYERS], truth[2 * FWD_MAX_LAYERS], pc[2 * FWD_MAX_LAYERS][3],
        se[2 * FWD_MAX_LAYERS][3], ours[REPEATS][2 * FWD_MAX_LAYERS][3], *d;
    fwd_geom *g;
    fwd_workspace *w;
    fwd_sounding s;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    invnet_ranges_params rp = invnet_ranges_default();
    char buf[32];

    for (i = 0; i < NPTS; i++)
        x[i] = pow(10, log10(x0) + (log10(x1) - log10(x0)) * (double)i / (NPTS - 1));
    g = fwd_geom_alloc(m, NPTS, x, NULL, NULL);
    w = fwd_workspace_alloc(g, NULL, NULL);
    nd = fwd_geom_ndata(g);
    d = malloc(nd * sizeof *d);
    if (w == NULL || d == NULL || fwd_eval(w, nl, rho, h, d, NULL) != FWD_OK)
        bench_die("bench_ranges", "cross-check sounding", NULL);
    gsl_rng_set(r, 17);
    for (i = 0; i < nd; i++)
        d[i] = i < NPTS ? d[i] * exp(noise * gsl_ran_gaussian(r, 1))
                        : d[i] + noise * FWD_PHASE_DEG_PER_NOISE * gsl_ran_gaussian(r, 1);
    memset(&s, 0, sizeof s);
    s.method = m;
    s.n = NPTS;
    s.x = x;
    s.rho_a = d;
    s.phase = m == FWD_MT ? d + NPTS : NULL;
    strcpy(s.source, name);
    for (j = 0; j < np; j++)
        truth[j] = log10(j < nl ? rho[j] : h[j - nl]);
    invnet_lm_halfspace_start(&s, nl, p);
    if (invnet_lm_fit(w, &s, nl, p, lo, hi, NULL, NULL, NULL) != FWD_OK)
        bench_die("bench_ranges", "cross-check fit", NULL);
    for (k = 0; k < REPEATS; k++) {
        invnet_ranges out;

        rp.seed = 1 + k;
        if (invnet_ranges_sample(w, &s, nl, p, lo, hi, noise, &rp, &out, NULL) != FWD_OK)
            bench_die("bench_ranges", "cross-check ranges", NULL);
        for (j = 0; j < np; j++)
            for (e = 0; e < 3; e++)
                ours[k][j][e] = log10(j < nl ? out.rho_ohmm[j][e] : out.thick_m[j - nl][e]);
        invnet_ranges_release(&out);
    }
    plain_metropolis(w, &s, nl, truth, lo, hi, noise, 1000000, 0.02, pc, se);
    printf("\n**%s** (log10; 5 / 50 / 95 %%; +- the standard error of one answer):\n\n"
           "| parameter | true | plain Metropolis, 10^6 steps | bpinv --ranges (%d seeds) | "
           "largest difference / combined error |\n|---|---:|---|---|---:|\n",
           name, REPEATS);
    for (j = 0; j < np; j++) {
        double mean[3], sd[3], worst = 0;

        for (e = 0; e < 3; e++) {
            double a = 0, a2 = 0;

            for (k = 0; k < REPEATS; k++) {
                a += ours[k][j][e] / REPEATS;
                a2 += ours[k][j][e] * ours[k][j][e] / REPEATS;
            }
            mean[e] = a;
            sd[e] = sqrt(fmax(a2 - a * a, 0) * REPEATS / (REPEATS - 1));
            /* the mean of the repeats against the plain sampler, in their combined error */
            worst = fmax(worst, fabs(mean[e] - pc[j][e]) /
                                    sqrt(sd[e] * sd[e] / REPEATS + se[j][e] * se[j][e] + 1e-12));
        }
        printf("| %s | %.3f | %.3f / %.3f / %.3f +- %.3f | %.3f / %.3f / %.3f +- %.3f | %.1f |\n",
               invnet_param_name(nl, j, buf, sizeof buf), truth[j], pc[j][0], pc[j][1], pc[j][2],
               fmax(se[j][0], se[j][2]), mean[0], mean[1], mean[2], fmax(sd[0], sd[2]), worst);
    }
    gsl_rng_free(r);
    free(d);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/* One method: calibration, widths, cost. */
static void
method(const char *name, fwd_method m, double x0, double x1, const char *thick, double dnoise)
{
    const size_t npts = 30;
    double x[30], t0, tsum = 0, *ess = malloc(n_test * sizeof *ess),
                      *ms = malloc(n_test * sizeof *ms);
    double *width = malloc(NQ * n_test * sizeof *width), *evals = malloc(n_test * sizeof *evals);
    double *grp = malloc(n_test * sizeof *grp), *hs = malloc(n_test * sizeof *hs);
    size_t n_flag = 0, in_flag = 0, n_in_flag = 0, in_ok = 0, n_in_ok = 0;
    size_t inside[NQ] = {0}, counted[NQ] = {0}, j, i, n_rhat = 0, n_ok = 0;
    size_t env_in[3] = {0}, env_n[3] = {0}, env_in_seen[3] = {0}, env_n_seen[3] = {0};
    smp_config c;
    fwd_geom *g;
    invnet_file *nf;
    invnet_check_params cp = invnet_check_default();
    invnet_inverter *v;
    smp_gen *gen;
    double *P, *C, *Z;
    char buf[32];

    for (i = 0; i < npts; i++)
        x[i] = pow(10, log10(x0) + (log10(x1) - log10(x0)) * (double)i / (double)(npts - 1));
    g = fwd_geom_alloc(m, npts, x, NULL, NULL);
    memset(&c, 0, sizeof c);
    c.geom = g;
    c.noise = NOISE;
    c.seed = 1;
    if (smp_prior_parse(&c.prior, NL, "1:1000", thick, NULL) != FWD_OK)
        bench_die("bench_ranges", "prior", NULL);
    nf = bench_train(&c, 50000, 40, 0);
    c.seed = 7;
    c.noise = dnoise; /* the test soundings' */
    gen = smp_gen_alloc(&c, 2, NULL);
    P = malloc(n_test * NP * sizeof *P);
    C = malloc(n_test * 2 * npts * sizeof *C);
    Z = malloc(n_test * 2 * npts * sizeof *Z);
    if (gen == NULL || smp_gen_run(gen, 0, n_test, P, C, Z, NULL) != FWD_OK)
        bench_die("bench_ranges", "test soundings", NULL);
    cp.refine_iter = 30;
    cp.ranges = 1;
    /* the sampler's settings, for trying others: RANGES="starts start_iter chains burn steps" */
    if (getenv("RANGES") != NULL &&
        sscanf(getenv("RANGES"), "%zu %zu %zu %zu %zu", &cp.range.starts, &cp.range.start_iter,
               &cp.range.chains, &cp.range.burn, &cp.range.steps) != 5)
        bench_die("bench_ranges", "RANGES: expected five counts", NULL);
    v = invnet_inverter_alloc(nf, &cp, NULL);
    for (i = 0; i < n_test; i++) {
        size_t nd = fwd_geom_ndata(g);
        fwd_sounding s;
        invnet_result r;
        double truth[NQ], iv[NQ][3];
        fwd_error err;

        bench_sounding(&s, m, npts, x, Z + i * nd);
        t0 = fwd_time_seconds();
        if (invnet_invert(v, &s, &r, &err) != FWD_OK)
            bench_die("bench_ranges", "invert", &err);
        ms[i] = 1e3 * (fwd_time_seconds() - t0);
        tsum += ms[i];
        if (r.ranges == NULL) {
            ess[i] = evals[i] = grp[i] = hs[i] = NAN;
            for (j = 0; j < NQ; j++)
                width[j * n_test + i] = NAN;
            continue;
        }
        n_ok++;
        ess[i] = r.ranges->ess_min;
        evals[i] = (double)r.ranges->evaluations;
        grp[i] = (double)r.ranges->n_groups;
        hs[i] = r.ranges->halves_share;
        n_flag += (r.flags & INVNET_FLAG_UNCONVERGED) != 0;
        n_rhat += r.ranges->rhat_max > 1.1;
        quantities(P + i * NP, truth);
        intervals(r.ranges, iv);
        envelope_cover(r.ranges, P + i * NP, env_in, env_n, env_in_seen, env_n_seen);
        for (j = 0; j < NQ; j++) {
            int in = truth[j] >= iv[j][0] && truth[j] <= iv[j][2];

            if (r.flags & INVNET_FLAG_UNCONVERGED) {
                in_flag += (size_t)in;
                n_in_flag++;
            } else {
                in_ok += (size_t)in;
                n_in_ok++;
            }
            counted[j]++;
            inside[j] += (size_t)in;
            width[j * n_test + i] = iv[j][2] - iv[j][0];
        }
    }
    if (dnoise == NOISE)
        printf("\n### %s, %d layers, %zu points, %.0f %% noise: %zu soundings from the prior\n\n",
               name, NL, npts, 100 * NOISE, n_test);
    else
        printf("\n### %s, %d layers, %zu points, a net of %.0f %% noise, data of %.0f %%: %zu "
               "soundings from the prior\n\n",
               name, NL, npts, 100 * NOISE, 100 * dnoise, n_test);
    printf("Per sounding (net, refinement and ranges, 1 thread): %.1f ms median, %.1f ms mean; "
           "%.0f forward models; %.0f groups of equivalent models (median; 90th percentile "
           "%.0f); ESS (smallest of the parameters) median %.0f; R-hat above 1.1 in %.1f %%; "
           "the two halves' intervals differ by %.2f of the width (median; 90th "
           "percentile %.2f): ranges_not_converged on %.1f %%; %zu of %zu with ranges.\n\n",
           bench_pct(ms, n_test, 0.5), tsum / (double)n_test, bench_pct(evals, n_test, 0.5),
           bench_pct(grp, n_test, 0.5), bench_pct(grp, n_test, 0.9), bench_pct(ess, n_test, 0.5),
           100.0 * (double)n_rhat / (double)(n_ok > 0 ? n_ok : 1), bench_pct(hs, n_test, 0.5),
           bench_pct(hs, n_test, 0.9), 100.0 * (double)n_flag / (double)(n_ok > 0 ? n_ok : 1), n_ok,
           n_test);
    printf("Inside their interval, all quantities: %.1f %% of those flagged "
           "ranges_not_converged, %.1f %% of the others.\n\n",
           100.0 * (double)in_flag / (double)(n_in_flag > 0 ? n_in_flag : 1),
           100.0 * (double)in_ok / (double)(n_in_ok > 0 ? n_in_ok : 1));
    printf("The resistivity-depth envelope (64 depths a sounding): the truth inside its 90 %% "
           "interval at %.1f %% of the depths for the resistivity there, %.1f %% for the "
           "conductance S down to it, %.1f %% for T; above the depth of investigation %.1f, "
           "%.1f and %.1f %%.\n\n",
           100.0 * (double)env_in[0] / (double)(env_n[0] > 0 ? env_n[0] : 1),
           100.0 * (double)env_in[1] / (double)(env_n[1] > 0 ? env_n[1] : 1),
           100.0 * (double)env_in[2] / (double)(env_n[2] > 0 ? env_n[2] : 1),
           100.0 * (double)env_in_seen[0] / (double)(env_n_seen[0] > 0 ? env_n_seen[0] : 1),
           100.0 * (double)env_in_seen[1] / (double)(env_n_seen[1] > 0 ? env_n_seen[1] : 1),
           100.0 * (double)env_in_seen[2] / (double)(env_n_seen[2] > 0 ? env_n_seen[2] : 1));
    printf("| parameter | true value inside its 90 %% interval | median width, decades |\n"
           "|---|---:|---:|\n");
    for (j = 0; j < NQ; j++)
        printf("| %s | %.1f %% | %.3f |\n", qname(j, buf, sizeof buf),
               100.0 * (double)inside[j] / (double)(counted[j] > 0 ? counted[j] : 1),
               bench_pct(width + j * n_test, n_test, 0.5));
    invnet_inverter_free(v);
    smp_gen_free(gen);
    invnet_file_free(nf);
    fwd_geom_free(g);
    free(P);
    free(C);
    free(Z);
    free(width);
    free(evals);
    free(grp);
    free(hs);
    free(ess);
    free(ms);
}

/* The cost of --ranges with 5 layers (Schlumberger, 30 points): 50 soundings. */
static void
five_layers(void)
{
    const size_t npts = 30, n = 50, nl = 5;
    double x[30], *ms = malloc(n * sizeof *ms), *ev = malloc(n * sizeof *ev), *P, *C, *Z;
    smp_config c;
    fwd_geom *g;
    invnet_file *nf;
    invnet_check_params cp = invnet_check_default();
    invnet_inverter *v;
    smp_gen *gen;
    size_t i;

    for (i = 0; i < npts; i++)
        x[i] = pow(10, 3.0 * (double)i / (double)(npts - 1));
    g = fwd_geom_alloc(FWD_SCHLUMBERGER, npts, x, NULL, NULL);
    memset(&c, 0, sizeof c);
    c.geom = g;
    c.noise = NOISE;
    c.seed = 1;
    if (smp_prior_parse(&c.prior, nl, "1:1000", "1:50", NULL) != FWD_OK)
        bench_die("bench_ranges", "prior", NULL);
    nf = bench_train(&c, 20000, 20, 0);
    c.seed = 9;
    gen = smp_gen_alloc(&c, 2, NULL);
    P = malloc(n * (2 * nl - 1) * sizeof *P);
    C = malloc(n * npts * sizeof *C);
    Z = malloc(n * npts * sizeof *Z);
    if (gen == NULL || smp_gen_run(gen, 0, n, P, C, Z, NULL) != FWD_OK)
        bench_die("bench_ranges", "5-layer soundings", NULL);
    cp.refine_iter = 30;
    cp.ranges = 1;
    v = invnet_inverter_alloc(nf, &cp, NULL);
    for (i = 0; i < n; i++) {
        fwd_sounding s;
        invnet_result r;
        fwd_error err;
        double t0;

        bench_sounding(&s, FWD_SCHLUMBERGER, npts, x, Z + i * npts);
        t0 = fwd_time_seconds();
        if (invnet_invert(v, &s, &r, &err) != FWD_OK)
            bench_die("bench_ranges", "invert", &err);
        ms[i] = 1e3 * (fwd_time_seconds() - t0);
        ev[i] = r.ranges != NULL ? (double)r.ranges->evaluations : NAN;
    }
    printf("\n### Schlumberger, 5 layers, 30 points: %zu soundings\n\nPer sounding (net, "
           "refinement and ranges, 1 thread): %.1f ms median; %.0f forward models.\n",
           n, bench_pct(ms, n, 0.5), bench_pct(ev, n, 0.5));
    invnet_inverter_free(v);
    smp_gen_free(gen);
    invnet_file_free(nf);
    fwd_geom_free(g);
    free(P);
    free(C);
    free(Z);
    free(ev);
    free(ms);
}

int
main(int argc, char **argv)
{
    bench_init();
    n_test = bench_count(argc, argv, 1, 500, 10, "bench_ranges [COUNT >= 10]");
    printf("## invert --ranges: calibration of the 90 %% intervals, width and cost\n");
    method("Schlumberger", FWD_SCHLUMBERGER, 1, 1000, "1:50", NOISE);
    method("MT", FWD_MT, 1e-3, 1e3, "10:5000", NOISE);
    /* data twice as noisy as the net knows: the noise scale must widen the intervals */
    method("Schlumberger", FWD_SCHLUMBERGER, 1, 1000, "1:50", 2 * NOISE);
    five_layers();
    printf("\n### Cross-check against an independent sampler\n\nA plain random-walk Metropolis "
           "(isotropic steps of 0.02 decades from the true model, every tenth state kept, "
           "standard errors by %d batch means) against `--ranges` from a Levenberg-Marquardt fit "
           "of a half-space start (standard errors: the spread of %d seeds). A difference "
           "under 3 is agreement within the Monte Carlo error.\n",
           BATCHES, REPEATS);
    {
        const double rho[3] = {100, 5, 1000}, h[2] = {10, 2};
        const double lo[5] = {0, 0, 0, -0.3, -0.3}, hi[5] = {3.5, 3.5, 3.5, 2, 2};

        cross_check("Schlumberger, a thin conductor: 100 / 5 / 1000 ohm-m, 10 and 2 m, AB/2 "
                    "1-1000 m, 3 % noise",
                    FWD_SCHLUMBERGER, 3, rho, h, 1, 1000, 0.03, lo, hi);
    }
    {
        const double rho[3] = {100, 10, 1000}, h[2] = {500, 2000};
        const double lo[5] = {0, 0, 0, 1, 1}, hi[5] = {4, 4, 4, 4, 4};

        cross_check("MT: 100 / 10 / 1000 ohm-m, 500 and 2000 m, 1e-3-1e3 s, 3 % noise", FWD_MT, 3,
                    rho, h, 1e-3, 1e3, 0.03, lo, hi);
    }
    printf("\nTargets (issue 19): 85-95 %% of true values inside their 90 %% interval; <= 50 "
           "ms per 4-layer Schlumberger sounding of 30 points on one core.\n");
    return 0;
}
