/*
 * Unit tests for fcgi/fcgiproto.c: FastCGI records in, requests out, and
 * responses encoded. The records here are built by hand from libfcgi's
 * <fastcgi.h> so the tests do not trust the code they test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fastcgi.h>

#include "fcgiproto.h"

#define LIMIT	65536	/* body_limit unless a test says otherwise */

/* A growing byte buffer the tests write records into. */
struct buf {
	unsigned char	*p;
	size_t		 len;
};

/* One record as decoded by next_record(); "content" borrowed. */
struct rec {
	int			 type;
	uint16_t		 id;
	const unsigned char	*content;
	size_t			 len;
	size_t			 pad;
};

/* The answers get_values_cb() collected. */
struct answers {
	size_t		 pairs;
	char		 max_conns[16];
	char		 max_reqs[16];
	char		 mpxs_conns[16];
};

/* The last pair last_cb() saw, as offsets into the block. */
struct last {
	const char	*base;
	size_t		 pairs, noff, nlen, voff, vlen;
};

/* What params_cb() saw. */
struct seen {
	size_t		 pairs;
	char		 method[16];
	size_t		 long_len;	/* LONG_VALUE's value length */
};

static void
put(struct buf *b, const void *p, size_t n)
{
	b->p = realloc(b->p, b->len + n);
	assert_non_null(b->p);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put_rec(struct buf *b, int type, uint16_t id, const void *content,
    size_t len, size_t pad)
{
	FCGI_Header		 h;
	static const char	 zeros[256];

	assert_true(len <= FCGI_MAX_LENGTH && pad < 256);
	h.version = FCGI_VERSION_1;
	h.type = type;
	h.requestIdB1 = id >> 8;
	h.requestIdB0 = id & 0xff;
	h.contentLengthB1 = len >> 8;
	h.contentLengthB0 = len & 0xff;
	h.paddingLength = pad;
	h.reserved = 0;
	put(b, &h, sizeof(h));
	put(b, content, len);
	put(b, zeros, pad);
}

static void
put_begin(struct buf *b, uint16_t id, int role, int flags)
{
	FCGI_BeginRequestBody	 body;

	memset(&body, 0, sizeof(body));
	body.roleB1 = role >> 8;
	body.roleB0 = role & 0xff;
	body.flags = flags;
	put_rec(b, FCGI_BEGIN_REQUEST, id, &body, sizeof(body), 0);
}

/* One name-value length, FastCGI 1.0 section 3.4. */
static void
put_len(struct buf *b, size_t n)
{
	unsigned char	 l[4];

	if (n < 128) {
		l[0] = n;
		put(b, l, 1);
		return;
	}
	l[0] = 0x80 | n >> 24;
	l[1] = n >> 16;
	l[2] = n >> 8;
	l[3] = n;
	put(b, l, 4);
}

static void
put_pair(struct buf *b, const char *name, const char *value, size_t vlen)
{
	put_len(b, strlen(name));
	put_len(b, vlen);
	put(b, name, strlen(name));
	put(b, value, vlen);
}

/* Sends "data" as records of "type" of at most "max" bytes, then the
 * empty record that ends the stream. */
static void
put_stream(struct buf *b, int type, uint16_t id, const void *data,
    size_t len, size_t max)
{
	const char	*p = data;
	size_t		 n, off;

	for (off = 0; off < len; off += n) {
		n = len - off < max ? len - off : max;
		put_rec(b, type, id, p + off, n, (off / max) % 8);
	}
	put_rec(b, type, id, NULL, 0, 0);
}

/* A whole responder request: three params (one with a 4-byte length),
 * the body in 1000-byte STDIN records. */
static void
put_request(struct buf *b, uint16_t id, int flags, const char *body,
    size_t blen)
{
	struct buf	 params = { NULL, 0 };
	char		 long_value[300];

	memset(long_value, 'v', sizeof(long_value));
	put_pair(&params, "REQUEST_METHOD", "POST", 4);
	put_pair(&params, "REQUEST_URI", "/v1/customers", 13);
	put_pair(&params, "LONG_VALUE", long_value, sizeof(long_value));
	put_begin(b, id, FCGI_RESPONDER, flags);
	put_stream(b, FCGI_PARAMS, id, params.p, params.len, 100);
	put_stream(b, FCGI_STDIN, id, body, blen, 1000);
	free(params.p);
}

static int
next_record(const unsigned char *p, size_t len, size_t *off, struct rec *r)
{
	FCGI_Header	 h;

	if (*off == len)
		return 0;
	assert_true(len - *off >= sizeof(h));
	memcpy(&h, p + *off, sizeof(h));
	assert_int_equal(h.version, FCGI_VERSION_1);
	r->type = h.type;
	r->id = h.requestIdB1 << 8 | h.requestIdB0;
	r->len = h.contentLengthB1 << 8 | h.contentLengthB0;
	r->pad = h.paddingLength;
	r->content = p + *off + sizeof(h);
	assert_true(len - *off - sizeof(h) >= r->len + r->pad);
	*off += sizeof(h) + r->len + r->pad;
	return 1;
}

/* Checks that c->out holds exactly one END_REQUEST for "id". */
static void
assert_end_request(const struct fcgi_conn *c, uint16_t id, int status)
{
	struct rec		 r;
	FCGI_EndRequestBody	 end;
	size_t			 off = 0;

	assert_int_equal(next_record(c->out, c->out_len, &off, &r), 1);
	assert_int_equal(r.type, FCGI_END_REQUEST);
	assert_int_equal(r.id, id);
	assert_int_equal(r.len, sizeof(end));
	memcpy(&end, r.content, sizeof(end));
	assert_int_equal(end.protocolStatus, status);
	assert_int_equal(next_record(c->out, c->out_len, &off, &r), 0);
}

static void
params_cb(const char *n, size_t nl, const char *v, size_t vl, void *arg)
{
	struct seen	*s = arg;

	s->pairs++;
	if (nl == 14 && memcmp(n, "REQUEST_METHOD", nl) == 0 &&
	    vl < sizeof(s->method)) {
		memcpy(s->method, v, vl);
		s->method[vl] = '\0';
	}
	if (nl == 10 && memcmp(n, "LONG_VALUE", nl) == 0)
		s->long_len = vl;
}

static void
get_values_cb(const char *n, size_t nl, const char *v, size_t vl, void *arg)
{
	struct answers	*a = arg;
	char		*dst = NULL;

	a->pairs++;
	if (nl == strlen(FCGI_MAX_CONNS) && memcmp(n, FCGI_MAX_CONNS, nl) == 0)
		dst = a->max_conns;
	else if (nl == strlen(FCGI_MAX_REQS) &&
	    memcmp(n, FCGI_MAX_REQS, nl) == 0)
		dst = a->max_reqs;
	else if (nl == strlen(FCGI_MPXS_CONNS) &&
	    memcmp(n, FCGI_MPXS_CONNS, nl) == 0)
		dst = a->mpxs_conns;
	assert_non_null(dst);
	assert_true(vl > 0 && vl < 16);
	memcpy(dst, v, vl);
	dst[vl] = '\0';
}

static void
last_cb(const char *n, size_t nl, const char *v, size_t vl, void *arg)
{
	struct last	*l = arg;

	if (l->pairs++ > 0)
		return;
	l->noff = n - l->base;
	l->nlen = nl;
	l->voff = v - l->base;
	l->vlen = vl;
}

static void
count_cb(const char *n, size_t nl, const char *v, size_t vl, void *arg)
{
	(void)n; (void)nl; (void)v; (void)vl;
	(*(size_t *)arg)++;
}

/* Checks the request put_request() built with "id" and "body". */
static void
assert_request(const struct fcgi_conn *c, uint16_t id, const char *body,
    size_t blen)
{
	struct seen	 s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(c->req.id, id);
	assert_int_equal(fcgi_params_each(c->req.params, c->req.params_len,
	    params_cb, &s), 0);
	assert_int_equal(s.pairs, 3);
	assert_string_equal(s.method, "POST");
	assert_int_equal(s.long_len, 300);
	assert_int_equal(c->req.body_len, blen);
	assert_memory_equal(c->req.body, body, blen);
	assert_int_equal(c->req.body[blen], '\0');
	assert_false(c->req.body_too_large);
}

static char *
make_body(size_t len)
{
	char	*p;
	size_t	 i;

	p = malloc(len + 1);
	assert_non_null(p);
	for (i = 0; i < len; i++)
		p[i] = 'a' + i % 26;
	p[len] = '\0';
	return p;
}

static void
whole_request_in_one_feed(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };
	char			*body = make_body(2500);

	(void)state;
	put_request(&b, 1, 0, body, 2500);
	fcgi_conn_init(&c, 7, LIMIT);
	assert_int_equal(c.fd, 7);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	assert_request(&c, 1, body, 2500);
	assert_false(c.req.keep_conn);
	assert_int_equal(c.out_len, 0);
	fcgi_conn_free(&c);
	free(body);
	free(b.p);
}

