/* check_store.c: the store on a real LMDB in a fresh directory: rollups, states, cases, idempotence. */
#include <check.h>
#include <errno.h>
#include <lmdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "catalog.h"
#include "iki.h"
#include "store.h"
#include "suite.h"

static char dir[64];
static struct catalog *cat;
static struct store *st;

static void setup(void)
{
	char *errors = NULL;
	snprintf(dir, sizeof(dir), "/tmp/iki-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(catalog_load("tests/data/mini.conf", &cat, &errors), 0);
	free(errors);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
}

static void teardown(void)
{
	char cmd[128];
	store_close(&st);
	catalog_free(&cat);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void assert_rebuild_agrees(void);

static struct proto_event ev(const char *id, const char *el, const char *ou, const char *date,
			     enum proto_op op, int64_t value, const char *case_id)
{
	struct proto_event e = {.op = op, .value = value};
	snprintf(e.id, sizeof(e.id), "%s", id);
	snprintf(e.element, sizeof(e.element), "%s", el);
	snprintf(e.orgunit, sizeof(e.orgunit), "%s", ou);
	snprintf(e.date, sizeof(e.date), "%s", date);
	snprintf(e.case_id, sizeof(e.case_id), "%s", case_id ? case_id : "");
	return e;
}

/* Apply one event in a batch of its own and commit; returns its result. */
static struct proto_result apply1(struct proto_event e)
{
	struct store_batch *b;
	struct proto_result r;
	struct store_change *ch;
	size_t n;
	ck_assert_int_eq(store_begin(st, &b), 0);
	ck_assert_int_eq(store_apply(b, &e, "test", &r), 0);
	ck_assert_int_eq(store_commit(&b, &ch, &n), 0);
	ck_assert_ptr_null(b);
	free(ch);
	return r;
}

/* num and den of an indicator at an org unit ("" = kecamatan) and period. */
static void value(const char *ind, const char *ou, const char *period, int64_t *num, int64_t *den)
{
	struct proto_query q = {0};
	struct proto_value *v;
	size_t n;
	snprintf(q.indicator, sizeof(q.indicator), "%s", ind);
	snprintf(q.orgunit, sizeof(q.orgunit), "%s", ou);
	snprintf(q.period, sizeof(q.period), "%s", period);
	ck_assert_int_eq(store_query(st, &q, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	*num = v[0].num;
	*den = v[0].den;
	free(v);
}

#define ASSERT_VALUE(ind, ou, period, n, d)                    \
	do {                                                   \
		int64_t num_, den_;                            \
		value(ind, ou, period, &num_, &den_);          \
		ck_assert_int_eq(num_, n);                     \
		ck_assert_int_eq(den_, d);                     \
	} while (0)

#define V1 "35.27.03.2001"
#define V2 "35.27.03.2002"

static uint64_t events(void)
{
	uint64_t e, p;
	ck_assert_int_eq(store_stats(st, &e, &p), 0);
	return e;
}

START_TEST(test_store_flow_rolls_up_villages_months_quarters_year)
{
	ck_assert_int_eq(apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL)).status, PROTO_STATUS_OK);
	apply1(ev("b", "surat_masuk", V2, "2022-04-01", PROTO_OP_ADD, 5, NULL));
	apply1(ev("c", "surat_tepat", V1, "2022-03-11", PROTO_OP_ADD, 7, NULL));
	apply1(ev("d", "surat_tepat", "35.27.03", "2022-03-12", PROTO_OP_ADD, 1, NULL));
	ASSERT_VALUE("surat", V1, "202203", 7, 10);
	ASSERT_VALUE("surat", V1, "2022Q1", 7, 10);
	ASSERT_VALUE("surat", V2, "2022Q2", 0, 5);
	ASSERT_VALUE("surat", V2, "2022Q1", 0, 0);
	ASSERT_VALUE("surat", "", "202203", 8, 10);
	ASSERT_VALUE("surat", "", "2022", 8, 15);
	ASSERT_VALUE("surat", "", "2023", 0, 0);
	ck_assert_uint_eq(events(), 4);
}
END_TEST

START_TEST(test_store_duplicate_event_counts_once)
{
	struct proto_event e = ev("same", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 3, NULL);
	ck_assert_int_eq(apply1(e).status, PROTO_STATUS_OK);
	ck_assert_int_eq(apply1(e).status, PROTO_STATUS_DUPLICATE);
	ASSERT_VALUE("surat", "", "2022", 0, 3);
	e.value = 4;
	struct proto_result r = apply1(e);
	ck_assert_int_eq(r.status, PROTO_STATUS_ERROR);
	ck_assert_int_eq(r.code, IKI_ECONFLICT);
	ASSERT_VALUE("surat", "", "2022", 0, 3);
	ck_assert_uint_eq(events(), 1);
}
END_TEST

START_TEST(test_store_duplicate_inside_one_batch_counts_once)
{
	struct store_batch *b;
	struct proto_result r[2];
	struct store_change *ch;
	size_t n;
	struct proto_event e = ev("x", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 2, NULL);
	ck_assert_int_eq(store_begin(st, &b), 0);
	ck_assert_int_eq(store_apply(b, &e, "t", &r[0]), 0);
	ck_assert_int_eq(store_apply(b, &e, "t", &r[1]), 0);
	ck_assert_int_eq(store_commit(&b, &ch, &n), 0);
	ck_assert_int_eq(r[0].status, PROTO_STATUS_OK);
	ck_assert_int_eq(r[1].status, PROTO_STATUS_DUPLICATE);
	ASSERT_VALUE("surat", V1, "202203", 0, 2);
	free(ch);
}
END_TEST

START_TEST(test_store_stock_carries_forward_within_its_year)
{
	apply1(ev("s1", "desa_sasaran", V1, "2022-01-05", PROTO_OP_SET, 1, NULL));
	apply1(ev("s2", "desa_sasaran", V2, "2022-01-05", PROTO_OP_SET, 1, NULL));
	apply1(ev("t1", "desa_tertib", V1, "2022-03-20", PROTO_OP_SET, 1, NULL));
	apply1(ev("t2", "desa_tertib", V1, "2022-03-01", PROTO_OP_SET, 0, NULL)); /* late, older */
	apply1(ev("t3", "desa_tertib", V2, "2022-02-01", PROTO_OP_SET, 1, NULL));
	apply1(ev("t4", "desa_tertib", V2, "2022-03-25", PROTO_OP_SET, 0, NULL));
	/* the January targets count in every later period of 2022 */
	ASSERT_VALUE("tertib", V1, "202203", 1, 1);
	ASSERT_VALUE("tertib", V1, "2022", 1, 1);
	ASSERT_VALUE("tertib", V1, "202201", 0, 1);
	ASSERT_VALUE("tertib", V2, "202202", 1, 1);
	ASSERT_VALUE("tertib", V2, "2022Q1", 0, 1);
	ASSERT_VALUE("tertib", "", "2022Q1", 1, 2);
	ASSERT_VALUE("tertib", "", "2022", 1, 2);
	ASSERT_VALUE("tertib", "", "202202", 1, 2);
	/* and a stock set in March still holds in June and in the fourth quarter */
	ASSERT_VALUE("tertib", V1, "202206", 1, 1);
	ASSERT_VALUE("tertib", "", "2022Q4", 1, 2);
	ASSERT_VALUE("tertib", "", "202212", 1, 2);
	/* not in the next budget year */
	ASSERT_VALUE("tertib", "", "202301", 0, 0);
	/* a later set takes over from its month on, the months before keep the earlier one */
	apply1(ev("t5", "desa_tertib", V2, "2022-08-10", PROTO_OP_SET, 1, NULL));
	ASSERT_VALUE("tertib", V2, "202207", 0, 1);
	ASSERT_VALUE("tertib", V2, "202208", 1, 1);
	ASSERT_VALUE("tertib", V2, "2022Q3", 1, 1);
	ASSERT_VALUE("tertib", "", "2022", 2, 2);
	assert_rebuild_agrees();
	ASSERT_VALUE("tertib", "", "202211", 2, 2);
}
END_TEST

/* The commit's published changes of (ind, ou, period): how many, and the last one's values. */
static size_t changes_of(const struct store_change *ch, size_t n, const char *ind, const char *ou,
			 const char *period, int64_t *num, int64_t *den)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char pid[PERIOD_ID_MAX];
		period_format(ch[i].period, pid);
		if (!strcmp(cat->indicators[ch[i].indicator].code, ind) &&
		    !strcmp(cat->orgunits[ch[i].orgunit].code, ou[0] ? ou : "35.27.03") &&
		    !strcmp(pid, period)) {
			*num = ch[i].num;
			*den = ch[i].den;
			k++;
		}
	}
	return k;
}

