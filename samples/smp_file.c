/* SPDX-License-Identifier: MIT */
/*
 * smp_file.c - the samples HDF5 file: create, append in batches, resume, read the header.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <omp.h>
#include <zlib.h>

#include "forward/fwd_forward.h"
#include "forward/base/fwd_io.h"
#include "forward/fwd_model.h"
#include "samples/smp_file.h"
#include "samples/smp_h5.h"

#define SMP_CHUNK_ROWS SMP_FILE_CHUNK_ROWS
#define SMP_DEFLATE    1

enum { DS_MODELS, DS_CLEAN, DS_NOISY, DS_N };
static const char *const ds_names[DS_N] = {"models", "data_clean", "data_noisy"};

/*
 * The first row from which a chunk of ds is missing among rows [0, rows), or rows if none
 * is: a file cut in the middle of a flush (a kill, a full disk) may hold an extent and an
 * n_complete that count chunks its index lost, which HDF5 would read as zeros.
 */
static uint64_t
first_missing_row(hid_t ds, uint64_t rows)
{
    hid_t pl = H5Dget_create_plist(ds);
    hsize_t cdims[2], off[2] = {0, 0}, size;
    uint64_t r = 0;

    if (pl >= 0 && H5Pget_layout(pl) == H5D_CHUNKED && H5Pget_chunk(pl, 2, cdims) == 2 &&
        cdims[0] > 0)
        for (r = 0; r < rows; r += cdims[0]) {
            off[0] = r;
            if (H5Dget_chunk_storage_size(ds, off, &size) < 0 || size == 0)
                break;
        }
    /* else not the layout bpinv writes: no row can be trusted (r = 0) */
    if (pl >= 0)
        H5Pclose(pl);
    return r < rows ? r : rows;
}

/* The file's descriptor (the sec2 driver's), or -1. */
static int
file_fd(hid_t file)
{
    void *h = NULL;

    if (H5Fget_vfd_handle(file, H5P_DEFAULT, &h) < 0 || h == NULL)
        return -1;
    return *(int *)h;
}

struct smp_file {
    char *path;
    hid_t file;
    hid_t ds[DS_N];
    size_t ncol[DS_N];
    size_t n_layers;
    uint64_t n_requested, n_complete;
    int nthreads;
    int broken;    /* a write failed: the file must stay as of its last flush */
    smp_pack pack; /* the batch being appended, packed */
};

uint64_t
smp_file_complete(const smp_file *f)
{
    return f->n_complete;
}

static int
close_ids(smp_file *f, fwd_error *err)
{
    int k, rc = FWD_OK;
    ssize_t open_objs;

    if (f->broken) {
        /* Closing would flush the metadata of a half-written batch (extents, chunk index)
         * over the file's last consistent state. The ids are abandoned instead: bpinv
         * gives HDF5 no exit handler, so nothing more reaches the file. */
        f->file = H5I_INVALID_HID;
        for (k = 0; k < DS_N; k++)
            f->ds[k] = H5I_INVALID_HID;
        return FWD_OK;
    }
    for (k = 0; k < DS_N; k++)
        if (f->ds[k] >= 0) {
            H5Dclose(f->ds[k]);
            f->ds[k] = H5I_INVALID_HID;
        }
    if (f->file >= 0) {
        open_objs = H5Fget_obj_count(f->file, H5F_OBJ_ALL);
        if (open_objs != 1)
            rc = fwd_error_set(err, FWD_EIO,
                               "%s: internal error: %zd HDF5 objects open at "
                               "close",
                               f->path, open_objs);
        errno = 0;
        if (H5Fclose(f->file) < 0 && rc == FWD_OK)
            rc = fwd_error_set(err, FWD_EIO, "%s: error closing the file: %s", f->path,
                               fwd_io_why("disk full?"));
        f->file = H5I_INVALID_HID;
    }
    return rc;
}

void
smp_file_set_threads(smp_file *f, int nthreads)
{
    f->nthreads = nthreads < 1 ? 1 : nthreads;
}

int
smp_file_close(smp_file *f, fwd_error *err)
{
    int rc;

    if (f == NULL)
        return FWD_OK;
    rc = close_ids(f, err);
    smp_pack_free(&f->pack);
    free(f->path);
    free(f);
    return rc;
}

static smp_file *
file_new(const char *path, const smp_config *c, fwd_error *err)
{
    smp_file *f = calloc(1, sizeof *f);
    int k;

    if (f == NULL || (f->path = malloc(strlen(path) + 1)) == NULL) {
        free(f);
        fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    strcpy(f->path, path);
    f->file = H5I_INVALID_HID;
    f->nthreads = 1;
    for (k = 0; k < DS_N; k++)
        f->ds[k] = H5I_INVALID_HID;
    f->n_layers = c->prior.n_layers;
    f->ncol[DS_MODELS] = FWD_MODEL_NPARAMS(c->prior.n_layers);
    f->ncol[DS_CLEAN] = f->ncol[DS_NOISY] = fwd_geom_ndata(c->geom);
    return f;
}

/* Column names and units of the three datasets; free with free_strs. */
static char **
make_columns(const smp_config *c, int which, int units)
{
    size_t n = c->prior.n_layers, npts = fwd_geom_size(c->geom), i, nc;
    const double *x = fwd_geom_x(c->geom);
    const char *xn = fwd_method_xname(fwd_geom_method(c->geom));
    const fwd_method_info *mi = fwd_method_get(fwd_geom_method(c->geom));
    char **s;
    void *old;

    nc = which == DS_MODELS ? FWD_MODEL_NPARAMS(n) : fwd_geom_ndata(c->geom);
    s = calloc(nc + 1, sizeof *s);
    if (s == NULL)
        return NULL;
    old = fwd_locale_c();
    for (i = 0; i < nc; i++) {
        s[i] = malloc(64);
        if (s[i] == NULL)
            goto fail;
        if (which == DS_MODELS && units)
            snprintf(s[i], 64, "%s", i < n ? "ohm-m" : "m");
        else if (which == DS_MODELS)
            snprintf(s[i], 64, i < n ? "rho_%zu_ohmm" : "thick_%zu_m", i < n ? i + 1 : i - n + 1);
        else if (units) /* value i / npts of the method, at point i % npts */
            snprintf(s[i], 64, "%s", mi->values[i / npts]->unit_attr);
        else /* a '.', whatever the calling program's locale (fwd_locale_c above) */
            snprintf(s[i], 64, "%s(%s=%.10g)", mi->values[i / npts]->column, xn, x[i % npts]);
    }
    fwd_locale_restore(old);
    return s;
fail:
    fwd_locale_restore(old);
    for (i = 0; i < nc; i++)
        free(s[i]);
    free(s);
    return NULL;
}

static void
free_strs(char **s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; s[i] != NULL; i++)
        free(s[i]);
    free(s);
}

