/*
 * The worker's loop. One process, one thread, one MariaDB connection. An
 * idle worker accepts the next FastCGI connection from the shared listen
 * socket, reads its one request, answers it and closes it (master.c says
 * why one request per connection).
 */
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "fcgiproto.h"
#include "http.h"
#include "log.h"
#include "now.h"
#include "router.h"
#include "routes.h"
#include "worker.h"

#define IO_TIMEOUT	30000	/* ms a peer may take to send or read */

static volatile sig_atomic_t	 stopping;

struct worker {
	const struct config	*cfg;
	struct db		*db;
	struct router		*router;
};

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Waits until "fd" is ready for "events"; -1 on timeout or error. */
static int
wait_fd(int fd, short events)
{
	struct pollfd	 pfd = { .fd = fd, .events = events };
	int		 n;

	do
		n = poll(&pfd, 1, IO_TIMEOUT);
	while (n == -1 && errno == EINTR);
	return n == 1 ? 0 : -1;
}

/* Writes all of buf to the non-blocking socket "fd". */
static int
write_all(int fd, const unsigned char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n == -1 && errno == EINTR)
			continue;
		else if (n == -1 && errno == EAGAIN) {
			if (wait_fd(fd, POLLOUT) == -1)
				return -1;
		} else
			return -1;
	}
	return 0;
}

/* Answers the complete request on "c". */
static void
serve(struct worker *w, struct fcgi_conn *c)
{
	struct req	 r;
	unsigned char	*out = NULL;
	char		*cgi = NULL;
	size_t		 cgi_len = 0, out_len = 0;
	int64_t		 start = now_us(CLOCK_MONOTONIC), took;

	if (req_init(&r, &c->req, w->db, w->cfg) == 0) {
		routes_dispatch(&r, w->router);
		cgi = http_render(&r, &cgi_len);
	}
	if (cgi != NULL)
		out = fcgi_encode_response(c->req.id, cgi, cgi_len, &out_len);
	if (out != NULL)
		(void)write_all(c->fd, out, out_len);
	took = now_us(CLOCK_MONOTONIC) - start;
	log_info("%s %s %s %d %d.%dms", r.request_id,
	    r.method ? r.method : "-", r.path ? r.path : "-", r.status,
	    (int)(took / 1000), (int)(took / 100 % 10));
	free(out);
	free(cgi);
	req_free(&r);
	fcgi_request_done(c);
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

/*
 * Reads from the new connection "fd" until its request is complete and
 * answers it. nginx opens a connection per request, so this is the
 * connection's only request; the caller closes it.
 */
static void
serve_connection(struct worker *w, int fd)
{
	struct fcgi_conn	 c;
	unsigned char		 buf[16384];
	enum fcgi_state		 st = FCGI_NEED_MORE;
	ssize_t			 n;

	fcgi_conn_init(&c, fd, w->cfg->body_limit);
	while (st == FCGI_NEED_MORE) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			if (wait_fd(fd, POLLIN) == -1)
				break;
			continue;
		}
		if (n <= 0)
			break;		/* nginx gave up */
		st = fcgi_feed(&c, buf, (size_t)n);
		if (flush_management(&c) == -1)
			break;
	}
	if (st == FCGI_READY)
		serve(w, &c);
	fcgi_conn_free(&c);
}

static int
worker_setup(struct worker *w, const struct config *cfg)
{
	struct sigaction	 sa;

	memset(w, 0, sizeof(*w));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* If the master is killed, stop as on SIGTERM rather than serve on
	 * with nobody to replace a worker that dies. */
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
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
 * EPOLLEXCLUSIVE wakes one idle worker per connection, not all of them.
 */
int
worker_run(int listen_fd, const struct config *cfg)
{
	struct epoll_event	 ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	struct worker		 w;
	int			 ep = -1, fd, rc = 0;

	if (worker_setup(&w, cfg) == -1 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) == -1) {
		log_error("worker: setup failed");
		rc = 1;
	}
	/* After SIGTERM the queue is still served until it is empty: nginx
	 * has sent those requests, and the socket's close would reset them.
	 * The timeout bounds the wait of a SIGTERM that came just before. */
	while (rc == 0) {
		while ((fd = accept4(listen_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
			serve_connection(&w, fd);
			close(fd);
		}
		if (stopping)
			break;
		(void)epoll_wait(ep, &ev, 1, 1000);
	}
	if (ep != -1)
		close(ep);
	router_free(w.router);
	db_free(w.db);
	return rc;
}
