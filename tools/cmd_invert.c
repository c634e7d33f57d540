/* SPDX-License-Identifier: MIT */
/*
 * cmd_invert.c - `bpinv invert`: field soundings through a trained net, with range flags,
 * the physics check, CSV or JSON, and plots.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <omp.h>

#include "forward/fwd_forward.h"
#include "forward/base/fwd_io.h"
#include "forward/readers/fwd_sounding.h"
#include "invnet/invnet_file.h"
#include "invnet/invert/invnet_invert.h"
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

struct item {
    char *path;
    fwd_sounding *s;
    invnet_result r;
    double *resp; /* f(m) at the sounding's points, kept for the plot */
    double *obs;  /* the data as compared, Schlumberger segments joined, for the plot */
    double time_ms;
    char err[FWD_ERROR_MSG_SIZE];
};

struct list {
    struct item *v;
    size_t n, cap;
};

static int
list_add(struct list *l, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        struct item *v = realloc(l->v, cap * sizeof *v);

        if (v == NULL)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    memset(&l->v[l->n], 0, sizeof l->v[0]);
    l->v[l->n].path = strdup(path);
    if (l->v[l->n].path == NULL)
        return -1;
    l->n++;
    return 0;
}

/* The files a directory operand stands for: sounding files by their extension. */
static int
visible(const struct dirent *d)
{
    static const char *const ext[] = {".csv", ".txt", ".dat", ".tsv", ".edi"};
    size_t n = strlen(d->d_name), k, j;

    if (d->d_name[0] == '.' || n < 5)
        return 0;
    for (k = 0; k < sizeof ext / sizeof ext[0]; k++) {
        for (j = 0; j < 4 && tolower((unsigned char)d->d_name[n - 4 + j]) == ext[k][j]; j++)
            continue;
        if (j == 4)
            return 1;
    }
    return 0;
}

/* Adds path, or the regular files of directory path in name order. */
static int
add_operand(struct list *l, const char *path)
{
    struct dirent **names;
    struct stat st;
    char buf[4096];
    int n, k, rc = 0;

    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return list_add(l, path); /* a missing file is reported with the others */
    n = scandir(path, &names, visible, alphasort);
    if (n < 0) {
        cli_error("invert", "%s: cannot read the directory: %s", path, strerror(errno));
        return -2;
    }
    for (k = 0; k < n; k++) {
        /* no double slash when the operand ends with one */
        snprintf(buf, sizeof buf, "%.*s/%s", (int)(strlen(path) - (path[strlen(path) - 1] == '/')),
                 path, names[k]->d_name);
        if (rc == 0 && stat(buf, &st) == 0 && S_ISREG(st.st_mode))
            rc = list_add(l, buf);
        free(names[k]);
    }
    free(names);
    return rc;
}

