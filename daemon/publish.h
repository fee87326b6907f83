/* publish.h: what ikid publishes on its PUB socket: every value a batch changed, and a heartbeat
 * when nothing was published for a while (PROTOCOL.md, "Live updates"). The writer's thread
 * alone uses a publisher. */
#ifndef IKI_PUBLISH_H
#define IKI_PUBLISH_H

#include <stdint.h>

#include "catalog.h"
#include "store.h"
#include "targets.h"

struct publisher;

/*
 * A publisher on pub (a bound ZMQ_PUB socket, borrowed), for catalog cat and the targets t that
 * decorate each value (both borrowed; t changes only on the writer's thread, between batches).
 * last_seq is the store's last seq at startup: the first heartbeats carry it. 0 or -ENOMEM.
 */
int publisher_new(void *pub, const struct catalog *cat, const struct targets *t,
		  int heartbeat_ms, uint64_t last_seq, struct publisher **out);

/* Free and null. Safe on NULL and twice. */
void publisher_free(struct publisher **p);

/* Publish one changed value, with its target, capaian and predikat, never blocking. */
void publish_change(struct publisher *p, const struct store_change *c);

/* A heartbeat, with the last seq, when nothing was published for heartbeat_ms. */
void publish_heartbeat(struct publisher *p);

/* Milliseconds until the next heartbeat is due (0: now). */
int64_t publish_due_ms(const struct publisher *p);

#endif
