/* SPDX-License-Identifier: MIT */
/*
 * cmd_forward.c - `bpinv forward`: the response of one layered-earth model as CSV.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_geom.h"
#include "forward/fwd_model.h"
#include "tools/cli.h"
#include "tools/cli_opt.h"

struct forward_args {
    const char *method, *filter;
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

static const cli_opt forward_opts[] = {
    CLI_STRING("method", 'm', "METHOD", ARG(method), "expected schlumberger, wenner or mt",
               "schlumberger, wenner or mt (required)"),
    CLI_CHECK(check_method),
    CLI_LIST("rho", 0, "LIST", ARG(rho), "expected layer resistivities, ohm-m",
             "layer resistivities, ohm-m, top first (required)"),
    CLI_LIST("thick", 0, "LIST", ARG(thick), NULL,
             "thicknesses of the N-1 upper layers, m (required when N > 1)"),
    CLI_CHECK(check_layers),
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
    "\n"
    "Prints the response of an N-layer earth as CSV with a header, 12 significant digits.\n"
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
done:
    free(d);
    fwd_workspace_free(w);
    fwd_geom_free(o.g);
    cli_opt_free(&forward_cmd, &o);
    return rc;
}
