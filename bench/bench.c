/*
 * bench.c: durable ingest rate, ack latency and query latency of the real ikid, each printed
 * beside this machine's bare LMDB durable-commit rate measured in the same run (bench/README.md).
 */
#define _GNU_SOURCE /* SCHED_IDLE (Linux) */

#include <errno.h>
#include <sched.h>
#include <inttypes.h>
#include <lmdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "../tests/harness.h"
#include "iki.h"
#include "proto.h"

#define RUNS 3		 /* bare LMDB and ingest runs; the median is reported */
#define CLIENTS 4	 /* ingest client threads, one DEALER socket each */
#define INFLIGHT 8	 /* submits each ingest client keeps unanswered */
#define BATCH 500	 /* events per ingest submit */
#define LAT_PERIOD 0.002 /* seconds between the 1-event submits of the latency phase */
#define QUERIES 1000
#define FLOODERS 4       /* clients flooding the heaviest reads during phase 3b */
#define FLOOD_INFLIGHT 4 /* reads each keeps unanswered */
#define RECV_TIMEOUT_MS 30000 /* a reply later than this is a failure, not a slow figure */
#define CATALOG "tests/data/mini.conf"
#define PATH_MAX_GUESS 256 /* temporary directory paths (struct ikid holds 128) */

/* Settings, read once from the environment by main before any thread starts. */
static double seconds = 5.0;	    /* ingest run cap and latency phase (IKI_BENCH_SECONDS) */
static long max_events = 4000000;   /* events per ingest run at most (IKI_BENCH_EVENTS) */
static const char *tmpdir = "/tmp"; /* $TMPDIR: bare LMDB and ikid's state live here */
static struct ikid *running;	    /* the daemon to stop when the benchmark fails */

/* Seconds on the monotonic clock. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sleep for s seconds (nothing when s <= 0). */
static void sleep_s(double s)
{
	if (s <= 0)
		return;
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* qsort comparator for doubles, ascending. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of n sorted values, nearest rank; 0 when n is 0. */
static double quantile(const double *v, size_t n, double q)
{
	if (n == 0)
		return 0;
	size_t i = (size_t)(q * (double)n + 0.999999);
	return v[i == 0 ? 0 : (i > n ? n : i) - 1];
}

/* Median of RUNS values (sorts a copy). */
static double median(const double *v)
{
	double c[RUNS];
	memcpy(c, v, sizeof(c));
	qsort(c, RUNS, sizeof(*c), cmp_double);
	return c[RUNS / 2];
}

/* Print a message on stderr and exit 1: every failure of the benchmark is loud. */
__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("bench: FAILED: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (running && running->pid > 0) {
		kill(running->pid, SIGTERM);
		fprintf(stderr, "bench: ikid's state and log are kept in %s\n", running->state);
	}
	exit(1);
}

/* v rounded to an integer with thousands separators ("85,000"), into buf (one of a few). */
static const char *grp(double v)
{
	static char ring[8][32];
	static int next;
	char *buf = ring[next++ % 8], digits[32];
	long long x = (long long)(v + (v < 0 ? -0.5 : 0.5));
	int n = snprintf(digits, sizeof(digits), "%lld", x < 0 ? -x : x), o = 0;
	if (x < 0)
		buf[o++] = '-';
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* A fresh directory "<tmpdir>/<prefix>XXXXXX" into buf (size n). */
static void make_tmp(char *buf, size_t n, const char *prefix)
{
	if ((size_t)snprintf(buf, n, "%s/%sXXXXXX", tmpdir, prefix) >= n)
		die("TMPDIR %s is too long a path", tmpdir);
	if (!mkdtemp(buf))
		die("cannot make a directory in %s: %s", tmpdir, strerror(errno));
}

/* ---- the machine ---- */

/* Name of a filesystem from its statfs magic number. */
static const char *fs_name(unsigned long magic)
{
	switch (magic) {
	case 0x01021994: return "tmpfs";
	case 0xEF53: return "ext2/3/4";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0x794c7630: return "overlayfs";
	case 0x2FC12FC1: return "zfs";
	case 0xF2F52010: return "f2fs";
	case 0x6969: return "nfs";
	case 0x65735546: return "fuse";
	default: return "other";
	}
}

/* The header: CPUs, kernel, TMPDIR's filesystem, library versions and the settings. */
static void print_machine(void)
{
	struct utsname u;
	struct statfs fs;
	int zmaj, zmin, zpat;
	char type[48] = "unknown (statfs failed)";
	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "?");
	if (statfs(tmpdir, &fs) == 0)
		snprintf(type, sizeof(type), "%s (magic 0x%lx)", fs_name((unsigned long)fs.f_type),
			 (unsigned long)fs.f_type);
	zmq_version(&zmaj, &zmin, &zpat);
	printf("iki bench\n");
	printf("machine   %ld cpus online, kernel %s %s\n", sysconf(_SC_NPROCESSORS_ONLN),
	       u.sysname, u.release);
	printf("TMPDIR    %s on %s: bare LMDB and ikid's state both live here\n", tmpdir, type);
	printf("libs      %s, ZeroMQ %d.%d.%d\n", MDB_VERSION_STRING, zmaj, zmin, zpat);
	printf("settings  IKI_BENCH_SECONDS=%g (ingest cap and latency phase; bare runs %.1f s), "
	       "IKI_BENCH_EVENTS=%s\n\n",
	       seconds, seconds * 0.4, grp((double)max_events));
	fflush(stdout);
}

