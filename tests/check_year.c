/* check_year.c: accountability over a full year of Kecamatan Sampang, through the real ikid and
 * iki.
 *
 * The scenario (tests/data/sampang-2022-year.expect says it at length):
 *   1. ikid starts on the Sampang catalog (plain text: every client is an admin) and opens the
 *      reports its schedules make due; iki submits tests/data/sampang-2022-year.csv;
 *   2. 2022Q1 is locked; five writes into it are refused with `locked` (a new event, a void, a
 *      replacement that would move a Q1 event out, a replacement that would move a Q2 event in, a
 *      state), each with exit status 1, and nothing changes: not a value, not a stored id;
 *   3. 2022Q1 is unlocked for the corrections, tests/data/sampang-2022-year-fix.csv goes in
 *      (replacements, voids, late data, and the event refused in 2 sent again), and 2022Q1 is
 *      locked again: reported, and a write into it is refused again;
 *   4. every line of the expect file (every indicator at the kecamatan and three villages, each
 *      triwulan and the year, and the cumulative "s.d." periods 2022Q1SD..2022Q4SD and
 *      202201SD..202212SD: flows summed since 1 January, stocks at the period's end) equals what
 *      `iki query --json` says: num and den exactly, capaian to 0.005, the predikat, the
 *      target, and no capaian (nor value) where den = 0;
 *   5. resending the year file changes nothing (every event a duplicate, also those of the
 *      locked 2022Q1); after kill -9 and a restart on the same state a sample of the lines
 *      holds, and after a restart with -r (every derived value rebuilt from the event log,
 *      corrections included) every line does; ikid -V finds the store consistent; the lock holds.
 * The expect file is written by tests/data/expect_year.py, an independent model of the counting
 * rules; the last test checks that the committed file is still what that model computes.
 */
#include <check.h>
#include <json-c/json.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"
#include "suite.h"

#define SAMPANG "catalog/sampang-2022.conf"
#define YEAR "tests/data/sampang-2022-year.csv"
#define FIX "tests/data/sampang-2022-year-fix.csv"
#define EXPECT "tests/data/sampang-2022-year.expect"
#define LINES_MAX 4096
#define N_INDICATORS 24
#define N_ORGUNITS 4 /* the kecamatan and three villages */
#define N_PERIODS 21 /* 2022Q1 ... 2022Q4, 2022, 2022Q1SD ... 2022Q4SD, 202201SD ... 202212SD */

struct line {
	int lineno;
	char ind[16], ou[24], period[12], predikat[32];
	long long num, den;
	bool has_value, has_capaian;
	double value, target, capaian;
};

static struct line want[LINES_MAX];
static int n_want;
static struct ikid d;

static bool dash_or_double(const char *s, double *x)
{
	if (!strcmp(s, "-"))
		return false;
	char *end;
	*x = strtod(s, &end);
	ck_assert_msg(*end == '\0', "%s: not a number: %s", EXPECT, s);
	return true;
}

/* The expect file: indicator orgunit period num den realisasi target capaian predikat. */
static void load_expect(void)
{
	FILE *f = fopen(EXPECT, "r");
	char buf[512], real[32], target[32], cap[32];
	int lineno = 0;
	ck_assert_msg(f != NULL, "cannot open %s", EXPECT);
	n_want = 0;
	while (fgets(buf, sizeof(buf), f)) {
		lineno++;
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		ck_assert_int_lt(n_want, LINES_MAX);
		struct line *l = &want[n_want++];
		l->lineno = lineno;
		ck_assert_msg(sscanf(buf, "%15s %23s %11s %lld %lld %31s %31s %31s %31s", l->ind,
				     l->ou, l->period, &l->num, &l->den, real, target, cap,
				     l->predikat) == 9,
			      "%s:%d: 9 fields expected", EXPECT, lineno);
		l->has_value = dash_or_double(real, &l->value);
		ck_assert_msg(dash_or_double(target, &l->target),
			      "%s:%d: every indicator has a target", EXPECT, lineno);
		l->has_capaian = dash_or_double(cap, &l->capaian);
		ck_assert_msg(l->has_value == (l->den != 0) && l->has_capaian == l->has_value &&
				  (strcmp(l->predikat, "-") != 0) == l->has_capaian,
			      "%s:%d: no data is den 0 and '-' for realisasi, capaian and predikat",
			      EXPECT, lineno);
		for (char *p = l->predikat; *p; p++)
			*p = *p == '_' ? ' ' : *p;
	}
	fclose(f);
	ck_assert_int_eq(n_want, N_INDICATORS * N_ORGUNITS * N_PERIODS);
}

