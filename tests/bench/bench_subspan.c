/* SPDX-License-Identifier: MIT */
/*
 * bench_subspan.c - one net for a whole survey: how well a net of any part of its span
 * (a masked net, invnet/invnet_mask.h) inverts soundings of part of it, against a net
 * trained only for that part.
 *
 * For a 3-decade Schlumberger net (AB/2 1-1000 m, 31 points) and a 6-decade MT net
 * (1e-3-1e3 s, 37 periods), 3 layers (1-1000 ohm-m, 1-50 m or 10 m-5 km), 2 % noise: one
 * masked net over the whole span; for each sub-span of 1, 1.5, 2 and 3 decades (centred in
 * the span), a plain net trained on samples of that sub-span's points alone (the dedicated
 * net, what a user had to train before). Then COUNT in-prior soundings of the sub-span
 * with 2 % noise, whole or with 10 % or 30 % of their inner points missing, inverted by
 * each net alone and refined (bpinv invert's default). Prints, per sub-span and missing
 * fraction, the median and 90th percentile misfit and the flags of the masked net's refined
 * answer, and the median absolute error of the resolved parameters (log10 rho_1, log10
 * rho_N, log10 of the middle layer's conductance h/rho) of each net, alone and refined,
 * with the ratio masked / dedicated. Recall: of the same earths made 30 times more
 * resistive, the share not in range or flagged high_misfit. About 13 % of them stay inside
 * the prior (every layer below 33 ohm-m before), and a deep or thin layer that leaves it
 * may not show in a short window: no check can catch those, so this is a lower bound.
 * Of those earths that no model of the prior fits (refined misfit above 3 x the noise:
 * their data lie outside what the prior can make), the share the range checks flag.
 * The same for three other kinds of earths the prior does not hold, in a second table: the
 * middle layer a conductor 30 times below the prior's least resistivity; the top layer 10
 * times the prior's greatest thickness; a fourth layer (more than the net's), the third's
 * thickness again, 30 times more resistive than the third (30 times more conductive where
 * that would leave the prior).
 * The masked net reads its inputs in the aligned layout (invnet_mask.h), or in the absolute
 * one of the nets made before it when the fourth argument says "masked".
 * A fifth argument gives the masked net's hidden layers (e.g. 128,128; the dedicated nets
 * keep the default; "-" the default for both), a sixth the loss of every net (bpinv train
 * --huber: 0 the squared error).
 * usage: bench_subspan [SAMPLES [EPOCHS [COUNT [LAYOUT [HIDDEN [HUBER]]]]]]
 *        (defaults 50000, 40, 300, aligned, the default hidden layer, 0.1)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <hdf5.h>

#include "forward/base/fwd_time.h"
#include "invnet/invert/invnet_invert.h"
#include "invnet/invnet_fit.h"
#include "invnet/invnet_stats.h"
#include "samples/smp_gen.h"
#include "tests/bench/bench_util.h"

#define NOISE 0.02
#define NL    3
#define NP    (2 * NL - 1)

static size_t n_samples = 50000, n_epochs = 40, n_test = 300;
static invnet_mask_layout layout = INVNET_MASK_ALIGNED;
static size_t hidden[INVNET_MAX_HIDDEN], n_hidden; /* the masked net's, when given */
static double huber = -1;                          /* every net's loss, when given */

#define die(what, err) bench_die("bench_subspan", what, err)
#define pct            bench_pct

/* A net trained on n_samples of c: masked (any part of the span) or plain. */
static invnet_file *
train(const smp_config *c, int masked)
{
    invnet_fit_params p = invnet_fit_default();

    p.train.epochs = n_epochs;
    p.train.nthreads = 2;
    p.masked = masked;
    p.mask.layout = layout;
    if (huber >= 0)
        p.train.huber = huber;
    if (masked && n_hidden > 0) {
        memcpy(p.hidden, hidden, sizeof hidden);
        p.n_hidden = n_hidden;
    }
    return bench_fit(c, n_samples, &p);
}

