/* check_wire.c: the wire against the real ikid: describe's elements, and the bytes a submit costs. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "curve.h"
#include "harness.h"
#include "iki_client.h"
#include "input.h"
#include "suite.h"

#define SAMPANG "catalog/sampang-2022.conf"

static struct ikid d;

static void stop_daemon(void)
{
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}

static struct iki_client *client(void)
{
	struct iki_client_options o = {.request = d.request, .update = d.update, .timeout_ms = 10000};
	struct iki_client *c = NULL;
	ck_assert_int_eq(iki_client_open(&o, &c), 0);
	return c;
}

/* ---- describe: the catalog's elements and case types ---- */

/* One [element] or [case] of a catalog file, read here without the daemon's reader. */
struct section {
	char code[64];
	bool is_case;
	char reported_by[128];
};

/* Every [element] and [case] of path with its reported_by, in file order. Returns how many. */
static int read_sections(const char *path, struct section *out, int max)
{
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	char line[1024];
	int n = 0;
	bool last = false; /* the section read is one of ours */
	while (fgets(line, sizeof(line), f)) {
		char kind[16], code[64], val[128];
		if (sscanf(line, "[%15s %63[^]]]", kind, code) == 2 &&
		    (!strcmp(kind, "element") || !strcmp(kind, "case"))) {
			ck_assert_int_lt(n, max);
			memset(&out[n], 0, sizeof(out[n]));
			snprintf(out[n].code, sizeof(out[n].code), "%s", code);
			out[n++].is_case = !strcmp(kind, "case");
			last = true;
		} else if (line[0] == '[') {
			last = false; /* another section: its keys are not ours */
		} else if (n > 0 && last && sscanf(line, "reported_by = %127[^\n]", val) == 1) {
			snprintf(out[n - 1].reported_by, sizeof(out[n - 1].reported_by), "%s", val);
		}
	}
	fclose(f);
	return n;
}

static const struct proto_element *find_element(const struct proto_msg *m, const char *code)
{
	for (size_t i = 0; i < m->n_elements; i++)
		if (!strcmp(m->elements[i].code, code))
			return &m->elements[i];
	return NULL;
}

