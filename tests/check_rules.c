/* check_rules.c: the store's catalog rules for one event (daemon/store_rules.c), without a store:
 * what an event names, the op and value each kind of element and case takes, the budget year and
 * an element's bounds, and the sentences of a refusal. */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "iki.h"
#include "store_rules.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"
#define VILLAGE "35.27.03.2001"

static struct catalog *cat;

static void setup(void)
{
	char *errors = NULL;
	int rc = catalog_load(MINI, &cat, &errors);
	ck_assert_msg(rc == 0, "%s: rc %d\n%s", MINI, rc, errors ? errors : "");
	free(errors);
}

static void teardown(void)
{
	catalog_free(&cat);
}

static struct proto_event event(const char *element, const char *date, enum proto_op op,
				int64_t value, const char *case_id)
{
	struct proto_event ev = {.op = op, .value = value};
	snprintf(ev.id, sizeof(ev.id), "ev-1");
	snprintf(ev.element, sizeof(ev.element), "%s", element);
	snprintf(ev.orgunit, sizeof(ev.orgunit), "%s", VILLAGE);
	snprintf(ev.date, sizeof(ev.date), "%s", date);
	snprintf(ev.case_id, sizeof(ev.case_id), "%s", case_id);
	return ev;
}

/* st_where_find then st_event_check, as the store does; *res zeroed first. */
static int check(const struct proto_event *ev, struct st_resolved *r, struct proto_result *res)
{
	struct store_where at;
	st_where_find(cat, ev, &at);
	memset(r, 0, sizeof(*r));
	memset(res, 0, sizeof(*res));
	return st_event_check(cat, ev, &at, r, res);
}

/* check, and when it passes st_admit_check: a new event's whole judgement by the rules. */
static int admit(const struct proto_event *ev, struct proto_result *res)
{
	struct st_resolved r;
	int rc = check(ev, &r, res);
	return rc ? rc : st_admit_check(cat, ev, &r, res);
}

/* That the call was refused with code, and its message holds part. */
#define ck_refused(rc, res, want, part)                                                   \
	do {                                                                              \
		ck_assert_int_eq((rc), (want));                                           \
		ck_assert_int_eq((res).code, (want));                                     \
		ck_assert_int_eq((res).status, PROTO_STATUS_ERROR);                       \
		ck_assert_msg(strstr((res).message, (part)), "'%s' lacks '%s'", (res).message, \
			      (part));                                                    \
	} while (0)

static int element_index(const char *code)
{
	for (int i = 0; i < cat->n_elements; i++)
		if (!strcmp(cat->elements[i].code, code))
			return i;
	ck_abort_msg("no element %s in %s", code, MINI);
	return -1;
}

START_TEST(test_where_find_names_an_element_a_case_or_nothing)
{
	struct store_where at;
	struct proto_event ev = event("surat_masuk", "2026-03-15", PROTO_OP_ADD, 1, "");
	st_where_find(cat, &ev, &at);
	ck_assert(at.ou >= 0 && at.el >= 0);
	ck_assert_str_eq(cat->orgunits[at.ou].code, VILLAGE);
	ck_assert_str_eq(cat->elements[at.el].code, "surat_masuk");
	ck_assert_int_eq(at.ct, -1);

	ev = event("kriminal", "2026-03-15", PROTO_OP_OPEN, 1, "K-1");
	st_where_find(cat, &ev, &at);
	ck_assert_int_eq(at.el, -1);
	ck_assert(at.ct >= 0);
	ck_assert_str_eq(cat->casetypes[at.ct].code, "kriminal");

	ev = event("surat_keluar", "2026-03-15", PROTO_OP_ADD, 1, "");
	snprintf(ev.orgunit, sizeof(ev.orgunit), "35.27.03.2099");
	st_where_find(cat, &ev, &at);
	ck_assert(at.ou == -1 && at.el == -1 && at.ct == -1);

	struct proto_event bare = {.op = PROTO_OP_VOID}; /* a void names neither: all unknown */
	st_where_find(cat, &bare, &at);
	ck_assert(at.ou == -1 && at.el == -1 && at.ct == -1);
}
END_TEST

