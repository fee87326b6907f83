/* store_record.c: the store's formats: the event record, the keys, big-endian numbers, the meta
 * counters, and the event ids (which key an event is indexed under). Part of the storage module
 * (store_int.h). */
#include <string.h>

#include "iki.h"
#include "store_int.h"

const enum period_kind st_kinds[ST_N_KINDS] = {PERIOD_MONTH, PERIOD_QUARTER, PERIOD_YEAR};
const char *const st_db_names[ST_DB_COUNT] = {"meta",   "events", "ids",   "cases",  "latest",
					       "agg",    "voided", "states", "locks", "targets",
					       "notes"};

/* The derived databases: what store_rebuild recomputes, and store_verify compares. */
const int st_derived[ST_N_DERIVED] = {ST_DB_CASES, ST_DB_LATEST, ST_DB_AGG, ST_DB_VOIDED,
				      ST_DB_STATES};

/* ---- numbers and meta counters ---- */

void st_put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

uint64_t st_get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

uint64_t st_meta_get(MDB_txn *txn, MDB_dbi dbi, const char *name)
{
	MDB_val k = {strlen(name), (void *)name}, v;
	if (mdb_get(txn, dbi, &k, &v) != 0 || v.mv_size != 8)
		return 0;
	return st_get_be64(v.mv_data);
}

int st_meta_put(MDB_txn *txn, MDB_dbi dbi, const char *name, uint64_t val)
{
	uint8_t buf[8];
	st_put_be64(buf, val);
	MDB_val k = {strlen(name), (void *)name}, v = {8, buf};
	return st_map_err(mdb_put(txn, dbi, &k, &v, 0));
}

/* ---- keys ---- */

/* "<a>\0<b>\0<c>" into buf; returns the length. Codes are bounded, so ST_KEY_MAX always fits. */
size_t st_key3(char *buf, const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	memcpy(buf, a, la + 1);
	memcpy(buf + la + 1, b, lb + 1);
	memcpy(buf + la + lb + 2, c, lc);
	return la + lb + 2 + lc;
}

size_t st_case_key(char *buf, const char *casetype, const struct proto_event *ev)
{
	return st_key3(buf, casetype, ev->case_id, ev->orgunit);
}

/*
 * Split a key "<a>\0<b>\0<c>" (its first ST_KEY_MAX bytes, copied into buf, which holds
 * ST_KEY_MAX + 1) into its three parts: a part that would begin past its end is "" at its end.
 * Returns how many bytes were copied.
 */
size_t st_key_split(const MDB_val *k, char *buf, const char *part[3])
{
	size_t n = k->mv_size < ST_KEY_MAX ? k->mv_size : ST_KEY_MAX;
	memcpy(buf, k->mv_data, n);
	buf[n] = '\0';
	part[0] = buf;
	for (int i = 1; i < 3; i++) {
		size_t off = (size_t)(part[i - 1] - buf) + strlen(part[i - 1]) + 1;
		part[i] = off <= n ? buf + off : buf + n;
	}
	return n;
}

size_t st_agg_key(const struct catalog *cat, int q, int ou, struct period p, char *buf)
{
	char pid[PERIOD_ID_MAX];
	period_format(p, pid);
	return st_key3(buf, cat->quantities[q].code, cat->orgunits[ou].code, pid);
}

