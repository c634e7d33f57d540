/* SPDX-License-Identifier: MIT */
/*
 * cmd_samples.c - `bpinv samples`: a training set of (model, data) pairs into HDF5.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <omp.h>

#include "forward/fwd_model.h"
#include "samples/smp_file.h"
#include "samples/smp_gen.h"
#include "tools/cli.h"

static const char *const samples_usage =
    "usage: bpinv samples -m METHOD --layers N GEOMETRY --rho MIN:MAX --thick MIN:MAX\n"
    "                     -n COUNT -o SAMPLES.h5 [options]\n"
    "\n"
    "Draws COUNT random layered-earth models from a log-uniform prior, computes their\n"
    "responses in parallel, adds noise, and writes the pairs into an HDF5 file.\n"
    "\n"
    "  -m, --method METHOD  schlumberger, wenner or mt (required)\n"
    "  --layers N           number of layers, 1 to 64, the last a half-space (required)\n"
    "  --rho RANGES         resistivity prior, ohm-m: MIN:MAX for every layer, or one\n"
    "                       MIN:MAX per layer, comma-separated (required)\n"
    "  --thick RANGES       thickness prior, m: MIN:MAX, or one per layer but the last\n"
    "                       (required when N > 1)\n"
    "  --noise FRAC         relative noise, 0 to 1, on apparent resistivity (log-normal,\n"
    "                       standard deviation FRAC), and FRAC * 90/pi degrees on MT phase [0]\n"
    "  -n, --count COUNT    number of samples (required)\n"
    "  -o, --output PATH    the samples file to write (required)\n"
    "  --seed S             random seed, an integer >= 0 [42]\n"
    "  -j, --threads T      OpenMP threads; the datasets are the same for any T [all cores]\n"
    "  --batch B            samples computed and written at a time, rounded up to a\n"
    "                       multiple of 1024 (the file's chunk) [16384]\n"
    "  --resume             continue an interrupted file to COUNT samples (same arguments)\n"
    "  --force              replace PATH if it exists\n"
    "  -q, --quiet          no progress line (shown only when stderr is a terminal)\n"
    "  -h, --help           this text\n"
    "\n"
    "GEOMETRY: --ab2 SPEC [--mn2 SPEC] | --a SPEC | --period SPEC, as for bpinv forward.\n"
    "Ctrl-C (SIGINT) or SIGTERM stop at the end of a batch and leave a valid file holding\n"
    "every completed sample; exit status 130 or 143.\n"
    "\n"
    "example: bpinv samples -m schlumberger --layers 3 --ab2 1:1000:30 --rho 1:1000 \\\n"
    "         --thick 1:50 --noise 0.03 -n 100000 -o train.h5\n";

enum {
    OPT_LAYERS = 256,
    OPT_RHO,
    OPT_THICK,
    OPT_NOISE,
    OPT_SEED,
    OPT_BATCH,
    OPT_RESUME,
    OPT_FORCE
};

struct samples_args {
    const char *method, *layers, *rho, *thick, *noise, *count, *output, *seed, *threads, *batch;
    int resume, force, quiet;
    struct cli_geom_opts geo;
};

static void
progress(uint64_t done, uint64_t total, uint64_t start, double t0, int final)
{
    double el = cli_now() - t0, rate = el > 0 ? (double)(done - start) / el : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;

    fprintf(stderr, "\rbpinv samples: %llu/%llu (%.0f%%), %.0f samples/s, %s %.0f s   ",
            (unsigned long long)done, (unsigned long long)total,
            total ? 100.0 * (double)done / (double)total : 100.0, rate, final ? "elapsed" : "ETA",
            final ? el : eta);
    if (final)
        fputc('\n', stderr);
}

/* Parses and checks the arguments into a config; prints every problem. 0 if all good. */
static int
check_args(struct samples_args *o, fwd_geom **g, smp_config *c, long *count, long *threads,
           long *batch)
{
    fwd_method method = FWD_SCHLUMBERGER;
    fwd_error err;
    long layers = 0, seed = 42;
    int bad = 0, grc, method_ok = 0;

    memset(c, 0, sizeof *c);
    if (o->method == NULL) {
        cli_error("samples", "-m/--method: missing; expected schlumberger, wenner or mt");
        bad = 1;
    } else if (fwd_method_parse(o->method, &method, &err) != FWD_OK) {
        cli_error("samples", "-m/--method: %s", err.msg);
        bad = 1;
    } else {
        method_ok = 1;
    }
    if (method_ok && (grc = cli_geometry("samples", method, &o->geo, g)) != 0)
        bad = grc == -2 ? 2 : 1;
    if (o->layers == NULL) {
        cli_error("samples", "--layers: missing; expected the number of layers");
        bad = 1;
    } else if (cli_parse_long("samples", "--layers", o->layers, 1, FWD_MAX_LAYERS, &layers)) {
        bad = 1;
        layers = 0; /* reported; do not report the prior against it too */
    }
    if (layers > 0) {
        if (o->rho == NULL) {
            cli_error("samples", "--rho: missing; expected MIN:MAX, ohm-m");
            bad = 1;
        } else if (layers > 1 && o->thick == NULL) {
            cli_error("samples", "--thick: missing; expected MIN:MAX, m");
            bad = 1;
        } else if (layers == 1 && o->thick != NULL) {
            cli_error("samples", "--thick: a 1-layer earth has no thickness, got \"%s\"", o->thick);
            bad = 1;
        } else if (smp_prior_parse(&c->prior, (size_t)layers, o->rho, o->thick, &err)) {
            cli_lib_error("samples", &err);
            bad = 1;
        }
    }
    if (o->noise != NULL && cli_parse_double("samples", "--noise", o->noise, 0, 1, &c->noise))
        bad = 1;
    if (o->count == NULL) {
        cli_error("samples", "-n/--count: missing; expected the number of samples");
        bad = 1;
    } else if (cli_parse_long("samples", "-n/--count", o->count, 1, 1000000000000L, count)) {
        bad = 1;
    }
    if (o->output == NULL) {
        cli_error("samples", "-o/--output: missing; expected the samples file to write");
        bad = 1;
    }
    if (o->seed != NULL && cli_parse_long("samples", "--seed", o->seed, 0, LONG_MAX, &seed))
        bad = 1;
    if (o->threads != NULL &&
        cli_parse_long("samples", "-j/--threads", o->threads, 1, 1024, threads))
        bad = 1;
    if (o->batch != NULL && cli_parse_long("samples", "--batch", o->batch, 1, 10000000, batch))
        bad = 1;
    /* whole chunks of the file (smp_file.h) */
    *batch = (*batch + SMP_FILE_CHUNK_ROWS - 1) / SMP_FILE_CHUNK_ROWS * SMP_FILE_CHUNK_ROWS;
    if (o->resume && o->force) {
        cli_error("samples", "--resume and --force: choose one (continue the file, or replace "
                             "it)");
        bad = 1;
    }
    c->geom = *g;
    c->seed = (uint64_t)seed;
    return bad;
}

