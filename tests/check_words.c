/* check_words.c: what iki says to a person: Bahasa Indonesia by default, English under LANG=C. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"
#define SAMPANG "catalog/sampang-2022.conf"
#define KEC "35.27.03"

static struct ikid d;

static void start(void)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, MINI), 0);
}

static void stop(void)
{
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}

/* The environment of a person who set nothing but this machine's usual LANG=C.UTF-8. */
static void language_default(void)
{
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANGUAGE");
	unsetenv("IKI_LOCALEDIR");
	setenv("LANG", "C.UTF-8", 1);
}

/* `iki <args>` (stderr joined to stdout), asserting its exit status. */
static char *run(const char *args, int want)
{
	char *out = NULL, full[1024];
	snprintf(full, sizeof(full), "%s 2>&1", args);
	int rc = harness_iki(&d, full, &out);
	ck_assert_msg(rc == want, "iki %s: exit %d, want %d: %s", args, rc, want, out ? out : "");
	ck_assert(out != NULL);
	return out;
}

static void assert_has(const char *out, const char *want)
{
	ck_assert_msg(strstr(out, want), "no '%s' in:\n%s", want, out);
}

static void assert_lacks(const char *out, const char *unwanted)
{
	ck_assert_msg(!strstr(out, unwanted), "'%s' in:\n%s", unwanted, out);
}

static void assert_run_has(const char *args, int want, const char *text)
{
	char *out = run(args, want);
	assert_has(out, text);
	free(out);
}

/* Every command's --help: Indonesian, with no English sentence of the msgids left. */
START_TEST(test_every_help_is_indonesian_by_default)
{
	static const char *const helps[][2] = {
	    {"--help", "Berbicara dengan ikid"},
	    {"submit --help", "Mencatat peristiwa ke outbox"},
	    {"sync --help", "Mengirim yang menunggu di outbox"},
	    {"outbox --help", "Menampilkan isi outbox"},
	    {"query --help", "Menampilkan nilai indikator"},
	    {"watch --help", "Menampilkan nilai dari ikid"},
	    {"report --help", "tahun anggaran (bawaan: tahun katalog)"},
	    {"history --help", "Waktu dalam WIB"},
	    {"target --help", "target perubahan"},
	    {"lock --help", "Mengunci periode"},
	    {"keygen --help", "Membuat pasangan kunci CURVE"},
	    {"list --help", "Menampilkan apa yang boleh diketik"},
	    {"whoami --help", "untuk siapa ikid menganggap kunci kita"},
	};
	language_default();
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		char *out = run(helps[i][0], 0);
		assert_has(out, "cara pakai: iki");
		assert_has(out, helps[i][1]);
		assert_lacks(out, "usage:");
		assert_lacks(out, " the ");
		free(out);
	}
}
END_TEST

START_TEST(test_lang_c_and_language_en_speak_english)
{
	language_default();
	setenv("LANG", "C", 1);
	assert_run_has("query --help", 0, "usage: iki query");
	assert_run_has("frobnicate", 2, "iki: unknown command 'frobnicate'");
	language_default();
	setenv("LC_ALL", "POSIX", 1);
	assert_run_has("--help", 0, "Talks to ikid");
	language_default();
	setenv("LANGUAGE", "en", 1);
	assert_run_has("report --help", 0, "usage: iki report");
}
END_TEST

/* No LANG at all, an Indonesian one, an English one without LANGUAGE: all Indonesian. */
START_TEST(test_unset_or_other_locales_speak_indonesian)
{
	static const char *const langs[] = {NULL, "id_ID.UTF-8", "en_US.UTF-8", "C.UTF-8"};
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		language_default();
		if (langs[i])
			setenv("LANG", langs[i], 1);
		else
			unsetenv("LANG");
		assert_run_has("frobnicate", 2, "iki: perintah 'frobnicate' tidak dikenal");
	}
	/* LC_ALL wins over LANG, as POSIX says */
	language_default();
	setenv("LC_ALL", "C", 1);
	setenv("LANG", "id_ID.UTF-8", 1);
	assert_run_has("frobnicate", 2, "unknown command");
}
END_TEST

START_TEST(test_usage_errors_are_indonesian)
{
	language_default();
	assert_run_has("report --year 22", 2, "iki report: nilai --year (empat angka, 2000-2099) salah: '22'");
	assert_run_has("report --format docx", 2, "format (text, csv, html, xlsx atau pdf)");
	assert_run_has("target --indicator iki01 --period 2022 --set nol", 2,
		       "--set harus persentase di atas 0");
	assert_run_has("keygen", 2, "cara pakai: iki keygen NAMA");
	char *out = run("", 2);
	assert_has(out, "cara pakai: iki");
	free(out);
	char arg[700];
	memset(arg, 'x', 600);
	arg[600] = '\0';
	char cmd[800];
	snprintf(cmd, sizeof(cmd), "query --indicator %s", arg);
	assert_run_has(cmd, 2, "iki query: --indicator terlalu panjang");
}
END_TEST

