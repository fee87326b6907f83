/* check_limits.c: what one peer can make the real ikid hold is bounded: a hand-written ZMTP
 * client streaming frames flagged MORE forever is cut, ikid's RSS stays within a bound (printed)
 * and comes back, and everyone else is served meanwhile. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "curve.h"
#include "harness.h"
#include "iki.h"
#include "proto.h"
#include "suite.h"
#include "zmtp_curve.h"

#define MINI "tests/data/mini.conf"
#define FRAME (1 << 20)               /* each frame 1 MiB, flagged MORE */
#define SEND_MAX ((size_t)1024 << 20) /* give up (the test fails) after 1 GiB */
#define RSS_BOUND_MIB 128             /* the peer bound (32 MiB) + what arrives between looks */
#define END_MS 1000                   /* a cut peer's connection is closed within this of the cut */
#define TCP_STATE_CLOSE_WAIT 8        /* tcpi_state: the peer (ikid) sent its FIN */
#define STALL_MS 10000                /* a send making no progress this long: left open */
#ifdef __SANITIZE_ADDRESS__
#define ASAN 1 /* freed memory waits in ASan's quarantine: RSS neither falls back nor stays small */
#else
#define ASAN 0
#endif

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

/* How many descriptors ikid holds. */
static int open_fds(void)
{
	int n = harness_open_fds(&d);
	ck_assert_int_ge(n, 0);
	return n;
}

