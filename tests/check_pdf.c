/* check_pdf.c: iki report -o FILE.pdf (WeasyPrint on tables.c's HTML) and the output name. */
#include <check.h>
#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"

static struct ikid d;
static char scratch[200]; /* iki's $TMPDIR: empty again after every report */
static char *saved_path;  /* PATH, for the shell of harness_cleanup when a test changed it */

/* A fresh ikid on catalog with file submitted; iki's $TMPDIR in its state directory. */
static void start_with(const char *catalog, const char *file)
{
	char args[300];
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, catalog), 0);
	char *out = NULL;
	snprintf(args, sizeof(args), "submit -f %s", file);
	int rc = harness_iki(&d, args, &out);
	ck_assert_msg(rc == 0, "submit: exit %d: %s", rc, out ? out : "");
	free(out);
	snprintf(scratch, sizeof(scratch), "%s/tmp", d.state);
	ck_assert_int_eq(mkdir(scratch, 0700), 0);
	setenv("TMPDIR", scratch, 1);
	const char *path = getenv("PATH");
	saved_path = strdup(path ? path : "/usr/bin:/bin");
}

static void start_mini(void)
{
	start_with(MINI, "tests/data/mini-month.csv");
}

static void stop_ikid(void)
{
	harness_stop(&d, SIGTERM);
	setenv("PATH", saved_path, 1);
	free(saved_path);
	saved_path = NULL;
	harness_cleanup(&d);
}

/* iki's words in English (LANG=C) or in its own language, Indonesian (lang NULL). */
static void language(const char *lang)
{
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANGUAGE");
	unsetenv("IKI_LOCALEDIR");
	setenv("LANG", lang ? lang : "C.UTF-8", 1);
}

/* `iki <args>`'s standard output (and whatever args redirect), asserting its exit status. */
static char *run(const char *args, int want)
{
	char *out = NULL;
	int rc = harness_iki(&d, args, &out);
	ck_assert_msg(rc == want, "iki %s: exit %d, want %d: %s", args, rc, want, out ? out : "");
	ck_assert(out != NULL);
	return out;
}

/* A shell command's standard output (malloc'd), asserting it exited 0. */
static char *shell(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	char *buf = NULL;
	size_t len = 0, got;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	while ((got = fread(chunk, 1, sizeof(chunk), p)) > 0)
		fwrite(chunk, 1, got, mem);
	fclose(mem);
	int status = pclose(p);
	ck_assert_msg(status == 0, "%s: status %d", cmd, status);
	return buf;
}

#define HYPHEN "\xe2\x80\x90" /* U+2010, what WeasyPrint puts where it breaks at a soft hyphen */

/* s with every run of white space (line ends, the spaces of a wrapped cell) one space, and a word
 * broken at a line's end with WeasyPrint's hyphen whole again. */
static void squeeze(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++)
		if (!strncmp(r, HYPHEN, 3) && strchr(" \n", r[3]))
			r += 2 + strspn(r + 3, " \n\f"); /* "Lelang‐\nmundur": "Lelangmundur" */
		else if (!strchr(" \t\n\r\f", *r))
			*w++ = *r;
		else if (w > s && w[-1] != ' ')
			*w++ = ' ';
	*w = '\0';
}

/* The first n bytes of a file into buf (NUL-terminated); false when it cannot be read. */
static bool head(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t got = fread(buf, 1, n - 1, f);
	buf[got] = '\0';
	fclose(f);
	return true;
}

/* Whether the file at path is the text report: its title, and not HTML, CSV or a PDF. */
static bool is_text(const char *path)
{
	char buf[400];
	return head(path, buf, sizeof(buf)) &&
	       strstr(buf, "Laporan Kinerja (LAKIP) Tahun 2022\n") &&
	       strncmp(buf, "<!DOCTYPE", 9) && strncmp(buf, "\xEF\xBB\xBF", 3) &&
	       strncmp(buf, "%PDF", 4);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Whether iki left anything in its $TMPDIR (the scratch directory of a PDF). */
static int scratch_entries(void)
{
	DIR *dir = opendir(scratch);
	ck_assert_ptr_nonnull(dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(dir));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dir);
	return n;
}

static void path_in_state(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", d.state, name);
}

