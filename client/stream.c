/* stream.c: live values for other programs (the Clone pattern): snapshot, newer updates, resync. */
#include "iki_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#define STREAM_HEARTBEAT_MS 1000 /* ikid's default --heartbeat-ms */
#define STREAM_STALE_BEATS 3	 /* heartbeat intervals of silence that make a stream stale */
#define STREAM_RCVHWM 100000	 /* as ikid's queue per subscriber (SERVER_PUB_HWM) */
#define STREAM_BACKOFF_MS 250	   /* a snapshot ikid answered busy is asked again after this, */
#define STREAM_BACKOFF_MAX_MS 8000 /* doubling up to this while it stays busy */

struct iki_stream {
	struct iki_client *c; /* borrowed */
	void *sub;
	struct proto_query filter;	   /* the snapshot's narrowing, and the updates' */
	char (*codes)[PROTO_CODE_MAX + 1]; /* a jabatan's indicators (filter.jabatan set) */
	size_t n_codes;
	int heartbeat_ms;
	uint64_t seq;	  /* the last seq applied */
	uint64_t given;	  /* the seq of what was yielded: seq, but for a snapshot not all out yet */
	uint64_t resyncs; /* snapshots after the first */
	uint64_t missed;  /* updates known to be missed, in all */
	/* A snapshot to yield: its RESET (when reset_due), then its values from next_value. */
	struct proto_value *snap;
	size_t n_snap, next_value;
	bool reset_due;
	uint64_t reset_missed;
	/* A snapshot needed but not yet taken (the last try failed): missed_due updates missed. */
	bool resync_due;
	uint64_t missed_due;
	int64_t resync_at; /* ikid said busy: no snapshot asked before this (monotonic ms) */
	int backoff_ms;    /* the wait after the next busy: STREAM_BACKOFF_MS doubling to _MAX */
	int64_t heard_ms, heartbeat_ms_at; /* monotonic; heartbeat_ms_at -1 before the first */
	bool stale;
	char message[PROTO_TEXT_MAX + 1];
};

/* Milliseconds on the monotonic clock. */
static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The period a jabatan is resolved in: the filter's, or this year (any valid one would do). */
static void resolve_period(const struct proto_query *f, char *period, size_t n)
{
	if (f->period[0]) {
		snprintf(period, n, "%s", f->period);
		return;
	}
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	snprintf(period, n, "%04d", (tm.tm_year + 1900) % 10000);
}

/*
 * A jabatan's indicator codes, asked once: a query names the indicators of a jabatan (ikid
 * matches positions case-insensitively, whole), and updates carry only the code.
 */
static int resolve_jabatan(struct iki_stream *s, char *message)
{
	struct proto_query q = {0};
	struct proto_value *vals = NULL;
	size_t n = 0;
	snprintf(q.jabatan, sizeof(q.jabatan), "%s", s->filter.jabatan);
	resolve_period(&s->filter, q.period, sizeof(q.period));
	int rc = iki_query(s->c, &q, &vals, &n, message);
	if (rc == 0 && n > 0 && !(s->codes = calloc(n, sizeof(*s->codes))))
		rc = -ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++)
		memcpy(s->codes[i], vals[i].indicator, sizeof(s->codes[i]));
	if (rc == 0)
		s->n_codes = n;
	free(vals);
	return rc;
}

/* Whether an update passes the filter (the snapshot is narrowed by ikid itself). */
static bool stream_wants(const struct iki_stream *s, const struct proto_value *v)
{
	const struct proto_query *f = &s->filter;
	if ((f->indicator[0] && strcmp(f->indicator, v->indicator) != 0) ||
	    (f->orgunit[0] && strcmp(f->orgunit, v->orgunit) != 0) ||
	    (f->period[0] && strcmp(f->period, v->period) != 0))
		return false;
	if (!f->jabatan[0])
		return true;
	for (size_t i = 0; i < s->n_codes; i++)
		if (!strcmp(s->codes[i], v->indicator))
			return true;
	return false;
}

/*
 * Take a snapshot now and make it the next thing to yield. missed: the updates known to be
 * missed that call for it. On failure the stream keeps what it yielded so far and asks for the
 * snapshot again on the next call.
 */
