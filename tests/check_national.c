/* check_national.c: the real ikid on the national catalog (every village of Indonesia, generated
 * by scripts/national-catalog.py): values roll up from a village to its kecamatan, kabupaten,
 * provinsi and the nation, and nowhere else.
 */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "harness.h"
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
 * num and den of iki06 (surat_tepat / surat_masuk + surat_keluar) at ou in 2022, asked of ikid
 * in its protocol (iki query first asks describe, whose answer for 91,600 org units is beyond
 * the message cap today: issue 13).
 */
static void query(const char *ou, int64_t *num, int64_t *den)
{
	void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_DEALER);
	int linger = 0, tmo = 10000;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &tmo, sizeof(tmo));
	ck_assert_int_eq(zmq_connect(s, d.request), 0);
	struct proto_msg m = {.type = PROTO_QUERY, .req = 7}, r = {0};
	snprintf(m.query.indicator, sizeof(m.query.indicator), "iki06");
	snprintf(m.query.orgunit, sizeof(m.query.orgunit), "%s", ou);
	snprintf(m.query.period, sizeof(m.query.period), "2022");
	char *buf;
	size_t len;
	ck_assert_int_eq(proto_encode(&m, &buf, &len), 0);
	ck_assert_int_eq(zmq_send(s, buf, len, 0), (int)len);
	free(buf);
	zmq_msg_t f;
	zmq_msg_init(&f);
	ck_assert_msg(zmq_msg_recv(&f, s, 0) >= 0, "no answer to a query of %s", ou);
	ck_assert_int_eq(proto_decode(zmq_msg_data(&f), zmq_msg_size(&f), &r), 0);
	zmq_msg_close(&f);
	ck_assert_msg(r.type == PROTO_VALUES && r.req == 7 && r.n_values == 1,
		      "%s: not one value (type %d, code %d: %s)", ou, (int)r.type, r.code, r.message);
	*num = r.values[0].num;
	*den = r.values[0].den;
	proto_msg_clear(&r);
	zmq_close(s);
	zmq_ctx_term(ctx);
}

START_TEST(test_values_roll_up_every_level_of_the_national_tree)
{
	const char *wilayah = wilayah_dir();
	if (!wilayah) {
		fprintf(stderr, "check_national: no data/wilayah/, skipped\n");
		return;
	}
	char cmd[512];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(catalog, sizeof(catalog), "%s/national.conf", dir);
	snprintf(events, sizeof(events), "%s/events.csv", dir);
	snprintf(cmd, sizeof(cmd),
		 "python3 scripts/national-catalog.py --wilayah %s %s 2>/dev/null", wilayah,
		 catalog);
	ck_assert_int_eq(system(cmd), 0);
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
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, catalog), 0);
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
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	unlink(catalog);
	unlink(events);
	rmdir(dir);
}
END_TEST

static Suite *national_suite(void)
{
	Suite *s = suite_create("national");
	TCase *tc = tcase_create("rollup");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_values_roll_up_every_level_of_the_national_tree);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(national_suite)
