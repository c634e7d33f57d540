/* SPDX-License-Identifier: MIT */
/*
 * bench_forward.c - forward models per second, per method, on 1 and 2 threads.
 *
 * Geometry as in DESIGN.md: 30 log-spaced points, AB/2 and a from 1 to 1000 m, periods
 * from 1e-3 to 1e3 s. Models: 4 layers, log-uniform rho in [1, 1000] ohm-m and h in
 * [1, 100] m, drawn with a fixed seed. The peer, timed in the same run, is the textbook
 * evaluation of the same filter on T - rho_1 (tanh recursion at all 201 taps, no early
 * exits), so the
 * ratio does not depend on the CPU. Then the cost of the analytic Jacobian
 * (fwd_jacobian) in evaluations of the same model, against the 2n evaluations of forward
 * differences. Prints Markdown tables.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <omp.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_internal.h"
#include "forward/fwd_model.h"
#include "forward/base/fwd_rng.h"

#define NL    4
#define NP    FWD_MODEL_NPARAMS(NL)
#define NPTS  30
#define COUNT 200000

static double
uniform(uint64_t *s)
{
    return (double)(fwd_splitmix64(s) >> 11) * 0x1.0p-53;
}

/* Models per second of fwd_eval_batch over COUNT models on nt threads; workspaces are
 * made before the clock starts (their setup is timed by setup_ms). */
static double
rate(const fwd_geom *g, const double *p, int nt, double *checksum)
{
    size_t nd = fwd_geom_ndata(g);
    double *d = malloc((size_t)COUNT * nd * sizeof *d), t0 = 0, t1 = 0, s = 0;
    long m;

#pragma omp parallel num_threads(nt) default(none) shared(g, p, d, nd, t0, t1)
    {
        fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
#pragma omp barrier
#pragma omp single
        t0 = omp_get_wtime();
#pragma omp for schedule(static, 256)
        for (m = 0; m < COUNT; m++)
            fwd_eval_batch(w, NL, 1, p + m * NP, d + m * nd, NULL);
#pragma omp single
        t1 = omp_get_wtime();
        fwd_workspace_free(w);
    }
    for (m = 0; m < (long)(COUNT * nd); m++)
        s += d[m];
    *checksum = s;
    free(d);
    return COUNT / (t1 - t0);
}

/* Jacobians per second of fwd_jacobian (approx: fwd_jacobian_approx) over count models,
 * one thread. */
static double
jac_rate(const fwd_geom *g, const double *p, size_t count, int approx)
{
    size_t nd = fwd_geom_ndata(g), m;
    double *d = malloc(nd * sizeof *d), *J = malloc(nd * NP * sizeof *J), t0, t1;
    fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
    int (*jac)(fwd_workspace *, size_t, const double *, double *, double *, fwd_error *) =
        approx ? fwd_jacobian_approx : fwd_jacobian;

    jac(w, NL, p, d, J, NULL); /* its scratch */
    t0 = omp_get_wtime();
    for (m = 0; m < count; m++)
        jac(w, NL, p + m * NP, d, J, NULL);
    t1 = omp_get_wtime();
    fwd_workspace_free(w);
    free(J);
    free(d);
    return (double)count / (t1 - t0);
}

/* Milliseconds to make (and free) one workspace: the mean of 20, after one not timed. */
static double
setup_ms(const fwd_geom *g)
{
    double t0 = 0;
    int i;

    for (i = 0; i <= 20; i++) {
        fwd_workspace *w;

        if (i == 1)
            t0 = omp_get_wtime();
        w = fwd_workspace_alloc(g, NULL, NULL);
        if (w == NULL) {
            fprintf(stderr, "bench_forward: workspace: out of memory\n");
            exit(1);
        }
        fwd_workspace_free(w);
    }
    return 1e3 * (omp_get_wtime() - t0) / 20;
}

/* The textbook Schlumberger evaluation: tanh recursion at every tap. */
static double
peer_rhos(const double *rho, const double *h, double s)
{
    double sum = 0, T, t, lam;
    size_t i, j;

    for (i = 0; i < FWD_KEY201_N; i++) {
        lam = fwd_key201_base[i] / s;
        T = rho[NL - 1];
        for (j = NL - 1; j-- > 0;) {
            t = tanh(lam * h[j]);
            T = (T + rho[j] * t) / (1.0 + T * t / rho[j]);
        }
        sum += fwd_key201_base[i] * fwd_key201_j1[i] * (T - rho[0]);
    }
    return rho[0] + sum;
}

