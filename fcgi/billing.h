/*
 * The billing clock of pesaswap-jobs: renews the subscriptions whose
 * period has ended and runs the payment schedules that are due, each in
 * its own transaction, by real time or by the test clock of their
 * customer.
 */
#ifndef BILLING_H
#define BILLING_H

struct req;

/* What a billing step (subscriptions_step(), schedules_step()) did,
 * besides DB_RETRY and -1. */
enum billing_step {
	BILLING_NOT_DUE = 0,	/* not due, or held by another job */
	BILLING_STEPPED = 1,	/* a step was taken */
};

/* One pass over what is due. "r" is the job's request (db and errors);
 * its caller is set for each item. Returns the number of steps taken. */
int	billing_turn(struct req *r);

#endif
