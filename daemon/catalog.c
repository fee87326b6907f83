/*
 * catalog.c: the loaded catalog, the model the reader (catalog_read.c, catalog_sections.c)
 * builds: its lookup tables, what is resolved once the whole file is read (the org unit tree,
 * the formulas and the quantities' reverse index, the schedules), and the lookups and
 * descriptions the daemon asks of it.
 */
#include "catalog.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_int.h"
#include "iki.h"

/*
 * Lookups: a hash table per kind (open addressing, at most half full), grown with its array while
 * the file is read, so that the duplicate and parent checks of the 91,600 org units of the whole
 * country cost what they cost for the 19 of a kecamatan, and so does an event's lookup.
 */
struct catalog_hash {
	size_t mask;
	int slot[]; /* index into the array, or -1 */
};

static uint32_t hash_code(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* The code of entry i of an array of structs (size each, code first at first). */
#define CODE_AT(first, size, i) ((first) + (size_t)(i) * (size))

/* Put entry i into h, which has room for it. */
static void hash_put(struct catalog_hash *h, const char *first, size_t size, int i)
{
	size_t j = hash_code(CODE_AT(first, size, i)) & h->mask;
	while (h->slot[j] >= 0)
		j = (j + 1) & h->mask;
	h->slot[j] = i;
}

/*
 * Add entry i of an array, whose entries 0..i-1 are in *hp already, doubling the table (and
 * putting them in again) when it would be more than half full. False when out of memory.
 */
static bool hash_add(struct catalog_hash **hp, const char *first, size_t size, int i)
{
	struct catalog_hash *h = *hp;
	if (!h || (size_t)(i + 1) * 2 > h->mask + 1) {
		size_t cap = h ? (h->mask + 1) * 2 : 16;
		struct catalog_hash *n = malloc(sizeof(*n) + cap * sizeof(int));
		if (!n)
			return false;
		n->mask = cap - 1;
		memset(n->slot, 0xff, cap * sizeof(int));
		for (int k = 0; k < i; k++)
			hash_put(n, first, size, k);
		free(h);
		*hp = h = n;
	}
	hash_put(h, first, size, i);
	return true;
}

bool cat_index_add(struct cat_reader *r, int kind, const char *first, size_t size, int i)
{
	if (hash_add(&r->c->hash[kind], first, size, i))
		return true;
	r->oom = true;
	return false;
}

/* Index of the entry whose code is code, through the hash (a scan when it has none), or -1. */
static int find(const struct catalog_hash *h, const char *first, int n, size_t size,
		const char *code)
{
	if (!h) {
		for (int i = 0; i < n; i++)
			if (!strcmp(CODE_AT(first, size, i), code))
				return i;
		return -1;
	}
	for (size_t j = hash_code(code) & h->mask; h->slot[j] >= 0; j = (j + 1) & h->mask)
		if (h->slot[j] < n && !strcmp(CODE_AT(first, size, h->slot[j]), code))
			return h->slot[j];
	return -1;
}

#define FIND(kind, arr, n, code)                                                              \
	((n) > 0 ? find(c->hash[kind], (arr)[0].code, (n), sizeof((arr)[0]), (code)) : -1)

/* Whether org unit i's kind is a level below its parent j's; reports it when not. */
static void check_level(struct cat_reader *r, int i, int j)
{
	const struct catalog_orgunit *o = &r->c->orgunits[i], *p = &r->c->orgunits[j];
	if (o->level < 0 || p->level < 0 || o->level > p->level)
		return;
	cat_err(r, r->ou[i].kind_line,
	    "[orgunit %s] is a %s under the %s %s: each org unit's kind is a level below its "
	    "parent's (" LEVELS_TEXT ")",
	    o->code, o->kind, p->kind, p->code);
}

/* Turn each org unit's parent code into an index of an org unit defined above it. */
static void resolve_parents(struct cat_reader *r)
{
	struct catalog *c = r->c;
	for (int i = 1; i < c->n_orgunits; i++) {
		const struct cat_pending_orgunit *p = &r->ou[i];
		if (!p->parent[0])
			continue;
		int j = catalog_orgunit_find(c, p->parent);
		if (j < 0) {
			cat_err(r, p->line, "parent %s is not an org unit of this catalog", p->parent);
		} else if (j == i) {
			cat_err(r, p->line, "org unit %s is its own parent", p->parent);
		} else if (j > i) {
			cat_err(r, p->line,
			    "parent %s is defined below its child; define parents first",
			    p->parent);
		} else {
			check_level(r, i, j);
			c->orgunits[i].parent = j;
		}
	}
}

/* Add the quantity named by one term to q[0..*n); reports an unknown or repeated one. */
static void resolve_term(struct cat_reader *r, const char *t, int line, const char *side, int *q,
			 int *n)
{
	if (!*t) {
		cat_err(r, line, "'%s' has an empty term (a '+' with nothing on one side)", side);
		return;
	}
	int i = catalog_quantity_find(r->c, t);
	if (i < 0) {
		cat_err(r, line,
		    "'%s': unknown quantity '%s' (an element code, or a case code with "
		    ".open, .closed or .ontime)",
		    side, t);
		return;
	}
	for (int k = 0; k < *n; k++)
		if (q[k] == i) {
			cat_err(r, line, "'%s' names '%s' twice", side, t);
			return;
		}
	q[(*n)++] = i;
}

/* Resolve "a + b + c" into quantity indices q[0..*n). An empty text was reported already. */
static void resolve_formula(struct cat_reader *r, const char *text, int line, const char *side, int *q,
			    int *n)
{
	char term[LINE_MAX_LEN + 1];
	int terms = 1;
	*n = 0;
	if (!text[0])
		return;
	for (const char *s = text; (s = strchr(s, '+')) != NULL; s++)
		terms++;
	if (terms > CATALOG_TERMS_MAX) {
		cat_err(r, line, "'%s' has %d terms, more than %d", side, terms, CATALOG_TERMS_MAX);
		return;
	}
	for (const char *s = text;; s++) {
		size_t len = strcspn(s, "+");
		memcpy(term, s, len);
		term[len] = '\0';
		resolve_term(r, cat_trim(term), line, side, q, n);
		s += len;
		if (!*s)
			break;
	}
}

/* Add indicator i to quantity q's list, once. */
static void link_quantity(struct cat_reader *r, struct catalog_quantity *q, int i)
{
	for (int j = 0; j < q->n_indicators; j++)
		if (q->indicators[j] == i)
			return;
	if (cat_room(r, (void **)&q->indicators, &q->cap_indicators, q->n_indicators, sizeof(int)))
		q->indicators[q->n_indicators++] = i;
}

/* Resolve every indicator's formulas and build the quantities' reverse index. */
static void resolve_indicators(struct cat_reader *r)
{
	struct catalog *c = r->c;
	for (int e = 0; e < c->n_elements; e++)
		c->quantities[c->elements[e].quantity].stock = c->elements[e].agg == CATALOG_LAST;
	for (int i = 0; i < c->n_indicators; i++) {
		struct catalog_indicator *ind = &c->indicators[i];
		const struct cat_pending_indicator *p = &r->ind[i];
		resolve_formula(r, p->num, p->num_line, "numerator", ind->num, &ind->n_num);
		resolve_formula(r, p->den, p->den_line, "denominator", ind->den, &ind->n_den);
		for (int t = 0; t < ind->n_num; t++)
			link_quantity(r, &c->quantities[ind->num[t]], i);
		for (int t = 0; t < ind->n_den; t++)
			link_quantity(r, &c->quantities[ind->den[t]], i);
	}
}

/* Turn each schedule's case and org unit codes into indices. */
static void resolve_schedules(struct cat_reader *r)
{
	struct catalog *c = r->c;
	for (int i = 0; i < c->n_schedules; i++) {
		struct catalog_schedule *x = &c->schedules[i];
		if (!x->case_code[0])
			continue; /* reported as a missing key */
		x->ct = catalog_casetype_find(c, x->case_code);
		x->ou = x->orgunit_code[0] ? catalog_orgunit_find(c, x->orgunit_code) : 0;
		if (x->ct < 0)
			cat_err(r, x->line, "schedule %s: %s is not a [case] of this catalog", x->code,
			    x->case_code);
		if (x->ou < 0)
			cat_err(r, x->line, "schedule %s: orgunit %s is not in this catalog", x->code,
			    x->orgunit_code);
		if (c->year && (x->year_from != c->year || x->year_to != c->year))
			cat_err(r, x->line, "schedule %s: years %d-%d, but the budget year is %d",
			    x->code, x->year_from, x->year_to, c->year);
		const struct catalog_casetype *t = x->ct >= 0 ? &c->casetypes[x->ct] : NULL;
		if (t && (t->limit_days != x->due_days || !t->close_at_open))
			cat_err(r, x->line,
			    "schedule %s: its case %s needs limit_days = %d (the due_days) and "
			    "count_close = open, so that a report delivered by its due date is on time "
			    "and counts in the period it reports on", x->code, t->code, x->due_days);
	}
}

/* Check what the lines alone cannot: that there is something, the tree, the formulas. */
void cat_resolve(struct cat_reader *r)
{
	int end = r->line > 0 ? r->line : 1;
	if (r->c->n_orgunits == 0)
		cat_err(r, end, "no [orgunit] section: the first must be the kecamatan");
	if (r->c->n_indicators == 0)
		cat_err(r, end, "no [indicator] section");
	resolve_parents(r);
	resolve_indicators(r);
	resolve_schedules(r);
}

/* Free a catalog and everything it owns; null the pointer. */
void catalog_free(struct catalog **cp)
{
	struct catalog *c = cp ? *cp : NULL;
	if (!c)
		return;
	for (int i = 0; i < c->n_quantities; i++)
		free(c->quantities[i].indicators);
	free(c->quantities);
	free(c->orgunits);
	free(c->elements);
	free(c->casetypes);
	free(c->indicators);
	free(c->schedules);
	for (int k = 0; k < HASH_KINDS; k++)
		free(c->hash[k]);
	free(c);
	*cp = NULL;
}

/* Index of the org unit with this code, or -1. */
int catalog_orgunit_find(const struct catalog *c, const char *code)
{
	return FIND(HASH_ORGUNIT, c->orgunits, c->n_orgunits, code);
}

/* Index of the element with this code, or -1. */
int catalog_element_find(const struct catalog *c, const char *code)
{
	return FIND(HASH_ELEMENT, c->elements, c->n_elements, code);
}

/* Index of the case type with this code, or -1. */
int catalog_casetype_find(const struct catalog *c, const char *code)
{
	return FIND(HASH_CASETYPE, c->casetypes, c->n_casetypes, code);
}

/* Index of the indicator with this code, or -1. */
int catalog_indicator_find(const struct catalog *c, const char *code)
{
	return FIND(HASH_INDICATOR, c->indicators, c->n_indicators, code);
}

/* Index of the quantity with this code ("surat_masuk", "akta.open"), or -1. */
int catalog_quantity_find(const struct catalog *c, const char *code)
{
	return FIND(HASH_QUANTITY, c->quantities, c->n_quantities, code);
}

/* Whether indicator i is shown under this jabatan; 0 for an index out of range. */
int catalog_indicator_has_jabatan(const struct catalog *c, int i, const char *jabatan)
{
	if (i < 0 || i >= c->n_indicators)
		return 0;
	const struct catalog_indicator *ind = &c->indicators[i];
	for (int j = 0; j < ind->n_jabatan; j++)
		if (!strcasecmp(ind->jabatan[j], jabatan))
			return 1;
	return 0;
}

/* Indicator i's jabatan joined with "; " into buf, truncated to fit; "" out of range. */
void catalog_indicator_jabatan(const struct catalog *c, int i, char *buf, size_t n)
{
	if (n == 0)
		return;
	buf[0] = '\0';
	if (i < 0 || i >= c->n_indicators)
		return;
	const struct catalog_indicator *ind = &c->indicators[i];
	size_t used = 0;
	for (int j = 0; j < ind->n_jabatan && used < n; j++) {
		int w = snprintf(buf + used, n - used, "%s%s", j ? "; " : "", ind->jabatan[j]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

const char *catalog_reporters(const struct catalog *c, const char *code)
{
	int i = catalog_element_find(c, code);
	if (i >= 0)
		return c->elements[i].reported_by;
	i = catalog_casetype_find(c, code);
	return i >= 0 ? c->casetypes[i].reported_by : NULL;
}

/* A case type's part of catalog_element_describe: ops open and close, value 1, its schedule. */
static void casetype_describe(const struct catalog *c, int i, struct proto_element *e)
{
	const struct catalog_casetype *ct = &c->casetypes[i];
	static const char *const every[] = {[PERIOD_MONTH] = "month", [PERIOD_QUARTER] = "quarter",
					    [PERIOD_YEAR] = "year"};
	snprintf(e->code, sizeof(e->code), "%s", ct->code);
	snprintf(e->name, sizeof(e->name), "%s", ct->name);
	snprintf(e->reported_by, sizeof(e->reported_by), "%s", ct->reported_by);
	e->is_case = true;
	e->ops[0] = PROTO_OP_OPEN;
	e->ops[1] = PROTO_OP_CLOSE;
	e->n_ops = 2;
	e->min = e->max = 1;
	e->limit_days = ct->limit_days;
	e->close_at_open = ct->close_at_open;
	for (int s = 0; s < c->n_schedules; s++)
		if (c->schedules[s].ct == i && (unsigned)c->schedules[s].every < LEN(every) &&
		    every[c->schedules[s].every]) {
			snprintf(e->schedule, sizeof(e->schedule), "%s", c->schedules[s].code);
			snprintf(e->every, sizeof(e->every), "%s", every[c->schedules[s].every]);
			break;
		}
}

void catalog_element_describe(const struct catalog *c, int i, struct proto_element *e)
{
	memset(e, 0, sizeof(*e));
	if (i >= c->n_elements) {
		casetype_describe(c, i - c->n_elements, e);
		return;
	}
	const struct catalog_element *el = &c->elements[i];
	snprintf(e->code, sizeof(e->code), "%s", el->code);
	snprintf(e->name, sizeof(e->name), "%s", el->name);
	snprintf(e->unit, sizeof(e->unit), "%s", cat_unit_names[el->unit]);
	snprintf(e->aggregate, sizeof(e->aggregate), "%s", cat_agg_names[el->agg]);
	snprintf(e->reported_by, sizeof(e->reported_by), "%s", el->reported_by);
	e->ops[0] = el->agg == CATALOG_SUM ? PROTO_OP_ADD : PROTO_OP_SET;
	e->n_ops = 1;
	e->min = el->min;
	e->max = el->max;
	e->limit_days = -1;
}

bool catalog_check_broken(const struct catalog *c, int i, int64_t num, int64_t den, char *words,
			  size_t n)
{
	const struct catalog_check *k = &c->indicators[i].check;
	if (!k->op)
		return false;
	int64_t a = k->left_num ? num : den;
	int64_t b = k->right == CATALOG_CHECK_NUM   ? num
		  : k->right == CATALOG_CHECK_DEN ? den
						  : k->constant;
	bool ok = k->op == CATALOG_CHECK_LE ? a <= b
		: k->op == CATALOG_CHECK_LT ? a < b
		: k->op == CATALOG_CHECK_GE ? a >= b
		: k->op == CATALOG_CHECK_GT ? a > b
					    : a == b;
	if (ok || (num == 0 && den == 0))
		return false; /* no data breaks no rule */
	char right[32];
	if (k->right == CATALOG_CHECK_CONST)
		snprintf(right, sizeof(right), "%lld", (long long)k->constant);
	else
		snprintf(right, sizeof(right), "%s",
			 k->right == CATALOG_CHECK_NUM ? "pembilang" : "penyebut");
	snprintf(words, n, "%s %s %s", k->left_num ? "pembilang" : "penyebut", cat_check_ops[k->op],
		 right);
	return true;
}

bool catalog_reports(const char *reporters, const char *section)
{
	size_t n = strlen(section);
	for (const char *p = reporters; n && p && *p;) {
		p += strspn(p, " ");
		size_t w = strcspn(p, " ");
		if (w == n && !strncmp(p, section, n))
			return true;
		p += w;
	}
	return false;
}

int64_t catalog_target(const struct catalog *c, int i, struct period p)
{
	const int64_t *t = c->indicators[i].target;
	p = period_base(p); /* a cumulative period's target is that of the period it ends with */
	int q = p.kind == PERIOD_QUARTER ? p.n : p.kind == PERIOD_MONTH ? (p.n + 2) / 3 : 0;
	return q && t[q] > 0 ? t[q] : t[0];
}

/* The name of a quantity, in words: an element's name, or a case type's with its step. */
static void quantity_words(const struct catalog *c, int q, char *buf, size_t n)
{
	static const char *const steps[] = {"dibuka", "selesai", "selesai tepat waktu"};
	for (int i = 0; i < c->n_elements; i++)
		if (c->elements[i].quantity == q) {
			snprintf(buf, n, "%s", c->elements[i].name);
			return;
		}
	for (int i = 0; i < c->n_casetypes; i++)
		if (q >= c->casetypes[i].quantity && q <= c->casetypes[i].quantity + 2) {
			snprintf(buf, n, "%s (%s)", c->casetypes[i].name,
				 steps[q - c->casetypes[i].quantity]);
			return;
		}
	snprintf(buf, n, "%s", c->quantities[q].code);
}

void catalog_formula_words(const struct catalog *c, int i, bool den, char *buf, size_t n)
{
	const struct catalog_indicator *ind = &c->indicators[i];
	const int *terms = den ? ind->den : ind->num;
	int count = den ? ind->n_den : ind->n_num;
	size_t len = 0;
	buf[0] = '\0';
	for (int t = 0; t < count && len + 1 < n; t++) {
		char words[PROTO_TEXT_MAX + 32];
		quantity_words(c, terms[t], words, sizeof(words));
		int w = snprintf(buf + len, n - len, "%s%s", t ? " + " : "", words);
		len += w > 0 ? (size_t)w : 0;
	}
	iki_utf8_trim(buf); /* a cut at n may split a character */
}

