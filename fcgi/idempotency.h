/*
 * Idempotency-Key (API.md "Requests"): the first response to a key is
 * stored with the write it made, in the same transaction, and replayed
 * for 24 hours to a retry of the same request.
 */
#ifndef IDEMPOTENCY_H
#define IDEMPOTENCY_H

struct req;

#define IDEMPOTENCY_KEY_MAX	255
#define IDEMPOTENCY_TTL		86400	/* seconds */

enum idempotency_result {
	IDEMPOTENCY_GO_ON = 0,		/* the key is new: run the handler */
	IDEMPOTENCY_ANSWERED = 1,	/* replayed, or 409 */
};

/*
 * Before the handler: answers from a stored response if the key was used
 * already (replay, or 409 for a different request). Returns
 * IDEMPOTENCY_ANSWERED, IDEMPOTENCY_GO_ON, or -1 with an error set (bad
 * key, database).
 */
int	idempotency_check(struct req *r);

/*
 * db_tx()'s hook before the body (db_tx_hooks()): claims the request's
 * key, if it has one. A concurrent request with the same key waits on
 * the row lock and then replays. Returns 0 to go on, -1 with the reply
 * set (replay or 409; the transaction is rolled back, nothing written),
 * or DB_RETRY.
 */
int	idempotency_claim(struct req *r);

/* db_tx()'s hook after the body: stores the reply for replays, if the
 * request has a key. */
int	idempotency_store(struct req *r);

#endif
