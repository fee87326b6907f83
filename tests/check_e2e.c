/* check_e2e.c: the real ikid on a fresh LMDB and ephemeral ports, driven by the real iki. */
#include <check.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "harness.h"
#include "iki.h"
#include "proto.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"
#define V1 "35.27.03.2001"
#define V2 "35.27.03.2002"

static struct ikid d;

static void start_mini(void)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, MINI), 0);
}

static void stop_mini(void)
{
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}

/* num and den of one indicator through `iki query --json`; -1/-1 when the query failed. */
static void query(const char *ind, const char *ou, const char *period, int64_t *num, int64_t *den)
{
	char args[256], *out = NULL;
	snprintf(args, sizeof(args), "query --json --indicator %s --period %s%s%s", ind, period,
		 ou[0] ? " --orgunit " : "", ou);
	*num = *den = -1;
	int rc = harness_iki(&d, args, &out);
	ck_assert_msg(rc == 0, "iki %s: exit %d: %s", args, rc, out ? out : "");
	json_object *arr = json_tokener_parse(out);
	ck_assert_msg(arr && json_object_is_type(arr, json_type_array), "not a JSON array: %s", out);
	ck_assert_int_eq(json_object_array_length(arr), 1);
	json_object *v = json_object_array_get_idx(arr, 0), *f;
	ck_assert(json_object_object_get_ex(v, "num", &f));
	*num = json_object_get_int64(f);
	ck_assert(json_object_object_get_ex(v, "den", &f));
	*den = json_object_get_int64(f);
	json_object_put(arr);
	free(out);
}

#define ASSERT_VALUE(ind, ou, period, n, dd)                                          \
	do {                                                                          \
		int64_t num_, den_;                                                   \
		query(ind, ou, period, &num_, &den_);                                 \
		ck_assert_msg(num_ == (n) && den_ == (dd),                            \
			      "%s %s %s: got %lld/%lld, want %lld/%lld", ind, ou, period, \
			      (long long)num_, (long long)den_, (long long)(n),        \
			      (long long)(dd));                                        \
	} while (0)

static void assert_mini_month(void)
{
	ASSERT_VALUE("surat", V1, "202203", 8, 10);
	ASSERT_VALUE("surat", "", "2022Q1", 13, 15);
	ASSERT_VALUE("akta", V1, "202203", 1, 1);
	ASSERT_VALUE("akta", "", "2022", 1, 2);
	ASSERT_VALUE("tertib", "", "202203", 1, 2);
	ASSERT_VALUE("tertib", V1, "2022", 0, 1);
}

START_TEST(test_e2e_submit_file_then_query_values)
{
	char *out = NULL;
	int rc = harness_iki(&d, "submit -f tests/data/mini-month.csv", &out);
	ck_assert_msg(rc == 0, "submit: exit %d: %s", rc, out);
	free(out);
	assert_mini_month();
}
END_TEST

/* One value's target, capaian and predikat through `iki query --json` (target -1: none). */
static void assert_capaian(const char *ind, const char *ou, const char *period, double target,
			   double capaian, const char *predikat)
{
	char args[256], *out = NULL;
	snprintf(args, sizeof(args), "query --json --indicator %s --period %s%s%s", ind, period,
		 ou[0] ? " --orgunit " : "", ou);
	ck_assert_int_eq(harness_iki(&d, args, &out), 0);
	json_object *arr = json_tokener_parse(out), *v = json_object_array_get_idx(arr, 0), *f;
	if (target < 0) {
		ck_assert_msg(!json_object_object_get_ex(v, "target", &f), "%s: a target", args);
		ck_assert(!json_object_object_get_ex(v, "capaian", &f));
	} else {
		ck_assert_msg(json_object_object_get_ex(v, "target", &f), "%s: no target: %s", args,
			      out);
		ck_assert_double_eq_tol(json_object_get_double(f), target, 1e-9);
		ck_assert(json_object_object_get_ex(v, "capaian", &f));
		ck_assert_double_eq_tol(json_object_get_double(f), capaian, 0.005);
		ck_assert(json_object_object_get_ex(v, "predikat", &f));
		ck_assert_str_eq(json_object_get_string(f), predikat);
	}
	json_object_put(arr);
	free(out);
}

