/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The data pattern every sender writes and every receiver checks.
 *
 * The stream is a sequence of 32-bit little-endian words; word k holds
 * k * 0x9e3779b1 (mod 2^32). The multiplier is odd, so no two words in the
 * first 16 GiB are equal: a byte that lands at the wrong offset, a dropped
 * or duplicated page, or stale data all show up as a mismatch.
 */
#ifndef DMABUF_PP_PATTERN_H
#define DMABUF_PP_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* Fill @buf with the pattern bytes for stream offsets [@off, @off + @len). */
void pattern_fill(void *buf, size_t len, uint64_t off);

/*
 * Check @buf against the pattern at stream offset @off. Returns the index in
 * @buf of the first wrong byte, or @len if all bytes match.
 */
size_t pattern_check(const void *buf, size_t len, uint64_t off);

/* The pattern byte at stream offset @off. */
static inline uint8_t pattern_byte(uint64_t off)
{
	uint32_t word = (uint32_t)(off >> 2) * 0x9e3779b1u;

	return (uint8_t)(word >> ((off & 3) * 8));
}

#endif
