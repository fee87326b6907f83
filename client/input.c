/* input.c: read events from CSV (RFC 4180) and JSON-lines files; make missing ids. */
#include "input.h"

#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CSV_COLUMNS 8 /* id, element, orgunit, date, op, value, case, comment */
#define CSV_FIELDS_MAX 64

static const char *const field_names[CSV_COLUMNS] = {"id", "element", "orgunit", "date",
						     "op", "value",   "case",	 "comment"};

#define KNOWN_COLUMNS "id, element, orgunit, date, op, value, case, comment"

int input_format_parse(const char *s, enum input_format *fmt)
{
	if (!strcmp(s, "csv"))
		*fmt = INPUT_CSV;
	else if (!strcmp(s, "jsonl") || !strcmp(s, "json"))
		*fmt = INPUT_JSONL;
	else
		return -EINVAL;
	return 0;
}

/* Copy val into dst (size size) or report it as too long. */
static int copy_field(char *dst, size_t size, const char *field, const char *val, char *err,
		      size_t n)
{
	size_t len = strlen(val);
	if (len >= size) {
		snprintf(err, n,
			 "%s: %zu bytes, longer than %zu (isian %s terlalu panjang, paling "
			 "banyak %zu karakter)",
			 field, len, size - 1, field, size - 1);
		return -EINVAL;
	}
	memcpy(dst, val, len + 1);
	return 0;
}

/* Set op from its name; empty means add. */
static int set_op(struct proto_event *ev, const char *val, char *err, size_t n)
{
	if (!*val) {
		ev->op = PROTO_OP_ADD;
		return 0;
	}
	for (int op = PROTO_OP_ADD; op <= PROTO_OP_CLOSE; op++)
		if (!strcmp(val, proto_op_name((enum proto_op)op))) {
			ev->op = (enum proto_op)op;
			return 0;
		}
	snprintf(err, n,
		 "op: '%.40s' is not add, set, open or close (op harus add, set, open atau "
		 "close)",
		 val);
	return -EINVAL;
}

/* Set value from a whole number in decimal; empty means 1. */
static int set_value(struct proto_event *ev, const char *val, char *err, size_t n)
{
	char *end;
	if (!*val) {
		ev->value = 1;
		return 0;
	}
	errno = 0;
	long long v = strtoll(val, &end, 10);
	if (errno || *end || end == val || *val == ' ' || *val == '\t') {
		snprintf(err, n,
			 "value: '%.40s' is not a whole number (nilai harus bilangan bulat, "
			 "misalnya 10)",
			 val);
		return -EINVAL;
	}
	ev->value = v;
	return 0;
}

int input_set_field(struct proto_event *ev, const char *field, const char *val, char *err, size_t n)
{
	if (!strcmp(field, "id"))
		return copy_field(ev->id, sizeof(ev->id), field, val, err, n);
	if (!strcmp(field, "element"))
		return copy_field(ev->element, sizeof(ev->element), field, val, err, n);
	if (!strcmp(field, "orgunit"))
		return copy_field(ev->orgunit, sizeof(ev->orgunit), field, val, err, n);
	if (!strcmp(field, "date"))
		return copy_field(ev->date, sizeof(ev->date), field, val, err, n);
	if (!strcmp(field, "case"))
		return copy_field(ev->case_id, sizeof(ev->case_id), field, val, err, n);
	if (!strcmp(field, "comment"))
		return copy_field(ev->comment, sizeof(ev->comment), field, val, err, n);
	if (!strcmp(field, "op"))
		return set_op(ev, val, err, n);
	if (!strcmp(field, "value"))
		return set_value(ev, val, err, n);
	snprintf(err, n,
		 "unknown field '%.40s'; known: " KNOWN_COLUMNS " (kolom '%.40s' tidak "
		 "dikenal)",
		 field, field);
	return -EINVAL;
}

