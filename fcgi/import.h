/*
 * POST /v1/customers/import and GET /v1/customers/imports[/:id] (issue
 * 15 "Export and import"), and the writing of imports in pesaswap-jobs.
 */
#ifndef IMPORT_H
#define IMPORT_H

struct req;

void	import_customers(struct req *r);
void	import_get(struct req *r);
void	import_list(struct req *r);

/*
 * One turn of pesaswap-jobs: claims the imports no job holds (or whose
 * job's lease ran out) and writes the next batch of each. "r" is the
 * job's request (db and errors); its caller is set for each import.
 * Returns the number of batches run.
 */
int	import_turn(struct req *r);

#endif
