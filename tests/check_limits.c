/* check_limits.c: what one peer can make the real ikid hold is bounded: a hand-written ZMTP
 * client streaming frames flagged MORE forever is cut, ikid's RSS stays within a bound (printed)
 * and comes back, and everyone else is served meanwhile. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zmq.h>

#include "harness.h"
#include "iki.h"
#include "proto.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"
#define FRAME (1 << 20)               /* each frame 1 MiB, flagged MORE */
#define SEND_MAX ((size_t)1024 << 20) /* give up (the test fails) after 1 GiB */
#define RSS_BOUND_MIB 128             /* the peer bound (32 MiB) + what arrives between looks */

static struct ikid d;

static void start(void)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, MINI), 0);
}

static void stop(void)
{
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}

/* ikid's resident set, in KiB (/proc/PID/status VmRSS). */
static long rss_kib(void)
{
	char path[64], line[256];
	long kib = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)d.pid);
	FILE *f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kib;
}

/* A TCP connection to the request endpoint (tcp://127.0.0.1:PORT). */
static int tcp_connect(void)
{
	const char *colon = strrchr(d.request, ':');
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static bool send_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

/* ZMTP 3.0 by hand: greeting (NULL mechanism), the server's greeting, READY as a DEALER. */
static int zmtp_dealer(void)
{
	unsigned char g[64] = {0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0, 'N', 'U', 'L', 'L'};
	unsigned char in[64];
	static const unsigned char ready[] = {0x04, 28, 5, 'R', 'E', 'A', 'D', 'Y', 11, 'S', 'o', 'c',
					      'k', 'e', 't', '-', 'T', 'y', 'p', 'e', 0, 0, 0, 6,
					      'D', 'E', 'A', 'L', 'E', 'R'};
	int fd = tcp_connect();
	ck_assert(send_all(fd, g, sizeof(g)));
	size_t got = 0;
	while (got < sizeof(in)) {
		ssize_t k = recv(fd, in + got, sizeof(in) - got, 0);
		ck_assert_int_gt(k, 0);
		got += (size_t)k;
	}
	ck_assert_int_eq(in[0], 0xff);
	ck_assert(send_all(fd, ready, sizeof(ready)));
	return fd;
}

/* One query on a fresh DEALER: whether ikid answered it within timeout_ms. */
static bool serves(int timeout_ms)
{
	struct proto_msg q = {.type = PROTO_QUERY, .req = 7}, r;
	char *buf, in[65536];
	size_t len;
	snprintf(q.query.period, sizeof(q.query.period), "2022");
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	zmq_connect(s, d.request);
	ck_assert_int_eq(proto_encode(&q, &buf, &len), 0);
	zmq_send(s, buf, len, 0);
	free(buf);
	int n = zmq_recv(s, in, sizeof(in), 0);
	bool ok = n > 0 && proto_decode(in, (size_t)n, &r) == 0 && r.type == PROTO_VALUES;
	if (n > 0)
		proto_msg_clear(&r);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return ok;
}

START_TEST(test_a_message_that_never_ends_is_cut_and_memory_stays_bounded)
{
	start();
	ck_assert(serves(5000));
	long base = rss_kib(), peak = base;
	unsigned char hdr[9] = {0x03, 0, 0, 0, 0, 0, (FRAME >> 16) & 0xff, (FRAME >> 8) & 0xff, 0};
	char *frame = calloc(1, FRAME);
	int fd = zmtp_dealer();
	size_t sent = 0;
	while (sent < SEND_MAX && send_all(fd, hdr, sizeof(hdr)) && send_all(fd, frame, FRAME)) {
		sent += FRAME;
		long now = rss_kib();
		peak = now > peak ? now : peak;
	}
	close(fd);
	free(frame);
	printf("a peer streaming MORE frames: cut after %zu MiB sent; ikid's RSS %ld MiB before, "
	       "at most %ld MiB meanwhile (bound %d MiB over it)\n",
	       sent >> 20, base >> 10, peak >> 10, RSS_BOUND_MIB);
	ck_assert_msg(sent < SEND_MAX, "never cut: %zu MiB sent", sent >> 20);
	ck_assert_msg(peak - base < RSS_BOUND_MIB << 10, "RSS grew by %ld MiB", (peak - base) >> 10);
	ck_assert(serves(5000));
	long after = base;
	for (int i = 0; i < 50; i++) { /* what it held goes back */
		after = rss_kib();
		if (after - base < 16 << 10)
			break;
		harness_sleep_ms(20);
	}
	ck_assert_msg(after - base < 16 << 10, "RSS %ld MiB over the start once cut",
		      (after - base) >> 10);
	FILE *f = fopen(d.log, "r");
	char line[1024];
	bool said = false;
	harness_sleep_ms(1100); /* the loop reports cuts once a second */
	while (f && fgets(line, sizeof(line), f))
		said |= strstr(line, "cut 1 connection holding over 32 MiB") != NULL;
	if (f)
		fclose(f);
	ck_assert(said);
	stop();
}
END_TEST

START_TEST(test_a_fast_honest_client_is_not_cut)
{
	start();
	/* 40 MiB of complete 1 MiB messages, as fast as they go: each is read, none is cut */
	unsigned char hdr[9] = {0x02, 0, 0, 0, 0, 0, (FRAME >> 16) & 0xff, (FRAME >> 8) & 0xff, 0};
	char *frame = calloc(1, FRAME);
	int fd = zmtp_dealer();
	for (int i = 0; i < 40; i++) {
		ck_assert(send_all(fd, hdr, sizeof(hdr)));
		ck_assert(send_all(fd, frame, FRAME)); /* malformed msgpack: an error reply each */
	}
	free(frame);
	char buf[65536];
	struct timeval tv = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	size_t got = 0;
	for (ssize_t k; (k = recv(fd, buf, sizeof(buf), 0)) > 0;)
		got += (size_t)k; /* its error replies (the frames are no msgpack), until quiet */
	close(fd);
	ck_assert_uint_gt(got, 40 * 8);
	ck_assert(serves(5000));
	harness_sleep_ms(1100);
	FILE *f = fopen(d.log, "r");
	char line[1024];
	while (f && fgets(line, sizeof(line), f))
		ck_assert_msg(!strstr(line, "cut "), "%s", line);
	if (f)
		fclose(f);
	stop();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("peer");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_a_message_that_never_ends_is_cut_and_memory_stays_bounded);
	tcase_add_test(tc, test_a_fast_honest_client_is_not_cut);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(suite)
