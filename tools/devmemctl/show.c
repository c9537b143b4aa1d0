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
#include "print.h"

#define MAX_SHOWN 256

/* @arg: the device's ifindex, 0 for every device */
static int show_pp_binding(const struct devmem_binding_info *b, void *arg)
{
	const int *ifindex = arg;

	if (*ifindex && b->ifindex != (uint32_t)*ifindex)
		return 0;
	return print_pp_binding(b, NULL);
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

static void print_pool_binding(const struct pool_binding *b)
{
	print_open_object(NULL);
	print_uint(PRINT_ANY, "id", "binding %llu", b->id);
	print_uint(PRINT_ANY, "ifindex", " ifindex %llu", b->ifindex);
	print_string(PRINT_JSON, "source", NULL, "page-pool");
	print_uint(PRINT_ANY, "pools", " pools %llu", b->pools);
	print_uint(PRINT_ANY, "inflight", " inflight %llu", b->inflight);
	print_uint(PRINT_ANY, "inflight_mem", " inflight-mem %llu", b->inflight_mem);
	print_text("\n");
	print_close_object();
}

int cmd_show(int argc, char **argv)
{
	static struct show_pools pools;
	char name[IF_NAMESIZE];
	struct devmem_err e;
	int ifindex = 0, ret;
	unsigned int i;

	if (argc > 1)
		return bad_usage("show takes at most one DEV");
	if (argc == 1) {
		ret = device(argv[0], &ifindex, name);
		if (ret)
			return ret;
	}
	print_open_array(NULL);
	ret = devmem_pp_bindings(0, show_pp_binding, &ifindex, &e);
	if (ret == -EOPNOTSUPP) {
		/* stock: page pools carry the binding id, and little else */
		fprintf(stderr, "devmemctl: %s; showing what page pools say\n", e.msg);
		ret = devmem_page_pools(ifindex, collect_pool, &pools, &e);
		if (ret == -E2BIG)
			fprintf(stderr, "devmemctl: more than %d bindings, showing %d\n",
				MAX_SHOWN, MAX_SHOWN);
		for (i = 0; i < pools.n; i++)
			print_pool_binding(&pools.b[i]);
		if (ret == -E2BIG)
			ret = 0;
	}
	print_close_array();
	return ret ? refused(&e) : 0;
}