START_TEST(test_describe_lists_every_element_and_case_with_its_reporters)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, SAMPANG), 0);
	struct iki_client *c = client();
	struct proto_msg cat;
	char message[PROTO_TEXT_MAX + 1];
	ck_assert_int_eq(iki_describe(c, &cat, message), 0);
	static struct section want[128];
	int n = read_sections(SAMPANG, want, 128), elements = 0, cases = 0;
	ck_assert_int_eq(cat.n_elements, (size_t)n);
	for (size_t i = 0; i < cat.n_elements; i++) {
		const struct proto_element *e = &cat.elements[i];
		const struct section *s = NULL;
		for (int j = 0; j < n && !s; j++)
			if (!strcmp(want[j].code, e->code))
				s = &want[j];
		ck_assert_msg(s != NULL, "%s: not in the catalog file", e->code);
		ck_assert_int_eq(e->is_case, s->is_case);
		ck_assert_msg(!strcmp(e->reported_by, s->reported_by), "%s: reported_by '%s', file '%s'",
			      e->code, e->reported_by, s->reported_by);
		ck_assert(e->name[0]);
		elements += !e->is_case;
		cases += e->is_case;
	}
	ck_assert_int_eq(elements, 39);
	ck_assert_int_eq(cases, 8);
	/* what a form needs, for one of each kind */
	const struct proto_element *sm = find_element(&cat, "surat_masuk");
	ck_assert_ptr_nonnull(sm);
	ck_assert_str_eq(sm->unit, "count");
	ck_assert_str_eq(sm->aggregate, "sum");
	ck_assert_int_eq(sm->n_ops, 1);
	ck_assert_int_eq(sm->ops[0], PROTO_OP_ADD);
	const struct proto_element *sa = find_element(&cat, "sarpras_ada");
	ck_assert_ptr_nonnull(sa);
	ck_assert_str_eq(sa->aggregate, "last");
	ck_assert_int_eq(sa->ops[0], PROTO_OP_SET);
	const struct proto_element *at = find_element(&cat, "akta_tanah");
	ck_assert_ptr_nonnull(at);
	ck_assert_int_eq(at->limit_days, 14);
	ck_assert_int_eq(at->n_ops, 2);
	ck_assert_int_eq(at->min, 1);
	ck_assert_int_eq(at->max, 1);
	ck_assert_str_eq(at->schedule, "");
	const struct proto_element *kr = find_element(&cat, "kriminal");
	ck_assert_ptr_nonnull(kr);
	ck_assert_int_eq(kr->limit_days, -1);
	const struct proto_element *lb = find_element(&cat, "lapkeu_bulanan");
	ck_assert_ptr_nonnull(lb);
	ck_assert(lb->close_at_open);
	ck_assert_str_eq(lb->schedule, "lapkeu_bulanan");
	ck_assert_str_eq(lb->every, "month");
	/* the bounds are what ikid accepts: max is taken, max + 1 refused */
	struct proto_event ev[3] = {
	    {.id = "w-1", .op = PROTO_OP_ADD, .orgunit = "35.27.03", .date = "2022-03-14"},
	    {.id = "w-2", .op = PROTO_OP_ADD, .orgunit = "35.27.03", .date = "2022-03-14"},
	    {.id = "w-3", .op = PROTO_OP_OPEN, .orgunit = "35.27.03", .date = "2022-03-14",
	     .case_id = "AT-1"},
	};
	snprintf(ev[0].element, sizeof(ev[0].element), "%s", sm->code);
	snprintf(ev[1].element, sizeof(ev[1].element), "%s", sm->code);
	snprintf(ev[2].element, sizeof(ev[2].element), "%s", at->code);
	ev[0].value = sm->max;
	ev[1].value = sm->max + 1;
	ev[2].value = at->max + 1;
	struct proto_result res[3];
	ck_assert_int_eq(iki_submit(c, ev, 3, res), 0);
	ck_assert_int_eq(res[0].status, PROTO_STATUS_OK);
	ck_assert_int_eq(res[1].code, IKI_EVALUE);
	ck_assert_int_eq(res[2].code, IKI_EVALUE);
	proto_msg_clear(&cat);
	iki_client_close(&c);
	stop_daemon();
}
END_TEST

/* ---- bytes on the socket: a relay between the client and ikid that counts them ---- */

/* A TCP relay on 127.0.0.1 to ikid's request port: one connection at a time, bytes counted. */
struct relay {
	int listener;
	int port, target;
	atomic_ullong up, down; /* client -> ikid, ikid -> client */
	atomic_bool stop;
	pthread_t thread;
};

/* Copy what fd has to to, counting it; false when fd closed or failed. */
static bool pump(int fd, int to, atomic_ullong *count)
{
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return false;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w <= 0)
			return false;
		off += w;
	}
	atomic_fetch_add(count, (unsigned long long)n);
	return true;
}

