/* check_live.c: live subscribers (iki_stream, iki watch) against the real ikid: late joins,
 * dropped updates healed by snapshots, heartbeats, the jabatan filter, watch's lines and JSON. */
#include <check.h>
#include <errno.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "iki_client.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"
#define SAMPANG "catalog/sampang-2022.conf"
#define KEC "35.27.03"
#define V1 "35.27.03.2001"
#define V2 "35.27.03.2002"

static struct ikid d;

static void stop_daemon(void)
{
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}

/* Start ikid on catalog with a fresh state and extra arguments (NULL-terminated, or NULL). */
static void start(const char *catalog, const char *const *extra)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start_args(&d, catalog, extra), 0);
}

static struct iki_client *client(void)
{
	struct iki_client_options o = {
	    .request = d.request, .update = d.update, .timeout_ms = 10000};
	struct iki_client *c = NULL;
	ck_assert_int_eq(iki_client_open(&o, &c), 0);
	return c;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- what a subscriber keeps: every value, as the stream's events say ---- */

struct model {
	struct proto_value *v;
	size_t n, cap;
	size_t pending; /* values of the last snapshot still to come */
	size_t resets, updates, heartbeats, stales;
	uint64_t missed;      /* over the RESETs after the first */
	char indicators[512]; /* every indicator an UPDATE carried, " a b c " */
};

static struct proto_value *model_find(struct model *m, const char *ind, const char *ou,
				      const char *period)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->v[i].indicator, ind) && !strcmp(m->v[i].orgunit, ou) &&
		    !strcmp(m->v[i].period, period))
			return &m->v[i];
	return NULL;
}

static void model_put(struct model *m, const struct proto_value *val)
{
	struct proto_value *at = model_find(m, val->indicator, val->orgunit, val->period);
	if (!at) {
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 64;
			m->v = realloc(m->v, m->cap * sizeof(*m->v));
			ck_assert_ptr_nonnull(m->v);
		}
		at = &m->v[m->n++];
	}
	*at = *val;
}

static void model_apply(struct model *m, const struct iki_stream_event *ev)
{
	char word[PROTO_CODE_MAX + 3];
	switch (ev->kind) {
	case IKI_STREAM_RESET:
		ck_assert_int_eq(m->pending, 0);
		m->n = 0;
		m->pending = ev->count;
		m->missed += ev->missed;
		m->resets++;
		break;
	case IKI_STREAM_VALUE:
		ck_assert_uint_gt(m->pending, 0);
		m->pending--;
		model_put(m, &ev->value);
		break;
	case IKI_STREAM_UPDATE:
		ck_assert_int_eq(m->pending, 0);
		model_put(m, &ev->value);
		m->updates++;
		snprintf(word, sizeof(word), " %s ", ev->value.indicator);
		if (!strstr(m->indicators, word) &&
		    strlen(m->indicators) + strlen(word) < sizeof(m->indicators))
			strcat(m->indicators, word + (m->indicators[0] ? 1 : 0));
		break;
	case IKI_STREAM_HEARTBEAT: m->heartbeats++; break;
	case IKI_STREAM_STALE: m->stales++; break;
	}
}

/*
 * Follow the stream until it has applied seq `until` with its snapshot all taken, for at most
 * ms milliseconds; fails the test when it does not get there.
 */
static void model_follow(struct iki_stream *s, struct model *m, uint64_t until, int ms)
{
	struct iki_stream_status st;
	int64_t deadline = now_ms() + ms;
	for (;;) {
		iki_stream_status(s, &st);
		if (st.seq >= until && m->resets > 0 && m->pending == 0)
			return;
		ck_assert_msg(now_ms() < deadline,
			      "stream at seq %llu, want %llu (%zu values pending)",
			      (unsigned long long)st.seq, (unsigned long long)until, m->pending);
		struct iki_stream_event ev;
		int rc = iki_stream_next(s, &ev, 200);
		ck_assert_msg(rc >= 0, "iki_stream_next: %s", iki_strerror(rc));
		if (rc == 1)
			model_apply(m, &ev);
	}
}

