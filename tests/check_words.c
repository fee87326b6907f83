/* check_words.c: what iki says to a person: Bahasa Indonesia by default, English under LANG=C. */
#include <check.h>
#include <signal.h>
#include <stdbool.h>
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

/* ---- 12.5: every refusal ikid makes, request by request, with the sentence it says ---- */

#define V2 "35.27.03.2002"
#define V3 "35.27.03.1006"

/*
 * One step of a matrix: how the request is sent, and what ikid must answer. how is iki's
 * arguments, or after "raw " tests/words_raw.py's (a request iki never sends: bytes that are
 * no msgpack, a version 2, a type ikid does not serve, 5001 events, reads pipelined without
 * reading); code NULL: a step that must be served (it makes the state the next ones refuse).
 * The sentence is the whole of the one ikid says before its detail in brackets.
 */
struct refusal {
	const char *how, *code, *sentence;
};

/* The sentences of the codes as include/iki.c words them, where they fit the request. */
#define S_MALFORMED "Pesan rusak atau tidak lengkap; kirim ulang dengan versi iki yang benar."
#define S_VERSION "Versi protokol tidak didukung; perbarui aplikasi iki Anda."
#define S_TYPE "Jenis pesan tidak dikenal; perbarui aplikasi iki Anda."
#define S_FIELD "Ada kolom yang kosong, salah jenis, atau terlalu panjang."
#define S_TOOBIG "Kiriman terlalu besar; bagi menjadi beberapa kiriman yang lebih kecil."
#define S_PERIOD "Periode tidak valid; tulis 2022, 2022Q1 (triwulan), 202203 (bulan), atau " \
		 "2022Q2SD / 202205SD (s.d., sejak 1 Januari)."
#define S_PENDING "Terlalu banyak permintaan Anda yang belum dijawab; tunggu jawabannya, lalu " \
		  "kirim lagi."
#define S_FULL "Basis data penuh; tidak ada yang tersimpan. Hubungi operator."
/* ... and those of a request of its own */
#define S_INDICATOR "Kode indikator tidak ada di katalog; lihat daftarnya dengan iki list indicators."
#define S_ORGUNIT "Kode desa/kelurahan tidak dikenal; lihat daftarnya dengan iki list orgunits " \
		  "(kode Kemendagri, misalnya 35.27.03.2001)."
#define S_AFTER "Penanda halaman (after) tidak dikenal; mintalah lagi dari halaman pertama."
/* ... and those of an event of a submit, refused in its result (store.c, authz.c) */
#define S_EV_ORGUNIT "Kode desa/kelurahan tidak dikenal; gunakan kode Kemendagri, misalnya " \
		     "35.27.03.2001."

#define EV_KEC "--element surat_masuk --orgunit " KEC " --date 2022-03-01"
#define RAW_SUBMIT(events) "raw \"{'type':'submit','events':[" events "]}\""

