/* store_apply.c: applying an event inside a batch: resolving it, judging it (id, correction,
 * locks), deriving and appending it; and the replay of the whole log (rebuild). Part of the
 * storage module (store_int.h). */
#include <stdlib.h>
#include <string.h>

#include "iki.h"
#include "store_int.h"

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
	MDB_val v;
	j->taken |= key->mv_size == j->id_len;
	int rc = st_record_at(j->b->txn, j->b->s, seq, &v);
	if (rc < 0)
		return rc == IKI_EREF ? IKI_ESTORAGE : rc; /* an id of no event: corrupted */
	if ((rc = st_record_parse_full(&v, &ev, NULL, 0, NULL, &rs)) < 0)
		return rc;
	/* the event's own cell is in reach: it was authorised for it */
	bool own = key->mv_size == j->own_len && !memcmp(key->mv_data, j->own, j->own_len);
	if (!own && (rc = st_event_reached(j->b->txn, j->b->s, j->v, &ev, rs)) <= 0)
		return rc;
	j->seen = true;
	j->same = st_record_same(&v, j->rec);
	return j->same; /* the same event: no need to look further */
}

/*
 * Look the id up among the events in the viewer's reach: 1 when one is (and *res says duplicate
 * or conflict), 0 when none is (then r->key is the new event's key in ids), <0 on error.
 */
static int check_id(struct store_batch *b, const struct store_event *e,
		    const struct proto_event *cell, const uint8_t *rec, struct st_resolved *r,
		    struct proto_result *res)
{
	const struct proto_event *ev = e->ev;
	char own[ST_KEY_MAX];
	struct id_judge j = {b, e->viewer, rec, own, st_id_key(own, ev->id, cell, false),
			     strlen(ev->id), false, false, false};
	int rc = st_id_each(b->txn, b->s, ev->id, e->viewer, id_judge_one, &j);
	if (rc < 0)
		return b->err = rc;
	if (j.same)
		res->status = PROTO_STATUS_DUPLICATE;
	else if (j.seen)
		st_fail(res, IKI_ECONFLICT, "id: %s", ev->id);
	else
		r->key_len = st_id_key(r->key, ev->id, cell, !j.taken);
	return j.seen;
}

/* Append the record to the log under the next sequence number, indexed under r's key. */
static int append(struct store_batch *b, const struct st_resolved *r, const uint8_t *rec,
		  size_t len)
{
	const struct store *s = b->s;
	uint8_t seq[8];
	st_put_be64(seq, ++b->events);
	MDB_val k = {8, seq}, v = {len, (void *)rec};
	int rc = mdb_put(b->txn, s->dbi[ST_DB_EVENTS], &k, &v, MDB_APPEND);
	MDB_val ik = {r->key_len, (void *)r->key};
	if (rc == 0)
		rc = mdb_put(b->txn, s->dbi[ST_DB_IDS], &ik, &k, MDB_NOOVERWRITE);
	return b->err = st_map_err(rc);
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
	int rc = st_event_at(p->b->txn, p->b->s, seq, &x, &rs, NULL, 0, NULL);
	if (rc == 0)
		rc = st_event_reached(p->b->txn, p->b->s, p->e->viewer, &x, rs);
	if (rc <= 0)
		return rc;
	if ((rc = st_event_cell(p->b->txn, p->b->s, &x, rs, &tmp, &cell)) < 0)
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
	int rc = ref_seq ? 0 : st_id_each(b->txn, b->s, e->ev->ref, e->viewer, ref_pick_one, &p);
	if (rc < 0)
		return b->err = rc;
	if (!ref_seq && p.n > 1 && p.n_match != 1) {
		e->ambiguous = true;
		return 0;
	}
	uint64_t seq = ref_seq ? ref_seq : p.n > 1 ? p.seq_match : p.seq, rs;
	if (!seq)
		return 0;
	rc = st_event_at(b->txn, b->s, seq, &e->orig, &rs, NULL, 0, NULL);
	if (rc == IKI_EREF)
		return 0;
	if (rc == 0)
		rc = st_id_key_of(b->txn, b->s, &e->orig, seq, rs, e->orig_key, &e->orig_key_len);
	if (rc < 0)
		return b->err = rc;
	e->has_orig = true;
	e->orig_seq = seq;
	st_where_find(b->s->cat, &e->orig, &e->orig_at);
	return 0;
}