/* "s.d." periods: a flow sums from 1 January, a stock reads at the period's end (issue 12.2). */
START_TEST(test_store_cumulative_periods)
{
	apply1(ev("m1", "surat_masuk", V1, "2022-01-10", PROTO_OP_ADD, 10, NULL));
	apply1(ev("m2", "surat_masuk", V2, "2022-04-11", PROTO_OP_ADD, 20, NULL));
	apply1(ev("m3", "surat_masuk", V1, "2022-05-02", PROTO_OP_ADD, 30, NULL));
	apply1(ev("m4", "surat_masuk", V1, "2022-08-30", PROTO_OP_ADD, 40, NULL));
	apply1(ev("t1", "surat_tepat", V1, "2022-05-03", PROTO_OP_ADD, 25, NULL));
	ASSERT_VALUE("surat", "", "2022Q1SD", 0, 10); /* the quarter itself */
	ASSERT_VALUE("surat", "", "2022Q2", 25, 50);
	ASSERT_VALUE("surat", "", "2022Q2SD", 25, 60); /* January to June */
	ASSERT_VALUE("surat", V1, "2022Q2SD", 25, 40);
	ASSERT_VALUE("surat", "", "202204SD", 0, 30);
	ASSERT_VALUE("surat", "", "202205SD", 25, 60);
	ASSERT_VALUE("surat", "", "202207SD", 25, 60);
	ASSERT_VALUE("surat", "", "202208SD", 25, 100);
	ASSERT_VALUE("surat", "", "2022Q4SD", 25, 100); /* the year */
	ASSERT_VALUE("surat", "", "2022", 25, 100);
	ASSERT_VALUE("surat", "", "2023Q1SD", 0, 0); /* its own year only */
	/* a stock's "s.d." figure is its figure at the period's end, carried as the period's */
	apply1(ev("s1", "desa_sasaran", V1, "2022-01-05", PROTO_OP_SET, 1, NULL));
	apply1(ev("s2", "desa_sasaran", V2, "2022-01-05", PROTO_OP_SET, 1, NULL));
	apply1(ev("x1", "desa_tertib", V1, "2022-02-20", PROTO_OP_SET, 1, NULL));
	apply1(ev("x2", "desa_tertib", V2, "2022-05-20", PROTO_OP_SET, 1, NULL));
	apply1(ev("x3", "desa_tertib", V1, "2022-06-20", PROTO_OP_SET, 0, NULL));
	ASSERT_VALUE("tertib", "", "2022Q1SD", 1, 2);
	ASSERT_VALUE("tertib", "", "2022Q2SD", 1, 2); /* V1 back to 0, V2 now 1 */
	ASSERT_VALUE("tertib", "", "202205SD", 2, 2);
	ASSERT_VALUE("tertib", "", "202212SD", 1, 2);
	/* a correction moves every cumulative figure after it */
	struct proto_event fix = ev("m3b", "surat_masuk", V1, "2022-05-02", PROTO_OP_ADD, 3, NULL);
	snprintf(fix.ref, sizeof(fix.ref), "m3");
	ck_assert_int_eq(apply1(fix).status, PROTO_STATUS_OK);
	ASSERT_VALUE("surat", "", "2022Q2SD", 25, 33);
	ASSERT_VALUE("surat", V1, "202212SD", 25, 53);
	assert_rebuild_agrees();
	ASSERT_VALUE("surat", "", "2022Q3SD", 25, 73);

	/* the commit publishes every cumulative value it changed, with the value a query reads */
	struct store_batch *b;
	struct proto_result r;
	struct store_change *ch;
	size_t n;
	int64_t num = -1, den = -1;
	struct proto_event e = ev("m5", "surat_masuk", V2, "2022-03-15", PROTO_OP_ADD, 5, NULL);
	ck_assert_int_eq(store_begin(st, &b), 0);
	ck_assert_int_eq(store_apply(b, &e, "test", &r), 0);
	ck_assert_int_eq(store_commit(&b, &ch, &n), 0);
	/* 2 org units x (month, quarter, year + 10 months + 4 quarters) */
	ck_assert_uint_eq(n, 2 * 17);
	ck_assert_uint_eq(changes_of(ch, n, "surat", "", "2022Q2SD", &num, &den), 1);
	ck_assert_int_eq(num, 25);
	ck_assert_int_eq(den, 38);
	ck_assert_uint_eq(changes_of(ch, n, "surat", V2, "202203SD", &num, &den), 1);
	ck_assert_int_eq(den, 5);
	ck_assert_uint_eq(changes_of(ch, n, "surat", V2, "202212SD", &num, &den), 1);
	ck_assert_int_eq(den, 25);
	ck_assert_uint_eq(changes_of(ch, n, "surat", "", "202202SD", &num, &den), 0); /* before it */
	free(ch);
	/* a stock's set publishes its own cumulative periods only */
	e = ev("x4", "desa_tertib", V2, "2022-11-02", PROTO_OP_SET, 0, NULL);
	ck_assert_int_eq(store_begin(st, &b), 0);
	ck_assert_int_eq(store_apply(b, &e, "test", &r), 0);
	ck_assert_int_eq(store_commit(&b, &ch, &n), 0);
	ck_assert_uint_eq(changes_of(ch, n, "tertib", "", "202211SD", &num, &den), 1);
	ck_assert_int_eq(num, 0);
	ck_assert_uint_eq(changes_of(ch, n, "tertib", "", "2022Q4SD", &num, &den), 1);
	ck_assert_uint_eq(changes_of(ch, n, "tertib", "", "202210SD", &num, &den), 0);
	free(ch);
	/* a cumulative period cannot be locked: its months are */
	ck_assert_int_eq(store_begin(st, &b), 0);
	ck_assert_int_eq(store_lock(b, "2022Q2SD", true, "admin"), IKI_EPERIOD);
	store_abort(&b);
}
END_TEST

/*
 * Reopen the store, on a fresh directory, with mini.conf edited: the lines of add[i][1] after
 * its line add[i][0] ("" for the top: before the first line), for n pairs.
 */
