/* deliver.c: send the outbox's pending events over whatever link there is, and keep every answer. */
#define _DEFAULT_SOURCE /* readlink, struct addrinfo */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <linux/tcp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "libiki.h"
#include "outbox.h"

#define INFLIGHT 2               /* batches in flight: one on the wire, one queued behind it */
#define BUDGET_START 8192        /* bytes of the first batch */
#define BUDGET_MIN 1024
#define BUDGET_MAX (1u << 20)
#define FAST_MS 1000             /* a reply within this: the next batch may be twice as big */
#define SLOW_MS 4000             /* a reply slower than this: half */
#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 30000
#define REPORT_MS 1000
#define LOAD_MAX 20000
#define PROGRESS_BYTES 512       /* bytes acknowledged or received that show the link moves */           /* pending events taken into memory per round */

/* Where each loaded pending event stands. */
enum slot { SLOT_UNSENT = 0, SLOT_SENT, SLOT_DONE };

/* A submit in flight: events [from, from + n) of the round. */
struct batch {
	uint64_t req;
	size_t from, n;
	int64_t sent_ms;
	bool live;
};

/* One delivery run. */
struct run {
	struct iki_outbox *ob;
	struct iki_client *c;
	struct iki_outbox_deliver_options o;
	struct iki_outbox_progress *p;
	uint64_t *seq;            /* the round's pending entries: their seq, */
	struct proto_event *ev;   /* their events, */
	unsigned char *slot;      /* and where each stands */
	size_t n, done;
	struct batch fl[INFLIGHT];
	size_t budget;
	double per_event;         /* encoded bytes per event, as last seen */
	int64_t start_ms, progress_ms, reply_ms, report_ms, reopen_ms, busy_until_ms, backoff_ms;
	int64_t moved_ms;         /* when bytes last moved on the link */
	uint64_t up_seen, down_seen; /* TCP_INFO counts at the last look */
	uint64_t moved_since;     /* bytes moved since progress was last noted */
	unsigned disconnects;
	bool reopen, transient;
	bool full;                /* ikid said storage_full: only its operator can make room */
	bool dropped;             /* a connection dropped since the last reply */
	struct sockaddr_storage peer; /* the endpoint's address, to find our TCP connections */
	socklen_t peer_len;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *iki_outbox_wait_text(enum iki_outbox_wait w)
{
	switch (w) {
	case IKI_WAIT_CONNECTING: return "menghubungi ikid";
	case IKI_WAIT_DNS: return "nama server tidak dapat ditemukan (DNS gagal): periksa alamat -s "
				  "dan koneksi internet; mencoba lagi";
	case IKI_WAIT_REFUSED: return "koneksi ditolak: ikid tidak berjalan atau alamat/port salah; "
				      "mencoba lagi";
	case IKI_WAIT_SLOW: return "belum ada jawaban, tetapi data masih mengalir (jaringan lambat)";
	case IKI_WAIT_SILENT: return "tidak ada jawaban dan tidak ada data yang mengalir: jaringan "
				     "putus?; mencoba lagi";
	case IKI_WAIT_STOPPED: return "koneksi terputus di tengah pengiriman (ikid berhenti atau "
				      "jaringan putus); menunggu ikid kembali";
	case IKI_WAIT_BUSY: return "ikid sedang sibuk atau berhenti sebentar; mencoba lagi";
	default: return "";
	}
}

/* ---- the link ---- */

/* Resolve the endpoint's host ("tcp://HOST:PORT") once: 0, or IKI_WAIT_DNS when it does not. */
static int peer_resolve(struct run *r)
{
	char host[256];
	const char *ep = libiki_endpoint(r->c), *hp = strstr(ep, "://");
	hp = hp ? hp + 3 : ep;
	const char *colon = strrchr(hp, ':');
	if (strncmp(ep, "tcp://", 6) || !colon || (size_t)(colon - hp) >= sizeof(host))
		return 0;
	memcpy(host, hp, (size_t)(colon - hp));
	host[colon - hp] = '\0';
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	int rc = getaddrinfo(host, colon + 1, &hints, &ai);
	if (rc == EAI_NONAME || rc == EAI_AGAIN || rc == EAI_FAIL)
		return IKI_WAIT_DNS;
	if (rc == 0 && ai && ai->ai_addrlen <= sizeof(r->peer)) {
		memcpy(&r->peer, ai->ai_addr, ai->ai_addrlen);
		r->peer_len = ai->ai_addrlen;
	}
	if (ai)
		freeaddrinfo(ai);
	return 0;
}

/* Whether fd is a TCP connection to the endpoint's address and port. */
static bool to_peer(const struct run *r, int fd)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof(a);
	if (!r->peer_len || getpeername(fd, (struct sockaddr *)&a, &len) < 0 ||
	    a.ss_family != r->peer.ss_family)
		return false;
	if (a.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a, *y = (const void *)&r->peer;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)&a, *y = (const void *)&r->peer;
	return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
}

