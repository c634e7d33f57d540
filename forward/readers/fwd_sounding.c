/* SPDX-License-Identifier: MIT */
/*
 * fwd_sounding.c - field soundings: the struct, the checks every reader ends with, and
 * fwd_sounding_read, which hands a file to its reader (fwd_read_text.c, fwd_read_edi.c).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "forward/base/fwd_rng.h"
#include "forward/readers/fwd_readers_internal.h"

/* Whether a and b (> 0) are one point: equal in log10 x to FWD_SOUNDING_SAME_DECADES. */
static int
same_x(double a, double b)
{
    return a == b || fabs(log10(a) - log10(b)) <= FWD_SOUNDING_SAME_DECADES;
}

const char *
fwd_component_name(fwd_component c)
{
    return c == FWD_COMP_XY ? "xy" : c == FWD_COMP_YX ? "yx" : c == FWD_COMP_BERD ? "berd" : "det";
}

int
fwd_component_parse(const char *s, fwd_component *c, fwd_error *err)
{
    if (strcasecmp(s, "det") == 0)
        *c = FWD_COMP_DET;
    else if (strcasecmp(s, "xy") == 0)
        *c = FWD_COMP_XY;
    else if (strcasecmp(s, "yx") == 0)
        *c = FWD_COMP_YX;
    else if (strcasecmp(s, "berd") == 0)
        *c = FWD_COMP_BERD;
    else
        return fwd_fail(err, FWD_EINVAL, "component: expected det, xy, yx or berd, got \"%s\"", s);
    return FWD_OK;
}

void
fwd_sounding_free(fwd_sounding *s)
{
    if (s == NULL)
        return;
    free(s->line);
    free(s->sd_phase);
    free(s->sd_log10);
    free(s->phase);
    free(s->rho_a);
    free(s->mn2);
    free(s->x);
    free(s);
}

/* src into dst (cap bytes); one too long is cut at the start of a UTF-8 character, and the
 * note of s says so: "WHAT first N of M bytes". */