/* Read the stream's events for ms milliseconds. */
static void model_listen(struct iki_stream *s, struct model *m, int ms)
{
	int64_t deadline = now_ms() + ms;
	for (int64_t left; (left = deadline - now_ms()) > 0;) {
		struct iki_stream_event ev;
		int rc = iki_stream_next(s, &ev, (int)left);
		ck_assert_int_ge(rc, 0);
		if (rc == 1)
			model_apply(m, &ev);
	}
}

/* ikid's values now (a snapshot narrowed by q, or all), and the seq they are at. */
static uint64_t daemon_values(struct iki_client *c, const struct proto_query *q,
			      struct proto_value **vals, size_t *n)
{
	struct proto_query all = {0};
	uint64_t seq = 0;
	char msg[PROTO_TEXT_MAX + 1];
	ck_assert_int_eq(iki_snapshot(c, q ? q : &all, vals, n, &seq, msg), 0);
	return seq;
}

/* The model holds exactly vals (the same keys, the same figures). */
static void assert_model_is(struct model *m, const struct proto_value *vals, size_t n)
{
	ck_assert_uint_eq(m->n, n);
	for (size_t i = 0; i < n; i++) {
		const struct proto_value *a = &vals[i];
		struct proto_value *b = model_find(m, a->indicator, a->orgunit, a->period);
		ck_assert_msg(b != NULL, "%s %s %s missing", a->indicator, a->orgunit, a->period);
		ck_assert_msg(a->num == b->num && a->den == b->den && a->factor == b->factor &&
				  a->has_capaian == b->has_capaian,
			      "%s %s %s: ikid %lld/%lld, subscriber %lld/%lld", a->indicator,
			      a->orgunit, a->period, (long long)a->num, (long long)a->den,
			      (long long)b->num, (long long)b->den);
	}
}

/* ---- events ---- */

/*
 * n events "add" to surat_masuk or surat_tepat (alternating), ids "<tag>-<first + i>", the two
 * villages in turn, dates spread over 2022: each touches 6 values (village and kecamatan, month,
 * quarter and year).
 */
static void fill(struct proto_event *ev, int n, const char *tag, int first)
{
	for (int i = 0; i < n; i++) {
		int k = first + i, day = (k * 37) % 365, m = 0;
		static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		while (day >= mdays[m])
			day -= mdays[m++];
		memset(&ev[i], 0, sizeof(ev[i]));
		snprintf(ev[i].id, sizeof(ev[i].id), "%s-%d", tag, k);
		snprintf(ev[i].element, sizeof(ev[i].element), "%s",
			 k % 4 < 2 ? "surat_masuk" : "surat_tepat");
		snprintf(ev[i].orgunit, sizeof(ev[i].orgunit), "%s", k % 2 ? V2 : V1);
		char date[32];
		snprintf(date, sizeof(date), "2022-%02d-%02d", m + 1, day + 1);
		memcpy(ev[i].date, date, sizeof(ev[i].date) - 1);
		ev[i].op = PROTO_OP_ADD;
		ev[i].value = 1 + k % 3;
	}
}

/* Submit `batches` submits of `per` events, one at a time (each its own batch in ikid). */
static void submit_many(struct iki_client *c, const char *tag, int batches, int per)
{
	struct proto_event *ev = calloc((size_t)per, sizeof(*ev));
	struct proto_result *res = calloc((size_t)per, sizeof(*res));
	ck_assert(ev && res);
	for (int b = 0; b < batches; b++) {
		fill(ev, per, tag, b * per);
		ck_assert_int_eq(iki_submit(c, ev, (size_t)per, res), 0);
		for (int i = 0; i < per; i++)
			ck_assert_msg(res[i].status == PROTO_STATUS_OK, "%s: %s", ev[i].id,
				      res[i].message);
	}
	free(ev);
	free(res);
}

