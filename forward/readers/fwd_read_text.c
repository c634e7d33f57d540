/* SPDX-License-Identifier: MIT */
/*
 * fwd_read_text.c - delimited text soundings (docs/formats.md, "Sounding text files").
 *
 * The columns are named by a header row, or by a whole-line comment just above the first
 * reading; without either they are the method's columns by position (x, MN/2 when given,
 * then the method's values). The x column names of each method come from its table entry
 * (fwd_method.h); the value columns are those below.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "forward/base/fwd_io.h"
#include "forward/base/fwd_utf8_internal.h"
#include "forward/readers/fwd_readers_internal.h"

/* The columns a sounding can use; COL_FREQ holds 1 / x (MT frequencies). The apparent
 * resistivity is read from COL_RHO, else COL_LOGRHO (log10 of it), else from the raw
 * readings (COL_R, or COL_V over COL_I) and the array's geometric factor; its error from
 * COL_SDL (decades), else COL_ERR (relative). COL_SD is a "std" column whose unit the
 * header settles (docs/formats.md). COL_STATION names the sounding. */
enum {
    COL_X,
    COL_MN2,
    COL_RHO,
    COL_PHASE,
    COL_SDL,
    COL_SDP,
    COL_FREQ,
    COL_LOGRHO,
    COL_ERR,
    COL_SD,
    COL_V,
    COL_I,
    COL_R,
    COL_STATION,
    COL_XM,
    COL_YM,
    COL_ELEV,
    COL_LAT,
    COL_LON,
    COL_N
};

/* Most fields of a line that are looked at. */
#define MAX_FIELDS 64

/* The column of each value kind (fwd_value_kind) and of its standard error. */
static const struct {
    int col, sd;
} value_cols[] = {[FWD_VALUE_RHO_A] = {COL_RHO, COL_SDL}, [FWD_VALUE_PHASE] = {COL_PHASE, COL_SDP}};

#define N_VALUE_KINDS (sizeof value_cols / sizeof value_cols[0])

/* The kinds of unit a column may be given in. */
typedef enum {
    U_NONE,
    U_LENGTH,
    U_RESIST,
    U_TIME,
    U_FREQ,
    U_ANGLE,
    U_DECADES,
    U_REL,
    U_VOLT,
    U_AMP,
    U_OHM
} unit_family;

/* The units known, in compact form (lower case, no spaces, dots, dashes, underscores or
 * middle dots: "Ohm-m", "ohm.m", "Ω·m" are all "ohmm" or "Ωm"), and their factor to the
 * unit bpinv uses (m, ohm-m, s, Hz, degrees, decades, a fraction, V, A, ohm). */
static const struct {
    const char *name;
    unit_family fam;
    double scale;
} units[] = {
    {"m", U_LENGTH, 1},
    {"meter", U_LENGTH, 1},
    {"meters", U_LENGTH, 1},
    {"metre", U_LENGTH, 1},
    {"metres", U_LENGTH, 1},
    {"cm", U_LENGTH, 0.01},
    {"km", U_LENGTH, 1000},
    {"ft", U_LENGTH, 0.3048},
    {"feet", U_LENGTH, 0.3048},
    {"foot", U_LENGTH, 0.3048},
    {"ohmm", U_RESIST, 1},
    {"ohmmeter", U_RESIST, 1},
    {"ohmmetre", U_RESIST, 1},
    {"\xce\xa9m", U_RESIST, 1}, /* Ωm */
    {"kohmm", U_RESIST, 1e3},
    {"k\xce\xa9m", U_RESIST, 1e3}, /* kΩm */
    {"ohmft", U_RESIST, 0.3048},   /* ohm-ft, of surveys in feet */
    {"ohmfeet", U_RESIST, 0.3048},
    {"ohmcm", U_RESIST, 0.01}, /* ohm-cm, of soil science */
    {"\xce\xa9"
     "cm",
     U_RESIST, 0.01},
    {"\xce\xa9"
     "ft",
     U_RESIST, 0.3048}, /* Ωft */
    {"s", U_TIME, 1},
    {"sec", U_TIME, 1},
    {"second", U_TIME, 1},
    {"seconds", U_TIME, 1},
    {"ms", U_TIME, 1e-3},
    {"hz", U_FREQ, 1},
    {"khz", U_FREQ, 1e3},
    {"deg", U_ANGLE, 1},
    {"degree", U_ANGLE, 1},
    {"degrees", U_ANGLE, 1},
    {"\xc2\xb0", U_ANGLE, 1}, /* ° */
    {"rad", U_ANGLE, 180 / FWD_PI},
    {"mrad", U_ANGLE, 0.18 / FWD_PI},
    {"decade", U_DECADES, 1},
    {"decades", U_DECADES, 1},
    {"log10", U_DECADES, 1},
    {"%", U_REL, 0.01},
    {"pct", U_REL, 0.01},
    {"percent", U_REL, 0.01},
    {"fraction", U_REL, 1},
    {"v", U_VOLT, 1},
    {"mv", U_VOLT, 1e-3},
    {"uv", U_VOLT, 1e-6},
    {"\xc2\xb5v", U_VOLT, 1e-6}, /* µV */
    {"\xce\xbcv", U_VOLT, 1e-6}, /* μV, the Greek letter mu for the micro sign */
    {"a", U_AMP, 1},
    {"ma", U_AMP, 1e-3},
    {"ohm", U_OHM, 1},
    {"ohms", U_OHM, 1},
    {"mohm", U_OHM, 1e-3},
    {"kohm", U_OHM, 1e3},
    {"k\xce\xa9", U_OHM, 1e3}, /* kΩ */
    {"\xce\xa9", U_OHM, 1},    /* Ω */
};

/* The units a family accepts, for messages. */
static const char *const family_units[] = {
    [U_NONE] = "none",
    [U_LENGTH] = "m, cm, km or ft",
    [U_RESIST] = "ohm-m, kohm-m, ohm-ft or ohm-cm",
    [U_TIME] = "s or ms",
    [U_FREQ] = "Hz or kHz",
    [U_ANGLE] = "degrees or rad",
    [U_DECADES] = "decades (of log10 rho_a)",
    [U_REL] = "% or fraction",
    [U_VOLT] = "V, mV or uV",
    [U_AMP] = "A or mA",
    [U_OHM] = "ohm, mohm or kohm",
};

/* The names of the columns other than the methods' x columns (normalised: lower case,
 * runs of spaces, dots and dashes as one '_', none at the ends), with the unit a name
 * implies ("rho_a_ohmm": ohm-m; NULL: the family's first unit unless the header gives one). */
static const struct {
    const char *name;
    int kind;
    const char *unit;
} names[] = {
    {"mn2", COL_MN2, NULL},
    {"mn2_m", COL_MN2, "m"},
    {"mn/2", COL_MN2, NULL},
    {"rho_a", COL_RHO, NULL},
    {"rho_a_ohmm", COL_RHO, "ohmm"},
    {"rhoa", COL_RHO, NULL},
    {"rho_app", COL_RHO, NULL},
    {"app_res", COL_RHO, NULL},
    {"apparent_res", COL_RHO, NULL},
    {"app_resistivity", COL_RHO, NULL},
    {"apparent_resistivity", COL_RHO, NULL},
    /* in the field crews' own languages: Spanish, Portuguese, French, German */
    {"resistividad_aparente", COL_RHO, NULL},
    {"resistividad", COL_RHO, NULL},
    {"resistividade_aparente", COL_RHO, NULL},
    {"resistividade", COL_RHO, NULL},
    {"r\xc3\xa9sistivit\xc3\xa9_apparente", COL_RHO, NULL}, /* résistivité apparente */
    {"resistivite_apparente", COL_RHO, NULL},
    {"r\xc3\xa9sistivit\xc3\xa9", COL_RHO, NULL},
    {"scheinbarer_widerstand", COL_RHO, NULL},
    {"scheinbarer_spezifischer_widerstand", COL_RHO, NULL},
    {"resistivity", COL_RHO, NULL},
    {"res", COL_RHO, NULL},
    {"rho", COL_RHO, NULL},
    {"ra", COL_RHO, NULL},
    {"\xcf\x81\x61", COL_RHO, NULL},   /* ρa */
    {"\xcf\x81_a", COL_RHO, NULL},     /* ρ_a */
    {"\xcf\x81s", COL_RHO, NULL},      /* ρs: apparent resistivity in much of the literature */
    {"\xcf\x81_s", COL_RHO, NULL},     /* ρ_s */
    {"\xcf\x81\x61pp", COL_RHO, NULL}, /* ρapp */
    {"\xcf\x81_app", COL_RHO, NULL},   /* ρ_app */
    {"\xcf\x81", COL_RHO, NULL},       /* ρ */
    {"phase", COL_PHASE, NULL},
    {"phase_deg", COL_PHASE, "deg"},
    {"phi", COL_PHASE, NULL},
    {"phs", COL_PHASE, NULL},
    {"\xcf\x86", COL_PHASE, NULL}, /* φ */
    {"\xcf\x95", COL_PHASE, NULL}, /* ϕ */
    {"sd_log10_rho_a", COL_SDL, NULL},
    {"sd_log10_rho", COL_SDL, NULL},
    {"sd_log10_rhoa", COL_SDL, NULL},
    {"sd_log10rho", COL_SDL, NULL},
    {"std_log10_rho", COL_SDL, NULL},
    {"sd_log_rho", COL_SDL, NULL},
    {"sd_phase_deg", COL_SDP, "deg"},
    {"sd_phase", COL_SDP, NULL},
    {"phase_err_deg", COL_SDP, "deg"},
    {"phase_err", COL_SDP, NULL},
    {"phase_error", COL_SDP, NULL},
    {"sd_phi", COL_SDP, NULL},
    {"phi_err", COL_SDP, NULL},
    {"log10_rho", COL_LOGRHO, NULL},
    {"log10_rho_a", COL_LOGRHO, NULL},
    {"log10_rhoa", COL_LOGRHO, NULL},
    {"log_rho", COL_LOGRHO, NULL},
    {"log_rho_a", COL_LOGRHO, NULL},
    {"error_pct", COL_ERR, "%"},
    {"err_pct", COL_ERR, "%"},
    {"rho_err_pct", COL_ERR, "%"},
    {"error_percent", COL_ERR, "%"},
    {"rel_error", COL_ERR, "fraction"},
    {"relative_error", COL_ERR, "fraction"},
    {"rel_err", COL_ERR, "fraction"},
    {"error", COL_ERR, NULL},
    {"err", COL_ERR, NULL},
    {"rho_err", COL_ERR, NULL},
    {"rho_error", COL_ERR, NULL},
    {"std", COL_SD, NULL},
    {"sd", COL_SD, NULL},
    {"stdev", COL_SD, NULL},
    {"std_dev", COL_SD, NULL},
    {"sigma", COL_SD, NULL},
    {"v", COL_V, NULL},
    {"dv", COL_V, NULL},
    {"delta_v", COL_V, NULL},
    {"voltage", COL_V, NULL},
    {"vp", COL_V, NULL},
    {"mv", COL_V, "mv"},
    {"i", COL_I, NULL},
    {"current", COL_I, NULL},
    {"ma", COL_I, "ma"},
    {"r", COL_R, NULL},
    {"resistance", COL_R, NULL},
    {"v/i", COL_R, NULL},
    {"dv/i", COL_R, NULL},
    {"x", COL_XM, NULL},
    {"x_m", COL_XM, "m"},
    {"easting", COL_XM, NULL},
    {"east", COL_XM, NULL},
    {"y", COL_YM, NULL},
    {"y_m", COL_YM, "m"},
    {"northing", COL_YM, NULL},
    {"north", COL_YM, NULL},
    {"elevation", COL_ELEV, NULL},
    {"elevation_m", COL_ELEV, "m"},
    {"elev", COL_ELEV, NULL},
    {"z", COL_ELEV, NULL},
    {"altitude", COL_ELEV, NULL},
    {"lat", COL_LAT, NULL},
    {"latitude", COL_LAT, NULL},
    {"lon", COL_LON, NULL},
    {"long", COL_LON, NULL},
    {"longitude", COL_LON, NULL},
    {"station", COL_STATION, NULL},
    {"site", COL_STATION, NULL},
    {"stn", COL_STATION, NULL},
    {"ves", COL_STATION, NULL},
};

/* The unit family of a column of kind `kind`, of method m's x column for COL_X; and the
 * default unit's compact name (NULL for none: the column has no unit). */
static unit_family
kind_family(int kind, fwd_method m)
{
    switch (kind) {
    case COL_X:
        return m == FWD_MT ? U_TIME : U_LENGTH;
    case COL_MN2:
        return U_LENGTH;
    case COL_FREQ:
        return U_FREQ;
    case COL_RHO:
        return U_RESIST;
    case COL_PHASE:
    case COL_SDP:
        return U_ANGLE;
    case COL_SDL:
        return U_DECADES;
    case COL_ERR:
    case COL_SD:
        return U_REL;
    case COL_V:
        return U_VOLT;
    case COL_I:
        return U_AMP;
    case COL_R:
        return U_OHM;
    case COL_XM:
    case COL_YM:
    case COL_ELEV:
        return U_LENGTH;
    case COL_LAT:
    case COL_LON:
        return U_ANGLE;
    default:
        return U_NONE;
    }
}

/* Whether a sounding of method mi has a column of kind `kind` (x: always). */
static int
has_column(const fwd_method_info *mi, int kind)
{
    size_t v;

    if (kind == COL_MN2)
        return mi->has_mn2;
    if (kind == COL_FREQ)
        return mi->x_recip_aliases != NULL;
    if (kind == COL_V || kind == COL_I || kind == COL_R)
        return mi->geometric_factor != NULL; /* raw readings of a DC array */
    if (kind == COL_LOGRHO || kind == COL_ERR || kind == COL_SD || kind >= COL_STATION)
        return 1;
    for (v = 0; v < N_VALUE_KINDS; v++)
        if (kind == value_cols[v].col || kind == value_cols[v].sd)
            return fwd_method_value_index(mi->method, (fwd_value_kind)v) >= 0;
    return 1;
}

/* The one method that has a column of kind `kind` (MN/2: Schlumberger; a phase: MT); -1
 * when several have it. */
static int
column_method(int kind)
{
    int m, found = -1;

    for (m = 0; m < FWD_N_METHODS; m++)
        if (has_column(fwd_method_get((fwd_method)m), kind)) {
            if (found >= 0)
                return -1;
            found = m;
        }
    return found;
}

/* The kind of the column named `name` (normalised), and the unit its name implies into
 * *unit ("" for none); -1 when the name is not known. A column that only one method has
 * sets *m to it. */
