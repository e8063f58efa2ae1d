/*
 * pesaswap-fcgi: the master process. Binds the FastCGI socket, forks the
 * workers, starts a new one when one dies (backing off when they keep
 * dying), and on SIGTERM or SIGINT lets every worker finish its requests
 * before it exits.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#include "config.h"
#include "log.h"
#include "worker.h"

#define MAX_WORKERS	256
#define BACKOFF_MAX	8	/* seconds between restarts of a crashing worker */
#define DRAIN_TIMEOUT	30	/* seconds before stragglers are killed */

static volatile sig_atomic_t	 got_term;
static volatile sig_atomic_t	 got_child;

static void
on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_child = 1;
	else if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	/* SIGALRM only wakes sigsuspend(). */
}

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

struct slot {
	pid_t	 pid;
	time_t	 started;
	int	 backoff;	/* seconds to wait before the next start */
	time_t	 due;		/* when to start again, if pid == 0 */
};

static pid_t
spawn(int listen_fd, const struct config *cfg)
{
	sigset_t	 none;
	pid_t		 pid;

	if ((pid = fork()) != 0)
		return pid;
	signal(SIGCHLD, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	_exit(worker_run(listen_fd, cfg));
}

/* Notes the workers that died and schedules their replacements. */
static void
reap(struct slot *slots, int n)
{
	time_t	 now = time(NULL);
	pid_t	 pid;
	int	 status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < n && slots[i].pid != pid; i++)
			;
		if (i == n)
			continue;
		/* A worker that dies within 5 s of its start is crashing:
		 * wait longer each time, up to BACKOFF_MAX. */
		slots[i].backoff = now - slots[i].started < 5 ?
		    (slots[i].backoff ? slots[i].backoff * 2 : 1) : 0;
		if (slots[i].backoff > BACKOFF_MAX)
			slots[i].backoff = BACKOFF_MAX;
		slots[i].pid = 0;
		slots[i].due = now + slots[i].backoff;
		log_warn("worker %d %s %d; restarting in %d s", (int)pid,
		    WIFSIGNALED(status) ? "killed by signal" : "exited with",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		    slots[i].backoff);
	}
}

static void
start_due(struct slot *slots, int n, int listen_fd, const struct config *cfg)
{
	time_t	 now = time(NULL);
	int	 i;

	for (i = 0; i < n; i++) {
		if (slots[i].pid != 0 || slots[i].due > now)
			continue;
		if ((slots[i].pid = spawn(listen_fd, cfg)) == -1)
			slots[i].pid = 0;
		slots[i].started = now;
	}
}

/* SIGTERM to every worker; wait for them, killing stragglers. */
static void
drain(struct slot *slots, int n)
{
	time_t	 deadline = time(NULL) + DRAIN_TIMEOUT;
	int	 i, alive;

	for (i = 0; i < n; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, SIGTERM);
	do {
		alive = 0;
		for (i = 0; i < n; i++) {
			if (slots[i].pid > 0 &&
			    waitpid(slots[i].pid, NULL, WNOHANG) == 0)
				alive++;
			else
				slots[i].pid = 0;
		}
		if (alive > 0)
			usleep(50 * 1000);
	} while (alive > 0 && time(NULL) < deadline);
	for (i = 0; i < n; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, SIGKILL);
}

static int
parse_args(int argc, char *argv[], struct config *cfg)
{
	int	 i, rc;

	for (i = 1; i < argc; i++) {
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
		i++;
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

static void
install_signals(void)
{
	struct sigaction	 sa;
	sigset_t		 block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Signals arrive only inside sigsuspend(), never between a check
	 * and the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, NULL);
}

int
main(int argc, char *argv[])
{
	struct slot	 slots[MAX_WORKERS];
	struct config	 cfg;
	sigset_t	 none;
	int		 fd;

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
	install_signals();
	write_pid_file(cfg.pid_file);
	memset(slots, 0, sizeof(slots));
	log_info("listening on %s with %d workers", cfg.listen, cfg.workers);
	sigemptyset(&none);
	while (!got_term) {
		got_child = 0;
		reap(slots, cfg.workers);
		start_due(slots, cfg.workers, fd, &cfg);
		/* Wake for a signal, or each second for delayed restarts. */
		alarm(1);
		sigsuspend(&none);
	}
	log_info("draining workers");
	close(fd);
	drain(slots, cfg.workers);
	if (strncmp(cfg.listen, "unix:", 5) == 0)
		(void)unlink(cfg.listen + 5);
	if (cfg.pid_file != NULL)
		(void)unlink(cfg.pid_file);
	config_free(&cfg);
	mysql_library_end();
	return 0;
}
