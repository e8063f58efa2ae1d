/*
 * A customer's tax ids (Stripe's /v1/customers/:id/tax_ids, issue 15):
 * create, list, retrieve, delete, and tax_id_data at customer creation.
 */
#ifndef TAXIDS_H
#define TAXIDS_H

struct req;

#define TAXIDS_MAX	25	/* tax ids one customer may hold */

void	taxids_create(struct req *r);
void	taxids_list(struct req *r);
void	taxids_get(struct req *r);
void	taxids_delete(struct req *r);
/*
 * Inside db_tx(), after customer "customer" was inserted: adds every
 * {type, value} of the "tax_id_data" parameter to it. Returns 0, DB_RETRY,
 * or -1 with 400 naming tax_id_data[i][type|value] (or 500) set.
 */
int	taxids_from_data(struct req *r, const char *customer);

#endif
