/* SPDX-License-Identifier: MIT */
/*
 * cmd_train.c - `bpinv train`: a BP network trained on a samples file, saved as a net file.
 */
#include <limits.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include <omp.h>

#include "forward/base/fwd_io.h"
#include "forward/base/fwd_rng.h"
#include "invnet/invnet_ckpt.h"
#include "invnet/invnet_data.h"
#include "invnet/invnet_fit.h"
#include "invnet/invnet_file.h"
#include "invnet/invnet_stats.h"
#include "invnet/invnet_train.h"
#include "samples/smp_h5.h"
#include "tools/cli.h"
#include "tools/cli_opt.h"
#include "tools/cli_par.h"

struct train_args {
    const char *input, *output, *hidden, *act, *opt, *data, *init;
    char **inputs; /* the samples files, one net each: input is the one in training */
    size_t n_inputs;
    long epochs, batch, patience, max, seed, threads, data_epochs;
    double lr, momentum, decay, huber, average, val, min_span, max_missing, param_weight, data_lr;
    double checkpoint; /* seconds between checkpoints; 0: none */
    int force, quiet, resume;
    int given_span, given_missing; /* --min-span, --max-missing given (else --init's) */
    char ckpt[4200];               /* NET.h5.ckpt */
    invnet_fit_params fp;          /* made by the checks */
};

#define ARG(m) offsetof(struct train_args, m)

static int
check_input(const cli_parse *p, void *args)
{
    struct train_args *o = args;

    if (p->first >= p->argc) {
        cli_error("train", "expected a samples file; try 'bpinv train --help'");
        return CLI_USAGE;
    }
    o->inputs = p->argv + p->first;
    o->n_inputs = (size_t)(p->argc - p->first);
    o->input = o->inputs[0];
    return 0;
}

/* "64" or "64,32" into the hidden layers. */
static int
check_hidden(const cli_parse *p, void *args)
{
    struct train_args *o = args;
    const char *s = o->hidden, *at = s;
    char *end;
    long v;

    (void)p;
    if (s == NULL)
        return 0;
    for (o->fp.n_hidden = 0;; at = end + 1) {
        v = strtol(at, &end, 10);
        if (end == at || v < 1 || v > INVNET_MAX_UNITS || o->fp.n_hidden == INVNET_MAX_HIDDEN ||
            (*end != ',' && *end != '\0')) {
            cli_error("train",
                      "--hidden: expected 1 to %d comma-separated unit counts of 1 to %d, got "
                      "\"%s\"",
                      INVNET_MAX_HIDDEN, INVNET_MAX_UNITS, s);
            return CLI_USAGE;
        }
        o->fp.hidden[o->fp.n_hidden++] = (size_t)v;
        if (*end == '\0')
            return 0;
    }
}

static int
check_activation(const cli_parse *p, void *args)
{
    struct train_args *o = args;
    fwd_error err;

    (void)p;
    if (o->act == NULL || invnet_activation_parse(o->act, &o->fp.act, &err) == FWD_OK)
        return 0;
    cli_error("train", "--activation: expected tanh or sigmoid, got \"%s\"", o->act);
    return CLI_USAGE;
}

static int
check_optimizer(const cli_parse *p, void *args)
{
    struct train_args *o = args;
    fwd_error err;

    (void)p;
    if (o->opt == NULL || invnet_optimizer_parse(o->opt, &o->fp.train.opt, &err) == FWD_OK)
        return 0;
    cli_error("train", "--optimizer: expected adam or sgd, got \"%s\"", o->opt);
    return CLI_USAGE;
}

/* --data, then the numbers into the training parameters (--lr only when given: its default
 * is the optimizer's). */
static int
check_params(const cli_parse *p, void *args)
{
    struct train_args *o = args;
    invnet_train_params *t = &o->fp.train;

    if (o->data != NULL && strcmp(o->data, "noisy") != 0 && strcmp(o->data, "clean") != 0) {
        cli_error("train", "--data: expected noisy or clean, got \"%s\"", o->data);
        return CLI_USAGE;
    }
    o->fp.noisy = o->data == NULL || strcmp(o->data, "noisy") == 0;
    /* options that would change nothing: refused (they were ignored in silence) */
    if (cli_opt_given(p, "momentum") == 1 && t->opt != INVNET_SGD) {
        cli_error("train", "--momentum: SGD's momentum: expected with --optimizer sgd (adam "
                           "keeps moments of its own)");
        return CLI_USAGE;
    }
    if (o->data_epochs == 0 &&
        (cli_opt_given(p, "param-weight") == 1 || cli_opt_given(p, "data-lr") == 1)) {
        cli_error("train", "--%s: a setting of the data stage: expected with --data-epochs E > 0",
                  cli_opt_given(p, "param-weight") == 1 ? "param-weight" : "data-lr");
        return CLI_USAGE;
    }
    if (cli_opt_given(p, "lr") == 1)
        t->lr = o->lr;
    t->epochs = (size_t)o->epochs;
    t->batch = (size_t)o->batch;
    t->patience = (size_t)o->patience;
    t->momentum = o->momentum;
    t->lr_decay = o->decay;
    t->huber = o->huber;
    t->average = o->average;
    t->seed = (uint64_t)o->seed;
    t->nthreads = (int)o->threads;
    o->fp.val = o->val;
    o->fp.max_samples = (size_t)o->max;
    o->fp.masked = 1;
    o->fp.mask.min_span = o->min_span;
    o->fp.mask.max_missing = o->max_missing;
    o->fp.data_epochs = (size_t)o->data_epochs;
    o->fp.param_weight = o->param_weight;
    if (cli_opt_given(p, "data-lr") == 1)
        o->fp.data_lr = o->data_lr;
    o->given_span = cli_opt_given(p, "min-span") == 1;
    o->given_missing = cli_opt_given(p, "max-missing") == 1;
    return 0;
}

/* --init needs validation rows (-o the --init file is refused by check_output). */
static int
check_init_opt(const cli_parse *p, void *args)
{
    struct train_args *o = args;

    (void)p;
    if (o->init == NULL)
        return 0;
    if (o->val == 0) {
        cli_error("train", "--init with --val 0: a warm start needs validation rows (--val > 0): "
                           "the net it starts from is kept unless an epoch validates better");
        return CLI_USAGE;
    }
    return 0;
}

