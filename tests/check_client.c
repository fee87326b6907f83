/* check_client.c: clerks' files (CSV, JSON lines, stable ids) and libiki against scripted peers. */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "iki_client.h"
#include "input.h"

#define HDR "id,element,orgunit,date,op,value,case,comment\n"

/* Parse CSV text; returns the parser's result, with err filled. */
static int csv(const char *text, struct input *in, char *err)
{
	return input_parse_csv("t.csv", text, strlen(text), in, err, INPUT_ERR_MAX);
}

/* Parse JSON-lines text; returns the parser's result, with err filled. */
static int jsonl(const char *text, struct input *in, char *err)
{
	return input_parse_jsonl("t.jsonl", text, strlen(text), in, err, INPUT_ERR_MAX);
}

START_TEST(test_csv_reads_fields_and_defaults)
{
	struct input in;
	char err[INPUT_ERR_MAX] = "";
	ck_assert_int_eq(csv(HDR "a1,surat_masuk,35.27.03.2001,2022-03-01,add,10,,\n"
				 "a2,akta,35.27.03.2001,2022-03-02,open,,k-1,\"agenda, hal 3\"\n",
			     &in, err),
			 0);
	ck_assert_int_eq(in.n, 2);
	ck_assert_str_eq(in.events[0].id, "a1");
	ck_assert_int_eq(in.events[0].value, 10);
	ck_assert_int_eq(in.events[0].op, PROTO_OP_ADD);
	ck_assert_int_eq(in.events[1].op, PROTO_OP_OPEN);
	ck_assert_int_eq(in.events[1].value, 1);
	ck_assert_str_eq(in.events[1].case_id, "k-1");
	ck_assert_str_eq(in.events[1].comment, "agenda, hal 3");
	ck_assert_int_eq(in.lines[1], 3);
	input_free(&in);
	input_free(&in); /* safe twice */
}
END_TEST

START_TEST(test_csv_quotes_newlines_crlf_bom_and_column_order)
{
	struct input in;
	char err[INPUT_ERR_MAX] = "";
	const char *text = "\xef\xbb\xbf"
			   "comment,value,date,orgunit,element\r\n"
			   "\"kata \"\"penting\"\"\nbaris dua\",5,2022-03-01,35.27.03,surat\r\n"
			   "biasa,6,2022-03-02,35.27.03,surat\r\n"
			   "\r\n"
			   "\"\",-7,2022-03-03,35.27.03,\"surat\"";
	ck_assert_msg(csv(text, &in, err) == 0, "%s", err);
	ck_assert_int_eq(in.n, 3);
	ck_assert_str_eq(in.events[0].comment, "kata \"penting\"\nbaris dua");
	ck_assert_int_eq(in.events[0].value, 5);
	ck_assert_str_eq(in.events[0].element, "surat");
	ck_assert_int_eq(in.lines[0], 2);
	ck_assert_int_eq(in.lines[1], 4); /* the quoted newline took a line */
	ck_assert_str_eq(in.events[1].date, "2022-03-02");
	ck_assert_int_eq(in.lines[2], 6); /* after a blank line; no newline at the end */
	ck_assert_int_eq(in.events[2].value, -7);
	ck_assert_str_eq(in.events[2].comment, "");
	input_free(&in);
}
END_TEST

START_TEST(test_csv_header_ignores_case_and_spaces)
{
	struct input in;
	char err[INPUT_ERR_MAX] = "";
	ck_assert_msg(csv("Element, OrgUnit ,DATE\nsurat,35.27.03,2022-03-01\n", &in, err) == 0,
		      "%s", err);
	ck_assert_int_eq(in.n, 1);
	ck_assert_str_eq(in.events[0].orgunit, "35.27.03");
	input_free(&in);
}
END_TEST

/* The documented id recipe, computed here independently: FNV-1a 64, each field NUL-ended. */
static uint64_t recipe(const char *const *fields, int n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (int i = 0; i < n; i++) {
		for (const char *s = fields[i];; s++) {
			h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
			if (!*s)
				break;
		}
	}
	return h;
}

