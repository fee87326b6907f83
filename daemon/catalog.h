/* catalog.h: the indicator catalog (org units, data elements, case types, indicators), loaded from a file. */
#ifndef IKI_CATALOG_H
#define IKI_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lakip.h"
#include "period.h"
#include "proto.h"

#define CATALOG_TERMS_MAX 8   /* quantities summed on one side of an indicator */
#define CATALOG_JABATAN_MAX 4 /* positions one indicator is shown under */
#define CATALOG_REPORTERS_MAX 63 /* bytes of an element's reported_by list */
#define CATALOG_VILLAGE "desa"   /* reported_by section of village clerks (desa/kelurahan) */
#define CATALOG_TARGET_MAX 100000 /* 1000.00 %: a larger target is a typo */
#define CATALOG_VALUE_MAX 1000000000000000LL /* an element's largest value (store.c's VALUE_MAX) */

/* How a data element aggregates over time: a flow sums; a state takes its latest value. */
enum catalog_agg { CATALOG_SUM = 1, CATALOG_LAST };

/* What a data element measures (documentation and validation of values). */
enum catalog_unit { CATALOG_COUNT = 1, CATALOG_AMOUNT, CATALOG_STATE, CATALOG_TARGET };

enum catalog_polarity { CATALOG_UP = 1, CATALOG_DOWN };

/*
 * Quantities are what indicators sum: every data element is one; every case type gives three,
 * "<case>.open" (cases opened, in the period of the opening date), "<case>.closed" (closed, in
 * the period of the closing date) and "<case>.ontime" (closed within the time limit).
 */
enum catalog_case_qty { CATALOG_CASE_OPEN = 0, CATALOG_CASE_CLOSED, CATALOG_CASE_ONTIME };

struct catalog_orgunit {
	char code[PROTO_ORGUNIT_MAX + 1]; /* "35.27.03", "35.27.03.2001" */
	char name[PROTO_TEXT_MAX + 1];
	char kind[16];                    /* "negara", "provinsi", "kabupaten", "kota", "kecamatan",
					   * "desa", "kelurahan" or "desa_adat" */
	int level;                        /* of its kind: 0 negara, 1 provinsi, 2 kabupaten and
					   * kota, 3 kecamatan, 4 the villages; below its parent's */
	int parent;                       /* index into orgunits, -1 for the root */
};

struct catalog_element {
	char code[PROTO_CODE_MAX + 1];
	char name[PROTO_TEXT_MAX + 1];
	enum catalog_unit unit;
	enum catalog_agg agg;
	int quantity; /* index of its quantity */
	char reported_by[CATALOG_REPORTERS_MAX + 1]; /* section codes, space-separated; "" */
	bool carry_period; /* a last element counts only in the periods it was set in ('carry =
			    * period'); by default it carries forward within its budget year */
	int64_t min, max;  /* one event's value: refused outside (default 0 ... 10^15) */
};

/*
 * A validation rule of an indicator ('check = numerator <= denominator'): a value that breaks
 * it is stored and counted, but flagged for review (DHIS2's validation rules).
 */
enum catalog_check_op { CATALOG_CHECK_LE = 1, CATALOG_CHECK_LT, CATALOG_CHECK_GE,
			CATALOG_CHECK_GT, CATALOG_CHECK_EQ };
enum catalog_check_side { CATALOG_CHECK_NUM, CATALOG_CHECK_DEN, CATALOG_CHECK_CONST };

struct catalog_check {
	enum catalog_check_op op;        /* 0: no rule */
	bool left_num;                   /* the left side: the numerator (else the denominator) */
	enum catalog_check_side right;
	int64_t constant;                /* the right side when CATALOG_CHECK_CONST */
};

struct catalog_casetype {
	char code[PROTO_CODE_MAX + 1];
	char name[PROTO_TEXT_MAX + 1];
	int limit_days; /* a close within this many days of the open is on time; -1: no limit */
	bool close_at_open; /* count_close = open: a close counts in the period of its open (a
			     * report counts in the period it reports on, when it comes late) */
	char reported_by[CATALOG_REPORTERS_MAX + 1];
	int quantity;   /* index of "<code>.open"; closed and ontime follow it */
};

struct catalog_indicator {
	char code[PROTO_CODE_MAX + 1];    /* "iki06" */
	char rows[32];                    /* rows of the document, "22, 23" */
	char name[PROTO_TEXT_MAX + 1];    /* as the document writes it */
	char jabatan[CATALOG_JABATAN_MAX][PROTO_TEXT_MAX + 1];
	int n_jabatan;
	char sasaran[PROTO_TEXT_MAX + 1];
	char source[PROTO_TEXT_MAX + 1];  /* sumber data */
	char kind[16];                    /* count, case, follow-up, deliverable, amount, target, state */
	int64_t factor;                   /* 100 */
	enum catalog_polarity polarity;
	int num[CATALOG_TERMS_MAX];       /* quantity indices */
	int n_num;
	int den[CATALOG_TERMS_MAX];
	int n_den;
	int64_t target[5]; /* the catalog's default targets, hundredths of a percent: [0] the
			    * year, [1..4] triwulan I-IV; -1 when not given */
	struct catalog_check check; /* 'check', op 0 when none */
};

