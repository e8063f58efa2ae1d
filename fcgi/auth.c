/*
 * Key checks. A worker keeps recent lookups for a short time (key-cache-ms,
 * 1 s by default) to save a database round trip per request; revocation
 * therefore takes effect within that time, and `pesaswap-admin key
 * revoke` waits it out before it returns.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "ids.h"
#include "now.h"
#include "session.h"

#define CACHE_SLOTS	64
#define KEY_RANDOM_LEN	32

struct cached_key {
	unsigned char	 hash[AUTH_HASH_LEN];
	int64_t		 expires_ms;
	struct caller	 caller;
};

static struct cached_key cache[CACHE_SLOTS];

static const char *const permissions_known[] = {
	"customers:read", "customers:write", "payments:read",
	"payments:write", "subscriptions:read", "subscriptions:write",
	"webhooks:read", "webhooks:write", "events:read",
};

static const struct sql SQL_KEY_GET = {
	"SELECT account_id, livemode, restricted, permissions FROM api_keys"
	" WHERE hash = ? AND revoked IS NULL", "b", 0 };
static const struct sql SQL_KEY_INSERT = {
	"INSERT INTO api_keys (hash, id, account_id, livemode, restricted,"
	" permissions, hint, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	"bssiissi", 0 };

static int
key_shape_ok(const char *key)
{
	size_t	 i, n;

	if (strncmp(key, "sk_", 3) != 0 && strncmp(key, "rk_", 3) != 0)
		return -1;
	if (strncmp(key + 3, "test_", 5) != 0 &&
	    strncmp(key + 3, "live_", 5) != 0)
		return -1;
	n = strlen(key);
	if (n < 8 + 16)
		return -1;
	for (i = 8; i < n; i++)
		if (!((key[i] >= '0' && key[i] <= '9') ||
		    (key[i] >= 'A' && key[i] <= 'Z') ||
		    (key[i] >= 'a' && key[i] <= 'z')))
			return -1;
	return 0;
}

/* Decodes "Basic" credentials; the key is the user name. */
static int
basic_key(const char *b64, char *key, size_t keysz)
{
	/* Room for the key, ':' and a password as long as the key. */
	unsigned char	 buf[2 * AUTH_KEY_MAX + 8];
	size_t		 len = strlen(b64), pad = 0;
	int		 n;
	char		*colon;

	if (len == 0 || len % 4 != 0 || len > 4 * (sizeof(buf) - 4) / 3)
		return -1;
	if ((n = EVP_DecodeBlock(buf, (const unsigned char *)b64,
	    (int)len)) < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding's zero bytes; drop them. */
	pad = (b64[len - 1] == '=') + (b64[len - 2] == '=');
	n -= (int)pad;
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n) != NULL ||
	    (colon = strchr((char *)buf, ':')) == NULL)
		return -1;
	*colon = '\0';
	if ((size_t)(colon - (char *)buf) >= keysz)
		return -1;
	memcpy(key, buf, (size_t)(colon - (char *)buf) + 1);
	return 0;
}

int
auth_parse_header(const char *header, char *key, size_t keysz)
{
	size_t	 n;

	if (strncasecmp(header, "Bearer ", 7) == 0) {
		header += 7;
		while (*header == ' ')
			header++;
		n = strlen(header);
		while (n > 0 && header[n - 1] == ' ')
			n--;
		if (n == 0 || n >= keysz)
			return -1;
		memcpy(key, header, n);
		key[n] = '\0';
	} else if (strncasecmp(header, "Basic ", 6) == 0) {
		header += 6;
		while (*header == ' ')
			header++;
		if (basic_key(header, key, keysz) == -1)
			return -1;
	} else
		return -1;
	return key_shape_ok(key);
}

void
auth_hash(const char *key, unsigned char hash[AUTH_HASH_LEN])
{
	SHA256((const unsigned char *)key, strlen(key), hash);
}

static int
lookup(struct req *r, const unsigned char *hash, struct caller *c)
{
	struct db_res	 res;
	int		 rc;

	rc = db_one(r, &SQL_KEY_GET, (struct db_val[]){
	    DB_B(hash, AUTH_HASH_LEN), DB_E }, &res);
	if (rc != 1)
		return rc == 0 ? api_error(r, ERR_KEY_INVALID, NULL, NULL) : -1;
	memset(c, 0, sizeof(*c));
	snprintf(c->account_id, sizeof(c->account_id), "%s", res.val[0]);
	c->livemode = (int)db_i64(&res, 1);
	c->restricted = (int)db_i64(&res, 2);
	snprintf(c->permissions, sizeof(c->permissions), "%s", res.val[3]);
	db_res_free(&res);
	return 0;
}

