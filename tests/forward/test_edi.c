/* SPDX-License-Identifier: MIT */
/*
 * test_edi.c - the EDI reader's values that are no reading (a variance of 0, a negative EMPTY,
 * NaN, an impedance of 0), the frequencies it skips, and the messages of files cut short or
 * that are no EDI files. Hand-written files with known impedances, as in test_sounding.c.
 */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "tests/common.h"
#include "tests/forward/tst_read.h"

#include "forward/fwd_method.h"
#include "forward/readers/fwd_sounding.h"

static char dir[64];

static void
setup(void)
{
    tst_mkdtemp(dir, sizeof dir, "edi");
}

static void
teardown(void)
{
    tst_rmtree(dir);
}

TestSuite(fwd_edi, .init = setup, .fini = teardown);

/* The EDI file text, written to dir/name, read with component comp: the sounding, or NULL
 * with *err set. */
static fwd_sounding *
read_edi(const char *name, const char *text, fwd_component comp, fwd_error *err)
{
    char path[128];

    tst_write(dir, name, text, path, sizeof path);
    memset(err, 0, sizeof *err);
    return fwd_sounding_read(path, FWD_MT, comp, err);
}

/* As read_edi, for a file that must be refused by a message holding fragment and naming
 * the file. */
static void
expect_refused(const char *name, const char *text, fwd_component comp, const char *fragment)
{
    tst_expect_refused(dir, name, text, FWD_MT, comp, fragment);
}

/* Four frequencies, Zxy = 10 + 10i and Zyx = -10 - 10i at each; var the ZXY.VAR line. */
static void
z_file(char *buf, size_t cap, const char *var)
{
    snprintf(buf, cap,
             ">HEAD\n DATAID=V\n>FREQ // 4\n 1 2 4 8\n>ZXYR // 4\n 10 10 10 10\n"
             ">ZXYI // 4\n 10 10 10 10\n>ZYXR // 4\n -10 -10 -10 -10\n"
             ">ZYXI // 4\n -10 -10 -10 -10\n>ZXY.VAR // 4\n %s\n>ZYX.VAR // 4\n 2 2 2 2\n>END\n",
             var);
}

/* One variance of 0 (not estimated) took every error of the station away in silence, and
 * chi-square with them: now that point is given the largest error of the others, and the
 * note names its frequency. With no variance other than 0, the sounding has no errors, and
 * the note says so. */
