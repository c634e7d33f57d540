/* SPDX-License-Identifier: MIT */
/*
 * cli.c - messages and option parsing shared by the bpinv subcommands.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_geom.h"
#include "tools/cli.h"

void
cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "bpinv %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int
cli_parse_spec(const char *cmd, const char *opt, const char *s, double **v, size_t *n)
{
    fwd_error err;

    if (fwd_spec_parse(s, opt, v, n, &err) != FWD_OK) {
        cli_error(cmd, "%s", err.msg);
        return -1;
    }
    return 0;
}

int
cli_parse_list(const char *cmd, const char *opt, const char *s, double **v, size_t *n)
{
    *v = NULL;
    *n = 0;
    if (s != NULL && (s[0] == '@' || strchr(s, ':') != NULL)) {
        cli_error(cmd, "%s: expected a comma list of numbers > 0, got \"%s\"", opt, s);
        return -1;
    }
    return cli_parse_spec(cmd, opt, s, v, n);
}

int
cli_close_stdout(const char *cmd)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error(cmd, "error writing the output: %s", strerror(errno));
        return -1;
    }
    return 0;
}
