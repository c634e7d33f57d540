/* SPDX-License-Identifier: MIT */
/*
 * cmd_info.c - `bpinv info FILE.h5`: what a bpinv HDF5 file holds, for a person.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "forward/fwd_method.h"
#include "forward/fwd_geom.h"
#include "invnet/invnet_ckpt.h"
#include "invnet/invnet_file.h"
#include "samples/smp_file.h"
#include "samples/smp_h5.h"
#include "tools/cli.h"
#include "tools/cli_opt.h"

static int
check_file(const cli_parse *p, void *args)
{
    (void)args;
    if (p->argc - p->first == 1)
        return 0;
    cli_error("info", "expected one file, got %d arguments; try 'bpinv info --help'",
              p->argc - p->first);
    return CLI_USAGE;
}

static const cli_opt info_opts[] = {
    {.kind = CLI_OPT_HELP, .name = "help", .key = 'h'},
    CLI_CHECK(check_file),
};

const cli_cmd info_cmd = {
    "info",
    "usage: bpinv info FILE.h5\n"
    "\n"
    "Describes a bpinv samples file (method, geometry, prior, noise, counts, seed, size)\n"
    "or net file (architecture, what it was trained on, training outcome, envelope).\n",
    NULL,
    info_opts,
    sizeof info_opts / sizeof info_opts[0],
    0,
    -1,
    0};

/* Method, geometry, layers, prior and noise: what samples and net files share. */
static void
print_survey(const smp_header *h, const fwd_geom *g)
{
    const double *x = fwd_geom_x(g), *mn2 = fwd_geom_mn2(g);
    size_t n = fwd_geom_size(g), j;
    double lo = INFINITY, hi = 0;
    char mn[64] = "";

    for (j = 0; mn2 != NULL && j < n; j++)
        lo = fmin(lo, mn2[j]), hi = fmax(hi, mn2[j]);
    if (!fwd_method_get(h->method)->has_mn2)
        ;
    else if (mn2 == NULL)
        snprintf(mn, sizeof mn, " (ideal, MN -> 0)");
    else if (lo == hi) /* the MN/2 a tester could not see: "(finite MN/2)" alone */
        snprintf(mn, sizeof mn, " (finite MN/2 %g m)", lo);
    else
        snprintf(mn, sizeof mn, " (finite MN/2 %g .. %g m)", lo, hi);
    printf("  method      %s\n", fwd_method_name(h->method));
    printf("  geometry    %zu points, %s %g .. %g%s\n", n, fwd_method_xname(h->method), x[0],
           x[n - 1], mn);
    printf("  layers      %zu\n", h->prior.n_layers);
    for (j = 0; j < h->prior.n_layers; j++) {
        printf("  %s layer %zu: rho %g .. %g ohm-m", j == 0 ? "prior  " : "       ", j + 1,
               h->prior.rho_min[j], h->prior.rho_max[j]);
        if (j + 1 < h->prior.n_layers)
            printf(", thickness %g .. %g m\n", h->prior.thick_min[j], h->prior.thick_max[j]);
        else
            printf(" (half-space)\n");
    }
    printf("  noise       %g (log-normal on apparent resistivity", h->noise);
    if (fwd_method_value_index(h->method, FWD_VALUE_PHASE) >= 0)
        printf("; %.3g degrees on phase", h->noise * FWD_PHASE_DEG_PER_NOISE);
    printf(")\n");
}

static void
print_samples(const char *path, const smp_header *h, const fwd_geom *g)
{
    struct stat st;

    printf("%s: bpinv samples file (format version %llu, written by bpinv %s)\n", path,
           (unsigned long long)h->format_version, h->bpinv_version);
    print_survey(h, g);
    printf("  samples     %llu of %llu complete%s\n", (unsigned long long)h->n_complete,
           (unsigned long long)h->n_requested,
           h->n_complete < h->n_requested ? " (interrupted: continue with --resume)" : "");
    printf("  seed        %llu\n", (unsigned long long)h->seed);
    if (fwd_method_get(h->method)->hankel)
        printf("  forward     %s Hankel filter\n", h->forward_filter);
    if (stat(path, &st) == 0)
        printf("  file size   %.1f MiB\n", (double)st.st_size / 1048576.0);
}

/* Why the training of f stopped: its epochs run, its patience, or neither (interrupted), for
 * the first stage and the data stage. Into buf. */
