/* SPDX-License-Identifier: MIT */
/*
 * plot.c - one inverted sounding as a PNG (or SVG, PDF): observed data and the model's
 * response on log-log axes (and MT phase), and the layered model as a step plot of
 * resistivity against depth; and a profile's section. PLplot with its cairo devices; white
 * background, units on every axis.
 */
#include <ctype.h>
#include <errno.h>
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <plplot.h>
#define ZLIB_CONST /* z_stream.next_in: const */
#include <zlib.h>

#include "forward/base/fwd_io.h"
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
    __typeof__(c_plerry) *erry;
    __typeof__(c_plfill) *fill;
    __typeof__(c_plinit) *init;
    __typeof__(c_pllab) *lab;
    __typeof__(c_plline) *line;
    __typeof__(c_pllsty) *lsty;
    __typeof__(c_plmtex) *mtex;
    __typeof__(c_plpoin) *poin;
    __typeof__(c_plptex) *ptex;
    __typeof__(c_plschr) *schr;
    __typeof__(c_plscol0) *scol0;
    __typeof__(c_plscolbg) *scolbg;
    __typeof__(c_plsdev) *sdev;
    __typeof__(c_plsetopt) *setopt;
    __typeof__(c_plsfnam) *sfnam;
    __typeof__(c_plsmem) *smem;
    __typeof__(c_plssym) *ssym;
    __typeof__(c_plvpor) *vpor;
    __typeof__(c_plwidth) *width;
    __typeof__(c_plwind) *wind;
    __typeof__(c_plscmap1l) *scmap1l;
    __typeof__(c_plcol1) *col1;
    __typeof__(c_plsyax) *syax;
    __typeof__(c_plgchr) *gchr;
    __typeof__(c_plgspa) *gspa;
} pl;

/* The cairo devices bpinv draws with, as PLplot lists them: a device it lacks would have
 * plinit ask for another on stdin, then exit the process. */
static const char *const devices[] = {"memcairo", "svgcairo", "pdfcairo"};
static int have_device[sizeof devices / sizeof devices[0]];

/* -1, with msg saying PLplot lacks device dev (for the picture path, when not NULL). */
static int
no_device(char *msg, size_t cap, const char *path, const char *dev)
{
    snprintf(msg, cap, "%s%sPLplot has no %s device (Debian package plplot-driver-cairo)",
             path != NULL ? path : "", path != NULL ? ": " : "", dev);
    return -1;
}

/* Asks PLplot for its devices, once; 0, or -1 with msg set when it lacks memcairo (PNG). */
static int
list_devices(void *handle, char *msg, size_t cap)
{
    static int listed;
    __typeof__(plgDevs) *gdevs;
    const char *menu[128], *name[128], **pm = menu, **pn = name;
    int n = 128, i;
    size_t k;

    if (!listed) {
        if ((*(void **)&gdevs = dlsym(handle, "plgDevs")) == NULL) {
            snprintf(msg, cap, "PLplot has no plgDevs");
            return -1;
        }
        gdevs(&pm, &pn, &n);
        for (i = 0; i < n; i++)
            for (k = 0; k < sizeof devices / sizeof devices[0]; k++)
                if (name[i] != NULL && strcmp(name[i], devices[k]) == 0)
                    have_device[k] = 1;
        listed = 1;
    }
    return have_device[0] ? 0 : no_device(msg, cap, NULL, devices[0]);
}

/*
 * text into out (cap bytes, cap >= 4), its bytes that are not UTF-8 as '?': PLplot aborts
 * the drawing of a malformed string ("UTF-8 string is malformed", on stderr whatever -q)
 * and its cairo driver then leaks, and a station or file name of Latin-1 bytes (Stra\xdfe)
 * lost the title that says which sounding a picture is (fwd_utf8_length: RFC 3629, as the
 * JSON writer reads names; Pango refuses overlong forms and surrogates too). Cut short at a
 * character.
 */
static const char *
utf8_clean(const char *text, char *out, size_t cap)
{
    const char *p = text;
    size_t n = 0, len;

    while (*p != '\0' && n + 5 < cap) {
        len = fwd_utf8_length(p);
        if (len == 1 && (unsigned char)*p >= 0x80) { /* a byte that starts no character */
            out[n++] = '?';
            p++;
            continue;
        }
        memcpy(out + n, p, len);
        n += len;
        p += len;
    }
    out[n] = '\0';
    return out;
}

static __typeof__(c_plptex) *real_ptex;
static __typeof__(c_plmtex) *real_mtex;
static __typeof__(c_pllab) *real_lab;

static void
clean_ptex(PLFLT x, PLFLT y, PLFLT dx, PLFLT dy, PLFLT just, const char *text)
{
    char t[2048];

    real_ptex(x, y, dx, dy, just, utf8_clean(text, t, sizeof t));
}

static void
clean_mtex(const char *side, PLFLT disp, PLFLT pos, PLFLT just, const char *text)
{
    char t[2048];

    real_mtex(side, disp, pos, just, utf8_clean(text, t, sizeof t));
}

static void
clean_lab(const char *xlabel, const char *ylabel, const char *tlabel)
{
    char a[1024], b[1024], c[2048];

    real_lab(utf8_clean(xlabel, a, sizeof a), utf8_clean(ylabel, b, sizeof b),
             utf8_clean(tlabel, c, sizeof c));
}

