/* store_admin.c: what an admin keeps in the store beside the log: locks, targets and notes; and
 * the histories of an id and of a value. Part of the storage module (store_int.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iki.h"
#include "store_int.h"

/* ---- locks and history ---- */

/* Lock or unlock a period (store_lock's operation, see struct st_redo). */
static int lock_op(struct store_batch *b, const struct st_redo *r, void *out)
{
	struct period p;
	char pid[PERIOD_ID_MAX];
	(void)out;
	if (b->err)
		return b->err;
	if (period_parse(r->period, &p) < 0 || period_is_cumulative(p))
		return IKI_EPERIOD; /* a cumulative period is locked by locking its months */
	period_format(p, pid);
	MDB_val k = {strlen(pid), pid}, v;
	int rc = mdb_get(b->txn, b->s->dbi[ST_DB_LOCKS], &k, &v);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return b->err = st_map_err(rc);
	if ((rc == 0) == r->lock)
		return 1; /* already so */
	if (!r->lock)
		return b->err = st_map_err(mdb_del(b->txn, b->s->dbi[ST_DB_LOCKS], &k, NULL));
	uint8_t rec[8 + PROTO_TEXT_MAX];
	size_t n = strlen(r->who) < PROTO_TEXT_MAX ? strlen(r->who) : PROTO_TEXT_MAX;
	st_put_be64(rec, b->now_ms);
	memcpy(rec + 8, r->who, n);
	v = (MDB_val){8 + n, rec};
	return b->err = st_map_err(mdb_put(b->txn, b->s->dbi[ST_DB_LOCKS], &k, &v, 0));
}

int store_lock(struct store_batch *b, const char *period, bool lock, const char *who)
{
	struct st_redo r = {.op = lock_op, .who = who, .lock = lock};
	if (snprintf(r.period, sizeof(r.period), "%s", period) >= (int)sizeof(r.period))
		return b->err ? b->err : IKI_EPERIOD; /* longer than any period id */
	return st_write(b, &r, NULL);
}

/* An array a read makes: n of cap elements. */
struct list {
	void *arr;
	size_t n, cap;
};

/* Append elem (size bytes) to l, doubling from first: 0 or -ENOMEM. */
static int list_add(struct list *l, const void *elem, size_t size, size_t first)
{
	void *arr = st_push(l->arr, &l->n, &l->cap, first, elem, size);
	if (!arr)
		return -ENOMEM;
	l->arr = arr;
	return 0;
}

/* The end of a read that made l (rc its code): 0 and *n, or rc with l freed. */
static int list_end(int rc, struct list *l, size_t *n)
{
	if (rc < 0) {
		free(l->arr);
		return rc;
	}
	*n = l->n;
	return 0;
}

static int lock_take(void *arg, const MDB_val *k, const MDB_val *v)
{
	struct proto_lock y = {0};
	if (k->mv_size >= PERIOD_ID_MAX || v->mv_size < 8)
		return 0;
	memcpy(y.period, k->mv_data, k->mv_size);
	y.at_ms = st_get_be64(v->mv_data);
	size_t wn = v->mv_size - 8 < sizeof(y.who) - 1 ? v->mv_size - 8 : sizeof(y.who) - 1;
	memcpy(y.who, (const char *)v->mv_data + 8, wn);
	return list_add(arg, &y, sizeof(y), 16);
}

int store_locks(struct store *s, struct proto_lock **out, size_t *n)
{
	struct list l = {0};
	int rc = list_end(st_read_each(s, ST_DB_LOCKS, lock_take, &l), &l, n);
	if (rc == 0)
		*out = l.arr;
	return rc;
}