static const cli_opt train_opts[] = {
    CLI_CHECK(check_input),
    CLI_STRING("output", 'o', "PATH", ARG(output), "expected the net file to write",
               "the net file to write (required); written to a temporary\n"
               "name and renamed, so PATH is never half-written"),
    CLI_STRING("hidden", 0, "H[,H..]", ARG(hidden), NULL,
               "hidden units per hidden layer, 1 to 4 layers [64]"),
    CLI_CHECK(check_hidden),
    CLI_STRING("activation", 0, "F", ARG(act), NULL, "tanh or sigmoid hidden units [tanh]"),
    CLI_CHECK(check_activation),
    CLI_LONG("epochs", 0, "E", ARG(epochs), 1, 100000000, NULL,
             "at most E passes over the training rows [200]"),
    CLI_LONG("batch", 0, "B", ARG(batch), 1, 1000000, NULL, "rows per minibatch [256]"),
    CLI_STRING("optimizer", 0, "O", ARG(opt), NULL, "adam or sgd (with momentum) [adam]"),
    CLI_CHECK(check_optimizer),
    CLI_REAL("lr", 0, "LR", ARG(lr), 1e-12, 10, "learning rate [1e-3 for adam, 1e-2 for sgd]"),
    CLI_REAL("momentum", 0, "M", ARG(momentum), 0, 0.999999, "SGD momentum, 0 <= M < 1 [0.9]"),
    CLI_REAL("lr-decay", 0, "D", ARG(decay), 1e-6, 1,
             "learning rate multiplied by D after each epoch, 0 < D <= 1 [1]"),
    CLI_REAL("huber", 0, "H", ARG(huber), 0, INVNET_TRAIN_HUBER_MAX,
             "the parameters' loss: squared within H standard deviations\n"
             "of each, linear beyond (Huber's); 0: squared error [0.1]"),
    CLI_REAL("average", 0, "A", ARG(average), 0, INVNET_TRAIN_AVERAGE_MAX,
             "validate and keep a moving average of the weights: after each\n"
             "step, A x the average + (1 - A) x the new weights; 0: the\n"
             "weights themselves [0.999]"),
    CLI_REAL("val", 0, "FRAC", ARG(val), 0, 0.9,
             "fraction of rows (the last ones) kept for validation [0.1]"),
    CLI_LONG("patience", 0, "P", ARG(patience), 0, 100000000, NULL,
             "stop after P epochs without a better validation loss and keep\n"
             "the best weights (the data stage halves its rate first);\n"
             "0 never stops early [20]"),
    CLI_REAL("min-span", 0, "DECADES", ARG(min_span), 0.01, 20,
             "the narrowest part of the span the net inverts; the samples'\n"
             "whole span: a net for soundings of all its points only [1]"),
    CLI_REAL("max-missing", 0, "FRAC", ARG(max_missing), 0, 0.9,
             "the most points a sounding may lack inside its span [0.3]"),
    CLI_LONG("data-epochs", 0, "E", ARG(data_epochs), 0, 100000000, NULL,
             "then up to E epochs on the data misfit of the net's own\n"
             "models (the forward model in the loop); 0: none [0]"),
    CLI_REAL("param-weight", 0, "W", ARG(param_weight), 0, 1e6,
             "the parameters' error's weight beside the misfit then [1]"),
    CLI_REAL("data-lr", 0, "LR", ARG(data_lr), 1e-12, 10,
             "the data stage's learning rate, halved after P/2 (rounded up)\n"
             "epochs without a better validation loss, 3 times at most\n"
             "[the --lr]"),
    CLI_STRING("data", 0, "noisy|clean", ARG(data), NULL,
               "which data of the samples file to train on [noisy]"),
    CLI_LONG("max-samples", 0, "N", ARG(max), 2, LONG_MAX, NULL,
             "train on the first N complete samples only [all]"),
    CLI_LONG("seed", 0, "S", ARG(seed), 0, LONG_MAX, NULL,
             "initial weights and shuffling, an integer >= 0 [42]"),
    CLI_LONG("threads", 'j', "T", ARG(threads), 1, 1024, NULL,
             "OpenMP threads; the net is the same for any T [all cores]"),
    CLI_CHECK(check_params),
    CLI_REAL("checkpoint", 0, "S", ARG(checkpoint), 0, 1e9,
             "every S seconds of training, and when stopped, write\n"
             "NET.h5.ckpt, from which --resume continues a run that was\n"
             "killed or stopped; removed once NET.h5 is written; 0: none [60]"),
    CLI_STRING("init", 0, "NET0.h5", ARG(init), NULL,
               "start from this trained net (a warm start): its weights and\n"
               "normalisation, and unless given its --hidden, --activation,\n"
               "--min-span and --max-missing; of a set, the net of each\n"
               "samples file's layer count. Kept unless an epoch validates\n"
               "better; -o another file [none: weights from --seed]"),
    CLI_CHECK(check_init_opt),
    CLI_FLAG("resume", 0, ARG(resume),
             "continue the training in NET.h5.ckpt (the same samples files\n"
             "and options) to the net an uninterrupted run makes; without\n"
             "one, train from the start"),
    CLI_FLAG("force", 0, ARG(force),
             "replace NET.h5 if it exists; without --resume, start\n"
             "afresh over a NET.h5.ckpt (which the run's own replace)"),
    CLI_FLAG("quiet", 'q', ARG(quiet),
             "nothing on stderr but errors (no header, epoch or summary\n"
             "lines)"),
    CLI_HELP,
};

const cli_cmd train_cmd = {
    "train",
    "usage: bpinv train SAMPLES.h5 [SAMPLES.h5 ...] -o NET.h5 [options]\n"
    "\n"
    "Trains a backpropagation network with the samples' data as input and their models\n"
    "(log10 resistivities and thicknesses) as output, and writes it with everything\n"
    "'bpinv invert' needs: weights, normalisation, geometry, prior, training envelope.\n"
    "Several samples files of one survey (same method, geometry and noise; one per layer\n"
    "count) make one file of several nets, the same options for each: 'bpinv invert'\n"
    "then chooses the layer count of each sounding.\n"
    "\n",
    "\n"
    "Each epoch prints: epoch, training and validation loss (the mean Huber loss, or\n"
    "squared error with --huber 0, of the standardised outputs), samples/s and elapsed\n"
    "time; '*' marks a new best. At the end: the best epoch, and the validation RMSE of each\n"
    "parameter in log10 units; when training ran all its epochs, the last a new best, and\n"
    "the loss fell by 1 % or more in the last --patience of them (of the data stage, when\n"
    "there is one), a line advises more --epochs.\n"
    "Ctrl-C (SIGINT), SIGTERM or SIGUSR1 (mpirun forwards it at once) stop after the minibatch\n"
    "in flight and save the best net of the epochs that ended (exit status 130, 143 or 138;\n"
    "none ended: nothing is saved) and NET.h5.ckpt; a second stop signal ends the run at\n"
    "once. The same command with --resume continues a run stopped or killed (a time limit,\n"
    "kill -9) from NET.h5.ckpt, to the same net.\n"
    "\n"
    "example: bpinv train train.h5 -o net.h5 --hidden 64 --epochs 100\n",
    train_opts,
    sizeof train_opts / sizeof train_opts[0],
    24,
    INVNET_SET_MAX,
    0};

/* The checkpoint a --resume continues, read by every rank (NULL without --resume). */
static invnet_ckpt *resume_from;

/* The nets of --init, read by every rank (NULL without it). */
static invnet_set *init_from;

static int is_checkpoint(const char *path);

/* Reads --init's net file on every rank; the options it stands for that were not given:
 * its hidden layers, activation and masks (of its first net). 0, or -1 said. */
static int
load_init(struct train_args *o, int given_hidden, int given_act)
{
    const invnet_file *f;
    fwd_error err;
    unsigned long first_bad;
    uint64_t h;
    size_t k;
    int read, some;

    read = cli_read_guard("train", o->init, 1) == 0;
    init_from = read ? invnet_set_load(o->init, &err) : NULL;
    if (read)
        cli_read_unguard();
    /* every rank reads it (a disk of its node's own may not have it): the first that cannot
     * says why */
    first_bad = cli_par_first(init_from == NULL);
    /* some rank has it: a missing one is a copy not staged */
    some = cli_par_max(init_from != NULL) != 0;
    if (first_bad < (unsigned long)cli_par_size()) {
        int absent = access(o->init, F_OK) != 0;

        if ((unsigned long)cli_par_rank() != first_bad || !read)
            ;
        else if (first_bad > 0 || (absent && some))
            cli_error("train", "process %lu of mpirun: %s%s", first_bad, err.msg,
                      absent ? " (--init: the net must be where every process reads it)" : "");
        else if (is_checkpoint(o->init))
            cli_error("train",
                      "%s: a training checkpoint, not a net: --resume continues its training; "
                      "--init takes a net file (the NET.h5 a stop saved beside it)",
                      o->init);
        else {
            fwd_error_append(&err, " (--init: a net file bpinv train wrote)");
            cli_lib_error("train", &err);
        }
        return -1;
    }
    /* the same net on every rank (copies on the nodes' own disks): else their steps differ */
    for (k = 0, h = FWD_HASH_START; k < init_from->n; k++) {
        uint64_t one = invnet_fit_init_hash(init_from->net[k]->net);

        h = fwd_hash(h, &one, sizeof one);
    }
    if (cli_par_differ((unsigned long)h)) {
        cli_error_agreed("train",
                         "%s: the %d processes of mpirun read different nets by that name: give "
                         "every one the same file",
                         o->init, cli_par_size());
        return -1;
    }
    f = init_from->net[0];
    if (!given_hidden) {
        o->fp.n_hidden = invnet_net_depth(f->net) - 1;
        for (k = 0; k < o->fp.n_hidden; k++)
            o->fp.hidden[k] = invnet_net_units(f->net, k + 1);
    }
    if (!given_act)
        o->fp.act = invnet_net_activation(f->net);
    if (f->masked) { /* its windows, unless given */
        double span = o->fp.mask.min_span, missing = o->fp.mask.max_missing;

        o->fp.mask = f->mask;
        o->fp.mask.min_span = o->given_span ? span : f->mask.min_span;
        o->fp.mask.max_missing = o->given_missing ? missing : f->mask.max_missing;
    } else if (!o->given_span) { /* a net of its whole span: one again */
        o->fp.mask.min_span = 20;
    }
    return 0;
}

