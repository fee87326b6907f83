/* check_national.c: the real ikid on the national catalog (every village of Indonesia, generated
 * by scripts/national-catalog.py): values roll up from a village to its kecamatan, kabupaten,
 * provinsi and the nation, and nowhere else; describe comes in pages, each far under the message
 * cap, and iki_describe, iki list and iki report take the whole tree. Sampang's small catalog
 * is one page, or pages as small as a client asks.
 */
#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "harness.h"
#include "iki.h"
#include "iki_client.h"
#include "proto.h"
#include "suite.h"

static struct ikid d;
static char dir[] = "/tmp/iki-national-XXXXXX";
static char catalog[160], events[160];

/* The folder of the Kemendagri lists (data/wilayah/ in the tree, or the shared one), or NULL. */
static const char *wilayah_dir(void)
{
	static const char *const dirs[] = {"data/wilayah/", "../shared/data/wilayah/"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char path[128];
		snprintf(path, sizeof(path), "%sindonesia_villages.csv", dirs[i]);
		if (access(path, R_OK) == 0)
			return dirs[i];
	}
	return NULL;
}

/*
 * Generate the national catalog and start ikid on it; false (the test skipped) when the
 * Kemendagri lists are not here.
 */
static bool national_start(void)
{
	const char *wilayah = wilayah_dir();
	if (!wilayah) {
		fprintf(stderr, "check_national: no data/wilayah/, skipped\n");
		return false;
	}
	char cmd[512];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(catalog, sizeof(catalog), "%s/national.conf", dir);
	snprintf(events, sizeof(events), "%s/events.csv", dir);
	snprintf(cmd, sizeof(cmd),
		 "python3 scripts/national-catalog.py --wilayah %s %s 2>/dev/null", wilayah,
		 catalog);
	ck_assert_int_eq(system(cmd), 0);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, catalog), 0);
	return true;
}

static void national_stop(void)
{
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	unlink(catalog);
	unlink(events);
	rmdir(dir);
}

/* Send m to ikid in its protocol and decode the answer into *r: the answer's size in bytes. */
static size_t ask(struct proto_msg *m, struct proto_msg *r)
{
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0, tmo = 10000;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	ck_assert_int_eq(zmq_connect(s, d.request), 0);
	char *buf;
	size_t len;
	ck_assert_int_eq(proto_encode(m, &buf, &len), 0);
	ck_assert_int_eq(zmq_send(s, buf, len, 0), (int)len);
	free(buf);
	zmq_msg_t f;
	zmq_msg_init(&f);
	ck_assert_msg(zmq_msg_recv(&f, s, 0) >= 0, "no answer to a %s", proto_type_name(m->type));
	len = zmq_msg_size(&f);
	ck_assert_int_eq(proto_decode(zmq_msg_data(&f), len, r), 0);
	zmq_msg_close(&f);
	zmq_close(s);
	zmq_ctx_term(ctx);
	return len;
}

/* num and den of iki06 (surat_tepat / surat_masuk + surat_keluar) at ou in 2022. */
static void query(const char *ou, int64_t *num, int64_t *den)
{
	struct proto_msg m = {.type = PROTO_QUERY, .req = 7}, r = {0};
	snprintf(m.query.indicator, sizeof(m.query.indicator), "iki06");
	snprintf(m.query.orgunit, sizeof(m.query.orgunit), "%s", ou);
	snprintf(m.query.period, sizeof(m.query.period), "2022");
	ask(&m, &r);
	ck_assert_msg(r.type == PROTO_VALUES && r.req == 7 && r.n_values == 1,
		      "%s: not one value (type %d, code %d: %s)", ou, (int)r.type, r.code, r.message);
	*num = r.values[0].num;
	*den = r.values[0].den;
	proto_msg_clear(&r);
}

