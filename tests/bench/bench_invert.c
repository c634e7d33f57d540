/* SPDX-License-Identifier: MIT */
/*
 * bench_invert.c - inversion quality and cost, the net against classical Levenberg-Marquardt.
 *
 * Draws COUNT soundings from the net's own prior with another seed (7) and 3 % noise, writes
 * them as CSV files into DIR (for timing `bpinv invert` from the shell), and inverts them in
 * three ways on one thread: the net alone; the net refined by Levenberg-Marquardt inside the
 * prior (`invert --refine`); and Levenberg-Marquardt from a half-space start, the way a user
 * of IPI2Win or pyGIMLi would invert each sounding (unbounded, on at most LM_MAX soundings).
 * Prints, per method, the median and 90th percentile absolute error of each log10 parameter,
 * the fraction in range, the misfit percentiles, and the time per sounding, as Markdown.
 * usage: bench_invert NET.h5 DIR COUNT
 *        bench_invert --fault-cost   (microseconds per first touch of a fresh page: the
 *                                     start-up table sets the processes' page faults by it)
 *        bench_invert --startup N BPINV NET SOUNDING   (N rounds of three whole processes in
 *                                     turn, the order rotating: BPINV --version, invert
 *                                     --no-refine, invert; prints the median of the first and
 *                                     the medians of the two inverts' differences to it in
 *                                     their round, then those differences' 90th
 *                                     percentiles, ms)
 */
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <hdf5.h>

#include "forward/base/fwd_time.h"
#include "forward/fwd_forward.h"
#include "forward/readers/fwd_sounding.h"
#include "invnet/invert/invnet_invert.h"
#include "invnet/invert/invnet_lm.h"
#include "samples/smp_gen.h"

#define LM_MAX 1000

void openblas_set_num_threads(int num_threads);

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double
pct(double *v, size_t n, double q)
{
    gsl_sort(v, 1, n);
    return gsl_stats_quantile_from_sorted_data(v, 1, n, q);
}

/* One row of the table from errors err (n x np), misfits and in-range counts. */
static void
row(const char *method, size_t n, size_t np, size_t nl, double *err, double *mis, size_t in_range,
    double sec)
{
    double *col = malloc(n * sizeof *col);
    size_t i, j;

    printf("| %s | %zu |", method, n);
    for (j = 0; j < np; j++) {
        for (i = 0; i < n; i++)
            col[i] = err[i * np + j];
        printf(" %.3f / %.3f |", pct(col, n, 0.5), pct(col, n, 0.9));
    }
    printf(" %.1f %% | %.1f / %.1f / %.1f | %.3f |\n", 100.0 * (double)in_range / (double)n,
           pct(mis, n, 0.5), pct(mis, n, 0.9), pct(mis, n, 0.99), 1e3 * sec / (double)n);
    (void)nl;
    free(col);
}

/* The cost of a minor page fault here: pages never touched before (blocks this large are
 * mapped for themselves by malloc), first touched; median of 9 blocks, all held till the end. */
static double
fault_cost_us(void)
{
    const size_t len = (size_t)4 << 20, page = 4096;
    double t[9], t0;
    char *p[9];
    size_t k, i;

    for (k = 0; k < 9; k++) {
        if ((p[k] = malloc(len)) == NULL)
            return NAN;
        t0 = fwd_time_seconds();
        for (i = 0; i < len; i += page)
            ((volatile char *)p[k])[i] = 1;
        t[k] = 1e6 * (fwd_time_seconds() - t0) / (double)(len / page);
    }
    for (k = 0; k < 9; k++)
        free(p[k]);
    gsl_sort(t, 1, 9);
    return t[4];
}

extern char **environ;

/* Wall seconds of one whole process argv (its output to /dev/null); NAN if it failed. */
static double
run_s(char *const *argv)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st = -1;
    double t0;

    if (posix_spawn_file_actions_init(&fa) != 0)
        return NAN;
    if (posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return NAN;
    }
    t0 = fwd_time_seconds();
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0 || waitpid(pid, &st, 0) != pid) {
        posix_spawn_file_actions_destroy(&fa);
        return NAN;
    }
    t0 = fwd_time_seconds() - t0;
    posix_spawn_file_actions_destroy(&fa);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? t0 : NAN;
}

/* --startup: rounds of --version, invert --no-refine and invert, interleaved so that a drift
 * of the machine's speed moves all three, their order rotating from round to round; the
 * differences are taken within each round. Prints --version's median, the two differences'
 * medians, then their 90th percentiles (ms). */
