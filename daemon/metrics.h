/* metrics.h: ikid's counters, and GET /metrics in Prometheus' text format (0.0.4) over HTTP.
 *
 * The writer loop and the reader threads count as they go (C11 atomics, relaxed: each number is
 * exact, two numbers read in one scrape may be a batch apart); a libmicrohttpd thread of its own
 * answers the scrapes. Off unless ikid is given an address (--metrics, the "metrics" key).
 *
 * Every peer is bounded: at most METRICS_CONNECTIONS connections at once (one more is accepted
 * and closed at once), each closed after METRICS_TIMEOUT_S seconds without a byte, its request
 * held in at most METRICS_MEMORY bytes (a longer one is answered 431 and closed); the answer is
 * built whole, a few KiB, by the one thread. So a peer holding every connection can keep
 * scrapes out, never make ikid hold more. No authentication and plain HTTP: it shows counts only
 * (no event, key or client name), and listens where it is told (loopback, for a local scraper).
 */
#ifndef IKI_METRICS_H
#define IKI_METRICS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "proto.h"
#include "store.h"

#define METRICS_CONNECTIONS 8
#define METRICS_TIMEOUT_S 5
#define METRICS_MEMORY (16u << 10)

/* The histogram's upper bounds for a batch's durable commit, in seconds (then +Inf). */
#define METRICS_COMMIT_BUCKETS 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1

/* ---- counting (any thread) ---- */

/* A request received (its type; anything else, undecoded included, is "other"). */
void metrics_request(enum proto_type type);

/* An error answer sent: a whole request refused with this wire code. */
void metrics_request_error(int code);

/* An event judged: ok or duplicate, else refused with this wire code. */
void metrics_event(enum proto_status status, int code);

/* A batch's store_commit: how long it took, when it succeeded; a batch not stored. */
void metrics_commit(double seconds);
void metrics_batch_failed(void);

/* An update published; a heartbeat published. */
void metrics_publish(void);
void metrics_heartbeat(void);

/* A subscriber's connection accepted (+1) or gone (-1) on the PUB. */
void metrics_subscribers(int delta);

/* A snapshot page answered; first: the first page of a snapshot (a client resyncing). */
void metrics_snapshot_page(bool first);

/* Reads handed to the reader threads and not yet answered (+1, -1). */
void metrics_reads(int delta);

/* Requests of the batch the writer is applying (0 between batches). */
void metrics_batch_requests(size_t n);

/* The map's size, use and maximum, from the writer's thread after a batch (store_map_use). */
void metrics_store(struct store *st);

/* ---- serving ---- */

struct metrics;

/*
 * Serve GET /metrics on addr (port 0: any free one) from a thread of libmicrohttpd's; uptime
 * counts from here. bound (n bytes) gets the address as "127.0.0.1:9470". Returns 0 and an owned
 * *out, or -errno (an address in use: -EADDRINUSE).
 */
int metrics_start(const struct sockaddr_in *addr, char *bound, size_t n, struct metrics **out);

/* Stop serving, free, null. Safe on NULL and twice. */
void metrics_stop(struct metrics **m);

/* The exposition text (every metric, # HELP and # TYPE): malloc'd into *text; 0 or -ENOMEM. */
int metrics_render(char **text, size_t *len);

#endif
