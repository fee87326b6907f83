/* store_derive.c: what an event changes: a flow's sums, a state's index and latest values, a
 * case's record, a correction's undoing. Part of the storage module (store_int.h). */
#include <stdio.h>
#include <string.h>

#include "iki.h"
#include "store_int.h"

/* ---- states ---- */

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
	char key[ST_KEY_MAX], lo[ST_KEY_MAX], hi[ST_KEY_MAX];
	int32_t first, last, year_last;
	period_bounds(p, &first, &last);
	if (carry)
		period_bounds((struct period){PERIOD_YEAR, p.year, 0}, &first, &year_last);
	size_t prefix = st_state_key(s->cat, q, ou, 0, 0, lo) - 12;
	size_t nlo = st_state_key(s->cat, q, ou, first, 0, lo);
	MDB_val k = {st_state_key(s->cat, q, ou, last + 1, 0, hi), hi}, v;
	MDB_cursor *cur;
	struct st_latest cur_l = {0, 0}, next = {0, 0};
	bool have = false;
	int rc = mdb_cursor_open(b->txn, s->dbi[ST_DB_STATES], &cur);
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
		b->err = st_map_err(rc);
		return;
	}
	MDB_val kv = {st_agg_key(s->cat, q, ou, p, key), key};
	rc = mdb_get(b->txn, s->dbi[ST_DB_LATEST], &kv, &v);
	if (rc == 0 && v.mv_size == sizeof(cur_l))
		memcpy(&cur_l, v.mv_data, sizeof(cur_l));
	else if (rc != MDB_NOTFOUND)
		b->err = st_map_err(rc);
	if (b->err)
		return;
	v = (MDB_val){sizeof(next), &next};
	rc = have ? mdb_put(b->txn, s->dbi[ST_DB_LATEST], &kv, &v, 0)
		  : mdb_del(b->txn, s->dbi[ST_DB_LATEST], &kv, NULL);
	b->err = st_map_err(rc == MDB_NOTFOUND ? 0 : rc);
	if (next.value != cur_l.value)
		st_delta_add(b, q, ou, p, next.value - cur_l.value);
}

/*
 * Enter (value) or take out (remove) one set of element el in the states index, then recompute
 * the periods it counts in: those that hold its date and, carried forward, every later month and
 * quarter of its year.
 */
static void state_index(struct store_batch *b, int el, const struct st_resolved *r, int64_t value,
			bool remove)
{
	const struct catalog_element *e = &b->s->cat->elements[el];
	int q = e->quantity;
	bool carry = !e->carry_period;
	char key[ST_KEY_MAX];
	MDB_val k = {st_state_key(b->s->cat, q, r->ou, r->date, r->seq, key), key},
		v = {sizeof(value), &value};
	int rc = remove ? mdb_del(b->txn, b->s->dbi[ST_DB_STATES], &k, NULL)
			: mdb_put(b->txn, b->s->dbi[ST_DB_STATES], &k, &v, 0);
	b->err = st_map_err(rc == MDB_NOTFOUND ? 0 : rc);
	for (int i = 0; i < ST_N_KINDS && b->err == 0; i++) {
		struct period p = period_of_date(r->date, st_kinds[i]);
		int end = !carry ? p.n : st_kinds[i] == PERIOD_MONTH ? 12 : st_kinds[i] == PERIOD_QUARTER ? 4 : 0;
		for (; p.n <= end && b->err == 0; p.n++)
			state_recompute(b, q, r->ou, p, carry);
	}
}

/* ---- cases ---- */

/* The deltas of a case's close (sign 1), or of taking it back (-1): in the period of the close,
 * or of the open for a case type that counts closes there (count_close = open). */
static void close_deltas(struct store_batch *b, const struct catalog_casetype *ct,
			 const struct st_case *c, int ou, int sign)
{
	int32_t at = ct->close_at_open ? c->opened : c->closed;
	st_delta_add_date(b, ct->quantity + CATALOG_CASE_CLOSED, ou, at, sign);
	if (ct->limit_days < 0 || c->closed - c->opened <= ct->limit_days)
		st_delta_add_date(b, ct->quantity + CATALOG_CASE_ONTIME, ou, at, sign);
}

