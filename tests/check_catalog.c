/* check_catalog.c: the catalog reader: good catalogs load right, broken ones fail with file:line.
 */
#include <check.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "iki.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"
#define SAMPANG "catalog/sampang-2022.conf"
#define FIXTURES "tests/catalog/"
#define NATIONAL_SCRIPT "scripts/national-catalog.py"
#define VILLAGES_CSV "indonesia_villages.csv"

/* Load a catalog that must load; fails the test with the reader's errors otherwise. */
static struct catalog *load_ok(const char *path)
{
	struct catalog *c = NULL;
	char *errors = NULL;
	int rc = catalog_load(path, &c, &errors);
	ck_assert_msg(rc == 0, "%s: rc %d\n%s", path, rc, errors ? errors : "");
	ck_assert_ptr_null(errors);
	ck_assert_ptr_nonnull(c);
	return c;
}

START_TEST(test_mini_loads_with_the_right_counts)
{
	struct catalog *c = load_ok(MINI);
	ck_assert_str_eq(c->title, "Katalog uji");
	ck_assert_int_eq(c->n_orgunits, 3);
	ck_assert_int_eq(c->n_elements, 4);
	ck_assert_int_eq(c->n_casetypes, 2);
	ck_assert_int_eq(c->n_indicators, 4);
	ck_assert_int_eq(c->n_quantities, 4 + 2 * 3);
	catalog_free(&c);
}
END_TEST

START_TEST(test_mini_orgunits_point_to_their_parent)
{
	struct catalog *c = load_ok(MINI);
	ck_assert_str_eq(c->orgunits[0].code, "35.27.03");
	ck_assert_str_eq(c->orgunits[0].kind, "kecamatan");
	ck_assert_int_eq(c->orgunits[0].parent, -1);
	ck_assert_int_eq(c->orgunits[1].parent, 0);
	ck_assert_int_eq(c->orgunits[2].parent, 0);
	ck_assert_str_eq(c->orgunits[2].name, "Aengsareh");
	ck_assert_str_eq(c->orgunits[2].kind, "desa");
	catalog_free(&c);
}
END_TEST

START_TEST(test_mini_elements_and_cases_have_their_values)
{
	struct catalog *c = load_ok(MINI);
	int el = catalog_element_find(c, "desa_tertib");
	ck_assert_int_eq(el, 2);
	ck_assert_int_eq(c->elements[el].unit, CATALOG_STATE);
	ck_assert_int_eq(c->elements[el].agg, CATALOG_LAST);
	ck_assert_str_eq(c->elements[el].name, "Desa tertib administrasi");
	el = catalog_element_find(c, "surat_masuk");
	ck_assert_int_eq(c->elements[el].unit, CATALOG_COUNT);
	ck_assert_int_eq(c->elements[el].agg, CATALOG_SUM);
	ck_assert_int_eq(c->casetypes[catalog_casetype_find(c, "akta")].limit_days, 14);
	ck_assert_int_eq(c->casetypes[catalog_casetype_find(c, "kriminal")].limit_days, -1);
	catalog_free(&c);
}
END_TEST

START_TEST(test_mini_quantities_follow_file_order)
{
	struct catalog *c = load_ok(MINI);
	static const char *const codes[] = {
	    "surat_masuk", "surat_tepat", "desa_tertib",   "desa_sasaran",    "akta.open",
	    "akta.closed", "akta.ontime", "kriminal.open", "kriminal.closed", "kriminal.ontime",
	};
	for (int q = 0; q < c->n_quantities; q++)
		ck_assert_str_eq(c->quantities[q].code, codes[q]);
	for (int e = 0; e < c->n_elements; e++)
		ck_assert_int_eq(c->elements[e].quantity,
				 catalog_quantity_find(c, c->elements[e].code));
	int q = c->casetypes[catalog_casetype_find(c, "akta")].quantity;
	ck_assert_int_eq(q, 4);
	ck_assert_int_eq(catalog_quantity_find(c, "akta.open"), q + CATALOG_CASE_OPEN);
	ck_assert_int_eq(catalog_quantity_find(c, "akta.closed"), q + CATALOG_CASE_CLOSED);
	ck_assert_int_eq(catalog_quantity_find(c, "akta.ontime"), q + CATALOG_CASE_ONTIME);
	ck_assert_int_eq(c->casetypes[catalog_casetype_find(c, "kriminal")].quantity, 7);
	ck_assert_int_eq(catalog_quantity_find(c, "akta"), -1);
	catalog_free(&c);
}
END_TEST