/* A TCP connection to the request endpoint (tcp://127.0.0.1:PORT), or -1 when refused. */
static int tcp_try_connect(void)
{
	const char *colon = strrchr(d.request, ':');
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The same, where a refusal is a failure. */
static int tcp_connect(void)
{
	int fd = tcp_try_connect();
	ck_assert_msg(fd >= 0, "connect to ikid refused");
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

/* One query on a fresh DEALER (over CURVE as key k when k, to the server key server): whether
 * ikid answered it within timeout_ms. */
static bool serves_as(int timeout_ms, const struct curve_keys *k, const char *server)
{
	struct proto_msg q = {.type = PROTO_QUERY, .req = 7}, r;
	char *buf, in[65536];
	size_t len;
	snprintf(q.query.period, sizeof(q.query.period), "2022");
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	if (k)
		ck_assert_int_eq(curve_set_client(s, k, server), 0);
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

static bool serves(int timeout_ms)
{
	return serves_as(timeout_ms, NULL, NULL);
}

static double since_ms(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The streaming peer's side of its cut. */
struct cut {
	int fd;
	bool fin;               /* ikid's FIN came (its end shut down, the connection not closed) */
	struct timespec fin_at; /* when it was first seen */
	struct timespec stall;  /* since when no byte could be sent */
	int err;                /* why sending ended: EPIPE or ECONNRESET once ikid closed it */
};

static int tcp_state(int fd)
{
	struct tcp_info ti;
	socklen_t n = sizeof(ti);
	memset(&ti, 0, sizeof(ti));
	return getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &n) == 0 ? ti.tcpi_state : -1;
}

/* Note ikid's FIN the first time the connection is seen half closed. */
static void note_fin(struct cut *c)
{
	if (!c->fin && tcp_state(c->fd) == TCP_STATE_CLOSE_WAIT) {
		c->fin = true;
		clock_gettime(CLOCK_MONOTONIC, &c->fin_at);
	}
}

/*
 * Send n bytes on the peer's connection (its sends time out every 100 ms): false once it ended
 * (c->err), or when it was left open END_MS after ikid's FIN or stalled STALL_MS (ETIMEDOUT).
 */
static bool push(struct cut *c, const void *buf, size_t n)
{
	const char *p = buf;
	clock_gettime(CLOCK_MONOTONIC, &c->stall);
	while (n > 0) {
		ssize_t k = send(c->fd, p, n, MSG_NOSIGNAL);
		if (k > 0) {
			p += k;
			n -= (size_t)k;
			clock_gettime(CLOCK_MONOTONIC, &c->stall);
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			note_fin(c);
			if ((c->fin && since_ms(&c->fin_at) > END_MS) || since_ms(&c->stall) > STALL_MS) {
				c->err = ETIMEDOUT;
				return false;
			}
			continue;
		}
		c->err = k < 0 ? errno : EPIPE;
		return false;
	}
	note_fin(c);
	return true;
}

/* The next frame's bytes on the wire (*len), flagged MORE. */
typedef const void *(*next_frame)(void *arg, size_t *len);

/*
 * Stream frames flagged MORE on fd until ikid cuts it; assert it was cut, that the connection
 * was closed (not left open: the peer's send fails, a read sees its end) within END_MS of
 * ikid's FIN, and that ikid's RSS stayed within the bound. ikid's RSS before, in KiB.
 */
static long stream_until_cut(int fd, next_frame next, void *arg, const char *what)
{
	long base = rss_kib(), peak = base;
	int fds0 = open_fds() - 1; /* the peer's connection is open already */
	struct timeval tick = {0, 100000};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tick, sizeof(tick));
	struct cut c = {.fd = fd};
	size_t sent = 0, len;
	const void *wire;
	while (sent < SEND_MAX && (wire = next(arg, &len)) && push(&c, wire, len)) {
		sent += FRAME;
		long now = rss_kib();
		peak = now > peak ? now : peak;
	}
	double fin_ms = c.fin ? since_ms(&c.fin_at) : 0;
	char b;
	struct timeval second = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &second, sizeof(second));
	ssize_t k;
	while ((k = recv(fd, &b, 1, 0)) > 0) /* what ikid had sent, then its end */
		;
	int rerr = k < 0 ? errno : 0;
	close(fd);
	int fds = -1;
	for (int i = 0; i < END_MS / 20 && (fds = open_fds()) > fds0; i++)
		harness_sleep_ms(20); /* ikid's libzmq closes its end too */
	char how[64] = "no FIN before it";
	if (c.fin)
		snprintf(how, sizeof(how), "%.0f ms after ikid's FIN", fin_ms);
	printf("a %s peer streaming MORE frames: cut after %zu MiB sent (%s, %s); ikid's RSS %ld "
	       "MiB before, at most %ld MiB meanwhile (bound %d MiB over it)\n", what, sent >> 20,
	       strerror(c.err), how, base >> 10, peak >> 10, RSS_BOUND_MIB);
	ck_assert_msg(sent < SEND_MAX, "never cut: %zu MiB sent", sent >> 20);
	ck_assert_msg(c.err == EPIPE || c.err == ECONNRESET, "ikid left the connection open: %s",
		      strerror(c.err));
	ck_assert_msg(fin_ms < END_MS, "closed %.0f ms after ikid's FIN", fin_ms);
	ck_assert_msg(k == 0 || rerr == ECONNRESET, "a read after the cut: %s", strerror(rerr));
	ck_assert_msg(fds <= fds0, "ikid holds %d descriptors, %d before the peer", fds, fds0);
	ck_assert_msg(peak - base < RSS_BOUND_MIB << 10, "RSS grew by %ld MiB", (peak - base) >> 10);
	return base;
}

/* After a cut: ikid gives back what it held and says it cut one connection. */
static void cut_told(long base)
{
	long after = base;
	for (int i = 0; i < 50; i++) { /* what it held goes back */
		after = rss_kib();
		if (after - base < 16 << 10)
			break;
		harness_sleep_ms(20);
	}
	ck_assert_msg(ASAN || after - base < 16 << 10, "RSS %ld MiB over the start once cut",
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
}

/* Plain ZMTP: a 9-byte header (MORE, long) and 1 MiB of zeros, the same each time. */
static const void *plain_frame(void *arg, size_t *len)
{
	*len = 9 + FRAME;
	return arg;
}

START_TEST(test_a_message_that_never_ends_is_cut_and_memory_stays_bounded)
{
	start();
	ck_assert(serves(5000));
	unsigned char *wire = calloc(1, 9 + FRAME);
	memcpy(wire, (unsigned char[9]){0x03, 0, 0, 0, 0, 0, (FRAME >> 16) & 0xff, 0, 0}, 9);
	long base = stream_until_cut(zmtp_dealer(), plain_frame, wire, "plain-text");
	free(wire);
	ck_assert(serves(5000));
	cut_told(base);
	stop();
}
END_TEST

/* CURVE: each frame a MESSAGE box flagged MORE. */
static const void *curve_frame(void *arg, size_t *len)
{
	static const char zeros[FRAME];
	return zmtp_curve_box(arg, zeros, FRAME, true, len);
}

START_TEST(test_a_curve_message_that_never_ends_is_cut_and_memory_stays_bounded)
{
	char keys[] = "/tmp/iki-keys-XXXXXX", clients[64], text[256], path[200];
	char pub[CURVE_Z85_LEN + 1], sec[CURVE_Z85_LEN + 1];
	unsigned char server[32], bpub[32], bsec[32];
	ck_assert_ptr_nonnull(mkdtemp(keys));
	ck_assert_int_eq(zmq_curve_keypair(pub, sec), 0);
	snprintf(clients, sizeof(clients), "%s/clients", keys);
	snprintf(text, sizeof(text), "admin admin - %s\n", pub);
	FILE *f = fopen(clients, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start_args(&d, MINI, (const char *const[]){"-a", clients, NULL}), 0);
	struct curve_keys k, s;
	snprintf(path, sizeof(path), "%s/server.pub", d.state);
	ck_assert_int_eq(curve_read(path, &s), 0);
	memcpy(k.public_key, pub, sizeof(pub));
	memcpy(k.secret_key, sec, sizeof(sec));
	ck_assert(serves_as(5000, &k, s.public_key));
	ck_assert_ptr_nonnull(zmq_z85_decode(server, s.public_key));
	ck_assert_ptr_nonnull(zmq_z85_decode(bpub, pub));
	ck_assert_ptr_nonnull(zmq_z85_decode(bsec, sec));
	struct zmtp_curve c;
	char reason[256];
	int fd = tcp_connect();
	ck_assert_msg(zmtp_curve_handshake(&c, fd, server, bpub, bsec, "DEALER", reason) == 0,
		      "handshake: %s", reason);
	long base = stream_until_cut(fd, curve_frame, &c, "CURVE");
	zmtp_curve_free(&c);
	ck_assert(serves_as(5000, &k, s.public_key));
	cut_told(base);
	curve_wipe(&k);
	stop();
	harness_rmtree(keys);
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

/* A DEALER on the requests, with a receive timeout. */
static void *dealer(void *ctx, int timeout_ms)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	ck_assert_int_eq(zmq_connect(s, d.request), 0);
	return s;
}

/* Send m on s and wait for its reply (decoded into *r); the milliseconds it took. */
static double exchange(void *s, const struct proto_msg *m, struct proto_msg *r)
{
	char *buf, *in = malloc(PROTO_MSG_MAX);
	size_t len;
	struct timespec t0, t1;
	ck_assert_int_eq(proto_encode(m, &buf, &len), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(zmq_send(s, buf, len, 0), (int)len);
	int n = zmq_recv(s, in, PROTO_MSG_MAX, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_msg(n > 0, "no reply");
	ck_assert_int_eq(proto_decode(in, (size_t)n, r), 0);
	free(buf);
	free(in);
	return (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}

/* A submit of n events of surat_masuk at a village in March 2022, ids "<prefix>-<i>". */
static void submit_many(void *s, const char *prefix, int n, struct proto_msg *r)
{
	struct proto_msg m = {.type = PROTO_SUBMIT, .req = 1, .n_events = (size_t)n};
	m.events = calloc((size_t)n, sizeof(*m.events));
	for (int i = 0; i < n; i++) {
		struct proto_event *e = &m.events[i];
		snprintf(e->id, sizeof(e->id), "%s-%d", prefix, i);
		snprintf(e->element, sizeof(e->element), "surat_masuk");
		snprintf(e->orgunit, sizeof(e->orgunit), "35.27.03.2001");
		memcpy(e->date, "2022-03-01", 11);
		e->date[8] = (char)('0' + (i % 28 + 1) / 10);
		e->date[9] = (char)('0' + (i % 28 + 1) % 10);
		snprintf(e->comment, sizeof(e->comment), "surat nomor %d dari kantor desa", i);
		e->op = PROTO_OP_ADD;
		e->value = 1;
	}
	exchange(s, &m, r);
	proto_msg_clear(&m);
}

START_TEST(test_a_reader_that_never_reads_stalls_no_writer)
{
	start();
	void *ctx = zmq_ctx_new(), *w = dealer(ctx, 10000);
	struct proto_msg r;
	submit_many(w, "base", 5000, &r); /* a value's history now holds 5,000 events (~1 MiB) */
	ck_assert_int_eq(r.type, PROTO_SUBMITTED);
	proto_msg_clear(&r);
	long base = rss_kib();
	/* a viewer pipelines 1,500 value histories and never reads an answer */
	void *v = dealer(ctx, 1000);
	int hwm = 1;
	zmq_setsockopt(v, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	struct proto_msg h = {.type = PROTO_HISTORY, .req = 2, .limit = 4000}; /* the largest page */
	snprintf(h.query.indicator, sizeof(h.query.indicator), "surat");
	snprintf(h.query.period, sizeof(h.query.period), "2022");
	char *buf;
	size_t len;
	ck_assert_int_eq(proto_encode(&h, &buf, &len), 0);
	for (int i = 0; i < 1500; i++)
		ck_assert_int_eq(zmq_send(v, buf, len, 0), (int)len);
	free(buf);
	/* meanwhile an admin's submits are answered at once */
	double worst = 0;
	long peak = base;
	for (int i = 0; i < 50; i++) {
		char prefix[16];
		snprintf(prefix, sizeof(prefix), "w%d", i);
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		submit_many(w, prefix, 1, &r);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ck_assert_int_eq(r.type, PROTO_SUBMITTED);
		proto_msg_clear(&r);
		double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		worst = ms > worst ? ms : worst;
		long now = rss_kib();
		peak = now > peak ? now : peak;
		harness_sleep_ms(20);
	}
	printf("a viewer pipelining 1,500 history pages of 4,000 events, never reading: an admin's submit "
	       "answered in at most %.1f ms; ikid's RSS %ld -> at most %ld MiB\n",
	       worst, base >> 10, peak >> 10);
	ck_assert_msg(worst < 1000, "a submit waited %.0f ms", worst);
	ck_assert_msg(peak - base < (ASAN ? 320 : 160) << 10, "RSS grew by %ld MiB",
		      (peak - base) >> 10);
	zmq_close(v);
	zmq_close(w);
	zmq_ctx_term(ctx);
	stop();
}
END_TEST

START_TEST(test_reads_beyond_the_bound_are_refused_with_a_code)
{
	start();
	void *ctx = zmq_ctx_new(), *v = dealer(ctx, 10000);
	struct proto_msg r;
	submit_many(v, "base", 5000, &r);
	proto_msg_clear(&r);
	struct proto_msg h = {.type = PROTO_HISTORY, .req = 2};
	snprintf(h.query.indicator, sizeof(h.query.indicator), "surat");
	snprintf(h.query.period, sizeof(h.query.period), "2022");
	char *buf, *in = malloc(PROTO_MSG_MAX);
	size_t len;
	ck_assert_int_eq(proto_encode(&h, &buf, &len), 0);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(zmq_send(v, buf, len, 0), (int)len);
	int events = 0, pending = 0;
	for (int i = 0; i < 100; i++) {
		int n = zmq_recv(v, in, PROTO_MSG_MAX, 0);
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(proto_decode(in, (size_t)n, &r), 0);
		events += r.type == PROTO_EVENTS;
		if (r.type == PROTO_ERROR) {
			ck_assert_int_eq(r.code, IKI_EPENDING);
			pending++;
		}
		proto_msg_clear(&r);
	}
	printf("100 histories pipelined: %d answered, %d refused with too_many_pending\n", events,
	       pending);
	ck_assert_int_ge(events, 8);
	ck_assert_int_eq(events + pending, 100);
	free(buf);
	free(in);
	zmq_close(v);
	zmq_ctx_term(ctx);
	stop();
}
END_TEST

/* ikid's CPU time so far, in clock ticks (utime + stime of /proc/PID/stat). */
static long cpu_ticks(void)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)d.pid);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');
	long utime = 0, stime = 0;
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime,
				&stime), 2);
	return utime + stime;
}

START_TEST(test_out_of_descriptors_ikid_neither_spins_nor_blames_handshakes)
{
	struct rlimit old, low;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = (struct rlimit){64, old.rlim_max};
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0); /* ikid inherits it */
	start();
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	/* The kernel accepts them; ikid cannot take them all. Once it runs out it stops listening
	 * for a second, so the later connects may be refused: that is its answer, not a failure. */
	int fds[100], refused = 0;
	for (int i = 0; i < 100; i++)
		if ((fds[i] = tcp_try_connect()) < 0)
			refused++;
	printf("100 connections to an ikid limited to 64 descriptors: %d refused\n", refused);
	harness_sleep_ms(500);
	long t0 = cpu_ticks();
	harness_sleep_ms(2000);
	double cpu = (double)(cpu_ticks() - t0) / (double)sysconf(_SC_CLK_TCK) / 2.0;
	printf("an idle ikid at its descriptor limit: %.1f %% CPU\n", cpu * 100);
	ck_assert_msg(cpu < 0.15, "ikid spins: %.0f %% CPU", cpu * 100);
	bool said = false, blamed = false;
	FILE *f = fopen(d.log, "r");
	char line[1024];
	while (f && fgets(line, sizeof(line), f)) {
		said |= strstr(line, "out of file descriptors") != NULL;
		blamed |= strstr(line, "handshake failed") != NULL;
	}
	if (f)
		fclose(f);
	ck_assert(said);
	ck_assert(!blamed);
	for (int i = 0; i < 100; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	harness_sleep_ms(1500);
	ck_assert(serves(5000)); /* listening again */
	stop();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("limits");
	TCase *tc = tcase_create("peer");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_a_message_that_never_ends_is_cut_and_memory_stays_bounded);
	tcase_add_test(tc, test_a_curve_message_that_never_ends_is_cut_and_memory_stays_bounded);
	tcase_add_test(tc, test_a_fast_honest_client_is_not_cut);
	tcase_add_test(tc, test_a_reader_that_never_reads_stalls_no_writer);
	tcase_add_test(tc, test_reads_beyond_the_bound_are_refused_with_a_code);
	tcase_add_test(tc, test_out_of_descriptors_ikid_neither_spins_nor_blames_handshakes);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(suite)