static int
create_dataset(smp_file *f, const smp_config *c, int k, fwd_error *err)
{
    hsize_t dims[2] = {0, f->ncol[k]}, maxd[2] = {H5S_UNLIMITED, f->ncol[k]};
    hsize_t chunk[2] = {SMP_CHUNK_ROWS, f->ncol[k]};
    hid_t s = H5Screate_simple(2, dims, maxd), pl = H5Pcreate(H5P_DATASET_CREATE);
    char **cols = make_columns(c, k, 0), **units = make_columns(c, k, 1);
    int rc = FWD_OK;

    if (s < 0 || pl < 0 || cols == NULL || units == NULL || H5Pset_chunk(pl, 2, chunk) < 0 ||
        H5Pset_shuffle(pl) < 0 || H5Pset_deflate(pl, SMP_DEFLATE) < 0) {
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot set up dataset %s", f->path, ds_names[k]);
        goto done;
    }
    f->ds[k] = H5Dcreate2(f->file, ds_names[k], H5T_IEEE_F64LE, s, H5P_DEFAULT, pl, H5P_DEFAULT);
    if (f->ds[k] < 0) {
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot create dataset %s", f->path, ds_names[k]);
        goto done;
    }
    rc = smp_h5_write_strs(f->ds[k], "columns", f->ncol[k], cols, err);
    if (rc == FWD_OK)
        rc = smp_h5_write_strs(f->ds[k], "units", f->ncol[k], units, err);
done:
    free_strs(units);
    free_strs(cols);
    if (pl >= 0)
        H5Pclose(pl);
    if (s >= 0)
        H5Sclose(s);
    return rc;
}

static int
write_root(smp_file *f, const smp_config *c, uint64_t n_requested, const char *version,
           fwd_error *err)
{
    const smp_prior *p = &c->prior;
    hid_t r = f->file;
    int rc;

    rc = smp_h5_write_str(r, "format", SMP_FORMAT, err);
    rc = rc ? rc : smp_h5_write_u64(r, "format_version", SMP_FORMAT_VERSION, err);
    rc = rc ? rc : smp_h5_write_str(r, "method", fwd_method_name(fwd_geom_method(c->geom)), err);
    rc = rc ? rc : smp_h5_write_u64(r, "n_layers", p->n_layers, err);
    rc = rc ? rc : smp_h5_write_u64(r, "seed", c->seed, err);
    rc = rc ? rc : smp_h5_write_f64(r, "noise", 1, &c->noise, err);
    rc = rc ? rc : smp_h5_write_str(r, "noise_model", "lognormal rho_a; gaussian phase", err);
    if (rc == FWD_OK) {
        double pn = c->noise * SMP_PHASE_DEG_PER_NOISE;
        rc = smp_h5_write_f64(r, "phase_noise_deg", 1, &pn, err);
    }
    rc = rc ? rc : smp_h5_write_prior(r, p, err);
    rc = rc ? rc : smp_h5_write_str(r, "forward_filter", fwd_hankel_name(FWD_HANKEL_SHARED), err);
    rc = rc ? rc : smp_h5_write_str(r, "bpinv_version", version, err);
    rc = rc ? rc : smp_h5_write_u64(r, "n_requested", n_requested, err);
    rc = rc ? rc : smp_h5_write_u64(r, "n_complete", 0, err);
    return rc;
}

smp_file *
smp_file_create(const char *path, const smp_config *c, uint64_t n_requested, const char *version,
                int overwrite, fwd_error *err)
{
    smp_file *f;
    hid_t fapl, fcpl;
    char *tmp = NULL;
    int k, rc;
    struct stat st;

    if (smp_config_check(c, err) != FWD_OK)
        return NULL;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fwd_error_set(err, FWD_EIO, "%s: is a directory; expected the samples file to write", path);
        return NULL;
    }
    if (!overwrite && access(path, F_OK) == 0) {
        fwd_error_set_field(err, FWD_EEXIST, "output", "%s: exists; not overwritten", path);
        return NULL;
    }
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0 || H5Zfilter_avail(H5Z_FILTER_SHUFFLE) <= 0) {
        fwd_error_set(err, FWD_EIO, "%s: this HDF5 library lacks the deflate or shuffle filter",
                      path);
        return NULL;
    }
    f = file_new(path, c, err);
    if (f == NULL)
        return NULL;
    f->n_requested = n_requested;
    /* File format 1.8 or later, so that attributes (the column names of thousands of
     * points) may pass 64 KiB; no reuse of freed space (smp_file.h). Made under a
     * temporary name and given its own once its header and empty datasets are on disk,
     * so that a kill meanwhile leaves no half-made file at path. */
    fapl = smp_h5_writer_fapl();
    fcpl = H5Pcreate(H5P_FILE_CREATE);
    if (fapl >= 0 && fcpl >= 0 &&
        H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_NONE, 0, 1) >= 0)
        f->file = smp_h5_create_temp(path, fcpl, fapl, &tmp, err);
    else
        fwd_error_set(err, FWD_EIO, "%s: cannot set up HDF5", path);
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (f->file < 0) {
        smp_file_close(f, NULL);
        return NULL;
    }
    rc = write_root(f, c, n_requested, version, err);
    rc = rc ? rc : smp_h5_write_geometry(f->file, f->path, c->geom, err);
    for (k = 0; k < DS_N && rc == FWD_OK; k++)
        rc = create_dataset(f, c, k, err);
    errno = 0;
    if (rc == FWD_OK && H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot write the file: %s", path,
                           fwd_io_why("disk full?"));
    if (rc == FWD_OK)
        rc = fwd_io_publish(tmp, path, overwrite, err); /* removes tmp if it fails */
    else
        unlink(tmp);
    free(tmp);
    if (rc == FWD_OK)
        return f;
    smp_file_close(f, NULL);
    return NULL;
}

