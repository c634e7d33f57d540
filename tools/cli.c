/* SPDX-License-Identifier: MIT */
/*
 * cli.c - messages and option parsing shared by the bpinv subcommands.
 */
/* sigaltstack() and SA_ONSTACK are XSI */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fcntl.h>
#include <omp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "forward/base/fwd_time.h"
#include "forward/base/fwd_io.h"
#include "forward/fwd_geom.h"
#include "samples/smp_file.h"
#include "tools/cli.h"
#include "tools/cli_par.h"

/* cli_error's line, of fmt and ap. */
static void
verror(const char *cmd, const char *fmt, va_list ap)
{
    char line[2048];
    va_list again;
    int n = snprintf(line, sizeof line, "bpinv %s: ", cmd), m;

    /* the line in one write where it fits, so that the lines of processes writing to one
     * stream (the ranks of mpirun) do not cut into each other */
    va_copy(again, ap);
    m = n >= 0 && (size_t)n < sizeof line ? vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap)
                                          : -1;
    if (m >= 0 && (size_t)n + (size_t)m + 1 < sizeof line) {
        line[n + m] = '\n';
        fwrite(line, 1, (size_t)n + (size_t)m + 1, stderr);
    } else {
        fprintf(stderr, "bpinv %s: ", cmd); /* a longer message: as it comes */
        vfprintf(stderr, fmt, again);
        fputc('\n', stderr);
    }
    va_end(again);
}

void
cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    verror(cmd, fmt, ap);
    va_end(ap);
}

void
cli_error_agreed(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    if (cli_par_rank() == 0) {
        va_start(ap, fmt);
        verror(cmd, fmt, ap);
        va_end(ap);
    }
    cli_par_agree(); /* every rank ends here: rank 0's word out before mpirun ends them */
}

void
cli_note_threads(const char *cmd, long asked, long busy, int quiet)
{
    int cores = omp_get_num_procs();

    if (!quiet && busy > cores)
        fprintf(stderr,
                "bpinv %s: note: -j %ld is more threads than the %d core%s this process may use: "
                "slower, not faster (the results are the same)\n",
                cmd, asked, cores, cores == 1 ? "" : "s");
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

int
cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long hi, long *v)
{
    char *end = NULL;

    errno = 0;
    *v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE || *v < lo || *v > hi) {
        cli_error(cmd, "%s: expected an integer from %ld to %ld, got \"%s\"", opt, lo, hi, s);
        return -1;
    }
    return 0;
}

/* Complains about a geometry option (--key) given for a method that has no use for it. */
static int
stray(const char *cmd, const char *key, const char *val, fwd_method m)
{
    if (val == NULL)
        return 0;
    cli_error(cmd, "--%s: not an option of method %s, got \"%s\"", key, fwd_method_name(m), val);
    return 1;
}

int
cli_geometry(const char *cmd, fwd_method m, const struct cli_geom_opts *o, fwd_geom **g)
{
    const fwd_method_info *mi = fwd_method_get(m);
    /* the geometry options, each named --KEY after its quantity (fwd_method_info.x_key and
     * MN/2), in the order they are checked */
    const struct {
        const char *key, *val;
    } geo[] = {{"ab2", o->ab2}, {"mn2", o->mn2}, {"a", o->a}, {"period", o->period}};
    const char *spec = NULL;
    char xopt[32];
    fwd_error err;
    size_t k;
    int bad = 0, used;

    *g = NULL;
    snprintf(xopt, sizeof xopt, "--%s", mi->x_key);
    for (k = 0; k < sizeof geo / sizeof geo[0]; k++)
        if (strcmp(geo[k].key, mi->x_key) == 0)
            spec = geo[k].val;
    if (spec == NULL) {
        cli_error(cmd, "%s: missing; %s %s sounding needs %s, %s", xopt, mi->article, mi->name,
                  mi->x_plural, mi->x_unit);
        bad = 1;
    }
    for (k = 0; k < sizeof geo / sizeof geo[0]; k++) {
        used =
            strcmp(geo[k].key, mi->x_key) == 0 || (mi->has_mn2 && strcmp(geo[k].key, "mn2") == 0);
        bad |= stray(cmd, geo[k].key, used ? NULL : geo[k].val, m);
    }
    if (bad)
        return -1;
    *g = fwd_geom_parse(m, spec, o->mn2, xopt, "--mn2", &err);
    if (*g != NULL)
        return 0;
    cli_error(cmd, "%s", err.msg);
    return err.code == FWD_ENOMEM ? -2 : -1;
}

