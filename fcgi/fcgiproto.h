/*
 * The FastCGI protocol (responder role) over one connection, without I/O:
 * the worker reads bytes from a socket and feeds them here; this file
 * turns them into complete requests and turns responses into records.
 * The record layouts and constants are libfcgi's <fastcgi.h>.
 *
 * We keep our own connection state instead of libfcgi's accept loop so
 * that reading is non-blocking with a time limit, the body has a size
 * limit, and the codec can be unit-tested and fuzzed without sockets.
 *
 * Not named fastcgi.h: with -I fcgi/ on the include path that name would
 * hide libfcgi's <fastcgi.h> from fcgiproto.c.
 */
#ifndef PS_FCGIPROTO_H
#define PS_FCGIPROTO_H

#include <stddef.h>
#include <stdint.h>

enum fcgi_state {
	FCGI_NEED_MORE,		/* feed more bytes */
	FCGI_READY,		/* a whole request is in conn->req */
	FCGI_FAILED		/* protocol error: close the connection */
};

struct fcgi_request {
	uint16_t	 id;		/* FastCGI request id */
	int		 keep_conn;	/* FCGI_KEEP_CONN was set */
	char		*params;	/* raw name-value pairs */
	size_t		 params_len;
	char		*body;		/* FCGI_STDIN, NUL-terminated */
	size_t		 body_len;
	int		 body_too_large; /* more than the limit arrived */
};

struct fcgi_conn {
	int		 fd;
	unsigned char	*in;		/* bytes not yet consumed */
	size_t		 in_len;
	size_t		 in_cap;
	size_t		 body_limit;	/* bytes of STDIN kept */
	int		 in_request;	/* BEGIN_REQUEST seen */
	int		 params_done;
	struct fcgi_request req;
	unsigned char	*out;		/* management replies to send */
	size_t		 out_len;
	struct fcgi_conn *next;		/* the worker's list */
};

/* Sets up "c" for socket "fd"; keeps at most "body_limit" bytes of body. */
void	fcgi_conn_init(struct fcgi_conn *c, int fd, size_t body_limit);

/* Frees everything "c" owns; does not close the fd. */
void	fcgi_conn_free(struct fcgi_conn *c);

/*
 * Appends "len" bytes read from the socket and parses as far as they go.
 * Returns FCGI_READY once a request's params and body are complete (the
 * bytes after it stay buffered: call fcgi_feed(c, NULL, 0) after
 * fcgi_request_done() to parse them), FCGI_NEED_MORE, or FCGI_FAILED.
 * FCGI_GET_VALUES is answered by queuing a reply in c->out; unknown
 * management types get FCGI_UNKNOWN_TYPE; FCGI_ABORT_REQUEST for the
 * current request drops it (FCGI_NEED_MORE). A BEGIN_REQUEST with a role
 * other than FCGI_RESPONDER is answered FCGI_UNKNOWN_ROLE and skipped.
 * A second request on the same connection before the first is done
 * (multiplexing) is refused with FCGI_CANT_MPX_CONN.
 */
enum fcgi_state fcgi_feed(struct fcgi_conn *c, const void *buf, size_t len);

/* Frees the finished request's params and body and makes room for the
 * next one on the same connection. */
void	fcgi_request_done(struct fcgi_conn *c);

/*
 * Calls cb(name, nlen, value, vlen, arg) for each name-value pair of a
 * params block (FastCGI 1-or-4-byte lengths). Returns 0, or -1 if the
 * block is malformed (a length runs past the end).
 */
int	fcgi_params_each(const char *buf, size_t len,
	    void (*cb)(const char *, size_t, const char *, size_t, void *),
	    void *arg);

/*
 * Encodes a whole response for request "id": the data as FCGI_STDOUT
 * records (at most 65535 bytes each, padded to 8), the empty STDOUT
 * record, and FCGI_END_REQUEST with FCGI_REQUEST_COMPLETE. Returns a
 * malloc'd buffer (caller frees) and its length in *outlen, or NULL.
 */
unsigned char *fcgi_encode_response(uint16_t id, const char *data,
	    size_t len, size_t *outlen);

#endif
