/* xlsx.c: the LAKIP tables as an XLSX workbook (see xlsx.h), written with libxlsxwriter. */
#include "xlsx.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "grow.h"

#define YEAR_COLS 13 /* A..M: the year's, see HEAD */
#define CHECK_COL (YEAR_COLS + 3 * TABLES_SHOWN) /* after target, realisasi, capaian of each */
#define NOTE_COL (CHECK_COL + 1)  /* then Perlu Diperiksa (tables_check), Analisis (tables_note) */
#define XLSX_COLS (NOTE_COL + 1)
#define SIGN_COL CHECK_COL /* the signature block: under the last two columns, as on paper */

/* The second header row over the year's columns, and each column's width in characters. */
static const struct {
	const char *name;
	double width;
} HEAD[YEAR_COLS] = {
	{"No", 4},	      {"Kode", 8},	   {"Sasaran", 22},	{"Indikator Kinerja", 30},
	{"Formula", 28},      {"Target", 9},	   {"Target Semula", 9}, {"Realisasi", 10},
	{"Capaian", 9},	      {"Predikat", 12},	   {"Sumber Data", 16},	{"Pembilang", 10},
	{"Penyebut", 10},
};
static const char *const PERIOD_HEAD[3] = {"Target", "Realisasi", "Capaian"};

/* The predikat bands' fills, as the HTML report colours them. */
static const struct {
	const char *name;
	uint32_t rgb;
} BANDS[5] = {{"Sangat Baik", 0x8fd19e}, {"Baik", 0xc8e6b0}, {"Cukup", 0xfff09a},
	      {"Kurang", 0xffc57d},	 {"Sangat Kurang", 0xf19c9c}};

struct sheet {
	const struct tables *t;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *head, *head_sd, *group, *text, *center, *percent, *number, *integer, *blank,
		*footer, *band[5];
	lxw_format *letter[TABLES_HEAD_UNIT + 1]; /* the letterhead's parts (tables_head) */
	lxw_format *sign, *sign_title, *sign_name;
	lxw_row_t head_row;  /* the two header rows: head_row and the next, under the letterhead */
	lxw_row_t row;       /* the next row to write */
};

static lxw_format *format_cell(lxw_workbook *wb, const char *num_format, bool wrap)
{
	lxw_format *f = workbook_add_format(wb);
	format_set_border(f, LXW_BORDER_THIN);
	format_set_align(f, LXW_ALIGN_VERTICAL_TOP);
	format_set_font_size(f, 8);
	if (num_format)
		format_set_num_format(f, num_format);
	if (wrap)
		format_set_text_wrap(f);
	return f;
}

/* A centred line of the letterhead or the signature block. */
static lxw_format *format_line(lxw_workbook *wb, double size, bool bold)
{
	lxw_format *f = workbook_add_format(wb);
	format_set_align(f, LXW_ALIGN_CENTER);
	format_set_font_size(f, size);
	if (bold)
		format_set_bold(f);
	return f;
}

