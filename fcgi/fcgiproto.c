/*
 * The FastCGI responder protocol over one connection, without I/O (see
 * fcgiproto.h; the wire format is FastCGI 1.0 as laid out in libfcgi's
 * <fastcgi.h>). Owns the connection's input buffer, the request it is
 * assembling and the management replies queued in c->out.
 *
 * Records pass through c->in one at a time: fcgi_feed() copies in only
 * the bytes that complete the next header or record, so while a request
 * is being read the buffer holds at most one record (8 + 65535 + 255
 * bytes) whatever the caller's read size. Only bytes arriving behind a
 * READY request are kept whole, up to IN_MAX.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fastcgi.h>		/* libfcgi: records and constants */

#include "fcgiproto.h"

/* Name-value bytes per request; more is a hostile peer. */
#define PARAMS_MAX	(1024 * 1024)
/* Bytes held behind a READY request (pipelining) before we give up. */
#define IN_MAX		(1024 * 1024)
/* An emptied input buffer larger than this is released. */
#define IN_KEEP		(128 * 1024)
/* Bytes of replies queued in c->out; the worker drains it after each
 * fcgi_feed(), so more means a peer flooding us with management records. */
#define OUT_MAX		(64 * 1024)
/* FCGI_MAX_CONNS and FCGI_MAX_REQS as we announce them. */
#define MAX_CONNS	"1000"

/* c->in_request: "BEGIN_REQUEST seen", and whether the request is whole. */
enum req_state {
	REQ_NONE,	/* between requests */
	REQ_READING,	/* BEGIN_REQUEST seen; PARAMS, STDIN arriving */
	REQ_READY,	/* STDIN ended; FCGI_READY until request_done */
	REQ__MAX
};

/* One complete record; "content" is borrowed from c->in. */
struct record {
	int			 type;
	uint16_t		 id;
	const unsigned char	*content;
	size_t			 len;
};

/* FCGI_GET_VALUES_RESULT: our answer per variable (FastCGI 1.0, 4.1). */
static const struct {
	const char	*name;
	const char	*value;
} values[] = {
	{ FCGI_MAX_CONNS, MAX_CONNS },
	{ FCGI_MAX_REQS, MAX_CONNS },	/* one request per connection */
	{ FCGI_MPXS_CONNS, "0" },	/* no multiplexing */
};

/* The reply to FCGI_GET_VALUES, built by values_cb(). */
struct values_reply {
	unsigned char	 buf[128];	/* the three pairs fit */
	size_t		 len;
	unsigned int	 seen;		/* bit per values[] row */
};

void
fcgi_conn_init(struct fcgi_conn *c, int fd, size_t body_limit)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->body_limit = body_limit;
}

void
fcgi_conn_free(struct fcgi_conn *c)
{
	fcgi_request_done(c);
	free(c->in);
	free(c->out);
	c->in = c->out = NULL;
	c->in_len = c->in_cap = c->out_len = 0;
}

void
fcgi_request_done(struct fcgi_conn *c)
{
	free(c->req.params);
	free(c->req.body);
	memset(&c->req, 0, sizeof(c->req));
	c->in_request = REQ_NONE;
	c->params_done = 0;
}

/* Writes a record header for "clen" bytes of content and "plen" of
 * padding at "p" (FCGI_HEADER_LEN bytes). */
static void
put_header(unsigned char *p, int type, uint16_t id, size_t clen, size_t plen)
{
	FCGI_Header	 h;

	h.version = FCGI_VERSION_1;
	h.type = type;
	h.requestIdB1 = id >> 8;
	h.requestIdB0 = id & 0xff;
	h.contentLengthB1 = clen >> 8;
	h.contentLengthB0 = clen & 0xff;
	h.paddingLength = plen;
	h.reserved = 0;
	memcpy(p, &h, sizeof(h));
}

/* Padding that brings "clen" to a multiple of 8, as libfcgi writes. */
static size_t
pad_for(size_t clen)
{
	return (8 - clen % 8) % 8;
}

/* Queues one record of "clen" (<= FCGI_MAX_LENGTH) bytes in c->out. */
static enum fcgi_state
reply(struct fcgi_conn *c, int type, uint16_t id, const void *content,
    size_t clen)
{
	unsigned char	*p;
	size_t		 plen = pad_for(clen);

	if (c->out_len > OUT_MAX)
		return FCGI_FAILED;
	p = realloc(c->out, c->out_len + FCGI_HEADER_LEN + clen + plen);
	if (p == NULL)
		return FCGI_FAILED;
	c->out = p;
	p += c->out_len;
	put_header(p, type, id, clen, plen);
	memcpy(p + FCGI_HEADER_LEN, content, clen);
	memset(p + FCGI_HEADER_LEN + clen, 0, plen);
	c->out_len += FCGI_HEADER_LEN + clen + plen;
	return FCGI_NEED_MORE;
}

