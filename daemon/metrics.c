/* metrics.c: ikid's counters and GET /metrics (see metrics.h). */
#include "metrics.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iki.h"
#include "log.h"
#include "thread.h"

#ifndef IKI_VERSION
#define IKI_VERSION "unknown"
#endif

#define CODES (-IKI_ELAST - IKI_EBASE - 1) /* the wire codes, IKI_EMALFORMED ... IKI_EYEAR */
#define METRICS_BACKLOG 16		   /* connections the kernel queues past the limit */
#define METRICS_LOG_EVERY_MS 10000	   /* libmicrohttpd's complaints: one line per 10 s */

static const double commit_bounds[] = {METRICS_COMMIT_BUCKETS};
#define BUCKETS (sizeof(commit_bounds) / sizeof(commit_bounds[0]))

/* The requests a client sends, each its own series; any other type counts as "other". */
static const enum proto_type request_types[] = {
    PROTO_SUBMIT, PROTO_QUERY,	PROTO_SNAPSHOT, PROTO_DESCRIBE, PROTO_HISTORY,
    PROTO_LOCK,	  PROTO_TARGET, PROTO_NOTE,	PROTO_WHOAMI,
};
#define REQUEST_TYPES (sizeof(request_types) / sizeof(request_types[0]))

typedef atomic_ullong counter;

/* One process, one set of numbers: written by the writer and the readers, read by scrapes. */
static struct {
	counter requests[PROTO_TYPE_LAST + 1]; /* [0]: a type of no name (did not decode) */
	counter request_errors[CODES];
	counter events_ok, events_duplicate, events_refused[CODES];
	counter batches, batches_failed; /* batches is also the histogram's count */
	counter commit_buckets[BUCKETS]; /* in (bound[i-1], bound[i]]: not cumulative */
	counter commit_ns;		 /* the histogram's sum */
	counter publishes, heartbeats, snapshots, snapshot_pages;
	atomic_llong subscribers, reads, batch_requests;
	counter map_size, map_used, map_max;
} m;

