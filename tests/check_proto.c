/* check_proto.c: the codec against PROTOCOL.md's golden bytes, hostile input, periods and codes. */
#include <check.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iki.h"
#include "period.h"
#include "proto.h"

#define PROTOCOL_MD "proto/PROTOCOL.md"

/* ---- golden examples: every hex block of PROTOCOL.md decodes and re-encodes byte for byte ---- */

/* Read a whole file into a NUL-terminated malloc'd buffer. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: cannot open", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Hex digits (spaces and newlines between bytes) up to the closing fence, into out. */
static size_t unhex(const char *p, const char *end, unsigned char *out, size_t max)
{
	size_t n = 0;
	while (p < end) {
		unsigned v;
		if (*p == ' ' || *p == '\n' || *p == '\r') {
			p++;
			continue;
		}
		ck_assert_msg(sscanf(p, "%2x", &v) == 1 && n < max, "bad hex near: %.20s", p);
		out[n++] = (unsigned char)v;
		p += 2;
	}
	return n;
}

START_TEST(test_protocol_md_goldens_round_trip)
{
	char *doc = slurp(PROTOCOL_MD), *p = doc;
	int found = 0;
	bool types[PROTO_SNAPSHOT + 1] = {false};
	static unsigned char bytes[65536];
	while ((p = strstr(p, "<!-- golden: ")) != NULL) {
		char name[64];
		ck_assert_int_eq(sscanf(p, "<!-- golden: %63s", name), 1);
		char *start = strstr(p, "```hex\n");
		ck_assert_msg(start != NULL, "%s: no hex block", name);
		start += 7;
		char *end = strstr(start, "```");
		ck_assert_msg(end != NULL, "%s: unterminated", name);
		size_t n = unhex(start, end, bytes, sizeof(bytes));
		struct proto_msg m = {0};
		int rc = proto_decode(bytes, n, &m);
		ck_assert_msg(rc == 0, "%s: does not decode (%s)", name, iki_code_name(rc));
		char *out;
		size_t len;
		ck_assert_int_eq(proto_encode(&m, &out, &len), 0);
		ck_assert_msg(len == n && memcmp(out, bytes, n) == 0, "%s: re-encodes differently", name);
		types[m.type] = true;
		free(out);
		proto_msg_clear(&m);
		found++;
		p = end;
	}
	ck_assert_int_ge(found, 7);
	for (int t = PROTO_SUBMIT; t <= PROTO_SNAPSHOT; t++)
		ck_assert_msg(types[t], "no golden example of a %s", proto_type_name((enum proto_type)t));
	free(doc);
}
END_TEST

/* ---- round trips ---- */

/* Encode m, decode it into *back; asserts both succeed. */
static void round_trip(const struct proto_msg *m, struct proto_msg *back)
{
	char *buf;
	size_t len;
	ck_assert_int_eq(proto_encode(m, &buf, &len), 0);
	ck_assert_int_eq(proto_decode(buf, len, back), 0);
	free(buf);
}

START_TEST(test_submit_round_trip_keeps_every_field)
{
	struct proto_event ev[2] = {
		{.id = "a1", .element = "surat", .orgunit = "35.27.03.2001", .date = "2022-03-01",
		 .op = PROTO_OP_ADD, .value = 12, .comment = "agenda"},
		{.id = "a2", .element = "akta", .orgunit = "35.27.03", .date = "2022-03-02",
		 .op = PROTO_OP_CLOSE, .value = 1, .case_id = "k/7"},
	};
	struct proto_msg m = {.type = PROTO_SUBMIT, .req = 42, .events = ev, .n_events = 2}, b;
	round_trip(&m, &b);
	ck_assert_int_eq(b.type, PROTO_SUBMIT);
	ck_assert_int_eq(b.req, 42);
	ck_assert_int_eq(b.n_events, 2);
	ck_assert_int_eq(memcmp(&b.events[0], &ev[0], sizeof(ev[0])), 0);
	ck_assert_int_eq(memcmp(&b.events[1], &ev[1], sizeof(ev[1])), 0);
	proto_msg_clear(&b);
}
END_TEST

