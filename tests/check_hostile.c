/* check_hostile.c: the hostile corpus of tests/hostile/ (made by make_corpus.py, listed in
 * EXPECT): each message through the decoder, then at the real ikid, which must answer each with
 * its documented code and sentence, store nothing, and go on serving everyone else. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "harness.h"
#include "iki.h"
#include "proto.h"
#include "suite.h"

#define CORPUS "tests/hostile/"
#define MAX_ENTRIES 1024

struct entry {
	char file[64];
	char decode[32]; /* "ok" or a code name */
	char reply[48];  /* "error:<code>", "event:<code>" or "reply:<type>" */
	char field[16];  /* event:bad_field: the field named; else "-" */
};

static struct entry entries[MAX_ENTRIES];
static int n_entries;

static void load_manifest(void)
{
	FILE *f = fopen(CORPUS "EXPECT", "r");
	char line[256];
	ck_assert_msg(f != NULL, "no " CORPUS "EXPECT");
	n_entries = 0;
	while (fgets(line, sizeof(line), f)) {
		struct entry *e = &entries[n_entries];
		if (line[0] == '#' || sscanf(line, "%63s %31s %47s %15s", e->file, e->decode, e->reply,
					     e->field) != 4)
			continue;
		ck_assert_int_lt(++n_entries, MAX_ENTRIES);
	}
	fclose(f);
	ck_assert_int_ge(n_entries, 300);
}

/* The bytes of a corpus file (malloc'd; *n its length). */
static char *slurp(const char *file, size_t *n)
{
	char path[128];
	snprintf(path, sizeof(path), CORPUS "%s", file);
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s", path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)len + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

static const char *code_or_ok(int rc)
{
	return rc == 0 ? "ok" : iki_code_name(rc);
}

/* What comes after "error:", "event:" or "reply:". */
static const char *reply_arg(const struct entry *e)
{
	return strchr(e->reply, ':') + 1;
}

/* A decoded submit's events are refused each as the manifest says: bad_field (naming the field)
 * by the decoder itself, anything else later, by ikid. */
static void assert_events(const struct entry *e, const struct proto_msg *m)
{
	bool field = !strcmp(reply_arg(e), "bad_field");
	for (size_t j = 0; j < m->n_events; j++) {
		const struct proto_event *ev = &m->events[j];
		if (field)
			ck_assert_msg(ev->err == IKI_EFIELD && !strcmp(ev->err_field, e->field),
				      "%s: event %zu: err %s on '%s', want bad_field on '%s'", e->file,
				      j, code_or_ok(ev->err), ev->err_field, e->field);
		else
			ck_assert_msg(ev->err == 0, "%s: event %zu: %s on '%s'", e->file, j,
				      code_or_ok(ev->err), ev->err_field);
	}
}

START_TEST(test_every_hostile_message_decodes_to_its_documented_code)
{
	load_manifest();
	for (int i = 0; i < n_entries; i++) {
		const struct entry *e = &entries[i];
		size_t n;
		char *buf = slurp(e->file, &n);
		struct proto_msg m;
		int rc = proto_decode(buf, n, &m);
		ck_assert_msg(!strcmp(code_or_ok(rc), e->decode), "%s: decoded as %s, want %s", e->file,
			      code_or_ok(rc), e->decode);
		if (rc == 0 && !strncmp(e->reply, "event:", 6)) {
			ck_assert_msg(m.type == PROTO_SUBMIT && m.n_events > 0, "%s: no events", e->file);
			assert_events(e, &m);
		}
		if (rc < 0) /* a refusal owns nothing */
			ck_assert(!m.events && !m.values && !m.results && !m.n_events);
		proto_msg_clear(&m);
		free(buf);
	}
}
END_TEST

/* ---- messages too large to commit, made here ---- */

/*
 * A query (refused: bad_period) of 3 + n + extra_pairs keys: "v", "type", "period", then n
 * distinct unknown keys "k000000"... each with nil, then the extra pairs' bytes. Fills *len;
 * malloc'd.
 */
static char *many_keys(uint32_t n, const char *extra, size_t extra_len, uint32_t extra_pairs,
		       size_t *len)
{
	char *buf = malloc(64 + (size_t)n * 9 + extra_len), *p = buf;
	uint32_t pairs = 3 + n + extra_pairs;
	p += sprintf(p, "\xdf%c%c%c%c", pairs >> 24, (pairs >> 16) & 0xff, (pairs >> 8) & 0xff,
		     pairs & 0xff);
	p += sprintf(p, "\xa1v\x01\xa4type\xa5query\xa6period\xa6" "2022Q5");
	for (uint32_t i = 0; i < n; i++)
		p += sprintf(p, "\xa7k%06u\xc0", i % 1000000);
	memcpy(p, extra, extra_len);
	*len = (size_t)(p - buf) + extra_len;
	return buf;
}

#define MANY 420000 /* keys: a message of 3.8 MiB, just under PROTO_MSG_MAX */

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Duplicate keys are found in a map of any size, quickly: pairwise it took minutes. */
START_TEST(test_a_map_of_400000_keys_decodes_in_moments)
{
	size_t n;
	struct proto_msg m;
	struct timespec t0;
	char *ok = many_keys(MANY, "", 0, 0, &n);
	ck_assert_uint_lt(n, PROTO_MSG_MAX);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(proto_decode(ok, n, &m), 0); /* unknown keys are ignored */
	ck_assert_str_eq(m.query.period, "2022Q5");
	proto_msg_clear(&m);
	char *dup = many_keys(MANY, "\xa7k000017\x01", 9, 1, &n);
	ck_assert_int_eq(proto_decode(dup, n, &m), IKI_EMALFORMED);
	char *empty = many_keys(MANY, "\xa0\x01\xa0\x02", 4, 2, &n);
	ck_assert_int_eq(proto_decode(empty, n, &m), IKI_EMALFORMED);
	ck_assert_msg(seconds_since(&t0) < 10, "three decodes took %.1f s", seconds_since(&t0));
	free(ok);
	free(dup);
	free(empty);
}
END_TEST

/* ---- against the real ikid ---- */

static struct ikid d;
static void *ctx;
static void *served; /* a well-behaved client's connection */

static void *dealer(int timeout_ms)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0;
	int64_t max = -1; /* ours takes anything: the limits under test are ikid's */
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &max, sizeof(max));
	ck_assert_int_eq(zmq_connect(s, d.request), 0);
	return s;
}

