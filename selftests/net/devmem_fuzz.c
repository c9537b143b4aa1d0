// SPDX-License-Identifier: GPL-2.0-only
/*
 * A bounded, seeded fuzzer for the interfaces user space can reach in our
 * kernel code: bind-rx (netdev family), the dmabuf-pp family (bind, get,
 * dump), /dev/udmabuf (CREATE, CREATE_LIST), DMA_BUF_IOCTL_SYNC, mmap of a
 * dma-buf and SO_DEVMEM_DONTNEED. Requests are mostly well formed with
 * one thing wrong (a bogus fd, a queue out of range, an attribute of the
 * wrong size, a count past a limit), and sometimes entirely valid, so that
 * bindings are made too; netlink sockets and dma-buf fds are closed in
 * random order while bindings hold them.
 *
 * Nothing here checks an answer: the kernel must survive, log no splat
 * (vm-suite checks), and afterwards hold nothing (devmem_fuzz.sh checks
 * the provider's and the exporter's counters). The same SEED makes the
 * same calls.
 *
 * usage: devmem_fuzz DEV SEED CALLS    (in DEV's namespace, as root; DEV
 *                                       a netdevsim netdev, header split on)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/dmabuf_pp.h>
#include <linux/netdev.h>
#include <linux/udmabuf.h>
#include "../../tools/lib/uio_devmem.h"
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <devmem.h>

#define MAX_DMABUFS	8
#define MAX_NL		4
#define NR_MEMFDS	3
#define MEMFD_SIZE	(1u << 20)
#define LIST_ITEMS	1100	/* past the exporter's limit of one list */
#define NR_QUEUES	4

#ifndef SO_DEVMEM_DONTNEED
#define SO_DEVMEM_DONTNEED 80
#endif

enum op {
	OP_UDMABUF_CREATE, OP_UDMABUF_LIST, OP_SYNC, OP_MMAP,
	OP_BIND_RX, OP_PP_BIND, OP_PP_GET, OP_PP_DUMP,
	OP_NL_CLOSE, OP_DMABUF_CLOSE, OP_DONTNEED,
	NR_OPS
};

static const char *const op_name[NR_OPS] = {
	"udmabuf-create", "udmabuf-create-list", "dma-buf-sync", "mmap",
	"bind-rx", "pp-bind", "pp-get", "pp-dump",
	"netlink-close", "dma-buf-close", "dontneed",
};

static uint64_t rng;
static int ifindex, netdev_family, pp_family, udmabuf_dev;
static int memfd[NR_MEMFDS];
static int dmabuf[MAX_DMABUFS];
static struct nl_sock *nl[MAX_NL];
static int tcp_fd, udp_fd;
static unsigned long calls[NR_OPS], accepted[NR_OPS];
static bool trace;	/* $FUZZ_TRACE: each call on stderr, to find a crash */

/* xorshift64*: the same seed gives the same calls */
static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint32_t rnd(uint32_t n)
{
	return n ? next() % n : 0;
}

static bool one_in(uint32_t n)
{
	return rnd(n) == 0;
}

/* A fd: mostly one of ours of the right kind, sometimes anything. */
static int some_fd(void)
{
	static const int bogus[] = { -1, 0, 1, 2, 1 << 20 };

	switch (rnd(8)) {
	case 0:
		return bogus[rnd(5)];
	case 1:
		return memfd[rnd(NR_MEMFDS)];
	case 2:
		return tcp_fd;
	default:
		return dmabuf[rnd(MAX_DMABUFS)];
	}
}

static uint64_t some_size(void)
{
	switch (rnd(6)) {
	case 0:
		return 0;
	case 1:
		return next();
	case 2:
		return rnd(MEMFD_SIZE);		/* unaligned */
	default:
		return 4096ull * (1 + rnd(MEMFD_SIZE / 4096));
	}
}

static uint64_t some_offset(void)
{
	switch (rnd(5)) {
	case 0:
		return next();
	case 1:
		return rnd(MEMFD_SIZE);		/* unaligned */
	default:
		return 4096ull * rnd(MEMFD_SIZE / 4096);
	}
}

static void keep_dmabuf(int fd)
{
	unsigned int i = rnd(MAX_DMABUFS);

	if (dmabuf[i] >= 0)
		close(dmabuf[i]);
	dmabuf[i] = fd;
}

