/* SPDX-License-Identifier: MIT */
/*
 * test_sounding.c - reading field soundings: the real files of ../shared/data (copied in
 * docs/examples), hand-written EDI files with known impedances, and every malformed input.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/stat.h>

#include <criterion/criterion.h>

#include "tests/common.h"
#include "forward/fwd_forward.h"
#include "tests/forward/tst_read.h"

#include "forward/readers/fwd_sounding.h"

#define EX "docs/examples/"
#define PI 3.14159265358979323846

static char dir[64];

static void
setup(void)
{
    tst_mkdtemp(dir, sizeof dir, "snd");
}

static void
teardown(void)
{
    tst_rmtree(dir);
}

TestSuite(fwd_sounding, .init = setup, .fini = teardown);

/* Writes text to dir/name; returns the path (path: 128 bytes). */
static const char *
put(const char *name, const char *text, char *path)
{
    return tst_write(dir, name, text, path, 128);
}

Test(fwd_sounding, mawlamyine_segments_read_as_they_are)
{
    fwd_error err;
    fwd_sounding *s =
        fwd_sounding_read(EX "mawlamyine_loc3_schlumberger.csv", FWD_SCHLUMBERGER, 0, &err);

    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_eq(s->n, 26);
    cr_assert_not_null(s->mn2);
    /* AB/2 = 40 m twice: MN/2 = 1 m (171.08) then 5 m (107.27), sorted by MN/2 */
    cr_expect_eq(s->x[4], 40);
    cr_expect_eq(s->mn2[4], 1);
    cr_expect_eq(s->rho_a[4], 171.08);
    cr_expect_eq(s->x[5], 40);
    cr_expect_eq(s->mn2[5], 5);
    cr_expect_eq(s->rho_a[5], 107.27);
    cr_expect_eq(s->x[25], 350);
    cr_expect_eq(s->line[0], 11, "line of the first row: %zu", s->line[0]);
    cr_expect_str_eq(s->name, "mawlamyine_loc3_schlumberger.csv");
    fwd_sounding_free(s);
}

/* An MT impedance asked of a DC sounding would be ignored: refused, field "component". */
Test(fwd_sounding, component_of_a_dc_sounding_refused)
{
    fwd_error err;

    cr_expect_null(fwd_sounding_read(EX "aungsan_wenner.txt", FWD_WENNER, FWD_COMP_XY, &err));
    cr_expect_str_eq(err.field, "component");
    cr_expect(strstr(err.msg, "component xy: chooses an MT impedance, but a wenner sounding has "
                              "none") != NULL,
              "%s", err.msg);
}

Test(fwd_sounding, wenner_tab_separated)
{
    fwd_sounding *s = fwd_sounding_read(EX "aungsan_wenner.txt", FWD_WENNER, 0, NULL);

    cr_assert_not_null(s);
    cr_expect_eq(s->n, 24);
    cr_expect_eq(s->x[0], 4);
    cr_expect_eq(s->rho_a[0], 289.82);
    cr_expect_eq(s->x[23], 96);
    cr_expect_null(s->mn2);
    fwd_sounding_free(s);
}

Test(fwd_sounding, mt_text_with_published_errors)
{
    fwd_sounding *s = fwd_sounding_read(EX "cull1985_mt.txt", FWD_MT, 0, NULL);

    cr_assert_not_null(s);
    cr_expect_eq(s->n, 23);
    cr_expect_eq(s->x[0], 0.02);
    cr_expect_eq(s->rho_a[0], 5.152);
    cr_expect_eq(s->phase[0], 20.50);
    cr_assert_not_null(s->sd_log10);
    cr_assert_not_null(s->sd_phase);
    cr_expect_eq(s->sd_log10[0], 0.0434);
    cr_expect_eq(s->sd_phase[22], 21.63);
    fwd_sounding_free(s);
}

Test(fwd_sounding, penola_edi)
{
    fwd_error err;
    fwd_sounding *s = fwd_sounding_read(EX "penola_site3.edi", FWD_MT, FWD_COMP_XY, &err);
    double z, rho, ph;

    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_eq(s->n, 56);
    cr_expect_str_eq(s->name, "3");
    /* the shortest period is the highest frequency, 250 Hz, Zxy = 128.5386 + 122.9455 i */
    cr_expect_float_eq(s->x[0], 1 / 250.0, 1e-15);
    z = hypot(128.5386, 122.9455);
    rho = 0.2 * (1 / 250.0) * z * z;
    ph = atan2(122.9455, 128.5386) * 180 / PI;
    cr_expect_float_eq(s->rho_a[0], rho, 1e-12 * rho);
    cr_expect_float_eq(s->phase[0], ph, 1e-12);
    cr_expect_not_null(s->sd_log10);
    /* which impedance the curve is of, kept by a copy; none for a text file's one curve */
    cr_expect_str_eq(s->component, "xy");
    {
        fwd_sounding *c = fwd_sounding_copy(s), *t;

        cr_assert_not_null(c);
        cr_expect_str_eq(c->component, "xy");
        fwd_sounding_free(c);
        t = fwd_sounding_read(EX "cull1985_mt.txt", FWD_MT, FWD_COMP_XY, &err);
        cr_assert_not_null(t, "%s", err.msg);
        cr_expect_str_eq(t->component, "");
        fwd_sounding_free(t);
    }
    fwd_sounding_free(s);
}

/* Known impedances (tests/data/synthetic_z.edi): rho_a = 0.2 T |Z|^2, the phase of Z. */
Test(fwd_sounding, edi_impedances_known)
{
    static const double T[4] = {0.1, 1, 10, 1000};
    static const double xy_rho[4] = {50, 40, 10, 4},
                        xy_ph[4] = {53.130102354155979, 45, 63.434948822922010, 45};
    static const double yx_rho[4] = {50, 41.6, 10, 4},
                        yx_ph[4] = {53.130102354155979, 56.309932474020215, 26.565051177077990, 45};
    fwd_sounding *s;
    size_t i;
    int c;

    for (c = 0; c < 3; c++) {
        s = fwd_sounding_read("tests/data/synthetic_z.edi", FWD_MT, (fwd_component)c, NULL);
        cr_assert_not_null(s);
        cr_expect_str_eq(s->name, "SYN1");
        /* 0.01 Hz is EMPTY in ZXY: skipped for every component */
        cr_assert_eq(s->n, 4, "component %d: %zu points", c, s->n);
        for (i = 0; i < 4; i++) {
            double r = c == FWD_COMP_XY   ? xy_rho[i]
                       : c == FWD_COMP_YX ? yx_rho[i]
                                          : sqrt(xy_rho[i] * yx_rho[i]);
            double p = c == FWD_COMP_XY   ? xy_ph[i]
                       : c == FWD_COMP_YX ? yx_ph[i]
                                          : 0.5 * (xy_ph[i] + yx_ph[i]);

            cr_expect_float_eq(s->x[i], T[i], 1e-12 * T[i]);
            cr_expect_float_eq(s->rho_a[i], r, 1e-12 * r, "c %d T %g: %.15g vs %.15g", c, T[i],
                               s->rho_a[i], r);
            cr_expect_float_eq(s->phase[i], p, 1e-10, "c %d T %g: %.15g vs %.15g", c, T[i],
                               s->phase[i], p);
        }
        /* the variances are (5 % of |Z|)^2: rho_a 10 %, sd log10 = 0.1 / ln 10 */
        cr_assert_not_null(s->sd_log10);
        cr_expect_float_eq(s->sd_log10[1], 0.1 / log(10.0), 1e-12);
        cr_expect_float_eq(s->sd_phase[1], asin(0.05) * 180 / PI, 1e-9);
        fwd_sounding_free(s);
    }
}

Test(fwd_sounding, edi_apparent_resistivity_blocks)
{
    fwd_sounding *s = fwd_sounding_read("tests/data/synthetic_rho.edi", FWD_MT, 0, NULL);

    cr_assert_not_null(s);
    cr_assert_eq(s->n, 3);
    cr_expect_float_eq(s->x[0], 0.01, 1e-15);
    cr_expect_float_eq(s->rho_a[0], 20, 1e-12);
    cr_expect_float_eq(s->phase[0], 45, 1e-12); /* yx -135 brought to 45 */
    cr_expect_float_eq(s->phase[2], 55, 1e-12);
    fwd_sounding_free(s);
    s = fwd_sounding_read("tests/data/synthetic_rho.edi", FWD_MT, FWD_COMP_XY, NULL);
    cr_expect_float_eq(s->rho_a[2], 40, 1e-12);
    fwd_sounding_free(s);
}

Test(fwd_sounding, text_forms)
{
    char p[128];
    fwd_sounding *s;

    /* no header, comma, unsorted, comments, blank lines */
    s = fwd_sounding_read(put("a.csv", "# x\n\n10,50\n1 , 100 # first\n100,20\n", p),
                          FWD_SCHLUMBERGER, 0, NULL);
    cr_assert_not_null(s);
    cr_expect_eq(s->n, 3);
    cr_expect_eq(s->x[0], 1);
    cr_expect_eq(s->rho_a[0], 100);
    cr_expect_eq(s->line[0], 4);
    cr_expect_eq(s->x[2], 100);
    fwd_sounding_free(s);
    /* spaces and tabs, three columns: ab2 mn2 rho_a */
    s = fwd_sounding_read(put("b.txt", "1\t0.5\t100\n2  0.5  90\n4 1 80\n", p), FWD_SCHLUMBERGER, 0,
                          NULL);
    cr_assert_not_null(s);
    cr_assert_not_null(s->mn2);
    cr_expect_eq(s->mn2[2], 1);
    fwd_sounding_free(s);
    /* header by name, in another order, with units in parentheses and extra columns */
    s = fwd_sounding_read(
        put("c.csv", "Station,Rho_a (ohm-m),AB2 [m]\nx,100,1\nx,90,2\nx,80,3\n", p),
        FWD_SCHLUMBERGER, 0, NULL);
    cr_assert_not_null(s);
    cr_expect_eq(s->x[1], 2);
    cr_expect_eq(s->rho_a[1], 90);
    fwd_sounding_free(s);
    /* more rows than the first allocation (64): the arrays grow, every value kept */
    {
        char big[16000];
        size_t k, len = (size_t)sprintf(big, "ab2_m,mn2_m,rho_a_ohmm\n");

        for (k = 0; k < 300; k++)
            len += (size_t)sprintf(big + len, "%zu,0.5,%zu\n", k + 1, 1000 + k);
        s = fwd_sounding_read(put("big.csv", big, p), FWD_SCHLUMBERGER, 0, NULL);
        cr_assert_not_null(s);
        cr_expect_eq(s->n, 300);
        cr_expect_eq(s->x[299], 300);
        cr_expect_eq(s->mn2[299], 0.5);
        cr_expect_eq(s->rho_a[299], 1299);
        cr_expect_eq(s->line[299], 301);
        fwd_sounding_free(s);
    }
    /* MT by frequency */
    s = fwd_sounding_read(
        put("d.csv", "freq_hz,rho_a_ohmm,phase_deg\n10,100,45\n1,50,50\n0.1,20,60\n", p), FWD_MT, 0,
        NULL);
    cr_assert_not_null(s);
    cr_expect_float_eq(s->x[0], 0.1, 1e-15);
    cr_expect_eq(s->x[2], 10);
    cr_expect_eq(s->phase[2], 60);
    fwd_sounding_free(s);
}

static void
expect_error(const char *name, const char *text, fwd_method m, const char *fragment)
{
    tst_expect_refused(dir, name, text, m, FWD_COMP_DET, fragment);
}

/* A row of more fields than the header's, without the hint of decimal commas. */
static void
expect_no_comma_hint(const char *name, const char *text)
{
    char p[128];
    fwd_error err;
    fwd_sounding *s = fwd_sounding_read(tst_write(dir, name, text, p, sizeof p), FWD_SCHLUMBERGER,
                                        FWD_COMP_DET, &err);

    cr_expect_null(s, "%s was read", name);
    fwd_sounding_free(s);
    cr_expect(strstr(err.msg, ":3: expected at most the header's 2 fields, got 3") != NULL &&
                  strstr(err.msg, "decimal comma") == NULL,
              "%s: %s", name, err.msg);
}

Test(fwd_sounding, malformed_text_is_named)
{
    char big[200000];

    expect_error("empty.csv", "", FWD_SCHLUMBERGER, "(an empty file)");
    expect_error("comments.csv", "# only\n# comments\n", FWD_SCHLUMBERGER, "got none");
    expect_error("neg.csv", "1,100\n2,-3\n4,80\n", FWD_SCHLUMBERGER,
                 ":2: rho_a_ohmm: expected a finite number > 0, got \"-3\"");
    expect_error("zero.csv", "1,100\n0,30\n4,80\n", FWD_SCHLUMBERGER,
                 ":2: ab2_m: expected a finite number > 0, got \"0\"");
    expect_error("nan.csv", "1,100\n2,nan\n4,80\n", FWD_SCHLUMBERGER, ":2: rho_a_ohmm");
    expect_error("inf.csv", "1,100\n2,inf\n4,80\n", FWD_SCHLUMBERGER, "got \"inf\"");
    expect_error("huge.csv", "1,100\n2,1e999\n4,80\n", FWD_SCHLUMBERGER, "got \"1e999\"");
    expect_error("word.csv", "1,100\n2,ten\n4,80\n", FWD_SCHLUMBERGER, "got \"ten\"");
    expect_error("short.csv", "1,100\n2\n4,80\n", FWD_SCHLUMBERGER,
                 ":2: expected 2 fields (as the first reading), got 1");
    expect_error("ragged.csv", "5,100\n10,1,90\n20,80\n", FWD_SCHLUMBERGER,
                 ":2: expected 2 fields (as the first reading), got 3");
    expect_error("mtcomment.txt", "# period_s rho_a_ohmm phase_deg\n0.1 10 45\n1 20 50\n10 30 60\n",
                 FWD_WENNER, ":1: columns: this is an mt sounding (the comment above");
    expect_error("phase.csv", "period_s,rho_a_ohmm,phase_deg\n1,10,45\n2,10,-450\n3,10,40\n",
                 FWD_MT, ":3: phase_deg: expected degrees in [-180, 180], got \"-450\"");
    expect_error("dup.csv", "1,100\n2,90\n1,95\n", FWD_SCHLUMBERGER,
                 ":3: ab2_m: 1 is given twice (also on line 1)");
    /* 10 and the next double above it: distinct numbers, one point (equal log10); 90 and 150
     * no repeat (merge_repeats) */
    expect_error("neardup.csv", "1,100\n10,90\n10.000000000000002,150\n", FWD_SCHLUMBERGER,
                 ":3: ab2_m: 10 is given twice (also on line 2)");
    expect_error("dupmn.csv", "1,0.5,100\n2,0.5,90\n1,0.5,95\n", FWD_SCHLUMBERGER,
                 "with the same MN/2");
    expect_error("mn.csv", "1,0.5,100\n2,3,90\n4,1,80\n", FWD_SCHLUMBERGER,
                 ":2: mn2_m: expected less than AB/2 = 2 m, got 3");
    /* C's hexadecimal is no reading (strtod read "0x50" as 80) */
    /* an error of 1e160 decades is no measurement (the range check failed, naming no point) */
    expect_error("hugesd.csv",
                 "ab2_m,rho_a_ohmm,sd_log10_rho_a\n1,100,1e160\n3,90,0.01\n10,80,0.01\n",
                 FWD_SCHLUMBERGER,
                 "hugesd.csv:2: sd_log10_rho_a: expected at most 10 (decades), got 1e+160");
    expect_error("hex.csv", "ab2_m,rho_a_ohmm\n1,100\n3,0x50\n10,80\n", FWD_SCHLUMBERGER,
                 "hex.csv:3: rho_a_ohmm: expected a finite number > 0, got \"0x50\"");
    /* a value beyond the header's columns (a row shifted by a cell, read in silence); empty
     * cells beyond are what spreadsheets write */
    expect_error("long.csv", "ab2_m,rho_a_ohmm\n1,100,,\n3,90,5\n10,80\n", FWD_SCHLUMBERGER,
                 "long.csv:3: expected at most the header's 2 fields, got 3: \"5\" beyond its "
                 "last column (decimal commas? in a table separated by ',' a value 99,85 is two "
                 "fields");
    /* a station's name is no number: the others say it */
    expect_error("stcomma.csv", "station,ab2_m,rho_a_ohmm\nA,1,100\nA,2,99,85\nA,5,80\n",
                 FWD_SCHLUMBERGER, "got 4: \"85\" beyond its last column (decimal commas?");
    /* without a header: where a row is refused, its whole numbers give the same hint */
    expect_error("nohdr1.csv", "1,99,85\n2,98,7\n5,90,1\n", FWD_SCHLUMBERGER,
                 "nohdr1.csv:1: mn2_m: expected less than AB/2 = 1 m, got 99 (decimal commas?");
    expect_error("nohdr2.csv", "10,99\n20,98,5\n50,90\n", FWD_SCHLUMBERGER,
                 "nohdr2.csv:2: expected 2 fields (as the first reading), got 3 (decimal commas?");
    /* a field that is no whole number, or a table not of ',': no such hint */
    expect_no_comma_hint("long2.csv", "ab2_m,rho_a_ohmm\n1,100\n3,90,5.5\n10,80\n");
    expect_no_comma_hint("long3.csv", "ab2_m;rho_a_ohmm\n1;100\n3;90;5\n10;80\n");
    expect_error("tinymn.csv", "1,0.5,100\n2,1e-15,90\n4,1,80\n", FWD_SCHLUMBERGER,
                 ":2: mn2_m: expected at least 1e-09 x AB/2 = 2e-09 m (smaller is the ideal "
                 "array: leave the column out), got 1e-15");
    expect_error("few.csv", "1,100\n2,90\n", FWD_SCHLUMBERGER, "expected at least 3 points, got 2");
    expect_error("wenner.csv", "a_m,rho_a_ohmm\n1,100\n2,90\n4,80\n", FWD_SCHLUMBERGER,
                 ":1: columns: this is a wenner sounding");
    expect_error("nocol.csv", "ab2_m,remarks\n1,100\n2,90\n4,80\n", FWD_SCHLUMBERGER,
                 ":1: header: expected columns ab2_m, rho_a_ohmm; got \"ab2_m, remarks\", without "
                 "rho_a_ohmm");
    expect_error("raw.csv", "ab2_m,resistance\n1,100\n2,90\n4,80\n", FWD_SCHLUMBERGER,
                 ":1: header: raw readings (\"resistance\") need MN/2");
    expect_error("mtphase.csv", "period_s,rho_a_ohmm\n1,100\n2,90\n4,80\n", FWD_MT, "phase_deg");
    {
        char p[128];
        fwd_error err;
        FILE *f;

        sprintf(p, "%s/binary.csv", dir);
        f = fopen(p, "wb");
        fwrite("1,100\n\x01\x02\x00\x7f,3\n", 1, 12, f);
        fclose(f);
        cr_expect_null(fwd_sounding_read(p, FWD_SCHLUMBERGER, 0, &err));
        cr_expect(strstr(err.msg, ":2: expected text, got a NUL byte") != NULL, "%s", err.msg);
    }
    memset(big, '1', sizeof big - 2);
    big[sizeof big - 2] = '\n';
    big[sizeof big - 1] = '\0';
    expect_error("long.csv", big, FWD_SCHLUMBERGER, ":1: expected a line of at most 65536 bytes");
    expect_error("edi_for_dc.edi", ">HEAD\n>END\n", FWD_SCHLUMBERGER, "this is an EDI");
}

/* A UTF-8 byte-order mark, a yx phase in the third quadrant, free text in an EDI's INFO. */
Test(fwd_sounding, what_other_programs_write)
{
    char p[128];
    fwd_sounding *s;

    s = fwd_sounding_read(put("bom.csv",
                              "\xef\xbb\xbf"
                              "ab2_m,rho_a_ohmm\n1,100\n2,90\n4,80\n",
                              p),
                          FWD_SCHLUMBERGER, 0, NULL);
    cr_assert_not_null(s);
    cr_expect_eq(s->n, 3);
    fwd_sounding_free(s);
    s = fwd_sounding_read(
        put("yx.csv", "period_s,rho_a_ohmm,phase_deg\n1,10,-135\n2,10,45\n3,10,40\n", p), FWD_MT, 0,
        NULL);
    cr_assert_not_null(s);
    cr_expect_eq(s->phase[0], 45);
    fwd_sounding_free(s);
    s = fwd_sounding_read(put("info.edi",
                              ">HEAD\n DATAID=X\n>INFO\n 2015 survey, 50 m dipoles\n>FREQ // 3\n"
                              " 1 2 3\n>RHOXY // 3\n 10 20 30\n>PHSXY // 3\n 45 50 55\n"
                              ">RHOYX // 3\n 10 20 30\n>PHSYX // 3\n -135 -130 -125\n>END\n",
                              p),
                          FWD_MT, FWD_COMP_YX, NULL);
    cr_assert_not_null(s);
    cr_expect_eq(s->n, 3);
    cr_expect_float_eq(s->phase[0], 55, 1e-12); /* 3 Hz: -125 + 180 */
    fwd_sounding_free(s);
}

Test(fwd_sounding, malformed_edi_is_named)
{
    expect_error("nofreq.edi", ">HEAD\n  DATAID=X\n>ZXYR // 2\n 1 2\n>END\n", FWD_MT, ">FREQ");
    expect_error("count.edi",
                 ">HEAD\n>FREQ // 3\n 1 2 3\n>ZXYR // 3\n 1 2\n>ZXYI // 3\n 1 2 3\n"
                 ">ZYXR // 3\n 1 2 3\n>ZYXI // 3\n 1 2 3\n>END\n",
                 FWD_MT, ":4: ZXYR: expected 3 values (one per frequency), got 2");
    expect_error("garbage.edi", ">HEAD\n>FREQ // 3\n 1 2 x3\n>END\n", FWD_MT,
                 ":3: FREQ: expected a number, got \"x3\"");
    expect_error("noz.edi", ">HEAD\n>FREQ // 3\n 1 2 3\n>END\n", FWD_MT,
                 "expected impedance blocks");
    expect_error("nozyx.edi",
                 ">HEAD\n>FREQ // 3\n 1 2 3\n>ZXYR // 3\n 1 2 3\n>ZXYI // 3\n 1 2 3\n>END\n",
                 FWD_MT,
                 ">ZYXR: expected for component det, got no such block; the file has >ZXYR and "
                 ">ZXYI: component xy reads them");
    expect_error("dupfreq.edi",
                 ">HEAD\n>FREQ // 3\n 1 2 1\n>ZXYR // 3\n 1 2 3\n>ZXYI // 3\n 1 2 3\n"
                 ">ZYXR // 3\n 1 2 3\n>ZYXI // 3\n 1 2 3\n>END\n",
                 FWD_MT,
                 ":3: FREQ: expected distinct frequencies, got 1 Hz twice: values 1 and 3 of the "
                 "block, lines 3 and 3");
    expect_error("allempty.edi",
                 ">HEAD\n>FREQ // 3\n 1 2 3\n>ZXYR // 3\n 1e32 1e32 1e32\n>ZXYI // 3\n 1 2 3\n"
                 ">ZYXR // 3\n 1 2 3\n>ZYXI // 3\n 1 2 3\n>END\n",
                 FWD_MT, "expected at least 3 points, got 0");
}

