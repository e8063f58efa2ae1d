/*
 * pesaswap-fcgi: opens the FastCGI socket with libfcgi's FCGX_OpenSocket
 * and runs the master (master.c), which forks the workers that accept on
 * it, starts a new one when one dies, and on SIGTERM or SIGINT lets every
 * request under way finish before it exits.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <mysql.h>

#include "config.h"
#include "log.h"
#include "master.h"

#define MAX_WORKERS	256
#define LISTEN_BACKLOG	1024
#define IO_TIMEOUT	30	/* seconds a peer may take to send or read */

/*
 * A TCP connection inherits these from the listen socket, so a worker
 * whose nginx host is cut off mid-request gives up after IO_TIMEOUT
 * instead of waiting for ever. A unix socket's peer is the local nginx,
 * whose own fastcgi timeouts close a stalled connection.
 */
static int
set_timeouts(int fd)
{
	struct timeval	 tv = { .tv_sec = IO_TIMEOUT };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1)
		return -1;
	return 0;
}

/*
 * "unix:/path" or "host:port". FCGX_OpenSocket binds and listens: a path
 * is a unix socket (an old one is unlinked first), "host:port" a TCP
 * socket with SO_REUSEADDR; it exits the process itself when bind or
 * listen fails. The socket is left non-blocking for the workers' accept
 * loop (worker.c).
 */
static int
listen_on(const char *spec)
{
	const char	*path = NULL;
	int		 fd;

	if (strncmp(spec, "unix:", 5) == 0)
		path = spec + 5;
	/* libfcgi reads "anything:digits" as TCP, and a path as unix. */
	if (path != NULL ? strchr(path, ':') != NULL :
	    strchr(spec, ':') == NULL) {
		fprintf(stderr, "listen: want unix:/path (no ':') or "
		    "host:port\n");
		return -1;
	}
	fd = FCGX_OpenSocket(path != NULL ? path : spec, LISTEN_BACKLOG);
	/* nginx's workers (another user) connect to the unix socket. */
	if (fd == -1 || (path != NULL && chmod(path, 0666) == -1) ||
	    set_timeouts(fd) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
		fprintf(stderr, "cannot listen on %s: %s\n", spec,
		    strerror(errno));
		return -1;
	}
	return fd;
}

static int
parse_args(int argc, char *argv[], struct config *cfg)
{
	int	 i, rc;

	/* Flags come in pairs: --name value. */
	for (i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return -1;
		if (strncmp(argv[i], "--", 2) != 0 || i + 1 == argc) {
			fprintf(stderr, "unexpected argument: %s\n", argv[i]);
			return -1;
		}
		if ((rc = config_set(cfg, argv[i] + 2, argv[i + 1])) == 0)
			fprintf(stderr, "unknown flag: %s\n", argv[i]);
		if (rc != 1)
			return -1;
	}
	if (cfg->workers < 1)
		cfg->workers = 2 * (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (cfg->workers > MAX_WORKERS)
		cfg->workers = MAX_WORKERS;
	return 0;
}

static void
write_pid_file(const char *path)
{
	FILE	*f;

	if (path == NULL || (f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
}

int
main(int argc, char *argv[])
{
	struct config	 cfg;
	int		 fd, rc;

	/* Descriptors inherited from whoever started us (a shell's pipes)
	 * would stay open in every worker; we need none of them. */
	close_range(3, ~0U, 0);
	if (config_from_env(&cfg) == -1)
		return 2;
	if (parse_args(argc, argv, &cfg) == -1) {
		fprintf(stderr, "usage: pesaswap-fcgi [--flag value …]\n");
		config_usage();
		return 2;
	}
	mysql_library_init(0, NULL, NULL);
	if ((fd = listen_on(cfg.listen)) == -1)
		return 1;
	write_pid_file(cfg.pid_file);
	log_info("listening on %s", cfg.listen);
	rc = master_run(fd, &cfg);
	close(fd);
	if (strncmp(cfg.listen, "unix:", 5) == 0)
		(void)unlink(cfg.listen + 5);
	if (cfg.pid_file != NULL)
		(void)unlink(cfg.pid_file);
	config_free(&cfg);
	mysql_library_end();
	return rc;
}
