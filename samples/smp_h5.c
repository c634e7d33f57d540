/* SPDX-License-Identifier: MIT */
/*
 * smp_h5.c - typed HDF5 attributes and checked opening.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "forward/base/fwd_io.h"
#include "forward/fwd_forward.h"
#include "samples/smp_h5.h"

static hid_t
str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);

    if (t < 0)
        return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* Writes an attribute of type ftype (memory type mtype) over space; closes nothing given. */
static int
write_attr(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hid_t space, const void *buf,
           fwd_error *err)
{
    hid_t a = H5I_INVALID_HID;
    int rc = FWD_OK;

    if (space < 0 || ftype < 0) {
        rc = fwd_error_set(err, FWD_EIO, "attribute %s: cannot make its type or space", name);
        goto done;
    }
    a = H5Acreate2(loc, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0 || H5Awrite(a, mtype, buf) < 0)
        rc = fwd_error_set(err, FWD_EIO, "attribute %s: cannot write it", name);
done:
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

int
smp_h5_write_str(hid_t loc, const char *name, const char *value, fwd_error *err)
{
    hid_t t = str_type(), s = H5Screate(H5S_SCALAR);
    int rc = write_attr(loc, name, t, t, s, &value, err);

    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

int
smp_h5_write_strs(hid_t loc, const char *name, size_t n, char *const *values, fwd_error *err)
{
    hsize_t dim = n;
    hid_t t = str_type(), s = H5Screate_simple(1, &dim, NULL);
    int rc = write_attr(loc, name, t, t, s, values, err);

    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    return rc;
}

int
smp_h5_write_u64(hid_t loc, const char *name, uint64_t value, fwd_error *err)
{
    hid_t s = H5Screate(H5S_SCALAR);
    int rc = write_attr(loc, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, s, &value, err);

    if (s >= 0)
        H5Sclose(s);
    return rc;
}

int
smp_h5_write_f64(hid_t loc, const char *name, size_t n, const double *values, fwd_error *err)
{
    hsize_t dim = n;
    hid_t s = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL);
    int rc = write_attr(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s, values, err);

    if (s >= 0)
        H5Sclose(s);
    return rc;
}

int
smp_h5_update_u64(hid_t loc, const char *name, uint64_t value, fwd_error *err)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    int rc = FWD_OK;

    if (a < 0 || H5Awrite(a, H5T_NATIVE_UINT64, &value) < 0)
        rc = fwd_error_set(err, FWD_EIO, "attribute %s: cannot update it", name);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

/* Opens attribute name of loc, or sets a FWD_EFORMAT error naming the file. Whether it
 * exists is asked only when the open fails: each question is a search of the object's
 * attributes. */
static hid_t
open_attr(hid_t loc, const char *path, const char *name, fwd_error *err)
{
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);

    if (a < 0 && H5Aexists(loc, name) <= 0)
        fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s' is missing", path, name);
    else if (a < 0)
        fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s' cannot be opened", path, name);
    return a;
}

/* Number of elements of attribute a, or -1. */
static hssize_t
attr_npoints(hid_t a)
{
    hid_t s = H5Aget_space(a);
    hssize_t n = s < 0 ? -1 : H5Sget_simple_extent_npoints(s);

    if (s >= 0)
        H5Sclose(s);
    return n;
}

int
smp_h5_read_str(hid_t loc, const char *path, const char *name, char *buf, size_t cap,
                fwd_error *err)
{
    hid_t a = open_attr(loc, path, name, err), ft = H5I_INVALID_HID, mt = H5I_INVALID_HID;
    char *v = NULL;
    size_t sz;
    int rc = FWD_OK;

    if (a < 0)
        return FWD_EFORMAT;
    ft = H5Aget_type(a);
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING || attr_npoints(a) != 1) {
        rc = fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s': expected a string", path, name);
        goto done;
    }
    if (H5Tis_variable_str(ft) > 0) {
        mt = str_type();
        if (mt < 0 || H5Aread(a, mt, &v) < 0 || v == NULL) {
            rc = fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s': unreadable", path, name);
            goto done;
        }
        snprintf(buf, cap, "%s", v);
        H5free_memory(v);
    } else {
        sz = H5Tget_size(ft);
        mt = H5Tcopy(H5T_C_S1);
        if (sz == 0 || sz >= cap || mt < 0 || H5Tset_size(mt, cap) < 0 ||
            H5Tset_strpad(mt, H5T_STR_NULLTERM) < 0 || H5Aread(a, mt, buf) < 0) {
            rc = fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s': unreadable or too long", path,
                               name);
            goto done;
        }
        buf[cap - 1] = '\0';
    }
