/* SPDX-License-Identifier: MIT */
/*
 * cmd_invert.c - `bpinv invert`: field soundings through a trained net, with range flags,
 * the physics check, CSV or JSON, and plots.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <omp.h>

#include "forward/base/fwd_io.h"
#include "forward/base/fwd_rng.h"
#include "forward/readers/fwd_sounding.h"
#include "invnet/invnet_file.h"
#include "invnet/invert/invnet_batch.h"
#include "invnet/invert/invnet_invert.h"
#include "invnet/invert/invnet_output.h"
#include "tools/cli.h"
#include "tools/cli_opt.h"
#include "tools/cli_par.h"
#include "tools/plot.h"

struct invert_args {
    const char *format, *output, *plotdir, *component, *ref_label, *columns, *xyz, *section,
        *equivalent, *envelope;
    const char *segment_ref, *fix, *bound, *plot_format, *stations;
    invnet_format fmt;
    double misfit, level, outside, fit_to, section_depth;
    long threads, layers, starts;
    cli_list ref_rho, ref_thick;
    int refine, no_refine, ranges, force, quiet, progress, drop_outlier;
    int plot_file;          /* --plot NAME.png (.svg, .pdf): one sounding's picture */
    invnet_batch_params bp; /* made by the checks */
};

#define ARG(m) offsetof(struct invert_args, m)

/* The format a name's suffix says (.json, .csv, any case), or NULL. */
static const char *
suffix_format(const char *path)
{
    size_t n = path != NULL ? strlen(path) : 0;

    if (n > 5 && strcasecmp(path + n - 5, ".json") == 0)
        return "json";
    if (n > 4 && strcasecmp(path + n - 4, ".csv") == 0)
        return "csv";
    return NULL;
}

/* --format, else the -o file's suffix (-o r.json wrote CSV into it); a suffix that says
 * the other format is refused. */
static int
check_format(const cli_parse *p, void *args)
{
    struct invert_args *o = args;
    const char *sf = suffix_format(o->output);

    if (cli_opt_given(p, "format") == 0 && sf != NULL)
        o->format = sf;
    if (invnet_format_parse(o->format, &o->fmt, NULL) != FWD_OK) {
        cli_error("invert", "--format: expected csv or json, got \"%s\"", o->format);
        return CLI_USAGE;
    }
    if (sf != NULL && strcmp(sf, o->format) != 0) {
        cli_error("invert", "-o %s: expected a name for --format %s, got a .%s one", o->output,
                  o->format, sf);
        return CLI_USAGE;
    }
    return 0;
}

/* --xyz, --equivalent, --envelope, --section, --plot: files (a directory) of their own;
 * "-", the standard output, is -o's (it made a file named "-"). */
static int
check_not_stdout(const cli_parse *p, void *args)
{
    const struct invert_args *o = args;
    const char *name[] = {"--xyz", "--equivalent", "--envelope", "--section", "--plot"};
    const char *v[] = {o->xyz, o->equivalent, o->envelope, o->section, o->plotdir};
    size_t k;

    (void)p;
    if (o->output != NULL && o->output[0] == '\0') {
        cli_error("invert", "-o: expected a file name, got an empty one (the standard output "
                            "is -o -)");
        return CLI_USAGE;
    }
    for (k = 0; k < 5; k++)
        if (v[k] != NULL && v[k][0] == '\0') { /* failed once everything was inverted */
            cli_error("invert", "%s: expected a %s name, got an empty one", name[k],
                      k == 4 ? "directory" : "file");
            return CLI_USAGE;
        }
    for (k = 0; k < 5; k++)
        if (v[k] != NULL && strcmp(v[k], "-") == 0) {
            cli_error("invert",
                      "%s: expected a %s name, got \"-\" (the standard output is for the "
                      "results: -o -; a file named - is ./-)",
                      name[k], k == 4 ? "directory" : "file");
            return CLI_USAGE;
        }
    return 0;
}

/* --plot-format: png, svg or pdf, the suffix of the plots' names (their device follows). */
static int
check_plot_format(const cli_parse *p, void *args)
{
    const struct invert_args *o = args;

    (void)p;
    if (o->plot_format == NULL || strcmp(o->plot_format, "png") == 0 ||
        strcmp(o->plot_format, "svg") == 0 || strcmp(o->plot_format, "pdf") == 0)
        return 0;
    cli_error("invert", "--plot-format: expected png, svg or pdf, got \"%s\"", o->plot_format);
    return CLI_USAGE;
}

/* --plot NAME.png, .svg or .pdf that is not a directory: the one sounding's picture, as
 * forward --plot draws (a directory of that name was made in silence); its format is its
 * suffix's, and a --plot-format of another is refused. */
static int
check_plot_file(const cli_parse *p, void *args)
{
    struct invert_args *o = args;
    const char *dot = o->plotdir != NULL ? strrchr(o->plotdir, '.') : NULL;
    struct stat st;

    static const char *const other[] = {".jpg",  ".jpeg", ".gif", ".bmp", ".tif",
                                        ".tiff", ".webp", ".eps", ".ps"};
    size_t k;

    if (dot == NULL || strchr(dot, '/') != NULL ||
        (stat(o->plotdir, &st) == 0 && S_ISDIR(st.st_mode)))
        return 0;
    for (k = 0; k < sizeof other / sizeof other[0]; k++) /* a picture bpinv does not draw */
        if (strcasecmp(dot, other[k]) == 0) {
            cli_error("invert",
                      "--plot %s: expected a directory, or one picture's name ending in .png, "
                      ".svg or .pdf, got a %s",
                      o->plotdir, dot);
            return CLI_USAGE;
        }
    if (plot_bad_suffix(o->plotdir) != NULL) /* "results.v2": a directory */
        return 0;
    if (cli_opt_given(p, "plot-format") && strcasecmp(o->plot_format, dot + 1) != 0) {
        cli_error("invert",
                  "--plot-format %s: --plot %s names one %s picture (a directory for a "
                  "picture of each sounding: --plot DIR)",
                  o->plot_format, o->plotdir, dot + 1);
        return CLI_USAGE;
    }
    o->plot_file = 1;
    return 0;
}

/* --section-depth without --section would be ignored: refused. */
static int
check_section_depth(const cli_parse *p, void *args)
{
    const struct invert_args *o = args;

    if (cli_opt_given(p, "section-depth") != 1 || o->section != NULL)
        return 0;
    cli_error("invert", "--section-depth: the depth of --section's picture: give --section too");
    return CLI_USAGE;
}

static int
check_columns(const cli_parse *p, void *args)
{
    struct invert_args *o = args;
    fwd_error err;

    (void)p;
    if (o->columns == NULL || invnet_batch_params_set_columns(&o->bp, o->columns, &err) == FWD_OK)
        return 0;
    cli_error("invert", "--%s", err.msg);
    return CLI_USAGE;
}

/* --stations NAME,...: the soundings to invert, by name (a name read by none is refused
 * once the files are read). */
static int
check_stations(const cli_parse *p, void *args)
{
    struct invert_args *o = args;
    fwd_error err;

    (void)p;
    if (o->stations == NULL ||
        invnet_batch_params_set_stations(&o->bp, o->stations, &err) == FWD_OK)
        return 0;
    cli_error("invert", "--%s", err.msg);
    return CLI_USAGE;
}

/* --fix NAME=VALUE,... and --bound NAME=LO:HI,...: the parameters held. */
static int
check_holds(const cli_parse *p, void *args)
{
    struct invert_args *o = args;
    fwd_error err;

    if (cli_opt_given(p, "fix") < 0 || cli_opt_given(p, "bound") < 0)
        return 0; /* said already */
    if ((o->fix == NULL || invnet_holds_parse(&o->bp.check, o->fix, 1, &err) == FWD_OK) &&
        (o->bound == NULL || invnet_holds_parse(&o->bp.check, o->bound, 0, &err) == FWD_OK))
        return 0;
    cli_error("invert", "--%s", err.msg);
    return CLI_USAGE;
}

/* --segment-ref: first, auto, or an MN/2 in m. */
static int
check_segment_ref(const cli_parse *p, void *args)
{
    struct invert_args *o = args;
    char *end;
    double v;

    (void)p;
    if (o->segment_ref == NULL || strcmp(o->segment_ref, "first") == 0)
        return 0;
    if (strcmp(o->segment_ref, "auto") == 0) {
        o->bp.check.segment_ref = -1;
        return 0;
    }
    v = strtod(o->segment_ref, &end);
    if (end != o->segment_ref && *end == '\0' && v > 0 && isfinite(v)) {
        o->bp.check.segment_ref = v;
        return 0;
    }
    cli_error("invert", "--segment-ref: expected first, auto or an MN/2 in m (> 0), got \"%s\"",
              o->segment_ref);
    return CLI_USAGE;
}

static int
check_component(const cli_parse *p, void *args)
{
    struct invert_args *o = args;
    fwd_error err;

    (void)p;
    if (o->component == NULL || fwd_component_parse(o->component, &o->bp.component, &err) == FWD_OK)
        return 0;
    cli_error("invert", "--component: expected det, xy, yx or berd, got \"%s\"", o->component);
    return CLI_USAGE;
}

/* A reference model is N resistivities and N-1 thicknesses. */
static int
check_ref(const cli_parse *p, void *args)
{
    const struct invert_args *o = args;
    size_t n = o->ref_rho.n, nt = o->ref_thick.n;

    if (cli_opt_given(p, "ref-rho") < 0 || cli_opt_given(p, "ref-thick") < 0 ||
        (n == 0 && nt == 0) || (n > 0 && nt + 1 == n && n <= FWD_MAX_LAYERS))
        return 0;
    cli_error("invert",
              "--ref-rho, --ref-thick: expected N resistivities and N-1 thicknesses "
              "(N <= %d), got %zu and %zu",
              FWD_MAX_LAYERS, n, nt);
    return CLI_USAGE;
}

