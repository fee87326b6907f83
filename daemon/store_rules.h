/* store_rules.h: the storage module's catalog rules for an event: pure (no LMDB), so that they
 * can be used and tested without a store. Defined in store_rules.c; the module's other files
 * reach them through store_int.h. */
#ifndef IKI_STORE_RULES_H
#define IKI_STORE_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "proto.h"
#include "store.h"

/* What an event refers to, once checked. */
struct st_resolved {
	uint64_t seq; /* the event's place in the log */
	int32_t date;
	int ou;
	int el; /* element index, or -1 */
	int ct; /* case type index, or -1 */
	char key[STORE_KEY_MAX]; /* the event's key in ids (see st_id_key) */
	size_t key_len;
};

/* Refuse with a sentence of its own (where the code's general one would mislead). Returns code. */
__attribute__((format(printf, 3, 4))) int st_refuse(struct proto_result *res, int code,
						    const char *fmt, ...);

/* Refuse with the code's sentence and a detail: "<sentence> (<detail>)". Returns code. */
__attribute__((format(printf, 3, 4))) int st_fail(struct proto_result *res, int code,
						  const char *fmt, ...);

/* The ids of an event (its own, its ref, its case): "" or the name of the first that is not one. */
const char *st_ids_check(const struct proto_event *ev);

/* The catalog indices an event names: looked up once, here (see struct store_event). */
void st_where_find(const struct catalog *cat, const struct proto_event *ev, struct store_where *at);

/*
 * Check an event, found in the catalog at *at, against it. Returns 0 and fills *r (but for its
 * seq and key), or an error code with *res set.
 */
int st_event_check(const struct catalog *cat, const struct proto_event *ev,
		   const struct store_where *at, struct st_resolved *r, struct proto_result *res);

/*
 * Whether a new event (checked as r) is plausible under the catalog: dated in its budget year
 * (with the ends of a case that reach over it) and within its element's min and max. Not asked of
 * stored events on a rebuild. Returns 0 or a code with *res set.
 */
int st_admit_check(const struct catalog *cat, const struct proto_event *ev,
		   const struct st_resolved *r, struct proto_result *res);

#endif
