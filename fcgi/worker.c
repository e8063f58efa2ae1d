/*
 * The worker's loop, on libfcgi (fcgi2:examples/threaded.c with one
 * thread): one process, one FCGX_Request, one MariaDB connection. An idle
 * worker sleeps in epoll on the shared listen socket; FCGX_Accept_r takes
 * the next connection and reads its params, the request is answered, and
 * FCGX_Finish_r ends it and closes the connection (master.c says why one
 * request per connection).
 */
#include <sys/epoll.h>
#include <sys/prctl.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "now.h"
#include "router.h"
#include "routes.h"
#include "worker.h"

static volatile sig_atomic_t	 stopping;

struct worker {
	const struct config	*cfg;
	struct db		*db;
	struct router		*router;
	FCGX_Request		 fcgx;
};

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Answers the request FCGX_Accept_r has just read the params of. */
static void
serve(struct worker *w)
{
	struct req	 r;
	int64_t		 start = now_us(CLOCK_MONOTONIC), took;

	if (req_init(&r, &w->fcgx, w->db, w->cfg) == 0) {
		routes_dispatch(&r, w->router);
		http_write(&r);
		took = now_us(CLOCK_MONOTONIC) - start;
		log_info("%s %s %s %d %d.%dms", r.request_id, r.method, r.path,
		    r.status, (int)(took / 1000), (int)(took / 100 % 10));
	} else
		/* Not a request to act on: nginx went away mid-body. */
		log_info("%s dropped: body cut short, or out of memory",
		    r.request_id[0] != '\0' ? r.request_id : "-");
	req_free(&r);
	/* The whole body has been read, so a plain close cannot reset the
	 * answer: spare the worker libfcgi's lingering close, which would
	 * wait for nginx to close first. */
	FCGX_Detach(&w->fcgx);
	FCGX_Finish_r(&w->fcgx);
}

/*
 * Signals: SIGTERM and SIGINT drain (worker_run); SIGPIPE is ignored, a
 * write to a closed connection fails as EPIPE instead; SIGUSR1, which
 * libfcgi would take as "stop accepting" and so drop the queued
 * connections, is ignored too.
 */
static void
set_signals(void)
{
	struct sigaction	 sa;

	/* SA_RESTART: libfcgi takes a read or write that fails with EINTR
	 * as a broken connection, which would drop the request in hand.
	 * epoll_wait is never restarted, so an idle worker still wakes. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	/* If the master is killed, stop as on SIGTERM rather than serve on
	 * with nobody to replace a worker that dies. */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
}

static int
worker_setup(struct worker *w, int listen_fd, const struct config *cfg)
{
	memset(w, 0, sizeof(*w));
	/* FCGX_Init installs libfcgi's signal handlers: ours come after. */
	if (FCGX_Init() != 0 || FCGX_InitRequest(&w->fcgx, listen_fd, 0) != 0)
		return -1;
	set_signals();
	w->cfg = cfg;
	if ((w->db = db_new(cfg)) == NULL ||
	    (w->router = routes_new()) == NULL)
		return -1;
	/* Connect early so the first request does not pay for it; a
	 * database that is down now is retried per request. */
	(void)db_connect(w->db);
	return 0;
}

/*
 * Accepts while connections are queued, then sleeps until one arrives.
 * The listen socket is non-blocking, so FCGX_Accept_r answers -EAGAIN
 * when the queue is empty; EPOLLEXCLUSIVE wakes one idle worker per
 * connection, not all of them.
 */
int
worker_run(int listen_fd, const struct config *cfg)
{
	struct epoll_event	 ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	struct worker		 w;
	int			 ep = -1, rc = 0;

	if (worker_setup(&w, listen_fd, cfg) == -1 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) == -1) {
		log_error("worker: setup failed");
		rc = 1;
	}
	/* After SIGTERM the queue is still served until it is empty: nginx
	 * has sent those requests, and the socket's close would reset them.
	 * The timeout bounds the wait of a SIGTERM that came just before. */
	while (rc == 0) {
		while (FCGX_Accept_r(&w.fcgx) == 0)
			serve(&w);
		if (stopping)
			break;
		(void)epoll_wait(ep, &ev, 1, 1000);
	}
	if (ep != -1)
		close(ep);
	FCGX_Free(&w.fcgx, 1);
	router_free(w.router);
	db_free(w.db);
	return rc;
}
