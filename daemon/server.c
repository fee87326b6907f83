/* server.c: the writer loop: drain requests, apply submits in one transaction, reply, publish. */
#include "server.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zmq.h>

#include "authz.h"
#include "guard.h"
#include "reader.h"
#include "reply.h"
#include "iki.h"
#include "lakip.h"
#include "log.h"
#include "metrics.h"
#include "period.h"
#include "publish.h"
#include "targets.h"

#define SERVER_BATCH_EVENTS 20000 /* stop draining once a batch holds this many events */
#define SERVER_BATCH_REQUESTS 512 /* ... or this many requests */

struct server {
	void *ctx, *router, *pub;
	void *monitor[2];     /* PAIRs: handshake failures of router and pub, for the log */
	int64_t refused_ms;   /* when a failed handshake was last logged */
	unsigned refused;     /* failed handshakes since, not logged (clients retry 10 times/s) */
	char listen[256], publish[256];
	struct store *st;
	const struct catalog *cat;
	struct auth *auth;
	struct targets *targets;
	pthread_rwlock_t targets_lock; /* the writer notes targets, the readers decorate with them */
	struct readers *readers;
	struct guard *guard;  /* bounds what each connected peer makes libzmq hold */
	volatile sig_atomic_t *reload;
	void (*tick)(void *arg);
	void *tick_arg;
	int tick_ms;
	size_t batch_events;
	struct publisher *publisher; /* on pub: the values each batch changed, the heartbeat */
	int64_t readers_ms;   /* when the store's reader slots were last checked */
	int64_t unbound_ms;   /* out of descriptors: when the ROUTER stopped listening, or 0 */
	int64_t nofd_ms;      /* when running out of descriptors was last logged */
	struct pending pend[SERVER_BATCH_REQUESTS];
};

/* ---- setup ---- */

static int bind_socket(void *sock, const struct server_options *o, const char *endpoint,
		       char *bound, size_t n)
{
	int64_t maxmsg = PROTO_MSG_MAX;
	int linger = 1000;
	zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg));
	zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof(linger));
	if (o->auth && curve_set_server(sock, o->keys) < 0)
		return -errno;
	if (zmq_bind(sock, endpoint) < 0)
		return -errno;
	return zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, bound, &n) < 0 ? -errno : 0;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ms(void)
{
	return now_ns() / 1000000;
}

/*
 * Watch both sockets on PAIRs: connections accepted and closed (for the guard), and handshakes
 * that fail before ZAP could judge them (plain text clients, wrong server key), for the log.
 */
static int monitor_start(struct server *s)
{
	const int events = ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
			   ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_CLOSED |
			   ZMQ_EVENT_ACCEPT_FAILED;
	void *sock[2] = {s->router, s->pub};
	const char *ep[2] = {"inproc://ikid-monitor-router", "inproc://ikid-monitor-pub"};
	for (int i = 0; i < 2; i++) {
		if (zmq_socket_monitor(sock[i], ep[i], events) < 0)
			return -errno;
		s->monitor[i] = zmq_socket(s->ctx, ZMQ_PAIR);
		if (!s->monitor[i] || zmq_connect(s->monitor[i], ep[i]) < 0)
			return -errno;
	}
	return 0;
}

/* A failed handshake on addr, in the log: one line per 10 s at most, with a count. */
static void refused_log(struct server *s, zmq_msg_t *addr)
{
	if (now_ms() - s->refused_ms >= 10000 || s->refused_ms == 0) {
		log_warnx("refused a connection on %.*s: handshake failed (a plain-text client, or one "
			  "with the wrong server key); %u more since the last report",
			  (int)zmq_msg_size(addr), (const char *)zmq_msg_data(addr), s->refused);
		s->refused = 0;
		s->refused_ms = now_ms();
	} else {
		s->refused++;
	}
}

/*
 * An accept failed for want of descriptors: libzmq would retry at once, forever (the listening
 * socket stays readable), so stop listening on the requests for SERVER_NOFD_PAUSE_MS (those
 * connected are served on) and say so, once a minute at most.
 */
