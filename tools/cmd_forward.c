/* SPDX-License-Identifier: MIT */
/*
 * cmd_forward.c - `bpinv forward`: the response of one layered-earth model as CSV.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_geom.h"
#include "forward/fwd_model.h"
#include "forward/readers/fwd_sounding.h"
#include "tools/cli.h"
#include "tools/cli_opt.h"
#include "tools/plot.h"

/* The response between the points of a picture: this many points a decade, and at least
 * this many in all (a span of a tenth of a decade) */
#define CURVE_PER_DECADE 40
#define CURVE_MIN        41

struct forward_args {
    const char *method, *filter, *plot;
    int force;
    cli_list rho, thick;
    struct cli_geom_opts geo;
    fwd_method m;
    fwd_params params;
    fwd_geom *g;
};

#define ARG(m) offsetof(struct forward_args, m)

/* The method, then its geometry and filter. */
static int
check_method(const cli_parse *p, void *args)
{
    struct forward_args *o = args;
    fwd_error err;
    int rc = 0, grc;

    if (o->method == NULL)
        return 0; /* reported as missing */
    if (fwd_method_parse(o->method, &o->m, &err) != FWD_OK) {
        cli_error("forward", "-m/--method: %s", err.msg);
        rc = CLI_USAGE;
    } else if ((grc = cli_geometry("forward", o->m, &o->geo, &o->g)) != 0) {
        rc = grc == -2 ? CLI_FAIL : CLI_USAGE;
    }
    if (o->filter != NULL && rc == 0 && !fwd_method_get(o->m)->hankel) {
        cli_error("forward",
                  "--filter: not an option of method %s (no Hankel transform), got \"%s\"",
                  fwd_method_name(o->m), o->filter);
        rc = CLI_USAGE;
    } else if (o->filter != NULL && strcmp(o->filter, "key201") == 0) {
        o->params.hankel = FWD_HANKEL_KEY201;
    } else if (o->filter != NULL && strcmp(o->filter, "shared") != 0) {
        cli_error("forward", "--filter: expected shared or key201, got \"%s\"", o->filter);
        rc = rc != 0 ? rc : CLI_USAGE;
    }
    (void)p;
    return rc;
}

/* N resistivities, N-1 thicknesses. */
static int
check_layers(const cli_parse *p, void *args)
{
    const struct forward_args *o = args;
    size_t n = o->rho.n;
    int rc = 0;

    if (cli_opt_given(p, "rho") == 1 && cli_opt_given(p, "thick") >= 0 && o->thick.n + 1 != n) {
        if (n == 1) /* a half-space */
            cli_error("forward",
                      "--thick: expected none for 1 layer (--rho): a half-space has no "
                      "thickness, got %zu",
                      o->thick.n);
        else
            cli_error("forward", "--thick: expected %zu value%s for %zu layers (--rho), got %zu",
                      n - 1, n == 2 ? "" : "s", n, o->thick.n);
        rc = CLI_USAGE;
    }
    if (n > FWD_MAX_LAYERS) {
        cli_error("forward", "--rho: expected at most %d layers, got %zu", FWD_MAX_LAYERS, n);
        rc = CLI_USAGE;
    }
    return rc;
}

/* --plot's name: a picture's suffix (sec.jpg would be a PNG of that name), "-" no file;
 * --force without --plot would change nothing. */
static int
check_plot(const cli_parse *p, void *args)
{
    const struct forward_args *o = args;

    if (o->plot != NULL &&
        (o->plot[0] == '\0' || strcmp(o->plot, "-") == 0 || plot_bad_suffix(o->plot) != NULL)) {
        cli_error("forward", "--plot: \"%s\": expected a name ending in .png, .svg or .pdf, got %s",
                  o->plot,
                  o->plot[0] == '\0'          ? "an empty name"
                  : strcmp(o->plot, "-") == 0 ? "the standard output"
                                              : plot_bad_suffix(o->plot));
        return CLI_USAGE;
    }
    if (o->plot == NULL && cli_opt_given(p, "force") == 1) {
        cli_error("forward", "--force: replaces --plot's picture: expected with --plot");
        return CLI_USAGE;
    }
    return 0;
}

