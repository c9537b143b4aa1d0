// SPDX-License-Identifier: GPL-2.0-only
/*
 * The dmabuf-pp generic netlink family, against a netdevsim device with
 * header split on and QUEUES RX queues: bind with and without a buffer
 * size, every attribute of get, refusals with their extack text, a dump
 * across one binding per queue (more than one dump message's worth), no
 * binding seen from another network namespace, the unbind notification,
 * and every binding gone once their sockets are closed.
 *
 * usage: dmabuf_pp_family DEV QUEUES    (in DEV's namespace, as root)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <devmem.h>
#include "../lib/ktap.h"

#define DMABUF_SIZE	(4u << 20)
#define MAX_QUEUES	DEVMEM_PP_MAX_QUEUES
#define TIMEOUT_MS	10000

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

static struct ktap t;
static int ifindex, dmabuf;
static unsigned int nqueues;
static struct devmem_binding *b[MAX_QUEUES];

/* Our namespace's cookie, as the kernel reports it for any socket. */
static uint64_t netns_cookie(void)
{
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd >= 0) {
		getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len);
		close(fd);
	}
	return cookie;
}

static int take_one(const struct devmem_binding_info *got, void *arg)
{
	*(struct devmem_binding_info *)arg = *got;
	return 0;
}

struct census {
	unsigned int n;
	unsigned int per_queue[MAX_QUEUES];	/* bindings seen on each */
	uint32_t ids_sum;
};

static int count(const struct devmem_binding_info *got, void *arg)
{
	struct census *c = arg;

	c->n++;
	c->ids_sum += got->id;
	if (got->nqueues == 1 && got->queues[0] < MAX_QUEUES)
		c->per_queue[got->queues[0]]++;
	return 0;
}

static bool refused(const char *what, int ret, const struct devmem_err *e,
		    int code, const char *text)
{
	bool ok = ret == -code && e->code == code && strstr(e->msg, text);

	if (!ok)
		ktap_diag("%s: %d, errno %d \"%s\"; want -%d \"%s\"", what, ret,
			  e->code, e->msg, code, text);
	return ok;
}

static bool bind_default_buf_size(void)
{
	unsigned int q = 0;
	struct devmem_err e;

	if (devmem_pp_bind(ifindex, dmabuf, &q, 1, 0, &b[0], &e)) {
		ktap_diag("bind queue 0: %s \"%s\"", strerror(e.code), e.msg);
		return false;
	}
	return devmem_binding_buf_size(b[0]) == 4096;
}

static bool get_reports_every_attribute(void)
{
	struct devmem_binding_info got = { 0 };
	struct devmem_err e;

	if (devmem_pp_bindings(devmem_binding_id(b[0]), take_one, &got, &e)) {
		ktap_diag("get: %s \"%s\"", strerror(e.code), e.msg);
		return false;
	}
	ktap_diag("id %u ifindex %u buf_size %u dmabuf_size %llu buffers %llu free %llu user %llu rx_bytes %llu queues %u",
		  got.id, got.ifindex, got.buf_size,
		  (unsigned long long)got.dmabuf_size,
		  (unsigned long long)got.buffers,
		  (unsigned long long)got.buffers_free,
		  (unsigned long long)got.buffers_user,
		  (unsigned long long)got.rx_bytes, got.nqueues);
	return got.id == devmem_binding_id(b[0]) &&
	       got.ifindex == (uint32_t)ifindex &&
	       got.netns_cookie && got.netns_cookie == netns_cookie() &&
	       got.buf_size == 4096 && got.dmabuf_size == DMABUF_SIZE &&
	       got.buffers == DMABUF_SIZE / 4096 &&
	       got.buffers_free <= got.buffers && got.buffers_user == 0 &&
	       got.rx_bytes == 0 && got.nqueues == 1 && got.queues[0] == 0;
}

static bool refusals_say_why(void)
{
	struct devmem_binding *x = NULL;
	unsigned int q = 1;
	struct devmem_err e;
	bool ok;

	ok = refused("buf-size 65536 on 4096 buffers",
		     devmem_pp_bind(ifindex, dmabuf, &q, 1, 65536, &x, &e), &e,
		     EINVAL, "are 4096 bytes (rx-buf-len), not 65536");
	ok &= refused("no queue", devmem_pp_bind(ifindex, dmabuf, &q, 0, 0, &x, &e),
		      &e, EINVAL, "no RX queue given to bind");
	ok &= refused("queue 0 again",
		      devmem_pp_bind(ifindex, dmabuf, (unsigned int[]){ 0 }, 1, 0,
				     &x, &e),
		      &e, EEXIST, "RX queue 0 is already bound");
	ok &= refused("no such binding",
		      devmem_pp_bindings(0x7fffffff, count, &(struct census){ 0 },
					 &e),
		      &e, ENOENT, "no binding with id 2147483647");
	return ok;
}