/* Every value of an org unit and period, from one `iki query --json`. */
static json_object *query(const char *ou, const char *period)
{
	char args[128], *out = NULL;
	snprintf(args, sizeof(args), "query --json --orgunit %s --period %s", ou, period);
	int rc = harness_iki(&d, args, &out);
	ck_assert_msg(rc == 0, "iki %s: exit %d", args, rc);
	json_object *arr = json_tokener_parse(out);
	ck_assert_msg(arr && json_object_is_type(arr, json_type_array), "iki %s: %s", args, out);
	free(out);
	return arr;
}

/* What ikid said, as text, for comparing before and after. */
static char *query_text(const char *ou, const char *period)
{
	json_object *arr = query(ou, period);
	char *s = strdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	return s;
}

static json_object *find(json_object *arr, const char *ind)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i), *f;
		if (json_object_object_get_ex(v, "indicator", &f) &&
		    !strcmp(json_object_get_string(f), ind))
			return v;
	}
	ck_abort_msg("ikid did not answer %s", ind);
	return NULL;
}

static long long get_ll(json_object *v, const char *key)
{
	json_object *f;
	ck_assert_msg(json_object_object_get_ex(v, key, &f), "no %s in %s", key,
		      json_object_to_json_string(v));
	return json_object_get_int64(f);
}

/* One value against its expected line. */
static void assert_line(const char *when, const struct line *l, json_object *v)
{
	json_object *f;
	long long num = get_ll(v, "num"), den = get_ll(v, "den");
	ck_assert_msg(num == l->num && den == l->den,
		      "%s: %s:%d %s %s %s: ikid %lld/%lld, expected %lld/%lld", when, EXPECT,
		      l->lineno, l->ind, l->ou, l->period, num, den, l->num, l->den);
	bool has_value =
	    json_object_object_get_ex(v, "value", &f) && !json_object_is_type(f, json_type_null);
	ck_assert_msg(has_value == l->has_value, "%s: %s %s %s: value %s", when, l->ind, l->ou,
		      l->period, has_value ? "present" : "null");
	if (has_value)
		ck_assert_msg(fabs(json_object_get_double(f) - l->value) <= 0.005 + 1e-9,
			      "%s: %s %s %s: realisasi %.4f, expected %.2f", when, l->ind, l->ou,
			      l->period, json_object_get_double(f), l->value);
	ck_assert_msg(json_object_object_get_ex(v, "target", &f) &&
			  fabs(json_object_get_double(f) - l->target) <= 0.005 + 1e-9,
		      "%s: %s %s %s: target %s, expected %.2f", when, l->ind, l->ou, l->period,
		      json_object_to_json_string(v), l->target);
	bool has_capaian = json_object_object_get_ex(v, "capaian", &f);
	ck_assert_msg(has_capaian == l->has_capaian, "%s: %s %s %s (den %lld): capaian %s", when,
		      l->ind, l->ou, l->period, den, has_capaian ? "present" : "absent");
	if (has_capaian)
		ck_assert_msg(fabs(json_object_get_double(f) - l->capaian) <= 0.005 + 1e-9,
			      "%s: %s %s %s: capaian %.4f, expected %.2f", when, l->ind, l->ou,
			      l->period, json_object_get_double(f), l->capaian);
	bool has_predikat = json_object_object_get_ex(v, "predikat", &f);
	ck_assert_msg(has_predikat == l->has_capaian, "%s: %s %s %s: predikat %s", when, l->ind,
		      l->ou, l->period, has_predikat ? "present" : "absent");
	if (has_predikat)
		ck_assert_msg(!strcmp(json_object_get_string(f), l->predikat),
			      "%s: %s %s %s: predikat %s, expected %s", when, l->ind, l->ou,
			      l->period, json_object_get_string(f), l->predikat);
}

