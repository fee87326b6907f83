/* check_dhis2.c: DHIS2 dataValueSets through the real ikid and iki: import, correct, export. */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhis2.h"
#include "harness.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"
#define MAP "tests/exchange/dhis2-map.txt"
#define MARCH "tests/exchange/dhis2-202203.json"
#define MARCH_CHANGED "tests/exchange/dhis2-202203-changed.json"
#define PERIODS "tests/exchange/dhis2-periods.csv"

static struct ikid d;
static char scratch[64];

static void start(void)
{
	memset(&d, 0, sizeof(d));
	snprintf(scratch, sizeof(scratch), "/tmp/iki-dhis2-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	unsetenv("LANG"); /* iki speaks Indonesian */
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANGUAGE");
}

static void stop(void)
{
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	harness_rmtree(scratch);
}

/* `iki <args> 2>&1`, asserting its exit status; the output (free it). */
static char *run(int want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *run(int want, const char *fmt, ...)
{
	char args[1024], *out = NULL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	strncat(args, " 2>&1", sizeof(args) - strlen(args) - 1);
	int rc = harness_iki(&d, args, &out);
	ck_assert_msg(rc == want, "iki %s: exit %d, want %d:\n%s", args, rc, want, out ? out : "");
	ck_assert_ptr_nonnull(out);
	return out;
}

static void assert_has(char *out, const char *want)
{
	ck_assert_msg(strstr(out, want), "want '%s' in:\n%s", want, out);
	free(out);
}

/* The JSON value of iki query: num and den of one indicator at one org unit. */
static void assert_value(const char *ind, const char *ou, const char *pe, int num, int den)
{
	char want[64];
	char *out = run(0, "query --indicator %s --orgunit %s --period %s --json", ind, ou, pe);
	snprintf(want, sizeof(want), "\"num\":%d,", num);
	ck_assert_msg(strstr(out, want), "%s %s %s: want %s in %s", ind, ou, pe, want, out);
	snprintf(want, sizeof(want), "\"den\":%d,", den);
	ck_assert_msg(strstr(out, want), "%s %s %s: want %s in %s", ind, ou, pe, want, out);
	free(out);
}

START_TEST(test_periods_map_to_days_both_ways)
{
	char date[11];
	static const char *const ok[][2] = {{"202203", "2022-03-31"}, {"2022Q1", "2022-03-31"},
					    {"2022", "2022-12-31"},   {"202202", "2022-02-28"},
					    {"2024Q4", "2024-12-31"}, {"20220314", "2022-03-14"}};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		ck_assert_int_eq(dhis2_period_date(ok[i][0], date), 0);
		ck_assert_str_eq(date, ok[i][1]);
	}
	static const char *const bad[] = {"2022W10", "2022S1", "2022AprilS1", "20220230", "1999",
					  "2022Q5", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(dhis2_period_date(bad[i], date) == -1, "%s taken", bad[i]);
}
END_TEST

START_TEST(test_ids_come_from_the_four_fields)
{
	char a[PROTO_ID_MAX + 1], b[PROTO_ID_MAX + 1], r[PROTO_ID_MAX + 1];
	dhis2_event_id("fbfJHSPpUQD", "202203", "DiszpKrYNg8", "HllvX50cXC0", a);
	dhis2_event_id("fbfJHSPpUQD", "202203", "DiszpKrYNg8", "HllvX50cXC0", b);
	ck_assert_str_eq(a, b);
	ck_assert_uint_eq(strlen(a), 35);
	ck_assert_int_eq(strncmp(a, "d2-", 3), 0);
	const char *other[][4] = {{"fbfJHSPpUQE", "202203", "DiszpKrYNg8", "HllvX50cXC0"},
				  {"fbfJHSPpUQD", "202204", "DiszpKrYNg8", "HllvX50cXC0"},
				  {"fbfJHSPpUQD", "202203", "jUb8gELQApl", "HllvX50cXC0"},
				  {"fbfJHSPpUQD", "202203", "DiszpKrYNg8", ""},
				  {"fbfJHSPpUQD2", "02203", "DiszpKrYNg8", "HllvX50cXC0"}};
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		dhis2_event_id(other[i][0], other[i][1], other[i][2], other[i][3], b);
		ck_assert_str_ne(a, b);
	}
	dhis2_revision_id(a, 3, r);
	ck_assert_int_eq(dhis2_revision(a, a), 1);
	ck_assert_int_eq(dhis2_revision(a, r), 3);
	ck_assert_int_eq(dhis2_revision(a, b), 0);
	ck_assert_int_eq(dhis2_revision(a, "d2-x~3"), 0);
}
END_TEST

START_TEST(test_map_file_errors_name_their_line)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"element surat_masuk fbfJHSPpUQD\nelemen surat_masuk xxxxxxxxxxx\n",
		 ":2: kode iki ini sudah dipetakan"},
		{"element a U1 C\nelement b U1 C\n", ":2: elemen data DHIS2"},
		{"# comment\nunit 35.27.03 X\n", ":2: kata pertama"},
		{"orgunit 35.27.03 X Y\n", ":1: tulis JENIS"},
	};
	char path[128];
	start();
	snprintf(path, sizeof(path), "%s/peta.txt", scratch);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		FILE *f = fopen(path, "w");
		fputs(bad[i].text, f);
		fclose(f);
		assert_has(run(2, "import --dhis2 " MARCH " --map %s", path), bad[i].want);
	}
	FILE *f = fopen(path, "w");
	fputs("element akta U1\n", f); /* a case type */
	fclose(f);
	assert_has(run(2, "import --dhis2 " MARCH " --map %s", path), "peta.txt:1: 'akta' adalah");
	stop();
}
END_TEST