static const struct refusal plain_refusals[] = {
    /* any request: what the decoder refuses before the type's own checks */
    {"raw \"b'\\xc1'\"", "malformed", S_MALFORMED},
    {"raw \"{'v':2,'type':'query','period':'2022'}\"", "bad_version", S_VERSION},
    {"raw \"{'type':'frobnicate'}\"", "bad_type", S_TYPE},
    {"raw \"{'type':'values','values':[]}\"", "bad_type", S_TYPE " (values)"},
    {"raw \"{'type':'query','period':5}\"", "bad_field", S_FIELD},
    {"raw \"{'type':'history','period':'2022'}\"", "bad_field", S_FIELD},
    {RAW_SUBMIT("{'id':'b%d'%i,'element':'surat_masuk','orgunit':'" KEC "','date':'2022-03-01',"
		"'op':'add','value':1} for i in range(5001)"),
     "too_big", S_TOOBIG},
    /* query */
    {"query --indicator iki99 --period 2022", "unknown_indicator", S_INDICATOR " (iki99)"},
    {"query --jabatan 'Camat Bulan' --period 2022", "unknown_indicator",
     "Jabatan itu tidak ada di katalog; lihat daftarnya dengan iki list jabatan (huruf besar "
     "atau kecil tidak dibedakan). (Camat Bulan)"},
    {"query --period 2022 --orgunit 35.27.03.9999", "unknown_orgunit",
     S_ORGUNIT " (35.27.03.9999)"},
    {"query --period 2022Q5", "bad_period", S_PERIOD " (2022Q5)"},
    {"raw --pipeline 300 \"{'type':'query','period':'2022'}\"", "too_many_pending", S_PENDING},
    /* snapshot */
    {"raw \"{'type':'snapshot','indicator':'iki99'}\"", "unknown_indicator",
     S_INDICATOR " (iki99)"},
    {"raw \"{'type':'snapshot','orgunit':'35.27.03.9999'}\"", "unknown_orgunit",
     S_ORGUNIT " (35.27.03.9999)"},
    {"raw \"{'type':'snapshot','period':'2022Q5'}\"", "bad_period", S_PERIOD " (2022Q5)"},
    {"raw \"{'type':'snapshot','after':'tidak/ada'}\"", "bad_field", S_AFTER " (after)"},
    {"raw --pipeline 300 \"{'type':'snapshot'}\"", "too_many_pending", S_PENDING},
    /* history */
    {"history tidak-ada-1", "unknown_ref",
     "Tidak ada kejadian tersimpan dengan ID itu yang boleh dilihat kunci Anda; periksa ID-nya. "
     "(tidak-ada-1)"},
    {"history --indicator iki99 --period 2022", "unknown_indicator", S_INDICATOR " (iki99)"},
    {"history --indicator iki04 --period 2022 --orgunit 35.27.03.9999", "unknown_orgunit",
     S_ORGUNIT " (35.27.03.9999)"},
    {"history --indicator iki04 --period 2022Q5", "bad_period", S_PERIOD " (2022Q5)"},
    {"raw \"{'type':'history','indicator':'iki04','period':'2022','after':'x'}\"", "bad_field",
     S_AFTER " (after)"},
    {"raw --pipeline 300 \"{'type':'history','indicator':'iki04','period':'2022'}\"",
     "too_many_pending", S_PENDING},
    /* describe, whoami: only too many */
    {"raw --pipeline 300 \"{'type':'describe'}\"", "too_many_pending", S_PENDING},
    {"raw --pipeline 300 \"{'type':'whoami'}\"", "too_many_pending", S_PENDING},
    /* lock */
    {"lock 2022Q2SD", "bad_period",
     "Periode s.d. (sejak 1 Januari) tidak dikunci sendiri: kunci triwulan atau bulannya. "
     "(2022Q2SD)"},
    {"lock 2022Q5", "bad_period",
     "Periode yang dikunci ialah tahun, triwulan atau bulan: tulis 2022, 2022Q1 atau 202203. "
     "(2022Q5)"},
    /* target */
    {"target --indicator iki99", "unknown_indicator", S_INDICATOR " (iki99)"},
    {"target --indicator iki99 --period 2022 --set 50", "unknown_indicator",
     S_INDICATOR " (iki99)"},
    {"target --indicator iki04 --period 2022 --orgunit 35.27.03.9999 --set 50", "unknown_orgunit",
     S_ORGUNIT " (35.27.03.9999)"},
    {"target --indicator iki04 --period 2022Q2SD --set 50", "bad_period",
     "Periode s.d. (sejak 1 Januari) tidak diberi target sendiri: targetnya ialah target "
     "triwulan atau bulan tempat ia berakhir. (2022Q2SD)"},
    {"target --indicator iki04 --period 202203 --set 50", "bad_period",
     "Target ditetapkan untuk tahun atau triwulan: tulis 2022 atau 2022Q1 (bulan memakai target "
     "triwulannya). (202203)"},
    {"target --indicator iki04 --period 2022Q5 --set 50", "bad_period",
     "Target ditetapkan untuk tahun atau triwulan: tulis 2022 atau 2022Q1 (bulan memakai target "
     "triwulannya). (2022Q5)"},
    {"raw \"{'type':'target','indicator':'iki04','period':'2022','target':5000}\"", "bad_value",
     "Target ialah persentase di atas 0 sampai 1.000, misalnya 95 atau 87,5. (5.000 %)"},
    {"raw \"{'type':'target','period':'2022','target':50}\"", "bad_field", S_FIELD},
    /* note: write, then read */
    {"note --indicator iki99 --period 2022 --set 'Lelang mundur'", "unknown_indicator",
     S_INDICATOR " (iki99)"},
    {"note --indicator iki04 --orgunit 35.27.03.9999 --period 2022 --set 'Lelang mundur'",
     "unknown_orgunit", S_ORGUNIT " (35.27.03.9999)"},
    {"note --indicator iki04 --period 2022Q5 --set 'Lelang mundur'", "bad_period",
     S_PERIOD " (2022Q5)"},
    {"raw \"{'type':'note','period':'2022','text':'x'}\"", "bad_field", S_FIELD},
    {"note --indicator iki99", "unknown_indicator", S_INDICATOR " (iki99)"},
    {"note --orgunit 35.27.03.9999", "unknown_orgunit", S_ORGUNIT " (35.27.03.9999)"},
    {"note --period 2022Q5", "bad_period", S_PERIOD " (2022Q5)"},
    {"raw --pipeline 300 \"{'type':'note'}\"", "too_many_pending", S_PENDING},
    /* submit: its events, each refused in its result with its own sentence */
    {"submit --id 'a b' --element surat_masuk --orgunit " KEC " --date 2022-03-01 --value 1",
     "bad_field", S_FIELD " (kolom 'id': hanya huruf, angka dan -_.:/@+#~=)"},
    {RAW_SUBMIT("{'id':'r1','element':'surat_masuk','orgunit':'" KEC "','date':'2022-03-01',"
		"'op':'add','value':'satu'}"),
     "bad_field", S_FIELD " (kolom 'value')"},
    {"submit --element surat_masuk --orgunit 35.27.03.9999 --date 2022-03-01 --value 1",
     "unknown_orgunit", S_EV_ORGUNIT " (orgunit: 35.27.03.9999)"},
    {"submit --element surat_hilang --orgunit " KEC " --date 2022-03-01 --value 1",
     "unknown_element", "Kode elemen data tidak ada di katalog; periksa ejaannya. (element: "
			"surat_hilang)"},
    {"submit --element surat_masuk --orgunit " KEC " --date 2022-02-30 --value 1", "bad_date",
     "Tanggal tidak valid; tulis sebagai TTTT-BB-HH, misalnya 2022-03-15. (date: 2022-02-30)"},
    {"submit --element surat_masuk --op set --orgunit " KEC " --date 2022-03-01 --value 1",
     "bad_op", "Operasi tidak cocok dengan elemen data ini. (elemen surat_masuk memakai op 'add')"},
    {RAW_SUBMIT("{'id':'r2','element':'surat_masuk','orgunit':'" KEC "','date':'2022-03-01',"
		"'op':'add'}"),
     "bad_value", "Nilai surat_masuk belum diisi: tulis jumlahnya (value), juga bila hanya 1; "
		  "tidak ada nilai bawaan."},
    {"submit " EV_KEC " --value -1", "bad_value",
     "Nilai di luar batas yang diizinkan untuk elemen data ini. (surat_masuk: nilai harus 0 "
     "atau lebih)"},
    {"submit --element desa_tertib --op set --orgunit " V2 " --date 2022-03-01 --value 7",
     "bad_value", "Nilai di luar batas yang diizinkan untuk elemen data ini. (desa_tertib: nilai "
		  "paling besar 1, bukan 7; salah ketik?)"},
    {"submit --element surat_masuk --orgunit " KEC " --date 2030-03-01 --value 1", "out_of_year",
     "Tanggalnya di luar tahun anggaran katalog; periksa tahunnya (kegiatan tahun lain dilaporkan "
     "dengan katalog tahun itu). (date 2030-03-01: tahun anggaran 2022)"},
    {"submit --element akta_tanah --op open --orgunit " V2 " --date 2022-03-01", "missing_case",
     "Kejadian kasus memerlukan nomor kasus (case id). (kasus akta_tanah)"},
    {"submit --element akta_tanah --op open --case AT-2 --orgunit " V2 " --date 2022-04-01 "
     "--value 2",
     "bad_value", "Nilai di luar batas yang diizinkan untuk elemen data ini. (kasus akta_tanah: "
		  "nilai harus 1)"},
    {"submit --element akta_tanah --op close --case AT-9 --orgunit " V2 " --date 2022-03-01",
     "unknown_case", "Nomor kasus ini belum pernah dibuka; kirim dulu kejadian pembukaannya. "
		     "(case: AT-9)"},
    {"submit --id c1 --element akta_tanah --op open --case AT-1 --orgunit " V2
     " --date 2022-03-05", NULL, NULL},
    {"submit --id c2 --element akta_tanah --op open --case AT-1 --orgunit " V2
     " --date 2022-03-06", "case_exists", "Nomor kasus ini sudah dibuka sebelumnya. (case: AT-1)"},
    {"submit --id c3 --element akta_tanah --op close --case AT-1 --orgunit " V2
     " --date 2022-03-01", "case_date",
     "Tanggal penyelesaian lebih awal dari tanggal pembukaan kasus. (case: AT-1)"},
    {"submit --id c4 --element akta_tanah --op close --case AT-1 --orgunit " V2
     " --date 2022-03-10", NULL, NULL},
    {"submit --id c5 --element akta_tanah --op close --case AT-1 --orgunit " V2
     " --date 2022-03-11", "case_closed", "Kasus ini sudah diselesaikan sebelumnya. (case: AT-1)"},
    {"submit --id s1 " EV_KEC " --value 1", NULL, NULL},
    {"submit --id s1 " EV_KEC " --value 2", "id_conflict",
     "ID kejadian ini sudah dipakai untuk data lain; gunakan ID baru. (id: s1)"},
    {"submit --ref tidak-ada-2 " EV_KEC " --value 2", "unknown_ref",
     "ID kejadian yang hendak dikoreksi tidak ditemukan; periksa ID-nya. (ref: tidak-ada-2)"},
    {"submit --id v1 --op void --ref s1", NULL, NULL},
    {"submit --id v2 --op void --ref s1", "already_voided",
     "Kejadian ini sudah dibatalkan atau diganti sebelumnya. (s1 oleh v1)"},
    {"submit --id v3 --op void --ref v1", "bad_op",
     "Kejadian v1 adalah pembatalan, dan pembatalan tidak dapat dibatalkan atau diganti; untuk "
     "menghitung lagi kejadian yang dibatalkannya, kirim ulang kejadian itu dengan ID baru."},
    {"submit --id s5 " EV_KEC " --value 1", NULL, NULL},
    {RAW_SUBMIT("{'id':'v5','op':'void','ref':'s5','element':'surat_tepat'}"), "id_conflict",
     "Kejadian s5 yang hendak dibatalkan bukan data surat_tepat, melainkan surat_masuk; periksa "
     "ID dan elemennya."},
    {RAW_SUBMIT("{'id':'o%d'%i,'element':'realisasi_belanja_lain','orgunit':'" KEC "',"
		"'date':'2022-05-01','op':'add','value':10**15} for i in range(1001)"),
     "sum_overflow", "Jumlah ini akan melampaui batas total yang dapat disimpan "
		     "(1.000.000.000.000.000.000); periksa nilainya, kemungkinan salah ketik. "
		     "(realisasi_belanja_lain)"},
    {"lock 2022Q1", NULL, NULL},
    {"submit --id s3 " EV_KEC " --value 1", "locked",
     "Periode ini sudah dikunci setelah dilaporkan; minta admin membukanya bila perlu koreksi. "
     "(periode 2022Q1)"},
};

