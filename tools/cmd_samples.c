/* SPDX-License-Identifier: MIT */
/*
 * cmd_samples.c - `bpinv samples`: a training set of (model, data) pairs into HDF5.
 */
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
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
#include "tools/cli_opt.h"
#include "tools/cli_par.h"

struct samples_args {
    const char *method, *rho, *thick, *output;
    long layers, count, seed, threads, batch;
    double noise;
    int resume, force, quiet, progress;
    struct cli_geom_opts geo;
    fwd_geom *g;    /* made by the checks */
    smp_config cfg; /* the prior, made by the checks */
};

#define ARG(m) offsetof(struct samples_args, m)

/* The method, then its geometry. */
static int
check_method(const cli_parse *p, void *args)
{
    struct samples_args *o = args;
    fwd_method method;
    fwd_error err;
    int grc;

    (void)p;
    if (o->method == NULL)
        return 0; /* reported as missing */
    if (fwd_method_parse(o->method, &method, &err) != FWD_OK) {
        cli_error("samples", "-m/--method: %s", err.msg);
        return CLI_USAGE;
    }
    grc = cli_geometry("samples", method, &o->geo, &o->g);
    return grc == 0 ? 0 : grc == -2 ? CLI_FAIL : CLI_USAGE;
}

/* The prior, once the number of layers is known (not reported against a bad --layers). */
static int
check_prior(const cli_parse *p, void *args)
{
    struct samples_args *o = args;
    fwd_method method;
    fwd_error err;

    if (cli_opt_given(p, "layers") != 1)
        return 0;
    if (o->rho == NULL) {
        cli_error("samples", "--rho: missing; expected MIN:MAX, ohm-m");
    } else if (o->layers > 1 && o->thick == NULL) {
        cli_error("samples", "--thick: missing; expected MIN:MAX, m");
    } else if (o->layers == 1 && o->thick != NULL) {
        cli_error("samples", "--thick: a 1-layer earth has no thickness, got \"%s\"", o->thick);
    } else if (smp_prior_parse(&o->cfg.prior, (size_t)o->layers, o->rho, o->thick, &err) ||
               (o->method != NULL && fwd_method_parse(o->method, &method, NULL) == FWD_OK &&
                smp_prior_check_draws(&o->cfg.prior, method, &err) != FWD_OK)) {
        cli_lib_error("samples", &err); /* a usage error, not the run's (smp_config_check) */
    } else {
        return 0;
    }
    return CLI_USAGE;
}

static int
check_resume(const cli_parse *p, void *args)
{
    const struct samples_args *o = args;

    (void)p;
    if (o->quiet && o->progress) { /* -q won in silence */
        cli_error("samples", "--quiet and --progress: choose one");
        return CLI_USAGE;
    }
    if (!o->resume || !o->force)
        return 0;
    cli_error("samples", "--resume and --force: choose one (continue the file, or replace it)");
    return CLI_USAGE;
}