/*
 * What HDF5's shuffle then deflate filters would make of one chunk of nel doubles:
 * byte j of element i goes to j * nel + i, then zlib's compress2 at level SMP_DEFLATE.
 * Done here so that the chunks of a batch are compressed by all threads at once.
 */
static int
compress_chunk(const double *src, size_t nel, unsigned char *tmp, unsigned char *out, size_t *len)
{
    const unsigned char *b = (const unsigned char *)src;
    uLongf zl = (uLongf)*len;
    size_t i, j;

    for (i = 0; i < nel; i++)
        for (j = 0; j < sizeof(double); j++)
            tmp[j * nel + i] = b[i * sizeof(double) + j];
    if (compress2(out, &zl, tmp, (uLong)(nel * sizeof(double)), SMP_DEFLATE) != Z_OK)
        return -1;
    *len = (size_t)zl;
    return 0;
}

/* Writes rows [row, row + count) of dataset k through HDF5's filter pipeline. */
static int
write_plain(smp_file *f, int k, uint64_t row, size_t count, const double *src, fwd_error *err)
{
    hsize_t start[2] = {row, 0}, cnt[2] = {count, f->ncol[k]};
    hid_t fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
    int rc = FWD_OK;

    if (count == 0)
        return FWD_OK;
    errno = 0;
    if ((fs = H5Dget_space(f->ds[k])) < 0 ||
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL) < 0 ||
        (ms = H5Screate_simple(2, cnt, NULL)) < 0 ||
        H5Dwrite(f->ds[k], H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, src) < 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot write %zu rows of %s: %s", f->path, count,
                           ds_names[k], fwd_io_why("disk full?"));
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}

/* A pack's header: what it holds, each a uint64_t (smp_file.h). */
enum { PK_MAGIC, PK_ROW, PK_COUNT, PK_NCOL, PK_CHUNKED = PK_NCOL + DS_N, PK_HEADER };
#define PACK_MAGIC 0x314b43505052504dULL /* "MPRPPCK1" */

/* Bytes rounded up to whole doubles: a pack's raw rows stay aligned. */
static size_t
pad8(size_t n)
{
    return (n + 7) / 8 * 8;
}

/* The rows of a block of count rows from row that go whole-chunk (compressed): *head rows
 * before the first chunk boundary and *full chunks after them; the rest are raw. */
static void
pack_split(uint64_t row, size_t count, int chunked, size_t *head, size_t *full)
{
    size_t h = (size_t)((SMP_CHUNK_ROWS - row % SMP_CHUNK_ROWS) % SMP_CHUNK_ROWS);

    if (!chunked) { /* a file not in native little-endian doubles: all through HDF5 */
        *head = count;
        *full = 0;
        return;
    }
    *head = h < count ? h : count;
    *full = (count - *head) / SMP_CHUNK_ROWS;
}

/* Grows p to hold n bytes. */
static int
pack_reserve(smp_pack *p, size_t n)
{
    unsigned char *b;

    if (n <= p->cap)
        return 0;
    b = realloc(p->buf, n);
    if (b == NULL)
        return -1;
    p->buf = b;
    p->cap = n;
    return 0;
}

void
smp_pack_free(smp_pack *p)
{
    if (p == NULL)
        return;
    free(p->buf);
    p->buf = NULL;
    p->len = p->cap = 0;
}

/* smp_pack_rows for rows of ncol[k] values in set k. */
static int
pack_shape_rows(smp_pack *p, const size_t *ncol, int nthreads, uint64_t row, size_t count,
                const double *params, const double *clean, const double *noisy, fwd_error *err)
{
    size_t head, full, k, i, need = PK_HEADER * 8, off, cap[DS_N];
    const double *src[DS_N];
    double *models = NULL;
    uint64_t hdr[PK_HEADER];
    int chunked = H5Tequal(H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE) > 0, bad = 0;

    pack_split(row, count, chunked, &head, &full);
    /* room for each set: its raw rows, and its whole chunks at slots of the largest size
     * deflate can make of one, squeezed together once compressed */
    for (k = 0; k < DS_N; k++) {
        cap[k] = pad8((size_t)compressBound((uLong)(SMP_CHUNK_ROWS * ncol[k] * sizeof(double))));
        need += (count - full * SMP_CHUNK_ROWS) * ncol[k] * sizeof(double) + full * (8 + cap[k]);
    }
    if (count > 0 && (models = malloc(count * ncol[DS_MODELS] * sizeof *models)) == NULL)
        return fwd_error_set(err, FWD_ENOMEM, "out of memory for a batch of %zu samples", count);
    if (pack_reserve(p, need) != 0) {
        free(models);
        return fwd_error_set(err, FWD_ENOMEM, "out of memory for a batch of %zu samples", count);
    }
    for (i = 0; i < count * ncol[DS_MODELS]; i++)
        models[i] = pow(10.0, params[i]);
    src[DS_MODELS] = models;
    src[DS_CLEAN] = clean;
    src[DS_NOISY] = noisy;
    hdr[PK_MAGIC] = PACK_MAGIC;
    hdr[PK_ROW] = row;
    hdr[PK_COUNT] = count;
    for (k = 0; k < DS_N; k++)
        hdr[PK_NCOL + k] = ncol[k];
    hdr[PK_CHUNKED] = (uint64_t)chunked;
    memcpy(p->buf, hdr, sizeof hdr);
    off = sizeof hdr;
    for (k = 0; k < DS_N && !bad; k++) {
        size_t nel = (size_t)SMP_CHUNK_ROWS * ncol[k], tail, slot_size = 8 + cap[k];
        const double *mid = src[k] + head * ncol[k];
        unsigned char *slots = p->buf + off + head * ncol[k] * sizeof(double);
        long q, nfull = (long)full;

        memcpy(p->buf + off, src[k], head * ncol[k] * sizeof(double));
        off += head * ncol[k] * sizeof(double);
        /* each chunk into its slot, [length][bytes], by all threads */
#pragma omp parallel num_threads(nthreads) default(none)                                           \
    shared(mid, nel, nfull, slot_size, slots, bad)
        {
            unsigned char *tmp = malloc(nel * sizeof(double));
#pragma omp for schedule(dynamic, 1)
            for (q = 0; q < nfull; q++) {
                unsigned char *slot = slots + (size_t)q * slot_size;
                size_t zl = slot_size - 8;
                uint64_t z;

                if (tmp == NULL ||
                    compress_chunk(mid + (size_t)q * nel, nel, tmp, slot + 8, &zl) != 0) {
#pragma omp atomic write
                    bad = 1;
                    continue;
                }
                z = zl;
                memcpy(slot, &z, 8);
            }
            free(tmp);
        }
        for (i = 0; i < full && !bad; i++) { /* squeezed together, in order */
            uint64_t z;

            memcpy(&z, slots + i * slot_size, 8);
            memmove(p->buf + off, slots + i * slot_size, 8 + (size_t)z);
            memset(p->buf + off + 8 + z, 0, pad8((size_t)z) - (size_t)z); /* defined bytes */
            off += 8 + pad8((size_t)z);
        }
        tail = count - head - full * SMP_CHUNK_ROWS;
        memcpy(p->buf + off, mid + full * nel, tail * ncol[k] * sizeof(double));
        off += tail * ncol[k] * sizeof(double);
    }
    free(models);
    if (bad)
        return fwd_error_set(err, FWD_ENOMEM, "compression failed (out of memory?)");
    p->len = off;
    return FWD_OK;
}

