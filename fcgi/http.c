/*
 * The request from libfcgi's params and input stream, and the one
 * response writer to its output stream (API.md "Requests": JSON bodies,
 * a size limit, Request-Id on every response, Stripe-Should-Retry on
 * 4xx).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "config.h"
#include "http.h"
#include "ids.h"
#include "jsonx.h"

/* The FastCGI params we keep, and where. */
struct wanted {
	const char	*name;
	size_t		 offset;
};

static const struct wanted wanted[] = {
	{ "REQUEST_METHOD", offsetof(struct req, method) },
	{ "QUERY_STRING", offsetof(struct req, query) },
	{ "CONTENT_TYPE", offsetof(struct req, content_type) },
	{ "HTTP_AUTHORIZATION", offsetof(struct req, authorization) },
	{ "HTTP_IDEMPOTENCY_KEY", offsetof(struct req, idempotency_key) },
	{ "HTTP_COOKIE", offsetof(struct req, cookie) },
	{ "HTTP_X_CSRF_TOKEN", offsetof(struct req, csrf_token) },
	{ "HTTP_PESASWAP_MODE", offsetof(struct req, mode) },
	{ "HTTPS", offsetof(struct req, https) },
};

/*
 * The path is the client's own: REQUEST_URI up to '?', as sent. nginx's
 * DOCUMENT_URI is percent-decoded with dot segments resolved, so routed
 * on, /v1/customers/..%2f..%2fhealthz would answer /healthz and
 * /v1/customers/cust_A%2f..%2fcust_B would act on cust_B. Taken as sent,
 * such a path holds an id that does not exist: 404, as with Stripe.
 * DOCUMENT_URI only stands in for a peer that sends no REQUEST_URI, in
 * whichever order the two come. 1 if "name" was one of them.
 */
static int
keep_path(struct req *r, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	const char	*q;

	if (nlen == 11 && memcmp(name, "REQUEST_URI", 11) == 0) {
		if ((q = memchr(value, '?', vlen)) != NULL)
			vlen = (size_t)(q - value);
	} else if (nlen == 12 && memcmp(name, "DOCUMENT_URI", 12) == 0) {
		if (r->path != NULL)
			return 1;
	} else
		return 0;
	free(r->path);
	r->path = strndup(value, vlen);
	return 1;
}

static void
keep_param(struct req *r, const char *name, size_t nlen, const char *value,
    size_t vlen)
{
	char		**field;
	size_t		 i;

	if (keep_path(r, name, nlen, value, vlen))
		return;
	if (nlen == 10 && memcmp(name, "REQUEST_ID", 10) == 0) {
		/* nginx's id (16 hex digits of $request_id), so its access
		 * log and ours name the request alike. */
		if (vlen == IDS_RANDOM_LEN) {
			snprintf(r->request_id, sizeof(r->request_id),
			    "req_%.*s", (int)vlen, value);
			if (ids_valid(r->request_id, "req_") == -1)
				r->request_id[0] = '\0';
		}
		return;
	}
	for (i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		if (strlen(wanted[i].name) != nlen ||
		    memcmp(wanted[i].name, name, nlen) != 0)
			continue;
		field = (char **)((char *)r + wanted[i].offset);
		free(*field);
		*field = strndup(value, vlen);
		return;
	}
}

/* Walks libfcgi's "NAME=value" strings once, keeping what we use. */
static void
keep_params(struct req *r, char **envp)
{
	const char	*eq;

	for (; *envp != NULL; envp++)
		if ((eq = strchr(*envp, '=')) != NULL)
			keep_param(r, *envp, (size_t)(eq - *envp), eq + 1,
			    strlen(eq + 1));
}

/* Room in r->body for "more" bytes and a NUL; -1 when out of memory. */
static int
body_room(struct req *r, size_t more, size_t *cap)
{
	char	*grown;

	if (r->body_len + more + 1 <= *cap)
		return 0;
	if ((grown = realloc(r->body, r->body_len + more + 1)) == NULL)
		return -1;
	r->body = grown;
	*cap = r->body_len + more + 1;
	return 0;
}

/*
 * Reads the body from "in" to its end, keeping at most body_limit bytes
 * (NUL-terminated): one byte more marks it too large (413 in params.c),
 * and the rest is read and dropped so nginx gets our answer, not a
 * reset. "hint" is CONTENT_LENGTH, the usual size of the first read.
 * -1 when out of memory or the stream broke (nginx went away): such a
 * body is cut short and must not be acted on.
 */
static int
read_body(struct req *r, FCGX_Stream *in, size_t hint)
{
	char	 drop[4096];
	size_t	 max = r->body_limit + 1, cap = 0, want;
	int	 n;

	/* One byte more than CONTENT_LENGTH, so the usual body is one read
	 * that also meets the end of the stream. */
	want = hint < max ? hint + 1 : max;
	for (;;) {
		if (want > max - r->body_len)
			want = max - r->body_len;
		if (body_room(r, want, &cap) == -1)
			return -1;
		n = FCGX_GetStr(r->body + r->body_len, (int)want, in);
		r->body_len += n > 0 ? (size_t)n : 0;
		if ((size_t)n < want || r->body_len == max)
			break;		/* the end, or over the limit */
		want = r->body_len;	/* no length given: double the room */
	}
	r->body[r->body_len] = '\0';
	if (r->body_len == max) {
		r->body_too_large = 1;
		while (FCGX_GetStr(drop, sizeof(drop), in) > 0)
			;
	}
	return FCGX_GetError(in) == 0 ? 0 : -1;
}

