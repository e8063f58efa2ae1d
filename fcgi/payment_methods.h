/* Saved payment methods of a customer (API.md "Payment methods"). */
#ifndef PAYMENT_METHODS_H
#define PAYMENT_METHODS_H

#include <stddef.h>

struct req;
struct json_object;

void	payment_methods_attach(struct req *r);
void	payment_methods_list(struct req *r);
void	payment_methods_detach(struct req *r);
/*
 * Inside db_tx(), when customer "customer" is deleted: detaches each of
 * its payment methods with its payment_method.detached event. *ids gets
 * a new array of their ids (may be NULL). Returns 0, DB_RETRY or -1.
 */
int	payment_methods_detach_customer(struct req *r, const char *customer,
	    struct json_object **ids);

/*
 * Inside db_tx(), before merge.c moves the payment methods of customer
 * "from" to "into": writes payment_method.updated for each, as it is
 * once moved (previous_attributes: the customer). Returns 0, DB_RETRY
 * or -1 (set).
 */
int	payment_methods_merge_events(struct req *r, const char *from,
	    const char *into);

/*
 * Resolves the "payment_method" of a charge: a saved pm_… of the caller
 * attached to "customer" (which must be given), or a test token. Copies the
 * processor token into "token". Returns 0, DB_RETRY, or -1 with 400
 * resource_missing naming "param" set.
 */
int	payment_methods_token(struct req *r, const char *pm,
	    const char *customer, const char *param, char *token, size_t sz);

#endif
