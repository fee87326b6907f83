/* tables.h: the LAKIP tables (iki report) laid out as text, CSV or HTML from what ikid sent. */
#ifndef IKI_TABLES_H
#define IKI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "proto.h"

/* The periods of the tables, each one query to ikid (tables_period gives its id). */
enum tables_period {
	TABLES_YEAR, /* the budget year */
	TABLES_Q1,   /* triwulan I to IV: TABLES_Q1 + 0 ... + 3 */
	TABLES_Q2,
	TABLES_Q3,
	TABLES_Q4,
	TABLES_Q2SD, /* 1 January through the end of triwulan II ("s.d. Triwulan II") */
	TABLES_Q3SD, /* ... through triwulan III (s.d. I is I; s.d. IV of a flow is the year) */
	TABLES_PREV, /* the year before, for comparison (shown when ikid holds data of it) */
	TABLES_PERIODS
};

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
	const struct proto_value *values[TABLES_PERIODS]; /* its answers to query, by period */
	size_t n_values[TABLES_PERIODS];
	int has_seq;      /* whether ikid said which publish seq the values are consistent with: */
	uint64_t seq;     /* the seq before the values were read ... */
	uint64_t seq_end; /* ... and after (equal: one consistent point) */
	time_t generated;
	const struct proto_note *notes; /* the analysis notes of the org unit reported on (ikid's */
	size_t n_notes;                 /* answer to note), any period */
};

#define TABLES_SHOWN 6 /* the periods a row shows after the year's (tables_shown) */

/*
 * The k-th (0 ... TABLES_SHOWN - 1) period a row shows after the year's, in reading order:
 * triwulan I, II, s.d. II, III, s.d. III, IV. Returns its enum tables_period; *name (static) is
 * its heading ("s.d. Triwulan II"), *sd whether it is cumulative.
 */
int tables_shown(int k, const char **name, int *sd);

/* The legend under the tables (what s.d. means), one static paragraph. */
const char *tables_legend(void);

/*
 * The flag of an indicator whose values break its validation rule (the values' check), into buf
 * (size n): "perlu diperiksa: Tahun, Triwulan II, s.d. TW II (aturan: pembilang <= penyebut)",
 * naming the periods shown that break it, or "" when none does. Returns whether one does.
 */
bool tables_check(const struct tables *t, const char *indicator, char *buf, size_t n);

/*
 * The analysis (analisis / keterangan) of an indicator: the notes of the year and of the periods
 * shown, "Tahun: ...; Triwulan II: ...", malloc'd; NULL when none (or out of memory).
 */
char *tables_note(const struct tables *t, const char *indicator);

struct iki_client;

/*
 * The notes a report on orgunit shows ("" the kecamatan: the catalog's root), from ikid, into
 * *notes (malloc'd, *n), for tables.notes. An ikid older than notes (bad_type) gives none.
 * Returns 0 or iki_note's code (message filled).
 */
int tables_fetch_notes(struct iki_client *c, const struct proto_msg *catalog, const char *orgunit,
		       struct proto_note **notes, size_t *n, char *message);

/* The parts of the letterhead above the tables (tables_head). */
enum tables_head_part {
	TABLES_HEAD_KOP,     /* a line of the catalog's kop: "Pemerintah Kabupaten Sampang" */
	TABLES_HEAD_OFFICE,  /* the office, the catalog's root: "Kantor Kecamatan Sampang" */
	TABLES_HEAD_TITLE,   /* "Laporan Kinerja (LAKIP) Tahun 2022" */
	TABLES_HEAD_CATALOG, /* the catalog's title */
	TABLES_HEAD_UNIT,    /* "Unit: Kecamatan Sampang (35.27.03)" */
};
#define TABLES_HEAD_LINES (PROTO_KOP_LINES + 4)
#define TABLES_LINE_MAX (PROTO_TEXT_MAX + 96)

struct tables_head {
	enum tables_head_part part;
	char text[TABLES_LINE_MAX];
};

/*
 * The letterhead every format prints above the tables, line by line in reading order (kop lines,
 * office, title, catalog title, unit; a part the catalog leaves empty is left out). Returns the
 * count of lines.
 */
int tables_head(const struct tables *t, struct tables_head lines[TABLES_HEAD_LINES]);

/*
 * The signature block every format prints below the tables (the catalog's sign_ keys; none given:
 * 0 lines): "Sampang, 25 November 2026" (the day the report is made, WIB), the signer's office,
 * the gap where it is signed (lines[TABLES_SIGN_GAP], ""), the name, the rank, "NIP. ...".
 * Returns the count of lines (TABLES_SIGN_LINES, or 0).
 */
#define TABLES_SIGN_LINES 6
#define TABLES_SIGN_GAP 2
int tables_sign(const struct tables *t, char lines[TABLES_SIGN_LINES][TABLES_LINE_MAX]);

/* The footer: "Dibuat 25 November 2026 pukul 10.31 WIB oleh iki report. Sumber: ikid, data per
 * seq 12." into buf (size n). */
void tables_footer(const struct tables *t, char *buf, size_t n);

/*
 * Where an Indonesian word of w[0..n) may be broken at the end of a line, by its syllables: brk[i]
 * (n entries) is set when a hyphen may go before w[i]. The rules (PUEBI, Pedoman Umum Ejaan
 * Bahasa Indonesia): a consonant between two vowels begins the next syllable (ba-ca), two
 * consonants are parted (ban-tu), of three the first ends a syllable (ben-trok); ng, ny, kh and
 * sy are one consonant each (me-nya-nyi, a-khir). Only the breaks that hold whatever the word's
 * affixes are, are made: none between two vowels (ma-in or mai-n?), none inside a stop and r or
 * l (di-pro-ses, not dip-ro-ses), none in s and two more (adminis-trasi but infra-struktur), none
 * before the consonant of a final -an or -i (la-por-an, not lapo-ran), none after a prefix ber-,
 * ter-, per-, meng-, peng- before a vowel (ber-akhir or be-rakhir?). At least 2 letters before a
 * break and 3 after; only words of 5 to TABLES_WORD_MAX ASCII letters, and none with two capitals
 * (an abbreviation: SKPD). Returns the count of breaks.
 */
#define TABLES_WORD_MAX 48 /* a longer word is not broken */
int tables_syllables(const char *w, size_t n, bool *brk);

/* The id of period p (enum tables_period) of a year into id (PERIOD_ID_MAX bytes): "2022Q2SD";
 * "" for a period there is none of (the year before the first year served): ask nothing. */
void tables_period(int year, int p, char *id);

/*
 * Write the tables to out in the format f: a title block, then per jabatan (an indicator of two
 * positions under both) one row per indicator with its sasaran, name, formula, target,
 * realisasi, capaian, predikat, sumber data, the four triwulan and the cumulative (s.d.) figures
 * of triwulan II and III; then a legend and a footer. Text fits 120
 * columns; CSV is UTF-8 with a BOM and RFC 4180; HTML is one self-contained page with every
 * catalog text escaped. Returns 0, -ENOMEM, or -EIO when out failed.
 */
int tables_write(const struct tables *t, enum tables_format f, FILE *out);

#endif