int
smp_pack_rows(smp_pack *p, const smp_config *c, int nthreads, uint64_t row, size_t count,
              const double *params, const double *clean, const double *noisy, fwd_error *err)
{
    size_t ncol[DS_N];

    ncol[DS_MODELS] = FWD_MODEL_NPARAMS(c->prior.n_layers);
    ncol[DS_CLEAN] = ncol[DS_NOISY] = fwd_geom_ndata(c->geom);
    return pack_shape_rows(p, ncol, nthreads < 1 ? 1 : nthreads, row, count, params, clean, noisy,
                           err);
}

/* The raw rows of set k of a pack at buf + *off: n rows, checked against len. */
static const double *
pack_raw(const unsigned char *buf, size_t len, size_t *off, size_t n, size_t ncol)
{
    const double *r = (const double *)(const void *)(buf + *off);

    if (n * ncol * sizeof(double) > len - *off)
        return NULL;
    *off += n * ncol * sizeof(double);
    return r;
}

/* Allocates on disk every byte up to HDF5's end of allocation (FWD_EIO if the disk is
 * full); where the file system cannot, the flush finds out itself. */
static int
reserve(smp_file *f, fwd_error *err)
{
    haddr_t eoa;
    struct stat st;
    int fd = file_fd(f->file), e;

    if (fd < 0 || H5Fget_eoa(f->file, &eoa) < 0 || fstat(fd, &st) != 0 || (off_t)eoa <= st.st_size)
        return FWD_OK;
    e = posix_fallocate(fd, st.st_size, (off_t)eoa - st.st_size);
    if (e != 0 && e != EOPNOTSUPP && e != EINVAL)
        return fwd_error_set(err, FWD_EIO, "%s: cannot write the file: %s", f->path, strerror(e));
    return FWD_OK;
}

int
smp_file_append(smp_file *f, size_t count, const double *params, const double *clean,
                const double *noisy, fwd_error *err)
{
    fwd_error e;

    if (count == 0)
        return FWD_OK;
    if (pack_shape_rows(&f->pack, f->ncol, f->nthreads, f->n_complete, count, params, clean, noisy,
                        &e) != FWD_OK)
        return fwd_error_set(err, e.code, "%s: %s", f->path, e.msg);
    return smp_file_append_pack(f, f->pack.buf, f->pack.len, err);
}