START_TEST(test_replies_and_updates_round_trip)
{
	struct proto_result res[3] = {{PROTO_STATUS_OK, 0, ""},
				      {PROTO_STATUS_DUPLICATE, 0, ""},
				      {PROTO_STATUS_ERROR, IKI_EORGUNIT, "Kode desa tidak dikenal."}};
	struct proto_msg m = {.type = PROTO_SUBMITTED, .req = 7, .results = res, .n_results = 3}, b;
	round_trip(&m, &b);
	ck_assert_int_eq(b.n_results, 3);
	ck_assert_int_eq(b.results[1].status, PROTO_STATUS_DUPLICATE);
	ck_assert_int_eq(b.results[2].code, IKI_EORGUNIT);
	ck_assert_str_eq(b.results[2].message, res[2].message);
	proto_msg_clear(&b);

	struct proto_value v = {.indicator = "iki01", .orgunit = "35.27.03", .period = "2022Q1",
				.num = 13, .den = 0, .factor = 100};
	struct proto_msg u = {.type = PROTO_UPDATE, .seq = 99, .values = &v, .n_values = 1};
	round_trip(&u, &b);
	ck_assert_int_eq(b.seq, 99);
	ck_assert_str_eq(b.values[0].period, "2022Q1");
	double r;
	ck_assert(!proto_value_ratio(&b.values[0], &r)); /* no data, never 0 % */
	proto_msg_clear(&b);
	proto_msg_clear(&b); /* twice is safe */

	struct proto_msg e = {.type = PROTO_ERROR, .req = 3, .code = IKI_EVERSION,
			      .message = "Versi protokol tidak dikenal."}, eb;
	round_trip(&e, &eb);
	ck_assert_int_eq(eb.code, IKI_EVERSION);
	proto_msg_clear(&eb);
}
END_TEST

/* ---- hostile input ---- */

/* Decode raw bytes and return the decoder's verdict. */
static int decode_raw(const char *bytes, size_t n)
{
	struct proto_msg m = {0};
	int rc = proto_decode(bytes, n, &m);
	proto_msg_clear(&m);
	return rc;
}

/* A valid query message, encoded. */
static char *valid_query(size_t *len)
{
	struct proto_msg m = {.type = PROTO_QUERY, .req = 1};
	snprintf(m.query.period, sizeof(m.query.period), "2022");
	char *buf;
	ck_assert_int_eq(proto_encode(&m, &buf, len), 0);
	return buf;
}

START_TEST(test_trailing_and_truncated_bytes_are_malformed)
{
	size_t len;
	char *buf = valid_query(&len), *more = malloc(len + 1);
	ck_assert_int_eq(decode_raw(buf, len), 0);
	memcpy(more, buf, len);
	more[len] = '\xc0';
	ck_assert_int_eq(decode_raw(more, len + 1), IKI_EMALFORMED);
	for (size_t cut = 0; cut < len; cut++)
		ck_assert_int_lt(decode_raw(buf, cut), 0);
	free(more);
	free(buf);
}
END_TEST

/* Build a message with msgpack-c: a map of version, type, req and one extra key/value. */
static int decode_built(void (*extra)(msgpack_packer *), int version, const char *type)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, extra ? 4 : 3);
	msgpack_pack_str_with_body(&pk, "v", 1);
	msgpack_pack_int(&pk, version);
	msgpack_pack_str_with_body(&pk, "type", 4);
	msgpack_pack_str_with_body(&pk, type, strlen(type));
	msgpack_pack_str_with_body(&pk, "req", 3);
	msgpack_pack_int(&pk, 1);
	if (extra)
		extra(&pk);
	int rc = decode_raw(sb.data, sb.size);
	msgpack_sbuffer_destroy(&sb);
	return rc;
}

