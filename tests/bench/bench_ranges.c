/* SPDX-License-Identifier: MIT */
/*
 * bench_ranges.c - the intervals of `invert --ranges` (invnet_ranges.h): calibration, width
 * and cost, and a cross-check against an independent sampler.
 *
 * For a 4-layer Schlumberger net (30 AB/2, 1-1000 m) and a 4-layer MT net (30 periods,
 * 1e-3-1e3 s), each trained in memory: COUNT soundings drawn from the prior with the
 * training noise (3 %), inverted as `bpinv invert --ranges` does on one thread. Per
 * parameter (rho, h, depth, S, T of each layer), the share of true values inside their 90 %
 * interval (target 85-95 %) and the median interval width in decades; the time per
 * sounding, forward models, ESS and R-hat. Then, for two of the Schlumberger soundings, a
 * plain random-walk Metropolis of 10^6 steps (isotropic proposal, from the true model)
 * against the intervals: their percentiles should agree within Monte Carlo error.
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

void openblas_set_num_threads(int num_threads);

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
 * The 5, 50 and 95 % of each log10 parameter by plain random-walk Metropolis: n steps from
 * p0, a Gaussian step of sd `step` decades in every parameter, the same likelihood and box.
 */
static void
plain_metropolis(fwd_workspace *w, const fwd_sounding *s, const double *p0, const double *lo,
                 const double *hi, size_t n, double step, double (*pc)[3])
{
    size_t nd = fwd_sounding_ndata(s), t, j, kept = 0;
    double *resp = malloc(nd * sizeof *resp), *f = malloc(nd * sizeof *f);
    double *S = malloc(n / 10 * NP * sizeof *S), x[NP], y[NP], c, cy;
    invnet_lm_params lp = invnet_lm_default();
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

#define CHI2(p, out)                                                                               \
    do {                                                                                           \
        size_t i_;                                                                                 \
        (out) = 0;                                                                                 \
        if (invnet_lm_residuals(w, s, NL, p, &lp, resp, f) != FWD_OK)                              \
            (out) = INFINITY;                                                                      \
        for (i_ = 0; i_ < nd; i_++)                                                                \
            (out) += f[i_] * f[i_] / (NOISE * NOISE);                                              \
    } while (0)
    memcpy(x, p0, sizeof x);
    CHI2(x, c);
    for (t = 0; t < n; t++) {
        int in = 1;

        for (j = 0; j < NP; j++) {
            y[j] = x[j] + step * gsl_ran_gaussian_ziggurat(r, 1);
            in = in && y[j] >= lo[j] && y[j] <= hi[j];
        }
        if (in) {
            CHI2(y, cy);
            if (gsl_rng_uniform(r) < exp(fmin(0, -0.5 * (cy - c)))) {
                memcpy(x, y, sizeof x);
                c = cy;
            }
        }
        if (t % 10 == 0 && kept < n / 10)
            memcpy(S + kept++ * NP, x, sizeof x);
    }
#undef CHI2
    for (j = 0; j < NP; j++) {
        double *col = malloc(kept * sizeof *col);

        for (t = 0; t < kept; t++)
            col[t] = S[t * NP + j];
        for (t = 0; t < 3; t++)
            pc[j][t] = bench_pct(col, kept, t == 0 ? 0.05 : t == 1 ? 0.5 : 0.95);
        free(col);
    }
    gsl_rng_free(r);
    free(S);
    free(f);
    free(resp);
}

