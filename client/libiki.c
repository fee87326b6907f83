/* libiki.c: the client library: a DEALER for requests (pipelined), a SUB for updates. */
#include "iki_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "curve.h"
#include "grow.h"
#include "libiki.h"

struct iki_client {
	void *ctx, *req, *sub;
	void *monitor;   /* PAIR receiving the request socket's handshake events */
	int handshake;   /* the last handshake event seen (ZMQ_EVENT_HANDSHAKE_*), or 0 */
	struct libiki_link link; /* what the request socket's connection did (monitor events) */
	unsigned sockets; /* request sockets opened so far (monitor endpoints are unique) */
	char request[256];
	const char *update;
	bool curve;
	struct curve_keys keys;
	char server_key[CURVE_Z85_LEN + 1];
	int timeout_ms;
	uint64_t next_req;
};

/* Set the options every socket of ours shares, then connect. */
static int socket_connect(struct iki_client *c, void *s, const char *endpoint)
{
	int linger = 0;
	int64_t maxmsg = PROTO_MSG_MAX + 4096;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	int rc = c->curve ? curve_set_client(s, &c->keys, c->server_key) : 0;
	return rc == 0 && zmq_connect(s, endpoint) < 0 ? -errno : rc;
}

/* Read our key pair and the server's public key. */
static int load_keys(struct iki_client *c, const struct iki_client_options *o)
{
	if (!o->key_file && !o->server_key)
		return 0;
	if (!o->key_file || !o->server_key)
		return -EINVAL; /* half a CURVE setup is a mistake, not plain text */
	int rc = curve_read(o->key_file, &c->keys);
	if (rc == 0 && !c->keys.secret_key[0])
		rc = -EINVAL; /* a .pub file: the secret half is in the .key file */
	if (rc == 0)
		rc = curve_public_key(o->server_key, c->server_key);
	if (rc == 0 && !zmq_has("curve"))
		rc = -ENOTSUP;
	c->curve = rc == 0;
	return rc;
}

/*
 * Watch the request socket's handshakes, so a refused key is told apart from silence, and its
 * connections, so delivery can say whether the connection was refused or dropped.
 */
static void monitor_start(struct iki_client *c)
{
	char ep[80];
	snprintf(ep, sizeof(ep), "inproc://iki-monitor-%p-%u", (void *)c, ++c->sockets);
	if (zmq_socket_monitor(c->req, ep,
			       ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
				   ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
				   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_CONNECTED |
				   ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_DISCONNECTED) < 0)
		return;
	c->monitor = zmq_socket(c->ctx, ZMQ_PAIR);
	if (c->monitor && zmq_connect(c->monitor, ep) < 0) {
		zmq_close(c->monitor);
		c->monitor = NULL;
	}
}

/* Note one monitor event: handshakes (the last is kept) and connections. */
static void link_event(struct iki_client *c, uint16_t id)
{
	switch (id) {
	case ZMQ_EVENT_CONNECTED:
		c->link.connected = true;
		c->link.ever_connected = true;
		c->link.retries = 0;
		break;
	case ZMQ_EVENT_CONNECT_RETRIED:
		c->link.retries++;
		break;
	case ZMQ_EVENT_DISCONNECTED:
		c->link.connected = false;
		c->link.disconnects++;
		break;
	default:
		/* A handshake cut short (no detail: the connection closed) is the link's doing and
		 * may pass; a refused key or a mechanism mismatch will not. */
		c->handshake = id;
		c->link.handshake = id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED ? 1
				    : id == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL ? 0
										 : -1;
	}
}

/* Take the monitor events that arrived. */
static void monitor_drain(struct iki_client *c)
{
	for (;;) {
		zmq_msg_t ev, addr;
		zmq_msg_init(&ev);
		zmq_msg_init(&addr);
		if (!c->monitor || zmq_msg_recv(&ev, c->monitor, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&ev);
			zmq_msg_close(&addr);
			return;
		}
		if (zmq_msg_more(&ev))
			zmq_msg_recv(&addr, c->monitor, 0);
		if (zmq_msg_size(&ev) >= 2) {
			uint16_t id;
			memcpy(&id, zmq_msg_data(&ev), 2);
			link_event(c, id);
		}
		zmq_msg_close(&ev);
		zmq_msg_close(&addr);
	}
}

