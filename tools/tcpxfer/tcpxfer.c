// SPDX-License-Identifier: GPL-2.0-only
/*
 * tcpxfer: move N bytes of the shared pattern over one TCP connection and
 * report what arrived. The receiver can verify every byte and reports
 * throughput and its own CPU time; tests, the demo and the benchmarks use it
 * as the plain-recv reference path.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/cli_parse.h"
#include "../lib/pattern.h"
#include "../lib/tcp_client.h"
#include "../lib/tcp_server.h"

#define CHUNK (256 * 1024)

struct opts {
	bool recv;
	const char *addr;
	const char *port;
	uint64_t bytes;
	bool verify;
	bool trunc;
	bool json;
	int ready_fd;
	int go_fd;
	int timeout_s;
};

static void usage(FILE *f)
{
	fputs("usage: tcpxfer recv -p PORT -n BYTES [-b ADDR] [--verify | --trunc] [--ready-fd FD]\n"
	      "                    [--json] [--timeout SEC]\n"
	      "       tcpxfer send -c ADDR -p PORT -n BYTES [--ready-fd FD --go-fd FD]\n"
	      "                    [--timeout SEC]\n"
	      "\n"
	      "recv  accept one connection, read exactly BYTES, report throughput\n"
	      "      and CPU time; --verify checks every byte against the pattern;\n"
	      "      --trunc reads with MSG_TRUNC (the kernel drops the bytes, no copy);\n"
	      "      --ready-fd writes \"ready\" to FD once listening\n"
	      "send  connect and send BYTES of the pattern; with --go-fd, once\n"
	      "      connected write \"ready\" to --ready-fd, then wait for a byte\n"
	      "      (or end of file) on FD before sending, so that a benchmark can\n"
	      "      start and connect its senders outside the interval it times\n"
	      "BYTES takes K, M and G suffixes (powers of 1024). Either side gives up\n"
	      "when no progress is made for --timeout seconds (default 60).\n", f);
}

static int do_recv(const struct opts *o)
{
	int lfd, fd;
	uint64_t total = 0;
	uint64_t bad_at = UINT64_MAX;
	double t0, cpu0, secs, cpu;
	char *buf;

	lfd = tcp_listen("tcpxfer", o->addr, o->port);
	if (lfd < 0)
		return 2;
	ready_signal("tcpxfer", o->ready_fd);
	fd = tcp_accept_one("tcpxfer", lfd, o->timeout_s);
	if (fd < 0)
		return 2;
	buf = malloc(CHUNK);
	if (!buf)
		return 2;

	t0 = wall_seconds();
	cpu0 = cpu_seconds();
	while (total < o->bytes) {
		/* MSG_TRUNC: TCP discards the bytes without copying them */
		ssize_t n = recv(fd, buf, CHUNK, o->trunc ? MSG_TRUNC : 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0 && errno == EAGAIN)
				fprintf(stderr, "tcpxfer: no data for %d s\n", o->timeout_s);
			else if (n < 0)
				perror("tcpxfer: recv");
			break;
		}
		if (o->verify && bad_at == UINT64_MAX) {
			size_t i = pattern_check(buf, n, total);

			if (i < (size_t)n)
				bad_at = total + i;
		}
		total += n;
	}
	secs = wall_seconds() - t0;
	if (secs <= 0)
		secs = 1e-9;	/* keep the rates finite (and the JSON valid) */
	cpu = cpu_seconds() - cpu0;
	free(buf);
	close(fd);
	close(lfd);

	if (o->json) {
		printf("{\"bytes\": %llu, \"seconds\": %.6f, \"gbit_per_s\": %.4f, "
		       "\"cpu_seconds\": %.6f, \"verified\": %s}\n",
		       (unsigned long long)total, secs, total * 8 / secs / 1e9, cpu,
		       o->verify && bad_at == UINT64_MAX ? "true" : "false");
	} else {
		printf("tcpxfer: received %llu bytes in %.2f s (%.2f Gbit/s), %.2f s CPU",
		       (unsigned long long)total, secs, total * 8 / secs / 1e9, cpu);
		if (o->verify && bad_at == UINT64_MAX)
			printf(", pattern verified");
		printf("\n");
	}
	if (bad_at != UINT64_MAX) {
		fprintf(stderr, "tcpxfer: pattern mismatch at stream offset %llu\n",
			(unsigned long long)bad_at);
		return 1;
	}
	if (total != o->bytes) {
		fprintf(stderr, "tcpxfer: expected %llu bytes, got %llu\n",
			(unsigned long long)o->bytes, (unsigned long long)total);
		return 1;
	}
	return 0;
}

static int do_send(const struct opts *o)
{
	int fd = tcp_connect("tcpxfer", o->addr, o->port, o->timeout_s);

	if (fd < 0)
		return 2;
	if (o->go_fd >= 0) {
		ready_signal("tcpxfer", o->ready_fd);
		if (go_wait("tcpxfer", o->go_fd)) {
			close(fd);
			return 2;
		}
	}
	if (tcp_send_pattern("tcpxfer", fd, o->bytes)) {
		close(fd);
		return 1;
	}
	if (close(fd)) {
		perror("tcpxfer: close");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verify", no_argument, NULL, 'v' },
		{ "trunc", no_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "ready-fd", required_argument, NULL, 'r' },
		{ "go-fd", required_argument, NULL, 'g' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct opts o = { .ready_fd = -1, .go_fd = -1, .timeout_s = 60 };
	int c;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "recv")) {
		o.recv = true;
	} else if (strcmp(argv[1], "send")) {
		fprintf(stderr, "tcpxfer: unknown mode '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	optind = 2;
	while ((c = getopt_long(argc, argv, "b:c:p:n:t:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
		case 'c':
			o.addr = optarg;
			break;
		case 'p':
			o.port = optarg;
			break;
		case 'n':
			if (cli_parse_size(optarg, &o.bytes)) {
				fprintf(stderr, "tcpxfer: bad byte count '%s'\n", optarg);
				return 2;
			}
			break;
		case 'v':
			o.verify = true;
			break;
		case 'T':
			o.trunc = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'r':
			o.ready_fd = atoi(optarg);
			break;
		case 'g':
			o.go_fd = atoi(optarg);
			break;
		case 't':
			o.timeout_s = atoi(optarg);
			if (o.timeout_s <= 0) {
				fprintf(stderr, "tcpxfer: bad timeout '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o.port || !o.bytes || (!o.recv && !o.addr) || optind != argc ||
	    (o.trunc && o.verify) || (o.recv && o.go_fd >= 0) ||
	    (!o.recv && o.ready_fd >= 0 && o.go_fd < 0)) {
		usage(stderr);
		return 2;
	}
	return o.recv ? do_recv(&o) : do_send(&o);
}
