/* SPDX-License-Identifier: MIT */
/*
 * fwd_sounding.c - field soundings: the struct, the checks every reader ends with, and
 * fwd_sounding_read, which hands a file to its reader (fwd_read_text.c, fwd_read_edi.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/readers/fwd_readers_internal.h"

int
fwd_component_parse(const char *s, fwd_component *c, fwd_error *err)
{
    if (strcmp(s, "det") == 0)
        *c = FWD_COMP_DET;
    else if (strcmp(s, "xy") == 0)
        *c = FWD_COMP_XY;
    else if (strcmp(s, "yx") == 0)
        *c = FWD_COMP_YX;
    else
        return fwd_fail(err, FWD_EINVAL, "component: expected det, xy or yx, got \"%s\"", s);
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
    snprintf(s->source, sizeof s->source, "%s", path);
    base = strrchr(path, '/');
    snprintf(s->name, sizeof s->name, "%s", base != NULL ? base + 1 : path);
    return s;
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
        if (s->x[i] == s->x[i - 1] && (s->mn2 == NULL || s->mn2[i] == s->mn2[i - 1])) {
            if (s->line[i] == s->line[i - 1]) /* an EDI file: both from its >FREQ block */
                return fwd_fail(err, FWD_EFORMAT,
                                "%s:%zu: FREQ: expected distinct frequencies, got %g Hz twice",
                                s->source, s->line[i], 1 / s->x[i]);
            return fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: %g is given twice (also on line %zu)%s",
                            s->source, s->line[i], fwd_method_xname(s->method), s->x[i],
                            s->line[i - 1], s->mn2 != NULL ? " with the same MN/2" : "");
        }
    if (s->n < FWD_SOUNDING_MIN_POINTS)
        return fwd_fail(err, FWD_EFORMAT, "%s: expected at least %d points, got %zu", s->source,
                        FWD_SOUNDING_MIN_POINTS, s->n);
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
    FILE *fp = fopen(path, "rb");
    size_t cap = 65536, n = 0;
    char *buf = NULL, *nb;

    if (fp == NULL) {
        fwd_fail(err, FWD_EIO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if ((nb = realloc(buf, cap + 1)) == NULL) {
            fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
            goto fail;
        }
        buf = nb;
        n += fread(buf + n, 1, cap - n, fp);
        if (n < cap)
            break;
        if (cap >= FWD_SOUNDING_MAX_BYTES) {
            fwd_fail(err, FWD_EFORMAT,
                     "%s: expected a sounding file of at most %d MiB, got a larger one", path,
                     FWD_SOUNDING_MAX_BYTES >> 20);
            goto fail;
        }
        cap = 2 * cap < FWD_SOUNDING_MAX_BYTES ? 2 * cap : FWD_SOUNDING_MAX_BYTES;
    }
    if (ferror(fp)) {
        fwd_fail(err, FWD_EIO, "%s: read error: %s", path, strerror(errno));
        goto fail;
    }
    fclose(fp);
    buf[n] = '\0';
    if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        memmove(buf, buf + 3, n - 2);
        n -= 3;
    }
    *len = n;
    return buf;
fail:
    fclose(fp);
    free(buf);
    return NULL;
}

fwd_sounding *
fwd_sounding_read(const char *path, fwd_method expect, fwd_component comp, fwd_error *err)
{
    size_t len;
    char *text = slurp(path, &len, err), *nul;
    fwd_sounding *s = NULL;
    FILE *fp;

    if (text == NULL)
        return NULL;
    if (len == 0) {
        fwd_fail(err, FWD_EFORMAT, "%s: expected at least %d points, got none (an empty file)",
                 path, FWD_SOUNDING_MIN_POINTS);
        free(text);
        return NULL;
    }
    if ((nul = memchr(text, '\0', len)) != NULL) {
        /* a binary file: said before any of its bytes are quoted as a header or a value */
        size_t line = 1;
        const char *q;

        for (q = text; q < nul; q++)
            line += *q == '\n';
        fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected text, got a NUL byte (a binary file?)", path,
                 line);
        free(text);
        return NULL;
    }
    fp = fmemopen(text, len, "r");
    if (fp == NULL) {
        fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
    } else if (is_edi(path, text)) {
        if (expect != FWD_EDI_METHOD)
            fwd_fail(err, FWD_EINVAL,
                     "%s: this is an EDI (magnetotelluric) file, expected %s %s sounding", path,
                     fwd_method_article(expect), fwd_method_name(expect));
        else
            s = fwd_read_edi(path, fp, comp, err);
    } else {
        s = fwd_read_text(path, fp, expect, err);
    }
    if (fp != NULL)
        fclose(fp);
    free(text);
    return s;
}

fwd_geom *
fwd_sounding_geom(const fwd_sounding *s, fwd_error *err)
{
    return fwd_geom_alloc(s->method, s->n, s->x, s->mn2, err);
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

size_t
fwd_sounding_ndata(const fwd_sounding *s)
{
    return fwd_method_ndata(s->method, s->n);
}
