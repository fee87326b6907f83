/* bench.c: durable ingest rate and ack latency of the real ikid, beside bare LMDB commit rates. */
#include <errno.h>
#include <lmdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "../tests/harness.h"
#include "iki.h"
#include "proto.h"

#define RUNS 3
#define CLIENTS 4
#define INFLIGHT 8
#define BATCH 500
#define CATALOG "tests/data/mini.conf"

static double seconds = 2.0;  /* length of each timed phase (IKI_BENCH_SECONDS) */
static long per_client = 25000; /* events each ingest client sends (IKI_BENCH_EVENTS / CLIENTS) */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of n sorted values. */
static double quantile(const double *v, size_t n, double q)
{
	size_t i = (size_t)(q * (double)(n - 1) + 0.5);
	return n ? v[i < n ? i : n - 1] : 0;
}

static double median3(double *v)
{
	qsort(v, RUNS, sizeof(*v), cmp_double);
	return v[RUNS / 2];
}

static void die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(1);
}

/* ---- bare LMDB: what one durable commit costs on this disk ---- */

/* Durable commits per second, with puts records per transaction, for `seconds`. */
static double lmdb_rate(int puts)
{
	char dir[] = "/tmp/iki-bench-lmdb-XXXXXX", cmd[64];
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn;
	uint64_t key = 0, val = 42;
	long commits = 0;
	if (!mkdtemp(dir) || mdb_env_create(&env) || mdb_env_set_mapsize(env, (size_t)1 << 30) ||
	    mdb_env_open(env, dir, 0, 0640))
		die("cannot open a bare LMDB");
	mdb_txn_begin(env, NULL, 0, &txn);
	mdb_dbi_open(txn, NULL, 0, &dbi);
	mdb_txn_commit(txn);
	double t0 = now(), t;
	do {
		if (mdb_txn_begin(env, NULL, 0, &txn))
			die("mdb_txn_begin");
		for (int i = 0; i < puts; i++) {
			unsigned char be[8];
			key++;
			for (int b = 0; b < 8; b++)
				be[b] = (unsigned char)(key >> (56 - 8 * b));
			MDB_val k = {sizeof(be), be}, v = {sizeof(val), &val}; /* keys in order */
			if (mdb_put(txn, dbi, &k, &v, 0))
				die("mdb_put");
		}
		if (mdb_txn_commit(txn))
			die("mdb_txn_commit");
		commits++;
	} while ((t = now() - t0) < seconds);
	mdb_env_close(env);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", dir);
	return (double)commits / t;
}

/* ---- talking to ikid ---- */

static void *connect_dealer(void *ctx, const char *ep)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	if (!s || zmq_connect(s, ep) < 0)
		die("cannot connect");
	return s;
}

/* Send a submit of n events with ids "<tag>-<first + i>". */
static void send_submit(void *s, uint64_t req, const char *tag, long first, int n)
{
	static __thread struct proto_event ev[BATCH];
	struct proto_msg m = {.type = PROTO_SUBMIT, .req = req, .events = ev, .n_events = (size_t)n};
	char *buf;
	size_t len;
	for (int i = 0; i < n; i++) {
		unsigned long k = (unsigned long)(first + i);
		memset(&ev[i], 0, sizeof(ev[i]));
		snprintf(ev[i].id, sizeof(ev[i].id), "%s-%lu", tag, k);
		snprintf(ev[i].element, sizeof(ev[i].element), "surat_masuk");
		snprintf(ev[i].orgunit, sizeof(ev[i].orgunit), "35.27.03.200%lu", 1 + k % 2);
		snprintf(ev[i].date, sizeof(ev[i].date), "2022-%02d-%02d", (int)(1 + k % 12), (int)(1 + k % 28));
		ev[i].op = PROTO_OP_ADD;
		ev[i].value = 1;
	}
	if (proto_encode(&m, &buf, &len) < 0 || zmq_send(s, buf, len, 0) < 0)
		die("cannot send a submit");
	free(buf);
}

/* Receive one reply; returns how many of its results are ok (or -1 for a refusal). */
static long recv_reply(void *s, struct proto_msg *m)
{
	zmq_msg_t f;
	long ok = 0;
	zmq_msg_init(&f);
	if (zmq_msg_recv(&f, s, 0) < 0 || proto_decode(zmq_msg_data(&f), zmq_msg_size(&f), m) < 0)
		die("no reply, or a reply that does not decode");
	zmq_msg_close(&f);
	if (m->type != PROTO_SUBMITTED)
		return m->type == PROTO_VALUES ? 0 : -1;
	for (size_t i = 0; i < m->n_results; i++)
		ok += m->results[i].status == PROTO_STATUS_OK;
	return ok;
}

/* ---- ingest: several clients, many events in flight ---- */

struct client_arg {
	void *ctx;
	const char *ep;
	int n;
	long ok;
};

static void *client_main(void *p)
{
	struct client_arg *a = p;
	void *s = connect_dealer(a->ctx, a->ep);
	char tag[16];
	long batches = (per_client + BATCH - 1) / BATCH, sent = 0, done = 0;
	snprintf(tag, sizeof(tag), "c%d", a->n);
	while (done < batches) {
		while (sent < batches && sent - done < INFLIGHT) {
			send_submit(s, (uint64_t)sent + 1, tag, sent * BATCH, BATCH);
			sent++;
		}
		struct proto_msg m = {0};
		long ok = recv_reply(s, &m);
		proto_msg_clear(&m);
		if (ok < 0)
			die("a submit was refused");
		a->ok += ok;
		done++;
	}
	zmq_close(s);
	return NULL;
}

