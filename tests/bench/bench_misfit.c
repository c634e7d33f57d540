/* SPDX-License-Identifier: MIT */
/*
 * bench_misfit.c - does the net's own answer fit the data? The raw net (`--no-refine`)
 * trained on the parameters' error alone, against the same net after the data-misfit
 * stage (`bpinv train --data-epochs`), for Schlumberger, Wenner and MT.
 *
 * Per method: 4 layers, prior rho 1..1000 ohm-m and h 1..100 m, 30 log-spaced points
 * (AB/2 and a 1..1000 m; periods 1e-3..1e3 s), 2 % noise. Nets of two hidden layers of 128
 * units (`--hidden 128,128`), of the
 * whole span (`--min-span` as wide as it) and of any sub-span (the default), on N samples
 * (seed 42) for E epochs, then up to D data epochs (the stage may stop before: its rate
 * halves on a plateau, 3 times, then it waits a patience for a better loss). Test
 * soundings: T other draws of the prior (seed 7), the whole span. Prints per net: the
 * training time of each stage, the raw net's misfit (median and p90, in % and in units of
 * the noise), the median |error| of log10 rho_1, log10 rho_4, and of log10 S = h/rho (T =
 * h rho) of a middle layer 3 times more conductive (resistive) than both neighbours; then
 * the default answer (refined by Levenberg-Marquardt): its misfit, its LM iterations and
 * its time per sounding on one thread against the raw net's.
 * usage: bench_misfit [N [E [D [T]]]]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/base/fwd_time.h"
#include "invnet/invert/invnet_invert.h"
#include "invnet/invnet_fit.h"
#include "samples/smp_gen.h"
#include "tests/bench/bench_util.h"

#define NOISE 0.02
#define NL    4
#define NP    (2 * NL - 1)
#define NPTS  30

static size_t n_samples = 50000, n_epochs = 150, n_data = 400, n_test = 300, n_hidden = 128;

#define die(what, err) bench_die("bench_misfit", what, err)
#define pct            bench_pct

/* The resolved parameters of log10 model p whose truth is t: log10 rho_1, log10 rho_N, and
 * log10 S (T) summed over the middle layers 3 times more conductive (resistive) than both
 * neighbours; NAN where the truth has none. */
static void
resolved(const double *p, const double *t, double *q)
{
    const double c = log10(3.0);
    double s = 0, tr = 0;
    int ns = 0, nt = 0;
    size_t k;

    q[0] = p[0];
    q[1] = p[NL - 1];
    for (k = 1; k + 1 < NL; k++) {
        if (t[k] < fmin(t[k - 1], t[k + 1]) - c) {
            s += pow(10, p[NL + k] - p[k]);
            ns++;
        } else if (t[k] > fmax(t[k - 1], t[k + 1]) + c) {
            tr += pow(10, p[NL + k] + p[k]);
            nt++;
        }
    }
    q[2] = ns > 0 ? log10(s) : NAN;
    q[3] = nt > 0 ? log10(tr) : NAN;
}

/* A net of c trained as `bpinv train` does, with data_epochs of the data stage; the
 * seconds it took into *sec. */
static invnet_file *
train(const smp_config *c, int masked, size_t data_epochs, double *sec)
{
    invnet_fit_params p = invnet_fit_default();
    invnet_file *f;

    p.train.epochs = n_epochs;
    p.train.nthreads = 2;
    p.hidden[0] = p.hidden[1] = n_hidden;
    p.n_hidden = 2;
    p.masked = masked;
    p.data_epochs = data_epochs;
    f = bench_fit(c, n_samples, &p);
    *sec = f->train_seconds;
    return f;
}

