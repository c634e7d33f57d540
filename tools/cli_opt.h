/* SPDX-License-Identifier: MIT */
/*
 * cli_opt.h - a command's options, declared once in a table: getopt_long's arrays, the
 * checks of the values (each problem reported by the option's name) and the option list of
 * --help are all made from it.
 *
 * A command keeps its values in a struct of its own, holding their defaults; each row says
 * where its value goes (offsetof). cli_opt_parse reads the command line in two steps:
 * getopt_long stores the flags and strings as given, then the rows are checked in table
 * order (required rows present, numbers in range), the CLI_OPT_CHECK rows (checks of
 * several values, or of the operands) in their places.
 */
#ifndef BPINV_CLI_OPT_H
#define BPINV_CLI_OPT_H

#include <stddef.h>

/* What cli_opt_parse returns when the command is to run (otherwise its exit status). */
#define CLI_RUN (-1)

/* The most rows a table may have. */
#define CLI_OPT_MAX 48

typedef enum cli_opt_kind {
    CLI_OPT_FLAG,     /* no value: sets an int to 1 */
    CLI_OPT_STRING,   /* a const char *, as given (NULL when absent) */
    CLI_OPT_LONG,     /* a long from min to max */
    CLI_OPT_REAL,     /* a finite double from lo to hi */
    CLI_OPT_REAL_OPT, /* an optional value (--name or --name=V): a double from lo to hi, or
                         dflt when given bare; the int at dest2 set to 1 when given */
    CLI_OPT_LIST,     /* a comma list of numbers > 0: a cli_list (cli_opt_free frees it) */
    CLI_OPT_HELP,     /* prints the help on stdout, and the command stops there */
    CLI_OPT_CHECK,    /* not an option: .check, run at its place among the checks */
    CLI_OPT_SECTION   /* not an option: .help printed as a heading in the option list; the
                       * rows below it start their help at column .min */
} cli_opt_kind;

/* A CLI_OPT_LIST value: n numbers (malloc'd; NULL when the option is absent). */
typedef struct cli_list {
    double *v;
    size_t n;
} cli_list;

struct cli_parse;

/* One row. Set only the members the row needs (designated initializers). */
typedef struct cli_opt {
    cli_opt_kind kind;
    const char *name;    /* long name without "--" */
    int key;             /* short option letter, or 0 */
    const char *meta;    /* the value's name in the help ("PATH"); NULL for a flag */
    const char *help;    /* the help text, each '\n' continuing at the help column;
                          * NULL: not in the option list (the notes describe it) */
    size_t dest;         /* where the value goes: offsetof() in the command's struct */
    long min, max;       /* the range of LONG; SECTION: min is the new help column */
    double lo, hi;       /* the range of REAL */
    double dflt;         /* REAL_OPT: the value of a bare --name */
    size_t dest2;        /* REAL_OPT: offsetof() the int set when the option is given */
    const char *missing; /* required: the message is "LABEL: missing; " and this */
    int join;            /* STRING: given again, the values joined by commas (not the last) */
    /* CLI_OPT_CHECK: prints every problem it finds and returns 0, CLI_USAGE or CLI_FAIL;
     * the state of the parse (the operands, the rows already checked) is in p */
    int (*check)(const struct cli_parse *p, void *args);
} cli_opt;

/* Rows, each in one line of a table. missing: NULL for an optional value, else the text
 * after "LABEL: missing; ". */
#define CLI_STRING(nm, k, mt, d, miss, h)                                                          \
    {                                                                                              \
        .kind = CLI_OPT_STRING, .name = nm, .key = k, .meta = mt, .dest = d, .missing = miss,      \
        .help = h                                                                                  \
    }
/* A comma list that may be given in several parts: --fix rho3=20 --fix h1=2 */
#define CLI_STRING_JOIN(nm, k, mt, d, miss, h)                                                     \
    {                                                                                              \
        .kind = CLI_OPT_STRING, .name = nm, .key = k, .meta = mt, .dest = d, .missing = miss,      \
        .help = h, .join = 1                                                                       \
    }
#define CLI_LONG(nm, k, mt, d, mn, mx, miss, h)                                                    \
    {                                                                                              \
        .kind = CLI_OPT_LONG, .name = nm, .key = k, .meta = mt, .dest = d, .min = mn, .max = mx,   \
        .missing = miss, .help = h                                                                 \
    }
