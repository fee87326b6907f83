/* csvlocale.c: Excel's Indonesian CSV dialect: separator, headers, numbers, dates, ops, CP1252. */
#include "csvlocale.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "period.h"

char csvlocale_sep(const char *text, size_t len)
{
	size_t semi = 0, tab = 0, comma = 0;
	bool quoted = false;
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (ch == '"')
			quoted = !quoted;
		else if (!quoted && (ch == '\n' || ch == '\r'))
			break;
		else if (!quoted && ch == ';')
			semi++;
		else if (!quoted && ch == '\t')
			tab++;
		else if (!quoted && ch == ',')
			comma++;
	}
	if (semi > comma && semi >= tab)
		return ';';
	return tab > comma ? '\t' : ',';
}

/* Header names, lower case: the field each names, and whether the name is Indonesian. */
static const struct alias {
	const char *name, *field;
	bool indonesian;
} ALIASES[] = {
	{"id", "id", false},		   {"id kiriman", "id", true},
	{"element", "element", false},	   {"kode elemen", "element", true},
	{"elemen", "element", true},	   {"kode data", "element", true},
	{"orgunit", "orgunit", false},	   {"kode wilayah", "orgunit", true},
	{"wilayah", "orgunit", true},	   {"kode desa", "orgunit", true},
	{"date", "date", false},	   {"tanggal", "date", true},
	{"tanggal kejadian", "date", true}, {"op", "op", false},
	{"operasi", "op", true},	   {"langkah", "op", true},
	{"value", "value", false},	   {"jumlah", "value", true},
	{"nilai", "value", true},	   {"case", "case", false},
	{"nomor kasus", "case", true},	   {"kasus", "case", true},
	{"nomor berkas", "case", true},	   {"comment", "comment", false},
	{"keterangan", "comment", true},   {"catatan", "comment", true},
	{"ref", "ref", false},		   {"koreksi atas", "ref", true},
	{"no", "no", false},		   {"nomor", "no", false},
	{"no.", "no", true},		   {"nomor agenda", "no", true},
	{"no agenda", "no", true},	   {"nama elemen", "", true},
	{"nama wilayah", "", true},	   {"nama desa", "", true},
};

/* s without leading and trailing blanks into buf (size n); false when it does not fit. */
static bool trimmed(const char *s, char *buf, size_t n)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= n)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

const char *csvlocale_column(const char *header, bool *indonesian)
{
	char name[64];
	*indonesian = false;
	if (!trimmed(header, name, sizeof(name)))
		return NULL;
	if (!name[0])
		return "";
	for (size_t i = 0; i < sizeof(ALIASES) / sizeof(ALIASES[0]); i++)
		if (!strcasecmp(name, ALIASES[i].name)) {
			*indonesian = ALIASES[i].indonesian;
			return ALIASES[i].field;
		}
	return NULL;
}

/* s without blanks and non-breaking spaces (U+00A0) into buf; false when too long. */
static bool squeezed(const char *s, char *buf, size_t n)
{
	size_t k = 0;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t')
			continue;
		if ((unsigned char)s[0] == 0xc2 && (unsigned char)s[1] == 0xa0) {
			s++;
			continue;
		}
		if (k + 1 >= n)
			return false;
		buf[k++] = *s;
	}
	buf[k] = '\0';
	return true;
}

int csvlocale_integer(const char *s, long long *v)
{
	char t[48];
	if (!squeezed(s, t, sizeof(t)) || !t[0])
		return -1;
	char *comma = strchr(t, ',');
	if (comma) {
		for (const char *z = comma + 1; *z; z++)
			if (*z != '0')
				return -1; /* a fraction, or a second comma */
		if (comma == t || !comma[1])
			return -1;
		*comma = '\0';
	}
	long long x = 0;
	size_t digits = 0, group = 0;
	bool grouped = false;
	for (const char *p = t; *p; p++) {
		if (*p == '.') {
			/* a dot groups thousands: 1 to 3 digits before the first, exactly 3 after each */
			if ((!grouped && (group == 0 || group > 3)) || (grouped && group != 3))
				return -1;
			grouped = true;
			group = 0;
			continue;
		}
		if (!isdigit((unsigned char)*p) || ++digits > 16)
			return -1;
		x = x * 10 + (*p - '0');
		group++;
	}
	if (!digits || (grouped && group != 3) || x > 1000000000000000LL)
		return -1;
	*v = x;
	return 0;
}

/* Up to max digits at *p as a number; -1 when there is none. */
static int digits(const char **p, int max)
{
	int v = 0, k = 0;
	while (k < max && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		k++;
	}
	return k ? v : -1;
}

