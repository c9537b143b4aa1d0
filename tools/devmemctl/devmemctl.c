// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmemctl: the device-memory TCP knobs from a shell, iproute2 style.
 *
 *   devmemctl [-j] hds DEV [on|off|auto]
 *   devmemctl [-j] pools [DEV]
 *   devmemctl [-j] qstats DEV
 *   devmemctl [-j] bind DEV queues LIST udmabuf SIZE [hugetlb] [offset OFF]
 *                      [buf-size B] [repeat N] [hold]
 *   devmemctl [-j] bind DEV queues LIST heap NAME SIZE [buf-size B]
 *                      [repeat N] [hold]
 *   devmemctl [-j] bindings [ID]
 *   devmemctl [-j] show [DEV]
 *   devmemctl [-j] steer DEV add tcp4|tcp6 [src ADDR] [dst ADDR] [sport P]
 *                      [dport P] queue Q [loc N]
 *   devmemctl steer DEV del LOC
 *   devmemctl rss DEV exclude LIST | rss DEV default
 *
 * Exit status: 0 done, 1 the kernel or the system refused (the reason, with
 * the kernel's extack text when there is one, goes to stderr), 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <linux/udmabuf.h>

#include <devmem.h>

#include "../lib/cli_parse.h"
#include "devmemctl.h"
#include "print.h"

static void usage(FILE *f)
{
	fputs("usage: devmemctl [-j] hds DEV [on|off|auto]\n"
	      "       devmemctl [-j] pools [DEV]\n"
	      "       devmemctl [-j] qstats DEV\n"
	      "       devmemctl [-j] bind DEV queues LIST udmabuf SIZE [hugetlb]\n"
	      "                          [offset OFF] [buf-size B] [repeat N] [hold]\n"
	      "       devmemctl [-j] bind DEV queues LIST heap NAME SIZE [buf-size B]\n"
	      "                          [repeat N] [hold]\n"
	      "       devmemctl [-j] bindings [ID]\n"
	      "       devmemctl [-j] show [DEV]\n"
	      "       devmemctl [-j] steer DEV add tcp4|tcp6 [src ADDR] [dst ADDR]\n"
	      "                          [sport P] [dport P] queue Q [loc N]\n"
	      "       devmemctl steer DEV del LOC\n"
	      "       devmemctl rss DEV exclude LIST | rss DEV default\n"
	      "       devmemctl -h | --help\n"
	      "\n"
	      "hds    show or set DEV's TCP header/data split (tcp-data-split)\n"
	      "pools  list page pools, of DEV or of every device\n"
	      "qstats per-RX-queue packets, bytes and allocation failures of DEV\n"
	      "bind   bind a SIZE-byte udmabuf (a sealed memfd) to RX queues LIST of\n"
	      "       DEV (such as 1 or 1,3-4) and print the binding id; with hold,\n"
	      "       keep it bound until stdin reaches EOF or SIGINT/SIGTERM; with\n"
	      "       repeat N, bind and unbind N - 1 times first (N binds in all);\n"
	      "       hugetlb backs the memfd with 2 MiB huge pages (what RX buffers\n"
	      "       above 4 KiB need), offset OFF starts the udmabuf OFF bytes into it;\n"
	      "       heap NAME SIZE takes the dma-buf from /dev/dma_heap/NAME instead\n"
	      "       (bar-PCI_NAME: device memory); the dma-buf's fd is closed once\n"
	      "       bound either way (the binding keeps the dma-buf);\n"
	      "       buf-size B binds through the dmabuf-pp family with B-byte buffers\n"
	      "       (what the queues post: ethtool rx-buf-len)\n"
	      "bindings  bindings of this network namespace with their counters, or\n"
	      "       binding ID (dmabuf-pp family; ours kernels only)\n"
	      "show   bindings (of DEV) with their statistics on any kernel: the\n"
	      "       dmabuf-pp family's, or without it (stock) what page-pool\n"
	      "       netlink tells: binding id, device, pools, buffers out\n"
	      "steer  add an ntuple rule sending a TCP flow to RX queue Q (ntuple is\n"
	      "       turned on; fields left out match anything, at least one is\n"
	      "       needed) and print its location, or delete the rule at LOC\n"
	      "rss    keep RSS off RX queues LIST (the bound ones: only steered flows\n"
	      "       reach them), or go back to the default RSS table\n"
	      "DEV is a name or an ifindex; SIZE and OFF take K, M and G suffixes.\n"
	      "-j, --json  JSON output\n"
	      "Exit status: 0 done, 1 refused by the kernel or system, 2 usage.\n",
	      f);
}

int bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("devmemctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	usage(stderr);
	return EXIT_USAGE;
}

int refused(const struct devmem_err *e)
{
	if (e->msg[0])
		fprintf(stderr, "devmemctl: %s: %s\n", strerror(e->code), e->msg);
	else
		fprintf(stderr, "devmemctl: %s\n", strerror(e->code));
	return EXIT_REFUSED;
}

/* Same shape as refused(), for system calls: what failed takes the msg slot. */
int refused_sys(const char *what, int errnum)
{
	fprintf(stderr, "devmemctl: %s: %s\n", strerror(errnum), what);
	return EXIT_REFUSED;
}

/* The device's ifindex and canonical name, or exit status 1 with a reason. */
int device(const char *arg, int *ifindex, char name[IF_NAMESIZE])
{
	*ifindex = devmem_ifindex(arg);
	if (*ifindex < 0 || !if_indextoname(*ifindex, name)) {
		fprintf(stderr, "devmemctl: %s: \"%s\"\n", strerror(ENODEV), arg);
		return EXIT_REFUSED;
	}
	return 0;
}

static const char *const hds_names[] = {
	[DEVMEM_HDS_AUTO] = "auto",
	[DEVMEM_HDS_OFF] = "off",
	[DEVMEM_HDS_ON] = "on",
};

static int cmd_hds(int argc, char **argv)
{
	char name[IF_NAMESIZE];
	enum devmem_hds mode;
	struct devmem_err e;
	int ifindex, ret;

	if (argc < 1 || argc > 2)
		return bad_usage("hds takes DEV and optionally on, off or auto");
	if (argc == 2) {
		for (mode = DEVMEM_HDS_AUTO; mode <= DEVMEM_HDS_ON; mode++)
			if (!strcmp(argv[1], hds_names[mode]))
				break;
		if (mode > DEVMEM_HDS_ON)
			return bad_usage("unknown tcp-data-split mode '%s'", argv[1]);
	}
	ret = device(argv[0], &ifindex, name);
	if (ret)
		return ret;

	if (argc == 2)
		return devmem_hds_set(ifindex, mode, &e) ? refused(&e) : 0;

	if (devmem_hds_get(ifindex, &mode, &e))
		return refused(&e);
	print_open_object(NULL);
	print_string(PRINT_ANY, "dev", "%s", name);
	print_int(PRINT_JSON, "ifindex", NULL, ifindex);
	print_string(PRINT_ANY, "tcp_data_split", " tcp-data-split %s",
		     hds_names[mode]);
	print_text("\n");
	print_close_object();
	return 0;
}

static int print_pool(const struct devmem_page_pool *pp, void *arg)
{
	(void)arg;
	print_open_object(NULL);
	print_uint(PRINT_ANY, "id", "id %llu", pp->id);
	print_uint(PRINT_ANY, "ifindex", " ifindex %llu", pp->ifindex);
	print_uint(PRINT_ANY, "napi_id", " napi-id %llu", pp->napi_id);
	print_uint(PRINT_ANY, "dmabuf", " dmabuf %llu", pp->dmabuf);
	print_uint(PRINT_ANY, "inflight", " inflight %llu", pp->inflight);
	print_uint(PRINT_ANY, "inflight_mem", " inflight-mem %llu", pp->inflight_mem);
	print_uint(PRINT_ANY, "detach_time", " detach-time %llu", pp->detach_time);
	print_text("\n");
	print_close_object();
	return 0;
}

static int cmd_pools(int argc, char **argv)
{
	char name[IF_NAMESIZE];
	int ifindex = 0, ret;
	struct devmem_err e;

	if (argc > 1)
		return bad_usage("pools takes at most one DEV");
	if (argc == 1) {
		ret = device(argv[0], &ifindex, name);
		if (ret)
			return ret;
	}
	print_open_array(NULL);
	ret = devmem_page_pools(ifindex, print_pool, NULL, &e);
	print_close_array();
	return ret ? refused(&e) : 0;
}

static int print_qstats(const struct devmem_rx_qstats *qs, void *arg)
{
	(void)arg;
	print_open_object(NULL);
	print_uint(PRINT_JSON, "ifindex", NULL, qs->ifindex);
	print_uint(PRINT_ANY, "queue", "rx queue %llu:", qs->queue);
	print_uint(PRINT_ANY, "packets", " packets %llu", qs->packets);
	print_uint(PRINT_ANY, "bytes", " bytes %llu", qs->bytes);
	print_uint(PRINT_ANY, "alloc_fail", " alloc-fail %llu", qs->alloc_fail);
	print_text("\n");
	print_close_object();
	return 0;
}

/* JSON only: "queues": [1, 3]. Each text line lists them its own way. */
static void print_queues(const unsigned int *queues, uint32_t n)
{
	print_open_array("queues");
	for (uint32_t i = 0; i < n; i++)
		print_uint(PRINT_JSON, NULL, NULL, queues[i]);
	print_close_array();
}

int print_pp_binding(const struct devmem_binding_info *b, void *arg)
{
	(void)arg;
	print_open_object(NULL);
	print_uint(PRINT_ANY, "id", "binding %llu", b->id);
	print_uint(PRINT_ANY, "ifindex", " ifindex %llu", b->ifindex);
	/* text lists the queues here, as "queues 1,3" or "queues -" */
	print_text(" queues");
	for (uint32_t i = 0; i < b->nqueues; i++)
		print_uint(PRINT_TEXT, NULL, i ? ",%llu" : " %llu", b->queues[i]);
	if (!b->nqueues)
		print_text(" -");
	print_uint(PRINT_JSON, "netns_cookie", NULL, b->netns_cookie);
	print_uint(PRINT_ANY, "buf_size", " buf-size %llu", b->buf_size);
	print_uint(PRINT_JSON, "dmabuf_size", NULL, b->dmabuf_size);
	print_uint(PRINT_ANY, "buffers", " buffers %llu", b->buffers);
	print_uint(PRINT_ANY, "buffers_free", " free %llu", b->buffers_free);
	print_uint(PRINT_ANY, "buffers_user", " user %llu", b->buffers_user);
	print_uint(PRINT_ANY, "rx_bytes", " rx-bytes %llu", b->rx_bytes);
	if (b->tx) {
		print_string(PRINT_ANY, "direction", " %s", "tx");
		print_uint(PRINT_ANY, "tx_bytes", " tx-bytes %llu", b->tx_bytes);
		print_uint(PRINT_ANY, "tx_frags", " in-flight %llu", b->tx_frags);
	}
	print_text("\n");
	print_queues(b->queues, b->nqueues);
	print_close_object();
	return 0;
}

/* bindings [ID]: through the dmabuf-pp family (ours kernels only) */
static int cmd_bindings(int argc, char **argv)
{
	struct devmem_err e;
	uint64_t id = 0;
	int ret;

	if (argc > 1)
		return bad_usage("bindings takes at most one ID");
	if (argc == 1 && cli_parse_uint(argv[0], 1, UINT32_MAX, &id))
		return bad_usage("bad binding id '%s'", argv[0]);
	print_open_array(NULL);
	ret = devmem_pp_bindings(id, print_pp_binding, NULL, &e);
	print_close_array();
	return ret ? refused(&e) : 0;
}

static int cmd_qstats(int argc, char **argv)
{
	char name[IF_NAMESIZE];
	struct devmem_err e;
	int ifindex, ret;

	if (argc != 1)
		return bad_usage("qstats takes one DEV");
	ret = device(argv[0], &ifindex, name);
	if (ret)
		return ret;
	print_open_array(NULL);
	ret = devmem_rx_qstats(ifindex, print_qstats, NULL, &e);
	print_close_array();
	return ret ? refused(&e) : 0;
}

/*
 * Wait until stdin reaches EOF (or fails) or SIGINT/SIGTERM arrives. The
 * signals go through a signalfd, blocked first, so one sent at any moment
 * is seen rather than killing us with the binding half torn down.
 */
static int hold(void)
{
	struct pollfd pfd[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .events = POLLIN },
	};
	char buf[256];
	sigset_t set;
	int ret = 0;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return refused_sys("sigprocmask", errno);
	pfd[1].fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (pfd[1].fd < 0)
		return refused_sys("signalfd", errno);

	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			ret = refused_sys("poll", errno);
			break;
		}
		if (pfd[1].revents)
			break;
		if (pfd[0].revents) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

			if (n > 0 || (n < 0 && errno == EINTR))
				continue;
			break;	/* EOF, or stdin unusable: either way, done */
		}
	}
	close(pfd[1].fd);
	return ret;
}

