/* targets.c: targets, capaian and predikat of indicator values (see targets.h). */
#include "targets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

struct targets {
	const struct catalog *cat;
	struct store_target *set; /* a few per indicator: scanned, not indexed */
	size_t n, cap;
};

int targets_load(struct store *st, const struct catalog *cat, struct targets **out)
{
	struct targets *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cat = cat;
	int rc = store_targets(st, &t->set, &t->n);
	if (rc < 0) {
		free(t);
		return rc;
	}
	t->cap = t->n;
	*out = t;
	return 0;
}

void targets_free(struct targets **tp)
{
	if (!tp || !*tp)
		return;
	free((*tp)->set);
	free(*tp);
	*tp = NULL;
}

static bool same_period(struct period a, struct period b)
{
	return a.kind == b.kind && a.year == b.year && a.n == b.n;
}

int targets_note(struct targets *t, const struct store_target *x)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->set[i].ind == x->ind && t->set[i].ou == x->ou && same_period(t->set[i].p, x->p)) {
			t->set[i] = *x;
			return 0;
		}
	if (grow((void **)&t->set, &t->cap, t->n + 1, sizeof(*t->set)) < 0)
		return -ENOMEM;
	t->set[t->n++] = *x;
	return 0;
}

/* The target set for exactly (ind, ou, p), or NULL. */
static const struct store_target *exact(const struct targets *t, int ind, int ou, struct period p)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (t->set[i].ind == ind && t->set[i].ou == ou && same_period(t->set[i].p, p))
			return &t->set[i];
	return NULL;
}

int64_t targets_find(const struct targets *t, int ind, int ou, struct period p, int64_t *original)
{
	const struct catalog *cat = t ? t->cat : NULL;
	p = period_base(p); /* a cumulative period's target is that of the period it ends with */
	struct period quarter = {PERIOD_QUARTER, p.year, p.kind == PERIOD_MONTH ? (p.n + 2) / 3 : p.n};
	struct period year = {PERIOD_YEAR, p.year, 0};
	for (int o = ou; cat && o >= 0; o = cat->orgunits[o].parent) {
		const struct store_target *x = exact(t, ind, o, p);
		if (!x && p.kind == PERIOD_MONTH)
			x = exact(t, ind, o, quarter);
		if (!x && p.kind != PERIOD_YEAR)
			x = exact(t, ind, o, year);
		if (x) {
			*original = x->original;
			return x->target;
		}
	}
	return -1;
}

int targets_list(const struct targets *t, int ind, struct proto_target **out, size_t *n)
{
	struct proto_target *l = calloc(t->n + 1, sizeof(*l));
	size_t m = 0;
	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		const struct store_target *x = &t->set[i];
		if (ind >= 0 && x->ind != ind)
			continue;
		struct proto_target *y = &l[m++];
		snprintf(y->indicator, sizeof(y->indicator), "%s", t->cat->indicators[x->ind].code);
		snprintf(y->orgunit, sizeof(y->orgunit), "%s", t->cat->orgunits[x->ou].code);
		period_format(x->p, y->period);
		y->target = x->target;
		y->original = x->original;
		y->at_ms = x->at_ms;
		snprintf(y->who, sizeof(y->who), "%s", x->who);
	}
	*out = l;
	*n = m;
	return 0;
}

void targets_decorate(const struct targets *t, const struct catalog *cat, int ind, int ou,
		      struct period p, struct proto_value *v)
{
	double realisasi;
	int64_t original = -1;
	v->has_target = v->revised = v->has_capaian = false;
	v->predikat[0] = v->check[0] = '\0';
	if (ind < 0 || ou < 0)
		return;
	catalog_check_broken(cat, ind, v->num, v->den, v->check, sizeof(v->check));
	int64_t target = targets_find(t, ind, ou, p, &original);
	if (target < 0)
		target = original = catalog_target(cat, ind, p);
	if (target <= 0)
		return;
	v->has_target = true;
	v->target = target;
	v->revised = original >= 0 && original != target;
	v->target_original = original;
	if (proto_value_ratio(v, &realisasi) &&
	    lakip_capaian(realisasi, (double)target / 100.0,
			  cat->indicators[ind].polarity != CATALOG_DOWN, &v->capaian)) {
		v->has_capaian = true;
		snprintf(v->predikat, sizeof(v->predikat), "%s",
			 lakip_predikat(&cat->bands, v->capaian));
	}
}