static int
name_kind(const char *name, fwd_method *m, const char **unit)
{
    const char *const *a;
    size_t k;
    int only;

    *unit = "";
    for (k = 0; k < FWD_N_METHODS; k++) {
        const fwd_method_info *mi = fwd_method_get((fwd_method)k);
        size_t len;

        for (a = mi->x_aliases; *a != NULL; a++)
            if (strcmp(name, *a) == 0) {
                *m = mi->method;
                len = strlen(*a);
                if (len > 2 && (*a)[len - 2] == '_') /* "ab2_m", "t_s": the unit implied */
                    *unit = *a + len - 1;
                return COL_X;
            }
        for (a = mi->x_recip_aliases; a != NULL && *a != NULL; a++)
            if (strcmp(name, *a) == 0) {
                *m = mi->method;
                if (strlen(*a) > 3 && strcmp(*a + strlen(*a) - 3, "_hz") == 0)
                    *unit = "hz";
                return COL_FREQ;
            }
    }
    for (k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(name, names[k].name) == 0) {
            only = column_method(names[k].kind);
            if (only >= 0)
                *m = (fwd_method)only;
            if (names[k].unit != NULL)
                *unit = names[k].unit;
            return names[k].kind;
        }
    return -1;
}

/* The factor of unit `unit` (compact) of family fam into *scale: 1 when fam has no unit
 * and none is given; 0 when the unit is not one of fam's. */
static double
unit_scale(const char *unit, unit_family fam)
{
    size_t k;

    if (unit[0] == '\0')
        return 1; /* the family's own unit: m, ohm-m, s, Hz, degrees, ... */
    for (k = 0; k < sizeof units / sizeof units[0]; k++)
        if (units[k].fam == fam && strcmp(units[k].name, unit) == 0)
            return units[k].scale;
    return 0;
}

/* Normalises a header name: lower case, runs of spaces, dots and dashes as one '_', none
 * at either end. */
static void
normalise_name(const char *in, size_t len, char *out, size_t cap)
{
    size_t k = 0;
    int gap = 0;

    for (; len > 0 && *in != '\0' && k + 1 < cap; in++, len--) {
        unsigned char c = (unsigned char)*in;

        if (c == ' ' || c == '.' || c == '-' || c == '_' || c == '\t') {
            gap = k > 0;
            continue;
        }
        if (gap && k + 2 < cap)
            out[k++] = '_';
        gap = 0;
        out[k++] = (char)tolower(c);
    }
    out[k] = '\0';
}

/* A unit in compact form: lower case, without spaces, dots, dashes, underscores, '*', '/',
 * or a middle dot. */
static void
compact_unit(const char *in, size_t len, char *out, size_t cap)
{
    size_t k = 0;

    for (; len > 0 && *in != '\0' && k + 1 < cap; in++, len--) {
        unsigned char c = (unsigned char)*in;

        if (c == ' ' || c == '.' || c == '-' || c == '_' || c == '*' || c == '\t')
            continue;
        if (c == 0xc2 && len > 1 && (unsigned char)in[1] == 0xb7) { /* · */
            in++, len--;
            continue;
        }
        out[k++] = (char)tolower(c);
    }
    out[k] = '\0';
}

/* Whether s is valid UTF-8 (fwd_utf8_len: a Windows code page's "°", byte 0xb0, is not). */
static int
utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n;

    for (; *p != '\0'; p += n)
        if ((n = fwd_utf8_len(p)) == 0)
            return 0;
    return 1;
}

/* Unicode of the Windows-1252 bytes 0x80-0x9f (0: none there); 0xa0-0xff are Latin-1's. */
static const unsigned short cp1252_80[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178};

/*
 * A station's name in UTF-8 (the JSON and the plots are): name itself when it is; else its
 * bytes read as Windows-1252 (Latin-1 and the Windows code page of Western Europe, what a
 * spreadsheet saves as "CSV" there) into buf, "Forage H\xe9l\xe8ne" as "Forage Hélène"
 * (it went into the outputs as raw bytes: JSON no parser reads), *changed set. A byte that
 * page has not is '?'.
 */
static const char *
name_utf8(const char *name, char *buf, size_t cap, int *changed)
{
    const unsigned char *p;
    size_t k = 0;

    if (utf8_valid(name))
        return name;
    for (p = (const unsigned char *)name; *p != '\0' && k + 4 < cap; p++) {
        unsigned u = *p < 0x80 ? *p : *p < 0xa0 ? cp1252_80[*p - 0x80] : *p;

        if (u == 0)
            buf[k++] = '?';
        else if (u < 0x80)
            buf[k++] = (char)u;
        else if (u < 0x800) {
            buf[k++] = (char)(0xc0 | (u >> 6));
            buf[k++] = (char)(0x80 | (u & 0x3f));
        } else {
            buf[k++] = (char)(0xe0 | (u >> 12));
            buf[k++] = (char)(0x80 | ((u >> 6) & 0x3f));
            buf[k++] = (char)(0x80 | (u & 0x3f));
        }
    }
    buf[k] = '\0';
    *changed = 1;
    return buf;
}

/* Whether name (normalised) is a full electrode spacing, "ab" or "mn": it becomes the
 * half-spacing's name ("ab2", "mn2"), whose values are half its own. */
static int
full_spacing(char *name, size_t cap)
{
    if (cap < 4 || (strcmp(name, "ab") != 0 && strcmp(name, "mn") != 0))
        return 0;
    name[2] = '2', name[3] = '\0';
    return 1;
}

/* What a header field names: its kind (-1 unknown), the method a column of one method
 * implies (*m), and the factor of its unit (*scale; halved for a full spacing, AB or MN,
 * which *full then says when not NULL). FWD_EFORMAT for a unit that is not one of the
 * column's, naming it. */
static int
field_kind(const char *field, const char *path, size_t line, fwd_method *m, int *kind,
           double *scale, int *has_unit, int *full, fwd_error *err)
{
    char name[64], unit[32] = "", inner[64];
    const char *open = strpbrk(field, "(["), *implied = "", *close;
    size_t nlen = open != NULL ? (size_t)(open - field) : strlen(field);
    unit_family fam;
    int half;

    normalise_name(field, nlen, name, sizeof name);
    half = full_spacing(name, sizeof name);
    if (open != NULL) {
        close = strchr(open, open[0] == '(' ? ')' : ']');
        nlen = close != NULL ? (size_t)(close - open - 1) : strlen(open + 1);
        normalise_name(open + 1, nlen, inner, sizeof inner);
        /* LOG10(RHO): log10 of a resistivity, not a unit */
        if (strcmp(name, "log10") == 0 || strcmp(name, "log") == 0 || strcmp(name, "lg") == 0) {
            const char *u;
            fwd_method im = *m;

            if (name_kind(inner, &im, &u) == COL_RHO) {
                *kind = COL_LOGRHO;
                *scale = 1;
                if (has_unit != NULL)
                    *has_unit = 0;
                return FWD_OK;
            }
        }
        compact_unit(open + 1, nlen, unit, sizeof unit);
    }
    *kind = name_kind(name, m, &implied);
    if (*kind < 0 && open == NULL) { /* "rhoa_ohmm", "ab2_ft": a name, then a unit */
        char *us = strrchr(name, '_');

        if (us != NULL && us > name) {
            *us = '\0';
            half = full_spacing(name, sizeof name);
            *kind = name_kind(name, m, &implied);
            compact_unit(us + 1, strlen(us + 1), unit, sizeof unit);
            if (*kind >= 0 && unit_scale(unit, kind_family(*kind, *m)) == 0)
                *kind = -1; /* not a unit of it: the whole name is unknown */
        }
    }
    *scale = 1;
    if (full != NULL)
        *full = half && *kind >= 0;
    if (*kind < 0)
        return FWD_OK;
    fam = kind_family(*kind, *m);
    if (unit[0] == '\0')
        snprintf(unit, sizeof unit, "%s", implied);
    if (has_unit != NULL)
        *has_unit = unit[0] != '\0'; /* given, or implied by the name */
    if (fam == U_NONE && unit[0] != '\0')
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: header: \"%s\": expected no unit, got \"%s\"",
                        path, line, field, unit);
    if (fam != U_NONE && (*scale = unit_scale(unit, fam)) == 0)
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: header: \"%s\": unit \"%s\": expected %s%s",
                        path, line, field, unit, family_units[fam],
                        utf8_valid(unit) ? ""
                                         : " (a file saved in a Windows code page? save it as "
                                           "UTF-8)");
    if (half)
        *scale /= 2;
    return FWD_OK;
}

/*
 * Splits line (modified) into at most cap fields at sep (' ': runs of spaces and tabs);
 * fields are trimmed of spaces, and a field in double quotes (RFC 4180: "" is a quote) is
 * taken whole, its quotes removed.
 */
static size_t
split_at(char *line, char sep, char **f, size_t cap)
{
    size_t n = 0;
    char *p = line, *end, *w;

    for (;;) {
        while (*p == ' ' || *p == '\r' || (sep == ' ' && *p == '\t'))
            p++;
        if (*p == '\0' || n == cap)
            return n;
        if (*p == '"') { /* a quoted field: to its closing quote */
            f[n++] = w = ++p;
            while (*p != '\0' && !(*p == '"' && p[1] != '"')) {
                if (*p == '"')
                    p++;
                *w++ = *p++;
            }
            if (*p == '"')
                p++;
            while (*p != '\0' && *p != sep && !(sep == ' ' && *p == '\t'))
                p++; /* anything after the closing quote, up to the separator, is dropped */
            end = w;
            if (*p != '\0')
                p++;
            *end = '\0';
            continue;
        }
        f[n++] = p;
        while (*p != '\0' && *p != sep && !(sep == ' ' && *p == '\t'))
            p++;
        end = p;
        if (*p != '\0')
            *p++ = '\0';
        while (end > f[n - 1] && (end[-1] == ' ' || end[-1] == '\r'))
            *--end = '\0';
    }
}

/* The separator of a line: ';' if it has one outside quotes, else a tab, else ',', else
 * spaces. So a header name may hold spaces ("rho_a (ohm-m)") in a separated file, and ';'
 * and tab files may write decimal commas. */
static char
separator(const char *line)
{
    int quoted = 0, semi = 0, tab = 0, comma = 0;

    for (; *line != '\0'; line++) {
        if (*line == '"')
            quoted = !quoted;
        else if (!quoted)
            semi |= *line == ';', tab |= *line == '\t', comma |= *line == ',';
    }
    return semi ? ';' : tab ? '\t' : comma ? ',' : ' ';
}

static size_t
split(char *line, char **f, size_t cap, char *sep)
{
    *sep = separator(line);
    return split_at(line, *sep, f, cap);
}

/* The index of the field of line, split at sep, that holds c outside quoted fields (a
 * quote opens one at a field's start only); -1 when none does. */
static int
field_of(const char *line, char sep, char c)
{
    const char *p;
    int quoted = 0, k = 0;

    for (p = line; *p != '\0'; p++) {
        if (quoted) {
            if (*p == '"' && p[1] == '"')
                p++;
            else if (*p == '"')
                quoted = 0;
        } else if (*p == '"') {
            const char *b = p;

            while (b > line && b[-1] == ' ')
                b--;
            quoted = b == line || b[-1] == sep;
        } else if (*p == c) {
            return k;
        } else if (*p == sep) {
            k++;
        }
    }
    return -1;
}

/* A number; with decimal commas (sep not ','), "1,5" is 1.5. Not C's hexadecimal ("0x50",
 * which strtod reads as 80: no sounding writes it, and a cell of a code is not a reading). */
static int
parse_number_sep(const char *s, double *v, char sep)
{
    char *end, buf[64];
    const char *comma;

    if (strpbrk(s, "xX") != NULL)
        return 0;
    errno = 0;
    *v = fwd_strtod(s, &end);
    if (end != s && *end == '\0' && errno != ERANGE && isfinite(*v))
        return 1;
    if (sep == ',' || (comma = strchr(s, ',')) == NULL || strchr(comma + 1, ',') != NULL ||
        strchr(s, '.') != NULL || strlen(s) >= sizeof buf)
        return 0;
    snprintf(buf, sizeof buf, "%s", s);
    buf[comma - s] = '.';
    errno = 0;
    *v = fwd_strtod(buf, &end);
    return end != buf && *end == '\0' && errno != ERANGE && isfinite(*v);
}

/* A header name mapped to a name bpinv knows (fwd_sounding_read_columns). */
#define MAX_MAP 16
struct colmap {
    size_t n;
    char known[MAX_MAP][64];
    char header[MAX_MAP][128];
};

/* Trims spaces from both ends of s (in place); returns s. */
static char *
trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

/* Parses "KNOWN=HEADER,..." (HEADER in double quotes when it holds a comma) into map; each
 * KNOWN must name a column bpinv knows. FWD_EINVAL (field "columns") otherwise. */
static int
parse_columns(const char *spec, struct colmap *map, fwd_error *err)
{
    char buf[1024], *f[MAX_MAP + 1];
    size_t n, k, j;
    int kinds[MAX_MAP];

    map->n = 0;
    if (spec == NULL || spec[0] == '\0')
        return FWD_OK;
    if (strlen(spec) >= sizeof buf)
        return fwd_error_set_field(err, FWD_EINVAL, "columns",
                                   "columns: expected at most %zu characters, got %zu",
                                   sizeof buf - 1, strlen(spec));
    snprintf(buf, sizeof buf, "%s", spec);
    { /* at commas outside double quotes */
        char *q;
        int quoted = 0;

        f[0] = buf;
        n = 1;
        for (q = buf; *q != '\0'; q++) {
            if (*q == '"')
                quoted = !quoted;
            else if (*q == ',' && !quoted) {
                *q = '\0';
                if (n == MAX_MAP + 1)
                    break;
                f[n++] = q + 1;
            }
        }
    }
    if (n > MAX_MAP)
        return fwd_error_set_field(err, FWD_EINVAL, "columns",
                                   "columns: expected at most %d mappings", MAX_MAP);
    for (k = 0; k < n; k++) {
        char *eq = strchr(f[k], '='), *known, *header;
        fwd_method m = FWD_SCHLUMBERGER;
        double scale;
        int kind;

        if (eq == NULL)
            return fwd_error_set_field(err, FWD_EINVAL, "columns",
                                       "columns: expected NAME=HEADER, got \"%s\"", f[k]);
        *eq = '\0';
        known = trim(f[k]);
        header = trim(eq + 1);
        if (header[0] == '"' && strlen(header) >= 2 && header[strlen(header) - 1] == '"') {
            header[strlen(header) - 1] = '\0';
            header++;
        }
        if (field_kind(known, "columns", 0, &m, &kind, &scale, NULL, NULL, NULL) != FWD_OK ||
            kind < 0 || header[0] == '\0')
            return fwd_error_set_field(
                err, FWD_EINVAL, "columns",
                "columns: \"%s=%s\": expected a column name bpinv knows (ab2, mn2, a, period, "
                "freq, rho_a, log10_rho, phase, sd_log10_rho_a, error_pct, rel_error, sd_phase, "
                "v, i, r, station; a unit after '_': ab2_ft) = a header name",
                known, header);
        for (j = 0; j < map->n; j++) { /* one column per name, one name per column */
            if (kinds[j] == kind)
                return fwd_error_set_field(err, FWD_EINVAL, "columns",
                                           "columns: \"%s=%s\": %s is mapped already (%s=%s)",
                                           known, header, known, map->known[j], map->header[j]);
            if (strcmp(map->header[j], header) == 0)
                return fwd_error_set_field(
                    err, FWD_EINVAL, "columns",
                    "columns: \"%s=%s\": header \"%s\" is mapped already (%s=%s)", known, header,
                    header, map->known[j], map->header[j]);
        }
        kinds[map->n] = kind;
        snprintf(map->known[map->n], sizeof map->known[0], "%s", known);
        snprintf(map->header[map->n], sizeof map->header[0], "%s", header);
        map->n++;
    }
    return FWD_OK;
}

