/*
 * loadgen.h: the load users make, for the benchmarks beside bench.c (peer, scale): events with
 * random ids, spread over every summed element and every village of a catalog, dated anywhere in
 * a year, sent by several clients each keeping a window of requests unanswered, over ZeroMQ to
 * ikid (or anything speaking its protocol), with each reply's latency kept.
 */
#ifndef IKI_BENCH_LOADGEN_H
#define IKI_BENCH_LOADGEN_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* What events may name: villages (with their parent) and summed elements of a catalog. */
struct load_domain {
	char (*village)[PROTO_ORGUNIT_MAX + 1];
	int *village_parent; /* index into ou of each village's parent */
	char (*ou)[PROTO_ORGUNIT_MAX + 1];     /* every org unit's code */
	int *ou_parent;			       /* -1 for the root */
	size_t n_villages, n_ou;
	char (*element)[PROTO_CODE_MAX + 1];
	size_t n_elements;
	int year;
};

/* Load a catalog's villages (its lowest level) and its summed elements. Exits on failure. */
void load_domain_read(struct load_domain *d, const char *catalog, int year);
void load_domain_free(struct load_domain *d);

/* A random event of the domain: id "<tag>-<16 hex>", add 1 (or value) to one element at one
 * village on one day; rng is the caller's state (xorshift64, never 0). Returns the village's
 * index. */
int load_event(const struct load_domain *d, uint64_t *rng, const char *tag,
	       struct proto_event *ev);

/* The month, quarter and year of an event's date ("2022-03-05": "202203", "2022Q1", "2022"). */
void load_periods(const char *date, char month[8], char quarter[8], char year[8]);

uint64_t load_rand(uint64_t *rng);

/* One run: clients x inflight requests of batch events each, for secs or max_events. */
struct load_spec {
	const char *endpoint;
	const struct load_domain *dom;
	int clients, inflight, batch;
	double secs;
	long max_events; /* all clients together; 0: no cap */
	const char *tag; /* distinct per run on one store, so that ids never repeat */
};

struct load_result {
	long events, requests;
	double secs;	 /* first send to last reply */
	double *lat;	 /* each reply's latency in seconds, sorted (owned) */
	size_t n_lat;
	double p50, p99; /* milliseconds */
};

/* Run spec against its endpoint; every event must be ok (exits otherwise). */
void load_run(const struct load_spec *spec, struct load_result *r);
void load_result_free(struct load_result *r);

/* Shared with the peer's clients: latency quantile q of sorted v[0..n), in ms. */
double load_quantile_ms(const double *v, size_t n, double q);
/* Append v to a client's latencies (*lat, *n of *cap), doubling; dies when out of memory. */
void load_keep(double **lat, size_t *n, size_t *cap, double v);
void load_finish(struct load_result *r); /* sort r->lat, set p50 and p99 */
/* Add one client's latencies (taking lat, malloc'd, over) and events to r; *latest becomes the
 * later of itself and last (its last reply). */
void load_add(struct load_result *r, double *lat, size_t n, long events, double last,
	      double *latest);
double load_now(void);
_Noreturn __attribute__((format(printf, 1, 2))) void load_die(const char *fmt, ...);

#endif