int
smp_file_append_pack(smp_file *f, const void *pack, size_t len, fwd_error *err)
{
    const unsigned char *buf = pack;
    uint64_t hdr[PK_HEADER];
    size_t count, head, full, off = sizeof hdr, k, i;
    hsize_t ext[2], at[2];
    int rc = FWD_OK;

    if (len < sizeof hdr)
        return fwd_error_set(err, FWD_EINVAL, "%s: a pack of %zu bytes: too short", f->path, len);
    memcpy(hdr, buf, sizeof hdr);
    count = (size_t)hdr[PK_COUNT];
    if (hdr[PK_MAGIC] != PACK_MAGIC || hdr[PK_ROW] != f->n_complete ||
        hdr[PK_NCOL + DS_MODELS] != f->ncol[DS_MODELS] ||
        hdr[PK_NCOL + DS_CLEAN] != f->ncol[DS_CLEAN] ||
        hdr[PK_NCOL + DS_NOISY] != f->ncol[DS_NOISY] || hdr[PK_CHUNKED] > 1)
        return fwd_error_set(
            err, FWD_EINVAL, "%s: a pack of rows not for this file at row %llu (rows %llu..)",
            f->path, (unsigned long long)f->n_complete, (unsigned long long)hdr[PK_ROW]);
    if (count == 0)
        return FWD_OK;
    pack_split(hdr[PK_ROW], count, (int)hdr[PK_CHUNKED], &head, &full);
    for (k = 0; k < DS_N && rc == FWD_OK; k++) {
        size_t nc = f->ncol[k], tail = count - head - full * SMP_CHUNK_ROWS;
        const double *raw;

        ext[0] = f->n_complete + count;
        ext[1] = nc;
        if (H5Dset_extent(f->ds[k], ext) < 0) {
            rc = fwd_error_set(err, FWD_EIO, "%s: cannot extend %s", f->path, ds_names[k]);
            break;
        }
        if ((raw = pack_raw(buf, len, &off, head, nc)) == NULL)
            goto short_pack;
        rc = write_plain(f, (int)k, f->n_complete, head, raw, err);
        for (i = 0; i < full && rc == FWD_OK; i++) {
            uint64_t z;

            if (len - off < 8)
                goto short_pack;
            memcpy(&z, buf + off, 8);
            if (z > len - off - 8)
                goto short_pack;
            at[0] = f->n_complete + head + i * SMP_CHUNK_ROWS;
            at[1] = 0;
            errno = 0;
            if (H5Dwrite_chunk(f->ds[k], H5P_DEFAULT, 0, at, (size_t)z, buf + off + 8) < 0)
                rc = fwd_error_set(err, FWD_EIO, "%s: cannot write %s: %s", f->path, ds_names[k],
                                   fwd_io_why("disk full?"));
            off += 8 + pad8((size_t)z);
            if (off > len)
                off = len; /* the last chunk's padding may be cut: nothing follows then */
        }
        if (rc != FWD_OK)
            break;
        if ((raw = pack_raw(buf, len, &off, tail, nc)) == NULL)
            goto short_pack;
        rc = write_plain(f, (int)k, f->n_complete + head + full * SMP_CHUNK_ROWS, tail, raw, err);
    }
    goto written;
short_pack:
    rc = fwd_error_set(err, FWD_EINVAL, "%s: a pack of %zu bytes cut short", f->path, len);
written:
    /* Data and extents reach the file before n_complete says they are there (not synced:
     * an fdatasync per batch doubled the test suite's time on a VM disk and would cost
     * more on network file systems; a kill keeps the order, a power cut may not, and the
     * chunk check when reading catches what it loses). The space the flush writes into is
     * reserved first, so that a full disk stops the batch before its metadata is half
     * written. */
    rc = rc ? rc : reserve(f, err);
    errno = 0;
    if (rc == FWD_OK && H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot flush the file: %s", f->path,
                           fwd_io_why("disk full?"));
    if (rc != FWD_OK) {
        f->broken = 1;
        return rc;
    }
    rc = smp_h5_update_u64(f->file, "n_complete", f->n_complete + count, err);
    errno = 0;
    if (rc == FWD_OK && H5Fflush(f->file, H5F_SCOPE_GLOBAL) < 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot flush the file: %s", f->path,
                           fwd_io_why("disk full?"));
    if (rc == FWD_OK)
        f->n_complete += count;
    else
        f->broken = 1;
    return rc;
}

size_t
smp_file_batch_rows(size_t requested)
{
    const size_t c = SMP_CHUNK_ROWS, most = SIZE_MAX / c * c;

    if (requested == 0)
        return c;
    if (requested > most)
        return most;
    return (requested + c - 1) / c * c;
}

size_t
smp_file_next_batch(const smp_file *f, size_t batch)
{
    uint64_t left, todo;

    if (f->n_complete >= f->n_requested)
        return 0;
    left = f->n_requested - f->n_complete;
    /* Batches end on a chunk boundary, so that no chunk is written twice. */
    todo = (uint64_t)smp_file_batch_rows(batch) - f->n_complete % SMP_CHUNK_ROWS;
    return (size_t)(left < todo ? left : todo);
}

int
smp_file_fill(smp_file *f, smp_gen *g, size_t batch, smp_progress_fn cb, void *ud, fwd_error *err)
{
    const smp_config *c = smp_gen_config(g);
    size_t np = f->ncol[DS_MODELS], nd = f->ncol[DS_CLEAN], rows, n;
    double *params = NULL, *clean = NULL, *noisy = NULL;
    int rc = FWD_OK;

    if (f->broken)
        return fwd_error_set(err, FWD_EIO, "%s: a write failed; the file holds its last batch",
                             f->path);
    if (FWD_MODEL_NPARAMS(c->prior.n_layers) != np || fwd_geom_ndata(c->geom) != nd)
        return fwd_error_set(err, FWD_EINVAL,
                             "%s: the generator makes rows of %zu and %zu values,"
                             " the file holds %zu and %zu",
                             f->path, FWD_MODEL_NPARAMS(c->prior.n_layers), fwd_geom_ndata(c->geom),
                             np, nd);
    if (f->n_complete >= f->n_requested)
        return FWD_OK;
    /* the largest batch of this run: the buffers are allocated once */
    rows = smp_file_batch_rows(batch);
    if (f->n_requested - f->n_complete < rows)
        rows = (size_t)(f->n_requested - f->n_complete);
    if (rows <= SIZE_MAX / sizeof(double) / (np > nd ? np : nd)) {
        params = malloc(rows * np * sizeof *params);
        clean = malloc(rows * nd * sizeof *clean);
        noisy = malloc(rows * nd * sizeof *noisy);
    }
    if (params == NULL || clean == NULL || noisy == NULL)
        rc = fwd_error_set(err, FWD_ENOMEM, "out of memory for one batch");
    while (rc == FWD_OK && (n = smp_file_next_batch(f, batch)) > 0) {
        rc = smp_gen_run(g, f->n_complete, n, params, clean, noisy, err);
        rc = rc ? rc : smp_file_append(f, n, params, clean, noisy, err);
        if (rc == FWD_OK && cb != NULL && cb(f->n_complete, f->n_requested, ud) != 0)
            break;
    }
    free(noisy);
    free(clean);
    free(params);
    return rc;
}