static void out_of_fds(struct server *s, int err)
{
	struct rlimit rl = {0, 0};
	getrlimit(RLIMIT_NOFILE, &rl);
	if (s->nofd_ms == 0 || now_ms() - s->nofd_ms >= 60000) {
		log_warnx("out of file descriptors (%s; limit %llu): not accepting connections for "
			  "%d ms; raise LimitNOFILE", strerror(err), (unsigned long long)rl.rlim_cur,
			  SERVER_NOFD_PAUSE_MS);
		s->nofd_ms = now_ms();
	}
	if (!s->unbound_ms && zmq_unbind(s->router, s->listen) == 0)
		s->unbound_ms = now_ms();
}

/* Listen again once the pause after running out of descriptors is over. */
static void relisten(struct server *s)
{
	if (!s->unbound_ms || now_ms() - s->unbound_ms < SERVER_NOFD_PAUSE_MS)
		return;
	if (zmq_bind(s->router, s->listen) == 0)
		s->unbound_ms = 0;
	else
		s->unbound_ms = now_ms(); /* try again after another pause */
}

/* Take the events a monitor reported: [u16 event, u32 value] [endpoint]. */
static void monitor_log(struct server *s, void *monitor)
{
	for (int i = 0; monitor && i < 100; i++) {
		zmq_msg_t ev, addr;
		uint16_t id = 0;
		uint32_t value = 0;
		zmq_msg_init(&ev);
		zmq_msg_init(&addr);
		if (zmq_msg_recv(&ev, monitor, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&ev);
			zmq_msg_close(&addr);
			return;
		}
		if (zmq_msg_more(&ev))
			zmq_msg_recv(&addr, monitor, 0);
		if (zmq_msg_size(&ev) >= 6) {
			memcpy(&id, zmq_msg_data(&ev), 2);
			memcpy(&value, (const char *)zmq_msg_data(&ev) + 2, 4);
		}
		bool pub = monitor == s->monitor[1];
		if (pub && (id == ZMQ_EVENT_ACCEPTED || id == ZMQ_EVENT_DISCONNECTED))
			metrics_subscribers(id == ZMQ_EVENT_ACCEPTED ? 1 : -1);
		if (id == ZMQ_EVENT_ACCEPTED)
			guard_accepted(s->guard, (int)value, pub);
		else if (id == ZMQ_EVENT_DISCONNECTED || id == ZMQ_EVENT_CLOSED)
			guard_closed(s->guard, (int)value);
		else if (id == ZMQ_EVENT_ACCEPT_FAILED && (value == EMFILE || value == ENFILE))
			out_of_fds(s, (int)value);
		else if (id == ZMQ_EVENT_ACCEPT_FAILED)
			log_warnx("accepting a connection failed: %s", strerror((int)value));
		else
			refused_log(s, &addr);
		zmq_msg_close(&ev);
		zmq_msg_close(&addr);
	}
}

