/* SPDX-License-Identifier: MIT */
/*
 * bpinv.c - the bpinv command: dispatches to its subcommands.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/resource.h>

#include <gsl/gsl_errno.h>
#include <hdf5.h>

#include "tools/cli.h"
#include "tools/cli_par.h"

const cli_command cli_commands[] = {
    {"forward", "response of a layered earth (schlumberger, wenner, mt) as CSV", cmd_forward,
     &forward_cmd},
    {"samples", "generate a training set of (model, data) pairs into HDF5", cmd_samples,
     &samples_cmd},
    {"train", "train an inverse network on a samples file", cmd_train, &train_cmd},
    {"invert", "invert field soundings with a trained network", cmd_invert, &invert_cmd},
    {"info", "describe a bpinv HDF5 file", cmd_info, &info_cmd},
};
const size_t cli_n_commands = sizeof cli_commands / sizeof cli_commands[0];

static void
usage(FILE *f)
{
    size_t k;

    fputs("usage: bpinv COMMAND [OPTIONS]\n"
          "\n"
          "Geophysical 1D inversion with a trained backpropagation network.\n"
          "\n"
          "commands:\n",
          f);
    for (k = 0; k < cli_n_commands; k++)
        fprintf(f, "  %-9s %s\n", cli_commands[k].name, cli_commands[k].summary);
    fputs("  help      this text; 'bpinv help COMMAND' (or 'bpinv COMMAND --help') for a\n"
          "            command's options; 'bpinv help --man' prints the manual page (roff),\n"
          "            'bpinv help --bash-completion' a bash completion script\n"
          "\n"
          "options:\n"
          "  -h, --help     this text\n"
          "  -V, --version  print the version\n",
          f);
}

static const cli_command *
find_command(const char *s)
{
    size_t k;

    for (k = 0; k < cli_n_commands; k++)
        if (strcmp(s, cli_commands[k].name) == 0)
            return &cli_commands[k];
    return NULL;
}

/* bpinv help [COMMAND | --man | --bash-completion] */
static int
help(int argc, char **argv)
{
    const cli_command *c;
    char opt[] = "--help", *h[3];

    if (argc < 3) {
        usage(stdout);
        return cli_close_stdout("help") ? CLI_FAIL : CLI_OK;
    }
    if (argc > 3) {
        fprintf(stderr, "bpinv help: expected one command, got %d words; try 'bpinv help'\n",
                argc - 2);
        return CLI_USAGE;
    }
    if (strcmp(argv[2], "--man") == 0) {
        cli_doc_man(stdout, BPINV_VERSION);
        return cli_close_stdout("help") ? CLI_FAIL : CLI_OK;
    }
    if (strcmp(argv[2], "--bash-completion") == 0) {
        cli_doc_bash(stdout);
        return cli_close_stdout("help") ? CLI_FAIL : CLI_OK;
    }
    if ((c = find_command(argv[2])) == NULL) {
        fprintf(stderr, "bpinv help: unknown command \"%s\"; try 'bpinv help'\n", argv[2]);
        return CLI_USAGE;
    }
    h[0] = argv[2];
    h[1] = opt;
    h[2] = NULL;
    return c->run(2, h);
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

static int stack_check(void);

static int
run(int argc, char **argv)
{
    const char *cmd = argv[1];
    const cli_command *c = find_command(cmd);
    long timeout;

    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(cmd, "help") == 0)
        return help(argc, argv);
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        if (argc > 2) {
            fprintf(stderr, "bpinv: %s: unexpected argument \"%s\"\n", cmd, argv[2]);
            return CLI_USAGE;
        }
        printf("bpinv %s\n", BPINV_VERSION);
        return CLI_OK;
    }
    if (c == NULL) {
        fprintf(stderr, "bpinv: unknown command \"%s\"; try 'bpinv --help'\n", cmd);
        return CLI_USAGE;
    }
    if (cli_par_size() > 1 && strcmp(cmd, "samples") != 0 && strcmp(cmd, "train") != 0 &&
        strcmp(cmd, "invert") != 0) {
        if (cli_par_rank() == 0)
            fprintf(stderr,
                    "bpinv %s: runs on one process; under mpirun only samples, train and "
                    "invert share their work (-np %d given)\n",
                    cmd, cli_par_size());
        return CLI_USAGE;
    }
    /* a bad environment is a bad command line: refused before any work (not --help); under
     * mpirun, told by rank 0 alone */
    if (!wants_help(argc, argv)) {
        int bad;

        cli_par_mute(cli_par_rank() != 0);
        bad = cli_read_timeout(cmd, &timeout) != 0;
        /* a command that computes, on stacks too small for it, would crash */
        bad = bad || (strcmp(cmd, "info") != 0 && stack_check() != CLI_OK);
        cli_par_mute(0);
        if (bad)
            return CLI_USAGE;
    }
    return c->run(argc - 1, argv + 1);
}