/* How ikid's sentence stands in what iki (or words_raw.py) printed for a refusal with code. */
static void assert_refusal(const struct refusal *r, const char *out, bool raw)
{
	char want[1024];
	if (raw)
		snprintf(want, sizeof(want), "\t%s\t%s", r->code, r->sentence);
	else
		snprintf(want, sizeof(want), "%s: %s", r->code, r->sentence);
	ck_assert_msg(strstr(out, want), "%s:\nwant '%s' in:\n%s", r->how, want, out);
}

/* Send each step of a matrix, as key (NULL: plain text) with iki, or raw; check the answers. */
static void drive(const struct refusal *steps, size_t n, const char *key, const char *keys)
{
	char args[8192];
	for (size_t i = 0; i < n; i++) {
		const struct refusal *r = &steps[i];
		bool raw = !strncmp(r->how, "raw ", 4);
		char *out = NULL;
		int rc;
		if (raw && key)
			snprintf(args, sizeof(args), "/usr/bin/python3 tests/words_raw.py %s --curve "
				 "%s/%s.key %s/server.pub %s 2>&1", d.request, keys, key, d.state,
				 r->how + 4);
		else if (raw)
			snprintf(args, sizeof(args), "/usr/bin/python3 tests/words_raw.py %s %s 2>&1",
				 d.request, r->how + 4);
		else if (key)
			snprintf(args, sizeof(args), "-t 5 -k %s/%s.key -S %s/server.pub --outbox %s/ob "
				 "%s 2>&1", keys, key, d.state, d.state, r->how);
		else
			snprintf(args, sizeof(args), "-t 5 --outbox %s/ob %s 2>&1", d.state, r->how);
		if (raw) {
			FILE *p = popen(args, "r");
			ck_assert_ptr_nonnull(p);
			size_t len = 0, got;
			char *buf = calloc(1, 1 << 16);
			while (buf && len + 1 < (1 << 16) &&
			       (got = fread(buf + len, 1, (1 << 16) - 1 - len, p)) > 0)
				len += got;
			rc = pclose(p);
			out = buf;
			ck_assert_msg(rc == 0, "%s: status %d: %s", r->how, rc, out);
		} else {
			rc = harness_iki(&d, args, &out);
			ck_assert_msg(rc == (r->code ? 1 : 0), "iki %s: exit %d: %s", r->how, rc,
				      out ? out : "");
		}
		if (r->code)
			assert_refusal(r, out, raw);
		free(out);
	}
}