/* ---- 1. bare LMDB: what one durable commit costs on this disk ---- */

/*
 * Durable commits per second on a fresh LMDB in TMPDIR (default flags: synchronous commit),
 * each transaction putting `puts` records (8-byte big-endian sequence key, 64-byte value),
 * for `secs` seconds.
 */
static double lmdb_rate(int puts, double secs)
{
	char dir[PATH_MAX_GUESS];
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *txn;
	unsigned char key[8], val[64];
	uint64_t seq = 0;
	long commits = 0;
	int rc;
	memset(val, 'v', sizeof(val));
	make_tmp(dir, sizeof(dir), "iki-bench-lmdb-");
	if ((rc = mdb_env_create(&env)) || (rc = mdb_env_set_mapsize(env, (size_t)1 << 30)) ||
	    (rc = mdb_env_open(env, dir, 0, 0640)) || (rc = mdb_txn_begin(env, NULL, 0, &txn)) ||
	    (rc = mdb_dbi_open(txn, NULL, 0, &dbi)) || (rc = mdb_txn_commit(txn)))
		die("bare LMDB in %s: %s", dir, mdb_strerror(rc));
	double t0 = now(), t;
	do {
		if ((rc = mdb_txn_begin(env, NULL, 0, &txn)))
			die("mdb_txn_begin: %s", mdb_strerror(rc));
		for (int i = 0; i < puts; i++) {
			seq++;
			for (int b = 0; b < 8; b++)
				key[b] = (unsigned char)(seq >> (56 - 8 * b));
			MDB_val k = {sizeof(key), key}, v = {sizeof(val), val};
			if ((rc = mdb_put(txn, dbi, &k, &v, 0)))
				die("mdb_put: %s", mdb_strerror(rc));
		}
		if ((rc = mdb_txn_commit(txn)))
			die("mdb_txn_commit: %s", mdb_strerror(rc));
		commits++;
	} while ((t = now() - t0) < secs);
	mdb_env_close(env);
	harness_rmtree(dir);
	return (double)commits / t;
}

/* ---- talking to ikid ---- */

/* A DEALER socket connected to ep, with a receive timeout so a silent daemon fails the run. */
static void *connect_dealer(void *ctx, const char *ep)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0, tmo = RECV_TIMEOUT_MS;
	if (!s)
		die("zmq_socket: %s", zmq_strerror(errno));
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	if (zmq_connect(s, ep) < 0)
		die("cannot connect to %s: %s", ep, zmq_strerror(errno));
	return s;
}

/* Encode m and send it as one frame. */
static void send_msg(void *s, const struct proto_msg *m)
{
	char *buf;
	size_t len;
	int rc = proto_encode(m, &buf, &len);
	if (rc < 0)
		die("cannot encode a %s: %s", proto_type_name(m->type), iki_code_name(rc));
	if (zmq_send(s, buf, len, 0) < 0)
		die("cannot send a %s: %s", proto_type_name(m->type), zmq_strerror(errno));
	free(buf);
}

/* Receive and decode one reply frame into *m (flags: 0 or ZMQ_DONTWAIT). 1: got one, 0: none. */
static int recv_msg(void *s, struct proto_msg *m, int flags)
{
	zmq_msg_t f;
	zmq_msg_init(&f);
	if (zmq_msg_recv(&f, s, flags) < 0) {
		int e = errno;
		zmq_msg_close(&f);
		if (e == EAGAIN && flags)
			return 0;
		die("no reply within %d ms: %s", RECV_TIMEOUT_MS, zmq_strerror(e));
	}
	int rc = proto_decode(zmq_msg_data(&f), zmq_msg_size(&f), m);
	zmq_msg_close(&f);
	if (rc < 0)
		die("a reply does not decode: %s", iki_code_name(rc));
	if (m->type == PROTO_ERROR)
		die("request %" PRIu64 " refused: %s (%s)", m->req, iki_code_name(m->code),
		    m->message);
	return 1;
}

/* The k-th day of a year (k taken modulo 365) as "YYYY-MM-DD", into buf. */
static void date_of(int year, unsigned long k, char *buf, size_t n)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	char tmp[32];
	int d = (int)(k % 365), m = 0;
	while (d >= mdays[m])
		d -= mdays[m++];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", year % 10000, m + 1, d + 1);
	snprintf(buf, n, "%.10s", tmp);
}

/*
 * Fill ev[0..n) with "add 1 to surat_masuk" events with ids "<tag>-<first + i>", the org unit
 * alternating between the two villages and the date walking through 2022 (years 1) or through
 * the years from 2000 (years > 1: then nearly every event of a batch changes values of its own,
 * and each batch publishes thousands of updates).
 */
static void fill_events(struct proto_event *ev, int n, const char *tag, unsigned long first,
			int years)
{
	for (int i = 0; i < n; i++) {
		unsigned long k = first + (unsigned long)i;
		memset(&ev[i], 0, sizeof(ev[i]));
		snprintf(ev[i].id, sizeof(ev[i].id), "%s-%lu", tag, k);
		snprintf(ev[i].element, sizeof(ev[i].element), "surat_masuk");
		snprintf(ev[i].orgunit, sizeof(ev[i].orgunit), "35.27.03.%s",
			 k % 2 ? "2002" : "2001");
		date_of(years > 1 ? 2000 + (int)(k % (unsigned long)years) : 2022, k * 7919,
			ev[i].date, sizeof(ev[i].date));
		ev[i].op = PROTO_OP_ADD;
		ev[i].value = 1;
	}
}

