/* log.h: ikid's log to stderr (journald collects it), in the manner of OpenBSD's daemons. */
#ifndef IKI_LOG_H
#define IKI_LOG_H

#include <stddef.h>

/*
 * Every line is escaped before it is written: a control character (C0, DEL, C1), a backslash and
 * a byte that is not valid UTF-8 become \xNN (\\ for the backslash), so that text from a client
 * can neither end a line nor reach a terminal as a sequence. log_escape does it into out (size
 * bytes, at least 5), cutting what does not fit; returns the length written.
 */
size_t log_escape(const char *in, char *out, size_t size);

/* Set the program name shown on every line and whether log_debug prints. */
void log_init(const char *progname, int verbose);

/* Whether log_debug prints: callers skip work that only feeds a debug line. */
int log_debugging(void);

/* log_warn appends strerror(errno); log_warnx does not. fatal/fatalx log and exit(1). */
__attribute__((format(printf, 1, 2))) void log_info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_debug(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_warnx(const char *fmt, ...);
__attribute__((format(printf, 1, 2), noreturn)) void fatal(const char *fmt, ...);
__attribute__((format(printf, 1, 2), noreturn)) void fatalx(const char *fmt, ...);

#endif