START_TEST(test_e2e_values_carry_target_capaian_and_predikat)
{
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
	assert_capaian("surat", V1, "202203", 90, 88.89, "Baik");       /* 80 % of 90 */
	assert_capaian("surat", "", "2022Q1", 90, 96.30, "Sangat Baik"); /* 13/15 = 86.67 % */
	assert_capaian("akta", "", "2022", 80, 62.50, "Kurang");         /* 1/2 = 50 % */
	assert_capaian("akta", V1, "202203", 70, 142.86, "Sangat Baik"); /* triwulan I: 70 */
	assert_capaian("tertib", "", "2022", -1, 0, NULL);               /* no target */
	/* no data: the target, and no capaian */
	char *out = NULL;
	ck_assert_int_eq(harness_iki(&d, "query --json --indicator akta --period 2022Q2", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"target\":75.5"));
	ck_assert_ptr_null(strstr(out, "capaian"));
	free(out);
	/* the table shows them too, in Indonesian */
	ck_assert_int_eq(harness_iki(&d, "query --indicator surat --period 2022Q1", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "Capaian"));
	ck_assert_ptr_nonnull(strstr(out, "96,30")); /* a number for people: 96,30 */
	ck_assert_ptr_nonnull(strstr(out, "Sangat Baik"));
	free(out);
}
END_TEST

START_TEST(test_e2e_targets_set_at_run_time_decide_capaian)
{
	char *out = NULL;
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
	/* triwulan I of surat: 13/15 = 86.67 % against the catalog's 90 */
	assert_capaian("surat", "", "2022Q1", 90, 96.30, "Sangat Baik");
	ck_assert_int_eq(harness_iki(&d, "target --indicator surat --period 2022Q1 --set 95,5", &out),
			 0);
	ck_assert_ptr_nonnull(strstr(out, "95,50"));
	ck_assert_ptr_nonnull(strstr(out, "90,00")); /* the original, kept */
	free(out);
	assert_capaian("surat", "", "2022Q1", 95.5, 90.75, "Baik");
	assert_capaian("surat", V1, "202203", 95.5, 83.77, "Baik"); /* village and month inherit */
	assert_capaian("surat", "", "2022", 90, 96.30, "Sangat Baik"); /* the year keeps its own */
	ck_assert_int_eq(harness_iki(&d, "query --json --indicator surat --period 2022Q1", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"target_original\":90"));
	free(out);
	/* a village's own target beats the kecamatan's */
	ck_assert_int_eq(harness_iki(&d, "target --indicator surat --period 2022 --orgunit "
				     V1 " --set 80", NULL), 0);
	assert_capaian("surat", V1, "202203", 80, 100.0, "Sangat Baik");
	/* refusals: a month, an unknown indicator */
	ck_assert_int_eq(harness_iki(&d, "target --indicator surat --period 202203 --set 9 2>&1",
				     &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "bad_period"));
	free(out);
	/* kept across a crash */
	harness_stop(&d, SIGKILL);
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	assert_capaian("surat", "", "2022Q1", 95.5, 90.75, "Baik");
	ck_assert_int_eq(harness_iki(&d, "target", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "35.27.03.2001"));
	free(out);
}
END_TEST