static void
stop_reason(const invnet_file *f, char *buf, size_t len)
{
    size_t first = f->data_first_epoch > 0 ? f->data_first_epoch - 1 : f->n_epochs, since = 0, k;
    size_t data = f->n_epochs - first;
    double low = f->init_net[0] != '\0' ? f->init_val_loss : INFINITY; /* a warm start's */

    for (k = 0; k < first; k++) { /* epochs without improvement, as the trainer counts them */
        since = f->val_loss[k] < low * (1 - f->train.min_delta) ? 0 : since + 1;
        low = fmin(low, f->val_loss[k]);
    }
    if (first >= f->train.epochs)
        snprintf(buf, len, "after all %zu epochs", f->train.epochs);
    else if (f->train.patience > 0 && since >= f->train.patience)
        snprintf(buf, len,
                 "early, at epoch %zu of %zu: no %s loss %g %% below the best for %zu epochs "
                 "(--patience)",
                 first, f->train.epochs, f->n_val > 0 ? "validation" : "training",
                 100 * f->train.min_delta, f->train.patience);
    else
        snprintf(buf, len,
                 "interrupted at epoch %zu of %zu (not by --patience: a signal, Ctrl-C): "
                 "trained less than asked",
                 first, f->train.epochs);
    if (first < f->train.epochs && f->train.patience > 0 && since >= f->train.patience &&
        f->best_epoch + f->train.patience > first && f->best_epoch > 0 && f->best_epoch <= first) {
        k = strlen(buf); /* kept for a lower loss that was not low enough to go on */
        snprintf(buf + k, len - k, "; epoch %zu among them was lower by less: its net is kept",
                 f->best_epoch);
    }
    if (f->data_first_epoch == 0)
        return;
    k = strlen(buf);
    if (data >= f->data_epochs)
        snprintf(buf + k, len - k, "; the data stage after all its %zu epochs", f->data_epochs);
    else if (f->n_data_halved >= INVNET_TRAIN_HALVINGS)
        snprintf(buf + k, len - k,
                 "; the data stage at its epoch %zu of %zu, no better loss after its learning "
                 "rate's last halving",
                 data, f->data_epochs);
    else
        snprintf(buf + k, len - k,
                 "; the data stage interrupted at its epoch %zu of %zu: trained less than asked",
                 data, f->data_epochs);
}

