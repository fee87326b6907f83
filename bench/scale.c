/*
 * scale.c: the national shape (bench/peer/README.md, make bench-scale): the real ikid on the
 * national catalog (every village of Indonesia, scripts/national-catalog.py), fed
 * IKI_SCALE_EVENTS events (10,000,000 by default) with random ids over every village and every
 * summed element, in 500-event messages from 4 clients x 8 in flight, in 10 windows. Printed:
 * the catalog's load time (ikid -n, and catalog_load in this process, medians of 3, beside the
 * Sampang catalog's; IKI_SCALE_EVENTS=0 stops there), each window's rate and the last window
 * against the first (flatness), single-event requests (8 x 64) after the first window and after the last, bytes
 * per event on disk (the probes' events counted), ikid's RSS, a snapshot of one indicator and period, and the times of
 * ikid -r (rebuild) and ikid --verify on the whole store.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "../tests/harness.h"
#include "loadgen.h"
#include "catalog.h"
#include "proto.h"

#define YEAR 2022
#define SAMPANG_CATALOG "catalog/sampang-2022.conf" /* the kecamatan's own, beside the nation */

static struct ikid *running;

static void stop_running(void)
{
	if (running)
		harness_stop(running, SIGKILL);
	running = NULL;
}

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);
	return v && atol(v) > 0 ? atol(v) : def;
}

/* Run a shell command, returning its wall time in seconds; exits when it fails. */
static double timed(const char *cmd)
{
	double t0 = load_now();
	int st = system(cmd);
	if (st != 0)
		load_die("'%s' failed (status %d)", cmd, st);
	return load_now() - t0;
}

#define LOAD_RUNS 3 /* each catalog's load is timed this many times; the median is printed */

/* The median of three. */
static double median3(const double v[LOAD_RUNS])
{
	double lo = v[0] < v[1] ? v[0] : v[1], hi = v[0] < v[1] ? v[1] : v[0];
	return v[2] < lo ? lo : v[2] > hi ? hi : v[2];
}

/*
 * How long a catalog takes to load, medians of LOAD_RUNS: *check_s the whole `ikid -n` (what an
 * operator waits for: the process, the configuration, the catalog), *load_s catalog_load alone,
 * in this process. Exits when either fails.
 */
static void catalog_times(const char *ikid, const char *catalog, double *check_s, double *load_s)
{
	char cmd[1024];
	double check[LOAD_RUNS], load[LOAD_RUNS];
	snprintf(cmd, sizeof(cmd), "%s -n -c %s >/dev/null", ikid, catalog);
	for (int i = 0; i < LOAD_RUNS; i++) {
		check[i] = timed(cmd);
		struct catalog *c = NULL;
		char *errors = NULL;
		double t0 = load_now();
		if (catalog_load(catalog, &c, &errors) != 0)
			load_die("catalog %s: %s", catalog, errors ? errors : "cannot load");
		load[i] = load_now() - t0;
		catalog_free(&c);
		free(errors);
	}
	*check_s = median3(check);
	*load_s = median3(load);
}

