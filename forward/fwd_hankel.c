/* SPDX-License-Identifier: MIT */
/*
 * fwd_hankel.c - a J1 digital linear filter for the Schlumberger transform that can be
 * evaluated at any shift, so that every spacing of a geometry reads the kernel on one
 * shared grid of ln(lambda) (docs/methods.md, "Shared-grid filter").
 *
 * In u = ln(lambda r) the Schlumberger transform is a correlation,
 *     rho_S(r) = int f(ln lambda) h(ln r + ln lambda) d(ln lambda),  h(u) = e^{2u} J1(e^u),
 * and with f sampled every STEP in ln(lambda) and interpolated by sinc functions (Ghosh
 * 1971), the weight of the sample at ln(lambda_j) is W(ln r + ln lambda_j), with
 *     W(u) = (STEP / pi) int_0^{pi/STEP} Re[H(w) e^{i w u}] sigma(w) dw,
 *     H(w) = int h(u) e^{-i w u} du = 2^{1 - i w} Gamma((3 - i w)/2) / Gamma((1 + i w)/2),
 * the Mellin transform of J1 (Gradshteyn and Ryzhik 6.561.14). sigma is an erfc taper that
 * makes W decay like a Gaussian, so W is cut to u in [ULO, UHI]. The kernel's spectrum
 * decays like exp(-pi w / 2) (its poles lie at Im ln(lambda) >= pi/2), which sets the
 * accuracy: about 1e-7 on two-layer models with contrasts of 1e4.
 */
#include <complex.h>
#include <math.h>

#include <gsl/gsl_integration.h>
#include <gsl/gsl_sf_gamma.h>

#include "forward/fwd_internal.h"

int
fwd_dlf_init(fwd_dlf *f, fwd_error *err)
{
    gsl_integration_glfixed_table *tab = gsl_integration_glfixed_table_alloc(FWD_DLF_NQ);
    gsl_sf_result lnr1, arg1, lnr2, arg2;
    double wc = FWD_PI / FWD_DLF_STEP, wm = FWD_DLF_TAPER_CENTER * wc, om, gw, sigma, lr, ph;
    size_t n;
    int rc = FWD_OK;

    if (tab == NULL)
        return fwd_fail(err, FWD_ENOMEM, "hankel filter: out of memory");
    for (n = 0; n < FWD_DLF_NQ; n++) {
        gsl_integration_glfixed_point(0.0, wc, n, &om, &gw, tab);
        if (gsl_sf_lngamma_complex_e(1.5, -0.5 * om, &lnr1, &arg1) != 0 ||
            gsl_sf_lngamma_complex_e(0.5, 0.5 * om, &lnr2, &arg2) != 0) {
            rc = fwd_fail(err, FWD_ENUMERIC, "hankel filter: log-gamma failed at w = %g", om);
            break;
        }
        /* ln H = (1 - i w) ln 2 + lnGamma((3 - i w)/2) - lnGamma((1 + i w)/2) */
        lr = log(2.0) + lnr1.val - lnr2.val;
        ph = -om * log(2.0) + arg1.val - arg2.val;
        sigma = 0.5 * erfc((om - wm) / FWD_DLF_TAPER_WIDTH);
        f->omega[n] = om;
        f->a[n] = (FWD_DLF_STEP / FWD_PI) * gw * sigma * exp(lr) * cexp(I * ph);
        f->step_r[n] = cos(om * FWD_DLF_STEP);
        f->step_i[n] = sin(om * FWD_DLF_STEP);
    }
    gsl_integration_glfixed_table_free(tab);
    return rc;
}

/*
 * Sum over the nodes n of Re[z_n e^{i w_n k STEP}] for k = 0 .. len-1, the nodes in the inner
 * loop (vectorised; an AVX2 clone where the CPU has it) and the rotation e^{i w_n STEP}
 * applied as a complex product per step. 256 nodes x 170 steps per datum: this loop is the
 * cost of a workspace.
 */
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
static void
rotate_sum(double *zr, double *zi, const double *sr, const double *si, size_t len, double *w)
{
    size_t k, n;

    for (k = 0; k < len; k++) {
        double sum = 0;

#pragma omp simd reduction(+ : sum)
        for (n = 0; n < FWD_DLF_NQ; n++) {
            double r = zr[n] * sr[n] - zi[n] * si[n];

            sum += zr[n];
            zi[n] = zr[n] * si[n] + zi[n] * sr[n];
            zr[n] = r;
        }
        w[k] = sum;
    }
}

void
fwd_dlf_weights(const fwd_dlf *f, size_t nterm, const double *u0, const double *scale, size_t len,
                double *w)
{
    double zr[FWD_DLF_NQ], zi[FWD_DLF_NQ];
    double complex z;
    size_t n, q;

    for (n = 0; n < FWD_DLF_NQ; n++) {
        /* sum_q scale_q W(u0_q + k STEP) = sum_n Re[(a_n sum_q scale_q e^{i w_n u0_q})
         * e^{i w_n k STEP}]: one pass over k whatever the number of terms. */
        z = 0.0;
        for (q = 0; q < nterm; q++)
            z += scale[q] * cexp(I * f->omega[n] * u0[q]);
        z *= f->a[n];
        zr[n] = creal(z);
        zi[n] = cimag(z);
    }
    rotate_sum(zr, zi, f->step_r, f->step_i, len, w);
}
