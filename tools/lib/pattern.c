// SPDX-License-Identifier: GPL-2.0-only
/* The shared data pattern: see pattern.h. */
#include <string.h>

#include "pattern.h"

#define PATTERN_MUL 0x9e3779b1u

/* Four words of the pattern from word @word on, in stream (little-endian)
 * byte order: one 16-byte block.
 */
static void pattern_block(uint32_t block[4], uint32_t word)
{
	int k;

	for (k = 0; k < 4; k++, word += PATTERN_MUL) {
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
		block[k] = __builtin_bswap32(word);
#else
		block[k] = word;
#endif
	}
}

/*
 * Both directions go byte by byte up to a word boundary of the stream, then
 * 16 bytes at a time, then byte by byte again. Word k + 1 is word k plus
 * the multiplier, so a block is four adds and a 16-byte store or compare:
 * about half an instruction a byte, against two for a multiply a word.
 * That matters twice: a 1 GiB check is affordable under an emulated CPU,
 * and a benchmark's sender, which shares the CPU with the receive path it
 * measures, spends little of it making its data.
 */
void pattern_fill(void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	size_t i = 0;
	uint32_t word;

	for (; i < len && ((off + i) & 3); i++)
		p[i] = pattern_byte(off + i);
	word = (uint32_t)((off + i) >> 2) * PATTERN_MUL;
	for (; i + 16 <= len; i += 16, word += 4 * PATTERN_MUL) {
		uint32_t block[4];

		pattern_block(block, word);
		memcpy(p + i, block, sizeof(block));
	}
	for (; i < len; i++)
		p[i] = pattern_byte(off + i);
}

size_t pattern_check(const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	size_t i = 0;
	uint32_t word;

	for (; i < len && ((off + i) & 3); i++)
		if (p[i] != pattern_byte(off + i))
			return i;
	word = (uint32_t)((off + i) >> 2) * PATTERN_MUL;
	for (; i + 16 <= len; i += 16, word += 4 * PATTERN_MUL) {
		uint32_t block[4];

		pattern_block(block, word);
		if (memcmp(p + i, block, sizeof(block)))
			break;	/* the byte loop below finds which */
	}
	for (; i < len; i++)
		if (p[i] != pattern_byte(off + i))
			return i;
	return len;
}