static void start(void)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, "tests/data/mini.conf"), 0);
	ctx = zmq_ctx_new();
	served = dealer(10000);
}

static void stop(void)
{
	zmq_close(served);
	zmq_ctx_term(ctx);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}

/* Send bytes, wait for one reply; 1 and *r decoded, or 0 when none came in time. */
static int exchange(void *s, const void *buf, size_t len, struct proto_msg *r)
{
	zmq_msg_t in;
	ck_assert_int_eq(zmq_send(s, buf, len, 0), (int)len);
	zmq_msg_init(&in);
	int n = zmq_msg_recv(&in, s, 0);
	if (n >= 0)
		ck_assert_int_eq(proto_decode(zmq_msg_data(&in), zmq_msg_size(&in), r), 0);
	zmq_msg_close(&in);
	return n >= 0;
}

/* A query of 2022 at the kecamatan: every indicator's value; den the events counted (num, den). */
static void query_year(struct proto_msg *r)
{
	static const char query[] = "\x84\xa1v\x01\xa4type\xa5query\xa3req\x09\xa6period\xa4" "2022";
	ck_assert_msg(exchange(served, query, sizeof(query) - 1, r), "ikid stopped answering");
	ck_assert_int_eq(r->type, PROTO_VALUES);
	ck_assert_uint_eq(r->req, 9);
	ck_assert_uint_gt(r->n_values, 0);
}

/* The well-behaved client is still served, and nothing was ever stored. */
static void assert_serving(const char *after)
{
	struct proto_msg r;
	query_year(&r);
	for (size_t i = 0; i < r.n_values; i++)
		ck_assert_msg(r.values[i].num == 0 && r.values[i].den == 0, "after %s: %s holds %lld/%lld",
			      after, r.values[i].indicator, (long long)r.values[i].num,
			      (long long)r.values[i].den);
	proto_msg_clear(&r);
}

/* The sentence of a code, first in every message that carries it (a detail may follow), or the
 * one sentence of its own a code has where the general one would mislead (PROTOCOL.md). */
