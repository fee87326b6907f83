/* store.c: LMDB storage of the event log, cases and aggregates; applies batches of events. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "iki.h"
#include "lakip.h"
#include "store_int.h"

const enum period_kind kinds[N_KINDS] = {PERIOD_MONTH, PERIOD_QUARTER, PERIOD_YEAR};
const char *const db_names[DB_COUNT] = {"meta",   "events", "ids",   "cases",  "latest",
					       "agg",    "voided", "states", "locks", "targets",
					       "notes"};

/* The one place LMDB's codes become iki's. */
int map_err(int rc)
{
	switch (rc) {
	case MDB_SUCCESS: return 0;
	case MDB_MAP_FULL: return IKI_EFULL;
	case ENOMEM: return -ENOMEM;
	case EACCES: return -EACCES;
	case ENOENT: return -ENOENT;
	default: return IKI_ESTORAGE;
	}
}

void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* ---- meta counters ---- */

uint64_t meta_get(MDB_txn *txn, MDB_dbi dbi, const char *name)
{
	MDB_val k = {strlen(name), (void *)name}, v;
	if (mdb_get(txn, dbi, &k, &v) != 0 || v.mv_size != 8)
		return 0;
	return get_be64(v.mv_data);
}

static int meta_put(MDB_txn *txn, MDB_dbi dbi, const char *name, uint64_t val)
{
	uint8_t buf[8];
	put_be64(buf, val);
	MDB_val k = {strlen(name), (void *)name}, v = {8, buf};
	return map_err(mdb_put(txn, dbi, &k, &v, 0));
}

/* ---- open and close ---- */

/* An environment at path (flags as mdb_env_open's; map 0: the size the file records). */
int env_open(const char *path, unsigned flags, size_t map, MDB_env **out)
{
	MDB_env *env;
	int rc = mdb_env_create(&env);
	if (rc != 0)
		return map_err(rc);
	rc = mdb_env_set_maxdbs(env, DB_COUNT);
	if (rc == 0 && map)
		rc = mdb_env_set_mapsize(env, map);
	if (rc == 0)
		rc = mdb_env_open(env, path, flags, 0640);
	if (rc != 0) {
		mdb_env_close(env);
		return map_err(rc);
	}
	*out = env;
	return 0;
}

/*
 * A read transaction (LMDB's code). When ikid grew the map since this process mapped it (verify,
 * backup), map the new size and begin again.
 */
int read_begin(MDB_env *env, MDB_txn **txn)
{
	int rc = mdb_txn_begin(env, NULL, MDB_RDONLY, txn);
	if (rc == MDB_MAP_RESIZED && (rc = mdb_env_set_mapsize(env, 0)) == 0)
		rc = mdb_txn_begin(env, NULL, MDB_RDONLY, txn);
	return rc;
}

/* Open every database: made when missing, unless read only (no meta then: no store here). */
int open_dbs(struct store *s)
{
	MDB_txn *txn;
	int rc = s->read_only ? read_begin(s->env, &txn) : mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc != 0)
		return map_err(rc);
	int i = 0;
	for (; rc == 0 && i < DB_COUNT; i++) {
		rc = mdb_dbi_open(txn, db_names[i], s->read_only ? 0 : MDB_CREATE, &s->dbi[i]);
		if (rc == MDB_NOTFOUND && i == DB_NOTES) { /* read only, a store older than notes */
			s->no_notes = true;
			rc = 0;
		}
	}
	uint64_t schema = rc == 0 ? meta_get(txn, s->dbi[DB_META], "schema") : 0;
	s->upgrade = schema != 0 && schema < STORE_SCHEMA;
	if (rc == 0 && !s->read_only && schema != STORE_SCHEMA)
		rc = meta_put(txn, s->dbi[DB_META], "schema", STORE_SCHEMA) < 0 ? MDB_PANIC : 0;
	if (rc == 0)
		return map_err(mdb_txn_commit(txn));
	mdb_txn_abort(txn);
	return rc == MDB_NOTFOUND && i == 1 ? -ENOENT : map_err(rc);
}

/* Round up to a whole number of pages. */
static size_t page_round(size_t n)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t p = page > 0 ? (size_t)page : 4096;
	return (n + p - 1) / p * p;
}

/* Note the map's actual size (at least what the file holds); drop what killed readers left. */
static void map_note(struct store *s)
{
	MDB_envinfo info;
	int dead;
	mdb_env_info(s->env, &info);
	s->map_size = info.me_mapsize;
	if (s->map_max < s->map_size)
		s->map_max = s->map_size;
	if (!s->read_only)
		mdb_reader_check(s->env, &dead); /* a verify or backup killed mid-read */
}

int store_open(const char *dir, const struct catalog *cat, const struct store_options *opts,
	       struct store **out)
{
	struct store_options o = opts ? *opts : (struct store_options){0};
	struct store *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cat = cat;
	s->read_only = o.read_only;
	s->grow_init = pthread_rwlock_init(&s->grow, NULL) == 0;
	s->map_max = page_round(o.map_max ? o.map_max : STORE_MAP_MAX);
	size_t map = page_round(o.map_size ? o.map_size : STORE_MAP_INITIAL);
	unsigned flags = (o.no_sync ? MDB_NOSYNC : 0) | (o.read_only ? MDB_RDONLY : 0);
	if (!o.read_only && mkdir(dir, 0750) < 0 && errno != EEXIST) {
		int e = -errno;
		store_close(&s);
		return e;
	}
	/* Read only, the map is the size the writer recorded, and follows it when it grows. */
	int rc = env_open(dir, flags, o.read_only ? 0 : map < s->map_max ? map : s->map_max, &s->env);
	if (rc == 0)
		rc = open_dbs(s);
	if (rc == 0)
		map_note(s);
	uint64_t replayed, skipped;
	if (rc == 0 && s->upgrade && !s->read_only) /* the new schema's derived databases */
		rc = store_rebuild(s, &replayed, &skipped);
	if (rc < 0) {
		store_close(&s);
		return rc;
	}
	*out = s;
	return 0;
}

void store_read_enter(struct store *s)
{
	if (s->grow_init)
		pthread_rwlock_rdlock(&s->grow);
}

void store_read_leave(struct store *s)
{
	if (s->grow_init)
		pthread_rwlock_unlock(&s->grow);
}

void store_map_size(const struct store *s, size_t *size, size_t *max)
{
	*size = s->map_size;
	*max = s->map_max;
}

/*
 * Double the map, up to its maximum. Only between transactions (LMDB's rule): the batch that
 * found the map full has dropped its own, and the store is used from one thread. Returns 0, or
 * IKI_EFULL at the maximum.
 */
static int env_grow(struct store *s)
{
	if (s->map_size >= s->map_max)
		return IKI_EFULL;
	size_t next = s->map_size > s->map_max / 2 ? s->map_max : page_round(s->map_size * 2);
	if (s->grow_init) /* no read transaction of this process may be open meanwhile */
		pthread_rwlock_wrlock(&s->grow);
	int rc = mdb_env_set_mapsize(s->env, next);
	if (s->grow_init)
		pthread_rwlock_unlock(&s->grow);
	if (rc != 0)
		return map_err(rc);
	s->map_size = next;
	return 0;
}

void store_close(struct store **sp)
{
	struct store *s = sp ? *sp : NULL;
	if (!s)
		return;
	store_abort(&s->open_batch);
	if (s->env)
		mdb_env_close(s->env);
	if (s->grow_init)
		pthread_rwlock_destroy(&s->grow);
	free(s);
	*sp = NULL;
}

/* ---- keys ---- */

/* "<a>\0<b>\0<c>" into buf; returns the length. Codes are bounded, so KEY_MAX always fits. */
size_t key3(char *buf, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	memcpy(buf, a, la + 1);
	memcpy(buf + la + 1, b, lb + 1);
	memcpy(buf + la + lb + 2, c, lc);
	return la + lb + 2 + lc;
}

size_t case_key(char *buf, const char *casetype, const struct proto_event *ev)
{
	return key3(buf, casetype, ev->case_id, ev->orgunit);
}

static size_t agg_key(const struct catalog *cat, int q, int ou, struct period p, char *buf)
{
	char pid[PERIOD_ID_MAX];
	period_format(p, pid);
	return key3(buf, cat->quantities[q].code, cat->orgunits[ou].code, pid);
}

static int64_t sum_read(MDB_txn *txn, MDB_dbi dbi, const struct catalog *cat, int q, int ou,
			struct period p)
{
	char key[KEY_MAX];
	MDB_val k = {agg_key(cat, q, ou, p, key), key}, v;
	int64_t x = 0;
	if (mdb_get(txn, dbi, &k, &v) == 0 && v.mv_size == sizeof(x))
		memcpy(&x, v.mv_data, sizeof(x));
	return x;
}

/*
 * Quantity q at (ou, p). A cumulative period is not stored: a flow's figure is the sum of the
 * stored periods that make it up (at most 6 reads; values are never negative, so a part of a
 * year's sum is within STORE_SUM_MAX as the year is), a stock's the figure of the period it ends
 * with.
 */
static int64_t agg_read(MDB_txn *txn, MDB_dbi dbi, const struct catalog *cat, int q, int ou,
			struct period p)
{
	if (!period_is_cumulative(p))
		return sum_read(txn, dbi, cat, q, ou, p);
	if (cat->quantities[q].stock)
		return sum_read(txn, dbi, cat, q, ou, period_base(p));
	struct period parts[6];
	int64_t x = 0;
	for (int i = 0, n = period_cumulative_parts(p, parts); i < n; i++)
		x += sum_read(txn, dbi, cat, q, ou, parts[i]);
	return x;
}

/* num and den of indicator i at (ou, p): sums of their quantities' aggregates. */
static void value_read(MDB_txn *txn, MDB_dbi dbi, const struct catalog *cat, int i, int ou,
		       struct period p, int64_t *num, int64_t *den)
{
	const struct catalog_indicator *ind = &cat->indicators[i];
	*num = *den = 0;
	for (int t = 0; t < ind->n_num; t++)
		*num += agg_read(txn, dbi, cat, ind->num[t], ou, p);
	for (int t = 0; t < ind->n_den; t++)
		*den += agg_read(txn, dbi, cat, ind->den[t], ou, p);
}

