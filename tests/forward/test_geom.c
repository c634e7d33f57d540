/* SPDX-License-Identifier: MIT */
/*
 * test_geom.c - geometry SPEC parsing, geometry and model checks, every error path.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "forward/fwd_geom.h"
#include "forward/fwd_model.h"

/* spec refused with exactly this message (no hint after it). */
static void
expect_spec_message(const char *spec, const char *msg)
{
    double *v = NULL;
    size_t n = 0;
    fwd_error err;

    const char *at;

    cr_assert_eq(fwd_spec_parse(spec, "--ab2", &v, &n, &err), FWD_EINVAL, "spec \"%s\"", spec);
    at = strstr(err.msg, msg);
    cr_expect(at != NULL && strcmp(at, msg) == 0, "spec \"%s\": \"%s\" is not \"...%s\"", spec,
              err.msg, msg);
}

static void
expect_spec_error(const char *spec, int code, const char *fragment)
{
    double *v = (double *)1;
    size_t n = 99;
    fwd_error err;
    int rc = fwd_spec_parse(spec, "--ab2", &v, &n, &err);

    cr_assert_eq(rc, code, "spec \"%s\": rc %d, message %s", spec, rc, err.msg);
    cr_assert_eq(err.code, code);
    cr_assert_null(v, "spec \"%s\": values not reset", spec);
    cr_assert_eq(n, 0);
    cr_assert(strstr(err.msg, fragment) != NULL, "spec \"%s\": message \"%s\" lacks \"%s\"", spec,
              err.msg, fragment);
}

Test(fwd_geom, comma_list)
{
    double *v;
    size_t n;

    cr_assert_eq(fwd_spec_parse("1.5, 2,5e1 ,1e3", "--ab2", &v, &n, NULL), 0);
    cr_assert_eq(n, 4);
    cr_assert(v[0] == 1.5 && v[1] == 2 && v[2] == 50 && v[3] == 1000);
    free(v);
}

Test(fwd_geom, log_range_includes_both_ends)
{
    double *v;
    size_t n, i;

    cr_assert_eq(fwd_spec_parse("1:1000:13", "--ab2", &v, &n, NULL), 0);
    cr_assert_eq(n, 13);
    cr_assert(v[0] == 1.0 && v[12] == 1000.0);
    for (i = 1; i < n; i++)
        cr_assert(fabs(log10(v[i] / v[i - 1]) - 0.25) < 1e-12, "step %zu: %g", i, v[i]);
    free(v);
    cr_assert_eq(fwd_spec_parse("1e-200:1e200:5", "--a", &v, &n, NULL), 0);
    cr_assert(n == 5 && v[0] == 1e-200 && v[4] == 1e200 && fabs(v[2] - 1) < 1e-12, "%g", v[2]);
    free(v);
    cr_assert_eq(fwd_spec_parse("2.5:2.5:1", "--a", &v, &n, NULL), 0);
    cr_assert(n == 1 && v[0] == 2.5);
    free(v);
}

Test(fwd_geom, file_with_comments)
{
    char path[] = "/tmp/bpinv_spec_XXXXXX";
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    double *v;
    size_t n;

    cr_assert_not_null(f);
    fputs("# periods, s\n0.01\n\n  0.1  # decade\n1e2\r\n", f);
    fclose(f);
    {
        char spec[64];
        snprintf(spec, sizeof spec, "@%s", path);
        cr_assert_eq(fwd_spec_parse(spec, "--period", &v, &n, NULL), 0);
    }
    cr_assert_eq(n, 3);
    cr_assert(v[0] == 0.01 && v[1] == 0.1 && v[2] == 100);
    free(v);
    unlink(path);
}

