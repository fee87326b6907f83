/* check_report.c: iki report against the real ikid; the tables (tables.c) and text helpers (text.c). */
#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "harness.h"
#include "tables.h"
#include "text.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"
#define ESCAPE "tests/data/report-escape.conf"
#define V1 "35.27.03.2001"
#define CSV_COLUMNS 44 /* 17 of the year, 4 for each of the 6 periods shown, Perlu Diperiksa,
			* Realisasi Tahun Sebelumnya, Analisis / Keterangan */

static struct ikid d;

static void start_mini(void)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	char *out = NULL;
	int rc = harness_iki(&d, "submit -f tests/data/mini-month.csv", &out);
	ck_assert_msg(rc == 0, "submit: exit %d: %s", rc, out ? out : "");
	free(out);
}

static void start_escape(void)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, ESCAPE), 0);
	ck_assert_int_eq(harness_iki(&d, "submit --element surat_masuk --orgunit " V1
					 " --date 2022-02-01 --value 4", NULL), 0);
	ck_assert_int_eq(harness_iki(&d, "submit --element surat_tepat --orgunit " V1
					 " --date 2022-02-02 --value 3", NULL), 0);
}

static void stop_ikid(void)
{
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}

/* `iki <args>`'s standard output, asserting its exit status. */
static char *run(const char *args, int want)
{
	char *out = NULL;
	int rc = harness_iki(&d, args, &out);
	ck_assert_msg(rc == want, "iki %s: exit %d, want %d: %s", args, rc, want, out ? out : "");
	ck_assert(out != NULL);
	return out;
}

/* s without the soft hyphens of the HTML's narrow cells (&shy;, tables_syllables' breaks), in
 * place: what a reader of the page sees when no word is broken. */
static char *unshy(char *s)
{
	char *w = s;
	for (const char *r = s; *r;)
		if (!strncmp(r, "&shy;", 5))
			r += 5;
		else
			*w++ = *r++;
	*w = '\0';
	return s;
}

/* The whitespace-separated words of the first line at or after `after` that holds `label`
 * followed by a space, joined by single spaces into buf. */
static void text_line(const char *out, const char *after, const char *label, char *buf,
		      size_t n)
{
	const char *p = strstr(out, after);
	ck_assert_msg(p, "no '%s' in:\n%s", after, out);
	char key[64];
	snprintf(key, sizeof(key), "%s ", label);
	p = strstr(p, key);
	ck_assert_msg(p, "no '%s' after '%s'", label, after);
	const char *end = strchr(p, '\n');
	size_t len = end ? (size_t)(end - p) : strlen(p), k = 0;
	bool space = false;
	for (size_t i = 0; i < len && k + 1 < n; i++) {
		if (p[i] == ' ') {
			space = true;
			continue;
		}
		if (space && k + 2 < n)
			buf[k++] = ' ';
		space = false;
		buf[k++] = p[i];
	}
	buf[k] = '\0';
}

#define ASSERT_TEXT_LINE(out, after, label, want)                                          \
	do {                                                                               \
		char got_[256];                                                            \
		text_line(out, after, label, got_, sizeof(got_));                          \
		ck_assert_msg(strstr(got_, want) != NULL, "%s %s: '%s', want '%s'", after, \
			      label, got_, want);                                           \
	} while (0)

