/* SPDX-License-Identifier: MIT */
/*
 * fwd_time.c - a monotonic clock in seconds.
 */
#include <time.h>

#include "forward/base/fwd_time.h"

double
fwd_time_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
