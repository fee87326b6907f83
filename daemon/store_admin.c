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

int store_locks(struct store *s, struct proto_lock **out, size_t *n)
{
	MDB_txn *txn = NULL; /* mdb_txn_begin leaves it alone when it fails */
	MDB_cursor *cur;
	MDB_val k, v;
	size_t m = 0, cap = 0;
	struct proto_lock *l = NULL;
	int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc == 0 && (rc = mdb_cursor_open(txn, s->dbi[ST_DB_LOCKS], &cur)) == 0) {
		int op = MDB_FIRST;
		for (; rc == 0 && (rc = mdb_cursor_get(cur, &k, &v, op)) == 0; op = MDB_NEXT) {
			if (k.mv_size >= PERIOD_ID_MAX || v.mv_size < 8)
				continue;
			if (m == cap) {
				struct proto_lock *more = realloc(l, (cap = cap ? 2 * cap : 16) * sizeof(*l));
				if (!more) {
					rc = ENOMEM;
					break;
				}
				l = more;
			}
			struct proto_lock *li = &l[m++];
			memset(li, 0, sizeof(*li));
			memcpy(li->period, k.mv_data, k.mv_size);
			li->at_ms = st_get_be64(v.mv_data);
			size_t wn = v.mv_size - 8 < sizeof(li->who) - 1 ? v.mv_size - 8 : sizeof(li->who) - 1;
			memcpy(li->who, (const char *)v.mv_data + 8, wn);
		}
		rc = rc == MDB_NOTFOUND ? 0 : rc; /* the end; any other code: a partial list, refused */
		mdb_cursor_close(cur);
	}
	if (txn)
		mdb_txn_abort(txn);
	if (rc != 0) {
		free(l);
		return rc == ENOMEM ? -ENOMEM : st_map_err(rc);
	}
	*out = l;
	*n = m;
	return 0;
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

int store_history(struct store *s, const char *id, const struct store_viewer *v,
		  struct proto_stored **out, size_t *n)
{
	struct chains c = {.s = s, .v = v, .h = calloc(STORE_HISTORY_MAX, sizeof(*c.h))};
	if (!c.h)
		return -ENOMEM;
	int rc = st_map_err(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &c.txn));
	if (rc == 0)
		rc = st_id_each(c.txn, s, id, chain_take, &c);
	if (c.txn)
		mdb_txn_abort(c.txn);
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

/* Walk the log from after seq: the page's events into h (at most limit), next when more. */
static int history_walk(MDB_txn *txn, const struct store *s, const struct history_want *w,
			uint64_t after, struct store_page *pg, size_t limit, struct proto_stored *h,
			size_t *m)
{
	MDB_cursor *cur = NULL;
	uint8_t start[8];
	st_put_be64(start, after + 1);
	MDB_val k = {8, start}, v;
	int rc = st_map_err(mdb_cursor_open(txn, s->dbi[ST_DB_EVENTS], &cur));
	/* The whole log, in order: a kecamatan's years of it are read in well under a second. */
	int got = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE) : MDB_NOTFOUND;
	for (; rc == 0 && got == 0; got = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		struct proto_stored x = {0};
		uint64_t rs;
		bool in;
		if ((rc = st_record_parse_full(&v, &x.ev, x.who, sizeof(x.who), &x.at_ms, &rs)) < 0 ||
		    (rc = history_in(txn, s, w, &x, rs, &in)) < 0 || !in)
			continue;
		if (*m == limit) { /* one more: this page ends at the last one taken */
			snprintf(pg->next, sizeof(pg->next), "%llu", (unsigned long long)h[*m - 1].seq);
			break;
		}
		x.seq = st_get_be64(k.mv_data);
		if ((rc = history_note(txn, s, &x, rs, NULL, NULL)) < 0)
			break;
		h[(*m)++] = x;
	}
	if (rc == 0 && got != 0 && got != MDB_NOTFOUND)
		rc = st_map_err(got); /* a cursor error: not a shorter history */
	if (cur)
		mdb_cursor_close(cur);
	return rc;
}

