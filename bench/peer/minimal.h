/*
 * minimal.h: the minimal durable path, the floor an event store over ZeroMQ and LMDB can reach:
 * a thread with a ROUTER socket that drains every waiting submit, decodes it, and in one LMDB
 * write transaction per drain (group commit, durable: default flags) refuses a known id, appends
 * the event to a log and adds to one counter; then acks each submit. Nothing else: no catalog,
 * no rollups, no publish.
 */
#ifndef IKI_BENCH_MINIMAL_H
#define IKI_BENCH_MINIMAL_H

struct minimal;

/* Start it on a fresh LMDB in $TMPDIR (or /tmp) and tcp://127.0.0.1:*. Exits on failure. */
struct minimal *minimal_start(void);

/* The endpoint clients connect to. */
const char *minimal_endpoint(const struct minimal *m);

/* Stop the thread, remove the LMDB, free m. */
void minimal_stop(struct minimal *m);

#endif
