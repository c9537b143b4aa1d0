// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host test of libdevmem's netlink parsing against what kernels really
 * answered: the replies recorded in selftests/host/nl-replies/ (by its
 * record script, in VMs of ours and stock) are fed back through the
 * library's own sockets and parsers (testing.h's replay), and the values
 * the API hands out must match the facts of the recorded scenario, which
 * the recording took from sysfs and from what it set up, not from the
 * replies. Then damaged replies must be refused, not half-read.
 *
 * usage: libdevmem_replay DIR (the nl-replies directory)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <devmem.h>
#include "../../tools/libdevmem/testing.h"
#include "../lib/ktap.h"

#define MAX_BUFS 16
#define MAX_LINE 65536

/* One recorded file: its buffers and the scenario's facts. */
struct recording {
	struct devmem_nl_replay_buf bufs[MAX_BUFS];
	uint8_t *data[MAX_BUFS];
	struct devmem_nl_replay replay;
	long ifindex, queues, bound_queue, binding, dmabuf_size;
	char hds[32];
};

static const char *dir;

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void fact(struct recording *r, const char *line)
{
	char key[32], val[32];

	if (sscanf(line, "# expect %31s %31s", key, val) != 2)
		return;
	if (!strcmp(key, "ifindex"))
		r->ifindex = atol(val);
	else if (!strcmp(key, "queues"))
		r->queues = atol(val);
	else if (!strcmp(key, "bound_queue"))
		r->bound_queue = atol(val);
	else if (!strcmp(key, "binding"))
		r->binding = atol(val);
	else if (!strcmp(key, "dmabuf_size"))
		r->dmabuf_size = atol(val);
	else if (!strcmp(key, "hds"))
		snprintf(r->hds, sizeof(r->hds), "%s", val);
}

