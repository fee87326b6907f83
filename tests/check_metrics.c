/* check_metrics.c: ikid's GET /metrics, scraped with a plain socket from the real ikid while
 * libiki clients submit, read and subscribe: every counter moves by exactly what was sent, the
 * text is Prometheus' format (read back by python3-prometheus-client where it is installed),
 * other paths and methods are refused, and the HTTP peers are bounded. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "harness.h"
#include "iki_client.h"
#include "metrics.h"
#include "suite.h"

#define SAMPANG "catalog/sampang-2022.conf"
#define V1 "35.27.03.2001"
#define V2 "35.27.03.2002"
#define SUBS 3		/* subscribers the first test connects */
#define LOAD_SUBMITS 40 /* the load: submits of LOAD_EVENTS events, one after another */
#define LOAD_EVENTS 250

static struct ikid d;
static char metrics_at[64]; /* "127.0.0.1:PORT", from the endpoints file */

static const char *const with_metrics[] = {"--metrics", "127.0.0.1:0", "--heartbeat-ms", "100",
					   NULL};

static void start(void)
{
	char path[300], line[128];
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start_args(&d, SAMPANG, with_metrics), 0);
	snprintf(path, sizeof(path), "%s/endpoints", d.state);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	metrics_at[0] = '\0';
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "metrics %63s", metrics_at) == 1)
			break;
	fclose(f);
	ck_assert_msg(metrics_at[0], "no metrics line in %s", path);
}

static void stop(void)
{
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- HTTP over a plain socket ---- */

/* A TCP connection to the metrics address, or -1 when refused. */
static int http_connect(void)
{
	const char *colon = strrchr(metrics_at, ':');
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)atoi(colon + 1))};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct timeval tv = {10, 0};
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)); /* connect() too */
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Send request and read the answer until ikid closes the connection: its status (0 when there
 * was none: the connection closed first), the whole answer (headers and body) into *out.
 */
static int http(const char *request, char **out)
{
	int fd = http_connect();
	ck_assert_msg(fd >= 0, "metrics on %s refused the connection", metrics_at);
	size_t len = strlen(request), cap = 1 << 16, n = 0;
	for (ssize_t k; len > 0 && (k = send(fd, request, len, MSG_NOSIGNAL)) > 0; len -= (size_t)k)
		request += k; /* ikid may answer and close before it has all of a refused one */
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	for (ssize_t k; (k = recv(fd, buf + n, cap - 1 - n, 0)) > 0;) {
		n += (size_t)k;
		if (n == cap - 1) {
			buf = realloc(buf, cap *= 2);
			ck_assert_ptr_nonnull(buf);
		}
	}
	close(fd);
	buf[n] = '\0';
	int status = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
		status = 0;
	*out = buf;
	return status;
}

/* GET /metrics: the body (malloc'd), after checking the status and the content type. */
static char *scrape(void)
{
	char *all;
	int status = http("GET /metrics HTTP/1.1\r\nHost: ikid\r\nConnection: close\r\n\r\n", &all);
	ck_assert_msg(status == 200, "status %d:\n%.400s", status, all);
	ck_assert_msg(strstr(all, "\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"),
		      "%.400s", all);
	char *body = strstr(all, "\r\n\r\n");
	ck_assert_ptr_nonnull(body);
	char *text = strdup(body + 4);
	free(all);
	return text;
}

/* The line after line's, or NULL. */
static const char *next_line(const char *line)
{
	const char *nl = strchr(line, '\n');
	return nl ? nl + 1 : NULL;
}

/* The value of one series ("ikid_events_total{result=\"ok\"}"): it must be there, once. */
static double value(const char *text, const char *series)
{
	size_t n = strlen(series);
	double v = 0;
	int found = 0;
	for (const char *line = text; line && *line; line = next_line(line))
		if (!strncmp(line, series, n) && line[n] == ' ') {
			v = strtod(line + n + 1, NULL);
			found++;
		}
	ck_assert_msg(found == 1, "%s: %d lines", series, found);
	return v;
}