int input_check_event(const struct proto_event *ev, char *err, size_t n)
{
	const char *missing = !ev->element[0]	? "element"
			      : !ev->orgunit[0] ? "orgunit"
			      : !ev->date[0]	? "date"
						: NULL;
	if (!missing)
		return 0;
	snprintf(err, n, "%s: missing or empty (kolom %s wajib diisi)", missing, missing);
	return -EINVAL;
}

/* Append a fresh event with the defaults of a row (op add, value 1); NULL when out of memory. */
static struct proto_event *input_add(struct input *in, int line)
{
	if (in->n == 0 || (in->n >= 64 && (in->n & (in->n - 1)) == 0)) {
		size_t cap = in->n ? in->n * 2 : 64;
		struct proto_event *e = realloc(in->events, cap * sizeof(*e));
		if (!e)
			return NULL;
		in->events = e;
		int *l = realloc(in->lines, cap * sizeof(*l));
		if (!l)
			return NULL;
		in->lines = l;
	}
	struct proto_event *ev = &in->events[in->n];
	memset(ev, 0, sizeof(*ev));
	ev->op = PROTO_OP_ADD;
	ev->value = 1;
	in->lines[in->n++] = line;
	return ev;
}

/* The line of the first NUL byte in text, or 0 when there is none: text files have none. */
static int nul_line(const char *text, size_t len)
{
	const char *z = memchr(text, '\0', len);
	int line = 1;
	for (const char *p = text; z && p < z; p++)
		line += *p == '\n';
	return z ? line : 0;
}

#define NUL_MSG "a NUL byte: not a text file (berkas ini bukan teks)"

/* Fail a parse: "name:line: msg" into err, free what was read. Returns -EINVAL. */
static int parse_fail(struct input *in, const char *name, int line, const char *msg, char *err,
		      size_t n)
{
	snprintf(err, n, "%s:%d: %s", name, line, msg);
	input_free(in);
	return -EINVAL;
}

/* ---- CSV ---- */

/* A CSV cursor over text, and the fields of the record last read (NUL-terminated in buf). */
struct csv {
	const char *p, *end;
	int line;
	char *buf;
	size_t len, cap;
	size_t off[CSV_FIELDS_MAX];
	int nf;
	char msg[INPUT_ERR_MAX];
};

/* Append one byte to the record buffer. Returns 0, or -ENOMEM. */
static int csv_put(struct csv *c, char ch)
{
	if (c->len == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		char *b = realloc(c->buf, cap);
		if (!b)
			return -ENOMEM;
		c->buf = b;
		c->cap = cap;
	}
	c->buf[c->len++] = ch;
	return 0;
}

/* Field i of the record last read. */
static const char *csv_get(const struct csv *c, int i)
{
	return c->buf + c->off[i];
}

/* Whether ch ends an unquoted field. */
static bool csv_stop(char ch)
{
	return ch == ',' || ch == '\n' || ch == '\r';
}

/* Read the body of a quoted field, after its opening quote, through its closing quote. */
static int csv_quoted(struct csv *c)
{
	for (;;) {
		if (c->p >= c->end) {
			snprintf(c->msg, sizeof(c->msg),
				 "a quoted field is never closed (tanda "
				 "petik pembuka tidak ditutup)");
			return -EINVAL;
		}
		char ch = *c->p++;
		if (ch == '"' && (c->p >= c->end || *c->p != '"'))
			break;
		if (ch == '"')
			c->p++; /* a doubled quote stands for one */
		if (ch == '\n')
			c->line++;
		if (csv_put(c, ch) < 0)
			return -ENOMEM;
	}
	if (c->p < c->end && !csv_stop(*c->p)) {
		snprintf(c->msg, sizeof(c->msg),
			 "text after a closing quote (ada teks setelah "
			 "tanda petik penutup)");
		return -EINVAL;
	}
	return 0;
}

/*
 * Read one field and the separator after it. Returns 0 when another field follows, 1 at the
 * end of the record, or <0 with c->msg set.
 */
