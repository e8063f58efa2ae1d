/* Amount arithmetic for analytics (API.md "Customers", analytics). */
#ifndef MONEY_H
#define MONEY_H

#include <stdint.h>

/* total / count rounded half away from zero; 0 when count <= 0. Exact:
 * integer arithmetic only, no overflow for any int64 total. */
int64_t	money_average(int64_t total, int64_t count);

#endif
