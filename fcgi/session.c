/*
 * Dashboard sessions (session.h): tokens, the cookie, CSRF, the mode
 * header and the sign-in throttle's arithmetic; then the session rows.
 * Neither token is ever logged: they live in the request, the cookie and
 * the answer only.
 */
#include <sys/random.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "db.h"
#include "http.h"
#include "session.h"

static const struct sql SQL_SESSION_GET = {
	"SELECT u.account_id, u.email, s.csrf_token, s.expires"
	" FROM dashboard_sessions s JOIN dashboard_users u ON u.pk = s.user_pk"
	" WHERE s.token_hash = ? AND s.expires > ?", "bi", 0 };
static const struct sql SQL_SESSION_INSERT = {
	"INSERT INTO dashboard_sessions (token_hash, user_pk, csrf_token,"
	" created, expires) VALUES (?, ?, ?, ?, ?)", "bisii", 0 };
static const struct sql SQL_SESSION_DELETE = {
	"DELETE FROM dashboard_sessions WHERE token_hash = ?", "b", 0 };

static const char	 b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void
session_b64url(const unsigned char *in, size_t len, char *out)
{
	unsigned long	 v;
	size_t		 i;

	for (i = 0; i < len; i += 3) {
		v = (unsigned long)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		*out++ = b64url[v >> 18 & 63];
		*out++ = b64url[v >> 12 & 63];
		if (i + 1 < len)
			*out++ = b64url[v >> 6 & 63];
		if (i + 2 < len)
			*out++ = b64url[v & 63];
	}
	*out = '\0';
}

int
session_token_new(char *out)
{
	unsigned char	 raw[32];

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -1;
	session_b64url(raw, sizeof(raw), out);
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

void
session_token_hash(const char *token, unsigned char hash[SESSION_HASH_LEN])
{
	SHA256((const unsigned char *)token, strlen(token), hash);
}

/* 1 if s[0..len) has a token's shape: 43 characters of base64url. */
static int
token_shaped(const char *s, size_t len)
{
	size_t	 i;

	if (len != SESSION_TOKEN_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] == '\0' || strchr(b64url, s[i]) == NULL)
			return 0;
	return 1;
}

int
session_cookie_parse(const char *header, char *out)
{
	const char	*p = header, *end, *eq, *v;
	size_t		 nlen = strlen(SESSION_COOKIE), vlen;

	if (header == NULL)
		return -1;
	/* RFC 6265 §5.4: "name=value" pairs separated by "; ". */
	for (; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL || (size_t)(eq - p) != nlen ||
		    strncmp(p, SESSION_COOKIE, nlen) != 0)
			continue;
		v = eq + 1;
		vlen = (size_t)(end - v);
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		if (!token_shaped(v, vlen))
			continue;
		memcpy(out, v, vlen);
		out[vlen] = '\0';
		return 0;
	}
	return -1;
}

int
session_csrf_equal(const char *expected, const char *given)
{
	if (given == NULL || strlen(given) != SESSION_TOKEN_LEN ||
	    strlen(expected) != SESSION_TOKEN_LEN)
		return 0;
	return CRYPTO_memcmp(expected, given, SESSION_TOKEN_LEN) == 0;
}

int
session_mode_parse(const char *header)
{
	if (header == NULL || strcasecmp(header, "test") == 0)
		return 0;
	if (strcasecmp(header, "live") == 0)
		return 1;
	return -1;
}

void
session_email_hash(const char *email, unsigned char hash[SESSION_HASH_LEN])
{
	char	 low[256];
	size_t	 i;

	for (i = 0; email[i] != '\0' && i < sizeof(low) - 1; i++)
		low[i] = email[i] >= 'A' && email[i] <= 'Z' ?
		    (char)(email[i] - 'A' + 'a') : email[i];
	low[i] = '\0';
	SHA256((const unsigned char *)low, i, hash);
}

