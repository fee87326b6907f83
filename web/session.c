/* session.c: sessions and login lock-outs (see session.h). */
#include "session.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FAIL_SLOTS 4096 /* failure counters kept (names and addresses); the oldest is reused */

struct session {
	char id[SESSION_ID_LEN + 1];
	struct session_info info;
	long long created, last; /* ms */
};

struct fail {
	char key[96]; /* "u:" name or "a:" address; "" when free */
	int count;
	long long window_start, locked_until; /* ms */
};

struct sessions {
	pthread_mutex_t lock;
	struct session_options o;
	struct session *s;
	size_t n;
	struct fail *f;
};

/* Milliseconds of the monotonic clock (seconds would make a limit up to a second short). */
static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct sessions *sessions_new(const struct session_options *o)
{
	struct sessions *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->o = *o;
	if (s->o.idle_s <= 0)
		s->o.idle_s = 1800;
	if (s->o.max_s <= 0)
		s->o.max_s = 43200;
	if (!s->o.max_sessions)
		s->o.max_sessions = 10000;
	if (s->o.login_attempts <= 0)
		s->o.login_attempts = 5;
	s->s = calloc(s->o.max_sessions, sizeof(*s->s));
	s->f = calloc(FAIL_SLOTS, sizeof(*s->f));
	if (!s->s || !s->f) {
		sessions_free(&s);
		return NULL;
	}
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void sessions_free(struct sessions **sp)
{
	if (!sp || !*sp)
		return;
	if ((*sp)->s)
		sodium_memzero((*sp)->s, (*sp)->o.max_sessions * sizeof(*(*sp)->s));
	free((*sp)->s);
	free((*sp)->f);
	pthread_mutex_destroy(&(*sp)->lock);
	free(*sp);
	*sp = NULL;
}

static void random_id(char out[SESSION_ID_LEN + 1])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, SESSION_ID_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

static void drop(struct sessions *s, size_t i)
{
	sodium_memzero(&s->s[i], sizeof(s->s[i]));
	s->s[i] = s->s[--s->n];
	sodium_memzero(&s->s[s->n], sizeof(s->s[s->n]));
}

static bool expired(const struct sessions *s, const struct session *x, long long now)
{
	return now - x->last >= s->o.idle_s * 1000LL || now - x->created >= s->o.max_s * 1000LL;
}

int sessions_create(struct sessions *s, const char *user, char id[SESSION_ID_LEN + 1],
		    char csrf[SESSION_ID_LEN + 1])
{
	long long now = now_ms();
	pthread_mutex_lock(&s->lock);
	for (size_t i = s->n; i-- > 0;)
		if (expired(s, &s->s[i], now))
			drop(s, i);
	if (s->n == s->o.max_sessions) { /* the oldest goes */
		size_t old = 0;
		for (size_t i = 1; i < s->n; i++)
			if (s->s[i].created < s->s[old].created)
				old = i;
		drop(s, old);
	}
	struct session *x = &s->s[s->n++];
	random_id(x->id);
	random_id(x->info.csrf);
	snprintf(x->info.user, sizeof(x->info.user), "%s", user);
	x->created = x->last = now;
	memcpy(id, x->id, SESSION_ID_LEN + 1);
	memcpy(csrf, x->info.csrf, SESSION_ID_LEN + 1);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* Index of the session with that id, or -1; every slot is compared, in constant time each. */
static long find(struct sessions *s, const char *id)
{
	long found = -1;
	if (strlen(id) != SESSION_ID_LEN)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (sodium_memcmp(s->s[i].id, id, SESSION_ID_LEN) == 0)
			found = (long)i;
	return found;
}

int sessions_lookup(struct sessions *s, const char *id, struct session_info *out)
{
	long long now = now_ms();
	int rc = -ENOENT;
	pthread_mutex_lock(&s->lock);
	long i = find(s, id);
	if (i >= 0 && expired(s, &s->s[i], now))
		drop(s, (size_t)i);
	else if (i >= 0) {
		s->s[i].last = now;
		*out = s->s[i].info;
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void sessions_end(struct sessions *s, const char *id)
{
	pthread_mutex_lock(&s->lock);
	long i = find(s, id);
	if (i >= 0)
		drop(s, (size_t)i);
	pthread_mutex_unlock(&s->lock);
}

void sessions_end_user(struct sessions *s, const char *user)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = s->n; i-- > 0;)
		if (!strcmp(s->s[i].info.user, user))
			drop(s, i);
	pthread_mutex_unlock(&s->lock);
}

/* The counter of key: found, or a free or the oldest slot taken over (when create). */
static struct fail *fail_slot(struct sessions *s, const char *key, bool create)
{
	struct fail *old = &s->f[0];
	for (size_t i = 0; i < FAIL_SLOTS; i++) {
		if (!strcmp(s->f[i].key, key))
			return &s->f[i];
		if (s->f[i].window_start < old->window_start || !s->f[i].key[0])
			old = &s->f[i];
	}
	if (!create)
		return NULL;
	memset(old, 0, sizeof(*old));
	snprintf(old->key, sizeof(old->key), "%s", key);
	return old;
}

/* Seconds (rounded up) of key's lock-out left, or 0. */
static int locked_for(struct sessions *s, const char *key, long long now)
{
	struct fail *f = fail_slot(s, key, false);
	return f && f->locked_until > now ? (int)((f->locked_until - now + 999) / 1000) : 0;
}

int sessions_login_allowed(struct sessions *s, const char *user, const char *addr, int *retry_s)
{
	char ku[96], ka[96];
	long long now = now_ms();
	snprintf(ku, sizeof(ku), "u:%s", user);
	snprintf(ka, sizeof(ka), "a:%s", addr);
	pthread_mutex_lock(&s->lock);
	int u = locked_for(s, ku, now), a = locked_for(s, ka, now);
	pthread_mutex_unlock(&s->lock);
	*retry_s = u > a ? u : a;
	return *retry_s > 0 ? -EAGAIN : 0;
}

static void count(struct sessions *s, const char *key, int limit, long long now)
{
	struct fail *f = fail_slot(s, key, true);
	if (!f->count || now - f->window_start >= SESSION_WINDOW_S * 1000LL) {
		f->window_start = now;
		f->count = 0;
	}
	if (++f->count >= limit) {
		f->locked_until = now + SESSION_LOCKOUT_S * 1000LL;
		f->count = 0;
		f->window_start = now;
	}
}

void sessions_login_failed(struct sessions *s, const char *user, const char *addr)
{
	char ku[96], ka[96];
	long long now = now_ms();
	snprintf(ku, sizeof(ku), "u:%s", user);
	snprintf(ka, sizeof(ka), "a:%s", addr);
	pthread_mutex_lock(&s->lock);
	count(s, ku, s->o.login_attempts, now);
	count(s, ka, 4 * s->o.login_attempts, now);
	pthread_mutex_unlock(&s->lock);
}

void sessions_login_ok(struct sessions *s, const char *user)
{
	char ku[96];
	snprintf(ku, sizeof(ku), "u:%s", user);
	pthread_mutex_lock(&s->lock);
	struct fail *f = fail_slot(s, ku, false);
	if (f && f->locked_until == 0)
		f->count = 0;
	pthread_mutex_unlock(&s->lock);
}
