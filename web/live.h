/* live.h: ikiweb's one stream of ikid's values (libiki's iki_stream, in a thread of its own),
 * the values it holds, and the Server-Sent Events each browser reads: a filtered snapshot, then
 * the updates that pass the filter. */
#ifndef IKI_WEB_LIVE_H
#define IKI_WEB_LIVE_H

#include <stdint.h>
#include <sys/types.h>

#include "iki_client.h"

#define LIVE_RING 4096 /* updates kept for readers; one further behind gets a fresh snapshot */

struct live;
struct live_reader;

struct live_options {
	int max_streams;  /* readers at once (400) */
	int keepalive_s;  /* a ": keepalive" after this much silence (15) */
	int heartbeat_ms; /* ikid's heartbeat interval (1000) */
};

/* Start the thread; it connects (and reconnects) with co (copied). 0 and *out, or -errno. */
int live_start(const struct iki_client_options *co, const struct live_options *o,
	       struct live **out);

/* Tell every reader to end its stream (at shutdown, before the HTTP server stops). */
void live_shutdown(struct live *l);

/* Stop the thread and free everything (after every reader is freed). Safe on NULL. */
void live_stop(struct live **l);

/* The seq of the last update applied (0 before the first snapshot). */
uint64_t live_seq(struct live *l);

/* Whether the stream is following ikid (a snapshot was taken and ikid is heard). */
int live_synced(struct live *l);

/*
 * A reader for one SSE response, with filter f (may be NULL; each field optional and exact;
 * jabatan: the indicators of that position). Returns 0 and an owned *out, -EBUSY when
 * max_streams readers exist, -ENOMEM.
 */
int live_reader_new(struct live *l, const struct proto_query *f, struct live_reader **out);

/*
 * The next bytes of the event stream into buf (size max): blocks until there is something (a
 * snapshot, updates, a keepalive). Returns the count, or -1 at the end (shutdown).
 */
ssize_t live_reader_read(struct live_reader *r, char *buf, size_t max);

/*
 * Have the reader ask alive(arg) every LIVE_CHECK_S seconds while it waits: when it returns
 * false the stream ends (the session behind it ended). The reader takes arg and frees it with
 * free(3) when it is freed.
 */
#define LIVE_CHECK_S 5
void live_reader_guard(struct live_reader *r, int (*alive)(void *), void *arg);

void live_reader_free(struct live_reader **r);

#endif