/* The name bpinv reads for header field f: the mapped one when map has f (used[] marks it). */
static const char *
mapped_name(const char *f, const struct colmap *map, int *used)
{
    size_t k;

    for (k = 0; map != NULL && k < map->n; k++)
        if (strcasecmp(f, map->header[k]) == 0) {
            used[k] = 1;
            return map->known[k];
        }
    return f;
}

/* The field names of a header, what they name, and the units they are in. */
struct columns {
    int col[COL_N];              /* field of each column; -1: none */
    double scale[COL_N];         /* its unit's factor to bpinv's unit */
    fwd_method m;                /* the method the names imply */
    char unknown[256];           /* the fields naming nothing known, ", "-joined */
    size_t n_known;              /* fields naming a known column */
    size_t n_unknown;            /* fields naming nothing known (or a column named before) */
    int unknown_col[MAX_FIELDS]; /* their fields */
    int map_used[MAX_MAP];       /* the mappings (struct colmap) a field matched */
    int has_unit[COL_N];         /* its header gives its unit, or its name implies one */
    int full[COL_N];             /* a full spacing (AB, MN), read as half its values */
};

/* Appends a then b to the string in buf (cap bytes), cut short to fit. */
static void
append(char *buf, size_t cap, const char *a, const char *b)
{
    size_t len = strlen(buf);

    snprintf(buf + len, cap - len, "%s%s", a, b);
}

/* A field's text for a list: quoted, ", "-joined. */
static void
append_field(char *buf, size_t cap, const char *field)
{
    fwd_list_append(buf, cap, ", ", "\"", field);
}

/* Adds a sentence to the file's note, "; "-joined. */
static void
note_to(char *buf, size_t cap, const char *say)
{
    fwd_list_append(buf, cap, "; ", "", say);
}

/* Finds the columns named in fields f into c: the method the names imply is that of the
 * spacing or period column, else of the last one-method column (mn2_m, phase_deg), else
 * expect. A "std" column is the error of log10 rho_a beside a log10 rho_a column, a relative
 * one given in %; anything else is asked. FWD_EFORMAT for a unit not the column's. */
static int
header_columns(char **f, size_t nf, fwd_method expect, const char *path, size_t line,
               const struct colmap *map, struct columns *c, fwd_error *err)
{
    fwd_method hm = expect, xm = expect, fm = expect;
    size_t k;
    int rc;

    memset(c, 0, sizeof *c);
    for (k = 0; k < COL_N; k++) {
        c->col[k] = -1;
        c->scale[k] = 1;
    }
    for (k = 0; k < nf && k < MAX_FIELDS; k++) {
        fwd_method cm = hm;
        double scale;
        int kind, has_unit = 0, full = 0;

        if ((rc = field_kind(mapped_name(f[k], map, c->map_used), path, line, &cm, &kind, &scale,
                             &has_unit, &full, err)) != FWD_OK)
            return rc;
        if (kind < 0 || c->col[kind] >= 0) {
            append_field(c->unknown, sizeof c->unknown, f[k]);
            c->unknown_col[c->n_unknown++] = (int)k;
            continue;
        }
        c->n_known++;
        if (kind == COL_X || kind == COL_FREQ || kind == COL_MN2 || kind == COL_PHASE)
            hm = cm;
        if (kind == COL_X)
            xm = cm;
        if (kind == COL_FREQ)
            fm = cm;
        c->col[kind] = (int)k;
        c->scale[kind] = scale;
        c->has_unit[kind] = has_unit;
        c->full[kind] = full;
    }
    if (c->col[COL_FREQ] >= 0 && c->col[COL_X] < 0) {
        c->col[COL_X] = c->col[COL_FREQ];
        c->scale[COL_X] = c->scale[COL_FREQ];
    } else {
        c->col[COL_FREQ] = -1;
    }
    c->m = c->col[COL_FREQ] >= 0 ? fm : c->col[COL_X] >= 0 ? xm : hm;
    if (c->col[COL_SD] >= 0) { /* "STD": of what, in what? */
        const char *name = f[c->col[COL_SD]];

        if (c->has_unit[COL_SD] && c->col[COL_ERR] < 0) { /* "std (%)": a relative error */
            c->col[COL_ERR] = c->col[COL_SD];
            c->scale[COL_ERR] = c->scale[COL_SD];
            c->has_unit[COL_ERR] = 1;
        } else if (c->col[COL_LOGRHO] >= 0 && c->col[COL_SDL] < 0) {
            c->col[COL_SDL] = c->col[COL_SD];
        } else {
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: header: \"%s\": expected a column named for its unit: "
                            "sd_log10_rho_a (decades), error_pct (%%) or rel_error (a fraction)",
                            path, line, name);
        }
        c->col[COL_SD] = -1;
    }
    if (c->col[COL_ERR] >= 0 && c->col[COL_SDL] < 0 && !c->has_unit[COL_ERR]) {
        const char *name = f[c->col[COL_ERR]];

        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: header: \"%s\": the error of rho_a in what? expected a "
                        "unit, \"%s (%%)\", or a name: error_pct, rel_error (a fraction), "
                        "sd_log10_rho_a (decades)",
                        path, line, name, name);
    }
    return FWD_OK;
}

/* Whether the columns give the apparent resistivity: by itself, its log10, or from the raw
 * readings of a DC array (R, or V and I). */
static int
has_rho(const int *col, fwd_method m)
{
    if (col[COL_RHO] >= 0 || col[COL_LOGRHO] >= 0)
        return 1;
    return fwd_method_get(m)->geometric_factor != NULL &&
           (col[COL_R] >= 0 || (col[COL_V] >= 0 && col[COL_I] >= 0));
}

/* The columns method m needs are all there: x and each of its values. */
static int
complete(const int *col, fwd_method m)
{
    const fwd_method_info *mi = fwd_method_get(m);
    size_t k;

    if (col[COL_X] < 0)
        return 0;
    for (k = 0; k < mi->nvalues; k++) {
        int vc = value_cols[mi->values[k]->kind].col;

        if (vc == COL_RHO ? !has_rho(col, m) : col[vc] < 0)
            return 0;
    }
    return 1;
}

/* The fields f[0..nf) joined by ", " into buf (cut short at cap, with "..."), for a message. */
static const char *
join_fields(char *buf, size_t cap, char *const *f, size_t nf)
{
    size_t k, len = 0;
    int n;

    buf[0] = '\0';
    for (k = 0; k < nf; k++) {
        n = snprintf(buf + len, cap - len, "%s%s", k > 0 ? ", " : "", f[k]);
        if (n < 0 || (size_t)n >= cap - len) {
            if (cap > 4)
                strcpy(buf + cap - 4, "...");
            break;
        }
        len += (size_t)n;
    }
    return buf;
}

/* The columns that place a station. */
static const int position_cols[] = {COL_XM, COL_YM, COL_ELEV, COL_LAT, COL_LON};
#define N_POSITION_COLS (sizeof position_cols / sizeof position_cols[0])

/* One station of a file: its sounding and what tells its readings apart. */
struct station {
    fwd_sounding *s;
    size_t cap;    /* room in s */
    char key[256]; /* the station column's value, or the position's; "" for neither */
    size_t line;   /* its first row's line */
    size_t pos_line[N_POSITION_COLS]; /* the row that gave each position column; 0: none */
    int has_bad; /* a reading of a survey's station was bad: the first such error in bad */
    fwd_error bad;
    size_t last_row;                       /* the data row of its last point (text.rows) */
    size_t rep_k;                          /* its last point: readings merged into it (1: itself) */
    double rep_lr, rep_ph, rep_v1, rep_v2; /* their sums: log10 rho_a, phase, sd^2 of each */
    double rep_lo, rep_hi, rep_plo, rep_phi; /* their least and most log10 rho_a, phase */
    size_t rep_first;                        /* the first one's line */
    size_t n_rep;                            /* points merged from repeats */
    char rep_say[160];                       /* them, for the note */
    size_t n_filled, fill_line;              /* MN/2 cells filled from above; the first's line */
    size_t n_noval, noval_line; /* rows of a long table with no reading; the first's line */
    double sum_x_noval;         /* their spacings (a spreadsheet's total counts them) */
    char noval_name[64];        /* its (first) measured column's name */
    double sum_x, sum_rho;      /* of its readings as read (a total or mean row: none) */
    double first_x, prev_x;     /* the first's and the last's spacing (period) */
    int one_x;                  /* all of them at one spacing so far */
    size_t n_read;              /* its readings as read */
    size_t summary_line; /* its last reading looks like a total (1) or mean (2) row: its line */
    int summary_kind;    /* (its x is prev_x, the readings above n_read - 1) */
    double summary_rho;
};

/* A text file being read. */
struct text {
    const char *path;
    fwd_method m; /* the method expected */
    const fwd_method_info *mi;
    int col[COL_N];             /* field of each column; -1: none */
    double scale[COL_N];        /* the factor of each column's unit */
    int has_unit[COL_N];        /* the header gives it, or the column's name implies it */
    int full[COL_N];            /* a full spacing (AB, MN): its values halved */
    int units_seen;             /* the row after the header was looked at as units */
    const char *colname[COL_N]; /* the columns' names in messages */
    char hdrname[COL_N][64];    /* the header's own names of the columns it names */
    char unused[256];           /* the header's fields not read */
    char note[256];             /* what the reader assumed (fwd_sounding.note) */
    size_t comma_line;          /* the first reading with a decimal comma (0: none) */
    char comma_num[32];         /* and its number */
    size_t dot3_line;           /* the first '.' number like "15.149" (a thousands group?) */
    char dot3_num[32];          /* and it */
    int dot_other;              /* a '.' number that is not like it */
    int header;                 /* the columns are named (a header row or comment) */
    size_t header_line;         /* its line */
    int wenner_ab2;             /* a Wenner sounding given as AB/2 = 1.5 a and MN/2 = a / 2 */
    int started;                /* the first reading has settled the columns */
    int mk_mn2, mk_sdl, mk_sdp; /* the soundings have MN/2, rho_a errors, phase errors */
    size_t n_wide;              /* the wide layout: stations, one rho_a column each; 0: not */
    char not_station[48];       /* a field that kept a header from the wide layout ("K") */
    size_t n_header_fields;     /* fields of the header */
    int wide_col[MAX_FIELDS];   /* their fields */
    char wide_name[MAX_FIELDS][FWD_SOUNDING_NAME_MAX]; /* and names, from the header */
    char sep;                                          /* the separator of the line being read */
    char comment[1024];       /* the last whole-line comment before the data */
    size_t comment_line;      /* its line */
    size_t lineno, need, nf0; /* line; fields needed; fields of the first reading */
    struct station *st;       /* the stations, in the order of their first readings */
    size_t n_st, cap_st, cur; /* how many; room; the station of the last reading */
    int survey;               /* read as a survey (fwd_sounding_read_survey): with a station
                                 column, a bad reading fails its station alone */
    size_t *slot, n_slot;     /* hash of the keys: station + 1 per slot, 0 empty */
    struct colmap map;        /* header names mapped (fwd_sounding_read_columns) */
    double fill_mn2;          /* the last MN/2 given (0: none), for the cells left empty */
    char fill_key[FWD_SOUNDING_NAME_MAX]; /* and its row's station cell ("" without) */
    int row_filled;                       /* the row's MN/2 was */
    int row_noval;   /* the row of a long table has no reading (row_no_reading): its column */
    int row_shifted; /* its readings' cells empty, an error given: shifted by a cell? */
    int row_ints;    /* every field of the row a whole number, in a table of ',': decimal
                        commas split there (1,99,85), said where the row is refused */
    size_t n_filled, fill_line, fill_row; /* MN/2 cells filled from above (a wide table's);
                                             the first's line; the row counted last */
    size_t rows;                          /* data rows so far (the row being read's number) */
    char sheet_err[16];                   /* the first spreadsheet error value, "#DIV/0!" */
    char line_err[16];                    /* the line's first ("": none) */
    int hash_cut;                         /* the line's data were cut by a '#' (a comment) */
    int hash_clean;  /* and the '#' came after a blank or a separator: the fields before whole */
    char header_sep; /* the header's separator */
    int cp1252;      /* a station's name was read as Windows-1252 */
    size_t sheet_err_line, n_sheet_err; /* its line; how many were blanked */
    size_t line_n_sheet, n_sheet_noval; /* of them, the line's; those in rows of no reading
                                           (each station's note says them) */
};

static void
text_init(struct text *t, const char *path, fwd_method expect)
{
    size_t k;

    memset(t, 0, sizeof *t);
    t->path = path;
    t->m = expect;
    t->mi = fwd_method_get(expect);
    for (k = 0; k < COL_N; k++) {
        t->col[k] = -1;
        t->scale[k] = 1;
        t->colname[k] = "";
    }
    t->colname[COL_X] = t->mi->x_column;
    t->colname[COL_MN2] = "mn2_m";
    if (t->mi->x_recip_column != NULL)
        t->colname[COL_FREQ] = t->mi->x_recip_column;
    for (k = 0; k < t->mi->nvalues; k++) {
        const fwd_value_info *v = t->mi->values[k];

        t->colname[value_cols[v->kind].col] = v->column;
        t->colname[value_cols[v->kind].sd] = v->sd_column;
    }
}