static void period_bin(msgpack_packer *pk)
{
	msgpack_pack_str_with_body(pk, "period", 6);
	msgpack_pack_bin_with_body(pk, "2022", 4);
}

static void period_twice(msgpack_packer *pk)
{
	msgpack_pack_str_with_body(pk, "req", 3);
	msgpack_pack_int(pk, 2);
}

static void events_huge(msgpack_packer *pk)
{
	msgpack_pack_str_with_body(pk, "events", 6);
	msgpack_pack_array(pk, 4000000000u); /* a count no message can hold */
}

static void events_too_many(msgpack_packer *pk)
{
	msgpack_pack_str_with_body(pk, "events", 6);
	msgpack_pack_array(pk, PROTO_EVENTS_MAX + 1);
	for (int i = 0; i <= PROTO_EVENTS_MAX; i++)
		msgpack_pack_map(pk, 0);
}

static void bad_utf8(msgpack_packer *pk)
{
	msgpack_pack_str_with_body(pk, "period", 6);
	msgpack_pack_str_with_body(pk, "20\xff\xfe", 4);
}

static void deep(msgpack_packer *pk)
{
	msgpack_pack_str_with_body(pk, "x", 1);
	for (int i = 0; i < 10; i++)
		msgpack_pack_array(pk, 1);
	msgpack_pack_nil(pk);
}

static void one_bad_event(msgpack_packer *pk)
{
	msgpack_pack_str_with_body(pk, "events", 6);
	msgpack_pack_array(pk, 2);
	msgpack_pack_map(pk, 5);
	msgpack_pack_str_with_body(pk, "id", 2);
	msgpack_pack_str_with_body(pk, "e1", 2);
	msgpack_pack_str_with_body(pk, "element", 7);
	msgpack_pack_str_with_body(pk, "surat", 5);
	msgpack_pack_str_with_body(pk, "orgunit", 7);
	msgpack_pack_str_with_body(pk, "35.27.03", 8);
	msgpack_pack_str_with_body(pk, "date", 4);
	msgpack_pack_str_with_body(pk, "2022-03-01", 10);
	msgpack_pack_str_with_body(pk, "op", 2);
	msgpack_pack_str_with_body(pk, "add", 3);
	msgpack_pack_map(pk, 1);
	msgpack_pack_str_with_body(pk, "id", 2);
	msgpack_pack_int(pk, 5);
}

START_TEST(test_hostile_messages_get_their_codes)
{
	ck_assert_int_eq(decode_built(NULL, 2, "query"), IKI_EVERSION);
	ck_assert_int_eq(decode_built(NULL, 1, "shutdown"), IKI_ETYPE);
	ck_assert_int_eq(decode_built(period_bin, 1, "query"), IKI_EMALFORMED);
	ck_assert_int_eq(decode_built(period_twice, 1, "query"), IKI_EMALFORMED);
	ck_assert_int_lt(decode_built(events_huge, 1, "submit"), 0);
	ck_assert_int_eq(decode_built(events_too_many, 1, "submit"), IKI_ETOOBIG);
	ck_assert_int_lt(decode_built(bad_utf8, 1, "query"), 0);
	ck_assert_int_lt(decode_built(deep, 1, "query"), 0);
	ck_assert_int_eq(decode_raw("\x93\x01\x02\x03", 4), IKI_EMALFORMED); /* not a map */
	ck_assert_int_eq(decode_raw("\xc7\x01\x05\x00", 4), IKI_EMALFORMED); /* ext */
}
END_TEST

