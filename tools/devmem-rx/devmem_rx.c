// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmem-rx: receive one TCP stream with device-memory TCP and check it.
 *
 * A sealed memfd becomes a dma-buf through /dev/udmabuf, the dma-buf is
 * bound to RX queues of a device, and one connection is read with
 * recvmsg(MSG_SOCK_DEVMEM): payload stays in the dma-buf and arrives as
 * (offset, size, token) cmsgs, packet heads arrive in the iov. Every byte
 * can be checked against the shared pattern (the dma-buf ones through a
 * read-only mapping of the memfd), and every token goes back to the kernel.
 * The sender is "tcpxfer send".
 *
 * With --heap the dma-buf comes from the system dma-heap instead (its
 * pages are invisible to the importer; checking reads the dma-buf's own
 * mapping); with --hugetlb the memfd is backed by 2 MiB huge pages, whose
 * mapped ranges fit RX buffers of up to 64 KiB (ethtool rx-buf-len). With
 * --flows N, N children each receive one connection on the
 * same binding. --hold-tokens keeps every token until the socket closes,
 * which is what teardown tests need.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>
#include <linux/udmabuf.h>

#include "../lib/cli_parse.h"
#include <devmem.h>
#include "../lib/uio_devmem.h"
#include "../lib/dma_heap.h"
#include "../lib/pattern.h"
#include "../lib/tcp_server.h"

#define IOV_SIZE (1024 * 1024)	/* bytes asked of one recvmsg(): a large
				 * batch keeps the per-call dma-buf sync rare */
#define MAX_CMSGS 1024		/* devmem cmsgs one recvmsg() can return */
#define MAX_QUEUES 256
#define MAX_FLOWS 64

struct opts {
	const char *dev;
	unsigned int queues[MAX_QUEUES];
	int nqueues;
	const char *port;
	uint64_t size;
	uint64_t bytes;
	bool verify;
	bool json;
	bool hds;
	bool heap;
	bool hugetlb;
	bool hold_tokens;
	int flows;
	int ready_fd;
	int timeout_s;
};

/* What one run saw; the report prints it. */
struct stats {
	uint64_t total;
	uint64_t dmabuf_bytes;
	uint64_t linear_bytes;	/* SCM_DEVMEM_LINEAR: heads copied to the iov */
	uint64_t plain_bytes;	/* no devmem cmsg at all: not our queue */
	uint64_t frags;
	uint32_t max_frag;	/* largest frag: shows the RX buffer size */
	uint64_t tokens;	/* returned with SO_DEVMEM_DONTNEED */
	double seconds;
	double cpu_seconds;	/* our own user + system time while receiving */
	bool bad;		/* first pattern mismatch, when verifying */
	bool bad_linear;
	uint64_t bad_stream;
	uint64_t bad_dmabuf;
};

/* Receive state shared with the per-fragment callback. */
struct rx {
	const struct opts *o;
	int fd;
	int dmabuf_fd;
	uint32_t binding_id;
	const uint8_t *map;	/* the memfd, read-only; NULL unless verifying */
	bool synced;		/* inside DMA_BUF_SYNC_START .. END */
	const uint8_t *iov;	/* this recvmsg(): the iov buffer */
	size_t msg_bytes;	/* this recvmsg(): what it returned */
	size_t msg_seen;	/* this recvmsg(): bytes its cmsgs described */
	unsigned int msg_cmsgs;	/* this recvmsg(): devmem cmsgs seen */
	size_t iov_pos;		/* this recvmsg(): linear bytes consumed */
	struct devmem_token_batch batch;
	struct stats st;
};

