/* SPDX-License-Identifier: MIT */
/*
 * cmd_invert.c - `bpinv invert`: field soundings through a trained net, with range flags,
 * the physics check, CSV or JSON, and plots.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <omp.h>

#include "forward/base/fwd_io.h"
#include "forward/readers/fwd_sounding.h"
#include "invnet/invnet_file.h"
#include "invnet/invert/invnet_batch.h"
#include "invnet/invert/invnet_invert.h"
#include "invnet/invert/invnet_output.h"
#include "tools/cli.h"
#include "tools/plot.h"

static const char *const invert_usage =
    "usage: bpinv invert NET.h5 SOUNDING... [options]\n"
    "\n"
    "Inverts field soundings with a net from 'bpinv train': each sounding is resampled onto\n"
    "the net's geometry, checked against the training envelope, inverted, and checked by\n"
    "computing the model's response where the sounding was measured.\n"
    "\n"
    "  SOUNDING             a text sounding (csv, tab or space separated) or an EDI file\n"
    "                       (MT); a directory stands for its .csv, .txt, .dat, .tsv and\n"
    "                       .edi files\n"
    "  --format csv|json    output format [csv]\n"
    "  -o, --output PATH    write the results to PATH instead of standard output\n"
    "  --plot DIR           write one PNG per sounding into DIR (made if missing)\n"
    "  --component C        MT impedance of EDI files: det, xy or yx [det]\n"
    "  --refine             refine each model by Levenberg-Marquardt from the net's answer\n"
    "                       (at most 30 iterations), kept when it fits the data better\n"
    "  --misfit-max PCT     high_misfit threshold, percent [max(3 x training noise, 5 %)]\n"
    "  --ref-rho R1,..,RN   a reference model drawn in every plot beside bpinv's (ohm-m),\n"
    "  --ref-thick H1,..    with its thicknesses (m), e.g. a published interpretation\n"
    "  --ref-label TEXT     its name in the plots [reference]\n"
    "  -j, --threads T      soundings inverted in parallel [all cores]\n"
    "  --force              replace the -o file if it exists\n"
    "  -q, --quiet          no summary on standard error\n"
    "  -h, --help           this text\n"
    "\n"
    "Flags: data_outside_training_range, extrapolated_geometry, not_inverted,\n"
    "model_at_prior_bound (these make in_range false), high_misfit, segment_jump.\n"
    "Exit status: 0 every sounding was read and inverted (flagged or not), 1 a sounding\n"
    "could not be read (the others are still reported), 2 a bad command line.\n"
    "\n"
    "example: bpinv invert net.h5 site1.csv site2.csv --plot plots/\n";

enum {
    OPT_FORMAT = 256,
    OPT_PLOT,
    OPT_COMPONENT,
    OPT_MISFIT,
    OPT_REFINE,
    OPT_REF_RHO,
    OPT_REF_THICK,
    OPT_REF_LABEL,
    OPT_FORCE
};

/* A reference model drawn beside bpinv's in the plots (e.g. a published interpretation). */
struct ref_model {
    double *rho, *thick;
    size_t n, nt;
    const char *label;
};

/* Refuses -o before anything is read: the net file itself, or a file that may not be
 * replaced. Returns 0, or -1 after a message. */
static int
check_output_first(const char *output, const char *net_path, int force)
{
    if (cli_same_file(output, net_path)) {
        cli_error("invert", "%s: is the net file; write the results to another file", output);
        return -1;
    }
    return cli_check_output("invert", output, "the file", force);
}

/* The sounding files of the operands into *paths (*n, possibly none); -1 after a message. */
static int
expand_operands(char *const *operands, size_t n_operands, char ***paths, size_t *n)
{
    fwd_error err;
    int rc = invnet_batch_expand((const char *const *)operands, n_operands, paths, n, &err);

    if (rc == FWD_OK)
        return 0;
    if (rc == FWD_EIO)
        cli_error("invert", "%s", err.msg);
    cli_error("invert", "out of memory or unreadable directory");
    return -1;
}

/* Whether output is one of the soundings (after a message): 1, else 0. */
static int
output_is_sounding(const char *output, char *const *paths, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (cli_same_file(output, paths[i])) {
            cli_error("invert",
                      "%s: is one of the soundings to invert; write the results to "
                      "another file",
                      output);
            return 1;
        }
    return 0;
}

/* The net at path, read under the crash guard; NULL after a message. */
static invnet_file *
load_net(const char *path, double *t0)
{
    invnet_file *nf;
    fwd_error err;

    if (cli_read_guard("invert", path, 1) != 0)
        return NULL;
    *t0 = cli_now();
    nf = invnet_file_load(path, &err);
    cli_read_unguard();
    if (nf == NULL)
        cli_lib_error("invert", &err);
    return nf;
}

/* Prints why each sounding that failed did; counts the others as in range or flagged.
 * Returns the number that failed. */
