/* check_catalog.c: the catalog reader: the shipped catalogs load right, broken ones fail with file:line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "iki.h"

#define MINI "tests/data/mini.conf"
#define SAMPANG "catalog/sampang-2022.conf"

START_TEST(test_mini_loads_with_counts_and_quantities)
{
	struct catalog *c = NULL;
	char *errors = NULL;
	ck_assert_int_eq(catalog_load(MINI, &c, &errors), 0);
	ck_assert_ptr_null(errors);
	ck_assert_str_eq(c->title, "Katalog uji");
	ck_assert_int_eq(c->n_orgunits, 3);
	ck_assert_int_eq(c->n_elements, 4);
	ck_assert_int_eq(c->n_casetypes, 2);
	ck_assert_int_eq(c->n_indicators, 4);
	ck_assert_int_eq(c->n_quantities, 4 + 2 * 3);
	ck_assert_int_eq(c->orgunits[0].parent, -1);
	ck_assert_int_eq(c->orgunits[2].parent, 0);
	ck_assert_str_eq(c->orgunits[2].name, "Aengsareh");

	int akta = catalog_casetype_find(c, "akta");
	ck_assert_int_ge(akta, 0);
	ck_assert_int_eq(c->casetypes[akta].limit_days, 14);
	ck_assert_int_eq(c->casetypes[catalog_casetype_find(c, "kriminal")].limit_days, -1);
	int q = c->casetypes[akta].quantity;
	ck_assert_int_eq(catalog_quantity_find(c, "akta.open"), q);
	ck_assert_int_eq(catalog_quantity_find(c, "akta.closed"), q + CATALOG_CASE_CLOSED);
	ck_assert_int_eq(catalog_quantity_find(c, "akta.ontime"), q + CATALOG_CASE_ONTIME);
	ck_assert_int_eq(catalog_quantity_find(c, "akta"), -1);

	int el = catalog_element_find(c, "desa_tertib");
	ck_assert_int_eq(c->elements[el].agg, CATALOG_LAST);
	ck_assert_int_eq(c->elements[el].unit, CATALOG_STATE);

	int ind = catalog_indicator_find(c, "akta");
	ck_assert_int_eq(c->indicators[ind].n_num, 1);
	ck_assert_int_eq(c->indicators[ind].num[0], q + CATALOG_CASE_ONTIME);
	ck_assert_int_eq(c->indicators[ind].den[0], q);
	ck_assert_int_eq(c->indicators[ind].factor, 100);
	/* The reverse index: akta.open feeds exactly the indicator akta. */
	ck_assert_int_eq(c->quantities[q].n_indicators, 1);
	ck_assert_int_eq(c->quantities[q].indicators[0], ind);
	ck_assert_int_eq(c->quantities[q + CATALOG_CASE_CLOSED].n_indicators, 0);

	int kr = catalog_indicator_find(c, "kriminal");
	char buf[200];
	ck_assert(catalog_indicator_has_jabatan(c, kr, "staf trantib"));
	ck_assert(!catalog_indicator_has_jabatan(c, kr, "Kasi Pemerintahan"));
	catalog_indicator_jabatan(c, kr, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Kasi Trantib; Staf Trantib");
	ck_assert_int_eq(catalog_orgunit_find(c, "35.27.03.9999"), -1);
	catalog_free(&c);
	catalog_free(&c);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_sampang_catalog_holds_the_office_and_every_indicator)
{
	struct catalog *c = NULL;
	char *errors = NULL;
	int rc = catalog_load(SAMPANG, &c, &errors);
	ck_assert_msg(rc == 0, "%s", errors ? errors : "");
	ck_assert_int_eq(c->n_orgunits, 19);
	ck_assert_str_eq(c->orgunits[0].code, "35.27.03");
	for (int i = 1; i < c->n_orgunits; i++) {
		ck_assert_int_eq(c->orgunits[i].parent, 0);
		ck_assert_int_eq(strncmp(c->orgunits[i].code, "35.27.03.", 9), 0);
	}
	ck_assert_int_eq(c->n_indicators, 24);
	for (int i = 1; i <= 25; i++) {
		char code[16];
		snprintf(code, sizeof(code), "iki%02d", i);
		ck_assert_msg((catalog_indicator_find(c, code) >= 0) == (i != 23), "%s", code);
	}
	/* Rows 23 and 26 repeat 22 and 25 under a second position. */
	ck_assert_int_eq(c->indicators[catalog_indicator_find(c, "iki22")].n_jabatan, 2);
	ck_assert_int_eq(c->indicators[catalog_indicator_find(c, "iki25")].n_jabatan, 2);
	catalog_free(&c);
}
END_TEST

/* A broken catalog and what its first error must say. */
struct broken {
	const char *name;
	const char *text;
	int line;
	const char *words;
};

#define HEAD "[orgunit 35.27.03]\nname = Sampang\nkind = kecamatan\n"
#define ELEM "[element surat]\nname = Surat\nunit = count\naggregate = sum\n"
#define IND(num)                                                                             \
	"[indicator i1]\nname = I\njabatan = J\nsasaran = S\nkind = count\nnumerator = " num \
	"\ndenominator = surat\npolarity = up\nsource = B\n"

