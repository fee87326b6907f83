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

/* Subscribe to updates whose topic ("<indicator>/<orgunit>/<period>") starts with prefix. */
int iki_watch(struct iki_client *c, const char *prefix);

/* Wait up to timeout_ms (-1: forever) for the next update. Returns 1, 0 on timeout, or <0. */
int iki_watch_next(struct iki_client *c, struct proto_value *v, uint64_t *seq, int timeout_ms);

#endif
