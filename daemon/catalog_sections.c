/*
 * catalog_sections.c: what each section of a catalog says: the keys of [orgunit], [element],
 * [case], [indicator] and [schedule] and of the top (title, band), each checked as it is read;
 * a section's own rules once it ends; the codes it may have; and the objects it appends.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_int.h"

#define LIMIT_DAYS_MAX 3660 /* ten years: a longer limit is a typo */
#define FACTOR_MAX 1000000  /* keeps numerator x factor far from overflowing */

/* Keys by position in their section's table, for the checks made when a section ends. */
enum { OU_NAME, OU_KIND, OU_PARENT };
enum { EL_NAME, EL_UNIT, EL_AGG, EL_REPORTERS, EL_CARRY, EL_MIN, EL_MAX };

/* Names of the enumerations, indexed by their values (0 is not a value). */
const char *const cat_unit_names[] = {"", "count", "amount", "state", "target"};
const char *const cat_check_ops[] = {"", "<=", "<", ">=", ">", "==", NULL};
const char *const cat_agg_names[] = {"", "sum", "last"};
static const char *const polarity_names[] = {"", "up", "down"};
static const char *const ou_kinds[] = {"",	   "negara", "provinsi", "kabupaten", "kota",
				       "kecamatan", "desa",   "kelurahan", "desa_adat"};
/* The level of each kind: a child's is below (greater than) its parent's. */
static const int ou_levels[] = {-1, 0, 1, 2, 2, 3, 4, 4, 4};
#define LEVEL_VILLAGE 4
static const char *const ind_kinds[] = {"",	  "count",  "case", "follow-up", "deliverable",
					"amount", "target", "state"};
const char *const cat_section_names[] = {"",	  "orgunit",  "element", "case",
					    "indicator", "schedule", ""};
static const char *const every_names[] = {"", "month", "quarter", "year"};
static const char *const count_close_names[] = {"", "close", "open"};
static const char *const carry_names[] = {"", "year", "period"};

/* orgunit kind: negara, provinsi, kabupaten, kota, kecamatan, desa, kelurahan or desa_adat. */
static void ou_kind(struct cat_reader *r, const char *val)
{
	struct catalog_orgunit *o = &r->c->orgunits[r->cur];
	int k = cat_enum(r, val, ou_kinds, LEN(ou_kinds));
	r->ou[r->cur].kind_line = r->line;
	if (!k)
		return;
	snprintf(o->kind, sizeof(o->kind), "%s", ou_kinds[k]);
	o->level = ou_levels[k];
}

/* orgunit parent: resolved when the whole file is read. */
static void ou_parent(struct cat_reader *r, const char *val)
{
	struct cat_pending_orgunit *p = &r->ou[r->cur];
	cat_set_text(r, p->parent, sizeof(p->parent), val);
	p->line = r->line;
}

/* element unit. */
static void el_unit(struct cat_reader *r, const char *val)
{
	r->c->elements[r->cur].unit =
	    (enum catalog_unit)cat_enum(r, val, cat_unit_names, LEN(cat_unit_names));
}

/* element aggregate. */
static void el_agg(struct cat_reader *r, const char *val)
{
	r->c->elements[r->cur].agg =
	    (enum catalog_agg)cat_enum(r, val, cat_agg_names, LEN(cat_agg_names));
}

/* case limit_days: a number of days, or none. */
static void case_limit(struct cat_reader *r, const char *val)
{
	long long v;
	if (!strcmp(val, "none"))
		r->c->casetypes[r->cur].limit_days = -1;
	else if (cat_parse_int(val, 0, LIMIT_DAYS_MAX, &v))
		r->c->casetypes[r->cur].limit_days = (int)v;
	else
		cat_err(r, r->line,
		    "'limit_days' must be a whole number of days from 0 to %d, or none, "
		    "not '%s'",
		    LIMIT_DAYS_MAX, val);
}