const char *iki_client_problem(struct iki_client *c)
{
	monitor_drain(c);
	switch (c->handshake) {
	case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
		return "ikid menolak kunci ini: kunci publik (.pub) belum terdaftar di daftar klien "
		       "resmi ikid; kirimkan ke operator";
	case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
	case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
		return c->curve ? "jabat tangan CURVE gagal: periksa kunci server (-S) atau apakah "
				  "ikid memakai --plaintext"
				: "ikid meminta koneksi terenkripsi: berikan kunci dengan -k dan -S";
	default:
		return NULL;
	}
}

int iki_client_open(const struct iki_client_options *o, struct iki_client **out)
{
	struct iki_client *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	c->update = o->update;
	snprintf(c->request, sizeof(c->request), "%s",
		 o->request ? o->request : IKI_CLIENT_REQUEST_DEFAULT);
	int rc = load_keys(c, o);
	c->ctx = rc == 0 ? zmq_ctx_new() : NULL;
	c->req = c->ctx ? zmq_socket(c->ctx, ZMQ_DEALER) : NULL;
	if (rc == 0 && !c->req)
		rc = -errno;
	if (rc == 0)
		monitor_start(c);
	if (rc == 0)
		rc = socket_connect(c, c->req, c->request);
	if (rc < 0) {
		iki_client_close(&c);
		return rc;
	}
	*out = c;
	return 0;
}

void iki_client_close(struct iki_client **cp)
{
	struct iki_client *c = cp ? *cp : NULL;
	if (!c)
		return;
	if (c->req)
		zmq_close(c->req);
	if (c->sub)
		zmq_close(c->sub);
	if (c->monitor)
		zmq_close(c->monitor);
	if (c->ctx)
		zmq_ctx_term(c->ctx);
	free(c);
	*cp = NULL;
}

const char *iki_client_owner(const struct iki_client *c)
{
	return c->curve ? c->keys.public_key : "";
}

int libiki_reopen(struct iki_client *c)
{
	if (c->monitor)
		zmq_close(c->monitor);
	c->monitor = NULL;
	zmq_close(c->req); /* linger 0: what it queued is dropped; the caller sends it again */
	memset(&c->link, 0, sizeof(c->link));
	c->handshake = 0;
	c->req = zmq_socket(c->ctx, ZMQ_DEALER);
	if (!c->req)
		return -errno;
	monitor_start(c);
	return socket_connect(c, c->req, c->request);
}

const struct libiki_link *libiki_link(struct iki_client *c)
{
	monitor_drain(c);
	return &c->link;
}

const char *libiki_endpoint(const struct iki_client *c)
{
	return c->request;
}

int libiki_timeout_ms(const struct iki_client *c)
{
	return c->timeout_ms;
}

uint64_t libiki_next_req(struct iki_client *c)
{
	return ++c->next_req;
}

int libiki_send(struct iki_client *c, const void *buf, size_t len)
{
	return zmq_send(c->req, buf, len, ZMQ_DONTWAIT) < 0 ? -errno : 0;
}

int libiki_recv(struct iki_client *c, struct proto_msg *m, int timeout_ms)
{
	zmq_pollitem_t it = {c->req, 0, ZMQ_POLLIN, 0};
	zmq_msg_t f;
	int rc = zmq_poll(&it, 1, timeout_ms);
	if (rc <= 0)
		return rc < 0 ? -errno : 0;
	zmq_msg_init(&f);
	rc = zmq_msg_recv(&f, c->req, ZMQ_DONTWAIT) < 0 ? -errno : 0;
	if (rc == 0)
		rc = proto_decode(zmq_msg_data(&f), zmq_msg_size(&f), m);
	zmq_msg_close(&f);
	return rc < 0 ? (rc == -EAGAIN ? 0 : rc) : 1;
}

/* Encode and send one request; sets m->req to the next request number. */
static int send_msg(struct iki_client *c, struct proto_msg *m)
{
	char *buf;
	size_t len;
	m->req = ++c->next_req;
	int rc = proto_encode(m, &buf, &len);
	if (rc < 0)
		return rc;
	rc = zmq_send(c->req, buf, len, 0) < 0 ? -errno : 0;
	free(buf);
	return rc;
}

/* Wait for and decode one reply. Returns 0, IKI_ETIMEOUT, or a decode error. */
static int recv_msg(struct iki_client *c, struct proto_msg *m)
{
	zmq_pollitem_t it = {c->req, 0, ZMQ_POLLIN, 0};
	zmq_msg_t f;
	int rc = zmq_poll(&it, 1, c->timeout_ms);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return IKI_ETIMEOUT;
	zmq_msg_init(&f);
	if (zmq_msg_recv(&f, c->req, 0) < 0) {
		zmq_msg_close(&f);
		return -errno;
	}
	rc = proto_decode(zmq_msg_data(&f), zmq_msg_size(&f), m);
	zmq_msg_close(&f);
	return rc;
}