/* Event outcomes counted from "submitted" replies, with the first non-ok one kept. */
struct tally {
	long ok, duplicate, error;
	char first_bad[PROTO_ID_MAX + PROTO_TEXT_MAX + 64];
};

/* Count the results of a "submitted" reply to a submit of evs (n events) with number req. */
static void tally_reply(struct tally *t, const struct proto_msg *r, uint64_t req,
			const struct proto_event *evs, size_t n)
{
	if (r->type != PROTO_SUBMITTED || r->req != req || r->n_results != n)
		die("expected submitted #%" PRIu64 " with %zu results, got %s #%" PRIu64
		    " with %zu",
		    req, n, proto_type_name(r->type) ? proto_type_name(r->type) : "?", r->req,
		    r->n_results);
	for (size_t i = 0; i < n; i++) {
		const struct proto_result *x = &r->results[i];
		t->ok += x->status == PROTO_STATUS_OK;
		t->duplicate += x->status == PROTO_STATUS_DUPLICATE;
		t->error += x->status == PROTO_STATUS_ERROR;
		if (x->status != PROTO_STATUS_OK && !t->first_bad[0])
			snprintf(t->first_bad, sizeof(t->first_bad), "%s: %s %s (%s)",
				 evs ? evs[i].id : "?",
				 x->status == PROTO_STATUS_DUPLICATE ? "duplicate" : "error",
				 iki_code_name(x->code), x->message);
	}
}

/* Fail loudly unless every counted event was ok and `want` of them were counted. */
static void tally_check(const struct tally *t, long want, const char *phase)
{
	if (t->ok == want && t->duplicate == 0 && t->error == 0)
		return;
	die("%s: %ld events sent, %ld ok, %ld duplicate, %ld error; first: %s", phase, want, t->ok,
	    t->duplicate, t->error, t->first_bad[0] ? t->first_bad : "(none)");
}

/* Batches the daemon logged (-v) since byte `from` of its log: commits and the events in them. */
static void daemon_batches(const struct ikid *d, long from, long *commits, long *events, long *end)
{
	FILE *f = fopen(d->log, "r");
	char line[512];
	size_t req, ok, dup, bad;
	*commits = *events = 0;
	*end = from;
	if (!f)
		return;
	if (fseek(f, from, SEEK_SET) == 0) {
		while (fgets(line, sizeof(line), f)) {
			const char *b = strstr(line, "batch: ");
			if (b &&
			    sscanf(b, "batch: %zu requests, %zu ok, %zu duplicate, %zu rejected",
				   &req, &ok, &dup, &bad) == 4 &&
			    ok + dup + bad > 0) {
				(*commits)++;
				*events += (long)(ok + dup + bad);
			}
		}
		*end = ftell(f);
	}
	fclose(f);
}

/* CPU seconds (user + system) ikid has used so far, from /proc; -1 when unreadable. */
static double daemon_cpu(const struct ikid *d)
{
	char path[64], buf[1024];
	unsigned long ut, st;
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)d->pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!p ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* CPU seconds (user + system) this process, all its threads, has used so far. */
static double self_cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Start ikid on a fresh state directory in TMPDIR. */
static void daemon_start(struct ikid *d)
{
	memset(d, 0, sizeof(*d));
	make_tmp(d->state, sizeof(d->state), "iki-bench-state-");
	if (harness_start(d, CATALOG) < 0)
		die("ikid did not start (is build/ikid built? log: %s)", d->log);
	running = d;
}

/* Stop ikid cleanly, check it exited 0, and remove its state. */
static void daemon_stop(struct ikid *d)
{
	int st = harness_stop(d, SIGTERM);
	running = NULL;
	if (st != 0)
		fprintf(stderr, "bench: warning: ikid exited with wait status %d (log: %s)\n", st,
			d->log);
	harness_cleanup(d);
}

/* ---- 2. ingest: several clients, many events in flight ---- */

struct ingest_client {
	void *ctx;
	const char *ep;
	int n;		    /* thread number, in the event ids "<prefix><n>-<k>" */
	const char *prefix; /* "b"; another for a second run on the same ikid */
	pthread_barrier_t *go;
	long cap;		/* events this client may send */
	double secs;		/* and for how long */
	int years;		/* the years its events' dates walk through (fill_events) */
	struct proto_event *ev; /* INFLIGHT x BATCH events, a window slot per submit */
	long batches;		/* submits sent (all answered at the end) */
	double last_ack;	/* monotonic time of the last reply */
	struct tally t;
};

/* One ingest client: keep INFLIGHT submits of BATCH events unanswered until time or cap is up. */
static void *ingest_client(void *p)
{
	struct ingest_client *c = p;
	void *s = connect_dealer(c->ctx, c->ep);
	char tag[16];
	long sent = 0, done = 0;
	snprintf(tag, sizeof(tag), "%.8s%d", c->prefix, c->n);
	pthread_barrier_wait(c->go);
	double deadline = now() + c->secs;
	for (;;) {
		while (sent - done < INFLIGHT && (sent + 1) * BATCH <= c->cap && now() < deadline) {
			struct proto_event *ev = &c->ev[(sent % INFLIGHT) * BATCH];
			fill_events(ev, BATCH, tag, (unsigned long)sent * BATCH, c->years);
			struct proto_msg m = {.type = PROTO_SUBMIT,
					      .req = (uint64_t)sent + 1,
					      .events = ev,
					      .n_events = BATCH};
			send_msg(s, &m);
			sent++;
		}
		if (done == sent)
			break;
		struct proto_msg r = {0};
		recv_msg(s, &r, 0);
		tally_reply(&c->t, &r, (uint64_t)done + 1, &c->ev[(done % INFLIGHT) * BATCH],
			    BATCH);
		proto_msg_clear(&r);
		done++;
		c->last_ack = now();
	}
	c->batches = sent;
	zmq_close(s);
	return NULL;
}

