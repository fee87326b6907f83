/* grow.h: the one way an array grows, for ikid, iki, libiki and ikiweb alike. */
#ifndef IKI_GROW_H
#define IKI_GROW_H

#include <stddef.h>

#define GROW_MIN 16 /* elements a grown array holds at the least */

/*
 * Make the array *p, with room for *cap elements of size bytes, hold at least need: when it is
 * smaller, its room doubles (from GROW_MIN) until need fits, and *p is reallocated. Returns 0;
 * or -ENOMEM (the size overflows, or realloc failed), *p and *cap as they were. *p is any
 * object pointer, passed as (void **)&array: grow reads and writes it as the bytes it is.
 */
int grow(void **p, size_t *cap, size_t need, size_t size);

#endif
