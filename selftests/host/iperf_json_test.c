// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of what devmem-rx's iperf3 server reads out of the
 * client's JSON (tools/devmem-rx/iperf_json.c, jansson underneath): the
 * messages Debian's iperf3 3.12 client really sends (recorded from it),
 * the tests it asks for that we refuse, and text that is not JSON, not
 * quite JSON or JSON meant to mislead, which must be refused rather than
 * half-read.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/devmem-rx/iperf_json.h"
#include "../lib/ktap.h"

/* iperf3 -c HOST -P 2 -t 3: the parameters as the client sent them */
static const char params[] =
	"{\"tcp\":true,\"omit\":0,\"time\":3,\"num\":0,\"blockcount\":0,"
	"\"parallel\":2,\"len\":131072,\"pacing_timer\":1000,"
	"\"client_version\":\"3.12\"}";

/* iperf3 -c HOST -P 2 -t 3 -R */
static const char params_reverse[] =
	"{\"tcp\":true,\"omit\":0,\"time\":3,\"num\":0,\"blockcount\":0,"
	"\"parallel\":2,\"reverse\":true,\"len\":131072,\"pacing_timer\":1000,"
	"\"client_version\":\"3.12\"}";

/* a client's results, two streams, the shape 3.12 sends */
static const char results[] =
	"{\"cpu_util_total\":12.5,\"cpu_util_user\":1.25e0,\"cpu_util_system\":11.25,"
	"\"sender_has_retransmits\":1,\"congestion_used\":\"cubic\",\"streams\":["
	"{\"id\":1,\"bytes\":1811939328,\"retransmits\":4,\"jitter\":0,\"errors\":0,"
	"\"packets\":0,\"start_time\":0,\"end_time\":2.000104},"
	"{\"id\":3,\"bytes\":1817444352,\"retransmits\":5,\"jitter\":0,\"errors\":0,"
	"\"packets\":0,\"start_time\":0,\"end_time\":2.000093}]}";

/*
 * Parameters @s (@len bytes; -1: strlen) give @want_ret and, for 0,
 * @want_streams; for an error, @why_has is in the reason. Says what it got
 * when that is not so.
 */
static bool params_n(const char *s, long len, int want_ret, int want_streams,
		     const char *why_has)
{
	char why[IPERF_WHY_SIZE] = "";
	int n = -1, ret;

	ret = iperf_json_params(s, len < 0 ? strlen(s) : (size_t)len, &n, why);
	if (!want_ret)
		return ktap_check(!ret && n == want_streams, "%.60s: %d, %d streams (%s)",
				  s, ret, n, why);
	return ktap_check(ret == want_ret && strstr(why, why_has),
			  "%.60s: %d (%s), not %d (%s)", s, ret, why, want_ret, why_has);
}

static bool params_ok(const char *s, int want_streams)
{
	return params_n(s, -1, 0, want_streams, NULL);
}

/* Not one JSON object we read: the connection just ends. */
static bool params_bad(const char *s)
{
	return params_n(s, -1, -EPROTO, 0, "not a JSON object");
}

/* A test we cannot run, refused with @why_has as the reason. */
static bool params_refused(const char *s, const char *why_has)
{
	return params_n(s, -1, -EOPNOTSUPP, 0, why_has);
}

/* Results @s for a test of @nstreams streams: refused. */
static bool results_bad(const char *s, int nstreams)
{
	char why[IPERF_WHY_SIZE] = "";
	int ids[IPERF_MAX_STREAMS];
	uint64_t sent = 0;
	int ret;

	ret = iperf_json_results(s, strlen(s), nstreams, ids, &sent, why);
	return ktap_check(ret == -EPROTO && why[0], "%.60s: %d (%s)", s, ret, why);
}

/* One stream whose "id" and "bytes" members are @id and @bytes. */
static bool one_stream_bad(const char *id, const char *bytes)
{
	char s[200];

	snprintf(s, sizeof(s), "{\"streams\":[{\"id\":%s,\"bytes\":%s}]}", id, bytes);
	return results_bad(s, 1);
}

/* "parallel" @levels deep: the object, then @levels - 1 arrays. */
static char *nested(int levels)
{
	char *s = malloc(levels * 2 + 32);
	int n = 0;

	if (!s)
		abort();
	n += sprintf(s, "{\"x\":");
	memset(s + n, '[', levels - 1);
	n += levels - 1;
	memset(s + n, ']', levels - 1);
	n += levels - 1;
	sprintf(s + n, ",\"parallel\":5}");
	return s;
}