/* Whether a stored close, not voided itself, went with its case (whose open was voided). */
static bool close_dropped(MDB_txn *txn, const struct store *s, const struct proto_stored *x)
{
	char key[ST_KEY_MAX];
	struct st_case c;
	MDB_val k, v;
	if (x->ev.op != PROTO_OP_CLOSE || x->voided_by[0] ||
	    catalog_casetype_find(s->cat, x->ev.element) < 0)
		return false;
	k = (MDB_val){st_case_key(key, x->ev.element, &x->ev), key};
	if (mdb_get(txn, s->dbi[ST_DB_CASES], &k, &v) != 0 || v.mv_size != sizeof(c))
		return true;
	memcpy(&c, v.mv_data, sizeof(c));
	return c.close_seq != x->seq;
}

/* What a history of an id gathers: the chains of the events with that id the viewer reaches. */
struct chains {
	MDB_txn *txn;
	const struct store *s;
	const char *id;
	const struct store_viewer *v;
	struct proto_stored *h;
	size_t n;
	uint64_t first[STORE_HISTORY_MAX]; /* the chains taken, by their first event */
	size_t n_first;
	bool all_reached;                  /* the chain being taken */
	char next[ST_KEY_MAX];                /* the key of what voided the event last added, or "" */
	size_t next_len;
};

/*
 * Fill what a history tells of x (stored with ref_seq) beside the event: what voided it (into
 * x->voided_by its id; into key, when not NULL, its key in ids) and whether it was dropped.
 */