START_TEST(test_mini_indicators_resolve_their_formulas)
{
	struct catalog *c = load_ok(MINI);
	int akta = c->casetypes[catalog_casetype_find(c, "akta")].quantity;
	const struct catalog_indicator *ind = &c->indicators[catalog_indicator_find(c, "akta")];
	ck_assert_str_eq(ind->rows, "2");
	ck_assert_str_eq(ind->kind, "case");
	ck_assert_str_eq(ind->source, "Register");
	ck_assert_int_eq(ind->polarity, CATALOG_UP);
	ck_assert_int_eq(ind->factor, 100);
	ck_assert_int_eq(ind->n_num, 1);
	ck_assert_int_eq(ind->num[0], akta + CATALOG_CASE_ONTIME);
	ck_assert_int_eq(ind->n_den, 1);
	ck_assert_int_eq(ind->den[0], akta + CATALOG_CASE_OPEN);
	ind = &c->indicators[catalog_indicator_find(c, "kriminal")];
	ck_assert_str_eq(ind->rows, "3, 4");
	ck_assert_str_eq(ind->kind, "follow-up");
	catalog_free(&c);
}
END_TEST

START_TEST(test_mini_reverse_index_lists_each_user_once)
{
	struct catalog *c = load_ok(MINI);
	int akta = c->casetypes[catalog_casetype_find(c, "akta")].quantity;
	int ind = catalog_indicator_find(c, "akta");
	ck_assert_int_eq(c->quantities[akta].n_indicators, 1);
	ck_assert_int_eq(c->quantities[akta].indicators[0], ind);
	ck_assert_int_eq(c->quantities[akta + CATALOG_CASE_CLOSED].n_indicators, 0);
	int tertib = c->elements[catalog_element_find(c, "desa_tertib")].quantity;
	ck_assert_int_eq(c->quantities[tertib].n_indicators, 1);
	ck_assert_int_eq(c->quantities[tertib].indicators[0], catalog_indicator_find(c, "tertib"));
	catalog_free(&c);
}
END_TEST

START_TEST(test_find_functions_answer_minus_one_for_unknown_codes)
{
	struct catalog *c = load_ok(MINI);
	ck_assert_int_eq(catalog_orgunit_find(c, "35.27.03"), 0);
	ck_assert_int_eq(catalog_orgunit_find(c, "35.27.03.2002"), 2);
	ck_assert_int_eq(catalog_orgunit_find(c, "35.27.03.9999"), -1);
	ck_assert_int_eq(catalog_element_find(c, "surat_tepat"), 1);
	ck_assert_int_eq(catalog_element_find(c, "akta"), -1);
	ck_assert_int_eq(catalog_casetype_find(c, "kriminal"), 1);
	ck_assert_int_eq(catalog_casetype_find(c, "surat_masuk"), -1);
	ck_assert_int_eq(catalog_indicator_find(c, "tertib"), 3);
	ck_assert_int_eq(catalog_indicator_find(c, "iki01"), -1);
	ck_assert_int_eq(catalog_quantity_find(c, "kriminal.ontime"), 9);
	ck_assert_int_eq(catalog_quantity_find(c, ""), -1);
	catalog_free(&c);
}
END_TEST