int csvlocale_date(const char *s, char out[11])
{
	char t[32];
	int d, m, y;
	int32_t days;
	if (!trimmed(s, t, sizeof(t)))
		return -1;
	const char *p = t;
	int first = digits(&p, 4);
	char sep = *p;
	if (first < 0 || (sep != '/' && sep != '-' && sep != '.'))
		return -1;
	p++;
	if (p - t == 5 && sep == '-') { /* 2022-03-14 */
		y = first;
		m = digits(&p, 2);
		d = *p == '-' ? (p++, digits(&p, 2)) : -1;
	} else if (p - t <= 3) { /* 14/03/2022 */
		d = first;
		m = digits(&p, 2);
		y = *p == sep ? (p++, digits(&p, 4)) : -1;
	} else {
		return -1;
	}
	if (*p || d < 0 || m < 0 || y < 1000)
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	return period_date_parse(out, &days) == 0 ? 0 : -1;
}

const char *csvlocale_op(const char *s)
{
	static const char *const words[][2] = {
		{"add", "add"},	    {"tambah", "add"},	{"set", "set"},	    {"tetapkan", "set"},
		{"open", "open"},   {"buka", "open"},	{"close", "close"}, {"tutup", "close"},
		{"selesai", "close"}, {"void", "void"}, {"batal", "void"},
	};
	char t[32];
	if (!trimmed(s, t, sizeof(t)))
		return NULL;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(t, words[i][0]))
			return words[i][1];
	return NULL;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 when it is not one. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	size_t len = p[0] < 0x80 ? 1 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2
				     : p[0] >= 0xe0 && p[0] <= 0xef ? 3
				     : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] >= 0x90))
		return 0; /* overlong, a surrogate, or above U+10FFFF */
	return len;
}

/* Windows-1252's 0x80..0x9F (0: not assigned there; written as U+FFFD). */
static const uint16_t CP1252[32] = {
	0x20ac, 0,	0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
	0x2039, 0x0152, 0,	0x017d, 0,	0,	0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
	0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,	0x017e, 0x0178,
};

char *csvlocale_utf8(const char *text, size_t len, size_t *out_len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0, k = 0, step;
	while (i < len && (step = utf8_len(p + i, len - i)) > 0)
		i += step;
	if (i == len)
		return NULL;
	char *out = malloc(len * 3 + 1);
	if (!out) {
		*out_len = (size_t)-1;
		return NULL;
	}
	for (i = 0; i < len; i++) {
		unsigned c = p[i];
		if (c >= 0x80 && c < 0xa0)
			c = CP1252[c - 0x80] ? CP1252[c - 0x80] : 0xfffd;
		if (c < 0x80) {
			out[k++] = (char)c;
		} else if (c < 0x800) {
			out[k++] = (char)(0xc0 | (c >> 6));
			out[k++] = (char)(0x80 | (c & 0x3f));
		} else {
			out[k++] = (char)(0xe0 | (c >> 12));
			out[k++] = (char)(0x80 | ((c >> 6) & 0x3f));
			out[k++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[k] = '\0';
	*out_len = k;
	return out;
}

/* One field at *p into buf (size n); *eol at the end of a record. 0, or -1 (quote, length). */
static int field(const char **p, const char *end, char sep, char *buf, size_t n, bool *eol,
		 int *line)
{
	size_t len = 0;
	bool quoted = **p == '"';
	*p += quoted;
	for (*eol = false;;) {
		if (*p >= end) {
			*eol = true;
			break;
		}
		char ch = *(*p)++;
		if (quoted && ch == '"' && *p < end && **p == '"') {
			(*p)++;
		} else if (quoted && ch == '"') {
			quoted = false;
			if (*p < end && **p != sep && **p != '\n' && **p != '\r')
				return -1;
			continue;
		} else if (!quoted && (ch == sep || ch == '\n' || ch == '\r')) {
			if (ch == '\r' && *p < end && **p == '\n')
				(*p)++;
			*eol = ch != sep;
			*line += *eol;
			break;
		} else if (ch == '\n' || (ch == '\r' && (*p >= end || **p != '\n'))) {
			(*line)++;
		}
		if (len + 1 >= n)
			return -1;
		buf[len++] = ch;
	}
	buf[len] = '\0';
	return quoted ? -1 : 0;
}

int csvlocale_record(const char **p, const char *end, char sep, char *fields, size_t fsize,
		     int max, int *line)
{
	char drop[512];
	int nf = 0;
	bool eol = false;
	if (*p >= end)
		return 0;
	while (!eol) {
		char *buf = nf < max ? fields + (size_t)nf * fsize : drop;
		if (field(p, end, sep, buf, nf < max ? fsize : sizeof(drop), &eol, line) < 0)
			return -1;
		nf++;
	}
	return nf;
}

void csvlocale_put(FILE *f, const char *s, char sep, bool first, bool numeric)
{
	bool guard = !numeric && s[0] && strchr("=+-@\t\r", s[0]);
	if (!first)
		fputc(sep, f);
	if (!guard && !strchr(s, sep) && !strpbrk(s, "\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	if (guard)
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}
