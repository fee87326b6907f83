/* input.c: read events from CSV (RFC 4180) and JSON-lines files. */
#include "input.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvlocale.h"
#include "grow.h"
#include "i18n.h"

#define FIELDS_MAX 24

#define TEXT(name, member) {name, offsetof(struct proto_event, member), \
				  sizeof(((struct proto_event *)0)->member)}

/* The columns an event may have; text ones say where they go, op and value are parsed. */
static const struct column {
	const char *name;
	size_t off, size; /* size 0: not a text field */
} columns[] = {
	TEXT("id", id), TEXT("element", element), TEXT("orgunit", orgunit), TEXT("date", date),
	{"op", 0, 0},   {"value", 0, 0},	  TEXT("case", case_id),	TEXT("comment", comment),
	TEXT("ref", ref), {NULL, 0, 0},
};

/* Copy val into dst (size n) or report it as too long. */
static int copy_field(char *dst, size_t size, const char *field, const char *val, char *err,
		      size_t n)
{
	if (strlen(val) >= size) {
		snprintf(err, n, "%s lebih panjang dari %zu byte", field, size - 1);
		return -1;
	}
	memcpy(dst, val, strlen(val) + 1);
	return 0;
}

int input_set_field(struct proto_event *ev, const char *field, const char *val, char *err,
		    size_t n)
{
	for (const struct column *c = columns; c->name; c++)
		if (c->size && !strcmp(field, c->name))
			return copy_field((char *)ev + c->off, c->size, field, val, err, n);
	if (!strcmp(field, "op")) {
		for (int op = PROTO_OP_ADD; op <= PROTO_OP_VOID; op++)
			if (!strcmp(val, proto_op_name((enum proto_op)op))) {
				ev->op = (enum proto_op)op;
				return 0;
			}
		if (!*val) {
			ev->op = PROTO_OP_ADD;
			return 0;
		}
		snprintf(err, n, "op harus add, set, open, close atau void, bukan '%s'", val);
		return -1;
	}
	if (!strcmp(field, "value")) {
		char *end;
		if (!*val) { /* left empty: input_check_value refuses it for an add or a set */
			ev->value = 1;
			ev->no_value = true;
			return 0;
		}
		errno = 0;
		long long v = strtoll(val, &end, 10);
		if (errno || *end || end == val) {
			snprintf(err, n, "value harus bilangan bulat, bukan '%s'", val);
			return -1;
		}
		ev->value = v;
		ev->no_value = false;
		return 0;
	}
	snprintf(err, n,
		 "kolom '%s' tidak dikenal (id, element, orgunit, date, op, value, case, comment, ref)",
		 field);
	return -1;
}

int input_check_value(const struct proto_event *ev, char *err, size_t n)
{
	if (!ev->no_value || (ev->op != PROTO_OP_ADD && ev->op != PROTO_OP_SET))
		return 0;
	snprintf(err, n, _("the value is empty: write the number, 1 too (an add or a set has no "
			   "default value)"));
	return -1;
}

/* A fresh event with the defaults of a row: op add, no value yet. */
static struct proto_event *input_add(struct input *in, int line)
{
	size_t ce = in->cap, cl = in->cap, cr = in->cap; /* the three grow alike */
	if (grow((void **)&in->events, &ce, in->n + 1, sizeof(*in->events)) < 0 ||
	    grow((void **)&in->lines, &cl, in->n + 1, sizeof(*in->lines)) < 0 ||
	    grow((void **)&in->rows, &cr, in->n + 1, sizeof(*in->rows)) < 0)
		return NULL;
	in->cap = ce;
	in->rows[in->n][0] = '\0';
	struct proto_event *ev = &in->events[in->n];
	memset(ev, 0, sizeof(*ev));
	ev->op = PROTO_OP_ADD;
	ev->value = 1;
	ev->no_value = true;
	in->lines[in->n++] = line;
	return ev;
}

/* Whether a column names the row's own number (nomor agenda): "no" or "nomor". */
static bool is_number_column(const char *name)
{
	return !strcmp(name, "no") || !strcmp(name, "nomor");
}

#define COL_NUMBER (-2)

