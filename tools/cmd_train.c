/* SPDX-License-Identifier: MIT */
/*
 * cmd_train.c - `bpinv train`: a BP network trained on a samples file, saved as a net file.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <omp.h>

#include "invnet/invnet_data.h"
#include "invnet/invnet_fit.h"
#include "invnet/invnet_file.h"
#include "invnet/invnet_stats.h"
#include "invnet/invnet_train.h"
#include "tools/cli.h"

static const char *const train_usage =
    "usage: bpinv train SAMPLES.h5 -o NET.h5 [options]\n"
    "\n"
    "Trains a backpropagation network with the samples' data as input and their models\n"
    "(log10 resistivities and thicknesses) as output, and writes it with everything\n"
    "'bpinv invert' needs: weights, normalisation, geometry, prior, training envelope.\n"
    "\n"
    "  -o, --output PATH     the net file to write (required); written to a temporary\n"
    "                        name and renamed, so PATH is never half-written\n"
    "  --hidden H[,H..]      hidden units per hidden layer, 1 to 4 layers [64]\n"
    "  --activation F        tanh or sigmoid hidden units [tanh]\n"
    "  --epochs E            most passes over the training rows [200]\n"
    "  --batch B             rows per minibatch [256]\n"
    "  --optimizer O         adam or sgd (with momentum) [adam]\n"
    "  --lr LR               learning rate [1e-3 for adam, 1e-2 for sgd]\n"
    "  --momentum M          SGD momentum, 0 <= M < 1 [0.9]\n"
    "  --lr-decay D          learning rate multiplied by D after each epoch, 0 < D <= 1 [1]\n"
    "  --val FRAC            fraction of rows (the last ones) kept for validation [0.1]\n"
    "  --patience P          stop after P epochs without a better validation loss and keep\n"
    "                        the best weights; 0 never stops early [20]\n"
    "  --data noisy|clean    which data of the samples file to train on [noisy]\n"
    "  --max-samples N       train on the first N complete samples only [all]\n"
    "  --seed S              initial weights and shuffling, an integer >= 0 [42]\n"
    "  -j, --threads T       OpenMP threads; the net is the same for any T [all cores]\n"
    "  --force               replace NET.h5 if it exists\n"
    "  -q, --quiet           no line per epoch\n"
    "  -h, --help            this text\n"
    "\n"
    "Each epoch prints: epoch, training and validation loss (mean squared error of the\n"
    "standardised outputs), samples/s and elapsed time; '*' marks a new best.\n"
    "Ctrl-C (SIGINT) or SIGTERM stop after the current epoch and save the best net so far\n"
    "(exit status 130 or 143).\n"
    "\n"
    "example: bpinv train train.h5 -o net.h5 --hidden 64 --epochs 100\n";

enum {
    OPT_HIDDEN = 256,
    OPT_ACT,
    OPT_EPOCHS,
    OPT_BATCH,
    OPT_OPT,
    OPT_LR,
    OPT_MOMENTUM,
    OPT_DECAY,
    OPT_VAL,
    OPT_PATIENCE,
    OPT_DATA,
    OPT_MAX,
    OPT_SEED,
    OPT_FORCE
};

struct train_args {
    const char *input, *output, *hidden, *act, *epochs, *batch, *opt, *lr, *momentum, *decay, *val,
        *patience, *data, *max, *seed, *threads;
    int force, quiet;
};

/* Parses "64" or "64,32" into hidden[]; prints a message and returns -1 if bad. */
static int
parse_hidden(const char *s, size_t *hidden, size_t *n)
{
    const char *p = s;
    char *end;
    long v;

    *n = 0;
    for (;;) {
        v = strtol(p, &end, 10);
        if (end == p || v < 1 || v > INVNET_MAX_UNITS || *n == INVNET_MAX_HIDDEN ||
            (*end != ',' && *end != '\0')) {
            cli_error("train",
                      "--hidden: expected 1 to %d comma-separated unit counts of 1 to %d, got "
                      "\"%s\"",
                      INVNET_MAX_HIDDEN, INVNET_MAX_UNITS, s);
            return -1;
        }
        hidden[(*n)++] = (size_t)v;
        if (*end == '\0')
            return 0;
        p = end + 1;
    }
}

