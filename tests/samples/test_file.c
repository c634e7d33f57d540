/* SPDX-License-Identifier: MIT */
/*
 * test_file.c - the samples HDF5 file: round trip, batches of any size, resume, and
 * files that are not what they should be.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tests/common.h"
#include <gsl/gsl_errno.h>
#include <hdf5.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_model.h"
#include "samples/smp_file.h"
#include "samples/smp_gen.h"
#include "samples/smp_h5.h"

#define N  5000
#define NP 5
#define ND 20

static char dir[64];
static smp_config cfg;
static fwd_geom *geom;
static double *P, *C, *Z;

static void
setup(void)
{
    double x[ND];
    smp_gen *g;
    size_t i;

    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    gsl_set_error_handler_off();
    tst_mkdtemp(dir, sizeof dir, "file");
    for (i = 0; i < ND; i++)
        x[i] = 0.5 * pow(2000.0, i / (ND - 1.0));
    memset(&cfg, 0, sizeof cfg);
    geom = fwd_geom_alloc(FWD_SCHLUMBERGER, ND, x, NULL, NULL);
    cfg.geom = geom;
    smp_prior_parse(&cfg.prior, 3, "2:2000", "0.5:80", NULL);
    cfg.noise = 0.03;
    cfg.seed = 7;
    P = malloc(N * NP * sizeof *P);
    C = malloc(N * ND * sizeof *C);
    Z = malloc(N * ND * sizeof *Z);
    g = smp_gen_alloc(&cfg, 2, NULL);
    cr_assert_eq(smp_gen_run(g, 0, N, P, C, Z, NULL), 0);
    smp_gen_free(g);
}

static void
teardown(void)
{
    tst_rmtree(dir);
    fwd_geom_free(geom);
    free(Z);
    free(C);
    free(P);
}

/* the suite smp_file spans test_file.c and test_fill.c: each test names its own setup */

static void
path(char *buf, const char *name)
{
    snprintf(buf, 128, "%s/%s", dir, name);
}

/* Writes rows [from, to) in batches of the given sizes (cycled). */
static void
append(smp_file *f, size_t from, size_t to, const size_t *sizes, size_t nsizes)
{
    fwd_error err;
    size_t i = from, k = 0, n;

    while (i < to) {
        n = sizes[k++ % nsizes];
        n = n < to - i ? n : to - i;
        cr_assert_eq(smp_file_append(f, n, P + i * NP, C + i * ND, Z + i * ND, &err), 0, "%s",
                     err.msg);
        i += n;
    }
}

static void
read_all(const char *p, const char *name, size_t rows, size_t cols, double *out)
{
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT), d, s;
    hsize_t dims[2];

    cr_assert(f >= 0);
    d = H5Dopen2(f, name, H5P_DEFAULT);
    s = H5Dget_space(d);
    H5Sget_simple_extent_dims(s, dims, NULL);
    cr_assert(dims[0] == rows && dims[1] == cols, "%s: %llu x %llu", name,
              (unsigned long long)dims[0], (unsigned long long)dims[1]);
    cr_assert(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0);
    H5Sclose(s);
    H5Dclose(d);
    cr_assert_eq(H5Fget_obj_count(f, H5F_OBJ_ALL), 1);
    H5Fclose(f);
}

static void
check_contents(const char *p, size_t rows)
{
    double *buf = malloc(N * ND * sizeof *buf);
    size_t i;

    read_all(p, "models", rows, NP, buf);
    for (i = 0; i < rows * NP; i++)
        cr_assert(fabs(log10(buf[i]) - P[i]) < 1e-14, "model value %zu", i);
    read_all(p, "data_clean", rows, ND, buf);
    cr_assert(memcmp(buf, C, rows * ND * sizeof *buf) == 0, "clean data differ");
    read_all(p, "data_noisy", rows, ND, buf);
    cr_assert(memcmp(buf, Z, rows * ND * sizeof *buf) == 0, "noisy data differ");
    free(buf);
}

