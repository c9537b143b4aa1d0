// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmem-rx's pattern mode: connections of the shared pattern (devmem-tx,
 * tcpxfer send) read with recvmsg(MSG_SOCK_DEVMEM). Payload stays in the
 * dma-buf and arrives as (offset, size, token) cmsgs, packet heads arrive
 * in the iov; every byte can be checked against the pattern (the dma-buf
 * ones through the read-only mapping), and every token goes back to the
 * kernel unless --hold-tokens keeps them for the socket's close to free.
 * With --flows N, N children each receive one connection on the same
 * binding.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "../lib/uio_devmem.h"
#include "../lib/pattern.h"
#include "../lib/tcp_server.h"
#include "devmem_rx.h"

/* Bytes asked of one recvmsg(): a large batch keeps the per-call sync rare */
#define IOV_SIZE (1024 * 1024)
#define MAX_CMSGS 1024		/* devmem cmsgs one recvmsg() can return */

/* What one connection saw; the report prints it. */
struct stats {
	struct rx_counts c;
	double seconds;
	double cpu_seconds;	/* our own user + system time while receiving */
	bool bad;		/* first pattern mismatch, when verifying */
	bool bad_linear;
	uint64_t bad_stream;
	uint64_t bad_dmabuf;
};

/* Receive state shared with the per-fragment callback. */
struct rx {
	const struct opts *o;
	const struct dmabuf_view *v;
	int fd;
	bool synced;		/* inside DMA_BUF_SYNC_START .. END */
	const uint8_t *iov;	/* this recvmsg(): the iov buffer */
	size_t msg_bytes;	/* this recvmsg(): what it returned */
	size_t msg_seen;	/* this recvmsg(): bytes its cmsgs described */
	unsigned int msg_cmsgs;	/* this recvmsg(): devmem cmsgs seen */
	size_t iov_pos;		/* this recvmsg(): linear bytes consumed */
	struct devmem_token_batch batch;
	struct progress progress;
	struct stats st;
	struct devmem_binding_info binding;	/* its statistics, if have_binding */
	bool have_binding;
	FILE *frag_log;		/* --frag-log, or NULL */
};

static void note_bad(struct stats *st, uint64_t stream, bool linear,
		     uint64_t dmabuf_off)
{
	if (st->bad)
		return;
	st->bad = true;
	st->bad_stream = stream;
	st->bad_linear = linear;
	st->bad_dmabuf = dmabuf_off;
}

static int return_tokens(struct rx *rx)
{
	int ret = devmem_token_batch_flush(&rx->batch, rx->fd);

	if (ret == -EPROTO) {
		fprintf(stderr, "devmem-rx: SO_DEVMEM_DONTNEED freed fewer tokens than passed\n");
		return ret;
	}
	if (ret < 0) {
		fprintf(stderr, "devmem-rx: SO_DEVMEM_DONTNEED: %s\n", strerror(-ret));
		return ret;
	}
	rx->st.c.tokens += ret;
	return 0;
}

static int on_linear(struct rx *rx, const struct devmem_frag *f)
{
	/* Linear bytes are packed at the start of the iov, in order. */
	if (rx->o->verify && !rx->st.bad) {
		size_t i = pattern_check(rx->iov + rx->iov_pos, f->size, rx->st.c.total);

		if (i < f->size)
			note_bad(&rx->st, rx->st.c.total + i, true, 0);
	}
	rx->iov_pos += f->size;
	rx->st.c.linear_bytes += f->size;
	return 0;
}