START_TEST(test_a_count_is_an_add_of_a_value_from_0_to_the_bound)
{
	struct st_resolved r;
	struct proto_result res;
	struct proto_event ev = event("surat_masuk", "2026-03-15", PROTO_OP_ADD, 3, "");
	ck_assert_int_eq(check(&ev, &r, &res), 0);
	ck_assert_int_eq(res.status, PROTO_STATUS_OK);
	ck_assert_int_eq(res.code, 0);
	ck_assert_str_eq(cat->orgunits[r.ou].code, VILLAGE);
	ck_assert_str_eq(cat->elements[r.el].code, "surat_masuk");
	ck_assert_int_eq(r.ct, -1);
	ck_assert_int_eq(r.date, 20527); /* days from 1970-01-01 to 2026-03-15 */

	ev.value = 0;
	ck_assert_int_eq(check(&ev, &r, &res), 0);
	ev.value = STORE_VALUE_MAX;
	ck_assert_int_eq(check(&ev, &r, &res), 0);
	ev.value = STORE_VALUE_MAX + 1;
	ck_refused(check(&ev, &r, &res), res, IKI_EVALUE, "surat_masuk");
	ev.value = -1;
	ck_refused(check(&ev, &r, &res), res, IKI_EVALUE, "nilai harus 0 atau lebih");
}
END_TEST

START_TEST(test_a_flow_takes_add_and_a_level_takes_set)
{
	struct st_resolved r;
	struct proto_result res;
	struct proto_event ev = event("surat_masuk", "2026-03-15", PROTO_OP_SET, 3, "");
	ck_refused(check(&ev, &r, &res), res, IKI_EOP, "memakai op 'add'");

	ev = event("desa_tertib", "2026-03-15", PROTO_OP_ADD, 1, ""); /* aggregate = last */
	ck_refused(check(&ev, &r, &res), res, IKI_EOP, "desa_tertib memakai op 'set'");
	ev.op = PROTO_OP_SET;
	ck_assert_int_eq(check(&ev, &r, &res), 0);
	ck_assert_str_eq(cat->elements[r.el].code, "desa_tertib");

	ev.op = PROTO_OP_OPEN; /* a case's op on an element */
	ck_refused(check(&ev, &r, &res), res, IKI_EOP, "'set'");
}
END_TEST

START_TEST(test_a_missing_value_is_refused_not_taken_as_one)
{
	struct st_resolved r;
	struct proto_result res;
	struct proto_event ev = event("surat_masuk", "2026-03-15", PROTO_OP_ADD, 1, "");
	ev.no_value = true; /* the decoder's value 1 of an event without one */
	ck_refused(check(&ev, &r, &res), res, IKI_EVALUE, "Nilai surat_masuk belum diisi");
	ev.no_value = false;
	ck_assert_int_eq(check(&ev, &r, &res), 0);
}
END_TEST

START_TEST(test_a_case_opens_and_closes_with_an_id_and_the_value_1)
{
	struct st_resolved r;
	struct proto_result res;
	struct proto_event ev = event("akta", "2026-03-15", PROTO_OP_OPEN, 1, "A-1");
	ck_assert_int_eq(check(&ev, &r, &res), 0);
	ck_assert_int_eq(r.el, -1);
	ck_assert_str_eq(cat->casetypes[r.ct].code, "akta");
	ck_assert_int_eq(r.date, 20527);
	ev.op = PROTO_OP_CLOSE;
	ck_assert_int_eq(check(&ev, &r, &res), 0);
	ck_assert_str_eq(cat->casetypes[r.ct].code, "akta");

	ev.op = PROTO_OP_ADD;
	ck_refused(check(&ev, &r, &res), res, IKI_EOP, "kasus akta memakai op 'open' atau 'close'");
	ev.op = PROTO_OP_VOID; /* the store takes a void aside: it never passes for an open */
	ck_refused(check(&ev, &r, &res), res, IKI_EOP, "kasus akta");
	ev.op = PROTO_OP_CLOSE;
	ev.case_id[0] = '\0';
	ck_refused(check(&ev, &r, &res), res, IKI_ECASEID, "kasus akta");
	snprintf(ev.case_id, sizeof(ev.case_id), "A-1");
	ev.value = 2;
	ck_refused(check(&ev, &r, &res), res, IKI_EVALUE, "kasus akta: nilai harus 1");
}
END_TEST

