/* catalog.c: a strict reader of the catalog's INI dialect, and lookups into the loaded catalog. */
#include "catalog.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iki.h"

#define LINE_MAX_LEN 1024   /* bytes in one line, newline excluded (catalog/README.md) */
#define LIMIT_DAYS_MAX 3660 /* ten years: a longer limit is a typo */
#define FACTOR_MAX 1000000  /* keeps numerator x factor far from overflowing */
#define KEYS_MAX 16	    /* keys of the largest section */
#define CODE_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

enum section { SEC_NONE, SEC_ORGUNIT, SEC_ELEMENT, SEC_CASE, SEC_INDICATOR, SEC_SCHEDULE, SEC_SKIP };

/* Keys by position in their section's table, for the checks made when a section ends. */
enum { OU_NAME, OU_KIND, OU_PARENT };
enum { EL_NAME, EL_UNIT, EL_AGG };

/* One problem found, kept apart from its "file:line: " prefix until the report is sorted. */
struct problem {
	int line;
	int seq; /* order of discovery, so that a line's problems keep their order */
	char *text;
};

/* What an org unit's section said that can only be checked once the whole file is read. */
struct pending_orgunit {
	char parent[PROTO_ORGUNIT_MAX + 1];
	int line;      /* of the parent key */
	int kind_line; /* of the kind key */
};

/* An indicator's formulas as written: they may name elements and cases defined further down. */
struct pending_indicator {
	char num[LINE_MAX_LEN + 1];
	char den[LINE_MAX_LEN + 1];
	int num_line, den_line;
};

/* The reader's state: where it is in the file, what it has built, the problems so far. */
struct reader {
	const char *path;
	int line;
	struct catalog *c;
	enum section sec;
	int cur;		       /* index of the current section's object */
	char code[PROTO_CODE_MAX + 1]; /* its code, for messages */
	int sec_line;
	int key_line[KEYS_MAX]; /* line where each key of the section was first given, 0: not yet */
	bool damaged;		/* a line of the section was unreadable: it may have held a key */
	const char *key;	/* the key being set, for messages */
	int title_line;
	int band_line; /* of the first 'band': the catalog's own bands replace the default */
	struct pending_orgunit *ou;
	struct pending_indicator *ind;
	struct problem *problems;
	int n_problems;
	bool oom;
};

/* A key of a section: set by its own function, or a text copied into a field of the object. */
struct key {
	const char *name;
	unsigned flags;
	void (*set)(struct reader *r, const char *val); /* NULL: a text field, at off */
	size_t off, size;
};

#define FN(set) set, 0, 0
#define TEXT(type, field) NULL, offsetof(type, field), sizeof(((type *)0)->field)

#define KEY_REQUIRED 1u
#define KEY_REPEAT 2u

/* Names of the enumerations, indexed by their values (0 is not a value). */
static const char *const unit_names[] = {"", "count", "amount", "state", "target"};
static const char *const agg_names[] = {"", "sum", "last"};
static const char *const polarity_names[] = {"", "up", "down"};
static const char *const ou_kinds[] = {"",	   "negara", "provinsi", "kabupaten", "kota",
				       "kecamatan", "desa",   "kelurahan", "desa_adat"};
/* The level of each kind: a child's is below (greater than) its parent's. */
static const int ou_levels[] = {-1, 0, 1, 2, 2, 3, 4, 4, 4};
#define LEVEL_VILLAGE 4
#define LEVELS_TEXT                                                                           \
	"negara, then provinsi, then kabupaten or kota, then kecamatan, then desa, kelurahan or "  \
	"desa_adat"
static const char *const ind_kinds[] = {"",	  "count",  "case", "follow-up", "deliverable",
					"amount", "target", "state"};
static const char *const section_names[] = {"",	  "orgunit",  "element", "case",
					    "indicator", "schedule", ""};
static const char *const every_names[] = {"", "month", "quarter", "year"};
static const char *const count_close_names[] = {"", "close", "open"};