/* reported_by of an element or case type: space-separated section codes, checked here. */
static void set_reporters(struct cat_reader *r, char *dst, size_t size, const char *val)
{
	size_t n = strspn(val, CODE_CHARS " ");
	if (val[n] != '\0')
		cat_err(r, r->line,
		    "'reported_by' lists section codes (lowercase letters, digits, '_') separated by "
		    "spaces, not '%s'", val);
	else
		cat_set_text(r, dst, size, val);
}

/* element carry: year (a stock counts until the next set, within its budget year) or period. */
static void el_carry(struct cat_reader *r, const char *val)
{
	r->c->elements[r->cur].carry_period = cat_enum(r, val, carry_names, LEN(carry_names)) == 2;
}

/* element min and max: the bounds of one event's value (0 and 10^15 when not given). */
static void el_bound(struct cat_reader *r, const char *val, int64_t *dst)
{
	long long v;
	if (cat_parse_int(val, 0, CATALOG_VALUE_MAX, &v))
		*dst = v;
	else
		cat_err(r, r->line, "'%s' must be a whole number from 0 to %lld, not '%s'", r->key,
		    (long long)CATALOG_VALUE_MAX, val);
}

static void el_min(struct cat_reader *r, const char *val)
{
	el_bound(r, val, &r->c->elements[r->cur].min);
}

static void el_max(struct cat_reader *r, const char *val)
{
	el_bound(r, val, &r->c->elements[r->cur].max);
}

static void el_reporters(struct cat_reader *r, const char *val)
{
	struct catalog_element *e = &r->c->elements[r->cur];
	set_reporters(r, e->reported_by, sizeof(e->reported_by), val);
}

static void case_reporters(struct cat_reader *r, const char *val)
{
	struct catalog_casetype *t = &r->c->casetypes[r->cur];
	set_reporters(r, t->reported_by, sizeof(t->reported_by), val);
}

/* case count_close: in the period of the close (the default), or of the open. */
static void case_count_close(struct cat_reader *r, const char *val)
{
	int k = cat_enum(r, val, count_close_names, LEN(count_close_names));
	r->c->casetypes[r->cur].close_at_open = k == 2;
}

/* The current schedule. */
static struct catalog_schedule *cur_sched(struct cat_reader *r)
{
	return &r->c->schedules[r->cur];
}

/* schedule case and orgunit: codes, resolved when the whole file is read. */
static void sched_case(struct cat_reader *r, const char *val)
{
	cat_set_text(r, cur_sched(r)->case_code, sizeof(cur_sched(r)->case_code), val);
	cur_sched(r)->line = r->line;
}

static void sched_orgunit(struct cat_reader *r, const char *val)
{
	cat_set_text(r, cur_sched(r)->orgunit_code, sizeof(cur_sched(r)->orgunit_code), val);
}

/* schedule every: month, quarter or year. */
static void sched_every(struct cat_reader *r, const char *val)
{
	static const enum period_kind kinds_of[] = {0, PERIOD_MONTH, PERIOD_QUARTER, PERIOD_YEAR};
	int k = cat_enum(r, val, every_names, LEN(every_names));
	if (k)
		cur_sched(r)->every = kinds_of[k];
}

/* schedule due_days: days after the period's end. */
static void sched_due(struct cat_reader *r, const char *val)
{
	long long v;
	if (cat_parse_int(val, 0, 366, &v))
		cur_sched(r)->due_days = (int)v;
	else
		cat_err(r, r->line, "'due_days' must be a whole number of days from 0 to 366, not '%s'",
		    val);
}

/* schedule years: "2022" or "2022-2024". */
static void sched_years(struct cat_reader *r, const char *val)
{
	long long from, to;
	char a[8] = "", b[8] = "";
	const char *dash = strchr(val, '-');
	snprintf(a, sizeof(a), "%.*s", dash ? (int)(dash - val) : 7, val);
	snprintf(b, sizeof(b), "%s", dash ? dash + 1 : a);
	if (cat_parse_int(a, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &from) &&
	    cat_parse_int(b, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &to) && from <= to && to - from < 20) {
		cur_sched(r)->year_from = (int)from;
		cur_sched(r)->year_to = (int)to;
	} else {
		cat_err(r, r->line, "'years' is a year or a range of at most 20 (2022, 2022-2024), "
		    "within %d-%d, not '%s'", PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, val);
	}
}

