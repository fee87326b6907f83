/* tables_text.c: the LAKIP tables as text, 120 columns (tables_write's TABLES_TEXT): the left
 * column wraps, each row has a line per period. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables.h"
#include "tables_int.h"
#include "text.h"

#define TW_NO 3
#define TW_TEXT 39
#define TW_PERIOD 12
#define TW_TARGET 22
#define TW_REAL 14
#define TW_CAP 11
#define TW_PREDIKAT 13
#define TW_LINES 40

struct text_col {
	char line[TW_LINES][TW_TEXT * 4 + 1];
	int n;
};

/* The year before as a row shows it: its realisasi alone (the year's targets are this year's). */
static struct cell prev_cell(const struct row *row)
{
	struct cell c = row->cell[TABLES_PREV];
	c.target = c.revised = c.capaian = c.check = false;
	c.predikat[0] = '\0';
	return c;
}

/* Add s to the column, wrapped; lines after the first indented by two spaces. */
static void text_para(struct text_col *col, const char *s)
{
	struct text_line l[TW_LINES];
	int n = text_wrap(s, TW_TEXT - 2, l, TW_LINES);
	for (int i = 0; i < n && i < TW_LINES && col->n < TW_LINES; i++)
		snprintf(col->line[col->n++], sizeof(col->line[0]), "%s%.*s", i ? "  " : "",
			 (int)l[i].len, s + l[i].start);
}

static void text_head(FILE *f)
{
	static const char *const dashes = "----------------------------------------";
	text_cell(f, "No", TW_NO);
	text_cell(f, "Indikator Kinerja", TW_TEXT);
	text_cell(f, "Periode", TW_PERIOD);
	text_cell(f, "Target (%)", TW_TARGET);
	text_cell(f, "Realisasi", TW_REAL);
	text_cell(f, "Capaian (%)", TW_CAP);
	fprintf(f, "Predikat\n");
	fprintf(f, "%.*s %.*s %.*s %.*s %.*s %.*s %.*s\n", TW_NO, dashes, TW_TEXT, dashes, TW_PERIOD,
		dashes, TW_TARGET, dashes, TW_REAL, dashes, TW_CAP, dashes, TW_PREDIKAT, dashes);
}

/* The period columns of one line: "Triwulan I  90,00  86,67 %  96,30  Sangat Baik". */
static void text_period(FILE *f, const char *label, const struct cell *c)
{
	char target[64], original[32], real[48], cap[48];
	const char *pk = tab_predikat_text(c);
	tab_target_text(c, ',', target, sizeof(target));
	if (c->revised) {
		tab_num_text(c->original, ',', original, sizeof(original));
		snprintf(target + strlen(target), sizeof(target) - strlen(target), " (semula %s)",
			 original);
	}
	tab_realisasi_text(c, ',', true, real, sizeof(real));
	tab_capaian_text(c, ',', cap, sizeof(cap));
	text_cell(f, label, TW_PERIOD);
	text_cell(f, target, TW_TARGET);
	text_cell(f, real, TW_REAL);
	text_cell(f, cap, TW_CAP);
	fprintf(f, "%.*s\n", (int)text_cut(pk, 31), pk);
}

/* The analysis under a row: "Analisis: ...", wrapped within the page, control characters as
 * spaces (a note is anyone's text and this may be a terminal). */
