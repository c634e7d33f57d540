/* SPDX-License-Identifier: MIT */
/*
 * cli_par.c - the ranks of an MPI run, or the one rank of the default build.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/cli_par.h"

void
cli_par_mute(int on)
{
    static int saved[2] = {-1, -1};
    int k, null;

    fflush(stdout);
    fflush(stderr);
    for (k = 0; k < 2; k++) {
        if (on && saved[k] < 0) {
            saved[k] = dup(k + 1);
            null = open("/dev/null", O_WRONLY);
            if (null >= 0) {
                dup2(null, k + 1);
                close(null);
            }
        } else if (!on && saved[k] >= 0) {
            dup2(saved[k], k + 1);
            close(saved[k]);
            saved[k] = -1;
        }
    }
}

#ifdef BPINV_MPI

#include <mpi.h>

static int par_rank = 0, par_size = 1, par_agreed = 0;

int
cli_par_init(int *argc, char ***argv)
{
    int provided;

    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &par_rank);
    MPI_Comm_size(MPI_COMM_WORLD, &par_size);
    return 0;
}

void
cli_par_finalize(int ok)
{
    if (ok || par_agreed)
        MPI_Finalize();
}

void
cli_par_agree(void)
{
    par_agreed = 1;
}

int
cli_par_rank(void)
{
    return par_rank;
}

int
cli_par_size(void)
{
    return par_size;
}

/* MPI counts are ints: big transfers go in pieces of at most this many elements. */
#define PIECE (1 << 30)

