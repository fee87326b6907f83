/*
 * peerbench.c: single-event requests, the shape users send, to ikid and beside it, in the same
 * run and interleaved, to two references doing the same job (bench/peer/README.md):
 *   - the Redis peer: Redis 7, appendfsync always, bench/peer/ingest.lua per event (dedup on the
 *     id, append to a log, the 6 rollup counters ikid keeps, publish), driven through hiredis;
 *   - the minimal durable path: decode, dedup and append to LMDB, one counter, group commit,
 *     ack, over ZeroMQ (minimal.c);
 * at 8 clients x 64 in flight and at 1 x 1, printing events/s and reply p50/p99 of each and
 * ikid's ratios to them. Without redis-server it says so and measures the other two.
 */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tests/harness.h"
#include "../loadgen.h"
#include "minimal.h"
#include "redispeer.h"

#define CATALOG "catalog/sampang-2022.conf"
#define YEAR 2022

enum { SYS_IKID, SYS_REDIS, SYS_MINIMAL, N_SYS };
static const char *const sys_names[N_SYS] = {"ikid", "Redis 7 + Lua", "minimal durable path"};

struct shape {
	const char *name;
	int clients, inflight;
};
static const struct shape shapes[] = {{"8 clients x 64 in flight", 8, 64}, {"1 client x 1", 1, 1}};
#define N_SHAPES (sizeof(shapes) / sizeof(shapes[0]))

static double seconds = 3;
static int rounds = 3;
static struct ikid *running;

static void stop_running(void)
{
	if (running) {
		harness_stop(running, SIGKILL);
		running = NULL;
	}
}

static double median3(double *v, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (v[j] < v[i]) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
	return n ? v[n / 2] : 0;
}

/* One run of one system at one shape, on a fresh store each time. */
static struct load_result run_one(int sys, const struct shape *sh, const struct load_domain *dom,
				  int round)
{
	struct load_result r = {0};
	char tag[32];
	snprintf(tag, sizeof(tag), "p%d%d", sys, round);
	struct load_spec spec = {.dom = dom, .clients = sh->clients, .inflight = sh->inflight,
				 .batch = 1, .secs = seconds, .tag = tag};
	if (sys == SYS_IKID) {
		struct ikid d = {0};
		if (harness_start(&d, CATALOG) < 0)
			load_die("ikid did not start (log: %s)", d.log);
		running = &d;
		spec.endpoint = d.request;
		load_run(&spec, &r);
		running = NULL;
		harness_stop(&d, SIGTERM);
		harness_cleanup(&d);
	} else if (sys == SYS_MINIMAL) {
		struct minimal *m = minimal_start();
		spec.endpoint = minimal_endpoint(m);
		load_run(&spec, &r);
		minimal_stop(m);
	} else {
		struct redis_peer *p = redis_peer_start();
		redis_peer_run(p, dom, sh->clients, sh->inflight, seconds, &r);
		redis_peer_stop(p);
	}
	return r;
}

static void print_row(const char *name, double eps, double p50, double p99)
{
	printf("  %-22s %10.0f events/s   p50 %7.3f ms  p99 %7.3f ms\n", name, eps, p50, p99);
}

/* Every system at one shape, interleaved round by round; prints medians and ratios. */
static void measure_shape(const struct shape *sh, const struct load_domain *dom, bool redis)
{
	double eps[N_SYS][16], p50[N_SYS][16], p99[N_SYS][16];
	printf("\nsingle-event requests, %s (%d rounds of %.0f s, medians)\n", sh->name, rounds,
	       seconds);
	for (int k = 0; k < rounds; k++)
		for (int s = 0; s < N_SYS; s++) {
			if (s == SYS_REDIS && !redis)
				continue;
			struct load_result r = run_one(s, sh, dom, k);
			eps[s][k] = r.secs > 0 ? (double)r.events / r.secs : 0;
			p50[s][k] = r.p50;
			p99[s][k] = r.p99;
			fprintf(stderr, "    round %d %-22s %9.0f events/s p50 %.3f p99 %.3f ms\n",
				k + 1, sys_names[s], eps[s][k], r.p50, r.p99);
			load_result_free(&r);
		}
	double m[N_SYS][3];
	for (int s = 0; s < N_SYS; s++) {
		if (s == SYS_REDIS && !redis)
			continue;
		m[s][0] = median3(eps[s], rounds);
		m[s][1] = median3(p50[s], rounds);
		m[s][2] = median3(p99[s], rounds);
		print_row(sys_names[s], m[s][0], m[s][1], m[s][2]);
	}
	if (redis)
		printf("  ikid / Redis + Lua: %.2f x events/s%s, p50 %.2f x%s\n",
		       m[SYS_IKID][0] / m[SYS_REDIS][0], sh->clients > 1 ? " (goal >= 5)" : "",
		       m[SYS_IKID][1] / m[SYS_REDIS][1], sh->clients > 1 ? "" : " (goal < 1)");
	else
		printf("  Redis + Lua: not measured (no redis-server; scripts/deps.sh bench "
		       "installs it)\n");
	printf("  ikid / minimal durable path: %.2f x events/s%s\n",
	       m[SYS_IKID][0] / m[SYS_MINIMAL][0], sh->clients > 1 ? " (goal >= 0.75)" : "");
}

int main(void)
{
	const char *v;
	if ((v = getenv("IKI_PEER_SECONDS")) && atof(v) > 0)
		seconds = atof(v);
	if ((v = getenv("IKI_PEER_ROUNDS")) && atoi(v) > 0 && atoi(v) <= 16)
		rounds = atoi(v);
	atexit(stop_running);
	signal(SIGPIPE, SIG_IGN);
	struct load_domain dom;
	load_domain_read(&dom, CATALOG, YEAR);
	bool redis = redis_peer_available();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf("peerbench: %ld CPUs online; catalog %s: %zu villages, %zu summed elements; "
	       "random ids, one event per request\n",
	       cpus, CATALOG, dom.n_villages, dom.n_elements);
	if (!redis)
		printf("peerbench: redis-server not found: the Redis peer is left out\n");
	for (size_t i = 0; i < N_SHAPES; i++)
		measure_shape(&shapes[i], &dom, redis);
	load_domain_free(&dom);
	return 0;
}
