/* reader.c: the reader threads and the read requests they answer (see reader.h). */
#include "reader.h"

#include <stdatomic.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "authz.h"
#include "grow.h"
#include "iki.h"
#include "log.h"
#include "metrics.h"
#include "thread.h"
#include "period.h"

#define READER_WORK "inproc://ikid-reads"      /* writer PUSH -> reader PULLs: struct pending * */
#define READER_REPLIES "inproc://ikid-replies" /* reader PUSHes -> writer PULL: the answers */
#define READER_STOP_POLL_MS 100 /* a stop's NULL can miss a reader (its queue full): it looks */

/* A peer with read requests unanswered. */
struct peer_reads {
	unsigned char id[256];
	size_t len;
	int n;
};

struct reader {
	struct readers *r;
	void *work, *out; /* its ends, made and connected by readers_new before the thread runs */
	pthread_t thread;
	bool started;
};

struct readers {
	void *ctx;
	void *work, *replies; /* the writer's ends */
	struct read_ctx x;
	struct reader t[READER_THREADS];
	atomic_bool stop; /* readers_free: a reader idle for READER_STOP_POLL_MS ends */
	struct peer_reads *peers; /* those with n > 0 */
	size_t n_peers, cap_peers;
};

/* ---- the read requests ---- */

/* A query, or a snapshot (every stored value it asks for, with the seq it is consistent with). */
static void reply_values(const struct read_ctx *s, void *sock, struct pending *p)
{
	struct proto_msg r = {.type = PROTO_VALUES, .req = p->msg.req};
	const struct proto_query *q = &p->msg.query;
	struct store_page pg = {.after = p->msg.after,
				.limit = p->msg.limit ? p->msg.limit : READER_SNAPSHOT_PAGE};
	int rc = p->msg.type == PROTO_SNAPSHOT
			 ? store_snapshot_page(s->st, q, &pg, &r.values, &r.n_values, &r.seq)
			 : store_query(s->st, q, &r.values, &r.n_values);
	snprintf(r.next, sizeof(r.next), "%s", pg.next);
	if (rc < 0)
		reply_error(sock, p, rc, rc == IKI_EFIELD ? "after" : reply_detail(q, rc));
	pthread_rwlock_rdlock(s->targets_lock);
	for (size_t i = 0; rc == 0 && i < r.n_values; i++) {
		struct proto_value *v = &r.values[i];
		struct period per = {0};
		period_parse(v->period, &per); /* the store's own ids: they parse */
		targets_decorate(s->targets, s->cat, catalog_indicator_find(s->cat, v->indicator),
				 catalog_orgunit_find(s->cat, v->orgunit), per, v);
	}
	pthread_rwlock_unlock(s->targets_lock);
	if (rc == 0 && p->msg.type == PROTO_SNAPSHOT)
		metrics_snapshot_page(!p->msg.after[0]);
	if (rc == 0)
		reply_send(sock, p, &r);
	free(r.values);
}

/* What an org unit costs a catalog page at most, in bytes: its map's header, its four keys with
 * their strings' headers (35), and its strings. */
static size_t orgunit_bytes(const struct catalog *c, int i)
{
	const struct catalog_orgunit *co = &c->orgunits[i];
	return 35 + strlen(co->code) + strlen(co->name) + strlen(co->kind) +
	       (co->parent >= 0 ? strlen(c->orgunits[co->parent].code) : 0);
}

/*
 * The org units of a describe's page, [*from, *to): those after the cursor q->after (an org
 * unit's code; "": from the first), at most q->limit when it is set, while they fit in
 * READER_CATALOG_BYTES, and at least one. 0, or IKI_EFIELD for a cursor naming no org unit.
 */
static int catalog_page_cut(const struct catalog *c, const struct proto_msg *q, int *from, int *to)
{
	int last = q->after[0] ? catalog_orgunit_find(c, q->after) : -1;
	if (q->after[0] && last < 0)
		return IKI_EFIELD;
	size_t bytes = 0, max = q->limit ? q->limit : (size_t)c->n_orgunits;
	*from = *to = last + 1;
	while (*to < c->n_orgunits && (size_t)(*to - *from) < max &&
	       ((bytes += orgunit_bytes(c, *to)) <= READER_CATALOG_BYTES || *to == *from))
		(*to)++;
	return 0;
}

