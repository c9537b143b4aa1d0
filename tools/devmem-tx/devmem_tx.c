// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmem-tx: the sender for verified devmem receives. It sends the shared
 * pattern (tools/lib/pattern.h), which devmem-rx --verify checks byte by
 * byte in the dma-buf; iperf3's payload cannot be checked. With --flows N
 * it opens N connections at once, each carrying BYTES of the pattern from
 * offset 0, as devmem-rx --flows N expects. With --dmabuf it sends out of
 * a dma-buf instead of host memory (devmem TX, dmabuf_tx.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/cli_parse.h"
#include "../lib/tcp_client.h"
#include "../lib/tcp_server.h"
#include "devmem_tx.h"

#define MAX_FLOWS 64

/* SIGUSR1 with --dmabuf: unbind with sends in flight (a lifecycle test) */
static volatile sig_atomic_t unbind_requested;

static void request_unbind(int sig)
{
	(void)sig;
	unbind_requested = 1;
}

struct opts {
	const char *addr;
	const char *port;
	uint64_t bytes;
	int flows;
	int timeout_s;
	bool json;
	const char *dmabuf;	/* send from a dma-buf of this source */
	bool zerocopy;		/* or from host memory with MSG_ZEROCOPY */
	const char *dev;	/* bound for TX on this device */
	uint64_t dmabuf_size;
	int ready_fd;
	int go_fd;
	struct dmabuf_tx tx;
};

static void usage(FILE *f)
{
	fputs("usage: devmem-tx -c ADDR -p PORT -n BYTES [--flows N] [--json] [--timeout SEC]\n"
	      "                 [--dmabuf udmabuf|HEAP --dev IFNAME [--dmabuf-size BYTES]\n"
	      "                  [--close-pending]]\n"
	      "                 [--zerocopy [--dmabuf-size BYTES]]\n"
	      "                 [--ready-fd FD --go-fd FD]\n"
	      "\n"
	      "Connect to ADDR port PORT and send BYTES of the pattern devmem-rx\n"
	      "--verify checks, then report throughput.\n"
	      "  --flows N     N connections at once, BYTES each (1..64, default 1)\n"
	      "  --json        print the report as one JSON object (with --dmabuf,\n"
	      "                also bytes_retrans, what TCP sent again, and the\n"
	      "                binding's counters)\n"
	      "  --timeout SEC give up after SEC seconds without progress (60)\n"
	      "  --dmabuf SRC  send out of a dma-buf (devmem TX): a udmabuf, or a\n"
	      "                buffer of the dma-heap /dev/dma_heap/SRC; the pattern is\n"
	      "                written into it and sent without a copy, a range being\n"
	      "                rewritten only after its completion arrived\n"
	      "  --dev IFNAME  the device the route to ADDR leaves by (bind-tx)\n"
	      "  --zerocopy    send from host memory with MSG_ZEROCOPY instead, the\n"
	      "                same slots and completions as --dmabuf (what devmem\n"
	      "                TX is compared with)\n"
	      "  --dmabuf-size BYTES  of the dma-buf, shared by the flows (16M)\n"
	      "                (with --zerocopy: of the host memory sent from)\n"
	      "  --close-pending  close each connection after its last send, its\n"
	      "                completions still pending (a test of the kernel's\n"
	      "                cleanup; bytes_retrans is then not known)\n"
	      "  --go-fd FD    once the dma-buf and binding are set up, write\n"
	      "                \"ready\" to --ready-fd FD, then wait for a byte (or\n"
	      "                end of file) on --go-fd FD before connecting: a\n"
	      "                benchmark times the sending alone\n"
	      "With --dmabuf, SIGUSR1 unbinds the dma-buf at once, sends in flight:\n"
	      "each flow waits for the completions of what it sent, then fails.\n"
	      "BYTES takes K, M and G suffixes (powers of 1024).\n"
	      "Exit status: 0 every byte sent, 1 a connection failed, 2 usage.\n", f);
}

/* One connection, in a child: its exit status. */
static int send_flow(const struct opts *o, int flow)
{
	int fd, ret;

	if (o->dmabuf || o->zerocopy)
		return dmabuf_tx_flow(&o->tx, flow, o->addr, o->port, o->bytes,
				      o->timeout_s);
	fd = tcp_connect("devmem-tx", o->addr, o->port, o->timeout_s);

	if (fd < 0)
		return 1;
	ret = tcp_send_pattern("devmem-tx", fd, o->bytes) ? 1 : 0;
	if (close(fd) && !ret) {
		perror("devmem-tx: close");
		ret = 1;
	}
	return ret;
}

static int run(struct opts *o)
{
	pid_t pids[MAX_FLOWS];
	int i, n, status, failed = 0;
	double t0, secs;

	if (o->go_fd >= 0) {
		ready_signal("devmem-tx", o->ready_fd);
		if (go_wait("devmem-tx", o->go_fd))
			return 1;
	}
	t0 = wall_seconds();
	fflush(stdout);
	for (n = 0; n < o->flows; n++) {
		pids[n] = fork();
		if (pids[n] < 0) {
			perror("devmem-tx: fork");
			failed++;
			break;
		}
		if (!pids[n]) {
			if (o->dmabuf)	/* the binding stays the parent's */
				dmabuf_tx_in_child(&o->tx);
			status = send_flow(o, n);
			fflush(stdout);	/* _exit() would drop its lines */
			_exit(status);
		}
	}
	for (i = 0; i < n; i++) {
		pid_t got;

		while ((got = waitpid(pids[i], &status, 0)) < 0 && errno == EINTR)
			if (unbind_requested && o->tx.binding) {
				fprintf(stderr, "devmem-tx: SIGUSR1: unbinding binding %u\n",
					o->tx.binding_id);
				dmabuf_tx_unbind(&o->tx);
			}
		if (got < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	secs = wall_seconds() - t0;
	if (secs <= 0)
		secs = 1e-9;
	if (failed) {
		fprintf(stderr, "devmem-tx: %d of %d connections failed\n", failed, o->flows);
		return 1;
	}
	if (o->json) {
		uint64_t sent, in_flight;
		struct rusage ru;

		/* The flows' CPU: they ran in the children, all waited for */
		getrusage(RUSAGE_CHILDREN, &ru);
		printf("{\"bytes\": %llu, \"flows\": %d, \"seconds\": %.6f, \"gbit_per_s\": %.4f, \"cpu_seconds\": %.6f, \"source\": \"%s\"",
		       (unsigned long long)(o->bytes * o->flows), o->flows, secs,
		       o->bytes * o->flows * 8 / secs / 1e9,
		       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
		       o->dmabuf ? "dmabuf" : o->zerocopy ? "host-zerocopy" : "host");
		if (o->zerocopy)
			printf(", \"bytes_retrans\": %llu",
			       (unsigned long long)dmabuf_tx_retransmitted(&o->tx));
		if (o->dmabuf && o->tx.close_pending)
			printf(", \"bytes_retrans\": null");	/* not known at close */
		else if (o->dmabuf)
			printf(", \"bytes_retrans\": %llu",
			       (unsigned long long)dmabuf_tx_retransmitted(&o->tx));
		if (o->dmabuf && !dmabuf_tx_stats(&o->tx, &sent, &in_flight))
			printf(", \"binding\": {\"id\": %u, \"tx_bytes\": %llu, \"in_flight\": %llu}",
			       o->tx.binding_id, (unsigned long long)sent,
			       (unsigned long long)in_flight);
		printf("}\n");
	} else {
		printf("devmem-tx: sent %llu bytes %son %d connection%s in %.2f s (%.2f Gbit/s)\n",
		       (unsigned long long)(o->bytes * o->flows),
		       o->dmabuf ? "from the dma-buf " :
		       o->zerocopy ? "with MSG_ZEROCOPY " : "", o->flows,
		       o->flows == 1 ? "" : "s", secs, o->bytes * o->flows * 8 / secs / 1e9);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "flows", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "dmabuf", required_argument, NULL, 'd' },
		{ "dev", required_argument, NULL, 'D' },
		{ "dmabuf-size", required_argument, NULL, 's' },
		{ "close-pending", no_argument, NULL, 'P' },
		{ "zerocopy", no_argument, NULL, 'z' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "go-fd", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct opts o = { .flows = 1, .timeout_s = 60, .dmabuf_size = 16 << 20,
			  .ready_fd = -1, .go_fd = -1 };
	struct sigaction sa = { .sa_handler = request_unbind };	/* no SA_RESTART */
	bool close_pending = false;
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "c:p:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			o.addr = optarg;
			break;
		case 'p':
			o.port = optarg;
			break;
		case 'n':
			if (cli_parse_size(optarg, &o.bytes) || !o.bytes) {
				fprintf(stderr, "devmem-tx: bad byte count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'f':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > MAX_FLOWS) {
				fprintf(stderr, "devmem-tx: bad flow count '%s' (1..%d)\n",
					optarg, MAX_FLOWS);
				return 2;
			}
			o.flows = v;
			break;
		case 'j':
			o.json = true;
			break;
		case 't':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 86400) {
				fprintf(stderr, "devmem-tx: bad timeout '%s'\n", optarg);
				return 2;
			}
			o.timeout_s = v;
			break;
		case 'd':
			o.dmabuf = optarg;
			break;
		case 'D':
			o.dev = optarg;
			break;
		case 's':
			if (cli_parse_size(optarg, &o.dmabuf_size) ||
			    !o.dmabuf_size || o.dmabuf_size % 4096) {
				fprintf(stderr, "devmem-tx: bad dma-buf size '%s' (whole pages)\n",
					optarg);
				return 2;
			}
			break;
		case 'P':
			close_pending = true;
			break;
		case 'z':
			o.zerocopy = true;
			break;
		case 'r':
		case 'g':
			v = strtol(optarg, &end, 10);
			if (*end || v < 0 || v > INT_MAX) {
				fprintf(stderr, "devmem-tx: bad file descriptor '%s'\n", optarg);
				return 2;
			}
			*(c == 'r' ? &o.ready_fd : &o.go_fd) = v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o.addr || !o.port || !o.bytes || optind != argc ||
	    !o.dmabuf != !o.dev || (close_pending && !o.dmabuf) ||
	    (o.zerocopy && o.dmabuf) || (o.ready_fd >= 0 && o.go_fd < 0)) {
		usage(stderr);
		return 2;
	}
	if (o.zerocopy) {
		if (dmabuf_tx_open_host(&o.tx, o.dmabuf_size, o.flows))
			return 1;
		o.tx.verbose = !o.json;
		c = run(&o);
		dmabuf_tx_close(&o.tx);
		return c;
	}
	if (!o.dmabuf)
		return run(&o);

	/* One binding for all flows, made before they fork */
	if (dmabuf_tx_open(&o.tx, o.dmabuf, o.dev, o.dmabuf_size, o.flows))
		return 1;
	o.tx.verbose = !o.json;
	o.tx.close_pending = close_pending;
	sigaction(SIGUSR1, &sa, NULL);
	c = run(&o);
	dmabuf_tx_close(&o.tx);
	return c;
}
