/* store_int.h: the storage module's private parts, shared by store.c, store_admin.c and
 * store_check.c; nothing outside them includes it (nor <lmdb.h>). */
#ifndef IKI_STORE_INT_H
#define IKI_STORE_INT_H

#include <lmdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/*
 * Databases, all in one environment:
 *   meta    "events" -> u64 count, "pubseq" -> u64 last publish sequence, "schema" -> u32
 *   events  u64 big-endian sequence -> event record (see record_build); the truth
 *   ids     event key -> u64 big-endian sequence: the key is the event's id, or when another
 *           event took the id first "<id>\0<org unit>\0<element>" of its cell (see store.c,
 *           "event ids")
 *   cases   "<case type>\0<case id>\0<org unit>" -> case record (open date, close date, org
 *           unit): a case id is one case at its org unit (another village may use it too)
 *   latest  "<quantity>\0<orgunit>\0<period>" -> latest state value set inside that period
 *   agg     "<quantity>\0<orgunit>\0<period>" -> i64 sum over the org unit's subtree
 *   voided  event key -> the key of the event that voided or replaced it
 *   states  "<quantity>\0<orgunit>\0" + u32 date + u64 sequence -> i64: every state set, so
 *           that a voided one can give way to the one before it
 *   locks   period id -> lock record (u64 milliseconds, who)
 *   targets "<indicator>\0<orgunit>\0<period>" -> target record (i64 target, i64 original,
 *           u64 milliseconds, who): the targets an admin set, over the catalog's
 *   notes   "<indicator>\0<orgunit>\0<period>\0" + u32 big-endian version -> note record (u64
 *           milliseconds, u8 length of who, who, the text): every version an admin wrote of
 *           the analysis of a value, the last one standing ("" clears it)
 * Keys name catalog codes, not indices, so that a reordered catalog reads the same data.
 * Besides the log, locks, targets and notes, each database is derived: store_rebuild recomputes them from the
 * log, store_verify compares them with such a recomputation.
 *
 * The map starts small and doubles when a batch finds it full (the batch is done again in a new
 * transaction), up to a maximum; past that, batches that write are refused with IKI_EFULL.
 *
 * Everything that touches LMDB lives in the storage module, the files store*.c, which share
 * this private header: store.c (opening, batches, events, corrections, reading, rebuild),
 * store_admin.c (locks, targets, history), store_check.c (verify, backup).
 */
#define STORE_SCHEMA 4 /* 2: voided, states, locks; case records name their events. 3: stocks
			 * carry forward within their budget year (the latest values are rebuilt).
			 * 4: cases are kept per org unit (the case records are rebuilt) */
#define KEY_MAX STORE_KEY_MAX
#define CASE_OPEN_ONLY INT32_MIN
#define N_KINDS 3

extern const enum period_kind kinds[N_KINDS]; /* month, quarter, year */

enum { DB_META, DB_EVENTS, DB_IDS, DB_CASES, DB_LATEST, DB_AGG, DB_VOIDED, DB_STATES, DB_LOCKS,
       DB_TARGETS, DB_NOTES, DB_COUNT };

struct store {
	MDB_env *env;
	MDB_dbi dbi[DB_COUNT];
	const struct catalog *cat;
	struct store_batch *open_batch;
	bool upgrade; /* an older schema: derived values are rebuilt on open */
	bool read_only;
	bool no_notes; /* read only, and the store has no notes database yet: none to read */
	size_t map_size, map_max; /* the map now, and the most it may grow to */
	pthread_rwlock_t grow;    /* reads of other threads (read), growing the map (write) */
	bool grow_init;
};

/* A derived-update slot: the sum of deltas for one (quantity, org unit, period) in a batch. */
struct delta {
	int q, ou;
	struct period p;
	int64_t d;
	bool used;
	int64_t base; /* the stored sum when the slot was made: base + d stays in the bound */
};

/* A delta applied while an event may still be undone (a replacement's parts, see derive). */
struct undo {
	int q, ou;
	struct period p;
	int64_t d;
};

/*
 * An operation of a batch that may have written: done again, in order, once the map grew. Every
 * public function that writes inside a batch keeps one (see batch_regrow).
 */
enum redo_op { REDO_APPLY, REDO_LOCK, REDO_TARGET, REDO_NOTE };
struct redo;
/* Write a note kept in a redo again (store_admin.c). */
void note_redo(struct store_batch *b, const struct redo *r);

struct redo {
	enum redo_op op;
	struct proto_event ev;     /* apply; a note: its indicator (element), org unit, text
				    * (comment) and period (period) */
	char period[PERIOD_ID_MAX]; /* lock, note */
	bool lock;
	struct store_target target; /* target, as given */
	char *who;                  /* owned */
	const struct store_viewer *viewer; /* apply: as it was applied (borrowed) */
};

