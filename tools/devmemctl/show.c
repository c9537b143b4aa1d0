// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmemctl show [DEV]: the bindings of this network namespace (or of DEV)
 * on any kernel. With the dmabuf-pp family (ours) each comes with its
 * statistics, as "bindings" prints them. Without it (stock) page-pool
 * netlink is all there is: each binding id found on a pool, with its
 * device, how many pools serve it and how many buffers they have out.
 */
#include <errno.h>
#include <stdio.h>

#include "devmemctl.h"

#define MAX_SHOWN 256

struct show_family {
	int ifindex;		/* 0: every device */
	unsigned int count;
};

static int show_pp_binding(const struct devmem_binding_info *b, void *arg)
{
	struct show_family *s = arg;

	if (s->ifindex && b->ifindex != (uint32_t)s->ifindex)
		return 0;
	return print_pp_binding(b, &s->count);
}

/* A binding as its page pools describe it. */
struct pool_binding {
	uint32_t id;
	uint32_t ifindex;
	unsigned int pools;
	uint64_t inflight;
	uint64_t inflight_mem;
};

struct show_pools {
	struct pool_binding b[MAX_SHOWN];
	unsigned int n;
};

static int collect_pool(const struct devmem_page_pool *pp, void *arg)
{
	struct show_pools *s = arg;
	struct pool_binding *b;
	unsigned int i;

	if (!pp->dmabuf)
		return 0;	/* host memory */
	for (i = 0; i < s->n && s->b[i].id != pp->dmabuf; i++)
		;
	if (i == s->n) {
		if (s->n == MAX_SHOWN)
			return -E2BIG;
		s->b[s->n++] = (struct pool_binding){
			.id = pp->dmabuf, .ifindex = pp->ifindex,
		};
	}
	b = &s->b[i];
	b->pools++;
	b->inflight += pp->inflight;
	b->inflight_mem += pp->inflight_mem;
	return 0;
}

static void print_pool_binding(const struct pool_binding *b, bool first)
{
	if (json)
		printf("%s{\"id\": %u, \"ifindex\": %u, \"source\": \"page-pool\", "
		       "\"pools\": %u, \"inflight\": %llu, \"inflight_mem\": %llu}",
		       first ? "" : ", ", b->id, b->ifindex, b->pools,
		       (unsigned long long)b->inflight,
		       (unsigned long long)b->inflight_mem);
	else
		printf("binding %u ifindex %u pools %u inflight %llu inflight-mem %llu\n",
		       b->id, b->ifindex, b->pools,
		       (unsigned long long)b->inflight,
		       (unsigned long long)b->inflight_mem);
}

int cmd_show(int argc, char **argv)
{
	struct show_family fam = { 0 };
	static struct show_pools pools;
	char name[IF_NAMESIZE];
	struct devmem_err e;
	unsigned int i;
	int ret;

	if (argc > 1)
		return bad_usage("show takes at most one DEV");
	if (argc == 1) {
		ret = device(argv[0], &fam.ifindex, name);
		if (ret)
			return ret;
	}
	if (json)
		printf("[");
	ret = devmem_pp_bindings(0, show_pp_binding, &fam, &e);
	if (ret == -EOPNOTSUPP) {
		/* stock: page pools carry the binding id, and little else */
		fprintf(stderr, "devmemctl: %s; showing what page pools say\n", e.msg);
		ret = devmem_page_pools(fam.ifindex, collect_pool, &pools, &e);
		if (ret == -E2BIG)
			fprintf(stderr, "devmemctl: more than %d bindings, showing %d\n",
				MAX_SHOWN, MAX_SHOWN);
		for (i = 0; i < pools.n; i++)
			print_pool_binding(&pools.b[i], i == 0);
		if (ret == -E2BIG)
			ret = 0;
	}
	if (json)
		printf("]\n");
	return ret ? refused(&e) : 0;
}