bool value_has_data(MDB_txn *txn, const struct store *s, int ind, int ou, struct period p)
{
	int64_t num, den;
	value_read(txn, s->dbi[DB_AGG], s->cat, ind, ou, p, &num, &den);
	return num != 0 || den != 0;
}

int store_readers_check(struct store *s, int *dead)
{
	*dead = 0;
	return map_err(mdb_reader_check(s->env, dead));
}

/* ---- batches: the delta table (open addressing, keyed by quantity, org unit, period) ---- */

static size_t delta_hash(int q, int ou, struct period p)
{
	size_t h = (size_t)q * 0x9e3779b1u ^ (size_t)ou * 0x85ebca77u;
	return h ^ ((size_t)p.kind * 31u + (size_t)p.year * 13u + (size_t)p.n) * 0xc2b2ae3du;
}

static bool delta_same(const struct delta *d, int q, int ou, struct period p)
{
	return d->q == q && d->ou == ou && d->p.kind == p.kind && d->p.year == p.year && d->p.n == p.n;
}

static int delta_grow(struct store_batch *b)
{
	size_t cap = b->cap ? b->cap * 2 : 1024;
	struct delta *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < b->cap; i++) {
		struct delta *d = &b->slots[i];
		if (!d->used)
			continue;
		size_t j = delta_hash(d->q, d->ou, d->p) & (cap - 1);
		while (slots[j].used)
			j = (j + 1) & (cap - 1);
		slots[j] = *d;
	}
	free(b->slots);
	b->slots = slots;
	b->cap = cap;
	return 0;
}

/* Note a delta while journaling, so that it can be taken back. */
static void journal(struct store_batch *b, int q, int ou, struct period p, int64_t d)
{
	if (b->n_journal == b->cap_journal) {
		size_t cap = b->cap_journal ? 2 * b->cap_journal : 64;
		struct undo *j = realloc(b->journal, cap * sizeof(*j));
		if (!j) {
			b->err = -ENOMEM;
			return;
		}
		b->journal = j;
		b->cap_journal = cap;
	}
	b->journal[b->n_journal++] = (struct undo){q, ou, p, d};
}

/* The slot of (q, ou, p), made (with the stored sum as its base) when missing; NULL on error. */
static struct delta *delta_slot(struct store_batch *b, int q, int ou, struct period p)
{
	if ((b->used + 1) * 2 > b->cap && (b->err = delta_grow(b)) < 0)
		return NULL;
	size_t j = delta_hash(q, ou, p) & (b->cap - 1);
	while (b->slots[j].used && !delta_same(&b->slots[j], q, ou, p))
		j = (j + 1) & (b->cap - 1);
	struct delta *slot = &b->slots[j];
	if (!slot->used) {
		int64_t base = sum_read(b->txn, b->s->dbi[DB_AGG], b->s->cat, q, ou, p);
		*slot = (struct delta){q, ou, p, 0, true, base};
		b->used++;
	}
	return slot;
}

/* Whether adding d to the slot keeps its sum within the bound (and int64_t). */
static bool delta_fits(const struct delta *slot, int64_t d)
{
	int64_t t;
	if (__builtin_add_overflow(slot->base, slot->d, &t) || __builtin_add_overflow(t, d, &t))
		return false;
	return t <= STORE_SUM_MAX && t >= -STORE_SUM_MAX;
}

/*
 * Add d to the slot of (q, ou, p) and of every ancestor of ou: values roll up the tree. When any
 * of them would leave the bound, nothing is added and b->overflow is set (the event is refused).
 */
static void delta_add(struct store_batch *b, int q, int ou, struct period p, int64_t d)
{
	const struct catalog *cat = b->s->cat;
	if (b->err || b->overflow)
		return;
	for (int o = ou; o >= 0; o = cat->orgunits[o].parent) {
		struct delta *slot = delta_slot(b, q, o, p);
		if (!slot)
			return;
		if (!delta_fits(slot, d)) {
			b->overflow = true;
			return;
		}
	}
	if (b->journaling)
		journal(b, q, ou, p, d);
	for (int o = ou; o >= 0 && b->err == 0; o = cat->orgunits[o].parent) {
		struct delta *slot = delta_slot(b, q, o, p);
		if (slot)
			slot->d += d;
	}
}

/* Add d to quantity q at ou for the month, quarter and year of date. */
static void delta_add_date(struct store_batch *b, int q, int ou, int32_t date, int64_t d)
{
	for (int k = 0; k < N_KINDS; k++)
		delta_add(b, q, ou, period_of_date(date, kinds[k]), d);
}

/* Begin the batch's transaction from what is committed (again, once the map grew). */
static int batch_start(struct store_batch *b)
{
	const struct store *s = b->s;
	int rc = map_err(mdb_txn_begin(s->env, NULL, 0, &b->txn));
	if (rc < 0)
		return rc;
	memset(b->slots, 0, b->cap * sizeof(*b->slots));
	b->used = 0;
	b->n_extra = 0;
	b->events = b->events_begun = meta_get(b->txn, s->dbi[DB_META], "events");
	b->pubseq = meta_get(b->txn, s->dbi[DB_META], "pubseq");
	return 0;
}

int store_begin(struct store *s, struct store_batch **out)
{
	if (s->open_batch)
		return -EBUSY;
	struct store_batch *b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->s = s;
	int rc = delta_grow(b);
	if (rc == 0)
		rc = batch_start(b);
	if (rc < 0) {
		store_abort(&b);
		return rc;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	b->now_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	s->open_batch = b;
	*out = b;
	return 0;
}

void store_abort(struct store_batch **bp)
{
	struct store_batch *b = bp ? *bp : NULL;
	if (!b)
		return;
	if (b->txn)
		mdb_txn_abort(b->txn);
	if (b->s->open_batch == b)
		b->s->open_batch = NULL;
	free(b->slots);
	free(b->journal);
	for (size_t i = 0; i < b->n_redo; i++)
		free(b->redo[i].who);
	free(b->redo);
	free(b->extra);
	free(b);
	*bp = NULL;
}

/* ---- event records: the log's format ---- */

/*
 * An event record: u32 length of the content, then the content (i32 date, u8 op, i64 value, and
 * the strings id, element, orgunit, case, comment, each u16 length + bytes), then who submitted it
 * and when (u64 milliseconds since the epoch, u16 length + who), and for a correction the
 * sequence number of the event it corrects (u64; records written before ids were kept per cell
 * end after who: their ref is that event's key in ids). All big-endian. Two events are the same
 * event when their contents are equal byte for byte.
 */
#define RECORD_MAX 2048 /* content (at most 805 bytes) + time + who (at most 400) */

struct writer {
	uint8_t *p;
	size_t n;
};

static void w_int(struct writer *w, uint64_t v, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--, v >>= 8)
		w->p[w->n + i] = (uint8_t)v;
	w->n += bytes;
}

static void w_str(struct writer *w, const char *s)
{
	size_t len = strlen(s);
	w_int(w, len, 2);
	memcpy(w->p + w->n, s, len);
	w->n += len;
}

static size_t record_build(const struct proto_event *ev, int32_t date, uint64_t ms, const char *who,
			   uint64_t ref_seq, uint8_t *buf)
{
	struct writer w = {buf, 4};
	w_int(&w, (uint32_t)date, 4);
	w_int(&w, ev->op, 1);
	w_int(&w, (uint64_t)ev->value, 8);
	w_str(&w, ev->id);
	w_str(&w, ev->element);
	w_str(&w, ev->orgunit);
	w_str(&w, ev->case_id);
	w_str(&w, ev->comment);
	w_str(&w, ev->ref); /* schema 2 */
	size_t content = w.n - 4;
	struct writer head = {buf, 0};
	w_int(&head, content, 4);
	w_int(&w, ms, 8);
	w_str(&w, who ? who : "");
	if (ev->ref[0])
		w_int(&w, ref_seq, 8);
	return w.n;
}

struct reader {
	const uint8_t *p;
	size_t n, off;
	bool bad;
};

static uint64_t r_int(struct reader *r, int bytes)
{
	uint64_t v = 0;
	if (r->off + (size_t)bytes > r->n) {
		r->bad = true;
		return 0;
	}
	for (int i = 0; i < bytes; i++)
		v = v << 8 | r->p[r->off++];
	return v;
}

static void r_str(struct reader *r, char *buf, size_t size)
{
	size_t len = (size_t)r_int(r, 2);
	if (r->bad || len >= size || r->off + len > r->n) {
		r->bad = true;
		buf[0] = '\0';
		return;
	}
	memcpy(buf, r->p + r->off, len);
	buf[len] = '\0';
	r->off += len;
}

/*
 * Read an event back from its record (the inverse of record_build), with who sent it and when,
 * and the sequence number of the event a correction corrects (0: not a correction, or an older
 * record). who, ms and ref_seq may be NULL. Returns 0 or IKI_ESTORAGE.
 */
int record_parse_full(const MDB_val *v, struct proto_event *ev, char *who, size_t who_size,
		      uint64_t *ms, uint64_t *ref_seq)
{
	struct reader r = {v->mv_data, v->mv_size, 0, false};
	memset(ev, 0, sizeof(*ev));
	size_t content = 4 + (size_t)r_int(&r, 4);
	int32_t days = (int32_t)(uint32_t)r_int(&r, 4);
	ev->op = (enum proto_op)r_int(&r, 1);
	ev->value = (int64_t)r_int(&r, 8);
	r_str(&r, ev->id, sizeof(ev->id));
	r_str(&r, ev->element, sizeof(ev->element));
	r_str(&r, ev->orgunit, sizeof(ev->orgunit));
	r_str(&r, ev->case_id, sizeof(ev->case_id));
	r_str(&r, ev->comment, sizeof(ev->comment));
	if (r.off < content) /* schema 1 records end here */
		r_str(&r, ev->ref, sizeof(ev->ref));
	r.off = content;
	uint64_t at = r_int(&r, 8);
	char name[PROTO_TEXT_MAX + 1];
	r_str(&r, name, sizeof(name));
	uint64_t rs = ev->ref[0] && r.off + 8 <= r.n ? r_int(&r, 8) : 0;
	if (ref_seq)
		*ref_seq = rs;
	if (ms)
		*ms = at;
	if (who && who_size) { /* names are short; a longer one is cut */
		size_t wn = strnlen(name, who_size - 1);
		memcpy(who, name, wn);
		who[wn] = '\0';
	}
	if (!r.bad && (ev->element[0] || ev->op != PROTO_OP_VOID))
		period_date_format(days, ev->date);
	return r.bad ? IKI_ESTORAGE : 0;
}