/* Queues FCGI_END_REQUEST for "id" with appStatus 0. */
static enum fcgi_state
end_request(struct fcgi_conn *c, uint16_t id, int status)
{
	FCGI_EndRequestBody	 b;

	memset(&b, 0, sizeof(b));
	b.protocolStatus = status;
	return reply(c, FCGI_END_REQUEST, id, &b, sizeof(b));
}

/* fcgi_params_each() callback: checking only. */
static void
params_ignore(const char *n, size_t nl, const char *v, size_t vl, void *arg)
{
	(void)n; (void)nl; (void)v; (void)vl; (void)arg;
}

/* fcgi_params_each() callback: answers each known variable once, so the
 * reply stays small however often the peer asks. */
static void
values_cb(const char *n, size_t nl, const char *v, size_t vl, void *arg)
{
	struct values_reply	*r = arg;
	size_t			 i, vlen;

	(void)v; (void)vl;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		if (nl != strlen(values[i].name) ||
		    memcmp(n, values[i].name, nl) != 0 ||
		    (r->seen & (1U << i)))
			continue;
		r->seen |= 1U << i;
		vlen = strlen(values[i].value);
		/* Both lengths are below 128: one length byte each. */
		r->buf[r->len++] = nl;
		r->buf[r->len++] = vlen;
		memcpy(r->buf + r->len, n, nl);
		memcpy(r->buf + r->len + nl, values[i].value, vlen);
		r->len += nl + vlen;
	}
}

/* A record with requestId 0 (FastCGI 1.0, 4.1 and 4.2). */
static enum fcgi_state
management(struct fcgi_conn *c, const struct record *r)
{
	FCGI_UnknownTypeBody	 u;
	struct values_reply	 v;

	if (r->type != FCGI_GET_VALUES) {
		memset(&u, 0, sizeof(u));
		u.type = r->type;
		return reply(c, FCGI_UNKNOWN_TYPE, FCGI_NULL_REQUEST_ID,
		    &u, sizeof(u));
	}
	memset(&v, 0, sizeof(v));
	if (fcgi_params_each((const char *)r->content, r->len,
	    values_cb, &v) == -1)
		return FCGI_FAILED;
	return reply(c, FCGI_GET_VALUES_RESULT, FCGI_NULL_REQUEST_ID,
	    v.buf, v.len);
}

/*
 * FCGI_BEGIN_REQUEST. We serve one request per connection at a time and
 * only the responder role; refused requests get FCGI_END_REQUEST and
 * their later records are skipped because their id is not c->req.id.
 */
static enum fcgi_state
begin(struct fcgi_conn *c, const struct record *r)
{
	FCGI_BeginRequestBody	 b;

	if (r->len != sizeof(b))
		return FCGI_FAILED;
	memcpy(&b, r->content, sizeof(b));
	if (c->in_request != REQ_NONE) {
		/* Reusing the live id would end our own request. */
		if (r->id == c->req.id)
			return FCGI_FAILED;
		return end_request(c, r->id, FCGI_CANT_MPX_CONN);
	}
	if ((b.roleB1 << 8 | b.roleB0) != FCGI_RESPONDER)
		return end_request(c, r->id, FCGI_UNKNOWN_ROLE);
	c->in_request = REQ_READING;
	c->req.id = r->id;
	c->req.keep_conn = (b.flags & FCGI_KEEP_CONN) != 0;
	return FCGI_NEED_MORE;
}

/* FCGI_ABORT_REQUEST: drops the request being read and says it ended. */
static enum fcgi_state
abort_request(struct fcgi_conn *c, const struct record *r)
{
	if (c->in_request != REQ_READING || r->id != c->req.id)
		return FCGI_NEED_MORE;		/* not ours: ignored */
	fcgi_request_done(c);
	return end_request(c, r->id, FCGI_REQUEST_COMPLETE);
}

