/*
 * The worker's loop. One process, one thread, one MariaDB connection, and
 * any number of FastCGI connections from nginx, watched with epoll: a
 * request is served as soon as it has fully arrived on whichever
 * connection, so an idle kept-alive connection never holds the worker
 * (libfcgi's accept loop blocks on one connection at a time, and nginx
 * with keepalive opens more connections than there are workers).
 * Requests are handled one at a time, to completion.
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "fcgiproto.h"
#include "http.h"
#include "log.h"
#include "router.h"
#include "routes.h"
#include "worker.h"

#define MAX_EVENTS	64
#define WRITE_TIMEOUT	10000	/* ms a slow reader may hold a response */
#define DRAIN_QUIET	200	/* ms without traffic before a drained exit */

static volatile sig_atomic_t	 stopping;

struct worker {
	const struct config	*cfg;
	int			 listen_fd;
	int			 ep;
	struct db		*db;
	struct router		*router;
	struct fcgi_conn	*conns;		/* every open connection */
	size_t			 nconns;
};

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Writes all of buf, waiting for the socket when it is full. */
static int
write_all(int fd, const unsigned char *buf, size_t len)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLOUT };
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n == -1 && errno == EINTR)
			continue;
		else if (n == -1 && errno == EAGAIN) {
			if (poll(&pfd, 1, WRITE_TIMEOUT) <= 0)
				return -1;
		} else
			return -1;
	}
	return 0;
}

static void
conn_close(struct worker *w, struct fcgi_conn *c)
{
	struct fcgi_conn	**pp;

	for (pp = &w->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	fcgi_conn_free(c);
	free(c);
	w->nconns--;
}

/*
 * Takes one connection. Every idle worker is woken for a new connection
 * and each takes at most one per wake-up, so a burst of connections from
 * nginx spreads over the workers instead of piling onto the first one
 * (which would then serve them all in turn while the others sit idle).
 */
static void
accept_one(struct worker *w)
{
	struct epoll_event	 ev = { .events = EPOLLIN };
	struct fcgi_conn	*c;
	int			 fd;

	if ((fd = accept4(w->listen_fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1)
		return;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	fcgi_conn_init(c, fd, w->cfg->body_limit);
	ev.data.ptr = c;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) == -1) {
		fcgi_conn_free(c);
		free(c);
		close(fd);
		return;
	}
	c->next = w->conns;
	w->conns = c;
	w->nconns++;
}

static int64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Serves the complete request on "c"; -1 if the connection must close. */
static int
serve(struct worker *w, struct fcgi_conn *c)
{
	struct req	 r;
	unsigned char	*out = NULL;
	char		*cgi = NULL;
	size_t		 cgi_len = 0, out_len = 0;
	int64_t		 start = now_us();
	int		 rc = -1;

	if (req_init(&r, &c->req, w->db, w->cfg) == 0) {
		routes_dispatch(&r, w->router);
		cgi = http_render(&r, &cgi_len);
	}
	if (cgi != NULL)
		out = fcgi_encode_response(c->req.id, cgi, cgi_len, &out_len);
	if (out != NULL && write_all(c->fd, out, out_len) == 0)
		rc = c->req.keep_conn ? 0 : -1;
	log_info("%s %s %s %d %.1fms", r.request_id, r.method ? r.method : "-",
	    r.path ? r.path : "-", r.status, (now_us() - start) / 1000.0);
	free(out);
	free(cgi);
	req_free(&r);
	fcgi_request_done(c);
	return rc;
}

/* Sends the protocol's own replies (GET_VALUES, aborts) queued on "c". */
static int
flush_management(struct fcgi_conn *c)
{
	int	 rc = 0;

	if (c->out_len > 0)
		rc = write_all(c->fd, c->out, c->out_len);
	free(c->out);
	c->out = NULL;
	c->out_len = 0;
	return rc;
}

/* Reads what "c" has, serving each request that completes. */
static void
readable(struct worker *w, struct fcgi_conn *c)
{
	unsigned char	 buf[16384];
	enum fcgi_state	 st = FCGI_NEED_MORE;
	ssize_t		 n;

	for (;;) {
		n = read(c->fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		st = fcgi_feed(c, buf, (size_t)n);
		while (st == FCGI_READY) {
			if (flush_management(c) == -1 || serve(w, c) == -1)
				goto close;
			st = fcgi_feed(c, NULL, 0);
		}
		if (st == FCGI_FAILED || flush_management(c) == -1)
			break;
	}
close:
	conn_close(w, c);
}

static int
worker_setup(struct worker *w, int listen_fd, const struct config *cfg)
{
	struct epoll_event	 ev = { .events = EPOLLIN };
	struct sigaction	 sa;

	memset(w, 0, sizeof(*w));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	w->cfg = cfg;
	w->listen_fd = listen_fd;
	if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (w->db = db_new(cfg)) == NULL ||
	    (w->router = routes_new()) == NULL)
		return -1;
	ev.data.ptr = NULL;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, listen_fd, &ev) == -1)
		return -1;
	/* Connect early so the first request does not pay for it; a
	 * database that is down now is retried per request. */
	(void)db_connect(w->db);
	return 0;
}

static void
worker_teardown(struct worker *w)
{
	while (w->conns != NULL)
		conn_close(w, w->conns);
	router_free(w->router);
	db_free(w->db);
	if (w->ep != -1)
		close(w->ep);
}

int
worker_run(int listen_fd, const struct config *cfg)
{
	struct epoll_event	 evs[MAX_EVENTS];
	struct worker		 w;
	int			 i, n, draining = 0;

	if (worker_setup(&w, listen_fd, cfg) == -1) {
		log_error("worker: setup failed");
		worker_teardown(&w);
		return 1;
	}
	for (;;) {
		if (stopping && !draining) {
			/* Stop taking connections; finish what is open. */
			epoll_ctl(w.ep, EPOLL_CTL_DEL, listen_fd, NULL);
			close(listen_fd);
			draining = 1;
		}
		n = epoll_wait(w.ep, evs, MAX_EVENTS,
		    draining ? DRAIN_QUIET : -1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 && draining)
			break;		/* quiet: nothing in flight */
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				accept_one(&w);
			else
				readable(&w, evs[i].data.ptr);
		}
		if (draining && w.nconns == 0)
			break;
	}
	worker_teardown(&w);
	return 0;
}