int server_new(struct store *st, const struct catalog *cat, const struct server_options *o,
	       struct server **out)
{
	struct server *s = calloc(1, sizeof(*s));
	int hwm = o->pub_hwm > 0 ? o->pub_hwm : SERVER_PUB_HWM, rc = 0;
	uint64_t events, last_seq;
	if (!s)
		return -ENOMEM;
	s->st = st;
	s->cat = cat;
	s->auth = o->auth;
	s->reload = o->reload;
	s->tick = o->tick;
	s->tick_arg = o->tick_arg;
	s->tick_ms = o->tick_ms;
	s->batch_events = o->batch_events ? o->batch_events : SERVER_BATCH_EVENTS;
	rc = targets_load(st, cat, &s->targets);
	pthread_rwlock_init(&s->targets_lock, NULL);
	store_stats(st, &events, &last_seq);
	s->ctx = zmq_ctx_new();
	s->router = s->ctx ? zmq_socket(s->ctx, ZMQ_ROUTER) : NULL;
	s->pub = s->ctx ? zmq_socket(s->ctx, ZMQ_PUB) : NULL;
	if (rc == 0 && (!s->router || !s->pub))
		rc = -errno;
	if (rc == 0)
		zmq_setsockopt(s->pub, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	if (rc == 0)
		rc = publisher_new(s->pub, cat, s->targets,
				   o->heartbeat_ms > 0 ? o->heartbeat_ms : SERVER_HEARTBEAT_MS, last_seq,
				   &s->publisher);
	if (rc == 0 && o->auth) /* before binding: a CURVE socket without ZAP accepts anyone */
		rc = auth_start(o->auth, s->ctx);
	if (rc == 0)
		rc = guard_new(o->auth != NULL, 0, &s->guard);
	struct read_ctx x = {st, cat, s->targets, &s->targets_lock};
	if (rc == 0)
		rc = readers_new(s->ctx, &x, &s->readers);

	if (rc == 0)
		rc = monitor_start(s);
	if (rc == 0)
		rc = bind_socket(s->router, o, o->listen ? o->listen : SERVER_LISTEN_DEFAULT,
				 s->listen, sizeof(s->listen));
	if (rc == 0)
		rc = bind_socket(s->pub, o, o->publish ? o->publish : SERVER_PUBLISH_DEFAULT,
				 s->publish, sizeof(s->publish));
	if (rc < 0) {
		server_free(&s);
		return rc;
	}
	*out = s;
	return 0;
}

void server_free(struct server **sp)
{
	struct server *s = sp ? *sp : NULL;
	if (!s)
		return;
	guard_free(&s->guard); /* first: it must not touch a descriptor libzmq closes */
	readers_free(&s->readers);
	publisher_free(&s->publisher);
	if (s->router)
		zmq_close(s->router);
	if (s->pub)
		zmq_close(s->pub);
	for (int i = 0; i < 2; i++)
		if (s->monitor[i])
			zmq_close(s->monitor[i]);
	if (s->ctx)
		zmq_ctx_term(s->ctx);
	targets_free(&s->targets);
	pthread_rwlock_destroy(&s->targets_lock);
	free(s);
	*sp = NULL;
}

void server_endpoints(const struct server *s, const char **listen, const char **publish)
{
	*listen = s->listen;
	*publish = s->publish;
}

/* ---- receiving ---- */

/* Receive the rest of a multipart message into body: [delimiter] body. Extra frames: malformed. */
static int recv_body(struct server *s, void *sock, struct pending *p, zmq_msg_t *body)
{
	int frames = 0, more = 1;
	size_t sz = sizeof(more);
	bool bad = false;
	while (more) {
		zmq_msg_t f;
		zmq_msg_init(&f);
		if (zmq_msg_recv(&f, sock, 0) < 0) {
			zmq_msg_close(&f);
			return -errno;
		}
		zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz);
		p->fd = zmq_msg_get(&f, ZMQ_SRCFD);
		guard_read(s->guard, p->fd, zmq_msg_size(&f));
		frames++;
		if (frames == 1 && more && zmq_msg_size(&f) == 0)
			p->delim = true;
		else if ((frames == 1 && !more) || (frames == 2 && p->delim && !more))
			zmq_msg_move(body, &f);
		else
			bad = true;
		zmq_msg_close(&f);
	}
	return bad ? IKI_EMALFORMED : 0;
}

/*
 * Who sent the request, from the User-Id our ZAP handler gave its connection (the client's
 * key), and whether its role may make it (authz.c). Never from anything inside the message.
 */
