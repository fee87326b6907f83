/* dhis2.h: DHIS2's dataValueSets (JSON and CSV), the mapping to iki's codes, periods and ids. */
#ifndef IKI_DHIS2_H
#define IKI_DHIS2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "proto.h"

#define DHIS2_ID_MAX 63 /* a UID is 11 characters, a code at most 50 */

/* One data value of a dataValueSet (strings as DHIS2 writes them; "" when absent). */
struct dhis2_value {
	char de[DHIS2_ID_MAX + 1];  /* dataElement */
	char pe[16];                /* period: 202203, 2022Q1, 2022, 20220314 */
	char ou[DHIS2_ID_MAX + 1];  /* orgUnit */
	char coc[DHIS2_ID_MAX + 1]; /* categoryOptionCombo */
	char value[48];
	char comment[PROTO_COMMENT_MAX + 1];
	bool deleted;
	int line; /* its place in the file: a CSV line, or the JSON value's number from 1 */
};

/* A dataValueSet: its values, and the dataSet it names ("" when none). */
struct dhis2_set {
	struct dhis2_value *v;
	size_t n, cap;
	char dataset[DHIS2_ID_MAX + 1];
};

enum dhis2_kind { DHIS2_ELEMENT, DHIS2_INDICATOR, DHIS2_ORGUNIT };

/* One line of a mapping file: an iki code and what DHIS2 calls it. */
struct dhis2_entry {
	enum dhis2_kind kind;
	char iki[PROTO_CODE_MAX + 1]; /* an element, indicator or org unit code */
	char uid[DHIS2_ID_MAX + 1];   /* DHIS2's UID or code of the data element / org unit */
	char coc[DHIS2_ID_MAX + 1];   /* the categoryOptionCombo, "" for DHIS2's default */
	int line;
};

struct dhis2_map {
	struct dhis2_entry *e;
	size_t n, cap;
	char dataset[DHIS2_ID_MAX + 1]; /* a "dataset UID" line: the dataSet of an export */
};

/*
 * Read a mapping file: lines "element CODE UID [COC]", "indicator CODE UID [COC]", "orgunit
 * CODE UID" (or elemen, indikator, wilayah) and "dataset UID", fields separated by blanks,
 * '#' to the end of a line a comment. An iki code or a DHIS2 (UID, COC) mapped twice is an
 * error. Returns 0, or -1 with "file:line: message" (Indonesian) in err.
 */
int dhis2_map_read(const char *path, struct dhis2_map *m, char *err, size_t n);

/*
 * The entry of kind k for a DHIS2 identifier: the one with this coc, else the one without a
 * coc; a value without a coc takes the first entry of its uid. NULL when none.
 */
const struct dhis2_entry *dhis2_map_find(const struct dhis2_map *m, enum dhis2_kind k,
					 const char *uid, const char *coc);

/* The entry of kind k for an iki code, or NULL. */
const struct dhis2_entry *dhis2_map_code(const struct dhis2_map *m, enum dhis2_kind k,
					 const char *code);

void dhis2_map_free(struct dhis2_map *m);

/*
 * Read a dataValueSet from a file ("-": standard input): JSON (DHIS2's dataValueSets
 * document: the set's dataSet, period, orgUnit and attributeOptionCombo apply to values
 * without their own) or CSV (DHIS2's columns dataelement, period, orgunit, catoptcombo,
 * attroptcombo, value, storedby, lastupdated, comment, followup, deleted; a header row first,
 * named as these or in this order). Returns 0, or -1 with "file:line: message" in err.
 */
int dhis2_read(const char *path, struct dhis2_set *s, char *err, size_t n);

/* Parse a document already in memory (name for messages; json: JSON, else CSV). As above. */
int dhis2_parse(const char *name, const char *text, size_t len, bool json, struct dhis2_set *s,
		char *err, size_t n);

/* Write the set as a dataValueSets JSON document, or as DHIS2's CSV with its header row. */
void dhis2_write_json(FILE *f, const struct dhis2_set *s);
void dhis2_write_csv(FILE *f, const struct dhis2_set *s);

/* Add a value to the set (copied); -ENOMEM. */
int dhis2_set_add(struct dhis2_set *s, const struct dhis2_value *v);

void dhis2_set_free(struct dhis2_set *s);

/*
 * The day an imported value is dated, "YYYY-MM-DD" into date: the last day of its period
 * (202203 -> 2022-03-31, 2022Q1 -> 2022-03-31, 2022 -> 2022-12-31), or the day itself
 * (20220314). So the value counts in that month, triwulan and year, and an export of its
 * period gives it back. Returns 0, or -1 for another kind of period (weeks, 2022S1, ...).
 */
int dhis2_period_date(const char *pe, char date[11]);

/*
 * The id of the first event of a data value: "d2-" and 32 hex digits of a hash of
 * (dataElement, period, orgUnit, categoryOptionCombo), into id. Its corrections are
 * "<that id>~N" (dhis2_revision_id), so a value changed in a later export corrects the event
 * of the earlier one.
 */
void dhis2_event_id(const char *de, const char *pe, const char *ou, const char *coc,
		    char id[PROTO_ID_MAX + 1]);

/* "<base>~<rev>" into id (base may be id); rev >= 2. */
void dhis2_revision_id(const char *base, int rev, char id[PROTO_ID_MAX + 1]);

/* The revision of an id made by dhis2_event_id (1) or dhis2_revision_id (N); 0 for another. */
int dhis2_revision(const char *base, const char *id);

#endif
