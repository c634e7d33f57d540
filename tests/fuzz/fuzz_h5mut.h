/* SPDX-License-Identifier: MIT */
/*
 * fuzz_h5mut.h - the mutator of the HDF5 fuzz targets (fuzz_samples_h5.c, fuzz_net_h5.c).
 *
 * bpinv writes HDF5 1.8+ files, whose metadata (superblock, object headers, attribute
 * heaps, chunk indexes) carry checksums: a flipped byte there is refused by libhdf5 before
 * bpinv sees anything, and the one unchecked structure, the global heap of variable-length
 * strings, mostly finds libhdf5's own known faults (tests/fuzz/README.md). So most
 * mutations are made through the HDF5 API on a copy of the input: an attribute or dataset
 * is deleted, replaced by one of another type, shape or value, or has one value changed
 * to an edge case (0, NaN, Inf, -1, 2^64 - 1, a wrong method or format name, ...); a
 * dataset is resized, replaced by a group, and so on. The file stays well-formed HDF5
 * and the content is what bpinv's checks must catch. One mutation in ten changes a few
 * bytes in place, outside the superblock and the global heap, to cover damaged raw
 * data and the checksum refusals. Every choice comes from libFuzzer's seed: runs repeat.
 * The HDF5 changes are made in a forked child, so that libhdf5's own faults in writing
 * (it can fail to close a file it changed) never reach the fuzzer's process.
 */
#ifndef FUZZ_H5MUT_H
#define FUZZ_H5MUT_H
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "forward/base/fwd_rng.h" /* fwd_splitmix64: the mutator's random numbers */
#include "tests/fuzz/fuzz_tmp.h"

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

#define H5MUT_MAX_OBJS  128
#define H5MUT_MAX_ATTRS 512
#define H5MUT_NAME      256

/* libhdf5 prints no error stack: a damaged file is the expected case. */
static void
fuzz_h5_quiet(void)
{
    static int once;

    if (!once) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        once = 1;
    }
}

/*
 * Aborts (a finding) if `what` left an HDF5 object or file open: the readers must close
 * every identifier they open, on every error path too.
 */
static void
fuzz_h5_check_closed(const char *what)
{
    ssize_t n = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);

    if (n != 0) {
        hid_t ids[16];
        ssize_t k, m = H5Fget_obj_ids((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL, 16, ids);
        char name[256];

        fprintf(stderr, "fuzz: %s left %zd HDF5 identifiers open:\n", what, n);
        for (k = 0; k < m; k++) {
            if (H5Iget_name(ids[k], name, sizeof name) < 0)
                snprintf(name, sizeof name, "?");
            fprintf(stderr, "  type %d, name %s\n", (int)H5Iget_type(ids[k]), name);
        }
        abort();
    }
}

static size_t
h5mut_below(uint64_t *s, size_t n)
{
    return n == 0 ? 0 : (size_t)(fwd_splitmix64(s) % n);
}

static uint64_t
h5mut_u64(uint64_t *s, uint64_t old)
{
    /* the edge cases, ... 2^53 + 1, 2^63 - 1, 2^63, 2^64 - 2, 2^64 - 1 */
    /* clang-format off */
    static const uint64_t edge[] = {
        0, 1, 2, 3, 4, 7, 8, 63, 64, 65, 100, 255, 256, 1023, 1024, 1025, 65535, 65536, 100000,
        100001, 100000000, 100000001, 0x7fffffffu, 0x80000000u, 0xffffffffu, 0x100000000u,
        0x20000000000001u, 0x7fffffffffffffffu, 0x8000000000000000u, 0xfffffffffffffffeu,
        0xffffffffffffffffu};
    /* clang-format on */

    switch (h5mut_below(s, 4)) {
    case 0:
        return old + 1;
    case 1:
        return old - 1;
    case 2:
        return fwd_splitmix64(s) % 50;
    default:
        return edge[h5mut_below(s, sizeof edge / sizeof edge[0])];
    }
}

static double
h5mut_f64(uint64_t *s, double old)
{
    static const double edge[] = {0.0,  -0.0, 1.0,   -1.0,    0.5,      2.0,    10.0,
                                  45.0, 90.0, 91.0,  -91.0,   180.0,    1e-300, 4.9e-324,
                                  1e5,  1e-5, 1e300, DBL_MAX, -DBL_MAX, 1e308,  -1e-300};

    switch (h5mut_below(s, 6)) {
    case 0:
        return old * 2;
    case 1:
        return -old;
    case 2:
        return nextafter(old, 0.0);
    case 3:
        return h5mut_below(s, 2) ? NAN : (h5mut_below(s, 2) ? INFINITY : -INFINITY);
    default:
        return edge[h5mut_below(s, sizeof edge / sizeof edge[0])];
    }
}