static const cli_opt forward_opts[] = {
    CLI_STRING("method", 'm', "METHOD", ARG(method), "expected schlumberger, wenner or mt",
               "schlumberger, wenner or mt (required)"),
    CLI_CHECK(check_method),
    CLI_LIST("rho", 0, "LIST", ARG(rho), "expected layer resistivities, ohm-m",
             "layer resistivities, ohm-m, top first (required)"),
    CLI_LIST("thick", 0, "LIST", ARG(thick), NULL,
             "thicknesses of the N-1 upper layers, m (required when N > 1)"),
    CLI_CHECK(check_layers),
    CLI_STRING("plot", 0, "PNG", ARG(plot), NULL,
               "also draw the response and the model to this picture (SVG or\n"
               "PDF when the name ends in .svg or .pdf); the CSV as before"),
    CLI_FLAG("force", 0, ARG(force), "replace --plot's picture if it exists"),
    CLI_CHECK(check_plot),
    CLI_STRING("filter", 0, "NAME", ARG(filter), NULL,
               "DC Hankel filter: shared (designed for a shared grid, ~1e-7)\n"
               "or key201 (Key 2012 at each spacing, ~1e-10; beyond 1.2e4 x the\n"
               "first layer's thickness, the shared filter's) [shared]"),
    CLI_HELP,
    CLI_SECTION("\nGEOMETRY, one of:\n", 27),
    CLI_STRING("ab2", 0, "SPEC [--mn2 SPEC]", ARG(geo.ab2), NULL,
               "schlumberger: AB/2, m; MN/2, m (one value for all, or one\n"
               "per AB/2; omitted: ideal array, MN -> 0)"),
    CLI_STRING("mn2", 0, NULL, ARG(geo.mn2), NULL, NULL),
    CLI_STRING("a", 0, "SPEC", ARG(geo.a), NULL, "wenner: electrode spacing a, m"),
    CLI_STRING("period", 0, "SPEC", ARG(geo.period), NULL, "mt: periods, s"),
};

const cli_cmd forward_cmd = {
    "forward",
    "usage: bpinv forward -m METHOD --rho R1,..,RN [--thick H1,..,HN-1] GEOMETRY\n"
    "                     [--plot PNG [--force]]\n"
    "\n"
    "Prints the response of an N-layer earth as CSV with a header, 12 significant digits;\n"
    "with --plot, draws it and the model too.\n"
    "\n",
    "\n"
    "SPEC: a comma list 1,2,5,10; START:STOP:COUNT, COUNT log-spaced values with both ends;\n"
    "      or @FILE, one value per line, '#' comments.\n"
    "\n"
    "Output columns: ab2_m,rho_a_ohmm (ab2_m,mn2_m,rho_a_ohmm with --mn2), a_m,rho_a_ohmm,\n"
    "or period_s,rho_a_ohmm,phase_deg.\n"
    "\n"
    "example: bpinv forward -m schlumberger --rho 100,10,1000 --thick 5,20 --ab2 1:1000:13\n",
    forward_opts,
    sizeof forward_opts / sizeof forward_opts[0],
    23,
    0,
    0};

/* The response as CSV: x, MN/2 when given, then each of the method's values per point. */
static int
print_csv(const fwd_geom *g, const double *d)
{
    size_t i, k, n = fwd_geom_size(g);
    const double *x = fwd_geom_x(g), *mn2 = fwd_geom_mn2(g);
    const fwd_method_info *mi = fwd_method_get(fwd_geom_method(g));

    printf("%s%s", mi->x_column, mn2 != NULL ? ",mn2_m" : "");
    for (k = 0; k < mi->nvalues; k++)
        printf(",%s", mi->values[k]->column);
    printf("\n");
    for (i = 0; i < n; i++) {
        printf("%.12g", x[i]);
        if (mn2 != NULL)
            printf(",%.12g", mn2[i]);
        for (k = 0; k < mi->nvalues; k++)
            printf(",%.12g", d[k * n + i]);
        printf("\n");
    }
    return cli_close_stdout("forward");
}

/*
 * The picture of the model o and its response d at o->g's points into o->plot: those
 * points, and the response between them (of the ideal array, MN -> 0, for Schlumberger
 * with MN/2). 0, or -1 said.
 */