Test(smp_file, round_trip_in_uneven_batches, .init = setup, .fini = teardown)
{
    char p[128];
    const size_t sizes[] = {1000, 2048, 7, 1024, 3000};
    smp_header h;
    fwd_geom *g = NULL;
    fwd_error err;
    smp_file *f;

    path(p, "a.h5");
    f = smp_file_create(p, &cfg, N, "9.9.9", 0, &err);
    cr_assert_not_null(f, "%s", err.msg);
    smp_file_set_threads(f, 3);
    append(f, 0, N, sizes, 5);
    cr_assert_eq(smp_file_complete(f), N);
    cr_assert_eq(smp_file_close(f, &err), 0, "%s", err.msg);
    check_contents(p, N);
    cr_assert_eq(smp_file_read_header(p, &h, &g, &err), 0, "%s", err.msg);
    cr_assert_eq(h.method, FWD_SCHLUMBERGER);
    cr_assert(h.n_complete == N && h.n_requested == N && h.seed == 7 && h.noise == 0.03);
    cr_assert(h.prior.n_layers == 3 && h.prior.rho_max[2] == 2000 && h.prior.thick_min[1] == 0.5);
    cr_assert_str_eq(h.bpinv_version, "9.9.9");
    cr_assert_eq(fwd_geom_size(g), ND);
    cr_assert(memcmp(fwd_geom_x(g), fwd_geom_x(cfg.geom), ND * sizeof(double)) == 0);
    fwd_geom_free(g);
}

Test(smp_file, resume_equals_one_run, .init = setup, .fini = teardown)
{
    char a[128], b[128];
    const size_t one[] = {N}, sizes[] = {700, 1100};
    double *x = malloc(N * ND * sizeof *x), *y = malloc(N * ND * sizeof *y);
    fwd_error err;
    smp_file *f;
    smp_config other = cfg;

    path(a, "whole.h5");
    path(b, "parts.h5");
    f = smp_file_create(a, &cfg, N, "t", 0, NULL);
    append(f, 0, N, one, 1);
    smp_file_close(f, NULL);
    f = smp_file_create(b, &cfg, N, "t", 0, NULL);
    append(f, 0, 2345, sizes, 2);
    cr_assert_eq(smp_file_close(f, NULL), 0);
    other.seed = 8;
    cr_assert_null(smp_file_resume(b, &other, N, &err));
    cr_assert(strstr(err.msg, ": seed differs from this run (the file has 7, not 8)") != NULL, "%s",
              err.msg);
    cr_assert_str_eq(err.field, "seed");
    cr_assert_null(strstr(err.msg, "--"), "%s", err.msg);
    other = cfg;
    other.noise = 0.04;
    cr_assert_null(smp_file_resume(b, &other, N, &err));
    cr_assert(strstr(err.msg, "noise") != NULL, "%s", err.msg);
    cr_assert_str_eq(err.field, "noise");
    other = cfg;
    other.prior.thick_max[1] = 81;
    cr_assert_null(smp_file_resume(b, &other, N, &err));
    cr_assert(strstr(err.msg, ": thick prior differs") != NULL, "%s", err.msg);
    cr_assert_str_eq(err.field, "thick");
    cr_assert_null(smp_file_resume(b, &cfg, 1000, &err));
    cr_assert(strstr(err.msg, "more than the 1000 requested") != NULL, "%s", err.msg);
    f = smp_file_resume(b, &cfg, N, &err);
    cr_assert_not_null(f, "%s", err.msg);
    cr_assert_eq(smp_file_complete(f), 2345);
    append(f, 2345, N, sizes, 2);
    cr_assert_eq(smp_file_close(f, &err), 0, "%s", err.msg);
    check_contents(b, N);
    read_all(a, "data_noisy", N, ND, x);
    read_all(b, "data_noisy", N, ND, y);
    cr_assert(memcmp(x, y, N * ND * sizeof *x) == 0);
    free(y);
    free(x);
}

Test(smp_file, existing_file_is_not_overwritten, .init = setup, .fini = teardown)
{
    char p[128];
    fwd_error err;
    FILE *fp;
    char buf[32] = {0};

    path(p, "keep.h5");
    fp = fopen(p, "w");
    fputs("precious", fp);
    fclose(fp);
    cr_assert_null(smp_file_create(p, &cfg, N, "t", 0, &err));
    cr_assert(strstr(err.msg, "exists; not overwritten") != NULL, "%s", err.msg);
    cr_assert_eq(err.code, FWD_EEXIST);
    cr_assert_null(strstr(err.msg, "--"), "%s", err.msg);
    fp = fopen(p, "r");
    cr_assert(fread(buf, 1, sizeof buf - 1, fp) == 8);
    fclose(fp);
    cr_assert_str_eq(buf, "precious");
    smp_file_close(smp_file_create(p, &cfg, N, "t", 1, &err), NULL);
    cr_assert_eq(smp_file_read_header(p, &(smp_header){0}, NULL, &err), 0, "%s", err.msg);
}