static void
copy_said(fwd_sounding *s, char *dst, size_t cap, const char *src, const char *what)
{
    size_t len = strlen(src);
    char say[96];

    if (len < cap) {
        memcpy(dst, src, len + 1);
        return;
    }
    len = fwd_utf8_cut(src, cap - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
    snprintf(say, sizeof say, "%s first %zu of %zu bytes", what, len, strlen(src));
    fwd_sounding_note(s, say);
}

fwd_sounding *
fwd_sounding_make(const char *path, fwd_method m, size_t cap, int mn2, int sd_log10, int sd_phase)
{
    int phase = fwd_method_value_index(m, FWD_VALUE_PHASE) >= 0;
    fwd_sounding *s = calloc(1, sizeof *s);
    const char *base;
    int bad;

    if (s == NULL)
        return NULL;
    s->method = m;
    bad = (s->x = malloc(cap * sizeof(double))) == NULL;
    bad = bad || (s->rho_a = malloc(cap * sizeof(double))) == NULL;
    bad = bad || (s->line = malloc(cap * sizeof(size_t))) == NULL;
    bad = bad || (mn2 && (s->mn2 = malloc(cap * sizeof(double))) == NULL);
    bad = bad || (phase && (s->phase = malloc(cap * sizeof(double))) == NULL);
    bad = bad || (sd_log10 && (s->sd_log10 = malloc(cap * sizeof(double))) == NULL);
    bad = bad || (sd_phase && (s->sd_phase = malloc(cap * sizeof(double))) == NULL);
    if (bad) {
        fwd_sounding_free(s);
        return NULL;
    }
    s->x_m = s->y_m = s->elevation_m = s->lat_deg = s->lon_deg = NAN;
    copy_said(s, s->source, sizeof s->source, path, "its source the path's");
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    copy_said(s, s->name, sizeof s->name, base, "its name the file name's");
    return s;
}

void
fwd_sounding_rename(fwd_sounding *s, const char *path, const char *name)
{
    snprintf(s->name, sizeof s->name, "%s", name);
    s->note[0] = '\0';
    copy_said(s, s->source, sizeof s->source, path, "its source the path's");
}

int
fwd_sounding_grow(fwd_sounding *s, size_t cap)
{
    double **arr[] = {&s->x, &s->mn2, &s->rho_a, &s->phase, &s->sd_log10, &s->sd_phase};
    size_t k, *line;

    for (k = 0; k < sizeof arr / sizeof arr[0]; k++)
        if (*arr[k] != NULL) {
            double *p = realloc(*arr[k], cap * sizeof(double));

            if (p == NULL)
                return -1;
            *arr[k] = p;
        }
    line = realloc(s->line, cap * sizeof *line);
    if (line == NULL)
        return -1;
    s->line = line;
    return 0;
}

long
fwd_read_line(char **buf, size_t *cap, FILE *fp)
{
    size_t n = 0;
    int c;

    while ((c = getc_unlocked(fp)) != EOF) {
        if (n + 2 > *cap) {
            size_t want = *cap < 64 ? 128 : 2 * *cap;
            char *b = realloc(*buf, want);

            if (b == NULL) {
                errno = ENOMEM;
                return -1;
            }
            *buf = b;
            *cap = want;
        }
        if (c == '\r') { /* "\r\n" or a lone "\r": one line end */
            int d = getc_unlocked(fp);

            if (d != '\n' && d != EOF)
                ungetc(d, fp);
            c = '\n';
        }
        (*buf)[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (n == 0)
        return -1;
    (*buf)[n] = '\0';
    return (long)n;
}

void
fwd_list_append(char *buf, size_t cap, const char *sep, const char *q, const char *item)
{
    size_t len = strlen(buf);

    if (len + 1 >= cap)
        return;
    snprintf(buf + len, cap - len, "%s%s%s%s", len > 0 ? sep : "", q, item, q);
    if (strlen(buf) + 1 >= cap && cap > 4)
        strcpy(buf + cap - 4, "...");
}

void
fwd_sounding_note(fwd_sounding *s, const char *say)
{
    fwd_list_append(s->note, sizeof s->note, "; ", "", say);
}

/*
 * MT phases outside [0, 90] degrees said in the note: a 1D earth's lie inside (its
 * impedance is sqrt(i omega mu rho) at the surface of a half-space, 45 degrees, and no
 * layering takes it past 0 or 90). Most of them below 0 is the mark of another sign
 * convention: e^(-i omega t), whose impedances are the conjugates of bpinv's, or a Zyx of
 * Zxy's sign. Every phase within +-pi is radians (a 1D earth's near 0 degrees at every
 * period would need a perfect insulator below).
 */
static void
phase_note(fwd_sounding *s)
{
    static const char sign[] = ": another sign convention? (bpinv's: e^(+i omega t), Zxy in "
                               "the first quadrant, Zyx in the third)";
    size_t i, out = 0, neg = 0, small = 0;
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    char say[320];

    if (s->phase == NULL)
        return;
    for (i = 0; i < s->n; i++) {
        small += fabs(s->phase[i]) <= FWD_PI;
        neg += s->phase[i] < 0;
        lo = fmin(lo, s->phase[i]);
        hi = fmax(hi, s->phase[i]);
    }
    if (small == s->n && lo == 0 && hi == 0) {
        fwd_sounding_note(s, "every phase 0: not measured? (a 1D earth's lie between 0 and 90 "
                             "degrees, 45 over a half-space)");
        return;
    }
    if (small == s->n) { /* no earth's are all so near 0 degrees: radians */
        snprintf(say, sizeof say,
                 "every phase within +-pi (%.3g to %.3g): radians? bpinv reads phases in "
                 "degrees (radians x 57.30)%s",
                 lo, hi, 2 * neg > s->n ? sign : "");
        fwd_sounding_note(s, say);
        return;
    }
    lo = HUGE_VAL;
    hi = -HUGE_VAL;
    neg = 0;
    for (i = 0; i < s->n; i++)
        if (s->phase[i] < 0 || s->phase[i] > 90) {
            out++;
            neg += s->phase[i] < 0;
            lo = fmin(lo, s->phase[i]);
            hi = fmax(hi, s->phase[i]);
        }
    if (out == 0)
        return;
    snprintf(say, sizeof say,
             "%zu of %zu phases outside 0-90 degrees (%.1f to %.1f), where no 1D "
             "earth's are%s",
             out, s->n, lo, hi, 2 * neg > s->n ? sign : "");
    fwd_sounding_note(s, say);
}

/* The means of log10 AB/2 and log10 rho_a over segment l's points (s->mn2 NULL: all). */
static void
segment_means(const fwd_sounding *s, double l, double *mx, double *my)
{
    double c = 0;
    size_t i;

    *mx = *my = 0;
    for (i = 0; i < s->n; i++)
        if (s->mn2 == NULL || s->mn2[i] == l) {
            *mx += log10(s->x[i]);
            *my += log10(s->rho_a[i]);
            c++;
        }
    *mx /= c;
    *my /= c;
}

/*
 * A Schlumberger curve that falls like a resistance V/I said in the note: for a fixed MN,
 * rho_a = K V / I with K = pi ((AB/2)^2 - (MN/2)^2) / MN, so resistances under a rho_a
 * header fall as (AB/2)^-2 over a homogeneous earth, and a layered earth's curve falls that
 * fast over a decade or so (from a resistive top to a conductor). Over 2 decades or more, a
 * least-squares slope of -1.8 or less in log-log (one level a segment), the points within
 * 0.3 decades of it (rms): 1 of 3,000 random 2-5-layer earths (rho 1-10,000 ohm-m, AB/2
 * windows of 2 decades in 1-1000 m), 65 % of their resistances (MN/2 0.5 m), and a tester's
 * file, whose note blamed the prior's width.
 */
static void
resistance_note(fwd_sounding *s)
{
    double sxx = 0, sxy = 0, syy = 0, b, lo = INFINITY, hi = -INFINITY, n = (double)s->n;
    double l, mx, my;
    char say[288];
    size_t i;

    if (s->method != FWD_SCHLUMBERGER || s->n < 5)
        return;
    /* one slope, a level for each MN/2 segment (K grows with MN: resistances jump there):
     * sums of the products of each segment's centred logs (fwd_sounding_next_mn2 gives no
     * segment without MN/2: then all the points, once) */
    for (l = s->mn2 != NULL ? fwd_sounding_next_mn2(s, 0) : 0; l < INFINITY;
         l = fwd_sounding_next_mn2(s, l)) {
        segment_means(s, l, &mx, &my);
        for (i = 0; i < s->n; i++)
            if (s->mn2 == NULL || s->mn2[i] == l) {
                double x = log10(s->x[i]) - mx, y = log10(s->rho_a[i]) - my;

                sxx += x * x;
                sxy += x * y;
                syy += y * y;
                lo = fmin(lo, x + mx);
                hi = fmax(hi, x + mx);
            }
    }
    if (hi - lo < 2 || !(sxx > 0))
        return;
    b = sxy / sxx;
    /* the residuals' sum of squares about that line: syy - b sxy */
    if (!(b <= -1.8) || !(sqrt(fmax(0, syy - b * sxy) / n) < 0.3))
        return;
    snprintf(say, sizeof say,
             "rho_a falls as AB/2 to the power %.2f over %.1f decades, as a resistance V/I does "
             "(rho_a = K V/I, K = pi ((AB/2)^2 - (MN/2)^2) / MN): resistances under a rho_a "
             "header? A layered earth's seldom falls that fast that long",
             b, hi - lo);
    fwd_sounding_note(s, say);
}

/*
 * Errors of log10 rho_a above one decade (a factor 10) said in the note: no reading is that
 * uncertain, errors given in percent (5 for 5 %, 0.021 decades) are. Arrays only: a text
 * file's errors are read by their column's name and unit.
 */
static void
error_note(fwd_sounding *s)
{
    double hi = 0;
    char say[160];
    size_t i;

    if (s->sd_log10 == NULL)
        return;
    for (i = 0; i < s->n; i++)
        hi = fmax(hi, s->sd_log10[i]);
    if (hi > 1) {
        snprintf(say, sizeof say,
                 "sd_log10 up to %.3g decades of rho_a (a factor %.3g): "
                 "errors in percent? 5 %% is 0.021 decades",
                 hi, pow(10, hi));
        fwd_sounding_note(s, say);
    }
}

size_t
fwd_utf8_cut(const char *s, size_t max)
{
    size_t len = strlen(s), k;

    if (len <= max)
        return len;
    /* back over at most 3 continuation bytes, a character's most */
    for (len = max, k = 0; k < 3 && len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80; k++)
        len--;
    return len;
}

int
fwd_name_fits(const char *name, size_t len, const char *path, size_t line, const char *field,
              const char *what, const char *tail, fwd_error *err)
{
    if (len < FWD_SOUNDING_NAME_MAX)
        return FWD_OK;
    return fwd_fail(err, FWD_EFORMAT,
                    "%s:%zu: %s: expected %s of at most %d bytes%s, got %zu (\"%.*s...\")", path,
                    line, field, what, FWD_SOUNDING_NAME_MAX - 1, tail, len,
                    (int)fwd_utf8_cut(name, FWD_QUOTE_BYTES), name);
}

/* Insertion sort: soundings are short and nearly sorted. */
int
fwd_sounding_finish(fwd_sounding *s, fwd_error *err)
{
    size_t i, j;

#define SWAP(a)                                                                                    \
    do {                                                                                           \
        if ((a) != NULL) {                                                                         \
            double t_ = (a)[j];                                                                    \
            (a)[j] = (a)[j - 1];                                                                   \
            (a)[j - 1] = t_;                                                                       \
        }                                                                                          \
    } while (0)
    for (i = 1; i < s->n; i++)
        for (j = i; j > 0; j--) {
            double m0 = s->mn2 != NULL ? s->mn2[j - 1] : 0, m1 = s->mn2 != NULL ? s->mn2[j] : 0;
            size_t tl;

            if (s->x[j - 1] < s->x[j] || (s->x[j - 1] == s->x[j] && m0 <= m1))
                break;
            SWAP(s->x);
            SWAP(s->mn2);
            SWAP(s->rho_a);
            SWAP(s->phase);
            SWAP(s->sd_log10);
            SWAP(s->sd_phase);
            tl = s->line[j];
            s->line[j] = s->line[j - 1];
            s->line[j - 1] = tl;
        }
#undef SWAP
    for (i = 1; i < s->n; i++)
        if (same_x(s->x[i], s->x[i - 1]) && (s->mn2 == NULL || s->mn2[i] == s->mn2[i - 1])) {
            if (s->line[i] == s->line[i - 1]) /* an EDI file: both from its >FREQ block */
                return fwd_fail(err, FWD_EFORMAT,
                                "%s:%zu: FREQ: expected distinct frequencies, got %g Hz twice",
                                s->source, s->line[i], 1 / s->x[i]);
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: %s: %g is given twice (also on line %zu)%s: a typo? (a "
                            "reading repeated on the next row, within a factor %.2f, is "
                            "averaged)",
                            s->source, s->line[i], fwd_method_xname(s->method), s->x[i],
                            s->line[i - 1], s->mn2 != NULL ? " with the same MN/2" : "",
                            pow(10, FWD_REPEAT_DECADES));
        }
    if (s->n < FWD_SOUNDING_MIN_POINTS)
        return fwd_fail(err, FWD_EFORMAT, "%s: expected at least %d points, got %zu", s->source,
                        FWD_SOUNDING_MIN_POINTS, s->n);
    for (i = 0; i < s->n; i++) {
        if (s->sd_log10 != NULL && !(s->sd_log10[i] <= FWD_SD_LOG10_MAX))
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: sd_log10_rho_a: expected at most %d (decades), got %g",
                            s->source, s->line[i], FWD_SD_LOG10_MAX, s->sd_log10[i]);
        if (s->sd_phase != NULL && !(s->sd_phase[i] <= FWD_SD_PHASE_MAX))
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: sd_phase_deg: expected at most %d degrees, got %g", s->source,
                            s->line[i], FWD_SD_PHASE_MAX, s->sd_phase[i]);
    }
    phase_note(s);
    resistance_note(s);
    return FWD_OK;
}

/* An EDI file: named *.edi, or its first non-blank characters are >HEAD. */
static int
is_edi(const char *path, const char *text)
{
    size_t n = strlen(path);

    if (n > 4 && (strcmp(path + n - 4, ".edi") == 0 || strcmp(path + n - 4, ".EDI") == 0))
        return 1;
    while (isspace((unsigned char)*text))
        text++;
    return strncmp(text, ">HEAD", 5) == 0;
}

/*
 * The whole file in memory (at most FWD_SOUNDING_MAX_BYTES; a pipe works too), without a
 * UTF-8 byte-order mark; *len its length. NULL with err set.
 */
static char *
slurp(const char *path, size_t *len, fwd_error *err)
{
    int in = strcmp(path, FWD_SOUNDING_STDIN) == 0; /* the standard input */
    FILE *fp = in ? stdin : fopen(path, "rb");
    const char *name = in ? "stdin" : path;
    size_t cap = 65536, n = 0;
    char *buf = NULL, *nb;

    if (fp == NULL) {
        fwd_fail(err, FWD_EIO, "%s: cannot open: %s", name, strerror(errno));
        return NULL;
    }
    for (;;) {
        if ((nb = realloc(buf, cap + 1)) == NULL) {
            fwd_fail(err, FWD_ENOMEM, "%s: out of memory", name);
            goto fail;
        }
        buf = nb;
        n += fread(buf + n, 1, cap - n, fp);
        if (n < cap)
            break;
        if (cap >= FWD_SOUNDING_MAX_BYTES) {
            fwd_fail(err, FWD_EFORMAT,
                     "%s: expected a sounding file of at most %d MiB, got a larger one", name,
                     FWD_SOUNDING_MAX_BYTES >> 20);
            goto fail;
        }
        cap = 2 * cap < FWD_SOUNDING_MAX_BYTES ? 2 * cap : FWD_SOUNDING_MAX_BYTES;
    }
    if (ferror(fp)) {
        fwd_fail(err, FWD_EIO, "%s: read error: %s", name, strerror(errno));
        goto fail;
    }
    if (!in)
        fclose(fp);
    buf[n] = '\0';
    if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        memmove(buf, buf + 3, n - 2);
        n -= 3;
    }
    *len = n;
    return buf;
fail:
    if (!in)
        fclose(fp);
    free(buf);
    return NULL;
}