Test(fwd_geom, file_errors_name_file_and_line)
{
    char path[] = "/tmp/bpinv_spec_XXXXXX", spec[64], frag[160];
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");

    fputs("1\n2\n-3\n", f);
    fclose(f);
    snprintf(spec, sizeof spec, "@%s", path);
    snprintf(frag, sizeof frag, "%s:3: --ab2: expected a number > 0, got \"-3\"", path);
    expect_spec_error(spec, FWD_EFORMAT, frag);
    f = fopen(path, "w"); /* a decimal comma: said why */
    fputs("1\n2,5\n10\n", f);
    fclose(f);
    snprintf(frag, sizeof frag,
             "%s:2: --ab2: expected a number > 0, got \"2,5\" (a decimal comma: write it with a "
             "point)",
             path);
    expect_spec_error(spec, FWD_EFORMAT, frag);
    f = fopen(path, "w"); /* three digits after it: a thousands separator, or not */
    fputs("1\n1,500\n10\n", f);
    fclose(f);
    snprintf(frag, sizeof frag,
             "%s:2: --ab2: expected a number > 0, got \"1,500\" (a decimal comma or a thousands "
             "separator? write 1.5 or 1500)",
             path);
    expect_spec_error(spec, FWD_EFORMAT, frag);
    f = fopen(path, "w"); /* saved by Notepad: a UTF-8 byte-order mark first (it was refused) */
    fputs("\xef\xbb\xbf"
          "1\n2\n3\n",
          f);
    fclose(f);
    {
        fwd_error e;
        fwd_geom *g = fwd_geom_parse(FWD_WENNER, spec, NULL, "--a", NULL, &e);

        cr_assert_not_null(g, "%s", e.msg);
        cr_expect(fwd_geom_size(g) == 3 && fwd_geom_x(g)[0] == 1);
        fwd_geom_free(g);
    }
    f = fopen(path, "w");
    fputs("# nothing here\n\n", f);
    fclose(f);
    expect_spec_error(spec, FWD_EFORMAT, "holds no values");
    /* a NUL byte is an error on its line (it ended the line: "2\0 7" read as 2) */
    f = fopen(path, "w");
    fwrite("1\n2\0 7\n5\n", 1, 10, f);
    fclose(f);
    snprintf(frag, sizeof frag, "%s:2: --ab2: expected text, got a NUL byte", path);
    expect_spec_error(spec, FWD_EFORMAT, frag);
    /* a line of 510 bytes is read, one of 511 refused */
    f = fopen(path, "w");
    fprintf(f, "1\n%509s2\n%510s3\n", "", "");
    fclose(f);
    snprintf(frag, sizeof frag, "%s:3: --ab2: line longer than 510 characters", path);
    expect_spec_error(spec, FWD_EFORMAT, frag);
    unlink(path);
    expect_spec_error("@/nonexistent/dir/spec.txt", FWD_EIO, "cannot open");
    /* one endless line of NULs: refused at its first byte, not held whole */
    expect_spec_error("@/dev/zero", FWD_EFORMAT,
                      "/dev/zero:1: --ab2: expected text, got a NUL byte");
}

/* Lines ended by a lone CR (classic Mac OS, Excel's "CSV (Macintosh)") or CRLF: one value
 * each (a lone CR made the file one line: "1\r2\r5" was refused) */
Test(fwd_geom, file_of_any_line_end)
{
    const char *text[] = {"1\r2\r5\r", "1\r\n2\r\n5", "\xef\xbb\xbf# s\r1\r\r2\n5\r\n"};
    char path[] = "/tmp/bpinv_spec_XXXXXX", spec[64];
    int fd = mkstemp(path);
    size_t k, n;
    double *v;

    cr_assert(fd >= 0);
    close(fd);
    snprintf(spec, sizeof spec, "@%s", path);
    for (k = 0; k < sizeof text / sizeof text[0]; k++) {
        FILE *f = fopen(path, "wb");
        fwd_error e;

        fputs(text[k], f);
        fclose(f);
        cr_assert_eq(fwd_spec_parse(spec, "--ab2", &v, &n, &e), FWD_OK, "%zu: %s", k, e.msg);
        cr_expect(n == 3 && v[0] == 1 && v[1] == 2 && v[2] == 5, "%zu: %zu values", k, n);
        free(v);
    }
    unlink(path);
}

