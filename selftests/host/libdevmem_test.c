// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of the parts of libdevmem and our tools that need no
 * kernel: netlink status and extack decoding (devmem_nl_status), the
 * command-line list and size parsers, the devmem cmsg walk, the
 * SO_DEVMEM_DONTNEED token batching, the receive helper's dispatch of one
 * message, the ntuple rules of devmem_steer_add() and the version macros.
 * Messages and control buffers are built by hand, each copied into a
 * buffer of exactly its length so the sanitizers catch any read past it.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

#include <devmem.h>

#include "../../tools/lib/cli_parse.h"
#include "../../tools/lib/uio_devmem.h"
#include "../../tools/libdevmem/nl_status.h"
#include "../../tools/libdevmem/testing.h"
#include "../lib/ktap.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A netlink message under construction. */
struct nlbuf {
	unsigned char data[1024];
	size_t len;
};

static void put(struct nlbuf *b, const void *p, size_t len)
{
	memcpy(b->data + b->len, p, len);
	b->len += len;
}

static void pad(struct nlbuf *b)
{
	while (b->len % NLMSG_ALIGNTO)
		b->data[b->len++] = 0;
}

static void put_attr(struct nlbuf *b, uint16_t type, const void *p, size_t len)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	put(b, &nla, sizeof(nla));
	put(b, p, len);
	pad(b);
}

static void put_str_attr(struct nlbuf *b, uint16_t type, const char *s)
{
	put_attr(b, type, s, strlen(s) + 1);
}

/* Start a message of @type; finish() fills in its length. */
static void start(struct nlbuf *b, uint16_t type, uint16_t flags)
{
	struct nlmsghdr nlh = { .nlmsg_type = type, .nlmsg_flags = flags };

	b->len = 0;
	put(b, &nlh, sizeof(nlh));
}

/* struct nlmsgerr for @error, echoing a request of @req_payload bytes. */
static void put_err(struct nlbuf *b, int error, uint32_t req_payload)
{
	struct nlmsgerr e = {
		.error = error,
		.msg = { .nlmsg_len = NLMSG_HDRLEN + req_payload, .nlmsg_type = 0x20 },
	};

	put(b, &e, sizeof(e));
}

static void finish(struct nlbuf *b)
{
	uint32_t len = b->len;

	memcpy(b->data, &len, sizeof(len));
}

/* devmem_nl_status() on an exactly sized copy of the first @len bytes of @b. */
static int status(const struct nlbuf *b, size_t len, struct devmem_err *st)
{
	unsigned char *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, b->data, len);
	ret = devmem_nl_status(copy, len, st);
	free(copy);
	return ret;
}

static bool expect(const struct nlbuf *b, int ret, int code, const char *msg)
{
	struct devmem_err st;
	int got = status(b, b->len, &st);

	if (got != ret || st.code != code || strcmp(st.msg, msg)) {
		ktap_diag("got ret %d code %d msg '%s', want %d %d '%s'",
			  got, st.code, st.msg, ret, code, msg);
		return false;
	}
	return true;
}

static bool ack_is_code_zero(void)
{
	struct nlbuf b;

	start(&b, NLMSG_ERROR, NLM_F_CAPPED);
	put_err(&b, 0, 0);
	finish(&b);
	return expect(&b, 0, 0, "");
}

