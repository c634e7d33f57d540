/* SPDX-License-Identifier: MIT */
/*
 * cli_opt.c - a command's options from its table (cli_opt.h).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward/fwd_geom.h"
#include "tools/cli.h"
#include "tools/cli_opt.h"
#include "tools/cli_par.h"

/* getopt_long's code of row i: its short letter, or a code past any character. */
#define ROW_CODE(i) (256 + (int)(i))

/* A comma list of numbers > 0 given to option opt into a new array; -1 after a message. */
static int
parse_list(const char *cmd, const char *opt, const char *s, double **v, size_t *n)
{
    fwd_error err;

    *v = NULL;
    *n = 0;
    if (s[0] == '@' || strchr(s, ':') != NULL) {
        cli_error(cmd, "%s: expected a comma list of numbers > 0, got \"%s\"", opt, s);
        return -1;
    }
    if (fwd_spec_parse(s, opt, v, n, &err) != FWD_OK) {
        cli_error(cmd, "%s", err.msg);
        return -1;
    }
    return 0;
}

/* A finite number option in [lo, hi]; -1 after a message. */
/* The raw text of an option given without its optional value (--ranges, not --ranges=) */
static const char no_value[] = "";

static int
parse_double(const char *cmd, const char *opt, const char *s, double lo, double hi, double *v)
{
    char *end = NULL;

    errno = 0;
    *v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(*v) || *v < lo || *v > hi) {
        cli_error(cmd, "%s: expected a number from %g to %g, got \"%s\"", opt, lo, hi, s);
        return -1;
    }
    if (*v == 0)
        *v = 0; /* -0 is 0 (--noise -0 was kept, and printed as -0) */
    return 0;
}

/* After getopt_long returned c (':' or '?'): what was wrong. */
static void
bad_option(const char *cmd, int c, char *const *argv)
{
    if (c == ':')
        cli_error(cmd, "%s: missing its value", argv[optind - 1]);
    else
        cli_error(cmd, "unknown option \"%s\"; try 'bpinv %s --help'", argv[optind - 1], cmd);
}

int
cli_opt_is_option(const cli_opt *o)
{
    return o->kind != CLI_OPT_CHECK && o->kind != CLI_OPT_SECTION;
}

const char *
cli_opt_entry(const cli_opt *o, char *buf, size_t size)
{
    if (!cli_opt_is_option(o))
        snprintf(buf, size, "%s", o->meta);
    else if (o->key != 0)
        snprintf(buf, size, "-%c, --%s%s%s", o->key, o->name, o->meta ? " " : "",
                 o->meta ? o->meta : "");
    else /* an optional value follows without a space: --ranges[=PCT] */
        snprintf(buf, size, "--%s%s%s", o->name, o->meta && o->kind != CLI_OPT_REAL_OPT ? " " : "",
                 o->meta ? o->meta : "");
    return buf;
}

/* The option's name as messages give it: "-o/--output", "--rho". */
static const char *
label(const cli_opt *o, char *buf, size_t size)
{
    if (o->key != 0)
        snprintf(buf, size, "-%c/--%s", o->key, o->name);
    else
        snprintf(buf, size, "--%s", o->name);
    return buf;
}

static void *
dest(const cli_opt *o, void *args)
{
    return (char *)args + o->dest;
}

/* The values of joined options given more than once, for the process's one parse: each
 * such option at most JOIN_MAX - 1 characters, room for JOIN_ROOM of them. */
#define JOIN_MAX  4096
#define JOIN_ROOM 4
static char joined[JOIN_ROOM * JOIN_MAX];

/* Step 1b: each CLI_STRING_JOIN row given more than once (count[i] > 1 values, size[i]
 * characters with their commas and NUL) gets its values joined by commas, in the order
 * given, from a second reading of the command line (getopt_long has put the options first,
 * in their order). Linear in the command line. 1 after a problem, else 0. */