/* The current indicator. */
static struct catalog_indicator *cur_ind(struct cat_reader *r)
{
	return &r->c->indicators[r->cur];
}

/* indicator jabatan: repeatable, each position once. */
static void ind_jabatan(struct cat_reader *r, const char *val)
{
	struct catalog_indicator *ind = cur_ind(r);
	for (int j = 0; j < ind->n_jabatan; j++)
		if (!strcasecmp(ind->jabatan[j], val)) {
			cat_err(r, r->line, "'jabatan' %s given twice", val);
			return;
		}
	if (ind->n_jabatan == CATALOG_JABATAN_MAX) {
		cat_err(r, r->line, "more than %d 'jabatan'", CATALOG_JABATAN_MAX);
		return;
	}
	cat_set_text(r, ind->jabatan[ind->n_jabatan], sizeof(ind->jabatan[0]), val);
	if (ind->jabatan[ind->n_jabatan][0])
		ind->n_jabatan++;
}

/* indicator kind (documentation: what the indicator counts). */
static void ind_kind(struct cat_reader *r, const char *val)
{
	int k = cat_enum(r, val, ind_kinds, LEN(ind_kinds));
	if (k)
		snprintf(cur_ind(r)->kind, sizeof(cur_ind(r)->kind), "%s", ind_kinds[k]);
}

/* indicator numerator: resolved when the whole file is read. */
static void ind_num(struct cat_reader *r, const char *val)
{
	struct cat_pending_indicator *p = &r->ind[r->cur];
	cat_set_text(r, p->num, sizeof(p->num), val);
	p->num_line = r->line;
}

/* indicator denominator: resolved when the whole file is read. */
static void ind_den(struct cat_reader *r, const char *val)
{
	struct cat_pending_indicator *p = &r->ind[r->cur];
	cat_set_text(r, p->den, sizeof(p->den), val);
	p->den_line = r->line;
}

/* indicator factor: a positive whole number. */
static void ind_factor(struct cat_reader *r, const char *val)
{
	long long v;
	if (cat_parse_int(val, 1, FACTOR_MAX, &v))
		cur_ind(r)->factor = v;
	else
		cat_err(r, r->line, "'factor' must be a whole number from 1 to %d, not '%s'",
		    FACTOR_MAX, val);
}

/* indicator check: a validation rule, "numerator <= denominator" (DHIS2's validation rules). */
static void ind_check(struct cat_reader *r, const char *val)
{
	struct catalog_check *c = &cur_ind(r)->check;
	char left[16], op[4], right[24], extra;
	int n = sscanf(val, "%15s %3s %23s %c", left, op, right, &extra);
	c->op = 0;
	for (int i = 1; n == 3 && cat_check_ops[i]; i++)
		if (!strcmp(op, cat_check_ops[i]))
			c->op = (enum catalog_check_op)i;
	long long k;
	bool left_ok = !strcmp(left, "numerator") || !strcmp(left, "denominator");
	c->left_num = !strcmp(left, "numerator");
	c->right = !strcmp(right, "numerator") ? CATALOG_CHECK_NUM
		 : !strcmp(right, "denominator") ? CATALOG_CHECK_DEN
						 : CATALOG_CHECK_CONST;
	if (c->right == CATALOG_CHECK_CONST && cat_parse_int(right, 0, CATALOG_VALUE_MAX, &k))
		c->constant = k;
	else if (c->right == CATALOG_CHECK_CONST)
		left_ok = false;
	if (n != 3 || !c->op || !left_ok) {
		c->op = 0;
		cat_err(r, r->line,
		    "'check' is 'numerator' or 'denominator', then <=, <, >=, > or ==, then "
		    "'numerator', 'denominator' or a whole number (numerator <= denominator), not "
		    "'%s'",
		    val);
	}
}