/* Inverts the test soundings with f alone and refined; one table row for each. */
static void
rows(const char *label, invnet_file *f, fwd_method m, double *x, const double *P, const double *Z,
     size_t nd, double t1, double t2)
{
    invnet_check_params cp = invnet_check_default();
    invnet_inverter *raw = invnet_inverter_alloc(f, NULL, NULL), *ref;
    double *mis = malloc(n_test * sizeof *mis), *rmis = malloc(n_test * sizeof *rmis);
    double *err = malloc(4 * n_test * sizeof *err), *it = malloc(n_test * sizeof *it);
    double traw = 0, tref = 0, t0, truth[4], got[4], lp[NP], med[4];
    char stage[48] = "";
    size_t j, q, k;

    cp.refine_iter = 30;
    ref = invnet_inverter_alloc(f, &cp, NULL);
    if (raw == NULL || ref == NULL)
        die("inverter", NULL);
    for (j = 0; j < n_test; j++) {
        fwd_sounding s;
        invnet_result r;
        fwd_error e;

        bench_sounding(&s, m, NPTS, x, (double *)(uintptr_t)(Z + j * nd));
        t0 = fwd_time_seconds();
        if (invnet_invert(raw, &s, &r, &e) != FWD_OK)
            die("invert", &e);
        traw += fwd_time_seconds() - t0;
        mis[j] = r.misfit_rms_pct;
        for (k = 0; k < NL; k++)
            lp[k] = log10(r.rho_ohmm[k]);
        for (k = 0; k + 1 < NL; k++)
            lp[NL + k] = log10(r.thick_m[k]);
        resolved(P + j * NP, P + j * NP, truth);
        resolved(lp, P + j * NP, got);
        for (q = 0; q < 4; q++)
            err[q * n_test + j] = fabs(got[q] - truth[q]);
        t0 = fwd_time_seconds();
        if (invnet_invert(ref, &s, &r, &e) != FWD_OK)
            die("invert", &e);
        tref += fwd_time_seconds() - t0;
        rmis[j] = r.misfit_rms_pct;
        it[j] = (double)r.lm_iterations;
    }
    for (q = 0; q < 4; q++)
        med[q] = pct(err + q * n_test, n_test, 0.5);
    if (f->data_epochs > 0)
        snprintf(stage, sizeof stage, " (%zu data epochs)", f->n_epochs + 1 - f->data_first_epoch);
    printf("| %s | %.1f + %.1f s%s | %.2f / %.2f %% (%.1f / %.1f x noise) | %.3f | %.3f | %.3f | "
           "%.3f | %.2f / %.2f %% | %.1f | %.3f / %.3f ms (%.2f) |\n",
           label, t1, t2, stage, pct(mis, n_test, 0.5), pct(mis, n_test, 0.9),
           pct(mis, n_test, 0.5) / (100 * NOISE), pct(mis, n_test, 0.9) / (100 * NOISE), med[0],
           med[1], med[2], med[3], pct(rmis, n_test, 0.5), pct(rmis, n_test, 0.9),
           pct(it, n_test, 0.5), 1e3 * traw / (double)n_test, 1e3 * tref / (double)n_test,
           traw / tref);
    invnet_inverter_free(ref);
    invnet_inverter_free(raw);
    free(it);
    free(err);
    free(rmis);
    free(mis);
}

static void
method(fwd_method m, double x0, double x1)
{
    double x[NPTS], t1, t2, *P, *C, *Z;
    invnet_file *plain, *fitted;
    fwd_geom *geom;
    smp_config c;
    size_t i, nd;
    int masked;

    for (i = 0; i < NPTS; i++)
        x[i] = pow(10, log10(x0) + (log10(x1) - log10(x0)) * (double)i / (NPTS - 1));
    memset(&c, 0, sizeof c);
    c.geom = geom = fwd_geom_alloc(m, NPTS, x, NULL, NULL);
    c.noise = NOISE;
    c.seed = 42;
    if (c.geom == NULL || smp_prior_parse(&c.prior, NL, "1:1000", "1:100", NULL) != FWD_OK)
        die("prior", NULL);
    nd = fwd_geom_ndata(c.geom);
    bench_test_set(&c, n_test, &P, &C, &Z);
    for (masked = 0; masked < 2; masked++) {
        char label[96];

        c.seed = 42;
        plain = train(&c, masked, 0, &t1);
        fitted = train(&c, masked, n_data, &t2);
        snprintf(label, sizeof label, "%s, %s: parameters only", fwd_method_name(m),
                 masked ? "any sub-span (the default)" : "whole span");
        rows(label, plain, m, x, P, Z, nd, t1, 0);
        rows("+ data stage", fitted, m, x, P, Z, nd, t1, t2 - t1);
        invnet_file_free(fitted);
        invnet_file_free(plain);
    }
    fwd_geom_free(geom);
    free(Z);
    free(C);
    free(P);
}

int
main(int argc, char **argv)
{
    const char *usage = "bench_misfit [SAMPLES [EPOCHS [DATA-EPOCHS [TEST]]]]";

    bench_init();
    setvbuf(stdout, NULL, _IOLBF, 0); /* a row as soon as it is measured */
    n_samples = bench_count(argc, argv, 1, n_samples, 1000, usage);
    n_epochs = bench_count(argc, argv, 2, n_epochs, 1, usage);
    n_data = bench_count(argc, argv, 3, n_data, 1, usage);
    n_test = bench_count(argc, argv, 4, n_test, 10, usage);
    printf("## the net's own answer: data misfit with and without the data stage\n\n");
    printf(
        "4 layers, rho 1-1000 ohm-m, h 1-100 m, %d points; nets of 2 x %zu hidden units on %zu "
        "samples at %.0f %% noise, "
        "%zu epochs on the parameters' error, then up to %zu on the data misfit (2 threads); %zu "
        "test soundings of the prior. Errors: median |error| in log10 of rho_1, rho_4, and "
        "of the conductance S (transverse resistance T) of the middle layers 3 times more "
        "conductive (resistive) than both neighbours. Target of the raw net: misfit median "
        "<= 2 x noise, p90 <= 4 x noise.\n\n",
        NPTS, n_hidden, n_samples, 100 * NOISE, n_epochs, n_data, n_test);
    printf("| net | training: parameters + data stage | raw net misfit p50 / p90 | rho_1 | "
           "rho_4 | S | T | refined misfit p50 / p90 | LM iterations p50 | ms a sounding: raw / "
           "refined (ratio) |\n|---|---|---|---:|---:|---:|---:|---|---:|---|\n");
    method(FWD_SCHLUMBERGER, 1, 1000);
    method(FWD_WENNER, 1, 1000);
    method(FWD_MT, 1e-3, 1e3);
    return 0;
}
