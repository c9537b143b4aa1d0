// SPDX-License-Identifier: GPL-2.0-only
/*
 * How a binding leaves its device, as the dmabuf-pp family tells it:
 *
 *   - unbind-ntf is sent once per binding, when it really left: not for a
 *     bind that failed and rolled back (nobody was given its id), not for
 *     an unbind whose queue failed to restart (the binding stays), and
 *     then once, when the device unregisters;
 *   - a bound device cannot move to another namespace, and says why;
 *   - a binding of hundreds of queues is reported whole by get, dump and
 *     the notification.
 *
 * Notifications arrive in the order they were sent, so "none for X" is
 * proved without waiting: bind and unbind a sentinel binding, and count
 * what arrives before the sentinel's own notification.
 *
 * usage: devmem_unbind DEV NSIM_ID MANY_DEV MANY_QUEUES OUR_NS OTHER_NS
 *   DEV          a netdevsim netdev with 4 RX queues and header split on;
 *                deleted by the last case
 *   NSIM_ID      its netdevsim device id (rxq_restart_fail, del_device)
 *   MANY_DEV     a netdevsim netdev with MANY_QUEUES queues, header split on
 *   OUR_NS       the namespace of both, where this runs (as root)
 *   OTHER_NS     a namespace DEV may not move to while bound
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <devmem.h>
#include "../lib/ktap.h"

#define DMABUF_SIZE	(4u << 20)
#define TIMEOUT_MS	20000
#define SENTINEL_QUEUE	0
#define MAX_SEEN	64

static struct ktap t;
static int ifindex, many_ifindex, sentinel_ifindex, dmabuf;
static const char *dev, *nsim_id, *our_ns, *other_ns;
static struct devmem_pp_watch *watch;
/* The binding of case 5: its queue failed to restart, so it stays. */
static uint32_t stuck_id;

/* Notifications counted per binding id until the sentinel's arrived. */
struct tally {
	unsigned int n;
	uint32_t id[MAX_SEEN];
	uint32_t nqueues[MAX_SEEN];
	uint32_t ifindex[MAX_SEEN];
};

static unsigned int tally_of(const struct tally *tl, uint32_t id)
{
	unsigned int i, n = 0;

	for (i = 0; i < tl->n; i++)
		n += tl->id[i] == id;
	return n;
}

static void tally_show(const char *what, const struct tally *tl)
{
	char line[512] = "";
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < tl->n && len < sizeof(line) - 32; i++)
		len += snprintf(line + len, sizeof(line) - len, " %u(ifindex %u, %u queues)",
				tl->id[i], tl->ifindex[i], tl->nqueues[i]);
	ktap_diag("%s: %u notification(s)%s", what, tl->n, line);
}

static bool bind_queues(int idx, const unsigned int *q, size_t n,
			struct devmem_binding **b, struct devmem_err *e)
{
	return devmem_pp_bind(idx, dmabuf, q, n, 0, b, e) == 0;
}

/*
 * Bind and unbind the sentinel, then read notifications until its own
 * arrives; every notification sent before it is then in @tl.
 */
static bool read_to_sentinel(struct tally *tl)
{
	unsigned int q = SENTINEL_QUEUE;
	struct devmem_binding_info *got;
	struct devmem_binding *s;
	struct devmem_err e;
	uint32_t sid;
	bool ok = false;

	memset(tl, 0, sizeof(*tl));
	if (!bind_queues(sentinel_ifindex, &q, 1, &s, &e)) {
		ktap_diag("sentinel bind: %s \"%s\"", strerror(e.code), e.msg);
		return false;
	}
	sid = devmem_binding_id(s);
	devmem_unbind(s);

	got = malloc(sizeof(*got));
	while (got) {
		if (devmem_pp_watch_next(watch, TIMEOUT_MS, got, &e)) {
			ktap_diag("waiting for the sentinel's notification: %s \"%s\"",
				  strerror(e.code), e.msg);
			break;
		}
		if (got->id == sid) {
			ok = true;
			break;
		}
		if (tl->n < MAX_SEEN) {
			tl->id[tl->n] = got->id;
			tl->nqueues[tl->n] = got->nqueues;
			tl->ifindex[tl->n] = got->ifindex;
		}
		tl->n++;
	}
	free(got);
	return ok;
}

static int take_one(const struct devmem_binding_info *got, void *arg)
{
	memcpy(arg, got, sizeof(*got));
	return 0;
}

/* The binding as get reports it; false if get fails. */
static bool get_binding(uint32_t id, struct devmem_binding_info *got)
{
	struct devmem_err e;

	if (devmem_pp_bindings(id, take_one, got, &e)) {
		ktap_diag("get %u: %s \"%s\"", id, strerror(e.code), e.msg);
		return false;
	}
	return true;
}

static bool restart_fails_next(unsigned int queue)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path),
		 "/sys/kernel/debug/netdevsim/netdevsim%s/ports/0/rxq_restart_fail",
		 nsim_id);
	f = fopen(path, "w");
	if (!f) {
		ktap_diag("%s: %s", path, strerror(errno));
		return false;
	}
	ret = fprintf(f, "%u\n", queue);
	return fclose(f) == 0 && ret > 0;
}