/* What a message adds when the line's '#' cut its data off ("VES #1" unquoted). */
#define HASH_HINT(t)                                                                               \
    ((t)->hash_cut ? " (a '#' starts a comment: put a field that holds one in double quotes)" : "")

/* The error values a spreadsheet writes in a cell it cannot compute (Excel, LibreOffice). */
static const char *const sheet_errors[] = {"#DIV/0!", "#N/A",    "#VALUE!", "#REF!",
                                           "#NAME?",  "#NUM!",   "#NULL!",  "#SPILL!",
                                           "#CALC!",  "#FIELD!", "#NV",     NULL};

/* The length of the spreadsheet error value at p ("#DIV/0!") when one is there, a cell's
 * whole text: a separator, or spaces and the line's end, after it ("2 11 #NUM! retyped" in
 * a table of spaces is a comment); else 0. */
static size_t
sheet_error(const char *p)
{
    const char *const *e;

    for (e = sheet_errors; *e != NULL; e++) {
        size_t n = strlen(*e), k = n;

        if (strncasecmp(p, *e, n) != 0)
            continue;
        if (p[n] != '\0' && strchr(",;\t\"", p[n]) != NULL)
            return n;
        while (p[k] == ' ')
            k++;
        if (p[k] == '\0' || p[k] == '\r' || p[k] == '\n')
            return n;
    }
    return 0;
}

/* Whether p (in buf) begins a field: the line's start, or a separator before it (spaces
 * aside). */
static int
field_start(const char *buf, const char *p)
{
    while (p > buf && p[-1] == ' ')
        p--;
    return p == buf || strchr(",;\t", p[-1]) != NULL;
}

/* Whether the '#' at p (in buf) lies within a name: a number follows it (and at most one
 * letter) to its field's end, and the text of the field before it is no number (the field:
 * from the last ',', ';' or tab before p; in a table of spaces, by the header's separator, or
 * before the header where none lies before p, from the last space). Spreadsheets write VES #1, P#3
 * and VES#12a unquoted in their CSV files; a comment follows a reading (12 # re-read, 12#2) or a
 * remark or a name with more after the number (VES1 #2nd pass, bad contact # 3 x). */
static int
in_name(const struct text *t, const char *buf, const char *p)
{
    const char *f, *e = p, *q = p + 1, *after;
    char cell[64], *end;
    int spaces; /* a table of spaces: the header's separator; before one, none before p */

    if (!isdigit((unsigned char)*q))
        return 0;
    while (isdigit((unsigned char)*q))
        q++;
    if (isalpha((unsigned char)*q))
        q++;
    for (after = q; *after == ' '; after++)
        ;
    spaces = t->header ? t->header_sep == ' ' : 1;
    for (f = buf; f < p && spaces && !t->header; f++)
        spaces = strchr(",;\t", *f) == NULL;
    if (spaces
            ? *q != ' ' && *q != '\0' && *q != '\r' && *q != '\n'
            : *after != '\0' && *after != '\r' && *after != '\n' && strchr(",;\t", *after) == NULL)
        return 0; /* more text after the number: a comment */
    for (f = p; f > buf && (spaces ? f[-1] != ' ' : strchr(",;\t", f[-1]) == NULL); f--)
        ;
    while (f < e && (*f == ' ' || *f == '"'))
        f++;
    while (e > f && e[-1] == ' ')
        e--;
    if (e == f || (size_t)(e - f) >= sizeof cell)
        return 0;
    memcpy(cell, f, (size_t)(e - f));
    cell[e - f] = '\0';
    (void)strtod(cell, &end);
    return *end != '\0';
}

/*
 * The comment of a line: its first '#' that is not inside a quoted field ("VES #1" is a
 * name; a quote opens a field only at its start: an inch mark, 2", opens none), nor within a
 * name (VES #1 or VES#1 unquoted, in_name: until 2026-12-06 cut to VES, two such stations
 * merged where their spacings differed), nor a
 * spreadsheet's error value in a cell of its own ("#DIV/0!": until 2026-12-06 the rest of
 * the line went with it, the other stations' readings too, in silence); NULL for none. A
 * line whose first character is '#' is a comment whole. Error values become empty cells
 * ("", quoted "#N/A" too: a reading that is not there), the first kept in t->sheet_err for
 * the messages and notes.
 */
static char *
comment_of(struct text *t, char *buf)
{
    char *p = buf;
    int quoted = 0;

    t->line_err[0] = '\0';
    t->line_n_sheet = 0;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '#')
        return p;
    for (p = buf; *p != '\0'; p++) {
        size_t n = 0, q = 0;

        if (quoted) { /* to the closing quote ("" is a quote within) */
            if (*p == '"' && p[1] == '"')
                p++;
            else if (*p == '"')
                quoted = 0;
            continue;
        }
        if (*p == '"' && field_start(buf, p)) {
            q = sheet_error(p + 1); /* a quoted error value, "#N/A" (R's write.csv) */
            if (q == 0 || p[1 + q] != '"') {
                quoted = 1;
                continue;
            }
        } else if (*p == '#' && !field_start(buf, p) && in_name(t, buf, p)) {
            continue;
        } else if (*p == '#' && (!field_start(buf, p) || (n = sheet_error(p)) == 0)) {
            return p;
        } else if (*p != '#') {
            continue;
        }
        if (t->line_err[0] == '\0') /* the token, unquoted */
            snprintf(t->line_err, sizeof t->line_err, "%.*s", (int)(q > 0 ? q : n),
                     q > 0 ? p + 1 : p);
        if (t->sheet_err_line == 0) {
            memcpy(t->sheet_err, t->line_err, sizeof t->sheet_err);
            t->sheet_err_line = t->lineno;
        }
        t->n_sheet_err++;
        t->line_n_sheet++;
        n = q > 0 ? q + 2 : n;
        /* an empty quoted field, "": a cell even at the line's end (where a bare empty one
         * after the last separator is none) */
        p[0] = p[1] = '"';
        memmove(p + 2, p + n, strlen(p + n) + 1);
        p++;
    }
    return NULL;
}

/* Checks a line read (len bytes) and cuts off its comment; a whole-line comment before the
 * data is kept, as it may name the columns. */
static int
text_line(struct text *t, char *buf, ssize_t len, fwd_error *err)
{
    char *hash, *q;

    if (len > FWD_SOUNDING_MAX_LINE)
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: expected a line of at most %d bytes, got %zd bytes", t->path,
                        t->lineno, FWD_SOUNDING_MAX_LINE, len);
    if (memchr(buf, '\0', (size_t)len) != NULL)
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected text, got a NUL byte (a binary file?)",
                        t->path, t->lineno);
    t->hash_cut = t->hash_clean = 0;
    if ((hash = comment_of(t, buf)) != NULL) {
        q = buf;
        while (q < hash && (*q == ' ' || *q == '\t'))
            q++;
        t->hash_cut = q < hash;
        /* "4,-,# cable broke": the '#' after a blank or a separator, and the comment no
         * number nor separator (in "A,1 # x,10" the reading went into the comment) */
        t->hash_clean = t->hash_cut && strchr(" \t,;", hash[-1]) != NULL &&
                        strpbrk(hash + 1, ",;\t0123456789") == NULL;
        if (q == hash && !t->started && !t->header) {
            /* a whole-line comment before the data: maybe the column names */
            snprintf(t->comment, sizeof t->comment, "%s", hash + 1);
            t->comment_line = t->lineno;
            t->comment[strcspn(t->comment, "\r\n")] = '\0';
        }
        *hash = '\0';
    }
    buf[strcspn(buf, "\n")] = '\0';
    return FWD_OK;
}

/* A header that lacks a column the method needs: says which. */
static int
header_incomplete(const struct text *t, const int *col, char **f, size_t nf, size_t line,
                  fwd_error *err)
{
    const fwd_method_info *mi = t->mi;
    char got[160], miss[64] = "", want[128] = "", hint[160] = "";
    size_t k;
    int values = 0; /* value columns the header names */

    append(want, sizeof want, "", mi->x_column);
    if (mi->x_recip_column != NULL) {
        append(want, sizeof want, " (or ", mi->x_recip_column);
        append(want, sizeof want, ")", "");
    }
    if (col[COL_X] < 0)
        append(miss, sizeof miss, ", ", mi->x_column);
    for (k = 0; k < mi->nvalues; k++) {
        int vc = value_cols[mi->values[k]->kind].col;

        append(want, sizeof want, ", ", mi->values[k]->column);
        if (vc == COL_RHO ? !has_rho(col, t->m) : col[vc] < 0)
            append(miss, sizeof miss, ", ", mi->values[k]->column);
        else
            values++;
    }
    /* none of the method's columns (a title's words may name others: "VES 12 ..."); or a
     * table of one column per station but for a column that is none ("K") */
    if (col[COL_X] < 0 && col[COL_FREQ] < 0 && values == 0)
        snprintf(hint, sizeof hint, " (a title above the header? start it with #)");
    else if (t->not_station[0] != '\0')
        snprintf(hint, sizeof hint,
                 " (a table of one rho_a column per station? \"%s\" is no station's: leave that "
                 "column out)",
                 t->not_station);
    join_fields(got, sizeof got, f, nf);
    return fwd_fail(err, FWD_EFORMAT,
                    "%s:%zu: header: expected columns %s; got \"%s\", without %s%s%s%s", t->path,
                    line, want, got, miss + 2, hint, line == t->lineno ? HASH_HINT(t) : "",
                    utf8_valid(got) ? ""
                                    : " (the header is not UTF-8: a file saved in a Windows code "
                                      "page? save it as CSV UTF-8)");
}

/* A Wenner sounding written as a Schlumberger table: AB/2 = 1.5 a with MN/2 = a / 2 given
 * (checked at each reading). */
static int
wenner_as_ab2(const struct text *t, const struct columns *c)
{
    return t->m == FWD_WENNER && c->m == FWD_SCHLUMBERGER && c->col[COL_X] >= 0 &&
           c->col[COL_MN2] >= 0 && has_rho(c->col, FWD_WENNER);
}

/*
 * The wide layout of a DC survey: a header of the spacing (and MN/2) and then one column of
 * apparent resistivities per station, named by the station ("AB/2, VES1, VES2, VES3"). It is
 * taken when a header names the spacing and nothing else a sounding needs, and two or more
 * fields that are no column bpinv knows (one is an unknown name, an error), none of them a
 * name that no station would have (not_a_station: "K", "N°"). 1 when it is
 * (the stations are kept), 0 when it is not, -1 with err for a station named twice.
 */
/* Whether a header field names something that is no station's readings: a geometric
 * factor, a reading's number, a date, a remark, a mean or a depth ("K", "N°", "Date",
 * "Notes", "Mean", "Factor K"), in English, Spanish, French, German or Portuguese; or a
 * column with a unit no resistivity has ("Depth (m)", "Prof. [m]"). A tester's "Lectura"
 * (the readings' numbers, 1 to 14), "Nº", "Mean", "Factor K" and "Depth (m)" were each
 * inverted as a station's apparent resistivities. */
static int
not_a_station(const char *field)
{
    static const char *const no[] = {"k",
                                     "k_factor",
                                     "factor_k",
                                     "geometric_factor",
                                     "geom_factor",
                                     "gf",
                                     "factor_geometrico",
                                     "facteur_geometrique",
                                     "n\xc2\xb0",
                                     "n\xc2\xba",
                                     "no",
                                     "nr",
                                     "nro",
                                     "num",
                                     "number",
                                     "index",
                                     "id",
                                     "reading",
                                     "readings",
                                     "lectura",
                                     "lecture",
                                     "mesure",
                                     "messung",
                                     "leitura",
                                     "date",
                                     "fecha",
                                     "datum",
                                     "time",
                                     "hora",
                                     "heure",
                                     "remark",
                                     "remarks",
                                     "note",
                                     "notes",
                                     "comment",
                                     "comments",
                                     "observacion",
                                     "observaciones",
                                     "remarque",
                                     "bemerkung",
                                     "mean",
                                     "average",
                                     "avg",
                                     "media",
                                     "promedio",
                                     "moyenne",
                                     "mittel",
                                     "mittelwert",
                                     "total",
                                     "sum",
                                     "suma",
                                     "somme",
                                     "depth",
                                     "prof",
                                     "profundidad",
                                     "profondeur",
                                     "tiefe",
                                     "profundidade",
                                     "elevation",
                                     "elev",
                                     "x",
                                     "y",
                                     "z",
                                     "easting",
                                     "northing",
                                     NULL};
    char name[64], unit[32];
    const char *const *a, *open = field + strcspn(field, "([");
    size_t k;

    normalise_name(field, (size_t)(open - field), name, sizeof name);
    for (a = no; *a != NULL; a++)
        if (strcmp(name, *a) == 0)
            return 1;
    if (*open != '\0') { /* a unit of a length, a time, a frequency or an angle, of two
                          * letters or more ("VES 5 (A)", "VES1 (S)" are sites' names;
                          * "(ohm)" a loose resistivity) */
        compact_unit(open + 1, strcspn(open + 1, ")]"), unit, sizeof unit);
        for (k = 0; unit[1] != '\0' && k < sizeof units / sizeof units[0]; k++)
            if (strcmp(units[k].name, unit) == 0)
                return units[k].fam == U_LENGTH || units[k].fam == U_TIME ||
                       units[k].fam == U_FREQ || units[k].fam == U_ANGLE;
    }
    return 0;
}

static int
wide_layout(struct text *t, const struct columns *c, char **f, size_t line, fwd_error *err)
{
    size_t k, j;
    int cp = 0; /* a name read as Windows-1252 */

    if (!t->mi->hankel || c->m != t->m || c->col[COL_X] < 0 || c->col[COL_FREQ] >= 0 ||
        c->n_unknown < 2)
        return 0;
    for (k = 0; k < COL_N; k++)
        if (c->col[k] >= 0 && k != COL_X && k != COL_MN2)
            return 0;
    for (k = 0; k < c->n_unknown; k++) {
        const char *name = f[c->unknown_col[k]], *u;

        /* in UTF-8 (a Windows code page's read as Windows-1252), whole characters; two
         * names that are one in UTF-8 are one station's */
        u = name_utf8(name, t->wide_name[k], sizeof t->wide_name[k], &cp);
        if (u != t->wide_name[k])
            snprintf(t->wide_name[k], sizeof t->wide_name[k], "%s", u);
        for (j = 0; j < k; j++)
            if (strcmp(t->wide_name[k], t->wide_name[j]) == 0) {
                fwd_fail(err, FWD_EFORMAT,
                         "%s:%zu: header: \"%s\": expected one rho_a column per station (a "
                         "wide table), got that station twice",
                         t->path, line, name);
                return -1;
            }
        if (name[0] == '\0' || not_a_station(name)) {
            if (name[0] != '\0') /* said if the header is refused: it kept the layout off */
                snprintf(t->not_station, sizeof t->not_station, "%s", name);
            return 0;
        }
    }
    for (k = 0; k < c->n_unknown; k++) { /* a wide table: its stations' names */
        const char *name = f[c->unknown_col[k]];

        if (fwd_name_fits(name, strlen(name), t->path, line, "header", "a station name",
                          " (a wide table)", err) != FWD_OK)
            return -1;
        t->wide_col[k] = c->unknown_col[k];
    }
    t->n_wide = c->n_unknown;
    t->cp1252 |= cp;
    return 1;
}