static void
request_fed_byte_by_byte(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };
	char			*body = make_body(2500);
	size_t			 i;

	(void)state;
	put_request(&b, 3, 0, body, 2500);
	fcgi_conn_init(&c, -1, LIMIT);
	for (i = 0; i + 1 < b.len; i++)
		assert_int_equal(fcgi_feed(&c, b.p + i, 1), FCGI_NEED_MORE);
	assert_int_equal(fcgi_feed(&c, b.p + i, 1), FCGI_READY);
	assert_request(&c, 3, body, 2500);
	fcgi_conn_free(&c);
	free(body);
	free(b.p);
}

static void
request_fed_in_random_chunks(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };
	char			*body = make_body(30000);
	size_t			 off, n;
	int			 round;
	enum fcgi_state		 st;

	(void)state;
	put_request(&b, 9, FCGI_KEEP_CONN, body, 30000);
	srand(20240501);
	for (round = 0; round < 50; round++) {
		fcgi_conn_init(&c, -1, LIMIT);
		st = FCGI_NEED_MORE;
		for (off = 0; off < b.len; off += n) {
			assert_int_equal(st, FCGI_NEED_MORE);
			n = 1 + rand() % (round < 25 ? 16 : 9000);
			if (n > b.len - off)
				n = b.len - off;
			st = fcgi_feed(&c, b.p + off, n);
		}
		assert_int_equal(st, FCGI_READY);
		assert_request(&c, 9, body, 30000);
		assert_true(c.req.keep_conn);
		fcgi_conn_free(&c);
	}
	free(body);
	free(b.p);
}

