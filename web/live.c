/* live.c: the gateway's stream of ikid's values and the browsers' SSE readers (see live.h). */
#include "live.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "grow.h"
#include "jsonout.h"

/* A value held, or an update kept in the ring: its key and its JSON (the ring: a whole event). */
struct entry {
	char indicator[PROTO_CODE_MAX + 1];
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	char period[PROTO_PERIOD_MAX + 1];
	uint64_t seq;
	char *json;
};

/* What describe says of an indicator: what updates lack. */
struct ind {
	char code[PROTO_CODE_MAX + 1];
	char name[PROTO_TEXT_MAX + 1];
	char jabatan[PROTO_TEXT_MAX + 1];
};

struct live {
	struct iki_client_options co;
	char request[256], update[256], key_file[4096], server_key[4096];
	struct live_options o;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	volatile bool stop;
	bool ending;
	/* under lock: */
	struct entry **held; /* open addressing, cap a power of two */
	size_t cap, n_held;
	struct entry ring[LIVE_RING];
	uint64_t head;  /* updates pushed into the ring, ever */
	uint64_t epoch; /* snapshots taken (a reader of an older one needs a new one) */
	bool filling;   /* a snapshot's values are arriving */
	size_t to_fill;
	uint64_t seq;
	bool synced;
	int readers;
	struct ind *inds;
	size_t n_inds;
};

struct live_reader {
	struct live *l;
	struct proto_query f;
	char (*allowed)[PROTO_CODE_MAX + 1]; /* the jabatan's indicators, when f.jabatan */
	size_t n_allowed;
	uint64_t epoch, pos;
	bool started;
	char *buf;
	size_t len, off, cap;
	time_t quiet_since;
	int (*alive)(void *);
	void *alive_arg;
	time_t checked;
};

static uint64_t hash_key(const char *ind, const char *ou, const char *per)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *s[] = {ind, "/", ou, "/", per}, **p = s; p < s + 5; p++)
		for (const char *c = *p; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	return h;
}

static bool same_key(const struct entry *e, const struct proto_value *v)
{
	return !strcmp(e->indicator, v->indicator) && !strcmp(e->orgunit, v->orgunit) &&
	       !strcmp(e->period, v->period);
}

static void held_clear(struct live *l)
{
	for (size_t i = 0; i < l->cap; i++)
		if (l->held[i]) {
			free(l->held[i]->json);
			free(l->held[i]);
			l->held[i] = NULL;
		}
	l->n_held = 0;
}

static int held_grow(struct live *l)
{
	size_t cap = l->cap ? l->cap * 2 : 1024;
	struct entry **t = calloc(cap, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < l->cap; i++)
		if (l->held[i]) {
			struct entry *e = l->held[i];
			size_t j = hash_key(e->indicator, e->orgunit, e->period) & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = e;
		}
	free(l->held);
	l->held = t;
	l->cap = cap;
	return 0;
}

/* Hold v's JSON (taken) in place of what was held for its key. Under lock. */
static int held_put(struct live *l, const struct proto_value *v, char **json)
{
	if ((l->n_held + 1) * 2 > l->cap && held_grow(l) < 0)
		return -ENOMEM;
	size_t j = hash_key(v->indicator, v->orgunit, v->period) & (l->cap - 1);
	while (l->held[j] && !same_key(l->held[j], v))
		j = (j + 1) & (l->cap - 1);
	struct entry *e = l->held[j];
	if (!e) {
		if (!(e = calloc(1, sizeof(*e))))
			return -ENOMEM;
		snprintf(e->indicator, sizeof(e->indicator), "%s", v->indicator);
		snprintf(e->orgunit, sizeof(e->orgunit), "%s", v->orgunit);
		snprintf(e->period, sizeof(e->period), "%s", v->period);
		l->held[j] = e;
		l->n_held++;
	}
	free(e->json);
	e->json = *json;
	*json = NULL;
	return 0;
}

static const struct ind *ind_find(const struct live *l, const char *code)
{
	for (size_t i = 0; i < l->n_inds; i++)
		if (!strcmp(l->inds[i].code, code))
			return &l->inds[i];
	return NULL;
}

/* The value's JSON with the catalog's name and jabatan; NULL without memory. */
static char *value_text(struct live *l, const struct proto_value *v)
{
	pthread_mutex_lock(&l->lock);
	const struct ind *i = ind_find(l, v->indicator);
	json_object *o = jsonout_value(v, i ? i->name : "", i ? i->jabatan : "");
	pthread_mutex_unlock(&l->lock);
	return jsonout_take(&o);
}