/* indicator target: the year's target, a percentage. */
static void ind_target(struct cat_reader *r, const char *val)
{
	if (!lakip_parse_percent(val, CATALOG_TARGET_MAX, &cur_ind(r)->target[0]) ||
	    cur_ind(r)->target[0] == 0) {
		cur_ind(r)->target[0] = -1;
		cat_err(r, r->line, "'target' is a percentage above 0, at most %d, with at most two "
		    "decimals (95 or 95.5), not '%s'", CATALOG_TARGET_MAX / 100, val);
	}
}

/* indicator target_q: the four quarters' targets (triwulan I-IV). */
static void ind_target_q(struct cat_reader *r, const char *val)
{
	char buf[LINE_MAX_LEN + 1];
	int n = 0;
	snprintf(buf, sizeof(buf), "%s", val);
	for (char *tok = strtok(buf, " \t"); tok; tok = strtok(NULL, " \t")) {
		int64_t v;
		if (n == 4 || !lakip_parse_percent(tok, CATALOG_TARGET_MAX, &v) || v == 0) {
			n = -1;
			break;
		}
		cur_ind(r)->target[1 + n++] = v;
	}
	if (n != 4) {
		for (int q = 1; q <= 4; q++)
			cur_ind(r)->target[q] = -1;
		cat_err(r, r->line, "'target_q' is four percentages above 0, triwulan I to IV "
		    "(e.g. 25 50 75 100), not '%s'", val);
	}
}

/* indicator polarity. */
static void ind_polarity(struct cat_reader *r, const char *val)
{
	cur_ind(r)->polarity =
	    (enum catalog_polarity)cat_enum(r, val, polarity_names, LEN(polarity_names));
}

/* The keys each section takes. An org unit's parent is required of all but the root. */
static const struct cat_key keys_orgunit[] = {
    [OU_NAME] = {"name", KEY_REQUIRED, TEXT(struct catalog_orgunit, name)},
    [OU_KIND] = {"kind", KEY_REQUIRED, FN(ou_kind)},
    [OU_PARENT] = {"parent", 0, FN(ou_parent)},
    {0},
};
static const struct cat_key keys_element[] = {
    [EL_NAME] = {"name", KEY_REQUIRED, TEXT(struct catalog_element, name)},
    [EL_UNIT] = {"unit", KEY_REQUIRED, FN(el_unit)},
    [EL_AGG] = {"aggregate", KEY_REQUIRED, FN(el_agg)},
    [EL_REPORTERS] = {"reported_by", 0, FN(el_reporters)},
    [EL_CARRY] = {"carry", 0, FN(el_carry)},
    [EL_MIN] = {"min", 0, FN(el_min)},
    [EL_MAX] = {"max", 0, FN(el_max)},
    {0},
};
static const struct cat_key keys_case[] = {
    {"name", KEY_REQUIRED, TEXT(struct catalog_casetype, name)},
    {"limit_days", KEY_REQUIRED, FN(case_limit)},
    {"reported_by", 0, FN(case_reporters)},
    {"count_close", 0, FN(case_count_close)},
    {0},
};
static const struct cat_key keys_indicator[] = {
    {"rows", 0, TEXT(struct catalog_indicator, rows)},
    {"name", KEY_REQUIRED, TEXT(struct catalog_indicator, name)},
    {"jabatan", KEY_REQUIRED | KEY_REPEAT, FN(ind_jabatan)},
    {"sasaran", KEY_REQUIRED, TEXT(struct catalog_indicator, sasaran)},
    {"kind", KEY_REQUIRED, FN(ind_kind)},
    {"numerator", KEY_REQUIRED, FN(ind_num)},
    {"denominator", KEY_REQUIRED, FN(ind_den)},
    {"factor", 0, FN(ind_factor)},
    {"polarity", KEY_REQUIRED, FN(ind_polarity)},
    {"source", KEY_REQUIRED, TEXT(struct catalog_indicator, source)},
    {"target", 0, FN(ind_target)},
    {"target_q", 0, FN(ind_target_q)},
    {"check", 0, FN(ind_check)},
    {0},
};
_Static_assert(LEN(keys_indicator) <= KEYS_MAX, "KEYS_MAX is smaller than a section's keys");
static const struct cat_key keys_schedule[] = {
    {"name", KEY_REQUIRED, TEXT(struct catalog_schedule, name)},
    {"case", KEY_REQUIRED, FN(sched_case)},
    {"every", KEY_REQUIRED, FN(sched_every)},
    {"due_days", KEY_REQUIRED, FN(sched_due)},
    {"years", KEY_REQUIRED, FN(sched_years)},
    {"orgunit", 0, FN(sched_orgunit)},
    {0},
};
const struct cat_key *const cat_section_keys[] = {
    NULL, keys_orgunit, keys_element, keys_case, keys_indicator, keys_schedule, NULL,
};