static int
join_rows(const cli_cmd *c, int argc, char **argv, const struct option *longopts,
          const char *shorts, void *args, cli_parse *p, const size_t *count, const size_t *size)
{
    char *at[CLI_OPT_MAX];
    size_t i, used = 0;
    int code, bad = 0, any = 0;

    for (i = 0; i < c->n_opts; i++) {
        at[i] = NULL;
        if (count[i] < 2)
            continue;
        if (size[i] > JOIN_MAX || size[i] > sizeof joined - used) {
            cli_error(c->name, "--%s: the values given are longer than %d characters together",
                      c->opts[i].name, JOIN_MAX - 1);
            p->bad[i] = 1;
            bad = 1;
            continue;
        }
        at[i] = joined + used;
        *(const char **)dest(&c->opts[i], args) = p->raw[i] = at[i];
        used += size[i];
        any = 1;
    }
    if (!any)
        return bad;
    optind = 1;
    while ((code = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
        size_t n;

        for (i = 0; i < c->n_opts && code < 256; i++)
            if (c->opts[i].key == code && cli_opt_is_option(&c->opts[i]))
                code = ROW_CODE(i);
        if (code < 256 || at[(size_t)(code - 256)] == NULL)
            continue;
        i = (size_t)(code - 256);
        n = strlen(optarg);
        if (at[i] != p->raw[i])
            *at[i]++ = ',';
        memcpy(at[i], optarg, n + 1);
        at[i] += n;
    }
    return bad;
}

/* Step 1: getopt_long, keeping each value as given. 1 after a problem, 0, or CLI_FAIL. */
static int
read_options(const cli_cmd *c, int argc, char **argv, void *args, cli_parse *p, int *help)
{
    struct option longopts[CLI_OPT_MAX + 1];
    char shorts[2 * CLI_OPT_MAX + 2] = ":";
    size_t i, nl = 0, ns = 1, count[CLI_OPT_MAX] = {0}, size[CLI_OPT_MAX] = {0};
    int code, bad = 0;

    for (i = 0; i < c->n_opts; i++) {
        const cli_opt *o = &c->opts[i];
        int has_arg = o->kind == CLI_OPT_FLAG || o->kind == CLI_OPT_HELP ? no_argument
                      : o->kind == CLI_OPT_REAL_OPT                      ? optional_argument
                                                                         : required_argument;

        if (!cli_opt_is_option(o))
            continue;
        longopts[nl++] = (struct option){o->name, has_arg, NULL, ROW_CODE(i)};
        if (o->key != 0) {
            shorts[ns++] = (char)o->key;
            if (has_arg == required_argument)
                shorts[ns++] = ':';
        }
    }
    longopts[nl] = (struct option){NULL, 0, NULL, 0};
    shorts[ns] = '\0';
    opterr = 0;
    optind = 1;
    while ((code = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
        for (i = 0; i < c->n_opts && code < 256; i++)
            if (c->opts[i].key == code && cli_opt_is_option(&c->opts[i]))
                code = ROW_CODE(i);
        if (code < 256) {
            bad_option(c->name, code, argv);
            bad = 1;
            continue;
        }
        i = (size_t)(code - 256);
        if (c->opts[i].kind == CLI_OPT_HELP)
            *help = 1;
        else if (c->opts[i].kind == CLI_OPT_FLAG)
            *(int *)dest(&c->opts[i], args) = 1;
        else if (c->opts[i].kind == CLI_OPT_STRING) {
            *(const char **)dest(&c->opts[i], args) = optarg;
            if (c->opts[i].join) {
                count[i]++;
                size[i] += strlen(optarg) + 1;
            }
        } else if (c->opts[i].kind == CLI_OPT_REAL_OPT)
            *(int *)((char *)args + c->opts[i].dest2) = 1;
        p->raw[i] = c->opts[i].kind == CLI_OPT_FLAG ? "" : optarg == NULL ? no_value : optarg;
    }
    p->first = optind;
    bad |= join_rows(c, argc, argv, longopts, shorts, args, p, count, size);
    if (!bad && c->operands >= 0 && argc - p->first > c->operands) {
        cli_error(c->name, "unexpected argument \"%s\"; try 'bpinv %s --help'",
                  argv[p->first + c->operands], c->name);
        bad = 1;
    }
    return bad;
}

/* Step 2 for row i: its value checked and stored. 0, CLI_USAGE or CLI_FAIL. */
static int
check_row(const cli_cmd *c, size_t i, void *args, cli_parse *p)
{
    const cli_opt *o = &c->opts[i];
    const char *s = p->raw[i];
    char name[64];
    cli_list *l;
    int rc = 0;

    if (o->kind == CLI_OPT_CHECK)
        return o->check != NULL ? o->check(p, args) : 0;
    if (!cli_opt_is_option(o) || o->kind == CLI_OPT_FLAG || o->kind == CLI_OPT_HELP)
        return 0;
    label(o, name, sizeof name);
    if (s == NULL) {
        if (o->missing == NULL)
            return 0;
        cli_error(c->name, "%s: missing; %s", name, o->missing);
        return CLI_USAGE;
    }
    switch (o->kind) {
    case CLI_OPT_STRING: /* stored as it came */
        break;
    case CLI_OPT_LONG:
        rc = cli_parse_long(c->name, name, s, o->min, o->max, dest(o, args));
        break;
    case CLI_OPT_REAL:
        rc = parse_double(c->name, name, s, o->lo, o->hi, dest(o, args));
        break;
    case CLI_OPT_REAL_OPT:
        if (s == no_value) /* --name alone; --name= is an empty value, refused */
            *(double *)dest(o, args) = o->dflt;
        else
            rc = parse_double(c->name, name, s, o->lo, o->hi, dest(o, args));
        break;
    default: /* CLI_OPT_LIST */
        l = dest(o, args);
        free(l->v);
        rc = parse_list(c->name, name, s, &l->v, &l->n);
        break;
    }
    p->bad[i] |= rc != 0; /* a join refused stays bad */
    return rc != 0 ? CLI_USAGE : 0;
}

/* cli_opt_parse, saying what it finds. */
static int
parse(const cli_cmd *c, int argc, char **argv, void *args, cli_parse *p)
{
    cli_parse own;
    size_t i;
    int bad, help = 0, rc, status = CLI_RUN;

    if (p == NULL)
        p = &own;
    memset(p, 0, sizeof *p);
    if (c->n_opts > CLI_OPT_MAX) { /* a table too long for the parse's state */
        cli_error(c->name, "internal error: %zu option rows, at most %d", c->n_opts, CLI_OPT_MAX);
        return CLI_FAIL;
    }
    p->cmd = c;
    p->argc = argc;
    p->argv = argv;
    bad = read_options(c, argc, argv, args, p, &help);
    if (help)
        return cli_opt_help(c);
    if (bad && !c->keep_going)
        return CLI_USAGE;
    for (i = 0; i < c->n_opts; i++)
        if ((rc = check_row(c, i, args, p)) != 0 && status != CLI_FAIL)
            status = rc;
    return bad && status == CLI_RUN ? CLI_USAGE : status;
}

int
cli_opt_parse(const cli_cmd *c, int argc, char **argv, void *args, cli_parse *p)
{
    int rc;

    /* under mpirun every rank parses the same command line: rank 0 alone tells of it */
    if (cli_par_rank() == 0) {
        rc = parse(c, argc, argv, args, p);
    } else {
        cli_par_mute(1);
        rc = parse(c, argc, argv, args, p);
        cli_par_mute(0);
    }
    /* and all end together when one does not run (a bad command line, --help): had the
     * others exited at once, mpirun could end rank 0 before its message was out (a test
     * saw mpirun's words alone) */
    if (cli_par_size() > 1 && cli_par_max(rc != CLI_RUN) != 0) {
        cli_par_agree();
        if (rc == CLI_RUN) { /* another rank's check of its files failed */
            if (cli_par_rank() == 0)
                cli_error(c->name, "another process of mpirun refused the command line (a file "
                                   "one node has and another lacks?)");
            rc = CLI_USAGE;
        }
    }
    return rc;
}

void
cli_opt_free(const cli_cmd *c, void *args)
{
    size_t i;
    cli_list *l;

    for (i = 0; i < c->n_opts; i++)
        if (c->opts[i].kind == CLI_OPT_LIST) {
            l = dest(&c->opts[i], args);
            free(l->v);
            l->v = NULL;
            l->n = 0;
        }
}

/* One entry of the option list: LEFT padded to the column, then the help's lines. */
static void
help_row(const char *left, const char *help, int width)
{
    const char *nl;
    int n = printf("  %s", left);

    for (;;) {
        nl = strchr(help, '\n');
        printf("%*s%.*s\n", n < width ? width - n : 1, "",
               (int)(nl != NULL ? nl - help : (long)strlen(help)), help);
        if (nl == NULL)
            return;
        help = nl + 1;
        n = 0;
    }
}

int
cli_opt_help(const cli_cmd *c)
{
    char left[96];
    size_t i;
    int width = c->width;

    fputs(c->usage, stdout);
    for (i = 0; i < c->n_opts; i++) {
        const cli_opt *o = &c->opts[i];

        if (o->kind == CLI_OPT_SECTION) {
            fputs(o->help, stdout);
            width = (int)o->min;
            continue;
        }
        if (o->help == NULL)
            continue;
        help_row(cli_opt_entry(o, left, sizeof left), o->help, width);
    }
    if (c->notes != NULL)
        fputs(c->notes, stdout);
    return cli_close_stdout(c->name) ? CLI_FAIL : CLI_OK;
}

int
cli_opt_given(const cli_parse *p, const char *name)
{
    size_t i;

    for (i = 0; i < p->cmd->n_opts; i++)
        if (cli_opt_is_option(&p->cmd->opts[i]) && strcmp(p->cmd->opts[i].name, name) == 0)
            return p->bad[i] ? -1 : p->raw[i] != NULL;
    return 0;
}