static void ring_push(struct live *l, const struct proto_value *v, uint64_t seq, const char *json)
{
	struct entry *e = &l->ring[l->head % LIVE_RING];
	size_t n = strlen(json) + 64;
	free(e->json);
	e->json = malloc(n);
	if (e->json)
		snprintf(e->json, n, "event: update\ndata: {\"seq\":%llu,\"value\":%s}\n\n",
			 (unsigned long long)seq, json);
	snprintf(e->indicator, sizeof(e->indicator), "%s", v->indicator);
	snprintf(e->orgunit, sizeof(e->orgunit), "%s", v->orgunit);
	snprintf(e->period, sizeof(e->period), "%s", v->period);
	e->seq = seq;
	l->head++;
}

/* Apply one event of the stream. */
static void apply(struct live *l, const struct iki_stream_event *ev)
{
	char *json = NULL;
	if (ev->kind == IKI_STREAM_VALUE || ev->kind == IKI_STREAM_UPDATE)
		json = value_text(l, &ev->value);
	pthread_mutex_lock(&l->lock);
	if (ev->kind == IKI_STREAM_RESET) {
		held_clear(l);
		l->epoch++;
		l->to_fill = ev->count;
		l->filling = ev->count > 0;
		l->seq = ev->seq;
		l->synced = !l->filling;
	} else if (ev->kind == IKI_STREAM_VALUE && json) {
		held_put(l, &ev->value, &json);
		if (l->to_fill && --l->to_fill == 0) {
			l->filling = false;
			l->synced = true;
		}
	} else if (ev->kind == IKI_STREAM_UPDATE && json) {
		ring_push(l, &ev->value, ev->seq, json);
		held_put(l, &ev->value, &json);
		l->seq = ev->seq;
	}
	pthread_cond_broadcast(&l->changed);
	pthread_mutex_unlock(&l->lock);
	free(json);
}

static int load_catalog(struct live *l, struct iki_client *c)
{
	struct proto_msg m = {0};
	char msg[PROTO_TEXT_MAX + 1];
	int rc = iki_describe(c, &m, msg);
	if (rc < 0)
		return rc;
	struct ind *inds = calloc(m.n_indicators + 1, sizeof(*inds));
	for (size_t i = 0; inds && i < m.n_indicators; i++) {
		snprintf(inds[i].code, sizeof(inds[i].code), "%s", m.indicators[i].indicator);
		snprintf(inds[i].name, sizeof(inds[i].name), "%s", m.indicators[i].name);
		snprintf(inds[i].jabatan, sizeof(inds[i].jabatan), "%s", m.indicators[i].jabatan);
	}
	pthread_mutex_lock(&l->lock);
	if (inds) {
		free(l->inds);
		l->inds = inds;
		l->n_inds = m.n_indicators;
	}
	pthread_mutex_unlock(&l->lock);
	proto_msg_clear(&m);
	return inds ? 0 : -ENOMEM;
}

static void pause_ms(struct live *l, int ms)
{
	for (int t = 0; t < ms && !l->stop; t += 100)
		nanosleep(&(struct timespec){0, 100000000L}, NULL);
}

/* Follow ikid on one connection until it fails for good or we stop. */
static void follow(struct live *l, struct iki_client *c)
{
	struct iki_stream *s = NULL;
	struct iki_stream_options so = {.heartbeat_ms = l->o.heartbeat_ms};
	struct iki_stream_event ev;
	char msg[PROTO_TEXT_MAX + 1];
	if (load_catalog(l, c) < 0 || iki_stream_open(c, NULL, &so, &s, msg) < 0)
		return;
	while (!l->stop) {
		int rc = iki_stream_next(s, &ev, 200);
		if (rc == 1)
			apply(l, &ev);
		else if (rc < 0 && rc != -EINTR)
			pause_ms(l, 500); /* a snapshot failed: the stream retries it */
		if (rc == 1 && ev.kind == IKI_STREAM_STALE) {
			pthread_mutex_lock(&l->lock);
			l->synced = false;
			pthread_mutex_unlock(&l->lock);
		}
	}
	iki_stream_close(&s);
}

static void *live_main(void *arg)
{
	struct live *l = arg;
	while (!l->stop) {
		struct iki_client *c = NULL;
		if (iki_client_open(&l->co, &c) == 0)
			follow(l, c);
		iki_client_close(&c);
		pause_ms(l, 1000);
	}
	return NULL;
}