/* How much a series moved between two scrapes. */
static double moved(const char *before, const char *after, const char *series)
{
	return value(after, series) - value(before, series);
}

/* Scrape until the series has the value wanted (5 s at most); the last scrape's value. */
static double wait_for(const char *series, double want)
{
	double v = -1;
	for (int64_t until = now_ms() + 5000; now_ms() < until; harness_sleep_ms(20)) {
		char *t = scrape();
		v = value(t, series);
		free(t);
		if (v == want)
			break;
	}
	return v;
}

/* Every sample of every code of a by-code family, summed. */
static double sum_family(const char *text, const char *family)
{
	double sum = 0;
	size_t n = strlen(family);
	for (const char *line = text; line && *line; line = next_line(line))
		if (!strncmp(line, family, n) && line[n] == '{')
			sum += strtod(strchr(line, ' ') + 1, NULL);
	return sum;
}

/* ---- the clients ---- */

static struct iki_client *client(void)
{
	struct iki_client_options o = {
	    .request = d.request, .update = d.update, .timeout_ms = 20000};
	struct iki_client *c = NULL;
	ck_assert_int_eq(iki_client_open(&o, &c), 0);
	return c;
}

/* An "add" to surat_masuk, id "<tag>-<k>", a village, dated in 2022 (or date when given). */
static void event(struct proto_event *ev, const char *tag, int k, const char *element,
		  const char *date)
{
	char when[16];
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->id, sizeof(ev->id), "%s-%d", tag, k);
	snprintf(ev->element, sizeof(ev->element), "%s", element);
	snprintf(ev->orgunit, sizeof(ev->orgunit), "%s", k % 2 ? V2 : V1);
	snprintf(when, sizeof(when), "2022-%02d-%02d", 1 + k % 12, 1 + k % 28);
	memcpy(ev->date, date ? date : when, sizeof(ev->date) - 1); /* YYYY-MM-DD */
	ev->op = PROTO_OP_ADD;
	ev->value = 1 + k % 5;
}

/* Submit n events and check each result: ok, duplicate or the code of its refusal. */
static void submit(struct iki_client *c, const struct proto_event *ev, size_t n,
		   const int *want_code, enum proto_status want)
{
	struct proto_result *res = calloc(n, sizeof(*res));
	ck_assert_ptr_nonnull(res);
	ck_assert_int_eq(iki_submit(c, ev, n, res), 0);
	for (size_t i = 0; i < n; i++) {
		enum proto_status st = want_code && want_code[i] ? PROTO_STATUS_ERROR : want;
		ck_assert_msg(res[i].status == st && (!want_code || res[i].code == want_code[i]),
			      "%s: status %d code %s", ev[i].id, res[i].status,
			      iki_code_name(res[i].code));
	}
	free(res);
}

/* The seq a snapshot is at now. */
static uint64_t seq_now(struct iki_client *c)
{
	struct proto_value *v = NULL;
	size_t n = 0;
	uint64_t seq = 0;
	char msg[PROTO_TEXT_MAX + 1];
	ck_assert_int_eq(iki_snapshot(c, &(struct proto_query){0}, &v, &n, &seq, msg), 0);
	free(v);
	return seq;
}

/* Read a subscriber until a heartbeat at seq (the updates before it: all published by then);
 * how many updates came meanwhile. */
