/* SPDX-License-Identifier: MIT */
/*
 * plot.c - one inverted sounding as a PNG: observed data and the model's response on
 * log-log axes (and MT phase), and the layered model as a step plot of resistivity against
 * depth. PLplot with the pngcairo device; white background, units on every axis.
 */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <plplot.h>

#include "forward/fwd_model.h"
#include "tools/plot.h"

/*
 * PLplot is loaded when the first picture is drawn, not linked: its libraries (and theirs)
 * would add milliseconds to the start of every bpinv command, plotting or not.
 */
static struct {
    __typeof__(c_pladv) *adv;
    __typeof__(c_plbox) *box;
    __typeof__(c_plcol0) *col0;
    __typeof__(c_plend) *end;
    __typeof__(c_plinit) *init;
    __typeof__(c_pllab) *lab;
    __typeof__(c_plline) *line;
    __typeof__(c_plmtex) *mtex;
    __typeof__(c_plpoin) *poin;
    __typeof__(c_plptex) *ptex;
    __typeof__(c_plschr) *schr;
    __typeof__(c_plscol0) *scol0;
    __typeof__(c_plscolbg) *scolbg;
    __typeof__(c_plsdev) *sdev;
    __typeof__(c_plsetopt) *setopt;
    __typeof__(c_plsfnam) *sfnam;
    __typeof__(c_plssym) *ssym;
    __typeof__(c_plvpor) *vpor;
    __typeof__(c_plwidth) *width;
    __typeof__(c_plwind) *wind;
} pl;

static int
pl_load(char *msg, size_t cap)
{
    static const char *const libs[] = {"libplplot.so.17", "libplplot.so"};
    static void *handle;
    struct {
        const char *name;
        void **slot;
    } sym[] = {
        {"c_pladv", (void **)&pl.adv},       {"c_plbox", (void **)&pl.box},
        {"c_plcol0", (void **)&pl.col0},     {"c_plend", (void **)&pl.end},
        {"c_plinit", (void **)&pl.init},     {"c_pllab", (void **)&pl.lab},
        {"c_plline", (void **)&pl.line},     {"c_plmtex", (void **)&pl.mtex},
        {"c_plpoin", (void **)&pl.poin},     {"c_plptex", (void **)&pl.ptex},
        {"c_plschr", (void **)&pl.schr},     {"c_plscol0", (void **)&pl.scol0},
        {"c_plscolbg", (void **)&pl.scolbg}, {"c_plsdev", (void **)&pl.sdev},
        {"c_plsetopt", (void **)&pl.setopt}, {"c_plsfnam", (void **)&pl.sfnam},
        {"c_plssym", (void **)&pl.ssym},     {"c_plvpor", (void **)&pl.vpor},
        {"c_plwidth", (void **)&pl.width},   {"c_plwind", (void **)&pl.wind},
    };
    size_t k;

    for (k = 0; handle == NULL && k < sizeof libs / sizeof libs[0]; k++)
        handle = dlopen(libs[k], RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        snprintf(msg, cap,
                 "cannot load PLplot (%s; Debian packages libplplot17 and "
                 "plplot-driver-cairo)",
                 dlerror());
        return -1;
    }
    for (k = 0; k < sizeof sym / sizeof sym[0]; k++)
        if ((*sym[k].slot = dlsym(handle, sym[k].name)) == NULL) {
            snprintf(msg, cap, "PLplot has no %s", sym[k].name);
            return -1;
        }
    return 0;
}

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
    pl.line((PLINT)k, x, y);
}

/* The axes of a picture: x and apparent resistivity (log10), resistivity (log10), depth. */
struct frame {
    double xlo, xhi, ylo, yhi, rlo, rhi, zmin, zmax;
};

/* The axes that hold the data, the curve and the models, in whole decades. */
static void
frame_of(const struct plot_sounding *p, const double *obs, struct frame *fr)
{
    const fwd_sounding *s = p->s;
    double depth = 0;
    size_t j;

    fr->xlo = fr->ylo = fr->rlo = INFINITY;
    fr->xhi = fr->yhi = fr->rhi = -INFINITY;
    log_range(s->x, s->n, &fr->xlo, &fr->xhi);
    log_range(p->curve_x, p->n_curve, &fr->xlo, &fr->xhi);
    log_range(obs, s->n, &fr->ylo, &fr->yhi);
    log_range(p->curve, p->n_curve, &fr->ylo, &fr->yhi);
    decades(&fr->xlo, &fr->xhi);
    decades(&fr->ylo, &fr->yhi);
    if (p->n_layers > 0) {
        log_range(p->rho_ohmm, p->n_layers, &fr->rlo, &fr->rhi);
        for (j = 0; j + 1 < p->n_layers; j++)
            depth += p->thick_m[j];
    }
    if (p->ref_layers > 0) {
        double d = 0;

        log_range(p->ref_rho, p->ref_layers, &fr->rlo, &fr->rhi);
        for (j = 0; j + 1 < p->ref_layers; j++)
            d += p->ref_thick[j];
        depth = fmax(depth, d);
    }
    if (!(fr->rlo < INFINITY)) {
        fr->rlo = fr->ylo;
        fr->rhi = fr->yhi;
    }
    decades(&fr->rlo, &fr->rhi);
    fr->zmin = p->n_layers > 1 ? p->thick_m[0] / 3 : 0.5;
    if (p->ref_layers > 1)
        fr->zmin = fmin(fr->zmin, p->ref_thick[0] / 3);
    fr->zmin = pow(10, floor(log10(fmax(fr->zmin, 1e-3))));
    fr->zmax = pow(10, ceil(log10(fmax(depth * 3, 10 * fr->zmin))));
}