/* Transport failures: nobody listening, and a server that never answers. */
START_TEST(test_transport_failures_are_indonesian)
{
	language_default();
	struct ikid gone = d;
	snprintf(gone.request, sizeof(gone.request), "tcp://127.0.0.1:1");
	char *out = NULL;
	int rc = harness_iki(&gone, "-t 1 query --period 2022 2>&1", &out);
	ck_assert_int_eq(rc, 3);
	ck_assert_msg(strstr(out, "koneksi ditolak") || strstr(out, "tidak menjawab dalam 1 detik"),
		      "%s", out);
	free(out);
	snprintf(gone.request, sizeof(gone.request), "not-an-endpoint");
	rc = harness_iki(&gone, "query --period 2022 2>&1", &out);
	ck_assert_int_eq(rc, 2);
	assert_has(out, "tidak sah");
	free(out);
	rc = harness_iki(&d, "-k /nonexistent/x.key -S /nonexistent/s.pub query 2>&1", &out);
	ck_assert_int_eq(rc, 2);
	assert_has(out, "iki: kunci:");
	assert_has(out, "berikan keduanya");
	free(out);
}
END_TEST

/* Every _() and N_() string of the client sources has a translation in po/id.po (msgcmp). */
START_TEST(test_every_marked_string_has_a_translation)
{
	char dir[] = "/tmp/iki-words-XXXXXX", cmd[1024];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "xgettext --from-code=UTF-8 -k_ -kN_ -o %s/iki.pot client/*.c && "
		 "msgcmp po/id.po %s/iki.pot 2>&1 | grep -v 'not used' >&2; "
		 "msgcmp po/id.po %s/iki.pot 2>/dev/null",
		 dir, dir, dir);
	int rc = system(cmd);
	harness_rmtree(dir);
	ck_assert_msg(rc == 0, "po/id.po lacks translations (see above)");
}
END_TEST

/* The Sampang catalog (budget year 2022 in its title) with a year's pagu and a May spending. */
static void start_sampang(void)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, SAMPANG), 0);
	language_default();
	free(run("submit --element pagu_belanja_lain --op set --orgunit " KEC
		 " --date 2022-01-05 --value 387500000", 0));
	free(run("submit --id w-1 --element realisasi_belanja_lain --orgunit " KEC
		 " --date 2022-05-20 --value 150000000", 0));
}

/* 12.6: people read 1.234.567,89 in query, watch, target and report; JSON stays a number. */
START_TEST(test_numbers_for_people_and_for_programs)
{
	language_default();
	char *out = run("query --indicator iki04 --period 2022", 0);
	assert_has(out, "150.000.000");
	assert_has(out, "387.500.000");
	assert_has(out, "38,71 %");
	assert_lacks(out, "38.71");
	free(out);
	out = run("query --indicator iki04 --period 2022 --json", 0);
	assert_has(out, "\"num\":150000000");
	assert_has(out, "\"den\":387500000");
	assert_has(out, "\"value\":38.70967");
	free(out);
	free(run("target --indicator iki04 --period 2022 --set 95,5", 0));
	out = run("target", 0);
	assert_has(out, "95,50");
	assert_lacks(out, "95.50");
	free(out);
	out = run("watch --plain --indicator iki04 --orgunit " KEC " --period 2022 > w.out & "
		  "sleep 2; kill $!; cat w.out; rm -f w.out", 0);
	assert_has(out, "150.000.000/387.500.000  38,71 %");
	free(out);
	out = run("report --year 2022 --jabatan 'Sekretaris Kecamatan'", 0);
	assert_has(out, "38,71");
	free(out);
	out = run("report --year 2022 --jabatan 'Sekretaris Kecamatan' --format csv", 0);
	assert_has(out, "38.71");
	free(out);
}
END_TEST

