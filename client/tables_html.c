/* tables_html.c: the LAKIP tables as one self-contained HTML page for A4 landscape
 * (tables_write's TABLES_HTML; iki report -o FILE.pdf and ikiweb print it). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tables.h"
#include "tables_int.h"

/* One character as HTML: markup characters escaped, control characters (none are valid) as
 * spaces. */
static void html_char(FILE *f, unsigned char ch)
{
	if (ch == '&')
		fputs("&amp;", f);
	else if (ch == '<')
		fputs("&lt;", f);
	else if (ch == '>')
		fputs("&gt;", f);
	else if (ch == '"')
		fputs("&quot;", f);
	else if (ch == '\'')
		fputs("&#39;", f);
	else if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
		fputc(' ', f);
	else
		fputc(ch, f);
}

/* Text as HTML, escaped (html_char). */
static void html_esc(FILE *f, const char *s)
{
	for (; *s; s++)
		html_char(f, (unsigned char)*s);
}

/* Whether c may stand beside a word that is hyphenated: not a letter or digit of the same token
 * ("surat_masuk", "iki01", "caf\u00e9" are not Indonesian words to break). */
static bool word_edge(unsigned char c)
{
	return !(c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		 (c >= 'A' && c <= 'Z'));
}

static bool ascii_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Text of a narrow cell as HTML (html_esc), each word given soft hyphens (&shy;) where it may
 * break between syllables (tables_syllables): the page's CSS says hyphens: manual, so a browser
 * or WeasyPrint breaks a long word there, with a hyphen, and nowhere else.
 */
static void html_text(FILE *f, const char *s)
{
	bool brk[TABLES_WORD_MAX];
	const char *start = s;
	while (*s) {
		size_t n = 0;
		while (ascii_letter((unsigned char)s[n]))
			n++;
		bool word = n >= 5 && n <= TABLES_WORD_MAX && (s == start || word_edge((unsigned char)s[-1])) &&
			    word_edge((unsigned char)s[n]);
		if (!word || tables_syllables(s, n, brk) == 0) {
			if (n == 0) /* not a letter: one character */
				n = 1;
			for (size_t i = 0; i < n; i++)
				html_char(f, (unsigned char)s[i]);
			s += n;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			if (brk[i])
				fputs("&shy;", f);
			fputc(s[i], f);
		}
		s += n;
	}
}

