/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/dmabuf-pp.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_DMABUF_PP_GEN_H
#define _LINUX_DMABUF_PP_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/dmabuf_pp.h>
#include <linux/list.h>

int dmabuf_pp_nl_get_dump_start(struct netlink_callback *cb);

int dmabuf_pp_nl_bind_doit(struct sk_buff *skb, struct genl_info *info);
int dmabuf_pp_nl_get_doit(struct sk_buff *skb, struct genl_info *info);
int dmabuf_pp_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

enum {
	DMABUF_PP_NLGRP_MGMT,
};

extern struct genl_family dmabuf_pp_nl_family;

void dmabuf_pp_nl_sock_priv_init(struct list_head *priv);
void dmabuf_pp_nl_sock_priv_destroy(struct list_head *priv);

#endif /* _LINUX_DMABUF_PP_GEN_H */
