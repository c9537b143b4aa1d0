// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmem-bench: what a binding and a token cost, measured the same way on
 * whichever provider the running kernel has (make bench runs it on stock
 * and on ours and prints the ratios). Both modes use only the upstream
 * uAPI (netdev bind-rx, SO_DEVMEM_DONTNEED), so they run on both flavors.
 * One JSON line per measurement.
 *
 * devmem-bench bind -i DEV -q QUEUE [--reps N]
 *	binds a shmem udmabuf of 64 MiB, 256 MiB, 1 GiB and 4 GiB in turn to
 *	QUEUE and unbinds (the cost against the dma-buf's size):
 *	  bind_unbind_{64,256,1024,4096}m_ms   bind + unbind, guest time
 *	  bind_kernel_mib_{64,...}m            MemFree drop while bound:
 *	                               everything the binding costs the kernel
 *	                               (sg table, DMA mapping, net_iovs,
 *	                               allocator), since the dma-buf's own
 *	                               pages exist before it
 *
 * devmem-bench dontneed -i DEV -q QUEUE -p PORT [-s SIZE] [--hold N]
 *		[--tokens T] [--per-call K]
 *	receives one connection ("tcpxfer send") with MSG_SOCK_DEVMEM into a
 *	SIZE dma-buf; each time it holds N tokens, it gives them all back
 *	with SO_DEVMEM_DONTNEED, k tokens per call, k taking the values 1,
 *	4, 16, 64, 256 and 1024 in turn, until every k has returned T tokens;
 *	then it reads to the end of the stream, returning tokens at once:
 *	  dontneed_{1,4,...,1024}_per_call_ns_per_token
 *	With --per-call K only k = K is timed, and the line is named after
 *	the tokens held instead (the cost against the socket's token count):
 *	  dontneed_held_N_ns_per_token
 *	Both are the receiving thread's CPU time in the calls, per token.
 *	Each token is its own struct dmabuf_token entry (count 1), as a
 *	receiver hands them back in the order it read them. A kernel that
 *	refuses k entries per call (6.12 takes at most 128) is given the
 *	same tokens in calls of 128; the line then carries a "note".
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "../lib/cli_parse.h"
#include <devmem.h>
#include "../lib/uio_devmem.h"
#include "../lib/tcp_server.h"
#include "bench_util.h"

#define GIB		(1ull << 30)
#define MIB		(1ull << 20)
#define IOV_SIZE	(1024 * 1024)
#define MAX_CMSGS	1024
#define MAX_PER_CALL	1024

static const unsigned int per_call_sweep[] = { 1, 4, 16, 64, 256, 1024 };
#define NR_PER_CALL	(sizeof(per_call_sweep) / sizeof(per_call_sweep[0]))

static const uint64_t bind_sizes[] = { 64 * MIB, 256 * MIB, GIB, 4 * GIB };

/* --- bind ----------------------------------------------------------------- */

static long long mem_free_bytes(void)
{
	long long kb = -1;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		bench_die("/proc/meminfo", errno);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %lld kB", &kb) == 1)
			break;
	fclose(f);
	if (kb < 0)
		bench_die("/proc/meminfo: no MemFree", EPROTO);
	return kb * 1024;
}

static void bind_one_size(int ifindex, unsigned int queue, uint64_t size,
			  int reps)
{
	char t_metric[64], m_metric[64];
	struct devmem_binding *b;
	struct devmem_err err;
	long long before;
	int memfd, fd, r;
	double t0;

	snprintf(t_metric, sizeof(t_metric), "bind_unbind_%llum_ms",
		 (unsigned long long)(size / MIB));
	snprintf(m_metric, sizeof(m_metric), "bind_kernel_mib_%llum",
		 (unsigned long long)(size / MIB));

	memfd = devmem_memfd_create("devmem-bench", size, false, F_SEAL_SHRINK);
	if (memfd < 0)
		bench_die("memfd", -memfd);
	if (fallocate(memfd, 0, 0, size))
		bench_die("fallocate", errno);
	fd = devmem_udmabuf_create(memfd, 0, size, UDMABUF_FLAGS_CLOEXEC);
	if (fd < 0)
		bench_die("UDMABUF_CREATE", -fd);

	for (r = 0; r < reps; r++) {
		before = mem_free_bytes();
		t0 = bench_now_ns();
		if (devmem_bind_rx(ifindex, fd, &queue, 1, &b, &err)) {
			fprintf(stderr, "devmem-bench: bind: %s%s%s\n",
				strerror(err.code), err.msg[0] ? ": " : "",
				err.msg);
			exit(1);
		}
		bench_report(m_metric, (before - mem_free_bytes()) / (double)MIB,
		       "MiB", NULL);
		devmem_unbind(b);
		bench_report(t_metric, (bench_now_ns() - t0) / 1e6, "ms", NULL);
	}
	close(fd);
	close(memfd);
}

static int cmd_bind(int ifindex, unsigned int queue, int reps)
{
	unsigned int i;

	bench_udmabuf_limit("4096");

	for (i = 0; i < sizeof(bind_sizes) / sizeof(bind_sizes[0]); i++)
		bind_one_size(ifindex, queue, bind_sizes[i], reps);
	return 0;
}

/* --- dontneed ------------------------------------------------------------- */

/* The tokens held, as the entries SO_DEVMEM_DONTNEED takes (count 1). */
struct held {
	struct dmabuf_token *entry;
	unsigned int n, max;
};

/* The batch sizes timed, and the time spent and tokens returned by each. */
struct dontneed_cost {
	unsigned int per_call[NR_PER_CALL];
	unsigned int n;
	double ns[NR_PER_CALL];
	uint64_t tokens[NR_PER_CALL];
	bool split[NR_PER_CALL];	/* the kernel refused that many per call */
};

static int hold_token(const struct devmem_frag *f, void *arg)
{
	struct held *h = arg;

	if (f->kind != DEVMEM_FRAG_DMABUF)
		return 0;
	if (h->n == h->max)
		return -ENOSPC;
	h->entry[h->n++] = (struct dmabuf_token){ .token_start = f->token,
						  .token_count = 1 };
	return 0;
}

/* One SO_DEVMEM_DONTNEED call for @n entries; -errno on failure. */
static int dontneed(int fd, const struct dmabuf_token *entry, unsigned int n)
{
	int ret;

	ret = setsockopt(fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, entry,
			 n * sizeof(*entry));
	if (ret < 0)
		return -errno;
	if ((unsigned int)ret != n)
		return -EPROTO;	/* a live token was not taken back */
	return 0;
}

/*
 * Give back everything held, c->per_call[k] tokens per call, or calls of
 * DEVMEM_DONTNEED_MAX_ENTRIES when the kernel refuses that many entries
 * (that refusal, once per batch size, is timed with the rest).
 *
 * Timed in this thread's CPU time, once around all the calls: on one CPU
 * the sender, woken meanwhile, runs as a call returns to user space, and
 * wall time counted its whole slice (4 tokens a call read 392 ns a token
 * in one icount boot and 888 in the next). Reading that clock is a system
 * call (no vDSO), so it is read twice per return, not twice per call.
 * Interrupts that land in the calls still count, as they do in any
 * task's CPU time without IRQ time accounting.
 */
static void return_held(int fd, struct held *h, unsigned int k,
			struct dontneed_cost *c)
{
	unsigned int step = c->split[k] ? DEVMEM_DONTNEED_MAX_ENTRIES :
					  c->per_call[k];
	unsigned int i, n;
	double t0;
	int ret;

	t0 = bench_thread_cpu_ns();
	for (i = 0; i < h->n; i += n) {
		n = h->n - i < step ? h->n - i : step;
		ret = dontneed(fd, h->entry + i, n);
		if (ret == -EINVAL && n > DEVMEM_DONTNEED_MAX_ENTRIES &&
		    !c->split[k]) {
			c->split[k] = true;
			step = DEVMEM_DONTNEED_MAX_ENTRIES;
			n = 0;
			continue;
		}
		if (ret)
			bench_die("SO_DEVMEM_DONTNEED", -ret);
	}
	c->ns[k] += bench_thread_cpu_ns() - t0;
	c->tokens[k] += h->n;
	h->n = 0;
}

/* Give back everything held, untimed, in calls every kernel takes. */
static void release_untimed(int fd, struct held *h)
{
	unsigned int i, n;
	int ret;

	for (i = 0; i < h->n; i += n) {
		n = h->n - i < DEVMEM_DONTNEED_MAX_ENTRIES ?
			h->n - i : DEVMEM_DONTNEED_MAX_ENTRIES;
		ret = dontneed(fd, h->entry + i, n);
		if (ret)
			bench_die("SO_DEVMEM_DONTNEED", -ret);
	}
	h->n = 0;
}

static bool all_measured(const struct dontneed_cost *c, uint64_t want)
{
	unsigned int k;

	for (k = 0; k < c->n; k++)
		if (c->tokens[k] < want)
			return false;
	return true;
}

static int cmd_dontneed(int ifindex, unsigned int queue, const char *port,
			uint64_t size, unsigned int hold, uint64_t want,
			unsigned int only_per_call)
{
	char ctrl[CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * MAX_CMSGS];
	struct dontneed_cost cost = { 0 };
	struct held h = { .max = hold + MAX_CMSGS };
	struct devmem_binding *b;
	struct devmem_err err;
	unsigned int k = 0;
	int dmabuf, lfd, fd;
	char metric[64];
	uint8_t *buf;
	ssize_t n;

	bench_udmabuf_limit("4096");	/* a dma-buf of more than 64 MiB */
	if (only_per_call) {
		cost.per_call[0] = only_per_call;
		cost.n = 1;
	} else {
		memcpy(cost.per_call, per_call_sweep, sizeof(per_call_sweep));
		cost.n = NR_PER_CALL;
	}
	h.entry = calloc(h.max, sizeof(*h.entry));
	buf = malloc(IOV_SIZE);
	if (!h.entry || !buf)
		bench_die("malloc", ENOMEM);

	dmabuf = devmem_udmabuf_create_anon("devmem-bench", 0, size, false,
					    UDMABUF_FLAGS_CLOEXEC);
	if (dmabuf < 0)
		bench_die("udmabuf", -dmabuf);
	if (devmem_bind_rx(ifindex, dmabuf, &queue, 1, &b, &err)) {
		fprintf(stderr, "devmem-bench: bind: %s%s%s\n",
			strerror(err.code), err.msg[0] ? ": " : "", err.msg);
		return 1;
	}
	lfd = tcp_listen("devmem-bench", NULL, port);
	if (lfd < 0)
		return 1;
	ready_signal("devmem-bench", 3);
	fd = tcp_accept_one("devmem-bench", lfd, 60);
	if (fd < 0)
		return 1;

	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = IOV_SIZE };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctrl, .msg_controllen = sizeof(ctrl),
		};
		unsigned int room = hold - h.n;
		int ret;

		/*
		 * While timing, take no more frags than fit under @hold: the
		 * socket then holds exactly @hold tokens when they go back
		 * (the kernel stops a read where the control buffer is full).
		 */
		if (!all_measured(&cost, want) && room < MAX_CMSGS)
			msg.msg_controllen = CMSG_SPACE(sizeof(struct dmabuf_cmsg)) * room;

		n = recvmsg(fd, &msg, MSG_SOCK_DEVMEM);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			bench_die("recvmsg", errno);
		if (n == 0)
			break;
		ret = devmem_cmsg_frags(&msg, hold_token, &h);
		if (ret)
			bench_die("devmem cmsgs", -ret);
		if (all_measured(&cost, want)) {
			release_untimed(fd, &h);	/* the rest of the stream */
			continue;
		}
		if (h.n >= hold) {
			return_held(fd, &h, k, &cost);
			k = (k + 1) % cost.n;
		}
	}
	if (!all_measured(&cost, want)) {
		fprintf(stderr, "devmem-bench: the stream ended before %llu tokens were timed per batch size\n",
			(unsigned long long)want);
		return 1;
	}
	for (k = 0; k < cost.n; k++) {
		char note[96];

		if (only_per_call)
			snprintf(metric, sizeof(metric),
				 "dontneed_held_%u_ns_per_token", hold);
		else
			snprintf(metric, sizeof(metric),
				 "dontneed_%u_per_call_ns_per_token",
				 cost.per_call[k]);
		snprintf(note, sizeof(note),
			 "%u entries per call refused: calls of %u",
			 cost.per_call[k], DEVMEM_DONTNEED_MAX_ENTRIES);
		bench_report(metric, cost.ns[k] / cost.tokens[k], "ns/token",
		       cost.split[k] ? note : NULL);
	}
	close(fd);
	close(lfd);
	devmem_unbind(b);
	close(dmabuf);
	free(buf);
	free(h.entry);
	return 0;
}

