// SPDX-License-Identifier: GPL-2.0-only
/*
 * Devmem TX refuses what it cannot do, with upstream's errnos: bind-tx
 * (with an extack message) on a device that cannot send from device
 * memory, for something that is not a dma-buf, for no device; sendmsg()
 * without SO_ZEROCOPY or MSG_ZEROCOPY, with an id that is no TX binding
 * (unknown, an RX binding's, an unbound one's), on a socket whose route
 * leaves by another device, with a range past the dma-buf's end. A good
 * send gets exactly one completion covering it. The dmabuf-pp family lists
 * a TX binding as such, counts the bytes sent, and announces its unbind.
 *
 * usage: devmem_tx_errors TX_DEV RX_NETNS RX_ADDR [--stock]
 *   run in the TX namespace; TX_DEV is the netdevsim device whose peer
 *   in namespace RX_NETNS (a /run/netns name) has RX_ADDR. The listener
 *   is made there by this program. --stock: the kernel has no devmem TX:
 *   bind-tx and the cmsg must be refused as unsupported, nothing else.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <devmem.h>
#include "../lib/ktap.h"

#define DMABUF_SIZE	(1u << 20)
#define PORT		5299

static struct ktap t;

/* A listener in namespace @ns: the socket stays in it after we go back. */
static int listen_in(const char *ns, const char *addr, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	char path[256];
	int self, other, fd, one = 1;

	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	self = open("/proc/self/ns/net", O_RDONLY);
	other = open(path, O_RDONLY);
	if (self < 0 || other < 0 || setns(other, CLONE_NEWNET))
		return -1;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16))
		fd = -1;
	if (setns(self, CLONE_NEWNET))
		fd = -1;
	close(self);
	close(other);
	return fd;
}