/* Read FLAVOR-NAME.replies; false (with a diagnostic) when it cannot be. */
static bool load(struct recording *r, const char *flavor, const char *name)
{
	static char line[MAX_LINE];
	char path[4096];
	size_t n = 0;
	FILE *f;

	memset(r, 0, sizeof(*r));
	snprintf(path, sizeof(path), "%s/%s-%s.replies", dir, flavor, name);
	f = fopen(path, "r");
	if (!f) {
		ktap_diag("%s: %s", path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\n");

		if (line[0] == '#') {
			fact(r, line);
			continue;
		}
		if (!len)
			continue;
		if (n < MAX_BUFS && !(len % 2))
			r->data[n] = malloc(len / 2);
		if (n == MAX_BUFS || len % 2 || !r->data[n]) {
			ktap_diag("%s: too many buffers, an odd hex line or no memory", path);
			fclose(f);
			return false;	/* unload() frees what was read */
		}
		for (size_t i = 0; i < len / 2; i++) {
			int hi = hexval(line[2 * i]), lo = hexval(line[2 * i + 1]);

			if (hi < 0 || lo < 0) {
				ktap_diag("%s: not hex: %.16s", path, line + 2 * i);
				fclose(f);
				return false;	/* unload() frees what was read */
			}
			r->data[n][i] = hi << 4 | lo;
		}
		r->bufs[n] = (struct devmem_nl_replay_buf){ r->data[n], len / 2 };
		n++;
	}
	fclose(f);
	r->replay = (struct devmem_nl_replay){ .bufs = r->bufs, .nbufs = n };
	devmem_nl_replay_start(&r->replay);
	return n > 0;
}

static void unload(struct recording *r)
{
	devmem_nl_replay_start(NULL);
	for (int i = 0; i < MAX_BUFS; i++)
		free(r->data[i]);
}

/*
 * Load ours-NAME for damaging: the index of the first buffer of the
 * command's own replies (past the generic netlink controller's answer to
 * the family lookup, its reply and ACK), if it holds more than @min_len
 * bytes; -1 otherwise.
 */
static int load_first_reply(struct recording *r, const char *name, size_t min_len)
{
	if (!load(r, "ours", name))
		return -1;
	for (size_t i = 0; i < r->replay.nbufs; i++) {
		const struct nlmsghdr *nlh = (const void *)r->bufs[i].data;

		if (r->bufs[i].len >= sizeof(*nlh) && nlh->nlmsg_type != GENL_ID_CTRL &&
		    nlh->nlmsg_type != NLMSG_ERROR)
			return r->bufs[i].len > min_len ? (int)i : -1;
	}
	return -1;
}

/* Is @s somewhere in the recorded bytes? (extack text, found verbatim) */
static bool recorded(const struct recording *r, const char *s)
{
	for (size_t i = 0; i < r->replay.nbufs; i++)
		if (memmem(r->bufs[i].data, r->bufs[i].len, s, strlen(s)))
			return true;
	return false;
}

static bool check_hds(const char *flavor)
{
	struct recording r;
	enum devmem_hds mode = DEVMEM_HDS_AUTO;
	struct devmem_err e = { 0 };
	bool ok;

	ok = load(&r, flavor, "hds") && !strcmp(r.hds, "on") &&
	     !devmem_hds_get(r.ifindex, &mode, &e) && mode == DEVMEM_HDS_ON;
	if (!ok)
		ktap_diag("hds: mode %d, %s", mode, e.msg);
	unload(&r);
	return ok;
}

struct pools_seen {
	const struct recording *r;
	int pools, of_binding, elsewhere;
};

static int on_pool(const struct devmem_page_pool *pp, void *arg)
{
	struct pools_seen *s = arg;

	s->pools++;
	s->of_binding += pp->dmabuf == s->r->binding && pp->id > 0;
	s->elsewhere += pp->ifindex != s->r->ifindex;
	return 0;
}

/* One pool per RX queue, the bound queue's serving the binding. */
static bool check_pools(const char *flavor)
{
	struct recording r;
	struct pools_seen s = { .r = &r };
	struct devmem_err e = { 0 };
	bool ok;

	ok = load(&r, flavor, "pools") && !devmem_page_pools(r.ifindex, on_pool, &s, &e) &&
	     s.pools == r.queues && s.of_binding == 1 && !s.elsewhere;
	if (!ok)
		ktap_diag("pools: %d (%d of binding %ld, %d elsewhere), %s", s.pools,
			  s.of_binding, r.binding, s.elsewhere, e.msg);
	unload(&r);
	return ok;
}

static int on_qstats(const struct devmem_rx_qstats *qs, void *arg)
{
	unsigned int *seen = arg;

	if (qs->queue < 32)
		seen[qs->queue] += 1 + (qs->ifindex != seen[32]) * 100;
	return 0;
}

/* Every RX queue of the device once, with its ifindex. */
static bool check_qstats(const char *flavor)
{
	unsigned int seen[33] = { 0 };
	struct recording r;
	struct devmem_err e = { 0 };
	bool ok;

	ok = load(&r, flavor, "qstats");
	seen[32] = r.ifindex;
	ok = ok && !devmem_rx_qstats(r.ifindex, on_qstats, seen, &e);
	for (long q = 0; ok && q < 32; q++)
		ok = seen[q] == (q < r.queues ? 1 : 0);
	unload(&r);
	return ok;
}

/*
 * Bind the recorded scenario's queue, replaying FLAVOR-NAME; the call's
 * return, and the id of the binding it gave (0: none).
 */
static int replay_bind(struct recording *r, const char *flavor, const char *name,
		       uint32_t *id, struct devmem_err *e)
{
	struct devmem_binding *b = NULL;
	int fd = open("/dev/null", O_RDONLY);	/* the request goes nowhere */
	unsigned int queue;
	int ret = -ENOENT;

	if (load(r, flavor, name)) {
		queue = r->bound_queue;
		ret = devmem_bind_rx(r->ifindex, fd, &queue, 1, &b, e);
	}
	*id = b ? devmem_binding_id(b) : 0;
	if (b)
		devmem_unbind(b);
	close(fd);
	return ret;
}

/* The bind's reply carries the id later replies name. */
static bool check_bind(const char *flavor)
{
	struct recording r;
	struct devmem_err e = { 0 };
	uint32_t id;
	int ret;

	ret = replay_bind(&r, flavor, "bind", &id, &e);
	if (ret)
		ktap_diag("bind: %s", e.msg);
	unload(&r);
	return !ret && id == r.binding;
}

/* A refusal: the kernel's errno, and its extack text as it was sent. */
static bool check_bind_refused(const char *flavor)
{
	struct recording r;
	struct devmem_err e = { 0 };
	uint32_t id;
	bool ok;
	int ret;

	ret = replay_bind(&r, flavor, "bind_busy", &id, &e);
	ok = ret < 0 && -ret == e.code && e.msg[0] && recorded(&r, e.msg) && !id;
	ktap_diag("%s refused: %s (%s)", flavor, strerror(-ret), e.msg);
	unload(&r);
	return ok;
}

static int on_binding(const struct devmem_binding_info *pb, void *arg)
{
	*(struct devmem_binding_info *)arg = *pb;
	return 0;
}

static bool check_bindings_ours(void)
{
	struct devmem_binding_info pb = { 0 };
	struct recording r;
	struct devmem_err e = { 0 };
	bool ok;

	ok = load(&r, "ours", "bindings") && !devmem_pp_bindings(0, on_binding, &pb, &e) &&
	     pb.id == r.binding && pb.ifindex == r.ifindex && pb.buf_size == 4096 &&
	     (long)pb.dmabuf_size == r.dmabuf_size && pb.buffers == pb.dmabuf_size / 4096 &&
	     pb.buffers_user == 0 && pb.nqueues == 1 && pb.queues[0] == r.bound_queue;
	if (!ok)
		ktap_diag("binding %u ifindex %u size %llu buffers %llu queues %u",
			  pb.id, pb.ifindex, (unsigned long long)pb.dmabuf_size,
			  (unsigned long long)pb.buffers, pb.nqueues);
	unload(&r);
	return ok;
}

/* Stock has no dmabuf-pp family: the controller's refusal becomes ENOTSUP. */
static bool check_bindings_stock(void)
{
	struct devmem_binding_info pb;
	struct recording r;
	struct devmem_err e = { 0 };
	bool ok;

	ok = load(&r, "stock", "bindings") &&
	     devmem_pp_bindings(0, on_binding, &pb, &e) == -EOPNOTSUPP &&
	     strstr(e.msg, "\"dmabuf-pp\"");
	ktap_diag("stock bindings: %s", e.msg);
	unload(&r);
	return ok;
}

/*
 * The first page pool's first attribute cut to 2 bytes of value: too short
 * for any of the pool's u32/uint attributes, so the reply is malformed.
 */
static bool check_damaged_attribute(void)
{
	struct recording r;
	struct pools_seen s = { .r = &r };
	struct devmem_err e = { 0 };
	int i, ret = 0;
	bool ok;

	i = load_first_reply(&r, "pools", 24);
	ok = i >= 0;
	if (ok) {
		/* nlmsghdr (16), genlmsghdr (4), then the first attribute */
		uint8_t *nla = r.data[i] + 20;

		nla[0] = 6;
		nla[1] = 0;
		ret = devmem_page_pools(r.ifindex, on_pool, &s, &e);
	}
	ok = ok && ret == -EBADMSG && strstr(e.msg, "malformed");
	ktap_diag("damaged attribute: %s (%s)", strerror(-ret), e.msg);
	unload(&r);
	return ok;
}

/* A reply cut short: the dump never ends, and that is an error, not a hang. */
static bool check_cut_reply(void)
{
	unsigned int seen[33] = { 0 };
	struct recording r;
	struct devmem_err e = { 0 };
	int i, ret = 0;
	bool ok;

	i = load_first_reply(&r, "qstats", 40);
	ok = i >= 0;
	if (ok) {
		r.replay.nbufs = i + 1;		/* nothing after this buffer */
		r.bufs[i].len -= 8;		/* whose last message is torn */
		ret = devmem_rx_qstats(r.ifindex, on_qstats, seen, &e);
	}
	ok = ok && ret < 0 && e.code == -ret && e.msg[0];
	ktap_diag("cut reply: %s (%s)", strerror(-ret), e.msg);
	unload(&r);
	return ok;
}

int main(int argc, char **argv)
{
	static const char *const flavors[] = { "ours", "stock" };
	struct ktap t;

	if (argc != 2) {
		fprintf(stderr, "usage: libdevmem_replay DIR\n");
		return 2;
	}
	dir = argv[1];
	ktap_start(&t, 14);
	for (int i = 0; i < 2; i++) {
		const char *f = flavors[i];
		char name[64];

		snprintf(name, sizeof(name), "%s_hds_get_reads_tcp_data_split", f);
		ktap_result(&t, check_hds(f), name);
		snprintf(name, sizeof(name), "%s_page_pools_one_per_queue_one_of_binding", f);
		ktap_result(&t, check_pools(f), name);
		snprintf(name, sizeof(name), "%s_qstats_every_queue_once", f);
		ktap_result(&t, check_qstats(f), name);
		snprintf(name, sizeof(name), "%s_bind_reply_gives_the_binding_id", f);
		ktap_result(&t, check_bind(f), name);
		snprintf(name, sizeof(name), "%s_refusal_keeps_errno_and_extack_text", f);
		ktap_result(&t, check_bind_refused(f), name);
	}
	ktap_result(&t, check_bindings_ours(), "ours_binding_statistics_read");
	ktap_result(&t, check_bindings_stock(), "stock_missing_family_is_eopnotsupp");
	ktap_result(&t, check_damaged_attribute(), "damaged_attribute_is_malformed");
	ktap_result(&t, check_cut_reply(), "cut_reply_is_an_error");
	ktap_exit(&t);
}