int store_history_page(struct store *s, int ind, int ou, struct period p,
		       const struct store_viewer *v, struct store_page *pg, struct proto_stored **out,
		       size_t *n)
{
	struct history_want w = {s->cat, ind, ou, 0, 0, v};
	MDB_txn *txn = NULL; /* mdb_txn_begin leaves it alone when it fails */
	size_t m = 0, limit = pg->limit && pg->limit < PROTO_EVENTS_MAX ? pg->limit : PROTO_EVENTS_MAX;
	uint64_t after;
	period_bounds(p, &w.first, &w.last);
	pg->next[0] = '\0';
	int rc = history_cursor(pg->after, &after);
	if (rc < 0)
		return rc;
	struct proto_stored *h = calloc(limit, sizeof(*h));
	if (!h)
		return -ENOMEM;
	rc = st_map_err(mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn));
	if (rc == 0)
		rc = history_walk(txn, s, &w, after, pg, limit, h, &m);
	if (txn)
		mdb_txn_abort(txn);
	if (rc < 0) {
		free(h);
		return rc;
	}
	*out = h;
	*n = m;
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
	if (b->n_extra == b->cap_extra) {
		size_t cap = b->cap_extra ? 2 * b->cap_extra : 32;
		struct store_change *x = realloc(b->extra, cap * sizeof(*x));
		if (!x)
			return b->err = -ENOMEM;
		b->extra = x;
		b->cap_extra = cap;
	}
	b->extra[b->n_extra++] = (struct store_change){0, ind, ou, p, 0, 0};
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

int store_targets(struct store *s, struct store_target **out, size_t *n)
{
	MDB_txn *txn = NULL; /* mdb_txn_begin leaves it alone when it fails */
	MDB_cursor *cur;
	MDB_val k, v;
	size_t m = 0, cap = 0;
	struct store_target *t = NULL;
	int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
	if (rc == 0 && (rc = mdb_cursor_open(txn, s->dbi[ST_DB_TARGETS], &cur)) == 0) {
		int op = MDB_FIRST;
		for (; rc == 0 && (rc = mdb_cursor_get(cur, &k, &v, op)) == 0; op = MDB_NEXT) {
			char key[ST_KEY_MAX + 1];
			if (k.mv_size > ST_KEY_MAX || v.mv_size < 24)
				continue;
			memcpy(key, k.mv_data, k.mv_size);
			key[k.mv_size] = '\0';
			const char *ou = key + strlen(key) + 1, *pid = ou + strlen(ou) + 1;
			struct store_target x = {.ind = catalog_indicator_find(s->cat, key),
						 .ou = catalog_orgunit_find(s->cat, ou)};
			if ((size_t)(pid - key) > k.mv_size || x.ind < 0 || x.ou < 0 ||
			    period_parse(pid, &x.p) < 0)
				continue; /* an indicator or org unit the catalog no longer has */
			x.target = (int64_t)st_get_be64(v.mv_data);
			x.original = (int64_t)st_get_be64((const uint8_t *)v.mv_data + 8);
			x.at_ms = st_get_be64((const uint8_t *)v.mv_data + 16);
			size_t wn = v.mv_size - 24 < sizeof(x.who) - 1 ? v.mv_size - 24 : sizeof(x.who) - 1;
			memcpy(x.who, (const char *)v.mv_data + 24, wn);
			if (m == cap) {
				struct store_target *more = realloc(t, (cap = cap ? 2 * cap : 32) * sizeof(*t));
				if (!more) {
					rc = ENOMEM;
					break;
				}
				t = more;
			}
			t[m++] = x;
		}
		rc = rc == MDB_NOTFOUND ? 0 : rc; /* the end; any other code: a partial list, refused */
		mdb_cursor_close(cur);
	}
	if (txn)
		mdb_txn_abort(txn);
	if (rc != 0) {
		free(t);
		return rc == ENOMEM ? -ENOMEM : st_map_err(rc);
	}
	*out = t;
	*n = m;
	return 0;
}


/* ---- notes: the analysis of a value, every version kept ---- */

/* "<indicator>\0<orgunit>\0<period>\0": the prefix of a note's versions. */
static size_t note_prefix(const char *ind, const char *ou, const char *pid, char *buf)
{
	size_t n = st_key3(buf, ind, ou, pid);
	buf[n++] = '\0';
	return n;
}