/* The option that sets what an --init check found different (err->field), into err. */
static void
init_hint(fwd_error *err)
{
    static const char *const opt[][2] = {
        {"method", "the samples file or --init"},
        {"layers", "the samples file or --init"},
        {"geometry", "the samples file or --init"},
        {"masked", "--min-span"},
        {"hidden", "--hidden"},
        {"activation", "--activation"},
        {"val", "--val"},
    };
    size_t k;

    for (k = 0; k < sizeof opt / sizeof opt[0]; k++)
        if (strcmp(err->field, opt[k][0]) == 0) {
            fwd_error_append(err, " (%s)", opt[k][1]);
            return;
        }
}

/*
 * A samples file of the start's seed, method and prior holds its earths, row for row (the
 * streams are the seed's and the row's, whatever the count or the noise): validation rows
 * among the start's training rows (a smaller -n, another --val or --max-samples) make its
 * loss, and the new net's, read low. Said in a note.
 */
static void
note_seen_rows(const struct train_args *o, const char *path, const smp_header *h,
               const invnet_file *start)
{
    const smp_prior *a = &start->samples.prior, *b = &h->prior;
    size_t rows = (size_t)h->n_complete, n_val, j;

    if (start->samples.seed != h->seed || start->samples.method != h->method ||
        a->n_layers != b->n_layers)
        return;
    for (j = 0; j < a->n_layers; j++)
        if (a->rho_min[j] != b->rho_min[j] || a->rho_max[j] != b->rho_max[j] ||
            (j + 1 < a->n_layers &&
             (a->thick_min[j] != b->thick_min[j] || a->thick_max[j] != b->thick_max[j])))
            return;
    if (o->fp.max_samples > 0 && o->fp.max_samples < rows)
        rows = o->fp.max_samples;
    n_val = invnet_n_val(rows, o->fp.val);
    if (n_val == 0 || rows - n_val >= start->n_train)
        return;
    fprintf(stderr,
            "bpinv train: note: %s: its validation rows (%zu to %zu) are earths %s was trained "
            "on (its samples of the same seed %llu and prior, rows 0 to %llu): their loss reads "
            "low, the start's and the new net's; samples of another --seed make new earths\n",
            path, rows - n_val, rows - 1, o->init, (unsigned long long)h->seed,
            (unsigned long long)start->n_train - 1);
}

/* --max-missing, a setting of the nets of any part of their span, with a net of the whole
 * span of samples file k (geometry g): refused, as other options that would change
 * nothing. 0, or -1 said. */
static int
check_missing(const struct train_args *o, size_t k, const fwd_geom *g)
{
    double span = invnet_fit_span(g);

    if (!o->given_missing || invnet_fit_masked(&o->fp, g))
        return 0;
    if (init_from != NULL && !o->given_span)
        cli_error("train",
                  "--max-missing: %s (--init) is a net of its whole span, and so is the net "
                  "trained from it: it inverts soundings of all its points, none missing; "
                  "expected no --max-missing",
                  o->init);
    else
        cli_error("train",
                  "--max-missing: %s spans %.3g decades, and --min-span %g%s makes a net of its "
                  "whole span, which inverts soundings of all its points, none missing; "
                  "expected a --min-span below %.3g, or no --max-missing",
                  o->inputs[k], span, o->fp.mask.min_span, o->given_span ? "" : " (the default)",
                  span);
    return -1;
}

/* Before any training (rank 0; the others are told): --init holds a net for each samples
 * file that can start its training; --max-missing is of a net of any part of its span.
 * 0, -1 said, or -2 said (an option that would change nothing: a usage error). */
static int
check_init(const struct train_args *o)
{
    size_t k, j;

    for (k = 0; k < o->n_inputs && (init_from != NULL || o->given_missing); k++) {
        invnet_fit_params q = o->fp;
        smp_header h;
        fwd_geom *g = NULL;
        fwd_error err;
        char have[96] = "";
        int rc;

        if (cli_read_header_timed("train", o->inputs[k]) != 0)
            return -1;
        rc = smp_file_read_header(o->inputs[k], &h, &g, &err);
        cli_read_unguard();
        if (rc != FWD_OK) {
            cli_lib_error("train", &err);
            return -1;
        }
        if (check_missing(o, k, g) != 0) {
            fwd_geom_free(g);
            return -2;
        }
        if (init_from == NULL) {
            fwd_geom_free(g);
            continue;
        }
        q.init = invnet_set_find(init_from, h.prior.n_layers);
        q.init_name = o->init;
        if (q.init == NULL) {
            for (j = 0; j < init_from->n; j++)
                snprintf(have + strlen(have), sizeof have - strlen(have), "%s%zu", j ? ", " : "",
                         init_from->net[j]->samples.prior.n_layers);
            cli_error("train",
                      "%s: no net of %zu layers, for %s (its net%s: %s layers): --init a net "
                      "file holding one",
                      o->init, h.prior.n_layers, o->inputs[k], init_from->n == 1 ? "" : "s", have);
            fwd_geom_free(g);
            return -1;
        }
        rc = invnet_fit_init_check(&q, o->inputs[k], &h, g, &err);
        fwd_geom_free(g);
        if (rc != FWD_OK) {
            init_hint(&err);
            cli_lib_error("train", &err);
            return -1;
        }
        if (!o->quiet)
            note_seen_rows(o, o->inputs[k], &h, q.init);
    }
    return 0;
}

/* Whether NET.h5, there already, is what the interrupted run saved when it was stopped:
 * each of its nets one of the checkpoint's (the nets made and the one in training), of the
 * same training. */
static int
the_runs_net(const char *path, const invnet_ckpt *c)
{
    invnet_set *s;
    fwd_error err;
    int same;

    if (cli_read_guard("train", path, 1) != 0)
        return 0;
    s = invnet_set_load(path, &err);
    cli_read_unguard();
    if (s == NULL)
        return 0;
    same = invnet_ckpt_saved(c, s);
    invnet_set_free(s);
    return same;
}

/* A file at NET.h5.ckpt that is no checkpoint: never touched, --force or not. */
static void
say_not_checkpoint(const struct train_args *o)
{
    cli_error("train",
              "%s: exists and is not (or cannot be read as) a bpinv training checkpoint, which "
              "train writes there: move it, or write the net under another name (-o)",
              o->ckpt);
}

/* Whether the file at path is a bpinv training checkpoint (by its format attribute). */
static int
is_checkpoint(const char *path)
{
    char fmt[64];
    fwd_error err;
    int yes;

    if (cli_read_guard("train", path, 1) != 0)
        return 0;
    yes = smp_h5_file_format(path, fmt, sizeof fmt, &err) == FWD_OK &&
          strcmp(fmt, INVNET_CKPT_FORMAT) == 0;
    cli_read_unguard();
    return yes;
}

/* Whether this command's samples file k is the one the checkpoint's net f was trained on:
 * its method, layer count, seed and noise (its rows are compared when the training goes on;
 * a copy on another disk, or another path to it, will do). 0, or -1 said. */