struct store_batch {
	struct store *s;
	MDB_txn *txn;
	bool whole_log;        /* rebuild: it replays the whole log; a full map is store_rebuild's */
	uint64_t events_begun; /* events when the transaction began */
	struct redo *redo;     /* what the batch did that may have written, in order */
	size_t n_redo, cap_redo;
	struct store_change *extra; /* values to publish though their sums did not change */
	size_t n_extra, cap_extra;
	struct undo *journal; /* while journaling: the deltas of the event being derived */
	size_t n_journal, cap_journal;
	bool journaling;
	bool overflow; /* a delta of the event being derived would take a sum past STORE_SUM_MAX */
	int err; /* sticky: the first storage error; later calls do nothing */
	uint64_t events, pubseq;
	uint64_t now_ms; /* when the batch began: the time stored with each of its events */
	struct delta *slots;
	size_t cap, used;
};

/* A state's latest value in a period: the value set with the latest date inside it. */
struct latest {
	int32_t date;
	int64_t value;
};

/* A case: when it was opened and closed, where, and by which events. */
struct case_rec {
	int32_t opened;
	int32_t closed; /* CASE_OPEN_ONLY while open */
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	uint64_t open_seq, close_seq; /* the events that opened and closed it (log sequence) */
};

/* Shared by the storage module's files (defined in store.c). */
int map_err(int rc);
void put_be64(uint8_t *p, uint64_t v);
uint64_t get_be64(const uint8_t *p);
extern const char *const db_names[DB_COUNT];
#define N_DERIVED 5
extern const int derived[N_DERIVED]; /* the databases rebuilt from the log */
int batch_regrow(struct store_batch *b);
/* Whether indicator ind at (ou, p) has data (a num or den that is not 0). */
bool value_has_data(MDB_txn *txn, const struct store *s, int ind, int ou, struct period p);
int env_open(const char *path, unsigned flags, size_t map, MDB_env **out);

/* Event ids (store.c): the stored event at seq (IKI_EREF when none), with what a correction
 * corrects (ref_seq, see record_parse_full), who sent it and when (each may be NULL). */
int event_at(MDB_txn *txn, const struct store *s, uint64_t seq, struct proto_event *ev,
	     uint64_t *ref_seq, char *who, size_t who_size, uint64_t *ms);
/* The place in the log of the event indexed under key (len bytes) in ids; IKI_EREF when none. */
int id_seq(MDB_txn *txn, const struct store *s, const char *key, size_t len, uint64_t *seq);
/* The place of the event a correction ev (stored with ref_seq) corrects; IKI_EREF when none. */
int ref_target(MDB_txn *txn, const struct store *s, const struct proto_event *ev,
	       uint64_t ref_seq, uint64_t *seq);
/* The key (into buf, KEY_MAX bytes; *len) the event ev stored at seq is indexed under in ids. */
int id_key_of(MDB_txn *txn, const struct store *s, const struct proto_event *ev, uint64_t seq,
	      uint64_t ref_seq, char *buf, size_t *len);
/* Call fn for each event with this id (its key in ids, its place), the plain key's first, until
 * fn returns nonzero (returned: > 0 stops, < 0 is an error). */
int id_each(MDB_txn *txn, const struct store *s, const char *id,
	    int (*fn)(void *arg, const MDB_val *key, uint64_t seq), void *arg);
/* Whether viewer v reaches the stored event ev (stored with ref_seq), by its cell: 1, 0, or a
 * storage code. */
int event_reached(MDB_txn *txn, const struct store *s, const struct store_viewer *v,
		  const struct proto_event *ev, uint64_t ref_seq);
size_t fold(struct store_batch *b);
size_t key3(char *buf, const char *a, const char *b, const char *c);
/* The key of the case of ev (its case id at its org unit) of this case type in cases. */
size_t case_key(char *buf, const char *casetype, const struct proto_event *ev);
uint64_t meta_get(MDB_txn *txn, MDB_dbi dbi, const char *name);
int open_dbs(struct store *s);
int read_begin(MDB_env *env, MDB_txn **txn);

/* A query's codes (each optional), checked: 0, or the code of the first that names nothing
 * (IKI_EPERIOD, IKI_EORGUNIT, IKI_EINDICATOR). */
int query_check(const struct catalog *cat, const struct proto_query *q);
int record_parse(const MDB_val *v, struct proto_event *ev);
int redo_keep(struct store_batch *b, const struct redo *r, const char *who);
int replay(struct store_batch *b, uint64_t *replayed, uint64_t *skipped);
int record_parse_full(const MDB_val *v, struct proto_event *ev, char *who, size_t who_size,
		      uint64_t *ms, uint64_t *ref_seq);

/* Defined in store_admin.c: a lock and a target, without regrowing the map. */
int lock_one(struct store_batch *b, const char *period, bool lock, const char *who);
int target_one(struct store_batch *b, struct store_target *t);

#endif