/* Record one problem at a line. Out of memory only sets r->oom: the load then fails as such. */
__attribute__((format(printf, 3, 4))) static void err(struct reader *r, int line, const char *fmt,
						      ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	struct problem *p = realloc(r->problems, ((size_t)r->n_problems + 1) * sizeof(*p));
	char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (p)
		r->problems = p;
	if (!p || !text) {
		free(text);
		r->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	r->problems[r->n_problems] =
	    (struct problem){.line = line, .seq = r->n_problems, .text = text};
	r->n_problems++;
}

/* Order problems by line, then by discovery. */
static int problem_cmp(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The problems as one malloc'd text, one "file:line: message" line each, in line order. */
static char *problems_text(struct reader *r)
{
	size_t size = 1, used = 0;
	qsort(r->problems, (size_t)r->n_problems, sizeof(*r->problems), problem_cmp);
	for (int i = 0; i < r->n_problems; i++)
		size += strlen(r->path) + strlen(r->problems[i].text) + 16;
	char *s = malloc(size);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < r->n_problems; i++)
		used += (size_t)snprintf(s + used, size - used, "%s:%d: %s\n", r->path,
					 r->problems[i].line, r->problems[i].text);
	return s;
}

/* "path: reason" for a file that could not be read, malloc'd (NULL when out of memory). */
static char *errno_text(const char *path, int rc)
{
	const char *why = strerror(-rc);
	size_t size = strlen(path) + strlen(why) + 4;
	char *s = malloc(size);
	if (s)
		snprintf(s, size, "%s: %s\n", path, why);
	return s;
}

/* Trim white space at both ends, in place (a trailing '\r' of a CRLF file goes too). */
static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/*
 * Make room for arr[n], zeroed; returns the (moved) array, or NULL with arr still valid. The
 * array doubles when n is 0 or a power of two, where it is full (so 91,600 org units cost 17
 * reallocations, not 91,600).
 */
static void *grow(struct reader *r, void *arr, int n, size_t size)
{
	char *p = arr;
	if ((n & (n - 1)) == 0) {
		p = realloc(arr, (n ? (size_t)n * 2 : 1) * size);
		if (!p) {
			r->oom = true;
			return NULL;
		}
	}
	memset(p + (size_t)n * size, 0, size);
	return p;
}

/* The index of val among names[1..n), or 0. */
static int word(const char *val, const char *const *names, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (!strcmp(val, names[i]))
			return (int)i;
	return 0;
}

/* The index of val among names[1..n), or 0 after reporting what the key accepts. */
static int enum_value(struct reader *r, const char *val, const char *const *names, size_t n)
{
	int i = word(val, names, n);
	if (i)
		return i;
	char list[160] = "";
	for (size_t k = 1; k < n; k++) {
		const char *sep = k == 1 ? "" : ", ";
		if (k > 1 && k + 1 == n)
			sep = " or ";
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", sep, names[k]);
	}
	err(r, r->line, "'%s' must be %s, not '%s'", r->key, list, val);
	return 0;
}

/* Parse a whole decimal number in [min, max]; false when val is anything else. */
static bool parse_int(const char *val, long long min, long long max, long long *out)
{
	char *end;
	if (!isdigit((unsigned char)val[0]))
		return false;
	errno = 0;
	long long v = strtoll(val, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Copy a text value into a fixed field, or report it as empty or too long. */
static void set_text(struct reader *r, char *dst, size_t size, const char *val)
{
	size_t n = strlen(val);
	if (n == 0)
		err(r, r->line, "'%s' is empty", r->key);
	else if (n >= size)
		err(r, r->line, "'%s' is %zu bytes long, more than the %zu allowed", r->key, n,
		    size - 1);
	else
		memcpy(dst, val, n + 1);
}

/* ---- keys of each section ---- */

/* orgunit kind: negara, provinsi, kabupaten, kota, kecamatan, desa, kelurahan or desa_adat. */
static void ou_kind(struct reader *r, const char *val)
{
	struct catalog_orgunit *o = &r->c->orgunits[r->cur];
	int k = enum_value(r, val, ou_kinds, LEN(ou_kinds));
	r->ou[r->cur].kind_line = r->line;
	if (!k)
		return;
	snprintf(o->kind, sizeof(o->kind), "%s", ou_kinds[k]);
	o->level = ou_levels[k];
}

/* orgunit parent: resolved when the whole file is read. */
static void ou_parent(struct reader *r, const char *val)
{
	struct pending_orgunit *p = &r->ou[r->cur];
	set_text(r, p->parent, sizeof(p->parent), val);
	p->line = r->line;
}

/* element unit. */
static void el_unit(struct reader *r, const char *val)
{
	r->c->elements[r->cur].unit =
	    (enum catalog_unit)enum_value(r, val, unit_names, LEN(unit_names));
}

/* element aggregate. */
static void el_agg(struct reader *r, const char *val)
{
	r->c->elements[r->cur].agg =
	    (enum catalog_agg)enum_value(r, val, agg_names, LEN(agg_names));
}

/* case limit_days: a number of days, or none. */
static void case_limit(struct reader *r, const char *val)
{
	long long v;
	if (!strcmp(val, "none"))
		r->c->casetypes[r->cur].limit_days = -1;
	else if (parse_int(val, 0, LIMIT_DAYS_MAX, &v))
		r->c->casetypes[r->cur].limit_days = (int)v;
	else
		err(r, r->line,
		    "'limit_days' must be a whole number of days from 0 to %d, or none, "
		    "not '%s'",
		    LIMIT_DAYS_MAX, val);
}

/* reported_by of an element or case type: space-separated section codes, checked here. */
static void set_reporters(struct reader *r, char *dst, size_t size, const char *val)
{
	size_t n = strspn(val, CODE_CHARS " ");
	if (val[n] != '\0')
		err(r, r->line,
		    "'reported_by' lists section codes (lowercase letters, digits, '_') separated by "
		    "spaces, not '%s'", val);
	else
		set_text(r, dst, size, val);
}

static void el_reporters(struct reader *r, const char *val)
{
	struct catalog_element *e = &r->c->elements[r->cur];
	set_reporters(r, e->reported_by, sizeof(e->reported_by), val);
}

static void case_reporters(struct reader *r, const char *val)
{
	struct catalog_casetype *t = &r->c->casetypes[r->cur];
	set_reporters(r, t->reported_by, sizeof(t->reported_by), val);
}

/* case count_close: in the period of the close (the default), or of the open. */
static void case_count_close(struct reader *r, const char *val)
{
	int k = enum_value(r, val, count_close_names, LEN(count_close_names));
	r->c->casetypes[r->cur].close_at_open = k == 2;
}

/* The current schedule. */
static struct catalog_schedule *cur_sched(struct reader *r)
{
	return &r->c->schedules[r->cur];
}

/* schedule case and orgunit: codes, resolved when the whole file is read. */
static void sched_case(struct reader *r, const char *val)
{
	set_text(r, cur_sched(r)->case_code, sizeof(cur_sched(r)->case_code), val);
	cur_sched(r)->line = r->line;
}

static void sched_orgunit(struct reader *r, const char *val)
{
	set_text(r, cur_sched(r)->orgunit_code, sizeof(cur_sched(r)->orgunit_code), val);
}

/* schedule every: month, quarter or year. */
static void sched_every(struct reader *r, const char *val)
{
	static const enum period_kind kinds_of[] = {0, PERIOD_MONTH, PERIOD_QUARTER, PERIOD_YEAR};
	int k = enum_value(r, val, every_names, LEN(every_names));
	if (k)
		cur_sched(r)->every = kinds_of[k];
}

/* schedule due_days: days after the period's end. */
static void sched_due(struct reader *r, const char *val)
{
	long long v;
	if (parse_int(val, 0, 366, &v))
		cur_sched(r)->due_days = (int)v;
	else
		err(r, r->line, "'due_days' must be a whole number of days from 0 to 366, not '%s'",
		    val);
}

/* schedule years: "2022" or "2022-2024". */
static void sched_years(struct reader *r, const char *val)
{
	long long from, to;
	char a[8] = "", b[8] = "";
	const char *dash = strchr(val, '-');
	snprintf(a, sizeof(a), "%.*s", dash ? (int)(dash - val) : 7, val);
	snprintf(b, sizeof(b), "%s", dash ? dash + 1 : a);
	if (parse_int(a, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &from) &&
	    parse_int(b, PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, &to) && from <= to && to - from < 20) {
		cur_sched(r)->year_from = (int)from;
		cur_sched(r)->year_to = (int)to;
	} else {
		err(r, r->line, "'years' is a year or a range of at most 20 (2022, 2022-2024), "
		    "within %d-%d, not '%s'", PERIOD_YEAR_MIN, PERIOD_YEAR_MAX, val);
	}
}

/* The current indicator. */
static struct catalog_indicator *cur_ind(struct reader *r)
{
	return &r->c->indicators[r->cur];
}

/* indicator jabatan: repeatable, each position once. */
static void ind_jabatan(struct reader *r, const char *val)
{
	struct catalog_indicator *ind = cur_ind(r);
	for (int j = 0; j < ind->n_jabatan; j++)
		if (!strcasecmp(ind->jabatan[j], val)) {
			err(r, r->line, "'jabatan' %s given twice", val);
			return;
		}
	if (ind->n_jabatan == CATALOG_JABATAN_MAX) {
		err(r, r->line, "more than %d 'jabatan'", CATALOG_JABATAN_MAX);
		return;
	}
	set_text(r, ind->jabatan[ind->n_jabatan], sizeof(ind->jabatan[0]), val);
	if (ind->jabatan[ind->n_jabatan][0])
		ind->n_jabatan++;
}

/* indicator kind (documentation: what the indicator counts). */
static void ind_kind(struct reader *r, const char *val)
{
	int k = enum_value(r, val, ind_kinds, LEN(ind_kinds));
	if (k)
		snprintf(cur_ind(r)->kind, sizeof(cur_ind(r)->kind), "%s", ind_kinds[k]);
}

/* indicator numerator: resolved when the whole file is read. */
static void ind_num(struct reader *r, const char *val)
{
	struct pending_indicator *p = &r->ind[r->cur];
	set_text(r, p->num, sizeof(p->num), val);
	p->num_line = r->line;
}

/* indicator denominator: resolved when the whole file is read. */
static void ind_den(struct reader *r, const char *val)
{
	struct pending_indicator *p = &r->ind[r->cur];
	set_text(r, p->den, sizeof(p->den), val);
	p->den_line = r->line;
}

/* indicator factor: a positive whole number. */
static void ind_factor(struct reader *r, const char *val)
{
	long long v;
	if (parse_int(val, 1, FACTOR_MAX, &v))
		cur_ind(r)->factor = v;
	else
		err(r, r->line, "'factor' must be a whole number from 1 to %d, not '%s'",
		    FACTOR_MAX, val);
}

/* indicator target: the year's target, a percentage. */
static void ind_target(struct reader *r, const char *val)
{
	if (!lakip_parse_percent(val, CATALOG_TARGET_MAX, &cur_ind(r)->target[0]) ||
	    cur_ind(r)->target[0] == 0) {
		cur_ind(r)->target[0] = -1;
		err(r, r->line, "'target' is a percentage above 0, at most %d, with at most two "
		    "decimals (95 or 95.5), not '%s'", CATALOG_TARGET_MAX / 100, val);
	}
}

/* indicator target_q: the four quarters' targets (triwulan I-IV). */
static void ind_target_q(struct reader *r, const char *val)
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
		err(r, r->line, "'target_q' is four percentages above 0, triwulan I to IV "
		    "(e.g. 25 50 75 100), not '%s'", val);
	}
}

/* indicator polarity. */
static void ind_polarity(struct reader *r, const char *val)
{
	cur_ind(r)->polarity =
	    (enum catalog_polarity)enum_value(r, val, polarity_names, LEN(polarity_names));
}

/* The keys each section takes. An org unit's parent is required of all but the root. */
static const struct key keys_orgunit[] = {
    [OU_NAME] = {"name", KEY_REQUIRED, TEXT(struct catalog_orgunit, name)},
    [OU_KIND] = {"kind", KEY_REQUIRED, FN(ou_kind)},
    [OU_PARENT] = {"parent", 0, FN(ou_parent)},
    {0},
};
static const struct key keys_element[] = {
    [EL_NAME] = {"name", KEY_REQUIRED, TEXT(struct catalog_element, name)},
    [EL_UNIT] = {"unit", KEY_REQUIRED, FN(el_unit)},
    [EL_AGG] = {"aggregate", KEY_REQUIRED, FN(el_agg)},
    {"reported_by", 0, FN(el_reporters)},
    {0},
};
static const struct key keys_case[] = {
    {"name", KEY_REQUIRED, TEXT(struct catalog_casetype, name)},
    {"limit_days", KEY_REQUIRED, FN(case_limit)},
    {"reported_by", 0, FN(case_reporters)},
    {"count_close", 0, FN(case_count_close)},
    {0},
};
static const struct key keys_indicator[] = {
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
    {0},
};
_Static_assert(LEN(keys_indicator) <= KEYS_MAX, "KEYS_MAX is smaller than a section's keys");
static const struct key keys_schedule[] = {
    {"name", KEY_REQUIRED, TEXT(struct catalog_schedule, name)},
    {"case", KEY_REQUIRED, FN(sched_case)},
    {"every", KEY_REQUIRED, FN(sched_every)},
    {"due_days", KEY_REQUIRED, FN(sched_due)},
    {"years", KEY_REQUIRED, FN(sched_years)},
    {"orgunit", 0, FN(sched_orgunit)},
    {0},
};
static const struct key *const section_keys[] = {
    NULL, keys_orgunit, keys_element, keys_case, keys_indicator, keys_schedule, NULL,
};

/* ---- sections ---- */

/*
 * The root rules: the first org unit is the only root (Sampang's: the kecamatan), of a level
 * above the villages. That each other one is below its parent is checked once parents resolve.
 */
static void orgunit_end(struct reader *r)
{
	const struct catalog_orgunit *o = &r->c->orgunits[r->cur];
	bool root = r->cur == 0;
	if (root && r->key_line[OU_PARENT])
		err(r, r->key_line[OU_PARENT],
		    "the first [orgunit] is the root, the kecamatan (or a level above it): it takes "
		    "no 'parent'");
	else if (!root && !r->key_line[OU_PARENT])
		err(r, r->sec_line,
		    "[orgunit %s] lacks 'parent' (only the first org unit, the kecamatan or a level "
		    "above it, is a root)",
		    o->code);
	if (root && o->kind[0] && o->level == LEVEL_VILLAGE)
		err(r, r->key_line[OU_KIND],
		    "the first [orgunit] is the root: its kind must be kecamatan or a level above it "
		    "(kabupaten, kota, provinsi, negara), not %s", o->kind);
}

/* A state or target takes its latest value, a count or amount is summed: nothing else. */
static void element_end(struct reader *r)
{
	const struct catalog_element *e = &r->c->elements[r->cur];
	if (!e->unit || !e->agg)
		return;
	bool stock = e->unit == CATALOG_STATE || e->unit == CATALOG_TARGET;
	enum catalog_agg want = stock ? CATALOG_LAST : CATALOG_SUM;
	if (e->agg != want)
		err(r, r->key_line[EL_AGG],
		    "element %s: unit = %s needs aggregate = %s, not %s (a %s)", e->code,
		    unit_names[e->unit], agg_names[want], agg_names[e->agg],
		    stock ? "state or target takes its latest value" : "count or amount is summed");
}

/* Check what a section could only say once it ended: required keys, and its own rules. */
static void section_end(struct reader *r)
{
	if (r->sec == SEC_NONE || r->sec == SEC_SKIP || r->damaged)
		return;
	const struct key *keys = section_keys[r->sec];
	for (int k = 0; keys[k].name; k++)
		if ((keys[k].flags & KEY_REQUIRED) && !r->key_line[k])
			err(r, r->sec_line, "[%s %s] lacks '%s'", section_names[r->sec], r->code,
			    keys[k].name);
	if (r->sec == SEC_ORGUNIT)
		orgunit_end(r);
	else if (r->sec == SEC_ELEMENT)
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
static bool code_ok(struct reader *r, enum section s, const char *code)
{
	bool ou = s == SEC_ORGUNIT;
	size_t max = ou ? PROTO_ORGUNIT_MAX : PROTO_CODE_MAX;
	if (!*code) {
		err(r, r->line, "[%s] needs a code: [%s CODE]", section_names[s], section_names[s]);
		return false;
	}
	if (strlen(code) > max) {
		err(r, r->line, "code '%s' is longer than %zu bytes", code, max);
		return false;
	}
	if (ou ? orgunit_code_ok(code) : code[strspn(code, CODE_CHARS)] == '\0')
		return true;
	err(r, r->line, "code '%s' may hold only %s", code,
	    ou ? "digits in groups separated by single dots (35.27.03.2001)"
	       : "lowercase letters, digits and '_'");
	return false;
}

/* Whether a section's code is free; reports it when taken. */
static bool code_free(struct reader *r, enum section s, const char *code)
{
	const struct catalog *c = r->c;
	const char *by = NULL;
	if (s == SEC_ORGUNIT && catalog_orgunit_find(c, code) >= 0)
		by = "org unit";
	else if (s == SEC_INDICATOR && catalog_indicator_find(c, code) >= 0)
		by = "indicator";
	else if ((s == SEC_ELEMENT || s == SEC_CASE) && catalog_element_find(c, code) >= 0)
		by = "element";
	else if ((s == SEC_ELEMENT || s == SEC_CASE) && catalog_casetype_find(c, code) >= 0)
		by = "case";
	for (int i = 0; s == SEC_SCHEDULE && i < c->n_schedules; i++) {
		if (!strcmp(c->schedules[i].code, code))
			by = "schedule";
	}
	if (!by)
		return true;
	err(r, r->line, "duplicate code '%s': already used by the %s defined above%s", code, by,
	    s == SEC_ELEMENT || s == SEC_CASE ? " (elements and cases share one set of codes)"
					      : "");
	return false;
}

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

/* Add entry i of an array to its kind's table; false (and r->oom) when out of memory. */
static bool index_add(struct reader *r, int kind, const char *first, size_t size, int i)
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

#define INDEX(kind, arr, i) index_add(r, (kind), (arr)[0].code, sizeof((arr)[0]), (i))
#define FIND(kind, arr, n, code)                                                              \
	((n) > 0 ? find(c->hash[kind], (arr)[0].code, (n), sizeof((arr)[0]), (code)) : -1)

/* Append a quantity named code+suffix; returns its index or -1. */
static int add_quantity(struct reader *r, const char *code, const char *suffix)
{
	struct catalog *c = r->c;
	void *p = grow(r, c->quantities, c->n_quantities, sizeof(*c->quantities));
	if (!p)
		return -1;
	c->quantities = p;
	snprintf(c->quantities[c->n_quantities].code, sizeof(c->quantities[0].code), "%s%s", code,
		 suffix);
	if (!INDEX(HASH_QUANTITY, c->quantities, c->n_quantities))
		return -1;
	return c->n_quantities++;
}

/* Append an org unit (no parent yet); returns its index or -1. */
static int add_orgunit(struct reader *r, const char *code)
{
	struct catalog *c = r->c;
	void *p = grow(r, c->orgunits, c->n_orgunits, sizeof(*c->orgunits));
	if (!p)
		return -1;
	c->orgunits = p;
	if (!(p = grow(r, r->ou, c->n_orgunits, sizeof(*r->ou))))
		return -1;
	r->ou = p;
	snprintf(c->orgunits[c->n_orgunits].code, sizeof(c->orgunits[0].code), "%s", code);
	c->orgunits[c->n_orgunits].parent = -1;
	c->orgunits[c->n_orgunits].level = -1;
	if (!INDEX(HASH_ORGUNIT, c->orgunits, c->n_orgunits))
		return -1;
	return c->n_orgunits++;
}

/* Append an element and its quantity; returns its index or -1. */
static int add_element(struct reader *r, const char *code)
{
	struct catalog *c = r->c;
	void *p = grow(r, c->elements, c->n_elements, sizeof(*c->elements));
	if (!p)
		return -1;
	c->elements = p;
	struct catalog_element *e = &c->elements[c->n_elements];
	snprintf(e->code, sizeof(e->code), "%s", code);
	if ((e->quantity = add_quantity(r, code, "")) < 0 ||
	    !INDEX(HASH_ELEMENT, c->elements, c->n_elements))
		return -1;
	return c->n_elements++;
}

/* Append a case type and its three consecutive quantities; returns its index or -1. */
static int add_case(struct reader *r, const char *code)
{
	struct catalog *c = r->c;
	void *p = grow(r, c->casetypes, c->n_casetypes, sizeof(*c->casetypes));
	if (!p)
		return -1;
	c->casetypes = p;
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
static int add_indicator(struct reader *r, const char *code)
{
	struct catalog *c = r->c;
	void *p = grow(r, c->indicators, c->n_indicators, sizeof(*c->indicators));
	if (!p)
		return -1;
	c->indicators = p;
	if (!(p = grow(r, r->ind, c->n_indicators, sizeof(*r->ind))))
		return -1;
	r->ind = p;
	snprintf(c->indicators[c->n_indicators].code, sizeof(c->indicators[0].code), "%s", code);
	c->indicators[c->n_indicators].factor = 100;
	for (int t = 0; t < 5; t++)
		c->indicators[c->n_indicators].target[t] = -1;
	if (!INDEX(HASH_INDICATOR, c->indicators, c->n_indicators))
		return -1;
	return c->n_indicators++;
}

/* Append a schedule; returns its index or -1. */
static int add_schedule(struct reader *r, const char *code)
{
	struct catalog *c = r->c;
	void *p = grow(r, c->schedules, c->n_schedules, sizeof(*c->schedules));
	if (!p)
		return -1;
	c->schedules = p;
	struct catalog_schedule *x = &c->schedules[c->n_schedules];
	memset(x, 0, sizeof(*x));
	snprintf(x->code, sizeof(x->code), "%s", code);
	x->ct = -1;
	return c->n_schedules++;
}

/* How each section type appends its object; each returns the new index or -1. */
static int (*const adders[])(struct reader *r, const char *code) = {
    NULL, add_orgunit, add_element, add_case, add_indicator, add_schedule, NULL,
};

/* Start a section from its header's inside, "kind CODE". A broken header skips the section. */
static void section_begin(struct reader *r, char *hdr)
{
	char *code = hdr + strcspn(hdr, " \t");
	if (*code)
		*code++ = '\0';
	code = trim(code);
	r->sec = SEC_SKIP;
	r->sec_line = r->line;
	memset(r->key_line, 0, sizeof(r->key_line));
	r->damaged = false;
	enum section s = (enum section)word(hdr, section_names, SEC_SKIP);
	if (s == SEC_NONE) {
		err(r, r->line,
		    "unknown section type [%s]: orgunit, element, case, indicator or schedule", hdr);
		return;
	}
	if (!code_ok(r, s, code) || !code_free(r, s, code))
		return;
	int i = adders[s](r, code);
	if (i < 0)
		return;
	r->sec = s;
	r->cur = i;
	snprintf(r->code, sizeof(r->code), "%s", code);
}

/* band = MIN NAME: a predikat band, from the highest down; the first replaces the default five. */
static void top_band(struct reader *r, const char *val)
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
		err(r, r->line, "'band' is the lowest capaian of the band, then its name (at most %d "
		    "bytes), e.g. 'band = 91 Sangat Baik', not '%s'", LAKIP_BAND_NAME_MAX, val);
		return;
	}
	if (b->n == LAKIP_BANDS_MAX) {
		err(r, r->line, "more than %d bands", LAKIP_BANDS_MAX);
		return;
	}
	if (b->n > 0 && min >= b->band[b->n - 1].min) {
		err(r, r->line, "bands go from the highest down: %s is not below the band above", num);
		return;
	}
	b->band[b->n].min = min;
	snprintf(b->band[b->n].name, sizeof(b->band[0].name), "%s", name);
	b->n++;
}

/* A key before the first section: the title, and the predikat bands. */
static void top_key(struct reader *r, const char *key, const char *val)
{
	if (!strcmp(key, "band")) {
		top_band(r, val);
		return;
	}
	if (strcmp(key, "title")) {
		err(r, r->line,
		    "'%s' outside a section (only 'title' and 'band' come before the first "
		    "section)",
		    key);
		return;
	}
	if (r->title_line) {
		err(r, r->line, "'title' given twice (first on line %d)", r->title_line);
		return;
	}
	r->title_line = r->line;
	r->key = "title";
	set_text(r, r->c->title, sizeof(r->c->title), val);
}

/* The current section's object, as bytes for a key's field offset. */
static char *object(struct reader *r)
{
	struct catalog *c = r->c;
	switch (r->sec) {
	case SEC_ORGUNIT: return (char *)&c->orgunits[r->cur];
	case SEC_ELEMENT: return (char *)&c->elements[r->cur];
	case SEC_CASE: return (char *)&c->casetypes[r->cur];
	case SEC_SCHEDULE: return (char *)&c->schedules[r->cur];
	default: return (char *)&c->indicators[r->cur];
	}
}

/* One "key = value" line. */
static void key_line(struct reader *r, const char *key, const char *val)
{
	if (r->sec == SEC_SKIP)
		return;
	if (r->sec == SEC_NONE) {
		top_key(r, key, val);
		return;
	}
	const struct key *keys = section_keys[r->sec];
	int k = 0;
	while (keys[k].name && strcmp(keys[k].name, key))
		k++;
	if (!keys[k].name) {
		err(r, r->line, "unknown key '%s' in [%s %s]", key, section_names[r->sec], r->code);
		return;
	}
	if (r->key_line[k] && !(keys[k].flags & KEY_REPEAT)) {
		err(r, r->line, "'%s' given twice (first on line %d)", key, r->key_line[k]);
		return;
	}
	if (!r->key_line[k])
		r->key_line[k] = r->line;
	r->key = keys[k].name;
	if (keys[k].set)
		keys[k].set(r, val);
	else
		set_text(r, object(r) + keys[k].off, keys[k].size, val);
}

/* Whether a line of n bytes is text the reader takes: no NUL, not too long, UTF-8. */
static bool line_readable(struct reader *r, const char *s, size_t n)
{
	size_t bad;
	if (strlen(s) != n)
		err(r, r->line, "NUL byte at byte %zu of the line", strlen(s) + 1);
	else if (n > LINE_MAX_LEN)
		err(r, r->line, "line is %zu bytes long, more than %d", n, LINE_MAX_LEN);
	else if ((bad = iki_utf8_check(s, n)) < n)
		err(r, r->line, "not valid UTF-8 at byte %zu of the line", bad + 1);
	else
		return true;
	return false;
}

/* One line of the file, n bytes without its newline. An unreadable one damages its section. */
static void parse_line(struct reader *r, char *s, size_t n)
{
	if (!line_readable(r, s, n)) {
		r->damaged = true;
		return;
	}
	s = trim(s);
	if (!*s || *s == '#' || *s == ';')
		return;
	if (*s == '[') {
		section_end(r);
		n = strlen(s);
		if (n < 2 || s[n - 1] != ']') {
			err(r, r->line, "unterminated section header: '%s' lacks its closing ']'",
			    s);
			r->sec = SEC_SKIP;
			return;
		}
		s[n - 1] = '\0';
		section_begin(r, trim(s + 1));
		return;
	}
	char *eq = strchr(s, '=');
	if (!eq) {
		err(r, r->line, "expected 'key = value' or a [section], found '%s'", s);
		r->damaged = true;
		return;
	}
	*eq = '\0';
	key_line(r, trim(s), trim(eq + 1));
}

/* Read every line; returns 0, or -errno when the file cannot be read to its end. */
static int read_lines(struct reader *r, FILE *f)
{
	char *buf = NULL;
	size_t cap = 0;
	for (;;) {
		errno = 0;
		ssize_t n = getline(&buf, &cap, f);
		if (n < 0)
			break;
		r->line++;
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		parse_line(r, buf, (size_t)n);
	}
	int rc = feof(f) ? 0 : errno ? -errno : -EIO;
	free(buf);
	return rc;
}

/* ---- after reading: the org unit tree, the formulas, the reverse index ---- */

/* Whether org unit i's kind is a level below its parent j's; reports it when not. */
static void check_level(struct reader *r, int i, int j)
{
	const struct catalog_orgunit *o = &r->c->orgunits[i], *p = &r->c->orgunits[j];
	if (o->level < 0 || p->level < 0 || o->level > p->level)
		return;
	err(r, r->ou[i].kind_line,
	    "[orgunit %s] is a %s under the %s %s: each org unit's kind is a level below its "
	    "parent's (" LEVELS_TEXT ")",
	    o->code, o->kind, p->kind, p->code);
}

/* Turn each org unit's parent code into an index of an org unit defined above it. */
static void resolve_parents(struct reader *r)
{
	struct catalog *c = r->c;
	for (int i = 1; i < c->n_orgunits; i++) {
		const struct pending_orgunit *p = &r->ou[i];
		if (!p->parent[0])
			continue;
		int j = catalog_orgunit_find(c, p->parent);
		if (j < 0) {
			err(r, p->line, "parent %s is not an org unit of this catalog", p->parent);
		} else if (j == i) {
			err(r, p->line, "org unit %s is its own parent", p->parent);
		} else if (j > i) {
			err(r, p->line,
			    "parent %s is defined below its child; define parents first",
			    p->parent);
		} else {
			check_level(r, i, j);
			c->orgunits[i].parent = j;
		}
	}
}

/* Add the quantity named by one term to q[0..*n); reports an unknown or repeated one. */
static void resolve_term(struct reader *r, const char *t, int line, const char *side, int *q,
			 int *n)
{
	if (!*t) {
		err(r, line, "'%s' has an empty term (a '+' with nothing on one side)", side);
		return;
	}
	int i = catalog_quantity_find(r->c, t);
	if (i < 0) {
		err(r, line,
		    "'%s': unknown quantity '%s' (an element code, or a case code with "
		    ".open, .closed or .ontime)",
		    side, t);
		return;
	}
	for (int k = 0; k < *n; k++)
		if (q[k] == i) {
			err(r, line, "'%s' names '%s' twice", side, t);
			return;
		}
	q[(*n)++] = i;
}

/* Resolve "a + b + c" into quantity indices q[0..*n). An empty text was reported already. */
static void resolve_formula(struct reader *r, const char *text, int line, const char *side, int *q,
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
		err(r, line, "'%s' has %d terms, more than %d", side, terms, CATALOG_TERMS_MAX);
		return;
	}
	for (const char *s = text;; s++) {
		size_t len = strcspn(s, "+");
		memcpy(term, s, len);
		term[len] = '\0';
		resolve_term(r, trim(term), line, side, q, n);
		s += len;
		if (!*s)
			break;
	}
}

