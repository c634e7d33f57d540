/* SPDX-License-Identifier: MIT */
/*
 * smp_file.h - the samples file: a self-describing HDF5 file of (model, data) pairs.
 *
 * Layout (docs/formats.md): root attributes format = "bpinv-samples", format_version,
 * method, n_layers, seed, noise, noise_model, phase_noise_deg, rho_min, rho_max,
 * thick_min, thick_max, forward_filter, bpinv_version, n_requested, n_complete; datasets
 * /geometry/<x> (and /geometry/mn2_m), /models (physical units), /data_clean and
 * /data_noisy, each with `columns` and `units`. Rows are appended in batches; n_complete is
 * updated and the file flushed after each, so a stopped run leaves every completed sample.
 */
#ifndef SMP_FILE_H
#define SMP_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "forward/base/fwd_error.h"
#include "forward/fwd_geom.h"
#include "samples/smp_gen.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SMP_FORMAT         "bpinv-samples"
#define SMP_FORMAT_VERSION 1

/*
 * Rows per HDF5 chunk (1024 rows of 30 doubles is 240 KiB, a good size for deflate).
 * Appends that start and end on a multiple of it never rewrite a chunk, so that a kill
 * before the next flush leaves every flushed chunk as it was: the rule of the batches of
 * smp_file_next_batch and smp_file_fill. (A partial last chunk is rewritten only when a
 * finished file is extended; HDF5 may then write it in place, or reuse its space at the end
 * of the file, despite the file's no-free-space-tracking strategy.)
 */
#define SMP_FILE_CHUNK_ROWS 1024

/* What a samples file says about itself. */
typedef struct smp_header {
    fwd_method method;
    smp_prior prior;
    double noise;
    uint64_t seed, n_requested, n_complete, format_version;
    char bpinv_version[32];
    char forward_filter[16];
} smp_header;

typedef struct smp_file smp_file;

/*
 * Creates path for a run of n_requested samples of config c, written by bpinv version
 * `version`. Fails with FWD_EEXIST ("PATH: exists; not overwritten", err->field "output")
 * if path exists, unless overwrite is non-zero; FWD_EIO if it is a directory or cannot be
 * made.
 */
smp_file *smp_file_create(const char *path, const smp_config *c, uint64_t n_requested,
                          const char *version, int overwrite, fwd_error *err);

/*
 * Reopens a samples file to continue it to n_requested samples. The file must have been
 * made with the same method, geometry, prior, noise and seed as c; otherwise FWD_EINVAL
 * with err->field the first input that differs (fwd_error.h: method, layers, geometry,
 * mn2, seed, noise, rho, thick) and the message "PATH: WHAT differs from this run (the
 * file has FILE'S, not RUN'S); resuming needs the settings of the run that made the file",
 * WHAT being method, n_layers, geometry (also for mn2: "no MN/2, not MN/2 given"), seed,
 * noise, "rho prior" or "thick prior". Rows past n_complete (a run killed in a write), and
 * from the first chunk a cut flush lost, are dropped. n_complete is then a multiple of
 * SMP_FILE_CHUNK_ROWS, but where a run ended (a finished file extended, or one cut in its
 * first batch after such a start) or a writer appended batches off the boundaries: the
 * runs of smp_file_fill continue from any row.
 */
smp_file *smp_file_resume(const char *path, const smp_config *c, uint64_t n_requested,
                          fwd_error *err);

/* Threads that compress a batch's chunks (zlib, outside HDF5); default 1. */
void smp_file_set_threads(smp_file *f, int nthreads);

/* Samples complete in the file. */
uint64_t smp_file_complete(const smp_file *f);

/*
 * Appends count samples: params as FWD_MODEL_NPARAMS log10 rows (stored as ohm-m and m),
 * clean and noisy data rows; then updates n_complete and flushes the file. Any count is
 * written right, but only batches that end on a chunk boundary (or at n_requested) leave
 * every flushed chunk untouched by the next batch, so that a kill at any moment keeps every
 * completed sample: a run sizes its batches with smp_file_next_batch, or uses smp_file_fill.
 */
int smp_file_append(smp_file *f, size_t count, const double *params, const double *clean,
                    const double *noisy, fwd_error *err);

/*
 * A block of rows made ready for a samples file away from it (on another MPI rank): the
 * three row sets as smp_file_append writes them (models in ohm-m and m; the whole chunks
 * shuffled and deflated as HDF5's filters would, on all threads; the rows off the chunk
 * boundaries as they are), in one buffer of bytes, with a header saying where the rows go.
 * It travels between processes of one kind of machine (native doubles and byte order).
 * smp_file_append is smp_pack_rows then smp_file_append_pack.
 */
typedef struct smp_pack {
    unsigned char *buf; /* len bytes of the pack (cap allocated), grown as needed */
    size_t len, cap;
} smp_pack;

/*
 * Packs rows [row, row + count) of config c (params as smp_file_append takes them) into p
 * (zero it before the first use; smp_pack_free after the last), compressing on nthreads
 * threads. FWD_ENOMEM when out of memory.
 */