/* Checks the options into p and the rest; prints every problem; 0 if all good. */
static int
check_args(const struct train_args *o, invnet_train_params *p, size_t *hidden, size_t *nh,
           invnet_activation *act, double *val, long *max, int *noisy)
{
    fwd_error err;
    long v;
    int bad = 0;

    if (o->input == NULL) {
        cli_error("train", "expected a samples file; try 'bpinv train --help'");
        bad = 1;
    }
    if (o->output == NULL) {
        cli_error("train", "-o/--output: missing; expected the net file to write");
        bad = 1;
    }
    if (o->hidden != NULL && parse_hidden(o->hidden, hidden, nh))
        bad = 1;
    if (o->act != NULL && invnet_activation_parse(o->act, act, &err)) {
        cli_error("train", "--activation: expected tanh or sigmoid, got \"%s\"", o->act);
        bad = 1;
    }
    if (o->opt != NULL && invnet_optimizer_parse(o->opt, &p->opt, &err)) {
        cli_error("train", "--optimizer: expected adam or sgd, got \"%s\"", o->opt);
        bad = 1;
    }
    if (o->epochs != NULL && !cli_parse_long("train", "--epochs", o->epochs, 1, 100000000, &v))
        p->epochs = (size_t)v;
    else if (o->epochs != NULL)
        bad = 1;
    if (o->batch != NULL && !cli_parse_long("train", "--batch", o->batch, 1, 1000000, &v))
        p->batch = (size_t)v;
    else if (o->batch != NULL)
        bad = 1;
    if (o->patience != NULL &&
        !cli_parse_long("train", "--patience", o->patience, 0, 100000000, &v))
        p->patience = (size_t)v;
    else if (o->patience != NULL)
        bad = 1;
    if (o->lr != NULL && cli_parse_double("train", "--lr", o->lr, 1e-12, 10, &p->lr))
        bad = 1;
    if (o->momentum != NULL &&
        cli_parse_double("train", "--momentum", o->momentum, 0, 0.999999, &p->momentum))
        bad = 1;
    if (o->decay != NULL &&
        cli_parse_double("train", "--lr-decay", o->decay, 1e-6, 1, &p->lr_decay))
        bad = 1;
    if (o->val != NULL && cli_parse_double("train", "--val", o->val, 0, 0.9, val))
        bad = 1;
    if (o->max != NULL && cli_parse_long("train", "--max-samples", o->max, 2, LONG_MAX, max))
        bad = 1;
    if (o->seed != NULL && !cli_parse_long("train", "--seed", o->seed, 0, LONG_MAX, &v))
        p->seed = (uint64_t)v;
    else if (o->seed != NULL)
        bad = 1;
    if (o->threads != NULL && !cli_parse_long("train", "-j/--threads", o->threads, 1, 1024, &v))
        p->nthreads = (int)v;
    else if (o->threads != NULL)
        bad = 1;
    if (o->data != NULL && strcmp(o->data, "noisy") != 0 && strcmp(o->data, "clean") != 0) {
        cli_error("train", "--data: expected noisy or clean, got \"%s\"", o->data);
        bad = 1;
    }
    *noisy = o->data == NULL || strcmp(o->data, "noisy") == 0;
    return bad;
}