static int
startup(size_t n, char *bpinv, char *net, char *snd)
{
    static char a_ver[] = "--version", a_inv[] = "invert", a_raw[] = "--no-refine";
    char *ver[] = {bpinv, a_ver, NULL};
    char *raw[] = {bpinv, a_inv, net, snd, a_raw, NULL};
    char *ref[] = {bpinv, a_inv, net, snd, NULL};
    char *const *cmd[3] = {ver, raw, ref};
    const char *name[3] = {"--version", "invert --no-refine", "invert"};
    double *t = n <= SIZE_MAX / (3 * sizeof *t) ? malloc(3 * n * sizeof *t) : NULL, one[3];
    size_t i, k;

    if (t == NULL)
        return 1;
    for (i = 0; i < n; i++) {
        for (k = 0; k < 3; k++) {
            size_t c = (i + k) % 3;

            one[c] = run_s(cmd[c]);
            if (!isfinite(one[c])) {
                fprintf(stderr, "bench_invert --startup: %s %s failed\n", bpinv, name[c]);
                free(t);
                return 1;
            }
        }
        t[i] = one[0];
        t[n + i] = one[1] - one[0];
        t[2 * n + i] = one[2] - one[0];
    }
    printf("%.2f %.2f %.2f %.2f %.2f\n", 1e3 * pct(t, n, 0.5), 1e3 * pct(t + n, n, 0.5),
           1e3 * pct(t + 2 * n, n, 0.5), 1e3 * pct(t + n, n, 0.9), 1e3 * pct(t + 2 * n, n, 0.9));
    free(t);
    return 0;
}

