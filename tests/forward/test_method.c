/* SPDX-License-Identifier: MIT */
/*
 * test_method.c - the table of methods (fwd_method.h): every entry against the names, data
 * sizes and rules the other layers used to write out, and every way to ask for a method
 * that is not there.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_geom.h"
#include "forward/fwd_method.h"

/* pi and the rules as written before the table, the independent truth */
#define PI_LITERAL 3.14159265358979323846

Test(fwd_method, every_name_parses_back_to_its_method)
{
    static const char *const names[FWD_N_METHODS] = {"schlumberger", "wenner", "mt"};
    int k;

    for (k = 0; k < FWD_N_METHODS; k++) {
        const fwd_method_info *mi = fwd_method_get((fwd_method)k);
        fwd_method m = (fwd_method)99;
        fwd_error err;

        cr_assert_not_null(mi, "method %d", k);
        cr_assert_eq(mi->method, (fwd_method)k);
        cr_assert_str_eq(mi->name, names[k]);
        cr_assert_str_eq(fwd_method_name((fwd_method)k), names[k]);
        cr_assert_eq(fwd_method_parse(mi->name, &m, &err), FWD_OK, "%s", err.msg);
        cr_assert_eq(m, (fwd_method)k);
        cr_assert_str_eq(fwd_method_xname((fwd_method)k), mi->x_column);
        cr_assert_str_eq(fwd_method_article((fwd_method)k), mi->article);
        cr_assert(mi->nvalues >= 1 && mi->nvalues <= FWD_MAX_VALUES);
        cr_assert_eq(mi->values[0]->kind, FWD_VALUE_RHO_A, "%s: rho_a first", mi->name);
        cr_assert_not_null(mi->eval);
        cr_assert_not_null(mi->x_aliases[0]);
    }
}

Test(fwd_method, entries_say_what_the_layers_wrote_out)
{
    const fwd_method_info *s = fwd_method_get(FWD_SCHLUMBERGER), *w = fwd_method_get(FWD_WENNER),
                          *mt = fwd_method_get(FWD_MT);

    cr_assert_str_eq(s->x_column, "ab2_m");
    cr_assert_str_eq(w->x_column, "a_m");
    cr_assert_str_eq(mt->x_column, "period_s");
    cr_assert_str_eq(s->x_key, "ab2");
    cr_assert_str_eq(w->x_key, "a");
    cr_assert_str_eq(mt->x_key, "period");
    cr_assert_str_eq(mt->article, "an");
    cr_assert_str_eq(w->article, "a");
    cr_assert_str_eq(s->x_unit, "m");
    cr_assert_str_eq(mt->x_unit, "s");
    cr_assert(s->has_mn2 && !w->has_mn2 && !mt->has_mn2);
    cr_assert_eq(s->nvalues, 1);
    cr_assert_eq(w->nvalues, 1);
    cr_assert_eq(mt->nvalues, 2);
    cr_assert_str_eq(mt->values[0]->column, "rho_a_ohmm");
    cr_assert_str_eq(mt->values[1]->column, "phase_deg");
    cr_assert_str_eq(mt->values[1]->sd_column, "sd_phase_deg");
    cr_assert_str_eq(mt->x_recip_column, "freq_hz");
    cr_assert_null(s->x_recip_column);
    cr_assert_eq(fwd_method_value_index(FWD_MT, FWD_VALUE_PHASE), 1);
    cr_assert_eq(fwd_method_value_index(FWD_MT, FWD_VALUE_RHO_A), 0);
    cr_assert_eq(fwd_method_value_index(FWD_WENNER, FWD_VALUE_PHASE), -1);
}

/* A geometry of each method: values per point times points is fwd_geom_ndata, and a
 * model's response keeps each value's rule (finite; > 0 where the value must be). */
Test(fwd_method, values_per_point_times_points_is_ndata)
{
    double x[7] = {1.5, 3, 6.2, 12, 25, 50, 110}, d[2 * 7];
    double rho[3] = {120, 8.5, 900}, thick[2] = {4.4, 23};
    int k;

    for (k = 0; k < FWD_N_METHODS; k++) {
        const fwd_method_info *mi = fwd_method_get((fwd_method)k);
        fwd_geom *g = fwd_geom_alloc((fwd_method)k, 7, x, NULL, NULL);
        fwd_workspace *w = fwd_workspace_alloc(g, NULL, NULL);
        size_t v, t;

        cr_assert_not_null(w, "%s", mi->name);
        cr_assert_eq(mi->nvalues * 7, fwd_geom_ndata(g), "%s", mi->name);
        cr_assert_eq(fwd_method_ndata((fwd_method)k, 7), fwd_geom_ndata(g));
        cr_assert_eq(fwd_eval(w, 3, rho, thick, d, NULL), FWD_OK);
        for (v = 0; v < mi->nvalues; v++)
            for (t = 0; t < 7; t++) {
                double dv = d[v * 7 + t];

                cr_assert(isfinite(dv));
                cr_assert(!mi->values[v]->positive || dv > 0, "%s value %zu", mi->name, v);
                if (mi->values[v]->kind == FWD_VALUE_PHASE)
                    cr_assert(dv > 0 && dv < 90, "phase %g", dv);
            }
        fwd_workspace_free(w);
        fwd_geom_free(g);
    }
}