START_TEST(test_every_refusal_of_every_request_in_plain_text)
{
	language_default();
	drive(plain_refusals, sizeof(plain_refusals) / sizeof(plain_refusals[0]), NULL, NULL);
	/* what iki refuses itself, before ikid is asked: an add without its value */
	char *out = run("submit --element surat_masuk --orgunit " KEC " --date 2022-03-01", 2);
	assert_has(out, "value kosong: tulis jumlahnya, juga bila 1");
	free(out);
	/* under LANG=C iki's own words are English; ikid's sentence stays what ikid said, in
	 * Bahasa Indonesia for the clerk (PROTOCOL.md: message), its code the same name */
	setenv("LANG", "C", 1);
	out = run("query --indicator iki99 --period 2022", 1);
	assert_has(out, "iki query: unknown_indicator: " S_INDICATOR " (iki99)\n");
	free(out);
	out = run("lock 2022Q2SD", 1);
	assert_has(out, "iki lock: bad_period: Periode s.d. (sejak 1 Januari) tidak dikunci sendiri");
	free(out);
	out = run("submit --element surat_masuk --orgunit " KEC " --date 2022-03-01", 2);
	assert_has(out, "iki submit: the value is empty: write the number, 1 too");
	free(out);
	out = run("history", 2);
	assert_has(out, "usage: iki history ID [--json]");
	free(out);
}
END_TEST