START_TEST(test_e2e_corrections_move_values_and_history_tells)
{
	char *out = NULL;
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
	ASSERT_VALUE("surat", V1, "202203", 8, 10);
	ck_assert_int_eq(harness_iki(&d, "submit --id fix1 --element surat_masuk --orgunit " V1
				     " --date 2022-03-20 --value 2", NULL), 0);
	ASSERT_VALUE("surat", V1, "202203", 8, 12);
	ck_assert_int_eq(harness_iki(&d, "submit --id fix2 --ref fix1 --element surat_masuk "
				     "--orgunit " V1 " --date 2022-03-20 --value 5", NULL), 0);
	ASSERT_VALUE("surat", V1, "202203", 8, 15);
	ck_assert_int_eq(harness_iki(&d, "submit --id fix3 --void fix2", NULL), 0);
	ASSERT_VALUE("surat", V1, "202203", 8, 10);
	ck_assert_int_eq(harness_iki(&d, "history fix1 --json", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"voided_by\":\"fix2\""));
	ck_assert_ptr_nonnull(strstr(out, "\"voided_by\":\"fix3\""));
	free(out);
	/* a lock: nothing gets in, corrections included, until it is lifted */
	ck_assert_int_eq(harness_iki(&d, "lock 2022Q1", NULL), 0);
	ck_assert_int_eq(harness_iki(&d, "submit --id late --element surat_masuk --orgunit " V1
				     " --date 2022-01-05 --value 1 2>&1", &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "locked"));
	free(out);
	harness_stop(&d, SIGTERM);
	ck_assert_int_eq(harness_start(&d, MINI), 0); /* locks survive a restart */
	ck_assert_int_eq(harness_iki(&d, "submit --id late --element surat_masuk --orgunit " V1
				     " --date 2022-01-05 --value 1", NULL), 1);
	ck_assert_int_eq(harness_iki(&d, "unlock 2022Q1", NULL), 0);
	ck_assert_int_eq(harness_iki(&d, "submit --id late --element surat_masuk --orgunit " V1
				     " --date 2022-01-05 --value 1", NULL), 0);
	ASSERT_VALUE("surat", V1, "2022Q1", 8, 11);
}
END_TEST

/* The reports a schedule makes due: owed before anything is delivered, on time by the due date,
 * counted in the month they report on. */
START_TEST(test_e2e_scheduled_reports_are_owed_and_judged_by_due_date)
{
	struct ikid s = {0};
	struct ikid saved = d;
	char *out = NULL;
	ck_assert_int_eq(harness_start(&s, "tests/data/schedule.conf"), 0);
	d = s;
	ASSERT_VALUE("lapkeu", "", "2022", 0, 12);  /* twelve reports owed, none delivered */
	ASSERT_VALUE("lapkeu", "", "2022Q1", 0, 3);
	ASSERT_VALUE("lapkeu", "", "202201", 0, 1);
	/* January's, on 2022-02-10 (the due date): on time, counted in January */
	ck_assert_int_eq(harness_iki(&d, "submit --element lapkeu --op close --case "
				     "lapkeu_bulanan/202201 --orgunit 35.27.03 --date 2022-02-10", &out), 0);
	free(out);
	ASSERT_VALUE("lapkeu", "", "202201", 1, 1);
	ASSERT_VALUE("lapkeu", "", "202202", 0, 1);
	/* February's, a day late: delivered, not on time */
	ck_assert_int_eq(harness_iki(&d, "submit --element lapkeu --op close --case "
				     "lapkeu_bulanan/202202 --orgunit 35.27.03 --date 2022-03-11", NULL), 0);
	ASSERT_VALUE("lapkeu", "", "202202", 0, 1);
	/* December's, on time in January 2023: it counts in 2022 */
	ck_assert_int_eq(harness_iki(&d, "submit --element lapkeu --op close --case "
				     "lapkeu_bulanan/202212 --orgunit 35.27.03 --date 2023-01-09", NULL), 0);
	ASSERT_VALUE("lapkeu", "", "2022", 2, 12);
	ASSERT_VALUE("lapkeu", "", "2023", 0, 0);
	/* a report counts in the month it reports on: once that month is locked, its close is
	 * refused, whatever the close's own date */
	ck_assert_int_eq(harness_iki(&d, "lock 2022Q1", NULL), 0);
	ck_assert_int_eq(harness_iki(&d, "submit --element lapkeu --op close --case "
				     "lapkeu_bulanan/202203 --orgunit 35.27.03 --date 2022-04-05 2>&1",
				     &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "locked"));
	free(out);
	ASSERT_VALUE("lapkeu", "", "2022Q1", 1, 3);
	ck_assert_int_eq(harness_iki(&d, "unlock 2022Q1", NULL), 0);
	/* a restart owes nothing twice */
	harness_stop(&d, SIGTERM);
	ck_assert_int_eq(harness_start(&d, "tests/data/schedule.conf"), 0);
	ASSERT_VALUE("lapkeu", "", "2022", 2, 12);
	ck_assert_int_eq(harness_iki(&d, "history jadwal/lapkeu_bulanan/202201", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "oleh jadwal"));
	free(out);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	d = saved;
}
END_TEST