/* ---- (a) a late joiner ---- */

static const char *const periods[] = {
    "2022",	"2022Q1",   "2022Q2",	"2022Q3",   "2022Q4",	"202201",   "202202",
    "202203",	"202204",   "202205",	"202206",   "202207",	"202208",   "202209",
    "202210",	"202211",   "202212",	"2022Q1SD", "2022Q2SD", "2022Q3SD", "2022Q4SD",
    "202201SD", "202202SD", "202203SD", "202204SD", "202205SD", "202206SD", "202207SD",
    "202208SD", "202209SD", "202210SD", "202211SD", "202212SD"};

/* Every value `iki query --json` gives for (ou, period) agrees with the model; returns how many
 * of them the model holds. */
static size_t assert_query_agrees(struct model *m, const char *ou, const char *period)
{
	char args[128], *out = NULL;
	size_t held = 0;
	snprintf(args, sizeof(args), "query --json --orgunit %s --period %s", ou, period);
	ck_assert_int_eq(harness_iki(&d, args, &out), 0);
	json_object *arr = json_tokener_parse(out), *f;
	ck_assert_msg(arr && json_object_is_type(arr, json_type_array), "%s", out);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		ck_assert(json_object_object_get_ex(v, "indicator", &f));
		const char *ind = json_object_get_string(f);
		ck_assert(json_object_object_get_ex(v, "num", &f));
		int64_t num = json_object_get_int64(f);
		ck_assert(json_object_object_get_ex(v, "den", &f));
		int64_t den = json_object_get_int64(f);
		struct proto_value *mv = model_find(m, ind, ou, period);
		ck_assert_msg(mv || (num == 0 && den == 0), "%s %s %s: query %lld/%lld, not held",
			      ind, ou, period, (long long)num, (long long)den);
		ck_assert_msg(!mv || (mv->num == num && mv->den == den),
			      "%s %s %s: query %lld/%lld, subscriber %lld/%lld", ind, ou, period,
			      (long long)num, (long long)den, (long long)mv->num,
			      (long long)mv->den);
		held += mv != NULL;
	}
	json_object_put(arr);
	free(out);
	return held;
}

START_TEST(test_live_late_joiner_sees_what_query_sees)
{
	struct iki_client *c = client();
	struct iki_stream *s = NULL;
	struct model m = {0};
	submit_many(c, "late", 30, 100); /* 3000 events, 30 batches */
	/* libiki follows the pages of a long answer: ikid sends a value's history 1000 at a time */
	struct proto_query hq = {.indicator = "surat", .period = "2022"};
	struct proto_stored *hist = NULL;
	size_t n_hist = 0;
	char msg[256];
	ck_assert_int_eq(iki_history_value(c, &hq, &hist, &n_hist, msg), 0);
	ck_assert_uint_eq(n_hist, 3000);
	ck_assert_str_ne(hist[0].ev.id, hist[1000].ev.id);
	ck_assert_str_ne(hist[999].ev.id, hist[2999].ev.id);
	free(hist);
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
	ck_assert_int_eq(iki_stream_open(c, NULL, NULL, &s, NULL), 0);
	struct iki_stream_event ev;
	ck_assert_int_eq(iki_stream_next(s, &ev, 1000), 1);
	ck_assert_int_eq(ev.kind, IKI_STREAM_RESET);
	ck_assert_uint_gt(ev.count, 50);
	ck_assert_uint_eq(ev.missed, 0);
	model_apply(&m, &ev);
	model_follow(s, &m, ev.seq, 5000);
	size_t held = 0;
	const char *ous[] = {KEC, V1, V2};
	for (size_t o = 0; o < 3; o++)
		for (size_t p = 0; p < sizeof(periods) / sizeof(periods[0]); p++)
			held += assert_query_agrees(&m, ous[o], periods[p]);
	ck_assert_uint_eq(held, m.n); /* every value held was checked */
	ck_assert_uint_eq(iki_stream_resyncs(s), 0);
	iki_stream_close(&s);
	iki_client_close(&c);
	free(m.v);
}
END_TEST

