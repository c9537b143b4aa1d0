// SPDX-License-Identifier: GPL-2.0-only
/*
 * SO_DEVMEM_DONTNEED abused: tokens given back twice, twice in one call,
 * never issued, to another socket, with zero or huge counts, with lengths
 * the kernel must refuse; and MSG_PEEK, which must not issue tokens. Every call must free exactly the frags this
 * socket still holds among those the kernel looks at (at most 1024), say
 * how many, and leave everything else held.
 *
 * The payload of one connection lands in a bound udmabuf; tokens are kept
 * until a few hundred are held, then the cases run, each on tokens we know
 * to be held or not. Afterwards the rest of the stream is read with every
 * token returned as it comes, so the sender finishes cleanly.
 *
 * usage: devmem_tokens NSIM_DEV QUEUE PORT READY_FD MAX_ENTRIES
 *   NSIM_DEV: a netdevsim device, up, tcp-data-split on, in this netns
 *   QUEUE:    the RX queue the flow to PORT is steered to
 *   PORT:     where the sender ("tcpxfer send", a few MiB) connects
 *   READY_FD: gets "ready" once the dma-buf is bound and PORT listens
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <devmem.h>
#include "../../tools/lib/uio_devmem.h"
#include "../../tools/lib/tcp_server.h"
#include "../lib/ktap.h"

/* 16384 buffers of 4 KiB: the few hundred we hold never starve the queue. */
#define DMABUF_SIZE	(64u << 20)
#define HOLD		256	/* frags to hold before the cases run */
#define HOLD_MIN	64	/* fewer, and the cases run out of tokens */
#define IOV_SIZE	(64 * 1024)	/* small reads: we stop close to HOLD */
#define MAX_CMSGS	1024	/* one recvmsg() gives at most this many */
#define MAX_HELD	(HOLD + MAX_CMSGS)
#define TIMEOUT_S	60
#define PEEKS		500	/* the same queued bytes, peeked again and again */
#define UNISSUED	0x40000000u	/* far above any token we can be given */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
/* Entries one SO_DEVMEM_DONTNEED may carry: upstream 128, dmabuf-pp 1024 */
#define ENTRIES_UPSTREAM	128
#define ENTRIES_MAX		1024	/* dmabuf-pp's */

static struct ktap t;
static int sock_a = -1;		/* the devmem connection; holds the tokens */
static int sock_b = -1;		/* another connection, never given a token */
static uint32_t binding_id;

/* Tokens socket A holds, in the order issued; 0 (never a token) once freed. */
static uint32_t held[MAX_HELD];
static unsigned int nheld;
static uint32_t max_token;	/* the highest token ever issued to A */
static uint64_t held_bytes;	/* described by the held tokens' cmsgs */
/* Entries one SO_DEVMEM_DONTNEED may carry: the provider's limit (argv) */
static unsigned int max_entries;

/* What one run of recvmsg() calls saw. */
struct rx {
	bool hold;			/* keep tokens in held[], else return them */
	struct devmem_token_batch batch;
	uint64_t dmabuf_bytes;
	uint64_t other_bytes;		/* in the iov: not on the bound queue */
	unsigned int returned;
};

/*
 * SO_DEVMEM_DONTNEED over @len bytes of struct dmabuf_token (or libdevmem's
 * struct devmem_token_range, the same): the number of frags freed, or -errno.
 */
static int dontneed(int fd, const void *tk, socklen_t len)
{
	int ret = setsockopt(fd, SOL_SOCKET, SO_DEVMEM_DONTNEED, tk, len);

	return ret < 0 ? -errno : ret;
}

static int dontneed1(int fd, uint32_t start, uint32_t count)
{
	struct dmabuf_token tk = { .token_start = start, .token_count = count };

	return dontneed(fd, &tk, sizeof(tk));
}

/* A return value as KTAP diagnostics show it. */
static const char *said(int v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "-1/%s", strerror(-v));
	else
		snprintf(buf, len, "%d freed", v);
	return buf;
}

/* One return value against the one we want; say what came back if not. */
static bool expect(const char *what, int got, int want)
{
	char g[64], w[64];

	if (got == want)
		return true;
	ktap_diag("%s: %s, want %s", what, said(got, g, sizeof(g)),
		  said(want, w, sizeof(w)));
	return false;
}

/* Return a batch of A's tokens: true when exactly all of them were freed. */
static bool flush(struct devmem_token_batch *b, unsigned int *freed)
{
	unsigned int want = b->tokens;
	int ret = 0;

	if (b->entries)
		ret = dontneed(sock_a, b->entry, b->entries * sizeof(b->entry[0]));
	b->entries = 0;
	b->tokens = 0;
	if (ret > 0)
		*freed += ret;
	return expect("batch", ret, want);
}

