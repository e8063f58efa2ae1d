/* Payments (API.md "Payments"). */
#ifndef PAYMENTS_H
#define PAYMENTS_H

#include <stdint.h>

#include "ids.h"

struct req;
struct json_object;

/* A payment being made, by the API or by billing. */
struct charge {
	char			 id[IDS_MAX];	/* pay_…, made by the caller */
	int64_t			 amount;
	char			 currency[4];
	const char		*customer;	/* may be NULL */
	const char		*description;
	const char		*payment_method; /* as sent, or NULL */
	struct json_object	*metadata;	/* borrowed */
	int64_t			 created;
	int			 pending;	/* record unpaid, do not charge */
	/* Filled by payments_make(): */
	char			 pm_used[IDS_MAX + 48];
	const char		*failure;	/* failure code, or NULL */
};

/*
 * Inside db_tx(): charges "ch" (to its payment method, else the
 * customer's default), records the payment, its customer's aggregates
 * and its event. *obj gets the payment object (a new reference). A
 * declined charge is recorded too (ch->failure set) and returns 0.
 * Returns 0, DB_RETRY, or -1 with the error set.
 */
int	payments_make(struct req *r, struct charge *ch,
	    struct json_object **obj);

/* What a refund needs of its payment. */
struct payment_ref {
	char	 id[IDS_MAX];
	int64_t	 amount;
	int64_t	 amount_refunded;	/* the sum of its refunds so far */
	char	 currency[4];
	char	 customer[IDS_MAX];	/* "" if none */
	int	 succeeded;
};

/*
 * Inside db_tx(): loads payment "id" of the caller into "out" and locks
 * its row until the transaction ends, so concurrent refunds of it run
 * one after the other. If there is none, answers 400 resource_missing
 * naming "param". Returns 0, DB_RETRY, or -1 (set).
 */
int	payments_lock(struct req *r, const char *id, const char *param,
	    struct payment_ref *out);

/*
 * Inside db_tx(), after payments_lock(): adds "amount" to what payment
 * "p" has refunded and to its customer's refunded volume in its
 * currency. *obj gets the payment object after it (a new reference).
 * Returns 0, DB_RETRY, or -1 (set).
 */
int	payments_refund(struct req *r, const struct payment_ref *p,
	    int64_t amount, struct json_object **obj);

void	payments_create(struct req *r);
void	payments_get(struct req *r);
void	payments_list(struct req *r);

#endif
