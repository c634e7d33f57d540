/* SPDX-License-Identifier: MIT */
/*
 * cli.h - what the bpinv subcommands share: exit codes, messages, option values.
 */
#ifndef BPINV_CLI_H
#define BPINV_CLI_H

#include <stddef.h>
#include <stdio.h>

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

/*
 * Parses a comma list of numbers > 0 given to option opt (e.g. "--rho") into a new array
 * (*v, free() it) of *n values. On error prints one message naming opt and returns -1.
 */
int cli_parse_list(const char *cmd, const char *opt, const char *s, double **v, size_t *n);

/* Parses a geometry SPEC (list, START:STOP:COUNT or @FILE); as cli_parse_list. */
int cli_parse_spec(const char *cmd, const char *opt, const char *s, double **v, size_t *n);

/* Flushes and checks stdout; prints a message and returns -1 if writing failed. */
int cli_close_stdout(const char *cmd);

int cmd_forward(int argc, char **argv);

#endif /* BPINV_CLI_H */