/* Reads the header attributes from an open file. */
static int
read_header(hid_t file, const char *path, smp_header *h, fwd_error *err)
{
    char buf[64], list[64];
    uint64_t nl;
    int rc;

    memset(h, 0, sizeof *h);
    rc = smp_h5_read_str(file, path, "format", buf, sizeof buf, err);
    if (rc != FWD_OK)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: not a bpinv samples file (no string attribute 'format')", path);
    if (strcmp(buf, SMP_FORMAT) != 0) /* a net's file (invnet_file.h's format name) */
        return fwd_error_set(
            err, FWD_EFORMAT, "%s: format: expected \"%s\", got \"%s\"%s", path, SMP_FORMAT, buf,
            strcmp(buf, "bpinv-net") == 0 ? " (a net's file: this needs a samples file, as bpinv "
                                            "samples writes)"
                                          : "");
    rc = smp_h5_read_u64(file, path, "format_version", &h->format_version, err);
    if (rc == FWD_OK && h->format_version != SMP_FORMAT_VERSION)
        return fwd_error_set(err, FWD_EFORMAT,
                             "%s: format_version: expected %d, got %llu "
                             "(written by another bpinv version)",
                             path, SMP_FORMAT_VERSION, (unsigned long long)h->format_version);
    rc = rc ? rc : smp_h5_read_str(file, path, "method", buf, sizeof buf, err);
    if (rc == FWD_OK && fwd_method_parse(buf, &h->method, NULL) != FWD_OK)
        return fwd_error_set(err, FWD_EFORMAT, "%s: method: expected %s, got \"%s\"", path,
                             fwd_method_list(list, sizeof list), buf);
    rc = rc ? rc : smp_h5_read_u64(file, path, "n_layers", &nl, err);
    if (rc == FWD_OK && (nl < 1 || nl > FWD_MAX_LAYERS))
        return fwd_error_set(err, FWD_EFORMAT, "%s: n_layers: expected 1 to %d, got %llu", path,
                             FWD_MAX_LAYERS, (unsigned long long)nl);
    if (rc != FWD_OK)
        return rc;
    h->prior.n_layers = (size_t)nl;
    rc = smp_h5_read_u64(file, path, "seed", &h->seed, err);
    rc = rc ? rc : smp_h5_read_f64_in(file, path, "noise", 0, 1, &h->noise, err);
    rc = rc ? rc : smp_h5_read_prior(file, path, &h->prior, err);
    rc = rc ? rc : smp_h5_read_u64(file, path, "n_requested", &h->n_requested, err);
    rc = rc ? rc : smp_h5_read_u64(file, path, "n_complete", &h->n_complete, err);
    rc = rc ? rc
            : smp_h5_read_str(file, path, "bpinv_version", h->bpinv_version,
                              sizeof h->bpinv_version, err);
    rc = rc ? rc : smp_h5_read_filter(file, path, h->forward_filter, sizeof h->forward_filter, err);
    return rc;
}

int
smp_file_read_header(const char *path, smp_header *h, fwd_geom **geom, fwd_error *err)
{
    hid_t file = smp_h5_open(path, 0, err);
    int rc;

    if (geom != NULL)
        *geom = NULL;
    if (file < 0)
        return err != NULL ? err->code : FWD_EIO;
    rc = read_header(file, path, h, err);
    if (rc == FWD_OK && geom != NULL)
        rc = smp_h5_read_geometry(file, path, h->method, geom, err);
    H5Fclose(file);
    return rc;
}

/* What a resumed run differs in: field id (fwd_error.h), the file's name for it, details. */
struct differ {
    const char *field, *what;
    char d[160]; /* the file's value, then the run's */
};

/* Compares the number of points and the presence of MN/2 of a file's geometry g with those
 * of a resumed run's, cg. */
static void
same_shape(const fwd_geom *g, const fwd_geom *cg, struct differ *df)
{
    const double *gm = fwd_geom_mn2(g), *cm = fwd_geom_mn2(cg);

    if (fwd_geom_size(g) != fwd_geom_size(cg)) {
        df->field = df->what = "geometry";
        snprintf(df->d, sizeof df->d, "%zu points, not %zu", fwd_geom_size(g), fwd_geom_size(cg));
    } else if ((gm == NULL) != (cm == NULL)) {
        df->field = "mn2";
        df->what = "geometry";
        snprintf(df->d, sizeof df->d, "%s, not %s", gm != NULL ? "MN/2 given" : "no MN/2",
                 cm != NULL ? "MN/2 given" : "no MN/2");
    }
}

/* Compares the points of a file's geometry g with those of a resumed run's, cg (same shape). */
static void
same_points(const fwd_geom *g, const fwd_geom *cg, fwd_method m, struct differ *df)
{
    const double *gm = fwd_geom_mn2(g), *cm = fwd_geom_mn2(cg);
    size_t i, n = fwd_geom_size(cg);

    for (i = 0; i < n; i++)
        if (fwd_geom_x(g)[i] != fwd_geom_x(cg)[i] || (gm != NULL && gm[i] != cm[i])) {
            df->field = df->what = "geometry";
            if (gm != NULL) /* then cm too (same_shape) */
                snprintf(df->d, sizeof df->d, "point %zu: ab2_m %.10g mn2_m %.10g, not %.10g %.10g",
                         i + 1, fwd_geom_x(g)[i], gm[i], fwd_geom_x(cg)[i], cm[i]);
            else
                snprintf(df->d, sizeof df->d, "point %zu: %s %.10g, not %.10g", i + 1,
                         fwd_method_xname(m), fwd_geom_x(g)[i], fwd_geom_x(cg)[i]);
            return;
        }
}

/* The digits (%.*g) that print a and b apart: 6, or more when they differ further down (a
 * noise stored as float32 is 0.0299999993, not 0.03). */
static int
apart(double a, double b)
{
    char x[32], y[32];
    int p;

    if (a == b)
        return 6;
    for (p = 6; p < 17; p++) {
        snprintf(x, sizeof x, "%.*g", p, a);
        snprintf(y, sizeof y, "%.*g", p, b);
        if (strcmp(x, y) != 0)
            break;
    }
    return p;
}