/* The columns found by a header (row or comment) at line, for the sounding. */
static int
use_header(struct text *t, const struct columns *c, char **f, size_t nf, size_t line,
           const char *where, fwd_error *err)
{
    size_t k;

    for (k = 0; k < t->map.n; k++) /* a name the user mapped first: the rest reads by it */
        if (!c->map_used[k]) {
            char got[160];

            return fwd_error_set_field(err, FWD_EFORMAT, "columns",
                                       "%s:%zu: columns: \"%s\": expected a column of the "
                                       "header, got \"%s\"",
                                       t->path, line, t->map.header[k],
                                       join_fields(got, sizeof got, f, nf));
        }
    if (wenner_as_ab2(t, c)) {
        t->wenner_ab2 = 1;
    } else if (c->m != t->m) {
        char hint[200] = "";

        /* a Schlumberger spacing under the name "Spacing" (Wenner's, but a crew's word for
         * AB/2 too): which column made it so, and how to say it is AB/2 (not for a_m, nor the
         * other way: an AB/2 column is no Wenner a) */
        if (c->m == FWD_WENNER && t->m == FWD_SCHLUMBERGER && c->col[COL_X] >= 0 &&
            strncasecmp(f[c->col[COL_X]], "spacing", 7) == 0) {
            const char *name = f[c->col[COL_X]];
            /* quoted for a shell when it holds more than a word ("Spacing (m)") */
            const char *q = name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                              "0123456789_./-")] != '\0'
                                ? "'"
                                : "";

            snprintf(hint, sizeof hint, "; if \"%s\" is %s, say so: --columns %s%s=%s%s", name,
                     t->mi->x_column, q, t->mi->x_column, name, q);
        }
        return fwd_fail(err, FWD_EINVAL,
                        "%s:%zu: columns: this is %s %s sounding (%s names %s columns), "
                        "expected %s%s",
                        t->path, line, fwd_method_article(c->m), fwd_method_name(c->m), where,
                        fwd_method_name(c->m), fwd_method_name(t->m), hint);
    }
    if (!complete(c->col, t->wenner_ab2 ? FWD_WENNER : t->m)) {
        int wide = t->wenner_ab2 ? 0 : wide_layout(t, c, f, line, err);

        if (wide < 0)
            return FWD_EFORMAT;
        if (wide == 0)
            return header_incomplete(t, c->col, f, nf, line, err);
    }
    t->header = 1;
    t->header_line = line;
    t->header_sep = t->sep;
    t->n_header_fields = nf;
    memcpy(t->col, c->col, sizeof t->col);
    memcpy(t->scale, c->scale, sizeof t->scale);
    memcpy(t->has_unit, c->has_unit, sizeof t->has_unit);
    memcpy(t->full, c->full, sizeof t->full);
    snprintf(t->unused, sizeof t->unused, "%s", t->n_wide > 0 ? "" : c->unknown);
    for (k = 0; k < COL_N; k++)
        if (t->col[k] >= 0) {
            snprintf(t->hdrname[k], sizeof t->hdrname[k], "%s", f[t->col[k]]);
            if (c->full[k]) {
                char say[160];

                snprintf(say, sizeof say, "\"%s\" read as the full spacing: halved to %s",
                         f[t->col[k]], k == COL_MN2 ? "MN/2" : "AB/2");
                note_to(t->note, sizeof t->note, say);
            }
        }
    return FWD_OK;
}

/* A header row: the columns by name. */
static int
header_row(struct text *t, char **f, size_t nf, fwd_error *err)
{
    struct columns c;
    int rc = header_columns(f, nf, t->m, t->path, t->lineno, &t->map, &c, err);

    return rc != FWD_OK ? rc : use_header(t, &c, f, nf, t->lineno, "its header", err);
}

/*
 * The comment line just above the first reading (of nf fields), if it names the columns
 * (as the files of docs/examples do: "# period_s rho_a_ohmm phase_deg ..."): a comment of as
 * many fields as the reading, one of them a known column name, is a header, and is then
 * read as one (a needed column it lacks is an error, never a reason to read by position).
 */
static int
comment_header(struct text *t, size_t nf, fwd_error *err)
{
    char *cf[MAX_FIELDS], sep;
    size_t cn = split(t->comment, cf, MAX_FIELDS, &sep);
    struct columns c;
    int rc;

    if (cn == 0 || cn != nf)
        return FWD_OK;
    if ((rc = header_columns(cf, cn, t->m, t->path, t->comment_line, &t->map, &c, err)) != FWD_OK)
        return rc;
    if (c.n_known == 0)
        return FWD_OK; /* a remark, not names */
    return use_header(t, &c, cf, cn, t->comment_line, "the comment above its first reading", err);
}

/* No header: the columns of the method, by position: x, MN/2 when the reading has room for
 * it, then the method's values. */
static void
default_columns(struct text *t, size_t nf)
{
    const fwd_method_info *mi = t->mi;
    size_t k, first = 1;

    t->col[COL_X] = 0;
    if (mi->has_mn2 && nf >= mi->nvalues + 2) {
        t->col[COL_MN2] = 1;
        first = 2;
    }
    for (k = 0; k < mi->nvalues; k++)
        t->col[value_cols[mi->values[k]->kind].col] = (int)(first + k);
}

/* Drops column k (not of this method, or not needed beside another): it is listed unused. */
static void
drop_column(struct text *t, int k)
{
    if (t->col[k] < 0)
        return;
    if (t->hdrname[k][0] != '\0')
        append_field(t->unused, sizeof t->unused, t->hdrname[k]);
    t->col[k] = -1;
}

/* At the first reading: settles the columns the soundings are read from. */
static int
start_columns(struct text *t, fwd_error *err)
{
    int k;

    /* a header may also name another method's columns (a DC file with IP phases): they are
     * extra columns, and the sounding has no array for them */
    for (k = 0; k < COL_N; k++)
        if (k != COL_X && k != COL_FREQ && !(t->wenner_ab2 && k == COL_MN2) &&
            !has_column(t->mi, k))
            drop_column(t, k);
    /* the first of several sources of a value is read */
    if (t->col[COL_RHO] >= 0) {
        drop_column(t, COL_LOGRHO);
        drop_column(t, COL_R);
        drop_column(t, COL_V);
        drop_column(t, COL_I);
    } else if (t->col[COL_LOGRHO] >= 0) {
        drop_column(t, COL_R);
        drop_column(t, COL_V);
        drop_column(t, COL_I);
    } else if (t->col[COL_R] >= 0) {
        drop_column(t, COL_V);
        drop_column(t, COL_I);
    }
    if (t->col[COL_SDL] >= 0)
        drop_column(t, COL_ERR);
    if ((t->col[COL_R] >= 0 || t->col[COL_V] >= 0) && t->mi->has_mn2 && t->col[COL_MN2] < 0)
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: header: raw readings (\"%s\") need MN/2 for the geometric "
                        "factor of a Schlumberger array; expected an mn2_m column",
                        t->path, t->header_line, t->hdrname[t->col[COL_R] >= 0 ? COL_R : COL_V]);
    t->mk_mn2 = t->col[COL_MN2] >= 0 && !t->wenner_ab2;
    t->mk_sdl = t->col[COL_SDL] >= 0 || t->col[COL_ERR] >= 0;
    t->mk_sdp = t->col[COL_SDP] >= 0;
    for (k = 0; k < COL_N; k++)
        if (t->col[k] >= 0 && (size_t)t->col[k] + 1 > t->need)
            t->need = (size_t)t->col[k] + 1;
    if (t->col[COL_FREQ] >= 0)
        t->colname[COL_X] = t->colname[COL_FREQ];
    if (t->wenner_ab2)
        t->colname[COL_X] = "ab2_m";
    for (k = COL_LOGRHO; k < COL_N; k++) /* the new kinds are named as the header names them */
        t->colname[k] = t->hdrname[k];
    t->started = 1;
    return FWD_OK;
}

/* The hint of a row refused whose fields are all whole numbers in a table of ','
 * (struct text's row_ints). */
#define COMMA_HINT(t)                                                                              \
    ((t)->row_ints ? " (decimal commas? in a table separated by ',' a value 99,85 is two "         \
                     "fields: bpinv reads decimal commas in tables separated by ';' or tabs, "     \
                     "as a spreadsheet of such a locale saves CSV)"                                \
                   : "")

/* Whether v is a whole number: a sign or none, then digits only ("85", "-3"). */
static int
whole_number(const char *v)
{
    size_t a;

    v += *v == '-' || *v == '+';
    a = strspn(v, "0123456789");
    return a > 0 && v[a] == '\0';
}

/* A reading has the fields it needs, and under a header no value beyond its columns (a
 * row shifted by a cell, a note typed past the table: it was read in silence by the
 * header's columns); empty cells beyond are fine (spreadsheets write them). */
static int
check_fields(struct text *t, char **f, size_t nf, fwd_error *err)
{
    size_t k, j;

    t->row_ints = t->sep == ','; /* the station's name aside: text */
    for (j = 0; j < nf && t->row_ints; j++)
        t->row_ints = f[j][0] == '\0' || (int)j == t->col[COL_STATION] || whole_number(f[j]);
    for (k = t->header ? t->n_header_fields : nf; k < nf; k++)
        if (f[k][0] != '\0')
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: expected at most the header's %zu fields, got %zu: \"%s\" "
                            "beyond its last column%s",
                            t->path, t->lineno, t->n_header_fields, nf, f[k], COMMA_HINT(t));
    if (!t->header && t->nf0 < t->need) /* the first reading itself lacks a column */
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: expected %zu fields (%s %s sounding without a header), got %zu",
                        t->path, t->lineno, t->need, fwd_method_article(t->m),
                        fwd_method_name(t->m), nf);
    if (t->header && nf < t->need) { /* a spreadsheet leaves out the empty cells at the end */
        int c, first = -1;

        for (c = 0; c < COL_N; c++)
            if (t->col[c] >= (int)nf && c != COL_FREQ && (first < 0 || t->col[c] < t->col[first]))
                first = c;
        if (first >= 0)
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: %s: expected a value, got none (the row has %zu of the "
                            "header's %zu fields)%s",
                            t->path, t->lineno,
                            t->hdrname[first][0] != '\0' ? t->hdrname[first] : t->colname[first],
                            nf, t->n_header_fields, HASH_HINT(t));
    }
    if (nf < t->need || (!t->header && nf != t->nf0))
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected %zu fields%s, got %zu%s", t->path,
                        t->lineno, t->header ? t->need : t->nf0,
                        t->header ? "" : " (as the first reading)", nf, COMMA_HINT(t));
    return FWD_OK;
}

/* FNV-1a of a station's key. */
static size_t
key_hash(const char *key)
{
    size_t h = (size_t)14695981039346656037ULL;

    for (; *key != '\0'; key++)
        h = (h ^ (unsigned char)*key) * (size_t)1099511628211ULL;
    return h;
}

/* Doubles the hash of the stations' keys (open addressing, at most half full); -1 when out of
 * memory (t unchanged). */
static int
rehash(struct text *t)
{
    size_t n = t->n_slot > 0 ? 2 * t->n_slot : 64, k, h;
    size_t *slot = calloc(n, sizeof *slot);

    if (slot == NULL)
        return -1;
    for (k = 0; k < t->n_st; k++) {
        for (h = key_hash(t->st[k].key) & (n - 1); slot[h] != 0; h = (h + 1) & (n - 1))
            continue;
        slot[h] = k + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->n_slot = n;
    return 0;
}

/* The station of key (its name name, "" to keep the file's), made at its first reading;
 * NULL when out of memory. */
static struct station *
station_of(struct text *t, const char *key, const char *name, fwd_error *err)
{
    char cut[sizeof t->st->key];
    struct station *st;
    size_t h;

    snprintf(cut, sizeof cut, "%s", key); /* a key is kept this long: looked up as kept */
    key = cut;
    if (t->n_st > 0 && strcmp(t->st[t->cur].key, key) == 0) /* the rows of a station together */
        return &t->st[t->cur];
    for (h = key_hash(key) & (t->n_slot - 1); t->n_slot > 0 && t->slot[h] != 0;
         h = (h + 1) & (t->n_slot - 1))
        if (strcmp(t->st[t->slot[h] - 1].key, key) == 0) {
            t->cur = t->slot[h] - 1;
            return &t->st[t->cur];
        }
    if (2 * (t->n_st + 1) > t->n_slot && rehash(t) != 0) {
        fwd_fail(err, FWD_ENOMEM, "%s: out of memory", t->path);
        return NULL;
    }
    if (t->n_st == t->cap_st) {
        size_t cap = t->cap_st > 0 ? 2 * t->cap_st : 4;
        struct station *p = realloc(t->st, cap * sizeof *p);

        if (p == NULL) {
            fwd_fail(err, FWD_ENOMEM, "%s: out of memory", t->path);
            return NULL;
        }
        t->st = p;
        t->cap_st = cap;
    }
    st = &t->st[t->n_st];
    memset(st, 0, sizeof *st);
    st->cap = 64;
    st->line = t->lineno;
    st->s = fwd_sounding_make(t->path, t->m, st->cap, t->mk_mn2, t->mk_sdl, t->mk_sdp);
    if (st->s == NULL) {
        fwd_fail(err, FWD_ENOMEM, "%s: out of memory", t->path);
        return NULL;
    }
    snprintf(st->key, sizeof st->key, "%s", key);
    for (h = key_hash(st->key) & (t->n_slot - 1); t->slot[h] != 0; h = (h + 1) & (t->n_slot - 1))
        continue;
    t->slot[h] = t->n_st + 1;
    snprintf(st->s->unused, sizeof st->s->unused, "%s", t->unused);
    if (name[0] != '\0') /* a cut file name's note goes */
        fwd_sounding_rename(st->s, t->path, name);
    t->cur = t->n_st++;
    return st;
}

/* Room in the station's sounding for one more point. */
static int
room(struct text *t, struct station *st, fwd_error *err)
{
    if (st->s->n < st->cap)
        return FWD_OK;
    if (st->cap >= FWD_MAX_POINTS)
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: expected at most %d points%s%s%s", t->path,
                        t->lineno, FWD_MAX_POINTS, t->n_st > 1 ? " for station \"" : "",
                        t->n_st > 1 ? st->s->name : "", t->n_st > 1 ? "\"" : "");
    if (fwd_sounding_grow(st->s, 2 * st->cap) != 0)
        return fwd_fail(err, FWD_ENOMEM, "%s: out of memory", t->path);
    st->cap *= 2;
    return FWD_OK;
}

