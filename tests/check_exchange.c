/* check_exchange.c: spreadsheets both ways (CSV as Excel writes it in Indonesia, XLSX). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csvlocale.h"
#include "harness.h"
#include "input.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"

/* Parse CSV text; returns the parser's result, with err filled. */
static int csv(const char *text, struct input *in, char *err, size_t n)
{
	return input_parse_csv("t.csv", text, strlen(text), in, err, n);
}

START_TEST(test_separator_is_guessed_from_the_header)
{
	ck_assert_int_eq(csvlocale_sep("a;b;c\n1,5;2;3\n", 14), ';');
	ck_assert_int_eq(csvlocale_sep("a,b,c\n", 6), ',');
	ck_assert_int_eq(csvlocale_sep("a\tb\n", 4), '\t');
	ck_assert_int_eq(csvlocale_sep("\"a;b;c\",d\n", 10), ','); /* quoted ones do not count */
	ck_assert_int_eq(csvlocale_sep("a\n", 2), ',');
}
END_TEST

START_TEST(test_numbers_as_indonesian_settings_write_them)
{
	static const struct {
		const char *s;
		long long v;
	} good[] = {{"12", 12},		{"1.234", 1234},      {"1.234.567", 1234567},
		    {"12,00", 12},	{" 7 ", 7},	      {"1.000,0", 1000},
		    {"1\xc2\xa0" "234", 1234}, {"0", 0}};
	static const char *const bad[] = {"12,5", "1.23", "1.2345", ".123", "abc", "-3", "",
					  "1,", "12,0,0", "1000000000000001", "1..234"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		long long v = -1;
		ck_assert_msg(csvlocale_integer(good[i].s, &v) == 0, "'%s'", good[i].s);
		ck_assert_int_eq(v, good[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		long long v;
		ck_assert_msg(csvlocale_integer(bad[i], &v) == -1, "'%s' taken", bad[i]);
	}
}
END_TEST

START_TEST(test_dates_day_first_or_iso)
{
	char out[11];
	static const char *const good[][2] = {{"14/03/2022", "2022-03-14"},
					      {"1/3/2022", "2022-03-01"},
					      {"14-03-2022", "2022-03-14"},
					      {"14.03.2022", "2022-03-14"},
					      {"29/02/2024", "2024-02-29"},
					      {" 2022-03-14 ", "2022-03-14"}};
	static const char *const bad[] = {"29/02/2022", "31/04/2022", "03/14/2022", "14/03/22",
					  "2022/03/14", "14/03-2022", "hari ini", "14/03/1999",
					  "140/3/2022", ""};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(csvlocale_date(good[i][0], out) == 0, "'%s'", good[i][0]);
		ck_assert_str_eq(out, good[i][1]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(csvlocale_date(bad[i], out) == -1, "'%s' taken", bad[i]);
}
END_TEST

START_TEST(test_windows_1252_becomes_utf8)
{
	size_t len = 0;
	ck_assert_ptr_null(csvlocale_utf8("caf\xc3\xa9", 5, &len)); /* UTF-8 already */
	char *s = csvlocale_utf8("Caf\xe9 \x96 x", 8, &len);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, "Caf\xc3\xa9 \xe2\x80\x93 x");
	ck_assert_uint_eq(len, strlen(s));
	free(s);
}
END_TEST

/* The sheet ikiweb's template makes, saved by Excel under Indonesian settings. */
START_TEST(test_excel_indonesian_sheet_is_read)
{
	struct input in;
	char err[300] = "";
	ck_assert_msg(input_read("tests/exchange/excel-id.csv", INPUT_AUTO, &in, err,
				 sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(in.n, 5);
	ck_assert(in.numbered);
	ck_assert_str_eq(in.rows[0], "1");
	ck_assert_str_eq(in.events[0].element, "surat_masuk");
	ck_assert_str_eq(in.events[0].orgunit, "35.27.03.2001");
	ck_assert_str_eq(in.events[0].date, "2022-03-01");
	ck_assert_int_eq(in.events[0].op, PROTO_OP_ADD);
	ck_assert_int_eq(in.events[0].value, 1234);
	ck_assert_str_eq(in.events[0].comment, "agenda; hal 3");
	ck_assert_str_eq(in.events[1].date, "2022-03-02");
	ck_assert_int_eq(in.events[1].value, 1000);
	ck_assert_int_eq(in.events[2].value, 12); /* "12,00" */
	ck_assert_str_eq(in.events[2].date, "2022-03-14");
	ck_assert_int_eq(in.lines[2], 5); /* the row of empty cells is skipped, its line counted */
	ck_assert_int_eq(in.events[3].op, PROTO_OP_OPEN);
	ck_assert_str_eq(in.events[3].case_id, "AT-7");
	ck_assert_int_eq(in.events[3].value, 1);
	ck_assert_int_eq(in.events[4].op, PROTO_OP_CLOSE);
	input_free(&in);

	ck_assert_msg(input_read("tests/exchange/excel-id-cp1252.csv", INPUT_AUTO, &in, err,
				 sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(in.n, 1);
	ck_assert_str_eq(in.events[0].comment, "Caf\xc3\xa9 \xe2\x80\x93 agenda");
	input_free(&in);
}
END_TEST

/* The comma dialect with English names stays as strict as before: no guessing. */
START_TEST(test_english_csv_is_not_reinterpreted)
{
	struct input in;
	char err[300] = "";
	ck_assert_int_eq(csv("element,orgunit,date,value\ns,35.27.03,14/03/2022,5\n", &in, err,
			     sizeof(err)), 0);
	ck_assert_str_eq(in.events[0].date, "14/03/2022"); /* ikid answers bad_date */
	input_free(&in);
	ck_assert_int_eq(csv("element,orgunit,date,value\ns,35.27.03,2022-03-14,1.234\n", &in,
			     err, sizeof(err)), -1);
}
END_TEST

/* A bad cell of an Indonesian sheet, and what the message must hold. */
static const struct {
	const char *text, *want[3], *english;
} bad_cells[] = {
	{"Kode Elemen;Tanggal;Jumlah\nsurat;01/03/2022;12\nsurat;02/03/2022;12,5\n",
	 {"t.csv:3: '12,5' bukan bilangan bulat", "baris 3", "kolom C 'Jumlah'"},
	 "t.csv:3: '12,5' is not a whole number"},
	{"Kode Elemen;Tanggal;Jumlah\nsurat;31/02/2022;1\n",
	 {"t.csv:2: '31/02/2022' bukan tanggal", "dd/mm/yyyy", "kolom B 'Tanggal'"},
	 "column B 'Tanggal'"},
	{"No;Kode Elemen;Operasi\n1;akta;mulai\n",
	 {"t.csv:2: 'mulai' bukan operasi", "tambah, tetapkan, buka, tutup", "kolom C 'Operasi'"},
	 "(row 2, column C 'Operasi')"},
	{"Kode Elemen;Wilayah;Jumlah\nsurat;35.27.03;1;2\n",
	 {"t.csv:2: jumlah isian baris ini berbeda", "", ""},
	 "t.csv:2: jumlah isian baris ini berbeda"},
};

START_TEST(test_bad_cell_is_named_by_row_and_column_in_indonesian)
{
	struct input in;
	char err[300] = "";
	/* without i18n_init the library speaks English (the msgids); iki itself Indonesian */
	ck_assert_int_eq(csv(bad_cells[_i].text, &in, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, bad_cells[_i].english), "got: %s", err);
	ck_assert_ptr_null(in.events);
}
END_TEST

/* The same through iki submit, which speaks Indonesian (LANG unset) before reaching ikid. */
START_TEST(test_iki_submit_names_the_bad_cell)
{
	char dir[] = "/tmp/iki-exchange-XXXXXX", path[64], cmd[512];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/lembar.csv", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(bad_cells[_i].text, f);
	fclose(f);
	struct ikid d = {0};
	snprintf(d.request, sizeof(d.request), "tcp://127.0.0.1:9");
	snprintf(d.update, sizeof(d.update), "tcp://127.0.0.1:9");
	snprintf(cmd, sizeof(cmd), "--outbox %s/outbox submit -f %s 2>&1", dir, path);
	unsetenv("LANG");
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANGUAGE");
	char *out = NULL;
	int rc = harness_iki(&d, cmd, &out);
	harness_rmtree(dir);
	ck_assert_msg(rc == 2, "exit %d: %s", rc, out ? out : "");
	const char *base = strrchr(path, '/') + 1;
	for (int k = 0; k < 3; k++) {
		char want[200];
		const char *w = bad_cells[_i].want[k];
		if (!strncmp(w, "t.csv", 5))
			snprintf(want, sizeof(want), "%s%s", base, w + 5);
		else
			snprintf(want, sizeof(want), "%s", w);
		ck_assert_msg(strstr(out, want), "want '%s' in: %s", want, out);
	}
	free(out);
}
END_TEST

/* Excel's sheet sent to the real ikid: the values land as the sheet meant them. */
START_TEST(test_excel_sheet_through_ikid)
{
	struct ikid d = {0};
	char *out = NULL;
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	int rc = harness_iki(&d, "--outbox \"$(mktemp -d)\" submit -f tests/exchange/excel-id.csv",
			     &out);
	ck_assert_msg(rc == 0, "exit %d: %s", rc, out ? out : "");
	free(out);
	rc = harness_iki(&d, "query --indicator surat --period 202203 --json", &out);
	ck_assert_int_eq(rc, 0);
	ck_assert_msg(strstr(out, "\"num\":1000") || strstr(out, "\"num\": 1000"), "%s", out);
	ck_assert_msg(strstr(out, "\"den\":1246") || strstr(out, "\"den\": 1246"), "%s", out);
	free(out);
	rc = harness_iki(&d, "query --indicator akta --period 202203 --json", &out);
	ck_assert_msg(strstr(out, "\"den\":1,") && strstr(out, "\"num\":1,"), "%s", out);
	free(out);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}
END_TEST

/* ---- iki report --format xlsx, read back by openpyxl (not libxlsxwriter) ---- */

/* The facts xlsx_cells.py prints about a workbook (malloc'd). */
static char *xlsx_facts(const char *path)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 tests/exchange/xlsx_cells.py '%s'", path);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	size_t cap = 1 << 16, n = 0, r;
	char *buf = malloc(cap);
	while (buf && (r = fread(buf + n, 1, cap - n - 1, p)) > 0)
		if ((n += r) + 1 >= cap)
			buf = realloc(buf, cap *= 2);
	ck_assert_int_eq(pclose(p), 0);
	buf[n] = '\0';
	return buf;
}

/* The rest of the line that starts with key (a fact's name and its first fields), or NULL. */
static const char *fact(const char *facts, const char *key, char *buf, size_t n)
{
	size_t k = strlen(key);
	for (const char *p = facts; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, key, k)) {
			const char *end = strchr(p + k, '\n');
			size_t len = end ? (size_t)(end - p) - k : strlen(p + k);
			snprintf(buf, n, "%.*s", (int)len, p + k);
			return buf;
		}
	return NULL;
}

/* The row number of the cell in column col whose text is text. */
static int row_of(const char *facts, char col, const char *text)
{
	char key[64], want[200];
	snprintf(want, sizeof(want), "\ts\t%s\t", text);
	for (int r = 1; r < 200; r++) {
		char buf[256];
		snprintf(key, sizeof(key), "cell\t%c%d", col, r);
		if (fact(facts, key, buf, sizeof(buf)) && !strncmp(buf, want, strlen(want)))
			return r;
	}
	ck_abort_msg("no cell %c '%s'", col, text);
	return 0;
}

/* Assert cell ref holds the number want (within 1e-9) with the number format fmt. */
static void assert_number(const char *facts, const char *ref, double want, const char *fmt)
{
	char key[32], buf[256], got_fmt[64] = "";
	double got = 0;
	snprintf(key, sizeof(key), "cell\t%s\t", ref);
	ck_assert_msg(fact(facts, key, buf, sizeof(buf)), "no cell %s", ref);
	ck_assert_msg(sscanf(buf, "n\t%lf\t%63[^\n]", &got, got_fmt) == 2, "%s: %s", ref, buf);
	ck_assert_msg(got > want - 1e-9 && got < want + 1e-9, "%s: %.12g, want %.12g", ref, got,
		      want);
	ck_assert_str_eq(got_fmt, fmt);
}

static void assert_fact(const char *facts, const char *key, const char *want)
{
	char buf[256];
	ck_assert_msg(fact(facts, key, buf, sizeof(buf)), "no '%s'", key);
	ck_assert_str_eq(buf, want);
}

START_TEST(test_report_xlsx_read_by_openpyxl)
{
	struct ikid d = {0};
	char dir[] = "/tmp/iki-xlsx-XXXXXX", cmd[256], path[64], ref[48];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	snprintf(cmd, sizeof(cmd), "--outbox %s/outbox submit -f tests/data/mini-month.csv", dir);
	ck_assert_int_eq(harness_iki(&d, cmd, NULL), 0);
	snprintf(path, sizeof(path), "%s/lakip.xlsx", dir);
	snprintf(cmd, sizeof(cmd), "report --year 2022 -o %s", path); /* the name says xlsx */
	ck_assert_int_eq(harness_iki(&d, cmd, NULL), 0);
	char *facts = xlsx_facts(path);
	assert_fact(facts, "sheet\t", "LAKIP 2022");
	/* the letterhead (mini's catalog has no kop: the office, the title, the catalog's title,
	 * the unit), a blank row, the two header rows 6 and 7, frozen and repeated on every page */
	assert_fact(facts, "cell\tA1\t", "s\tKANTOR KECAMATAN SAMPANG\tGeneral");
	assert_fact(facts, "cell\tA2\t", "s\tLAPORAN KINERJA (LAKIP) TAHUN 2022\tGeneral");
	assert_fact(facts, "cell\tA7\t", "s\tNo\tGeneral");
	assert_fact(facts, "freeze\t", "A8");
	assert_fact(facts, "paper\t", "9");
	assert_fact(facts, "orientation\t", "landscape");
	assert_fact(facts, "fit\t", "1\t0\tTrue");
	assert_fact(facts, "repeat\t", "$6:$7");
	/* surat under its jabatan: 13/15 = 86.67 % against 90, capaian 96.30, Sangat Baik */
	int r = row_of(facts, 'B', "surat");
	snprintf(ref, sizeof(ref), "cell\tA%d\t", r - 1);
	char buf[256];
	ck_assert_str_eq(fact(facts, ref, buf, sizeof(buf)), "s\tJabatan: Kasubbag Umum\tGeneral");
	snprintf(ref, sizeof(ref), "merged\tA%d:AG%d", r - 1, r - 1); /* 13 + 6 x 3 + 2 columns */
	ck_assert_ptr_nonnull(fact(facts, ref, buf, sizeof(buf)));
	snprintf(ref, sizeof(ref), "outline\t%d\t", r);
	assert_fact(facts, ref, "1");
#define CELL(col) (snprintf(ref, sizeof(ref), "%s%d", col, r), ref)
	assert_number(facts, CELL("A"), 1, "General");
	assert_number(facts, CELL("F"), 0.9, "0.00%");
	assert_number(facts, CELL("H"), 13.0 / 15, "0.00%");
	assert_number(facts, CELL("I"), 13.0 / 15 / 0.9, "0.00%");
	snprintf(ref, sizeof(ref), "cell\tJ%d\t", r);
	ck_assert_str_eq(fact(facts, ref, buf, sizeof(buf)), "s\tSangat Baik\tGeneral");
	assert_number(facts, CELL("L"), 13, "#,##0");
	assert_number(facts, CELL("M"), 15, "#,##0");
	assert_number(facts, CELL("O"), 13.0 / 15, "0.00%"); /* triwulan I */
	snprintf(ref, sizeof(ref), "cell\tR%d\t", r);       /* triwulan II: no data, no text */
	ck_assert_ptr_null(fact(facts, ref, buf, sizeof(buf)));
	assert_number(facts, CELL("U"), 13.0 / 15, "0.00%"); /* s.d. triwulan II: March's */
	snprintf(ref, sizeof(ref), "cell\tG%d\t", r); /* no revised target */
	ck_assert_ptr_null(fact(facts, ref, buf, sizeof(buf)));
	/* akta: 1 of 2 on time against 80: capaian 62.50, Kurang; kriminal under both jabatan */
	r = row_of(facts, 'B', "akta");
	assert_number(facts, CELL("H"), 0.5, "0.00%");
	assert_number(facts, CELL("I"), 0.625, "0.00%");
	row_of(facts, 'A', "Jabatan: Kasi Trantib");
	row_of(facts, 'A', "Jabatan: Staf Trantib");
	ck_assert_ptr_null(strstr(facts, "tidak ada data"));
#undef CELL
	free(facts);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	harness_rmtree(dir);
}
END_TEST

/* A value that breaks its indicator's rule (mini's surat: numerator <= denominator) is flagged in
 * the last column, Perlu Diperiksa, with the periods and the rule: 20 letters distributed in May,
 * none received. */
START_TEST(test_report_xlsx_flags_a_value_that_breaks_its_rule)
{
	struct ikid d = {0};
	char dir[] = "/tmp/iki-xlsx-XXXXXX", cmd[256], path[64], ref[48], buf[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	snprintf(cmd, sizeof(cmd), "--outbox %s/outbox submit --element surat_tepat --orgunit "
		 "35.27.03.2001 --date 2022-05-10 --value 20", dir);
	ck_assert_int_eq(harness_iki(&d, cmd, NULL), 0);
	snprintf(path, sizeof(path), "%s/lakip.xlsx", dir);
	snprintf(cmd, sizeof(cmd), "report --year 2022 -o %s", path);
	ck_assert_int_eq(harness_iki(&d, cmd, NULL), 0);
	char *facts = xlsx_facts(path);
	assert_fact(facts, "cell\tAF6\t", "s\tPerlu Diperiksa\tGeneral");
	int r = row_of(facts, 'B', "surat");
	snprintf(ref, sizeof(ref), "cell\tAF%d\t", r);
	ck_assert_ptr_nonnull(fact(facts, ref, buf, sizeof(buf)));
	ck_assert_str_eq(buf, "s\tperlu diperiksa: Tahun, Triwulan II, s.d. TW II, s.d. TW III "
			      "(aturan: pembilang <= penyebut)\tGeneral");
	r = row_of(facts, 'B', "akta"); /* no data, nothing broken */
	snprintf(ref, sizeof(ref), "cell\tAF%d\t", r);
	ck_assert_ptr_null(fact(facts, ref, buf, sizeof(buf)));
	free(facts);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	harness_rmtree(dir);
}
END_TEST

/* The number of the row of the first cell in column col whose text starts with text, or 0. */
static int row_starting(const char *facts, const char *col, const char *text)
{
	char key[64], buf[512];
	for (int r = 1; r < 400; r++) {
		snprintf(key, sizeof(key), "cell\t%s%d\t", col, r);
		if (fact(facts, key, buf, sizeof(buf)) && !strncmp(buf, "s\t", 2) &&
		    !strncmp(buf + 2, text, strlen(text)))
			return r;
	}
	return 0;
}

/*
 * Issue 12.11: the workbook of Sampang's LAKIP carries the letterhead above the tables and the
 * signature block below them, as the printed page: the catalog's kop and the office in capitals,
 * centred over the table's width; the place and the day (WIB), the Camat, three rows to sign in,
 * the name, the rank and the NIP, under the last columns; then the footer.
 */
START_TEST(test_report_xlsx_has_the_kop_and_the_signature_block)
{
	struct ikid d = {0};
	char dir[] = "/tmp/iki-xlsx-XXXXXX", cmd[256], path[64], ref[64], buf[512], day[64];
	static const char *const bulan[12] = {"Januari", "Februari", "Maret", "April", "Mei",
					      "Juni", "Juli", "Agustus", "September", "Oktober",
					      "November", "Desember"};
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(harness_start(&d, "catalog/sampang-2022.conf"), 0);
	snprintf(cmd, sizeof(cmd), "--outbox %s/outbox submit -f tests/data/sampang-2022-03.csv", dir);
	ck_assert_int_eq(harness_iki(&d, cmd, NULL), 0);
	snprintf(path, sizeof(path), "%s/lakip.xlsx", dir);
	snprintf(cmd, sizeof(cmd), "report --year 2022 -o %s", path);
	time_t now = time(NULL) + 7 * 3600; /* WIB, as the report dates it */
	ck_assert_int_eq(harness_iki(&d, cmd, NULL), 0);
	struct tm tm;
	gmtime_r(&now, &tm);
	snprintf(day, sizeof(day), "Sampang, %d %s %d", tm.tm_mday, bulan[tm.tm_mon], tm.tm_year + 1900);
	char *facts = xlsx_facts(path);
	static const char *const kop[] = {"PEMERINTAH KABUPATEN SAMPANG", "KANTOR KECAMATAN SAMPANG",
					  "LAPORAN KINERJA (LAKIP) TAHUN 2022",
					  "Indikator Kinerja Individu (IKI) Kantor Kecamatan Sampang "
					  "Tahun 2022",
					  "Unit: Kecamatan Sampang (35.27.03)"};
	for (int i = 0; i < 5; i++) {
		snprintf(ref, sizeof(ref), "cell\tA%d\t", i + 1);
		snprintf(buf, sizeof(buf), "s\t%s\tGeneral", kop[i]);
		assert_fact(facts, ref, buf);
		snprintf(ref, sizeof(ref), "merged\tA%d:AG%d", i + 1, i + 1); /* the table's width */
		ck_assert_msg(strstr(facts, ref), "no %s", ref);
	}
	assert_fact(facts, "cell\tA7\t", "s\tTahun 2022\tGeneral"); /* the header rows under it */
	assert_fact(facts, "repeat\t", "$7:$8");
	int legend = row_starting(facts, "A", "Keterangan: s.d. = sampai dengan");
	int last = row_starting(facts, "A", "Jabatan: Staf Seksi PMD");
	int sign = row_starting(facts, "AF", "Sampang, ");
	ck_assert_msg(last && legend > last && sign > legend, "rows %d %d %d", last, legend, sign);
	static const struct {
		int row;
		const char *text;
	} lines[] = {{0, NULL}, {1, "CAMAT SAMPANG"}, {5, "YUDHI ADIDARTA KARMA, S.STP, M.Si"},
		     {6, "Pembina TK. I"}, {7, "NIP. 19780720 199804 1 001"}};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(ref, sizeof(ref), "cell\tAF%d\t", sign + lines[i].row);
		snprintf(buf, sizeof(buf), "s\t%s\tGeneral", lines[i].text ? lines[i].text : day);
		assert_fact(facts, ref, buf);
		snprintf(ref, sizeof(ref), "merged\tAF%d:AG%d", sign + lines[i].row, sign + lines[i].row);
		ck_assert_msg(strstr(facts, ref), "no %s", ref);
	}
	for (int r = sign + 2; r < sign + 5; r++) { /* three empty rows to sign in */
		snprintf(ref, sizeof(ref), "cell\tAF%d\t", r);
		ck_assert_ptr_null(fact(facts, ref, buf, sizeof(buf)));
	}
	int footer = row_starting(facts, "A", "Dibuat ");
	ck_assert_msg(footer > sign + 7, "the footer (row %d) comes after the signature", footer);
	snprintf(ref, sizeof(ref), "cell\tA%d\t", footer);
	ck_assert_ptr_nonnull(fact(facts, ref, buf, sizeof(buf)));
	ck_assert_msg(strstr(buf, " WIB oleh iki report. Sumber: ikid, data per seq "), "%s", buf);
	free(facts);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	harness_rmtree(dir);
}
END_TEST

static Suite *exchange_suite(void)
{
	Suite *s = suite_create("exchange");
	TCase *tc = tcase_create("csv");
	tcase_add_test(tc, test_separator_is_guessed_from_the_header);
	tcase_add_test(tc, test_numbers_as_indonesian_settings_write_them);
	tcase_add_test(tc, test_dates_day_first_or_iso);
	tcase_add_test(tc, test_windows_1252_becomes_utf8);
	tcase_add_test(tc, test_excel_indonesian_sheet_is_read);
	tcase_add_test(tc, test_english_csv_is_not_reinterpreted);
	tcase_add_loop_test(tc, test_bad_cell_is_named_by_row_and_column_in_indonesian, 0,
			    sizeof(bad_cells) / sizeof(bad_cells[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("csv_iki");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_iki_submit_names_the_bad_cell, 0,
			    sizeof(bad_cells) / sizeof(bad_cells[0]));
	tcase_add_test(tc, test_excel_sheet_through_ikid);
	suite_add_tcase(s, tc);
	tc = tcase_create("xlsx");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_report_xlsx_read_by_openpyxl);
	tcase_add_test(tc, test_report_xlsx_flags_a_value_that_breaks_its_rule);
	tcase_add_test(tc, test_report_xlsx_has_the_kop_and_the_signature_block);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(exchange_suite)
