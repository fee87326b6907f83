/* store.h: the durable state of ikid in LMDB: the event log, open cases and derived aggregates. */
#ifndef IKI_STORE_H
#define IKI_STORE_H

#include <stdbool.h>
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

/*
 * The bounds of numbers: one event's value is 0 ... STORE_VALUE_MAX (10^15); every stored sum (a
 * quantity at an org unit for a month, quarter or year) stays within STORE_SUM_MAX (10^18), so
 * that an indicator's side, at most CATALOG_TERMS_MAX (8) sums, stays below 2^63. An event whose
 * effect would take any sum past the bound is refused whole with IKI_EOVERFLOW.
 */
#define STORE_VALUE_MAX 1000000000000000LL
#define STORE_SUM_MAX 1000000000000000000LL

/*
 * Ids (an event's id, the ref of a correction, a case id) are printable ASCII from one set:
 * letters, digits and the punctuation of STORE_ID_PUNCT; anything else (a space, a control
 * character, UTF-8) is refused with IKI_EFIELD naming the field, so that an id printed in a log,
 * a terminal or a file name is what it looks like. Free text (comments) may hold any valid UTF-8.
 */
#define STORE_ID_PUNCT "-_.:/@+#~="
#define STORE_ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" STORE_ID_PUNCT

#define STORE_MAP_INITIAL ((size_t)64 << 20) /* the map of a new store: 64 MiB ... */
#define STORE_MAP_MAX ((size_t)64 << 30)     /* ... doubled whenever full, up to 64 GiB */

struct store_options {
	size_t map_size; /* initial map size in bytes; 0 for STORE_MAP_INITIAL */
	size_t map_max;  /* the map grows up to this; 0 for STORE_MAP_MAX */
	int no_sync;     /* for benchmarks of the unsafe mode only: commits are not durable */
	int read_only;   /* an existing store, only read (verify), beside a running ikid */
};

/*
 * Open (creating when needed, unless read only) the store in directory dir for catalog cat, which
 * must outlive the store. opts may be NULL. Batches are the writer's, from one thread; the read
 * functions may be called from other threads too, each between store_read_enter and
 * store_read_leave (the map does not grow meanwhile). Returns 0 and an
 * owned *out, or a negative code (-errno, -ENOENT when read only and there is no store,
 * IKI_ESTORAGE).
 */
int store_open(const char *dir, const struct catalog *cat, const struct store_options *opts,
	       struct store **out);

/* Around reads from a thread other than the writer's: the map grows only between them. */
void store_read_enter(struct store *s);
void store_read_leave(struct store *s);

/* Close the store and null the pointer. Safe on NULL and twice. */
void store_close(struct store **s);

/* The size of the map now, and the most it may grow to (bytes). */
void store_map_size(const struct store *s, size_t *size, size_t *max);

/*
 * The size of the map now and the bytes of it in use (the last page the last commit wrote, and
 * those below it), from LMDB (store.c). Only from the writer's thread (between batches):
 * the map does not grow meanwhile.
 */
void store_map_use(struct store *s, size_t *size, size_t *used);

/*
 * Begin a write batch: one LMDB write transaction. Returns 0 and an owned *out, or a negative
 * code. Only one batch may be open at a time.
 *
 * A full map grows: store_apply and store_commit then drop the transaction, double the map (up to
 * its maximum) and redo the batch's events in a new one, with the same outcome for each. At the
 * maximum they return IKI_EFULL and the batch must be aborted: nothing of it is stored, and the
 * store goes on answering queries (and batches that write nothing new, such as resent events).
 */
int store_begin(struct store *s, struct store_batch **out);

#define STORE_KEY_MAX 256 /* a key in the store's databases */

/* Where an event is in the catalog: indices of its org unit and of its element or case type. */
struct store_where {
	int ou, el, ct; /* -1 when unknown (or absent: a void's own fields) */
};

/*
 * Who asks, as far as the store must know: whether the asker reaches a stored event whose cell
 * (its org unit and element or case type; a void's are those of the event it voids) is at *at
 * (catalog indices). Authz decides (see server.c). A stored event the asker does not reach is as
 * if it did not exist: its id is free for the asker (a new event with that id is kept beside it),
 * a correction cannot name it (unknown_ref), a history does not show it. A NULL viewer (or a NULL
 * reaches) reaches everything: the scheduler, tests, replay.
 */
struct store_viewer {
	bool (*reaches)(const void *arg, const struct store_where *at);
	const void *arg;
	bool one_ou; /* it reaches no event outside org unit ou (a clerk's village), so a look-up */
	int ou;      /* of an id walks only that org unit's keys (zeroed: not known) */
};