static void identify(struct server *s, struct pending *p, const char *key)
{
	p->who = p->client.name;
	if (!s->auth) {
		p->client = (struct auth_client){.name = "local", .role = AUTH_ADMIN, .scope_ou = -1};
		return;
	}
	if (!key || !auth_lookup(s->auth, key, &p->client)) { /* removed by a reload since */
		snprintf(p->client.name, sizeof(p->client.name), "%.12s...", key ? key : "?");
		if (p->rc == 0)
			p->rc = IKI_EFORBIDDEN;
		return;
	}
	if (p->rc == 0)
		p->rc = authz_request(&p->client, &p->msg);
}

/* Receive one request without blocking. Returns 1 when one arrived, 0 when none, <0 on error. */
static int recv_request(struct server *s, struct pending *p)
{
	zmq_msg_t body;
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	zmq_msg_init(&p->identity);
	if (zmq_msg_recv(&p->identity, s->router, ZMQ_DONTWAIT) < 0) {
		int e = errno;
		zmq_msg_close(&p->identity);
		return e == EAGAIN ? 0 : -e;
	}
	zmq_msg_init(&body);
	p->rc = recv_body(s, s->router, p, &body);
	if (p->rc == 0)
		p->rc = proto_decode(zmq_msg_data(&body), zmq_msg_size(&body), &p->msg);
	metrics_request(p->msg.type);
	identify(s, p, zmq_msg_gets(&body, "User-Id"));
	zmq_msg_close(&body);
	return 1;
}

/* ---- replying and publishing ---- */

/* A lock's answer: every locked period (after the change, when it asked for one). */
static void reply_locks(struct server *s, struct pending *p, int storage_rc)
{
	struct proto_msg r = {.type = PROTO_LOCKS, .req = p->msg.req};
	int rc = p->msg.query.period[0] && storage_rc < 0 ? storage_rc : p->lock_rc;
	if (p->msg.query.period[0] && rc == 0) /* committed: said once it is true */
		log_info("%s %s period %s", p->who, p->msg.unlock ? "unlocked" : "locked",
			 p->msg.query.period);
	if (rc == 0 || rc == 1)
		rc = store_locks(s->st, &r.locks, &r.n_locks);
	if (rc < 0)
		reply_error(s->router, p, rc, reply_detail(&p->msg.query, rc)); /* the period typed */
	else
		reply_send(s->router, p, &r);
	proto_msg_clear(&r);
}

/* A target's answer: the targets set (of the indicator asked about), after the change. */
static void reply_targets(struct server *s, struct pending *p, int storage_rc)
{
	struct proto_msg r = {.type = PROTO_TARGETS, .req = p->msg.req};
	const struct proto_query *q = &p->msg.query;
	int ind = q->indicator[0] ? catalog_indicator_find(s->cat, q->indicator) : -1;
	int rc = p->msg.has_target ? (storage_rc < 0 ? storage_rc : p->target_rc) : 0;
	if (rc == 0 && q->indicator[0] && ind < 0)
		rc = IKI_EINDICATOR;
	if (rc == 0)
		rc = targets_list(s->targets, ind, &r.targets, &r.n_targets);
	char num[32], sent[40];
	if (rc == IKI_EVALUE) /* what was sent, as the sentence writes its bounds: "5.000 %" */
		snprintf(sent, sizeof(sent), "%s %%", lakip_hundredths(p->msg.target, num, sizeof(num)));
	if (rc < 0)
		reply_error(s->router, p, rc, rc == IKI_EVALUE ? sent : reply_detail(q, rc));
	else
		reply_send(s->router, p, &r);
	proto_msg_clear(&r);
}

/* A note's answer once written: the note as stored (who, when), or why it was refused. */
static void reply_note(struct server *s, struct pending *p, int storage_rc)
{
	const struct store_note *n = &p->note;
	int rc = storage_rc < 0 ? storage_rc : p->note_rc;
	if (rc < 0) {
		reply_error(s->router, p, rc, reply_detail(&p->msg.query, rc));
		return;
	}
	struct proto_note x = {.at_ms = n->at_ms};
	struct proto_msg r = {.type = PROTO_NOTES, .req = p->msg.req, .notes = &x, .n_notes = 1};
	snprintf(x.indicator, sizeof(x.indicator), "%s", s->cat->indicators[n->ind].code);
	snprintf(x.orgunit, sizeof(x.orgunit), "%s", s->cat->orgunits[n->ou].code);
	period_format(n->p, x.period);
	snprintf(x.text, sizeof(x.text), "%s", n->text);
	snprintf(x.who, sizeof(x.who), "%s", n->who);
	log_info("%s %s the note of %s at %s for %s", p->who, n->text[0] ? "wrote" : "cleared",
		 x.indicator, x.orgunit, x.period);
	reply_send(s->router, p, &r);
}

