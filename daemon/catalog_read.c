/*
 * catalog_read.c: the catalog's INI dialect, read strictly: lines (at most 1024 bytes, UTF-8, no
 * NUL), comments, [section CODE] headers, "key = value" lines dispatched through each section's
 * table of keys (catalog_sections.c), and every problem kept as a "file:line: message" report in
 * line order. catalog_load drives it and hands the result to the model (catalog.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_int.h"
#include "grow.h"
#include "iki.h"

/* Record one problem at a line. Out of memory only sets r->oom: the load then fails as such. */
void cat_err(struct cat_reader *r, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	bool room = cat_room(r, (void **)&r->problems, &r->cap.problems, r->n_problems,
			     sizeof(*r->problems));
	char *text = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (!room || !text) {
		free(text);
		r->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(text, (size_t)n + 1, fmt, ap);
	va_end(ap);
	r->problems[r->n_problems] =
	    (struct cat_problem){.line = line, .seq = r->n_problems, .text = text};
	r->n_problems++;
}

/* Order problems by line, then by discovery. */
static int problem_cmp(const void *a, const void *b)
{
	const struct cat_problem *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The problems as one malloc'd text, one "file:line: message" line each, in line order. */
static char *problems_text(struct cat_reader *r)
{
	size_t size = 1, used = 0;
	qsort(r->problems, (size_t)r->n_problems, sizeof(*r->problems), problem_cmp);
	for (int i = 0; i < r->n_problems; i++)
		size += strlen(r->path) + strlen(r->problems[i].text) + 16;
	char *s = malloc(size);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (int i = 0; i < r->n_problems; i++)
		used += (size_t)snprintf(s + used, size - used, "%s:%d: %s\n", r->path,
					 r->problems[i].line, r->problems[i].text);
	return s;
}

/* "path: reason" for a file that could not be read, malloc'd (NULL when out of memory). */
static char *errno_text(const char *path, int rc)
{
	const char *why = strerror(-rc);
	size_t size = strlen(path) + strlen(why) + 4;
	char *s = malloc(size);
	if (s)
		snprintf(s, size, "%s: %s\n", path, why);
	return s;
}

/* Trim white space at both ends, in place (a trailing '\r' of a CRLF file goes too). */
char *cat_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Room for (*arr)[n], zeroed; grow() doubles (91,600 org units: 14 reallocations). */
bool cat_room(struct cat_reader *r, void **arr, size_t *cap, int n, size_t size)
{
	char *p;
	if (grow(arr, cap, (size_t)n + 1, size) < 0) {
		r->oom = true;
		return false;
	}
	memcpy(&p, arr, sizeof(p)); /* *arr is any object pointer, read as its bytes (grow.h) */
	memset(p + (size_t)n * size, 0, size);
	return true;
}

/* The index of val among names[1..n), or 0. */
int cat_word(const char *val, const char *const *names, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (!strcmp(val, names[i]))
			return (int)i;
	return 0;
}

/* The index of val among names[1..n), or 0 after reporting what the key accepts. */
int cat_enum(struct cat_reader *r, const char *val, const char *const *names, size_t n)
{
	int i = cat_word(val, names, n);
	if (i)
		return i;
	char list[160] = "";
	for (size_t k = 1; k < n; k++) {
		const char *sep = k == 1 ? "" : ", ";
		if (k > 1 && k + 1 == n)
			sep = " or ";
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", sep, names[k]);
	}
	cat_err(r, r->line, "'%s' must be %s, not '%s'", r->key, list, val);
	return 0;
}

/* Parse a whole decimal number in [min, max]; false when val is anything else. */
bool cat_parse_int(const char *val, long long min, long long max, long long *out)
{
	char *end;
	if (!isdigit((unsigned char)val[0]))
		return false;
	errno = 0;
	long long v = strtoll(val, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Copy a text value into a fixed field, or report it as empty or too long. */
void cat_set_text(struct cat_reader *r, char *dst, size_t size, const char *val)
{
	size_t n = strlen(val);
	if (n == 0)
		cat_err(r, r->line, "'%s' is empty", r->key);
	else if (n >= size)
		cat_err(r, r->line, "'%s' is %zu bytes long, more than the %zu allowed", r->key, n,
		    size - 1);
	else
		memcpy(dst, val, n + 1);
}

/* Check what a section could only say once it ended: required keys, and its own rules. */
static void section_end(struct cat_reader *r)
{
	if (r->sec == CAT_SEC_NONE || r->sec == CAT_SEC_SKIP || r->damaged)
		return;
	const struct cat_key *keys = cat_section_keys[r->sec];
	for (int k = 0; keys[k].name; k++)
		if ((keys[k].flags & KEY_REQUIRED) && !r->key_line[k])
			cat_err(r, r->sec_line, "[%s %s] lacks '%s'", cat_section_names[r->sec], r->code,
			    keys[k].name);
	cat_section_rules(r);
}

/* Start a section from its header's inside, "kind CODE". A broken header skips the section. */
static void section_begin(struct cat_reader *r, char *hdr)
{
	char *code = hdr + strcspn(hdr, " \t");
	if (*code)
		*code++ = '\0';
	code = cat_trim(code);
	r->sec = CAT_SEC_SKIP;
	r->sec_line = r->line;
	memset(r->key_line, 0, sizeof(r->key_line));
	r->damaged = false;
	enum cat_section s = (enum cat_section)cat_word(hdr, cat_section_names, CAT_SEC_SKIP);
	if (s == CAT_SEC_NONE) {
		cat_err(r, r->line,
		    "unknown section type [%s]: orgunit, element, case, indicator or schedule", hdr);
		return;
	}
	if (!cat_code_ok(r, s, code) || !cat_code_free(r, s, code))
		return;
	int i = cat_add(r, s, code);
	if (i < 0)
		return;
	r->sec = s;
	r->cur = i;
	snprintf(r->code, sizeof(r->code), "%s", code);
}

/* One "key = value" line. */
static void key_line(struct cat_reader *r, const char *key, const char *val)
{
	if (r->sec == CAT_SEC_SKIP)
		return;
	if (r->sec == CAT_SEC_NONE) {
		cat_top_key(r, key, val);
		return;
	}
	const struct cat_key *keys = cat_section_keys[r->sec];
	int k = 0;
	while (keys[k].name && strcmp(keys[k].name, key))
		k++;
	if (!keys[k].name) {
		cat_err(r, r->line, "unknown key '%s' in [%s %s]", key, cat_section_names[r->sec], r->code);
		return;
	}
	if (r->key_line[k] && !(keys[k].flags & KEY_REPEAT)) {
		cat_err(r, r->line, "'%s' given twice (first on line %d)", key, r->key_line[k]);
		return;
	}
	if (!r->key_line[k])
		r->key_line[k] = r->line;
	r->key = keys[k].name;
	if (keys[k].set)
		keys[k].set(r, val);
	else
		cat_set_text(r, cat_object(r) + keys[k].off, keys[k].size, val);
}

/* Whether a line of n bytes is text the reader takes: no NUL, not too long, UTF-8. */
static bool line_readable(struct cat_reader *r, const char *s, size_t n)
{
	size_t bad;
	if (strlen(s) != n)
		cat_err(r, r->line, "NUL byte at byte %zu of the line", strlen(s) + 1);
	else if (n > LINE_MAX_LEN)
		cat_err(r, r->line, "line is %zu bytes long, more than %d", n, LINE_MAX_LEN);
	else if ((bad = iki_utf8_check(s, n)) < n)
		cat_err(r, r->line, "not valid UTF-8 at byte %zu of the line", bad + 1);
	else
		return true;
	return false;
}

/* One line of the file, n bytes without its newline. An unreadable one damages its section. */
static void parse_line(struct cat_reader *r, char *s, size_t n)
{
	if (!line_readable(r, s, n)) {
		r->damaged = true;
		return;
	}
	s = cat_trim(s);
	if (!*s || *s == '#' || *s == ';')
		return;
	if (*s == '[') {
		section_end(r);
		n = strlen(s);
		if (n < 2 || s[n - 1] != ']') {
			cat_err(r, r->line, "unterminated section header: '%s' lacks its closing ']'",
			    s);
			r->sec = CAT_SEC_SKIP;
			return;
		}
		s[n - 1] = '\0';
		section_begin(r, cat_trim(s + 1));
		return;
	}
	char *eq = strchr(s, '=');
	if (!eq) {
		cat_err(r, r->line, "expected 'key = value' or a [section], found '%s'", s);
		r->damaged = true;
		return;
	}
	*eq = '\0';
	key_line(r, cat_trim(s), cat_trim(eq + 1));
}

/* Read every line; returns 0, or -errno when the file cannot be read to its end. */
static int read_lines(struct cat_reader *r, FILE *f)
{
	char *buf = NULL;
	size_t cap = 0;
	for (;;) {
		errno = 0;
		ssize_t n = getline(&buf, &cap, f);
		if (n < 0)
			break;
		r->line++;
		if (n > 0 && buf[n - 1] == '\n')
			buf[--n] = '\0';
		parse_line(r, buf, (size_t)n);
	}
	int rc = feof(f) ? 0 : errno ? -errno : -EIO;
	free(buf);
	return rc;
}

/* Free what only the reader needed. */
static void reader_free(struct cat_reader *r)
{
	for (int i = 0; i < r->n_problems; i++)
		free(r->problems[i].text);
	free(r->problems);
	free(r->ou);
	free(r->ind);
}

int catalog_load(const char *path, struct catalog **out, char **errors)
{
	struct cat_reader r = {.path = path, .sec = CAT_SEC_NONE, .cur = -1};
	*out = NULL;
	if (errors)
		*errors = NULL;
	FILE *f = fopen(path, "r");
	if (!f) {
		int rc = -errno;
		if (errors)
			*errors = errno_text(path, rc);
		return rc;
	}
	r.c = calloc(1, sizeof(*r.c));
	if (r.c)
		lakip_bands_default(&r.c->bands);
	int rc = r.c ? read_lines(&r, f) : -ENOMEM;
	fclose(f);
	if (rc == 0) {
		section_end(&r);
		cat_resolve(&r);
	}
	if (rc == 0 && r.oom)
		rc = -ENOMEM;
	if (rc == 0 && r.n_problems) {
		rc = IKI_ECATALOG;
		if (errors && !(*errors = problems_text(&r)))
			rc = -ENOMEM;
	} else if (rc < 0 && errors) {
		*errors = errno_text(path, rc);
	}
	reader_free(&r);
	if (rc < 0)
		catalog_free(&r.c);
	*out = r.c;
	return rc;
}