/* FCGI_PARAMS: appended up to PARAMS_MAX; the empty record ends them. */
static enum fcgi_state
params(struct fcgi_conn *c, const struct record *r)
{
	struct fcgi_request	*q = &c->req;
	char			*p;

	if (r->len == 0) {
		if (fcgi_params_each(q->params, q->params_len,
		    params_ignore, NULL) == -1)
			return FCGI_FAILED;
		c->params_done = 1;
		return FCGI_NEED_MORE;
	}
	if (r->len > PARAMS_MAX - q->params_len)
		return FCGI_FAILED;
	if ((p = realloc(q->params, q->params_len + r->len)) == NULL)
		return FCGI_FAILED;
	memcpy(p + q->params_len, r->content, r->len);
	q->params = p;
	q->params_len += r->len;
	return FCGI_NEED_MORE;
}

/*
 * FCGI_STDIN: keeps up to c->body_limit bytes, NUL-terminated, and drains
 * the rest so the connection stays in step; the empty record ends it.
 */
static enum fcgi_state
body(struct fcgi_conn *c, const struct record *r)
{
	struct fcgi_request	*q = &c->req;
	char			*p;
	size_t			 keep;

	if (r->len == 0) {
		if (q->body == NULL && (q->body = calloc(1, 1)) == NULL)
			return FCGI_FAILED;
		c->in_request = REQ_READY;
		return FCGI_READY;
	}
	keep = c->body_limit - q->body_len;
	if (keep >= r->len)
		keep = r->len;
	else
		q->body_too_large = 1;
	if (keep == 0)
		return FCGI_NEED_MORE;
	if ((p = realloc(q->body, q->body_len + keep + 1)) == NULL)
		return FCGI_FAILED;
	memcpy(p + q->body_len, r->content, keep);
	q->body = p;
	q->body_len += keep;
	q->body[q->body_len] = '\0';
	return FCGI_NEED_MORE;
}

/*
 * One complete record. Records of a request that is not the current one
 * (refused, dropped, never begun) are skipped; within the current one
 * PARAMS come first, then STDIN, and anything else is a protocol error.
 */
static enum fcgi_state
record(struct fcgi_conn *c, const struct record *r)
{
	if (r->id == FCGI_NULL_REQUEST_ID)
		return management(c, r);
	if (r->type == FCGI_BEGIN_REQUEST)
		return begin(c, r);
	if (r->type == FCGI_ABORT_REQUEST)
		return abort_request(c, r);
	if (c->in_request == REQ_NONE || r->id != c->req.id)
		return FCGI_NEED_MORE;
	if (r->type == FCGI_PARAMS && !c->params_done)
		return params(c, r);
	if (r->type == FCGI_STDIN && c->params_done)
		return body(c, r);
	return FCGI_FAILED;
}

/* Length of the record whose header starts at "p". */
static size_t
record_len(const unsigned char *p)
{
	FCGI_Header	 h;

	memcpy(&h, p, sizeof(h));
	return FCGI_HEADER_LEN + (h.contentLengthB1 << 8 | h.contentLengthB0) +
	    h.paddingLength;
}

