/* text.c: UTF-8 text for terminal tables (see text.h). */
#include "text.h"

#include <string.h>

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