/* Add indicator i to quantity q's list, once. */
static void link_quantity(struct reader *r, struct catalog_quantity *q, int i)
{
	for (int j = 0; j < q->n_indicators; j++)
		if (q->indicators[j] == i)
			return;
	int *p = grow(r, q->indicators, q->n_indicators, sizeof(int));
	if (!p)
		return;
	p[q->n_indicators++] = i;
	q->indicators = p;
}

/* Resolve every indicator's formulas and build the quantities' reverse index. */
static void resolve_indicators(struct reader *r)
{
	struct catalog *c = r->c;
	for (int i = 0; i < c->n_indicators; i++) {
		struct catalog_indicator *ind = &c->indicators[i];
		const struct pending_indicator *p = &r->ind[i];
		resolve_formula(r, p->num, p->num_line, "numerator", ind->num, &ind->n_num);
		resolve_formula(r, p->den, p->den_line, "denominator", ind->den, &ind->n_den);
		for (int t = 0; t < ind->n_num; t++)
			link_quantity(r, &c->quantities[ind->num[t]], i);
		for (int t = 0; t < ind->n_den; t++)
			link_quantity(r, &c->quantities[ind->den[t]], i);
	}
}

/* Turn each schedule's case and org unit codes into indices. */
static void resolve_schedules(struct reader *r)
{
	struct catalog *c = r->c;
	for (int i = 0; i < c->n_schedules; i++) {
		struct catalog_schedule *x = &c->schedules[i];
		if (!x->case_code[0])
			continue; /* reported as a missing key */
		x->ct = catalog_casetype_find(c, x->case_code);
		x->ou = x->orgunit_code[0] ? catalog_orgunit_find(c, x->orgunit_code) : 0;
		if (x->ct < 0)
			err(r, x->line, "schedule %s: %s is not a [case] of this catalog", x->code,
			    x->case_code);
		if (x->ou < 0)
			err(r, x->line, "schedule %s: orgunit %s is not in this catalog", x->code,
			    x->orgunit_code);
		const struct catalog_casetype *t = x->ct >= 0 ? &c->casetypes[x->ct] : NULL;
		if (t && (t->limit_days != x->due_days || !t->close_at_open))
			err(r, x->line,
			    "schedule %s: its case %s needs limit_days = %d (the due_days) and "
			    "count_close = open, so that a report delivered by its due date is on time "
			    "and counts in the period it reports on", x->code, t->code, x->due_days);
	}
}

