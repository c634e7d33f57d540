/* SPDX-License-Identifier: MIT */
/*
 * plot.c - one inverted sounding as a PNG: observed data and the model's response on
 * log-log axes (and MT phase), and the layered model as a step plot of resistivity against
 * depth. PLplot with the pngcairo device; white background, units on every axis.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <plplot.h>

#include "forward/fwd_model.h"
#include "tools/plot.h"

static void
log_range(const double *v, size_t n, double *lo, double *hi)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (v[i] > 0 && isfinite(v[i])) {
            if (log10(v[i]) < *lo)
                *lo = log10(v[i]);
            if (log10(v[i]) > *hi)
                *hi = log10(v[i]);
        }
}

/* Pads [lo, hi] to whole decades, at least one wide. */
static void
decades(double *lo, double *hi)
{
    *lo = floor(*lo - 0.05);
    *hi = ceil(*hi + 0.05);
    if (*hi - *lo < 1)
        *hi = *lo + 1;
}

/* The step plot of a layered model: resistivity against depth, the half-space drawn to
 * zmax. Depths are plotted from zmin (log axis, increasing downwards). */
static void
draw_model(size_t nl, const double *rho, const double *thick, double zmin, double zmax)
{
    PLFLT x[2 * FWD_MAX_LAYERS + 2], y[2 * FWD_MAX_LAYERS + 2];
    double top = 0, bottom;
    size_t j, k = 0;

    for (j = 0; j < nl; j++) {
        bottom = j + 1 < nl ? top + thick[j] : zmax;
        x[k] = log10(rho[j]);
        y[k++] = log10(fmin(fmax(top, zmin), zmax));
        x[k] = log10(rho[j]);
        y[k++] = log10(fmin(fmax(bottom, zmin), zmax));
        top = bottom;
    }
    plline((PLINT)k, x, y);
}

