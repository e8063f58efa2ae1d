/* The Customers resource (API.md "Customers"). */
#ifndef CUSTOMERS_H
#define CUSTOMERS_H

#include <stddef.h>

struct req;

void	customers_create(struct req *r);
void	customers_get(struct req *r);
void	customers_update(struct req *r);
void	customers_delete(struct req *r);
void	customers_list(struct req *r);
void	customers_search(struct req *r);

/* What other resources need of a customer they refer to. */
struct customer_ref {
	char	 default_pm[32];	/* "" if none */
	char	 test_clock[32];	/* "" if none */
};

/*
 * Checks that customer "id" of the caller exists and is not deleted, and
 * keeps it so (a shared lock) until the transaction ends. If it does not,
 * answers 400 resource_missing naming "param", or 404 when "param" is
 * NULL. Fills "out" (may be NULL). Returns 0, DB_RETRY, or -1 (set).
 */
int	customers_ref(struct req *r, const char *id, const char *param,
	    struct customer_ref *out);

/*
 * Inside db_tx(), when payment method "pm" leaves customer "id": if it
 * was the customer's default, the customer has none. Returns 0,
 * DB_RETRY or -1 (set).
 */
int	customers_unset_default_pm(struct req *r, const char *id,
	    const char *pm);

#endif