/* The head of the catalog, its first page's: title, letter, indicators in words, elements and
 * case types (r's arrays allocated with room for them). */
static void catalog_head(const struct catalog *c, struct proto_msg *r)
{
	snprintf(r->title, sizeof(r->title), "%s", c->title);
	r->year = c->year;
	r->letter = c->letter;
	for (int i = 0; i < c->n_indicators; i++) {
		const struct catalog_indicator *ci = &c->indicators[i];
		struct proto_indicator *d = &r->indicators[r->n_indicators++];
		snprintf(d->indicator, sizeof(d->indicator), "%s", ci->code);
		snprintf(d->rows, sizeof(d->rows), "%s", ci->rows);
		snprintf(d->name, sizeof(d->name), "%s", ci->name);
		catalog_indicator_jabatan(c, i, d->jabatan, sizeof(d->jabatan));
		snprintf(d->sasaran, sizeof(d->sasaran), "%s", ci->sasaran);
		snprintf(d->kind, sizeof(d->kind), "%s", ci->kind);
		catalog_formula_words(c, i, false, d->numerator, sizeof(d->numerator));
		catalog_formula_words(c, i, true, d->denominator, sizeof(d->denominator));
		d->factor = ci->factor;
		d->down = ci->polarity == CATALOG_DOWN;
		snprintf(d->source, sizeof(d->source), "%s", ci->source);
	}
	for (int i = 0; i < c->n_elements + c->n_casetypes; i++)
		catalog_element_describe(c, i, &r->elements[r->n_elements++]);
}

/*
 * What the catalog holds, a page at a time (PROTOCOL.md "describe"): the first page its head
 * and the first org units, each later one only the org units after the cursor. A catalog whose
 * org units fit in one page (Sampang's) is one answer without a next, as before pages.
 */
static void reply_catalog(const struct read_ctx *s, void *sock, struct pending *p)
{
	const struct catalog *c = s->cat;
	struct proto_msg r = {.type = PROTO_CATALOG, .req = p->msg.req};
	bool head = !p->msg.after[0];
	int from, to;
	if (catalog_page_cut(c, &p->msg, &from, &to) < 0) {
		reply_error(sock, p, IKI_EFIELD, "after");
		return;
	}
	r.indicators = calloc(head ? (size_t)c->n_indicators + 1 : 1, sizeof(*r.indicators));
	r.orgunits = calloc((size_t)(to - from) + 1, sizeof(*r.orgunits));
	r.elements = calloc(head ? (size_t)c->n_elements + (size_t)c->n_casetypes + 1 : 1,
			    sizeof(*r.elements));
	if (!r.indicators || !r.orgunits || !r.elements) {
		reply_error(sock, p, -ENOMEM, NULL);
		proto_msg_clear(&r);
		return;
	}
	if (head)
		catalog_head(c, &r);
	for (int i = from; i < to; i++) {
		const struct catalog_orgunit *co = &c->orgunits[i];
		struct proto_orgunit *o = &r.orgunits[r.n_orgunits++];
		snprintf(o->code, sizeof(o->code), "%s", co->code);
		snprintf(o->name, sizeof(o->name), "%s", co->name);
		snprintf(o->kind, sizeof(o->kind), "%s", co->kind);
		if (co->parent >= 0)
			snprintf(o->parent, sizeof(o->parent), "%s", c->orgunits[co->parent].code);
	}
	if (to < c->n_orgunits)
		snprintf(r.next, sizeof(r.next), "%s", c->orgunits[to - 1].code);
	reply_send(sock, p, &r);
	proto_msg_clear(&r);
}