static size_t
report_errors(const invnet_batch *b, size_t *n_in, size_t *n_flag)
{
    size_t i, n_bad = 0;

    for (i = 0; i < b->n; i++) {
        const invnet_candidate *c = invnet_batch_best(&b->item[i]);

        if (c == NULL) {
            cli_error("invert", "%s", b->item[i].err);
            n_bad++;
        } else if (c->r.in_range && c->r.flags == 0) {
            (*n_in)++;
        } else {
            (*n_flag)++;
        }
    }
    return n_bad;
}

/* The table (CSV or JSON) on stdout, or published whole at output. 0, or -1 after a
 * message. */
static int
write_table(const invnet_batch *b, const char *format, const char *net_path, const char *output,
            int force)
{
    FILE *out = stdout;
    char *tmp = NULL;
    fwd_error err;
    int rc = 0;

    if (output != NULL && (out = fwd_io_open_temp(output, &tmp, &err)) == NULL) {
        cli_error("invert", "%s", err.msg);
        return -1;
    }
    /* a failed write is found, with its reason, by the close that follows */
    if (strcmp(format, "json") == 0)
        (void)invnet_output_json(out, b, net_path);
    else
        (void)invnet_output_csv(out, b);
    if (output != NULL) {
        if (fwd_io_close_publish(out, tmp, output, force, &err) != FWD_OK) {
            cli_error("invert", "%s", err.msg);
            rc = -1;
        }
    } else if (cli_close_stdout("invert")) {
        rc = -1;
    }
    free(tmp);
    return rc;
}

/* The PNG of item i of b in dir, named after its file; a second sounding of the same file
 * name (from another directory) gets its index in the run added. 0, or -1 after a
 * message. */
static int
plot_one(const char *dir, const invnet_batch *b, size_t i, const struct ref_model *ref, int force)
{
    const invnet_batch_item *it = &b->item[i];
    struct plot_ref pr = {ref->n, ref->rho, ref->thick, ref->label};
    const char *base = strrchr(it->path, '/');
    char path[4096], msg[256];
    size_t k, same = 0;

    base = base != NULL ? base + 1 : it->path;
    for (k = 0; k < i && same == 0; k++) {
        const char *bk = strrchr(b->item[k].path, '/');

        if (strcmp(bk != NULL ? bk + 1 : b->item[k].path, base) == 0)
            same = i;
    }
    snprintf(path, sizeof path, "%s/%s.png", dir, base);
    if (same > 0)
        snprintf(path, sizeof path, "%s/%s-%zu.png", dir, base, same + 1);
    if (!force && access(path, F_OK) == 0) {
        cli_error("invert", "--plot: %s: exists (use --force to replace it)", path);
        return -1;
    }
    if (plot_item_png(path, it, &pr, msg, sizeof msg) != 0) {
        cli_error("invert", "--plot: %s", msg);
        return -1;
    }
    return 0;
}

/* The PNGs of the soundings inverted; returns how many could not be written. */
static size_t
write_plots(const char *dir, const invnet_batch *b, const struct ref_model *ref, int force)
{
    size_t i, n_bad = 0;

    for (i = 0; i < b->n; i++)
        if (invnet_batch_best(&b->item[i]) != NULL && plot_one(dir, b, i, ref, force) != 0)
            n_bad++;
    return n_bad;
}

