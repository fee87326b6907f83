/* reader.h: the reader threads: queries, snapshots, histories and the catalog are answered from
 * LMDB read transactions here, never on the writer's loop; each peer has a bounded number of
 * them unanswered. */
#ifndef IKI_READER_H
#define IKI_READER_H

#include <pthread.h>
#include <stdbool.h>

#include "catalog.h"
#include "reply.h"
#include "store.h"
#include "targets.h"

#define READER_THREADS 2
#define READER_NICE 19    /* under load the writer's loop gets the CPU first, readers still some */
#define READER_PER_PEER 8 /* read requests of one peer handed over and not yet answered */
#define READER_QUEUE 512  /* requests waiting for each reader, of all peers: beyond, busy */
#define READER_SNAPSHOT_PAGE 10000 /* values in a snapshot's page, unless it asks for fewer */
#define READER_HISTORY_PAGE 1000   /* events in a value history's page, unless it asks ... */
#define READER_HISTORY_MAX 4000    /* ... for another number, at most this (4 MiB of events) */
/* A describe page's org units, in bytes at most: a province's in one page, and a page well under
 * the 1 MiB of answers a peer may leave unread (GUARD_UNSENT_MAX) and the message cap. */
#define READER_CATALOG_BYTES (512u << 10)

/* What the read handlers read: borrowed; targets only under targets_lock (read). */
struct read_ctx {
	struct store *st;
	const struct catalog *cat;
	const struct targets *targets;
	pthread_rwlock_t *targets_lock;
};

struct readers;

/*
 * Start READER_THREADS threads on zmq context ctx. x is copied; what it points to must outlive
 * the readers. Call from the writer's thread, which alone uses readers_submit, readers_socket and
 * readers_forward. 0 or -errno.
 */
int readers_new(void *ctx, const struct read_ctx *x, struct readers **out);

/* Stop the threads, free, null. Safe on NULL and twice. */
void readers_free(struct readers **r);

/* Whether a request of this type is answered by the readers. */
bool readers_serve(enum proto_type type);

/*
 * Hand a request over (*p taken and nulled when it returns 0): a reader answers it and frees it.
 * IKI_EPENDING (*p left) when its peer has READER_PER_PEER requests unanswered already,
 * IKI_EBUSY when every reader has READER_QUEUE waiting already (about READER_THREADS x
 * READER_QUEUE in all: ZeroMQ's high-water marks of the inproc queues), -errno.
 */
int readers_submit(struct readers *r, struct pending **p);

/* The socket the answers come back on: poll it for ZMQ_POLLIN. */
void *readers_socket(struct readers *r);

/* Send every answer that came back to its peer on router (never blocking). */
void readers_forward(struct readers *r, void *router);

/* Answer a read request on sock, now (what a reader thread does with each). */
void readers_answer(const struct read_ctx *x, void *sock, struct pending *p);

/* A request copied to the heap, for a reader: its identity and message moved out of *p. */
struct pending *pending_take(struct pending *p);

/* Free a request taken. Safe on NULL and twice. */
void pending_free(struct pending **p);

#endif
