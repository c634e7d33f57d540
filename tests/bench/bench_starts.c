/* SPDX-License-Identifier: MIT */
/*
 * bench_starts.c - does the refinement find the best fit? `bpinv invert`'s answer (the
 * net's model refined from several starts while the fit misses the noise) and a
 * refinement from the net's model alone, against a reference: the best of 20 bounded
 * Levenberg-Marquardt fits of the same objective inside the same prior box (the net's
 * model, the half-space start and 18 log-uniform draws of the prior), each run to 200
 * iterations without the early stop.
 *
 * Soundings: T in-prior synthetic Schlumberger soundings (4 layers, rho 1-1000 ohm-m,
 * h 1-100 m, AB/2 1-1000 m, 30 points, 2 % noise) inverted by two nets trained on 40,000
 * samples of that prior, one of `bpinv train`'s defaults and one of the data stage's recipe
 * (--hidden 128,128 --data-epochs 160); then the field soundings of docs/examples with the nets of
 * `make demo` (the files build/demo/METHOD.net.h5), when they are there. Prints, per set, the share
 * of soundings whose misfit is within 5 % of the reference's (and the median ratio) and the time
 * per sounding on one thread of each: `invert`'s default, every start (`--fit-to 0`), and the
 * net's model alone.
 * With FILE, each sounding as one line of JSON there (its points, errors, prior box, the net's
 * model, each answer's model, cost and time, the reference's cost) for a reference of another
 * optimiser (bench_starts_scipy.py). usage: bench_starts [T [FILE]]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/base/fwd_rng.h"
#include "forward/base/fwd_time.h"
#include "forward/fwd_forward.h"
#include "forward/fwd_model.h"
#include "invnet/invert/invnet_invert.h"
#include "invnet/invert/invnet_lm.h"
#include "samples/smp_gen.h"
#include "tests/bench/bench_util.h"

#define NOISE 0.02
#define NL    4
#define NP    (2 * NL - 1)
#define NPTS  30
#define NREF  20

#define NMODE 3 /* invert's default, every start, one start */

#define BENCH_MAX_POINTS 1024 /* the most points of a sounding */

#define die(what, err) bench_die("bench_starts", what, err)

struct tally {
    size_t n, within[NMODE];
    double t[NMODE + 1], *ratio[NMODE];
};

static FILE *dump; /* the soundings as JSON lines, or NULL */

/* n doubles as a JSON array, or null */
static void
json_array(const char *key, const double *a, size_t n)
{
    size_t i;

    fprintf(dump, ", \"%s\": ", key);
    if (a == NULL) {
        fputs("null", dump);
        return;
    }
    for (i = 0; i < n; i++)
        fprintf(dump, "%c%.17g", i == 0 ? '[' : ',', a[i]);
    fputs(n == 0 ? "[]" : "]", dump);
}

/* s as fitted (so), its prior box, the net's model p0 and the answers q of the modes with
 * their costs m (of the data as each mode joined them, obs: a Schlumberger sounding's
 * segments' levels are fitted with the model) and times dt (s), the reference's cost ref and
 * time: one JSON line. */
static void
dump_one(const char *set, const fwd_sounding *so, double noise, size_t nl, const double *lo,
         const double *hi, const double *p0, double (*q)[2 * FWD_MAX_LAYERS],
         double (*obs)[BENCH_MAX_POINTS], const double *m, const double *dt, double ref,
         double tref)
{
    size_t np = FWD_MODEL_NPARAMS(nl), k;
    const char *mode[NMODE] = {"default", "all", "one"};

    fprintf(dump, "{\"set\": \"%s\", \"method\": \"%s\", \"noise\": %.17g, \"layers\": %zu", set,
            fwd_method_get(so->method)->name, noise, nl);
    json_array("x", so->x, so->n);
    json_array("mn2", so->mn2, so->n);
    json_array("rho_a", so->rho_a, so->n);
    json_array("phase", so->phase, so->n);
    json_array("sd_log10", so->sd_log10, so->n);
    json_array("sd_phase", so->sd_phase, so->n);
    json_array("lo", lo, np);
    json_array("hi", hi, np);
    json_array("net", p0, np);
    for (k = 0; k < NMODE; k++) {
        char key[32];

        snprintf(key, sizeof key, "model_%s", mode[k]);
        json_array(key, q[k], np);
        snprintf(key, sizeof key, "rho_a_%s", mode[k]);
        json_array(key, obs[k], so->n);
        fprintf(dump, ", \"cost_%s\": %.17g, \"s_%s\": %.17g", mode[k], m[k], mode[k], dt[k]);
    }
    fprintf(dump, ", \"cost_ref\": %.17g, \"s_ref\": %.17g}\n", ref, tref);
}