/* One ingest run's figures. */
struct ingest_run {
	double events_s, batches_s, commits_s, events_per_commit, secs;
	double ikid_cpu, client_cpu; /* CPU seconds per second of the run; ikid's < 0: unknown */
	long events, commits;
};

/*
 * Run CLIENTS ingest clients against the running daemon d for secs seconds (or the event cap),
 * their events' dates over `years` (fill_events), their ids starting with prefix (a second run
 * on the same ikid needs another); log_from: d's log offset before.
 */
static struct ingest_run ingest_once(struct ikid *d, long *log_from, double secs, int years,
				     const char *prefix)
{
	pthread_t th[CLIENTS];
	struct ingest_client c[CLIENTS];
	pthread_barrier_t go;
	void *ctx = zmq_ctx_new();
	struct ingest_run r = {0};
	struct tally all = {0};
	long batches = 0, logged_events, end;
	double last = 0;
	if (!ctx)
		die("zmq_ctx_new: %s", zmq_strerror(errno));
	pthread_barrier_init(&go, NULL, CLIENTS + 1);
	for (int i = 0; i < CLIENTS; i++) {
		c[i] = (struct ingest_client){.ctx = ctx,
					      .ep = d->request,
					      .n = i,
					      .go = &go,
					      .cap = max_events / CLIENTS,
					      .secs = secs,
					      .years = years,
					      .prefix = prefix};
		if (!(c[i].ev = calloc(INFLIGHT * BATCH, sizeof(*c[i].ev))))
			die("out of memory");
		if (pthread_create(&th[i], NULL, ingest_client, &c[i]) != 0)
			die("pthread_create");
	}
	pthread_barrier_wait(&go);
	double t0 = now(), cpu0 = daemon_cpu(d), self0 = self_cpu();
	for (int i = 0; i < CLIENTS; i++) {
		pthread_join(th[i], NULL);
		all.ok += c[i].t.ok;
		all.duplicate += c[i].t.duplicate;
		all.error += c[i].t.error;
		if (!all.first_bad[0])
			memcpy(all.first_bad, c[i].t.first_bad, sizeof(all.first_bad));
		batches += c[i].batches;
		last = c[i].last_ack > last ? c[i].last_ack : last;
		free(c[i].ev);
	}
	double cpu1 = daemon_cpu(d), self1 = self_cpu();
	pthread_barrier_destroy(&go);
	zmq_ctx_term(ctx);
	tally_check(&all, batches * BATCH, "ingest");
	r.secs = last - t0;
	r.events = all.ok;
	r.events_s = (double)all.ok / r.secs;
	r.batches_s = (double)batches / r.secs;
	r.ikid_cpu = cpu0 >= 0 && cpu1 >= 0 ? (cpu1 - cpu0) / r.secs : -1;
	r.client_cpu = (self1 - self0) / r.secs;
	daemon_batches(d, *log_from, &r.commits, &logged_events, &end);
	*log_from = end;
	if (r.commits > 0) {
		r.commits_s = (double)r.commits / r.secs;
		r.events_per_commit = (double)logged_events / (double)r.commits;
	}
	return r;
}

/* ---- 3. ack latency at a steady light load ---- */

/* Latency figures in ms, sorted ascending. */
struct latency {
	double *ms;
	size_t n;
	double rate; /* requests per second actually achieved */
};

/*
 * One client sends a 1-event submit every LAT_PERIOD seconds on a fixed schedule (open loop:
 * the next send does not wait for the previous reply) for `seconds`, and times each send to its
 * reply. Returns the sorted latencies; every event must come back ok.
 */
static struct latency ack_latency(void *s, const char *tag)
{
	size_t total = (size_t)(seconds / LAT_PERIOD), sent = 0, done = 0;
	if (total < 10)
		total = 10;
	struct latency l = {calloc(total, sizeof(double)), 0, 0};
	double *t_send = calloc(total, sizeof(double));
	struct proto_event *ev = calloc(total, sizeof(*ev));
	struct tally t = {0};
	if (!l.ms || !t_send || !ev)
		die("out of memory");
	double start = now(), last = start;
	while (done < total) {
		double tnow = now(), next = start + (double)sent * LAT_PERIOD;
		if (sent < total && tnow >= next) {
			fill_events(&ev[sent], 1, tag, sent, 1);
			struct proto_msg m = {.type = PROTO_SUBMIT,
					      .req = sent + 1,
					      .events = &ev[sent],
					      .n_events = 1};
			t_send[sent] = now();
			send_msg(s, &m);
			sent++;
			continue;
		}
		/* Wait for a reply until the next send is due, or (all sent) the timeout. */
		double wait = sent < total ? next - tnow : RECV_TIMEOUT_MS / 1e3;
		zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&item, 1, (long)(wait * 1e3)) < 0 && errno != EINTR)
			die("zmq_poll: %s", zmq_strerror(errno));
		if (!(item.revents & ZMQ_POLLIN)) {
			if (sent == total && now() - tnow >= wait)
				die("ack latency: %zu of %zu submits unanswered", total - done,
				    total);
			if (sent < total)
				sleep_s(start + (double)sent * LAT_PERIOD - now());
			continue;
		}
		struct proto_msg r = {0};
		while (done < sent && recv_msg(s, &r, ZMQ_DONTWAIT)) {
			last = now();
			tally_reply(&t, &r, done + 1, &ev[done], 1);
			proto_msg_clear(&r);
			l.ms[done] = (last - t_send[done]) * 1e3;
			done++;
		}
	}
	tally_check(&t, (long)total, "ack latency");
	l.n = done;
	l.rate = (double)done / (last - start);
	qsort(l.ms, l.n, sizeof(double), cmp_double);
	free(t_send);
	free(ev);
	return l;
}