static int
parse_options(int argc, char **argv, struct train_args *o)
{
    static const struct option longopts[] = {{"output", required_argument, NULL, 'o'},
                                             {"hidden", required_argument, NULL, OPT_HIDDEN},
                                             {"activation", required_argument, NULL, OPT_ACT},
                                             {"epochs", required_argument, NULL, OPT_EPOCHS},
                                             {"batch", required_argument, NULL, OPT_BATCH},
                                             {"optimizer", required_argument, NULL, OPT_OPT},
                                             {"lr", required_argument, NULL, OPT_LR},
                                             {"momentum", required_argument, NULL, OPT_MOMENTUM},
                                             {"lr-decay", required_argument, NULL, OPT_DECAY},
                                             {"val", required_argument, NULL, OPT_VAL},
                                             {"patience", required_argument, NULL, OPT_PATIENCE},
                                             {"data", required_argument, NULL, OPT_DATA},
                                             {"max-samples", required_argument, NULL, OPT_MAX},
                                             {"seed", required_argument, NULL, OPT_SEED},
                                             {"threads", required_argument, NULL, 'j'},
                                             {"force", no_argument, NULL, OPT_FORCE},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char **slot;
    int c, bad = 0;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:j:qh", longopts, NULL)) != -1) {
        slot = NULL;
        switch (c) {
        case 'o':
            slot = &o->output;
            break;
        case OPT_HIDDEN:
            slot = &o->hidden;
            break;
        case OPT_ACT:
            slot = &o->act;
            break;
        case OPT_EPOCHS:
            slot = &o->epochs;
            break;
        case OPT_BATCH:
            slot = &o->batch;
            break;
        case OPT_OPT:
            slot = &o->opt;
            break;
        case OPT_LR:
            slot = &o->lr;
            break;
        case OPT_MOMENTUM:
            slot = &o->momentum;
            break;
        case OPT_DECAY:
            slot = &o->decay;
            break;
        case OPT_VAL:
            slot = &o->val;
            break;
        case OPT_PATIENCE:
            slot = &o->patience;
            break;
        case OPT_DATA:
            slot = &o->data;
            break;
        case OPT_MAX:
            slot = &o->max;
            break;
        case OPT_SEED:
            slot = &o->seed;
            break;
        case 'j':
            slot = &o->threads;
            break;
        case OPT_FORCE:
            o->force = 1;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            fputs(train_usage, stdout);
            return cli_close_stdout("train") ? -2 : -1;
        default:
            bad = cli_bad_option("train", c, argv);
            break;
        }
        if (slot != NULL)
            *slot = optarg;
    }
    if (optind < argc)
        o->input = argv[optind++];
    return cli_no_operands("train", argc, argv, bad);
}

/* Checks before training that the net can be written, and not over the samples file. */
static int
check_output(const char *input, const char *output, int force)
{
    if (cli_same_file(input, output)) {
        cli_error("train", "%s: is the samples file; write the net to another file", output);
        return -1;
    }
    return cli_check_output("train", output, "the net file", force);
}

/* The progress of a run: what the epoch lines and the stop signals need. */
struct train_run {
    const struct train_args *o;
    const invnet_fit_params *fp;
    struct sigaction old_int, old_term;
    double tstart, t0, te; /* before the read, before the first epoch, before this epoch */
    int caught;            /* the stop signals are ours */
};

/* The line before the first epoch: the split, the net, the settings, the read time. */
static void
print_header(const struct train_run *r, const invnet_fit_info *info)
{
    const invnet_fit_params *fp = r->fp;
    char arch[64];
    size_t j;

    for (j = 0, arch[0] = '\0'; j < fp->n_hidden; j++)
        snprintf(arch + strlen(arch), sizeof arch - strlen(arch), "%s%zu", j ? "-" : "",
                 fp->hidden[j]);
    fprintf(stderr,
            "bpinv train: %s: %zu training + %zu validation samples, net %zu-%s-%zu (%s), "
            "%s, batch %zu, %d threads (read in %.1f s)\n",
            r->o->input, info->n_train, info->n_val, info->n_in, arch, info->n_out,
            invnet_activation_name(fp->act), invnet_optimizer_name(fp->train.opt), fp->train.batch,
            fp->train.nthreads, cli_now() - r->tstart);
}

/* invnet_fit's progress callback: the header, the stop signals, a line per epoch. */
static int
train_progress(const invnet_fit_info *info, const invnet_epoch *e, void *ud)
{
    struct train_run *r = ud;

    if (e == NULL) {
        if (!r->o->quiet)
            print_header(r, info);
        cli_catch_stop(&r->old_int, &r->old_term);
        r->caught = 1;
        r->t0 = cli_now();
    } else if (!r->o->quiet) {
        fprintf(stderr, "epoch %4zu  train %.6f  val %.6f%s  %9.0f samples/s  elapsed %.1f s\n",
                e->epoch, e->train_loss, e->val_loss, e->improved ? " *" : "  ",
                (double)info->n_train / (cli_now() - r->te), cli_now() - r->t0);
    }
    r->te = cli_now();
    return cli_stop_signal != 0;
}