/* One sounding: invert's answer (the default starts, every start, one start), and the
 * reference. */
static void
one(const char *set, const invnet_file *nf, invnet_inverter **v, fwd_workspace *w,
    const fwd_sounding *s, struct tally *t, int verbose)
{
    const smp_prior *pr = &nf->samples.prior;
    size_t nl = pr->n_layers, np = FWD_MODEL_NPARAMS(nl), j;
    double lo[2 * FWD_MAX_LAYERS], hi[2 * FWD_MAX_LAYERS], p0[2 * FWD_MAX_LAYERS], m[NMODE], ref,
        t0, q[NMODE][2 * FWD_MAX_LAYERS], dt[NMODE], tref, obs[NMODE][BENCH_MAX_POINTS];
    fwd_sounding so = *s;
    invnet_result r;
    fwd_error err;
    int k;

    for (j = 0; j < np; j++) {
        lo[j] = log10(j < nl ? pr->rho_min[j] : pr->thick_min[j - nl]);
        hi[j] = log10(j < nl ? pr->rho_max[j] : pr->thick_max[j - nl]);
    }
    if (s->n > BENCH_MAX_POINTS)
        die("a sounding of more points than BENCH_MAX_POINTS", NULL);
    for (k = 0; k < NMODE; k++) {
        t0 = fwd_time_seconds();
        if (invnet_invert(v[k], s, &r, &err) != FWD_OK)
            die("invert", &err);
        dt[k] = fwd_time_seconds() - t0;
        t->t[k] += dt[k];
        /* the data as invert fits them (Schlumberger segments joined) */
        memcpy(obs[k], r.observed, s->n * sizeof *obs[k]);
        so = *s;
        so.rho_a = obs[k];
        for (j = 0; j < nl; j++)
            q[k][j] = log10(r.rho_ohmm[j]);
        for (j = 0; j + 1 < nl; j++)
            q[k][nl + j] = log10(r.thick_m[j]);
        m[k] = bench_cost(w, &so, nl, q[k], nf->samples.noise);
    }
    /* the net's own model, for the reference's first start */
    {
        invnet_check_params cp = invnet_check_default();
        invnet_inverter *raw = invnet_inverter_alloc(nf, &cp, NULL);

        if (raw == NULL || invnet_invert(raw, s, &r, &err) != FWD_OK)
            die("invert", &err);
        for (j = 0; j < nl; j++)
            p0[j] = log10(r.rho_ohmm[j]);
        for (j = 0; j + 1 < nl; j++)
            p0[nl + j] = log10(r.thick_m[j]);
        invnet_inverter_free(raw);
    }
    t0 = fwd_time_seconds();
    ref = bench_best_fit(w, &so, nl, p0, 1, NREF - 2, lo, hi, nf->samples.noise,
                         fwd_sounding_hash(&so, 99), NULL);
    tref = fwd_time_seconds() - t0;
    t->t[NMODE] += tref;
    for (k = 0; k < NMODE; k++) { /* misfits: the square roots of the costs */
        t->ratio[k][t->n] = sqrt(m[k] / ref);
        t->within[k] += t->ratio[k][t->n] <= 1.05;
    }
    if (verbose)
        printf("| %s | %.4g | %.4g | %.4g | %.4g |\n", s->source, m[0], m[1], m[2], ref);
    if (dump != NULL)
        dump_one(set, &so, nf->samples.noise, nl, lo, hi, p0, q, obs, m, dt, ref, tref);
    t->n++;
}

