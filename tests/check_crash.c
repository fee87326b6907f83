/* check_crash.c: kill -9 ikid at random moments under concurrent submits; a hot backup under load. */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <lmdb.h>
#include <zmq.h>

#include "harness.h"
#include "iki.h"
#include "proto.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"
#define V1 "35.27.03.2001"
#define V2 "35.27.03.2002"
#define CLIENTS 4
#define BATCH_NEW 16     /* new events in a batch: 1 to this many */
#define BATCH_OLD 2      /* acknowledged events resent in a batch: 0 to this many */
#define REPLY_MS 30000   /* no reply from one daemon for this long: the test fails */
#define RESEND_BATCH 500 /* events per batch when resending everything */

/*
 * What the clients share with the test: where the daemon listens now (it changes at each
 * restart, and gen with it), and the first thing that went wrong.
 */
struct shared {
	pthread_mutex_t mu;
	char endpoint[256];
	unsigned gen;
	bool stop;
	char failure[512];
};

/*
 * One client: submits its own events c<id>-0, c<id>-1, ... in order, one batch at a time, each
 * until it is acknowledged; so the events acknowledged are a prefix, [0, acked).
 */
struct client {
	int id;
	unsigned seed;
	struct shared *sh;
	pthread_t thread;
	uint64_t acked; /* under sh->mu: events [0, acked) acknowledged */
	uint64_t sent;  /* under sh->mu: events [0, sent) sent at least once */
	uint64_t lost;  /* under sh->mu: acknowledged events a resend found missing (answered ok) */
};

/*
 * Every directory of a run lives under root, made and removed by the runner's process (an
 * unchecked fixture): a failed assertion ends the test's process at once, without teardown, and
 * Check then kills the daemons it started; root goes all the same.
 */
static char root[64];

static void root_make(void)
{
	snprintf(root, sizeof(root), "/tmp/iki-crash-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
}

static void root_remove(void)
{
	harness_rmtree(root);
}

/* A fresh daemon description whose state directory is a new one under root. */
static void fresh(struct ikid *d, const char *name)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->state, sizeof(d->state), "%s/%s-XXXXXX", root, name);
	ck_assert_ptr_nonnull(mkdtemp(d->state));
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fail_once(struct shared *sh, const char *what)
{
	pthread_mutex_lock(&sh->mu);
	if (!sh->failure[0])
		snprintf(sh->failure, sizeof(sh->failure), "%.500s", what);
	pthread_mutex_unlock(&sh->mu);
}

/* Event i of client c: a flow (value 1) in 2022, in one of the villages: each counts once. */
static void make_event(int c, uint64_t i, struct proto_event *e)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "c%d-%llu", c, (unsigned long long)i);
	snprintf(e->element, sizeof(e->element), "%s", i % 3 == 2 ? "surat_tepat" : "surat_masuk");
	snprintf(e->orgunit, sizeof(e->orgunit), "%s", i % 2 ? V1 : V2);
	snprintf(e->date, sizeof(e->date), "2022-%02d-%02d", (int)(i % 12) + 1,
		 (int)(i / 12 % 28) + 1);
	e->op = PROTO_OP_ADD;
	e->value = 1;
}

static void *dealer(void *ctx, const char *endpoint)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_connect(s, endpoint);
	return s;
}

/* One request and its reply on a fresh socket; 0, or -1 when none came within timeout_ms. */
static int request(const char *endpoint, const struct proto_msg *m, struct proto_msg *reply,
		   int timeout_ms)
{
	void *ctx = zmq_ctx_new(), *s = dealer(ctx, endpoint);
	char *buf = NULL;
	size_t len;
	int rc = -1;
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	if (proto_encode(m, &buf, &len) == 0 && zmq_send(s, buf, len, 0) == (int)len) {
		char *big = malloc(PROTO_MSG_MAX);
		int n = big ? zmq_recv(s, big, PROTO_MSG_MAX, 0) : -1;
		if (n > 0 && proto_decode(big, (size_t)n, reply) == 0)
			rc = 0;
		free(big);
	}
	free(buf);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return rc;
}

/* The last lines of ikid's log, to stderr: what it said before a failed check. */
static void log_tail(const struct ikid *d)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "tail -n 20 '%s' >&2", d->log);
	if (system(cmd) != 0)
		fprintf(stderr, "(no log at %s)\n", d->log);
}