START_TEST(test_e2e_resubmitting_a_file_changes_nothing)
{
	char *out = NULL;
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", &out), 0);
	ck_assert_msg(strstr(out, "duplikat 10") != NULL, "summary should count 10 duplicates: %s",
		      out);
	free(out);
	assert_mini_month();
}
END_TEST

START_TEST(test_e2e_values_survive_clean_stop_and_kill_9)
{
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
	int st = harness_stop(&d, SIGTERM);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	assert_mini_month();
	harness_stop(&d, SIGKILL);
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	assert_mini_month();
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
	assert_mini_month();
}
END_TEST

START_TEST(test_e2e_rejected_events_get_codes_and_exit_1)
{
	char *out = NULL;
	int rc = harness_iki(&d, "submit --element surat_masuk --orgunit 35.27.03.9999 --date 2022-03-01 --value 3 2>&1", &out);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(out, "unknown_orgunit") && strstr(out, "Kemendagri"), "%s", out);
	free(out);
	rc = harness_iki(&d, "submit --element surat_masuk --orgunit " V1 " --date 2022-02-30 --value 3 2>&1", &out);
	ck_assert_int_eq(rc, 1);
	ck_assert_msg(strstr(out, "bad_date"), "%s", out);
	free(out);
	/* no value is implied: a flag event or a file row of an add or a set without one is a
	 * usage error before anything is captured; a case needs none */
	rc = harness_iki(&d, "submit --element surat_masuk --orgunit " V1 " --date 2022-03-01 2>&1",
			 &out);
	ck_assert_int_eq(rc, 2);
	ck_assert_msg(strstr(out, "value kosong: tulis jumlahnya, juga bila 1") &&
		      strstr(out, "beri --value N"), "%s", out);
	free(out);
	char path[300], cmd[400];
	snprintf(path, sizeof(path), "%s/bare.csv", d.state);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("id,element,orgunit,date,value\n"
	      "b1,surat_masuk," V1 ",2022-03-01,2\n"
	      "b2,surat_tepat," V1 ",2022-03-01,\n", f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "submit -f %s 2>&1", path);
	ck_assert_int_eq(harness_iki(&d, cmd, &out), 2);
	ck_assert_msg(strstr(out, "bare.csv:3: value kosong") && strstr(out, "baris 3, kolom E"),
		      "%s", out);
	free(out);
	ASSERT_VALUE("surat", "", "2022", 0, 0);
	ck_assert_int_eq(harness_iki(&d, "submit --element surat_masuk --orgunit " V1 " --date 2022-03-01 --value 3", NULL), 0);
	ASSERT_VALUE("surat", "", "2022", 0, 3);
	ck_assert_int_eq(harness_iki(&d, "submit --element akta --op open --case K1 --orgunit " V1
				     " --date 2022-03-01", NULL), 0);
	ASSERT_VALUE("akta", "", "2022", 0, 1);
}
END_TEST

/* A DEALER connected to the daemon's requests, giving up on a reply after 10 s. */
static void *dealer(void *ctx)
{
	void *s = zmq_socket(ctx, ZMQ_DEALER);
	int timeout = 10000, linger = 0;
	ck_assert_ptr_nonnull(s);
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	ck_assert_int_eq(zmq_connect(s, d.request), 0);
	return s;
}

/* Receive one reply and decode it into *reply. */
static void recv_reply(void *s, struct proto_msg *reply)
{
	char in[65536];
	int n = zmq_recv(s, in, sizeof(in), 0);
	ck_assert_msg(n > 0, "no reply");
	ck_assert_int_eq(proto_decode(in, (size_t)n, reply), 0);
}

/* Send raw bytes on a DEALER and return the decoded reply's type and code. */
static void raw_request(const void *buf, size_t len, struct proto_msg *reply)
{
	void *ctx = zmq_ctx_new(), *s = dealer(ctx);
	ck_assert_int_eq(zmq_send(s, buf, len, 0), (int)len);
	recv_reply(s, reply);
	zmq_close(s);
	zmq_ctx_term(ctx);
}

