/* SPDX-License-Identifier: MIT */
/*
 * test_cli_opt.c - the option tables of the bpinv commands (tools/cli_opt.h): values stored
 * by kind, every problem reported by the option's name, the checks in table order, --help
 * laid out from the rows.
 */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include "tools/cli.h"
#include "tools/cli_opt.h"

struct args {
    const char *name, *other;
    long n;
    double x;
    cli_list list;
    int flag;
    int checked; /* what check_order saw, and when */
};

#define ARG(m) offsetof(struct args, m)

/* Runs after the rows above it: records what it saw of n (given, and its value). */
static int
check_order(const cli_parse *p, void *args)
{
    struct args *a = args;

    a->checked = 100 * (cli_opt_given(p, "n") + 2) + (int)a->n;
    return 0;
}

static int
check_operands(const cli_parse *p, void *args)
{
    (void)args;
    if (p->argc - p->first == 1)
        return 0;
    cli_error("t", "expected one FILE, got %d", p->argc - p->first);
    return CLI_USAGE;
}

static const cli_opt rows[] = {
    CLI_OPERAND("FILE", check_operands, "the file to read"),
    CLI_STRING("name", 'o', "PATH", ARG(name), "expected a path", "where to write (required)"),
    CLI_LONG("n", 0, "N", ARG(n), 1, 5, NULL, "a count from 1 to 5 [3]"),
    CLI_CHECK(check_order),
    CLI_REAL("x", 0, "X", ARG(x), 0, 1, "a fraction\nwith a second line [0.5]"),
    CLI_LIST("list", 0, "L", ARG(list), NULL, "numbers > 0"),
    CLI_FLAG("flag", 'f', ARG(flag), "a flag"),
    CLI_HELP,
    CLI_SECTION("\nMORE:\n", 12),
    CLI_STRING("hidden", 0, NULL, ARG(name), NULL, NULL),
    CLI_FLAG("late", 0, ARG(flag), "in a section"),
};

static const cli_cmd cmd = {
    "t", "usage: t FILE\n\n", "\nnotes\n", rows, sizeof rows / sizeof rows[0], 20, 1, 0};

/* Parses the NULL-terminated words (argv[0] is "t") into a, with the defaults set. */
static int
parse(const cli_cmd *c, struct args *a, cli_parse *p, const char **words)
{
    static char buf[32][64];
    static char *argv[32];
    int argc = 0;

    memset(a, 0, sizeof *a);
    a->n = 3;
    a->x = 0.5;
    snprintf(buf[0], sizeof buf[0], "t");
    argv[argc++] = buf[0];
    for (; *words != NULL; words++, argc++) {
        snprintf(buf[argc], sizeof buf[argc], "%s", *words);
        argv[argc] = buf[argc];
    }
    argv[argc] = NULL;
    return cli_opt_parse(c, argc, argv, a, p);
}

#define PARSE(a, p, ...) parse(&cmd, a, p, (const char *[]){__VA_ARGS__, NULL})

Test(cli_opt, values_by_kind)
{
    struct args a;
    cli_parse p;

    cr_assert_eq(
        PARSE(&a, &p, "-o", "out", "--n", "5", "--x=0.25", "--list", "1,2.5", "-f", "file"),
        CLI_RUN);
    cr_assert_str_eq(a.name, "out");
    cr_assert_eq(a.n, 5);
    cr_assert_eq(a.x, 0.25);
    cr_assert(a.list.n == 2 && a.list.v[0] == 1 && a.list.v[1] == 2.5);
    cr_assert_eq(a.flag, 1);
    cr_assert_eq(a.checked, 100 * 3 + 5, "the check ran before n was stored: %d", a.checked);
    cr_assert_eq(p.first, p.argc - 1);
    cr_assert_str_eq(p.argv[p.first], "file");
    cli_opt_free(&cmd, &a);
    cr_assert(a.list.v == NULL && a.list.n == 0);
}

/* -0 is 0: stored with its sign, it came out as "-0" in the files and in bpinv info */
Test(cli_opt, negative_zero_is_zero)
{
    struct args a;
    cli_parse p;

    cr_assert_eq(PARSE(&a, &p, "-o", "out", "--n", "5", "--x=-0", "--list", "1", "-f", "file"),
                 CLI_RUN);
    cr_assert_eq(a.x, 0);
    cr_assert(!signbit(a.x), "-0 kept its sign");
    cli_opt_free(&cmd, &a);
}

/* An option given in parts (CLI_STRING_JOIN): the values joined by commas, in order,
 * whatever lies between them; a plain one given twice keeps the last; parts too long
 * together are refused by the option's name, to the character. */
