/* check_lakip.c: a full year of Sampang (tests/data/year-2022*.csv, made by year_make.py) through
 * the real ikid and iki: a lock and a refused write, corrections and late data, another lock;
 * then every indicator at the kecamatan and two villages, each triwulan and the year, and each
 * cumulative period (2022Q1SD..2022Q4SD, 202201SD..202212SD: since 1 January), against
 * tests/data/year-2022.expect (computed independently by tests/data/expect.py --year): num, den,
 * capaian and predikat. The kecamatan is the ratio of the sums of its org units. The values hold
 * across kill -9 and a rebuild from the log. */
#include <check.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "suite.h"

#define SAMPANG "catalog/sampang-2022.conf"
#define EXPECT "tests/data/year-2022.expect"
#define LINES_MAX 2048
#define N_PERIODS 21 /* 2022Q1..Q4, 2022, 2022Q1SD..Q4SD, 202201SD..202212SD */

struct line {
	char ind[16], ou[24], period[12], predikat[24];
	long long num, den;
	double capaian; /* < -1e300 when "-" */
};

static struct line want[LINES_MAX];
static int n_want;
static struct ikid d;

static void load_expect(void)
{
	FILE *f = fopen(EXPECT, "r");
	char buf[256], cap[32];
	ck_assert_ptr_nonnull(f);
	n_want = 0;
	while (fgets(buf, sizeof(buf), f) && n_want < LINES_MAX) {
		struct line *l = &want[n_want];
		if (buf[0] == '#' || sscanf(buf, "%15s %23s %11s %lld %lld %31s %23s", l->ind, l->ou,
					    l->period, &l->num, &l->den, cap, l->predikat) != 7)
			continue;
		l->capaian = strcmp(cap, "-") ? strtod(cap, NULL) : -1e308;
		for (char *p = l->predikat; *p; p++)
			*p = *p == '_' ? ' ' : *p;
		n_want++;
	}
	fclose(f);
	ck_assert_int_eq(n_want, 24 * 3 * N_PERIODS);
}

/* Every value of an org unit and period, from one `iki query --json`. */
static json_object *query(const char *ou, const char *period)
{
	char args[128], *out = NULL;
	snprintf(args, sizeof(args), "query --json --orgunit %s --period %s", ou, period);
	ck_assert_int_eq(harness_iki(&d, args, &out), 0);
	json_object *arr = json_tokener_parse(out);
	ck_assert_msg(arr && json_object_is_type(arr, json_type_array), "%s: %s", args, out);
	free(out);
	return arr;
}

static json_object *find(json_object *arr, const char *ind)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i), *f;
		if (json_object_object_get_ex(v, "indicator", &f) &&
		    !strcmp(json_object_get_string(f), ind))
			return v;
	}
	ck_abort_msg("no %s", ind);
	return NULL;
}

static long long field_ll(json_object *v, const char *key)
{
	json_object *f;
	ck_assert_msg(json_object_object_get_ex(v, key, &f), "no %s", key);
	return json_object_get_int64(f);
}

/* Every line of the expect file against ikid. */
static void assert_year(const char *when)
{
	for (int i = 0; i < n_want;) {
		json_object *arr = query(want[i].ou, want[i].period);
		int j = i;
		for (; j < n_want && !strcmp(want[j].ou, want[i].ou) &&
		       !strcmp(want[j].period, want[i].period);
		     j++) {
			const struct line *l = &want[j];
			json_object *v = find(arr, l->ind), *f;
			long long num = field_ll(v, "num"), den = field_ll(v, "den");
			ck_assert_msg(num == l->num && den == l->den, "%s: %s %s %s: %lld/%lld, want %lld/%lld",
				      when, l->ind, l->ou, l->period, num, den, l->num, l->den);
			bool has = json_object_object_get_ex(v, "capaian", &f);
			ck_assert_msg(has == (l->capaian > -1e300), "%s: %s %s %s: capaian %s", when,
				      l->ind, l->ou, l->period, has ? "present" : "absent");
			if (!has)
				continue;
			ck_assert_msg(json_object_get_double(f) - l->capaian < 0.006 &&
					  l->capaian - json_object_get_double(f) < 0.006,
				      "%s: %s %s %s: capaian %.4f, want %.2f", when, l->ind, l->ou,
				      l->period, json_object_get_double(f), l->capaian);
			ck_assert(json_object_object_get_ex(v, "predikat", &f));
			ck_assert_msg(!strcmp(json_object_get_string(f), l->predikat),
				      "%s: %s %s %s: %s, want %s", when, l->ind, l->ou, l->period,
				      json_object_get_string(f), l->predikat);
		}
		json_object_put(arr);
		i = j;
	}
}