static int
same_samples_file(const struct train_args *o, size_t k, const invnet_file *f)
{
    const smp_header *a = &f->samples;
    smp_header h;
    fwd_geom *g = NULL;
    fwd_error err;
    int rc = -1;

    if (k >= o->n_inputs) {
        cli_error_agreed("train",
                         "%s: its samples file %zu was %s; this command gives %zu: resume with "
                         "the samples files the training began with, in their order",
                         o->ckpt, k + 1, f->samples_path, o->n_inputs);
        return -1;
    }
    if (cli_read_header_timed("train", o->inputs[k]) != 0)
        return -1;
    if (smp_file_read_header(o->inputs[k], &h, &g, &err) != FWD_OK) {
        cli_read_unguard();
        cli_lib_error("train", &err);
        return -1;
    }
    cli_read_unguard();
    if (h.method == a->method && h.prior.n_layers == a->prior.n_layers && h.seed == a->seed &&
        h.noise == a->noise)
        rc = 0;
    else
        cli_error_agreed("train",
                         "%s: its samples file %zu was %s (%s, %zu layers, seed %llu, noise %g); "
                         "this command's %s is another (%s, %zu layers, seed %llu, noise %g): "
                         "resume with the samples files the training began with, in their order",
                         o->ckpt, k + 1, f->samples_path, fwd_method_name(a->method),
                         a->prior.n_layers, (unsigned long long)a->seed, a->noise, o->inputs[k],
                         fwd_method_name(h.method), h.prior.n_layers, (unsigned long long)h.seed,
                         h.noise);
    fwd_geom_free(g);
    return rc;
}

/* The checkpoint of --resume, read (on every rank) and checked against the samples files
 * given: the nets it has made and the one in training are of the first ones, in order.
 * Without a checkpoint, --resume trains from the start (o->resume 0). */
static int
load_resume(struct train_args *o)
{
    fwd_error err;
    size_t k, n;
    int have = cli_par_rank() == 0 && access(o->ckpt, F_OK) == 0;
    unsigned long first_bad;

    /* none (the first submission of a job that always says --resume, or a kill before the
     * first checkpoint): from the start, unless a net is there */
    cli_par_bcast(&have, sizeof have);
    if (!have) {
        if (access(o->output, F_OK) == 0 && !o->force) {
            cli_error_agreed("train",
                             "%s: exists, and there is no checkpoint %s to resume: its training "
                             "ended (or it is another net); --force trains afresh over it",
                             o->output, o->ckpt);
            return -1;
        }
        if (cli_par_rank() == 0 && !o->quiet)
            fprintf(stderr,
                    "bpinv train: note: no checkpoint %s to resume: training from the "
                    "start\n",
                    o->ckpt);
        o->resume = 0;
        return 0;
    }
    if (cli_read_guard("train", o->ckpt, 1) != 0)
        return -1;
    resume_from = invnet_ckpt_load(o->ckpt, &err);
    cli_read_unguard();
    /* every rank reads it (a disk of its node's own may not have it): the first that cannot
     * says why */
    first_bad = cli_par_first(resume_from == NULL);
    if (first_bad < (unsigned long)cli_par_size()) {
        if ((unsigned long)cli_par_rank() != first_bad)
            ;
        else if (first_bad > 0)
            cli_error("train", "process %lu of mpirun: %s", first_bad,
                      access(o->ckpt, F_OK) != 0 ? "no such file: the checkpoint must be where "
                                                   "every process reads it"
                                                 : err.msg);
        else if (!is_checkpoint(o->ckpt))
            say_not_checkpoint(o);
        else {
            fwd_error_append(&err, " (damaged: without --resume, --force trains afresh)");
            cli_lib_error("train", &err);
        }
        return -1;
    }
    if (cli_par_rank() == 0 && !o->quiet &&
        strcmp(resume_from->training->bpinv_version, BPINV_VERSION) != 0)
        fprintf(stderr,
                "bpinv train: note: %s was written by bpinv %s, this is %s: the net may differ "
                "in its last bits from an uninterrupted run of either\n",
                o->ckpt, resume_from->training->bpinv_version, BPINV_VERSION);
    n = resume_from->n_done + 1;
    for (k = 0; k < n; k++) /* the samples files, by what they are (a copy elsewhere will do) */
        if (same_samples_file(
                o, k, k < resume_from->n_done ? resume_from->done[k] : resume_from->training) != 0)
            return -1;
    return 0;
}

/* Checks before training that the net can be written, and not over a samples file; that a
 * checkpoint is continued (--resume) or replaced only when asked. */
static int
check_output(const struct train_args *o)
{
    size_t k;

    for (k = 0; k < o->n_inputs; k++)
        if (cli_same_file(o->inputs[k], o->output)) {
            cli_error("train", "%s: is the samples file; write the net to another file", o->output);
            return -1;
        }
    if (o->init != NULL && cli_same_file(o->init, o->output)) {
        cli_error("train",
                  "%s: is the --init net: a stop would save the best net so far over it, and "
                  "--resume needs the net the training began from; write the net to another "
                  "file (-o)",
                  o->output);
        return -1;
    }
    if (access(o->ckpt, F_OK) == 0 && !is_checkpoint(o->ckpt)) {
        say_not_checkpoint(o);
        return -1;
    }
    if (!o->resume && !o->force && access(o->ckpt, F_OK) == 0) {
        cli_error("train",
                  "%s: the checkpoint of an interrupted training of %s: continue it with "
                  "--resume (and the options it began with), or start afresh with --force",
                  o->ckpt, o->output);
        return -1;
    }
    if (o->resume && !o->force && access(o->output, F_OK) == 0 &&
        !the_runs_net(o->output, resume_from)) {
        cli_error("train",
                  "%s: exists, and is not (or cannot be read as) the net the interrupted training "
                  "saved: use --force "
                  "to replace it, or another -o (and move %s with it)",
                  o->output, o->ckpt);
        return -1;
    }
    return cli_check_output("train", o->output, "the net file", o->force || o->resume);
}

/*
 * Several samples files make a set of nets, one per layer count: before any training, their
 * headers must agree on what a set shares (method, geometry, noise) and differ in the count.
 */
static int
check_set(const struct train_args *o)
{
    smp_header h[INVNET_SET_MAX];
    fwd_geom *g[INVNET_SET_MAX] = {NULL};
    fwd_error err;
    size_t k, j, i;
    int bad = 0;

    for (k = 0; k < o->n_inputs && o->n_inputs > 1 && !bad; k++) {
        if (cli_read_header_timed("train", o->inputs[k]) != 0) {
            bad = 1;
            break;
        }
        if (smp_file_read_header(o->inputs[k], &h[k], &g[k], &err) != FWD_OK) {
            cli_read_unguard();
            cli_lib_error("train", &err);
            bad = 1;
            break;
        }
        cli_read_unguard();
        for (j = 0; j < k && !bad; j++) {
            const char *why = NULL;

            if (h[j].prior.n_layers == h[k].prior.n_layers)
                why = "layer count";
            else if (h[j].method != h[k].method)
                why = "method";
            else if (h[j].noise != h[k].noise)
                why = "noise";
            else if (fwd_geom_size(g[j]) != fwd_geom_size(g[k]))
                why = "geometry";
            for (i = 0; why == NULL && i < fwd_geom_size(g[k]); i++)
                if (fwd_geom_x(g[j])[i] != fwd_geom_x(g[k])[i])
                    why = "geometry";
            if (why == NULL && !fwd_geom_equal(g[j], g[k])) /* the spacings alike */
                why = "geometry (MN/2)";
            if (why == NULL && strcmp(h[j].forward_filter, h[k].forward_filter) != 0)
                why = "forward filter";
            if (why == NULL)
                continue;
            cli_error("train",
                      "%s and %s: %s: the samples files of a set of nets must differ in their "
                      "layer count only (same method, geometry, forward filter and noise)%s",
                      o->inputs[j], o->inputs[k],
                      strcmp(why, "layer count") == 0 ? "the same layer count" : why,
                      strcmp(why, "layer count") == 0 ? "" : " and not be alike");
            bad = 1;
        }
    }
    /* priors that differ: a set's counts are compared by how well each fits within its own
     * prior, and a count whose prior cannot hold the earth loses whatever its layers (a
     * typo in one of several samples commands, --rho 1:30 for 1:10000, in silence) */
    for (k = 1; k < o->n_inputs && o->n_inputs > 1 && !bad && !o->quiet && cli_par_rank() == 0;
         k++) {
        double b[2][4];

        for (j = 0; j < 2; j++) {
            const smp_prior *pr = &h[j == 0 ? 0 : k].prior;

            b[j][0] = b[j][2] = INFINITY;
            b[j][1] = b[j][3] = 0;
            for (i = 0; i < pr->n_layers; i++) {
                b[j][0] = fmin(b[j][0], pr->rho_min[i]);
                b[j][1] = fmax(b[j][1], pr->rho_max[i]);
                if (i + 1 < pr->n_layers) {
                    b[j][2] = fmin(b[j][2], pr->thick_min[i]);
                    b[j][3] = fmax(b[j][3], pr->thick_max[i]);
                }
            }
        }
        if (b[0][0] != b[1][0] || b[0][1] != b[1][1] || b[0][2] != b[1][2] || b[0][3] != b[1][3])
            fprintf(stderr,
                    "bpinv train: note: %s and %s: the priors differ (rho %g-%g ohm-m, h %g-%g "
                    "m against rho %g-%g ohm-m, h %g-%g m): invert compares the layer counts "
                    "each within its own prior, and a count whose prior cannot hold the earth "
                    "loses whatever its layers\n",
                    o->inputs[0], o->inputs[k], b[0][0], b[0][1], b[0][2], b[0][3], b[1][0],
                    b[1][1], b[1][2], b[1][3]);
    }
    for (k = 0; k < o->n_inputs; k++)
        fwd_geom_free(g[k]);
    return bad ? -1 : 0;
}