/*
 * A schedule of reports due: for every month, quarter or year of its years, ikid opens one case
 * of its case type, dated on the period's last day, with case id "<code>/<period>" (so the
 * report is owed, and counted, before it is delivered); the case type's limit_days should be
 * due_days, so that a delivery (close) on or before the due date is on time.
 */
struct catalog_schedule {
	char code[PROTO_CODE_MAX + 1];
	char name[PROTO_TEXT_MAX + 1];
	int ct;                  /* case type index */
	enum period_kind every;  /* PERIOD_MONTH, _QUARTER or _YEAR */
	int due_days;            /* the report is due this many days after the period ends */
	int ou;                  /* the org unit that owes it (default the kecamatan) */
	int year_from, year_to;
	char case_code[PROTO_CODE_MAX + 1];     /* as written, until resolved */
	char orgunit_code[PROTO_ORGUNIT_MAX + 1];
	int line;
};

struct catalog_quantity {
	char code[PROTO_CODE_MAX + 8]; /* element code, or "<case>.open|closed|ontime" */
	int *indicators;               /* indicators that use it (owned) */
	int n_indicators;
	size_t cap_indicators;         /* room in indicators (grow.h), while the catalog is read */
	bool stock;                    /* an element with agg = last (a level, not a flow) */
};

enum { HASH_ORGUNIT, HASH_ELEMENT, HASH_CASETYPE, HASH_INDICATOR, HASH_QUANTITY, HASH_KINDS };

struct catalog {
	char title[PROTO_TEXT_MAX + 1];
	int year; /* the budget year ('year'): events are dated in it (an open also in the year
		   * before, so that its close is judged from its real date); 0: any year */
	struct proto_letter letter; /* 'kop' lines and 'sign_*': a printed report's letterhead and
				     * signature block (describe carries them) */
	struct catalog_orgunit *orgunits; /* orgunits[0] is the root (Sampang's: the kecamatan);
					   * a parent comes before its children */
	int n_orgunits;
	struct catalog_element *elements;
	int n_elements;
	struct catalog_casetype *casetypes;
	int n_casetypes;
	struct catalog_indicator *indicators;
	int n_indicators;
	struct catalog_quantity *quantities;
	int n_quantities;
	struct lakip_bands bands; /* predikat bands ('band' keys; the common five by default) */
	struct catalog_schedule *schedules;
	int n_schedules;
	struct catalog_hash *hash[HASH_KINDS]; /* code lookups, grown while read (private) */
};

/*
 * Load and check a catalog file. On success *out is an owned catalog (catalog_free) and returns
 * 0. On failure returns IKI_ECATALOG (or -errno when the file cannot be read) and, when errors is
 * not NULL, sets *errors to a malloc'd text with one "file:line: message" line per problem.
 */
int catalog_load(const char *path, struct catalog **out, char **errors);

/* Free a catalog and null the pointer. Safe on NULL and twice. */
void catalog_free(struct catalog **c);

/* Index of an org unit, element, case type, indicator or quantity by code, or -1. */
int catalog_orgunit_find(const struct catalog *c, const char *code);
int catalog_element_find(const struct catalog *c, const char *code);
int catalog_casetype_find(const struct catalog *c, const char *code);
int catalog_indicator_find(const struct catalog *c, const char *code);
int catalog_quantity_find(const struct catalog *c, const char *code);

/*
 * The reported_by list of an element or case type (who may submit it: section codes, and
 * CATALOG_VILLAGE for village clerks), "" when it names nobody, NULL for an unknown code.
 */
const char *catalog_reporters(const struct catalog *c, const char *code);

/*
 * Element or case type i as a "catalog" message describes it, into *e: i < n_elements is data
 * element i, then case type i - n_elements. The ops and value bounds are those ikid's store
 * accepts (an element's value 0 ... CATALOG_VALUE_MAX, a case's 1); a case opened by a schedule
 * names the first such schedule.
 */
void catalog_element_describe(const struct catalog *c, int i, struct proto_element *e);

/* Whether a reported_by list names section. */
bool catalog_reports(const char *reporters, const char *section);

/*
 * Whether indicator i's validation rule ('check') is broken by a value num/den (a value with no
 * data breaks none); when it is, the rule in words ("pembilang <= penyebut") into words (size n).
 */
bool catalog_check_broken(const struct catalog *c, int i, int64_t num, int64_t den, char *words,
			  size_t n);

/*
 * The catalog's default target of indicator i for period p (hundredths of a percent): a quarter
 * and its months take target_q's value when given, else the year's; -1 when none.
 */
int64_t catalog_target(const struct catalog *c, int i, struct period p);

/*
 * One side of indicator i's formula in words (the numerator, or with den the denominator): the
 * names of its quantities joined with " + ", cut to buf's size n on a character boundary.
 */
void catalog_formula_words(const struct catalog *c, int i, bool den, char *buf, size_t n);

/* Whether indicator i is shown under jabatan j (exact, case-insensitive match). */
int catalog_indicator_has_jabatan(const struct catalog *c, int i, const char *jabatan);

/* The jabatan of indicator i joined with "; " into buf (size n). */
void catalog_indicator_jabatan(const struct catalog *c, int i, char *buf, size_t n);

#endif
