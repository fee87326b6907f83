/* check_batch.c: the compact submit (proto/batch.c): the same events as the map form, and every
 * broken batch answered with its code (whole message) or its field (one event). */
#include <check.h>
#include <msgpack.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iki.h"
#include "proto.h"
#include "suite.h"

/* ---- helpers ---- */

/* Encode in the given form and decode back; the decoder's verdict. */
static int encode_decode(const struct proto_event *ev, size_t n, bool maps, struct proto_msg *back,
			 size_t *len)
{
	struct proto_msg m = {.type = PROTO_SUBMIT, .req = 9, .events = (struct proto_event *)ev,
			      .n_events = n, .submit_maps = maps};
	char *buf;
	ck_assert_int_eq(proto_encode(&m, &buf, len), 0);
	int rc = proto_decode(buf, *len, back);
	free(buf);
	return rc;
}

/* Both forms of the events decode to the very same structs. */
static void same_both_ways(const struct proto_event *ev, size_t n)
{
	struct proto_msg a, b;
	size_t la, lb;
	ck_assert_int_eq(encode_decode(ev, n, false, &a, &la), 0);
	ck_assert_int_eq(encode_decode(ev, n, true, &b, &lb), 0);
	ck_assert(!a.submit_maps && b.submit_maps);
	ck_assert_uint_eq(a.n_events, n);
	ck_assert_uint_eq(b.n_events, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(memcmp(&a.events[i], &b.events[i], sizeof(a.events[i])) == 0,
			      "event %zu (%s) differs: compact err '%s', maps err '%s'", i, ev[i].id,
			      a.events[i].err_field, b.events[i].err_field);
	proto_msg_clear(&a);
	proto_msg_clear(&b);
}

/* A message under construction: the envelope of a submit, then "batch" and a map of keys keys. */
struct msg {
	msgpack_sbuffer sb;
	msgpack_packer pk;
};

static void str(struct msg *m, const char *s)
{
	msgpack_pack_str(&m->pk, strlen(s));
	msgpack_pack_str_body(&m->pk, s, strlen(s));
}

static void begin(struct msg *m, uint32_t keys)
{
	msgpack_sbuffer_init(&m->sb);
	msgpack_packer_init(&m->pk, &m->sb, msgpack_sbuffer_write);
	msgpack_pack_map(&m->pk, 4);
	str(m, "v");
	msgpack_pack_int(&m->pk, 1);
	str(m, "type");
	str(m, "submit");
	str(m, "req");
	msgpack_pack_int(&m->pk, 5);
	str(m, "batch");
	msgpack_pack_map(&m->pk, keys);
}

/* A column of strings: each item a str, or "#N" for index N. */
static void column(struct msg *m, const char *name, int n, const char *const *items)
{
	str(m, name);
	msgpack_pack_array(&m->pk, (size_t)n);
	for (int i = 0; i < n; i++)
		if (items[i][0] == '#')
			msgpack_pack_uint32(&m->pk, (uint32_t)atoi(items[i] + 1));
		else
			str(m, items[i]);
}

/* The usual two-event columns, but for the one named skip (the caller writes it). */
static void columns_but(struct msg *m, const char *skip)
{
	static const char *const el[] = {"#0", "#0"}, *const ou[] = {"35.27.03.2001", "#1"},
				 *const op[] = {"add", "add"};
	if (strcmp(skip, "id")) {
		str(m, "id");
		msgpack_pack_array(&m->pk, 4);
		msgpack_pack_uint32(&m->pk, 0);
		str(m, "k7-001");
		msgpack_pack_uint32(&m->pk, 5);
		str(m, "2");
	}
	if (strcmp(skip, "element"))
		column(m, "element", 2, el);
	if (strcmp(skip, "orgunit"))
		column(m, "orgunit", 2, ou);
	if (strcmp(skip, "date")) {
		str(m, "date");
		msgpack_pack_array(&m->pk, 2);
		msgpack_pack_int(&m->pk, 0);
		msgpack_pack_int(&m->pk, 3);
	}
	if (strcmp(skip, "op"))
		column(m, "op", 2, op);
}

/* The common head: n 2, a table of two strings, day0 2022-03-01 (3 keys). */
static void head(struct msg *m, uint32_t keys)
{
	begin(m, keys);
	str(m, "n");
	msgpack_pack_uint32(&m->pk, 2);
	static const char *const table[] = {"surat_masuk", "35.27.03.2002"};
	column(m, "str", 2, table);
	str(m, "day0");
	msgpack_pack_int32(&m->pk, 19052);
}

/* Decode what was built; the verdict, and *out decoded (cleared by the caller). */
static int finish(struct msg *m, struct proto_msg *out)
{
	int rc = proto_decode(m->sb.data, m->sb.size, out);
	msgpack_sbuffer_destroy(&m->sb);
	return rc;
}

static int verdict(struct msg *m)
{
	struct proto_msg out;
	int rc = finish(m, &out);
	proto_msg_clear(&out);
	return rc;
}

/* The two events decoded; event i's err_field must be field ("" for none). */
static void expect_fields(struct msg *m, const char *field0, const char *field1)
{
	struct proto_msg out;
	ck_assert_int_eq(finish(m, &out), 0);
	ck_assert_uint_eq(out.n_events, 2);
	ck_assert_str_eq(out.events[0].err_field, field0);
	ck_assert_str_eq(out.events[1].err_field, field1);
	ck_assert_int_eq(out.events[0].err, field0[0] ? IKI_EFIELD : 0);
	ck_assert_int_eq(out.events[1].err, field1[0] ? IKI_EFIELD : 0);
	proto_msg_clear(&out);
}

/* ---- the same events either way ---- */

START_TEST(test_the_usual_columns_decode_as_written)
{
	struct msg m;
	head(&m, 8);
	columns_but(&m, "");
	struct proto_msg out;
	ck_assert_int_eq(finish(&m, &out), 0);
	ck_assert_int_eq(out.req, 5);
	ck_assert_uint_eq(out.n_events, 2);
	const struct proto_event *a = &out.events[0], *b = &out.events[1];
	ck_assert_str_eq(a->id, "k7-001");
	ck_assert_str_eq(b->id, "k7-002");
	ck_assert_str_eq(a->element, "surat_masuk");
	ck_assert_str_eq(b->element, "surat_masuk");
	ck_assert_str_eq(a->orgunit, "35.27.03.2001");
	ck_assert_str_eq(b->orgunit, "35.27.03.2002");
	ck_assert_str_eq(a->date, "2022-03-01");
	ck_assert_str_eq(b->date, "2022-03-04");
	ck_assert_int_eq(a->op, PROTO_OP_ADD);
	ck_assert_int_eq(a->value, 1); /* no value column: 1 */
	ck_assert_int_eq(a->err + b->err, 0);
	proto_msg_clear(&out);
}
END_TEST

START_TEST(test_every_kind_of_event_decodes_the_same_in_both_forms)
{
	struct proto_event ev[] = {
	    {.id = "k7Qd3x-000001", .element = "surat_masuk", .orgunit = "35.27.03.2001",
	     .date = "2022-03-14", .op = PROTO_OP_ADD, .value = 12},
	    {.id = "k7Qd3x-000002", .element = "sarpras_ada", .orgunit = "35.27.03",
	     .date = "2022-01-10", .op = PROTO_OP_SET, .value = 1, .comment = "inventarisasi"},
	    {.id = "k7Qd3x-000003", .element = "akta_tanah", .orgunit = "35.27.03.2001",
	     .date = "2022-12-31", .op = PROTO_OP_OPEN, .value = 1, .case_id = "AT-1"},
	    {.id = "k7Qd3x-000004", .element = "akta_tanah", .orgunit = "35.27.03.2001",
	     .date = "2023-01-02", .op = PROTO_OP_CLOSE, .value = 1, .case_id = "AT-1"},
	    {.id = "k7Qd3x-000005", .op = PROTO_OP_VOID, .value = 1, .ref = "k7Qd3x-000001"},
	    {.id = "k7Qd3x-000006", .element = "surat_masuk", .orgunit = "35.27.03.2001",
	     .date = "2022-03-14", .op = PROTO_OP_ADD, .value = 13, .ref = "k7Qd3x-000001"},
	    /* dates ikid refuses, but the decoder passes on: as strings */
	    {.id = "other-1", .element = "surat_masuk", .orgunit = "35.27.03.2001",
	     .date = "2022-02-30", .op = PROTO_OP_ADD, .value = -5},
	    {.id = "other-2", .element = "surat_masuk", .orgunit = "35.27.03.2001",
	     .date = "1999-12-31", .op = PROTO_OP_ADD, .value = INT64_MAX},
	    {.id = "other-3", .element = "surat_masuk", .orgunit = "35.27.03.2001", .date = "22-3-1",
	     .op = PROTO_OP_ADD, .value = INT64_MIN},
	    /* broken fields: both forms name the same one */
	    {.id = "", .element = "surat_masuk", .orgunit = "35.27.03.2001", .date = "2022-03-01",
	     .op = PROTO_OP_ADD, .value = 1},
	    {.id = "bad-utf8", .element = "surat\xc3", .orgunit = "35.27.03.2001",
	     .date = "2022-03-01", .op = PROTO_OP_ADD, .value = 1},
	    {.id = "no-orgunit", .element = "surat_masuk", .date = "2022-03-01",
	     .op = PROTO_OP_ADD, .value = 1},
	    {.id = "no-date", .element = "surat_masuk", .orgunit = "35.27.03", .op = PROTO_OP_ADD},
	    {.id = "bad\xff-id", .element = "surat_masuk", .orgunit = "35.27.03",
	     .date = "2022-03-01", .op = PROTO_OP_ADD},
	    {.id = "bad-comment", .element = "surat_masuk", .orgunit = "35.27.03",
	     .date = "2022-03-01", .op = PROTO_OP_ADD, .comment = "\xed\xa0\x80"},
	    {.id = "void-no-ref", .op = PROTO_OP_VOID, .value = 1},
	};
	same_both_ways(ev, sizeof(ev) / sizeof(ev[0]));
	same_both_ways(ev, 1);
	same_both_ways(ev, 0);
}
END_TEST

/* A thousand events drawn from small pools, as a day's work of many villages would be. */
START_TEST(test_random_batches_decode_the_same_in_both_forms)
{
	static const char *const els[] = {"surat_masuk", "surat_keluar", "akta_tanah", "", "x\xc3"};
	static const char *const comments[] = {"", "", "", "dobel", "inventarisasi awal tahun",
					       "\xe2\x82"};
	static struct proto_event ev[1000];
	srand(7);
	for (int round = 0; round < 20; round++) {
		size_t n = (size_t)(rand() % 1000) + 1;
		for (size_t i = 0; i < n; i++) {
			struct proto_event *e = &ev[i];
			memset(e, 0, sizeof(*e));
			snprintf(e->id, sizeof(e->id), "%s-%06d", rand() % 9 ? "k7Qd3x" : "dev2",
				 rand() % 999999);
			snprintf(e->element, sizeof(e->element), "%s", els[rand() % 5]);
			snprintf(e->orgunit, sizeof(e->orgunit), "35.27.03.%04d", 2000 + rand() % 19);
			snprintf(e->date, sizeof(e->date), "2022-%02u-%02u", 1u + (unsigned)rand() % 12u,
				 1u + (unsigned)rand() % 31u);
			e->op = (enum proto_op)(1 + rand() % 5);
			e->value = rand() % 4 ? 1 : (int64_t)rand() * rand();
			if (rand() % 3 == 0)
				snprintf(e->case_id, sizeof(e->case_id), "C-%d", rand() % 50);
			snprintf(e->comment, sizeof(e->comment), "%s", comments[rand() % 6]);
			if (rand() % 5 == 0)
				snprintf(e->ref, sizeof(e->ref), "k7Qd3x-%06d", rand() % 999999);
		}
		same_both_ways(ev, n);
	}
}
END_TEST

/* ---- broken batches: the whole message ---- */

START_TEST(test_columns_that_disagree_with_n_spoil_the_batch)
{
	struct msg m;
	static const char *const three[] = {"add", "add", "add"}, *const one[] = {"add"};
	head(&m, 8);
	columns_but(&m, "op");
	column(&m, "op", 3, three);
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	head(&m, 8);
	columns_but(&m, "op");
	column(&m, "op", 1, one);
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	/* ids: 2n entries, not n */
	head(&m, 8);
	columns_but(&m, "id");
	column(&m, "id", 2, three);
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	/* a value column of n + 1 */
	head(&m, 9);
	columns_but(&m, "");
	str(&m, "value");
	msgpack_pack_array(&m.pk, 3);
	for (int i = 0; i < 3; i++)
		msgpack_pack_int(&m.pk, 1);
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	/* a column that is not an array */
	head(&m, 8);
	columns_but(&m, "orgunit");
	str(&m, "orgunit");
	str(&m, "35.27.03");
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
}
END_TEST

START_TEST(test_batch_envelope_problems)
{
	struct msg m;
	/* n missing, negative, a string */
	begin(&m, 5);
	columns_but(&m, "");
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	begin(&m, 6);
	str(&m, "n");
	msgpack_pack_int(&m.pk, -2);
	columns_but(&m, "");
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	/* n over 5000: too_big, before any column is looked at */
	begin(&m, 1);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, PROTO_EVENTS_MAX + 1);
	ck_assert_int_eq(verdict(&m), IKI_ETOOBIG);
	begin(&m, 1);
	str(&m, "n");
	msgpack_pack_uint64(&m.pk, UINT64_MAX);
	ck_assert_int_eq(verdict(&m), IKI_ETOOBIG);
	/* a string table holding a number; one over 30000 strings */
	begin(&m, 2);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 0);
	str(&m, "str");
	msgpack_pack_array(&m.pk, 1);
	msgpack_pack_int(&m.pk, 1);
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	begin(&m, 2);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 0);
	str(&m, "str");
	msgpack_pack_array(&m.pk, 30001);
	for (int i = 0; i < 30001; i++)
		str(&m, "");
	ck_assert_int_eq(verdict(&m), IKI_ETOOBIG);
	/* day0 a float, or out of range */
	head(&m, 8);
	columns_but(&m, "");
	struct proto_msg ok;
	ck_assert_int_eq(finish(&m, &ok), 0);
	proto_msg_clear(&ok);
	begin(&m, 7);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 2);
	str(&m, "day0");
	msgpack_pack_double(&m.pk, 19052.0);
	columns_but(&m, "");
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	begin(&m, 7);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 2);
	str(&m, "day0");
	msgpack_pack_int64(&m.pk, 10000001);
	columns_but(&m, "");
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	/* batch not a map; batch and events both; a duplicate key in the batch */
	msgpack_sbuffer_init(&m.sb);
	msgpack_packer_init(&m.pk, &m.sb, msgpack_sbuffer_write);
	msgpack_pack_map(&m.pk, 4);
	str(&m, "v");
	msgpack_pack_int(&m.pk, 1);
	str(&m, "type");
	str(&m, "submit");
	str(&m, "req");
	msgpack_pack_int(&m.pk, 5);
	str(&m, "batch");
	msgpack_pack_array(&m.pk, 0);
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	begin(&m, 1);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 0);
	/* the envelope said 4 keys: rewrite it as 5 and add events */
	m.sb.data[0] = (char)0x85;
	str(&m, "events");
	msgpack_pack_array(&m.pk, 0);
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	begin(&m, 2);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 0);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 0);
	ck_assert_int_eq(verdict(&m), IKI_EFIELD);
	/* an empty batch is an empty submit */
	begin(&m, 1);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 0);
	ck_assert_int_eq(finish(&m, &ok), 0);
	ck_assert_uint_eq(ok.n_events, 0);
	proto_msg_clear(&ok);
}
END_TEST