/* A TCP connection to @addr:@port, with SO_ZEROCOPY when @zc. */
static int connect_to(const char *addr, int port, bool zc)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	inet_pton(AF_INET, addr, &sa.sin_addr);
	if (fd < 0 || (zc && setsockopt(fd, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof(one))) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ktap_diag("connect to %s:%d: %s", addr, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* devmem_send() of one range; pass when it fails with @want. */
static void expect_send(const char *name, int fd, uint32_t id,
			uint64_t off, uint64_t len, int want)
{
	struct devmem_range r = { .offset = off, .len = len };
	ssize_t n = devmem_send(fd, id, &r, 1, MSG_DONTWAIT);
	int e = n < 0 ? errno : 0;

	ktap_diag("%s: %zd (%s)", name, n, n < 0 ? strerror(e) : "sent");
	ktap_result(&t, n < 0 && e == want, name);
}

static void expect_bind(const char *name, int ifindex, int fd, int want,
			const char *msg)
{
	struct devmem_binding *b = NULL;
	struct devmem_err err = {};
	int ret = devmem_bind_tx(ifindex, fd, &b, &err);

	ktap_diag("%s: %s: \"%s\"", name, ret ? strerror(-ret) : "bound", err.msg);
	if (!ret)
		devmem_unbind(b);
	ktap_result(&t, ret == -want && (!msg || strstr(err.msg, msg)), name);
}

static int copy_info(const struct devmem_binding_info *b, void *arg)
{
	*(struct devmem_binding_info *)arg = *b;
	return 0;
}

/* The dmabuf-pp family's view of binding @id (id 0 when it has none). */
static void family_info(uint32_t id, struct devmem_binding_info *b)
{
	struct devmem_err err = {};

	b->id = 0;
	if (devmem_pp_bindings(id, copy_info, b, &err) < 0)
		ktap_diag("get %u: %s \"%s\"", id, strerror(err.code), err.msg);
}

/* One sendmsg() with the cmsg and no MSG_ZEROCOPY: must be refused. */
static ssize_t send_without_zerocopy_flag(int fd, uint32_t id)
{
	char control[CMSG_SPACE(sizeof(uint32_t))] = { 0 };
	struct iovec iov = { .iov_base = NULL, .iov_len = 4096 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_DEVMEM_DMABUF;
	cm->cmsg_len = CMSG_LEN(sizeof(id));
	memcpy(CMSG_DATA(cm), &id, sizeof(id));
	return sendmsg(fd, &msg, MSG_DONTWAIT);
}

/*
 * Completions of calls 0..@last, each exactly once, within 30 s; then no
 * other.
 */
static bool completions_through(int fd, uint32_t last)
{
	struct pollfd p = { .fd = fd };
	uint32_t lo, hi, next = 0;
	int ret;

	while (next <= last) {
		while ((ret = devmem_completions(fd, &lo, &hi)) == 0)
			if (poll(&p, 1, 30000) <= 0)
				return false;
		ktap_diag("completion: calls %u..%u", lo, hi);
		if (ret < 0 || lo != next || hi < lo || hi > last)
			return false;
		next = hi + 1;
	}
	return devmem_completions(fd, &lo, &hi) == 0;
}

static int run_stock(int tx_if, int dmabuf, const char *rx_addr)
{
	int fd;

	ktap_start(&t, 2);
	expect_bind("bind_tx_not_supported", tx_if, dmabuf, EOPNOTSUPP, NULL);
	fd = connect_to(rx_addr, PORT, true);
	errno = 0;
	ktap_result(&t, fd >= 0 && send_without_zerocopy_flag(fd, 1) < 0 &&
		    errno == EINVAL, "devmem_cmsg_refused");
	ktap_exit(&t);
	return 0;
}

int main(int argc, char **argv)
{
	bool stock = argc == 5 && !strcmp(argv[4], "--stock");
	struct devmem_binding *tx = NULL, *gone = NULL, *rx = NULL;
	static struct devmem_binding_info info;	/* large: its queue list */
	struct devmem_pp_watch *watch;
	static const unsigned int q1[] = { 1 };
	int tx_if, lo_if, dmabuf, notbuf, lfd, fd, plain, local;
	struct devmem_err err = {};
	uint32_t id, gone_id;

	if (argc != 4 && !stock) {
		fprintf(stderr, "usage: devmem_tx_errors TX_DEV RX_NETNS RX_ADDR [--stock]\n");
		return 2;
	}
	tx_if = devmem_ifindex(argv[1]);
	lo_if = devmem_ifindex("lo");
	dmabuf = devmem_udmabuf_create_anon("tx-errors", 0, DMABUF_SIZE, false, 0);
	notbuf = devmem_memfd_create("not-a-dmabuf", DMABUF_SIZE, false, 0);
	lfd = listen_in(argv[2], argv[3], PORT);
	if (tx_if <= 0 || lo_if <= 0 || dmabuf < 0 || notbuf < 0 || lfd < 0) {
		fprintf(stderr, "setup: tx %d lo %d dmabuf %d memfd %d listener %d\n",
			tx_if, lo_if, dmabuf, notbuf, lfd);
		return 1;
	}
	if (stock)
		return run_stock(tx_if, dmabuf, argv[3]);

	ktap_start(&t, 19);

	expect_bind("bind_tx_device_without_devmem_tx", lo_if, dmabuf,
		    EOPNOTSUPP, "cannot send from device memory");
	expect_bind("bind_tx_not_a_dmabuf", tx_if, notbuf, EINVAL,
		    "is not a dma-buf");
	expect_bind("bind_tx_no_device", 0x7ffffff0, dmabuf, ENODEV,
		    "no device with ifindex");

	ktap_result(&t, !devmem_bind_tx(tx_if, dmabuf, &tx, &err) &&
		    devmem_binding_id(tx) > 0, "bind_tx_gives_an_id");
	if (!tx)
		ktap_exit(&t);
	id = devmem_binding_id(tx);

	family_info(id, &info);
	ktap_diag("family: binding %u ifindex %u queues %u tx %d tx-bytes %llu",
		  info.id, info.ifindex, info.nqueues, info.tx,
		  (unsigned long long)info.tx_bytes);
	ktap_result(&t, info.id == id && info.tx && !info.nqueues &&
		    info.ifindex == (uint32_t)tx_if && !info.tx_bytes,
		    "family_lists_tx_binding");

	plain = connect_to(argv[3], PORT, false);
	fd = connect_to(argv[3], PORT, true);
	if (plain < 0 || fd < 0)
		ktap_exit(&t);
	expect_send("send_without_so_zerocopy", plain, id, 0, 4096, EINVAL);
	errno = 0;
	ktap_result(&t, send_without_zerocopy_flag(fd, id) < 0 && errno == EINVAL,
		    "send_without_msg_zerocopy");
	expect_send("send_unknown_binding", fd, 0x7ffffff0, 0, 4096, EINVAL);

	/* An RX binding's id names no buffers to send */
	if (!devmem_hds_set(tx_if, DEVMEM_HDS_ON, &err) &&
	    !devmem_bind_rx(tx_if, dmabuf, q1, 1, &rx, &err))
		expect_send("send_with_rx_binding", fd, devmem_binding_id(rx), 0,
			    4096, EINVAL);
	else
		ktap_result(&t, false, "send_with_rx_binding");
	devmem_unbind(rx);

	/* The dma-buf is mapped for netdevsim; loopback cannot reach it */
	{
		struct sockaddr_in sa = { .sin_family = AF_INET,
					  .sin_port = htons(PORT + 2),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int one = 1, ll = socket(AF_INET, SOCK_STREAM, 0);

		if (ll < 0 || setsockopt(ll, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
		    bind(ll, (struct sockaddr *)&sa, sizeof(sa)) || listen(ll, 4))
			ktap_exit(&t);
		local = connect_to("127.0.0.1", PORT + 2, true);
		expect_send("send_route_through_other_device", local, id, 0, 4096,
			    ENODEV);
		close(local);
		close(ll);
	}

	/* An empty range names nothing, even past the dma-buf's end */
	{
		struct devmem_range r[2] = {
			{ .offset = 4 * DMABUF_SIZE, .len = 0 },
			{ .offset = 0, .len = 4096 },
		};
		ssize_t n = devmem_send(fd, id, r, 2, 0);

		ktap_diag("send_skips_empty_range: %zd (%s)", n,
			  n < 0 ? strerror(errno) : "sent");
		ktap_result(&t, n == 4096, "send_skips_empty_range");
	}

	expect_send("send_range_past_end", fd, id, DMABUF_SIZE, 4096, EFAULT);
	expect_send("send_range_across_end", fd, id, DMABUF_SIZE - 4096, 8192,
		    EFAULT);

	{
		struct devmem_range r = { .offset = 4096, .len = 65536 };

		ktap_result(&t, devmem_send(fd, id, &r, 1, 0) == 65536,
			    "send_64k_from_dmabuf");
	}
	ktap_result(&t, completions_through(fd, 1), "each_send_completes_once");
	family_info(id, &info);
	ktap_diag("family: tx-bytes %llu", (unsigned long long)info.tx_bytes);
	ktap_result(&t, info.tx_bytes == 4096 + 65536, "family_counts_bytes_sent");

	/* A device with a TX binding stays in its namespace */
	{
		char cmd[512], out[512] = "";
		FILE *p;
		int rc;

		snprintf(cmd, sizeof(cmd), "ip link set dev %s netns %s 2>&1",
			 argv[1], argv[2]);
		p = popen(cmd, "r");
		if (p && !fgets(out, sizeof(out), p))
			out[0] = 0;
		rc = p ? pclose(p) : -1;
		ktap_diag("move: rc %d: %s", rc, out);
		ktap_result(&t, rc != 0 && strstr(out, "has TX binding") &&
			    devmem_ifindex(argv[1]) == tx_if,
			    "netns_move_refused_while_bound");
	}

	/* An unbound binding is gone for senders at once */
	if (!devmem_bind_tx(tx_if, dmabuf, &gone, &err) &&
	    !devmem_pp_watch_open(&watch, &err)) {
		gone_id = devmem_binding_id(gone);
		devmem_unbind(gone);
		expect_send("send_after_unbind", fd, gone_id, 0, 4096, EINVAL);
		/* Its leaving the device is announced, once */
		ktap_result(&t, !devmem_pp_watch_next(watch, 30000, &info, &err) &&
			    info.id == gone_id && info.tx, "unbind_announced");
		devmem_pp_watch_close(watch);
	} else {
		ktap_result(&t, false, "send_after_unbind");
		ktap_result(&t, false, "unbind_announced");
	}

	close(fd);
	close(plain);
	devmem_unbind(tx);
	close(lfd);
	ktap_exit(&t);
	return 0;
}