static int stream_resync(struct iki_stream *s, uint64_t missed, bool first)
{
	struct proto_value *vals = NULL;
	size_t n = 0;
	uint64_t seq = 0;
	int rc = IKI_EBUSY; /* ikid asked us to wait: not before resync_at (its message stands) */
	if (now_ms() >= s->resync_at) {
		s->message[0] = '\0';
		rc = iki_snapshot(s->c, &s->filter, &vals, &n, &seq, s->message);
		if (iki_code_busy(rc)) { /* its readers are busy: ask less often */
			s->backoff_ms = s->backoff_ms * 2 > STREAM_BACKOFF_MS ? s->backoff_ms * 2
									     : STREAM_BACKOFF_MS;
			if (s->backoff_ms > STREAM_BACKOFF_MAX_MS)
				s->backoff_ms = STREAM_BACKOFF_MAX_MS;
			s->resync_at = now_ms() + s->backoff_ms;
		}
	}
	if (rc < 0) {
		s->resync_due = true;
		s->missed_due = missed;
		return rc;
	}
	s->backoff_ms = 0;
	s->resync_at = 0;
	free(s->snap);
	s->snap = vals;
	s->n_snap = n;
	s->next_value = 0;
	s->reset_due = true;
	s->reset_missed = missed;
	s->resync_due = false;
	s->missed_due = 0;
	s->given = first ? 0 : s->seq;
	s->seq = seq;
	if (!first) {
		s->resyncs++;
		s->missed += missed;
	}
	return 0;
}

int iki_stream_open(struct iki_client *c, const struct proto_query *filter,
		    const struct iki_stream_options *o, struct iki_stream **out, char *message)
{
	struct iki_stream *s = calloc(1, sizeof(*s));
	if (message)
		message[0] = '\0';
	if (!s)
		return -ENOMEM;
	s->c = c;
	if (filter)
		s->filter = *filter;
	s->heartbeat_ms = o && o->heartbeat_ms > 0 ? o->heartbeat_ms : STREAM_HEARTBEAT_MS;
	s->heartbeat_ms_at = -1;
	int rc = iki_client_subscriber(c, o && o->rcvhwm > 0 ? o->rcvhwm : STREAM_RCVHWM, &s->sub);
	/* Subscribe first, then snapshot: an update published in between is in the snapshot too
	 * (and dropped by its seq); one published before the subscription reached ikid (a SUB
	 * joins late) shows as a gap with the next update or heartbeat, and a resync heals it. */
	if (rc == 0 && zmq_setsockopt(s->sub, ZMQ_SUBSCRIBE, "", 0) < 0)
		rc = -errno;
	if (rc == 0 && s->filter.jabatan[0])
		rc = resolve_jabatan(s, message);
	if (rc == 0) {
		rc = stream_resync(s, 0, true);
		if (rc < 0 && message)
			memcpy(message, s->message, sizeof(s->message));
	}
	if (rc < 0) {
		iki_stream_close(&s);
		return rc;
	}
	s->heard_ms = now_ms();
	*out = s;
	return 0;
}

void iki_stream_close(struct iki_stream **sp)
{
	struct iki_stream *s = sp ? *sp : NULL;
	if (!s)
		return;
	if (s->sub)
		zmq_close(s->sub);
	free(s->codes);
	free(s->snap);
	free(s);
	*sp = NULL;
}

/* The next part of a snapshot to yield, if any: its RESET, then its values. */
static bool snapshot_next(struct iki_stream *s, struct iki_stream_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = s->seq;
	if (s->reset_due) {
		s->reset_due = false;
		ev->kind = IKI_STREAM_RESET;
		ev->count = s->n_snap;
		ev->missed = s->reset_missed;
		return true;
	}
	if (s->next_value >= s->n_snap) {
		free(s->snap); /* an empty snapshot may still be an allocation */
		s->snap = NULL;
		s->given = s->seq;
		return false;
	}
	ev->kind = IKI_STREAM_VALUE;
	ev->value = s->snap[s->next_value++];
	if (s->next_value == s->n_snap) {
		free(s->snap);
		s->snap = NULL;
		s->n_snap = s->next_value = 0;
		s->given = s->seq;
	}
	return true;
}

/* Receive one message (topic and body) from the SUB socket and decode it; <0 on failure. */
static int sub_recv(void *sub, struct proto_msg *m)
{
	zmq_msg_t topic, body;
	zmq_msg_init(&topic);
	zmq_msg_init(&body);
	int rc = zmq_msg_recv(&topic, sub, 0) < 0 ? -errno : 0;
	if (rc == 0 && !zmq_msg_more(&topic))
		rc = IKI_EMALFORMED; /* a lone frame: not ikid's */
	if (rc == 0)
		rc = zmq_msg_recv(&body, sub, 0) < 0 ? -errno : 0;
	while (rc == 0 && zmq_msg_more(&body)) /* extra frames: drain them, then refuse */
		rc = zmq_msg_recv(&body, sub, 0) < 0 ? -errno : IKI_EMALFORMED;
	if (rc == 0)
		rc = proto_decode(zmq_msg_data(&body), zmq_msg_size(&body), m);
	zmq_msg_close(&topic);
	zmq_msg_close(&body);
	return rc;
}