fwd_sounding *
fwd_sounding_read(const char *path, fwd_method expect, fwd_component comp, fwd_error *err)
{
    return fwd_sounding_read_columns(path, expect, comp, NULL, err);
}

/* fwd_sounding_read_stations, or with serr fwd_sounding_read_survey. */
static int
read_stations(const char *path, fwd_method expect, fwd_component comp, const char *columns,
              fwd_sounding ***out, fwd_error **serr, size_t *n, fwd_error *err)
{
    size_t len;
    char *text, *nul;
    fwd_error own;
    FILE *fp;
    int rc;

    *out = NULL;
    *n = 0;
    if (serr != NULL)
        *serr = NULL;
    if (err == NULL) { /* the codes below are read back from it */
        fwd_error_clear(&own);
        err = &own;
    }
    if (comp != FWD_COMP_DET && expect != FWD_EDI_METHOD) /* it would be ignored */
        return fwd_error_set_field(err, FWD_EINVAL, "component",
                                   "%s: component %s: chooses an MT impedance, but %s %s "
                                   "sounding has none",
                                   path, fwd_component_name(comp), fwd_method_article(expect),
                                   fwd_method_name(expect));
    if ((text = slurp(path, &len, err)) == NULL)
        return err->code;
    if (strcmp(path, FWD_SOUNDING_STDIN) == 0)
        path = "stdin"; /* its name in messages, and the sounding's */
    if (len == 0) {
        free(text);
        return fwd_fail(err, FWD_EFORMAT,
                        "%s: expected at least %d points, got none (an empty file)", path,
                        FWD_SOUNDING_MIN_POINTS);
    }
    if ((nul = memchr(text, '\0', len)) != NULL) {
        /* a binary file: said before any of its bytes are quoted as a header or a value */
        size_t line = 1;
        const char *q;

        for (q = text; q < nul; q++)
            line += *q == '\n';
        if (len >= 2 && (((unsigned char)text[0] == 0xff && (unsigned char)text[1] == 0xfe) ||
                         ((unsigned char)text[0] == 0xfe && (unsigned char)text[1] == 0xff))) {
            free(text); /* Excel's "Unicode Text" */
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:1: expected UTF-8 text, got UTF-16 (as Excel saves \"Unicode "
                            "Text\"): save it as \"CSV UTF-8\"",
                            path);
        }
        free(text);
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected text, got a NUL byte (a binary file?)",
                        path, line);
    }
    if ((fp = fmemopen(text, len, "r")) == NULL) {
        rc = fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
    } else if (is_edi(path, text)) {
        if (expect != FWD_EDI_METHOD) {
            rc = fwd_fail(err, FWD_EINVAL,
                          "%s: this is an EDI (magnetotelluric) file, expected %s %s sounding",
                          path, fwd_method_article(expect), fwd_method_name(expect));
        } else if ((*out = malloc(sizeof **out)) == NULL) {
            rc = fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
        } else if (((*out)[0] = fwd_read_edi(path, fp, comp, err)) == NULL) {
            free(*out);
            *out = NULL;
            rc = err->code;
        } else if (serr != NULL && (*serr = calloc(1, sizeof **serr)) == NULL) {
            fwd_sounding_free_stations(*out, 1);
            *out = NULL;
            rc = fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
        } else {
            snprintf((*out)[0]->component, sizeof(*out)[0]->component, "%s",
                     fwd_component_name(comp));
            *n = 1;
            rc = FWD_OK;
        }
    } else if ((rc = fwd_read_text(path, fp, expect, columns, out, serr, n, err)) == FWD_OK &&
               expect == FWD_EDI_METHOD && comp != FWD_COMP_DET) {
        size_t k; /* an MT text file has one curve: the component chosen is not in it */
        char say[64];

        snprintf(say, sizeof say, "component %s: a text file's one curve, read as it is",
                 fwd_component_name(comp));
        for (k = 0; k < *n; k++)
            if ((*out)[k] != NULL)
                fwd_sounding_note((*out)[k], say);
    }
    if (fp != NULL)
        fclose(fp);
    free(text);
    return rc;
}