static void assert_sentence(const char *file, int code, const char *message)
{
	static const struct {
		int code;
		const char *start;
	} own[] = {
		{IKI_EVALUE, "Nilai "},			       /* "... belum diisi": no value given */
		{IKI_EINDICATOR, "Jabatan itu tidak ada "},	       /* a query by jabatan */
		{IKI_EREF, "Tidak ada kejadian tersimpan dengan ID"}, /* a history by id */
		{IKI_EPERIOD, "Periode s.d. (sejak 1 Januari) tidak "}, /* a lock or a target */
		/* the rest of daemon/reply.c's table (check_words drives each pair) */
		{IKI_EINDICATOR, "Kode indikator tidak ada di katalog; lihat daftarnya "},
		{IKI_EORGUNIT, "Kode desa/kelurahan tidak dikenal; lihat daftarnya "},
		{IKI_EFIELD, "Penanda halaman (after) tidak dikenal"},
		{IKI_EPERIOD, "Periode yang dikunci ialah "},
		{IKI_EPERIOD, "Target ditetapkan untuk tahun atau triwulan"},
		{IKI_EVALUE, "Target ialah persentase "},
		{IKI_EFORBIDDEN, "Hanya kunci admin "},
		{IKI_EFORBIDDEN, "Kunci Anda hanya untuk melihat data"},
		{IKI_EFORBIDDEN, "Kunci Anda tidak lagi terdaftar"},
	};
	const char *s = iki_strerror(code);
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (code == own[i].code && !strncmp(message, own[i].start, strlen(own[i].start)))
			return;
	ck_assert_msg(s[0] && !strncmp(message, s, strlen(s)), "%s: message '%s', want '%s...'", file,
		      message, s);
}

static void assert_event_results(const struct entry *e, const struct proto_msg *r)
{
	const char *want = reply_arg(e);
	ck_assert_msg(r->type == PROTO_SUBMITTED && r->n_results > 0, "%s: %s %s", e->file,
		      proto_type_name(r->type), r->type == PROTO_ERROR ? iki_code_name(r->code) : "");
	for (size_t j = 0; j < r->n_results; j++) {
		const struct proto_result *x = &r->results[j];
		char kolom[32];
		ck_assert_msg(x->status == PROTO_STATUS_ERROR && !strcmp(iki_code_name(x->code), want),
			      "%s: event %zu: %s, want %s", e->file, j, iki_code_name(x->code), want);
		assert_sentence(e->file, x->code, x->message);
		snprintf(kolom, sizeof(kolom), "kolom '%s'", e->field);
		ck_assert_msg(strcmp(want, "bad_field") || strstr(x->message, kolom),
			      "%s: '%s' does not name %s", e->file, x->message, kolom);
	}
}

/* ikid's answer to one corpus message, as the manifest says; req as the decoder read it. */
static void assert_reply(const struct entry *e, const void *buf, size_t n,
			 const struct proto_msg *r)
{
	struct proto_msg m;
	const char *want = reply_arg(e);
	proto_decode(buf, n, &m);
	ck_assert_msg(r->req == m.req, "%s: req %llu, want %llu", e->file,
		      (unsigned long long)r->req, (unsigned long long)m.req);
	proto_msg_clear(&m);
	if (!strncmp(e->reply, "error:", 6)) {
		ck_assert_msg(r->type == PROTO_ERROR && !strcmp(iki_code_name(r->code), want),
			      "%s: %s %s, want error %s", e->file, proto_type_name(r->type),
			      iki_code_name(r->code), want);
		assert_sentence(e->file, r->code, r->message);
	} else if (!strncmp(e->reply, "event:", 6)) {
		assert_event_results(e, r);
	} else {
		ck_assert_msg(!strcmp(proto_type_name(r->type), want), "%s: %s, want %s", e->file,
			      proto_type_name(r->type), want);
	}
}