/* The progress line and the stop of a run, between its batches (smp_file_fill). */
struct run_view {
    int show;
    uint64_t start;
    double t0, tlast;
};

static int
on_batch(uint64_t done, uint64_t total, void *ud)
{
    struct run_view *v = ud;

    if (v->show && cli_now() - v->tlast > 0.2) {
        progress(done, total, v->start, v->t0, 0);
        v->tlast = cli_now();
    }
    return cli_stop_signal != 0;
}

/*
 * The run once the arguments are checked: creates (or resumes) o->output for count samples
 * of cfg and fills it in batches of `batch` samples on `threads` threads; SIGINT and SIGTERM
 * stop it at the end of a batch. Returns the exit status.
 */
static int
write_samples(const struct samples_args *o, const smp_config *cfg, uint64_t count, int threads,
              size_t batch)
{
    struct sigaction old_int, old_term;
    struct run_view v = {0, 0, 0, 0};
    smp_gen *gen = NULL;
    smp_file *f = NULL;
    fwd_error err;
    uint64_t done;
    int rc = CLI_FAIL;

    /* the header read-only within the time limit, before the file is opened for writing;
     * then no limit, as a slow disk must not stop a write half done */
    if (o->resume && cli_read_header_timed("samples", o->output) != 0)
        return CLI_FAIL;
    /* Signals are ours before the file exists: a Ctrl-C during creation stops cleanly. */
    cli_catch_stop(&old_int, &old_term);
    if (o->resume) {
        f = smp_file_resume(o->output, cfg, count, &err);
        cli_read_unguard();
    } else {
        f = smp_file_create(o->output, cfg, count, BPINV_VERSION, o->force, &err);
    }
    if (f == NULL)
        goto fail;
    smp_file_set_threads(f, threads);
    gen = smp_gen_alloc(cfg, threads, &err);
    if (gen == NULL)
        goto fail;
    v.show = !o->quiet && isatty(STDERR_FILENO);
    v.start = smp_file_complete(f);
    v.t0 = cli_now();
    /* a stop before the first batch writes none */
    if (!cli_stop_signal && smp_file_fill(f, gen, batch, on_batch, &v, &err) != FWD_OK)
        goto fail;
    done = smp_file_complete(f);
    if (v.show)
        progress(done, count, v.start, v.t0, 1);
    rc = smp_file_close(f, &err);
    f = NULL;
    if (rc != FWD_OK)
        goto fail;
    if (cli_stop_signal && done < count) {
        cli_error("samples",
                  "interrupted: %s holds %llu of %llu samples; continue with "
                  "--resume and the same arguments",
                  o->output, (unsigned long long)done, (unsigned long long)count);
        rc = 128 + (int)cli_stop_signal;
    } else {
        rc = CLI_OK;
    }
    goto restore;
fail:
    cli_lib_error("samples", &err);
    rc = CLI_FAIL;
restore:
    cli_restore_stop(&old_int, &old_term);
    smp_file_close(f, NULL);
    smp_gen_free(gen);
    return rc;
}

