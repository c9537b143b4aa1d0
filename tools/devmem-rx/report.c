// SPDX-License-Identifier: GPL-2.0-only
/*
 * The binding's own account of the receive, from the dmabuf-pp family:
 * read while the binding and the sockets still exist, after every token
 * should have gone back through SO_DEVMEM_DONTNEED, so "held by user
 * space" reads 0 unless we kept some. Stock kernels lack the family: say
 * so and go on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "devmem_rx.h"

static int copy_binding(const struct devmem_binding_info *b, void *arg)
{
	*(struct devmem_binding_info *)arg = *b;
	return 1;	/* one binding asked for */
}

bool binding_stats(uint32_t binding_id, struct devmem_binding_info *out)
{
	struct devmem_err e;
	int ret;

	ret = devmem_pp_bindings(binding_id, copy_binding, out, &e);
	if (ret == 1)
		return true;
	if (ret == -EOPNOTSUPP)
		fprintf(stderr, "devmem-rx: no binding statistics: this kernel has no dmabuf-pp family\n");
	else if (ret)
		fprintf(stderr, "devmem-rx: binding statistics: %s%s%s\n", strerror(-ret),
			e.msg[0] ? ": " : "", e.msg);
	else
		fprintf(stderr, "devmem-rx: binding %u not found\n", binding_id);
	return false;
}

void print_binding(const struct devmem_binding_info *b, bool json)
{
	if (json && !b)
		printf(", \"binding\": null");
	else if (json)
		printf(", \"binding\": {\"id\": %u, \"buf_size\": %u, \"buffers\": %llu, "
		       "\"buffers_free\": %llu, \"buffers_user\": %llu, \"rx_bytes\": %llu}",
		       b->id, b->buf_size, (unsigned long long)b->buffers,
		       (unsigned long long)b->buffers_free,
		       (unsigned long long)b->buffers_user,
		       (unsigned long long)b->rx_bytes);
	else if (b)
		printf("devmem-rx: binding %u: %llu buffers of %u bytes, %llu free, "
		       "%llu held by user space, %llu bytes received into it\n",
		       b->id, (unsigned long long)b->buffers, b->buf_size,
		       (unsigned long long)b->buffers_free,
		       (unsigned long long)b->buffers_user,
		       (unsigned long long)b->rx_bytes);
}
