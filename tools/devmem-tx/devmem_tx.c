// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmem-tx: the sender for verified devmem receives. It sends the shared
 * pattern (tools/lib/pattern.h), which devmem-rx --verify checks byte by
 * byte in the dma-buf; iperf3's payload cannot be checked. With --flows N
 * it opens N connections at once, each carrying BYTES of the pattern from
 * offset 0, as devmem-rx --flows N expects.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../lib/cli_parse.h"
#include "../lib/tcp_client.h"
#include "../lib/tcp_server.h"

#define MAX_FLOWS 64

struct opts {
	const char *addr;
	const char *port;
	uint64_t bytes;
	int flows;
	int timeout_s;
	bool json;
};

static void usage(FILE *f)
{
	fputs("usage: devmem-tx -c ADDR -p PORT -n BYTES [--flows N] [--json] [--timeout SEC]\n"
	      "\n"
	      "Connect to ADDR port PORT and send BYTES of the pattern devmem-rx\n"
	      "--verify checks, then report throughput.\n"
	      "  --flows N     N connections at once, BYTES each (1..64, default 1)\n"
	      "  --json        print the report as one JSON object\n"
	      "  --timeout SEC give up after SEC seconds without progress (60)\n"
	      "BYTES takes K, M and G suffixes (powers of 1024).\n"
	      "Exit status: 0 every byte sent, 1 a connection failed, 2 usage.\n", f);
}

/* One connection, in a child: its exit status. */
static int send_flow(const struct opts *o)
{
	int fd = tcp_connect("devmem-tx", o->addr, o->port, o->timeout_s);
	int ret;

	if (fd < 0)
		return 1;
	ret = tcp_send_pattern("devmem-tx", fd, o->bytes) ? 1 : 0;
	if (close(fd) && !ret) {
		perror("devmem-tx: close");
		ret = 1;
	}
	return ret;
}

static int run(const struct opts *o)
{
	pid_t pids[MAX_FLOWS];
	double t0 = wall_seconds(), secs;
	int i, n, status, failed = 0;

	fflush(stdout);
	for (n = 0; n < o->flows; n++) {
		pids[n] = fork();
		if (pids[n] < 0) {
			perror("devmem-tx: fork");
			failed++;
			break;
		}
		if (!pids[n])
			_exit(send_flow(o));
	}
	for (i = 0; i < n; i++)
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed++;
	secs = wall_seconds() - t0;
	if (secs <= 0)
		secs = 1e-9;
	if (failed) {
		fprintf(stderr, "devmem-tx: %d of %d connections failed\n", failed, o->flows);
		return 1;
	}
	if (o->json)
		printf("{\"bytes\": %llu, \"flows\": %d, \"seconds\": %.6f, \"gbit_per_s\": %.4f}\n",
		       (unsigned long long)(o->bytes * o->flows), o->flows, secs,
		       o->bytes * o->flows * 8 / secs / 1e9);
	else
		printf("devmem-tx: sent %llu bytes on %d connection%s in %.2f s (%.2f Gbit/s)\n",
		       (unsigned long long)(o->bytes * o->flows), o->flows,
		       o->flows == 1 ? "" : "s", secs, o->bytes * o->flows * 8 / secs / 1e9);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "flows", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct opts o = { .flows = 1, .timeout_s = 60 };
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
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o.addr || !o.port || !o.bytes || optind != argc) {
		usage(stderr);
		return 2;
	}
	return run(&o);
}
