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

void	payments_create(struct req *r);
void	payments_get(struct req *r);
void	payments_list(struct req *r);

#endif