/*
 * Events stored: num + den of surat (surat_tepat + surat_masuk) for the kecamatan in 2022, or
 * -1. A restarted ikid may answer a documented retryable refusal (or nothing, on a loaded
 * machine) while eight clients resend at once: ask again, as a client would, a few times, and
 * say each time what came back.
 */
static int64_t count_stored(const struct ikid *d)
{
	struct proto_msg q = {.type = PROTO_QUERY, .req = 1}, r;
	snprintf(q.query.indicator, sizeof(q.query.indicator), "surat");
	snprintf(q.query.period, sizeof(q.query.period), "2022");
	for (int attempt = 1; attempt <= 5; attempt++, harness_sleep_ms(500)) {
		if (request(d->request, &q, &r, 20000) < 0) {
			fprintf(stderr, "count_stored (try %d): no answer from %s in 20 s\n", attempt,
				d->request);
			continue;
		}
		int64_t n = r.type == PROTO_VALUES && r.n_values == 1
				    ? r.values[0].num + r.values[0].den
				    : -1;
		if (n < 0)
			fprintf(stderr, "count_stored (try %d): answer %s, %zu values, code %d (%s)\n",
				attempt, proto_type_name(r.type), r.n_values, (int)r.code, r.message);
		proto_msg_clear(&r);
		if (n >= 0)
			return n;
	}
	log_tail(d);
	return -1;
}

/*
 * Send a batch until it is answered. A daemon killed meanwhile never answers: once it is back
 * (gen moves), connect to where it listens now and send the batch again; idempotence makes that
 * safe. Returns 0 with the reply in *reply, or -1 (with a failure recorded).
 */
static int exchange(struct client *c, void *ctx, void **sock, unsigned *gen, const char *buf,
		    size_t len, uint64_t req, struct proto_msg *reply)
{
	int64_t sent_at = 0;
	char *in = malloc(PROTO_MSG_MAX);
	for (int rc = -1; in; rc = -1) {
		pthread_mutex_lock(&c->sh->mu);
		unsigned g = c->sh->gen;
		char ep[256];
		snprintf(ep, sizeof(ep), "%s", c->sh->endpoint);
		pthread_mutex_unlock(&c->sh->mu);
		if (!*sock || g != *gen) {
			if (*sock)
				zmq_close(*sock);
			*sock = dealer(ctx, ep);
			*gen = g;
			sent_at = 0;
		}
		if (!sent_at) {
			zmq_send(*sock, buf, len, 0);
			sent_at = now_ms();
		}
		zmq_pollitem_t it = {*sock, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&it, 1, 20) > 0) {
			int n = zmq_recv(*sock, in, PROTO_MSG_MAX, 0);
			rc = n > 0 ? proto_decode(in, (size_t)n, reply) : -1;
		}
		if (rc == 0 && reply->req == req && reply->type == PROTO_SUBMITTED) {
			free(in);
			return 0;
		}
		if (rc == 0 && !(reply->type == PROTO_ERROR && reply->code == IKI_EBUSY)) {
			char what[600];
			snprintf(what, sizeof(what), "client %d: unexpected reply: %s", c->id,
				 reply->type == PROTO_ERROR ? reply->message : "not submitted");
			fail_once(c->sh, what);
			break;
		}
		if (rc == 0)
			proto_msg_clear(reply);
		if (now_ms() - sent_at > REPLY_MS) {
			fail_once(c->sh, "a client got no reply in 30 s from a running daemon");
			break;
		}
	}
	free(in);
	return -1;
}