Test(fwd_method, phase_noise_rule_is_noise_90_over_pi)
{
    static const double noise[] = {0, 0.01, 0.02, 0.035, 0.05, 0.1, 0.2385, 1};
    const fwd_value_info *ph = fwd_method_get(FWD_MT)->values[1];
    size_t k;

    cr_assert_eq(FWD_PI, PI_LITERAL);
    cr_assert_eq(FWD_PHASE_DEG_PER_NOISE, 90.0 / PI_LITERAL);
    cr_assert_eq(FWD_MU0, 4.0e-7 * PI_LITERAL);
    for (k = 0; k < sizeof noise / sizeof noise[0]; k++) {
        double n = noise[k], z = -1.37 + 0.4 * (double)k;

        /* bit for bit, in the order each caller used */
        cr_assert_eq(fwd_phase_sd_deg(n), n * 90 / PI_LITERAL, "noise %g", n);
        cr_assert_eq(ph->sd_floor(n), n * 90 / PI_LITERAL);
        cr_assert_eq(ph->noisy(45.0, n, z), 45.0 + n * (90.0 / PI_LITERAL) * z);
    }
}

Test(fwd_method, value_rules)
{
    const fwd_value_info *r = fwd_method_get(FWD_SCHLUMBERGER)->values[0];
    const fwd_value_info *ph = fwd_method_get(FWD_MT)->values[1];

    cr_assert_eq(r->to_feature(238.5), log10(238.5));
    cr_assert_eq(ph->to_feature(38.25), 38.25 / 90);
    cr_assert_eq(r->misfit(110, 100), (110.0 - 100.0) / 100.0);
    /* 2 degrees of phase count as the relative error of rho_a of the same weight: a relative
     * noise e in rho_a goes with e / 2 radians of phase (sd_floor above), so 2 x 2 degrees
     * in radians */
    cr_expect_float_eq(ph->misfit(47, 45), 2 * 2 * PI_LITERAL / 180, 1e-15);
    cr_assert_eq(r->residual(200, 20), log10(200.0) - log10(20.0));
    cr_assert_eq(ph->residual(47.5, 45), 2.5);
    cr_assert_eq(r->noisy(50, 0.05, 0.7), 50 * exp(0.05 * 0.7));
    cr_assert_eq(r->sd_floor(0.05), 0.05 / log(10.0));
    cr_assert(r->positive && !ph->positive);
    cr_assert_str_eq(r->unit_attr, "ohm-m");
    cr_assert_str_eq(ph->unit_attr, "degree");
    cr_assert_str_eq(r->feature, "log10_rho_a");
    cr_assert_str_eq(ph->feature, "phase_over_90");
    /* a DC array sees its spacing, MT the skin depth 503 sqrt(rho T) */
    cr_assert_eq(fwd_method_get(FWD_WENNER)->depth_m(20, 100), 20);
    cr_assert_eq(fwd_method_get(FWD_MT)->depth_m(0.5, 200), 503 * sqrt(200 * 0.5));
}

Test(fwd_method, unknown_methods_are_rejected)
{
    double x[3] = {1, 2, 4};
    char list[16];
    fwd_method m = FWD_WENNER;
    fwd_error err;

    cr_assert_eq(fwd_method_parse("tem", &m, &err), FWD_EINVAL);
    cr_assert_str_eq(err.msg, "method: expected schlumberger, wenner or mt, got \"tem\"");
    cr_assert_eq(m, FWD_WENNER, "untouched on failure");
    cr_assert_eq(fwd_method_parse("", &m, &err), FWD_EINVAL);
    cr_assert_eq(fwd_method_parse("M T", &m, &err), FWD_EINVAL);
    cr_assert_eq(fwd_method_parse("MT", &m, &err), FWD_OK); /* names without case */
    cr_assert_eq(m, FWD_MT);
    cr_assert_null(fwd_method_get((fwd_method)FWD_N_METHODS));
    cr_assert_null(fwd_method_get((fwd_method)-1));
    cr_assert_str_eq(fwd_method_article((fwd_method)7), "a");
    cr_assert_str_eq(fwd_method_xname((fwd_method)7), "x");
    cr_assert_eq(fwd_method_ndata((fwd_method)7, 5), 0);
    cr_assert_eq(fwd_method_value_index((fwd_method)7, FWD_VALUE_RHO_A), -1);
    cr_assert_null(fwd_geom_alloc((fwd_method)5, 3, x, NULL, &err));
    cr_assert_eq(err.code, FWD_EINVAL);
    cr_assert_str_eq(err.field, FWD_FIELD_METHOD);
    cr_assert_str_eq(err.msg, "method: expected schlumberger, wenner or mt, got 5");
    /* the list cut short to fit */
    cr_assert_str_eq(fwd_method_list(list, sizeof list), "schlumberger, w");
}

