/* SPDX-License-Identifier: MIT */
/*
 * cli_heap.c - the start of the heap in one transparent huge page, for a quick start.
 *
 * `bpinv invert` with one sounding spends most of its own start-up on first touches of
 * fresh memory: opening an HDF5 file allocates and clears 516 KiB (the metadata cache's
 * hash table, whatever the file's size), and the library's set-up and the net add as much
 * again. Each first touch of a 4 KiB page is a page fault; on a virtual machine that traps
 * them it costs about 10 us (bench_invert --fault-cost), some 260 of them 2.8 ms. One fault
 * on a 2 MiB page costs about 0.2 ms there (now and then 7 ms, when the kernel compacts
 * memory for it), and as much as zeroing 2 MiB costs on bare metal.
 *
 * So the heap is grown once by 5 MiB, its whole 2 MiB-aligned stretches advised to the
 * kernel as huge (MADV_HUGEPAGE, used when /sys/kernel/mm/transparent_hugepage/enabled is
 * "always" or "madvise"), and the memory below the first stretch held by one block that is
 * never touched, so that what is allocated next starts in it. What it changes besides
 * where memory lies: blocks up to 1 MiB come from the heap (glibc maps those above 128 KiB
 * on their own, and raises that threshold as mapped blocks are freed; with the threshold
 * set it no longer does), and the heap's top is returned to the system only beyond 16 MiB
 * free. Meant for the short commands (bpinv.c calls it for invert and info); the long ones
 * keep glibc's own settings. Glibc 2.33 on only; anywhere else, under a malloc of its own
 * (valgrind, sanitizers), or when BPINV_HUGE_PAGES=0, nothing is done.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#endif

#include "tools/cli.h"

#define HUGE_PAGE ((uintptr_t)2 << 20)

/* glibc 2.33 on (mallinfo2), with transparent huge pages in its headers */
#if defined(__GLIBC__) && defined(__GLIBC_PREREQ) && defined(MADV_HUGEPAGE)
#if __GLIBC_PREREQ(2, 33)
#define HEAP_HUGE 1
#endif
#endif

int
cli_heap_huge(void)
{
#ifdef HEAP_HUGE
    /* the block below the huge stretch: reachable, never touched, never freed */
    static char *below;
    const char *env = getenv("BPINV_HUGE_PAGES");
    const size_t grow = (size_t)5 << 20;
    size_t first, keep;
    char *p, *q;
    uintptr_t lo, hi, top, brk0;

    if (below != NULL || (env != NULL && strcmp(env, "0") == 0))
        return 0;
    /* more than the heap has free at its top, so that it grows by first + grow */
    keep = mallinfo2().keepcost;
    first = keep + ((size_t)64 << 10);
    brk0 = (uintptr_t)sbrk(0);
    if (first > ((size_t)1 << 20))
        return 0;
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    mallopt(M_TRIM_THRESHOLD, 16 << 20);
    mallopt(M_TOP_PAD, (int)grow);
    p = malloc(first);
    mallopt(M_TOP_PAD, 128 << 10);
    if (p == NULL)
        return 0;
    top = (uintptr_t)sbrk(0);
    lo = ((uintptr_t)p + first + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    hi = top & ~(HUGE_PAGE - 1);
    /* p must be the heap's last block, carved from its old top, which then grew (not a free
     * block reused, a malloc of its own, nor a mapping) */
    if (top < brk0 + grow || (uintptr_t)p + keep + 64 < brk0 || (uintptr_t)p > brk0 ||
        hi < lo + HUGE_PAGE) {
        free(p);
        return 0;
    }
    /* in place, into the free top; glibc puts the next block's 16-byte header just below lo */
    q = realloc(p, lo - (uintptr_t)p - 16);
    if (q != p) {
        free(q != NULL ? q : p);
        return 0;
    }
    below = q;
    return madvise((void *)lo, hi - lo, MADV_HUGEPAGE) == 0;
#else
    return 0;
#endif
}

/*
 * Before a run of pictures (invert --plot, --section): blocks up to 8 MiB from the heap, and
 * its top kept up to 32 MiB free. A picture's pixels, a sounding's 2.2 MiB in PLplot's
 * cairo surface and 1.7 MiB in ours, are allocated and freed once a picture: mapped afresh
 * each time (above cli_heap_huge's 1 MiB) they cost about 2,000 page faults a picture, a
 * third of its time on a virtual machine that traps them; from the heap, the same pages
 * serve every picture. Glibc only; nothing elsewhere.
 */
void
cli_heap_pictures(void)
{
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
#endif
}