/* Judge the results of a batch of n_new new events followed by old, acknowledged ones. */
static int judge(struct client *c, const struct proto_msg *r, size_t n_new, size_t n)
{
	char what[600];
	if (r->n_results != n) {
		fail_once(c->sh, "a reply with the wrong number of results");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct proto_result *res = &r->results[i];
		if (res->status == PROTO_STATUS_ERROR) {
			snprintf(what, sizeof(what), "client %d: event rejected: %s", c->id, res->message);
			fail_once(c->sh, what);
			return -1;
		}
		if (i >= n_new && res->status == PROTO_STATUS_OK) { /* acknowledged, yet missing */
			pthread_mutex_lock(&c->sh->mu);
			c->lost++;
			pthread_mutex_unlock(&c->sh->mu);
		}
	}
	return 0;
}

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct proto_event evs[BATCH_NEW + BATCH_OLD];
	void *ctx = zmq_ctx_new(), *sock = NULL;
	unsigned gen = ~0u;
	for (uint64_t req = 1;; req++) {
		pthread_mutex_lock(&c->sh->mu);
		bool stop = c->sh->stop || c->sh->failure[0];
		uint64_t first = c->acked;
		size_t n_new = 1 + (size_t)rand_r(&c->seed) % BATCH_NEW, n = 0;
		c->sent = first + n_new;
		pthread_mutex_unlock(&c->sh->mu);
		if (stop)
			break;
		for (size_t k = 0; k < n_new; k++)
			make_event(c->id, first + k, &evs[n++]);
		for (size_t k = 0; first && k < (size_t)rand_r(&c->seed) % (BATCH_OLD + 1); k++)
			make_event(c->id, (uint64_t)rand_r(&c->seed) % first, &evs[n++]);
		struct proto_msg m = {.type = PROTO_SUBMIT, .req = req, .events = evs, .n_events = n}, r;
		char *buf;
		size_t len;
		if (proto_encode(&m, &buf, &len) < 0)
			break;
		int rc = exchange(c, ctx, &sock, &gen, buf, len, req, &r);
		free(buf);
		if (rc < 0)
			break;
		rc = judge(c, &r, n_new, n);
		proto_msg_clear(&r);
		if (rc < 0)
			break;
		pthread_mutex_lock(&c->sh->mu);
		c->acked = first + n_new;
		pthread_mutex_unlock(&c->sh->mu);
		harness_sleep_ms(rand_r(&c->seed) % 4);
	}
	if (sock)
		zmq_close(sock);
	zmq_ctx_term(ctx);
	return NULL;
}

static void clients_start(struct shared *sh, struct client *cl, int n, unsigned seed)
{
	for (int i = 0; i < n; i++) {
		cl[i] = (struct client){.id = i, .seed = seed + (unsigned)i, .sh = sh};
		ck_assert_int_eq(pthread_create(&cl[i].thread, NULL, client_run, &cl[i]), 0);
	}
}

/* Stop the clients once each has its batch in flight acknowledged. */
static void clients_stop(struct shared *sh, struct client *cl, int n)
{
	pthread_mutex_lock(&sh->mu);
	sh->stop = true;
	pthread_mutex_unlock(&sh->mu);
	for (int i = 0; i < n; i++)
		pthread_join(cl[i].thread, NULL);
}

/* Tell the clients where the daemon listens now. */
static void announce(struct shared *sh, const struct ikid *d)
{
	pthread_mutex_lock(&sh->mu);
	snprintf(sh->endpoint, sizeof(sh->endpoint), "%s", d->request);
	sh->gen++;
	pthread_mutex_unlock(&sh->mu);
}

/* Sum of one counter over the clients, read under the lock. */
static uint64_t total(struct shared *sh, const struct client *cl, int n, size_t offset)
{
	uint64_t t = 0;
	pthread_mutex_lock(&sh->mu);
	for (int i = 0; i < n; i++)
		t += *(const uint64_t *)((const char *)&cl[i] + offset);
	pthread_mutex_unlock(&sh->mu);
	return t;
}

/* `ikid --verify` on a state directory: the mismatches it reports (1 when it says nothing). */
static uint64_t verify(const char *state)
{
	char args[512], *out = NULL;
	unsigned long long events, compared, mismatches = 0;
	snprintf(args, sizeof(args), "--verify -c %s -d %s", MINI, state);
	int st = harness_ikid(args, &out);
	const char *line = strstr(out, "verify: ");
	int got = line ? sscanf(line, "verify: %llu events checked, %llu values compared, %llu "
				"mismatches", &events, &compared, &mismatches) : 0;
	if (got != 3 || (st == 0) != (mismatches == 0) || st > 1) {
		fprintf(stderr, "ikid --verify on %s: exit %d:\n%s", state, st, out);
		mismatches = got == 3 && mismatches ? mismatches : 1;
	} else if (mismatches) {
		fprintf(stderr, "%s", out);
	}
	free(out);
	return mismatches;
}

/*
 * Resend events [from, to) of client c in big batches; count the answers ok (the event was
 * missing) and errors.
 */
