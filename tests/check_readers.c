/* check_readers.c: the reader threads (daemon/reader.c) on a real store and a real ZeroMQ
 * context: a request handed over before the threads ever ran is queued, not refused; a stop
 * right after a start ends every thread; one peer is bounded by READER_PER_PEER, all peers
 * together by the readers' queue, and a full queue is busy (retry), not the peer's fault; a
 * signal (ikid's SIGHUP, SIGTERM) is the writer's and ends no reader. */
#define _GNU_SOURCE /* sched_setaffinity, tgkill */
#include <check.h>
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <zmq.h>

#include "catalog.h"
#include "iki.h"
#include "reader.h"
#include "reply.h"
#include "store.h"
#include "suite.h"
#include "targets.h"

static char dir[64];
static struct catalog *cat;
static struct store *st;
static struct targets *tg;
static pthread_rwlock_t tg_lock = PTHREAD_RWLOCK_INITIALIZER;
static void *ctx;
static void *out, *in; /* the writer's ROUTER, as far as the readers can tell: out -> in */

static void setup(void)
{
	char *errors = NULL;
	snprintf(dir, sizeof(dir), "/tmp/iki-readers-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(catalog_load("catalog/sampang-2022.conf", &cat, &errors), 0);
	free(errors);
	ck_assert_int_eq(store_open(dir, cat, NULL, &st), 0);
	ck_assert_int_eq(targets_load(st, cat, &tg), 0);
	ctx = zmq_ctx_new();
	ck_assert_ptr_nonnull(ctx);
	int zero = 0;
	out = zmq_socket(ctx, ZMQ_PUSH);
	in = zmq_socket(ctx, ZMQ_PULL);
	zmq_setsockopt(out, ZMQ_SNDHWM, &zero, sizeof(zero));
	zmq_setsockopt(in, ZMQ_RCVHWM, &zero, sizeof(zero));
	zmq_setsockopt(out, ZMQ_LINGER, &zero, sizeof(zero));
	ck_assert_int_eq(zmq_bind(in, "inproc://check-readers-out"), 0);
	ck_assert_int_eq(zmq_connect(out, "inproc://check-readers-out"), 0);
}

static void teardown(void)
{
	char cmd[128];
	zmq_close(out);
	zmq_close(in);
	zmq_ctx_term(ctx);
	targets_free(&tg);
	store_close(&st);
	catalog_free(&cat);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Run this process's threads (those made from now on too) on one CPU: a new thread waits. */
static void one_cpu(void)
{
	cpu_set_t one;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
}

static struct readers *start(void *on)
{
	struct read_ctx x = {st, cat, tg, &tg_lock};
	struct readers *r = NULL;
	ck_assert_int_eq(readers_new(on, &x, &r), 0);
	return r;
}

/* A request of type from the peer named peer, on the heap as the writer hands it over. */
static struct pending *request(enum proto_type type, const char *peer)
{
	struct pending *p = calloc(1, sizeof(*p));
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(zmq_msg_init_size(&p->identity, strlen(peer)), 0);
	memcpy(zmq_msg_data(&p->identity), peer, strlen(peer));
	p->msg.type = type;
	snprintf(p->msg.query.indicator, sizeof(p->msg.query.indicator), "iki01");
	snprintf(p->msg.query.period, sizeof(p->msg.query.period), "2022");
	snprintf(p->client.name, sizeof(p->client.name), "%s", peer);
	p->who = p->client.name;
	p->fd = -1;
	return p;
}

/* Hand one request over; its code (the request freed either way). */
static int submit(struct readers *r, enum proto_type type, const char *peer)
{
	struct pending *p = request(type, peer);
	int rc = readers_submit(r, &p);
	ck_assert(rc == 0 ? p == NULL : p != NULL);
	pending_free(&p);
	return rc;
}

/* Take n answers as the writer does (readers_forward, which counts them answered), each
 * [identity] [body], onto a socket of the test's own; 10 s at most for each. */
static void answers(struct readers *r, int n)
{
	int got = 0;
	while (got < n) {
		zmq_pollitem_t it = {.socket = readers_socket(r), .events = ZMQ_POLLIN};
		ck_assert_msg(zmq_poll(&it, 1, 10000) == 1, "answer %d of %d did not come", got + 1, n);
		readers_forward(r, out);
		for (int frames = 0, more = 1;; frames = 0, more = 1, got++) {
			while (more) {
				zmq_msg_t f;
				zmq_msg_init(&f);
				if (zmq_msg_recv(&f, in, frames ? 0 : ZMQ_DONTWAIT) < 0)
					break;
				more = zmq_msg_more(&f);
				zmq_msg_close(&f);
				frames++;
			}
			if (!frames)
				break;
			ck_assert_int_eq(frames, 2);
		}
	}
	ck_assert_int_eq(got, n);
}

START_TEST(test_a_read_before_the_readers_ran_is_queued)
{
	one_cpu(); /* the readers made now wait for this thread to give the CPU up */
	struct readers *r = start(ctx);
	ck_assert_int_eq(submit(r, PROTO_WHOAMI, "peer-a"), 0);
	ck_assert_int_eq(submit(r, PROTO_QUERY, "peer-b"), 0);
	ck_assert_int_eq(submit(r, PROTO_DESCRIBE, "peer-c"), 0);
	answers(r, 3);
	readers_free(&r);
	ck_assert_ptr_null(r);
}
END_TEST

START_TEST(test_a_stop_right_after_a_start_ends_every_reader)
{
	one_cpu();
	for (int i = 0; i < 20; i++) { /* a thread left waiting would hang here (the test's timeout) */
		void *own = zmq_ctx_new(); /* its inproc names are free again only once it ends */
		struct readers *r = start(own);
		readers_free(&r);
		zmq_ctx_term(own);
	}
}
END_TEST

START_TEST(test_a_full_queue_is_busy_and_one_peer_is_bounded)
{
	struct readers *r = start(ctx);
	char peer[32];
	int taken = 0, rc = 0;
	pthread_rwlock_wrlock(&tg_lock); /* every query waits for it: the readers are stuck */
	for (int i = 0; i < READER_PER_PEER; i++, taken++)
		ck_assert_int_eq(submit(r, PROTO_QUERY, "greedy"), 0);
	ck_assert_int_eq(submit(r, PROTO_QUERY, "greedy"), IKI_EPENDING);
	for (int i = 0; rc == 0 && i < 100000; i++) {
		snprintf(peer, sizeof(peer), "peer-%d", i);
		rc = submit(r, PROTO_QUERY, peer);
		taken += rc == 0;
	}
	ck_assert_int_eq(rc, IKI_EBUSY); /* not too_many_pending: this peer asked once */
	/* each reader holds one, its queue READER_QUEUE and the one it may take in: no more */
	ck_assert_int_ge(taken, READER_QUEUE);
	ck_assert_int_le(taken, READER_THREADS * (READER_QUEUE + 2));
	pthread_rwlock_unlock(&tg_lock);
	answers(r, taken);
	ck_assert_int_eq(submit(r, PROTO_QUERY, "greedy"), 0); /* answered: it may ask again */
	answers(r, 1);
	readers_free(&r);
}
END_TEST

static void on_signal(int sig)
{
	(void)sig;
}

/* Send sig to every thread of this process but the caller's (the readers', libzmq's). */
static void signal_the_others(int sig)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	pid_t self = (pid_t)syscall(SYS_gettid);
	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		if (atoi(de->d_name) > 0 && atoi(de->d_name) != self)
			syscall(SYS_tgkill, getpid(), atoi(de->d_name), sig);
	closedir(d);
}

START_TEST(test_a_signal_ends_no_reader)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART, as ikid's handlers */
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGUSR1, &sa, NULL), 0);
	struct readers *r = start(ctx);
	ck_assert_int_eq(submit(r, PROTO_WHOAMI, "peer-a"), 0); /* one to each reader, in turn */
	ck_assert_int_eq(submit(r, PROTO_WHOAMI, "peer-b"), 0);
	answers(r, 2); /* both ran: each waits in zmq_recv for the next */
	usleep(100 * 1000);
	signal_the_others(SIGUSR1);
	usleep(200 * 1000);
	char peer[32];
	for (int i = 0; i < 2 * READER_THREADS; i++) {
		snprintf(peer, sizeof(peer), "peer-%d", i);
		ck_assert_int_eq(submit(r, PROTO_WHOAMI, peer), 0);
	}
	answers(r, 2 * READER_THREADS); /* a reader ended by EINTR would leave its two unanswered */
	readers_free(&r);
}
END_TEST

static Suite *readers_suite(void)
{
	Suite *s = suite_create("readers");
	TCase *tc = tcase_create("readers");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_a_read_before_the_readers_ran_is_queued);
	tcase_add_test(tc, test_a_stop_right_after_a_start_ends_every_reader);
	tcase_add_test(tc, test_a_full_queue_is_busy_and_one_peer_is_bounded);
	tcase_add_test(tc, test_a_signal_ends_no_reader);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(readers_suite)