START_TEST(test_report_o_pdf_writes_a_pdf_with_the_tables)
{
	ck_assert_msg(system("command -v weasyprint >/dev/null 2>&1") == 0,
		      "weasyprint is not installed: scripts/deps.sh test installs it");
	ck_assert_msg(
	    system("command -v pdftotext >/dev/null 2>&1") == 0,
	    "pdftotext is not installed (poppler-utils): scripts/deps.sh test installs it");
	char pdf[300], args[600], cmd[700], magic[8];
	path_in_state(pdf, sizeof(pdf), "lakip.pdf");
	snprintf(args, sizeof(args), "report --year 2022 -o '%s'", pdf);
	char *out = run(args, 0);
	ck_assert_str_eq(out, ""); /* nothing on standard output */
	free(out);
	ck_assert(head(pdf, magic, 6));
	ck_assert_str_eq(magic, "%PDF-");
	ck_assert_int_eq(scratch_entries(), 0);

	/* the title, a figure (surat, 13/15), laid out as on paper */
	snprintf(cmd, sizeof(cmd), "pdftotext -layout '%s' -", pdf);
	char *text = shell(cmd);
	ck_assert_msg(strstr(text, "LAPORAN KINERJA (LAKIP) TAHUN 2022") ||
			  strstr(text, "Laporan Kinerja (LAKIP) Tahun 2022"),
		      "no title in:\n%s", text);
	ck_assert_ptr_nonnull(strstr(text, "KANTOR KECAMATAN SAMPANG"));
	ck_assert_ptr_nonnull(strstr(text, "86,67"));
	ck_assert_ptr_nonnull(strstr(text, "Halaman 1 dari "));
	free(text);
	/* every indicator's name, in drawing order, where a cell's lines follow each other (a name
	 * wrapped in its cell, "Tindak lanjut" over "kriminal", is one line in -layout's columns only
	 * when it fits) and a word broken with a hyphen is whole again (squeeze) */
	snprintf(cmd, sizeof(cmd), "pdftotext -raw '%s' -", pdf);
	text = shell(cmd);
	squeeze(text);
	for (const char *name =
		 "Rasio surat\0Akta tepat waktu\0Desa tertib\0Tindak lanjut kriminal\0";
	     *name; name += strlen(name) + 1)
		ck_assert_msg(strstr(text, name), "no '%s' in:\n%s", name, text);
	ck_assert_ptr_nonnull(strstr(text, "Sangat Baik"));
	ck_assert_ptr_nonnull(strstr(text, "Sumber: ikid, data per seq "));
	free(text);
}
END_TEST

START_TEST(test_format_pdf_wins_over_the_name_and_text_over_pdf)
{
	char path[300], args[600], magic[8];
	path_in_state(path, sizeof(path), "lakip.cetak");
	snprintf(args, sizeof(args), "report --year 2022 --format pdf -o '%s'", path);
	free(run(args, 0));
	ck_assert(head(path, magic, 6));
	ck_assert_str_eq(magic, "%PDF-");
	path_in_state(path, sizeof(path), "teks.pdf");
	snprintf(args, sizeof(args), "report --year 2022 --format text -o '%s'", path);
	free(run(args, 0));
	ck_assert_msg(is_text(path), "%s is not the text report", path);
	ck_assert_int_eq(scratch_entries(), 0);
	/* a file that cannot be made: said by name, after the layout */
	language("C");
	char *out = run("report --year 2022 -o /nonexistent/dir/lakip.pdf 2>&1", 2);
	ck_assert_str_eq(out,
			 "iki report: /nonexistent/dir/lakip.pdf: No such file or directory\n");
	free(out);
	ck_assert_int_eq(scratch_entries(), 0);
}
END_TEST