/* The resolved parameters of a log10 model p: rho_1, rho_N, and of a middle layer 3 times
 * more conductive than both neighbours its conductance h / rho, 3 times more resistive its
 * transverse resistance h rho, in the true model t (NAN otherwise: neither is resolved). */
static void
resolved(const double *p, const double *t, double *q)
{
    const double c = log10(3.0);

    q[0] = p[0];
    q[1] = p[NL - 1];
    q[2] = t[1] < fmin(t[0], t[2]) - c   ? p[NL + 1] - p[1]
           : t[1] > fmax(t[0], t[2]) + c ? p[NL + 1] + p[1]
                                         : NAN;
}

/* A sounding of the sub-span's n points x, data d (values of m at the points), with a
 * fraction `missing` of the inner points dropped, evenly spread. */
static fwd_sounding *
sounding(fwd_method m, size_t n, const double *x, const double *d, double missing)
{
    fwd_sounding *s = calloc(1, sizeof *s);
    size_t i, k = 0, drop = (size_t)(missing * (double)(n - 2) + 0.5), dropped = 0;
    int mt = m == FWD_MT;

    s->method = m;
    s->x = malloc(n * sizeof(double));
    s->rho_a = malloc(n * sizeof(double));
    s->phase = mt ? malloc(n * sizeof(double)) : NULL;
    s->line = calloc(n, sizeof(size_t));
    for (i = 0; i < n; i++) {
        /* inner point i goes when the drops due by it (evenly spread) exceed those made */
        if (i > 0 && i + 1 < n &&
            dropped < (size_t)((double)i * (double)drop / (double)(n - 1) + 0.5)) {
            dropped++;
            continue;
        }
        s->x[k] = x[i];
        s->rho_a[k] = d[i];
        if (mt)
            s->phase[k] = d[n + i];
        k++;
    }
    s->n = k;
    strcpy(s->name, "bench");
    strcpy(s->source, "bench");
    return s;
}

/* Kinds of earths out of the prior (the recall): every layer 30 times more resistive; a
 * conductive middle layer; a thick top layer; a fourth layer */
#define NKIND 4
static const char *const kind_name[NKIND] = {"30 x more resistive", "middle layer 1/30 ohm-m",
                                             "top layer 10 x the thickest", "a fourth layer"};

/* The earth of kind k made from the in-prior log10 model p (NL layers) of prior pr: its
 * layers into rho and h; returns their count. */
static size_t
out_of_prior(int k, const double *p, const smp_prior *pr, double *rho, double *h)
{
    size_t q;

    for (q = 0; q < NL; q++)
        rho[q] = pow(10, p[q]) * (k == 0 ? 30 : 1);
    for (q = 0; q + 1 < NL; q++)
        h[q] = pow(10, p[NL + q]);
    if (k == 1)
        rho[1] = pr->rho_min[1] / 30;
    else if (k == 2)
        h[0] = 10 * pr->thick_max[0];
    else if (k == 3) {
        h[NL - 1] = h[NL - 2];
        rho[NL] = rho[NL - 1] * 30 <= pr->rho_max[NL - 1] ? rho[NL - 1] * 30 : rho[NL - 1] / 30;
        return NL + 1;
    }
    return NL;
}