int record_parse(const MDB_val *v, struct proto_event *ev)
{
	return record_parse_full(v, ev, NULL, 0, NULL, NULL);
}

/* Whether a stored record holds the same content as a new one. */
static bool record_same(const MDB_val *stored, const uint8_t *rec)
{
	size_t content = 4 + ((size_t)rec[0] << 24 | (size_t)rec[1] << 16 | (size_t)rec[2] << 8 | rec[3]);
	return stored->mv_size >= content && memcmp(stored->mv_data, rec, content) == 0;
}

/* ---- validation against the catalog ---- */

/* What an event refers to, once checked. */
struct resolved {
	uint64_t seq; /* the event's place in the log */
	int32_t date;
	int ou;
	int el; /* element index, or -1 */
	int ct; /* case type index, or -1 */
	char key[KEY_MAX]; /* the event's key in ids (see id_key) */
	size_t key_len;
};

/* Refuse with a sentence of its own (where the code's general one would mislead). */
__attribute__((format(printf, 3, 4))) static int refuse(struct proto_result *res, int code,
							   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	res->status = PROTO_STATUS_ERROR;
	res->code = code;
	iki_utf8_trim(res->message);
	return code;
}

/* Refuse with the code's sentence and a detail: "<sentence> (<detail>)". */
__attribute__((format(printf, 3, 4))) static int fail(struct proto_result *res, int code,
							 const char *fmt, ...)
{
	char detail[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return refuse(res, code, "%s (%s)", iki_strerror(code), detail);
}

_Static_assert(STORE_SUM_MAX <= INT64_MAX / CATALOG_TERMS_MAX, "an indicator's side fits int64_t");

static int check_element(const struct catalog_element *e, const struct proto_event *ev,
			 struct proto_result *res)
{
	enum proto_op want = e->agg == CATALOG_SUM ? PROTO_OP_ADD : PROTO_OP_SET;
	if (ev->op != want)
		return fail(res, IKI_EOP, "elemen %s memakai op '%s'", e->code, proto_op_name(want));
	if (ev->no_value)
		return refuse(res, IKI_EVALUE, "Nilai %s belum diisi: tulis jumlahnya (value), juga "
			      "bila hanya 1; tidak ada nilai bawaan.", e->code);
	if (ev->value < 0 || ev->value > STORE_VALUE_MAX)
		return fail(res, IKI_EVALUE, "%s: nilai harus 0 atau lebih", e->code);
	return 0;
}

static int check_case(const struct catalog_casetype *ct, const struct proto_event *ev,
		      struct proto_result *res)
{
	if (ev->op != PROTO_OP_OPEN && ev->op != PROTO_OP_CLOSE)
		return fail(res, IKI_EOP, "kasus %s memakai op 'open' atau 'close'", ct->code);
	if (ev->case_id[0] == '\0')
		return fail(res, IKI_ECASEID, "kasus %s", ct->code);
	if (ev->value != 1)
		return fail(res, IKI_EVALUE, "kasus %s: nilai harus 1", ct->code);
	return 0;
}

/* Whether s is an id: 1 to PROTO_ID_MAX characters of STORE_ID_CHARS (see store.h). */
static bool id_valid(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && strspn(s, STORE_ID_CHARS) == n;
}

/* The ids of an event (its own, its ref, its case): "" or the name of the first that is not one. */
static const char *ids_check(const struct proto_event *ev)
{
	if (!id_valid(ev->id))
		return "id";
	if (ev->ref[0] && !id_valid(ev->ref))
		return "ref";
	if (ev->case_id[0] && !id_valid(ev->case_id))
		return "case";
	return "";
}

/* The catalog indices an event names: looked up once, here (see struct store_event). */
static void where_find(const struct catalog *cat, const struct proto_event *ev,
		       struct store_where *at)
{
	at->ou = ev->orgunit[0] ? catalog_orgunit_find(cat, ev->orgunit) : -1;
	at->el = ev->element[0] ? catalog_element_find(cat, ev->element) : -1;
	at->ct = at->el < 0 && ev->element[0] ? catalog_casetype_find(cat, ev->element) : -1;
}

/*
 * Check an event, found in the catalog at *at, against it. Returns 0 and fills *r, or an error
 * code with *res set.
 */
static int event_check(const struct catalog *cat, const struct proto_event *ev,
		       const struct store_where *at, struct resolved *r, struct proto_result *res)
{
	if (ev->err)
		return fail(res, ev->err, "kolom '%s'", ev->err_field);
	r->ou = at->ou;
	if (r->ou < 0)
		return fail(res, IKI_EORGUNIT, "orgunit: %s", ev->orgunit);
	if (period_date_parse(ev->date, &r->date) < 0)
		return fail(res, IKI_EDATE, "date: %s", ev->date);
	r->el = at->el;
	r->ct = at->ct;
	if (r->el >= 0)
		return check_element(&cat->elements[r->el], ev, res);
	if (r->ct >= 0)
		return check_case(&cat->casetypes[r->ct], ev, res);
	return fail(res, IKI_EELEMENT, "element: %s", ev->element);
}

/*
 * Whether a new event is plausible under the catalog (not asked of stored events on a rebuild:
 * a catalog made stricter later does not unmake what was counted): dated in the budget year,
 * but for two ends of a case that reach over it: an open also in the year before (a case begun
 * in December closes inside the year, judged on its real dates), and a close in the year after
 * when its case type counts closes at the open (December's report, due in January); a value
 * within the element's min and max. Returns 0 or a code with *res set.
 */
static int admit_check(const struct catalog *cat, const struct proto_event *ev,
		       const struct resolved *r, struct proto_result *res)
{
	int y, m, d;
	period_date_split(r->date, &y, &m, &d);
	bool reaches = r->ct >= 0 && ((ev->op == PROTO_OP_OPEN && y == cat->year - 1) ||
				      (ev->op == PROTO_OP_CLOSE && y == cat->year + 1 &&
				       cat->casetypes[r->ct].close_at_open));
	if (cat->year && y != cat->year && !reaches)
		return fail(res, IKI_EYEAR, "date %s: tahun anggaran %d%s", ev->date, cat->year,
			    r->ct >= 0 ? "; kasus boleh dibuka sejak tahun sebelumnya" : "");
	if (r->el < 0)
		return 0;
	const struct catalog_element *e = &cat->elements[r->el];
	char bound[32];
	if (ev->value < e->min)
		return fail(res, IKI_EVALUE, "%s: nilai paling kecil %s, bukan %lld", e->code,
			    lakip_count(e->min, bound, sizeof(bound)), (long long)ev->value);
	if (ev->value > e->max)
		return fail(res, IKI_EVALUE, "%s: nilai paling besar %s, bukan %lld; salah ketik?",
			    e->code, lakip_count(e->max, bound, sizeof(bound)), (long long)ev->value);
	return 0;
}

/* ---- derived state: states, cases ---- */


/* The states index key of (q, ou) up to the date and sequence: "<q>\0<ou>\0" date seq. */
static size_t state_key(const struct catalog *cat, int q, int ou, int32_t date, uint64_t seq,
			char *buf)
{
	size_t n = key3(buf, cat->quantities[q].code, cat->orgunits[ou].code, "") + 1;
	buf[n - 1] = '\0';
	uint32_t d = (uint32_t)date ^ 0x80000000u; /* sorts as signed */
	for (int i = 3; i >= 0; i--, d >>= 8)
		buf[n + (size_t)i] = (char)(d & 0xff);
	put_be64((uint8_t *)buf + n + 4, seq);
	return n + 12;
}

/*
 * A stock's value in a period is the value set with the latest date on or before the period's
 * end within its budget year (DHIS2's "last value" aggregation: a pagu set in January counts in
 * every later month and quarter of the year); with carry = period, the latest inside the period
 * only. On equal dates the later arrival wins. That is the last entry of the states index within
 * [from, end of p]. Set the latest value of (q, ou, p) to it, and give its subtree sums the change
 * as a delta.
 */
static void state_recompute(struct store_batch *b, int q, int ou, struct period p, bool carry)
{
	const struct store *s = b->s;
	char key[KEY_MAX], lo[KEY_MAX], hi[KEY_MAX];
	int32_t first, last, year_last;
	period_bounds(p, &first, &last);
	if (carry)
		period_bounds((struct period){PERIOD_YEAR, p.year, 0}, &first, &year_last);
	size_t prefix = state_key(s->cat, q, ou, 0, 0, lo) - 12;
	size_t nlo = state_key(s->cat, q, ou, first, 0, lo);
	MDB_val k = {state_key(s->cat, q, ou, last + 1, 0, hi), hi}, v;
	MDB_cursor *cur;
	struct latest cur_l = {0, 0}, next = {0, 0};
	bool have = false;
	int rc = mdb_cursor_open(b->txn, s->dbi[DB_STATES], &cur);
	if (rc == 0) {
		rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		rc = mdb_cursor_get(cur, &k, &v, rc == 0 ? MDB_PREV : MDB_LAST);
		have = rc == 0 && k.mv_size == nlo && memcmp(k.mv_data, lo, prefix) == 0 &&
		       memcmp(k.mv_data, lo, nlo) >= 0 && v.mv_size == sizeof(int64_t);
		if (have) {
			const uint8_t *d = (const uint8_t *)k.mv_data + prefix;
			next.date = (int32_t)(((uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 |
					       (uint32_t)d[2] << 8 | d[3]) ^ 0x80000000u);
			memcpy(&next.value, v.mv_data, sizeof(next.value));
		}
		mdb_cursor_close(cur);
		rc = rc == MDB_NOTFOUND ? 0 : rc;
	}
	if (rc != 0) {
		b->err = map_err(rc);
		return;
	}
	MDB_val kv = {agg_key(s->cat, q, ou, p, key), key};
	rc = mdb_get(b->txn, s->dbi[DB_LATEST], &kv, &v);
	if (rc == 0 && v.mv_size == sizeof(cur_l))
		memcpy(&cur_l, v.mv_data, sizeof(cur_l));
	else if (rc != MDB_NOTFOUND)
		b->err = map_err(rc);
	if (b->err)
		return;
	v = (MDB_val){sizeof(next), &next};
	rc = have ? mdb_put(b->txn, s->dbi[DB_LATEST], &kv, &v, 0)
		  : mdb_del(b->txn, s->dbi[DB_LATEST], &kv, NULL);
	b->err = map_err(rc == MDB_NOTFOUND ? 0 : rc);
	if (next.value != cur_l.value)
		delta_add(b, q, ou, p, next.value - cur_l.value);
}

/*
 * Enter (value) or take out (remove) one set of element el in the states index, then recompute
 * the periods it counts in: those that hold its date and, carried forward, every later month and
 * quarter of its year.
 */
static void state_index(struct store_batch *b, int el, const struct resolved *r, int64_t value,
			bool remove)
{
	const struct catalog_element *e = &b->s->cat->elements[el];
	int q = e->quantity;
	bool carry = !e->carry_period;
	char key[KEY_MAX];
	MDB_val k = {state_key(b->s->cat, q, r->ou, r->date, r->seq, key), key},
		v = {sizeof(value), &value};
	int rc = remove ? mdb_del(b->txn, b->s->dbi[DB_STATES], &k, NULL)
			: mdb_put(b->txn, b->s->dbi[DB_STATES], &k, &v, 0);
	b->err = map_err(rc == MDB_NOTFOUND ? 0 : rc);
	for (int i = 0; i < N_KINDS && b->err == 0; i++) {
		struct period p = period_of_date(r->date, kinds[i]);
		int end = !carry ? p.n : kinds[i] == PERIOD_MONTH ? 12 : kinds[i] == PERIOD_QUARTER ? 4 : 0;
		for (; p.n <= end && b->err == 0; p.n++)
			state_recompute(b, q, r->ou, p, carry);
	}
}


/* The deltas of a case's close (sign 1), or of taking it back (-1): in the period of the close,
 * or of the open for a case type that counts closes there (count_close = open). */
static void close_deltas(struct store_batch *b, const struct catalog_casetype *ct,
			 const struct case_rec *c, int ou, int sign)
{
	int32_t at = ct->close_at_open ? c->opened : c->closed;
	delta_add_date(b, ct->quantity + CATALOG_CASE_CLOSED, ou, at, sign);
	if (ct->limit_days < 0 || c->closed - c->opened <= ct->limit_days)
		delta_add_date(b, ct->quantity + CATALOG_CASE_ONTIME, ou, at, sign);
}

/* Open or close a case. Returns 0, a case error code (nothing written) or a storage code. */
static int derive_case(struct store_batch *b, const struct proto_event *ev, const struct resolved *r)
{
	const struct store *s = b->s;
	const struct catalog_casetype *ct = &s->cat->casetypes[r->ct];
	char key[KEY_MAX];
	struct case_rec c;
	MDB_val kv = {case_key(key, ct->code, ev), key}, v;
	int rc = mdb_get(b->txn, s->dbi[DB_CASES], &kv, &v);
	bool found = rc == 0 && v.mv_size == sizeof(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return b->err = map_err(rc);
	if (found)
		memcpy(&c, v.mv_data, sizeof(c));
	if (ev->op == PROTO_OP_OPEN) {
		if (found)
			return IKI_ECASEOPEN;
		c = (struct case_rec){r->date, CASE_OPEN_ONLY, "", r->seq, 0};
		snprintf(c.orgunit, sizeof(c.orgunit), "%s", ev->orgunit);
		delta_add_date(b, ct->quantity + CATALOG_CASE_OPEN, r->ou, r->date, 1);
	} else {
		if (!found || strcmp(c.orgunit, ev->orgunit) != 0)
			return IKI_ECASEUNKNOWN;
		if (c.closed != CASE_OPEN_ONLY)
			return IKI_ECASECLOSED;
		if (r->date < c.opened)
			return IKI_ECASEDATE;
		c.closed = r->date;
		c.close_seq = r->seq;
		close_deltas(b, ct, &c, r->ou, 1);
	}
	if (b->overflow)
		return IKI_EOVERFLOW;
	v = (MDB_val){sizeof(c), &c};
	return b->err = map_err(mdb_put(b->txn, s->dbi[DB_CASES], &kv, &v, 0));
}

/* Derive what one valid event changes. Returns 0, a case error code, or a storage code. */
static int derive_plain(struct store_batch *b, const struct proto_event *ev,
			const struct resolved *r)
{
	if (r->ct >= 0)
		return derive_case(b, ev, r);
	const struct catalog_element *e = &b->s->cat->elements[r->el];
	if (e->agg == CATALOG_SUM)
		delta_add_date(b, e->quantity, r->ou, r->date, ev->value);
	else
		state_index(b, r->el, r, ev->value, false);
	return b->err;
}

/*
 * Take back what an earlier, stored event (orig, resolved as ro) changed. A case's open takes its
 * close with it (the case is gone); a close reopens the case. Returns 0, a case code (the case
 * moved on since: nothing written) or a storage code.
 */
static int derive_undo(struct store_batch *b, const struct proto_event *orig,
		       const struct resolved *ro)
{
	const struct store *s = b->s;
	if (ro->el >= 0) {
		const struct catalog_element *e = &s->cat->elements[ro->el];
		if (e->agg == CATALOG_SUM)
			delta_add_date(b, e->quantity, ro->ou, ro->date, -orig->value);
		else
			state_index(b, ro->el, ro, 0, true);
		return b->err;
	}
	const struct catalog_casetype *ct = &s->cat->casetypes[ro->ct];
	char key[KEY_MAX];
	struct case_rec c;
	MDB_val kv = {case_key(key, ct->code, orig), key}, v;
	int rc = mdb_get(b->txn, s->dbi[DB_CASES], &kv, &v);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return b->err = map_err(rc);
	if (rc != 0 || v.mv_size != sizeof(c))
		return IKI_ECASEUNKNOWN;
	memcpy(&c, v.mv_data, sizeof(c));
	bool is_open = orig->op == PROTO_OP_OPEN && c.open_seq == ro->seq;
	bool is_close = orig->op == PROTO_OP_CLOSE && c.closed != CASE_OPEN_ONLY &&
			c.close_seq == ro->seq;
	if (!is_open && !is_close)
		return IKI_ECASEUNKNOWN;
	if (c.closed != CASE_OPEN_ONLY)
		close_deltas(b, ct, &c, ro->ou, -1);
	if (is_open) {
		delta_add_date(b, ct->quantity + CATALOG_CASE_OPEN, ro->ou, c.opened, -1);
		return b->err = map_err(mdb_del(b->txn, s->dbi[DB_CASES], &kv, NULL));
	}
	c.closed = CASE_OPEN_ONLY;
	c.close_seq = 0;
	v = (MDB_val){sizeof(c), &c};
	return b->err = map_err(mdb_put(b->txn, s->dbi[DB_CASES], &kv, &v, 0));
}

/* Record that the event ro was voided (or replaced) by the event r: by their keys in ids. */
static int mark_voided(struct store_batch *b, const struct resolved *ro, const struct resolved *r)
{
	MDB_val k = {ro->key_len, (void *)ro->key}, v = {r->key_len, (void *)r->key};
	return b->err = map_err(mdb_put(b->txn, b->s->dbi[DB_VOIDED], &k, &v, 0));
}

/* Take back the deltas journaled for the event being derived, and end journaling. */
static void journal_undo(struct store_batch *b)
{
	b->journaling = false;
	b->overflow = false;
	for (size_t i = b->n_journal; i-- > 0 && b->err == 0;)
		delta_add(b, b->journal[i].q, b->journal[i].ou, b->journal[i].p, -b->journal[i].d);
}

/* Start journaling the deltas of one event, so that they can be taken back. */
static void journal_start(struct store_batch *b)
{
	b->journaling = true;
	b->overflow = false;
	b->n_journal = 0;
}

/*
 * Derive an event in a nested transaction, both parts or neither: a correction (take back what
 * ev->ref changed, orig resolved as ro; then, for a replacement, apply ev in its place) or a
 * state (its index and latest values are written before its deltas are known). Returns 0, a case
 * code or IKI_EOVERFLOW (nothing of the event stays), or a storage code.
 */
static int derive_nested(struct store_batch *b, const struct proto_event *ev,
			 const struct resolved *r, const struct proto_event *orig,
			 const struct resolved *ro)
{
	MDB_txn *parent = b->txn, *child;
	int rc = map_err(mdb_txn_begin(mdb_txn_env(parent), parent, 0, &child));
	if (rc < 0)
		return b->err = rc;
	b->txn = child;
	journal_start(b);
	if (ev->ref[0])
		rc = derive_undo(b, orig, ro);
	if (rc == 0 && ev->op != PROTO_OP_VOID)
		rc = derive_plain(b, ev, r);
	if (rc == 0 && ev->ref[0])
		rc = mark_voided(b, ro, r);
	if (rc == 0 && b->overflow)
		rc = IKI_EOVERFLOW;
	b->txn = parent;
	b->journaling = false;
	b->overflow = false;
	if (rc == 0 && b->err == 0)
		return b->err = map_err(mdb_txn_commit(child));
	mdb_txn_abort(child);
	journal_undo(b);
	return b->err ? b->err : rc;
}

/*
 * Derive one event: a flow's add or a case step directly, with its deltas journaled (a case
 * writes its record only once its deltas fit: see derive_case); a correction or a state in a
 * nested transaction. Returns 0, a case code or IKI_EOVERFLOW (nothing of the event stays), or a
 * storage code.
 */
static int derive(struct store_batch *b, const struct proto_event *ev, const struct resolved *r,
		  const struct proto_event *orig, const struct resolved *ro)
{
	bool state = r->el >= 0 && b->s->cat->elements[r->el].agg != CATALOG_SUM;
	if (ev->ref[0] || state)
		return derive_nested(b, ev, r, orig, ro);
	journal_start(b);
	int rc = derive_plain(b, ev, r);
	if (rc == 0 && b->overflow)
		rc = IKI_EOVERFLOW;
	if (rc == IKI_EOVERFLOW)
		journal_undo(b);
	b->journaling = false;
	return b->err ? b->err : rc;
}

/* ---- event ids: one per cell, among the events a key reaches ---- */

/*
 * ids maps an event's key to its place in the log. The key is the event's id, or, when another
 * event took that id first, "<id>\0<org unit>\0<element>" of the event's cell (its org unit and
 * element or case type; a void's are those of the event it voids). An id names one event among
 * those the asker reaches (store_viewer): a clerk's id is its own whatever other villages chose,
 * and a key never learns that an event it does not reach exists.
 */

int event_at(MDB_txn *txn, const struct store *s, uint64_t seq, struct proto_event *ev,
	     uint64_t *ref_seq, char *who, size_t who_size, uint64_t *ms)
{
	uint8_t key[8];
	put_be64(key, seq);
	MDB_val k = {8, key}, v;
	int rc = mdb_get(txn, s->dbi[DB_EVENTS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return IKI_EREF;
	return rc ? map_err(rc) : record_parse_full(&v, ev, who, who_size, ms, ref_seq);
}

/* The place in the log of the event indexed under key (len bytes); IKI_EREF when none. */
int id_seq(MDB_txn *txn, const struct store *s, const char *key, size_t len, uint64_t *seq)
{
	MDB_val k = {len, (void *)key}, v;
	int rc = mdb_get(txn, s->dbi[DB_IDS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return IKI_EREF;
	if (rc == 0 && v.mv_size != 8)
		rc = MDB_CORRUPTED;
	if (rc != 0)
		return map_err(rc);
	*seq = get_be64(v.mv_data);
	return 0;
}

int ref_target(MDB_txn *txn, const struct store *s, const struct proto_event *ev,
	       uint64_t ref_seq, uint64_t *seq)
{
	if (!ev->ref[0])
		return IKI_EREF;
	if (ref_seq) {
		*seq = ref_seq;
		return 0;
	}
	return id_seq(txn, s, ev->ref, strlen(ev->ref), seq); /* an older record: ids were one */
}

/* The event whose org unit and element are ev's cell: ev, or (into *buf) the one a void voids. */
static int event_cell(MDB_txn *txn, const struct store *s, const struct proto_event *ev,
		      uint64_t ref_seq, struct proto_event *buf, const struct proto_event **cell)
{
	uint64_t t;
	*cell = ev;
	if (ev->op != PROTO_OP_VOID)
		return 0;
	int rc = ref_target(txn, s, ev, ref_seq, &t);
	if (rc == 0)
		rc = event_at(txn, s, t, buf, NULL, NULL, 0, NULL);
	if (rc == 0)
		*cell = buf;
	return rc;
}

/* The key of an event with this id in cell: the id itself when plain, else the cell's. */
static size_t id_key(char *buf, const char *id, const struct proto_event *cell, bool plain)
{
	size_t n = strlen(id);
	if (plain) {
		memcpy(buf, id, n + 1);
		return n;
	}
	return key3(buf, id, cell->orgunit, cell->element);
}

int id_key_of(MDB_txn *txn, const struct store *s, const struct proto_event *ev, uint64_t seq,
	      uint64_t ref_seq, char *buf, size_t *len)
{
	uint64_t at;
	struct proto_event tmp;
	const struct proto_event *cell = ev;
	int rc = id_seq(txn, s, ev->id, strlen(ev->id), &at);
	bool plain = rc == 0 && at == seq;
	if (rc < 0 && rc != IKI_EREF)
		return rc;
	if (!plain && (rc = event_cell(txn, s, ev, ref_seq, &tmp, &cell)) < 0)
		return rc;
	*len = id_key(buf, ev->id, cell, plain);
	return 0;
}

int id_each(MDB_txn *txn, const struct store *s, const char *id,
	    int (*fn)(void *arg, const MDB_val *key, uint64_t seq), void *arg)
{
	MDB_cursor *cur = NULL;
	size_t n = strlen(id);
	MDB_val k = {n, (void *)id}, v;
	int rc = map_err(mdb_cursor_open(txn, s->dbi[DB_IDS], &cur));
	int got = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) : MDB_NOTFOUND;
	/* the plain key sorts first, then "<id>\0...": ids hold no NUL */
	for (; rc == 0 && got == 0; got = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		const char *kp = k.mv_data;
		if (k.mv_size < n || memcmp(kp, id, n) != 0 || (k.mv_size > n && kp[n] != '\0'))
			break;
		rc = v.mv_size == 8 ? fn(arg, &k, get_be64(v.mv_data)) : IKI_ESTORAGE;
	}
	if (rc == 0 && got != 0 && got != MDB_NOTFOUND)
		rc = map_err(got); /* a cursor error: not fewer events */
	if (cur)
		mdb_cursor_close(cur);
	return rc;
}

int event_reached(MDB_txn *txn, const struct store *s, const struct store_viewer *v,
		  const struct proto_event *ev, uint64_t ref_seq)
{
	struct proto_event tmp;
	const struct proto_event *cell;
	struct store_where at;
	if (!v || !v->reaches)
		return 1;
	int rc = event_cell(txn, s, ev, ref_seq, &tmp, &cell);
	if (rc < 0)
		return rc == IKI_EREF ? 0 : rc;
	where_find(s->cat, cell, &at);
	return v->reaches(v->arg, &at);
}

/* ---- applying events ---- */

/* What check_id learns of the events with an id, walking them. */
struct id_judge {
	struct store_batch *b;
	const struct store_viewer *v;
	const uint8_t *rec;           /* the new event's record */
	const char *own;              /* the new event's key in its cell */
	size_t own_len, id_len;
	bool taken, seen, same;       /* the plain key is taken; one is in reach; one is the same */
};

static int id_judge_one(void *arg, const MDB_val *key, uint64_t seq)
{
	struct id_judge *j = arg;
	struct proto_event ev;
	uint64_t rs;
	uint8_t k8[8];
	put_be64(k8, seq);
	MDB_val sk = {8, k8}, v;
	j->taken |= key->mv_size == j->id_len;
	int rc = mdb_get(j->b->txn, j->b->s->dbi[DB_EVENTS], &sk, &v);
	if (rc != 0)
		return map_err(rc == MDB_NOTFOUND ? MDB_CORRUPTED : rc);
	if ((rc = record_parse_full(&v, &ev, NULL, 0, NULL, &rs)) < 0)
		return rc;
	/* the event's own cell is in reach: it was authorised for it */
	bool own = key->mv_size == j->own_len && !memcmp(key->mv_data, j->own, j->own_len);
	if (!own && (rc = event_reached(j->b->txn, j->b->s, j->v, &ev, rs)) <= 0)
		return rc;
	j->seen = true;
	j->same = record_same(&v, j->rec);
	return j->same; /* the same event: no need to look further */
}

/*
 * Look the id up among the events in the viewer's reach: 1 when one is (and *res says duplicate
 * or conflict), 0 when none is (then r->key is the new event's key in ids), <0 on error.
 */
static int check_id(struct store_batch *b, const struct store_event *e,
		    const struct proto_event *cell, const uint8_t *rec, struct resolved *r,
		    struct proto_result *res)
{
	const struct proto_event *ev = e->ev;
	char own[KEY_MAX];
	struct id_judge j = {b, e->viewer, rec, own, id_key(own, ev->id, cell, false),
			     strlen(ev->id), false, false, false};
	int rc = id_each(b->txn, b->s, ev->id, id_judge_one, &j);
	if (rc < 0)
		return b->err = rc;
	if (j.same)
		res->status = PROTO_STATUS_DUPLICATE;
	else if (j.seen)
		fail(res, IKI_ECONFLICT, "id: %s", ev->id);
	else
		r->key_len = id_key(r->key, ev->id, cell, !j.taken);
	return j.seen;
}

/* Append the record to the log under the next sequence number, indexed under r's key. */
static int append(struct store_batch *b, const struct resolved *r, const uint8_t *rec, size_t len)
{
	const struct store *s = b->s;
	uint8_t seq[8];
	put_be64(seq, ++b->events);
	MDB_val k = {8, seq}, v = {len, (void *)rec};
	int rc = mdb_put(b->txn, s->dbi[DB_EVENTS], &k, &v, MDB_APPEND);
	MDB_val ik = {r->key_len, (void *)r->key};
	if (rc == 0)
		rc = mdb_put(b->txn, s->dbi[DB_IDS], &ik, &k, MDB_NOOVERWRITE);
	return b->err = map_err(rc);
}

/* What a correction's ref may name: the events with that id the viewer reaches. */
struct ref_pick {
	struct store_batch *b;
	const struct store_event *e;
	int n, n_match;       /* in reach; of them at the correction's own cell, when it names it */
	uint64_t seq, seq_match;
};

static int ref_pick_one(void *arg, const MDB_val *key, uint64_t seq)
{
	struct ref_pick *p = arg;
	const struct proto_event *ev = p->e->ev;
	struct proto_event x, tmp;
	const struct proto_event *cell;
	uint64_t rs;
	(void)key;
	int rc = event_at(p->b->txn, p->b->s, seq, &x, &rs, NULL, 0, NULL);
	if (rc == 0)
		rc = event_reached(p->b->txn, p->b->s, p->e->viewer, &x, rs);
	if (rc <= 0)
		return rc;
	if ((rc = event_cell(p->b->txn, p->b->s, &x, rs, &tmp, &cell)) < 0)
		return rc == IKI_EREF ? 0 : rc;
	p->n++;
	p->seq = seq;
	if ((!ev->orgunit[0] || !strcmp(ev->orgunit, cell->orgunit)) &&
	    (!ev->element[0] || !strcmp(ev->element, cell->element))) {
		p->n_match++;
		p->seq_match = seq;
	}
	return 0;
}

/* The event e->ev->ref names (exactly at ref_seq, when known): into e; 0 or a storage code. */
static int resolve_ref(struct store_batch *b, uint64_t ref_seq, struct store_event *e)
{
	struct ref_pick p = {b, e, 0, 0, 0, 0};
	int rc = ref_seq ? 0 : id_each(b->txn, b->s, e->ev->ref, ref_pick_one, &p);
	if (rc < 0)
		return b->err = rc;
	if (!ref_seq && p.n > 1 && p.n_match != 1) {
		e->ambiguous = true;
		return 0;
	}
	uint64_t seq = ref_seq ? ref_seq : p.n > 1 ? p.seq_match : p.seq, rs;
	if (!seq)
		return 0;
	rc = event_at(b->txn, b->s, seq, &e->orig, &rs, NULL, 0, NULL);
	if (rc == IKI_EREF)
		return 0;
	if (rc == 0)
		rc = id_key_of(b->txn, b->s, &e->orig, seq, rs, e->orig_key, &e->orig_key_len);
	if (rc < 0)
		return b->err = rc;
	e->has_orig = true;
	e->orig_seq = seq;
	where_find(b->s->cat, &e->orig, &e->orig_at);
	return 0;
}

/* store_resolve, or with the exact place of what a correction corrects (ref_seq; replay). */
static int resolve(struct store_batch *b, const struct proto_event *ev, const struct store_viewer *v,
		   uint64_t ref_seq, struct store_event *e)
{
	memset(e, 0, sizeof(*e));
	e->ev = ev;
	e->viewer = v;
	e->at = e->orig_at = (struct store_where){-1, -1, -1};
	if (b->err)
		return b->err;
	if (ev->err)
		return 0; /* store_apply_event names the broken field */
	where_find(b->s->cat, ev, &e->at);
	return ev->ref[0] ? resolve_ref(b, ref_seq, e) : 0;
}

int store_resolve(struct store_batch *b, const struct proto_event *ev, const struct store_viewer *v,
		  struct store_event *e)
{
	return resolve(b, ev, v, 0, e);
}

/*
 * The event e->ev->ref names, checked as a correction's target: stored (and left so by the
 * caller: see store_event), not a void, not voided already, still valid under the catalog.
 * Fills *ro. Returns 0, or a code with *res set (a storage code when b->err).
 */
static int ref_check(struct store_batch *b, const struct store_event *e, struct resolved *ro,
		     struct proto_result *res)
{
	const struct proto_event *ev = e->ev;
	MDB_val k = {e->orig_key_len, (void *)e->orig_key}, v;
	if (e->ambiguous)
		return refuse(res, IKI_EREF,
			      "Ada lebih dari satu kejadian dengan id %s; sebutkan orgunit dan elemen "
			      "kejadian yang hendak dikoreksi.",
			      ev->ref);
	if (!e->has_orig)
		return fail(res, IKI_EREF, "ref: %s", ev->ref);
	if (e->orig.op == PROTO_OP_VOID)
		return fail(res, IKI_EOP, "%s adalah pembatalan; kirim ulang kejadian aslinya",
			    ev->ref);
	int rc = mdb_get(b->txn, b->s->dbi[DB_VOIDED], &k, &v);
	if (rc == 0)
		return fail(res, IKI_EVOIDED, "%s oleh %.*s", ev->ref,
			    (int)strnlen(v.mv_data, v.mv_size), (const char *)v.mv_data);
	if (rc != MDB_NOTFOUND)
		return b->err = map_err(rc);
	if (event_check(b->s->cat, &e->orig, &e->orig_at, ro, res) < 0)
		return res->code;
	ro->seq = e->orig_seq;
	memcpy(ro->key, e->orig_key, e->orig_key_len);
	ro->key_len = e->orig_key_len;
	return 0;
}

/* Whether a date falls in a locked period (month, quarter or year); sets *res when it does. */
static bool locked(struct store_batch *b, int32_t date, struct proto_result *res)
{
	for (int i = 0; i < N_KINDS; i++) {
		char pid[PERIOD_ID_MAX];
		period_format(period_of_date(date, kinds[i]), pid);
		MDB_val k = {strlen(pid), pid}, v;
		int rc = mdb_get(b->txn, b->s->dbi[DB_LOCKS], &k, &v);
		if (rc == 0) {
			fail(res, IKI_ELOCKED, "periode %s", pid);
			return true;
		}
		if (rc != MDB_NOTFOUND) {
			b->err = map_err(rc);
			return true;
		}
	}
	return false;
}

/*
 * Whether an event (resolved as r) would change a locked period's figures: the periods of its
 * own date and, for a case step, those its case counts in (a close of a case type with
 * count_close = open counts at the open; an open takes its close with it when voided).
 */
static bool touches_lock(struct store_batch *b, const struct proto_event *ev,
			 const struct resolved *r, struct proto_result *res)
{
	if (locked(b, r->date, res))
		return true;
	if (r->ct < 0)
		return false;
	const struct catalog_casetype *ct = &b->s->cat->casetypes[r->ct];
	char key[KEY_MAX];
	struct case_rec c;
	MDB_val kv = {case_key(key, ct->code, ev), key}, v;
	int rc = mdb_get(b->txn, b->s->dbi[DB_CASES], &kv, &v);
	if (rc != 0 || v.mv_size != sizeof(c)) {
		if (rc != 0 && rc != MDB_NOTFOUND)
			b->err = map_err(rc);
		return rc != 0 && rc != MDB_NOTFOUND;
	}
	memcpy(&c, v.mv_data, sizeof(c));
	if (ev->op == PROTO_OP_CLOSE)
		return ct->close_at_open && locked(b, c.opened, res);
	/* an open: what it took with it, were it voided, is its close */
	return c.closed != CASE_OPEN_ONLY && locked(b, ct->close_at_open ? c.opened : c.closed, res);
}

/* Judge and apply one resolved event (store_apply_event without the regrowth). */
static int apply_one(struct store_batch *b, const struct store_event *e, const char *who,
		     struct proto_result *res)
{
	const struct proto_event *ev = e->ev, *orig = &e->orig;
	struct resolved r = {0}, ro = {0};
	uint8_t rec[RECORD_MAX];
	memset(res, 0, sizeof(*res));
	if (b->err)
		return b->err;
	bool is_void = ev->op == PROTO_OP_VOID;
	if (is_void && ev->err)
		return fail(res, ev->err, "kolom '%s'", ev->err_field), 0;
	const char *bad_id = ev->err ? "" : ids_check(ev);
	if (bad_id[0])
		return fail(res, IKI_EFIELD, "kolom '%s': hanya huruf, angka dan %s", bad_id,
			    STORE_ID_PUNCT), 0;
	if (!is_void && (event_check(b->s->cat, ev, &e->at, &r, res) < 0 ||
			 admit_check(b->s->cat, ev, &r, res) < 0))
		return 0;
	/* A void's own record holds no date: what it voids decides that; nor a cell: its cell is
	 * that of what it voids. */
	size_t len = record_build(ev, is_void ? 0 : r.date, b->now_ms, who, e->orig_seq, rec);
	int rc = check_id(b, e, is_void && e->has_orig ? orig : ev, rec, &r, res);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (ev->ref[0] && ref_check(b, e, &ro, res) < 0)
		return b->err;
	if (is_void) {
		struct resolved own = r; /* what it voids decides, but for its key */
		r = ro;
		memcpy(r.key, own.key, own.key_len);
		r.key_len = own.key_len;
		if (ev->element[0] && strcmp(ev->element, orig->element)) /* a check, when given */
			return fail(res, IKI_ECONFLICT, "ref %s: elemen %s", ev->ref, orig->element), 0;
	}
	/* Neither the event nor what it corrects may change a locked period's figures: a new open
	 * has no close yet, so only a correction's target is looked at whole. */
	if ((!is_void && (ev->op == PROTO_OP_OPEN ? locked(b, r.date, res)
						  : touches_lock(b, ev, &r, res))) ||
	    (ev->ref[0] && touches_lock(b, orig, &ro, res)))
		return b->err;
	r.seq = b->events + 1;
	rc = derive(b, ev, &r, orig, &ro);
	if (b->err)
		return b->err;
	if (rc == IKI_EOVERFLOW)
		return fail(res, rc, "%s", ev->ref[0] ? orig->element : ev->element), 0;
	if (rc < 0) {
		fail(res, rc, "case: %s", ev->ref[0] ? orig->case_id : ev->case_id);
		return 0;
	}
	return append(b, &r, rec, len);
}

/* Keep an operation that may have written (r, with who), to do it again once the map grew. */
int redo_keep(struct store_batch *b, const struct redo *r, const char *who)
{
	if (b->n_redo == b->cap_redo) {
		size_t cap = b->cap_redo ? 2 * b->cap_redo : 64;
		struct redo *more = realloc(b->redo, cap * sizeof(*more));
		if (!more)
			return b->err = -ENOMEM;
		b->redo = more;
		b->cap_redo = cap;
	}
	b->redo[b->n_redo] = *r;
	if (!(b->redo[b->n_redo].who = strdup(who ? who : "")))
		return b->err = -ENOMEM;
	b->n_redo++;
	return 0;
}

/* Do a kept operation again. */
static void redo_one(struct store_batch *b, const struct redo *r)
{
	struct proto_result res;
	struct store_target t = r->target;
	struct store_event e;
	if (r->op == REDO_APPLY && store_resolve(b, &r->ev, r->viewer, &e) == 0)
		apply_one(b, &e, r->who, &res);
	else if (r->op == REDO_LOCK)
		lock_one(b, r->period, r->lock, r->who);
	else if (r->op == REDO_NOTE)
		note_redo(b, r);
	else
		target_one(b, &t);
}

/*
 * The map was full (b->err is IKI_EFULL): drop the transaction, grow the map, and do what the
 * batch did so far again in a new one: the same operations on the same committed state, so the
 * same outcome for each. Returns 0 when the batch may go on, else the error that ends it
 * (IKI_EFULL at the maximum size).
 */
int batch_regrow(struct store_batch *b)
{
	while (b->err == IKI_EFULL && !b->whole_log) {
		if (b->txn)
			mdb_txn_abort(b->txn);
		b->txn = NULL;
		int rc = env_grow(b->s);
		if (rc == 0)
			rc = batch_start(b);
		if (rc < 0)
			return b->err = rc;
		b->err = 0;
		for (size_t i = 0; i < b->n_redo && b->err == 0; i++)
			redo_one(b, &b->redo[i]);
	}
	return b->err;
}

int store_apply_event(struct store_batch *b, const struct store_event *e, const char *who,
		      struct proto_result *res)
{
	int rc;
	do
		rc = apply_one(b, e, who, res);
	while (b->err == IKI_EFULL && batch_regrow(b) == 0);
	if (rc == 0 && b->err == 0 && res->status == PROTO_STATUS_OK) {
		struct redo r = {.op = REDO_APPLY, .ev = *e->ev, .viewer = e->viewer};
		redo_keep(b, &r, who);
	}
	return b->err ? b->err : rc;
}

int store_apply(struct store_batch *b, const struct proto_event *ev, const char *who,
		struct proto_result *res)
{
	struct store_event e;
	int rc = store_resolve(b, ev, NULL, &e);
	return rc < 0 ? rc : store_apply_event(b, &e, who, res);
}

/* ---- commit: fold deltas, list the changed indicator values ---- */

static int change_cmp(const void *pa, const void *pb)
{
	const struct store_change *a = pa, *b = pb;
	if (a->indicator != b->indicator)
		return a->indicator < b->indicator ? -1 : 1;
	if (a->orgunit != b->orgunit)
		return a->orgunit < b->orgunit ? -1 : 1;
	if (a->period.kind != b->period.kind)
		return a->period.kind < b->period.kind ? -1 : 1;
	if (a->period.year != b->period.year)
		return a->period.year < b->period.year ? -1 : 1;
	return (a->period.n > b->period.n) - (a->period.n < b->period.n);
}

/* Sort changes by (indicator, org unit, period) and keep each once; returns how many are left. */
static size_t changes_unique(struct store_change *ch, size_t m)
{
	size_t u = 0;
	if (m > 1)
		qsort(ch, m, sizeof(*ch), change_cmp);
	for (size_t i = 0; i < m; i++)
		if (u == 0 || change_cmp(&ch[u - 1], &ch[i]) != 0)
			ch[u++] = ch[i];
	return u;
}

/* Add each slot's delta to its stored sum. Returns how many indicator values may have changed. */
size_t fold(struct store_batch *b)
{
	const struct store *s = b->s;
	size_t touched = 0;
	for (size_t i = 0; i < b->cap && b->err == 0; i++) {
		struct delta *d = &b->slots[i];
		if (!d->used || d->d == 0)
			continue;
		char key[KEY_MAX];
		int64_t x = d->base + d->d; /* within STORE_SUM_MAX: delta_add checked it */
		MDB_val k = {agg_key(s->cat, d->q, d->ou, d->p, key), key}, v = {sizeof(x), &x};
		b->err = map_err(mdb_put(b->txn, s->dbi[DB_AGG], &k, &v, 0));
		touched += (size_t)s->cat->quantities[d->q].n_indicators;
	}
	return touched;
}

/* The indicator values the folded deltas touch, each once, read back and numbered. */
static int changes_list(struct store_batch *b, size_t touched, struct store_change **out, size_t *n)
{
	const struct catalog *cat = b->s->cat;
	struct store_change *ch = calloc(touched * (1 + PERIOD_FED_MAX) + b->n_extra + 1, sizeof(*ch));
	size_t m = 0;
	if (!ch)
		return -ENOMEM;
	for (size_t i = 0; i < b->n_extra; i++)
		ch[m++] = b->extra[i];
	for (size_t i = 0; i < b->cap; i++) {
		const struct delta *d = &b->slots[i];
		if (!d->used || d->d == 0)
			continue;
		const struct catalog_quantity *q = &cat->quantities[d->q];
		struct period fed[1 + PERIOD_FED_MAX] = {d->p};
		int n_fed = 1 + period_cumulative_fed(d->p, q->stock, fed + 1);
		for (int j = 0; j < q->n_indicators; j++)
			for (int f = 0; f < n_fed; f++)
				ch[m++] = (struct store_change){0, q->indicators[j], d->ou, fed[f], 0, 0};
	}
	size_t u = changes_unique(ch, m);
	for (size_t i = 0; i < u; i++) {
		ch[i].seq = ++b->pubseq;
		value_read(b->txn, b->s->dbi[DB_AGG], cat, ch[i].indicator, ch[i].orgunit, ch[i].period,
			   &ch[i].num, &ch[i].den);
	}
	*out = ch;
	*n = u;
	return 0;
}

/*
 * Fold the deltas, list the changes, commit: one try. A batch that wrote nothing (resent events,
 * rejections) has nothing to commit, and so is answered even when the map is full.
 */
static void commit_once(struct store_batch *b, struct store_change **changes, size_t *n_changes)
{
	MDB_dbi meta = b->s->dbi[DB_META];
	size_t touched = fold(b);
	if (b->err == 0 && touched == 0 && b->n_redo == 0 && !b->whole_log &&
	    b->events == b->events_begun) {
		mdb_txn_abort(b->txn);
		b->txn = NULL;
		return;
	}
	if (b->err == 0)
		b->err = changes_list(b, touched, changes, n_changes);
	if (b->err == 0)
		b->err = meta_put(b->txn, meta, "events", b->events);
	if (b->err == 0)
		b->err = meta_put(b->txn, meta, "pubseq", b->pubseq);
	if (b->err == 0) {
		b->err = map_err(mdb_txn_commit(b->txn));
		b->txn = NULL;
	}
}

int store_commit(struct store_batch **bp, struct store_change **changes, size_t *n_changes)
{
	struct store_batch *b = *bp;
	*changes = NULL;
	*n_changes = 0;
	do {
		free(*changes);
		*changes = NULL;
		*n_changes = 0;
		commit_once(b, changes, n_changes);
	} while (b->err == IKI_EFULL && batch_regrow(b) == 0);
	int rc = b->err;
	if (rc < 0) {
		free(*changes);
		*changes = NULL;
		*n_changes = 0;
	}
	store_abort(bp);
	return rc;
}

/* ---- reading ---- */

/* The indicators a query names: one by code, those of a jabatan, or all. */
static int query_select(const struct catalog *cat, const struct proto_query *q, int *sel, size_t *n)
{
	*n = 0;
	if (q->indicator[0]) {
		int i = catalog_indicator_find(cat, q->indicator);
		if (i < 0)
			return IKI_EINDICATOR;
		sel[(*n)++] = i;
		return 0;
	}
	for (int i = 0; i < cat->n_indicators; i++)
		if (!q->jabatan[0] || catalog_indicator_has_jabatan(cat, i, q->jabatan))
			sel[(*n)++] = i;
	return *n ? 0 : IKI_EINDICATOR;
}

static void value_fill(const struct catalog *cat, int i, int ou, struct period p, struct proto_value *v)
{
	snprintf(v->indicator, sizeof(v->indicator), "%s", cat->indicators[i].code);
	snprintf(v->name, sizeof(v->name), "%s", cat->indicators[i].name);
	catalog_indicator_jabatan(cat, i, v->jabatan, sizeof(v->jabatan));
	snprintf(v->orgunit, sizeof(v->orgunit), "%s", cat->orgunits[ou].code);
	period_format(p, v->period);
	v->factor = cat->indicators[i].factor;
}

int store_query(struct store *s, const struct proto_query *q, struct proto_value **out, size_t *n)
{
	const struct catalog *cat = s->cat;
	struct period p;
	int ou = q->orgunit[0] ? catalog_orgunit_find(cat, q->orgunit) : 0;
	if (period_parse(q->period, &p) < 0)
		return IKI_EPERIOD;
	if (ou < 0)
		return IKI_EORGUNIT;
	int *sel = calloc((size_t)cat->n_indicators + 1, sizeof(*sel));
	struct proto_value *vals = calloc((size_t)cat->n_indicators + 1, sizeof(*vals));
	MDB_txn *txn = NULL;
	size_t m = 0;
	int rc = sel && vals ? query_select(cat, q, sel, &m) : -ENOMEM;
	if (rc == 0)
		rc = map_err(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn));
	for (size_t j = 0; rc == 0 && j < m; j++) {
		value_fill(cat, sel[j], ou, p, &vals[j]);
		value_read(txn, s->dbi[DB_AGG], cat, sel[j], ou, p, &vals[j].num, &vals[j].den);
	}
	if (txn)
		mdb_txn_abort(txn);
	free(sel);
	if (rc < 0) {
		free(vals);
		return rc;
	}
	*out = vals;
	*n = m;
	return 0;
}

/* Replay the whole log into a batch whose derived databases were emptied. */
int replay(struct store_batch *b, uint64_t *replayed, uint64_t *skipped)
{
	const struct store *s = b->s;
	int rc = 0;
	/* By sequence number, not with a cursor: a replacement derives in a nested transaction. */
	for (uint64_t seq = 1; rc == 0 && b->err == 0 && seq <= b->events; seq++) {
		struct proto_event ev;
		struct store_event e;
		struct proto_result res;
		struct resolved r = {0}, ro = {0};
		uint8_t key[8];
		put_be64(key, seq);
		MDB_val k = {8, key}, v;
		if ((rc = mdb_get(b->txn, s->dbi[DB_EVENTS], &k, &v)) != 0) {
			rc = rc == MDB_NOTFOUND ? 0 : map_err(rc); /* a hole: nothing to replay */
			continue;
		}
		uint64_t rs, target = 0;
		if ((rc = record_parse_full(&v, &ev, NULL, 0, NULL, &rs)) < 0)
			break;
		/* exactly what it corrected when it was stored (UINT64_MAX: nothing, now) */
		rc = ev.ref[0] ? ref_target(b->txn, s, &ev, rs, &target) : 0;
		if (rc == IKI_EREF)
			target = UINT64_MAX;
		if ((rc < 0 && rc != IKI_EREF) || (rc = resolve(b, &ev, NULL, target, &e)) < 0)
			break;
		bool ok = ev.op == PROTO_OP_VOID || event_check(s->cat, &ev, &e.at, &r, &res) == 0;
		if (ok && ev.ref[0])
			ok = ref_check(b, &e, &ro, &res) == 0;
		if (ok && ev.op == PROTO_OP_VOID)
			r = ro;
		if (ok && ev.ref[0] &&
		    (rc = id_key_of(b->txn, s, &ev, seq, rs, r.key, &r.key_len)) < 0)
			break;
		r.seq = seq;
		if (!ok || derive(b, &ev, &r, &e.orig, &ro) != 0) {
			rc = b->err;
			(*skipped)++;
			continue;
		}
		(*replayed)++;
	}
	return rc < 0 ? rc : b->err;
}

/* The derived databases: what store_rebuild recomputes, and store_verify compares. */
const int derived[N_DERIVED] = {DB_CASES, DB_LATEST, DB_AGG, DB_VOIDED, DB_STATES};

/* store_rebuild in one transaction; IKI_EFULL when the map is too small for it. */
static int rebuild_once(struct store *s, uint64_t *replayed, uint64_t *skipped)
{
	struct store_batch *b;
	struct store_change *ch = NULL;
	size_t n = 0;
	*replayed = *skipped = 0;
	int rc = store_begin(s, &b);
	if (rc < 0)
		return rc;
	b->whole_log = true;
	for (size_t i = 0; rc == 0 && i < sizeof(derived) / sizeof(derived[0]); i++)
		rc = map_err(mdb_drop(b->txn, s->dbi[derived[i]], 0));
	if (rc == 0)
		rc = replay(b, replayed, skipped);
	if (rc < 0) {
		store_abort(&b);
		return rc;
	}
	rc = store_commit(&b, &ch, &n); /* the values it lists are not published: nobody is listening */
	free(ch);
	return rc;
}

int store_rebuild(struct store *s, uint64_t *replayed, uint64_t *skipped)
{
	int rc;
	do
		rc = rebuild_once(s, replayed, skipped);
	while (rc == IKI_EFULL && env_grow(s) == 0);
	return rc;
}

/* Whether a snapshot asks for the value of indicator i at (ou, p). */
static bool snapshot_wants(const struct catalog *cat, const struct proto_query *q, int i, int ou,
			   const char *period)
{
	if (q->indicator[0] && strcmp(q->indicator, cat->indicators[i].code) != 0)
		return false;
	if (q->jabatan[0] && !catalog_indicator_has_jabatan(cat, i, q->jabatan))
		return false;
	if (q->orgunit[0] && strcmp(q->orgunit, cat->orgunits[ou].code) != 0)
		return false;
	return !q->period[0] || strcmp(q->period, period) == 0;
}

/* Append the change of (i, ou, p) to *ch (m used of cap, doubling). Returns 0 or -ENOMEM. */
static int change_push(struct store_change **ch, size_t *m, size_t *cap, int i, int ou,
		       struct period p)
{
	if (*m == *cap) {
		size_t more = *cap ? 2 * *cap : 256;
		struct store_change *bigger = realloc(*ch, more * sizeof(**ch));
		if (!bigger)
			return -ENOMEM;
		*ch = bigger;
		*cap = more;
	}
	(*ch)[(*m)++] = (struct store_change){0, i, ou, p, 0, 0};
	return 0;
}

/* Walk the sums: every (indicator, org unit, period) with data that the query wants, once. */
static int snapshot_collect(MDB_txn *txn, MDB_dbi dbi, const struct catalog *cat,
			    const struct proto_query *q, struct store_change **out, size_t *n)
{
	MDB_cursor *cur;
	MDB_val k, v;
	size_t cap = 0, m = 0;
	struct store_change *ch = NULL;
	int rc = map_err(mdb_cursor_open(txn, dbi, &cur));
	for (int op = MDB_FIRST; rc == 0 && mdb_cursor_get(cur, &k, &v, op) == 0; op = MDB_NEXT) {
		char key[KEY_MAX + 1];
		struct period p;
		if (k.mv_size > KEY_MAX)
			continue;
		memcpy(key, k.mv_data, k.mv_size);
		key[k.mv_size] = '\0';
		const char *ou_code = key + strlen(key) + 1;
		const char *period = ou_code + strlen(ou_code) + 1;
		if ((size_t)(period - key) > k.mv_size)
			continue;
		int qi = catalog_quantity_find(cat, key), ou = catalog_orgunit_find(cat, ou_code);
		if (qi < 0 || ou < 0 || period_parse(period, &p) < 0)
			continue; /* data of a quantity or org unit the catalog no longer has */
		/* the stored period, and the cumulative ones it feeds (they have data when it has) */
		struct period fed[1 + PERIOD_FED_MAX] = {p};
		int n_fed = 1 + period_cumulative_fed(p, cat->quantities[qi].stock, fed + 1);
		for (int f = 0; f < n_fed && rc == 0; f++) {
			char pid[PERIOD_ID_MAX];
			period_format(fed[f], pid);
			for (int j = 0; j < cat->quantities[qi].n_indicators; j++) {
				int i = cat->quantities[qi].indicators[j];
				if (snapshot_wants(cat, q, i, ou, pid) &&
				    (rc = change_push(&ch, &m, &cap, i, ou, fed[f])) < 0)
					break;
			}
		}
	}
	mdb_cursor_close(cur);
	if (rc < 0) {
		free(ch);
		return rc;
	}
	*out = ch;
	*n = changes_unique(ch, m);
	return 0;
}

/* A snapshot cursor, "<indicator>/<org unit>/<period>" (an update's topic), as a change's key. */
static int cursor_parse(const struct catalog *cat, const char *after, struct store_change *key)
{
	char buf[PROTO_CURSOR_MAX + 1];
	snprintf(buf, sizeof(buf), "%s", after);
	char *ou = strchr(buf, '/'), *period = ou ? strchr(ou + 1, '/') : NULL;
	if (!period)
		return IKI_EFIELD;
	*ou++ = '\0';
	*period++ = '\0';
	*key = (struct store_change){0, catalog_indicator_find(cat, buf), catalog_orgunit_find(cat, ou),
				     {0}, 0, 0};
	if (key->indicator < 0 || key->orgunit < 0 || period_parse(period, &key->period) < 0)
		return IKI_EFIELD;
	return 0;
}

/* The cut of the sorted changes a page takes: [*first, *first + *m); the cursor after it. */
static int page_cut(const struct catalog *cat, struct store_page *pg, const struct store_change *ch,
		    size_t n, size_t *first, size_t *m)
{
	struct store_change key;
	*first = 0;
	if (pg->after && pg->after[0]) {
		int rc = cursor_parse(cat, pg->after, &key);
		if (rc < 0)
			return rc;
		while (*first < n && change_cmp(&ch[*first], &key) <= 0)
			(*first)++;
	}
	size_t limit = pg->limit ? pg->limit : n;
	*m = n - *first < limit ? n - *first : limit;
	pg->next[0] = '\0';
	if (*first + *m < n) { /* more after this page: its last value is the cursor */
		const struct store_change *last = &ch[*first + *m - 1];
		char pid[PERIOD_ID_MAX];
		period_format(last->period, pid);
		snprintf(pg->next, sizeof(pg->next), "%s/%s/%s", cat->indicators[last->indicator].code,
			 cat->orgunits[last->orgunit].code, pid);
	}
	return 0;
}

int query_check(const struct catalog *cat, const struct proto_query *q)
{
	struct period p;
	if (q->period[0] && period_parse(q->period, &p) < 0)
		return IKI_EPERIOD;
	if (q->orgunit[0] && catalog_orgunit_find(cat, q->orgunit) < 0)
		return IKI_EORGUNIT;
	if (q->indicator[0] && catalog_indicator_find(cat, q->indicator) < 0)
		return IKI_EINDICATOR;
	return 0;
}

/* Values of changes ch[0 .. m) read in txn, into a new array *out. */
static int snapshot_values(MDB_txn *txn, const struct store *s, const struct store_change *ch,
			   size_t m, struct proto_value **out)
{
	const struct catalog *cat = s->cat;
	struct proto_value *vals = calloc(m ? m : 1, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (size_t i = 0; i < m; i++) {
		struct proto_value *v = &vals[i];
		snprintf(v->indicator, sizeof(v->indicator), "%s", cat->indicators[ch[i].indicator].code);
		snprintf(v->orgunit, sizeof(v->orgunit), "%s", cat->orgunits[ch[i].orgunit].code);
		period_format(ch[i].period, v->period);
		v->factor = cat->indicators[ch[i].indicator].factor;
		value_read(txn, s->dbi[DB_AGG], cat, ch[i].indicator, ch[i].orgunit, ch[i].period,
			   &v->num, &v->den);
	}
	*out = vals;
	return 0;
}

int store_snapshot_page(struct store *s, const struct proto_query *q, struct store_page *pg,
			struct proto_value **out, size_t *n, uint64_t *seq)
{
	struct store_change *ch = NULL;
	MDB_txn *txn = NULL;
	size_t all = 0, first = 0, m = 0;
	int rc = query_check(s->cat, q);
	if (rc < 0)
		return rc;
	if ((rc = map_err(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn))) < 0)
		return rc;
	*seq = meta_get(txn, s->dbi[DB_META], "pubseq");
	rc = snapshot_collect(txn, s->dbi[DB_AGG], s->cat, q, &ch, &all);
	if (rc == 0)
		rc = page_cut(s->cat, pg, ch, all, &first, &m);
	if (rc == 0)
		rc = snapshot_values(txn, s, ch + first, m, out);
	mdb_txn_abort(txn);
	free(ch);
	*n = rc == 0 ? m : 0;
	return rc;
}

int store_snapshot(struct store *s, const struct proto_query *q, struct proto_value **out,
		   size_t *n, uint64_t *seq)
{
	struct store_page pg = {.limit = PROTO_VALUES_MAX + 1};
	int rc = store_snapshot_page(s, q, &pg, out, n, seq);
	if (rc == 0 && *n > PROTO_VALUES_MAX) {
		free(*out);
		*out = NULL;
		*n = 0;
		rc = IKI_ETOOBIG;
	}
	return rc;
}

int store_stats(struct store *s, uint64_t *events, uint64_t *pubseq)
{
	MDB_txn *txn;
	int rc = map_err(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn));
	if (rc < 0)
		return rc;
	*events = meta_get(txn, s->dbi[DB_META], "events");
	*pubseq = meta_get(txn, s->dbi[DB_META], "pubseq");
	mdb_txn_abort(txn);
	return 0;
}