/* The last row's number: its identity in the file (input_fill_rows). */
static int row_number(struct input *in, const char *val, char *err, size_t n)
{
	if (!*val || strlen(val) >= sizeof(in->rows[0]) - 1) {
		snprintf(err, n, "no (nomor baris) harus diisi, paling panjang %zu karakter",
			 sizeof(in->rows[0]) - 2);
		return -1;
	}
	snprintf(in->rows[in->n - 1], sizeof(in->rows[0]), "%s", val);
	in->numbered = true;
	return 0;
}

/* ---- CSV ---- */

/*
 * A CSV cursor over text. sep is ',' (RFC 4180), ';' or a tab (csvlocale_sep); indonesian says
 * the file is in Excel's Indonesian dialect (';', or Indonesian column names): then values may
 * have a decimal comma and grouping dots, dates may be dd/mm/yyyy, ops Indonesian words.
 */
struct csv {
	const char *p, *end;
	int line;
	char sep;
	bool indonesian;
};

/*
 * Read one field into buf (size n); *eol is set at the end of a record. Returns 0, 1 at the end
 * of the text (no field), or -1 on a broken quote or an overlong field.
 */
static int csv_field(struct csv *c, char *buf, size_t n, bool *eol)
{
	size_t len = 0;
	bool quoted = false;
	*eol = false;
	if (c->p >= c->end)
		return 1;
	if (*c->p == '"') {
		quoted = true;
		c->p++;
	}
	for (;;) {
		if (c->p >= c->end) {
			if (quoted)
				return -1;
			*eol = true;
			break;
		}
		char ch = *c->p;
		if (quoted && ch == '"') {
			if (c->p + 1 < c->end && c->p[1] == '"') {
				c->p += 2;
				if (len + 1 >= n)
					return -1;
				buf[len++] = '"';
				continue;
			}
			quoted = false;
			c->p++;
			if (c->p < c->end && *c->p != c->sep && *c->p != '\n' && *c->p != '\r')
				return -1;
			continue;
		}
		if (!quoted && (ch == c->sep || ch == '\n' || ch == '\r')) {
			c->p++;
			if (ch == '\r' && c->p < c->end && *c->p == '\n')
				c->p++;
			if (ch != c->sep) {
				*eol = true;
				c->line++;
			}
			break;
		}
		if (ch == '\n')
			c->line++;
		if (len + 1 >= n)
			return -1;
		buf[len++] = ch;
		c->p++;
	}
	buf[len] = '\0';
	return 0;
}

/* Read one record into fields; returns the field count, 0 at the end, -1 on error. */
static int csv_record(struct csv *c, char fields[][PROTO_COMMENT_MAX + 2], int max)
{
	int nf = 0;
	bool eol = false;
	while (!eol) {
		char tmp[PROTO_COMMENT_MAX + 2];
		int rc = csv_field(c, nf < max ? fields[nf] : tmp, sizeof(tmp), &eol);
		if (rc < 0)
			return -1;
		if (rc == 1)
			return nf;
		nf++;
	}
	return nf;
}

#define COL_IGNORE (-3)

/* The column's index in columns[] for a field name from csvlocale_column; -1 when none. */
static int column_index(const char *field)
{
	if (is_number_column(field))
		return COL_NUMBER;
	if (!*field)
		return COL_IGNORE;
	for (int k = 0; columns[k].name; k++)
		if (!strcmp(field, columns[k].name))
			return k;
	return -1;
}

/*
 * The header row: each column's index in columns[] (COL_NUMBER: the row's number, COL_IGNORE:
 * a column for people only); a name in Indonesian makes the file Indonesian (struct csv).
 */
static int csv_header(const char *name, struct csv *c, char (*fields)[PROTO_COMMENT_MAX + 2],
		      int *col, char *err, size_t n)
{
	int ncol = csv_record(c, fields, FIELDS_MAX);
	if (ncol <= 0 || ncol > FIELDS_MAX) {
		snprintf(err, n, "%s:1: perlu baris judul yang menamai kolom-kolomnya", name);
		return -1;
	}
	for (int i = 0; i < ncol; i++) {
		bool indonesian;
		const char *field = csvlocale_column(fields[i], &indonesian);
		col[i] = field ? column_index(field) : -1;
		c->indonesian |= indonesian;
		if (col[i] == -1) {
			snprintf(err, n, "%s:1: kolom '%s' tidak dikenal (id, element, orgunit, date, "
					 "op, value, case, comment, ref; no untuk nomor baris)", name,
				 fields[i]);
			return -1;
		}
	}
	while (ncol > 0 && col[ncol - 1] == COL_IGNORE && !fields[ncol - 1][0])
		ncol--; /* the empty columns Excel leaves at the right */
	return ncol;
}

