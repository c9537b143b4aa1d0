// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pattern.h"
#include "tcp_client.h"
#include "tcp_server.h"

#define CHUNK (256 * 1024)

int tcp_connect(const char *prog, const char *addr, const char *port, int timeout_s)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai;
	int fd, err;

	err = getaddrinfo(addr, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "%s: %s port %s: %s\n", prog, addr, port, gai_strerror(err));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || tcp_idle_timeout(fd, timeout_s) ||
	    connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		fprintf(stderr, "%s: connect to %s port %s: %s\n", prog, addr, port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int tcp_send_pattern(const char *prog, int fd, uint64_t bytes)
{
	uint64_t sent = 0;
	char *buf = malloc(CHUNK);

	if (!buf) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return -1;
	}
	while (sent < bytes) {
		size_t len = bytes - sent < CHUNK ? bytes - sent : CHUNK;
		size_t done = 0;

		pattern_fill(buf, len, sent);
		while (done < len) {
			ssize_t n = send(fd, buf + done, len - done, MSG_NOSIGNAL);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				fprintf(stderr, "%s: send: %s\n", prog,
					errno == EAGAIN ? "no progress within the timeout" :
					strerror(errno));
				free(buf);
				return -1;
			}
			done += n;
		}
		sent += len;
	}
	free(buf);
	return 0;
}