/* A dataValueSet written from DHIS2's documentation, imported, imported again, changed. */
START_TEST(test_changed_value_is_a_correction_not_a_second_count)
{
	start();
	/* 7 values of 9: one is an indicator's (ikid computes it), one not in the map */
	char *out = run(0, "import --dhis2 " MARCH " --map " MAP);
	ck_assert_msg(strstr(out, "baru 7, dikoreksi 0, sudah tercatat 0"), "%s", out);
	ck_assert_msg(strstr(out, "1 nilai indikator, 1 tidak ada di peta"), "%s", out);
	assert_has(out, "elemen data s46m5MS0hxu");
	assert_value("surat", "35.27.03", "202203", 13, 15);
	assert_value("surat", "35.27.03", "2022Q1", 13, 15); /* dated 2022-03-31 */
	assert_value("tertib", "35.27.03.2002", "202203", 1, 1);
	/* the same file again adds nothing */
	assert_has(run(0, "import --dhis2 " MARCH " --map " MAP), "baru 0, dikoreksi 0, sudah tercatat 7");
	assert_value("surat", "35.27.03", "202203", 13, 15);
	/* a later export: P. Mandangin's letters in 10 -> 12, Aengsareh's tertib deleted */
	assert_has(run(0, "import --dhis2 " MARCH_CHANGED " --map " MAP),
		   "baru 0, dikoreksi 1, sudah tercatat 5, dibatalkan 1");
	assert_value("surat", "35.27.03", "202203", 13, 17); /* 12 + 5, not 10 + 12 + 5 */
	assert_value("surat", "35.27.03.2001", "202203", 8, 12);
	assert_value("tertib", "35.27.03.2002", "202203", 0, 1);
	/* the chain: the first event, replaced by its correction */
	char id[PROTO_ID_MAX + 1];
	dhis2_event_id("fbfJHSPpUQD", "202203", "DiszpKrYNg8", "HllvX50cXC0", id);
	out = run(0, "history %s --json", id);
	ck_assert_msg(strstr(out, "\"value\":10") && strstr(out, "\"value\":12"), "%s", out);
	ck_assert_msg(strstr(out, "\"voided_by\":\"d2-"), "%s", out);
	free(out);
	/* the changed file again: nothing; the first one again: back to 10, and tertib again */
	assert_has(run(0, "import --dhis2 " MARCH_CHANGED " --map " MAP),
		   "baru 0, dikoreksi 0, sudah tercatat 7, dibatalkan 0");
	assert_has(run(0, "import --dhis2 " MARCH " --map " MAP), "baru 1, dikoreksi 1, sudah tercatat 5");
	assert_value("surat", "35.27.03", "202203", 13, 15);
	assert_value("tertib", "35.27.03.2002", "202203", 1, 1);
	assert_has(run(0, "import --dhis2 " MARCH " --map " MAP), "baru 0, dikoreksi 0, sudah tercatat 7");
	stop();
}
END_TEST