/* Open or close a case. Returns 0, a case error code (nothing written) or a storage code. */
static int derive_case(struct store_batch *b, const struct proto_event *ev,
		       const struct st_resolved *r)
{
	const struct store *s = b->s;
	const struct catalog_casetype *ct = &s->cat->casetypes[r->ct];
	char key[ST_KEY_MAX];
	struct st_case c;
	MDB_val kv = {st_case_key(key, ct->code, ev), key}, v;
	int rc = mdb_get(b->txn, s->dbi[ST_DB_CASES], &kv, &v);
	bool found = rc == 0 && v.mv_size == sizeof(c);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return b->err = st_map_err(rc);
	if (found)
		memcpy(&c, v.mv_data, sizeof(c));
	if (ev->op == PROTO_OP_OPEN) {
		if (found)
			return IKI_ECASEOPEN;
		c = (struct st_case){r->date, ST_CASE_OPEN, "", r->seq, 0};
		snprintf(c.orgunit, sizeof(c.orgunit), "%s", ev->orgunit);
		st_delta_add_date(b, ct->quantity + CATALOG_CASE_OPEN, r->ou, r->date, 1);
	} else {
		if (!found || strcmp(c.orgunit, ev->orgunit) != 0)
			return IKI_ECASEUNKNOWN;
		if (c.closed != ST_CASE_OPEN)
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
	return b->err = st_map_err(mdb_put(b->txn, s->dbi[ST_DB_CASES], &kv, &v, 0));
}

/* ---- one event ---- */

/* Derive what one valid event changes. Returns 0, a case error code, or a storage code. */
static int derive_plain(struct store_batch *b, const struct proto_event *ev,
			const struct st_resolved *r)
{
	if (r->ct >= 0)
		return derive_case(b, ev, r);
	const struct catalog_element *e = &b->s->cat->elements[r->el];
	if (e->agg == CATALOG_SUM)
		st_delta_add_date(b, e->quantity, r->ou, r->date, ev->value);
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
		       const struct st_resolved *ro)
{
	const struct store *s = b->s;
	if (ro->el >= 0) {
		const struct catalog_element *e = &s->cat->elements[ro->el];
		if (e->agg == CATALOG_SUM)
			st_delta_add_date(b, e->quantity, ro->ou, ro->date, -orig->value);
		else
			state_index(b, ro->el, ro, 0, true);
		return b->err;
	}
	const struct catalog_casetype *ct = &s->cat->casetypes[ro->ct];
	char key[ST_KEY_MAX];
	struct st_case c;
	MDB_val kv = {st_case_key(key, ct->code, orig), key}, v;
	int rc = mdb_get(b->txn, s->dbi[ST_DB_CASES], &kv, &v);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return b->err = st_map_err(rc);
	if (rc != 0 || v.mv_size != sizeof(c))
		return IKI_ECASEUNKNOWN;
	memcpy(&c, v.mv_data, sizeof(c));
	bool is_open = orig->op == PROTO_OP_OPEN && c.open_seq == ro->seq;
	bool is_close = orig->op == PROTO_OP_CLOSE && c.closed != ST_CASE_OPEN &&
			c.close_seq == ro->seq;
	if (!is_open && !is_close)
		return IKI_ECASEUNKNOWN;
	if (c.closed != ST_CASE_OPEN)
		close_deltas(b, ct, &c, ro->ou, -1);
	if (is_open) {
		st_delta_add_date(b, ct->quantity + CATALOG_CASE_OPEN, ro->ou, c.opened, -1);
		return b->err = st_map_err(mdb_del(b->txn, s->dbi[ST_DB_CASES], &kv, NULL));
	}
	c.closed = ST_CASE_OPEN;
	c.close_seq = 0;
	v = (MDB_val){sizeof(c), &c};
	return b->err = st_map_err(mdb_put(b->txn, s->dbi[ST_DB_CASES], &kv, &v, 0));
}

/* Record that the event ro was voided (or replaced) by the event r: by their keys in ids. */
static int mark_voided(struct store_batch *b, const struct st_resolved *ro,
		       const struct st_resolved *r)
{
	MDB_val k = {ro->key_len, (void *)ro->key}, v = {r->key_len, (void *)r->key};
	return b->err = st_map_err(mdb_put(b->txn, b->s->dbi[ST_DB_VOIDED], &k, &v, 0));
}

/*
 * Derive an event in a nested transaction, both parts or neither: a correction (take back what
 * ev->ref changed, orig resolved as ro; then, for a replacement, apply ev in its place) or a
 * state (its index and latest values are written before its deltas are known). Returns 0, a case
 * code or IKI_EOVERFLOW (nothing of the event stays), or a storage code.
 */
static int derive_nested(struct store_batch *b, const struct proto_event *ev,
			 const struct st_resolved *r, const struct proto_event *orig,
			 const struct st_resolved *ro)
{
	MDB_txn *parent = b->txn, *child;
	int rc = st_txn_begin(b->s->env, parent, 0, &child);
	if (rc < 0)
		return b->err = rc;
	b->txn = child;
	st_journal_start(b);
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
		return b->err = st_txn_commit(&child);
	st_txn_abort(&child);
	st_journal_undo(b);
	return b->err ? b->err : rc;
}

/*
 * Derive one event: a flow's add or a case step directly, with its deltas journaled (a case
 * writes its record only once its deltas fit: see derive_case); a correction or a state in a
 * nested transaction. Returns 0, a case code or IKI_EOVERFLOW (nothing of the event stays), or a
 * storage code.
 */
int st_derive(struct store_batch *b, const struct proto_event *ev, const struct st_resolved *r,
	      const struct proto_event *orig, const struct st_resolved *ro)
{
	bool state = r->el >= 0 && b->s->cat->elements[r->el].agg != CATALOG_SUM;
	if (ev->ref[0] || state)
		return derive_nested(b, ev, r, orig, ro);
	st_journal_start(b);
	int rc = derive_plain(b, ev, r);
	if (rc == 0 && b->overflow)
		rc = IKI_EOVERFLOW;
	if (rc == IKI_EOVERFLOW)
		st_journal_undo(b);
	b->journaling = false;
	return b->err ? b->err : rc;
}