double
cli_now(void)
{
    return fwd_time_seconds();
}

int
cli_progress_on(int quiet, int asked)
{
    return !quiet && (asked || isatty(STDERR_FILENO));
}

volatile sig_atomic_t cli_stop_signal = 0;

/* Writes the NUL-terminated s to standard error, from a signal handler. */
static void
say_now(const char *s)
{
    size_t n = strlen(s);

    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);

        if (w <= 0)
            break;
        s += w;
        n -= (size_t)w;
    }
}

/* A stop signal within this many nanoseconds of the first is the same stop: GNU timeout
 * sends its SIGTERM to the process and then to its group, a terminal's Ctrl-C reaches every
 * process of the job */
#define STOP_SAME_NS 2000000000LL

/* The first stop's time (CLOCK_MONOTONIC, ns), stored before cli_stop_signal is set: lock-free
 * (async-signal-safe), read by a second stop's handler in any thread; 0 until then. */
static _Atomic long long stop_first_ns;

/* A stop (SIGINT, SIGTERM, SIGHUP, SIGUSR1): noted for the command to act on, which it does
 * within a minibatch, a batch of samples or a sounding; a second one more than STOP_SAME_NS
 * later (the command did not end: a thread waits where no stop is looked for, as OpenBLAS
 * for memory under ulimit -v, a tester's train, which SIGTERM did not end) ends the process
 * at once. */
static void
on_stop(int sig)
{
    struct timespec now;
    long long t, first;

    clock_gettime(CLOCK_MONOTONIC, &now); /* async-signal-safe (POSIX.1-2008) */
    t = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
    if (cli_stop_signal != 0) {
        first = atomic_load(&stop_first_ns);
        if (first == 0 || t - first < STOP_SAME_NS)
            return;
        say_now("bpinv: a second stop signal: ended at once, without saving more\n");
        _exit(128 + sig);
    }
    atomic_store(&stop_first_ns, t > 0 ? t : 1);
    cli_stop_signal = sig;
}

/* SIGHUP's and SIGUSR1's handlers before cli_catch_stop took them (hup_caught,
 * usr1_caught), for cli_restore_stop. */
static struct sigaction old_hup, old_usr1;
static int hup_caught, usr1_caught;

/* Catches sig with sa, its handler before into *old, unless sig is ignored (a background
 * job of a script ignores SIGINT, nohup SIGHUP, `trap '' INT` what it names): a signal
 * ignored when bpinv starts stays ignored, as Unix programs keep it. 1 if caught. */
static int
catch_one(int sig, const struct sigaction *sa, struct sigaction *old)
{
    if (sigaction(sig, NULL, old) != 0 || old->sa_handler == SIG_IGN)
        return 0;
    return sigaction(sig, sa, NULL) == 0;
}

void
cli_catch_stop(struct sigaction *old_int, struct sigaction *old_term)
{
    struct sigaction sa;

    cli_say_off(); /* the handlers before it are the ones to restore */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    catch_one(SIGINT, &sa, old_int);
    catch_one(SIGTERM, &sa, old_term);
    /* the terminal closed: a stop as SIGTERM's (train saves its net) */
    hup_caught = catch_one(SIGHUP, &sa, &old_hup);
    /* mpirun forwards SIGUSR1 to every rank at once, where its Ctrl-C sends SIGTERM only
     * after odls_base_sigkill_timeout (1 s) and SIGKILL as long after: the stop a cluster's
     * user can ask for with time to save (docs/scaling.md) */
    usr1_caught = catch_one(SIGUSR1, &sa, &old_usr1);
}

/* The line on_stop_said writes (cli_say_on_stop), and the handlers it took the place of
 * (for cli_say_off, and for cli_catch_stop, which restores those, not it). */
static char said[512];
static struct sigaction said_old[4];
static int said_on[4];
static const int said_sig[4] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};

static void
on_stop_said(int sig)
{
    say_now(said);
    signal(sig, SIG_DFL);
    raise(sig); /* the stop the signal asked for, at once: its status */
}

void
cli_say_on_stop(const char *cmd, const char *what)
{
    struct sigaction sa;
    size_t k;

    cli_say_off();
    snprintf(said, sizeof said, "bpinv %s: interrupted %s\n", cmd, what);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_said;
    sigemptyset(&sa.sa_mask);
    for (k = 0; k < 4; k++)
        said_on[k] = catch_one(said_sig[k], &sa, &said_old[k]);
}