/* An option that changes nothing without another (the refinement's settings with
 * --no-refine, the pictures' with no --plot): refused, as --fix with --no-refine is. */
static int
check_needs(const cli_parse *p, void *args)
{
    static const struct {
        const char *opt, *what;
        int plot; /* needs --plot; else the refinement */
    } row[] = {{"starts", "the refinement's starts", 0},
               {"drop-outlier", "the reading the refined fit finds off", 0},
               {"fit-to", "when the refinement's starts stop", 0},
               {"outside-fit", "the refinement's fit outside the prior", 0},
               {"plot-format", "the --plot pictures' format", 1},
               {"ref-rho", "a model drawn in the --plot pictures", 1},
               {"ref-thick", "a model drawn in the --plot pictures", 1},
               {"ref-label", "a name in the --plot pictures", 1}};
    const struct invert_args *o = args;
    size_t k;

    for (k = 0; k < sizeof row / sizeof row[0]; k++) {
        if (cli_opt_given(p, row[k].opt) != 1) /* not given, or said already */
            continue;
        if (row[k].plot && o->plotdir == NULL) {
            cli_error("invert", "--%s: %s: expected with --plot", row[k].opt, row[k].what);
            return CLI_USAGE;
        }
        if (!row[k].plot && o->no_refine) {
            cli_error("invert", "--%s: %s: not with --no-refine", row[k].opt, row[k].what);
            return CLI_USAGE;
        }
    }
    if (cli_opt_given(p, "ref-label") == 1 && o->ref_rho.n == 0) {
        cli_error("invert", "--ref-label: the reference model's name: expected with --ref-rho");
        return CLI_USAGE;
    }
    if (o->section != NULL && plot_bad_suffix(o->section) != NULL) {
        cli_error("invert", "--section: %s: expected a name ending in .png, .svg or .pdf, got %s",
                  o->section, plot_bad_suffix(o->section));
        return CLI_USAGE;
    }
    if (cli_opt_given(p, "outside-fit") == 1 && (o->fix != NULL || o->bound != NULL)) {
        cli_error("invert", "--outside-fit: the refinement's fit outside the prior: not with --%s",
                  o->fix != NULL ? "fix" : "bound");
        return CLI_USAGE;
    }
    return 0;
}

/* The operands, then the options into the batch's parameters. */
static int
check_operands(const cli_parse *p, void *args)
{
    struct invert_args *o = args;

    if (p->first >= p->argc) {
        cli_error("invert", "expected a net file and soundings; try 'bpinv invert --help'");
        return CLI_USAGE;
    } else if (p->first + 1 >= p->argc) {
        cli_error("invert", "expected at least one sounding after %s", p->argv[p->first]);
        return CLI_USAGE;
    }
    if (o->refine && o->no_refine) {
        cli_error("invert", "--refine and --no-refine: choose one");
        return CLI_USAGE;
    }
    if (o->quiet && o->progress) { /* -q won in silence */
        cli_error("invert", "--quiet and --progress: choose one");
        return CLI_USAGE;
    }
    if ((o->fix != NULL || o->bound != NULL) && o->no_refine) {
        cli_error("invert", "--%s holds parameters in the refinement: not with --no-refine",
                  o->fix != NULL ? "fix" : "bound");
        return CLI_USAGE;
    }
    if ((o->equivalent != NULL || o->envelope != NULL) && !o->ranges) {
        cli_error("invert",
                  "--%s: the equivalent models are those --ranges samples: give --ranges too "
                  "(--ranges=PCT for a level other than 90 %%)",
                  o->equivalent != NULL ? "equivalent" : "envelope");
        return CLI_USAGE;
    }
    if (o->envelope != NULL && suffix_format(o->envelope) != NULL &&
        strcmp(suffix_format(o->envelope), "json") == 0) {
        cli_error("invert",
                  "--envelope %s: expected a name for a CSV table, got a .json one (the "
                  "results' JSON, --format json, has each envelope in its sounding's ranges: "
                  "\"depth_envelope\")",
                  o->envelope);
        return CLI_USAGE;
    }
    if (o->ranges && cli_opt_given(p, "ranges") == 1) {
        int i;

        for (i = p->first + 1; i < p->argc; i++) { /* --ranges 95: a level, not a file */
            char *end;
            double x = strtod(p->argv[i], &end);

            if (*end == '\0' && end != p->argv[i] && x > 0 && x < 100 &&
                access(p->argv[i], F_OK) != 0) {
                cli_error("invert",
                          "--ranges: a level is written --ranges=%s (no file \"%s\" to invert)",
                          p->argv[i], p->argv[i]);
                return CLI_USAGE;
            }
        }
    }
    o->bp.check.refine_iter = o->no_refine ? 0 : 30;
    o->bp.check.refine_starts = (size_t)o->starts;
    o->bp.check.refit_factor = o->fit_to;
    o->bp.check.ranges = o->ranges;
    o->bp.check.range.level = o->level;
    o->bp.check.equivalent = o->equivalent != NULL;
    o->bp.drop_outlier = o->drop_outlier;
    o->bp.check.exit_decades = o->outside;
    if (cli_opt_given(p, "misfit-max") == 1) {
        o->bp.check.misfit_noise_factor = 0;
        o->bp.check.misfit_floor_pct = o->misfit;
    }
    o->bp.threads = (size_t)o->threads;
    o->bp.curves = o->plotdir != NULL;
    o->bp.doi = o->section != NULL || o->xyz != NULL; /* their columns' depth of investigation */
    o->bp.layers = cli_opt_given(p, "layers") == 1 ? (size_t)o->layers : 0;
    return 0;
}

static const cli_opt invert_opts[] = {
    CLI_OPERAND("SOUNDING", NULL,
                "a text sounding (csv, tab or space separated) or an EDI file\n"
                "(MT); a directory stands for its .csv, .txt, .dat, .tsv and\n"
                ".edi files (holding .edi files and others: its .edi files for an\n"
                "MT net, the others for a DC net, with a note)"),
    CLI_STRING("format", 0, "csv|json", ARG(format), NULL,
               "output format [csv; json for an -o name ending in .json]"),
    CLI_CHECK(check_format),
    CLI_STRING("xyz", 0, "PATH", ARG(xyz), NULL,
               "also write the models as an XYZ table for GIS and 3D viewers:\n"
               "a row per layer, station, coordinates, top, bottom, rho"),
    CLI_STRING("equivalent", 0, "PATH", ARG(equivalent), NULL,
               "with --ranges: also write the equivalent models themselves, a\n"
               "row each (up to 100 a sounding) after the answer's (model 0):\n"
               "resistivities, thicknesses, misfit, chi2, the model it repeats\n"
               "(a PATH.json: as JSON; the results' JSON has them in each\n"
               "sounding's ranges)"),
    CLI_STRING("envelope", 0, "PATH", ARG(envelope), NULL,
               "with --ranges: also write each answer's resistivity-depth\n"
               "envelope, a CSV row per depth: position, depth, elevation, the\n"
               "interval of rho there and of S and T down to it, seen (above\n"
               "the depth of investigation)"),
    CLI_STRING("section", 0, "PNG", ARG(section), NULL,
               "draw the models side by side along the profile (.svg, .pdf too;\n"
               "sorted along the line that best fits the files' positions, else\n"
               "in their order), log colours, misfit"),
    CLI_REAL("section-depth", 0, "M", ARG(section_depth), 0.01, 1e6,
             "the section drawn down to M m below each station [twice the\n"
             "deepest interface, or a little below the deepest depth of\n"
             "investigation]"),
    CLI_CHECK(check_section_depth),
    CLI_STRING("output", 'o', "PATH", ARG(output), NULL,
               "write the results to PATH instead of standard output (-: the\n"
               "standard output); a SOUNDING - is the standard input"),
    CLI_STRING("plot", 0, "DIR", ARG(plotdir), NULL,
               "write one picture per sounding into DIR (made if missing); a\n"
               "NAME.png, .svg or .pdf, not a directory: one sounding's picture"),
    CLI_STRING("plot-format", 0, "F", ARG(plot_format), NULL,
               "the --plot pictures' format: png, svg or pdf [png]"),
    CLI_CHECK(check_plot_format),
    CLI_CHECK(check_plot_file),
    CLI_CHECK(check_not_stdout),
    CLI_STRING("component", 0, "C", ARG(component), NULL,
               "MT impedance of EDI files: det, xy, yx or berd [det]"),
    CLI_CHECK(check_component),
    CLI_STRING("columns", 0, "MAP", ARG(columns), NULL,
               "text files' header names for bpinv's columns, NAME=HEADER,...\n"
               "(rho_a=\"App. Res. (Ohm m)\",ab2=Spacing; docs/formats.md)"),
    CLI_CHECK(check_columns),
    CLI_STRING_JOIN("stations", 0, "LIST", ARG(stations), NULL,
                    "invert these soundings alone, by name: a survey table's stations or\n"
                    "files' names (with or without .csv ...), e.g. L1-040,L1-041\n"
                    "(given again: the lists together)"),
    CLI_CHECK(check_stations),
    CLI_STRING("segment-ref", 0, "REF", ARG(segment_ref), NULL,
               "the Schlumberger segment (one MN/2) the others are joined to:\n"
               "first (the smallest MN/2), auto (the level most points agree\n"
               "on) or an MN/2 in m [first]"),
    CLI_CHECK(check_segment_ref),
    CLI_FLAG("no-refine", 0, ARG(no_refine),
             "the net's models as they are, the fastest; by default each is\n"
             "refined by Levenberg-Marquardt from the net's answer (at most\n"
             "30 iterations, inside the prior), kept when it fits better"),
    CLI_LONG("starts", 0, "N", ARG(starts), 1, 100, NULL,
             "most starts of the refinement: while the best fit misses 1.5 x\n"
             "the noise, from a half-space, then from models drawn from the\n"
             "prior (the same for any -j) [8]; not with --no-refine"),
    CLI_REAL("fit-to", 0, "F", ARG(fit_to), 0, 100,
             "the further starts go on while the best fit misses F x the noise\n"
             "(chi-square F^2 a datum against the sounding's errors); 1 fits\n"
             "closer for about 2.4 x the time, 0 runs all --starts [1.5]; not\n"
             "with --no-refine"),
    CLI_FLAG("refine", 0, ARG(refine), "the default: refine each model (as above)"),
    CLI_FLAG("drop-outlier", 0, ARG(drop_outlier),
             "a sounding flagged outlier_reading (a spike) is inverted again\n"
             "without that reading, flagged outlier_dropped, its note naming\n"
             "the reading; not with --no-refine"),
    CLI_REAL_OPT("ranges", "[=PCT]", ARG(level), ARG(ranges), 1, 99.9, 90,
                 "the equivalent models of each answer: the central PCT % interval\n"
                 "[90] of each layer's resistivity, thickness, depth, conductance\n"
                 "and transverse resistance, sampled in the prior (about 5,000\n"
                 "forward models a sounding)"),
    CLI_STRING_JOIN("fix", 0, "LIST", ARG(fix), NULL,
                    "parameters known (a borehole) held in the refinement (and in\n"
                    "--ranges' models): rhoK=OHMM, hK=M, depthK=M (the bottom of layer\n"
                    "K), e.g. rho2=50,h1=3.5 (given again: the lists together)"),
    CLI_STRING_JOIN("bound", 0, "LIST", ARG(bound), NULL,
                    "parameters bounded in the refinement (and in --ranges'\n"
                    "models), NAME=LO:HI, e.g. h2=10:20,depth2=30:40 (inside the net's\n"
                    "prior; given again: the lists together)"),
    CLI_CHECK(check_holds),
    CLI_REAL("misfit-max", 0, "PCT", ARG(misfit), 1e-6, 1e6,
             "high_misfit threshold, percent [max(2 x training noise, 5 %)],\n"
             "for soundings without errors (with errors: chi-square 4 a datum)"),
    CLI_REAL("outside-fit", 0, "DECADES", ARG(outside), 0, 6,
             "a refined sounding that misses that threshold, or rests on a\n"
             "bound of the prior, is fitted again with the prior widened by\n"
             "DECADES each side: when that fits, clearly better, with a\n"
             "parameter beyond the prior, data_outside_training_range (the fit\n"
             "in the JSON's prior_exit); 0: not [2]; not with --no-refine,\n"
             "--fix or --bound"),
    CLI_LIST("ref-rho", 0, "R1,..,RN", ARG(ref_rho), NULL,
             "a reference model drawn in every plot beside bpinv's (ohm-m),"),
    CLI_LIST("ref-thick", 0, "H1,..", ARG(ref_thick), NULL,
             "with its thicknesses (m), e.g. a published interpretation (with\n"
             "--plot)"),
    CLI_CHECK(check_ref),
    CLI_STRING("ref-label", 0, "TEXT", ARG(ref_label), NULL, "its name in the plots [reference]"),
    CLI_LONG("layers", 0, "N", ARG(layers), 1, FWD_MAX_LAYERS, NULL,
             "with a file of nets for several layer counts: this count's\n"
             "net only [each sounding's count is chosen]"),
    CLI_LONG("threads", 'j', "T", ARG(threads), 1, 1024, NULL,
             "soundings inverted, and --plot's pictures drawn, in parallel\n"
             "[all cores]"),
    CLI_FLAG("force", 0, ARG(force),
             "replace the -o, --xyz, --equivalent, --envelope and --section\n"
             "files and the --plot pictures where they exist"),
    CLI_FLAG("quiet", 'q', ARG(quiet),
             "no progress line, summary or notes on standard error (the\n"
             "progress of a run over 0.5 s and the summary: only on a terminal)"),
    CLI_FLAG("progress", 0, ARG(progress),
             "the progress line and the summary also when standard error is\n"
             "not a terminal (under mpirun, whose ranks write to a pipe)"),
    CLI_HELP,
    CLI_CHECK(check_needs),
    CLI_CHECK(check_operands),
};

