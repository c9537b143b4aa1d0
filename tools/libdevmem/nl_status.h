/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The status part of netlink, kept apart from the socket code so the host
 * unit test can feed it hand-made messages: what errno an NLMSG_ERROR or
 * NLMSG_DONE carries, and the extended ack text that explains it.
 * Internal to libdevmem; no libnl needed.
 */
#ifndef LIBDEVMEM_NL_STATUS_H
#define LIBDEVMEM_NL_STATUS_H

#include <stddef.h>

#include "devmem.h"

/**
 * devmem_nl_status() - decode the status a netlink message carries
 * @buf: a netlink message, starting at its struct nlmsghdr
 * @len: bytes readable at @buf
 * @st: the status: code 0 for an ACK or a clean end of dump, otherwise the
 *      positive errno; msg the NLMSGERR_ATTR_MSG text or ""
 *
 * Understands NLMSG_ERROR in both layouts (the request echoed back after
 * struct nlmsgerr, or only its header when NLM_F_CAPPED) and NLMSG_DONE,
 * whose payload is the dump's errno. Extended ack TLVs are read only when
 * NLM_F_ACK_TLVS says they are there; malformed TLVs are skipped, as the
 * errno is still good. No byte outside [@buf, @buf + @len) is read.
 *
 * Return: 0 when @st was filled from a well-formed message; -EBADMSG when
 * the message is cut short or its errno is out of range (@st then holds
 * EBADMSG and a note); -EINVAL when it is neither NLMSG_ERROR nor NLMSG_DONE.
 */
int devmem_nl_status(const void *buf, size_t len, struct devmem_err *st);

#endif