/* A read goes to the reader threads: refused when its peer has too many unanswered. */
static void hand_over(struct server *s, struct pending *p)
{
	bool unread = guard_unsent(p->fd) > GUARD_UNSENT_MAX; /* it does not read its answers */
	struct pending *c = unread ? NULL : pending_take(p);
	int rc = unread ? IKI_EPENDING : c ? readers_submit(s->readers, &c) : -ENOMEM;
	if (rc < 0)
		reply_error(s->router, c ? c : p, rc, NULL);
	pending_free(&c);
}

/* Answer one request, in arrival order; storage_rc is the batch's commit outcome. */
static void reply(struct server *s, struct pending *p, int storage_rc)
{
	if (p->rc == IKI_EFORBIDDEN) {
		log_warnx("refused a %s from %s (%s): forbidden", proto_type_name(p->msg.type),
			  p->who, auth_role_name(p->client.role));
		reply_error(s->router, p, p->rc, auth_role_name(p->client.role));
	} else if (p->rc < 0) {
		log_warnx("refused a message from %s: %s", p->who, iki_code_name(p->rc));
		reply_error(s->router, p, p->rc, NULL);
	} else if (p->msg.type == PROTO_SUBMIT && storage_rc < 0) {
		reply_error(s->router, p, storage_rc, NULL);
	} else if (p->msg.type == PROTO_SUBMIT) {
		struct proto_msg r = {.type = PROTO_SUBMITTED, .req = p->msg.req,
				      .results = p->results, .n_results = p->msg.n_events};
		reply_send(s->router, p, &r);
	} else if (p->msg.type == PROTO_NOTE && p->msg.has_note) {
		reply_note(s, p, storage_rc);
	} else if (readers_serve(p->msg.type)) {
		hand_over(s, p);
	} else if (p->msg.type == PROTO_LOCK) {
		reply_locks(s, p, storage_rc);
	} else if (p->msg.type == PROTO_TARGET) {
		reply_targets(s, p, storage_rc);
	} else {
		reply_error(s->router, p, IKI_ETYPE, proto_type_name(p->msg.type));
	}
}

/* ---- the batch ---- */

/*
 * Authorise a resolved event (authz.c): one outside the sender's scope is refused (result set,
 * logged: false). A stored event out of its scope was never in sight (store_resolve asked the
 * pending's view): a correction of one is refused as unknown_ref, as if it did not exist.
 */
static bool authorise(const struct pending *p, const struct catalog *cat, struct store_event *e,
		      struct proto_result *res)
{
	const struct proto_event *ev = e->ev;
	if (authz_reaches(&p->client, cat, AUTHZ_SUBMIT, e->at.ou, e->at.el, e->at.ct))
		return true;
	res->status = PROTO_STATUS_ERROR;
	res->code = authz_refusal(&p->client, cat, e->at.ou, e->at.el, e->at.ct, res->message,
				  sizeof(res->message));
	log_warnx("refused event %s from %s (%s %s): %s at %s is out of scope", ev->id, p->who,
		  auth_role_name(p->client.role), p->client.scope, ev->element, ev->orgunit);
	return false;
}

