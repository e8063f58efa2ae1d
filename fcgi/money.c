/* Integer money arithmetic: amounts are minor units, never floats. */
#include "money.h"

int64_t
money_average(int64_t total, int64_t count)
{
	int64_t	 q, rem;

	if (count <= 0)
		return 0;
	q = total / count;
	rem = total % count;		/* same sign as total in C99 */
	if (rem < 0)
		rem = -rem;
	/* rem >= count - rem compares 2*rem >= count without overflow. */
	if (rem >= count - rem)
		q += total < 0 ? -1 : 1;
	return q;
}