const cli_cmd invert_cmd = {
    "invert",
    "usage: bpinv invert NET.h5 SOUNDING... [options]\n"
    "\n"
    "Inverts field soundings with a net from 'bpinv train': each sounding is resampled onto\n"
    "the net's geometry, checked against the training envelope, inverted, and checked by\n"
    "computing the model's response where the sounding was measured.\n"
    "\n",
    "\n"
    "Flags: data_outside_training_range, extrapolated_geometry, not_inverted,\n"
    "model_at_prior_bound (these make in_range false), high_misfit, segment_jump,\n"
    "outlier_reading (one reading 5 times its error off the refined fit), outlier_dropped\n"
    "(--drop-outlier left it out),\n"
    "unresolved_parameters, ranges_not_converged (with --ranges: an interval spans a\n"
    "decade, half its prior or a bound; two halves of the sampler's chains give intervals\n"
    "3/4 of a width apart).\n"
    "Exit status: 0 every sounding was read and inverted (flagged or not), 1 a sounding\n"
    "could not be read (the others are still reported), 2 a bad command line.\n"
    "Ctrl-C (SIGINT), SIGTERM, SIGHUP or SIGUSR1 while the soundings are inverted: those begun\n"
    "finish, nothing is written; while the pictures are drawn: the results are kept,\n"
    "no further picture begins. Exit status 130, 143 or 129 (the signal's).\n"
    "\n"
    "example: bpinv invert net.h5 site1.csv site2.csv --plot plots/\n",
    invert_opts,
    sizeof invert_opts / sizeof invert_opts[0],
    23,
    -1,
    1};

/* Refuses an output (what: "the results", "the envelopes", ...) before anything is read:
 * the net file itself, or a file that may not be replaced. Returns 0, or -1 after a
 * message. */
static int
check_output_first(const char *output, const char *what, const char *net_path, int force, int text)
{
    if (text && fwd_io_is_device(output)) /* -o /dev/null: written, not replaced */
        return 0;
    if (cli_same_file(output, net_path)) {
        cli_error("invert", "%s: is the net file; write %s to another file", output, what);
        return -1;
    }
    return cli_check_output("invert", output, "the file", force);
}

/* The sounding files of the operands for a net of method m into *paths (*n, possibly none),
 * what was left out of a directory noted unless quiet; -1 after a message. */
static int
expand_operands(char *const *operands, size_t n_operands, fwd_method m, char ***paths, size_t *n,
                int quiet)
{
    fwd_error err;
    int rc =
        invnet_batch_expand_for((const char *const *)operands, n_operands, (int)m, paths, n, &err);

    if (rc == FWD_OK) {
        if (!quiet && err.msg[0] != '\0' && cli_par_rank() == 0)
            fprintf(stderr, "bpinv invert: note: %s\n", err.msg);
        return 0;
    }
    cli_error("invert", "%s", rc == FWD_ENOMEM ? "out of memory for the operands" : err.msg);
    return -1;
}

/* Whether output is one of the soundings (after a message): 1, else 0. */
static int
output_is_sounding(const char *output, const char *what, char *const *paths, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (cli_same_file(output, paths[i])) {
            cli_error("invert", "%s: is one of the soundings to invert; write %s to another file",
                      output, what);
            return 1;
        }
    return 0;
}

/* --equivalent's or --envelope's table of no row (no sounding of every rank had ranges:
 * too few readings, or none inverted; an envelope: or every answer a half-space) is said,
 * once, unless quiet. */
static void
note_no_rows(const invnet_batch *b, const char *option, const char *path, int envelope, int quiet)
{
    size_t i;
    unsigned long rows = 0;

    for (i = b->first; i < b->first + b->count; i++) {
        const invnet_candidate *c = invnet_batch_best(&b->item[i]);
        const invnet_ranges *g = c != NULL ? c->ranges : NULL;

        rows += g != NULL && (envelope ? g->n_envelope > 0 : g->draws_fit != NULL);
    }
    if (path != NULL && cli_par_max(rows) == 0 && !quiet && cli_par_rank() == 0)
        fprintf(stderr,
                "bpinv invert: note: %s %s: no sounding had ranges (each had too few "
                "readings, was not inverted, or no model honoured the parameters held%s): "
                "the table has its header alone\n",
                option, path, envelope ? "; or is of one layer" : "");
}

/* The files invert writes: -o, --xyz, --equivalent, --section, --plot's one picture (path
 * NULL when not asked for); text: a table or JSON, which a device (/dev/null) may take. */
struct out_file {
    const char *path, *option, *what;
    int text;
};

/* Refuses, before any work, an output that is the net or may not be replaced, or two
 * outputs that are one file. 0, or -1 after a message. */
static int
check_outputs(const struct out_file *out, size_t n_out, const char *net_path, int force)
{
    size_t k, j;

    for (k = 0; k < n_out; k++)
        if (out[k].path != NULL &&
            check_output_first(out[k].path, out[k].what, net_path, force, out[k].text) != 0)
            return -1;
    for (k = 0; k < n_out; k++)
        for (j = 0; j < k; j++)
            if (out[k].path != NULL && out[j].path != NULL && !fwd_io_is_device(out[k].path) &&
                (strcmp(out[k].path, out[j].path) == 0 ||
                 cli_same_file(out[k].path, out[j].path))) {
                cli_error("invert", "%s %s: is the %s file; write %s to another", out[k].option,
                          out[k].path, out[j].option, out[k].what);
                return -1;
            }
    return 0;
}

