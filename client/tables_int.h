/* tables_int.h: what the LAKIP tables' files share (client/tables.c, the model, and the formats
 * tables_text.c, tables_csv.c, tables_html.c); nothing else includes it. Functions and constants
 * shared here begin with tab_; the model's types keep their short names (cell, row, group, model). */
#ifndef IKI_TABLES_INT_H
#define IKI_TABLES_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tables.h"

#define TAB_FORMULA_MAX (2 * PROTO_TEXT_MAX + 64)

/*
 * The periods a row shows after the year's figures, in reading order (tables_shown): each
 * triwulan, and after II and III the cumulative figure since 1 January.
 */
struct tab_shown {
	int p;		  /* enum tables_period */
	const char *text; /* the text format's label, within its period column */
	const char *name; /* the HTML, CSV and XLSX headings */
};
extern const struct tab_shown TAB_SHOWN[TABLES_SHOWN];

/* ---- the model: what every format prints, in the order it prints it ---- */

/* One value as the report shows it: ikid's figures, none computed here. */
struct cell {
	bool data;    /* den > 0: realisasi is defined */
	bool percent; /* factor 100: realisasi is a percentage */
	bool target, revised, capaian;
	double realisasi, target_v, original, capaian_v;
	int64_t num, den;
	char predikat[32];
	bool check; /* it breaks its indicator's validation rule: perlu diperiksa (tables_check) */
};

struct row {
	int ind; /* index into the catalog's indicators */
	int no;  /* its number in the jabatan's table */
	struct cell cell[TABLES_PERIODS];
};

struct group {
	char jabatan[PROTO_TEXT_MAX + 1];
	struct row *rows;
	int n;
	size_t cap;
};

struct model {
	const struct tables *t;
	const struct proto_indicator *ind; /* the catalog's indicators */
	struct group *groups;
	int n_groups;
	size_t cap_groups;
	char office[PROTO_TEXT_MAX + 32]; /* "Kantor Kecamatan Sampang" */
	char unit[PROTO_TEXT_MAX + 64];   /* "Kecamatan Sampang (35.27.03)" */
	char unit_name[PROTO_TEXT_MAX + 32]; /* "Kecamatan Sampang" */
	char unit_code[PROTO_ORGUNIT_MAX + 1];
	bool has_prev; /* ikid holds data of the year before: its realisasi is shown beside */
};

/* ---- how figures are written (tables.c) ---- */

/* x with two decimals and the decimal mark dec ("86,67"); never "-0,00". */
void tab_num_text(double x, char dec, char *buf, size_t n);
/* "86,67 %" (unit: the % of a percentage), "86,67", or "tidak ada data". */
void tab_realisasi_text(const struct cell *c, char dec, bool unit, char *buf, size_t n);
/* "90,00", or "-" without a target. */
void tab_target_text(const struct cell *c, char dec, char *buf, size_t n);
/* "96,30", or "-" without a target or without data. */
void tab_capaian_text(const struct cell *c, char dec, char *buf, size_t n);
/* The predikat, or "-" without a capaian. */
const char *tab_predikat_text(const struct cell *c);
/* The formula in words: "(a + b) / c × 100 %". */
void tab_formula_text(const struct proto_indicator *in, char *buf, size_t n);

/* ---- the formats: the model m (names and groups made) written to f; f's error says failure ---- */

void tab_write_text(const struct model *m, FILE *f);
void tab_write_csv(const struct model *m, FILE *f);
void tab_write_html(const struct model *m, FILE *f);

#endif