static void usage(FILE *f)
{
	fputs("usage: devmem-rx -i DEV -q QUEUES -p PORT -n BYTES [-s SIZE] [--verify]\n"
	      "                 [--hds] [--heap | --hugetlb] [--flows N] [--hold-tokens]\n"
	      "                 [--json] [--ready-fd FD] [--timeout SEC]\n"
	      "\n"
	      "Bind a SIZE-byte udmabuf (default 64M) to RX queues QUEUES of DEV\n"
	      "(a list such as 1 or 1,3-4), accept one TCP connection on PORT and\n"
	      "read BYTES with MSG_SOCK_DEVMEM, returning every token; report bytes\n"
	      "in the dma-buf, linear and plain, and throughput.\n"
	      "  --verify      check every byte against the pattern (tcpxfer send)\n"
	      "  --hds         turn tcp-data-split on first, restore it at exit\n"
	      "  --heap        take the dma-buf from /dev/dma_heap/system, not udmabuf\n"
	      "  --hugetlb     back the udmabuf with 2 MiB huge pages (needed for\n"
	      "                RX buffers above 4 KiB: ethtool -G DEV rx-buf-len N)\n"
	      "  --flows N     accept N connections, each read in its own process\n"
	      "                (BYTES each, one report line each; 1..64, default 1)\n"
	      "  --hold-tokens never return tokens: the socket's close frees them\n"
	      "  --json        print the report as one JSON object\n"
	      "  --ready-fd FD write \"ready\" to FD once bound and listening\n"
	      "  --timeout SEC give up after SEC seconds without progress (60)\n"
	      "BYTES and SIZE take K, M and G suffixes (powers of 1024).\n"
	      "Exit status: 0 all bytes arrived (and matched), 1 otherwise, 2 usage.\n",
	      f);
}

static void print_dm_err(const char *what, const struct devmem_err *e)
{
	if (e->msg[0])
		fprintf(stderr, "devmem-rx: %s: %s: %s\n", what, strerror(e->code),
			e->msg);
	else
		fprintf(stderr, "devmem-rx: %s: %s\n", what, strerror(e->code));
}

static void note_bad(struct stats *st, uint64_t stream, bool linear,
		     uint64_t dmabuf_off)
{
	if (st->bad)
		return;
	st->bad = true;
	st->bad_stream = stream;
	st->bad_linear = linear;
	st->bad_dmabuf = dmabuf_off;
}

static int return_tokens(struct rx *rx)
{
	int ret = devmem_token_batch_flush(&rx->batch, rx->fd);

	if (ret == -EPROTO) {
		fprintf(stderr, "devmem-rx: SO_DEVMEM_DONTNEED freed fewer tokens than passed\n");
		return ret;
	}
	if (ret < 0) {
		fprintf(stderr, "devmem-rx: SO_DEVMEM_DONTNEED: %s\n", strerror(-ret));
		return ret;
	}
	rx->st.tokens += ret;
	return 0;
}

static int on_linear(struct rx *rx, const struct devmem_frag *f)
{
	/* Linear bytes are packed at the start of the iov, in order. */
	if (rx->o->verify && !rx->st.bad) {
		size_t i = pattern_check(rx->iov + rx->iov_pos, f->size, rx->st.total);

		if (i < f->size)
			note_bad(&rx->st, rx->st.total + i, true, 0);
	}
	rx->iov_pos += f->size;
	rx->st.linear_bytes += f->size;
	return 0;
}

static int on_dmabuf(struct rx *rx, const struct devmem_frag *f)
{
	if (f->dmabuf_id != rx->binding_id) {
		fprintf(stderr, "devmem-rx: frag of dma-buf binding %u, ours is %u\n",
			f->dmabuf_id, rx->binding_id);
		return -EPROTO;
	}
	if (f->offset > rx->o->size || f->size > rx->o->size - f->offset) {
		fprintf(stderr, "devmem-rx: frag [%llu, +%u) outside the %llu-byte dma-buf\n",
			(unsigned long long)f->offset, f->size,
			(unsigned long long)rx->o->size);
		return -EPROTO;
	}
	if (rx->map && !rx->st.bad) {
		size_t i;

		/* One START/END bracket covers all frags of a recvmsg(). */
		if (!rx->synced) {
			int ret = devmem_dmabuf_sync(rx->dmabuf_fd,
						     DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);

			if (ret) {
				fprintf(stderr, "devmem-rx: DMA_BUF_IOCTL_SYNC: %s\n",
					strerror(-ret));
				return ret;
			}
			rx->synced = true;
		}
		i = pattern_check(rx->map + f->offset, f->size, rx->st.total);
		if (i < f->size)
			note_bad(&rx->st, rx->st.total + i, false, f->offset + i);
	}
	if (!rx->o->hold_tokens && !devmem_token_batch_add(&rx->batch, f->token)) {
		int ret = return_tokens(rx);

		if (ret)
			return ret;
		devmem_token_batch_add(&rx->batch, f->token);	/* empty now */
	}
	rx->st.frags++;
	if (f->size > rx->st.max_frag)
		rx->st.max_frag = f->size;
	rx->st.dmabuf_bytes += f->size;
	return 0;
}