/* A stop signal that every rank has heard of: each epoch's end asks them all (under
 * mpirun, SIGINT reaches the ranks one by one), so they all stop at the same epoch. */
static int stop_agreed;

/* The stop signals, caught from the first file's first epoch to the end of the run: a signal
 * while a later file is read stops before its first epoch and keeps the nets trained (the
 * first file's read may still be cut short by it, nothing being lost then). */
static struct sigaction stops_old_int, stops_old_term;
static int stops_caught;

/* The trainer's sum over the ranks of an MPI run. */
static void
sum_ranks(void *ud, double *v, size_t n)
{
    (void)ud;
    cli_par_sum(v, n);
}

/* The trainer's exchange of rows between the ranks, each holding its part of them. */
static void
swap_rows(void *ud, const double *send, const size_t *send_n, const size_t *send_at, double *recv,
          const size_t *recv_n, const size_t *recv_at)
{
    (void)ud;
    cli_par_exchange(send, send_n, send_at, recv, recv_n, recv_at);
}

/* The checkpoints a run writes (rank 0): every --checkpoint seconds, and at a stop. */
static struct {
    const struct train_args *o;
    invnet_file *const *done; /* the nets of the samples files before the one in training */
    size_t n_done;
    double last;  /* when the last was written (or the run began) */
    size_t epoch; /* its epoch; 0: none written by this run for this samples file */
    int any;      /* one written by this run */
    int warned;   /* a failed write said */
    /* a stop's checkpoint, written after the nets: its settings, stage, seconds and the
     * state of its last epoch (owned; NULL: none kept); its nets are the nets saved */
    invnet_ckpt kept;
    size_t kept_k; /* its samples file */
} ckw;

/* The progress of a run: what the epoch lines and the stop signals need. */
struct run_state {
    const struct train_args *o;
    const invnet_fit_params *fp;
    int paced;             /* the note of fewer threads said */
    double tstart, t0, te; /* before the read, before the first epoch, before this epoch */
    int stage;             /* the stage of the last epoch line: its first epoch, its start */
    size_t stage_first;
    double stage_t;
};

/* The line before the first epoch: the split, the net, the settings, the read time. */
static void
print_header(const struct run_state *r, const invnet_fit_info *info)
{
    const invnet_fit_params *fp = r->fp;
    char arch[64], ranks[48] = "";
    size_t j, weights = 0, prev = info->n_in;

    if (fp->ranks > 1)
        snprintf(ranks, sizeof ranks, " x %d processes", fp->ranks);
    for (j = 0, arch[0] = '\0'; j < fp->n_hidden; j++)
        snprintf(arch + strlen(arch), sizeof arch - strlen(arch), "%s%zu", j ? "-" : "",
                 fp->hidden[j]);
    fprintf(stderr,
            "bpinv train: %s: %zu training + %zu validation samples, net %zu-%s-%zu (%s), "
            "%s, batch %zu, %d threads%s (read in %.1f s)\n",
            r->o->input, info->n_train, info->n_val, info->n_in, arch, info->n_out,
            invnet_activation_name(fp->act), invnet_optimizer_name(fp->train.opt), fp->train.batch,
            fp->train.nthreads, ranks, cli_now() - r->tstart);
    for (j = 0; j <= fp->n_hidden; j++) { /* the weights and biases of each layer */
        size_t next = j < fp->n_hidden ? fp->hidden[j] : info->n_out;

        weights += (prev + 1) * next;
        prev = next;
    }
    if (info->n_train < weights)
        fprintf(stderr,
                "bpinv train: note: %zu training samples for %zu weights: the net can learn "
                "them by heart (its validation loss shows how far): more samples (bpinv samples "
                "-n) or a smaller --hidden\n",
                info->n_train, weights);
    if (fp->train.batch > info->n_train) /* a tester's --batch 1000000 for 18,000 rows */
        fprintf(stderr,
                "bpinv train: note: --batch %zu is more than the %zu training samples: one step "
                "an epoch, and training slow to learn (the default is 256)\n",
                fp->train.batch, info->n_train);
}

/* The time the stage of epoch e has left at its epochs' mean pace, "  ETA 3.2 min" into buf
 * (empty after its last epoch): all its epochs, so at most that with --patience; the data
 * stage that may follow is not in it. */
static void
stage_eta(struct run_state *r, const invnet_fit_info *info, const invnet_epoch *e, char *buf,
          size_t cap)
{
    size_t last, done;
    double left;

    if (info->stage != r->stage) { /* its first epoch: it began when the last one ended */
        r->stage = info->stage;
        r->stage_first = e->epoch;
        r->stage_t = r->te;
    }
    last = info->stage == 2 ? r->stage_first - 1 + r->fp->data_epochs : r->fp->train.epochs;
    done = e->epoch - r->stage_first + 1;
    buf[0] = '\0';
    if (e->epoch >= last || done == 0)
        return;
    left = (double)(last - e->epoch) * (cli_now() - r->stage_t) / (double)done;
    if (left < 120)
        snprintf(buf, cap, "  ETA %.0f s", left);
    else if (left < 7200)
        snprintf(buf, cap, "  ETA %.1f min", left / 60);
    else
        snprintf(buf, cap, "  ETA %.1f h", left / 3600);
}