static void reopen_edited(const char *const add[][2], size_t n)
{
	char conf[96], *errors = NULL, line[1100];
	snprintf(conf, sizeof(conf), "%s.conf", dir);
	FILE *in = fopen("tests/data/mini.conf", "r"), *out = fopen(conf, "w");
	ck_assert(in && out);
	for (size_t i = 0; i < n; i++)
		if (!add[i][0][0])
			fputs(add[i][1], out);
	while (fgets(line, sizeof(line), in)) {
		fputs(line, out);
		for (size_t i = 0; i < n; i++)
			if (add[i][0][0] && strcmp(line, add[i][0]) == 0)
				fputs(add[i][1], out);
	}
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
	teardown();
	snprintf(dir, sizeof(dir), "/tmp/iki-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(catalog_load(conf, &cat, &errors), 0);
	free(errors);
	unlink(conf);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
}

/* mini.conf where desa_tertib has 'carry = period'. */
static void reopen_carry_period(void)
{
	static const char *const add[][2] = {{"[element desa_tertib]\n", "carry = period\n"}};
	reopen_edited(add, 1);
}

START_TEST(test_store_stock_with_carry_period_counts_only_where_it_was_set)
{
	reopen_carry_period();
	apply1(ev("s1", "desa_sasaran", V1, "2022-01-05", PROTO_OP_SET, 1, NULL));
	apply1(ev("t1", "desa_tertib", V1, "2022-03-20", PROTO_OP_SET, 1, NULL));
	ASSERT_VALUE("tertib", V1, "202203", 1, 1); /* desa_sasaran still carries */
	ASSERT_VALUE("tertib", V1, "2022Q1", 1, 1);
	ASSERT_VALUE("tertib", V1, "202204", 0, 1);
	ASSERT_VALUE("tertib", V1, "2022Q2", 0, 1);
	ASSERT_VALUE("tertib", V1, "2022", 1, 1);
	assert_rebuild_agrees();
	ASSERT_VALUE("tertib", V1, "202204", 0, 1);
}
END_TEST

/* Plausibility (issue 12.3): the budget year, an element's bounds, a validation rule. */
START_TEST(test_store_refuses_what_is_not_plausible)
{
	static const char *const add[][2] = {
	    {"", "year = 2022\n"},
	    {"[element surat_masuk]\n", "max = 500\n"},
	    {"[element desa_sasaran]\n", "min = 1\nmax = 1\n"},
	};
	reopen_edited(add, 3);
	struct proto_result r = apply1(ev("y1", "surat_masuk", V1, "2030-03-10", PROTO_OP_ADD, 1, NULL));
	ck_assert_int_eq(r.code, IKI_EYEAR);
	ck_assert_msg(strstr(r.message, "2022") && strstr(r.message, "2030-03-10"), "%s", r.message);
	ck_assert_int_eq(apply1(ev("y2", "surat_masuk", V1, "2021-12-31", PROTO_OP_ADD, 1, NULL)).code,
			 IKI_EYEAR);
	ck_assert_int_eq(apply1(ev("y3", "surat_masuk", V1, "2023-01-01", PROTO_OP_ADD, 1, NULL)).code,
			 IKI_EYEAR);
	/* a case begun in December of the year before closes inside the year, judged on its dates */
	ck_assert_int_eq(apply1(ev("o1", "akta", V1, "2021-12-28", PROTO_OP_OPEN, 1, "A-1")).status,
			 PROTO_STATUS_OK);
	ck_assert_int_eq(apply1(ev("o0", "akta", V1, "2020-12-28", PROTO_OP_OPEN, 1, "A-0")).code,
			 IKI_EYEAR); /* not two years before */
	ck_assert_int_eq(apply1(ev("c1", "akta", V1, "2022-01-05", PROTO_OP_CLOSE, 1, "A-1")).status,
			 PROTO_STATUS_OK);
	ASSERT_VALUE("akta", V1, "202201", 1, 0); /* closed on time (8 days) in January */
	ck_assert_int_eq(apply1(ev("c2", "akta", V1, "2023-01-05", PROTO_OP_CLOSE, 1, "A-9")).code,
			 IKI_EYEAR); /* a close is dated in the year too */
	/* the bounds: refused past them, the sentence naming the bound */
	r = apply1(ev("v1", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 1000, NULL));
	ck_assert_int_eq(r.code, IKI_EVALUE);
	ck_assert_msg(strstr(r.message, "paling besar 500") && strstr(r.message, "1000"), "%s",
		      r.message);
	ck_assert_int_eq(apply1(ev("v2", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 500, NULL)).status,
			 PROTO_STATUS_OK);
	r = apply1(ev("v3", "desa_sasaran", V1, "2022-01-05", PROTO_OP_SET, 0, NULL));
	ck_assert_int_eq(r.code, IKI_EVALUE);
	ck_assert_msg(strstr(r.message, "paling kecil 1"), "%s", r.message);
	/* a correction is judged as a new event */
	struct proto_event fix = ev("v2b", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 501, NULL);
	snprintf(fix.ref, sizeof(fix.ref), "v2");
	ck_assert_int_eq(apply1(fix).code, IKI_EVALUE);
	fix = ev("v2c", "surat_masuk", V1, "2029-03-10", PROTO_OP_ADD, 5, NULL);
	snprintf(fix.ref, sizeof(fix.ref), "v2");
	ck_assert_int_eq(apply1(fix).code, IKI_EYEAR);
	/* a value is never implied: an add or a set without one is refused; a case needs none */
	struct proto_event bare = ev("n1", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 1, NULL);
	bare.no_value = true;
	r = apply1(bare);
	ck_assert_int_eq(r.code, IKI_EVALUE);
	ck_assert_str_eq(r.message, "Nilai surat_masuk belum diisi: tulis jumlahnya (value), juga "
				    "bila hanya 1; tidak ada nilai bawaan.");
	bare = ev("n2", "desa_sasaran", V1, "2022-01-05", PROTO_OP_SET, 1, NULL);
	bare.no_value = true;
	ck_assert_int_eq(apply1(bare).code, IKI_EVALUE);
	bare = ev("n3", "akta", V1, "2022-02-01", PROTO_OP_OPEN, 1, "A-3");
	bare.no_value = true;
	ck_assert_int_eq(apply1(bare).status, PROTO_STATUS_OK);
	ASSERT_VALUE("surat", V1, "2022", 0, 500);
	ck_assert_uint_eq(events(), 4);
	/* what was stored is rebuilt as it was counted */
	assert_rebuild_agrees();
	ASSERT_VALUE("akta", V1, "202201", 1, 0);
}
END_TEST

START_TEST(test_store_case_on_time_judged_from_dates)
{
	apply1(ev("o1", "akta", V1, "2022-03-01", PROTO_OP_OPEN, 1, "A-1"));
	apply1(ev("o2", "akta", V1, "2022-03-02", PROTO_OP_OPEN, 1, "A-2"));
	apply1(ev("o3", "akta", V2, "2022-03-03", PROTO_OP_OPEN, 1, "A-3"));
	apply1(ev("c1", "akta", V1, "2022-03-15", PROTO_OP_CLOSE, 1, "A-1")); /* 14 days: on time */
	apply1(ev("c2", "akta", V1, "2022-03-17", PROTO_OP_CLOSE, 1, "A-2")); /* 15 days: late */
	ASSERT_VALUE("akta", V1, "202203", 1, 2);
	ASSERT_VALUE("akta", "", "202203", 1, 3);
	ASSERT_VALUE("akta", V2, "202203", 0, 1);
}
END_TEST

START_TEST(test_store_case_errors_write_nothing)
{
	apply1(ev("o1", "akta", V1, "2022-03-01", PROTO_OP_OPEN, 1, "A-1"));
	ck_assert_int_eq(apply1(ev("o1b", "akta", V1, "2022-03-01", PROTO_OP_OPEN, 1, "A-1")).code, IKI_ECASEOPEN);
	ck_assert_int_eq(apply1(ev("c0", "akta", V1, "2022-03-05", PROTO_OP_CLOSE, 1, "nope")).code, IKI_ECASEUNKNOWN);
	ck_assert_int_eq(apply1(ev("c1", "akta", V2, "2022-03-05", PROTO_OP_CLOSE, 1, "A-1")).code, IKI_ECASEUNKNOWN);
	ck_assert_int_eq(apply1(ev("c2", "akta", V1, "2022-02-05", PROTO_OP_CLOSE, 1, "A-1")).code, IKI_ECASEDATE);
	ck_assert_int_eq(apply1(ev("c3", "akta", V1, "2022-03-05", PROTO_OP_CLOSE, 1, NULL)).code, IKI_ECASEID);
	ck_assert_int_eq(apply1(ev("c4", "akta", V1, "2022-03-05", PROTO_OP_CLOSE, 1, "A-1")).status, PROTO_STATUS_OK);
	ck_assert_int_eq(apply1(ev("c5", "akta", V1, "2022-03-06", PROTO_OP_CLOSE, 1, "A-1")).code, IKI_ECASECLOSED);
	ASSERT_VALUE("akta", "", "2022", 1, 1);
	ck_assert_uint_eq(events(), 2);
}
END_TEST

START_TEST(test_store_follow_up_has_no_limit)
{
	apply1(ev("k1", "kriminal", V1, "2022-01-10", PROTO_OP_OPEN, 1, "K-1"));
	apply1(ev("k2", "kriminal", V2, "2022-02-10", PROTO_OP_OPEN, 1, "K-2"));
	apply1(ev("f1", "kriminal", V1, "2022-06-30", PROTO_OP_CLOSE, 1, "K-1"));
	ASSERT_VALUE("kriminal", "", "2022", 1, 2);
	ASSERT_VALUE("kriminal", "", "2022Q1", 0, 2);
	ASSERT_VALUE("kriminal", "", "2022Q2", 1, 0);
}
END_TEST

START_TEST(test_store_rejects_bad_events_with_codes)
{
	ck_assert_int_eq(apply1(ev("e1", "nope", V1, "2022-03-01", PROTO_OP_ADD, 1, NULL)).code, IKI_EELEMENT);
	ck_assert_int_eq(apply1(ev("e2", "surat_masuk", "35.27.03.9999", "2022-03-01", PROTO_OP_ADD, 1, NULL)).code, IKI_EORGUNIT);
	ck_assert_int_eq(apply1(ev("e3", "surat_masuk", V1, "2022-02-30", PROTO_OP_ADD, 1, NULL)).code, IKI_EDATE);
	ck_assert_int_eq(apply1(ev("e4", "surat_masuk", V1, "2022-03-01", PROTO_OP_SET, 1, NULL)).code, IKI_EOP);
	ck_assert_int_eq(apply1(ev("e5", "desa_tertib", V1, "2022-03-01", PROTO_OP_ADD, 1, NULL)).code, IKI_EOP);
	ck_assert_int_eq(apply1(ev("e6", "surat_masuk", V1, "2022-03-01", PROTO_OP_ADD, -1, NULL)).code, IKI_EVALUE);
	ck_assert_int_eq(apply1(ev("e7", "akta", V1, "2022-03-01", PROTO_OP_ADD, 1, "A")).code, IKI_EOP);
	struct proto_result r = apply1(ev("e8", "nope", V1, "2022-03-01", PROTO_OP_ADD, 1, NULL));
	ck_assert_ptr_nonnull(strstr(r.message, "nope"));
	ck_assert_ptr_nonnull(strstr(r.message, "katalog"));
	ck_assert_uint_eq(events(), 0);
}
END_TEST

START_TEST(test_store_survives_reopen)
{
	apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL));
	apply1(ev("o", "akta", V1, "2022-03-01", PROTO_OP_OPEN, 1, "A-1"));
	store_close(&st);
	store_close(&st);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
	ASSERT_VALUE("surat", "", "2022", 0, 10);
	ck_assert_int_eq(apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL)).status, PROTO_STATUS_DUPLICATE);
	ck_assert_int_eq(apply1(ev("c", "akta", V1, "2022-03-02", PROTO_OP_CLOSE, 1, "A-1")).status, PROTO_STATUS_OK);
	ASSERT_VALUE("akta", "", "2022", 1, 1);
	ck_assert_uint_eq(events(), 3);
}
END_TEST

START_TEST(test_store_abort_stores_nothing)
{
	struct store_batch *b;
	struct proto_result r;
	struct proto_event e = ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL);
	ck_assert_int_eq(store_begin(st, &b), 0);
	ck_assert_int_eq(store_apply(b, &e, "t", &r), 0);
	store_abort(&b);
	ck_assert_ptr_null(b);
	ASSERT_VALUE("surat", "", "2022", 0, 0);
	ck_assert_uint_eq(events(), 0);
	ck_assert_int_eq(apply1(e).status, PROTO_STATUS_OK);
}
END_TEST

START_TEST(test_store_commit_lists_changed_values_once_with_sequence)
{
	struct store_batch *b;
	struct proto_result r;
	struct store_change *ch;
	size_t n;
	struct proto_event e1 = ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 1, NULL);
	struct proto_event e2 = ev("b", "surat_tepat", V1, "2022-03-11", PROTO_OP_ADD, 1, NULL);
	ck_assert_int_eq(store_begin(st, &b), 0);
	store_apply(b, &e1, "t", &r);
	store_apply(b, &e2, "t", &r);
	ck_assert_int_eq(store_commit(&b, &ch, &n), 0);
	/* One indicator (surat) x two org units x three periods and the 14 cumulative ones March
	 * feeds (202203SD..202212SD, 2022Q1SD..2022Q4SD), each once. */
	ck_assert_uint_eq(n, 2 * 17);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(ch[i].seq, i + 1);
		ck_assert_int_eq(ch[i].num, 1);
		ck_assert_int_eq(ch[i].den, 1);
	}
	free(ch);
	ck_assert_int_eq(apply1(ev("c", "surat_masuk", V2, "2022-03-10", PROTO_OP_ADD, 1, NULL)).status, PROTO_STATUS_OK);
	uint64_t events_, pubseq;
	store_stats(st, &events_, &pubseq);
	ck_assert_uint_eq(pubseq, 4 * 17);
}
END_TEST

/* Whether a batch's changes hold (indicator surat, ou, period). */
static bool changed(const struct store_change *ch, size_t n, int ou, const char *period)
{
	struct period p;
	ck_assert_int_eq(period_parse(period, &p), 0);
	for (size_t i = 0; i < n; i++)
		if (ch[i].orgunit == ou && ch[i].period.kind == p.kind && ch[i].period.year == p.year &&
		    ch[i].period.n == p.n)
			return true;
	return false;
}

START_TEST(test_store_target_lists_the_values_of_villages_that_inherit_it)
{
	int v1 = catalog_orgunit_find(cat, V1), v2 = catalog_orgunit_find(cat, V2);
	apply1(ev("a", "surat_masuk", V2, "2022-03-10", PROTO_OP_ADD, 12, NULL));
	apply1(ev("b", "surat_tepat", V2, "2022-03-11", PROTO_OP_ADD, 11, NULL));
	static const char *const periods[] = {"2022", "2022Q1", "202203"};
	for (int round = 0; round < 2; round++) {
		struct store_batch *b;
		struct store_change *ch;
		size_t n;
		struct store_target t = {.ind = catalog_indicator_find(cat, "surat"), .ou = 0,
					 .target = 9000, .original = 10000};
		ck_assert_int_eq(period_parse(round ? "2022Q1" : "2022", &t.p), 0);
		ck_assert_int_eq(store_begin(st, &b), 0);
		ck_assert_int_eq(store_target_put(b, &t), 0);
		ck_assert_int_eq(store_commit(&b, &ch, &n), 0);
		/* the kecamatan's periods inside it (17, or 4) and their cumulative twins (16, or 4:
		 * their target is the period's), and the village's with data in them (3 and 14 from
		 * March on, or 2 and 2) */
		ck_assert_uint_eq(n, round ? 4 + 4 + 2 + 2 : 17 + 16 + 3 + 14);
		for (int i = round; i < 3; i++) {
			ck_assert(changed(ch, n, 0, periods[i]));
			ck_assert_msg(changed(ch, n, v2, periods[i]), "%s at V2", periods[i]);
			ck_assert(!changed(ch, n, v1, periods[i])); /* no data there */
		}
		free(ch);
	}
}
END_TEST

