/* libiki.c: the client library: a pipelined DEALER for requests, a SUB for updates. */
#include "iki_client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define LINGER_MS 100	   /* after close, how long unsent requests may still go out */
#define EVENT_OVERHEAD 96  /* encoded bytes of an event beyond its strings: keys, headers */
#define ENVELOPE_BYTES 256 /* a submit message beyond its events: v, type, req, array */

struct iki_client {
	void *ctx, *req, *sub;
	char *update;
	int timeout_ms;
	size_t batch, inflight;
	uint64_t next_req, seq;
	char message[PROTO_TEXT_MAX + 1];
};

/* One submit message awaiting its reply: which events it carries. */
struct flight {
	uint64_t req;
	size_t from, count;
};

/* Set the options of the request socket: small linger, message cap, no queueing to nowhere. */
static int request_setup(struct iki_client *c)
{
	int linger = LINGER_MS, immediate = 1;
	int64_t maxmsg = PROTO_MSG_MAX;
	if (zmq_setsockopt(c->req, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
	    zmq_setsockopt(c->req, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) < 0 ||
	    zmq_setsockopt(c->req, ZMQ_IMMEDIATE, &immediate, sizeof(immediate)) < 0)
		return -errno;
	iki_client_set_timeout(c, IKI_CLIENT_TIMEOUT_MS);
	return 0;
}

int iki_client_open(const char *request, const char *update, struct iki_client **out)
{
	struct iki_client *c = calloc(1, sizeof(*c));
	int rc = 0;
	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->batch = IKI_CLIENT_BATCH;
	c->inflight = IKI_CLIENT_INFLIGHT;
	c->update = strdup(update ? update : IKI_CLIENT_UPDATE_DEFAULT);
	c->ctx = zmq_ctx_new();
	c->req = c->ctx ? zmq_socket(c->ctx, ZMQ_DEALER) : NULL;
	if (!c->update)
		rc = -ENOMEM;
	else if (!c->req)
		rc = -errno;
	if (rc == 0)
		rc = request_setup(c);
	if (rc == 0 && zmq_connect(c->req, request ? request : IKI_CLIENT_REQUEST_DEFAULT) < 0)
		rc = -errno;
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
	if (c->ctx)
		zmq_ctx_term(c->ctx);
	free(c->update);
	free(c);
	*cp = NULL;
}

void iki_client_set_timeout(struct iki_client *c, int ms)
{
	if (ms <= 0)
		return;
	c->timeout_ms = ms;
	zmq_setsockopt(c->req, ZMQ_RCVTIMEO, &ms, sizeof(ms));
	zmq_setsockopt(c->req, ZMQ_SNDTIMEO, &ms, sizeof(ms));
}

void iki_client_set_batch(struct iki_client *c, size_t events, size_t inflight)
{
	if (events)
		c->batch = events < PROTO_EVENTS_MAX ? events : PROTO_EVENTS_MAX;
	if (inflight)
		c->inflight =
		    inflight < IKI_CLIENT_INFLIGHT_MAX ? inflight : IKI_CLIENT_INFLIGHT_MAX;
}

const char *iki_client_message(const struct iki_client *c)
{
	return c->message;
}

/* An upper bound of one event's encoded size (see pack_event in proto/proto.c). */
static size_t event_bytes(const struct proto_event *e)
{
	return EVENT_OVERHEAD + strnlen(e->id, sizeof(e->id)) +
	       strnlen(e->element, sizeof(e->element)) + strnlen(e->orgunit, sizeof(e->orgunit)) +
	       strnlen(e->date, sizeof(e->date)) + strnlen(e->case_id, sizeof(e->case_id)) +
	       strnlen(e->comment, sizeof(e->comment));
}

size_t iki_batch_size(const struct proto_event *events, size_t n, size_t max_events,
		      size_t max_bytes)
{
	size_t k = 0, bytes = ENVELOPE_BYTES;
	if (max_events == 0 || max_events > PROTO_EVENTS_MAX)
		max_events = PROTO_EVENTS_MAX;
	if (max_bytes == 0 || max_bytes > PROTO_MSG_MAX)
		max_bytes = PROTO_MSG_MAX;
	while (k < n && k < max_events) {
		bytes += event_bytes(&events[k]);
		if (bytes > max_bytes && k > 0)
			break;
		k++;
	}
	return k;
}

/* Map a failed zmq call's errno: a timeout is ours, the rest stay -errno. */
static int zmq_failure(void)
{
	return errno == EAGAIN ? IKI_ETIMEOUT : -errno;
}

/* Whether rc means the exchange itself failed (timeout, -errno) rather than a bad reply. */
static bool transport_error(int rc)
{
	return rc == IKI_ETIMEOUT || (rc < 0 && rc > -IKI_EBASE);
}

/* Encode m with the next request number and send it. Returns 0, IKI_ETIMEOUT or <0. */
static int send_msg(struct iki_client *c, struct proto_msg *m)
{
	char *buf;
	size_t len;
	m->req = ++c->next_req;
	int rc = proto_encode(m, &buf, &len);
	if (rc < 0)
		return rc;
	if (len > PROTO_MSG_MAX)
		rc = IKI_ETOOBIG;
	else if (zmq_send(c->req, buf, len, 0) < 0)
		rc = zmq_failure();
	free(buf);
	return rc;
}

/*
 * Receive and decode one reply. Returns 0; a decode error (m->req may still be set, so the reply
 * can be matched); IKI_ETIMEOUT; or -errno. A reply of several frames is not ours: malformed.
 */
static int recv_msg(struct iki_client *c, struct proto_msg *m)
{
	zmq_msg_t f;
	int rc;
	memset(m, 0, sizeof(*m));
	zmq_msg_init(&f);
	if (zmq_msg_recv(&f, c->req, 0) < 0) {
		rc = zmq_failure();
		zmq_msg_close(&f);
		return rc;
	}
	bool more = zmq_msg_more(&f);
	rc = more ? IKI_EMALFORMED : proto_decode(zmq_msg_data(&f), zmq_msg_size(&f), m);
	while (more && zmq_msg_recv(&f, c->req, 0) >= 0)
		more = zmq_msg_more(&f);
	zmq_msg_close(&f);
	return rc;
}

/* Mark events [from, from + count) with one error code and sentence. */
static void fail_range(struct proto_result *res, size_t from, size_t count, int code,
		       const char *message)
{
	for (size_t i = from; i < from + count; i++) {
		res[i].status = PROTO_STATUS_ERROR;
		res[i].code = code;
		snprintf(res[i].message, sizeof(res[i].message), "%s",
			 message && *message ? message : iki_strerror(code));
	}
}

/* Remember the first refusal of a call: its code (returned) and sentence. */
static void refused(struct iki_client *c, int *first, int code, const char *message)
{
	if (*first)
		return;
	*first = code;
	snprintf(c->message, sizeof(c->message), "%s",
		 message && *message ? message : iki_strerror(code));
}

/* Send the next message of a submit, from event *next; records it in *fl. */
static int submit_send(struct iki_client *c, const struct proto_event *events, size_t n,
		       size_t *next, struct flight *fl)
{
	size_t k = iki_batch_size(events + *next, n - *next, c->batch, PROTO_MSG_MAX);
	struct proto_msg m = {
	    .type = PROTO_SUBMIT, .events = (struct proto_event *)(events + *next), .n_events = k};
	int rc = send_msg(c, &m);
	if (rc < 0)
		return rc;
	*fl = (struct flight){.req = m.req, .from = *next, .count = k};
	*next += k;
	return 0;
}

/* Copy one reply's outcome into the results of the message it answers. */
static void submit_fill(struct iki_client *c, const struct proto_msg *r, int decode_rc,
			const struct flight *f, struct proto_result *res, int *first)
{
	if (decode_rc < 0) {
		fail_range(res, f->from, f->count, decode_rc, "reply did not decode");
		refused(c, first, decode_rc, "reply did not decode");
	} else if (r->type == PROTO_ERROR) {
		fail_range(res, f->from, f->count, r->code, r->message);
		refused(c, first, r->code, r->message);
	} else if (r->type == PROTO_SUBMITTED && r->n_results == f->count) {
		memcpy(res + f->from, r->results, f->count * sizeof(*res));
	} else {
		fail_range(res, f->from, f->count, IKI_EMALFORMED, "unexpected reply to a submit");
		refused(c, first, IKI_EMALFORMED, "unexpected reply to a submit");
	}
}

/* Wait for one reply and retire the message it answers; stale replies are dropped. */
static int submit_take(struct iki_client *c, struct flight *fl, size_t *nfl,
		       struct proto_result *res, int *first)
{
	struct proto_msg r;
	int rc = recv_msg(c, &r);
	if (transport_error(rc))
		return rc;
	for (size_t i = 0; i < *nfl; i++) {
		if (fl[i].req != r.req)
			continue;
		submit_fill(c, &r, rc, &fl[i], res, first);
		fl[i] = fl[--*nfl];
		break;
	}
	proto_msg_clear(&r);
	return 0;
}

int iki_submit(struct iki_client *c, const struct proto_event *events, size_t n,
	       struct proto_result *res)
{
	struct flight fl[IKI_CLIENT_INFLIGHT_MAX];
	size_t nfl = 0, next = 0;
	int rc = 0, first = 0;
	c->message[0] = '\0';
	memset(res, 0, n * sizeof(*res));
	while (rc == 0 && (next < n || nfl > 0)) {
		while (rc == 0 && next < n && nfl < c->inflight) {
			rc = submit_send(c, events, n, &next, &fl[nfl]);
			nfl += rc == 0;
		}
		if (rc == 0)
			rc = submit_take(c, fl, &nfl, res, &first);
	}
	if (rc == 0)
		return first;
	for (size_t i = 0; i < nfl; i++)
		fail_range(res, fl[i].from, fl[i].count, rc, NULL);
	fail_range(res, next, n - next, rc, NULL);
	return rc;
}

int iki_query(struct iki_client *c, const struct proto_query *q, struct proto_value **values,
	      size_t *n_values)
{
	struct proto_msg m = {.type = PROTO_QUERY, .query = *q}, r;
	*values = NULL;
	*n_values = 0;
	c->message[0] = '\0';
	int rc = send_msg(c, &m);
	if (rc < 0)
		return rc;
	for (;;) {
		rc = recv_msg(c, &r);
		if (transport_error(rc))
			return rc;
		if (r.req == m.req)
			break;
		proto_msg_clear(&r); /* a stale reply to an earlier, abandoned request */
	}
	if (rc == 0 && r.type == PROTO_VALUES) {
		*values = r.values;
		*n_values = r.n_values;
		r.values = NULL;
		r.n_values = 0;
	} else {
		int code = rc < 0 ? rc : r.type == PROTO_ERROR ? r.code : IKI_EMALFORMED;
		rc = 0;
		refused(c, &rc, code, r.type == PROTO_ERROR ? r.message : "unexpected reply");
	}
	proto_msg_clear(&r);
	return rc;
}

int iki_watch_open(struct iki_client *c, const char *prefix)
{
	if (!c->sub) {
		int linger = 0;
		int64_t maxmsg = PROTO_MSG_MAX;
		c->sub = zmq_socket(c->ctx, ZMQ_SUB);
		if (!c->sub)
			return -errno;
		zmq_setsockopt(c->sub, ZMQ_LINGER, &linger, sizeof(linger));
		zmq_setsockopt(c->sub, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
		if (zmq_connect(c->sub, c->update) < 0) {
			int rc = -errno;
			zmq_close(c->sub);
			c->sub = NULL;
			return rc;
		}
	}
	prefix = prefix ? prefix : "";
	return zmq_setsockopt(c->sub, ZMQ_SUBSCRIBE, prefix, strlen(prefix)) < 0 ? -errno : 0;
}

/* Receive one published message (topic, body) and decode its update into *v. */
static int watch_recv(struct iki_client *c, struct proto_value *v)
{
	zmq_msg_t topic, body;
	struct proto_msg m = {0};
	int rc = 0;
	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	if (zmq_msg_recv(&topic, c->sub, 0) < 0)
		rc = -errno;
	else if (!zmq_msg_more(&topic))
		rc = IKI_EMALFORMED;
	else if (zmq_msg_recv(&body, c->sub, 0) < 0)
		rc = -errno;
	else if (zmq_msg_more(&body))
		rc =
		    IKI_EMALFORMED; /* the rest of it arrives as the next "topic", and is skipped */
	else
		rc = proto_decode(zmq_msg_data(&body), zmq_msg_size(&body), &m);
	zmq_msg_close(&topic);
	zmq_msg_close(&body);
	if (rc == 0 && (m.type != PROTO_UPDATE || m.n_values != 1))
		rc = IKI_ETYPE;
	if (rc == 0) {
		*v = m.values[0];
		c->seq = m.seq;
	}
	proto_msg_clear(&m);
	return rc;
}

int iki_watch_next(struct iki_client *c, struct proto_value *v, int timeout_ms)
{
	if (!c->sub)
		return -EINVAL;
	for (;;) {
		zmq_pollitem_t it = {c->sub, 0, ZMQ_POLLIN, 0};
		int rc = zmq_poll(&it, 1, timeout_ms);
		if (rc <= 0)
			return rc < 0 ? -errno : 0;
		rc = watch_recv(c, v);
		if (rc == 0)
			return 1;
		if (rc > -IKI_EBASE)
			return rc; /* -errno: EINTR, ETERM */
	}
}

uint64_t iki_watch_seq(const struct iki_client *c)
{
	return c->seq;
}