int
plot_sounding_png(const char *path, const struct plot_sounding *p, char *msg, size_t cap)
{
    const fwd_sounding *s = p->s;
    int mt = s->method == FWD_MT;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY, depth = 0;
    double rlo = INFINITY, rhi = -INFINITY, zmin, zmax;
    PLFLT px[FWD_MAX_POINTS > 4096 ? 4096 : FWD_MAX_POINTS], py[4096];
    char title[512], xlab[64];
    size_t i, j, n;
    FILE *probe;

    /* PLplot prints and exits on some errors: check what can be checked first */
    probe = fopen(path, "wb");
    if (probe == NULL) {
        snprintf(msg, cap, "%s: cannot create", path);
        return -1;
    }
    fclose(probe);
    log_range(s->x, s->n, &xlo, &xhi);
    log_range(p->curve_x, p->n_curve, &xlo, &xhi);
    log_range(s->rho_a, s->n, &ylo, &yhi);
    log_range(p->curve, p->n_curve, &ylo, &yhi);
    decades(&xlo, &xhi);
    decades(&ylo, &yhi);
    if (p->n_layers > 0) {
        log_range(p->rho_ohmm, p->n_layers, &rlo, &rhi);
        for (j = 0; j + 1 < p->n_layers; j++)
            depth += p->thick_m[j];
    }
    if (p->ref_layers > 0) {
        double d = 0;

        log_range(p->ref_rho, p->ref_layers, &rlo, &rhi);
        for (j = 0; j + 1 < p->ref_layers; j++)
            d += p->ref_thick[j];
        depth = fmax(depth, d);
    }
    if (!(rlo < INFINITY)) {
        rlo = ylo;
        rhi = yhi;
    }
    decades(&rlo, &rhi);
    zmin = p->n_layers > 0 ? fmin(p->thick_m[0], 1.0) / 2 : 0.5;
    if (p->ref_layers > 1)
        zmin = fmin(zmin, p->ref_thick[0] / 2);
    zmin = pow(10, floor(log10(fmax(zmin, 1e-3))));
    zmax = pow(10, ceil(log10(fmax(depth * 3, 10 * zmin))));

    plsdev("pngcairo");
    plsfnam(path);
    plsetopt("geometry", mt ? "1200x600" : "1000x560");
    plscolbg(255, 255, 255);
    plscol0(1, 0, 0, 0);       /* axes, text, observed points */
    plscol0(2, 200, 30, 30);   /* the model's response, the model */
    plscol0(3, 40, 90, 200);   /* a reference model */
    plscol0(4, 140, 140, 140); /* grid */
    plinit();
    pladv(0);
    plschr(0, 0.8);
    plssym(0, 0.7);

    /* data panel */
    plcol0(1);
    plvpor(0.08, mt ? 0.36 : 0.56, 0.14, 0.84);
    plwind(xlo, xhi, ylo, yhi);
    plcol0(4);
    plbox("ghl", 0, 0, "ghl", 0, 0);
    plcol0(1);
    plbox("bclnst", 0, 0, "bcvlnst", 0, 0);
    snprintf(xlab, sizeof xlab, "%s",
             s->method == FWD_SCHLUMBERGER ? "AB/2 (m)"
             : s->method == FWD_WENNER     ? "electrode spacing a (m)"
                                           : "period (s)");
    pllab(xlab, "apparent resistivity (ohm-m)", "");
    n = s->n < 4096 ? s->n : 4096;
    for (i = 0; i < n; i++) {
        px[i] = log10(s->x[i]);
        py[i] = log10(s->rho_a[i]);
    }
    plpoin((PLINT)n, px, py, 4);
    if (p->n_curve > 1) {
        n = p->n_curve < 4096 ? p->n_curve : 4096;
        for (i = 0; i < n; i++) {
            px[i] = log10(p->curve_x[i]);
            py[i] = log10(p->curve[i]);
        }
        plcol0(2);
        plwidth(2);
        plline((PLINT)n, px, py);
        plwidth(1);
    }
    plcol0(1);
    plmtex("t", 1.2, 0.0, 0.0, "o observed");
    plcol0(2);
    plmtex("t", 1.2, 0.35, 0.0, "- response of the bpinv model");

    /* MT phase panel */
    if (mt) {
        plcol0(1);
        plvpor(0.42, 0.66, 0.14, 0.84);
        plwind(xlo, xhi, 0, 90);
        plcol0(4);
        plbox("ghl", 0, 0, "g", 0, 0);
        plcol0(1);
        plbox("bclnst", 0, 0, "bcvnst", 30, 3);
        pllab("period (s)", "phase (degrees)", "");
        n = s->n < 4096 ? s->n : 4096;
        for (i = 0; i < n; i++) {
            px[i] = log10(s->x[i]);
            py[i] = s->phase[i];
        }
        plpoin((PLINT)n, px, py, 4);
        if (p->n_curve > 1) {
            n = p->n_curve < 4096 ? p->n_curve : 4096;
            for (i = 0; i < n; i++) {
                px[i] = log10(p->curve_x[i]);
                py[i] = p->curve[p->n_curve + i];
            }
            plcol0(2);
            plwidth(2);
            plline((PLINT)n, px, py);
            plwidth(1);
        }
    }

    /* model panel: resistivity against depth, depth down */
    plcol0(1);
    plvpor(mt ? 0.74 : 0.66, 0.97, 0.14, 0.84);
    plwind(rlo, rhi, log10(zmax), log10(zmin)); /* depth grows downwards */
    plcol0(4);
    plbox("ghl", 0, 0, "ghl", 0, 0);
    plcol0(1);
    plbox("bclnst", 0, 0, "bcvlnst", 0, 0);
    pllab("resistivity (ohm-m)", "depth (m)", "");
    if (p->ref_layers > 0) {
        plcol0(3);
        plwidth(2);
        draw_model(p->ref_layers, p->ref_rho, p->ref_thick, zmin, zmax);
        plmtex("t", 2.4, 0.0, 0.0, p->ref_label != NULL ? p->ref_label : "reference");
    }
    if (p->n_layers > 0) {
        plcol0(2);
        plwidth(3);
        draw_model(p->n_layers, p->rho_ohmm, p->thick_m, zmin, zmax);
        plmtex("t", 1.2, 0.0, 0.0, "bpinv model");
    }
    plwidth(1);

    /* title: the sounding, the misfit, the flags */
    plcol0(1);
    plvpor(0.0, 1.0, 0.0, 1.0);
    plwind(0, 1, 0, 1);
    if (p->n_layers > 0)
        snprintf(title, sizeof title, "%s (%s): %zu layers, misfit %.1f %%", s->name,
                 fwd_method_name(s->method), p->n_layers, p->misfit_pct);
    else
        snprintf(title, sizeof title, "%s (%s): not inverted", s->name, fwd_method_name(s->method));
    plschr(0, 1.1);
    plptex(0.5, 0.955, 1, 0, 0.5, title);
    plschr(0, 0.85);
    plcol0(p->flags[0] != '\0' ? 2 : 1);
    plptex(0.5, 0.91, 1, 0, 0.5, p->flags[0] != '\0' ? p->flags : "in range, no flags");
    plend();
    return 0;
}