static void sheet_formats(struct sheet *s)
{
	s->letter[TABLES_HEAD_KOP] = format_line(s->wb, 11, true);
	s->letter[TABLES_HEAD_OFFICE] = format_line(s->wb, 11, true);
	s->letter[TABLES_HEAD_TITLE] = format_line(s->wb, 13, true);
	s->letter[TABLES_HEAD_CATALOG] = format_line(s->wb, 9, false);
	s->letter[TABLES_HEAD_UNIT] = format_line(s->wb, 9, false);
	format_set_bottom(s->letter[TABLES_HEAD_UNIT], LXW_BORDER_DOUBLE); /* the kop's rule */
	s->sign = format_line(s->wb, 9, false);
	s->sign_title = format_line(s->wb, 9, true);
	s->sign_name = format_line(s->wb, 9, true);
	format_set_underline(s->sign_name, LXW_UNDERLINE_SINGLE);
	s->head = format_cell(s->wb, NULL, true);
	format_set_bold(s->head);
	format_set_bg_color(s->head, 0xd9d9d9);
	format_set_align(s->head, LXW_ALIGN_CENTER);
	format_set_align(s->head, LXW_ALIGN_VERTICAL_CENTER);
	s->head_sd = format_cell(s->wb, NULL, true);
	format_set_bold(s->head_sd);
	format_set_bg_color(s->head_sd, 0xc9d7e8); /* the cumulative columns, as in the HTML */
	format_set_align(s->head_sd, LXW_ALIGN_CENTER);
	format_set_align(s->head_sd, LXW_ALIGN_VERTICAL_CENTER);
	s->group = format_cell(s->wb, NULL, false);
	format_set_bold(s->group);
	format_set_bg_color(s->group, 0xf2f2f2);
	s->text = format_cell(s->wb, NULL, true);
	s->center = format_cell(s->wb, NULL, false);
	format_set_align(s->center, LXW_ALIGN_CENTER);
	s->percent = format_cell(s->wb, "0.00%", false);
	s->number = format_cell(s->wb, "#,##0.00", false);
	s->integer = format_cell(s->wb, "#,##0", false);
	s->blank = format_cell(s->wb, NULL, false);
	s->footer = workbook_add_format(s->wb);
	format_set_font_size(s->footer, 8);
	format_set_italic(s->footer);
	for (int b = 0; b < 5; b++) {
		s->band[b] = format_cell(s->wb, NULL, false);
		format_set_bold(s->band[b]);
		format_set_align(s->band[b], LXW_ALIGN_CENTER);
		format_set_bg_color(s->band[b], BANDS[b].rgb);
	}
}

/* A percent (86.67) in a percent cell (0.8667 shown as 86,67 % in Indonesia); blank when !has. */
static void put_percent(struct sheet *s, lxw_col_t col, bool has, double pct)
{
	if (has)
		worksheet_write_number(s->ws, s->row, col, pct / 100, s->percent);
	else
		worksheet_write_blank(s->ws, s->row, col, s->blank);
}

static void put_text(struct sheet *s, lxw_col_t col, const char *text, lxw_format *f)
{
	if (text[0])
		worksheet_write_string(s->ws, s->row, col, text, f);
	else
		worksheet_write_blank(s->ws, s->row, col, f);
}

static void put_predikat(struct sheet *s, lxw_col_t col, const struct proto_value *v)
{
	lxw_format *f = s->center;
	if (!v || !v->has_capaian) {
		worksheet_write_blank(s->ws, s->row, col, s->center);
		return;
	}
	for (int b = 0; b < 5; b++)
		if (!strcasecmp(v->predikat, BANDS[b].name))
			f = s->band[b];
	worksheet_write_string(s->ws, s->row, col, v->predikat, f);
}

/* The realisasi: a percent cell for a factor of 100, a plain number otherwise; blank: no data. */
static void put_realisasi(struct sheet *s, lxw_col_t col, const struct proto_value *v)
{
	double r;
	if (!v || !proto_value_ratio(v, &r))
		worksheet_write_blank(s->ws, s->row, col, s->blank);
	else if (v->factor == 100)
		worksheet_write_number(s->ws, s->row, col, r / 100, s->percent);
	else
		worksheet_write_number(s->ws, s->row, col, r, s->number);
}

static const struct proto_value *value_of(const struct tables *t, int p, const char *code)
{
	for (size_t i = 0; i < t->n_values[p]; i++)
		if (!strcmp(t->values[p][i].indicator, code))
			return &t->values[p][i];
	return NULL;
}