static const char *keep(char *dst, size_t n, const char *src)
{
	if (!src)
		return NULL;
	snprintf(dst, n, "%s", src);
	return dst;
}

int live_start(const struct iki_client_options *co, const struct live_options *o,
	       struct live **out)
{
	struct live *l = calloc(1, sizeof(*l));
	*out = NULL;
	if (!l)
		return -ENOMEM;
	l->co = *co;
	l->co.request = keep(l->request, sizeof(l->request), co->request);
	l->co.update = keep(l->update, sizeof(l->update), co->update);
	l->co.key_file = keep(l->key_file, sizeof(l->key_file), co->key_file);
	l->co.server_key = keep(l->server_key, sizeof(l->server_key), co->server_key);
	l->o = *o;
	if (l->o.max_streams <= 0)
		l->o.max_streams = 400;
	if (l->o.keepalive_s <= 0)
		l->o.keepalive_s = 15;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->changed, NULL);
	if (held_grow(l) < 0 || pthread_create(&l->thread, NULL, live_main, l) != 0) {
		free(l->held);
		free(l);
		return -ENOMEM;
	}
	*out = l;
	return 0;
}

void live_shutdown(struct live *l)
{
	pthread_mutex_lock(&l->lock);
	l->ending = true;
	pthread_cond_broadcast(&l->changed);
	pthread_mutex_unlock(&l->lock);
}

void live_stop(struct live **lp)
{
	struct live *l = lp ? *lp : NULL;
	if (!l)
		return;
	l->stop = true;
	live_shutdown(l);
	pthread_join(l->thread, NULL);
	held_clear(l);
	free(l->held);
	for (size_t i = 0; i < LIVE_RING; i++)
		free(l->ring[i].json);
	free(l->inds);
	pthread_cond_destroy(&l->changed);
	pthread_mutex_destroy(&l->lock);
	free(l);
	*lp = NULL;
}

uint64_t live_seq(struct live *l)
{
	pthread_mutex_lock(&l->lock);
	uint64_t s = l->seq;
	pthread_mutex_unlock(&l->lock);
	return s;
}

int live_synced(struct live *l)
{
	pthread_mutex_lock(&l->lock);
	int s = l->synced;
	pthread_mutex_unlock(&l->lock);
	return s;
}

/* ---- readers ---- */

static bool position_matches(const char *jabatan, const char *want)
{
	char buf[PROTO_TEXT_MAX + 1], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", jabatan);
	for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		while (*t == ' ')
			t++;
		if (!strcasecmp(t, want))
			return true;
	}
	return false;
}

/* The indicators of the filter's jabatan. Under lock. */
static int resolve_jabatan(struct live_reader *r)
{
	struct live *l = r->l;
	r->allowed = calloc(l->n_inds + 1, sizeof(*r->allowed));
	if (!r->allowed)
		return -ENOMEM;
	for (size_t i = 0; i < l->n_inds; i++)
		if (position_matches(l->inds[i].jabatan, r->f.jabatan))
			memcpy(r->allowed[r->n_allowed++], l->inds[i].code, PROTO_CODE_MAX + 1);
	return 0;
}

int live_reader_new(struct live *l, const struct proto_query *f, struct live_reader **out)
{
	struct live_reader *r = calloc(1, sizeof(*r));
	*out = NULL;
	if (!r)
		return -ENOMEM;
	r->l = l;
	if (f)
		r->f = *f;
	pthread_mutex_lock(&l->lock);
	int rc = l->readers >= l->o.max_streams ? -EBUSY : 0;
	if (rc == 0 && r->f.jabatan[0])
		rc = resolve_jabatan(r);
	if (rc == 0)
		l->readers++;
	pthread_mutex_unlock(&l->lock);
	if (rc < 0) {
		free(r->allowed);
		free(r);
		return rc;
	}
	r->quiet_since = time(NULL);
	*out = r;
	return 0;
}

void live_reader_free(struct live_reader **rp)
{
	struct live_reader *r = rp ? *rp : NULL;
	if (!r)
		return;
	pthread_mutex_lock(&r->l->lock);
	r->l->readers--;
	pthread_mutex_unlock(&r->l->lock);
	free(r->allowed);
	free(r->buf);
	free(r->alive_arg);
	free(r);
	*rp = NULL;
}