static double
peer_rate(const double *x, const double *p, size_t count, double *maxdiff, const fwd_geom *g)
{
    double rho[NL], h[NL - 1], t0, t1, out[NPTS], ours[NPTS], md = 0;
    fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
    size_t m, i;

    t0 = omp_get_wtime();
    for (m = 0; m < count; m++) {
        fwd_model_from_log10(NL, p + m * NP, rho, h, NULL);
        for (i = 0; i < NPTS; i++)
            out[i] = peer_rhos(rho, h, x[i]);
        if (m < 200) {
            fwd_eval(w, NL, rho, h, ours, NULL);
            for (i = 0; i < NPTS; i++)
                md = fmax(md, fabs(out[i] / ours[i] - 1));
        }
    }
    t1 = omp_get_wtime();
    fwd_workspace_free(w);
    *maxdiff = md;
    return (double)count / (t1 - t0);
}

/* The CPU model from /proc/cpuinfo, or "unknown". */
static void
cpu_model(char *buf, size_t n)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256], *c;

    snprintf(buf, n, "unknown");
    if (f == NULL)
        return;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "model name", 10) == 0 && (c = strchr(line, ':')) != NULL) {
            snprintf(buf, n, "%s", c + 2);
            buf[strcspn(buf, "\n")] = '\0';
            break;
        }
    }
    fclose(f);
}

int
main(void)
{
    fwd_method methods[] = {FWD_SCHLUMBERGER, FWD_WENNER, FWD_MT};
    double x[NPTS], *p = malloc((size_t)COUNT * NP * sizeof *p), r1, r2, c1, c2, pr, md;
    double r1s[3], rj, ra;
    uint64_t seed = 42;
    size_t i, k;
    fwd_geom *g;
    time_t now = time(NULL);
    char date[32], cpu[128];

    for (i = 0; i < (size_t)COUNT * NP; i++) {
        k = i % NP;
        p[i] = k < NL ? 3.0 * uniform(&seed) : 2.0 * uniform(&seed);
    }
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));
    cpu_model(cpu, sizeof cpu);
    printf("## forward: models/s (4 layers, 30 points)\n\n%s, %s, %d cores available\n\n", date,
           cpu, omp_get_num_procs());
    printf(
        "| method | 1 thread | 2 threads | speed-up | target (2 cores) | workspace setup, ms |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (k = 0; k < 3; k++) {
        for (i = 0; i < NPTS; i++)
            x[i] = (methods[k] == FWD_MT ? 1e-3 : 1.0) *
                   pow(10.0, (methods[k] == FWD_MT ? 6.0 : 3.0) * i / (NPTS - 1));
        g = fwd_geom_alloc(methods[k], NPTS, x, NULL, NULL);
        r1 = rate(g, p, 1, &c1);
        r1s[k] = r1;
        r2 = rate(g, p, 2, &c2);
        printf("| %s | %.0f | %.0f | %.2f | %s | %.3f |\n", fwd_method_name(methods[k]), r1, r2,
               r2 / r1, methods[k] == FWD_SCHLUMBERGER ? ">= 300000" : "-", setup_ms(g));
        if (c1 != c2)
            printf("\n**error: 1 and 2 threads gave different results**\n");
        if (methods[k] == FWD_SCHLUMBERGER) {
            pr = peer_rate(x, p, 2000, &md, g);
            printf("| peer: Key 201 textbook, all taps | %.0f | - | - | - | - |\n", pr);
            printf("| ratio bpinv / peer, 1 thread | %.1f | | | | |\n", r1 / pr);
            printf("| max relative difference to peer | %.1e | | | | |\n", md);
        }
        fwd_geom_free(g);
    }
    printf("\n## forward: Jacobians/s (4 layers, 30 points, %d parameters, 1 thread)\n\n", NP);
    printf("| method | models/s | Jacobians/s | cost in models | fwd_jacobian_approx: "
           "Jacobians/s, cost in models | forward differences, models |\n"
           "|---|---:|---:|---:|---:|---:|\n");
    for (k = 0; k < 3; k++) {
        for (i = 0; i < NPTS; i++)
            x[i] = (methods[k] == FWD_MT ? 1e-3 : 1.0) *
                   pow(10.0, (methods[k] == FWD_MT ? 6.0 : 3.0) * i / (NPTS - 1));
        g = fwd_geom_alloc(methods[k], NPTS, x, NULL, NULL);
        rj = jac_rate(g, p, COUNT / 4, 0);
        ra = jac_rate(g, p, COUNT / 4, 1);
        printf("| %s | %.0f | %.0f | %.2f | %.0f, %.2f | %d |\n", fwd_method_name(methods[k]),
               r1s[k], rj, r1s[k] / rj, ra, r1s[k] / ra, NP + 1);
        fwd_geom_free(g);
    }
    free(p);
    return 0;
}
