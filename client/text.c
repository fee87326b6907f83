/* text.c: UTF-8 text for terminal tables (see text.h). */
#include "text.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lakip.h"

/* WIB: UTC+7, no summer time. */
#define TEXT_WIB_OFFSET (7 * 3600)

/* Bytes of the character that starts at s (1 for a stray continuation byte). */
static size_t char_len(const char *s)
{
	size_t n = 1;
	while (s[n] && ((unsigned char)s[n] & 0xc0) == 0x80)
		n++;
	return n;
}

int text_width(const char *s)
{
	int chars = 0;
	for (size_t i = 0; s[i]; i += char_len(s + i))
		chars++;
	return chars;
}

size_t text_cut(const char *s, int width)
{
	size_t bytes = 0;
	for (int chars = 0; s[bytes] && chars < width; chars++)
		bytes += char_len(s + bytes);
	return bytes;
}

void text_cell(FILE *f, const char *s, int width)
{
	size_t bytes = text_cut(s, width);
	int chars = 0;
	for (size_t i = 0; i < bytes; i += char_len(s + i))
		chars++;
	fprintf(f, "%.*s%*s", (int)bytes, s, width - chars + 1, "");
}

/* Where the line that starts at s (no leading space) ends, for a width of w characters. */
static size_t wrap_end(const char *s, int w)
{
	size_t cut = text_cut(s, w), space = 0;
	if (!s[cut] || s[cut] == ' ')
		return cut; /* the rest fits, or the line ends just before a space */
	for (size_t i = 0; i < cut; i += char_len(s + i))
		if (s[i] == ' ')
			space = i;
	return space ? space : cut; /* the last space on the line, or inside an overlong word */
}

int text_wrap(const char *s, int width, struct text_line *lines, int max)
{
	size_t pos = 0;
	int n = 0;
	if (width < 1)
		width = 1;
	for (;;) {
		while (s[pos] == ' ')
			pos++;
		if (!s[pos])
			return n;
		size_t len = wrap_end(s + pos, width);
		while (len > 0 && s[pos + len - 1] == ' ')
			len--;
		if (n < max)
			lines[n] = (struct text_line){.start = pos, .len = len};
		n++;
		pos += len;
	}
}

/* Group the digits of digits (no sign) into out with '.', at most n bytes with the NUL. */
static void group_digits(const char *digits, size_t len, char *out, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; i < len && j + 2 < n; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[j++] = '.';
		out[j++] = digits[i];
	}
	if (n)
		out[j < n ? j : n - 1] = '\0';
}

const char *text_number(double x, int decimals, char *buf, size_t n)
{
	char plain[64], whole[48];
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	if (!isfinite(x)) {
		snprintf(buf, n, "-");
		return buf;
	}
	double unit = 0.5 * pow(10, -decimals);
	bool negative = x < 0 && fabs(x) >= unit; /* never "-0,00" */
	snprintf(plain, sizeof(plain), "%.*f", decimals, fabs(x));
	char *point = strchr(plain, '.');
	size_t len = point ? (size_t)(point - plain) : strlen(plain);
	group_digits(plain, len, whole, sizeof(whole));
	snprintf(buf, n, "%s%s%s%s", negative ? "-" : "", whole, point ? "," : "",
		 point ? point + 1 : "");
	return buf;
}

const char *text_count(long long x, char *buf, size_t n)
{
	return lakip_count(x, buf, n);
}

const char *text_check(const char *rule, char *buf, size_t n)
{
	if (rule[0])
		snprintf(buf, n, "perlu diperiksa (aturan: %s)", rule);
	else if (n)
		buf[0] = '\0';
	return buf;
}

void text_wib_tm(time_t t, struct tm *tm)
{
	time_t shifted = t + TEXT_WIB_OFFSET;
	if (!gmtime_r(&shifted, tm))
		memset(tm, 0, sizeof(*tm));
}

const char *text_wib(time_t t, char *buf, size_t n)
{
	struct tm tm;
	text_wib_tm(t, &tm);
	if (!strftime(buf, n, "%Y-%m-%d %H:%M:%S WIB", &tm) && n)
		buf[0] = '\0';
	return buf;
}