/* Every line (step 1) or every step-th line of the expect file against ikid. The file groups its
 * lines by org unit and period, so one query answers a group. Returns how many were compared. */
static int assert_expected(const char *when, int step)
{
	int compared = 0;
	for (int i = 0; i < n_want;) {
		json_object *arr = query(want[i].ou, want[i].period);
		int j = i;
		for (; j < n_want && !strcmp(want[j].ou, want[i].ou) &&
		       !strcmp(want[j].period, want[i].period);
		     j++)
			if (j % step == 0) {
				assert_line(when, &want[j], find(arr, want[j].ind));
				compared++;
			}
		ck_assert_int_eq(json_object_array_length(arr), N_INDICATORS);
		json_object_put(arr);
		i = j;
	}
	return compared;
}

/* A write into the locked 2022Q1: refused with `locked`, exit status 1. */
static void refused_locked(const char *args)
{
	char cmd[512], *out = NULL;
	snprintf(cmd, sizeof(cmd), "submit %s 2>&1", args);
	int rc = harness_iki(&d, cmd, &out);
	ck_assert_msg(rc == 1 && out && strstr(out, "locked") && strstr(out, "ditolak 1"),
		      "iki %s: exit %d, %s", cmd, rc, out ? out : "");
	free(out);
}

static void submit_file(const char *file, const char *accepted)
{
	char cmd[256], *out = NULL;
	snprintf(cmd, sizeof(cmd), "submit -f %s 2>&1", file);
	int rc = harness_iki(&d, cmd, &out);
	ck_assert_msg(rc == 0 && out && strstr(out, accepted), "iki %s: exit %d: %s", cmd, rc,
		      out ? out : "");
	free(out);
}

static const char *const ORGUNITS[N_ORGUNITS] = {"35.27.03", "35.27.03.1003", "35.27.03.2002",
						 "35.27.03.2001"};