/* One method: calibration, widths, cost; and for Schlumberger the cross-check. */
static void
method(const char *name, fwd_method m, double x0, double x1, const char *thick, int cross)
{
    const size_t npts = 30;
    double x[30], lo[NP], hi[NP], t0, tsum = 0, *ess = malloc(n_test * sizeof *ess),
                                      *ms = malloc(n_test * sizeof *ms);
    double *width = malloc(NQ * n_test * sizeof *width), *evals = malloc(n_test * sizeof *evals);
    double *grp = malloc(n_test * sizeof *grp), *hs = malloc(n_test * sizeof *hs);
    size_t n_flag = 0, in_flag = 0, n_in_flag = 0, in_ok = 0, n_in_ok = 0;
    size_t inside[NQ] = {0}, counted[NQ] = {0}, j, i, n_rhat = 0, n_ok = 0;
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
    for (j = 0; j < NP; j++) {
        lo[j] = log10(j < NL ? c.prior.rho_min[j] : c.prior.thick_min[j - NL]);
        hi[j] = log10(j < NL ? c.prior.rho_max[j] : c.prior.thick_max[j - NL]);
    }
    c.seed = 7;
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

        memset(&s, 0, sizeof s);
        s.method = m;
        s.n = npts;
        s.x = x;
        s.rho_a = Z + i * nd;
        s.phase = m == FWD_MT ? Z + i * nd + npts : NULL;
        strcpy(s.name, "bench");
        strcpy(s.source, "bench");
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
    printf("\n### %s, %d layers, %zu points, %.0f %% noise: %zu soundings from the prior\n\n", name,
           NL, npts, 100 * NOISE, n_test);
    printf("Per sounding (net, refinement and ranges, 1 thread): %.1f ms median, %.1f ms mean; "
           "%.0f forward models; %.0f groups of equivalent models (median; 90th percentile "
           "%.0f); ESS (smallest of the parameters) median %.0f; R-hat above 1.1 in %.1f %%; "
           "the even and odd chains' intervals differ by %.2f of the width (median; 90th "
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
    printf("| parameter | true value inside its 90 %% interval | median width, decades |\n"
           "|---|---:|---:|\n");
    for (j = 0; j < NQ; j++)
        printf("| %s | %.1f %% | %.3f |\n", qname(j, buf, sizeof buf),
               100.0 * (double)inside[j] / (double)(counted[j] > 0 ? counted[j] : 1),
               bench_pct(width + j * n_test, n_test, 0.5));
    if (cross) {
        printf("\nCross-check: plain random-walk Metropolis, 10^6 steps from the true model "
               "(step 0.02 decades), against the intervals (log10; 5 / 50 / 95 %%):\n\n"
               "| sounding | parameter | plain Metropolis | bpinv --ranges | largest "
               "difference, decades |\n|---|---|---|---|---:|\n");
        for (i = 0; i < 2; i++) {
            size_t nd = fwd_geom_ndata(g);
            fwd_sounding s;
            invnet_result r;
            double iv[NQ][3], pc[NP][3];
            fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);

            memset(&s, 0, sizeof s);
            s.method = m;
            s.n = npts;
            s.x = x;
            s.rho_a = Z + i * nd;
            strcpy(s.source, "bench");
            if (invnet_invert(v, &s, &r, NULL) != FWD_OK || r.ranges == NULL)
                continue;
            intervals(r.ranges, iv);
            plain_metropolis(w, &s, P + i * NP, lo, hi, 1000000, 0.02, pc);
            for (j = 0; j < NP; j++) {
                size_t q = j, e;
                double d = 0;

                for (e = 0; e < 3; e++)
                    d = fmax(d, fabs(pc[j][e] - iv[q][e]));
                printf("| %zu | %s | %.3f / %.3f / %.3f | %.3f / %.3f / %.3f | %.3f |\n", i + 1,
                       qname(q, buf, sizeof buf), pc[j][0], pc[j][1], pc[j][2], iv[q][0], iv[q][1],
                       iv[q][2], d);
            }
            fwd_workspace_free(w);
        }
    }
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

int
main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    openblas_set_num_threads(1);
    if (argc > 1)
        n_test = (size_t)strtoul(argv[1], NULL, 10);
    if (n_test < 10) {
        fprintf(stderr, "usage: bench_ranges [COUNT >= 10]\n");
        return 2;
    }
    printf("## invert --ranges: calibration of the 90 %% intervals, width and cost\n");
    method("Schlumberger", FWD_SCHLUMBERGER, 1, 1000, "1:50", 1);
    method("MT", FWD_MT, 1e-3, 1e3, "10:5000", 0);
    printf("\nTargets (issue 19): 85-95 %% of true values inside their 90 %% interval; <= 50 "
           "ms per 4-layer Schlumberger sounding of 30 points on one core.\n");
    return 0;
}