void
cli_say_off(void)
{
    size_t k;

    for (k = 0; k < 4; k++)
        if (said_on[k])
            sigaction(said_sig[k], &said_old[k], NULL);
    memset(said_on, 0, sizeof said_on);
}

void
cli_restore_stop(const struct sigaction *old_int, const struct sigaction *old_term)
{
    sigaction(SIGINT, old_int, NULL);
    sigaction(SIGTERM, old_term, NULL);
    if (hup_caught)
        sigaction(SIGHUP, &old_hup, NULL);
    if (usr1_caught)
        sigaction(SIGUSR1, &old_usr1, NULL);
    hup_caught = usr1_caught = 0;
}

/* OpenBLAS's own switch; bpinv always links OpenBLAS (see the Makefile). */
void openblas_set_num_threads(int num_threads);
/* The pthread build's end of its thread pool (what its fork and exit handlers call): weak,
 * for a build of OpenBLAS without one (OpenMP, serial). */
void blas_thread_shutdown_(void) __attribute__((weak));

/* The address-space limit (ulimit -v) in bytes; 0 for none. */
static unsigned long long
address_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return 0;
    return (unsigned long long)rl.rlim_cur;
}

void
cli_blas_serial(char **argv)
{
    /* under a limit, OpenBLAS's pool (one thread a core, started before main) maps 128 MB a
     * thread, and where the map fails retries for ever: `bpinv --version` hung under
     * ulimit -v 100000 on 2 cores, waiting below for that pool. Run again without a pool
     * (once: the variable is then set); where execv fails, on as before */
    if (argv != NULL && address_limit() > 0 && getenv("OPENBLAS_NUM_THREADS") == NULL &&
        setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0) {
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

        /* by its own path, not /proc/self/exe's: the process keeps its name ("bpinv", for
         * pkill -x and ps -C; through /proc it would be "exe") */
        if (n > 0) {
            self[n] = '\0';
            execv(self, argv);
        }
    }
    openblas_set_num_threads(1);
    /* the pool OpenBLAS started before main: its threads spin between jobs, on the cores
     * the libraries' own threads compute on (a refined batch of 10,000 soundings on 2
     * cores: 5 % of the time), and none of them will have a job */
    if (blas_thread_shutdown_ != NULL)
        blas_thread_shutdown_();
}

/* OpenBLAS's buffer, mapped by each thread at its first BLAS call: BUFFER_SIZE of its
 * x86-64 builds (128 MB; the calls ask malloc for 128 MB and 16 KB) */
#define BLAS_BUFFER ((128ULL << 20) + (64ULL << 10))
/* and each thread past the first: that buffer, the heap glibc gives it (an arena of 64 MB)
 * and its stack (8 MB): a reviewer's invert -j 2 hung at 351 MB with 61 MB in use, the second
 * buffer not fitting beside the first, the arena and the stack */
#define THREAD_MORE (BLAS_BUFFER + (72ULL << 20))

int
cli_address_room(const char *cmd, long threads, double more_mb)
{
    unsigned long long limit = address_limit(), pages = 0, in_use, need, fits;
    FILE *f;

    if (limit == 0 || threads < 1 || (f = fopen("/proc/self/statm", "r")) == NULL)
        return 0;
    if (fscanf(f, "%llu", &pages) != 1) /* the first number: the size of the address space */
        pages = 0;
    fclose(f);
    in_use = pages * (unsigned long long)sysconf(_SC_PAGESIZE);
    in_use += (unsigned long long)(more_mb * 1048576); /* what the run allocates besides */
    need = in_use + BLAS_BUFFER + (unsigned long long)(threads - 1) * THREAD_MORE;
    if (pages == 0 || need <= limit)
        return 0;
    if (limit > in_use + BLAS_BUFFER) {
        fits = 1 + (limit - in_use - BLAS_BUFFER) / THREAD_MORE;
        cli_error(cmd,
                  "the address-space limit (ulimit -v) is %llu MB, and %ld threads need about "
                  "%llu MB: %llu MB for the run, 128 MB for the first thread's BLAS buffer and "
                  "%llu MB for each other's, with its heap and stack (OpenBLAS waits for ever "
                  "where it cannot map a buffer): use -j %llu, or raise the limit",
                  limit >> 20, threads, need >> 20, in_use >> 20, THREAD_MORE >> 20, fits);
    } else {
        cli_error(cmd,
                  "the address-space limit (ulimit -v) is %llu MB, and one thread needs about "
                  "%llu MB: %llu MB for the run and 128 MB for its BLAS buffer (OpenBLAS waits "
                  "for ever where it cannot map one): raise the limit",
                  limit >> 20, (in_use + BLAS_BUFFER) >> 20, in_use >> 20);
    }
    return -1;
}

