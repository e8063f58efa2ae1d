/*
 * A worker process: accepts FastCGI connections from the shared listen
 * socket and answers each one's request, one at a time, with one
 * database connection.
 */
#ifndef WORKER_H
#define WORKER_H

struct config;

/* Serves connections from "listen_fd" (non-blocking) until SIGTERM,
 * then those still queued; returns the exit status. */
int	worker_run(int listen_fd, const struct config *cfg);

#endif