static int tcp_connect(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static void relay_one(struct relay *r, int client)
{
	int server = tcp_connect(r->target);
	struct pollfd p[2] = {{.fd = client, .events = POLLIN}, {.fd = server, .events = POLLIN}};
	while (server >= 0 && !atomic_load(&r->stop)) {
		if (poll(p, 2, 100) < 0)
			break;
		if ((p[0].revents & (POLLIN | POLLHUP)) && !pump(client, server, &r->up))
			break;
		if ((p[1].revents & (POLLIN | POLLHUP)) && !pump(server, client, &r->down))
			break;
	}
	if (server >= 0)
		close(server);
	close(client);
}

static void *relay_main(void *arg)
{
	struct relay *r = arg;
	struct pollfd p = {.fd = r->listener, .events = POLLIN};
	while (!atomic_load(&r->stop))
		if (poll(&p, 1, 100) > 0) {
			int c = accept(r->listener, NULL, NULL);
			if (c >= 0)
				relay_one(r, c);
		}
	return NULL;
}

static void relay_start(struct relay *r, const char *endpoint)
{
	memset(r, 0, sizeof(*r));
	const char *colon = strrchr(endpoint, ':');
	ck_assert_ptr_nonnull(colon);
	r->target = atoi(colon + 1);
	r->listener = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	ck_assert_int_eq(bind(r->listener, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(r->listener, 4), 0);
	ck_assert_int_eq(getsockname(r->listener, (struct sockaddr *)&a, &len), 0);
	r->port = ntohs(a.sin_port);
	ck_assert_int_eq(pthread_create(&r->thread, NULL, relay_main, r), 0);
}

static void relay_stop(struct relay *r)
{
	atomic_store(&r->stop, true);
	pthread_join(r->thread, NULL);
	close(r->listener);
}

/*
 * A typical batch: the rows of the March CSV over and over to n events, each with a device id
 * ("k7Qd3x-000001", as the outbox makes them). Every copy of a row but the first of the first
 * batch (second: the second batch) gets its own case ids (a case is opened once; a scheduled
 * report, delivered once, is left out) and, in the second batch, its own comments.
 */
static struct proto_event *typical_batch(size_t n, bool second)
{
	struct input in;
	char err[256];
	memset(&in, 0, sizeof(in));
	ck_assert_msg(input_read("tests/data/sampang-2022-03.csv", INPUT_CSV, &in, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_gt(in.n, 200);
	struct proto_event *ev = calloc(n, sizeof(*ev));
	ck_assert_ptr_nonnull(ev);
	for (size_t i = 0, row = 0; i < n; row++) {
		size_t round = row / in.n + second * 100;
		struct proto_event *e = &ev[i];
		*e = in.events[row % in.n];
		if (round && strchr(e->case_id, '/'))
			continue;
		snprintf(e->id, sizeof(e->id), "%s-%06zu", second ? "m7Qd3x" : "k7Qd3x", ++i);
		char buf[PROTO_COMMENT_MAX + 16];
		if (round && e->case_id[0]) {
			snprintf(buf, sizeof(buf), "%s-%zu", e->case_id, round);
			snprintf(e->case_id, sizeof(e->case_id), "%.64s", buf);
		}
		if (second && e->comment[0]) {
			snprintf(buf, sizeof(buf), "%s (%zu)", e->comment, round);
			snprintf(e->comment, sizeof(e->comment), "%.500s", buf);
		}
	}
	input_free(&in);
	return ev;
}

/* CURVE keys for the test: an admin pair in dir, listed in dir/clients. */
static void make_keys(const char *dir, struct curve_keys *k)
{
	char path[256], clients[256];
	ck_assert_int_eq(curve_generate(k), 0);
	snprintf(path, sizeof(path), "%s/wire", dir);
	ck_assert_int_eq(curve_write(path, k), 0);
	snprintf(clients, sizeof(clients), "%s/clients", dir);
	FILE *f = fopen(clients, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "wire admin - %s\n", k->public_key);
	fclose(f);
}

/* Send one message through a DEALER with CURVE and wait for its reply (the map form, by hand). */
static void send_raw(const char *endpoint, const struct curve_keys *k, const char *server_pub,
		     const struct proto_msg *m)
{
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0, timeout = 20000;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	ck_assert_int_eq(curve_set_client(s, k, server_pub), 0);
	ck_assert_int_eq(zmq_connect(s, endpoint), 0);
	char *buf;
	size_t len;
	ck_assert_int_eq(proto_encode(m, &buf, &len), 0);
	ck_assert_int_eq(zmq_send(s, buf, len, 0), (int)len);
	free(buf);
	zmq_msg_t reply;
	zmq_msg_init(&reply);
	ck_assert_int_ge(zmq_msg_recv(&reply, s, 0), 0);
	struct proto_msg r;
	ck_assert_int_eq(proto_decode(zmq_msg_data(&reply), zmq_msg_size(&reply), &r), 0);
	ck_assert_int_eq(r.type, PROTO_SUBMITTED);
	ck_assert_uint_eq(r.n_results, m->n_events);
	proto_msg_clear(&r);
	zmq_msg_close(&reply);
	zmq_close(s);
	zmq_ctx_term(ctx);
}

/* Upstream bytes per event of one submit of ev through the relay, with the real client. */
static double submit_through(struct relay *r, const char *keys, const char *server_pub,
			     const struct proto_event *ev, size_t n)
{
	char endpoint[64], key_file[256];
	snprintf(endpoint, sizeof(endpoint), "tcp://127.0.0.1:%d", r->port);
	snprintf(key_file, sizeof(key_file), "%s/wire.key", keys);
	struct iki_client_options o = {.request = endpoint, .timeout_ms = 20000,
				       .key_file = key_file, .server_key = server_pub};
	struct iki_client *c = NULL;
	ck_assert_int_eq(iki_client_open(&o, &c), 0);
	struct proto_result *res = calloc(n, sizeof(*res));
	unsigned long long before = atomic_load(&r->up);
	ck_assert_int_eq(iki_submit(c, ev, n, res), 0);
	unsigned long long up = atomic_load(&r->up) - before;
	size_t ok = 0, first = n;
	for (size_t i = 0; i < n; i++)
		if (res[i].status != PROTO_STATUS_ERROR)
			ok++;
		else if (first == n)
			first = i;
	ck_assert_msg(ok == n, "%zu of %zu events refused, first %s: %s", n - ok, n,
		      first < n ? ev[first].id : "", first < n ? res[first].message : "");
	free(res);
	iki_client_close(&c);
	return (double)up / (double)n;
}

START_TEST(test_a_typical_batch_costs_at_most_60_bytes_an_event_on_the_socket)
{
	char keys[] = "/tmp/iki-wire-XXXXXX", clients[64], server_pub[256];
	ck_assert_ptr_nonnull(mkdtemp(keys));
	struct curve_keys k;
	make_keys(keys, &k);
	snprintf(clients, sizeof(clients), "%s/clients", keys);
	memset(&d, 0, sizeof(d));
	const char *args[] = {"-a", clients, NULL};
	ck_assert_int_eq(harness_start_args(&d, SAMPANG, args), 0);
	snprintf(server_pub, sizeof(server_pub), "%s/server.pub", d.state);
	struct relay r;
	relay_start(&r, d.request);
	size_t n = IKI_CLIENT_BATCH;
	struct proto_event *ev = typical_batch(n, false);
	double compact = submit_through(&r, keys, server_pub, ev, n);
	/* the same events again, each comment its own: fewer strings shared */
	struct proto_event *ev2 = typical_batch(n, true);
	double distinct = submit_through(&r, keys, server_pub, ev2, n);
	/* and in the map form, by hand, for comparison (duplicates of the first: same bytes up) */
	char endpoint[64];
	snprintf(endpoint, sizeof(endpoint), "tcp://127.0.0.1:%d", r.port);
	struct curve_keys server;
	ck_assert_int_eq(curve_read(server_pub, &server), 0);
	struct proto_msg m = {.type = PROTO_SUBMIT, .req = 1, .events = ev, .n_events = n,
			      .submit_maps = true};
	unsigned long long before = atomic_load(&r.up);
	send_raw(endpoint, &k, server.public_key, &m);
	double maps = (double)(atomic_load(&r.up) - before) / (double)n;
	relay_stop(&r);
	printf("check_wire: %zu events of the March CSV, CURVE, upstream on the socket (handshake "
	       "included): %.1f bytes/event compact, %.1f with each copy's comments its own, %.1f in the map "
	       "form\n",
	       n, compact, distinct, maps);
	ck_assert_msg(compact <= 60.0 && distinct <= 60.0, "%.1f, %.1f bytes an event", compact, distinct);
	ck_assert_msg(maps > 3 * compact, "the map form (%.1f) is not what it was", maps);
	free(ev);
	free(ev2);
	stop_daemon();
	harness_rmtree(keys);
}
END_TEST

static Suite *wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("describe");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_describe_lists_every_element_and_case_with_its_reporters);
	TCase *tb = tcase_create("bytes");
	tcase_set_timeout(tb, 120);
	tcase_add_test(tb, test_a_typical_batch_costs_at_most_60_bytes_an_event_on_the_socket);
	suite_add_tcase(s, tb);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(wire_suite)