START_TEST(test_e2e_malformed_messages_get_error_replies_and_daemon_serves_on)
{
	struct proto_msg r;
	raw_request("\x93\x01\x02", 3, &r); /* an array, not a map */
	ck_assert_int_eq(r.type, PROTO_ERROR);
	ck_assert_int_eq(r.code, IKI_EMALFORMED);
	proto_msg_clear(&r);
	raw_request("\xdd\xff\xff\xff\xff", 5, &r); /* array32 claiming 4 billion items */
	ck_assert_int_eq(r.code, IKI_EMALFORMED);
	proto_msg_clear(&r);
	static const char v2[] = "\x82\xa1v\x02\xa4type\xa5query";
	raw_request(v2, sizeof(v2) - 1, &r);
	ck_assert_int_eq(r.code, IKI_EVERSION);
	proto_msg_clear(&r);
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
	assert_mini_month();
}
END_TEST

/* Send m on s and decode the reply into *r. */
static void ask(void *s, const struct proto_msg *m, struct proto_msg *r)
{
	char *buf;
	size_t len;
	ck_assert_int_eq(proto_encode(m, &buf, &len), 0);
	ck_assert_int_eq(zmq_send(s, buf, len, 0), (int)len);
	free(buf);
	recv_reply(s, r);
}

START_TEST(test_e2e_long_answers_come_in_pages_with_a_cursor)
{
	void *ctx = zmq_ctx_new(), *s = dealer(ctx);
	struct proto_msg m = {.type = PROTO_SNAPSHOT, .req = 1}, whole, r;
	size_t got = 0, pages = 0;
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
	ask(s, &m, &whole); /* small enough for one page: no cursor */
	ck_assert_int_eq(whole.type, PROTO_VALUES);
	ck_assert_uint_gt(whole.n_values, 6);
	ck_assert_str_eq(whole.next, "");
	m.limit = 5;
	do { /* pages of 5 until the last, which names no next */
		ask(s, &m, &r);
		ck_assert_int_eq(r.type, PROTO_VALUES);
		ck_assert_uint_le(r.n_values, 5);
		for (size_t i = 0; i < r.n_values; i++, got++) {
			ck_assert_str_eq(r.values[i].indicator, whole.values[got].indicator);
			ck_assert_str_eq(r.values[i].orgunit, whole.values[got].orgunit);
			ck_assert_str_eq(r.values[i].period, whole.values[got].period);
		}
		snprintf(m.after, sizeof(m.after), "%s", r.next);
		pages++;
		proto_msg_clear(&r);
	} while (m.after[0]);
	ck_assert_uint_eq(got, whole.n_values);
	ck_assert_uint_eq(pages, (whole.n_values + 4) / 5);
	/* a value's history, pages of 2 */
	struct proto_msg h = {.type = PROTO_HISTORY, .req = 2, .limit = 2}, all;
	snprintf(h.query.indicator, sizeof(h.query.indicator), "surat");
	snprintf(h.query.period, sizeof(h.query.period), "2022");
	struct proto_msg one = h;
	one.limit = 0;
	ask(s, &one, &all);
	ck_assert_int_eq(all.type, PROTO_EVENTS);
	ck_assert_uint_gt(all.n_stored, 2);
	got = 0;
	do {
		ask(s, &h, &r);
		ck_assert_int_eq(r.type, PROTO_EVENTS);
		for (size_t i = 0; i < r.n_stored; i++, got++)
			ck_assert_str_eq(r.stored[i].ev.id, all.stored[got].ev.id);
		snprintf(h.after, sizeof(h.after), "%s", r.next);
		proto_msg_clear(&r);
	} while (h.after[0]);
	ck_assert_uint_eq(got, all.n_stored);
	snprintf(m.after, sizeof(m.after), "nothing/at/all"); /* a cursor that is not one */
	ask(s, &m, &r);
	ck_assert_int_eq(r.type, PROTO_ERROR);
	ck_assert_int_eq(r.code, IKI_EFIELD);
	proto_msg_clear(&r);
	proto_msg_clear(&all);
	proto_msg_clear(&whole);
	zmq_close(s);
	zmq_ctx_term(ctx);
}
END_TEST