Test(fwd_edi, a_variance_of_0_keeps_the_others_errors)
{
    char text[512];
    fwd_error err;
    fwd_sounding *s;
    size_t i;
    int c;

    /* 2 Hz: 0; the largest of the others, VAR 8 at 8 Hz (|Z|^2 = 200: e = 0.2) */
    z_file(text, sizeof text, "2 0 0.5 8");
    for (c = 0; c < 3; c++) {
        s = read_edi("var0.edi", text, (fwd_component)c, &err);
        cr_assert_not_null(s, "%s", err.msg);
        cr_assert_eq(s->n, 4);
        if (c == FWD_COMP_YX) { /* ZXY.VAR is not yx's */
            cr_expect_not_null(s->sd_log10);
            cr_expect_str_eq(s->note, "");
            fwd_sounding_free(s);
            continue;
        }
        cr_assert_not_null(s->sd_log10, "component %d: errors dropped", c);
        cr_assert_not_null(s->sd_phase);
        /* by period: 8 Hz first; 2 Hz is point 2 */
        for (i = 0; i < 4; i++)
            cr_expect(s->sd_log10[i] > 0 && s->sd_phase[i] > 0, "%d %zu", c, i);
        cr_expect_eq(s->sd_log10[2], s->sd_log10[0], "%d: %g %g", c, s->sd_log10[2],
                     s->sd_log10[0]);
        cr_expect_eq(s->sd_phase[2], s->sd_phase[0]);
        if (c == FWD_COMP_XY) {
            cr_expect_float_eq(s->sd_log10[2], 0.4 / log(10.0), 1e-12);
            cr_expect_str_eq(s->note,
                             "1 frequency without an error (a variance of 0), given the largest "
                             "of the others' (0.174 decades of rho_a, 11.5 degrees): 2 Hz");
        } else {
            cr_expect(strstr(s->note, "1 frequency without an error (a variance of 0)") != NULL &&
                          strstr(s->note, "): 2 Hz") != NULL,
                      "%s", s->note);
        }
        fwd_sounding_free(s);
    }
    /* every one 0: no errors, said */
    z_file(text, sizeof text, "0 0 0 0");
    s = read_edi("allvar0.edi", text, FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_null(s->sd_log10);
    cr_expect_null(s->sd_phase);
    cr_expect_str_eq(s->note, "no errors: a variance of 0 at every frequency");
    fwd_sounding_free(s);
    /* apparent resistivity files: a phase error of 0 where the rho_a error is measured is
     * taken from it (rho_a 10 % off: e 0.05, asin e degrees; until 2026-12-06 the largest
     * phase error of the others, whatever the point's own rho_a error said); both 0: the
     * largest of the others' */
    s = read_edi("err0.edi",
                 ">HEAD\n>FREQ // 4\n 1 2 4 8\n>RHOXY // 4\n 10 20 40 80\n"
                 ">PHSXY // 4\n 45 50 55 60\n>RHOXY.ERR // 4\n 1 2 4 0\n"
                 ">PHSXY.ERR // 4\n 2.385 0 1.5 0\n>END\n",
                 FWD_COMP_XY, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_not_null(s->sd_phase);
    /* by period: 8 Hz, 4 Hz, 2 Hz, 1 Hz */
    cr_expect_float_eq(s->sd_phase[2], asin(0.05) * 180 / FWD_PI, 1e-9, "%g", s->sd_phase[2]);
    cr_expect_float_eq(s->sd_log10[2], 0.1 / log(10.0), 1e-12);
    cr_expect(s->sd_phase[0] == 2.385 && s->sd_log10[0] == s->sd_log10[1], "%g", s->sd_phase[0]);
    cr_expect(strstr(s->note,
                     "1 frequency with an .ERR value of one kind not > 0, taken from the "
                     "other (one impedance error e: 2 e / ln 10 decades, asin e): 2 Hz") != NULL &&
                  strstr(s->note, "1 frequency without an error (an .ERR value not > 0), given "
                                  "the largest of the others'") != NULL &&
                  strstr(s->note, "): 8 Hz") != NULL,
              "%s", s->note);
    fwd_sounding_free(s);
    /* errors of one kind not > 0 anywhere: each point's from its other error, as one
     * impedance error gives both (e = 0.05: sd log10 rho_a 2 e / ln 10, sd phase asin e);
     * the measured ones were dropped with the others ("no errors: ...") */
    for (c = 0; c < 2; c++) {
        char t2[512];
        double e = 0.05, sl = 2 * e / log(10.0), sp = asin(e) * 180 / FWD_PI;

        snprintf(t2, sizeof t2,
                 ">HEAD\n>FREQ // 3\n 1 2 4\n>RHOXY // 3\n 10 20 40\n>PHSXY // 3\n 45 50 55\n"
                 ">RHOXY.ERR // 3\n %s\n>PHSXY.ERR // 3\n %s\n>END\n",
                 c == 0 ? "1 2 4" : "0 0 0", c == 0 ? "0 0 0" : "2.8660 2.8660 2.8660");
        s = read_edi("onekind.edi", t2, FWD_COMP_XY, &err);
        cr_assert_not_null(s, "%s", err.msg);
        cr_assert_not_null(s->sd_log10, "%d: errors dropped (%s)", c, s->note);
        for (i = 0; i < 3; i++) {
            cr_expect_float_eq(s->sd_log10[i], sl, 1e-4, "%d %zu: %g", c, i, s->sd_log10[i]);
            cr_expect_float_eq(s->sd_phase[i], sp, 1e-3, "%d %zu: %g", c, i, s->sd_phase[i]);
        }
        cr_expect(strstr(s->note, c == 0 ? "no phase errors (no .ERR value > 0): each from its "
                                           "rho_a error"
                                         : "no rho_a errors (no .ERR value > 0): each from its "
                                           "phase error") != NULL,
                  "%s", s->note);
        fwd_sounding_free(s);
    }
}

/* A negative EMPTY (-999) was ignored, its values inverted as data: now any EMPTY other than
 * 0 is the file's marker. A negative one marks the values equal to it only (-1500 may be an
 * impedance), and so does a positive one below 1e30 (999: a reading of 1500 was blanked as
 * beyond 0.99 of it); values of 1.0E32 are missing whatever the marker. An EMPTY that is no
 * number other than 0 is not used, and the note says so. */
Test(fwd_edi, a_negative_empty_is_the_marker)
{
    static const char text[] =
        ">HEAD\n DATAID=N\n EMPTY=-999.0\n>FREQ // 7\n 1 2 4 8 16 32 64\n"
        ">ZXYR // 7\n 10 -999 10 1e32 1500 10 10\n>ZXYI // 7\n 10 10 10 10 1500 10 10\n"
        ">ZYXR // 7\n -10 -10 -9.99E+02 -10 -1500 -10 -10\n"
        ">ZYXI // 7\n -10 -10 -10 -10 -1500 -10 -10\n"
        ">ZXY.VAR // 7\n 1 1 1 1 1 1 1\n>ZYX.VAR // 7\n 1 1 1 1 1 1 -999\n>END\n";
    fwd_error err;
    fwd_sounding *s;
    int c;

    for (c = 0; c < 3; c++) {
        s = read_edi("neg.edi", text, (fwd_component)c, &err);
        cr_assert_not_null(s, "%s", err.msg);
        /* 2 Hz (ZXYR), 4 Hz (ZYXR) and 64 Hz (ZYX.VAR) -999; 8 Hz 1e32 */
        cr_assert_eq(s->n, 3, "component %d: %zu points", c, s->n);
        cr_expect(s->x[0] == 1.0 / 32 && s->x[1] == 1.0 / 16 && s->x[2] == 1, "component %d", c);
        /* 16 Hz: |Z|^2 = 4.5e6, rho_a = 0.2 T |Z|^2 */
        cr_expect_float_eq(s->rho_a[1], 0.2 / 16 * 4.5e6, 1e-9);
        cr_expect(strstr(s->note, "4 of 7 frequencies skipped, a value missing: ZXYR EMPTY at 2 "
                                  "Hz, ZYXR EMPTY at 4 Hz, ZXYR EMPTY at 8 Hz, ZYX.VAR EMPTY at "
                                  "64 Hz") != NULL,
                  "%s", s->note);
        fwd_sounding_free(s);
    }
    /* the same file of 999 for -999 (and 999 for -9.99E+02, 1500 for -1500) */
    {
        char pos[sizeof text];
        size_t i, j = 0;

        for (i = 0; text[i] != '\0'; i++) /* every minus sign dropped */
            if (text[i] != '-')
                pos[j++] = text[i];
        pos[j] = '\0';
        s = read_edi("pos.edi", pos, FWD_COMP_XY, &err);
        cr_assert_not_null(s, "%s", err.msg);
        cr_assert_eq(s->n, 3, "%zu points: %s", s->n, s->note);
        cr_expect_float_eq(s->rho_a[1], 0.2 / 16 * 4.5e6, 1e-9, "16 Hz's 1500 read");
        cr_expect(strstr(s->note, "4 of 7 frequencies skipped, a value missing: ZXYR EMPTY at 2 "
                                  "Hz, ZYXR EMPTY at 4 Hz, ZXYR EMPTY at 8 Hz, ZYX.VAR EMPTY at "
                                  "64 Hz") != NULL,
                  "%s", s->note);
        fwd_sounding_free(s);
    }
    /* EMPTY=0 would make every 0 a missing value (a diagonal of 0): not used, said */
    s = read_edi("empty0.edi",
                 ">HEAD\n EMPTY=0\n>FREQ // 3\n 1 2 4\n>ZXXR // 3\n 0 0 0\n>ZXXI // 3\n 0 0 0\n"
                 ">ZXYR // 3\n 10 10 10\n>ZXYI // 3\n 10 10 10\n>ZYXR // 3\n -10 -10 -10\n"
                 ">ZYXI // 3\n -10 -10 -10\n>ZYYR // 3\n 0 0 0\n>ZYYI // 3\n 0 0 0\n>END\n",
                 FWD_COMP_DET, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_expect_eq(s->n, 3);
    cr_expect_str_eq(s->note, "EMPTY=0 (line 2) not used, expected a number other than 0: 1.0E32 "
                              "used");
    fwd_sounding_free(s);
}

/* NaN, as mtpy writes for a value missing ("nan", "NaN", "+NAN"), failed the whole station
 * wherever it was ("TXR.EXP: expected a number, got \"nan\""). The blocks bpinv does not read
 * (tippers) are not parsed at all; in a block it reads a NaN is a value missing, as EMPTY
 * is: its frequency skipped, said in the note. A NaN frequency is still an error: which
 * frequency would the values be of? */
Test(fwd_edi, nan_is_a_value_missing)
{
    static const char tip[] = ">TXR.EXP // 6\n nan nan 1 NaN n/a\n>TXI.EXP // 6\n +NAN 1 1 1 1\n"
                              ">TXR.EXP // 6\n 1 2 3 4 5\n>TXVAR.EXP // 6\n nan\n";
    char text[1024];
    fwd_error err;
    fwd_sounding *s;
    int c;

    snprintf(text, sizeof text,
             ">HEAD\n DATAID=NAN\n>FREQ // 6\n 1 2 4 8 16 0.5\n>ZXYR // 6\n 10 10 nan 10 10 10\n"
             ">ZXYI // 6\n 10 10 10 10 10 10\n>ZYXR // 6\n -10 -10 -10 NaN -10 -10\n"
             ">ZYXI // 6\n -10 -10 -10 -10 -10 -10\n>ZXY.VAR // 6\n 1 1 1 1 +NAN 1\n"
             ">ZYX.VAR // 6\n 1 1 1 1 1 1\n%s>END\n",
             tip);
    /* det uses every value: 4 Hz (ZXYR), 8 Hz (ZYXR) and 16 Hz (ZXY.VAR) skipped; xy and yx
     * skip only the NaN of their own blocks (mtpy writes NaN for a component not measured,
     * which must not empty the other; an EMPTY anywhere skips the frequency, as before) */
    for (c = 0; c < 3; c++) {
        static const char *const note[3] = {
            "3 of 6 frequencies skipped, a value missing: ZXYR NaN at 4 Hz, ZYXR NaN at 8 Hz, "
            "ZXY.VAR NaN at 16 Hz",
            "2 of 6 frequencies skipped, a value missing: ZXYR NaN at 4 Hz, ZXY.VAR NaN at 16 Hz",
            "1 of 6 frequencies skipped, a value missing: ZYXR NaN at 8 Hz"};

        s = read_edi("nan.edi", text, (fwd_component)c, &err);
        cr_assert_not_null(s, "component %d: %s", c, err.msg);
        cr_expect_eq(s->n, c == 0 ? 3 : c == 1 ? 4 : 5, "component %d: %zu points", c, s->n);
        cr_expect_not_null(s->sd_log10);
        cr_expect_str_eq(s->note, note[c]);
        fwd_sounding_free(s);
    }
    expect_refused("nanfreq.edi",
                   ">HEAD\n>FREQ // 3\n 1 nan 4\n>ZXYR // 3\n 10 10 10\n>ZXYI // 3\n 10 10 10\n"
                   ">END\n",
                   FWD_COMP_XY, "nanfreq.edi:3: FREQ: expected a number, got \"nan\"");
    /* inf is no reading's marker: still refused */
    expect_refused("inf.edi",
                   ">HEAD\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 10 inf 10\n>ZXYI // 3\n 10 10 10\n"
                   ">END\n",
                   FWD_COMP_XY, "inf.edi:5: ZXYR: expected a number, got \"inf\"");
}

/* An off-diagonal impedance of 0 + 0i (what some programs write for none) was read as a
 * point by det (a phase of 129.6 degrees from the other component alone) and refused the
 * file for xy: now its frequency is skipped as missing, for every component, and said. A
 * diagonal of 0 is a 1D earth's, and read. */
Test(fwd_edi, an_impedance_of_0_is_missing)
{
    static const char text[] =
        ">HEAD\n>FREQ // 4\n 1 2 4 8\n>ZXXR // 4\n 0 0 0 0\n>ZXXI // 4\n 0 0 0 0\n"
        ">ZXYR // 4\n 10 0 10 10\n>ZXYI // 4\n 10 0 10 10\n"
        ">ZYXR // 4\n -8 -8 -8 -8\n>ZYXI // 4\n -12 -12 -12 -12\n"
        ">ZYYR // 4\n 0 0 0 0\n>ZYYI // 4\n 0 0 0 0\n>END\n";
    fwd_error err;
    fwd_sounding *s;
    size_t i;
    int c;

    /* det and xy use the zero: that frequency skipped */
    for (c = 0; c < 2; c++) {
        s = read_edi("zero.edi", text, (fwd_component)c, &err);
        cr_assert_not_null(s, "component %d: %s", c, err.msg);
        cr_assert_eq(s->n, 3, "component %d: %zu points", c, s->n);
        for (i = 0; i < 3; i++) {
            cr_expect(s->x[i] != 0.5, "component %d: 2 Hz read", c);
            cr_expect(s->phase[i] > 0 && s->phase[i] < 90, "component %d: phase %g", c,
                      s->phase[i]);
        }
        cr_expect_str_eq(s->note, "1 of 4 frequencies skipped, a value missing: ZXY 0 at 2 Hz");
        fwd_sounding_free(s);
    }
    /* yx does not: read whole (a yx not measured, 0 throughout, once emptied xy) */
    s = read_edi("zero.edi", text, FWD_COMP_YX, &err);
    cr_assert_not_null(s, "yx: %s", err.msg);
    cr_expect_eq(s->n, 4);
    cr_expect_str_eq(s->note, "");
    fwd_sounding_free(s);
}

/* When too few frequencies are left, the error says why: "expected at least 3 points, got
 * 0" said nothing of the values missing. */
Test(fwd_edi, every_frequency_skipped_is_said)
{
    expect_refused("allnan.edi",
                   ">HEAD\n EMPTY=-999\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n nan -999 1e32\n"
                   ">ZXYI // 3\n 10 10 10\n>END\n",
                   FWD_COMP_XY,
                   "allnan.edi: expected at least 3 points, got 0: 3 of 3 frequencies skipped, a "
                   "value missing: ZXYR NaN at 1 Hz, ZXYR EMPTY at 2 Hz, ZXYR EMPTY at 4 Hz");
    expect_refused("twoleft.edi",
                   ">HEAD\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 10 10 0\n>ZXYI // 3\n 10 10 0\n"
                   ">END\n",
                   FWD_COMP_XY,
                   "twoleft.edi: expected at least 3 points, got 2: 1 of 3 frequencies skipped");
}

/* Messages that blamed the wrong thing: a >FREQ block cut short was reported as an impedance
 * block of too many values; a text file named .edi, and a file cut short inside >HEAD, as one
 * without a >FREQ block. */
Test(fwd_edi, the_message_blames_what_is_wrong)
{
    static const char blocks[] = ">ZXYR // 4\n 10 10 10 10\n>ZXYI // 4\n 10 10 10 10\n"
                                 ">ZYXR // 4\n -10 -10 -10 -10\n>ZYXI // 4\n -10 -10 -10 -10\n"
                                 ">END\n";
    char text[512];

    /* >FREQ and values without >HEAD: read, as it was (only a file of neither is no EDI) */
    {
        fwd_error err;
        fwd_sounding *s;

        snprintf(text, sizeof text, ">FREQ // 4\n 1 2 4 8\n%s", blocks);
        s = read_edi("nohead.edi", text, FWD_COMP_XY, &err);
        cr_expect(s != NULL && s->n == 4, "%s", err.msg);
        fwd_sounding_free(s);
    }
    snprintf(text, sizeof text, ">HEAD\n DATAID=F\n>FREQ // 4\n 1 2\n%s", blocks);
    expect_refused("cutfreq.edi", text, FWD_COMP_DET,
                   "cutfreq.edi:3: FREQ: expected 4 values, as each block of values holds (>ZXYR "
                   "on line 5 ...), got 2: is >FREQ cut short?");
    snprintf(text, sizeof text, ">HEAD\n DATAID=F\n>FREQ // 4\n 1 2 4 8 16\n%s", blocks);
    expect_refused("longfreq.edi", text, FWD_COMP_XY,
                   "longfreq.edi:3: FREQ: expected 4 values, as each block of values holds (>ZXYR "
                   "on line 5 ...), got 5: more frequencies than values?");
    /* one block of another count than the others and >FREQ: that block is named */
    snprintf(text, sizeof text, ">HEAD\n>FREQ // 4\n 1 2 4 8\n>ZXYR // 4\n 10 10 10\n%s",
             blocks + strlen(">ZXYR // 4\n 10 10 10 10\n"));
    expect_refused("cutz.edi", text, FWD_COMP_DET,
                   "cutz.edi:4: ZXYR: expected 4 values (one per frequency), got 3");
    expect_refused("text.edi", "\nperiod_s,rho_a_ohmm,phase_deg\n1,10,45\n2,10,45\n3,10,45\n",
                   FWD_COMP_DET,
                   "text.edi:2: expected an EDI file, its first line >HEAD, got "
                   "\"period_s,rho_a_ohmm,phase_deg\" (no block in the file: a text sounding "
                   "named .edi?)");
    expect_refused("cuthead.edi", ">HEAD\n DATAID=\"3\"\n ELEV=45.0\n LAT=-37:25", FWD_COMP_DET,
                   "cuthead.edi:4: expected >FREQ and the blocks of values, then >END, got the "
                   "end of the file in block >HEAD: is the file cut short?");
}

/* ---- Berdichevsky's average ---------------------------------------------------------- */

/* An EDI file of the full tensor z[f][4] (Zxx, Zxy, Zyx, Zyy) at the frequencies f[3] with
 * the variances of Zxy and Zyx, into buf. */
static void
tensor_file(char *buf, size_t cap, const double *f, double complex (*z)[4], const double *var)
{
    static const char *names[4] = {"ZXX", "ZXY", "ZYX", "ZYY"};
    size_t k, i, n;

    n = (size_t)snprintf(buf, cap, ">HEAD\n DATAID=B\n>FREQ // 3\n %.17g %.17g %.17g\n", f[0], f[1],
                         f[2]);
    for (k = 0; k < 8; k++) {
        n += (size_t)snprintf(buf + n, cap - n, ">%s%c // 3\n", names[k / 2], k % 2 ? 'I' : 'R');
        for (i = 0; i < 3; i++)
            n += (size_t)snprintf(buf + n, cap - n, " %.17g",
                                  k % 2 ? cimag(z[i][k / 2]) : creal(z[i][k / 2]));
        n += (size_t)snprintf(buf + n, cap - n, "\n");
    }
    n += (size_t)snprintf(buf + n, cap - n, ">ZXY.VAR // 3\n %.17g %.17g %.17g\n", var[0], var[1],
                          var[2]);
    snprintf(buf + n, cap - n, ">ZYX.VAR // 3\n %.17g %.17g %.17g\n>END\n", var[3], var[4], var[5]);
}

/* berd is (Zxy - Zyx) / 2 (Berdichevsky and Dmitriev 1976): rho_a = 0.2 T |z|^2, phase arg z,
 * errors from var z = (var Zxy + var Zyx) / 4, checked against those formulas on a 3D-like
 * tensor; it is invariant under a rotation of the axes (Z' = R Z R^T), as det is and xy is
 * not; of a 1D earth (Zyx = -Zxy, no diagonal) it is xy, yx and det. */
Test(fwd_edi, berd_is_the_mean_of_the_off_diagonal_impedances)
{
    static const double f[3] = {0.1, 1, 10}, var[6] = {0.5, 2, 8, 1, 3, 5};
    double complex z[3][4] = {{1 + 2 * I, 40 + 30 * I, -20 - 25 * I, -3 + 1 * I},
                              {2 - 1 * I, 25 + 22 * I, -12 - 9 * I, 1 + 1 * I},
                              {-1 + 3 * I, 11 + 12 * I, -6 - 7 * I, 2 - 2 * I}},
                   zr[3][4], z1[3][4];
    double th = 30 * FWD_PI / 180, c = cos(th), sn = sin(th);
    char text[2048];
    fwd_error err;
    fwd_sounding *s, *r, *d, *dr, *x, *xr;
    size_t i, k, p;

    tensor_file(text, sizeof text, f, z, var);
    s = read_edi("berd.edi", text, FWD_COMP_BERD, &err);
    cr_assert_not_null(s, "%s", err.msg);
    cr_assert_eq(s->n, 3);
    cr_expect_str_eq(s->component, "berd");
    cr_assert_not_null(s->sd_log10);
    for (p = 0; p < 3; p++) { /* by period: 10 Hz first */
        size_t q = 2 - p;
        double complex b = 0.5 * (z[q][1] - z[q][2]);
        double T = 1 / f[q], rel = 0.5 * sqrt(var[q] + var[3 + q]) / cabs(b);

        cr_expect_float_eq(s->x[p], T, 1e-12 * T);
        cr_expect_float_eq(s->rho_a[p], 0.2 * T * cabs(b) * cabs(b), 1e-9 * s->rho_a[p]);
        cr_expect_float_eq(s->phase[p], carg(b) * 180 / FWD_PI, 1e-9);
        cr_expect_float_eq(s->sd_log10[p], 2 * rel / log(10.0), 1e-12);
        cr_expect_float_eq(s->sd_phase[p], asin(rel) * 180 / FWD_PI, 1e-9);
    }
    /* rotated axes: berd and det unchanged, xy changed */
    for (i = 0; i < 3; i++) {
        double complex a = z[i][0], b = z[i][1], cc = z[i][2], e = z[i][3];

        zr[i][0] = c * c * a + c * sn * (b + cc) + sn * sn * e;
        zr[i][1] = c * c * b - c * sn * (a - e) - sn * sn * cc;
        zr[i][2] = c * c * cc - c * sn * (a - e) - sn * sn * b;
        zr[i][3] = c * c * e - c * sn * (b + cc) + sn * sn * a;
    }
    tensor_file(text, sizeof text, f, zr, var);
    r = read_edi("rot.edi", text, FWD_COMP_BERD, &err);
    cr_assert_not_null(r, "%s", err.msg);
    dr = read_edi("rot.edi", text, FWD_COMP_DET, &err);
    xr = read_edi("rot.edi", text, FWD_COMP_XY, &err);
    tensor_file(text, sizeof text, f, z, var);
    d = read_edi("berd.edi", text, FWD_COMP_DET, &err);
    x = read_edi("berd.edi", text, FWD_COMP_XY, &err);
    cr_assert(dr != NULL && xr != NULL && d != NULL && x != NULL);
    for (p = 0; p < 3; p++) {
        cr_expect_float_eq(r->rho_a[p], s->rho_a[p], 1e-9 * s->rho_a[p]);
        cr_expect_float_eq(r->phase[p], s->phase[p], 1e-9);
        cr_expect_float_eq(dr->rho_a[p], d->rho_a[p], 1e-9 * d->rho_a[p]);
        cr_expect(fabs(xr->rho_a[p] / x->rho_a[p] - 1) > 0.01, "xy %g %g", xr->rho_a[p],
                  x->rho_a[p]);
        /* this tensor's det and berd differ: they are two averages */
        cr_expect(fabs(d->rho_a[p] / s->rho_a[p] - 1) > 0.01);
    }
    fwd_sounding_free(r);
    fwd_sounding_free(dr);
    fwd_sounding_free(xr);
    fwd_sounding_free(d);
    fwd_sounding_free(x);
    fwd_sounding_free(s);
    /* 1D: every component the same curve */
    for (i = 0; i < 3; i++) {
        z1[i][0] = z1[i][3] = 0;
        z1[i][1] = z[i][1];
        z1[i][2] = -z[i][1];
    }
    tensor_file(text, sizeof text, f, z1, var);
    x = read_edi("oned.edi", text, FWD_COMP_XY, &err);
    cr_assert_not_null(x, "%s", err.msg);
    for (k = 0; k < 4; k++) {
        s = read_edi("oned.edi", text, (fwd_component)k, &err);
        cr_assert_not_null(s, "%zu: %s", k, err.msg);
        for (p = 0; p < 3; p++) {
            cr_expect_float_eq(s->rho_a[p], x->rho_a[p], 1e-12 * x->rho_a[p], "%zu", k);
            cr_expect_float_eq(s->phase[p], x->phase[p], 1e-12, "%zu", k);
        }
        fwd_sounding_free(s);
    }
    fwd_sounding_free(x);
}

/* A file of apparent resistivities and phases (with errors: rho_a's 2 e, the phase's asin e
 * of each impedance's relative error e): berd is the mean of the impedances they stand for,
 * the same values and errors as from the impedances and their variances themselves (a yx
 * phase in the third quadrant, as written); a rotation is not noted (berd does not depend
 * on it; xy does); a file without the yx blocks is refused for berd. */
Test(fwd_edi, berd_of_apparent_resistivities_and_of_impedances_agree)
{
    static const double f[3] = {0.5, 2, 8}, var[2][3] = {{4, 1, 0.5}, {2, 3, 0.25}};
    static const double complex zxy[3] = {30 + 20 * I, 18 + 15 * I, 9 + 10 * I},
                                zyx[3] = {-15 - 18 * I, -10 - 7 * I, -4 - 6 * I};
    double complex zt[3][4];
    double vt[6];
    char text[4096], zt_text[2048];
    size_t n = 0, k, i, p;
    fwd_error err;
    fwd_sounding *s, *r, *z;

    n = (size_t)snprintf(text, sizeof text,
                         ">HEAD\n DATAID=R\n>FREQ // 3\n 0.5 2 8\n>RHOROT // 3\n 30 30 30\n");
    for (k = 0; k < 2; k++) {
        const double complex *zk = k == 0 ? zxy : zyx;
        const char *c = k ? "YX" : "XY";
        double e[3];

        for (i = 0; i < 3; i++)
            e[i] = sqrt(var[k][i]) / cabs(zk[i]);
        n += (size_t)snprintf(text + n, sizeof text - n, ">RHO%s // 3\n", c);
        for (i = 0; i < 3; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, " %.17g",
                                  0.2 / f[i] * cabs(zk[i]) * cabs(zk[i]));
        n += (size_t)snprintf(text + n, sizeof text - n, "\n>RHO%s.ERR // 3\n", c);
        for (i = 0; i < 3; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, " %.17g",
                                  2 * e[i] * 0.2 / f[i] * cabs(zk[i]) * cabs(zk[i]));
        n += (size_t)snprintf(text + n, sizeof text - n, "\n>PHS%s // 3\n %.17g %.17g %.17g\n", c,
                              carg(zk[0]) * 180 / FWD_PI, carg(zk[1]) * 180 / FWD_PI,
                              carg(zk[2]) * 180 / FWD_PI);
        n += (size_t)snprintf(text + n, sizeof text - n, ">PHS%s.ERR // 3\n %.17g %.17g %.17g\n", c,
                              asin(e[0]) * 180 / FWD_PI, asin(e[1]) * 180 / FWD_PI,
                              asin(e[2]) * 180 / FWD_PI);
    }
    snprintf(text + n, sizeof text - n, ">END\n");
    for (i = 0; i < 3; i++) {
        zt[i][0] = zt[i][3] = 0;
        zt[i][1] = zxy[i];
        zt[i][2] = zyx[i];
        vt[i] = var[0][i];
        vt[3 + i] = var[1][i];
    }
    tensor_file(zt_text, sizeof zt_text, f, zt, vt);
    s = read_edi("rho.edi", text, FWD_COMP_BERD, &err);
    cr_assert_not_null(s, "%s", err.msg);
    z = read_edi("z.edi", zt_text, FWD_COMP_BERD, &err);
    cr_assert_not_null(z, "%s", err.msg);
    cr_expect_str_eq(s->note, "");
    cr_assert(s->sd_log10 != NULL && z->sd_log10 != NULL);
    for (p = 0; p < 3; p++) {
        size_t q = 2 - p;
        double complex b = 0.5 * (zxy[q] - zyx[q]);

        cr_expect_float_eq(s->rho_a[p], 0.2 / f[q] * cabs(b) * cabs(b), 1e-9 * s->rho_a[p]);
        cr_expect_float_eq(s->phase[p], carg(b) * 180 / FWD_PI, 1e-9);
        cr_expect_float_eq(s->rho_a[p], z->rho_a[p], 1e-9 * s->rho_a[p]);
        cr_expect_float_eq(s->sd_log10[p], z->sd_log10[p], 1e-9 * z->sd_log10[p], "%zu: %g %g", p,
                           s->sd_log10[p], z->sd_log10[p]);
        cr_expect_float_eq(s->sd_phase[p], z->sd_phase[p], 1e-9 * z->sd_phase[p], "%zu: %g %g", p,
                           s->sd_phase[p], z->sd_phase[p]);
    }
    fwd_sounding_free(z);
    fwd_sounding_free(s);
    r = read_edi("rho.edi", text, FWD_COMP_XY, &err);
    cr_assert_not_null(r, "%s", err.msg);
    cr_expect(strstr(r->note, "RHOROT 30 degrees: xy is of axes so rotated") != NULL, "%s",
              r->note);
    fwd_sounding_free(r);
    expect_refused("xyonly.edi",
                   ">HEAD\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 10 10 10\n>ZXYI // 3\n 10 10 10\n"
                   ">END\n",
                   FWD_COMP_BERD, "block >ZYXR: expected for component berd, got no such block");
}

/* Files of one off-diagonal component: read with a component that needs both, the message
 * says which component reads them (a file of RHOXY/PHSXY alone was "expected ... (>RHOYX,
 * >PHSYX), got neither", no hint, where the impedances' message had one); a yx written as
 * 0 + 0i throughout (not measured) says so, and names xy, after its list of frequencies. */
Test(fwd_edi, one_component_files_get_the_hint)
{
    static const char rho[] = ">HEAD\n>FREQ // 3\n 1 2 4\n>RHOXY // 3\n 10 10 10\n"
                              ">PHSXY // 3\n 45 45 45\n>END\n";
    static const char zero[] = ">HEAD\n>FREQ // 3\n 1 2 4\n>ZXYR // 3\n 10 10 10\n"
                               ">ZXYI // 3\n 10 10 10\n>ZYXR // 3\n 0 0 0\n>ZYXI // 3\n 0 0 0\n"
                               ">END\n";
    fwd_error err;
    fwd_sounding *s;

    expect_refused("rhoxy.edi", rho, FWD_COMP_DET,
                   "rhoxy.edi: expected impedance blocks (>ZXYR ...) or apparent resistivity "
                   "blocks (>RHOYX, >PHSYX) for component det, got neither; the file has >RHOXY "
                   "and >PHSXY: component xy reads them");
    expect_refused("rhoxy.edi", rho, FWD_COMP_BERD, "for component berd, got neither");
    s = read_edi("rhoxy.edi", rho, FWD_COMP_XY, &err);
    cr_expect(s != NULL && s->n == 3, "%s", err.msg);
    fwd_sounding_free(s);
    expect_refused("yx0.edi", zero, FWD_COMP_DET,
                   "yx0.edi: expected at least 3 points, got 0: 3 of 3 frequencies skipped, a "
                   "value missing: ZYX 0 at 1 Hz, ZYX 0 at 2 Hz, ZYX 0 at 4 Hz; ZYX is 0 at every "
                   "frequency (not measured?): --component xy reads the xy impedance alone");
    s = read_edi("yx0.edi", zero, FWD_COMP_XY, &err);
    cr_expect(s != NULL && s->n == 3 && s->note[0] == '\0', "%s", err.msg);
    fwd_sounding_free(s);
}