/* The net (or set of nets) at path, read under the crash guard; NULL after a message. */
static invnet_set *
load_net(const char *path, double *t0)
{
    invnet_set *ns;
    fwd_error err;

    if (cli_read_guard("invert", path, 1) != 0)
        return NULL;
    *t0 = cli_now();
    ns = invnet_set_load(path, &err);
    cli_read_unguard();
    if (ns == NULL)
        cli_lib_error("invert", &err);
    return ns;
}

/* An option of one method with a net of another, which would be ignored: refused, the net
 * named (a value only the net can refuse: exit 1, docs/invert.md). 0, or -1 after the
 * message. */
static int
method_options(const struct invert_args *o, const invnet_set *ns, const char *net_path)
{
    fwd_method m = ns->net[0]->samples.method;
    size_t k;

    if (o->component != NULL && o->bp.component != FWD_COMP_DET && m != FWD_MT) {
        cli_error("invert",
                  "--component: %s: expected a magnetotelluric net (the option chooses an EDI "
                  "file's impedance), got %s %s net",
                  net_path, fwd_method_article(m), fwd_method_name(m));
        return -1;
    }
    /* the ranges weigh the data by the training noise: a net of noiseless samples has none
     * (each sounding failed, "ranges: 3 layers, noise 0", and no results were written) */
    for (k = 0; o->ranges && k < ns->n; k++)
        if (!(ns->net[k]->samples.noise > 0)) {
            cli_error("invert",
                      "--ranges: %s: expected a net trained on noisy samples (the ranges weigh "
                      "the data by the training noise), got one of samples --noise 0: train "
                      "one on samples of the survey's noise (e.g. --noise 0.03)",
                      net_path);
            return -1;
        }
    /* the defaults (--segment-ref first, --component det) are no option of another method:
     * a script may give them to every net */
    if (o->segment_ref != NULL && strcmp(o->segment_ref, "first") != 0 && m != FWD_SCHLUMBERGER) {
        cli_error("invert",
                  "--segment-ref: %s: expected a Schlumberger net (the option joins segments of "
                  "one MN/2), got %s %s net",
                  net_path, fwd_method_article(m), fwd_method_name(m));
        return -1;
    }
    return 0;
}

/*
 * Under mpirun, every rank must read the same soundings: each cuts the list into the same
 * blocks by its place in it (with node-local directories, a file missing on one node would
 * shift every block after it, and soundings come out twice or not at all). The ranks agree
 * on the list (a hash of its paths and the files' sizes) and on each having read it (bad:
 * this rank did not), and refuse the standard input, which rank 0 alone receives: 0, or -1
 * on every rank, rank 0 saying why.
 */
static int
same_soundings(char *const *paths, size_t n, int bad)
{
    uint64_t h = FWD_HASH_START;
    unsigned long failed, piped = 0;
    int differ;
    size_t k;

    for (k = 0; k < n && !bad; k++) {
        struct stat st;
        /* and its size (-1: none): a copy that differs, or is missing, on one node */
        long long size = stat(paths[k], &st) == 0 ? (long long)st.st_size : -1;

        piped |= strcmp(paths[k], FWD_SOUNDING_STDIN) == 0;
        h = fwd_hash(h, paths[k], strlen(paths[k]) + 1); /* each with its NUL */
        h = fwd_hash(h, &size, sizeof size);
    }
    h ^= n;
    failed = cli_par_max((unsigned long)bad); /* that rank said why */
    differ = cli_par_differ((unsigned long)h);
    piped = cli_par_max(piped);
    if (failed)
        return -1;
    if (differ) {
        cli_error_agreed("invert",
                         "the %d processes of mpirun see different soundings (rank 0: %zu "
                         "files): give every one the same files (a directory on each node's "
                         "own disk?)",
                         cli_par_size(), n);
        return -1;
    }
    if (piped) {
        cli_error_agreed("invert",
                         "a SOUNDING - (the standard input) under mpirun with %d processes: "
                         "rank 0 alone receives it; give a file",
                         cli_par_size());
        return -1;
    }
    return 0;
}

/* The last item read from the file of item i, the first it gave: a survey table's stations
 * follow one another with the same path and distinct names (a file given twice starts its
 * names again). */
static size_t
file_last(const invnet_batch *b, size_t i)
{
    size_t j = i;

    if (b->item[i].s == NULL)
        return i;
    while (j + 1 < b->n && b->item[j + 1].s != NULL &&
           strcmp(b->item[j + 1].path, b->item[i].path) == 0 &&
           strcmp(b->item[j + 1].s->name, b->item[i].s->name) != 0)
        j++;
    return j;
}

/*
 * The length of the notes of items lo..last (a survey table's stations) have in common: the
 * file's own (the reader's assumptions about its columns), each station's after it, "; "
 * between. Cut at a sentence's end in every note.
 */
static size_t
common_note(const invnet_batch *b, size_t lo, size_t last)
{
    const char *first = b->item[lo].s->note;
    size_t len = strlen(first), k, j;
    int again = 1;

    for (k = lo + 1; k <= last; k++)
        for (j = 0; j < len; j++)
            if (b->item[k].s->note[j] != first[j]) {
                len = j;
                break;
            }
    while (again && len > 0) {
        again = 0;
        for (k = lo; k <= last; k++) {
            const char *n = b->item[k].s->note + len;

            if (*n != '\0' && strncmp(n, "; ", 2) != 0) { /* mid-sentence: back to one's end */
                do /* at least one step: first may end a sentence where n does not */
                    len--;
                while (len > 0 && strncmp(first + len, "; ", 2) != 0);
                again = 1;
                break;
            }
        }
    }
    return len;
}

/* Prints why each sounding that failed did, and (unless quiet) the columns of a sounding
 * file that were not read, the reader's notes (a survey table's: what all its stations
 * share once, each station's own by name) and what an answer needs said (its why: not
 * inverted, outside the prior, the errors' floor); counts the others as in range or flagged.
 * Returns the number that failed. */
static size_t
report_errors(const invnet_batch *b, int quiet, size_t *n_in, size_t *n_flag, size_t *n_unres,
              size_t *n_unconv)
{
    size_t i, n_bad = 0, end = b->first + b->count;
    size_t lo = 0, last = 0, shared = 0; /* the file of item i: its first and last items, the
                                            length of the note its stations share */

    for (i = b->first; i < end; i++) {
        const invnet_candidate *c = invnet_batch_best(&b->item[i]);
        const invnet_batch_item *it = &b->item[i];
        int many;

        if (i == b->first || i > last) {
            /* the file of item i: an MPI rank's part may begin inside one, whose head the rank
             * before prints (the files' items found from the batch's first) */
            lo = i;
            last = file_last(b, lo);
            if (i == b->first)
                for (lo = 0; (last = file_last(b, lo)) < i;)
                    lo = last + 1;
            shared =
                it->s != NULL ? (last > lo ? common_note(b, lo, last) : strlen(it->s->note)) : 0;
            if (i == lo && !quiet) {
                if (last > i)
                    fprintf(stderr, "bpinv invert: note: %s: %zu stations, from \"%s\" to \"%s\"\n",
                            it->path, last - i + 1, it->s->name, b->item[last].s->name);
                if (it->s != NULL && it->s->unused[0] != '\0')
                    fprintf(stderr, "bpinv invert: note: %s: columns not read: %s\n", it->path,
                            it->s->unused);
                if (shared > 0)
                    fprintf(stderr, "bpinv invert: note: %s: %.*s\n", it->path, (int)shared,
                            it->s->note);
            }
        }
        many = last > lo;
        if (!quiet && it->s != NULL && many && it->s->note[shared] != '\0') /* a station's own */
            fprintf(stderr, "bpinv invert: note: %s: station \"%s\": %s\n", it->path, it->s->name,
                    it->s->note + shared + (shared > 0 ? 2 : 0));
        if (c != NULL && !quiet && it->why != NULL) { /* each sentence on a line */
            const char *w = it->why, *nl;

            for (; w != NULL; w = nl != NULL ? nl + 1 : NULL) {
                nl = strchr(w, '\n');
                fprintf(stderr, "bpinv invert: note: %s%s%s%s: %.*s\n", it->path,
                        many ? ": station \"" : "", many ? it->s->name : "", many ? "\"" : "",
                        nl != NULL ? (int)(nl - w) : (int)strlen(w), w);
            }
        }
        if (c == NULL) {
            cli_error("invert", "%s", b->item[i].err);
            n_bad++;
        } else {
            /* the ranges' own flags say what the data resolve, not that the answer is in
             * doubt (as --section's red): counted apart */
            unsigned own = INVNET_FLAG_UNRESOLVED | INVNET_FLAG_UNCONVERGED;

            if (c->r.in_range && (c->r.flags & ~own) == 0)
                (*n_in)++;
            else
                (*n_flag)++;
            *n_unres += (c->r.flags & INVNET_FLAG_UNRESOLVED) != 0;
            *n_unconv += (c->r.flags & INVNET_FLAG_UNCONVERGED) != 0;
        }
    }
    return n_bad;
}

/* Orders items by their soundings' names (qsort; ties by index). */
static const invnet_batch *by_name_batch;

static int
by_name(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
    int c = strcmp(by_name_batch->item[a].s->name, by_name_batch->item[b].s->name);

    return c != 0 ? c : (a > b) - (a < b);
}

/* Soundings of several files that share a name (two EDI files of one DATAID, a station
 * copied into two tables): the XYZ table and the section tell them apart by order alone.
 * Said once, the first such name and its files, with how many names are shared. */