START_TEST(test_store_query_by_jabatan_and_errors)
{
	struct proto_query q = {.jabatan = "kasi pemerintahan", .period = "2022"};
	struct proto_value *v;
	size_t n;
	ck_assert_int_eq(store_query(st, &q, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].indicator, "akta");
	ck_assert_str_eq(v[1].indicator, "tertib");
	ck_assert_str_eq(v[0].orgunit, "35.27.03");
	free(v);
	struct proto_query bad = {.indicator = "zzz", .period = "2022"};
	ck_assert_int_eq(store_query(st, &bad, &v, &n), IKI_EINDICATOR);
	struct proto_query badp = {.period = "2022Q5"};
	ck_assert_int_eq(store_query(st, &badp, &v, &n), IKI_EPERIOD);
	struct proto_query bado = {.orgunit = "35.27.99", .period = "2022"};
	ck_assert_int_eq(store_query(st, &bado, &v, &n), IKI_EORGUNIT);
}
END_TEST

START_TEST(test_store_rebuild_recomputes_everything_from_the_log)
{
	apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL));
	apply1(ev("b", "surat_tepat", V1, "2022-03-11", PROTO_OP_ADD, 7, "")); /* flow */
	apply1(ev("c", "desa_tertib", V1, "2022-03-20", PROTO_OP_SET, 1, NULL));
	apply1(ev("d", "desa_tertib", V1, "2022-03-05", PROTO_OP_SET, 0, NULL)); /* older: loses */
	apply1(ev("e", "desa_sasaran", V1, "2022-03-01", PROTO_OP_SET, 1, NULL));
	apply1(ev("f", "akta", V2, "2022-03-01", PROTO_OP_OPEN, 1, "K1"));
	apply1(ev("g", "akta", V2, "2022-03-10", PROTO_OP_CLOSE, 1, "K1"));
	apply1(ev("h", "akta", V2, "2022-03-02", PROTO_OP_OPEN, 1, "K2"));
	apply1(ev("i", "akta", V2, "2022-04-30", PROTO_OP_CLOSE, 1, "K2")); /* late */
	/* Lose every derived value behind the store's back: only the log is left. */
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	store_close(&st);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 8), 0);
	ck_assert_int_eq(mdb_env_open(env, dir, 0, 0640), 0);
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "agg", 0, &dbi), 0);
	ck_assert_int_eq(mdb_drop(txn, dbi, 0), 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
	ASSERT_VALUE("surat", "", "2022", 0, 0);

	uint64_t replayed, skipped;
	ck_assert_int_eq(store_rebuild(st, &replayed, &skipped), 0);
	ck_assert_uint_eq(replayed, 9);
	ck_assert_uint_eq(skipped, 0);
	ck_assert_uint_eq(events(), 9);
	ASSERT_VALUE("surat", "", "2022", 7, 10);
	ASSERT_VALUE("tertib", V1, "202203", 1, 1);
	ASSERT_VALUE("akta", "", "2022", 1, 2);
	ASSERT_VALUE("akta", V2, "2022Q2", 0, 0);
	/* Twice is the same as once, and the cases it rebuilt still guard against a second close. */
	ck_assert_int_eq(store_rebuild(st, &replayed, &skipped), 0);
	ASSERT_VALUE("surat", "", "2022", 7, 10);
	ck_assert_int_eq(apply1(ev("j", "akta", V2, "2022-05-01", PROTO_OP_CLOSE, 1, "K1")).code,
			 IKI_ECASECLOSED);
	ck_assert_int_eq(apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL)).status,
			 PROTO_STATUS_DUPLICATE);
}
END_TEST

START_TEST(test_store_snapshot_matches_queries_at_its_sequence)
{
	struct proto_query all = {0}, one = {0};
	struct proto_value *v;
	size_t n;
	uint64_t seq, e, pubseq;
	ck_assert_int_eq(store_snapshot(st, &all, &v, &n, &seq), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_eq(seq, 0);
	free(v);
	apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL));
	apply1(ev("b", "surat_tepat", V2, "2022-04-11", PROTO_OP_ADD, 7, NULL));
	ck_assert_int_eq(store_stats(st, &e, &pubseq), 0);
	ck_assert_int_eq(store_snapshot(st, &all, &v, &n, &seq), 0);
	ck_assert_uint_eq(seq, pubseq);
	/* Each event: its village and the kecamatan, for its month, quarter and year, and the
	 * cumulative periods its month feeds: March's 10 months (202203SD..202212SD) and 4
	 * quarters, April's 9 and 3. V1 3 + 14, V2 3 + 12, the kecamatan March, April, Q1, Q2,
	 * the year and the 14 of March (April's are among them): 17 + 15 + 19 values of surat. */
	ck_assert_uint_eq(n, 51);
	for (size_t i = 0; i < n; i++) {
		int64_t num, den;
		value(v[i].indicator, v[i].orgunit, v[i].period, &num, &den);
		ck_assert_int_eq(v[i].num, num);
		ck_assert_int_eq(v[i].den, den);
	}
	free(v);
	snprintf(one.orgunit, sizeof(one.orgunit), "%s", V1);
	snprintf(one.period, sizeof(one.period), "2022");
	ck_assert_int_eq(store_snapshot(st, &one, &v, &n, &seq), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].indicator, "surat");
	ck_assert_int_eq(v[0].den, 10);
	free(v);
	snprintf(one.period, sizeof(one.period), "2022Q9");
	ck_assert_int_eq(store_snapshot(st, &one, &v, &n, &seq), IKI_EPERIOD);
}
END_TEST

/* ---- corrections, locks, history ---- */

/* A correction: op void (no content), or a replacement (content + ref). */
static struct proto_event voiding(const char *id, const char *ref)
{
	struct proto_event e = {.op = PROTO_OP_VOID, .value = 1};
	snprintf(e.id, sizeof(e.id), "%s", id);
	snprintf(e.ref, sizeof(e.ref), "%s", ref);
	return e;
}

START_TEST(test_store_pages_of_a_snapshot_and_a_history_make_the_whole)
{
	struct proto_query all = {0};
	struct proto_value *whole, *v;
	struct proto_stored *hw, *h;
	size_t n, nw, got = 0;
	uint64_t seq;
	bool more;
	char after[PROTO_CURSOR_MAX + 1] = "", id[16];
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "e%d", i);
		apply1(ev(id, i % 2 ? "surat_tepat" : "surat_masuk", i % 3 ? V1 : V2,
			  i < 3 ? "2022-03-10" : "2022-05-02", PROTO_OP_ADD, i + 1, NULL));
	}
	ck_assert_int_eq(store_snapshot(st, &all, &whole, &nw, &seq), 0);
	ck_assert_uint_gt(nw, 8);
	do { /* pages of 4: the same values, in the same order, each once */
		struct store_page pg = {.after = after, .limit = 4};
		ck_assert_int_eq(store_snapshot_page(st, &all, &pg, &v, &n, &seq), 0);
		ck_assert_uint_le(n, 4);
		for (size_t i = 0; i < n; i++, got++) {
			ck_assert_uint_lt(got, nw);
			ck_assert_str_eq(v[i].indicator, whole[got].indicator);
			ck_assert_str_eq(v[i].orgunit, whole[got].orgunit);
			ck_assert_str_eq(v[i].period, whole[got].period);
			ck_assert_int_eq(v[i].num, whole[got].num);
		}
		free(v);
		ck_assert(pg.next[0] || got == nw);
		snprintf(after, sizeof(after), "%s", pg.next);
	} while (after[0]);
	ck_assert_uint_eq(got, nw);
	free(whole);
	struct store_page bad = {.after = "surat/35.27.03.9999/2022", .limit = 4};
	ck_assert_int_eq(store_snapshot_page(st, &all, &bad, &v, &n, &seq), IKI_EFIELD);
	/* a value's history, voids included (one of an event on the first page) */
	apply1(voiding("x0", "e0"));
	apply1(voiding("x3", "e3"));
	struct period y = {PERIOD_YEAR, 2022, 0};
	ck_assert_int_eq(store_history_value(st, 0, 0, y, &hw, &nw, &more), 0);
	ck_assert_uint_eq(nw, 7);
	ck_assert(!more);
	after[0] = '\0';
	got = 0;
	do {
		struct store_page pg = {.after = after, .limit = 2};
		ck_assert_int_eq(store_history_page(st, 0, 0, y, NULL, &pg, &h, &n), 0);
		for (size_t i = 0; i < n; i++, got++) {
			ck_assert_uint_lt(got, nw);
			ck_assert_str_eq(h[i].ev.id, hw[got].ev.id);
			ck_assert_uint_eq(h[i].seq, hw[got].seq);
		}
		free(h);
		snprintf(after, sizeof(after), "%s", pg.next);
	} while (after[0]);
	ck_assert_uint_eq(got, nw);
	free(hw);
	struct store_page junk = {.after = "12x"};
	ck_assert_int_eq(store_history_page(st, 0, 0, y, NULL, &junk, &h, &n), IKI_EFIELD);
}
END_TEST


static struct proto_event replacing(struct proto_event e, const char *ref)
{
	snprintf(e.ref, sizeof(e.ref), "%s", ref);
	return e;
}

/* Every derived value after a rebuild from the log equals what the corrections left. */
static void assert_rebuild_agrees(void)
{
	static const char *const inds[] = {"surat", "akta", "tertib", "kriminal"};
	static const char *const ous[] = {"", V1, V2};
	static const char *const periods[] = {"202203", "202204", "2022Q1", "2022Q2", "2022"};
	int64_t before[4][3][5][2];
	uint64_t replayed, skipped;
	for (int i = 0; i < 4; i++)
		for (int o = 0; o < 3; o++)
			for (int p = 0; p < 5; p++)
				value(inds[i], ous[o], periods[p], &before[i][o][p][0], &before[i][o][p][1]);
	ck_assert_int_eq(store_rebuild(st, &replayed, &skipped), 0);
	for (int i = 0; i < 4; i++)
		for (int o = 0; o < 3; o++)
			for (int p = 0; p < 5; p++)
				ASSERT_VALUE(inds[i], ous[o], periods[p], before[i][o][p][0],
					     before[i][o][p][1]);
}

