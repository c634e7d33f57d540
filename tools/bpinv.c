/* SPDX-License-Identifier: MIT */
/*
 * bpinv.c - the bpinv command: dispatches to its subcommands.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <hdf5.h>

#include "tools/cli.h"

static void
usage(FILE *f)
{
    fputs("usage: bpinv COMMAND [OPTIONS]\n"
          "\n"
          "Geophysical 1D inversion with a trained backpropagation network.\n"
          "\n"
          "commands:\n"
          "  forward   response of a layered earth (schlumberger, wenner, mt) as CSV\n"
          "  samples   generate a training set of (model, data) pairs into HDF5\n"
          "  train     train an inverse network on a samples file\n"
          "  invert    invert field soundings with a trained network\n"
          "  info      describe a bpinv HDF5 file\n"
          "  help      this text; 'bpinv COMMAND --help' for a command's options\n"
          "\n"
          "options:\n"
          "  -h, --help     this text\n"
          "  -V, --version  print the version\n",
          f);
}

static int
is_command(const char *s)
{
    static const char *const cmds[] = {"forward", "samples", "info", "train", "invert"};
    size_t k;

    for (k = 0; k < sizeof cmds / sizeof cmds[0]; k++)
        if (strcmp(s, cmds[k]) == 0)
            return 1;
    return 0;
}

static int
wants_help(int argc, char **argv)
{
    int k;

    for (k = 2; k < argc; k++)
        if (strcmp(argv[k], "-h") == 0 || strcmp(argv[k], "--help") == 0)
            return 1;
    return 0;
}

static int
run(int argc, char **argv)
{
    const char *cmd = argv[1];
    long timeout;

    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("bpinv %s\n", BPINV_VERSION);
        return CLI_OK;
    }
    /* a bad environment is a bad command line: refused before any work (not --help) */
    if (is_command(cmd) && !wants_help(argc, argv) && cli_read_timeout(cmd, &timeout) != 0)
        return CLI_USAGE;
    if (strcmp(cmd, "forward") == 0)
        return cmd_forward(argc - 1, argv + 1);
    if (strcmp(cmd, "samples") == 0)
        return cmd_samples(argc - 1, argv + 1);
    if (strcmp(cmd, "info") == 0)
        return cmd_info(argc - 1, argv + 1);
    if (strcmp(cmd, "train") == 0)
        return cmd_train(argc - 1, argv + 1);
    if (strcmp(cmd, "invert") == 0)
        return cmd_invert(argc - 1, argv + 1);
    fprintf(stderr, "bpinv: unknown command \"%s\"; try 'bpinv --help'\n", cmd);
    return CLI_USAGE;
}

int
main(int argc, char **argv)
{
    int rc;

    gsl_set_error_handler_off();
    /* past a file size limit (ulimit -f) a write fails with EFBIG, which bpinv reports,
     * instead of the signal killing it without a word */
    signal(SIGXFSZ, SIG_IGN);
    /* HDF5 1.10 crashes in its exit handler (H5F__close_cb) when an H5Fclose has failed,
     * as on a full disk: so it gets no exit handler, and is shut down here after a success
     * only (every file is closed by then; after a failure exit() frees its memory). */
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors are reported by bpinv, not HDF5 */
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    rc = run(argc, argv);
    if (rc == CLI_OK)
        H5close();
    return rc;
}