int
fwd_sounding_read_stations(const char *path, fwd_method expect, fwd_component comp,
                           const char *columns, fwd_sounding ***out, size_t *n, fwd_error *err)
{
    return read_stations(path, expect, comp, columns, out, NULL, n, err);
}

int
fwd_sounding_read_survey(const char *path, fwd_method expect, fwd_component comp,
                         const char *columns, fwd_sounding ***out, fwd_error **station_err,
                         size_t *n, fwd_error *err)
{
    return read_stations(path, expect, comp, columns, out, station_err, n, err);
}

void
fwd_sounding_free_stations(fwd_sounding **s, size_t n)
{
    size_t k;

    if (s == NULL)
        return;
    for (k = 0; k < n; k++)
        fwd_sounding_free(s[k]);
    free(s);
}

fwd_sounding *
fwd_sounding_read_columns(const char *path, fwd_method expect, fwd_component comp,
                          const char *columns, fwd_error *err)
{
    fwd_sounding **s, *one;
    size_t n;

    if (fwd_sounding_read_stations(path, expect, comp, columns, &s, &n, err) != FWD_OK)
        return NULL;
    if (n > 1) {
        fwd_fail(err, FWD_EFORMAT,
                 "%s: expected one sounding, got %zu stations (\"%s\", \"%s\"%s); bpinv invert "
                 "reads them all (fwd_sounding_read_stations)",
                 s[0]->source, n, s[0]->name, s[1]->name, n > 2 ? ", ..." : "");
        fwd_sounding_free_stations(s, n);
        return NULL;
    }
    one = s[0];
    free(s);
    return one;
}

