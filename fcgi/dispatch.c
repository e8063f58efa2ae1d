/*
 * Why a dispatcher: nginx keeps FastCGI connections alive and opens more
 * of them than there are workers. If each connection belonged to the
 * worker that accepted it, a request could wait behind that worker while
 * others sit idle (measured: p99 in the hundreds of ms). Here the master
 * owns every connection and gives each ready request to whichever worker
 * is idle, as one shared queue.
 *
 * Connections are watched with EPOLLONESHOT: one event per request, and
 * the connection is re-armed when the worker hands it back.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "dispatch.h"
#include "handoff.h"
#include "log.h"
#include "worker.h"

#define MAX_WORKERS	256
#define BACKOFF_MAX	8	/* seconds between restarts of a crashing worker */
#define DRAIN_TIMEOUT	30	/* seconds before stragglers are killed */
#define TAG_LISTEN	(1ULL << 32)
#define TAG_SIGNAL	(2ULL << 32)
#define TAG_WORKER	(3ULL << 32)
#define TAG_CONN	(4ULL << 32)

struct slot {
	pid_t	 pid;		/* 0: not running */
	int	 ctl;		/* our end of its socket pair */
	int	 conn;		/* connection it is serving, or -1 */
	time_t	 started;
	int	 backoff;	/* seconds to wait before the next start */
	time_t	 due;		/* when to start again, if pid == 0 */
};

struct master {
	const struct config	*cfg;
	int			 listen_fd;
	int			 ep;
	int			 sig;
	struct slot		 slots[MAX_WORKERS];
	int			 nslots;
	int			*queue;		/* ready connections, FIFO */
	size_t			 qhead, qlen, qcap;
	int			 draining;
	size_t			 nconns;	/* open connections */
};

/* Watches "fd"; events come back with "data" (a tag and an index). */
static int
watch(struct master *m, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event	 ev = { .events = events };

	ev.data.u64 = data;
	return epoll_ctl(m->ep, op, fd, &ev);
}

static void
conn_close(struct master *m, int fd)
{
	epoll_ctl(m->ep, EPOLL_CTL_DEL, fd, NULL);
	close(fd);
	m->nconns--;
}

static int
queue_push(struct master *m, int fd)
{
	int	*q;
	size_t	 i;

	if (m->qlen == m->qcap) {
		if ((q = malloc((m->qcap * 2 + 64) * sizeof(*q))) == NULL)
			return -1;
		for (i = 0; i < m->qlen; i++)
			q[i] = m->queue[(m->qhead + i) % m->qcap];
		free(m->queue);
		m->queue = q;
		m->qhead = 0;
		m->qcap = m->qcap * 2 + 64;
	}
	m->queue[(m->qhead + m->qlen++) % m->qcap] = fd;
	return 0;
}

static int
queue_pop(struct master *m)
{
	int	 fd = m->queue[m->qhead];

	m->qhead = (m->qhead + 1) % m->qcap;
	m->qlen--;
	return fd;
}

/* Gives connection "fd" to worker "s"; on failure the connection closes. */
static void
give(struct master *m, struct slot *s, int fd)
{
	struct handoff	 h = { .id = fd };

	if (handoff_send(s->ctl, &h, sizeof(h), fd) == -1) {
		conn_close(m, fd);
		return;
	}
	s->conn = fd;
}

static struct slot *
idle_worker(struct master *m)
{
	int	 i;

	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].pid > 0 && m->slots[i].conn == -1)
			return &m->slots[i];
	return NULL;
}

/* A request has arrived on "fd": to an idle worker, or the queue. */
static void
ready(struct master *m, int fd)
{
	struct slot	*s;

	if ((s = idle_worker(m)) != NULL)
		give(m, s, fd);
	else if (queue_push(m, fd) == -1)
		conn_close(m, fd);
}