static int csv_field(struct csv *c)
{
	int rc = 0;
	if (c->nf < CSV_FIELDS_MAX)
		c->off[c->nf] = c->len;
	if (c->p < c->end && *c->p == '"') {
		c->p++;
		rc = csv_quoted(c);
	}
	while (rc == 0 && c->p < c->end && !csv_stop(*c->p))
		rc = csv_put(c, *c->p++); /* a stray quote in an unquoted field is kept as is */
	if (rc == 0)
		rc = csv_put(c, '\0');
	if (rc == -ENOMEM)
		snprintf(c->msg, sizeof(c->msg), "out of memory");
	if (rc < 0)
		return rc;
	c->nf++;
	if (c->p >= c->end)
		return 1;
	char ch = *c->p++;
	if (ch == ',')
		return 0;
	if (ch == '\r' && c->p < c->end && *c->p == '\n')
		c->p++;
	c->line++;
	return 1;
}

/* Read one record. Returns its field count, 0 at the end of the text, or <0 with c->msg. */
static int csv_record(struct csv *c)
{
	int rc = 0;
	c->len = 0;
	c->nf = 0;
	if (c->p >= c->end)
		return 0;
	while (rc == 0)
		rc = csv_field(c);
	return rc < 0 ? rc : c->nf;
}

/* Trim ASCII spaces around a header name in place. */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		s[--len] = '\0';
	return s;
}

/* Map the header's columns to field numbers into col. Returns 0, or <0 with c->msg. */
static int csv_header(struct csv *c, int ncol, int *col)
{
	bool seen[CSV_COLUMNS] = {false};
	if (ncol > CSV_FIELDS_MAX) {
		snprintf(c->msg, sizeof(c->msg),
			 "%d columns; the most is %d (terlalu banyak kolom)", ncol, CSV_COLUMNS);
		return -EINVAL;
	}
	for (int i = 0; i < ncol; i++) {
		const char *name = trim(c->buf + c->off[i]);
		col[i] = -1;
		for (int k = 0; k < CSV_COLUMNS; k++)
			if (!strcasecmp(name, field_names[k]))
				col[i] = k;
		if (col[i] < 0) {
			snprintf(c->msg, sizeof(c->msg),
				 "unknown column '%.40s'; known: " KNOWN_COLUMNS
				 " (kolom '%.40s' tidak dikenal)",
				 name, name);
			return -EINVAL;
		}
		if (seen[col[i]]) {
			snprintf(c->msg, sizeof(c->msg),
				 "column '%s' appears twice (kolom '%s' "
				 "muncul dua kali)",
				 field_names[col[i]], field_names[col[i]]);
			return -EINVAL;
		}
		seen[col[i]] = true;
	}
	for (int k = 1; k <= 3; k++)
		if (!seen[k]) {
			snprintf(c->msg, sizeof(c->msg), "no '%s' column (kolom '%s' wajib ada)",
				 field_names[k], field_names[k]);
			return -EINVAL;
		}
	return 0;
}

/* Turn the record last read into an event. Returns 0, or <0 with c->msg. */
static int csv_event(struct csv *c, struct input *in, int line, int ncol, const int *col)
{
	if (c->nf != ncol) {
		snprintf(c->msg, sizeof(c->msg),
			 "%d fields, but the header has %d (jumlah kolom "
			 "baris ini %d, seharusnya %d)",
			 c->nf, ncol, c->nf, ncol);
		return -EINVAL;
	}
	struct proto_event *ev = input_add(in, line);
	if (!ev) {
		snprintf(c->msg, sizeof(c->msg), "out of memory");
		return -ENOMEM;
	}
	for (int i = 0; i < ncol; i++) {
		int rc =
		    input_set_field(ev, field_names[col[i]], csv_get(c, i), c->msg, sizeof(c->msg));
		if (rc < 0)
			return rc;
	}
	return input_check_event(ev, c->msg, sizeof(c->msg));
}