/* An event's history: the chain of corrections it belongs to. */
static void reply_history(const struct read_ctx *s, void *sock, struct pending *p)
{
	struct proto_msg r = {.type = PROTO_EVENTS, .req = p->msg.req};
	const struct proto_query *q = &p->msg.query;
	struct period per;
	size_t limit = p->msg.limit ? p->msg.limit : READER_HISTORY_PAGE;
	struct store_page pg = {.after = p->msg.after,
				.limit = limit < READER_HISTORY_MAX ? limit : READER_HISTORY_MAX};
	int ind = catalog_indicator_find(s->cat, q->indicator);
	int ou = q->orgunit[0] ? catalog_orgunit_find(s->cat, q->orgunit) : 0;
	struct authz_view view; /* a clerk or a section sees the events of its scope, others all */
	authz_view_init(&view, &p->client, s->cat, AUTHZ_HISTORY);
	int rc = p->msg.id[0] ? store_history(s->st, p->msg.id, &view.viewer, &r.stored, &r.n_stored)
	       : ind < 0 ? IKI_EINDICATOR
	       : ou < 0 ? IKI_EORGUNIT
	       : period_parse(q->period, &per) < 0
		   ? IKI_EPERIOD
		   : store_history_page(s->st, ind, ou, per, &view.viewer, &pg, &r.stored,
					&r.n_stored);
	snprintf(r.next, sizeof(r.next), "%s", pg.next);
	if (rc == IKI_EFIELD)
		reply_error(sock, p, rc, "after");
	else if (rc == -ENOENT)
		reply_error(sock, p, IKI_EREF, p->msg.id);
	else if (rc < 0)
		reply_error(sock, p, rc, reply_detail(q, rc));
	else
		reply_send(sock, p, &r);
	proto_msg_clear(&r);
}

/* Who ikid takes the key for (authz.c). */
static void reply_identity(const struct read_ctx *s, void *sock, struct pending *p)
{
	struct proto_msg r = {.type = PROTO_IDENTITY, .req = p->msg.req};
	int rc = authz_whoami(&p->client, s->cat, &r.identity);
	if (rc < 0)
		reply_error(sock, p, rc, NULL);
	else
		reply_send(sock, p, &r);
	proto_msg_clear(&r);
}

/* A note request that writes nothing: the notes it names, or one note's versions. */
static void reply_notes(const struct read_ctx *x, void *sock, struct pending *p)
{
	const struct proto_query *q = &p->msg.query;
	struct proto_msg r = {.type = PROTO_NOTES, .req = p->msg.req};
	int rc = store_notes(x->st, q, p->msg.note_history, &r.notes, &r.n_notes);
	if (rc < 0)
		reply_error(sock, p, rc, reply_detail(q, rc));
	else
		reply_send(sock, p, &r);
	proto_msg_clear(&r);
}

bool readers_serve(enum proto_type type)
{
	return type == PROTO_QUERY || type == PROTO_SNAPSHOT || type == PROTO_HISTORY ||
	       type == PROTO_DESCRIBE || type == PROTO_WHOAMI || type == PROTO_NOTE;
}

void readers_answer(const struct read_ctx *x, void *sock, struct pending *p)
{
	store_read_enter(x->st);
	if (p->msg.type == PROTO_QUERY || p->msg.type == PROTO_SNAPSHOT)
		reply_values(x, sock, p);
	else if (p->msg.type == PROTO_DESCRIBE)
		reply_catalog(x, sock, p);
	else if (p->msg.type == PROTO_HISTORY)
		reply_history(x, sock, p);
	else if (p->msg.type == PROTO_WHOAMI)
		reply_identity(x, sock, p);
	else if (p->msg.type == PROTO_NOTE)
		reply_notes(x, sock, p);
	else
		reply_error(sock, p, IKI_ETYPE, proto_type_name(p->msg.type));
	store_read_leave(x->st);
}

/* ---- requests handed over and taken back ---- */

struct pending *pending_take(struct pending *p)
{
	struct pending *c = malloc(sizeof(*c));
	if (!c)
		return NULL;
	memcpy(c, p, sizeof(*c));
	zmq_msg_init(&c->identity);
	zmq_msg_move(&c->identity, &p->identity);
	c->who = c->client.name;
	memset(&p->msg, 0, sizeof(p->msg)); /* moved: the caller's clear frees nothing of it */
	p->results = NULL;
	return c;
}