/* A spreadsheet's name of column i (from 0): A, B, ..., Z, AA, ... into buf (8 bytes). */
static void column_letters(int i, char buf[8])
{
	char tmp[8];
	int k = 0;
	for (i++; i > 0 && k < 7; i = (i - 1) / 26)
		tmp[k++] = (char)('A' + (i - 1) % 26);
	for (int j = 0; j < k; j++)
		buf[j] = tmp[k - 1 - j];
	buf[k] = '\0';
}

/*
 * A cell of an Indonesian file in the form input_set_field takes: a value without grouping dots
 * or decimal comma, a date as YYYY-MM-DD, an op's English name (into buf, size n). Returns the
 * text to set, or NULL with msg filled.
 */
static const char *csv_indonesian(const char *field, const char *val, char *buf, size_t n,
				  char *msg, size_t msg_n)
{
	long long v;
	const char *op;
	if (!*val)
		return val;
	if (!strcmp(field, "value")) {
		if (csvlocale_integer(val, &v) == 0) {
			snprintf(buf, n, "%lld", v);
			return buf;
		}
		snprintf(msg, msg_n, _("'%s' is not a whole number (write 12 or 1.234, without a "
				       "fraction)"), val);
		return NULL;
	}
	if (!strcmp(field, "date")) {
		if (n >= 11 && csvlocale_date(val, buf) == 0)
			return buf;
		snprintf(msg, msg_n, _("'%s' is not a date (write dd/mm/yyyy, e.g. 14/03/2022)"),
			 val);
		return NULL;
	}
	if (!strcmp(field, "op")) {
		if ((op = csvlocale_op(val)))
			return op;
		snprintf(msg, msg_n, _("'%s' is not an operation (tambah, tetapkan, buka, tutup or "
				       "batal)"), val);
		return NULL;
	}
	return val;
}

/* Set the field of cell i of a row; -1 with msg filled. */
static int csv_cell(const struct csv *c, struct input *in, struct proto_event *ev, int col,
		    const char *val, char *msg, size_t n)
{
	char buf[32];
	if (col == COL_IGNORE)
		return 0;
	if (col == COL_NUMBER)
		return row_number(in, val, msg, n);
	if (c->indonesian && !(val = csv_indonesian(columns[col].name, val, buf, sizeof(buf), msg, n)))
		return -1;
	return input_set_field(ev, columns[col].name, val, msg, n);
}

/* Whether the fields from the k-th on are all empty. */
static bool csv_empty_from(char (*fields)[PROTO_COMMENT_MAX + 2], int k, int nf)
{
	for (; k < nf; k++)
		if (fields[k][0])
			return false;
	return true;
}

/*
 * How many cells a record holds against ncol columns: a record may end early or carry empty
 * cells past the last column (Excel writes both); -1 when it holds more that are not empty.
 */
static int csv_width(char (*fields)[PROTO_COMMENT_MAX + 2], int nf, int ncol, bool lenient)
{
	if (nf == ncol || (lenient && nf < ncol))
		return nf;
	if (nf > ncol && nf <= FIELDS_MAX && csv_empty_from(fields, ncol, nf))
		return ncol;
	return -1;
}

/* Fail the parse: "file:line: message (baris R, kolom X 'Name')" when a cell is named. */
static int csv_fail(const char *name, int line, const char *msg, int row, int cell,
		    const char *header, struct input *in, char *err, size_t n)
{
	char letters[8];
	if (cell < 0) {
		snprintf(err, n, "%s:%d: %s", name, line, msg);
	} else {
		column_letters(cell, letters);
		snprintf(err, n, _("%s:%d: %s (row %d, column %s '%s')"), name, line, msg, row,
			 letters, header);
	}
	input_free(in);
	return -1;
}