/* The element values of a set as "de pe ou coc value" lines, sorted, into buf. */
static void element_lines(const struct dhis2_set *s, char *buf, size_t n)
{
	char lines[64][320];
	size_t k = 0;
	for (size_t i = 0; i < s->n && k < 64; i++)
		if (strcmp(s->v[i].de, "Uvn6LCg7dVU") && strcmp(s->v[i].de, "ReUHfIn0pTQ") &&
		    strcmp(s->v[i].de, "s46m5MS0hxu"))
			snprintf(lines[k++], sizeof(lines[0]), "%s %s %s %s %s", s->v[i].de,
				 s->v[i].pe, s->v[i].ou, s->v[i].coc, s->v[i].value);
	qsort(lines, k, sizeof(lines[0]), (int (*)(const void *, const void *))strcmp);
	buf[0] = '\0';
	for (size_t i = 0; i < k; i++)
		snprintf(buf + strlen(buf), n - strlen(buf), "%s\n", lines[i]);
}

static void read_set(const char *path, struct dhis2_set *s)
{
	char err[400];
	ck_assert_msg(dhis2_read(path, s, err, sizeof(err)) == 0, "%s", err);
}

START_TEST(test_export_round_trips)
{
	struct dhis2_set in, out;
	char a[8192], b[8192], path[128];
	start();
	free(run(0, "import --dhis2 " MARCH " --map " MAP));
	snprintf(path, sizeof(path), "%s/ekspor.json", scratch);
	free(run(0, "export --dhis2 --map " MAP " --period 202203 -o %s", path));
	read_set(MARCH, &in);
	read_set(path, &out);
	element_lines(&in, a, sizeof(a));
	element_lines(&out, b, sizeof(b));
	ck_assert_str_eq(b, a); /* every element value back, with its ids and its period */
	ck_assert_str_eq(out.dataset, "pBOMPrpg1QX");
	/* indicators at each mapped org unit: 13/15, 8/10, 5/5 */
	char *text = run(0, "export --dhis2 --map " MAP " --period 202203 --format json");
	ck_assert_msg(strstr(text, "\"value\":\"86.67\"") && strstr(text, "\"value\":\"80.00\"") &&
		      strstr(text, "\"value\":\"100.00\""), "%s", text);
	free(text);
	dhis2_set_free(&in);
	dhis2_set_free(&out);
	/* the CSV export, read back by the importer: nothing new */
	snprintf(path, sizeof(path), "%s/ekspor.csv", scratch);
	free(run(0, "export --dhis2 --map " MAP " --period 202203 -o %s", path));
	FILE *f = fopen(path, "r");
	char head[200] = "";
	ck_assert_ptr_nonnull(fgets(head, sizeof(head), f));
	fclose(f);
	ck_assert_str_eq(head, "dataelement,period,orgunit,catoptcombo,attroptcombo,value,storedby,"
			       "lastupdated,comment,followup,deleted\r\n");
	assert_has(run(0, "import --dhis2 %s --map " MAP, path),
		   "baru 0, dikoreksi 0, sudah tercatat 7, dibatalkan 0, ditolak 0; dilewati: 6 "
		   "nilai indikator");
	stop();
}
END_TEST