Test(cli_opt, joined_in_order, .init = cr_redirect_stderr)
{
    static const cli_opt jrows[] = {
        CLI_STRING_JOIN("fix", 0, "LIST", ARG(name), NULL, "parts"),
        CLI_STRING("last", 0, "S", ARG(other), NULL, "the last"),
    };
    static const cli_cmd jcmd = {"t", "usage: t\n", NULL, jrows, 2, 20, 0, 0};
    struct args a;
    cli_parse p;

    cr_assert_eq(parse(&jcmd, &a, &p,
                       (const char *[]){"--fix", "rho3=2", "--last", "a", "--fix=h1=3", "--last",
                                        "b", "--fix", "depth2=4", NULL}),
                 CLI_RUN);
    cr_expect_str_eq(a.name, "rho3=2,h1=3,depth2=4");
    cr_expect_str_eq(a.other, "b");
    cr_assert_eq(
        parse(&jcmd, &a, &p,
              (const char *[]){"--fix", "a", "--fix", "b", "--fix", "c", "--fix", "d", NULL}),
        CLI_RUN);
    cr_expect_str_eq(a.name, "a,b,c,d");
    cr_assert_eq(parse(&jcmd, &a, &p, (const char *[]){"--fix", "rho3=2", NULL}), CLI_RUN);
    cr_expect_str_eq(a.name, "rho3=2", "one part: as given");
}

/* Two joined options given in turn, 2 x 400 parts of 4 characters: each keeps its own parts
 * (the room is linear in the command line: 400 x 5 - 1 = 1,999 characters each); then one
 * of exactly 4,095 characters joined, and one of 4,096 refused, once and by its name, while
 * the other is joined as given. */
Test(cli_opt, joined_interleaved_to_the_limit, .init = cr_redirect_stderr)
{
    static const cli_opt jrows[] = {
        CLI_STRING_JOIN("fix", 0, "LIST", ARG(name), NULL, "parts"),
        CLI_STRING_JOIN("bound", 0, "LIST", ARG(other), NULL, "parts"),
    };
    static const cli_cmd jcmd = {"t", "usage: t\n", NULL, jrows, 2, 20, 0, 0};
    static char word[800][8], big[2][4096], t[] = "t", fix[] = "--fix", bound[] = "--bound";
    static char *argv[1700];
    char want[2][2048];
    size_t k, w[2] = {0, 0};
    struct args a;
    cli_parse p;

    argv[0] = t;
    for (k = 0; k < 800; k++) {
        snprintf(word[k], sizeof word[k], "%c%03zu", k % 2 ? 'b' : 'f', k / 2);
        argv[2 * k + 1] = k % 2 ? bound : fix;
        argv[2 * k + 2] = word[k];
        w[k % 2] += (size_t)snprintf(want[k % 2] + w[k % 2], sizeof want[0] - w[k % 2], "%s%s",
                                     k < 2 ? "" : ",", word[k]);
    }
    argv[1601] = NULL;
    memset(&a, 0, sizeof a);
    cr_assert_eq(cli_opt_parse(&jcmd, 1601, argv, &a, &p), CLI_RUN);
    cr_expect_eq(strlen(a.name), 1999);
    cr_expect_str_eq(a.name, want[0]);
    cr_expect_str_eq(a.other, want[1]);
    /* --fix of 2,047 + 1 + 2,047 characters: 4,095 */
    memset(big[0], 'x', 2047);
    memset(big[1], 'y', 2047);
    argv[1] = fix, argv[2] = big[0], argv[3] = bound, argv[4] = word[1], argv[5] = fix;
    argv[6] = big[1], argv[7] = bound, argv[8] = word[3], argv[9] = NULL;
    memset(&a, 0, sizeof a);
    cr_assert_eq(cli_opt_parse(&jcmd, 9, argv, &a, &p), CLI_RUN);
    cr_expect_eq(strlen(a.name), 4095);
    cr_expect(a.name[2047] == ',' && a.name[2048] == 'y' && a.name[4094] == 'y');
    cr_expect_str_eq(a.other, "b000,b001");
    big[1][2047] = 'y'; /* 4,096 */
    memset(&a, 0, sizeof a);
    cr_expect_eq(cli_opt_parse(&jcmd, 9, argv, &a, &p), CLI_USAGE);
    cr_expect_eq(cli_opt_given(&p, "fix"), -1);
    cr_expect_str_eq(a.other, "b000,b001", "the other option joined all the same");
    fflush(stderr);
    cr_expect_stderr_eq_str("bpinv t: --fix: the values given are longer than 4095 characters "
                            "together\n");
}

Test(cli_opt, defaults_kept_when_absent)
{
    struct args a;
    cli_parse p;

    cr_assert_eq(PARSE(&a, &p, "file", "-o", "out"), CLI_RUN);
    cr_assert(a.n == 3 && a.x == 0.5 && a.list.v == NULL && a.flag == 0);
    cr_assert_eq(a.checked, 100 * 2 + 3);
    cr_assert_eq(cli_opt_given(&p, "x"), 0);
    cr_assert_eq(cli_opt_given(&p, "name"), 1);
    cr_assert_eq(cli_opt_given(&p, "no-such-option"), 0);
}