/* Prints s as a JSON string. */
static void
json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* Prints s as a CSV field (quoted when it holds a comma, quote or newline). */
static void
csv_str(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\n\r") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* The flags as "a;b" (sep ";") into buf. */
static const char *
flag_list(unsigned flags, const char *sep, char *buf, size_t cap)
{
    int k;

    buf[0] = '\0';
    for (k = 0; k < INVNET_NFLAGS; k++)
        if (flags & (1u << k)) {
            if (buf[0] != '\0')
                strncat(buf, sep, cap - strlen(buf) - 1);
            strncat(buf, invnet_flag_name(k), cap - strlen(buf) - 1);
        }
    return buf;
}

static void
write_csv(FILE *f, const struct list *l, size_t nl)
{
    size_t i, j;
    char fl[256];

    fputs("source,name,method,n_layers", f);
    for (j = 0; j < nl; j++)
        fprintf(f, ",rho_%zu_ohmm", j + 1);
    for (j = 0; j + 1 < nl; j++)
        fprintf(f, ",thick_%zu_m", j + 1);
    fputs(",misfit_rms_pct,misfit_net_pct,refined,chi2,mahalanobis_d2,in_range,flags,time_ms\n", f);
    for (i = 0; i < l->n; i++) {
        const struct item *it = &l->v[i];
        const invnet_result *r = &it->r;

        if (it->s == NULL || it->err[0] != '\0')
            continue;
        csv_str(f, it->path);
        fputc(',', f);
        csv_str(f, it->s->name);
        fprintf(f, ",%s,%zu", fwd_method_name(it->s->method), nl);
        for (j = 0; j < 2 * nl - 1; j++) {
            if (r->inverted)
                fprintf(f, ",%.6g", j < nl ? r->rho_ohmm[j] : r->thick_m[j - nl]);
            else
                fputc(',', f);
        }
        if (r->inverted)
            fprintf(f, ",%.4g,%.4g,%s", r->misfit_rms_pct, r->misfit_net_pct,
                    r->refined ? "true" : "false");
        else
            fputs(",,,", f);
        if (isfinite(r->chi2))
            fprintf(f, ",%.4g", r->chi2);
        else
            fputc(',', f);
        if (r->inverted)
            fprintf(f, ",%.4g", r->d2);
        else
            fputc(',', f);
        fprintf(f, ",%s,%s,%.3f\n", r->in_range ? "true" : "false",
                flag_list(r->flags, ";", fl, sizeof fl), it->time_ms);
    }
}

static void
write_json(FILE *f, const char *net, const struct list *l, size_t nl)
{
    size_t i, j;
    int k, first;

    fputs("{\"net\": ", f);
    json_str(f, net);
    fputs(", \"soundings\": [", f);
    for (i = 0; i < l->n; i++) {
        const struct item *it = &l->v[i];
        const invnet_result *r = &it->r;

        fputs(i ? ",\n  {" : "\n  {", f);
        fputs("\"source\": ", f);
        json_str(f, it->path);
        if (it->s == NULL || it->err[0] != '\0') {
            fputs(", \"error\": ", f);
            json_str(f, it->err);
            fputs("}", f);
            continue;
        }
        fputs(", \"name\": ", f);
        json_str(f, it->s->name);
        fprintf(f, ", \"method\": \"%s\", ", fwd_method_name(it->s->method));
        if (r->inverted) {
            fputs("\"rho_ohmm\": [", f);
            for (j = 0; j < nl; j++)
                fprintf(f, "%s%.6g", j ? ", " : "", r->rho_ohmm[j]);
            fputs("], \"thick_m\": [", f);
            for (j = 0; j + 1 < nl; j++)
                fprintf(f, "%s%.6g", j ? ", " : "", r->thick_m[j]);
            fprintf(f, "], \"misfit_rms_pct\": %.4g, \"misfit_net_pct\": %.4g, \"refined\": %s, ",
                    r->misfit_rms_pct, r->misfit_net_pct, r->refined ? "true" : "false");
            if (isfinite(r->chi2))
                fprintf(f, "\"chi2\": %.4g, ", r->chi2);
            fprintf(f, "\"mahalanobis_d2\": %.4g, ", r->d2);
        } else {
            fputs("\"rho_ohmm\": null, \"thick_m\": null, \"misfit_rms_pct\": null, ", f);
        }
        fprintf(f, "\"in_range\": %s, \"flags\": [", r->in_range ? "true" : "false");
        for (k = 0, first = 1; k < INVNET_NFLAGS; k++)
            if (r->flags & (1u << k)) {
                fprintf(f, "%s\"%s\"", first ? "" : ", ", invnet_flag_name(k));
                first = 0;
            }
        fprintf(f, "], \"time_ms\": %.3f}", it->time_ms);
    }
    fputs("\n]}\n", f);
}

/* The PNG of one sounding: observed points, the model's response on 120 points, the model. */
static int
plot_one(const char *dir, const struct item *it, const invnet_file *nf, const struct ref_model *ref,
         size_t index, int force)
{
    const fwd_sounding *s = it->s;
    struct plot_sounding p;
    double x[120], d[240], lo, hi;
    char path[4096], fl[256], msg[256];
    fwd_geom *g = NULL;
    fwd_workspace *w = NULL;
    const char *base = strrchr(it->path, '/');
    size_t k, nc = 120;
    fwd_error err;
    int rc = 0;

    memset(&p, 0, sizeof p);
    p.s = s;
    p.rho_obs = it->obs;
    p.flags = flag_list(it->r.flags, ", ", fl, sizeof fl);
    if (it->r.inverted) {
        lo = log10(fmin(s->x[0], fwd_geom_x(nf->geom)[0])) - 0.1;
        hi = log10(fmax(s->x[s->n - 1], fwd_geom_x(nf->geom)[fwd_geom_size(nf->geom) - 1])) + 0.1;
        for (k = 0; k < nc; k++)
            x[k] = pow(10, lo + (hi - lo) * (double)k / (double)(nc - 1));
        g = fwd_geom_alloc(s->method, nc, x, NULL, &err);
        w = g != NULL ? fwd_workspace_alloc(g, NULL, &err) : NULL;
        if (w != NULL && fwd_eval(w, it->r.n_layers, it->r.rho_ohmm, it->r.thick_m, d, &err) == 0) {
            p.n_curve = nc;
            p.curve_x = x;
            p.curve = d;
        }
        p.n_layers = it->r.n_layers;
        p.rho_ohmm = it->r.rho_ohmm;
        p.thick_m = it->r.thick_m;
        p.misfit_pct = it->r.misfit_rms_pct;
    }
    if (ref->n > 0) {
        p.ref_layers = ref->n;
        p.ref_rho = ref->rho;
        p.ref_thick = ref->thick;
        p.ref_label = ref->label;
    }
    /* the sounding's file name; a second sounding of the same name (from another
     * directory) gets its index in the run added */
    snprintf(path, sizeof path, "%s/%s.png", dir, base != NULL ? base + 1 : it->path);
    if (index > 0)
        snprintf(path, sizeof path, "%s/%s-%zu.png", dir, base != NULL ? base + 1 : it->path,
                 index + 1);
    if (!force && access(path, F_OK) == 0) {
        cli_error("invert", "--plot: %s: exists (use --force to replace it)", path);
        rc = -1;
    } else if (plot_sounding_png(path, &p, msg, sizeof msg) != 0) {
        cli_error("invert", "--plot: %s", msg);
        rc = -1;
    }
    fwd_workspace_free(w);
    fwd_geom_free(g);
    return rc;
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
    struct list l = {NULL, 0, 0};
    invnet_file *nf = NULL;
    fwd_error err;
    long threads = omp_get_num_procs();
    double misfit = 0, t0;
    size_t i, n_bad = 0, n_in = 0, n_flag = 0;
    int c, bad = 0, force = 0, quiet = 0, rc = CLI_FAIL, k, failed = 0;
    FILE *out = stdout;
    char *tmp = NULL;

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
    /* refuse at once, not after the soundings were read and inverted */
    if (output != NULL && cli_same_file(output, net_path)) {
        cli_error("invert", "%s: is the net file; write the results to another file", output);
        goto done;
    }
    if (output != NULL && cli_check_output("invert", output, "the file", force) != 0)
        goto done;
    for (k = optind + 1; k < argc; k++)
        if (add_operand(&l, argv[k]) != 0) {
            cli_error("invert", "out of memory or unreadable directory");
            goto done;
        }
    if (l.n == 0) {
        cli_error("invert", "no soundings found in %s", argv[optind + 1]);
        goto done;
    }
    for (i = 0; output != NULL && i < l.n; i++)
        if (cli_same_file(output, l.v[i].path)) {
            cli_error("invert",
                      "%s: is one of the soundings to invert; write the results to "
                      "another file",
                      output);
            goto done;
        }
    if (plotdir != NULL && mkdir(plotdir, 0777) != 0 && errno != EEXIST) {
        cli_error("invert", "--plot: %s: cannot create the directory: %s", plotdir,
                  strerror(errno));
        goto done;
    }
    if (cli_read_guard("invert", net_path, 1) != 0)
        goto done;
    t0 = cli_now();
    nf = invnet_file_load(net_path, &err);
    cli_read_unguard();
    if (nf == NULL) {
        cli_lib_error("invert", &err);
        goto done;
    }
    cli_blas_serial();
    if ((size_t)threads > l.n)
        threads = (long)l.n; /* no idle threads spinning beside a short run */

        /* every sounding, in parallel; results by index, printed in order afterwards */
#pragma omp parallel num_threads((int)threads) default(none)                                       \
    shared(l, nf, cp, comp, plotdir, failed)
    {
        fwd_error e2;
        invnet_inverter *v = invnet_inverter_alloc(nf, &cp, &e2);
        long q;

        if (v == NULL) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(dynamic, 4)
        for (q = 0; q < (long)l.n; q++) {
            struct item *it = &l.v[q];
            double ts = cli_now();

            if (v == NULL)
                continue;
            it->s = fwd_sounding_read(it->path, nf->samples.method, comp, &e2);
            if (it->s == NULL) {
                snprintf(it->err, sizeof it->err, "%s", e2.msg);
                continue;
            }
            if (invnet_invert(v, it->s, &it->r, &e2) != FWD_OK) {
                snprintf(it->err, sizeof it->err, "%s", e2.msg);
                continue;
            }
            if (plotdir != NULL && it->r.response != NULL) {
                size_t nd = it->s->method == FWD_MT ? 2 * it->s->n : it->s->n;

                it->resp = malloc(nd * sizeof(double));
                if (it->resp != NULL)
                    memcpy(it->resp, it->r.response, nd * sizeof(double));
                if (it->s->mn2 != NULL && it->r.observed != NULL &&
                    (it->obs = malloc(it->s->n * sizeof(double))) != NULL)
                    memcpy(it->obs, it->r.observed, it->s->n * sizeof(double));
            }
            it->r.response = NULL;
            it->r.observed = NULL;
            it->time_ms = 1e3 * (cli_now() - ts);
        }
        invnet_inverter_free(v);
    }
    if (failed) {
        cli_error("invert", "out of memory");
        goto done;
    }
    for (i = 0; i < l.n; i++) {
        if (l.v[i].err[0] != '\0') {
            cli_error("invert", "%s", l.v[i].err);
            n_bad++;
        } else if (l.v[i].r.in_range && l.v[i].r.flags == 0) {
            n_in++;
        } else {
            n_flag++;
        }
    }

    if (n_bad == l.n) {
        /* nothing was read: no output file, no table */
        rc = CLI_FAIL;
        goto done;
    }
    if (output != NULL) {
        tmp = fwd_io_temp_name(output);
        out = tmp != NULL ? fopen(tmp, "wx") : NULL;
        if (out == NULL) {
            cli_error("invert", "%s: cannot create: %s", output, strerror(errno));
            out = stdout;
            goto done;
        }
    }
    if (strcmp(format, "json") == 0)
        write_json(out, net_path, &l, nf->samples.prior.n_layers);
    else
        write_csv(out, &l, nf->samples.prior.n_layers);
    if (output != NULL) {
        int werr, why;

        errno = 0; /* the reason, when the failed write is the last flush (a short table) */
        werr = (fflush(out) != 0) | ferror(out);
        why = errno;
        werr |= fclose(out) != 0;
        why = why ? why : errno;
        out = stdout;
        if (werr) {
            cli_error("invert", "%s: cannot write: %s", output,
                      why ? strerror(why) : "write error (disk full?)");
            unlink(tmp);
            goto done;
        }
        if (fwd_io_publish(tmp, output, force, &err) != FWD_OK) {
            cli_error("invert", "%s", err.msg);
            goto done;
        }
    } else if (cli_close_stdout("invert")) {
        goto done;
    }
    if (plotdir != NULL)
        for (i = 0; i < l.n; i++) {
            size_t k2, same = 0;
            const char *bi = strrchr(l.v[i].path, '/');

            if (l.v[i].s == NULL || l.v[i].err[0] != '\0')
                continue;
            bi = bi != NULL ? bi + 1 : l.v[i].path;
            for (k2 = 0; k2 < i && same == 0; k2++) {
                const char *bk = strrchr(l.v[k2].path, '/');

                if (strcmp(bk != NULL ? bk + 1 : l.v[k2].path, bi) == 0)
                    same = i;
            }
            if (plot_one(plotdir, &l.v[i], nf, &ref, same, force) != 0)
                n_bad++;
        }
    if (!quiet && isatty(STDERR_FILENO))
        fprintf(stderr,
                "bpinv invert: %zu soundings in %.1f ms: %zu in range without flags, %zu "
                "flagged, %zu not read\n",
                l.n, 1e3 * (cli_now() - t0), n_in, n_flag, n_bad);
    rc = n_bad > 0 ? CLI_FAIL : CLI_OK;
done:
    if (out != stdout)
        fclose(out);
    free(tmp);
    for (i = 0; i < l.n; i++) {
        free(l.v[i].resp);
        free(l.v[i].obs);
        fwd_sounding_free(l.v[i].s);
        free(l.v[i].path);
    }
    free(l.v);
    invnet_file_free(nf);
    free(ref.rho);
    free(ref.thick);
    return rc;
}