int
plot_load(char *msg, size_t cap)
{
    static const char *const libs[] = {"libplplot.so.17", "libplplot.so"};
    static void *handle;
    struct {
        const char *name;
        void **slot;
    } sym[] = {
        {"c_pladv", (void **)&pl.adv},         {"c_plbox", (void **)&pl.box},
        {"c_plcol0", (void **)&pl.col0},       {"c_plend", (void **)&pl.end},
        {"c_plerry", (void **)&pl.erry},       {"c_plfill", (void **)&pl.fill},
        {"c_pllsty", (void **)&pl.lsty},       {"c_plinit", (void **)&pl.init},
        {"c_pllab", (void **)&pl.lab},         {"c_plline", (void **)&pl.line},
        {"c_plmtex", (void **)&pl.mtex},       {"c_plpoin", (void **)&pl.poin},
        {"c_plptex", (void **)&pl.ptex},       {"c_plschr", (void **)&pl.schr},
        {"c_plscol0", (void **)&pl.scol0},     {"c_plscolbg", (void **)&pl.scolbg},
        {"c_plsdev", (void **)&pl.sdev},       {"c_plsetopt", (void **)&pl.setopt},
        {"c_plsfnam", (void **)&pl.sfnam},     {"c_plsmem", (void **)&pl.smem},
        {"c_plssym", (void **)&pl.ssym},       {"c_plvpor", (void **)&pl.vpor},
        {"c_plwidth", (void **)&pl.width},     {"c_plwind", (void **)&pl.wind},
        {"c_plscmap1l", (void **)&pl.scmap1l}, {"c_plcol1", (void **)&pl.col1},
        {"c_plsyax", (void **)&pl.syax},       {"c_plgchr", (void **)&pl.gchr},
        {"c_plgspa", (void **)&pl.gspa},
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
    /* the text drawn goes through a check of its UTF-8 first (utf8_clean) */
    real_ptex = pl.ptex;
    real_mtex = pl.mtex;
    real_lab = pl.lab;
    pl.ptex = clean_ptex;
    pl.mtex = clean_mtex;
    pl.lab = clean_lab;
    return list_devices(handle, msg, cap);
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

/*
 * The width of text in ems of the font the cairo devices draw with (DejaVu Sans, "sans"),
 * from above: each character's advance rounded up to one of five widths (a character
 * beyond ASCII counted an em), so that text measured to fit does.
 */
static double
text_ems(const char *text)
{
    const unsigned char *c;
    double w = 0;

    for (c = (const unsigned char *)text; *c != '\0'; c++)
        if (*c >= 0x80)
            w += (*c & 0xc0) == 0xc0 ? 1.0 : 0.0; /* the first byte of a character */
        else if (strchr("'ijlIJ .,/:;\\|", *c) != NULL)
            w += 0.34;
        else if (strchr("f-()[]tr!\"", *c) != NULL)
            w += 0.46;
        else if (strchr("mwMW%@#+<=>^~", *c) != NULL)
            w += 1.0;
        else if (isupper(*c) || *c == '&')
            w += 0.8;
        else
            w += 0.64; /* lower case, digits, '_' */
    return w;
}

/* The font's em in PLplot's character heights with the cairo devices (measured: titles'
 * widths in SVG against the sums of their characters' advances, 1.32-1.33). */
#define EM_PER_CHAR_HEIGHT 1.34

/*
 * The character scale for text: want, or less when the text would then be wider than
 * share of the page's width. Leaves the scale set to it.
 */
static double
fit_scale(const char *text, double want, double share)
{
    PLFLT def, ht, xmin, xmax, ymin, ymax;
    double w;

    pl.schr(0, want);
    pl.gchr(&def, &ht); /* mm */
    pl.gspa(&xmin, &xmax, &ymin, &ymax);
    w = text_ems(text) * EM_PER_CHAR_HEIGHT * ht / (xmax - xmin);
    if (w > share)
        pl.schr(0, want *= share / w);
    return want;
}

/* The model panel's left edge, a share of the page's width (MT: after the phase panel). */
#define MODEL_LEFT(mt) ((mt) ? 0.735 : 0.66)

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

/* The axes of a picture: x and apparent resistivity (log10), resistivity (log10), depth;
 * and where the panels go: the picture's size in pixels, the panels' bottom and top (a
 * share of the height: a table of the ranges goes below them), the data panel's sides. */
struct frame {
    double xlo, xhi, ylo, yhi, rlo, rhi, zmin, zmax;
    int width, height;
    double vy0, vy1, dx0, dx1;
    double table_y, table_dy; /* the ranges table's first line and line height (page) */
};

/*
 * Widens the narrower of the data panel's log axes, about its middle, so that a decade is
 * as long on both: a slope reads as a slope (a 45-degree line is a rise of one).
 */
static void
equal_decades(struct frame *fr)
{
    double px = (fr->dx1 - fr->dx0) * fr->width / (fr->xhi - fr->xlo);
    double py = (fr->vy1 - fr->vy0) * fr->height / (fr->yhi - fr->ylo);

    if (px > py) { /* x decades are longer: show more decades of x */
        double w = (fr->dx1 - fr->dx0) * fr->width / py, m = 0.5 * (fr->xlo + fr->xhi);

        fr->xlo = m - 0.5 * w;
        fr->xhi = m + 0.5 * w;
    } else {
        double h = (fr->vy1 - fr->vy0) * fr->height / px, m = 0.5 * (fr->ylo + fr->yhi);

        fr->ylo = m - 0.5 * h;
        fr->yhi = m + 0.5 * h;
    }
}

/* A model of nl layers (none when 0) into fr's resistivity range; its depth to the top of
 * its last layer. */
static double
model_range(size_t nl, const double *rho, const double *thick, struct frame *fr)
{
    double depth = 0;
    size_t j;

    if (nl == 0)
        return 0;
    log_range(rho, nl, &fr->rlo, &fr->rhi);
    for (j = 0; j + 1 < nl; j++)
        depth += thick[j];
    return depth;
}

/* The axes that hold the data (with their error bars), the curve, the band of the
 * equivalent models' responses and the models, in whole decades (the data panel's are
 * widened to equal decades later). */
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
    if (p->rho_obs != NULL) /* and the segments as measured */
        log_range(s->rho_a, s->n, &fr->ylo, &fr->yhi);
    log_range(p->curve, p->n_curve, &fr->ylo, &fr->yhi);
    if (p->dropped_x > 0) { /* the reading left out shows too */
        log_range(&p->dropped_x, 1, &fr->xlo, &fr->xhi);
        log_range(&p->dropped_rho, 1, &fr->ylo, &fr->yhi);
    }
    if (p->band != NULL)
        log_range(p->band, 2 * p->n_curve, &fr->ylo, &fr->yhi);
    for (j = 0; s->sd_log10 != NULL && j < s->n; j++) {
        double e[2] = {obs[j] * pow(10, -s->sd_log10[j]), obs[j] * pow(10, s->sd_log10[j])};

        log_range(e, 2, &fr->ylo, &fr->yhi);
    }
    decades(&fr->xlo, &fr->xhi);
    decades(&fr->ylo, &fr->yhi);
    depth = fmax(model_range(p->n_layers, p->rho_ohmm, p->thick_m, fr),
                 fmax(model_range(p->ref_layers, p->ref_rho, p->ref_thick, fr),
                      model_range(p->exit_layers, p->exit_rho, p->exit_thick, fr)));
    if (p->ranges != NULL) {
        for (j = 0; j < p->ranges->n_layers; j++) {
            log_range(&p->ranges->rho_ohmm[j][0], 1, &fr->rlo, &fr->rhi);
            log_range(&p->ranges->rho_ohmm[j][2], 1, &fr->rlo, &fr->rhi);
        }
    }
    if (isfinite(p->doi_m) && p->doi_m > 0)
        depth = fmax(depth, p->doi_m / 2);
    if (!(fr->rlo < INFINITY)) {
        fr->rlo = fr->ylo;
        fr->rhi = fr->yhi;
    }
    decades(&fr->rlo, &fr->rhi);
    fr->zmin = p->n_layers > 1 ? p->thick_m[0] / 3 : 0.5;
    if (p->ref_layers > 1)
        fr->zmin = fmin(fr->zmin, p->ref_thick[0] / 3);
    if (p->exit_layers > 1)
        fr->zmin = fmin(fr->zmin, p->exit_thick[0] / 3);
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

/* The band between lo and hi (n values at x, log10 of y when logy) filled in colour 6. */
static void
draw_band(size_t n, const double *x, const double *lo, const double *hi, int logy)
{
    PLFLT *px = malloc(4 * n * sizeof *px), *py = px + 2 * n;
    size_t i;

    if (px == NULL)
        return; /* the picture without its band */
    for (i = 0; i < n; i++) {
        px[i] = px[2 * n - 1 - i] = log10(x[i]);
        py[i] = logy ? log10(lo[i]) : lo[i];
        py[2 * n - 1 - i] = logy ? log10(hi[i]) : hi[i];
    }
    pl.col0(6);
    pl.fill((PLINT)(2 * n), px, py);
    free(px);
}

/* Error bars of +-sd at the n points (x, y) (log10 of y when logy, sd then in decades). */
static void
draw_errors(size_t n, const double *x, const double *y, const double *sd, int logy)
{
    PLFLT *px = malloc(3 * n * sizeof *px), *lo = px + n, *hi = px + 2 * n;
    size_t i;

    if (px == NULL)
        return; /* the picture without its error bars */
    for (i = 0; i < n; i++) {
        double c = logy ? log10(y[i]) : y[i];

        px[i] = log10(x[i]);
        lo[i] = c - sd[i];
        hi[i] = c + sd[i];
    }
    pl.col0(1);
    pl.erry((PLINT)n, px, lo, hi);
    free(px);
}

/* The Schlumberger segments as measured, before they were joined: each MN/2 a faint line
 * through its points, in the grid's grey. */
static void
draw_raw_segments(const fwd_sounding *s)
{
    PLFLT px[512], py[512];
    double l;
    size_t i, k;

    pl.col0(4);
    for (l = fwd_sounding_next_mn2(s, 0); l < INFINITY; l = fwd_sounding_next_mn2(s, l)) {
        for (i = k = 0; i < s->n && k < 512; i++)
            if (s->mn2[i] == l) {
                px[k] = log10(s->x[i]);
                py[k++] = log10(s->rho_a[i]);
            }
        pl.line((PLINT)k, px, py);
        pl.poin((PLINT)k, px, py, 2);
    }
    pl.col0(1);
}

/* The apparent resistivity panel: observed points and the model's response. */
static void
data_panel(const struct plot_sounding *p, const double *obs, const struct frame *fr)
{
    const fwd_sounding *s = p->s;
    char xlab[64];

    pl.col0(1);
    pl.vpor(fr->dx0, fr->dx1, fr->vy0, fr->vy1);
    pl.wind(fr->xlo, fr->xhi, fr->ylo, fr->yhi);
    if (p->band != NULL && p->n_curve > 1)
        draw_band(p->n_curve, p->curve_x, p->band, p->band + p->n_curve, 1);
    pl.col0(4);
    pl.box("ghl", 0, 0, "ghl", 0, 0);
    pl.col0(1);
    pl.box("bclnst", 0, 0, "bcvlnst", 0, 0);
    snprintf(xlab, sizeof xlab, "%s (%s)", fwd_method_get(s->method)->x_name,
             fwd_method_get(s->method)->x_unit);
    pl.lab(xlab, "apparent resistivity (ohm-m)", "");
    if (p->rho_obs != NULL)
        draw_raw_segments(s);
    if (s->sd_log10 != NULL)
        draw_errors(s->n, s->x, obs, s->sd_log10, 1);
    draw_points(s->n, s->x, obs, 1, 0);
    if (p->dropped_x > 0) { /* the reading left out: a red x */
        PLFLT dx = log10(p->dropped_x), dy = log10(p->dropped_rho);

        pl.col0(2);
        pl.poin(1, &dx, &dy, 5);
        pl.col0(1);
    }
    if (p->n_curve > 1)
        draw_points(p->n_curve, p->curve_x, p->curve, 1, 1);
    if (p->worst_x > 0) { /* where the data look least like the training set */
        PLFLT wx[2] = {log10(p->worst_x), log10(p->worst_x)}, wy[2] = {fr->ylo, fr->yhi};

        /* the label on the side of the line with room for it */
        int left = wx[0] > 0.5 * (fr->xlo + fr->xhi);

        /* the room on that side, as a share of the page's width: a narrow (MT) panel
         * gets the label smaller rather than cut at its edge */
        double room =
            (left ? wx[0] - fr->xlo : fr->xhi - wx[0]) / (fr->xhi - fr->xlo) * (fr->dx1 - fr->dx0);

        pl.col0(2);
        pl.line(2, wx, wy);
        fit_scale("outside the training range", 0.8, 0.93 * room);
        pl.ptex(wx[0], fr->yhi - 0.06 * (fr->yhi - fr->ylo), 1, 0, left ? 1.05 : -0.05,
                "outside the training range");
        pl.schr(0, 0.8);
    }
    pl.col0(1);
    pl.mtex("t", 1.2, 0.0, 0.0,
            p->forward           ? "o the points computed"
            : p->rho_obs != NULL ? (p->dropped_x > 0 ? "o observed, joined (grey +: as measured; "
                                                       "red x: left out)"
                                                     : "o observed, segments joined (grey +: as "
                                                       "measured)")
            : p->dropped_x > 0   ? "o observed (red x: left out, --drop-outlier)"
                                 : "o observed");
    pl.col0(2);
    pl.mtex("t", 2.5, 0.0, 0.0,
            !p->forward      ? "- response of the bpinv model"
            : s->mn2 != NULL ? "- the response between them, of the ideal array (MN -> 0)"
                             : "- the response between them");
    pl.col0(1);
    if (p->band != NULL || s->sd_log10 != NULL) {
        const char *t = p->band == NULL ? "bars: the data's errors"
                        : s->sd_log10 != NULL
                            ? "shaded: responses of the equivalent models; bars: the data's errors"
                            : "shaded: responses of the equivalent models";
        /* smaller rather than into the model panel's legend, which reaches this high with
         * three lines (a reference, the next-best count, the equivalent models) */
        double scale = fit_scale(t, 0.8, MODEL_LEFT(s->method == FWD_MT) - fr->dx0 - 0.02);

        pl.mtex("t", 3.8 * 0.8 / scale, 0.0, 0.0, t);
        pl.schr(0, 0.8);
    }
}

/* The MT phase panel: observed phases and the model's. */
static void
phase_panel(const struct plot_sounding *p, const struct frame *fr)
{
    const fwd_sounding *s = p->s;
    double lo = 0, hi = 90; /* a 1D earth's phases; wider to show any observed outside */
    size_t i;

    for (i = 0; i < s->n; i++) {
        lo = fmin(lo, 30 * floor(s->phase[i] / 30));
        hi = fmax(hi, 30 * ceil(s->phase[i] / 30));
    }
    pl.col0(1);
    pl.vpor(0.41, 0.64, fr->vy0, fr->vy1);
    pl.wind(fr->xlo, fr->xhi, lo, hi);
    if (p->band != NULL && p->n_curve > 1)
        draw_band(p->n_curve, p->curve_x, p->band + 2 * p->n_curve, p->band + 3 * p->n_curve, 0);
    pl.col0(4);
    pl.box("ghl", 0, 0, "g", 0, 0);
    pl.col0(1);
    pl.box("bclnst", 0, 0, "bcvnst", 30, 3);
    pl.lab("period (s)", "", "");
    pl.mtex("l", 3.3, 0.5, 0.5, "phase (degrees)"); /* clear of the data panel */
    if (s->sd_phase != NULL)
        draw_errors(s->n, s->x, s->phase, s->sd_phase, 0);
    draw_points(s->n, s->x, s->phase, 0, 0);
    if (p->n_curve > 1)
        draw_points(p->n_curve, p->curve_x, p->curve + p->n_curve, 0, 1);
}

/*
 * The equivalent models' resistivity-depth envelope (invnet_ranges.h), from the top of the
 * panel to its foot: the band of their resistivities at each depth, shaded in the colour of
 * their responses' band. Above its first depth every model is in its first layer and below
 * its last in its half-space, so its ends hold to the panel's edges (a half-space:
 * rho_ohmm[0] throughout). Not its median: joined from depth to depth, that reads as a
 * model, and it is none (a helper's thin conductors: 20-23 % misfit beside fits of 3 %,
 * and half their conductance).
 */
static void
draw_envelope(const invnet_ranges *g, const struct frame *fr)
{
    enum { N = INVNET_ENVELOPE_DEPTHS + 2 };
    PLFLT x[2 * N], y[2 * N];
    size_t n = g->n_envelope, k;

    for (k = 0; k < n + 2; k++) { /* the band down its left side, up its right */
        size_t d = k == 0 ? 0 : k <= n ? k - 1 : n - 1; /* the edges take the ends' */
        const double *iv = n == 0 ? g->rho_ohmm[0] : g->envelope_rho_ohmm[d];
        double z = k == 0 ? fr->zmin : k == n + 1 ? fr->zmax : g->envelope_depth_m[d];

        y[k] = y[2 * (n + 2) - 1 - k] = log10(fmin(fmax(z, fr->zmin), fr->zmax));
        x[k] = log10(iv[0]);
        x[2 * (n + 2) - 1 - k] = log10(iv[2]);
    }
    pl.col0(6);
    pl.fill((PLINT)(2 * (n + 2)), x, y);
    pl.col0(1);
}

/* What lies below the depth of investigation doi (m), shaded: the data do not see it (the
 * models are drawn over it). */
static void
shade_unseen(double doi, const struct frame *fr)
{
    if (isfinite(doi) && doi > fr->zmin && doi < fr->zmax) {
        PLFLT x[4] = {fr->rlo, fr->rhi, fr->rhi, fr->rlo};
        PLFLT y[4] = {log10(doi), log10(doi), log10(fr->zmax), log10(fr->zmax)};

        pl.col0(8);
        pl.fill(4, x, y);
    }
    pl.col0(1);
}

/* The depth of investigation doi (m), dashed and named. */
static void
draw_doi(double doi, const struct frame *fr)
{
    if (isfinite(doi) && doi > fr->zmin && doi < fr->zmax) {
        PLFLT x[2] = {fr->rlo, fr->rhi}, y[2] = {log10(doi), log10(doi)};

        pl.col0(1);
        pl.lsty(2);
        pl.line(2, x, y);
        pl.lsty(1);
        pl.ptex(fr->rlo + 0.02 * (fr->rhi - fr->rlo),
                y[0] - 0.03 * (log10(fr->zmax) - log10(fr->zmin)), 1, 0, 0,
                "depth of investigation");
        pl.col0(4);
        pl.ptex(fr->rlo + 0.02 * (fr->rhi - fr->rlo),
                y[0] + 0.06 * (log10(fr->zmax) - log10(fr->zmin)), 1, 0, 0, "not seen by the data");
    }
    pl.col0(1);
}

/* Cuts s to at most max bytes by its middle, "start...end", on UTF-8 character bounds. */
static void
shorten(char *s, size_t max)
{
    size_t len = strlen(s), head = max / 2 - 1, tail;

    if (len <= max)
        return;
    while (head > 0 && ((unsigned char)s[head] & 0xc0) == 0x80)
        head--; /* not inside a character */
    tail = len - (max - head - 3);
    while (tail < len && ((unsigned char)s[tail] & 0xc0) == 0x80)
        tail++;
    memcpy(s + head, "...", 3);
    memmove(s + head + 3, s + tail, len - tail + 1);
}

/* The lines of legend above the model panel: the model, a reference, the next-best layer
 * count, the fit outside the prior, the equivalent models; one each. */
static int
model_legend_lines(const struct plot_sounding *p)
{
    return (p->n_layers > 0) + (p->ref_layers > 0) + (p->alt_layers > 0) + (p->exit_layers > 0) +
           (p->ranges != NULL);
}

/*
 * Writes text, in the current colour, as line *k of the legend above a panel whose left edge
 * is at left (a share of the page's width), then counts the line: line 0 just above the
 * panel, each next one 1.3 character heights higher (at the scale 0.8). Text too long for
 * the room from left to the page's right edge is written smaller.
 */
static void
legend_line(int *k, double left, const char *text)
{
    double scale = fit_scale(text, 0.8, 0.98 - left);

    /* mtex's distance is in the current character height: the same place at any scale */
    pl.mtex("t", (1.2 + 1.3 * (*k)++) * 0.8 / scale, 0.0, 0.0, text);
    pl.schr(0, 0.8);
}

/* The legend of the model panel (its left edge at left), a line each from the panel up, as
 * model_legend_lines counts them. */
static void
model_legend(const struct plot_sounding *p, double left)
{
    char lab[128];
    int k = 0;

    if (p->n_layers > 0) {
        pl.col0(2);
        legend_line(&k, left, p->forward ? "the model" : "bpinv model");
    }
    if (p->ref_layers > 0) {
        snprintf(lab, sizeof lab, "%s", p->ref_label != NULL ? p->ref_label : "reference");
        shorten(lab, 60);
        pl.col0(3);
        legend_line(&k, left, lab);
    }
    if (p->alt_layers > 0) {
        if (p->alt_weight >= 0.001)
            snprintf(lab, sizeof lab, "- - next best: %zu layers (weight %.2g)", p->alt_layers,
                     p->alt_weight);
        else /* "weight 0" (an underflow) or 1e-07 reads as a typo: a bound instead */
            snprintf(lab, sizeof lab, "- - next best: %zu layers (weight < 0.001)", p->alt_layers);
        pl.col0(2);
        legend_line(&k, left, lab);
    }
    if (p->exit_layers > 0) {
        snprintf(lab, sizeof lab, "- - fit outside the prior: %.1f %%", p->exit_misfit_pct);
        pl.col0(7);
        legend_line(&k, left, lab);
    }
    if (p->ranges != NULL) {
        snprintf(lab, sizeof lab, "shaded: equivalent models, %g-%g %%",
                 (100 - p->ranges->level) / 2, (100 + p->ranges->level) / 2);
        pl.col0(1);
        legend_line(&k, left, lab);
    }
    pl.col0(1);
}

/* The model panel: resistivity against depth, depth down; the reference model first. */
static void
model_panel(const struct plot_sounding *p, const struct frame *fr, int mt)
{
    const double left = MODEL_LEFT(mt);

    pl.col0(1);
    pl.vpor(left, 0.97, fr->vy0, fr->vy1);
    pl.wind(fr->rlo, fr->rhi, log10(fr->zmax), log10(fr->zmin)); /* depth grows downwards */
    pl.col0(4);
    pl.box("ghl", 0, 0, "ghl", 0, 0);
    pl.col0(1);
    pl.box("bclnst", 0, 0, "bcvlnst", 0, 0);
    pl.lab("resistivity (ohm-m)", "depth (m)", "");
    shade_unseen(p->doi_m, fr);
    pl.col0(4);
    pl.box("ghl", 0, 0, "ghl", 0, 0);
    pl.col0(1);
    if (p->ranges != NULL) { /* the grid over it */
        draw_envelope(p->ranges, fr);
        pl.col0(4);
        pl.box("ghl", 0, 0, "ghl", 0, 0);
        pl.col0(1);
    }
    if (p->ref_layers > 0) {
        pl.col0(3);
        pl.width(2);
        draw_model(p->ref_layers, p->ref_rho, p->ref_thick, fr->zmin, fr->zmax);
    }
    if (p->alt_layers > 0) { /* the next-best layer count, dashed */
        pl.col0(2);
        pl.width(1);
        pl.lsty(2);
        draw_model(p->alt_layers, p->alt_rho, p->alt_thick, fr->zmin, fr->zmax);
        pl.lsty(1);
    }
    if (p->exit_layers > 0) { /* the fit with the prior widened, dashed */
        pl.col0(7);
        pl.width(2);
        pl.lsty(2);
        draw_model(p->exit_layers, p->exit_rho, p->exit_thick, fr->zmin, fr->zmax);
        pl.lsty(1);
    }
    if (p->n_layers > 0) {
        pl.col0(2);
        pl.width(3);
        draw_model(p->n_layers, p->rho_ohmm, p->thick_m, fr->zmin, fr->zmax);
    }
    pl.width(1);
    draw_doi(p->doi_m, fr);
    model_legend(p, left);
}

/* At most this many layers in the table of ranges. */
#define TABLE_ROWS 8

/* The ranges table's line height and the room under it, pixels. */
#define TABLE_LINE_PX 19.0
#define TABLE_GAP_PX  24.0

/* The lines of the ranges table (ranges_table): the heading, a row per layer (at most
 * TABLE_ROWS, then one saying so), a gap of 0.3, two lines of notes, the depth of
 * investigation's. */
static double
table_lines(const invnet_ranges *g)
{
    size_t nl = g->n_layers;

    return 1 + (double)(nl < TABLE_ROWS ? nl : TABLE_ROWS) + (nl > TABLE_ROWS) + 0.3 + 2 +
           isfinite(g->doi_m) + (isfinite(g->doi_m) && isfinite(g->doi_interval_m[1]));
}

/* x to three significant digits, without an exponent from 0.001 to 99,999. */
static const char *
num(double x, char *buf, size_t cap)
{
    double r = strtod((snprintf(buf, cap, "%.3g", x), buf), NULL);

    if (r != 0 && fabs(r) >= 1e-3 && fabs(r) < 1e5)
        snprintf(buf, cap, "%.*f", (int)fmax(0, 2 - floor(log10(fabs(r)))), r);
    return buf;
}

/* "v [lo - hi]" into buf, with " *" when unresolved and " !" when v lies outside its
 * interval (a best fit on a prior's bound or at one end of a trade-off: docs/invert.md). */
static const char *
with_range(double v, const double *iv, int unresolved, char *buf, size_t cap)
{
    char a[32], b[32], c[32];

    /* unresolved 2: held (a borehole's value, not the data's) */
    snprintf(buf, cap, "%s [%s - %s]%s%s", num(v, a, sizeof a), num(iv[0], b, sizeof b),
             num(iv[2], c, sizeof c),
             unresolved == 2 ? " held"
             : unresolved    ? " *"
                             : "",
             unresolved != 2 && (v < iv[0] || v > iv[2]) ? " !" : "");
    return buf;
}

/*
 * The table under the panels: each layer's resistivity, thickness and depth to its base
 * with the ends of their intervals (an unresolved resistivity or thickness marked '*' and in
 * red, the rest of its row not), and for a buried layer more conductive (resistive) than
 * both neighbours its conductance S (transverse resistance T), what the data know of a thin
 * one; then how the intervals were found.
 */
static void
ranges_table(const struct plot_sounding *p, const struct frame *fr)
{
    const invnet_ranges *g = p->ranges;
    static const double col[5] = {0.03, 0.09, 0.33, 0.56, 0.76};
    double y = fr->table_y, dy = fr->table_dy;
    size_t nl = g->n_layers, k, c;
    char t[5][96], st[90], a[32], line[320];
    double base = 0; /* the answer's depth to the base of layer k */
    int outside = 0; /* an answer outside its interval: the legend says what '!' means */
    int doi_out;

    pl.col0(1);
    pl.vpor(0.0, 1.0, 0.0, 1.0);
    pl.wind(0, 1, 0, 1);
    pl.schr(0, 0.7);
    snprintf(t[0], sizeof t[0], "layer");
    snprintf(t[1], sizeof t[1], "resistivity (ohm-m)");
    snprintf(t[2], sizeof t[2], "thickness (m)");
    snprintf(t[3], sizeof t[3], "depth to its base (m)");
    snprintf(t[4], sizeof t[4], "S (siemens) or T (ohm-m2)");
    for (c = 0; c < 5; c++)
        pl.ptex(col[c], y, 1, 0, 0, t[c]);
    for (k = 0; k < nl && k < TABLE_ROWS; k++) {
        /* the cells in red: the layer's resistivity, its thickness, when unresolved */
        int bad[5] = {0, g->unresolved[k], k + 1 < nl && g->unresolved[nl + k], 0, 0};

        y -= dy;
        snprintf(t[0], sizeof t[0], "%zu", k + 1);
        with_range(p->rho_ohmm[k], g->rho_ohmm[k], g->held[k] ? 2 : g->unresolved[k], t[1],
                   sizeof t[1]);
        t[3][0] = t[4][0] = '\0';
        outside |= p->rho_ohmm[k] < g->rho_ohmm[k][0] || p->rho_ohmm[k] > g->rho_ohmm[k][2];
        if (k + 1 < nl) {
            base += p->thick_m[k];
            with_range(p->thick_m[k], g->thick_m[k], g->held[nl + k] ? 2 : g->unresolved[nl + k],
                       t[2], sizeof t[2]);
            with_range(base, g->depth_m[k], g->held_depth[k] ? 2 : 0, t[3], sizeof t[3]);
            outside |= strstr(t[2], " !") != NULL || strstr(t[3], " !") != NULL;
            /* the answer's S or T, then its interval, as the other columns */
            if (k > 0 && p->rho_ohmm[k] < fmin(p->rho_ohmm[k - 1], p->rho_ohmm[k + 1]))
                snprintf(t[4], sizeof t[4], "S %s",
                         with_range(p->thick_m[k] / p->rho_ohmm[k], g->conductance_s[k], 0, st,
                                    sizeof st));
            else if (k > 0 && p->rho_ohmm[k] > fmax(p->rho_ohmm[k - 1], p->rho_ohmm[k + 1]))
                snprintf(t[4], sizeof t[4], "T %s",
                         with_range(p->thick_m[k] * p->rho_ohmm[k], g->transverse_ohmm2[k], 0, st,
                                    sizeof st));
            outside |= strstr(t[4], " !") != NULL;
        } else {
            snprintf(t[2], sizeof t[2], "half-space");
        }
        for (c = 0; c < 5; c++) {
            pl.col0(bad[c] ? 2 : 1);
            pl.ptex(col[c], y, 1, 0, 0, t[c]);
        }
    }
    pl.col0(1);
    if (nl > TABLE_ROWS) {
        y -= dy;
        pl.ptex(col[0], y, 1, 0, 0, "... the other layers: see the CSV or JSON output");
    }
    /* the answer's depth of investigation outside the equivalent models' interval of it */
    doi_out = isfinite(g->doi_m) && isfinite(g->doi_interval_m[1]) &&
              (g->doi_m < g->doi_interval_m[0] || g->doi_m > g->doi_interval_m[2]);
    outside |= doi_out;
    y -= 1.3 * dy;
    snprintf(line, sizeof line,
             "the model [%g - %g %% of the equivalent models: %zu, from %zu group%s]",
             (100 - g->level) / 2, (100 + g->level) / 2, g->n_fit, g->n_groups,
             g->n_groups == 1 ? "" : "s");
    pl.ptex(col[0], y, 1, 0, 0, line);
    y -= dy;
    pl.ptex(col[0], y, 1, 0, 0,
            outside ? "* unresolved: the interval spans a decade or half the prior, or a bound "
                      "of the prior cuts it; ! the best fit lies outside it"
                    : "* unresolved: the interval spans a decade or half the prior, or a bound "
                      "of the prior cuts it");
    if (isfinite(g->doi_m)) {
        char lo[32], hi[32];

        y -= dy;
        if (isfinite(g->doi_interval_m[1])) { /* two lines */
            snprintf(line, sizeof line,
                     "depth of investigation %s m%s (%s - %s m across the equivalent models):",
                     num(g->doi_m, a, sizeof a), doi_out ? " !" : "",
                     num(g->doi_interval_m[0], lo, sizeof lo),
                     num(g->doi_interval_m[2], hi, sizeof hi));
            pl.ptex(col[0], y, 1, 0, 0, line);
            y -= dy;
            pl.ptex(col[0], y, 1, 0, 0,
                    "below it, half or twice the resistivity would fit the data as well");
        } else {
            snprintf(line, sizeof line,
                     "depth of investigation %s m: below it, half or twice the resistivity "
                     "would fit the data as well",
                     num(g->doi_m, a, sizeof a));
            pl.ptex(col[0], y, 1, 0, 0, line);
        }
    }
}

/* The title: the sounding, the misfit, the flags. */
static void
title(const struct plot_sounding *p)
{
    const fwd_sounding *s = p->s;
    const char *flags = p->flags[0] != '\0' ? p->flags : "in range, no flags";
    char text[1600], station[1300], file[1100], name[128];
    const char *base;

    pl.col0(1);
    pl.vpor(0.0, 1.0, 0.0, 1.0);
    pl.wind(0, 1, 0, 1);
    if (p->forward) { /* no sounding: the model */
        snprintf(text, sizeof text, "%s response of a %zu-layer earth",
                 s->method == FWD_MT ? "MT" : fwd_method_name(s->method), p->n_layers);
        text[0] = (char)toupper((unsigned char)text[0]); /* Schlumberger, Wenner */
        fit_scale(text, 1.1, 0.96);
        pl.ptex(0.5, 0.955, 1, 0, 0.5, text);
        return;
    }
    base = strrchr(s->source, '/');
    base = base != NULL ? base + 1 : s->source;
    /* long names must not push the title off the picture: cut in their middle */
    snprintf(file, sizeof file, "%s", base);
    snprintf(name, sizeof name, "%s", s->name);
    shorten(file, 36);
    shorten(name, 20);
    if (strcmp(base, s->name) != 0)
        snprintf(station, sizeof station, "%s, station %s", file, name);
    else
        snprintf(station, sizeof station, "%s", file);
    if (p->n_layers > 0 && p->weight > 0)
        snprintf(text, sizeof text, "%s (%s): %zu layers (weight %.2g), misfit %.1f %%", station,
                 fwd_method_name(s->method), p->n_layers, p->weight, p->misfit_pct);
    else if (p->n_layers > 0)
        snprintf(text, sizeof text, "%s (%s): %zu layers, misfit %.1f %%", station,
                 fwd_method_name(s->method), p->n_layers, p->misfit_pct);
    else
        snprintf(text, sizeof text, "%s (%s): not inverted", station, fwd_method_name(s->method));
    /* a title wider than the picture is written smaller (a count of characters is not a
     * width: 81 of a file name in '_' and 'm' overflowed where 76 were thought to fit) */
    fit_scale(text, 1.1, 0.96);
    pl.ptex(0.5, 0.955, 1, 0, 0.5, text);
    fit_scale(flags, 0.85, 0.96);
    pl.col0(p->flags[0] != '\0' ? 2 : 1);
    pl.ptex(0.5, 0.91, 1, 0, 0.5, flags);
}

/* PLplot prints and exits on some errors: what can be checked is checked first. 0 when path
 * can be written, else -1 with msg set. */
static int
can_create(const char *path, char *msg, size_t cap)
{
    FILE *probe = fopen(path, "wb");

    if (probe == NULL) {
        snprintf(msg, cap, "%s: cannot create", path);
        return -1;
    }
    fclose(probe);
    return 0;
}

const char *
plot_bad_suffix(const char *path)
{
    const char *base = strrchr(path, '/'), *dot;

    dot = strrchr(base != NULL ? base + 1 : path, '.');
    return dot != NULL && strcasecmp(dot, ".png") != 0 && strcasecmp(dot, ".svg") != 0 &&
                   strcasecmp(dot, ".pdf") != 0
               ? dot
               : NULL;
}

/* The PLplot device for a picture file: SVG or PDF by its suffix, else memcairo: a PNG is
 * drawn in memory and written by png_write (page_begin). */
static const char *
device_of(const char *path)
{
    size_t len = strlen(path);

    if (len > 4 && strcasecmp(path + len - 4, ".svg") == 0)
        return "svgcairo";
    if (len > 4 && strcasecmp(path + len - 4, ".pdf") == 0)
        return "pdfcairo";
    return "memcairo";
}

/* A PNG is written by png_write, whole or not at all: no probe that would empty what is
 * at path before the picture is drawn. */
static int
is_png(const char *path)
{
    return strcmp(device_of(path), "memcairo") == 0;
}

/* plot_load, its message naming path: 0, or -1 with msg set. */
static int
load_for(const char *path, char *msg, size_t cap)
{
    char why[256];

    if (plot_load(why, sizeof why) == 0)
        return 0;
    snprintf(msg, cap, "%s: %s", path, why);
    return -1;
}

/* After plot_load: 0 when PLplot has the device for path and, for SVG and PDF (written by
 * PLplot), path can be created; else -1 with msg set. */
static int
file_ready(const char *path, char *msg, size_t cap)
{
    const char *dev = device_of(path);
    fwd_error e;
    size_t k;

    for (k = 0; k < sizeof devices / sizeof devices[0]; k++)
        if (strcmp(devices[k], dev) == 0 && !have_device[k])
            return no_device(msg, cap, path, dev);
    /* a link, device or FIFO at path would be replaced (PNG) or written through (SVG, PDF) */
    if (fwd_io_replaceable(path, &e) != FWD_OK) {
        snprintf(msg, cap, "%s", e.msg);
        return -1;
    }
    return is_png(path) ? 0 : can_create(path, msg, cap);
}

/*
 * A picture being drawn. A PNG is drawn in memory (PLplot's memcairo device, on white) and
 * written by png_write: cairo's own PNG writer, libpng's adaptive row filters and zlib's
 * level 6, took four fifths of a plot's time. SVG and PDF are written by PLplot.
 */
struct page {
    const char *path;
    unsigned char *rgb; /* w x h pixels, 3 bytes each; NULL for SVG and PDF */
    int w, h;
};

/* Selects the device for a picture of w x h pixels at path; before pl.init. 0, or -1 with
 * msg set (out of memory). */
static int
page_begin(struct page *pg, const char *path, int w, int h, char *msg, size_t cap)
{
    const char *dev = device_of(path);

    pg->path = path;
    pg->w = w;
    pg->h = h;
    pg->rgb = NULL;
    if (!is_png(path)) {
        char geometry[32];

        snprintf(geometry, sizeof geometry, "%dx%d", w, h);
        pl.sdev(dev);
        pl.sfnam(path);
        pl.setopt("geometry", geometry);
        return 0;
    }
    if ((pg->rgb = malloc((size_t)w * (size_t)h * 3)) == NULL) {
        snprintf(msg, cap, "%s: out of memory for a picture of %d x %d pixels", path, w, h);
        return -1;
    }
    memset(pg->rgb, 255, (size_t)w * (size_t)h * 3); /* memcairo draws on what is there */
    pl.sdev(dev);
    pl.smem(w, h, pg->rgb);
    return 0;
}

/* One chunk of a PNG file (ISO/IEC 15948:2003, section 5.3): length, type, data, CRC. */
static int
png_chunk(FILE *f, const char *type, const unsigned char *data, size_t len)
{
    unsigned char be[4] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                           (unsigned char)(len >> 8), (unsigned char)len};
    uLong crc = crc32(crc32(0L, Z_NULL, 0), (const Bytef *)type, 4);

    crc = len > 0 ? crc32(crc, data, (uInt)len) : crc;
    if (fwrite(be, 1, 4, f) != 4 || fwrite(type, 1, 4, f) != 4 ||
        (len > 0 && fwrite(data, 1, len, f) != len))
        return -1;
    be[0] = (unsigned char)(crc >> 24);
    be[1] = (unsigned char)(crc >> 16);
    be[2] = (unsigned char)(crc >> 8);
    be[3] = (unsigned char)crc;
    return fwrite(be, 1, 4, f) == 4 ? 0 : -1;
}

/*
 * The w x h RGB pixels as a PNG file at path (8-bit truecolour, no interlace, no row
 * filter) deflated at zlib's level 1. On a sounding's plot (1000 x 560) that takes 4 ms and
 * 81 kB, where cairo's writer (libpng's adaptive filters, level 6) took 17 ms for 89 kB: a
 * plot's lines and text are long runs of one colour, which deflate's matches take whole.
 * 0, or -1 with msg set.
 */
static int
png_write(const char *path, const unsigned char *rgb, int w, int h, char *msg, size_t cap)
{
    static const unsigned char sig[8] = {137, 'P', 'N', 'G', '\r', '\n', 26, '\n'};
    static const unsigned char no_filter = 0;
    size_t row = (size_t)w * 3;
    unsigned char ihdr[13] = {(unsigned char)(w >> 24),
                              (unsigned char)(w >> 16),
                              (unsigned char)(w >> 8),
                              (unsigned char)w,
                              (unsigned char)(h >> 24),
                              (unsigned char)(h >> 16),
                              (unsigned char)(h >> 8),
                              (unsigned char)h,
                              8,
                              2,
                              0,
                              0,
                              0}; /* bit depth 8, RGB */
    uLong z_cap = compressBound((uLong)((row + 1) * (size_t)h));
    unsigned char *z = malloc(z_cap);
    z_stream zs = {0};
    FILE *f = NULL;
    char *tmp;
    int y, bad;

    if (z == NULL) {
        snprintf(msg, cap, "%s: out of memory for its PNG data", path);
        return -1;
    }
    bad = deflateInit(&zs, 1) != Z_OK;
    zs.next_out = z;
    zs.avail_out = (uInt)z_cap;
    for (y = 0; y < h && !bad; y++) { /* each row: its filter type, then its pixels */
        zs.next_in = &no_filter;
        zs.avail_in = 1;
        bad = deflate(&zs, Z_NO_FLUSH) != Z_OK;
        zs.next_in = rgb + (size_t)y * row;
        zs.avail_in = (uInt)row;
        bad = bad ||
              deflate(&zs, y + 1 < h ? Z_NO_FLUSH : Z_FINISH) != (y + 1 < h ? Z_OK : Z_STREAM_END);
    }
    deflateEnd(&zs);
    if (bad) {
        snprintf(msg, cap, "%s: zlib could not compress the picture", path);
        free(z);
        return -1;
    }
    /* under a temporary name, then renamed: a picture that fails leaves what was at path */
    if ((tmp = fwd_io_temp_name(path)) == NULL || (f = fopen(tmp, "wbx")) == NULL) {
        snprintf(msg, cap, "%s: cannot create: %s", path,
                 tmp == NULL ? "out of memory" : strerror(errno));
        free(tmp);
        free(z);
        return -1;
    }
    errno = 0;
    bad = fwrite(sig, 1, 8, f) != 8 || png_chunk(f, "IHDR", ihdr, sizeof ihdr) != 0 ||
          png_chunk(f, "IDAT", z, zs.total_out) != 0 || png_chunk(f, "IEND", NULL, 0) != 0;
    bad = fclose(f) != 0 || bad;
    free(z);
    if (bad)
        snprintf(msg, cap, "%s: cannot write: %s", path, fwd_io_why("write error (disk full?)"));
    else if (rename(tmp, path) != 0) {
        snprintf(msg, cap, "%s: cannot create: %s", path, strerror(errno));
        bad = 1;
    }
    if (bad)
        unlink(tmp);
    free(tmp);
    return bad ? -1 : 0;
}

/* Ends the picture (pl.end) and, for a PNG, writes it; 0, or -1 with msg set. */
static int
page_end(struct page *pg, char *msg, size_t cap)
{
    int rc = 0;

    pl.end();
    if (pg->rgb != NULL)
        rc = png_write(pg->path, pg->rgb, pg->w, pg->h, msg, cap);
    free(pg->rgb);
    pg->rgb = NULL;
    return rc;
}

int
plot_sounding_png(const char *path, const struct plot_sounding *p, char *msg, size_t cap)
{
    const double *obs = p->rho_obs != NULL ? p->rho_obs : p->s->rho_a;
    /* a second value per point (the MT phase) gets a panel of its own */
    int mt = fwd_method_get(p->s->method)->nvalues > 1;
    struct frame fr;
    struct page pg;
    double base, table;

    if (load_for(path, msg, cap) != 0 || file_ready(path, msg, cap) != 0)
        return -1;
    frame_of(p, obs, &fr);
    /* the panels as tall as without ranges, the ranges' table under them as tall as its
     * lines need: TABLE_LINE_PX each, then TABLE_GAP_PX */
    fr.width = mt ? 1300 : 1000;
    base = mt ? 600 : 560;
    table = p->ranges != NULL && p->n_layers > 0
                ? TABLE_LINE_PX * (double)table_lines(p->ranges) + TABLE_GAP_PX
                : 0;
    fr.height = (int)(base + table + 0.5);
    fr.vy0 = (table + 0.12 * base) / fr.height;
    /* above the panels, the title and three lines of legend; with ranges, a line more */
    fr.vy1 = (table + base - (p->ranges != NULL ? 0.22 * (base + 220) : 0.2 * base)) / fr.height;
    fr.table_y = (table - 0.5 * TABLE_GAP_PX) / fr.height; /* under the x axis's label */
    fr.table_dy = TABLE_LINE_PX / fr.height;
    /* room above the panels for three lines of legend: each line more lowers their top by
     * 1.3 character heights at 0.8, PLplot's default height being a hundredth of the page's
     * width plus height (plP_subpInit: 4 mm on a page of 200 by 200 mm) */
    if (model_legend_lines(p) > 3)
        fr.vy1 -=
            (model_legend_lines(p) - 3) * 1.3 * 0.8 * (fr.width + fr.height) / 100.0 / fr.height;
    fr.dx0 = 0.08;
    fr.dx1 = mt ? 0.36 : 0.56;
    equal_decades(&fr);
    if (page_begin(&pg, path, fr.width, fr.height, msg, cap) != 0)
        return -1;
    pl.scolbg(255, 255, 255);
    pl.scol0(1, 0, 0, 0);       /* axes, text, observed points */
    pl.scol0(2, 200, 30, 30);   /* the model's response, the model */
    pl.scol0(3, 40, 90, 200);   /* a reference model */
    pl.scol0(4, 140, 140, 140); /* grid */
    pl.scol0(5, 240, 170, 170); /* the equivalent models */
    pl.scol0(6, 205, 215, 245); /* the envelopes of their responses and resistivities */
    pl.scol0(7, 20, 140, 60);   /* the fit outside the prior */
    pl.scol0(8, 232, 232, 232); /* below the depth of investigation */
    pl.init();
    pl.adv(0);
    pl.schr(0, 0.8);
    pl.ssym(0, 0.7);
    data_panel(p, obs, &fr);
    if (mt)
        phase_panel(p, &fr);
    model_panel(p, &fr, mt);
    if (p->ranges != NULL && p->n_layers > 0)
        ranges_table(p, &fr);
    title(p);
    return page_end(&pg, msg, cap);
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
    /* segments (two MN/2 or more): drawn as joined, and as measured */
    p.rho_obs = fwd_sounding_next_mn2(it->s, fwd_sounding_next_mn2(it->s, 0)) < INFINITY
                    ? it->observed
                    : NULL;
    p.flags = invnet_flag_list(c->r.flags, ", ", fl, sizeof fl);
    if (it->dropped) {
        p.dropped_x = it->dropped_x;
        p.dropped_rho = it->dropped_rho;
    }
    if (c->r.flags & INVNET_FLAG_OUTSIDE)
        p.worst_x = c->r.worst_x;
    if (c->r.inverted) {
        if (c->curve != NULL) {
            p.n_curve = it->n_curve;
            p.curve_x = it->curve_x;
            p.curve = c->curve;
        }
        p.ranges = c->ranges;
        p.doi_m = c->doi_m;
        p.band = c->band;
        if (it->n_candidates > 1) { /* the next-best count */
            const invnet_candidate *a = NULL;
            size_t k;

            p.weight = c->weight;
            for (k = 0; k < it->n_candidates; k++)
                if (k != it->best && it->candidates[k].r.inverted &&
                    (a == NULL || it->candidates[k].weight > a->weight))
                    a = &it->candidates[k];
            if (a != NULL) {
                p.alt_layers = a->r.n_layers;
                p.alt_rho = a->r.rho_ohmm;
                p.alt_thick = a->r.thick_m;
                p.alt_weight = a->weight;
            }
        }
        p.n_layers = c->r.n_layers;
        p.rho_ohmm = c->r.rho_ohmm;
        p.thick_m = c->r.thick_m;
        p.misfit_pct = c->r.misfit_rms_pct;
        if (c->r.exit_run) {
            p.exit_layers = c->r.n_layers;
            p.exit_rho = c->r.exit_rho_ohmm;
            p.exit_thick = c->r.exit_thick_m;
            p.exit_misfit_pct = c->r.exit_misfit_pct;
        }
    }
    if (ref->n > 0) {
        p.ref_layers = ref->n;
        p.ref_rho = ref->rho;
        p.ref_thick = ref->thick;
        p.ref_label = ref->label;
    }
    return plot_sounding_png(path, &p, msg, cap);
}

/* ---- a profile section ------------------------------------------------------------------ */

/* The stations of a section: the items with a model, sorted along the profile, their
 * distance along it, and the top of their column (the elevation when all have one, else 0
 * with depth down). Positions are x and y, else latitude and longitude (as metres east and
 * north of their mean, equirectangular), projected onto the best-fit line through them
 * (their principal axis), pointing from the first station given to the last; without
 * positions, or when they all coincide, the stations keep the order given, a unit apart. */
struct section {
    size_t n;
    const invnet_batch_item *it[4096];
    const invnet_candidate *c[4096];
    double dist[4096];
    int by_xy, by_latlon, by_elev;
    double v_lift;  /* a "v" at a column's foot is drawn this far up its axis (world units) */
    char note[512]; /* what the user should know of the distances ("" when nothing) */
};

/* Station positions in metres, into px and py; 0 when none or all the same. */
static int
section_xy(const struct section *sc, double *px, double *py)
{
    const double r = 6371000, d = FWD_PI / 180;
    double lat0 = 0, spread = 0;
    size_t k;

    if (!sc->by_xy && !sc->by_latlon)
        return 0;
    for (k = 0; k < sc->n; k++)
        lat0 += sc->it[k]->station.lat_deg / (double)sc->n;
    for (k = 0; k < sc->n; k++) {
        const invnet_station *st = &sc->it[k]->station;

        px[k] = sc->by_xy ? st->x_m : r * st->lon_deg * d * cos(lat0 * d);
        py[k] = sc->by_xy ? st->y_m : r * st->lat_deg * d;
        spread = fmax(spread, hypot(px[k] - px[0], py[k] - py[0]));
    }
    return spread > 0;
}

/* Orders the stations by key (ascending; ties in the order given), carrying key and
 * also along. */
static void
section_sort_across(struct section *sc, double *key, double *also)
{
    size_t i, j;

    for (i = 1; i < sc->n; i++) /* insertion: stable, and profiles are short */
        for (j = i; j > 0 && key[j - 1] > key[j]; j--) {
            const invnet_batch_item *it = sc->it[j];
            const invnet_candidate *c = sc->c[j];
            double v = key[j], a = also[j];

            sc->it[j] = sc->it[j - 1], sc->c[j] = sc->c[j - 1], key[j] = key[j - 1];
            also[j] = also[j - 1];
            sc->it[j - 1] = it, sc->c[j - 1] = c, key[j - 1] = v, also[j - 1] = a;
        }
}

/* Stations next to each other along the line (distances sc->dist, sorted) that are apart
 * across it (offsets across, m) by more than twice their distance along it and than 5 % of
 * the line's length (not a sounding repeated at one place): two profiles side by side, or
 * a station far off the line, drawn as neighbours. Said in sc->note (the pair furthest
 * apart). */
static void
off_line(struct section *sc, const double *across)
{
    double length = sc->dist[sc->n - 1], worst = 0;
    size_t k, n = 0, at = 0;

    for (k = 1; k < sc->n; k++) {
        double along = sc->dist[k] - sc->dist[k - 1], apart = fabs(across[k] - across[k - 1]);

        if (apart > 2 * along && apart > 0.05 * length) {
            n++;
            if (apart > worst)
                worst = apart, at = k;
        }
    }
    if (n > 0)
        snprintf(
            sc->note, sizeof sc->note,
            "the stations lie off one line: \"%.100s\" and \"%.100s\", %.0f m apart across the "
            "line fitted through them, are drawn %.0f m apart (%zu such neighbours; two "
            "profiles? draw each on its own)",
            sc->it[at - 1]->s->name, sc->it[at]->s->name, worst, sc->dist[at] - sc->dist[at - 1],
            n);
}

static void
section_of(const invnet_batch *b, struct section *sc)
{
    static double px[4096], py[4096];
    double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0, ux, uy, lo;
    size_t i, k;

    memset(sc, 0, sizeof *sc);
    for (i = 0; i < b->n && sc->n < 4096; i++) {
        const invnet_candidate *c = invnet_batch_best(&b->item[i]);

        if (c != NULL && c->r.inverted) {
            sc->it[sc->n] = &b->item[i];
            sc->c[sc->n++] = c;
        }
    }
    sc->by_xy = sc->by_latlon = sc->by_elev = sc->n > 0;
    for (k = 0; k < sc->n; k++) {
        const invnet_station *st = &sc->it[k]->station;

        sc->by_xy &= isfinite(st->x_m) && isfinite(st->y_m);
        sc->by_latlon &= isfinite(st->lat_deg) && isfinite(st->lon_deg);
        sc->by_elev &= isfinite(st->elevation_m);
    }
    if (!sc->by_xy && !sc->by_latlon) { /* some placed, some not: said */
        size_t placed = 0, first = sc->n;

        for (k = 0; k < sc->n; k++) {
            const invnet_station *st = &sc->it[k]->station;
            int at = (isfinite(st->x_m) && isfinite(st->y_m)) ||
                     (isfinite(st->lat_deg) && isfinite(st->lon_deg));

            placed += (size_t)at;
            if (!at && first == sc->n)
                first = k;
        }
        if (placed > 0 && first < sc->n)
            snprintf(sc->note, sizeof sc->note,
                     "%zu of the %zu stations %s no position (\"%s\" first): all drawn in the "
                     "order given",
                     sc->n - placed, sc->n, sc->n - placed == 1 ? "has" : "have",
                     sc->it[first]->s->name);
        else if (placed > 0) /* every one placed, some by x and y, the others by lat, lon */
            snprintf(sc->note, sizeof sc->note,
                     "the stations are placed some by x and y, the others by latitude and "
                     "longitude: all drawn in the order given");
    }
    if (!section_xy(sc, px, py)) {
        sc->by_xy = sc->by_latlon = 0;
        for (k = 0; k < sc->n; k++) /* numbered as a field book numbers them: from 1 */
            sc->dist[k] = (double)(k + 1);
        return;
    }
    sc->by_latlon &= !sc->by_xy;
    for (k = 0; k < sc->n; k++)
        mx += px[k] / (double)sc->n, my += py[k] / (double)sc->n;
    for (k = 0; k < sc->n; k++) {
        sxx += (px[k] - mx) * (px[k] - mx);
        syy += (py[k] - my) * (py[k] - my);
        sxy += (px[k] - mx) * (py[k] - my);
    }
    ux = cos(0.5 * atan2(2 * sxy, sxx - syy)); /* the principal axis */
    uy = sin(0.5 * atan2(2 * sxy, sxx - syy));
    if ((px[sc->n - 1] - px[0]) * ux + (py[sc->n - 1] - py[0]) * uy < 0)
        ux = -ux, uy = -uy; /* from the first station given towards the last */
    for (k = 0; k < sc->n; k++) {
        sc->dist[k] = (px[k] - mx) * ux + (py[k] - my) * uy;
        px[k] = (px[k] - mx) * -uy + (py[k] - my) * ux; /* across the line */
    }
    section_sort_across(sc, sc->dist, px);
    for (k = 0, lo = sc->dist[0]; k < sc->n; k++)
        sc->dist[k] -= lo;
    off_line(sc, px);
}

/* The colour of resistivity rho on the section's scale lo..hi (log10). */
static void
rho_colour(double rho, double lo, double hi)
{
    double v = (log10(rho) - lo) / (hi - lo);

    pl.col1(fmin(1, fmax(0, v)));
}

/* The depth a sounding sees: its method's depth at its last point (AB/2 or a for DC, the
 * skin depth at the longest period for MT), m. */
static double
seen_depth(const fwd_sounding *s)
{
    const fwd_method_info *mi = fwd_method_get(s->method);

    return mi->depth_m(s->x[s->n - 1], s->rho_a[s->n - 1]);
}

/* A station to draw red: a flag other than those of its ranges (with --ranges most stations
 * have an unresolved parameter: red would no longer tell the good from the bad). */
static int
section_flagged(const invnet_result *r)
{
    return (r->flags & ~(unsigned)(INVNET_FLAG_UNRESOLVED | INVNET_FLAG_UNCONVERGED)) != 0;
}

/* A station whose model sets the section's scales: one that fits its data (no high_misfit)
 * with data like the net's (no data_outside_training_range). A station in SI units or of
 * resistances among the others stretched the colours over five decades and the misfit axis
 * to 200,000 %, and the others' 2 % lay on its zero (two testers, 2026-12-06). */
static int
section_scales(const invnet_result *r)
{
    return !(r->flags & (INVNET_FLAG_MISFIT | INVNET_FLAG_OUTSIDE));
}

/* Widens lo..hi (log10) to the resistivities of r's layers drawn down to zcol, only those
 * above doi when it is known (> 0). */
static void
seen_range(const invnet_result *r, double zcol, double doi, double *lo, double *hi)
{
    double z = 0, zb = doi > 0 ? fmin(zcol, doi) : zcol;
    size_t j;

    for (j = 0; j < r->n_layers && z < zb; j++) {
        *lo = fmin(*lo, log10(r->rho_ohmm[j]));
        *hi = fmax(*hi, log10(r->rho_ohmm[j]));
        if (j + 1 < r->n_layers)
            z += r->thick_m[j];
    }
}

/* The vertical coordinate of depth z below a station at elevation e: the elevation e - z
 * on a linear axis (by_elev), else log10 of the depth (clamped to zmin). */
static double
section_y(const struct section *sc, double e, double z, double zmin)
{
    return sc->by_elev ? e - z : log10(fmax(z, zmin));
}

/* The section's colour scale (hue 240, blue, to 0, red), pale or not. */
static void
section_scale(int pale)
{
    PLFLT pos[2] = {0, 1}, hue[2] = {240, 0}, light[2] = {0.5, 0.5}, sat[2] = {1, 1};

    if (pale)
        light[0] = light[1] = 0.86;
    pl.scmap1l(0, 2, pos, hue, light, sat, NULL);
}

/* A column's rectangle, x +- half wide, from depth z0 to z1 below a station at elevation e,
 * in the colour of rho (paler when pale: below the depth of investigation); nothing when
 * z1 <= z0. Elevation: y falls with depth; depth down: log10 of the depth, y rises. */
static void
section_fill(const struct section *sc, double x, double half, double e, double z0, double z1,
             double zmin, double rho, double lo, double hi, int pale)
{
    PLFLT xs[4] = {x - half, x + half, x + half, x - half}, ys[4];

    ys[0] = ys[1] = section_y(sc, e, z0, zmin);
    ys[2] = ys[3] = section_y(sc, e, z1, zmin);
    if (!(sc->by_elev ? ys[2] < ys[0] : ys[2] > ys[0]))
        return;
    if (pale)
        section_scale(1);
    rho_colour(rho, lo, hi);
    pl.fill(4, xs, ys);
    if (pale)
        section_scale(0);
}

/* Column k has a bar of section_doi_ranges: an interval whose top is above the column's
 * foot (the depth its sounding sees, or zdeep, the axis's end). */
static int
has_bar(const struct section *sc, size_t k, double zdeep)
{
    const double *iv = sc->c[k]->doi_interval_m;

    return isfinite(iv[0]) && iv[0] > 0 && iv[0] < fmin(seen_depth(sc->it[k]->s), zdeep) &&
           iv[2] >= iv[0];
}

/* With ranges, each column's depth of investigation across the equivalent models: a bar
 * from the interval's low end to its high one (cut at the column's foot; a cap at each end
 * drawn), SECTION_BAR of the column's half-width right of its centre. */
#define SECTION_BAR 0.8
static void
section_doi_ranges(const struct section *sc, double half, double zdeep, double zmin)
{
    size_t k;

    pl.col0(1);
    for (k = 0; k < sc->n; k++) {
        const double *iv = sc->c[k]->doi_interval_m;
        double e = sc->by_elev ? sc->it[k]->station.elevation_m : 0;
        double zcol = fmin(seen_depth(sc->it[k]->s), zdeep), x = sc->dist[k] + SECTION_BAR * half;
        double cap = 0.12 * half;
        PLFLT xs[2] = {x, x}, ys[2];

        if (!has_bar(sc, k, zdeep))
            continue;
        ys[0] = section_y(sc, e, iv[0], zmin);
        ys[1] = section_y(sc, e, fmin(iv[2], zcol), zmin);
        pl.line(2, xs, ys);
        xs[0] = x - cap, xs[1] = x + cap;
        ys[1] = ys[0];
        pl.line(2, xs, ys);
        if (iv[2] < zcol) {
            ys[0] = ys[1] = section_y(sc, e, iv[2], zmin);
            pl.line(2, xs, ys);
        }
    }
}

/* Each column's depth of investigation where known and above the column's foot (the depth
 * its sounding sees, or zdeep, the axis's end), as a dashed line across it, joined from
 * column to column where both have one; a "v" on the foot of a column the axis cut above
 * its depth of investigation. A column that ends above it is seen to its foot: no mark. */
static void
section_doi(const struct section *sc, double half, double zdeep, double zmin)
{
    static PLFLT x[2 * 4096], y[2 * 4096];
    size_t k, n = 0;

    pl.col0(1);
    pl.lsty(2);
    for (k = 0; k <= sc->n; k++) {
        double d = k < sc->n ? sc->c[k]->doi_m : NAN;
        double e = k < sc->n && sc->by_elev ? sc->it[k]->station.elevation_m : 0;
        double seen = k < sc->n ? seen_depth(sc->it[k]->s) : 0, zcol = fmin(seen, zdeep);

        if (isfinite(d) && d > 0 && d < zcol) {
            x[n] = sc->dist[k] - half, x[n + 1] = sc->dist[k] + half;
            y[n] = y[n + 1] = section_y(sc, e, d, zmin);
            n += 2;
            continue;
        }
        if (n > 0) { /* a station without one (or the end): the line so far */
            pl.line((PLINT)n, x, y);
            n = 0;
        }
        if (isfinite(d) && d >= zcol && seen > zdeep) /* above the axis, not on it */
            pl.ptex(sc->dist[k], section_y(sc, e, zcol, zmin) + sc->v_lift, 1, 0, 0.5, "v");
    }
    pl.lsty(1);
    section_doi_ranges(sc, half, zdeep, zmin);
}

/* 1 when a column has a bar of section_doi_ranges (the legend names bars only then). */
static int
with_bars(const struct section *sc, double zdeep)
{
    size_t k;

    for (k = 0; k < sc->n; k++)
        if (has_bar(sc, k, zdeep))
            return 1;
    return 0;
}

/* The smallest of 1, 2, 5 x 10^k at least v (> 0): a tick step of a few labels. */
static double
nice_step(double v)
{
    double p = pow(10, floor(log10(v)));

    return v <= p ? p : v <= 2 * p ? 2 * p : v <= 5 * p ? 5 * p : 10 * p;
}

/*
 * The colour bar's axis of log10 resistivities lo..hi (the window set): its decades labelled
 * when it spans two or more, else 1, 2 and 5 of each decade in plain numbers (a bar of 2-60
 * ohm-m had one label, "10", and colours could not be read as values); horizontal labels.
 */
static void
colour_bar_axis(double lo, double hi)
{
    static const double m[] = {1, 2, 5};
    char num[32];
    double k, v;
    size_t j;

    if (floor(hi) - ceil(lo) >= 1) {
        pl.box("bc", 0, 0, "bcmstlv", 0, 0);
        return;
    }
    pl.box("bc", 0, 0, "bcstl", 0, 0);
    for (k = floor(lo); k <= ceil(hi); k++)
        for (j = 0; j < 3; j++)
            if ((v = k + log10(m[j])) >= lo && v <= hi) {
                snprintf(num, sizeof num, "%g", m[j] * pow(10, k));
                pl.mtex("rv", 0.7, (v - lo) / (hi - lo), 0, num);
            }
}

/* The misfit of each station, in the band above the section (x from xlo to xhi, the
 * stations' misfits mlo to mmax, % ; on a log axis when mlog): a flagged station's a red
 * triangle. */
static void
section_misfits(const struct section *sc, double xlo, double xhi, double mlo, double mmax, int mlog)
{
    char label[32];
    size_t k;

    pl.col0(1);
    pl.vpor(0.08, 0.86, 0.80, 0.93);
    if (mlog) { /* whole decades from below the least to above the most */
        double d0 = floor(log10(mlo)), d1 = ceil(log10(mmax) + 0.05), d;
        double step = fmax(1, round(nice_step((d1 - d0) / 3))); /* whole decades */

        pl.wind(xlo, xhi, d0, d1);
        pl.box("bc", 0, 0, "bcstl", 0, 0);
        for (d = d0; d <= d1 + 1e-9; d += step) {
            if (d >= 3) /* 10^d: 1e+06 was wider than the room left of the axis */
                snprintf(label, sizeof label, "10#u%.0f#d", d);
            else
                snprintf(label, sizeof label, "%g", pow(10, d));
            pl.mtex("lv", 0.5, (d - d0) / (d1 - d0), 1, label);
        }
    } else {
        pl.wind(xlo, xhi, 0, mmax * 1.2);
        pl.box("bc", 0, 0, "bcnstv", nice_step(mmax * 1.2 / 3), 0); /* 3 or 4 labels: 80 px */
    }
    pl.mtex("l", 4.5, 0.5, 0.5, mlog ? "misfit % (log)" : "misfit %");
    for (k = 0; k < sc->n; k++) {
        PLFLT x = sc->dist[k],
              y = mlog ? log10(sc->c[k]->r.misfit_rms_pct) : sc->c[k]->r.misfit_rms_pct;
        int flagged = section_flagged(&sc->c[k]->r);

        pl.col0(flagged ? 2 : 1);
        pl.poin(1, &x, &y, flagged ? 7 : 9); /* a flagged station: a triangle, in red */
    }
}

/* The colour scale of log10 resistivities lo to hi, right of the section (whose top is
 * top). */
static void
section_colour_bar(double lo, double hi, double top)
{
    PLFLT xs[5], ys[5];
    size_t k;

    pl.vpor(0.90, 0.93, 0.12, top);
    pl.wind(0, 1, lo, hi);
    for (k = 0; k < 64; k++) {
        double v0 = lo + (hi - lo) * (double)k / 64, v1 = lo + (hi - lo) * (double)(k + 1) / 64;

        xs[0] = xs[3] = 0;
        xs[1] = xs[2] = 1;
        ys[0] = ys[1] = v0;
        ys[2] = ys[3] = v1;
        rho_colour(pow(10, (v0 + v1) / 2), lo, hi);
        pl.fill(4, xs, ys);
    }
    pl.col0(1);
    colour_bar_axis(lo, hi);
    pl.mtex("r", 4.0, 0.5, 0.5, "resistivity (ohm-m)");
}

/* Each station's layers as a column 2 half wide, down to the depth its sounding sees (at
 * most zdeep; depths from zmin on a log axis), paler below its depth of investigation; the
 * colours of log10 resistivities lo to hi. */
static void
section_columns(const struct section *sc, double half, double zdeep, double zmin, double lo,
                double hi)
{
    size_t k, j;

    for (k = 0; k < sc->n; k++) {
        const invnet_result *r = &sc->c[k]->r;
        double e = sc->by_elev ? sc->it[k]->station.elevation_m : 0, z = 0;
        double zcol = fmin(seen_depth(sc->it[k]->s), zdeep); /* this column's bottom */
        double doi = sc->c[k]->doi_m;

        for (j = 0; j < r->n_layers && z < zcol; j++) {
            double zb = fmin(j + 1 < r->n_layers ? z + r->thick_m[j] : zcol, zcol);
            double cut = doi > 0 && isfinite(doi) ? fmin(fmax(doi, z), zb) : zb; /* pale below */

            section_fill(sc, sc->dist[k], half, e, z, cut, zmin, r->rho_ohmm[j], lo, hi, 0);
            section_fill(sc, sc->dist[k], half, e, cut, zb, zmin, r->rho_ohmm[j], lo, hi, 1);
            z = zb;
        }
    }
}

/* The station names in the band between the section's top and the misfits (x from xlo to
 * xhi), red where flagged; upright, with names too close to their neighbour's left out, when
 * upright. */
static void
section_names(const struct section *sc, double xlo, double xhi, double top, int upright)
{
    double last;
    size_t k;
    char label[FWD_SOUNDING_NAME_MAX];

    pl.vpor(0.08, 0.86, top, 0.77); /* the names, red where flagged */
    pl.wind(xlo, xhi, 0, 1);
    for (k = 0, last = -INFINITY; k < sc->n; k++) {
        /* upright names a line (about 14 of the 860 pixels across) apart: hundreds of
         * stations drew a black band; the names between are left out, the columns not */
        double px = (sc->dist[k] - xlo) / (xhi - xlo) * 860;

        if (upright && px - last < 14)
            continue;
        last = px;
        pl.col0(section_flagged(&sc->c[k]->r) ? 2 : 1);
        /* a file's name without its suffix (a directory of L1-001.csv ... labelled every
         * column ".csv") */
        snprintf(label, sizeof label, "%.*s", (int)invnet_batch_stem(sc->it[k]->s->name),
                 sc->it[k]->s->name);
        if (upright)
            pl.ptex(sc->dist[k], 0.02, 0, 1, 0, label);
        else
            pl.ptex(sc->dist[k], 0.5, 1, 0, 0.5, label); /* centred */
    }
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* The largest of the n values v (> 0; others not counted) at most 5 times their median:
 * of four or more, a depth that stands out of the profile's (a station read in feet, one
 * whose span reaches ten times deeper) does not set the section's axis; of fewer, or when
 * out of memory, the largest. */
static double
typical_max(const double *v, size_t n)
{
    double *w = malloc((n + 1) * sizeof *w), top = 0, med;
    size_t k, m = 0;

    for (k = 0; k < n; k++)
        if (v[k] > 0) {
            top = fmax(top, v[k]);
            if (w != NULL)
                w[m++] = v[k];
        }
    if (w == NULL || m < 4) {
        free(w);
        return top;
    }
    qsort(w, m, sizeof *w, cmp_double);
    med = m % 2 ? w[m / 2] : 0.5 * (w[m / 2 - 1] + w[m / 2]);
    for (top = 0, k = 0; k < m; k++)
        if (w[k] <= 5 * med)
            top = w[k];
    free(w);
    return top;
}

/* Appends to msg (cap bytes) the stations whose deepest interface (zi[k]) typical_max left
 * out (beyond ztyp) and the section's axis at zaxis cuts, though their soundings see below
 * it: the first three by name and depth (not those whose sounding sees no deeper: the
 * columns end there, --section-depth or not). */
static void
note_below_axis(const struct section *sc, const double *zi, double ztyp, double zaxis, char *msg,
                size_t cap)
{
    char list[400] = "";
    size_t k, m = 0, len = strlen(msg);

    for (k = 0; k < sc->n; k++)
        if (zi[k] > ztyp && zi[k] > zaxis && seen_depth(sc->it[k]->s) > zaxis && m++ < 3)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s %.3g m",
                     m > 1 ? ", " : "", sc->it[k]->s->name, zi[k]);
    if (m > 0 && len + 1 < cap)
        snprintf(msg + len, cap - len,
                 "%s%zu station%s with an interface below the axis at %.3g m (%s%s): "
                 "--section-depth draws %s",
                 len > 0 ? "; " : "", m, m == 1 ? "" : "s", zaxis, list, m > 3 ? ", ..." : "",
                 m == 1 ? "it" : "them");
}