/*
 * The root rules: the first org unit is the only root (Sampang's: the kecamatan), of a level
 * above the villages. That each other one is below its parent is checked once parents resolve.
 */
static void orgunit_end(struct cat_reader *r)
{
	const struct catalog_orgunit *o = &r->c->orgunits[r->cur];
	bool root = r->cur == 0;
	if (root && r->key_line[OU_PARENT])
		cat_err(r, r->key_line[OU_PARENT],
		    "the first [orgunit] is the root, the kecamatan (or a level above it): it takes "
		    "no 'parent'");
	else if (!root && !r->key_line[OU_PARENT])
		cat_err(r, r->sec_line,
		    "[orgunit %s] lacks 'parent' (only the first org unit, the kecamatan or a level "
		    "above it, is a root)",
		    o->code);
	if (root && o->kind[0] && o->level == LEVEL_VILLAGE)
		cat_err(r, r->key_line[OU_KIND],
		    "the first [orgunit] is the root: its kind must be kecamatan or a level above it "
		    "(kabupaten, kota, provinsi, negara), not %s", o->kind);
}

/* A state or target takes its latest value, a count or amount is summed: nothing else. */
static void element_end(struct cat_reader *r)
{
	const struct catalog_element *e = &r->c->elements[r->cur];
	if (!e->unit || !e->agg)
		return;
	bool stock = e->unit == CATALOG_STATE || e->unit == CATALOG_TARGET;
	enum catalog_agg want = stock ? CATALOG_LAST : CATALOG_SUM;
	if (e->agg != want)
		cat_err(r, r->key_line[EL_AGG],
		    "element %s: unit = %s needs aggregate = %s, not %s (a %s)", e->code,
		    cat_unit_names[e->unit], cat_agg_names[want], cat_agg_names[e->agg],
		    stock ? "state or target takes its latest value" : "count or amount is summed");
	else if (!stock && r->key_line[EL_CARRY])
		cat_err(r, r->key_line[EL_CARRY],
		    "element %s: 'carry' is for a state or target (aggregate = last), not a %s",
		    e->code, cat_unit_names[e->unit]);
	if (e->min > e->max)
		cat_err(r, r->key_line[EL_MAX] ? r->key_line[EL_MAX] : r->key_line[EL_MIN],
		    "element %s: min %lld is above max %lld", e->code, (long long)e->min,
		    (long long)e->max);
}

/* The rules of the section just ended beyond its required keys. */
void cat_section_rules(struct cat_reader *r)
{
	if (r->sec == CAT_SEC_ORGUNIT)
		orgunit_end(r);
	else if (r->sec == CAT_SEC_ELEMENT)
		element_end(r);
}