fwd_geom *
fwd_sounding_geom(const fwd_sounding *s, fwd_error *err)
{
    return fwd_geom_alloc(s->method, s->n, s->x, s->mn2, err);
}

int
fwd_sounding_geom_check(const fwd_sounding *s, const fwd_geom *g, fwd_error *err)
{
    const double *gm;
    size_t n;

    if (g == NULL)
        return fwd_error_set(err, FWD_EINVAL, "%s: workspace: expected one, got NULL", s->source);
    gm = fwd_geom_mn2(g);
    n = fwd_geom_size(g);
    /* what fwd_sounding_geom() would make of s, compared without making it */
    if (fwd_geom_method(g) == s->method && n == s->n &&
        memcmp(fwd_geom_x(g), s->x, n * sizeof(double)) == 0 && (gm == NULL) == (s->mn2 == NULL) &&
        (gm == NULL || memcmp(gm, s->mn2, n * sizeof(double)) == 0))
        return FWD_OK;
    return fwd_error_set(err, FWD_EINVAL,
                         "%s: workspace: expected one of the sounding's geometry (%s, %zu points "
                         "from %g; fwd_sounding_geom), got %s, %zu points from %g",
                         s->source, fwd_method_name(s->method), s->n, s->n > 0 ? s->x[0] : 0.0,
                         fwd_method_name(fwd_geom_method(g)), fwd_geom_size(g),
                         fwd_geom_size(g) > 0 ? fwd_geom_x(g)[0] : 0.0);
}