START_TEST(test_generated_ids_are_stable_distinct_and_documented)
{
	struct input a, b, j;
	char err[INPUT_ERR_MAX] = "", want[64];
	const char *text = "element,orgunit,date,value,id\n"
			   "surat,35.27.03,2022-03-01,1,\n"
			   "surat,35.27.03,2022-03-01,1,\n"
			   "surat,35.27.03,2022-03-02,1,\n"
			   "surat,35.27.03,2022-03-01,1,own-id\n";
	ck_assert_int_eq(csv(text, &a, err), 0);
	ck_assert_int_eq(csv(text, &b, err), 0);
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(a.events[i].id, b.events[i].id);
	/* Two identical rows are two events: same content, different occurrence. */
	ck_assert_str_ne(a.events[0].id, a.events[1].id);
	ck_assert_str_ne(a.events[0].id, a.events[2].id);
	ck_assert_str_eq(a.events[3].id, "own-id");
	const char *f[] = {"surat", "35.27.03", "2022-03-01", "add", "1", "", ""};
	snprintf(want, sizeof(want), "g-%016" PRIx64 "-1", recipe(f, 7));
	ck_assert_str_eq(a.events[0].id, want);
	snprintf(want, sizeof(want), "g-%016" PRIx64 "-2", recipe(f, 7));
	ck_assert_str_eq(a.events[1].id, want);
	/* The same content in JSON lines gets the same id. */
	ck_assert_int_eq(jsonl("{\"element\":\"surat\",\"orgunit\":\"35.27.03\","
			       "\"date\":\"2022-03-01\"}\n",
			       &j, err),
			 0);
	ck_assert_str_eq(j.events[0].id, a.events[0].id);
	input_free(&a);
	input_free(&b);
	input_free(&j);
}
END_TEST

/* A bad CSV and the start of its error message. */
static const struct {
	const char *text, *err;
} bad_csv[] = {
    {"element,orgunit,date,colour\n", "t.csv:1: unknown column 'colour'"},
    {"", "t.csv:1: empty file"},
    {"element,orgunit,date,element\n", "t.csv:1: column 'element' appears twice"},
    {"element,orgunit,value\n", "t.csv:1: no 'date' column (kolom 'date' wajib ada)"},
    {HDR "a,b,c\n", "t.csv:2: 3 fields, but the header has 8"},
    {HDR "a1,surat,35.27.03,2022-03-01,add,sepuluh,,\n",
     "t.csv:2: value: 'sepuluh' is not a whole number (nilai harus bilangan bulat"},
    {HDR "\na1,surat,35.27.03,2022-03-01,add,1.5,,\n", "t.csv:3: value: '1.5'"},
    {HDR "a1,surat,35.27.03,2022-03-01,tambah,1,,\n", "t.csv:2: op: 'tambah' is not add"},
    {HDR "a1,surat,35.27.03,2022-03-01,add,1,,\"open quote\n",
     "t.csv:2: a quoted field is never closed"},
    {HDR "a1,surat,35.27.03,2022-03-01,add,1,,\"x\"y\n", "t.csv:2: text after a closing quote"},
    {HDR "a1,surat,35.27.03.20011111111111111111111,2022-03-01,add,1,,\n",
     "t.csv:2: orgunit: 32 bytes, longer than 24 (isian orgunit terlalu panjang"},
    {HDR "a1,,35.27.03,2022-03-01,add,1,,\n", "t.csv:2: element: missing or empty (kolom "},
    {HDR "ok,surat,35.27.03,2022-03-01,add,1,,\"two\nlines\"\n"
	 "a2,surat,35.27.03,2022-03-01,add,x,,\n",
     "t.csv:4: value:"},
};