/* invnet_fit's progress callback: the header, the stop signals, a line per epoch. */
static int
train_progress(const invnet_fit_info *info, const invnet_epoch *e, void *ud)
{
    struct run_state *r = ud;

    int quiet = r->o->quiet || cli_par_rank() != 0;

    if (e == NULL) {
        /* caught before the header says training starts (a test signals on seeing it) */
        if (!stops_caught)
            cli_catch_stop(&stops_old_int, &stops_old_term);
        stops_caught = 1;
        if (!quiet)
            print_header(r, info);
        if (!quiet && r->fp->init != NULL && r->fp->resume == NULL) {
            char which[48] = ""; /* of a set, the net of this layer count */

            if (init_from->n > 1)
                snprintf(which, sizeof which, " (its net of %zu layers)",
                         r->fp->init->samples.prior.n_layers);
            fprintf(stderr,
                    "bpinv train: starting from %s%s: its weights and normalisation, validation "
                    "loss %.6f on these rows; an epoch is kept only when it does better\n",
                    r->fp->init_name, which, info->best_val_loss);
        }
        if (!quiet && r->fp->resume != NULL)
            fprintf(stderr,
                    "bpinv train: resuming %s: %zu epoch%s run (%s), %.1f s of training so "
                    "far\n",
                    r->fp->resume_name, info->last.epoch, info->last.epoch == 1 ? "" : "s",
                    r->fp->resume->stage == 2 ? "in the data stage" : "in the first stage",
                    r->fp->resume->seconds);
        r->t0 = r->te = cli_now();
        if (r->fp->resume != NULL) /* elapsed: the runs' training time, as train_seconds */
            r->t0 -= r->fp->resume->seconds;
    } else if (!quiet) {
        if (e->halved)
            fprintf(stderr,
                    "data stage: learning rate halved to %g (no better validation loss "
                    "for half the patience)\n",
                    e->lr);
        if (e->threads > 0 && e->threads < r->fp->train.nthreads && !r->paced) {
            /* more threads than cores is the likelier cause (-j 64 on 2 cores was told
             * "other work is busy"); else other work, or steps too small to share (a tester
             * saw the note on an idle machine in 1 of 3 runs of a small net) */
            int cores = omp_get_num_procs();

            fprintf(stderr,
                    "bpinv train: note: epoch %zu: the steps run faster on %d thread%s than on "
                    "%d: %s; the net is the same\n",
                    e->epoch, e->threads, e->threads == 1 ? "" : "s", r->fp->train.nthreads,
                    r->fp->train.nthreads > cores
                        ? "more threads than the cores"
                        : "other work is busy on the cores, or the steps are too small to share");
            r->paced = 1;
        }
        char eta[48];

        stage_eta(r, info, e, eta, sizeof eta);
        if (ckw.epoch == e->epoch && ckw.any) /* written at this epoch's end */
            snprintf(eta + strlen(eta), sizeof eta - strlen(eta), "  checkpoint");
        if (info->n_val > 0)
            fprintf(stderr, "%s %4zu  train %.6f  val %.6f%s  %9.0f samples/s  elapsed %.1f s%s\n",
                    info->stage == 2 ? "data " : "epoch", e->epoch, e->train_loss, e->val_loss,
                    e->improved ? " *" : "  ", (double)info->n_train / (cli_now() - r->te),
                    cli_now() - r->t0, eta);
        else /* --val 0: the training loss is what the best is chosen by */
            fprintf(stderr,
                    "%s %4zu  train %.6f  val n/a     %s  %9.0f samples/s  elapsed %.1f s%s\n",
                    info->stage == 2 ? "data " : "epoch", e->epoch, e->train_loss,
                    e->improved ? " *" : "  ", (double)info->n_train / (cli_now() - r->te),
                    cli_now() - r->t0, eta);
    }
    r->te = cli_now();
    stop_agreed = cli_par_max(cli_stop_signal != 0) != 0;
    return stop_agreed;
}

/* The hint that more epochs may help: the loss fell by this fraction or more over the last
 * --patience epochs (HINT_EPOCHS when patience is 0). */
#define HINT_FALL   0.01
#define HINT_EPOCHS 20

/* The lines after training: the best epoch, the RMSE, and the hint when still improving. */
static void
print_summary(const struct run_state *r, const invnet_file *nf, const invnet_fit_info *info)
{
    size_t nl = nf->samples.prior.n_layers, j,
           k = r->fp->train.patience > 0 ? r->fp->train.patience : HINT_EPOCHS;
    const char *on = info->n_val > 0 ? "validation" : "training";
    char last[64];
    double fall;

    if (nf->best_epoch == 0 && nf->init_net[0] != '\0') /* a warm start none improved on */
        fprintf(stderr,
                "bpinv train: %s: no epoch of %zu validated better than %s (val loss %.6f): its "
                "weights are saved, with these samples' prior and envelope, %.1f s; %s RMSE in "
                "log10:",
                r->o->output, nf->n_epochs, nf->init_net, info->best_val_loss, nf->train_seconds,
                on);
    else
        fprintf(stderr,
                "bpinv train: %s: best epoch %zu of %zu (%s loss %.6f), %.1f s; %s RMSE "
                "in log10:",
                r->o->output, nf->best_epoch, nf->n_epochs, info->n_val > 0 ? "val" : "training",
                info->best_val_loss, nf->train_seconds, on);
    for (j = 0; j < info->n_out; j++)
        fprintf(stderr, " %s%zu %.3f", j < nl ? "rho" : "h", j < nl ? j + 1 : j - nl + 1,
                nf->val_rmse[j]);
    fputc('\n', stderr);
    /* stopped by --epochs or --data-epochs (not --patience, not a signal) on a new best,
     * with the loss still falling by HINT_FALL or more over the last patience epochs */
    if (!stop_agreed && info->last.improved && nf->n_epochs > 1 &&
        nf->n_epochs == (nf->data_epochs > 0 ? nf->data_first_epoch - 1 + nf->data_epochs
                                             : r->fp->train.epochs) &&
        (fall = invnet_file_late_fall(nf, &k)) >= HINT_FALL) {
        /* a warm start goes on from one net, of the parameters' loss, validated */
        int init = nf->data_epochs == 0 && info->n_val > 0;

        if (k == 1)
            snprintf(last, sizeof last, "the last epoch");
        else
            snprintf(last, sizeof last, "the last %zu epochs", k);
        fprintf(stderr,
                "bpinv train: %s: the %s loss fell %.1f %% in %s: more --%sepochs may give a "
                "better net%s%s%s\n",
                r->o->output, on, 100 * fall, last, nf->data_epochs > 0 ? "data-" : "",
                init ? " (--init " : "", init ? r->o->output : "",
                init ? " goes on from this one)" : "");
    }
    /* as bpinv samples --noise 0 notes: a net that knows no noise */
    if (!r->fp->noisy && nf->samples.noise > 0)
        fprintf(stderr,
                "bpinv train: note: %s: trained on the noise-free responses (--data clean): "
                "field soundings, which carry noise, come out data_outside_training_range; "
                "the samples' noise (%g) still sets invert's thresholds\n",
                r->o->output, nf->samples.noise);
}

/*
 * Under mpirun every rank reads its rows of the samples file: of the same file (a copy on
 * each node's disk must be the same). The ranks agree on a hash of its header (method,
 * prior, noise, seed, counts, the features and parameters a row has, the geometry's
 * points); a file that differs
 * on one rank is refused by rank 0, not left to fail inside MPI (MPI_ERR_TRUNCATE). 0, or
 * -1 on every rank.
 */
static int
same_samples(const char *path, const invnet_dataset *d)
{
    const smp_prior *p = &d->h.prior;
    double v[9 + 4 * FWD_MAX_LAYERS] = {0};
    uint64_t h;
    size_t k, n = 0;

    v[n++] = (double)d->h.method;
    v[n++] = d->h.noise;
    v[n++] = (double)d->h.seed;
    v[n++] = (double)d->h.n_requested;
    v[n++] = (double)d->h.n_complete;
    v[n++] = (double)d->rows;
    v[n++] = (double)d->n_in;
    v[n++] = (double)d->n_out;
    v[n++] = (double)p->n_layers;
    for (k = 0; k < p->n_layers && k < FWD_MAX_LAYERS; k++) { /* the prior's own entries */
        v[n++] = p->rho_min[k];
        v[n++] = p->rho_max[k];
        v[n++] = k + 1 < p->n_layers ? p->thick_min[k] : 0;
        v[n++] = k + 1 < p->n_layers ? p->thick_max[k] : 0;
    }
    h = fwd_hash(FWD_HASH_START, v, n * sizeof v[0]);
    /* and the geometry: its points, and MN/2 where given */
    h = fwd_hash(h, fwd_geom_x(d->geom), fwd_geom_size(d->geom) * sizeof(double));
    if (fwd_geom_mn2(d->geom) != NULL)
        h = fwd_hash(h, fwd_geom_mn2(d->geom), fwd_geom_size(d->geom) * sizeof(double));
    if (!cli_par_differ((unsigned long)h))
        return 0;
    cli_error_agreed("train",
                     "%s: the %d processes of mpirun read different files by that name (this "
                     "one: %llu samples, seed %llu): give every one the same file",
                     path, cli_par_size(), (unsigned long long)d->h.n_complete,
                     (unsigned long long)d->h.seed);
    return -1;
}