static int history_note(MDB_txn *txn, const struct store *s, struct proto_stored *x,
			uint64_t ref_seq, char *key, size_t *key_len)
{
	char own[ST_KEY_MAX];
	size_t own_len;
	int rc = st_id_key_of(txn, s, &x->ev, x->seq, ref_seq, own, &own_len);
	MDB_val k = {own_len, own}, v;
	if (key_len)
		*key_len = 0;
	if (rc == 0 && (rc = mdb_get(txn, s->dbi[ST_DB_VOIDED], &k, &v)) == 0 && v.mv_size < ST_KEY_MAX) {
		size_t id_len = strnlen(v.mv_data, v.mv_size); /* a key: "<id>" or "<id>\0<cell>" */
		if (id_len < sizeof(x->voided_by))
			memcpy(x->voided_by, v.mv_data, id_len);
		if (key) {
			memcpy(key, v.mv_data, v.mv_size);
			*key_len = v.mv_size;
		}
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc < 0 ? rc : st_map_err(rc);
	x->dropped = close_dropped(txn, s, x);
	return 0;
}

/* Add the stored event at seq to the chain being taken (at most STORE_HISTORY_MAX in all). */
static int chain_add(struct chains *c, uint64_t seq)
{
	if (c->n == STORE_HISTORY_MAX)
		return 1;
	struct proto_stored *x = &c->h[c->n];
	uint64_t rs;
	memset(x, 0, sizeof(*x));
	x->seq = seq;
	int rc = st_event_at(c->txn, c->s, seq, &x->ev, &rs, x->who, sizeof(x->who), &x->at_ms);
	if (rc == 0)
		rc = st_event_reached(c->txn, c->s, c->v, &x->ev, rs);
	if (rc < 0)
		return rc;
	c->all_reached &= rc == 1;
	c->n++;
	return history_note(c->txn, c->s, x, rs, c->next, &c->next_len);
}

/* Take the chain of the event at seq (an event with the id), unless taken already. */
static int chain_take(void *arg, const MDB_val *key, uint64_t seq)
{
	struct chains *c = arg;
	uint64_t first = seq, rs, up;
	struct proto_event ev;
	int rc = 0;
	(void)key;
	/* Back to the first event of the chain (each correction names what it corrects)... */
	for (int hops = 0; rc == 0 && hops < STORE_HISTORY_MAX; hops++) {
		if ((rc = st_event_at(c->txn, c->s, first, &ev, &rs, NULL, 0, NULL)) < 0)
			return rc;
		if ((rc = st_ref_target(c->txn, c->s, &ev, rs, &up)) == 0)
			first = up;
	}
	if (rc < 0 && rc != IKI_EREF)
		return rc;
	for (size_t i = 0; i < c->n_first; i++)
		if (c->first[i] == first)
			return 0;
	if (c->n_first < STORE_HISTORY_MAX)
		c->first[c->n_first++] = first;
	/* ... then forward, through what voided or replaced each. */
	size_t start = c->n;
	c->all_reached = true;
	rc = chain_add(c, first);
	while (rc == 0 && c->next_len > 0) {
		if ((rc = st_id_seq(c->txn, c->s, c->next, c->next_len, &seq)) == 0)
			rc = chain_add(c, seq);
	}
	if (!c->all_reached)
		c->n = start; /* one out of the viewer's reach: as if the chain were not there */
	return rc;
}

static int chains_read(MDB_txn *txn, const struct store *s, void *arg)
{
	struct chains *c = arg;
	c->txn = txn;
	return st_id_each(txn, s, c->id, c->v, chain_take, c);
}

int store_history(struct store *s, const char *id, const struct store_viewer *v,
		  struct proto_stored **out, size_t *n)
{
	struct chains c = {.s = s, .id = id, .v = v, .h = calloc(STORE_HISTORY_MAX, sizeof(*c.h))};
	if (!c.h)
		return -ENOMEM;
	int rc = st_read(s, chains_read, &c);
	if (rc == 0 && c.n == 0)
		rc = -ENOENT;
	if (rc < 0) {
		free(c.h);
		return rc == IKI_EREF ? -ENOENT : rc;
	}
	*out = c.h;
	*n = c.n;
	return 0;
}

/* Whether element code (an element or a case type) feeds indicator ind. */
static bool feeds(const struct catalog *cat, int ind, const char *code)
{
	const struct catalog_indicator *x = &cat->indicators[ind];
	for (int side = 0; side < 2; side++)
		for (int t = 0; t < (side ? x->n_den : x->n_num); t++) {
			const char *q = cat->quantities[side ? x->den[t] : x->num[t]].code;
			size_t n = strlen(code);
			if (!strncmp(q, code, n) && (q[n] == '\0' || q[n] == '.'))
				return true;
		}
	return false;
}

/* Whether org unit ou is root or under it. */
static bool under(const struct catalog *cat, int ou, int root)
{
	for (; ou >= 0; ou = cat->orgunits[ou].parent)
		if (ou == root)
			return true;
	return false;
}

/* What a value's history takes: events of (ind, ou or under it, dates first ... last). */
struct history_want {
	const struct catalog *cat;
	int ind, ou;
	int32_t first, last;
	const struct store_viewer *v;
};

/* Whether a (non-void) event counts in the value (a close by its own date). */
static bool history_takes(const struct history_want *w, const struct proto_event *ev)
{
	int32_t date;
	int o = catalog_orgunit_find(w->cat, ev->orgunit);
	return ev->op != PROTO_OP_VOID && o >= 0 && under(w->cat, o, w->ou) &&
	       feeds(w->cat, w->ind, ev->element) && period_date_parse(ev->date, &date) == 0 &&
	       date >= w->first && date <= w->last;
}

/*
 * Whether the stored event x (stored with ref_seq) is in the history: it counts, or it voids one
 * that does; and the viewer reaches it.
 */
static int history_in(MDB_txn *txn, const struct store *s, const struct history_want *w,
		      const struct proto_stored *x, uint64_t ref_seq, bool *in)
{
	struct proto_event orig;
	uint64_t seq;
	int rc = 0;
	*in = false;
	if (x->ev.op != PROTO_OP_VOID)
		*in = history_takes(w, &x->ev);
	else if ((rc = st_ref_target(txn, s, &x->ev, ref_seq, &seq)) == 0 &&
		 (rc = st_event_at(txn, s, seq, &orig, NULL, NULL, 0, NULL)) == 0)
		*in = history_takes(w, &orig);
	if (rc == IKI_EREF)
		return 0;
	if (rc == 0 && *in && (rc = st_event_reached(txn, s, w->v, &x->ev, ref_seq)) >= 0) {
		*in = rc == 1;
		rc = 0;
	}
	return rc;
}

/* A history cursor: the log sequence number of the page's last event, in decimal. */
static int history_cursor(const char *after, uint64_t *seq)
{
	char *end;
	*seq = 0;
	if (!after || !after[0])
		return 0;
	if (strspn(after, "0123456789") != strlen(after) || strlen(after) > 19)
		return IKI_EFIELD;
	*seq = strtoull(after, &end, 10);
	return 0;
}

/* A page of a value's history being read: its events into h (at most limit), next when more. */
struct history_page {
	MDB_txn *txn;
	const struct store *s;
	const struct history_want *w;
	uint64_t after;
	struct store_page *pg;
	struct proto_stored *h;
	size_t m, limit;
};

static int history_take(void *arg, const MDB_val *k, const MDB_val *v)
{
	struct history_page *p = arg;
	struct proto_stored x = {0};
	uint64_t rs;
	bool in;
	int rc = st_record_parse_full(v, &x.ev, x.who, sizeof(x.who), &x.at_ms, &rs);
	if (rc == 0)
		rc = history_in(p->txn, p->s, p->w, &x, rs, &in);
	if (rc < 0 || !in)
		return rc;
	if (p->m == p->limit) { /* one more: this page ends at the last one taken */
		snprintf(p->pg->next, sizeof(p->pg->next), "%llu",
			 (unsigned long long)p->h[p->m - 1].seq);
		return 1;
	}
	x.seq = st_get_be64(k->mv_data);
	if ((rc = history_note(p->txn, p->s, &x, rs, NULL, NULL)) < 0)
		return rc;
	p->h[p->m++] = x;
	return 0;
}

/* The whole log from after the page's cursor, in order: a kecamatan's years of it are read in
 * well under a second. */
static int history_read(MDB_txn *txn, const struct store *s, void *arg)
{
	struct history_page *p = arg;
	uint8_t start[8];
	st_put_be64(start, p->after + 1);
	MDB_val from = {8, start};
	p->txn = txn;
	int rc = st_each(txn, s->dbi[ST_DB_EVENTS], &from, history_take, p);
	return rc < 0 ? rc : 0;
}

int store_history_page(struct store *s, int ind, int ou, struct period p,
		       const struct store_viewer *v, struct store_page *pg, struct proto_stored **out,
		       size_t *n)
{
	struct history_want w = {s->cat, ind, ou, 0, 0, v};
	struct history_page hp = {.s = s, .w = &w, .pg = pg};
	hp.limit = pg->limit && pg->limit < PROTO_EVENTS_MAX ? pg->limit : PROTO_EVENTS_MAX;
	period_bounds(p, &w.first, &w.last);
	pg->next[0] = '\0';
	int rc = history_cursor(pg->after, &hp.after);
	if (rc < 0)
		return rc;
	if (!(hp.h = calloc(hp.limit, sizeof(*hp.h))))
		return -ENOMEM;
	rc = st_read(s, history_read, &hp);
	if (rc < 0) {
		free(hp.h);
		return rc;
	}
	*out = hp.h;
	*n = hp.m;
	return 0;
}

int store_history_value(struct store *s, int ind, int ou, struct period p,
			struct proto_stored **out, size_t *n, bool *more)
{
	struct store_page pg = {0};
	int rc = store_history_page(s, ind, ou, p, NULL, &pg, out, n);
	*more = rc == 0 && pg.next[0];
	return rc;
}

/* ---- targets ---- */

/* Publish the value of (ind, ou, p) with this batch, though its sums may not change. */
static int extra_add(struct store_batch *b, int ind, int ou, struct period p)
{
	struct store_change c = {0, ind, ou, p, 0, 0};
	struct store_change *x = st_push(b->extra, &b->n_extra, &b->cap_extra, 32, &c, sizeof(c));
	if (!x)
		return b->err = -ENOMEM;
	b->extra = x;
	return 0;
}

static size_t target_key(const struct catalog *cat, int ind, int ou, struct period p, char *buf)
{
	char pid[PERIOD_ID_MAX];
	period_format(p, pid);
	return st_key3(buf, cat->indicators[ind].code, cat->orgunits[ou].code, pid);
}

/*
 * List for publishing the values of period q a target decides: at its own org unit, and at every
 * org unit under it that inherits it and has data (one with a target of its own publishes the
 * same value again, harmlessly; one without data has nothing to show).
 */
static void target_extras(struct store_batch *b, const struct store_target *t, struct period q)
{
	const struct catalog *cat = b->s->cat;
	extra_add(b, t->ind, t->ou, q);
	for (int ou = 0; ou < cat->n_orgunits && b->err == 0; ou++)
		if (ou != t->ou && under(cat, ou, t->ou) && st_value_has_data(b->txn, b->s, t->ind, ou, q))
			extra_add(b, t->ind, ou, q);
}

/* Set a target (store_target_put's operation, see struct st_redo), each try from it as given. */
static int target_op(struct store_batch *b, const struct st_redo *r, void *out)
{
	const struct store *s = b->s;
	struct store_target again, *t = out ? out : &again;
	char key[ST_KEY_MAX];
	uint8_t rec[24 + PROTO_TEXT_MAX];
	*t = r->target;
	if (b->err)
		return b->err;
	MDB_val k = {target_key(s->cat, t->ind, t->ou, t->p, key), key}, v;
	int rc = mdb_get(b->txn, s->dbi[ST_DB_TARGETS], &k, &v);
	if (rc == 0 && v.mv_size >= 16)
		t->original = (int64_t)st_get_be64((const uint8_t *)v.mv_data + 8);
	else if (rc != MDB_NOTFOUND)
		return b->err = st_map_err(rc);
	size_t wn = strnlen(t->who, sizeof(t->who));
	st_put_be64(rec, (uint64_t)t->target);
	st_put_be64(rec + 8, (uint64_t)t->original);
	st_put_be64(rec + 16, b->now_ms);
	memcpy(rec + 24, t->who, wn);
	t->at_ms = b->now_ms;
	v = (MDB_val){24 + wn, rec};
	if ((b->err = st_map_err(mdb_put(b->txn, s->dbi[ST_DB_TARGETS], &k, &v, 0))) < 0)
		return b->err;
	/* The values it decides: the period's, and those of the quarters and months inside it. */
	int32_t first, last;
	period_bounds(t->p, &first, &last);
	for (int i = 0; i < ST_N_KINDS && st_kinds[i] <= t->p.kind; i++) {
		for (int32_t d = first; d <= last && b->err == 0;) {
			struct period q = period_of_date(d, st_kinds[i]);
			int32_t qf, ql;
			period_bounds(q, &qf, &ql);
			target_extras(b, t, q);
			if (q.kind != PERIOD_YEAR) /* and its cumulative twin, whose target it is */
				target_extras(b, t, (struct period){q.kind == PERIOD_MONTH ? PERIOD_MONTH_SD
											: PERIOD_QUARTER_SD,
								    q.year, q.n});
			d = ql + 1;
		}
	}
	return b->err;
}

int store_target_put(struct store_batch *b, struct store_target *t)
{
	struct st_redo r = {.op = target_op, .target = *t}; /* who: in the target */
	return st_write(b, &r, t);
}

/* The targets read so far, of the catalog's indicators and org units. */
struct targets {
	const struct catalog *cat;
	struct list l;
};

static int target_take(void *arg, const MDB_val *k, const MDB_val *v)
{
	struct targets *x = arg;
	char key[ST_KEY_MAX + 1];
	const char *part[3];
	if (k->mv_size > ST_KEY_MAX || v->mv_size < 24)
		return 0;
	st_key_split(k, key, part);
	struct store_target y = {.ind = catalog_indicator_find(x->cat, part[0]),
				 .ou = catalog_orgunit_find(x->cat, part[1])};
	if (y.ind < 0 || y.ou < 0 || period_parse(part[2], &y.p) < 0)
		return 0; /* an indicator or org unit the catalog no longer has */
	const uint8_t *r = v->mv_data;
	y.target = (int64_t)st_get_be64(r);
	y.original = (int64_t)st_get_be64(r + 8);
	y.at_ms = st_get_be64(r + 16);
	size_t wn = v->mv_size - 24 < sizeof(y.who) - 1 ? v->mv_size - 24 : sizeof(y.who) - 1;
	memcpy(y.who, r + 24, wn);
	return list_add(&x->l, &y, sizeof(y), 32);
}

int store_targets(struct store *s, struct store_target **out, size_t *n)
{
	struct targets x = {.cat = s->cat};
	int rc = list_end(st_read_each(s, ST_DB_TARGETS, target_take, &x), &x.l, n);
	if (rc == 0)
		*out = x.l.arr;
	return rc;
}


/* ---- notes: the analysis of a value, every version kept ---- */

/* "<indicator>\0<orgunit>\0<period>\0": the prefix of a note's versions. */
static size_t note_prefix(const char *ind, const char *ou, const char *pid, char *buf)
{
	size_t n = st_key3(buf, ind, ou, pid);
	buf[n++] = '\0';
	return n;
}

/* The versions of a note counted so far: those with its prefix (len bytes). */
struct versions {
	const char *prefix;
	size_t len;
	uint32_t count;
};

static int version_count(void *arg, const MDB_val *k, const MDB_val *v)
{
	struct versions *x = arg;
	(void)v;
	if (k->mv_size != x->len + 4 || memcmp(k->mv_data, x->prefix, x->len) != 0)
		return 1; /* past them */
	x->count++;
	return 0;
}

/* The number of versions stored under prefix (of size len): 0 or a code. */
static int note_versions(MDB_txn *txn, MDB_dbi dbi, const char *prefix, size_t len,
			 uint32_t *count)
{
	struct versions x = {prefix, len, 0};
	MDB_val from = {len, (void *)prefix};
	int rc = st_each(txn, dbi, &from, version_count, &x);
	*count = x.count;
	return rc < 0 ? rc : 0;
}

/* Write a note (store_note_put's operation, see struct st_redo). */
static int note_op(struct store_batch *b, const struct st_redo *r, void *out)
{
	const struct store *s = b->s;
	struct store_note again, *n = out ? out : &again;
	char key[ST_KEY_MAX + 8], pid[PERIOD_ID_MAX];
	uint8_t rec[9 + 64 + PROTO_COMMENT_MAX];
	uint32_t count;
	*n = r->note;
	if (b->err)
		return b->err;
	period_format(n->p, pid);
	size_t len = note_prefix(s->cat->indicators[n->ind].code, s->cat->orgunits[n->ou].code, pid,
				 key);
	int rc = note_versions(b->txn, s->dbi[ST_DB_NOTES], key, len, &count);
	if (rc < 0)
		return b->err = rc;
	key[len] = (char)(count >> 24);
	key[len + 1] = (char)(count >> 16);
	key[len + 2] = (char)(count >> 8);
	key[len + 3] = (char)count;
	size_t wn = strnlen(n->who, sizeof(n->who) - 1), tn = strlen(n->text);
	st_put_be64(rec, b->now_ms);
	rec[8] = (uint8_t)wn;
	memcpy(rec + 9, n->who, wn);
	memcpy(rec + 9 + wn, n->text, tn);
	n->at_ms = b->now_ms;
	MDB_val k = {len + 4, key}, v = {9 + wn + tn, rec};
	return b->err = st_map_err(mdb_put(b->txn, s->dbi[ST_DB_NOTES], &k, &v, 0));
}

int store_note_put(struct store_batch *b, struct store_note *n)
{
	struct st_redo r = {.op = note_op, .note = *n}; /* who: in the note */
	return st_write(b, &r, n);
}

/* A stored note's key and record into x; false when it is not one (or names nothing known). */
static bool note_parse(const struct catalog *cat, const MDB_val *k, const MDB_val *v,
		       struct proto_note *x)
{
	char key[ST_KEY_MAX + 1];
	const char *part[3];
	if (k->mv_size < 4 + 6 || k->mv_size > ST_KEY_MAX || v->mv_size < 9 ||
	    v->mv_size < 9 + (size_t)((const uint8_t *)v->mv_data)[8])
		return false;
	MDB_val codes = {k->mv_size - 4, k->mv_data}; /* the key without its version */
	st_key_split(&codes, key, part);
	if (!part[2][0] || catalog_indicator_find(cat, part[0]) < 0 ||
	    catalog_orgunit_find(cat, part[1]) < 0)
		return false;
	memset(x, 0, sizeof(*x));
	/* the codes the catalog knows fit; the precision says so to the compiler */
	snprintf(x->indicator, sizeof(x->indicator), "%.*s", (int)sizeof(x->indicator) - 1, part[0]);
	snprintf(x->orgunit, sizeof(x->orgunit), "%.*s", (int)sizeof(x->orgunit) - 1, part[1]);
	snprintf(x->period, sizeof(x->period), "%.*s", (int)sizeof(x->period) - 1, part[2]);
	const uint8_t *r = v->mv_data;
	size_t wn = r[8], tn = v->mv_size - 9 - wn;
	x->at_ms = st_get_be64(r);
	memcpy(x->who, r + 9, wn < sizeof(x->who) ? wn : sizeof(x->who) - 1);
	memcpy(x->text, r + 9 + wn, tn < sizeof(x->text) ? tn : sizeof(x->text) - 1);
	return true;
}

/* Whether note x is one q names (a field "" is any). */
static bool note_wanted(const struct proto_query *q, const struct proto_note *x)
{
	return (!q->indicator[0] || !strcmp(q->indicator, x->indicator)) &&
	       (!q->orgunit[0] || !strcmp(q->orgunit, x->orgunit)) &&
	       (!q->period[0] || !strcmp(q->period, x->period));
}

/* The notes read so far: the last version of each (every version, for a history). */
struct notes {
	const struct catalog *cat;
	const struct proto_query *q;
	bool history;
	struct list l;
};

static int note_take(void *arg, const MDB_val *k, const MDB_val *v)
{
	struct notes *x = arg;
	struct proto_note y;
	if (!note_parse(x->cat, k, v, &y) || !note_wanted(x->q, &y))
		return 0;
	struct proto_note *last = x->l.n ? (struct proto_note *)x->l.arr + x->l.n - 1 : NULL;
	if (last && !x->history && !strcmp(last->indicator, y.indicator) &&
	    !strcmp(last->orgunit, y.orgunit) && !strcmp(last->period, y.period)) {
		*last = y; /* a later version of the last note: it stands instead */
		return 0;
	}
	if (x->l.n == (size_t)PROTO_VALUES_MAX)
		return 1; /* the most an answer holds */
	return list_add(&x->l, &y, sizeof(y), 16);
}

/* The list: cleared notes are gone; a history: every version, newest first. */
static size_t notes_kept(struct proto_note *t, size_t m, bool history)
{
	size_t kept = 0;
	for (size_t i = 0; i < m; i++)
		if (history || t[i].text[0])
			t[kept++] = t[i];
	for (size_t i = 0; history && i < kept / 2; i++) {
		struct proto_note x = t[i];
		t[i] = t[kept - 1 - i];
		t[kept - 1 - i] = x;
	}
	return kept;
}

int store_notes(struct store *s, const struct proto_query *q, bool history,
		struct proto_note **out, size_t *n)
{
	struct proto_query one = *q;
	struct notes x = {s->cat, &one, history, {0}};
	int rc = st_query_check(s->cat, q);
	if (rc < 0)
		return rc;
	if (history && !one.orgunit[0]) /* one note: the root's when no org unit is named */
		snprintf(one.orgunit, sizeof(one.orgunit), "%s", s->cat->orgunits[0].code);
	if (!s->no_notes) /* read only, and no notes database yet: none to read */
		rc = st_read_each(s, ST_DB_NOTES, note_take, &x);
	if ((rc = list_end(rc, &x.l, n)) == 0) {
		*out = x.l.arr;
		*n = notes_kept(*out, *n, history);
	}
	return rc;
}
