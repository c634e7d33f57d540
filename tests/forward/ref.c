/* SPDX-License-Identifier: MIT */
/*
 * ref.c - independent reference values for the forward tests.
 *
 * Image series: Keller and Frischknecht (1966), Electrical Methods in Geophysical
 * Prospecting, ch. 3; the potential of a point source over two layers is
 *     V(r) = I rho1 / (2 pi) [1/r + 2 sum_n k^n / sqrt(r^2 + (2 n h)^2)],
 * k = (rho2 - rho1) / (rho2 + rho1). Numerical Hankel integration: the integral between
 * consecutive zeros of the Bessel function by GSL QAG, summed until the kernel
 * T(lambda) - rho1 underflows. The kernel uses the textbook tanh recursion (Koefoed 1979).
 */
#include <complex.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_bessel.h>

#include "tests/forward/ref.h"

#define REF_PI 3.14159265358979323846

double
rel_diff(double a, double b)
{
    return fabs(a - b) / fabs(b);
}

/*
 * Sums k^n f(n) for n = 1, 2, ... with f dimensionless, decreasing and <= 1: stops when
 * the bound on the remaining tail, |k|^n f(n) / (1 - |k|), is below 1e-19.
 */
static double
image_sum(double k, double (*f)(double n, const double *p), const double *p)
{
    double sum = 0.0, kn = 1.0, t;
    long n;

    for (n = 1; n < 100000000; n++) {
        kn *= k;
        t = kn * f((double)n, p);
        sum += t;
        if (fabs(t) < 1e-19 * (1.0 - fabs(k)))
            break;
    }
    return sum;
}

static double
schl_term(double n, const double *p)
{
    double s = p[0], h = p[1], z = 2.0 * n * h;

    return s * s * s / pow(s * s + z * z, 1.5);
}

/* r1 (1/sqrt(r1^2 + z^2) - 1/sqrt(r2^2 + z^2)), z = 2 n h, without cancellation. */
static double
pot_term(double n, const double *p)
{
    double r1 = p[0], r2 = p[1], z = 2.0 * n * p[2];
    double A = r1 * r1 + z * z, B = r2 * r2 + z * z, sa = sqrt(A), sb = sqrt(B);

    return r1 * (r2 * r2 - r1 * r1) / (sa * sb * (sa + sb));
}

double
ref_schlumberger_2layer(double rho1, double rho2, double h, double ab2)
{
    double p[2] = {ab2, h};
    double k = (rho2 - rho1) / (rho2 + rho1);

    return rho1 * (1.0 + 2.0 * image_sum(k, schl_term, p));
}

double
ref_schlumberger_mn_2layer(double rho1, double rho2, double h, double ab2, double mn2)
{
    double r1 = ab2 - mn2, r2 = ab2 + mn2, p[3] = {r1, r2, h};
    double k = (rho2 - rho1) / (rho2 + rho1);
    double geo = (ab2 * ab2 - mn2 * mn2) / (2.0 * mn2);

    return geo * rho1 * (1.0 / r1 - 1.0 / r2 + 2.0 * image_sum(k, pot_term, p) / r1);
}

double
ref_wenner_2layer(double rho1, double rho2, double h, double a)
{
    double p[3] = {a, 2.0 * a, h};
    double k = (rho2 - rho1) / (rho2 + rho1);

    return rho1 * (1.0 + 4.0 * image_sum(k, pot_term, p));
}

struct kern {
    size_t n;
    const double *rho, *h;
    double r, r2; /* Bessel radii */
};

/* T(lambda) - rho1 by the tanh recursion. */
static double
kernel_minus_rho1(const struct kern *k, double lam)
{
    double T = k->rho[k->n - 1], t;
    size_t j;

    for (j = k->n - 1; j-- > 0;) {
        t = tanh(lam * k->h[j]);
        T = (T + k->rho[j] * t) / (1.0 + T * t / k->rho[j]);
    }
    return T - k->rho[0];
}

static double
f_schl(double lam, void *p)
{
    const struct kern *k = p;

    return kernel_minus_rho1(k, lam) * lam * gsl_sf_bessel_J1(lam * k->r);
}

static double
f_wen(double lam, void *p)
{
    const struct kern *k = p;

    return kernel_minus_rho1(k, lam) *
           (gsl_sf_bessel_J0(lam * k->r) - gsl_sf_bessel_J0(lam * k->r2));
}

/*
 * Integrates f over [0, lam_end] piecewise on intervals of length step, each to an
 * absolute error of epsabs: near lam_end the kernel T - rho1 is rounding noise, which no
 * relative tolerance can meet.
 */
static double
piecewise(gsl_function *F, double first, double step, double lam_end, double epsabs)
{
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(2000);
    double a = 0.0, b = first, sum = 0.0, v, e;
    int rc;

    /* GSL_EROUND (the tolerance is below what rounding allows) still gives the best
     * estimate; any other error fails the test through a NaN. */
    gsl_set_error_handler_off();
    while (a < lam_end) {
        rc = gsl_integration_qag(F, a, b, epsabs, 1e-12, 2000, GSL_INTEG_GAUSS41, ws, &v, &e);
        if (rc != GSL_SUCCESS && rc != GSL_EROUND)
            v = NAN;
        sum += v;
        a = b;
        b += step;
    }
    gsl_integration_workspace_free(ws);
    return sum;
}

static double
min_rho(size_t n, const double *rho)
{
    double m = rho[0];
    size_t j;

    for (j = 1; j < n; j++)
        m = fmin(m, rho[j]);
    return m;
}

double
ref_schlumberger_quad(size_t n, const double *rho, const double *h, double ab2)
{
    struct kern k = {n, rho, h, ab2, 0.0};
    gsl_function F = {f_schl, &k};
    /* Beyond 2 lambda h1 = 45 the kernel T - rho1 is below 1e-19 rho1. */
    double lam_end = 22.5 / h[0];

    /* Total error below 1e-10 of the smallest resistivity. */
    double nint = lam_end * ab2 / REF_PI + 2.0;
    double epsabs = 1e-10 * min_rho(n, rho) / (ab2 * ab2 * nint);

    return rho[0] +
           ab2 * ab2 * piecewise(&F, 3.8317059702075123 / ab2, REF_PI / ab2, lam_end, epsabs);
}

double
ref_wenner_quad(size_t n, const double *rho, const double *h, double a)
{
    struct kern k = {n, rho, h, a, 2.0 * a};
    gsl_function F = {f_wen, &k};
    double lam_end = 22.5 / h[0];

    double nint = lam_end * 2.0 * a / REF_PI + 1.0;
    double epsabs = 1e-10 * min_rho(n, rho) / (2.0 * a * nint);

    return rho[0] +
           2.0 * a * piecewise(&F, REF_PI / (2.0 * a), REF_PI / (2.0 * a), lam_end, epsabs);
}

void
ref_mt(size_t n, const double *rho, const double *h, double period, double *rho_a, double *phase)
{
    double omu = 2.0 * REF_PI / period * 4e-7 * REF_PI;
    double complex Z = csqrt(I * omu * rho[n - 1]), zeta, k, t;
    size_t j;

    for (j = n - 1; j-- > 0;) {
        zeta = csqrt(I * omu * rho[j]);
        k = csqrt(I * omu / rho[j]);
        t = ctanh(k * h[j]);
        Z = zeta * (Z + zeta * t) / (zeta + Z * t);
    }
    *rho_a = cabs(Z) * cabs(Z) / omu;
    *phase = carg(Z) * 180.0 / REF_PI;
}