int
req_init(struct req *r, FCGX_Request *f, struct db *db,
    const struct config *cfg)
{
	const char	*length;

	memset(r, 0, sizeof(*r));
	r->status = 500;
	r->error = ERR_INTERNAL;
	r->db = db;
	r->cfg = cfg;
	r->body_limit = cfg->body_limit;
	r->out = f->out;
	keep_params(r, f->envp);
	if (r->path != NULL && strcmp(r->path, HTTP_FILE_PATH) == 0) {
		/* A file to import: its own, larger limit; the body is data
		 * and the parameters come in the query string. */
		r->body_limit = cfg->import_limit;
		r->body_is_file = 1;
	}
	if (r->request_id[0] == '\0' &&
	    ids_new("req_", r->request_id, sizeof(r->request_id)) == -1)
		return -1;
	if (r->method == NULL)
		r->method = strdup("GET");
	if (r->path == NULL)
		r->path = strdup("/");
	if (r->query == NULL)
		r->query = strdup("");
	if (r->method == NULL || r->path == NULL || r->query == NULL)
		return -1;
	length = FCGX_GetParam("CONTENT_LENGTH", f->envp);
	return read_body(r, f->in, length != NULL ?
	    strtoull(length, NULL, 10) : 0);
}

void
req_free(struct req *r)
{
	size_t	 i;

	free(r->method);
	free(r->path);
	free(r->query);
	free(r->content_type);
	free(r->authorization);
	free(r->idempotency_key);
	free(r->cookie);
	free(r->csrf_token);
	free(r->mode);
	free(r->https);
	free(r->body);
	for (i = 0; i < HTTP_MAX_CAPTURES; i++)
		free(r->captures[i]);
	for (i = 0; i < r->nheaders; i++)
		free(r->header_buf[i]);
	json_object_put(r->params);
	json_object_put(r->reply);
	free(r->reply_text);
	memset(r, 0, sizeof(*r));
}

void
http_reply(struct req *r, int status, struct json_object *body)
{
	json_object_put(r->reply);
	free(r->reply_text);
	r->reply_text = NULL;
	r->status = status;
	r->reply = body;
}

void
http_reply_deleted(struct req *r, const char *id, const char *object)
{
	struct json_object	*gone = json_object_new_object();

	jsonx_add_str(gone, "id", id);
	jsonx_add_str(gone, "object", object);
	jsonx_add_bool(gone, "deleted", 1);
	http_reply(r, 200, gone);
}

void
http_reply_text(struct req *r, int status, const char *text)
{
	http_reply(r, status, NULL);
	r->reply_text = strdup(text);
}

void
http_header(struct req *r, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	if (r->nheaders == HTTP_MAX_HEADERS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) == -1)
		line = NULL;
	va_end(ap);
	if (line == NULL)
		return;
	r->header_buf[r->nheaders] = line;
	r->headers[r->nheaders++] = line;
}

const char *
http_body_text(struct req *r)
{
	if (r->reply_text != NULL)
		return r->reply_text;
	if (r->reply != NULL)
		return jsonx_text(r->reply);
	return "";
}

static const char *
reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status < 500 ? "Client Error" : "Internal Server Error";
	}
}

/* Status and headers, the blank line included; "length" -1 for none
 * (a stream: nginx sends it chunked). */
static void
write_head(struct req *r, const char *type, long long length)
{
	FCGX_Stream	*out = r->out;
	char		 head[320], len[48] = "";
	size_t		 i;
	int		 n;

	if (length >= 0)
		snprintf(len, sizeof(len), "Content-Length: %lld\r\n", length);
	n = snprintf(head, sizeof(head), "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Cache-Control: no-store\r\n"
	    "Request-Id: %s\r\n%s%s",
	    r->status, reason(r->status), type, r->request_id, len,
	    r->status >= 400 && r->status < 500 && r->error != ERR_IDEM_IN_USE ?
	    "Stripe-Should-Retry: false\r\n" : "");
	FCGX_PutStr(head, n, out);
	for (i = 0; i < r->nheaders; i++) {
		FCGX_PutS(r->headers[i], out);
		FCGX_PutStr("\r\n", 2, out);
	}
	FCGX_PutStr("\r\n", 2, out);
}

void
http_write(struct req *r)
{
	const char	*body = http_body_text(r);
	size_t		 blen = strlen(body);

	if (r->streamed)
		return;		/* written as it went (http_stream()) */
	write_head(r, "application/json; charset=utf-8", (long long)blen);
	FCGX_PutStr(body, (int)blen, r->out);
}

void
http_stream_begin(struct req *r, const char *type)
{
	r->status = 200;
	r->streamed = 1;
	write_head(r, type, -1);
}

int
http_stream(struct req *r, const char *buf, size_t len)
{
	if (len > 0 && FCGX_PutStr(buf, (int)len, r->out) != (int)len)
		return -1;
	return FCGX_GetError(r->out) == 0 ? 0 : -1;
}

int
http_is_write(const struct req *r)
{
	return strcmp(r->method, "GET") != 0 &&
	    strcmp(r->method, "HEAD") != 0;
}
