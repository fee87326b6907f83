/* check_hostile.c: the hostile corpus of tests/hostile/ (made by make_corpus.py, listed in
 * EXPECT): each message through the decoder, then at the real ikid, which must answer each with
 * its documented code, store nothing, and go on serving everyone else. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "harness.h"
#include "iki.h"
#include "proto.h"

#define CORPUS "tests/hostile/"
#define MAX_ENTRIES 256

struct entry {
	char file[64];
	char decode[32]; /* "ok" or a code name */
	char reply[48];  /* "error:<code>" or "event:<code>" */
};

static struct entry entries[MAX_ENTRIES];
static int n_entries;

static void load_manifest(void)
{
	FILE *f = fopen(CORPUS "EXPECT", "r");
	char line[256];
	ck_assert_msg(f != NULL, "no " CORPUS "EXPECT");
	n_entries = 0;
	while (fgets(line, sizeof(line), f) && n_entries < MAX_ENTRIES) {
		struct entry *e = &entries[n_entries];
		if (line[0] == '#' || sscanf(line, "%63s %31s %47s", e->file, e->decode, e->reply) != 3)
			continue;
		n_entries++;
	}
	fclose(f);
	ck_assert_int_ge(n_entries, 60);
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

START_TEST(test_every_hostile_message_decodes_to_its_documented_code)
{
	load_manifest();
	for (int i = 0; i < n_entries; i++) {
		size_t n;
		char *buf = slurp(entries[i].file, &n);
		struct proto_msg m;
		int rc = proto_decode(buf, n, &m);
		ck_assert_msg(!strcmp(code_or_ok(rc), entries[i].decode), "%s: decoded as %s, want %s",
			      entries[i].file, code_or_ok(rc), entries[i].decode);
		proto_msg_clear(&m);
		free(buf);
	}
}
END_TEST

/* ---- against the real ikid ---- */

static struct ikid d;
static void *ctx;

static void start(void)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, "tests/data/mini.conf"), 0);
	ctx = zmq_ctx_new();
}

static void stop(void)
{
	zmq_ctx_term(ctx);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}

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

/* A well-behaved client is still served: a query gets values. */
static void assert_serving(void)
{
	static const char query[] = "\x84\xa1v\x01\xa4type\xa5query\xa3req\x09\xa6period\xa4" "2022";
	void *s = dealer(5000);
	struct proto_msg r;
	ck_assert_msg(exchange(s, query, sizeof(query) - 1, &r), "ikid stopped answering");
	ck_assert_int_eq(r.type, PROTO_VALUES);
	for (size_t i = 0; i < r.n_values; i++) /* and nothing was ever stored */
		ck_assert_msg(r.values[i].num == 0 && r.values[i].den == 0, "%s holds %lld/%lld",
			      r.values[i].indicator, (long long)r.values[i].num,
			      (long long)r.values[i].den);
	proto_msg_clear(&r);
	zmq_close(s);
}

START_TEST(test_ikid_answers_each_with_its_code_and_serves_on)
{
	load_manifest();
	void *s = dealer(5000); /* one connection for all: ikid keeps it open after each refusal */
	for (int i = 0; i < n_entries; i++) {
		const struct entry *e = &entries[i];
		size_t n;
		char *buf = slurp(e->file, &n);
		struct proto_msg r;
		ck_assert_msg(exchange(s, buf, n, &r), "%s: no reply", e->file);
		const char *want = strchr(e->reply, ':') + 1;
		if (!strncmp(e->reply, "error:", 6)) {
			ck_assert_msg(r.type == PROTO_ERROR && !strcmp(iki_code_name(r.code), want),
				      "%s: %s %s, want error %s", e->file, proto_type_name(r.type),
				      iki_code_name(r.code), want);
			ck_assert_msg(strlen(r.message) > 10, "%s: no sentence", e->file);
		} else {
			ck_assert_msg(r.type == PROTO_SUBMITTED && r.n_results > 0, "%s: %s", e->file,
				      proto_type_name(r.type));
			for (size_t j = 0; j < r.n_results; j++)
				ck_assert_msg(r.results[j].status == PROTO_STATUS_ERROR &&
						  !strcmp(iki_code_name(r.results[j].code), want),
					      "%s: event %zu: %s, want %s", e->file, j,
					      iki_code_name(r.results[j].code), want);
		}
		proto_msg_clear(&r);
		free(buf);
	}
	zmq_close(s);
	ck_assert_int_eq(kill(d.pid, 0), 0);
	assert_serving();
}
END_TEST

START_TEST(test_an_oversized_message_drops_only_its_connection)
{
	size_t n = PROTO_MSG_MAX + 1;
	char *big = calloc(1, n);
	struct proto_msg r;
	void *s = dealer(1500);
	big[0] = '\x81'; /* whatever it holds: ZMQ_MAXMSGSIZE refuses it before a byte is read */
	ck_assert_msg(!exchange(s, big, n, &r), "an answer to a message over 4 MiB");
	zmq_close(s);
	free(big);
	ck_assert_int_eq(kill(d.pid, 0), 0);
	assert_serving();
}
END_TEST

/* Many hostile messages from several clients at once, interleaved with good ones. */
START_TEST(test_a_flood_of_hostile_messages_leaves_ikid_serving)
{
	load_manifest();
	enum { CLIENTS = 4, ROUNDS = 5 };
	void *s[CLIENTS];
	for (int c = 0; c < CLIENTS; c++)
		s[c] = dealer(10000);
	for (int round = 0; round < ROUNDS; round++)
		for (int i = 0; i < n_entries; i++) {
			size_t n;
			char *buf = slurp(entries[i].file, &n);
			zmq_send(s[(i + round) % CLIENTS], buf, n, 0);
			free(buf);
		}
	for (int c = 0; c < CLIENTS; c++) { /* every one of them is answered */
		int got = 0;
		zmq_msg_t in;
		zmq_msg_init(&in);
		int want = 0;
		for (int round = 0; round < ROUNDS; round++)
			for (int i = 0; i < n_entries; i++)
				want += (i + round) % CLIENTS == c;
		while (got < want && zmq_msg_recv(&in, s[c], 0) >= 0)
			got++;
		zmq_msg_close(&in);
		ck_assert_int_eq(got, want);
		zmq_close(s[c]);
	}
	assert_serving();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("hostile");
	TCase *tu = tcase_create("decoder");
	tcase_add_test(tu, test_every_hostile_message_decodes_to_its_documented_code);
	suite_add_tcase(s, tu);
	TCase *te = tcase_create("ikid");
	tcase_add_checked_fixture(te, start, stop);
	tcase_set_timeout(te, 60);
	tcase_add_test(te, test_ikid_answers_each_with_its_code_and_serves_on);
	tcase_add_test(te, test_an_oversized_message_drops_only_its_connection);
	tcase_add_test(te, test_a_flood_of_hostile_messages_leaves_ikid_serving);
	suite_add_tcase(s, te);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