/* The lines after training: the best epoch, the RMSE, and the hint when still improving. */
static void
print_summary(const struct train_run *r, const invnet_file *nf, const invnet_fit_info *info)
{
    size_t nl = nf->samples.prior.n_layers, j;
    const char *on = info->n_val > 0 ? "validation" : "training";

    fprintf(stderr,
            "bpinv train: %s: best epoch %zu of %zu (val loss %.6f), %.1f s; %s RMSE "
            "in log10:",
            r->o->output, nf->best_epoch, nf->n_epochs, info->best_val_loss, nf->train_seconds, on);
    for (j = 0; j < info->n_out; j++)
        fprintf(stderr, " %s%zu %.3f", j < nl ? "rho" : "h", j < nl ? j + 1 : j - nl + 1,
                nf->val_rmse[j]);
    fputc('\n', stderr);
    /* stopped by --epochs (not --patience, not a signal) on a new best */
    if (!cli_stop_signal && nf->n_epochs == r->fp->train.epochs && info->last.improved &&
        nf->n_epochs > 1)
        fprintf(stderr,
                "bpinv train: %s: the %s loss was still falling at the last epoch: more "
                "--epochs may give a better net\n",
                r->o->output, on);
}

/* Reads the samples under the crash guard, trains, saves; the exit status. */
static int
train_run(const struct train_args *o, const invnet_fit_params *fp)
{
    struct train_run r;
    invnet_dataset *d;
    invnet_file *nf = NULL;
    invnet_fit_info info;
    fwd_error err;
    int rc = CLI_FAIL;

    memset(&r, 0, sizeof r);
    r.o = o;
    r.fp = fp;
    /* the header within the time limit; then the rows, which may take long: no limit */
    if (cli_read_header_timed("train", o->input) != 0)
        return CLI_FAIL;
    cli_blas_serial();
    r.tstart = cli_now();
    d = invnet_dataset_load(o->input, fp->noisy, fp->max_samples, &err);
    cli_read_unguard();
    if (d == NULL) {
        cli_lib_error("train", &err);
        return CLI_FAIL;
    }
    if (invnet_fit_dataset(o->input, d, fp, train_progress, &r, &nf, &info, &err) != FWD_OK) {
        cli_lib_error("train", &err);
        goto done;
    }
    if (r.caught) {
        cli_restore_stop(&r.old_int, &r.old_term);
        r.caught = 0;
    }
    if (invnet_file_save(o->output, nf, o->force, &err) != FWD_OK) {
        cli_lib_error("train", &err); /* adds the --force hint to FWD_EEXIST */
        goto done;
    }
    if (!o->quiet)
        print_summary(&r, nf, &info);
    if (cli_stop_signal) {
        cli_error("train",
                  "interrupted after epoch %zu: saved the best net so far (epoch %zu) to %s",
                  nf->n_epochs, nf->best_epoch, o->output);
        rc = 128 + (int)cli_stop_signal;
    } else {
        rc = CLI_OK;
    }
done:
    if (r.caught)
        cli_restore_stop(&r.old_int, &r.old_term);
    invnet_file_free(nf);
    invnet_dataset_free(d);
    return rc;
}

int
cmd_train(int argc, char **argv)
{
    struct train_args o;
    invnet_fit_params fp = invnet_fit_default();
    long max = 0;
    int rc;

    memset(&o, 0, sizeof o);
    fp.train.nthreads = omp_get_num_procs();
    fp.version = BPINV_VERSION;
    rc = parse_options(argc, argv, &o);
    if (rc == -1 || rc == -2)
        return rc == -1 ? CLI_OK : CLI_FAIL;
    if (rc || check_args(&o, &fp.train, fp.hidden, &fp.n_hidden, &fp.act, &fp.val, &max, &fp.noisy))
        return CLI_USAGE;
    fp.max_samples = (size_t)max;
    /* refuse at once, not after an hour of training */
    if (check_output(o.input, o.output, o.force) != 0)
        return CLI_FAIL;
    return train_run(&o, &fp);
}