done:
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

/* Reads n numbers of class cls from attribute name into buf as memory type mtype. */
/* What an HDF5 type class holds, for a message ("got ..."). */
static const char *
class_name(H5T_class_t c)
{
    return c == H5T_FLOAT     ? "floating-point values"
           : c == H5T_INTEGER ? "integers"
           : c == H5T_STRING  ? "strings"
           : c < 0            ? "an unreadable type"
                              : "values of another kind";
}

static int
read_num(hid_t loc, const char *path, const char *name, H5T_class_t cls, hid_t mtype, size_t n,
         void *buf, fwd_error *err)
{
    hid_t a = open_attr(loc, path, name, err), ft = H5I_INVALID_HID;
    hssize_t np;
    int rc = FWD_OK;

    if (a < 0)
        return FWD_EFORMAT;
    ft = H5Aget_type(a);
    np = attr_npoints(a);
    if (ft < 0 || H5Tget_class(ft) != cls || np != (hssize_t)n) {
        rc = fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s': expected %zu %s, got %lld %s",
                           path, name, n, class_name(cls), (long long)np,
                           class_name(ft >= 0 ? H5Tget_class(ft) : H5T_NO_CLASS));
        goto done;
    }
    if (cls == H5T_INTEGER && H5Tget_sign(ft) == H5T_SGN_2) {
        /* a signed integer is read as such, so that a negative one is not wrapped around */
        long long v;

        if (n != 1 || H5Aread(a, H5T_NATIVE_LLONG, &v) < 0)
            rc = fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s': unreadable", path, name);
        else if (v < 0)
            rc = fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s': expected >= 0, got %lld",
                               path, name, v);
        else
            *(uint64_t *)buf = (uint64_t)v;
        goto done;
    }
    if (H5Aread(a, mtype, buf) < 0)
        rc = fwd_error_set(err, FWD_EFORMAT, "%s: attribute '%s': unreadable", path, name);
done:
    if (ft >= 0)
        H5Tclose(ft);
    H5Aclose(a);
    return rc;
}

int
smp_h5_read_u64(hid_t loc, const char *path, const char *name, uint64_t *value, fwd_error *err)
{
    return read_num(loc, path, name, H5T_INTEGER, H5T_NATIVE_UINT64, 1, value, err);
}

int
smp_h5_read_f64(hid_t loc, const char *path, const char *name, size_t n, double *values,
                fwd_error *err)
{
    return read_num(loc, path, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, n, values, err);
}

int
smp_h5_read_f64_in(hid_t loc, const char *path, const char *name, double lo, double hi,
                   double *value, fwd_error *err)
{
    int rc = smp_h5_read_f64(loc, path, name, 1, value, err);

    if (rc == FWD_OK && !(*value >= lo && *value <= hi))
        return fwd_error_set(err, FWD_EFORMAT, "%s: %s: expected %g to %g, got %g", path, name, lo,
                             hi, *value);
    return rc;
}

/* HDF5 prints its error stack on stderr unless told not to: the libraries' messages say
 * what went wrong instead (smp_h5.h). */