/* strstr, ignoring ASCII case. */
static const char *find_nocase(const char *hay, const char *needle)
{
	for (size_t n = strlen(needle); *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return hay;
	return NULL;
}

static int count(const char *s, const char *needle)
{
	int n = 0;
	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

START_TEST(test_report_text_prints_kecamatan_figures_per_jabatan)
{
	char *out = run("report --year 2022", 0);
	ck_assert_ptr_nonnull(strstr(out, "Laporan Kinerja (LAKIP) Tahun 2022\n"));
	ck_assert_ptr_nonnull(strstr(out, "Kantor Kecamatan Sampang\n"));
	ck_assert_ptr_nonnull(strstr(out, "Unit: Kecamatan Sampang (35.27.03)\n"));
	for (const char *h = "Jabatan: \0Indikator Kinerja\0Target\0Realisasi\0Capaian\0"
			     "Predikat\0Sasaran: \0Formula: \0Sumber Data: \0Triwulan IV\0";
	     *h; h += strlen(h) + 1)
		ck_assert_msg(strstr(out, h), "no heading '%s'", h);
	/* surat: 13/15 at the kecamatan (a ratio of sums; the villages' 80 % and 100 % would
	 * average 90 %), target 90, capaian 86.67 / 90 = 96.30 */
	ASSERT_TEXT_LINE(out, "[surat]", "Tahun 2022", "Tahun 2022 90,00 86,67 % 96,30 Sangat Baik");
	ASSERT_TEXT_LINE(out, "[surat]", "Triwulan I", "Triwulan I 90,00 86,67 % 96,30 Sangat Baik");
	ASSERT_TEXT_LINE(out, "[surat]", "Triwulan II", "Triwulan II 90,00 tidak ada data - -");
	/* akta: 1/2 in the year against 80 (Kurang); triwulan I against its own 70 */
	ASSERT_TEXT_LINE(out, "[akta]", "Tahun 2022", "Tahun 2022 80,00 50,00 % 62,50 Kurang");
	ASSERT_TEXT_LINE(out, "[akta]", "Triwulan I", "Triwulan I 70,00 50,00 % 71,43 Cukup");
	ASSERT_TEXT_LINE(out, "[akta]", "Triwulan II", "Triwulan II 75,50 tidak ada data - -");
	/* tertib has no target; kriminal no data at all */
	ASSERT_TEXT_LINE(out, "[tertib]", "Tahun 2022", "Tahun 2022 - 50,00 % - -");
	ASSERT_TEXT_LINE(out, "[kriminal]", "Tahun 2022", "Tahun 2022 - tidak ada data - -");
	/* kriminal is listed under two positions: shown under both */
	ck_assert_int_eq(count(out, "[kriminal]"), 2);
	ck_assert_ptr_nonnull(strstr(out, "Jabatan: Kasi Trantib\n"));
	ck_assert_ptr_nonnull(strstr(out, "Jabatan: Staf Trantib\n"));
	/* the formula in words, wrapped in its column */
	ck_assert_ptr_nonnull(strstr(out, "    Formula: Surat terdistribusi sesuai "));
	ck_assert_ptr_nonnull(strstr(out, "      tujuan / Surat masuk × 100 %    "));
	ck_assert_ptr_null(strstr(out, " 0,00 %")); /* no data is never 0 % */
	ck_assert_ptr_null(strstr(out, " nan")); /* never a division by zero */
	ck_assert_ptr_null(strstr(out, " -nan"));
	ck_assert_ptr_null(strstr(out, " inf"));
	ck_assert_ptr_null(strstr(out, "86.67")); /* a decimal comma */
	free(out);
}
END_TEST

START_TEST(test_report_text_fits_120_columns)
{
	char *out = run("report --year 2022", 0);
	int line = 1;
	for (char *p = out, *nl; *p; p = nl + 1, line++) {
		nl = strchr(p, '\n');
		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		if (!strstr(p, "Dibuat "))
			ck_assert_msg(text_width(p) <= 120, "line %d is %d wide: %s", line,
				      text_width(p), p);
	}
	free(out);
}
END_TEST

START_TEST(test_report_for_a_village_shows_the_villages_figures)
{
	char *out = run("report --year 2022 --orgunit " V1, 0);
	ck_assert_ptr_nonnull(strstr(out, "Unit: Desa P. Mandangin (35.27.03.2001)"));
	/* 8/10 = 80 %, against 90: 88.89, Baik; the village's akta 1/1 in triwulan I vs 70 */
	ASSERT_TEXT_LINE(out, "[surat]", "Tahun 2022", "Tahun 2022 90,00 80,00 % 88,89 Baik");
	ASSERT_TEXT_LINE(out, "[akta]", "Triwulan I", "Triwulan I 70,00 100,00 % 142,86 Sangat Baik");
	ASSERT_TEXT_LINE(out, "[tertib]", "Tahun 2022", "Tahun 2022 - 0,00 % - -"); /* 0/1: data */
	free(out);
}
END_TEST

START_TEST(test_report_jabatan_selects_one_table)
{
	char *out = run("report --year 2022 --jabatan 'kasi pemerintahan'", 0);
	ck_assert_int_eq(count(out, "Jabatan: "), 1);
	ck_assert_ptr_nonnull(strstr(out, "Jabatan: Kasi Pemerintahan\n"));
	ck_assert_ptr_nonnull(strstr(out, "[akta]"));
	ck_assert_ptr_nonnull(strstr(out, "[tertib]"));
	ck_assert_ptr_null(strstr(out, "[surat]"));
	free(out);
	out = run("report --year 2022 --jabatan 'Staf Trantib'", 0);
	ck_assert_int_eq(count(out, "Jabatan: "), 1);
	ck_assert_int_eq(count(out, "[kriminal]"), 1);
	free(out);
}
END_TEST

START_TEST(test_report_year_without_data_says_so)
{
	char *out = run("report --year 2023", 0);
	ASSERT_TEXT_LINE(out, "[surat]", "Tahun 2023", "Tahun 2023 90,00 tidak ada data - -");
	ASSERT_TEXT_LINE(out, "[akta]", "Triwulan IV", "Triwulan IV 85,00 tidak ada data - -");
	ck_assert_ptr_null(strstr(out, " 0,00 %"));
	/* the year and 6 periods (4 triwulan, s.d. II and III) of 5 rows (kriminal twice); and the
	 * year before, 2022, which holds the month: none for kriminal, twice */
	ck_assert_int_eq(count(out, "tidak ada data"), (1 + TABLES_SHOWN) * 5 + 2);
	ASSERT_TEXT_LINE(out, "[surat]", "Tahun 2022", "Tahun 2022 - 86,67 % - -");
	free(out);
}
END_TEST

START_TEST(test_report_refusals_and_usage_errors)
{
	unsetenv("LC_ALL"); /* iki's own language: Indonesian (tests/check_words.c) */
	unsetenv("LANGUAGE");
	setenv("LANG", "C.UTF-8", 1);
	char *out = run("report --year 2022 --orgunit 35.27.03.9999 2>&1", 1);
	ck_assert_ptr_nonnull(strstr(out, "unknown_orgunit"));
	free(out);
	out = run("report --year 2022 --jabatan Camat 2>&1", 1);
	ck_assert_ptr_nonnull(strstr(out, "unknown_indicator"));
	free(out);
	free(run("report --year 22 2>/dev/null", 2));
	free(run("report --year 2022 --format pdf 2>/dev/null", 2));
	free(run("report --year 2022 extra 2>/dev/null", 2));
	free(run("report --year 2022 -o /nonexistent/dir/x.html 2>/dev/null", 2));
	out = run("report --help", 0);
	ck_assert_ptr_nonnull(strstr(out, "cara pakai: iki report"));
	ck_assert_ptr_nonnull(strstr(out, "--format"));
	free(out);
	out = run("--help", 0);
	ck_assert_ptr_nonnull(strstr(out, "report"));
	free(out);
}
END_TEST

START_TEST(test_report_footer_names_ikid_and_the_seq)
{
	char *out = run("report --year 2022", 0);
	const char *p = strstr(out, "Sumber: ikid, data per seq ");
	ck_assert_msg(p, "no seq in the footer:\n%s", out);
	ck_assert_int_gt(atoi(p + strlen("Sumber: ikid, data per seq ")), 0);
	ck_assert_ptr_nonnull(strstr(out, "Dibuat "));
	free(out);
}
END_TEST

/* ---- CSV ---- */

/* One CSV record (RFC 4180) from *p into fields (each malloc'd); returns the field count, 0 at
 * the end. */
static int csv_record(const char **p, char **fields, int max)
{
	const char *s = *p;
	int n = 0;
	if (!*s)
		return 0;
	for (;;) {
		char *f = malloc(strlen(s) + 1), *o = f;
		ck_assert_ptr_nonnull(f);
		if (*s == '"') {
			for (s++; *s && !(*s == '"' && s[1] != '"'); s++) {
				if (*s == '"')
					s++;
				*o++ = *s;
			}
			ck_assert_msg(*s == '"', "unterminated quote");
			s++;
		} else {
			for (; *s && *s != ',' && *s != '\r' && *s != '\n'; s++) {
				ck_assert_msg(*s != '"', "a bare quote in '%.20s'", *p);
				*o++ = *s;
			}
		}
		*o = '\0';
		ck_assert_int_lt(n, max);
		fields[n++] = f;
		if (*s == ',') {
			s++;
			continue;
		}
		ck_assert_msg(s[0] == '\r' && s[1] == '\n', "record not ended by CRLF: '%.20s'", s);
		*p = s + 2;
		return n;
	}
}

struct csv_table {
	char *cell[16][CSV_COLUMNS + 4];
	int cols[16];
	int rows;
};

static void csv_parse(const char *out, struct csv_table *t)
{
	ck_assert_msg(!strncmp(out, "\xEF\xBB\xBF", 3), "no UTF-8 byte-order mark");
	const char *p = out + 3;
	memset(t, 0, sizeof(*t));
	while (t->rows < 16 && (t->cols[t->rows] = csv_record(&p, t->cell[t->rows], CSV_COLUMNS + 4)))
		t->rows++;
	ck_assert_msg(!*p, "trailing bytes");
	for (int r = 0; r < t->rows; r++)
		ck_assert_msg(t->cols[r] == CSV_COLUMNS, "row %d has %d columns", r, t->cols[r]);
}

static void csv_free(struct csv_table *t)
{
	for (int r = 0; r < t->rows; r++)
		for (int c = 0; c < t->cols[r]; c++)
			free(t->cell[r][c]);
}

/* The cell of the row whose column "Kode Indikator" is code and "Jabatan" starts with jab. */
static const char *csv_cell(const struct csv_table *t, const char *code, const char *column)
{
	int col = -1;
	for (int c = 0; c < t->cols[0]; c++)
		if (!strcmp(t->cell[0][c], column))
			col = c;
	ck_assert_msg(col >= 0, "no column '%s'", column);
	for (int r = 1; r < t->rows; r++)
		if (!strcmp(t->cell[r][5], code))
			return t->cell[r][col];
	ck_abort_msg("no row for %s", code);
	return NULL;
}

#define ASSERT_CSV(t, code, column, want) ck_assert_str_eq(csv_cell(t, code, column), want)

START_TEST(test_report_csv_parses_back_with_plain_numbers)
{
	struct csv_table t;
	char *out = run("report --year 2022 --format csv", 0);
	csv_parse(out, &t);
	ck_assert_int_eq(t.rows, 1 + 5); /* header; surat, akta, tertib, kriminal twice */
	ck_assert_str_eq(t.cell[0][0], "Tahun");
	ck_assert_str_eq(t.cell[0][5], "Kode Indikator");
	ck_assert_str_eq(t.cell[0][CSV_COLUMNS - 4], "Triwulan IV Predikat");
	ck_assert_str_eq(t.cell[0][CSV_COLUMNS - 3], "Perlu Diperiksa");
	ck_assert_str_eq(t.cell[0][CSV_COLUMNS - 2], "Realisasi Tahun Sebelumnya");
	ck_assert_str_eq(t.cell[0][CSV_COLUMNS - 1], "Analisis / Keterangan");
	ASSERT_CSV(&t, "surat", "Realisasi Tahun Sebelumnya", ""); /* ikid holds no 2021 */
	ASSERT_CSV(&t, "surat", "Perlu Diperiksa", ""); /* 13 of 15: within its rule */
	ASSERT_CSV(&t, "surat", "Jabatan", "Kasubbag Umum");
	ASSERT_CSV(&t, "surat", "Target", "90.00");
	ASSERT_CSV(&t, "surat", "Realisasi", "86.67");
	ASSERT_CSV(&t, "surat", "Capaian", "96.30");
	ASSERT_CSV(&t, "surat", "Predikat", "Sangat Baik");
	ASSERT_CSV(&t, "surat", "Pembilang", "13");
	ASSERT_CSV(&t, "surat", "Penyebut", "15");
	ASSERT_CSV(&t, "surat", "Triwulan I Realisasi", "86.67");
	ASSERT_CSV(&t, "surat", "Triwulan II Realisasi", ""); /* empty cells, not words */
	ASSERT_CSV(&t, "surat", "Triwulan II Capaian", "");
	ASSERT_CSV(&t, "akta", "Realisasi", "50.00");
	ASSERT_CSV(&t, "akta", "Capaian", "62.50");
	ASSERT_CSV(&t, "akta", "Predikat", "Kurang");
	ASSERT_CSV(&t, "akta", "Triwulan I Target", "70.00");
	ASSERT_CSV(&t, "akta", "Triwulan II Target", "75.50");
	ASSERT_CSV(&t, "tertib", "Target", "");
	ASSERT_CSV(&t, "tertib", "Capaian", "");
	ASSERT_CSV(&t, "tertib", "Predikat", "");
	ASSERT_CSV(&t, "kriminal", "Realisasi", "");
	ASSERT_CSV(&t, "surat", "Formula", "Surat terdistribusi sesuai tujuan / Surat masuk × 100 %");
	csv_free(&t);
	free(out);
}
END_TEST

/*
 * The cumulative figures since 1 January (s.d. triwulan II and III) beside the triwulan's own,
 * as ikid computes them: surat (a flow) sums its months, tertib (a stock) is its value at the
 * period's end, not a sum of triwulans; capaian against the target of the triwulan it ends
 * with. Over the month's data of the fixture (all March):
 *   surat    Q1 13/15; May 2/5; August 10/10; November 0/4
 *            s.d. II 15/20 = 75,00 % (capaian 75 / 90 = 83,33 Baik), s.d. III 25/30 = 83,33 %
 *            (92,59 Sangat Baik); the year 25/34 = 73,53 %
 *   akta     Q1 1 on time of 2; s.d. II = 50 % against triwulan II's 75,5: 66,23 Cukup
 *   tertib   sasaran 1 + 1 (March), Mandangin's raised to 3 in May; tertib 1 (March):
 *            Q1 1/2 = 50 %; Q2 and s.d. II 1/4 = 25 % (a sum of Q1 and Q2 would be 2/6)
 */
START_TEST(test_report_shows_the_figures_since_january)
{
	static const char *const more[] = {
		"--element surat_masuk --orgunit " V1 " --date 2022-05-10 --value 5",
		"--element surat_tepat --orgunit " V1 " --date 2022-05-11 --value 2",
		"--element surat_masuk --orgunit " V1 " --date 2022-08-01 --value 10",
		"--element surat_tepat --orgunit " V1 " --date 2022-08-02 --value 10",
		"--element surat_masuk --orgunit " V1 " --date 2022-11-03 --value 4",
		"--element desa_sasaran --orgunit " V1 " --op set --date 2022-05-02 --value 3"};
	char args[256];
	for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
		snprintf(args, sizeof(args), "submit %s", more[i]);
		free(run(args, 0));
	}
	char *out = run("report --year 2022", 0);
	ASSERT_TEXT_LINE(out, "[surat]", "Triwulan II", "Triwulan II 90,00 40,00 % 44,44 Sangat Kurang");
	ASSERT_TEXT_LINE(out, "[surat]", "s.d. TW II", "s.d. TW II 90,00 75,00 % 83,33 Baik");
	ASSERT_TEXT_LINE(out, "[surat]", "s.d. TW III", "s.d. TW III 90,00 83,33 % 92,59 Sangat Baik");
	ASSERT_TEXT_LINE(out, "[surat]", "Tahun 2022", "Tahun 2022 90,00 73,53 % 81,70 Baik");
	ASSERT_TEXT_LINE(out, "[akta]", "s.d. TW II", "s.d. TW II 75,50 50,00 % 66,23 Cukup");
	ASSERT_TEXT_LINE(out, "[tertib]", "Triwulan II", "Triwulan II - 25,00 % - -");
	ASSERT_TEXT_LINE(out, "[tertib]", "s.d. TW II", "s.d. TW II - 25,00 % - -");
	ASSERT_TEXT_LINE(out, "[tertib]", "Triwulan I", "Triwulan I - 50,00 % - -");
	/* in reading order: each s.d. after its triwulan; the legend says what s.d. means */
	const char *row = strstr(out, "[surat]"), *q2 = strstr(row, "Triwulan II "),
		   *sd2 = strstr(row, "s.d. TW II "), *q3 = strstr(row, "Triwulan III ");
	ck_assert_msg(q2 && sd2 && q3 && q2 < sd2 && sd2 < q3, "order of the periods");
	ck_assert_ptr_nonnull(strstr(out, "Keterangan: s.d. = sampai dengan, sejak 1 Januari"));
	free(out);
	struct csv_table t;
	out = run("report --year 2022 --format csv", 0);
	csv_parse(out, &t);
	ASSERT_CSV(&t, "surat", "s.d. Triwulan II Target", "90.00");
	ASSERT_CSV(&t, "surat", "s.d. Triwulan II Realisasi", "75.00");
	ASSERT_CSV(&t, "surat", "s.d. Triwulan II Capaian", "83.33");
	ASSERT_CSV(&t, "surat", "s.d. Triwulan II Predikat", "Baik");
	ASSERT_CSV(&t, "surat", "s.d. Triwulan III Realisasi", "83.33");
	ASSERT_CSV(&t, "surat", "s.d. Triwulan III Predikat", "Sangat Baik");
	ASSERT_CSV(&t, "akta", "s.d. Triwulan II Target", "75.50");
	ASSERT_CSV(&t, "tertib", "s.d. Triwulan II Realisasi", "25.00");
	ASSERT_CSV(&t, "kriminal", "s.d. Triwulan III Realisasi", "");
	csv_free(&t);
	free(out);
	out = run("report --year 2022 --format html", 0);
	unshy(out);
	ck_assert_ptr_nonnull(strstr(out, "<th colspan=\"2\" class=\"sd\">s.d. Triwulan II</th>"));
	ck_assert_ptr_nonnull(strstr(out, "<td class=\"n q sd\"><span class=\"v\">75,00</span></td>"
					  "<td class=\"n q sd\"><span class=\"v\">83,33</span></td>"));
	ck_assert_ptr_nonnull(strstr(out, "<p class=\"ket\">Keterangan: s.d. = sampai dengan"));
	free(out);
}
END_TEST

START_TEST(test_report_csv_quotes_and_defuses_catalog_text)
{
	struct csv_table t;
	char *out = run("report --year 2022 --format csv", 0);
	csv_parse(out, &t);
	ck_assert_int_eq(t.rows, 2);
	ASSERT_CSV(&t, "surat", "Indikator Kinerja",
		   "Rasio <script>alert('nama')</script>, \"surat\", dan koma");
	ck_assert_ptr_nonnull(strstr(out, "\"Rasio <script>alert('nama')</script>, \"\"surat\"\", dan koma\""));
	/* a text that starts like a formula is not one when the file is opened */
	ASSERT_CSV(&t, "surat", "Sumber Data", "'=HYPERLINK(\"http://contoh.invalid\",\"klik\")");
	ASSERT_CSV(&t, "surat", "Sasaran", "Sasaran <style>body{display:none}</style>, dengan koma");
	ck_assert_ptr_nonnull(strstr(out, ",\"Sasaran <style>body{display:none}</style>, dengan koma\","));
	ASSERT_CSV(&t, "surat", "Realisasi", "75.00");
	csv_free(&t);
	free(out);
}
END_TEST

START_TEST(test_report_shows_target_perubahan_set_in_ikid)
{
	/* the catalog's 90 raised to 95: 86.67 / 95 = 91.23 */
	free(run("target --indicator surat --period 2022 --set 95", 0));
	char *out = run("report --year 2022", 0);
	ASSERT_TEXT_LINE(out, "[surat]", "Tahun 2022",
			 "Tahun 2022 95,00 (semula 90,00) 86,67 % 91,23 Sangat Baik");
	free(out);
	struct csv_table t;
	out = run("report --year 2022 --format csv", 0);
	csv_parse(out, &t);
	ASSERT_CSV(&t, "surat", "Target", "95.00");
	ASSERT_CSV(&t, "surat", "Target Semula", "90.00");
	ASSERT_CSV(&t, "surat", "Capaian", "91.23");
	ASSERT_CSV(&t, "akta", "Target Semula", "");
	csv_free(&t);
	free(out);
}
END_TEST

/* ---- HTML ---- */

/* Every tag in the page is one the report writes: none can come from the data. */
static void assert_only_report_tags(const char *html)
{
	static const char *const allowed[] = {
		"!DOCTYPE", "html",  "head",  "meta",	  "title", "style", "body", "header",
		"div",	    "h1",    "h2",    "section",  "table", "colgroup", "col", "thead",
		"tbody",    "tr",    "th",    "td",	  "span",  "footer", "p"};
	for (const char *p = html; (p = strchr(p, '<')); p++) {
		const char *name = p + 1 + (p[1] == '/');
		size_t len = strspn(name, "!ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
		bool ok = false;
		for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			ok |= len == strlen(allowed[i]) && !strncmp(name, allowed[i], len);
		ck_assert_msg(ok, "unexpected markup: '%.40s'", p);
		ck_assert_msg(name[len] == '>' || name[len] == ' ', "odd tag: '%.40s'", p);
	}
}

/* Opening and closing tags of an element balance. */
static void assert_balanced(const char *html, const char *tag)
{
	char open[32], open_attr[32], close[32];
	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(open_attr, sizeof(open_attr), "<%s ", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	ck_assert_msg(count(html, open) + count(html, open_attr) == count(html, close),
		      "<%s>: %d opened, %d closed", tag, count(html, open) + count(html, open_attr),
		      count(html, close));
}

/*
 * A value that breaks its indicator's rule (mini's surat: numerator <= denominator) is counted
 * and flagged "perlu diperiksa" with the rule in words wherever a person reads it: 20 letters
 * distributed in May, none received (a clerk typed them under the wrong element). Triwulan II
 * is 20/0, s.d. II and s.d. III 33/15, the year 33/15; triwulan I (13/15) is within it.
 */
START_TEST(test_values_breaking_a_rule_are_flagged_and_listed)
{
	char *out = run("submit --element surat_tepat --orgunit " V1 " --date 2022-05-10 --value 20",
			0);
	free(out);
	const char *flag = "perlu diperiksa (aturan: pembilang <= penyebut)";
	out = run("query --indicator surat --period 2022Q2", 0);
	ck_assert_msg(strstr(out, flag), "%s", out);
	free(out);
	out = run("query --indicator surat --period 2022Q1", 0);
	ck_assert_msg(!strstr(out, "perlu diperiksa"), "%s", out);
	free(out);
	out = run("query --indicator surat --period 2022Q2 --json", 0);
	ck_assert_msg(strstr(out, "\"check\":\"pembilang <= penyebut\""), "%s", out);
	free(out);
	/* the list of a period: the village and the kecamatan; none in triwulan I */
	out = run("review --period 2022Q2", 0);
	ck_assert_msg(strstr(out, "2 nilai triwulan II 2022 melanggar aturan validasinya"), "%s",
		      out);
	ck_assert_int_eq(count(out, flag), 2);
	ck_assert_msg(strstr(out, "Rasio surat") && strstr(out, V1) && strstr(out, "35.27.03 "),
		      "%s", out);
	free(out);
	out = run("review --period 2022Q1", 0);
	ck_assert_msg(strstr(out, "Tidak ada nilai triwulan I 2022 yang melanggar"), "%s", out);
	free(out);
	out = run("review --period 2022Q2 --orgunit " V1 " --json", 0);
	ck_assert_int_eq(count(out, "\"check\""), 1);
	free(out);
	/* the line a watcher prints for the value */
	out = run("watch --plain --indicator surat --orgunit 35.27.03 --period 2022Q2 & "
		  "sleep 1.5; kill $!", 0);
	ck_assert_msg(strstr(out, "20/0  tidak ada data  perlu diperiksa (aturan: pembilang <= "
				  "penyebut)"), "%s", out);
	free(out);
	/* the report: a line under the row, a column, a note in the indicator's cell */
	const char *periods = "perlu diperiksa: Tahun, Triwulan II, s.d. TW II, s.d. TW III (aturan: "
			      "pembilang <= penyebut)";
	out = run("report --year 2022", 0);
	ck_assert_msg(strstr(out, periods), "%s", out);
	free(out);
	struct csv_table t;
	out = run("report --year 2022 --format csv", 0);
	csv_parse(out, &t);
	ASSERT_CSV(&t, "surat", "Perlu Diperiksa", periods);
	ASSERT_CSV(&t, "akta", "Perlu Diperiksa", "");
	csv_free(&t);
	free(out);
	out = run("report --year 2022 --format html", 0);
	unshy(out);
	char want[300];
	snprintf(want, sizeof(want), "<span class=\"periksa\">%s</span>", periods);
	for (char *p = want; (p = strstr(p, "<=")); p++) /* escaped as HTML */
		memmove(p + 4, p + 1, strlen(p + 1) + 1), memcpy(p, "&lt;", 4);
	ck_assert_msg(strstr(out, want), "no %s", want);
	ck_assert_int_eq(count(out, " cek\""), 4); /* the four realisasi cells */
	free(out);
}
END_TEST

/* When ikid holds the year before (mini names no budget year, so 2021 is taken), its realisasi
 * stands beside the year's: a line of its own in text, a column in CSV, under the year's in
 * HTML; an indicator without data then says so. Without it (the other tests) nothing shows. */
START_TEST(test_report_compares_with_the_year_before)
{
	free(run("submit --element surat_masuk --orgunit " V1 " --date 2021-06-01 --value 10", 0));
	free(run("submit --element surat_tepat --orgunit " V1 " --date 2021-06-02 --value 8", 0));
	char *out = run("report --year 2022", 0), buf[256];
	text_line(out, "Rasio surat", "Tahun 2021", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Tahun 2021 - 80,00 % - -");
	text_line(out, "Akta tepat waktu", "Tahun 2021", buf, sizeof(buf));
	ck_assert_str_eq(buf, "Tahun 2021 - tidak ada data - -");
	free(out);
	struct csv_table t;
	out = run("report --year 2022 --format csv", 0);
	csv_parse(out, &t);
	ASSERT_CSV(&t, "surat", "Realisasi Tahun Sebelumnya", "80.00");
	ASSERT_CSV(&t, "surat", "Realisasi", "86.67"); /* the year's own is untouched */
	ASSERT_CSV(&t, "akta", "Realisasi Tahun Sebelumnya", "");
	csv_free(&t);
	free(out);
	out = run("report --year 2022 --format html", 0);
	unshy(out);
	ck_assert_ptr_nonnull(strstr(out, "<span class=\"v\">86,67 %</span><span class=\"lalu\">"
					  "2021: 80,00 %</span></td>"));
	ck_assert_ptr_nonnull(strstr(out, "<span class=\"lalu\">2021: tidak ada data</span>"));
	free(out);
	out = run("report --year 2021", 0); /* and a year with none before it shows no such line */
	ck_assert_ptr_null(strstr(out, "Tahun 2020"));
	free(out);
}
END_TEST

/* The analysis (analisis / keterangan) the office writes through ikid, with its history, in the
 * report's last column: the year's and the triwulans' notes of the org unit reported on. */
START_TEST(test_report_carries_the_notes_written_in_ikid)
{
	char *out = run("note --indicator surat --period 2022 --set 'Buku agenda <baru>; tepat naik'",
			0);
	ck_assert_msg(strstr(out, "Catatan disimpan:") && strstr(out, "surat      35.27.03       2022"),
		      "%s", out);
	free(out);
	free(run("note --indicator surat --period 2022 --set 'Buku agenda baru, surat tepat naik'", 0));
	free(run("note --indicator surat --period 2022Q1 --set 'Maret: 13 dari 15'", 0));
	free(run("note --indicator akta --period 2022 --orgunit " V1 " --set 'Desa saja'", 0));
	out = run("note --indicator surat --period 2022 --history", 0);
	const char *newer = strstr(out, "Buku agenda baru, surat tepat naik"),
		   *older = strstr(out, "Buku agenda <baru>; tepat naik");
	ck_assert_msg(newer && older && newer < older, "newest first: %s", out);
	free(out);
	free(run("note --indicator akta --period 2022 --set 'sementara'", 0));
	out = run("note --indicator akta --period 2022 --set ''", 0); /* cleared: not in the report */
	ck_assert_msg(strstr(out, "Catatan dihapus:") && strstr(out, "(dihapus)"), "%s", out);
	free(out);
	const char *want = "Tahun: Buku agenda baru, surat tepat naik; Triwulan I: Maret: 13 dari 15";
	out = run("report --year 2022", 0);
	char line[256];
	snprintf(line, sizeof(line), "    Analisis: %s\n", want);
	ck_assert_msg(strstr(out, line), "no '%s' in:\n%s", line, out);
	ck_assert_ptr_null(strstr(out, "Desa saja")); /* another org unit's */
	free(out);
	struct csv_table t;
	out = run("report --year 2022 --format csv", 0);
	csv_parse(out, &t);
	ASSERT_CSV(&t, "surat", "Analisis / Keterangan", want);
	ASSERT_CSV(&t, "akta", "Analisis / Keterangan", "");
	csv_free(&t);
	free(out);
	out = run("report --year 2022 --orgunit " V1 " --format html", 0);
	unshy(out);
	ck_assert_ptr_nonnull(strstr(out, "<th rowspan=\"2\">Analisis / Keterangan</th>"));
	ck_assert_ptr_nonnull(strstr(out, "<td class=\"an\">Tahun: Desa saja</td>"));
	free(out);
}
END_TEST

START_TEST(test_report_html_is_one_printable_page)
{
	char *out = run("report --year 2022 --format html", 0);
	/* a long word of a narrow cell may break between its syllables only, there with a hyphen
	 * (check_pdf reads the lines of the PDF); a code or an abbreviation never */
	ck_assert_ptr_nonnull(strstr(out, "hyphens:manual"));
	ck_assert_ptr_null(strstr(out, "hyphens:auto"));
	ck_assert_ptr_nonnull(strstr(out, ">Ra&shy;sio su&shy;rat<span class=\"kode\">surat</span>"));
	ck_assert_ptr_nonnull(strstr(out, ">Rea&shy;li&shy;sasi</th>"));
	ck_assert_ptr_null(strstr(out, "Jabatan: Kasi &shy;"));
	/* each jabatan's table carries its heading in its head, which is repeated on every page */
	ck_assert_ptr_nonnull(strstr(out, "<thead>\n<tr class=\"jab\"><th colspan=\"22\">Jabatan: "
					  "Kasubbag Umum</th></tr>\n<tr><th rowspan=\"2\">No</th>"));
	ck_assert_int_eq(count(out, "<tr class=\"jab\">"), 4);
	ck_assert_ptr_null(strstr(out, "<h2>"));
	unshy(out);
	ck_assert_msg(!strncmp(out, "<!DOCTYPE html>\n", 16), "%.40s", out);
	ck_assert_ptr_nonnull(strstr(out, "<meta charset=\"utf-8\">"));
	ck_assert_ptr_nonnull(strstr(out, "@page{size:A4 landscape"));
	ck_assert_ptr_nonnull(strstr(out, "thead{display:table-header-group}"));
	ck_assert_ptr_nonnull(strstr(out, "break-inside:avoid"));
	ck_assert_int_eq(count(out, "</html>\n"), 1);
	ck_assert_int_eq(count(out, "<table>"), 4); /* one per jabatan */
	for (const char *t = "html\0head\0body\0style\0header\0section\0table\0thead\0tbody\0tr\0"
			     "th\0td\0span\0div\0footer\0h1\0h2\0title\0";
	     *t; t += strlen(t) + 1)
		assert_balanced(out, t);
	assert_only_report_tags(out);
	/* no external assets, no script */
	ck_assert_ptr_null(strstr(out, "src="));
	ck_assert_ptr_null(strstr(out, "href="));
	ck_assert_ptr_null(find_nocase(out, "<script"));
	/* the figures, Indonesian style, and the predikat's colour with its text */
	ck_assert_ptr_nonnull(strstr(out, "<h1>Laporan Kinerja (LAKIP) Tahun 2022</h1>"));
	ck_assert_ptr_nonnull(strstr(out, "<span class=\"v\">86,67 %</span>"));
	ck_assert_ptr_nonnull(strstr(out, "<td class=\"pk pk-sb\">Sangat Baik</td>"));
	ck_assert_ptr_nonnull(strstr(out, "<td class=\"pk pk-k\">Kurang</td>"));
	ck_assert_ptr_nonnull(strstr(out, "<span class=\"v\">62,50</span>"));
	ck_assert_ptr_nonnull(strstr(out, "tidak ada data"));
	ck_assert_ptr_nonnull(strstr(out, "<span class=\"tq\">target 75,50</span>"));
	for (const char *h = "No\0Sasaran\0Indikator Kinerja\0Formula\0Target (%)\0Realisasi\0"
			     "Capaian (%)\0Predikat\0Sumber Data\0Triwulan I\0Triwulan IV\0"
			     "s.d. Triwulan II\0s.d. Triwulan III\0";
	     *h; h += strlen(h) + 1) {
		char th[64];
		snprintf(th, sizeof(th), ">%s</th>", h);
		ck_assert_msg(strstr(out, th), "no heading %s", h);
	}
	ck_assert_ptr_nonnull(strstr(out, "Sumber: ikid, data per seq "));
	ck_assert_ptr_null(strstr(out, " 0,00 %"));
	free(out);
}
END_TEST

START_TEST(test_report_html_escapes_catalog_markup)
{
	char *out = run("report --year 2022 --format html", 0);
	unshy(out);
	assert_only_report_tags(out);
	ck_assert_ptr_null(find_nocase(out, "<script"));
	ck_assert_ptr_null(strstr(out, "<img"));
	ck_assert_ptr_null(strstr(out, "<b>"));
	ck_assert_int_eq(count(out, "</style>"), 1); /* ours */
	ck_assert_ptr_nonnull(strstr(out, "Rasio &lt;script&gt;alert(&#39;nama&#39;)&lt;/script&gt;, "
					  "&quot;surat&quot;, dan koma"));
	ck_assert_ptr_nonnull(strstr(out, "Kasubbag &lt;img src=x onerror=alert(2)&gt;"));
	ck_assert_ptr_nonnull(strstr(out, "Katalog &lt;script&gt;alert(&quot;judul&quot;)"));
	ck_assert_ptr_nonnull(strstr(out, "Sampang &lt;b&gt;tebal&lt;/b&gt;"));
	ck_assert_ptr_nonnull(strstr(out, "Surat tepat &lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;"));
	ck_assert_int_eq(count(out, "<table>"), 1);
	assert_balanced(out, "table");
	assert_balanced(out, "td");
	free(out);
	/* the village's name too, in a report on it */
	out = run("report --year 2022 --orgunit " V1 " --format html", 0);
	unshy(out);
	assert_only_report_tags(out);
	ck_assert_ptr_nonnull(strstr(out, "Desa &quot;kutip&quot; &amp; &#39;apostrof&#39;"));
	free(out);
}
END_TEST

/* The catalog's letterhead above the tables and its signature block below them (the day the
 * report is made, in WIB, a gap to sign in), as text in every format that is printed. */
START_TEST(test_report_has_the_letterhead_and_the_signature_block)
{
	char day[64], line[256];
	struct tm tm;
	static const char *const bulan[12] = {"Januari", "Februari", "Maret", "April", "Mei",
					      "Juni", "Juli", "Agustus", "September", "Oktober",
					      "November", "Desember"};
	text_wib_tm(time(NULL), &tm);
	snprintf(day, sizeof(day), "Sampang, %d %s %d", tm.tm_mday, bulan[tm.tm_mon],
		 tm.tm_year + 1900);
	char *out = run("report --year 2022", 0);
	ck_assert_msg(!strncmp(out, "Pemerintah <u>Kabupaten</u> & \"Uji\"\nJl. Uji No. 1 <br>\n"
				    "Kantor ",
			       55), "%.200s", out);
	snprintf(line, sizeof(line), "%72s%s\n", "", day);
	ck_assert_msg(strstr(out, line), "no '%s' in:\n%s", line, out);
	const char *sign = strstr(out, line);
	ck_assert_ptr_nonnull(strstr(sign, "CAMAT <i>UJI</i>\n\n\n\n"));
	ck_assert_ptr_nonnull(strstr(sign, "Nama & Gelar, S.STP\n"));
	ck_assert_ptr_nonnull(strstr(sign, "NIP. 19780720 <b>199804</b> 1 001\n"));
	ck_assert_ptr_nonnull(strstr(sign, "Dibuat ")); /* the footer comes after it */
	free(out);
	out = run("report --year 2022 --format html", 0);
	unshy(out);
	assert_only_report_tags(out);
	ck_assert_ptr_nonnull(strstr(out, "<header class=\"kop\">\n<div class=\"pemda\">Pemerintah "
					  "&lt;u&gt;Kabupaten&lt;/u&gt; &amp; &quot;Uji&quot;</div>"));
	snprintf(line, sizeof(line), "<div class=\"ttd\"><div class=\"tgl\">%s</div>", day);
	ck_assert_msg(strstr(out, line), "no %s", line);
	ck_assert_ptr_nonnull(strstr(out, "<div class=\"jab\">CAMAT &lt;i&gt;UJI&lt;/i&gt;</div>"
					  "<div class=\"ruang\"></div><div class=\"nama\">Nama "
					  "&amp; Gelar, S.STP</div><div class=\"pangkat\">Pembina TK. I"
					  "</div><div class=\"nip\">NIP. 19780720 &lt;b&gt;199804&lt;/b"
					  "&gt; 1 001</div></div>\n<footer>"));
	free(out);
	out = run("report --year 2022 --format csv", 0); /* for machines: no letter */
	ck_assert_ptr_null(strstr(out, "CAMAT"));
	free(out);
}
END_TEST

START_TEST(test_report_output_file_takes_its_format_from_the_name)
{
	char args[512], path[300];
	snprintf(path, sizeof(path), "%s/lakip.html", d.state);
	snprintf(args, sizeof(args), "report --year 2022 -o %s", path);
	char *out = run(args, 0);
	ck_assert_str_eq(out, ""); /* nothing on standard output */
	free(out);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char head[32] = "";
	ck_assert(fgets(head, sizeof(head), f) != NULL);
	fclose(f);
	ck_assert_str_eq(head, "<!DOCTYPE html>\n");
	snprintf(path, sizeof(path), "%s/lakip.csv", d.state);
	snprintf(args, sizeof(args), "report --year 2022 --output %s --format text", path);
	free(run(args, 0));
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert(fgets(head, sizeof(head), f) != NULL);
	fclose(f);
	ck_assert_str_eq(head, "Kantor Kecamatan Sampang\n"); /* --format wins: the text */
}
END_TEST

/* ---- tables_write on values made here: what ikid cannot yet send (a revised target) ---- */

struct fixture {
	struct proto_msg cat;
	struct proto_indicator ind;
	struct proto_orgunit ou;
	struct proto_value v[TABLES_PERIODS];
	struct tables r;
};

static void fixture_make(struct fixture *x)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->ind.indicator, sizeof(x->ind.indicator), "iki06");
	snprintf(x->ind.name, sizeof(x->ind.name), "Rasio surat,\nbaris baru");
	snprintf(x->ind.jabatan, sizeof(x->ind.jabatan), "Kasubbag Umum; Camat");
	snprintf(x->ind.sasaran, sizeof(x->ind.sasaran), "Pelayanan");
	snprintf(x->ind.numerator, sizeof(x->ind.numerator), "Surat tepat");
	snprintf(x->ind.denominator, sizeof(x->ind.denominator), "Surat masuk + Surat keluar");
	x->ind.factor = 100;
	snprintf(x->ou.code, sizeof(x->ou.code), "35.27.03");
	snprintf(x->ou.name, sizeof(x->ou.name), "Sampang");
	snprintf(x->ou.kind, sizeof(x->ou.kind), "kecamatan");
	x->cat.type = PROTO_CATALOG;
	x->cat.indicators = &x->ind;
	x->cat.n_indicators = 1;
	x->cat.orgunits = &x->ou;
	x->cat.n_orgunits = 1;
	for (int p = 0; p < TABLES_PERIODS; p++) {
		struct proto_value *v = &x->v[p];
		snprintf(v->indicator, sizeof(v->indicator), "iki06");
		tables_period(2022, p, v->period);
		v->factor = 100;
		v->has_target = true;
		v->target = 9000;
		v->revised = true;
		v->target_original = 9500;
		x->r.values[p] = v;
		x->r.n_values[p] = 1;
	}
	x->v[0].num = 13;
	x->v[0].den = 15;
	x->v[0].has_capaian = true;
	x->v[0].capaian = 96.296;
	snprintf(x->v[0].predikat, sizeof(x->v[0].predikat), "Sangat Baik");
	x->r.year = 2022;
	x->r.orgunit = "";
	x->r.jabatan = "";
	x->r.catalog = &x->cat;
	x->r.has_seq = 1;
	x->r.seq = 5;
	x->r.seq_end = 7;
	x->r.generated = 1700000000;
}

static char *render(const struct tables *r, enum tables_format f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(mem);
	ck_assert_int_eq(tables_write(r, f, mem), 0);
	fclose(mem);
	return buf;
}

START_TEST(test_report_shows_a_revised_target_beside_the_first)
{
	struct fixture x;
	fixture_make(&x);
	char *out = render(&x.r, TABLES_TEXT);
	ASSERT_TEXT_LINE(out, "[iki06]", "Tahun 2022", "90,00 (semula 95,00) 86,67 % 96,30 Sangat Baik");
	ASSERT_TEXT_LINE(out, "[iki06]", "Triwulan III", "90,00 (semula 95,00) tidak ada data - -");
	ck_assert_int_eq(count(out, "[iki06]"), 2); /* two positions */
	ck_assert_ptr_nonnull(strstr(out, "data berubah selama laporan dibuat (seq 5 sampai 7)"));
	free(out);
	out = render(&x.r, TABLES_HTML);
	unshy(out);
	ck_assert_ptr_nonnull(strstr(out, "90,00</span> <span class=\"semula\">(semula 95,00)</span>"));
	ck_assert_ptr_nonnull(strstr(out, "<td class=\"f\">Surat tepat / (Surat masuk + Surat keluar) × 100 %</td>"));
	free(out);
	struct csv_table t;
	out = render(&x.r, TABLES_CSV);
	csv_parse(out, &t);
	ck_assert_int_eq(t.rows, 3);
	ASSERT_CSV(&t, "iki06", "Target", "90.00");
	ASSERT_CSV(&t, "iki06", "Target Semula", "95.00");
	ASSERT_CSV(&t, "iki06", "Indikator Kinerja", "Rasio surat,\nbaris baru");
	csv_free(&t);
	free(out);
}
END_TEST

START_TEST(test_report_without_seq_says_only_the_source)
{
	struct fixture x;
	fixture_make(&x);
	x.r.has_seq = 0;
	x.r.jabatan = "CAMAT";
	char *out = render(&x.r, TABLES_TEXT);
	ck_assert_ptr_nonnull(strstr(out, "oleh iki report. Sumber: ikid.\n"));
	ck_assert_int_eq(count(out, "Jabatan: "), 1);
	ck_assert_ptr_nonnull(strstr(out, "Jabatan: Camat\n"));
	free(out);
}
END_TEST

/* ---- tables.c: where a word of a narrow column may break ---- */

/* word with a '-' at each break tables_syllables allows, into buf */
static const char *hyphenated(const char *word, char *buf, size_t n)
{
	bool brk[TABLES_WORD_MAX] = {0};
	size_t len = strlen(word), k = 0;
	tables_syllables(word, len, brk);
	for (size_t i = 0; i < len && k + 2 < n; i++) {
		if (i < TABLES_WORD_MAX && brk[i])
			buf[k++] = '-';
		buf[k++] = word[i];
	}
	buf[k] = '\0';
	return buf;
}

/*
 * Every break tables_syllables makes in a word of tests/data/suku-kata.txt (parted by hand as the
 * KBBI parts it) falls between two of its syllables, capitalised or not, and it finds most of those
 * it may use (2 letters before, 3 after, not between two vowels).
 */
START_TEST(test_words_break_only_between_syllables)
{
	FILE *f = fopen("tests/data/suku-kata.txt", "r");
	ck_assert_ptr_nonnull(f);
	char line[256], word[64], parts[128];
	int words = 0, made = 0, usable = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		ck_assert_msg(sscanf(line, "%63s %127s", word, parts) == 2, "%s", line);
		bool ref[64] = {false}, brk[TABLES_WORD_MAX];
		size_t n = 0;
		for (const char *p = parts; *p; p++) {
			if (*p == '.')
				ref[n] = true;
			else
				ck_assert_msg(word[n++] == *p, "%s: its parts spell another word", word);
		}
		ck_assert_msg(n == strlen(word), "%s: its parts spell another word", word);
		int got = tables_syllables(word, n, brk), here = 0;
		for (size_t i = 0; i < n; i++) {
			ck_assert_msg(!brk[i] || ref[i], "%s: a break before '%s' is not between "
				      "syllables (%s)", word, word + i, parts);
			usable += i >= 2 && n - i >= 3 && ref[i] &&
				  !(strchr("aeiou", word[i - 1]) && strchr("aeiou", word[i]));
			here += brk[i];
		}
		ck_assert_int_eq(got, here); /* the count is the breaks' */
		made += here;
		char cap[64];
		snprintf(cap, sizeof(cap), "%s", word);
		cap[0] = (char)(cap[0] - 'a' + 'A');
		bool brk_cap[TABLES_WORD_MAX];
		ck_assert_int_eq(tables_syllables(cap, n, brk_cap), got);
		ck_assert(!memcmp(brk, brk_cap, n * sizeof(bool)));
		words++;
	}
	fclose(f);
	ck_assert_int_ge(words, 190);
	printf("tables_syllables: %d of the %d usable syllable boundaries of %d words\n", made,
	       usable, words);
	ck_assert_msg(made * 100 >= usable * 75, "only %d of %d", made, usable);
	char buf[128];
	static const char *const want[][2] = {
	    {"Meningkatnya", "Me-ning-kat-nya"},	  {"penyelenggaraan", "pe-nye-leng-ga-raan"},
	    {"administrasi", "ad-mi-nistrasi"},	  {"kepegawaian", "ke-pe-ga-waian"},
	    {"laporan", "la-poran"},			  {"laporannya", "la-poran-nya"},
	    {"berakhir", "bera-khir"},			  {"diproses", "dipro-ses"},
	    {"masyarakat", "ma-sya-ra-kat"},		  {"Subbag", "Sub-bag"},
	    {"transportasi", "transpor-tasi"},		  {"Kriminalitas", "Kri-mi-na-li-tas"},
	    {"SKPD", "SKPD"},				  {"Renstra", "Renstra"},
	    {"PEMERINTAH", "PEMERINTAH"},		  {"bank", "bank"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_str_eq(hyphenated(want[i][0], buf, sizeof(buf)), want[i][1]);
	bool brk[TABLES_WORD_MAX];
	ck_assert_int_eq(tables_syllables("kantor2", 7, brk), 0); /* letters only */
	ck_assert_int_eq(tables_syllables("pelayanan", 9, brk), 2);
}
END_TEST

/* ---- text.c ---- */

START_TEST(test_text_cut_and_width_count_characters_not_bytes)
{
	ck_assert_int_eq(text_width("Surat × 100 %"), 13);
	ck_assert_uint_eq(text_cut("a×b", 2), 3); /* "a×": never half of "×" */
	ck_assert_uint_eq(text_cut("a×b", 1), 1);
	ck_assert_uint_eq(text_cut("ab", 9), 2);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	text_cell(mem, "×××××", 3);
	text_cell(mem, "ab", 3);
	fclose(mem);
	ck_assert_str_eq(buf, "××× ab  ");
	free(buf);
}
END_TEST

START_TEST(test_text_wrap_breaks_at_spaces_and_inside_long_words)
{
	struct text_line l[8];
	const char *s = "Permohonan akta tanah  tepat waktu";
	int n = text_wrap(s, 12, l, 8);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq((int)l[0].len, 10); /* "Permohonan" */
	ck_assert(!strncmp(s + l[1].start, "akta tanah", l[1].len) && l[1].len == 10);
	ck_assert(!strncmp(s + l[2].start, "tepat waktu", l[2].len));
	const char *w = "××××××××××";
	n = text_wrap(w, 4, l, 8); /* 10 characters, 20 bytes: 4 + 4 + 2 */
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq((int)l[0].len, 8);
	ck_assert_int_eq((int)l[2].len, 4);
	ck_assert_int_eq(text_wrap("", 5, l, 8), 0);
	ck_assert_int_eq(text_wrap("a b c d e f", 1, l, 2), 6); /* more than fits: the count */
}
END_TEST

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("mini");
	tcase_add_checked_fixture(tc, start_mini, stop_ikid);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_report_text_prints_kecamatan_figures_per_jabatan);
	tcase_add_test(tc, test_report_text_fits_120_columns);
	tcase_add_test(tc, test_report_for_a_village_shows_the_villages_figures);
	tcase_add_test(tc, test_report_jabatan_selects_one_table);
	tcase_add_test(tc, test_report_year_without_data_says_so);
	tcase_add_test(tc, test_report_refusals_and_usage_errors);
	tcase_add_test(tc, test_report_footer_names_ikid_and_the_seq);
	tcase_add_test(tc, test_report_shows_target_perubahan_set_in_ikid);
	tcase_add_test(tc, test_report_csv_parses_back_with_plain_numbers);
	tcase_add_test(tc, test_report_shows_the_figures_since_january);
	tcase_add_test(tc, test_report_html_is_one_printable_page);
	tcase_add_test(tc, test_values_breaking_a_rule_are_flagged_and_listed);
	tcase_add_test(tc, test_report_compares_with_the_year_before);
	tcase_add_test(tc, test_report_carries_the_notes_written_in_ikid);
	tcase_add_test(tc, test_report_output_file_takes_its_format_from_the_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("escape");
	tcase_add_checked_fixture(tc, start_escape, stop_ikid);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_report_html_escapes_catalog_markup);
	tcase_add_test(tc, test_report_csv_quotes_and_defuses_catalog_text);
	tcase_add_test(tc, test_report_has_the_letterhead_and_the_signature_block);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_test(tc, test_report_shows_a_revised_target_beside_the_first);
	tcase_add_test(tc, test_report_without_seq_says_only_the_source);
	tcase_add_test(tc, test_words_break_only_between_syllables);
	tcase_add_test(tc, test_text_cut_and_width_count_characters_not_bytes);
	tcase_add_test(tc, test_text_wrap_breaks_at_spaces_and_inside_long_words);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(report_suite)