static int on_frag(const struct devmem_frag *f, void *arg)
{
	struct rx *rx = arg;
	int ret;

	if (f->size > rx->msg_bytes - rx->msg_seen) {
		fprintf(stderr, "devmem-rx: cmsgs describe more than the %zu bytes recvmsg() returned\n",
			rx->msg_bytes);
		return -EPROTO;
	}
	ret = f->kind == DEVMEM_FRAG_LINEAR ? on_linear(rx, f) : on_dmabuf(rx, f);
	if (ret)
		return ret;
	rx->msg_seen += f->size;
	rx->msg_cmsgs++;
	rx->st.total += f->size;
	return 0;
}

/* Bytes that came without any devmem cmsg: ordinary packets, all in the iov. */
static void on_plain(struct rx *rx, size_t n)
{
	if (rx->o->verify && !rx->st.bad) {
		size_t i = pattern_check(rx->iov, n, rx->st.total);

		if (i < n)
			note_bad(&rx->st, rx->st.total + i, true, 0);
	}
	rx->st.plain_bytes += n;
	rx->st.total += n;
}

/* One recvmsg(): account, verify and return the tokens of what it read. */
static int receive_one(struct rx *rx, uint8_t *buf, void *ctrl, size_t ctrl_len)
{
	uint64_t left = rx->o->bytes - rx->st.total;
	struct iovec iov = {
		.iov_base = buf,
		.iov_len = left < IOV_SIZE ? left : IOV_SIZE,
	};
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctrl, .msg_controllen = ctrl_len,
	};
	ssize_t n;
	int ret;

	do
		n = recvmsg(rx->fd, &msg, MSG_SOCK_DEVMEM);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			fprintf(stderr, "devmem-rx: no data for %d s\n", rx->o->timeout_s);
		else
			perror("devmem-rx: recvmsg");
		return -1;
	}
	if (n == 0) {
		fprintf(stderr, "devmem-rx: connection closed after %llu of %llu bytes\n",
			(unsigned long long)rx->st.total, (unsigned long long)rx->o->bytes);
		return -1;
	}

	rx->iov = buf;
	rx->msg_bytes = n;
	rx->msg_seen = 0;
	rx->msg_cmsgs = 0;
	rx->iov_pos = 0;
	ret = devmem_cmsg_frags(&msg, on_frag, rx);
	if (rx->synced) {
		devmem_dmabuf_sync(rx->dmabuf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		rx->synced = false;
	}
	if (ret == -EMSGSIZE)
		fprintf(stderr, "devmem-rx: control buffer truncated, tokens lost\n");
	else if (ret == -EBADMSG)
		fprintf(stderr, "devmem-rx: malformed devmem cmsg\n");
	if (ret)
		return -1;

	if (!rx->msg_cmsgs)
		on_plain(rx, n);
	else if (rx->msg_seen != (size_t)n) {
		fprintf(stderr, "devmem-rx: cmsgs describe %zu bytes, recvmsg() returned %zd\n",
			rx->msg_seen, n);
		return -1;
	}
	return return_tokens(rx) ? -1 : 0;
}