/*
 * Bytes the peer acknowledged (*up) and bytes received (*down) on our TCP connections to the
 * endpoint (TCP_INFO): they grow while a slow link carries a big batch, before any reply.
 * Linux only (elsewhere both stay 0, and only replies count as progress).
 */
static void link_bytes(struct run *r, uint64_t *up, uint64_t *down)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	*up = *down = 0;
	while (d && (de = readdir(d))) {
		int fd = atoi(de->d_name);
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		if (de->d_name[0] == '.' || fd == dirfd(d) || !to_peer(r, fd))
			continue;
		memset(&ti, 0, sizeof(ti));
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0) {
			*up += ti.tcpi_bytes_acked;
			*down += ti.tcpi_bytes_received;
		}
	}
	if (d)
		closedir(d);
}

/* Why delivery waits now. */
static enum iki_outbox_wait wait_reason(struct run *r, const struct libiki_link *l, int64_t now)
{
	if (now < r->busy_until_ms)
		return IKI_WAIT_BUSY;
	if (!l->connected && now - r->start_ms < 2000)
		return IKI_WAIT_NONE; /* a moment to connect is not a wait worth telling */
	if (!l->connected) {
		if (l->disconnects || r->dropped)
			return IKI_WAIT_STOPPED;
		if (l->retries)
			return peer_resolve(r) == IKI_WAIT_DNS ? IKI_WAIT_DNS : IKI_WAIT_REFUSED;
		return now - r->progress_ms > 2000 && peer_resolve(r) == IKI_WAIT_DNS
			       ? IKI_WAIT_DNS
			       : IKI_WAIT_CONNECTING;
	}
	if (now - r->reply_ms < 3000 || r->done == r->n)
		return IKI_WAIT_NONE;
	return now - r->moved_ms < 3000 ? IKI_WAIT_SLOW : IKI_WAIT_SILENT;
}

/* ---- batches ---- */

/* Encode events [from, from + k) as one submit with request number req. */
static int batch_encode(struct run *r, size_t from, size_t k, uint64_t req, char **buf,
			size_t *len)
{
	struct proto_msg m = {.type = PROTO_SUBMIT, .req = req, .events = r->ev + from,
			      .n_events = k};
	return proto_encode(&m, buf, len);
}

/* The next unsent run of events, as many as the budget holds; 0 when there is none. */
static size_t batch_span(struct run *r, size_t *from)
{
	size_t i = 0, k = 0;
	while (i < r->n && r->slot[i] != SLOT_UNSENT)
		i++;
	size_t want = (size_t)((double)r->budget / r->per_event);
	want = want < 1 ? 1 : want > PROTO_EVENTS_MAX ? PROTO_EVENTS_MAX : want;
	while (i + k < r->n && r->slot[i + k] == SLOT_UNSENT && k < want)
		k++;
	*from = i;
	return k;
}