static void
two_requests_back_to_back_on_keep_conn(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };

	(void)state;
	put_request(&b, 1, FCGI_KEEP_CONN, "first", 5);
	put_request(&b, 2, FCGI_KEEP_CONN, "second", 6);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	assert_request(&c, 1, "first", 5);
	fcgi_request_done(&c);
	assert_null(c.req.params);
	assert_null(c.req.body);
	assert_int_equal(fcgi_feed(&c, NULL, 0), FCGI_READY);
	assert_request(&c, 2, "second", 6);
	fcgi_request_done(&c);
	assert_int_equal(fcgi_feed(&c, NULL, 0), FCGI_NEED_MORE);
	assert_int_equal(c.in_len, 0);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
ready_request_survives_more_feeds(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 one = { NULL, 0 }, two = { NULL, 0 };

	(void)state;
	put_request(&one, 1, FCGI_KEEP_CONN, "first", 5);
	put_request(&two, 2, 0, "second", 6);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, one.p, one.len), FCGI_READY);
	assert_int_equal(fcgi_feed(&c, two.p, two.len), FCGI_READY);
	assert_int_equal(fcgi_feed(&c, NULL, 0), FCGI_READY);
	assert_request(&c, 1, "first", 5);
	fcgi_request_done(&c);
	assert_int_equal(fcgi_feed(&c, NULL, 0), FCGI_READY);
	assert_request(&c, 2, "second", 6);
	fcgi_conn_free(&c);
	free(one.p);
	free(two.p);
}