START_TEST(test_truncated_and_nested_batches_are_refused)
{
	struct proto_event ev[3] = {
	    {.id = "a-1", .element = "e", .orgunit = "o", .date = "2022-03-01", .op = PROTO_OP_ADD},
	    {.id = "a-2", .element = "e", .orgunit = "o", .date = "2022-03-02", .op = PROTO_OP_ADD},
	    {.id = "a-3", .element = "e", .orgunit = "o", .date = "2022-03-03", .op = PROTO_OP_ADD},
	};
	struct proto_msg m = {.type = PROTO_SUBMIT, .req = 1, .events = ev, .n_events = 3}, out;
	char *buf;
	size_t len;
	ck_assert_int_eq(proto_encode(&m, &buf, &len), 0);
	for (size_t cut = 0; cut < len; cut++) {
		ck_assert_int_eq(proto_decode(buf, cut, &out), IKI_EMALFORMED);
		proto_msg_clear(&out);
	}
	free(buf);
	/* a column entry that is an array: that event's op; one nested deeper: too deep */
	struct msg b;
	head(&b, 8);
	columns_but(&b, "op");
	str(&b, "op");
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_array(&b.pk, 1);
	str(&b, "add");
	str(&b, "add");
	expect_fields(&b, "op", "");
	head(&b, 8);
	columns_but(&b, "op");
	str(&b, "op");
	msgpack_pack_array(&b.pk, 2);
	msgpack_pack_array(&b.pk, 1);
	msgpack_pack_array(&b.pk, 1);
	str(&b, "add");
	str(&b, "add");
	ck_assert_int_eq(verdict(&b), IKI_ETOOBIG);
}
END_TEST