/* Write a note in a batch of its own (indicator, org unit index, period, text, who). */
static void note1(const char *ind, int ou, const char *period, const char *text, const char *who)
{
	struct store_batch *b;
	struct store_change *ch;
	size_t n;
	struct store_note x = {.ind = catalog_indicator_find(cat, ind), .ou = ou};
	ck_assert_int_eq(period_parse(period, &x.p), 0);
	snprintf(x.text, sizeof(x.text), "%s", text);
	snprintf(x.who, sizeof(x.who), "%s", who);
	ck_assert_int_eq(store_begin(st, &b), 0);
	ck_assert_int_eq(store_note_put(b, &x), 0);
	ck_assert_uint_gt(x.at_ms, 0);
	ck_assert_int_eq(store_commit(&b, &ch, &n), 0);
	ck_assert_uint_eq(n, 0); /* a note changes no value */
	free(ch);
}

/* The notes q names (history: one note's versions), into *x; their count. */
static size_t notes_of(const char *ind, const char *ou, const char *period, bool history,
		       struct proto_note **x)
{
	struct proto_query q = {0};
	size_t n = 0;
	snprintf(q.indicator, sizeof(q.indicator), "%s", ind);
	snprintf(q.orgunit, sizeof(q.orgunit), "%s", ou);
	snprintf(q.period, sizeof(q.period), "%s", period);
	store_read_enter(st);
	ck_assert_int_eq(store_notes(st, &q, history, x, &n), 0);
	store_read_leave(st);
	return n;
}

/* Notes: the last version stands, each is kept, "" clears one; they survive reopen and rebuild. */
START_TEST(test_store_notes_keep_every_version)
{
	struct proto_note *x = NULL;
	note1("surat", 0, "2022", "Surat tepat naik", "sekcam");
	note1("surat", 0, "2022", "Surat tepat naik karena buku agenda baru", "camat");
	note1("surat", 1, "2022Q1", "Desa lambat", "sekcam");
	note1("akta", 0, "2022", "Tidak ada permohonan", "sekcam");
	ck_assert_uint_eq(notes_of("", "", "", false, &x), 3);
	ck_assert_str_eq(x[0].indicator, "akta");
	ck_assert_str_eq(x[1].text, "Surat tepat naik karena buku agenda baru");
	ck_assert_str_eq(x[1].who, "camat");
	ck_assert_str_eq(x[1].orgunit, "35.27.03");
	ck_assert_str_eq(x[2].orgunit, V1);
	free(x);
	ck_assert_uint_eq(notes_of("surat", "35.27.03", "", false, &x), 1);
	free(x);
	ck_assert_uint_eq(notes_of("", "", "2022Q1", false, &x), 1);
	free(x);
	/* history: newest first; the org unit defaults to the root */
	ck_assert_uint_eq(notes_of("surat", "", "2022", true, &x), 2);
	ck_assert_str_eq(x[0].who, "camat");
	ck_assert_str_eq(x[1].text, "Surat tepat naik");
	free(x);
	/* cleared: gone from the list, kept in its history */
	note1("akta", 0, "2022", "", "sekcam");
	ck_assert_uint_eq(notes_of("akta", "", "", false, &x), 0);
	free(x);
	ck_assert_uint_eq(notes_of("akta", "", "2022", true, &x), 2);
	ck_assert_str_eq(x[0].text, "");
	free(x);
	/* not derived: a rebuild and a reopen keep them */
	assert_rebuild_agrees();
	store_close(&st);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
	ck_assert_uint_eq(notes_of("", "", "", false, &x), 2);
	free(x);
	ck_assert_uint_eq(notes_of("surat", "", "2022", true, &x), 2);
	free(x);
}
END_TEST

START_TEST(test_store_void_takes_back_a_flow_and_keeps_the_log)
{
	apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL));
	apply1(ev("b", "surat_tepat", V1, "2022-03-11", PROTO_OP_ADD, 7, NULL));
	ASSERT_VALUE("surat", "", "2022", 7, 10);
	ck_assert_int_eq(apply1(voiding("v1", "b")).status, PROTO_STATUS_OK);
	ASSERT_VALUE("surat", V1, "202203", 0, 10);
	ASSERT_VALUE("surat", "", "2022", 0, 10);
	ck_assert_uint_eq(events(), 3); /* the original stays in the log */
	/* resent: a duplicate; voided again under another id: refused */
	ck_assert_int_eq(apply1(voiding("v1", "b")).status, PROTO_STATUS_DUPLICATE);
	ck_assert_int_eq(apply1(voiding("v2", "b")).code, IKI_EVOIDED);
	ck_assert_int_eq(apply1(voiding("v3", "nothing")).code, IKI_EREF);
	ck_assert_int_eq(apply1(voiding("v4", "v1")).code, IKI_EOP); /* a void of a void */
	ASSERT_VALUE("surat", "", "2022", 0, 10);
	assert_rebuild_agrees();
	ASSERT_VALUE("surat", "", "2022", 0, 10);
}
END_TEST

START_TEST(test_store_void_of_a_state_gives_way_to_the_one_before)
{
	apply1(ev("s1", "desa_sasaran", V1, "2022-03-01", PROTO_OP_SET, 1, NULL));
	apply1(ev("t1", "desa_tertib", V1, "2022-03-05", PROTO_OP_SET, 0, NULL));
	apply1(ev("t2", "desa_tertib", V1, "2022-03-20", PROTO_OP_SET, 1, NULL));
	ASSERT_VALUE("tertib", V1, "202203", 1, 1);
	apply1(voiding("x", "t2"));
	ASSERT_VALUE("tertib", V1, "202203", 0, 1); /* t1 stands again */
	ASSERT_VALUE("tertib", V1, "202205", 0, 1); /* and is carried forward */
	apply1(voiding("y", "t1"));
	ASSERT_VALUE("tertib", V1, "202203", 0, 1); /* none set: 0 */
	/* a replacement with another value and date */
	apply1(ev("t3", "desa_tertib", V1, "2022-04-02", PROTO_OP_SET, 1, NULL));
	ASSERT_VALUE("tertib", V1, "202203", 0, 1);
	ASSERT_VALUE("tertib", V1, "202204", 1, 1);
	ck_assert_int_eq(apply1(replacing(ev("t4", "desa_tertib", V1, "2022-03-25", PROTO_OP_SET, 1,
					     NULL), "t3")).status, PROTO_STATUS_OK);
	ASSERT_VALUE("tertib", V1, "202204", 1, 1); /* t4, carried from March */
	ASSERT_VALUE("tertib", V1, "202203", 1, 1);
	ASSERT_VALUE("tertib", "", "2022", 1, 1);
	assert_rebuild_agrees();
}
END_TEST

START_TEST(test_store_void_of_a_case_open_takes_its_close)
{
	apply1(ev("o", "akta", V2, "2022-03-01", PROTO_OP_OPEN, 1, "K1"));
	apply1(ev("c", "akta", V2, "2022-03-10", PROTO_OP_CLOSE, 1, "K1"));
	apply1(ev("o2", "akta", V2, "2022-03-02", PROTO_OP_OPEN, 1, "K2"));
	ASSERT_VALUE("akta", "", "2022", 1, 2);
	apply1(voiding("vc", "c")); /* the close: K1 is open again */
	ASSERT_VALUE("akta", "", "2022", 0, 2);
	ck_assert_int_eq(apply1(ev("c2", "akta", V2, "2022-04-30", PROTO_OP_CLOSE, 1, "K1")).status,
			 PROTO_STATUS_OK); /* late: closed, not on time */
	ASSERT_VALUE("akta", "", "2022", 0, 2);
	apply1(voiding("vo", "o")); /* the open: K1 is gone with its close */
	ASSERT_VALUE("akta", "", "2022", 0, 1);
	ck_assert_int_eq(apply1(voiding("vc2", "c2")).code, IKI_ECASEUNKNOWN); /* went with it */
	struct proto_stored *h;
	size_t nh;
	ck_assert_int_eq(store_history(st, "c2", NULL, &h, &nh), 0);
	ck_assert_uint_eq(nh, 1);
	ck_assert(h[0].dropped); /* its history says so */
	ck_assert_str_eq(h[0].voided_by, "");
	free(h);
	ck_assert_int_eq(store_history(st, "o2", NULL, &h, &nh), 0);
	ck_assert(!h[0].dropped); /* an open that stands */
	free(h);
	ck_assert_int_eq(apply1(ev("o3", "akta", V2, "2022-03-03", PROTO_OP_OPEN, 1, "K1")).status,
			 PROTO_STATUS_OK); /* the case id is free again */
	ASSERT_VALUE("akta", "", "2022", 0, 2);
	assert_rebuild_agrees();
}
END_TEST

START_TEST(test_store_replacement_is_whole_or_nothing)
{
	apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL));
	apply1(ev("o", "akta", V2, "2022-03-01", PROTO_OP_OPEN, 1, "K1"));
	apply1(ev("p", "akta", V2, "2022-03-02", PROTO_OP_OPEN, 1, "K2"));
	/* 10 was a typo for 12 */
	ck_assert_int_eq(apply1(replacing(ev("a2", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 12,
					     NULL), "a")).status, PROTO_STATUS_OK);
	ASSERT_VALUE("surat", "", "2022", 0, 12);
	/* replacing K1's open by an open of K2, which exists: refused, and K1 stays */
	struct proto_result r = apply1(replacing(ev("o2", "akta", V2, "2022-03-05", PROTO_OP_OPEN, 1,
						    "K2"), "o"));
	ck_assert_int_eq(r.code, IKI_ECASEOPEN);
	ASSERT_VALUE("akta", "", "2022", 0, 2);
	ck_assert_int_eq(apply1(ev("c", "akta", V2, "2022-03-06", PROTO_OP_CLOSE, 1, "K1")).status,
			 PROTO_STATUS_OK);
	ASSERT_VALUE("akta", "", "2022", 1, 2);
	/* a replacement's own content is checked first: a bad element voids nothing */
	ck_assert_int_eq(apply1(replacing(ev("a3", "nothing", V1, "2022-03-10", PROTO_OP_ADD, 1,
					     NULL), "a2")).code, IKI_EELEMENT);
	ASSERT_VALUE("surat", "", "2022", 0, 12);
	assert_rebuild_agrees();
}
END_TEST

