/* log.c: one line per message on stderr, prefixed with the program name or, for journald, with
 * the message's priority. */
#include "log.h"

#include "iki.h"

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* syslog's priorities, as sd-daemon(3) reads them from a "<N>" prefix. */
enum { PRI_ERR = 3, PRI_WARNING = 4, PRI_NOTICE = 5, PRI_INFO = 6, PRI_DEBUG = 7 };

/* The log is process-wide by nature, like stderr itself: the one piece of state kept here. */
static const char *log_name = "ikid";
static int log_verbose;
static int log_prefixed; /* "<N>message" instead of "name: message" */

int log_debugging(void)
{
	return log_verbose;
}

int log_journald(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;
	if (!js || sscanf(js, "%llu:%llu%c", &dev, &ino, &end) != 2 || fstat(2, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(const char *progname, int verbose)
{
	log_name = progname;
	log_verbose = verbose;
	log_prefixed = log_journald();
}

void log_set_priorities(int on)
{
	log_prefixed = on;
}

void log_set_verbose(int verbose)
{
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

/* One line, written with one call so that threads' lines never interleave. */
__attribute__((format(printf, 3, 0))) static void vlog(int pri, const char *errstr, const char *fmt,
						       va_list ap)
{
	char buf[1024], safe[4 * sizeof(buf)];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_escape(buf, safe, sizeof(safe));
	if (log_prefixed)
		fprintf(stderr, "<%d>%s%s%s\n", pri, safe, errstr ? ": " : "", errstr ? errstr : "");
	else
		fprintf(stderr, "%s: %s%s%s\n", log_name, safe, errstr ? ": " : "",
			errstr ? errstr : "");
}

#define LOG_BODY(pri, errstr)              \
	do {                               \
		va_list ap;                \
		va_start(ap, fmt);         \
		vlog(pri, errstr, fmt, ap); \
		va_end(ap);                \
	} while (0)

void log_errors(const char *text)
{
	char line[1024], safe[4 * sizeof(line)];
	for (const char *s = text; s && *s;) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		snprintf(line, sizeof(line), "%.*s", (int)n, s);
		log_escape(line, safe, sizeof(safe));
		fprintf(stderr, "%s%s\n", log_prefixed ? "<3>" : "", safe);
		s += n + (nl != NULL);
	}
}

void log_info(const char *fmt, ...)
{
	LOG_BODY(PRI_INFO, NULL);
}

void log_notice(const char *fmt, ...)
{
	LOG_BODY(PRI_NOTICE, NULL);
}

void log_debug(const char *fmt, ...)
{
	if (log_verbose)
		LOG_BODY(PRI_DEBUG, NULL);
}

void log_warn(const char *fmt, ...)
{
	const char *e = strerror(errno);
	LOG_BODY(PRI_WARNING, e);
}

void log_warnx(const char *fmt, ...)
{
	LOG_BODY(PRI_WARNING, NULL);
}

void log_errorx(const char *fmt, ...)
{
	LOG_BODY(PRI_ERR, NULL);
}

void fatal(const char *fmt, ...)
{
	const char *e = strerror(errno);
	LOG_BODY(PRI_ERR, e);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	LOG_BODY(PRI_ERR, NULL);
	exit(1);
}