/* The states index key of (q, ou) up to the date and sequence: "<q>\0<ou>\0" date seq. */
size_t st_state_key(const struct catalog *cat, int q, int ou, int32_t date, uint64_t seq,
		    char *buf)
{
	size_t n = st_key3(buf, cat->quantities[q].code, cat->orgunits[ou].code, "") + 1;
	buf[n - 1] = '\0';
	uint32_t d = (uint32_t)date ^ 0x80000000u; /* sorts as signed */
	for (int i = 3; i >= 0; i--, d >>= 8)
		buf[n + (size_t)i] = (char)(d & 0xff);
	st_put_be64((uint8_t *)buf + n + 4, seq);
	return n + 12;
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

size_t st_record_build(const struct proto_event *ev, int32_t date, uint64_t ms, const char *who,
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
 * Read an event back from its record (the inverse of st_record_build), with who sent it and when,
 * and the sequence number of the event a correction corrects (0: not a correction, or an older
 * record). who, ms and ref_seq may be NULL. Returns 0 or IKI_ESTORAGE.
 */
int st_record_parse_full(const MDB_val *v, struct proto_event *ev, char *who, size_t who_size,
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

/* Whether a stored record holds the same content as a new one. */
bool st_record_same(const MDB_val *stored, const uint8_t *rec)
{
	size_t content = 4 + ((size_t)rec[0] << 24 | (size_t)rec[1] << 16 | (size_t)rec[2] << 8 | rec[3]);
	return stored->mv_size >= content && memcmp(stored->mv_data, rec, content) == 0;
}

/* ---- event ids: one per cell, among the events a key reaches ---- */

/*
 * ids maps an event's key to its place in the log. The key is the event's id, or, when another
 * event took that id first, "<id>\0<org unit>\0<element>" of the event's cell (its org unit and
 * element or case type; a void's are those of the event it voids). An id names one event among
 * those the asker reaches (store_viewer): a clerk's id is its own whatever other villages chose,
 * and a key never learns that an event it does not reach exists.
 */

int st_record_at(MDB_txn *txn, const struct store *s, uint64_t seq, MDB_val *v)
{
	uint8_t key[8];
	st_put_be64(key, seq);
	MDB_val k = {8, key};
	int rc = mdb_get(txn, s->dbi[ST_DB_EVENTS], &k, v);
	return rc == MDB_NOTFOUND ? IKI_EREF : st_map_err(rc);
}

int st_event_at(MDB_txn *txn, const struct store *s, uint64_t seq, struct proto_event *ev,
		uint64_t *ref_seq, char *who, size_t who_size, uint64_t *ms)
{
	MDB_val v;
	int rc = st_record_at(txn, s, seq, &v);
	return rc ? rc : st_record_parse_full(&v, ev, who, who_size, ms, ref_seq);
}

/* The place in the log of the event indexed under key (len bytes); IKI_EREF when none. */
int st_id_seq(MDB_txn *txn, const struct store *s, const char *key, size_t len, uint64_t *seq)
{
	MDB_val k = {len, (void *)key}, v;
	int rc = mdb_get(txn, s->dbi[ST_DB_IDS], &k, &v);
	if (rc == MDB_NOTFOUND)
		return IKI_EREF;
	if (rc == 0 && v.mv_size != 8)
		rc = MDB_CORRUPTED;
	if (rc != 0)
		return st_map_err(rc);
	*seq = st_get_be64(v.mv_data);
	return 0;
}

int st_ref_target(MDB_txn *txn, const struct store *s, const struct proto_event *ev,
		  uint64_t ref_seq, uint64_t *seq)
{
	if (!ev->ref[0])
		return IKI_EREF;
	if (ref_seq) {
		*seq = ref_seq;
		return 0;
	}
	return st_id_seq(txn, s, ev->ref, strlen(ev->ref), seq); /* an older record: ids were one */
}

/* The event whose org unit and element are ev's cell: ev, or (into *buf) the one a void voids. */
int st_event_cell(MDB_txn *txn, const struct store *s, const struct proto_event *ev,
		  uint64_t ref_seq, struct proto_event *buf, const struct proto_event **cell)
{
	uint64_t t;
	*cell = ev;
	if (ev->op != PROTO_OP_VOID)
		return 0;
	int rc = st_ref_target(txn, s, ev, ref_seq, &t);
	if (rc == 0)
		rc = st_event_at(txn, s, t, buf, NULL, NULL, 0, NULL);
	if (rc == 0)
		*cell = buf;
	return rc;
}

/* The key of an event with this id in cell: the id itself when plain, else the cell's. */
size_t st_id_key(char *buf, const char *id, const struct proto_event *cell, bool plain)
{
	size_t n = strlen(id);
	if (plain) {
		memcpy(buf, id, n + 1);
		return n;
	}
	return st_key3(buf, id, cell->orgunit, cell->element);
}

int st_id_key_of(MDB_txn *txn, const struct store *s, const struct proto_event *ev, uint64_t seq,
		 uint64_t ref_seq, char *buf, size_t *len)
{
	uint64_t at;
	struct proto_event tmp;
	const struct proto_event *cell = ev;
	int rc = st_id_seq(txn, s, ev->id, strlen(ev->id), &at);
	bool plain = rc == 0 && at == seq;
	if (rc < 0 && rc != IKI_EREF)
		return rc;
	if (!plain && (rc = st_event_cell(txn, s, ev, ref_seq, &tmp, &cell)) < 0)
		return rc;
	*len = st_id_key(buf, ev->id, cell, plain);
	return 0;
}

/*
 * A walk of the keys of an id: the plain key sorts first, then "<id>\0<org unit>\0...": ids
 * hold no NUL. The walk covers the keys starting with prefix (n bytes): "<id>" and, after it, a
 * NUL or nothing; or "<id>\0<org unit>\0" for one org unit's.
 */
struct id_walk {
	const char *prefix;
	size_t n;
	bool cell; /* prefix is "<id>\0<org unit>\0" */
	int (*fn)(void *arg, const MDB_val *key, uint64_t seq);
	void *arg;
	bool past; /* past the id's keys */
};

static int id_one(void *arg, const MDB_val *k, const MDB_val *v)
{
	struct id_walk *w = arg;
	const char *kp = k->mv_data;
	if (k->mv_size < w->n || memcmp(kp, w->prefix, w->n) != 0 ||
	    (!w->cell && k->mv_size > w->n && kp[w->n] != '\0'))
		return w->past = true;
	return v->mv_size == 8 ? w->fn(w->arg, k, st_get_be64(v->mv_data)) : IKI_ESTORAGE;
}

static int id_walk_from(MDB_txn *txn, const struct store *s, struct id_walk *w)
{
	MDB_val from = {w->n, (void *)w->prefix};
	int rc = st_each(txn, s->dbi[ST_DB_IDS], &from, id_one, w);
	return w->past ? 0 : rc;
}

int st_id_each(MDB_txn *txn, const struct store *s, const char *id, const struct store_viewer *v,
	       int (*fn)(void *arg, const MDB_val *key, uint64_t seq), void *arg)
{
	struct id_walk w = {id, strlen(id), false, fn, arg, false};
	if (!v || !v->one_ou || v->ou < 0 || v->ou >= s->cat->n_orgunits)
		return id_walk_from(txn, s, &w);
	uint64_t seq;
	int rc = st_id_seq(txn, s, id, w.n, &seq); /* the plain key: any org unit's */
	MDB_val plain = {w.n, (void *)id};
	if (rc == 0 && (rc = fn(arg, &plain, seq)) != 0)
		return rc;
	if (rc < 0 && rc != IKI_EREF)
		return rc;
	char prefix[ST_KEY_MAX];
	w.n = st_key3(prefix, id, s->cat->orgunits[v->ou].code, ""); /* "<id>\0<ou>\0" */
	w.prefix = prefix;
	w.cell = true;
	return id_walk_from(txn, s, &w);
}

int st_event_reached(MDB_txn *txn, const struct store *s, const struct store_viewer *v,
		     const struct proto_event *ev, uint64_t ref_seq)
{
	struct proto_event tmp;
	const struct proto_event *cell;
	struct store_where at;
	if (!v || !v->reaches)
		return 1;
	int rc = st_event_cell(txn, s, ev, ref_seq, &tmp, &cell);
	if (rc < 0)
		return rc == IKI_EREF ? 0 : rc;
	st_where_find(s->cat, cell, &at);
	return v->reaches(v->arg, &at);
}