int
main(int argc, char **argv)
{
    invnet_file *nf;
    fwd_error err;
    smp_config c;
    smp_gen *g;
    size_t n, nl, np, npts, i, j, k, nlm;
    double *P, *C, *Z, *e_net, *e_ref, *e_lm, *m_net, *m_ref, *m_lm, t0, t_net = 0, t_ref = 0,
                                                                         t_lm = 0;
    size_t in_net = 0, in_ref = 0, in_lm = 0;
    invnet_check_params cp = invnet_check_default();
    invnet_inverter *vn, *vr;
    fwd_workspace *w;
    const double *x;

    if (argc == 2 && strcmp(argv[1], "--fault-cost") == 0) {
        printf("%.2f\n", fault_cost_us());
        return 0;
    }
    if (argc == 6 && strcmp(argv[1], "--startup") == 0 && atol(argv[2]) >= 1)
        return startup((size_t)atol(argv[2]), argv[3], argv[4], argv[5]);
    if (argc != 4 || atol(argv[3]) < 10) {
        fprintf(stderr, "usage: bench_invert NET.h5 DIR COUNT | --fault-cost | --startup N "
                        "BPINV NET SOUNDING\n");
        return 2;
    }
    gsl_set_error_handler_off();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    openblas_set_num_threads(1);
    nf = invnet_file_load(argv[1], &err);
    if (nf == NULL) {
        fprintf(stderr, "bench_invert: %s\n", err.msg);
        return 1;
    }
    if (fwd_geom_ndata(nf->geom) != fwd_geom_size(nf->geom)) {
        fprintf(stderr,
                "bench_invert: %s: a %s net; this bench takes DC nets (its soundings "
                "have apparent resistivities only)\n",
                argv[1], fwd_method_name(nf->samples.method));
        return 2;
    }
    n = (size_t)atol(argv[3]);
    nl = nf->samples.prior.n_layers;
    np = 2 * nl - 1;
    npts = fwd_geom_size(nf->geom);
    x = fwd_geom_x(nf->geom);
    memset(&c, 0, sizeof c);
    c.geom = nf->geom;
    c.prior = nf->samples.prior;
    c.noise = 0.03;
    c.seed = 7;
    P = malloc(n * np * sizeof *P);
    C = malloc(n * npts * sizeof *C);
    Z = malloc(n * npts * sizeof *Z);
    e_net = malloc(n * np * sizeof *e_net);
    e_ref = malloc(n * np * sizeof *e_ref);
    e_lm = malloc(n * np * sizeof *e_lm);
    m_net = malloc(n * sizeof *m_net);
    m_ref = malloc(n * sizeof *m_ref);
    m_lm = malloc(n * sizeof *m_lm);
    g = smp_gen_alloc(&c, 1, &err);
    if (g == NULL || smp_gen_run(g, 0, n, P, C, Z, &err) != FWD_OK) {
        fprintf(stderr, "bench_invert: %s\n", err.msg);
        return 1;
    }
    /* the files, for the command-line timings */
    for (i = 0; i < n; i++) {
        char path[4096];
        FILE *f;

        snprintf(path, sizeof path, "%s/s%06zu.csv", argv[2], i);
        f = fopen(path, "w");
        if (f == NULL) {
            fprintf(stderr, "bench_invert: %s: cannot create\n", path);
            return 1;
        }
        fprintf(f, "%s,rho_a_ohmm\n", fwd_method_xname(nf->samples.method));
        for (k = 0; k < npts; k++)
            fprintf(f, "%.10g,%.10g\n", x[k], Z[i * npts + k]);
        fclose(f);
    }
    vn = invnet_inverter_alloc(nf, NULL, NULL);
    cp.refine_iter = 30;
    vr = invnet_inverter_alloc(nf, &cp, NULL);
    w = fwd_workspace_alloc(nf->geom, NULL, NULL);
    nlm = n < LM_MAX ? n : LM_MAX;
    for (i = 0; i < n; i++) {
        fwd_sounding s;
        invnet_result r;
        double p[2 * FWD_MAX_LAYERS], rho[FWD_MAX_LAYERS], th[FWD_MAX_LAYERS], d[4096], s2 = 0;
        invnet_lm_count it;

        memset(&s, 0, sizeof s);
        s.method = nf->samples.method;
        s.n = npts;
        s.x = (double *)(uintptr_t)x;
        s.rho_a = Z + i * npts;
        strcpy(s.source, "bench");
        t0 = now();
        if (invnet_invert(vn, &s, &r, &err) != FWD_OK)
            return fprintf(stderr, "bench_invert: %s\n", err.msg), 1;
        t_net += now() - t0;
        for (j = 0; j < np; j++)
            e_net[i * np + j] =
                fabs(log10(j < nl ? r.rho_ohmm[j] : r.thick_m[j - nl]) - P[i * np + j]);
        m_net[i] = r.misfit_rms_pct;
        in_net += r.in_range;
        t0 = now();
        if (invnet_invert(vr, &s, &r, &err) != FWD_OK)
            return fprintf(stderr, "bench_invert: %s\n", err.msg), 1;
        t_ref += now() - t0;
        for (j = 0; j < np; j++)
            e_ref[i * np + j] =
                fabs(log10(j < nl ? r.rho_ohmm[j] : r.thick_m[j - nl]) - P[i * np + j]);
        m_ref[i] = r.misfit_rms_pct;
        in_ref += r.in_range;
        if (i >= nlm)
            continue;
        /* classical: from a half-space, no prior bounds */
        t0 = now();
        invnet_lm_halfspace_start(&s, nl, p);
        invnet_lm_fit(w, &s, nl, p, NULL, NULL, NULL, &it, NULL);
        t_lm += now() - t0;
        for (j = 0; j < np; j++) {
            e_lm[i * np + j] = fabs(p[j] - P[i * np + j]);
            if (j < nl)
                rho[j] = pow(10, p[j]);
            else
                th[j - nl] = pow(10, p[j]);
        }
        fwd_eval(w, nl, rho, th, d, NULL);
        for (k = 0; k < npts; k++)
            s2 += pow((d[k] - s.rho_a[k]) / s.rho_a[k], 2);
        m_lm[i] = 100 * sqrt(s2 / (double)npts);
        in_lm += 1;
        for (j = 0; j < np; j++) {
            const smp_prior *pr = &nf->samples.prior;
            double lo = log10(j < nl ? pr->rho_min[j] : pr->thick_min[j - nl]);
            double hi = log10(j < nl ? pr->rho_max[j] : pr->thick_max[j - nl]);

            if (p[j] < lo - 0.02 * (hi - lo) || p[j] > hi + 0.02 * (hi - lo)) {
                in_lm -= 1;
                break;
            }
        }
    }
    printf("## invert: quality on %zu soundings from the prior (seed 7, 3 %% noise), 1 thread\n\n",
           n);
    printf("| method | soundings |");
    for (j = 0; j < np; j++)
        printf(" %s%zu abs err log10 (median / p90) |", j < nl ? "rho" : "h",
               j < nl ? j + 1 : j - nl + 1);
    printf(" in range | misfit %% (p50 / p90 / p99) | ms per sounding |\n|---|---:|");
    for (j = 0; j < np; j++)
        printf("---:|");
    printf("---:|---:|---:|\n");
    row("net", n, np, nl, e_net, m_net, in_net, t_net);
    row("net + LM refinement in the prior (--refine)", n, np, nl, e_ref, m_ref, in_ref, t_ref);
    row("LM from a half-space (classical)", nlm, np, nl, e_lm, m_lm, in_lm, t_lm);
    printf("\n'in range' for the classical LM: its model inside the prior (2 %% tolerance). "
           "Noise is 3 %%: a misfit near 3 %% fits the data to the noise.\n");
    fwd_workspace_free(w);
    invnet_inverter_free(vr);
    invnet_inverter_free(vn);
    smp_gen_free(g);
    invnet_file_free(nf);
    free(m_lm);
    free(m_ref);
    free(m_net);
    free(e_lm);
    free(e_ref);
    free(e_net);
    free(Z);
    free(C);
    free(P);
    return 0;
}
