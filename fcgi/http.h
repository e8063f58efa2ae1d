/*
 * One HTTP request as the worker sees it (struct req), read from a
 * libfcgi request, and the one response writer. A request owns all its
 * memory; req_free() is its one release.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <fcgiapp.h>

#include "errors.h"

struct json_object;
struct db;
struct config;

#define HTTP_MAX_CAPTURES	2
#define HTTP_MAX_HEADERS	4

/* The one path whose body is a file (a CSV import), not parameters: it
 * has the import limit (PESASWAP_IMPORT_LIMIT) instead of the body limit,
 * and its parameters come in the query string. */
#define HTTP_FILE_PATH		"/v1/customers/import"

/* Who is calling: filled by auth_check(). */
struct caller {
	char		 account_id[32];
	int		 livemode;
	int		 restricted;
	char		 permissions[512];	/* comma-separated */
	int		 session;		/* dashboard session, not key */
};

struct req {
	/* From FastCGI params; owned. */
	char		*method;
	char		*path;		/* as sent: not decoded (see http.c) */
	char		*query;		/* raw, without '?' */
	char		*content_type;
	char		*authorization;
	char		*idempotency_key;
	char		*cookie;	/* the dashboard's session cookie */
	char		*csrf_token;	/* X-CSRF-Token */
	char		*mode;		/* PesaSwap-Mode: test | live */
	char		*https;		/* "on" over TLS */
	char		 request_id[32];	/* req_ + 16 */
	char		*body;		/* NUL-terminated; owned */
	size_t		 body_len;
	int		 body_too_large;	/* over body_limit: not kept */

	/* From routing and parsing. */
	char		*captures[HTTP_MAX_CAPTURES];	/* ids in the path */
	struct json_object *params;	/* query or body as one tree */
	struct caller	 caller;
	struct db	*db;		/* the worker's connection; borrowed */
	const struct config *cfg;	/* borrowed */
	size_t		 body_limit;
	int		 body_is_file;	/* HTTP_FILE_PATH: body is data */
	FCGX_Stream	*out;		/* libfcgi's; borrowed */
	int		 streamed;	/* http_stream_begin() wrote the head */

	/* The response. */
	int		 status;
	enum err	 error;		/* last api_error, if status >= 400 */
	struct json_object *reply;	/* owned */
	char		*reply_text;	/* owned; wins over reply (replays) */
	const char	*headers[HTTP_MAX_HEADERS];	/* "Name: value" */
	char		*header_buf[HTTP_MAX_HEADERS];	/* owned copies */
	size_t		 nheaders;
};

/*
 * Fills "r" from the request libfcgi has accepted: its params (copied,
 * since libfcgi frees them at FCGX_Finish_r) and its whole body, read
 * from f->in. "db" and "cfg" are the worker's. Status starts at 500
 * until a handler answers. Returns 0, or -1 when out of memory or the
 * body was cut short; "r" must be freed either way.
 */
int	req_init(struct req *r, FCGX_Request *f, struct db *db,
	    const struct config *cfg);

/* Releases everything "r" owns. */
void	req_free(struct req *r);

/* Sets the response: "status" and "body" (takes the reference; NULL for
 * an empty body). Replaces any earlier response. */
void	http_reply(struct req *r, int status, struct json_object *body);

/* Answers 200 {"id": id, "object": object, "deleted": true}, what a
 * DELETE answers (Stripe's shape). */
void	http_reply_deleted(struct req *r, const char *id, const char *object);

/* As http_reply() with ready JSON text (copied), for replays. */
void	http_reply_text(struct req *r, int status, const char *text);

/* Adds a response header line "Name: value" (formatted, copied). */
void	http_header(struct req *r, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Writes the response of "r" as CGI output (Status, headers, blank line,
 * body) to libfcgi's stream of the request (req_init()), which sends it
 * as FCGI_STDOUT records when it fills and at FCGX_Finish_r.
 */
void	http_write(struct req *r);

/*
 * A streamed response (an export): writes status 200, "type" and the
 * headers set so far, with no Content-Length, at once; the handler then
 * writes the body with http_stream() as it goes, libfcgi sends it in
 * records as its buffer fills, and http_write() adds nothing. The
 * status cannot change after this.
 */
void	http_stream_begin(struct req *r, const char *type);

/* Writes "len" bytes of a streamed body. -1 if the connection broke
 * (the client or nginx went away): stop. */
int	http_stream(struct req *r, const char *buf, size_t len);

/* The body text of the response, borrowed while "r" lives. */
const char *http_body_text(struct req *r);

/* 1 if the method is one that may write (POST, PUT, DELETE, PATCH). */
int	http_is_write(const struct req *r);

#endif
