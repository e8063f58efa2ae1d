/*
 * A worker process: serves FastCGI connections on the shared listening
 * socket until told to stop, with one database connection.
 */
#ifndef WORKER_H
#define WORKER_H

struct config;

/* Runs the worker's event loop on "listen_fd"; returns the exit status
 * once SIGTERM has been received and in-flight requests are done. */
int	worker_run(int listen_fd, const struct config *cfg);

#endif