/* 12.7: no --period is the catalog's budget year (2022), not the clock's; no data names the period. */
START_TEST(test_default_period_is_the_budget_year_and_no_data_says_which)
{
	language_default();
	char *out = run("query --indicator iki04", 0);
	assert_has(out, " 2022 ");
	assert_has(out, "38,71 %");
	free(out);
	out = run("query --indicator iki04 --period 2026", 0);
	assert_has(out, "tidak ada data untuk tahun 2026 (--period 2026)");
	assert_has(out, "Tahun anggaran katalog adalah 2022: coba --period 2022");
	free(out);
	out = run("query --indicator iki06 --period 2022Q1", 0); /* nothing sent for iki06 */
	assert_has(out, "tidak ada data untuk triwulan I 2022");
	assert_lacks(out, "Tahun anggaran katalog");
	free(out);
	out = run("query --indicator iki06 --period 202203", 0);
	assert_has(out, "tidak ada data untuk Maret 2022");
	free(out);
	out = run("report --jabatan 'Sekretaris Kecamatan'", 0);
	assert_has(out, "Tahun 2022");
	assert_has(out, "38,71");
	free(out);
}
END_TEST

/* 12.9: what people see of a time is WIB, whatever the machine's zone. */
START_TEST(test_times_are_wib)
{
	language_default();
	setenv("TZ", "America/New_York", 1);
	time_t now = time(NULL) + 7 * 3600;
	struct tm tm;
	gmtime_r(&now, &tm);
	char day[16], hour[24];
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	char *out = run("history w-1", 0);
	assert_has(out, day);
	assert_has(out, " WIB  w-1");
	free(out);
	out = run("report --year 2022 --jabatan 'Sekretaris Kecamatan'", 0);
	snprintf(hour, sizeof(hour), "pukul %02d.", tm.tm_hour);
	assert_has(out, hour);
	assert_has(out, " WIB");
	free(out);
	free(run("lock 2021", 0));
	out = run("locks", 0);
	assert_has(out, " WIB");
	free(out);
}
END_TEST

/* 12.8: iki list shows what may be typed, from describe. */
START_TEST(test_list_shows_what_may_be_typed)
{
	language_default();
	char *out = run("list", 0);
	assert_has(out, "Wilayah (--orgunit)");
	assert_has(out, "35.27.03.2002");
	assert_has(out, "Aengsareh");
	assert_has(out, "Elemen data dan jenis kasus (--element)");
	assert_has(out, "surat_masuk");
	/* who reports surat_masuk: the umum section, not a village's clerk (issue 12.10) */
	const char *row = strstr(out, "surat_masuk ");
	ck_assert_ptr_nonnull(row);
	ck_assert_msg(!strncmp(row, "surat_masuk                banyak   0 ke atas        umum ", 57),
		      "%.100s", row);
	assert_has(out, "Indikator (--indicator)");
	assert_has(out, "iki04");
	assert_has(out, "Jabatan (--jabatan)");
	assert_has(out, "  Sekretaris Kecamatan\n");
	free(out);
	out = run("list elements", 0);
	assert_has(out, "realisasi_belanja_lain");
	assert_lacks(out, "Wilayah (--orgunit)");
	assert_lacks(out, "Jabatan (--jabatan)");
	free(out);
	out = run("list jabatan", 0);
	char *second = strstr(strstr(out, "  Sekretaris Kecamatan\n") + 1, "  Sekretaris Kecamatan\n");
	ck_assert_msg(second == NULL, "a jabatan listed twice:\n%s", out);
	free(out);
	assert_run_has("list villages", 2, "cara pakai: iki list");
	language_default();
	setenv("LANG", "C", 1);
	assert_run_has("list orgunits", 0, "Org units (--orgunit)");
}
END_TEST

/* 12.8: iki whoami says who ikid takes the key for and what it may submit (plain text: the
 * local admin; each role over CURVE is check_trust's). */
START_TEST(test_whoami_says_role_scope_and_what_may_be_sent)
{
	language_default();
	char *out = run("whoami", 0);
	assert_has(out, "Kunci:       local\n");
	assert_has(out, "Peran:       admin\n");
	assert_has(out, "Cakupan:     semua\n");
	assert_has(out, "Boleh mengirim (--element):\n");
	assert_has(out, "  surat_masuk");
	assert_has(out, "Surat masuk");
	free(out);
	assert_run_has("whoami extra", 2, "cara pakai: iki whoami");
	setenv("LANG", "C", 1);
	assert_run_has("whoami", 0, "Role:        admin");
}
END_TEST

/*
 * 12.5: each code a request can draw, with the sentence that fits that request: an unknown
 * jabatan is not an unknown indicator code, the history of an unknown id names no correction, a
 * cumulative period is neither locked nor given a target, a missing value is not out of bounds.
 */