static uint64_t updates_until(void *sub, uint64_t seq)
{
	uint64_t updates = 0;
	for (int64_t until = now_ms() + 10000; now_ms() < until;) {
		zmq_msg_t topic, body;
		zmq_pollitem_t it = {sub, 0, ZMQ_POLLIN, 0};
		if (zmq_poll(&it, 1, 500) <= 0)
			continue;
		zmq_msg_init(&topic);
		zmq_msg_init(&body);
		ck_assert_int_ge(zmq_msg_recv(&topic, sub, 0), 0);
		ck_assert_int_ge(zmq_msg_recv(&body, sub, 0), 0);
		struct proto_msg m = {0};
		ck_assert_int_eq(proto_decode(zmq_msg_data(&body), zmq_msg_size(&body), &m), 0);
		zmq_msg_close(&topic);
		zmq_msg_close(&body);
		updates += m.type == PROTO_UPDATE;
		bool done = m.type == PROTO_HEARTBEAT && m.seq == seq;
		proto_msg_clear(&m);
		if (done)
			return updates;
	}
	ck_abort_msg("no heartbeat at seq %llu within 10 s", (unsigned long long)seq);
	return 0;
}

/* ---- the counters move by what was sent ---- */

START_TEST(test_counters_move_by_what_was_sent)
{
	struct iki_client *c = client();
	void *subs[SUBS];
	char *s0 = scrape();
	double subs0 = value(s0, "ikid_subscribers");
	uint64_t seq0 = seq_now(c);
	free(s0);

	/* subscribers: each SUB ikid accepted, listening once a heartbeat reaches it */
	for (int i = 0; i < SUBS; i++) {
		ck_assert_int_eq(iki_client_subscriber(c, 0, &subs[i]), 0);
		ck_assert_int_eq(zmq_setsockopt(subs[i], ZMQ_SUBSCRIBE, "", 0), 0);
	}
	ck_assert_int_eq(wait_for("ikid_subscribers", subs0 + SUBS), subs0 + SUBS);
	for (int i = 0; i < SUBS; i++)
		updates_until(subs[i], seq0);

	s0 = scrape();
	/* 40 stored, 3 of an element the catalog has not, 2 dated outside its year (2022) */
	struct proto_event ev[45];
	int codes[45] = {0};
	for (int k = 0; k < 40; k++)
		event(&ev[k], "ok", k, "surat_masuk", NULL);
	for (int k = 40; k < 43; k++) {
		event(&ev[k], "el", k, "tidak_ada", NULL);
		codes[k] = IKI_EELEMENT;
	}
	for (int k = 43; k < 45; k++) {
		event(&ev[k], "yr", k, "surat_masuk", "2021-06-01");
		codes[k] = IKI_EYEAR;
	}
	submit(c, ev, 45, codes, PROTO_STATUS_OK);
	submit(c, ev, 10, NULL, PROTO_STATUS_DUPLICATE); /* 10 of them again */
	struct proto_value *v = NULL;
	size_t n = 0;
	char msg[PROTO_TEXT_MAX + 1];
	ck_assert_int_eq(
	    iki_query(c, &(struct proto_query){.indicator = "tidak_ada", .period = "2022"}, &v, &n,
		      msg),
	    IKI_EINDICATOR);
	uint64_t seq1 = seq_now(c);
	uint64_t heard = updates_until(subs[0], seq1);
	char *s1 = scrape();

	ck_assert_int_eq(moved(s0, s1, "ikid_events_total{result=\"ok\"}"), 40);
	ck_assert_int_eq(moved(s0, s1, "ikid_events_total{result=\"duplicate\"}"), 10);
	ck_assert_int_eq(moved(s0, s1, "ikid_events_refused_total{code=\"unknown_element\"}"), 3);
	ck_assert_int_eq(moved(s0, s1, "ikid_events_refused_total{code=\"out_of_year\"}"), 2);
	ck_assert_int_eq(sum_family(s1, "ikid_events_refused_total") -
			     sum_family(s0, "ikid_events_refused_total"),
			 5);
	ck_assert_int_eq(moved(s0, s1, "ikid_requests_total{type=\"submit\"}"), 2);
	ck_assert_int_eq(moved(s0, s1, "ikid_requests_total{type=\"query\"}"), 1);
	ck_assert_int_eq(moved(s0, s1, "ikid_requests_total{type=\"snapshot\"}"), 1);
	ck_assert_int_eq(moved(s0, s1, "ikid_request_errors_total{code=\"unknown_indicator\"}"), 1);
	ck_assert_int_eq(sum_family(s1, "ikid_request_errors_total") -
			     sum_family(s0, "ikid_request_errors_total"),
			 1);
	ck_assert_int_eq(moved(s0, s1, "ikid_resyncs_total"), 1);
	ck_assert_int_eq(moved(s0, s1, "ikid_snapshot_pages_total"), 1);
	/* every update published reached the subscriber, numbered one after another */
	ck_assert_uint_gt(heard, 0);
	ck_assert_int_eq(moved(s0, s1, "ikid_publishes_total"), (double)heard);
	ck_assert_uint_eq(seq1 - seq0, heard);
	ck_assert_uint_gt(moved(s0, s1, "ikid_heartbeats_total"), 0);
	/* two submits, each its own batch (the client waits for each answer) */
	ck_assert_int_eq(moved(s0, s1, "ikid_batches_total"), 2);
	ck_assert_int_eq(moved(s0, s1, "ikid_commit_seconds_count"), 2);
	ck_assert_int_eq(value(s1, "ikid_commit_seconds_count"), value(s1, "ikid_batches_total"));
	ck_assert_int_eq(value(s1, "ikid_commit_seconds_bucket{le=\"+Inf\"}"),
			 value(s1, "ikid_commit_seconds_count"));
	ck_assert(value(s1, "ikid_commit_seconds_sum") > value(s0, "ikid_commit_seconds_sum"));
	ck_assert_int_eq(moved(s0, s1, "ikid_batches_failed_total"), 0);
	ck_assert_int_eq(value(s1, "ikid_subscribers"), subs0 + SUBS);
	/* at rest nothing waits; the map holds what was written */
	ck_assert_int_eq(value(s1, "ikid_queue_depth{queue=\"reads\"}"), 0);
	ck_assert_int_eq(value(s1, "ikid_queue_depth{queue=\"batch\"}"), 0);
	double used = value(s1, "ikid_map_used_bytes"), size = value(s1, "ikid_map_size_bytes");
	ck_assert(used > 0 && used <= size && size <= value(s1, "ikid_map_max_bytes"));
	ck_assert_int_eq(size, 64 << 20);
	ck_assert(value(s1, "ikid_uptime_seconds") > value(s0, "ikid_uptime_seconds"));
	ck_assert(strstr(s1, "\nikid_build_info{version=\""));
	ck_assert(value(s1, "process_open_fds") > 0 &&
		  value(s1, "process_resident_memory_bytes") > 0);

	/* the subscribers leave */
	for (int i = 0; i < SUBS; i++)
		zmq_close(subs[i]);
	ck_assert_int_eq(wait_for("ikid_subscribers", subs0), subs0);
	free(s0);
	free(s1);
	iki_client_close(&c);
}
END_TEST