/*
 * An event resolved once, inside a batch, before it is authorised and applied: the catalog
 * indices it names and, for a correction, the stored event its ref names among those the
 * viewer reaches (when several do, the one at the correction's own org unit and element, if it
 * names them; else none, and ambiguous is set).
 */
struct store_event {
	const struct proto_event *ev; /* borrowed */
	const struct store_viewer *viewer; /* borrowed; NULL: reaches everything */
	struct store_where at;
	bool has_orig;                /* ev->ref names a stored event: */
	bool ambiguous;               /* ev->ref names several the viewer reaches */
	struct proto_event orig;
	uint64_t orig_seq;
	struct store_where orig_at;
	char orig_key[STORE_KEY_MAX]; /* its key in the store's ids */
	size_t orig_key_len;
};

/*
 * Resolve ev (borrowed: it must outlive *e) inside the batch, for viewer v (borrowed, NULL:
 * everything is in reach; it must outlive the batch). Returns 0 (an unknown code or ref is not
 * an error here: applying it says so), or a storage code (the batch is poisoned).
 */
int store_resolve(struct store_batch *b, const struct proto_event *ev, const struct store_viewer *v,
		  struct store_event *e);

/*
 * Validate and apply one resolved event inside the batch. *res gets the event's status: ok,
 * duplicate, or an error code and sentence for the clerk; a rejected event writes nothing. who
 * names the authenticated submitter (kept in the log). Returns 0 when the event was judged
 * (whatever its status), or a negative storage code: then the batch is poisoned and must be
 * aborted.
 */
int store_apply_event(struct store_batch *b, const struct store_event *e, const char *who,
		      struct proto_result *res);

/* store_resolve and store_apply_event in one (no one to authorise: the scheduler, tests). */
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

/*
 * Clear the reader slots of processes that died while reading (a --backup or --verify killed
 * mid-read): until they are cleared, LMDB keeps every page they could see, and the file grows
 * with each commit. *dead gets how many were cleared. Returns 0 or a storage code.
 */
int store_readers_check(struct store *s, int *dead);

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
 * A page of a long answer: after is the cursor the previous page ended at ("" or NULL: from the
 * start), limit the most entries to give (0: as many as the answer allows); next gets the cursor
 * to ask for after this page, "" when it is the last. Cursors are opaque to clients (their form:
 * PROTOCOL.md, "Pages").
 */
struct store_page {
	const char *after;
	size_t limit;
	char next[PROTO_CURSOR_MAX + 1];
};

/*
 * store_snapshot, one page of it: the values after page->after in (indicator, org unit, period)
 * order, at most page->limit of them. Each page is read in its own transaction, at its own *seq.
 * Returns as store_snapshot, or IKI_EFIELD for a cursor that names no value of the catalog.
 */
int store_snapshot_page(struct store *s, const struct proto_query *q, struct store_page *page,
			struct proto_value **out, size_t *n, uint64_t *seq);

/*
 * Recompute every derived value (cases, latest states, sums) from the event log alone, in one
 * transaction: the log is the truth. Events the catalog no longer accepts are skipped and counted
 * in *skipped. Returns 0 or a storage code (nothing changed then).
 */
int store_rebuild(struct store *s, uint64_t *replayed, uint64_t *skipped);

#define STORE_REPORT_SHOWN 8

/* One derived value that differs from its recomputation, in words. */
struct store_mismatch {
	const char *what;  /* "sum", "state", "case", "id" (the id index) or "count" (a counter) */
	char name[PROTO_CODE_MAX + PROTO_ID_MAX + 16]; /* quantity ("surat_masuk", "akta.ontime"),
							* "<case type> <case id>", event id, counter */
	char indicator[PROTO_CODE_MAX + 1]; /* an indicator the quantity feeds, or "" */
	char orgunit[PROTO_ORGUNIT_MAX + 1]; /* "" when not tied to one */
	char period[PROTO_PERIOD_MAX + 1];   /* "" when not tied to one */
	char stored[48], recomputed[48];     /* "12", "absent", "1 (2022-03-20)", ... */
};

/* What store_verify found. */
struct store_report {
	uint64_t events;     /* events of the log read */
	uint64_t skipped;    /* of those, the ones the catalog no longer accepts */
	uint64_t compared;   /* derived values and index entries compared */
	uint64_t mismatches; /* how many differ */
	size_t n_shown;      /* the first of them: */
	struct store_mismatch shown[STORE_REPORT_SHOWN];
};

/*
 * Recompute every derived value from the event log alone, as store_rebuild does, and compare it
 * with what is stored; check that the id index and the event counter match the log. Changes
 * nothing: it reads one consistent snapshot (a running ikid may go on writing) and recomputes into
 * a scratch LMDB environment whose transaction is never committed (an unlinked file in $TMPDIR or
 * /tmp, which LMDB writes to only when the recomputation outgrows memory). Fills *rep; returns 0
 * (whatever it found) or a storage code.
 */