static void resend(const char *endpoint, int c, uint64_t from, uint64_t to, uint64_t *ok,
		   uint64_t *errors)
{
	struct proto_event *evs = calloc(RESEND_BATCH, sizeof(*evs));
	ck_assert_ptr_nonnull(evs);
	for (uint64_t i = from; i < to;) {
		struct proto_msg m = {.type = PROTO_SUBMIT, .req = i + 1, .events = evs}, r;
		for (; i < to && m.n_events < RESEND_BATCH; i++)
			make_event(c, i, &evs[m.n_events++]);
		ck_assert_int_eq(request(endpoint, &m, &r, 20000), 0);
		ck_assert_int_eq(r.type, PROTO_SUBMITTED);
		for (size_t k = 0; k < r.n_results; k++) {
			*ok += r.results[k].status == PROTO_STATUS_OK;
			*errors += r.results[k].status == PROTO_STATUS_ERROR;
		}
		proto_msg_clear(&r);
	}
	free(evs);
}

static unsigned seed_from_env(void)
{
	const char *s = getenv("CRASH_SEED");
	unsigned seed = s && *s ? (unsigned)strtoul(s, NULL, 10) : (unsigned)time(NULL) ^ (unsigned)getpid();
	return seed;
}

static int kills_from_env(void)
{
	const char *k = getenv("CRASH_KILLS");
	int n = k && *k ? atoi(k) : 25;
	return n > 0 ? n : 25;
}

/* One kill and restart: check what the acknowledgements promised, and the derived values. */
struct tally {
	uint64_t lost, duplicates, mismatches;
};

static void kill_and_check(struct ikid *d, struct shared *sh, struct client *cl,
			   struct tally *t)
{
	harness_stop(d, SIGKILL);
	/* Reaped: every acknowledgement counted now came from a commit before the kill. */
	uint64_t acked = total(sh, cl, CLIENTS, offsetof(struct client, acked));
	t->mismatches += verify(d->state);
	ck_assert_int_eq(harness_start(d, MINI), 0);
	announce(sh, d);
	int64_t stored = count_stored(d);
	uint64_t sent = total(sh, cl, CLIENTS, offsetof(struct client, sent));
	ck_assert_int_ge(stored, 0);
	if ((uint64_t)stored < acked)
		t->lost += acked - (uint64_t)stored;
	if ((uint64_t)stored > sent) /* more than were ever sent: something counted twice */
		t->duplicates += (uint64_t)stored - sent;
}

START_TEST(test_crash_kill_9_loses_nothing_acknowledged)
{
	struct shared sh = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct client cl[CLIENTS];
	struct ikid live, *d = &live;
	struct tally t = {0, 0, 0};
	unsigned seed = seed_from_env();
	int kills = kills_from_env();
	fresh(d, "live");
	ck_assert_int_eq(harness_start(d, MINI), 0);
	announce(&sh, d);
	clients_start(&sh, cl, CLIENTS, seed);
	for (int k = 0; k < kills && !sh.failure[0]; k++) {
		harness_sleep_ms(20 + (int)(rand_r(&seed) % 180));
		kill_and_check(d, &sh, cl, &t);
	}
	clients_stop(&sh, cl, CLIENTS);
	/* Every batch was acknowledged in the end: the totals are exact. */
	uint64_t acked = total(&sh, cl, CLIENTS, offsetof(struct client, acked));
	int64_t stored = count_stored(d);
	ck_assert_int_ge(stored, 0);
	t.lost += total(&sh, cl, CLIENTS, offsetof(struct client, lost));
	t.lost += (uint64_t)stored < acked ? acked - (uint64_t)stored : 0;
	t.duplicates += (uint64_t)stored > acked ? (uint64_t)stored - acked : 0;
	/* And each acknowledged event is there, by its id: a resend of all is all duplicates. */
	uint64_t missing = 0, errors = 0;
	for (int i = 0; i < CLIENTS; i++)
		resend(d->request, i, 0, cl[i].acked, &missing, &errors);
	t.lost += missing;
	harness_stop(d, SIGTERM);
	t.mismatches += verify(d->state);
	printf("crash: kills=%d acked=%llu lost=%llu mismatches=%llu duplicates_counted=%llu "
	       "(seed %u)\n", kills, (unsigned long long)acked, (unsigned long long)t.lost,
	       (unsigned long long)t.mismatches, (unsigned long long)t.duplicates, seed);
	fflush(stdout);
	harness_cleanup(d);
	ck_assert_msg(!sh.failure[0], "%s", sh.failure);
	ck_assert_uint_eq(errors, 0);
	ck_assert_uint_eq(t.lost, 0);
	ck_assert_uint_eq(t.mismatches, 0);
	ck_assert_uint_eq(t.duplicates, 0);
	ck_assert_uint_gt(acked, 0);
}
END_TEST