/* ---- (b) drops healed by snapshots ---- */

START_TEST(test_live_dropped_updates_heal_to_the_daemons_state)
{
	struct iki_client *c = client();
	struct iki_stream *s = NULL;
	struct iki_stream_options so = {.heartbeat_ms = 100, .rcvhwm = 1};
	struct model m = {0};
	struct proto_value *vals = NULL;
	size_t n = 0;
	ck_assert_int_eq(iki_stream_open(c, NULL, &so, &s, NULL), 0);
	/* First make sure the subscription has reached ikid (a SUB joins late, and what goes
	 * before it is lost too): until an update arrives as such. */
	for (int i = 0; m.updates == 0; i++) {
		char tag[16];
		ck_assert_int_lt(i, 50);
		snprintf(tag, sizeof(tag), "warm%d", i);
		submit_many(c, tag, 1, 1);
		model_follow(s, &m, daemon_values(c, NULL, &vals, &n), 5000);
		free(vals);
	}
	struct iki_stream_status st;
	iki_stream_status(s, &st);
	uint64_t resyncs = st.resyncs, applied = m.updates, missed = m.missed, seq0 = st.seq;
	/* Then read nothing while ikid publishes: 1500 batches of 8 events, each batch about 30
	 * updates, through a PUB queue of 1 and our queue of 1. */
	submit_many(c, "drop", 1500, 8);
	harness_sleep_ms(300);
	uint64_t seq = daemon_values(c, NULL, &vals, &n);
	ck_assert_uint_ge(seq, 20000);
	model_follow(s, &m, seq, 30000);
	ck_assert_uint_gt(iki_stream_resyncs(s), resyncs);
	ck_assert_uint_gt(m.missed, missed);
	assert_model_is(&m, vals, n);
	iki_stream_status(s, &st);
	fprintf(
	    stderr,
	    "check_live: stalled: %llu updates published; the subscriber applied %zu one by one, "
	    "saw gaps of %llu in all, resynchronised %llu times, and ends with ikid's %zu "
	    "values\n",
	    (unsigned long long)(seq - seq0), m.updates - applied,
	    (unsigned long long)(st.missed - missed), (unsigned long long)(st.resyncs - resyncs),
	    n);
	free(vals);

	/* A slow reader: a few events after each batch, while ikid publishes 500 more batches. */
	resyncs = st.resyncs;
	applied = m.updates;
	missed = m.missed;
	for (int b = 0; b < 500; b++) {
		char tag[16];
		struct iki_stream_event ev;
		snprintf(tag, sizeof(tag), "slow%d", b);
		submit_many(c, tag, 1, 8);
		for (int i = 0; i < 5 && iki_stream_next(s, &ev, 0) == 1; i++)
			model_apply(&m, &ev);
	}
	uint64_t seq2 = daemon_values(c, NULL, &vals, &n);
	model_follow(s, &m, seq2, 30000);
	assert_model_is(&m, vals, n);
	iki_stream_status(s, &st);
	ck_assert_uint_gt(st.resyncs, resyncs);
	ck_assert_uint_eq(st.resyncs, m.resets - 1);
	ck_assert_uint_eq(st.missed, m.missed);
	fprintf(stderr,
		"check_live: slow: %llu updates published; the subscriber applied %zu one by one, "
		"saw gaps of %llu in all, resynchronised %llu times, and ends with ikid's %zu "
		"values\n",
		(unsigned long long)(seq2 - seq), m.updates - applied,
		(unsigned long long)(st.missed - missed),
		(unsigned long long)(st.resyncs - resyncs), n);
	free(vals);
	iki_stream_close(&s);
	iki_client_close(&c);
	free(m.v);
}
END_TEST

/* ---- (c) heartbeats ---- */