/* An EDI file read with component comp: the sounding, or NULL with *err set. */
static fwd_sounding *
read_edi_comp(const char *name, const char *text, fwd_component comp, fwd_error *err)
{
    char p[128];

    memset(err, 0, sizeof *err);
    return fwd_sounding_read(put(name, text, p), FWD_MT, comp, err);
}

/* As expect_error, for an EDI file read with component comp. */
static void
expect_edi_error(const char *name, const char *text, fwd_component comp, const char *fragment)
{
    fwd_error err;
    fwd_sounding *s = read_edi_comp(name, text, comp, &err);

    cr_expect_null(s, "%s was read", name);
    fwd_sounding_free(s);
    cr_expect(strstr(err.msg, fragment) != NULL, "%s: expected \"%s\" in \"%s\"", name, fragment,
              err.msg);
    cr_expect(strstr(err.msg, name) != NULL, "%s: the message does not name the file: %s", name,
              err.msg);
}

/* A file of one off-diagonal impedance: read for that component, refused for the others by
 * a message that names the block, the component and the one that would read the file. */
/* Zyx written with Zxy's sign (some converters): the note says so and how to read it, for
 * the components that use Zyx; not for xy, nor for a file of the usual signs (Zyx = -Zxy
 * for a 1D earth), nor where only a minority of the frequencies are so (a 3D earth's). */
Test(fwd_sounding, edi_zyx_of_zxys_sign)
{
    static const char *const zyx[3] = {" 10 10 10 10\n>ZYXI // 4\n 5 6 7 8\n", /* Zxy's sign */
                                       " -10 -10 -10 -10\n>ZYXI // 4\n -5 -6 -7 -8\n",
                                       " -10 -10 10 -10\n>ZYXI // 4\n -5 -6 9 -8\n"};
    static const fwd_component comp[4] = {FWD_COMP_DET, FWD_COMP_BERD, FWD_COMP_YX, FWD_COMP_XY};
    char text[512];
    fwd_error err;
    fwd_sounding *s;
    int k, c;

    for (k = 0; k < 3; k++)
        for (c = 0; c < 4; c++) {
            snprintf(text, sizeof text,
                     ">HEAD\n>FREQ // 4\n 1 2 4 8\n>ZXYR // 4\n 10 10 10 10\n>ZXYI // 4\n 5 6 7 "
                     "8\n>ZYXR // 4\n%s>END\n",
                     zyx[k]);
            s = read_edi_comp("zyx.edi", text, comp[c], &err);
            if (k == 0 && c == 1) { /* berd: (Zxy - Zyx) / 2 = 0 */
                cr_expect_null(s);
                continue;
            }
            cr_assert_not_null(s, "%d %d: %s", k, c, err.msg);
            if (k == 0 && c < 3)
                cr_expect(strstr(s->note, "Zxy and Zyx on the same side at 4 of 4 frequencies, "
                                          "where a 1D earth's are opposite (Zyx = -Zxy; bpinv's "
                                          "Zyx in the third quadrant): does the file write Zyx "
                                          "with Zxy's sign? Then its ZYXR and ZYXI negated read "
                                          "it (--component xy reads Zxy alone)") != NULL,
                          "%d %d: %s", k, c, s->note);
            else
                cr_expect(strstr(s->note, "same side") == NULL, "%d %d: %s", k, c, s->note);
            fwd_sounding_free(s);
        }
}

Test(fwd_sounding, edi_one_component)
{
    static const char xy[] = ">HEAD\n DATAID=XY\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 10 10 10\n"
                             ">ZXYI // 3\n 10 20 0.5\n>ZXY.VAR // 3\n 2 2 2\n>END\n";
    static const char yx[] = ">HEAD\n DATAID=YX\n>FREQ // 3\n 1 2 4\n>ZYXR // 3\n -10 -10 -10\n"
                             ">ZYXI // 3\n -10 -20 -0.5\n>ZYX.VAR // 3\n 2 2 2\n>END\n";
    /* by period: 4 Hz |Z|^2 100.25, 2 Hz 500, 1 Hz 200; rho_a = 0.2 T |Z|^2 */
    static const double T[3] = {0.25, 0.5, 1}, rho[3] = {5.0125, 50, 40}, im[3] = {0.5, 20, 10};
    fwd_error err;
    fwd_sounding *s;
    size_t i;
    int k;

    for (k = 0; k < 2; k++) {
        s = read_edi_comp(k == 0 ? "xy.edi" : "yx.edi", k == 0 ? xy : yx,
                          k == 0 ? FWD_COMP_XY : FWD_COMP_YX, &err);
        cr_assert_not_null(s, "%s", err.msg);
        cr_assert_eq(s->n, 3);
        for (i = 0; i < 3; i++) {
            cr_expect_float_eq(s->x[i], T[i], 1e-15);
            cr_expect_float_eq(s->rho_a[i], rho[i], 1e-12 * rho[i], "%zu: %.15g", i, s->rho_a[i]);
            cr_expect_float_eq(s->phase[i], atan2(im[i], 10) * 180 / PI, 1e-12);
        }
        /* VAR 2 at 1 Hz: e = sqrt(2) / sqrt(200) = 0.1 */
        cr_assert_not_null(s->sd_log10);
        cr_expect_float_eq(s->sd_log10[2], 0.2 / log(10.0), 1e-12);
        fwd_sounding_free(s);
    }
    expect_edi_error("xy_det.edi", xy, FWD_COMP_DET,
                     "xy_det.edi: block >ZYXR: expected for component det, got no such block; "
                     "the file has >ZXYR and >ZXYI: component xy reads them");
    expect_edi_error("xy_yx.edi", xy, FWD_COMP_YX,
                     "block >ZYXR: expected for component yx, got no such block; the file has "
                     ">ZXYR and >ZXYI: component xy reads them");
    expect_edi_error("yx_xy.edi", yx, FWD_COMP_XY,
                     "block >ZXYR: expected for component xy, got no such block; the file has "
                     ">ZYXR and >ZYXI: component yx reads them");
    /* the yx pair whole and half of the xy pair (ZXYR alone): yx reads it, without the half
     * pair (the fuzz target found it read then, session 24) */
    {
        char half[sizeof yx + 64];

        snprintf(half, sizeof half, "%.*s>ZXYR // 3\n 1 1 1\n>END\n", (int)(sizeof yx - 6), yx);
        s = read_edi_comp("halfxy.edi", half, FWD_COMP_YX, &err);
        cr_assert_not_null(s, "%s", err.msg);
        cr_expect_float_eq(s->rho_a[2], rho[2], 1e-12 * rho[2]);
        fwd_sounding_free(s);
    }
    /* half of each pair: no component to offer */
    s = read_edi_comp("halves.edi",
                      ">HEAD\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 1 1 1\n>ZYXR // 3\n 1 1 1\n"
                      ">END\n",
                      FWD_COMP_DET, &err);
    cr_expect_null(s);
    cr_expect(strstr(err.msg, "halves.edi: block >ZXYI: expected for component det, got no such "
                              "block") != NULL &&
                  strstr(err.msg, "reads them") == NULL,
              "%s", err.msg);
    fwd_sounding_free(s);
}

/* The count after the block name with no space before it: ">FREQ//3" is FREQ. */
Test(fwd_sounding, edi_count_without_space)
{
    fwd_error err;
    fwd_sounding *s = read_edi_comp("slash.edi",
                                    ">HEAD\n>FREQ//3\n 1 2 4\n>ZXYR//3\n 10 10 10\n"
                                    ">ZXYI ROT=ZROT //3\n 10 20 0.5\n>ZXY.VAR//3\n 2 2 2\n>END\n",
                                    FWD_COMP_XY, &err);

    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 3);
    cr_expect_float_eq(s->x[2], 1, 1e-15);
    cr_expect_float_eq(s->rho_a[2], 40, 1e-12); /* 0.2 T |10 + 10i|^2 */
    cr_expect_float_eq(s->phase[2], 45, 1e-12);
    cr_expect_not_null(s->sd_log10, "ZXY.VAR//3 read");
    fwd_sounding_free(s);
}

/* Merged bands: a frequency given twice is refused by the two places it has in the block and
 * their lines (the first repeat in the block's order), never averaged; a repeat whose values
 * are EMPTY is no point, and no repeat. A point's line is the line of its frequency. */
Test(fwd_sounding, edi_frequency_twice)
{
    static const char head[] = ">HEAD\n DATAID=M\n>FREQ // 6\n 100 10 1\n 1 0.1 10\n";
    char text[512];
    fwd_error err;
    fwd_sounding *s;

    /* 1 Hz (values 3 and 4, lines 4 and 5) before 10 Hz (values 2 and 6, lines 4 and 5) */
    snprintf(text, sizeof text,
             "%s>RHOXY // 6\n 1 2 3 4 5 6\n>PHSXY // 6\n 45 45 45 45 45 45\n>END\n", head);
    expect_edi_error("twice.edi", text, FWD_COMP_XY,
                     "twice.edi:5: FREQ: expected distinct frequencies, got 1 Hz twice: values 3 "
                     "and 4 of the block, lines 4 and 5");
    /* the second band's 1 Hz and 10 Hz EMPTY: 4 points, each with its frequency's line */
    snprintf(text, sizeof text,
             "%s>RHOXY // 6\n 1 2 3 1e32 5 6\n>PHSXY // 6\n 45 45 45 45 45 1e32\n>END\n", head);
    s = read_edi_comp("merged.edi", text, FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 4);
    cr_expect(s->x[0] == 0.01 && s->line[0] == 4, "100 Hz: line %zu", s->line[0]);
    cr_expect(s->x[1] == 0.1 && s->line[1] == 4 && s->rho_a[1] == 2, "10 Hz: line %zu", s->line[1]);
    cr_expect(s->x[2] == 1 && s->line[2] == 4 && s->rho_a[2] == 3, "1 Hz: line %zu", s->line[2]);
    cr_expect(s->x[3] == 10 && s->line[3] == 5, "0.1 Hz: line %zu", s->line[3]);
    fwd_sounding_free(s);
}

/* An apparent resistivity of 0 or below is no reading: that frequency is left out, and the
 * note says which, with its value and line (they went in silence); an EMPTY one is not
 * named. A negative impedance variance is read as its absolute value, and said. */
