/* Prices (API.md "Prices, subscriptions, payment schedules"). */
#ifndef PRICES_H
#define PRICES_H

#include <stdint.h>

#include "period.h"

struct req;

void	prices_create(struct req *r);
void	prices_get(struct req *r);
void	prices_list(struct req *r);
void	prices_update(struct req *r);

/* What a subscription needs of its price. */
struct price {
	char			 id[32];
	int64_t			 unit_amount;
	char			 currency[4];
	enum period_interval	 interval;
	int			 interval_count;
};

/* Loads price "ref" (its id or lookup_key) of the caller; with
 * "active_only", an inactive one counts as missing (new subscriptions
 * need an active price; renewals keep theirs). Returns 0, DB_RETRY, or
 * -1 with 400 resource_missing naming "param". */
int	prices_ref(struct req *r, const char *ref, const char *param,
	    int active_only, struct price *out);

#endif