int
auth_check(struct req *r, int cache_ms)
{
	unsigned char		 hash[AUTH_HASH_LEN];
	char			 key[AUTH_KEY_MAX + 1];
	struct cached_key	*slot;
	int64_t			 now = now_ms(CLOCK_MONOTONIC);

	if (r->authorization == NULL || r->authorization[0] == '\0') {
		/* An Authorization header always wins over the cookie. */
		if (session_cookie_parse(r->cookie, key) == 0) {
			OPENSSL_cleanse(key, sizeof(key));
			return session_auth(r, NULL);
		}
		return api_error(r, ERR_KEY_MISSING, NULL, NULL);
	}
	if (auth_parse_header(r->authorization, key, sizeof(key)) == -1)
		return api_error(r, ERR_KEY_INVALID, NULL, NULL);
	auth_hash(key, hash);
	OPENSSL_cleanse(key, sizeof(key));
	slot = &cache[hash[0] % CACHE_SLOTS];
	if (slot->expires_ms > now &&
	    CRYPTO_memcmp(slot->hash, hash, AUTH_HASH_LEN) == 0) {
		r->caller = slot->caller;
		return 0;
	}
	if (lookup(r, hash, &r->caller) == -1)
		return -1;
	memcpy(slot->hash, hash, AUTH_HASH_LEN);
	slot->caller = r->caller;
	slot->expires_ms = now + cache_ms;
	return 0;
}

/* 1 if the comma-separated "list" holds "perm". */
static int
list_has(const char *list, const char *perm)
{
	size_t		 n = strlen(perm);
	const char	*p = list;

	while ((p = strstr(p, perm)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[n] == '\0' || p[n] == ','))
			return 1;
		p += n;
	}
	return 0;
}

int
auth_permits(struct req *r, const char *permission)
{
	char		 write[64];
	const char	*colon;

	if (permission != NULL && strcmp(permission, AUTH_SESSION_ONLY) == 0)
		return r->caller.session ? 0 :
		    api_error(r, ERR_SESSION_REQUIRED, NULL, NULL);
	if (permission == NULL || !r->caller.restricted ||
	    list_has(r->caller.permissions, permission))
		return 0;
	/* "customers:write" covers "customers:read". */
	colon = strchr(permission, ':');
	if (colon != NULL && strcmp(colon, ":read") == 0) {
		snprintf(write, sizeof(write), "%.*s:write",
		    (int)(colon - permission), permission);
		if (list_has(r->caller.permissions, write))
			return 0;
	}
	return api_error(r, ERR_PERMISSION, NULL, permission);
}

void
auth_wait_out_cache(int cache_ms)
{
	usleep((useconds_t)cache_ms * 1000 + 100000);	/* and a margin */
}

const char *
auth_permissions_help(void)
{
	static char	 help[256];
	size_t		 i, len;

	if (help[0] != '\0')
		return help;
	len = (size_t)snprintf(help, sizeof(help), "permissions (");
	for (i = 0; i < sizeof(permissions_known) /
	    sizeof(permissions_known[0]) && len < sizeof(help); i++)
		len += (size_t)snprintf(help + len, sizeof(help) - len,
		    "%s%s", i > 0 ? ", " : "", permissions_known[i]);
	if (len < sizeof(help))
		snprintf(help + len, sizeof(help) - len, ")");
	return help;
}

int
auth_permissions_valid(const char *list)
{
	size_t		 i, n = sizeof(permissions_known) /
			    sizeof(permissions_known[0]), len;
	const char	*p = list, *end;

	do {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		for (i = 0; i < n; i++)
			if (strlen(permissions_known[i]) == len &&
			    strncmp(p, permissions_known[i], len) == 0)
				break;
		if (i == n)
			return -1;
		p = end + 1;
	} while (end != NULL);
	return 0;
}

int
auth_key_create(struct req *r, const char *account, int live,
    const char *perms, struct auth_new_key *out)
{
	unsigned char	 hash[AUTH_HASH_LEN];
	int		 restricted = perms != NULL && *perms != '\0';
	size_t		 plen;

	plen = (size_t)snprintf(out->key, sizeof(out->key), "%s_%s_",
	    restricted ? "rk" : "sk", live ? "live" : "test");
	if (ids_random(out->key + plen, KEY_RANDOM_LEN) == -1 ||
	    ids_new("key_", out->id, sizeof(out->id)) == -1)
		return api_error(r, ERR_INTERNAL, NULL, NULL);
	out->key[plen + KEY_RANDOM_LEN] = '\0';
	auth_hash(out->key, hash);
	/* What a person may see again later: prefix and the last four. */
	snprintf(out->hint, sizeof(out->hint), "%.*s…%s", (int)plen, out->key,
	    out->key + plen + KEY_RANDOM_LEN - 4);
	return db_exec(r, &SQL_KEY_INSERT, (struct db_val[]){
	    DB_B(hash, sizeof(hash)), DB_S(out->id), DB_S(account),
	    DB_I(live), DB_I(restricted), DB_S(restricted ? perms : ""),
	    DB_S(out->hint), DB_I(time(NULL)), DB_E }, NULL);
}