int
cmd_samples(int argc, char **argv)
{
    static const struct option longopts[] = {{"method", required_argument, NULL, 'm'},
                                             {"layers", required_argument, NULL, OPT_LAYERS},
                                             {"rho", required_argument, NULL, OPT_RHO},
                                             {"thick", required_argument, NULL, OPT_THICK},
                                             {"noise", required_argument, NULL, OPT_NOISE},
                                             {"count", required_argument, NULL, 'n'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"seed", required_argument, NULL, OPT_SEED},
                                             {"threads", required_argument, NULL, 'j'},
                                             {"batch", required_argument, NULL, OPT_BATCH},
                                             {"resume", no_argument, NULL, OPT_RESUME},
                                             {"force", no_argument, NULL, OPT_FORCE},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             CLI_GEOM_LONGOPTS,
                                             {NULL, 0, NULL, 0}};
    struct samples_args o;
    fwd_geom *g = NULL;
    smp_config cfg;
    long count = 0, threads = omp_get_num_procs(), batch = 16384;
    int c, bad = 0, rc = CLI_USAGE;

    memset(&o, 0, sizeof o);
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":m:n:o:j:qh", longopts, NULL)) != -1) {
        if (cli_geom_option(&o.geo, c, optarg))
            continue;
        switch (c) {
        case 'm':
            o.method = optarg;
            break;
        case OPT_LAYERS:
            o.layers = optarg;
            break;
        case OPT_RHO:
            o.rho = optarg;
            break;
        case OPT_THICK:
            o.thick = optarg;
            break;
        case OPT_NOISE:
            o.noise = optarg;
            break;
        case 'n':
            o.count = optarg;
            break;
        case 'o':
            o.output = optarg;
            break;
        case OPT_SEED:
            o.seed = optarg;
            break;
        case 'j':
            o.threads = optarg;
            break;
        case OPT_BATCH:
            o.batch = optarg;
            break;
        case OPT_RESUME:
            o.resume = 1;
            break;
        case OPT_FORCE:
            o.force = 1;
            break;
        case 'q':
            o.quiet = 1;
            break;
        case 'h':
            fputs(samples_usage, stdout);
            return cli_close_stdout("samples") ? CLI_FAIL : CLI_OK;
        default:
            bad = cli_bad_option("samples", c, argv);
            break;
        }
    }
    bad = cli_no_operands("samples", argc, argv, bad);
    if (bad)
        goto done;
    bad = check_args(&o, &g, &cfg, &count, &threads, &batch);
    if (bad) {
        rc = bad == 2 ? CLI_FAIL : CLI_USAGE;
        goto done;
    }

    rc = write_samples(&o, &cfg, (uint64_t)count, (int)threads, (size_t)batch);
done:
    fwd_geom_free(g);
    return rc;
}