/* Lock or unlock a period in a batch of its own. */
static int lock1(const char *period, bool lock)
{
	struct store_batch *b;
	struct store_change *ch;
	size_t n;
	ck_assert_int_eq(store_begin(st, &b), 0);
	int rc = store_lock(b, period, lock, "admin");
	if (rc < 0) {
		store_abort(&b);
		return rc;
	}
	ck_assert_int_eq(store_commit(&b, &ch, &n), 0);
	free(ch);
	return rc;
}

START_TEST(test_store_locked_period_refuses_events_and_corrections)
{
	apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL));
	ck_assert_int_eq(lock1("2022Q1", true), 0);
	ck_assert_int_eq(lock1("2022Q1", true), 1);
	ck_assert_int_eq(lock1("2022Q5", true), IKI_EPERIOD);
	ck_assert_int_eq(apply1(ev("b", "surat_masuk", V1, "2022-02-01", PROTO_OP_ADD, 1, NULL)).code,
			 IKI_ELOCKED);
	ck_assert_int_eq(apply1(voiding("v", "a")).code, IKI_ELOCKED);
	/* a replacement dated outside, of an event inside: still refused */
	ck_assert_int_eq(apply1(replacing(ev("r", "surat_masuk", V1, "2022-04-10", PROTO_OP_ADD, 9,
					     NULL), "a")).code, IKI_ELOCKED);
	ck_assert_int_eq(apply1(ev("c", "surat_masuk", V1, "2022-04-01", PROTO_OP_ADD, 1, NULL)).status,
			 PROTO_STATUS_OK);
	ASSERT_VALUE("surat", "", "2022", 0, 11);
	struct proto_lock *l;
	size_t n;
	ck_assert_int_eq(store_locks(st, &l, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(l[0].period, "2022Q1");
	ck_assert_str_eq(l[0].who, "admin");
	free(l);
	/* locks survive a reopen, and a rebuild */
	store_close(&st);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
	uint64_t replayed, skipped;
	ck_assert_int_eq(store_rebuild(st, &replayed, &skipped), 0);
	ck_assert_int_eq(apply1(ev("d", "surat_masuk", V1, "2022-03-31", PROTO_OP_ADD, 1, NULL)).code,
			 IKI_ELOCKED);
	ck_assert_int_eq(lock1("2022Q1", false), 0);
	ck_assert_int_eq(apply1(voiding("v", "a")).status, PROTO_STATUS_OK);
	ASSERT_VALUE("surat", "", "2022", 0, 1);
	/* voiding an open takes its close: not when the close is in a locked period */
	apply1(ev("k1", "kriminal", V2, "2022-03-20", PROTO_OP_OPEN, 1, "K1"));
	apply1(ev("k2", "kriminal", V2, "2022-04-20", PROTO_OP_CLOSE, 1, "K1"));
	ck_assert_int_eq(lock1("2022Q2", true), 0);
	ck_assert_int_eq(apply1(voiding("vk", "k1")).code, IKI_ELOCKED);
	ASSERT_VALUE("kriminal", "", "2022Q2", 1, 0);
}
END_TEST

START_TEST(test_store_history_follows_the_chain)
{
	struct proto_stored *h;
	size_t n;
	apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL));
	apply1(replacing(ev("a2", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 12, NULL), "a"));
	apply1(voiding("a3", "a2"));
	/* from any link of the chain: the whole of it, oldest first */
	const char *const from[] = {"a", "a2", "a3"};
	for (int f = 0; f < 3; f++) {
		ck_assert_int_eq(store_history(st, from[f], NULL, &h, &n), 0);
		ck_assert_uint_eq(n, 3);
		ck_assert_str_eq(h[0].ev.id, "a");
		ck_assert_int_eq(h[0].ev.value, 10);
		ck_assert_str_eq(h[0].voided_by, "a2");
		ck_assert_str_eq(h[0].who, "test");
		ck_assert_uint_gt(h[0].at_ms, 1600000000000ull);
		ck_assert_str_eq(h[1].ev.id, "a2");
		ck_assert_str_eq(h[1].ev.ref, "a");
		ck_assert_str_eq(h[1].voided_by, "a3");
		ck_assert_str_eq(h[2].ev.id, "a3");
		ck_assert_int_eq(h[2].ev.op, PROTO_OP_VOID);
		ck_assert_str_eq(h[2].voided_by, "");
		free(h);
	}
	ck_assert_int_eq(store_history(st, "nothing", NULL, &h, &n), -ENOENT);
}
END_TEST

/* ---- verify, a full map, backup ---- */

/* Verify the store; returns the report (checked for a storage error). */
static struct store_report verify1(struct store *s)
{
	struct store_report r;
	ck_assert_int_eq(store_verify(s, &r), 0);
	return r;
}

/* One event of every kind, a correction of each sort, and a lock. */
static void apply_mix(void)
{
	apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL));
	apply1(ev("b", "surat_tepat", V1, "2022-03-11", PROTO_OP_ADD, 7, NULL));
	apply1(ev("c", "desa_tertib", V1, "2022-03-20", PROTO_OP_SET, 1, NULL));
	apply1(ev("d", "desa_tertib", V1, "2022-03-05", PROTO_OP_SET, 0, NULL));
	apply1(ev("e", "desa_sasaran", V2, "2022-03-01", PROTO_OP_SET, 1, NULL));
	apply1(ev("f", "akta", V2, "2022-03-01", PROTO_OP_OPEN, 1, "K1"));
	apply1(ev("g", "akta", V2, "2022-03-10", PROTO_OP_CLOSE, 1, "K1"));
	apply1(ev("h", "akta", V1, "2022-04-02", PROTO_OP_OPEN, 1, "K2"));
	apply1(ev("i", "surat_masuk", V2, "2022-05-02", PROTO_OP_ADD, 3, NULL));
	ck_assert_int_eq(apply1(voiding("j", "i")).status, PROTO_STATUS_OK);
	ck_assert_int_eq(apply1(replacing(ev("k", "surat_masuk", V1, "2022-03-12", PROTO_OP_ADD, 12,
					     NULL), "a")).status, PROTO_STATUS_OK);
	ck_assert_int_eq(lock1("2022Q1", true), 0);
}

START_TEST(test_store_verify_finds_a_consistent_store_consistent)
{
	struct store_report r = verify1(st);
	ck_assert_uint_eq(r.events, 0);
	ck_assert_uint_eq(r.mismatches, 0);
	apply_mix();
	r = verify1(st);
	ck_assert_uint_eq(r.events, 11);
	ck_assert_uint_eq(r.skipped, 0);
	ck_assert_uint_gt(r.compared, 50);
	ck_assert_uint_eq(r.mismatches, 0);
	ck_assert_uint_eq(r.n_shown, 0);
}
END_TEST

/* Apply n events of surat_masuk, value each, at V1 in March 2022 (ids "<prefix>-<i>"), in
 * batches of 500; returns how many were accepted, and counts the sum_overflow refusals. */