Test(fwd_geom, bad_specs)
{
    expect_spec_error("", FWD_EINVAL, "got \"\"");
    expect_spec_error(NULL, FWD_EINVAL, "expected a list");
    expect_spec_error("1,x,3", FWD_EINVAL, "value 2: expected a number > 0, got \"x\"");
    expect_spec_error("0x10,20,30", FWD_EINVAL, "value 1: expected a number > 0, got \"0x10\"");
    expect_spec_error("1,,3", FWD_EINVAL, "value 2");
    expect_spec_error("1,-2", FWD_EINVAL, "got \"-2\"");
    expect_spec_error("0", FWD_EINVAL, "got \"0\"");
    expect_spec_error("nan", FWD_EINVAL, "got \"nan\"");
    expect_spec_error("inf", FWD_EINVAL, "got \"inf\"");
    expect_spec_error("1e999", FWD_EINVAL,
                      "got \"1e999\" (beyond the largest number, about 1.8e308)");
    expect_spec_error("1e-999", FWD_EINVAL,
                      "got \"1e-999\" (below the least number > 0, about 2.2e-308)");
    /* why, where the form says: a decimal comma is two values here; a unit; none for these */
    expect_spec_error("5m,10", FWD_EINVAL,
                      "value 1: expected a number > 0, got \"5m\" (the number alone, without a "
                      "unit)");
    expect_spec_error("2 m", FWD_EINVAL, "got \"2 m\" (the number alone");
    /* no hint where it would mislead: a sign, a cut exponent */
    expect_spec_message("-1e999", "value 1: expected a number > 0, got \"-1e999\"");
    expect_spec_message("5e", "value 1: expected a number > 0, got \"5e\"");
    expect_spec_error("10:1:5", FWD_EINVAL, "STOP > START");
    expect_spec_error("1:10:0", FWD_EINVAL, "COUNT");
    expect_spec_error("1:10:2.5", FWD_EINVAL, "COUNT");
    expect_spec_error("1:10", FWD_EINVAL, "START:STOP:COUNT");
    expect_spec_error("1:10:5:7", FWD_EINVAL, "START:STOP:COUNT");
    expect_spec_error("a:10:5", FWD_EINVAL, "START");
    expect_spec_error("1:-10:5", FWD_EINVAL, "STOP");
    expect_spec_error("1:10:999999999", FWD_EINVAL, "COUNT");
    expect_spec_error("3:3:2", FWD_EINVAL, "STOP > START");
}

Test(fwd_geom, long_token)
{
    char s[400];

    memset(s, '1', sizeof s - 1);
    s[sizeof s - 1] = '\0';
    expect_spec_error(s, FWD_EINVAL, "characters");
}

Test(fwd_method, names)
{
    fwd_method m;
    fwd_error err;

    cr_assert_eq(fwd_method_parse("wenner", &m, NULL), 0);
    cr_assert_eq(m, FWD_WENNER);
    cr_assert_str_eq(fwd_method_name(FWD_MT), "mt");
    cr_assert_str_eq(fwd_method_xname(FWD_SCHLUMBERGER), "ab2_m");
    cr_assert_eq(fwd_method_parse("Wenner", &m, &err), FWD_OK); /* without case */
    cr_assert_eq(m, FWD_WENNER);
    cr_assert_eq(fwd_method_parse("Wennr", &m, &err), FWD_EINVAL);
    cr_assert(strstr(err.msg, "expected schlumberger, wenner or mt, got \"Wennr\"") != NULL);
    cr_assert_eq(fwd_method_parse(NULL, &m, &err), FWD_EINVAL);
    cr_assert_str_eq(fwd_method_name((fwd_method)7), "unknown");
}

Test(fwd_geom, accessors)
{
    double x[] = {10, 20}, mn2[] = {1, 2};
    fwd_geom *g = fwd_geom_alloc(FWD_SCHLUMBERGER, 2, x, mn2, NULL);

    cr_assert_not_null(g);
    x[0] = 99; /* copied, not borrowed */
    cr_assert_eq(fwd_geom_x(g)[0], 10);
    cr_assert_eq(fwd_geom_mn2(g)[1], 2);
    cr_assert_eq(fwd_geom_size(g), 2);
    cr_assert_eq(fwd_geom_ndata(g), 2);
    fwd_geom_free(g);
    g = fwd_geom_alloc(FWD_MT, 2, x, NULL, NULL);
    cr_assert_eq(fwd_geom_ndata(g), 4);
    cr_assert_null(fwd_geom_mn2(g));
    fwd_geom_free(g);
    fwd_geom_free(NULL);
}

static void
expect_geom_error(fwd_method m, size_t n, const double *x, const double *mn2, const char *fragment)
{
    fwd_error err;
    fwd_geom *g = fwd_geom_alloc(m, n, x, mn2, &err);

    cr_assert_null(g, "expected an error containing \"%s\"", fragment);
    cr_assert_eq(err.code, FWD_EINVAL);
    cr_assert(strstr(err.msg, fragment) != NULL, "\"%s\" lacks \"%s\"", err.msg, fragment);
}