START_TEST(test_e2e_watch_prints_published_changes)
{
	char bin[256], cmd[1024], line[512];
	harness_bin("iki", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "timeout -k 2 10 %s -s %s -u %s watch --indicator surat", bin, d.request,
		 d.update);
	FILE *w = popen(cmd, "r");
	ck_assert_ptr_nonnull(w);
	/* -k 2: a watcher that does not end on SIGTERM at 10 s is killed (ASan's leak check at its
	 * exit was seen hanging, and pclose with it, when the machine was loaded). A SUB socket
	 * joins asynchronously: the first updates may go before it is connected, so
	 * submit a few, spaced out; the watcher prints (and flushes) a line for each it receives. */
	harness_sleep_ms(300);
	for (int i = 1; i <= 5; i++) {
		char args[256];
		snprintf(args, sizeof(args), "submit --id w%d --element surat_masuk --orgunit " V2
			 " --date 2022-05-0%d --value 2", i, i);
		ck_assert_int_eq(harness_iki(&d, args, NULL), 0);
		harness_sleep_ms(200);
	}
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), w));
	ck_assert_msg(strstr(line, "surat") && strstr(line, "35.27.03"), "watch printed: %s", line);
	pclose(w);
}
END_TEST

/* A watcher that joins after the events starts from a snapshot: the same values as a query. */
START_TEST(test_e2e_late_watcher_starts_from_a_snapshot)
{
	char args[512], *out = NULL;
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
	snprintf(args, sizeof(args), "watch --indicator surat --period 2022Q1 --json & sleep 1; "
		 "kill $!");
	harness_iki(&d, args, &out);
	ck_assert_ptr_nonnull(out);
	ck_assert_msg(strstr(out, "\"orgunit\":\"35.27.03\",\"period\":\"2022Q1\",\"num\":13,"
			      "\"den\":15") != NULL, "watch printed: %s", out);
	ck_assert_msg(strstr(out, "202203") == NULL, "the period filter let through: %s", out);
	free(out);
}
END_TEST

START_TEST(test_e2e_ikid_n_checks_the_catalog)
{
	char bin[256], cmd[2048], buf[512] = "";
	harness_bin("ikid", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "%s -n -c catalog/sampang-2022.conf 2>&1", bin);
	FILE *p = popen(cmd, "r");
	size_t n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_str_eq(buf, "configuration OK\n");
	snprintf(cmd, sizeof(cmd), "printf '[element x]\\nname = X\\nwhat = y\\n' > %s/bad.conf; %s -n -c %s/bad.conf 2>&1",
		 d.state, bin, d.state);
	p = popen(cmd, "r");
	n = fread(buf, 1, sizeof(buf) - 1, p);
	buf[n] = '\0';
	ck_assert_int_ne(pclose(p), 0);
	ck_assert_msg(strstr(buf, "bad.conf:3"), "%s", buf);
}
END_TEST

/*
 * Mutated messages: a valid submit with bytes flipped, cut or repeated, 2000 times, pipelined on
 * one DEALER (100 in flight). Every request gets exactly one decodable reply (an error, or a result per event),
 * and the daemon serves on: under `make asan` any memory error in the decoder would kill it.
 */