/* store_resolve, or with the exact place of what a correction corrects (ref_seq; st_replay). */
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
	st_where_find(b->s->cat, ev, &e->at);
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
static int ref_check(struct store_batch *b, const struct store_event *e, struct st_resolved *ro,
		     struct proto_result *res)
{
	const struct proto_event *ev = e->ev;
	MDB_val k = {e->orig_key_len, (void *)e->orig_key}, v;
	if (e->ambiguous)
		return st_refuse(res, IKI_EREF,
				 "Ada lebih dari satu kejadian dengan id %s; sebutkan orgunit dan elemen "
			      "kejadian yang hendak dikoreksi.",
			      ev->ref);
	if (!e->has_orig)
		return st_fail(res, IKI_EREF, "ref: %s", ev->ref);
	if (e->orig.op == PROTO_OP_VOID)
		return st_refuse(res, IKI_EOP,
				 "Kejadian %s adalah pembatalan, dan pembatalan tidak dapat dibatalkan "
				 "atau diganti; untuk menghitung lagi kejadian yang dibatalkannya, kirim "
				 "ulang kejadian itu dengan ID baru.",
				 ev->ref);
	int rc = mdb_get(b->txn, b->s->dbi[ST_DB_VOIDED], &k, &v);
	if (rc == 0)
		return st_fail(res, IKI_EVOIDED, "%s oleh %.*s", ev->ref,
			       (int)strnlen(v.mv_data, v.mv_size), (const char *)v.mv_data);
	if (rc != MDB_NOTFOUND)
		return b->err = st_map_err(rc);
	if (st_event_check(b->s->cat, &e->orig, &e->orig_at, ro, res) < 0)
		return res->code;
	ro->seq = e->orig_seq;
	memcpy(ro->key, e->orig_key, e->orig_key_len);
	ro->key_len = e->orig_key_len;
	return 0;
}