/* Keeps the state of a stop's checkpoint (a copy: invnet_fit frees its own) until the nets
 * are saved: under mpirun's Ctrl-C the ranks have a second before they are killed, and a
 * wide net's checkpoint (61-1024-1024-5: 54 MB) takes a third of it. */
static void
keep_for_after(const invnet_ckpt *c)
{
    invnet_train_state_free(ckw.kept.state);
    ckw.kept = *c;
    ckw.kept.training = NULL;                            /* invnet_fit's, gone by then */
    ckw.kept.state = invnet_train_state_clone(c->state); /* NULL: the last checkpoint stays */
    ckw.kept_k = ckw.n_done;
}

/* w with the nets of the samples files before the one in training, nets[0 .. n - 1]. */
static void
with_done(invnet_ckpt *w, invnet_file *const *nets, size_t n)
{
    size_t k;

    w->n_done = n;
    for (k = 0; k < n; k++)
        w->done[k] = nets[k];
}

/* Writes w to NET.h5.ckpt: 0, or -1 with a warning the first time. */
static int
save_checkpoint(const invnet_ckpt *w)
{
    fwd_error err;

    if (invnet_ckpt_save(ckw.o->ckpt, w, &err) == FWD_OK)
        return 0;
    if (!ckw.warned)
        fprintf(stderr,
                "bpinv train: warning: %s; training goes on (--resume would continue from the "
                "checkpoint before, if any)\n",
                err.msg);
    ckw.warned = 1;
    return -1;
}

/* invnet_fit's checkpoint: c with the nets done, to NET.h5.ckpt when it is time; a stop's
 * kept for after the nets are saved. */
static void
write_checkpoint(void *ud, const invnet_ckpt *c, int stopped)
{
    invnet_ckpt w;

    (void)ud;
    if ((!stopped && cli_now() - ckw.last < ckw.o->checkpoint) ||
        (stopped && ckw.epoch == c->state->epoch)) /* written at that epoch's end already */
        return;
    if (stopped) {
        keep_for_after(c);
        return;
    }
    w = *c;
    with_done(&w, ckw.done, ckw.n_done);
    if (save_checkpoint(&w) != 0)
        return;
    ckw.last = cli_now();
    ckw.epoch = c->state->epoch;
    ckw.any = 1;
}

/* The stop's checkpoint kept, now the nets are saved: the net of its samples file is the
 * net in training (its best weights, its history). */
static void
write_kept(invnet_file *const *nets)
{
    invnet_ckpt w = ckw.kept;

    if (w.state == NULL)
        return;
    with_done(&w, nets, ckw.kept_k);
    w.training = nets[ckw.kept_k];
    if (w.training != NULL && save_checkpoint(&w) == 0)
        ckw.any = 1;
    invnet_train_state_free(ckw.kept.state);
    ckw.kept.state = NULL;
}

/* A resume refused for a setting (err->field: its name in the checkpoint's settings): the
 * option that sets it, or for the rows what keeps the rows the training had. */
static void
resume_hint(fwd_error *err, unsigned long long n_complete, unsigned long long had)
{
    static const char *const opt[][2] = {
        {"data", "--data"},
        {"val", "--val"},
        {"hidden", "--hidden"},
        {"activation", "--activation"},
        {"masked", "--min-span"},
        {"min_span", "--min-span"},
        {"max_missing", "--max-missing"},
        {"epochs", "--epochs"},
        {"batch", "--batch"},
        {"optimizer", "--optimizer"},
        {"learning_rate", "--lr"},
        {"momentum", "--momentum"},
        {"lr_decay", "--lr-decay"},
        {"patience", "--patience"},
        {"seed", "--seed"},
        {"huber", "--huber"},
        {"average", "--average"},
        {"data_epochs", "--data-epochs"},
        {"param_weight", "--param-weight"},
        {"data_learning_rate", "--data-lr"},
        {"init", "--init"},
    };
    size_t k;

    if (strcmp(err->field, "rows") == 0 && n_complete >= had) {
        fwd_error_append(err,
                         " (the samples file holds %llu complete samples: --max-samples %llu "
                         "trains on the first %llu, as it had; or, without --resume, --force "
                         "trains afresh)",
                         n_complete, had, had);
        return;
    }
    if (strcmp(err->field, "rows") == 0) {
        fwd_error_append(err, " (the samples file holds fewer samples than it had: not the "
                              "file the training began with)");
        return;
    }
    for (k = 0; k < sizeof opt / sizeof opt[0]; k++)
        if (strcmp(err->field, opt[k][0]) == 0) {
            fwd_error_append(err, " (option %s; or, without --resume, --force trains afresh)",
                             opt[k][1]);
            return;
        }
}

/* Reads o->input under the crash guard and trains on it: the net in *out; the exit status. */
static int
train_one(struct train_args *o, const invnet_fit_params *fp, invnet_file **out)
{
    struct run_state r;
    invnet_fit_params q;
    invnet_dataset *d;
    invnet_fit_info info;
    fwd_error err;
    int rc = CLI_FAIL;

    *out = NULL;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.fp = fp;
    /* the header within the time limit; then the rows, which may take long: no limit */
    if (cli_read_header_timed("train", o->input) != 0)
        return CLI_FAIL;
    if (!stops_caught) { /* a stop while the rows are read: at once, but said */
        char what[400];

        snprintf(what, sizeof what, "while %.150s was read: nothing trained, %.150s %s%s", o->input,
                 o->output, access(o->output, F_OK) == 0 ? "as it was" : "not made",
                 access(o->ckpt, F_OK) == 0 ? " (its checkpoint kept)" : "");
        cli_say_on_stop("train", what);
    }
    r.tstart = cli_now();
    /* under mpirun each rank reads its part of the rows, and the head */
    d = invnet_dataset_load_part(o->input, fp->noisy, fp->max_samples, fp->val, fp->head_rows,
                                 fp->rank, fp->ranks, &err);
    cli_read_unguard();
    cli_say_off(); /* the rows read: the stop said while they were is over */
    if (d == NULL) {
        cli_lib_error("train", &err);
        return CLI_FAIL;
    }
    if (fp->ranks > 1 && same_samples(o->input, d) != 0)
        goto done;
    /* the rows read: what is left of a limit for each thread's BLAS, and 48 MB for the
     * fit's arrays (a 300,000-row file: 138 MB then, 305 MB at most on 1 thread, 433 on 2) */
    if (cli_address_room("train", (long)fp->train.nthreads, 48) != 0)
        goto done;
    if (!o->quiet && cli_par_rank() == 0 && d->h.n_complete < d->h.n_requested)
        fprintf(stderr,
                "bpinv train: note: %s holds %llu of the %llu samples its run asked for (it "
                "was stopped: bpinv samples ... --resume completes it); training on those\n",
                o->input, (unsigned long long)d->h.n_complete,
                (unsigned long long)d->h.n_requested);
    q = *fp;
    if (init_from != NULL) { /* the net of its layer count (check_init: there is one) */
        q.init = invnet_set_find(init_from, d->h.prior.n_layers);
        q.init_name = o->init;
    }
    r.fp = &q;
    if (invnet_fit_dataset(o->input, d, &q, train_progress, &r, out, &info, &err) != FWD_OK) {
        if (fp->resume != NULL)
            resume_hint(
                &err, d->h.n_complete,
                (unsigned long long)(fp->resume->training->n_train + fp->resume->training->n_val));
        else if (q.init != NULL)
            init_hint(&err);
        if (err.field[0] == '\0') { /* a process's own failure: each says its own */
            cli_lib_error("train", &err);
            goto done;
        }
        /* a setting refused (of a resume, a start, the batch): alike on every process */
        if (cli_par_rank() == 0)
            cli_lib_error("train", &err);
        cli_par_agree();
        goto done;
    }
    if (info.stopped) /* mid-epoch, the flag agreed through each step's sum */
        stop_agreed = 1;
    if ((*out)->n_epochs == 0) { /* stopped in the first epoch: no net to save */
        invnet_file_free(*out);
        *out = NULL;
    } else if (!o->quiet && cli_par_rank() == 0)
        print_summary(&r, *out, &info);
    rc = CLI_OK;
done:
    invnet_dataset_free(d);
    return rc;
}