START_TEST(test_unknown_extension_is_a_usage_error_and_writes_nothing)
{
	char path[300], args[600];
	language("C");
	path_in_state(path, sizeof(path), "lakip.docx");
	snprintf(args, sizeof(args), "report --year 2022 -o '%s' 2>&1", path);
	char *out = run(args, 2);
	ck_assert_msg(strstr(out, "lakip.docx: unknown extension; write .txt, .csv, .html, .xlsx "
				  "or .pdf (or give --format)\n"),
		      "%s", out);
	ck_assert_ptr_null(strstr(out, "usage:")); /* the sentence, not the whole usage */
	free(out);
	ck_assert(!exists(path));
	language(NULL);
	out = run(args, 2);
	ck_assert_msg(strstr(out, "lakip.docx: ekstensi tidak dikenal; tulis .txt, .csv, .html, "
				  ".xlsx atau .pdf (atau beri --format)\n"),
		      "%s", out);
	free(out);
	ck_assert(!exists(path));
	/* a dot and nothing after it is no extension iki knows either */
	path_in_state(path, sizeof(path), "lakip.");
	snprintf(args, sizeof(args), "report --year 2022 -o '%s' 2>/dev/null", path);
	free(run(args, 2));
	ck_assert(!exists(path));
	/* --format given: the name is the user's business */
	path_in_state(path, sizeof(path), "lakip.docx");
	snprintf(args, sizeof(args), "report --year 2022 --format csv -o '%s'", path);
	free(run(args, 0));
	char magic[8];
	ck_assert(head(path, magic, 4));
	ck_assert_str_eq(magic, "\xEF\xBB\xBF"); /* CSV: its byte-order mark */
}
END_TEST

START_TEST(test_no_extension_or_txt_is_text_and_case_does_not_matter)
{
	char dir[300], path[400], args[600], magic[8];
	path_in_state(dir, sizeof(dir), "laporan.2022"); /* a dot in the directory only */
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	static const char *const names[] = {"lakip", ".lakip", "lakip.txt", "LAKIP.TXT"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(args, sizeof(args), "report --year 2022 -o '%s'", path);
		free(run(args, 0));
		ck_assert_msg(is_text(path), "%s is not the text report", path);
	}
	snprintf(path, sizeof(path), "%s/LAKIP.CSV", dir);
	snprintf(args, sizeof(args), "report --year 2022 -o '%s'", path);
	free(run(args, 0));
	ck_assert(head(path, magic, 4));
	ck_assert_str_eq(magic, "\xEF\xBB\xBF"); /* CSV: its byte-order mark */
}
END_TEST

START_TEST(test_pdf_is_never_written_to_standard_output)
{
	language("C");
	char *out = run("report --year 2022 --format pdf 2>&1", 2);
	ck_assert_str_eq(out, "iki report: a PDF is written to a file: give -o FILE.pdf\n");
	free(out);
	out = run("report --year 2022 --format pdf 2>/dev/null", 2);
	ck_assert_str_eq(out, ""); /* not a byte of PDF on the pipe */
	free(out);
	language(NULL);
	out = run("report --year 2022 --format pdf 2>&1", 2);
	ck_assert_str_eq(out, "iki report: PDF ditulis ke berkas: beri -o BERKAS.pdf\n");
	free(out);
}
END_TEST

START_TEST(test_without_weasyprint_it_says_how_to_install_it)
{
	char path[300], args[600], empty[300];
	path_in_state(empty, sizeof(empty), "bin");
	ck_assert_int_eq(mkdir(empty, 0700), 0);
	setenv("PATH", empty, 1); /* iki and sh are named by path; weasyprint is not found */
	path_in_state(path, sizeof(path), "lakip.pdf");
	snprintf(args, sizeof(args), "report --year 2022 -o '%s' 2>&1", path);
	language(NULL);
	char *out = run(args, 2);
	ck_assert_msg(strstr(out, "PDF dibuat oleh WeasyPrint, yang belum terpasang: pasang dengan "
				  "apt-get install weasyprint"),
		      "%s", out);
	free(out);
	language("C");
	out = run(args, 2);
	ck_assert_msg(strstr(out, "WeasyPrint, which is not installed: apt-get install weasyprint"),
		      "%s", out);
	free(out);
	ck_assert(!exists(path));
	ck_assert_int_eq(scratch_entries(), 0);
}
END_TEST