static const cli_opt samples_opts[] = {
    CLI_STRING("method", 'm', "METHOD", ARG(method), "expected schlumberger, wenner or mt",
               "schlumberger, wenner or mt (required)"),
    CLI_CHECK(check_method),
    CLI_LONG("layers", 0, "N", ARG(layers), 1, FWD_MAX_LAYERS, "expected the number of layers",
             "number of layers, 1 to 64, the last a half-space (required)"),
    CLI_CHECK(check_prior),
    CLI_STRING("rho", 0, "RANGES", ARG(rho), NULL,
               "resistivity prior, ohm-m: MIN:MAX for every layer, or one\n"
               "MIN:MAX per layer, comma-separated (required)"),
    CLI_STRING("thick", 0, "RANGES", ARG(thick), NULL,
               "thickness prior, m: MIN:MAX, or one per layer but the last\n"
               "(required when N > 1)"),
    CLI_REAL("noise", 0, "FRAC", ARG(noise), 0, 1,
             "relative noise, 0 to 1, on apparent resistivity (log-normal,\n"
             "standard deviation FRAC), and FRAC * 90/pi degrees on MT phase [0]"),
    CLI_LONG("count", 'n', "COUNT", ARG(count), 1, 1000000000000L, "expected the number of samples",
             "number of samples (required)"),
    CLI_STRING("output", 'o', "PATH", ARG(output), "expected the samples file to write",
               "the samples file to write (required)"),
    CLI_LONG("seed", 0, "S", ARG(seed), 0, LONG_MAX, NULL, "random seed, an integer >= 0 [42]"),
    CLI_LONG("threads", 'j', "T", ARG(threads), 1, 1024, NULL,
             "OpenMP threads; the datasets are the same for any T [all cores]"),
    CLI_LONG("batch", 0, "B", ARG(batch), 1, 10000000, NULL,
             "samples computed and written at a time, rounded up to a\n"
             "multiple of 1024 (the file's chunk) [16384]"),
    CLI_FLAG("resume", 0, ARG(resume),
             "continue an interrupted file to COUNT samples (same arguments)"),
    CLI_FLAG("force", 0, ARG(force), "replace PATH if it exists"),
    CLI_CHECK(check_resume),
    CLI_FLAG("quiet", 'q', ARG(quiet), "no progress line (shown only when stderr is a terminal)"),
    CLI_FLAG("progress", 0, ARG(progress),
             "the progress line also when standard error is not a terminal\n"
             "(under mpirun, whose ranks write to a pipe)"),
    CLI_HELP,
    /* GEOMETRY, described in the notes */
    CLI_STRING("ab2", 0, NULL, ARG(geo.ab2), NULL, NULL),
    CLI_STRING("mn2", 0, NULL, ARG(geo.mn2), NULL, NULL),
    CLI_STRING("a", 0, NULL, ARG(geo.a), NULL, NULL),
    CLI_STRING("period", 0, NULL, ARG(geo.period), NULL, NULL),
};

const cli_cmd samples_cmd = {
    "samples",
    "usage: bpinv samples -m METHOD --layers N GEOMETRY --rho MIN:MAX --thick MIN:MAX\n"
    "                     -n COUNT -o SAMPLES.h5 [options]\n"
    "\n"
    "Draws COUNT random layered-earth models from a log-uniform prior, computes their\n"
    "responses in parallel, adds noise, and writes the pairs into an HDF5 file.\n"
    "\n",
    "\n"
    "GEOMETRY: --ab2 SPEC [--mn2 SPEC] | --a SPEC | --period SPEC, as for bpinv forward.\n"
    "Ctrl-C (SIGINT), SIGTERM or SIGUSR1 stop at the end of a batch and leave a valid file\n"
    "holding every completed sample; exit status 130, 143 or 138.\n"
    "\n"
    "example: bpinv samples -m schlumberger --layers 3 --ab2 1:1000:30 --rho 1:1000 \\\n"
    "         --thick 1:50 --noise 0.03 -n 100000 -o train.h5\n",
    samples_opts,
    sizeof samples_opts / sizeof samples_opts[0],
    23,
    0,
    0};

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