static const char HTML_STYLE[] =
	"@page{size:A4 landscape;margin:10mm 9mm 12mm 9mm;"
	"@bottom-right{content:\"Halaman \" counter(page) \" dari \" counter(pages);"
	"font:7pt Arial,\"Liberation Sans\",sans-serif}}\n"
	"html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"body{font:8pt/1.25 Arial,\"Liberation Sans\",\"DejaVu Sans\",sans-serif;color:#000;"
	"margin:0 auto;max-width:279mm;padding:8mm 4mm}\n"
	"@media print{body{padding:0;max-width:none}}\n"
	"@media screen{table{min-width:270mm}}\n" /* a narrow screen scrolls, never squeezes */
	".kop{text-align:center;border-bottom:3px double #000;padding-bottom:5pt;"
	"margin-bottom:10pt}\n"
	".kop h1{font-size:13pt;margin:0;text-transform:uppercase;letter-spacing:.4pt}\n"
	".kop .pemda{font-size:11pt;font-weight:bold;text-transform:uppercase}\n"
	".kop .instansi{font-size:11pt;font-weight:bold;text-transform:uppercase}\n"
	".ttd{width:75mm;margin:12pt 0 0 auto;text-align:center;font-size:9pt;break-inside:avoid;"
	"page-break-inside:avoid}\n"
	".ttd .jab{font-weight:bold}.ttd .ruang{height:42pt}"
	".ttd .nama{font-weight:bold;text-decoration:underline}\n"
	".kop .katalog,.kop .unit{font-size:9pt;margin-top:1pt}\n"
	"section{margin-bottom:12pt}\n"
	"table{width:100%;border-collapse:collapse;table-layout:fixed}\n"
	"thead{display:table-header-group}\n"
	"tr{break-inside:avoid;page-break-inside:avoid}\n"
	"th,td{border:.75pt solid #000;padding:2pt 3pt;vertical-align:top;"
	"overflow-wrap:break-word;hyphens:manual;-webkit-hyphens:manual}\n"
	"th{background:#d9d9d9;text-align:center;vertical-align:middle;font-weight:bold;"
	"font-size:7pt}\n"
	"tr.jab th{border:none;background:none;text-align:left;font-size:9pt;padding:0 0 3pt}\n"
	"td.f{font-size:7pt}\n"
	"td.q{font-size:6.5pt;padding:2pt 1.5pt}\n"
	"tr.sub th{font-size:5.5pt;padding:1pt 0}\n"
	"tr.kolom th{background:#f2f2f2;font-weight:normal;font-size:6.5pt;padding:0 2pt}\n"
	"td.c{text-align:center}\n"
	"td.n{text-align:right}\n"
	".n span.v{white-space:nowrap}\n"
	"td.nd{color:#555;font-style:italic;text-align:center}\n"
	".kode,.semula,.tq,.lalu{display:block;font-size:6.5pt;color:#444}\n"
	"td.an{font-size:7pt}\n"
	".periksa{display:block;font-size:6.5pt;font-weight:bold;color:#a00000;margin-top:1pt}\n"
	"td.cek,td.cek .v{color:#a00000;font-weight:bold}\n"
	"td.pk{text-align:center;font-weight:bold}\n"
	"th.sd{background:#c9d7e8}td.sd{background:#eef3f9}\n"
	"tr.sub th.sd{background:#dbe5f1}\n"
	".ket{font-size:7pt;margin:0 0 6pt}\n"
	".pk-sb{background:#8fd19e}.pk-b{background:#c8e6b0}.pk-c{background:#fff09a}"
	".pk-k{background:#ffc57d}.pk-sk{background:#f19c9c}\n"
	"footer{margin-top:10pt;border-top:.75pt solid #000;padding-top:3pt;font-size:7pt;"
	"color:#333}\n";

/* Column widths, percent of the table: No, Sasaran, Indikator, Formula, Target, Realisasi,
 * Capaian, Predikat, Sumber Data, then realisasi and capaian of each period SHOWN (12 x 3), then
 * Analisis / Keterangan. */
static const char *const HTML_COLS[] = {"2.3", "7", "10", "8.7", "4.7", "5.3", "5",
					"5.5", "6.5", "3", "9"};
#define HTML_MAIN 9 /* the columns before the periods', then the periods', then Analisis */

static void html_head(FILE *f, const struct model *m)
{
	static const char *const open[] = {
	    [TABLES_HEAD_KOP] = "<div class=\"pemda\">", [TABLES_HEAD_OFFICE] = "<div class=\"instansi\">",
	    [TABLES_HEAD_TITLE] = "<h1>", [TABLES_HEAD_CATALOG] = "<div class=\"katalog\">",
	    [TABLES_HEAD_UNIT] = "<div class=\"unit\">"};
	struct tables_head head[TABLES_HEAD_LINES];
	int n = tables_head(m->t, head);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<title>Laporan Kinerja (LAKIP) Tahun %d &#8211; ", m->t->year);
	html_esc(f, m->unit);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header class=\"kop\">\n",
		HTML_STYLE);
	for (int i = 0; i < n; i++) {
		fputs(open[head[i].part], f);
		html_esc(f, head[i].text);
		fputs(head[i].part == TABLES_HEAD_TITLE ? "</h1>\n" : "</div>\n", f);
	}
	fputs("</header>\n", f);
}

/* The class of a cumulative period's cells, shaded apart from the triwulan's own. */
static const char *html_sd(int k)
{
	return TAB_SHOWN[k].p == TABLES_Q2SD || TAB_SHOWN[k].p == TABLES_Q3SD ? " class=\"sd\"" : "";
}

/* The head of a jabatan's table, repeated on every page it continues on (thead): the jabatan,
 * the column headings, their numbers. */