static inline void add(counter *c, unsigned long long n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

static inline unsigned long long get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* The slot of a wire code; a code of no name counts as internal (as reply_error sends it). */
static size_t code_slot(int code)
{
	if (code > IKI_EMALFORMED || code <= IKI_ELAST)
		code = IKI_EINTERNAL;
	return (size_t)(-code - IKI_EBASE - 1);
}

/* ---- counting ---- */

void metrics_request(enum proto_type type)
{
	add(&m.requests[proto_type_name(type) ? type : 0], 1);
}

void metrics_request_error(int code)
{
	add(&m.request_errors[code_slot(code)], 1);
}

void metrics_event(enum proto_status status, int code)
{
	if (status == PROTO_STATUS_OK)
		add(&m.events_ok, 1);
	else if (status == PROTO_STATUS_DUPLICATE)
		add(&m.events_duplicate, 1);
	else
		add(&m.events_refused[code_slot(code)], 1);
}

void metrics_commit(double seconds)
{
	size_t i = 0;
	while (i < BUCKETS && seconds > commit_bounds[i])
		i++;
	add(&m.batches, 1);
	add(&m.commit_ns, (unsigned long long)(seconds * 1e9));
	/* release: a scrape that sees this bucket's count sees the batch's count too, so that the
	 * buckets it adds up never exceed _count (+Inf) */
	if (i < BUCKETS)
		atomic_fetch_add_explicit(&m.commit_buckets[i], 1, memory_order_release);
}

void metrics_batch_failed(void)
{
	add(&m.batches_failed, 1);
}

void metrics_publish(void)
{
	add(&m.publishes, 1);
}

void metrics_heartbeat(void)
{
	add(&m.heartbeats, 1);
}

void metrics_subscribers(int delta)
{
	atomic_fetch_add_explicit(&m.subscribers, delta, memory_order_relaxed);
}

void metrics_snapshot_page(bool first)
{
	add(&m.snapshot_pages, 1);
	if (first)
		add(&m.snapshots, 1);
}

void metrics_reads(int delta)
{
	atomic_fetch_add_explicit(&m.reads, delta, memory_order_relaxed);
}

void metrics_batch_requests(size_t n)
{
	atomic_store_explicit(&m.batch_requests, (long long)n, memory_order_relaxed);
}

void metrics_store(struct store *st)
{
	size_t size, used, now, max;
	store_map_use(st, &size, &used);
	store_map_size(st, &now, &max);
	atomic_store_explicit(&m.map_size, size, memory_order_relaxed);
	atomic_store_explicit(&m.map_used, used, memory_order_relaxed);
	atomic_store_explicit(&m.map_max, max, memory_order_relaxed);
}

/* ---- the text ---- */

static struct timespec started;

static double uptime(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - started.tv_sec) +
	       (double)(now.tv_nsec - started.tv_nsec) / 1e9;
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A metric of one series. */
static void one(FILE *f, const char *name, const char *type, const char *help, long long v)
{
	head(f, name, type, help);
	fprintf(f, "%s %lld\n", name, v);
}

/* One series a code, every code (0 until it occurs, so that rates start from the first). */
static void by_code(FILE *f, const char *name, const char *help, counter *c)
{
	head(f, name, "counter", help);
	for (size_t i = 0; i < CODES; i++)
		fprintf(f, "%s{code=\"%s\"} %llu\n", name, iki_code_name(-(int)i - IKI_EBASE - 1),
			get(&c[i]));
}

static void requests(FILE *f)
{
	unsigned long long other = 0;
	head(f, "ikid_requests_total", "counter",
	     "Requests received, by type (other: a type no client sends, or one that did not "
	     "decode).");
	for (size_t t = 0; t <= PROTO_TYPE_LAST; t++) {
		size_t i = 0;
		while (i < REQUEST_TYPES && request_types[i] != (enum proto_type)t)
			i++;
		if (i == REQUEST_TYPES)
			other += get(&m.requests[t]);
	}
	for (size_t i = 0; i < REQUEST_TYPES; i++)
		fprintf(f, "ikid_requests_total{type=\"%s\"} %llu\n",
			proto_type_name(request_types[i]), get(&m.requests[request_types[i]]));
	fprintf(f, "ikid_requests_total{type=\"other\"} %llu\n", other);
	by_code(f, "ikid_request_errors_total",
		"Requests refused whole (answered with an error message), by code.",
		m.request_errors);
}

static void events(FILE *f)
{
	head(
	    f, "ikid_events_total", "counter",
	    "Events judged: stored (ok), or stored before (duplicate: a resend, nothing written).");
	fprintf(f, "ikid_events_total{result=\"ok\"} %llu\n", get(&m.events_ok));
	fprintf(f, "ikid_events_total{result=\"duplicate\"} %llu\n", get(&m.events_duplicate));
	by_code(
	    f, "ikid_events_refused_total",
	    "Events refused, by code; each event of a submit refused whole (forbidden, its batch "
	    "not stored) counts too.",
	    m.events_refused);
}

static void commits(FILE *f)
{
	unsigned long long cum = 0, seen[BUCKETS];
	/* the buckets first, then the count (see metrics_commit) */
	for (size_t i = 0; i < BUCKETS; i++)
		seen[i] = atomic_load_explicit(&m.commit_buckets[i], memory_order_acquire);
	unsigned long long n = get(&m.batches);
	one(f, "ikid_batches_total", "counter",
	    "Batches committed: one LMDB write transaction each, for every submit, lock, target "
	    "and note the writer drained together (one that changed nothing ends at once and "
	    "counts too).",
	    (long long)n);
	one(f, "ikid_batches_failed_total", "counter",
	    "Batches not stored (a storage error, or the map full at its maximum): their requests "
	    "were refused whole.",
	    (long long)get(&m.batches_failed));
	head(
	    f, "ikid_commit_seconds", "histogram",
	    "Time of each committed batch's commit: summing its deltas, listing the changed values "
	    "and LMDB's durable commit.");
	for (size_t i = 0; i < BUCKETS; i++) {
		cum += seen[i];
		fprintf(f, "ikid_commit_seconds_bucket{le=\"%g\"} %llu\n", commit_bounds[i], cum);
	}
	fprintf(f, "ikid_commit_seconds_bucket{le=\"+Inf\"} %llu\n", n);
	fprintf(f, "ikid_commit_seconds_sum %.6f\n", (double)get(&m.commit_ns) / 1e9);
	fprintf(f, "ikid_commit_seconds_count %llu\n", n);
}

static void queues(FILE *f)
{
	head(f, "ikid_queue_depth", "gauge",
	     "Requests inside ikid: reads handed to the reader threads not answered yet, and the "
	     "requests of the batch the writer is applying (0 between batches).");
	fprintf(f, "ikid_queue_depth{queue=\"reads\"} %lld\n",
		atomic_load_explicit(&m.reads, memory_order_relaxed));
	fprintf(f, "ikid_queue_depth{queue=\"batch\"} %lld\n",
		atomic_load_explicit(&m.batch_requests, memory_order_relaxed));
}

static void store_figures(FILE *f)
{
	one(f, "ikid_map_size_bytes", "gauge",
	    "The LMDB map now (it doubles when full, up to ikid_map_max_bytes).",
	    (long long)get(&m.map_size));
	one(f, "ikid_map_used_bytes", "gauge",
	    "Bytes of the map in use: up to the last page written, free pages inside included.",
	    (long long)get(&m.map_used));
	one(f, "ikid_map_max_bytes", "gauge",
	    "The most the map may grow to (--map-size); past it submits are refused "
	    "(storage_full).",
	    (long long)get(&m.map_max));
}

static void stream(FILE *f)
{
	long long subs = atomic_load_explicit(&m.subscribers, memory_order_relaxed);
	one(f, "ikid_subscribers", "gauge", "Connections to the updates (PUB) socket.",
	    subs > 0 ? subs : 0);
	one(f, "ikid_publishes_total", "counter", "Updates published (one changed value each).",
	    (long long)get(&m.publishes));
	one(f, "ikid_heartbeats_total", "counter", "Heartbeats published (nothing else to say).",
	    (long long)get(&m.heartbeats));
	one(f, "ikid_resyncs_total", "counter",
	    "Snapshots served (their first page): a subscriber catching up or healing a gap, a "
	    "client loading every value.",
	    (long long)get(&m.snapshots));
	one(f, "ikid_snapshot_pages_total", "counter", "Snapshot pages served.",
	    (long long)get(&m.snapshot_pages));
}

/* The process's resident memory and descriptors (Linux /proc; -1 when unreadable). */
static void process(FILE *f)
{
	long pages = -1, resident = -1, fds = -1;
	FILE *s = fopen("/proc/self/statm", "r");
	if (s && fscanf(s, "%ld %ld", &pages, &resident) != 2)
		resident = -1;
	if (s)
		fclose(s);
	DIR *d = opendir("/proc/self/fd");
	for (struct dirent *e; d && (e = readdir(d));)
		fds += e->d_name[0] != '.';
	if (d)
		closedir(d);
	one(f, "process_resident_memory_bytes", "gauge", "Resident memory of ikid.",
	    resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE));
	one(f, "process_open_fds", "gauge", "Descriptors ikid holds (LimitNOFILE bounds them).",
	    d ? fds : -1); /* fds began at -1: the directory's own descriptor is not counted */
}