/* --- main ----------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: devmem-bench bind -i DEV -q QUEUE [--reps N]\n"
		"       devmem-bench dontneed -i DEV -q QUEUE -p PORT [-s SIZE] [--hold N] [--tokens T]\n"
		"                            [--per-call K]\n"
		"\n"
		"bind      bind + unbind of 64 MiB to 4 GiB udmabufs: time, kernel memory\n"
		"dontneed  SO_DEVMEM_DONTNEED cost per token at 1 to 1024 per call (or at\n"
		"          K per call, named after the tokens held); signals readiness on\n"
		"          fd 3, then reads one connection\n"
		"\n"
		"  -i, --dev DEV       device (name or ifindex)\n"
		"  -q, --queue Q       RX queue to bind\n"
		"  -p, --port PORT     dontneed: port to listen on\n"
		"  -s, --size SIZE     dontneed: dma-buf size (default 64M)\n"
		"      --hold N        dontneed: tokens held before each return (default 8192)\n"
		"      --tokens T      dontneed: tokens timed per batch size (default 16384)\n"
		"      --per-call K    dontneed: time only K per call (1 to 1024)\n"
		"      --reps N        bind: repetitions per size (default 3)\n"
		"  -h, --help          this text\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'i' },
		{ "queue", required_argument, NULL, 'q' },
		{ "port", required_argument, NULL, 'p' },
		{ "size", required_argument, NULL, 's' },
		{ "hold", required_argument, NULL, 'H' },
		{ "tokens", required_argument, NULL, 'T' },
		{ "reps", required_argument, NULL, 'r' },
		{ "per-call", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	uint64_t size = 64 * MIB, want = 16384, hold = 8192, reps = 3, q = ~0ull;
	uint64_t only_per_call = 0;
	const char *dev = NULL, *port = NULL, *cmd;
	int c, ifindex;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "i:q:p:s:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			dev = optarg;
			break;
		case 'q':
			if (cli_parse_size(optarg, &q) || q > UINT32_MAX)
				goto bad;
			break;
		case 'p':
			port = optarg;
			break;
		case 's':
			if (cli_parse_size(optarg, &size) || !size)
				goto bad;
			break;
		case 'H':
			if (cli_parse_size(optarg, &hold) || !hold || hold > 1u << 20)
				goto bad;
			break;
		case 'T':
			if (cli_parse_size(optarg, &want) || !want)
				goto bad;
			break;
		case 'r':
			if (cli_parse_size(optarg, &reps) || !reps || reps > 100)
				goto bad;
			break;
		case 'K':
			if (cli_parse_size(optarg, &only_per_call) || !only_per_call ||
			    only_per_call > MAX_PER_CALL)
				goto bad;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!dev || q == ~0ull || optind != argc)
		goto bad;
	ifindex = devmem_ifindex(dev);
	if (ifindex <= 0) {
		fprintf(stderr, "devmem-bench: no device %s\n", dev);
		return 1;
	}
	if (!strcmp(cmd, "bind"))
		return cmd_bind(ifindex, q, reps);
	if (!strcmp(cmd, "dontneed") && port)
		return cmd_dontneed(ifindex, q, port, size, hold, want,
				    only_per_call);
bad:
	fprintf(stderr, "devmem-bench: bad arguments (see --help)\n");
	return 2;
}