START_TEST(test_a_failing_weasyprint_is_reported_and_writes_nothing)
{
	char bin[300], fake[400], path[300], args[600];
	path_in_state(bin, sizeof(bin), "bin");
	ck_assert_int_eq(mkdir(bin, 0700), 0);
	snprintf(fake, sizeof(fake), "%s/weasyprint", bin);
	FILE *f = fopen(fake, "w");
	ck_assert_ptr_nonnull(f);
	/* the arguments iki gives, then a failure the way WeasyPrint fails */
	fputs("#!/bin/sh\necho \"args: $*\" >&2\necho 'boom: cannot lay out' >&2\nexit 3\n", f);
	fclose(f);
	ck_assert_int_eq(chmod(fake, 0700), 0);
	setenv("PATH", bin, 1);
	language("C");
	path_in_state(path, sizeof(path), "lakip.pdf");
	snprintf(args, sizeof(args), "report --year 2022 -o '%s' 2>&1", path);
	char *out = run(args, 2);
	ck_assert_msg(strstr(out, "iki report: weasyprint failed (exit status 3):\n"), "%s", out);
	ck_assert_msg(strstr(out, "boom: cannot lay out\n"), "%s", out);
	ck_assert_msg(strstr(out, "args: -e utf-8 -- "), "%s", out);
	ck_assert_msg(strstr(out, "/lakip.html "), "%s", out);
	free(out);
	ck_assert(!exists(path));
	ck_assert_int_eq(scratch_entries(), 0);
}
END_TEST

/* Sampang's month, for the LAKIP as the office prints it. */
static void start_sampang(void)
{
	start_with("catalog/sampang-2022.conf", "tests/data/sampang-2022-03.csv");
}

/* Issue 12.11's check without a screenshot: the PDF of Sampang's LAKIP opens with pdftotext and
 * holds the kop, the signature block, every indicator's row (its code) and a note written in
 * ikid. */
START_TEST(test_sampang_pdf_holds_the_kop_the_signature_and_every_indicator)
{
	char pdf[300], args[600], cmd[700], line[300];
	free(run("note --indicator iki04 --period 2022 --set 'Lelangmundur'", 0));
	path_in_state(pdf, sizeof(pdf), "lakip-sampang.pdf");
	snprintf(args, sizeof(args), "report --year 2022 -o '%s'", pdf);
	free(run(args, 0));
	snprintf(cmd, sizeof(cmd), "pdftotext -raw '%s' -", pdf);
	char *text = shell(cmd);
	squeeze(text);
	for (const char *want = "PEMERINTAH KABUPATEN SAMPANG\0KANTOR KECAMATAN SAMPANG\0"
				"Sampang, \0CAMAT SAMPANG\0YUDHI ADIDARTA KARMA, S.STP, M.Si\0"
				"Pembina TK. I\0NIP. 19780720 199804 1 001\0"
				"Lelangmundur\0Analisis / Keterangan\0";
	     *want; want += strlen(want) + 1)
		ck_assert_msg(strstr(text, want), "no '%s' in:\n%.2000s", want, text);
	FILE *f = fopen("catalog/sampang-2022.conf", "r");
	ck_assert_ptr_nonnull(f);
	int codes = 0;
	while (fgets(line, sizeof(line), f)) {
		char code[64], spaced[70];
		if (sscanf(line, "[indicator %63[^]]]", code) != 1)
			continue;
		snprintf(spaced, sizeof(spaced), " %s ", code); /* its row's code, not a prefix */
		ck_assert_msg(strstr(text, spaced), "no row of %s in the PDF", code);
		codes++;
	}
	fclose(f);
	ck_assert_int_eq(codes, 24);
	free(text);
}
END_TEST

/* Sampang's LAKIP of 2022 as a PDF at path (its note on iki04 written first), and the same
 * report as HTML at html when not NULL. */
static void sampang_report(const char *pdf, const char *html)
{
	char args[700];
	free(run("note --indicator iki04 --period 2022 --set 'Lelang mundur karena dokumen "
		 "perencanaan terlambat disahkan'", 0));
	snprintf(args, sizeof(args), "report --year 2022 -o '%s'", pdf);
	free(run(args, 0));
	if (html) {
		snprintf(args, sizeof(args), "report --year 2022 -o '%s'", html);
		free(run(args, 0));
	}
}