/* "(a + b) / c × 100 %", as the other formats write a formula. */
static void formula(const struct proto_indicator *in, char *buf, size_t n)
{
	bool pn = strstr(in->numerator, " + ") != NULL, pd = strstr(in->denominator, " + ") != NULL;
	char factor[32] = "× 100 %";
	if (in->factor != 100)
		snprintf(factor, sizeof(factor), "× %lld", (long long)in->factor);
	snprintf(buf, n, "%s%s%s / %s%s%s %s", pn ? "(" : "", in->numerator, pn ? ")" : "",
		 pd ? "(" : "", in->denominator, pd ? ")" : "", factor);
}

static void put_row(struct sheet *s, int no, const struct proto_indicator *in)
{
	const struct proto_value *year = value_of(s->t, 0, in->indicator);
	char buf[2 * PROTO_TEXT_MAX + 64];
	lxw_row_col_options outline = {.hidden = 0, .level = 1, .collapsed = 0};
	worksheet_set_row_opt(s->ws, s->row, LXW_DEF_ROW_HEIGHT, NULL, &outline);
	worksheet_write_number(s->ws, s->row, 0, no, s->center);
	put_text(s, 1, in->indicator, s->text);
	put_text(s, 2, in->sasaran[0] ? in->sasaran : "-", s->text);
	put_text(s, 3, in->name, s->text);
	formula(in, buf, sizeof(buf));
	put_text(s, 4, buf, s->text);
	put_percent(s, 5, year && year->has_target, year ? (double)year->target / 100 : 0);
	put_percent(s, 6, year && year->revised, year ? (double)year->target_original / 100 : 0);
	put_realisasi(s, 7, year);
	put_percent(s, 8, year && year->has_capaian, year ? year->capaian : 0);
	put_predikat(s, 9, year);
	put_text(s, 10, in->source[0] ? in->source : "-", s->text);
	if (year) {
		worksheet_write_number(s->ws, s->row, 11, (double)year->num, s->integer);
		worksheet_write_number(s->ws, s->row, 12, (double)year->den, s->integer);
	}
	for (int k = 0; k < TABLES_SHOWN; k++) {
		const char *name;
		int sd;
		const struct proto_value *v = value_of(s->t, tables_shown(k, &name, &sd), in->indicator);
		lxw_col_t c = (lxw_col_t)(YEAR_COLS + 3 * k);
		put_percent(s, c, v && v->has_target, v ? (double)v->target / 100 : 0);
		put_realisasi(s, c + 1, v);
		put_percent(s, c + 2, v && v->has_capaian, v ? v->capaian : 0);
	}
	tables_check(s->t, in->indicator, buf, sizeof(buf));
	put_text(s, CHECK_COL, buf, s->text); /* blank, bordered, when none is broken */
	char *note = tables_note(s->t, in->indicator);
	put_text(s, NOTE_COL, note ? note : "", s->text);
	free(note);
	s->row++;
}

/* The position list of an indicator ("Tanpa jabatan" when it names none). */
static const char *positions(const struct proto_indicator *in)
{
	return in->jabatan[0] ? in->jabatan : "Tanpa jabatan";
}

/* Whether position name is one of the "; "-joined positions of list. */
static bool holds(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; (p = strstr(p, name)); p += n)
		if ((p == list || (p >= list + 2 && !strncmp(p - 2, "; ", 2))) &&
		    (!p[n] || !strncmp(p + n, "; ", 2)))
			return true;
	return false;
}

/* One jabatan's block: its title row, then its indicators (those ikid answered for). */
static void put_group(struct sheet *s, const char *jabatan)
{
	const struct proto_msg *cat = s->t->catalog;
	char title[PROTO_TEXT_MAX + 16];
	snprintf(title, sizeof(title), "Jabatan: %s", jabatan);
	worksheet_merge_range(s->ws, s->row, 0, s->row, XLSX_COLS - 1, title, s->group);
	s->row++;
	int no = 0;
	for (size_t i = 0; i < cat->n_indicators; i++) {
		const struct proto_indicator *in = &cat->indicators[i];
		if (value_of(s->t, 0, in->indicator) && holds(positions(in), jabatan))
			put_row(s, ++no, in);
	}
}