static bool ack_with_warning_text(void)
{
	struct nlbuf b;

	start(&b, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	put_err(&b, 0, 0);
	put_str_attr(&b, NLMSGERR_ATTR_MSG, "setting ignored");
	finish(&b);
	return expect(&b, 0, 0, "setting ignored");
}

static bool capped_error_with_extack(void)
{
	uint32_t offs = 40;
	struct nlbuf b;

	start(&b, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	put_err(&b, -EBUSY, 36);	/* capped: the 36 bytes are not echoed */
	put_attr(&b, NLMSGERR_ATTR_OFFS, &offs, sizeof(offs));
	put_str_attr(&b, NLMSGERR_ATTR_MSG, "queue 1 already bound");
	finish(&b);
	return expect(&b, 0, EBUSY, "queue 1 already bound");
}

static bool uncapped_error_with_extack(void)
{
	static const unsigned char req[7] = { 1, 2, 3, 4, 5, 6, 7 };
	struct nlbuf b;

	/*
	 * The echoed request payload is 7 bytes, padded to 8; a message text
	 * planted inside it must not be found, the real one after it must.
	 */
	start(&b, NLMSG_ERROR, NLM_F_ACK_TLVS);
	put_err(&b, -EINVAL, sizeof(req));
	put(&b, req, sizeof(req));
	pad(&b);
	put_str_attr(&b, NLMSGERR_ATTR_MSG, "missing queue type");
	finish(&b);
	return expect(&b, 0, EINVAL, "missing queue type");
}

static bool uncapped_echo_hides_fake_tlv(void)
{
	struct nlbuf req, b;

	/* A request whose payload looks like an extack TLV. */
	req.len = 0;
	put_str_attr(&req, NLMSGERR_ATTR_MSG, "fake");
	start(&b, NLMSG_ERROR, NLM_F_ACK_TLVS);
	put_err(&b, -EPERM, req.len);
	put(&b, req.data, req.len);
	put_str_attr(&b, NLMSGERR_ATTR_MSG, "real");
	finish(&b);
	return expect(&b, 0, EPERM, "real");
}

static bool error_without_tlvs(void)
{
	struct nlbuf b;

	/* Bytes follow, but without NLM_F_ACK_TLVS they are not an extack. */
	start(&b, NLMSG_ERROR, NLM_F_CAPPED);
	put_err(&b, -ENODEV, 0);
	put_str_attr(&b, NLMSGERR_ATTR_MSG, "not an extack");
	finish(&b);
	return expect(&b, 0, ENODEV, "");
}

static bool done_with_errno_and_extack(void)
{
	int32_t error = -EMSGSIZE;
	struct nlbuf b;

	start(&b, NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS);
	put(&b, &error, sizeof(error));
	put_str_attr(&b, NLMSGERR_ATTR_MSG, "dump too big");
	finish(&b);
	return expect(&b, 0, EMSGSIZE, "dump too big");
}

static bool done_clean(void)
{
	int32_t error = 0;
	struct nlbuf b;

	start(&b, NLMSG_DONE, NLM_F_MULTI);
	put(&b, &error, sizeof(error));
	finish(&b);
	if (!expect(&b, 0, 0, ""))
		return false;
	start(&b, NLMSG_DONE, NLM_F_MULTI);	/* no errno at all */
	finish(&b);
	return expect(&b, 0, 0, "");
}

static bool other_type_is_not_status(void)
{
	struct nlbuf b;

	start(&b, 0x20, 0);
	put_err(&b, -EINVAL, 0);
	finish(&b);
	return expect(&b, -EINVAL, 0, "");
}

static bool bad_errno_rejected(void)
{
	struct nlbuf b;

	start(&b, NLMSG_ERROR, NLM_F_CAPPED);
	put_err(&b, 5, 0);
	finish(&b);
	if (!expect(&b, -EBADMSG, EBADMSG, "netlink status is not an errno"))
		return false;
	start(&b, NLMSG_ERROR, NLM_F_CAPPED);
	put_err(&b, INT32_MIN, 0);
	finish(&b);
	return expect(&b, -EBADMSG, EBADMSG, "netlink status is not an errno");
}

/* Every strict prefix of a valid error message is cut short: -EBADMSG. */
static bool truncated_prefixes_rejected(void)
{
	struct devmem_err st;
	struct nlbuf b;

	start(&b, NLMSG_ERROR, NLM_F_ACK_TLVS);
	put_err(&b, -EBUSY, 0);
	put_str_attr(&b, NLMSGERR_ATTR_MSG, "busy");
	finish(&b);
	for (size_t len = 0; len < b.len; len++) {
		if (status(&b, len, &st) != -EBADMSG || st.code != EBADMSG) {
			ktap_diag("prefix of %zu bytes: code %d", len, st.code);
			return false;
		}
	}
	/* A header claiming less than a struct nlmsgerr is no better. */
	start(&b, NLMSG_ERROR, 0);
	put(&b, "\0\0\0", 4);
	finish(&b);
	return expect(&b, -EBADMSG, EBADMSG, "truncated netlink error message");
}

/* Broken TLVs lose the text but keep the kernel's errno. */
static bool malformed_tlvs_keep_errno(void)
{
	struct nlattr bad = { .nla_len = 200, .nla_type = NLMSGERR_ATTR_MSG };
	struct nlattr tiny = { .nla_len = 2, .nla_type = NLMSGERR_ATTR_MSG };
	struct nlbuf b;

	start(&b, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	put_err(&b, -EIO, 0);
	put(&b, &bad, sizeof(bad));	/* longer than the message */
	put(&b, "abcd", 4);
	finish(&b);
	if (!expect(&b, 0, EIO, ""))
		return false;

	start(&b, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	put_err(&b, -EIO, 0);
	put(&b, &tiny, sizeof(tiny));	/* shorter than its own header */
	finish(&b);
	if (!expect(&b, 0, EIO, ""))
		return false;

	/* Uncapped, with an echoed length running past the message. */
	start(&b, NLMSG_ERROR, NLM_F_ACK_TLVS);
	put_err(&b, -EIO, 0x7ffffff0);
	put_str_attr(&b, NLMSGERR_ATTR_MSG, "unreachable");
	finish(&b);
	return expect(&b, 0, EIO, "");
}

static bool unterminated_and_long_text(void)
{
	char want[256], text[300];
	struct nlbuf b;

	/* No NUL: the text ends with the attribute, not past it. */
	start(&b, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	put_err(&b, -EACCES, 0);
	put_attr(&b, NLMSGERR_ATTR_MSG, "abc", 3);
	b.len -= 1;	/* drop the padding so the message ends on 'c' */
	finish(&b);
	if (!expect(&b, 0, EACCES, "abc"))
		return false;

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	memset(want, 'x', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	start(&b, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	put_err(&b, -EACCES, 0);
	put_str_attr(&b, NLMSGERR_ATTR_MSG, text);
	finish(&b);
	return expect(&b, 0, EACCES, want);
}

static bool list_ok(const char *s, const unsigned int *want, int n)
{
	unsigned int vals[16];
	int got = cli_parse_list(s, vals, 16);

	if (got != n || memcmp(vals, want, n * sizeof(*want))) {
		ktap_diag("'%s': got %d values", s, got);
		return false;
	}
	return true;
}

static bool list_parses(void)
{
	static const unsigned int one[] = { 1 }, mixed[] = { 1, 3, 4 },
		range[] = { 0, 1, 2, 7 }, top[] = { 4294967295u };

	return list_ok("1", one, 1) && list_ok("1,3-4", mixed, 3) &&
	       list_ok("0-2,7", range, 4) && list_ok("4294967295", top, 1) &&
	       list_ok("1-1", one, 1);
}

static bool list_rejects(void)
{
	static const char *const bad[] = {
		"", ",", "1,", ",1", "1-", "-1", "4-3", "1,1", "1-3,2", " 1",
		"1 ", "a", "1--2", "1,,2", "+1", "4294967296", "0x1",
	};
	unsigned int vals[16];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (cli_parse_list(bad[i], vals, 16) != -EINVAL) {
			ktap_diag("'%s' accepted", bad[i]);
			return false;
		}
	}
	return cli_parse_list("0-16", vals, 16) == -E2BIG &&
	       cli_parse_list("0-4294967295", vals, 16) == -E2BIG &&
	       cli_parse_list("0-15", vals, 16) == 16;
}

static bool size_parses(void)
{
	static const struct { const char *s; uint64_t v; } good[] = {
		{ "0", 0 }, { "4096", 4096 }, { "1K", 1024 },
		{ "64M", 64ull << 20 }, { "3G", 3ull << 30 },
		{ "18446744073709551615", UINT64_MAX },
		{ "17179869183G", 17179869183ull << 30 },
	};
	static const char *const bad[] = {
		"", "M", "-1", "1T", "1MB", "1k", " 1", "18446744073709551616",
		"17179869184G",
	};
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		if (cli_parse_size(good[i].s, &v) || v != good[i].v) {
			ktap_diag("'%s' not parsed as %llu", good[i].s,
				  (unsigned long long)good[i].v);
			return false;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (cli_parse_size(bad[i], &v) != -EINVAL) {
			ktap_diag("'%s' accepted", bad[i]);
			return false;
		}
	}
	return true;
}

static bool uint_parses(void)
{
	static const char *const bad[] = {
		"", "-1", "+1", " 1", "1 ", "0x10", "1K", "0", "101",
		"18446744073709551616",
	};
	uint64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (cli_parse_uint(bad[i], 1, 100, &v) != -EINVAL) {
			ktap_diag("'%s' accepted in [1, 100]", bad[i]);
			return false;
		}
	}
	return !cli_parse_uint("1", 1, 100, &v) && v == 1 &&
	       !cli_parse_uint("100", 1, 100, &v) && v == 100 &&
	       !cli_parse_uint("007", 1, 100, &v) && v == 7 &&
	       !cli_parse_uint("18446744073709551615", 0, UINT64_MAX, &v) &&
	       v == UINT64_MAX;
}

/* A control buffer under construction, laid out as the kernel does. */
struct ctrl {
	union {
		struct cmsghdr align;
		unsigned char data[1024];
	} u;
	size_t len;
};

static void add_cmsg(struct ctrl *c, int level, int type, const void *p,
		     size_t len)
{
	struct cmsghdr *cm = (struct cmsghdr *)(c->u.data + c->len);

	cm->cmsg_level = level;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), p, len);
	c->len += CMSG_SPACE(len);
}

static void add_devmem(struct ctrl *c, int type, uint64_t off, uint32_t size,
		       uint32_t token, uint32_t id)
{
	struct dmabuf_cmsg dc = {
		.frag_offset = off, .frag_size = size,
		.frag_token = token, .dmabuf_id = id,
	};

	add_cmsg(c, SOL_SOCKET, type, &dc, sizeof(dc));
}

struct seen {
	struct devmem_frag frag[8];
	int n;
	int stop_at;	/* return 42 from this call, 1-based; 0 = never */
};

static int collect(const struct devmem_frag *f, void *arg)
{
	struct seen *s = arg;

	s->frag[s->n++] = *f;
	return s->n == s->stop_at ? 42 : 0;
}

/* Walk @c from an exactly sized copy; returns devmem_cmsg_frags()'s value. */
static int walk(const struct ctrl *c, int flags, struct seen *s)
{
	void *copy = malloc(c->len ? c->len : 1);
	struct msghdr msg = {
		.msg_control = c->len ? copy : NULL,
		.msg_controllen = c->len, .msg_flags = flags,
	};
	int ret;

	memcpy(copy, c->u.data, c->len);
	ret = devmem_cmsg_frags(&msg, collect, s);
	free(copy);
	return ret;
}

static bool frag_is(const struct devmem_frag *f, enum devmem_frag_kind kind,
		    uint64_t off, uint32_t size, uint32_t token, uint32_t id)
{
	return f->kind == kind && f->offset == off && f->size == size &&
	       f->token == token && f->dmabuf_id == id;
}

static bool cmsg_frags_in_order(void)
{
	struct seen s = { .n = 0 };
	struct ctrl c = { .len = 0 };
	int other = 7;

	add_devmem(&c, SCM_DEVMEM_LINEAR, 0, 100, 0, 0);
	add_devmem(&c, SCM_DEVMEM_DMABUF, 4096, 4096, 7, 3);
	add_cmsg(&c, SOL_SOCKET, SCM_TIMESTAMP, &other, sizeof(other));
	add_cmsg(&c, SOL_IP, SCM_DEVMEM_DMABUF, &other, sizeof(other));
	add_devmem(&c, SCM_DEVMEM_DMABUF, 8192, 1000, 8, 3);
	add_devmem(&c, SCM_DEVMEM_LINEAR, 0, 52, 0, 0);

	return walk(&c, 0, &s) == 0 && s.n == 4 &&
	       frag_is(&s.frag[0], DEVMEM_FRAG_LINEAR, 0, 100, 0, 0) &&
	       frag_is(&s.frag[1], DEVMEM_FRAG_DMABUF, 4096, 4096, 7, 3) &&
	       frag_is(&s.frag[2], DEVMEM_FRAG_DMABUF, 8192, 1000, 8, 3) &&
	       frag_is(&s.frag[3], DEVMEM_FRAG_LINEAR, 0, 52, 0, 0);
}

static bool cmsg_linear_ignores_other_fields(void)
{
	struct seen s = { .n = 0 };
	struct ctrl c = { .len = 0 };

	/* Only frag_size means something in SCM_DEVMEM_LINEAR. */
	add_devmem(&c, SCM_DEVMEM_LINEAR, 123, 9, 77, 5);
	return walk(&c, 0, &s) == 0 && s.n == 1 &&
	       frag_is(&s.frag[0], DEVMEM_FRAG_LINEAR, 0, 9, 0, 0);
}

static bool cmsg_errors(void)
{
	struct seen s = { .n = 0 };
	struct ctrl c = { .len = 0 };
	uint64_t half = 1;

	add_devmem(&c, SCM_DEVMEM_DMABUF, 0, 4096, 1, 1);
	if (walk(&c, MSG_CTRUNC, &s) != -EMSGSIZE || s.n) {
		ktap_diag("MSG_CTRUNC not reported");
		return false;
	}
	add_devmem(&c, SCM_DEVMEM_DMABUF, 4096, 4096, 2, 1);
	add_devmem(&c, SCM_DEVMEM_DMABUF, 8192, 4096, 3, 1);
	s.stop_at = 2;
	if (walk(&c, 0, &s) != 42 || s.n != 2) {
		ktap_diag("callback's stop value lost");
		return false;
	}
	c.len = 0;
	s.n = 0;
	add_cmsg(&c, SOL_SOCKET, SCM_DEVMEM_DMABUF, &half, sizeof(half));
	if (walk(&c, 0, &s) != -EBADMSG || s.n) {
		ktap_diag("short devmem cmsg accepted");
		return false;
	}
	c.len = 0;
	return walk(&c, 0, &s) == 0 && s.n == 0;
}

static bool tokens_coalesce(void)
{
	struct devmem_token_batch b = { .entries = 0 };
	static const uint32_t toks[] = { 5, 6, 7, 9, 10, 3 };

	for (size_t i = 0; i < ARRAY_SIZE(toks); i++)
		if (!devmem_token_batch_add(&b, toks[i]))
			return false;
	return b.entries == 3 && b.tokens == 6 &&
	       b.entry[0].token_start == 5 && b.entry[0].token_count == 3 &&
	       b.entry[1].token_start == 9 && b.entry[1].token_count == 2 &&
	       b.entry[2].token_start == 3 && b.entry[2].token_count == 1;
}

static bool tokens_respect_kernel_limits(void)
{
	struct devmem_token_batch b = { .entries = 0 };
	uint32_t t;

	/* 128 separate entries fill a batch... */
	for (t = 0; t < DEVMEM_DONTNEED_MAX_ENTRIES; t++)
		if (!devmem_token_batch_add(&b, 2 * t))
			return false;
	if (devmem_token_batch_add(&b, 1000) || b.entries != DEVMEM_DONTNEED_MAX_ENTRIES)
		return false;
	/* ...though extending the last run still fits. */
	if (!devmem_token_batch_add(&b, 2 * (t - 1) + 1))
		return false;

	/* 1024 tokens in one run fill it too: the kernel stops there. */
	memset(&b, 0, sizeof(b));
	for (t = 1; t <= DEVMEM_DONTNEED_MAX_TOKENS; t++)
		if (!devmem_token_batch_add(&b, t))
			return false;
	return !devmem_token_batch_add(&b, t) && b.entries == 1 &&
	       b.tokens == DEVMEM_DONTNEED_MAX_TOKENS;
}

/* --- devmem_rx_dispatch(): what devmem_rx_recv() does after recvmsg() --- */

struct rx_case {
	struct devmem_rx *rx;
	unsigned char iov[8192];
	struct seen seen;
	int stop_ret;	/* what collect_rx returns at seen.stop_at */
};

static int collect_rx(const struct devmem_frag *f, void *arg)
{
	struct rx_case *rc = arg;
	struct seen *s = &rc->seen;

	s->frag[s->n++] = *f;
	return s->n == s->stop_at ? rc->stop_ret : 0;
}

/* Dispatch @c as a message of @received bytes; the socket fd is -1. */
static int dispatch(struct rx_case *rc, const struct ctrl *c, size_t received)
{
	void *copy = malloc(c->len ? c->len : 1);
	struct iovec iov = { .iov_base = rc->iov, .iov_len = sizeof(rc->iov) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = c->len ? copy : NULL, .msg_controllen = c->len,
	};
	int ret;

	memcpy(copy, c->u.data, c->len);
	rc->seen.n = 0;
	ret = devmem_rx_dispatch(rc->rx, &msg, received, collect_rx, rc);
	free(copy);
	return ret;
}

static bool rx_linear_frags_point_into_iov(void)
{
	static struct rx_case rc;
	struct ctrl c = { .len = 0 };
	bool ok;
	int ret;

	if (devmem_rx_open(-1, 4096, &rc.rx))
		return false;
	add_devmem(&c, SCM_DEVMEM_LINEAR, 0, 100, 0, 0);
	add_devmem(&c, SCM_DEVMEM_DMABUF, 4096, 4096, 7, 3);
	add_devmem(&c, SCM_DEVMEM_LINEAR, 0, 52, 0, 0);
	/* the token is given back on fd -1: that it was tried shows as EBADF */
	ret = dispatch(&rc, &c, 100 + 4096 + 52);
	ok = ret == -EBADF && rc.seen.n == 3 &&
	     rc.seen.frag[0].data == rc.iov &&
	     rc.seen.frag[1].data == NULL && rc.seen.frag[1].token == 7 &&
	     rc.seen.frag[2].data == rc.iov + 100 &&
	     rc.seen.frag[2].size == 52;
	if (!ok)
		ktap_diag("dispatch returned %d, %d frags", ret, rc.seen.n);
	devmem_rx_close(rc.rx);
	return ok;
}

static bool rx_plain_bytes_are_one_linear_frag(void)
{
	static struct rx_case rc;
	struct ctrl c = { .len = 0 };
	bool ok;

	if (devmem_rx_open(-1, 0, &rc.rx))
		return false;
	/* no devmem cmsg, no token: no SO_DEVMEM_DONTNEED either */
	ok = dispatch(&rc, &c, 500) == 0 && rc.seen.n == 1 &&
	     rc.seen.frag[0].kind == DEVMEM_FRAG_LINEAR &&
	     rc.seen.frag[0].size == 500 && rc.seen.frag[0].data == rc.iov;
	devmem_rx_close(rc.rx);
	return ok;
}

static bool rx_cmsgs_must_add_up(void)
{
	static struct rx_case rc;
	struct ctrl c = { .len = 0 };
	bool ok = true;

	if (devmem_rx_open(-1, 4096, &rc.rx))
		return false;
	/* linear bytes beyond what recvmsg() returned: never handed out */
	add_devmem(&c, SCM_DEVMEM_LINEAR, 0, 100, 0, 0);
	if (dispatch(&rc, &c, 50) != -EBADMSG || rc.seen.n) {
		ktap_diag("linear frag past the received bytes accepted");
		ok = false;
	}
	/* cmsgs describing less than was received */
	if (dispatch(&rc, &c, 150) != -EBADMSG) {
		ktap_diag("cmsgs short of the received bytes accepted");
		ok = false;
	}
	devmem_rx_close(rc.rx);
	return ok;
}

static bool rx_callback_stops_with_its_errno(void)
{
	static struct rx_case rc;
	struct ctrl c = { .len = 0 };
	bool ok;

	if (devmem_rx_open(-1, 4096, &rc.rx))
		return false;
	add_devmem(&c, SCM_DEVMEM_LINEAR, 0, 10, 0, 0);
	add_devmem(&c, SCM_DEVMEM_LINEAR, 0, 20, 0, 0);
	add_devmem(&c, SCM_DEVMEM_LINEAR, 0, 30, 0, 0);
	rc.seen.stop_at = 2;
	rc.stop_ret = -ECANCELED;
	ok = dispatch(&rc, &c, 60) == -ECANCELED && rc.seen.n == 2;
	devmem_rx_close(rc.rx);
	return ok;
}

/* --- devmem_flow_rule(): the ntuple rule devmem_steer_add() sends ------- */

static bool flow_rule_tcp4_dst_port(void)
{
	struct devmem_flow f = { .family = AF_INET, .dst_port = 5201 };
	const struct ethtool_tcpip4_spec *v, *m;
	struct ethtool_rxnfc nfc;

	f.dst[0] = 192; f.dst[1] = 0; f.dst[2] = 2; f.dst[3] = 2;
	if (devmem_flow_rule(&f, 3, -1, &nfc))
		return false;
	v = &nfc.fs.h_u.tcp_ip4_spec;
	m = &nfc.fs.m_u.tcp_ip4_spec;
	return nfc.cmd == ETHTOOL_SRXCLSRLINS &&
	       nfc.fs.flow_type == TCP_V4_FLOW && nfc.fs.ring_cookie == 3 &&
	       nfc.fs.location == RX_CLS_LOC_ANY &&
	       v->pdst == htons(5201) && m->pdst == 0xffff &&
	       v->psrc == 0 && m->psrc == 0 &&
	       v->ip4dst == htonl(0xc0000202) && m->ip4dst == 0xffffffff &&
	       v->ip4src == 0 && m->ip4src == 0 && m->tos == 0;
}

static bool flow_rule_tcp6_at_location(void)
{
	struct devmem_flow f = { .family = AF_INET6, .src_port = 40000 };
	const struct ethtool_tcpip6_spec *v, *m;
	struct ethtool_rxnfc nfc;

	f.dst[0] = 0x20; f.dst[1] = 0x01; f.dst[15] = 2;
	if (devmem_flow_rule(&f, 1, 6, &nfc))
		return false;
	v = &nfc.fs.h_u.tcp_ip6_spec;
	m = &nfc.fs.m_u.tcp_ip6_spec;
	return nfc.fs.flow_type == TCP_V6_FLOW && nfc.fs.location == 6 &&
	       nfc.fs.ring_cookie == 1 &&
	       v->psrc == htons(40000) && m->psrc == 0xffff && m->pdst == 0 &&
	       !memcmp(v->ip6dst, f.dst, 16) && m->ip6dst[0] == 0xffffffff &&
	       m->ip6dst[3] == 0xffffffff && m->ip6src[0] == 0;
}

static bool flow_rule_refusals(void)
{
	struct devmem_flow any = { .family = AF_INET };
	struct devmem_flow bad = { .family = AF_UNIX, .dst_port = 1 };
	struct ethtool_rxnfc nfc;

	return devmem_flow_rule(&any, 0, -1, &nfc) == -EINVAL &&
	       devmem_flow_rule(&bad, 0, -1, &nfc) == -EAFNOSUPPORT;
}

/* Heap names are file names under /dev/dma_heap, never paths. */
static bool dma_heap_names_checked(void)
{
	return devmem_dma_heap_alloc(NULL, 4096) == -EINVAL &&
	       devmem_dma_heap_alloc("", 4096) == -EINVAL &&
	       devmem_dma_heap_alloc("../udmabuf", 4096) == -EINVAL &&
	       devmem_dma_heap_alloc("no-such-heap-dmabuf-pp", 4096) == -ENOENT;
}

/* A call may pass no error to fill: the errno comes back all the same. */
static bool null_err_is_allowed(void)
{
	const int nodev = 0x7fffffff;	/* no such ifindex */

	return devmem_steer_add(1, &(struct devmem_flow){ .family = AF_INET },
				0, -1, NULL) == -EINVAL &&
	       devmem_steer_del(nodev, 0, NULL) == -ENODEV &&
	       devmem_ntuple_set(nodev, true, NULL) == -ENODEV &&
	       devmem_rss_exclude(nodev, NULL, 0, NULL) == -ENODEV;
}

static bool version_macros_match_library(void)
{
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", DEVMEM_VERSION_MAJOR,
		 DEVMEM_VERSION_MINOR, DEVMEM_VERSION_PATCH);
	return !strcmp(want, DEVMEM_VERSION_STRING) &&
	       !strcmp(devmem_version(), DEVMEM_VERSION_STRING) &&
	       DEVMEM_VERSION == DEVMEM_VERSION_CODE(DEVMEM_VERSION_MAJOR,
						     DEVMEM_VERSION_MINOR,
						     DEVMEM_VERSION_PATCH) &&
	       DEVMEM_VERSION >= DEVMEM_VERSION_CODE(0, 1, 0);
}

static const struct {
	bool (*fn)(void);
	const char *name;
} cases[] = {
	{ ack_is_code_zero, "nl_ack_is_code_zero" },
	{ ack_with_warning_text, "nl_ack_with_warning_text" },
	{ capped_error_with_extack, "nl_capped_error_with_extack" },
	{ uncapped_error_with_extack, "nl_uncapped_error_with_extack" },
	{ uncapped_echo_hides_fake_tlv, "nl_uncapped_echo_hides_fake_tlv" },
	{ error_without_tlvs, "nl_error_without_tlvs" },
	{ done_with_errno_and_extack, "nl_done_with_errno_and_extack" },
	{ done_clean, "nl_done_clean" },
	{ other_type_is_not_status, "nl_other_type_is_not_status" },
	{ bad_errno_rejected, "nl_bad_errno_rejected" },
	{ truncated_prefixes_rejected, "nl_truncated_prefixes_rejected" },
	{ malformed_tlvs_keep_errno, "nl_malformed_tlvs_keep_errno" },
	{ unterminated_and_long_text, "nl_unterminated_and_long_text" },
	{ dma_heap_names_checked, "dma_heap_names_checked" },
	{ list_parses, "list_parses" },
	{ list_rejects, "list_rejects" },
	{ size_parses, "size_parses" },
	{ uint_parses, "uint_parses" },
	{ cmsg_frags_in_order, "cmsg_frags_in_order" },
	{ cmsg_linear_ignores_other_fields, "cmsg_linear_ignores_other_fields" },
	{ cmsg_errors, "cmsg_errors" },
	{ tokens_coalesce, "tokens_coalesce" },
	{ tokens_respect_kernel_limits, "tokens_respect_kernel_limits" },
	{ rx_linear_frags_point_into_iov, "rx_linear_frags_point_into_iov" },
	{ rx_plain_bytes_are_one_linear_frag, "rx_plain_bytes_are_one_linear_frag" },
	{ rx_cmsgs_must_add_up, "rx_cmsgs_must_add_up" },
	{ rx_callback_stops_with_its_errno, "rx_callback_stops_with_its_errno" },
	{ flow_rule_tcp4_dst_port, "flow_rule_tcp4_dst_port" },
	{ flow_rule_tcp6_at_location, "flow_rule_tcp6_at_location" },
	{ flow_rule_refusals, "flow_rule_refusals" },
	{ null_err_is_allowed, "null_err_is_allowed" },
	{ version_macros_match_library, "version_macros_match_library" },
};

int main(void)
{
	const unsigned int n = ARRAY_SIZE(cases);
	struct ktap t;

	ktap_start(&t, n);
	for (unsigned int i = 0; i < n; i++)
		ktap_result(&t, cases[i].fn(), cases[i].name);
	ktap_exit(&t);
}
