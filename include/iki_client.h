/* iki_client.h: the client library: submit events to ikid, query values, watch updates. */
#ifndef IKI_CLIENT_H
#define IKI_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "iki.h"
#include "proto.h"

#define IKI_CLIENT_REQUEST_DEFAULT "tcp://127.0.0.1:7470"
#define IKI_CLIENT_UPDATE_DEFAULT "tcp://127.0.0.1:7471"
#define IKI_CLIENT_TIMEOUT_MS 30000 /* default wait for each reply */
#define IKI_CLIENT_BATCH 2000	    /* default events per submit message (<= PROTO_EVENTS_MAX) */
#define IKI_CLIENT_INFLIGHT 8	    /* default submit messages in flight at once */
#define IKI_CLIENT_INFLIGHT_MAX 64

struct iki_client;

/*
 * Connect a DEALER to ikid's request endpoint (NULL: IKI_CLIENT_REQUEST_DEFAULT) and remember the
 * update endpoint (NULL: IKI_CLIENT_UPDATE_DEFAULT) for iki_watch_open. Connecting is
 * asynchronous: an unreachable daemon shows as IKI_ETIMEOUT on the first exchange. Returns 0 and
 * an owned *out (free with iki_client_close), or -errno (-EINVAL for a malformed endpoint).
 */
int iki_client_open(const char *request, const char *update, struct iki_client **out);

/* Close the sockets, free the client and null the pointer. Safe on NULL and twice. */
void iki_client_close(struct iki_client **c);

/* Bound the wait for each reply, and for a send to a daemon not yet connected (ms > 0). */
void iki_client_set_timeout(struct iki_client *c, int ms);

/*
 * Set the most events per submit message (capped at PROTO_EVENTS_MAX) and the most messages in
 * flight (capped at IKI_CLIENT_INFLIGHT_MAX); 0 keeps the current value.
 */
void iki_client_set_batch(struct iki_client *c, size_t events, size_t inflight);

/*
 * The daemon's sentence from the last refusal (an error reply to a whole request), "" when none.
 * Borrowed: valid until the next call on c.
 */
const char *iki_client_message(const struct iki_client *c);

/*
 * How many of the n events, from the first, go into one submit message: at most max_events and,
 * by an upper bound of their encoded size, at most max_bytes bytes including the envelope.
 * Returns at least 1 when n > 0 (one event always fits a PROTO_MSG_MAX message), 0 when n is 0.
 */
size_t iki_batch_size(const struct proto_event *events, size_t n, size_t max_events,
		      size_t max_bytes);

/*
 * Submit n events (borrowed) and fill res[i] (caller's array of n) with event i's outcome.
 * Events go in messages cut by iki_batch_size, several in flight at once; replies are matched
 * to messages by their req, in whatever order they come. Returns 0 when every message was
 * answered with per-event results. When the daemon refused a whole message (an error reply),
 * each of its events gets that code with status PROTO_STATUS_ERROR, the other messages are
 * still completed, and the first refusal's code is returned (its sentence in
 * iki_client_message). Returns IKI_ETIMEOUT when a reply did not come in time, or -errno; the
 * events never answered then carry that code.
 */
int iki_submit(struct iki_client *c, const struct proto_event *events, size_t n,
	       struct proto_result *res);

/*
 * Ask for indicator values. Returns 0 with *values malloc'd (caller frees; n_values of them,
 * possibly NULL and 0); the daemon's refusal code (IKI_EINDICATOR, IKI_EPERIOD, ...; sentence in
 * iki_client_message); IKI_ETIMEOUT; or -errno.
 */
int iki_query(struct iki_client *c, const struct proto_query *q, struct proto_value **values,
	      size_t *n_values);

/*
 * Subscribe to updates whose topic ("<indicator>/<orgunit>/<period>") starts with prefix ("" or
 * NULL: all). The first call connects a SUB to the update endpoint; later calls add prefixes.
 * Joining is asynchronous: updates published in the first moments may be missed.
 * Returns 0 or -errno.
 */
int iki_watch_open(struct iki_client *c, const char *prefix);

/*
 * Wait up to timeout_ms (-1: forever) for the next update and copy its value into *v. Returns 1,
 * 0 on timeout, -EINTR when a signal arrived, or another -errno. Messages that do not decode as
 * an update are skipped.
 */
int iki_watch_next(struct iki_client *c, struct proto_value *v, int timeout_ms);

/* The daemon's publish sequence number of the update iki_watch_next returned last (0: none). */
uint64_t iki_watch_seq(const struct iki_client *c);

#endif
