/*
 * A worker process: serves the FastCGI connections the master hands it,
 * one request at a time, with one database connection.
 */
#ifndef WORKER_H
#define WORKER_H

struct config;

/* Serves connections received on "ctl" (handoff.h) until the master
 * closes it or SIGTERM arrives between requests; returns the exit
 * status. */
int	worker_run(int ctl, const struct config *cfg);

#endif
