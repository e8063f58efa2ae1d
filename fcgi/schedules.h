/* Payment schedules: planned future payments (API.md "Prices,
 * subscriptions, payment schedules"). */
#ifndef SCHEDULES_H
#define SCHEDULES_H

#include <stdint.h>

struct req;
struct json_object;

void	schedules_create(struct req *r);
void	schedules_get(struct req *r);
void	schedules_list(struct req *r);
void	schedules_cancel(struct req *r);

/* Inside db_tx(), for the billing job: runs schedule "id" once if it is
 * due at "now". Returns BILLING_STEPPED if it ran, BILLING_NOT_DUE if not
 * due or held by another job, DB_RETRY or -1 (billing.h). */
int	schedules_step(struct req *r, const char *id, int64_t now);
/*
 * Inside db_tx(), when customer "customer" is deleted: cancels each of
 * its schedules yet to run, with its payment_schedule.canceled event.
 * *ids gets a new array of their ids (may be NULL). Returns 0, DB_RETRY
 * or -1 (set). The reply is left set to the last one: answer after.
 */
int	schedules_cancel_customer(struct req *r, const char *customer,
	    struct json_object **ids);

#endif