START_TEST(test_live_heartbeats_arrive_when_idle)
{
	struct iki_client *c = client();
	struct iki_stream *s = NULL;
	struct iki_stream_options so = {.heartbeat_ms = 100};
	struct model m = {0};
	struct iki_stream_status st;
	ck_assert_int_eq(iki_stream_open(c, NULL, &so, &s, NULL), 0);
	model_listen(s, &m, 1000);
	ck_assert_uint_ge(m.heartbeats, 5); /* about 10 */
	ck_assert_uint_eq(m.stales, 0);
	iki_stream_status(s, &st);
	ck_assert_int_ge(st.heartbeat_age_ms, 0);
	ck_assert_int_lt(st.heartbeat_age_ms, 250);
	ck_assert(!st.stale);
	iki_stream_close(&s);
	iki_client_close(&c);
}
END_TEST

/*
 * A subscriber that missed the last updates before a quiet spell hears of it from a heartbeat.
 * Here ikid stops, another ikid on the same state (other ports, nobody subscribed) takes
 * events, and ikid comes back on the first endpoints: the stream goes stale while nobody
 * publishes, then hears a heartbeat ahead of its seq, and resynchronises.
 */
START_TEST(test_live_heartbeat_ahead_of_seq_resyncs)
{
	struct iki_client *c = client();
	struct iki_stream *s = NULL;
	struct iki_stream_options so = {.heartbeat_ms = 100};
	struct model m = {0};
	struct proto_value *vals = NULL;
	size_t n = 0;
	ck_assert_int_eq(iki_stream_open(c, NULL, &so, &s, NULL), 0);
	submit_many(c, "hb1", 1, 4);
	model_follow(s, &m, daemon_values(c, NULL, &vals, &n), 5000);
	free(vals);
	uint64_t before = m.resets;
	ck_assert_int_eq(iki_stream_resyncs(s), 0);

	struct ikid other = d, back = d;
	ck_assert_int_eq(harness_stop(&d, SIGTERM), 0);
	ck_assert_int_eq(harness_start(&other, MINI), 0);
	struct iki_client_options oo = {.request = other.request, .timeout_ms = 10000};
	struct iki_client *oc = NULL;
	ck_assert_int_eq(iki_client_open(&oo, &oc), 0);
	submit_many(oc, "hb2", 3, 4);
	iki_client_close(&oc);
	ck_assert_int_eq(harness_stop(&other, SIGTERM), 0);
	model_listen(s, &m, 400);
	ck_assert_uint_eq(m.stales, 1); /* silence for 3 heartbeat intervals */

	const char *again[] = {"-l",  back.request, "-p", back.update, "--heartbeat-ms",
			       "100", NULL};
	ck_assert_int_eq(harness_start_args(&back, MINI, again), 0);
	d = back;
	uint64_t seq = daemon_values(c, NULL, &vals, &n);
	model_follow(s, &m, seq, 5000);
	ck_assert_uint_eq(iki_stream_resyncs(s), 1);
	ck_assert_uint_eq(m.resets, before + 1);
	ck_assert_uint_gt(m.missed, 0);
	ck_assert_uint_gt(m.heartbeats, 0);
	assert_model_is(&m, vals, n);
	free(vals);
	iki_stream_close(&s);
	iki_client_close(&c);
	free(m.v);
}
END_TEST

/* ---- (d) jabatan ---- */

