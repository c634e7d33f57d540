/* SPDX-License-Identifier: MIT */
/*
 * cli_doc.c - the manual page and the bash completion of bpinv, made from the commands'
 * option tables (cli_opt.h): the same rows as their --help, so the three cannot drift.
 * `bpinv help --man` and `bpinv help --bash-completion` print them; `make` keeps
 * build/bpinv.1 and build/bpinv.bash, and `make install` installs them.
 */
#include <stdio.h>
#include <string.h>

#include "forward/fwd_method.h"
#include "tools/cli.h"
#include "tools/cli_opt.h"

/* Text as roff: backslashes escaped, '-' as \- (a minus, so options copy as typed), and a
 * line starting with '.' or '\'' guarded with \&. */
static void
roff_text(FILE *f, const char *s, size_t len)
{
    size_t k;
    int bol = 1;

    for (k = 0; k < len; k++) {
        char c = s[k];

        if (bol && (c == '.' || c == '\''))
            fputs("\\&", f);
        if (c == '\\')
            fputs("\\e", f);
        else if (c == '-')
            fputs("\\-", f);
        else
            fputc(c, f);
        bol = c == '\n';
    }
}

/* Preformatted text (a usage or the notes), kept line for line. */
static void
roff_verbatim(FILE *f, const char *s)
{
    size_t len = strlen(s);

    while (len > 0 && s[0] == '\n') /* the blank lines around are roff's business */
        s++, len--;
    while (len > 0 && s[len - 1] == '\n')
        len--;
    if (len == 0)
        return;
    fputs(".PP\n.nf\n", f);
    roff_text(f, s, len);
    fputs("\n.fi\n", f);
}

/* One option or operand of the table as a tagged paragraph. */
static void
roff_option(FILE *f, const cli_opt *o)
{
    char left[96];
    const char *h;

    cli_opt_entry(o, left, sizeof left); /* as --help names it */
    fputs(".TP\n.B ", f);
    roff_text(f, left, strlen(left));
    fputc('\n', f);
    for (h = o->help; *h != '\0'; h++) /* the help's line breaks are --help's layout */
        if (*h == '\n')
            fputc(' ', f);
        else
            roff_text(f, h, 1);
    fputc('\n', f);
}

/* The option list of a command: its rows in order, its sections as subheadings. */
static void
roff_command(FILE *f, const cli_command *c)
{
    const cli_cmd *t = c->cmd;
    size_t i;

    fprintf(f, ".SS \"bpinv %s\"\n", c->name);
    roff_text(f, c->summary, strlen(c->summary));
    fputs(".\n", f);
    roff_verbatim(f, t->usage);
    for (i = 0; i < t->n_opts; i++) {
        const cli_opt *o = &t->opts[i];

        if (o->kind == CLI_OPT_SECTION) {
            roff_verbatim(f, o->help);
            continue;
        }
        if (o->help != NULL)
            roff_option(f, o);
    }
    if (t->notes != NULL)
        roff_verbatim(f, t->notes);
}