/*
 * Apply one message from ikid. Returns 1 with an event to yield in *ev, 0 when there is none
 * (an update already applied or filtered out, or one that calls for a resync, now taken), or
 * the failure of the snapshot that a gap called for.
 */
static int stream_apply(struct iki_stream *s, struct proto_msg *m, struct iki_stream_event *ev)
{
	s->heard_ms = now_ms();
	s->stale = false;
	if (m->type == PROTO_HEARTBEAT) {
		s->heartbeat_ms_at = s->heard_ms;
		/* An older seq is a heartbeat sent before our snapshot was read: nothing missed. */
		if (m->seq > s->seq) {
			int rc = stream_resync(s, m->seq - s->seq, false);
			if (rc < 0)
				return rc;
		}
		memset(ev, 0, sizeof(*ev));
		ev->kind = IKI_STREAM_HEARTBEAT;
		ev->seq = m->seq;
		return 1;
	}
	if (m->type != PROTO_UPDATE || m->n_values != 1 || m->seq <= s->seq)
		return 0; /* not ours to apply, or in the snapshot already */
	if (m->seq > s->seq + 1)
		return stream_resync(s, m->seq - s->seq - 1, false);
	s->seq = s->given = m->seq;
	if (!stream_wants(s, &m->values[0]))
		return 0;
	memset(ev, 0, sizeof(*ev));
	ev->kind = IKI_STREAM_UPDATE;
	ev->seq = m->seq;
	ev->value = m->values[0];
	return 1;
}

/*
 * Milliseconds to wait in one poll: until the deadline (-1: none; 0 once it has passed) or until
 * the stream would go stale, whichever comes first.
 */
static long poll_wait(const struct iki_stream *s, int64_t deadline, int64_t now)
{
	int64_t wait = deadline < 0 ? -1 : deadline > now ? deadline - now : 0;
	if (!s->stale) {
		int64_t to_stale =
		    s->heard_ms + (int64_t)STREAM_STALE_BEATS * s->heartbeat_ms - now;
		if (wait < 0 || to_stale < wait)
			wait = to_stale;
	}
	return (long)wait;
}

int iki_stream_next(struct iki_stream *s, struct iki_stream_event *ev, int timeout_ms)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		if (s->resync_due && now_ms() >= s->resync_at) {
			int rc = stream_resync(s, s->missed_due, false);
			if (rc < 0)
				return rc;
		}
		if (snapshot_next(s, ev))
			return 1;
		int64_t now = now_ms();
		if (!s->stale &&
		    now - s->heard_ms >= (int64_t)STREAM_STALE_BEATS * s->heartbeat_ms) {
			s->stale = true;
			memset(ev, 0, sizeof(*ev));
			ev->kind = IKI_STREAM_STALE;
			ev->seq = s->seq;
			return 1;
		}
		zmq_pollitem_t it = {s->sub, 0, ZMQ_POLLIN, 0};
		int rc = zmq_poll(&it, 1, poll_wait(s, deadline, now));
		if (rc < 0)
			return -errno;
		if (rc == 0 && deadline >= 0 && now_ms() >= deadline)
			return 0; /* (a timeout of 0 still looks once) */
		if (rc == 0)
			continue;
		struct proto_msg m = {0};
		rc = sub_recv(s->sub, &m);
		if (rc == -EINTR)
			return rc;
		rc = rc < 0 ? 0 : stream_apply(s, &m, ev); /* an undecodable message is skipped */
		proto_msg_clear(&m);
		if (rc != 0)
			return rc;
	}
}

void iki_stream_status(const struct iki_stream *s, struct iki_stream_status *st)
{
	int64_t now = now_ms();
	st->seq = s->given;
	st->resyncs = s->resyncs;
	st->missed = s->missed;
	st->heartbeat_age_ms = s->heartbeat_ms_at < 0 ? -1 : now - s->heartbeat_ms_at;
	st->heard_age_ms = now - s->heard_ms;
	st->stale = s->stale;
}

uint64_t iki_stream_resyncs(const struct iki_stream *s)
{
	return s->resyncs;
}

const char *iki_stream_message(const struct iki_stream *s)
{
	return s->message;
}