/* Points (log10 x, y(i)) of at most 4096 values: the observed points as symbols, or the
 * curve as a thick line in the model's colour. */
static void
draw_points(size_t n, const double *x, const double *y, int logy, int line)
{
    PLFLT px[4096], py[4096];
    size_t i;

    n = n < 4096 ? n : 4096;
    for (i = 0; i < n; i++) {
        px[i] = log10(x[i]);
        py[i] = logy ? log10(y[i]) : y[i];
    }
    if (!line) {
        pl.poin((PLINT)n, px, py, 4);
        return;
    }
    pl.col0(2);
    pl.width(2);
    pl.line((PLINT)n, px, py);
    pl.width(1);
}

/* The apparent resistivity panel: observed points and the model's response. */
static void
data_panel(const struct plot_sounding *p, const double *obs, const struct frame *fr, int mt)
{
    const fwd_sounding *s = p->s;
    char xlab[64];

    pl.col0(1);
    pl.vpor(0.08, mt ? 0.36 : 0.56, 0.12, 0.80);
    pl.wind(fr->xlo, fr->xhi, fr->ylo, fr->yhi);
    pl.col0(4);
    pl.box("ghl", 0, 0, "ghl", 0, 0);
    pl.col0(1);
    pl.box("bclnst", 0, 0, "bcvlnst", 0, 0);
    snprintf(xlab, sizeof xlab, "%s (%s)", fwd_method_get(s->method)->x_name,
             fwd_method_get(s->method)->x_unit);
    pl.lab(xlab, "apparent resistivity (ohm-m)", "");
    draw_points(s->n, s->x, obs, 1, 0);
    if (p->n_curve > 1)
        draw_points(p->n_curve, p->curve_x, p->curve, 1, 1);
    if (p->worst_x > 0) { /* where the data look least like the training set */
        PLFLT wx[2] = {log10(p->worst_x), log10(p->worst_x)}, wy[2] = {fr->ylo, fr->yhi};

        pl.col0(2);
        pl.line(2, wx, wy);
        pl.ptex(wx[0], fr->yhi - 0.06 * (fr->yhi - fr->ylo), 1, 0, -0.05,
                "outside the training range");
    }
    pl.col0(1);
    pl.mtex("t", 1.2, 0.0, 0.0, p->rho_obs != NULL ? "o observed, segments joined" : "o observed");
    pl.col0(2);
    pl.mtex("t", 1.2, 0.58, 0.0, "- response of the bpinv model");
}

/* The MT phase panel: observed phases and the model's. */
static void
phase_panel(const struct plot_sounding *p, const struct frame *fr)
{
    const fwd_sounding *s = p->s;

    pl.col0(1);
    pl.vpor(0.42, 0.66, 0.12, 0.80);
    pl.wind(fr->xlo, fr->xhi, 0, 90);
    pl.col0(4);
    pl.box("ghl", 0, 0, "g", 0, 0);
    pl.col0(1);
    pl.box("bclnst", 0, 0, "bcvnst", 30, 3);
    pl.lab("period (s)", "", "");
    pl.mtex("l", 4.2, 0.5, 0.5, "phase (degrees)");
    draw_points(s->n, s->x, s->phase, 0, 0);
    if (p->n_curve > 1)
        draw_points(p->n_curve, p->curve_x, p->curve + p->n_curve, 0, 1);
}

/* The model panel: resistivity against depth, depth down; the reference model first. */
static void
model_panel(const struct plot_sounding *p, const struct frame *fr, int mt)
{
    pl.col0(1);
    pl.vpor(mt ? 0.74 : 0.66, 0.97, 0.12, 0.80);
    pl.wind(fr->rlo, fr->rhi, log10(fr->zmax), log10(fr->zmin)); /* depth grows downwards */
    pl.col0(4);
    pl.box("ghl", 0, 0, "ghl", 0, 0);
    pl.col0(1);
    pl.box("bclnst", 0, 0, "bcvlnst", 0, 0);
    pl.lab("resistivity (ohm-m)", "depth (m)", "");
    if (p->ref_layers > 0) {
        pl.col0(3);
        pl.width(2);
        draw_model(p->ref_layers, p->ref_rho, p->ref_thick, fr->zmin, fr->zmax);
        pl.mtex("t", 2.8, 0.0, 0.0, p->ref_label != NULL ? p->ref_label : "reference");
    }
    if (p->n_layers > 0) {
        pl.col0(2);
        pl.width(3);
        draw_model(p->n_layers, p->rho_ohmm, p->thick_m, fr->zmin, fr->zmax);
        pl.mtex("t", 1.2, 0.0, 0.0, "bpinv model");
    }
    pl.width(1);
}

