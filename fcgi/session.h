/*
 * Dashboard sessions (issue 6, dashboard contract): the random token in
 * the pesaswap_session cookie (stored only as its SHA-256), the CSRF
 * token every write must carry, the PesaSwap-Mode header, and the
 * arithmetic of the sign-in throttle. The pure functions come first;
 * unit tests call them.
 */
#ifndef SESSION_H
#define SESSION_H

#include <stddef.h>
#include <stdint.h>

struct req;

#define SESSION_COOKIE		"pesaswap_session"
#define SESSION_TOKEN_LEN	43	/* base64url of 32 bytes, no padding */
#define SESSION_HASH_LEN	32
#define SESSION_TTL		43200	/* s: absolute, 12 h after sign-in */

#define SESSION_FAILURES_MAX	5	/* failed sign-ins before a lock */
#define SESSION_WINDOW_MS	(15LL * 60 * 1000)
#define SESSION_LOCK_FIRST_MS	1000LL
#define SESSION_LOCK_MAX_MS	(15LL * 60 * 1000)

/* Base64url (RFC 4648 §5) of in[0..len) without padding into "out"
 * (room for 4 * len / 3 + 2 bytes); NUL-terminated. */
void	session_b64url(const unsigned char *in, size_t len, char *out);

/* A new token of 32 bytes from getrandom(2), base64url, into "out"
 * (SESSION_TOKEN_LEN + 1 bytes). Returns 0, or -1 if the random source
 * failed. Used for session and CSRF tokens alike. */
int	session_token_new(char *out);

/* SHA-256 of a token, as dashboard_sessions.token_hash holds it. */
void	session_token_hash(const char *token,
	    unsigned char hash[SESSION_HASH_LEN]);

/*
 * Finds the pesaswap_session cookie in a Cookie header ("a=1; b=2")
 * and copies its value into "out" (SESSION_TOKEN_LEN + 1 bytes). Other
 * cookies, and pairs that are malformed or whose value is not a token
 * (43 characters of base64url), are ignored. Returns 0 if found, -1 if
 * not (also for a NULL header).
 */
int	session_cookie_parse(const char *header, char *out);

/* 1 if "given" equals the token "expected", in time independent of
 * where they differ; 0 if not, or "given" is NULL. */
int	session_csrf_equal(const char *expected, const char *given);

/* PesaSwap-Mode: NULL or "test" gives 0, "live" 1 (case-insensitive);
 * anything else -1. */
int	session_mode_parse(const char *header);

/* The request's mode from its PesaSwap-Mode header: 0 test, 1 live, or
 * -1 with 400 set. */
int	session_mode(struct req *r);

/* SHA-256 of an email lower-cased (ASCII), the throttle's key. */
void	session_email_hash(const char *email,
	    unsigned char hash[SESSION_HASH_LEN]);

/* Failed sign-ins of one email (times in ms since the epoch). */
struct session_throttle {
	int64_t	 failures;	/* within the window */
	int64_t	 window_start;
	int64_t	 locked_until;	/* 0: not locked */
};

/* How long a lock lasts after "failures" failures in a window: none
 * below 5, then 1 s, doubling with each further failure, at most
 * 15 min. */
int64_t	session_lock_ms(int64_t failures);

/* Milliseconds until "t" lets one more try at "now", 0 if it does. */
int64_t	session_throttle_wait(const struct session_throttle *t, int64_t now);

/* Counts one failure at "now": a new window if the last one is over
 * (15 min), and a lock from the 5th failure on. */
void	session_throttle_fail(struct session_throttle *t, int64_t now);

/* Retry-After in whole seconds for a wait of "ms" (rounded up, >= 1). */
int64_t	session_retry_after(int64_t ms);

/* The session a request carries, as session_auth() found it. */
struct session {
	char		 email[256];
	char		 csrf_token[SESSION_TOKEN_LEN + 1];
	int64_t		 expires;
	unsigned char	 hash[SESSION_HASH_LEN];
};

/*
 * Authenticates "r" by its session cookie: fills r->caller (the user's
 * account, the mode of PesaSwap-Mode, every permission, session = 1) and
 * "s" (may be NULL). A write must carry the CSRF token. Returns 0, or -1
 * with 400 (bad mode), 401 session_invalid, 403 csrf_token_invalid or
 * 503 set.
 */
int	session_auth(struct req *r, struct session *s);

/*
 * Starts a session for user "user_pk" at "now" (inside the caller's
 * transaction, or alone): a new token into "token" and CSRF token into
 * s->csrf_token; s->expires set. Returns 0, DB_RETRY or -1 (set).
 */
int	session_start(struct req *r, int64_t user_pk, int64_t now,
	    char *token, struct session *s);

/* Ends the session whose token hash is "hash". Returns 0 or -1 (set). */
int	session_end(struct req *r, const unsigned char *hash);

#endif
