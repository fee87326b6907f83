/*
 * redispeer.h: the Redis peer: a redis-server of its own (appendonly yes, appendfsync always, no
 * RDB snapshots) on a fresh directory and a free port, bench/peer/ingest.lua loaded, and clients
 * driving it through hiredis with a window of EVALSHA requests each, one event per request.
 */
#ifndef IKI_BENCH_REDISPEER_H
#define IKI_BENCH_REDISPEER_H

#include <stdbool.h>

#include "../loadgen.h"

struct redis_peer;

/* Whether redis-server can be run. */
bool redis_peer_available(void);

/* Start redis-server and load the script. Exits on failure. */
struct redis_peer *redis_peer_start(void);

/* clients x inflight single-event requests for secs seconds; every one must store (1). */
void redis_peer_run(struct redis_peer *p, const struct load_domain *dom, int clients,
		    int inflight, double secs, struct load_result *r);

/* Stop redis-server (SHUTDOWN NOSAVE), remove its directory, free p. */
void redis_peer_stop(struct redis_peer *p);

#endif