/* Drops the first "n" bytes of c->in; releases a large emptied buffer. */
static void
consume(struct fcgi_conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
	if (c->in_len == 0 && c->in_cap > IN_KEEP) {
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
}

/*
 * Handles the complete records in c->in until a request is READY, and
 * consumes them. A header is checked as soon as it is whole, before its
 * content arrives.
 */
static enum fcgi_state
parse(struct fcgi_conn *c)
{
	FCGI_Header	 h;
	struct record	 r;
	enum fcgi_state	 st = FCGI_NEED_MORE;
	size_t		 off = 0, rlen;

	while (st == FCGI_NEED_MORE && c->in_len - off >= FCGI_HEADER_LEN) {
		memcpy(&h, c->in + off, sizeof(h));
		if (h.version != FCGI_VERSION_1)
			return FCGI_FAILED;
		if ((rlen = record_len(c->in + off)) > c->in_len - off)
			break;
		r.type = h.type;
		r.id = h.requestIdB1 << 8 | h.requestIdB0;
		r.content = c->in + off + FCGI_HEADER_LEN;
		r.len = h.contentLengthB1 << 8 | h.contentLengthB0;
		st = record(c, &r);
		off += rlen;
	}
	if (st != FCGI_FAILED && off > 0)
		consume(c, off);
	return st;
}

/* Appends "len" bytes to c->in, growing it geometrically. */
static int
append(struct fcgi_conn *c, const unsigned char *p, size_t len)
{
	unsigned char	*n;
	size_t		 cap;

	if (len > c->in_cap - c->in_len) {
		cap = c->in_cap ? c->in_cap : 1024;
		while (cap - c->in_len < len)
			cap *= 2;
		if ((n = realloc(c->in, cap)) == NULL)
			return -1;
		c->in = n;
		c->in_cap = cap;
	}
	memcpy(c->in + c->in_len, p, len);
	c->in_len += len;
	return 0;
}

/* Bytes that complete the next header, or the record it begins. */
static size_t
wanted(const struct fcgi_conn *c)
{
	if (c->in_len < FCGI_HEADER_LEN)
		return FCGI_HEADER_LEN - c->in_len;
	return record_len(c->in) - c->in_len;
}

/* Keeps the bytes behind a READY request for after fcgi_request_done(). */
static enum fcgi_state
keep_behind(struct fcgi_conn *c, const unsigned char *p, size_t len)
{
	if (len > IN_MAX || c->in_len > IN_MAX - len)
		return FCGI_FAILED;	/* pipelining without bound */
	if (len > 0 && append(c, p, len) == -1)
		return FCGI_FAILED;
	return FCGI_READY;
}

enum fcgi_state
fcgi_feed(struct fcgi_conn *c, const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	enum fcgi_state		 st;
	size_t			 n;

	for (;;) {
		if (c->in_request == REQ_READY)
			return keep_behind(c, p, len);
		if ((st = parse(c)) == FCGI_FAILED)
			return FCGI_FAILED;
		if (st == FCGI_READY)
			return keep_behind(c, p, len);
		if (len == 0)
			return FCGI_NEED_MORE;
		/* parse() left at most a partial record: complete it. */
		if ((n = wanted(c)) > len)
			n = len;
		if (append(c, p, n) == -1)
			return FCGI_FAILED;
		p += n;
		len -= n;
	}
}

int
fcgi_params_each(const char *buf, size_t len,
    void (*cb)(const char *, size_t, const char *, size_t, void *),
    void *arg)
{
	const unsigned char	*p = (const unsigned char *)buf;
	size_t			 off = 0, l[2];
	int			 i;

	while (off < len) {
		/* FastCGI 1.0, 3.4: one byte below 128, else four with the
		 * high bit set. */
		for (i = 0; i < 2; i++) {
			if (off >= len)
				return -1;
			if (p[off] < 0x80) {
				l[i] = p[off++];
				continue;
			}
			if (len - off < 4)
				return -1;
			l[i] = (size_t)(p[off] & 0x7f) << 24 |
			    (size_t)p[off + 1] << 16 |
			    (size_t)p[off + 2] << 8 | p[off + 3];
			off += 4;
		}
		if (l[0] > len - off || l[1] > len - off - l[0])
			return -1;
		cb(buf + off, l[0], buf + off + l[0], l[1], arg);
		off += l[0] + l[1];
	}
	return 0;
}

unsigned char *
fcgi_encode_response(uint16_t id, const char *data, size_t len,
    size_t *outlen)
{
	FCGI_EndRequestBody	 end;
	unsigned char		*out, *p;
	size_t			 n, off, total;

	if (len > SIZE_MAX / 2)
		return NULL;
	/* Each STDOUT record adds a header and at most 7 bytes of padding. */
	total = len + (len / FCGI_MAX_LENGTH + 1) * (FCGI_HEADER_LEN + 7) +
	    FCGI_HEADER_LEN + sizeof(FCGI_EndRequestRecord);
	if ((out = malloc(total)) == NULL)
		return NULL;
	p = out;
	for (off = 0; off < len; off += n) {
		n = len - off < FCGI_MAX_LENGTH ? len - off : FCGI_MAX_LENGTH;
		put_header(p, FCGI_STDOUT, id, n, pad_for(n));
		memcpy(p + FCGI_HEADER_LEN, data + off, n);
		memset(p + FCGI_HEADER_LEN + n, 0, pad_for(n));
		p += FCGI_HEADER_LEN + n + pad_for(n);
	}
	put_header(p, FCGI_STDOUT, id, 0, 0);
	p += FCGI_HEADER_LEN;
	memset(&end, 0, sizeof(end));
	end.protocolStatus = FCGI_REQUEST_COMPLETE;
	put_header(p, FCGI_END_REQUEST, id, sizeof(end), 0);
	memcpy(p + FCGI_HEADER_LEN, &end, sizeof(end));
	p += FCGI_HEADER_LEN + sizeof(end);
	*outlen = p - out;
	return out;
}