START_TEST(test_live_jabatan_filter_shows_only_its_indicators)
{
	struct iki_client *c = client();
	struct iki_stream *s = NULL, *late = NULL;
	struct proto_query q = {.jabatan = "kasubbag umum dan kepegawaian"}; /* any case */
	struct model m = {0}, ml = {0};
	struct proto_value *vals = NULL;
	size_t n = 0, want = 0;
	char msg[PROTO_TEXT_MAX + 1];
	static const char *const mine = " iki05 iki06 iki07 iki08 iki09 iki10 iki11 ";
	ck_assert_int_eq(iki_stream_open(c, &q, NULL, &s, msg), 0);
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/sampang-2022-03.csv", NULL), 0);
	model_follow(s, &m, daemon_values(c, NULL, &vals, &n), 10000);
	ck_assert_uint_gt(m.updates, 0);
	for (size_t i = 0; i < m.n; i++) {
		char word[64];
		snprintf(word, sizeof(word), " %s ", m.v[i].indicator);
		ck_assert_msg(strstr(mine, word), "%s is not Kasubbag Umpeg's", m.v[i].indicator);
	}
	ck_assert_ptr_nonnull(strstr(m.indicators, "iki06")); /* letters moved */
	for (size_t i = 0; i < n; i++) { /* the full snapshot: only these are the jabatan's */
		char word[64];
		snprintf(word, sizeof(word), " %s ", vals[i].indicator);
		want += strstr(mine, word) != NULL;
	}
	ck_assert_uint_eq(m.n, want);
	free(vals);
	/* A late joiner with the same filter starts from the same values. */
	ck_assert_int_eq(iki_stream_open(c, &q, NULL, &late, msg), 0);
	model_follow(late, &ml, 0, 5000);
	ck_assert_uint_eq(ml.n, want);
	ck_assert_uint_eq(ml.resets, 1);
	/* A position nobody holds: refused, with ikid's sentence. */
	struct iki_stream *none = NULL;
	snprintf(q.jabatan, sizeof(q.jabatan), "Juru Parkir");
	ck_assert_int_eq(iki_stream_open(c, &q, NULL, &none, msg), IKI_EINDICATOR);
	ck_assert_ptr_null(none);
	ck_assert_str_ne(msg, "");
	iki_stream_close(&late);
	iki_stream_close(&s);
	iki_client_close(&c);
	free(m.v);
	free(ml.v);
}
END_TEST

/* ---- (e) iki watch without a terminal ---- */

/* Start `iki watch ARGS` with its stdout on a pipe we read; *pid to stop it. */
static FILE *watch_start(const char *args, pid_t *pid)
{
	char bin[256], cmd[1024];
	int fd[2];
	harness_bin("iki", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "exec %s -s %s -u %s watch %s", bin, d.request, d.update, args);
	ck_assert_int_eq(pipe(fd), 0);
	*pid = fork();
	ck_assert_int_ge(*pid, 0);
	if (*pid == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	FILE *f = fdopen(fd[0], "r");
	ck_assert_ptr_nonnull(f);
	return f;
}

/* Stop a watch with SIGTERM: it must end cleanly, with status 0. */
static void watch_stop(FILE *f, pid_t pid)
{
	int st;
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "watch ended with status %d", st);
	fclose(f);
}

/* Read lines until one contains want (true) or 10 s pass; each line is checked by ok. */
static bool watch_until(FILE *f, const char *want, void (*ok)(const char *line))
{
	char line[1024];
	alarm(10); /* a read that never returns fails the test (SIGALRM) */
	while (fgets(line, sizeof(line), f)) {
		ck_assert_ptr_null(strchr(line, '\x1b')); /* no terminal codes on a pipe */
		ok(line);
		if (strstr(line, want)) {
			alarm(0);
			return true;
		}
	}
	alarm(0);
	return false;
}

static void json_line_ok(const char *line)
{
	json_object *o = json_tokener_parse(line), *f;
	ck_assert_msg(o && json_object_is_type(o, json_type_object), "not JSON: %s", line);
	ck_assert(json_object_object_get_ex(o, "indicator", &f));
	ck_assert_str_eq(json_object_get_string(f), "surat");
	ck_assert(json_object_object_get_ex(o, "seq", &f));
	ck_assert(json_object_object_get_ex(o, "num", &f));
	json_object_put(o);
}

static void plain_line_ok(const char *line)
{
	char ind[64], ou[32], period[16];
	long long num, den;
	ck_assert_msg(sscanf(line, "%63s %31s %15s %lld/%lld", ind, ou, period, &num, &den) == 5,
		      "not a value line: %s", line);
	ck_assert_str_eq(ind, "surat"); /* the only indicator of Kasubbag Umum in mini.conf */
}

