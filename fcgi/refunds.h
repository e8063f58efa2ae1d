/* Refunds (API.md "Refunds"). */
#ifndef REFUNDS_H
#define REFUNDS_H

struct req;

/* POST /v1/refunds: payment, amount (default: what is left), reason,
 * metadata. */
void	refunds_create(struct req *r);
void	refunds_get(struct req *r);
void	refunds_list(struct req *r);

#endif
