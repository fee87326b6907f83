/* check_client.c: reading clerks' files: CSV quoting, columns, JSON lines, row identities. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "suite.h"

#define HDR "id,element,orgunit,date,op,value,case,comment\n"

/* Parse CSV text; returns the parser's result, with err filled. */
static int csv(const char *text, struct input *in, char *err)
{
	return input_parse_csv("t.csv", text, strlen(text), in, err, 200);
}

START_TEST(test_csv_reads_fields_and_defaults)
{
	struct input in;
	char err[200] = "";
	ck_assert_int_eq(csv(HDR "a1,surat_masuk,35.27.03.2001,2022-03-01,add,10,,\n"
			      "a2,akta,35.27.03.2001,2022-03-02,open,,k-1,\"agenda, hal 3\"\n",
			      &in, err), 0);
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
}
END_TEST

START_TEST(test_csv_quotes_newlines_crlf_bom_and_column_order)
{
	struct input in;
	char err[200] = "";
	const char *text = "\xef\xbb\xbf"
			   "comment,value,date,orgunit,element\r\n"
			   "\"kata \"\"penting\"\"\nbaris dua\",5,2022-03-01,35.27.03,surat\r\n"
			   "biasa,6,2022-03-02,35.27.03,surat\r\n";
	ck_assert_int_eq(csv(text, &in, err), 0);
	ck_assert_int_eq(in.n, 2);
	ck_assert_str_eq(in.events[0].comment, "kata \"penting\"\nbaris dua");
	ck_assert_int_eq(in.events[0].value, 5);
	ck_assert_str_eq(in.events[0].element, "surat");
	ck_assert_int_eq(in.lines[0], 2);
	ck_assert_int_eq(in.lines[1], 4); /* the quoted newline took a line */
	ck_assert_str_eq(in.events[1].date, "2022-03-02");
	input_free(&in);
}
END_TEST

START_TEST(test_rows_are_known_by_their_number_or_their_place)
{
	struct input a, b;
	char err[200] = "";
	const char *text = "element,orgunit,date,value\n"
			   "surat,35.27.03,2022-03-01,1\n"
			   "surat,35.27.03,2022-03-01,1\n"
			   "surat,35.27.03,2022-03-02,1\n";
	ck_assert_int_eq(csv(text, &a, err), 0);
	/* No ids are made from content any more: the outbox gives them, by row identity. */
	ck_assert_str_eq(a.events[0].id, "");
	ck_assert_str_eq(a.rows[0], "#1");
	ck_assert_str_eq(a.rows[1], "#2"); /* two identical rows are two rows */
	ck_assert_str_eq(a.rows[2], "#3");
	ck_assert(!a.numbered);
	input_free(&a);
	const char *numbered = "no,element,orgunit,date,value\n"
			       "17,surat,35.27.03,2022-03-01,1\n"
			       "\n"
			       "9,surat,35.27.03,2022-03-02,1\n";
	ck_assert_int_eq(csv(numbered, &b, err), 0);
	ck_assert(b.numbered);
	ck_assert_str_eq(b.rows[0], "17");
	ck_assert_str_eq(b.rows[1], "9");
	input_free(&b);
	/* a row with an id of its own is known by that id */
	ck_assert_int_eq(csv(HDR "a1,surat,35.27.03,2022-03-01,add,1,,\n", &a, err), 0);
	ck_assert_str_eq(a.rows[0], "");
	input_free(&a);
	/* a number used twice cannot name one row */
	ck_assert_int_eq(csv("nomor,element,orgunit,date,value\n5,surat,35.27.03,2022-03-01,1\n"
			     "5,surat,35.27.03,2022-03-02,1\n", &a, err), -1);
	ck_assert_msg(strstr(err, "nomor 5 dipakai oleh dua baris"), "%s", err);
	ck_assert_ptr_null(a.events);
}
END_TEST

/* One parse of a big document in a thread, for the reentrancy test. */
struct parse_job {
	const char *text;
	size_t len;
	int rc;
	struct input in;
};

static void *parse_thread(void *arg)
{
	struct parse_job *j = arg;
	char err[200];
	j->rc = input_parse_csv("t.csv", j->text, j->len, &j->in, err, sizeof(err));
	return NULL;
}

