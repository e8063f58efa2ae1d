/*
 * Why the workers accept for themselves: nginx opens a new connection
 * for every request (fastcgi_keep_conn off), and only an idle worker
 * calls accept(2), so the listen queue is the one shared FIFO: a request
 * never waits behind a busy worker while another is idle. Handing
 * kept-alive connections through the master cost each request two more
 * wake-ups and eight system calls (tests/bench/README.md).
 *
 * The master only supervises: it starts the workers, replaces one that
 * dies, and drains them on SIGTERM or SIGINT.
 */
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "master.h"
#include "worker.h"

#define MAX_WORKERS	256
#define BACKOFF_MAX	8	/* seconds between restarts of a crashing worker */
#define DRAIN_TIMEOUT	30	/* seconds before stragglers are killed */

struct slot {
	pid_t	 pid;		/* 0: not running */
	time_t	 started;
	int	 backoff;	/* seconds to wait before the next start */
	time_t	 due;		/* when to start again, if pid == 0 */
};

struct master {
	const struct config	*cfg;
	int			 listen_fd;
	int			 sig;		/* signalfd */
	struct slot		 slots[MAX_WORKERS];
	int			 nslots;
	int			 draining;
};

static pid_t
spawn(struct master *m)
{
	sigset_t	 none;
	pid_t		 pid;

	if ((pid = fork()) != 0)
		return pid;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close(m->sig);
	_exit(worker_run(m->listen_fd, m->cfg));
}

/* Notes the workers that died and schedules their replacements. */
static void
reap(struct master *m)
{
	struct slot	*s;
	time_t		 now = time(NULL);
	pid_t		 pid;
	int		 status, i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < m->nslots && m->slots[i].pid != pid; i++)
			;
		if (i == m->nslots)
			continue;
		s = &m->slots[i];
		/* A request it had is lost; nginx answers the client 502. A
		 * worker that dies within 5 s of its start is crashing: wait
		 * longer each time, up to BACKOFF_MAX. */
		s->backoff = now - s->started < 5 ?
		    (s->backoff ? s->backoff * 2 : 1) : 0;
		if (s->backoff > BACKOFF_MAX)
			s->backoff = BACKOFF_MAX;
		s->pid = 0;
		s->due = now + s->backoff;
		if (!m->draining)
			log_warn("worker %d %s %d; restarting in %d s", (int)pid,
			    WIFSIGNALED(status) ? "killed by signal" :
			    "exited with", WIFSIGNALED(status) ?
			    WTERMSIG(status) : WEXITSTATUS(status), s->backoff);
	}
}

static void
start_due(struct master *m)
{
	time_t	 now = time(NULL);
	int	 i;

	for (i = 0; i < m->nslots && !m->draining; i++) {
		if (m->slots[i].pid != 0 || m->slots[i].due > now)
			continue;
		if ((m->slots[i].pid = spawn(m)) == -1)
			m->slots[i].pid = 0;
		m->slots[i].started = now;
	}
}

/* Workers still running. */
static int
running(struct master *m)
{
	int	 i, n = 0;

	for (i = 0; i < m->nslots; i++)
		n += m->slots[i].pid > 0;
	return n;
}

static void
signal_workers(struct master *m, int sig)
{
	int	 i;

	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].pid > 0)
			kill(m->slots[i].pid, sig);
}

static void
on_signal(struct master *m)
{
	struct signalfd_siginfo	 si;

	while (read(m->sig, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap(m);
		else if (!m->draining) {
			log_info("draining workers");
			m->draining = 1;
			signal_workers(m, SIGTERM);
		}
	}
}

static int
setup(struct master *m, int listen_fd, const struct config *cfg)
{
	sigset_t	 set;

	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	m->listen_fd = listen_fd;
	m->nslots = cfg->workers < MAX_WORKERS ? cfg->workers : MAX_WORKERS;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	m->sig = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return m->sig == -1 ? -1 : 0;
}

int
master_run(int listen_fd, const struct config *cfg)
{
	struct master	 m;
	struct pollfd	 pfd;
	time_t		 deadline = 0;

	if (setup(&m, listen_fd, cfg) == -1) {
		log_error("master: setup failed");
		return 1;
	}
	log_info("serving with %d workers", m.nslots);
	pfd.fd = m.sig;
	pfd.events = POLLIN;
	while (!m.draining || running(&m) > 0) {
		start_due(&m);
		if (m.draining && deadline == 0)
			deadline = time(NULL) + DRAIN_TIMEOUT;
		if (deadline != 0 && time(NULL) >= deadline) {
			log_warn("drain timed out; killing %d workers",
			    running(&m));
			signal_workers(&m, SIGKILL);
			deadline = time(NULL) + 5;
		}
		if (poll(&pfd, 1, 1000) == 1)
			on_signal(&m);
	}
	close(m.sig);
	return 0;
}
