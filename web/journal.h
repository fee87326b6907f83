/* journal.h: each user's recent events sent through ikiweb and what ikid answered, one file per
 * user (JSON lines) in the web state directory, the last JOURNAL_KEEP kept. Thread-safe. */
#ifndef IKI_WEB_JOURNAL_H
#define IKI_WEB_JOURNAL_H

#include <json-c/json.h>
#include <stddef.h>

#include "proto.h"

#define JOURNAL_KEEP 2000

struct journal;

/* The journal in dir (made 0700 when missing). 0 and an owned *out, or -errno. */
int journal_open(const char *dir, struct journal **out);
void journal_close(struct journal **j);

/* Append n events of user with their results and the time (ms since the epoch). 0 or -errno. */
int journal_append(struct journal *j, const char *user, const struct proto_event *ev,
		   const struct proto_result *res, size_t n, long long at_ms);

/* The user's last limit entries, newest first, as a JSON array (owned), or NULL on failure. */
json_object *journal_read(struct journal *j, const char *user, size_t limit);

#endif