void
cli_doc_man(FILE *f, const char *version)
{
    size_t k;

    fprintf(f,
            ".\\\" bpinv.1 - made by 'bpinv help --man' from the commands' option tables\n"
            ".TH BPINV 1 \"\" \"bpinv %s\" \"User Commands\"\n"
            ".SH NAME\n"
            "bpinv \\- geophysical 1D inversion with a trained backpropagation network\n"
            ".SH SYNOPSIS\n"
            ".B bpinv\n"
            ".I COMMAND\n"
            "[\\fIOPTIONS\\fR]\n"
            ".br\n"
            ".B bpinv help\n"
            "[\\fICOMMAND\\fR]\n"
            ".SH DESCRIPTION\n"
            "bpinv inverts 1D resistivity soundings (Schlumberger, Wenner) and magnetotelluric\n"
            "soundings with a network trained once on forward-modelled samples of a prior:\n"
            ".B samples\n"
            "draws the models and computes their responses,\n"
            ".B train\n"
            "trains the inverse network,\n"
            ".B invert\n"
            "inverts field soundings with it and checks each answer by the forward model.\n"
            ".SH COMMANDS\n",
            version);
    for (k = 0; k < cli_n_commands; k++)
        roff_command(f, &cli_commands[k]);
    fputs(".SH ENVIRONMENT\n"
          ".TP\n.B BPINV_READ_TIMEOUT\n"
          "seconds a command may take to read a net or samples file's header (1 to 86400;\n"
          "unset or empty: 60); a read that hangs in HDF5 is stopped with a message.\n"
          ".TP\n.B BPINV_HUGE_PAGES\n"
          "0: the heap in 4 KiB pages only. Otherwise (the default) invert and info put the\n"
          "first 2 MiB they allocate in one transparent huge page where the kernel allows it\n"
          "(/sys/kernel/mm/transparent_hugepage/enabled: always or madvise): one sounding's\n"
          "invert starts about 4 ms sooner where page faults are dear, as on virtual\n"
          "machines (now and then 7 ms later, when the kernel compacts memory for it).\n"
          ".TP\n.B OMP_NUM_THREADS\n"
          "the most threads of the OpenMP parts where a command has no \\-\\-threads option.\n"
          ".SH EXIT STATUS\n"
          "0 on success, 1 when a file could not be read or written (or, for invert, a\n"
          "sounding could not be read), 2 for a bad command line.\n"
          ".SH FILES\n"
          "Samples and net files are HDF5; their layout is in the guide formats.md.\n"
          ".SH SEE ALSO\n"
          ".BR h5dump (1),\n"
          "the guides: docs/ in the source tree, installed by make install in\n"
          "share/doc/bpinv/docs under its prefix (forward.md, samples.md, train.md,\n"
          "invert.md, formats.md, install.md, python.md).\n",
          f);
}

/* The long options of a table, space-separated. */
static void
bash_words(FILE *f, const cli_cmd *t)
{
    size_t i;

    for (i = 0; i < t->n_opts; i++)
        if (cli_opt_is_option(&t->opts[i]))
            fprintf(f, "%s--%s", i ? " " : "", t->opts[i].name);
}

void
cli_doc_bash(FILE *f)
{
    size_t k;

    fputs("# bash completion for bpinv - made by 'bpinv help --bash-completion'\n"
          "_bpinv() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} opts\n"
          "    if [ \"$COMP_CWORD\" -eq 1 ]; then\n"
          "        COMPREPLY=($(compgen -W \"",
          f);
    for (k = 0; k < cli_n_commands; k++)
        fprintf(f, "%s ", cli_commands[k].name);
    fputs("help --help --version\" -- \"$cur\"))\n"
          "        return\n"
          "    fi\n"
          "    case ${COMP_WORDS[1]} in\n",
          f);
    for (k = 0; k < cli_n_commands; k++) {
        fprintf(f, "    %s) opts=\"", cli_commands[k].name);
        bash_words(f, cli_commands[k].cmd);
        fputs("\" ;;\n", f);
    }
    fputs("    help) COMPREPLY=($(compgen -W \"", f);
    for (k = 0; k < cli_n_commands; k++)
        fprintf(f, "%s%s", k ? " " : "", cli_commands[k].name);
    fputs("\" -- \"$cur\")); return ;;\n"
          "    *) return ;;\n"
          "    esac\n"
          "    case $prev in\n"
          "    -m|--method) COMPREPLY=($(compgen -W \"",
          f);
    for (k = 0; k < FWD_N_METHODS; k++)
        fprintf(f, "%s%s", k ? " " : "", fwd_method_name((fwd_method)k));
    fputs("\" -- \"$cur\")); return ;;\n"
          "    --component) COMPREPLY=($(compgen -W \"det xy yx berd\" -- \"$cur\")); return ;;\n"
          "    --format) COMPREPLY=($(compgen -W \"csv json\" -- \"$cur\")); return ;;\n"
          "    --filter) COMPREPLY=($(compgen -W \"shared key201\" -- \"$cur\")); return ;;\n"
          "    --activation) COMPREPLY=($(compgen -W \"tanh sigmoid\" -- \"$cur\")); return ;;\n"
          "    --optimizer) COMPREPLY=($(compgen -W \"adam sgd\" -- \"$cur\")); return ;;\n"
          "    esac\n"
          "    if [[ $cur == -* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
          "    else\n"
          "        COMPREPLY=($(compgen -f -- \"$cur\"))\n"
          "    fi\n"
          "}\n"
          "complete -o filenames -F _bpinv bpinv\n",
          f);
}