/* Read the rows after the header. Returns 0, or <0 with c->msg and *line set. */
static int csv_rows(struct csv *c, struct input *in, int ncol, const int *col, int *line)
{
	for (;;) {
		*line = c->line;
		int nf = csv_record(c);
		if (nf <= 0)
			return nf;
		if (nf == 1 && csv_get(c, 0)[0] == '\0')
			continue; /* a blank line */
		int rc = csv_event(c, in, *line, ncol, col);
		if (rc < 0)
			return rc;
	}
}

int input_parse_csv(const char *name, const char *text, size_t len, struct input *in, char *err,
		    size_t n)
{
	struct csv c = {.p = text, .end = text + len, .line = 1};
	int col[CSV_FIELDS_MAX], line = 1, rc;
	memset(in, 0, sizeof(*in));
	if ((line = nul_line(text, len)) > 0)
		return parse_fail(in, name, line, NUL_MSG, err, n);
	line = 1;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		c.p += 3;
	int ncol = csv_record(&c);
	if (ncol == 0)
		snprintf(c.msg, sizeof(c.msg),
			 "empty file: a header row naming the columns is "
			 "needed (baris judul kolom tidak ada)");
	rc = ncol > 0 ? csv_header(&c, ncol, col) : ncol == 0 ? -EINVAL : ncol;
	if (rc == 0)
		rc = csv_rows(&c, in, ncol, col, &line);
	if (rc == 0 && (rc = input_fill_ids(in)) < 0)
		snprintf(c.msg, sizeof(c.msg), "out of memory");
	free(c.buf);
	if (rc < 0) {
		parse_fail(in, name, line, c.msg, err, n);
		return rc;
	}
	return 0;
}

/* ---- JSON lines ---- */

/* Set one field of ev from one JSON member. Returns 0, or -EINVAL with msg. */
static int json_member(struct proto_event *ev, const char *key, json_object *val, char *msg,
		       size_t n)
{
	char num[32];
	const char *s = "";
	bool is_value = !strcmp(key, "value");
	if (json_object_is_type(val, json_type_null)) {
		s = "";
	} else if (is_value && json_object_is_type(val, json_type_int)) {
		snprintf(num, sizeof(num), "%" PRId64, json_object_get_int64(val));
		s = num;
	} else if (!is_value && json_object_is_type(val, json_type_string)) {
		s = json_object_get_string(val);
	} else {
		snprintf(msg, n, "%.40s: must be %s (%.40s harus %s)", key,
			 is_value ? "a whole number" : "a string", key,
			 is_value ? "bilangan bulat" : "teks dalam tanda petik");
		return -EINVAL;
	}
	return input_set_field(ev, key, s, msg, n);
}

/* Parse one line (len bytes, trimmed) as one JSON object into ev. */
static int json_event(const char *line, size_t len, struct proto_event *ev, char *msg, size_t n)
{
	json_tokener *tok = json_tokener_new();
	json_object *o = tok ? json_tokener_parse_ex(tok, line, (int)len) : NULL;
	bool ok = o && json_tokener_get_error(tok) == json_tokener_success &&
		  (size_t)json_tokener_get_parse_end(tok) == len &&
		  json_object_is_type(o, json_type_object);
	int rc = ok ? 0 : -EINVAL;
	json_tokener_free(tok);
	if (!ok)
		snprintf(msg, n,
			 "not one JSON object on this line (baris ini bukan satu objek JSON)");
	if (ok) {
		json_object_object_foreach(o, key, val)
		{
			if ((rc = json_member(ev, key, val, msg, n)) < 0)
				break;
		}
	}
	json_object_put(o);
	return rc < 0 ? rc : input_check_event(ev, msg, n);
}

/* Whether ch is JSON whitespace. */
static bool json_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