/* ---- scraped during a load ---- */

struct load {
	pthread_t thread;
	volatile bool done;
	int failed; /* submits not answered ok */
};

static void *load_run(void *arg)
{
	struct load *l = arg;
	struct iki_client_options o = {.request = d.request, .timeout_ms = 30000};
	struct iki_client *c = NULL;
	struct proto_event *ev = calloc(LOAD_EVENTS, sizeof(*ev));
	struct proto_result *res = calloc(LOAD_EVENTS, sizeof(*res));
	if (!ev || !res || iki_client_open(&o, &c) < 0)
		l->failed = LOAD_SUBMITS;
	for (int b = 0; c && b < LOAD_SUBMITS; b++) {
		for (int i = 0; i < LOAD_EVENTS; i++)
			event(&ev[i], "load", b * LOAD_EVENTS + i, "surat_masuk", NULL);
		int rc = iki_submit(c, ev, LOAD_EVENTS, res);
		for (int i = 0; i < LOAD_EVENTS; i++)
			if (rc < 0 || res[i].status != PROTO_STATUS_OK)
				l->failed++;
	}
	iki_client_close(&c);
	free(ev);
	free(res);
	l->done = true;
	return NULL;
}

/* What holds in every scrape: the histogram adds up, and nothing runs backwards. */
static void consistent(const char *prev, const char *t)
{
	static const char *const counters[] = {
	    "ikid_events_total{result=\"ok\"}", "ikid_batches_total", "ikid_publishes_total",
	    "ikid_requests_total{type=\"submit\"}", "ikid_commit_seconds_sum"};
	double n = value(t, "ikid_commit_seconds_count"), last = 0;
	ck_assert_int_eq(n, value(t, "ikid_batches_total"));
	ck_assert_int_eq(n, value(t, "ikid_commit_seconds_bucket{le=\"+Inf\"}"));
	const double bounds[] = {METRICS_COMMIT_BUCKETS};
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		char series[64];
		snprintf(series, sizeof(series), "ikid_commit_seconds_bucket{le=\"%g\"}",
			 bounds[i]);
		double b = value(t, series);
		ck_assert(b >= last && b <= n);
		last = b;
	}
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		ck_assert_msg(value(t, counters[i]) >= value(prev, counters[i]), "%s", counters[i]);
}

