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

/*
 * Set the program name shown on every line and whether log_debug prints. When stderr is the
 * journal's stream (JOURNAL_STREAM names it), each line is written as "<N>message" instead of
 * "name: message", N being its syslog priority (3 error, 4 warning, 5 notice, 6 info, 7 debug),
 * which journald stores as the entry's priority (sd-daemon(3)).
 */
void log_init(const char *progname, int verbose);

/* Whether stderr is connected to journald (JOURNAL_STREAM matches its device and inode). */
int log_journald(void);

/*
 * A report of errors, one a line ("file:line: message" from a file's reader), written as it is
 * (escaped; no program name), each line at error priority under journald. NULL: nothing.
 */
void log_errors(const char *text);

/* Force the "<N>" form on (1) or off (0), whatever log_init found. */
void log_set_priorities(int on);

/* Change whether log_debug prints (a reloaded configuration). */
void log_set_verbose(int verbose);

/* Whether log_debug prints: callers skip work that only feeds a debug line. */
int log_debugging(void);

/*
 * Priorities: log_debug 7, log_info 6 (what happened), log_notice 5 (the daemon's own milestones:
 * listening, reloaded, stopped), log_warn/log_warnx 4 (a refusal, a peer cut, a problem ikid
 * works around), log_errorx 3 (something not done: a batch not stored), fatal/fatalx 3.
 * log_warn appends strerror(errno); log_warnx does not. fatal/fatalx log and exit(1).
 */
__attribute__((format(printf, 1, 2))) void log_info(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_notice(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_errorx(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_debug(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_warn(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void log_warnx(const char *fmt, ...);
__attribute__((format(printf, 1, 2), noreturn)) void fatal(const char *fmt, ...);
__attribute__((format(printf, 1, 2), noreturn)) void fatalx(const char *fmt, ...);

#endif
