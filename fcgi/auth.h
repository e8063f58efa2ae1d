/*
 * API keys (API.md "Authentication and modes"): Bearer or Basic, looked
 * up by SHA-256, and the permissions of restricted keys; or, without an
 * Authorization header, the dashboard's session cookie (session.h).
 */
#ifndef AUTH_H
#define AUTH_H

#include <stddef.h>

struct req;

#define AUTH_KEY_MAX	128	/* longest key we accept, without NUL */
#define AUTH_HASH_LEN	32

/* The permission of routes only a dashboard session may use. */
#define AUTH_SESSION_ONLY	"dashboard:session"

/* A key just made: the clear key (shown once), its id and its hint. */
struct auth_new_key {
	char	 key[80];	/* sk_test_ + 32 */
	char	 id[32];	/* key_ + 16 */
	char	 hint[32];	/* "sk_test_…abcd" */
};

/*
 * Pure: takes the key out of an Authorization header value ("Bearer k" or
 * "Basic base64(k:)") into "key" (size keysz). Returns 0, or -1 if the
 * header is malformed or the key does not look like one of ours
 * (sk_|rk_, test_|live_, then [0-9A-Za-z]).
 */
int	auth_parse_header(const char *header, char *key, size_t keysz);

/* SHA-256 of a key, as stored in api_keys.hash. */
void	auth_hash(const char *key, unsigned char hash[AUTH_HASH_LEN]);

/* Authenticates "r" by its key, or by its session cookie when it has
 * no Authorization header, and fills r->caller. Returns 0, or -1 with
 * 401, 503 (or for a session 400 and 403) set. */
int	auth_check(struct req *r, int cache_ms);

/* Returns once no worker can still accept a key revoked just now: each
 * trusts a key it looked up for up to "cache_ms". */
void	auth_wait_out_cache(int cache_ms);

/* 0 if the caller may use "permission" ("customers:read"; a write
 * permission covers the read one; AUTH_SESSION_ONLY needs a session);
 * -1 with 403 set. NULL is allowed. */
int	auth_permits(struct req *r, const char *permission);

/* 0 if every comma-separated permission of "list" is one a restricted
 * key may have, else -1. Pure. */
int	auth_permissions_valid(const char *list);

/* "permissions (customers:read, …)": every permission a restricted key
 * may have, for an error message. */
const char *auth_permissions_help(void);

/*
 * Makes a key for "account" ("live" mode or test; "perms" a
 * comma-separated list for a restricted rk_ key, NULL or "" for a
 * secret sk_ key) and stores its hash. Fills "out". Returns 0, DB_RETRY
 * or -1 with the error set.
 */
int	auth_key_create(struct req *r, const char *account, int live,
	    const char *perms, struct auth_new_key *out);

#endif
