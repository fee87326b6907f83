/* session.h: ikiweb's sessions (random ids, CSRF tokens, idle and absolute expiry) and the
 * lock-out of failed logins per user and per address. Thread-safe. */
#ifndef IKI_WEB_SESSION_H
#define IKI_WEB_SESSION_H

#include <stddef.h>

#define SESSION_ID_LEN 43 /* 32 random bytes, base64url without padding */
#define SESSION_WINDOW_S 900 /* failed logins count over 15 minutes ... */
#define SESSION_LOCKOUT_S 900 /* ... and lock the name (address) out for 15 minutes */

struct sessions;

/* What a session says about its holder. */
struct session_info {
	char user[64];
	char csrf[SESSION_ID_LEN + 1];
};

/* Limits of the sessions. Zero fields take the defaults (1800, 43200, 10000, 5). */
struct session_options {
	int idle_s;
	int max_s;
	size_t max_sessions;  /* past it, the oldest session ends */
	int login_attempts;   /* failed logins of one user in the window; an address gets 4 times */
};

/* Returns an owned table, or NULL without memory. */
struct sessions *sessions_new(const struct session_options *o);
void sessions_free(struct sessions **s);

/* A new session for user: its id and CSRF token (random, NUL-terminated). Returns 0 or -errno. */
int sessions_create(struct sessions *s, const char *user, char id[SESSION_ID_LEN + 1],
		    char csrf[SESSION_ID_LEN + 1]);

/* The live session of that id (compared in constant time; its idle time restarts): 0 and *out,
 * or -ENOENT (unknown, or expired: then it is removed). */
int sessions_lookup(struct sessions *s, const char *id, struct session_info *out);

/* End a session; end every session of a user (deleted, or a new password). */
void sessions_end(struct sessions *s, const char *id);
void sessions_end_user(struct sessions *s, const char *user);

/* Whether a login of user from addr may be tried now: 0, or -EAGAIN with *retry_s the seconds
 * left of the lock-out. */
int sessions_login_allowed(struct sessions *s, const char *user, const char *addr, int *retry_s);

/* Count a failed login (it may start a lock-out); a good one clears the user's count. */
void sessions_login_failed(struct sessions *s, const char *user, const char *addr);
void sessions_login_ok(struct sessions *s, const char *user);

#endif