/* A field of ikid's /proc status in MB ("VmRSS", "RssAnon"), -1 when unknown. */
static double mem_mb(pid_t pid, const char *field)
{
	char path[64], line[256];
	double kb = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	size_t n = strlen(field);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			kb = atof(line + n + 1);
	if (f)
		fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

/* Bytes the store takes on disk (data.mdb's allocated blocks). */
static double store_bytes(const char *state)
{
	char path[256];
	struct stat st;
	snprintf(path, sizeof(path), "%s/data.mdb", state);
	return stat(path, &st) == 0 ? (double)st.st_blocks * 512 : -1;
}

/* One snapshot page of iki06 at the root in 2022: its time in ms (the request's round trip). */
static double snapshot_ms(const char *endpoint)
{
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0, tmo = 600000;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	zmq_connect(s, endpoint);
	struct proto_msg m = {.type = PROTO_SNAPSHOT, .req = 1};
	snprintf(m.query.indicator, sizeof(m.query.indicator), "iki06");
	snprintf(m.query.orgunit, sizeof(m.query.orgunit), "00");
	snprintf(m.query.period, sizeof(m.query.period), "%d", YEAR);
	char *buf;
	size_t len;
	if (proto_encode(&m, &buf, &len) < 0)
		load_die("cannot encode a snapshot");
	double t0 = load_now();
	zmq_send(s, buf, len, 0);
	free(buf);
	zmq_msg_t f;
	zmq_msg_init(&f);
	if (zmq_msg_recv(&f, s, 0) < 0)
		load_die("no answer to a snapshot");
	double t = (load_now() - t0) * 1e3;
	struct proto_msg r = {0};
	if (proto_decode(zmq_msg_data(&f), zmq_msg_size(&f), &r) < 0 || r.type != PROTO_VALUES ||
	    r.n_values != 1)
		load_die("the snapshot of iki06 00 %d is not one value", YEAR);
	proto_msg_clear(&r);
	zmq_msg_close(&f);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return t;
}

/* Single events, 8 clients x 64 in flight, for secs on the running ikid. */
static long single_probe(const char *endpoint, const struct load_domain *dom, const char *tag,
			 double secs, const char *when)
{
	struct load_result r;
	struct load_spec sp = {.endpoint = endpoint, .dom = dom, .clients = 8, .inflight = 64,
			       .batch = 1, .secs = secs, .tag = tag};
	load_run(&sp, &r);
	printf("  single events 8 x 64, %-14s %9.0f events/s   p50 %7.3f ms  p99 %7.3f ms\n",
	       when, (double)r.events / r.secs, r.p50, r.p99);
	long n = r.events;
	load_result_free(&r);
	return n;
}

/*
 * ikid -r on the stopped store: the time until it serves again (it rebuilds, then listens and
 * writes its endpoints file), then stop it.
 */
static double rebuild_s(const char *ikid, const char *catalog, const char *state)
{
	char eps[300];
	snprintf(eps, sizeof(eps), "%s/endpoints.rebuild", state);
	unlink(eps);
	double t0 = load_now();
	pid_t pid = fork();
	if (pid < 0)
		load_die("fork: %s", strerror(errno));
	if (pid == 0) {
		freopen("/dev/null", "w", stderr);
		execl(ikid, "ikid", "-r", "-c", catalog, "-d", state, "--plaintext", "-l",
		      "tcp://127.0.0.1:*", "-p", "tcp://127.0.0.1:*", "-e", eps, (char *)NULL);
		_exit(127);
	}
	int st;
	while (access(eps, F_OK) != 0) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			load_die("ikid -r exited before serving (status %d)", st);
		harness_sleep_ms(20);
	}
	double t = load_now() - t0;
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	return t;
}

struct windows {
	double first, last, single_first;
	long events;
};

static void ingest(struct ikid *d, const struct load_domain *dom, long total, int n_win,
		   struct windows *w)
{
	char tag[16];
	printf("\n  window      events  cumulative     events/s   VmRSS MB  RssAnon MB  disk B/event\n");
	for (int i = 0; i < n_win; i++) {
		struct load_result r;
		snprintf(tag, sizeof(tag), "w%d", i);
		struct load_spec sp = {.endpoint = d->request, .dom = dom, .clients = 4,
				       .inflight = 8, .batch = 500, .secs = 1e9,
				       .max_events = total / n_win, .tag = tag};
		load_run(&sp, &r);
		double rate = (double)r.events / r.secs;
		w->events += r.events;
		w->first = i == 0 ? rate : w->first;
		w->last = rate;
		printf("  %6d %11ld %11ld %12.0f %10.1f %11.1f %13.1f\n", i + 1, r.events, w->events,
		       rate, mem_mb(d->pid, "VmRSS"), mem_mb(d->pid, "RssAnon"),
		       store_bytes(d->state) / (double)w->events);
		fflush(stdout);
		load_result_free(&r);
		if (i == 0)
			w->events += single_probe(d->request, dom, "s0", 3, "after window 1");
	}
	w->events += single_probe(d->request, dom, "s1", 3, "at the end");
}