/* 2022Q1 and 2022 land on their period's last day, 20220314 on its day; weeks are refused. */
START_TEST(test_quarter_year_and_day_periods)
{
	start();
	char *out = run(1, "import --dhis2 " PERIODS " --map " MAP);
	ck_assert_msg(strstr(out, "baru 3,"), "%s", out);
	assert_has(out, "dhis2-periods.csv:4: periode '2022W10' bukan bulan");
	struct {
		const char *pe, *want;
	} cases[] = {{"2022Q1", "\"period\":\"2022Q1\",\n      \"orgUnit\":\"ImspTQPwCqd\",\n"
				"      \"categoryOptionCombo\":\"HllvX50cXC0\",\n      \"value\":\"7\""},
		     {"2022", "\"value\":\"10\""},
		     {"202212", "\"value\":\"3\""},
		     {"202203", "\"dataElement\":\"fbfJHSPpUQD\",\n      \"period\":\"202203\",\n"
				"      \"orgUnit\":\"ImspTQPwCqd\",\n      \"categoryOptionCombo\":"
				"\"HllvX50cXC0\",\n      \"value\":\"7\""}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_has(run(0, "export --dhis2 --map " MAP " --period %s", cases[i].pe),
			   cases[i].want);
	out = run(0, "export --dhis2 --map " MAP " --period 202203 --format csv");
	assert_has(out, "cYeuwXTCPkU,202203,ImspTQPwCqd,HllvX50cXC0,,2,");
	stop();
}
END_TEST

/* README's "Exchanging data" commands, as written, against the shipped Sampang catalog. */
START_TEST(test_readme_commands_run_as_written)
{
	memset(&d, 0, sizeof(d));
	snprintf(scratch, sizeof(scratch), "/tmp/iki-dhis2-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
	ck_assert_int_eq(harness_start(&d, "catalog/sampang-2022.conf"), 0);
	unsetenv("LANG");
	unsetenv("LC_ALL");
	assert_has(run(0, "--outbox %s/outbox submit -f tests/exchange/sampang-excel-id.csv", scratch),
		   "diterima 3");
	free(run(0, "report --year 2022 -o %s/lakip-2022.xlsx", scratch));
	free(run(0, "report --year 2022 -o %s/lakip-2022.csv", scratch));
	assert_has(run(0, "import --dhis2 tests/exchange/sampang-202203.json --map "
			  "tests/exchange/sampang-dhis2-map.txt"),
		   "baru 5, dikoreksi 0, sudah tercatat 0, dibatalkan 0, ditolak 0");
	/* Aengsareh: 1.204 + 12 letters in, 36 + 4 out, 1.198 + 15 right: the sheet's and DHIS2's */
	assert_value("iki06", "35.27.03.2002", "202203", 1213, 1256);
	char *out = run(0, "export --dhis2 --map tests/exchange/sampang-dhis2-map.txt --period 202203");
	ck_assert_msg(strstr(out, "\"value\":\"1216\""), "%s", out); /* surat_masuk, Aengsareh */
	assert_has(out, "\"value\":\"96.58\"");			     /* iki06, 1213 / 1256 */
	stop();
}
END_TEST

static Suite *dhis2_suite(void)
{
	Suite *s = suite_create("dhis2");
	TCase *tc = tcase_create("units");
	tcase_add_test(tc, test_periods_map_to_days_both_ways);
	tcase_add_test(tc, test_ids_come_from_the_four_fields);
	suite_add_tcase(s, tc);
	tc = tcase_create("ikid");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_map_file_errors_name_their_line);
	tcase_add_test(tc, test_changed_value_is_a_correction_not_a_second_count);
	tcase_add_test(tc, test_export_round_trips);
	tcase_add_test(tc, test_quarter_year_and_day_periods);
	tcase_add_test(tc, test_readme_commands_run_as_written);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(dhis2_suite)