/* ---- 3b. ack latency while clients flood the heaviest reads ---- */

struct flood {
	const char *endpoint;
	atomic_int *stop;
	int kind; /* 0: a value's history, 1: a snapshot of every value (their first pages) */
	long answered, refused;
	pthread_t thread;
};

static void *flood_run(void *arg)
{
	struct flood *f = arg;
	/* The flooding clients would be elsewhere: here they share the 2 cores with ikid and the
	 * measuring client, so they run at SCHED_IDLE (this thread only; else nice 10) not to
	 * measure themselves. */
	struct sched_param idle = {0};
	if (sched_setscheduler(0, SCHED_IDLE, &idle) < 0)
		setpriority(PRIO_PROCESS, 0, 10);
	void *ctx = zmq_ctx_new(), *s = connect_dealer(ctx, f->endpoint);
	/* the heaviest reads: the largest pages ikid gives (PROTOCOL.md, Pages) */
	struct proto_msg q = {.type = f->kind ? PROTO_SNAPSHOT : PROTO_HISTORY,
			      .limit = f->kind ? PROTO_PAGE_MAX : 4000};
	if (!f->kind) {
		snprintf(q.query.indicator, sizeof(q.query.indicator), "surat");
		snprintf(q.query.period, sizeof(q.query.period), "2022");
	}
	int out = 0;
	while (!atomic_load(f->stop)) {
		for (; out < FLOOD_INFLIGHT; out++) {
			q.req++;
			send_msg(s, &q);
		}
		zmq_pollitem_t item = {s, 0, ZMQ_POLLIN, 0};
		zmq_poll(&item, 1, 100);
		zmq_msg_t m;
		zmq_msg_init(&m);
		while (zmq_msg_recv(&m, s, ZMQ_DONTWAIT) >= 0) {
			struct proto_msg r;
			if (proto_decode(zmq_msg_data(&m), zmq_msg_size(&m), &r) < 0)
				die("a flood reply does not decode");
			if (r.type == PROTO_ERROR && r.code != IKI_EPENDING && r.code != IKI_EBUSY)
				die("a flood read refused: %s", iki_code_name(r.code));
			if (r.type == PROTO_ERROR)
				f->refused++;
			else
				f->answered++;
			proto_msg_clear(&r);
			out--;
		}
		zmq_msg_close(&m);
	}
	zmq_close(s);
	zmq_ctx_term(ctx);
	return NULL;
}

/* Phase 3 again while FLOODERS clients flood histories and snapshots; reads answered/refused. */
static struct latency ack_latency_flooded(void *s, const char *endpoint, long *answered,
					  long *refused)
{
	struct flood f[FLOODERS];
	atomic_int stop = 0;
	for (int i = 0; i < FLOODERS; i++) {
		f[i] = (struct flood){endpoint, &stop, i % 2, 0, 0, 0};
		if (pthread_create(&f[i].thread, NULL, flood_run, &f[i]) != 0)
			die("pthread_create");
	}
	sleep_s(0.5); /* the readers are busy before the first submit */
	struct latency l = ack_latency(s, "latf");
	atomic_store(&stop, 1);
	*answered = *refused = 0;
	for (int i = 0; i < FLOODERS; i++) {
		pthread_join(f[i].thread, NULL);
		*answered += f[i].answered;
		*refused += f[i].refused;
	}
	return l;
}

/* ---- 4. query latency ---- */

/*
 * QUERIES queries of surat for the kecamatan 35.27.03 in 2022, one at a time; each must answer
 * one value whose denominator (surat_masuk, a sum of 1s) is `want`, the events stored so far.
 */
static struct latency query_latency(void *s, long want)
{
	struct latency l = {calloc(QUERIES, sizeof(double)), 0, 0};
	if (!l.ms)
		die("out of memory");
	double start = now();
	for (size_t i = 0; i < QUERIES; i++) {
		struct proto_msg q = {.type = PROTO_QUERY, .req = i + 1}, r = {0};
		snprintf(q.query.indicator, sizeof(q.query.indicator), "surat");
		snprintf(q.query.orgunit, sizeof(q.query.orgunit), "35.27.03");
		snprintf(q.query.period, sizeof(q.query.period), "2022");
		double t0 = now();
		send_msg(s, &q);
		recv_msg(s, &r, 0);
		l.ms[i] = (now() - t0) * 1e3;
		if (r.type != PROTO_VALUES || r.req != i + 1 || r.n_values != 1)
			die("query %zu: expected one value, got %s with %zu", i + 1,
			    proto_type_name(r.type) ? proto_type_name(r.type) : "?", r.n_values);
		if (r.values[0].den != want)
			die("query: surat 35.27.03 2022 has denominator %" PRId64
			    ", but %ld events were acked",
			    r.values[0].den, want);
		proto_msg_clear(&r);
	}
	l.n = QUERIES;
	l.rate = QUERIES / (now() - start);
	qsort(l.ms, l.n, sizeof(double), cmp_double);
	return l;
}

