// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live progress line: bytes so far, the rate over the last second and
 * the share that stayed in the dma-buf, redrawn in place on stderr. On by
 * default when stderr is a terminal (--progress forces it); a line that is
 * not redrawn in place (a log) gets one line per update instead.
 */
#include <stdio.h>
#include <unistd.h>

#include "../lib/tcp_server.h"
#include "devmem_rx.h"

void progress_start(struct progress *p, bool on)
{
	p->on = on;
	p->t0 = p->last = wall_seconds();
	p->last_total = 0;
}

void progress_update(struct progress *p, const struct rx_counts *c)
{
	double now, dt;

	if (!p->on)
		return;
	now = wall_seconds();
	dt = now - p->last;
	if (dt < 1.0)
		return;
	fprintf(stderr, "%s%7.1f s %10.1f MiB %8.3f Gbit/s %5.1f%% in the dma-buf%s",
		isatty(STDERR_FILENO) ? "\r" : "", now - p->t0,
		c->total / 1048576.0, (c->total - p->last_total) * 8 / dt / 1e9,
		c->total ? 100.0 * c->dmabuf_bytes / c->total : 0.0,
		isatty(STDERR_FILENO) ? "" : "\n");
	p->last = now;
	p->last_total = c->total;
}

void progress_end(struct progress *p)
{
	if (p->on && p->last != p->t0 && isatty(STDERR_FILENO))
		fputc('\n', stderr);
}
