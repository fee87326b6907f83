/* store_int.h: the storage module's private parts, shared by its files (daemon/store*.c, listed
 * below); nothing outside them includes it (nor <lmdb.h>). Names shared here begin with st_. */
#ifndef IKI_STORE_INT_H
#define IKI_STORE_INT_H

#include <lmdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "store_rules.h"

/*
 * Databases, all in one environment:
 *   meta    "events" -> u64 count, "pubseq" -> u64 last publish sequence, "schema" -> u32
 *   events  u64 big-endian sequence -> event record (see st_record_build); the truth
 *   ids     event key -> u64 big-endian sequence: the key is the event's id, or when another
 *           event took the id first "<id>\0<org unit>\0<element>" of its cell (see
 *           store_record.c, "event ids")
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
 * Besides the log, locks, targets and notes, each database is derived: store_rebuild recomputes
 * them from the log, store_verify compares them with such a recomputation.
 *
 * The map starts small and doubles when a batch finds it full (the batch is done again in a new
 * transaction), up to a maximum; past that, batches that write are refused with IKI_EFULL.
 *
 * Everything that touches LMDB lives in the storage module, the files store*.c, which share
 * this private header. Each file calls only the files listed before it (and store.h's public
 * functions); the batch reaches the operations it redoes through the pointer each kept one holds
 * (struct st_redo), never by name:
 *   store_lmdb.c    LMDB's codes (st_map_err), environments, the map's growth; transactions
 *                   (begun and ended nowhere else: st_txn_begin, st_txn_commit, st_txn_abort,
 *                   st_read for every read), walks (st_each), growing arrays (st_push)
 *   store_rules.c   whether the catalog accepts an event, pure: no LMDB (store_rules.h)
 *   store_record.c  the event record, keys, big-endian numbers, meta counters, event ids
 *   store_read.c    sums and values; store_query, snapshots and their pages, store_stats
 *   store_batch.c   a write batch: the delta table and its journal, st_write and the redo, commit
 *   store_derive.c  what an event changes: a flow's sums, states, cases, a correction's undoing
 *   store_apply.c   store_resolve, store_apply_event (ids, corrections, locks); replay, rebuild
 *   store_admin.c   locks, targets, notes; the histories of an id and of a value
 *   store.c         store_open (the databases, the schema, the map), store_close
 *   store_check.c   store_verify, store_backup
 */
#define STORE_SCHEMA 4 /* 2: voided, states, locks; case records name their events. 3: stocks
			 * carry forward within their budget year (the latest values are rebuilt).
			 * 4: cases are kept per org unit (the case records are rebuilt) */
#define ST_KEY_MAX STORE_KEY_MAX
#define ST_CASE_OPEN INT32_MIN
#define ST_N_KINDS 3

enum { ST_DB_META, ST_DB_EVENTS, ST_DB_IDS, ST_DB_CASES, ST_DB_LATEST, ST_DB_AGG, ST_DB_VOIDED,
       ST_DB_STATES, ST_DB_LOCKS, ST_DB_TARGETS, ST_DB_NOTES, ST_DB_COUNT };

struct store {
	MDB_env *env;
	MDB_dbi dbi[ST_DB_COUNT];
	const struct catalog *cat;
	struct store_batch *open_batch;
	bool upgrade; /* an older schema: derived values are rebuilt on open */
	bool read_only;
	bool no_notes; /* read only, and the store has no notes database yet: none to read */
	size_t map_size, map_max; /* the map now, and the most it may grow to */
	pthread_rwlock_t grow;    /* reads of other threads (read), growing the map (write) */
	bool grow_init;
	struct st_delta *spare_slots; /* the last batch's delta table, for the next (not calloc'd */
	size_t spare_cap;             /* and grown again for each batch), */
	uint32_t spare_gen;           /* and its generation */
};

/* A derived-update slot: the sum of deltas for one (quantity, org unit, period) in a batch. */
struct st_delta {
	int q, ou;
	struct period p;
	int64_t d;
	uint32_t gen; /* the table's generation when it was made; of an older one: a free slot */
	int64_t base; /* the stored sum when the slot was made: base + d stays in the bound */
};

/* A delta applied while an event may still be undone (a replacement's parts, see st_derive). */
struct st_undo {
	int q, ou;
	struct period p;
	int64_t d;
};