START_TEST(test_a_year_of_sampang_gives_the_expected_lakip_figures)
{
	char *out = NULL, *before[N_ORGUNITS][3];
	/* and s.d. triwulan II, which a refused move of a May event into March would change */
	static const char *const locked_periods[3] = {"2022Q1", "2022", "2022Q2SD"};
	load_expect();
	ck_assert_int_eq(harness_start(&d, SAMPANG), 0);

	/* 1. the year */
	submit_file(YEAR, "diterima 917, duplikat 0, ditolak 0");

	/* 2. triwulan I is reported and locked: writes into it are refused, nothing changes */
	ck_assert_int_eq(harness_iki(&d, "lock 2022Q1", NULL), 0);
	for (int o = 0; o < N_ORGUNITS; o++)
		for (int p = 0; p < 3; p++)
			before[o][p] = query_text(ORGUNITS[o], locked_periods[p]);
	/* a new event dated in March */
	refused_locked(
	    "--id y22-terkunci-1 --element surat_masuk --orgunit 35.27.03 --date 2022-03-30 "
	    "--value 4 --comment 'agenda akhir Maret'");
	/* a void of a January event (y22-0035: surat_tepat, 2022-01-15) */
	refused_locked("--void y22-0035 --comment 'entri ganda'");
	/* a replacement of a March event (y22-0145: kenaikan_pangkat, 2022-03-07) dated in April */
	refused_locked(
	    "--id y22-terkunci-2 --ref y22-0145 --element kenaikan_pangkat --orgunit 35.27.03 "
	    "--date 2022-04-07 --value 4");
	/* a replacement of a May event (y22-0354: pegawai_diklat, 2022-05-23) dated in March */
	refused_locked(
	    "--id y22-terkunci-3 --ref y22-0354 --element pegawai_diklat --orgunit 35.27.03 "
	    "--date 2022-03-23 --value 3");
	/* a state */
	refused_locked("--id y22-terkunci-4 --element desa_tertib --orgunit 35.27.03.2002 --op set "
		       "--date 2022-03-25 --value 1");
	for (int o = 0; o < N_ORGUNITS; o++)
		for (int p = 0; p < 3; p++) {
			char *after = query_text(ORGUNITS[o], locked_periods[p]);
			ck_assert_msg(!strcmp(before[o][p], after),
				      "%s %s changed while locked:\n%s\n%s", ORGUNITS[o],
				      locked_periods[p], before[o][p], after);
			free(after);
			free(before[o][p]);
		}
	/* nothing stored: the refused ids are free, the voided and replaced events still stand */
	ck_assert_int_ne(harness_iki(&d, "history y22-terkunci-1 2>/dev/null", NULL), 0);
	ck_assert_int_ne(harness_iki(&d, "history y22-terkunci-2 2>/dev/null", NULL), 0);
	ck_assert_int_eq(harness_iki(&d, "history y22-0035", &out), 0);
	ck_assert_msg(out && !strstr(out, "dibatalkan"), "%s", out ? out : "");
	free(out);
	ck_assert_int_eq(harness_iki(&d, "locks", &out), 0);
	ck_assert_msg(out && strstr(out, "2022Q1"), "%s", out ? out : "");
	free(out);

	/* 3. unlocked for the corrections and late data, then locked again */
	ck_assert_int_eq(harness_iki(&d, "unlock 2022Q1", NULL), 0);
	submit_file(FIX, "diterima 25, duplikat 0, ditolak 0");
	ck_assert_int_eq(harness_iki(&d, "lock 2022Q1", NULL), 0);
	ck_assert_int_eq(harness_iki(&d, "history y22-0035", &out), 0);
	ck_assert_msg(out && strstr(out, "y22-fix-01"), "%s", out ? out : "");
	free(out);

	/* 4. every expected line */
	ck_assert_int_eq(assert_expected("after the year and its corrections", 1), n_want);
	refused_locked(
	    "--id y22-terkunci-5 --element surat_keluar --orgunit 35.27.03 --date 2022-02-28 --value 1");
	/* resending the year changes nothing */
	submit_file(YEAR, "diterima 0, duplikat 917, ditolak 0");
	ck_assert_int_ge(assert_expected("after the year sent again", 7), n_want / 7);

	/* 5. a crash, a restart on the same state: a sample; then a rebuild from the log: all */
	harness_stop(&d, SIGKILL);
	ck_assert_int_eq(harness_start(&d, SAMPANG), 0);
	ck_assert_int_ge(assert_expected("after kill -9", 5), n_want / 5);
	harness_stop(&d, SIGTERM);
	const char *rebuild[] = {"-r", NULL};
	ck_assert_int_eq(harness_start_args(&d, SAMPANG, rebuild), 0);
	ck_assert_int_eq(assert_expected("after a rebuild from the log (-r)", 1), n_want);
	refused_locked(
	    "--id y22-terkunci-5 --element surat_keluar --orgunit 35.27.03 --date 2022-02-28 --value 1");
	harness_stop(&d, SIGTERM);

	/* the stored values are what the log says (ikid -V) */
	char ikid[256], cmd[1024];
	harness_bin("ikid", ikid, sizeof(ikid));
	snprintf(cmd, sizeof(cmd), "%s -V -c %s -d %s >/dev/null 2>&1", ikid, SAMPANG, d.state);
	int st = system(cmd);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: status %d", cmd, st);
	harness_cleanup(&d);
}
END_TEST

/* The committed expect file is what the independent model computes from the data files and the
 * catalog today: neither can drift from the other. */
START_TEST(test_the_expect_file_is_the_models)
{
	int st = system("timeout 120 python3 tests/data/expect_year.py --check 1>&2");
	ck_assert_msg(
	    WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "python3 tests/data/expect_year.py --check: status %d (the model and %s differ; "
	    "--write rewrites it)",
	    st, EXPECT);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("year");
	TCase *tc = tcase_create("sampang-2022");
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_a_year_of_sampang_gives_the_expected_lakip_figures);
	tcase_add_test(tc, test_the_expect_file_is_the_models);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(suite)