/*
 * The station a reading (of values raw) belongs to: by its station column; else, when the
 * file places its readings (x, y, lat, lon columns), by that place; else the file's one
 * station.
 */
static struct station *
reading_station(struct text *t, char **f, const double *raw, fwd_error *err)
{
    char key[256] = "";
    size_t k;

    if (t->col[COL_STATION] >= 0) {
        const char *v = f[t->col[COL_STATION]];

        if (v[0] == '\0' && t->n_st > 0) { /* the first may be blank: a file of one station */
            fwd_fail(err, FWD_EFORMAT,
                     "%s:%zu: %s: expected the station of every reading, got an empty cell (after "
                     "\"%s\"; fill in each row's station)",
                     t->path, t->lineno, t->hdrname[COL_STATION], t->st[t->cur].key);
            return NULL;
        }
        if (v[0] != '\0' && t->n_st > 0 && t->st[0].key[0] == '\0') {
            fwd_fail(err, FWD_EFORMAT,
                     "%s:%zu: %s: expected the station of every reading, got \"%s\" after empty "
                     "cells (line %zu)",
                     t->path, t->lineno, t->hdrname[COL_STATION], v, t->st[0].line);
            return NULL;
        }
        if (fwd_name_fits(v, strlen(v), t->path, t->lineno, t->hdrname[COL_STATION],
                          "a station name", "", err) != FWD_OK)
            return NULL;
        v = name_utf8(v, key, FWD_SOUNDING_NAME_MAX, &t->cp1252); /* whole characters */
        return station_of(t, v, v, err);
    }
    static const char *const label[] = {"x_m", "y_m", "elevation_m", "lat", "lon"};

    for (k = 0; k < N_POSITION_COLS; k++) {
        int c = position_cols[k];
        size_t len = strlen(key);

        if (t->col[c] >= 0 && c != COL_ELEV) /* a station's elevation is checked, not a key */
            snprintf(key + len, sizeof key - len, "%s%s %.15g", len > 0 ? ", " : "", label[k],
                     raw[c]);
    }
    return station_of(t, key, "", err);
}

/* Station st's position from a reading's x, y, elevation, lat, lon columns: the first
 * reading's that gives it (its line in st->pos_line), which the others repeat or leave empty
 * (NAN in raw: a survey table's position columns not filled in yet); one position per
 * station. */
static int
read_position(struct text *t, struct station *st, const double *raw, fwd_error *err)
{
    fwd_sounding *s = st->s;
    double *dst[N_POSITION_COLS];
    size_t k;

    dst[0] = &s->x_m, dst[1] = &s->y_m, dst[2] = &s->elevation_m;
    dst[3] = &s->lat_deg, dst[4] = &s->lon_deg;
    for (k = 0; k < N_POSITION_COLS; k++) {
        int c = position_cols[k];

        if (t->col[c] < 0 || isnan(raw[c]))
            continue;
        if (s->n == 0 || isnan(*dst[k])) {
            *dst[k] = raw[c];
            st->pos_line[k] = t->lineno;
        } else if (raw[c] != *dst[k]) {
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: %s: expected the station's one position, %.15g as on line "
                            "%zu, got %.15g",
                            t->path, t->lineno, t->colname[c], *dst[k], st->pos_line[k], raw[c]);
        }
    }
    if ((t->col[COL_LAT] >= 0 && fabs(s->lat_deg) > 90) ||
        (t->col[COL_LON] >= 0 && fabs(s->lon_deg) > 360))
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: %s: expected degrees, got %g", t->path,
                        t->lineno, t->colname[fabs(s->lat_deg) > 90 ? COL_LAT : COL_LON],
                        fabs(s->lat_deg) > 90 ? s->lat_deg : s->lon_deg);
    return FWD_OK;
}

/* An error of a reading that is the file's, not its cells' (a decimal mark in doubt, a
 * Schlumberger file read as Wenner, phases in a unit that is not theirs): with a survey's
 * stations, the file's error all the same. */
#define ROW_FILE_ERROR (-1)

/*
 * A spreadsheet's total or mean row below the readings (a tester's "663.5,,833.36": the
 * sums of the AB/2 and rho_a columns, read as a 15th reading at 663.5 m): the station's
 * last reading, its x and rho_a both the sum, or both the mean, of the 5 or more above it
 * (to 1 part in 1000, as the sheet rounds them), at another x than the one before, the ones
 * above not all at one x (the first spacing read 4 times: its 4th is their mean). Marked
 * here, refused when the station ends with it (finish_stations).
 */
static void
summary_row(struct station *st, size_t line, double x, double rho)
{
    double n = (double)st->n_read, xs = st->sum_x + st->sum_x_noval;
    double nx = n + (double)st->n_noval; /* the spacings' column counts rows of no reading */
    int ok = st->n_read >= 5 && !st->one_x && x != st->prev_x;
    int sum = ok && (fabs(x - st->sum_x) <= 1e-3 * st->sum_x || fabs(x - xs) <= 1e-3 * xs) &&
              fabs(rho - st->sum_rho) <= 1e-3 * st->sum_rho;
    int mean =
        ok &&
        (fabs(x - st->sum_x / n) <= 1e-3 * st->sum_x / n || fabs(x - xs / nx) <= 1e-3 * xs / nx) &&
        fabs(rho - st->sum_rho / n) <= 1e-3 * st->sum_rho / n;

    st->summary_line = sum || mean ? line : 0;
    st->summary_kind = sum ? 1 : 2;
    st->summary_rho = rho;
    st->one_x = st->n_read == 0 || (st->one_x && x == st->first_x);
    if (st->n_read == 0)
        st->first_x = x;
    st->prev_x = x;
    st->sum_x += x;
    st->sum_rho += rho;
    st->n_read++;
}

/*
 * The point just put at s->n, when it repeats the station's last one on the data row before
 * (field practice: read again to check; no other row between, of any station, comments and
 * blank lines aside): the same x and MN/2, and all the repeats within FWD_REPEAT_DECADES of
 * rho_a and FWD_REPEAT_DEGREES of phase of each other. Then it is merged into that point:
 * the geometric mean of rho_a, the mean phase, errors sqrt(sum sd^2) / k of k; 1. Else 0.
 */
static int
repeat_of_last(struct text *t, struct station *st)
{
    fwd_sounding *s = st->s;
    size_t n = s->n, k;
    double lr, ph, lo, hi, plo, phi;
    char one[64];

    if (n == 0 || st->last_row + 1 != t->rows || s->x[n] != s->x[n - 1] ||
        (s->mn2 != NULL && s->mn2[n] != s->mn2[n - 1]))
        return 0;
    lr = log10(s->rho_a[n]);
    ph = s->phase != NULL ? s->phase[n] : 0;
    lo = fmin(st->rep_lo, lr);
    hi = fmax(st->rep_hi, lr);
    plo = fmin(st->rep_plo, ph);
    phi = fmax(st->rep_phi, ph);
    if (hi - lo > FWD_REPEAT_DECADES || phi - plo > FWD_REPEAT_DEGREES)
        return 0;
    st->rep_lo = lo, st->rep_hi = hi, st->rep_plo = plo, st->rep_phi = phi;
    k = ++st->rep_k;
    st->rep_lr += lr;
    st->rep_ph += ph;
    st->rep_v1 += s->sd_log10 != NULL ? s->sd_log10[n] * s->sd_log10[n] : 0;
    st->rep_v2 += s->sd_phase != NULL ? s->sd_phase[n] * s->sd_phase[n] : 0;
    s->rho_a[n - 1] = pow(10, st->rep_lr / (double)k);
    if (s->phase != NULL)
        s->phase[n - 1] = st->rep_ph / (double)k;
    if (s->sd_log10 != NULL)
        s->sd_log10[n - 1] = sqrt(st->rep_v1) / (double)k;
    if (s->sd_phase != NULL)
        s->sd_phase[n - 1] = sqrt(st->rep_v2) / (double)k;
    if (k == 2 && st->n_rep++ < 3) { /* said in the note, with its lines once complete */
        snprintf(one, sizeof one, "%s %g from line %zu", t->mi->x_column, s->x[n - 1],
                 st->rep_first);
        note_to(st->rep_say, sizeof st->rep_say, one);
    }
    return 1;
}

/* One point of a reading (the values raw, from the fields f) into station st's sounding. */
static int
put_point(struct text *t, struct station *st, const double *raw, char **f, fwd_error *err)
{
    fwd_sounding *s = st->s;

    s->x[s->n] = t->col[COL_FREQ] >= 0 ? 1 / raw[COL_X] : raw[COL_X];
    if (t->wenner_ab2) { /* AB/2 = 1.5 a, MN/2 = a / 2 */
        double a = raw[COL_X] / 1.5;

        if (fabs(raw[COL_MN2] - a / 2) > 1e-3 * a)
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: mn2_m: expected AB/2 / 3 = %g m (a Wenner array: AB/2 = "
                            "1.5 a, MN/2 = a / 2), got %g: a Schlumberger sounding, read as "
                            "Wenner (the method asked for, or the net's)?",
                            t->path, t->lineno, raw[COL_X] / 3, raw[COL_MN2]),
                   ROW_FILE_ERROR;
        s->x[s->n] = a;
    } else if (s->mn2 != NULL) {
        s->mn2[s->n] = raw[COL_MN2];
    }
    if (t->col[COL_RHO] >= 0 || t->n_wide > 0) {
        s->rho_a[s->n] = raw[COL_RHO];
    } else if (t->col[COL_LOGRHO] >= 0) {
        s->rho_a[s->n] = pow(10, raw[COL_LOGRHO]);
    } else {
        double l = t->col[COL_MN2] >= 0 ? raw[COL_MN2] : 0;
        double k = t->mi->geometric_factor(s->x[s->n], l); /* has_rho: there is one */

        s->rho_a[s->n] = k * (t->col[COL_R] >= 0 ? raw[COL_R] : raw[COL_V] / raw[COL_I]);
    }
    if (!(isfinite(s->rho_a[s->n]) && s->rho_a[s->n] > 0))
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: rho_a_ohmm: expected a finite number > 0, got %g from the "
                        "columns read",
                        t->path, t->lineno, s->rho_a[s->n]);
    if (t->col[COL_PHASE] >= 0) {
        double v = raw[COL_PHASE];

        if ((v < -180 || v > 180) && t->scale[COL_PHASE] != 1) /* "(rad)": in degrees? */
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: phase_deg: expected degrees in [-180, 180], got \"%s\" in "
                            "the unit of \"%s\", %g degrees",
                            t->path, t->lineno, f[t->col[COL_PHASE]], t->hdrname[COL_PHASE], v),
                   ROW_FILE_ERROR;
        if (v < -180 || v > 180)
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: phase_deg: expected degrees in [-180, 180], got \"%s\"",
                            t->path, t->lineno, f[t->col[COL_PHASE]]);
        /* a yx phase given in the third quadrant is brought to the first */
        s->phase[s->n] = v < -90 ? v + 180 : v;
    }
    if (t->col[COL_SDL] >= 0)
        s->sd_log10[s->n] = raw[COL_SDL];
    else if (t->col[COL_ERR] >= 0) /* a relative error e of rho_a: e / ln 10 of log10 */
        s->sd_log10[s->n] = raw[COL_ERR] / log(10);
    if (t->col[COL_SDP] >= 0)
        s->sd_phase[s->n] = raw[COL_SDP];
    if (read_position(t, st, raw, err) != FWD_OK)
        return FWD_EFORMAT;
    if (s->mn2 != NULL && s->mn2[s->n] >= s->x[s->n])
        return fwd_fail(err, FWD_EFORMAT, "%s:%zu: mn2_m: expected less than AB/2 = %g m, got %g%s",
                        t->path, t->lineno, s->x[s->n], s->mn2[s->n],
                        t->header ? "" : COMMA_HINT(t));
    if (s->mn2 != NULL && s->mn2[s->n] < FWD_MN2_MIN_SHARE * s->x[s->n])
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: mn2_m: expected at least %g x AB/2 = %g m (smaller is the ideal "
                        "array: leave the column out), got %g",
                        t->path, t->lineno, FWD_MN2_MIN_SHARE, FWD_MN2_MIN_SHARE * s->x[s->n],
                        s->mn2[s->n]);
    summary_row(st, t->lineno, s->x[s->n], s->rho_a[s->n]);
    if (t->row_filled && t->n_wide == 0)
        st->fill_line = st->n_filled++ == 0 ? t->lineno : st->fill_line;
    else if (t->row_filled && t->fill_row != t->rows) { /* once a row, for all its stations */
        t->fill_row = t->rows;
        t->fill_line = t->n_filled++ == 0 ? t->lineno : t->fill_line;
    }
    if (!repeat_of_last(t, st)) {
        st->rep_k = 1;
        st->rep_lr = st->rep_lo = st->rep_hi = log10(s->rho_a[s->n]);
        st->rep_ph = st->rep_plo = st->rep_phi = s->phase != NULL ? s->phase[s->n] : 0;
        st->rep_v1 = s->sd_log10 != NULL ? s->sd_log10[s->n] * s->sd_log10[s->n] : 0;
        st->rep_v2 = s->sd_phase != NULL ? s->sd_phase[s->n] * s->sd_phase[s->n] : 0;
        st->rep_first = t->lineno;
        s->line[s->n++] = t->lineno;
    }
    st->last_row = t->rows;
    return FWD_OK;
}

/* The note of n empty MN/2 cells filled from above, the first on line, into say. */
static void
fill_note(char *say, size_t cap, size_t n, size_t line)
{
    snprintf(say, cap, "%zu empty MN/2 cell%s read as the MN/2 above, from line %zu", n,
             n == 1 ? "" : "s", line);
}