/* Send the next batch into free flight slot b. Returns 1 sent, 0 nothing to send, <0. */
static int batch_send(struct run *r, struct batch *b, int64_t now)
{
	size_t from, k = batch_span(r, &from);
	char *buf = NULL;
	size_t len = 0;
	if (k == 0)
		return 0;
	uint64_t req = libiki_next_req(r->c);
	int rc = batch_encode(r, from, k, req, &buf, &len);
	if (rc == 0 && len > r->budget + r->budget / 4 && k > 1) {
		free(buf); /* the guess was off: fit the budget */
		k = k * r->budget / len ? k * r->budget / len : 1;
		rc = batch_encode(r, from, k, req, &buf, &len);
	}
	if (rc == 0)
		rc = libiki_send(r->c, buf, len);
	free(buf);
	if (rc == -EAGAIN)
		return 0;
	if (rc < 0)
		return rc;
	r->per_event = (double)len / (double)k;
	r->p->bytes_sent += len;
	memset(r->slot + from, SLOT_SENT, k);
	*b = (struct batch){.req = req, .from = from, .n = k, .sent_ms = now, .live = true};
	return 1;
}

/* Give a batch's events back to be sent again. */
static void batch_unsend(struct run *r, struct batch *b)
{
	memset(r->slot + b->from, SLOT_UNSENT, b->n);
	b->live = false;
}

/* Grow or shrink the budget by how long the link took to answer this batch. */
static void budget_adapt(struct run *r, const struct batch *b, int64_t now)
{
	int64_t began = b->sent_ms > r->reply_ms ? b->sent_ms : r->reply_ms;
	int64_t took = now - began;
	if (took < FAST_MS && r->budget < BUDGET_MAX)
		r->budget *= 2;
	else if (took > SLOW_MS && r->budget > BUDGET_MIN)
		r->budget /= 2;
	r->p->batch_bytes = r->budget;
}

/* Store the answers of a batch: per event, or one refusal for all of them. */
static int batch_answer(struct run *r, struct batch *b, const struct proto_msg *m)
{
	struct proto_result *res = m->results, *own = NULL;
	if (m->type != PROTO_SUBMITTED || m->n_results != b->n) {
		int code = m->type == PROTO_ERROR ? m->code : IKI_EINTERNAL;
		if (code == IKI_ETOOBIG && b->n > 1) {
			r->budget = r->budget / 4 > BUDGET_MIN ? r->budget / 4 : BUDGET_MIN;
			batch_unsend(r, b);
			return 0;
		}
		if (!(res = own = calloc(b->n, sizeof(*res))))
			return -ENOMEM;
		for (size_t i = 0; i < b->n; i++) {
			res[i].status = PROTO_STATUS_ERROR;
			res[i].code = code;
			snprintf(res[i].message, sizeof(res[i].message), "%s",
				 m->type == PROTO_ERROR && m->message[0] ? m->message
									 : iki_strerror(code));
		}
	}
	int rc = outbox_answer(r->ob, r->seq + b->from, res, b->n);
	for (size_t i = 0; rc == 0 && i < b->n; i++) {
		bool later = res[i].status == PROTO_STATUS_ERROR && outbox_code_transient(res[i].code);
		r->slot[b->from + i] = SLOT_DONE;
		r->transient |= later;
		r->p->delivered += res[i].status != PROTO_STATUS_ERROR;
		r->p->refused += res[i].status == PROTO_STATUS_ERROR && !later;
		r->done++;
	}
	free(own);
	b->live = false;
	return rc;
}