static void html_thead(FILE *f, const char *jabatan)
{
	static const char *const main_cols[] = {"No",	      "Sasaran",   "Indikator Kinerja",
						"Formula",    "Target (%)", "Realisasi",
						"Capaian (%)", "Predikat", "Sumber Data"};
	const int n = HTML_MAIN + 2 * TABLES_SHOWN + 1;
	fputs("<colgroup>", f);
	for (int i = 0; i < n; i++)
		fprintf(f, "<col style=\"width:%s%%\">",
			HTML_COLS[i < HTML_MAIN ? i : i < n - 1 ? HTML_MAIN : HTML_MAIN + 1]);
	fprintf(f, "</colgroup>\n<thead>\n<tr class=\"jab\"><th colspan=\"%d\">Jabatan: ", n);
	html_esc(f, jabatan);
	fputs("</th></tr>\n<tr>", f);
	for (int i = 0; i < HTML_MAIN; i++) {
		fputs("<th rowspan=\"2\">", f);
		html_text(f, main_cols[i]);
		fputs("</th>", f);
	}
	for (int k = 0; k < TABLES_SHOWN; k++) /* "Triwulan" fits its two columns: kept whole */
		fprintf(f, "<th colspan=\"2\"%s>%s</th>", html_sd(k), TAB_SHOWN[k].name);
	fputs("<th rowspan=\"2\">Analisis / Keterangan</th>", f);
	fputs("</tr>\n<tr class=\"sub\">", f);
	for (int k = 0; k < TABLES_SHOWN; k++)
		for (int i = 0; i < 2; i++) {
			fprintf(f, "<th%s>", html_sd(k));
			html_text(f, i ? "Capaian" : "Realisasi");
			fputs("</th>", f);
		}
	fputs("</tr>\n<tr class=\"kolom\">", f);
	for (int i = 1; i <= n; i++)
		fprintf(f, "<th>%d</th>", i);
	fputs("</tr>\n</thead>\n", f);
}

/* The class of a predikat's colour: the common five; another band name goes uncoloured. */
static const char *html_band(const char *predikat)
{
	static const char *const names[][2] = {{"Sangat Baik", "pk-sb"}, {"Baik", "pk-b"},
					       {"Cukup", "pk-c"},	{"Kurang", "pk-k"},
					       {"Sangat Kurang", "pk-sk"}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(predikat, names[i][0]))
			return names[i][1];
	return "";
}

/* The realisasi cell; cls: more classes (" q", " q sd": a period's narrow column, where a
 * percentage goes without its %, the year's column showing it) or "". */
static void html_realisasi(FILE *f, const struct cell *c, const char *cls, const char *note)
{
	char buf[48];
	tab_realisasi_text(c, ',', !cls[0], buf, sizeof(buf));
	fprintf(f, c->data ? "<td class=\"n%s%s\"><span class=\"v\">%s</span>"
			   : "<td class=\"n nd%s%s\">%s",
		cls, c->check ? " cek" : "", buf); /* cek: it breaks its rule (tables_check says) */
	if (note[0]) /* the year before's realisasi, under the year's */
		fprintf(f, "<span class=\"lalu\">%s</span>", note);
	fputs("</td>", f);
}

/* Target, realisasi, capaian and predikat of the year. */
static void html_year(FILE *f, const struct cell *c, const char *prev)
{
	char buf[48];
	tab_target_text(c, ',', buf, sizeof(buf));
	fprintf(f, "<td class=\"n\"><span class=\"v\">%s</span>", buf);
	if (c->revised) {
		tab_num_text(c->original, ',', buf, sizeof(buf));
		fprintf(f, " <span class=\"semula\">(semula %s)</span>", buf);
	}
	fputs("</td>", f);
	html_realisasi(f, c, "", prev);
	tab_capaian_text(c, ',', buf, sizeof(buf));
	fprintf(f, "<td class=\"n\"><span class=\"v\">%s</span></td>", buf);
	if (c->capaian) {
		fprintf(f, "<td class=\"pk %s\">", html_band(c->predikat));
		html_text(f, c->predikat);
		fputs("</td>", f);
	} else {
		fputs("<td class=\"c\">-</td>", f);
	}
}

/* Realisasi and capaian of a period shown (TAB_SHOWN[k]); its target beside the capaian when not
 * the year's. */
static void html_quarter(FILE *f, const struct cell *c, const struct cell *year, int k)
{
	char buf[48];
	const char *cls = html_sd(k)[0] ? " q sd" : " q";
	html_realisasi(f, c, cls, "");
	tab_capaian_text(c, ',', buf, sizeof(buf));
	fprintf(f, "<td class=\"n%s\"><span class=\"v\">%s</span>", cls, buf);
	if (c->target && (!year->target || c->target_v != year->target_v)) {
		tab_num_text(c->target_v, ',', buf, sizeof(buf));
		fprintf(f, "<span class=\"tq\">target %s</span>", buf);
	}
	fputs("</td>", f);
}