START_TEST(test_ikid_answers_each_with_its_code_and_serves_on)
{
	load_manifest();
	void *s = dealer(10000); /* one connection for all: ikid keeps it open after each refusal */
	for (int i = 0; i < n_entries; i++) {
		size_t n;
		char *buf = slurp(entries[i].file, &n);
		struct proto_msg r;
		ck_assert_msg(exchange(s, buf, n, &r), "%s: no reply", entries[i].file);
		assert_reply(&entries[i], buf, n, &r);
		proto_msg_clear(&r);
		free(buf);
		assert_serving(entries[i].file);
	}
	zmq_close(s);
	ck_assert_int_eq(kill(d.pid, 0), 0);

	/* what iki itself shows: no data anywhere */
	char *out = NULL;
	ck_assert_int_eq(harness_iki(&d, "query --period 2022 --orgunit 35.27.03.2001", &out), 0);
	ck_assert_msg(out && strstr(out, "tidak ada data") && !strstr(out, "%"), "%s", out);
	free(out);
	/* and the check above can fail: one good event is counted */
	ck_assert_int_eq(harness_iki(&d, "submit --id good-1 --element surat_masuk --orgunit "
					 "35.27.03.2001 --date 2022-03-10 --value 3", NULL), 0);
	struct proto_msg r;
	query_year(&r);
	bool counted = false;
	for (size_t i = 0; i < r.n_values; i++)
		counted |= !strcmp(r.values[i].indicator, "surat") && r.values[i].den == 3;
	proto_msg_clear(&r);
	ck_assert_msg(counted, "a good event after the corpus was not counted");
}
END_TEST

/* Whether the socket watched by monitor (a PAIR on its zmq_socket_monitor) saw its connection
 * dropped within timeout_ms. */