int
cmd_invert(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, OPT_FORMAT},
                                             {"output", required_argument, NULL, 'o'},
                                             {"plot", required_argument, NULL, OPT_PLOT},
                                             {"component", required_argument, NULL, OPT_COMPONENT},
                                             {"misfit-max", required_argument, NULL, OPT_MISFIT},
                                             {"refine", no_argument, NULL, OPT_REFINE},
                                             {"ref-rho", required_argument, NULL, OPT_REF_RHO},
                                             {"ref-thick", required_argument, NULL, OPT_REF_THICK},
                                             {"ref-label", required_argument, NULL, OPT_REF_LABEL},
                                             {"threads", required_argument, NULL, 'j'},
                                             {"force", no_argument, NULL, OPT_FORCE},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *format = "csv", *output = NULL, *plotdir = NULL, *comp_s = NULL, *misfit_s = NULL,
               *threads_s = NULL, *net_path, *ref_rho_s = NULL, *ref_thick_s = NULL;
    struct ref_model ref = {NULL, NULL, 0, 0, "reference"};
    invnet_check_params cp = invnet_check_default();
    fwd_component comp = FWD_COMP_DET;
    invnet_batch_params bp = invnet_batch_default();
    invnet_batch *b = NULL;
    invnet_file *nf = NULL;
    fwd_error err;
    long threads = omp_get_num_procs();
    double misfit = 0, t0;
    size_t n = 0, n_bad = 0, n_in = 0, n_flag = 0;
    int c, bad = 0, force = 0, quiet = 0, rc = CLI_FAIL;
    char **paths = NULL;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_FORMAT:
            format = optarg;
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_PLOT:
            plotdir = optarg;
            break;
        case OPT_COMPONENT:
            comp_s = optarg;
            break;
        case OPT_MISFIT:
            misfit_s = optarg;
            break;
        case 'j':
            threads_s = optarg;
            break;
        case OPT_REFINE:
            cp.refine_iter = 30;
            break;
        case OPT_REF_RHO:
            ref_rho_s = optarg;
            break;
        case OPT_REF_THICK:
            ref_thick_s = optarg;
            break;
        case OPT_REF_LABEL:
            ref.label = optarg;
            break;
        case OPT_FORCE:
            force = 1;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            fputs(invert_usage, stdout);
            return cli_close_stdout("invert") ? CLI_FAIL : CLI_OK;
        default:
            bad = cli_bad_option("invert", c, argv);
            break;
        }
    }
    if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
        cli_error("invert", "--format: expected csv or json, got \"%s\"", format);
        bad = 1;
    }
    if (comp_s != NULL && fwd_component_parse(comp_s, &comp, &err) != FWD_OK) {
        cli_error("invert", "--component: expected det, xy or yx, got \"%s\"", comp_s);
        bad = 1;
    }
    if (misfit_s != NULL &&
        cli_parse_double("invert", "--misfit-max", misfit_s, 1e-6, 1e6, &misfit))
        bad = 1;
    if (threads_s != NULL && cli_parse_long("invert", "-j/--threads", threads_s, 1, 1024, &threads))
        bad = 1;
    if (ref_rho_s != NULL && cli_parse_list("invert", "--ref-rho", ref_rho_s, &ref.rho, &ref.n))
        bad = 1;
    if (ref_thick_s != NULL &&
        cli_parse_list("invert", "--ref-thick", ref_thick_s, &ref.thick, &ref.nt))
        bad = 1;
    if (!bad && (ref.rho != NULL || ref.thick != NULL) &&
        (ref.rho == NULL || ref.nt + 1 != ref.n || ref.n > FWD_MAX_LAYERS)) {
        cli_error("invert",
                  "--ref-rho, --ref-thick: expected N resistivities and N-1 thicknesses "
                  "(N <= %d), got %zu and %zu",
                  FWD_MAX_LAYERS, ref.n, ref.nt);
        bad = 1;
    }
    if (optind >= argc) {
        cli_error("invert", "expected a net file and soundings; try 'bpinv invert --help'");
        bad = 1;
    } else if (optind + 1 >= argc) {
        cli_error("invert", "expected at least one sounding after %s", argv[optind]);
        bad = 1;
    }
    if (bad) {
        free(ref.rho);
        free(ref.thick);
        return CLI_USAGE;
    }
    if (misfit_s != NULL) {
        cp.misfit_noise_factor = 0;
        cp.misfit_floor_pct = misfit;
    }
    net_path = argv[optind];
    bp.check = cp;
    bp.component = comp;
    bp.threads = (size_t)threads;
    bp.curves = plotdir != NULL;
    /* refuse at once, not after the soundings were read and inverted */
    if (output != NULL && check_output_first(output, net_path, force) != 0)
        goto done;
    if (expand_operands(argv + optind + 1, (size_t)(argc - optind - 1), &paths, &n) != 0)
        goto done;
    if (n == 0) {
        cli_error("invert", "no soundings found in %s", argv[optind + 1]);
        goto done;
    }
    if (output != NULL && output_is_sounding(output, paths, n))
        goto done;
    if (plotdir != NULL && mkdir(plotdir, 0777) != 0 && errno != EEXIST) {
        cli_error("invert", "--plot: %s: cannot create the directory: %s", plotdir,
                  strerror(errno));
        goto done;
    }
    if ((nf = load_net(net_path, &t0)) == NULL)
        goto done;
    cli_blas_serial();
    if (invnet_batch_invert(nf, &bp, (const char *const *)paths, n, &b, &err) != FWD_OK) {
        cli_error("invert", "%s", err.msg);
        goto done;
    }
    n_bad = report_errors(b, &n_in, &n_flag);
    if (n_bad == b->n)
        goto done; /* nothing was read: no output file, no table */
    if (write_table(b, format, net_path, output, force) != 0)
        goto done;
    if (plotdir != NULL)
        n_bad += write_plots(plotdir, b, &ref, force);
    if (!quiet && isatty(STDERR_FILENO))
        fprintf(stderr,
                "bpinv invert: %zu soundings in %.1f ms: %zu in range without flags, %zu "
                "flagged, %zu not read\n",
                b->n, 1e3 * (cli_now() - t0), n_in, n_flag, n_bad);
    rc = n_bad > 0 ? CLI_FAIL : CLI_OK;
done:
    invnet_batch_free(b);
    invnet_batch_paths_free(paths, n);
    invnet_file_free(nf);
    free(ref.rho);
    free(ref.thick);
    return rc;
}