START_TEST(test_values_roll_up_every_level_of_the_national_tree)
{
	if (!national_start())
		return;
	char cmd[512];
	FILE *f = fopen(events, "w");
	ck_assert_ptr_nonnull(f);
	fputs("id,element,orgunit,date,op,value,case,comment\n"
	      "n1,surat_masuk,35.27.03.2001,2022-03-01,add,7,,\n"
	      "n2,surat_tepat,35.27.03.2001,2022-03-02,add,5,,\n"
	      "n3,surat_masuk,35.27.03.1003,2022-05-02,add,1,,\n"
	      "n4,surat_masuk,11.01.01.2001,2022-03-01,add,3,,\n"
	      "n5,surat_tepat,35.78.01.1001,2022-07-01,add,2,,\n"
	      "n6,surat_masuk,35.78.01.1001,2022-07-01,add,2,,\n",
	      f);
	ck_assert_int_eq(fclose(f), 0);
	snprintf(cmd, sizeof(cmd), "submit -f %s", events);
	ck_assert_int_eq(harness_iki(&d, cmd, NULL), 0);
	static const struct {
		const char *ou;
		int64_t num, den;
	} want[] = {
	    {"35.27.03.2001", 5, 7}, /* desa P. Mandangin */
	    {"35.27.03.1003", 0, 1}, /* kelurahan Polagan, beside it */
	    {"35.27.03", 5, 8},      /* kecamatan Sampang */
	    {"35.27", 5, 8},	     /* Kabupaten Sampang */
	    {"35.78", 2, 2},	     /* Kota Surabaya */
	    {"35", 7, 10},	     /* Jawa Timur */
	    {"11", 0, 3},	     /* Aceh */
	    {"35.26", 0, 0},	     /* Kabupaten Bangkalan: nothing */
	    {"", 7, 13},	     /* the nation, the root */
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int64_t num, den;
		query(want[i].ou, &num, &den);
		ck_assert_msg(num == want[i].num && den == want[i].den,
			      "%s: got %lld/%lld, want %lld/%lld", want[i].ou[0] ? want[i].ou : "root",
			      (long long)num, (long long)den, (long long)want[i].num,
			      (long long)want[i].den);
	}
	national_stop();
}
END_TEST

/* What the catalog file holds of its org units, read here without the daemon's reader. */
struct tree {
	size_t n, villages;
	char last[32], last_parent[32];
};

static void read_tree(struct tree *t)
{
	FILE *f = fopen(catalog, "r");
	ck_assert_ptr_nonnull(f);
	char line[512], v[32];
	bool in = false; /* in an [orgunit] section */
	memset(t, 0, sizeof(*t));
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '[')
			in = sscanf(line, "[orgunit %31[^]]]", t->last) == 1;
		if (line[0] == '[' && in) {
			t->n++;
			t->last_parent[0] = '\0';
		}
		if (in && sscanf(line, "parent = %31s", v) == 1)
			snprintf(t->last_parent, sizeof(t->last_parent), "%s", v);
		if (in && sscanf(line, "kind = %31s", v) == 1)
			t->villages += !strcmp(v, "desa") || !strcmp(v, "kelurahan") ||
				       !strcmp(v, "desa_adat");
	}
	fclose(f);
}

/* Every page of a describe: the head on the first only, each page under 1 MiB (what a peer may
 * leave unread, a quarter of the message cap), the org units all of the file's. */
START_TEST(test_describe_pages_the_national_tree_far_under_the_cap)
{
	if (!national_start())
		return;
	struct tree t;
	read_tree(&t);
	ck_assert_uint_ge(t.villages, 83762);
	struct proto_msg m = {.type = PROTO_DESCRIBE, .req = 8}, r;
	size_t total = 0, pages = 0, bytes = 0, biggest = 0;
	do {
		size_t len = ask(&m, &r);
		ck_assert_msg(r.type == PROTO_CATALOG, "page %zu: %s", pages, r.message);
		ck_assert_uint_lt(len, 1u << 20);
		ck_assert_uint_eq(r.n_indicators > 0, pages == 0);
		ck_assert_uint_eq(r.n_elements > 0, pages == 0);
		ck_assert_uint_gt(r.n_orgunits, 0);
		total += r.n_orgunits;
		bytes += len;
		biggest = len > biggest ? len : biggest;
		pages++;
		snprintf(m.after, sizeof(m.after), "%s", r.next);
		proto_msg_clear(&r);
	} while (m.after[0]);
	fprintf(stderr, "check_national: describe of %zu org units in %zu pages, %zu bytes, the largest %zu\n",
		total, pages, bytes, biggest);
	ck_assert_uint_eq(total, t.n);
	ck_assert_uint_gt(pages, 1);
	national_stop();
}
END_TEST

/* iki_describe joins the pages: every org unit, the last with its parent; iki list and iki
 * report (which ask it first) work on the whole tree. */