static void
report(const char *set, const struct tally *t)
{
    size_t k;

    printf("| %s | %zu", set, t->n);
    for (k = 0; k < NMODE; k++)
        printf(" | %.1f %% (%.3f)", 100.0 * (double)t->within[k] / (double)t->n,
               bench_pct(t->ratio[k], t->n, 0.5));
    printf(" | %.2f / %.2f / %.2f / %.1f ms | %.0f x / %.0f x |\n", 1e3 * t->t[0] / (double)t->n,
           1e3 * t->t[1] / (double)t->n, 1e3 * t->t[2] / (double)t->n,
           1e3 * t->t[NMODE] / (double)t->n, t->t[NMODE] / t->t[0], t->t[NMODE] / t->t[1]);
}

static struct tally
tally_new(size_t n)
{
    struct tally t;

    size_t k;

    memset(&t, 0, sizeof t);
    for (k = 0; k < NMODE; k++)
        if ((t.ratio[k] = malloc(n * sizeof(double))) == NULL)
            die("tally", NULL);
    return t;
}

static void
tally_free(struct tally *t)
{
    size_t k;

    for (k = 0; k < NMODE; k++)
        free(t->ratio[k]);
}

/* The inverters of nf: the default refinement, every start (--fit-to 0), one start. */
static void
inverters(const invnet_file *nf, invnet_inverter **v)
{
    invnet_check_params cp = invnet_check_default();
    size_t k;

    cp.refine_iter = 30;
    v[0] = invnet_inverter_alloc(nf, &cp, NULL);
    cp.refit_factor = 0;
    v[1] = invnet_inverter_alloc(nf, &cp, NULL);
    cp.refit_factor = invnet_check_default().refit_factor;
    cp.refine_starts = 1;
    v[2] = invnet_inverter_alloc(nf, &cp, NULL);
    for (k = 0; k < NMODE; k++)
        if (v[k] == NULL)
            die("inverter", NULL);
}

static void
inverters_free(invnet_inverter **v)
{
    size_t k;

    for (k = 0; k < NMODE; k++)
        invnet_inverter_free(v[k]);
}