static void
print_net(const char *path, const invnet_file *f, int whole_file)
{
    const invnet_net *net = f->net;
    size_t depth = invnet_net_depth(net), l, j, nl = f->samples.prior.n_layers,
           nfeat = fwd_geom_ndata(f->geom);
    struct stat st;
    char loss[64], avg[48] = "";
    const char *name = f->train.huber > 0 ? "Huber loss" : "squared error";

    printf("%s: bpinv net file (format version %d, written by bpinv %s)\n", path,
           INVNET_FORMAT_VERSION, f->bpinv_version);
    printf("  network     ");
    for (l = 0; l <= depth; l++)
        printf("%zu%s", invnet_net_units(net, l), l < depth ? "-" : "");
    printf(" (%s hidden units, linear output; %zu weights and biases)\n",
           invnet_activation_name(invnet_net_activation(net)), invnet_net_nparams(net));
    printf("  inputs      log10 apparent resistivity%s, standardised, %zu features",
           fwd_method_value_index(f->samples.method, FWD_VALUE_PHASE) >= 0
               ? " and phase / 90 degrees"
               : "",
           nfeat);
    if (f->masked && f->mask.layout == INVNET_MASK_ALIGNED)
        printf(": placed from the sounding's first point and again up to its last (2 x %zu), "
               "each with 1 if observed, 0 if missing (2 x %zu), then where it starts in the "
               "span, 0 to 1 (1)\n",
               nfeat, nfeat);
    else if (f->masked)
        printf(", 0 where missing, then 1 for each observed, 0 for each missing (%zu)\n", nfeat);
    else
        printf("\n");
    if (f->masked)
        printf("  soundings   any part of the span at least %g decade%s wide, up to %g %% of its "
               "points missing\n",
               f->mask.min_span, f->mask.min_span == 1 ? "" : "s", 100 * f->mask.max_missing);
    else
        printf("  soundings   all of the net's points (its whole span)\n");
    printf("  outputs     log10 resistivity (ohm-m) of %zu layers, log10 thickness (m) of %zu\n",
           nl, nl - 1);
    print_survey(&f->samples, f->geom);
    printf("  trained on  %s (%s data, seed %llu): %llu training + %llu validation samples\n",
           f->samples_path, f->data, (unsigned long long)f->samples.seed,
           (unsigned long long)f->n_train, (unsigned long long)f->n_val);
    if (f->train.huber > 0)
        snprintf(loss, sizeof loss, "%s (squared within %g standard deviations)", name,
                 f->train.huber);
    else
        snprintf(loss, sizeof loss, "%s", name);
    if (f->train.average > 0)
        snprintf(avg, sizeof avg, ", weights averaged (%g per step)", f->train.average);
    printf("  training    %s, %s, learning rate %g, batch %zu%s, seed %llu; %zu epochs in %.1f s, "
           "best epoch %zu\n",
           invnet_optimizer_name(f->train.opt), loss, f->train.lr, f->train.batch, avg,
           (unsigned long long)f->train.seed, f->n_epochs, f->train_seconds, f->best_epoch);
    if (f->init_net[0] != '\0')
        printf("  started     from %s (its weights and normalisation; validation loss %.6f on "
               "these rows%s)\n",
               f->init_net, f->init_val_loss,
               f->best_epoch == 0 ? ": no epoch did better, its weights are these" : "");
    if (f->n_epochs > 0 && f->val_loss != NULL) {
        char why[320];

        stop_reason(f, why, sizeof why);
        printf("  stopped     %s\n", why);
    }
    if (f->data_epochs > 0) {
        size_t k;

        printf("  data stage  from epoch %zu, up to %zu epochs on %g x the parameters' error + "
               "the data misfit (chi-square per datum), learning rate %g at its start",
               f->data_first_epoch, f->data_epochs, f->param_weight, f->data_lr);
        for (k = 0; k < f->n_data_halved; k++)
            printf("%s%zu",
                   k == 0                     ? ", halved from epochs "
                   : k + 1 < f->n_data_halved ? ", "
                                              : " and ",
                   f->data_halved_at[k]);
        printf("\n");
    }
    if (f->n_epochs > 0 && f->best_epoch >= 1 && f->best_epoch <= f->n_epochs) {
        int stage = f->data_first_epoch > 0 && f->best_epoch >= f->data_first_epoch;

        if (f->n_val > 0)
            printf("  loss        train %.6f, validation %.6f (%s%s%s)\n",
                   f->train_loss[f->best_epoch - 1], f->val_loss[f->best_epoch - 1],
                   stage ? "the data stage's: weighted " : "mean ", name,
                   stage ? " + chi-square per datum" : ", standardised");
        else
            printf("  loss        train %.6f, no validation set (--val 0) (%s%s%s)\n",
                   f->train_loss[f->best_epoch - 1],
                   stage ? "the data stage's: weighted " : "mean ", name,
                   stage ? " + chi-square per datum" : ", standardised");
    }
    if (f->best_epoch == 0 && f->init_net[0] != '\0' && f->n_val > 0)
        printf("  loss        validation %.6f, the start's (mean %s, standardised)\n",
               f->init_val_loss, name);
    printf("  RMSE log10 ");
    for (j = 0; j < FWD_MODEL_NPARAMS(nl); j++)
        printf(" %s%zu %.3f", j < nl ? "rho" : "h", j < nl ? j + 1 : j - nl + 1, f->val_rmse[j]);
    printf(" (%s set%s)\n", f->n_val > 0 ? "validation" : "training",
           f->masked ? ", partial views of its points" : "");
    /* the RMSE of a net that answered the prior's mean: what a parameter near it is not
     * resolved by (log-uniform over a range of w decades: w / sqrt(12)) */
    printf("  prior's sd ");
    for (j = 0; j < FWD_MODEL_NPARAMS(nl); j++) {
        const smp_prior *pr = &f->samples.prior;
        double w = j < nl ? log10(pr->rho_max[j] / pr->rho_min[j])
                          : log10(pr->thick_max[j - nl] / pr->thick_min[j - nl]);

        printf(" %s%zu %.3f", j < nl ? "rho" : "h", j < nl ? j + 1 : j - nl + 1, w / sqrt(12.0));
    }
    printf(" (the RMSE of answering the prior's middle: a parameter whose RMSE comes near it is "
           "not resolved)\n");
    printf("  envelope    %zu features, %zu principal components; squared Mahalanobis distance "
           "99%% %.1f, 99.9%% %.1f (invert's mahalanobis_d2 is held against the 99.9%% one, "
           "scaled to the points a sounding has)\n",
           f->env->n, f->env->n_pc, f->env->d2_q99, f->env->d2_q999);
    if (whole_file && stat(path, &st) == 0)
        printf("  file size   %.1f KiB\n", (double)st.st_size / 1024.0);
}

/* What the HDF5 file at path says it is: 1 a net file, 2 a training checkpoint, 0 anything
 * else (the samples reader then says what it is not), -1 an HDF5 file without a string
 * attribute format (the samples and net readers' test for "not a bpinv file"). */
