/* log.c: one line per message on stderr, prefixed with the program name. */
#include "log.h"

#include "iki.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The log is process-wide by nature, like stderr itself: the one piece of state kept here. */
static const char *log_name = "ikid";
static int log_verbose;

int log_debugging(void)
{
	return log_verbose;
}

void log_init(const char *progname, int verbose)
{
	log_name = progname;
	log_verbose = verbose;
}

size_t log_escape(const char *in, char *out, size_t size)
{
	size_t o = 0, n = strlen(in);
	for (size_t i = 0; i < n && o + 5 <= size;) {
		unsigned char c = (unsigned char)in[i];
		size_t len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
		bool c1 = c == 0xc2 && i + 1 < n && (unsigned char)in[i + 1] < 0xa0; /* U+0080..U+009F */
		if (c >= 0x80 && !c1 && len <= n - i && iki_utf8_check(in + i, len) == len) {
			if (o + len >= size)
				break;
			memcpy(out + o, in + i, len); /* valid UTF-8, not a control */
			o += len;
			i += len;
		} else if (c >= 0x80 || c < 0x20 || c == 0x7f || c == '\\') {
			o += (size_t)snprintf(out + o, size - o, c == '\\' ? "\\\\" : "\\x%02x", c);
			i++;
		} else {
			out[o++] = (char)c;
			i++;
		}
	}
	out[o < size ? o : size - 1] = '\0';
	return o;
}

__attribute__((format(printf, 2, 0))) static void vlog(const char *errstr, const char *fmt, va_list ap)
{
	char buf[1024], safe[4 * sizeof(buf)];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_escape(buf, safe, sizeof(safe));
	if (errstr)
		fprintf(stderr, "%s: %s: %s\n", log_name, safe, errstr);
	else
		fprintf(stderr, "%s: %s\n", log_name, safe);
}

#define LOG_BODY(errstr)              \
	do {                          \
		va_list ap;           \
		va_start(ap, fmt);    \
		vlog(errstr, fmt, ap); \
		va_end(ap);           \
	} while (0)

void log_info(const char *fmt, ...)
{
	LOG_BODY(NULL);
}

void log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY(NULL);
}

void log_warn(const char *fmt, ...)
{
	const char *e = strerror(errno);
	LOG_BODY(e);
}

void log_warnx(const char *fmt, ...)
{
	LOG_BODY(NULL);
}

void fatal(const char *fmt, ...)
{
	const char *e = strerror(errno);
	LOG_BODY(e);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	LOG_BODY(NULL);
	exit(1);
}