START_TEST(test_e2e_mutated_messages_never_kill_the_daemon)
{
	struct proto_event ev[3] = {
		{.id = "zz1", .element = "surat_masuk", .orgunit = V1, .date = "2022-03-01",
		 .op = PROTO_OP_ADD, .value = 4},
		{.id = "zz2", .element = "surat_tepat", .orgunit = V1, .date = "2022-03-02",
		 .op = PROTO_OP_ADD, .value = 3},
		{.id = "zz3", .element = "akta", .orgunit = V2, .date = "2022-03-03",
		 .op = PROTO_OP_OPEN, .value = 1, .case_id = "x"},
	};
	struct proto_msg m = {.type = PROTO_SUBMIT, .req = 1, .events = ev, .n_events = 3};
	char *good, buf[1024];
	size_t len;
	ck_assert_int_eq(proto_encode(&m, &good, &len), 0);
	ck_assert_uint_lt(len, sizeof(buf) / 2);
	void *ctx = zmq_ctx_new(), *s = dealer(ctx);
	unsigned seed = 20221;
	enum { N = 2000, WINDOW = 100 }; /* well under the sockets' high-water marks */
	int sent = 0, replies = 0;
	while (replies < N) {
		while (sent < N && sent - replies < WINDOW) {
			size_t n = len;
			memcpy(buf, good, len);
			seed = seed * 1103515245u + 12345u;
			switch ((seed >> 16) % 4) {
			case 0: buf[(seed >> 8) % len] ^= (char)(1u << ((seed >> 4) % 8)); break;
			case 1: n = (seed >> 8) % len; break;                        /* truncated */
			case 2: buf[(seed >> 8) % len] = (char)(seed >> 24); break; /* any byte */
			default: memcpy(buf + len, good, len); n = 2 * len; break;  /* trailing */
			}
			ck_assert_int_eq(zmq_send(s, buf, n, 0), (int)n);
			sent++;
		}
		struct proto_msg r;
		recv_reply(s, &r);
		ck_assert(r.type == PROTO_ERROR || r.type == PROTO_SUBMITTED);
		proto_msg_clear(&r);
		replies++;
	}
	zmq_close(s);
	zmq_ctx_term(ctx);
	free(good);
	/* Still serving, and nothing it accepted stands in the way of the real month. */
	ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv", NULL), 0);
}
END_TEST

/* A client written from proto/PROTOCOL.md alone, in Python: submits, queries and subscribes. */
START_TEST(test_e2e_independent_client_from_protocol_md)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
		 "timeout 60 /usr/bin/python3 tests/independent_client.py %s %s 1>&2", d.request,
		 d.update);
	int st = system(cmd);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "independent client failed: %d", st);
}
END_TEST

/* ---- the Sampang catalog and a realistic month: every indicator against hand-computed values ---- */

#define SAMPANG "catalog/sampang-2022.conf"
#define SAMPANG_MONTH "tests/data/sampang-2022-03.csv"
#define SAMPANG_EXPECT "tests/data/sampang-2022-03.expect"

static void start_sampang(void)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, SAMPANG), 0);
}

/* num and den of indicator ind in a `query --json` array; false when it is not there. */
static bool find_value(json_object *arr, const char *ind, int64_t *num, int64_t *den)
{
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i), *f;
		if (!json_object_object_get_ex(v, "indicator", &f) ||
		    strcmp(json_object_get_string(f), ind) != 0)
			continue;
		*num = json_object_object_get_ex(v, "num", &f) ? json_object_get_int64(f) : -1;
		*den = json_object_object_get_ex(v, "den", &f) ? json_object_get_int64(f) : -1;
		return true;
	}
	return false;
}

/*
 * Check every line "indicator orgunit period num den" of the expectation file against what
 * `iki query --json` reports for that org unit and period (all indicators in one query each).
 * Returns the number of values checked.
 */
static int assert_expectations(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: cannot open", path);
	char line[512], last_key[64] = "", *out = NULL;
	json_object *arr = NULL;
	int checked = 0, lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		char ind[64], ou[32], period[16], key[64];
		long long num, den;
		lineno++;
		if (line[0] == '#' || sscanf(line, "%63s %31s %15s %lld %lld", ind, ou, period, &num,
					     &den) != 5)
			continue;
		snprintf(key, sizeof(key), "%s %s", ou, period);
		if (strcmp(key, last_key) != 0) {
			char args[128];
			json_object_put(arr);
			free(out);
			snprintf(args, sizeof(args), "query --json --orgunit %s --period %s", ou,
				 period);
			int rc = harness_iki(&d, args, &out);
			ck_assert_msg(rc == 0, "iki %s: exit %d", args, rc);
			arr = json_tokener_parse(out);
			ck_assert_msg(arr && json_object_is_type(arr, json_type_array), "%s", out);
			snprintf(last_key, sizeof(last_key), "%s", key);
		}
		int64_t gn, gd;
		ck_assert_msg(find_value(arr, ind, &gn, &gd), "%s:%d: %s not in the reply", path,
			      lineno, ind);
		ck_assert_msg(gn == num && gd == den, "%s:%d: %s %s %s: got %lld/%lld, want %lld/%lld",
			      path, lineno, ind, ou, period, (long long)gn, (long long)gd, num, den);
		checked++;
	}
	json_object_put(arr);
	free(out);
	fclose(f);
	return checked;
}