static void
keep_conn_flag_read(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };

	(void)state;
	put_request(&b, 4, FCGI_KEEP_CONN, "", 0);
	put_request(&b, 5, 0, "", 0);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	assert_int_equal(c.req.id, 4);
	assert_true(c.req.keep_conn);
	fcgi_request_done(&c);
	assert_int_equal(fcgi_feed(&c, NULL, 0), FCGI_READY);
	assert_int_equal(c.req.id, 5);
	assert_false(c.req.keep_conn);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
body_over_limit_sets_too_large(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };
	char			*body = make_body(5000);

	(void)state;
	put_request(&b, 1, FCGI_KEEP_CONN, body, 5000);
	put_request(&b, 2, 0, "next", 4);
	fcgi_conn_init(&c, -1, 1500);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	assert_true(c.req.body_too_large);
	assert_int_equal(c.req.body_len, 1500);
	assert_memory_equal(c.req.body, body, 1500);
	assert_int_equal(c.req.body[1500], '\0');
	/* The rest was drained: the next request parses cleanly. */
	fcgi_request_done(&c);
	assert_int_equal(fcgi_feed(&c, NULL, 0), FCGI_READY);
	assert_request(&c, 2, "next", 4);
	fcgi_conn_free(&c);
	free(body);
	free(b.p);
}

static void
body_at_limit_is_kept_whole(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };
	char			*body = make_body(1500);

	(void)state;
	put_request(&b, 1, 0, body, 1500);
	fcgi_conn_init(&c, -1, 1500);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	assert_request(&c, 1, body, 1500);
	fcgi_conn_free(&c);
	free(body);
	free(b.p);
}

static void
empty_body_is_empty_string(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };

	(void)state;
	put_request(&b, 1, 0, NULL, 0);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	assert_non_null(c.req.body);
	assert_string_equal(c.req.body, "");
	assert_int_equal(c.req.body_len, 0);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
padding_is_skipped(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 }, params = { NULL, 0 };
	struct seen		 s;

	(void)state;
	memset(&s, 0, sizeof(s));
	put_pair(&params, "REQUEST_METHOD", "GET", 3);
	put_begin(&b, 1, FCGI_RESPONDER, 0);
	put_rec(&b, FCGI_PARAMS, 1, params.p, params.len, 255);
	put_rec(&b, FCGI_PARAMS, 1, NULL, 0, 7);
	put_rec(&b, FCGI_STDIN, 1, "abc", 3, 5);
	put_rec(&b, FCGI_STDIN, 1, "def", 3, 200);
	put_rec(&b, FCGI_STDIN, 1, NULL, 0, 1);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	assert_int_equal(c.req.params_len, params.len);
	assert_int_equal(fcgi_params_each(c.req.params, c.req.params_len,
	    params_cb, &s), 0);
	assert_string_equal(s.method, "GET");
	assert_string_equal(c.req.body, "abcdef");
	assert_int_equal(c.in_len, 0);
	fcgi_conn_free(&c);
	free(params.p);
	free(b.p);
}

static void
bad_version_fails(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };

	(void)state;
	put_begin(&b, 1, FCGI_RESPONDER, 0);
	b.p[0] = 2;
	fcgi_conn_init(&c, -1, LIMIT);
	/* The header alone is enough to refuse it. */
	assert_int_equal(fcgi_feed(&c, b.p, FCGI_HEADER_LEN), FCGI_FAILED);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