static void
quiet_hdf5(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

hid_t
smp_h5_create_temp(const char *path, hid_t fcpl, hid_t fapl, char **tmp, fwd_error *err)
{
    hid_t file;

    quiet_hdf5();
    if ((*tmp = fwd_io_temp_name(path)) == NULL) {
        fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
        return H5I_INVALID_HID;
    }
    errno = 0;
    file = H5Fcreate(*tmp, H5F_ACC_EXCL, fcpl, fapl);
    if (file >= 0)
        return file;
    if (errno == EEXIST) {
        fwd_error_set(err, FWD_EIO,
                      "%s: cannot create the temporary file %s: it exists (another bpinv "
                      "writing the same file?)",
                      path, *tmp);
    } else {
        fwd_error_set(err, FWD_EIO, "%s: cannot create the file: %s", path,
                      fwd_io_why("missing directory or no permission?"));
        unlink(*tmp); /* the empty file HDF5 may leave behind */
    }
    free(*tmp);
    *tmp = NULL;
    return H5I_INVALID_HID;
}

hid_t
smp_h5_writer_fapl(void)
{
    H5AC_cache_config_t mdc;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);

    mdc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (fapl < 0 || H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0 ||
        H5Pget_mdc_config(fapl, &mdc) < 0)
        goto fail;
    /* HDF5 allows no evictions only without automatic resizing */
    mdc.evictions_enabled = 0;
    mdc.incr_mode = H5C_incr__off;
    mdc.flash_incr_mode = H5C_flash_incr__off;
    mdc.decr_mode = H5C_decr__off;
    if (H5Pset_mdc_config(fapl, &mdc) < 0)
        goto fail;
    return fapl;
fail:
    if (fapl >= 0)
        H5Pclose(fapl);
    return H5I_INVALID_HID;
}

hid_t
smp_h5_open(const char *path, int rw, fwd_error *err)
{
    htri_t ok;
    hid_t f, fapl;
    struct stat st;

    quiet_hdf5();

    if (access(path, rw ? R_OK | W_OK : R_OK) != 0) {
        int e = errno;

        fwd_error_set(err, FWD_EIO, "%s: cannot open: %s", path,
                      e == ENOENT   ? "no such file"
                      : e == EACCES ? "permission denied"
                                    : strerror(e));
        return H5I_INVALID_HID;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        fwd_error_set(err, FWD_EIO, "%s: is a directory; expected an HDF5 file", path);
        return H5I_INVALID_HID;
    }
    fapl = rw ? smp_h5_writer_fapl() : H5Pcreate(H5P_FILE_ACCESS);
    f = fapl >= 0 ? H5Fopen(path, rw ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl) : H5I_INVALID_HID;
    if (fapl >= 0)
        H5Pclose(fapl);
    if (f >= 0)
        return f;
    /* why not: HDF5's own signature search, only now (it opens and reads the file again) */
    ok = H5Fis_hdf5(path);
    if (ok <= 0)
        fwd_error_set(err, FWD_EFORMAT, "%s: not an HDF5 file (or a truncated one)", path);
    else
        fwd_error_set(err, FWD_EFORMAT, "%s: HDF5 cannot open it (truncated, damaged or locked)",
                      path);
    return H5I_INVALID_HID;
}

/*
 * The open dataset `name` of loc, into *d, with its dimensions (cols 0 for a vector): one
 * open serves the check and the read. FWD_EFORMAT naming it when it is missing or not a 1-D
 * or 2-D floating-point array (the message left to the caller when err is NULL).
 */
