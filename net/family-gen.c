// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/dmabuf-pp.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "family-gen.h"

#include <uapi/linux/dmabuf_pp.h>
#include <linux/list.h>

/* DMABUF_PP_CMD_BIND - do */
static const struct nla_policy dmabuf_pp_bind_nl_policy[DMABUF_PP_A_BINDING_BUF_SIZE + 1] = {
	[DMABUF_PP_A_BINDING_IFINDEX] = { .type = NLA_U32, },
	[DMABUF_PP_A_BINDING_FD] = { .type = NLA_U32, },
	[DMABUF_PP_A_BINDING_QUEUES] = { .type = NLA_U32, },
	[DMABUF_PP_A_BINDING_BUF_SIZE] = { .type = NLA_U32, },
};

/* DMABUF_PP_CMD_GET - do */
static const struct nla_policy dmabuf_pp_get_nl_policy[DMABUF_PP_A_BINDING_ID + 1] = {
	[DMABUF_PP_A_BINDING_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* Ops table for dmabuf_pp */
static const struct genl_split_ops dmabuf_pp_nl_ops[] = {
	{
		.cmd		= DMABUF_PP_CMD_BIND,
		.doit		= dmabuf_pp_nl_bind_doit,
		.policy		= dmabuf_pp_bind_nl_policy,
		.maxattr	= DMABUF_PP_A_BINDING_BUF_SIZE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= DMABUF_PP_CMD_GET,
		.doit		= dmabuf_pp_nl_get_doit,
		.policy		= dmabuf_pp_get_nl_policy,
		.maxattr	= DMABUF_PP_A_BINDING_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= DMABUF_PP_CMD_GET,
		.start	= dmabuf_pp_nl_get_dump_start,
		.dumpit	= dmabuf_pp_nl_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
};

static const struct genl_multicast_group dmabuf_pp_nl_mcgrps[] = {
	[DMABUF_PP_NLGRP_MGMT] = { "mgmt", },
};

static void __dmabuf_pp_nl_sock_priv_init(void *priv)
{
	dmabuf_pp_nl_sock_priv_init(priv);
}

static void __dmabuf_pp_nl_sock_priv_destroy(void *priv)
{
	dmabuf_pp_nl_sock_priv_destroy(priv);
}

struct genl_family dmabuf_pp_nl_family __ro_after_init = {
	.name		= DMABUF_PP_FAMILY_NAME,
	.version	= DMABUF_PP_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= dmabuf_pp_nl_ops,
	.n_split_ops	= ARRAY_SIZE(dmabuf_pp_nl_ops),
	.mcgrps		= dmabuf_pp_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(dmabuf_pp_nl_mcgrps),
	.sock_priv_size	= sizeof(struct list_head),
	.sock_priv_init	= __dmabuf_pp_nl_sock_priv_init,
	.sock_priv_destroy = __dmabuf_pp_nl_sock_priv_destroy,
};