static bool udmabuf_create(void)
{
	struct udmabuf_create c = {
		.memfd = one_in(4) ? (uint32_t)some_fd() : (uint32_t)memfd[rnd(NR_MEMFDS)],
		.flags = one_in(8) ? (uint32_t)next() : UDMABUF_FLAGS_CLOEXEC,
		.offset = one_in(2) ? 0 : some_offset(),
		.size = some_size(),
	};
	int fd = ioctl(udmabuf_dev, UDMABUF_CREATE, &c);

	if (fd < 0)
		return false;
	keep_dmabuf(fd);
	return true;
}

static bool udmabuf_list(void)
{
	static struct {
		struct udmabuf_create_list head;
		struct udmabuf_create_item item[LIST_ITEMS];
	} l;
	uint32_t n = rnd(5), i;
	int fd;

	if (one_in(4))
		n = one_in(2) ? rnd(LIST_ITEMS + 1) : (uint32_t)next();
	l.head.flags = one_in(8) ? (uint32_t)next() : UDMABUF_FLAGS_CLOEXEC;
	l.head.count = n;
	for (i = 0; i < 8 && i < LIST_ITEMS; i++) {
		l.item[i] = (struct udmabuf_create_item){
			.memfd = one_in(6) ? (uint32_t)some_fd() : (uint32_t)memfd[rnd(NR_MEMFDS)],
			.__pad = one_in(10) ? 1 : 0,
			.offset = 4096ull * rnd(8),
			.size = one_in(5) ? some_size() : 4096ull * (1 + rnd(8)),
		};
	}
	fd = ioctl(udmabuf_dev, UDMABUF_CREATE_LIST, &l);
	if (fd < 0)
		return false;
	keep_dmabuf(fd);
	return true;
}

static bool sync_dmabuf(void)
{
	static const uint64_t dir[] = {
		DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW,
	};
	struct dma_buf_sync s = {
		.flags = one_in(6) ? next() :
			 dir[rnd(3)] | (one_in(2) ? DMA_BUF_SYNC_END : DMA_BUF_SYNC_START),
	};

	return ioctl(some_fd(), DMA_BUF_IOCTL_SYNC, &s) == 0;
}

/* CPU access through the exporter: map part of a dma-buf, touch it. */
static bool map_dmabuf(void)
{
	size_t len = 4096 * (1 + rnd(16));
	off_t off = one_in(4) ? (off_t)some_offset() : 0;
	int prot = PROT_READ | (one_in(2) ? PROT_WRITE : 0);
	volatile char *p;

	/* Not a memfd, a file or a TCP socket (which maps for zerocopy
	 * receive): touching those past what they have is SIGBUS.
	 */
	int fd = one_in(8) ? (one_in(2) ? udp_fd : -1) : dmabuf[rnd(MAX_DMABUFS)];

	p = mmap(NULL, len, prot, one_in(8) ? MAP_PRIVATE : MAP_SHARED, fd,
		 off);
	if (p == MAP_FAILED)
		return false;
	if (trace)
		fprintf(stderr, "mmap fd %d (size %lld) off %lld len %zu prot %d\n",
			fd, (long long)lseek(fd, 0, SEEK_END), (long long)off, len, prot);
	if (prot & PROT_WRITE)
		p[rnd(len)] = 1;
	(void)p[rnd(len)];
	munmap((void *)p, len);
	return true;
}

/* An attribute of a random type and size: what a policy must refuse. */
static void put_junk(struct nl_msg *msg)
{
	char junk[64];

	for (unsigned int i = 0; i < sizeof(junk); i++)
		junk[i] = next();
	nla_put(msg, rnd(16), rnd(sizeof(junk)), junk);
}

static uint32_t some_ifindex(void)
{
	return one_in(6) ? (uint32_t)next() % 64 : (uint32_t)ifindex;
}

static uint32_t some_queue(void)
{
	return one_in(6) ? (uint32_t)next() : rnd(NR_QUEUES + 1);
}

/* Send @msg on a random socket; the answer (ack, error or dump) is read. */
static bool exchange(struct nl_msg *msg)
{
	struct nl_sock *sk = nl[rnd(MAX_NL)];
	int ret;

	ret = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		return false;
	return nl_recvmsgs_default(sk) >= 0;
}

