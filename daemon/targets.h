/* targets.h: the target of each indicator value (an admin's, or the catalog's), and the capaian
 * and predikat that follow from it. */
#ifndef IKI_TARGETS_H
#define IKI_TARGETS_H

#include "catalog.h"
#include "proto.h"
#include "store.h"

struct targets;

/* The targets set so far, read from the store (the catalog must outlive them). 0 or <0. */
int targets_load(struct store *st, const struct catalog *cat, struct targets **out);

/* Free and null. Safe on NULL and twice. */
void targets_free(struct targets **t);

/* Take a target the store has committed (replacing the one of its key). 0 or -ENOMEM. */
int targets_note(struct targets *t, const struct store_target *x);

/*
 * The target of indicator ind at org unit ou for period p, in hundredths, and the first one set
 * for it (*original; equal when never revised): a target set for the org unit, else for the
 * one above it, up to the kecamatan; for each, the period's own, else (a month) its quarter's,
 * else the year's; failing all, the catalog's. -1 when there is none.
 */
int64_t targets_find(const struct targets *t, int ind, int ou, struct period p, int64_t *original);

/* Every target set, as the protocol lists them; *out malloc'd. Narrowed to ind when >= 0. */
int targets_list(const struct targets *t, int ind, struct proto_target **out, size_t *n);

/*
 * Fill v's target (and original, when revised), capaian and predikat: indicator ind at org unit
 * ou (catalog indices; nothing when either is < 0) for period p, the indicator's polarity and
 * the catalog's bands. A value without data (den 0) gets its target but no capaian. t may be
 * NULL (the catalog's targets only). Also the validation rule the value breaks (v->check).
 */
void targets_decorate(const struct targets *t, const struct catalog *cat, int ind, int ou,
		      struct period p, struct proto_value *v);

#endif
