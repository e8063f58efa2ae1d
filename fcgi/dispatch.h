/*
 * The master's loop: accepts nginx's FastCGI connections, watches them,
 * hands each request to an idle worker (a queue when none is idle), and
 * keeps the workers alive: a dead one is replaced, with back-off when
 * they keep dying. SIGTERM or SIGINT drains: no new connections, every
 * request under way is answered, then the workers and the master exit.
 */
#ifndef DISPATCH_H
#define DISPATCH_H

struct config;

/* Runs until drained; returns the exit status. */
int	dispatch_run(int listen_fd, const struct config *cfg);

#endif