#define CLI_REAL(nm, k, mt, d, l, u, h)                                                            \
    {                                                                                              \
        .kind = CLI_OPT_REAL, .name = nm, .key = k, .meta = mt, .dest = d, .lo = l, .hi = u,       \
        .help = h                                                                                  \
    }
#define CLI_REAL_OPT(nm, mt, d, given, l, u, df, h)                                                \
    {                                                                                              \
        .kind = CLI_OPT_REAL_OPT, .name = nm, .meta = mt, .dest = d, .dest2 = given, .lo = l,      \
        .hi = u, .dflt = df, .help = h                                                             \
    }
#define CLI_LIST(nm, k, mt, d, miss, h)                                                            \
    {                                                                                              \
        .kind = CLI_OPT_LIST, .name = nm, .key = k, .meta = mt, .dest = d, .missing = miss,        \
        .help = h                                                                                  \
    }
#define CLI_FLAG(nm, k, d, h)                                                                      \
    {                                                                                              \
        .kind = CLI_OPT_FLAG, .name = nm, .key = k, .dest = d, .help = h                           \
    }
#define CLI_HELP                                                                                   \
    {                                                                                              \
        .kind = CLI_OPT_HELP, .name = "help", .key = 'h', .help = "this text"                      \
    }
#define CLI_CHECK(fn)                                                                              \
    {                                                                                              \
        .kind = CLI_OPT_CHECK, .check = fn                                                         \
    }
/* A non-option in the option list (an operand): META, then its help, checked by fn. */
#define CLI_OPERAND(mt, fn, h)                                                                     \
    {                                                                                              \
        .kind = CLI_OPT_CHECK, .meta = mt, .check = fn, .help = h                                  \
    }
#define CLI_SECTION(text, col)                                                                     \
    {                                                                                              \
        .kind = CLI_OPT_SECTION, .help = text, .min = col                                          \
    }

/* A command: its table and the help around the option list. */
typedef struct cli_cmd {
    const char *name;  /* "train": messages start "bpinv train: " */
    const char *usage; /* the help before the option list */
    const char *notes; /* the help after it; NULL for none */
    const cli_opt *opts;
    size_t n_opts;
    int width;      /* the column of the help texts */
    int operands;   /* most operands after the options; -1 any number */
    int keep_going; /* check the values after an unknown option too */
} cli_cmd;

/* The state of a parse, for CLI_OPT_CHECK rows. */
typedef struct cli_parse {
    const cli_cmd *cmd;
    int argc;
    char **argv;
    int first;                      /* argv[first..argc-1] are the operands */
    const char *raw[CLI_OPT_MAX];   /* each row's value as given (the last), NULL if absent */
    unsigned char bad[CLI_OPT_MAX]; /* the row's value was reported bad */
} cli_parse;

/*
 * Reads the command line of c (argv[0] is the command's name) into args; with p (may be
 * NULL) keeps the state for the caller (p->first: the first operand). Prints every problem
 * by the option's name ("bpinv train: --epochs: expected an integer from 1 to 100000000,
 * got \"x\""). Returns CLI_RUN when the command is to run; otherwise its exit status:
 * CLI_OK after --help, CLI_USAGE after a bad command line, CLI_FAIL when out of memory or
 * the help could not be written. The caller frees the lists (cli_opt_free) on any return.
 */
int cli_opt_parse(const cli_cmd *c, int argc, char **argv, void *args, cli_parse *p);

/* Frees the CLI_OPT_LIST values of c in args. */
void cli_opt_free(const cli_cmd *c, void *args);

/* Writes c's help to stdout: usage, the option list, notes. Returns CLI_OK, or CLI_FAIL
 * after a message when stdout could not be written. */
int cli_opt_help(const cli_cmd *c);

/* Whether row o is an option (not a check or a section heading). */
int cli_opt_is_option(const cli_opt *o);

/* Row o as the option list of --help (and the manual page) names it, into buf:
 * "-o, --output PATH", "--ranges[=PCT]", or an operand's META. Returns buf. */
const char *cli_opt_entry(const cli_opt *o, char *buf, size_t size);

/* Whether the row named name was given (1) or not (0), for CLI_OPT_CHECK rows; -1 if it was
 * given a bad value (already reported). */
int cli_opt_given(const cli_parse *p, const char *name);

#endif /* BPINV_CLI_OPT_H */