/* ---- broken entries: one event each ---- */

START_TEST(test_string_table_indices_out_of_range_fail_their_event)
{
	struct msg m;
	static const char *const el[] = {"#0", "#2"}, *const ou[] = {"#4294967295", "#1"};
	head(&m, 8);
	columns_but(&m, "element");
	column(&m, "element", 2, el);
	expect_fields(&m, "", "element");
	head(&m, 8);
	columns_but(&m, "orgunit");
	column(&m, "orgunit", 2, ou);
	expect_fields(&m, "orgunit", "");
	/* no table at all */
	begin(&m, 7);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 2);
	str(&m, "day0");
	msgpack_pack_int32(&m.pk, 19052);
	columns_but(&m, "");
	expect_fields(&m, "element", "element");
}
END_TEST

START_TEST(test_entries_of_the_wrong_type_fail_their_event)
{
	struct msg m;
	/* element: nil, a negative number, a float */
	head(&m, 8);
	columns_but(&m, "element");
	str(&m, "element");
	msgpack_pack_array(&m.pk, 2);
	msgpack_pack_nil(&m.pk);
	msgpack_pack_int(&m.pk, -1);
	expect_fields(&m, "element", "element");
	head(&m, 8);
	columns_but(&m, "element");
	str(&m, "element");
	msgpack_pack_array(&m.pk, 2);
	msgpack_pack_double(&m.pk, 0.0);
	msgpack_pack_uint32(&m.pk, 0);
	expect_fields(&m, "element", "");
	/* op: an unknown name, an index to a string that is no op, a number that is no op */
	static const char *const ops[] = {"delete", "#0"};
	head(&m, 8);
	columns_but(&m, "op");
	column(&m, "op", 2, ops);
	expect_fields(&m, "op", "op");
	/* value: a float, a string; a set and an add with no value column decode (no_value: the
	 * store refuses them, bad_value) */
	head(&m, 9);
	columns_but(&m, "");
	str(&m, "value");
	msgpack_pack_array(&m.pk, 2);
	msgpack_pack_double(&m.pk, 1.0);
	str(&m, "1");
	expect_fields(&m, "value", "value");
	static const char *const sets[] = {"set", "add"};
	head(&m, 8);
	columns_but(&m, "op");
	column(&m, "op", 2, sets);
	struct proto_msg none;
	ck_assert_int_eq(finish(&m, &none), 0);
	ck_assert(none.events[0].no_value && none.events[1].no_value);
	ck_assert_int_eq(none.events[0].err, 0);
	ck_assert_int_eq(none.events[0].op, PROTO_OP_SET);
	proto_msg_clear(&none);
	/* a value of uint64 max */
	head(&m, 9);
	columns_but(&m, "");
	str(&m, "value");
	msgpack_pack_array(&m.pk, 2);
	msgpack_pack_uint64(&m.pk, UINT64_MAX);
	msgpack_pack_int64(&m.pk, INT64_MIN);
	expect_fields(&m, "value", "");
	/* a comment over 500 bytes, inline; a case of bad UTF-8 from the table */
	char big[502];
	memset(big, 'c', 501);
	big[501] = '\0';
	const char *comments[] = {big, ""};
	head(&m, 9);
	columns_but(&m, "");
	column(&m, "comment", 2, comments);
	expect_fields(&m, "comment", "");
	begin(&m, 9);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 2);
	static const char *const table[] = {"surat_masuk", "35.27.03.2002", "\xc0\xaf"};
	column(&m, "str", 3, table);
	str(&m, "day0");
	msgpack_pack_int32(&m.pk, 19052);
	columns_but(&m, "");
	static const char *const cases[] = {"", "#2"};
	column(&m, "case", 2, cases);
	expect_fields(&m, "", "case");
}
END_TEST

