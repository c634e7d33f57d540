/* SPDX-License-Identifier: MIT */
/*
 * cmd_forward.c - `bpinv forward`: the response of one layered-earth model as CSV.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_forward.h"
#include "forward/fwd_geom.h"
#include "forward/fwd_model.h"
#include "tools/cli.h"

static const char *const forward_usage =
    "usage: bpinv forward -m METHOD --rho R1,..,RN [--thick H1,..,HN-1] GEOMETRY\n"
    "\n"
    "Prints the response of an N-layer earth as CSV with a header, 12 significant digits.\n"
    "\n"
    "  -m, --method METHOD  schlumberger, wenner or mt (required)\n"
    "  --rho LIST           layer resistivities, ohm-m, top first (required)\n"
    "  --thick LIST         thicknesses of the N-1 upper layers, m (required when N > 1)\n"
    "  --filter NAME        DC Hankel filter: shared (designed for a shared grid, ~1e-7)\n"
    "                       or key201 (Key 2012 at each spacing, ~1e-10) [shared]\n"
    "  -h, --help           this text\n"
    "\n"
    "GEOMETRY, one of:\n"
    "  --ab2 SPEC [--mn2 SPEC]  schlumberger: AB/2, m; MN/2, m (one value for all, or one\n"
    "                           per AB/2; omitted: ideal array, MN -> 0)\n"
    "  --a SPEC                 wenner: electrode spacing a, m\n"
    "  --period SPEC            mt: periods, s\n"
    "\n"
    "SPEC: a comma list 1,2,5,10; START:STOP:COUNT, COUNT log-spaced values with both ends;\n"
    "      or @FILE, one value per line, '#' comments.\n"
    "\n"
    "Output columns: ab2_m,rho_a_ohmm (ab2_m,mn2_m,rho_a_ohmm with --mn2), a_m,rho_a_ohmm,\n"
    "or period_s,rho_a_ohmm,phase_deg.\n"
    "\n"
    "example: bpinv forward -m schlumberger --rho 100,10,1000 --thick 5,20 --ab2 1:1000:13\n";

enum { OPT_RHO = 256, OPT_THICK, OPT_FILTER };

struct forward_args {
    const char *method, *rho, *thick, *filter;
    struct cli_geom_opts geo;
};

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
    static const struct option longopts[] = {{"method", required_argument, NULL, 'm'},
                                             {"rho", required_argument, NULL, OPT_RHO},
                                             {"thick", required_argument, NULL, OPT_THICK},
                                             CLI_GEOM_LONGOPTS,
                                             {"filter", required_argument, NULL, OPT_FILTER},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    struct forward_args o;
    fwd_method method = FWD_SCHLUMBERGER;
    double *rho = NULL, *thick = NULL, *d = NULL;
    size_t nrho = 0, nthick = 0;
    fwd_geom *g = NULL;
    fwd_workspace *w = NULL;
    fwd_error err;
    fwd_params params = fwd_params_default();
    int c, bad = 0, grc, rc = CLI_USAGE;

    memset(&o, 0, sizeof o);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":m:h", longopts, NULL)) != -1) {
        if (cli_geom_option(&o.geo, c, optarg))
            continue;
        switch (c) {
        case 'm':
            o.method = optarg;
            break;
        case OPT_RHO:
            o.rho = optarg;
            break;
        case OPT_THICK:
            o.thick = optarg;
            break;
        case OPT_FILTER:
            o.filter = optarg;
            break;
        case 'h':
            fputs(forward_usage, stdout);
            return cli_close_stdout("forward") ? CLI_FAIL : CLI_OK;
        default:
            bad = cli_bad_option("forward", c, argv);
            break;
        }
    }
    bad = cli_no_operands("forward", argc, argv, bad);
    if (bad)
        goto done;

    /* Report every bad option, not just the first. */
    if (o.method == NULL) {
        cli_error("forward", "-m/--method: missing; expected schlumberger, wenner or mt");
        bad = 1;
    } else if (fwd_method_parse(o.method, &method, &err) != FWD_OK) {
        cli_error("forward", "-m/--method: %s", err.msg);
        bad = 1;
    } else if ((grc = cli_geometry("forward", method, &o.geo, &g)) != 0) {
        bad = 1;
        rc = grc == -2 ? CLI_FAIL : CLI_USAGE;
    }
    if (o.filter != NULL && o.method != NULL && !fwd_method_get(method)->hankel) {
        cli_error("forward",
                  "--filter: not an option of method %s (no Hankel transform), got \"%s\"",
                  fwd_method_name(method), o.filter);
        bad = 1;
    } else if (o.filter != NULL && strcmp(o.filter, "key201") == 0) {
        params.hankel = FWD_HANKEL_KEY201;
    } else if (o.filter != NULL && strcmp(o.filter, "shared") != 0) {
        cli_error("forward", "--filter: expected shared or key201, got \"%s\"", o.filter);
        bad = 1;
    }
    if (o.rho == NULL) {
        cli_error("forward", "--rho: missing; expected layer resistivities, ohm-m");
        bad = 1;
    } else if (cli_parse_list("forward", "--rho", o.rho, &rho, &nrho) != 0) {
        bad = 1;
    }
    if (o.thick != NULL && cli_parse_list("forward", "--thick", o.thick, &thick, &nthick) != 0)
        bad = 1;
    if (rho != NULL && (thick != NULL || o.thick == NULL) && nthick + 1 != nrho) {
        cli_error("forward", "--thick: expected %zu value%s for %zu layers (--rho), got %zu",
                  nrho - 1, nrho == 2 ? "" : "s", nrho, nthick);
        bad = 1;
    }
    if (rho != NULL && nrho > FWD_MAX_LAYERS) {
        cli_error("forward", "--rho: expected at most %d layers, got %zu", FWD_MAX_LAYERS, nrho);
        bad = 1;
    }
    if (bad)
        goto done;
    rc = CLI_FAIL;
    w = fwd_workspace_alloc(g, &params, &err);
    d = malloc(fwd_geom_ndata(g) * sizeof *d);
    if (w == NULL || d == NULL) {
        cli_error("forward", "%s", w == NULL ? err.msg : "out of memory");
        goto done;
    }
    if (fwd_eval(w, nrho, rho, thick, d, &err) != FWD_OK) {
        cli_error("forward", "%s", err.msg);
        rc = err.code == FWD_EINVAL ? CLI_USAGE : CLI_FAIL;
        goto done;
    }
    rc = print_csv(g, d) == 0 ? CLI_OK : CLI_FAIL;
done:
    free(d);
    fwd_workspace_free(w);
    fwd_geom_free(g);
    free(thick);
    free(rho);
    return rc;
}
