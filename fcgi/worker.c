/*
 * The worker's loop. One process, one thread, one MariaDB connection. The
 * master watches every FastCGI connection from nginx and hands the one
 * whose request has arrived to an idle worker (dispatch.c), so a request
 * never waits behind a busy worker while another is idle: connections
 * kept alive by nginx are not tied to a worker. The worker reads the
 * whole request, answers it, and gives the connection back.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "fcgiproto.h"
#include "handoff.h"
#include "http.h"
#include "log.h"
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

static int64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Answers the complete request on "c"; -1 if the connection must close. */
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

/*
 * Reads from "fd" until a request is complete and answers it (and any
 * other request already buffered). Returns 1 to keep the connection, 0
 * to close it. Stops once nothing is left half-read, so an idle
 * kept-alive connection goes straight back to the master.
 */
static int
serve_connection(struct worker *w, int fd)
{
	struct fcgi_conn	 c;
	unsigned char		 buf[16384];
	enum fcgi_state		 st;
	ssize_t			 n;
	int			 keep = 0;

	fcgi_conn_init(&c, fd, w->cfg->body_limit);
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			if (!c.in_request && c.in_len == 0) {
				keep = 1;	/* between requests */
				break;
			}
			if (wait_fd(fd, POLLIN) == -1)
				break;
			continue;
		}
		if (n <= 0)
			break;		/* nginx closed it */
		st = fcgi_feed(&c, buf, (size_t)n);
		while (st == FCGI_READY) {
			if (flush_management(&c) == -1 || serve(w, &c) == -1)
				goto out;
			st = fcgi_feed(&c, NULL, 0);
		}
		if (st == FCGI_FAILED || flush_management(&c) == -1)
			break;
	}
out:
	fcgi_conn_free(&c);
	return keep;
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
	w->cfg = cfg;
	if ((w->db = db_new(cfg)) == NULL ||
	    (w->router = routes_new()) == NULL)
		return -1;
	/* Connect early so the first request does not pay for it; a
	 * database that is down now is retried per request. */
	(void)db_connect(w->db);
	return 0;
}

int
worker_run(int ctl, const struct config *cfg)
{
	struct handoff	 in;
	struct handback	 back;
	struct worker	 w;
	int		 fd, n, rc = 0;

	if (worker_setup(&w, cfg) == -1) {
		log_error("worker: setup failed");
		rc = 1;
	}
	/* SIGTERM ends the wait; a request in hand is finished first. The
	 * master's drain closes "ctl" instead, once this worker is idle. */
	while (rc == 0 && !stopping) {
		if ((n = handoff_recv(ctl, &in, sizeof(in), &fd)) == -1 &&
		    errno == EINTR)
			continue;
		if (n != 1)
			break;
		back.id = in.id;
		back.keep = fd != -1 ? serve_connection(&w, fd) : 0;
		if (fd != -1)
			close(fd);
		if (handoff_send(ctl, &back, sizeof(back), -1) == -1)
			break;
	}
	router_free(w.router);
	db_free(w.db);
	close(ctl);
	return rc;
}