/* The progress line and the stop of a run, between its batches (smp_file_fill). */
struct run_view {
    int show;
    uint64_t start;
    double t0, tlast;
    uint64_t total; /* the samples asked for (fill_ranks) */
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

/* The end of a run a stop signal cut at `done` samples: the message (when say), the status
 * (under mpirun a rank may not have had the signal itself: SIGTERM, as mpirun passes it). */
static int
stopped(const struct samples_args *o, uint64_t done, int say)
{
    if (say)
        cli_error("samples",
                  "interrupted: %s holds %llu of %llu samples; continue with "
                  "--resume and the same arguments",
                  o->output, (unsigned long long)done, (unsigned long long)o->count);
    return 128 + (int)(cli_stop_signal ? cli_stop_signal : SIGTERM);
}

/* The samples file of the run, made or (--resume, its header read under the guard)
 * reopened; NULL with err set. */
static smp_file *
open_output(const struct samples_args *o, fwd_error *err)
{
    smp_file *f;

    if (!o->resume)
        return smp_file_create(o->output, &o->cfg, (uint64_t)o->count, BPINV_VERSION, o->force,
                               err);
    f = smp_file_resume(o->output, &o->cfg, (uint64_t)o->count, err);
    cli_read_unguard();
    return f;
}

/*
 * The run once the arguments are checked: creates (or resumes) o->output for count samples
 * of cfg and fills it in batches of `batch` samples on `threads` threads; SIGINT and SIGTERM
 * stop it at the end of a batch. Returns the exit status.
 */
static int
write_samples(const struct samples_args *o)
{
    const smp_config *cfg = &o->cfg;
    uint64_t count = (uint64_t)o->count;
    int threads = (int)o->threads;
    struct sigaction old_int, old_term;
    struct run_view v = {0, 0, 0, 0, 0};
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
    if ((f = open_output(o, &err)) == NULL)
        goto fail;
    smp_file_set_threads(f, threads);
    gen = smp_gen_alloc(cfg, threads, &err);
    if (gen == NULL)
        goto fail;
    v.show = cli_progress_on(o->quiet, o->progress);
    v.start = smp_file_complete(f);
    v.t0 = cli_now();
    /* a stop before the first batch writes none */
    if (!cli_stop_signal &&
        smp_file_fill(f, gen, smp_file_batch_rows((size_t)o->batch), on_batch, &v, &err) != FWD_OK)
        goto fail;
    done = smp_file_complete(f);
    if (v.show)
        progress(done, count, v.start, v.t0, 1);
    rc = smp_file_close(f, &err);
    f = NULL;
    if (rc != FWD_OK)
        goto fail;
    rc = cli_stop_signal && done < count ? stopped(o, done, 1) : CLI_OK;
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

/* Where block r of a step of n rows from row start begins, of `size` blocks (r = size: the
 * step's end): a chunk boundary (smp_file.h), so that rank 0 appends whole chunks. */
static uint64_t
block_edge(uint64_t start, uint64_t n, int r, int size)
{
    const uint64_t c = SMP_FILE_CHUNK_ROWS;
    uint64_t e;

    if (r == 0)
        return start;
    if (r == size)
        return start + n;
    e = (start + (n * (uint64_t)r + (uint64_t)size - 1) / (uint64_t)size + c - 1) / c * c;
    return e < start + n ? e : start + n;
}

/*
 * smp_file_fill spread over the ranks of an MPI run. Rank 0 holds the file f (NULL on the
 * others) and sizes each step as smp_file_fill sizes a batch, `batch` rows per rank; the
 * step is cut at chunk boundaries into one block per rank. Each rank computes its block
 * with g (a sample depends on the seed and its index alone: the rows are those of one
 * process) and packs it as the file stores it, compressed (smp_pack_rows), on `threads`
 * threads; rank 0 appends the packs in rank order, so that it only writes. Between steps
 * rank 0 shows the progress and decides for all whether to go on: a stop signal, a failed
 * write. The same status on every rank: FWD_OK, or an error told by the rank it happened
 * on.
 */
static int
fill_ranks(smp_file *f, smp_gen *g, size_t batch, int threads, struct run_view *v)
{
    const smp_config *c = smp_gen_config(g);
    int rank = cli_par_rank(), size = cli_par_size(), r;
    size_t np = FWD_MODEL_NPARAMS(c->prior.n_layers), nd = fwd_geom_ndata(c->geom);
    size_t cap = smp_file_batch_rows(batch) + SMP_FILE_CHUNK_ROWS; /* the largest block */
    double *params = malloc(cap * np * sizeof *params);
    double *clean = malloc(cap * nd * sizeof *clean), *noisy = malloc(cap * nd * sizeof *noisy);
    uint64_t st[3] = {0, 0, 0}; /* the step's first row and rows; 1 once a rank failed */
    smp_pack pk = {NULL, 0, 0};
    unsigned char *in = NULL; /* rank 0: another rank's pack */
    size_t in_cap = 0, in_len;
    fwd_error err;
    int rc = FWD_OK;

    if (cli_par_max(params == NULL || clean == NULL || noisy == NULL) != 0) {
        rc = fwd_error_set(&err, FWD_ENOMEM, "out of memory for one batch");
        st[2] = 1;
    }
    while (!st[2]) {
        uint64_t a, b;

        if (rank == 0) {
            st[0] = smp_file_complete(f);
            st[1] = cli_stop_signal
                        ? 0
                        : smp_file_next_batch(f, smp_file_batch_rows(batch) * (size_t)size);
        }
        cli_par_bcast(st, sizeof st);
        if (st[1] == 0)
            break;
        a = block_edge(st[0], st[1], rank, size);
        b = block_edge(st[0], st[1], rank + 1, size);
        pk.len = 0;
        if (b > a) {
            rc = smp_gen_run(g, a, (size_t)(b - a), params, clean, noisy, &err);
            rc =
                rc ? rc
                   : smp_pack_rows(&pk, c, threads, a, (size_t)(b - a), params, clean, noisy, &err);
        }
        if (cli_par_max(rc != FWD_OK) != 0) {
            st[2] = 1;
            break;
        }
        if (rank == 0 && pk.len > 0)
            rc = smp_file_append_pack(f, pk.buf, pk.len, &err);
        for (r = 1; r < size; r++) {
            cli_par_to_root(r, pk.buf, pk.len, &in, &in_cap, &in_len);
            if (rank == 0 && rc == FWD_OK && in_len > 0)
                rc = smp_file_append_pack(f, in, in_len, &err);
        }
        if (rank == 0) {
            st[2] = rc != FWD_OK;
            if (rc == FWD_OK)
                (void)on_batch(smp_file_complete(f), v->total, v);
        }
        cli_par_bcast(&st[2], sizeof st[2]);
    }
    if (rc != FWD_OK)
        cli_lib_error("samples", &err);
    smp_pack_free(&pk);
    free(in);
    free(noisy);
    free(clean);
    free(params);
    return st[2] ? FWD_EIO : FWD_OK;
}

/* write_samples under mpirun with several ranks: rank 0 makes (or resumes) the file and
 * writes it, every rank computes its share of each batch. */
static int
write_samples_ranks(const struct samples_args *o)
{
    const smp_config *cfg = &o->cfg;
    uint64_t count = (uint64_t)o->count, done = 0;
    int root = cli_par_rank() == 0, rc = CLI_FAIL;
    struct sigaction old_int, old_term;
    struct run_view v = {0, 0, 0, 0, 0};
    smp_gen *gen = NULL;
    smp_file *f = NULL;
    fwd_error err;
    uint64_t res[2] = {0, 0}; /* rank 0's status at the end, the samples done */

    /* every rank catches the stop signals (mpirun passes SIGINT on as SIGTERM); rank 0's
     * decide */
    cli_catch_stop(&old_int, &old_term);
    if (root && !(o->resume && cli_read_header_timed("samples", o->output) != 0)) {
        if ((f = open_output(o, &err)) == NULL)
            cli_lib_error("samples", &err);
    }
    if (cli_par_max(root && f == NULL) != 0)
        goto done;
    if (f != NULL)
        smp_file_set_threads(f, (int)o->threads);
    if ((gen = smp_gen_alloc(cfg, (int)o->threads, &err)) == NULL)
        cli_lib_error("samples", &err);
    if (cli_par_max(gen == NULL) != 0)
        goto done;
    if (root) {
        v.show = cli_progress_on(o->quiet, o->progress);
        v.start = smp_file_complete(f);
        v.t0 = cli_now();
        v.total = count;
    }
    if (fill_ranks(f, gen, (size_t)o->batch, (int)o->threads, &v) != FWD_OK) {
        cli_par_agree(); /* every rank saw the failure */
        goto done;
    }
    if (root) {
        done = smp_file_complete(f);
        if (v.show)
            progress(done, count, v.start, v.t0, 1);
        res[0] = smp_file_close(f, &err) == FWD_OK;
        f = NULL;
        if (!res[0])
            cli_lib_error("samples", &err);
        res[1] = done;
    }
    cli_par_bcast(res, sizeof res);
    cli_par_agree();
    if (!res[0])
        goto done;
    rc = res[1] < count ? stopped(o, res[1], root) : CLI_OK;
done:
    cli_restore_stop(&old_int, &old_term);
    smp_file_close(f, NULL);
    smp_gen_free(gen);
    return rc;
}

/* Unless quiet, a note on a noise no survey has: none (the net then knows noise-free data
 * only, and flags field soundings data_outside_training_range), or over 20 % (its misfit
 * threshold, twice the noise, then passes almost any fit). */
static void
noise_note(double noise, int quiet)
{
    if (quiet)
        return;
    if (noise == 0)
        fprintf(stderr, "bpinv samples: note: --noise 0: a net trained on noise-free data flags "
                        "field soundings data_outside_training_range; field data have a few "
                        "percent (docs/samples.md)\n");
    else if (noise > 0.2)
        fprintf(stderr,
                "bpinv samples: note: --noise %g: %g %% a reading, and invert's high_misfit "
                "threshold (twice the noise) %g %%: most fits pass (docs/samples.md)\n",
                noise, 100 * noise, 200 * noise);
}

/* The depth a DC spacing sees, as a share of its AB/2 (a rule of thumb: a third to a quarter);
 * the longest spacing seeing over this many times the deepest interface is noted (10 noted
 * sensible shallow priors, a reviewer's 2 layers of 1-30 m under AB/2 to 1000 m; a tester's
 * thicknesses in km were 550 times) */
#define SEES_SHARE 0.33
#define SEES_BELOW 100.0

/* Unless quiet, a note on a prior whose interfaces lie where the geometry cannot see them
 * (a tester's thicknesses in km, --thick 0.001:0.2, with AB/2 of 1-1000 m: every interface
 * above 0.6 m, the longer spacings seeing the half-space alone; AB/2 in km, 0.001:1, with
 * thicknesses of 1-200 m: the first interface below what the longest spacing sees). DC:
 * AB/2 (1.5 a for Wenner) sees about a third of itself deep; MT: the skin depth
 * 503 sqrt(rho T) m. Noted when the shallowest interface lies deeper than the longest
 * spacing sees (in the most resistive rock, for MT), or when it sees SEES_BELOW times deeper
 * than the deepest interface (in the most conductive rock, for MT). */
static void
depth_note(const smp_config *c, int quiet)
{
    const smp_prior *pr = &c->prior;
    fwd_method m = fwd_geom_method(c->geom);
    const double *x = fwd_geom_x(c->geom);
    size_t n = fwd_geom_size(c->geom), k;
    double top = pr->thick_min[0], deep = 0, xmax = 0, rmin = INFINITY, rmax = 0, far, near;
    const char *what = m == FWD_MT       ? "the longest period"
                       : m == FWD_WENNER ? "the widest a"
                                         : "the longest AB/2";

    if (quiet || pr->n_layers < 2)
        return;
    for (k = 0; k + 1 < pr->n_layers; k++)
        deep += pr->thick_max[k];
    for (k = 0; k < pr->n_layers; k++)
        rmin = fmin(rmin, pr->rho_min[k]), rmax = fmax(rmax, pr->rho_max[k]);
    for (k = 0; k < n; k++)
        xmax = fmax(xmax, x[k]);
    if (m == FWD_MT) {
        far = 503 * sqrt(rmax * xmax);  /* the deepest the data see */
        near = 503 * sqrt(rmin * xmax); /* what they see in the most conductive rock */
    } else {
        far = near = SEES_SHARE * xmax * (m == FWD_WENNER ? 1.5 : 1);
    }
    if (top > far)
        fprintf(stderr,
                "bpinv samples: note: the prior's shallowest interface lies at %g m or deeper, "
                "below the %.3g m %s (%g %s) sees: every sounding sees its top layer alone "
                "(%s in the wrong unit?)\n",
                top, far, what, xmax, m == FWD_MT ? "s" : "m",
                m == FWD_MT ? "periods given as frequencies, or thicknesses"
                            : "spacings or thicknesses");
    else if (near > SEES_BELOW * deep)
        fprintf(stderr,
                "bpinv samples: note: the prior's interfaces lie at most %g m deep, where %s "
                "(%g %s) sees some %.3g m%s: most of the data see the half-space alone "
                "(thicknesses in the wrong unit?)\n",
                deep, what, xmax, m == FWD_MT ? "s" : "m", near,
                m == FWD_MT ? " in the most conductive rock" : "");
}

int
cmd_samples(int argc, char **argv)
{
    struct samples_args o = {.seed = 42, .threads = omp_get_num_procs(), .batch = 16384};
    int rc = cli_opt_parse(&samples_cmd, argc, argv, &o, NULL);

    if (rc == CLI_RUN) {
        o.cfg.geom = o.g;
        o.cfg.noise = o.noise;
        o.cfg.seed = (uint64_t)o.seed;
        rc = cli_par_size() > 1 ? write_samples_ranks(&o) : write_samples(&o);
        /* after the file: an error is the only line */
        if (rc == CLI_OK) {
            noise_note(o.noise, o.quiet || cli_par_rank() != 0);
            depth_note(&o.cfg, o.quiet || cli_par_rank() != 0);
            cli_note_threads("samples", o.threads, o.threads, o.quiet || cli_par_rank() != 0);
        }
    }
    fwd_geom_free(o.g);
    return rc;
}