/* Compares a file's prior p with a resumed run's, q (as many layers). */
static void
same_prior(const smp_prior *p, const smp_prior *q, struct differ *df)
{
    size_t i;

    for (i = 0; i < q->n_layers; i++) {
        if (p->rho_min[i] != q->rho_min[i] || p->rho_max[i] != q->rho_max[i]) {
            df->field = "rho";
            df->what = "rho prior";
            int d = apart(p->rho_min[i], q->rho_min[i]);

            d = d > 6 ? d : apart(p->rho_max[i], q->rho_max[i]);
            snprintf(df->d, sizeof df->d, "layer %zu: %.*g:%.*g ohm-m, not %.*g:%.*g", i + 1, d,
                     p->rho_min[i], d, p->rho_max[i], d, q->rho_min[i], d, q->rho_max[i]);
            return;
        }
        if (i + 1 < q->n_layers &&
            (p->thick_min[i] != q->thick_min[i] || p->thick_max[i] != q->thick_max[i])) {
            df->field = "thick";
            df->what = "thick prior";
            int d = apart(p->thick_min[i], q->thick_min[i]);

            d = d > 6 ? d : apart(p->thick_max[i], q->thick_max[i]);
            snprintf(df->d, sizeof df->d, "layer %zu: %.*g:%.*g m, not %.*g:%.*g", i + 1, d,
                     p->thick_min[i], d, p->thick_max[i], d, q->thick_min[i], d, q->thick_max[i]);
            return;
        }
    }
}

/* Compares a file's header and geometry with the config of a resumed run (smp_file.h). */
static int
same_run(const char *path, const smp_header *h, const fwd_geom *g, const smp_config *c,
         fwd_error *err)
{
    struct differ df = {NULL, NULL, ""};

    if (h->method != fwd_geom_method(c->geom)) {
        df.field = df.what = "method";
        snprintf(df.d, sizeof df.d, "%s, not %s", fwd_method_name(h->method),
                 fwd_method_name(fwd_geom_method(c->geom)));
    } else if (h->prior.n_layers != c->prior.n_layers) {
        df.field = "layers";
        df.what = "n_layers";
        snprintf(df.d, sizeof df.d, "%zu, not %zu", h->prior.n_layers, c->prior.n_layers);
    } else {
        same_shape(g, c->geom, &df);
    }
    if (df.what == NULL && h->seed != c->seed) {
        df.field = df.what = "seed";
        snprintf(df.d, sizeof df.d, "%llu, not %llu", (unsigned long long)h->seed,
                 (unsigned long long)c->seed);
    } else if (df.what == NULL && h->noise != c->noise) {
        df.field = df.what = "noise";
        int d = apart(h->noise, c->noise);

        snprintf(df.d, sizeof df.d, "%.*g, not %.*g", d, h->noise, d, c->noise);
    }
    if (df.what == NULL)
        same_points(g, c->geom, h->method, &df);
    if (df.what == NULL)
        same_prior(&h->prior, &c->prior, &df);
    if (df.what != NULL)
        return fwd_error_set_field(err, FWD_EINVAL, df.field,
                                   "%s: %s differs from this run (the file has %s); resuming "
                                   "needs the settings of the run that made the file",
                                   path, df.what, df.d);
    return FWD_OK;
}

smp_file *
smp_file_resume(const char *path, const smp_config *c, uint64_t n_requested, fwd_error *err)
{
    smp_header h;
    fwd_geom *g = NULL;
    smp_file *f = NULL;
    hid_t s = H5I_INVALID_HID, pl;
    hsize_t dims[2], maxd[2];
    int k, rc, chunked;

    rc = smp_file_read_header(path, &h, &g, err);
    rc = rc ? rc : same_run(path, &h, g, c, err);
    fwd_geom_free(g);
    if (rc != FWD_OK)
        return NULL;
    if (h.n_complete > n_requested) {
        fwd_error_set(err, FWD_EINVAL, "%s: holds %llu samples, more than the %llu requested", path,
                      (unsigned long long)h.n_complete, (unsigned long long)n_requested);
        return NULL;
    }
    f = file_new(path, c, err);
    if (f == NULL)
        return NULL;
    f->n_requested = n_requested;
    f->n_complete = h.n_complete;
    f->file = smp_h5_open(path, 1, err);
    if (f->file < 0)
        goto fail;
    for (k = 0; k < DS_N; k++) {
        f->ds[k] = H5Lexists(f->file, ds_names[k], H5P_DEFAULT) > 0
                       ? H5Dopen2(f->file, ds_names[k], H5P_DEFAULT)
                       : H5I_INVALID_HID;
        s = f->ds[k] >= 0 ? H5Dget_space(f->ds[k]) : H5I_INVALID_HID;
        if (s < 0 || H5Sget_simple_extent_ndims(s) != 2 ||
            H5Sget_simple_extent_dims(s, dims, maxd) < 0 || dims[1] != f->ncol[k] ||
            dims[0] < h.n_complete) {
            fwd_error_set(err, FWD_EFORMAT, "%s: dataset %s: expected %llu rows of %zu values",
                          path, ds_names[k], (unsigned long long)h.n_complete, f->ncol[k]);
            goto fail;
        }
        /* every dataset as bpinv writes them (chunked, growing) before any is trimmed: a
         * dataset another program rewrote would stop the trims half-way, the others cut */
        pl = H5Dget_create_plist(f->ds[k]);
        chunked = pl >= 0 && H5Pget_layout(pl) == H5D_CHUNKED;
        if (pl >= 0)
            H5Pclose(pl);
        if (!chunked || maxd[0] != H5S_UNLIMITED) {
            fwd_error_set(err, FWD_EFORMAT,
                          "%s: dataset %s: expected it chunked and growing, as bpinv samples "
                          "writes it, got %s: another program rewrote it; --resume cannot "
                          "continue this file (left as it was)",
                          path, ds_names[k], chunked ? "a fixed size" : "another layout");
            goto fail;
        }
        H5Sclose(s);
        s = H5I_INVALID_HID;
        /* rows whose chunks a cut flush lost are made again */
        f->n_complete = first_missing_row(f->ds[k], f->n_complete);
    }
    for (k = 0; k < DS_N; k++) {
        dims[0] = f->n_complete; /* drop rows of a batch that never completed */
        dims[1] = f->ncol[k];
        if (H5Dset_extent(f->ds[k], dims) < 0) {
            fwd_error_set(err, FWD_EIO, "%s: cannot trim dataset %s", path, ds_names[k]);
            goto fail;
        }
    }
    if (smp_h5_update_u64(f->file, "n_requested", n_requested, err) != FWD_OK ||
        smp_h5_update_u64(f->file, "n_complete", f->n_complete, err) != FWD_OK)
        goto fail;
    return f;
fail:
    if (s >= 0)
        H5Sclose(s);
    smp_file_close(f, NULL);
    return NULL;
}

