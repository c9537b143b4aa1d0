// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmem-rx --iperf: the server end of one iperf3 test, TCP, client to
 * server, every stream received with devmem.
 *
 * iperf3's protocol as the stock client (Debian 12's iperf3 3.12, and
 * later ones) speaks it. The client opens a control connection and sends
 * a 37-byte cookie; from then on the server drives it with one-byte
 * states. PARAM_EXCHANGE: the client sends its parameters as JSON (a
 * 32-bit big-endian length, then the text). CREATE_STREAMS: it opens
 * "parallel" more connections, each starting with the same cookie.
 * TEST_START, TEST_RUNNING: it sends until its time or byte count is up,
 * then sends TEST_END on the control connection. EXCHANGE_RESULTS: it
 * sends its results (JSON), then reads the server's, whose per-stream
 * byte counts become its "receiver" line. DISPLAY_RESULTS: it prints,
 * answers IPERF_DONE and closes. A server that cannot run the test sends
 * SERVER_ERROR and two 32-bit numbers, iperf3's error code and an errno.
 *
 * Everything the client sends is read through the devmem path (see
 * iperf_conn.c), since a flow rule on the port steers the control
 * connection to the bound queue as well.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/tcp_server.h"
#include "devmem_rx.h"
#include "iperf_conn.h"
#include "iperf_json.h"

/* Protocol states (one signed byte on the control connection). */
enum {
	IPERF_TEST_START = 1,
	IPERF_TEST_RUNNING = 2,
	IPERF_TEST_END = 4,
	IPERF_PARAM_EXCHANGE = 9,
	IPERF_CREATE_STREAMS = 10,
	IPERF_CLIENT_TERMINATE = 12,
	IPERF_EXCHANGE_RESULTS = 13,
	IPERF_DISPLAY_RESULTS = 14,
	IPERF_DONE = 16,
	IPERF_ACCESS_DENIED = -1,
	IPERF_SERVER_ERROR = -2,
};

#define IPERF_COOKIE_SIZE 37	/* 36 characters and a NUL */
#define IPERF_IEUNIMP 13	/* iperf3's "not implemented" error code */
#define IPERF_MAX_JSON (1 << 20)	/* what one message may announce */
#define STREAM_IOV (1024 * 1024)	/* bytes asked of one recvmsg() */
#define STREAM_BURST 16			/* recvmsg()s per stream per poll round */

struct stream {
	struct conn c;		/* its cookie; then closed */
	struct devmem_rx *rx;	/* its data */
	int fd;
	int id;			/* the client's stream id, from its results */
	uint64_t bytes;
	bool eof;
	const struct dmabuf_view *v;
	struct rx_counts *counts;
};

struct test {
	const struct opts *o;
	const struct dmabuf_view *v;
	int ctl_fd;
	struct conn ctl;
	char cookie[IPERF_COOKIE_SIZE];
	int nstreams;
	struct stream s[IPERF_MAX_STREAMS];
	double seconds;
	double cpu_user, cpu_system;	/* seconds, during the test */
	uint64_t sender_bytes;		/* what the client says it sent */
	struct rx_counts counts;
	struct progress progress;
};

static int send_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		p += k;
		n -= k;
	}
	return 0;
}

static int send_state(struct test *t, signed char state)
{
	int ret = send_all(t->ctl_fd, &state, 1);

	if (ret)
		fprintf(stderr, "devmem-rx: iperf3 control connection: %s\n", strerror(-ret));
	return ret;
}

/* Tell the client we cannot run its test; @why goes to our stderr. */
static int refuse(struct test *t, const char *why)
{
	uint32_t codes[2] = { htonl(IPERF_IEUNIMP), 0 };

	fprintf(stderr, "devmem-rx: refusing the iperf3 test: %s\n", why);
	if (!send_state(t, IPERF_SERVER_ERROR))
		send_all(t->ctl_fd, codes, sizeof(codes));
	return -EOPNOTSUPP;
}

static void ctl_error(const char *what, int err)
{
	if (err == -ECONNRESET)
		fprintf(stderr, "devmem-rx: iperf3 client closed the control connection %s\n",
			what);
	else if (err == -EAGAIN)
		fprintf(stderr, "devmem-rx: iperf3 client silent %s\n", what);
	else
		fprintf(stderr, "devmem-rx: iperf3 control connection, %s: %s\n", what,
			strerror(-err));
}

static int read_state(struct test *t, const char *what, signed char *state)
{
	int ret = conn_read(&t->ctl, state, 1);

	if (ret)
		ctl_error(what, ret);
	return ret;
}