START_TEST(test_dates_as_days)
{
	struct msg m;
	/* an int with no day0 */
	begin(&m, 7);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 2);
	static const char *const table[] = {"surat_masuk", "35.27.03.2002"};
	column(&m, "str", 2, table);
	columns_but(&m, "");
	expect_fields(&m, "date", "date");
	/* before 0001-01-01, after 9999-12-31, huge; negative offsets are fine */
	int64_t offs[][2] = {{-19052 - 719162 - 1, 0}, {2932896 - 19052 + 1, -19052},
			     {INT64_MIN, INT64_MAX}, {-1, -19052 - 719162}};
	const char *want[][2] = {{"date", ""}, {"date", ""}, {"date", "date"}, {"", ""}};
	for (int t = 0; t < 4; t++) {
		head(&m, 8);
		columns_but(&m, "date");
		str(&m, "date");
		msgpack_pack_array(&m.pk, 2);
		msgpack_pack_int64(&m.pk, offs[t][0]);
		msgpack_pack_int64(&m.pk, offs[t][1]);
		expect_fields(&m, want[t][0], want[t][1]);
	}
	head(&m, 8);
	columns_but(&m, "date");
	str(&m, "date");
	msgpack_pack_array(&m.pk, 2);
	msgpack_pack_int(&m.pk, -1);
	msgpack_pack_int64(&m.pk, -19052 - 719162);
	struct proto_msg out;
	ck_assert_int_eq(finish(&m, &out), 0);
	ck_assert_str_eq(out.events[0].date, "2022-02-28");
	ck_assert_str_eq(out.events[1].date, "0001-01-01");
	proto_msg_clear(&out);
	/* a date string: as in the map form (11 bytes is too long) */
	static const char *const dates[] = {"2022-03-011", "2022-13-45"};
	head(&m, 8);
	columns_but(&m, "date");
	column(&m, "date", 2, dates);
	ck_assert_int_eq(finish(&m, &out), 0);
	ck_assert_str_eq(out.events[0].err_field, "date");
	ck_assert_str_eq(out.events[1].date, "2022-13-45"); /* ikid says bad_date */
	proto_msg_clear(&out);
}
END_TEST