static int
draw(const struct forward_args *o, const double *d)
{
    size_t n = fwd_geom_size(o->g), nd = fwd_geom_ndata(o->g), nv = nd / n, nc, k;
    const double *x = fwd_geom_x(o->g);
    double lo = INFINITY, hi = -INFINITY, *cx = NULL, *cd = NULL, *pts = NULL;
    struct plot_sounding p;
    fwd_sounding s;
    fwd_workspace *w = NULL;
    fwd_geom *cg = NULL;
    fwd_error err;
    char msg[1200];
    int rc = -1;

    for (k = 0; k < n; k++) {
        lo = fmin(lo, log10(x[k]));
        hi = fmax(hi, log10(x[k]));
    }
    nc = (size_t)ceil((hi - lo) * CURVE_PER_DECADE) + 1;
    nc = nc < CURVE_MIN ? CURVE_MIN : nc;
    cx = malloc(nc * sizeof *cx);
    cd = malloc(nc * nv * sizeof *cd);
    pts = malloc((2 + nv) * n * sizeof *pts);
    if (cx == NULL || cd == NULL || pts == NULL) {
        cli_error("forward", "out of memory");
        goto done;
    }
    for (k = 0; k < nc; k++) /* from a tenth of a decade around a single point */
        cx[k] = pow(10, hi > lo ? lo + (hi - lo) * (double)k / (double)(nc - 1)
                                : lo - 0.05 + 0.1 * (double)k / (double)(nc - 1));
    /* the points as computed, drawn as a sounding's: any count and order forward takes
     * (a reader's sounding has three or more, distinct and sorted) */
    memset(&s, 0, sizeof s);
    s.method = o->m;
    s.n = n;
    s.x = pts;
    s.mn2 = fwd_geom_mn2(o->g) != NULL ? pts + n : NULL;
    s.rho_a = pts + 2 * n;
    s.phase = nv > 1 ? pts + 3 * n : NULL;
    memcpy(s.x, x, n * sizeof *pts);
    if (s.mn2 != NULL)
        memcpy(s.mn2, fwd_geom_mn2(o->g), n * sizeof *pts);
    memcpy(s.rho_a, d, nd * sizeof *pts);
    cg = fwd_geom_alloc(o->m, nc, cx, NULL, &err);
    w = cg != NULL ? fwd_workspace_alloc(cg, &o->params, &err) : NULL;
    if (w == NULL || fwd_eval(w, o->rho.n, o->rho.v, o->thick.v, cd, &err) != FWD_OK) {
        cli_error("forward", "--plot: %s", err.msg);
        goto done;
    }
    memset(&p, 0, sizeof p);
    p.s = &s;
    p.n_curve = nc;
    p.curve_x = cx;
    p.curve = cd;
    p.n_layers = o->rho.n;
    p.rho_ohmm = o->rho.v;
    p.thick_m = o->thick.v;
    p.flags = "";
    p.doi_m = NAN;
    p.forward = 1;
    if (plot_sounding_png(o->plot, &p, msg, sizeof msg) != 0) {
        cli_error("forward", "--plot: %s", msg);
        goto done;
    }
    rc = 0;
done:
    fwd_workspace_free(w);
    fwd_geom_free(cg);
    free(pts);
    free(cx);
    free(cd);
    return rc;
}

int
cmd_forward(int argc, char **argv)
{
    struct forward_args o = {.params = fwd_params_default()};
    fwd_workspace *w = NULL;
    fwd_error err;
    double *d = NULL;
    int rc = cli_opt_parse(&forward_cmd, argc, argv, &o, NULL);

    if (rc != CLI_RUN)
        goto done;
    rc = CLI_FAIL;
    /* what would stop the picture, before the CSV is printed (a script's `> out.csv` would
     * hold the whole CSV of a run that failed); after the command line is known good, whose
     * faults are exit 2 */
    if (o.plot != NULL && cli_check_output("forward", o.plot, "--plot's picture", o.force) != 0)
        goto done;
    w = fwd_workspace_alloc(o.g, &o.params, &err);
    d = malloc(fwd_geom_ndata(o.g) * sizeof *d);
    if (w == NULL || d == NULL) {
        cli_error("forward", "%s", w == NULL ? err.msg : "out of memory");
        goto done;
    }
    if (fwd_eval(w, o.rho.n, o.rho.v, o.thick.v, d, &err) != FWD_OK) {
        cli_error("forward", "%s", err.msg);
        rc = err.code == FWD_EINVAL ? CLI_USAGE : CLI_FAIL;
        goto done;
    }
    rc = print_csv(o.g, d) == 0 ? CLI_OK : CLI_FAIL;
    if (rc == CLI_OK && o.plot != NULL && draw(&o, d) != 0)
        rc = CLI_FAIL;
done:
    free(d);
    fwd_workspace_free(w);
    fwd_geom_free(o.g);
    cli_opt_free(&forward_cmd, &o);
    return rc;
}