static void
accept_all(struct master *m)
{
	int	 fd;

	while ((fd = accept4(m->listen_fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		if (watch(m, EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLONESHOT,
		    TAG_CONN | (uint32_t)fd) == -1) {
			close(fd);
			continue;
		}
		m->nconns++;
	}
}

/* Worker "s" is done with its connection: re-arm or close it, then give
 * it the next queued request. */
static void
handed_back(struct master *m, struct slot *s)
{
	struct handback	 b;
	int		 fd;

	/* An event left in the same epoll batch after reap() closed this
	 * slot's socket: its number may belong to a new connection now. */
	if (s->pid == 0)
		return;
	if (handoff_recv(s->ctl, &b, sizeof(b), &fd) != 1 || b.id != s->conn)
		return;		/* it died: reap() cleans up */
	if (b.keep && !m->draining &&
	    watch(m, EPOLL_CTL_MOD, s->conn, EPOLLIN | EPOLLONESHOT,
	    TAG_CONN | (uint32_t)s->conn) == 0)
		;	/* armed for its next request */
	else
		conn_close(m, s->conn);
	s->conn = -1;
	if (m->qlen > 0)
		give(m, s, queue_pop(m));
}

static pid_t
spawn(struct master *m, struct slot *s)
{
	int	 pair[2];
	pid_t	 pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(pair[0]);
		close(pair[1]);
		return -1;
	}
	if (pid == 0) {
		sigset_t	 none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		(void)setpriority(PRIO_PROCESS, 0, 0);	/* see setup() */
		/* Keep only our end of the pair and the standard streams. */
		if (dup2(pair[1], 3) == -1)
			_exit(1);
		close_range(4, ~0U, 0);
		_exit(worker_run(3, m->cfg));
	}
	close(pair[1]);
	s->ctl = pair[0];
	s->conn = -1;
	if (watch(m, EPOLL_CTL_ADD, s->ctl, EPOLLIN,
	    TAG_WORKER | (uint32_t)(s - m->slots)) == -1)
		log_warn("worker %d: cannot watch its socket", (int)pid);
	return pid;
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
		/* Its request is lost; nginx answers the client 503. */
		if (s->conn != -1)
			conn_close(m, s->conn);
		epoll_ctl(m->ep, EPOLL_CTL_DEL, s->ctl, NULL);
		close(s->ctl);
		/* A worker that dies within 5 s of its start is crashing:
		 * wait longer each time, up to BACKOFF_MAX. */
		s->backoff = now - s->started < 5 ?
		    (s->backoff ? s->backoff * 2 : 1) : 0;
		if (s->backoff > BACKOFF_MAX)
			s->backoff = BACKOFF_MAX;
		s->pid = 0;
		s->conn = -1;
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
		if ((m->slots[i].pid = spawn(m, &m->slots[i])) == -1)
			m->slots[i].pid = 0;
		m->slots[i].started = now;
		/* A new worker takes queued requests at once. */
		if (m->slots[i].pid > 0 && m->qlen > 0)
			give(m, &m->slots[i], queue_pop(m));
	}
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
			epoll_ctl(m->ep, EPOLL_CTL_DEL, m->listen_fd, NULL);
		}
	}
}

/* 1 while a request is being answered or waits for a worker. */
static int
busy(struct master *m)
{
	int	 i;

	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].pid > 0 && m->slots[i].conn != -1)
			return 1;
	return m->qlen > 0;
}

static void
event(struct master *m, uint64_t data)
{
	uint64_t	 tag = data & ~0xffffffffULL;
	int		 low = (int)(uint32_t)data;

	if (tag == TAG_LISTEN)
		accept_all(m);
	else if (tag == TAG_SIGNAL)
		on_signal(m);
	else if (tag == TAG_WORKER)
		handed_back(m, &m->slots[low]);
	else if (tag == TAG_CONN && m->draining)
		conn_close(m, low);	/* idle, or its next request: 503 */
	else if (tag == TAG_CONN)
		ready(m, low);
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
	/* Every request passes through the master twice: on a busy machine
	 * it should not wait for the CPU behind the workers it feeds. Only
	 * root may raise it; without, it stays as it is. */
	(void)setpriority(PRIO_PROCESS, 0, -5);
	if ((m->ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (m->sig = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1 ||
	    watch(m, EPOLL_CTL_ADD, listen_fd, EPOLLIN, TAG_LISTEN) == -1 ||
	    watch(m, EPOLL_CTL_ADD, m->sig, EPOLLIN, TAG_SIGNAL) == -1)
		return -1;
	return 0;
}

/* Closes every worker's socket (they exit when idle) and waits. */
static void
stop_workers(struct master *m)
{
	time_t	 deadline = time(NULL) + DRAIN_TIMEOUT;
	int	 i, alive;

	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].pid > 0)
			close(m->slots[i].ctl);
	do {
		alive = 0;
		for (i = 0; i < m->nslots; i++) {
			if (m->slots[i].pid > 0 &&
			    waitpid(m->slots[i].pid, NULL, WNOHANG) == 0)
				alive++;
			else
				m->slots[i].pid = 0;
		}
		if (alive > 0)
			usleep(20 * 1000);
	} while (alive > 0 && time(NULL) < deadline);
	for (i = 0; i < m->nslots; i++)
		if (m->slots[i].pid > 0)
			kill(m->slots[i].pid, SIGKILL);
}

int
dispatch_run(int listen_fd, const struct config *cfg)
{
	struct epoll_event	 evs[64];
	struct master		 m;
	time_t			 deadline = 0;
	int			 i, n;

	if (setup(&m, listen_fd, cfg) == -1) {
		log_error("master: setup failed");
		return 1;
	}
	log_info("serving with %d workers", m.nslots);
	while (!m.draining || (busy(&m) && time(NULL) < deadline)) {
		start_due(&m);
		n = epoll_wait(m.ep, evs, 64, 1000);
		for (i = 0; i < n; i++)
			event(&m, evs[i].data.u64);
		if (m.draining && deadline == 0)
			deadline = time(NULL) + DRAIN_TIMEOUT;
	}
	stop_workers(&m);
	free(m.queue);
	close(m.sig);
	close(m.ep);
	return 0;
}