/* A station's own notes: its MN/2 cells filled from above, its repeats merged. */
static void
station_notes(struct station *st)
{
    char say[256];

    if (st->n_filled > 0) {
        fill_note(say, sizeof say, st->n_filled, st->fill_line);
        fwd_sounding_note(st->s, say);
    }
    if (st->n_noval > 0) {
        snprintf(say, sizeof say,
                 "no reading in %zu row%s (%s empty, or -, NA; line %zu%s): "
                 "left out",
                 st->n_noval, st->n_noval == 1 ? "" : "s", st->noval_name, st->noval_line,
                 st->n_noval == 1 ? "" : ", the first");
        fwd_sounding_note(st->s, say);
    }
    if (st->n_rep > 0) {
        snprintf(say, sizeof say, "reading%s repeated on the next row%s averaged: %s%s",
                 st->n_rep == 1 ? "" : "s", st->n_rep == 1 ? "" : "s", st->rep_say,
                 st->n_rep > 3 ? "; ..." : "");
        fwd_sounding_note(st->s, say);
    }
}

/* Whether s is an integer written in thousands groups of '.': "15.149", "-1.234.567". */
static int
dot_groups(const char *s)
{
    const char *p = s + (*s == '-' || *s == '+');
    size_t lead = strspn(p, "0123456789");

    if (lead < 1 || lead > 3 || p[lead] != '.')
        return 0;
    for (p += lead; *p == '.'; p += 4)
        if (strspn(p + 1, "0123456789") != 3)
            return 0;
    return *p == '\0';
}

/*
 * A reading's number (parse_number_sep), minding the decimal mark: a file separated by ';'
 * or tabs may write decimal commas, and beside them a '.' between groups of three digits
 * ("15.149") separates thousands, which bpinv does not read. 1: a number; 0: not one; -1:
 * a number in thousands groups ("1.234.567"); -2: the file's, such a number in a file with
 * decimal commas (err says where both are). The file's other '.' numbers are remembered for
 * its note (text_finish).
 */
static int
text_number(struct text *t, const char *s, double *v, const char *field, fwd_error *err)
{
    int groups;

    if (!parse_number_sep(s, v, t->sep)) {
        if (!dot_groups(s) && !(strchr(s, '.') != NULL && strchr(s, ',') != NULL))
            return 0;
        fwd_fail(err, FWD_EFORMAT,
                 "%s:%zu: %s: expected a number without thousands separators, got \"%s\"", t->path,
                 t->lineno, field, s);
        return -1;
    }
    if (t->sep == ',' || t->sep == ' ')
        return 1;
    groups = dot_groups(s);
    if (strchr(s, ',') != NULL && t->comma_line == 0) {
        t->comma_line = t->lineno;
        snprintf(t->comma_num, sizeof t->comma_num, "%s", s);
    }
    if (groups && t->dot3_line == 0) {
        t->dot3_line = t->lineno;
        snprintf(t->dot3_num, sizeof t->dot3_num, "%s", s);
    } else if (!groups && strchr(s, '.') != NULL) {
        t->dot_other = 1;
    }
    if (t->comma_line > 0 && t->dot3_line > 0) {
        fwd_fail(err, FWD_EFORMAT,
                 "%s:%zu: %s: expected numbers without thousands separators, got \"%s\" (line "
                 "%zu) in a file with decimal commas (\"%s\", line %zu): save the columns "
                 "without them",
                 t->path, t->lineno, field, t->dot3_num, t->dot3_line, t->comma_num, t->comma_line);
        return -2; /* the file's, not the cell's */
    }
    return 1;
}

/* Whether the ';' of line (split at the header's separator) lies in a field of no column
 * read. */
static int
semicolon_unread(const struct text *t, const char *line)
{
    int k = field_of(line, t->header_sep, ';'), c;

    if (k < 0)
        return 0;
    for (c = 0; c < COL_N; c++)
        if (t->col[c] == k)
            return 0;
    return 1;
}

/* Whether every field of a row is empty: a spreadsheet's row of separators (";;;"). */
static int
empty_row(char *const *f, size_t nf)
{
    size_t k;

    for (k = 0; k < nf; k++)
        if (f[k][0] != '\0')
            return 0;
    return 1;
}

/* A cell of a wide table with no reading: empty, "-", "--", "*", NA, N/A or NaN. */
static int
no_reading(const char *v)
{
    return v[0] == '\0' || strcmp(v, "-") == 0 || strcmp(v, "--") == 0 || strcmp(v, "*") == 0 ||
           strcasecmp(v, "na") == 0 || strcasecmp(v, "n/a") == 0 || strcasecmp(v, "nan") == 0;
}

/* The columns of a reading's measured values and their errors (not its spacing, MN/2,
 * station or place). */
static int
measured_col(int c)
{
    return c == COL_RHO || c == COL_LOGRHO || c == COL_R || c == COL_V || c == COL_I ||
           c == COL_PHASE || c == COL_SDL || c == COL_SDP || c == COL_ERR || c == COL_SD;
}

/* Whether a long table's row f has no reading: every measured value it has a column for
 * (rho_a or its log, R, V and I, the phase) no_reading() but NaN, and no error given, as a
 * crew leaves the cell of a spacing it could not read (or writes -, NA; a spreadsheet's
 * #N/A, read as empty): its first such column, else -1. A NaN there stays an error: a
 * number a program wrote that is none, not a reading not taken. */
static int
row_no_reading(struct text *t, char **f)
{
    static const int value[] = {COL_RHO, COL_LOGRHO, COL_R, COL_V, COL_I, COL_PHASE};
    static const int error[] = {COL_SDL, COL_SDP, COL_ERR, COL_SD};
    size_t k;
    int first = -1;

    for (k = 0; k < sizeof error / sizeof error[0]; k++) /* "2,,95": a row shifted by a cell */
        if (t->col[error[k]] >= 0 && !no_reading(f[t->col[error[k]]]))
            first = -2;
    if (first == -2) {
        for (k = 0; k < sizeof value / sizeof value[0]; k++)
            if (t->col[value[k]] >= 0 && !no_reading(f[t->col[value[k]]]))
                return -1;
        t->row_shifted = 1; /* said in the message of its empty cell */
        return -1;
    }
    for (k = 0; k < sizeof value / sizeof value[0]; k++) {
        if (t->col[value[k]] < 0)
            continue;
        if (!no_reading(f[t->col[value[k]]]) || strcasecmp(f[t->col[value[k]]], "nan") == 0)
            return -1;
        if (first < 0)
            first = value[k];
    }
    return first;
}

/* The readings of a wide table's row (values raw, nf fields f): one per station with a
 * value (a spreadsheet may leave out the empty cells at the end of a row). */
static int
read_wide(struct text *t, char **f, size_t nf, double *raw, fwd_error *err)
{
    size_t k;
    int rc;

    if (t->sep == ' ' && nf < t->n_header_fields) /* spaces: an empty cell is no field */
        return fwd_fail(err, FWD_EFORMAT,
                        "%s:%zu: expected %zu fields (a wide table separated by spaces writes a "
                        "missing reading - or NA), got %zu",
                        t->path, t->lineno, t->n_header_fields, nf);
    if (t->n_st == 0) /* the stations in the columns' order, the empty ones too */
        for (k = 0; k < t->n_wide; k++)
            if (station_of(t, t->wide_name[k], t->wide_name[k], err) == NULL)
                return FWD_ENOMEM;
    for (k = 0; k < t->n_wide; k++) {
        const char *v = (size_t)t->wide_col[k] < nf ? f[t->wide_col[k]] : "";
        struct station *st;

        if (no_reading(v))
            continue;
        if ((rc = text_number(t, v, &raw[COL_RHO], t->wide_name[k], err)) < 0)
            return FWD_EFORMAT;
        if (rc == 0 || raw[COL_RHO] <= 0)
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: %s: expected rho_a (ohm-m), a finite number > 0, or no "
                            "reading (empty, -, NA), got \"%s\"",
                            t->path, t->lineno, t->wide_name[k], v);
        if ((st = station_of(t, t->wide_name[k], t->wide_name[k], err)) == NULL)
            return FWD_ENOMEM;
        if ((rc = room(t, st, err)) != FWD_OK || (rc = put_point(t, st, raw, f, err)) != FWD_OK)
            return rc == ROW_FILE_ERROR ? FWD_EFORMAT : rc;
    }
    return FWD_OK;
}

/* The values of one reading into its station's sounding. */

/* Whether v is a number written with a decimal comma: digits, one ',', digits ("1,5"). */
static int
decimal_comma(const char *v)
{
    size_t a, b;

    v += *v == '-' || *v == '+';
    a = strspn(v, "0123456789");
    if (a == 0 || v[a] != ',')
        return 0;
    b = strspn(v + a + 1, "0123456789");
    return b > 0 && v[a + 1 + b] == '\0';
}

/* Whether s groups the digits of a number with spaces (a space, a no-break space U+00A0 or a
 * narrow one U+202F, as French and other locales write "2 987,05"). */
static int
space_groups(const char *s)
{
    const char *p;

    for (p = s; *p != '\0'; p++) {
        size_t w = *p == ' '                            ? 1
                   : strncmp(p, "\xc2\xa0", 2) == 0     ? 2
                   : strncmp(p, "\xe2\x80\xaf", 3) == 0 ? 3
                                                        : 0;

        if (w > 0 && p > s && isdigit((unsigned char)p[-1]) && isdigit((unsigned char)p[w]) &&
            isdigit((unsigned char)p[w + 1]) && isdigit((unsigned char)p[w + 2]) &&
            !isdigit((unsigned char)p[w + 3])) /* a group of 3 digits after it */
            return 1;
    }
    return 0;
}

/* The numbers of a row's columns, in their units, into raw: FWD_OK, FWD_EFORMAT (a cell's
 * error), or ROW_FILE_ERROR. */
static int
row_values(struct text *t, char **f, double *raw, fwd_error *err)
{
    int c, rc;

    t->row_filled = 0;
    /* (not a row a '#' cut short: its cells are a comment's) */
    t->row_shifted = 0;
    t->row_noval = t->n_wide == 0 && (!t->hash_cut || t->hash_clean) ? row_no_reading(t, f) : -1;
    for (c = 0; c < COL_N; c++) {
        double v;
        int positive = c != COL_PHASE && c != COL_LOGRHO && c < COL_XM;

        if (t->col[c] < 0 || c == COL_FREQ || c == COL_STATION)
            continue;
        if (t->row_noval >= 0 && (measured_col(c) || (c == COL_MN2 && no_reading(f[t->col[c]])))) {
            raw[c] = NAN; /* no reading: its spacing is checked, an MN/2 given too */
            continue;
        }
        if (c >= COL_XM && t->col[COL_STATION] >= 0 && f[t->col[c]][0] == '\0') {
            raw[c] = NAN; /* a station's place not filled in: said by another row, or none */
            continue;
        }
        if (c == COL_MN2 && f[t->col[c]][0] == '\0' && t->fill_mn2 > 0 &&
            strcmp(t->fill_key, t->col[COL_STATION] >= 0 ? f[t->col[COL_STATION]] : "") == 0) {
            /* MN/2 given on a segment's first row alone (a spreadsheet's merged cells, or a
             * crew's habit): the one above, within the station; said in the note */
            raw[c] = t->fill_mn2;
            t->row_filled = 1;
            continue;
        }
        if (f[t->col[c]][0] == '\0')
            return fwd_fail(
                err, FWD_EFORMAT, "%s:%zu: %s: expected a value, got an empty cell%s%s%s%s%s",
                t->path, t->lineno, t->colname[c], HASH_HINT(t),
                c == COL_MN2 ? " (an empty MN/2 below one given, of the same "
                               "station, is read as that one)"
                : t->row_shifted && measured_col(c)
                    ? " (an error given beside it: a row shifted by a cell? a reading not taken "
                      "leaves its error empty too)"
                    : "",
                t->line_err[0] != '\0' ? " (a spreadsheet's error value on the line, " : "",
                t->line_err, t->line_err[0] != '\0' ? ", read as empty)" : "");
        if ((rc = text_number(t, f[t->col[c]], &v, t->colname[c], err)) < 0)
            return rc == -2 ? ROW_FILE_ERROR : FWD_EFORMAT;
        if (rc == 0 || (positive && v <= 0))
            return fwd_fail(err, FWD_EFORMAT,
                            "%s:%zu: %s: expected a finite number%s, got \"%s\"%s", t->path,
                            t->lineno, t->colname[c], positive ? " > 0" : "", f[t->col[c]],
                            rc == 0 && t->sep == ',' && decimal_comma(f[t->col[c]])
                                ? " (a decimal comma: bpinv reads them in tables separated by "
                                  "';' or tabs, as a spreadsheet of such a locale saves CSV)"
                            : rc == 0 && space_groups(f[t->col[c]])
                                ? " (a space grouping thousands, as French and other locales "
                                  "write them: save the column without it)"
                                : "");
        raw[c] = v * t->scale[c];
        if (c == COL_MN2) {
            t->fill_mn2 = raw[c];
            snprintf(t->fill_key, sizeof t->fill_key, "%s",
                     t->col[COL_STATION] >= 0 ? f[t->col[COL_STATION]] : "");
        }
    }
    return FWD_OK;
}

/*
 * A row's reading, to its station. In a survey with a station column, a bad reading (a
 * value that is no number or out of range, an MN/2 not below its AB/2, another position)
 * fails its station alone: its first such error is kept for finish_stations, the row
 * skipped. The station column itself, and the file's shape, are the file's.
 */
static int
read_row(struct text *t, char **f, size_t nf, fwd_error *err)
{
    double raw[COL_N] = {0};
    struct station *st = NULL;
    fwd_error own, *e = err;
    int rc;

    t->rows++;
    if (t->survey && t->n_wide == 0 && t->col[COL_STATION] >= 0) {
        if ((st = reading_station(t, f, raw, err)) == NULL)
            return err != NULL ? err->code : FWD_EFORMAT;
        fwd_error_clear(&own);
        e = &own;
    }
    rc = row_values(t, f, raw, e); /* a failed station's too: the file's decimal marks */
    if (rc != ROW_FILE_ERROR && st != NULL && st->has_bad) /* its first error is what it says */
        return FWD_OK;
    if (rc == FWD_OK && t->n_wide > 0)
        return read_wide(t, f, nf, raw, err);
    if (rc == FWD_OK && st == NULL && (st = reading_station(t, f, raw, err)) == NULL)
        return err != NULL ? err->code : FWD_EFORMAT;
    if (rc == FWD_OK && t->row_noval >= 0) { /* a spacing with no reading: left out, said */
        double x = t->col[COL_FREQ] >= 0 ? 1 / raw[COL_X] : raw[COL_X];

        st->sum_x_noval += t->wenner_ab2 ? x / 1.5 : x; /* as put_point keeps it */
        if (st->last_row + 1 == t->rows) /* a reading again on the next row: a repeat still */
            st->last_row = t->rows;
        t->n_sheet_noval += t->line_n_sheet;
        if (st->n_noval++ == 0) {
            st->noval_line = t->lineno;
            snprintf(st->noval_name, sizeof st->noval_name, "%s", /* as the header names it */
                     t->hdrname[t->row_noval][0] != '\0' ? t->hdrname[t->row_noval]
                                                         : t->colname[t->row_noval]);
        }
        return FWD_OK;
    }
    if (rc == FWD_OK && (rc = room(t, st, err)) != FWD_OK)
        return rc;
    if (rc == FWD_OK)
        rc = put_point(t, st, raw, f, e);
    if (rc == ROW_FILE_ERROR) { /* row_values' or put_point's */
        if (e == &own && err != NULL)
            *err = own;
        return FWD_EFORMAT;
    }
    if (rc == FWD_EFORMAT && e == &own) {
        st->has_bad = 1;
        st->bad = own;
        return FWD_OK;
    }
    return rc;
}