static const char *
h5mut_str(uint64_t *s)
{
    static const char *const word[] = {
        "bpinv-samples",
        "bpinv-net",
        "schlumberger",
        "wenner",
        "mt",
        "MT",
        "noisy",
        "clean",
        "adam",
        "sgd",
        "tanh",
        "sigmoid",
        "relu",
        "",
        "x",
        "key201",
        "0.1.0",
        "lognormal",
        "ohm-m",
        "m",
        "s",
        "ab2_m",
        "mn2_m",
        "a_m",
        "period_s",
        "rho_a_ohmm",
        "phase_deg",
        "schlumberger\xff",
        "\xc3\x28",
        "a string of some length, longer than the buffers that hold method names and "
        "versions, so that a reader which copies it into a fixed buffer without checking "
        "the length writes past the end: 0123456789012345678901234567890123456789012345"};

    return word[h5mut_below(s, sizeof word / sizeof word[0])];
}

struct h5mut_objs {
    size_t nobj, nattr;
    char obj[H5MUT_MAX_OBJS][H5MUT_NAME];
    int is_ds[H5MUT_MAX_OBJS];
    size_t attr_obj[H5MUT_MAX_ATTRS];
    char attr[H5MUT_MAX_ATTRS][H5MUT_NAME];
};

static herr_t
h5mut_link_cb(hid_t g, const char *name, const H5L_info_t *info, void *op)
{
    struct h5mut_objs *o = op;
    hid_t id;

    (void)info;
    if (o->nobj == H5MUT_MAX_OBJS || strlen(name) + 2 > H5MUT_NAME)
        return 0;
    id = H5Oopen(g, name, H5P_DEFAULT);
    if (id < 0)
        return 0;
    snprintf(o->obj[o->nobj], H5MUT_NAME, "/%s", name);
    o->is_ds[o->nobj++] = H5Iget_type(id) == H5I_DATASET;
    H5Oclose(id);
    return 0;
}

static herr_t
h5mut_attr_cb(hid_t loc, const char *name, const H5A_info_t *info, void *op)
{
    struct h5mut_objs *o = op;

    (void)loc;
    (void)info;
    if (o->nattr == H5MUT_MAX_ATTRS || strlen(name) + 1 > H5MUT_NAME)
        return 0;
    snprintf(o->attr[o->nattr++], H5MUT_NAME, "%s", name);
    return 0;
}

/* A new attribute `name` on obj of a random type and shape. */
static void
h5mut_new_attr(hid_t obj, const char *name, uint64_t *s)
{
    hsize_t n = 1 + h5mut_below(s, 12);
    hid_t sp = h5mut_below(s, 2) ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
    hid_t t = H5I_INVALID_HID, a = H5I_INVALID_HID;
    hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : 0;
    size_t k;

    if (sp < 0 || np < 1)
        goto done;
    switch (h5mut_below(s, 4)) {
    case 0: {
        uint64_t v[12];

        for (k = 0; k < (size_t)np; k++)
            v[k] = h5mut_u64(s, 2);
        a = H5Acreate2(obj, name, H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0)
            H5Awrite(a, H5T_NATIVE_UINT64, v);
        break;
    }
    case 1: {
        double v[12];

        for (k = 0; k < (size_t)np; k++)
            v[k] = h5mut_f64(s, 1.0);
        a = H5Acreate2(obj, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0)
            H5Awrite(a, H5T_NATIVE_DOUBLE, v);
        break;
    }
    case 2: { /* variable-length strings, as bpinv writes them */
        const char *v[12];

        for (k = 0; k < (size_t)np; k++)
            v[k] = h5mut_str(s);
        t = H5Tcopy(H5T_C_S1);
        if (t < 0 || H5Tset_size(t, H5T_VARIABLE) < 0)
            break;
        a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0)
            H5Awrite(a, t, v);
        break;
    }
    default: { /* a fixed-length string, as other writers make them */
        const char *v = h5mut_str(s);
        size_t len = strlen(v) + (h5mut_below(s, 2) ? 1 : 0);

        t = H5Tcopy(H5T_C_S1);
        if (t < 0 || H5Tset_size(t, len > 0 ? len : 1) < 0)
            break;
        H5Sclose(sp);
        sp = H5Screate(H5S_SCALAR);
        a = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0) {
            char buf[512] = {0};

            memcpy(buf, v, strlen(v));
            H5Awrite(a, t, buf);
        }
        break;
    }
    }
done:
    if (a >= 0)
        H5Aclose(a);
    if (t >= 0)
        H5Tclose(t);
    if (sp >= 0)
        H5Sclose(sp);
}

