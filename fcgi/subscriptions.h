/*
 * Subscriptions (API.md "Prices, subscriptions, payment schedules"), and
 * the renewal of one that is due, for pesaswap-jobs (billing.c).
 */
#ifndef SUBSCRIPTIONS_H
#define SUBSCRIPTIONS_H

#include <stdint.h>

struct req;
struct json_object;

void	subscriptions_create(struct req *r);
void	subscriptions_get(struct req *r);
void	subscriptions_list(struct req *r);
void	subscriptions_update(struct req *r);
void	subscriptions_cancel(struct req *r);

/* Failed renewals are retried this many days after the failure, then the
 * subscription is canceled (README "Recurring billing"). */
#define SUBSCRIPTIONS_RETRY_DAYS	{ 1, 3, 5 }

/*
 * Inside db_tx(), for the billing job: if subscription "id" (of the
 * caller's account and mode) is due at "now", takes its next step once:
 * charges the next period, retries a past-due charge, cancels at the
 * period's end, or expires an incomplete one. A row another job holds is
 * skipped. Returns BILLING_STEPPED if a step was taken, BILLING_NOT_DUE
 * if nothing was due, DB_RETRY or -1 (billing.h).
 */
int	subscriptions_step(struct req *r, const char *id, int64_t now);
/*
 * Inside db_tx(), when customer "customer" is deleted: cancels each of
 * its subscriptions that has not ended, now, with its
 * subscription.deleted event. *ids gets a new array of their ids (set
 * even on failure, may be NULL). Returns 0, DB_RETRY or -1 (set).
 */
int	subscriptions_cancel_customer(struct req *r, const char *customer,
	    struct json_object **ids);
/*
 * Inside db_tx(), before merge.c moves the subscriptions of customer
 * "from" to "into": writes subscription.updated for each one that has
 * not ended, as it is once moved (previous_attributes: the customer);
 * ended ones move without one, as payments do. Returns 0, DB_RETRY or
 * -1 (set).
 */
int	subscriptions_merge_events(struct req *r, const char *from,
	    const char *into);

#endif