/* Trains a net on each samples file in turn, saves them (a set when several); the exit
 * status. */
static int
train_run(struct train_args *o, const invnet_fit_params *fp)
{
    invnet_file *nets[INVNET_SET_MAX] = {NULL};
    size_t k, n = 0, cut = o->n_inputs; /* cut: the file stopped in its first epoch */
    fwd_error err;
    int rc = CLI_OK;

    ckw.o = o;
    ckw.done = nets;
    ckw.last = cli_now();
    for (k = 0; resume_from != NULL && k < resume_from->n_done; k++) { /* made before */
        nets[k] = resume_from->done[k];
        resume_from->done[k] = NULL;
        n++;
    }
    for (k = n; k < o->n_inputs && rc == CLI_OK; k++) {
        invnet_fit_params q = *fp;

        /* a signal after the last epoch of the previous file (its evaluation, its summary)
         * stops here, before a net of no epoch is trained */
        if (k > 0 && (stop_agreed = cli_par_max(cli_stop_signal != 0) != 0))
            break;
        o->input = o->inputs[k];
        ckw.n_done = k;
        ckw.epoch = 0;
        /* rank 0 writes them: the others keep no copy of the state (8 bytes a row) */
        q.checkpoint = o->checkpoint > 0 && cli_par_rank() == 0 ? write_checkpoint : NULL;
        if (resume_from != NULL && k == resume_from->n_done && resume_from->training != NULL) {
            q.resume = resume_from;
            q.resume_name = o->ckpt;
        }
        rc = train_one(o, &q, &nets[k]);
        n += nets[k] != NULL;
        if (rc == CLI_OK && nets[k] == NULL) { /* stopped before its first epoch ended */
            cut = k;
            break;
        }
    }
    /* under mpirun the ranks hold the same nets: rank 0 saves them, and tells the others
     * how that went before any of them ends (mpirun ends the job when one rank does) */
    if (rc == CLI_OK && n > 0) {
        int bad = 0;

        if (cli_par_rank() == 0 && invnet_set_save(o->output, (const invnet_file *const *)nets, n,
                                                   o->force || o->resume, &err) != FWD_OK) {
            cli_lib_error("train", &err); /* adds the --force hint to FWD_EEXIST */
            bad = 1;
        }
        cli_par_bcast(&bad, sizeof bad);
        rc = bad ? CLI_FAIL : CLI_OK;
        cli_par_agree();
    }
    /* a stop said as soon as the nets are saved: under mpirun the ranks have a second after
     * its SIGTERM, which a wide net's checkpoint (54 MB: 0.3 s, more on a busy machine)
     * written first could take whole, and the line was lost (a CI run) */
    if (rc == CLI_OK && stop_agreed) {
        if (cli_par_rank() != 0)
            ;
        else if (n == 0)
            cli_error("train",
                      "interrupted in the first epoch of %s, before any epoch ended: no net "
                      "saved, %s not written",
                      o->input, o->output);
        else if (cut < o->n_inputs) /* in the first epoch of a later file */
            cli_error("train",
                      "interrupted in the first epoch of %s: saved the nets of the %zu samples "
                      "file%s before it to %s",
                      o->inputs[cut], n, n == 1 ? "" : "s", o->output);
        else
            cli_error("train",
                      "interrupted after epoch %zu: saved the best net so far (%s %zu) to %s%s",
                      nets[n - 1]->n_epochs,
                      nets[n - 1]->best_epoch > 0 ? "epoch" : "the --init net's weights, epoch",
                      nets[n - 1]->best_epoch, o->output,
                      n < o->n_inputs ? ", without the nets of the samples files not reached" : "");
    }
    if (rc == CLI_OK && n > 0) {
        write_kept(nets); /* a stop's, after the nets (rank 0 alone has one) */
        /* the net written whole: its checkpoint is done with (a stopped run's stays) */
        if (!stop_agreed && cli_par_rank() == 0) {
            unlink(o->ckpt);
            fwd_io_remove_dead_temps(o->ckpt); /* a killed run's, half written */
        }
    }
    if (rc == CLI_OK && stop_agreed) {
        if (cli_par_rank() == 0 && (ckw.any || o->resume) && access(o->ckpt, F_OK) == 0)
            fprintf(stderr,
                    "bpinv train: the same command with --resume continues the training from "
                    "%s\n",
                    o->ckpt);
        cli_par_agree(); /* no rank ends (and mpirun with it the job) before rank 0 has said */
        rc = 128 + (int)(cli_stop_signal ? cli_stop_signal : SIGINT);
    }
    invnet_train_state_free(ckw.kept.state); /* none saved: none written */
    ckw.kept.state = NULL;
    for (k = 0; k < o->n_inputs; k++)
        invnet_file_free(nets[k]);
    invnet_ckpt_free(resume_from);
    resume_from = NULL;
    invnet_set_free(init_from);
    init_from = NULL;
    if (stops_caught)
        cli_restore_stop(&stops_old_int, &stops_old_term);
    stops_caught = 0;
    return rc;
}

int
cmd_train(int argc, char **argv)
{
    struct train_args o = {.fp = invnet_fit_default()};
    int rc, bad;

    o.fp.train.nthreads = omp_get_num_procs();
    o.fp.version = BPINV_VERSION;
    o.epochs = (long)o.fp.train.epochs;
    o.batch = (long)o.fp.train.batch;
    o.patience = (long)o.fp.train.patience;
    o.seed = (long)o.fp.train.seed;
    o.threads = o.fp.train.nthreads;
    o.momentum = o.fp.train.momentum;
    o.decay = o.fp.train.lr_decay;
    o.huber = o.fp.train.huber;
    o.average = o.fp.train.average;
    o.val = o.fp.val;
    o.data_epochs = (long)o.fp.data_epochs;
    o.param_weight = o.fp.param_weight;
    o.min_span = o.fp.mask.min_span;
    o.max_missing = o.fp.mask.max_missing;
    o.checkpoint = 60;
    rc = cli_opt_parse(&train_cmd, argc, argv, &o, NULL);
    if (rc != CLI_RUN)
        return rc;
    if (snprintf(o.ckpt, sizeof o.ckpt, "%s.ckpt", o.output) >= (int)sizeof o.ckpt) {
        cli_error("train", "-o: a path of at most %zu bytes expected", sizeof o.ckpt - 6);
        return CLI_FAIL;
    }
    bad = o.resume && load_resume(&o) != 0;
    bad = cli_par_max((unsigned long)bad) != 0 ||
          (o.init != NULL && load_init(&o, o.hidden != NULL, o.act != NULL) != 0);
    /* refuse at once, not after an hour of training (under mpirun: rank 0 checks, and tells
     * the others; before, each rank printed the message) */
    if (!bad && cli_par_rank() == 0)
        bad = check_output(&o) != 0 || check_set(&o) != 0 ? -1 : check_init(&o);
    cli_par_bcast(&bad, sizeof bad);
    if (bad) {
        invnet_ckpt_free(resume_from);
        resume_from = NULL;
        invnet_set_free(init_from);
        init_from = NULL;
        return bad == -2 ? CLI_USAGE : CLI_FAIL;
    }
    o.fp.rank = cli_par_rank();
    o.fp.ranks = cli_par_size();
    o.fp.reduce = sum_ranks;
    o.fp.stop = &cli_stop_signal;
    o.fp.exchange = swap_rows;
    rc = train_run(&o, &o.fp);
    if (rc == CLI_OK) /* after the run: an error is the only line */
        cli_note_threads("train", o.threads, o.threads, o.quiet || cli_par_rank() != 0);
    return rc;
}