/* 1: an unbind is announced once, after its queue went back to host memory. */
static bool unbind_announced_once(void)
{
	struct devmem_binding *b;
	unsigned int q = 1;
	struct devmem_err e;
	struct tally tl;
	uint32_t id;

	if (!bind_queues(ifindex, &q, 1, &b, &e)) {
		ktap_diag("bind: %s \"%s\"", strerror(e.code), e.msg);
		return false;
	}
	id = devmem_binding_id(b);
	devmem_unbind(b);
	if (!read_to_sentinel(&tl))
		return false;
	tally_show("after the unbind", &tl);
	return tl.n == 1 && tally_of(&tl, id) == 1 &&
	       tl.ifindex[0] == (uint32_t)ifindex && tl.nqueues[0] == 0;
}

/*
 * 2: a bind whose second queue fails to restart rolls back: the id was
 * never given out, and is never announced.
 */
static bool failed_bind_not_announced(void)
{
	const unsigned int q[] = { 2, 3 };
	struct devmem_binding *b = NULL;
	struct devmem_err e;
	struct tally tl;
	int ret;

	if (!restart_fails_next(3))
		return false;
	ret = devmem_pp_bind(ifindex, dmabuf, q, 2, 0, &b, &e);
	if (ret == 0) {
		ktap_diag("bind of queues 2-3 succeeded despite the failed restart");
		devmem_unbind(b);
		return false;
	}
	ktap_diag("bind refused: %s \"%s\"", strerror(e.code), e.msg);
	if (!read_to_sentinel(&tl))
		return false;
	tally_show("after the failed bind", &tl);
	return e.code == ENOMEM && tl.n == 0;
}

/*
 * 5: an unbind whose queue fails to restart leaves the binding on its
 * device: no notification, and get still shows it on its queue.
 */
static bool stuck_unbind_not_announced(void)
{
	struct devmem_binding_info *got = calloc(1, sizeof(*got));
	struct devmem_binding *b;
	unsigned int q = 2;
	struct devmem_err e;
	struct tally tl;
	bool ok;

	if (!got || !bind_queues(ifindex, &q, 1, &b, &e) || !restart_fails_next(2)) {
		free(got);
		return false;
	}
	stuck_id = devmem_binding_id(b);
	devmem_unbind(b);
	ok = read_to_sentinel(&tl) && get_binding(stuck_id, got);
	tally_show("after the unbind that failed to restart", &tl);
	ok = ok && tl.n == 0 && got->ifindex == (uint32_t)ifindex &&
	     got->nqueues == 1 && got->queues[0] == 2;
	ktap_diag("binding %u: ifindex %u, %u queue(s)", stuck_id, got->ifindex,
		  got->nqueues);
	free(got);
	return ok;
}

/* Run @cmd through the shell; its stderr goes to @err (NUL-terminated). */
static int run(const char *cmd, char *err, size_t len)
{
	char full[512];
	FILE *p;
	size_t n;

	snprintf(full, sizeof(full), "%s 2>&1", cmd);
	p = popen(full, "r");
	if (!p)
		return -1;
	n = fread(err, 1, len - 1, p);
	err[n] = '\0';
	return pclose(p);
}

/*
 * 3: a bound device stays in its namespace, with a message; get, the
 * other namespace's view and the move after the unbind agree.
 */
static bool move_refused_while_bound(void)
{
	struct devmem_binding_info *got = calloc(1, sizeof(*got));
	struct devmem_binding *b = NULL;
	char cmd[256], out[512];
	unsigned int q = 3;
	struct devmem_err e;
	struct tally tl;
	int rc, seen;
	uint32_t id;
	bool ok;

	if (!got || !bind_queues(ifindex, &q, 1, &b, &e)) {
		free(got);
		return false;
	}
	snprintf(cmd, sizeof(cmd), "ip link set %s netns %s", dev, other_ns);
	rc = run(cmd, out, sizeof(out));
	ktap_diag("while bound: %s", out);
	ok = rc != 0 && strstr(out, "is bound to dma-buf") &&
	     get_binding(devmem_binding_id(b), got) &&
	     got->ifindex == (uint32_t)ifindex && got->nqueues == 1;
	snprintf(cmd, sizeof(cmd), "ip -n %s link show %s", other_ns, dev);
	seen = run(cmd, out, sizeof(out));
	ok = ok && seen != 0;	/* not in the other namespace */

	id = devmem_binding_id(b);
	devmem_unbind(b);
	ok = read_to_sentinel(&tl) && ok;
	tally_show("after the unbind", &tl);
	ok = ok && tl.n == 1 && tally_of(&tl, id) == 1;
	snprintf(cmd, sizeof(cmd), "ip link set %s netns %s", dev, other_ns);
	rc = run(cmd, out, sizeof(out));
	ktap_diag("move after the unbind: exit %d %s", rc, out);
	/* Back, and up again (a move takes a device down). */
	snprintf(cmd, sizeof(cmd),
		 "ip -n %s link set %s netns %s && ip link set %s up",
		 other_ns, dev, our_ns, dev);
	ok = ok && rc == 0 && run(cmd, out, sizeof(out)) == 0;
	ifindex = devmem_ifindex(dev);
	free(got);
	return ok && ifindex > 0;
}