static int apply_many(const char *prefix, int n, int64_t each, int *overflow)
{
	int ok = 0;
	for (int i = 0; i < n;) {
		struct store_batch *b;
		struct store_change *ch;
		size_t m;
		ck_assert_int_eq(store_begin(st, &b), 0);
		for (int k = 0; k < 500 && i < n; k++, i++) {
			char id[32];
			struct proto_result r;
			snprintf(id, sizeof(id), "%s-%d", prefix, i);
			struct proto_event e = ev(id, "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, each, NULL);
			ck_assert_int_eq(store_apply(b, &e, "test", &r), 0);
			ok += r.status == PROTO_STATUS_OK;
			if (r.status == PROTO_STATUS_ERROR) {
				ck_assert_int_eq(r.code, IKI_EOVERFLOW);
				ck_assert_ptr_nonnull(strstr(r.message, "surat_masuk"));
				(*overflow)++;
			}
		}
		ck_assert_int_eq(store_commit(&b, &ch, &m), 0);
		free(ch);
	}
	return ok;
}

START_TEST(test_store_sums_stop_at_their_bound_and_refuse_the_event)
{
	int overflow = 0;
	/* 10,000 events of the documented maximum: the first 1,000 fill every sum to 10^18 */
	ck_assert_int_eq(apply_many("big", 10000, STORE_VALUE_MAX, &overflow), 1000);
	ck_assert_int_eq(overflow, 9000);
	ASSERT_VALUE("surat", "", "2022", 0, STORE_SUM_MAX);
	ASSERT_VALUE("surat", V1, "202203", 0, STORE_SUM_MAX);
	ck_assert_uint_eq(events(), 1000);
	/* a refused event leaves its batch whole: the next one, elsewhere, applies */
	struct store_batch *b;
	struct store_change *ch;
	struct proto_result r1, r2;
	size_t n;
	struct proto_event e1 = ev("x1", "surat_masuk", V2, "2022-03-10", PROTO_OP_ADD, 1, NULL);
	struct proto_event e2 = ev("x2", "surat_masuk", V1, "2022-04-10", PROTO_OP_ADD, 1, NULL);
	ck_assert_int_eq(store_begin(st, &b), 0);
	ck_assert_int_eq(store_apply(b, &e1, "test", &r1), 0);
	ck_assert_int_eq(store_apply(b, &e2, "test", &r2), 0);
	ck_assert_int_eq(store_commit(&b, &ch, &n), 0);
	free(ch);
	ck_assert_int_eq(r1.code, IKI_EOVERFLOW); /* the kecamatan's year is full */
	ck_assert_int_eq(r2.code, IKI_EOVERFLOW);
	ASSERT_VALUE("surat", V2, "202203", 0, 0);
	ck_assert_int_eq(apply1(ev("s1", "desa_tertib", V1, "2022-03-01", PROTO_OP_SET, 1, NULL)).code, 0);
	struct store_report rep = verify1(st);
	ck_assert_uint_eq(rep.mismatches, 0);
	ck_assert_uint_eq(rep.skipped, 0);
	uint64_t replayed, skipped;
	ck_assert_int_eq(store_rebuild(st, &replayed, &skipped), 0);
	ck_assert_uint_eq(skipped, 0);
	ASSERT_VALUE("surat", "", "2022", 0, STORE_SUM_MAX);
}
END_TEST

/* A process holding every reader slot of the store (until killed); its pid. */
static pid_t readers_fill(void)
{
	int fds[2];
	char c;
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		MDB_env *env;
		MDB_txn *txn;
		close(fds[0]);
		if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 16) ||
		    mdb_env_open(env, dir, MDB_RDONLY | MDB_NOTLS, 0640))
			_exit(1);
		while (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0)
			; /* one slot each, never ended */
		if (write(fds[1], "f", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	close(fds[0]);
	return pid;
}

START_TEST(test_store_reads_refuse_when_no_transaction_begins)
{
	struct proto_lock *locks = NULL;
	struct store_target *targets = NULL;
	struct proto_stored *h = NULL;
	size_t n = 99;
	bool more;
	int dead;
	pid_t pid = readers_fill(); /* this thread has no reader slot yet: none can be had */
	ck_assert_int_eq(store_locks(st, &locks, &n), IKI_ESTORAGE);
	ck_assert_int_eq(store_targets(st, &targets, &n), IKI_ESTORAGE);
	ck_assert_int_eq(store_history(st, "a", NULL, &h, &n), IKI_ESTORAGE);
	ck_assert_int_eq(store_history_value(st, 0, 0, (struct period){PERIOD_YEAR, 2022, 0}, &h, &n,
					     &more), IKI_ESTORAGE);
	ck_assert_uint_eq(n, 99);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	ck_assert_int_eq(store_readers_check(st, &dead), 0);
	ck_assert_int_gt(dead, 100);
	ck_assert_int_eq(store_locks(st, &locks, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(locks);
}
END_TEST

/* Open the store's environment behind its back (the store closed), to spoil it. */
static MDB_env *raw_open(void)
{
	MDB_env *env;
	store_close(&st);
	ck_assert_int_eq(mdb_env_create(&env), 0);
	ck_assert_int_eq(mdb_env_set_maxdbs(env, 16), 0);
	ck_assert_int_eq(mdb_env_open(env, dir, 0, 0640), 0);
	return env;
}

static void raw_put(MDB_txn *txn, const char *db, const void *key, size_t klen, const void *val,
		    size_t vlen)
{
	MDB_dbi dbi;
	MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
	ck_assert_int_eq(mdb_dbi_open(txn, db, 0, &dbi), 0);
	ck_assert_int_eq(val ? mdb_put(txn, dbi, &k, &v, 0) : mdb_del(txn, dbi, &k, NULL), 0);
}

static const struct store_mismatch *shown(const struct store_report *r, const char *what,
					  const char *name)
{
	for (size_t i = 0; i < r->n_shown; i++)
		if (!strcmp(r->shown[i].what, what) && !strcmp(r->shown[i].name, name))
			return &r->shown[i];
	return NULL;
}

START_TEST(test_store_verify_reports_what_differs_and_changes_nothing)
{
	static const char sum_key[] = "surat_masuk\0" V1 "\0" "202203";
	static const char case_key[] = "akta\0K1\0" V2; /* a case id at its org unit */
	int64_t wrong = 99;
	apply_mix();
	MDB_env *env = raw_open();
	MDB_txn *txn;
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	raw_put(txn, "agg", sum_key, sizeof(sum_key) - 1, &wrong, sizeof(wrong));
	raw_put(txn, "cases", case_key, sizeof(case_key) - 1, NULL, 0);
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);

	struct store_report r = verify1(st);
	ck_assert_uint_eq(r.events, 11);
	ck_assert_uint_eq(r.mismatches, 2);
	ck_assert_uint_eq(r.n_shown, 2);
	const struct store_mismatch *m = shown(&r, "sum", "surat_masuk");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->indicator, "surat");
	ck_assert_str_eq(m->orgunit, V1);
	ck_assert_str_eq(m->period, "202203");
	ck_assert_str_eq(m->stored, "99");
	ck_assert_str_eq(m->recomputed, "12");
	m = shown(&r, "case", "akta K1");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->orgunit, V2);
	ck_assert_str_eq(m->stored, "none");
	ck_assert_str_eq(m->recomputed, "opened 2022-03-01, closed 2022-03-10");
	/* It only looked: the spoilt value is still served. A rebuild mends it. */
	ASSERT_VALUE("surat", V1, "202203", 7, 99);
	uint64_t replayed, skipped;
	ck_assert_int_eq(store_rebuild(st, &replayed, &skipped), 0);
	ck_assert_uint_eq(verify1(st).mismatches, 0);
	ASSERT_VALUE("surat", V1, "202203", 7, 12);
}
END_TEST

/* A store of schema 3 kept cases by case id alone: opened, its cases are rebuilt per org unit. */
START_TEST(test_store_upgrade_keeps_cases_per_org_unit)
{
	static const char old_key[] = "akta\0K1\0", new_key[] = "akta\0K1\0" V2;
	static const uint8_t three[8] = {0, 0, 0, 0, 0, 0, 0, 3};
	apply_mix();
	MDB_env *env = raw_open();
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = {sizeof(new_key) - 1, (void *)new_key}, v;
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "cases", 0, &dbi), 0);
	ck_assert_int_eq(mdb_get(txn, dbi, &k, &v), 0);
	uint8_t rec[512];
	size_t len = v.mv_size;
	memcpy(rec, v.mv_data, len);
	raw_put(txn, "cases", new_key, sizeof(new_key) - 1, NULL, 0);
	raw_put(txn, "cases", old_key, sizeof(old_key) - 1, rec, len);
	raw_put(txn, "meta", "schema", 6, three, sizeof(three));
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
	ck_assert_uint_eq(verify1(st).mismatches, 0);
	env = raw_open();
	ck_assert_int_eq(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
	ck_assert_int_eq(mdb_dbi_open(txn, "cases", 0, &dbi), 0);
	ck_assert_int_eq(mdb_get(txn, dbi, &k, &v), 0); /* rebuilt under the new key */
	k = (MDB_val){sizeof(old_key) - 1, (void *)old_key};
	ck_assert_int_eq(mdb_get(txn, dbi, &k, &v), MDB_NOTFOUND); /* and the old one gone */
	mdb_txn_abort(txn);
	mdb_env_close(env);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
}
END_TEST

/* A log an older ikid accepted past the bound (10,000 x 10^15): its stored sums wrapped. */
START_TEST(test_store_verify_finds_sums_an_older_ikid_wrapped)
{
	int overflow = 0;
	for (int round = 0; round < 10; round++) { /* each round fills the sums, then forgets them */
		char prefix[16];
		snprintf(prefix, sizeof(prefix), "w%d", round);
		ck_assert_int_eq(apply_many(prefix, 1000, STORE_VALUE_MAX, &overflow), 1000);
		MDB_env *env = raw_open();
		MDB_txn *txn;
		MDB_dbi dbi;
		ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
		ck_assert_int_eq(mdb_dbi_open(txn, "agg", 0, &dbi), 0);
		ck_assert_int_eq(mdb_drop(txn, dbi, 0), 0);
		ck_assert_int_eq(mdb_txn_commit(txn), 0);
		mdb_env_close(env);
		ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
	}
	ck_assert_uint_eq(events(), 10000);
	/* what the unchecked additions stored: 10^19 modulo 2^64 */
	int64_t wrapped = -8446744073709551616LL;
	MDB_env *env = raw_open();
	MDB_txn *txn;
	static const char *const periods[] = {"202203", "2022Q1", "2022"};
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	for (int i = 0; i < 3; i++)
		for (int o = 0; o < 2; o++) {
			char key[64];
			int n = snprintf(key, sizeof(key), "surat_masuk%c%s%c%s", 0, o ? V1 : "35.27.03", 0,
					 periods[i]);
			raw_put(txn, "agg", key, (size_t)n, &wrapped, sizeof(wrapped));
		}
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
	struct store_report r = verify1(st);
	ck_assert_uint_eq(r.events, 10000);
	ck_assert_uint_eq(r.skipped, 9000); /* the recomputation refuses what passes the bound */
	ck_assert_uint_eq(r.mismatches, 6);
	const struct store_mismatch *m = shown(&r, "sum", "surat_masuk");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->stored, "-8446744073709551616");
	ck_assert_str_eq(m->recomputed, "1000000000000000000");
}
END_TEST

START_TEST(test_store_verify_checks_the_id_index_and_the_counter)
{
	uint8_t seq[8] = {0, 0, 0, 0, 0, 0, 0, 2}, count[8] = {0, 0, 0, 0, 0, 0, 0, 12};
	apply_mix();
	MDB_env *env = raw_open();
	MDB_txn *txn;
	ck_assert_int_eq(mdb_txn_begin(env, NULL, 0, &txn), 0);
	raw_put(txn, "ids", "a", 1, seq, sizeof(seq)); /* "a" is event #1 */
	raw_put(txn, "ids", "c", 1, NULL, 0);
	raw_put(txn, "meta", "events", 6, count, sizeof(count));
	ck_assert_int_eq(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
	struct store_report r = verify1(st);
	ck_assert_uint_eq(r.mismatches, 3);
	const struct store_mismatch *m = shown(&r, "id", "a");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->stored, "event #2");
	ck_assert_str_eq(m->recomputed, "event #1");
	ck_assert_ptr_nonnull(m = shown(&r, "id", "c"));
	ck_assert_str_eq(m->stored, "none");
	ck_assert_ptr_nonnull(m = shown(&r, "count", "events"));
	ck_assert_str_eq(m->stored, "12");
	ck_assert_str_eq(m->recomputed, "11");
}
END_TEST

/* Reopen the store with a map of initial size map growing up to max (no syncs: fast). */
static void reopen_map(size_t map, size_t max)
{
	struct store_options o = {.map_size = map, .map_max = max, .no_sync = 1};
	store_close(&st);
	ck_assert_int_eq(store_open(dir, cat, &o, &st), 0);
}