/* Mark events [from, to) with one error. */
static void fail_range(struct proto_result *res, size_t from, size_t to, int code,
		       const char *message)
{
	for (size_t i = from; i < to; i++) {
		res[i].status = PROTO_STATUS_ERROR;
		res[i].code = code;
		snprintf(res[i].message, sizeof(res[i].message), "%s",
			 message && *message ? message : iki_strerror(code));
	}
}

/* Take one submit reply: copy its results for the batch that starts at base[req]. */
static int take_reply(struct iki_client *c, uint64_t first_req, size_t n, struct proto_result *res)
{
	struct proto_msg r = {0};
	int rc = recv_msg(c, &r);
	if (rc < 0)
		return rc;
	if (r.req < first_req || r.req >= c->next_req + 1) {
		proto_msg_clear(&r);
		return 0; /* a stale reply to an earlier, abandoned request */
	}
	size_t from = (size_t)(r.req - first_req) * IKI_CLIENT_BATCH;
	size_t to = from + IKI_CLIENT_BATCH < n ? from + IKI_CLIENT_BATCH : n;
	if (r.type == PROTO_ERROR)
		fail_range(res, from, to, r.code, r.message);
	else if (r.type == PROTO_SUBMITTED && r.n_results == to - from)
		memcpy(res + from, r.results, (to - from) * sizeof(*res));
	else
		fail_range(res, from, to, IKI_EINTERNAL, "unexpected reply");
	proto_msg_clear(&r);
	return 1;
}

int iki_submit(struct iki_client *c, const struct proto_event *events, size_t n,
	       struct proto_result *res)
{
	size_t batches = (n + IKI_CLIENT_BATCH - 1) / IKI_CLIENT_BATCH, sent = 0, done = 0;
	uint64_t first_req = c->next_req + 1;
	memset(res, 0, n * sizeof(*res));
	while (done < batches) {
		while (sent < batches && sent - done < IKI_CLIENT_INFLIGHT) {
			size_t from = sent * IKI_CLIENT_BATCH;
			size_t cnt = n - from < IKI_CLIENT_BATCH ? n - from : IKI_CLIENT_BATCH;
			struct proto_msg m = {.type = PROTO_SUBMIT,
					      .events = (struct proto_event *)(events + from),
					      .n_events = cnt};
			int rc = send_msg(c, &m);
			if (rc < 0)
				return rc;
			sent++;
		}
		int rc = take_reply(c, first_req, n, res);
		if (rc < 0)
			return rc;
		done += (size_t)rc;
	}
	return 0;
}

/* Send one request and wait for its reply (older, stale replies are dropped). */
static int exchange(struct iki_client *c, struct proto_msg *m, struct proto_msg *r)
{
	int rc = send_msg(c, m);
	while (rc == 0) {
		rc = recv_msg(c, r);
		if (rc < 0 || r->req == m->req)
			break;
		proto_msg_clear(r); /* a stale reply */
	}
	return rc;
}

/* The code of a refusal (message filled when not NULL), or IKI_EINTERNAL for an odd reply. */
static int refusal(const struct proto_msg *r, char *message)
{
	if (message)
		snprintf(message, PROTO_TEXT_MAX + 1, "%s", r->type == PROTO_ERROR ? r->message : "");
	return r->type == PROTO_ERROR ? r->code : IKI_EINTERNAL;
}

/*
 * Send m and take a reply of type want into *r (the caller moves out what it keeps, then
 * proto_msg_clear): 0, the refusal's code (message filled), or a transport code.
 */
static int request(struct iki_client *c, struct proto_msg *m, enum proto_type want,
		   struct proto_msg *r, char *message)
{
	memset(r, 0, sizeof(*r));
	int rc = exchange(c, m, r);
	if (rc == 0 && r->type != want) {
		rc = refusal(r, message);
		proto_msg_clear(r);
	}
	return rc;
}

/* Move a reply's list out: *out gets the array (NULL on failure), *n its length. */
#define TAKE(rc, r, field, count, out, n)                                                  \
	do {                                                                                \
		*(out) = (rc) == 0 ? (r).field : NULL;                                      \
		*(n) = (rc) == 0 ? (r).count : 0;                                           \
		(r).field = NULL;                                                           \
		proto_msg_clear(&(r));                                                      \
	} while (0)

/* Append a page's n entries of size bytes to *all (*n_all of them, room for *cap): 0 or
 * -ENOMEM. */