static struct nl_msg *request(int family, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc_size(16384);

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				flags | NLM_F_ACK, cmd, 1)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static bool bind_rx(void)
{
	struct nl_msg *msg = request(netdev_family, NETDEV_CMD_BIND_RX, 0);
	unsigned int n = rnd(4), i;

	if (!msg)
		return false;
	if (!one_in(8))
		nla_put_u32(msg, NETDEV_A_DMABUF_IFINDEX, some_ifindex());
	if (!one_in(8))
		nla_put_u32(msg, NETDEV_A_DMABUF_FD, some_fd());
	for (i = 0; i < n; i++) {
		struct nlattr *q;

		if (one_in(10)) {
			nla_put_u32(msg, NETDEV_A_DMABUF_QUEUES, some_queue());
			continue;
		}
		q = nla_nest_start(msg, NETDEV_A_DMABUF_QUEUES | NLA_F_NESTED);
		if (!one_in(8))
			nla_put_u32(msg, NETDEV_A_QUEUE_ID, some_queue());
		if (!one_in(8))
			nla_put_u32(msg, NETDEV_A_QUEUE_TYPE,
				    one_in(5) ? NETDEV_QUEUE_TYPE_TX : NETDEV_QUEUE_TYPE_RX);
		if (one_in(10))
			put_junk(msg);
		nla_nest_end(msg, q);
	}
	if (one_in(10))
		put_junk(msg);
	return exchange(msg);
}

static bool pp_bind(void)
{
	static const uint32_t sizes[] = { 0, 4096, 65536, 12345 };
	struct nl_msg *msg = request(pp_family, DMABUF_PP_CMD_BIND, 0);
	unsigned int n = rnd(4), i;

	if (!msg)
		return false;
	if (!one_in(8))
		nla_put_u32(msg, DMABUF_PP_A_BINDING_IFINDEX, some_ifindex());
	if (!one_in(8))
		nla_put_u32(msg, DMABUF_PP_A_BINDING_FD, some_fd());
	for (i = 0; i < n; i++)
		nla_put_u32(msg, DMABUF_PP_A_BINDING_QUEUES, some_queue());
	if (one_in(2))
		nla_put_u32(msg, DMABUF_PP_A_BINDING_BUF_SIZE, sizes[rnd(4)]);
	if (one_in(10))
		put_junk(msg);
	return exchange(msg);
}

static bool pp_get(void)
{
	struct nl_msg *msg = request(pp_family, DMABUF_PP_CMD_GET, 0);

	if (!msg)
		return false;
	if (!one_in(8))
		nla_put_u32(msg, DMABUF_PP_A_BINDING_ID,
			    one_in(4) ? (uint32_t)next() : rnd(64));
	if (one_in(10))
		put_junk(msg);
	return exchange(msg);
}

static bool pp_dump(void)
{
	struct nl_msg *msg = request(pp_family, DMABUF_PP_CMD_GET, NLM_F_DUMP);

	if (!msg)
		return false;
	if (one_in(10))
		put_junk(msg);
	return exchange(msg);
}

static int ignore(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static struct nl_sock *nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "devmem_fuzz: generic netlink socket\n");
		exit(1);
	}
	nl_socket_enable_msg_peek(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, ignore, NULL);
	return sk;
}

/* A socket goes, with the bindings it made; a new one takes its place. */
static bool nl_reopen(void)
{
	unsigned int i = rnd(MAX_NL);

	nl_socket_free(nl[i]);
	nl[i] = nl_open();
	return true;
}

static bool dmabuf_close(void)
{
	unsigned int i = rnd(MAX_DMABUFS);

	if (dmabuf[i] < 0)
		return false;
	close(dmabuf[i]);
	dmabuf[i] = -1;
	return true;
}

static bool dontneed(void)
{
	static struct dmabuf_token tk[1100];
	static const int fds_kinds = 3;
	socklen_t len;
	int fd;

	for (unsigned int i = 0; i < 8; i++)
		tk[i] = (struct dmabuf_token){
			.token_start = one_in(3) ? (uint32_t)next() : rnd(16),
			.token_count = one_in(3) ? (uint32_t)next() : rnd(16),
		};
	switch (rnd(4)) {
	case 0:
		len = rnd(8 * sizeof(tk[0]) + 1);	/* not a whole entry */
		break;
	case 1:
		len = sizeof(tk[0]) * (1 + rnd(1100));	/* past 1024 too */
		break;
	default:
		len = sizeof(tk[0]) * (1 + rnd(8));
	}
	switch (rnd(fds_kinds)) {
	case 0:
		fd = udp_fd;
		break;
	case 1:
		fd = some_fd();
		break;
	default:
		fd = tcp_fd;
	}
	return setsockopt(fd, SOL_SOCKET, SO_DEVMEM_DONTNEED,
			  one_in(10) ? (void *)16 : tk, len) >= 0;
}