/* Standard input, output and error that the caller closed (`2>&-`) are opened on /dev/null,
 * read-only: else the first file bpinv opens takes that descriptor, and its messages go
 * into it (a samples file's header overwritten by a progress line); and output written to
 * them still fails, as it did on the closed descriptor (results not thrown away). */
static void
std_fds_open(void)
{
    int fd;

    for (fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF && open("/dev/null", O_RDONLY) != fd)
            _exit(CLI_FAIL); /* nothing to say it on */
}

/* Least stack a thread needs, with a margin: `invert --ranges` on a survey crashed
 * (SIGSEGV) with threads of 128 KB; 160 KB ran. */
#define STACK_MIN_KB 512

/* OMP_STACKSIZE's value e in KB (OpenMP's "size[B|K|M|G]", K where no unit, blanks around
 * and before the unit, "KB" as LLVM's libomp takes it); -1 where it cannot be read (OpenMP
 * then says so and ignores it). */
static double
omp_stack_kb(const char *e)
{
    double kb;
    char *end;
    int u;

    while (isspace((unsigned char)*e))
        e++;
    if (!isdigit((unsigned char)*e))
        return -1;
    kb = strtod(e, &end); /* digits only: no sign, point or exponent past isdigit */
    while (isdigit((unsigned char)*e))
        e++;
    if (end != e)
        return -1;
    while (isspace((unsigned char)*e)) /* "128 K", as libgomp reads it */
        e++;
    u = toupper((unsigned char)*e);
    if (u == 'B' || u == 'K' || u == 'M' || u == 'G')
        e++;
    if (u != 'B' && toupper((unsigned char)*e) == 'B') /* "128KB", as LLVM's libomp */
        e++;
    kb *= u == 'B' ? 1.0 / 1024 : u == 'M' ? 1024 : u == 'G' ? 1048576 : 1;
    while (isspace((unsigned char)*e))
        e++;
    return *e == '\0' ? kb : -1;
}

/*
 * The stacks of bpinv's threads: OMP_STACKSIZE (or libgomp's GOMP_STACKSIZE) for the
 * threads OpenMP starts; the stack limit (ulimit -s) for the first one, OpenMP's thread 0,
 * and, where neither is set, the others.
 * Below STACK_MIN_KB a command could crash: refused before any work, with a message
 * (CLI_USAGE); else CLI_OK.
 */
static int
stack_check(void)
{
    const char *name = "OMP_STACKSIZE", *e = getenv(name);
    struct rlimit rl;
    double kb;

    if (e == NULL) /* libgomp's own name, read where OpenMP's is not set */
        e = getenv(name = "GOMP_STACKSIZE");
    if (e != NULL && (kb = omp_stack_kb(e)) >= 0 && kb < STACK_MIN_KB) {
        fprintf(stderr, "bpinv: %s: expected at least %dK (a thread's stack), got \"%s\"\n", name,
                STACK_MIN_KB, e);
        return CLI_USAGE;
    }
    if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)STACK_MIN_KB * 1024) {
        fprintf(stderr,
                "bpinv: the stack size limit (ulimit -s): expected at least %d KB, got %llu KB\n",
                STACK_MIN_KB, (unsigned long long)rl.rlim_cur / 1024);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int
main(int argc, char **argv)
{
    int rc, ranks;

    std_fds_open();
    {
        const char *hp = getenv("BPINV_HUGE_PAGES"); /* "no" did not turn it off */

        if (hp != NULL && hp[0] != '\0' && strcmp(hp, "0") != 0 && strcmp(hp, "1") != 0) {
            fprintf(stderr, "bpinv: BPINV_HUGE_PAGES: expected 0 (off) or 1, got \"%s\"\n", hp);
            return CLI_USAGE;
        }
    }
    cli_blas_serial(argv); /* OpenBLAS's idle pool, ended before it spins */
    /* the short commands, before the libraries allocate: a quicker start (cli_heap.c) */
    if (argc > 1 && (strcmp(argv[1], "invert") == 0 || strcmp(argv[1], "info") == 0))
        cli_heap_huge();
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
    if (cli_par_init(&argc, &argv) != 0) {
        fputs("bpinv: MPI could not start (run under mpirun?)\n", stderr);
        return CLI_FAIL;
    }
    rc = run(argc, argv);
    /* what went to stdout and was not checked (--version, --help, help) reached it */
    if (rc == CLI_OK && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "bpinv: error writing the output: %s\n", strerror(errno));
        rc = CLI_FAIL;
    }
    if (rc == CLI_OK)
        H5close();
    ranks = cli_par_size();
    cli_par_finalize(rc == CLI_OK);
    /* a stop signal the command caught, acted on and said (exit status 128 + it): the
     * process now ends by that signal, as a shell expects of a child that stopped on Ctrl-C,
     * so that a script's loop stops too (its status is the same, 130 for SIGINT). Not under
     * mpirun, which would call it a crash. */
    if (ranks == 1 && cli_stop_signal != 0 && rc == 128 + (int)cli_stop_signal) {
        fflush(NULL);
        signal((int)cli_stop_signal, SIG_DFL);
        raise((int)cli_stop_signal);
    }
    return rc;
}
