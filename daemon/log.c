/* log.c: one line per message on stderr, prefixed with the program name. */
#include "log.h"

#include <errno.h>
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

__attribute__((format(printf, 2, 0))) static void vlog(const char *errstr, const char *fmt, va_list ap)
{
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (errstr)
		fprintf(stderr, "%s: %s: %s\n", log_name, buf, errstr);
	else
		fprintf(stderr, "%s: %s\n", log_name, buf);
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
