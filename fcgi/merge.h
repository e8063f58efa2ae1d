/* Merging duplicate customers (API.md "Customers", issue 15). */
#ifndef MERGE_H
#define MERGE_H

struct req;

/* POST /v1/customers/:id/merge: from. */
void	merge_customers(struct req *r);

#endif