int main(void)
{
	long total = env_long("IKI_SCALE_EVENTS", 10000000);
	int n_win = (int)env_long("IKI_SCALE_WINDOWS", 10);
	const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[200], catalog[260], cmd[1024], ikid[256];
	atexit(stop_running);
	signal(SIGPIPE, SIG_IGN);
	snprintf(dir, sizeof(dir), "%s/iki-scale-XXXXXX", tmp);
	if (!mkdtemp(dir))
		load_die("mkdtemp: %s", strerror(errno));
	snprintf(catalog, sizeof(catalog), "%s/national.conf", dir);
	snprintf(cmd, sizeof(cmd), "python3 scripts/national-catalog.py %s", catalog);
	timed(cmd);
	harness_bin("ikid", ikid, sizeof(ikid));
	double check_s, load_s, home_check_s, home_load_s;
	catalog_times(ikid, catalog, &check_s, &load_s);
	catalog_times(ikid, SAMPANG_CATALOG, &home_check_s, &home_load_s);
	struct load_domain dom;
	load_domain_read(&dom, catalog, YEAR);
	struct stat st;
	double mb = stat(catalog, &st) == 0 ? (double)st.st_size / 1e6 : -1;
	printf("scalebench: %ld CPUs online; national catalog: %zu org units, %zu villages, %zu "
	       "summed elements, %.1f MB\n", sysconf(_SC_NPROCESSORS_ONLN), dom.n_ou,
	       dom.n_villages, dom.n_elements, mb);
	printf("  catalog load, medians of %d: national: ikid -n %.3f s, catalog_load %.3f s "
	       "(goal < 1 s); %s beside it: ikid -n %.3f s, catalog_load %.4f s\n", LOAD_RUNS,
	       check_s, load_s, SAMPANG_CATALOG, home_check_s, home_load_s);
	if (getenv("IKI_SCALE_EVENTS") && !strcmp(getenv("IKI_SCALE_EVENTS"), "0")) {
		load_domain_free(&dom);
		harness_rmtree(dir);
		return 0;
	}
	printf("scalebench: %ld events in %d windows, 500-event messages, 4 clients x 8 in flight\n",
	       total, n_win);
	struct ikid d = {0};
	snprintf(d.state, sizeof(d.state), "%.100s/state", dir);
	if (mkdir(d.state, 0700) < 0 || harness_start(&d, catalog) < 0)
		load_die("ikid did not start (log: %s)", d.log);
	running = &d;
	struct windows w = {0};
	ingest(&d, &dom, total, n_win, &w);
	double snap = snapshot_ms(d.request);
	double rss = mem_mb(d.pid, "VmRSS"), anon = mem_mb(d.pid, "RssAnon");
	running = NULL;
	harness_stop(&d, SIGTERM);
	double bytes = store_bytes(d.state);
	double rebuild = rebuild_s(ikid, catalog, d.state);
	snprintf(cmd, sizeof(cmd), "%s -V -c %s -d %s >/dev/null 2>&1", ikid, catalog, d.state);
	double verify = timed(cmd);
	printf("\n  flatness: last window / first = %.2f (%.0f / %.0f events/s; goal >= 0.90)\n",
	       w.last / w.first, w.last, w.first);
	printf("  on disk: %.0f MB, %.1f bytes per event (goal <= 150)\n", bytes / 1e6,
	       bytes / (double)w.events);
	printf("  ikid at the end: VmRSS %.0f MB, RssAnon %.0f MB\n", rss, anon);
	printf("  snapshot of iki06, 00, %d: %.1f ms (goal < 10)\n", YEAR, snap);
	printf("  ikid -r (until it serves): %.1f s, ikid --verify: %.1f s, for %ld events (goal < 60 s each)\n",
	       rebuild, verify, w.events);
	load_domain_free(&dom);
	harness_rmtree(dir);
	return 0;
}
