// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of the shared data pattern: fill and check agree at every
 * alignment, the word loop matches the byte definition, and a single wrong
 * byte or a shifted stream is caught at the right place.
 */
#include <string.h>

#include "../../tools/lib/pattern.h"
#include "../lib/ktap.h"

#define LEN 4099	/* odd, so every head/tail length is exercised */

int main(void)
{
	static unsigned char buf[LEN];
	struct ktap t;
	bool ok = true;

	ktap_start(&t, 4);

	for (uint64_t off = 0; off < 8 && ok; off++) {
		pattern_fill(buf, LEN, off);
		for (size_t i = 0; i < LEN && ok; i++)
			ok = buf[i] == pattern_byte(off + i);
		ok = ok && pattern_check(buf, LEN, off) == LEN;
	}
	ktap_result(&t, ok, "fill_matches_byte_definition_at_every_alignment");

	pattern_fill(buf, LEN, 3);
	buf[1000] ^= 1;
	ktap_result(&t, pattern_check(buf, LEN, 3) == 1000, "single_flipped_byte_found");

	pattern_fill(buf, LEN, 4096);
	ktap_result(&t, pattern_check(buf, LEN, 0) < 4, "page_shifted_stream_rejected");

	/* Words are unique: two 4 KiB pages of the stream never compare equal. */
	unsigned char a[4096], b[4096];

	pattern_fill(a, sizeof(a), 0);
	pattern_fill(b, sizeof(b), (uint64_t)1 << 32);
	ktap_result(&t, memcmp(a, b, sizeof(a)) != 0, "pages_4g_apart_differ");

	ktap_exit(&t);
}
