/* SPDX-License-Identifier: MIT */
/*
 * test_cli_stop.c - stop signals (tools/cli.c): a stop where none is looked for ends the
 * process at once but says so; a stop delivered twice at once (GNU timeout, a terminal's
 * Ctrl-C) is one stop; a second stop later ends the process at once. Each case runs in a
 * child process, its standard error and status read by the test.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "tools/cli.h"

/* Runs body in a child whose standard error is a pipe; its text into out (cap bytes), its
 * wait status returned. */
static int
in_child(void (*body)(void), char *out, size_t cap)
{
    int fd[2], status = 0;
    size_t n = 0;
    ssize_t r;
    pid_t pid;

    cr_assert_eq(pipe(fd), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], STDERR_FILENO);
        body();
        _exit(99);
    }
    close(fd[1]);
    while (n + 1 < cap && (r = read(fd[0], out + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    out[n] = '\0';
    close(fd[0]);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return status;
}

static void
said_body(void)
{
    cli_say_on_stop("train", "while s.h5 was read: nothing trained, n.h5 not made");
    raise(SIGINT);
}

Test(cli_stop, a_stop_where_none_is_looked_for_is_said)
{
    char out[512];
    int st = in_child(said_body, out, sizeof out);

    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "status %d", st);
    cr_assert_str_eq(out, "bpinv train: interrupted while s.h5 was read: nothing trained, n.h5 "
                          "not made\n");
}

static void
twice_at_once_body(void)
{
    struct sigaction a, b;

    cli_catch_stop(&a, &b);
    raise(SIGTERM);
    raise(SIGTERM); /* the same stop, as timeout's to the process and to its group */
    _exit(cli_stop_signal == SIGTERM ? 7 : 8);
}

Test(cli_stop, a_stop_delivered_twice_is_one)
{
    char out[512];
    int st = in_child(twice_at_once_body, out, sizeof out);

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %d: %s", st, out);
    cr_assert_str_eq(out, "");
}

static void
second_body(void)
{
    struct sigaction a, b;

    cli_catch_stop(&a, &b);
    raise(SIGINT);
    sleep(3); /* past the 2 s in which a repeat is the same stop */
    raise(SIGINT);
    _exit(8);
}

Test(cli_stop, a_second_stop_ends_at_once)
{
    char out[512];
    int st = in_child(second_body, out, sizeof out);

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGINT, "status %d: %s", st, out);
    cr_assert_str_eq(out, "bpinv: a second stop signal: ended at once, without saving more\n");
}

static void
usr1_body(void)
{
    struct sigaction a, b;

    cli_catch_stop(&a, &b);
    raise(SIGUSR1); /* mpirun's forwarded stop: caught, not the default's end */
    _exit(cli_stop_signal == SIGUSR1 ? 7 : 8);
}

Test(cli_stop, sigusr1_is_a_stop)
{
    char out[512];
    int st = in_child(usr1_body, out, sizeof out);

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %d: %s", st, out);
}

static void
later_body(void)
{
    struct sigaction a, b;
    struct timespec pause = {1, 100000000}; /* 1.1 s: within the 2 s of one stop */

    cli_catch_stop(&a, &b);
    raise(SIGTERM);
    nanosleep(&pause, NULL);
    raise(SIGTERM);
    _exit(cli_stop_signal == SIGTERM ? 7 : 8);
}

Test(cli_stop, a_stop_again_within_2_s_is_the_same)
{
    char out[512];
    int st = in_child(later_body, out, sizeof out);

    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 7, "status %d: %s", st, out);
    cr_assert_str_eq(out, "");
}

static void
said_then_caught_body(void)
{
    struct sigaction a, b;

    cli_say_on_stop("train", "while s.h5 was read");
    cli_catch_stop(&a, &b); /* the step over: its line is not the handler to come back */
    cli_restore_stop(&a, &b);
    raise(SIGINT);
    _exit(8);
}

Test(cli_stop, the_said_line_ends_with_its_step)
{
    char out[512];
    int st = in_child(said_then_caught_body, out, sizeof out);

    cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "status %d", st);
    cr_assert_str_eq(out, "", "the read's line after the read: %s", out);
}
