/* SPDX-License-Identifier: MIT */
/*
 * test_fill.c - a samples run as one call (smp_file_fill): the file it writes is the one the
 * step-by-step loop of `bpinv samples` wrote before it (chunk-aligned batches of
 * smp_gen_run then smp_file_append), for any batch size; a stop from its callback leaves
 * whole chunks, and a resume completes the same file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/common.h"
#include <gsl/gsl_errno.h>
#include <hdf5.h>

#include "forward/fwd_model.h"
#include "samples/smp_file.h"
#include "samples/smp_gen.h"

#define N  5000
#define ND 12

static char dir[64];
static smp_config cfg;
static fwd_geom *geom;

static void
setup(void)
{
    double x[ND];
    size_t i;

    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    gsl_set_error_handler_off();
    tst_mkdtemp(dir, sizeof dir, "fill");
    for (i = 0; i < ND; i++)
        x[i] = 0.7 * pow(1500.0, (double)i / (ND - 1.0));
    memset(&cfg, 0, sizeof cfg);
    geom = fwd_geom_alloc(FWD_SCHLUMBERGER, ND, x, NULL, NULL);
    cr_assert_not_null(geom);
    cfg.geom = geom;
    cr_assert_eq(smp_prior_parse(&cfg.prior, 3, "2:2000", "0.5:80", NULL), 0);
    cfg.noise = 0.04;
    cfg.seed = 11;
}

static void
teardown(void)
{
    tst_rmtree(dir);
    fwd_geom_free(geom);
}

/* the suite smp_file spans test_file.c and test_fill.c: each test names its own setup */

static void
path(char *buf, const char *name)
{
    snprintf(buf, 128, "%s/%s", dir, name);
}

/* The run as tools/cmd_samples.c made it before smp_file_fill: the batch rounded up to
 * whole chunks, each batch cut to end on a chunk boundary, generated then appended. */
static void
old_loop(const char *p, uint64_t count, long batch, int threads)
{
    size_t np = FWD_MODEL_NPARAMS(cfg.prior.n_layers), nd = fwd_geom_ndata(geom);
    double *params, *clean, *noisy;
    uint64_t done, todo;
    fwd_error err;
    smp_file *f = smp_file_create(p, &cfg, count, "t", 0, &err);
    smp_gen *gen = smp_gen_alloc(&cfg, threads, &err);

    cr_assert(f != NULL && gen != NULL, "%s", err.msg);
    smp_file_set_threads(f, threads);
    batch = (batch + SMP_FILE_CHUNK_ROWS - 1) / SMP_FILE_CHUNK_ROWS * SMP_FILE_CHUNK_ROWS;
    params = malloc((size_t)batch * np * sizeof *params);
    clean = malloc((size_t)batch * nd * sizeof *clean);
    noisy = malloc((size_t)batch * nd * sizeof *noisy);
    cr_assert(params != NULL && clean != NULL && noisy != NULL);
    done = smp_file_complete(f);
    while (done < count) {
        todo = (uint64_t)batch - done % SMP_FILE_CHUNK_ROWS;
        todo = count - done < todo ? count - done : todo;
        cr_assert_eq(smp_gen_run(gen, done, (size_t)todo, params, clean, noisy, &err), 0, "%s",
                     err.msg);
        cr_assert_eq(smp_file_append(f, (size_t)todo, params, clean, noisy, &err), 0, "%s",
                     err.msg);
        done += todo;
    }
    cr_assert_eq(smp_file_close(f, &err), 0, "%s", err.msg);
    free(noisy);
    free(clean);
    free(params);
    smp_gen_free(gen);
}

/* What the progress callback saw, and when it stops the run (0: never). */
struct seen {
    uint64_t done[64], total;
    size_t n, stop_after;
};

static int
record(uint64_t done, uint64_t total, void *ud)
{
    struct seen *s = ud;

    cr_assert_lt(s->n, 64);
    s->done[s->n++] = done;
    s->total = total;
    return s->stop_after > 0 && s->n >= s->stop_after;
}

/* Fills a file made (or resumed) at p for count samples; returns its n_complete. */
static uint64_t
fill(const char *p, int resume, uint64_t count, size_t batch, int threads, struct seen *s)
{
    fwd_error err;
    smp_file *f = resume ? smp_file_resume(p, &cfg, count, &err)
                         : smp_file_create(p, &cfg, count, "t", 0, &err);
    smp_gen *gen = smp_gen_alloc(&cfg, threads, &err);
    uint64_t done;

    cr_assert(f != NULL && gen != NULL, "%s", err.msg);
    smp_file_set_threads(f, threads);
    cr_assert_eq(smp_file_fill(f, gen, batch, s != NULL ? record : NULL, s, &err), 0, "%s",
                 err.msg);
    done = smp_file_complete(f);
    cr_assert_eq(smp_file_close(f, &err), 0, "%s", err.msg);
    smp_gen_free(gen);
    return done;
}

