/* SPDX-License-Identifier: GPL-2.0-only */
/* devmemctl's shared pieces: error reporting, device lookup. */
#ifndef DMABUF_PP_DEVMEMCTL_H
#define DMABUF_PP_DEVMEMCTL_H

#include <net/if.h>
#include <stdbool.h>

#include <devmem.h>

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2 };

/* Most queues one command names: as many as a binding may report */
#define MAX_QUEUES DEVMEM_PP_MAX_QUEUES

/* Say what was wrong with the command line, print usage; EXIT_USAGE. */
int __attribute__((format(printf, 1, 2))) bad_usage(const char *fmt, ...);
/* The kernel's (or library's) reason on stderr; EXIT_REFUSED. */
int refused(const struct devmem_err *e);
/* Same shape as refused(), for system calls: what failed takes the msg slot. */
int refused_sys(const char *what, int errnum);
/* The device's ifindex and canonical name, or EXIT_REFUSED with a reason. */
int device(const char *arg, int *ifindex, char name[IF_NAMESIZE]);

/* One dmabuf-pp binding, as "bindings" prints it; @arg is unused. */
int print_pp_binding(const struct devmem_binding_info *b, void *arg);

/* The verbs of show.c and steer.c. */
int cmd_show(int argc, char **argv);
int cmd_steer(int argc, char **argv);
int cmd_rss(int argc, char **argv);

#endif