static int
open_dims(hid_t loc, const char *path, const char *name, hid_t *d, size_t *rows, size_t *cols,
          fwd_error *err)
{
    hid_t s = H5I_INVALID_HID, t = H5I_INVALID_HID;
    hsize_t dims[2] = {0, 0};
    int rank = -1, rc = FWD_OK;

    *rows = *cols = 0;                     /* also when it fails */
    *d = H5Dopen2(loc, name, H5P_DEFAULT); /* whether it exists asked only if not */
    if (*d < 0 && H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return fwd_error_set(err, FWD_EFORMAT, "%s: dataset '%s' is missing", path, name);
    if (*d >= 0) {
        s = H5Dget_space(*d);
        t = H5Dget_type(*d);
    }
    if (s >= 0)
        rank = H5Sget_simple_extent_ndims(s);
    if (*d < 0 || t < 0 || H5Tget_class(t) != H5T_FLOAT || rank < 1 || rank > 2 ||
        H5Sget_simple_extent_dims(s, dims, NULL) < 0)
        rc = fwd_error_set(err, FWD_EFORMAT,
                           "%s: dataset '%s': expected a 1-D or 2-D array of floating-point "
                           "values, got %s%s (%d dimension%s)",
                           path, name, *d < 0 ? "no dataset" : "",
                           *d < 0 ? "" : class_name(t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS), rank,
                           rank == 1 ? "" : "s");
    *rows = (size_t)dims[0];
    *cols = rank == 2 ? (size_t)dims[1] : 0;
    if (t >= 0)
        H5Tclose(t);
    if (s >= 0)
        H5Sclose(s);
    return rc;
}

/* H5Ewalk2's visit: a checksum that did not match (Fletcher32's, or a metadata block's). */
static herr_t
checksum_seen(unsigned n, const H5E_error2_t *e, void *found)
{
    (void)n;
    if (e->desc != NULL && strstr(e->desc, "checksum") != NULL)
        *(int *)found = 1;
    return 0;
}

const char *
smp_h5_read_why(void)
{
    int found = 0;

    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, checksum_seen, &found);
    return found ? "its checksum does not match: the file is damaged (copy it again, or "
                   "make it again)"
                 : "read error";
}

/* A dataset creation list for dims (rank 1 or 2): one chunk of them all, with Fletcher32's
 * checksum, which every read checks; H5P_DEFAULT (contiguous, unchecked) for no values. */
static hid_t
checked_dcpl(int rank, const hsize_t *dims)
{
    hid_t pl;

    if (dims[0] == 0 || (rank == 2 && dims[1] == 0))
        return H5P_DEFAULT;
    pl = H5Pcreate(H5P_DATASET_CREATE);
    if (pl >= 0 && (H5Pset_chunk(pl, rank, dims) < 0 || H5Pset_fletcher32(pl) < 0)) {
        H5Pclose(pl);
        pl = H5I_INVALID_HID;
    }
    return pl;
}

/* Reads the whole open dataset d, whose dimensions the caller has checked, and closes it. */
static int
read_close(hid_t d, const char *path, const char *name, double *v, fwd_error *err)
{
    int rc = FWD_OK;

    if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: dataset '%s': %s", path, name, smp_h5_read_why());
    H5Dclose(d);
    return rc;
}

int
smp_h5_read_vector(hid_t loc, const char *path, const char *name, size_t n, double *v,
                   fwd_error *err)
{
    size_t r, c;
    hid_t d;

    if (open_dims(loc, path, name, &d, &r, &c, err) != FWD_OK) {
        if (d >= 0)
            H5Dclose(d);
        return FWD_EFORMAT;
    }
    if (c != 0 || r != n) {
        H5Dclose(d);
        if (c != 0)
            return fwd_error_set(err, FWD_EFORMAT,
                                 "%s: dataset '%s': expected %zu values in one dimension, got "
                                 "%zu x %zu",
                                 path, name, n, r, c);
        return fwd_error_set(err, FWD_EFORMAT, "%s: dataset '%s': expected %zu values, got %zu",
                             path, name, n, r);
    }
    return read_close(d, path, name, v, err);
}

int
smp_h5_write_geometry(hid_t loc, const char *path, const fwd_geom *g, fwd_error *err)
{
    hid_t grp = H5Gcreate2(loc, "geometry", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t n = fwd_geom_size(g);
    hid_t s = H5Screate_simple(1, &n, NULL), d = H5I_INVALID_HID, pl = checked_dcpl(1, &n);
    const fwd_method_info *mi = fwd_method_get(fwd_geom_method(g));
    const char *name[2] = {mi->x_column, "mn2_m"}, *unit[2] = {mi->x_unit, "m"};
    const double *v[2] = {fwd_geom_x(g), fwd_geom_mn2(g)};
    int k, rc = FWD_OK;

    if (grp < 0 || s < 0 || pl < 0) {
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot create /geometry", path);
        goto done;
    }
    for (k = 0; k < 2 && rc == FWD_OK; k++) {
        if (v[k] == NULL)
            continue;
        d = H5Dcreate2(grp, name[k], H5T_IEEE_F64LE, s, H5P_DEFAULT, pl, H5P_DEFAULT);
        if (d < 0 || H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v[k]) < 0)
            rc = fwd_error_set(err, FWD_EIO, "%s: cannot write /geometry/%s", path, name[k]);
        else
            rc = smp_h5_write_str(d, "units", unit[k], err);
        if (rc == FWD_OK)
            rc = smp_h5_write_str(d, "columns", name[k], err);
        if (d >= 0)
            H5Dclose(d);
        d = H5I_INVALID_HID;
    }
done:
    if (pl >= 0 && pl != H5P_DEFAULT)
        H5Pclose(pl);
    if (s >= 0)
        H5Sclose(s);
    if (grp >= 0)
        H5Gclose(grp);
    return rc;
}

