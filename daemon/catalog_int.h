/*
 * catalog_int.h: what the catalog's three parts share, and nothing else includes. The reader
 * (catalog_read.c) turns lines into sections and keys and keeps the file:line problems; the
 * sections (catalog_sections.c) say what each key means and append the objects; the model
 * (catalog.c) indexes them, resolves what names other sections once the file is read, and
 * answers lookups.
 */
#ifndef IKI_CATALOG_INT_H
#define IKI_CATALOG_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"

#define LINE_MAX_LEN 1024   /* bytes in one line, newline excluded (catalog/README.md) */
#define KEYS_MAX 16	    /* keys of the largest section */
#define CODE_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The section being read (NONE: before the first; SKIP: one whose header was refused). */
enum cat_section {
	CAT_SEC_NONE,
	CAT_SEC_ORGUNIT,
	CAT_SEC_ELEMENT,
	CAT_SEC_CASE,
	CAT_SEC_INDICATOR,
	CAT_SEC_SCHEDULE,
	CAT_SEC_SKIP
};

/* One problem found, kept apart from its "file:line: " prefix until the report is sorted. */
struct cat_problem {
	int line;
	int seq; /* order of discovery, so that a line's problems keep their order */
	char *text;
};

/* What an org unit's section said that can only be checked once the whole file is read. */
struct cat_pending_orgunit {
	char parent[PROTO_ORGUNIT_MAX + 1];
	int line;      /* of the parent key */
	int kind_line; /* of the kind key */
};

/* An indicator's formulas as written: they may name elements and cases defined further down. */
struct cat_pending_indicator {
	char num[LINE_MAX_LEN + 1];
	char den[LINE_MAX_LEN + 1];
	int num_line, den_line;
};

/* The reader's state: where it is in the file, what it has built, the problems so far. */
struct cat_reader {
	const char *path;
	int line;
	struct catalog *c;
	enum cat_section sec;
	int cur;		       /* index of the current section's object */
	char code[PROTO_CODE_MAX + 1]; /* its code, for messages */
	int sec_line;
	int key_line[KEYS_MAX]; /* line where each key of the section was first given, 0: not yet */
	bool damaged;		/* a line of the section was unreadable: it may have held a key */
	const char *key;	/* the key being set, for messages */
	int title_line;
	int band_line; /* of the first 'band': the catalog's own bands replace the default */
	struct cat_pending_orgunit *ou;
	struct cat_pending_indicator *ind;
	struct cat_problem *problems;
	int n_problems;
	struct { /* the room of each array the reader grows (grow.h), in elements */
		size_t problems, ou, ind, orgunits, elements, casetypes, indicators, schedules;
		size_t quantities;
	} cap;
	bool oom;
};

/* A key of a section: set by its own function, or a text copied into a field of the object. */
struct cat_key {
	const char *name;
	unsigned flags;
	void (*set)(struct cat_reader *r, const char *val); /* NULL: a text field, at off */
	size_t off, size;
};

#define FN(set) set, 0, 0
#define TEXT(type, field) NULL, offsetof(type, field), sizeof(((type *)0)->field)

#define KEY_REQUIRED 1u
#define KEY_REPEAT 2u

/* The levels of the tree, from the top down, for messages. */
#define LEVELS_TEXT                                                                           \
	"negara, then provinsi, then kabupaten or kota, then kecamatan, then desa, kelurahan or "  \
	"desa_adat"

/* Names of the enumerations, indexed by their values (0 is not a value; catalog_sections.c). */
extern const char *const cat_unit_names[];
extern const char *const cat_check_ops[]; /* a check's operators by enum catalog_check_op */
extern const char *const cat_agg_names[];
extern const char *const cat_section_names[]; /* indexed by enum cat_section */

/* ---- the reader (catalog_read.c) ---- */

/* Record one problem at a line. Out of memory only sets r->oom: the load then fails as such. */
__attribute__((format(printf, 3, 4))) void cat_err(struct cat_reader *r, int line,
						   const char *fmt, ...);

/* Trim white space at both ends, in place (a trailing '\r' of a CRLF file goes too). */
char *cat_trim(char *s);

/*
 * Make room for element n of the array *arr (passed as (void **)&array, its room *cap) by grow(),
 * and zero it. False when out of memory: r->oom is set, and *arr and *cap are as they were.
 */
bool cat_room(struct cat_reader *r, void **arr, size_t *cap, int n, size_t size);

/* The index of val among names[1..n), or 0. */
int cat_word(const char *val, const char *const *names, size_t n);

/* The index of val among names[1..n), or 0 after reporting what the key accepts. */
int cat_enum(struct cat_reader *r, const char *val, const char *const *names, size_t n);

/* Parse a whole decimal number in [min, max]; false when val is anything else. */
bool cat_parse_int(const char *val, long long min, long long max, long long *out);

/* Copy a text value into a fixed field, or report it as empty or too long. */
void cat_set_text(struct cat_reader *r, char *dst, size_t size, const char *val);

/* ---- the sections (catalog_sections.c) ---- */

/* The keys of each section type, indexed by enum cat_section (NULL for NONE and SKIP). */
extern const struct cat_key *const cat_section_keys[];

/* Append a new object of section type s with this code; its index, or -1 (out of memory). */
int cat_add(struct cat_reader *r, enum cat_section s, const char *code);

/* Whether a section's code is well formed and free; reports it when not. */
bool cat_code_ok(struct cat_reader *r, enum cat_section s, const char *code);
bool cat_code_free(struct cat_reader *r, enum cat_section s, const char *code);

/* The rules of the section just ended beyond its required keys (the reader checks those). */
void cat_section_rules(struct cat_reader *r);

/* A key before the first section: the title, and the predikat bands. */
void cat_top_key(struct cat_reader *r, const char *key, const char *val);

/* The current section's object, as bytes for a key's field offset. */
char *cat_object(struct cat_reader *r);

/* ---- the model (catalog.c) ---- */

/* Add entry i of an array (entries 0..i-1 are in already) to its kind's lookup table (HASH_*);
 * false (and r->oom) when out of memory. */
bool cat_index_add(struct cat_reader *r, int kind, const char *first, size_t size, int i);
#define INDEX(kind, arr, i) cat_index_add(r, (kind), (arr)[0].code, sizeof((arr)[0]), (i))

/* Once every line is read: that there is something, the tree, the formulas, the schedules. */
void cat_resolve(struct cat_reader *r);

#endif