/* fwd_geom_alloc names the input at fault in err->field: MN/2 or the method's points. */
Test(fwd_method, geometry_errors_name_their_field)
{
    double x[3] = {10, 20, 40}, mn2[3] = {1, 25, 2}, bad[3] = {10, -1, 40};
    fwd_error err;

    cr_assert_null(fwd_geom_alloc(FWD_SCHLUMBERGER, 3, x, mn2, &err));
    cr_assert_str_eq(err.field, FWD_FIELD_MN2);
    cr_assert(strncmp(err.msg, "mn2_m: point 2:", 15) == 0, "%s", err.msg);
    cr_assert_null(fwd_geom_alloc(FWD_WENNER, 3, x, mn2, &err));
    cr_assert_str_eq(err.field, FWD_FIELD_MN2);
    cr_assert_str_eq(err.msg, "mn2_m: only a schlumberger geometry has MN/2, not wenner");
    cr_assert_null(fwd_geom_alloc(FWD_MT, 3, bad, NULL, &err));
    cr_assert_str_eq(err.field, "period");
    cr_assert_str_eq(err.msg, "period_s: point 2: expected finite > 0, got -1");
    cr_assert_null(fwd_geom_alloc(FWD_WENNER, 0, x, NULL, &err));
    cr_assert_str_eq(err.field, "a");
}

/* The DC arrays use the Hankel transform (its filter choice applies), MT does not: the
 * key201 filter changes a Wenner response and leaves an MT one as it is. */
Test(fwd_method, hankel_flag_matches_the_responses)
{
    fwd_method m[] = {FWD_WENNER, FWD_MT};
    double x[] = {3.7, 48.2, 610.0}, rho[] = {120.5, 8.3}, h[] = {21.4};
    size_t k, i;

    for (k = 0; k < 2; k++) {
        fwd_geom *g = fwd_geom_alloc(m[k], 3, x, NULL, NULL);
        fwd_params p = fwd_params_default();
        fwd_workspace *a, *b;
        double da[6], db[6];
        int differ = 0;

        cr_assert_not_null(g);
        a = fwd_workspace_alloc(g, &p, NULL);
        p.hankel = FWD_HANKEL_KEY201;
        b = fwd_workspace_alloc(g, &p, NULL);
        cr_assert_eq(fwd_eval(a, 2, rho, h, da, NULL), FWD_OK);
        cr_assert_eq(fwd_eval(b, 2, rho, h, db, NULL), FWD_OK);
        for (i = 0; i < fwd_geom_ndata(g); i++)
            differ |= da[i] != db[i];
        cr_assert_eq(differ, fwd_method_get(m[k])->hankel, "%s", fwd_method_name(m[k]));
        fwd_workspace_free(b);
        fwd_workspace_free(a);
        fwd_geom_free(g);
    }
}

/* The geometric factors of the textbooks (Telford et al., Applied Geophysics, 2nd ed.,
 * eq. 8.28 for a general array): Schlumberger pi (L^2 - l^2) / (2 l) with L = AB/2 and
 * l = MN/2, Wenner 2 pi a; MT is not measured as a resistance. */
Test(fwd_method, geometric_factors_are_the_arrays)
{
    const fwd_method_info *sc = fwd_method_get(FWD_SCHLUMBERGER), *we = fwd_method_get(FWD_WENNER);
    /* the four electrodes' distances of eq. 8.28: K = 2 pi / (1/AM - 1/BM - 1/AN + 1/BN) */
    double L = 10, l = 1, am = L - l, an = L + l, a = 5;
    double k_general = 2 * PI_LITERAL / (1 / am - 1 / an - 1 / an + 1 / am);
    double k_wenner = 2 * PI_LITERAL / (1 / a - 1 / (2 * a) - 1 / (2 * a) + 1 / a);

    cr_assert_float_eq(sc->geometric_factor(L, l), k_general, 1e-12 * k_general);
    cr_assert_float_eq(sc->geometric_factor(L, l), PI_LITERAL * 99 / 2, 1e-12 * k_general);
    cr_assert_float_eq(we->geometric_factor(a, 0), k_wenner, 1e-12 * k_wenner);
    cr_assert_float_eq(we->geometric_factor(a, 123), 2 * PI_LITERAL * a, 1e-12 * k_wenner);
    cr_assert_null(fwd_method_get(FWD_MT)->geometric_factor);
}
