/* loadgen.c: random events over a catalog, sent by windowed ZeroMQ clients (loadgen.h). */
#include "loadgen.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "catalog.h"
#include "iki.h"

#define RECV_TIMEOUT_MS 60000 /* a reply later than this is a failure, not a slow figure */
#define INFLIGHT_MAX 1024

void load_die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("bench: FAILED: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

double load_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

uint64_t load_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

void load_domain_read(struct load_domain *d, const char *path, int year)
{
	struct catalog *c = NULL;
	char *errors = NULL;
	memset(d, 0, sizeof(*d));
	if (catalog_load(path, &c, &errors) != 0)
		load_die("catalog %s: %s", path, errors ? errors : "cannot load");
	int deepest = 0;
	for (int i = 0; i < c->n_orgunits; i++)
		deepest = c->orgunits[i].level > deepest ? c->orgunits[i].level : deepest;
	size_t n = c->n_orgunits > 0 ? (size_t)c->n_orgunits : 1;
	d->ou = calloc(n, sizeof(*d->ou));
	d->ou_parent = calloc(n, sizeof(int));
	d->village = calloc(n, sizeof(*d->village));
	d->village_parent = calloc(n, sizeof(int));
	d->element = calloc(c->n_elements > 0 ? (size_t)c->n_elements : 1, sizeof(*d->element));
	if (!d->ou || !d->ou_parent || !d->village || !d->village_parent || !d->element)
		load_die("out of memory");
	for (int i = 0; i < c->n_orgunits; i++) {
		const struct catalog_orgunit *o = &c->orgunits[i];
		memcpy(d->ou[i], o->code, sizeof(d->ou[i]));
		d->ou_parent[i] = o->parent;
		if (o->level != deepest || i == 0)
			continue;
		memcpy(d->village[d->n_villages], o->code, sizeof(d->village[0]));
		d->village_parent[d->n_villages++] = o->parent;
	}
	d->n_ou = (size_t)c->n_orgunits;
	for (int i = 0; i < c->n_elements; i++)
		if (c->elements[i].agg == CATALOG_SUM)
			memcpy(d->element[d->n_elements++], c->elements[i].code,
			       sizeof(d->element[0]));
	d->year = year;
	catalog_free(&c);
	free(errors);
	if (!d->n_villages || !d->n_elements)
		load_die("catalog %s has no villages or no summed elements", path);
}

void load_domain_free(struct load_domain *d)
{
	free(d->ou);
	free(d->ou_parent);
	free(d->village);
	free(d->village_parent);
	free(d->element);
	memset(d, 0, sizeof(*d));
}

int load_event(const struct load_domain *d, uint64_t *rng, const char *tag,
	       struct proto_event *ev)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	uint64_t r = load_rand(rng);
	int day = (int)(load_rand(rng) % 365), m = 0;
	while (day >= mdays[m])
		day -= mdays[m++];
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->id, sizeof(ev->id), "%.24s-%016" PRIx64, tag, load_rand(rng));
	memcpy(ev->element, d->element[r % d->n_elements], sizeof(ev->element));
	size_t v = (size_t)(r >> 16) % d->n_villages;
	memcpy(ev->orgunit, d->village[v], sizeof(ev->orgunit));
	snprintf(ev->date, sizeof(ev->date), "%04u-%02u-%02u", (unsigned)d->year % 10000u,
		 (unsigned)(m + 1) % 13u, (unsigned)(day + 1) % 32u);
	ev->op = PROTO_OP_ADD;
	ev->value = 1;
	return (int)v;
}

void load_periods(const char *date, char month[8], char quarter[8], char year[8])
{
	unsigned y = (unsigned)atoi(date) % 10000u, m = (unsigned)atoi(date + 5) % 13u;
	snprintf(month, 8, "%04u%02u", y, m);
	snprintf(quarter, 8, "%04uQ%u", y, (m + 2) / 3);
	snprintf(year, 8, "%04u", y);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

double load_quantile_ms(const double *v, size_t n, double q)
{
	if (n == 0)
		return 0;
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1] * 1e3;
}

void load_finish(struct load_result *r)
{
	qsort(r->lat, r->n_lat, sizeof(double), cmp_double);
	r->p50 = load_quantile_ms(r->lat, r->n_lat, 0.50);
	r->p99 = load_quantile_ms(r->lat, r->n_lat, 0.99);
}

void load_keep(double **lat, size_t *n, size_t *cap, double v)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 4096;
		if (!(*lat = realloc(*lat, *cap * sizeof(double))))
			load_die("out of memory");
	}
	(*lat)[(*n)++] = v;
}

void load_add(struct load_result *r, double *lat, size_t n, long events, double last,
	      double *latest)
{
	double *p = realloc(r->lat, (r->n_lat + n + 1) * sizeof(double));
	if (!p)
		load_die("out of memory");
	r->lat = p;
	memcpy(r->lat + r->n_lat, lat, n * sizeof(double));
	r->n_lat += n;
	r->events += events;
	*latest = last > *latest ? last : *latest;
	free(lat);
}

