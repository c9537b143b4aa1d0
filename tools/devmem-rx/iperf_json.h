/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What devmem-rx's iperf3 server reads out of the client's JSON messages,
 * its parameters and its results, parsed with jansson. They come from the
 * network: a message must be exactly one JSON object (strict RFC 8259:
 * jansson refuses invalid UTF-8 and \u0000 too), with no member named
 * twice, nested no deeper than IPERF_JSON_MAX_DEPTH; its length is bounded
 * by the caller (iperf.c's IPERF_MAX_JSON). Nothing else is shared, so the
 * host test (selftests/host/iperf_json_test.c) feeds it text directly.
 */
#ifndef DMABUF_PP_IPERF_JSON_H
#define DMABUF_PP_IPERF_JSON_H

#include <stddef.h>
#include <stdint.h>

#define IPERF_MAX_STREAMS 128
#define IPERF_JSON_MAX_DEPTH 32	/* objects and arrays, the message's own included */
#define IPERF_WHY_SIZE 256	/* room for why a message was refused */

/*
 * iperf_json_params() - the test the client asks for
 * @text, @len: its parameters as received (not NUL-terminated)
 * @nstreams: set to its -P ("parallel"), 1 when absent
 * @why: on error, why, in words for our log (IPERF_WHY_SIZE bytes)
 *
 * Only a plain TCP test towards us can be run: no -u, --sctp, -R, --bidir,
 * --username, and -P from 1 to IPERF_MAX_STREAMS.
 *
 * Return: 0; -EPROTO when @text is not one JSON object we read (the
 * connection just ends); -EOPNOTSUPP when it asks for a test we cannot
 * run (the caller tells the client).
 */
int iperf_json_params(const char *text, size_t len, int *nstreams, char *why);

/*
 * iperf_json_results() - the client's results
 * @nstreams: how many streams the test has
 * @ids: set to the client's stream ids, in the order it opened them
 * @sent: set to what the client says it sent, on all streams
 *
 * Return: 0; -EPROTO when @text is not one JSON object, or its "streams"
 * do not list @nstreams streams, each with an id and a byte count in range.
 */
int iperf_json_results(const char *text, size_t len, int nstreams, int *ids,
		       uint64_t *sent, char *why);

#endif