static bool disconnected(void *monitor, int timeout_ms)
{
	zmq_msg_t ev;
	bool seen = false;
	zmq_setsockopt(monitor, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	zmq_msg_init(&ev);
	while (!seen && zmq_msg_recv(&ev, monitor, 0) >= 0) {
		uint16_t id = 0; /* frame 1: event id (uint16) and value; frame 2: the endpoint */
		if (zmq_msg_size(&ev) >= 2)
			memcpy(&id, zmq_msg_data(&ev), 2);
		seen = id == ZMQ_EVENT_DISCONNECTED;
		zmq_msg_recv(&ev, monitor, 0);
	}
	zmq_msg_close(&ev);
	return seen;
}

START_TEST(test_an_oversized_message_drops_only_its_connection)
{
	size_t n = PROTO_MSG_MAX + 1;
	char *big = calloc(1, n);
	struct proto_msg r;
	void *s = dealer(1500);
	void *monitor = zmq_socket(ctx, ZMQ_PAIR);
	int linger = 0;
	zmq_setsockopt(monitor, ZMQ_LINGER, &linger, sizeof(linger));
	ck_assert_int_eq(zmq_socket_monitor(s, "inproc://oversized", ZMQ_EVENT_DISCONNECTED), 0);
	ck_assert_int_eq(zmq_connect(monitor, "inproc://oversized"), 0);
	big[0] = '\x81'; /* whatever it holds: ZMQ_MAXMSGSIZE refuses it before a byte is read */
	ck_assert_msg(!exchange(s, big, n, &r), "an answer to a message over 4 MiB");
	ck_assert_msg(disconnected(monitor, 5000), "ikid kept the connection of a message over 4 MiB");
	zmq_socket_monitor(s, NULL, 0);
	zmq_close(monitor);
	zmq_close(s);
	free(big);
	ck_assert_int_eq(kill(d.pid, 0), 0);
	assert_serving("a message over 4 MiB");
}
END_TEST

/* 420000 unknown keys in one message: answered at once, and ikid's one writer stays free. */
START_TEST(test_a_map_of_400000_keys_is_answered_at_once)
{
	size_t n;
	struct proto_msg r;
	struct timespec t0;
	void *s = dealer(20000);
	char *buf = many_keys(MANY, "", 0, 0, &n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_msg(exchange(s, buf, n, &r), "no reply to 420000 keys");
	ck_assert_int_eq(r.type, PROTO_ERROR);
	ck_assert_str_eq(iki_code_name(r.code), "bad_period");
	proto_msg_clear(&r);
	free(buf);
	buf = many_keys(MANY, "\xa7k000017\x01", 9, 1, &n);
	ck_assert_msg(exchange(s, buf, n, &r), "no reply to a duplicate key among 420000");
	ck_assert_str_eq(iki_code_name(r.code), "malformed");
	proto_msg_clear(&r);
	free(buf);
	ck_assert_msg(seconds_since(&t0) < 10, "two replies took %.1f s", seconds_since(&t0));
	zmq_close(s);
	assert_serving("420000 keys");
}
END_TEST

/* Frames other than [body] or ["", body]: malformed, req 0, and the connection stays usable. */
START_TEST(test_bad_frame_layouts_are_malformed)
{
	static const char query[] = "\x84\xa1v\x01\xa4type\xa5query\xa3req\x05\xa6period\xa6" "2022Q5";
	static const char *const layouts[][3] = {
		{"x", query, NULL}, {"", "", query}, {query, query, query}, {"", NULL, NULL},
	};
	void *s = dealer(5000);
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		int frames = 0;
		while (frames < 3 && layouts[i][frames])
			frames++;
		for (int f = 0; f < frames; f++) {
			const char *b = layouts[i][f];
			size_t len = b == query ? sizeof(query) - 1 : strlen(b);
			ck_assert_int_eq(zmq_send(s, b, len, f < frames - 1 ? ZMQ_SNDMORE : 0), (int)len);
		}
		zmq_msg_t in;
		int more = 1;
		size_t sz = sizeof(more), parts = 0;
		struct proto_msg r = {0};
		zmq_msg_init(&in);
		while (more && zmq_msg_recv(&in, s, 0) >= 0) { /* the last frame is the reply */
			parts++;
			zmq_getsockopt(s, ZMQ_RCVMORE, &more, &sz);
			if (!more)
				ck_assert_int_eq(proto_decode(zmq_msg_data(&in), zmq_msg_size(&in), &r), 0);
		}
		zmq_msg_close(&in);
		ck_assert_msg(parts > 0 && !more, "layout %zu: no reply", i);
		ck_assert_msg(r.type == PROTO_ERROR && r.code == IKI_EMALFORMED && r.req == 0,
			      "layout %zu: %s %s req %llu", i, proto_type_name(r.type),
			      iki_code_name(r.code), (unsigned long long)r.req);
		proto_msg_clear(&r);
	}
	struct proto_msg r; /* the same connection is still answered */
	ck_assert(exchange(s, query, sizeof(query) - 1, &r));
	ck_assert_str_eq(iki_code_name(r.code), "bad_period");
	ck_assert_uint_eq(r.req, 5);
	proto_msg_clear(&r);
	zmq_close(s);
	assert_serving("bad frame layouts");
}
END_TEST

/* Many hostile messages from several clients at once. */
START_TEST(test_a_flood_of_hostile_messages_leaves_ikid_serving)
{
	load_manifest();
	enum { CLIENTS = 4, ROUNDS = 5 };
	void *s[CLIENTS];
	int want[CLIENTS] = {0};
	for (int c = 0; c < CLIENTS; c++)
		s[c] = dealer(20000);
	for (int round = 0; round < ROUNDS; round++)
		for (int i = 0; i < n_entries; i++) {
			size_t n;
			int c = (i + round) % CLIENTS;
			char *buf = slurp(entries[i].file, &n);
			ck_assert_int_eq(zmq_send(s[c], buf, n, 0), (int)n);
			want[c]++;
			free(buf);
		}
	for (int c = 0; c < CLIENTS; c++) { /* every one of them is answered */
		int got = 0;
		zmq_msg_t in;
		zmq_msg_init(&in);
		while (got < want[c] && zmq_msg_recv(&in, s[c], 0) >= 0)
			got++;
		zmq_msg_close(&in);
		ck_assert_int_eq(got, want[c]);
		zmq_close(s[c]);
	}
	ck_assert_int_eq(kill(d.pid, 0), 0);
	assert_serving("the flood");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tu = tcase_create("decoder");
	tcase_set_timeout(tu, 60);
	tcase_add_test(tu, test_every_hostile_message_decodes_to_its_documented_code);
	tcase_add_test(tu, test_a_map_of_400000_keys_decodes_in_moments);
	suite_add_tcase(s, tu);
	TCase *te = tcase_create("ikid");
	tcase_add_checked_fixture(te, start, stop);
	tcase_set_timeout(te, 120);
	tcase_add_test(te, test_ikid_answers_each_with_its_code_and_serves_on);
	tcase_add_test(te, test_an_oversized_message_drops_only_its_connection);
	tcase_add_test(te, test_a_map_of_400000_keys_is_answered_at_once);
	tcase_add_test(te, test_bad_frame_layouts_are_malformed);
	tcase_add_test(te, test_a_flood_of_hostile_messages_leaves_ikid_serving);
	suite_add_tcase(s, te);
	return s;
}

SUITE_MAIN(suite)