Test(smp_file, bad_files_get_clear_errors, .init = setup, .fini = teardown)
{
    char p[128], q[128], cmd[300];
    smp_header h;
    fwd_error err;
    hid_t f;
    FILE *fp;
    smp_file *sf;
    const size_t one[] = {N};

    path(p, "missing.h5");
    cr_assert_eq(smp_file_read_header(p, &h, NULL, &err), FWD_EIO);
    cr_assert(strstr(err.msg, "no such file") != NULL, "%s", err.msg);
    cr_assert_null(smp_file_resume(p, &cfg, N, &err));

    path(p, "text.h5");
    fp = fopen(p, "w");
    fputs("period rho\n1 2\n", fp);
    fclose(fp);
    cr_assert_eq(smp_file_read_header(p, &h, NULL, &err), FWD_EFORMAT);
    cr_assert(strstr(err.msg, "not an HDF5 file") != NULL, "%s", err.msg);

    path(p, "foreign.h5");
    f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    smp_h5_write_str(f, "title", "someone else's data", NULL);
    H5Fclose(f);
    cr_assert_eq(smp_file_read_header(p, &h, NULL, &err), FWD_EFORMAT);
    cr_assert(strstr(err.msg, "not a bpinv samples file") != NULL, "%s", err.msg);

    path(p, "net.h5");
    f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    smp_h5_write_str(f, "format", "bpinv-net", NULL);
    H5Fclose(f);
    cr_assert_eq(smp_file_read_header(p, &h, NULL, &err), FWD_EFORMAT);
    cr_assert(strstr(err.msg, "format: expected \"bpinv-samples\", got \"bpinv-net\"") != NULL,
              "%s", err.msg);

    /* a good file cut in half */
    path(p, "good.h5");
    path(q, "cut.h5");
    sf = smp_file_create(p, &cfg, N, "t", 0, NULL);
    append(sf, 0, N, one, 1);
    smp_file_close(sf, NULL);
    snprintf(cmd, sizeof cmd, "head -c 300000 %s > %s", p, q);
    cr_assert_eq(system(cmd), 0);
    cr_assert_neq(smp_file_read_header(q, &h, NULL, &err), 0);
    cr_assert(strstr(err.msg, q) != NULL, "%s", err.msg);

    /* a file with an attribute of the wrong type */
    f = H5Fopen(p, H5F_ACC_RDWR, H5P_DEFAULT);
    H5Adelete(f, "n_layers");
    smp_h5_write_str(f, "n_layers", "three", NULL);
    H5Fclose(f);
    cr_assert_eq(smp_file_read_header(p, &h, NULL, &err), FWD_EFORMAT);
    cr_assert(strstr(err.msg, "'n_layers': expected 1 integers") != NULL, "%s", err.msg);

    path(p, "no/such/dir/x.h5");
    cr_assert_null(smp_file_create(p, &cfg, N, "t", 0, &err));
    cr_assert(strstr(err.msg, "cannot create") != NULL, "%s", err.msg);
}

/* The temporary file every new HDF5 file is made as (smp_h5_create_temp): one of that name
 * that is not ours is refused and kept; a failed create leaves nothing behind. */
Test(smp_file, temporary_file_of_another_is_kept, .init = setup, .fini = teardown)
{
    char p[128], tmp[160], *made = NULL;
    fwd_error err;
    FILE *fp;
    char line[32];
    hid_t f;

    path(p, "x.h5");
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", p, (long)getpid());
    f = smp_h5_create_temp(p, H5P_DEFAULT, H5P_DEFAULT, &made, &err);
    cr_assert_geq(f, 0, "%s", err.msg);
    cr_assert_str_eq(made, tmp);
    H5Fclose(f);
    unlink(made);
    free(made);

    fp = fopen(tmp, "w");
    cr_assert_not_null(fp);
    fputs("another's\n", fp);
    fclose(fp);
    cr_assert_null(smp_file_create(p, &cfg, N, "t", 0, &err));
    cr_assert(strstr(err.msg, "it exists (another bpinv writing the same file?)") != NULL, "%s",
              err.msg);
    fp = fopen(tmp, "r");
    cr_assert_not_null(fp, "the other's temporary file was removed");
    cr_assert_not_null(fgets(line, sizeof line, fp));
    fclose(fp);
    cr_assert_str_eq(line, "another's\n");
    cr_assert_neq(access(p, F_OK), 0, "%s was made", p);
    unlink(tmp);

    path(p, "no/such/dir/x.h5");
    made = tmp;
    cr_assert_lt(smp_h5_create_temp(p, H5P_DEFAULT, H5P_DEFAULT, &made, &err), 0);
    cr_assert_null(made);
    cr_assert(strstr(err.msg, "cannot create the file: No such file or directory") != NULL, "%s",
              err.msg);
}