/* Every position once, in catalog order (as the other formats group them), then its block. */
static int put_groups(struct sheet *s)
{
	const struct proto_msg *cat = s->t->catalog;
	char (*names)[PROTO_TEXT_MAX + 1] = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < cat->n_indicators; i++) {
		const char *p = positions(&cat->indicators[i]);
		if (!value_of(s->t, 0, cat->indicators[i].indicator))
			continue; /* not selected (--jabatan) */
		while (*p) {
			const char *end = strstr(p, "; ");
			size_t len = end ? (size_t)(end - p) : strlen(p), k = 0;
			if (grow((void **)&names, &cap, n + 1, sizeof(*names)) < 0) {
				free(names);
				return -ENOMEM;
			}
			snprintf(names[n], sizeof(names[n]), "%.*s", (int)len, p);
			p += len + (end ? 2 : 0);
			while (k < n && strcmp(names[k], names[n]) != 0)
				k++;
			if (k == n && names[n][0] &&
			    (!s->t->jabatan[0] || !strcasecmp(names[n], s->t->jabatan)))
				n++;
		}
	}
	for (size_t k = 0; k < n; k++)
		put_group(s, names[k]);
	if (!n)
		worksheet_write_string(s->ws, s->row++, 0, "Tidak ada indikator.", NULL);
	free(names);
	return 0;
}