Test(fwd_geom, errors)
{
    double x[] = {10, -20, 30}, ok[] = {10, 20, 30}, mn2[] = {1, 25, 1}, nanv[] = {1, NAN, 3};

    expect_geom_error(FWD_SCHLUMBERGER, 3, x, NULL, "ab2_m: point 2: expected finite > 0");
    expect_geom_error(FWD_MT, 3, nanv, NULL, "period_s: point 2");
    expect_geom_error(FWD_SCHLUMBERGER, 3, ok, mn2,
                      "mn2_m: point 2: expected finite > 0 and "
                      "< AB/2 = 20 m, got 25");
    /* an MN/2 of 1e-15 x AB/2 gave a NaN response: the ideal array's limit, refused */
    mn2[1] = 20 * FWD_MN2_MIN_SHARE * 0.99;
    expect_geom_error(FWD_SCHLUMBERGER, 3, ok, mn2,
                      "mn2_m: point 2: expected at least 1e-09 x AB/2 = 2e-08 m (smaller is the "
                      "ideal array: give no MN/2), got 1.98e-08");
    mn2[1] = 20 * FWD_MN2_MIN_SHARE;
    {
        fwd_geom *g = fwd_geom_alloc(FWD_SCHLUMBERGER, 3, ok, mn2, NULL);

        cr_expect_not_null(g, "MN/2 of 1e-9 AB/2");
        fwd_geom_free(g);
    }
    mn2[1] = 25;
    expect_geom_error(FWD_WENNER, 3, ok, mn2, "only a schlumberger geometry has MN/2");
    expect_geom_error(FWD_WENNER, 0, ok, NULL, "expected 1 to");
    expect_geom_error(FWD_WENNER, 3, NULL, NULL, "expected 1 to");
    expect_geom_error((fwd_method)9, 3, ok, NULL, "method");
}

Test(fwd_model, checks)
{
    double rho[] = {10, 20, 30}, h[] = {5, 6};
    double bad_rho[] = {10, -1, 30}, bad_h[] = {5, 0}, inf_h[] = {INFINITY, 1};
    fwd_error err;

    cr_assert_eq(fwd_model_check(3, rho, h, &err), 0);
    cr_assert_eq(fwd_model_check(1, rho, NULL, &err), 0);
    cr_assert_eq(fwd_model_check(3, bad_rho, h, &err), FWD_EINVAL);
    cr_assert_str_eq(err.msg, "resistivity of layer 2: expected finite > 0 ohm-m, got -1");
    cr_assert_eq(fwd_model_check(3, rho, bad_h, &err), FWD_EINVAL);
    cr_assert_str_eq(err.msg, "thickness of layer 2: expected finite > 0 m, got 0");
    cr_assert_eq(fwd_model_check(3, rho, inf_h, &err), FWD_EINVAL);
    cr_assert(strstr(err.msg, "thickness of layer 1") != NULL);
    cr_assert_eq(fwd_model_check(0, rho, h, &err), FWD_EINVAL);
    cr_assert_eq(fwd_model_check(FWD_MAX_LAYERS + 1, rho, h, &err), FWD_EINVAL);
    cr_assert_eq(fwd_model_check(3, rho, NULL, &err), FWD_EINVAL);
    cr_assert_str_eq(fwd_strerror(FWD_EINVAL), "invalid argument");
    cr_assert_str_eq(fwd_strerror(FWD_ENUMERIC), "non-finite result");
    cr_assert_str_eq(fwd_strerror(-4), "unknown error");
}

Test(fwd_model, log10_round_trip)
{
    double rho[] = {2.385, 1e-3, 7e5}, h[] = {0.01, 12.5}, p[5], r2[3], h2[2];
    double bad[5] = {1, 2, 3, NAN, 1}, big[5] = {1, 400, 1, 1, 1};
    fwd_error err;
    size_t i;

    fwd_model_to_log10(3, rho, h, p);
    cr_assert(fabs(p[0] - log10(2.385)) < 1e-15 && fabs(p[4] - log10(12.5)) < 1e-15);
    cr_assert_eq(fwd_model_from_log10(3, p, r2, h2, &err), 0);
    for (i = 0; i < 3; i++)
        cr_assert(fabs(r2[i] / rho[i] - 1) < 1e-14);
    for (i = 0; i < 2; i++)
        cr_assert(fabs(h2[i] / h[i] - 1) < 1e-14);
    cr_assert_eq(fwd_model_from_log10(3, bad, r2, h2, &err), FWD_ENUMERIC);
    cr_assert(strstr(err.msg, "parameter 4") != NULL);
    cr_assert_eq(fwd_model_from_log10(3, big, r2, h2, &err), FWD_ENUMERIC);
    cr_assert(strstr(err.msg, "parameter 2") != NULL);
}

