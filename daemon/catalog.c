/* catalog.c: a strict reader of the catalog's INI dialect, and lookups into the loaded catalog. */
#include "catalog.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iki.h"

#define LINE_MAX_LEN 1024
#define FORMULA_MAX 512

enum section { SEC_NONE, SEC_ORGUNIT, SEC_ELEMENT, SEC_CASE, SEC_INDICATOR };

/* A formula as written, resolved once every element and case is known. */
struct formula {
	char text[FORMULA_MAX];
	int line;
};

/* The reader's state: where it is, what it has seen, the errors so far. */
struct reader {
	const char *path;
	int line;
	struct catalog *c;
	enum section sec;
	int cur;              /* index of the current section's object */
	unsigned seen;        /* keys seen in the current section (bit per key index) */
	int sec_line;
	char *errors;
	size_t err_len;
	int n_errors;
	struct formula *num, *den; /* per indicator */
	char (*parent)[PROTO_ORGUNIT_MAX + 1];
	int *parent_line;
	int *order;           /* per quantity slot: element (>=0) or ~case (<0), in file order */
	int n_order;
};

/* Record one "file:line: message" error. */
__attribute__((format(printf, 3, 4))) static void err(struct reader *r, int line, const char *fmt,
							...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(msg, sizeof(msg), "%s:%d: ", r->path, line);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	size_t len = strlen(msg);
	char *e = realloc(r->errors, r->err_len + len + 2);
	if (!e)
		return;
	memcpy(e + r->err_len, msg, len);
	e[r->err_len + len] = '\n';
	e[r->err_len + len + 1] = '\0';
	r->errors = e;
	r->err_len += len + 1;
	r->n_errors++;
}

/* Trim spaces at both ends, in place. */
static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Whether every byte of s is in the allowed set. */
static bool code_ok(const char *s, const char *allowed)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(allowed, *s))
			return false;
	return true;
}

#define CODE_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"
#define ORGUNIT_CHARS "0123456789."

/* Grow an array by one zeroed element; returns its index or -1. */
static int grow(void **arr, int *n, size_t size)
{
	void *p = realloc(*arr, (size_t)(*n + 1) * size);
	if (!p)
		return -1;
	memset((char *)p + (size_t)*n * size, 0, size);
	*arr = p;
	return (*n)++;
}

/* Copy a value into a fixed field, or report it as too long. */
static void set_text(struct reader *r, char *dst, size_t size, const char *key, const char *val)
{
	if (strlen(val) >= size) {
		err(r, r->line, "%s is longer than %zu bytes", key, size - 1);
		return;
	}
	if (!*val)
		err(r, r->line, "%s is empty", key);
	memcpy(dst, val, strlen(val) + 1);
}