static void
note_same_names(const invnet_batch *b, int quiet)
{
    size_t i, n = 0, shared = 0, first = 0;
    size_t *ix;
    const char *counted = NULL; /* the last name counted */

    if (quiet || b->n < 2 || (ix = malloc(b->n * sizeof *ix)) == NULL)
        return;
    for (i = 0; i < b->n; i++)
        if (b->item[i].s != NULL)
            ix[n++] = i;
    by_name_batch = b;
    qsort(ix, n, sizeof *ix, by_name);
    for (i = 1; i < n; i++) {
        const invnet_batch_item *p = &b->item[ix[i - 1]], *q = &b->item[ix[i]];

        if (strcmp(p->s->name, q->s->name) != 0 || strcmp(p->path, q->path) == 0 ||
            (counted != NULL && strcmp(counted, q->s->name) == 0))
            continue; /* another name, one file's, or a name counted */
        counted = q->s->name;
        if (shared++ == 0)
            first = i;
    }
    if (shared > 0)
        fprintf(stderr,
                "bpinv invert: note: %s and %s: both name their sounding \"%s\"%s; the XYZ "
                "table and the section tell such soundings apart by their order alone\n",
                b->item[ix[first - 1]].path, b->item[ix[first]].path, b->item[ix[first]].s->name,
                shared > 1 ? " (and other names are shared too)" : "");
    free(ix);
}

/* Whether item i is a station of a survey table (its neighbours of the same file are other
 * stations). */
static int
in_survey(const invnet_batch *b, size_t i)
{
    const invnet_batch_item *it = &b->item[i];
    size_t k;

    for (k = i > 0 ? i - 1 : i + 1; k <= i + 1 && k < b->n; k += 2)
        if (b->item[k].s != NULL && strcmp(b->item[k].path, it->path) == 0 &&
            strcmp(b->item[k].s->name, it->s->name) != 0)
            return 1;
    return 0;
}

/* The file name of item i's picture in dir, before plot_paths makes the names of a run
 * unique: its file's with the suffix ext ("png", "svg", "pdf"), a survey table's station's
 * "FILE-STATION.ext" (the station's '/' and ' ' as '_'); into path (cap bytes). */
static void
plot_path(const char *dir, const char *ext, const invnet_batch *b, size_t i, char *path, size_t cap)
{
    const invnet_batch_item *it = &b->item[i];
    const char *base = strrchr(it->path, '/');

    base = base != NULL ? base + 1 : it->path;
    snprintf(path, cap, "%s/%s.%s", dir, base, ext);
    if (in_survey(b, i)) { /* a station of a survey table: named by its station */
        char st[sizeof it->s->name], *q;

        snprintf(st, sizeof st, "%s", it->s->name);
        for (q = st; *q != '\0'; q++)
            *q = *q == '/' || *q == ' ' ? '_' : *q;
        snprintf(path, cap, "%s/%s-%s.%s", dir, base, st, ext);
    }
}

/* A set of names (open addressing, cli_hash): a name, and whether a picture has it. */
struct name_set {
    size_t cap; /* a power of two, at least twice the names */
    const char **name;
    char *claimed;
};

static size_t
name_slot(const struct name_set *t, const char *name)
{
    size_t k;

    for (k = (size_t)fwd_hash(FWD_HASH_START, name, strlen(name)) & (t->cap - 1);
         t->name[k] != NULL && strcmp(t->name[k], name) != 0; k = (k + 1) & (t->cap - 1))
        continue;
    return k;
}

/*
 * The paths of the pictures of items todo[0..n-1] of b into path[] (allocated; the caller
 * frees them), one name each: plot_path's, and where an earlier picture of the run has
 * that name (a second file of one name from another directory, stations whose names are
 * the same once cleaned, survey tables of one name), "-2", "-3", ... before the suffix, the
 * first that no picture of the run has or would have by plot_path. 0, or -1 when out of
 * memory.
 */
static int
plot_paths(const char *dir, const char *ext, const invnet_batch *b, const size_t *todo, size_t n,
           char **path)
{
    struct name_set t = {16, NULL, NULL};
    size_t k, j, cut = strlen(ext) + 1, slot;
    char buf[4096];
    int rc = 0;

    while (t.cap < 4 * n)
        t.cap *= 2;
    t.name = calloc(t.cap, sizeof *t.name);
    t.claimed = calloc(t.cap, 1);
    for (k = 0; k < n && t.name != NULL && t.claimed != NULL; k++) { /* every natural name */
        plot_path(dir, ext, b, todo[k], buf, sizeof buf);
        if ((path[k] = strdup(buf)) == NULL)
            break;
        if (t.name[slot = name_slot(&t, path[k])] == NULL) /* the first of a name: kept */
            t.name[slot] = path[k];
    }
    if (k < n) {
        rc = -1;
        goto done;
    }
    for (k = 0; k < n; k++) { /* in the run's order: the first of a name keeps it */
        size_t len = strlen(path[k]);
        char *p;

        if (!t.claimed[slot = name_slot(&t, path[k])]) {
            t.claimed[slot] = 1;
            continue;
        }
        if (len < cut || strcmp(path[k] + len - cut + 1, ext) != 0)
            continue; /* cut short at 4 KiB: no such file can be made, as its message says */
        if ((p = malloc(len + 24)) == NULL) {
            rc = -1;
            goto done;
        }
        for (j = 2;; j++) { /* free of every name: the set is at most half full */
            sprintf(p, "%.*s-%zu.%s", (int)(len - cut), path[k], j, ext);
            if (t.name[slot = name_slot(&t, p)] == NULL)
                break;
        }
        free(path[k]);
        path[k] = p;
        t.name[slot] = p;
        t.claimed[slot] = 1;
    }
done:
    free(t.name);
    free(t.claimed);
    return rc;
}

/* Says which pictures of todo (their paths path) were named apart from another picture of
 * the name their file gives (plot_paths): their sounding and name, the first three. */
static void
renamed_note(const char *dir, const char *ext, const invnet_batch *b, const size_t *todo, size_t n,
             char *const *path)
{
    char buf[4096], list[640] = "", one[600];
    size_t k, m = 0;

    for (k = 0; k < n; k++) {
        const invnet_batch_item *it = &b->item[todo[k]];

        plot_path(dir, ext, b, todo[k], buf, sizeof buf);
        if (strcmp(buf, path[k]) == 0 || m++ >= 3)
            continue;
        if (in_survey(b, todo[k]))
            snprintf(one, sizeof one, "%s station \"%s\": %s", it->path, it->s->name,
                     strrchr(path[k], '/') + 1);
        else
            snprintf(one, sizeof one, "%s: %s", it->path, strrchr(path[k], '/') + 1);
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", m > 1 ? "; " : "", one);
    }
    if (m > 0)
        fprintf(stderr,
                "bpinv invert: note: --plot: %zu picture%s named apart from another of "
                "the same name: %s%s\n",
                m, m == 1 ? "" : "s", list, m > 3 ? "; ..." : "");
}

/* The picture of item i into path; 0, or -1 with a message in msg (cap bytes). */
static int
plot_one(const char *path, const invnet_batch *b, size_t i, const struct plot_ref *ref, int force,
         char *msg, size_t cap)
{
    struct stat st;

    if (!force && lstat(path, &st) == 0) { /* a dangling link too */
        if (snprintf(msg, cap, "%s: exists (use --force to replace it)", path) >= (int)cap &&
            cap > 4)
            memcpy(msg + cap - 4, "...", 4); /* a path of hundreds of characters */
        return -1;
    }
    return plot_item_png(path, &b->item[i], ref, msg, cap);
}

/* The progress line of a long run, on a terminal: shown once the step has taken
 * PROGRESS_AFTER seconds, redrawn at most every PROGRESS_EVERY, erased at its end. */
#define PROGRESS_AFTER 0.5
#define PROGRESS_EVERY 0.2
struct progress_line {
    int on;           /* stderr is a terminal (or --progress), not --quiet, rank 0 */
    const char *what; /* "soundings inverted", "plots written" */
    const char *part; /* "" or " by rank 0" */
    double t0, tlast;
    int shown; /* the width of the line drawn, 0: none */
};

/* invnet_batch_params.progress, and the plots' */
static void
progress_show(size_t done, size_t total, void *arg)
{
    struct progress_line *pl = arg;
    double now = cli_now(), el = now - pl->t0, rate = el > 0 ? (double)done / el : 0;
    int w;

    if (!pl->on || el < PROGRESS_AFTER || (now - pl->tlast < PROGRESS_EVERY && done < total))
        return;
    pl->tlast = now;
    w = fprintf(stderr, "\rbpinv invert: %zu/%zu %s%s (%.0f%%), %.0f/s, ETA %.0f s ", done, total,
                pl->what, pl->part, total > 0 ? 100.0 * (double)done / (double)total : 100.0, rate,
                rate > 0 ? (double)(total - done) / rate : 0);
    pl->shown = w > pl->shown ? w : pl->shown;
}

/* A new step of the line (now); the last one's line erased. */
static void
progress_step(struct progress_line *pl, const char *what)
{
    if (pl->shown > 0)
        fprintf(stderr, "\r%*s\r", pl->shown, "");
    pl->shown = 0;
    pl->what = what;
    pl->t0 = pl->tlast = cli_now();
}

/* The progress line and the summary are shown: on rank 0, on a terminal or asked for. */
static int
show_progress(const struct invert_args *o)
{
    return cli_progress_on(o->quiet, o->progress) && cli_par_rank() == 0;
}

/* What a drawing process says of one picture: item i, and "" or why it was not written.
 * At most 512 bytes, POSIX's least PIPE_BUF, so that the processes' writes to one pipe do
 * not interleave. */
struct plot_note {
    size_t i;
    char msg[496];
};
_Static_assert(sizeof(struct plot_note) <= 512, "a note written to a pipe in one piece");

/* A picture's message not yet known (msgs[k * cap] of write_plots) */
#define PLOT_PENDING '\1'

/* The pictures to draw: items todo[0..n-1] of b into path[0..n-1]; each one's process
 * (owner[k] < nproc) and its message (msgs + k * cap: PLOT_PENDING, "" when written, else
 * why not). */
struct plot_job {
    const invnet_batch *b;
    char **path;
    const struct plot_ref *ref;
    int force;
    size_t n, nproc, cap;
    const size_t *todo;
    size_t *owner;
    char *msgs;
};