params_length_past_end_fails(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 }, params = { NULL, 0 };
	size_t			 n = 0;
	/* Name of 5 bytes, value of 200 (4-byte length), 7 bytes follow. */
	static const unsigned char short_value[] = {
		5, 0x80, 0, 0, 200, 'N', 'A', 'M', 'E', 'S', 'v', 'v' };
	/* A 4-byte length cut off after two bytes. */
	static const unsigned char cut_length[] = { 1, 0x80, 0 };

	(void)state;
	assert_int_equal(fcgi_params_each((const char *)short_value,
	    sizeof(short_value), count_cb, &n), -1);
	assert_int_equal(fcgi_params_each((const char *)cut_length,
	    sizeof(cut_length), count_cb, &n), -1);
	assert_int_equal(fcgi_params_each("\003", 1, count_cb, &n), -1);
	assert_int_equal(n, 0);

	put_pair(&params, "A", "b", 1);
	put(&params, short_value, sizeof(short_value));
	put_begin(&b, 1, FCGI_RESPONDER, 0);
	put_stream(&b, FCGI_PARAMS, 1, params.p, params.len, 1000);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_FAILED);
	fcgi_conn_free(&c);
	free(params.p);
	free(b.p);
}

static void
params_long_lengths_are_read(void **state)
{
	struct buf	 b = { NULL, 0 };
	struct last	 l;
	char		 name[130], value[70000];

	(void)state;
	memset(name, 'N', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(value, 'v', sizeof(value));
	put_pair(&b, name, value, sizeof(value));
	put_pair(&b, "", "", 0);
	memset(&l, 0, sizeof(l));
	l.base = (const char *)b.p;
	assert_int_equal(fcgi_params_each((const char *)b.p, b.len,
	    last_cb, &l), 0);
	assert_int_equal(l.pairs, 2);
	/* Two 4-byte lengths, then the name, then the value. */
	assert_int_equal(l.noff, 8);
	assert_int_equal(l.nlen, 129);
	assert_int_equal(l.voff, 8 + 129);
	assert_int_equal(l.vlen, 70000);
	free(b.p);
}

static void
params_over_one_mib_fail(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };
	char			*chunk;
	int			 i;
	enum fcgi_state		 st = FCGI_NEED_MORE;

	(void)state;
	chunk = calloc(1, FCGI_MAX_LENGTH);
	assert_non_null(chunk);
	put_begin(&b, 1, FCGI_RESPONDER, 0);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_NEED_MORE);
	for (i = 0; i < 17 && st == FCGI_NEED_MORE; i++) {
		b.len = 0;
		put_rec(&b, FCGI_PARAMS, 1, chunk, FCGI_MAX_LENGTH, 0);
		st = fcgi_feed(&c, b.p, b.len);
	}
	assert_int_equal(st, FCGI_FAILED);
	assert_int_equal(i, 17);	/* 16 records fit in 1 MiB */
	fcgi_conn_free(&c);
	free(chunk);
	free(b.p);
}

static void
stdin_before_params_end_fails(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };

	(void)state;
	put_begin(&b, 1, FCGI_RESPONDER, 0);
	put_rec(&b, FCGI_STDIN, 1, "x", 1, 0);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_FAILED);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
begin_with_short_body_fails(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };
	static const unsigned char body[] = { 0, FCGI_RESPONDER, 0, 0 };

	(void)state;
	put_rec(&b, FCGI_BEGIN_REQUEST, 1, body, sizeof(body), 4);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_FAILED);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
abort_request_drops_current(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };

	(void)state;
	put_begin(&b, 1, FCGI_RESPONDER, FCGI_KEEP_CONN);
	put_stream(&b, FCGI_PARAMS, 1, "\001\001ab", 4, 100);
	put_rec(&b, FCGI_STDIN, 1, "partial", 7, 0);
	put_rec(&b, FCGI_ABORT_REQUEST, 1, NULL, 0, 0);
	/* The rest of the aborted stream is skipped. */
	put_rec(&b, FCGI_STDIN, 1, NULL, 0, 0);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_NEED_MORE);
	assert_null(c.req.params);
	assert_null(c.req.body);
	assert_int_equal(c.in_request, 0);
	assert_end_request(&c, 1, FCGI_REQUEST_COMPLETE);
	/* The connection serves the next request. */
	b.len = 0;
	put_request(&b, 2, 0, "next", 4);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	assert_request(&c, 2, "next", 4);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