/* The number of versions stored under prefix (k: the prefix, of size len). */
static int note_versions(MDB_txn *txn, MDB_dbi dbi, const char *prefix, size_t len,
			 uint32_t *count)
{
	MDB_cursor *cur;
	MDB_val k = {len, (void *)prefix}, v;
	*count = 0;
	int rc = mdb_cursor_open(txn, dbi, &cur);
	if (rc != 0)
		return rc;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != len + 4 || memcmp(k.mv_data, prefix, len) != 0)
			break;
		(*count)++;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : rc;
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
	if (rc != 0)
		return b->err = st_map_err(rc);
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
	char key[ST_KEY_MAX + 8];
	if (k->mv_size < 4 + 6 || k->mv_size > ST_KEY_MAX || v->mv_size < 9 ||
	    v->mv_size < 9 + (size_t)((const uint8_t *)v->mv_data)[8])
		return false;
	memcpy(key, k->mv_data, k->mv_size - 4);
	key[k->mv_size - 4] = '\0';
	const char *ou = key + strlen(key) + 1, *pid = ou + strlen(ou) + 1;
	if ((size_t)(pid - key) >= k->mv_size - 4 || catalog_indicator_find(cat, key) < 0 ||
	    catalog_orgunit_find(cat, ou) < 0)
		return false;
	memset(x, 0, sizeof(*x));
	/* the codes the catalog knows fit; the precision says so to the compiler */
	snprintf(x->indicator, sizeof(x->indicator), "%.*s", (int)sizeof(x->indicator) - 1, key);
	snprintf(x->orgunit, sizeof(x->orgunit), "%.*s", (int)sizeof(x->orgunit) - 1, ou);
	snprintf(x->period, sizeof(x->period), "%.*s", (int)sizeof(x->period) - 1, pid);
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

int store_notes(struct store *s, const struct proto_query *q, bool history,
		struct proto_note **out, size_t *n)
{
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc = st_query_check(s->cat, q);
	if (rc < 0)
		return rc;
	struct proto_query one = *q;
	if (history && !one.orgunit[0]) /* one note: the root's when no org unit is named */
		snprintf(one.orgunit, sizeof(one.orgunit), "%s", s->cat->orgunits[0].code);
	q = &one;
	struct proto_note *t = calloc(16, sizeof(*t)), x;
	size_t m = 0, cap = 16;
	rc = !t ? ENOMEM : s->no_notes ? MDB_NOTFOUND : st_read_begin(s->env, &txn);
	if (rc == 0)
		rc = mdb_cursor_open(txn, s->dbi[ST_DB_NOTES], &cur);
	for (int op = MDB_FIRST; rc == 0 && (rc = mdb_cursor_get(cur, &k, &v, op)) == 0;
	     op = MDB_NEXT) {
		if (!note_parse(s->cat, &k, &v, &x) || !note_wanted(q, &x))
			continue;
		bool same = m > 0 && !strcmp(t[m - 1].indicator, x.indicator) &&
			    !strcmp(t[m - 1].orgunit, x.orgunit) && !strcmp(t[m - 1].period, x.period);
		if (same && !history) { /* a later version of the last note: it stands instead */
			t[m - 1] = x;
			continue;
		}
		if (m == (size_t)PROTO_VALUES_MAX)
			break; /* the most an answer holds */
		if (m == cap) {
			struct proto_note *more = realloc(t, (cap *= 2) * sizeof(*t));
			if (!more) {
				rc = ENOMEM;
				break;
			}
			t = more;
		}
		t[m++] = x;
	}
	if (cur)
		mdb_cursor_close(cur);
	if (txn)
		mdb_txn_abort(txn);
	rc = rc == MDB_NOTFOUND ? 0 : rc;
	if (rc != 0) {
		free(t);
		return rc == ENOMEM ? -ENOMEM : st_map_err(rc);
	}
	size_t kept = 0; /* the list: cleared notes are gone; a history: newest first */
	for (size_t i = 0; i < m; i++)
		if (history || t[i].text[0])
			t[kept++] = t[i];
	for (size_t i = 0; history && i < kept / 2; i++) {
		x = t[i];
		t[i] = t[kept - 1 - i];
		t[kept - 1 - i] = x;
	}
	*out = t;
	*n = kept;
	return 0;
}
