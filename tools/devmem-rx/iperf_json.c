// SPDX-License-Identifier: GPL-2.0-only
/*
 * iperf3's JSON messages, read with jansson (see iperf_json.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "iperf_json.h"

/*
 * A member named twice is refused, not one of the two chosen. Every
 * number is read as a double, as iperf3's own cJSON reads them: our range
 * checks, not the parser's integer type, decide about large values.
 */
#define LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL)

/*
 * Whether @v nests no more than @levels objects and arrays. jansson's own
 * limit (2048) bounds its parse; this is ours, checked on the tree, and
 * never recurses deeper than @levels.
 */
static bool within(json_t *v, int levels)
{
	const char *key;
	json_t *e;
	size_t i;

	if (!json_is_object(v) && !json_is_array(v))
		return true;
	if (!levels)
		return false;
	json_object_foreach(v, key, e) {
		if (!within(e, levels - 1))
			return false;
	}
	json_array_foreach(v, i, e) {
		if (!within(e, levels - 1))
			return false;
	}
	return true;
}

/* The one object in @text, or NULL with @why said. */
static json_t *load_object(const char *text, size_t len, char *why)
{
	json_error_t err;
	json_t *obj = json_loadb(text, len, LOAD_FLAGS, &err);

	if (!obj) {
		/* jansson quotes the text: nothing unprintable reaches our log */
		snprintf(why, IPERF_WHY_SIZE, "not a JSON object: %s (byte %d)",
			 err.text, err.position);
		for (char *c = why; *c; c++) {
			if (*c < ' ' || *c > '~')
				*c = '?';
		}
		return NULL;
	}
	if (!json_is_object(obj))
		snprintf(why, IPERF_WHY_SIZE, "not a JSON object: an array");
	else if (!within(obj, IPERF_JSON_MAX_DEPTH))
		snprintf(why, IPERF_WHY_SIZE, "not a JSON object we read: nested deeper than %d",
			 IPERF_JSON_MAX_DEPTH);
	else
		return obj;
	json_decref(obj);
	return NULL;
}

/* Whether member @key of @obj is the literal true (not 1, not "true"). */
static bool is_true(json_t *obj, const char *key)
{
	return json_is_true(json_object_get(obj, key));
}

/* Whether @v is a number n with @min <= n <= @max, integral if @integer. */
static bool number_in(json_t *v, double min, double max, bool integer, double *n)
{
	if (!json_is_number(v))
		return false;
	*n = json_number_value(v);
	return *n >= min && *n <= max && (!integer || *n == (long long)*n);
}

int iperf_json_params(const char *text, size_t len, int *nstreams, char *why)
{
	json_t *obj = load_object(text, len, why), *parallel;
	const char *refused = NULL;
	double n = 1;

	if (!obj)
		return -EPROTO;
	parallel = json_object_get(obj, "parallel");
	if (is_true(obj, "udp") || is_true(obj, "sctp"))
		refused = "devmem receives TCP only (no -u, --sctp)";
	else if (is_true(obj, "reverse") || is_true(obj, "bidirectional"))
		refused = "devmem-rx only receives (no -R, --bidir)";
	else if (json_object_get(obj, "authtoken"))
		refused = "no authentication (--username)";
	else if (parallel && !number_in(parallel, 1, IPERF_MAX_STREAMS, true, &n))
		refused = "-P must be 1 to 128";
	json_decref(obj);
	if (refused) {
		snprintf(why, IPERF_WHY_SIZE, "%s", refused);
		return -EOPNOTSUPP;
	}
	*nstreams = n;
	return 0;
}

int iperf_json_results(const char *text, size_t len, int nstreams, int *ids,
		       uint64_t *sent, char *why)
{
	json_t *obj = load_object(text, len, why), *streams, *s;
	double id, bytes;
	uint64_t sum = 0;
	bool ok;
	size_t i;

	if (!obj)
		return -EPROTO;
	streams = json_object_get(obj, "streams");
	ok = json_is_array(streams) && json_array_size(streams) == (size_t)nstreams;
	for (i = 0; ok && i < (size_t)nstreams; i++) {
		s = json_array_get(streams, i);
		/* iperf3 numbers its streams from 1, skipping 2 */
		ok = number_in(json_object_get(s, "id"), 1, IPERF_MAX_STREAMS + 1, true, &id) &&
		     number_in(json_object_get(s, "bytes"), 0, 0x1p53, false, &bytes);
		if (ok) {
			ids[i] = id;
			sum += bytes;
		}
	}
	json_decref(obj);
	if (!ok) {
		snprintf(why, IPERF_WHY_SIZE, "no stream list matching our %d streams", nstreams);
		return -EPROTO;
	}
	*sent = sum;
	return 0;
}