/* Whether an org unit code is digits in dot-separated groups, like 35.27.03.2001. */
static bool orgunit_code_ok(const char *s)
{
	if (!isdigit((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && !(*s == '.' && isdigit((unsigned char)s[1])))
			return false;
	return true;
}

/* Whether a section's code is well formed; reports it when not. */
bool cat_code_ok(struct cat_reader *r, enum cat_section s, const char *code)
{
	bool ou = s == CAT_SEC_ORGUNIT;
	size_t max = ou ? PROTO_ORGUNIT_MAX : PROTO_CODE_MAX;
	if (!*code) {
		cat_err(r, r->line, "[%s] needs a code: [%s CODE]", cat_section_names[s], cat_section_names[s]);
		return false;
	}
	if (strlen(code) > max) {
		cat_err(r, r->line, "code '%s' is longer than %zu bytes", code, max);
		return false;
	}
	if (ou ? orgunit_code_ok(code) : code[strspn(code, CODE_CHARS)] == '\0')
		return true;
	cat_err(r, r->line, "code '%s' may hold only %s", code,
	    ou ? "digits in groups separated by single dots (35.27.03.2001)"
	       : "lowercase letters, digits and '_'");
	return false;
}

/* Whether a section's code is free; reports it when taken. */
bool cat_code_free(struct cat_reader *r, enum cat_section s, const char *code)
{
	const struct catalog *c = r->c;
	const char *by = NULL;
	if (s == CAT_SEC_ORGUNIT && catalog_orgunit_find(c, code) >= 0)
		by = "org unit";
	else if (s == CAT_SEC_INDICATOR && catalog_indicator_find(c, code) >= 0)
		by = "indicator";
	else if ((s == CAT_SEC_ELEMENT || s == CAT_SEC_CASE) && catalog_element_find(c, code) >= 0)
		by = "element";
	else if ((s == CAT_SEC_ELEMENT || s == CAT_SEC_CASE) && catalog_casetype_find(c, code) >= 0)
		by = "case";
	for (int i = 0; s == CAT_SEC_SCHEDULE && i < c->n_schedules; i++) {
		if (!strcmp(c->schedules[i].code, code))
			by = "schedule";
	}
	if (!by)
		return true;
	cat_err(r, r->line, "duplicate code '%s': already used by the %s defined above%s", code, by,
	    s == CAT_SEC_ELEMENT || s == CAT_SEC_CASE ? " (elements and cases share one set of codes)"
					      : "");
	return false;
}

/* Append a quantity named code+suffix; returns its index or -1. */
static int add_quantity(struct cat_reader *r, const char *code, const char *suffix)
{
	struct catalog *c = r->c;
	if (!cat_room(r, (void **)&c->quantities, &r->cap.quantities, c->n_quantities,
		      sizeof(*c->quantities)))
		return -1;
	snprintf(c->quantities[c->n_quantities].code, sizeof(c->quantities[0].code), "%s%s", code,
		 suffix);
	if (!INDEX(HASH_QUANTITY, c->quantities, c->n_quantities))
		return -1;
	return c->n_quantities++;
}

/* Append an org unit (no parent yet); returns its index or -1. */
static int add_orgunit(struct cat_reader *r, const char *code)
{
	struct catalog *c = r->c;
	if (!cat_room(r, (void **)&c->orgunits, &r->cap.orgunits, c->n_orgunits,
		      sizeof(*c->orgunits)))
		return -1;
	if (!cat_room(r, (void **)&r->ou, &r->cap.ou, c->n_orgunits, sizeof(*r->ou)))
		return -1;
	snprintf(c->orgunits[c->n_orgunits].code, sizeof(c->orgunits[0].code), "%s", code);
	c->orgunits[c->n_orgunits].parent = -1;
	c->orgunits[c->n_orgunits].level = -1;
	if (!INDEX(HASH_ORGUNIT, c->orgunits, c->n_orgunits))
		return -1;
	return c->n_orgunits++;
}

/* Append an element and its quantity; returns its index or -1. */
static int add_element(struct cat_reader *r, const char *code)
{
	struct catalog *c = r->c;
	if (!cat_room(r, (void **)&c->elements, &r->cap.elements, c->n_elements,
		      sizeof(*c->elements)))
		return -1;
	struct catalog_element *e = &c->elements[c->n_elements];
	snprintf(e->code, sizeof(e->code), "%s", code);
	e->max = CATALOG_VALUE_MAX;
	if ((e->quantity = add_quantity(r, code, "")) < 0 ||
	    !INDEX(HASH_ELEMENT, c->elements, c->n_elements))
		return -1;
	return c->n_elements++;
}

/* Append a case type and its three consecutive quantities; returns its index or -1. */
static int add_case(struct cat_reader *r, const char *code)
{
	struct catalog *c = r->c;
	if (!cat_room(r, (void **)&c->casetypes, &r->cap.casetypes, c->n_casetypes,
		      sizeof(*c->casetypes)))
		return -1;
	struct catalog_casetype *t = &c->casetypes[c->n_casetypes];
	snprintf(t->code, sizeof(t->code), "%s", code);
	t->quantity = add_quantity(r, code, ".open");
	if (t->quantity < 0 ||
	    add_quantity(r, code, ".closed") != t->quantity + CATALOG_CASE_CLOSED ||
	    add_quantity(r, code, ".ontime") != t->quantity + CATALOG_CASE_ONTIME ||
	    !INDEX(HASH_CASETYPE, c->casetypes, c->n_casetypes))
		return -1;
	return c->n_casetypes++;
}

/* Append an indicator with factor 100; returns its index or -1. */
static int add_indicator(struct cat_reader *r, const char *code)
{
	struct catalog *c = r->c;
	if (!cat_room(r, (void **)&c->indicators, &r->cap.indicators, c->n_indicators,
		      sizeof(*c->indicators)))
		return -1;
	if (!cat_room(r, (void **)&r->ind, &r->cap.ind, c->n_indicators, sizeof(*r->ind)))
		return -1;
	snprintf(c->indicators[c->n_indicators].code, sizeof(c->indicators[0].code), "%s", code);
	c->indicators[c->n_indicators].factor = 100;
	for (int t = 0; t < 5; t++)
		c->indicators[c->n_indicators].target[t] = -1;
	if (!INDEX(HASH_INDICATOR, c->indicators, c->n_indicators))
		return -1;
	return c->n_indicators++;
}

/* Append a schedule; returns its index or -1. */
static int add_schedule(struct cat_reader *r, const char *code)
{
	struct catalog *c = r->c;
	if (!cat_room(r, (void **)&c->schedules, &r->cap.schedules, c->n_schedules,
		      sizeof(*c->schedules)))
		return -1;
	struct catalog_schedule *x = &c->schedules[c->n_schedules];
	memset(x, 0, sizeof(*x));
	snprintf(x->code, sizeof(x->code), "%s", code);
	x->ct = -1;
	return c->n_schedules++;
}

/* How each section type appends its object; each returns the new index or -1. */
static int (*const adders[])(struct cat_reader *r, const char *code) = {
    NULL, add_orgunit, add_element, add_case, add_indicator, add_schedule, NULL,
};

int cat_add(struct cat_reader *r, enum cat_section s, const char *code)
{
	return adders[s](r, code);
}

/* band = MIN NAME: a predikat band, from the highest down; the first replaces the default five. */
static void top_band(struct cat_reader *r, const char *val)
{
	struct lakip_bands *b = &r->c->bands;
	char num[16];
	int64_t min;
	size_t n = strcspn(val, " \t");
	const char *name = val + n + strspn(val + n, " \t");
	snprintf(num, sizeof(num), "%.*s", (int)(n < 15 ? n : 15), val);
	if (!r->band_line) {
		b->n = 0;
		r->band_line = r->line;
	}
	if (!lakip_parse_percent(num, 100000, &min) || !*name ||
	    strlen(name) > LAKIP_BAND_NAME_MAX) {
		cat_err(r, r->line, "'band' is the lowest capaian of the band, then its name (at most %d "
		    "bytes), e.g. 'band = 91 Sangat Baik', not '%s'", LAKIP_BAND_NAME_MAX, val);
		return;
	}
	if (b->n == LAKIP_BANDS_MAX) {
		cat_err(r, r->line, "more than %d bands", LAKIP_BANDS_MAX);
		return;
	}
	if (b->n > 0 && min >= b->band[b->n - 1].min) {
		cat_err(r, r->line, "bands go from the highest down: %s is not below the band above", num);
		return;
	}
	b->band[b->n].min = min;
	snprintf(b->band[b->n].name, sizeof(b->band[0].name), "%s", name);
	b->n++;
}

/* year: the budget year every event's date falls in (an open may come from the year before). */
static void top_year(struct cat_reader *r, const char *val)
{
	long long y;
	if (r->c->year) {
		cat_err(r, r->line, "'year' given twice");
		return;
	}
	if (!cat_parse_int(val, PERIOD_YEAR_MIN + 1, PERIOD_YEAR_MAX, &y)) {
		cat_err(r, r->line, "year: a budget year within %d-%d, not '%s'", PERIOD_YEAR_MIN + 1,
		    PERIOD_YEAR_MAX, val);
		return;
	}
	r->c->year = (int)y;
}

/*
 * A printed report's letterhead and signature: 'kop' (a line each, at most PROTO_KOP_LINES) and
 * sign_place, sign_title, sign_name, sign_rank, sign_nip (once each). True when key is one.
 */
static bool top_letter(struct cat_reader *r, const char *key, const char *val)
{
	struct proto_letter *l = &r->c->letter;
	r->key = key;
	if (!strcmp(key, "kop")) {
		if (l->n_kop == PROTO_KOP_LINES)
			cat_err(r, r->line, "more than %d 'kop' lines", PROTO_KOP_LINES);
		else
			cat_set_text(r, l->kop[l->n_kop++], sizeof(l->kop[0]), val);
		return true;
	}
	for (size_t i = 0; i < PROTO_LETTER_FIELDS; i++) {
		if (strcmp(key, proto_letter_fields[i].key))
			continue;
		char *dst = (char *)l + proto_letter_fields[i].off;
		if (dst[0])
			cat_err(r, r->line, "'%s' given twice", key);
		else
			cat_set_text(r, dst, PROTO_TEXT_MAX + 1, val);
		return true;
	}
	return false;
}

/* A key before the first section: the title, the budget year, the predikat bands, and what a
 * printed report puts above and below its tables. */
void cat_top_key(struct cat_reader *r, const char *key, const char *val)
{
	if (!strcmp(key, "band")) {
		top_band(r, val);
		return;
	}
	if (!strcmp(key, "year")) {
		top_year(r, val);
		return;
	}
	if (top_letter(r, key, val))
		return;
	if (strcmp(key, "title")) {
		cat_err(r, r->line,
		    "'%s' outside a section (only 'title', 'year', 'band', 'kop' and 'sign_...' "
		    "come before the first section)",
		    key);
		return;
	}
	if (r->title_line) {
		cat_err(r, r->line, "'title' given twice (first on line %d)", r->title_line);
		return;
	}
	r->title_line = r->line;
	r->key = "title";
	cat_set_text(r, r->c->title, sizeof(r->c->title), val);
}

/* The current section's object, as bytes for a key's field offset. */
char *cat_object(struct cat_reader *r)
{
	struct catalog *c = r->c;
	switch (r->sec) {
	case CAT_SEC_ORGUNIT: return (char *)&c->orgunits[r->cur];
	case CAT_SEC_ELEMENT: return (char *)&c->elements[r->cur];
	case CAT_SEC_CASE: return (char *)&c->casetypes[r->cur];
	case CAT_SEC_SCHEDULE: return (char *)&c->schedules[r->cur];
	default: return (char *)&c->indicators[r->cur];
	}
}