struct bind_args {
	const char *queues_arg;
	unsigned int queues[MAX_QUEUES];
	int nqueues;
	uint64_t size;
	uint64_t offset;
	const char *heap;	/* heap NAME SIZE; NULL: udmabuf SIZE */
	uint32_t buf_size;	/* non-zero: bind through the dmabuf-pp family */
	unsigned long repeat;
	bool hugetlb;
	bool hold;
};

static int parse_bind(int argc, char **argv, struct bind_args *a)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "hold")) {
			a->hold = true;
		} else if (!strcmp(argv[i], "hugetlb")) {
			a->hugetlb = true;
		} else if (!strcmp(argv[i], "buf-size") && i + 1 < argc) {
			uint64_t v;

			i++;
			if (cli_parse_size(argv[i], &v) || !v || v > UINT32_MAX)
				return bad_usage("bad buffer size '%s'", argv[i]);
			a->buf_size = v;
		} else if (!strcmp(argv[i], "offset") && i + 1 < argc) {
			i++;
			if (cli_parse_size(argv[i], &a->offset) ||
			    a->offset % getpagesize())
				return bad_usage("bad offset '%s' (whole pages)", argv[i]);
		} else if (!strcmp(argv[i], "repeat") && i + 1 < argc) {
			uint64_t n;

			i++;
			if (cli_parse_uint(argv[i], 1, 1000000, &n))
				return bad_usage("bad repeat count '%s'", argv[i]);
			a->repeat = n;
		} else if (!strcmp(argv[i], "queues") && i + 1 < argc) {
			a->queues_arg = argv[++i];
			a->nqueues = cli_parse_list(a->queues_arg, a->queues, MAX_QUEUES);
			if (a->nqueues < 0)
				return bad_usage("bad queue list '%s'", a->queues_arg);
		} else if (!strcmp(argv[i], "udmabuf") && i + 1 < argc) {
			i++;
			if (cli_parse_size(argv[i], &a->size) || !a->size ||
			    a->size % getpagesize())
				return bad_usage("bad udmabuf size '%s' (whole pages)", argv[i]);
		} else if (!strcmp(argv[i], "heap") && i + 2 < argc) {
			a->heap = argv[++i];
			i++;
			if (cli_parse_size(argv[i], &a->size) || !a->size)
				return bad_usage("bad heap buffer size '%s'", argv[i]);
		} else {
			return bad_usage("bind: unexpected '%s'", argv[i]);
		}
	}
	if (!a->nqueues || !a->size)
		return bad_usage("bind needs queues LIST and udmabuf SIZE or heap NAME SIZE");
	if (a->heap && (a->hugetlb || a->offset))
		return bad_usage("hugetlb and offset are for udmabuf, not heap");
	return 0;
}