/* Three events with ids of these keeps and suffixes; the rest as the usual columns. */
static void three_ids(struct msg *m, const uint32_t keep[3], const char *const suffix[3])
{
	static const char *const el[] = {"#0", "#0", "#0"}, *const ou[] = {"#1", "#1", "#1"},
				 *const op[] = {"add", "add", "add"};
	begin(m, 7);
	str(m, "n");
	msgpack_pack_uint32(&m->pk, 3);
	static const char *const table[] = {"surat_masuk", "35.27.03.2002"};
	column(m, "str", 2, table);
	str(m, "id");
	msgpack_pack_array(&m->pk, 6);
	for (int i = 0; i < 3; i++) {
		msgpack_pack_uint32(&m->pk, keep[i]);
		str(m, suffix[i]);
	}
	column(m, "element", 3, el);
	column(m, "orgunit", 3, ou);
	column(m, "date", 3, (const char *const[]){"2022-03-01", "2022-03-01", "2022-03-01"});
	column(m, "op", 3, op);
}

START_TEST(test_front_coded_ids)
{
	struct msg m;
	struct proto_msg out;
	static const struct {
		uint32_t keep[3];
		const char *suffix[3];
		const char *ids[3]; /* "" where refused */
	} cases[] = {
	    {{0, 5, 5}, {"k7-001", "2", "3"}, {"k7-001", "k7-002", "k7-003"}},
	    {{1, 0, 2}, {"k7-001", "k7-001", "x"}, {"", "k7-001", "k7x"}}, /* nothing to keep at first */
	    {{0, 7, 5}, {"k7-001", "2", "3"}, {"k7-001", "", "k7-003"}},  /* keeps from the last good */
	    {{0, 0, 0}, {"k7-001", "", "z"}, {"k7-001", "", "z"}},        /* an empty id */
	    {{0, 2, 3}, {"k\xc3\xa9", "x", "y"}, {"k\xc3\xa9", "", "k\xc3\xa9y"}}, /* a split character */
	};
	for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
		three_ids(&m, cases[t].keep, cases[t].suffix);
		ck_assert_int_eq(finish(&m, &out), 0);
		for (int i = 0; i < 3; i++) {
			const char *want = cases[t].ids[i];
			ck_assert_msg(!strcmp(out.events[i].id, want), "case %zu event %d: '%s', not '%s'",
				      t, i, out.events[i].id, want);
			ck_assert_str_eq(out.events[i].err_field, want[0] ? "" : "id");
		}
		proto_msg_clear(&out);
	}
	/* the keep not a number, the suffix not a string, an id of 65 bytes */
	char s64[65];
	memset(s64, 'i', 64);
	s64[64] = '\0';
	head(&m, 8);
	columns_but(&m, "id");
	str(&m, "id");
	msgpack_pack_array(&m.pk, 4);
	str(&m, "0");
	str(&m, "k7-001");
	msgpack_pack_uint32(&m.pk, 0);
	msgpack_pack_uint32(&m.pk, 0);
	expect_fields(&m, "id", "id");
	head(&m, 8);
	columns_but(&m, "id");
	str(&m, "id");
	msgpack_pack_array(&m.pk, 4);
	msgpack_pack_uint32(&m.pk, 0);
	str(&m, s64);
	msgpack_pack_uint32(&m.pk, 64);
	str(&m, "x");
	ck_assert_int_eq(finish(&m, &out), 0);
	ck_assert_str_eq(out.events[0].id, s64);
	ck_assert_int_eq(out.events[0].err, 0);
	ck_assert_str_eq(out.events[1].err_field, "id");
	proto_msg_clear(&out);
	/* no id column: every event */
	head(&m, 7);
	columns_but(&m, "id");
	expect_fields(&m, "id", "id");
}
END_TEST