/* Events per second from CLIENTS clients on a fresh daemon. */
static double ingest_once(void)
{
	struct ikid d = {0};
	pthread_t th[CLIENTS];
	struct client_arg args[CLIENTS];
	void *ctx = zmq_ctx_new();
	long ok = 0;
	if (harness_start(&d, CATALOG) < 0)
		die("ikid did not start");
	double t0 = now();
	for (int i = 0; i < CLIENTS; i++) {
		args[i] = (struct client_arg){ctx, d.request, i, 0};
		pthread_create(&th[i], NULL, client_main, &args[i]);
	}
	for (int i = 0; i < CLIENTS; i++) {
		pthread_join(th[i], NULL);
		ok += args[i].ok;
	}
	double t = now() - t0;
	zmq_ctx_term(ctx);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	long want = CLIENTS * ((per_client + BATCH - 1) / BATCH) * BATCH;
	if (ok != want) {
		fprintf(stderr, "bench: %ld of %ld events accepted\n", ok, want);
		exit(1);
	}
	return (double)ok / t;
}

/* ---- latency: a steady light load, then queries ---- */

/* Ack latency (ms) of 1-event submits every 2 ms; fills lat, returns the count. */
static size_t ack_latency(void *s, double *lat, size_t max)
{
	size_t n = 0;
	double start = now();
	while (n < max && now() - start < seconds) {
		double t0 = now();
		struct proto_msg m = {0};
		send_submit(s, n + 1, "lat", (long)n, 1);
		if (recv_reply(s, &m) != 1)
			die("a light-load submit was not accepted");
		proto_msg_clear(&m);
		lat[n++] = (now() - t0) * 1e3;
		struct timespec gap = {0, 2000000};
		nanosleep(&gap, NULL);
	}
	qsort(lat, n, sizeof(*lat), cmp_double);
	return n;
}

/* Query latency (ms) of one indicator value; fills lat, returns the count. */
static size_t query_latency(void *s, double *lat, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct proto_msg q = {.type = PROTO_QUERY, .req = i + 1}, r = {0};
		char *buf;
		size_t len;
		snprintf(q.query.indicator, sizeof(q.query.indicator), "surat");
		snprintf(q.query.period, sizeof(q.query.period), "2022");
		double t0 = now();
		if (proto_encode(&q, &buf, &len) < 0 || zmq_send(s, buf, len, 0) < 0)
			die("cannot send a query");
		free(buf);
		if (recv_reply(s, &r) < 0 || r.n_values != 1)
			die("a query failed");
		proto_msg_clear(&r);
		lat[i] = (now() - t0) * 1e3;
	}
	qsort(lat, n, sizeof(*lat), cmp_double);
	return n;
}

static void machine(void)
{
	struct utsname u;
	struct statfs fs;
	uname(&u);
	const char *type = "?";
	if (statfs("/tmp", &fs) == 0)
		type = fs.f_type == 0x01021994 ? "tmpfs" : fs.f_type == 0xEF53 ? "ext4" :
			fs.f_type == 0x794c7630 ? "overlayfs" : fs.f_type == 0x58465342 ? "xfs" :
			fs.f_type == 0x9123683E ? "btrfs" : "other";
	printf("machine: %ld cpus, %s %s, /tmp on %s\n", sysconf(_SC_NPROCESSORS_ONLN), u.sysname,
	       u.release, type);
	printf("phases: %.1f s each; ingest: %d clients x %d in flight x %d events, %ld events "
	       "each; median of %d\n\n", seconds, CLIENTS, INFLIGHT, BATCH, per_client, RUNS);
}

int main(void)
{
	const char *e = getenv("IKI_BENCH_SECONDS");
	double bare1[RUNS], bare100[RUNS], ingest[RUNS];
	if (e && atof(e) > 0)
		seconds = atof(e);
	if ((e = getenv("IKI_BENCH_EVENTS")) && atol(e) > 0)
		per_client = atol(e) / CLIENTS;
	machine();
	for (int r = 0; r < RUNS; r++) {
		bare1[r] = lmdb_rate(1);
		bare100[r] = lmdb_rate(100);
		ingest[r] = ingest_once();
	}
	double b1 = median3(bare1), b100 = median3(bare100), in = median3(ingest);
	printf("%-46s %12.0f /s\n", "bare LMDB durable commits (1 put each)", b1);
	printf("%-46s %12.0f /s  (%.0f puts/s)\n", "bare LMDB durable commits (100 puts each)", b100,
	       b100 * 100);
	printf("%-46s %12.0f /s  = %.1f x bare commit rate\n", "ikid durable ingest, events", in,
	       in / b1);

	struct ikid d = {0};
	void *ctx = zmq_ctx_new();
	if (harness_start(&d, CATALOG) < 0)
		die("ikid did not start");
	void *s = connect_dealer(ctx, d.request);
	size_t max = (size_t)(seconds * 1000) + 16;
	double *lat = malloc(max * sizeof(*lat));
	size_t n = ack_latency(s, lat, max);
	printf("%-46s p50 %.3f ms  p99 %.3f ms  max %.3f ms  (n=%zu; bare commit %.3f ms)\n",
	       "ack latency, 1 event every 2 ms", quantile(lat, n, 0.5), quantile(lat, n, 0.99),
	       lat[n - 1], n, 1e3 / b1);
	n = query_latency(s, lat, max < 1000 ? max : 1000);
	printf("%-46s p50 %.3f ms  p99 %.3f ms  (n=%zu)\n", "query latency, one value",
	       quantile(lat, n, 0.5), quantile(lat, n, 0.99), n);
	free(lat);
	zmq_close(s);
	zmq_ctx_term(ctx);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	return 0;
}