/* ---- 5. stalled subscribers: does a subscriber that never reads slow ingest down? ---- */

#define STALLED_MAX 3	  /* the most subscribers that never read, in one run */
#define STALLED_YEARS 100 /* event dates over 2000-2099: many updates per batch */

/* A field of ikid's /proc/<pid>/status in MB ("VmRSS:" now, "VmHWM:" its peak); -1: unknown. */
static double daemon_mem(const struct ikid *d, const char *field)
{
	char path[64], line[256];
	double kb = -1;
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)d->pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			kb = atof(line + strlen(field));
	if (f)
		fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

/* The publish seq ikid is at (a snapshot of one value carries it). */
static uint64_t daemon_seq(void *ctx, const struct ikid *d)
{
	void *s = connect_dealer(ctx, d->request);
	struct proto_msg q = {.type = PROTO_SNAPSHOT, .req = 1}, r = {0};
	snprintf(q.query.indicator, sizeof(q.query.indicator), "surat");
	snprintf(q.query.orgunit, sizeof(q.query.orgunit), "35.27.03");
	snprintf(q.query.period, sizeof(q.query.period), "2022");
	send_msg(s, &q);
	recv_msg(s, &r, 0);
	if (r.type != PROTO_VALUES)
		die("snapshot: expected values, got %s",
		    proto_type_name(r.type) ? proto_type_name(r.type) : "?");
	uint64_t seq = r.seq;
	proto_msg_clear(&r);
	zmq_close(s);
	return seq;
}

/* One stalled-subscriber run's figures. */
struct stalled_run {
	double events_s, updates_s, updates;
	double rss0, rss1, peak;     /* ikid's VmRSS before and after the run, and its VmHWM, MB */
	double anon0, anon_h, anon1; /* RssAnon (not LMDB's mapped file): before, halfway, after */
};

/*
 * One ingest run as in phase 2, in two halves of secs seconds, on a fresh ikid with n SUB
 * sockets connected to its updates, subscribed to everything, that never read a message. ikid's
 * memory is read before, between the halves (its queues for the stalled subscribers full by
 * then) and after: a bound shows as no growth in the second half.
 */
static struct stalled_run stalled_once(int n, double secs)
{
	struct ikid d;
	struct stalled_run x;
	long log_from = 0;
	void *ctx = zmq_ctx_new(), *sub[STALLED_MAX];
	int linger = 0;
	daemon_start(&d);
	for (int i = 0; i < n; i++) {
		if (!(sub[i] = zmq_socket(ctx, ZMQ_SUB)))
			die("zmq_socket: %s", zmq_strerror(errno));
		zmq_setsockopt(sub[i], ZMQ_LINGER, &linger, sizeof(linger));
		if (zmq_connect(sub[i], d.update) < 0 ||
		    zmq_setsockopt(sub[i], ZMQ_SUBSCRIBE, "", 0))
			die("cannot subscribe to %s: %s", d.update, zmq_strerror(errno));
	}
	sleep_s(0.3); /* a SUB joins late: let the subscriptions reach ikid */
	uint64_t seq0 = daemon_seq(ctx, &d);
	x.rss0 = daemon_mem(&d, "VmRSS:");
	x.anon0 = daemon_mem(&d, "RssAnon:");
	struct ingest_run r = ingest_once(&d, &log_from, secs, STALLED_YEARS, "b");
	x.anon_h = daemon_mem(&d, "RssAnon:");
	struct ingest_run r2 = ingest_once(&d, &log_from, secs, STALLED_YEARS, "c");
	uint64_t seq1 = daemon_seq(ctx, &d);
	x.rss1 = daemon_mem(&d, "VmRSS:");
	x.peak = daemon_mem(&d, "VmHWM:");
	x.anon1 = daemon_mem(&d, "RssAnon:");
	for (int i = 0; i < n; i++) {
		zmq_pollitem_t it = {sub[i], 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&it, 1, 0) != 1)
			die("stalled subscriber %d has nothing waiting: it never heard ikid",
			    i + 1);
		zmq_close(sub[i]);
	}
	zmq_ctx_term(ctx);
	daemon_stop(&d);
	x.events_s = (double)(r.events + r2.events) / (r.secs + r2.secs);
	x.updates = (double)(seq1 - seq0);
	x.updates_s = x.updates / (r.secs + r2.secs);
	return x;
}

/* The medians of phase 5: for 0, 1 and STALLED_MAX subscribers that never read. */
struct stalled {
	double events_s[3], updates_s[3], rss1[3], anon1[3];
};

