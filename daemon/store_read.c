/* store_read.c: reading the sums: a value, a query, a snapshot and its pages, the counters.
 * Part of the storage module (store_int.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iki.h"
#include "store_int.h"

/* ---- values: sums of the aggregates ---- */

int64_t st_sum_read(MDB_txn *txn, MDB_dbi dbi, const struct catalog *cat, int q, int ou,
		    struct period p)
{
	char key[ST_KEY_MAX];
	MDB_val k = {st_agg_key(cat, q, ou, p, key), key}, v;
	int64_t x = 0;
	if (mdb_get(txn, dbi, &k, &v) == 0 && v.mv_size == sizeof(x))
		memcpy(&x, v.mv_data, sizeof(x));
	return x;
}

/*
 * Quantity q at (ou, p), its stored sums read by sum. A cumulative period is not stored: a flow's
 * figure is the sum of the stored periods that make it up (at most 6 reads; values are never
 * negative, so a part of a year's sum is within STORE_SUM_MAX as the year is), a stock's the
 * figure of the period it ends with.
 */
static int64_t agg_read(st_sum_fn sum, void *arg, const struct catalog *cat, int q, int ou,
			struct period p)
{
	if (!period_is_cumulative(p))
		return sum(arg, q, ou, p);
	if (cat->quantities[q].stock)
		return sum(arg, q, ou, period_base(p));
	struct period parts[6];
	int64_t x = 0;
	for (int i = 0, n = period_cumulative_parts(p, parts); i < n; i++)
		x += sum(arg, q, ou, parts[i]);
	return x;
}

void st_value_sum(st_sum_fn sum, void *arg, const struct catalog *cat, int i, int ou,
		  struct period p, int64_t *num, int64_t *den)
{
	const struct catalog_indicator *ind = &cat->indicators[i];
	*num = *den = 0;
	for (int t = 0; t < ind->n_num; t++)
		*num += agg_read(sum, arg, cat, ind->num[t], ou, p);
	for (int t = 0; t < ind->n_den; t++)
		*den += agg_read(sum, arg, cat, ind->den[t], ou, p);
}

/* The stored sums, read as they are. */
struct sum_at {
	MDB_txn *txn;
	MDB_dbi dbi;
	const struct catalog *cat;
};

static int64_t sum_stored(void *arg, int q, int ou, struct period p)
{
	const struct sum_at *a = arg;
	return st_sum_read(a->txn, a->dbi, a->cat, q, ou, p);
}

/* num and den of indicator i at (ou, p): sums of their quantities' aggregates. */
void st_value_read(MDB_txn *txn, MDB_dbi dbi, const struct catalog *cat, int i, int ou,
		   struct period p, int64_t *num, int64_t *den)
{
	struct sum_at a = {txn, dbi, cat};
	st_value_sum(sum_stored, &a, cat, i, ou, p, num, den);
}

bool st_value_has_data(MDB_txn *txn, const struct store *s, int ind, int ou, struct period p)
{
	int64_t num, den;
	st_value_read(txn, s->dbi[ST_DB_AGG], s->cat, ind, ou, p, &num, &den);
	return num != 0 || den != 0;
}

/* ---- changes in (indicator, org unit, period) order ---- */

int st_change_cmp(const void *pa, const void *pb)
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
size_t st_changes_unique(struct store_change *ch, size_t m)
{
	size_t u = 0;
	if (m > 1)
		qsort(ch, m, sizeof(*ch), st_change_cmp);
	for (size_t i = 0; i < m; i++)
		if (u == 0 || st_change_cmp(&ch[u - 1], &ch[i]) != 0)
			ch[u++] = ch[i];
	return u;
}

/* ---- queries and snapshots ---- */

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

/* A value's codes (indicator i at ou, p) and factor; its names are the caller's to fill. */
static void value_codes(const struct catalog *cat, int i, int ou, struct period p,
			struct proto_value *v)
{
	snprintf(v->indicator, sizeof(v->indicator), "%s", cat->indicators[i].code);
	snprintf(v->orgunit, sizeof(v->orgunit), "%s", cat->orgunits[ou].code);
	period_format(p, v->period);
	v->factor = cat->indicators[i].factor;
}

/* What a query reads: the values of indicators sel[0 .. m) at (ou, p), into vals. */
struct query_read {
	const int *sel;
	size_t m;
	int ou;
	struct period p;
	struct proto_value *vals;
};

static int query_read(MDB_txn *txn, const struct store *s, void *arg)
{
	const struct query_read *x = arg;
	const struct catalog *cat = s->cat;
	for (size_t j = 0; j < x->m; j++) {
		struct proto_value *v = &x->vals[j];
		int i = x->sel[j];
		value_codes(cat, i, x->ou, x->p, v);
		snprintf(v->name, sizeof(v->name), "%s", cat->indicators[i].name);
		catalog_indicator_jabatan(cat, i, v->jabatan, sizeof(v->jabatan));
		st_value_read(txn, s->dbi[ST_DB_AGG], cat, i, x->ou, x->p, &v->num, &v->den);
	}
	return 0;
}