int smp_pack_rows(smp_pack *p, const smp_config *c, int nthreads, uint64_t row, size_t count,
                  const double *params, const double *clean, const double *noisy, fwd_error *err);
void smp_pack_free(smp_pack *p);

/*
 * Appends the rows of a pack of len bytes to f, as smp_file_append does (then updates
 * n_complete and flushes). The pack must start at smp_file_complete(f), in rows of this
 * file's widths: FWD_EINVAL otherwise ("not for this file", before the file is touched)
 * or when it is cut short; FWD_EIO when a write fails. pack must be aligned as a double
 * (from malloc, or smp_pack.buf).
 */
int smp_file_append_pack(smp_file *f, const void *pack, size_t len, fwd_error *err);

/*
 * The batch size a run uses for `requested` rows a batch: rounded up to a multiple of
 * SMP_FILE_CHUNK_ROWS (0 gives one chunk; so does 1). Rounding a rounded size changes
 * nothing.
 */
size_t smp_file_batch_rows(size_t requested);

/*
 * The number of samples the next batch of a run in batches of `batch` rows (rounded by
 * smp_file_batch_rows) appends to f: up to the next chunk boundary at most that far away,
 * and no further than n_requested; 0 once the file is complete. The first batch after a
 * resume at a row off a boundary is the shorter one, so the batches after it all start and
 * end on a boundary: the rule any writer of a samples file follows (smp_file_fill does).
 */
size_t smp_file_next_batch(const smp_file *f, size_t batch);

/*
 * Called by smp_file_fill after each batch is in the file (flushed), with the samples
 * complete and requested; a non-zero return stops the run there, the file complete to done.
 */
typedef int (*smp_progress_fn)(uint64_t done, uint64_t total, void *ud);

/*
 * Computes with g (made from the config f was created or resumed with; FWD_EINVAL if its
 * rows do not fit the file's) and appends the samples from smp_file_complete(f) to the
 * n_requested of smp_file_create or smp_file_resume, in batches of smp_file_next_batch(f,
 * batch) rows, with buffers of its own for one batch (FWD_ENOMEM "out of memory for one
 * batch"). After each batch, cb(done, n_requested, ud) if cb is not NULL: a non-zero return
 * stops at that batch's end. Returns 0 when the file is complete or cb stopped it (compare
 * smp_file_complete with the count asked for), else the error of smp_gen_run or
 * smp_file_append: the file then holds every batch before the failed one (smp_file_close).
 */
int smp_file_fill(smp_file *f, smp_gen *g, size_t batch, smp_progress_fn cb, void *ud,
                  fwd_error *err);

/*
 * Closes f (NULL is a no-op); FWD_EIO if HDF5 objects were left open or the close failed.
 * After a failed smp_file_append (a full disk) the file is left as of its last complete
 * batch: its HDF5 ids are abandoned, not closed, since closing would write the metadata
 * of the failed batch. A program that then calls H5close() or lets HDF5's exit handler
 * run (bpinv does neither after a failure: tools/bpinv.c) would write it anyway.
 */
int smp_file_close(smp_file *f, fwd_error *err);

/*
 * Reads the header of a samples file and, if geom is not NULL, its geometry into a new
 * fwd_geom. Errors name the path: not found, not HDF5, not a samples file, damaged.
 */
int smp_file_read_header(const char *path, smp_header *h, fwd_geom **geom, fwd_error *err);

/* Reads the rows of a samples file in blocks (training reads it so). */
typedef struct smp_reader smp_reader;

/* The row sets of a samples file. */
typedef enum smp_rows { SMP_MODELS = 0, SMP_CLEAN = 1, SMP_NOISY = 2 } smp_rows;

/*
 * Opens path for reading: its header into *h and, if geom is not NULL, its geometry into a
 * new fwd_geom. Checks that every dataset holds at least n_complete rows of the right width
 * (FWD_EFORMAT naming the dataset otherwise), and all their chunks: a file cut in a write
 * is FWD_EFORMAT with err->field "resume", "...: rows from R on are missing (...): continue
 * the run that made it, which makes them again". Only the n_complete rows are ever read.
 */
smp_reader *smp_reader_open(const char *path, smp_header *h, fwd_geom **geom, fwd_error *err);

/*
 * Reads rows [first, first + count) of a row set into out (count rows, row-major). Models
 * come as FWD_MODEL_NPARAMS log10 parameters (fwd_model.h layout); data as stored
 * (apparent resistivity in ohm-m, then MT phases in degrees). A value that is not finite
 * (or not > 0, but for MT phases) in a damaged or foreign file is FWD_EFORMAT naming the dataset,
 * row and column.
 */
int smp_reader_read(smp_reader *r, smp_rows which, uint64_t first, size_t count, double *out,
                    fwd_error *err);

/* Closes r; NULL is a no-op. */
void smp_reader_close(smp_reader *r);

#ifdef __cplusplus
}
#endif

#endif /* SMP_FILE_H */