static int on_dmabuf(struct rx *rx, const struct devmem_frag *f)
{
	int ret = view_check(rx->v, f);

	if (ret)
		return ret;
	if (rx->o->verify && !rx->st.bad) {
		size_t i;

		/* One START/END bracket covers all frags of a recvmsg(). */
		if (!rx->synced) {
			ret = devmem_dmabuf_sync(rx->v->fd,
						 DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
			if (ret) {
				fprintf(stderr, "devmem-rx: DMA_BUF_IOCTL_SYNC: %s\n",
					strerror(-ret));
				return ret;
			}
			rx->synced = true;
		}
		i = pattern_check(rx->v->map + f->offset, f->size, rx->st.c.total);
		if (i < f->size)
			note_bad(&rx->st, rx->st.c.total + i, false, f->offset + i);
	}
	if (!rx->o->hold_tokens && !devmem_token_batch_add(&rx->batch, f->token)) {
		ret = return_tokens(rx);
		if (ret)
			return ret;
		devmem_token_batch_add(&rx->batch, f->token);	/* empty now */
	}
	if (rx->frag_log)
		fprintf(rx->frag_log, "%llu %llu %u\n",
			(unsigned long long)f->offset,
			(unsigned long long)rx->st.c.total, f->size);
	rx->st.c.frags++;
	if (f->size > rx->st.c.max_frag)
		rx->st.c.max_frag = f->size;
	rx->st.c.dmabuf_bytes += f->size;
	return 0;
}

static int on_frag(const struct devmem_frag *f, void *arg)
{
	struct rx *rx = arg;
	int ret;

	if (f->size > rx->msg_bytes - rx->msg_seen) {
		fprintf(stderr, "devmem-rx: cmsgs describe more than the %zu bytes recvmsg() returned\n",
			rx->msg_bytes);
		return -EPROTO;
	}
	ret = f->kind == DEVMEM_FRAG_LINEAR ? on_linear(rx, f) : on_dmabuf(rx, f);
	if (ret)
		return ret;
	rx->msg_seen += f->size;
	rx->msg_cmsgs++;
	rx->st.c.total += f->size;
	return 0;
}

/* Bytes that came without any devmem cmsg: ordinary packets, all in the iov. */
static void on_plain(struct rx *rx, size_t n)
{
	if (rx->o->verify && !rx->st.bad) {
		size_t i = pattern_check(rx->iov, n, rx->st.c.total);

		if (i < n)
			note_bad(&rx->st, rx->st.c.total + i, true, 0);
	}
	rx->st.c.plain_bytes += n;
	rx->st.c.total += n;
}

/* One recvmsg(): account, verify and return the tokens of what it read. */
static int receive_one(struct rx *rx, uint8_t *buf, void *ctrl, size_t ctrl_len)
{
	uint64_t left = rx->o->bytes - rx->st.c.total;
	struct iovec iov = {
		.iov_base = buf,
		.iov_len = left < IOV_SIZE ? left : IOV_SIZE,
	};
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctrl, .msg_controllen = ctrl_len,
	};
	ssize_t n;
	int ret;

	do
		n = recvmsg(rx->fd, &msg, MSG_SOCK_DEVMEM);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN)
			fprintf(stderr, "devmem-rx: no data for %d s\n", rx->o->timeout_s);
		else
			perror("devmem-rx: recvmsg");
		return -1;
	}
	if (n == 0) {
		fprintf(stderr, "devmem-rx: connection closed after %llu of %llu bytes\n",
			(unsigned long long)rx->st.c.total, (unsigned long long)rx->o->bytes);
		return -1;
	}

	rx->iov = buf;
	rx->msg_bytes = n;
	rx->msg_seen = 0;
	rx->msg_cmsgs = 0;
	rx->iov_pos = 0;
	ret = devmem_cmsg_frags(&msg, on_frag, rx);
	if (rx->synced) {
		devmem_dmabuf_sync(rx->v->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		rx->synced = false;
	}
	if (ret == -EMSGSIZE)
		fprintf(stderr, "devmem-rx: control buffer truncated, tokens lost\n");
	else if (ret == -EBADMSG)
		fprintf(stderr, "devmem-rx: malformed devmem cmsg\n");
	if (ret)
		return -1;

	if (!rx->msg_cmsgs)
		on_plain(rx, n);
	else if (rx->msg_seen != (size_t)n) {
		fprintf(stderr, "devmem-rx: cmsgs describe %zu bytes, recvmsg() returned %zd\n",
			rx->msg_seen, n);
		return -1;
	}
	return return_tokens(rx) ? -1 : 0;
}

static int receive(struct rx *rx)
{
	size_t ctrl_len = MAX_CMSGS * CMSG_SPACE(sizeof(struct dmabuf_cmsg));
	uint8_t *buf = malloc(IOV_SIZE);
	void *ctrl = malloc(ctrl_len);
	double cpu0 = cpu_seconds();
	double t0 = wall_seconds();
	int ret = 0;

	if (!buf || !ctrl) {
		fprintf(stderr, "devmem-rx: out of memory\n");
		ret = -1;
		goto out;
	}
	progress_start(&rx->progress, rx->o->progress);
	while (rx->st.c.total < rx->o->bytes) {
		ret = receive_one(rx, buf, ctrl, ctrl_len);
		if (ret)
			break;
		progress_update(&rx->progress, &rx->st.c);
	}
	progress_end(&rx->progress);
out:
	rx->st.seconds = wall_seconds() - t0;
	rx->st.cpu_seconds = cpu_seconds() - cpu0;
	if (rx->st.seconds <= 0)
		rx->st.seconds = 1e-9;	/* keep the rates finite (and the JSON valid) */
	free(ctrl);
	free(buf);
	return ret;
}