struct smp_reader {
    char *path;
    hid_t file;
    hid_t ds[DS_N];
    size_t ncol[DS_N];
    size_t n_layers, npts;
    uint64_t n_complete;
};

void
smp_reader_close(smp_reader *r)
{
    int k;

    if (r == NULL)
        return;
    for (k = DS_N; k-- > 0;)
        if (r->ds[k] >= 0)
            H5Dclose(r->ds[k]);
    if (r->file >= 0)
        H5Fclose(r->file);
    free(r->path);
    free(r);
}

smp_reader *
smp_reader_open(const char *path, smp_header *h, fwd_geom **geom, fwd_error *err)
{
    smp_reader *r = calloc(1, sizeof *r);
    fwd_geom *g = NULL;
    hid_t s = H5I_INVALID_HID;
    hsize_t dims[2];
    uint64_t row;
    int k, rc;

    if (geom != NULL)
        *geom = NULL;
    if (r == NULL || (r->path = strdup(path)) == NULL) {
        free(r);
        fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    for (k = 0; k < DS_N; k++)
        r->ds[k] = H5I_INVALID_HID;
    r->file = smp_h5_open(path, 0, err);
    if (r->file < 0)
        goto fail;
    rc = read_header(r->file, path, h, err);
    rc = rc ? rc : smp_h5_read_geometry(r->file, path, h->method, &g, err);
    if (rc != FWD_OK)
        goto fail;
    r->n_layers = h->prior.n_layers;
    r->npts = fwd_geom_size(g);
    r->n_complete = h->n_complete;
    r->ncol[DS_MODELS] = FWD_MODEL_NPARAMS(r->n_layers);
    r->ncol[DS_CLEAN] = r->ncol[DS_NOISY] = fwd_geom_ndata(g);
    for (k = 0; k < DS_N; k++) {
        r->ds[k] = H5Lexists(r->file, ds_names[k], H5P_DEFAULT) > 0
                       ? H5Dopen2(r->file, ds_names[k], H5P_DEFAULT)
                       : H5I_INVALID_HID;
        if (r->ds[k] < 0) {
            fwd_error_set(err, FWD_EFORMAT, "%s: dataset /%s: missing", path, ds_names[k]);
            goto fail;
        }
        s = H5Dget_space(r->ds[k]);
        if (s < 0 || H5Sget_simple_extent_ndims(s) != 2 ||
            H5Sget_simple_extent_dims(s, dims, NULL) < 0 || dims[1] != r->ncol[k] ||
            dims[0] < r->n_complete) {
            int two = s >= 0 && H5Sget_simple_extent_ndims(s) == 2 &&
                      H5Sget_simple_extent_dims(s, dims, NULL) >= 0;

            if (two)
                fwd_error_set(err, FWD_EFORMAT,
                              "%s: dataset /%s: expected at least %llu rows (n_complete) of %zu "
                              "values, got %llu rows of %llu",
                              path, ds_names[k], (unsigned long long)r->n_complete, r->ncol[k],
                              (unsigned long long)dims[0], (unsigned long long)dims[1]);
            else
                fwd_error_set(err, FWD_EFORMAT,
                              "%s: dataset /%s: expected a table of %zu columns, got another "
                              "shape",
                              path, ds_names[k], r->ncol[k]);
            goto fail;
        }
        H5Sclose(s);
        s = H5I_INVALID_HID;
        if ((row = first_missing_row(r->ds[k], r->n_complete)) < r->n_complete) {
            fwd_error_set_field(err, FWD_EFORMAT, "resume",
                                "%s: dataset /%s: rows from %llu on are missing (the file was cut "
                                "while being written): continue the run that made it, which makes "
                                "them again",
                                path, ds_names[k], (unsigned long long)row);
            goto fail;
        }
    }
    if (geom != NULL)
        *geom = g;
    else
        fwd_geom_free(g);
    return r;
fail:
    if (s >= 0)
        H5Sclose(s);
    fwd_geom_free(g);
    smp_reader_close(r);
    return NULL;
}

int
smp_reader_read(smp_reader *r, smp_rows which, uint64_t first, size_t count, double *out,
                fwd_error *err)
{
    int k = (int)which;
    size_t nc, i, j;
    hsize_t start[2], cnt[2];
    hid_t fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
    int rc = FWD_OK;

    if (k < 0 || k >= DS_N || first > r->n_complete || count > r->n_complete - first)
        return fwd_error_set(err, FWD_EINVAL, "%s: rows %llu to %llu requested, file has %llu",
                             r->path, (unsigned long long)first,
                             (unsigned long long)(first + count),
                             (unsigned long long)r->n_complete);
    if (count == 0)
        return FWD_OK;
    nc = r->ncol[k];
    start[0] = first;
    start[1] = 0;
    cnt[0] = count;
    cnt[1] = nc;
    fs = H5Dget_space(r->ds[k]);
    ms = H5Screate_simple(2, cnt, NULL);
    if (fs < 0 || ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL) < 0 ||
        H5Dread(r->ds[k], H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, out) < 0) {
        rc = fwd_error_set(err, FWD_EIO, "%s: /%s: cannot read rows %llu to %llu: %s", r->path,
                           ds_names[k], (unsigned long long)first,
                           (unsigned long long)(first + count), smp_h5_read_why());
        goto done;
    }
    for (i = 0; i < count && rc == FWD_OK; i++)
        for (j = 0; j < nc; j++) {
            double v = out[i * nc + j];
            /* MT phases (past the points) may be anything finite once noise is added */
            int phase = k != DS_MODELS && j >= r->npts;

            if (!isfinite(v) || (!phase && v <= 0)) {
                rc = fwd_error_set(err, FWD_EFORMAT,
                                   "%s: /%s: row %llu, column %zu: expected a finite value%s, "
                                   "got %g (damaged file?)",
                                   r->path, ds_names[k], (unsigned long long)(first + i), j,
                                   phase ? "" : " > 0", v);
                break;
            }
            if (k == DS_MODELS)
                out[i * nc + j] = log10(v);
        }
done:
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return rc;
}