/* A void needs no element, org unit or date; any other op does; the first broken field is named. */
START_TEST(test_voids_and_the_order_of_fields)
{
	struct msg m;
	static const char *const ops[] = {"void", "add"}, *const none[] = {"", ""},
				 *const refs[] = {"k7-000", ""};
	begin(&m, 6);
	str(&m, "n");
	msgpack_pack_uint32(&m.pk, 2);
	str(&m, "id");
	msgpack_pack_array(&m.pk, 4);
	msgpack_pack_uint32(&m.pk, 0);
	str(&m, "k7-001");
	msgpack_pack_uint32(&m.pk, 5);
	str(&m, "2");
	column(&m, "op", 2, ops);
	column(&m, "ref", 2, refs);
	column(&m, "element", 2, none);
	column(&m, "orgunit", 2, none);
	expect_fields(&m, "", "element");
}
END_TEST

static Suite *batch_suite(void)
{
	Suite *s = suite_create("batch");
	TCase *tc = tcase_create("compact");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_the_usual_columns_decode_as_written);
	tcase_add_test(tc, test_every_kind_of_event_decodes_the_same_in_both_forms);
	tcase_add_test(tc, test_random_batches_decode_the_same_in_both_forms);
	tcase_add_test(tc, test_columns_that_disagree_with_n_spoil_the_batch);
	tcase_add_test(tc, test_batch_envelope_problems);
	tcase_add_test(tc, test_truncated_and_nested_batches_are_refused);
	tcase_add_test(tc, test_string_table_indices_out_of_range_fail_their_event);
	tcase_add_test(tc, test_entries_of_the_wrong_type_fail_their_event);
	tcase_add_test(tc, test_dates_as_days);
	tcase_add_test(tc, test_front_coded_ids);
	tcase_add_test(tc, test_voids_and_the_order_of_fields);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(batch_suite)