int64_t
session_lock_ms(int64_t failures)
{
	int64_t	 ms = SESSION_LOCK_FIRST_MS, n;

	if (failures < SESSION_FAILURES_MAX)
		return 0;
	for (n = SESSION_FAILURES_MAX; n < failures && ms < SESSION_LOCK_MAX_MS;
	    n++)
		ms *= 2;
	return ms < SESSION_LOCK_MAX_MS ? ms : SESSION_LOCK_MAX_MS;
}

int64_t
session_throttle_wait(const struct session_throttle *t, int64_t now)
{
	return t->locked_until > now ? t->locked_until - now : 0;
}

void
session_throttle_fail(struct session_throttle *t, int64_t now)
{
	int64_t	 quiet_since = t->window_start;

	/* The count starts over after 15 minutes without a failure or a
	 * lock; someone retrying as each lock ends never gets there. */
	if (t->locked_until > quiet_since)
		quiet_since = t->locked_until;
	if (t->failures <= 0 || now - quiet_since >= SESSION_WINDOW_MS) {
		t->failures = 0;
		t->window_start = now;
		t->locked_until = 0;
	}
	t->failures++;
	if (t->failures >= SESSION_FAILURES_MAX)
		t->locked_until = now + session_lock_ms(t->failures);
}

int64_t
session_retry_after(int64_t ms)
{
	int64_t	 s = (ms + 999) / 1000;

	return s < 1 ? 1 : s;
}

int
session_mode(struct req *r)
{
	int	 live = session_mode_parse(r->mode);

	return live != -1 ? live : api_error(r, ERR_PARAM_INVALID, NULL,
	    "the PesaSwap-Mode header (test or live)");
}

int
session_auth(struct req *r, struct session *s)
{
	struct session	 local;
	struct db_res	 res;
	char		 token[SESSION_TOKEN_LEN + 1];
	int		 live, rc;

	if (s == NULL)
		s = &local;
	if ((live = session_mode(r)) == -1)
		return -1;
	if (session_cookie_parse(r->cookie, token) == -1)
		return api_error(r, ERR_SESSION_INVALID, NULL, NULL);
	session_token_hash(token, s->hash);
	OPENSSL_cleanse(token, sizeof(token));
	rc = db_one(r, &SQL_SESSION_GET, (struct db_val[]){
	    DB_B(s->hash, SESSION_HASH_LEN), DB_I(time(NULL)), DB_E }, &res);
	if (rc != 1)
		return rc == 0 ? api_error(r, ERR_SESSION_INVALID, NULL, NULL) :
		    -1;
	memset(&r->caller, 0, sizeof(r->caller));
	snprintf(r->caller.account_id, sizeof(r->caller.account_id), "%s",
	    res.val[0]);
	r->caller.livemode = live;
	r->caller.session = 1;
	snprintf(s->email, sizeof(s->email), "%s", res.val[1]);
	snprintf(s->csrf_token, sizeof(s->csrf_token), "%s", res.val[2]);
	s->expires = db_i64(&res, 3);
	db_res_free(&res);
	/* Contract: every write from the dashboard carries the token. */
	if (http_is_write(r) && !session_csrf_equal(s->csrf_token,
	    r->csrf_token))
		return api_error(r, ERR_CSRF, NULL, NULL);
	return 0;
}

int
session_start(struct req *r, int64_t user_pk, int64_t now, char *token,
    struct session *s)
{
	if (session_token_new(token) == -1 ||
	    session_token_new(s->csrf_token) == -1)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	session_token_hash(token, s->hash);
	s->expires = now + SESSION_TTL;
	return db_exec(r, &SQL_SESSION_INSERT, (struct db_val[]){
	    DB_B(s->hash, SESSION_HASH_LEN), DB_I(user_pk),
	    DB_S(s->csrf_token), DB_I(now), DB_I(s->expires), DB_E }, NULL);
}

int
session_end(struct req *r, const unsigned char *hash)
{
	return db_exec(r, &SQL_SESSION_DELETE, (struct db_val[]){
	    DB_B(hash, SESSION_HASH_LEN), DB_E }, NULL);
}
