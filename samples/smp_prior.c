/* SPDX-License-Identifier: MIT */
/*
 * smp_prior.c - log-uniform prior over layered-earth models.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/base/fwd_io.h"
#include "samples/smp_prior.h"

/* Parses "MIN:MAX" from s[0..len) into lo, hi; -1 if malformed or out of domain. */
static int
parse_range(const char *s, size_t len, double *lo, double *hi)
{
    char buf[128], *colon, *end;

    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    colon = strchr(buf, ':');
    if (colon == NULL || strchr(colon + 1, ':') != NULL)
        return -1;
    *colon = '\0';
    errno = 0;
    *lo = fwd_strtod(buf, &end);
    if (end == buf || *end != '\0' || errno == ERANGE)
        return -1;
    *hi = fwd_strtod(colon + 1, &end);
    if (end == colon + 1 || *end != '\0' || errno == ERANGE)
        return -1;
    return 0;
}

/* Fills lo[0..n) and hi[0..n) from one range or n comma-separated ranges of input id. */
static int
parse_ranges(const char *id, const char *spec, size_t n, double *lo, double *hi, fwd_error *err)
{
    const char *p = spec, *c;
    size_t k = 0, i;

    if (spec == NULL || spec[0] == '\0')
        return fwd_error_set_field(err, FWD_EINVAL, id,
                                   "%s: expected MIN:MAX or %zu ranges MIN:MAX,..., got \"%s\"", id,
                                   n, "");
    for (;;) {
        c = strchr(p, ',');
        if (c == NULL)
            c = p + strlen(p);
        if (k >= n)
            return n == 1
                       ? fwd_error_set_field(err, FWD_EINVAL, id,
                                             "%s: expected one range MIN:MAX, got more in \"%s\"",
                                             id, spec)
                       : fwd_error_set_field(err, FWD_EINVAL, id,
                                             "%s: expected 1 or %zu ranges, got more in \"%s\"", id,
                                             n, spec);
        if (parse_range(p, (size_t)(c - p), &lo[k], &hi[k]) != 0) {
            char tok[64];
            snprintf(tok, sizeof tok, "%.*s", (int)(c - p), p);
            return fwd_error_set_field(
                err, FWD_EINVAL, id, "%s: range %zu: expected MIN:MAX, got \"%s\"", id, k + 1, tok);
        }
        k++;
        if (*c == '\0')
            break;
        p = c + 1;
    }
    if (k == 1)
        for (i = 1; i < n; i++) {
            lo[i] = lo[0];
            hi[i] = hi[0];
        }
    else if (k != n)
        return fwd_error_set_field(err, FWD_EINVAL, id, "%s: expected 1 or %zu ranges, got \"%s\"",
                                   id, n, spec);
    return FWD_OK;
}

/* Checks n ranges of input id: 0 < lo < hi, finite. */
static int
check_ranges(const char *id, const char *unit, size_t n, const double *lo, const double *hi,
             fwd_error *err)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (!isfinite(lo[i]) || !isfinite(hi[i]) || !(lo[i] > 0) || !(hi[i] > lo[i])) {
            return fwd_error_set_field(err, FWD_EINVAL, id,
                                       "%s: layer %zu: expected finite 0 < MIN < MAX %s, got %g:%g",
                                       id, i + 1, unit, lo[i], hi[i]);
        }
    }
    return FWD_OK;
}

int
smp_prior_check(const smp_prior *p, fwd_error *err)
{
    int rc;

    if (p->n_layers < 1 || p->n_layers > FWD_MAX_LAYERS)
        return fwd_error_set_field(err, FWD_EINVAL, "layers", "layers: expected 1 to %d, got %zu",
                                   FWD_MAX_LAYERS, p->n_layers);
    rc = check_ranges("rho", "ohm-m", p->n_layers, p->rho_min, p->rho_max, err);
    if (rc == FWD_OK)
        rc = check_ranges("thick", "m", p->n_layers - 1, p->thick_min, p->thick_max, err);
    return rc;
}

int
smp_prior_check_draws(const smp_prior *p, fwd_method m, fwd_error *err)
{
    int rc = smp_prior_check(p, err);

    if (rc == FWD_OK && m != FWD_MT) { /* MT's responses stay positive (1e15 drew well) */
        double lo = p->rho_min[0], hi = p->rho_max[0];
        size_t i;

        for (i = 1; i < p->n_layers; i++) {
            lo = fmin(lo, p->rho_min[i]);
            hi = fmax(hi, p->rho_max[i]);
        }
        if (hi > FWD_MAX_CONTRAST * lo)
            rc = fwd_error_set_field(err, FWD_EINVAL, "rho",
                                     "rho: expected the most resistive layer at most %g times "
                                     "the least, got %g to %g ohm-m (beyond, DC responses can "
                                     "come out negative)",
                                     FWD_MAX_CONTRAST, lo, hi);
    }
    return rc;
}

int
smp_prior_parse(smp_prior *p, size_t n_layers, const char *rho_spec, const char *thick_spec,
                fwd_error *err)
{
    int rc;

    memset(p, 0, sizeof *p);
    p->n_layers = n_layers;
    if (n_layers < 1 || n_layers > FWD_MAX_LAYERS)
        return smp_prior_check(p, err);
    rc = parse_ranges("rho", rho_spec, n_layers, p->rho_min, p->rho_max, err);
    if (rc == FWD_OK && n_layers > 1)
        rc = parse_ranges("thick", thick_spec, n_layers - 1, p->thick_min, p->thick_max, err);
    if (rc == FWD_OK)
        rc = smp_prior_check(p, err);
    return rc;
}

void
smp_prior_draw(const smp_prior *p, gsl_rng *r, double *params)
{
    size_t n = p->n_layers, i;
    double lo, hi;

    for (i = 0; i < n; i++) {
        lo = log10(p->rho_min[i]);
        hi = log10(p->rho_max[i]);
        params[i] = lo + (hi - lo) * gsl_rng_uniform(r);
    }
    for (i = 0; i + 1 < n; i++) {
        lo = log10(p->thick_min[i]);
        hi = log10(p->thick_max[i]);
        params[n + i] = lo + (hi - lo) * gsl_rng_uniform(r);
    }
}