static bool (*const op_fn[NR_OPS])(void) = {
	udmabuf_create, udmabuf_list, sync_dmabuf, map_dmabuf,
	bind_rx, pp_bind, pp_get, pp_dump,
	nl_reopen, dmabuf_close, dontneed,
};

/* How often each operation is picked, out of the sum. */
static const unsigned int op_weight[NR_OPS] = {
	8, 4, 4, 3, 8, 8, 4, 2, 2, 3, 4,
};

static enum op pick_op(void)
{
	unsigned int sum = 0, r, i;

	for (i = 0; i < NR_OPS; i++)
		sum += op_weight[i];
	r = rnd(sum);
	for (i = 0; r >= op_weight[i]; i++)
		r -= op_weight[i];
	return i;
}

static void setup(const char *dev)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct nl_sock *sk;
	unsigned int i;

	ifindex = devmem_ifindex(dev);
	udmabuf_dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	tcp_fd = socket(AF_INET, SOCK_STREAM, 0);
	udp_fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (ifindex <= 0 || udmabuf_dev < 0 || tcp_fd < 0 || udp_fd < 0 ||
	    connect(udp_fd, (void *)&a, sizeof(a)) < 0) {
		fprintf(stderr, "devmem_fuzz: setup: %s\n", strerror(errno));
		exit(1);
	}
	/* Two memfds udmabuf takes (sealed against shrinking), one it refuses */
	for (i = 0; i < NR_MEMFDS; i++) {
		memfd[i] = memfd_create("devmem-fuzz", MFD_ALLOW_SEALING);
		if (memfd[i] < 0 || ftruncate(memfd[i], MEMFD_SIZE) ||
		    (i < 2 && fcntl(memfd[i], F_ADD_SEALS, F_SEAL_SHRINK))) {
			fprintf(stderr, "devmem_fuzz: memfd: %s\n", strerror(errno));
			exit(1);
		}
	}
	for (i = 0; i < MAX_DMABUFS; i++)
		dmabuf[i] = -1;
	for (i = 0; i < MAX_NL; i++)
		nl[i] = nl_open();
	sk = nl[0];
	netdev_family = genl_ctrl_resolve(sk, "netdev");
	pp_family = genl_ctrl_resolve(sk, "dmabuf-pp");
	if (netdev_family < 0 || pp_family < 0) {
		fprintf(stderr, "devmem_fuzz: families netdev %d dmabuf-pp %d\n",
			netdev_family, pp_family);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	unsigned long n, i, total = 0, ok = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: devmem_fuzz DEV SEED CALLS\n");
		return 2;
	}
	rng = strtoull(argv[2], NULL, 0) * 0x9e3779b97f4a7c15ULL + 1;
	n = strtoul(argv[3], NULL, 0);
	trace = getenv("FUZZ_TRACE");
	setup(argv[1]);

	for (i = 0; i < n; i++) {
		enum op op = pick_op();

		if (trace)
			fprintf(stderr, "%lu %s\n", i, op_name[op]);
		calls[op]++;
		accepted[op] += op_fn[op]();
		if ((i + 1) % 500 == 0)
			printf("# %lu calls\n", i + 1);
		fflush(stdout);
	}

	/* Everything goes, in an order of its own: bindings with sockets. */
	for (i = 0; i < MAX_NL; i++)
		nl_socket_free(nl[i]);
	for (i = 0; i < MAX_DMABUFS; i++)
		if (dmabuf[i] >= 0)
			close(dmabuf[i]);
	for (i = 0; i < NR_MEMFDS; i++)
		close(memfd[i]);
	close(tcp_fd);
	close(udp_fd);
	close(udmabuf_dev);

	for (i = 0; i < NR_OPS; i++) {
		printf("# %-20s %6lu calls, %6lu accepted\n", op_name[i],
		       calls[i], accepted[i]);
		total += calls[i];
		ok += accepted[i];
	}
	printf("# seed %s: %lu calls, %lu accepted\n", argv[2], total, ok);
	return 0;
}