/* The kind of value k of s's method, or -1. */
static int
value_kind(const fwd_sounding *s, size_t k)
{
    const fwd_method_info *mi = fwd_method_get(s->method);

    return mi != NULL && k < mi->nvalues ? (int)mi->values[k]->kind : -1;
}

const double *
fwd_sounding_values(const fwd_sounding *s, size_t k)
{
    int kind = value_kind(s, k);

    return kind == FWD_VALUE_RHO_A ? s->rho_a : kind == FWD_VALUE_PHASE ? s->phase : NULL;
}

const double *
fwd_sounding_sd(const fwd_sounding *s, size_t k)
{
    int kind = value_kind(s, k);

    return kind == FWD_VALUE_RHO_A ? s->sd_log10 : kind == FWD_VALUE_PHASE ? s->sd_phase : NULL;
}

double
fwd_sounding_next_mn2(const fwd_sounding *s, double above)
{
    double next = INFINITY;
    size_t i;

    for (i = 0; s->mn2 != NULL && i < s->n; i++)
        if (s->mn2[i] > above && s->mn2[i] < next)
            next = s->mn2[i];
    return next;
}

size_t
fwd_sounding_ndata(const fwd_sounding *s)
{
    return fwd_method_ndata(s->method, s->n);
}

/* Points of a sounding's arrays ordered by x, then MN/2. */
struct point_order {
    const double *x, *mn2;
};

