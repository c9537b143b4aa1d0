/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The receiving end every one of our TCP tools shares: listen, tell the
 * caller we do (--ready-fd), accept one connection with a time limit, and
 * time the transfer in wall and CPU seconds. Errors are printed prefixed
 * with the program's name, so callers only decide the exit status.
 */
#ifndef DMABUF_PP_TCP_SERVER_H
#define DMABUF_PP_TCP_SERVER_H

/* Monotonic wall-clock time and this process's user + system CPU time. */
double wall_seconds(void);
double cpu_seconds(void);

/*
 * Listen on @port of @addr; @addr NULL means every address, IPv6 and IPv4
 * on one dual-stack socket. Returns the socket, or -1.
 */
int tcp_listen(const char *prog, const char *addr, const char *port);

/*
 * Wait up to @timeout_s for one connection on @lfd. Reads and writes on the
 * returned socket give up after @timeout_s without progress. Returns the
 * socket, or -1.
 */
int tcp_accept_one(const char *prog, int lfd, int timeout_s);

/* SO_RCVTIMEO and SO_SNDTIMEO of @secs on @fd; 0 or -1. */
int tcp_idle_timeout(int fd, int secs);

/* Write "ready" to @fd (the --ready-fd of a test script) and close it. */
void ready_signal(const char *prog, int fd);

/*
 * Block until @fd (the --go-fd of a benchmark) has a byte for us, or every
 * writer closed it, then close it: so that a script can start programs and
 * let them set up outside the interval it times. 0 or -1.
 */
int go_wait(const char *prog, int fd);

#endif