/* The positions of each indicator of the catalog: "<code>\t<jabatan>\n" lines (malloc'd). */
static char *catalog_positions(const char *catalog)
{
	FILE *f = fopen(catalog, "r"), *mem;
	char line[512], code[64] = "", *buf = NULL;
	size_t len = 0;
	ck_assert_ptr_nonnull(f);
	mem = open_memstream(&buf, &len);
	while (fgets(line, sizeof(line), f)) {
		char name[400];
		if (line[0] == '[')
			code[0] = '\0';
		if (sscanf(line, "[indicator %63[^]]]", code) == 1)
			continue;
		if (code[0] && sscanf(line, "jabatan = %399[^\n]", name) == 1)
			fprintf(mem, "%s\t%s\n", code, name);
	}
	fclose(f);
	fclose(mem);
	return buf;
}

/*
 * Issue 12.11: a jabatan's table that goes on over a page repeats its head there, the "Jabatan:"
 * line with it (pdftotext -layout, page by page): every indicator's row stands under the heading
 * of one of its own positions on its own page, and at least one table goes on over a page.
 */
START_TEST(test_sampang_pdf_repeats_the_jabatan_on_every_page)
{
	char pdf[300], cmd[700];
	path_in_state(pdf, sizeof(pdf), "lakip-sampang.pdf");
	sampang_report(pdf, NULL);
	snprintf(cmd, sizeof(cmd), "pdftotext -layout '%s' -", pdf);
	char *text = shell(cmd), *positions = catalog_positions("catalog/sampang-2022.conf");
	ck_assert_ptr_null(strstr(text, "\xc2\xad")); /* no soft hyphen in its text (pdf_unshy) */
	char jabatan[400] = "", last[400] = "", pair[500];
	int rows = 0, pages = 0, continued = 0;
	size_t expected = 0;
	for (const char *p = positions; *p; p++)
		expected += *p == '\n';
	for (char *page = text, *next; page && *page; page = next) {
		next = strchr(page, '\f');
		if (next)
			*next++ = '\0';
		pages++;
		jabatan[0] = '\0'; /* a page says which table it shows, or shows none */
		bool first = true;
		for (char *line = strtok(page, "\n"); line; line = strtok(NULL, "\n")) {
			const char *j = strstr(line, "Jabatan: ");
			if (j && j == line + strspn(line, " ")) {
				snprintf(jabatan, sizeof(jabatan), "%s", j + 9);
				for (size_t n = strlen(jabatan); n && jabatan[n - 1] == ' ';)
					jabatan[--n] = '\0';
				continued += first && !strcmp(jabatan, last);
				first = false;
				snprintf(last, sizeof(last), "%s", jabatan);
				continue;
			}
			for (const char *w = line; (w = strstr(w, "iki")); w += 3) {
				int digits = (int)strspn(w + 3, "0123456789");
				if ((w > line && w[-1] != ' ') || digits != 2 || (w[5] && w[5] != ' '))
					continue;
				ck_assert_msg(jabatan[0], "page %d: the row of %.5s has no Jabatan above it",
					      pages, w);
				snprintf(pair, sizeof(pair), "%.5s\t%s\n", w, jabatan);
				ck_assert_msg(strstr(positions, pair), "page %d: %.5s under 'Jabatan: %s'",
					      pages, w, jabatan);
				rows++;
			}
		}
	}
	ck_assert_int_eq(rows, (int)expected); /* each indicator under each of its positions, once */
	ck_assert_msg(continued >= 1, "no table goes on over a page (%d pages)", pages);
	printf("pdf: %d pages, %d rows, %d tables go on over a page with their heading\n", pages,
	       rows, continued);
	free(positions);
	free(text);
}
END_TEST