/* The cell of the value column among the first width, or -1 when the row has none. */
static int value_cell(const int *col, int width)
{
	for (int i = 0; i < width; i++)
		if (col[i] >= 0 && !strcmp(columns[col[i]].name, "value"))
			return i;
	return -1;
}

/* Parse the records after the header (fields: scratch space for one record). */
static int csv_rows(const char *name, struct csv *c, char (*fields)[PROTO_COMMENT_MAX + 2],
		    char (*header)[PROTO_COMMENT_MAX + 2], const int *col, int ncol,
		    struct input *in, char *err, size_t n)
{
	char msg[300];
	for (int row = 2;; row++) {
		int line = c->line;
		int nf = csv_record(c, fields, FIELDS_MAX);
		if (nf == 0)
			break;
		if ((nf == 1 && fields[0][0] == '\0') ||
		    (nf > 0 && csv_empty_from(fields, 0, nf < FIELDS_MAX ? nf : FIELDS_MAX)))
			continue; /* blank line, or a row of empty cells */
		int width = nf < 0 ? -1 : csv_width(fields, nf, ncol, c->indonesian);
		if (width < 0)
			return csv_fail(name, line,
					nf < 0 ? "tanda kutip rusak, atau isian terlalu panjang"
					       : "jumlah isian baris ini berbeda dengan baris judul",
					row, -1, "", in, err, n);
		struct proto_event *ev = input_add(in, line);
		if (!ev)
			return csv_fail(name, line, "memori habis", row, -1, "", in, err, n);
		for (int i = 0; i < width; i++)
			if (csv_cell(c, in, ev, col[i], fields[i], msg, sizeof(msg)) < 0)
				return csv_fail(name, line, msg, row, i, header[i], in, err, n);
		int vc = value_cell(col, width);
		if (input_check_value(ev, msg, sizeof(msg)) < 0)
			return csv_fail(name, line, msg, row, vc, vc >= 0 ? header[vc] : "", in, err,
					n);
	}
	return input_fill_rows(in, name, err, n);
}

/* The text as UTF-8 (Windows-1252 converted) without its BOM; *copy is what to free. */
static const char *csv_text(const char *text, size_t *len, char **copy)
{
	size_t out_len;
	*copy = csvlocale_utf8(text, *len, &out_len);
	if (*copy) {
		text = *copy;
		*len = out_len;
	}
	if (*len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3)) {
		text += 3;
		*len -= 3;
	}
	return text;
}

int input_parse_csv(const char *name, const char *text, size_t len, struct input *in, char *err,
		    size_t n)
{
	int col[FIELDS_MAX];
	char *copy = NULL;
	memset(in, 0, sizeof(*in));
	text = csv_text(text, &len, &copy);
	struct csv c = {text, text + len, 1, csvlocale_sep(text, len), false};
	c.indonesian = c.sep == ';';
	char (*fields)[PROTO_COMMENT_MAX + 2] = malloc(2 * FIELDS_MAX * sizeof(*fields));
	if (!fields) {
		free(copy);
		snprintf(err, n, "%s: memori habis", name);
		return -1;
	}
	int ncol = csv_header(name, &c, fields + FIELDS_MAX, col, err, n);
	int rc = ncol < 0 ? -1
			  : csv_rows(name, &c, fields, fields + FIELDS_MAX, col, ncol, in, err, n);
	free(fields);
	free(copy);
	return rc;
}

/* ---- JSON lines ---- */

/* Set the fields of ev (the last of in) from one JSON object. */
static int json_event(json_object *o, struct input *in, struct proto_event *ev, char *msg,
		      size_t n)
{
	json_object_object_foreach(o, key, val)
	{
		char num[32];
		const char *s;
		if (json_object_is_type(val, json_type_int)) {
			snprintf(num, sizeof(num), "%" PRId64, json_object_get_int64(val));
			s = num;
		} else if (json_object_is_type(val, json_type_string)) {
			s = json_object_get_string(val);
		} else if (json_object_is_type(val, json_type_null)) {
			s = "";
		} else {
			snprintf(msg, n, "%s harus teks atau bilangan bulat", key);
			return -1;
		}
		if (is_number_column(key) ? row_number(in, s, msg, n) < 0
					     : input_set_field(ev, key, s, msg, n) < 0)
			return -1;
	}
	return 0;
}

