/* live_model.c: iki watch's live table, its model: every value shown, in catalog order, each
 * marked when it changed and which way (live_int.h). */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "live_int.h"
#include "period.h"
#include "text.h"

static int rank_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rank *)a)->code, ((const struct rank *)b)->code);
}

/* Place of code in the catalog, INT_MAX when absent. */
static int rank_find(const struct rank *r, size_t n, const char *code)
{
	struct rank key = {code, 0}, *hit = r ? bsearch(&key, r, n, sizeof(*r), rank_cmp) : NULL;
	return hit ? hit->at : INT_MAX;
}

/* Ask ikid for names and order (a view without them shows codes in code order). */
void view_catalog(struct view *v, struct iki_client *c)
{
	if (iki_describe(c, &v->cat, NULL) < 0)
		return;
	v->inds = calloc(v->cat.n_indicators + 1, sizeof(*v->inds));
	v->ous = calloc(v->cat.n_orgunits + 1, sizeof(*v->ous));
	if (!v->inds || !v->ous)
		return;
	for (size_t i = 0; i < v->cat.n_indicators; i++) {
		v->inds[i] = (struct rank){v->cat.indicators[i].indicator, (int)i};
		int w = text_width(v->cat.indicators[i].indicator);
		v->code_w = w > v->code_w ? w : v->code_w;
	}
	for (size_t i = 0; i < v->cat.n_orgunits; i++)
		v->ous[i] = (struct rank){v->cat.orgunits[i].code, (int)i};
	qsort(v->inds, v->cat.n_indicators, sizeof(*v->inds), rank_cmp);
	qsort(v->ous, v->cat.n_orgunits, sizeof(*v->ous), rank_cmp);
}

/*
 * 2022 -> 2022000000, 2022Q1 -> 2022010000, 202203 -> 2022010300, each cumulative period just
 * after the period it ends with (2022Q1SD -> 2022010001): a year, then Q1 and its months...
 */
long view_period_key(const char *p)
{
	struct period per;
	if (period_parse(p, &per) < 0)
		return LONG_MAX;
	struct period base = period_base(per);
	long q = base.kind == PERIOD_QUARTER ? base.n
	       : base.kind == PERIOD_MONTH   ? (base.n - 1) / 3 + 1
					     : 0;
	long m = base.kind == PERIOD_MONTH ? base.n : 0;
	return ((per.year * 100L + q) * 100 + m) * 100 + (period_is_cumulative(per) ? 1 : 0);
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	if (a->ind != b->ind)
		return a->ind < b->ind ? -1 : 1;
	int c = strcmp(a->indicator, b->indicator);
	if (c == 0 && a->ou != b->ou)
		return a->ou < b->ou ? -1 : 1;
	if (c == 0)
		c = strcmp(a->orgunit, b->orgunit);
	if (c == 0 && a->period_key != b->period_key)
		return a->period_key < b->period_key ? -1 : 1;
	return c ? c : strcmp(a->period, b->period);
}

/* The figures of a row from a value (its key is set by row_key). */
static void row_figures(struct row *r, const struct proto_value *val)
{
	r->num = val->num;
	r->den = val->den;
	r->factor = val->factor;
	r->has_capaian = val->has_capaian;
	r->capaian = val->capaian;
	snprintf(r->predikat, sizeof(r->predikat), "%s", val->has_capaian ? val->predikat : "");
	snprintf(r->check, sizeof(r->check), "%s", val->check);
}

static void row_key(const struct view *v, struct row *r, const struct proto_value *val)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->indicator, val->indicator, sizeof(r->indicator));
	memcpy(r->orgunit, val->orgunit, sizeof(r->orgunit));
	memcpy(r->period, val->period, sizeof(r->period));
	r->ind = rank_find(v->inds, v->cat.n_indicators, val->indicator);
	r->ou = rank_find(v->ous, v->cat.n_orgunits, val->orgunit);
	r->period_key = view_period_key(val->period);
}

