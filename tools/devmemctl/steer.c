// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmemctl's steering verbs: where a bound queue's traffic comes from.
 *
 *   steer DEV add tcp4|tcp6 [src ADDR] [dst ADDR] [sport P] [dport P]
 *                 queue Q [loc N]          ntuple rule; prints its location
 *   steer DEV del LOC
 *   rss DEV exclude LIST                   RSS spread over the other queues
 *   rss DEV default
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cli_parse.h"
#include "devmemctl.h"
#include "print.h"

/* add tcp4|tcp6 KEY VALUE...: the flow, queue and location asked for. */
static int parse_rule(int argc, char **argv, struct devmem_flow *f,
		      unsigned int *queue, int *loc)
{
	static const uint8_t any[sizeof(f->src)];
	bool have_queue = false;
	uint64_t v;
	int i;

	if (argc < 1 || (strcmp(argv[0], "tcp4") && strcmp(argv[0], "tcp6")))
		return bad_usage("steer add takes tcp4 or tcp6 first");
	f->family = argv[0][3] == '4' ? AF_INET : AF_INET6;
	*loc = -1;
	for (i = 1; i < argc; i += 2) {
		const char *key = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!val)
			return bad_usage("steer add: %s needs a value", key);
		if (!strcmp(key, "src") || !strcmp(key, "dst")) {
			void *addr = key[0] == 's' ? f->src : f->dst;

			if (inet_pton(f->family, val, addr) != 1)
				return bad_usage("steer add: %s is not an IPv%c address",
						 val, argv[0][3]);
		} else if (!strcmp(key, "sport") || !strcmp(key, "dport")) {
			if (cli_parse_uint(val, 1, 65535, &v))
				return bad_usage("steer add: bad port '%s'", val);
			*(key[0] == 's' ? &f->src_port : &f->dst_port) = v;
		} else if (!strcmp(key, "queue")) {
			if (cli_parse_uint(val, 0, UINT32_MAX, &v))
				return bad_usage("steer add: bad queue '%s'", val);
			*queue = v;
			have_queue = true;
		} else if (!strcmp(key, "loc")) {
			if (cli_parse_uint(val, 0, INT32_MAX, &v))
				return bad_usage("steer add: bad location '%s'", val);
			*loc = v;
		} else {
			return bad_usage("steer add: unknown keyword '%s'", key);
		}
	}
	if (!have_queue)
		return bad_usage("steer add needs queue Q");
	if (!f->src_port && !f->dst_port && !memcmp(f->src, any, sizeof(any)) &&
	    !memcmp(f->dst, any, sizeof(any)))
		return bad_usage("steer add needs src, dst, sport or dport: %s",
				 "a rule for every TCP packet is a mistake");
	return 0;
}

int cmd_steer(int argc, char **argv)
{
	struct devmem_flow flow = { 0 };
	char name[IF_NAMESIZE];
	struct devmem_err e;
	unsigned int queue = 0;
	uint64_t v;
	int ifindex, loc = -1, ret;

	if (argc < 2 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")))
		return bad_usage("steer takes DEV add ... or DEV del LOC");
	if (!strcmp(argv[1], "del")) {
		if (argc != 3 || cli_parse_uint(argv[2], 0, UINT32_MAX, &v))
			return bad_usage("steer del takes one rule location");
		ret = device(argv[0], &ifindex, name);
		if (ret)
			return ret;
		return devmem_steer_del(ifindex, v, &e) ? refused(&e) : 0;
	}
	ret = parse_rule(argc - 2, argv + 2, &flow, &queue, &loc);
	if (ret)
		return ret;
	ret = device(argv[0], &ifindex, name);
	if (ret)
		return ret;
	if (devmem_ntuple_set(ifindex, true, &e))
		return refused(&e);
	loc = devmem_steer_add(ifindex, &flow, queue, loc, &e);
	if (loc < 0)
		return refused(&e);
	print_open_object(NULL);
	print_int(PRINT_JSON, "ifindex", NULL, ifindex);
	print_int(PRINT_ANY, "loc", "rule %lld:", loc);
	print_uint(PRINT_ANY, "queue", " queue %llu", queue);
	print_text("\n");
	print_close_object();
	return 0;
}

int cmd_rss(int argc, char **argv)
{
	unsigned int queues[MAX_QUEUES];
	char name[IF_NAMESIZE];
	struct devmem_err e;
	int ifindex, n = 0, ret;

	if (argc == 2 && !strcmp(argv[1], "default")) {
		n = 0;
	} else if (argc == 3 && !strcmp(argv[1], "exclude")) {
		n = cli_parse_list(argv[2], queues, MAX_QUEUES);
		if (n < 0)
			return bad_usage("bad queue list '%s'", argv[2]);
	} else {
		return bad_usage("rss takes DEV exclude LIST or DEV default");
	}
	ret = device(argv[0], &ifindex, name);
	if (ret)
		return ret;
	return devmem_rss_exclude(ifindex, queues, n, &e) ? refused(&e) : 0;
}