/* Longer than style.md's 120 lines (about 145), on purpose: the scales (the depth axis, the
 * colours, the misfit axis, the columns' width, the names' band) are set from all stations
 * at once and each is used by several panels below; split further, a dozen values would
 * travel between the parts. The panels themselves are the section_* functions above. */
int
plot_section_png(const char *path, const invnet_batch *b, double depth_m, char *msg, size_t cap)
{
    static struct section sc;
    double lo = INFINITY, hi = -INFINITY, zdeep = 0, zmin = INFINITY, zint = 0, zdoi = 0, ytop;
    double ybot;
    double etop = -INFINITY, ebot = INFINITY, xlo, xhi, half, mmax = 1, top = 0.72;
    double mlo = INFINITY, mtop = 0; /* the stations' misfits: least, most of those scaling */
    double *zi_of, *zd_of; /* each station's deepest interface, drawn depth of investigation */
    size_t nscale = 0;     /* stations that set the scales */
    int mlog;              /* a log misfit axis */
    /* top: the section's viewport, under the band of the station names */
    size_t k, j, namelen = 1;
    int upright = 0;
    char label[256];
    struct page pg;

    if (load_for(path, msg, cap) != 0)
        return -1;
    section_of(b, &sc);
    snprintf(msg, cap, "%s", sc.note);
    if (sc.n == 0) {
        snprintf(msg, cap, "%s: no sounding was inverted: no section", path);
        return -1;
    }
    if (file_ready(path, msg, cap) != 0)
        return -1;
    zi_of = calloc(sc.n, sizeof *zi_of);
    zd_of = calloc(sc.n, sizeof *zd_of);
    if (zi_of == NULL || zd_of == NULL) {
        free(zi_of);
        free(zd_of);
        snprintf(msg, cap, "%s: out of memory for %zu stations", path, sc.n);
        return -1;
    }
    for (k = 0; k < sc.n; k++) {
        const invnet_result *r = &sc.c[k]->r;
        double e = sc.by_elev ? sc.it[k]->station.elevation_m : 0, zi;

        if (r->n_layers > 1)
            zmin = fmin(zmin, r->thick_m[0] / 3);     /* the first interface shows */
        for (j = 0, zi = 0; j + 1 < r->n_layers; j++) /* zi: the depth of interface j */
            zi_of[k] = fmax(zi_of[k], zi += r->thick_m[j]);
        zdeep = fmax(zdeep, seen_depth(sc.it[k]->s));
        if (sc.c[k]->doi_m > 0 && sc.c[k]->doi_m < seen_depth(sc.it[k]->s))
            zd_of[k] = sc.c[k]->doi_m; /* a depth of investigation drawn */
        if (strlen(sc.it[k]->s->name) > namelen)
            namelen = strlen(sc.it[k]->s->name);
        etop = fmax(etop, e);
        ebot = fmin(ebot, e);
        mmax = fmax(mmax, r->misfit_rms_pct);
        mlo = fmin(mlo, r->misfit_rms_pct);
        if (section_scales(r)) {
            mtop = fmax(mtop, r->misfit_rms_pct);
            nscale++;
        }
    }
    /* a misfit axis on a log scale when a station's misfit is 5 times the largest of those
     * that set the scales: a linear axis to it would put theirs on its zero */
    if (nscale == 0) /* every station flagged: all set the scales */
        mtop = mmax;
    mlog = mmax > 5 * fmax(mtop, 1) && mlo > 0;
    /* the axis ends at twice the deepest interface, or a little below the deepest depth of
     * investigation if that is deeper (at most 5 times the deepest interface), or at the
     * deepest depth a sounding sees if shallower: below the deepest interface is only the
     * half-space, one colour however deep it is drawn, while a long MT period's skin depth
     * (100 km) would squeeze a few km of layers into pixels. Twice: on the elevation axis
     * the layers get the upper half and the half-space the lower (three times would leave
     * the layers a third); on the log depth axis the half-space gets log10 2 = 0.3 decades,
     * enough to see its colour. A depth of investigation below the axis gets a "v" at its
     * column's foot */
    zint = typical_max(zi_of, sc.n); /* a station's that stands out: below the axis */
    zdoi = typical_max(zd_of, sc.n);
    if (depth_m > 0) /* --section-depth: a shallow target on an elevation axis drawn in a few
                      * pixels of 145 m (a tester's gravel, 2-10 m) */
        zdeep = depth_m;
    else if (zint > 0)
        zdeep = fmin(zdeep, fmax(2 * zint, fmin(1.15 * zdoi, 5 * zint)));
    if (depth_m <= 0)
        note_below_axis(&sc, zi_of, zint, zdeep, msg, cap);
    free(zi_of);
    free(zd_of);
    if (!isfinite(zmin) || zmin >= zdeep / 10)
        zmin = zdeep / 1000;
    ytop = sc.by_elev ? etop + 0.02 * (etop - ebot + zdeep)
                      : log10(zmin) - 0.02 * (log10(zdeep) - log10(zmin));
    ybot = sc.by_elev ? ebot - zdeep : log10(zdeep);
    sc.v_lift = 0.035 * (ytop - ybot); /* about a character's height up */
    /* the colour scale: the layers drawn above the depths of investigation (a value the
     * data do not see, often a prior's bound, would set the scale), else all those drawn;
     * a paler layer beyond it takes the colour of the scale's end */
    for (k = 0; k < sc.n; k++) /* of the stations that set the scales, if any */
        if (nscale == 0 || section_scales(&sc.c[k]->r))
            seen_range(&sc.c[k]->r, fmin(seen_depth(sc.it[k]->s), zdeep), sc.c[k]->doi_m, &lo, &hi);
    if (!isfinite(lo))
        for (k = 0; k < sc.n; k++)
            seen_range(&sc.c[k]->r, fmin(seen_depth(sc.it[k]->s), zdeep), NAN, &lo, &hi);
    if (hi - lo < 0.1)
        lo -= 0.5, hi += 0.5;
    half = INFINITY; /* columns 0.8 of the closest spacing wide (stations at one place
                      * overlap: a gap of 0 would draw every column 0 wide) */
    for (k = 1; k < sc.n; k++)
        if (sc.dist[k] > sc.dist[k - 1])
            half = fmin(half, (sc.dist[k] - sc.dist[k - 1]) / 2 * 0.8);
    if (!isfinite(half))
        half = sc.by_xy || sc.by_latlon ? 50 : 0.4;
    xlo = sc.dist[0] - 2 * half;
    xhi = sc.dist[sc.n - 1] + 2 * half;
    /* the station names in a band above the section: upright when the room between two
     * stations (of the 860 pixels across) is less than a name needs (about 10 pixels a
     * character), the band then as tall as the longest name */
    if (sc.n > 1 && 2 * half / 0.8 / (xhi - xlo) * 860 < 10.0 * (double)namelen) {
        upright = 1;
        top = 0.77 - fmin(0.3, (10.0 * (double)namelen + 8) / 600);
    }

    if (page_begin(&pg, path, 1100, 600, msg, cap) != 0)
        return -1;
    pl.scolbg(255, 255, 255);
    pl.scol0(1, 0, 0, 0);
    pl.scol0(2, 200, 30, 30);
    section_scale(0); /* blue (conductive) to red (resistive) */
    pl.init();
    pl.adv(0);
    pl.schr(0, 0.8);
    pl.syax(7, 0); /* elevations and depths in plain numbers, not x 10^3 */
    section_misfits(&sc, xlo, xhi, mlo, mmax, mlog); /* above */
    /* the section: each station's layers, down to the depth its sounding sees, paler below
     * its depth of investigation */
    pl.col0(1);
    pl.vpor(0.08, 0.86, 0.12, top);
    pl.wind(xlo, xhi, ybot, ytop);
    section_columns(&sc, half, zdeep, zmin, lo, hi);
    section_doi(&sc, half, zdeep, zmin);
    pl.col0(1);
    /* stations in the order given: their numbers, whole (a tick at 0.5 is no station) */
    pl.box("bcnst", sc.by_xy || sc.by_latlon ? 0 : fmax(1, nice_step((double)sc.n / 8)), 0,
           sc.by_elev ? "bcnstv" : "bcnstvl", 0, 0);
    section_names(&sc, xlo, xhi, top, upright);
    pl.vpor(0.08, 0.86, 0.12, top);
    pl.wind(xlo, xhi, ybot, ytop);
    pl.col0(1);
    pl.lab(sc.by_xy       ? "distance along the profile (m, x and y on its best-fit line)"
           : sc.by_latlon ? "distance along the profile (m, latitude and longitude on its "
                            "best-fit line)"
                          : "station (in the order given)",
           "", "");
    /* the vertical axis's name further out than pl.lab's 5 heights: clear of "-5000" */
    pl.mtex("l", 5.6, 0.5, 0.5, sc.by_elev ? "elevation (m)" : "depth (m)");
    section_colour_bar(lo, hi, top);
    snprintf(label, sizeof label,
             "%zu station%s, each to the depth it sees; dashed: the depth of investigation "
             "(%sv: deeper), paler below; red triangles: flagged, not by the ranges",
             sc.n, sc.n == 1 ? "" : "s",
             with_bars(&sc, zdeep) ? "bar: over the equivalent models; " : "");
    pl.vpor(0.01, 0.99, 0.93, 0.99); /* the page's width: text is clipped at the viewport */
    pl.wind(0, 1, 0, 1);
    fit_scale(label, 0.8, 0.96);
    pl.ptex(0.5, 0.5, 1, 0, 0.5, label);
    return page_end(&pg, msg, cap);
}