START_TEST(test_scraped_during_a_load)
{
	struct load l = {0};
	char *s0 = scrape(), *prev = strdup(s0);
	const double total = LOAD_SUBMITS * LOAD_EVENTS;
	int scrapes = 0, midway = 0;
	ck_assert_int_eq(pthread_create(&l.thread, NULL, load_run, &l), 0);
	while (!l.done) {
		char *t = scrape();
		consistent(prev, t);
		double ok = moved(s0, t, "ikid_events_total{result=\"ok\"}");
		midway += ok > 0 && ok < total;
		scrapes++;
		free(prev);
		prev = t;
		harness_sleep_ms(5);
	}
	pthread_join(l.thread, NULL);
	ck_assert_int_eq(l.failed, 0);
	char *s1 = scrape();
	consistent(prev, s1);
	printf("check_metrics: %d scrapes during a load of %d submits of %d events, %d of them "
	       "midway; %.0f batches, commit mean %.2f ms\n",
	       scrapes, LOAD_SUBMITS, LOAD_EVENTS, midway, moved(s0, s1, "ikid_batches_total"),
	       1000 * moved(s0, s1, "ikid_commit_seconds_sum") /
		   moved(s0, s1, "ikid_batches_total"));
	ck_assert_msg(midway > 0, "no scrape saw the load under way (%d scrapes)", scrapes);
	ck_assert_int_eq(moved(s0, s1, "ikid_events_total{result=\"ok\"}"), total);
	ck_assert_int_eq(moved(s0, s1, "ikid_events_total{result=\"duplicate\"}"), 0);
	ck_assert_int_eq(sum_family(s1, "ikid_events_refused_total"),
			 sum_family(s0, "ikid_events_refused_total"));
	ck_assert_int_eq(moved(s0, s1, "ikid_requests_total{type=\"submit\"}"), LOAD_SUBMITS);
	/* one submit at a time: one batch each */
	ck_assert_int_eq(moved(s0, s1, "ikid_batches_total"), LOAD_SUBMITS);
	free(s0);
	free(s1);
	free(prev);
}
END_TEST

/* ---- the format, read by another program ---- */