/* @b: the binding's statistics, NULL when there are none to show */
static void report(const struct opts *o, const struct rx *rx,
		   const struct devmem_binding_info *b)
{
	const struct stats *st = &rx->st;
	double gbps = st->c.total * 8 / st->seconds / 1e9;
	bool verified = o->verify && !st->bad && st->c.total == o->bytes;

	if (o->json) {
		printf("{\"bytes\": %llu, \"dmabuf_bytes\": %llu, \"linear_bytes\": %llu, "
		       "\"plain_bytes\": %llu, \"frags\": %llu, \"max_frag\": %u, "
		       "\"tokens\": %llu, "
		       "\"seconds\": %.6f, \"gbit_per_s\": %.4f, \"cpu_seconds\": %.6f, "
		       "\"binding_id\": %u, \"dmabuf_inode\": %llu, \"verified\": %s",
		       (unsigned long long)st->c.total,
		       (unsigned long long)st->c.dmabuf_bytes,
		       (unsigned long long)st->c.linear_bytes,
		       (unsigned long long)st->c.plain_bytes,
		       (unsigned long long)st->c.frags, st->c.max_frag,
		       (unsigned long long)st->c.tokens, st->seconds, gbps,
		       st->cpu_seconds, rx->v->binding_id,
		       (unsigned long long)rx->v->inode, verified ? "true" : "false");
		if (o->flows == 1)
			print_binding(b, true);
		printf("}\n");
	} else {
		printf("devmem-rx: received %llu bytes in %.2f s (%.2f Gbit/s): "
		       "%llu in the dma-buf in %llu frags (largest %u), %llu linear, %llu plain; "
		       "%llu tokens returned%s\n",
		       (unsigned long long)st->c.total, st->seconds, gbps,
		       (unsigned long long)st->c.dmabuf_bytes,
		       (unsigned long long)st->c.frags, st->c.max_frag,
		       (unsigned long long)st->c.linear_bytes,
		       (unsigned long long)st->c.plain_bytes,
		       (unsigned long long)st->c.tokens,
		       verified ? ", pattern verified" : "");
		print_binding(b, false);
	}
	if (st->bad && st->bad_linear)
		fprintf(stderr, "devmem-rx: pattern mismatch at stream offset %llu (in the iov)\n",
			(unsigned long long)st->bad_stream);
	else if (st->bad)
		fprintf(stderr, "devmem-rx: pattern mismatch at stream offset %llu, dma-buf offset %llu\n",
			(unsigned long long)st->bad_stream,
			(unsigned long long)st->bad_dmabuf);
}

/* Accept one connection on @lfd and read it; 1 when that went wrong. */
static int serve_one(struct rx *rx, int lfd, bool *received)
{
	int ret;

	rx->fd = tcp_accept_one("devmem-rx", lfd, rx->o->timeout_s);
	if (rx->fd < 0)
		return 1;
	*received = true;
	ret = receive(rx) ? 1 : 0;
	/*
	 * A single flow's report carries the binding's statistics, read
	 * before the close, which would free any token we failed to return;
	 * --flows children leave them out (a snapshot mid-way through the
	 * others).
	 */
	if (rx->o->flows == 1)
		rx->have_binding = binding_stats(rx->v->binding_id, &rx->binding);
	close(rx->fd);	/* also frees the tokens an error (or --hold-tokens) left */
	return ret;
}

/* Report what one connection saw; the exit status it deserves. */
static int finish(const struct rx *rx, bool received, int ret)
{
	if (!received)
		return ret;
	report(rx->o, rx, rx->have_binding ? &rx->binding : NULL);
	return rx->st.bad || rx->st.c.total != rx->o->bytes ? 1 : ret;
}

/*
 * --flows N: a child per connection, all on our one binding, which stays
 * until every child is done. 0 only when every child succeeded.
 */
static int serve_flows(struct rx *rx, int lfd)
{
	pid_t pids[MAX_FLOWS];
	int i, n, status, ret = 0;

	fflush(stdout);
	for (n = 0; n < rx->o->flows; n++) {
		pids[n] = fork();
		if (pids[n] < 0) {
			perror("devmem-rx: fork");
			ret = 1;
			break;
		}
		if (!pids[n]) {
			bool received = false;

			ret = serve_one(rx, lfd, &received);
			ret = finish(rx, received, ret);
			fflush(stdout);
			_exit(ret);
		}
	}
	for (i = 0; i < n; i++)
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			ret = 1;
	return ret;
}


int pattern_serve(const struct opts *o, const struct dmabuf_view *v, int lfd)
{
	struct rx rx = { .o = o, .v = v, .fd = -1 };
	bool received = false;
	int ret;

	if (o->flows > 1)
		return serve_flows(&rx, lfd);
	if (o->frag_log) {
		rx.frag_log = fopen(o->frag_log, "w");
		if (!rx.frag_log) {
			fprintf(stderr, "devmem-rx: %s: %s\n", o->frag_log, strerror(errno));
			return 1;
		}
	}
	ret = serve_one(&rx, lfd, &received);
	ret = finish(&rx, received, ret);
	if (rx.frag_log && fclose(rx.frag_log)) {
		fprintf(stderr, "devmem-rx: %s: %s\n", o->frag_log, strerror(errno));
		ret = 1;
	}
	return ret;
}