void pending_free(struct pending **pp)
{
	struct pending *p = pp ? *pp : NULL;
	if (!p)
		return;
	zmq_msg_close(&p->identity);
	free(p->results);
	proto_msg_clear(&p->msg);
	free(p);
	*pp = NULL;
}

/* The count of a peer's unanswered reads, made when missing (NULL: no memory). */
static struct peer_reads *peer_find(struct readers *r, const void *id, size_t len, bool make)
{
	for (size_t i = 0; i < r->n_peers; i++)
		if (r->peers[i].len == len && memcmp(r->peers[i].id, id, len) == 0)
			return &r->peers[i];
	if (!make || len > sizeof(r->peers[0].id))
		return NULL;
	if (grow((void **)&r->peers, &r->cap_peers, r->n_peers + 1, sizeof(*r->peers)) < 0)
		return NULL;
	struct peer_reads *pr = &r->peers[r->n_peers++];
	memcpy(pr->id, id, len);
	pr->len = len;
	pr->n = 0;
	return pr;
}

int readers_submit(struct readers *r, struct pending **pp)
{
	struct pending *p = *pp;
	struct peer_reads *pr = peer_find(r, zmq_msg_data(&p->identity), zmq_msg_size(&p->identity),
					  true);
	if (!pr)
		return -ENOMEM;
	if (pr->n >= READER_PER_PEER)
		return IKI_EPENDING;
	if (zmq_send(r->work, pp, sizeof(*pp), ZMQ_DONTWAIT) != (int)sizeof(*pp))
		return errno == EAGAIN ? IKI_EBUSY : -errno; /* every reader's queue full: not its fault */
	pr->n++;
	metrics_reads(1);
	*pp = NULL;
	return 0;
}

void *readers_socket(struct readers *r)
{
	return r->replies;
}

/* Forward one answer, [identity] ([""]) [body], and count it answered. 0, or -1: none waiting. */
static int forward_one(struct readers *r, void *router)
{
	zmq_msg_t f;
	int more = 1, first = 1;
	while (more) {
		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, r->replies, first ? ZMQ_DONTWAIT : 0) < 0) {
			zmq_msg_close(&f);
			return -1;
		}
		more = zmq_msg_more(&f);
		if (first) {
			struct peer_reads *pr = peer_find(r, zmq_msg_data(&f), zmq_msg_size(&f), false);
			if (pr)
				metrics_reads(-1);
			if (pr && --pr->n == 0)
				*pr = r->peers[--r->n_peers];
		}
		first = 0;
		zmq_msg_send(&f, router, (more ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT);
		zmq_msg_close(&f);
	}
	return 0;
}

void readers_forward(struct readers *r, void *router)
{
	for (int i = 0; i < 256 && forward_one(r, router) == 0; i++)
		;
}

/* ---- the threads ---- */

static void *reader_run(void *arg)
{
	struct reader *t = arg;
	/* This thread only (Linux: a thread's own nice value): under load the writer gets the CPU
	 * first, and a reader still gets its share. Not SCHED_IDLE: there a reader got next to
	 * nothing while other work kept both CPUs busy (a query took 0.43 s beside 6 busy loops,
	 * 0.09 s at nice 19), and one holding a lock the writer then wants (the map's, the
	 * targets') would hold the writer up as long. */
	setpriority(PRIO_PROCESS, 0, READER_NICE);
	for (;;) {
		struct pending *p = NULL;
		int n = zmq_recv(t->work, &p, sizeof(p), 0);
		if (n < 0 && errno == EAGAIN) {
			if (!atomic_load(&t->r->stop))
				continue;
			/* stopping: one that came in as the wait ran out is still answered (freed) */
			n = zmq_recv(t->work, &p, sizeof(p), ZMQ_DONTWAIT);
		}
		if (n != (int)sizeof(p) || !p)
			break; /* NULL, or stopping with nothing queued: stop */
		readers_answer(&t->r->x, t->out, p);
		pending_free(&p);
	}
	return NULL;
}

/*
 * A reader's two sockets, connected here, in the writer's thread, before its thread starts
 * (pthread_create is the barrier libzmq asks for to hand a socket to another thread). A reader
 * that connected only once it first ran was, under load (then at SCHED_IDLE), not connected yet: the
 * writer's PUSH then had nobody to queue a request for (EAGAIN), and at a stop both NULLs went
 * to the one connected reader while the other waited forever.
 */