/* One binding per queue: more than fits in one dump message. */
static bool dump_across_many_bindings(void)
{
	struct census c = { 0 };
	uint32_t ids_sum = 0;
	struct devmem_err e;
	bool ok = true;

	for (unsigned int q = 1; q < nqueues; q++) {
		if (devmem_pp_bind(ifindex, dmabuf, &q, 1, 4096, &b[q], &e)) {
			ktap_diag("bind queue %u: %s \"%s\"", q,
				  strerror(e.code), e.msg);
			return false;
		}
	}
	for (unsigned int q = 0; q < nqueues; q++)
		ids_sum += devmem_binding_id(b[q]);
	if (devmem_pp_bindings(0, count, &c, &e)) {
		ktap_diag("dump: %s \"%s\"", strerror(e.code), e.msg);
		return false;
	}
	for (unsigned int q = 0; q < nqueues; q++)
		ok &= c.per_queue[q] == 1;
	ktap_diag("dump: %u bindings, one per queue: %s", c.n,
		  ok ? "yes" : "no");
	return ok && c.n == nqueues && c.ids_sum == ids_sum;
}

/* A fresh namespace sees none of them. */
static bool other_netns_sees_none(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		struct census c = { 0 };
		struct devmem_err e;

		if (unshare(CLONE_NEWNET) || devmem_pp_bindings(0, count, &c, &e))
			_exit(2);
		_exit(c.n ? 1 : 0);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool unbind_notifies(void)
{
	uint32_t id = devmem_binding_id(b[0]);
	struct devmem_binding_info got = { 0 };
	struct devmem_pp_watch *w;
	struct devmem_err e;
	int ret;

	if (devmem_pp_watch_open(&w, &e)) {
		ktap_diag("watch: %s \"%s\"", strerror(e.code), e.msg);
		return false;
	}
	devmem_unbind(b[0]);
	b[0] = NULL;
	ret = devmem_pp_watch_next(w, TIMEOUT_MS, &got, &e);
	devmem_pp_watch_close(w);
	if (ret) {
		ktap_diag("notification: %s \"%s\"", strerror(e.code), e.msg);
		return false;
	}
	ktap_diag("unbind-ntf: id %u ifindex %u queues %u", got.id,
		  got.ifindex, got.nqueues);
	/* It left every queue it had (devmem_unbind.sh: once, and when) */
	return got.id == id && got.ifindex == (uint32_t)ifindex &&
	       got.nqueues == 0;
}

/* With no traffic nothing is out: each binding goes with its socket. */
static bool all_gone_after_close(void)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	struct census c;
	struct devmem_err e;

	for (unsigned int q = 0; q < nqueues; q++) {
		devmem_unbind(b[q]);
		b[q] = NULL;
	}
	for (int i = 0; i < TIMEOUT_MS / 100; i++) {
		c = (struct census){ 0 };
		if (devmem_pp_bindings(0, count, &c, &e))
			return false;
		if (!c.n)
			return true;
		nanosleep(&ts, NULL);	/* polls a condition, with a deadline */
	}
	ktap_diag("%u bindings left", c.n);
	return false;
}

int main(int argc, char **argv)
{
	static const struct {
		bool (*fn)(void);
		const char *name;
	} cases[] = {
		{ bind_default_buf_size, "bind_default_buf_size" },
		{ get_reports_every_attribute, "get_reports_every_attribute" },
		{ refusals_say_why, "refusals_say_why" },
		{ dump_across_many_bindings, "dump_across_many_bindings" },
		{ other_netns_sees_none, "other_netns_sees_none" },
		{ unbind_notifies, "unbind_notifies" },
		{ all_gone_after_close, "all_gone_after_close" },
	};
	unsigned int i;

	ktap_start(&t, sizeof(cases) / sizeof(cases[0]));
	if (argc != 3) {
		fprintf(stderr, "usage: dmabuf_pp_family DEV QUEUES\n");
		return 2;
	}
	ifindex = devmem_ifindex(argv[1]);
	nqueues = strtoul(argv[2], NULL, 10);
	dmabuf = devmem_udmabuf_create_anon("pp-family", 0, DMABUF_SIZE, false, 0);
	if (ifindex <= 0 || dmabuf < 0 || nqueues < 2 || nqueues > MAX_QUEUES) {
		ktap_diag("setup: ifindex %d dmabuf %d queues %u", ifindex,
			  dmabuf, nqueues);
		return 1;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ktap_result(&t, cases[i].fn(), cases[i].name);
	for (i = 0; i < nqueues; i++)
		devmem_unbind(b[i]);
	close(dmabuf);
	ktap_exit(&t);
}