static int receive(struct rx *rx)
{
	size_t ctrl_len = MAX_CMSGS * CMSG_SPACE(sizeof(struct dmabuf_cmsg));
	uint8_t *buf = malloc(IOV_SIZE);
	void *ctrl = malloc(ctrl_len);
	double cpu0 = cpu_seconds();
	double t0 = wall_seconds();
	int ret = 0;

	if (!buf || !ctrl) {
		fprintf(stderr, "devmem-rx: out of memory\n");
		ret = -1;
		goto out;
	}
	while (rx->st.total < rx->o->bytes) {
		ret = receive_one(rx, buf, ctrl, ctrl_len);
		if (ret)
			break;
	}
out:
	rx->st.seconds = wall_seconds() - t0;
	rx->st.cpu_seconds = cpu_seconds() - cpu0;
	if (rx->st.seconds <= 0)
		rx->st.seconds = 1e-9;	/* keep the rates finite (and the JSON valid) */
	free(ctrl);
	free(buf);
	return ret;
}

/*
 * Turn header/data split on, remembering the mode to restore. A device
 * that reports no mode gets "auto" back, which is what reporting none means.
 */
static int hds_on(int ifindex, enum devmem_hds *prev)
{
	struct devmem_err e;
	int ret;

	ret = devmem_hds_get(ifindex, prev, &e);
	if (ret == -EOPNOTSUPP)
		*prev = DEVMEM_HDS_AUTO;
	else if (ret) {
		print_dm_err("reading tcp-data-split", &e);
		return ret;
	}
	ret = devmem_hds_set(ifindex, DEVMEM_HDS_ON, &e);
	if (ret)
		print_dm_err("turning tcp-data-split on", &e);
	return ret;
}

static void hds_restore(int ifindex, enum devmem_hds prev)
{
	struct devmem_err e;

	if (prev != DEVMEM_HDS_ON && devmem_hds_set(ifindex, prev, &e))
		print_dm_err("restoring tcp-data-split", &e);
}

static int bind_queues(const struct opts *o, int ifindex, int dmabuf_fd,
		       struct devmem_binding **b)
{
	struct devmem_err e;
	int ret;

	ret = devmem_bind_rx(ifindex, dmabuf_fd, o->queues, o->nqueues, b, &e);
	if (ret)
		print_dm_err("binding the dma-buf", &e);
	return ret;
}

static void report(const struct opts *o, const struct rx *rx)
{
	const struct stats *st = &rx->st;
	double gbps = st->total * 8 / st->seconds / 1e9;
	bool verified = o->verify && !st->bad && st->total == o->bytes;

	if (o->json) {
		printf("{\"bytes\": %llu, \"dmabuf_bytes\": %llu, \"linear_bytes\": %llu, "
		       "\"plain_bytes\": %llu, \"frags\": %llu, \"max_frag\": %u, "
		       "\"tokens\": %llu, "
		       "\"seconds\": %.6f, \"gbit_per_s\": %.4f, \"cpu_seconds\": %.6f, "
		       "\"binding_id\": %u, \"verified\": %s}\n",
		       (unsigned long long)st->total,
		       (unsigned long long)st->dmabuf_bytes,
		       (unsigned long long)st->linear_bytes,
		       (unsigned long long)st->plain_bytes,
		       (unsigned long long)st->frags, st->max_frag,
		       (unsigned long long)st->tokens, st->seconds, gbps,
		       st->cpu_seconds, rx->binding_id, verified ? "true" : "false");
	} else {
		printf("devmem-rx: received %llu bytes in %.2f s (%.2f Gbit/s): "
		       "%llu in the dma-buf in %llu frags (largest %u), %llu linear, %llu plain; "
		       "%llu tokens returned%s\n",
		       (unsigned long long)st->total, st->seconds, gbps,
		       (unsigned long long)st->dmabuf_bytes,
		       (unsigned long long)st->frags, st->max_frag,
		       (unsigned long long)st->linear_bytes,
		       (unsigned long long)st->plain_bytes,
		       (unsigned long long)st->tokens,
		       verified ? ", pattern verified" : "");
	}
	if (st->bad && st->bad_linear)
		fprintf(stderr, "devmem-rx: pattern mismatch at stream offset %llu (in the iov)\n",
			(unsigned long long)st->bad_stream);
	else if (st->bad)
		fprintf(stderr, "devmem-rx: pattern mismatch at stream offset %llu, dma-buf offset %llu\n",
			(unsigned long long)st->bad_stream,
			(unsigned long long)st->bad_dmabuf);
}