/* Check what the lines alone cannot: that there is something, the tree, the formulas. */
static void finish(struct reader *r)
{
	int end = r->line > 0 ? r->line : 1;
	section_end(r);
	if (r->c->n_orgunits == 0)
		err(r, end, "no [orgunit] section: the first must be the kecamatan");
	if (r->c->n_indicators == 0)
		err(r, end, "no [indicator] section");
	resolve_parents(r);
	resolve_indicators(r);
	resolve_schedules(r);
}

/* Free what only the reader needed. */
static void reader_free(struct reader *r)
{
	for (int i = 0; i < r->n_problems; i++)
		free(r->problems[i].text);
	free(r->problems);
	free(r->ou);
	free(r->ind);
}

int catalog_load(const char *path, struct catalog **out, char **errors)
{
	struct reader r = {.path = path, .sec = SEC_NONE, .cur = -1};
	*out = NULL;
	if (errors)
		*errors = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		int rc = -errno;
		if (errors)
			*errors = errno_text(path, rc);
		return rc;
	}
	r.c = calloc(1, sizeof(*r.c));
	if (r.c)
		lakip_bands_default(&r.c->bands);
	int rc = r.c ? read_lines(&r, f) : -ENOMEM;
	fclose(f);
	if (rc == 0)
		finish(&r);
	if (rc == 0 && r.oom)
		rc = -ENOMEM;
	if (rc == 0 && r.n_problems) {
		rc = IKI_ECATALOG;
		if (errors && !(*errors = problems_text(&r)))
			rc = -ENOMEM;
	} else if (rc < 0 && errors) {
		*errors = errno_text(path, rc);
	}
	reader_free(&r);
	if (rc < 0)
		catalog_free(&r.c);
	*out = r.c;
	return rc;
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
	snprintf(e->unit, sizeof(e->unit), "%s", unit_names[el->unit]);
	snprintf(e->aggregate, sizeof(e->aggregate), "%s", agg_names[el->agg]);
	snprintf(e->reported_by, sizeof(e->reported_by), "%s", el->reported_by);
	e->ops[0] = el->agg == CATALOG_SUM ? PROTO_OP_ADD : PROTO_OP_SET;
	e->n_ops = 1;
	e->min = 0;
	e->max = CATALOG_VALUE_MAX;
	e->limit_days = -1;
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