/* A length-prefixed JSON message: its text (malloc'd) and length. */
static int read_json(struct test *t, const char *what, char **out, uint32_t *lenp)
{
	uint32_t len;
	char *text;
	int ret;

	ret = conn_read(&t->ctl, &len, sizeof(len));
	if (ret) {
		ctl_error(what, ret);
		return ret;
	}
	len = ntohl(len);
	if (len > IPERF_MAX_JSON) {
		fprintf(stderr, "devmem-rx: iperf3 %s: %u bytes of JSON announced\n", what, len);
		return -EPROTO;
	}
	text = malloc(len ? len : 1);
	if (!text)
		return -ENOMEM;
	ret = conn_read(&t->ctl, text, len);
	if (ret) {
		ctl_error(what, ret);
		free(text);
		return ret;
	}
	*out = text;
	*lenp = len;
	return 0;
}

/* The client's parameters: only a plain TCP test towards us can be run. */
static int read_params(struct test *t)
{
	char why[IPERF_WHY_SIZE];
	uint32_t len;
	char *text;
	int ret;

	ret = read_json(t, "parameters", &text, &len);
	if (ret)
		return ret;
	ret = iperf_json_params(text, len, &t->nstreams, why);
	free(text);
	if (ret == -EOPNOTSUPP)
		return refuse(t, why);
	if (ret)
		fprintf(stderr, "devmem-rx: iperf3 parameters: %s\n", why);
	return ret;
}

#define DENIED 1		/* accept_one(): not one of ours, turned away */
#define MAX_DENIED 16		/* foreign connections tolerated during setup */

/* Accept stream @s; DENIED when it brings another cookie. */
static int accept_one(struct test *t, struct stream *s, int lfd)
{
	signed char denied = IPERF_ACCESS_DENIED;
	char cookie[IPERF_COOKIE_SIZE];
	int ret;

	s->fd = tcp_accept_one("devmem-rx", lfd, t->o->timeout_s);
	if (s->fd < 0)
		return -ETIMEDOUT;
	ret = conn_open(&s->c, s->fd, t->v);
	if (!ret)
		ret = conn_read(&s->c, cookie, sizeof(cookie));
	if (!ret && memcmp(cookie, t->cookie, sizeof(cookie))) {
		send_all(s->fd, &denied, 1);
		ret = DENIED;
	} else if (!ret && conn_pending(&s->c)) {
		fprintf(stderr, "devmem-rx: iperf3 stream sent data before the test began\n");
		ret = -EPROTO;
	} else if (!ret) {
		ret = devmem_rx_open(s->fd, STREAM_IOV, &s->rx);
	}
	conn_close(&s->c);
	if (ret) {
		close(s->fd);
		s->fd = -1;
	}
	return ret;
}

/* Accept the test's streams; connections with another cookie are denied. */
static int accept_streams(struct test *t, int lfd)
{
	int i = 0, denied = 0, ret;

	while (i < t->nstreams) {
		ret = accept_one(t, &t->s[i], lfd);
		if (ret == DENIED) {
			fprintf(stderr, "devmem-rx: a connection with another cookie, denied\n");
			if (++denied > MAX_DENIED)
				return -EACCES;
			continue;
		}
		if (ret) {
			fprintf(stderr, "devmem-rx: iperf3 stream %d: %s\n", i + 1, strerror(-ret));
			return ret;
		}
		t->s[i].v = t->v;
		t->s[i].counts = &t->counts;
		i++;
	}
	return 0;
}

static int count_frag(const struct devmem_frag *f, void *arg)
{
	struct stream *s = arg;
	struct rx_counts *c = s->counts;

	if (f->kind == DEVMEM_FRAG_DMABUF) {
		int ret = view_check(s->v, f);

		if (ret)
			return ret;
		c->dmabuf_bytes += f->size;
		c->frags++;	/* devmem_rx_recv() gives each one's token back */
		if (f->size > c->max_frag)
			c->max_frag = f->size;
	} else {
		c->linear_bytes += f->size;
	}
	c->total += f->size;
	s->bytes += f->size;
	return 0;
}

/* Read what @s has queued, a burst at most (all of it with @all). */
static int drain(struct stream *s, bool all)
{
	for (int i = 0; all || i < STREAM_BURST; i++) {
		ssize_t n = devmem_rx_recv(s->rx, MSG_DONTWAIT, count_frag, s);

		if (n == -EAGAIN || n == -EINTR)
			return 0;
		if (n == 0) {
			s->eof = true;
			return 0;
		}
		if (n < 0) {
			fprintf(stderr, "devmem-rx: iperf3 stream %d: %s\n", s->id,
				strerror((int)-n));
			return n;
		}
	}
	return 0;
}

static double cpu_of(const struct timeval *tv)
{
	return tv->tv_sec + tv->tv_usec / 1e6;
}

