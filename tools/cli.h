/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the bpinv subcommands share: exit codes, messages, option values.
 */
#ifndef BPINV_CLI_H
#define BPINV_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>

#include "forward/fwd_geom.h"

#ifndef BPINV_VERSION
#define BPINV_VERSION "0.0.0"
#endif

/* Exit codes: success, failure (bad data, I/O), misuse (bad command line). */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* Prints "bpinv CMD: MESSAGE" and a newline on stderr. */
void cli_error(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);
/* An error every rank of mpirun has reached alike (a refusal they agreed on): rank 0 alone
 * prints it, and every rank may then end the run (cli_par_agree). One process: cli_error. */
void cli_error_agreed(const char *cmd, const char *fmt, ...) CLI_PRINTF(2, 3);

/* The geometry options shared by forward and samples. */
struct cli_geom_opts {
    const char *ab2, *mn2, *a, *period;
};

/*
 * Checks the geometry options against method m and builds the geometry into *g. Prints one
 * message per problem (naming the option and value) and returns -1 on a bad command line,
 * -2 when out of memory, 0 on success.
 */
int cli_geometry(const char *cmd, fwd_method m, const struct cli_geom_opts *o, fwd_geom **g);

/* Parses an integer in [lo, hi] given to opt (an option, a variable); prints a message and
 * returns -1 if it is not. */
int cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long hi, long *v);

/*
 * Checks before a long run that output can be written: not a directory, not an existing
 * file (unless force), in a directory where a file can be created. what names the file in
 * messages ("the net file"). Prints the problem and returns -1.
 */
int cli_check_output(const char *cmd, const char *output, const char *what, int force);

/* Whether a and b name the same existing file (one device and inode): 1, else 0. */
int cli_same_file(const char *a, const char *b);

/* Flushes and checks stdout; prints a message and returns -1 if writing failed. */
int cli_close_stdout(const char *cmd);

/* Seconds on a monotonic clock. */
double cli_now(void);

/* Unless quiet, a note when a run of -j asked kept more threads busy than the cores the
 * process may use (omp_get_num_procs): they take turns on the cores, and wait for each
 * other at every barrier (a training ran 2 times slower with -j 16 on 2 cores than with
 * -j 2). Given after a run that succeeded, so that an error is the only line. */
void cli_note_threads(const char *cmd, long asked, long busy, int quiet);

/* A progress line is drawn: not quiet, and standard error a terminal or asked (--progress:
 * under mpirun each rank's is a pipe). */
int cli_progress_on(int quiet, int asked);

/* The signal (SIGINT, SIGTERM or SIGHUP) that asked a long run to stop, 0 while none did. */
extern volatile sig_atomic_t cli_stop_signal;
/* Catches SIGINT, SIGTERM and SIGHUP into cli_stop_signal, saving the previous handlers;
 * one ignored when called (a script's background job ignores SIGINT, nohup SIGHUP) stays
 * ignored. */
void cli_catch_stop(struct sigaction *old_int, struct sigaction *old_term);
/* Puts the previous handlers back. */
void cli_restore_stop(const struct sigaction *old_int, const struct sigaction *old_term);

/* Until cli_catch_stop: a stop signal (INT, TERM, HUP, USR1; not one ignored) ends the
 * process at once, as by default, after the line "bpinv CMD: interrupted WHAT" (a step that
 * looks for no stop, as reading a samples file: it ended without a word). */
void cli_say_on_stop(const char *cmd, const char *what);

/* The handlers cli_say_on_stop replaced, back (once the step is over; cli_catch_stop does
 * it too). */
void cli_say_off(void);