/* One method: the masked net, then each sub-span. */
static void
method(const char *name, fwd_method m, double x0, double x1, size_t npts, const char *thick)
{
    const double spans[] = {1, 1.5, 2, 3}, missing[] = {0, 0.1, 0.3};
    double *x = malloc(npts * sizeof *x), t0 = fwd_time_seconds(), tm;
    /* per sub-span and missing fraction, each kind's recall, the shares of the unfittable
     * range-flagged and caught, and their count */
    double other[4][3][NKIND][4];
    char arch[64], loss[48];
    fwd_geom *full;
    smp_config c;
    invnet_file *masked;
    size_t k, i, s;
    int kind;

    for (i = 0; i < npts; i++)
        x[i] = pow(10, log10(x0) + (log10(x1) - log10(x0)) * (double)i / (double)(npts - 1));
    full = fwd_geom_alloc(m, npts, x, NULL, NULL);
    memset(&c, 0, sizeof c);
    c.geom = full;
    c.noise = NOISE;
    c.seed = 1;
    if (smp_prior_parse(&c.prior, NL, "1:1000", thick, NULL) != FWD_OK)
        die("prior", NULL);
    masked = train(&c, 1);
    tm = fwd_time_seconds() - t0;
    printf("\n### %s: one net of %g decades (%zu points) for every sub-span\n\n", name,
           log10(x1 / x0), npts);
    for (i = 1, *arch = '\0'; i < invnet_net_depth(masked->net); i++)
        snprintf(arch + strlen(arch), sizeof arch - strlen(arch), "%s%zu", i > 1 ? "," : "",
                 invnet_net_units(masked->net, i));
    if (masked->train.huber > 0)
        snprintf(loss, sizeof loss, "Huber's, threshold %g", masked->train.huber);
    else
        snprintf(loss, sizeof loss, "the squared error");
    printf("%zu samples, %zu epochs, every net's loss %s; masked net (inputs %s, hidden %s) "
           "trained in %.1f s. Test soundings: %zu per row, "
           "in the prior, %.0f %% noise. Errors: median |error| of log10 rho_1 / log10 rho_%d "
           "/ log10 S or T of a thin middle layer (its conductance h_2 / rho_2 where it is 3 times "
           "more conductive than both neighbours, its transverse resistance h_2 rho_2 where 3 "
           "times more resistive; the other soundings resolve neither).\n\n",
           n_samples, n_epochs, loss, invnet_mask_layout_name(layout), arch, tm, n_test,
           100 * NOISE, NL);
    printf("| decades (points) | missing | misfit median / p90 %% | range flags | any flag | "
           "recall | range-flagged, of the unfittable | net alone: masked | dedicated | ratio | "
           "refined: masked | dedicated | ratio "
           "|\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (k = 0; k < sizeof spans / sizeof spans[0]; k++) {
        double mid = 0.5 * (log10(x0) + log10(x1)), lo = mid - spans[k] / 2 - 1e-9,
               hi = mid + spans[k] / 2 + 1e-9, xs[1024];
        size_t n = 0, nd;
        smp_config cs = c;
        fwd_geom *gs;
        invnet_file *ded;
        double *P, *C, *Z;

        for (i = 0; i < npts; i++)
            if (log10(x[i]) >= lo && log10(x[i]) <= hi)
                xs[n++] = x[i];
        gs = fwd_geom_alloc(m, n, xs, NULL, NULL);
        cs.geom = gs;
        ded = train(&cs, 0);
        nd = fwd_geom_ndata(gs);
        bench_test_set(&cs, n_test, &P, &C, &Z);
        for (s = 0; s < sizeof missing / sizeof missing[0]; s++) {
            invnet_check_params cp = invnet_check_default();
            invnet_inverter *v4[4];
            double *mis = malloc(n_test * sizeof *mis), *e4 = malloc(4 * 3 * n_test * sizeof *e4),
                   med[4][3];
            size_t n_range = 0, n_any = 0, n_caught[NKIND] = {0}, n_unfit[NKIND] = {0},
                   n_unfit_range[NKIND] = {0}, n_unfit_caught[NKIND] = {0}, j, q;

            /* the masked net alone and refined; the dedicated net alone and refined */
            cp.refine_iter = 30;
            v4[0] = invnet_inverter_alloc(masked, NULL, NULL);
            v4[1] = invnet_inverter_alloc(masked, &cp, NULL);
            v4[2] = invnet_inverter_alloc(ded, NULL, NULL);
            v4[3] = invnet_inverter_alloc(ded, &cp, NULL);
            for (j = 0; j < n_test; j++) {
                fwd_sounding *snd = sounding(m, n, xs, Z + j * nd, missing[s]);
                invnet_result r;
                double truth[3], got[3], lp[NP];
                fwd_error err;

                resolved(P + j * NP, P + j * NP, truth);
                for (q = 0; q < 4; q++) {
                    size_t t;

                    if (invnet_invert(v4[q], snd, &r, &err) != FWD_OK)
                        die("invert", &err);
                    for (t = 0; t < NL; t++)
                        lp[t] = log10(r.rho_ohmm[t]);
                    for (t = 0; t + 1 < NL; t++)
                        lp[NL + t] = log10(r.thick_m[t]);
                    resolved(lp, P + j * NP, got);
                    for (t = 0; t < 3; t++)
                        e4[(q * 3 + t) * n_test + j] = fabs(got[t] - truth[t]);
                    if (q == 1) { /* bpinv invert's default */
                        mis[j] = r.misfit_rms_pct;
                        n_range += (r.flags & (INVNET_FLAG_OUTSIDE | INVNET_FLAG_REFUSED)) != 0;
                        n_any += r.flags != 0;
                    }
                }
                fwd_sounding_free(snd);
                /* out of the prior: the same earth 30 times more resistive (every layer
                 * 1.5 decades up: at most 30,000 ohm-m for a prior to 1,000), and the other
                 * kinds */
                for (kind = 0; kind < NKIND; kind++) {
                    double rho[NL + 1], h[NL + 1], dd[2 * 1024];
                    fwd_geom *gg = fwd_geom_alloc(m, n, xs, NULL, NULL);
                    fwd_workspace *w = fwd_workspace_alloc(gg, NULL, NULL);
                    size_t nl = out_of_prior(kind, P + j * NP, &c.prior, rho, h);

                    if (w == NULL || fwd_eval(w, nl, rho, h, dd, &err) != FWD_OK)
                        die("out-of-prior sounding", &err);
                    for (q = 0; q < nd; q++) /* the same noise as the in-prior sounding: */
                        if (q < n)           /* relative on rho_a, */
                            dd[q] *= Z[j * nd + q] / C[j * nd + q];
                        else /* added on a phase */
                            dd[q] += Z[j * nd + q] - C[j * nd + q];
                    snd = sounding(m, n, xs, dd, missing[s]);
                    if (invnet_invert(v4[1], snd, &r, &err) != FWD_OK)
                        die("invert", &err);
                    n_caught[kind] += !r.in_range || (r.flags & INVNET_FLAG_MISFIT);
                    /* those no model of the prior fits: the data say they are outside */
                    if (r.misfit_rms_pct > 3 * 100 * NOISE) {
                        n_unfit[kind]++;
                        n_unfit_range[kind] += !r.in_range;
                        n_unfit_caught[kind] += !r.in_range || (r.flags & INVNET_FLAG_MISFIT);
                    }
                    fwd_sounding_free(snd);
                    fwd_workspace_free(w);
                    fwd_geom_free(gg);
                }
            }
            for (kind = 0; kind < NKIND; kind++) {
                other[k][s][kind][0] = 100.0 * (double)n_caught[kind] / (double)n_test;
                other[k][s][kind][1] =
                    n_unfit[kind] > 0 ? 100.0 * (double)n_unfit_range[kind] / (double)n_unfit[kind]
                                      : 100.0;
                other[k][s][kind][2] =
                    n_unfit[kind] > 0 ? 100.0 * (double)n_unfit_caught[kind] / (double)n_unfit[kind]
                                      : 100.0;
                other[k][s][kind][3] = (double)n_unfit[kind];
            }
            for (q = 0; q < 4; q++)
                for (j = 0; j < 3; j++)
                    med[q][j] = pct(e4 + (q * 3 + j) * n_test, n_test, 0.5);
            printf("| %g (%zu) | %.0f %% | %.2f / %.2f | %.1f %% | %.1f %% | %.1f %% | %.1f %% of "
                   "%zu |",
                   spans[k], n, 100 * missing[s], pct(mis, n_test, 0.5), pct(mis, n_test, 0.9),
                   100.0 * (double)n_range / (double)n_test, 100.0 * (double)n_any / (double)n_test,
                   other[k][s][0][0], other[k][s][0][1], n_unfit[0]);
            for (q = 0; q < 2; q++) /* alone, then refined */
                printf(" %.3f / %.3f / %.3f | %.3f / %.3f / %.3f | %.2f / %.2f / %.2f |", med[q][0],
                       med[q][1], med[q][2], med[q + 2][0], med[q + 2][1], med[q + 2][2],
                       med[q][0] / med[q + 2][0], med[q][1] / med[q + 2][1],
                       med[q][2] / med[q + 2][2]);
            printf("\n");
            fflush(stdout);
            for (q = 0; q < 4; q++)
                invnet_inverter_free(v4[q]);
            free(e4);
            free(mis);
        }
        free(Z);
        free(C);
        free(P);
        invnet_file_free(ded);
        fwd_geom_free(gs);
    }
    printf("\nRecall on other earths out of the prior, the masked net's refined answers: the "
           "share not in range or flagged high_misfit; of those no model of the prior fits "
           "(refined misfit above 3 x the noise: their count), the shares range-flagged and "
           "caught (either). A fourth layer is no value outside the prior's ranges but a model "
           "the net's count cannot make: high_misfit is its flag.\n\n| decades | missing |");
    for (kind = 0; kind < NKIND; kind++)
        printf(" %s |", kind_name[kind]);
    printf("\n|---|---|");
    for (kind = 0; kind < NKIND; kind++)
        printf("---|");
    printf("\n");
    for (k = 0; k < sizeof spans / sizeof spans[0]; k++)
        for (s = 0; s < sizeof missing / sizeof missing[0]; s++) {
            printf("| %g | %.0f %% |", spans[k], 100 * missing[s]);
            for (kind = 0; kind < NKIND; kind++)
                printf(" %.1f %% (of %.0f: %.1f / %.1f %%) |", other[k][s][kind][0],
                       other[k][s][kind][3], other[k][s][kind][1], other[k][s][kind][2]);
            printf("\n");
        }
    invnet_file_free(masked);
    fwd_geom_free(full);
    free(x);
}