START_TEST(test_jabatan_helpers_match_and_join)
{
	struct catalog *c = load_ok(MINI);
	int kr = catalog_indicator_find(c, "kriminal");
	char buf[200], small[10];
	ck_assert_int_eq(c->indicators[kr].n_jabatan, 2);
	ck_assert(catalog_indicator_has_jabatan(c, kr, "Kasi Trantib"));
	ck_assert(catalog_indicator_has_jabatan(c, kr, "staf TRANTIB"));
	ck_assert(!catalog_indicator_has_jabatan(c, kr, "Kasi Pemerintahan"));
	ck_assert(!catalog_indicator_has_jabatan(c, kr, "Staf"));
	ck_assert(!catalog_indicator_has_jabatan(c, 99, "Kasi Trantib"));
	catalog_indicator_jabatan(c, kr, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Kasi Trantib; Staf Trantib");
	catalog_indicator_jabatan(c, catalog_indicator_find(c, "surat"), buf, sizeof(buf));
	ck_assert_str_eq(buf, "Kasubbag Umum");
	catalog_indicator_jabatan(c, kr, small, sizeof(small));
	ck_assert_str_eq(small, "Kasi Tran");
	catalog_indicator_jabatan(c, -1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	catalog_free(&c);
}
END_TEST

START_TEST(test_free_is_safe_on_null_and_twice)
{
	struct catalog *c = load_ok(MINI);
	catalog_free(&c);
	ck_assert_ptr_null(c);
	catalog_free(&c);
	catalog_free(NULL);
}
END_TEST

START_TEST(test_format_freedoms_load_and_order_quantities)
{
	struct catalog *c = load_ok(FIXTURES "ok_order.conf");
	ck_assert_str_eq(c->title, "Katalog urutan");
	ck_assert_str_eq(c->orgunits[0].name, "Sampang");
	ck_assert_str_eq(c->orgunits[1].kind, "kelurahan");
	ck_assert_int_eq(c->orgunits[2].parent, 0);
	/* Elements and cases interleave in file order: pagu, izin x3, realisasi. */
	ck_assert_int_eq(c->n_quantities, 5);
	ck_assert_int_eq(catalog_quantity_find(c, "pagu"), 0);
	ck_assert_int_eq(c->casetypes[0].quantity, 1);
	ck_assert_int_eq(catalog_quantity_find(c, "izin.ontime"), 3);
	ck_assert_int_eq(c->elements[catalog_element_find(c, "realisasi")].quantity, 4);
	ck_assert_int_eq(c->casetypes[0].limit_days, -1);
	int ratio = catalog_indicator_find(c, "ratio"), izin = catalog_indicator_find(c, "izin");
	const struct catalog_indicator *ind = &c->indicators[ratio];
	ck_assert_str_eq(ind->name, "Rasio realisasi = pagu");
	ck_assert_int_eq(ind->factor, 1000);
	ck_assert_int_eq(ind->polarity, CATALOG_DOWN);
	ck_assert_int_eq(ind->n_num, 2);
	ck_assert_int_eq(ind->num[0], 4);
	ck_assert_int_eq(ind->num[1], 2);
	ck_assert_int_eq(ind->n_den, 2);
	/* realisasi is on both sides of ratio: listed once. izin.closed feeds both indicators. */
	ck_assert_int_eq(c->quantities[4].n_indicators, 1);
	ck_assert_int_eq(c->quantities[2].n_indicators, 2);
	ck_assert_int_eq(c->quantities[2].indicators[0], ratio);
	ck_assert_int_eq(c->quantities[2].indicators[1], izin);
	ck_assert_int_eq(c->quantities[1].n_indicators, 0);
	catalog_free(&c);
}
END_TEST

/* A broken fixture, the line of its first error, and a word that error must contain. */
struct broken {
	const char *file;
	int line;
	const char *words;
};

static const struct broken broken[] = {
    {"unknown_key.conf", 15, "unknown key 'colour'"},
    {"unknown_section.conf", 23, "unknown section type [widget]"},
    {"dup_key.conf", 16, "'unit' given twice"},
    {"dup_code.conf", 18, "duplicate code 'surat_masuk'"},
    {"code_clash.conf", 23, "already used by the element"},
    {"bad_formula.conf", 32, "unknown quantity 'surat_hilang'"},
    {"bad_case_step.conf", 32, "unknown quantity 'akta.shut'"},
    {"empty_term.conf", 32, "empty term"},
    {"empty_formula.conf", 32, "'numerator' is empty"},
    {"too_many_terms.conf", 33, "more than 8"},
    {"dup_term.conf", 33, "'surat_masuk' twice"},
    {"parent_order.conf", 11, "defined below"},
    {"unknown_parent.conf", 11, "35.27.04 is not an org unit"},
    {"no_root.conf", 6, "must be kecamatan"},
    {"two_roots.conf", 8, "lacks 'parent'"},
    {"second_kecamatan.conf", 10, "is a kecamatan under the kecamatan 35.27.03"},
    {"level_order.conf", 15, "each org unit's kind is a level below its parent's"},
    {"negara_child.conf", 10, "is a negara under the negara 00"},
    {"bad_kind.conf", 10, "'kind' must be negara, provinsi, kabupaten, kota, kecamatan, desa, "
			  "kelurahan or desa_adat, not 'dusun'"},
    {"bad_limit.conf", 25, "'limit_days'"},
    {"negative_limit.conf", 25, "'limit_days'"},
    {"bad_factor.conf", 34, "'factor'"},
    {"bad_polarity.conf", 34, "'polarity' must be up or down"},
    {"bad_unit.conf", 15, "'unit' must be"},
    {"bad_carry.conf", 17, "'carry' is for a state or target"},
    {"bad_carry_value.conf", 22, "'carry' must be year or period"},
    {"state_sum.conf", 16, "unit = state needs aggregate = last"},
    {"count_last.conf", 16, "unit = count needs aggregate = sum"},
    {"long_name.conf", 14, "more than the 400"},
    {"long_code.conf", 18, "longer than 48"},
    {"bad_code.conf", 18, "lowercase"},
    {"bad_orgunit_code.conf", 8, "single dots"},
    {"no_equals.conf", 5, "key = value"},
    {"unterminated.conf", 18, "closing ']'"},
    {"outside.conf", 3, "outside a section"},
    {"title_twice.conf", 3, "'title' given twice"},
    {"missing_key.conf", 13, "lacks 'aggregate'"},
    {"missing_jabatan.conf", 27, "lacks 'jabatan'"},
    {"too_many_jabatan.conf", 33, "more than 4 'jabatan'"},
    {"dup_jabatan.conf", 30, "given twice"},
    {"no_indicator.conf", 25, "no [indicator]"},
    {"no_orgunit.conf", 26, "no [orgunit]"},
    {"bad_utf8.conf", 24, "UTF-8"},
    {"nul_byte.conf", 24, "NUL byte"},
    {"bad_target.conf", 35, "'target' is a percentage above 0"},
    {"bad_target_q.conf", 35, "'target_q' is four percentages"},
    {"band_order.conf", 4, "bands go from the highest down"},
    {"bad_band.conf", 3, "'band' is the lowest capaian"},
    {"bad_reported_by.conf", 17, "'reported_by' lists section codes"},
    {"schedule_limit.conf", 15, "needs limit_days = 10"},
    {"schedule_years.conf", 18, "'years' is a year or a range"},
    {"schedule_case.conf", 15, "lapkeu_tahunan is not a [case]"},
    {"bad_year.conf", 3, "year: a budget year within 2001-2099, not '1999'"},
    {"bad_min.conf", 17, "'min' must be a whole number from 0 to"},
    {"min_above_max.conf", 18, "element surat_masuk: min 10 is above max 5"},
    {"bad_check.conf", 42, "'check' is 'numerator' or 'denominator'"},
    {"kop_five.conf", 7, "more than 4 'kop' lines"},
    {"sign_twice.conf", 4, "'sign_name' given twice"},
};

/* The budget year, an element's bounds and an indicator's validation rule (issue 12.3). */
START_TEST(test_plausibility_keys)
{
	char path[] = "/tmp/iki-cat-XXXXXX", line[1100];
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *in = fopen(MINI, "r"), *out = fdopen(fd, "w");
	ck_assert(in && out);
	fputs("year = 2022\n", out);
	while (fgets(line, sizeof(line), in)) {
		fputs(line, out);
		if (!strcmp(line, "[element surat_masuk]\n"))
			fputs("min = 1\nmax = 5000\n", out);
		/* surat's check = numerator <= denominator is mini.conf's own */
		if (!strcmp(line, "[indicator akta]\n"))
			fputs("check = denominator < 100\n", out);
	}
	fclose(in);
	ck_assert_int_eq(fclose(out), 0);
	struct catalog *c = NULL;
	char *errors = NULL;
	ck_assert_int_eq(catalog_load(path, &c, &errors), 0);
	unlink(path);
	free(errors);
	ck_assert_int_eq(c->year, 2022);
	const struct catalog_element *e = &c->elements[catalog_element_find(c, "surat_masuk")];
	ck_assert_int_eq(e->min, 1);
	ck_assert_int_eq(e->max, 5000);
	e = &c->elements[catalog_element_find(c, "surat_tepat")];
	ck_assert_int_eq(e->min, 0);
	ck_assert_int_eq(e->max, CATALOG_VALUE_MAX);
	struct proto_element d;
	catalog_element_describe(c, catalog_element_find(c, "surat_masuk"), &d);
	ck_assert_int_eq(d.max, 5000); /* describe tells the clients */
	int surat = catalog_indicator_find(c, "surat"), akta = catalog_indicator_find(c, "akta");
	char words[64] = "";
	ck_assert(!catalog_check_broken(c, surat, 7, 10, words, sizeof(words)));
	ck_assert(!catalog_check_broken(c, surat, 10, 10, words, sizeof(words)));
	ck_assert(!catalog_check_broken(c, surat, 0, 0, words, sizeof(words))); /* no data */
	ck_assert(catalog_check_broken(c, surat, 1000, 1, words, sizeof(words)));
	ck_assert_str_eq(words, "pembilang <= penyebut");
	ck_assert(catalog_check_broken(c, surat, 1, 0, words, sizeof(words)));
	ck_assert(!catalog_check_broken(c, akta, 5, 99, words, sizeof(words)));
	ck_assert(catalog_check_broken(c, akta, 5, 100, words, sizeof(words)));
	ck_assert_str_eq(words, "penyebut < 100");
	ck_assert(!catalog_check_broken(c, catalog_indicator_find(c, "tertib"), 9, 1, words,
					sizeof(words))); /* no rule */
	catalog_free(&c);
}
END_TEST

/* A schedule's years must be the budget year when the catalog names one. */
START_TEST(test_schedule_outside_the_budget_year)
{
	struct catalog *c = NULL;
	char *errors = NULL;
	ck_assert_int_eq(catalog_load("tests/catalog/schedule_budget_year.conf", &c, &errors),
			 IKI_ECATALOG);
	ck_assert_msg(errors && strstr(errors, "years 2022-2022, but the budget year is 2023"), "%s",
		      errors ? errors : "(none)");
	free(errors);
}
END_TEST

/* Targets by period, the default bands, reported_by lists. */
START_TEST(test_mini_targets_bands_and_reporters)
{
	struct catalog *c = NULL;
	struct period p;
	ck_assert_int_eq(catalog_load(MINI, &c, NULL), 0);
	int surat = catalog_indicator_find(c, "surat"), akta = catalog_indicator_find(c, "akta");
	int tertib = catalog_indicator_find(c, "tertib");
	ck_assert_int_eq(period_parse("2022", &p), 0);
	ck_assert_int_eq(catalog_target(c, surat, p), 9000);
	ck_assert_int_eq(catalog_target(c, akta, p), 8000);
	ck_assert_int_eq(catalog_target(c, tertib, p), -1);
	ck_assert_int_eq(period_parse("2022Q2", &p), 0);
	ck_assert_int_eq(catalog_target(c, surat, p), 9000); /* no target_q: the year's */
	ck_assert_int_eq(catalog_target(c, akta, p), 7550);
	ck_assert_int_eq(period_parse("202212", &p), 0);
	ck_assert_int_eq(catalog_target(c, akta, p), 8500); /* December: triwulan IV */
	ck_assert_int_eq(c->bands.n, 5);
	ck_assert_str_eq(c->bands.band[0].name, "Sangat Baik");
	ck_assert_int_eq(c->bands.band[1].min, 7600);
	ck_assert_str_eq(catalog_reporters(c, "akta"), "desa pemerintahan");
	ck_assert_str_eq(catalog_reporters(c, "surat_masuk"), "umum");
	ck_assert_ptr_null(catalog_reporters(c, "nothing"));
	ck_assert(catalog_reports("desa pemerintahan", "desa"));
	ck_assert(catalog_reports("desa pemerintahan", "pemerintahan"));
	ck_assert(!catalog_reports("desa pemerintahan", "pemerintah"));
	ck_assert(!catalog_reports("desa pemerintahan", ""));
	ck_assert(!catalog_reports("", "desa"));
	catalog_free(&c);
}
END_TEST

START_TEST(test_schedule_is_read_and_resolved)
{
	struct catalog *c = NULL;
	ck_assert_int_eq(catalog_load("tests/data/schedule.conf", &c, NULL), 0);
	ck_assert_int_eq(c->n_schedules, 1);
	const struct catalog_schedule *x = &c->schedules[0];
	ck_assert_str_eq(x->code, "lapkeu_bulanan");
	ck_assert_int_eq(x->ct, catalog_casetype_find(c, "lapkeu"));
	ck_assert_int_eq(x->every, PERIOD_MONTH);
	ck_assert_int_eq(x->due_days, 10);
	ck_assert_int_eq(x->ou, 0);
	ck_assert_int_eq(x->year_from, 2022);
	ck_assert_int_eq(x->year_to, 2022);
	ck_assert(c->casetypes[x->ct].close_at_open);
	catalog_free(&c);
}
END_TEST

START_TEST(test_broken_catalog_is_refused_with_file_and_line)
{
	const struct broken *b = &broken[_i];
	char path[128], want[160];
	snprintf(path, sizeof(path), FIXTURES "%s", b->file);
	snprintf(want, sizeof(want), "%s:%d: ", path, b->line);
	struct catalog *c = NULL;
	char *errors = NULL;
	int rc = catalog_load(path, &c, &errors);
	ck_assert_msg(rc == IKI_ECATALOG, "%s: rc %d", b->file, rc);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(errors);
	char *first_end = strchr(errors, '\n');
	ck_assert_ptr_nonnull(first_end);
	*first_end = '\0';
	ck_assert_msg(strncmp(errors, want, strlen(want)) == 0 && strstr(errors, b->words),
		      "%s: want \"%s...%s...\", got \"%s\"", b->file, want, b->words, errors);
	free(errors);
}
END_TEST

START_TEST(test_every_problem_is_reported_in_line_order)
{
	static const int lines[] = {7, 15, 19, 22, 23};
	struct catalog *c = NULL;
	char *errors = NULL;
	ck_assert_int_eq(catalog_load(FIXTURES "many_errors.conf", &c, &errors), IKI_ECATALOG);
	ck_assert_ptr_nonnull(errors);
	const char *s = errors;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char want[80];
		snprintf(want, sizeof(want), FIXTURES "many_errors.conf:%d: ", lines[i]);
		ck_assert_msg(strncmp(s, want, strlen(want)) == 0, "want %s in:\n%s", want, errors);
		s = strchr(s, '\n');
		ck_assert_ptr_nonnull(s);
		s++;
	}
	ck_assert_str_eq(s, "");
	free(errors);
}
END_TEST

START_TEST(test_errors_may_be_left_uncollected)
{
	struct catalog *c = NULL;
	ck_assert_int_eq(catalog_load(FIXTURES "many_errors.conf", &c, NULL), IKI_ECATALOG);
	ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_missing_file_is_an_errno)
{
	struct catalog *c = NULL;
	char *errors = NULL;
	ck_assert_int_eq(catalog_load("/nonexistent/iki.conf", &c, &errors), -ENOENT);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(errors);
	ck_assert_ptr_nonnull(strstr(errors, "/nonexistent/iki.conf: "));
	free(errors);
}
END_TEST

START_TEST(test_directory_is_an_errno)
{
	struct catalog *c = NULL;
	char *errors = NULL;
	int rc = catalog_load("tests/catalog", &c, &errors);
	ck_assert_int_lt(rc, 0);
	ck_assert_int_ne(rc, IKI_ECATALOG);
	ck_assert_ptr_null(c);
	free(errors);
}
END_TEST

START_TEST(test_sampang_catalog_has_the_office_and_every_indicator)
{
	if (access(SAMPANG, R_OK) != 0) {
		fprintf(stderr, "check_catalog: %s missing, its test skipped\n", SAMPANG);
		return;
	}
	struct catalog *c = load_ok(SAMPANG);
	ck_assert_int_eq(c->n_orgunits, 19);
	ck_assert_str_eq(c->orgunits[0].code, "35.27.03");
	ck_assert_int_eq(c->orgunits[0].parent, -1);
	for (int i = 1; i < c->n_orgunits; i++) {
		ck_assert_int_eq(c->orgunits[i].parent, 0);
		ck_assert_int_eq(strncmp(c->orgunits[i].code, "35.27.03.", 9), 0);
	}
	ck_assert_int_eq(c->n_indicators, 24);
	for (int i = 0; i < c->n_indicators; i++)
		ck_assert_int_gt(c->indicators[i].n_jabatan, 0);
	/* the report's letterhead and the signature the document itself carries */
	ck_assert_int_eq(c->letter.n_kop, 1);
	ck_assert_str_eq(c->letter.kop[0], "Pemerintah Kabupaten Sampang");
	ck_assert_str_eq(c->letter.place, "Sampang");
	ck_assert_str_eq(c->letter.title, "CAMAT SAMPANG");
	ck_assert_str_eq(c->letter.nip, "19780720 199804 1 001");
	catalog_free(&c);
}
END_TEST

/* Each level of the tree loads with its kind's level, every unit below its parent. */
START_TEST(test_every_level_of_the_tree_loads_under_its_parent)
{
	struct catalog *c = load_ok(FIXTURES "ok_levels.conf");
	static const struct {
		const char *code, *kind, *parent;
		int level;
	} want[] = {
	    {"35", "provinsi", NULL, 1},		 {"35.27", "kabupaten", "35", 2},
	    {"35.27.03", "kecamatan", "35.27", 3},	 {"35.27.03.2001", "desa", "35.27.03", 4},
	    {"35.27.03.1003", "kelurahan", "35.27.03", 4}, {"35.78", "kota", "35", 2},
	    {"35.78.01", "kecamatan", "35.78", 3},	 {"35.78.01.3001", "desa_adat", "35.78.01", 4},
	};
	ck_assert_int_eq(c->n_orgunits, (int)(sizeof(want) / sizeof(want[0])));
	for (int i = 0; i < c->n_orgunits; i++) {
		const struct catalog_orgunit *o = &c->orgunits[i];
		ck_assert_str_eq(o->code, want[i].code);
		ck_assert_str_eq(o->kind, want[i].kind);
		ck_assert_int_eq(o->level, want[i].level);
		ck_assert_int_eq(o->parent,
				 want[i].parent ? catalog_orgunit_find(c, want[i].parent) : -1);
	}
	catalog_free(&c);
}
END_TEST

/* The folder of the Kemendagri lists (data/wilayah/ in the tree, or the shared one), or NULL. */
static const char *wilayah_dir(void)
{
	static const char *const dirs[] = {"data/wilayah/", "../shared/data/wilayah/"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%s" VILLAGES_CSV, dirs[i]);
		if (access(path, R_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

/* How many org units of kind k; -1 for k not a kind of the national tree. */
static int count_kind(const struct catalog *c, const char *k)
{
	int n = 0;
	for (int i = 0; i < c->n_orgunits; i++)
		n += !strcmp(c->orgunits[i].kind, k);
	return n;
}

/* Whether o's code is its parent's and one more group (a province's parent is the nation). */
static bool code_extends_parent(const struct catalog *c, const struct catalog_orgunit *o)
{
	const char *p = c->orgunits[o->parent].code;
	size_t n = strlen(p);
	if (o->parent == 0)
		return !strchr(o->code, '.');
	return !strncmp(o->code, p, n) && o->code[n] == '.' && !strchr(o->code + n + 1, '.');
}

/* The generated national catalog: 83,762 villages under their kecamatan, kabupaten, provinsi. */
START_TEST(test_national_catalog_names_every_village_under_its_real_parents)
{
	const char *wilayah = wilayah_dir();
	if (!wilayah) {
		fprintf(stderr, "check_catalog: no data/wilayah/, the national test skipped\n");
		return;
	}
	char dir[] = "/tmp/iki-national-XXXXXX", path[128], cmd[512];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/national.conf", dir);
	snprintf(cmd, sizeof(cmd), "python3 " NATIONAL_SCRIPT " --wilayah %s %s 2>/dev/null",
		 wilayah, path);
	ck_assert_int_eq(system(cmd), 0);
	struct catalog *c = load_ok(path);
	unlink(path);
	rmdir(dir);
	ck_assert_int_eq(c->n_orgunits, 1 + 38 + 514 + 7285 + 83762);
	ck_assert_int_eq(count_kind(c, "negara"), 1);
	ck_assert_int_eq(count_kind(c, "provinsi"), 38);
	ck_assert_int_eq(count_kind(c, "kabupaten") + count_kind(c, "kota"), 514);
	ck_assert_int_eq(count_kind(c, "kota"), 98);
	ck_assert_int_eq(count_kind(c, "kecamatan"), 7285);
	ck_assert_int_eq(count_kind(c, "desa") + count_kind(c, "kelurahan") +
			     count_kind(c, "desa_adat"), 83762);
	ck_assert_int_eq(c->orgunits[0].level, 0);
	for (int i = 1; i < c->n_orgunits; i++) {
		const struct catalog_orgunit *o = &c->orgunits[i];
		ck_assert_int_eq(o->level, c->orgunits[o->parent].level + 1);
		ck_assert_msg(code_extends_parent(c, o), "%s under %s", o->code,
			      c->orgunits[o->parent].code);
		ck_assert_int_eq(catalog_orgunit_find(c, o->code), i);
	}
	/* Pulau Mandangin: its kecamatan, kabupaten, provinsi and the nation. */
	int v = catalog_orgunit_find(c, "35.27.03.2001");
	static const char *const up[] = {"35.27.03", "35.27", "35", "00"};
	ck_assert_int_ge(v, 0);
	for (int k = 0, o = c->orgunits[v].parent; k < 4; k++, o = c->orgunits[o].parent)
		ck_assert_str_eq(c->orgunits[o].code, up[k]);
	ck_assert_str_eq(c->orgunits[catalog_orgunit_find(c, "35.27")].name, "Kabupaten Sampang");
	ck_assert_int_eq(c->n_indicators, 24);
	catalog_free(&c);
}
END_TEST

static Suite *catalog_suite(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("load");
	tcase_add_test(tc, test_mini_loads_with_the_right_counts);
	tcase_add_test(tc, test_mini_targets_bands_and_reporters);
	tcase_add_test(tc, test_plausibility_keys);
	tcase_add_test(tc, test_schedule_outside_the_budget_year);
	tcase_add_test(tc, test_schedule_is_read_and_resolved);
	tcase_add_test(tc, test_mini_orgunits_point_to_their_parent);
	tcase_add_test(tc, test_mini_elements_and_cases_have_their_values);
	tcase_add_test(tc, test_mini_quantities_follow_file_order);
	tcase_add_test(tc, test_mini_indicators_resolve_their_formulas);
	tcase_add_test(tc, test_mini_reverse_index_lists_each_user_once);
	tcase_add_test(tc, test_find_functions_answer_minus_one_for_unknown_codes);
	tcase_add_test(tc, test_jabatan_helpers_match_and_join);
	tcase_add_test(tc, test_free_is_safe_on_null_and_twice);
	tcase_add_test(tc, test_format_freedoms_load_and_order_quantities);
	tcase_add_test(tc, test_every_problem_is_reported_in_line_order);
	tcase_add_test(tc, test_errors_may_be_left_uncollected);
	tcase_add_test(tc, test_missing_file_is_an_errno);
	tcase_add_test(tc, test_directory_is_an_errno);
	tcase_add_test(tc, test_sampang_catalog_has_the_office_and_every_indicator);
	tcase_add_test(tc, test_every_level_of_the_tree_loads_under_its_parent);
	tcase_add_loop_test(tc, test_broken_catalog_is_refused_with_file_and_line, 0,
			    (int)(sizeof(broken) / sizeof(broken[0])));
	suite_add_tcase(s, tc);
	/* generating the national catalog takes about a second; give a loaded machine room */
	tc = tcase_create("national");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_national_catalog_names_every_village_under_its_real_parents);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(catalog_suite)