/* Every value of a snapshot of the whole store, as one daemon answers it. */
static void snapshot(const char *endpoint, struct proto_msg *r)
{
	struct proto_msg q = {.type = PROTO_SNAPSHOT, .req = 7};
	ck_assert_int_eq(request(endpoint, &q, r, 20000), 0);
	ck_assert_int_eq(r->type, PROTO_VALUES);
}

static void assert_same_values(const char *a, const char *b)
{
	struct proto_msg ra, rb;
	snapshot(a, &ra);
	snapshot(b, &rb);
	ck_assert_uint_gt(ra.n_values, 0);
	ck_assert_uint_eq(ra.n_values, rb.n_values);
	for (size_t i = 0; i < ra.n_values; i++) {
		const struct proto_value *x = &ra.values[i], *y = &rb.values[i];
		ck_assert_str_eq(x->indicator, y->indicator);
		ck_assert_str_eq(x->orgunit, y->orgunit);
		ck_assert_str_eq(x->period, y->period);
		ck_assert_msg(x->num == y->num && x->den == y->den, "%s %s %s: %lld/%lld vs %lld/%lld",
			      x->indicator, x->orgunit, x->period, (long long)x->num,
			      (long long)x->den, (long long)y->num, (long long)y->den);
	}
	proto_msg_clear(&ra);
	proto_msg_clear(&rb);
}

START_TEST(test_backup_under_load_serves_what_was_acknowledged)
{
	struct shared sh = {.mu = PTHREAD_MUTEX_INITIALIZER};
	struct client cl[2];
	struct ikid live, copy, *d = &live, *d2 = &copy;
	uint64_t before[2], missing = 0, errors = 0;
	char *dest = d2->state, args[2048], *out = NULL;
	fresh(d, "live");
	fresh(d2, "backup"); /* an empty directory: the backup goes there */
	ck_assert_int_eq(harness_start(d, MINI), 0);
	announce(&sh, d);
	clients_start(&sh, cl, 2, seed_from_env());
	harness_sleep_ms(300);
	for (int i = 0; i < 2; i++)
		before[i] = total(&sh, &cl[i], 1, offsetof(struct client, acked));
	snprintf(args, sizeof(args), "--backup %s -d %s", dest, d->state);
	int st = harness_ikid(args, &out);
	ck_assert_msg(st == 0 && strstr(out, "backup: "), "ikid %s: exit %d: %s", args, st, out);
	free(out);
	/* The live store, read beside the daemon while it writes, is consistent too. */
	ck_assert_uint_eq(verify(d->state), 0);
	harness_sleep_ms(100);
	clients_stop(&sh, cl, 2);
	ck_assert_msg(!sh.failure[0], "%s", sh.failure);
	ck_assert_uint_gt(before[0] + before[1], 0);
	ck_assert_uint_eq(verify(dest), 0);

	/* A second ikid on the backup has every event acknowledged before the backup began ... */
	ck_assert_int_eq(harness_start(d2, MINI), 0);
	int64_t in_backup = count_stored(d2), in_live = count_stored(d);
	for (int i = 0; i < 2; i++)
		resend(d2->request, i, 0, before[i], &missing, &errors);
	ck_assert_uint_eq(missing, 0);
	ck_assert_uint_eq(errors, 0);
	/* ... nothing that was never sent, and once given what came after, the same values. */
	ck_assert_int_ge(in_backup, (int64_t)(before[0] + before[1]));
	ck_assert_int_le(in_backup, in_live);
	for (int i = 0; i < 2; i++)
		resend(d2->request, i, before[i], cl[i].acked, &missing, &errors);
	ck_assert_int_eq(count_stored(d2), in_live);
	assert_same_values(d->request, d2->request);
	harness_stop(d2, SIGTERM);
	harness_stop(d, SIGTERM);
	harness_cleanup(d2);
	harness_cleanup(d);
}
END_TEST