static void text_note(FILE *f, const struct tables *t, const char *indicator)
{
	struct text_line l[TW_LINES];
	char *note = tables_note(t, indicator);
	if (!note)
		return;
	for (char *p = note; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	int n = text_wrap(note, 120 - TW_NO - 3 - 10, l, TW_LINES); /* after "Analisis: " */
	for (int i = 0; i < n && i < TW_LINES; i++) {
		text_cell(f, "", TW_NO);
		fprintf(f, "%s%.*s\n", i ? "  " : "Analisis: ", (int)l[i].len, note + l[i].start);
	}
	free(note);
}

static void text_row(FILE *f, const struct model *m, const struct row *row)
{
	const struct proto_indicator *in = &m->ind[row->ind];
	struct text_col *col = calloc(1, sizeof(*col));
	char buf[TAB_FORMULA_MAX + 64], formula[TAB_FORMULA_MAX], no[16], year[24], prev_label[24];
	if (!col)
		return;
	snprintf(buf, sizeof(buf), "%s [%s]", in->name, in->indicator);
	text_para(col, buf);
	snprintf(buf, sizeof(buf), "Sasaran: %s", in->sasaran[0] ? in->sasaran : "-");
	text_para(col, buf);
	tab_formula_text(in, formula, sizeof(formula));
	snprintf(buf, sizeof(buf), "Formula: %s", formula);
	text_para(col, buf);
	snprintf(buf, sizeof(buf), "Sumber Data: %s", in->source[0] ? in->source : "-");
	text_para(col, buf);
	snprintf(no, sizeof(no), "%d.", row->no);
	snprintf(year, sizeof(year), "Tahun %d", m->t->year);
	snprintf(prev_label, sizeof(prev_label), "Tahun %d", m->t->year - 1);
	struct cell prev = prev_cell(row);
	int periods = TABLES_SHOWN + 1 + m->has_prev; /* the year, the shown periods, the year before */
	for (int k = 0; k < col->n || k < periods; k++) {
		text_cell(f, k ? "" : no, TW_NO);
		if (k < periods) {
			text_cell(f, k < col->n ? col->line[k] : "", TW_TEXT);
			if (k > TABLES_SHOWN)
				text_period(f, prev_label, &prev);
			else
				text_period(f, k ? TAB_SHOWN[k - 1].text : year,
					    &row->cell[k ? TAB_SHOWN[k - 1].p : TABLES_YEAR]);
		} else {
			fprintf(f, "%s\n", col->line[k]);
		}
	}
	if (tables_check(m->t, in->indicator, buf, sizeof(buf))) {
		text_cell(f, "", TW_NO);
		fprintf(f, "! %s\n", buf);
	}
	text_note(f, m->t, in->indicator);
	free(col);
}

/* The legend, wrapped to the page's 120 columns. */
static void text_legend(FILE *f)
{
	const char *legend = tables_legend();
	struct text_line l[TW_LINES];
	int n = text_wrap(legend, 118, l, TW_LINES);
	fputc('\n', f);
	for (int i = 0; i < n && i < TW_LINES; i++)
		fprintf(f, "%s%.*s\n", i ? "  " : "", (int)l[i].len, legend + l[i].start);
}

/* The signature block, in the right half of the 120 columns, three empty lines to sign in. */
static void text_sign(FILE *f, const struct tables *t)
{
	char lines[TABLES_SIGN_LINES][TABLES_LINE_MAX];
	int n = tables_sign(t, lines);
	if (n)
		fputc('\n', f);
	for (int i = 0; i < n; i++) {
		if (i == TABLES_SIGN_GAP) {
			fputs("\n\n\n", f);
			continue;
		}
		if (lines[i][0])
			fprintf(f, "%72s%s\n", "", lines[i]);
	}
}

void tab_write_text(const struct model *m, FILE *f)
{
	char footer[512];
	struct tables_head head[TABLES_HEAD_LINES];
	int n_head = tables_head(m->t, head);
	for (int i = 0; i < n_head; i++) /* the letterhead, as the HTML's */
		fprintf(f, "%s\n", head[i].text);
	for (int g = 0; g < m->n_groups; g++) {
		fprintf(f, "\nJabatan: %s\n\n", m->groups[g].jabatan);
		text_head(f);
		for (int i = 0; i < m->groups[g].n; i++) {
			if (i)
				fputc('\n', f);
			text_row(f, m, &m->groups[g].rows[i]);
		}
	}
	if (!m->n_groups)
		fprintf(f, "\nTidak ada indikator.\n");
	else
		text_legend(f);
	text_sign(f, m->t);
	tables_footer(m->t, footer, sizeof(footer));
	fprintf(f, "\n%s\n", footer);
}