static int reader_sockets(struct readers *r, struct reader *t)
{
	int zero = 0, one = 1, poll = READER_STOP_POLL_MS;
	t->work = zmq_socket(r->ctx, ZMQ_PULL);
	t->out = zmq_socket(r->ctx, ZMQ_PUSH);
	if (!t->work || !t->out || zmq_setsockopt(t->work, ZMQ_RCVTIMEO, &poll, sizeof(poll)) < 0 ||
	    zmq_setsockopt(t->work, ZMQ_RCVHWM, &one, sizeof(one)) < 0 ||
	    zmq_connect(t->work, READER_WORK) < 0 ||
	    zmq_setsockopt(t->out, ZMQ_SNDHWM, &zero, sizeof(zero)) < 0 ||
	    zmq_setsockopt(t->out, ZMQ_LINGER, &zero, sizeof(zero)) < 0 ||
	    zmq_connect(t->out, READER_REPLIES) < 0)
		return -errno;
	return 0;
}

static void reader_close(struct reader *t)
{
	if (t->work)
		zmq_close(t->work);
	if (t->out)
		zmq_close(t->out);
	t->work = t->out = NULL;
}

int readers_new(void *ctx, const struct read_ctx *x, struct readers **out)
{
	struct readers *r = calloc(1, sizeof(*r));
	int zero = 0;
	if (!r)
		return -ENOMEM;
	r->ctx = ctx;
	r->x = *x;
	r->work = zmq_socket(ctx, ZMQ_PUSH);
	r->replies = zmq_socket(ctx, ZMQ_PULL);
	int rc = r->work && r->replies ? 0 : -errno, queue = READER_QUEUE;
	if (rc == 0) /* an inproc queue holds the sender's and the receiver's marks: 512 + 1 */
		zmq_setsockopt(r->work, ZMQ_SNDHWM, &queue, sizeof(queue));
	if (rc == 0)
		zmq_setsockopt(r->replies, ZMQ_RCVHWM, &zero, sizeof(zero));
	if (rc == 0 && (zmq_bind(r->work, READER_WORK) < 0 || zmq_bind(r->replies, READER_REPLIES) < 0))
		rc = -errno;
	/* The readers take no signal: one caught in a reader ended its zmq_recv (EINTR), and the
	 * reader with it, its queue then never answered. */
	sigset_t was;
	thread_signals_block(&was);
	for (int i = 0; rc == 0 && i < READER_THREADS; i++) {
		r->t[i].r = r;
		rc = reader_sockets(r, &r->t[i]);
		if (rc == 0)
			rc = -pthread_create(&r->t[i].thread, NULL, reader_run, &r->t[i]);
		r->t[i].started = rc == 0;
	}
	thread_signals_restore(&was);
	if (rc < 0) {
		readers_free(&r);
		return rc;
	}
	*out = r;
	return 0;
}

void readers_free(struct readers **rp)
{
	struct readers *r = rp ? *rp : NULL;
	if (!r)
		return;
	struct pending *stop = NULL;
	atomic_store(&r->stop, true);
	for (int i = 0; i < READER_THREADS; i++)
		if (r->t[i].started)
			zmq_send(r->work, &stop, sizeof(stop), ZMQ_DONTWAIT);
	for (int i = 0; i < READER_THREADS; i++) {
		if (r->t[i].started)
			pthread_join(r->t[i].thread, NULL);
		reader_close(&r->t[i]); /* its thread is gone: the socket is the writer's again */
	}
	for (struct pending *p; r->replies && zmq_recv(r->replies, &p, 0, ZMQ_DONTWAIT) >= 0;)
		; /* answers nobody forwards any more */
	int zero = 0;
	if (r->work) {
		zmq_setsockopt(r->work, ZMQ_LINGER, &zero, sizeof(zero));
		zmq_close(r->work);
	}
	if (r->replies)
		zmq_close(r->replies);
	free(r->peers);
	free(r);
	*rp = NULL;
}