/* Resolve, authorise and apply one event of a submit. Returns 0 or a storage code. */
static int submit_one(struct server *s, struct store_batch *b, const struct pending *p,
		      const struct proto_event *ev, struct proto_result *res)
{
	struct store_event e;
	int rc = store_resolve(b, ev, &p->view.viewer, &e);
	if (rc < 0)
		return rc;
	if (!ev->err && !authorise(p, s->cat, &e, res))
		return 0;
	return store_apply_event(b, &e, p->who, res);
}

/* The value a target or a note is for: q's indicator, org unit (the root when none) and period,
 * as catalog indices and a period; 0 or the code of the first that names nothing. */
static int value_codes(const struct catalog *cat, const struct proto_query *q, int *ind, int *ou,
		       struct period *p)
{
	*ind = catalog_indicator_find(cat, q->indicator);
	*ou = q->orgunit[0] ? catalog_orgunit_find(cat, q->orgunit) : 0;
	if (*ind < 0)
		return IKI_EINDICATOR;
	if (*ou < 0)
		return IKI_EORGUNIT;
	return period_parse(q->period, p) < 0 ? IKI_EPERIOD : 0;
}

/* A target request's indicator, org unit, period and value, into p->target; 0 or a code. */
static int target_check(const struct server *s, struct pending *p)
{
	struct store_target *t = &p->target;
	memset(t, 0, sizeof(*t));
	int rc = value_codes(s->cat, &p->msg.query, &t->ind, &t->ou, &t->p);
	if (rc < 0)
		return rc;
	if (t->p.kind != PERIOD_QUARTER && t->p.kind != PERIOD_YEAR)
		return IKI_EPERIOD; /* targets are for the year and its quarters */
	if (p->msg.target <= 0 || p->msg.target > CATALOG_TARGET_MAX)
		return IKI_EVALUE;
	t->target = p->msg.target;
	int64_t def = catalog_target(s->cat, t->ind, t->p);
	t->original = def > 0 ? def : t->target; /* the store keeps the first one it has */
	snprintf(t->who, sizeof(t->who), "%s", p->who);
	return 0;
}

/* A note's indicator, org unit (the root when none), period and text, into p->note; 0 or a code. */
static int note_check(const struct server *s, struct pending *p)
{
	struct store_note *n = &p->note;
	memset(n, 0, sizeof(*n));
	int rc = value_codes(s->cat, &p->msg.query, &n->ind, &n->ou, &n->p);
	if (rc < 0)
		return rc;
	snprintf(n->text, sizeof(n->text), "%s", p->msg.note_text);
	snprintf(n->who, sizeof(n->who), "%s", p->who);
	return 0;
}

/* store_commit, its time into the metrics when it succeeds. */
static int commit_timed(struct store_batch **b, struct store_change **ch, size_t *n_ch)
{
	int64_t began = now_ns();
	int rc = store_commit(b, ch, n_ch);
	if (rc == 0)
		metrics_commit((double)(now_ns() - began) / 1e9);
	return rc;
}