int
cli_same_file(const char *a, const char *b)
{
    return fwd_io_same_file(a, b);
}

int
cli_check_output(const char *cmd, const char *output, const char *what, int force)
{
    fwd_error err;

    if (fwd_io_check_output(output, what, force, &err) != FWD_OK) {
        cli_lib_error(cmd, &err);
        return -1;
    }
    return 0;
}

/* What the guard's handler writes: built before the read, as a handler may only write(). */
enum { GUARD_NSIG = 6 };
static const int guard_signals[GUARD_NSIG] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGALRM};
static struct {
    char head[4096 + 256]; /* "bpinv CMD: PATH: " */
    long limit;
    struct sigaction old[GUARD_NSIG];
    stack_t old_stack;
} guard;

static void
on_guard(int sig)
{
    char secs[24], *p = secs + sizeof secs - 1;
    long v = guard.limit;

    say_now(guard.head);
    if (sig == SIGALRM) {
        *p = '\0';
        do
            *--p = (char)('0' + v % 10);
        while ((v /= 10) > 0 && p > secs);
        say_now("still reading it after ");
        say_now(p);
        say_now(" s: the file is damaged, or its disk stalled (BPINV_READ_TIMEOUT sets "
                "the limit)\n");
    } else {
        say_now("crashed reading it (");
        say_now(sig == SIGSEGV   ? "segmentation fault"
                : sig == SIGBUS  ? "bus error"
                : sig == SIGFPE  ? "floating-point exception"
                : sig == SIGABRT ? "aborted"
                                 : "illegal instruction");
        say_now("): the file is damaged\n");
    }
    _exit(CLI_FAIL);
}

int
cli_read_timeout(const char *cmd, long *seconds)
{
    const char *env = getenv("BPINV_READ_TIMEOUT");

    *seconds = 60;
    if (env == NULL || *env == '\0')
        return 0;
    return cli_parse_long(cmd, "BPINV_READ_TIMEOUT", env, 1, 86400, seconds);
}

int
cli_read_guard(const char *cmd, const char *path, int timed)
{
    static char altstack[1 << 16];
    struct sigaction sa;
    stack_t ss;
    long limit;
    int n, k;

    if (cli_read_timeout(cmd, &limit) != 0)
        return -1;
    /* a path too long for the buffer is cut short, not dropped */
    n = snprintf(guard.head, sizeof guard.head, "bpinv %s: %s: ", cmd, path);
    if (n < 0 || (size_t)n >= sizeof guard.head)
        snprintf(guard.head, sizeof guard.head, "bpinv %s: %.4000s...: ", cmd, path);
    guard.limit = limit;
    /* a crash may be a stack overflow: the handler runs on a stack of its own */
    ss.ss_sp = altstack;
    ss.ss_size = sizeof altstack;
    ss.ss_flags = 0;
    sigaltstack(&ss, &guard.old_stack);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_guard;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigfillset(&sa.sa_mask); /* one message: no second signal inside the handler */
    for (k = 0; k < GUARD_NSIG; k++)
        sigaction(guard_signals[k], &sa, &guard.old[k]);
    if (timed)
        alarm((unsigned)limit);
    return 0;
}

void
cli_read_unguard(void)
{
    int k;

    alarm(0);
    for (k = 0; k < GUARD_NSIG; k++)
        sigaction(guard_signals[k], &guard.old[k], NULL);
    sigaltstack(&guard.old_stack, NULL);
}

int
cli_read_header_timed(const char *cmd, const char *path)
{
    smp_header h;
    fwd_geom *g = NULL;
    fwd_error err;

    if (cli_read_guard(cmd, path, 1) != 0)
        return -1;
    if (smp_file_read_header(path, &h, &g, &err) == FWD_OK)
        fwd_geom_free(g);
    alarm(0); /* the crash guard stays */
    return 0;
}