/* A letterhead line as the printed page shows it (its CSS): kop, office and title in capitals. */
static void letter_text(const struct tables_head *h, char *buf, size_t n)
{
	snprintf(buf, n, "%s", h->text);
	if (h->part == TABLES_HEAD_KOP || h->part == TABLES_HEAD_OFFICE ||
	    h->part == TABLES_HEAD_TITLE)
		for (char *p = buf; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
}

/* The letterhead (tables_head), each line centred over the table's width, then the two header
 * rows under it and a blank row. */
static void put_head(struct sheet *s)
{
	struct tables_head head[TABLES_HEAD_LINES];
	char buf[TABLES_LINE_MAX];
	int n = tables_head(s->t, head);
	for (int i = 0; i < n; i++) {
		letter_text(&head[i], buf, sizeof(buf));
		worksheet_merge_range(s->ws, (lxw_row_t)i, 0, (lxw_row_t)i, XLSX_COLS - 1, buf,
				      s->letter[head[i].part]);
	}
	s->head_row = (lxw_row_t)n + 1;
	snprintf(buf, sizeof(buf), "Tahun %d", s->t->year);
	worksheet_merge_range(s->ws, s->head_row, 0, s->head_row, YEAR_COLS - 1, buf, s->head);
	for (int k = 0; k < TABLES_SHOWN; k++) {
		const char *name;
		int sd;
		tables_shown(k, &name, &sd);
		lxw_col_t c = (lxw_col_t)(YEAR_COLS + 3 * k);
		worksheet_merge_range(s->ws, s->head_row, c, s->head_row, c + 2, name,
				      sd ? s->head_sd : s->head);
		for (int i = 0; i < 3; i++) {
			worksheet_write_string(s->ws, s->head_row + 1, c + i, PERIOD_HEAD[i],
					       sd ? s->head_sd : s->head);
			worksheet_set_column(s->ws, c + i, c + i, i == 1 ? 9 : 8, NULL);
		}
	}
	for (lxw_col_t c = 0; c < YEAR_COLS; c++) {
		worksheet_write_string(s->ws, s->head_row + 1, c, HEAD[c].name, s->head);
		worksheet_set_column(s->ws, c, c, HEAD[c].width, NULL);
	}
	worksheet_merge_range(s->ws, s->head_row, CHECK_COL, s->head_row + 1, CHECK_COL,
			      "Perlu Diperiksa", s->head);
	worksheet_set_column(s->ws, CHECK_COL, CHECK_COL, 24, NULL);
	worksheet_merge_range(s->ws, s->head_row, NOTE_COL, s->head_row + 1, NOTE_COL,
			      "Analisis / Keterangan", s->head);
	worksheet_set_column(s->ws, NOTE_COL, NOTE_COL, 36, NULL);
	s->row = s->head_row + 2;
}

/*
 * Under the tables: the legend, the signature block (tables_sign) centred under the last two
 * columns with three empty rows to sign in, then the footer (tables_footer): when, and which of
 * ikid's publish points the figures are.
 */
static void put_footer(struct sheet *s)
{
	char sign[TABLES_SIGN_LINES][TABLES_LINE_MAX], buf[512];
	int n = tables_sign(s->t, sign);
	lxw_row_t r = s->row + 1;
	worksheet_write_string(s->ws, r++, 0, tables_legend(), s->footer);
	r++;
	for (int i = 0; i < n; i++) {
		lxw_format *f = i == 1 ? s->sign_title : i == TABLES_SIGN_GAP + 1 ? s->sign_name : s->sign;
		if (i == TABLES_SIGN_GAP) {
			r += 3; /* where it is signed */
			continue;
		}
		if (sign[i][0])
			worksheet_merge_range(s->ws, r, SIGN_COL, r, NOTE_COL, sign[i], f);
		r++;
	}
	tables_footer(s->t, buf, sizeof(buf));
	worksheet_write_string(s->ws, r + (n ? 1 : 0), 0, buf, s->footer);
}

/* A4 landscape, one page wide, the header rows on every page, page numbers at the foot. */
static void page_setup(struct sheet *s)
{
	worksheet_freeze_panes(s->ws, s->head_row + 2, 0);
	worksheet_set_landscape(s->ws);
	worksheet_set_paper(s->ws, 9); /* A4 */
	worksheet_fit_to_pages(s->ws, 1, 0);
	worksheet_repeat_rows(s->ws, s->head_row, s->head_row + 1);
	worksheet_set_margins(s->ws, 0.35, 0.35, 0.4, 0.5);
	worksheet_set_footer(s->ws, "&L&8iki report&R&8Halaman &P dari &N");
	worksheet_outline_settings(s->ws, LXW_TRUE, LXW_FALSE, LXW_TRUE, LXW_FALSE);
}

/* Build the workbook at path; 0 or -EIO/-ENOMEM. */
static int write_file(const struct tables *t, const char *path)
{
	struct sheet s = {.t = t};
	char name[32];
	lxw_doc_properties props = {.title = "Laporan Kinerja (LAKIP)", .author = "iki report"};
	s.wb = workbook_new(path);
	if (!s.wb)
		return -ENOMEM;
	workbook_set_properties(s.wb, &props);
	snprintf(name, sizeof(name), "LAKIP %d", t->year);
	s.ws = workbook_add_worksheet(s.wb, name);
	if (!s.ws) {
		workbook_close(s.wb);
		return -ENOMEM;
	}
	sheet_formats(&s);
	put_head(&s);
	int rc = put_groups(&s);
	put_footer(&s);
	page_setup(&s);
	lxw_error e = workbook_close(s.wb);
	if (rc < 0)
		return rc;
	return e == LXW_NO_ERROR ? 0 : e == LXW_ERROR_MEMORY_MALLOC_FAILED ? -ENOMEM : -EIO;
}

/* Copy a file to standard output; 0 or -EIO. */
static int copy_out(const char *path)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;
	int rc = 0;
	if (!f)
		return -EIO;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			rc = -EIO;
	if (ferror(f) || fflush(stdout) != 0)
		rc = -EIO;
	fclose(f);
	return rc;
}

int xlsx_write(const struct tables *t, const char *path)
{
	if (path)
		return write_file(t, path);
	const char *dir = getenv("TMPDIR");
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s/iki-report-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	close(fd);
	int rc = write_file(t, tmp);
	if (rc == 0)
		rc = copy_out(tmp);
	unlink(tmp);
	return rc;
}