/* Apply every submit of the batch in one transaction. Returns the storage outcome. */
static int apply_submits(struct server *s, size_t n, struct store_change **ch, size_t *n_ch)
{
	struct store_batch *b = NULL;
	int rc = 0;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		struct pending *p = &s->pend[i];
		if (rc == 0 && p->rc == 0 && p->msg.type == PROTO_LOCK && p->msg.query.period[0]) {
			if (!b)
				rc = store_begin(s->st, &b);
			if (rc == 0) /* in arrival order with the submits around it */
				p->lock_rc = store_lock(b, p->msg.query.period, !p->msg.unlock, p->who);
			if (p->lock_rc < 0 && p->lock_rc != IKI_EPERIOD)
				rc = p->lock_rc;
			any = true;
			continue;
		}
		if (rc == 0 && p->rc == 0 && p->msg.type == PROTO_TARGET && p->msg.has_target) {
			if (!b)
				rc = store_begin(s->st, &b);
			if (rc == 0 && (p->target_rc = target_check(s, p)) == 0)
				rc = store_target_put(b, &p->target);
			any = true;
			continue;
		}
		if (rc == 0 && p->rc == 0 && p->msg.type == PROTO_NOTE && p->msg.has_note) {
			if (!b)
				rc = store_begin(s->st, &b);
			if (rc == 0 && (p->note_rc = note_check(s, p)) == 0)
				rc = store_note_put(b, &p->note);
			any = true;
			continue;
		}
		if (p->rc < 0 || p->msg.type != PROTO_SUBMIT)
			continue;
		p->results = calloc(p->msg.n_events ? p->msg.n_events : 1, sizeof(*p->results));
		if (!p->results)
			rc = -ENOMEM;
		if (rc == 0 && !b)
			rc = store_begin(s->st, &b);
		/* what of the store the sender reaches; it outlives the batch (kept for its redo) */
		authz_view_init(&p->view, &p->client, s->cat, AUTHZ_SUBMIT);
		for (size_t j = 0; rc == 0 && j < p->msg.n_events; j++)
			rc = submit_one(s, b, p, &p->msg.events[j], &p->results[j]);
		any = true;
	}
	if (rc == 0 && b)
		rc = commit_timed(&b, ch, n_ch);
	store_abort(&b);
	if (any)
		metrics_store(s->st);
	if (rc < 0 && any) {
		size_t map, max;
		metrics_batch_failed();
		store_map_size(s->st, &map, &max);
		log_errorx("batch not stored: %s (database map %zu MiB of at most %zu MiB)",
			  iki_code_name(rc), map >> 20, max >> 20);
	}
	return rc;
}

/* Each event's outcome into the metrics, and with -v the batch's into the log. Every event of
 * a submit refused whole (forbidden, its batch not stored) counts as refused with that code. */
static void batch_note(const struct server *s, size_t n, size_t n_ch, int storage_rc)
{
	size_t ok = 0, dup = 0, bad = 0;
	for (size_t i = 0; i < n; i++) {
		const struct pending *p = &s->pend[i];
		int whole = reply_code(p->rc < 0 ? p->rc : storage_rc < 0 ? storage_rc : 0);
		for (size_t j = 0; p->msg.type == PROTO_SUBMIT && j < p->msg.n_events; j++) {
			const struct proto_result *r = whole ? NULL : &p->results[j];
			enum proto_status st = r ? r->status : PROTO_STATUS_ERROR;
			metrics_event(st, r ? r->code : whole);
			ok += st == PROTO_STATUS_OK;
			dup += st == PROTO_STATUS_DUPLICATE;
			bad += st == PROTO_STATUS_ERROR;
		}
	}
	log_debug("batch: %zu requests, %zu ok, %zu duplicate, %zu rejected, %zu values changed", n,
		  ok, dup, bad, n_ch);
}

/*
 * Once the batch is committed, its targets into the cache, in one place: the replies, what is
 * published next (with capaian and predikat) and the readers all see them from now on.
 */
static void targets_committed(struct server *s, size_t n, int storage_rc)
{
	for (size_t i = 0; storage_rc == 0 && i < n; i++) {
		struct pending *p = &s->pend[i];
		if (p->rc < 0 || p->msg.type != PROTO_TARGET || !p->msg.has_target || p->target_rc)
			continue;
		log_info("%s set the target of %s at %s for %s to %.2f %%", p->who,
			 p->msg.query.indicator, s->cat->orgunits[p->target.ou].code,
			 p->msg.query.period, (double)p->target.target / 100.0);
		pthread_rwlock_wrlock(&s->targets_lock);
		p->target_rc = targets_note(s->targets, &p->target);
		pthread_rwlock_unlock(&s->targets_lock);
	}
}

