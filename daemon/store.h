/* store.h: the durable state of ikid in LMDB: the event log, open cases and derived aggregates. */
#ifndef IKI_STORE_H
#define IKI_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "catalog.h"
#include "period.h"
#include "proto.h"

struct store;
struct store_batch;

/* One indicator value changed by a committed batch, numbered for publishing. */
struct store_change {
	uint64_t seq;
	int indicator; /* catalog index */
	int orgunit;   /* catalog index */
	struct period period;
	int64_t num;
	int64_t den;
};

struct store_options {
	size_t map_size; /* bytes; 0 for the default */
	int no_sync;     /* for benchmarks of the unsafe mode only: commits are not durable */
};

/*
 * Open (creating when needed) the store in directory dir for catalog cat, which must outlive the
 * store. opts may be NULL. Returns 0 and an owned *out, or a negative code (-errno, IKI_ESTORAGE).
 */
int store_open(const char *dir, const struct catalog *cat, const struct store_options *opts,
	       struct store **out);

/* Close the store and null the pointer. Safe on NULL and twice. */
void store_close(struct store **s);

/*
 * Begin a write batch: one LMDB write transaction. Returns 0 and an owned *out, or a negative
 * code. Only one batch may be open at a time.
 */
int store_begin(struct store *s, struct store_batch **out);

/*
 * Validate and apply one event inside the batch. *res gets the event's status: ok, duplicate, or
 * an error code and sentence for the clerk; a rejected event writes nothing. who names the
 * authenticated submitter (kept in the log). Returns 0 when the event was judged (whatever its
 * status), or a negative storage code: then the batch is poisoned and must be aborted.
 */
int store_apply(struct store_batch *b, const struct proto_event *ev, const char *who,
		struct proto_result *res);

/*
 * Fold the batch's derived updates into the aggregates and commit durably. On success returns 0,
 * and *changes (owned, free()) lists every indicator value the batch changed, numbered with
 * consecutive sequence numbers. On failure nothing of the batch is stored. Either way the batch is
 * freed and *b nulled.
 */
int store_commit(struct store_batch **b, struct store_change **changes, size_t *n_changes);

/* Abandon the batch: nothing of it is stored. Safe on NULL. */
void store_abort(struct store_batch **b);

/*
 * Answer a query from one read transaction. On success *out (owned, free()) holds one value per
 * matching indicator, in catalog order. Returns 0, IKI_EINDICATOR, IKI_EORGUNIT, IKI_EPERIOD or a
 * storage code.
 */
int store_query(struct store *s, const struct proto_query *q, struct proto_value **out, size_t *n);

/* Number of events in the log, and the last publish sequence number. */
int store_stats(struct store *s, uint64_t *events, uint64_t *pubseq);

/*
 * Every indicator value the store holds data for, narrowed by the query's optional fields
 * (indicator or jabatan, org unit, period: exact matches), read in one transaction together with
 * the publish sequence number it is consistent with. *out is malloc'd (names left empty, as in
 * updates). Returns 0, IKI_EINDICATOR, IKI_EORGUNIT, IKI_EPERIOD, IKI_ETOOBIG or a storage code.
 */
int store_snapshot(struct store *s, const struct proto_query *q, struct proto_value **out,
		   size_t *n, uint64_t *seq);

/*
 * Recompute every derived value (cases, latest states, sums) from the event log alone, in one
 * transaction: the log is the truth. Events the catalog no longer accepts are skipped and counted
 * in *skipped. Returns 0 or a storage code (nothing changed then).
 */
int store_rebuild(struct store *s, uint64_t *replayed, uint64_t *skipped);

#endif