static const struct broken broken[] = {
	{"unknown key", HEAD "colour = red\n" ELEM IND("surat"), 4, "unknown key 'colour'"},
	{"unknown section", HEAD "[widget x]\n" ELEM IND("surat"), 4, "unknown section"},
	{"duplicate key", HEAD "name = Lagi\n" ELEM IND("surat"), 4, "given twice"},
	{"duplicate code", HEAD ELEM ELEM IND("surat"), 8, "defined twice"},
	{"element and case share a code", HEAD ELEM "[case surat]\nname = S\nlimit_days = 3\n" IND("surat"),
	 8, "defined twice"},
	{"unknown formula term", HEAD ELEM IND("surat + nothing"), 13, "'nothing'"},
	{"case step misspelt", HEAD ELEM "[case akta]\nname = A\nlimit_days = 14\n" IND("akta.shut"),
	 16, "'akta.shut'"},
	{"missing required key", HEAD "[element surat]\nname = Surat\nunit = count\n" IND("surat"), 4,
	 "lacks 'aggregate'"},
	{"state summed", HEAD "[element surat]\nname = S\nunit = state\naggregate = sum\n" IND("surat"),
	 4, "aggregate = last"},
	{"bad limit", HEAD ELEM "[case akta]\nname = A\nlimit_days = soon\n" IND("surat"), 10,
	 "limit_days"},
	{"bad polarity", HEAD ELEM "[indicator i1]\nname = I\njabatan = J\nsasaran = S\nkind = count\n"
	 "numerator = surat\ndenominator = surat\npolarity = sideways\nsource = B\n", 15, "polarity"},
	{"bad factor", HEAD ELEM IND("surat") "factor = 0\n", 17, "factor"},
	{"parent not above", HEAD "[orgunit 35.27.03.2001]\nname = D\nkind = desa\nparent = 35.27.04\n"
	 ELEM IND("surat"), 7, "parent 35.27.04"},
	{"village without parent", HEAD "[orgunit 35.27.03.2001]\nname = D\nkind = desa\n" ELEM
	 IND("surat"), 4, "lacks 'parent'"},
	{"root with parent", "[orgunit 35.27.03]\nname = S\nkind = kecamatan\nparent = 35\n" ELEM
	 IND("surat"), 1, "no 'parent'"},
	{"no equals sign", HEAD "name Sampang\n" ELEM IND("surat"), 4, "key = value"},
	{"unterminated header", HEAD "[element surat\n" ELEM IND("surat"), 4, "without ']'"},
	{"bad code characters", HEAD "[element Surat-Masuk]\nname = S\n" ELEM IND("surat"), 4,
	 "lowercase"},
	{"key outside a section", "colour = red\n" HEAD ELEM IND("surat"), 1, "outside a section"},
	{"no indicator", HEAD ELEM, 7, "no [indicator]"},
	{"too many jabatan", HEAD ELEM IND("surat") "jabatan = 2\njabatan = 3\njabatan = 4\njabatan = 5\n",
	 20, "more than 4 jabatan"},
	{"orgunit kind", "[orgunit 35.27.03]\nname = S\nkind = kota\n" ELEM IND("surat"), 3, "kind"},
};

START_TEST(test_broken_catalog_is_refused_with_file_and_line)
{
	const struct broken *b = &broken[_i];
	char path[64] = "/tmp/iki-catalog-XXXXXX", want[128];
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, b->text, strlen(b->text)), (ssize_t)strlen(b->text));
	close(fd);
	struct catalog *c = NULL;
	char *errors = NULL;
	int rc = catalog_load(path, &c, &errors);
	unlink(path);
	ck_assert_msg(rc == IKI_ECATALOG, "%s: loaded", b->name);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(errors);
	snprintf(want, sizeof(want), "%s:%d: ", path, b->line);
	ck_assert_msg(strncmp(errors, want, strlen(want)) == 0 && strstr(errors, b->words),
		      "%s: want \"%s...%s\", got:\n%s", b->name, want, b->words, errors);
	free(errors);
}
END_TEST

START_TEST(test_missing_file_is_an_errno)
{
	struct catalog *c = NULL;
	char *errors = NULL;
	ck_assert_int_lt(catalog_load("/nonexistent/iki.conf", &c, &errors), 0);
	ck_assert_ptr_nonnull(strstr(errors, "/nonexistent/iki.conf"));
	free(errors);
}
END_TEST

static Suite *catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("load");
	tcase_add_test(tc, test_mini_loads_with_counts_and_quantities);
	tcase_add_test(tc, test_sampang_catalog_holds_the_office_and_every_indicator);
	tcase_add_test(tc, test_missing_file_is_an_errno);
	tcase_add_loop_test(tc, test_broken_catalog_is_refused_with_file_and_line, 0,
			    (int)(sizeof(broken) / sizeof(broken[0])));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(catalog_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