/*
 * 4: one binding over every queue of MANY_DEV: get and dump report all of
 * them, and the notification of its unbind arrives.
 */
static unsigned int many_queues;

static bool many_queues_reported(void)
{
	unsigned int nqueues = many_queues;
	struct devmem_binding_info *got = calloc(1, sizeof(*got));
	unsigned int *q = calloc(nqueues, sizeof(*q));
	struct devmem_binding *b = NULL;
	unsigned int i, sum = 0;
	struct devmem_err e;
	struct tally tl;
	uint32_t id;
	bool ok;

	if (!got || !q)
		goto fail;
	for (i = 0; i < nqueues; i++)
		q[i] = i;
	if (!bind_queues(many_ifindex, q, nqueues, &b, &e)) {
		ktap_diag("bind %u queues: %s \"%s\"", nqueues, strerror(e.code),
			  e.msg);
		goto fail;
	}
	id = devmem_binding_id(b);
	ok = get_binding(id, got) && got->nqueues == nqueues;
	for (i = 0; ok && i < got->nqueues; i++)
		sum += got->queues[i];
	ktap_diag("get: %u queues, sum of indexes %u", got->nqueues, sum);
	ok = ok && sum == nqueues * (nqueues - 1) / 2;

	memset(got, 0, sizeof(*got));
	if (devmem_pp_bindings(0, take_one, got, &e)) {
		ktap_diag("dump: %s \"%s\"", strerror(e.code), e.msg);
		ok = false;
	}
	ktap_diag("dump: binding %u with %u queues", got->id, got->nqueues);
	ok = ok && got->id == id && got->nqueues == nqueues;

	devmem_unbind(b);
	ok = read_to_sentinel(&tl) && ok;
	tally_show("after the unbind", &tl);
	ok = ok && tl.n == 1 && tally_of(&tl, id) == 1 &&
	     tl.ifindex[0] == (uint32_t)many_ifindex;
	free(q);
	free(got);
	return ok;
fail:
	free(q);
	free(got);
	return false;
}

/*
 * 6: the binding of case 5 is announced, once, when its device goes: that
 * is when it really left it. The sentinel moves to MANY_DEV.
 */
static bool stuck_announced_at_unregister(void)
{
	struct tally tl;
	FILE *f;

	f = fopen("/sys/bus/netdevsim/del_device", "w");
	if (!f || fprintf(f, "%s\n", nsim_id) < 0 || fclose(f)) {
		ktap_diag("del_device %s: %s", nsim_id, strerror(errno));
		return false;
	}
	sentinel_ifindex = many_ifindex;
	if (!read_to_sentinel(&tl))
		return false;
	tally_show("after the device was deleted", &tl);
	return stuck_id && tl.n == 1 && tally_of(&tl, stuck_id) == 1 &&
	       tl.ifindex[0] == (uint32_t)ifindex;
}

int main(int argc, char **argv)
{
	static const struct {
		bool (*fn)(void);
		const char *name;
	} cases[] = {
		{ unbind_announced_once, "unbind_announced_once" },
		{ failed_bind_not_announced, "failed_bind_not_announced" },
		{ move_refused_while_bound, "move_refused_while_bound" },
		{ many_queues_reported, "many_queues_reported" },
		{ stuck_unbind_not_announced, "stuck_unbind_not_announced" },
		{ stuck_announced_at_unregister, "stuck_announced_at_unregister" },
	};
	struct devmem_err e;
	unsigned int i;

	ktap_start(&t, sizeof(cases) / sizeof(cases[0]));
	if (argc != 7) {
		fprintf(stderr, "usage: devmem_unbind DEV NSIM_ID MANY_DEV MANY_QUEUES OUR_NS OTHER_NS\n");
		return 2;
	}
	dev = argv[1];
	nsim_id = argv[2];
	many_queues = strtoul(argv[4], NULL, 10);
	our_ns = argv[5];
	other_ns = argv[6];
	ifindex = sentinel_ifindex = devmem_ifindex(dev);
	many_ifindex = devmem_ifindex(argv[3]);
	dmabuf = devmem_udmabuf_create_anon("unbind", 0, DMABUF_SIZE, false, 0);
	if (ifindex <= 0 || many_ifindex <= 0 || dmabuf < 0 ||
	    many_queues < 2 || many_queues > DEVMEM_PP_MAX_QUEUES ||
	    devmem_pp_watch_open(&watch, &e)) {
		ktap_diag("setup: ifindex %d/%d dmabuf %d queues %u", ifindex,
			  many_ifindex, dmabuf, many_queues);
		return 1;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ktap_result(&t, cases[i].fn(), cases[i].name);
	devmem_pp_watch_close(watch);
	close(dmabuf);
	ktap_exit(&t);
}
