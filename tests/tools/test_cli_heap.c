/* SPDX-License-Identifier: MIT */
/*
 * test_cli_heap.c - cli_heap_huge() (tools/cli.h): what is allocated after it lies in a
 * mapping the kernel was told to back with huge pages, and holds what is written to it;
 * BPINV_HUGE_PAGES=0 and a second call do nothing. Each test runs in a process of its own.
 * (What it is for, the start-up it saves, is measured in tests/bench/bench_invert.sh.)
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <criterion/criterion.h>

#include "tools/cli.h"

/* The VmFlags of the mapping holding address a, from /proc/self/smaps; 0 when found. */
static int
vm_flags(uintptr_t a, char *flags, size_t size)
{
    FILE *f = fopen("/proc/self/smaps", "r");
    char line[512];
    int in = 0, found = -1;

    cr_assert_not_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long lo, hi;

        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
            in = a >= lo && a < hi;
        else if (in && strncmp(line, "VmFlags:", 8) == 0) {
            snprintf(flags, size, "%s", line + 8);
            found = 0;
            break;
        }
    }
    fclose(f);
    return found;
}

/* Whether the mapping holding a is advised as huge ("hg" among its flags). */
static int
advised_huge(const void *p)
{
    char flags[512];
    uintptr_t a = (uintptr_t)p;

    cr_assert_eq(vm_flags(a, flags, sizeof flags), 0, "no mapping holds %p", p);
    return strstr(flags, " hg") != NULL;
}

/* The size of an HDF5 file's metadata cache, the first big block bpinv allocates. */
#define CACHE_SIZE ((size_t)528384)

static void
fill_and_check(unsigned char *p, size_t n, unsigned char seed)
{
    size_t k;

    for (k = 0; k < n; k++)
        p[k] = (unsigned char)(seed + k * 7);
    for (k = 0; k < n; k++)
        cr_assert_eq(p[k], (unsigned char)(seed + k * 7), "byte %zu", k);
}

Test(cli_heap, allocations_follow_in_a_huge_page_mapping)
{
    unsigned char *a, *b;

#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("the address sanitizer's malloc is its own");
#endif
    if (access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) != 0)
        cr_skip_test("this kernel has no transparent huge pages");
    unsetenv("BPINV_HUGE_PAGES");
    cr_assert_eq(cli_heap_huge(), 1);
    a = calloc(1, CACHE_SIZE);
    b = calloc(1, 4096);
    cr_assert(advised_huge(a), "%p not in a huge-page mapping", (void *)a);
    cr_assert(advised_huge(b), "%p not in a huge-page mapping", (void *)b);
    fill_and_check(a, CACHE_SIZE, 3);
    fill_and_check(b, 4096, 5);
    a = realloc(a, 2 * CACHE_SIZE);
    cr_assert_not_null(a);
    free(a);
    free(b);
    /* done once: a second call leaves the heap as it is */
    cr_assert_eq(cli_heap_huge(), 0);
}

Test(cli_heap, without_it_big_blocks_are_not_advised)
{
    void *a = calloc(1, CACHE_SIZE);

    cr_assert_not(advised_huge(a));
    free(a);
}

Test(cli_heap, off_by_the_environment)
{
    unsigned char *a;

    setenv("BPINV_HUGE_PAGES", "0", 1);
    cr_assert_eq(cli_heap_huge(), 0);
    a = calloc(1, CACHE_SIZE);
    cr_assert_not(advised_huge(a));
    fill_and_check(a, CACHE_SIZE, 9);
    free(a);
}