int
smp_h5_read_geometry(hid_t file, const char *path, fwd_method m, fwd_geom **g, fwd_error *err)
{
    const fwd_method_info *mi = fwd_method_get(m);
    char name[64];
    size_t rows, cols;
    hssize_t n = -1;
    double *x = NULL, *mn2 = NULL;
    fwd_error e2;
    int rc = FWD_OK;

    snprintf(name, sizeof name, "geometry/%s", fwd_method_xname(m));
    if (H5Lexists(file, "geometry", H5P_DEFAULT) <= 0 || H5Lexists(file, name, H5P_DEFAULT) <= 0)
        return fwd_error_set(err, FWD_EFORMAT, "%s: dataset '/%s' is missing", path, name);
    if (smp_h5_dims(file, path, name, &rows, &cols, NULL) == FWD_OK)
        n = (hssize_t)(cols > 0 ? rows * cols : rows);
    if (n < 1 || n > FWD_MAX_POINTS)
        return fwd_error_set(err, FWD_EFORMAT, "%s: /%s: expected 1 to %d points", path, name,
                             FWD_MAX_POINTS);
    x = malloc((size_t)n * sizeof *x);
    mn2 = malloc((size_t)n * sizeof *mn2);
    if (x == NULL || mn2 == NULL) {
        rc = fwd_error_set(err, FWD_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    rc = smp_h5_read_vector(file, path, name, (size_t)n, x, err);
    if (rc == FWD_OK && mi != NULL && mi->has_mn2 &&
        H5Lexists(file, "geometry/mn2_m", H5P_DEFAULT) > 0)
        rc = smp_h5_read_vector(file, path, "geometry/mn2_m", (size_t)n, mn2, err);
    else {
        free(mn2);
        mn2 = NULL;
    }
    if (rc == FWD_OK) {
        *g = fwd_geom_alloc(m, (size_t)n, x, mn2, &e2);
        if (*g == NULL || fwd_geom_check_distinct(*g, &e2) != FWD_OK)
            rc = fwd_error_set(err, FWD_EFORMAT, "%s: /geometry: %s", path, e2.msg);
        if (rc != FWD_OK) {
            fwd_geom_free(*g);
            *g = NULL;
        }
    }
done:
    free(mn2);
    free(x);
    return rc;
}

int
smp_h5_read_filter(hid_t loc, const char *path, char *buf, size_t cap, fwd_error *err)
{
    int rc = smp_h5_read_str(loc, path, "forward_filter", buf, cap, err);

    if (rc == FWD_OK && strcmp(buf, fwd_hankel_name(FWD_HANKEL_SHARED)) != 0 &&
        strcmp(buf, fwd_hankel_name(FWD_HANKEL_KEY201)) != 0)
        rc = fwd_error_set(err, FWD_EFORMAT, "%s: forward_filter: expected %s or %s, got \"%s\"",
                           path, fwd_hankel_name(FWD_HANKEL_SHARED),
                           fwd_hankel_name(FWD_HANKEL_KEY201), buf);
    return rc;
}

int
smp_h5_write_prior(hid_t loc, const smp_prior *p, fwd_error *err)
{
    size_t n = p->n_layers;
    int rc;

    rc = smp_h5_write_f64(loc, "rho_min", n, p->rho_min, err);
    rc = rc ? rc : smp_h5_write_f64(loc, "rho_max", n, p->rho_max, err);
    if (n > 1) {
        rc = rc ? rc : smp_h5_write_f64(loc, "thick_min", n - 1, p->thick_min, err);
        rc = rc ? rc : smp_h5_write_f64(loc, "thick_max", n - 1, p->thick_max, err);
    }
    return rc;
}

int
smp_h5_read_prior(hid_t loc, const char *path, smp_prior *p, fwd_error *err)
{
    size_t n = p->n_layers;
    fwd_error e2;
    int rc;

    rc = smp_h5_read_f64(loc, path, "rho_min", n, p->rho_min, err);
    rc = rc ? rc : smp_h5_read_f64(loc, path, "rho_max", n, p->rho_max, err);
    if (n > 1) {
        rc = rc ? rc : smp_h5_read_f64(loc, path, "thick_min", n - 1, p->thick_min, err);
        rc = rc ? rc : smp_h5_read_f64(loc, path, "thick_max", n - 1, p->thick_max, err);
    }
    if (rc == FWD_OK && smp_prior_check(p, &e2) != FWD_OK)
        rc = fwd_error_set_field(err, FWD_EFORMAT, e2.field, "%s: prior attributes: %s", path,
                                 e2.msg);
    return rc;
}

int
smp_h5_write_matrix(hid_t loc, const char *path, const char *name, size_t rows, size_t cols,
                    const double *v, const char *units, char *const *columns, fwd_error *err)
{
    hsize_t dims[2] = {rows, cols};
    hid_t s = H5Screate_simple(cols > 0 ? 2 : 1, dims, NULL), d = H5I_INVALID_HID;
    hid_t pl = checked_dcpl(cols > 0 ? 2 : 1, dims);
    int rc = FWD_OK;

    if (s >= 0 && pl >= 0)
        d = H5Dcreate2(loc, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, pl, H5P_DEFAULT);
    if (s < 0 || d < 0 || H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0)
        rc = fwd_error_set(err, FWD_EIO, "%s: cannot write dataset %s", path, name);
    rc = rc ? rc : smp_h5_write_str(d, "units", units, err);
    if (rc == FWD_OK && columns != NULL)
        rc = smp_h5_write_strs(d, "columns", cols > 0 ? cols : rows, columns, err);
    if (d >= 0)
        H5Dclose(d);
    if (pl >= 0 && pl != H5P_DEFAULT)
        H5Pclose(pl);
    if (s >= 0)
        H5Sclose(s);
    return rc;
}

int
smp_h5_dims(hid_t loc, const char *path, const char *name, size_t *rows, size_t *cols,
            fwd_error *err)
{
    hid_t d;
    int rc = open_dims(loc, path, name, &d, rows, cols, err);

    if (d >= 0)
        H5Dclose(d);
    return rc;
}

int
smp_h5_read_matrix(hid_t loc, const char *path, const char *name, size_t rows, size_t cols,
                   double *v, fwd_error *err)
{
    size_t r, c;
    hid_t d;
    int rc = open_dims(loc, path, name, &d, &r, &c, err);

    if (rc == FWD_OK && (r != rows || c != cols))
        rc = fwd_error_set(err, FWD_EFORMAT, "%s: dataset '%s': expected %zu x %zu, got %zu x %zu",
                           path, name, rows, cols, r, c);
    if (rc != FWD_OK) {
        if (d >= 0)
            H5Dclose(d);
        return rc;
    }
    return read_close(d, path, name, v, err);
}

int
smp_h5_file_format(const char *path, char *fmt, size_t cap, fwd_error *err)
{
    hid_t file = smp_h5_open(path, 0, err);
    int rc;

    if (file < 0)
        return err != NULL ? err->code : FWD_EIO;
    rc = smp_h5_read_str(file, path, "format", fmt, cap, err);
    if (rc != FWD_OK && err != NULL)
        snprintf(err->field, sizeof err->field, "format");
    H5Fclose(file);
    return rc;
}
