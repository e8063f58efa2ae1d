/*
 * pesaswap-fcgi: binds the FastCGI socket and runs the master (master.c),
 * which forks the workers that accept on it, starts a new one when one
 * dies, and on SIGTERM or SIGINT lets every request under way finish
 * before it exits.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mysql.h>

#include "config.h"
#include "log.h"
#include "master.h"

#define MAX_WORKERS	256

static int
bind_unix(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	(void)unlink(path);	/* a stale socket from an earlier run */
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0666) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
bind_tcp(const char *hostport)
{
	struct sockaddr_in	 sin;
	char			 host[64];
	const char		*colon = strrchr(hostport, ':');
	int			 fd, on = 1;

	if (colon == NULL || (size_t)(colon - hostport) >= sizeof(host)) {
		fprintf(stderr, "listen: want unix:/path or host:port\n");
		return -1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(colon + 1));
	snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		fprintf(stderr, "listen: %s is not an IPv4 address\n", host);
		return -1;
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
listen_on(const char *spec)
{
	int	 fd;

	fd = strncmp(spec, "unix:", 5) == 0 ? bind_unix(spec + 5) :
	    bind_tcp(spec);
	/* Non-blocking: workers accept until EAGAIN, then go back to epoll. */
	if (fd == -1 || listen(fd, 1024) == -1 ||
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