/* Changes one value of a numeric attribute in place. */
static void
h5mut_tweak_attr(hid_t obj, const char *name, uint64_t *s)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT), t = H5I_INVALID_HID, sp = H5I_INVALID_HID;
    hssize_t np;
    H5T_class_t cls;

    if (a < 0)
        return;
    t = H5Aget_type(a);
    sp = H5Aget_space(a);
    np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
    if (np >= 1 && np <= 4096 && cls == H5T_INTEGER) {
        uint64_t *v = calloc((size_t)np, sizeof *v);
        size_t k = h5mut_below(s, (size_t)np);

        if (v != NULL && H5Aread(a, H5T_NATIVE_UINT64, v) >= 0) {
            v[k] = h5mut_u64(s, v[k]);
            H5Awrite(a, H5T_NATIVE_UINT64, v);
        }
        free(v);
    } else if (np >= 1 && np <= 4096 && cls == H5T_FLOAT) {
        double *v = calloc((size_t)np, sizeof *v);
        size_t k = h5mut_below(s, (size_t)np);

        if (v != NULL && H5Aread(a, H5T_NATIVE_DOUBLE, v) >= 0) {
            v[k] = h5mut_f64(s, v[k]);
            H5Awrite(a, H5T_NATIVE_DOUBLE, v);
        }
        free(v);
    } else {
        H5Aclose(a);
        a = H5I_INVALID_HID;
        H5Adelete(obj, name);
        h5mut_new_attr(obj, name, s);
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
}

/* A new double dataset `name` of a random shape (or a group of that name). */
static void
h5mut_new_dataset(hid_t file, const char *name, uint64_t *s)
{
    hsize_t dims[2], np;
    int rank = 1 + (int)h5mut_below(s, 2);
    hid_t sp, d;
    double *v;
    size_t k;

    if (h5mut_below(s, 8) == 0) {
        hid_t g = H5Gcreate2(file, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);

        if (g >= 0)
            H5Gclose(g);
        return;
    }
    dims[0] = h5mut_below(s, 4) == 0 ? h5mut_below(s, 3) : 1 + h5mut_below(s, 40);
    dims[1] = 1 + h5mut_below(s, 40);
    np = rank == 1 ? dims[0] : dims[0] * dims[1];
    sp = H5Screate_simple(rank, dims, NULL);
    v = malloc((np > 0 ? np : 1) * sizeof *v);
    if (sp >= 0 && v != NULL) {
        for (k = 0; k < np; k++)
            v[k] = h5mut_below(s, 16) == 0 ? h5mut_f64(s, 1.0) : 1.0 + (double)k;
        d = H5Dcreate2(file, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (d >= 0) {
            if (np > 0)
                H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
            H5Dclose(d);
        }
    }
    free(v);
    if (sp >= 0)
        H5Sclose(sp);
}

/* Changes one value of a dataset in place, or its extent. */
static void
h5mut_tweak_dataset(hid_t file, const char *name, uint64_t *s)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT), fs = H5I_INVALID_HID, ms = H5I_INVALID_HID;
    hsize_t dims[2] = {0, 0}, maxd[2], one[2] = {1, 1}, at[2] = {0, 0};
    int rank;
    double v;

    if (d < 0)
        return;
    fs = H5Dget_space(d);
    rank = fs >= 0 ? H5Sget_simple_extent_ndims(fs) : -1;
    if (rank < 1 || rank > 2 || H5Sget_simple_extent_dims(fs, dims, maxd) < 0)
        goto done;
    if (h5mut_below(s, 4) == 0 && maxd[0] == H5S_UNLIMITED) {
        dims[0] = h5mut_below(s, 2) ? h5mut_below(s, 3) : dims[0] + 1 + h5mut_below(s, 2000);
        H5Dset_extent(d, dims);
        goto done;
    }
    if (dims[0] == 0 || (rank == 2 && dims[1] == 0))
        goto done;
    at[0] = h5mut_below(s, 2) ? 0 : h5mut_below(s, (size_t)dims[0]);
    at[1] = rank == 2 ? h5mut_below(s, (size_t)dims[1]) : 0;
    ms = H5Screate_simple(1, one, NULL);
    if (ms < 0 || H5Sselect_hyperslab(fs, H5S_SELECT_SET, at, NULL, one, NULL) < 0 ||
        H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &v) < 0)
        goto done;
    v = h5mut_f64(s, v);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &v);
done:
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    H5Dclose(d);
}