START_TEST(test_describe_list_and_report_take_the_whole_national_tree)
{
	if (!national_start())
		return;
	struct tree t;
	read_tree(&t);
	struct iki_client_options o = {.request = d.request, .update = d.update, .timeout_ms = 10000};
	struct iki_client *c = NULL;
	ck_assert_int_eq(iki_client_open(&o, &c), 0);
	struct proto_msg cat;
	char message[PROTO_TEXT_MAX + 1], cmd[128], *out = NULL;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(iki_describe(c, &cat, message), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "check_national: iki_describe of %zu org units in %.0f ms\n", cat.n_orgunits,
		(t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
	ck_assert_uint_eq(cat.n_orgunits, t.n);
	size_t villages = 0;
	for (size_t i = 0; i < cat.n_orgunits; i++)
		villages += !strcmp(cat.orgunits[i].kind, "desa") ||
			    !strcmp(cat.orgunits[i].kind, "kelurahan") ||
			    !strcmp(cat.orgunits[i].kind, "desa_adat");
	ck_assert_uint_eq(villages, t.villages);
	ck_assert_str_eq(cat.orgunits[cat.n_orgunits - 1].code, t.last);
	ck_assert_str_eq(cat.orgunits[cat.n_orgunits - 1].parent, t.last_parent);
	ck_assert_str_eq(cat.next, "");
	ck_assert_uint_gt(cat.n_indicators, 0);
	proto_msg_clear(&cat);
	iki_client_close(&c);
	ck_assert_int_eq(harness_iki(&d, "list orgunits", &out), 0);
	ck_assert_msg(strstr(out, t.last), "iki list orgunits lacks %s", t.last);
	free(out);
	ck_assert_int_eq(harness_iki(&d, "report", &out), 0);
	ck_assert_msg(strstr(out, "Unit: Indonesia"), "iki report: %.200s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "report --orgunit %s --format csv", t.last);
	ck_assert_int_eq(harness_iki(&d, cmd, &out), 0);
	ck_assert_msg(strstr(out, t.last), "iki report --orgunit %s: %.200s", t.last, out);
	free(out);
	national_stop();
}
END_TEST

/* A describe of Sampang's catalog (19 org units): one page, as before pages; or, asked for
 * pages of 4, the same org units in 5 pages, the head on the first only. */
START_TEST(test_a_small_catalog_is_one_page_or_the_pages_asked_for)
{
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, "catalog/sampang-2022.conf"), 0);
	struct proto_msg m = {.type = PROTO_DESCRIBE, .req = 9}, whole, r;
	ask(&m, &whole);
	ck_assert_int_eq(whole.type, PROTO_CATALOG);
	ck_assert_uint_eq(whole.n_orgunits, 19);
	ck_assert_str_eq(whole.next, "");
	ck_assert_uint_gt(whole.n_indicators, 0);
	ck_assert(whole.title[0]);
	size_t at = 0, pages = 0;
	m.limit = 4;
	do {
		ask(&m, &r);
		ck_assert_int_eq(r.type, PROTO_CATALOG);
		ck_assert_uint_eq(r.n_orgunits, at + 4 <= 19 ? 4 : 19 - at);
		ck_assert_uint_eq(r.n_indicators > 0, pages == 0);
		ck_assert_uint_eq(r.title[0] != '\0', pages == 0);
		for (size_t i = 0; i < r.n_orgunits; i++) {
			ck_assert_str_eq(r.orgunits[i].code, whole.orgunits[at + i].code);
			ck_assert_str_eq(r.orgunits[i].parent, whole.orgunits[at + i].parent);
		}
		at += r.n_orgunits;
		pages++;
		snprintf(m.after, sizeof(m.after), "%s", r.next);
		if (r.next[0])
			ck_assert_str_eq(r.next, whole.orgunits[at - 1].code);
		proto_msg_clear(&r);
	} while (m.after[0]);
	ck_assert_uint_eq(at, 19);
	ck_assert_uint_eq(pages, 5);
	/* after the last org unit: an empty page, the last; a cursor naming none: bad_field */
	snprintf(m.after, sizeof(m.after), "%s", whole.orgunits[18].code);
	ask(&m, &r);
	ck_assert_int_eq(r.type, PROTO_CATALOG);
	ck_assert_uint_eq(r.n_orgunits, 0);
	ck_assert_str_eq(r.next, "");
	proto_msg_clear(&r);
	snprintf(m.after, sizeof(m.after), "35.27.99");
	ask(&m, &r);
	ck_assert_int_eq(r.type, PROTO_ERROR);
	ck_assert_int_eq(r.code, IKI_EFIELD);
	proto_msg_clear(&r);
	proto_msg_clear(&whole);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}
END_TEST

static Suite *national_suite(void)
{
	Suite *s = suite_create("national");
	TCase *tc = tcase_create("rollup");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_values_roll_up_every_level_of_the_national_tree);
	tcase_add_test(tc, test_describe_pages_the_national_tree_far_under_the_cap);
	tcase_add_test(tc, test_describe_list_and_report_take_the_whole_national_tree);
	suite_add_tcase(s, tc);
	TCase *ts = tcase_create("small");
	tcase_set_timeout(ts, 30);
	tcase_add_test(ts, test_a_small_catalog_is_one_page_or_the_pages_asked_for);
	suite_add_tcase(s, ts);
	return s;
}

SUITE_MAIN(national_suite)