/* Accept one connection on @lfd and read it; 1 when that went wrong. */
static int serve_one(struct rx *rx, int lfd, bool *received)
{
	int ret;

	rx->fd = tcp_accept_one("devmem-rx", lfd, rx->o->timeout_s);
	if (rx->fd < 0)
		return 1;
	*received = true;
	ret = receive(rx) ? 1 : 0;
	close(rx->fd);	/* also frees the tokens an error (or --hold-tokens) left */
	return ret;
}

/* Report what one connection saw; the exit status it deserves. */
static int finish(const struct rx *rx, bool received, int ret)
{
	if (!received)
		return ret;
	report(rx->o, rx);
	return rx->st.bad || rx->st.total != rx->o->bytes ? 1 : ret;
}

/*
 * --flows N: a child per connection, all on our one binding, which stays
 * until every child is done. 0 only when every child succeeded.
 */
static int serve_flows(struct rx *rx, int lfd)
{
	pid_t pids[MAX_FLOWS];
	int i, n, status, ret = 0;

	fflush(stdout);
	for (n = 0; n < rx->o->flows; n++) {
		pids[n] = fork();
		if (pids[n] < 0) {
			perror("devmem-rx: fork");
			ret = 1;
			break;
		}
		if (!pids[n]) {
			bool received = false;

			ret = serve_one(rx, lfd, &received);
			ret = finish(rx, received, ret);
			fflush(stdout);
			_exit(ret);
		}
	}
	for (i = 0; i < n; i++)
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			ret = 1;
	return ret;
}

/* The dma-buf, from udmabuf over @memfd or from the system heap. */
static int make_dmabuf(const struct opts *o, int *memfd)
{
	int fd;

	*memfd = -1;
	if (o->heap) {
		fd = dma_heap_alloc("system", o->size);
		if (fd < 0)
			fprintf(stderr, "devmem-rx: system dma-heap: %s\n", strerror(-fd));
		return fd;
	}
	*memfd = devmem_memfd_create("devmem-rx", o->size, o->hugetlb, F_SEAL_SHRINK);
	if (*memfd < 0) {
		fprintf(stderr, "devmem-rx: memfd: %s\n", strerror(-*memfd));
		return *memfd;
	}
	fd = devmem_udmabuf_create(*memfd, 0, o->size, UDMABUF_FLAGS_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "devmem-rx: UDMABUF_CREATE: %s\n", strerror(-fd));
		close(*memfd);
		*memfd = -1;
	}
	return fd;
}

/*
 * Set up, receive, tear down in reverse order, then report; returns the
 * exit status. The report comes last so its numbers include the teardown:
 * the connection is closed and the binding gone when it is printed.
 */
