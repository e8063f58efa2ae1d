/*
 * Duplicates found (API.md "Customers", issue 15): the keys likely
 * duplicates share, and the list of groups (merge.c merges them).
 */
#ifndef DEDUPE_H
#define DEDUPE_H

struct req;

#include "valid.h"

/* What a customer is grouped by: "" when it has none (a phone). */
struct dedupe_keys {
	char	 email[VALID_EMAIL_MAX + 1];
	char	 phone[VALID_PHONE_MAX];	/* E.164 digits, no '+' */
};

/*
 * The one normalisation of a customer's "email" and "phone" (NULL: none)
 * for finding duplicates, used on insert, update and merge, and matched
 * by the backfill of sql/007_duplicates.sql. The email loses surrounding
 * white space and ASCII case; for providers that ignore them (Gmail) the
 * local part also loses its dots and "+tag", and googlemail.com becomes
 * gmail.com. The phone is its E.164 digits. Writes "k"; returns 0, or -1
 * (k empty) if "email" does not fit.
 */
int	dedupe_keys(const char *email, const char *phone,
	    struct dedupe_keys *k);

/* GET /v1/customers/duplicates: limit, starting_after. */
void	dedupe_list(struct req *r);

#endif