/* Receive on every stream until the client says TEST_END. */
static int run_test(struct test *t)
{
	struct pollfd pfd[1 + IPERF_MAX_STREAMS];
	double t0 = wall_seconds(), idle_since = t0;
	uint64_t seen = 0;
	struct rusage ru0, ru1;
	signed char state;
	int i, ret;

	getrusage(RUSAGE_SELF, &ru0);
	pfd[0] = (struct pollfd){ .fd = t->ctl_fd, .events = POLLIN };
	for (i = 0; i < t->nstreams; i++)
		pfd[1 + i] = (struct pollfd){ .fd = t->s[i].fd, .events = POLLIN };
	progress_start(&t->progress, t->o->progress);

	for (;;) {
		if (poll(pfd, 1 + t->nstreams, conn_pending(&t->ctl) ? 0 : 1000) < 0 &&
		    errno != EINTR) {
			perror("devmem-rx: poll");
			return -errno;
		}
		for (i = 0; i < t->nstreams; i++) {
			if (!(pfd[1 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ret = drain(&t->s[i], false);
			if (ret)
				return ret;
			if (t->s[i].eof)
				pfd[1 + i].fd = -1;	/* the client closed it early */
		}
		/* a state byte may already sit in our buffer, unseen by poll() */
		if (pfd[0].revents || conn_pending(&t->ctl)) {
			ret = read_state(t, "during the test", &state);
			if (ret)
				return ret;
			if (state == IPERF_TEST_END)
				break;
			if (state == IPERF_CLIENT_TERMINATE)
				fprintf(stderr, "devmem-rx: the iperf3 client was interrupted\n");
			else
				fprintf(stderr, "devmem-rx: iperf3 state %d during the test\n", state);
			return -EPROTO;
		}
		progress_update(&t->progress, &t->counts);
		if (t->counts.total != seen) {
			seen = t->counts.total;
			idle_since = wall_seconds();
		} else if (wall_seconds() - idle_since > t->o->timeout_s) {
			fprintf(stderr, "devmem-rx: no data for %d s\n", t->o->timeout_s);
			return -ETIMEDOUT;
		}
	}
	/* what arrived before TEST_END is the test's */
	for (i = 0; i < t->nstreams; i++) {
		ret = t->s[i].eof ? 0 : drain(&t->s[i], true);
		if (ret)
			return ret;
	}
	progress_end(&t->progress);
	t->seconds = wall_seconds() - t0;
	getrusage(RUSAGE_SELF, &ru1);
	t->cpu_user = cpu_of(&ru1.ru_utime) - cpu_of(&ru0.ru_utime);
	t->cpu_system = cpu_of(&ru1.ru_stime) - cpu_of(&ru0.ru_stime);
	return 0;
}

/*
 * The client's results: its stream ids, in the order it opened the
 * streams (which is the order we accepted them), and what it sent.
 */
static int read_client_results(struct test *t)
{
	int ids[IPERF_MAX_STREAMS], i, ret;
	char why[IPERF_WHY_SIZE];
	uint32_t len;
	char *text;

	ret = read_json(t, "results", &text, &len);
	if (ret)
		return ret;
	ret = iperf_json_results(text, len, t->nstreams, ids, &t->sender_bytes, why);
	free(text);
	if (ret) {
		fprintf(stderr, "devmem-rx: iperf3 results: %s\n", why);
		return ret;
	}
	for (i = 0; i < t->nstreams; i++)
		t->s[i].id = ids[i];
	return 0;
}

static int send_results(struct test *t)
{
	double wall = t->seconds > 0 ? t->seconds : 1e-9;
	size_t len = 0;
	uint32_t nlen;
	char *buf = NULL;
	FILE *f;
	int ret;

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	fprintf(f, "{\"cpu_util_total\":%.6f,\"cpu_util_user\":%.6f,"
		"\"cpu_util_system\":%.6f,\"sender_has_retransmits\":0,\"streams\":[",
		100 * (t->cpu_user + t->cpu_system) / wall,
		100 * t->cpu_user / wall, 100 * t->cpu_system / wall);
	for (int i = 0; i < t->nstreams; i++)
		fprintf(f, "%s{\"id\":%d,\"bytes\":%llu,\"retransmits\":-1,\"jitter\":0,"
			"\"errors\":0,\"packets\":0,\"start_time\":0,\"end_time\":%.6f}",
			i ? "," : "", t->s[i].id, (unsigned long long)t->s[i].bytes,
			t->seconds);
	fputs("]}", f);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	nlen = htonl(len);
	ret = send_all(t->ctl_fd, &nlen, sizeof(nlen));
	if (!ret)
		ret = send_all(t->ctl_fd, buf, len);
	if (ret)
		fprintf(stderr, "devmem-rx: sending iperf3 results: %s\n", strerror(-ret));
	free(buf);
	return ret;
}

static int exchange_results(struct test *t)
{
	signed char state;
	int ret;

	ret = send_state(t, IPERF_EXCHANGE_RESULTS);
	if (!ret)
		ret = read_client_results(t);
	if (!ret)
		ret = send_results(t);
	if (!ret)
		ret = send_state(t, IPERF_DISPLAY_RESULTS);
	if (ret)
		return ret;
	/* the client prints, then says IPERF_DONE (or just closes) */
	ret = conn_read(&t->ctl, &state, 1);
	if (ret == -ECONNRESET || (!ret && state == IPERF_DONE))
		return 0;
	if (ret)
		ctl_error("after the results", ret);
	else
		fprintf(stderr, "devmem-rx: iperf3 state %d after the results\n", state);
	return ret ? ret : -EPROTO;
}

static void report(const struct test *t, const struct devmem_binding_info *b)
{
	const struct rx_counts *c = &t->counts;
	double secs = t->seconds > 0 ? t->seconds : 1e-9;
	double gbps = c->total * 8 / secs / 1e9;

	if (t->o->json) {
		printf("{\"mode\": \"iperf3\", \"streams\": %d, \"bytes\": %llu, "
		       "\"dmabuf_bytes\": %llu, \"linear_bytes\": %llu, \"frags\": %llu, "
		       "\"max_frag\": %u, \"seconds\": %.6f, "
		       "\"gbit_per_s\": %.4f, \"cpu_seconds\": %.6f, \"sender_bytes\": %llu, "
		       "\"binding_id\": %u",
		       t->nstreams, (unsigned long long)c->total,
		       (unsigned long long)c->dmabuf_bytes,
		       (unsigned long long)c->linear_bytes, (unsigned long long)c->frags,
		       c->max_frag, t->seconds, gbps,
		       t->cpu_user + t->cpu_system, (unsigned long long)t->sender_bytes,
		       t->v ? t->v->binding_id : 0);
		if (t->v)
			print_binding(b, true);
		printf("}\n");
		return;
	}
	printf("devmem-rx: iperf3 test, %d stream%s: received %llu bytes in %.2f s "
	       "(%.2f Gbit/s): %llu in the dma-buf in %llu frags (largest %u), "
	       "%llu in host memory; the client sent %llu\n",
	       t->nstreams, t->nstreams == 1 ? "" : "s", (unsigned long long)c->total,
	       t->seconds, gbps, (unsigned long long)c->dmabuf_bytes,
	       (unsigned long long)c->frags, c->max_frag,
	       (unsigned long long)c->linear_bytes, (unsigned long long)t->sender_bytes);
	print_binding(b, false);
}

/* Control connection, parameters, streams: everything before TEST_START. */
static int set_up(struct test *t, int lfd)
{
	int ret;

	t->ctl_fd = tcp_accept_one("devmem-rx", lfd, t->o->timeout_s);
	if (t->ctl_fd < 0)
		return -ETIMEDOUT;
	ret = conn_open(&t->ctl, t->ctl_fd, t->v);
	if (ret)
		return ret;
	ret = conn_read(&t->ctl, t->cookie, sizeof(t->cookie));
	if (ret) {
		ctl_error("before its cookie", ret);
		return ret;
	}
	ret = send_state(t, IPERF_PARAM_EXCHANGE);
	if (!ret)
		ret = read_params(t);
	if (!ret)
		ret = send_state(t, IPERF_CREATE_STREAMS);
	if (ret)
		return ret;
	return accept_streams(t, lfd);
}

int iperf_serve(const struct opts *o, const struct dmabuf_view *v, int lfd)
{
	struct test *t = calloc(1, sizeof(*t));
	struct devmem_binding_info b;
	bool have_b = false;
	int i, ret;

	if (!t) {
		fprintf(stderr, "devmem-rx: out of memory\n");
		return 1;
	}
	t->o = o;
	t->v = v;
	t->ctl_fd = -1;
	for (i = 0; i < IPERF_MAX_STREAMS; i++)
		t->s[i].fd = -1;

	ret = set_up(t, lfd);
	if (!ret)
		ret = send_state(t, IPERF_TEST_START);
	if (!ret)
		ret = send_state(t, IPERF_TEST_RUNNING);
	if (!ret)
		ret = run_test(t);
	if (!ret)
		ret = exchange_results(t);
	/*
	 * The binding's statistics while the streams are still open: every
	 * token must have come back through SO_DEVMEM_DONTNEED by now, not
	 * through the close that follows.
	 */
	if (!ret && v)
		have_b = binding_stats(v->binding_id, &b);

	for (i = 0; i < IPERF_MAX_STREAMS; i++) {
		devmem_rx_close(t->s[i].rx);
		if (t->s[i].fd >= 0)
			close(t->s[i].fd);
	}
	conn_close(&t->ctl);
	if (t->ctl_fd >= 0)
		close(t->ctl_fd);
	if (!ret)
		report(t, have_b ? &b : NULL);
	free(t);
	return ret ? 1 : 0;
}
