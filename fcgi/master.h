/*
 * The master process: forks the workers, which accept nginx's FastCGI
 * connections themselves (worker.c), and keeps them alive: a dead one is
 * replaced, with back-off when they keep dying. SIGTERM or SIGINT drains:
 * each worker finishes the request in hand and those already queued, and
 * exits; then the master.
 */
#ifndef MASTER_H
#define MASTER_H

struct config;

/* Runs until drained; returns the exit status. */
int	master_run(int listen_fd, const struct config *cfg);

#endif