/*
 * Guards a read of the bpinv HDF5 file at path, until cli_read_unguard(): libhdf5 1.10 can
 * crash, or loop for ever, on structures of a damaged file that it does not check
 * (tests/fuzz/README.md). A crash inside (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT), or,
 * when timed, no unguard within BPINV_READ_TIMEOUT seconds (default 60), prints one
 * message naming path ("crashed reading it", "still reading it after N s") and exits 1
 * at once, as a kill -9 would. A crash of bpinv's own code inside gets the same message:
 * the tests make sure none does. Returns 0, or -1 after a message if BPINV_READ_TIMEOUT
 * is not a whole number of seconds from 1 to 86400.
 */
int cli_read_guard(const char *cmd, const char *path, int timed);
/* The read time limit: BPINV_READ_TIMEOUT (unset or empty: 60 s). Prints a message and
 * returns -1 when it is not a whole number of seconds from 1 to 86400. */
int cli_read_timeout(const char *cmd, long *seconds);
void cli_read_unguard(void);

/*
 * Reads a samples file's header under the timed guard, for nothing but the time limit,
 * before a read that may take long (train's rows) or that writes (samples --resume); what
 * it finds is reported by that read. On return 0 the crash guard stays on, without a time
 * limit, for that read: cli_read_unguard() after it. Returns as cli_read_guard.
 */
int cli_read_header_timed(const char *cmd, const char *path);

/* BLAS runs in the caller's thread: the libraries parallelise with OpenMP themselves.
 * main() calls it once, for every command, with its argv: under an address-space limit
 * (ulimit -v) and without OPENBLAS_NUM_THREADS, the program is run again (execv) with
 * OPENBLAS_NUM_THREADS=1, so that OpenBLAS starts no idle threads, whose buffers of 128 MB
 * each, mapped before main, hung the process where the limit refused them. */
void cli_blas_serial(char **argv);

/*
 * Before cmd runs BLAS on `threads` threads: 0 when the address space left allows each its
 * OpenBLAS buffer (128 MB, mapped at its first call; where the map fails, OpenBLAS retries
 * for ever), each thread past the first its heap and stack too, and the run more_mb
 * besides, or there is no limit; else -1, having said the limit, what the run needs and
 * the -j that fits.
 */
int cli_address_room(const char *cmd, long threads, double more_mb);

/*
 * Puts the next few MiB the process allocates in a transparent huge page: a quick start
 * where page faults are dear (cli_heap.c says why). Call it first, before the HDF5 library
 * starts. Returns 1 when done, 0 when not (not glibc, a malloc of its own, or the
 * environment's BPINV_HUGE_PAGES=0); the process runs the same either way.
 */
int cli_heap_huge(void);

/* Before drawing pictures: their large blocks from the heap, reused (cli_heap.c). */
void cli_heap_pictures(void);

/* The commands' option tables (their --help, the manual page and the shell completion). */
struct cli_cmd;
extern const struct cli_cmd forward_cmd, samples_cmd, info_cmd, train_cmd, invert_cmd;

/* The commands, for `bpinv help` and the documents made from their tables (cli_doc.c). */
typedef struct cli_command {
    const char *name;
    const char *summary; /* one line, for the list of commands */
    int (*run)(int argc, char **argv);
    const struct cli_cmd *cmd;
} cli_command;
extern const cli_command cli_commands[];
extern const size_t cli_n_commands;

/* The manual page bpinv.1 (roff), made from the commands' tables, to f. */
void cli_doc_man(FILE *f, const char *version);

/* A bash completion script for bpinv, made from the commands' tables, to f. */
void cli_doc_bash(FILE *f);

int cmd_forward(int argc, char **argv);
int cmd_samples(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_invert(int argc, char **argv);

/*
 * Prints a library error (cli_error's format) in bpinv's words: the input err->field names
 * becomes the option that sets it ("--rho: layer 1: ...", "n_layers (--layers) differs from
 * this command line ..."), and FWD_EEXIST gets the hint of --force (and, for samples, of
 * --resume). Cut to the length of a library message. In cli_field.c.
 */
void cli_lib_error(const char *cmd, const fwd_error *err);

#endif /* BPINV_CLI_H */