START_TEST(test_one_broken_event_does_not_spoil_its_batch)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct proto_msg m = {0};
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	msgpack_pack_str_with_body(&pk, "v", 1);
	msgpack_pack_int(&pk, 1);
	msgpack_pack_str_with_body(&pk, "type", 4);
	msgpack_pack_str_with_body(&pk, "submit", 6);
	msgpack_pack_str_with_body(&pk, "req", 3);
	msgpack_pack_int(&pk, 1);
	one_bad_event(&pk);
	ck_assert_int_eq(proto_decode(sb.data, sb.size, &m), 0);
	ck_assert_int_eq(m.n_events, 2);
	ck_assert_int_eq(m.events[0].err, 0);
	ck_assert_int_eq(m.events[0].value, 1); /* add defaults to 1 */
	ck_assert_int_eq(m.events[1].err, IKI_EFIELD);
	ck_assert_str_eq(m.events[1].err_field, "id");
	proto_msg_clear(&m);
	msgpack_sbuffer_destroy(&sb);
}
END_TEST

/* ---- periods and dates ---- */

START_TEST(test_dates_and_periods)
{
	int32_t d, first, last;
	struct period p;
	char buf[PERIOD_ID_MAX], date[11];
	ck_assert_int_eq(period_date_parse("2022-02-29", &d), IKI_EDATE);
	ck_assert_int_eq(period_date_parse("2022-13-01", &d), IKI_EDATE);
	ck_assert_int_eq(period_date_parse("2022-3-01", &d), IKI_EDATE);
	ck_assert_int_eq(period_date_parse("1999-12-31", &d), IKI_EDATE);
	ck_assert_int_eq(period_date_parse("2024-02-29", &d), 0);
	period_date_format(d, date);
	ck_assert_str_eq(date, "2024-02-29");
	ck_assert_int_eq(period_date_parse("1970-01-01", &d), IKI_EDATE);
	ck_assert_int_eq(period_date_parse("2022-03-31", &d), 0);
	p = period_of_date(d, PERIOD_QUARTER);
	period_format(p, buf);
	ck_assert_str_eq(buf, "2022Q1");
	p = period_of_date(d, PERIOD_MONTH);
	period_format(p, buf);
	ck_assert_str_eq(buf, "202203");
	ck_assert_int_eq(period_parse("2022Q4", &p), 0);
	period_bounds(p, &first, &last);
	period_date_format(first, date);
	ck_assert_str_eq(date, "2022-10-01");
	period_date_format(last, date);
	ck_assert_str_eq(date, "2022-12-31");
	ck_assert_int_eq(period_parse("2022Q5", &p), IKI_EPERIOD);
	ck_assert_int_eq(period_parse("202213", &p), IKI_EPERIOD);
	ck_assert_int_eq(period_parse("22", &p), IKI_EPERIOD);
	ck_assert_int_eq(period_parse("2022", &p), 0);
	ck_assert_int_eq(p.kind, PERIOD_YEAR);
}
END_TEST

START_TEST(test_every_code_has_a_name_and_a_sentence)
{
	for (int code = IKI_EMALFORMED; code > IKI_ELAST; code--) {
		const char *name = iki_code_name(code);
		ck_assert_str_ne(name, "error");
		ck_assert_int_eq(iki_code_from_name(name), code);
		ck_assert_int_gt(strlen(iki_strerror(code)), 10);
	}
	ck_assert_int_eq(iki_code_from_name("no_such_code"), IKI_EINTERNAL);
}
END_TEST

static Suite *proto_suite(void)
{
	Suite *s = suite_create("proto");
	TCase *tc = tcase_create("codec");
	tcase_add_test(tc, test_protocol_md_goldens_round_trip);
	tcase_add_test(tc, test_submit_round_trip_keeps_every_field);
	tcase_add_test(tc, test_replies_and_updates_round_trip);
	tcase_add_test(tc, test_trailing_and_truncated_bytes_are_malformed);
	tcase_add_test(tc, test_hostile_messages_get_their_codes);
	tcase_add_test(tc, test_one_broken_event_does_not_spoil_its_batch);
	tcase_add_test(tc, test_dates_and_periods);
	tcase_add_test(tc, test_every_code_has_a_name_and_a_sentence);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proto_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