/* Whether a field is a unit bpinv knows, of any kind, bare or in parentheses or brackets
 * ("m", "(Ohm.m)", "[deg]"); its compact form into unit. */
static int
unit_field(const char *v, char *unit, size_t cap)
{
    size_t len = strlen(v), k;

    if (len >= 2 && ((v[0] == '(' && v[len - 1] == ')') || (v[0] == '[' && v[len - 1] == ']')))
        v++, len -= 2;
    compact_unit(v, len, unit, cap);
    for (k = 0; k < sizeof units / sizeof units[0]; k++)
        if (strcmp(units[k].name, unit) == 0)
            return 1;
    return 0;
}

/*
 * A row of units under the header, as field crews' sheets have ("(m);(m);(Ohm.m)"): every
 * field empty or a unit. Each column it gives a unit takes it (a unit not of the column's
 * kind, or another than the header's, is an error). 1: it was one (and is read); 0: it is
 * not (the row is read as a reading); -1 with err.
 */
static int
units_row(struct text *t, char **f, size_t nf, fwd_error *err)
{
    char unit[32];
    size_t k, given = 0;
    int c;

    for (k = 0; k < nf; k++) {
        if (f[k][0] != '\0' && !unit_field(f[k], unit, sizeof unit))
            return 0;
        given += f[k][0] != '\0';
    }
    if (given == 0)
        return 0;
    for (c = 0; c < COL_N; c++) {
        unit_family fam;
        double sc = 0;

        if (t->col[c] < 0 || (size_t)t->col[c] >= nf || f[t->col[c]][0] == '\0' ||
            (c == COL_FREQ && t->col[COL_X] == t->col[COL_FREQ]))
            continue;
        fam = c == COL_X && t->col[COL_FREQ] >= 0 ? U_FREQ : kind_family(c, t->m);
        unit_field(f[t->col[c]], unit, sizeof unit);
        if (fam == U_NONE || (sc = unit_scale(unit, fam)) == 0) {
            fwd_fail(err, FWD_EFORMAT, "%s:%zu: units of \"%s\": \"%s\": expected %s", t->path,
                     t->lineno, t->hdrname[c], f[t->col[c]],
                     fam == U_NONE ? "no unit" : family_units[fam]);
            return -1;
        }
        sc *= t->full[c] ? 0.5 : 1;
        if (t->has_unit[c] && sc != t->scale[c]) {
            fwd_fail(err, FWD_EFORMAT,
                     "%s:%zu: units of \"%s\": expected the header's unit, got \"%s\"", t->path,
                     t->lineno, t->hdrname[c], f[t->col[c]]);
            return -1;
        }
        t->scale[c] = sc;
    }
    return 1;
}

static char empty_field[] = "";

/* One line's fields f[0..nf), nf >= 1: a header row, or a reading (the first one settles the
 * columns). */
static int
text_fields(struct text *t, char **f, size_t nf, fwd_error *err)
{
    double v;
    int rc;

    if (!t->started && !t->header) {
        if (!parse_number_sep(f[0], &v, t->sep))
            return header_row(t, f, nf, err);
        if (t->comment[0] != '\0' && (rc = comment_header(t, nf, err)) != FWD_OK)
            return rc;
    }
    if (t->header && !t->started && !t->units_seen) { /* the row after the header: units? */
        t->units_seen = 1;
        if ((rc = units_row(t, f, nf, err)) != 0)
            return rc < 0 ? FWD_EFORMAT : FWD_OK;
    }
    if (!t->started && !t->header)
        default_columns(t, nf);
    if (!t->started && (rc = start_columns(t, err)) != FWD_OK)
        return rc;
    if (t->nf0 == 0)
        t->nf0 = nf;
    /* a row short of the header's columns (a spreadsheet leaves out the empty cells at the
     * end) has them empty, its station's cell given: a spacing with no reading (left out,
     * said), or a reading that fails (a survey's station alone) */
    if (t->header && t->n_wide == 0 && (!t->hash_cut || t->hash_clean) &&
        (t->col[COL_STATION] < 0 || (size_t)t->col[COL_STATION] < nf))
        for (; nf < t->need; nf++)
            f[nf] = empty_field;
    rc = check_fields(t, f, nf, err);
    return rc != FWD_OK ? rc : read_row(t, f, nf, err);
}

/* Whether a station's name is a spreadsheet's total or mean row's ("Total", "Sum", "Mean",
 * "Average", in a few languages), any case. */
static int
summary_name(const char *key)
{
    static const char *const words[] = {"total", "totals",  "sum",      "mean",   "average",
                                        "avg",   "suma",    "promedio", "summe",  "mittel",
                                        "somme", "moyenne", "media",    "totaal", "gemiddelde"};
    size_t k;

    for (k = 0; k < sizeof words / sizeof words[0]; k++)
        if (strcasecmp(key, words[k]) == 0)
            return 1;
    return 0;
}

/* Sorts and checks the stations' soundings; names those told apart by place alone. A
 * station that is no sounding (too few readings, none: a wide table's empty column, a point
 * twice) fails the file, or, with serr (n_st of them, cleared), only itself: its error
 * there, its sounding (unsorted) kept for its name. */
static int
finish_stations(struct text *t, fwd_error *serr, fwd_error *err)
{
    size_t k;

    for (k = 0; k < t->n_st; k++) {
        fwd_sounding *s = t->st[k].s;
        fwd_error *e = serr != NULL && t->n_st > 1 ? &serr[k] : err;
        int wide = t->col[COL_STATION] >= 0 || t->n_wide > 0;

        if (t->n_st > 1 && t->col[COL_STATION] < 0 && t->n_wide == 0) { /* told by place */
            char num[24];
            size_t len;

            snprintf(num, sizeof num, "-%zu", k + 1);
            len = strlen(s->name) + strlen(num) < sizeof s->name ? strlen(s->name)
                                                                 : sizeof s->name - 1 - strlen(num);
            memcpy(s->name + len, num, strlen(num) + 1);
        }
        if (t->st[k].has_bad) { /* a bad reading of a survey's station */
            if (e != NULL)
                *e = t->st[k].bad;
            if (t->n_st > 1)
                fwd_error_append(e, " (station \"%s\")", t->st[k].key);
        } else if (t->st[k].summary_line > 0) { /* it ends with a total or mean row */
            const struct station *st = &t->st[k];

            fwd_fail(e, FWD_EFORMAT,
                     "%s:%zu: %s %g and rho_a %g: expected a reading, got the %s of the %zu "
                     "above (a spreadsheet's %s row?): leave it out, or start it with #",
                     t->path, st->summary_line, t->mi->x_column, st->prev_x, st->summary_rho,
                     st->summary_kind == 1 ? "sums" : "means", st->n_read - 1,
                     st->summary_kind == 1 ? "total" : "mean");
            if (t->n_st > 1)
                fwd_error_append(e, " (station \"%s\")", st->key);
        } else if (t->n_st > 1 && s->n == 0 && t->n_wide > 0) { /* a column without a reading */
            fwd_fail(e, FWD_EFORMAT,
                     "%s:%zu: station \"%s\": expected at least %d points, got "
                     "none (its column is empty)",
                     t->path, t->header_line, t->st[k].key, FWD_SOUNDING_MIN_POINTS);
        } else if (t->n_st > 1 && s->n == 0) { /* a long table's, of rows of no reading */
            fwd_fail(e, FWD_EFORMAT,
                     "%s:%zu: station \"%s\": expected at least %d points, got none", t->path,
                     t->st[k].noval_line, t->st[k].key, FWD_SOUNDING_MIN_POINTS);
        } else if (t->n_st > 1 && s->n < FWD_SOUNDING_MIN_POINTS) {
            fwd_fail(e, FWD_EFORMAT, "%s:%zu: %s%s%s: expected at least %d points, got %zu%s",
                     t->path, s->line[0], wide ? "station \"" : "station at ", t->st[k].key,
                     wide ? "\"" : "", FWD_SOUNDING_MIN_POINTS, s->n,
                     wide && summary_name(t->st[k].key)
                         ? " (a spreadsheet's total or mean row? leave it out, or start it with #)"
                         : "");
        } else if (fwd_sounding_finish(s, e) != FWD_OK) {
            if (t->n_st > 1) /* which station: a wide row holds several */
                fwd_error_append(e, " (station \"%s\")", t->st[k].key);
        } else {
            continue;
        }
        if (t->st[k].n_noval > 0 && !t->st[k].has_bad && t->st[k].summary_line == 0 &&
            s->n < FWD_SOUNDING_MIN_POINTS) /* why it has too few */
            fwd_error_append(e,
                             " (%zu row%s with no reading left out: %s empty, or -, NA; "
                             "line %zu%s)",
                             t->st[k].n_noval, t->st[k].n_noval == 1 ? "" : "s",
                             t->st[k].noval_name, t->st[k].noval_line,
                             t->st[k].n_noval == 1 ? "" : ", the first");
        if (e == err) /* the file's error */
            return FWD_EFORMAT;
    }
    return FWD_OK;
}

int
fwd_read_text(const char *path, FILE *fp, fwd_method expect, const char *columns,
              fwd_sounding ***out, fwd_error **serr, size_t *n, fwd_error *err)
{
    struct text t;
    char *buf = NULL, *f[MAX_FIELDS];
    size_t bufcap = 0, nf, k;
    ssize_t len;
    int rc;

    *out = NULL;
    *n = 0;
    text_init(&t, path, expect);
    t.survey = serr != NULL;
    if ((rc = parse_columns(columns, &t.map, err)) != FWD_OK)
        return rc;
    errno = 0;
    while (rc == FWD_OK && (len = fwd_read_line(&buf, &bufcap, fp)) >= 0) {
        t.lineno++;
        rc = text_line(&t, buf, len, err);
        /* below a header separated by ',' (or a tab), a row whose ';' lies in a column not
         * read (a remark's: "re-read; bad contact") is split at the header's separator (it
         * was split at ';'); a ';' in a column read ("1,5;120": decimal commas) keeps it */
        if (rc == FWD_OK && t.header && t.header_sep != ' ' && t.header_sep != ';' &&
            field_of(buf, t.header_sep, t.header_sep) >= 0 && semicolon_unread(&t, buf))
            nf = split_at(buf, t.sep = t.header_sep, f, MAX_FIELDS);
        else if (rc == FWD_OK)
            nf = split(buf, f, MAX_FIELDS, &t.sep);
        if (rc == FWD_OK && nf > 0 && !empty_row(f, nf))
            rc = text_fields(&t, f, nf, err);
    }
    if (rc == FWD_OK && (ferror(fp) || (errno == ENOMEM && !feof(fp))))
        rc = fwd_fail(err, FWD_EIO, "%s: read error", path);
    if (rc == FWD_OK && t.n_st == 0)
        rc = fwd_fail(err, FWD_EFORMAT, "%s: expected at least %d points, got none%s", path,
                      FWD_SOUNDING_MIN_POINTS, t.lineno == 0 ? " (an empty file)" : "");
    if (rc == FWD_OK && serr != NULL && (*serr = calloc(t.n_st, sizeof **serr)) == NULL)
        rc = fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
    if (rc == FWD_OK)
        rc = finish_stations(&t, serr != NULL ? *serr : NULL, err);
    if (rc == FWD_OK && (*out = malloc(t.n_st * sizeof **out)) == NULL)
        rc = fwd_fail(err, FWD_ENOMEM, "%s: out of memory", path);
    if (rc != FWD_OK && serr != NULL) {
        free(*serr);
        *serr = NULL;
    }
    if (rc == FWD_EFORMAT && t.unused[0] != '\0' && err != NULL) { /* maybe why */
        fwd_error_append(err, " (columns not read: %s)", t.unused);
    }
    if (rc == FWD_OK && t.cp1252)
        note_to(t.note, sizeof t.note,
                "station names that are not UTF-8 read as Windows-1252 (Latin-1): save the file "
                "as CSV UTF-8 to be sure");
    if (rc == FWD_OK && t.n_sheet_err > t.n_sheet_noval) { /* beyond the stations' own notes */
        char say[160];

        snprintf(say, sizeof say,
                 "%zu spreadsheet error value%s (%s, line %zu) read as empty cells: no reading "
                 "there",
                 t.n_sheet_err, t.n_sheet_err == 1 ? "" : "s", t.sheet_err, t.sheet_err_line);
        note_to(t.note, sizeof t.note, say);
    }
    if (rc == FWD_OK && t.n_filled > 0) { /* a wide table's: every station's */
        char say[160];

        fill_note(say, sizeof say, t.n_filled, t.fill_line);
        note_to(t.note, sizeof t.note, say);
    }
    if (rc == FWD_OK && t.dot3_line > 0 && !t.dot_other && t.comma_line == 0) {
        char say[200];

        snprintf(say, sizeof say,
                 "every number with a '.' has 3 digits after it (\"%s\", line %zu): read as "
                 "decimals; if the '.' separates thousands, save the columns without it",
                 t.dot3_num, t.dot3_line);
        note_to(t.note, sizeof t.note, say);
    }
    free(buf);
    for (k = 0; k < t.n_st; k++) {
        if (rc == FWD_OK) {
            fwd_sounding *s = t.st[k].s;
            char own[sizeof s->note]; /* the station's (fwd_sounding_finish) after the file's */

            memcpy(own, s->note, sizeof own);
            snprintf(s->note, sizeof s->note, "%s", t.note);
            station_notes(&t.st[k]);
            if (own[0] != '\0')
                fwd_sounding_note(s, own);
            (*out)[k] = s;
        } else
            fwd_sounding_free(t.st[k].s);
    }
    if (rc == FWD_OK)
        *n = t.n_st;
    free(t.st);
    free(t.slot);
    return rc;
}

int
fwd_sounding_columns_check(const char *columns, fwd_error *err)
{
    struct colmap map;

    return parse_columns(columns, &map, err);
}