void load_result_free(struct load_result *r)
{
	free(r->lat);
	memset(r, 0, sizeof(*r));
}

/* One client thread's state. */
struct client {
	const struct load_spec *spec;
	void *ctx;
	int n;
	long cap; /* events it may send */
	pthread_barrier_t *go;
	double *lat;
	size_t n_lat, cap_lat;
	long events, requests;
	double last;
};

static void send_submit(void *s, struct proto_event *ev, int n, uint64_t req)
{
	struct proto_msg m = {.type = PROTO_SUBMIT, .req = req, .events = ev, .n_events = (size_t)n};
	char *buf;
	size_t len;
	int rc = proto_encode(&m, &buf, &len);
	if (rc < 0)
		load_die("cannot encode a submit: %s", iki_code_name(rc));
	if (zmq_send(s, buf, len, 0) < 0)
		load_die("cannot send: %s", zmq_strerror(errno));
	free(buf);
}

/* Receive one reply; check every result ok; returns its req. */
static uint64_t recv_submitted(void *s, size_t want)
{
	zmq_msg_t f;
	struct proto_msg r = {0};
	zmq_msg_init(&f);
	if (zmq_msg_recv(&f, s, 0) < 0)
		load_die("no reply within %d ms: %s", RECV_TIMEOUT_MS, zmq_strerror(errno));
	int rc = proto_decode(zmq_msg_data(&f), zmq_msg_size(&f), &r);
	zmq_msg_close(&f);
	if (rc < 0 || r.type != PROTO_SUBMITTED || r.n_results != want)
		load_die("a reply is not 'submitted' with %zu results (rc %d, type %d, code %s: %s)",
			 want, rc, (int)r.type, iki_code_name(r.code), r.message);
	for (size_t i = 0; i < r.n_results; i++)
		if (r.results[i].status != PROTO_STATUS_OK)
			load_die("an event was not ok: %s (%s)", iki_code_name(r.results[i].code),
				 r.results[i].message);
	uint64_t req = r.req;
	proto_msg_clear(&r);
	return req;
}


static void *client_run(void *p)
{
	struct client *c = p;
	const struct load_spec *sp = c->spec;
	void *s = zmq_socket(c->ctx, ZMQ_DEALER);
	int linger = 0, tmo = RECV_TIMEOUT_MS, b = sp->batch, w = sp->inflight;
	double sent_at[INFLIGHT_MAX];
	uint64_t rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)c->n << 32) ^ (uint64_t)load_now();
	char tag[40];
	struct proto_event *ev = calloc((size_t)b, sizeof(*ev));
	if (!s || !ev)
		load_die("zmq_socket or out of memory");
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	if (zmq_connect(s, sp->endpoint) < 0)
		load_die("cannot connect to %s", sp->endpoint);
	snprintf(tag, sizeof(tag), "%.24s%d", sp->tag, c->n);
	pthread_barrier_wait(c->go);
	double deadline = load_now() + sp->secs;
	uint64_t sent = 0, done = 0;
	for (;;) {
		while (sent - done < (uint64_t)w && (long)(sent + 1) * b <= c->cap &&
		       load_now() < deadline) {
			for (int i = 0; i < b; i++)
				load_event(sp->dom, &rng, tag, &ev[i]);
			sent_at[sent % (uint64_t)w] = load_now();
			send_submit(s, ev, b, ++sent);
		}
		if (done == sent)
			break;
		uint64_t req = recv_submitted(s, (size_t)b);
		if (req == 0 || req > sent)
			load_die("a reply to request %" PRIu64 " never sent", req);
		c->last = load_now();
		load_keep(&c->lat, &c->n_lat, &c->cap_lat, c->last - sent_at[(req - 1) % (uint64_t)w]);
		done++;
	}
	c->requests = (long)sent;
	c->events = (long)sent * b;
	zmq_close(s);
	free(ev);
	return NULL;
}

void load_run(const struct load_spec *sp, struct load_result *r)
{
	pthread_t th[64];
	struct client c[64];
	pthread_barrier_t go;
	void *ctx = zmq_ctx_new();
	int n = sp->clients < 64 ? sp->clients : 64;
	if (!ctx || sp->inflight > INFLIGHT_MAX)
		load_die("zmq_ctx_new, or more than %d in flight", INFLIGHT_MAX);
	memset(r, 0, sizeof(*r));
	pthread_barrier_init(&go, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++) {
		c[i] = (struct client){.spec = sp, .ctx = ctx, .n = i, .go = &go,
				       .cap = sp->max_events ? sp->max_events / n : 1L << 60};
		if (pthread_create(&th[i], NULL, client_run, &c[i]) != 0)
			load_die("pthread_create");
	}
	pthread_barrier_wait(&go);
	double t0 = load_now(), last = t0;
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		load_add(r, c[i].lat, c[i].n_lat, c[i].events, c[i].last, &last);
		r->requests += c[i].requests;
	}
	pthread_barrier_destroy(&go);
	zmq_ctx_term(ctx);
	r->secs = last - t0;
	load_finish(r);
}
