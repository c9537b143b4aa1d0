// SPDX-License-Identifier: GPL-2.0-only
/*
 * bind-rx refuses what it cannot do, each time with the errno and an extack
 * message a user can act on, and leaves nothing behind: no binding, no page
 * pool serving a dma-buf. XDP and a binding exclude each other both ways.
 *
 * usage: devmem_bind_errors NSIM_DEV VETH_DEV [--strict]
 *   NSIM_DEV: a netdevsim device with 2 RX queues, up, in this netns
 *   VETH_DEV: a veth device (no queue management API), up
 *   --strict: also the cases where dmabuf-pp's provider says why and
 *             upstream 6.12 does not (a bare "missing attribute", or a
 *             message about another queue): an empty queue list and a
 *             queue listed twice
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_link.h>

#include <devmem.h>
#include "../../tools/libdevmem/testing.h"
#include "../lib/ktap.h"

#define DMABUF_SIZE (4u << 20)

static struct ktap t;
static int nsim, veth;

/*
 * Attach an XDP program that passes everything to @ifindex, in generic
 * mode (any device has it); closing the returned link fd detaches it.
 */
static int xdp_attach(int ifindex)
{
	static const struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int prog, link;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (uintptr_t)pass;
	attr.insn_cnt = sizeof(pass) / sizeof(pass[0]);
	attr.license = (uintptr_t)"GPL";
	prog = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (prog < 0)
		return -errno;

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog;
	attr.link_create.target_ifindex = ifindex;
	attr.link_create.attach_type = BPF_XDP;
	attr.link_create.flags = XDP_FLAGS_SKB_MODE;
	link = syscall(SYS_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
	if (link < 0)
		link = -errno;
	close(prog);
	return link;
}

/*
 * Try to bind @fd to @queues of @ifindex; pass when it fails with @want and
 * an extack message containing @msg. A bind that succeeds is undone.
 */
static void expect_refusal(const char *name, int ifindex, int fd,
			   const unsigned int *queues, size_t n, int want,
			   const char *msg)
{
	struct devmem_binding *b = NULL;
	struct devmem_err err = {};
	int ret;

	/* Unchecked: the kernel, not the library, must refuse. */
	ret = devmem_bind_rx_unchecked(ifindex, fd, queues, n, &b, &err);
	if (!ret) {
		ktap_diag("%s: bound (id %u), want %s", name, devmem_binding_id(b),
			  strerror(want));
		devmem_unbind(b);
		ktap_result(&t, false, name);
		return;
	}
	ktap_diag("%s: %s: \"%s\"", name, strerror(-ret), err.msg);
	ktap_result(&t, ret == -want && strstr(err.msg, msg), name);
}

/* Page pools of @ifindex that serve a dma-buf, or have buffers out. */
static int count_devmem_pool(const struct devmem_page_pool *pp, void *arg)
{
	if (pp->dmabuf || pp->inflight)
		++*(int *)arg;
	return 0;
}

static int devmem_pools(int ifindex)
{
	struct devmem_err err = {};
	int n = 0;

	if (devmem_page_pools(ifindex, count_devmem_pool, &n, &err) < 0) {
		ktap_diag("page pool dump: %s %s", strerror(err.code), err.msg);
		return -1;
	}
	return n;
}

int main(int argc, char **argv)
{
	static const unsigned int q1[] = { 1 }, q99[] = { 99 }, q11[] = { 1, 1 };
	struct devmem_binding *held = NULL;
	struct devmem_err err = {};
	bool strict = argc == 4 && !strcmp(argv[3], "--strict");
	int dmabuf, notbuf, ret;

	if (argc != 3 && !strict) {
		fprintf(stderr, "usage: devmem_bind_errors NSIM_DEV VETH_DEV [--strict]\n");
		return 2;
	}
	ktap_start(&t, strict ? 12 : 10);
	nsim = devmem_ifindex(argv[1]);
	veth = devmem_ifindex(argv[2]);
	dmabuf = devmem_udmabuf_create_anon("bind-errors", 0, DMABUF_SIZE, false, 0);
	notbuf = devmem_memfd_create("not-a-dmabuf", DMABUF_SIZE, false, F_SEAL_SHRINK);
	if (nsim <= 0 || veth <= 0 || dmabuf < 0 || notbuf < 0) {
		ktap_diag("setup: nsim %d veth %d dmabuf %d memfd %d", nsim,
			  veth, dmabuf, notbuf);
		return 1;
	}

	ret = devmem_hds_set(nsim, DEVMEM_HDS_OFF, &err);
	if (ret)
		ktap_diag("tcp-data-split off: %s %s", strerror(-ret), err.msg);
	expect_refusal("header_split_off", nsim, dmabuf, q1, 1, EINVAL,
		       "tcp-data-split");

	ret = devmem_hds_set(nsim, DEVMEM_HDS_ON, &err);
	if (ret)
		ktap_diag("tcp-data-split on: %s %s", strerror(-ret), err.msg);
	expect_refusal("queue_out_of_range", nsim, dmabuf, q99, 1, ERANGE,
		       "out of range");
	expect_refusal("fd_not_a_dmabuf", nsim, notbuf, q1, 1, EINVAL,
		       "not a dma-buf");
	expect_refusal("no_queue_mgmt_api_veth", veth, dmabuf, q1, 1,
		       EOPNOTSUPP, "queue management");
	if (strict) {
		expect_refusal("empty_queue_list", nsim, dmabuf, q1, 0, EINVAL,
			       "no RX queue given");
		expect_refusal("queue_listed_twice", nsim, dmabuf, q11, 2,
			       EEXIST, "listed twice");
	}

	/* No binding next to an XDP program: XDP cannot read device memory. */
	ret = xdp_attach(nsim);
	if (ret < 0) {
		ktap_diag("attaching XDP: %s", strerror(-ret));
		ktap_result(&t, false, "xdp_program_attached");
	} else {
		expect_refusal("xdp_program_attached", nsim, dmabuf, q1, 1,
			       EEXIST, "XDP program");
		close(ret);
	}

	/* The pool check below must see a bound queue's pool to mean much */
	ret = devmem_bind_rx(nsim, dmabuf, q1, 1, &held, &err);
	if (ret)
		ktap_diag("bind queue 1: %s \"%s\"", strerror(-ret), err.msg);
	ktap_result(&t, !ret && devmem_pools(nsim) == 1,
		    "bind_queue_1_one_devmem_pool");
	expect_refusal("queue_already_bound", nsim, dmabuf, q1, 1, EEXIST,
		       "already");

	/* Header split cannot go away under a bound queue. */
	ret = devmem_hds_set(nsim, DEVMEM_HDS_OFF, &err);
	ktap_diag("tcp-data-split off while bound: %s \"%s\"", strerror(-ret),
		  err.msg);
	ktap_result(&t, ret == -EBUSY && strstr(err.msg, "memory provider"),
		    "header_split_stays_on_while_bound");

	/* ... nor can an XDP program come to a device with a bound queue. */
	ret = xdp_attach(nsim);
	ktap_diag("XDP attach while bound: %s",
		  ret < 0 ? strerror(-ret) : "attached");
	if (ret >= 0)
		close(ret);
	ktap_result(&t, ret == -EBUSY, "xdp_refused_while_bound");

	if (held)
		devmem_unbind(held);
	ret = devmem_pools(nsim);
	ktap_diag("pools serving a dma-buf or with buffers out: %d", ret);
	ktap_result(&t, ret == 0, "nothing_left_after_unbind");

	close(notbuf);
	close(dmabuf);
	ktap_exit(&t);
}