static void print_binding(const struct bind_args *a, uint32_t id,
			  const char *name, int ifindex)
{
	print_open_object(NULL);
	print_uint(PRINT_ANY, "id", "binding %llu", id);
	print_string(PRINT_ANY, "dev", " dev %s", name);
	print_int(PRINT_JSON, "ifindex", NULL, ifindex);
	print_uint(PRINT_JSON, "size", NULL, a->size);
	/* text: the list as given ("1,3-4"); JSON: every queue */
	print_string(PRINT_TEXT, NULL, " queues %s", a->queues_arg);
	print_text("\n");
	print_queues(a->queues, a->nqueues);
	print_close_object();
	fflush(stdout);	/* a script waits for this line while we hold */
}

static int cmd_bind(int argc, char **argv)
{
	struct bind_args a = { .repeat = 1 };
	struct devmem_binding *b;
	char name[IF_NAMESIZE];
	int ifindex, buf, ret;
	struct devmem_err e;

	if (argc < 1)
		return bad_usage("bind needs DEV");
	ret = parse_bind(argc, argv, &a);
	if (ret)
		return ret;
	ret = device(argv[0], &ifindex, name);
	if (ret)
		return ret;

	if (a.heap)
		buf = devmem_dma_heap_alloc(a.heap, a.size);
	else
		buf = devmem_udmabuf_create_anon("devmemctl", a.offset, a.size,
						 a.hugetlb, UDMABUF_FLAGS_CLOEXEC);
	if (buf < 0)
		return refused_sys(a.heap ? a.heap : "udmabuf", -buf);
	/* repeat N: N binds, all but the last undone at once */
	for (unsigned long i = 0; i < a.repeat; i++) {
		if (i)
			devmem_unbind(b);
		ret = a.buf_size ?
			devmem_pp_bind(ifindex, buf, a.queues, a.nqueues,
				       a.buf_size, &b, &e) :
			devmem_bind_rx(ifindex, buf, a.queues, a.nqueues, &b, &e);
		if (ret) {
			close(buf);
			return refused(&e);
		}
	}
	/* A binding holds its own reference to the dma-buf: ours can go. */
	close(buf);
	print_binding(&a, devmem_binding_id(b), name, ifindex);
	if (a.hold)
		ret = hold();
	devmem_unbind(b);
	return ret;
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	usage(stdout);
	return 0;
}

/* Each command gets the words after its name. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "hds", cmd_hds },
	{ "pools", cmd_pools },
	{ "qstats", cmd_qstats },
	{ "bind", cmd_bind },
	{ "bindings", cmd_bindings },
	{ "show", cmd_show },
	{ "steer", cmd_steer },
	{ "rss", cmd_rss },
	{ "help", cmd_help },
};

int main(int argc, char **argv)
{
	size_t c;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			print_set_json(true);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			return bad_usage("unknown option '%s'", argv[i]);
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].run(argc - i - 1, argv + i + 1);
	}
	return bad_usage("unknown command '%s'", argv[i]);
}