/* How many held tokens are in [@lo, @hi). */
static unsigned int held_in(uint64_t lo, uint64_t hi)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nheld; i++)
		n += held[i] && held[i] >= lo && held[i] < hi;
	return n;
}

/* The kernel freed @token: forget it. */
static void forget(uint32_t token)
{
	for (unsigned int i = 0; i < nheld; i++)
		if (held[i] == token)
			held[i] = 0;
}

/* The first token still held, 0 when none is. */
static uint32_t pick(void)
{
	for (unsigned int i = 0; i < nheld; i++)
		if (held[i])
			return held[i];
	return 0;
}

static int on_frag(const struct devmem_frag *f, void *arg)
{
	struct rx *rx = arg;

	if (f->kind != DEVMEM_FRAG_DMABUF)
		return 0;
	if (f->dmabuf_id != binding_id) {
		ktap_diag("frag of binding %u, ours is %u", f->dmabuf_id,
			  binding_id);
		return -EPROTO;
	}
	rx->dmabuf_bytes += f->size;
	if (f->token > max_token)
		max_token = f->token;
	if (rx->hold) {
		if (nheld == MAX_HELD)
			return -ENOSPC;
		held[nheld++] = f->token;
		return 0;
	}
	if (devmem_token_batch_add(&rx->batch, f->token))
		return 0;
	if (!flush(&rx->batch, &rx->returned))
		return -EPROTO;
	devmem_token_batch_add(&rx->batch, f->token);	/* empty now */
	return 0;
}

/* One recvmsg(MSG_SOCK_DEVMEM) on A: bytes read, 0 at EOF, or -errno. */
static ssize_t receive(struct rx *rx)
{
	static char buf[IOV_SIZE];
	static char ctrl[MAX_CMSGS * CMSG_SPACE(sizeof(struct dmabuf_cmsg))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctrl, .msg_controllen = sizeof(ctrl),
	};
	uint64_t before = rx->dmabuf_bytes;
	ssize_t n;
	int ret;

	n = recvmsg(sock_a, &msg, MSG_SOCK_DEVMEM);
	if (n <= 0)
		return n < 0 ? -errno : 0;
	ret = devmem_cmsg_frags(&msg, on_frag, rx);
	if (ret)
		return ret;
	rx->other_bytes += n - (rx->dmabuf_bytes - before);
	if (!rx->hold && !flush(&rx->batch, &rx->returned))
		return -EPROTO;
	return n;
}

/* Read from A, keeping every token, until HOLD are held or the stream ends. */
static bool hold_tokens(void)
{
	struct rx rx = { .hold = true };
	ssize_t n = 1;

	while (nheld < HOLD && n > 0)
		n = receive(&rx);
	held_bytes = rx.dmabuf_bytes;
	ktap_diag("holding %u tokens (highest %u): %llu bytes in the dma-buf, %llu elsewhere%s%s",
		  nheld, max_token, (unsigned long long)rx.dmabuf_bytes,
		  (unsigned long long)rx.other_bytes, n < 0 ? ", recvmsg: " : "",
		  n < 0 ? strerror(-n) : "");
	return n >= 0 && nheld >= HOLD_MIN;
}

static int take_pp_binding(const struct devmem_binding_info *b, void *arg)
{
	*(struct devmem_binding_info *)arg = *b;
	return 0;
}

/*
 * dmabuf-pp's netlink family counts what user space holds: every held
 * token, and every byte described so far. Upstream's kernel has no such
 * family, and says so.
 */
static bool family_counts_held_tokens(void)
{
	static struct devmem_binding_info b;
	struct devmem_err e;
	int ret;

	ret = devmem_pp_bindings(binding_id, take_pp_binding, &b, &e);
	if (max_entries != ENTRIES_MAX)
		return expect("stock: dmabuf-pp family", ret, -EOPNOTSUPP);
	if (ret) {
		ktap_diag("get binding %u: %s \"%s\"", binding_id,
			  strerror(e.code), e.msg);
		return false;
	}
	ktap_diag("family: buffers-user %llu (held %u), rx-bytes %llu (%llu in cmsgs)",
		  (unsigned long long)b.buffers_user, nheld,
		  (unsigned long long)b.rx_bytes,
		  (unsigned long long)held_bytes);
	return b.buffers_user == nheld && b.rx_bytes == held_bytes;
}

struct peeked {
	unsigned int frags;	/* described in DMABUF cmsgs */
	unsigned int tokens;	/* of those, with a token other than 0 */
};