static struct stalled stalled_phase(double secs)
{
	static const int subs[3] = {0, 1, STALLED_MAX};
	double ev[3][RUNS], up[3][RUNS], rss[3][RUNS], anon[3][RUNS];
	struct stalled m;
	for (int r = 0; r < RUNS; r++) {
		for (int k = 0; k < 3; k++) { /* interleaved, so drift hits each alike */
			struct stalled_run x = stalled_once(subs[k], secs);
			char run[16] = "", who[32];
			if (k == 0)
				snprintf(run, sizeof(run), "run %d", r + 1);
			snprintf(who, sizeof(who), subs[k] ? "%d stalled" : "no subscriber",
				 subs[k]);
			printf("   %-6s %-13s %9s events/s %7s updates/s  VmRSS %5.1f -> %5.1f MB, "
			       "RssAnon %3.1f -> %5.1f -> %5.1f\n",
			       run, who, grp(x.events_s), grp(x.updates_s), x.rss0, x.rss1, x.anon0,
			       x.anon_h, x.anon1);
			fflush(stdout);
			ev[k][r] = x.events_s;
			up[k][r] = x.updates_s;
			rss[k][r] = x.rss1;
			anon[k][r] = x.anon1;
		}
	}
	for (int k = 0; k < 3; k++) {
		m.events_s[k] = median(ev[k]);
		m.updates_s[k] = median(up[k]);
		m.rss1[k] = median(rss[k]);
		m.anon1[k] = median(anon[k]);
	}
	return m;
}

/* ---- the report ---- */

/* One line of the summary table. */
static void row(const char *label, const char *figure, const char *beside)
{
	printf("%-40s %-36s %s\n", label, figure, beside);
}

/* Read the settings from the environment. */
static void settings(void)
{
	const char *e;
	if ((e = getenv("IKI_BENCH_SECONDS")) && atof(e) > 0)
		seconds = atof(e);
	if ((e = getenv("IKI_BENCH_EVENTS")) && atol(e) > 0)
		max_events = atol(e) < CLIENTS * BATCH ? CLIENTS * BATCH : atol(e);
	if ((e = getenv("TMPDIR")) && e[0])
		tmpdir = e;
}