/* One change made through the HDF5 API; 0 if the file could be opened and closed. */
static int
h5mut_api(const char *path, uint64_t *s)
{
    static struct h5mut_objs o; /* large: not on the stack */
    hid_t file, fapl = H5Pcreate(H5P_FILE_ACCESS), obj;
    size_t k, nops = 1 + h5mut_below(s, 3), op;
    int rc = 0;

    if (fapl < 0)
        return -1;
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
    file = H5Fopen(path, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    if (file < 0)
        return -1;
    memset(&o, 0, sizeof o);
    snprintf(o.obj[0], H5MUT_NAME, "/");
    o.nobj = 1;
    H5Lvisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, h5mut_link_cb, &o);
    for (k = 0; k < o.nobj; k++) {
        size_t first = o.nattr, j;

        H5Aiterate_by_name(file, o.obj[k], H5_INDEX_NAME, H5_ITER_NATIVE, NULL, h5mut_attr_cb, &o,
                           H5P_DEFAULT);
        for (j = first; j < o.nattr; j++)
            o.attr_obj[j] = k;
    }
    for (op = 0; op < nops; op++) {
        size_t kind = h5mut_below(s, 10);

        if (kind < 6 && o.nattr > 0) { /* an attribute */
            size_t a = h5mut_below(s, o.nattr);

            obj = H5Oopen(file, o.obj[o.attr_obj[a]], H5P_DEFAULT);
            if (obj < 0)
                continue;
            switch (h5mut_below(s, 4)) {
            case 0:
                H5Adelete(obj, o.attr[a]);
                break;
            case 1:
                H5Adelete(obj, o.attr[a]);
                h5mut_new_attr(obj, o.attr[a], s);
                break;
            default:
                h5mut_tweak_attr(obj, o.attr[a], s);
                break;
            }
            H5Oclose(obj);
        } else if (o.nobj > 1) { /* a dataset or group, not the root */
            size_t i = 1 + h5mut_below(s, o.nobj - 1);

            switch (h5mut_below(s, 5)) {
            case 0:
                H5Ldelete(file, o.obj[i], H5P_DEFAULT);
                break;
            case 1:
                if (H5Ldelete(file, o.obj[i], H5P_DEFAULT) >= 0)
                    h5mut_new_dataset(file, o.obj[i], s);
                break;
            default:
                if (o.is_ds[i])
                    h5mut_tweak_dataset(file, o.obj[i], s);
                else
                    H5Ldelete(file, o.obj[i], H5P_DEFAULT);
                break;
            }
        }
    }
    if (H5Fclose(file) < 0)
        rc = -1;
    return rc;
}

/* A few bytes changed in place, not in the superblock nor in a global heap collection. */
static size_t
h5mut_bytes(uint8_t *data, size_t size, uint64_t *s)
{
    size_t n = 1 + h5mut_below(s, 4), k, tries;

    for (k = 0; k < n; k++)
        for (tries = 0; tries < 16; tries++) {
            size_t at = h5mut_below(s, size), g;
            int in_heap = at < 48;

            for (g = 0; g + 16 <= size && !in_heap; g++)
                if (memcmp(data + g, "GCOL", 4) == 0) {
                    uint64_t len = 0;
                    int b;

                    for (b = 7; b >= 0; b--)
                        len = len << 8 | data[g + 8 + (size_t)b];
                    if (len < 4096 || len > size)
                        len = 4096;
                    in_heap = at >= g && at - g < len;
                }
            if (in_heap)
                continue;
            switch (h5mut_below(s, 4)) {
            case 0:
                data[at] ^= (uint8_t)(1u << h5mut_below(s, 8));
                break;
            case 1:
                data[at] = (uint8_t)fwd_splitmix64(s);
                break;
            case 2:
                data[at] = h5mut_below(s, 2) ? 0x00 : 0xff;
                break;
            default:
                data[at]++;
                break;
            }
            break;
        }
    return size;
}

size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    uint64_t s = seed;
    const char *path;
    FILE *f;
    long lsize;
    size_t n;
    pid_t pid;
    int status;

    fuzz_h5_quiet();
    if (size < 64)
        return size; /* nothing to mutate: the seeds are whole files */
    if (h5mut_below(&s, 10) == 0)
        return h5mut_bytes(data, size, &s);
    path = fuzz_tmp_write("mutate.h5", data, size);
    /* in a child: libhdf5 can fail to close a file it changed (its free-space manager,
     * "new address already in use?"), which would leave the fuzzer's libhdf5 stuck */
    pid = fork();
    if (pid == 0)
        _exit(h5mut_api(path, &s) == 0 ? 0 : 1);
    if (pid > 0)
        while (waitpid(pid, &status, 0) < 0)
            if (errno != EINTR) { /* cannot happen for our own child */
                perror("fuzz: waitpid");
                abort();
            }
    if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return h5mut_bytes(data, size, &s);
    f = fopen(path, "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (lsize = ftell(f)) < 0 ||
        (size_t)lsize > max_size || fseek(f, 0, SEEK_SET) != 0) {
        if (f != NULL) /* grew too large: a byte change of the input instead */
            fclose(f);
        return h5mut_bytes(data, size, &s);
    }
    n = fread(data, 1, (size_t)lsize, f);
    fclose(f);
    return n;
}
#endif /* FUZZ_H5MUT_H */
