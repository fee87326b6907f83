/* grow.c: the growable array (see grow.h). */
#include "grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : GROW_MIN;
	while (n < need && n <= SIZE_MAX / 2)
		n *= 2;
	if (n < need || size == 0 || n > SIZE_MAX / size)
		return -ENOMEM;
	void *old, *q;
	memcpy(&old, p, sizeof(old));
	if (!(q = realloc(old, n * size)))
		return -ENOMEM;
	memcpy(p, &q, sizeof(q));
	*cap = n;
	return 0;
}
