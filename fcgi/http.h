/*
 * One HTTP request as the worker sees it (struct req), its parameters from
 * FastCGI, and the one response writer. A request owns all its memory;
 * req_free() is its one release.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

struct json_object;
struct db;
struct fcgi_request;
struct config;

#define HTTP_MAX_CAPTURES	2
#define HTTP_MAX_HEADERS	4

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
	const char	*body;		/* borrowed from the FastCGI request */
	size_t		 body_len;
	int		 body_too_large;

	/* From routing and parsing. */
	char		*captures[HTTP_MAX_CAPTURES];	/* ids in the path */
	struct json_object *params;	/* query or body as one tree */
	struct caller	 caller;
	struct db	*db;		/* the worker's connection; borrowed */
	const struct config *cfg;	/* borrowed */
	size_t		 body_limit;

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
 * Fills "r" from a complete FastCGI request "f" (whose body "r" borrows
 * while "f" lives); "db" and "cfg" are the worker's. Status starts at 500 until a handler answers.
 * Returns 0, or -1 when out of memory.
 */
int	req_init(struct req *r, const struct fcgi_request *f, struct db *db,
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
 * Renders the response of "r" as CGI output (Status, headers, blank line,
 * body) into a malloc'd buffer; its length goes to *len. NULL when out
 * of memory.
 */
char	*http_render(struct req *r, size_t *len);

/* The body text of the response, borrowed while "r" lives. */
const char *http_body_text(struct req *r);

/* 1 if the method is one that may write (POST, PUT, DELETE, PATCH). */
int	http_is_write(const struct req *r);

#endif