/* A document of rows comments "<tag>-<i>" (long, so each record takes a while). */
static char *doc(char tag, size_t rows, size_t *len)
{
	char *t = malloc(rows * 480 + 64), pad[400];
	memset(pad, tag, sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	*len = (size_t)sprintf(t, "element,orgunit,date,value,comment\n");
	for (size_t i = 0; i < rows; i++)
		*len += (size_t)sprintf(t + *len, "surat,35.27.03,2022-03-01,1,%c%zu%s\n", tag, i, pad);
	return t;
}

START_TEST(test_csv_parsing_is_reentrant)
{
	struct parse_job j[2];
	pthread_t th[2];
	for (int k = 0; k < 2; k++) {
		memset(&j[k], 0, sizeof(j[k]));
		j[k].text = doc(k ? 'b' : 'a', 4000, &j[k].len);
	}
	for (int k = 0; k < 2; k++)
		ck_assert_int_eq(pthread_create(&th[k], NULL, parse_thread, &j[k]), 0);
	for (int k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(j[k].rc, 0);
		ck_assert_int_eq(j[k].in.n, 4000);
		for (size_t i = 0; i < j[k].in.n; i++) /* a shared buffer mixes the two documents */
			ck_assert_int_eq(j[k].in.events[i].comment[0], k ? 'b' : 'a');
		input_free(&j[k].in);
		free((char *)j[k].text);
	}
}
END_TEST

/* A bad CSV and the start of its error message. */
static const struct {
	const char *text, *err;
} bad_csv[] = {
	{"element,colour\nsurat,red\n", "t.csv:1: kolom 'colour' tidak dikenal"},
	{"", "t.csv:1: perlu baris judul"},
	{HDR "a,b,c\n", "t.csv:2: jumlah isian baris ini berbeda"},
	{HDR "a1,surat,35.27.03,2022-03-01,add,sepuluh,,\n", "t.csv:2: value harus bilangan bulat"},
	{HDR "a1,surat,35.27.03,2022-03-01,tambah,1,,\n", "t.csv:2: op harus add"},
	{HDR "a1,surat,35.27.03,2022-03-01,add,1,,\"open quote\n", "t.csv:2: tanda kutip rusak"},
	{HDR "a1,surat,35.27.03.20011111111111111111111,2022-03-01,add,1,,\n",
	 "t.csv:2: orgunit lebih panjang"},
	/* no value is implied: an add's or a set's empty value names its cell; a case needs none */
	{HDR "a0,akta,35.27.03,2022-03-01,open,,k1,\na1,surat,35.27.03,2022-03-01,add,,,\n",
	 "t.csv:3: the value is empty: write the number, 1 too (an add or a set has no default "
	 "value) (row 3, column F 'value')"},
	{"element,orgunit,date,op\ndesa,35.27.03,2022-03-01,set\n",
	 "t.csv:2: the value is empty"},
};

START_TEST(test_bad_csv_names_line_and_problem)
{
	struct input in;
	char err[200] = "";
	ck_assert_int_eq(csv(bad_csv[_i].text, &in, err), -1);
	ck_assert_msg(strncmp(err, bad_csv[_i].err, strlen(bad_csv[_i].err)) == 0, "got: %s", err);
	ck_assert_ptr_null(in.events);
}
END_TEST

START_TEST(test_jsonl_reads_objects_and_refuses_junk)
{
	struct input in;
	char err[200] = "";
	const char *ok = "{\"id\":\"j1\",\"element\":\"surat\",\"orgunit\":\"35.27.03\","
			 "\"date\":\"2022-03-01\",\"value\":7}\n\n"
			 "{\"element\":\"desa\",\"orgunit\":\"35.27.03\",\"date\":\"2022-03-01\","
			 "\"op\":\"set\",\"value\":2,\"comment\":null}\n";
	ck_assert_int_eq(input_parse_jsonl("t.jsonl", ok, strlen(ok), &in, err, sizeof(err)), 0);
	ck_assert_int_eq(in.n, 2);
	ck_assert_int_eq(in.events[0].value, 7);
	ck_assert_int_eq(in.events[1].op, PROTO_OP_SET);
	ck_assert_int_eq(in.lines[1], 3);
	ck_assert_str_eq(in.rows[1], "#2");
	input_free(&in);
	const char *junk = "{\"element\":\"surat\",\"value\":1}\n[1,2]\n";
	ck_assert_int_eq(input_parse_jsonl("t.jsonl", junk, strlen(junk), &in, err, sizeof(err)), -1);
	ck_assert_msg(strncmp(err, "t.jsonl:2:", 10) == 0, "%s", err);
	const char *badtype = "{\"value\":[1]}\n";
	ck_assert_int_eq(input_parse_jsonl("t.jsonl", badtype, strlen(badtype), &in, err, sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "value"));
}
END_TEST

START_TEST(test_many_rows_grow_the_arrays)
{
	size_t rows = 5000, len = 0;
	char *text = malloc(rows * 64 + 64);
	struct input in;
	char err[200] = "";
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

static Suite *client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("input");
	tcase_add_test(tc, test_csv_reads_fields_and_defaults);
	tcase_add_test(tc, test_csv_quotes_newlines_crlf_bom_and_column_order);
	tcase_add_test(tc, test_rows_are_known_by_their_number_or_their_place);
	tcase_add_test(tc, test_csv_parsing_is_reentrant);
	tcase_add_loop_test(tc, test_bad_csv_names_line_and_problem, 0,
			    (int)(sizeof(bad_csv) / sizeof(bad_csv[0])));
	tcase_add_test(tc, test_jsonl_reads_objects_and_refuses_junk);
	tcase_add_test(tc, test_many_rows_grow_the_arrays);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(client_suite)