Test(fwd_sounding, edi_values_that_are_no_reading)
{
    static const char rho[] =
        ">HEAD\n DATAID=R1\n>=MTSECT\n>FREQ // 6\n 100 30 10 3 1 0.3\n"
        ">RHOXY // 6\n 100 -70 1e32 0 60 50\n>PHSXY // 6\n 45 46 47 48 49 50\n"
        ">END\n";
    static const char z[] = ">HEAD\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 10 10 10\n"
                            ">ZXYI // 3\n 10 10 10\n>ZXY.VAR // 3\n 1 -1 1\n>END\n";
    fwd_error err;
    fwd_sounding *s = read_edi_comp("rho.edi", rho, FWD_COMP_XY, &err);

    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_eq(s->n, 3);
    cr_expect_str_eq(s->note, "1 of 6 frequencies skipped, a value missing: RHOXY EMPTY at 10 Hz; "
                              "2 frequencies left out, an apparent resistivity not > 0: RHOXY -70 "
                              "at 30 Hz (line 7), RHOXY 0 at 3 Hz (line 7)");
    fwd_sounding_free(s);
    s = read_edi_comp("var.edi", z, FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect(s->n == 3 && s->sd_log10 != NULL && s->sd_log10[1] == s->sd_log10[0] &&
              s->sd_log10[0] > 0);
    cr_expect_str_eq(s->note, "1 frequency with a negative impedance variance (ZXY.VAR, ZYX.VAR), "
                              "read as its absolute value");
    fwd_sounding_free(s);
    /* a dead band's variance of an error beyond any measurement's (rel 1e4: 8,700 decades):
     * read as the largest error a sounding may give, not a refusal of the whole file */
    s = read_edi_comp("bigvar.edi",
                      ">HEAD\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 10 10 10\n>ZXYI // 3\n 10 10 10\n"
                      ">ZXY.VAR // 3\n 1 2e10 1\n>END\n",
                      FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect(s->n == 3 && s->sd_log10[1] == FWD_SD_LOG10_MAX && s->sd_phase[1] <= 90, "%g %g",
              s->sd_log10[1], s->sd_phase[1]);
    cr_expect_str_eq(s->note, "1 frequency with an error beyond 10 decades of rho_a, read as 10");
    fwd_sounding_free(s);
}

static void expect_same_sounding(const fwd_sounding *a, const fwd_sounding *b);

/* An EDI file of an old Mac (lines ended by a lone CR) reads as the same file with LF (it
 * was one line: "block >FREQ: ... got no such block"), and with CRLF. */
Test(fwd_sounding, edi_of_any_line_end)
{
    static const char lf[] = ">HEAD\n DATAID=M1\n>=MTSECT\n>FREQ // 4\n 100 10 1 0.1\n"
                             ">RHOXY // 4\n 100 90 80 70\n>PHSXY // 4\n 45 46 47 48\n>END\n";
    char cr[sizeof lf], crlf[2 * sizeof lf];
    size_t i, k = 0;
    fwd_error err;
    fwd_sounding *a, *b, *c;

    for (i = 0; i < sizeof lf; i++) {
        cr[i] = lf[i] == '\n' ? '\r' : lf[i];
        if (lf[i] == '\n')
            crlf[k++] = '\r';
        crlf[k++] = lf[i];
    }
    a = read_edi_comp("lf.edi", lf, FWD_COMP_XY, &err);
    cr_assert_not_null(a, "%s", err.msg);
    b = read_edi_comp("cr.edi", cr, FWD_COMP_XY, &err);
    cr_assert_not_null(b, "%s", err.msg);
    c = read_edi_comp("crlf.edi", crlf, FWD_COMP_XY, &err);
    cr_assert_not_null(c, "%s", err.msg);
    cr_expect_eq(a->n, 4);
    expect_same_sounding(a, b);
    expect_same_sounding(a, c);
    cr_expect(b->line[3] == 5 && c->line[3] == 5, "lines %zu, %zu", b->line[3], c->line[3]);
    fwd_sounding_free(a);
    fwd_sounding_free(b);
    fwd_sounding_free(c);
}

/* Every block a component reads holds one value per frequency: a variance, error or diagonal
 * block cut short is refused as an impedance block is, by its line (before, it was left out
 * in silence, and the sounding read without its errors). A block the component does not
 * read that is cut short is left out, and the note says so. */
Test(fwd_sounding, edi_block_cut_short)
{
    static const char z[] = ">HEAD\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 10 10 10\n"
                            ">ZXYI // 3\n 10 10 10\n>ZYXR // 3\n -10 -10 -10\n"
                            ">ZYXI // 3\n -10 -10 -10\n";
    static const char r[] = ">HEAD\n>FREQ // 3\n 1 2 4\n>RHOXY // 3\n 10 10 10\n"
                            ">PHSXY // 3\n 45 45 45\n";
    char text[512];
    fwd_error err;
    fwd_sounding *s;

    /* ZYX.VAR: read by yx and det, not by xy */
    snprintf(text, sizeof text, "%s>ZXY.VAR // 3\n 1 1 1\n>ZYX.VAR // 3\n 1 1\n>END\n", z);
    expect_edi_error("var.edi", text, FWD_COMP_YX,
                     "var.edi:14: ZYX.VAR: expected 3 values (one per frequency), got 2");
    expect_edi_error("var.edi", text, FWD_COMP_DET, "var.edi:14: ZYX.VAR: expected 3 values");
    s = read_edi_comp("var.edi", text, FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect(s->n == 3 && s->sd_log10 != NULL, "xy with its errors");
    cr_expect_str_eq(s->note, "not one value per frequency, so not read: >ZYX.VAR (2 values)");
    fwd_sounding_free(s);
    /* the diagonal: read by det when all four are there */
    snprintf(text, sizeof text,
             "%s>ZXXR // 3\n 1 1\n>ZXXI // 3\n 1 1 1\n>ZYYR // 3\n 1 1 1\n>ZYYI // 3\n 1 1 1\n"
             ">END\n",
             z);
    expect_edi_error("diag.edi", text, FWD_COMP_DET, "diag.edi:12: ZXXR: expected 3 values");
    s = read_edi_comp("diag.edi", text, FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect(strstr(s->note, ">ZXXR (2 values)") != NULL, "%s", s->note);
    fwd_sounding_free(s);
    snprintf(text, sizeof text, "%s>RHOXY.ERR // 3\n 1 1\n>END\n", r);
    expect_edi_error("rerr.edi", text, FWD_COMP_XY, "rerr.edi:8: RHOXY.ERR: expected 3 values");
    snprintf(text, sizeof text, "%s>RHOYX // 3\n 10 10 10\n>PHSYX // 3\n -135 -135\n>END\n", r);
    expect_edi_error("phsyx.edi", text, FWD_COMP_DET, "phsyx.edi:10: PHSYX: expected 3 values");
    s = read_edi_comp("phsyx.edi", text, FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_str_eq(s->note, "not one value per frequency, so not read: >PHSYX (2 values)");
    fwd_sounding_free(s);
}

/* A frequency where any value read is EMPTY is skipped: a variance, an error, or the block
 * of the component not asked for, in both kinds of file. */
Test(fwd_sounding, edi_empty_anywhere_skips_the_frequency)
{
    static const char *files[2] = {
        ">HEAD\n>FREQ // 4\n 1 2 4 8\n>ZXYR // 4\n 10 10 10 10\n>ZXYI // 4\n 10 10 10 10\n"
        ">ZYXR // 4\n -10 -10 -10 -10\n>ZYXI // 4\n -10 -10 -10 -10\n"
        ">ZXY.VAR // 4\n 1 1 1 1\n>ZYX.VAR // 4\n 1 1e32 1 1\n>END\n",
        ">HEAD\n>FREQ // 4\n 1 2 4 8\n>RHOXY // 4\n 10 10 10 10\n>PHSXY // 4\n 45 45 45 45\n"
        ">RHOYX // 4\n 10 10 10 10\n>PHSYX // 4\n -135 1e32 -135 -135\n>END\n"};
    fwd_error err;
    fwd_sounding *s;
    int f, c;

    for (f = 0; f < 2; f++)
        for (c = 0; c < 3; c++) {
            s = read_edi_comp("emptyvar.edi", files[f], (fwd_component)c, &err);
            cr_assert_not_null(s, "%s", err.msg);
            cr_expect_eq(s->n, 3, "file %d component %d: %zu points", f, c, s->n);
            cr_expect(s->x[0] == 0.125 && s->x[1] == 0.25 && s->x[2] == 1, "2 Hz skipped");
            fwd_sounding_free(s);
        }
}

/* det's phase is the mean of Zxy's and -Zyx's, also where their product's phase passes 180
 * degrees: the principal square root would give 90.5 - 180 = -89.5 for phases 88 and 93. */
Test(fwd_sounding, edi_det_phase_near_90)
{
    double a = 88 * PI / 180, b = 93 * PI / 180;
    char text[512];
    fwd_error err;
    fwd_sounding *s;
    size_t i;

    snprintf(text, sizeof text,
             ">HEAD\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n %.17g %.17g %.17g\n"
             ">ZXYI // 3\n %.17g %.17g %.17g\n>ZYXR // 3\n %.17g %.17g %.17g\n"
             ">ZYXI // 3\n %.17g %.17g %.17g\n>END\n",
             10 * cos(a), 10 * cos(a), 10 * cos(a), 10 * sin(a), 10 * sin(a), 10 * sin(a),
             -40 * cos(b), -40 * cos(b), -40 * cos(b), -40 * sin(b), -40 * sin(b), -40 * sin(b));
    s = read_edi_comp("branch.edi", text, FWD_COMP_DET, &err);
    cr_assert_not_null(s, "%s", err.msg);
    for (i = 0; i < 3; i++) {
        double rho = 0.2 * s->x[i] * 10 * 40; /* the geometric mean of 0.2 T |Z|^2 */

        cr_expect_float_eq(s->phase[i], 90.5, 1e-9, "%zu: %.12g", i, s->phase[i]);
        cr_expect_float_eq(s->rho_a[i], rho, 1e-12 * rho);
    }
    /* outside 0-90: said, without the hint of another convention (one side only) */
    cr_expect(strstr(s->note, "3 of 3 phases outside 0-90 degrees (90.5 to 90.5)") != NULL &&
                  strstr(s->note, "convention") == NULL,
              "%s", s->note);
    fwd_sounding_free(s);
}

/* Phases in radians (every one within +-pi: no earth's are all so near 0 degrees) are said;
 * one above pi, or a 45 degree phase among them, is no such file. */
Test(fwd_sounding, phases_in_radians_said)
{
    static const struct {
        const char *name, *phases, *note; /* three or four phases; the note it begins with */
    } cases[] = {
        {"rad.csv", "0.785 0.8 0.9 -0.7",
         "every phase within +-pi (-0.7 to 0.9): radians? bpinv reads phases in degrees "
         "(radians x 57.30)"},
        /* most below 0: the sign convention's remark too */
        {"radneg.csv", "-0.81 -1.12 -0.9",
         "every phase within +-pi (-1.12 to -0.81): radians? bpinv reads phases in degrees "
         "(radians x 57.30): another sign convention?"},
        /* the bound: pi is in, 3.2 is out (a phase of 3.2 degrees among them: degrees) */
        {"pi.csv", "3.14159 1 1", "every phase within +-pi (1 to 3.14): radians?"},
        {"notpi.csv", "3.2 1 1", ""},
        {"deg.csv", "0.785 45 0.9 0.7", ""},
        {"zero.csv", "0 0 0",
         "every phase 0: not measured? (a 1D earth's lie between 0 and 90 degrees, 45 over a "
         "half-space)"},
    };
    size_t k;

    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        static const double period[] = {0.01, 0.1, 1, 10}, rho[] = {100, 100, 90, 80};
        char text[256], p[128];
        const char *ph = cases[k].phases;
        size_t i, len = (size_t)snprintf(text, sizeof text, "period_s,rho_a_ohmm,phase_deg\n");
        fwd_error err;
        fwd_sounding *s;

        for (i = 0; *ph != '\0'; i++) { /* each phase on a row of its own period */
            size_t w = strcspn(ph, " ");

            len += (size_t)snprintf(text + len, sizeof text - len, "%g,%g,%.*s\n", period[i],
                                    rho[i], (int)w, ph);
            ph += w + (ph[w] == ' ');
        }
        s = fwd_sounding_read(tst_write(dir, cases[k].name, text, p, sizeof p), FWD_MT,
                              FWD_COMP_DET, &err);
        cr_assert_not_null(s, "%s: %s", cases[k].name, err.msg);
        if (cases[k].note[0] == '\0')
            cr_expect_str_eq(s->note, "", "%s", cases[k].name);
        else
            cr_expect(strncmp(s->note, cases[k].note, strlen(cases[k].note)) == 0,
                      "%s: \"%s\" does not begin with \"%s\"", cases[k].name, s->note,
                      cases[k].note);
        fwd_sounding_free(s);
    }
}

/* A phase block's angles are read whatever their turn: a yx phase of 225 is -135, brought to
 * the first quadrant (45) as -135 is; xy's 405 is 45. */
Test(fwd_sounding, edi_phase_of_any_turn)
{
    fwd_error err;
    fwd_sounding *s = read_edi_comp(
        "turn.edi",
        ">HEAD\n>FREQ // 4\n 1 2 4 8\n>RHOXY // 4\n 10 10 10 10\n"
        ">PHSXY // 4\n 405 50 -320 0\n>RHOYX // 4\n 10 10 10 10\n>PHSYX // 4\n 225 -130 230 180\n"
        ">END\n",
        FWD_COMP_DET, &err);
    static const double want[4] = {0, 45, 50, 45}; /* by period: 8 Hz first */
    size_t i;

    cr_assert_not_null(s, "%s", err.msg);
    for (i = 0; i < 4; i++) /* 0 and yx's 180 (-180, brought to 0) at 8 Hz */
        cr_expect_float_eq(s->phase[i], want[i], 1e-12, "%zu: %.15g", i, s->phase[i]);
    cr_expect_str_eq(s->note, "");
    fwd_sounding_free(s);
}

/* What the reader doubts is said in the note: impedances of another sign convention (their
 * phases below 0), an EDI file without >END, det without errors, xy of rotated axes,
 * impedances in ohm; a file of spectra is refused by a message that says so. */
Test(fwd_sounding, edi_doubts_in_the_note)
{
    static const char conj[] = ">HEAD\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 10 10 10\n"
                               ">ZXYI // 3\n -10 -5 -20\n>ZYXR // 3\n -10 -10 -10\n"
                               ">ZYXI // 3\n 10 5 20\n";
    char text[768];
    fwd_error err;
    fwd_sounding *s;

    snprintf(text, sizeof text, "%s>END\n", conj);
    s = read_edi_comp("conj.edi", text, FWD_COMP_DET, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect(strstr(s->note, "3 of 3 phases outside 0-90 degrees (-63.4 to -26.6), where no 1D "
                              "earth's are: another sign convention?") != NULL,
              "%s", s->note);
    fwd_sounding_free(s);
    /* no END; ZXY.VAR without ZYX.VAR; ZROT */
    snprintf(text, sizeof text, "%s>ZXY.VAR // 3\n 1 1 1\n>ZROT // 3\n 0 30 1e32\n", conj);
    s = read_edi_comp("doubts.edi", text, FWD_COMP_DET, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_null(s->sd_log10);
    cr_expect(strstr(s->note, "no >END line: is the file cut short?") != NULL, "%s", s->note);
    cr_expect(strstr(s->note, "no yx errors: det read without errors (xy has them)") != NULL, "%s",
              s->note);
    cr_expect(strstr(s->note, "ZROT") == NULL, "det is of any axes: %s", s->note);
    fwd_sounding_free(s);
    s = read_edi_comp("doubts.edi", text, FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_not_null(s->sd_log10);
    cr_expect(strstr(s->note, "ZROT 30 degrees at 1 of 2 frequencies: xy is of axes so rotated") !=
                  NULL,
              "%s", s->note);
    fwd_sounding_free(s);
    /* |Z| of 0.01 ohm at 1-4 Hz: rho_a 5e-6 to 2e-5 ohm-m */
    s = read_edi_comp("si.edi",
                      ">HEAD\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 0.01 0.01 0.01\n"
                      ">ZXYI // 3\n 0.01 0.01 0.01\n>END\n",
                      FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect(strstr(s->note, "impedances in ohm (SI)? EDI's are (mV/km)/nT") != NULL, "%s",
              s->note);
    fwd_sounding_free(s);
    expect_edi_error("spectra.edi",
                     ">HEAD\n>=SPECTRASECT\n NCHAN=5\n>SPECTRA FREQ=10 ROTSPEC=0 // 25\n 1 2 3\n"
                     ">SPECTRA FREQ=5 ROTSPEC=0 // 25\n 1 2 3\n>END\n",
                     FWD_COMP_DET,
                     "block >FREQ: expected the frequencies (Hz), got no such block (the file "
                     "holds spectra, >=SPECTRASECT, which bpinv does not read");
}

/* Text files and arrays say their phases outside 0-90 too; a sounding inside says nothing. */
Test(fwd_sounding, phases_outside_noted_for_text_and_arrays)
{
    static const double T[4] = {0.1, 1, 10, 100}, rho[4] = {10, 20, 30, 40};
    static const double in[4] = {45, 50, 30, 20}, out[4] = {-45, -50, -30, 95};
    char p[128];
    fwd_sounding *s;

    s = fwd_sounding_read(put("ph.csv",
                              "period_s,rho_a_ohmm,phase_deg\n0.1,10,45\n1,20,95\n"
                              "10,30,40\n",
                              p),
                          FWD_MT, 0, NULL);
    cr_assert_not_null(s);
    cr_expect_str_eq(s->note, "1 of 3 phases outside 0-90 degrees (95.0 to 95.0), where no 1D "
                              "earth's are");
    fwd_sounding_free(s);
    s = fwd_sounding_from_arrays("a", FWD_MT, 4, T, NULL, rho, in, NULL, NULL, NULL);
    cr_assert_not_null(s);
    cr_expect_str_eq(s->note, "");
    fwd_sounding_free(s);
    s = fwd_sounding_from_arrays("a", FWD_MT, 4, T, NULL, rho, out, NULL, NULL, NULL);
    cr_assert_not_null(s);
    cr_expect(strstr(s->note, "4 of 4 phases outside 0-90 degrees (-50.0 to 95.0), where no 1D "
                              "earth's are: another sign convention?") != NULL,
              "%s", s->note);
    fwd_sounding_free(s);
}

/* Resistances V/I under a rho_a header (a tester's file): over a homogeneous earth of 100
 * ohm-m, R = rho_a / K, K = pi ((AB/2)^2 - (MN/2)^2) / MN, falls as (AB/2)^-2; in MN/2
 * segments it jumps up at each (K grows with MN). The note says so, read from a file and
 * from arrays; not for a layered earth's apparent resistivities (the forward model's, a
 * resistive top over a conductor 100 times lower: a decade of slope -3, then flat), nor
 * for resistances over less than 2 decades. */
Test(fwd_sounding, resistances_as_rho_a)
{
    double x[24], mn[24], r[24], rho[24], h = 3, lay[2] = {100, 1}, sxx = 0, sxy = 0;
    char text[2048], p[128], want[320];
    fwd_workspace *w;
    fwd_sounding *s;
    fwd_geom *g;
    size_t i, n = 0, k;

    for (k = 0; k < 3; k++) /* MN/2 0.5 at 1.5-15 m, 2 at 10-60, 10 at 50-300 */
        for (i = 0; i < 8; i++) {
            double lo = k == 0 ? 1.5 : k == 1 ? 10 : 50, hi = k == 0 ? 15 : k == 1 ? 60 : 300;

            x[n] = lo * pow(hi / lo, (double)i / 7);
            mn[n] = k == 0 ? 0.5 : k == 1 ? 2 : 10;
            r[n] = 100 / (PI * (x[n] * x[n] - mn[n] * mn[n]) / (2 * mn[n]));
            n++;
        }
    for (k = 0; k < 3; k++) { /* the least-squares slope, a level a segment: -2 and a little
                               * more, for the (MN/2)^2 in K */
        double mx = 0, my = 0;

        for (i = 8 * k; i < 8 * k + 8; i++) {
            mx += log10(x[i]) / 8;
            my += log10(r[i]) / 8;
        }
        for (i = 8 * k; i < 8 * k + 8; i++) {
            sxx += (log10(x[i]) - mx) * (log10(x[i]) - mx);
            sxy += (log10(x[i]) - mx) * (log10(r[i]) - my);
        }
    }
    snprintf(want, sizeof want,
             "rho_a falls as AB/2 to the power %.2f over 2.3 decades, as a resistance V/I does "
             "(rho_a = K V/I, K = pi ((AB/2)^2 - (MN/2)^2) / MN): resistances under a rho_a "
             "header? A layered earth's seldom falls that fast that long",
             sxy / sxx);
    cr_expect(sxy / sxx < -2 && sxy / sxx > -2.1, "%g", sxy / sxx);
    snprintf(text, sizeof text, "ab2_m,mn2_m,rho_a_ohmm\n");
    for (i = 0; i < n; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%.10g,%g,%.10g\n", x[i], mn[i],
                 r[i]);
    s = fwd_sounding_read(put("r.csv", text, p), FWD_SCHLUMBERGER, 0, NULL);
    cr_assert_not_null(s);
    cr_expect(strstr(s->note, want) != NULL, "%s", s->note);
    fwd_sounding_free(s);
    s = fwd_sounding_from_arrays("a", FWD_SCHLUMBERGER, 8, x, mn, r, NULL, NULL, NULL, NULL);
    cr_assert_not_null(s); /* 1.5-15 m: 1 decade */
    cr_expect(strstr(s->note, "resistance") == NULL, "%s", s->note);
    fwd_sounding_free(s);
    for (i = 0; i < 24; i++)
        x[i] = pow(10, 3.0 * (double)i / 23);
    g = fwd_geom_alloc(FWD_SCHLUMBERGER, 24, x, NULL, NULL);
    w = fwd_workspace_alloc(g, NULL, NULL);
    cr_assert_eq(fwd_eval(w, 2, lay, &h, rho, NULL), FWD_OK);
    s = fwd_sounding_from_arrays("b", FWD_SCHLUMBERGER, 24, x, NULL, rho, NULL, NULL, NULL, NULL);
    cr_assert_not_null(s);
    cr_expect(strstr(s->note, "resistance") == NULL, "%s", s->note);
    fwd_sounding_free(s);
    fwd_workspace_free(w);
    fwd_geom_free(g);
}

/* A reading repeated on the next data row (a comment or blank line between is no row) with
 * all the repeats within a factor 1.26 and 5 degrees of each other is one point: the
 * geometric mean, the mean phase, errors sqrt(sum sd^2) / k, the first line; said in the
 * station's note. The same x elsewhere in the file, or after another station's row, or
 * repeats a factor 1.5 apart (the first and the third too), stay an error (a typo). */
Test(fwd_sounding, repeated_readings)
{
    char p[128];
    fwd_error err;
    fwd_sounding *s, **st;
    size_t n;

    s = fwd_sounding_read(put("rep.txt",
                              "period_s rho_a_ohmm phase_deg sd_log10_rho_a sd_phase_deg\n"
                              "0.1 10 40 0.02 1\n1 20 44 0.03 2\n1 22 46 0.04 2\n# again\n\n"
                              "1 21 45 0.05 2\n10 30 50 0.02 1\n100 40 52 0.02 1\n",
                              p),
                          FWD_MT, 0, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 4);
    cr_expect_float_eq(s->rho_a[1], cbrt(20.0 * 22 * 21), 1e-12);
    cr_expect_float_eq(s->phase[1], 45, 1e-12);
    cr_expect_float_eq(s->sd_log10[1], sqrt(0.03 * 0.03 + 0.04 * 0.04 + 0.05 * 0.05) / 3, 1e-15);
    cr_expect_float_eq(s->sd_phase[1], sqrt(12.0) / 3, 1e-15);
    cr_expect_eq(s->rho_a[0], 10); /* read once: bit for bit */
    cr_expect_eq(s->line[1], 3);
    cr_expect_eq(s->line[2], 8);
    cr_expect_str_eq(s->note, "reading repeated on the next row averaged: period_s 1 from line 3");
    fwd_sounding_free(s);
    /* a survey table: A's repeat after B's row is none; B's own, on its next row, is */
    cr_assert_eq(fwd_sounding_read_stations(put("st.csv",
                                                "station,ab2_m,rho_a_ohmm\nA,1,10\nA,2,20\n"
                                                "B,1,30\nB,2,31\nB,2,32\nB,5,35\nA,5,25\n",
                                                p),
                                            FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                 FWD_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect_eq(st[0]->n, 3);
    cr_expect_str_eq(st[0]->note, "");
    cr_expect_eq(st[1]->n, 3);
    cr_expect_float_eq(st[1]->rho_a[1], sqrt(31.0 * 32), 1e-12);
    cr_expect_str_eq(st[1]->note, "reading repeated on the next row averaged: ab2_m 2 from line 5");
    fwd_sounding_free_stations(st, n);
    expect_error("apart.csv", "ab2_m,rho_a_ohmm\n1,10\n2,20\n5,30\n2,21\n10,40\n", FWD_SCHLUMBERGER,
                 ":5: ab2_m: 2 is given twice (also on line 3): a typo? (a reading repeated on "
                 "the next row, within a factor 1.26, is averaged)");
    expect_error("far.csv", "ab2_m,rho_a_ohmm\n1,10\n2,20\n2,30\n5,30\n10,40\n", FWD_SCHLUMBERGER,
                 ":4: ab2_m: 2 is given twice (also on line 3): a typo?");
    expect_error("spread.csv", "ab2_m,rho_a_ohmm\n1,10\n2,100\n2,125\n2,80\n10,40\n",
                 FWD_SCHLUMBERGER, ":5: ab2_m: 2 is given twice (also on line 3): a typo?");
    expect_error("interleaved.csv",
                 "station,ab2_m,rho_a_ohmm\nA,1,10\nA,2,20\nB,1,30\nA,2,21\nA,5,25\n",
                 FWD_SCHLUMBERGER, ":5: ab2_m: 2 is given twice (also on line 3): a typo?");
    expect_error("phase.txt",
                 "period_s rho_a_ohmm phase_deg\n0.1 10 40\n1 20 40\n1 20 50\n10 30 50\n", FWD_MT,
                 ":4: period_s: 1 is given twice (also on line 3): a typo?");
}

/* MN/2 given on a segment's first row alone (merged cells, a crew's fill-down): an empty
 * MN/2 cell is the one above, within the station, counted in that station's note; the
 * first row of a station left empty, or a file's first, stays an error, with the rule. */
Test(fwd_sounding, mn2_filled_down)
{
    static const char text[] = "station,ab2_m,mn2_m,rho_a_ohmm\n"
                               "A,1,0.5,10\nA,2,,12\nA,4,,15\nA,4,2,14\nA,8,,20\n"
                               "B,1,0.5,30\nB,2,,32\nB,5,,35\n";
    static const double mn_a[5] = {0.5, 0.5, 0.5, 2, 2};
    fwd_sounding **st;
    fwd_error err;
    size_t n, k;
    char p[128];

    cr_assert_eq(fwd_sounding_read_stations(put("fill.csv", text, p), FWD_SCHLUMBERGER, 0, NULL,
                                            &st, &n, &err),
                 FWD_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_assert_eq(st[0]->n, 5);
    for (k = 0; k < 5; k++) /* sorted by AB/2, then MN/2: 1, 2, 4 (0.5), 4 (2), 8 */
        cr_expect_eq(st[0]->mn2[k], mn_a[k], "A: point %zu: MN/2 %g", k, st[0]->mn2[k]);
    cr_expect_eq(st[1]->mn2[2], 0.5);
    /* each station's own count: A's 3, B's 2 */
    cr_expect_str_eq(st[0]->note, "3 empty MN/2 cells read as the MN/2 above, from line 3");
    cr_expect_str_eq(st[1]->note, "2 empty MN/2 cells read as the MN/2 above, from line 8");
    fwd_sounding_free_stations(st, n);
    /* a wide table's MN/2 column is every station's: the file's note */
    cr_assert_eq(fwd_sounding_read_stations(put("fillw.csv",
                                                "ab2_m,mn2_m,S1,S2\n1,0.5,10,20\n2,,11,21\n"
                                                "4,,12,22\n",
                                                p),
                                            FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                 FWD_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect_eq(st[1]->mn2[2], 0.5);
    cr_expect_str_eq(st[1]->note, "2 empty MN/2 cells read as the MN/2 above, from line 3");
    fwd_sounding_free_stations(st, n);
    expect_error("fillnew.csv",
                 "station,ab2_m,mn2_m,rho_a_ohmm\nA,1,0.5,10\nA,2,,12\nA,4,,15\n"
                 "B,1,,30\nB,2,,32\nB,5,,35\n",
                 FWD_SCHLUMBERGER,
                 ":5: mn2_m: expected a value, got an empty cell (an empty MN/2 below one given, "
                 "of the same station, is read as that one)");
    expect_error("fillfirst.csv", "ab2_m,mn2_m,rho_a_ohmm\n1,,10\n2,0.5,12\n4,0.5,15\n",
                 FWD_SCHLUMBERGER, ":2: mn2_m: expected a value, got an empty cell (an empty");
}

/* What spreadsheets write (a tester's files, 2026-12-06): an error value in a cell
 * (#DIV/0!, #N/A) is an empty cell, not a comment that took the other stations' readings
 * of the line with it; '#' inside quotes is a name's; '#' elsewhere still starts a comment;
 * a total or mean row is refused; columns of a reading's number, a mean, a factor K or a
 * depth are no stations; Spanish names the rho_a column; the Greek mu a micro. */
Test(fwd_sounding, spreadsheet_cells)
{
    fwd_sounding **st, *s;
    fwd_error err;
    size_t n;
    char p[128];
    static const char *const not_stations[] = {"Lectura",   "N\xc2\xba", "Mean",    "Factor K",
                                               "Depth (m)", "Prof. [m]", "Promedio"};
    size_t k;

    cr_assert_eq(fwd_sounding_read_stations(put("err.csv",
                                                "AB/2,V1,V2,V3\n1,10,20,30\n2,11,#DIV/0!,31\n"
                                                "4,12,22,32\n8,13,23,33\n",
                                                p),
                                            FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                 FWD_OK, "%s", err.msg);
    cr_assert_eq(n, 3);
    cr_expect(st[0]->n == 4 && st[1]->n == 3 && st[2]->n == 4, "%zu %zu %zu", st[0]->n, st[1]->n,
              st[2]->n);
    cr_expect_eq(st[2]->rho_a[1], 31);
    cr_expect(strstr(st[1]->note, "1 spreadsheet error value (#DIV/0!, line 3) read as empty "
                                  "cells: no reading there") != NULL,
              "%s", st[1]->note);
    fwd_sounding_free_stations(st, n);
    /* in a long table too: a spacing whose reading is #N/A was not read (left out, said) */
    s = fwd_sounding_read(put("na.csv", "ab2_m,rho_a_ohmm\n1,10\n2,#N/A\n4,12\n8,13\n", p),
                          FWD_SCHLUMBERGER, 0, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect(s->n == 3 && s->x[1] == 4 && s->rho_a[1] == 12, "%zu", s->n);
    cr_expect(strstr(s->note, "no reading in 1 row (rho_a_ohmm empty, or -, NA; line 3): "
                              "left out") != NULL,
              "%s", s->note);
    cr_expect(strstr(s->note, "spreadsheet error value") == NULL, "said twice: %s", s->note);
    fwd_sounding_free(s);
    /* ... but its spacing is a reading's: not a value there is the row's error */
    expect_error("na2.csv", "ab2_m,rho_a_ohmm\n1,10\n,11\n4,12\n8,13\n", FWD_SCHLUMBERGER,
                 ":3: ab2_m: expected a value, got an empty cell");
    s = fwd_sounding_read(put("hash.csv",
                              "station,ab2_m,rho_a_ohmm\n\"VES #1\",1,10\n\"VES #1\",2,11\n"
                              "\"VES #1\",4,12 # re-read\n",
                              p),
                          FWD_SCHLUMBERGER, 0, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_str_eq(s->name, "VES #1");
    cr_expect(s->n == 3 && s->rho_a[2] == 12);
    fwd_sounding_free(s);
    /* station names of a Windows code page: read as Windows-1252, in UTF-8, with a note */
    cr_assert_eq(
        fwd_sounding_read_stations(put("cp.csv",
                                       "station,ab2_m,rho_a_ohmm\nH\xe9l\xe8ne,1,10\n"
                                       "H\xe9l\xe8ne,2,11\nH\xe9l\xe8ne,4,12\n"
                                       "\x80uro\x81,1,10\n\x80uro\x81,2,11\n\x80uro\x81,4,12\n",
                                       p),
                                   FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
        FWD_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(st[0]->name, "H\xc3\xa9l\xc3\xa8ne");
    cr_expect_str_eq(st[1]->name, "\xe2\x82\xacuro?"); /* 0x81: none in that page */
    fwd_sounding_free_stations(st, n);
    /* bytes of a UTF-16 surrogate are no UTF-8 (RFC 3629) either; a long name in whole
     * characters within the names' room */
    {
        char text[600], name[120];

        memset(name, 'A', 60);
        memset(name + 60, '\xe9', 50);
        name[110] = '\0';
        snprintf(text, sizeof text,
                 "station,ab2_m,rho_a_ohmm\nA\xed\xa0\x80,1,10\nA\xed\xa0\x80,2,11\n"
                 "A\xed\xa0\x80,4,12\n%s,1,10\n%s,2,11\n%s,4,12\n",
                 name, name, name);
        cr_assert_eq(fwd_sounding_read_stations(put("cp2.csv", text, p), FWD_SCHLUMBERGER, 0, NULL,
                                                &st, &n, &err),
                     FWD_OK, "%s", err.msg);
        cr_assert_eq(n, 2);
        cr_expect_str_eq(st[0]->name, "A\xc3\xad\xc2\xa0\xe2\x82\xac");
        cr_expect(strlen(st[1]->name) < FWD_SOUNDING_NAME_MAX && strlen(st[1]->name) >= 120 &&
                      strncmp(st[1]->name + 60, "\xc3\xa9", 2) == 0 &&
                      st[1]->name[strlen(st[1]->name) - 2] == '\xc3',
                  "%zu: %s", strlen(st[1]->name), st[1]->name);
    }
    cr_expect(strstr(st[0]->note, "station names that are not UTF-8 read as Windows-1252") != NULL,
              "%s", st[0]->note);
    fwd_sounding_free_stations(st, n);
    cr_assert_eq(fwd_sounding_read_stations(put("cpw.csv",
                                                "AB/2;M\xfcller;Stra\xdf"
                                                "e\n1;10;20\n2;11;21\n"
                                                "4;12;22\n",
                                                p),
                                            FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                 FWD_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(st[0]->name, "M\xc3\xbcller");
    cr_expect_str_eq(st[1]->name, "Stra\xc3\x9f"
                                  "e");
    fwd_sounding_free_stations(st, n);
    expect_error("nbsp.csv",
                 "ab2_m;rho_a_ohmm\n1;2\xc2\xa0"
                 "987,05\n2;11\n4;12\n",
                 FWD_SCHLUMBERGER,
                 ":2: rho_a_ohmm: expected a finite number > 0, got \"2\xc2\xa0"
                 "987,05\" (a space "
                 "grouping thousands, as French and other locales write them: save the column "
                 "without it)");
    /* a '#' within a name, unquoted as spreadsheets write it, is the name's: VES #1 and P#3
     * first, VES#1 and VES#2 last on the row (they were cut to VES and, their spacings
     * differing, merged into one station in silence); in a table of spaces, S#1 and a
     * comment after a reading, glued to it or not */
    cr_assert_eq(fwd_sounding_read_stations(put("hash2.csv",
                                                "station,ab2_m,rho_a_ohmm\nVES #1,1,10\n"
                                                "VES #1,2,11\nVES #1,4,12\nP#3,1,20\nP#3,2,21\n"
                                                "P#3,4,22 # re-read\n",
                                                p),
                                            FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                 FWD_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(st[0]->name, "VES #1");
    cr_expect_str_eq(st[1]->name, "P#3");
    cr_expect(st[0]->n == 3 && st[1]->n == 3 && st[1]->rho_a[2] == 22);
    fwd_sounding_free_stations(st, n);
    cr_assert_eq(fwd_sounding_read_stations(put("hash3.csv",
                                                "ab2_m,rho_a_ohmm,station\n1,10,VES#1\n2,11,VES#1\n"
                                                "4,12,VES#1\n8,20,VES#2\n16,21,VES#2\n"
                                                "32,22,VES#2\n",
                                                p),
                                            FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                 FWD_OK, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect_str_eq(st[0]->name, "VES#1");
    cr_expect_str_eq(st[1]->name, "VES#2");
    cr_expect(st[0]->n == 3 && st[1]->n == 3 && st[1]->x[0] == 8);
    fwd_sounding_free_stations(st, n);
    cr_assert_eq(fwd_sounding_read_stations(put("hash4.txt",
                                                "station ab2_m rho_a_ohmm\nS#1 1 10 #first\n"
                                                "S#1 2 11#x\nS#1 4 1.2e1# x\n",
                                                p),
                                            FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                 FWD_OK, "%s", err.msg);
    cr_assert_eq(n, 1);
    cr_expect_str_eq(st[0]->name, "S#1");
    cr_expect(st[0]->n == 3 && st[0]->rho_a[1] == 11 && st[0]->rho_a[2] == 12);
    fwd_sounding_free_stations(st, n);
    /* and not within one where more text follows the number, nor in a comment that holds a
     * separator, nor in a header (a reviewer's: VES1 #2nd pass split VES1 in two, in silence;
     * 2 11 #2, re-read in a table of spaces failed) */
    {
        static const struct {
            const char *name, *text, *station;
            int method;
            size_t n;
        } keep[] = {
            {"c1.csv",
             "ab2_m,rho_a_ohmm,station\n1,10,VES1\n2,11,VES1\n4,12,VES1\n8,13,VES1 #2nd pass\n"
             "16,14,VES1 #2nd pass\n32,15,VES1 #2nd pass\n",
             "VES1", FWD_SCHLUMBERGER, 6},
            {"c2.csv", "ab2_m,rho_a_ohmm,station\n1,10,VES1\n2,11,VES1#bad\n4,12,VES1\n", "VES1",
             FWD_SCHLUMBERGER, 3},
            {"c3.txt", "ab2_m rho_a_ohmm\n1 10\n2 11 #2, re-read\n4 12\n", NULL, FWD_SCHLUMBERGER,
             3},
            {"c4.txt", "station ab2_m rho_a_ohmm\nS1 1 10\nS1 2 11\nS1 4 12 #3, bad\n", "S1",
             FWD_SCHLUMBERGER, 3},
            {"c5.csv", "ab2_m,rho_a_ohmm #2 cols\n1,10\n2,11\n4,12\n", NULL, FWD_SCHLUMBERGER, 3},
            {"c6.txt", "ab2_m rho_a_ohmm #2 cols, m\n1 10\n2 11\n4 12\n", NULL, FWD_SCHLUMBERGER,
             3},
            {"c7.txt", "period_s rho_a_ohmm phase_deg\n0.1 110 44 #2, noisy\n1 100 45\n10 90 46\n",
             NULL, FWD_MT, 3},
            {"c8.csv", "station;ab2_m;rho_a_ohmm\nVES #12a;1;10\nVES #12a;2;11\nVES #12a;4;12\n",
             "VES #12a", FWD_SCHLUMBERGER, 3},
        };
        size_t c;

        for (c = 0; c < sizeof keep / sizeof keep[0]; c++) {
            cr_assert_eq(fwd_sounding_read_stations(put(keep[c].name, keep[c].text, p),
                                                    (fwd_method)keep[c].method, 0, NULL, &st, &n,
                                                    &err),
                         FWD_OK, "%s: %s", keep[c].name, err.msg);
            cr_expect_eq(n, 1, "%s: %zu stations", keep[c].name, n);
            cr_expect_eq(st[0]->n, keep[c].n, "%s: %zu points", keep[c].name, st[0]->n);
            if (keep[c].station != NULL)
                cr_expect_str_eq(st[0]->name, keep[c].station, "%s", keep[c].name);
            fwd_sounding_free_stations(st, n);
        }
    }
    /* a comment after a number that cuts a row's readings off: the message says so */
    expect_error("hash5.csv", "station,ab2_m,rho_a_ohmm\nA,1 # x,10\nA,2,11\n", FWD_SCHLUMBERGER,
                 ":2: rho_a_ohmm: expected a value, got none (the row has 2 of the header's 3 "
                 "fields) (a '#' starts a comment: put a field that holds one in double quotes)");
    /* a remark's ';' in a ',' file: the row split at the header's ',' (it was split at ';') */
    s = fwd_sounding_read(
        put("remark.csv", "ab2_m,rho_a_ohmm,remarks\n1,10,\n2,11,re-read; bad contact\n4,12,\n", p),
        FWD_SCHLUMBERGER, 0, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect(s->n == 3 && s->rho_a[1] == 11);
    fwd_sounding_free(s);
    /* a total or mean row: the station's last, both the sums (means) of the 5 or more above */
    expect_error("total.csv",
                 "ab2_m,mn2_m,rho_a_ohmm\n1,0.5,10\n2,,11\n4,,12\n8,,13\n16,,14\n31,,60\n",
                 FWD_SCHLUMBERGER,
                 ":7: ab2_m 31 and rho_a 60: expected a reading, got the sums of the 5 above (a "
                 "spreadsheet's total row?): leave it out, or start it with #");
    expect_error("mean.csv", "ab2_m,rho_a_ohmm\n1,10\n2,11\n4,12\n8,13\n16,14\n6.2,12\n",
                 FWD_SCHLUMBERGER, ":7: ab2_m 6.2 and rho_a 12: expected a reading, got the means");
    /* not a total: the first spacing read 4 times (their 4th is the mean of 3), rho_a like
     * AB/2 (a 45-degree branch: 1+1+2+4 = 8), a sum row followed by more readings */
    s = fwd_sounding_read(put("nosum.csv",
                              "ab2_m,rho_a_ohmm\n1,100\n1,100\n1,100\n1,100\n2,110\n4,130\n"
                              "8,150\n",
                              p),
                          FWD_SCHLUMBERGER, 0, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_eq(s->n, 4);
    fwd_sounding_free(s);
    s = fwd_sounding_read(put("lin.csv",
                              "ab2_m,rho_a_ohmm\n1,10\n2,20\n3,30\n4,40\n5,50\n15,150\n"
                              "20,200\n",
                              p),
                          FWD_SCHLUMBERGER, 0, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_eq(s->n, 7);
    fwd_sounding_free(s);
    /* a quoted error value (R's write.csv) is empty too; an inch mark opens no quote; a line
     * that starts with '#' is a comment, error value or not */
    s = fwd_sounding_read(put("q.csv",
                              "#N/A = no reading (spreadsheet)\nab2_m,rho_a_ohmm,remarks\n"
                              "1,10,\n2,11,casing 2\" # re-read, ok\n4,12,\"#N/A\"\n8,13,x\n",
                              p),
                          FWD_SCHLUMBERGER, 0, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_eq(s->n, 4);
    fwd_sounding_free(s);
    /* decimal commas in ';' rows under a ',' header: split at ';' as before */
    s = fwd_sounding_read(put("dc.csv", "ab2_m,rho_a_ohmm\n1,5;120\n2,5;130\n4,5;140\n", p),
                          FWD_SCHLUMBERGER, 0, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect(s->n == 3 && s->x[0] == 1.5 && s->rho_a[2] == 140);
    fwd_sounding_free(s);
    /* sites' names with suffixes that read as units: stations of a wide table */
    cr_assert_eq(fwd_sounding_read_stations(put("suf.csv",
                                                "AB/2;VES 5 (A);VES 5 (B);VES1 (ohm)\n1;10;20;30\n"
                                                "2;11;21;31\n4;12;22;32\n",
                                                p),
                                            FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                 FWD_OK, "%s", err.msg);
    cr_expect_eq(n, 3);
    fwd_sounding_free_stations(st, n);
    for (k = 0; k < sizeof not_stations / sizeof not_stations[0]; k++) {
        char text[256], frag[128];

        snprintf(text, sizeof text, "AB/2;%s;VES1;VES2\n1;1;10;20\n2;2;11;21\n4;3;12;22\n",
                 not_stations[k]);
        snprintf(frag, sizeof frag, "\"%s\" is no station's: leave that column out",
                 not_stations[k]);
        expect_error("notst.csv", text, FWD_SCHLUMBERGER, frag);
    }
    s = fwd_sounding_read(
        put("es.csv", "AB/2 (m);Resistividad aparente (Ohm.m)\n1;10\n2;11\n4;12\n", p),
        FWD_SCHLUMBERGER, 0, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect(s->n == 3 && s->rho_a[2] == 12);
    fwd_sounding_free(s);
    /* V in Greek-mu volts as in micro-sign ones: the same rho_a */
    {
        fwd_sounding *m = fwd_sounding_read(put("micro.csv",
                                                "ab2_m;mn2_m;V (\xc2\xb5V);I (mA)\n1;0.2;1000;1\n"
                                                "2;0.2;300;1\n4;0.2;80;1\n",
                                                p),
                                            FWD_SCHLUMBERGER, 0, &err);

        cr_assert_not_null(m, "%s", err.msg);
        s = fwd_sounding_read(put("mu.csv",
                                  "ab2_m;mn2_m;V (\xce\xbcV);I (mA)\n1;0.2;1000;1\n2;0.2;300;1\n"
                                  "4;0.2;80;1\n",
                                  p),
                              FWD_SCHLUMBERGER, 0, &err);
        cr_assert_not_null(s, "%s", err.msg);
        cr_expect(s->n == 3 && s->rho_a[1] == m->rho_a[1], "%g %g", s->rho_a[1], m->rho_a[1]);
        fwd_sounding_free(s);
        fwd_sounding_free(m);
    }
}

Test(fwd_sounding, missing_file)
{
    fwd_error err;

    cr_expect_null(fwd_sounding_read("/nonexistent/x.csv", FWD_MT, 0, &err));
    cr_expect(strstr(err.msg, "/nonexistent/x.csv: cannot open") != NULL, "%s", err.msg);
}

/* Two soundings alike, array by array. */
static void
expect_same_sounding(const fwd_sounding *a, const fwd_sounding *b)
{
    cr_assert_eq(a->n, b->n);
    cr_expect_eq(a->method, b->method);
    cr_expect_arr_eq(a->x, b->x, a->n * sizeof(double));
    cr_expect_arr_eq(a->rho_a, b->rho_a, a->n * sizeof(double));
    cr_expect_eq(a->mn2 != NULL, b->mn2 != NULL);
    if (a->mn2 != NULL && b->mn2 != NULL)
        cr_expect_arr_eq(a->mn2, b->mn2, a->n * sizeof(double));
    cr_expect_eq(a->phase != NULL, b->phase != NULL);
    if (a->phase != NULL && b->phase != NULL)
        cr_expect_arr_eq(a->phase, b->phase, a->n * sizeof(double));
    cr_expect_eq(a->sd_log10 != NULL, b->sd_log10 != NULL);
    if (a->sd_log10 != NULL && b->sd_log10 != NULL)
        cr_expect_arr_eq(a->sd_log10, b->sd_log10, a->n * sizeof(double));
    cr_expect_eq(a->sd_phase != NULL, b->sd_phase != NULL);
    if (a->sd_phase != NULL && b->sd_phase != NULL)
        cr_expect_arr_eq(a->sd_phase, b->sd_phase, a->n * sizeof(double));
}

/* The field examples rebuilt from their own arrays, in reverse order, are what the readers
 * made (sorted again, folded phases kept); a copy is too, with its own arrays. */
Test(fwd_sounding, from_arrays_is_the_file_read)
{
    static const struct {
        const char *path;
        fwd_method m;
    } ex[] = {{EX "mawlamyine_loc3_schlumberger.csv", FWD_SCHLUMBERGER},
              {EX "aungsan_wenner.txt", FWD_WENNER},
              {EX "cull1985_mt.txt", FWD_MT},
              {EX "penola_site3.edi", FWD_MT}};
    size_t i, k;

    for (i = 0; i < sizeof ex / sizeof ex[0]; i++) {
        fwd_error err;
        fwd_sounding *s = fwd_sounding_read(ex[i].path, ex[i].m, FWD_COMP_DET, &err), *a, *c;
        double rev[6][512];
        const double *src[6];

        cr_assert_not_null(s, "%s", err.msg);
        cr_assert_leq(s->n, 512);
        src[0] = s->x, src[1] = s->mn2, src[2] = s->rho_a, src[3] = s->phase;
        src[4] = s->sd_log10, src[5] = s->sd_phase;
        for (k = 0; k < 6; k++) {
            size_t j;

            for (j = 0; src[k] != NULL && j < s->n; j++)
                rev[k][j] = src[k][s->n - 1 - j];
        }
#define R(k) (src[k] != NULL ? rev[k] : NULL)
        a = fwd_sounding_from_arrays("again", ex[i].m, s->n, rev[0], R(1), rev[2], R(3), R(4), R(5),
                                     &err);
#undef R
        cr_assert_not_null(a, "%s: %s", ex[i].path, err.msg);
        expect_same_sounding(s, a);
        cr_expect_str_eq(a->name, "again");
        cr_expect_eq(a->line[0], s->n, "line: the index given, 1-based");
        c = fwd_sounding_copy(s);
        cr_assert_not_null(c);
        expect_same_sounding(s, c);
        cr_expect_neq(c->x, s->x);
        cr_expect_str_eq(c->name, s->name);
        cr_expect_str_eq(c->source, s->source);
        cr_expect_arr_eq(c->line, s->line, s->n * sizeof(size_t));
        fwd_sounding_free(c);
        fwd_sounding_free(a);
        fwd_sounding_free(s);
    }
}

/* Every check of the text reader, for arrays: one message naming the array and the 0-based
 * index, the field its column; a yx phase of the third quadrant is brought to the first. */
Test(fwd_sounding, from_arrays_checked)
{
    static const struct {
        fwd_method m;
        double x[4], mn2[4], rho[4], ph[4], sdl[4], sdp[4];
        int has_mn2, has_ph, has_sdl, has_sdp;
        size_t n;
        const char *msg, *field;
    } bad[] = {
        {FWD_SCHLUMBERGER,
         {1, 2},
         {0},
         {10, 20},
         {0},
         {0},
         {0},
         0,
         0,
         0,
         0,
         2,
         "s: ab2_m: expected 3 to 100000 points, got 2",
         "ab2_m"},
        {FWD_SCHLUMBERGER,
         {1, 2, NAN},
         {0},
         {10, 20, 30},
         {0},
         {0},
         {0},
         0,
         0,
         0,
         0,
         3,
         "s: ab2_m[2]: expected a finite number > 0, got nan",
         "ab2_m"},
        {FWD_WENNER,
         {1, 2, 3},
         {0},
         {10, -1, 30},
         {0},
         {0},
         {0},
         0,
         0,
         0,
         0,
         3,
         "s: rho_a_ohmm[1]: expected a finite number > 0, got -1",
         "rho_a_ohmm"},
        {FWD_WENNER,
         {1, 2, 3},
         {0},
         {10, 20, 30},
         {0},
         {0.01, 1e160, 0.01},
         {0},
         0,
         0,
         1,
         0,
         3,
         "s: sd_log10_rho_a[1]: expected at most 10 (decades), got 1e+160",
         "sd_log10_rho_a"},
        {FWD_MT,
         {1, 2, 3},
         {0},
         {10, 20, 30},
         {45, 45, 45},
         {0},
         {1, 1, 200},
         0,
         1,
         0,
         1,
         3,
         "s: sd_phase_deg[2]: expected at most 180 degrees, got 200",
         "sd_phase_deg"},
        {FWD_SCHLUMBERGER,
         {1, 2, 3},
         {0.5, 2, 1},
         {10, 20, 30},
         {0},
         {0},
         {0},
         1,
         0,
         0,
         0,
         3,
         "s: mn2_m[1]: expected less than AB/2 = 2 m, got 2",
         "mn2_m"},
        {FWD_SCHLUMBERGER,
         {1, 2, 3},
         {0.5, 1e-15, 1},
         {10, 20, 30},
         {0},
         {0},
         {0},
         1,
         0,
         0,
         0,
         3,
         "s: mn2_m[1]: expected at least 1e-09 x AB/2 = 2e-09 m (smaller is the ideal array: give "
         "no MN/2), got 1e-15",
         "mn2_m"},
        {FWD_SCHLUMBERGER,
         {1, 3, 2, 3},
         {0},
         {10, 20, 30, 40},
         {0},
         {0},
         {0},
         0,
         0,
         0,
         0,
         4,
         "s: ab2_m[3]: 3 is given twice (also at [1])",
         "ab2_m"},
        {FWD_SCHLUMBERGER,
         {1, 3, 2, 3},
         {0.5, 1, 1, 1},
         {10, 20, 30, 40},
         {0},
         {0},
         {0},
         1,
         0,
         0,
         0,
         4,
         "s: ab2_m[3]: 3 is given twice (also at [1]) with the same MN/2",
         "ab2_m"},
        {FWD_WENNER,
         {1, 2, 3},
         {0.1, 0.1, 0.1},
         {10, 20, 30},
         {0},
         {0},
         {0},
         1,
         0,
         0,
         0,
         3,
         "s: mn2_m: expected none (not measured) for a wenner sounding, got an array",
         "mn2_m"},
        {FWD_SCHLUMBERGER,
         {1, 2, 3},
         {0},
         {10, 20, 30},
         {45, 45, 45},
         {0},
         {0},
         0,
         1,
         0,
         0,
         3,
         "s: phase_deg: expected none (not measured) for a schlumberger sounding, got an array",
         "phase_deg"},
        {FWD_MT,
         {1, 2, 3},
         {0},
         {10, 20, 30},
         {0},
         {0},
         {0},
         0,
         0,
         0,
         0,
         3,
         "s: phase_deg: expected an array for an mt sounding, got none",
         "phase_deg"},
        {FWD_MT,
         {1, 2, 3},
         {0},
         {10, 20, 30},
         {45, 200, 45},
         {0},
         {0},
         0,
         1,
         0,
         0,
         3,
         "s: phase_deg[1]: expected degrees in [-180, 180], got 200",
         "phase_deg"},
        {FWD_MT,
         {1, 2, 3},
         {0},
         {10, 20, 30},
         {45, 45, 45},
         {0.1, 0, 0.1},
         {0},
         0,
         1,
         1,
         0,
         3,
         "s: sd_log10_rho_a[1]: expected a finite number > 0, got 0",
         "sd_log10_rho_a"},
        {FWD_MT,
         {1, 2, 3},
         {0},
         {10, 20, 30},
         {45, 45, 45},
         {0},
         {1, 1, -1},
         0,
         1,
         0,
         1,
         3,
         "s: sd_phase_deg[2]: expected a finite number > 0, got -1",
         "sd_phase_deg"},
        {FWD_WENNER,
         {1, 2, 3},
         {0},
         {10, 20, 30},
         {0},
         {0},
         {1, 1, 1},
         0,
         0,
         0,
         1,
         3,
         "s: sd_phase_deg: expected none (not measured) for a wenner sounding, got an array",
         "sd_phase_deg"},
    };
    double x[3] = {3, 1, 2}, rho[3] = {30, 10, 20}, ph[3] = {-135, 40, 50};
    fwd_sounding *s;
    fwd_error err;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fwd_error_clear(&err);
        s = fwd_sounding_from_arrays(
            "s", bad[i].m, bad[i].n, bad[i].x, bad[i].has_mn2 ? bad[i].mn2 : NULL, bad[i].rho,
            bad[i].has_ph ? bad[i].ph : NULL, bad[i].has_sdl ? bad[i].sdl : NULL,
            bad[i].has_sdp ? bad[i].sdp : NULL, &err);
        cr_expect_null(s, "case %zu", i);
        fwd_sounding_free(s);
        cr_expect_eq(err.code, FWD_EINVAL, "case %zu", i);
        cr_expect_str_eq(err.msg, bad[i].msg, "case %zu", i);
        cr_expect_str_eq(err.field, bad[i].field, "case %zu", i);
    }
    s = fwd_sounding_from_arrays(NULL, FWD_SCHLUMBERGER, 3, NULL, NULL, rho, NULL, NULL, NULL,
                                 &err);
    cr_expect_null(s);
    cr_expect_str_eq(err.msg, "sounding: ab2_m: expected an array for a schlumberger sounding, "
                              "got none");
    cr_expect_eq(err.code, FWD_EINVAL);
    s = fwd_sounding_from_arrays("s", FWD_WENNER, 3, x, NULL, NULL, NULL, NULL, NULL, &err);
    cr_expect_null(s);
    cr_expect_str_eq(err.msg, "s: rho_a_ohmm: expected an array for a wenner sounding, got none");
    s = fwd_sounding_from_arrays("s", (fwd_method)7, 3, x, NULL, rho, NULL, NULL, NULL, &err);
    cr_expect_null(s);
    cr_expect_str_eq(err.field, "method");
    cr_expect_str_eq(err.msg, "s: method: expected 0 (schlumberger), 1 (wenner) or 2 (mt), got 7");
    s = fwd_sounding_from_arrays("s", FWD_MT, FWD_MAX_POINTS + 1, x, NULL, rho, ph, NULL, NULL,
                                 &err);
    cr_expect_null(s);
    cr_expect_str_eq(err.msg, "s: period_s: expected 3 to 100000 points, got 100001");
    {
        double mn2[3] = {0.1, NAN, 0.1};

        s = fwd_sounding_from_arrays("s", FWD_SCHLUMBERGER, 3, x, mn2, rho, NULL, NULL, NULL, &err);
        cr_expect_null(s);
        cr_expect_str_eq(err.msg, "s: mn2_m[1]: expected a finite number > 0, got nan");
    }
    /* sorted by period, phase -135 folded to 45 */
    s = fwd_sounding_from_arrays(NULL, FWD_MT, 3, x, NULL, rho, ph, NULL, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_str_eq(s->name, "sounding");
    cr_expect(s->x[0] == 1 && s->x[1] == 2 && s->x[2] == 3);
    cr_expect(s->rho_a[0] == 10 && s->rho_a[2] == 30);
    cr_expect(s->phase[0] == 40 && s->phase[1] == 50 && s->phase[2] == 45);
    cr_expect(s->line[0] == 2 && s->line[2] == 1);
    cr_expect_null(s->sd_log10);
    cr_expect_eq(fwd_sounding_check(s, &err), FWD_OK, "%s", err.msg);
    fwd_sounding_free(s);
    /* the name as given, a directory in it too */
    s = fwd_sounding_from_arrays("line 3/site 12", FWD_MT, 3, x, NULL, rho, ph, NULL, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_str_eq(s->name, "line 3/site 12");
    cr_expect_str_eq(s->source, "line 3/site 12");
    fwd_sounding_free(s);
}

/* A sounding made by hand is checked as arrays are, and for its order; the readers' pass. */
Test(fwd_sounding, check_of_a_sounding_made_elsewhere)
{
    double x[4] = {1, 2, 4, 3}, rho[4] = {10, 20, 30, 40};
    size_t line[4] = {1, 2, 3, 4};
    fwd_sounding hand, *s;
    fwd_error err;

    memset(&hand, 0, sizeof hand);
    hand.method = FWD_WENNER;
    hand.n = 4;
    hand.x = x;
    hand.rho_a = rho;
    hand.line = line;
    snprintf(hand.name, sizeof hand.name, "h");
    cr_expect_eq(fwd_sounding_check(&hand, &err), FWD_EINVAL);
    cr_expect_str_eq(err.msg, "h: a_m[3]: expected the points in increasing electrode spacing a, "
                              "got 3 after 4");
    x[3] = 5;
    cr_expect_eq(fwd_sounding_check(&hand, &err), FWD_OK, "%s", err.msg);
    hand.line = NULL;
    cr_expect_eq(fwd_sounding_check(&hand, &err), FWD_EINVAL);
    cr_expect_str_eq(err.msg, "h: line: expected an array, got none");
    hand.line = line;
    hand.method = FWD_MT; /* no phases */
    cr_expect_eq(fwd_sounding_check(&hand, &err), FWD_EINVAL);
    cr_expect_str_eq(err.field, "phase_deg");
    cr_expect_eq(fwd_sounding_check(NULL, &err), FWD_EINVAL);
    cr_expect_null(fwd_sounding_copy(NULL));
    s = fwd_sounding_read(EX "cull1985_mt.txt", FWD_MT, 0, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_eq(fwd_sounding_check(s, &err), FWD_OK, "%s", err.msg);
    fwd_sounding_free(s);
}

/* Points in reverse order (MT listed by rising frequency) are sorted, n log n (the timeout a
 * guard: an insertion sort took 40 s for these 100,000 points; this takes 30 ms). */
Test(fwd_sounding, from_arrays_sorts_many_points, .timeout = 60)
{
    size_t n = FWD_MAX_POINTS, k;
    double *x = malloc(n * sizeof *x), *rho = malloc(n * sizeof *rho);
    fwd_sounding *s;
    fwd_error err;

    cr_assert(x != NULL && rho != NULL);
    for (k = 0; k < n; k++) {
        x[k] = (double)(n - k);
        rho[k] = 100 + (double)k;
    }
    s = fwd_sounding_from_arrays("many", FWD_WENNER, n, x, NULL, rho, NULL, NULL, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    for (k = 0; k < n; k++)
        cr_assert(s->x[k] == (double)(k + 1) && s->rho_a[k] == 100 + (double)(n - 1 - k));
    fwd_sounding_free(s);
    free(rho);
    free(x);
}

/* Reads text as a sounding of method m; asserts it was read. */
static fwd_sounding *
read_text(const char *name, const char *text, fwd_method m)
{
    char p[128];
    fwd_error err;
    fwd_sounding *s = fwd_sounding_read(put(name, text, p), m, 0, &err);

    cr_assert_not_null(s, "%s: %s", name, err.msg);
    return s;
}

/* Units in headers are honoured (lengths in ft and km, periods from kHz, phases in rad),
 * or refused by name; the misreads of issue 18, each now read right or refused. */
Test(fwd_sounding, units_and_names_never_guessed)
{
    fwd_sounding *s;
    size_t k;

    /* "a (ft)": feet, not metres */
    s = read_text("ft.csv", "a (ft),rho_a\n10,100\n20,90\n40,80\n", FWD_WENNER);
    cr_expect_float_eq(s->x[0], 3.048, 1e-12);
    cr_expect_float_eq(s->x[2], 12.192, 1e-12);
    fwd_sounding_free(s);
    s = read_text("ab2ft.csv", "ab2_ft,rho_a_ohmm\n10,100\n20,90\n40,80\n", FWD_SCHLUMBERGER);
    cr_expect_float_eq(s->x[1], 6.096, 1e-12);
    fwd_sounding_free(s);
    s = read_text("km.csv", "AB/2 [km];Rho_a [Ohm.m]\n0,1;100\n0,2;90\n0,4;80\n", FWD_SCHLUMBERGER);
    cr_expect_float_eq(s->x[0], 100, 1e-9);
    fwd_sounding_free(s);
    /* the Occam format: log10 rho_a and its standard error in decades, by a comment header */
    s = read_text("occam.txt",
                  "# a published deep sounding\n#AB/2 LOG10(RHO) STD\n1 2.0 0.02\n"
                  "2 1.9 0.02\n4 1.8 0.03\n",
                  FWD_SCHLUMBERGER);
    cr_expect_float_eq(s->rho_a[0], 100, 1e-9);
    cr_expect_float_eq(s->rho_a[1], pow(10, 1.9), 1e-9);
    cr_assert_not_null(s->sd_log10);
    cr_expect_eq(s->sd_log10[2], 0.03);
    cr_expect_str_eq(s->unused, "");
    fwd_sounding_free(s);
    /* errors in percent and as fractions, phase errors in degrees */
    s = read_text("pct.csv", "ab2_m,rho_a_ohmm,error_pct\n1,100,5\n2,90,5\n4,80,10\n",
                  FWD_SCHLUMBERGER);
    cr_assert_not_null(s->sd_log10);
    cr_expect_float_eq(s->sd_log10[0], 0.05 / log(10), 1e-15);
    fwd_sounding_free(s);
    s = read_text("pct2.csv", "ab2,rho,err (%)\n1,100,5\n2,90,5\n4,80,10\n", FWD_SCHLUMBERGER);
    cr_expect_float_eq(s->sd_log10[2], 0.10 / log(10), 1e-15);
    fwd_sounding_free(s);
    s = read_text("stdpct.csv", "ab2,rho,std (%)\n1,100,5\n2,90,5\n4,80,10\n", FWD_SCHLUMBERGER);
    cr_assert_not_null(s->sd_log10, "a std in %% is a relative error");
    cr_expect_float_eq(s->sd_log10[1], 0.05 / log(10), 1e-15);
    fwd_sounding_free(s);
    s = read_text("mterr.csv",
                  "period_s,rho_a_ohmm,phase_deg,sd_log10rho,phase_err_deg\n1,10,45,0.02,1\n"
                  "10,20,50,0.03,2\n100,30,40,0.04,3\n",
                  FWD_MT);
    cr_assert(s->sd_log10 != NULL && s->sd_phase != NULL);
    cr_expect_eq(s->sd_log10[1], 0.03);
    cr_expect_eq(s->sd_phase[2], 3);
    fwd_sounding_free(s);
    s = read_text("rad.csv",
                  "freq (kHz),app. res.,phase (rad)\n1,10,0.785398163397448\n"
                  "0.1,20,1\n0.01,30,0.5\n",
                  FWD_MT);
    cr_expect_float_eq(s->x[0], 1e-3, 1e-15);
    cr_expect_float_eq(s->phase[0], 45, 1e-9);
    fwd_sounding_free(s);
    /* a commented header read by its names, "rhoa_ohmm" a name and a unit */
    s = read_text("cmt.txt", "# AB2_m MN2_m rhoa_ohmm\n1 0.5 100\n2 0.5 90\n4 1 80\n",
                  FWD_SCHLUMBERGER);
    cr_assert_not_null(s->mn2);
    cr_expect_eq(s->mn2[2], 1);
    cr_expect_eq(s->rho_a[2], 80);
    fwd_sounding_free(s);
    /* the aliases of real files' headers */
    {
        static const char *const rho_names[] = {"Resistivity",
                                                "Ra",
                                                "rho",
                                                "Apparent Resistivity",
                                                "App. Res. (Ohm m)",
                                                "Rho_a (\xce\xa9\xc2\xb7m)"};

        for (k = 0; k < sizeof rho_names / sizeof rho_names[0]; k++) {
            char text[128];

            snprintf(text, sizeof text, "AB/2,%s\n1,100\n2,90\n4,80\n", rho_names[k]);
            s = read_text("alias.csv", text, FWD_SCHLUMBERGER);
            cr_expect_eq(s->rho_a[1], 90, "%s", rho_names[k]);
            fwd_sounding_free(s);
        }
    }
    /* columns not read are listed, as the header names them */
    s = read_text("extra.csv", "ab2_m,rho_a,Remarks,Date\n1,100,x,y\n2,90,x,y\n4,80,x,y\n",
                  FWD_SCHLUMBERGER);
    cr_expect_str_eq(s->unused, "\"Remarks\", \"Date\"");
    fwd_sounding_free(s);
    s = read_text("ip.csv", "ab2_m,rho_a,phase\n1,100,1\n2,90,1\n4,80,1\n", FWD_SCHLUMBERGER);
    cr_expect_str_eq(s->unused, "\"phase\"");
    fwd_sounding_free(s);
}

/* Resistivities in kohm-m (a survey trial's meter read them so) and ohm-ft (surveys in
 * feet), and resistances in kohm, scaled to ohm-m and ohm. */
Test(fwd_sounding, resistivity_units_scaled)
{
    static const struct {
        const char *header;
        double scale;
    } at[] = {{"AB/2 (m),Rho_a (kOhm-m)", 1e3},
              {"AB/2 (m);rho_a [k\xce\xa9\xc2\xb7m]", 1e3},
              {"AB/2 (m),rho_a (ohm-ft)", 0.3048}};
    char text[256];
    size_t k;

    for (k = 0; k < sizeof at / sizeof at[0]; k++) {
        char sep = strchr(at[k].header, ';') != NULL ? ';' : ',';
        fwd_sounding *s;

        snprintf(text, sizeof text, "%s\n1%c0.5\n2%c0.25\n4%c0.125\n", at[k].header, sep, sep, sep);
        s = read_text("kohm.csv", text, FWD_SCHLUMBERGER);
        cr_expect(s->n == 3 && fabs(s->rho_a[0] - 0.5 * at[k].scale) < 1e-9 * at[k].scale &&
                      fabs(s->rho_a[2] - 0.125 * at[k].scale) < 1e-9 * at[k].scale,
                  "%s: %g", at[k].header, s->rho_a[0]);
        fwd_sounding_free(s);
    }
    {
        fwd_sounding *s =
            read_text("kohm_r.csv", "ab2_m,mn2_m,R (kOhm)\n1,0.2,0.5\n2,0.2,0.1\n4,0.2,0.02\n",
                      FWD_SCHLUMBERGER);
        /* rho_a = K R, K = pi (AB/2^2 - MN/2^2) / (2 MN/2) */
        double K = FWD_PI * (1 - 0.04) / 0.4;

        cr_expect(fabs(s->rho_a[0] - K * 500) < 1e-9 * K * 500, "%g, want %g", s->rho_a[0],
                  K * 500);
        fwd_sounding_free(s);
    }
}

/* What cannot be read without guessing is refused, naming the field. */
Test(fwd_sounding, guesses_refused)
{
    expect_error("furlong.csv", "a (furlongs),rho_a\n1,100\n2,90\n4,80\n", FWD_WENNER,
                 ":1: header: \"a (furlongs)\": unit \"furlongs\": expected m, cm, km or ft");
    expect_error("rhoft.csv", "ab2_m,rho_a (ft)\n1,100\n2,90\n4,80\n", FWD_SCHLUMBERGER,
                 ":1: header: \"rho_a (ft)\": unit \"ft\": expected ohm-m, kohm-m, ohm-ft or "
                 "ohm-cm");
    /* "Spacing" is Wenner's a, and a crew's word for AB/2: the message says how to say so */
    expect_error("spacing.csv", "Spacing,Resistivity\n1,100\n2,90\n4,80\n", FWD_SCHLUMBERGER,
                 ":1: columns: this is a wenner sounding (its header names wenner columns), "
                 "expected schlumberger; if \"Spacing\" is ab2_m, say so: --columns "
                 "ab2_m=Spacing");
    expect_error("a_m.csv", "a_m,Resistivity\n1,100\n2,90\n4,80\n", FWD_SCHLUMBERGER,
                 "(its header names wenner columns), expected schlumberger");
    {
        fwd_error err;
        char p[128];

        cr_expect_null(fwd_sounding_read(put("a_m2.csv", "a_m,rho\n1,100\n2,90\n4,80\n", p),
                                         FWD_SCHLUMBERGER, 0, &err));
        cr_expect(strstr(err.msg, "; if") == NULL, "%s", err.msg); /* a is no AB/2 */
    }
    expect_error("std.csv", "ab2,rho,std\n1,100,1\n2,90,1\n4,80,1\n", FWD_SCHLUMBERGER,
                 ":1: header: \"std\": expected a column named for its unit");
    expect_error("error.csv", "ab2,rho,error\n1,100,1\n2,90,1\n4,80,1\n", FWD_SCHLUMBERGER,
                 ":1: header: \"error\": the error of rho_a in what?");
    /* a commented header with a name not known: an error, never the columns by position */
    expect_error("typo.txt", "# AB2_m MN2_m rhoq_ohmm\n1 0.5 100\n2 0.5 90\n4 1 80\n",
                 FWD_SCHLUMBERGER,
                 ":1: header: expected columns ab2_m, rho_a_ohmm; got \"AB2_m, MN2_m, rhoq_ohmm\", "
                 "without rho_a_ohmm");
    /* a survey table is read whole (fwd_sounding_read_stations), not as one sounding */
    expect_error("stations.csv",
                 "station,ab2,rho\nA,1,100\nA,2,90\nA,4,80\nB,1,80\nB,2,70\nB,3,1\n",
                 FWD_SCHLUMBERGER,
                 ": expected one sounding, got 2 stations (\"A\", \"B\"); bpinv invert reads");
    expect_error("short.csv", "station,ab2,rho\nA,1,100\nA,2,90\nB,1,80\nB,2,70\nB,4,60\n",
                 FWD_SCHLUMBERGER, ":2: station \"A\": expected at least 3 points, got 2");
    expect_error("vonly.csv", "ab2_m,mn2_m,V (mV)\n10,1,5\n20,1,3\n40,1,2\n", FWD_SCHLUMBERGER,
                 "without rho_a_ohmm");
    expect_error("wmn.csv", "ab2_m,mn2_m,rho_a\n1.5,0.5,100\n3,1.2,90\n6,2,80\n", FWD_WENNER,
                 ":3: mn2_m: expected AB/2 / 3 = 1 m (a Wenner array");
    expect_error("mvunit.csv", "ab2_m,mn2_m,V (mA),I (mA)\n10,1,5,100\n20,1,3,100\n40,1,2,100\n",
                 FWD_SCHLUMBERGER, "\"V (mA)\": unit \"ma\": expected V, mV or uV");
}

/* Spreadsheet exports: ';' with decimal commas, RFC 4180 quotes, CRLF, tabs with decimal
 * commas; raw readings by the geometric factor; Wenner written as AB/2 and MN/2. */
Test(fwd_sounding, spreadsheets_and_raw_readings)
{
    fwd_sounding *s;
    double k;

    s = read_text("semi.csv", "AB/2;Rho_a\r\n1,5;100,5\r\n3;90\r\n10;80\r\n", FWD_SCHLUMBERGER);
    cr_expect_eq(s->x[0], 1.5);
    cr_expect_eq(s->rho_a[0], 100.5);
    fwd_sounding_free(s);
    s = read_text("quoted.csv",
                  "\"Station\",\"AB/2 (m)\",\"App. Res. (Ohm m)\",\"Note, with a comma\"\r\n"
                  "\"S 1\",1,100,\"a, b\"\r\n\"S 1\",2,90,\"\"\"quoted\"\"\"\r\n\"S 1\",4,80,\r\n",
                  FWD_SCHLUMBERGER);
    cr_expect_str_eq(s->name, "S 1");
    cr_expect_eq(s->rho_a[2], 80);
    cr_expect_str_eq(s->unused, "\"Note, with a comma\"");
    fwd_sounding_free(s);
    /* "CSV (Macintosh)": lines ended by a lone CR, read as any other (it was one line:
     * "expected at least 3 points, got none"); an error names its line */
    s = read_text("mac.csv", "AB/2,Rho_a\r1,100\r3,90\r\r10,80\r", FWD_SCHLUMBERGER);
    cr_expect(s->n == 3 && s->x[2] == 10 && s->rho_a[2] == 80 && s->line[2] == 5, "n %zu, line %zu",
              s->n, s->line[2]);
    fwd_sounding_free(s);
    expect_error("macbad.csv", "AB/2,Rho_a\r1,100\r3,-90\r10,80", FWD_SCHLUMBERGER,
                 "macbad.csv:3: rho_a_ohmm: expected a finite number > 0, got \"-90\"");
    s = read_text("tab.txt", "a_m\trho_a\n1,5\t100\n3\t90,25\n6\t80\n", FWD_WENNER);
    cr_expect_eq(s->x[0], 1.5);
    cr_expect_eq(s->rho_a[1], 90.25);
    fwd_sounding_free(s);
    /* Schlumberger: K = pi (L^2 - l^2) / (2 l); rho_a = K dV / I, or K R */
    s = read_text("vi.csv", "ab2_m,mn2_m,V (mV),I (mA)\n10,1,5,100\n20,1,3,100\n40,1,2,200\n",
                  FWD_SCHLUMBERGER);
    k = FWD_PI * (100 - 1) / 2;
    cr_expect_float_eq(s->rho_a[0], k * 0.05, 1e-12);
    cr_expect_float_eq(s->rho_a[2], FWD_PI * (1600 - 1) / 2 * 0.01, 1e-12);
    cr_expect_eq(s->mn2[0], 1);
    fwd_sounding_free(s);
    s = read_text("r.csv", "a (m),R (ohm)\n1,10\n2,5\n4,2\n", FWD_WENNER);
    cr_expect_float_eq(s->rho_a[0], 2 * FWD_PI * 10, 1e-12);
    cr_expect_float_eq(s->rho_a[2], 2 * FWD_PI * 8, 1e-12);
    fwd_sounding_free(s);
    /* Wenner as AB/2 = 1.5 a, MN/2 = a / 2 */
    s = read_text("wab2.csv", "ab2_m,mn2_m,rho_a\n1.5,0.5,100\n3,1,90\n6,2,80\n", FWD_WENNER);
    cr_expect_null(s->mn2);
    cr_expect_float_eq(s->x[0], 1, 1e-15);
    cr_expect_float_eq(s->x[2], 4, 1e-15);
    cr_expect_eq(s->rho_a[1], 90);
    fwd_sounding_free(s);
}

/* What a user's spreadsheets held (session 24): Greek names, full AB and MN, rows of
 * separators, an empty cell, a column that is no station, thousands separators. Each was
 * misread or refused with a misleading message before. */
Test(fwd_sounding, spreadsheet_habits)
{
    fwd_sounding *s, **st;
    fwd_error err;
    size_t n, k;
    char p[128];

    /* "ρa (Ωm)" is rho_a; the geometric factor K beside it is a column not read */
    s = read_text("greek.csv",
                  "AB/2 (m);MN/2 (m);K;\xcf\x81"
                  "a (\xce\xa9m)\n5;1;37,70;757,47\n"
                  "10;1;155,51;513,93\n20;1;626,75;226,03\n",
                  FWD_SCHLUMBERGER);
    cr_expect_eq(s->n, 3);
    cr_expect_eq(s->rho_a[0], 757.47);
    cr_expect_str_eq(s->unused, "\"K\"");
    cr_expect_str_eq(s->note, "");
    fwd_sounding_free(s);
    s = read_text("phi.csv",
                  "period (s),\xcf\x81s (ohm-m),\xcf\x86 (deg)\n1,100,40\n10,90,50\n"
                  "100,80,45\n",
                  FWD_MT);
    cr_expect_eq(s->phase[1], 50);
    fwd_sounding_free(s);
    /* a Wenner spacing named as a spreadsheet names it, its unit in parentheses, brackets or
     * after '_' */
    s = read_text("sp.csv", "Spacing (m);Rho_a\n2;180\n5;120\n10;60\n", FWD_WENNER);
    cr_expect(s->n == 3 && s->x[1] == 5 && s->rho_a[2] == 60);
    fwd_sounding_free(s);
    s = read_text("spb.csv", "Spacing [m],rho_a\n2,180\n5,120\n10,60\n", FWD_WENNER);
    cr_expect(s->n == 3 && s->x[2] == 10);
    fwd_sounding_free(s);
    s = read_text("spft.csv", "spacing_ft,rho_a\n10,180\n20,120\n40,60\n", FWD_WENNER);
    cr_expect(s->n == 3 && fabs(s->x[0] - 3.048) < 1e-12, "%g", s->x[0]);
    fwd_sounding_free(s);
    /* full spacings: AB and MN are halved, and the note says so */
    s = read_text("full.csv", "AB (m),MN (m),rho_a\n10,2,100\n20,2,90\n40,2,80\n",
                  FWD_SCHLUMBERGER);
    cr_expect_eq(s->x[0], 5);
    cr_expect_eq(s->x[2], 20);
    cr_expect_eq(s->mn2[1], 1);
    cr_expect(strstr(s->note, "\"AB (m)\" read as the full spacing: halved to AB/2") != NULL, "%s",
              s->note);
    cr_expect(strstr(s->note, "\"MN (m)\" read as the full spacing: halved to MN/2") != NULL, "%s",
              s->note);
    fwd_sounding_free(s);
    s = read_text("full_m.csv", "ab_m,mn_m,rho_a\n10,2,100\n20,2,90\n40,2,80\n", FWD_SCHLUMBERGER);
    cr_expect_eq(s->x[1], 10);
    cr_expect_eq(s->mn2[0], 1);
    fwd_sounding_free(s);
    /* rows of separators (a spreadsheet's touched empty rows) are blank lines */
    s = read_text("semis.csv",
                  "AB/2;MN/2;rho_a\n5;1;757,47\n;;\n10;1;513,93\n20;1;226\n"
                  ";;;;;;\n ; ; \n",
                  FWD_SCHLUMBERGER);
    cr_expect_eq(s->n, 3);
    cr_expect_eq(s->rho_a[2], 226);
    fwd_sounding_free(s);
    /* an empty last cell is no reading, named (in the header's words) when the sounding is
     * then too short; an unread column that may explain an error is named */
    expect_error("cell.csv", "AB/2;MN/2;rho_a (ohm.m)\n5;1;757\n10;1;\n20;1;226\n",
                 FWD_SCHLUMBERGER,
                 "cell.csv: expected at least 3 points, got 2 (1 row with no reading left out: "
                 "rho_a (ohm.m) empty, or -, NA; line 3)");
    expect_error("mnfull.csv", "AB/2,MN2 full,rho_a\n40,1,100\n40,5,90\n60,5,80\n",
                 FWD_SCHLUMBERGER, "(columns not read: \"MN2 full\")");
    /* a K or N\xc2\xb0 column beside an unknown rho_a name makes no wide table of stations */
    expect_error("kwide.csv", "AB/2;MN/2;K;Rho-scheinbar\n5;1;37,7;757\n10;1;155,5;513\n",
                 FWD_SCHLUMBERGER, "without rho_a_ohmm");
    expect_error("nwide.csv", "N\xc2\xb0;AB/2;Rho-scheinbar\n1;5;757\n2;10;513\n3;20;226\n",
                 FWD_SCHLUMBERGER, "without rho_a_ohmm");
    cr_assert_eq(fwd_sounding_read_stations(put("wide.csv",
                                                "AB/2;VES 1;VES 2\n1;10;20\n2;11;21\n"
                                                "5;12;22\n",
                                                p),
                                            FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                 FWD_OK, "%s", err.msg);
    cr_expect_eq(n, 2);
    for (k = 0; k < n; k++)
        fwd_sounding_free(st[k]);
    free(st);
    /* a survey's station that is no sounding (an empty column of a wide table):
     * fwd_sounding_read_stations refuses the file for it (it left it out in silence until
     * 2026-12-06), fwd_sounding_read_survey says it fails alone; the stations in the
     * columns' order */
    {
        static const char wide[] = "AB/2;V1;V2;V3;V4\n1;10;;;20\n2;11;12;;21\n5;12;13;;22\n"
                                   "10;13;14;;\n";
        static const char *const names[] = {"V1", "V2", "V3", "V4"};
        fwd_error *se = NULL;
        char q[128];

        cr_assert_eq(fwd_sounding_read_stations(put("gap.csv", wide, p), FWD_SCHLUMBERGER, 0, NULL,
                                                &st, &n, &err),
                     FWD_EFORMAT);
        cr_expect(st == NULL && n == 0);
        cr_expect(strstr(err.msg, "gap.csv:1: station \"V3\": expected at least 3 points, got "
                                  "none (its column is empty)") != NULL,
                  "%s", err.msg);
        /* every column empty (found by the fuzzer: the stations were freed, then read) */
        /* (the fuzzer's field had a unit, "MN/2`(m)": a column of a length is no station's
         * since 2026-12-06, and the header is refused before) */
        expect_error("allgap.csv", "AB/2 (m);MN/2`;VES1;VES2\n3;\n", FWD_SCHLUMBERGER,
                     "allgap.csv:1: station \"MN/2`\": expected at least 3 points, got none");
        cr_expect_eq(fwd_sounding_read_stations(put("allgap.csv", "AB/2;V1;V2\n3;\n5;\n7;\n", q),
                                                FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                     FWD_EFORMAT);
        cr_expect(st == NULL && n == 0);
        cr_assert_eq(fwd_sounding_read_survey(p, FWD_SCHLUMBERGER, 0, NULL, &st, &se, &n, &err),
                     FWD_OK, "%s", err.msg);
        cr_assert_eq(n, 4);
        for (k = 0; k < n; k++)
            cr_expect_str_eq(st[k]->name, names[k]);
        cr_expect(se[0].code == FWD_OK && se[1].code == FWD_OK && se[3].code == FWD_OK);
        cr_expect_eq(se[2].code, FWD_EFORMAT);
        cr_expect(st[1]->n == 3 && st[3]->n == 3 && st[2]->n == 0);
        fwd_sounding_free_stations(st, n);
        free(se);
    }
    /* '.' between groups of 3 digits beside decimal commas: a thousands separator, refused
     * wherever the two come in the file; '.' decimals of another length are decimals */
    expect_error("thou1.csv", "AB/2;MN/2;rho\n5;1;15.149\n10;1;757,5\n20;1;300\n", FWD_SCHLUMBERGER,
                 ":3: rho_a_ohmm: expected numbers without thousands separators, got \"15.149\" "
                 "(line 2) in a file with decimal commas (\"757,5\", line 3)");
    expect_error(
        "thou2.csv", "AB/2;MN/2;rho\n5;1;757,5\n10;1;1.234.567\n20;1;300\n", FWD_SCHLUMBERGER,
        ":3: rho_a_ohmm: expected a number without thousands separators, got \"1.234.567\"");
    s = read_text("dec.csv", "AB/2;MN/2;rho\n5;0.5;757,5\n10;0.5;15.14\n20;1;300\n",
                  FWD_SCHLUMBERGER);
    cr_expect_eq(s->rho_a[1], 15.14);
    cr_expect_str_eq(s->note, "");
    fwd_sounding_free(s);
    /* every '.' number like "15.149" and no comma: read as decimals, with a note */
    s = read_text("thou3.csv", "AB/2;MN/2;rho\n5;1;15.149\n10;1;10.279\n20;1;4.521\n",
                  FWD_SCHLUMBERGER);
    cr_expect_eq(s->rho_a[0], 15.149);
    cr_expect(strstr(s->note, "every number with a '.' has 3 digits after it (\"15.149\", "
                              "line 2)") != NULL,
              "%s", s->note);
    fwd_sounding_free(s);
    /* in a ',' file a '.' is always the decimal mark: no note */
    s = read_text("comma.csv", "ab2,mn2,rho\n5,1,15.149\n10,1,10.279\n20,1,4.521\n",
                  FWD_SCHLUMBERGER);
    cr_expect_str_eq(s->note, "");
    fwd_sounding_free(s);
    /* a row of units under the header, in brackets or bare; a unit the header contradicts,
     * or of another kind, is an error */
    s = read_text("units.csv",
                  "AB/2;MN/2;Rho_a;Remarks\n(ft);[ft];(Ohm.m);\n10;1;100;ok\n"
                  "20;1;90;\n40;1;80;\n",
                  FWD_SCHLUMBERGER);
    cr_expect_float_eq(s->x[0], 3.048, 1e-12);
    cr_expect_float_eq(s->mn2[2], 0.3048, 1e-12);
    cr_expect_eq(s->rho_a[0], 100);
    fwd_sounding_free(s);
    s = read_text("units2.csv",
                  "period,rho_a,phase\ns,ohm-m,rad\n1,100,0.5\n10,90,0.6\n"
                  "100,80,0.7\n",
                  FWD_MT);
    cr_expect_float_eq(s->phase[0], 0.5 * 180 / PI, 1e-12);
    fwd_sounding_free(s);
    expect_error("units3.csv", "AB/2 (m);rho_a\n(ft);(ohm-m)\n10;100\n20;90\n40;80\n",
                 FWD_SCHLUMBERGER,
                 ":2: units of \"AB/2 (m)\": expected the header's unit, got \"(ft)\"");
    expect_error("units4.csv", "AB/2;rho_a\n(s);(ohm-m)\n10;100\n20;90\n40;80\n", FWD_SCHLUMBERGER,
                 ":2: units of \"AB/2\": \"(s)\": expected m, cm, km or ft");
    /* a title above the header: the message says how to keep it */
    expect_error("title.csv", "VES 3 Mawlamyine;;\nAB/2;MN/2;rho_a\n5;1;757\n", FWD_SCHLUMBERGER,
                 "(a title above the header? start it with #)");
    /* a wide table but for a column that is no station's; decimal commas in a comma CSV
     * (quoted): each error says what would read them */
    expect_error("widek.csv", "AB/2;K;VES1;VES2\n1;6,28;10;20\n2;12,6;11;21\n5;31,4;12;22\n",
                 FWD_SCHLUMBERGER,
                 "without rho_a_ohmm (a table of one rho_a column per station? \"K\" is no "
                 "station's: leave that column out)");
    expect_error("qdc.csv", "AB/2,Rho_a\n\"1,0\",\"100,5\"\n\"2,0\",\"90,1\"\n\"5,0\",\"80,0\"\n",
                 FWD_SCHLUMBERGER,
                 ":2: ab2_m: expected a finite number > 0, got \"1,0\" (a decimal comma: bpinv "
                 "reads them in tables separated by ';' or tabs");
    /* whose words name a column, but none of the method's ("VES" is a station's) */
    expect_error("title2.csv", "VES 12 Mawlamyine 2024-03-01\nAB/2,MN/2,Rho_a\n5,1,757\n",
                 FWD_SCHLUMBERGER, "(a title above the header? start it with #)");
    {
        fwd_error e2;

        put("nohint.csv", "AB/2,MN/2,resist\n5,1,757\n10,1,700\n", p);
        cr_expect_null(fwd_sounding_read(p, FWD_SCHLUMBERGER, FWD_COMP_DET, &e2));
        cr_expect(strstr(e2.msg, "without rho_a_ohmm") != NULL && strstr(e2.msg, "title") == NULL,
                  "%s", e2.msg);
    }
    /* other encodings: UTF-16 (Excel's "Unicode Text"), a Windows code page's degree sign */
    {
        static const char u16[] = "\xff\xfe"
                                  "A\0B\0/\0"
                                  "2\0;\0r\0h\0o\0\n\0";
        FILE *fp;

        snprintf(p, sizeof p, "%s/u16.txt", dir);
        cr_assert_not_null(fp = fopen(p, "wb"));
        cr_assert_eq(fwrite(u16, 1, sizeof u16 - 1, fp), sizeof u16 - 1);
        fclose(fp);
        cr_expect_null(fwd_sounding_read(p, FWD_SCHLUMBERGER, 0, &err));
        cr_expect(strstr(err.msg, ":1: expected UTF-8 text, got UTF-16") != NULL, "%s", err.msg);
    }
    expect_error("cp1252.csv", "period (s);rho_a;Phase (\xb0)\n1;100;45\n10;90;40\n", FWD_MT,
                 "(a file saved in a Windows code page? save it as UTF-8)");
    /* a phase column in rad holding degrees: the message gives the value converted */
    expect_error("rad.csv", "period (s);rho_a;Phase (rad)\n1;100;20,5\n10;90;40\n100;80;45\n",
                 FWD_MT, "got \"20,5\" in the unit of \"Phase (rad)\", 1174.56 degrees");
}

/* --columns: any header names mapped to bpinv's, with units; a mapping bpinv cannot place or
 * a header name the file lacks is an error, never ignored. */
Test(fwd_sounding, columns_mapped)
{
    char p[128];
    fwd_sounding *s;
    fwd_error err;

    put("map.csv", "Spacing,Reading,\"Notes, field\"\n10,100,x\n20,90,y\n40,80,z\n", p);
    s = fwd_sounding_read_columns(p, FWD_WENNER, 0, "a_ft=Spacing, rho_a = reading", &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_float_eq(s->x[0], 3.048, 1e-12);
    cr_expect_eq(s->rho_a[2], 80);
    cr_expect_str_eq(s->unused, "\"Notes, field\"");
    fwd_sounding_free(s);
    s = fwd_sounding_read_columns(p, FWD_WENNER, 0,
                                  "a=Spacing,rho_a=Reading,station=\"Notes, field\"", &err);
    cr_expect_null(s);
    cr_expect(strstr(err.msg, ":2: station \"x\": expected at least 3 points, got 1") != NULL, "%s",
              err.msg);
    s = fwd_sounding_read_columns(p, FWD_WENNER, 0, "a=Spacing,rho_a=Readings", &err);
    cr_expect_null(s);
    cr_expect_eq(err.code, FWD_EFORMAT);
    cr_expect_str_eq(err.field, "columns");
    cr_expect(strstr(err.msg, ":1: columns: \"Readings\": expected a column of the header, got "
                              "\"Spacing, Reading, Notes, field\"") != NULL,
              "%s", err.msg);
    /* a mapped error column takes the unit its bpinv name implies */
    put("maperr.csv", "Spacing,Reading,Err\n10,100,5\n20,90,5\n40,80,10\n", p);
    s = fwd_sounding_read_columns(p, FWD_WENNER, 0, "a=Spacing,rho_a=Reading,error_pct=Err", &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_float_eq(s->sd_log10[2], 0.10 / log(10), 1e-15);
    fwd_sounding_free(s);
    cr_expect_eq(fwd_sounding_columns_check("rhoo=Reading", &err), FWD_EINVAL);
    cr_expect(strstr(err.msg, "columns: \"rhoo=Reading\": expected a column name bpinv knows") ==
                  err.msg,
              "%s", err.msg);
    cr_expect_eq(fwd_sounding_columns_check("rho_a", &err), FWD_EINVAL);
    cr_expect_str_eq(err.msg, "columns: expected NAME=HEADER, got \"rho_a\"");
    cr_expect_eq(fwd_sounding_columns_check("rho_a=", &err), FWD_EINVAL);
    /* a name or a header mapped twice (it was "expected a column of the header") */
    cr_expect_eq(fwd_sounding_columns_check("ab2_m=AB2,rho_a=RES,rho_a_ohmm=X", &err), FWD_EINVAL);
    cr_expect_str_eq(err.msg,
                     "columns: \"rho_a_ohmm=X\": rho_a_ohmm is mapped already (rho_a=RES)");
    cr_expect_eq(fwd_sounding_columns_check("ab2_m=AB2,rho_a=AB2", &err), FWD_EINVAL);
    cr_expect_str_eq(err.msg,
                     "columns: \"rho_a=AB2\": header \"AB2\" is mapped already (ab2_m=AB2)");
    cr_expect_eq(fwd_sounding_columns_check(NULL, &err), FWD_OK);
    cr_expect_eq(fwd_sounding_columns_check("ab2=AB/2,rho_a=\"App. Res., Ohm m\"", &err), FWD_OK);
}

/* Where the station is: an EDI file's LAT, LONG (D:M:S or decimal) and ELEV; a text file's
 * x, y, elevation (its unit honoured) and lat, lon columns, one position per station. */
Test(fwd_sounding, station_positions)
{
    char p[128];
    fwd_error err;
    fwd_sounding *s = fwd_sounding_read(EX "penola_site3.edi", FWD_MT, FWD_COMP_DET, &err);

    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_float_eq(s->lat_deg, -(37 + 25 / 60.0 + 48.84 / 3600), 1e-12); /* -37:25:48.84 */
    cr_expect_float_eq(s->lon_deg, 140 + 39 / 60.0 + 0.30 / 3600, 1e-12);    /* 140:39:0.30 */
    cr_expect_eq(s->elevation_m, 45);
    cr_expect(isnan(s->x_m) && isnan(s->y_m));
    fwd_sounding_free(s);
    s = read_text("decimal.edi",
                  ">HEAD\n DATAID=D\n LAT=12.5\n LONG=-3.25\n ELEV=\n>FREQ // 3\n 1 2 3\n"
                  ">RHOXY // 3\n 10 20 30\n>PHSXY // 3\n 45 50 55\n>RHOYX // 3\n 10 20 30\n"
                  ">PHSYX // 3\n 45 50 55\n>END\n",
                  FWD_MT);
    cr_expect_eq(s->lat_deg, 12.5);
    cr_expect_eq(s->lon_deg, -3.25);
    cr_expect(isnan(s->elevation_m), "an empty ELEV is no elevation (one not a number is an "
                                     "error: edi_station_position)");
    fwd_sounding_free(s);
    s = read_text("xy.csv",
                  "station,x (km),y,elevation (ft),ab2,rho\nP1,512.25,4101000.5,100,1,100\n"
                  "P1,512.25,4101000.5,100,2,90\nP1,512.25,4101000.5,100,4,80\n",
                  FWD_SCHLUMBERGER);
    cr_expect_eq(s->x_m, 512250);
    cr_expect_eq(s->y_m, 4101000.5);
    cr_expect_float_eq(s->elevation_m, 30.48, 1e-12);
    cr_expect(isnan(s->lat_deg));
    cr_expect_str_eq(s->unused, "");
    fwd_sounding_free(s);
    s = read_text("latlon.csv", "lat,lon,a,rho\n-1.5,36.8,1,100\n-1.5,36.8,2,90\n-1.5,36.8,4,80\n",
                  FWD_WENNER);
    cr_expect(s->lat_deg == -1.5 && s->lon_deg == 36.8);
    fwd_sounding_free(s);
    expect_error("moved.csv", "x,y,elevation,ab2,rho\n1,2,10,1,100\n1,2,10,2,90\n1,2,11,4,80\n",
                 FWD_SCHLUMBERGER,
                 ":4: elevation: expected the station's one position, 10 as on line 2, got 11");
    expect_error("placed.csv", "x,y,ab2,rho\n1,2,1,100\n1,2,2,90\n1,2,4,80\n1,3,4,80\n",
                 FWD_SCHLUMBERGER,
                 ":5: station at x_m 1, y_m 3: expected at least 3 points, got 1");
    expect_error("lat.csv", "lat,ab2,rho\n95,1,100\n95,2,90\n95,4,80\n", FWD_SCHLUMBERGER,
                 ":2: lat: expected degrees, got 95");
    (void)p;
}

/* An EDI file of head (the lines of >HEAD) and meas (of >=DEFINEMEAS), read; NULL with
 * *err set when refused. */
static fwd_sounding *
read_edi_at(const char *name, const char *head, const char *meas, fwd_error *err)
{
    char text[1024], p[128];

    snprintf(text, sizeof text,
             ">HEAD\n%s>=DEFINEMEAS\n MAXCHAN=7\n%s>FREQ // 3\n 1 2 3\n"
             ">RHOXY // 3\n 10 20 30\n>PHSXY // 3\n 45 50 55\n>END\n",
             head, meas);
    memset(err, 0, sizeof *err);
    return fwd_sounding_read(put(name, text, p), FWD_MT, FWD_COMP_XY, err);
}

/* Where an EDI station is: >HEAD's LAT, LONG, ELEV, each of them else >=DEFINEMEAS's REFLAT,
 * REFLONG, REFELEV; spaces around '='; decimal degrees and D:M:S with or without seconds;
 * a latitude, longitude or elevation given but not one refused by name, file and line. */
Test(fwd_sounding, edi_station_position)
{
    static const struct {
        const char *head, *meas;
        double lat, lon, elev;
    } ok[] = {
        /* DEFINEMEAS alone (L1-800.edi) */
        {" DATAID=A\n", " REFLAT=-37:25:48.84\n REFLONG=140:39:32.57\n REFELEV=52.0\n",
         -(37 + 25 / 60.0 + 48.84 / 3600), 140 + 39 / 60.0 + 32.57 / 3600, 52},
        /* HEAD wins over DEFINEMEAS, field by field */
        {" LAT=10.5\n LONG=20.25\n ELEV=3\n", " REFLAT=11\n REFLONG=21\n REFELEV=4\n", 10.5, 20.25,
         3},
        {" ELEV=3\n", " REFLAT=11\n REFLONG=21\n REFELEV=4\n", 11, 21, 3},
        /* spaces and tabs around '=' (L1-900.edi), a lower-case keyword */
        {" LAT = -37:25:48.84\n LONG\t=\t140:39:36.64\n elev = 53.0\n", "",
         -(37 + 25 / 60.0 + 48.84 / 3600), 140 + 39 / 60.0 + 36.64 / 3600, 53},
        {"", " REFLAT = -37.4302\n REFLONG = 140:39\n REFELEV = -2.5\n", -37.4302, 140.65, -2.5},
        /* D:M, degrees east of 180, a sign before 0 degrees, quotes, nothing given */
        {" LAT=-0:30\n LONG=220:15:36\n", "", -0.5, -(139 + 44 / 60.0 + 24 / 3600.0), NAN},
        {" LAT=\"45:00:36\"\n LONG=-180\n", "", 45.01, -180, NAN},
        /* 60 seconds or minutes: an exporter's 59.996 rounded to 2 decimals */
        {" LAT=-37:25:60.00\n LONG=140:60\n", "", -(37 + 26 / 60.0), 141, NAN},
        {" LAT=\n LONG=\"\"\n", "", NAN, NAN, NAN},
        /* an elevation with its unit, quoted, or empty */
        {" ELEV=45.5 m\n", "", NAN, NAN, 45.5},
        {" ELEV=\"-12\"\n", " REFELEV=7M\n", NAN, NAN, -12},
        {" ELEV=\n", " REFELEV=\n", NAN, NAN, NAN},
    };
    static const struct {
        const char *head, *meas, *msg;
    } bad[] = {
        {" LAT=95\n", "", ":2: LAT: expected degrees in [-90, 90], got \"95\""},
        {" LAT = -91:00:00\n", "", ":2: LAT: expected degrees in [-90, 90], got \"-91:00:00\""},
        {" DATAID=X\n LONG=400\n", "",
         ":3: LONG: expected degrees in [-180, 180] (or 0 to 360), got \"400\""},
        {" LONG=-180:00:01\n", "",
         ":2: LONG: expected degrees in [-180, 180] (or 0 to 360), got \"-180:00:01\""},
        {" LAT=37:61:00\n", "",
         ":2: LAT: expected degrees, decimal (-37.43) or D:M:S (-37:25:48.84, minutes and seconds "
         "at most 60), got \"37:61:00\""},
        {" LAT=37:60:30\n", "",
         ":2: LAT: expected degrees, decimal (-37.43) or D:M:S (-37:25:48.84, minutes and seconds "
         "at most 60), got \"37:60:30\""},
        {" LAT=37:20:60.01\n", "",
         ":2: LAT: expected degrees, decimal (-37.43) or D:M:S (-37:25:48.84, minutes and seconds "
         "at most 60), got \"37:20:60.01\""},
        {"", " REFLAT=37.5S\n",
         ":4: REFLAT: expected degrees, decimal (-37.43) or D:M:S (-37:25:48.84, minutes and "
         "seconds at most 60), got \"37.5S\""},
        {"", " REFLONG=540\n", ":4: REFLONG: expected degrees in [-180, 180] (or 0 to 360)"},
        /* an elevation that is not one: refused, not left out */
        {" ELEV=unknown\n", "", ":2: ELEV: expected metres (45.0), got \"unknown\""},
        {" ELEV=45 ft\n", "", ":2: ELEV: expected metres (45.0), got \"45 ft\""},
        {"", " REFELEV=1,250\n", ":4: REFELEV: expected metres (45.0), got \"1,250\""},
    };
    char name[32];
    fwd_error err;
    fwd_sounding *s;
    size_t k;

    for (k = 0; k < sizeof ok / sizeof ok[0]; k++) {
        sprintf(name, "pos%zu.edi", k);
        s = read_edi_at(name, ok[k].head, ok[k].meas, &err);
        cr_assert_not_null(s, "%s: %s", name, err.msg);
        if (isnan(ok[k].lat))
            cr_expect(isnan(s->lat_deg), "%s: lat %.15g", name, s->lat_deg);
        else
            cr_expect_float_eq(s->lat_deg, ok[k].lat, 1e-12, "%s: lat %.15g", name, s->lat_deg);
        if (isnan(ok[k].lon))
            cr_expect(isnan(s->lon_deg), "%s: lon %.15g", name, s->lon_deg);
        else
            cr_expect_float_eq(s->lon_deg, ok[k].lon, 1e-12, "%s: lon %.15g", name, s->lon_deg);
        if (isnan(ok[k].elev))
            cr_expect(isnan(s->elevation_m), "%s: elev %.15g", name, s->elevation_m);
        else
            cr_expect_eq(s->elevation_m, ok[k].elev, "%s: elev %.15g", name, s->elevation_m);
        fwd_sounding_free(s);
    }
    /* Fortran exponents, as older writers print doubles: the values of E exponents; a D
     * that is no exponent still refused */
    s = read_edi_comp("dexp.edi",
                      ">HEAD\n>FREQ // 3\n 1.0D+00 2.0d0 4.0E0\n"
                      ">RHOXY // 3\n 1.0D+01 2.5D1 1D-2\n>PHSXY // 3\n 45 50.0D0 55\n>END\n",
                      FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 3);
    cr_expect_eq(s->x[0], 0.25); /* periods, ascending */
    cr_expect_eq(s->rho_a[0], 0.01);
    cr_expect_eq(s->rho_a[1], 25);
    cr_expect_eq(s->rho_a[2], 10);
    cr_expect_eq(s->phase[1], 50);
    fwd_sounding_free(s);
    /* the EMPTY marker written so too: its values skipped, not read as data */
    s = read_edi_comp("dempty.edi",
                      ">HEAD\n EMPTY=-9.99D+02\n ELEV=4.5D+01\n>FREQ // 4\n 1.0D+00 2.0d0 4.0E0 8\n"
                      ">RHOXY // 4\n 1.0D+01 -9.99D+02 1D-2 3\n>PHSXY // 4\n 45 50.0D0 55 60\n"
                      ">END\n",
                      FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_eq(s->n, 3);
    cr_expect_eq(s->elevation_m, 45);
    cr_expect(strstr(s->note, "1 of 4 frequencies skipped") != NULL, "%s", s->note);
    fwd_sounding_free(s);
    s = read_edi_comp("dbad.edi",
                      ">HEAD\n>FREQ // 3\n 1 2 4\n>RHOXY // 3\n 10 2.5D 1\n>PHSXY // 3\n 45 50 55\n"
                      ">END\n",
                      FWD_COMP_XY, &err);
    cr_expect_null(s);
    cr_expect(strstr(err.msg, "dbad.edi:5: RHOXY: expected a number, got \"2.5D\"") != NULL, "%s",
              err.msg);
    s = read_edi_comp("id.edi",
                      ">HEAD\n DATAID = L1-900\n EMPTY = 1000\n>FREQ // 4\n 1 2 3 4\n"
                      ">RHOXY // 4\n 10 20 1000 5000\n>PHSXY // 4\n 45 50 55 60\n>END\n",
                      FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_str_eq(s->name, "L1-900");
    /* EMPTY = 1000: 1000 at 3 Hz skipped, 5000 ohm-m at 4 Hz read (it was skipped, as
     * beyond 0.99 of the marker, until 2026-12-06) */
    cr_assert_eq(s->n, 3);
    cr_expect_eq(s->rho_a[0], 5000);
    cr_expect_eq(s->x[1], 0.5);
    fwd_sounding_free(s);
    for (k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        sprintf(name, "badpos%zu.edi", k);
        s = read_edi_at(name, bad[k].head, bad[k].meas, &err);
        cr_expect_null(s, "%s was read", name);
        fwd_sounding_free(s);
        cr_expect(strstr(err.msg, name) != NULL && strstr(err.msg, bad[k].msg) != NULL,
                  "%s: expected \"%s\" in \"%s\"", name, bad[k].msg, err.msg);
    }
}

/* The stations of a file in the order of their first readings, each checked as a sounding. */
static fwd_sounding **
read_survey(const char *name, const char *text, fwd_method m, size_t expect_n)
{
    char p[128];
    fwd_error err;
    fwd_sounding **s;
    size_t n, k;

    cr_assert_eq(fwd_sounding_read_stations(put(name, text, p), m, 0, NULL, &s, &n, &err), FWD_OK,
                 "%s: %s", name, err.msg);
    cr_assert_eq(n, expect_n, "%s: %zu stations", name, n);
    for (k = 0; k < n; k++) {
        cr_expect_eq(fwd_sounding_check(s[k], &err), FWD_OK, "%s[%zu]: %s", name, k, err.msg);
        cr_expect_str_eq(s[k]->source, p);
    }
    return s;
}

/* A survey with a station column read as a survey (fwd_sounding_read_survey): a bad reading
 * (a cell that is no number, an MN/2 not below its AB/2) fails its station alone, with the
 * first such error of it and its name; the others are read whole. Read as stations, or with
 * one station, it is the file's error as before; a decimal mark in doubt is the file's. */
Test(fwd_sounding, survey_bad_reading_fails_its_station)
{
    static const char text[] = "station,ab2_m,mn2_m,rho_a_ohmm\n"
                               "A,1,0.3,10\nA,2,0.3,11\nA,5,0.3,12\n"
                               "B,1,0.3,20\nB,2,0.3,x\nB,5,0.3,22\nB,10,0.3,-1\n"
                               "C,1,0.3,30\nC,2,0.3,31\nC,5,0.3,32\n"
                               "D,1,0.3,40\nD,2,3,41\nD,5,0.3,42\nD,10,0.3,43\n";
    char p[128], q[128];
    fwd_sounding **st;
    fwd_error *se = NULL, err;
    size_t n, k;

    put("bad.csv", text, p);
    cr_assert_eq(fwd_sounding_read_survey(p, FWD_SCHLUMBERGER, 0, NULL, &st, &se, &n, &err), FWD_OK,
                 "%s", err.msg);
    cr_assert_eq(n, 4);
    for (k = 0; k < n; k++)
        cr_expect_eq(st[k]->name[0], "ABCD"[k]);
    cr_expect(se[0].code == FWD_OK && se[2].code == FWD_OK, "%s / %s", se[0].msg, se[2].msg);
    cr_expect(st[0]->n == 3 && st[2]->n == 3 && st[2]->rho_a[2] == 32);
    cr_expect_eq(se[1].code, FWD_EFORMAT);
    cr_expect(strstr(se[1].msg, "bad.csv:6: rho_a_ohmm: expected a finite number > 0, got \"x\" "
                                "(station \"B\")") != NULL,
              "%s", se[1].msg);
    cr_expect_eq(se[3].code, FWD_EFORMAT);
    cr_expect(strstr(se[3].msg, "bad.csv:13: mn2_m: expected less than AB/2 = 2 m, got 3 (station "
                                "\"D\")") != NULL,
              "%s", se[3].msg);
    fwd_sounding_free_stations(st, n);
    free(se);
    /* as stations: the file's error, at its first bad line */
    cr_expect_eq(fwd_sounding_read_stations(p, FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                 FWD_EFORMAT);
    cr_expect(st == NULL && n == 0);
    cr_expect(strstr(err.msg, "bad.csv:6: rho_a_ohmm: expected a finite number > 0, got \"x\"") !=
                      NULL &&
                  strstr(err.msg, "station") == NULL,
              "%s", err.msg);
    /* one station: the file's error, as a file of one is */
    put("one.csv", "station,ab2_m,rho_a_ohmm\nA,1,10\nA,2,x\nA,5,12\nA,10,13\n", q);
    cr_expect_eq(fwd_sounding_read_survey(q, FWD_SCHLUMBERGER, 0, NULL, &st, &se, &n, &err),
                 FWD_EFORMAT);
    cr_expect(strstr(err.msg, "one.csv:3: rho_a_ohmm: expected a finite number > 0, got \"x\"") !=
                      NULL &&
                  strstr(err.msg, "(station") == NULL,
              "%s", err.msg);
    /* a blank station cell whose reading is bad, then a named station: the file's error
     * names the blank row's line (its station holds no point to take it from) */
    put("blank.csv", "station,ab2_m,rho_a_ohmm\n,1,NA\nA,1,10\nA,2,11\nA,5,12\n", q);
    cr_expect_eq(fwd_sounding_read_survey(q, FWD_SCHLUMBERGER, 0, NULL, &st, &se, &n, &err),
                 FWD_EFORMAT);
    cr_expect(strstr(err.msg, "blank.csv:3: station: expected the station of every reading, got "
                              "\"A\" after empty cells (line 2)") != NULL,
              "%s", err.msg);
    /* a Schlumberger table read as Wenner (AB/2 and MN/2 not 1.5 a and a / 2): the file's,
     * though one station's row shows it */
    put("wsch.csv",
        "station,ab2_m,mn2_m,rho_a_ohmm\nA,1.5,0.5,10\nA,3,1,11\nA,6,2,12\nB,1.5,0.3,10\n"
        "B,3,1,11\nB,6,2,12\n",
        q);
    cr_expect_eq(fwd_sounding_read_survey(q, FWD_WENNER, 0, NULL, &st, &se, &n, &err), FWD_EFORMAT);
    cr_expect(strstr(err.msg, "wsch.csv:5: mn2_m: expected AB/2 / 3 = 0.5 m") != NULL &&
                  strstr(err.msg, "read as Wenner") != NULL,
              "%s", err.msg);
    /* a decimal mark in doubt across stations: the file's */
    put("marks.csv",
        "station;ab2_m;rho_a_ohmm\nA;1;15.149\nA;2;11\nA;5;12\nB;1;757,5\nB;2;21\nB;5;22\n", q);
    cr_expect_eq(fwd_sounding_read_survey(q, FWD_SCHLUMBERGER, 0, NULL, &st, &se, &n, &err),
                 FWD_EFORMAT);
    cr_expect(strstr(err.msg, "in a file with decimal commas") != NULL, "%s", err.msg);
    cr_expect(st == NULL && se == NULL && n == 0);
}

/* A survey's row short of the header's columns (a spreadsheet leaves the empty cells at a
 * row's end out) is a reading with those cells empty: with no value, a spacing not read,
 * left out and said (B, C); with no spacing, a bad reading that fails its station alone (D). Read
 * as stations, the same readings, and D the file's error. */
Test(fwd_sounding, survey_short_row_fails_its_station)
{
    static const char text[] = "station;x_m;ab2_m;mn2_m;rho_a_ohmm\r\n"
                               "A;0;1;0,3;10\r\nA;0;2;0,3;11\r\nA;0;5;0,3;12\r\n"
                               "B;5;1;0,3;20\r\nB;5;2;0,3\r\nB;5;5;0,3;22\r\nB;5;10;0,3;23\r\n"
                               "C;9;1;0,3;30\r\nC;9;2;0,3;\r\nC;9;5;0,3;32\r\nC;9;10;0,3;NA\r\n"
                               "C;9;20;0,3;33\r\n"
                               "D;9;1;0,3;30\r\nD;9\r\nD;9;5;0,3;32\r\nD;9;10;0,3;33\r\n";
    char p[128];
    fwd_sounding **st;
    fwd_error *se = NULL, err;
    size_t n;

    put("short.csv", text, p);
    cr_assert_eq(fwd_sounding_read_survey(p, FWD_SCHLUMBERGER, 0, NULL, &st, &se, &n, &err), FWD_OK,
                 "%s", err.msg);
    cr_assert_eq(n, 4);
    cr_expect(se[0].code == FWD_OK && st[0]->n == 3, "%s", se[0].msg);
    cr_expect(se[1].code == FWD_OK && st[1]->n == 3 && st[1]->x[1] == 5, "%s", se[1].msg);
    cr_expect(strstr(st[1]->note, "no reading in 1 row (rho_a_ohmm empty, or -, NA; line 6): "
                                  "left out") != NULL,
              "%s", st[1]->note);
    cr_expect(se[2].code == FWD_OK && st[2]->n == 3 && st[2]->rho_a[2] == 33, "%s", se[2].msg);
    cr_expect(strstr(st[2]->note, "no reading in 2 rows (rho_a_ohmm empty, or -, NA; line 10, "
                                  "the first): left out") != NULL,
              "%s", st[2]->note);
    cr_expect_eq(se[3].code, FWD_EFORMAT);
    cr_expect(strstr(se[3].msg, "short.csv:15: ab2_m: expected a value, got an empty cell") !=
                      NULL &&
                  strstr(se[3].msg, "(station \"D\")") != NULL,
              "%s", se[3].msg);
    fwd_sounding_free_stations(st, n);
    free(se);
    cr_expect_eq(fwd_sounding_read_stations(p, FWD_SCHLUMBERGER, 0, NULL, &st, &n, &err),
                 FWD_EFORMAT);
    cr_expect(strstr(err.msg, "short.csv:15: ab2_m: expected a value, got an empty cell") != NULL,
              "%s", err.msg);
}

/* A station's position cells left empty (a survey sheet not filled in yet) say nothing: no
 * position, or the one a row of the station gives, which the others repeat or leave empty. */
Test(fwd_sounding, survey_empty_position_cells)
{
    static const char text[] = "station,x_m,y_m,elevation_m,ab2_m,rho_a_ohmm\n"
                               "A,,,,1,10\nA,,,,2,11\nA,,,,5,12\n"
                               "B,,,,1,20\nB,500,4100000.5,,2,21\nB,,4100000.5,,5,22\n"
                               "C,7,,,1,30\nC,,,,2,31\nC,8,,,5,32\n";
    char p[128];
    fwd_sounding **st;
    fwd_error *se = NULL, err;
    size_t n;

    put("pos.csv", text, p);
    cr_assert_eq(fwd_sounding_read_survey(p, FWD_SCHLUMBERGER, 0, NULL, &st, &se, &n, &err), FWD_OK,
                 "%s", err.msg);
    cr_assert_eq(n, 3);
    cr_expect(se[0].code == FWD_OK && se[1].code == FWD_OK, "%s / %s", se[0].msg, se[1].msg);
    cr_expect(isnan(st[0]->x_m) && isnan(st[0]->y_m) && isnan(st[0]->elevation_m));
    cr_expect(st[0]->n == 3 && st[1]->n == 3);
    cr_expect(st[1]->x_m == 500 && st[1]->y_m == 4100000.5 && isnan(st[1]->elevation_m));
    cr_expect_eq(se[2].code, FWD_EFORMAT);
    cr_expect(strstr(se[2].msg, "pos.csv:10: x_m: expected the station's one position, 7 as on "
                                "line 8, got 8 (station \"C\")") != NULL,
              "%s", se[2].msg);
    fwd_sounding_free_stations(st, n);
    free(se);
    /* told apart by place alone (no station column), a reading needs its place */
    put("place.csv", "x_m,ab2_m,rho_a_ohmm\n0,1,10\n,2,11\n0,5,12\n", p);
    cr_expect_eq(fwd_sounding_read_survey(p, FWD_SCHLUMBERGER, 0, NULL, &st, &se, &n, &err),
                 FWD_EFORMAT);
    cr_expect(strstr(err.msg, "place.csv:3: x_m: expected a value, got an empty cell") != NULL,
              "%s", err.msg);
}

/* A survey in one table: a station column (rows in any order), places alone (x, y), or the
 * wide layout of one rho_a column per station with readings missing; every point where the
 * file put it, and the errors of a survey naming the station and the line. */
Test(fwd_sounding, surveys)
{
    fwd_sounding **s;
    fwd_error err;
    size_t n;

    /* long layout, stations interleaved: each keeps its own rows, sorted, and its place */
    s = read_survey("long.csv",
                    "station,x (km),y,elevation,AB/2 (m),MN/2 (m),Rho_a (ohm-m),error (%)\n"
                    "VES 2,1.5,0,105,10,1,80,5\nVES 1,1,0,100,1,0.5,100,3\n"
                    "VES 1,1,0,100,4,0.5,50,3\nVES 2,1.5,0,105,2,0.5,70,5\n"
                    "VES 1,1,0,100,2,0.5,70,3\nVES 2,1.5,0,105,5,1,75,5\n",
                    FWD_SCHLUMBERGER, 2);
    cr_expect_str_eq(s[0]->name, "VES 2");
    cr_expect_str_eq(s[1]->name, "VES 1");
    cr_expect(s[0]->x_m == 1500 && s[1]->x_m == 1000 && s[0]->elevation_m == 105);
    cr_expect(s[1]->n == 3 && s[1]->x[0] == 1 && s[1]->x[2] == 4 && s[1]->rho_a[2] == 50);
    cr_expect(s[0]->x[0] == 2 && s[0]->mn2[2] == 1 && s[0]->line[2] == 2);
    cr_expect_float_eq(s[0]->sd_log10[0], 0.05 / log(10), 1e-15);
    fwd_sounding_free_stations(s, 2);
    /* told apart by place alone: named after the file, in order */
    s = read_survey("line.csv",
                    "x,y,a,rho\n0,0,1,10\n0,0,2,20\n0,0,4,30\n50,0,1,11\n50,0,2,21\n50,0,4,31\n",
                    FWD_WENNER, 2);
    cr_expect_str_eq(s[0]->name, "line.csv-1");
    cr_expect_str_eq(s[1]->name, "line.csv-2");
    cr_expect(s[1]->x_m == 50 && s[1]->rho_a[0] == 11);
    fwd_sounding_free_stations(s, 2);
    /* wide: the stations are the header's other columns; no reading in a cell is no point */
    s = read_survey("wide.csv",
                    "AB/2 (m);MN/2 (m);VES1;VES2;VES3\n1,5;0,5;100;50;-\n3;0,5;90;NA;200\n"
                    "10;0,5;80;60;210\n10;2;81;;212\n30;2;70;65;220\n",
                    FWD_SCHLUMBERGER, 3);
    cr_expect_str_eq(s[0]->name, "VES1");
    cr_expect_str_eq(s[2]->name, "VES3");
    cr_expect_eq(s[0]->n, 5);
    cr_expect_eq(s[1]->n, 3);
    cr_expect_eq(s[2]->n, 4);
    cr_expect(s[1]->x[0] == 1.5 && s[1]->x[1] == 10 && s[1]->rho_a[2] == 65);
    cr_expect(s[2]->x[0] == 3 && s[2]->mn2[2] == 2 && s[2]->rho_a[2] == 212);
    /* its segments, by increasing MN/2 */
    cr_expect_eq(fwd_sounding_next_mn2(s[0], 0), 0.5);
    cr_expect_eq(fwd_sounding_next_mn2(s[0], 0.5), 2);
    cr_expect(isinf(fwd_sounding_next_mn2(s[0], 2)));
    cr_expect(isnan(s[0]->x_m));
    cr_expect_str_eq(s[0]->unused, "");
    fwd_sounding_free_stations(s, 3);
    /* a station name longer than a key (255 bytes): refused, not cut to one station's
     * (names_never_cut_in_silence) */
    {
        char text[2048], name[301];

        memset(name, 'S', 300);
        name[300] = '\0';
        snprintf(text, sizeof text, "station,a,rho\n%s,1,10\n%s,2,20\n%s,4,30\n", name, name, name);
        expect_error("longname.csv", text, FWD_WENNER,
                     ":2: station: expected a station name of at most 127 bytes, got 300");
    }
    /* a file of one station is a list of one; an EDI file too */
    s = read_survey("one.csv", "ab2,rho\n1,100\n2,90\n4,80\n", FWD_SCHLUMBERGER, 1);
    cr_expect_str_eq(s[0]->name, "one.csv");
    cr_expect(isinf(fwd_sounding_next_mn2(s[0], 0)), "no MN/2: no segment");
    fwd_sounding_free_stations(s, 1);
    cr_assert_eq(
        fwd_sounding_read_stations(EX "penola_site3.edi", FWD_MT, FWD_COMP_DET, NULL, &s, &n, &err),
        FWD_OK, "%s", err.msg);
    cr_expect_eq(n, 1);
    fwd_sounding_free_stations(s, n);
    fwd_sounding_free_stations(NULL, 0);
    /* errors: nothing returned, the message names the station, the line and the cell */
    expect_error("widebad.csv", "a,S1,S2\n1,100,50\n2,x,60\n4,80,70\n", FWD_WENNER,
                 ":3: S1: expected rho_a (ohm-m), a finite number > 0, or no reading (empty, -, "
                 "NA), got \"x\"");
    expect_error("widedup.csv", "a,S1,S1\n1,100,50\n2,90,60\n4,80,70\n", FWD_WENNER,
                 ":1: header: \"S1\": expected one rho_a column per station (a wide table), got "
                 "that station twice");
    expect_error("wideshort.csv", "a,S1,S2\n1,100,50\n2,90,\n4,80,\n", FWD_WENNER,
                 ":2: station \"S2\": expected at least 3 points, got 1");
    expect_error("widedup_pt.csv", "ab2,S1,S2\n1,100,50\n2,90,60\n2,150,70\n4,1,1\n",
                 FWD_SCHLUMBERGER, ":4: ab2_m: 2 is given twice (also on line 3): a typo?");
    expect_error("widedup_pt.csv", "ab2,S1,S2\n1,100,50\n2,90,60\n2,150,70\n4,1,1\n",
                 FWD_SCHLUMBERGER, "is averaged) (station \"S1\")");
    /* spaces cannot leave a cell empty: a short row is an error, never a shifted reading */
    expect_error("spacewide.txt", "a S1 S2 S3\n1 100 50 20\n2 90 60\n4 80 70 30\n", FWD_WENNER,
                 ":3: expected 4 fields (a wide table separated by spaces writes a missing "
                 "reading - or NA), got 3");
    /* a station cell left blank (filled on a block's first row only) is named */
    expect_error("blank.csv", "station,a,rho\nA,1,10\n,2,20\nA,4,30\n", FWD_WENNER,
                 ":3: station: expected the station of every reading, got an empty cell (after "
                 "\"A\"; fill in each row's station)");
    expect_error("blankfirst.csv", "station,a,rho\n,1,10\nB,2,20\nB,4,30\n", FWD_WENNER,
                 ":3: station: expected the station of every reading, got \"B\" after empty "
                 "cells (line 2)");
    /* MT has no wide layout: two unknown columns are a header without phases */
    expect_error("mtwide.csv", "period_s,S1,S2\n1,100,50\n2,90,60\n4,80,70\n", FWD_MT,
                 "without rho_a_ohmm, phase_deg");
    /* a Wenner station whose places disagree: one station, one place */
    expect_error("twoplaces.csv", "station,x,a,rho\nA,0,1,10\nA,0,2,20\nA,5,4,30\n", FWD_WENNER,
                 ":4: x: expected the station's one position, 0 as on line 2, got 5");
    cr_expect_eq(
        fwd_sounding_read_stations("/nonexistent/survey.csv", FWD_WENNER, 0, NULL, &s, &n, NULL),
        FWD_EIO);
    cr_expect(s == NULL && n == 0);
}

/* Readings at distinct doubles whose log10 are one (a relative 1e-16 apart) are one point:
 * refused as one given twice, as the net's interpolation in log x (GSL's, whose default
 * error handler aborts) takes no two points at one x. 1e-9 apart they are two points. */
Test(fwd_sounding, near_duplicate_points)
{
    double x[4] = {1, 10, 0, 100}, rho[4] = {100, 90, 80, 70}, mn2[4] = {0.5, 0.5, 1, 0.5};
    fwd_sounding *s;
    fwd_error err;

    x[2] = nextafter(10, 20);
    cr_assert_neq(x[2], 10.0);
    cr_assert_eq(log10(x[2]), log10(10.0));
    s = fwd_sounding_from_arrays("nd", FWD_SCHLUMBERGER, 4, x, NULL, rho, NULL, NULL, NULL, &err);
    cr_assert_null(s);
    cr_expect_eq(err.code, FWD_EINVAL);
    cr_expect_str_eq(err.field, "ab2_m");
    cr_expect(strstr(err.msg, "is given twice (also at [1])") != NULL, "%s", err.msg);
    /* with another MN/2 they are two readings of one AB/2 (segments) */
    s = fwd_sounding_from_arrays("nd", FWD_SCHLUMBERGER, 4, x, mn2, rho, NULL, NULL, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    fwd_sounding_free(s);
    x[2] = 10 * (1 + 1e-9);
    s = fwd_sounding_from_arrays("nd", FWD_SCHLUMBERGER, 4, x, NULL, rho, NULL, NULL, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    fwd_sounding_free(s);
}

/* A station name (a station column's value, a wide table's header, an EDI DATAID) of at
 * most FWD_SOUNDING_NAME_MAX - 1 bytes is read whole, a longer one refused by line (it was
 * cut short in silence: two stations alike in their first 127 bytes had one name); a file
 * name too long to be a name is cut at a character, and the note says so. */
Test(fwd_sounding, names_never_cut_in_silence)
{
    char ok[FWD_SOUNDING_NAME_MAX], over[FWD_SOUNDING_NAME_MAX + 1], text[1024], p[512];
    fwd_sounding **s, *one;
    fwd_error err;

    memset(ok, 'S', sizeof ok - 1), ok[sizeof ok - 1] = '\0';
    memset(over, 'S', sizeof over - 1), over[sizeof over - 1] = '\0';
    /* long layout: 127 bytes read whole, and apart from a station one byte shorter */
    snprintf(text, sizeof text,
             "station,ab2_m,rho_a_ohmm\n%s,1,10\n%s,2,10\n%s,5,10\n%.126s,1,10\n"
             "%.126s,2,10\n%.126s,5,10\n",
             ok, ok, ok, ok, ok, ok);
    s = read_survey("long127.csv", text, FWD_SCHLUMBERGER, 2);
    cr_expect_str_eq(s[0]->name, ok);
    cr_expect_eq(strlen(s[1]->name), 126);
    fwd_sounding_free_stations(s, 2);
    snprintf(text, sizeof text, "station,ab2_m,rho_a_ohmm\nA,1,10\n%s,1,10\n", over);
    expect_error("long128.csv", text, FWD_SCHLUMBERGER,
                 ":3: station: expected a station name of at most 127 bytes, got 128");
    /* the message quotes its first bytes whole characters ("a", then e-acute: byte 24 is
     * the second of one) */
    {
        char utf[2 * 70 + 2] = "a", quote[64] = "\"a";
        int k;

        for (k = 0; k < 70; k++)
            strcat(utf, "\xc3\xa9");
        for (k = 0; k < 11; k++)
            strcat(quote, "\xc3\xa9");
        strcat(quote, "...\")");
        snprintf(text, sizeof text, "station,ab2_m,rho_a_ohmm\n%s,1,10\n", utf);
        expect_error("utf.csv", text, FWD_SCHLUMBERGER, quote);
    }
    /* wide layout */
    snprintf(text, sizeof text, "ab2_m,A,%s\n1,10,10\n2,10,10\n5,10,10\n", over);
    expect_error(
        "wide128.csv", text, FWD_SCHLUMBERGER,
        ":1: header: expected a station name of at most 127 bytes (a wide table), got 128");
    snprintf(text, sizeof text, "ab2_m,A,%s\n1,10,10\n2,10,10\n5,10,10\n", ok);
    s = read_survey("wide127.csv", text, FWD_SCHLUMBERGER, 2);
    cr_expect_str_eq(s[1]->name, ok);
    fwd_sounding_free_stations(s, 2);
    /* EDI */
    snprintf(text, sizeof text,
             ">HEAD\n DATAID=\"%s\"\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 10 10 10\n"
             ">ZXYI // 3\n 10 10 10\n>ZYXR // 3\n -10 -10 -10\n>ZYXI // 3\n -10 -10 -10\n>END\n",
             over);
    expect_error("long.edi", text, FWD_MT,
                 ":2: DATAID: expected a name of at most 127 bytes, got 128");
    /* a file name: cut at the start of a character (e-acute at bytes 126 and 127) */
    memset(text, 'F', 126);
    snprintf(text + 126, sizeof text - 126, "\xc3\xa9xyz.csv");
    one =
        fwd_sounding_read(tst_write(dir, text, "ab2_m,rho_a_ohmm\n1,10\n2,10\n5,10\n", p, sizeof p),
                          FWD_SCHLUMBERGER, FWD_COMP_DET, &err);
    cr_assert_not_null(one, "%s", err.msg);
    cr_expect_eq(strlen(one->name), 126);
    cr_expect(strspn(one->name, "F") == 126);
    cr_expect(strstr(one->note, "its name the file name's first 126 of 135 bytes") != NULL, "%s",
              one->note);
    fwd_sounding_free(one);
    /* the stations of a table of that name are named by their column: no such note */
    {
        fwd_sounding **st;
        size_t n, k;

        cr_assert_eq(fwd_sounding_read_stations(tst_write(dir, text,
                                                          "station,ab2_m,rho_a_ohmm\nA,1,10\nA,2,"
                                                          "10\nA,5,10\nB,1,10\nB,2,10\nB,5,10\n",
                                                          p, sizeof p),
                                                FWD_SCHLUMBERGER, FWD_COMP_DET, NULL, &st, &n,
                                                &err),
                     FWD_OK, "%s", err.msg);
        cr_assert_eq(n, 2);
        for (k = 0; k < n; k++)
            cr_expect(strstr(st[k]->note, "file name") == NULL, "%s: %s", st[k]->name, st[k]->note);
        cr_expect_str_eq(st[1]->name, "B");
        fwd_sounding_free_stations(st, n);
    }
    /* a path over 1023 bytes: its source cut at a character (e-acute at bytes 1022 and
     * 1023), with a note; the name, short, whole */
    {
        char path[1200], seg[201];
        size_t len;

        memset(seg, 'D', 200), seg[200] = '\0';
        snprintf(path, sizeof path, "%s", dir);
        while (strlen(path) + 1 + 200 < 1000) {
            strcat(path, "/"), strcat(path, seg);
            cr_assert(mkdir(path, 0700) == 0 || errno == EEXIST, "%s", strerror(errno));
        }
        len = strlen(path); /* a last directory to put the e-acute there: 10 + 10 bytes named */
        path[len] = '/';
        memset(path + len + 1, 'E', 1010 - len), path[1011] = '\0';
        cr_assert(mkdir(path, 0700) == 0 || errno == EEXIST, "%s", strerror(errno));
        strcat(path, "/ffffffffff\xc3\xa9.csv");
        {
            FILE *f = fopen(path, "w");

            cr_assert_not_null(f, "%s", strerror(errno));
            fputs("ab2_m,rho_a_ohmm\n1,10\n2,10\n5,10\n", f);
            fclose(f);
        }
        one = fwd_sounding_read(path, FWD_SCHLUMBERGER, FWD_COMP_DET, &err);
        cr_assert_not_null(one, "%s", err.msg);
        cr_expect_eq(strlen(one->source), 1022);
        cr_expect(strncmp(one->source, path, 1022) == 0);
        cr_expect_str_eq(one->name, strrchr(path, '/') + 1);
        cr_expect(strstr(one->note, "its source the path's first 1022 of 1028 bytes") != NULL, "%s",
                  one->note);
        fwd_sounding_free(one);
        /* named by their station column, the stations keep that note */
        {
            FILE *f = fopen(path, "w");
            fwd_sounding **st;
            size_t n, k;

            cr_assert_not_null(f, "%s", strerror(errno));
            fputs("station,ab2_m,rho_a_ohmm\nA,1,10\nA,2,10\nA,5,10\nB,1,10\nB,2,10\nB,5,10\n", f);
            fclose(f);
            cr_assert_eq(fwd_sounding_read_stations(path, FWD_SCHLUMBERGER, FWD_COMP_DET, NULL, &st,
                                                    &n, &err),
                         FWD_OK, "%s", err.msg);
            cr_assert_eq(n, 2);
            for (k = 0; k < n; k++)
                cr_expect(strstr(st[k]->note, "its source the path's first 1022 of 1028 bytes") !=
                              NULL,
                          "%s: %s", st[k]->name, st[k]->note);
            fwd_sounding_free_stations(st, n);
        }
    }
    /* arrays */
    {
        const double x[] = {1, 2, 5}, r[] = {10, 10, 10};

        cr_expect_null(fwd_sounding_from_arrays(over, FWD_SCHLUMBERGER, 3, x, NULL, r, NULL, NULL,
                                                NULL, &err));
        cr_expect_str_eq(err.field, "name");
        cr_expect(strstr(err.msg, "name: expected at most 127 bytes, got 128") != NULL, "%s",
                  err.msg);
        one = fwd_sounding_from_arrays(ok, FWD_SCHLUMBERGER, 3, x, NULL, r, NULL, NULL, NULL, &err);
        cr_assert_not_null(one, "%s", err.msg);
        cr_expect_str_eq(one->name, ok);
        fwd_sounding_free(one);
    }
}

/* A binary file's bytes quoted in a message are made printable (they reached the terminal and
 * the CSV's error column as they were): control bytes and bytes of no valid UTF-8 become '?';
 * a header's valid UTF-8 is quoted as it is. */
Test(fwd_sounding, quoted_bytes_are_printable)
{
    char p[128];
    fwd_error err;
    fwd_sounding *s;
    const unsigned char *c;

    memset(&err, 0, sizeof err);
    s = fwd_sounding_read(
        tst_write(dir, "junk.csv", "I\x01\x1b[2J\xff\xfe\x7fRj,\xc3(x\n1,2\n", p, sizeof p),
        FWD_SCHLUMBERGER, FWD_COMP_DET, &err);
    cr_assert_null(s);
    cr_expect(strstr(err.msg, "got \"I??[2J???Rj, ?(x\"") != NULL, "%s", err.msg);
    for (c = (const unsigned char *)err.msg; *c != '\0'; c++)
        cr_assert(*c >= 0x20 && *c != 0x7f && *c < 0x80, "byte 0x%02x in %s", *c, err.msg);
    s = fwd_sounding_read(
        tst_write(dir, "utf8.csv", "Profundidad \xce\xa9,Resistividad\n1,2\n", p, sizeof p),
        FWD_SCHLUMBERGER, FWD_COMP_DET, &err);
    cr_assert_null(s);
    cr_expect(strstr(err.msg, "got \"Profundidad \xce\xa9, Resistividad\"") != NULL, "%s", err.msg);
    /* text appended after the message is made printable too (a station's name) */
    fwd_error_set(&err, FWD_EFORMAT, "f.csv:3: bad");
    cr_assert_eq(fwd_error_append(&err, " (station \"%s\")", "A\001\377\xce\xa9"), FWD_EFORMAT);
    cr_expect_str_eq(err.msg, "f.csv:3: bad (station \"A??\xce\xa9\")");
}

/* Rows of no reading beside what the reader checks (a review's cases, 2026-12-07): a
 * spreadsheet's total or mean row counts their spacings and is still refused; a comment
 * after a field ("4,-,# cable broke", "4,NA # cable") leaves the row a spacing not read,
 * while a '#' that cuts a field ("4#x,80") is the row's error, as is an error given beside an
 * empty reading ("2,,95": shifted); a repeat on the next reading is
 * merged across one; a station of no-reading rows alone names its first; units in ohm-ft (Ωft). */
Test(fwd_sounding, no_reading_rows_and_the_checks)
{
    static const char head[] = "ab2_m,rho_a_ohmm\n1,100\n1.5,95\n2,90\n3,80\n4,-\n6,60\n8,50\n"
                               "12,45\n16,44\n24,48\n32,55\n";
    char text[512], p[128];
    fwd_sounding *s, **st;
    fwd_error *se = NULL, err;
    size_t n;
    static const char *const comment[] = {"4,-,# cable broke", "4,NA # cable", "4,,# not read",
                                          "4 , - # x"};

    snprintf(text, sizeof text, "%s109.5,667\n", head); /* SUM(AB/2) counts the "-" row */
    expect_error(
        "tot.csv", text, FWD_SCHLUMBERGER,
        ":13: ab2_m 109.5 and rho_a 667: expected a reading, got the sums of the 10 above");
    snprintf(text, sizeof text, "%s9.954545,66.7\n", head); /* AVERAGE: 11 spacings, 10 rho */
    expect_error("mean.csv", text, FWD_SCHLUMBERGER, "got the means of the 10 above");
    for (n = 0; n < sizeof comment / sizeof comment[0]; n++) {
        snprintf(text, sizeof text, "ab2_m,rho_a_ohmm\n1,100\n2,90\n%s\n8,70\n16,60\n", comment[n]);
        s = read_text("hash.csv", text, FWD_SCHLUMBERGER);
        cr_expect(s->n == 4 && s->x[2] == 8, "%s: %zu points", comment[n], s->n);
        cr_expect(strstr(s->note, "no reading in 1 row (rho_a_ohmm empty, or -, NA; line 4)") !=
                      NULL,
                  "%s: %s", comment[n], s->note);
        fwd_sounding_free(s);
    }
    expect_error("cut.csv", "ab2_m,rho_a_ohmm\n1,100\n2,90\n4#x,80\n8,70\n", FWD_SCHLUMBERGER,
                 ":4: rho_a_ohmm: expected a value, got none (the row has 1 of the header's 2 "
                 "fields) (a '#' starts a comment");
    /* 90 and 92 at 4 m, a failed reading between: one point, their geometric mean */
    s = read_text("rep.csv",
                  "ab2_m,mn2_m,rho_a_ohmm\n1,0.2,100\n2,0.2,95\n4,0.2,90\n4,0.2,-\n4,0.2,92\n"
                  "8,0.2,70\n16,0.2,60\n",
                  FWD_SCHLUMBERGER);
    cr_expect_eq(s->n, 5);
    cr_expect(fabs(s->rho_a[2] - sqrt(90.0 * 92)) < 1e-9, "%.17g", s->rho_a[2]);
    fwd_sounding_free(s);
    put("none.csv", "station,ab2_m,rho_a_ohmm\nA,1,100\nA,2,90\nA,4,80\nC,1,-\nC,2,\nC,4,NA\n", p);
    cr_assert_eq(fwd_sounding_read_survey(p, FWD_SCHLUMBERGER, 0, NULL, &st, &se, &n, &err), FWD_OK,
                 "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect(strstr(se[1].msg, "none.csv:5: station \"C\": expected at least 3 points, got none "
                                "(3 rows with no reading left out: rho_a_ohmm empty, or -, NA; "
                                "line 5, the first)") != NULL,
              "%s", se[1].msg);
    fwd_sounding_free_stations(st, n);
    free(se);
    s = read_text("ft.csv",
                  "ab2_m,rho_a (\xce\xa9\xc2\xb7"
                  "ft)\n1,100\n2,90\n4,80\n",
                  FWD_SCHLUMBERGER);
    cr_expect(fabs(s->rho_a[0] - 30.48) < 1e-9, "%g", s->rho_a[0]);
    fwd_sounding_free(s);
    /* an error given beside an empty reading: a row shifted by a cell, the row's error; an
     * MN/2 left empty with the reading is no matter */
    expect_error("shift.csv", "ab2_m,rho_a_ohmm,err_pct\n1,100,3\n2,,95\n4,80,3\n8,70,3\n",
                 FWD_SCHLUMBERGER,
                 ":3: rho_a_ohmm: expected a value, got an empty cell (an error given beside it: "
                 "a row shifted by a cell?");
    s = read_text("dd.csv", "ab2_m,rho_a_ohmm\n1,100\n2,--\n4,80\n8,70\n", FWD_SCHLUMBERGER);
    cr_expect_eq(s->n, 3); /* "--" no reading too */
    fwd_sounding_free(s);
    s = read_text("cm.csv", "ab2_m,rho_a (ohm-cm)\n1,10000\n2,9000\n4,8000\n", FWD_SCHLUMBERGER);
    cr_expect(fabs(s->rho_a[0] - 100) < 1e-9, "%g", s->rho_a[0]);
    fwd_sounding_free(s);
    s = read_text("mn0.csv", "ab2_m,mn2_m,rho_a_ohmm\n1,,\n2,0.2,95\n4,0.2,80\n8,0.2,70\n",
                  FWD_SCHLUMBERGER);
    cr_expect(s->n == 3 && s->x[0] == 2, "%zu", s->n);
    fwd_sounding_free(s);
    /* a survey's total row, its station "Total": that station's error says what it may be */
    put("totst.csv", "station,ab2_m,rho_a_ohmm\nA,1,100\nA,2,90\nA,4,80\nTotal,7,270\n", p);
    cr_assert_eq(fwd_sounding_read_survey(p, FWD_SCHLUMBERGER, 0, NULL, &st, &se, &n, &err), FWD_OK,
                 "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_expect(se[0].code == FWD_OK && strstr(se[1].msg, "totst.csv:5: station \"Total\": expected "
                                                        "at least 3 points, got 1 (a spreadsheet's "
                                                        "total or mean row?") != NULL,
              "%s", se[1].msg);
    fwd_sounding_free_stations(st, n);
    free(se);
    se = NULL;
    expect_error("spm.csv", "Spacing (m),Resistivity\n1,100\n2,90\n4,80\n", FWD_SCHLUMBERGER,
                 "; if \"Spacing (m)\" is ab2_m, say so: --columns 'ab2_m=Spacing (m)'");
}