/* Whether a date falls in a locked period (month, quarter or year); sets *res when it does. */
static bool locked(struct store_batch *b, int32_t date, struct proto_result *res)
{
	for (int i = 0; i < ST_N_KINDS; i++) {
		char pid[PERIOD_ID_MAX];
		period_format(period_of_date(date, st_kinds[i]), pid);
		MDB_val k = {strlen(pid), pid}, v;
		int rc = mdb_get(b->txn, b->s->dbi[ST_DB_LOCKS], &k, &v);
		if (rc == 0) {
			st_fail(res, IKI_ELOCKED, "periode %s", pid);
			return true;
		}
		if (rc != MDB_NOTFOUND) {
			b->err = st_map_err(rc);
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
			 const struct st_resolved *r, struct proto_result *res)
{
	if (locked(b, r->date, res))
		return true;
	if (r->ct < 0)
		return false;
	const struct catalog_casetype *ct = &b->s->cat->casetypes[r->ct];
	char key[ST_KEY_MAX];
	struct st_case c;
	MDB_val kv = {st_case_key(key, ct->code, ev), key}, v;
	int rc = mdb_get(b->txn, b->s->dbi[ST_DB_CASES], &kv, &v);
	if (rc != 0 || v.mv_size != sizeof(c)) {
		if (rc != 0 && rc != MDB_NOTFOUND)
			b->err = st_map_err(rc);
		return rc != 0 && rc != MDB_NOTFOUND;
	}
	memcpy(&c, v.mv_data, sizeof(c));
	if (ev->op == PROTO_OP_CLOSE)
		return ct->close_at_open && locked(b, c.opened, res);
	/* an open: what it took with it, were it voided, is its close */
	return c.closed != ST_CASE_OPEN && locked(b, ct->close_at_open ? c.opened : c.closed, res);
}

/* Judge and apply one resolved event (store_apply_event without the regrowth). */
static int apply_one(struct store_batch *b, const struct store_event *e, const char *who,
		     struct proto_result *res)
{
	const struct proto_event *ev = e->ev, *orig = &e->orig;
	struct st_resolved r = {0}, ro = {0};
	uint8_t rec[ST_RECORD_MAX];
	memset(res, 0, sizeof(*res));
	if (b->err)
		return b->err;
	bool is_void = ev->op == PROTO_OP_VOID;
	if (is_void && ev->err)
		return st_fail(res, ev->err, "kolom '%s'", ev->err_field), 0;
	const char *bad_id = ev->err ? "" : st_ids_check(ev);
	if (bad_id[0])
		return st_fail(res, IKI_EFIELD, "kolom '%s': hanya huruf, angka dan %s", bad_id,
			       STORE_ID_PUNCT), 0;
	if (!is_void && (st_event_check(b->s->cat, ev, &e->at, &r, res) < 0 ||
			 st_admit_check(b->s->cat, ev, &r, res) < 0))
		return 0;
	/* A void's own record holds no date: what it voids decides that; nor a cell: its cell is
	 * that of what it voids. */
	size_t len = st_record_build(ev, is_void ? 0 : r.date, b->now_ms, who, e->orig_seq, rec);
	int rc = check_id(b, e, is_void && e->has_orig ? orig : ev, rec, &r, res);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	if (ev->ref[0] && ref_check(b, e, &ro, res) < 0)
		return b->err;
	if (is_void) {
		struct st_resolved own = r; /* what it voids decides, but for its key */
		r = ro;
		memcpy(r.key, own.key, own.key_len);
		r.key_len = own.key_len;
		if (ev->element[0] && strcmp(ev->element, orig->element)) /* a check, when given */
			return st_refuse(res, IKI_ECONFLICT,
					 "Kejadian %s yang hendak dibatalkan bukan data %s, melainkan "
					 "%s; periksa ID dan elemennya.",
					 ev->ref, ev->element, orig->element),
			       0;
	}
	/* Neither the event nor what it corrects may change a locked period's figures: a new open
	 * has no close yet, so only a correction's target is looked at whole. */
	if ((!is_void && (ev->op == PROTO_OP_OPEN ? locked(b, r.date, res)
						  : touches_lock(b, ev, &r, res))) ||
	    (ev->ref[0] && touches_lock(b, orig, &ro, res)))
		return b->err;
	r.seq = b->events + 1;
	rc = st_derive(b, ev, &r, orig, &ro);
	if (b->err)
		return b->err;
	if (rc == IKI_EOVERFLOW)
		return st_fail(res, rc, "%s", ev->ref[0] ? orig->element : ev->element), 0;
	if (rc < 0) {
		st_fail(res, rc, "case: %s", ev->ref[0] ? orig->case_id : ev->case_id);
		return 0;
	}
	return append(b, &r, rec, len);
}

/* What applying an event answers, the first time (a redo answers no one). */
struct apply_out {
	const struct store_event *e;
	struct proto_result *res;
};

/* An event's operation (see struct st_redo): resolved again when done again. */
static int apply_op(struct store_batch *b, const struct st_redo *r, void *out)
{
	struct store_event e;
	struct proto_result res;
	struct apply_out again = {&e, &res}, *o = out ? out : &again;
	if (!out && store_resolve(b, &r->ev, r->viewer, &e) < 0)
		return b->err;
	int rc = apply_one(b, o->e, r->who, o->res);
	return rc == 0 && o->res->status != PROTO_STATUS_OK ? 1 : rc;
}

int store_apply_event(struct store_batch *b, const struct store_event *e, const char *who,
		      struct proto_result *res)
{
	struct st_redo r = {.op = apply_op, .who = who, .ev = *e->ev, .viewer = e->viewer};
	struct apply_out o = {e, res};
	int rc = st_write(b, &r, &o);
	return rc > 0 ? 0 : rc;
}

int store_apply(struct store_batch *b, const struct proto_event *ev, const char *who,
		struct proto_result *res)
{
	struct store_event e;
	int rc = store_resolve(b, ev, NULL, &e);
	return rc < 0 ? rc : store_apply_event(b, &e, who, res);
}

/* ---- replay: the whole log again ---- */

/* Replay the whole log into a batch whose derived databases were emptied. */
int st_replay(struct store_batch *b, uint64_t *replayed, uint64_t *skipped)
{
	const struct store *s = b->s;
	int rc = 0;
	/* By sequence number, not with a cursor: a replacement derives in a nested transaction. */
	for (uint64_t seq = 1; rc == 0 && b->err == 0 && seq <= b->events; seq++) {
		struct proto_event ev;
		struct store_event e;
		struct proto_result res;
		struct st_resolved r = {0}, ro = {0};
		uint64_t rs, target = 0;
		if ((rc = st_event_at(b->txn, s, seq, &ev, &rs, NULL, 0, NULL)) == IKI_EREF) {
			rc = 0; /* a hole: nothing to replay */
			continue;
		}
		if (rc < 0)
			break;
		/* exactly what it corrected when it was stored (UINT64_MAX: nothing, now) */
		rc = ev.ref[0] ? st_ref_target(b->txn, s, &ev, rs, &target) : 0;
		if (rc == IKI_EREF)
			target = UINT64_MAX;
		if ((rc < 0 && rc != IKI_EREF) || (rc = resolve(b, &ev, NULL, target, &e)) < 0)
			break;
		bool ok = ev.op == PROTO_OP_VOID || st_event_check(s->cat, &ev, &e.at, &r, &res) == 0;
		if (ok && ev.ref[0])
			ok = ref_check(b, &e, &ro, &res) == 0;
		if (ok && ev.op == PROTO_OP_VOID)
			r = ro;
		if (ok && ev.ref[0] &&
		    (rc = st_id_key_of(b->txn, s, &ev, seq, rs, r.key, &r.key_len)) < 0)
			break;
		r.seq = seq;
		if (!ok || st_derive(b, &ev, &r, &e.orig, &ro) != 0) {
			rc = b->err;
			(*skipped)++;
			continue;
		}
		(*replayed)++;
	}
	return rc < 0 ? rc : b->err;
}

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
	for (size_t i = 0; rc == 0 && i < sizeof(st_derived) / sizeof(st_derived[0]); i++)
		rc = st_map_err(mdb_drop(b->txn, s->dbi[st_derived[i]], 0));
	if (rc == 0)
		rc = st_replay(b, replayed, skipped);
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
	while (rc == IKI_EFULL && st_env_grow(s) == 0);
	return rc;
}