int main(void)
{
	char why[IPERF_WHY_SIZE];
	int ids[IPERF_MAX_STREAMS];
	uint64_t sent = 0;
	struct ktap t;
	bool ok;
	char *s;

	ktap_start(&t, 12);

	ok = params_ok(params, 2);
	ok &= params_refused(params_reverse, "no -R");
	ktap_result(&t, ok, "iperf3_parameters_read");

	ok = params_refused("{\"tcp\":false,\"udp\":true}", "TCP only");
	ok &= params_refused("{\"sctp\":true}", "TCP only");
	ok &= params_refused("{\"bidirectional\":true}", "no -R, --bidir");
	ok &= params_refused("{\"authtoken\":\"x\"}", "authentication");
	ok &= params_refused("{\"authtoken\":null}", "authentication");
	ok &= params_refused("{\"udp\":true,\"reverse\":true}", "TCP only");
	ok &= params_ok("{\"udp\":false,\"reverse\":false,\"bidirectional\":false}", 1);
	/* only the literal true asks for it */
	ok &= params_ok("{\"udp\":1,\"reverse\":\"true\",\"sctp\":null}", 1);
	ktap_result(&t, ok, "tests_we_cannot_run_refused");

	ok = params_ok("{}", 1);
	ok &= params_ok("{\"x\":\"udp\",\"y\":\"authtoken\"}", 1);	/* values, not keys */
	ok &= params_ok("{\"paral\":4,\"parallel_x\":4,\"Parallel\":4}", 1);	/* exact names */
	ok &= params_ok("{\"UDP\":true,\"Reverse\":true}", 1);
	ktap_result(&t, ok, "absent_members_not_found");

	ok = params_ok("{\"parallel\":1}", 1) && params_ok("{\"parallel\":128}", 128) &&
	     params_ok("{\"parallel\":3e0}", 3) && params_ok("{\"parallel\":4.0}", 4);
	ok &= params_refused("{\"parallel\":0}", "-P must be 1 to 128");
	ok &= params_refused("{\"parallel\":129}", "-P must be 1 to 128");
	ok &= params_refused("{\"parallel\":-1}", "-P must be 1 to 128");
	ok &= params_refused("{\"parallel\":1.5}", "-P must be 1 to 128");
	ok &= params_refused("{\"parallel\":1e300}", "-P must be 1 to 128");
	ok &= params_refused("{\"parallel\":99999999999999999999}", "-P must be 1 to 128");
	ok &= params_refused("{\"parallel\":\"2\"}", "-P must be 1 to 128");
	ok &= params_refused("{\"parallel\":null}", "-P must be 1 to 128");
	ok &= params_refused("{\"parallel\":[2]}", "-P must be 1 to 128");
	ktap_result(&t, ok, "parallel_kind_and_range_checked");

	ok = ktap_check(!iperf_json_results(results, strlen(results), 2, ids, &sent, why),
			"results: %s", why) &&
	     ktap_check(ids[0] == 1 && ids[1] == 3 && sent == 3629383680ull,
			"ids %d %d, sent %llu", ids[0], ids[1], (unsigned long long)sent);
	ok &= results_bad(results, 1) && results_bad(results, 3);
	ktap_result(&t, ok, "iperf3_results_stream_list_walked");

	ok = results_bad("{}", 1) && results_bad("{\"streams\":[]}", 1) &&
	     results_bad("{\"streams\":{}}", 1) && results_bad("{\"streams\":null}", 1) &&
	     results_bad("{\"streams\":[1]}", 1) && results_bad("{\"streams\":[[]]}", 1) &&
	     results_bad("{\"streams\":[{\"id\":1}]}", 1) &&
	     results_bad("{\"streams\":[{\"bytes\":1}]}", 1) &&
	     results_bad("[{\"streams\":[{\"id\":1,\"bytes\":1}]}]", 1);
	ok &= one_stream_bad("0", "1") && one_stream_bad("130", "1") &&
	      one_stream_bad("1.5", "1") && one_stream_bad("\"1\"", "1") &&
	      one_stream_bad("true", "1") && one_stream_bad("1", "-1") &&
	      one_stream_bad("1", "9007199254740994") && one_stream_bad("1", "\"5\"") &&
	      one_stream_bad("1", "null");
	ok &= params_bad("[]") && params_bad("[{\"parallel\":2}]");
	ktap_result(&t, ok, "empty_containers_and_wrong_kinds");

	ok = params_ok("{\"a\":\"a\\\"b\\\\c\\u00e9\\n\\/\\ud83d\\ude00\",\"n\":-0.5e+3,\"z\":0,"
		       "\"l\":[null,true,false,{\"a\":[1,2,{\"b\":\"}\"}]}],\"parallel\":3}", 3);
	ok &= params_ok("{\"caf\xc3\xa9\":\"\xe2\x82\xac\",\"parallel\":2}", 2);	/* UTF-8 */
	ok &= params_ok(" \t\r\n{ \"parallel\" : 2 }\n\t ", 2);
	ktap_result(&t, ok, "escapes_numbers_nesting_accepted");

	/* what a string holds is not structure */
	ok = params_ok("{\"t\":\"}{\",\"parallel\":4}", 4);
	ok &= params_ok("{\"t\":\"\\\",\\\"udp\\\":true,\\\"parallel\\\":9\",\"parallel\":4}", 4);
	ok &= params_ok("{\"t\":\"]\",\"u\":\"[\",\"parallel\":4}", 4);
	ktap_result(&t, ok, "brackets_inside_strings_skipped");

	ok = params_bad("") && params_bad("{") && params_bad("{\"a\":1,}") &&
	     params_bad("{\"a\":[1 2]}") && params_bad("{\"a\" 1}") &&
	     params_bad("{\"parallel\":01}") && params_bad("{\"parallel\":1.}") &&
	     params_bad("{\"parallel\":-}") && params_bad("{\"parallel\":.5}") &&
	     params_bad("{\"udp\":tru}") && params_bad("{\"a\":\"\\x\"}") &&
	     params_bad("{\"a\":\"\\u12g4\"}") && params_bad("{\"a\":\"a\nb\"}") &&
	     params_bad("{'a':1}") && params_bad("{a:1}") && params_bad("{\"a\":NaN}") &&
	     params_bad("{\"a\":Infinity}") && params_bad("{\"parallel\":1e400}") &&
	     params_bad("\"parallel\"") && params_bad("2") && params_bad("null");
	/* not UTF-8, a lone surrogate, NUL in a value or a key */
	ok &= params_bad("{\"a\":\"\xff\"}") && params_bad("{\"a\":\"\xc3\"}") &&
	      params_bad("{\"a\":\"\\ud800\"}") && params_bad("{\"a\":\"\\u0000\"}") &&
	      params_bad("{\"udp\\u0000x\":true}");
	ktap_result(&t, ok, "malformed_text_refused");

	/* exactly @len bytes are the message, no more, no fewer */
	ok = params_bad("{} {}") && params_bad("{\"parallel\":2}garbage") &&
	     params_bad("{\"parallel\":2},") && params_bad("{\"parallel\":2}}");
	ok &= params_n("{\"parallel\":2}", 15, -EPROTO, 0, "not a JSON object");	/* its NUL */
	ok &= params_n("{\"parallel\":2}\0{\"udp\":true}", 27, -EPROTO, 0, "not a JSON object");
	ok &= params_n("{\"parallel\":2}XYZ", 14, 0, 2, NULL);
	ok &= params_n("{\"parallel\":2}", 13, -EPROTO, 0, "not a JSON object");
	ok &= params_n("{\"parallel\":25}", 13, -EPROTO, 0, "not a JSON object");
	ok &= params_n("{\"parallel\":2}", 0, -EPROTO, 0, "not a JSON object");
	ktap_result(&t, ok, "trailing_garbage_and_length_honoured");

	/* a member named twice: refused, not one of them believed */
	ok = params_bad("{\"parallel\":1,\"parallel\":128}") &&
	     params_bad("{\"udp\":false,\"udp\":true}") &&
	     params_bad("{\"a\":{\"x\":1,\"x\":1},\"parallel\":2}");
	ok &= results_bad("{\"streams\":[{\"id\":1,\"bytes\":5}],\"streams\":[]}", 1) &&
	      results_bad("{\"streams\":[{\"id\":1,\"bytes\":5,\"bytes\":9}]}", 1);
	ktap_result(&t, ok, "duplicate_members_refused");

	/* 32 levels (the object's own included) read, 33 refused; far deeper too */
	s = nested(IPERF_JSON_MAX_DEPTH);
	ok = params_ok(s, 5);
	free(s);
	s = nested(IPERF_JSON_MAX_DEPTH + 1);
	ok &= params_n(s, -1, -EPROTO, 0, "nested deeper than 32");
	free(s);
	s = nested(100000);
	ok &= params_bad(s);
	free(s);
	ktap_result(&t, ok, "nesting_limited_to_32");

	ktap_exit(&t);
}