static void batch_run(struct server *s, size_t n)
{
	struct store_change *ch = NULL;
	size_t n_ch = 0;
	metrics_batch_requests(n);
	int rc = apply_submits(s, n, &ch, &n_ch);
	batch_note(s, n, n_ch, rc);
	targets_committed(s, n, rc);
	for (size_t i = 0; i < n; i++)
		reply(s, &s->pend[i], rc);
	for (size_t i = 0; i < n_ch; i++)
		publish_change(s->publisher, &ch[i]);
	free(ch);
	for (size_t i = 0; i < n; i++) {
		zmq_msg_close(&s->pend[i].identity);
		free(s->pend[i].results);
		proto_msg_clear(&s->pend[i].msg);
	}
	metrics_batch_requests(0);
}

/* Drain what has arrived, up to the batch limits. Returns the number of requests, or <0. */
static int drain(struct server *s)
{
	size_t n = 0, events = 0;
	while (n < SERVER_BATCH_REQUESTS && events < s->batch_events) {
		int rc = recv_request(s, &s->pend[n]);
		if (rc < 0)
			return n > 0 ? (int)n : rc;
		if (rc == 0)
			break;
		events += s->pend[n].msg.n_events;
		n++;
	}
	return (int)n;
}

/* Read the authorised clients file again; on errors keep serving with the list we have. */
static void reload_clients(struct server *s)
{
	char *errors = NULL;
	if (!s->auth) {
		log_info("reload: plain text, no authorised clients to read");
		return;
	}
	int rc = auth_reload(s->auth, &errors);
	if (rc < 0)
		log_warnx("reload failed, keeping the %d clients we had: %s%s%s", auth_count(s->auth),
			  rc == IKI_ECATALOG ? "" : strerror(-rc), errors ? "\n" : "",
			  errors ? errors : "");
	else
		log_notice("reload: %d authorised clients", auth_count(s->auth));
	if (rc > 0) /* a key gone or changed keeps no stream: every subscriber reconnects, through
		     * ZAP again, and heals with its snapshot and sequence numbers */
		log_info("reload: %d keys gone or changed; ended %u subscriber connections", rc,
			 guard_end_all(s->guard, 1));
	free(errors);
}

/* Once a second: clear the reader slots of processes that died reading, and say so. */
static void readers_check(struct server *s)
{
	int dead = 0;
	if (now_ms() - s->readers_ms < SERVER_READERS_CHECK_MS)
		return;
	s->readers_ms = now_ms();
	if (store_readers_check(s->st, &dead) == 0 && dead > 0)
		log_warnx("cleared %d stale database reader%s (a process died reading, such as a "
			  "killed --backup or --verify)", dead, dead == 1 ? "" : "s");
	unsigned cut = guard_cuts(s->guard);
	if (cut)
		log_warnx("cut %u connection%s holding over %llu MiB of frames not yet read (a peer "
			  "sending a message it never ends)", cut, cut == 1 ? "" : "s",
			  (unsigned long long)(GUARD_PEER_MAX >> 20));
}

int server_run(struct server *s, volatile sig_atomic_t *stop)
{
	zmq_pollitem_t items[4] = {{s->router, 0, ZMQ_POLLIN, 0},
				   {readers_socket(s->readers), 0, ZMQ_POLLIN, 0},
				   {s->monitor[0], 0, ZMQ_POLLIN, 0},
				   {s->monitor[1], 0, ZMQ_POLLIN, 0}};
	while (!*stop) {
		if (s->tick)
			s->tick(s->tick_arg);
		if (s->reload && *s->reload) {
			*s->reload = 0;
			reload_clients(s);
		}
		publish_heartbeat(s->publisher);
		readers_check(s);
		relisten(s);
		int64_t wait = publish_due_ms(s->publisher);
		if (s->tick_ms > 0 && wait > s->tick_ms)
			wait = s->tick_ms;
		int rc = zmq_poll(items, 4, wait > 0 ? (long)wait : 0);
		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc <= 0)
			continue;
		readers_forward(s->readers, s->router);
		monitor_log(s, s->monitor[0]);
		monitor_log(s, s->monitor[1]);
		int n = drain(s);
		if (n < 0 && n != -EINTR)
			return n;
		if (n > 0)
			batch_run(s, (size_t)n);
	}
	return 0;
}