/* The keys of the matrix under CURVE: an admin, a viewer, the clerk of V2, the trantib section. */
static char keys[128];

static void key_make(const char *name, char *pub, size_t n)
{
	char bin[256], cmd[600], path[300], line[200];
	harness_bin("iki", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "%s keygen %s/%s >/dev/null", bin, keys, name);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s.pub", keys, name);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	pub[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "public = %63s", pub) == 1)
			break;
	fclose(f);
	ck_assert_int_eq((int)strlen(pub), 40);
	(void)n;
}

static void start_keys(void)
{
	char pub[4][64], path[200], text[1024];
	static const char *const names[] = {"admin", "camat", "desa-2", "trantib"};
	snprintf(keys, sizeof(keys), "/tmp/iki-words-keys-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(keys));
	for (int i = 0; i < 4; i++)
		key_make(names[i], pub[i], sizeof(pub[i]));
	snprintf(path, sizeof(path), "%s/clients", keys);
	snprintf(text, sizeof(text),
		 "admin admin - %s\ncamat viewer - %s\ndesa-2 clerk " V2 " %s\n"
		 "trantib section trantib %s\n",
		 pub[0], pub[1], pub[2], pub[3]);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	memset(&d, 0, sizeof(d));
	const char *args[] = {"-a", path, NULL};
	ck_assert_int_eq(harness_start_args(&d, SAMPANG, args), 0);
}

static void stop_keys(void)
{
	stop();
	harness_rmtree(keys);
}

#define S_FORBIDDEN_LOCK "Hanya kunci admin yang boleh mengunci atau membuka periode; minta admin " \
			 "kecamatan melakukannya."
#define S_FORBIDDEN_TARGET "Hanya kunci admin yang boleh menetapkan target; minta admin kecamatan " \
			   "menetapkannya."
#define S_FORBIDDEN_NOTE "Hanya kunci admin yang boleh menulis analisis; minta admin kecamatan " \
			 "menuliskannya."

/* Each key's refusals: its role may not make the request, or the event is outside its scope. */
START_TEST(test_every_refusal_of_a_role_or_a_scope)
{
	static const struct {
		const char *key;
		struct refusal r;
	} steps[] = {
	    {"camat", {"submit " EV_KEC " --value 1", "forbidden",
		       "Kunci Anda hanya untuk melihat data, tidak untuk mengirim; data dikirim dengan "
		       "kunci petugas desa/kelurahan atau bagian (minta ke operator). (viewer)"}},
	    {"camat", {"lock 2022Q1", "forbidden", S_FORBIDDEN_LOCK " (viewer)"}},
	    {"desa-2", {"unlock 2022Q1", "forbidden", S_FORBIDDEN_LOCK " (clerk)"}},
	    {"trantib", {"target --indicator iki04 --period 2022 --set 50", "forbidden",
			 S_FORBIDDEN_TARGET " (section)"}},
	    {"camat", {"target --indicator iki04 --period 2022 --set 50", "forbidden",
		       S_FORBIDDEN_TARGET " (viewer)"}},
	    {"desa-2", {"note --indicator iki04 --period 2022 --set 'Lelang mundur'", "forbidden",
			S_FORBIDDEN_NOTE " (clerk)"}},
	    {"trantib", {"note --indicator iki04 --period 2022 --set 'Lelang mundur'", "forbidden",
			 S_FORBIDDEN_NOTE " (section)"}},
	    /* what each may do, for the next: read, list, and its own events */
	    {"camat", {"target", NULL, NULL}},
	    {"desa-2", {"note --indicator iki04", NULL, NULL}},
	    {"admin", {"submit --id u1 " EV_KEC " --value 1", NULL, NULL}},
	    /* out of scope: the village, the element, both (authz.c) */
	    {"desa-2", {"submit --element usulan_terakomodir --orgunit " V3 " --date 2022-03-01 "
			"--value 1", "out_of_scope",
			"Kelurahan Rongtengah (" V3 ") di luar wewenang kunci Anda: kunci ini hanya "
			"boleh mengirim data Desa Aengsareh (" V2 ")."}},
	    {"desa-2", {"submit --element surat_masuk --orgunit " V2 " --date 2022-03-01 --value 1",
			"out_of_scope", "Elemen data surat_masuk (Surat masuk (Buku Agenda Surat "
					"Masuk)) di luar wewenang kunci Anda: dilaporkan oleh bagian "
					"umum, bukan oleh petugas desa/kelurahan. Kunci ini hanya boleh "
					"mengirim elemen data desa/kelurahan untuk Desa Aengsareh (" V2
					"); daftarnya: iki whoami."}},
	    {"trantib", {"submit --element surat_masuk --orgunit " V2 " --date 2022-03-01 --value 1",
			 "out_of_scope", "Elemen data surat_masuk (Surat masuk (Buku Agenda Surat "
					 "Masuk)) di luar wewenang kunci Anda: dilaporkan oleh bagian "
					 "umum, bukan oleh bagian trantib. Kunci ini hanya boleh mengirim "
					 "elemen data bagian trantib, untuk desa/kelurahan mana pun; "
					 "daftarnya: iki whoami."}},
	    /* the history of an event outside the key's scope is no event it may see */
	    {"desa-2", {"history u1", "unknown_ref",
			"Tidak ada kejadian tersimpan dengan ID itu yang boleh dilihat kunci Anda; "
			"periksa ID-nya. (u1)"}},
	    {"camat", {"raw \"{'type':'note','indicator':'iki04','period':'2022','text':'x'}\"",
		       "forbidden", S_FORBIDDEN_NOTE " (viewer)"}},
	};
	language_default();
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		drive(&steps[i].r, 1, steps[i].key, keys);
	/* a key taken out of the clients file while connected: whatever it asks next */
	char args[1024], *out = NULL;
	snprintf(args, sizeof(args), "/usr/bin/python3 tests/words_raw.py %s --curve %s/trantib.key "
		 "%s/server.pub --key-gone %s/clients trantib %s/ikid.pid \"{'type':'whoami'}\" "
		 "\"{'type':'query','period':'2022'}\" 2>&1", d.request, keys, d.state, keys, d.state);
	FILE *p = popen(args, "r");
	ck_assert_ptr_nonnull(p);
	char buf[4096] = "";
	size_t got = fread(buf, 1, sizeof(buf) - 1, p);
	buf[got] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_msg(!strncmp(buf, "identity\n", 9), "%s", buf);
	assert_has(buf, "\tforbidden\tKunci Anda tidak lagi terdaftar di ikid (daftar klien diubah "
			"sejak tersambung); minta operator memeriksa daftar klien, lalu sambung lagi. "
			"(none)");
	free(out);
}
END_TEST

/* A full database (--map-size 1M, filled): every request that writes says so. */
static void start_full(void)
{
	const char *args[] = {"--map-size", "1M", NULL};
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start_args(&d, MINI, args), 0);
}

