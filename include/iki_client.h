/* iki_client.h: talk to ikid: submit events, query indicator values, watch updates. */
#ifndef IKI_CLIENT_H
#define IKI_CLIENT_H

#include <signal.h>
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
 * indicators with their formulas in words, sasaran and source, org units), every page of it
 * joined (its org units all, its next ""); free it with proto_msg_clear. Same returns as
 * iki_query.
 */
int iki_describe(struct iki_client *c, struct proto_msg *catalog, char *message);

/*
 * Who ikid takes our key for: fills identity->identity (the key's name, role, scope and the
 * element and case type codes it may submit); free it with proto_msg_clear. Same returns as
 * iki_query.
 */
int iki_whoami(struct iki_client *c, struct proto_msg *identity, char *message);

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
 * The analysis notes of indicator values (the LAKIP's analisis / keterangan). With text, write it
 * as the note of q's indicator at q's org unit (the kecamatan when "") for q's period (an
 * admin's key; "" clears it): *notes is then that note as stored. Without text: with history,
 * every version of that one note, newest first; else every note q names (each field optional),
 * the last version of each. *notes malloc'd (*n). Same returns as iki_query.
 */
int iki_note(struct iki_client *c, const struct proto_query *q, const char *text, bool history,
	     struct proto_note **notes, size_t *n, char *message);

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

/*
 * ---- The outbox: nothing captured is lost or sent twice (client/outbox.c, deliver.c) ----
 *
 * A durable store on the device (LMDB, one per user: iki_outbox_default_dir), where every event
 * is written, with the id it will carry, before anything is sent; each commit is synchronous, so
 * a captured event survives kill -9 and a power cut. Delivery takes the pending events in the
 * order they were captured, and an event stays pending until ikid has answered for it: stored
 * and duplicate (already stored, e.g. after a lost reply) both count as delivered; a refusal
 * (with ikid's code and sentence) leaves it refused, to be dropped or fixed. One outbox serves
 * one ikid: for another server, use another directory. Each call is one LMDB transaction, so
 * threads may share one opened outbox and processes may each open it (but one process must not
 * open the same directory twice: LMDB's rule); two deliveries at once may send an event twice,
 * which ikid answers duplicate (counted once).
 *
 *     struct iki_outbox *ob;
 *     iki_outbox_open(NULL, &ob);                       // the default directory
 *     iki_outbox_put(ob, iki_client_owner(c), &ev, 1, NULL); // ev.id "": the next id is made
 *     iki_outbox_deliver(ob, c, &options, &status);
 *     iki_outbox_close(&ob);
 */
struct iki_outbox;

/* Where an event stands in the outbox. */
enum iki_outbox_state {
	IKI_OUTBOX_PENDING = 'p',   /* captured, not yet answered by ikid */
	IKI_OUTBOX_DELIVERED = 'd', /* stored by ikid (or already there: duplicate) */
	IKI_OUTBOX_REFUSED = 'r',   /* refused by ikid: code and message say why */
};

#define IKI_OUTBOX_OWNER_MAX 40 /* a CURVE public key in Z85; "" for plain text */
#define IKI_OUTBOX_FILE_MAX 200 /* a file's identity: its name */

/* One event of the outbox, as it is kept. */
struct iki_outbox_entry {
	uint64_t seq;                 /* its place in capture order */
	enum iki_outbox_state state;
	bool duplicate;               /* delivered: ikid had it already */
	int code;                     /* refused: ikid's code */
	char message[PROTO_TEXT_MAX + 1];   /* refused: ikid's sentence */
	char owner[IKI_OUTBOX_OWNER_MAX + 1]; /* the key it was captured under; only that key
					       * delivers it */
	char file[IKI_OUTBOX_FILE_MAX + 1];   /* the file it came from, or "" (flags, a program) */
	char row[PROTO_ID_MAX + 1];           /* its row's identity in that file, or "" */
	int64_t captured;             /* seconds since the epoch */
	int64_t answered;             /* when ikid answered (0: not yet) */
	struct proto_event ev;
};

/*
 * The default outbox directory, into buf (size n): $IKI_OUTBOX, else $XDG_STATE_HOME/iki/outbox,
 * else $HOME/.local/state/iki/outbox. Returns 0, or -ENAMETOOLONG / -ENOENT (no HOME).
 */
int iki_outbox_default_dir(char *buf, size_t n);

/*
 * Open (and create, with its parents, mode 0700) the outbox in dir (NULL: the default). A new
 * outbox draws a random device tag, so the ids it makes ("<tag>-<n>") are its own. Returns 0
 * and an owned *out, or -errno (IKI_ESTORAGE when LMDB refuses the directory).
 */
int iki_outbox_open(const char *dir, struct iki_outbox **out);

/* Close and null the pointer. Safe on NULL and twice. */
void iki_outbox_close(struct iki_outbox **ob);

/* The outbox's directory (borrowed, lives as long as ob). */
const char *iki_outbox_dir(const struct iki_outbox *ob);

/* What capturing did with each event (or file row). */
enum iki_outbox_row {
	IKI_OUTBOX_ROW_NEW = 1,   /* a row not seen before: a new event */
	IKI_OUTBOX_ROW_SAME,      /* unchanged since it was captured: nothing new */
	IKI_OUTBOX_ROW_CORRECTED, /* changed: a new event with ref = the row's last event */
	IKI_OUTBOX_ROW_RETRIED,   /* unchanged, and refused before: pending again */
};

/*
 * Capture n events for the key owner (iki_client_owner; "" for plain text) in one durable
 * commit. An event with id "" gets the outbox's next id, written back into events[i].id (print
 * it: that is how the clerk finds it later). An id already in the outbox is not captured twice:
 * with the same content it stays as it is (a refused one becomes pending again: the cause may be
 * gone, e.g. a lock lifted); with other content it is replaced and pending (ikid will say
 * conflict if it stored the first). outcome[i] (may be NULL) says which case it was: NEW, SAME or
 * RETRIED or CORRECTED (other content). Returns 0 or a negative code (nothing captured).
 */
int iki_outbox_put(struct iki_outbox *ob, const char *owner, struct proto_event *events, size_t n,
		   enum iki_outbox_row *outcome);

/* What capturing a file did, in all. */
struct iki_outbox_file_report {
	size_t added, same, corrected; /* rows by what was done (same: retried ones too) */
	size_t missing;                /* rows captured before and absent from the file now */
	size_t voided;                 /* of those, voided (IKI_OUTBOX_VOID_MISSING) */
	char first_missing[PROTO_ID_MAX + 1]; /* the first missing row's identity */
};
#define IKI_OUTBOX_VOID_MISSING 1u /* void the events of rows gone from the file */
#define IKI_OUTBOX_KEEP_MISSING 2u /* leave them counting */

/*
 * Capture a file's rows under the file rule (man iki, "FILES SENT AGAIN"): the row whose
 * identity is rows[i] (its number column, or its row number; NULL rows[i] or rows NULL: the
 * event's own id is its identity, iki_outbox_put's rule) of the file known as file is one event
 * for as long as it is unchanged; changed, it is corrected (a new event with ref = the row's last
 * event id, so history shows both); a row captured before and absent now is, with
 * IKI_OUTBOX_VOID_MISSING, voided, with IKI_OUTBOX_KEEP_MISSING left as it is, and otherwise
 * the whole file is refused: returns 1 with nothing captured and report->missing set. Ids are
 * written back into events[i].id and outcome[i] (may be NULL) says what each row was. One
 * durable commit. Returns 0, 1, or a negative code (nothing captured).
 */
int iki_outbox_put_file(struct iki_outbox *ob, const char *owner, const char *file,
			struct proto_event *events, const char *const *rows, size_t n,
			unsigned flags, enum iki_outbox_row *outcome,
			struct iki_outbox_file_report *report);

#define IKI_OUTBOX_LIST_PENDING (1u << 0)
#define IKI_OUTBOX_LIST_DELIVERED (1u << 1)
#define IKI_OUTBOX_LIST_REFUSED (1u << 2)
#define IKI_OUTBOX_LIST_ALL 7u

/*
 * The entries in the states of mask (IKI_OUTBOX_LIST_*), of owner (NULL: anyone's), in capture
 * order, at most max (0: all). *out is malloc'd (free it), *n its length. Returns 0 or <0.
 */
int iki_outbox_list(struct iki_outbox *ob, unsigned mask, const char *owner, size_t max,
		    struct iki_outbox_entry **out, size_t *n);

/* How many entries are in each state (of owner; NULL: anyone's). Returns 0 or <0. */
int iki_outbox_count(struct iki_outbox *ob, const char *owner, size_t *pending,
		     size_t *delivered, size_t *refused);

/* One entry by event id into *e. Returns 0, -ENOENT, or <0. */
int iki_outbox_get(struct iki_outbox *ob, const char *id, struct iki_outbox_entry *e);

/* Drop a refused entry (a pending or delivered one: -EBUSY; unknown: -ENOENT). Returns 0 or <0. */
int iki_outbox_drop(struct iki_outbox *ob, const char *id);

/*
 * Fix a refused entry: capture fixed (its id is ignored) under a new id, written into new_id
 * (size PROTO_ID_MAX + 1), in the refused one's place (the same file row, the same ref unless
 * fixed has one), and drop the refused one. -EBUSY for an entry that is not refused.
 */
int iki_outbox_fix(struct iki_outbox *ob, const char *id, const struct proto_event *fixed,
		   char *new_id);

/* Why delivery is waiting, for the status line (iki_outbox_wait_text says it in words). */
enum iki_outbox_wait {
	IKI_WAIT_NONE = 0,   /* replies are coming */
	IKI_WAIT_CONNECTING, /* no connection yet */
	IKI_WAIT_DNS,        /* the server's name does not resolve */
	IKI_WAIT_REFUSED,    /* the connection is refused (ikid not running, wrong port) */
	IKI_WAIT_SLOW,       /* no answer yet, but bytes are moving (a slow link) */
	IKI_WAIT_SILENT,     /* connected, nothing moves: the link is dead or ikid hangs */
	IKI_WAIT_STOPPED,    /* the connection dropped mid-way (ikid stopped, link cut) */
	IKI_WAIT_BUSY,       /* ikid is shutting down or could not write: it asked us to wait */
};

/* What delivery has done so far (and, at the end, in all). */
struct iki_outbox_progress {
	size_t total;              /* pending when delivery started */
	size_t delivered;          /* of them, answered stored or duplicate */
	size_t refused;            /* answered with a refusal */
	uint64_t bytes_sent;       /* submit bytes handed to the socket (resends included; what a
				    * dead link never carried too) */
	uint64_t bytes_acked;      /* bytes the link carried up: acknowledged by the peer on our
				    * TCP connections (greetings, handshakes and resends included;
				    * Linux; 0 elsewhere) */
	size_t batch_bytes;        /* the batch size in bytes delivery uses now */
	unsigned resends;          /* batches sent again after a lost reply (Lazy Pirate) */
	enum iki_outbox_wait wait; /* why it waits now */
	int64_t waiting_ms;        /* for how long */
};

/* How to deliver. Zero fields take the defaults. */
struct iki_outbox_deliver_options {
	int64_t deadline_ms;  /* give up (IKI_ETIMEOUT) after this long; 0: never */
	int stall_ms;         /* no reply and no byte moved for this long: the reply is lost:
			       * reconnect and send the same ids again (default: the client's
			       * timeout_ms) */
	bool once;            /* give up (IKI_ETIMEOUT) at the first stall instead of retrying */
	const volatile sig_atomic_t *stop; /* set non-zero (a signal handler's flag): -EINTR */
	void (*progress)(const struct iki_outbox_progress *p, void *arg); /* about once a second,
			       * and at each reply */
	void *arg;
};

/*
 * Deliver the pending events of c's key (iki_client_owner) through c, in capture order, in
 * batches bounded in bytes and sized to what the link carries (doubled while replies come back
 * within a second, halved when one takes more than four), two in flight. Every answer is written
 * to the outbox (durably) as it arrives, so whatever happens next, nothing answered is sent
 * again and nothing unanswered is lost. Through an outage it keeps trying (ZeroMQ reconnects by
 * itself; a lost reply, a cut connection or a stall of stall_ms closes the socket, opens a new
 * one and sends the unanswered batches again, with a backoff of 1 s doubling to 30 s). *p (may
 * be NULL) gets the progress. Returns 0 once nothing of c's key is pending (refusals included:
 * p->refused says how many), IKI_ETIMEOUT at the deadline (or at a stall with once), -EINTR when
 * *stop was set, -EPERM when the handshake failed (iki_client_problem says why: retrying would not
 * help), IKI_EFULL when ikid's database is full (what it did not store waits in the outbox: only
 * ikid's operator can make room, so retrying would not help either), or another negative code.
 */
int iki_outbox_deliver(struct iki_outbox *ob, struct iki_client *c,
		       const struct iki_outbox_deliver_options *o, struct iki_outbox_progress *p);

/* A sentence in Bahasa Indonesia for why delivery waits ("" for IKI_WAIT_NONE). Static. */
const char *iki_outbox_wait_text(enum iki_outbox_wait w);

/* The key the client speaks with, as an outbox owner: our CURVE public key, or "" (plain). */
const char *iki_client_owner(const struct iki_client *c);

#endif