/* The kecamatan's num and den are the sums over its office and its villages. */
static void assert_ratio_of_sums(void)
{
	static const char *const ous[] = {
	    "35.27.03", "35.27.03.1003", "35.27.03.1004", "35.27.03.1006", "35.27.03.1007",
	    "35.27.03.1008", "35.27.03.1009", "35.27.03.2001", "35.27.03.2002", "35.27.03.2005",
	    "35.27.03.2010", "35.27.03.2011", "35.27.03.2012", "35.27.03.2013", "35.27.03.2014",
	    "35.27.03.2015", "35.27.03.2016", "35.27.03.2017", "35.27.03.2018"};
	json_object *kec = query("35.27.03", "2022");
	long long num[32] = {0}, den[32] = {0};
	size_t n = json_object_array_length(kec);
	ck_assert_uint_le(n, 32);
	for (size_t o = 1; o < sizeof(ous) / sizeof(ous[0]); o++) {
		json_object *arr = query(ous[o], "2022");
		for (size_t i = 0; i < n; i++) {
			json_object *v = json_object_array_get_idx(arr, i);
			num[i] += field_ll(v, "num");
			den[i] += field_ll(v, "den");
		}
		json_object_put(arr);
	}
	/* The office's own events are the kecamatan's minus its villages'. Every indicator whose
	 * villages hold all of its data (cases and village elements) must equal their sums. */
	int village_only = 0;
	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(kec, i), *f;
		json_object_object_get_ex(v, "indicator", &f);
		const char *ind = json_object_get_string(f);
		if (strcmp(ind, "iki18") && strcmp(ind, "iki20") && strcmp(ind, "iki22") &&
		    strcmp(ind, "iki24") && strcmp(ind, "iki25") && strcmp(ind, "iki16"))
			continue;
		village_only++;
		ck_assert_msg(field_ll(v, "num") == num[i] && field_ll(v, "den") == den[i],
			      "%s: kecamatan %lld/%lld, villages sum to %lld/%lld", ind,
			      field_ll(v, "num"), field_ll(v, "den"), num[i], den[i]);
	}
	ck_assert_int_eq(village_only, 6);
	json_object_put(kec);
}

START_TEST(test_a_year_of_sampang_gives_the_lakip_figures)
{
	char *out = NULL;
	load_expect();
	ck_assert_int_eq(harness_start(&d, SAMPANG), 0);
	int rc = harness_iki(&d, "submit -f tests/data/year-2022.csv", &out);
	ck_assert_msg(rc == 0, "year: exit %d: %s", rc, out);
	free(out);
	/* triwulan I is reported and locked: a write into it is refused, nothing changes */
	ck_assert_int_eq(harness_iki(&d, "lock 2022Q1", NULL), 0);
	json_object *before = query("35.27.03", "2022Q1");
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/year-2022-locked.csv 2>&1", &out), 1);
	ck_assert_msg(strstr(out, "locked"), "%s", out);
	free(out);
	json_object *after = query("35.27.03", "2022Q1");
	ck_assert_str_eq(json_object_to_json_string(before), json_object_to_json_string(after));
	json_object_put(before);
	json_object_put(after);
	/* unlocked for the corrections and the late data, then the year is locked */
	ck_assert_int_eq(harness_iki(&d, "unlock 2022Q1", NULL), 0);
	rc = harness_iki(&d, "submit -f tests/data/year-2022-fix.csv", &out);
	ck_assert_msg(rc == 0, "fix: exit %d: %s", rc, out);
	free(out);
	ck_assert_int_eq(harness_iki(&d, "lock 2022", NULL), 0);
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/year-2022-locked.csv", NULL), 1);
	assert_year("after the year");
	assert_ratio_of_sums();
	/* the history of the replaced event tells what happened */
	ck_assert_int_eq(harness_iki(&d, "history fix-1", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "nilai 99"));
	ck_assert_ptr_nonnull(strstr(out, "dibatalkan/diganti oleh fix-1"));
	free(out);
	/* and the history of a value: every event that counts in it, corrections included */
	ck_assert_int_eq(harness_iki(&d, "history --indicator iki06 --period 2022Q2 --json", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"comment\":\"salah ketik\""));
	ck_assert_ptr_nonnull(strstr(out, "\"voided_by\":\"fix-1\""));
	ck_assert_ptr_nonnull(strstr(out, "\"id\":\"fix-1\""));
	ck_assert_ptr_null(strstr(out, "\"date\":\"2022-07")); /* nothing of another triwulan */
	free(out);
	ck_assert_int_eq(harness_iki(&d, "history --indicator iki16 --period 2022 --orgunit "
				     "35.27.03.1003 --json", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"id\":\"fix-3\"")); /* the void of a state set */
	ck_assert_ptr_null(strstr(out, "35.27.03.2002"));        /* only that village's */
	free(out);
	harness_stop(&d, SIGKILL);
	ck_assert_int_eq(harness_start(&d, SAMPANG), 0);
	assert_year("after kill -9");
	harness_stop(&d, SIGTERM);
	const char *rebuild[] = {"-r", NULL};
	ck_assert_int_eq(harness_start_args(&d, SAMPANG, rebuild), 0);
	assert_year("after a rebuild from the log");
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/year-2022-locked.csv", NULL), 1);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}
END_TEST

/* The expect file is what the independent model computes from the data files today. */
START_TEST(test_the_expect_file_is_the_models)
{
	ck_assert_int_eq(system("python3 tests/data/expect.py --year --check"), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lakip");
	TCase *tc = tcase_create("year");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_a_year_of_sampang_gives_the_lakip_figures);
	tcase_add_test(tc, test_the_expect_file_is_the_models);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(suite)