/* The output of the first of a shell loop's iki commands (ARGS, with $v from VALUES) that ikid
 * refuses with storage_full, or NULL when none is (malloc'd). */
static char *until_full(const char *values, const char *args)
{
	char bin[256], cmd[2048];
	harness_bin("iki", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "for v in %s; do out=$(%s -s %s -t 5 %s 2>&1); case \"$out\" in "
		 "*storage_full*) printf '%%s\\n' \"$out\"; exit 0;; esac; done; exit 1", values, bin,
		 d.request, args);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	char *buf = calloc(1, 8192);
	size_t got = fread(buf, 1, 8191, p);
	buf[got] = '\0';
	if (pclose(p) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * A full database (--map-size 1M): every request that writes is refused storage_full, and says
 * so. A full map still takes a small write where an earlier one freed pages, so each kind is
 * written until it is refused: letters in batches of 4000 (words_raw.py), then a clerk's
 * `iki submit` of one letter (it stops, exit 4, its event waiting in the outbox, rather than
 * retrying what only ikid's operator can mend), then notes of 490 bytes, then locks of every
 * period of the years served, then targets.
 */
START_TEST(test_every_write_to_a_full_database)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "for b in $(seq 1 40); do /usr/bin/python3 tests/words_raw.py %s \"{'type':'submit',"
		 "'events':[{'id':'f$b-%%d'%%i,'element':'surat_masuk','orgunit':'35.27.03.2001',"
		 "'date':'2022-03-01','op':'add','value':1,'comment':'x'*100} for i in range(4000)]}\" "
		 "| grep \"storage_full\" && exit 0; done; exit 1",
		 d.request);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	char line[512] = "";
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_str_eq(line, "error\tstorage_full\t" S_FULL "\n");
	static const struct {
		const char *what, *values, *args;
	} writes[] = {
	    {"note", "$(seq 1 400)", "note --indicator surat --period 2022 --set \"$v $(printf "
				     "'x%.0s' $(seq 1 480))\""},
	    {"lock", "$(for y in $(seq 2000 2099); do echo $y ${y}Q1 ${y}Q2 ${y}Q3 ${y}Q4; done)",
	     "lock $v"},
	    {"target", "$(seq 50 450)", "target --indicator surat --period 2022Q$(($v % 4 + 1)) "
					"--set $v"},
	};
	language_default();
	/* a clerk's submit is not retried for ever: it says so, and its event waits (exit 4) */
	char args[1024];
	snprintf(args, sizeof(args), "--outbox %s/ob-full submit --id full-$v --element surat_masuk "
		 "--orgunit 35.27.03.2001 --date 2022-03-01 --value 1 --comment \"$(printf 'x%%.0s' "
		 "$(seq 1 480))\" 2>&1; echo \"exit $?\"", d.state);
	char *said = until_full("$(seq 1 400)", args);
	ck_assert_msg(said, "submit: never refused storage_full");
	assert_has(said, "iki: storage_full: " S_FULL "\n");
	assert_has(said, "iki: 1 peristiwa yang belum terkirim aman di outbox");
	assert_has(said, "exit 4\n");
	free(said);
	for (size_t i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		char *out = until_full(writes[i].values, writes[i].args);
		ck_assert_msg(out, "%s: never refused storage_full", writes[i].what);
		char want[256];
		snprintf(want, sizeof(want), "iki %s: storage_full: " S_FULL "\n", writes[i].what);
		assert_has(out, want);
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
	suite_add_tcase(s, tc);

	tc = tcase_create("refusals");
	tcase_add_checked_fixture(tc, start_sampang, stop);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_every_refusal_of_every_request_in_plain_text);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, start_keys, stop_keys);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_refusal_of_a_role_or_a_scope);
	suite_add_tcase(s, tc);

	tc = tcase_create("full");
	tcase_add_checked_fixture(tc, start_full, stop);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, test_every_write_to_a_full_database);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(words_suite)