/* The syllables of the words of tests/data/suku-kata.txt: "\nword\tsyl.la.bles\n..." (malloc'd). */
static char *syllable_list(void)
{
	FILE *f = fopen("tests/data/suku-kata.txt", "r");
	char line[256];
	size_t cap = 1 << 16, n = 1;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(buf);
	buf[0] = '\n';
	while (fgets(line, sizeof(line), f))
		if (line[0] != '#' && n + strlen(line) + 1 < cap) {
			memcpy(buf + n, line, strlen(line));
			n += strlen(line);
		}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Whether word (lowercase), parted by hand in the list, has a syllable boundary after its first
 * at letters; -1 when the list does not have it. */
static int boundary(const char *list, const char *word, size_t at)
{
	char key[400];
	snprintf(key, sizeof(key), "\n%s\t", word);
	const char *found = strstr(list, key);
	if (!found)
		return -1;
	size_t n = 0;
	for (const char *p = list + (found - list) + strlen(key); *p && *p != '\n'; p++) {
		if (*p == '.' && n == at)
			return 1;
		n += *p != '.';
	}
	return 0;
}

/* The HTML's words, lowercase, with no markup, entity or soft hyphen, each between spaces. */
static char *html_words(const char *path)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "cat '%s'", path);
	char *html = shell(cmd), *body = strstr(html, "<body>");
	ck_assert_ptr_nonnull(body);
	static const char *const ents[][2] = {{"&shy;", ""},  {"&amp;", "&"},  {"&lt;", "<"},
					      {"&gt;", ">"},   {"&quot;", "\""}, {"&#39;", "'"},
					      {"&#8211;", "-"}};
	char *out = malloc(strlen(body) + 3), *w = out;
	*w++ = ' ';
	for (const char *r = body; *r;) {
		size_t k = 0;
		while (k < sizeof(ents) / sizeof(ents[0]) && strncmp(r, ents[k][0], strlen(ents[k][0])))
			k++;
		if (*r == '<') {
			r = strchr(r, '>') ? strchr(r, '>') + 1 : r + strlen(r);
			*w++ = ' ';
		} else if (k < sizeof(ents) / sizeof(ents[0])) {
			w += sprintf(w, "%s", ents[k][1]);
			r += strlen(ents[k][0]);
		} else {
			*w++ = (char)(*r >= 'A' && *r <= 'Z' ? *r - 'A' + 'a' : *r);
			r++;
		}
	}
	*w++ = ' ';
	*w = '\0';
	squeeze(out);
	free(html);
	return out;
}

/* Whether tok (n bytes, lowercased here) is one of the page's words. */
static bool is_word(const char *words, const char *tok, size_t n)
{
	char key[256];
	if (n + 3 > sizeof(key))
		return false;
	key[0] = ' ';
	for (size_t i = 0; i < n; i++)
		key[i + 1] = (char)(tok[i] >= 'A' && tok[i] <= 'Z' ? tok[i] - 'A' + 'a' : tok[i]);
	key[n + 1] = ' ';
	key[n + 2] = '\0';
	return strstr(words, key) != NULL;
}

static bool ends_hyphen(const char *tok, size_t n)
{
	return n > 3 && !memcmp(tok + n - 3, HYPHEN, 3);
}

/* A word the PDF broke over lines, piece by piece: the pieces without their hyphens, and where
 * each ended. */
struct broken {
	char text[300];
	size_t cut[16];
	int n;
};

static bool letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * The broken word is whole with its last piece (end, n bytes): it is a word of the page, and each
 * cut parts two syllables (tests/data/suku-kata.txt) of the word of letters it falls in ("(Doku‐"
 * "men" is dokumen cut after 4, "RKA-Peru‐" "bahan)" perubahan after 4).
 */
static void broken_check(const struct broken *b, const char *end, size_t n, const char *words,
			 const char *list)
{
	char joined[400], word[300];
	snprintf(joined, sizeof(joined), "%s%.*s", b->text, (int)n, end);
	ck_assert_msg(is_word(words, joined, strlen(joined)), "'%s' (broken over lines) is no word "
		      "of the page", joined);
	for (int c = 0; c < b->n; c++) {
		size_t from = b->cut[c], to = b->cut[c], k = 0;
		ck_assert_msg(from > 0 && letter(joined[from - 1]) && letter(joined[from]),
			      "'%s' is broken after '%.*s', not inside a word", joined, (int)from,
			      joined);
		while (from > 0 && letter(joined[from - 1]))
			from--;
		while (letter(joined[to]))
			to++;
		for (size_t i = from; i < to && k + 1 < sizeof(word); i++)
			word[k++] = (char)(joined[i] >= 'A' && joined[i] <= 'Z' ? joined[i] - 'A' + 'a'
										: joined[i]);
		word[k] = '\0';
		size_t at = b->cut[c] - from;
		int ok = boundary(list, word, at);
		ck_assert_msg(ok >= 0, "'%s' is broken at the end of a line (%s): add it, parted by "
			      "its syllables, to tests/data/suku-kata.txt", word, joined);
		ck_assert_msg(ok == 1, "'%s' is broken after '%.*s', not between its syllables", word,
			      (int)at, word);
	}
}

