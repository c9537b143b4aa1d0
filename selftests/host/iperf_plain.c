// SPDX-License-Identifier: GPL-2.0-only
/*
 * devmem-rx's iperf3 server on an ordinary socket, with no dma-buf bound:
 * the host test drives it with Debian's iperf3 client over loopback, so
 * the protocol is checked without a VM. Every byte must then arrive in the
 * iov; a dma-buf fragment would be an error.
 *
 * usage: iperf_plain PORT READY_FD [--json]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/devmem-rx/devmem_rx.h"
#include "../../tools/lib/tcp_server.h"

int main(int argc, char **argv)
{
	struct opts o = { .iperf = true, .timeout_s = 20 };
	int lfd, ret;

	if (argc < 3) {
		fprintf(stderr, "usage: iperf_plain PORT READY_FD [--json]\n");
		return 2;
	}
	o.port = argv[1];
	o.json = argc > 3 && !strcmp(argv[3], "--json");
	lfd = tcp_listen("iperf_plain", "127.0.0.1", o.port);
	if (lfd < 0)
		return 1;
	ready_signal("iperf_plain", atoi(argv[2]));
	ret = iperf_serve(&o, NULL, lfd);
	close(lfd);
	return ret;
}