/* fwd_geom_parse: the points of a SPEC, MN/2 spread over them; errors name the input. */
Test(fwd_geom, parse_spreads_mn2)
{
    fwd_error err;
    fwd_geom *g = fwd_geom_parse(FWD_SCHLUMBERGER, "1:100:3", "0.5", NULL, NULL, &err);
    const double *x, *mn2;

    cr_assert_not_null(g, "%s", err.msg);
    x = fwd_geom_x(g);
    mn2 = fwd_geom_mn2(g);
    cr_assert_eq(fwd_geom_size(g), 3);
    cr_assert(x[0] == 1 && fabs(x[1] - 10) < 1e-12 && x[2] == 100);
    cr_assert(mn2 != NULL && mn2[0] == 0.5 && mn2[1] == 0.5 && mn2[2] == 0.5);
    fwd_geom_free(g);
    g = fwd_geom_parse(FWD_SCHLUMBERGER, "10,20", "1,2", NULL, NULL, &err);
    cr_assert(g != NULL && fwd_geom_mn2(g)[0] == 1 && fwd_geom_mn2(g)[1] == 2);
    fwd_geom_free(g);
    g = fwd_geom_parse(FWD_MT, "0.01,1", NULL, NULL, NULL, &err);
    cr_assert(g != NULL && fwd_geom_mn2(g) == NULL && fwd_geom_size(g) == 2);
    fwd_geom_free(g);
}

static void
expect_parse_error(fwd_method m, const char *x, const char *mn2, const char *field,
                   const char *fragment)
{
    fwd_error err;
    fwd_geom *g = fwd_geom_parse(m, x, mn2, m == FWD_SCHLUMBERGER ? "--ab2" : NULL, NULL, &err);

    cr_assert_null(g, "%s / %s: accepted", x, mn2 ? mn2 : "-");
    cr_assert_str_eq(err.field, field, "%s / %s: field \"%s\" (%s)", x, mn2 ? mn2 : "-", err.field,
                     err.msg);
    cr_assert(strstr(err.msg, fragment) != NULL, "message \"%s\" lacks \"%s\"", err.msg, fragment);
}

Test(fwd_geom, parse_errors_name_the_input)
{
    expect_parse_error(FWD_SCHLUMBERGER, "1,2,x", NULL, "ab2", "--ab2: value 3");
    expect_parse_error(FWD_SCHLUMBERGER, "1,5,2,5", NULL, "ab2",
                       "--ab2: value 4: 5 is given twice (also value 2)");
    expect_parse_error(FWD_SCHLUMBERGER, "1,5,5", "0.1,0.2,0.2", "ab2", "with the same MN/2");
    expect_parse_error(FWD_SCHLUMBERGER, "1,2,3", "0.1,0.2", "mn2",
                       "mn2: expected 1 value or 3 (one per AB/2), got 2");
    expect_parse_error(FWD_SCHLUMBERGER, "1,2", "1.5", "mn2", "mn2: ");
    expect_parse_error(FWD_WENNER, "1,2", "0.1", "mn2", "mn2: not an input of method wenner");
    expect_parse_error(FWD_MT, "@/nonexistent/periods.txt", NULL, "period", "period: cannot open");
    expect_parse_error(FWD_WENNER, "", NULL, "a", "a: expected a list");
}

Test(fwd_geom, parse_same_x_other_mn2_is_two_points)
{
    fwd_error err;
    fwd_geom *g = fwd_geom_parse(FWD_SCHLUMBERGER, "10,10", "1,2", NULL, NULL, &err);

    cr_assert_not_null(g, "%s", err.msg);
    cr_assert_eq(fwd_geom_size(g), 2);
    fwd_geom_free(g);
}
