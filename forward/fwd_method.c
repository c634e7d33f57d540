/* SPDX-License-Identifier: MIT */
/*
 * fwd_method.c - the table of survey methods and the rules of their values.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "forward/fwd_method.h"
#include "forward/fwd_internal.h"

double
fwd_phase_sd_deg(double noise)
{
    return noise * 90 / FWD_PI;
}

/* ---- apparent resistivity: logarithmic -------------------------------------------------- */

static double
rho_feature(double v)
{
    return log10(v);
}

static double
rho_misfit(double calc, double obs)
{
    return (calc - obs) / obs;
}

static double
rho_residual(double calc, double obs)
{
    return log10(calc) - log10(obs);
}

static double
rho_noisy(double clean, double noise, double z)
{
    return clean * exp(noise * z);
}

static double
rho_sd_floor(double noise)
{
    return noise / log(10.0);
}

static const fwd_value_info value_rho_a = {
    .kind = FWD_VALUE_RHO_A,
    .column = "rho_a_ohmm",
    .name = "apparent resistivity",
    .unit = "ohm-m",
    .unit_attr = "ohm-m",
    .feature = "log10_rho_a",
    .sd_column = "sd_log10_rho_a",
    .positive = 1,
    .to_feature = rho_feature,
    .misfit = rho_misfit,
    .residual = rho_residual,
    .noisy = rho_noisy,
    .sd_floor = rho_sd_floor,
};

/* ---- phase: degrees --------------------------------------------------------------------- */

static double
phase_feature(double v)
{
    return v / 90;
}

static double
phase_misfit(double calc, double obs)
{
    return (calc - obs) * FWD_PI / 90; /* 2 x the error in radians: that of rho_a */
}

static double
phase_residual(double calc, double obs)
{
    return calc - obs;
}

static double
phase_noisy(double clean, double noise, double z)
{
    return clean + noise * FWD_PHASE_DEG_PER_NOISE * z;
}

static const fwd_value_info value_phase = {
    .kind = FWD_VALUE_PHASE,
    .column = "phase_deg",
    .name = "phase",
    .unit = "degrees",
    .unit_attr = "degree",
    .feature = "phase_over_90",
    .sd_column = "sd_phase_deg",
    .positive = 0,
    .to_feature = phase_feature,
    .misfit = phase_misfit,
    .residual = phase_residual,
    .noisy = phase_noisy,
    .sd_floor = fwd_phase_sd_deg,
};

/* ---- the methods ------------------------------------------------------------------------ */

/* A DC array sees about as deep as it is wide. */
static double
dc_depth(double x, double rho_a)
{
    (void)rho_a;
    return x;
}

/* The skin depth, 503 sqrt(rho T) m. */
static double
mt_depth(double x, double rho_a)
{
    return 503 * sqrt(rho_a * x);
}

/* Schlumberger's K, pi (AB/2^2 - MN/2^2) / MN: exact for a finite MN. */
static double
schlumberger_k(double x, double mn2)
{
    return FWD_PI * (x * x - mn2 * mn2) / (2 * mn2);
}

/* Wenner's K, 2 pi a. */
static double
wenner_k(double x, double mn2)
{
    (void)mn2;
    return 2 * FWD_PI * x;
}

static const char *const ab2_names[] = {"ab2", "ab2_m", "ab/2", NULL};
static const char *const a_names[] = {"a", "a_m", "spacing", "spacing_m", NULL};
static const char *const period_names[] = {"period", "period_s", "t_s", NULL};
static const char *const freq_names[] = {"freq", "freq_hz", "frequency", "frequency_hz", NULL};