static int on_peeked_frag(const struct devmem_frag *f, void *arg)
{
	struct peeked *p = arg;

	if (f->kind == DEVMEM_FRAG_DMABUF) {
		p->frags++;
		p->tokens += f->token != 0;
	}
	return 0;
}

/*
 * MSG_PEEK leaves the bytes queued: dmabuf-pp hands out no token for them
 * (token 0) and counts nothing as delivered, however often the same bytes
 * are peeked. Upstream issues a new token, and takes a buffer reference,
 * on every peek.
 */
static bool peek_takes_no_token(void)
{
	static char buf[IOV_SIZE];
	static char ctrl[MAX_CMSGS * CMSG_SPACE(sizeof(struct dmabuf_cmsg))];
	static struct devmem_binding_info b;
	struct pollfd pfd = { .fd = sock_a, .events = POLLIN };
	struct peeked p = { 0 };
	struct devmem_err e;
	unsigned int i;

	if (poll(&pfd, 1, TIMEOUT_S * 1000) != 1) {
		ktap_diag("nothing queued to peek at");
		return false;
	}
	for (i = 0; i < PEEKS; i++) {
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctrl, .msg_controllen = sizeof(ctrl),
		};

		if (recvmsg(sock_a, &msg, MSG_SOCK_DEVMEM | MSG_PEEK) <= 0 ||
		    devmem_cmsg_frags(&msg, on_peeked_frag, &p)) {
			ktap_diag("peek %u: %s", i, strerror(errno));
			return false;
		}
	}
	if (devmem_pp_bindings(binding_id, take_pp_binding, &b, &e))
		return false;
	ktap_diag("%u peeks: %u frags, %u with a token; buffers-user %llu (held %u), rx-bytes %llu (%llu in cmsgs)",
		  PEEKS, p.frags, p.tokens,
		  (unsigned long long)b.buffers_user, nheld,
		  (unsigned long long)b.rx_bytes,
		  (unsigned long long)held_bytes);
	return p.frags >= PEEKS && p.tokens == 0 && b.buffers_user == nheld &&
	       b.rx_bytes == held_bytes;
}

static uint32_t freed_once;	/* case 1 gives it back, case 2 again */

static bool return_held_token(void)
{
	freed_once = pick();
	if (!expect("held token", dontneed1(sock_a, freed_once, 1), 1))
		return false;
	forget(freed_once);
	return true;
}

static bool return_again_frees_nothing(void)
{
	return expect("returned token", dontneed1(sock_a, freed_once, 1), 0);
}

/* The second entry finds the token gone: one frag freed, not two. */
static bool duplicate_in_one_call(void)
{
	uint32_t tok = pick();
	struct dmabuf_token tk[] = { { tok, 1 }, { tok, 1 } };

	if (!expect("[t,1],[t,1]", dontneed(sock_a, tk, sizeof(tk)), 1))
		return false;
	forget(tok);
	return expect("t again", dontneed1(sock_a, tok, 1), 0);
}

/*
 * Token 0 is never allocated (the xarray starts at 1), 0x7ffffff0 and
 * UINT32_MAX lie beyond anything a few hundred frags get, and nothing above
 * the highest token we saw may be held for us.
 */
static bool never_issued_tokens(void)
{
	bool ok = true;

	ok &= expect("token 0", dontneed1(sock_a, 0, 1), 0);
	ok &= expect("token 0x7ffffff0", dontneed1(sock_a, 0x7ffffff0, 1), 0);
	ok &= expect("token 0xffffffff", dontneed1(sock_a, UINT32_MAX, 1), 0);
	ok &= expect("1024 above the highest issued",
		     dontneed1(sock_a, max_token + 1, 1024), 0);
	return ok;
}

/* Tokens are per socket: B has none, so A's token means nothing to it. */
static bool other_socket_token(void)
{
	uint32_t tok = pick();
	bool ok;

	ok = expect("A's token on B", dontneed1(sock_b, tok, 1), 0);
	ok &= expect("then on A", dontneed1(sock_a, tok, 1), 1);
	forget(tok);
	return ok;
}

/*
 * An empty request frees nothing (optlen 0 is even refused): the token
 * passed stays held.
 */
static bool zero_length_and_count(void)
{
	struct dmabuf_token tk = { pick(), 1 };
	bool ok;

	/* sk_setsockopt() refuses any optlen below sizeof(int) first. */
	ok = expect("optlen 0", dontneed(sock_a, &tk, 0), -EINVAL);
	ok &= expect("token_count 0", dontneed1(sock_a, tk.token_start, 0), 0);
	ok &= expect("still held", dontneed1(sock_a, tk.token_start, 1), 1);
	forget(tk.token_start);
	return ok;
}

