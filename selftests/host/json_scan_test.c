// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of the JSON reader devmem-rx's iperf3 server uses: the
 * messages Debian's iperf3 3.12 client really sends (recorded from it),
 * lookups of members, arrays and values, and text that is not JSON or not
 * quite JSON, which must be refused rather than half-read.
 */
#include <errno.h>
#include <string.h>

#include "../../tools/lib/json_scan.h"
#include "../lib/ktap.h"

/* iperf3 -c HOST -P 2 -t 3 -R: the parameters as the client sent them */
static const char params[] =
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

static bool parses(const char *s)
{
	struct json_span v;

	return !json_parse(s, strlen(s), &v);
}

static bool number_of(const struct json_span *obj, const char *key, double want)
{
	struct json_span v;
	double d;

	return !json_member(obj, key, &v) && !json_number(&v, &d) && d == want;
}

int main(void)
{
	struct json_span obj, arr, elem = { 0 }, v;
	double ids[3] = { 0 }, bytes = 0, d;
	bool b = false, ok;
	struct ktap t;
	int n = 0;

	ktap_start(&t, 8);

	ok = !json_parse(params, strlen(params), &obj) && obj.kind == JSON_OBJECT &&
	     number_of(&obj, "parallel", 2) && number_of(&obj, "len", 131072) &&
	     !json_member(&obj, "reverse", &v) && !json_bool(&v, &b) && b &&
	     !json_member(&obj, "client_version", &v) && v.kind == JSON_STRING &&
	     v.len == 6 && !memcmp(v.p, "\"3.12\"", 6);
	ktap_result(&t, ok, "iperf3_parameters_read");

	ok = json_member(&obj, "udp", &v) == -ENOENT &&
	     json_member(&obj, "3.12", &v) == -ENOENT &&	/* a value, not a key */
	     json_member(&obj, "paral", &v) == -ENOENT;		/* no prefix match */
	ktap_result(&t, ok, "absent_members_not_found");

	ok = !json_parse(results, strlen(results), &obj) &&
	     !json_member(&obj, "streams", &arr) && arr.kind == JSON_ARRAY;
	while (ok && json_next(&arr, &elem)) {
		ok = n < 3 && !json_member(&elem, "id", &v) && !json_number(&v, &ids[n]) &&
		     !json_member(&elem, "bytes", &v) && !json_number(&v, &d);
		bytes += d;
		n++;
	}
	ok = ok && n == 2 && ids[0] == 1 && ids[1] == 3 && bytes == 3629383680.0 &&
	     number_of(&obj, "cpu_util_user", 1.25);
	ktap_result(&t, ok, "iperf3_results_stream_list_walked");

	elem.p = NULL;
	ok = !json_parse(" [ ] ", 5, &arr) && arr.kind == JSON_ARRAY &&
	     !json_next(&arr, &elem) && !json_parse("{}", 2, &obj) &&
	     json_member(&obj, "x", &v) == -ENOENT &&
	     json_member(&arr, "x", &v) == -EINVAL;
	ktap_result(&t, ok, "empty_containers_and_wrong_kinds");

	ok = parses("\"a\\\"b\\\\c\\u00e9\\n\"") && parses("-0.5e+3") && parses("0") &&
	     parses("[null,true,false,{\"a\":[1,2,{\"b\":\"}\"}]}]");
	ktap_result(&t, ok, "escapes_numbers_nesting_accepted");

	/* "}" inside a string must not end the object early */
	static const char tricky[] = "{\"t\":\"}{\",\"parallel\":4}";

	ok = !json_parse(tricky, strlen(tricky), &obj) &&
	     number_of(&obj, "parallel", 4);
	ktap_result(&t, ok, "brackets_inside_strings_skipped");

	ok = !parses("") && !parses("{") && !parses("{\"a\":1,}") && !parses("[1 2]") &&
	     !parses("{\"a\" 1}") && !parses("01") && !parses("1.") && !parses("-") &&
	     !parses("tru") && !parses("\"\\x\"") && !parses("\"\\u12g4\"") &&
	     !parses("\"a\nb\"") && !parses("{} {}") && !parses("{'a':1}");
	ktap_result(&t, ok, "malformed_text_refused");

	/* 33 nested arrays: refused, where a recursive reader would go on */
	char deep[80];

	memset(deep, '[', 33);
	memset(deep + 33, ']', 33);
	deep[66] = '\0';
	ok = !parses(deep);
	memset(deep, '[', 32);	/* 32 deep: accepted */
	memset(deep + 32, ']', 32);
	deep[64] = '\0';
	ok = ok && parses(deep);
	ktap_result(&t, ok, "nesting_limited_to_32");

	ktap_exit(&t);
}