/*
 * Draws the pending pictures of process w (owner[k] == w, in k's order) and tells each
 * one's outcome through fd; in a process of its own (fork), which its caller then ends.
 */
static void
plot_worker(const struct plot_job *job, size_t w, int fd, pid_t parent)
{
    size_t k;

#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* no drawing on for a run that was killed */
#endif
    if (getppid() != parent) /* killed before the line above */
        return;
    for (k = 0; k < job->n && cli_stop_signal == 0; k++) { /* a stop: no picture begins */
        struct plot_note note = {job->todo[k], ""};

        if (job->owner[k] != w || job->msgs[k * job->cap] != PLOT_PENDING)
            continue;
        if (plot_one(job->path[k], job->b, job->todo[k], job->ref, job->force, note.msg,
                     sizeof note.msg) != 0 &&
            note.msg[0] == '\0')
            snprintf(note.msg, sizeof note.msg, "cannot draw its picture");
        if (write(fd, &note, sizeof note) != (ssize_t)sizeof note)
            break;
    }
}

/* A stop signal this process caught, passed once (*sent) to its n drawing processes: a
 * `kill` of this process alone reaches them so (a Ctrl-C at a terminal reaches them all). */
static void
forward_stop(const pid_t *pid, size_t n, int *sent)
{
    size_t w;

    if (cli_stop_signal == 0 || *sent)
        return;
    for (w = 0; w < n; w++)
        kill(pid[w], (int)cli_stop_signal);
    *sent = 1;
}

/* A whole note from fd into note, through short reads and signals (a stop passed on to the
 * n processes pid): 1, or 0 at its end. */
static int
read_note(int fd, struct plot_note *note, const pid_t *pid, size_t n, int *sent)
{
    size_t got = 0;

    while (got < sizeof *note) {
        ssize_t r = read(fd, (char *)note + got, sizeof *note - got);

        if (r < 0 && errno == EINTR) {
            forward_stop(pid, n, sent);
            continue;
        }
        if (r <= 0)
            return 0;
        got += (size_t)r;
    }
    return 1;
}

/*
 * One round: the pending pictures of job drawn by its nproc processes side by side (PLplot
 * draws one picture at a time in a process), their messages set. A process that ended
 * without telling all its pictures (a crash) leaves the one it was drawing with a message
 * that says so and the rest pending, for another round. Those of processes that could not
 * be started are drawn here. Returns 0, or -1 when no process could be started (nothing
 * done). Not inlined: a drawing process ends inside it, and what its callers hold must
 * then be in their frames (saved by its prologue), where memcheck's leak search at that end
 * finds it, not in a register the ending path was free to reuse.
 */