/* Take one reply (waiting up to wait_ms). Returns 1 taken, 0 none, <0. */
static int take_reply(struct run *r, int wait_ms)
{
	struct proto_msg m = {0};
	int rc = libiki_recv(r->c, &m, wait_ms);
	if (rc <= 0)
		return rc == -EINTR || rc == 0 ? rc : 0; /* an undecodable reply: wait for the stall */
	int64_t now = now_ms();
	for (int i = 0; i < INFLIGHT; i++) {
		struct batch *b = &r->fl[i];
		if (!b->live || b->req != m.req)
			continue;
		if (m.type == PROTO_ERROR && m.code == IKI_EFULL) {
			batch_unsend(r, b); /* waits in the outbox: retrying would only fill the link */
			r->full = true;
		} else if (m.type == PROTO_ERROR && outbox_code_transient(m.code)) {
			batch_unsend(r, b); /* ikid asks us to wait: busy, or it could not write */
			r->busy_until_ms = now + r->backoff_ms;
		} else {
			budget_adapt(r, b, now);
			rc = batch_answer(r, b, &m);
		}
		r->progress_ms = r->reply_ms = now;
		r->backoff_ms = BACKOFF_MIN_MS;
		r->dropped = false;
		break;
	}
	proto_msg_clear(&m); /* a reply to nothing in flight: an answered resend, or stale */
	return rc < 0 ? rc : 1;
}

/* ---- the loop ---- */

/* Load up to LOAD_MAX pending events of our key. Returns how many, or <0. */
static int round_load(struct run *r)
{
	struct iki_outbox_entry *e = NULL;
	size_t n = 0;
	int rc = iki_outbox_list(r->ob, IKI_OUTBOX_LIST_PENDING, iki_client_owner(r->c), LOAD_MAX,
				 &e, &n);
	if (rc < 0)
		return rc;
	free(r->seq);
	free(r->ev);
	free(r->slot);
	r->seq = calloc(n ? n : 1, sizeof(*r->seq));
	r->ev = calloc(n ? n : 1, sizeof(*r->ev));
	r->slot = calloc(n ? n : 1, 1);
	if (!r->seq || !r->ev || !r->slot) {
		free(e);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		r->seq[i] = e[i].seq;
		r->ev[i] = e[i].ev;
	}
	free(e);
	r->n = n;
	r->done = 0;
	memset(r->fl, 0, sizeof(r->fl));
	return (int)(n < (size_t)INT32_MAX ? n : INT32_MAX);
}

/* Lazy Pirate: a new socket, and every unanswered batch sent again. */
static int reconnect(struct run *r, int64_t now)
{
	for (int i = 0; i < INFLIGHT; i++)
		if (r->fl[i].live) {
			batch_unsend(r, &r->fl[i]);
			r->p->resends++;
		}
	r->reopen = false;
	r->disconnects = 0;
	r->reopen_ms = now + r->backoff_ms;
	r->backoff_ms = r->backoff_ms * 2 < BACKOFF_MAX_MS ? r->backoff_ms * 2 : BACKOFF_MAX_MS;
	r->progress_ms = now;
	int rc = libiki_reopen(r->c);
	link_bytes(r, &r->up_seen, &r->down_seen);
	r->moved_since = 0;
	return rc;
}

/* Report progress when it is time (or forced). */
static void report(struct run *r, const struct libiki_link *l, int64_t now, bool force)
{
	r->p->wait = wait_reason(r, l, now);
	r->p->waiting_ms = r->p->wait == IKI_WAIT_NONE ? 0 : now - r->reply_ms;
	if (r->o.progress && (force || now - r->report_ms >= REPORT_MS)) {
		r->report_ms = now;
		r->o.progress(r->p, r->o.arg);
	}
}

/*
 * Bytes moving count as progress: a slow link is not a dead one. A new connection's greeting
 * and handshake are a few hundred bytes that say nothing about the link: only more counts. What
 * the link carried up is added to p->bytes_acked across connections.
 */
static void note_bytes(struct run *r, int64_t now)
{
	uint64_t up, down;
	link_bytes(r, &up, &down);
	if (up < r->up_seen || down < r->down_seen) { /* a connection closed: its counts went */
		r->up_seen = up < r->up_seen ? up : r->up_seen;
		r->down_seen = down < r->down_seen ? down : r->down_seen;
	}
	r->p->bytes_acked += up - r->up_seen;
	r->moved_since += up - r->up_seen + down - r->down_seen;
	r->up_seen = up;
	r->down_seen = down;
	if (r->moved_since > PROGRESS_BYTES) {
		r->moved_since = 0;
		r->progress_ms = r->moved_ms = now;
	}
}