START_TEST(test_a_broken_field_then_the_orgunit_then_the_date_then_the_element)
{
	struct st_resolved r;
	struct proto_result res;
	struct proto_event ev = event("surat_keluar", "2026-02-30", PROTO_OP_ADD, 1, "");
	snprintf(ev.orgunit, sizeof(ev.orgunit), "35.27.03.2099");
	ev.err = IKI_EFIELD;
	snprintf(ev.err_field, sizeof(ev.err_field), "comment");
	ck_refused(check(&ev, &r, &res), res, IKI_EFIELD, "kolom 'comment'");
	ev.err = 0;
	ck_refused(check(&ev, &r, &res), res, IKI_EORGUNIT, "orgunit: 35.27.03.2099");
	snprintf(ev.orgunit, sizeof(ev.orgunit), "%s", VILLAGE);
	ck_refused(check(&ev, &r, &res), res, IKI_EDATE, "date: 2026-02-30");
	snprintf(ev.date, sizeof(ev.date), "2026-3-15");
	ck_refused(check(&ev, &r, &res), res, IKI_EDATE, "date: 2026-3-15");
	snprintf(ev.date, sizeof(ev.date), "2026-03-15");
	ck_refused(check(&ev, &r, &res), res, IKI_EELEMENT, "element: surat_keluar");
	/* the refusal is the code's sentence with the detail after it */
	char want[PROTO_TEXT_MAX + 1];
	snprintf(want, sizeof(want), "%s (element: surat_keluar)", iki_strerror(IKI_EELEMENT));
	ck_assert_str_eq(res.message, want);
}
END_TEST

START_TEST(test_ids_are_checked_own_then_ref_then_case)
{
	struct proto_event ev = event("akta", "2026-03-15", PROTO_OP_OPEN, 1, "A-1");
	ck_assert_str_eq(st_ids_check(&ev), "");
	snprintf(ev.id, sizeof(ev.id), "a-_.:/@+#~=Z9"); /* every punctuation of STORE_ID_PUNCT */
	ck_assert_str_eq(st_ids_check(&ev), "");
	snprintf(ev.ref, sizeof(ev.ref), "ev-0"); /* a correction's ref */
	ck_assert_str_eq(st_ids_check(&ev), "");

	snprintf(ev.case_id, sizeof(ev.case_id), "A\xc3\xa9"); /* UTF-8 */
	ck_assert_str_eq(st_ids_check(&ev), "case");
	snprintf(ev.ref, sizeof(ev.ref), "ev 0");
	ck_assert_str_eq(st_ids_check(&ev), "ref");
	snprintf(ev.id, sizeof(ev.id), "ev\t1");
	ck_assert_str_eq(st_ids_check(&ev), "id");
	ev.id[0] = '\0';
	ck_assert_str_eq(st_ids_check(&ev), "id");

	struct proto_event plain = event("surat_masuk", "2026-03-15", PROTO_OP_ADD, 1, "");
	ck_assert_str_eq(st_ids_check(&plain), ""); /* no ref, no case: only the id is asked */
}
END_TEST

START_TEST(test_admit_holds_an_event_to_the_budget_year)
{
	struct proto_result res;
	struct proto_event ev = event("surat_masuk", "2025-12-20", PROTO_OP_ADD, 1, "");
	ck_assert_int_eq(cat->year, 0); /* mini.conf names no year: any year goes */
	ck_assert_int_eq(admit(&ev, &res), 0);

	cat->year = 2026;
	ck_refused(admit(&ev, &res), res, IKI_EYEAR, "date 2025-12-20: tahun anggaran 2026");
	ck_assert_ptr_null(strstr(res.message, "kasus")); /* the case's hint is for cases */
	snprintf(ev.date, sizeof(ev.date), "2027-01-05");
	ck_refused(admit(&ev, &res), res, IKI_EYEAR, "tahun anggaran 2026");
	snprintf(ev.date, sizeof(ev.date), "2026-01-01");
	ck_assert_int_eq(admit(&ev, &res), 0);
	snprintf(ev.date, sizeof(ev.date), "2026-12-31");
	ck_assert_int_eq(admit(&ev, &res), 0);
}
END_TEST