get_values_is_answered(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 }, q = { NULL, 0 };
	struct rec		 r;
	struct answers		 a;
	size_t			 off = 0;

	(void)state;
	memset(&a, 0, sizeof(a));
	put_pair(&q, FCGI_MAX_CONNS, "", 0);
	put_pair(&q, FCGI_MAX_REQS, "", 0);
	put_pair(&q, FCGI_MPXS_CONNS, "", 0);
	put_pair(&q, "FCGI_SOMETHING_ELSE", "", 0);
	/* Asked twice, told once. */
	put_pair(&q, FCGI_MPXS_CONNS, "", 0);
	put_rec(&b, FCGI_GET_VALUES, 0, q.p, q.len, 3);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_NEED_MORE);
	assert_int_equal(next_record(c.out, c.out_len, &off, &r), 1);
	assert_int_equal(r.type, FCGI_GET_VALUES_RESULT);
	assert_int_equal(r.id, 0);
	assert_int_equal((r.len + r.pad) % 8, 0);
	assert_int_equal(fcgi_params_each((const char *)r.content, r.len,
	    get_values_cb, &a), 0);
	assert_int_equal(a.pairs, 3);
	assert_true(atoi(a.max_conns) > 0);
	assert_true(atoi(a.max_reqs) > 0);
	assert_string_equal(a.mpxs_conns, "0");
	assert_int_equal(next_record(c.out, c.out_len, &off, &r), 0);
	fcgi_conn_free(&c);
	free(q.p);
	free(b.p);
}

static void
unknown_type_answered(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };
	struct rec		 r;
	FCGI_UnknownTypeBody	 u;
	size_t			 off = 0;

	(void)state;
	put_rec(&b, 42, 0, "whatever", 8, 0);
	put_request(&b, 1, 0, "x", 1);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	assert_request(&c, 1, "x", 1);
	assert_int_equal(next_record(c.out, c.out_len, &off, &r), 1);
	assert_int_equal(r.type, FCGI_UNKNOWN_TYPE);
	assert_int_equal(r.id, 0);
	assert_int_equal(r.len, sizeof(u));
	memcpy(&u, r.content, sizeof(u));
	assert_int_equal(u.type, 42);
	assert_int_equal(next_record(c.out, c.out_len, &off, &r), 0);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
unread_replies_past_cap_fail(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };
	int			 i;

	(void)state;
	/* Each 8-byte record asks for a 16-byte answer. */
	for (i = 0; i < 10000; i++)
		put_rec(&b, 42, 0, NULL, 0, 0);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_FAILED);
	assert_true(c.out_len <= 2 * 64 * 1024);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
second_begin_is_cant_mpx(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };

	(void)state;
	put_begin(&b, 1, FCGI_RESPONDER, FCGI_KEEP_CONN);
	put_stream(&b, FCGI_PARAMS, 1, "\001\001ab", 4, 100);
	put_begin(&b, 2, FCGI_RESPONDER, FCGI_KEEP_CONN);
	/* Request 2's records must not land in request 1. */
	put_rec(&b, FCGI_PARAMS, 2, "\001\001cd", 4, 0);
	put_rec(&b, FCGI_STDIN, 2, "intruder", 8, 0);
	put_rec(&b, FCGI_STDIN, 2, NULL, 0, 0);
	put_stream(&b, FCGI_STDIN, 1, "mine", 4, 100);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	assert_int_equal(c.req.id, 1);
	assert_int_equal(c.req.params_len, 4);
	assert_memory_equal(c.req.params, "\001\001ab", 4);
	assert_string_equal(c.req.body, "mine");
	assert_end_request(&c, 2, FCGI_CANT_MPX_CONN);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