/* The title: the sounding, the misfit, the flags. */
static void
title(const struct plot_sounding *p)
{
    const fwd_sounding *s = p->s;
    char text[1400], station[1200];
    const char *base;

    pl.col0(1);
    pl.vpor(0.0, 1.0, 0.0, 1.0);
    pl.wind(0, 1, 0, 1);
    base = strrchr(s->source, '/');
    base = base != NULL ? base + 1 : s->source;
    if (strcmp(base, s->name) != 0)
        snprintf(station, sizeof station, "%s, station %s", base, s->name);
    else
        snprintf(station, sizeof station, "%s", base);
    if (p->n_layers > 0)
        snprintf(text, sizeof text, "%s (%s): %zu layers, misfit %.1f %%", station,
                 fwd_method_name(s->method), p->n_layers, p->misfit_pct);
    else
        snprintf(text, sizeof text, "%s (%s): not inverted", station, fwd_method_name(s->method));
    pl.schr(0, 1.1);
    pl.ptex(0.5, 0.955, 1, 0, 0.5, text);
    pl.schr(0, 0.85);
    pl.col0(p->flags[0] != '\0' ? 2 : 1);
    pl.ptex(0.5, 0.91, 1, 0, 0.5, p->flags[0] != '\0' ? p->flags : "in range, no flags");
}

int
plot_sounding_png(const char *path, const struct plot_sounding *p, char *msg, size_t cap)
{
    const double *obs = p->rho_obs != NULL ? p->rho_obs : p->s->rho_a;
    /* a second value per point (the MT phase) gets a panel of its own */
    int mt = fwd_method_get(p->s->method)->nvalues > 1;
    struct frame fr;
    FILE *probe;

    if (pl_load(msg, cap) != 0)
        return -1;
    /* PLplot prints and exits on some errors: check what can be checked first */
    probe = fopen(path, "wb");
    if (probe == NULL) {
        snprintf(msg, cap, "%s: cannot create", path);
        return -1;
    }
    fclose(probe);
    frame_of(p, obs, &fr);

    pl.sdev("pngcairo");
    pl.sfnam(path);
    pl.setopt("geometry", mt ? "1200x600" : "1000x560");
    pl.scolbg(255, 255, 255);
    pl.scol0(1, 0, 0, 0);       /* axes, text, observed points */
    pl.scol0(2, 200, 30, 30);   /* the model's response, the model */
    pl.scol0(3, 40, 90, 200);   /* a reference model */
    pl.scol0(4, 140, 140, 140); /* grid */
    pl.init();
    pl.adv(0);
    pl.schr(0, 0.8);
    pl.ssym(0, 0.7);
    data_panel(p, obs, &fr, mt);
    if (mt)
        phase_panel(p, &fr);
    model_panel(p, &fr, mt);
    title(p);
    pl.end();
    return 0;
}

int
plot_item_png(const char *path, const invnet_batch_item *it, const struct plot_ref *ref, char *msg,
              size_t cap)
{
    const invnet_candidate *c = invnet_batch_best(it);
    struct plot_sounding p;
    char fl[256];

    if (c == NULL) {
        snprintf(msg, cap, "%s: not inverted: %s", it->path, it->err);
        return -1;
    }
    memset(&p, 0, sizeof p);
    p.s = it->s;
    p.rho_obs = it->s->mn2 != NULL ? it->observed : NULL;
    p.flags = invnet_flag_list(c->r.flags, ", ", fl, sizeof fl);
    if (c->r.flags & INVNET_FLAG_OUTSIDE)
        p.worst_x = c->r.worst_x;
    if (c->r.inverted) {
        if (c->curve != NULL) {
            p.n_curve = it->n_curve;
            p.curve_x = it->curve_x;
            p.curve = c->curve;
        }
        p.n_layers = c->r.n_layers;
        p.rho_ohmm = c->r.rho_ohmm;
        p.thick_m = c->r.thick_m;
        p.misfit_pct = c->r.misfit_rms_pct;
    }
    if (ref->n > 0) {
        p.ref_layers = ref->n;
        p.ref_rho = ref->rho;
        p.ref_thick = ref->thick;
        p.ref_label = ref->label;
    }
    return plot_sounding_png(path, &p, msg, cap);
}