/* What kind of bpinv file a file is (smp_h5_file_format), as `bpinv info` asks it. */
Test(smp_file, file_format_tells_the_kind, .init = setup, .fini = teardown)
{
    char p[128], fmt[32];
    fwd_error err;
    smp_file *sf;
    hid_t f;
    FILE *fp;
    const size_t one[] = {N};

    path(p, "s.h5");
    sf = smp_file_create(p, &cfg, N, "t", 0, NULL);
    append(sf, 0, N, one, 1);
    smp_file_close(sf, NULL);
    cr_assert_eq(smp_h5_file_format(p, fmt, sizeof fmt, &err), FWD_OK, "%s", err.msg);
    cr_assert_str_eq(fmt, SMP_FORMAT);

    path(p, "foreign.h5");
    f = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    smp_h5_write_str(f, "title", "someone else's data", NULL);
    H5Fclose(f);
    cr_assert_eq(smp_h5_file_format(p, fmt, sizeof fmt, &err), FWD_EFORMAT);
    cr_assert_str_eq(err.field, "format", "%s", err.msg);

    /* not HDF5, or missing: the open's error, with no field */
    path(p, "text.h5");
    fp = fopen(p, "w");
    fputs("1 2\n", fp);
    fclose(fp);
    cr_assert_eq(smp_h5_file_format(p, fmt, sizeof fmt, &err), FWD_EFORMAT);
    cr_assert_str_eq(err.field, "", "%s", err.field);
    cr_assert(strstr(err.msg, "not an HDF5 file") != NULL, "%s", err.msg);
    path(p, "missing.h5");
    cr_assert_eq(smp_h5_file_format(p, fmt, sizeof fmt, &err), FWD_EIO);
    cr_assert_str_eq(err.field, "");
}

/* Rows packed apart from the file (another MPI rank's work), blocks of any size from any
 * row, then appended: the file holds what smp_file_append writes; a pack for another row
 * or another width, or cut short, is refused, the first before the file is touched. */
Test(smp_file, packs_append_as_rows_do, .init = setup, .fini = teardown)
{
    char p[128];
    const size_t edges[] = {0, 7, 1024, 3072, 3100, N}; /* off and on chunk boundaries */
    smp_pack pk = {NULL, 0, 0}, bad = {NULL, 0, 0};
    smp_config wide = cfg;
    fwd_error err;
    smp_file *f;
    size_t k;

    path(p, "packed.h5");
    f = smp_file_create(p, &cfg, N, "t", 0, &err);
    cr_assert_not_null(f, "%s", err.msg);
    for (k = 0; k + 1 < sizeof edges / sizeof edges[0]; k++) {
        size_t a = edges[k], n = edges[k + 1] - a;

        cr_assert_eq(smp_pack_rows(&pk, &cfg, 3, a, n, P + a * NP, C + a * ND, Z + a * ND, &err),
                     FWD_OK, "%s", err.msg);
        if (k == 2) { /* a pack for a row already written, then one of other widths */
            cr_assert_eq(smp_pack_rows(&bad, &cfg, 1, 0, 10, P, C, Z, &err), FWD_OK);
            cr_expect_eq(smp_file_append_pack(f, bad.buf, bad.len, &err), FWD_EINVAL);
            cr_expect(strstr(err.msg, "not for this file at row 1024") != NULL, "%s", err.msg);
            wide.prior.n_layers = 4;
            cr_assert_eq(smp_pack_rows(&bad, &wide, 1, a, 10, P, C, Z, &err), FWD_OK);
            cr_expect_eq(smp_file_append_pack(f, bad.buf, bad.len, &err), FWD_EINVAL);
            cr_expect_eq(smp_file_append_pack(f, bad.buf, 12, &err), FWD_EINVAL);
            cr_expect_eq(smp_file_complete(f), a);
        }
        cr_assert_eq(smp_file_append_pack(f, pk.buf, pk.len, &err), FWD_OK, "%s", err.msg);
        cr_assert_eq(smp_file_complete(f), edges[k + 1]);
    }
    cr_assert_eq(smp_file_close(f, &err), 0, "%s", err.msg);
    check_contents(p, N);
    /* cut short after its header: refused, and the file is not trusted after it */
    path(p, "cut.h5");
    f = smp_file_create(p, &cfg, N, "t", 0, &err);
    cr_assert_eq(smp_pack_rows(&pk, &cfg, 1, 0, 2048, P, C, Z, &err), FWD_OK);
    cr_expect_eq(smp_file_append_pack(f, pk.buf, pk.len / 2, &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "cut short") != NULL, "%s", err.msg);
    cr_expect_eq(smp_file_complete(f), 0);
    smp_file_close(f, NULL);
    smp_pack_free(&bad);
    smp_pack_free(&pk);
}
