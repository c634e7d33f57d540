/* SPDX-License-Identifier: MIT */
/*
 * cli_par.h - the ranks of an MPI run (docs/scaling.md), for the commands that spread their
 * work over them: samples, train, invert.
 *
 * In the build made with `make MPI=1` (BPINV_MPI defined) these wrap MPI on
 * MPI_COMM_WORLD; in the default build there is one rank and each call is what MPI would
 * do with one: nothing to send, nothing to wait for. Only cli_par.c includes mpi.h.
 * Every call but cli_par_rank and cli_par_size is collective: all ranks make it, in the
 * same order.
 */
#ifndef CLI_PAR_H
#define CLI_PAR_H

#include <stddef.h>

/* MPI_Init (with threads funnelled through the main one); 0, or -1 if it failed. */
int cli_par_init(int *argc, char ***argv);
/* MPI_Finalize after a run every rank finished, or one whose failure every rank agreed on
 * (cli_par_agree); after a failure of one rank, exit() alone: mpirun then ends the others,
 * which may be waiting for it. */
void cli_par_finalize(int ok);
/* Every rank has reached the same end of the command (the status they return is the same):
 * the run may finalize whatever that status. */
void cli_par_agree(void);

/* With on non-zero, the standard output and error go nowhere until called with 0 (what
 * every rank would print alike is printed by rank 0 alone). Not collective. */
void cli_par_mute(int on);

/* This rank (0 to size - 1) and the number of ranks (1 without MPI). */
int cli_par_rank(void);
int cli_par_size(void);

/* v[0..n) summed over the ranks, in place on every rank. A value that only one rank holds
 * (the others 0) comes out exact, bit for bit: what the training relies on. */
void cli_par_sum(double *v, size_t n);
/* The largest of the ranks' v, on every rank. */
unsigned long cli_par_max(unsigned long v);
/* 1 on every rank when the ranks' v are not all the same (a hash of what each read: the
 * same files on every node?), else 0. Two cli_par_max. */
int cli_par_differ(unsigned long v);
/* The lowest rank whose `failed` is non-zero, on every rank; cli_par_size() when none (the
 * rank that says why a read every rank makes failed). One cli_par_max. */
unsigned long cli_par_first(int failed);
/* Rank 0's n bytes at p, copied to every rank. */
void cli_par_bcast(void *p, size_t n);
/* Rows between the ranks (MPI_Alltoallv of doubles, counts and offsets in doubles, one
 * of each per rank): send_n[q] from send + send_at[q] to rank q, recv_n[p] from rank p
 * into recv + recv_at[p]. */
void cli_par_exchange(const double *send, const size_t *send_n, const size_t *send_at, double *recv,
                      const size_t *recv_n, const size_t *recv_at);

/*
 * The ranks' texts (len bytes at text each) joined in rank order on rank 0: *all a new
 * buffer of *all_len bytes there (free it), NULL elsewhere. 0, or -1 out of memory (on any
 * rank: every rank then gets -1).
 */
int cli_par_gather_text(const char *text, size_t len, char **all, size_t *all_len);

/*
 * Rank `from`'s n bytes at p, to rank 0: received there into *buf (grown to *cap with
 * realloc), *got set to their count. Only those two ranks take part (rank 0 keeps *got 0
 * when from is 0); out of memory on rank 0 ends the run (MPI_Abort), as the sender could
 * not be told.
 */
void cli_par_to_root(int from, const void *p, size_t n, unsigned char **buf, size_t *cap,
                     size_t *got);

#endif /* CLI_PAR_H */