/* Event number i: surat_masuk, value 1, spread over villages and days of 2022. */
static struct proto_event counted(uint64_t i)
{
	char id[32], date[16];
	snprintf(id, sizeof(id), "n%llu", (unsigned long long)i);
	snprintf(date, sizeof(date), "2022-%02d-%02d", (int)(i % 12) + 1, (int)(i / 12 % 28) + 1);
	return ev(id, "surat_masuk", i % 2 ? V1 : V2, date, PROTO_OP_ADD, 1, NULL);
}

START_TEST(test_store_full_map_grows_inside_a_batch)
{
	struct store_batch *b;
	struct store_change *ch;
	struct proto_result r;
	size_t n, size, max;
	reopen_map(64 << 10, 64 << 20);
	ck_assert_int_eq(store_begin(st, &b), 0);
	for (uint64_t i = 0; i < 3000; i++) {
		struct proto_event e = counted(i);
		ck_assert_int_eq(store_apply(b, &e, "t", &r), 0);
		ck_assert_int_eq(r.status, PROTO_STATUS_OK);
	}
	struct proto_event again = counted(7); /* a duplicate inside the batch: still one */
	ck_assert_int_eq(store_apply(b, &again, "t", &r), 0);
	ck_assert_int_eq(r.status, PROTO_STATUS_DUPLICATE);
	ck_assert_int_eq(store_commit(&b, &ch, &n), 0);
	free(ch);
	store_map_size(st, &size, &max);
	ck_assert_uint_gt(size, 64 << 10);
	ck_assert_uint_eq(events(), 3000);
	ASSERT_VALUE("surat", "", "2022", 0, 3000);
	ck_assert_uint_eq(verify1(st).mismatches, 0);
}
END_TEST

/* Apply events [from, from + n) in one batch; the storage outcome (0 when committed). */
static int apply_batch(uint64_t from, uint64_t n)
{
	struct store_batch *b;
	struct store_change *ch = NULL;
	struct proto_result r;
	size_t m;
	int rc = store_begin(st, &b);
	for (uint64_t i = from; rc == 0 && i < from + n; i++) {
		struct proto_event e = counted(i);
		rc = store_apply(b, &e, "t", &r);
		ck_assert(rc < 0 || r.status != PROTO_STATUS_ERROR);
	}
	if (rc < 0) {
		store_abort(&b);
		return rc;
	}
	rc = store_commit(&b, &ch, &m);
	free(ch);
	return rc;
}

START_TEST(test_store_full_map_at_its_maximum_refuses_whole_batches_and_serves_on)
{
	size_t size, max;
	uint64_t stored = 0;
	int rc = 0;
	reopen_map(64 << 10, 1 << 20);
	for (int k = 0; k < 1000 && rc == 0; k++)
		if ((rc = apply_batch(stored, 40)) == 0)
			stored += 40;
	ck_assert_int_eq(rc, IKI_EFULL);
	store_map_size(st, &size, &max);
	ck_assert_uint_eq(size, max);
	ck_assert_uint_gt(stored, 1000); /* it grew from 64 KiB before it was full */
	/* Nothing of the refused batch is stored, and everything before it is, consistently. */
	ck_assert_uint_eq(events(), stored);
	ASSERT_VALUE("surat", "", "2022", 0, (int64_t)stored);
	ck_assert_uint_eq(verify1(st).mismatches, 0);
	/* Resent events are still answered (nothing to write), new ones refused again. */
	ck_assert_int_eq(apply_batch(0, 40), 0);
	ck_assert_int_eq(apply_batch(stored, 40), IKI_EFULL);
	ck_assert_uint_eq(events(), stored);
	/* A bigger maximum (ikid --map-size) takes them. */
	reopen_map(64 << 10, 4 << 20);
	ck_assert_int_eq(apply_batch(stored, 40), 0);
	ASSERT_VALUE("surat", "", "2022", 0, (int64_t)stored + 40);
	ck_assert_uint_eq(verify1(st).mismatches, 0);
}
END_TEST

START_TEST(test_store_rebuild_grows_a_full_map)
{
	uint64_t replayed, skipped;
	size_t size, max, before;
	reopen_map(64 << 10, 16 << 20);
	ck_assert_int_eq(apply_batch(0, 2000), 0);
	reopen_map(4096, 16 << 20); /* the map is what the file holds: no room for a rebuild's copy */
	store_map_size(st, &before, &max);
	ck_assert_int_eq(store_rebuild(st, &replayed, &skipped), 0);
	ck_assert_uint_eq(replayed, 2000);
	store_map_size(st, &size, &max);
	ck_assert_uint_gt(size, before);
	ASSERT_VALUE("surat", "", "2022", 0, 2000);
	ck_assert_uint_eq(verify1(st).mismatches, 0);
}
END_TEST

START_TEST(test_store_backup_is_a_consistent_copy)
{
	char dest[96], other[96], none[96];
	uint64_t n = 0;
	struct store *copy;
	struct store_options ro = {.read_only = 1};
	apply_mix();
	store_close(&st); /* LMDB: one environment per file in a process; ikid --backup is another */
	snprintf(dest, sizeof(dest), "%s/backup", dir);
	snprintf(other, sizeof(other), "%s/backup2", dir);
	snprintf(none, sizeof(none), "%s/none", dir);
	ck_assert_int_eq(store_backup(dir, dest, &n), 0);
	ck_assert_uint_eq(n, 11);
	ck_assert_int_eq(store_backup(dir, dest, &n), -EEXIST);
	ck_assert_int_eq(store_backup(none, other, &n), -ENOENT);
	ck_assert_int_eq(access(other, F_OK), 0);
	snprintf(other, sizeof(other), "%s/backup2/data.mdb", dir);
	ck_assert_int_eq(access(other, F_OK), -1); /* nothing there that looks like a store */
	ck_assert_int_eq(store_open(dest, cat, &ro, &copy), 0);
	ck_assert_uint_eq(verify1(copy).mismatches, 0);
	st = copy; /* the values the copy serves */
	ASSERT_VALUE("surat", V1, "202203", 7, 12);
	ASSERT_VALUE("akta", "", "2022", 1, 2);
	ASSERT_VALUE("tertib", V1, "202203", 1, 0);
	ASSERT_VALUE("surat", V2, "202205", 0, 0);
}
END_TEST

START_TEST(test_store_read_only_reads_and_never_writes)
{
	struct store *ro;
	struct store_batch *b;
	struct store_options o = {.read_only = 1};
	char none[96];
	snprintf(none, sizeof(none), "%s/none", dir);
	ck_assert_int_eq(store_open(none, cat, &o, &ro), -ENOENT);
	ck_assert_int_eq(access(none, F_OK), -1); /* not made */
	apply1(ev("a", "surat_masuk", V1, "2022-03-10", PROTO_OP_ADD, 10, NULL));
	store_close(&st); /* one environment per file in a process */
	ck_assert_int_eq(store_open(dir, cat, &o, &ro), 0);
	ck_assert_int_lt(store_begin(ro, &b), 0);
	ck_assert_uint_eq(verify1(ro).events, 1);
	st = ro;
	ASSERT_VALUE("surat", V1, "202203", 0, 10);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_store_flow_rolls_up_villages_months_quarters_year);
	tcase_add_test(tc, test_store_duplicate_event_counts_once);
	tcase_add_test(tc, test_store_duplicate_inside_one_batch_counts_once);
	tcase_add_test(tc, test_store_stock_carries_forward_within_its_year);
	tcase_add_test(tc, test_store_cumulative_periods);
	tcase_add_test(tc, test_store_refuses_what_is_not_plausible);
	tcase_add_test(tc, test_store_stock_with_carry_period_counts_only_where_it_was_set);
	tcase_add_test(tc, test_store_case_on_time_judged_from_dates);
	tcase_add_test(tc, test_store_case_errors_write_nothing);
	tcase_add_test(tc, test_store_follow_up_has_no_limit);
	tcase_add_test(tc, test_store_rejects_bad_events_with_codes);
	tcase_add_test(tc, test_store_survives_reopen);
	tcase_add_test(tc, test_store_abort_stores_nothing);
	tcase_add_test(tc, test_store_commit_lists_changed_values_once_with_sequence);
	tcase_add_test(tc, test_store_target_lists_the_values_of_villages_that_inherit_it);
	tcase_add_test(tc, test_store_query_by_jabatan_and_errors);
	tcase_add_test(tc, test_store_rebuild_recomputes_everything_from_the_log);
	tcase_add_test(tc, test_store_snapshot_matches_queries_at_its_sequence);
	tcase_add_test(tc, test_store_pages_of_a_snapshot_and_a_history_make_the_whole);
	tcase_add_test(tc, test_store_void_takes_back_a_flow_and_keeps_the_log);
	tcase_add_test(tc, test_store_void_of_a_state_gives_way_to_the_one_before);
	tcase_add_test(tc, test_store_void_of_a_case_open_takes_its_close);
	tcase_add_test(tc, test_store_replacement_is_whole_or_nothing);
	tcase_add_test(tc, test_store_locked_period_refuses_events_and_corrections);
	tcase_add_test(tc, test_store_history_follows_the_chain);
	tcase_add_test(tc, test_store_notes_keep_every_version);
	tcase_add_test(tc, test_store_sums_stop_at_their_bound_and_refuse_the_event);
	suite_add_tcase(s, tc);
	tc = tcase_create("trust");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_store_verify_finds_a_consistent_store_consistent);
	tcase_add_test(tc, test_store_verify_reports_what_differs_and_changes_nothing);
	tcase_add_test(tc, test_store_upgrade_keeps_cases_per_org_unit);
	tcase_add_test(tc, test_store_verify_checks_the_id_index_and_the_counter);
	tcase_add_test(tc, test_store_verify_finds_sums_an_older_ikid_wrapped);
	tcase_add_test(tc, test_store_reads_refuse_when_no_transaction_begins);
	tcase_add_test(tc, test_store_full_map_grows_inside_a_batch);
	tcase_add_test(tc, test_store_full_map_at_its_maximum_refuses_whole_batches_and_serves_on);
	tcase_add_test(tc, test_store_rebuild_grows_a_full_map);
	tcase_add_test(tc, test_store_backup_is_a_consistent_copy);
	tcase_add_test(tc, test_store_read_only_reads_and_never_writes);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(store_suite)