Test(cli_opt, every_problem_by_its_name, .init = cr_redirect_stderr)
{
    struct args a;
    cli_parse p;

    cr_assert_eq(PARSE(&a, &p, "--n", "9", "--x", "nan", "--list", "1:2", "file"), CLI_USAGE);
    /* the check after n knows it was bad */
    cr_assert_eq(a.checked, 100 * 1 + (int)a.n);
    cli_opt_free(&cmd, &a);
    fflush(stderr);
    cr_assert_stderr_eq_str("bpinv t: -o/--name: missing; expected a path\n"
                            "bpinv t: --n: expected an integer from 1 to 5, got \"9\"\n"
                            "bpinv t: --x: expected a number from 0 to 1, got \"nan\"\n"
                            "bpinv t: --list: expected a comma list of numbers > 0, got \"1:2\"\n");
}

Test(cli_opt, operands_checked, .init = cr_redirect_stderr)
{
    struct args a;

    cr_assert_eq(PARSE(&a, NULL, "-o", "out"), CLI_USAGE);
    cr_assert_eq(PARSE(&a, NULL, "-o", "out", "a", "b"), CLI_USAGE);
    fflush(stderr);
    cr_assert_stderr_eq_str("bpinv t: expected one FILE, got 0\n"
                            "bpinv t: unexpected argument \"b\"; try 'bpinv t --help'\n");
}

Test(cli_opt, unknown_option_stops_unless_keep_going, .init = cr_redirect_stderr)
{
    cli_cmd going = cmd;
    struct args a;

    cr_assert_eq(PARSE(&a, NULL, "--bogus", "--n", "0", "file"), CLI_USAGE);
    cr_assert_eq(a.checked, 0, "checks ran after an unknown option");
    cr_assert_eq(PARSE(&a, NULL, "file", "-o", "x", "--n"), CLI_USAGE);
    going.keep_going = 1;
    cr_assert_eq(parse(&going, &a, NULL, (const char *[]){"--bogus", "-o", "x", "file", NULL}),
                 CLI_USAGE);
    cr_assert_neq(a.checked, 0, "keep_going: the checks did not run");
    fflush(stderr);
    cr_assert_stderr_eq_str("bpinv t: unknown option \"--bogus\"; try 'bpinv t --help'\n"
                            "bpinv t: --n: missing its value\n"
                            "bpinv t: unknown option \"--bogus\"; try 'bpinv t --help'\n");
}

Test(cli_opt, help_from_the_rows, .init = cr_redirect_stdout)
{
    struct args a;

    /* --help wins over anything else on the line, even a bad value */
    cr_assert_eq(PARSE(&a, NULL, "--n", "99", "--help"), CLI_OK);
    fflush(stdout);
    cr_assert_stdout_eq_str("usage: t FILE\n\n"
                            "  FILE              the file to read\n"
                            "  -o, --name PATH   where to write (required)\n"
                            "  --n N             a count from 1 to 5 [3]\n"
                            "  --x X             a fraction\n"
                            "                    with a second line [0.5]\n"
                            "  --list L          numbers > 0\n"
                            "  -f, --flag        a flag\n"
                            "  -h, --help        this text\n"
                            "\nMORE:\n"
                            "  --late    in a section\n"
                            "\nnotes\n");
}

/* Library errors in bpinv's words (tools/cli_field.c): the field's option, the --force hint. */
Test(cli_field, option_named_and_force_hint, .init = cr_redirect_stderr)
{
    fwd_error err;

    fwd_error_set_field(&err, FWD_EINVAL, "rho", "rho: layer 2: expected MIN < MAX");
    cli_lib_error("samples", &err);
    fwd_error_set_field(&err, FWD_EINVAL, "layers", "f.h5: n_layers differs from this run");
    cli_lib_error("samples", &err);
    fwd_error_set(&err, FWD_EEXIST, "net.h5: exists");
    cli_lib_error("train", &err);
    cli_lib_error("samples", &err);
    fwd_error_set(&err, FWD_EINVAL, "rho: not a field, so not renamed");
    cli_lib_error("forward", &err);
    fflush(stderr);
    cr_assert_stderr_eq_str(
        "bpinv samples: --rho: layer 2: expected MIN < MAX\n"
        "bpinv samples: f.h5: n_layers (--layers) differs from this run\n"
        "bpinv train: net.h5: exists (use --force to replace it)\n"
        "bpinv samples: net.h5: exists (use --force to replace it, --resume to continue it)\n"
        "bpinv forward: rho: not a field, so not renamed\n");
}