/* One turn of the loop: send what may be sent, wait a little for a reply, check the link. */
static int turn(struct run *r)
{
	int64_t now = now_ms();
	const struct libiki_link *l = libiki_link(r->c);
	bool live = false;
	if (l->handshake < 0)
		return -EPERM;
	if (l->disconnects > r->disconnects) { /* a connection dropped: its replies are lost */
		r->disconnects = l->disconnects;
		r->reopen = r->dropped = true;
	}
	if (r->reopen && now >= r->reopen_ms) {
		int rc = reconnect(r, now);
		if (rc < 0)
			return rc;
		l = libiki_link(r->c);
	}
	for (int i = 0; i < INFLIGHT && now >= r->busy_until_ms && !r->reopen; i++)
		if (!r->fl[i].live) {
			int rc = batch_send(r, &r->fl[i], now);
			if (rc < 0)
				return rc;
		}
	for (int i = 0; i < INFLIGHT; i++)
		live |= r->fl[i].live;
	int rc = take_reply(r, 200);
	if (rc < 0)
		return rc;
	now = now_ms();
	note_bytes(r, now);
	if (live && !r->reopen && now - r->progress_ms > r->o.stall_ms) {
		if (r->o.once)
			return IKI_ETIMEOUT;
		r->reopen = true; /* the reply is lost, or the link is dead: start afresh */
	}
	report(r, l, now, rc == 1);
	return 0;
}

/* Deliver one round (what round_load took). Returns 0 when it is all answered, or <0. */
static int round_run(struct run *r)
{
	while (r->done < r->n) {
		if (r->o.stop && *r->o.stop)
			return -EINTR;
		if (r->o.deadline_ms && now_ms() - r->start_ms >= r->o.deadline_ms)
			return IKI_ETIMEOUT;
		int rc = turn(r);
		if (rc == -EINTR && r->o.stop && *r->o.stop)
			return -EINTR;
		if (rc == 0 && r->full)
			return IKI_EFULL;
		if (rc < 0 && rc != -EINTR)
			return rc;
	}
	return 0;
}

static int deliver_rounds(struct run *r)
{
	size_t last = 0;
	for (;;) {
		int n = round_load(r);
		if (n <= 0)
			return n;
		if (r->transient && (size_t)n == last) { /* ikid asked us to wait: back off */
			int64_t until = now_ms() + r->backoff_ms;
			while (now_ms() < until && !(r->o.stop && *r->o.stop))
				take_reply(r, 200);
			r->backoff_ms = r->backoff_ms * 2 < BACKOFF_MAX_MS ? r->backoff_ms * 2
									   : BACKOFF_MAX_MS;
		}
		r->transient = false;
		last = (size_t)n;
		int rc = round_run(r);
		if (rc < 0)
			return rc;
	}
}

int iki_outbox_deliver(struct iki_outbox *ob, struct iki_client *c,
		       const struct iki_outbox_deliver_options *o, struct iki_outbox_progress *p)
{
	struct iki_outbox_progress own;
	struct run r = {.ob = ob, .c = c, .p = p ? p : &own, .budget = BUDGET_START,
			.per_event = 80, .backoff_ms = BACKOFF_MIN_MS};
	if (o)
		r.o = *o;
	if (r.o.stall_ms <= 0)
		r.o.stall_ms = libiki_timeout_ms(c);
	memset(r.p, 0, sizeof(*r.p));
	r.p->batch_bytes = r.budget;
	int rc = iki_outbox_count(ob, iki_client_owner(c), &r.p->total, NULL, NULL);
	r.start_ms = r.progress_ms = r.reply_ms = now_ms();
	peer_resolve(&r);
	if (rc == 0)
		rc = deliver_rounds(&r);
	report(&r, libiki_link(c), now_ms(), true);
	free(r.seq);
	free(r.ev);
	free(r.slot);
	return rc;
}
