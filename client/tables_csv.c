/* tables_csv.c: the LAKIP tables as CSV (tables_write's TABLES_CSV). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables.h"
#include "tables_int.h"

/*
 * UTF-8 with a BOM, RFC 4180, one header row, decimal point.
 *
 * Numbers are written plainly: two decimals, a decimal point, no % sign and no grouping
 * ("86.67"). A comma-separated file cannot carry a decimal comma unquoted, and a quoted
 * "86,67" is text to a spreadsheet in an English locale; "86.67" is a number there at once, and
 * stays one under an Indonesian locale when the file is imported with the column language set
 * to English (LibreOffice's import dialog, Excel's From Text/CSV). The BOM is what makes Excel
 * read the file as UTF-8. A cell without a number (no data, no target, no capaian) is empty,
 * never a word: a spreadsheet sums, averages and charts the column as numbers (the text and
 * HTML formats say "tidak ada data" and "-").
 */

struct csv {
	FILE *f;
	int col;
};

/*
 * One field, quoted when it holds a comma, a quote or a line break. A text from the catalog that
 * starts like a spreadsheet formula (=, +, -, @) gets a leading apostrophe, so that opening the
 * file never runs it; our own "-" and numbers are written as they are.
 */
static void csv_put(struct csv *c, const char *s, bool text)
{
	bool guard = text && s[0] && strchr("=+-@\t\r", s[0]) && strcmp(s, "-") != 0;
	if (c->col++)
		fputc(',', c->f);
	if (!guard && !strpbrk(s, ",\"\r\n")) {
		fputs(s, c->f);
		return;
	}
	fputc('"', c->f);
	if (guard)
		fputc('\'', c->f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', c->f);
		fputc(*s, c->f);
	}
	fputc('"', c->f);
}

static void csv_end(struct csv *c)
{
	fputs("\r\n", c->f);
	c->col = 0;
}

static void csv_head(struct csv *c)
{
	static const char *const head[] = {
		"Tahun",	"Kode Unit",	 "Unit",	"Jabatan",   "No",	  "Kode Indikator",
		"Sasaran",	"Indikator Kinerja", "Formula", "Target", "Target Semula", "Realisasi",
		"Capaian",	"Predikat",	 "Sumber Data", "Pembilang", "Penyebut"};
	char name[64];
	static const char *const sub[] = {"Target", "Realisasi", "Capaian", "Predikat"};
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		csv_put(c, head[i], false);
	for (int k = 0; k < TABLES_SHOWN; k++)
		for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
			snprintf(name, sizeof(name), "%s %s", TAB_SHOWN[k].name, sub[i]);
			csv_put(c, name, false);
		}
	csv_put(c, "Perlu Diperiksa", false);
	csv_put(c, "Realisasi Tahun Sebelumnya", false);
	csv_put(c, "Analisis / Keterangan", false);
	csv_end(c);
}

/* A number with a decimal point ("86.67"), or an empty cell when there is none. */
static void csv_number(struct csv *c, bool has, double x)
{
	char buf[64] = "";
	if (has)
		tab_num_text(x, '.', buf, sizeof(buf));
	csv_put(c, buf, false);
}

/* Target, realisasi, capaian and predikat of one period: numbers, or empty cells. */
static void csv_figures(struct csv *c, const struct cell *cell, bool original)
{
	csv_number(c, cell->target, cell->target_v);
	if (original)
		csv_number(c, cell->revised, cell->original);
	csv_number(c, cell->data, cell->realisasi);
	csv_number(c, cell->capaian, cell->capaian_v);
	csv_put(c, cell->capaian ? cell->predikat : "", true);
}

static void csv_row(struct csv *c, const struct model *m, const struct group *g,
		    const struct row *row)
{
	const struct proto_indicator *in = &m->ind[row->ind];
	const struct cell *year = &row->cell[0];
	char buf[TAB_FORMULA_MAX];
	snprintf(buf, sizeof(buf), "%d", m->t->year);
	csv_put(c, buf, false);
	csv_put(c, m->unit_code, true);
	csv_put(c, m->unit_name, true);
	csv_put(c, g->jabatan, true);
	snprintf(buf, sizeof(buf), "%d", row->no);
	csv_put(c, buf, false);
	csv_put(c, in->indicator, true);
	csv_put(c, in->sasaran, true);
	csv_put(c, in->name, true);
	tab_formula_text(in, buf, sizeof(buf));
	csv_put(c, buf, true);
	csv_figures(c, year, true);
	/* csv_figures wrote the predikat last; the source comes after it */
	csv_put(c, in->source, true);
	snprintf(buf, sizeof(buf), "%lld", (long long)year->num);
	csv_put(c, buf, false);
	snprintf(buf, sizeof(buf), "%lld", (long long)year->den);
	csv_put(c, buf, false);
	for (int k = 0; k < TABLES_SHOWN; k++)
		csv_figures(c, &row->cell[TAB_SHOWN[k].p], false);
	tables_check(m->t, in->indicator, buf, sizeof(buf));
	csv_put(c, buf, true);
	csv_number(c, row->cell[TABLES_PREV].data, row->cell[TABLES_PREV].realisasi);
	char *note = tables_note(m->t, in->indicator);
	csv_put(c, note ? note : "", true);
	free(note);
	csv_end(c);
}

void tab_write_csv(const struct model *m, FILE *f)
{
	struct csv c = {f, 0};
	fputs("\xEF\xBB\xBF", f);
	csv_head(&c);
	for (int g = 0; g < m->n_groups; g++)
		for (int i = 0; i < m->groups[g].n; i++)
			csv_row(&c, m, &m->groups[g], &m->groups[g].rows[i]);
}