/* How many rows from i on share row i's sasaran (merged into one cell, as the document does). */
static int sasaran_span(const struct model *m, const struct group *g, int i)
{
	int n = 1;
	while (i + n < g->n &&
	       !strcmp(m->ind[g->rows[i].ind].sasaran, m->ind[g->rows[i + n].ind].sasaran))
		n++;
	return n;
}

static void html_row(FILE *f, const struct model *m, const struct group *g, int i)
{
	const struct row *row = &g->rows[i];
	const struct proto_indicator *in = &m->ind[row->ind];
	char formula[TAB_FORMULA_MAX];
	fprintf(f, "<tr><td class=\"c\">%d</td>", row->no);
	if (i == 0 || strcmp(in->sasaran, m->ind[g->rows[i - 1].ind].sasaran) != 0) {
		fprintf(f, "<td rowspan=\"%d\">", sasaran_span(m, g, i));
		html_text(f, in->sasaran[0] ? in->sasaran : "-");
		fputs("</td>", f);
	}
	fputs("<td>", f);
	html_text(f, in->name);
	fputs("<span class=\"kode\">", f);
	html_esc(f, in->indicator);
	fputs("</span>", f);
	if (tables_check(m->t, in->indicator, formula, sizeof(formula))) {
		fputs("<span class=\"periksa\">", f);
		html_text(f, formula);
		fputs("</span>", f);
	}
	fputs("</td><td class=\"f\">", f);
	tab_formula_text(in, formula, sizeof(formula));
	html_text(f, formula);
	fputs("</td>", f);
	char prev[64] = "", real[48];
	if (m->has_prev) {
		tab_realisasi_text(&row->cell[TABLES_PREV], ',', true, real, sizeof(real));
		snprintf(prev, sizeof(prev), "%d: %s", m->t->year - 1, real);
	}
	html_year(f, &row->cell[0], prev);
	fputs("<td>", f);
	html_text(f, in->source[0] ? in->source : "-");
	fputs("</td>", f);
	for (int k = 0; k < TABLES_SHOWN; k++)
		html_quarter(f, &row->cell[TAB_SHOWN[k].p], &row->cell[TABLES_YEAR], k);
	char *note = tables_note(m->t, in->indicator);
	fputs("<td class=\"an\">", f);
	if (note)
		html_text(f, note);
	fputs("</td></tr>\n", f);
	free(note);
}

/* The signature block: right, below the tables, kept whole on its page. */
static void html_sign(FILE *f, const struct tables *t)
{
	static const char *const cls[TABLES_SIGN_LINES] = {"tgl",	"jab",	   "ruang",
							   "nama", "pangkat", "nip"};
	char lines[TABLES_SIGN_LINES][TABLES_LINE_MAX];
	int n = tables_sign(t, lines);
	if (!n)
		return;
	fputs("<div class=\"ttd\">", f);
	for (int i = 0; i < n; i++) {
		fprintf(f, "<div class=\"%s\">", cls[i]);
		html_esc(f, lines[i]);
		fputs("</div>", f);
	}
	fputs("</div>\n", f);
}

void tab_write_html(const struct model *m, FILE *f)
{
	char footer[512];
	html_head(f, m);
	for (int g = 0; g < m->n_groups; g++) {
		fputs("<section>\n<table>\n", f);
		html_thead(f, m->groups[g].jabatan);
		fputs("<tbody>\n", f);
		for (int i = 0; i < m->groups[g].n; i++)
			html_row(f, m, &m->groups[g], i);
		fputs("</tbody>\n</table>\n</section>\n", f);
	}
	if (!m->n_groups)
		fputs("<p>Tidak ada indikator.</p>\n", f);
	else
		fprintf(f, "<p class=\"ket\">%s</p>\n", tables_legend());
	html_sign(f, m->t);
	tables_footer(m->t, footer, sizeof(footer));
	fputs("<footer>", f);
	html_esc(f, footer);
	fputs("</footer>\n</body>\n</html>\n", f);
}