void
cli_par_sum(double *v, size_t n)
{
    size_t k;

    for (k = 0; k < n; k += PIECE) {
        int m = (int)(n - k < PIECE ? n - k : PIECE);
        MPI_Allreduce(MPI_IN_PLACE, v + k, m, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    }
}

unsigned long
cli_par_max(unsigned long v)
{
    unsigned long m = v;

    MPI_Allreduce(&v, &m, 1, MPI_UNSIGNED_LONG, MPI_MAX, MPI_COMM_WORLD);
    return m;
}

void
cli_par_bcast(void *p, size_t n)
{
    size_t k;

    for (k = 0; k < n; k += PIECE) {
        int m = (int)(n - k < PIECE ? n - k : PIECE);
        MPI_Bcast((char *)p + k, m, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
}

/* n bytes to rank `to`, or from rank `from`, with a tag: in pieces MPI's int counts hold. */
static void
send_bytes(const void *p, size_t n, int to, int tag)
{
    size_t k;

    for (k = 0; k < n; k += PIECE)
        MPI_Send((const char *)p + k, (int)(n - k < PIECE ? n - k : PIECE), MPI_BYTE, to, tag,
                 MPI_COMM_WORLD);
}

static void
recv_bytes(void *p, size_t n, int from, int tag)
{
    size_t k;

    for (k = 0; k < n; k += PIECE)
        MPI_Recv((char *)p + k, (int)(n - k < PIECE ? n - k : PIECE), MPI_BYTE, from, tag,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

void
cli_par_to_root(int from, const void *p, size_t n, unsigned char **buf, size_t *cap, size_t *got)
{
    unsigned long len = n;

    if (par_rank == 0)
        *got = 0;
    if (from == 0 || (par_rank != 0 && par_rank != from))
        return;
    if (par_rank == from) {
        MPI_Send(&len, 1, MPI_UNSIGNED_LONG, 0, 1, MPI_COMM_WORLD);
        send_bytes(p, n, 0, 1);
        return;
    }
    MPI_Recv(&len, 1, MPI_UNSIGNED_LONG, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (len > *cap) {
        unsigned char *b = realloc(*buf, len);

        if (b == NULL) {
            fprintf(stderr, "bpinv: out of memory for %lu bytes from rank %d\n", len, from);
            MPI_Abort(MPI_COMM_WORLD, 1);
        }
        *buf = b;
        *cap = len;
    }
    recv_bytes(*buf, len, from, 1);
    *got = len;
}

void
cli_par_exchange(const double *send, const size_t *send_n, const size_t *send_at, double *recv,
                 const size_t *recv_n, const size_t *recv_at)
{
    static int *c; /* the counts and offsets as MPI takes them: 4 x par_size ints */
    int k;

    if (c == NULL && (c = malloc(4 * (size_t)par_size * sizeof *c)) == NULL) {
        fprintf(stderr, "bpinv: out of memory for the exchange between ranks\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    for (k = 0; k < par_size; k++) { /* a step's rows: at most INT_MAX values (invnet_fit.c) */
        c[k] = (int)send_n[k];
        c[par_size + k] = (int)send_at[k];
        c[2 * par_size + k] = (int)recv_n[k];
        c[3 * par_size + k] = (int)recv_at[k];
    }
    MPI_Alltoallv(send, c, c + par_size, MPI_DOUBLE, recv, c + 2 * par_size, c + 3 * par_size,
                  MPI_DOUBLE, MPI_COMM_WORLD);
}

int
cli_par_gather_text(const char *text, size_t len, char **all, size_t *all_len)
{
    unsigned long mine = len, *lens = NULL;
    size_t *n = NULL, total = 0;
    int r, bad = 0;

    *all = NULL;
    *all_len = 0;
    if (par_rank == 0) {
        lens = malloc((size_t)par_size * sizeof *lens);
        n = malloc((size_t)par_size * sizeof *n);
        bad = lens == NULL || n == NULL;
    }
    if (cli_par_max((unsigned long)bad) != 0) {
        free(lens);
        free(n);
        return -1;
    }
    MPI_Gather(&mine, 1, MPI_UNSIGNED_LONG, lens, 1, MPI_UNSIGNED_LONG, 0, MPI_COMM_WORLD);
    if (par_rank == 0 && !bad) {
        for (r = 0; r < par_size; r++)
            total += n[r] = lens[r];
        bad = (*all = malloc(total + 1)) == NULL;
    }
    if (cli_par_max((unsigned long)bad) != 0) {
        free(*all);
        *all = NULL;
        free(lens);
        free(n);
        return -1;
    }
    if (par_rank != 0) {
        send_bytes(text, len, 0, 2);
    } else {
        size_t off = len;

        if (len > 0)
            memcpy(*all, text, len);
        for (r = 1; r < par_size; r++) {
            recv_bytes(*all + off, n[r], r, 2);
            off += n[r];
        }
        (*all)[total] = '\0';
        *all_len = total;
    }
    free(lens);
    free(n);
    return 0;
}

#else /* one rank */

int
cli_par_init(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    return 0;
}

void
cli_par_finalize(int ok)
{
    (void)ok;
}

void
cli_par_agree(void)
{
}

int
cli_par_rank(void)
{
    return 0;
}

int
cli_par_size(void)
{
    return 1;
}

void
cli_par_sum(double *v, size_t n)
{
    (void)v, (void)n;
}

unsigned long
cli_par_max(unsigned long v)
{
    return v;
}

void
cli_par_bcast(void *p, size_t n)
{
    (void)p, (void)n;
}

void
cli_par_exchange(const double *send, const size_t *send_n, const size_t *send_at, double *recv,
                 const size_t *recv_n, const size_t *recv_at)
{
    (void)recv_n;
    memcpy(recv + recv_at[0], send + send_at[0], send_n[0] * sizeof *send);
}

int
cli_par_gather_text(const char *text, size_t len, char **all, size_t *all_len)
{
    if ((*all = malloc(len + 1)) == NULL)
        return -1;
    memcpy(*all, text, len);
    (*all)[len] = '\0';
    *all_len = len;
    return 0;
}

void
cli_par_to_root(int from, const void *p, size_t n, unsigned char **buf, size_t *cap, size_t *got)
{
    (void)from, (void)p, (void)n, (void)buf, (void)cap;
    *got = 0;
}

#endif

int
cli_par_differ(unsigned long v)
{
    return cli_par_max(v) != ~cli_par_max(~v);
}

unsigned long
cli_par_first(int failed)
{
    unsigned long size = (unsigned long)cli_par_size();

    return size - cli_par_max(failed ? size - (unsigned long)cli_par_rank() : 0);
}