START_TEST(test_admit_lets_a_case_reach_over_the_year_at_its_ends_only)
{
	struct proto_result res;
	cat->year = 2026;
	struct proto_event ev = event("akta", "2025-12-20", PROTO_OP_OPEN, 1, "A-1");
	ck_assert_int_eq(admit(&ev, &res), 0); /* begun in December, closed in the year */
	snprintf(ev.date, sizeof(ev.date), "2024-12-20");
	ck_refused(admit(&ev, &res), res, IKI_EYEAR, "kasus boleh dibuka sejak tahun sebelumnya");
	snprintf(ev.date, sizeof(ev.date), "2027-01-05");
	ck_refused(admit(&ev, &res), res, IKI_EYEAR, "tahun anggaran 2026");

	ev.op = PROTO_OP_CLOSE;
	snprintf(ev.date, sizeof(ev.date), "2025-12-20");
	ck_refused(admit(&ev, &res), res, IKI_EYEAR, "tahun anggaran 2026");
	snprintf(ev.date, sizeof(ev.date), "2027-01-05");
	ck_assert(!cat->casetypes[0].close_at_open && !cat->casetypes[1].close_at_open);
	ck_refused(admit(&ev, &res), res, IKI_EYEAR, "tahun anggaran 2026");
	for (int i = 0; i < cat->n_casetypes; i++)
		cat->casetypes[i].close_at_open = true; /* count_close = open: December's report */
	ck_assert_int_eq(admit(&ev, &res), 0);
	snprintf(ev.date, sizeof(ev.date), "2028-01-05");
	ck_refused(admit(&ev, &res), res, IKI_EYEAR, "tahun anggaran 2026");
}
END_TEST

START_TEST(test_admit_holds_an_element_to_its_min_and_max)
{
	struct proto_result res;
	struct catalog_element *e = &cat->elements[element_index("surat_masuk")];
	ck_assert_int_eq(e->min, 0);
	ck_assert_int_eq(e->max, CATALOG_VALUE_MAX);
	e->min = 5;
	e->max = 1000;
	struct proto_event ev = event("surat_masuk", "2026-03-15", PROTO_OP_ADD, 5, "");
	ck_assert_int_eq(admit(&ev, &res), 0);
	ev.value = 1000;
	ck_assert_int_eq(admit(&ev, &res), 0);
	ev.value = 4;
	ck_refused(admit(&ev, &res), res, IKI_EVALUE, "surat_masuk: nilai paling kecil 5, bukan 4");
	ev.value = 1001;
	ck_refused(admit(&ev, &res), res, IKI_EVALUE,
		   "surat_masuk: nilai paling besar 1.000, bukan 1001; salah ketik?");

	struct proto_event open = event("akta", "2026-03-15", PROTO_OP_OPEN, 1, "A-1");
	e->min = 2; /* an element's bounds are not a case's */
	ck_assert_int_eq(admit(&open, &res), 0);
}
END_TEST

START_TEST(test_a_refusal_longer_than_a_message_is_cut_on_a_whole_character)
{
	struct proto_result res = {0};
	char text[700] = "x";
	for (int i = 0; i < 300; i++)
		strcat(text, "\xc3\xa9"); /* 'é': byte 400 is the first half of one */
	ck_assert_int_eq(st_refuse(&res, IKI_EVALUE, "%s", text), IKI_EVALUE);
	ck_assert_int_eq(res.status, PROTO_STATUS_ERROR);
	ck_assert_int_eq(res.code, IKI_EVALUE);
	ck_assert_uint_eq(strlen(res.message), 399);
	ck_assert_int_eq((unsigned char)res.message[398], 0xa9);
	ck_assert_int_eq(memcmp(res.message, text, 399), 0);
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_where_find_names_an_element_a_case_or_nothing);
	tcase_add_test(tc, test_a_count_is_an_add_of_a_value_from_0_to_the_bound);
	tcase_add_test(tc, test_a_flow_takes_add_and_a_level_takes_set);
	tcase_add_test(tc, test_a_missing_value_is_refused_not_taken_as_one);
	tcase_add_test(tc, test_a_case_opens_and_closes_with_an_id_and_the_value_1);
	tcase_add_test(tc, test_a_broken_field_then_the_orgunit_then_the_date_then_the_element);
	tcase_add_test(tc, test_ids_are_checked_own_then_ref_then_case);
	tcase_add_test(tc, test_admit_holds_an_event_to_the_budget_year);
	tcase_add_test(tc, test_admit_lets_a_case_reach_over_the_year_at_its_ends_only);
	tcase_add_test(tc, test_admit_holds_an_element_to_its_min_and_max);
	tcase_add_test(tc, test_a_refusal_longer_than_a_message_is_cut_on_a_whole_character);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(rules_suite)