static int
by_point(size_t i, size_t j, const struct point_order *o)
{
    double mi = o->mn2 != NULL ? o->mn2[i] : 0, mj = o->mn2 != NULL ? o->mn2[j] : 0;

    if (o->x[i] != o->x[j])
        return o->x[i] < o->x[j] ? -1 : 1;
    if (mi != mj)
        return mi < mj ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* Merge sort of idx[0..n) by point, tmp of n for scratch (qsort takes no context). */
static void
sort_points(size_t *idx, size_t *tmp, size_t n, const struct point_order *o)
{
    size_t h = n / 2, i = 0, j = h, k = 0;

    if (n < 2)
        return;
    sort_points(idx, tmp, h, o);
    sort_points(idx + h, tmp, n - h, o);
    while (i < h && j < n)
        tmp[k++] = by_point(idx[i], idx[j], o) <= 0 ? idx[i++] : idx[j++];
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

/* The arrays a sounding of method mi holds, and what it is called. */
struct arrays {
    const char *name;
    const fwd_method_info *mi;
    size_t n;
    const double *x, *mn2, *rho_a, *phase, *sd_log10, *sd_phase;
};

/* Checks v[0..n) of the array `column`: finite, and > 0 when positive. */
static int
check_values(const struct arrays *a, const char *column, const double *v, int positive,
             fwd_error *err)
{
    size_t k;

    for (k = 0; v != NULL && k < a->n; k++)
        if (!isfinite(v[k]) || (positive && v[k] <= 0))
            return fwd_error_set_field(err, FWD_EINVAL, column,
                                       "%s: %s[%zu]: expected a finite number%s, got %g", a->name,
                                       column, k, positive ? " > 0" : "", v[k]);
    return FWD_OK;
}

/* An array given to a method that has no such value, or missing where it needs one. */
static int
check_presence(const struct arrays *a, const char *column, int given, int wanted, fwd_error *err)
{
    if (given == wanted)
        return FWD_OK;
    return fwd_error_set_field(
        err, FWD_EINVAL, column, "%s: %s: %s for %s %s sounding, got %s", a->name, column,
        given ? "expected none (not measured)" : "expected an array",
        fwd_method_article(a->mi->method), a->mi->name, given ? "an array" : "none");
}

/*
 * Every check of a sounding's arrays (fwd_sounding.h, fwd_sounding_from_arrays); with
 * order non-NULL, *order is a new array of the indices of the points by x then MN/2 (free()
 * it). FWD_EINVAL or FWD_ENOMEM with err set otherwise.
 */
static int
check_arrays(const struct arrays *a, size_t **order, fwd_error *err)
{
    const fwd_method_info *mi = a->mi;
    int mt = fwd_method_value_index(mi->method, FWD_VALUE_PHASE) >= 0, rc;
    struct point_order o = {a->x, a->mn2};
    size_t k, *idx;

    if (a->n < FWD_SOUNDING_MIN_POINTS || a->n > FWD_MAX_POINTS)
        return fwd_error_set_field(err, FWD_EINVAL, mi->x_column,
                                   "%s: %s: expected %d to %d points, got %zu", a->name,
                                   mi->x_column, FWD_SOUNDING_MIN_POINTS, FWD_MAX_POINTS, a->n);
    rc = check_presence(a, mi->x_column, a->x != NULL, 1, err);
    rc = rc ? rc : check_presence(a, "rho_a_ohmm", a->rho_a != NULL, 1, err);
    rc = rc ? rc : check_presence(a, "mn2_m", a->mn2 != NULL, a->mn2 != NULL && mi->has_mn2, err);
    rc = rc ? rc : check_presence(a, "phase_deg", a->phase != NULL, mt, err);
    rc = rc ? rc : check_presence(a, "sd_phase_deg", a->sd_phase != NULL, a->sd_phase && mt, err);
    rc = rc ? rc : check_values(a, mi->x_column, a->x, 1, err);
    rc = rc ? rc : check_values(a, "mn2_m", a->mn2, 1, err);
    rc = rc ? rc : check_values(a, "rho_a_ohmm", a->rho_a, 1, err);
    rc = rc ? rc : check_values(a, "phase_deg", a->phase, 0, err);
    rc = rc ? rc : check_values(a, "sd_log10_rho_a", a->sd_log10, 1, err);
    rc = rc ? rc : check_values(a, "sd_phase_deg", a->sd_phase, 1, err);
    for (k = 0; rc == FWD_OK && a->sd_log10 != NULL && k < a->n; k++)
        if (a->sd_log10[k] > FWD_SD_LOG10_MAX)
            rc = fwd_error_set_field(
                err, FWD_EINVAL, "sd_log10_rho_a",
                "%s: sd_log10_rho_a[%zu]: expected at most %d (decades), got %g", a->name, k,
                FWD_SD_LOG10_MAX, a->sd_log10[k]);
    for (k = 0; rc == FWD_OK && a->sd_phase != NULL && k < a->n; k++)
        if (a->sd_phase[k] > FWD_SD_PHASE_MAX)
            rc = fwd_error_set_field(err, FWD_EINVAL, "sd_phase_deg",
                                     "%s: sd_phase_deg[%zu]: expected at most %d degrees, got %g",
                                     a->name, k, FWD_SD_PHASE_MAX, a->sd_phase[k]);
    for (k = 0; rc == FWD_OK && a->phase != NULL && k < a->n; k++)
        if (a->phase[k] < -180 || a->phase[k] > 180)
            rc = fwd_error_set_field(err, FWD_EINVAL, "phase_deg",
                                     "%s: phase_deg[%zu]: expected degrees in [-180, 180], got %g",
                                     a->name, k, a->phase[k]);
    for (k = 0; rc == FWD_OK && a->mn2 != NULL && k < a->n; k++)
        if (a->mn2[k] >= a->x[k])
            rc = fwd_error_set_field(err, FWD_EINVAL, "mn2_m",
                                     "%s: mn2_m[%zu]: expected less than AB/2 = %g m, got %g",
                                     a->name, k, a->x[k], a->mn2[k]);
        else if (a->mn2[k] < FWD_MN2_MIN_SHARE * a->x[k])
            rc = fwd_error_set_field(err, FWD_EINVAL, "mn2_m",
                                     "%s: mn2_m[%zu]: expected at least %g x AB/2 = %g m (smaller "
                                     "is the ideal array: give no MN/2), got %g",
                                     a->name, k, FWD_MN2_MIN_SHARE, FWD_MN2_MIN_SHARE * a->x[k],
                                     a->mn2[k]);
    if (rc != FWD_OK)
        return rc;
    if ((idx = malloc(2 * a->n * sizeof *idx)) == NULL)
        return fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", a->name);
    for (k = 0; k < a->n; k++)
        idx[k] = k;
    sort_points(idx, idx + a->n, a->n, &o);
    for (k = 1; k < a->n && rc == FWD_OK; k++) {
        size_t p = idx[k - 1], q = idx[k];

        if (same_x(a->x[p], a->x[q]) && (a->mn2 == NULL || a->mn2[p] == a->mn2[q]))
            rc = fwd_error_set_field(
                err, FWD_EINVAL, mi->x_column, "%s: %s[%zu]: %g is given twice (also at [%zu])%s",
                a->name, mi->x_column, q, a->x[q], p, a->mn2 != NULL ? " with the same MN/2" : "");
    }
    if (rc != FWD_OK || order == NULL)
        free(idx);
    else
        *order = idx;
    return rc;
}

fwd_sounding *
fwd_sounding_from_arrays(const char *name, fwd_method m, size_t n, const double *x,
                         const double *mn2, const double *rho_a, const double *phase,
                         const double *sd_log10, const double *sd_phase, fwd_error *err)
{
    struct arrays a = {name != NULL ? name : "sounding",
                       fwd_method_get(m),
                       n,
                       x,
                       mn2,
                       rho_a,
                       phase,
                       sd_log10,
                       sd_phase};
    fwd_sounding *s;
    size_t k, *idx;

    if (a.mi == NULL) {
        fwd_error_set_field(err, FWD_EINVAL, FWD_FIELD_METHOD,
                            "%s: method: expected 0 (schlumberger), 1 (wenner) or 2 (mt), got %d",
                            a.name, (int)m);
        return NULL;
    }
    if (strlen(a.name) >= FWD_SOUNDING_NAME_MAX) {
        fwd_error_set_field(err, FWD_EINVAL, "name",
                            "%.*s...: name: expected at most %d bytes, got %zu",
                            (int)fwd_utf8_cut(a.name, FWD_QUOTE_BYTES), a.name,
                            FWD_SOUNDING_NAME_MAX - 1, strlen(a.name));
        return NULL;
    }
    if (check_arrays(&a, &idx, err) != FWD_OK)
        return NULL;
    s = fwd_sounding_make(a.name, m, n, mn2 != NULL, sd_log10 != NULL, sd_phase != NULL);
    if (s == NULL) {
        free(idx);
        fwd_fail(err, FWD_ENOMEM, "%s: out of memory", a.name);
        return NULL;
    }
    snprintf(s->name, sizeof s->name, "%s", a.name); /* as given, directories and all */
    for (k = 0; k < n; k++) {                        /* in order of x, then MN/2 */
        size_t i = idx[k];

        s->x[k] = x[i];
        s->rho_a[k] = rho_a[i];
        if (mn2 != NULL)
            s->mn2[k] = mn2[i];
        if (phase != NULL) /* a yx phase given in the third quadrant is brought to the first */
            s->phase[k] = phase[i] < -90 ? phase[i] + 180 : phase[i];
        if (sd_log10 != NULL)
            s->sd_log10[k] = sd_log10[i];
        if (sd_phase != NULL)
            s->sd_phase[k] = sd_phase[i];
        s->line[k] = i + 1;
    }
    s->n = n;
    free(idx);
    phase_note(s);
    resistance_note(s);
    error_note(s);
    return s;
}

int
fwd_sounding_check(const fwd_sounding *s, fwd_error *err)
{
    struct arrays a;
    size_t k;

    if (s == NULL)
        return fwd_error_set(err, FWD_EINVAL, "sounding: expected one, got NULL");
    a.name = s->name;
    if ((a.mi = fwd_method_get(s->method)) == NULL)
        return fwd_error_set_field(
            err, FWD_EINVAL, FWD_FIELD_METHOD,
            "%s: method: expected 0 (schlumberger), 1 (wenner) or 2 (mt), got %d", s->name,
            (int)s->method);
    a.n = s->n, a.x = s->x, a.mn2 = s->mn2, a.rho_a = s->rho_a, a.phase = s->phase;
    a.sd_log10 = s->sd_log10, a.sd_phase = s->sd_phase;
    if (check_arrays(&a, NULL, err) != FWD_OK)
        return err != NULL ? err->code : FWD_EINVAL;
    if (s->line == NULL)
        return fwd_error_set_field(err, FWD_EINVAL, "line", "%s: line: expected an array, got none",
                                   s->name);
    for (k = 1; k < s->n; k++) {
        struct point_order o = {s->x, s->mn2};

        if (by_point(k - 1, k, &o) > 0)
            return fwd_error_set_field(err, FWD_EINVAL, a.mi->x_column,
                                       "%s: %s[%zu]: expected the points in increasing %s, got %g "
                                       "after %g",
                                       s->name, a.mi->x_column, k, a.mi->x_name, s->x[k],
                                       s->x[k - 1]);
    }
    return FWD_OK;
}

fwd_sounding *
fwd_sounding_copy(const fwd_sounding *s)
{
    fwd_sounding *c;
    const double *from[6];
    double *to[6];
    size_t k;

    if (s == NULL ||
        (c = fwd_sounding_make(s->source, s->method, s->n > 0 ? s->n : 1, s->mn2 != NULL,
                               s->sd_log10 != NULL, s->sd_phase != NULL)) == NULL)
        return NULL;
    from[0] = s->x, from[1] = s->mn2, from[2] = s->rho_a, from[3] = s->phase;
    from[4] = s->sd_log10, from[5] = s->sd_phase;
    to[0] = c->x, to[1] = c->mn2, to[2] = c->rho_a, to[3] = c->phase, to[4] = c->sd_log10;
    to[5] = c->sd_phase;
    for (k = 0; k < 6; k++)
        if (from[k] != NULL && to[k] != NULL)
            memcpy(to[k], from[k], s->n * sizeof(double));
    memcpy(c->line, s->line, s->n * sizeof *s->line);
    memcpy(c->name, s->name, sizeof c->name);
    memcpy(c->unused, s->unused, sizeof c->unused);
    memcpy(c->note, s->note, sizeof c->note);
    memcpy(c->component, s->component, sizeof c->component);
    c->x_m = s->x_m, c->y_m = s->y_m, c->elevation_m = s->elevation_m;
    c->lat_deg = s->lat_deg, c->lon_deg = s->lon_deg;
    c->n = s->n;
    return c;
}

uint64_t
fwd_sounding_hash(const fwd_sounding *s, uint64_t seed)
{
    const double *arr[3] = {s->x, s->rho_a, s->phase};
    uint64_t h = FWD_HASH_START ^ seed;
    size_t a;

    for (a = 0; a < 3; a++)
        if (arr[a] != NULL)
            h = fwd_hash(h, arr[a], s->n * sizeof(double));
    return h;
}