/*
 * An operation of a batch that writes, kept to be done again, in order, once the map grew (see
 * st_write, the one way a batch writes). op does it, in the file that owns it (store_apply.c,
 * store_admin.c), so that the batch reaches it without naming it: the first time with out, the
 * caller's answer, again with out NULL. op returns 0 when it wrote, 1 when it had nothing to
 * write (nothing is kept), else a code (b->err is the storage one).
 */
struct st_redo {
	int (*op)(struct store_batch *b, const struct st_redo *r, void *out);
	const char *who; /* who asked: borrowed until kept, then the batch's copy */
	union {
		struct {
			struct proto_event ev;             /* an event, as given */
			const struct store_viewer *viewer; /* as it was applied (borrowed) */
		};
		struct {
			char period[PERIOD_ID_MAX]; /* a lock or an unlock */
			bool lock;
		};
		struct store_target target; /* a target, as given */
		struct store_note note;     /* a note, as given */
	};
};

struct store_batch {
	struct store *s;
	MDB_txn *txn;
	bool whole_log;        /* rebuild: it replays the whole log; a full map is store_rebuild's */
	uint64_t events_begun; /* events when the transaction began */
	struct st_redo *redo;     /* what the batch did that may have written, in order */
	size_t n_redo, cap_redo;
	struct store_change *extra; /* values to publish though their sums did not change */
	size_t n_extra, cap_extra;
	struct st_undo *journal; /* while journaling: the deltas of the event being derived */
	size_t n_journal, cap_journal;
	bool journaling;
	bool overflow; /* a delta of the event being derived would take a sum past STORE_SUM_MAX */
	int err; /* sticky: the first storage error; later calls do nothing */
	uint64_t events, pubseq;
	uint64_t now_ms; /* when the batch began: the time stored with each of its events */
	struct st_delta *slots;
	size_t cap, used;
	uint32_t gen; /* the slots of this generation are in use (so emptying is a ++, not a memset) */
};

/* A state's latest value in a period: the value set with the latest date inside it. */
struct st_latest {
	int32_t date;
	int64_t value;
};

/* A case: when it was opened and closed, where, and by which events. */
struct st_case {
	int32_t opened;
	int32_t closed; /* ST_CASE_OPEN while open */
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	uint64_t open_seq, close_seq; /* the events that opened and closed it (log sequence) */
};

/* ---- store_lmdb.c: LMDB's codes, environments, the map ---- */

/* The one place LMDB's codes become iki's. */
int st_map_err(int rc);
/* An environment at path (flags as mdb_env_open's; map 0: the size the file records). */
int st_env_open(const char *path, unsigned flags, size_t map, MDB_env **out);
/* A transaction on env, nested in parent (or NULL); a read (flags MDB_RDONLY) maps the new size
 * first when another process grew the map. 0, or a code and *txn NULL. */
int st_txn_begin(MDB_env *env, MDB_txn *parent, unsigned flags, MDB_txn **txn);
/* Commit *txn (0 or a code), or abort it; either way *txn is NULL after (and may be before). */
int st_txn_commit(MDB_txn **txn);
void st_txn_abort(MDB_txn **txn);
/* Every read: fn(txn, s, arg) in a read transaction of s, ended after it. fn's result, or the
 * code of a transaction that did not begin. */
int st_read(const struct store *s, int (*fn)(MDB_txn *txn, const struct store *s, void *arg),
	    void *arg);
/*
 * Walk db in key order from the first key at or after from (NULL: from the first), calling
 * fn(arg, key, value) for each entry until it returns nonzero. Returns 0 at the end, what fn
 * returned when it was not 0 (> 0: it stopped the walk, < 0: an error), or the storage code of a
 * cursor error (never a shorter walk).
 */
int st_each(MDB_txn *txn, MDB_dbi dbi, const MDB_val *from,
	    int (*fn)(void *arg, const MDB_val *k, const MDB_val *v), void *arg);
/* st_each over the whole of database db (ST_DB_*), in a read transaction of its own (st_read). */
int st_read_each(const struct store *s, int db,
		 int (*fn)(void *arg, const MDB_val *k, const MDB_val *v), void *arg);
/* Append elem (size bytes) to arr, of *n used of *cap, doubling it (from first) when full: the
 * array (maybe moved; *n, *cap updated), or NULL when out of memory (arr, *n, *cap unchanged). */