START_TEST(test_e2e_sampang_month_gives_hand_computed_values)
{
	char *out = NULL;
	int rc = harness_iki(&d, "submit -f " SAMPANG_MONTH, &out);
	ck_assert_msg(rc == 0, "submit: exit %d: %s", rc, out);
	free(out);
	/* 24 indicators x (kecamatan + two villages) x (month, quarter, year) at least. */
	ck_assert_int_ge(assert_expectations(SAMPANG_EXPECT), 24 * 3 * 3);

	/* Resubmitting the same file changes nothing; a crash and a restart keep everything. */
	ck_assert_int_eq(harness_iki(&d, "submit -f " SAMPANG_MONTH, &out), 0);
	ck_assert_msg(strstr(out, "diterima 0,") != NULL, "resubmit accepted events: %s", out);
	free(out);
	harness_stop(&d, SIGKILL);
	ck_assert_int_eq(harness_start(&d, SAMPANG), 0);
	ck_assert_int_ge(assert_expectations(SAMPANG_EXPECT), 24 * 3 * 3);
}
END_TEST

START_TEST(test_e2e_every_sampang_indicator_is_served)
{
	char *out = NULL;
	ck_assert_int_eq(harness_iki(&d, "query --json --period 2022", &out), 0);
	json_object *arr = json_tokener_parse(out);
	ck_assert_msg(arr && json_object_is_type(arr, json_type_array), "%s", out);
	ck_assert_int_eq(json_object_array_length(arr), 24);
	for (int i = 1; i <= 25; i++) {
		char code[16];
		int64_t n, dd;
		if (i == 23)
			continue;
		snprintf(code, sizeof(code), "iki%02d", i);
		ck_assert_msg(find_value(arr, code, &n, &dd), "%s missing", code);
		ck_assert_int_eq(n, 0);
	}
	json_object_put(arr);
	free(out);
}
END_TEST

static Suite *e2e_suite(void)
{
	Suite *s = suite_create("e2e");
	TCase *tc = tcase_create("mini");
	tcase_add_checked_fixture(tc, start_mini, stop_mini);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_e2e_submit_file_then_query_values);
	tcase_add_test(tc, test_e2e_values_carry_target_capaian_and_predikat);
	tcase_add_test(tc, test_e2e_targets_set_at_run_time_decide_capaian);
	tcase_add_test(tc, test_e2e_corrections_move_values_and_history_tells);
	tcase_add_test(tc, test_e2e_scheduled_reports_are_owed_and_judged_by_due_date);
	tcase_add_test(tc, test_e2e_resubmitting_a_file_changes_nothing);
	tcase_add_test(tc, test_e2e_values_survive_clean_stop_and_kill_9);
	tcase_add_test(tc, test_e2e_rejected_events_get_codes_and_exit_1);
	tcase_add_test(tc, test_e2e_malformed_messages_get_error_replies_and_daemon_serves_on);
	tcase_add_test(tc, test_e2e_watch_prints_published_changes);
	tcase_add_test(tc, test_e2e_long_answers_come_in_pages_with_a_cursor);
	tcase_add_test(tc, test_e2e_ikid_n_checks_the_catalog);
	tcase_add_test(tc, test_e2e_late_watcher_starts_from_a_snapshot);
	tcase_add_test(tc, test_e2e_independent_client_from_protocol_md);
	tcase_add_test(tc, test_e2e_mutated_messages_never_kill_the_daemon);
	suite_add_tcase(s, tc);

	tc = tcase_create("sampang");
	tcase_add_checked_fixture(tc, start_sampang, stop_mini);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_e2e_sampang_month_gives_hand_computed_values);
	tcase_add_test(tc, test_e2e_every_sampang_indicator_is_served);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(e2e_suite)