begin_reusing_live_id_fails(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };

	(void)state;
	put_begin(&b, 1, FCGI_RESPONDER, 0);
	put_begin(&b, 1, FCGI_RESPONDER, 0);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_FAILED);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
unknown_role_is_refused_and_skipped(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };

	(void)state;
	put_begin(&b, 1, FCGI_AUTHORIZER, FCGI_KEEP_CONN);
	put_stream(&b, FCGI_PARAMS, 1, "\001\001ab", 4, 100);
	put_stream(&b, FCGI_STDIN, 1, "ignored", 7, 100);
	put_request(&b, 2, 0, "served", 6);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	assert_request(&c, 2, "served", 6);
	assert_end_request(&c, 1, FCGI_UNKNOWN_ROLE);
	fcgi_conn_free(&c);
	free(b.p);
}

static void
input_buffer_stays_one_record(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };
	char			*body = make_body(1000000);
	size_t			 off, n, top = 0;
	enum fcgi_state		 st = FCGI_NEED_MORE;

	(void)state;
	put_begin(&b, 1, FCGI_RESPONDER, 0);
	put_stream(&b, FCGI_PARAMS, 1, NULL, 0, 1);
	put_stream(&b, FCGI_STDIN, 1, body, 1000000, FCGI_MAX_LENGTH);
	fcgi_conn_init(&c, -1, 1000);
	/* Reads larger than a record, as a worker with a big buffer does. */
	for (off = 0; off < b.len; off += n) {
		assert_int_equal(st, FCGI_NEED_MORE);
		n = b.len - off < 100000 ? b.len - off : 100000;
		st = fcgi_feed(&c, b.p + off, n);
		if (c.in_cap > top)
			top = c.in_cap;
	}
	assert_int_equal(st, FCGI_READY);
	assert_true(c.req.body_too_large);
	assert_int_equal(c.req.body_len, 1000);
	assert_true(top <= 2 * (FCGI_HEADER_LEN + FCGI_MAX_LENGTH + 255));
	fcgi_conn_free(&c);
	free(body);
	free(b.p);
}

static void
pipelining_past_cap_fails(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };
	char			*junk;
	int			 i;
	enum fcgi_state		 st = FCGI_READY;

	(void)state;
	junk = calloc(1, 65536);
	assert_non_null(junk);
	put_request(&b, 1, FCGI_KEEP_CONN, "x", 1);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len), FCGI_READY);
	/* A peer that keeps sending before we answer is cut off. */
	for (i = 0; i < 64 && st == FCGI_READY; i++)
		st = fcgi_feed(&c, junk, 65536);
	assert_int_equal(st, FCGI_FAILED);
	assert_true(c.in_len <= 1024 * 1024);
	fcgi_conn_free(&c);
	free(junk);
	free(b.p);
}

static void
conn_free_releases_half_read_request(void **state)
{
	struct fcgi_conn	 c;
	struct buf		 b = { NULL, 0 };

	(void)state;
	put_request(&b, 1, 0, "body", 4);
	fcgi_conn_init(&c, -1, LIMIT);
	assert_int_equal(fcgi_feed(&c, b.p, b.len - 3), FCGI_NEED_MORE);
	assert_non_null(c.req.params);
	fcgi_conn_free(&c);
	assert_null(c.in);
	assert_null(c.req.params);
	assert_null(c.req.body);
	free(b.p);
}

/* Decodes an encoded response, checking each record's framing; returns
 * the STDOUT content (caller frees) and how many STDOUT records held it. */