void *st_push(void *arr, size_t *n, size_t *cap, size_t first, const void *elem, size_t size);
/* n rounded up to a whole number of pages. */
size_t st_page_round(size_t n);
/* Double the map, up to its maximum, between transactions: 0, or IKI_EFULL at the maximum. */
int st_env_grow(struct store *s);

/* ---- store_record.c: formats, keys, counters, event ids ---- */

extern const enum period_kind st_kinds[ST_N_KINDS]; /* month, quarter, year */
extern const char *const st_db_names[ST_DB_COUNT];
#define ST_N_DERIVED 5
extern const int st_derived[ST_N_DERIVED]; /* the databases rebuilt from the log */

void st_put_be64(uint8_t *p, uint64_t v);
uint64_t st_get_be64(const uint8_t *p);
/* A meta counter (0 when there is none), and writing one (0 or a code). */
uint64_t st_meta_get(MDB_txn *txn, MDB_dbi dbi, const char *name);
int st_meta_put(MDB_txn *txn, MDB_dbi dbi, const char *name, uint64_t val);

/* "<a>\0<b>\0<c>" into buf; returns the length. Codes are bounded, so ST_KEY_MAX always fits. */
size_t st_key3(char *buf, const char *a, const char *b, const char *c);
/* The key of the case of ev (its case id at its org unit) of this case type in cases. */
size_t st_case_key(char *buf, const char *casetype, const struct proto_event *ev);
/* A key "<a>\0<b>\0<c>" (its first ST_KEY_MAX bytes) copied into buf (ST_KEY_MAX + 1 bytes)
 * and split: a part past its end is "". Returns how many bytes were copied. */
size_t st_key_split(const MDB_val *k, char *buf, const char *part[3]);
/* The key of quantity q at (ou, p) in agg and latest. */
size_t st_agg_key(const struct catalog *cat, int q, int ou, struct period p, char *buf);
/* The states key of (q, ou) at date and seq: "<q>\0<ou>\0" + date + seq (12 bytes). */
size_t st_state_key(const struct catalog *cat, int q, int ou, int32_t date, uint64_t seq,
		    char *buf);

#define ST_RECORD_MAX 2048 /* an event record: content (at most 805 bytes) + time + who (400) */
/* ev's record into buf (ST_RECORD_MAX bytes), stored at ms by who (ref_seq: what a correction
 * corrects); returns its length. */
size_t st_record_build(const struct proto_event *ev, int32_t date, uint64_t ms, const char *who,
		       uint64_t ref_seq, uint8_t *buf);
/* An event read back from its record, with who sent it and when and what a correction corrects
 * (each may be NULL). Returns 0 or IKI_ESTORAGE. */
int st_record_parse_full(const MDB_val *v, struct proto_event *ev, char *who, size_t who_size,
			 uint64_t *ms, uint64_t *ref_seq);
/* Whether a stored record holds the same content as a new one (rec). */
bool st_record_same(const MDB_val *stored, const uint8_t *rec);

/* The record at seq in the log: 0 and *v, IKI_EREF when there is none, or a storage code. */
int st_record_at(MDB_txn *txn, const struct store *s, uint64_t seq, MDB_val *v);
/* Event ids: the stored event at seq (IKI_EREF when none), with what a correction corrects
 * (ref_seq, see st_record_parse_full), who sent it and when (each may be NULL). */
int st_event_at(MDB_txn *txn, const struct store *s, uint64_t seq, struct proto_event *ev,
		uint64_t *ref_seq, char *who, size_t who_size, uint64_t *ms);
/* The place in the log of the event indexed under key (len bytes) in ids; IKI_EREF when none. */
int st_id_seq(MDB_txn *txn, const struct store *s, const char *key, size_t len, uint64_t *seq);
/* The place of the event a correction ev (stored with ref_seq) corrects; IKI_EREF when none. */
int st_ref_target(MDB_txn *txn, const struct store *s, const struct proto_event *ev,
		  uint64_t ref_seq, uint64_t *seq);
/* The event whose org unit and element are ev's cell: ev, or (into *buf) the one a void voids. */
int st_event_cell(MDB_txn *txn, const struct store *s, const struct proto_event *ev,
		  uint64_t ref_seq, struct proto_event *buf, const struct proto_event **cell);