START_TEST(test_every_refusal_fits_its_request)
{
	static const struct {
		const char *args;
		int exit;
		const char *code, *sentence;
	} pairs[] = {
	    {"query --indicator iki99 --period 2022", 1, "unknown_indicator",
	     "Kode indikator tidak ada di katalog. (iki99)"},
	    {"query --jabatan 'Camat Bulan' --period 2022", 1, "unknown_indicator",
	     "Jabatan itu tidak ada di katalog; lihat daftarnya dengan iki list jabatan"},
	    {"query --period 2022Q5", 1, "bad_period", "Periode tidak valid; tulis 2022, 2022Q1"},
	    {"query --period 2022 --orgunit 35.27.03.9999", 1, "unknown_orgunit",
	     "Kode desa/kelurahan tidak dikenal; gunakan kode Kemendagri"},
	    {"history tidak-ada-1", 1, "unknown_ref",
	     "Tidak ada kejadian tersimpan dengan ID itu yang boleh dilihat kunci Anda"},
	    {"lock 2022Q2SD", 1, "bad_period",
	     "Periode s.d. (sejak 1 Januari) tidak dikunci sendiri: kunci triwulan atau bulannya."},
	    {"target --indicator iki04 --period 2022Q2SD --set 50", 1, "bad_period",
	     "Periode s.d. (sejak 1 Januari) tidak diberi target sendiri"},
	    {"target --indicator iki99 --period 2022 --set 50", 1, "unknown_indicator",
	     "Kode indikator tidak ada di katalog. (iki99)"},
	    {"submit --element surat_hilang --orgunit " KEC " --date 2022-03-01 --value 1", 1,
	     "unknown_element", "Kode elemen data tidak ada di katalog; periksa ejaannya."},
	    {"submit --element surat_masuk --orgunit 35.27.03.9999 --date 2022-03-01 --value 1", 1,
	     "unknown_orgunit", "Kode desa/kelurahan tidak dikenal"},
	    {"submit --element surat_masuk --op set --orgunit " KEC " --date 2022-03-01 --value 1",
	     1, "bad_op", "Operasi tidak cocok dengan elemen data ini. (elemen surat_masuk memakai "
			  "op 'add')"},
	    {"submit --element desa_tertib --op set --orgunit 35.27.03.2002 --date 2022-03-01 "
	     "--value 7", 1, "bad_value", "nilai paling besar 1, bukan 7; salah ketik?"},
	    {"submit --element surat_masuk --orgunit " KEC " --date 2030-03-01 --value 1", 1,
	     "out_of_year", "Tanggalnya di luar tahun anggaran katalog"},
	    {"submit --element akta_tanah --op close --case AT-9 --orgunit 35.27.03.2002 --date "
	     "2022-03-01", 1, "unknown_case", "Nomor kasus ini belum pernah dibuka"},
	    {"submit --ref tidak-ada-2 --element surat_masuk --orgunit " KEC " --date 2022-03-01 "
	     "--value 2", 1, "unknown_ref", "ID kejadian yang hendak dikoreksi tidak ditemukan"},
	    {"submit --element surat_masuk --orgunit " KEC " --date 2022-03-01", 2, "",
	     "value kosong: tulis jumlahnya, juga bila 1"},
	};
	language_default();
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		char *out = run(pairs[i].args, pairs[i].exit);
		assert_has(out, pairs[i].code);
		assert_has(out, pairs[i].sentence);
		assert_lacks(out, "hendak dikoreksi tidak ditemukan; periksa ID-nya. (tidak-ada-1)");
		free(out);
	}
}
END_TEST

static Suite *words_suite(void)
{
	Suite *s = suite_create("words");
	TCase *tc = tcase_create("language");
	tcase_add_checked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_every_help_is_indonesian_by_default);
	tcase_add_test(tc, test_lang_c_and_language_en_speak_english);
	tcase_add_test(tc, test_unset_or_other_locales_speak_indonesian);
	tcase_add_test(tc, test_usage_errors_are_indonesian);
	tcase_add_test(tc, test_transport_failures_are_indonesian);
	tcase_add_test(tc, test_every_marked_string_has_a_translation);
	suite_add_tcase(s, tc);

	tc = tcase_create("figures");
	tcase_add_checked_fixture(tc, start_sampang, stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_numbers_for_people_and_for_programs);
	tcase_add_test(tc, test_default_period_is_the_budget_year_and_no_data_says_which);
	tcase_add_test(tc, test_times_are_wib);
	tcase_add_test(tc, test_list_shows_what_may_be_typed);
	tcase_add_test(tc, test_whoami_says_role_scope_and_what_may_be_sent);
	tcase_add_test(tc, test_every_refusal_fits_its_request);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(words_suite)