int
main(int argc, char **argv)
{
    static const char usage[] =
        "bench_subspan [SAMPLES >= 100 [EPOCHS >= 1 [COUNT >= 10 [aligned|masked [H[,H..]|- "
        "[HUBER >= 0]]]]]]";
    char *at, *end;

    bench_init();
    n_samples = bench_count(argc, argv, 1, n_samples, 100, usage);
    n_epochs = bench_count(argc, argv, 2, n_epochs, 1, usage);
    n_test = bench_count(argc, argv, 3, n_test, 10, usage);
    if (argc > 4 && invnet_mask_layout_parse(argv[4]) < 0) {
        fprintf(stderr, "usage: %s\n", usage);
        return 2;
    }
    if (argc > 4)
        layout = (invnet_mask_layout)invnet_mask_layout_parse(argv[4]);
    if (argc > 6 && (huber = strtod(argv[6], &end),
                     end == argv[6] || *end != '\0' || !(huber >= 0 && huber <= 100))) {
        fprintf(stderr, "usage: %s\n", usage);
        return 2;
    }
    for (at = argc > 5 && strcmp(argv[5], "-") != 0 ? argv[5] : NULL;
         at != NULL && n_hidden < INVNET_MAX_HIDDEN;) {
        hidden[n_hidden] = (size_t)strtoul(at, &at, 10);
        if (hidden[n_hidden++] == 0 || (*at != ',' && *at != '\0')) {
            fprintf(stderr, "usage: %s\n", usage);
            return 2;
        }
        at = *at == ',' ? at + 1 : NULL;
    }
    printf("## One net for a whole survey: sub-spans against dedicated nets\n");
    method("Schlumberger", FWD_SCHLUMBERGER, 1, 1000, 31, "1:50");
    method("MT", FWD_MT, 1e-3, 1e3, 37, "10:5000");
    printf("\nTargets (issue 16): refined median misfit <= 1.5 x the noise (3 %%) at every "
           "sub-span; the masked net's errors <= 1.25 x the dedicated net's (ratio); range "
           "flags <= 5 %%, any flag <= 10 %% in the prior; recall >= 90 %% out of it.\n");
    return 0;
}