static bool passes(const struct live_reader *r, const struct entry *e)
{
	if (r->f.indicator[0] && strcmp(r->f.indicator, e->indicator))
		return false;
	if (r->f.orgunit[0] && strcmp(r->f.orgunit, e->orgunit))
		return false;
	if (r->f.period[0] && strcmp(r->f.period, e->period))
		return false;
	if (!r->f.jabatan[0])
		return true;
	for (size_t i = 0; i < r->n_allowed; i++)
		if (!strcmp(r->allowed[i], e->indicator))
			return true;
	return false;
}

static int append(struct live_reader *r, const char *s, size_t n)
{
	if (grow((void **)&r->buf, &r->cap, r->len + n, 1) < 0)
		return -ENOMEM;
	memcpy(r->buf + r->len, s, n);
	r->len += n;
	return 0;
}

/* The held values that pass the filter, as one snapshot event. Under lock. */
static int snapshot(struct live_reader *r)
{
	struct live *l = r->l;
	char head[96];
	bool first = true;
	int n = snprintf(head, sizeof(head), "event: snapshot\ndata: {\"seq\":%llu,\"values\":[",
			 (unsigned long long)l->seq);
	int rc = append(r, head, (size_t)n);
	for (size_t i = 0; rc == 0 && i < l->cap; i++) {
		const struct entry *e = l->held[i];
		if (!e || !e->json || !passes(r, e))
			continue;
		if (!first)
			rc = append(r, ",", 1);
		if (rc == 0)
			rc = append(r, e->json, strlen(e->json));
		first = false;
	}
	if (rc == 0)
		rc = append(r, "]}\n\n", 4);
	r->epoch = l->epoch;
	r->pos = l->head;
	r->started = true;
	return rc;
}

/* The ring's updates from r->pos on that pass the filter, up to about 256 KiB. Under lock. */
static int updates(struct live_reader *r)
{
	struct live *l = r->l;
	int rc = 0;
	for (; rc == 0 && r->pos < l->head && r->len < (256u << 10); r->pos++) {
		const struct entry *e = &l->ring[r->pos % LIVE_RING];
		if (e->json && passes(r, e))
			rc = append(r, e->json, strlen(e->json));
	}
	return rc;
}

void live_reader_guard(struct live_reader *r, int (*alive)(void *), void *arg)
{
	r->alive = alive;
	r->alive_arg = arg;
	r->checked = time(NULL);
}

/* Whether the reader's guard still lets it go on (asked at most every LIVE_CHECK_S). The guard
 * takes other locks: called without l->lock. */
static bool guard_ok(struct live_reader *r)
{
	time_t now = time(NULL);
	if (!r->alive || now - r->checked < LIVE_CHECK_S)
		return true;
	r->checked = now;
	return r->alive(r->alive_arg) != 0;
}

/* Fill r's buffer with what is due, waiting for it. Under lock. 0, or -1 at the end. */
static int fill(struct live_reader *r)
{
	struct live *l = r->l;
	while (!l->ending) {
		if (r->alive && time(NULL) - r->checked >= LIVE_CHECK_S) {
			pthread_mutex_unlock(&l->lock);
			bool ok = guard_ok(r);
			pthread_mutex_lock(&l->lock);
			if (!ok)
				return -1;
		}
		if (l->filling) {
			pthread_cond_wait(&l->changed, &l->lock);
			continue;
		}
		int rc = 0;
		if (!r->started || r->epoch != l->epoch || l->head - r->pos > LIVE_RING)
			rc = snapshot(r);
		else
			rc = updates(r);
		if (rc < 0)
			return -1;
		time_t now = time(NULL);
		if (r->len == 0 && now - r->quiet_since >= l->o.keepalive_s)
			append(r, ": keepalive\n\n", 13);
		if (r->len > 0) {
			r->quiet_since = now;
			return 0;
		}
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&l->changed, &l->lock, &until);
	}
	return -1;
}

ssize_t live_reader_read(struct live_reader *r, char *buf, size_t max)
{
	if (r->off == r->len) {
		r->off = r->len = 0;
		if (r->cap > (64u << 10)) { /* a big snapshot's buffer is not kept */
			free(r->buf);
			r->buf = NULL;
			r->cap = 0;
		}
		pthread_mutex_lock(&r->l->lock);
		int rc = fill(r);
		pthread_mutex_unlock(&r->l->lock);
		if (rc < 0)
			return -1;
	}
	size_t n = r->len - r->off < max ? r->len - r->off : max;
	memcpy(buf, r->buf + r->off, n);
	r->off += n;
	return (ssize_t)n;
}
