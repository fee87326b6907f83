/* iki_client.h: talk to ikid: submit events, query indicator values, watch updates. */
#ifndef IKI_CLIENT_H
#define IKI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iki.h"
#include "proto.h"

#define IKI_CLIENT_REQUEST_DEFAULT "tcp://127.0.0.1:7470"
#define IKI_CLIENT_UPDATE_DEFAULT "tcp://127.0.0.1:7471"
#define IKI_CLIENT_BATCH 2000   /* events per submit message (well under PROTO_MSG_MAX) */
#define IKI_CLIENT_INFLIGHT 8   /* submit messages in flight at once */

struct iki_client;

/* How to reach ikid. Zero fields take the defaults. */
struct iki_client_options {
	const char *request;    /* ikid's request endpoint (IKI_CLIENT_REQUEST_DEFAULT) */
	const char *update;     /* its update endpoint, for watching (IKI_CLIENT_UPDATE_DEFAULT) */
	int timeout_ms;         /* the wait for each reply (30000) */
	const char *key_file;   /* our CURVE key pair ("iki keygen"); NULL: plain text */
	const char *server_key; /* ikid's public key: a .pub file or its Z85 text */
};

/*
 * Connect to ikid (nothing is sent until the first request). With key_file and server_key, both
 * sockets speak CURVE. Returns 0 and an owned *out; -errno (-ENOENT for a missing key file,
 * -EINVAL for a file that holds no key pair or a server key that is not one, -ENOTSUP when
 * libzmq lacks CURVE).
 */
int iki_client_open(const struct iki_client_options *o, struct iki_client **out);

/*
 * After a timeout: what the connection saw, as a sentence for the user (ikid refused our key;
 * ikid wants CURVE; the CURVE handshake failed), or NULL when it saw nothing (ikid down?).
 */
const char *iki_client_problem(struct iki_client *c);

/* Close and null the pointer. Safe on NULL and twice. */
void iki_client_close(struct iki_client **c);

/*
 * Submit n events, in messages of IKI_CLIENT_BATCH events, IKI_CLIENT_INFLIGHT in flight, and
 * fill res[i] with event i's outcome. A whole message refused by the daemon marks each of its
 * events with that error. Returns 0 once every event has an outcome, IKI_ETIMEOUT when the daemon
 * stopped answering, or another negative code.
 */
int iki_submit(struct iki_client *c, const struct proto_event *events, size_t n,
	       struct proto_result *res);

/*
 * Ask for indicator values. On success *values is malloc'd (n_values of them) and 0 returned;
 * a refusal returns its code with message (when not NULL, size PROTO_TEXT_MAX + 1) filled.
 */
int iki_query(struct iki_client *c, const struct proto_query *q, struct proto_value **values,
	      size_t *n_values, char *message);

/*
 * Every stored value the query's fields narrow to (all optional), with the publish sequence
 * number *seq they are consistent with: subscribe first (iki_watch), then snapshot, then apply
 * only updates with a larger seq; a gap in seq means a fresh snapshot. Same returns as iki_query.
 */
int iki_snapshot(struct iki_client *c, const struct proto_query *q, struct proto_value **values,
		 size_t *n_values, uint64_t *seq, char *message);

/*
 * What ikid's catalog holds: on success *catalog is a decoded "catalog" message (title,
 * indicators with their formulas in words, sasaran and source, org units); free it with
 * proto_msg_clear. Same returns as iki_query.
 */
int iki_describe(struct iki_client *c, struct proto_msg *catalog, char *message);

/*
 * Lock a period (an admin's key; events dated inside it are then refused), unlock it, or with
 * period NULL only list the locks. On success *locks (malloc'd, *n) lists every locked period.
 * Same returns as iki_query (IKI_EFORBIDDEN for a key that is not an admin's).
 */
int iki_lock(struct iki_client *c, const char *period, bool unlock, struct proto_lock **locks,
	     size_t *n, char *message);

/*
 * Set the target of q's indicator at q's org unit ("" the kecamatan) for q's period (a year or a
 * quarter) to target (hundredths of a percent; an admin's key), or with set false only list the
 * targets set (of q's indicator, when given). On success *targets (malloc'd, *n) lists them.
 * Same returns as iki_query.
 */
int iki_target(struct iki_client *c, const struct proto_query *q, bool set, int64_t target,
	       struct proto_target **targets, size_t *n, char *message);

/*
 * The history of an event: the chain of events it belongs to (the original, then each
 * correction), each with who sent it and when. *events malloc'd. IKI_EREF for an unknown id.
 */
int iki_history(struct iki_client *c, const char *id, struct proto_stored **events, size_t *n,
		char *message);

/*
 * The history of a value: every event that counts (or counted) in q's indicator at q's org unit
 * ("" the kecamatan, with its villages) in q's period, and the voids of them, each with who
 * sent it and when; at most 5000. Same returns as iki_query.
 */
int iki_history_value(struct iki_client *c, const struct proto_query *q,
		      struct proto_stored **events, size_t *n, char *message);

/* Subscribe to updates whose topic ("<indicator>/<orgunit>/<period>") starts with prefix. */
int iki_watch(struct iki_client *c, const char *prefix);

/*
 * Wait up to timeout_ms (-1: forever) for the next update. Returns 1, 0 on timeout, or <0.
 * Heartbeats and gaps are not looked at: iki_stream below does that work.
 */
int iki_watch_next(struct iki_client *c, struct proto_value *v, uint64_t *seq, int timeout_ms);