START_TEST(test_read_by_prometheus_client)
{
	char path[300], cmd[600], line[256];
	if (system("/usr/bin/python3 -c 'import prometheus_client' 2>/dev/null") != 0) {
		printf("check_metrics: python3-prometheus-client absent, format check skipped\n");
		return;
	}
	char *t = scrape();
	snprintf(path, sizeof(path), "%s/scrape.txt", d.state);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(t, f);
	fclose(f);
	free(t);
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 -c 'import sys\n"
		 "from prometheus_client.parser import text_string_to_metric_families as p\n"
		 "for f in p(open(sys.argv[1]).read()): print(f.name, f.type, len(f.samples))' %s",
		 path);
	FILE *py = popen(cmd, "r");
	ck_assert_ptr_nonnull(py);
	char got[4096] = "";
	while (fgets(line, sizeof(line), py) && strlen(got) + strlen(line) < sizeof(got))
		strcat(got, line);
	ck_assert_int_eq(pclose(py), 0);
	static const char *const want[] = {
	    "ikid_build_info gauge 1\n",	"ikid_uptime_seconds gauge 1\n",
	    "ikid_requests counter 10\n",	"ikid_events counter 2\n",
	    "ikid_events_refused counter 32\n", "ikid_request_errors counter 32\n",
	    "ikid_batches counter 1\n",		"ikid_commit_seconds histogram 14\n",
	    "ikid_queue_depth gauge 2\n",	"ikid_map_size_bytes gauge 1\n",
	    "ikid_map_used_bytes gauge 1\n",	"ikid_subscribers gauge 1\n",
	    "ikid_publishes counter 1\n",	"ikid_resyncs counter 1\n"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(got, want[i]), "no \"%s\" in:\n%s", want[i], got);
}
END_TEST

/* ---- only GET /metrics ---- */

/* Whether ikid still answers a query over ZeroMQ. */
static void still_serves(void)
{
	struct iki_client *c = client();
	struct proto_value *v = NULL;
	size_t n = 0;
	char msg[PROTO_TEXT_MAX + 1];
	ck_assert_int_eq(
	    iki_query(c, &(struct proto_query){.orgunit = V1, .period = "2022"}, &v, &n, msg), 0);
	free(v);
	iki_client_close(&c);
}

START_TEST(test_other_requests_refused)
{
	char *out;
	ck_assert_int_eq(http("GET /other HTTP/1.0\r\n\r\n", &out), 404);
	free(out);
	ck_assert_int_eq(http("GET / HTTP/1.0\r\n\r\n", &out), 404);
	free(out);
	ck_assert_int_eq(http("POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", &out), 405);
	ck_assert_msg(strstr(out, "\r\nAllow: GET, HEAD\r\n"), "%s", out);
	free(out);
	ck_assert_int_eq(http("DELETE /metrics HTTP/1.0\r\n\r\n", &out), 405);
	free(out);
	ck_assert_int_eq(http("GET /metrics?x=1 HTTP/1.0\r\n\r\n", &out), 200);
	free(out);
	ck_assert_int_eq(http("HEAD /metrics HTTP/1.0\r\n\r\n", &out), 200);
	ck_assert_msg(!strstr(out, "# HELP"), "HEAD answered a body:\n%s", out);
	free(out);
	/* not HTTP, and headers over the memory bound: refused, and ikid goes on */
	int status = http("\x16\x03\x01 hello\r\n\r\n", &out);
	ck_assert_msg(status == 0 || status == 400, "%d: %s", status, out);
	free(out);
	size_t big = 2 * METRICS_MEMORY;
	char *req = malloc(big + 64);
	ck_assert_ptr_nonnull(req);
	strcpy(req, "GET /metrics HTTP/1.0\r\nX-Long: ");
	memset(req + strlen(req), 'a', big);
	strcpy(req + strlen("GET /metrics HTTP/1.0\r\nX-Long: ") + big, "\r\n\r\n");
	status = http(req, &out);
	ck_assert_msg(status == 0 || status == 431 || status == 414 || status == 413, "%d: %.200s",
		      status, out);
	free(out);
	free(req);
	free(scrape());
	still_serves();
}
END_TEST

/* ---- the peers are bounded ---- */