int store_query(struct store *s, const struct proto_query *q, struct proto_value **out, size_t *n)
{
	const struct catalog *cat = s->cat;
	struct query_read x = {.ou = q->orgunit[0] ? catalog_orgunit_find(cat, q->orgunit) : 0};
	if (period_parse(q->period, &x.p) < 0)
		return IKI_EPERIOD;
	if (x.ou < 0)
		return IKI_EORGUNIT;
	int *sel = calloc((size_t)cat->n_indicators + 1, sizeof(*sel));
	x.sel = sel;
	x.vals = calloc((size_t)cat->n_indicators + 1, sizeof(*x.vals));
	int rc = sel && x.vals ? query_select(cat, q, sel, &x.m) : -ENOMEM;
	if (rc == 0)
		rc = st_read(s, query_read, &x);
	free(sel);
	if (rc < 0) {
		free(x.vals);
		return rc;
	}
	*out = x.vals;
	*n = x.m;
	return 0;
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

/* The values a snapshot collects: every one with data the query wants (some more than once). */
struct collect {
	const struct catalog *cat;
	const struct proto_query *q;
	struct store_change *ch;
	size_t m, cap;
};

/* Collect the value of (i, ou, p). Returns 0 or -ENOMEM. */
static int change_push(struct collect *c, int i, int ou, struct period p)
{
	struct store_change x = {0, i, ou, p, 0, 0};
	struct store_change *ch = st_push(c->ch, &c->m, &c->cap, 256, &x, sizeof(x));
	if (!ch)
		return -ENOMEM;
	c->ch = ch;
	return 0;
}

/* The values a stored sum feeds, at its period and the cumulative ones it feeds (they have data
 * when it has). */
static int sum_take(void *arg, const MDB_val *k, const MDB_val *v)
{
	struct collect *c = arg;
	const struct catalog *cat = c->cat;
	char key[ST_KEY_MAX + 1];
	const char *part[3];
	struct period p;
	(void)v;
	if (k->mv_size > ST_KEY_MAX)
		return 0;
	st_key_split(k, key, part);
	int qi = catalog_quantity_find(cat, part[0]), ou = catalog_orgunit_find(cat, part[1]);
	if (qi < 0 || ou < 0 || period_parse(part[2], &p) < 0)
		return 0; /* data of a quantity or org unit the catalog no longer has */
	struct period fed[1 + PERIOD_FED_MAX] = {p};
	int rc = 0, n_fed = 1 + period_cumulative_fed(p, cat->quantities[qi].stock, fed + 1);
	for (int f = 0; f < n_fed && rc == 0; f++) {
		char pid[PERIOD_ID_MAX];
		period_format(fed[f], pid);
		for (int j = 0; j < cat->quantities[qi].n_indicators && rc == 0; j++) {
			int i = cat->quantities[qi].indicators[j];
			if (snapshot_wants(cat, c->q, i, ou, pid))
				rc = change_push(c, i, ou, fed[f]);
		}
	}
	return rc;
}

/* Walk the sums: every (indicator, org unit, period) with data that the query wants, once. */
static int snapshot_collect(MDB_txn *txn, MDB_dbi dbi, const struct catalog *cat,
			    const struct proto_query *q, struct store_change **out, size_t *n)
{
	struct collect c = {cat, q, NULL, 0, 0};
	int rc = st_each(txn, dbi, NULL, sum_take, &c);
	if (rc < 0) {
		free(c.ch);
		return rc;
	}
	*out = c.ch;
	*n = st_changes_unique(c.ch, c.m);
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
		while (*first < n && st_change_cmp(&ch[*first], &key) <= 0)
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

int st_query_check(const struct catalog *cat, const struct proto_query *q)
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

/* Values of changes ch[0 .. m) read in txn, into a new array *out (names left empty). */
static int snapshot_values(MDB_txn *txn, const struct store *s, const struct store_change *ch,
			   size_t m, struct proto_value **out)
{
	const struct catalog *cat = s->cat;
	struct proto_value *vals = calloc(m ? m : 1, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (size_t i = 0; i < m; i++) {
		struct proto_value *v = &vals[i];
		value_codes(cat, ch[i].indicator, ch[i].orgunit, ch[i].period, v);
		st_value_read(txn, s->dbi[ST_DB_AGG], cat, ch[i].indicator, ch[i].orgunit, ch[i].period,
			      &v->num, &v->den);
	}
	*out = vals;
	return 0;
}

/* What a snapshot's page reads: its values into *out (n of them), the seq they are at. */
struct snapshot_read {
	const struct proto_query *q;
	struct store_page *pg;
	struct proto_value **out;
	size_t n;
	uint64_t *seq;
};

static int snapshot_read(MDB_txn *txn, const struct store *s, void *arg)
{
	struct snapshot_read *x = arg;
	struct store_change *ch = NULL;
	size_t all = 0, first = 0;
	*x->seq = st_meta_get(txn, s->dbi[ST_DB_META], "pubseq");
	int rc = snapshot_collect(txn, s->dbi[ST_DB_AGG], s->cat, x->q, &ch, &all);
	if (rc == 0)
		rc = page_cut(s->cat, x->pg, ch, all, &first, &x->n);
	if (rc == 0)
		rc = snapshot_values(txn, s, ch + first, x->n, x->out);
	free(ch);
	return rc;
}

int store_snapshot_page(struct store *s, const struct proto_query *q, struct store_page *pg,
			struct proto_value **out, size_t *n, uint64_t *seq)
{
	struct snapshot_read x = {q, pg, out, 0, seq};
	int rc = st_query_check(s->cat, q);
	if (rc < 0)
		return rc;
	rc = st_read(s, snapshot_read, &x);
	*n = rc == 0 ? x.n : 0;
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

/* The counters: {events, pubseq}. */
static int stats_read(MDB_txn *txn, const struct store *s, void *arg)
{
	uint64_t *c = arg;
	c[0] = st_meta_get(txn, s->dbi[ST_DB_META], "events");
	c[1] = st_meta_get(txn, s->dbi[ST_DB_META], "pubseq");
	return 0;
}

int store_stats(struct store *s, uint64_t *events, uint64_t *pubseq)
{
	uint64_t c[2];
	int rc = st_read(s, stats_read, c);
	if (rc == 0) {
		*events = c[0];
		*pubseq = c[1];
	}
	return rc;
}