START_TEST(test_live_watch_prints_json_and_plain_lines_on_a_pipe)
{
	pid_t pid;
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
	FILE *f = watch_start("--json --indicator surat --orgunit " V2, &pid);
	/* The snapshot first (surat V2 March: 5/5), then what we submit now. */
	ck_assert(watch_until(f, "\"period\":\"202203\",\"num\":5,\"den\":5", json_line_ok));
	ck_assert_int_eq(harness_iki(&d,
				     "submit --id w1 --element surat_masuk --orgunit " V2
				     " --date 2022-03-09 --value 3",
				     NULL),
			 0);
	ck_assert(watch_until(f, "\"period\":\"2022\",\"num\":5,\"den\":8", json_line_ok));
	watch_stop(f, pid);

	f = watch_start("--plain --jabatan 'Kasubbag Umum' --period 2022Q1", &pid);
	ck_assert(watch_until(f, "5/8", plain_line_ok)); /* the snapshot: V2 */
	ck_assert_int_eq(harness_iki(&d,
				     "submit --id w2 --element surat_tepat --orgunit " V2
				     " --date 2022-03-10 --value 2",
				     NULL),
			 0);
	ck_assert(watch_until(f, "15/18", plain_line_ok)); /* the kecamatan, 13+2 of 15+3 */
	watch_stop(f, pid);
}
END_TEST

START_TEST(test_live_watch_refuses_what_it_cannot_show)
{
	char *out = NULL;
	ck_assert_int_eq(harness_iki(&d, "watch --json --plain 2>&1", &out), 2);
	free(out);
	ck_assert_int_eq(harness_iki(&d, "watch --jabatan 'Juru Parkir' 2>&1", &out), 1);
	ck_assert_msg(strstr(out, "unknown_indicator"), "%s", out);
	free(out);
	ck_assert_int_eq(harness_iki(&d, "watch --help", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "--jabatan"));
	ck_assert_ptr_nonnull(strstr(out, "--plain"));
	free(out);
}
END_TEST

static void start_mini(void)
{
	start(MINI, NULL);
}

static void start_mini_fast(void)
{
	static const char *const extra[] = {"--heartbeat-ms", "100", NULL};
	start(MINI, extra);
}

static void start_mini_tiny_hwm(void)
{
	static const char *const extra[] = {"--heartbeat-ms", "100", "--pub-hwm", "1", NULL};
	start(MINI, extra);
}

static void start_sampang(void)
{
	start(SAMPANG, NULL);
}

static TCase *tcase(const char *name, void (*setup)(void), int timeout)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, stop_daemon);
	tcase_set_timeout(tc, timeout);
	return tc;
}

static Suite *live_suite(void)
{
	Suite *s = suite_create("live");
	TCase *tc = tcase("late", start_mini, 120);
	tcase_add_test(tc, test_live_late_joiner_sees_what_query_sees);
	tcase_add_test(tc, test_live_watch_prints_json_and_plain_lines_on_a_pipe);
	tcase_add_test(tc, test_live_watch_refuses_what_it_cannot_show);
	suite_add_tcase(s, tc);
	tc = tcase("drops", start_mini_tiny_hwm, 180);
	tcase_add_test(tc, test_live_dropped_updates_heal_to_the_daemons_state);
	suite_add_tcase(s, tc);
	tc = tcase("heartbeat", start_mini_fast, 60);
	tcase_add_test(tc, test_live_heartbeats_arrive_when_idle);
	tcase_add_test(tc, test_live_heartbeat_ahead_of_seq_resyncs);
	suite_add_tcase(s, tc);
	tc = tcase("jabatan", start_sampang, 60);
	tcase_add_test(tc, test_live_jabatan_filter_shows_only_its_indicators);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(live_suite)