/* Room for one more row; false when memory ran out. */
static bool rows_grow(struct view *v)
{
	size_t cr = v->cap, co = v->cap; /* the two grow alike */
	if (grow((void **)&v->rows, &cr, v->n + 1, sizeof(*v->rows)) < 0 ||
	    grow((void **)&v->order, &co, v->n + 1, sizeof(*v->order)) < 0)
		return false;
	v->cap = cr;
	return true;
}

/* +1 when the row's ratio is above what num/den gave, -1 below, 0 the same or without data. */
static int row_trend(const struct row *r, int64_t num, int64_t den)
{
	struct proto_value was = {.num = num, .den = den, .factor = r->factor};
	struct proto_value is = {.num = r->num, .den = r->den, .factor = r->factor};
	double a, b;
	return proto_value_ratio(&was, &a) && proto_value_ratio(&is, &b) ? (b > a) - (b < a) : 0;
}

/* An update: change its row (marked with the direction of the change) or insert a new one. */
static void view_update(struct view *v, const struct proto_value *val, int64_t now)
{
	struct row key;
	size_t lo = 0, hi = v->n;
	row_key(v, &key, val);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (row_cmp(&v->rows[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == v->n || row_cmp(&v->rows[lo], &key) != 0) {
		if (!rows_grow(v))
			return;
		memmove(&v->rows[lo + 1], &v->rows[lo], (v->n - lo) * sizeof(*v->rows));
		v->rows[lo] = key;
		v->n++;
	}
	struct row *r = &v->rows[lo];
	int64_t num = r->num, den = r->den; /* 0/0 for a new row: no trend */
	row_figures(r, val);
	r->trend = row_trend(r, num, den);
	r->changed_ms = now;
}

/*
 * A snapshot is all in: sort it, and carry over from the rows it replaces what each showed. A
 * value a resync changed (or brought) is marked as changed now: what moved while we were away.
 */
static void view_loaded(struct view *v, int64_t now)
{
	qsort(v->rows, v->n, sizeof(*v->rows), row_cmp);
	for (size_t i = 0, j = 0; v->had && i < v->n; i++) {
		struct row *r = &v->rows[i];
		while (j < v->n_old && row_cmp(&v->old[j], r) < 0)
			j++;
		const struct row *o =
		    j < v->n_old && row_cmp(&v->old[j], r) == 0 ? &v->old[j] : NULL;
		if (o && o->num == r->num && o->den == r->den) {
			r->changed_ms = o->changed_ms;
			r->trend = o->trend;
		} else {
			r->changed_ms = now;
			r->trend = o ? row_trend(r, o->num, o->den) : 0;
		}
	}
	free(v->old);
	v->old = NULL;
	v->n_old = 0;
	v->had = true;
}

/* Take one event of the stream into the model. */
void view_apply(struct view *v, const struct iki_stream_event *ev, int64_t now)
{
	if (ev->kind == IKI_STREAM_RESET) {
		free(v->old); /* a snapshot cut short by another */
		v->old = v->rows;
		v->n_old = v->n;
		v->rows = NULL;
		v->n = v->cap = 0;
		v->loading = ev->count;
		if (v->loading == 0)
			view_loaded(v, now);
	} else if (ev->kind == IKI_STREAM_VALUE && v->loading > 0) {
		if (rows_grow(v)) {
			row_key(v, &v->rows[v->n], &ev->value);
			row_figures(&v->rows[v->n++], &ev->value);
		}
		if (--v->loading == 0)
			view_loaded(v, now);
	} else if (ev->kind == IKI_STREAM_UPDATE && v->loading == 0) {
		view_update(v, &ev->value, now);
	}
	v->problem[0] = '\0';
	v->dirty = true;
}

void view_free(struct view *v)
{
	for (int i = 0; i < v->n_shown; i++)
		free(v->shown[i]);
	free(v->shown);
	free(v->rows);
	free(v->old);
	free(v->order);
	free(v->inds);
	free(v->ous);
	proto_msg_clear(&v->cat);
}