int metrics_render(char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	if (!f)
		return -ENOMEM;
	head(f, "ikid_build_info", "gauge", "ikid's version (git describe when it was built).");
	fprintf(f, "ikid_build_info{version=\"%s\"} 1\n", IKI_VERSION);
	head(f, "ikid_uptime_seconds", "gauge", "Seconds since ikid began serving.");
	fprintf(f, "ikid_uptime_seconds %.3f\n", uptime());
	requests(f);
	events(f);
	commits(f);
	queues(f);
	store_figures(f);
	stream(f);
	process(f);
	if (ferror(f)) {
		fclose(f);
		free(*text);
		*text = NULL;
		return -ENOMEM;
	}
	return fclose(f) == 0 ? 0 : -ENOMEM;
}

/* ---- serving ---- */

struct metrics {
	struct MHD_Daemon *d;
	struct timespec logged; /* when libmicrohttpd last had a line in the log */
	unsigned quiet;		/* its messages since, not logged */
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	static const char not_found[] = "not found: ikid serves GET /metrics only\n";
	static const char not_allowed[] = "method not allowed: GET /metrics\n";
	(void)cls, (void)version, (void)upload, (void)upload_size, (void)con_cls;
	bool here = !strcmp(url, "/metrics");
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
	unsigned status = !here	 ? MHD_HTTP_NOT_FOUND
			  : !get ? MHD_HTTP_METHOD_NOT_ALLOWED
				 : MHD_HTTP_OK;
	char *text = NULL;
	size_t len = 0;
	struct MHD_Response *r;
	if (status == MHD_HTTP_OK && metrics_render(&text, &len) < 0)
		return MHD_NO; /* no memory: the connection is closed */
	if (text)
		r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	else
		r = MHD_create_response_from_buffer(here ? strlen(not_allowed) : strlen(not_found),
						    (void *)(here ? not_allowed : not_found),
						    MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				text ? "text/plain; version=0.0.4; charset=utf-8"
				     : "text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* libmicrohttpd's messages (a peer's bad request, the connection limit), at most one line per
 * METRICS_LOG_EVERY_MS with a count of those left out; log_warnx escapes what they quote. */
static void on_log(void *cls, const char *fmt, va_list ap)
{
	struct metrics *x = cls;
	struct timespec now;
	char line[400];
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ms = (int64_t)(now.tv_sec - x->logged.tv_sec) * 1000 +
		     (now.tv_nsec - x->logged.tv_nsec) / 1000000;
	if (x->logged.tv_sec && ms < METRICS_LOG_EVERY_MS) {
		x->quiet++;
		return;
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warnx("metrics: %s (%u more since the last report)", line, x->quiet);
	x->logged = now;
	x->quiet = 0;
}

int metrics_start(const struct sockaddr_in *addr, char *bound, size_t n, struct metrics **out)
{
	struct metrics *x = calloc(1, sizeof(*x));
	sigset_t was;
	char host[INET_ADDRSTRLEN] = "?";
	*out = NULL;
	if (!x)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &started);
	thread_signals_block(&was); /* libmicrohttpd's thread takes none: the loop has them */
	errno = 0;
	x->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, on_log, x, MHD_OPTION_SOCK_ADDR,
	    (const struct sockaddr *)addr, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)METRICS_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)METRICS_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_MEMORY,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)METRICS_BACKLOG, MHD_OPTION_END);
	int err = errno;
	thread_signals_restore(&was);
	if (!x->d) {
		free(x);
		return err ? -err : -EADDRINUSE;
	}
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(x->d, MHD_DAEMON_INFO_BIND_PORT);
	inet_ntop(AF_INET, &addr->sin_addr, host, sizeof(host));
	snprintf(bound, n, "%s:%u", host, i ? (unsigned)i->port : (unsigned)ntohs(addr->sin_port));
	*out = x;
	return 0;
}

void metrics_stop(struct metrics **mp)
{
	struct metrics *x = mp ? *mp : NULL;
	if (!x)
		return;
	MHD_stop_daemon(x->d);
	free(x);
	*mp = NULL;
}
