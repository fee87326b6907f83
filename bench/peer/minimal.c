/* minimal.c: the minimal durable path over ZeroMQ and LMDB (minimal.h). */
#include "minimal.h"

#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "../../tests/harness.h"
#include "../loadgen.h"
#include "proto.h"

#define DRAIN_MAX 4096 /* submits in one group commit at most */

struct pending {
	zmq_msg_t who;
	struct proto_msg m;
};

struct minimal {
	char dir[160];
	char endpoint[128];
	void *ctx, *router;
	MDB_env *env;
	MDB_dbi ids, log, counter;
	uint64_t seq;
	atomic_bool stop;
	pthread_t th;
	struct pending *p;
};

static void check(int rc, const char *what)
{
	if (rc != 0)
		load_die("minimal: %s: %s", what, mdb_strerror(rc));
}

/* Dedup, append and count the events of p[0..n) in one durable transaction; set statuses. */
static void commit(struct minimal *m, struct pending *p, int n, struct proto_result **res)
{
	MDB_txn *txn;
	check(mdb_txn_begin(m->env, NULL, 0, &txn), "begin");
	uint64_t added = 0;
	for (int i = 0; i < n; i++) {
		struct proto_msg *s = &p[i].m;
		res[i] = calloc(s->n_events ? s->n_events : 1, sizeof(**res));
		if (!res[i])
			load_die("out of memory");
		for (size_t k = 0; k < s->n_events; k++) {
			const struct proto_event *e = &s->events[k];
			uint64_t seq = ++m->seq;
			MDB_val key = {strlen(e->id), (void *)e->id}, val = {sizeof(seq), &seq};
			int rc = mdb_put(txn, m->ids, &key, &val, MDB_NOOVERWRITE);
			if (rc == MDB_KEYEXIST) {
				res[i][k].status = PROTO_STATUS_DUPLICATE;
				continue;
			}
			check(rc, "put id");
			unsigned char be[8]; /* big-endian, so that the log's keys sort as they grow */
			for (int b = 0; b < 8; b++)
				be[b] = (unsigned char)(seq >> (56 - 8 * b));
			MDB_val lk = {sizeof(be), be}, lv = {sizeof(*e), (void *)e};
			check(mdb_put(txn, m->log, &lk, &lv, MDB_APPEND), "append");
			res[i][k].status = PROTO_STATUS_OK;
			added += (uint64_t)e->value;
		}
	}
	MDB_val ck = {1, "n"}, cv;
	uint64_t total = 0;
	if (mdb_get(txn, m->counter, &ck, &cv) == 0 && cv.mv_size == sizeof(total))
		memcpy(&total, cv.mv_data, sizeof(total));
	total += added;
	cv = (MDB_val){sizeof(total), &total};
	check(mdb_put(txn, m->counter, &ck, &cv, 0), "counter");
	check(mdb_txn_commit(txn), "commit");
}

/* Ack each drained submit with its results. */
static void ack(struct minimal *m, struct pending *p, int n, struct proto_result **res)
{
	for (int i = 0; i < n; i++) {
		struct proto_msg r = {.type = PROTO_SUBMITTED, .req = p[i].m.req, .results = res[i],
				      .n_results = p[i].m.n_events};
		char *buf;
		size_t len;
		if (proto_encode(&r, &buf, &len) < 0)
			load_die("minimal: cannot encode a reply");
		zmq_msg_send(&p[i].who, m->router, ZMQ_SNDMORE);
		zmq_send(m->router, buf, len, 0);
		free(buf);
		free(res[i]);
		proto_msg_clear(&p[i].m);
	}
}

/* Receive what is waiting (after a poll said something is), up to DRAIN_MAX submits. */
static int drain(struct minimal *m)
{
	int n = 0;
	while (n < DRAIN_MAX) {
		zmq_msg_t body;
		zmq_msg_init(&m->p[n].who);
		if (zmq_msg_recv(&m->p[n].who, m->router, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m->p[n].who);
			break;
		}
		zmq_msg_init(&body);
		zmq_msg_recv(&body, m->router, 0);
		memset(&m->p[n].m, 0, sizeof(m->p[n].m));
		int rc = proto_decode(zmq_msg_data(&body), zmq_msg_size(&body), &m->p[n].m);
		zmq_msg_close(&body);
		if (rc < 0 || m->p[n].m.type != PROTO_SUBMIT)
			load_die("minimal: a request that is not a submit");
		n++;
	}
	return n;
}

static void *serve(void *arg)
{
	struct minimal *m = arg;
	static struct proto_result *res[DRAIN_MAX];
	while (!atomic_load(&m->stop)) {
		zmq_pollitem_t it = {m->router, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&it, 1, 100) <= 0)
			continue;
		int n = drain(m);
		if (n == 0)
			continue;
		commit(m, m->p, n, res);
		ack(m, m->p, n, res);
		for (int i = 0; i < n; i++)
			zmq_msg_close(&m->p[i].who);
	}
	return NULL;
}

struct minimal *minimal_start(void)
{
	struct minimal *m = calloc(1, sizeof(*m));
	const char *t = getenv("TMPDIR");
	MDB_txn *txn;
	if (!m || !(m->p = calloc(DRAIN_MAX, sizeof(*m->p))))
		load_die("out of memory");
	snprintf(m->dir, sizeof(m->dir), "%s/iki-minimal-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(m->dir))
		load_die("mkdtemp: %s", strerror(errno));
	check(mdb_env_create(&m->env), "env");
	mdb_env_set_maxdbs(m->env, 4);
	mdb_env_set_mapsize(m->env, (size_t)8 << 30);
	check(mdb_env_open(m->env, m->dir, 0, 0600), "open");
	check(mdb_txn_begin(m->env, NULL, 0, &txn), "begin");
	check(mdb_dbi_open(txn, "ids", MDB_CREATE, &m->ids), "ids");
	check(mdb_dbi_open(txn, "log", MDB_CREATE, &m->log), "log");
	check(mdb_dbi_open(txn, "counter", MDB_CREATE, &m->counter), "counter");
	check(mdb_txn_commit(txn), "commit");
	m->ctx = zmq_ctx_new();
	m->router = zmq_socket(m->ctx, ZMQ_ROUTER);
	int linger = 0;
	size_t n = sizeof(m->endpoint);
	zmq_setsockopt(m->router, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_bind(m->router, "tcp://127.0.0.1:*") < 0 ||
	    zmq_getsockopt(m->router, ZMQ_LAST_ENDPOINT, m->endpoint, &n) < 0)
		load_die("minimal: bind: %s", zmq_strerror(errno));
	if (pthread_create(&m->th, NULL, serve, m) != 0)
		load_die("pthread_create");
	return m;
}

const char *minimal_endpoint(const struct minimal *m)
{
	return m->endpoint;
}

void minimal_stop(struct minimal *m)
{
	atomic_store(&m->stop, true);
	pthread_join(m->th, NULL);
	zmq_close(m->router);
	zmq_ctx_term(m->ctx);
	mdb_env_close(m->env);
	harness_rmtree(m->dir);
	free(m->p);
	free(m);
}