/* The key of an event with this id in cell: the id itself when plain, else the cell's. */
size_t st_id_key(char *buf, const char *id, const struct proto_event *cell, bool plain);
/* The key (into buf, ST_KEY_MAX bytes; *len) the event ev stored at seq is indexed under in ids. */
int st_id_key_of(MDB_txn *txn, const struct store *s, const struct proto_event *ev, uint64_t seq,
		 uint64_t ref_seq, char *buf, size_t *len);
/* Call fn for each event with this id (its key in ids, its place), the plain key's first, until
 * fn returns nonzero (returned: > 0 stops, < 0 is an error). For a viewer v (NULL: everything)
 * known to reach one org unit only, only the plain key and that org unit's keys: fn still asks
 * v whether it reaches the plain key's event. */
int st_id_each(MDB_txn *txn, const struct store *s, const char *id, const struct store_viewer *v,
	       int (*fn)(void *arg, const MDB_val *key, uint64_t seq), void *arg);
/* Whether viewer v reaches the stored event ev (stored with ref_seq), by its cell: 1, 0, or a
 * storage code. */
int st_event_reached(MDB_txn *txn, const struct store *s, const struct store_viewer *v,
		     const struct proto_event *ev, uint64_t ref_seq);

/* ---- store_read.c: sums and values ---- */

/* The stored sum of quantity q at (ou, p), a stored (not cumulative) period; 0 when none. */
int64_t st_sum_read(MDB_txn *txn, MDB_dbi dbi, const struct catalog *cat, int q, int ou,
		    struct period p);
/* num and den of indicator i at (ou, p). */
void st_value_read(MDB_txn *txn, MDB_dbi dbi, const struct catalog *cat, int i, int ou,
		   struct period p, int64_t *num, int64_t *den);
/* The same, each stored sum (q at ou, p: a stored period) asked of sum(arg, ...). */
typedef int64_t (*st_sum_fn)(void *arg, int q, int ou, struct period p);
void st_value_sum(st_sum_fn sum, void *arg, const struct catalog *cat, int i, int ou,
		  struct period p, int64_t *num, int64_t *den);
/* Whether indicator ind at (ou, p) has data (a num or den that is not 0). */
bool st_value_has_data(MDB_txn *txn, const struct store *s, int ind, int ou, struct period p);
/* The order of changes: (indicator, org unit, period); qsort's comparison. */
int st_change_cmp(const void *pa, const void *pb);
/* Sort changes in that order and keep each once; returns how many are left. */
size_t st_changes_unique(struct store_change *ch, size_t m);
/* A query's codes (each optional), checked: 0, or the code of the first that names nothing
 * (IKI_EPERIOD, IKI_EORGUNIT, IKI_EINDICATOR). */
int st_query_check(const struct catalog *cat, const struct proto_query *q);

/* ---- store_batch.c: deltas, redo, commit ---- */

/* Add d to quantity q at (ou, p) and at every ancestor of ou (b->overflow when a sum would
 * leave its bound: nothing is added); and for the month, quarter and year of date. */
void st_delta_add(struct store_batch *b, int q, int ou, struct period p, int64_t d);
void st_delta_add_date(struct store_batch *b, int q, int ou, int32_t date, int64_t d);
/* Journal the deltas of one event, so that st_journal_undo can take them back (and ends it). */
void st_journal_start(struct store_batch *b);
void st_journal_undo(struct store_batch *b);
/* Do r's operation, growing the map and redoing the batch while it is full; keep r when it wrote.
 * Returns what r->op returned, or the batch's storage error. */
int st_write(struct store_batch *b, const struct st_redo *r, void *out);
/* Add each slot's delta to its stored sum. Returns how many indicator values may have changed. */
size_t st_fold(struct store_batch *b);

/* ---- store_derive.c, store_apply.c: an event's effect, the log replayed ---- */

/* Derive what one event (resolved as r; a correction's target orig as ro) changes. Returns 0, a
 * case code or IKI_EOVERFLOW (nothing of the event stays), or a storage code. */
int st_derive(struct store_batch *b, const struct proto_event *ev, const struct st_resolved *r,
	      const struct proto_event *orig, const struct st_resolved *ro);
/* Replay the whole log into a batch whose derived databases were emptied. */
int st_replay(struct store_batch *b, uint64_t *replayed, uint64_t *skipped);

/* ---- store.c ---- */

/* Open every database of s: made when missing, unless read only (no meta then: -ENOENT). */
int st_open_dbs(struct store *s);

#endif