START_TEST(test_backup_refuses_a_used_destination_and_a_missing_store)
{
	struct ikid live, copy, *d = &live;
	char *dest = copy.state, args[2048], *out = NULL;
	fresh(d, "live");
	fresh(&copy, "backup");
	ck_assert_int_eq(harness_start(d, MINI), 0);
	harness_stop(d, SIGTERM);
	snprintf(args, sizeof(args), "--backup %s -d %s", dest, d->state);
	ck_assert_int_eq(harness_ikid(args, &out), 0);
	free(out);
	ck_assert_int_eq(harness_ikid(args, &out), 1); /* not over a backup already there */
	ck_assert_msg(strstr(out, "already"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "--backup %s/new -d %s/nothing-here", dest, dest);
	ck_assert_int_eq(harness_ikid(args, &out), 1);
	free(out);
	snprintf(args, sizeof(args), "--verify -c %s -d %s/nothing-here", MINI, dest);
	ck_assert_int_eq(harness_ikid(args, &out), 1);
	free(out);
	harness_cleanup(d);
	harness_cleanup(&copy);
}
END_TEST

/* The size of the state's data.mdb, in bytes. */
static long long mdb_size(const struct ikid *d)
{
	char path[300];
	struct stat st;
	snprintf(path, sizeof(path), "%s/data.mdb", d->state);
	ck_assert_int_eq(stat(path, &st), 0);
	return (long long)st.st_size;
}

/* A process that opens the store and dies inside a read transaction, as a killed --verify or
 * --backup does: its reader slot stays taken. */
static void reader_dies(const struct ikid *d)
{
	int fds[2];
	char c;
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		MDB_env *env;
		MDB_txn *txn;
		close(fds[0]);
		if (mdb_env_create(&env) || mdb_env_set_maxdbs(env, 16) ||
		    mdb_env_open(env, d->state, MDB_RDONLY, 0640) ||
		    mdb_txn_begin(env, NULL, MDB_RDONLY, &txn))
			_exit(1);
		if (write(fds[1], "r", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &c, 1), 1);
	close(fds[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

START_TEST(test_a_reader_killed_mid_read_does_not_grow_the_database)
{
	struct ikid live, *d = &live;
	fresh(d, "readers");
	ck_assert_int_eq(harness_start(d, MINI), 0);
	struct proto_msg m = {.type = PROTO_SUBMIT, .req = 1, .n_events = 1}, r;
	m.events = calloc(1, sizeof(*m.events));
	for (uint64_t i = 0; i < 50; i++) { /* the tree has some depth before we look */
		make_event(0, i, &m.events[0]);
		ck_assert_int_eq(request(d->request, &m, &r, 10000), 0);
		proto_msg_clear(&r);
	}
	reader_dies(d);
	harness_sleep_ms(1500); /* ikid looks for dead readers once a second */
	long long before = mdb_size(d);
	for (uint64_t i = 50; i < 450; i++) { /* 400 one-event commits */
		make_event(0, i, &m.events[0]);
		ck_assert_int_eq(request(d->request, &m, &r, 10000), 0);
		ck_assert_int_eq(r.results[0].status, PROTO_STATUS_OK);
		proto_msg_clear(&r);
	}
	long long grown = mdb_size(d) - before;
	printf("a dead reader: 400 one-event commits grew data.mdb by %lld KiB\n", grown >> 10);
	ck_assert_msg(grown < 1 << 20, "data.mdb grew by %lld bytes", grown);
	ck_assert_int_eq(count_stored(d), 450);
	harness_stop(d, SIGTERM);
	FILE *f = fopen(d->log, "r");
	char line[1024];
	bool said = false;
	while (f && fgets(line, sizeof(line), f))
		said |= strstr(line, "cleared 1 stale database reader ") != NULL;
	if (f)
		fclose(f);
	ck_assert(said);
	free(m.events);
	m.events = NULL;
	harness_cleanup(d);
}
END_TEST

static Suite *crash_suite(void)
{
	Suite *s = suite_create("crash");
	TCase *tc = tcase_create("kill");
	tcase_add_unchecked_fixture(tc, root_make, root_remove);
	tcase_set_timeout(tc, 60 + 3 * kills_from_env());
	tcase_add_test(tc, test_crash_kill_9_loses_nothing_acknowledged);
	suite_add_tcase(s, tc);
	tc = tcase_create("backup");
	tcase_add_unchecked_fixture(tc, root_make, root_remove);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_backup_under_load_serves_what_was_acknowledged);
	tcase_add_test(tc, test_backup_refuses_a_used_destination_and_a_missing_store);
	tcase_add_test(tc, test_a_reader_killed_mid_read_does_not_grow_the_database);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(crash_suite)
