// SPDX-License-Identifier: GPL-2.0-only
/* Netlink status and extended ack decoding: see nl_status.h. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <linux/netlink.h>

#include "err.h"
#include "nl_status.h"

/* errnos are 1..4095 in the kernel; anything else is not a real status. */
#define ERRNO_MAX 4095

static int malformed(struct devmem_err *st, const char *why)
{
	return devmem_err_set(st, EBADMSG, "%s", why);
}

/*
 * The kernel NUL-terminates NLMSGERR_ATTR_MSG, but the attribute is only as
 * trustworthy as the buffer: copy at most @len bytes, stop at a NUL and
 * always terminate, truncating text that does not fit.
 */
static void copy_text(char *dst, size_t size, const unsigned char *src,
		      size_t len)
{
	size_t n = 0;

	while (n < len && n + 1 < size && src[n])
		n++;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Find NLMSGERR_ATTR_MSG among the TLVs at [@p, @p + @len). */
static void read_ext_ack(const unsigned char *p, size_t len, struct devmem_err *st)
{
	while (len >= NLA_HDRLEN) {
		struct nlattr nla;
		size_t step;

		memcpy(&nla, p, sizeof(nla));	/* @p need not be aligned */
		if (nla.nla_len < NLA_HDRLEN || nla.nla_len > len)
			return;
		if ((nla.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			copy_text(st->msg, sizeof(st->msg), p + NLA_HDRLEN,
				  nla.nla_len - NLA_HDRLEN);
			return;
		}
		step = NLA_ALIGN(nla.nla_len);
		if (step >= len)
			return;
		p += step;
		len -= step;
	}
}

/* Where the ack TLVs of an NLMSG_ERROR start, counted from its header. */
static size_t error_tlv_offset(const struct nlmsghdr *nlh,
			       const struct nlmsgerr *e)
{
	size_t off = NLMSG_HDRLEN + sizeof(*e);

	/*
	 * Unless capped, the kernel echoes the request's payload after the
	 * header copy in struct nlmsgerr, padded to NLMSG_ALIGNTO. An ACK
	 * (error 0) is always capped.
	 */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
	    e->msg.nlmsg_len > NLMSG_HDRLEN)
		off += NLMSG_ALIGN((size_t)e->msg.nlmsg_len - NLMSG_HDRLEN);
	return off;
}

int devmem_nl_status(const void *buf, size_t len, struct devmem_err *st)
{
	const unsigned char *p = buf;
	struct nlmsghdr nlh;
	struct nlmsgerr e;
	int32_t error;
	size_t off;

	devmem_err_clear(st);
	if (len < NLMSG_HDRLEN)
		return malformed(st, "netlink message shorter than its header");
	memcpy(&nlh, p, sizeof(nlh));
	if (nlh.nlmsg_len < NLMSG_HDRLEN || nlh.nlmsg_len > len)
		return malformed(st, "netlink message length out of bounds");
	len = nlh.nlmsg_len;

	switch (nlh.nlmsg_type) {
	case NLMSG_ERROR:
		if (len < NLMSG_HDRLEN + sizeof(e))
			return malformed(st, "truncated netlink error message");
		memcpy(&e, p + NLMSG_HDRLEN, sizeof(e));
		error = e.error;
		off = error_tlv_offset(&nlh, &e);
		break;
	case NLMSG_DONE:
		/* An end of dump without an errno is a plain success. */
		if (len < NLMSG_HDRLEN + sizeof(error))
			return 0;
		memcpy(&error, p + NLMSG_HDRLEN, sizeof(error));
		off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(error));
		break;
	default:
		return -EINVAL;
	}

	if (error > 0 || error < -ERRNO_MAX)
		return malformed(st, "netlink status is not an errno");
	st->code = -error;
	if ((nlh.nlmsg_flags & NLM_F_ACK_TLVS) && off < len)
		read_ext_ack(p + off, len - off, st);
	return 0;
}
