// SPDX-License-Identifier: GPL-2.0-only
/* The shared data pattern: see pattern.h. */
#include <string.h>

#include "pattern.h"

/*
 * Both directions go byte by byte up to a word boundary of the stream, then
 * a word at a time: the word loop is what makes a 1 GiB check affordable
 * under an emulated CPU.
 */
void pattern_fill(void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	size_t i = 0;

	for (; i < len && ((off + i) & 3); i++)
		p[i] = pattern_byte(off + i);
	for (; i + 4 <= len; i += 4) {
		uint32_t word = (uint32_t)((off + i) >> 2) * 0x9e3779b1u;
		uint8_t le[4] = { word, word >> 8, word >> 16, word >> 24 };

		memcpy(p + i, le, 4);
	}
	for (; i < len; i++)
		p[i] = pattern_byte(off + i);
}

size_t pattern_check(const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	size_t i = 0;

	for (; i < len && ((off + i) & 3); i++)
		if (p[i] != pattern_byte(off + i))
			return i;
	for (; i + 4 <= len; i += 4) {
		uint32_t word = (uint32_t)((off + i) >> 2) * 0x9e3779b1u;
		uint8_t le[4] = { word, word >> 8, word >> 16, word >> 24 };

		if (memcmp(p + i, le, 4))
			break;
	}
	for (; i < len; i++)
		if (p[i] != pattern_byte(off + i))
			return i;
	return len;
}
