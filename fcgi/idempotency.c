/*
 * Idempotency keys in MariaDB. The key row is inserted at the start of
 * the request's transaction and filled with the response before COMMIT:
 * a crash rolls back both, and a concurrent duplicate blocks on the
 * key's unique index until the first commits, then finds its response.
 * Keys are stored as SHA-256, per account and mode.
 */
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "db.h"
#include "http.h"
#include "idempotency.h"

static const struct sql SQL_IDEM_GET = {
	"SELECT request_hash, status, response, created FROM idempotency_keys"
	" WHERE " SCOPE " AND key_hash = ?", "sib", 0 };
static const struct sql SQL_IDEM_INSERT = {
	"INSERT INTO idempotency_keys (account_id, livemode, key_hash,"
	" request_hash, status, response, created)"
	" VALUES (?, ?, ?, ?, 0, '', ?)", "sibbi", 0 };
static const struct sql SQL_IDEM_EXPIRE = {
	"DELETE FROM idempotency_keys WHERE " SCOPE
	" AND key_hash = ? AND created < ?", "sibi", 0 };
static const struct sql SQL_IDEM_STORE = {
	"UPDATE idempotency_keys SET status = ?, response = ?"
	" WHERE " SCOPE " AND key_hash = ?", "issib", 0 };

/* SHA-256 of the key, and of method, path and body. */
static void
hashes(struct req *r, unsigned char *key, unsigned char *request)
{
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();

	SHA256((const unsigned char *)r->idempotency_key,
	    strlen(r->idempotency_key), key);
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, r->method, strlen(r->method) + 1);
	EVP_DigestUpdate(ctx, r->path, strlen(r->path) + 1);
	EVP_DigestUpdate(ctx, r->body, r->body_len);
	EVP_DigestFinal_ex(ctx, request, NULL);
	EVP_MD_CTX_free(ctx);
}

/* Answers from a stored row: IDEMPOTENCY_ANSWERED, IDEMPOTENCY_GO_ON (no
 * usable row), or -1. */
static int
answer_from_row(struct req *r, const unsigned char *request,
    struct db_res *res)
{
	int64_t	 status = db_i64(res, 1);

	if (db_i64(res, 3) < (int64_t)time(NULL) - IDEMPOTENCY_TTL)
		return IDEMPOTENCY_GO_ON;
	if (res->len[0] != SHA256_DIGEST_LENGTH ||
	    memcmp(res->val[0], request, SHA256_DIGEST_LENGTH) != 0)
		return api_error(r, ERR_IDEM_REUSED, NULL, NULL),
		    IDEMPOTENCY_ANSWERED;
	if (status == 0)	/* claimed by a transaction not yet done */
		return api_error(r, ERR_IDEM_IN_USE, NULL, NULL),
		    IDEMPOTENCY_ANSWERED;
	http_reply_text(r, (int)status, res->val[2]);
	http_header(r, "Idempotent-Replayed: true");
	return IDEMPOTENCY_ANSWERED;
}

int
idempotency_check(struct req *r)
{
	unsigned char	 key[SHA256_DIGEST_LENGTH], request[SHA256_DIGEST_LENGTH];
	struct db_res	 res;
	int		 rc;

	if (strlen(r->idempotency_key) > IDEMPOTENCY_KEY_MAX ||
	    r->idempotency_key[0] == '\0')
		return api_error(r, ERR_PARAM_INVALID, "idempotency_key",
		    "the Idempotency-Key header (1 to 255 characters)");
	hashes(r, key, request);
	rc = db_one(r, &SQL_IDEM_GET, (struct db_val[]){
	    DB_SCOPE(r),
	    DB_B(key, sizeof(key)), DB_E }, &res);
	if (rc != DB_FOUND)
		return rc == DB_NONE ? IDEMPOTENCY_GO_ON : -1;
	rc = answer_from_row(r, request, &res);
	db_res_free(&res);
	return rc;
}

int
idempotency_claim(struct req *r)
{
	unsigned char	 key[SHA256_DIGEST_LENGTH], request[SHA256_DIGEST_LENGTH];
	struct db_res	 res;
	int64_t		 now = time(NULL);
	int		 rc;

	if (r->idempotency_key == NULL)
		return 0;
	hashes(r, key, request);
	rc = db_exec(r, &SQL_IDEM_EXPIRE, (struct db_val[]){
	    DB_SCOPE(r),
	    DB_B(key, sizeof(key)), DB_I(now - IDEMPOTENCY_TTL), DB_E }, NULL);
	if (rc == 0)
		rc = db_exec(r, &SQL_IDEM_INSERT, (struct db_val[]){
		    DB_SCOPE(r),
		    DB_B(key, sizeof(key)), DB_B(request, sizeof(request)),
		    DB_I(now), DB_E }, NULL);
	if (rc != DB_DUP)
		return rc;
	/* Another request holds or held the key; it has committed now. */
	if ((rc = db_one(r, &SQL_IDEM_GET, (struct db_val[]){
	    DB_SCOPE(r),
	    DB_B(key, sizeof(key)), DB_E }, &res)) != DB_FOUND)
		return rc == 0 ? DB_RETRY : rc;
	rc = answer_from_row(r, request, &res);
	db_res_free(&res);
	return rc == IDEMPOTENCY_ANSWERED ? -1 : DB_RETRY;
}

int
idempotency_store(struct req *r)
{
	unsigned char	 key[SHA256_DIGEST_LENGTH], request[SHA256_DIGEST_LENGTH];

	if (r->idempotency_key == NULL)
		return 0;
	hashes(r, key, request);
	return db_exec(r, &SQL_IDEM_STORE, (struct db_val[]){
	    DB_I(r->status), DB_S(http_body_text(r)),
	    DB_SCOPE(r),
	    DB_B(key, sizeof(key)), DB_E }, NULL);
}