static int page_append(void **all, size_t *n_all, size_t *cap, void *page, size_t n, size_t size)
{
	if (n == 0)
		return 0;
	if (grow(all, cap, *n_all + n, size) < 0)
		return -ENOMEM;
	memcpy((char *)*all + *n_all * size, page, n * size);
	*n_all += n;
	return 0;
}

/*
 * A request whose answer may come in pages (a snapshot, a value's history: PROTOCOL.md "Pages"):
 * ask again after each page's cursor until the last, the entries moved into one array. The
 * first page's seq is the snapshot's (the updates to apply come after it).
 */
static int paged_request(struct iki_client *c, struct proto_msg *m, enum proto_type want,
			 void **all, size_t *n_all, size_t size, uint64_t *seq, char *message)
{
	int rc = 0;
	size_t cap = 0;
	*all = NULL;
	*n_all = 0;
	m->after[0] = '\0';
	for (bool first = true;; first = false) {
		struct proto_msg r;
		if ((rc = request(c, m, want, &r, message)) < 0) {
			proto_msg_clear(&r);
			break;
		}
		if (first && seq)
			*seq = r.seq;
		void **page = want == PROTO_VALUES ? (void **)&r.values : (void **)&r.stored;
		size_t *count = want == PROTO_VALUES ? &r.n_values : &r.n_stored;
		rc = page_append(all, n_all, &cap, *page, *count, size);
		if (rc == 0) { /* the entries moved: free the page's array only */
			free(*page);
			*page = NULL;
			*count = 0;
		}
		snprintf(m->after, sizeof(m->after), "%s", r.next);
		proto_msg_clear(&r);
		if (rc < 0 || !m->after[0])
			break;
	}
	if (rc < 0) { /* what came before the failure: the entries own nothing */
		free(*all);
		*all = NULL;
		*n_all = 0;
	} else if (!*all && !(*all = calloc(1, size))) { /* none: an empty array, as a page's */
		rc = -ENOMEM;
	}
	return rc;
}

/* A query or a snapshot: both are answered with values (or an error), a snapshot in pages. */
static int values_request(struct iki_client *c, enum proto_type type, const struct proto_query *q,
			  struct proto_value **values, size_t *n_values, uint64_t *seq,
			  char *message)
{
	struct proto_msg m = {.type = type, .query = *q};
	void *all;
	int rc = paged_request(c, &m, PROTO_VALUES, &all, n_values, sizeof(**values), seq, message);
	*values = all;
	return rc;
}

int iki_lock(struct iki_client *c, const char *period, bool unlock, struct proto_lock **locks,
	     size_t *n, char *message)
{
	struct proto_msg m = {.type = PROTO_LOCK, .unlock = unlock}, r;
	snprintf(m.query.period, sizeof(m.query.period), "%s", period ? period : "");
	int rc = request(c, &m, PROTO_LOCKS, &r, message);
	TAKE(rc, r, locks, n_locks, locks, n);
	return rc;
}

int iki_target(struct iki_client *c, const struct proto_query *q, bool set, int64_t target,
	       struct proto_target **targets, size_t *n, char *message)
{
	struct proto_msg m = {.type = PROTO_TARGET, .query = *q, .has_target = set,
			      .target = target},
			 r;
	int rc = request(c, &m, PROTO_TARGETS, &r, message);
	TAKE(rc, r, targets, n_targets, targets, n);
	return rc;
}

int iki_note(struct iki_client *c, const struct proto_query *q, const char *text, bool history,
	     struct proto_note **notes, size_t *n, char *message)
{
	struct proto_msg m = {.type = PROTO_NOTE, .query = *q, .has_note = text != NULL,
			      .note_history = history},
			 r;
	if (text)
		snprintf(m.note_text, sizeof(m.note_text), "%s", text);
	int rc = request(c, &m, PROTO_NOTES, &r, message);
	TAKE(rc, r, notes, n_notes, notes, n);
	return rc;
}

/* A history request (m filled but for its type) and its events. */
static int history_request(struct iki_client *c, struct proto_msg *m, struct proto_stored **events,
			   size_t *n, char *message)
{
	void *all;
	m->type = PROTO_HISTORY;
	int rc = paged_request(c, m, PROTO_EVENTS, &all, n, sizeof(**events), NULL, message);
	*events = all;
	return rc;
}

int iki_history(struct iki_client *c, const char *id, struct proto_stored **events, size_t *n,
		char *message)
{
	struct proto_msg m = {0};
	snprintf(m.id, sizeof(m.id), "%s", id);
	return history_request(c, &m, events, n, message);
}