/* Dataset name of file p, whole, into a new array of *n doubles. */
static double *
read_all(const char *p, const char *name, size_t *n)
{
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT), d, s;
    hsize_t dims[2];
    double *v;

    cr_assert(f >= 0, "%s", p);
    d = H5Dopen2(f, name, H5P_DEFAULT);
    s = H5Dget_space(d);
    cr_assert_eq(H5Sget_simple_extent_ndims(s), 2);
    H5Sget_simple_extent_dims(s, dims, NULL);
    *n = (size_t)(dims[0] * dims[1]);
    v = malloc((*n + 1) * sizeof *v);
    cr_assert(*n == 0 || H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    H5Sclose(s);
    H5Dclose(d);
    cr_assert_eq(H5Fget_obj_count(f, H5F_OBJ_ALL), 1);
    H5Fclose(f);
    return v;
}

/* Files a and b hold the same datasets, bit for bit, and the same counts. */
static void
same_file(const char *a, const char *b)
{
    static const char *const names[] = {"models", "data_clean", "data_noisy"};
    smp_header ha, hb;
    fwd_error err;
    size_t k, na, nb;

    for (k = 0; k < 3; k++) {
        double *x = read_all(a, names[k], &na), *y = read_all(b, names[k], &nb);

        cr_assert_eq(na, nb, "%s: %zu values, not %zu", names[k], na, nb);
        cr_assert(memcmp(x, y, na * sizeof *x) == 0, "%s differs", names[k]);
        free(y);
        free(x);
    }
    cr_assert_eq(smp_file_read_header(a, &ha, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(smp_file_read_header(b, &hb, NULL, &err), 0, "%s", err.msg);
    cr_assert(ha.n_complete == hb.n_complete && ha.n_requested == hb.n_requested);
}

Test(smp_file, writes_what_the_old_loop_wrote, .init = setup, .fini = teardown)
{
    char a[128], b[128];

    path(a, "old.h5");
    path(b, "fill.h5");
    old_loop(a, N, 1000, 2);
    cr_assert_eq(fill(b, 0, N, 1000, 2, NULL), N);
    same_file(a, b);
}

Test(smp_file, any_batch_size_and_thread_count_gives_the_same_file, .init = setup, .fini = teardown)
{
    char a[128], b[128], c[128];
    struct seen s;

    path(a, "b1000.h5");
    path(b, "b5000.h5");
    path(c, "b1.h5");
    memset(&s, 0, sizeof s);
    cr_assert_eq(fill(a, 0, N, 1000, 1, &s), N);
    /* 1000 rounds up to 1024: batches end on chunk boundaries, the last at N */
    cr_assert_eq(s.n, 5);
    cr_assert(s.done[0] == 1024 && s.done[1] == 2048 && s.done[3] == 4096 && s.done[4] == N);
    cr_assert_eq(s.total, N);
    cr_assert_eq(fill(b, 0, N, 5000, 3, NULL), N);
    cr_assert_eq(fill(c, 0, N, 1, 2, NULL), N);
    same_file(a, b);
    same_file(a, c);
}

Test(smp_file, a_stop_leaves_whole_chunks_and_a_resume_completes_the_file, .init = setup,
     .fini = teardown)
{
    char whole[128], cut[128];
    struct seen s;
    smp_header h;
    fwd_error err;

    path(whole, "whole.h5");
    path(cut, "cut.h5");
    cr_assert_eq(fill(whole, 0, N, 1000, 2, NULL), N);
    memset(&s, 0, sizeof s);
    s.stop_after = 2;
    cr_assert_eq(fill(cut, 0, N, 1000, 2, &s), 2048);
    cr_assert_eq(s.n, 2);
    cr_assert_eq(smp_file_read_header(cut, &h, NULL, &err), 0, "%s", err.msg);
    cr_assert(h.n_complete == 2048 && h.n_complete % SMP_FILE_CHUNK_ROWS == 0);
    /* as --resume does: the same config, the rest in other batches */
    memset(&s, 0, sizeof s);
    cr_assert_eq(fill(cut, 1, N, 2000, 1, &s), N);
    cr_assert(s.n == 2 && s.done[0] == 4096 && s.done[1] == N, "%zu batches, the first to %llu",
              s.n, (unsigned long long)s.done[0]);
    same_file(whole, cut);
}

/* A finished file extended by a resume starts off a chunk boundary: the first batch ends
 * on the next one, the file equals one run. */
Test(smp_file, a_finished_file_extended_off_a_boundary, .init = setup, .fini = teardown)
{
    char whole[128], part[128];
    struct seen s;

    path(whole, "whole.h5");
    path(part, "part.h5");
    cr_assert_eq(fill(whole, 0, N, 1024, 2, NULL), N);
    cr_assert_eq(fill(part, 0, 2345, 1024, 2, NULL), 2345);
    memset(&s, 0, sizeof s);
    cr_assert_eq(fill(part, 1, N, 1024, 2, &s), N);
    cr_assert_eq(s.n, 3);
    cr_assert(s.done[0] == 3072 && s.done[1] == 4096 && s.done[2] == N, "%llu %llu %llu",
              (unsigned long long)s.done[0], (unsigned long long)s.done[1],
              (unsigned long long)s.done[2]);
    same_file(whole, part);
    /* complete: nothing more to do, no batch, no call */
    memset(&s, 0, sizeof s);
    cr_assert_eq(fill(part, 1, N, 1024, 1, &s), N);
    cr_assert_eq(s.n, 0);
}

Test(smp_file, batch_rows_rounds_up_to_whole_chunks_once, .init = setup, .fini = teardown)
{
    const size_t c = SMP_FILE_CHUNK_ROWS;
    const size_t in[] = {0, 1, 1000, 1024, 1025, 16384, 10000000, SIZE_MAX};
    size_t i, r;

    cr_assert_eq(smp_file_batch_rows(1), c);
    cr_assert_eq(smp_file_batch_rows(0), c);
    cr_assert_eq(smp_file_batch_rows(1024), 1024);
    cr_assert_eq(smp_file_batch_rows(1025), 2048);
    cr_assert_eq(smp_file_batch_rows(10000000), 10000384);
    for (i = 0; i < sizeof in / sizeof in[0]; i++) {
        r = smp_file_batch_rows(in[i]);
        cr_assert(r % c == 0 && r > 0, "%zu -> %zu", in[i], r);
        cr_assert(r >= in[i] || in[i] > SIZE_MAX - c, "%zu -> %zu", in[i], r);
        cr_assert_eq(smp_file_batch_rows(r), r, "not idempotent at %zu", in[i]);
    }
}

Test(smp_file, next_batch_ends_on_a_chunk_boundary, .init = setup, .fini = teardown)
{
    char p[128];
    fwd_error err;
    smp_file *f;
    smp_gen *gen = smp_gen_alloc(&cfg, 1, NULL);
    size_t n;

    path(p, "next.h5");
    cr_assert_eq(fill(p, 0, 700, 500, 1, NULL), 700);
    f = smp_file_resume(p, &cfg, N, &err);
    cr_assert_not_null(f, "%s", err.msg);
    /* from 700: to 1024 with batches of 1 chunk, to 2048 with 2 */
    cr_assert_eq(smp_file_next_batch(f, 1), 324);
    cr_assert_eq(smp_file_next_batch(f, 2048), 1348);
    cr_assert_eq(smp_file_next_batch(f, 1 << 20), N - 700);
    n = smp_file_next_batch(f, 1);
    {
        size_t np = FWD_MODEL_NPARAMS(3), nd = ND;
        double *pp = malloc(n * np * sizeof *pp), *cc = malloc(n * nd * sizeof *cc),
               *zz = malloc(n * nd * sizeof *zz);

        cr_assert_eq(smp_gen_run(gen, 700, n, pp, cc, zz, &err), 0, "%s", err.msg);
        cr_assert_eq(smp_file_append(f, n, pp, cc, zz, &err), 0, "%s", err.msg);
        free(zz);
        free(cc);
        free(pp);
    }
    cr_assert_eq(smp_file_complete(f), 1024);
    cr_assert_eq(smp_file_next_batch(f, 1), 1024);
    cr_assert_eq(smp_file_next_batch(f, 1 << 20), N - 1024);
    cr_assert_eq(smp_file_close(f, &err), 0, "%s", err.msg);
    smp_gen_free(gen);
}

Test(smp_file, a_generator_of_another_config_is_refused, .init = setup, .fini = teardown)
{
    char p[128];
    smp_config other = cfg;
    fwd_error err;
    smp_file *f;
    smp_gen *gen;

    path(p, "other.h5");
    cr_assert_eq(smp_prior_parse(&other.prior, 2, "2:2000", "0.5:80", NULL), 0);
    gen = smp_gen_alloc(&other, 1, NULL);
    f = smp_file_create(p, &cfg, N, "t", 0, &err);
    cr_assert(f != NULL && gen != NULL);
    cr_assert_eq(smp_file_fill(f, gen, 1024, NULL, NULL, &err), FWD_EINVAL);
    cr_assert(strstr(err.msg, p) != NULL, "%s", err.msg);
    cr_assert_eq(smp_file_complete(f), 0);
    cr_assert_eq(smp_file_close(f, &err), 0, "%s", err.msg);
    smp_gen_free(gen);
}