static int run(const struct opts *o)
{
	struct rx rx = { .o = o, .fd = -1 };
	enum devmem_hds prev_hds = DEVMEM_HDS_ON;
	struct devmem_binding *binding;
	int ifindex, memfd, lfd, ret = 1;
	bool received = false;
	void *map = NULL;

	ifindex = devmem_ifindex(o->dev);
	if (ifindex < 0) {
		fprintf(stderr, "devmem-rx: no device '%s'\n", o->dev);
		return 1;
	}
	if (o->hds && hds_on(ifindex, &prev_hds))
		return 1;

	rx.dmabuf_fd = make_dmabuf(o, &memfd);
	if (rx.dmabuf_fd < 0)
		goto restore_hds;
	if (o->verify) {
		/* udmabuf: the memfd itself; a heap buffer: its own mapping */
		map = mmap(NULL, o->size, PROT_READ, MAP_SHARED,
			   memfd >= 0 ? memfd : rx.dmabuf_fd, 0);
		if (map == MAP_FAILED) {
			perror("devmem-rx: mmap");
			map = NULL;
			goto close_dmabuf;
		}
		rx.map = map;
	}
	if (bind_queues(o, ifindex, rx.dmabuf_fd, &binding))
		goto unmap;
	rx.binding_id = devmem_binding_id(binding);
	lfd = tcp_listen("devmem-rx", NULL, o->port);
	if (lfd < 0)
		goto unbind;
	ready_signal("devmem-rx", o->ready_fd);

	if (o->flows > 1)
		ret = serve_flows(&rx, lfd);
	else
		ret = serve_one(&rx, lfd, &received);

	close(lfd);
unbind:
	devmem_unbind(binding);
unmap:
	if (map)
		munmap(map, o->size);
close_dmabuf:
	close(rx.dmabuf_fd);
	if (memfd >= 0)
		close(memfd);
restore_hds:
	if (o->hds)
		hds_restore(ifindex, prev_hds);
	return finish(&rx, received, ret);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "verify", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "hds", no_argument, NULL, 'H' },
		{ "heap", no_argument, NULL, 'E' },
		{ "hugetlb", no_argument, NULL, 'u' },
		{ "flows", required_argument, NULL, 'f' },
		{ "hold-tokens", no_argument, NULL, 'k' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	unsigned long v;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "i:q:p:s:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->dev = optarg; break;
		case 'q':
			o->nqueues = cli_parse_list(optarg, o->queues, MAX_QUEUES);
			if (o->nqueues < 0) {
				fprintf(stderr, "devmem-rx: bad queue list '%s'\n", optarg);
				return 2;
			}
			break;
		case 'p':
			v = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || !v || v > 65535) {
				fprintf(stderr, "devmem-rx: bad port '%s'\n", optarg);
				return 2;
			}
			o->port = optarg;
			break;
		case 's':
			if (cli_parse_size(optarg, &o->size) || !o->size ||
			    o->size % getpagesize()) {
				fprintf(stderr, "devmem-rx: bad dma-buf size '%s' (whole pages)\n",
					optarg);
				return 2;
			}
			break;
		case 'n':
			if (cli_parse_size(optarg, &o->bytes) || !o->bytes) {
				fprintf(stderr, "devmem-rx: bad byte count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'v': o->verify = true; break;
		case 'j': o->json = true; break;
		case 'H': o->hds = true; break;
		case 'E': o->heap = true; break;
		case 'u': o->hugetlb = true; break;
		case 'k': o->hold_tokens = true; break;
		case 'f':
			v = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || !v || v > MAX_FLOWS) {
				fprintf(stderr, "devmem-rx: bad flow count '%s' (1..%d)\n",
					optarg, MAX_FLOWS);
				return 2;
			}
			o->flows = v;
			break;
		case 'r':
			v = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || v > 0x7fffffff) {
				fprintf(stderr, "devmem-rx: bad fd '%s'\n", optarg);
				return 2;
			}
			o->ready_fd = v;
			break;
		case 't':
			o->timeout_s = atoi(optarg);
			if (o->timeout_s <= 0) {
				fprintf(stderr, "devmem-rx: bad timeout '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (!o->dev || !o->nqueues || !o->port || !o->bytes || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (o->heap && o->hugetlb) {
		fprintf(stderr, "devmem-rx: --heap and --hugetlb exclude each other\n");
		return 2;
	}
	if (o->hugetlb && o->size % DEVMEM_HUGE_PAGE) {
		fprintf(stderr, "devmem-rx: --hugetlb needs a dma-buf size in whole 2 MiB pages\n");
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {
		.size = 64ull << 20, .flows = 1, .ready_fd = -1, .timeout_s = 60,
	};
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	return run(&o);
}
