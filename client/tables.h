/* tables.h: the LAKIP tables (iki report) laid out as text, CSV or HTML from what ikid sent. */
#ifndef IKI_TABLES_H
#define IKI_TABLES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "proto.h"

#define TABLES_PERIODS 5 /* the year, then triwulan I to IV */

enum tables_format { TABLES_TEXT, TABLES_CSV, TABLES_HTML, TABLES_XLSX /* xlsx.h, not tables_write */ };

/*
 * What the tables show, all of it as ikid sent it (nothing is computed here but the layout):
 * the catalog (describe) and the values of each period (query), borrowed from the caller.
 */
struct tables {
	int year;
	const char *orgunit; /* the org unit's code; "" for the kecamatan */
	const char *jabatan; /* only this position (case-insensitive, as ikid matches it); "" all */
	const struct proto_msg *catalog;                  /* ikid's answer to describe */
	const struct proto_value *values[TABLES_PERIODS]; /* its answers to query: the year, Q1-Q4 */
	size_t n_values[TABLES_PERIODS];
	int has_seq;      /* whether ikid said which publish seq the values are consistent with: */
	uint64_t seq;     /* the seq before the values were read ... */
	uint64_t seq_end; /* ... and after (equal: one consistent point) */
	time_t generated;
};

/*
 * Write the tables to out in the format f: a title block, then per jabatan (an indicator of two
 * positions under both) one row per indicator with its sasaran, name, formula, target,
 * realisasi, capaian, predikat, sumber data and the four triwulan; then a footer. Text fits 120
 * columns; CSV is UTF-8 with a BOM and RFC 4180; HTML is one self-contained page with every
 * catalog text escaped. Returns 0, -ENOMEM, or -EIO when out failed.
 */
int tables_write(const struct tables *t, enum tables_format f, FILE *out);

#endif