static int
file_kind(const char *path)
{
    char fmt[32];
    fwd_error err;

    if (smp_h5_file_format(path, fmt, sizeof fmt, &err) == FWD_OK)
        return strcmp(fmt, INVNET_FORMAT) == 0 ? 1 : strcmp(fmt, INVNET_CKPT_FORMAT) == 0 ? 2 : 0;
    return strcmp(err.field, "format") == 0 ? -1 : 0;
}

/* A training checkpoint: the nets it has made, the one in training, its settings. */
static int
print_ckpt(const char *path)
{
    fwd_error err;
    invnet_ckpt *c = invnet_ckpt_load(path, &err);
    size_t k;

    cli_read_unguard();
    if (c == NULL) {
        cli_lib_error("info", &err);
        return CLI_FAIL;
    }
    printf("%s: bpinv training checkpoint (format version %d): the same 'bpinv train' command "
           "with --resume continues it\n",
           path, INVNET_CKPT_FORMAT_VERSION);
    printf("  nets made   %zu", c->n_done);
    for (k = 0; k < c->n_done; k++)
        printf("%s %s (%zu layers)", k ? "," : ":", c->done[k]->samples_path,
               c->done[k]->samples.prior.n_layers);
    putchar('\n');
    if (c->training != NULL)
        printf("  training    %s: %zu epochs run, in the %s stage; %.1f s of training so far\n",
               c->training->samples_path, c->state->epoch, c->stage == 2 ? "data" : "first",
               c->seconds);
    if (c->training != NULL && c->training->init_net[0] != '\0')
        printf("  started     from %s (--init), validation loss %.6f\n", c->training->init_net,
               c->training->init_val_loss);
    if (c->state->best_epoch > 0)
        printf("  best so far epoch %zu, %s loss %.6f (its weights are the net in it)\n",
               c->state->best_epoch, c->training->n_val > 0 ? "validation" : "training",
               c->state->best_loss);
    else if (c->training != NULL && c->training->init_net[0] != '\0' && c->stage == 1)
        printf("  best so far the start's: no epoch has done better (its weights are the net in "
               "it)\n");
    printf("  settings    %s\n", c->settings);
    invnet_ckpt_free(c);
    return cli_close_stdout("info") ? CLI_FAIL : CLI_OK;
}

int
cmd_info(int argc, char **argv)
{
    smp_header h;
    fwd_geom *g = NULL;
    fwd_error err;
    cli_parse p;
    int rc, kind;

    if ((rc = cli_opt_parse(&info_cmd, argc, argv, NULL, &p)) != CLI_RUN)
        return rc;
    argv += p.first - 1; /* the file in argv[1] */
    if (cli_read_guard("info", argv[1], 1) != 0)
        return CLI_FAIL;
    /* A net file is recognised by its format attribute; anything else goes to the samples
     * reader, which says what the file is not (missing, not HDF5, damaged). */
    kind = file_kind(argv[1]);
    if (kind < 0) {
        cli_read_unguard();
        cli_error("info",
                  "%s: not a bpinv file (no string attribute 'format', which bpinv's "
                  "samples and net files have)",
                  argv[1]);
        return CLI_FAIL;
    }
    if (kind == 2)
        return print_ckpt(argv[1]);
    if (kind == 1) {
        invnet_set *ns = invnet_set_load(argv[1], &err);
        size_t k;

        cli_read_unguard();
        if (ns == NULL) {
            cli_lib_error("info", &err);
            return CLI_FAIL;
        }
        if (ns->n > 1) {
            printf("%s: bpinv file of %zu nets (format version %d), one per layer count:", argv[1],
                   ns->n, INVNET_FORMAT_VERSION_SET);
            for (k = 0; k < ns->n; k++)
                printf("%s %zu", k ? "," : "", ns->net[k]->samples.prior.n_layers);
            printf("; 'bpinv invert' chooses the count of each sounding\n\n");
        }
        for (k = 0; k < ns->n; k++) {
            char where[1100];

            snprintf(where, sizeof where, ns->n > 1 ? "%s:/nets/%zu" : "%s", argv[1],
                     ns->net[k]->samples.prior.n_layers);
            print_net(where, ns->net[k], ns->n == 1);
            if (k + 1 < ns->n)
                putchar('\n');
        }
        invnet_set_free(ns);
        return cli_close_stdout("info") ? CLI_FAIL : CLI_OK;
    }
    rc = smp_file_read_header(argv[1], &h, &g, &err);
    cli_read_unguard();
    if (rc != FWD_OK) {
        cli_lib_error("info", &err);
        return CLI_FAIL;
    }
    print_samples(argv[1], &h, g);
    fwd_geom_free(g);
    return cli_close_stdout("info") ? CLI_FAIL : CLI_OK;
}