static unsigned char *
decode_response(const unsigned char *p, size_t len, uint16_t id,
    size_t *outlen, size_t *nrecords)
{
	struct buf		 data = { NULL, 0 };
	struct rec		 r;
	FCGI_EndRequestBody	 end;
	size_t			 off = 0;

	*nrecords = 0;
	while (next_record(p, len, &off, &r) && r.len > 0) {
		assert_int_equal(r.type, FCGI_STDOUT);
		assert_int_equal(r.id, id);
		assert_int_equal((r.len + r.pad) % 8, 0);
		assert_true(r.pad < 8);
		put(&data, r.content, r.len);
		(*nrecords)++;
	}
	assert_int_equal(r.type, FCGI_STDOUT);	/* the empty one */
	assert_int_equal(r.id, id);
	assert_int_equal(next_record(p, len, &off, &r), 1);
	assert_int_equal(r.type, FCGI_END_REQUEST);
	assert_int_equal(r.id, id);
	assert_int_equal(r.len, sizeof(end));
	memcpy(&end, r.content, sizeof(end));
	assert_int_equal(end.appStatusB3 | end.appStatusB2 |
	    end.appStatusB1 | end.appStatusB0, 0);
	assert_int_equal(end.protocolStatus, FCGI_REQUEST_COMPLETE);
	assert_int_equal(next_record(p, len, &off, &r), 0);
	*outlen = data.len;
	return data.p;
}

static void
encode_splits_large_output(void **state)
{
	char		*payload = make_body(200000);
	unsigned char	*out, *data;
	size_t		 outlen, datalen, nrec;

	(void)state;
	out = fcgi_encode_response(0x1234, payload, 200000, &outlen);
	assert_non_null(out);
	data = decode_response(out, outlen, 0x1234, &datalen, &nrec);
	assert_int_equal(nrec, 4);	/* 3 x 65535 + 3395 */
	assert_int_equal(datalen, 200000);
	assert_memory_equal(data, payload, 200000);
	free(data);
	free(out);
	free(payload);
}

static void
encode_empty_output(void **state)
{
	unsigned char	*out, *data;
	size_t		 outlen, datalen, nrec;

	(void)state;
	out = fcgi_encode_response(1, NULL, 0, &outlen);
	assert_non_null(out);
	assert_int_equal(outlen, 8 + 16);
	data = decode_response(out, outlen, 1, &datalen, &nrec);
	assert_int_equal(nrec, 0);
	assert_int_equal(datalen, 0);
	free(data);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whole_request_in_one_feed),
		cmocka_unit_test(request_fed_byte_by_byte),
		cmocka_unit_test(request_fed_in_random_chunks),
		cmocka_unit_test(two_requests_back_to_back_on_keep_conn),
		cmocka_unit_test(ready_request_survives_more_feeds),
		cmocka_unit_test(keep_conn_flag_read),
		cmocka_unit_test(body_over_limit_sets_too_large),
		cmocka_unit_test(body_at_limit_is_kept_whole),
		cmocka_unit_test(empty_body_is_empty_string),
		cmocka_unit_test(padding_is_skipped),
		cmocka_unit_test(bad_version_fails),
		cmocka_unit_test(params_length_past_end_fails),
		cmocka_unit_test(params_long_lengths_are_read),
		cmocka_unit_test(params_over_one_mib_fail),
		cmocka_unit_test(stdin_before_params_end_fails),
		cmocka_unit_test(begin_with_short_body_fails),
		cmocka_unit_test(abort_request_drops_current),
		cmocka_unit_test(get_values_is_answered),
		cmocka_unit_test(unknown_type_answered),
		cmocka_unit_test(unread_replies_past_cap_fail),
		cmocka_unit_test(second_begin_is_cant_mpx),
		cmocka_unit_test(begin_reusing_live_id_fails),
		cmocka_unit_test(unknown_role_is_refused_and_skipped),
		cmocka_unit_test(input_buffer_stays_one_record),
		cmocka_unit_test(pipelining_past_cap_fails),
		cmocka_unit_test(conn_free_releases_half_read_request),
		cmocka_unit_test(encode_splits_large_output),
		cmocka_unit_test(encode_empty_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
