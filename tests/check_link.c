/*
 * check_link.c: iki submit over bad links (tests/linkemu.py between iki and ikid): 32 kbit/s,
 * 300 ms RTT with 20 % loss, an outage mid-upload, ikid killed and restarted mid-upload, the
 * client killed with kill -9 mid-upload then iki sync, Ctrl-C, messages in Indonesian. Each ends with every event stored exactly
 * once: ikid --verify clean and the values equal to a clean run's.
 */
#define _DEFAULT_SOURCE /* setenv, mkdtemp */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "linkemu.h"
#include "proto.h" /* PROTO_ID_MAX only: nothing of the codec is linked */
#include "suite.h"

#define MINI "tests/data/mini.conf"

static struct ikid d;
static char dir[128];       /* scratch: the proxy's files, the data files, logs */
static struct linkemu emu;  /* the bad link between iki and ikid */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An integer from the environment (make field scales the conditions up), or def. */
static int env_int(const char *name, int def)
{
	const char *v = getenv(name);
	return v && *v ? atoi(v) : def;
}

static void path(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

/* A CSV of n numbered rows (surat_masuk at two villages, values 1-9) at dir/name. */
static void make_file(const char *name, int n)
{
	char p[200];
	path(p, sizeof(p), name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "no,element,orgunit,date,value,comment\n");
	for (int i = 1; i <= n; i++)
		fprintf(f, "%d,surat_masuk,35.27.03.%s,2022-%02d-%02d,%d,agenda %d\n", i,
			i % 2 ? "2001" : "2002", 1 + i % 12, 1 + i % 28, 1 + (i * 7) % 9, i);
	fclose(f);
}

/* Every value of 2022 at the kecamatan and both villages, as iki query --json prints them. */
static char *values(struct ikid *x)
{
	static const char *const ou[] = {"35.27.03", "35.27.03.2001", "35.27.03.2002"};
	char *all = NULL, args[128];
	size_t len = 0;
	FILE *mem = open_memstream(&all, &len);
	for (int i = 0; i < 3; i++) {
		char *out = NULL;
		snprintf(args, sizeof(args), "query --json --period 2022 --orgunit %s", ou[i]);
		ck_assert_int_eq(harness_iki(x, args, &out), 0);
		fputs(out, mem);
		free(out);
	}
	fclose(mem);
	return all;
}

/* What a clean run (a fresh ikid, no proxy) makes of the file: its values. */
static char *clean_values(const char *name)
{
	struct ikid s = {0};
	char args[300], *v;
	ck_assert_int_eq(harness_start(&s, MINI), 0);
	snprintf(args, sizeof(args), "submit -f %s/%s", dir, name);
	ck_assert_int_eq(harness_iki(&s, args, NULL), 0);
	v = values(&s);
	harness_stop(&s, SIGTERM);
	harness_cleanup(&s);
	return v;
}

/* iki through the proxy (its outbox is d's: harness_iki puts it in d.state). */
static int iki_via(const char *args, char **out)
{
	struct ikid v = d;
	snprintf(v.request, sizeof(v.request), "%s", emu.endpoint);
	return harness_iki(&v, args, out);
}

/* Start iki through the proxy in the background, its output into dir/log. */
static pid_t iki_async(const char *args)
{
	char bin[256], cmd[1200], log[200];
	harness_bin("iki", bin, sizeof(bin));
	path(log, sizeof(log), "log");
	snprintf(cmd, sizeof(cmd), "IKI_OUTBOX='%s/client-outbox' exec %s -s %s -u %s %s >%s 2>&1",
		 d.state, bin, emu.endpoint, d.update, args, log);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Wait up to seconds for pid; its exit status, or -1 (then it is killed). */
static int iki_wait(pid_t pid, int seconds)
{
	int st;
	for (int i = 0; i < seconds * 20; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		harness_sleep_ms(50);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* What the background iki printed (malloc'd). */
static char *iki_log(void)
{
	char p[200], *buf = NULL;
	size_t len = 0;
	path(p, sizeof(p), "log");
	FILE *f = fopen(p, "r"), *mem = open_memstream(&buf, &len);
	int ch;
	while (f && (ch = fgetc(f)) != EOF)
		fputc(ch, mem);
	if (f)
		fclose(f);
	fclose(mem);
	return buf;
}

/* ikid's log on stderr, when a test is about to fail. */
static void dump_log(void)
{
	char line[512];
	FILE *f = fopen(d.log, "r");
	while (f && fgets(line, sizeof(line), f))
		fprintf(stderr, "ikid: %s", line);
	if (f)
		fclose(f);
}

/* ikid --verify on d's state (ikid stopped first): the mismatches it reports, -1 on failure. */
static long verify(void)
{
	char bin[256], cmd[600], line[512];
	long mismatches = -1;
	harness_stop(&d, SIGTERM);
	harness_bin("ikid", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "%s --verify -c %s -d %s 2>&1", bin, MINI, d.state);
	FILE *p = popen(cmd, "r");
	while (p && fgets(line, sizeof(line), p)) {
		const char *v = strstr(line, "verify: ");
		unsigned long long ev, cmp, mis;
		if (v && sscanf(v, "verify: %llu events checked, %llu values compared, %llu mismatches",
				&ev, &cmp, &mis) == 3)
			mismatches = (long)mis;
	}
	if (p)
		pclose(p);
	return mismatches;
}

/* The end of every test: the values are the clean run's, and ikid's log and values agree. */
static void assert_stored_once(const char *want, const char *what)
{
	char *got = values(&d);
	ck_assert_msg(!strcmp(got, want), "%s: the values differ from a clean run's:\n%s\nwant:\n%s",
		      what, got, want);
	free(got);
	ck_assert_int_eq(verify(), 0);
}

/* How many events the outbox holds pending (iki outbox, no network). */
static long pending(void)
{
	char *out = NULL;
	long n = -1;
	ck_assert_int_eq(harness_iki(&d, "outbox", &out), 0);
	const char *t = strstr(out, "tertunda ");
	if (t)
		n = strtol(t + 9, NULL, 10); /* small counts: no thousands dot */
	free(out);
	return n;
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/iki-link-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, MINI), 0);
}

/* Put the link (with linkemu.py's options) between iki and d. */
static void proxy_start(const char *const *opts)
{
	ck_assert_int_eq(linkemu_start(&emu, dir, d.request, opts), 0);
}

static void teardown(void)
{
	linkemu_stop(&emu);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	harness_rmtree(dir);
}

/* Submit name (n rows) through the link; say how long it took and what it cost. */
static void submit_through(const char *what, const char *name, int n, const char *extra)
{
	char args[400], *out = NULL;
	long up, down;
	double t0 = now_s();
	snprintf(args, sizeof(args), "%s submit -f %s/%s 2>&1", extra, dir, name);
	int rc = iki_via(args, &out);
	ck_assert_msg(rc == 0, "%s: exit %d: %s", what, rc, out);
	ck_assert_msg(strstr(out, "ditolak 0"), "%s", out);
	linkemu_stop(&emu); /* then its counts are complete */
	linkemu_bytes(&emu, &up, &down);
	printf("%s: %d events in %.1f s, %ld bytes up (%.1f per event), %ld down (%.1f)\n", what,
	       n, now_s() - t0, up, (double)up / n, down, (double)down / n);
	free(out);
}

START_TEST(test_link_32_kbit_delivers_everything_once)
{
	int n = env_int("LINK_EVENTS", 600);
	const char *opts[] = {"--rate", "32000", "--delay", "20", NULL};
	make_file("a.csv", n);
	char *want = clean_values("a.csv");
	proxy_start(opts);
	/* -t 2 while a batch takes 1-3 s to cross: the stall timer must see the bytes move, or
	 * it would take the batches for lost and send them again */
	submit_through("32 kbit/s", "a.csv", n, "-t 2");
	assert_stored_once(want, "32 kbit/s");
	free(want);
}
END_TEST

START_TEST(test_link_300ms_rtt_and_20_percent_loss_deliver_everything_once)
{
	int n = env_int("LINK_EVENTS", 300);
	/* 150 ms each way; a fifth of the chunks held as long as a retransmission takes, and now
	 * and then a connection cut: what loss does to a TCP stream */
	const char *opts[] = {"--delay", "150", "--stall", "0.2", "--stall-ms", "300", "--cut",
			      "0.01", NULL};
	make_file("b.csv", n);
	char *want = clean_values("b.csv");
	proxy_start(opts);
	submit_through("300 ms RTT, 20 % loss", "b.csv", n, "-t 3");
	assert_stored_once(want, "300 ms RTT, 20 % loss");
	free(want);
}
END_TEST

START_TEST(test_link_outage_mid_upload_waits_and_finishes)
{
	int n = env_int("LINK_EVENTS", 600), outage = env_int("LINK_OUTAGE_SECONDS", 4);
	const char *opts[] = {"--rate", "64000", NULL};
	char args[300];
	make_file("c.csv", n);
	char *want = clean_values("c.csv");
	proxy_start(opts);
	snprintf(args, sizeof(args), "-t 2 submit -f %s/c.csv", dir);
	pid_t pid = iki_async(args);
	harness_sleep_ms(1500);
	linkemu_down(&emu, "silent"); /* no signal: nothing moves, nothing is closed */
	harness_sleep_ms(outage * 1000 / 2);
	linkemu_down(&emu, "cut"); /* then the radio drops the connections too */
	harness_sleep_ms(outage * 1000 - outage * 1000 / 2);
	linkemu_down(&emu, NULL);
	int rc = iki_wait(pid, 60 + outage);
	char *log = iki_log();
	if (rc != 0)
		dump_log();
	ck_assert_msg(rc == 0, "exit %d: %s", rc, log);
	ck_assert_msg(strstr(log, "diterima") && strstr(log, "ditolak 0"), "%s", log);
	/* it said why it waited, in words */
	ck_assert_msg(strstr(log, "tidak ada jawaban") || strstr(log, "koneksi terputus"), "%s", log);
	printf("outage of %d s: %s", outage, strstr(log, "diterima"));
	free(log);
	assert_stored_once(want, "outage");
	free(want);
}
END_TEST

START_TEST(test_link_ikid_killed_and_restarted_mid_upload)
{
	int n = env_int("LINK_EVENTS", 600);
	const char *opts[] = {"--rate", "64000", NULL};
	char args[300];
	make_file("d.csv", n);
	char *want = clean_values("d.csv");
	proxy_start(opts);
	snprintf(args, sizeof(args), "-t 3 submit -f %s/d.csv", dir);
	pid_t pid = iki_async(args);
	harness_sleep_ms(2000);
	harness_stop(&d, SIGKILL);
	harness_sleep_ms(1500);
	ck_assert_int_eq(harness_start(&d, MINI), 0); /* the same state, a new port */
	ck_assert_int_eq(linkemu_retarget(&emu, d.request), 0);
	int rc = iki_wait(pid, 90);
	char *log = iki_log();
	ck_assert_msg(rc == 0, "exit %d: %s", rc, log);
	ck_assert_msg(strstr(log, "ditolak 0"), "%s", log);
	free(log);
	assert_stored_once(want, "ikid killed and restarted");
	free(want);
}
END_TEST

START_TEST(test_link_client_killed_mid_upload_then_sync)
{
	int n = env_int("LINK_EVENTS", 400);
	const char *opts[] = {"--rate", "32000", NULL};
	char args[300], *out = NULL;
	make_file("e.csv", n);
	char *want = clean_values("e.csv");
	proxy_start(opts);
	snprintf(args, sizeof(args), "-t 5 submit -f %s/e.csv", dir);
	pid_t pid = iki_async(args);
	harness_sleep_ms(2500);
	kill(pid, SIGKILL);
	ck_assert_int_eq(iki_wait(pid, 5), -1);
	long left = pending();
	ck_assert_msg(left > 0 && left < n, "pending after kill -9: %ld of %d", left, n);
	int rc = harness_iki(&d, "sync --wait 2>&1", &out); /* the link is back: straight to ikid */
	ck_assert_msg(rc == 0, "sync: exit %d: %s", rc, out);
	free(out);
	ck_assert_int_eq(pending(), 0);
	/* sending the file again (the clerk is not sure) adds nothing */
	snprintf(args, sizeof(args), "submit -f %s/e.csv", dir);
	ck_assert_int_eq(harness_iki(&d, args, &out), 0);
	ck_assert_msg(strstr(out, "diterima 0,"), "%s", out);
	free(out);
	printf("kill -9 after 2,5 s: %ld of %d were still pending; iki sync sent them\n", left, n);
	assert_stored_once(want, "client killed");
	free(want);
}
END_TEST

START_TEST(test_link_ctrl_c_leaves_the_rest_in_the_outbox)
{
	const char *opts[] = {"--rate", "32000", NULL};
	char args[300], *out = NULL;
	make_file("f.csv", 300);
	char *want = clean_values("f.csv");
	proxy_start(opts);
	linkemu_down(&emu, "silent");
	snprintf(args, sizeof(args), "-t 2 submit -f %s/f.csv", dir);
	pid_t pid = iki_async(args);
	harness_sleep_ms(1500);
	kill(pid, SIGINT);
	int rc = iki_wait(pid, 10);
	char *log = iki_log();
	ck_assert_msg(rc == 4, "exit %d: %s", rc, log);
	ck_assert_msg(strstr(log, "dihentikan") && strstr(log, "aman di outbox") &&
		      strstr(log, "tertunda 300"), "%s", log);
	free(log);
	ck_assert_int_eq(pending(), 300);
	ck_assert_int_eq(harness_iki(&d, "sync", &out), 0);
	free(out);
	assert_stored_once(want, "Ctrl-C, then iki sync");
	free(want);
}
END_TEST

START_TEST(test_link_flag_event_whose_reply_is_lost_counts_once)
{
	const char *opts[] = {NULL};
	char *log, id[PROTO_ID_MAX + 1] = "", args[200], *out = NULL;
	proxy_start(opts);
	linkemu_down(&emu, "silent"); /* the request gets through late, after iki gave up on it */
	pid_t pid = iki_async("-t 1 submit --element surat_masuk --orgunit 35.27.03.2001 "
			      "--date 2022-03-01 --value 7");
	harness_sleep_ms(2500);
	linkemu_down(&emu, NULL);
	int rc = iki_wait(pid, 30);
	log = iki_log();
	ck_assert_msg(rc == 0, "exit %d: %s", rc, log);
	ck_assert_msg(strstr(log, "diterima 1, duplikat 0"), "%s", log);
	ck_assert_int_eq(sscanf(log, "id %63s", id), 1); /* printed at capture */
	free(log);
	snprintf(args, sizeof(args), "history %s", id);
	ck_assert_int_eq(harness_iki(&d, args, &out), 0);
	free(out);
	ck_assert_int_eq(harness_iki(&d, "query --json --indicator surat --period 2022 --orgunit "
				     "35.27.03.2001", &out), 0);
	ck_assert_msg(strstr(out, "\"den\":7"), "counted once: %s", out);
	free(out);
	ck_assert_int_eq(verify(), 0);
}
END_TEST

START_TEST(test_link_problems_are_told_in_indonesian)
{
	char *out = NULL;
	struct ikid x = d;
	/* a name that does not resolve */
	snprintf(x.request, sizeof(x.request), "tcp://iki-tidak-ada.invalid:7470");
	int rc = harness_iki(&x, "-t 1 submit --element surat_masuk --orgunit 35.27.03.2001 "
			     "--date 2022-03-01 --value 1 --deadline 4 2>&1", &out);
	ck_assert_msg(rc == 4, "exit %d: %s", rc, out);
	ck_assert_msg(strstr(out, "nama server tidak dapat ditemukan"), "%s", out);
	ck_assert_msg(strstr(out, "aman di outbox"), "%s", out);
	free(out);
	/* nothing listening */
	snprintf(x.request, sizeof(x.request), "tcp://127.0.0.1:1");
	rc = harness_iki(&x, "-t 1 sync --deadline 4 2>&1", &out);
	ck_assert_msg(rc == 4, "exit %d: %s", rc, out);
	ck_assert_msg(strstr(out, "koneksi ditolak"), "%s", out);
	free(out);
	/* and the event waited: sent to the real ikid, it is stored once */
	ck_assert_int_eq(harness_iki(&d, "sync", &out), 0);
	ck_assert_msg(strstr(out, "terkirim 1 dari 1"), "%s", out);
	free(out);
}
END_TEST

/* One case per condition, so that CK_RUN_CASE=outage runs one alone. */
static void add_case(Suite *s, const char *name, const TTest *t)
{
	TCase *tc = tcase_create(name);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 900); /* make field: a 10-minute outage */
	tcase_add_test(tc, t);
	suite_add_tcase(s, tc);
}

static Suite *link_suite(void)
{
	Suite *s = suite_create("link");
	add_case(s, "32kbit", test_link_32_kbit_delivers_everything_once);
	add_case(s, "loss", test_link_300ms_rtt_and_20_percent_loss_deliver_everything_once);
	add_case(s, "outage", test_link_outage_mid_upload_waits_and_finishes);
	add_case(s, "restart", test_link_ikid_killed_and_restarted_mid_upload);
	add_case(s, "kill9", test_link_client_killed_mid_upload_then_sync);
	add_case(s, "interrupt", test_link_ctrl_c_leaves_the_rest_in_the_outbox);
	add_case(s, "flag", test_link_flag_event_whose_reply_is_lost_counts_once);
	add_case(s, "messages", test_link_problems_are_told_in_indonesian);
	return s;
}

SUITE_MAIN(link_suite)