START_TEST(test_bad_csv_names_line_field_and_problem)
{
	struct input in;
	char err[INPUT_ERR_MAX] = "";
	ck_assert_int_eq(csv(bad_csv[_i].text, &in, err), -EINVAL);
	ck_assert_msg(strncmp(err, bad_csv[_i].err, strlen(bad_csv[_i].err)) == 0, "got: %s", err);
	ck_assert_ptr_null(in.events);
	ck_assert_int_eq(in.n, 0);
}
END_TEST

START_TEST(test_csv_with_a_nul_byte_is_refused)
{
	struct input in;
	char err[INPUT_ERR_MAX] = "";
	static const char text[] = "element,orgunit,date\nsurat,35.27.03,2022\0-03-01\n";
	ck_assert_int_eq(input_parse_csv("t.csv", text, sizeof(text) - 1, &in, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strncmp(err, "t.csv:2: a NUL byte", 19) == 0, "%s", err);
}
END_TEST

START_TEST(test_jsonl_reads_objects_crlf_bom_and_nulls)
{
	struct input in;
	char err[INPUT_ERR_MAX] = "";
	const char *ok =
	    "\xef\xbb\xbf{\"id\":\"j1\",\"element\":\"surat\",\"orgunit\":\"35.27.03\","
	    "\"date\":\"2022-03-01\",\"value\":7}\r\n\r\n"
	    "  {\"element\":\"desa\",\"orgunit\":\"35.27.03\",\"date\":\"2022-03-01\","
	    "\"op\":\"set\",\"value\":2,\"comment\":null,\"case\":null}  \n"
	    "{\"element\":\"s\",\"orgunit\":\"o\",\"date\":\"d\",\"value\":null,"
	    "\"comment\":\"a\\nb\"}";
	ck_assert_msg(jsonl(ok, &in, err) == 0, "%s", err);
	ck_assert_int_eq(in.n, 3);
	ck_assert_str_eq(in.events[0].id, "j1");
	ck_assert_int_eq(in.events[0].value, 7);
	ck_assert_int_eq(in.events[1].op, PROTO_OP_SET);
	ck_assert_int_eq(in.lines[1], 3);
	ck_assert_int_eq(strncmp(in.events[1].id, "g-", 2), 0);
	ck_assert_int_eq(in.events[2].value, 1);
	ck_assert_str_eq(in.events[2].comment, "a\nb");
	input_free(&in);
}
END_TEST

/* A bad JSON-lines text and the start of its error message. */
static const struct {
	const char *text, *err;
} bad_jsonl[] = {
    {"{\"element\":\"s\",\"orgunit\":\"o\",\"date\":\"d\"}\n[1,2]\n", "t.jsonl:2: not one JSON"},
    {"{\"element\":\"s\"} {\"element\":\"t\"}\n", "t.jsonl:1: not one JSON"},
    {"{\"element\":\"s\",\"orgunit\":\"o\",\"date\":\"d\",\"value\":\"7\"}",
     "t.jsonl:1: value: must be a whole number (value harus bilangan bulat)"},
    {"{\"element\":\"s\",\"orgunit\":\"o\",\"date\":\"d\",\"value\":1.5}", "t.jsonl:1: value:"},
    {"{\"element\":7,\"orgunit\":\"o\",\"date\":\"d\"}", "t.jsonl:1: element: must be a string"},
    {"{\"element\":\"s\",\"orgunit\":\"o\",\"date\":\"d\",\"colour\":\"red\"}",
     "t.jsonl:1: unknown field 'colour'"},
    {"\n\n{\"element\":\"s\",\"orgunit\":\"o\"}", "t.jsonl:3: date: missing or empty"},
    {"{\"element\":\"s\",\"orgunit\":\"o\",\"date\":\"d\",\"op\":\"tutup\"}", "t.jsonl:1: op:"},
};

START_TEST(test_bad_jsonl_names_line_field_and_problem)
{
	struct input in;
	char err[INPUT_ERR_MAX] = "";
	ck_assert_int_eq(jsonl(bad_jsonl[_i].text, &in, err), -EINVAL);
	ck_assert_msg(strncmp(err, bad_jsonl[_i].err, strlen(bad_jsonl[_i].err)) == 0, "got: %s",
		      err);
	ck_assert_ptr_null(in.events);
}
END_TEST

START_TEST(test_many_rows_grow_the_arrays)
{
	size_t rows = 5000, len = 0;
	char *text = malloc(rows * 64 + 64);
	struct input in;
	char err[INPUT_ERR_MAX] = "";
	len += (size_t)sprintf(text, "element,orgunit,date,value\n");
	for (size_t i = 0; i < rows; i++)
		len += (size_t)sprintf(text + len, "surat,35.27.03,2022-03-01,%zu\n", i);
	ck_assert_int_eq(input_parse_csv("big.csv", text, len, &in, err, sizeof(err)), 0);
	ck_assert_int_eq(in.n, rows);
	ck_assert_int_eq(in.events[rows - 1].value, (int64_t)rows - 1);
	ck_assert_int_eq(in.lines[rows - 1], (int)rows + 1);
	input_free(&in);
	free(text);
}
END_TEST

/* Write text to dir/name; returns the path in buf. */
static const char *write_file(const char *dir, const char *name, const char *text, char *buf,
			      size_t n)
{
	snprintf(buf, n, "%s/%s", dir, name);
	FILE *f = fopen(buf, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return buf;
}

START_TEST(test_read_picks_the_format_from_the_name_or_the_option)
{
	char dir[] = "/tmp/iki-client-XXXXXX", path[256], err[INPUT_ERR_MAX];
	struct input in;
	const char *row = "{\"element\":\"s\",\"orgunit\":\"o\",\"date\":\"d\"}\n";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "a.CSV", "element,orgunit,date\ns,o,d\n", path, sizeof(path));
	ck_assert_msg(input_read(path, INPUT_AUTO, &in, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(in.n, 1);
	input_free(&in);
	write_file(dir, "b.jsonl", row, path, sizeof(path));
	ck_assert_msg(input_read(path, INPUT_AUTO, &in, err, sizeof(err)) == 0, "%s", err);
	input_free(&in);
	write_file(dir, "c.txt", row, path, sizeof(path));
	ck_assert_int_eq(input_read(path, INPUT_AUTO, &in, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--format"));
	ck_assert_msg(input_read(path, INPUT_JSONL, &in, err, sizeof(err)) == 0, "%s", err);
	input_free(&in);
	/* The CSV reader names the file in its errors. */
	ck_assert_int_eq(input_read(path, INPUT_CSV, &in, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "c.txt:1: ") != NULL, "%s", err);
	snprintf(path, sizeof(path), "%s/missing.csv", dir);
	ck_assert_int_eq(input_read(path, INPUT_AUTO, &in, err, sizeof(err)), -ENOENT);
	enum input_format fmt;
	ck_assert_int_eq(input_format_parse("jsonl", &fmt), 0);
	ck_assert_int_eq(fmt, INPUT_JSONL);
	ck_assert_int_eq(input_format_parse("xml", &fmt), -EINVAL);
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ---- batching ---- */

/* n events with every string at its longest (ids distinct), or small ones. */
static struct proto_event *make_events(size_t n, int longest)
{
	struct proto_event *ev = calloc(n, sizeof(*ev));
	for (size_t i = 0; i < n; i++) {
		ev[i].op = PROTO_OP_ADD;
		ev[i].value = (int64_t)i;
		snprintf(ev[i].date, sizeof(ev[i].date), "2022-03-01");
		snprintf(ev[i].orgunit, sizeof(ev[i].orgunit), "35.27.03.2001");
		snprintf(ev[i].element, sizeof(ev[i].element), "surat_masuk");
		snprintf(ev[i].id, sizeof(ev[i].id), "e%zu", i);
		if (!longest)
			continue;
		memset(ev[i].id, 'i', PROTO_ID_MAX);
		snprintf(ev[i].id, sizeof(ev[i].id), "%zu", i); /* distinct, then padded */
		ev[i].id[strlen(ev[i].id)] = 'i';
		ev[i].id[PROTO_ID_MAX] = '\0';
		memset(ev[i].element, 'e', PROTO_CODE_MAX);
		memset(ev[i].orgunit, 'o', PROTO_ORGUNIT_MAX);
		memset(ev[i].case_id, 'c', PROTO_ID_MAX);
		memset(ev[i].comment, 'm', PROTO_COMMENT_MAX);
	}
	return ev;
}

/* The encoded size of a submit of events[0..k). */
static size_t encoded(const struct proto_event *events, size_t k)
{
	struct proto_msg m = {.type = PROTO_SUBMIT,
			      .req = UINT64_MAX,
			      .events = (struct proto_event *)events,
			      .n_events = k};
	char *buf;
	size_t len;
	ck_assert_int_eq(proto_encode(&m, &buf, &len), 0);
	free(buf);
	return len;
}

START_TEST(test_batches_hold_at_most_the_event_limit)
{
	size_t n = 2 * PROTO_EVENTS_MAX + 7;
	struct proto_event *ev = make_events(n, 0);
	ck_assert_uint_eq(iki_batch_size(ev, n, 0, 0), PROTO_EVENTS_MAX);
	ck_assert_uint_eq(iki_batch_size(ev, n, 100000, PROTO_MSG_MAX), PROTO_EVENTS_MAX);
	ck_assert_uint_eq(iki_batch_size(ev, n, 1000, 0), 1000);
	ck_assert_uint_eq(iki_batch_size(ev, 7, 1000, 0), 7);
	ck_assert_uint_eq(iki_batch_size(ev, 0, 1000, 0), 0);
	free(ev);
}
END_TEST

START_TEST(test_batches_fit_the_byte_limit)
{
	size_t n = PROTO_EVENTS_MAX + 100;
	struct proto_event *ev = make_events(n, 1);
	/* Even at PROTO_EVENTS_MAX events of the longest fields, a message fits PROTO_MSG_MAX. */
	size_t k = iki_batch_size(ev, n, 0, 0);
	ck_assert_uint_ge(k, 1);
	ck_assert_uint_le(encoded(ev, k), PROTO_MSG_MAX);
	/* Under a small byte limit, batches cover every event, each fits, none is wasteful. */
	static const size_t limits[] = {2000, 65536, 1u << 20};
	for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
		size_t from = 0, batches = 0;
		while (from < n) {
			k = iki_batch_size(ev + from, n - from, 0, limits[l]);
			ck_assert_uint_ge(k, 1);
			ck_assert_msg(encoded(ev + from, k) <= limits[l], "limit %zu: %zu bytes",
				      limits[l], encoded(ev + from, k));
			if (from + k < n)
				ck_assert_uint_gt(encoded(ev + from, k + 1) * 3, limits[l] * 2);
			from += k;
			batches++;
		}
		ck_assert_uint_gt(batches, 1);
	}
	/* One event always goes, whatever the limit. */
	ck_assert_uint_eq(iki_batch_size(ev, n, 0, 10), 1);
	free(ev);
}
END_TEST

/* ---- libiki against real ZeroMQ peers scripted in a child process ---- */

static size_t peer_expect; /* events the router peer waits for before it exits */

/* Reply to one submit: odd values duplicate, even ones an error carrying the event's id. */
static void peer_reply(const struct proto_msg *q, struct proto_msg *r)
{
	*r = (struct proto_msg){.type = PROTO_SUBMITTED, .req = q->req};
	if (q->n_events && !strcmp(q->events[0].element, "refuse")) {
		*r = (struct proto_msg){.type = PROTO_ERROR, .req = q->req, .code = IKI_EBUSY};
		snprintf(r->message, sizeof(r->message), "sibuk, coba lagi");
		return;
	}
	r->results = calloc(q->n_events, sizeof(*r->results));
	r->n_results = q->n_events;
	for (size_t i = 0; i < q->n_events; i++) {
		struct proto_result *res = &r->results[i];
		res->status = q->events[i].value % 2 ? PROTO_STATUS_DUPLICATE : PROTO_STATUS_ERROR;
		res->code = IKI_EVALUE;
		snprintf(res->message, sizeof(res->message), "%s", q->events[i].id);
	}
}

/* Send every held reply, last first; returns how many there were. */
static int peer_flush(void *s, zmq_msg_t *ids, char **bufs, size_t *lens, int held)
{
	for (int i = held - 1; i >= 0; i--) {
		zmq_msg_send(&ids[i], s, ZMQ_SNDMORE);
		zmq_send(s, bufs[i], lens[i], 0);
		free(bufs[i]);
	}
	return held;
}

/*
 * A ROUTER that holds requests until none has come for 200 ms, then answers them in reverse
 * order. Exits with the most requests it held at once, once peer_expect events have come.
 */
static int router_peer(void *s)
{
	zmq_msg_t ids[IKI_CLIENT_INFLIGHT_MAX];
	char *bufs[IKI_CLIENT_INFLIGHT_MAX];
	size_t lens[IKI_CLIENT_INFLIGHT_MAX], events = 0;
	int held = 0, most = 0, timeout = 200, idle = 0;
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	while (idle < 50 && (events < peer_expect || held > 0)) {
		zmq_msg_t body;
		zmq_msg_init(&ids[held]);
		if (zmq_msg_recv(&ids[held], s, 0) < 0) {
			zmq_msg_close(&ids[held]);
			most = held > most ? held : most;
			held -= peer_flush(s, ids, bufs, lens, held);
			idle++;
			continue;
		}
		struct proto_msg q, r;
		zmq_msg_init(&body);
		zmq_msg_recv(&body, s, 0);
		if (proto_decode(zmq_msg_data(&body), zmq_msg_size(&body), &q) < 0)
			return 100;
		events += q.n_events;
		peer_reply(&q, &r);
		proto_encode(&r, &bufs[held], &lens[held]);
		free(r.results);
		proto_msg_clear(&q);
		zmq_msg_close(&body);
		held++;
	}
	return most;
}

/* A PUB that sends junk and then a valid update on "surat/...", every 20 ms, for 5 s. */
static int pub_peer(void *s)
{
	struct proto_value v = {.indicator = "surat",
				.orgunit = "35.27.03.2001",
				.period = "202203",
				.num = 8,
				.den = 10,
				.factor = 100};
	struct proto_msg m = {.type = PROTO_UPDATE, .seq = 42, .values = &v, .n_values = 1};
	struct proto_msg other = {.type = PROTO_QUERY};
	char *buf, *obuf;
	size_t len, olen;
	proto_encode(&m, &buf, &len);
	proto_encode(&other, &obuf, &olen);
	for (int i = 0; i < 250; i++) {
		zmq_send(s, "surat/junk", 10, 0);	/* one frame: no body */
		zmq_send(s, "surat/x", 7, ZMQ_SNDMORE); /* a body that is not an update */
		zmq_send(s, obuf, olen, 0);
		zmq_send(s, "akta/35.27.03/2022", 18, ZMQ_SNDMORE); /* not subscribed */
		zmq_send(s, buf, len, 0);
		zmq_send(s, "surat/35.27.03.2001/202203", 26, ZMQ_SNDMORE);
		zmq_send(s, buf, len, 0);
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
	free(buf);
	free(obuf);
	return 0;
}

/* A ROUTER that never reads: the daemon connected but silent. */
static int silent_peer(void *s)
{
	(void)s;
	sleep(10);
	return 0;
}

/* Fork a child that binds a socket of type on an ephemeral port and runs fn on it. */
static pid_t peer_start(int type, int (*fn)(void *), char *endpoint, size_t n)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, type);
		char ep[256];
		size_t len = sizeof(ep);
		int linger = 1000;
		zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
		if (zmq_bind(s, "tcp://127.0.0.1:*") < 0 ||
		    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len) < 0)
			_exit(101);
		if (write(fds[1], ep, sizeof(ep)) != (ssize_t)sizeof(ep))
			_exit(102);
		int rc = fn(s);
		zmq_close(s);
		zmq_ctx_term(ctx);
		_exit(rc);
	}
	close(fds[1]);
	char ep[256];
	ck_assert_int_eq(read(fds[0], ep, sizeof(ep)), (ssize_t)sizeof(ep));
	close(fds[0]);
	snprintf(endpoint, n, "%s", ep);
	return pid;
}

/* Wait for a peer and return its exit status. */
static int peer_wait(pid_t pid)
{
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

START_TEST(test_submit_keeps_batches_in_flight_and_matches_replies_by_req)
{
	char ep[256];
	size_t n = 95;
	struct proto_event *ev = make_events(n, 0);
	struct proto_result *res = calloc(n, sizeof(*res));
	struct iki_client *c = NULL;
	peer_expect = n;
	pid_t pid = peer_start(ZMQ_ROUTER, router_peer, ep, sizeof(ep));
	ck_assert_int_eq(iki_client_open(ep, NULL, &c), 0);
	iki_client_set_timeout(c, 5000);
	iki_client_set_batch(c, 10, 4);
	ck_assert_int_eq(iki_submit(c, ev, n, res), 0);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(res[i].status,
				 i % 2 ? PROTO_STATUS_DUPLICATE : PROTO_STATUS_ERROR);
		if (res[i].status == PROTO_STATUS_ERROR)
			ck_assert_str_eq(res[i].message, ev[i].id); /* answered out of order */
	}
	iki_client_close(&c);
	iki_client_close(&c);
	int most = peer_wait(pid);
	ck_assert_msg(most >= 2 && most <= 4, "the peer held %d requests at once", most);
	free(ev);
	free(res);
}
END_TEST

START_TEST(test_submit_whole_message_refusal_marks_its_events)
{
	char ep[256];
	size_t n = 30;
	struct proto_event *ev = make_events(n, 0);
	struct proto_result *res = calloc(n, sizeof(*res));
	struct iki_client *c = NULL;
	snprintf(ev[10].element, sizeof(ev[10].element), "refuse");
	peer_expect = n;
	pid_t pid = peer_start(ZMQ_ROUTER, router_peer, ep, sizeof(ep));
	ck_assert_int_eq(iki_client_open(ep, NULL, &c), 0);
	iki_client_set_timeout(c, 5000);
	iki_client_set_batch(c, 10, 2);
	ck_assert_int_eq(iki_submit(c, ev, n, res), IKI_EBUSY);
	ck_assert_str_eq(iki_client_message(c), "sibuk, coba lagi");
	for (size_t i = 0; i < n; i++) {
		if (i >= 10 && i < 20) {
			ck_assert_int_eq(res[i].status, PROTO_STATUS_ERROR);
			ck_assert_int_eq(res[i].code, IKI_EBUSY);
			ck_assert_str_eq(res[i].message, "sibuk, coba lagi");
		} else {
			ck_assert_int_eq(res[i].status,
					 i % 2 ? PROTO_STATUS_DUPLICATE : PROTO_STATUS_ERROR);
		}
	}
	iki_client_close(&c);
	peer_wait(pid);
	free(ev);
	free(res);
}
END_TEST

START_TEST(test_submit_and_query_time_out_when_nobody_answers)
{
	char ep[256];
	struct proto_event *ev = make_events(3, 0);
	struct proto_result res[3];
	struct proto_query q = {.period = "2022"};
	struct proto_value *vals = (struct proto_value *)1;
	size_t nv = 7;
	struct iki_client *c = NULL;
	/* A peer that binds and never reads: connected, but silent. */
	pid_t pid = peer_start(ZMQ_ROUTER, silent_peer, ep, sizeof(ep));
	ck_assert_int_eq(iki_client_open(ep, NULL, &c), 0);
	iki_client_set_timeout(c, 300);
	time_t t0 = time(NULL);
	ck_assert_int_eq(iki_submit(c, ev, 3, res), IKI_ETIMEOUT);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(res[i].code, IKI_ETIMEOUT);
	ck_assert_int_eq(iki_query(c, &q, &vals, &nv), IKI_ETIMEOUT);
	ck_assert_ptr_null(vals);
	ck_assert_uint_eq(nv, 0);
	ck_assert_int_le(time(NULL) - t0, 3);
	iki_client_close(&c);
	/* Nobody listening at all: the send itself times out (ZMQ_IMMEDIATE). */
	ck_assert_int_eq(iki_client_open("tcp://127.0.0.1:1", NULL, &c), 0);
	iki_client_set_timeout(c, 300);
	ck_assert_int_eq(iki_submit(c, ev, 3, res), IKI_ETIMEOUT);
	iki_client_close(&c);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	free(ev);
}
END_TEST

START_TEST(test_open_refuses_a_malformed_endpoint)
{
	struct iki_client *c = (struct iki_client *)1;
	ck_assert_int_eq(iki_client_open("no-such-transport", NULL, &c), -EINVAL);
	ck_assert_ptr_null(c);
	iki_client_close(&c);
	iki_client_close(NULL);
}
END_TEST

START_TEST(test_watch_skips_junk_and_returns_updates_with_seq)
{
	char ep[256];
	struct iki_client *c = NULL;
	struct proto_value v;
	pid_t pid = peer_start(ZMQ_PUB, pub_peer, ep, sizeof(ep));
	ck_assert_int_eq(iki_client_open("tcp://127.0.0.1:1", ep, &c), 0);
	ck_assert_int_eq(iki_watch_seq(c), 0);
	ck_assert_int_eq(iki_watch_next(c, &v, 10), -EINVAL); /* not opened yet */
	ck_assert_int_eq(iki_watch_open(c, "surat/"), 0);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(iki_watch_next(c, &v, 3000), 1);
		ck_assert_str_eq(v.indicator, "surat");
		ck_assert_str_eq(v.orgunit, "35.27.03.2001");
		ck_assert_str_eq(v.period, "202203");
		ck_assert_int_eq(v.num, 8);
		ck_assert_int_eq(v.den, 10);
		ck_assert_int_eq(iki_watch_seq(c), 42);
	}
	iki_client_close(&c);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("input");
	tcase_add_test(tc, test_csv_reads_fields_and_defaults);
	tcase_add_test(tc, test_csv_quotes_newlines_crlf_bom_and_column_order);
	tcase_add_test(tc, test_csv_header_ignores_case_and_spaces);
	tcase_add_test(tc, test_generated_ids_are_stable_distinct_and_documented);
	tcase_add_loop_test(tc, test_bad_csv_names_line_field_and_problem, 0,
			    (int)(sizeof(bad_csv) / sizeof(bad_csv[0])));
	tcase_add_test(tc, test_csv_with_a_nul_byte_is_refused);
	tcase_add_test(tc, test_jsonl_reads_objects_crlf_bom_and_nulls);
	tcase_add_loop_test(tc, test_bad_jsonl_names_line_field_and_problem, 0,
			    (int)(sizeof(bad_jsonl) / sizeof(bad_jsonl[0])));
	tcase_add_test(tc, test_many_rows_grow_the_arrays);
	tcase_add_test(tc, test_read_picks_the_format_from_the_name_or_the_option);
	suite_add_tcase(s, tc);

	tc = tcase_create("batch");
	tcase_add_test(tc, test_batches_hold_at_most_the_event_limit);
	tcase_add_test(tc, test_batches_fit_the_byte_limit);
	suite_add_tcase(s, tc);

	tc = tcase_create("libiki");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_submit_keeps_batches_in_flight_and_matches_replies_by_req);
	tcase_add_test(tc, test_submit_whole_message_refusal_marks_its_events);
	tcase_add_test(tc, test_submit_and_query_time_out_when_nobody_answers);
	tcase_add_test(tc, test_open_refuses_a_malformed_endpoint);
	tcase_add_test(tc, test_watch_skips_junk_and_returns_updates_with_seq);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(client_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