/* The methods, in the order of enum fwd_method. */
static const fwd_method_info methods[FWD_N_METHODS] = {
    {
        .method = FWD_SCHLUMBERGER,
        .name = "schlumberger",
        .article = "a",
        .x_key = "ab2",
        .x_column = "ab2_m",
        .x_name = "AB/2",
        .x_plural = "AB/2 values",
        .x_unit = "m",
        .x_aliases = ab2_names,
        .x_recip_aliases = NULL,
        .x_recip_column = NULL,
        .has_mn2 = 1,
        .hankel = 1,
        .depth_m = dc_depth,
        .geometric_factor = schlumberger_k,
        .nvalues = 1,
        .values = {&value_rho_a},
        .eval = &fwd_evaluator_schlumberger,
    },
    {
        .method = FWD_WENNER,
        .name = "wenner",
        .article = "a",
        .x_key = "a",
        .x_column = "a_m",
        .x_name = "electrode spacing a",
        .x_plural = "spacings a",
        .x_unit = "m",
        .x_aliases = a_names,
        .x_recip_aliases = NULL,
        .x_recip_column = NULL,
        .has_mn2 = 0,
        .hankel = 1,
        .depth_m = dc_depth,
        .geometric_factor = wenner_k,
        .nvalues = 1,
        .values = {&value_rho_a},
        .eval = &fwd_evaluator_wenner,
    },
    {
        .method = FWD_MT,
        .name = "mt",
        .article = "an",
        .x_key = "period",
        .x_column = "period_s",
        .x_name = "period",
        .x_plural = "periods",
        .x_unit = "s",
        .x_aliases = period_names,
        .x_recip_aliases = freq_names,
        .x_recip_column = "freq_hz",
        .has_mn2 = 0,
        .hankel = 0,
        .depth_m = mt_depth,
        .geometric_factor = NULL,
        .nvalues = 2,
        .values = {&value_rho_a, &value_phase},
        .eval = &fwd_evaluator_mt,
    },
};

const fwd_method_info *
fwd_method_get(fwd_method m)
{
    size_t k = (size_t)m;

    /* an entry per method, in the order of the enum */
    return k < FWD_N_METHODS && methods[k].method == m ? &methods[k] : NULL;
}

const char *
fwd_method_name(fwd_method m)
{
    const fwd_method_info *mi = fwd_method_get(m);

    return mi != NULL ? mi->name : "unknown";
}

const char *
fwd_method_article(fwd_method m)
{
    const fwd_method_info *mi = fwd_method_get(m);

    return mi != NULL ? mi->article : "a";
}

const char *
fwd_method_xname(fwd_method m)
{
    const fwd_method_info *mi = fwd_method_get(m);

    return mi != NULL ? mi->x_column : "x";
}

size_t
fwd_method_ndata(fwd_method m, size_t npts)
{
    const fwd_method_info *mi = fwd_method_get(m);

    return mi != NULL ? mi->nvalues * npts : 0;
}

int
fwd_method_value_index(fwd_method m, fwd_value_kind kind)
{
    const fwd_method_info *mi = fwd_method_get(m);
    size_t k;

    for (k = 0; mi != NULL && k < mi->nvalues; k++)
        if (mi->values[k]->kind == kind)
            return (int)k;
    return -1;
}

const char *
fwd_method_list(char *buf, size_t cap)
{
    size_t k, len = 0;
    int n;

    if (cap == 0)
        return buf;
    buf[0] = '\0';
    for (k = 0; k < FWD_N_METHODS; k++) {
        n = snprintf(buf + len, cap - len, "%s%s",
                     k == 0                  ? ""
                     : k + 1 < FWD_N_METHODS ? ", "
                                             : " or ",
                     methods[k].name);
        if (n < 0 || (size_t)n >= cap - len)
            break;
        len += (size_t)n;
    }
    return buf;
}

int
fwd_method_parse(const char *s, fwd_method *m, fwd_error *err)
{
    char list[128];
    size_t k;

    for (k = 0; s != NULL && k < FWD_N_METHODS; k++)
        if (strcasecmp(s, methods[k].name) == 0) { /* "Schlumberger", "MT" too */
            *m = methods[k].method;
            return FWD_OK;
        }
    return fwd_fail(err, FWD_EINVAL, "method: expected %s, got \"%s\"",
                    fwd_method_list(list, sizeof list), s ? s : "");
}
