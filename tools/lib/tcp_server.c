// SPDX-License-Identifier: GPL-2.0-only
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tcp_server.h"

double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

int tcp_listen(const char *prog, const char *addr, const char *port)
{
	struct addrinfo hints = {
		/* no address: the IPv6 wildcard, made dual-stack below */
		.ai_family = addr ? AF_UNSPEC : AF_INET6,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE,
	};
	int fd, one = 1, zero = 0, err;
	struct addrinfo *ai;

	err = getaddrinfo(addr, port, &hints, &ai);
	if (err) {
		fprintf(stderr, "%s: %s port %s: %s\n", prog, addr ? addr : "*",
			port, gai_strerror(err));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    (!addr && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero))) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, SOMAXCONN) ||
	    fcntl(fd, F_SETFL, O_NONBLOCK)) {
		fprintf(stderr, "%s: listen on port %s: %s\n", prog, port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int tcp_idle_timeout(int fd, int secs)
{
	struct timeval tv = { .tv_sec = secs };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	       setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ? -1 : 0;
}

/*
 * The listening socket is non-blocking: processes sharing it (--flows) all
 * wake for one connection, and those that lose the race poll again instead
 * of blocking in accept() past their deadline.
 */
int tcp_accept_one(const char *prog, int lfd, int timeout_s)
{
	struct pollfd pfd = { .fd = lfd, .events = POLLIN };
	double deadline = wall_seconds() + timeout_s;
	int fd, left_ms;

	for (;;) {
		left_ms = (deadline - wall_seconds()) * 1000;
		if (left_ms <= 0 || poll(&pfd, 1, left_ms) == 0) {
			fprintf(stderr, "%s: no connection within %d s\n", prog, timeout_s);
			return -1;
		}
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);	/* blocking, as before */
		if (fd >= 0 || (errno != EAGAIN && errno != EINTR))
			break;
	}
	if (fd < 0 || tcp_idle_timeout(fd, timeout_s)) {
		fprintf(stderr, "%s: accept: %s\n", prog, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

void ready_signal(const char *prog, int fd)
{
	if (fd < 0)
		return;
	if (write(fd, "ready\n", 6) != 6)
		fprintf(stderr, "%s: ready-fd: %s\n", prog, strerror(errno));
	close(fd);
}

int go_wait(const char *prog, int fd)
{
	ssize_t n;
	char c;

	do {
		n = read(fd, &c, 1);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		fprintf(stderr, "%s: go-fd: %s\n", prog, strerror(errno));
	close(fd);
	return n < 0 ? -1 : 0;
}