int input_parse_jsonl(const char *name, const char *text, size_t len, struct input *in, char *err,
		      size_t n)
{
	char msg[200];
	int line = 0;
	memset(in, 0, sizeof(*in));
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		line++;
		const char *q = p;
		p += l + (nl != NULL);
		while (l > 0 && (*q == ' ' || *q == '\t' || *q == '\r')) {
			q++;
			l--;
		}
		if (l == 0)
			continue;
		json_tokener *tok = json_tokener_new();
		json_object *o = tok ? json_tokener_parse_ex(tok, q, (int)l) : NULL;
		bool ok = o && json_tokener_get_error(tok) == json_tokener_success &&
			  (size_t)json_tokener_get_parse_end(tok) == l &&
			  json_object_is_type(o, json_type_object);
		json_tokener_free(tok);
		struct proto_event *ev = ok ? input_add(in, line) : NULL;
		if (!ok)
			snprintf(msg, sizeof(msg), "baris ini bukan satu objek JSON");
		if (!ev || json_event(o, in, ev, msg, sizeof(msg)) < 0 ||
		    input_check_value(ev, msg, sizeof(msg)) < 0) {
			snprintf(err, n, "%s:%d: %s", name, line, msg);
			json_object_put(o);
			input_free(in);
			return -1;
		}
		json_object_put(o);
	}
	return input_fill_rows(in, name, err, n);
}

/* ---- row identities ---- */

static int cmp_row(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;
	return strcmp(*x, *y);
}

/*
 * The identity of each row without an id of its own: its number ("no" column) when the file
 * has one, else its place among the file's rows ("#1", "#2", ...). A number used twice is an
 * error: the rule needs one row per number.
 */
int input_fill_rows(struct input *in, const char *name, char *err, size_t n)
{
	size_t ord = 0, k = 0;
	const char **sorted = calloc(in->n ? in->n : 1, sizeof(*sorted));
	if (!sorted) {
		snprintf(err, n, "%s: memori habis", name);
		input_free(in);
		return -1;
	}
	for (size_t i = 0; i < in->n; i++) {
		ord++;
		if (in->events[i].id[0])
			in->rows[i][0] = '\0';
		else if (!in->numbered)
			snprintf(in->rows[i], sizeof(in->rows[i]), "#%zu", ord);
		if (in->rows[i][0])
			sorted[k++] = in->rows[i];
	}
	qsort(sorted, k, sizeof(*sorted), cmp_row);
	for (size_t i = 1; i < k; i++)
		if (!strcmp(sorted[i], sorted[i - 1])) {
			snprintf(err, n, "%s: nomor %s dipakai oleh dua baris: setiap baris perlu "
				 "nomornya sendiri", name, sorted[i]);
			free(sorted);
			input_free(in);
			return -1;
		}
	free(sorted);
	return 0;
}

/* ---- files ---- */

char *input_slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t cap = 0, n = 0, r = 1;
	int e = 0;
	if (!f)
		return NULL;
	while (r > 0 && (e = grow((void **)&buf, &cap, n + 65536, 1)) == 0) /* 64 KiB a read at least */
		n += r = fread(buf + n, 1, cap - n, f);
	if (e == 0 && ferror(f))
		e = -EIO;
	if (f != stdin)
		fclose(f);
	if (e < 0) {
		free(buf);
		errno = -e;
		return NULL;
	}
	*len = n;
	return buf;
}

int input_read(const char *path, enum input_format fmt, struct input *in, char *err, size_t n)
{
	size_t len = 0;
	memset(in, 0, sizeof(*in));
	if (fmt == INPUT_AUTO) {
		const char *dot = strrchr(path, '.');
		fmt = dot && (!strcmp(dot, ".jsonl") || !strcmp(dot, ".json")) ? INPUT_JSONL
									     : INPUT_CSV;
	}
	char *text = input_slurp(path, &len);
	if (!text) {
		snprintf(err, n, "%s: %s", path, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	int rc = fmt == INPUT_JSONL ? input_parse_jsonl(path, text, len, in, err, n)
				    : input_parse_csv(path, text, len, in, err, n);
	free(text);
	return rc;
}

void input_free(struct input *in)
{
	free(in->events);
	free(in->lines);
	free(in->rows);
	memset(in, 0, sizeof(*in));
}
