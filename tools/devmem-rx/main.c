// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmem-rx: receive TCP with device-memory TCP.
 *
 * A sealed memfd becomes a dma-buf through /dev/udmabuf (or a dma-heap
 * gives one: the system heap, or device memory from the BAR heap), the dma-buf is bound to RX queues of a device, and
 * connections are read with recvmsg(MSG_SOCK_DEVMEM). Two modes: connections
 * of the shared pattern, each byte checkable (pattern_rx.c; the sender is
 * devmem-tx), or one test of a stock iperf3 client (iperf.c). This file
 * sets up and tears down, in reverse order.
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
#include <sys/stat.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include "../lib/cli_parse.h"
#include "../lib/tcp_server.h"
#include "devmem_rx.h"

#define IPERF_PORT "5201"	/* iperf3's default */

static void usage(FILE *f)
{
	fputs("usage: devmem-rx -i DEV -q QUEUES -p PORT -n BYTES [-s SIZE] [--verify]\n"
	      "                 [--flows N] [--hold-tokens] [--frag-log FILE] [COMMON]\n"
	      "       devmem-rx --iperf -i DEV -q QUEUES [-p PORT] [-s SIZE] [COMMON]\n"
	      "COMMON: [--hds] [--heap[=NAME] | --hugetlb] [--json] [--progress]\n"
	      "        [--ready-fd FD] [--timeout SEC]\n"
	      "\n"
	      "Bind a SIZE-byte udmabuf (default 64M) to RX queues QUEUES of DEV\n"
	      "(a list such as 1 or 1,3-4) and receive TCP on PORT with\n"
	      "MSG_SOCK_DEVMEM, returning every token; report bytes in the dma-buf,\n"
	      "linear and plain, throughput, and the binding's statistics.\n"
	      "Pattern mode (the default) accepts connections of devmem-tx and reads\n"
	      "BYTES from each:\n"
	      "  --verify      check every byte against the pattern, the dma-buf's\n"
	      "                through its mapping\n"
	      "  --flows N     accept N connections, each read in its own process\n"
	      "                (BYTES each, one report line each; 1..64, default 1)\n"
	      "  --hold-tokens never return tokens: the socket's close frees them\n"
	      "  --frag-log FILE  one line per dma-buf fragment, in arrival order:\n"
	      "                \"DMABUF_OFFSET STREAM_OFFSET SIZE\" (one flow only)\n"
	      "  --iperf       serve one test of an iperf3 client (iperf3 -c HOST\n"
	      "                [-p PORT] [-P N] [-t SEC | -n BYTES]): TCP, client to\n"
	      "                server; PORT defaults to 5201\n"
	      "Common options:\n"
	      "  --hds         turn tcp-data-split on first, restore it at exit\n"
	      "  --heap[=NAME] take the dma-buf from /dev/dma_heap/NAME (default\n"
	      "                system), not udmabuf; bar-PCI_NAME is device memory\n"
	      "  --hugetlb     back the udmabuf with 2 MiB huge pages (needed for\n"
	      "                RX buffers above 4 KiB: ethtool -G DEV rx-buf-len N)\n"
	      "  --json        print the report as one JSON object\n"
	      "  --progress    a live progress line on stderr (default when stderr\n"
	      "                is a terminal)\n"
	      "  --ready-fd FD write \"ready\" to FD once bound and listening\n"
	      "  --timeout SEC give up after SEC seconds without progress (60)\n"
	      "BYTES and SIZE take K, M and G suffixes (powers of 1024).\n"
	      "Exit status: 0 all bytes arrived (and matched; in iperf mode: the\n"
	      "test ran to its end), 1 otherwise, 2 usage.\n",
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

/* The dma-buf, from udmabuf over @memfd or from a dma-heap. */
static int make_dmabuf(const struct opts *o, int *memfd)
{
	int fd;

	*memfd = -1;
	if (o->heap) {
		fd = devmem_dma_heap_alloc(o->heap, o->size);
		if (fd < 0)
			fprintf(stderr, "devmem-rx: dma-heap %s: %s\n", o->heap,
				strerror(-fd));
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
 * Set up, receive, tear down in reverse order; returns the exit status.
 * The mode reports while the binding exists, so that its statistics can
 * be read; the exit comes after the unbind.
 */
static int run(const struct opts *o)
{
	struct dmabuf_view v = { .size = o->size };
	enum devmem_hds prev_hds = DEVMEM_HDS_ON;
	struct devmem_binding *binding;
	int ifindex, memfd, lfd, ret = 1;
	void *map = NULL;
	struct stat st;

	ifindex = devmem_ifindex(o->dev);
	if (ifindex < 0) {
		fprintf(stderr, "devmem-rx: no device '%s'\n", o->dev);
		return 1;
	}
	if (o->hds && hds_on(ifindex, &prev_hds))
		return 1;

	v.fd = make_dmabuf(o, &memfd);
	if (v.fd < 0)
		goto restore_hds;
	if (fstat(v.fd, &st)) {
		perror("devmem-rx: fstat of the dma-buf");
		goto close_dmabuf;
	}
	v.inode = st.st_ino;
	if (o->verify || o->iperf) {
		/* udmabuf: the memfd itself; a heap buffer: its own mapping */
		map = mmap(NULL, o->size, PROT_READ, MAP_SHARED,
			   memfd >= 0 ? memfd : v.fd, 0);
		if (map == MAP_FAILED) {
			perror("devmem-rx: mmap");
			map = NULL;
			goto close_dmabuf;
		}
		v.map = map;
	}
	if (bind_queues(o, ifindex, v.fd, &binding))
		goto unmap;
	v.binding_id = devmem_binding_id(binding);
	lfd = tcp_listen("devmem-rx", NULL, o->port);
	if (lfd < 0)
		goto unbind;
	ready_signal("devmem-rx", o->ready_fd);

	ret = o->iperf ? iperf_serve(o, &v, lfd) : pattern_serve(o, &v, lfd);

	close(lfd);
unbind:
	devmem_unbind(binding);
unmap:
	if (map)
		munmap(map, o->size);
close_dmabuf:
	close(v.fd);
	if (memfd >= 0)
		close(memfd);
restore_hds:
	if (o->hds)
		hds_restore(ifindex, prev_hds);
	return ret;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "verify", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'j' },
		{ "hds", no_argument, NULL, 'H' },
		{ "heap", optional_argument, NULL, 'E' },
		{ "frag-log", required_argument, NULL, 'F' },
		{ "hugetlb", no_argument, NULL, 'u' },
		{ "flows", required_argument, NULL, 'f' },
		{ "hold-tokens", no_argument, NULL, 'k' },
		{ "iperf", no_argument, NULL, 'I' },
		{ "progress", no_argument, NULL, 'P' },
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
		case 'i':
			o->dev = optarg;
			break;
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
		case 'v':
			o->verify = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'H':
			o->hds = true;
			break;
		case 'E':
			o->heap = optarg ? optarg : "system";
			break;
		case 'F':
			o->frag_log = optarg;
			break;
		case 'u':
			o->hugetlb = true;
			break;
		case 'k':
			o->hold_tokens = true;
			break;
		case 'I':
			o->iperf = true;
			break;
		case 'P':
			o->progress = true;
			break;
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
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (o->iperf && o->bytes) {
		fprintf(stderr, "devmem-rx: in iperf mode the client sets the amount (iperf3 -c HOST -n BYTES)\n");
		return 2;
	}
	if (o->iperf && !o->port)
		o->port = IPERF_PORT;
	if (!o->dev || !o->nqueues || !o->port || optind != argc ||
	    (!o->iperf && !o->bytes)) {
		usage(stderr);
		return 2;
	}
	if (o->iperf && (o->verify || o->hold_tokens || o->flows != 1)) {
		fprintf(stderr, "devmem-rx: --verify, --hold-tokens and --flows are pattern-mode options (iperf3's payload is not checkable)\n");
		return 2;
	}
	if (o->frag_log && (o->iperf || o->flows != 1)) {
		fprintf(stderr, "devmem-rx: --frag-log is for one flow in pattern mode\n");
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

	o.progress = isatty(STDERR_FILENO);
	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	return run(&o);
}