/*
 * Issue 12.11: no word of the PDF is broken but between two of its syllables. pdftotext -raw gives
 * each cell's lines in order; each line's last word is a whole word of the page (the HTML's
 * text), or ends in a hyphen WeasyPrint put there, and then it and the next lines' first make a
 * word of the page whose syllables (tests/data/suku-kata.txt, parted by hand) part there.
 */
START_TEST(test_sampang_pdf_breaks_words_only_between_syllables)
{
	char pdf[300], html[300], cmd[700];
	path_in_state(pdf, sizeof(pdf), "lakip-sampang.pdf");
	path_in_state(html, sizeof(html), "lakip-sampang.html");
	sampang_report(pdf, html);
	snprintf(cmd, sizeof(cmd), "pdftotext -raw '%s' -", pdf);
	char *text = shell(cmd), *words = html_words(html), *list = syllable_list();
	ck_assert_ptr_null(strstr(text, "\xc2\xad")); /* no soft hyphen in its text (pdf_unshy) */
	int breaks = 0, lines = 0;
	struct broken b = {.n = 0};
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		line += strspn(line, "\f ");
		size_t n = strlen(line);
		while (n && line[n - 1] == ' ')
			line[--n] = '\0';
		if (!n || !strncmp(line, "Halaman ", 8)) /* the page's number, from the CSS */
			continue;
		lines++;
		const char *last = strrchr(line, ' ') ? strrchr(line, ' ') + 1 : line;
		size_t lastn = strlen(last), firstn = strcspn(line, " ");
		if (b.n) { /* the line begins with the rest of a word broken on the line before */
			if (last != line || !ends_hyphen(line, n)) {
				broken_check(&b, line, firstn, words, list);
				b.n = 0;
				if (last == line)
					continue; /* nothing after the word's end */
			}
		}
		if (ends_hyphen(last, lastn)) {
			if (!b.n)
				b.text[0] = '\0';
			size_t len = strlen(b.text);
			snprintf(b.text + len, sizeof(b.text) - len, "%.*s", (int)(lastn - 3), last);
			ck_assert_int_lt(b.n, 16);
			b.cut[b.n++] = strlen(b.text);
			breaks++;
			continue;
		}
		const char *after = next ? next + strspn(next, "\f ") : "";
		size_t aftern = strcspn(after, " \n");
		char joined[300];
		snprintf(joined, sizeof(joined), "%s%.*s", last, (int)aftern, after);
		ck_assert_msg(is_word(words, last, lastn) ||
				  (strchr("-/", last[lastn - 1]) && is_word(words, joined, strlen(joined))),
			      "a line ends in '%s', no whole word of the page (then '%.*s')", last,
			      (int)aftern, after);
	}
	ck_assert_int_eq(b.n, 0);
	printf("pdf: %d lines; %d line ends break a word between its syllables\n", lines, breaks);
	ck_assert_int_gt(breaks, 50);
	free(list);
	free(words);
	free(text);
}
END_TEST

static Suite *pdf_suite(void)
{
	Suite *s = suite_create("pdf");
	TCase *tc = tcase_create("mini");
	tcase_add_checked_fixture(tc, start_mini, stop_ikid);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_report_o_pdf_writes_a_pdf_with_the_tables);
	tcase_add_test(tc, test_format_pdf_wins_over_the_name_and_text_over_pdf);
	tcase_add_test(tc, test_unknown_extension_is_a_usage_error_and_writes_nothing);
	tcase_add_test(tc, test_no_extension_or_txt_is_text_and_case_does_not_matter);
	tcase_add_test(tc, test_pdf_is_never_written_to_standard_output);
	tcase_add_test(tc, test_without_weasyprint_it_says_how_to_install_it);
	tcase_add_test(tc, test_a_failing_weasyprint_is_reported_and_writes_nothing);
	suite_add_tcase(s, tc);
	tc = tcase_create("sampang");
	tcase_add_checked_fixture(tc, start_sampang, stop_ikid);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_sampang_pdf_holds_the_kop_the_signature_and_every_indicator);
	tcase_add_test(tc, test_sampang_pdf_repeats_the_jabatan_on_every_page);
	tcase_add_test(tc, test_sampang_pdf_breaks_words_only_between_syllables);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(pdf_suite)