/*
 * A new SUB socket on ikid's update endpoint, with the client's security, and a receive
 * high-water mark of rcvhwm updates (0: ZeroMQ's default) set before it connects; subscribed to
 * nothing yet. It lives in the client's ZeroMQ context: zmq_close it before iki_client_close.
 * iki_stream uses it; few programs need it themselves. Returns 0 and *sub, or -errno.
 */
int iki_client_subscriber(struct iki_client *c, int rcvhwm, void **sub);

/*
 * ---- Live values that never miss an update (client/stream.c) ----
 *
 * The Clone pattern of proto/PROTOCOL.md ("Updates and seq") done once for every program: a
 * stream subscribes to every update, takes a snapshot, then yields the snapshot's values and each
 * later update that passes its filter. A gap in seq, or a heartbeat whose seq is past the last
 * one applied, means updates were dropped (PUB drops what a slow subscriber cannot take): the
 * stream takes a fresh snapshot by itself and yields it the same way. A program that keeps what
 * the events say holds, after each snapshot's values, exactly ikid's values at that seq.
 *
 *     struct iki_stream *s;
 *     struct iki_stream_event ev;
 *     iki_stream_open(client, &filter, NULL, &s, message);
 *     while (iki_stream_next(s, &ev, 1000) >= 0)
 *             switch (ev.kind) { case IKI_STREAM_RESET: forget everything; ... }
 *     iki_stream_close(&s);
 */
struct iki_stream;

/* What iki_stream_next yields. */
enum iki_stream_kind {
	IKI_STREAM_RESET = 1, /* a snapshot follows: forget every value held; count VALUEs follow */
	IKI_STREAM_VALUE,     /* one value of that snapshot */
	IKI_STREAM_UPDATE,    /* a change ikid published, after the snapshot, that passes the filter */
	IKI_STREAM_HEARTBEAT, /* ikid is alive and idle; seq is the last it published */
	IKI_STREAM_STALE,     /* nothing heard for 3 heartbeat intervals (once, until something is) */
};

/* One event of a stream. */
struct iki_stream_event {
	enum iki_stream_kind kind;
	uint64_t seq;             /* RESET and VALUE: the snapshot's seq; UPDATE: its own;
				   * HEARTBEAT: the last ikid published; STALE: the last applied */
	size_t count;             /* RESET: the number of VALUE events that follow */
	uint64_t missed;          /* RESET: updates known to be missed (0 for the first snapshot) */
	struct proto_value value; /* VALUE and UPDATE (no name or jabatan: iki_describe has them) */
};

/* How to follow the stream. Zero fields take the defaults. */
struct iki_stream_options {
	int heartbeat_ms; /* ikid's --heartbeat-ms (1000): silence for 3 of them is STALE */
	int rcvhwm;       /* updates queued on our side before ZeroMQ drops them (100000, as ikid's
			   * own queue per subscriber; a drop only costs a fresh snapshot) */
};

/* Where a stream stands. */
struct iki_stream_status {
	uint64_t seq;             /* where the events yielded so far stand: a snapshot's seq once
				   * all its values are out, then each update's (0 before) */
	uint64_t resyncs;         /* fresh snapshots taken after the first */
	uint64_t missed;          /* updates known to be missed, over all the resyncs */
	int64_t heartbeat_age_ms; /* since the last heartbeat; -1 before the first */
	int64_t heard_age_ms;     /* since anything (update or heartbeat) was heard */
	bool stale;               /* nothing heard for 3 heartbeat intervals */
};

/*
 * Follow ikid's values through c (borrowed: it must outlive the stream, and the stream must be
 * closed before it). filter (may be NULL; copied) narrows by indicator, jabatan, org unit and
 * period, each optional and exact ("" or absent: any; "35.27.03" is the kecamatan alone). A
 * jabatan is resolved once, here, to its indicator codes (a query: updates carry no jabatan).
 * Subscribes to every update ("": seq is global, so only the whole stream shows a gap) and
 * takes the first snapshot. Returns 0 and an owned *out; IKI_ETIMEOUT, -errno, or ikid's
 * refusal (unknown_indicator for a jabatan that has none, too_big for a snapshot over
 * PROTO_VALUES_MAX values, ...) with message (when not NULL, size PROTO_TEXT_MAX + 1) filled.
 */
int iki_stream_open(struct iki_client *c, const struct proto_query *filter,
		    const struct iki_stream_options *o, struct iki_stream **out, char *message);

/*
 * Wait up to timeout_ms (-1: forever) for the next event and fill *ev. Returns 1 with an event,
 * 0 when the time ran out, -EINTR when a signal interrupted the wait, or the failure of a
 * snapshot the stream needed (IKI_ETIMEOUT when ikid did not answer, or its refusal, whose text
 * iki_stream_message gives): the stream stays usable, and the next call tries that snapshot
 * again.
 */
int iki_stream_next(struct iki_stream *s, struct iki_stream_event *ev, int timeout_ms);

/* Where the stream stands (any time). */
void iki_stream_status(const struct iki_stream *s, struct iki_stream_status *st);

/* How many times the stream took a fresh snapshot after its first (a gap, or a heartbeat ahead). */
uint64_t iki_stream_resyncs(const struct iki_stream *s);

/* ikid's sentence for the last snapshot it refused, or "". Borrowed, valid until the next call. */
const char *iki_stream_message(const struct iki_stream *s);

/* Close the stream (its SUB socket) and null the pointer. Safe on NULL and twice. */
void iki_stream_close(struct iki_stream **s);

#endif
