/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Build shim for the pure-logic files of nvmev.
 *
 * The files in src/pure/ hold no kernel state and call no kernel services:
 * they compile inside the module (kbuild defines __KERNEL__) and in user
 * space for the unit tests.  This header maps the few kernel types and
 * helpers they use onto the C library when built outside the kernel.
 */
#ifndef NVMEV_PURE_SHIM_H
#define NVMEV_PURE_SHIM_H

#ifdef __KERNEL__

#include <linux/types.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/mm.h>
#include <linux/slab.h>

/* Large zeroed tables (FTL maps): vmalloc when kmalloc cannot. */
#define pure_zalloc(size)	kvzalloc((size), GFP_KERNEL)
#define pure_free(p)		kvfree(p)

#else /* user space */

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#define U32_MAX		((u32)~0U)
#define U64_MAX		((u64)~0ULL)

/* Used by the unit tests. */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Same contracts as <linux/math64.h>; the divisor must not be zero. */
static inline u64 div_u64_rem(u64 dividend, u32 divisor, u32 *remainder)
{
	*remainder = (u32)(dividend % divisor);
	return dividend / divisor;
}

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

static inline u64 div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}

static inline void *pure_zalloc(size_t size)
{
	return calloc(1, size);
}

static inline void pure_free(void *p)
{
	free(p);
}

#define fallthrough	__attribute__((__fallthrough__))

/* Plain versions of the kernel's type-checked helpers. */
#define min_t(type, x, y) ({			\
	type __min1 = (x);			\
	type __min2 = (y);			\
	__min1 < __min2 ? __min1 : __min2; })

#define max_t(type, x, y) ({			\
	type __max1 = (x);			\
	type __max2 = (y);			\
	__max1 > __max2 ? __max1 : __max2; })

#endif /* __KERNEL__ */

#endif /* NVMEV_PURE_SHIM_H */