/*
 * A length that is not whole entries, or more entries than the provider
 * takes, is refused before any token is looked at; the maximum is fine.
 */
static bool bad_length_einval(void)
{
	static struct dmabuf_token tk[ENTRIES_MAX + 1];
	unsigned int max = max_entries;
	uint32_t tok = pick();
	char what[64];
	bool ok = true;

	for (unsigned int i = 0; i < max + 1; i++)
		tk[i] = (struct dmabuf_token){ tok, 1 };
	ok &= expect("optlen 4", dontneed(sock_a, tk, 4), -EINVAL);
	ok &= expect("optlen 12", dontneed(sock_a, tk, 12), -EINVAL);
	snprintf(what, sizeof(what), "%u entries", max + 1);
	ok &= expect(what, dontneed(sock_a, tk, (max + 1) * sizeof(tk[0])),
		     -EINVAL);
	snprintf(what, sizeof(what), "%u entries, all t", max);
	ok &= expect(what, dontneed(sock_a, tk, max * sizeof(tk[0])), 1);
	forget(tok);
	return ok;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * {start, 0xffffffff} looks at start .. start + 1023 only. Start at the
 * median held token, so the tokens below it are left for later cases.
 */
static bool huge_count_stops_at_1024(void)
{
	uint32_t sorted[MAX_HELD], start;
	unsigned int n = 0, want;
	bool ok;

	for (unsigned int i = 0; i < nheld; i++)
		if (held[i])
			sorted[n++] = held[i];
	if (!n)
		return false;
	qsort(sorted, n, sizeof(sorted[0]), cmp_u32);
	start = sorted[n / 2];
	want = held_in(start, (uint64_t)start + DEVMEM_DONTNEED_MAX_TOKENS);
	ktap_diag("{%u, 0xffffffff}: %u of %u held tokens in [%u, %u]", start,
		  want, n, start, start + DEVMEM_DONTNEED_MAX_TOKENS - 1);
	ok = expect("huge count", dontneed1(sock_a, start, UINT32_MAX), want);
	for (unsigned int i = 0; i < nheld; i++)
		if (held[i] >= start &&
		    held[i] - start < DEVMEM_DONTNEED_MAX_TOKENS)
			held[i] = 0;
	ok &= expect("same range again",
		     dontneed1(sock_a, start, DEVMEM_DONTNEED_MAX_TOKENS), 0);
	return ok;
}

/* The 1024 limit counts over all entries, held tokens or not. */
static bool frag_limit_spans_entries(void)
{
	uint32_t tok = pick();
	struct dmabuf_token tk[] = {
		{ UNISSUED, DEVMEM_DONTNEED_MAX_TOKENS }, { tok, 1 },
	};
	bool ok;

	ok = expect("1024 unissued, then t", dontneed(sock_a, tk, sizeof(tk)), 0);
	tk[0].token_count--;
	ok &= expect("1023 unissued, then t", dontneed(sock_a, tk, sizeof(tk)), 1);
	forget(tok);
	return ok;
}

/*
 * Give back the rest, coalesced and batched as a real receiver would: each
 * call frees exactly what it passes, so no earlier case freed a token it
 * should have left. Then nothing at all may be left for A.
 */
static bool return_all_in_batches(void)
{
	unsigned int want = held_in(1, UINT32_MAX), got = 0;
	struct devmem_token_batch b = {};
	bool ok = true;

	for (unsigned int i = 0; i < nheld; i++) {
		if (!held[i] || devmem_token_batch_add(&b, held[i]))
			continue;
		ok &= flush(&b, &got);
		devmem_token_batch_add(&b, held[i]);	/* empty now */
	}
	ok &= flush(&b, &got);
	ok &= expect("all held, in batches", got, want);
	memset(held, 0, sizeof(held));
	for (uint64_t s = 1; s <= max_token; s += DEVMEM_DONTNEED_MAX_TOKENS)
		ok &= expect("left over", dontneed1(sock_a, s,
						     DEVMEM_DONTNEED_MAX_TOKENS), 0);
	return ok;
}

/* A is still a working devmem socket: read it to the end, tokens returned. */
static bool rest_of_stream(void)
{
	struct rx rx = { .hold = false };
	ssize_t n;

	while ((n = receive(&rx)) > 0)
		;
	ktap_diag("rest: %llu bytes in the dma-buf, %llu elsewhere, %u tokens returned%s%s",
		  (unsigned long long)rx.dmabuf_bytes,
		  (unsigned long long)rx.other_bytes, rx.returned,
		  n < 0 ? ", error: " : "", n < 0 ? strerror(-n) : "");
	return n == 0;
}

/* A second established connection, over loopback; returns the accepted end. */
static int loopback_conn(int *client)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	socklen_t len = sizeof(a);
	int lfd, fd = -1;

	*client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*client >= 0 && lfd >= 0 && !bind(lfd, (void *)&a, len) &&
	    !listen(lfd, 1) && !getsockname(lfd, (void *)&a, &len) &&
	    !connect(*client, (void *)&a, len))
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (lfd >= 0)
		close(lfd);
	return fd;
}