int main(void)
{
	double bare1[RUNS], bare100[RUNS], ev_s[RUNS], b_s[RUNS], c_s[RUNS], epc[RUNS];
	struct ikid d;
	long log_from = 0, stored = 0;
	settings();
	print_machine();

	printf("1. bare LMDB, durable commits (%d runs of %.1f s, fresh env in TMPDIR each)\n",
	       RUNS, seconds * 0.4);
	for (int r = 0; r < RUNS; r++) {
		bare1[r] = lmdb_rate(1, seconds * 0.4);
		bare100[r] = lmdb_rate(100, seconds * 0.4);
		printf("   run %d   1 put/txn %8s commits/s   100 puts/txn %7s commits/s\n", r + 1,
		       grp(bare1[r]), grp(bare100[r]));
		fflush(stdout);
	}
	double b1 = median(bare1), b100 = median(bare100), commit_ms = 1e3 / b1;

	printf("\n2. ikid durable ingest: %d clients x %d submits in flight x %d events, "
	       "%.1f s or %s events per run,\n   each run on a fresh ikid and state directory; "
	       "the third run's ikid is kept for 3 and 4\n",
	       CLIENTS, INFLIGHT, BATCH, seconds, grp((double)max_events));
	for (int r = 0; r < RUNS; r++) {
		log_from = 0;
		daemon_start(&d);
		struct ingest_run x = ingest_once(&d, &log_from, seconds, 1, "b");
		ev_s[r] = x.events_s;
		b_s[r] = x.batches_s;
		c_s[r] = x.commits_s;
		epc[r] = x.events_per_commit;
		printf("   run %d   %9s events/s  %5s submits/s  %s events in %.2f s, all ok\n"
		       "           ikid: %s commits/s, %s events/commit;  CPU s/s: ikid %.2f, "
		       "clients %.2f\n",
		       r + 1, grp(x.events_s), grp(x.batches_s), grp((double)x.events), x.secs,
		       x.commits ? grp(x.commits_s) : "?",
		       x.commits ? grp(x.events_per_commit) : "?", x.ikid_cpu, x.client_cpu);
		fflush(stdout);
		stored = x.events;
		if (r < RUNS - 1)
			daemon_stop(&d);
	}

	void *ctx = zmq_ctx_new();
	void *s = connect_dealer(ctx, d.request);
	printf("\n3. ack latency: one client, a 1-event submit every %.0f ms on a fixed schedule, "
	       "%.1f s\n",
	       LAT_PERIOD * 1e3, seconds);
	fflush(stdout);
	struct latency al = ack_latency(s, "lat");
	stored += (long)al.n;
	printf("\n3b. ack latency as in 3, while %d clients flood value histories and snapshots "
	       "(their largest pages: 4,000 events, 20,000 values), %d in flight each (SCHED_IDLE)\n",
	       FLOODERS, FLOOD_INFLIGHT);
	char load[64] = "?";
	FILE *la = fopen("/proc/loadavg", "r");
	if (la && fgets(load, sizeof(load), la))
		load[strcspn(load, "\n")] = '\0';
	if (la)
		fclose(la);
	printf("   load average before it: %s (other work on the machine makes both figures noisy)\n",
	       load);
	fflush(stdout);
	long fl_ok, fl_refused;
	struct latency af = ack_latency_flooded(s, d.request, &fl_ok, &fl_refused);
	stored += (long)af.n;
	printf("\n4. query latency: %d queries of surat, 35.27.03, 2022 (over %s stored events), "
	       "one at a time\n",
	       QUERIES, grp((double)stored));
	fflush(stdout);
	struct latency ql = query_latency(s, stored);
	zmq_close(s);
	zmq_ctx_term(ctx);
	daemon_stop(&d);

	double stalled_secs = seconds * 0.4;
	printf("\n5. stalled subscribers: ingest as in 2 but with dates over %d years (every batch "
	       "publishes\n   thousands of updates), 2 x %.1f s a run on a fresh ikid: with no "
	       "subscriber, then 1, then %d\n   connected and subscribed to everything, never "
	       "reading; %d rounds, interleaved\n",
	       STALLED_YEARS, stalled_secs, STALLED_MAX, RUNS);
	fflush(stdout);
	struct stalled st = stalled_phase(stalled_secs);

	char fig[64], bes[128];
	double in = median(ev_s), p50 = quantile(al.ms, al.n, 0.5),
	       p99 = quantile(al.ms, al.n, 0.99);
	printf("\nSUMMARY (medians of %d where runs repeat)\n", RUNS);
	row("", "figure", "beside bare LMDB, same run");
	snprintf(fig, sizeof(fig), "%9s commits/s", grp(b1));
	snprintf(bes, sizeof(bes), "%.3f ms per durable commit", commit_ms);
	row("bare LMDB durable commits, 1 put/txn", fig, bes);
	snprintf(fig, sizeof(fig), "%9s commits/s", grp(b100));
	snprintf(bes, sizeof(bes), "%s records/s", grp(b100 * 100));
	row("bare LMDB durable commits, 100 puts/txn", fig, bes);
	snprintf(fig, sizeof(fig), "%9s events/s", grp(in));
	snprintf(bes, sizeof(bes), "%.1f x bare commit rate; %.2f x bare 100-put records/s",
		 in / b1, in / (b100 * 100));
	row("ikid durable ingest, 4 x 8 x 500 events", fig, bes);
	snprintf(fig, sizeof(fig), "%9s submits/s", grp(median(b_s)));
	snprintf(bes, sizeof(bes), "%.2f x bare commit rate", median(b_s) / b1);
	row("  client side: acked submits", fig, bes);
	if (median(c_s) > 0) {
		snprintf(fig, sizeof(fig), "%9s commits/s", grp(median(c_s)));
		snprintf(bes, sizeof(bes), "%.3f x bare commit rate; %s events per commit",
			 median(c_s) / b1, grp(median(epc)));
		row("  ikid side: transactions (-v log)", fig, bes);
	}
	snprintf(fig, sizeof(fig), "p50 %.3f  p99 %.3f  max %.3f ms", p50, p99, al.ms[al.n - 1]);
	snprintf(bes, sizeof(bes), "p50 %.1f x, p99 %.1f x bare commit time", p50 / commit_ms,
		 p99 / commit_ms);
	row("ack latency, 1 event every 2 ms", fig, bes);
	snprintf(fig, sizeof(fig), "n %zu, %s submits/s", al.n, grp(al.rate));
	row("", fig, "");
	double f50 = quantile(af.ms, af.n, 0.5), f99 = quantile(af.ms, af.n, 0.99);
	snprintf(fig, sizeof(fig), "p50 %.3f  p99 %.3f  max %.3f ms", f50, f99, af.ms[af.n - 1]);
	snprintf(bes, sizeof(bes), "p99 %.2f x idle (p50 %.2f x); reads %ld answered, %ld refused",
		 f99 / p99, f50 / p50, fl_ok, fl_refused);
	row("ack latency, 4 clients flooding reads", fig, bes);
	p50 = quantile(ql.ms, ql.n, 0.5);
	p99 = quantile(ql.ms, ql.n, 0.99);
	snprintf(fig, sizeof(fig), "p50 %.3f  p99 %.3f  max %.3f ms", p50, p99, ql.ms[ql.n - 1]);
	snprintf(bes, sizeof(bes), "p50 %.2f x, p99 %.2f x bare commit time (reads: no commit)",
		 p50 / commit_ms, p99 / commit_ms);
	row("query latency, surat 35.27.03 2022", fig, bes);
	snprintf(fig, sizeof(fig), "n %zu, %s queries/s", ql.n, grp(ql.rate));
	row("", fig, "");
	for (int k = 1; k < 3; k++) {
		char label[64];
		snprintf(label, sizeof(label), "ingest, %d stalled subscriber%s",
			 k == 1 ? 1 : STALLED_MAX, k == 1 ? "" : "s");
		snprintf(fig, sizeof(fig), "%9s events/s", grp(st.events_s[k]));
		snprintf(bes, sizeof(bes), "%.2f x no subscriber (%s events/s; %s updates/s)",
			 st.events_s[k] / st.events_s[0], grp(st.events_s[0]),
			 grp(st.updates_s[0]));
		row(label, fig, bes);
	}
	snprintf(fig, sizeof(fig), "%.0f / %.0f / %.0f MB", st.rss1[0], st.rss1[1], st.rss1[2]);
	snprintf(bes, sizeof(bes), "0 / 1 / %d stalled; of it RssAnon %.0f / %.0f / %.0f MB",
		 STALLED_MAX, st.anon1[0], st.anon1[1], st.anon1[2]);
	row("ikid VmRSS after a stalled-phase run", fig, bes);
	free(al.ms);
	free(af.ms);
	free(ql.ms);
	return 0;
}