static __attribute__((noinline)) int
plot_round(struct plot_job *job, struct progress_line *pl, size_t *done)
{
    pid_t pid[64], parent = getpid();
    size_t w, k, started = 0;
    int fd[2], status, sent = 0;
    struct plot_note note;

    if (pipe(fd) != 0)
        return -1;
    fflush(NULL);
    for (w = 0; w < job->nproc; w++) {
        if ((pid[w] = fork()) == 0) {
            close(fd[0]);
            plot_worker(job, w, fd[1], parent);
            _exit(0); /* neither atexit's handlers (HDF5's) nor the parent's stdio buffers */
        }
        if (pid[w] < 0)
            break;
        started++;
    }
    close(fd[1]);
    if (started == 0) {
        close(fd[0]);
        return -1;
    }
    for (k = 0; k < job->n && cli_stop_signal == 0; k++) /* a process that could not be
                                                          * started: its share here */
        if (job->owner[k] >= started && job->msgs[k * job->cap] == PLOT_PENDING) {
            if (plot_one(job->path[k], job->b, job->todo[k], job->ref, job->force,
                         job->msgs + k * job->cap, job->cap) == 0)
                job->msgs[k * job->cap] = '\0';
            progress_show(++*done, job->n, pl);
        }
    while (forward_stop(pid, started, &sent), read_note(fd[0], &note, pid, started, &sent)) {
        size_t lo = 0, hi = job->n; /* todo rises: note.i's place in it */

        while (hi - lo > 1)
            if (job->todo[lo + (hi - lo) / 2] <= note.i)
                lo += (hi - lo) / 2;
            else
                hi = lo + (hi - lo) / 2;
        if (job->n > 0 && job->todo[lo] == note.i) {
            snprintf(job->msgs + lo * job->cap, job->cap, "%s", note.msg);
            progress_show(++*done, job->n, pl);
        }
    }
    close(fd[0]);
    for (w = 0; w < started; w++) {
        int ok;

        while (waitpid(pid[w], &status, 0) < 0 && errno == EINTR)
            ;
        ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        for (k = 0; k < job->n && !(ok && cli_stop_signal != 0); k++) /* stopped: left pending */
            if (job->owner[k] == w && job->msgs[k * job->cap] == PLOT_PENDING) {
                const char *path = job->path[k];

                if (ok) /* its note could not be written */
                    snprintf(job->msgs + k * job->cap, job->cap,
                             "%s: its drawing process did not say how it went", path);
                else
                    snprintf(job->msgs + k * job->cap, job->cap,
                             "%s: its drawing process ended while drawing it (%s %d)", path,
                             WIFSIGNALED(status) ? "signal" : "exit status",
                             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
                progress_show(++*done, job->n, pl);
                if (!ok)
                    break; /* the rest of its share: another round */
            }
    }
    return 0;
}

/* Gives the pending pictures of job to its processes in turn (their names are unique:
 * plot_paths). */
static void
plot_share(struct plot_job *job)
{
    size_t k, m = 0;

    for (k = 0; k < job->n; k++)
        if (job->msgs[k * job->cap] == PLOT_PENDING)
            job->owner[k] = m++ % job->nproc;
}

/* The pictures of the soundings inverted into the directory dir (ext: their format), or
 * when file, the one sounding's into the file dir names, drawn by up to nproc processes; returns
 * how many could not be written, and into *drawn how many were. Messages in the soundings' order.
 * After a stop signal (cli_stop_signal, which the drawing processes inherit the handler of) no
 * picture begins: those begun are finished. */
static size_t
write_plots(const char *dir, const char *ext, int file, const invnet_batch *b,
            const struct plot_ref *ref, int force, int quiet, size_t nproc,
            struct progress_line *pl, size_t *drawn)
{
    enum { CAP = sizeof((struct plot_note *)0)->msg };
    size_t i, k, n = 0, n_bad = 0, done = 0, *todo = malloc((b->count + 1) * sizeof *todo);
    size_t *owner = malloc((b->count + 1) * sizeof *owner);
    char *msgs = malloc((b->count + 1) * CAP), why[256];
    char **path = calloc(b->count + 1, sizeof *path);
    struct plot_job job = {b, path, ref, force, 0, 0, CAP, todo, owner, msgs};
    int pending = 1;

    *drawn = 0;
    if (todo == NULL || owner == NULL || msgs == NULL || path == NULL) {
        cli_error("invert", "--plot: out of memory for %zu pictures", b->count);
        n_bad = b->count;
        goto done;
    }
    for (i = b->first; i < b->first + b->count; i++)
        if (invnet_batch_best(&b->item[i]) != NULL) {
            msgs[n * CAP] = PLOT_PENDING;
            todo[n++] = i;
        }
    job.n = n;
    if (file && n == 1) { /* --plot NAME.png: the one sounding's picture */
        if ((path[0] = strdup(dir)) == NULL) {
            cli_error("invert", "--plot: out of memory");
            n_bad = n;
            goto done;
        }
    } else if (plot_paths(dir, ext, b, todo, n, path) != 0) {
        cli_error("invert", "--plot: out of memory for %zu pictures", n);
        n_bad = n;
        goto done;
    }
    if (!quiet && !file)
        renamed_note(dir, ext, b, todo, n, path);
    /* once, not for every picture; and before the forks, which then share it */
    if (n > 0 && plot_load(why, sizeof why) != 0) {
        cli_error("invert", "--plot: %s: no pictures", why);
        n_bad = n;
        goto done;
    }
    progress_step(pl, "plots written");
    cli_heap_pictures();
    job.nproc = nproc < n ? nproc : n;
    /* under mpirun the ranks share the cores already, and forking there is frowned upon;
     * rounds until no picture is pending (each settles at least one) */
    while (pending && job.nproc >= 2 && cli_par_size() == 1 && cli_stop_signal == 0 &&
           (plot_share(&job), plot_round(&job, pl, &done) == 0))
        for (pending = 0, k = 0; k < n && !pending; k++)
            pending = msgs[k * CAP] == PLOT_PENDING;
    for (k = 0; k < n && cli_stop_signal == 0; k++) /* one process: here, in order */
        if (msgs[k * CAP] == PLOT_PENDING) {
            if (plot_one(path[k], b, todo[k], ref, force, msgs + k * CAP, CAP) == 0)
                msgs[k * CAP] = '\0';
            progress_show(++done, n, pl);
        }
    progress_step(pl, NULL);
    for (k = 0; k < n; k++)
        if (msgs[k * CAP] == '\0')
            ++*drawn;
        else if (msgs[k * CAP] != PLOT_PENDING) { /* pending: not begun, after a stop */
            cli_error("invert", "--plot: %s", msgs + k * CAP);
            n_bad++;
        }
done:
    for (k = 0; path != NULL && k < n; k++)
        free(path[k]);
    free(path);
    free(todo);
    free(owner);
    free(msgs);
    return n_bad;
}

/*
 * Under mpirun, with more than one rank: the output of b in format fmt, each rank's part
 * (its items) joined on rank 0, which writes them to path (published whole; NULL: the
 * standard output). The same status on every rank: 0, or -1 after rank 0's message.
 */
static int
write_parts(const invnet_batch *b, invnet_format fmt, const char *net_path, const char *path,
            int force)
{
    int rank = cli_par_rank(), size = cli_par_size(), bad;
    char *mine = NULL, *all = NULL, *tmp = NULL;
    size_t len = 0, all_len = 0;
    FILE *m = open_memstream(&mine, &len), *f;
    fwd_error err;

    bad = m == NULL || invnet_output_part(m, b, fmt, net_path, b->first, b->count, rank == 0,
                                          rank == size - 1) != FWD_OK;
    bad = (m != NULL && fclose(m) != 0) || bad;
    if (cli_par_max((unsigned long)bad) != 0 ||
        cli_par_gather_text(mine != NULL ? mine : "", bad ? 0 : len, &all, &all_len) != 0) {
        if (rank == 0)
            cli_error("invert", "out of memory for the output");
        free(mine);
        return -1;
    }
    free(mine);
    bad = 0;
    if (rank == 0) {
        fwd_error_clear(&err);
        if (path == NULL) {
            bad = fwrite(all, 1, all_len, stdout) != all_len || fflush(stdout) != 0;
            if (bad)
                fwd_error_set(&err, FWD_EIO, "error writing the output: %s", strerror(errno));
        } else if ((f = fwd_io_open_temp(path, &tmp, &err)) == NULL) {
            bad = 1;
        } else {
            errno = 0; /* a failed write's reason is found by the close */
            (void)fwrite(all, 1, all_len, f);
            bad = fwd_io_close_publish(f, tmp, path, force, &err) != FWD_OK;
            free(tmp);
        }
        if (bad)
            cli_error("invert", "%s", err.msg);
    }
    free(all);
    cli_par_bcast(&bad, sizeof bad);
    return bad ? -1 : 0;
}

/*
 * For --section under mpirun (with one rank, nothing to do): rank 0 gets every rank's models (the
 * reported candidate's result of each sounding a rank inverted, its depth of investigation and
 * that depth's interval across the equivalent models), as
 * candidates of its own batch, so that it can draw the whole profile; the other ranks send theirs.
 * The ranks run one binary on one kind of machine: a result travels as its bytes, its pointers
 * cleared. 0, or -1 out of memory (on any rank: every rank then gets -1).
 */
static int
gather_models(invnet_batch *b)
{
    int rank = cli_par_rank(), size = cli_par_size(), r, bad = 0;
    unsigned char *buf = NULL, *in = NULL;
    size_t len = 0, cap = 0, got, i, first, count;
    const size_t rec = 1 + sizeof(invnet_result) + 4 * sizeof(double);

    if (rank > 0 && (buf = calloc(b->count * rec + 1, 1)) == NULL) /* no bytes unset */
        bad = 1;
    if (cli_par_max((unsigned long)bad) != 0) {
        free(buf);
        return -1;
    }
    for (i = b->first; rank > 0 && i < b->first + b->count; i++) {
        const invnet_candidate *c = invnet_batch_best(&b->item[i]);

        buf[len] = c != NULL && c->r.inverted;
        if (buf[len++]) {
            memcpy(buf + len, &c->r, sizeof c->r);
            memcpy(buf + len + sizeof c->r, &c->doi_m, sizeof c->doi_m);
            memcpy(buf + len + sizeof c->r + sizeof c->doi_m, c->doi_interval_m,
                   sizeof c->doi_interval_m);
        }
        len += sizeof c->r + sizeof c->doi_m + sizeof c->doi_interval_m;
    }
    for (r = 1; r < size; r++) {
        cli_par_to_root(r, buf, len, &in, &cap, &got);
        if (rank != 0)
            continue;
        invnet_batch_part(b->n, (size_t)r, (size_t)size, &first, &count);
        for (i = 0; i < count && got == count * rec; i++) {
            invnet_batch_item *it = &b->item[first + i];
            invnet_candidate *c;

            if (!in[i * rec] || it->n_candidates > 0)
                continue;
            if ((c = calloc(1, sizeof *c)) == NULL) {
                bad = 1;
                break;
            }
            memcpy(&c->r, in + i * rec + 1, sizeof c->r);
            memcpy(&c->doi_m, in + i * rec + 1 + sizeof c->r, sizeof c->doi_m);
            memcpy(c->doi_interval_m, in + i * rec + 1 + sizeof c->r + sizeof c->doi_m,
                   sizeof c->doi_interval_m);
            c->r.response = c->r.observed = NULL;
            c->r.ranges = NULL;
            it->candidates = c;
            it->n_candidates = 1;
            it->best = 0;
        }
    }
    free(in);
    free(buf);
    return cli_par_max((unsigned long)bad) != 0 ? -1 : 0;
}

/* Under mpirun: the counts of every rank's items, summed. */
static void
sum_counts(size_t *count[], size_t n)
{
    double v[8];
    size_t k;

    for (k = 0; k < n && k < 8; k++)
        v[k] = (double)*count[k];
    cli_par_sum(v, k);
    for (k = 0; k < n && k < 8; k++)
        *count[k] = (size_t)v[k];
}

/* How a stop signal is named in the line that says the run stopped. */
static const char *
stop_name(int sig)
{
    return sig == SIGINT    ? "Ctrl-C"
           : sig == SIGTERM ? "SIGTERM"
           : sig == SIGUSR1 ? "SIGUSR1"
                            : "SIGHUP";
}

/*
 * The results to output (stdout when NULL) and the tables beside them (--xyz, --equivalent,
 * --envelope), under mpirun each rank's block joined and written by rank 0; a table of no
 * row said. 0, or -1 after the message.
 */
static int
write_tables(const struct invert_args *o, invnet_batch *b, const char *net_path, const char *output)
{
    /* --equivalent NAME.json: the models as JSON, else the table */
    const char *eq_suffix = suffix_format(o->equivalent);
    invnet_format eq_fmt = eq_suffix != NULL && strcmp(eq_suffix, "json") == 0
                               ? INVNET_EQUIVALENT_JSON
                               : INVNET_EQUIVALENT;
    const struct {
        const char *path;
        invnet_format fmt;
    } table[4] = {{output, o->fmt},
                  {o->xyz, INVNET_XYZ},
                  {o->equivalent, eq_fmt},
                  {o->envelope, INVNET_ENVELOPE}};
    int ranks = cli_par_size();
    fwd_error err;
    size_t k;

    for (k = 0; k < 4; k++) {
        if (k > 0 && table[k].path == NULL)
            continue;
        if (ranks > 1 ? write_parts(b, table[k].fmt, net_path, table[k].path, o->force) != 0
                      : invnet_output_write(b, table[k].fmt, net_path, table[k].path,
                                            k == 0 ? stdout : NULL, o->force, &err) != FWD_OK) {
            if (ranks == 1)
                cli_error("invert", "%s", err.msg);
            return -1;
        }
    }
    note_no_rows(b, "--equivalent", o->equivalent, 0, o->quiet);
    note_no_rows(b, "--envelope", o->envelope, 1, o->quiet);
    return 0;
}

/*
 * The run's end, once the soundings are inverted (b): the errors and notes, the table (and
 * XYZ), the pictures and the section, the summary line; a stop signal between them ends
 * it there. CLI_OK, CLI_FAIL (a sounding not read, an output not written) or 128 + the
 * signal.
 */
static int
publish(const struct invert_args *o, invnet_batch *b, const char *net_path, const char *output,
        int made_plotdir, struct progress_line *progress, double t0)
{
    struct plot_ref ref = {o->ref_rho.n, o->ref_rho.v, o->ref_thick.v, o->ref_label};
    size_t n_bad = 0, n_in = 0, n_flag = 0, n_unres = 0, n_unconv = 0, drawn = 0;
    size_t *counts[] = {&n_bad, &n_in, &n_flag, &n_unres, &n_unconv};
    int rc = CLI_FAIL, ranks = cli_par_size();

    n_bad = report_errors(b, o->quiet, &n_in, &n_flag, &n_unres, &n_unconv);
    if (cli_par_rank() == 0)
        note_same_names(b, o->quiet);
    if (ranks > 1) { /* under mpirun: the counts of all ranks, and the CSV's columns */
        sum_counts(counts, sizeof counts / sizeof counts[0]);
        cli_par_agree(); /* every rank now ends the same way */
        b->segments = (int)cli_par_max((unsigned long)b->segments);
    }
    if (n_bad == b->n)
        return rc;                  /* nothing was read: no output file, no table */
    if (o->plot_file && b->n > 1) { /* a file of several soundings: known once read */
        if (cli_par_rank() == 0)
            cli_error("invert",
                      "--plot %s: names one picture, and %s holds %zu soundings: give a "
                      "directory for a picture of each (--plot DIR); nothing written",
                      o->plotdir, b->item[0].path, b->n);
        return CLI_USAGE;
    }
    if (write_tables(o, b, net_path, output) != 0)
        return rc;
    if (cli_stop_signal != 0 && (o->plotdir != NULL || o->section != NULL)) {
        if (made_plotdir)
            rmdir(o->plotdir);
        cli_error("invert",
                  "interrupted (%s) after the soundings: the results written%s%s, no "
                  "pictures drawn",
                  stop_name((int)cli_stop_signal), output != NULL ? " to " : "",
                  output != NULL ? output : "");
        rc = 128 + (int)cli_stop_signal;
        return rc;
    }
    if (o->plotdir != NULL) { /* each rank its soundings' */
        double nplot = (double)write_plots(
            o->plotdir, o->plot_format != NULL ? o->plot_format : "png", o->plot_file, b, &ref,
            o->force, o->quiet, (size_t)o->threads, progress, &drawn);

        cli_par_sum(&nplot, 1);
        n_bad += (size_t)nplot;
    }
    if (cli_stop_signal != 0 && o->plotdir != NULL) {
        cli_error("invert",
                  "interrupted (%s) while drawing: %zu picture%s in %s; the results "
                  "written%s%s%s%s%s%s%s%s%s",
                  stop_name((int)cli_stop_signal), drawn, drawn == 1 ? "" : "s", o->plotdir,
                  output != NULL ? " to " : "", output != NULL ? output : "",
                  o->xyz != NULL ? ", the XYZ table to " : "", o->xyz != NULL ? o->xyz : "",
                  o->equivalent != NULL ? ", the equivalent models to " : "",
                  o->equivalent != NULL ? o->equivalent : "",
                  o->envelope != NULL ? ", the envelopes to " : "",
                  o->envelope != NULL ? o->envelope : "",
                  o->section != NULL ? "; no section drawn" : "");
        rc = 128 + (int)cli_stop_signal;
        return rc;
    }
    if (o->section != NULL) { /* rank 0, with every rank's models */
        char msg[512];

        cli_heap_pictures();
        int failed = gather_models(b) != 0;

        if (failed && cli_par_rank() == 0)
            cli_error("invert", "--section: out of memory for the models");
        if (!failed && cli_par_rank() == 0) {
            if (plot_section_png(o->section, b, o->section_depth, msg, sizeof msg) != 0) {
                cli_error("invert", "--section %s", msg);
                failed = 1;
            } else if (msg[0] != '\0' && !o->quiet) {
                fprintf(stderr, "bpinv invert: note: --section %s: %s\n", o->section, msg);
            }
        }
        cli_par_bcast(&failed, sizeof failed);
        n_bad += (size_t)failed;
    }
    if (show_progress(o)) {
        char unres[128] = "";

        if (o->ranges) /* their unresolved_parameters are not the answers' doubt */
            snprintf(unres, sizeof unres,
                     "; %zu with unresolved parameters, %zu with ranges not converged (--ranges)",
                     n_unres, n_unconv);
        fprintf(stderr,
                "bpinv invert: %zu sounding%s in %.1f ms: %zu in range without flags, %zu "
                "flagged, %zu not read%s\n",
                b->n, b->n == 1 ? "" : "s", 1e3 * (cli_now() - t0), n_in, n_flag, n_bad, unres);
    }
    rc = n_bad > 0 ? CLI_FAIL : CLI_OK;
    /* last, after the outputs (an error is the only line): the threads the soundings kept
     * busy */
    if (rc == CLI_OK)
        cli_note_threads("invert", o->threads,
                         (long)(b->count < (size_t)o->threads ? b->count : (size_t)o->threads),
                         o->quiet || cli_par_rank() != 0);
    return rc;
}

/* Says why the batch failed (a setting the nets or the files refuse named as its option);
 * CLI_USAGE for a --stations name no file holds, else CLI_FAIL. */
static int
batch_error(const fwd_error *err, const char *net_path)
{
    if (strcmp(err->field, "layers") == 0 || strcmp(err->field, "fix") == 0 ||
        strcmp(err->field, "bound") == 0)
        cli_error("invert", "--%s: %s: %s", err->field, net_path,
                  err->msg + strlen(err->field) + 2);
    else if (strcmp(err->field, "stations") == 0) /* a name the files do not hold */
        cli_error("invert", "--%s", err->msg);
    else
        cli_error("invert", "%s", err->msg);
    return strcmp(err->field, "stations") == 0 ? CLI_USAGE : CLI_FAIL;
}

/* -o's file, or NULL for the standard output: -o - (or /dev/stdout, a link a rename would
 * replace), as without -o. */
static const char *
output_path(const struct invert_args *o)
{
    if (o->output != NULL && (strcmp(o->output, "-") == 0 || strcmp(o->output, "/dev/stdout") == 0))
        return NULL;
    return o->output;
}

/*
 * The run once the command line is checked: the net at argv[0] on the soundings of
 * argv[1..n_operands-1] (files or directories); the table, the plots, the summary.
 */
static int
invert_run(const struct invert_args *o, char *const *argv, size_t n_operands)
{
    const char *net_path = argv[0];
    const char *output = output_path(o);
    const struct out_file out[] = {{output, "-o", "the results", 1},
                                   {o->xyz, "--xyz", "the XYZ table", 1},
                                   {o->equivalent, "--equivalent", "the equivalent models", 1},
                                   {o->envelope, "--envelope", "the envelopes", 1},
                                   {o->section, "--section", "the section", 0},
                                   {o->plot_file ? o->plotdir : NULL, "--plot", "the picture", 0}};
    size_t k;
    invnet_batch *b = NULL;
    invnet_set *ns = NULL;
    fwd_error err;
    double t0;
    size_t n = 0;
    int rc = CLI_FAIL, ranks = cli_par_size(), bad = 0;
    char **paths = NULL;
    invnet_batch_params bp = o->bp;
    struct progress_line progress = {0};
    struct sigaction old_int, old_term;
    int made_plotdir = 0, caught = 0;

    /* refuse at once, not after the soundings were read and inverted (under mpirun rank 0
     * writes the outputs: it checks them, and tells the others) */
    if (cli_par_rank() == 0 &&
        check_outputs(out, sizeof out / sizeof out[0], net_path, o->force) != 0)
        bad = 1;
    cli_par_bcast(&bad, sizeof bad);
    if (bad)
        goto done;
    if ((ns = load_net(net_path, &t0)) == NULL || method_options(o, ns, net_path) != 0 ||
        cli_address_room("invert", o->threads, 8) != 0)
        goto done;
    /* the operands for the net's method (a directory of EDI files and notes: its EDI files) */
    bad =
        expand_operands(argv + 1, n_operands - 1, invnet_set_method(ns), &paths, &n, o->quiet) != 0;
    if (!bad && n == 0) {
        cli_error("invert", "no soundings found in %s", argv[1]);
        bad = 1;
    }
    if (!bad && o->plot_file && n > 1) {
        if (cli_par_rank() == 0) /* the same on every rank: said once */
            cli_error("invert",
                      "--plot %s: names one picture, and there are %zu sounding files to "
                      "invert: give a directory for a picture of each (--plot DIR)",
                      o->plotdir, n);
        bad = 1;
        rc = CLI_USAGE;
    }
    if (ranks > 1 && same_soundings(paths, n, bad) != 0)
        goto done;
    if (bad)
        goto done;
    for (k = 0; k < sizeof out / sizeof out[0] && cli_par_rank() == 0 && !bad; k++)
        bad = out[k].path != NULL && output_is_sounding(out[k].path, out[k].what, paths, n);
    cli_par_bcast(&bad, sizeof bad);
    if (bad)
        goto done;
    if (o->plotdir != NULL && !o->plot_file && !(made_plotdir = mkdir(o->plotdir, 0777) == 0) &&
        errno != EEXIST) {
        cli_error("invert", "--plot: %s: cannot create the directory: %s", o->plotdir,
                  strerror(errno));
        goto done;
    }
    bp.part = (size_t)cli_par_rank(); /* under mpirun, each rank its part of the soundings */
    bp.parts = (size_t)ranks;
    progress.on = show_progress(o);
    progress.part = ranks > 1 ? " by rank 0" : "";
    progress_step(&progress, "soundings inverted");
    bp.progress = progress_show;
    bp.progress_arg = &progress;
    /* Ctrl-C, SIGTERM or SIGHUP from here on (one process; under mpirun a signal ends the
     * ranks as before): while the soundings are inverted, those begun finish, the rest are
     * not begun, and nothing is written; while the outputs are written, they are finished;
     * while the pictures are drawn, those begun are finished and no other begins */
    if (ranks == 1) {
        cli_catch_stop(&old_int, &old_term);
        caught = 1;
        bp.stop = &cli_stop_signal;
    }
    bad = invnet_batch_invert_set(ns, &bp, (const char *const *)paths, n, &b, &err) != FWD_OK;
    progress_step(&progress, NULL);
    if (bad) {
        rc = batch_error(&err, net_path);
        goto done;
    }
    if (b->n_stopped > 0 || cli_stop_signal != 0) { /* the signal may come after the last
                                                     * sounding began: a stop all the same */
        int sig = cli_stop_signal ? (int)cli_stop_signal : SIGINT;

        if (made_plotdir)
            rmdir(o->plotdir); /* made for this run, empty */
        cli_error("invert", "interrupted (%s) after %zu of %zu soundings: nothing written%s%s%s",
                  stop_name(sig), b->count - b->n_stopped, b->count, output != NULL ? " (" : "",
                  output != NULL ? output : "",
                  output == NULL              ? ""
                  : access(output, F_OK) == 0 ? " as it was)"
                                              : " not made)");
        rc = 128 + sig;
        goto done;
    }
    if (ranks > 1 && cli_par_differ(b->n)) {
        /* the files read to different stations on some rank (a survey table that differs
         * on one node): the blocks were not the same soundings; nothing is written */
        cli_error_agreed("invert",
                         "the %d processes of mpirun read different soundings from the same "
                         "files (rank 0: %zu): give every one the same files",
                         ranks, b->n);
        goto done;
    }
    rc = publish(o, b, net_path, output, made_plotdir, &progress, t0);
done:
    if (caught)
        cli_restore_stop(&old_int, &old_term);
    invnet_batch_free(b);
    invnet_batch_paths_free(paths, n);
    invnet_set_free(ns);
    return rc;
}

int
cmd_invert(int argc, char **argv)
{
    struct invert_args o = {.format = "csv",
                            .ref_label = "reference",
                            .threads = omp_get_num_procs(),
                            .bp = invnet_batch_default()};

    o.starts = (long)o.bp.check.refine_starts;
    o.fit_to = o.bp.check.refit_factor;
    o.outside = o.bp.check.exit_decades;
    cli_parse p;
    int rc;

    rc = cli_opt_parse(&invert_cmd, argc, argv, &o, &p);
    if (rc == CLI_RUN)
        rc = invert_run(&o, argv + p.first, (size_t)(argc - p.first));
    cli_opt_free(&invert_cmd, &o);
    return rc;
}