/* Parse a non-negative integer; false when it is not one. */
static bool parse_int(const char *s, long long max, long long *out)
{
	char *end;
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* ---- sections ---- */

static const char *const units[] = {"count", "amount", "state", "target", NULL};
static const char *const aggs[] = {"sum", "last", NULL};
static const char *const ou_kinds[] = {"kecamatan", "desa", "kelurahan", NULL};
static const char *const ind_kinds[] = {"count",  "case",   "follow-up", "deliverable",
					"amount", "target", "state",	     NULL};
static const char *const polarities[] = {"up", "down", NULL};


/* The keys each section takes; required keys are marked with a leading '!'. */
static const char *const keys_orgunit[] = {"!name", "!kind", "parent", NULL};
static const char *const keys_element[] = {"!name", "!unit", "!aggregate", NULL};
static const char *const keys_case[] = {"!name", "!limit_days", NULL};
static const char *const keys_indicator[] = {"rows",	  "!name",	  "*jabatan", "!sasaran",
					     "!kind",	  "!numerator",	  "!denominator",
					     "factor",	  "!polarity",	  "!source",  NULL};

static const char *const *section_keys(enum section s)
{
	switch (s) {
	case SEC_ORGUNIT: return keys_orgunit;
	case SEC_ELEMENT: return keys_element;
	case SEC_CASE: return keys_case;
	case SEC_INDICATOR: return keys_indicator;
	default: return NULL;
	}
}

static const char *section_name(enum section s)
{
	static const char *const names[] = {"", "orgunit", "element", "case", "indicator"};
	return names[s];
}

/* Check that the section just finished had its required keys. */
static void section_end(struct reader *r)
{
	const char *const *keys = section_keys(r->sec);
	for (int i = 0; keys && keys[i]; i++) {
		bool required = keys[i][0] == '!' || keys[i][0] == '*';
		if (required && !(r->seen & (1u << i)))
			err(r, r->sec_line, "[%s] lacks '%s'", section_name(r->sec), keys[i] + 1);
	}
	if (r->sec == SEC_ORGUNIT && r->cur > 0 && !(r->seen & 4u))
		err(r, r->sec_line, "[orgunit] lacks 'parent' (only the first org unit, the "
				    "kecamatan, has none)");
	if (r->sec == SEC_ORGUNIT && r->cur == 0 && (r->seen & 4u))
		err(r, r->sec_line, "the first [orgunit] is the kecamatan, the root: no 'parent'");
	if (r->sec == SEC_ELEMENT && r->cur >= 0) {
		const struct catalog_element *e = &r->c->elements[r->cur];
		bool state = e->unit == CATALOG_STATE || e->unit == CATALOG_TARGET;
		if (e->unit && e->agg && state != (e->agg == CATALOG_LAST))
			err(r, r->sec_line, "element %s: a %s must use 'aggregate = %s'", e->code,
			    units[e->unit - 1], state ? "last" : "sum");
	}
	r->sec = SEC_NONE;
}

/* Whether code is already taken by an element or a case (they share the event's field). */
static bool source_code_taken(const struct catalog *c, const char *code)
{
	return catalog_element_find(c, code) >= 0 || catalog_casetype_find(c, code) >= 0;
}

/* Start a section from its header "[kind CODE]". */
static void section_begin(struct reader *r, char *hdr)
{
	struct catalog *c = r->c;
	char *sp = strchr(hdr, ' ');
	char *code = sp ? trim(sp + 1) : NULL;
	if (sp)
		*sp = '\0';
	r->sec = SEC_NONE;
	r->seen = 0;
	r->cur = -1;
	r->sec_line = r->line;
	enum section s = !strcmp(hdr, "orgunit")     ? SEC_ORGUNIT
			 : !strcmp(hdr, "element")   ? SEC_ELEMENT
			 : !strcmp(hdr, "case")      ? SEC_CASE
			 : !strcmp(hdr, "indicator") ? SEC_INDICATOR
						     : SEC_NONE;
	if (s == SEC_NONE) {
		err(r, r->line, "unknown section [%s] (orgunit, element, case or indicator)", hdr);
		r->sec = SEC_NONE;
		r->cur = -2; /* skip its keys quietly */
		return;
	}
	bool is_ou = s == SEC_ORGUNIT;
	size_t max = is_ou ? PROTO_ORGUNIT_MAX : PROTO_CODE_MAX;
	if (!code || !code_ok(code, is_ou ? ORGUNIT_CHARS : CODE_CHARS) || strlen(code) > max) {
		err(r, r->line, "[%s] needs a code of %s, at most %zu bytes", hdr,
		    is_ou ? "digits and dots" : "lowercase letters, digits and '_'", max);
		r->cur = -2;
		return;
	}
	bool dup = false;
	int i = -1;
	switch (s) {
	case SEC_ORGUNIT:
		dup = catalog_orgunit_find(c, code) >= 0;
		if (!dup && (i = grow((void **)&c->orgunits, &c->n_orgunits, sizeof(*c->orgunits))) >= 0) {
			snprintf(c->orgunits[i].code, sizeof(c->orgunits[i].code), "%s", code);
			c->orgunits[i].parent = -1;
			if (grow((void **)&r->parent, &(int){i}, sizeof(*r->parent)) < 0 ||
			    grow((void **)&r->parent_line, &(int){i}, sizeof(int)) < 0)
				i = -1;
		}
		break;
	case SEC_ELEMENT:
		dup = source_code_taken(c, code);
		if (!dup && (i = grow((void **)&c->elements, &c->n_elements, sizeof(*c->elements))) >= 0) {
			snprintf(c->elements[i].code, sizeof(c->elements[i].code), "%s", code);
			int o = grow((void **)&r->order, &r->n_order, sizeof(int));
			if (o >= 0)
				r->order[o] = i;
		}
		break;
	case SEC_CASE:
		dup = source_code_taken(c, code);
		if (!dup &&
		    (i = grow((void **)&c->casetypes, &c->n_casetypes, sizeof(*c->casetypes))) >= 0) {
			snprintf(c->casetypes[i].code, sizeof(c->casetypes[i].code), "%s", code);
			int o = grow((void **)&r->order, &r->n_order, sizeof(int));
			if (o >= 0)
				r->order[o] = ~i;
		}
		break;
	case SEC_INDICATOR:
		dup = catalog_indicator_find(c, code) >= 0;
		if (!dup &&
		    (i = grow((void **)&c->indicators, &c->n_indicators, sizeof(*c->indicators))) >= 0) {
			struct catalog_indicator *ind = &c->indicators[i];
			snprintf(ind->code, sizeof(ind->code), "%s", code);
			ind->factor = 100;
			if (grow((void **)&r->num, &(int){i}, sizeof(*r->num)) < 0 ||
			    grow((void **)&r->den, &(int){i}, sizeof(*r->den)) < 0)
				i = -1;
		}
		break;
	default: break;
	}
	if (dup) {
		err(r, r->line, "%s '%s' is defined twice%s", hdr, code,
		    s == SEC_ELEMENT || s == SEC_CASE ? " (elements and cases share codes)" : "");
		r->cur = -2;
		return;
	}
	if (i < 0) {
		err(r, r->line, "out of memory");
		r->cur = -2;
		return;
	}
	r->sec = s;
	r->cur = i;
}

/* Match val against a list of words; returns its index + 1, or 0. */
static int word(const char *val, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (!strcmp(val, words[i]))
			return i + 1;
	return 0;
}

/* Apply "key = val" to the current org unit. */
static void key_orgunit(struct reader *r, const char *key, const char *val)
{
	struct catalog_orgunit *o = &r->c->orgunits[r->cur];
	if (!strcmp(key, "name")) {
		set_text(r, o->name, sizeof(o->name), key, val);
	} else if (!strcmp(key, "kind")) {
		if (!word(val, ou_kinds))
			err(r, r->line, "kind must be kecamatan, desa or kelurahan, not '%s'", val);
		else
			snprintf(o->kind, sizeof(o->kind), "%s", val);
	} else {
		set_text(r, r->parent[r->cur], sizeof(r->parent[r->cur]), key, val);
		r->parent_line[r->cur] = r->line;
	}
}

/* Apply "key = val" to the current element. */
static void key_element(struct reader *r, const char *key, const char *val)
{
	struct catalog_element *e = &r->c->elements[r->cur];
	if (!strcmp(key, "name"))
		set_text(r, e->name, sizeof(e->name), key, val);
	else if (!strcmp(key, "unit") && !(e->unit = (enum catalog_unit)word(val, units)))
		err(r, r->line, "unit must be count, amount, state or target, not '%s'", val);
	else if (!strcmp(key, "aggregate") && !(e->agg = (enum catalog_agg)word(val, aggs)))
		err(r, r->line, "aggregate must be sum or last, not '%s'", val);
}

/* Apply "key = val" to the current case type. */
static void key_case(struct reader *r, const char *key, const char *val)
{
	struct catalog_casetype *t = &r->c->casetypes[r->cur];
	long long v;
	if (!strcmp(key, "name"))
		set_text(r, t->name, sizeof(t->name), key, val);
	else if (!strcmp(val, "none"))
		t->limit_days = -1;
	else if (parse_int(val, 3660, &v))
		t->limit_days = (int)v;
	else
		err(r, r->line, "limit_days must be a number of days (0-3660) or none, not '%s'", val);
}

/* Apply "key = val" to the current indicator. */
static void key_indicator(struct reader *r, const char *key, const char *val)
{
	struct catalog_indicator *ind = &r->c->indicators[r->cur];
	long long v;
	if (!strcmp(key, "rows")) {
		set_text(r, ind->rows, sizeof(ind->rows), key, val);
	} else if (!strcmp(key, "name")) {
		set_text(r, ind->name, sizeof(ind->name), key, val);
	} else if (!strcmp(key, "jabatan")) {
		if (ind->n_jabatan == CATALOG_JABATAN_MAX)
			err(r, r->line, "more than %d jabatan", CATALOG_JABATAN_MAX);
		else
			set_text(r, ind->jabatan[ind->n_jabatan++], sizeof(ind->jabatan[0]), key, val);
	} else if (!strcmp(key, "sasaran")) {
		set_text(r, ind->sasaran, sizeof(ind->sasaran), key, val);
	} else if (!strcmp(key, "source")) {
		set_text(r, ind->source, sizeof(ind->source), key, val);
	} else if (!strcmp(key, "kind")) {
		if (!word(val, ind_kinds))
			err(r, r->line, "kind must be count, case, follow-up, deliverable, amount, "
					"target or state, not '%s'", val);
		else
			snprintf(ind->kind, sizeof(ind->kind), "%s", val);
	} else if (!strcmp(key, "factor")) {
		if (!parse_int(val, 1000000, &v) || v == 0)
			err(r, r->line, "factor must be a positive whole number, not '%s'", val);
		else
			ind->factor = v;
	} else if (!strcmp(key, "polarity")) {
		if (!(ind->polarity = (enum catalog_polarity)word(val, polarities)))
			err(r, r->line, "polarity must be up or down, not '%s'", val);
	} else {
		struct formula *f = !strcmp(key, "numerator") ? &r->num[r->cur] : &r->den[r->cur];
		set_text(r, f->text, sizeof(f->text), key, val);
		f->line = r->line;
	}
}

/* One "key = value" line. */
static void key_line(struct reader *r, char *key, char *val)
{
	if (r->cur == -2)
		return;
	if (r->sec == SEC_NONE) {
		if (!strcmp(key, "title") && r->c->n_orgunits + r->c->n_elements == 0)
			set_text(r, r->c->title, sizeof(r->c->title), key, val);
		else
			err(r, r->line, "'%s' outside a section", key);
		return;
	}
	const char *const *keys = section_keys(r->sec);
	int k = -1;
	for (int i = 0; keys[i]; i++) {
		const char *name = keys[i][0] == '!' || keys[i][0] == '*' ? keys[i] + 1 : keys[i];
		if (!strcmp(name, key))
			k = i;
	}
	if (k < 0) {
		err(r, r->line, "unknown key '%s' in [%s]", key, section_name(r->sec));
		return;
	}
	if ((r->seen & (1u << k)) && keys[k][0] != '*') {
		err(r, r->line, "'%s' given twice", key);
		return;
	}
	r->seen |= 1u << k;
	switch (r->sec) {
	case SEC_ORGUNIT: key_orgunit(r, key, val); break;
	case SEC_ELEMENT: key_element(r, key, val); break;
	case SEC_CASE: key_case(r, key, val); break;
	case SEC_INDICATOR: key_indicator(r, key, val); break;
	default: break;
	}
}

/* One line of the file. */
static void parse_line(struct reader *r, char *raw)
{
	char *s = trim(raw);
	if (!*s || *s == '#' || *s == ';')
		return;
	if (*s == '[') {
		size_t n = strlen(s);
		if (r->sec != SEC_NONE)
			section_end(r);
		if (s[n - 1] != ']') {
			err(r, r->line, "section header without ']'");
			r->cur = -2;
			return;
		}
		s[n - 1] = '\0';
		section_begin(r, trim(s + 1));
		return;
	}
	char *eq = strchr(s, '=');
	if (!eq) {
		err(r, r->line, "expected 'key = value'");
		return;
	}
	*eq = '\0';
	key_line(r, trim(s), trim(eq + 1));
}

/* ---- after reading: quantities, formulas, the org unit tree ---- */

/* Number the quantities in file order: one per element, three per case type. */
static int build_quantities(struct reader *r)
{
	struct catalog *c = r->c;
	static const char *const steps[] = {".open", ".closed", ".ontime"};
	c->quantities = calloc((size_t)c->n_elements + 3 * (size_t)c->n_casetypes + 1,
			       sizeof(*c->quantities));
	if (!c->quantities)
		return -ENOMEM;
	for (int o = 0; o < r->n_order; o++) {
		int x = r->order[o];
		if (x >= 0) {
			c->elements[x].quantity = c->n_quantities;
			snprintf(c->quantities[c->n_quantities++].code, sizeof(c->quantities[0].code),
				 "%s", c->elements[x].code);
			continue;
		}
		c->casetypes[~x].quantity = c->n_quantities;
		for (int k = 0; k < 3; k++)
			snprintf(c->quantities[c->n_quantities++].code, sizeof(c->quantities[0].code),
				 "%s%s", c->casetypes[~x].code, steps[k]);
	}
	return 0;
}

/* Resolve "a + b + c" into quantity indices. */
static void resolve_formula(struct reader *r, const struct formula *f, const char *side, int *q,
			    int *n)
{
	char buf[FORMULA_MAX], *save = NULL;
	int before = r->n_errors;
	snprintf(buf, sizeof(buf), "%s", f->text);
	*n = 0;
	for (char *t = strtok_r(buf, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
		t = trim(t);
		int i = catalog_quantity_find(r->c, t);
		if (!*t)
			err(r, f->line, "%s has an empty term", side);
		else if (i < 0)
			err(r, f->line, "%s: '%s' is not an element or a case step (<case>.open, "
					".closed, .ontime)", side, t);
		else if (*n == CATALOG_TERMS_MAX)
			err(r, f->line, "%s has more than %d terms", side, CATALOG_TERMS_MAX);
		else
			q[(*n)++] = i;
	}
	if (*n == 0 && r->n_errors == before)
		err(r, f->line, "%s names no quantity", side);
}

/* Add indicator i to quantity q's list, once. */
static int link_quantity(struct catalog_quantity *q, int i)
{
	for (int j = 0; j < q->n_indicators; j++)
		if (q->indicators[j] == i)
			return 0;
	int *p = realloc(q->indicators, (size_t)(q->n_indicators + 1) * sizeof(int));
	if (!p)
		return -ENOMEM;
	p[q->n_indicators++] = i;
	q->indicators = p;
	return 0;
}

/* Check what the lines alone cannot: the tree, units, formulas, the reverse index. */
static void finish(struct reader *r)
{
	struct catalog *c = r->c;
	if (c->n_orgunits == 0)
		err(r, r->line, "no [orgunit]: the first must be the kecamatan");
	if (c->n_indicators == 0)
		err(r, r->line, "no [indicator]");
	for (int i = 0; i < c->n_orgunits; i++) {
		if (!r->parent[i][0])
			continue;
		int p = catalog_orgunit_find(c, r->parent[i]);
		if (p < 0 || p >= i)
			err(r, r->parent_line[i], "parent %s is not an org unit defined above",
			    r->parent[i]);
		else
			c->orgunits[i].parent = p;
	}
	if (build_quantities(r) < 0) {
		err(r, r->line, "out of memory");
		return;
	}
	for (int i = 0; i < c->n_indicators; i++) {
		struct catalog_indicator *ind = &c->indicators[i];
		if (r->num[i].text[0])
			resolve_formula(r, &r->num[i], "numerator", ind->num, &ind->n_num);
		if (r->den[i].text[0])
			resolve_formula(r, &r->den[i], "denominator", ind->den, &ind->n_den);
		for (int t = 0; t < ind->n_num + ind->n_den; t++) {
			int q = t < ind->n_num ? ind->num[t] : ind->den[t - ind->n_num];
			if (link_quantity(&c->quantities[q], i) < 0)
				err(r, r->line, "out of memory");
		}
	}
}

int catalog_load(const char *path, struct catalog **out, char **errors)
{
	struct reader r = {.path = path, .sec = SEC_NONE, .cur = -1};
	char line[LINE_MAX_LEN + 2];
	*out = NULL;
	if (errors)
		*errors = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		int e = -errno;
		if (errors && (*errors = malloc(strlen(path) + 128)) != NULL)
			sprintf(*errors, "%s: %s\n", path, strerror(-e));
		return e;
	}
	r.c = calloc(1, sizeof(*r.c));
	if (!r.c) {
		fclose(f);
		return -ENOMEM;
	}
	while (fgets(line, sizeof(line), f)) {
		r.line++;
		size_t n = strlen(line);
		if (n > LINE_MAX_LEN && line[n - 1] != '\n') {
			err(&r, r.line, "line longer than %d bytes", LINE_MAX_LEN);
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		parse_line(&r, line);
	}
	fclose(f);
	if (r.sec != SEC_NONE)
		section_end(&r);
	finish(&r);
	free(r.num);
	free(r.den);
	free(r.parent);
	free(r.parent_line);
	free(r.order);
	if (r.n_errors) {
		catalog_free(&r.c);
		if (errors)
			*errors = r.errors;
		else
			free(r.errors);
		return IKI_ECATALOG;
	}
	*out = r.c;
	return 0;
}

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
	free(c);
	*cp = NULL;
}

/* ---- lookups (linear: a catalog has tens of entries, looked up once per event) ---- */

#define FIND(arr, n, code)                                \
	do {                                              \
		for (int i_ = 0; i_ < (n); i_++)          \
			if (!strcmp((arr)[i_].code, code)) \
				return i_;                \
		return -1;                                \
	} while (0)

int catalog_orgunit_find(const struct catalog *c, const char *code)
{
	FIND(c->orgunits, c->n_orgunits, code);
}

int catalog_element_find(const struct catalog *c, const char *code)
{
	FIND(c->elements, c->n_elements, code);
}

int catalog_casetype_find(const struct catalog *c, const char *code)
{
	FIND(c->casetypes, c->n_casetypes, code);
}

int catalog_indicator_find(const struct catalog *c, const char *code)
{
	FIND(c->indicators, c->n_indicators, code);
}

int catalog_quantity_find(const struct catalog *c, const char *code)
{
	FIND(c->quantities, c->n_quantities, code);
}

int catalog_indicator_has_jabatan(const struct catalog *c, int i, const char *jabatan)
{
	const struct catalog_indicator *ind = &c->indicators[i];
	for (int j = 0; j < ind->n_jabatan; j++)
		if (!strcasecmp(ind->jabatan[j], jabatan))
			return 1;
	return 0;
}

void catalog_indicator_jabatan(const struct catalog *c, int i, char *buf, size_t n)
{
	const struct catalog_indicator *ind = &c->indicators[i];
	size_t used = 0;
	buf[0] = '\0';
	for (int j = 0; j < ind->n_jabatan && used < n; j++) {
		int w = snprintf(buf + used, n - used, "%s%s", j ? "; " : "", ind->jabatan[j]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}