int store_verify(struct store *s, struct store_report *rep);

/*
 * Hot backup: copy the store in directory dir, read only and beside a running ikid, into
 * dest/data.mdb (dest is made when missing): one consistent snapshot, compacted, written to a
 * temporary name, synced, then renamed. *events gets the number of events in the copy. Returns 0,
 * -EEXIST when dest already holds a database, -ENOENT when dir holds none, or a negative code.
 */
int store_backup(const char *dir, const char *dest, uint64_t *events);

/*
 * Lock a period (a month, a quarter, the year: events dated inside it are refused with
 * IKI_ELOCKED, corrections included) or unlock it, inside a batch. who is kept with the lock.
 * Returns 0, 1 when it already was so, IKI_EPERIOD, or a storage code.
 */
int store_lock(struct store_batch *b, const char *period, bool lock, const char *who);

/* Every locked period, in period-id order: *out malloc'd. Returns 0 or a storage code. */
int store_locks(struct store *s, struct proto_lock **out, size_t *n);

/* A target an admin set for an indicator at an org unit for a year or a quarter. */
struct store_target {
	int ind, ou;       /* catalog indices */
	struct period p;   /* a year or a quarter */
	int64_t target;    /* hundredths of a percent */
	int64_t original;  /* the first target of the period (the catalog's, or the first set) */
	uint64_t at_ms;    /* when it was set */
	char who[64];
};

/*
 * Set a target inside a batch; t->original is the caller's guess (the catalog's target, or
 * t->target) and is replaced by the first one stored when there is one; t->at_ms is filled. The
 * values it decides (the period's, its quarters' and months') are listed among the batch's
 * changes, to be published. Returns 0 or a storage code.
 */
int store_target_put(struct store_batch *b, struct store_target *t);

/* Every target set, in key order: *out malloc'd. Returns 0 or a storage code. */
int store_targets(struct store *s, struct store_target **out, size_t *n);

/* A note an admin writes on an indicator's value at an org unit for a period (any kind). */
struct store_note {
	int ind, ou;     /* catalog indices */
	struct period p;
	char text[PROTO_COMMENT_MAX + 1]; /* "" clears it */
	char who[64];
	uint64_t at_ms;  /* filled when written */
};

/* Write a note inside a batch, as its next version (the earlier ones are kept). 0 or a code. */
int store_note_put(struct store_batch *b, struct store_note *n);

/*
 * The notes q names (each field optional: "" is any; the org unit "" is any too), the last
 * version of each that is not cleared, in key order; with history, every version of the one note
 * q names (indicator, org unit or the root, period), newest first, cleared ones included. *out
 * malloc'd (at most PROTO_VALUES_MAX). Inside store_read_enter. Returns 0, IKI_EPERIOD,
 * IKI_EORGUNIT or IKI_EINDICATOR for a code q names that is not one, or a storage code.
 */
int store_notes(struct store *s, const struct proto_query *q, bool history,
		struct proto_note **out, size_t *n);

#define STORE_HISTORY_MAX 64

/*
 * The history of the events with this id the viewer v reaches (NULL: every one): for each, the
 * first event of its correction chain, then each event that voided or replaced the one before;
 * a chain holding an event out of v's reach is left out whole. At most STORE_HISTORY_MAX events
 * in all. *out malloc'd. Returns 0, -ENOENT when none is left (an unknown id), or a storage code.
 */
int store_history(struct store *s, const char *id, const struct store_viewer *v,
		  struct proto_stored **out, size_t *n);

/*
 * The history of a value: every event of the log that counts (or counted) in indicator ind at
 * org unit ou (or under it) in period p, and the voids of them, in log order; at most
 * PROTO_EVENTS_MAX (*more set when there were more). A close counts by its own date here.
 * Returns 0 or a storage code.
 */
int store_history_value(struct store *s, int ind, int ou, struct period p,
			struct proto_stored **out, size_t *n, bool *more);

/*
 * store_history_value, one page of it: the events after page->after in log order, at most
 * page->limit (at most PROTO_EVENTS_MAX; 0: PROTO_EVENTS_MAX), of those the viewer v reaches
 * (NULL: all). A void is in when the event it voids is. Returns 0, IKI_EFIELD for a cursor that
 * is not one, or a storage code.
 */
int store_history_page(struct store *s, int ind, int ou, struct period p,
		       const struct store_viewer *v, struct store_page *page,
		       struct proto_stored **out, size_t *n);

#endif
