/* harness.h: start the real ikid on a fresh state directory and ephemeral ports; run the real iki. */
#ifndef IKI_HARNESS_H
#define IKI_HARNESS_H

#include <sys/types.h>

struct ikid {
	pid_t pid;
	char state[128];    /* state directory (made by harness_start when empty) */
	char request[256];  /* bound ROUTER endpoint */
	char update[256];   /* bound PUB endpoint */
	char log[160];      /* ikid's stderr */
};

/*
 * Start build/ikid (or $IKI_BUILD/ikid) with catalog on d->state (a fresh temporary directory
 * when d->state is ""), listening in plain text (--plaintext) on tcp://127.0.0.1:* and waiting
 * until it has bound.
 * Returns 0, or -1 (with a message on stderr) when it did not come up within 10 s.
 */
int harness_start(struct ikid *d, const char *catalog);

/*
 * harness_start with more ikid arguments (NULL-terminated; may be NULL). Plain text
 * (--plaintext) unless they name an authorised clients file (-a/--clients).
 */
int harness_start_args(struct ikid *d, const char *catalog, const char *const *extra);

/* Stop ikid with sig (SIGTERM: clean; SIGKILL: a crash) and reap it. Returns its wait status. */
int harness_stop(struct ikid *d, int sig);

/* Remove the state directory. */
void harness_cleanup(struct ikid *d);

/*
 * Run "$IKI_BUILD/iki -s <request> -u <update> <args>" through the shell; *out gets its stdout
 * (malloc'd, NUL-terminated; may be NULL). Returns the exit status (0-255), or -1.
 */
int harness_iki(const struct ikid *d, const char *args, char **out);

/* Run "(<cmd>) 2>&1" through the shell; *out as above. Returns the exit status, or -1. */
int harness_sh(const char *cmd, char **out);

/* harness_sh of "$IKI_BUILD/ikid <args>" (--verify, --backup, -n). */
int harness_ikid(const char *args, char **out);

/* Remove a directory tree (a state directory, a scratch LMDB); complains on stderr when it cannot. */
void harness_rmtree(const char *dir);

/* How many descriptors ikid holds (/proc/PID/fd), or -1 when they cannot be listed. */
int harness_open_fds(const struct ikid *d);

/* Sleep for ms milliseconds. */
void harness_sleep_ms(int ms);

/* Path of a built program ("ikid", "iki") under $IKI_BUILD or build/, into buf (size n). */
void harness_bin(const char *name, char *buf, size_t n);

#endif