int
main(int argc, char **argv)
{
    size_t n_test = bench_count(argc, argv, 1, 200, 10, "bench_starts [TEST [FILE]]"), i;
    int stage;
    const char *set[2] = {"defaults", "data-stage"};
    const char *demo[][3] = {
        {"build/demo/schlumberger.net.h5", "docs/examples/mawlamyine_loc3_schlumberger.csv", ""},
        {"build/demo/wenner.net.h5", "docs/examples/aungsan_wenner.txt", ""},
        {"build/demo/mt.net.h5", "docs/examples/cull1985_mt.txt", ""},
        {"build/demo/mt.net.h5", "docs/examples/penola_site3.edi", ""}};
    double x[NPTS], *P, *C, *Z;
    invnet_inverter *v[NMODE];
    struct tally syn, field = tally_new(4);
    invnet_file *nf;
    fwd_workspace *w;
    smp_config c;

    bench_init();
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2 && (dump = fopen(argv[2], "w")) == NULL) {
        perror(argv[2]);
        return 1;
    }
    for (i = 0; i < NPTS; i++)
        x[i] = pow(10, 3.0 * (double)i / (NPTS - 1));
    memset(&c, 0, sizeof c);
    c.geom = fwd_geom_alloc(FWD_SCHLUMBERGER, NPTS, x, NULL, NULL);
    c.noise = NOISE;
    c.seed = 42;
    if (c.geom == NULL || smp_prior_parse(&c.prior, NL, "1:1000", "1:100", NULL) != FWD_OK)
        die("prior", NULL);
    bench_test_set(&c, n_test, &P, &C, &Z);
    printf("## refinement: the best fit from several starts\n\n");
    printf("Share of soundings whose misfit (the square root of the cost the fits minimise: "
           "log residuals at the training noise, or the sounding's errors) is within 5 %% of the "
           "reference's "
           "(the best of %d bounded fits of the same objective, 200 iterations each: the net's "
           "model, the "
           "half-space start, %d draws of the prior), and the median ratio to it; time per "
           "sounding on one thread. `invert`: the net's model, then up to 7 more starts while "
           "the fit misses 1.5 x the noise; `--fit-to 0`: all 8 starts; one start: the net's "
           "model alone.\n\n",
           NREF, NREF - 2);
    printf("| soundings | n | invert: within 5 %% (median ratio) | --fit-to 0 | one start | ms: "
           "invert / --fit-to 0 / one start / reference | reference / invert, / --fit-to 0 "
           "|\n|---|---:|---|---|---|---|---:|\n");
    for (stage = 0; stage < 2; stage++) {
        invnet_fit_params fp = invnet_fit_default();

        /* the net of `bpinv train`'s defaults, then the data stage's recipe (train.md) */
        fp.train.epochs = 60;
        fp.train.nthreads = 2;
        if (stage) {
            fp.hidden[0] = fp.hidden[1] = 128;
            fp.n_hidden = 2;
            fp.data_epochs = 160;
        }
        nf = bench_fit(&c, 40000, &fp);
        inverters(nf, v);
        w = fwd_workspace_alloc(nf->geom, NULL, NULL);
        syn = tally_new(n_test);
        for (i = 0; i < n_test; i++) {
            fwd_sounding s;

            bench_sounding(&s, FWD_SCHLUMBERGER, NPTS, x, Z + i * NPTS);
            one(set[stage], nf, v, w, &s, &syn, 0);
        }
        report(stage ? "Schlumberger, in the prior, 2 % noise; net of --hidden 128,128 "
                       "--data-epochs 160"
                     : "Schlumberger, in the prior, 2 % noise; net of the defaults",
               &syn);
        tally_free(&syn);
        fwd_workspace_free(w);
        inverters_free(v);
        invnet_file_free(nf);
    }
    for (i = 0; i < 4; i++) {
        fwd_error err;
        invnet_file *dn = invnet_file_load(demo[i][0], &err);
        fwd_sounding *s;
        fwd_geom *sg;

        if (dn == NULL) {
            printf("\n(field soundings skipped: %s; run make demo first)\n", err.msg);
            break;
        }
        s = fwd_sounding_read(demo[i][1], dn->samples.method, FWD_COMP_DET, &err);
        if (s == NULL)
            die("field sounding", &err);
        inverters(dn, v);
        sg = fwd_sounding_geom(s, &err);
        w = sg != NULL ? fwd_workspace_alloc(sg, NULL, NULL) : NULL;
        if (w == NULL)
            die("workspace", NULL);
        printf("%s", i == 0 ? "\n| field sounding: cost of the fit | invert | --fit-to 0 | one "
                              "start | reference |\n|---|---:|---:|---:|---:|\n"
                            : "");
        one("field", dn, v, w, s, &field, 1);
        fwd_workspace_free(w);
        fwd_geom_free(sg);
        inverters_free(v);
        fwd_sounding_free(s);
        invnet_file_free(dn);
        if (i == 3) {
            printf("\n| soundings | n | invert: within 5 %% (median ratio) | --fit-to 0 | one "
                   "start | ms: invert / --fit-to 0 / one start / reference | reference / "
                   "invert, / --fit-to 0 |\n|---|---:|---|---|---|---|---:|\n");
            report("field soundings of docs/examples (demo nets)", &field);
        }
    }
    tally_free(&field);
    fwd_geom_free((fwd_geom *)(uintptr_t)c.geom);
    free(P);
    free(C);
    free(Z);
    if (dump != NULL && fclose(dump) != 0) {
        perror(argv[2]);
        return 1;
    }
    return 0;
}