int iki_history_value(struct iki_client *c, const struct proto_query *q,
		      struct proto_stored **events, size_t *n, char *message)
{
	struct proto_msg m = {.query = *q};
	return history_request(c, &m, events, n, message);
}

/*
 * The catalog in its pages (PROTOCOL.md "describe"): the first page whole, then the org units of
 * each later one appended to it. A page that names a next but brings no org unit would page for
 * ever: IKI_EINTERNAL.
 */
int iki_describe(struct iki_client *c, struct proto_msg *catalog, char *message)
{
	struct proto_msg m = {.type = PROTO_DESCRIBE};
	int rc = request(c, &m, PROTO_CATALOG, catalog, message);
	size_t cap = catalog->n_orgunits;
	while (rc == 0 && catalog->next[0]) {
		struct proto_msg r;
		snprintf(m.after, sizeof(m.after), "%s", catalog->next);
		rc = request(c, &m, PROTO_CATALOG, &r, message);
		if (rc == 0)
			rc = r.n_orgunits ? page_append((void **)&catalog->orgunits,
							&catalog->n_orgunits, &cap, r.orgunits,
							r.n_orgunits, sizeof(*r.orgunits))
					  : IKI_EINTERNAL;
		snprintf(catalog->next, sizeof(catalog->next), "%s", rc == 0 ? r.next : "");
		proto_msg_clear(&r);
	}
	if (rc < 0)
		proto_msg_clear(catalog);
	return rc;
}

int iki_whoami(struct iki_client *c, struct proto_msg *identity, char *message)
{
	struct proto_msg m = {.type = PROTO_WHOAMI};
	return request(c, &m, PROTO_IDENTITY, identity, message);
}

int iki_query(struct iki_client *c, const struct proto_query *q, struct proto_value **values,
	      size_t *n_values, char *message)
{
	return values_request(c, PROTO_QUERY, q, values, n_values, NULL, message);
}

int iki_snapshot(struct iki_client *c, const struct proto_query *q, struct proto_value **values,
		 size_t *n_values, uint64_t *seq, char *message)
{
	return values_request(c, PROTO_SNAPSHOT, q, values, n_values, seq, message);
}

int iki_client_subscriber(struct iki_client *c, int rcvhwm, void **sub)
{
	void *s = zmq_socket(c->ctx, ZMQ_SUB);
	if (!s)
		return -errno;
	if (rcvhwm > 0)
		zmq_setsockopt(s, ZMQ_RCVHWM, &rcvhwm, sizeof(rcvhwm));
	int rc = socket_connect(c, s, c->update ? c->update : IKI_CLIENT_UPDATE_DEFAULT);
	if (rc < 0) {
		zmq_close(s);
		return rc;
	}
	*sub = s;
	return 0;
}

int iki_watch(struct iki_client *c, const char *prefix)
{
	if (!c->sub) {
		int rc = iki_client_subscriber(c, 0, &c->sub);
		if (rc < 0)
			return rc;
	}
	prefix = prefix ? prefix : "";
	return zmq_setsockopt(c->sub, ZMQ_SUBSCRIBE, prefix, strlen(prefix)) < 0 ? -errno : 0;
}

int iki_watch_next(struct iki_client *c, struct proto_value *v, uint64_t *seq, int timeout_ms)
{
	zmq_pollitem_t it = {c->sub, 0, ZMQ_POLLIN, 0};
	for (;;) {
		int rc = zmq_poll(&it, 1, timeout_ms);
		if (rc <= 0)
			return rc < 0 ? -errno : 0;
		zmq_msg_t topic, body;
		struct proto_msg m = {0};
		zmq_msg_init(&topic);
		zmq_msg_init(&body);
		rc = zmq_msg_recv(&topic, c->sub, 0) < 0 ? -errno : 0;
		if (rc == 0 && zmq_msg_more(&topic))
			rc = zmq_msg_recv(&body, c->sub, 0) < 0 ? -errno : 0;
		if (rc == 0)
			rc = proto_decode(zmq_msg_data(&body), zmq_msg_size(&body), &m);
		zmq_msg_close(&topic);
		zmq_msg_close(&body);
		if (rc == -EINTR)
			return rc;
		if (rc < 0 || m.type != PROTO_UPDATE || m.n_values != 1) {
			proto_msg_clear(&m);
			continue; /* not an update we understand: skip it */
		}
		*v = m.values[0];
		*seq = m.seq;
		proto_msg_clear(&m);
		return 1;
	}
}