static const struct {
	bool (*run)(void);
	const char *name;
	const char *stock_skip;	/* why upstream's kernel is not asked */
} cases[] = {
	{ .run = family_counts_held_tokens, .name = "family_counts_held_tokens" },
	{ .run = peek_takes_no_token, .name = "peek_takes_no_token",
	  .stock_skip = "upstream's kernel issues a token for every peek" },
	{ .run = return_held_token, .name = "return_held_token" },
	{ .run = return_again_frees_nothing, .name = "return_again_frees_nothing" },
	{ .run = duplicate_in_one_call, .name = "duplicate_in_one_call" },
	{ .run = never_issued_tokens, .name = "never_issued_tokens" },
	{ .run = other_socket_token, .name = "other_socket_token" },
	{ .run = zero_length_and_count, .name = "zero_length_and_count" },
	{ .run = bad_length_einval, .name = "bad_length_einval" },
	{ .run = huge_count_stops_at_1024, .name = "huge_count_stops_at_1024" },
	{ .run = frag_limit_spans_entries, .name = "frag_limit_spans_entries" },
	{ .run = return_all_in_batches, .name = "return_all_in_batches" },
};

int main(int argc, char **argv)
{
	int ifindex, dmabuf, lfd = -1, client = -1, ret = 1;
	struct devmem_binding *binding = NULL;
	unsigned int queue;
	struct devmem_err err;

	ktap_start(&t, 2 + ARRAY_SIZE(cases));
	if (argc != 6) {
		fprintf(stderr, "usage: devmem_tokens NSIM_DEV QUEUE PORT READY_FD MAX_ENTRIES\n");
		return 2;
	}
	ifindex = devmem_ifindex(argv[1]);
	queue = strtoul(argv[2], NULL, 10);
	max_entries = strtoul(argv[5], NULL, 10);
	if (max_entries < ENTRIES_UPSTREAM || max_entries > ENTRIES_MAX) {
		ktap_diag("MAX_ENTRIES %s: not %u to %u", argv[5],
			  ENTRIES_UPSTREAM, ENTRIES_MAX);
		return 2;
	}
	dmabuf = devmem_udmabuf_create_anon("devmem-tokens", 0, DMABUF_SIZE, false, 0);
	if (ifindex <= 0 || dmabuf < 0) {
		ktap_diag("setup: ifindex %d dmabuf %d", ifindex, dmabuf);
		return 1;
	}
	if (devmem_bind_rx(ifindex, dmabuf, &queue, 1, &binding, &err)) {
		ktap_diag("bind queue %u: %s \"%s\"", queue, strerror(err.code),
			  err.msg);
		goto out;
	}
	binding_id = devmem_binding_id(binding);
	lfd = tcp_listen("devmem_tokens", NULL, argv[3]);
	if (lfd < 0)
		goto out;
	ready_signal("devmem_tokens", atoi(argv[4]));
	sock_a = tcp_accept_one("devmem_tokens", lfd, TIMEOUT_S);
	sock_b = loopback_conn(&client);
	if (sock_a < 0 || sock_b < 0) {
		ktap_diag("connections: devmem %d, loopback %d: %s", sock_a,
			  sock_b, strerror(errno));
		goto out;
	}

	/* Every case needs held tokens: without them, stop here. */
	if (!ktap_result(&t, hold_tokens(), "hold_tokens"))
		goto out;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (cases[i].stock_skip && max_entries != ENTRIES_MAX)
			ktap_skip(&t, cases[i].name, cases[i].stock_skip);
		else
			ktap_result(&t, cases[i].run(), cases[i].name);
	}
	ktap_result(&t, rest_of_stream(), "rest_of_stream_tokens_returned");
	ret = 0;
out:
	/* Closing A frees whatever an early exit left held. */
	if (sock_b >= 0)
		close(sock_b);
	if (client >= 0)
		close(client);
	if (sock_a >= 0)
		close(sock_a);
	if (lfd >= 0)
		close(lfd);
	devmem_unbind(binding);
	close(dmabuf);
	if (ret)
		return ret;
	ktap_exit(&t);
}