int input_parse_jsonl(const char *name, const char *text, size_t len, struct input *in, char *err,
		      size_t n)
{
	char msg[INPUT_ERR_MAX];
	const char *p = text, *end = text + len;
	int line = 0;
	memset(in, 0, sizeof(*in));
	if ((line = nul_line(text, len)) > 0)
		return parse_fail(in, name, line, NUL_MSG, err, n);
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *q = p, *e = nl ? nl : end;
		p = nl ? nl + 1 : end;
		line++;
		while (q < e && json_space(*q))
			q++;
		while (e > q && json_space(e[-1]))
			e--;
		if (q == e)
			continue;
		struct proto_event *ev = input_add(in, line);
		if (!ev)
			return parse_fail(in, name, line, "out of memory", err, n);
		if (json_event(q, (size_t)(e - q), ev, msg, sizeof(msg)) < 0)
			return parse_fail(in, name, line, msg, err, n);
	}
	if (input_fill_ids(in) < 0)
		return parse_fail(in, name, line, "out of memory", err, n);
	return 0;
}

/* ---- ids ---- */

/* FNV-1a 64 over a string and its terminating NUL. */
static uint64_t fnv(uint64_t h, const char *s)
{
	do {
		h ^= (uint8_t)*s;
		h *= 0x100000001b3ull;
	} while (*s++);
	return h;
}

/* The content hash of an event, everything but its id (see input_read). */
static uint64_t event_hash(const struct proto_event *e)
{
	char num[32];
	const char *op = proto_op_name(e->op);
	uint64_t h = 0xcbf29ce484222325ull;
	snprintf(num, sizeof(num), "%" PRId64, e->value);
	h = fnv(h, e->element);
	h = fnv(h, e->orgunit);
	h = fnv(h, e->date);
	h = fnv(h, op ? op : "");
	h = fnv(h, num);
	h = fnv(h, e->case_id);
	return fnv(h, e->comment);
}

int input_fill_ids(struct input *in)
{
	size_t cap = 16;
	while (cap < in->n * 2)
		cap *= 2;
	uint64_t *keys = calloc(cap, sizeof(*keys));
	unsigned *counts = calloc(cap, sizeof(*counts)); /* 0: a free slot */
	if (!keys || !counts) {
		free(keys);
		free(counts);
		return -ENOMEM;
	}
	for (size_t i = 0; i < in->n; i++) {
		struct proto_event *e = &in->events[i];
		if (e->id[0])
			continue;
		uint64_t h = event_hash(e);
		size_t j = h & (cap - 1);
		while (counts[j] && keys[j] != h)
			j = (j + 1) & (cap - 1);
		keys[j] = h;
		snprintf(e->id, sizeof(e->id), "g-%016" PRIx64 "-%u", h, ++counts[j]);
	}
	free(keys);
	free(counts);
	return 0;
}

/* ---- files ---- */

/* Read a whole stream into a malloc'd buffer. Returns it, or NULL with errno set. */
static char *slurp(FILE *f, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			char *b = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (!b) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = b;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		errno = errno ? errno : EIO;
		return NULL;
	}
	*len = n;
	return buf;
}

/* The format of a file from its name: .csv, .jsonl, .json; INPUT_AUTO when unknown. */
static enum input_format format_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot && !strcasecmp(dot, ".csv"))
		return INPUT_CSV;
	if (dot && (!strcasecmp(dot, ".jsonl") || !strcasecmp(dot, ".json")))
		return INPUT_JSONL;
	return INPUT_AUTO;
}

int input_read(const char *path, enum input_format fmt, struct input *in, char *err, size_t n)
{
	size_t len = 0;
	memset(in, 0, sizeof(*in));
	if (fmt == INPUT_AUTO && (fmt = format_of(path)) == INPUT_AUTO) {
		snprintf(err, n,
			 "%s: cannot tell the format from the name; use a .csv or .jsonl "
			 "file, or --format csv|jsonl",
			 path);
		return -EINVAL;
	}
	bool std = !strcmp(path, "-");
	FILE *f = std ? stdin : fopen(path, "rb");
	char *text = f ? slurp(f, &len) : NULL;
	int e = errno;
	if (f && !std)
		fclose(f);
	if (!text) {
		snprintf(err, n, "%s: %s", path, strerror(e));
		return -e;
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
	memset(in, 0, sizeof(*in));
}