START_TEST(test_connections_bounded)
{
	enum { HELD = 2 * METRICS_CONNECTIONS }; /* the rest wait in the kernel's listen queue */
	int fds[HELD];
	free(scrape());
	harness_sleep_ms(100);
	int before = harness_open_fds(&d);
	for (int i = 0; i < HELD; i++) {
		fds[i] = http_connect();
		ck_assert_msg(fds[i] >= 0, "connection %d refused", i);
		/* half a request line: a connection held open */
		ck_assert_int_eq(send(fds[i], "GET /met", 8, MSG_NOSIGNAL), 8);
	}
	harness_sleep_ms(300);
	int during = harness_open_fds(&d);
	printf("check_metrics: %d idle HTTP connections: ikid holds %d descriptors (%d before; "
	       "bound %d connections)\n",
	       HELD, during, before, METRICS_CONNECTIONS);
	ck_assert_int_le(during - before, METRICS_CONNECTIONS);
	still_serves(); /* ikid's own service does not wait on them */
	/* an idle connection is closed after METRICS_TIMEOUT_S */
	int64_t t0 = now_ms();
	struct pollfd pf = {fds[0], POLLIN, 0};
	char byte;
	ck_assert_int_eq(poll(&pf, 1, (METRICS_TIMEOUT_S + 5) * 1000), 1);
	ck_assert_int_le(recv(fds[0], &byte, 1, 0), 0);
	int64_t waited = now_ms() - t0;
	printf("check_metrics: an idle connection closed after %lld ms\n", (long long)waited);
	ck_assert_int_le(waited, (METRICS_TIMEOUT_S + 2) * 1000);
	for (int i = 0; i < HELD; i++)
		close(fds[i]);
	/* once they are gone, scrapes are served again */
	char *t = NULL;
	for (int64_t until = now_ms() + 10000; now_ms() < until; harness_sleep_ms(100)) {
		int fd = http_connect();
		if (fd < 0)
			continue;
		close(fd);
		t = scrape();
		break;
	}
	ck_assert_ptr_nonnull(t);
	free(t);
	harness_sleep_ms(METRICS_TIMEOUT_S * 1000 / 5);
	ck_assert_int_le(harness_open_fds(&d), before + 1);
}
END_TEST

/* ---- off by default; an address in use ---- */

START_TEST(test_off_by_default_and_in_use)
{
	char path[300], text[512] = "";
	struct ikid plain = {0}, second = {0};
	ck_assert_int_eq(harness_start(&plain, SAMPANG), 0);
	snprintf(path, sizeof(path), "%s/endpoints", plain.state);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(text, 1, sizeof(text) - 1, f), 0);
	fclose(f);
	ck_assert_msg(!strstr(text, "metrics"), "%s", text);
	harness_stop(&plain, SIGTERM);
	harness_cleanup(&plain);

	/* the address the first ikid serves on: the second does not start, and says why */
	printf("check_metrics: a second ikid on %s (the harness says it did not start)\n",
	       metrics_at);
	const char *const extra[] = {"--metrics", metrics_at, NULL};
	ck_assert_int_eq(harness_start_args(&second, SAMPANG, extra), -1);
	if (waitpid(second.pid, NULL, WNOHANG) == 0) /* still running: stop it below */
		harness_stop(&second, SIGKILL);
	second.pid = 0;
	f = fopen(second.log, "r");
	ck_assert_ptr_nonnull(f);
	memset(text, 0, sizeof(text));
	ck_assert_uint_gt(fread(text, 1, sizeof(text) - 1, f), 0);
	fclose(f);
	harness_cleanup(&second);
	ck_assert_msg(strstr(text, "cannot serve the metrics on 127.0.0.1:"), "%s", text);
	free(scrape()); /* the first one serves on */
}
END_TEST

static Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("metrics");
	tcase_add_checked_fixture(tc, start, stop);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_counters_move_by_what_was_sent);
	tcase_add_test(tc, test_scraped_during_a_load);
	tcase_add_test(tc, test_read_by_prometheus_client);
	tcase_add_test(tc, test_other_requests_refused);
	tcase_add_test(tc, test_connections_bounded);
	tcase_add_test(tc, test_off_by_default_and_in_use);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(metrics_suite)
