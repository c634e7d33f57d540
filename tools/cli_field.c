/* SPDX-License-Identifier: MIT */
/*
 * cli_field.c - library errors in bpinv's words: the input a library names by its field id
 * (forward/base/fwd_error.h) becomes the option that sets it.
 */
#include <stdio.h>
#include <string.h>

#include "forward/base/fwd_error.h"
#include "tools/cli.h"

/* The option that sets each field id (as bpinv forward and samples name them). */
static const struct {
    const char *field, *option;
} options[] = {{"layers", "--layers"}, {"rho", "--rho"},   {"thick", "--thick"},
               {"noise", "--noise"},   {"seed", "--seed"}, {"mn2", "--mn2"}};

/*
 * Where a library message names an input in the middle of a sentence: its words (as the
 * library's header documents them), and bpinv's. field NULL: any message with a field.
 */
static const struct {
    const char *field, *lib, *cli;
} phrases[] = {
    /* smp_file_resume: a file that differs from the run that continues it */
    {NULL, " differs from this run (the file has ",
     " differs from this command line (the file has "},
    {NULL, "; resuming needs the settings of the run that made the file",
     "; --resume needs the same arguments as the run that made the file"},
    {"layers", ": n_layers differs ", ": n_layers (--layers) differs "},
    {"seed", ": seed differs ", ": seed (--seed) differs "},
    {"noise", ": noise differs ", ": noise (--noise) differs "},
    {"rho", ": rho prior differs ", ": prior (--rho) differs "},
    {"thick", ": thick prior differs ", ": prior (--thick) differs "},
    {"mn2", ", not MN/2 given)", ", not MN/2 given (--mn2))"},
    /* smp_h5_read_prior: a file's prior, in the words of the options */
    {"rho", ": prior attributes: rho: ", ": prior attributes: --rho: "},
    {"thick", ": prior attributes: thick: ", ": prior attributes: --thick: "},
    /* smp_reader_open: a file cut in a write */
    {"resume", "continue the run that made it,", "continue it with 'bpinv samples ... --resume',"},
};

/* The rendering's room: a library message, grown by the few phrases a message holds. */
enum { TEXT_SIZE = 4 * FWD_ERROR_MSG_SIZE };

/* Replaces len bytes of s at `at` (inside s) with `with`, cutting what does not fit. */
static void
splice(char *s, char *at, size_t len, const char *with)
{
    char tail[TEXT_SIZE];

    snprintf(tail, sizeof tail, "%s", at + len);
    snprintf(at, TEXT_SIZE - (size_t)(at - s), "%s%s", with, tail);
}

/* Rewrites the library's names for err's field in s (TEXT_SIZE bytes) with bpinv's. */
static void
name_options(char *s, const fwd_error *err)
{
    size_t i;
    char *at;

    /* "ID: ..." about the value given for the input */
    for (i = 0; i < sizeof options / sizeof options[0]; i++)
        if (strcmp(err->field, options[i].field) == 0 &&
            strncmp(s, options[i].field, strlen(options[i].field)) == 0 &&
            strncmp(s + strlen(options[i].field), ": ", 2) == 0) {
            splice(s, s, strlen(options[i].field), options[i].option);
            break;
        }
    for (i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
        if ((phrases[i].field == NULL || strcmp(err->field, phrases[i].field) == 0) &&
            (at = strstr(s, phrases[i].lib)) != NULL)
            splice(s, at, strlen(phrases[i].lib), phrases[i].cli);
}

void
cli_lib_error(const char *cmd, const fwd_error *err)
{
    char s[TEXT_SIZE];
    size_t n;

    snprintf(s, sizeof s, "%s", err->msg);
    if (err->field[0] != '\0')
        name_options(s, err);
    if (err->code == FWD_EEXIST) {
        /* samples is the one command that can continue an existing file */
        n = strlen(s);
        snprintf(s + n, sizeof s - n, " (use --force to replace it%s)",
                 strcmp(cmd, "samples") == 0 ? ", --resume to continue it" : "");
    }
    /* no longer than the library's message could be, as when it named the options itself */
    cli_error(cmd, "%.*s", FWD_ERROR_MSG_SIZE - 1, s);
}
