/*
 * check_outbox.c: the client's outbox on a real LMDB (ids made once, kept across reopening,
 * answers, drops, fixes) and the file rule end to end with the real ikid and iki: the same file
 * twice adds nothing, the same row in two files is two events, an edited row is corrected, a
 * removed row is not silently kept counting, a nomor agenda column is the row's identity.
 */
#define _DEFAULT_SOURCE /* setenv, mkdtemp */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "iki_client.h"
#include "outbox.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"
#define V1 "35.27.03.2001"
#define V2 "35.27.03.2002"

static char dir[128];

static void scratch_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/iki-outbox-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void scratch_teardown(void)
{
	harness_rmtree(dir);
}

/* An outbox in dir/name. */
static struct iki_outbox *open_at(const char *name)
{
	char p[200];
	struct iki_outbox *ob = NULL;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	ck_assert_int_eq(iki_outbox_open(p, &ob), 0);
	return ob;
}

static struct proto_event event(const char *id, const char *ou, int64_t value)
{
	struct proto_event e = {.op = PROTO_OP_ADD, .value = value};
	snprintf(e.id, sizeof(e.id), "%s", id);
	snprintf(e.element, sizeof(e.element), "surat_masuk");
	snprintf(e.orgunit, sizeof(e.orgunit), "%s", ou);
	snprintf(e.date, sizeof(e.date), "2022-03-01");
	return e;
}

static size_t count(struct iki_outbox *ob, unsigned mask)
{
	size_t p, d, r;
	ck_assert_int_eq(iki_outbox_count(ob, NULL, &p, &d, &r), 0);
	return (mask & IKI_OUTBOX_LIST_PENDING ? p : 0) + (mask & IKI_OUTBOX_LIST_DELIVERED ? d : 0) +
	       (mask & IKI_OUTBOX_LIST_REFUSED ? r : 0);
}

START_TEST(test_outbox_ids_are_made_once_and_survive_reopening)
{
	struct iki_outbox *ob = open_at("ob");
	struct proto_event ev[2] = {event("", V1, 1), event("", V1, 1)};
	enum iki_outbox_row o[2];
	ck_assert_int_eq(iki_outbox_put(ob, "", ev, 2, o), 0);
	ck_assert_str_ne(ev[0].id, "");
	ck_assert_str_ne(ev[0].id, ev[1].id); /* two identical events are two events */
	ck_assert_int_eq(o[0], IKI_OUTBOX_ROW_NEW);
	iki_outbox_close(&ob);
	ck_assert_ptr_null(ob);
	iki_outbox_close(&ob); /* twice is fine */
	ob = open_at("ob");
	struct iki_outbox_entry *e = NULL;
	size_t n = 0;
	ck_assert_int_eq(iki_outbox_list(ob, IKI_OUTBOX_LIST_PENDING, "", 0, &e, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(e[0].ev.id, ev[0].id);
	ck_assert_str_eq(e[1].ev.id, ev[1].id);
	ck_assert_int_eq(e[0].state, IKI_OUTBOX_PENDING);
	free(e);
	/* another key's events are not ours to deliver */
	ck_assert_int_eq(iki_outbox_list(ob, IKI_OUTBOX_LIST_ALL, "someone", 0, &e, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(e);
	/* a second outbox makes other ids */
	struct iki_outbox *other = open_at("other");
	struct proto_event x = event("", V1, 1);
	ck_assert_int_eq(iki_outbox_put(other, "", &x, 1, NULL), 0);
	ck_assert_str_ne(x.id, ev[0].id);
	iki_outbox_close(&other);
	iki_outbox_close(&ob);
}
END_TEST

START_TEST(test_outbox_an_id_is_captured_once)
{
	struct iki_outbox *ob = open_at("ob");
	struct proto_event a = event("k1", V1, 3), b = event("k1", V1, 3), c = event("k1", V1, 4);
	enum iki_outbox_row o;
	ck_assert_int_eq(iki_outbox_put(ob, "", &a, 1, &o), 0);
	ck_assert_int_eq(iki_outbox_put(ob, "", &b, 1, &o), 0);
	ck_assert_int_eq(o, IKI_OUTBOX_ROW_SAME);
	ck_assert_uint_eq(count(ob, IKI_OUTBOX_LIST_ALL), 1);
	ck_assert_int_eq(iki_outbox_put(ob, "", &c, 1, &o), 0); /* other content: it replaces */
	ck_assert_int_eq(o, IKI_OUTBOX_ROW_CORRECTED);
	struct iki_outbox_entry e;
	ck_assert_int_eq(iki_outbox_get(ob, "k1", &e), 0);
	ck_assert_int_eq(e.ev.value, 4);
	ck_assert_uint_eq(count(ob, IKI_OUTBOX_LIST_ALL), 1);
	ck_assert_int_eq(iki_outbox_get(ob, "k2", &e), -ENOENT);
	iki_outbox_close(&ob);
}
END_TEST

START_TEST(test_outbox_answers_drops_and_fixes)
{
	struct iki_outbox *ob = open_at("ob");
	struct proto_event ev[3] = {event("", V1, 1), event("", "35.27.03.9999", 1),
				    event("", "35.27.03.9998", 1)};
	struct iki_outbox_entry e[3];
	struct proto_result res[3] = {{.status = PROTO_STATUS_OK},
				      {.status = PROTO_STATUS_ERROR, .code = IKI_EORGUNIT},
				      {.status = PROTO_STATUS_ERROR, .code = IKI_EORGUNIT}};
	snprintf(res[1].message, sizeof(res[1].message), "kode desa tidak dikenal");
	ck_assert_int_eq(iki_outbox_put(ob, "", ev, 3, NULL), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(iki_outbox_get(ob, ev[i].id, &e[i]), 0);
	uint64_t seq[3] = {e[0].seq, e[1].seq, e[2].seq};
	ck_assert_int_eq(outbox_answer(ob, seq, res, 3), 0);
	ck_assert_int_eq(iki_outbox_get(ob, ev[0].id, &e[0]), 0);
	ck_assert_int_eq(e[0].state, IKI_OUTBOX_DELIVERED);
	ck_assert_int_eq(iki_outbox_get(ob, ev[1].id, &e[1]), 0);
	ck_assert_int_eq(e[1].state, IKI_OUTBOX_REFUSED);
	ck_assert_int_eq(e[1].code, IKI_EORGUNIT);
	ck_assert_str_eq(e[1].message, "kode desa tidak dikenal");
	/* only a refused one can be dropped or fixed */
	ck_assert_int_eq(iki_outbox_drop(ob, ev[0].id), -EBUSY);
	ck_assert_int_eq(iki_outbox_drop(ob, ev[2].id), 0);
	ck_assert_int_eq(iki_outbox_get(ob, ev[2].id, &e[2]), -ENOENT);
	char new_id[PROTO_ID_MAX + 1];
	struct proto_event fixed = e[1].ev;
	snprintf(fixed.orgunit, sizeof(fixed.orgunit), "%s", V2);
	ck_assert_int_eq(iki_outbox_fix(ob, ev[1].id, &fixed, new_id), 0);
	ck_assert_str_ne(new_id, ev[1].id);
	ck_assert_int_eq(iki_outbox_get(ob, ev[1].id, &e[1]), -ENOENT);
	ck_assert_int_eq(iki_outbox_get(ob, new_id, &e[1]), 0);
	ck_assert_int_eq(e[1].state, IKI_OUTBOX_PENDING);
	ck_assert_str_eq(e[1].ev.orgunit, V2);
	/* a transient answer (ikid busy) leaves it pending */
	struct proto_result busy = {.status = PROTO_STATUS_ERROR, .code = IKI_EBUSY};
	ck_assert_int_eq(outbox_answer(ob, &e[1].seq, &busy, 1), 0);
	ck_assert_int_eq(iki_outbox_get(ob, new_id, &e[1]), 0);
	ck_assert_int_eq(e[1].state, IKI_OUTBOX_PENDING);
	iki_outbox_close(&ob);
}
END_TEST

START_TEST(test_outbox_file_rule_in_the_library)
{
	struct iki_outbox *ob = open_at("ob");
	struct proto_event f[3] = {event("", V1, 1), event("", V1, 1), event("", V2, 2)};
	const char *rows[3] = {"#1", "#2", "#3"};
	enum iki_outbox_row o[3];
	struct iki_outbox_file_report rep;
	char first[3][PROTO_ID_MAX + 1];
	ck_assert_int_eq(iki_outbox_put_file(ob, "", "a.csv", f, rows, 3, 0, o, &rep), 0);
	ck_assert_uint_eq(rep.added, 3);
	for (int i = 0; i < 3; i++)
		memcpy(first[i], f[i].id, sizeof(first[i]));
	/* the same file again: the same ids, nothing new */
	struct proto_event g[3] = {event("", V1, 1), event("", V1, 1), event("", V2, 2)};
	ck_assert_int_eq(iki_outbox_put_file(ob, "", "a.csv", g, rows, 3, 0, o, &rep), 0);
	ck_assert_uint_eq(rep.same, 3);
	for (int i = 0; i < 3; i++)
		ck_assert_str_eq(g[i].id, first[i]);
	ck_assert_uint_eq(count(ob, IKI_OUTBOX_LIST_ALL), 3);
	/* the same rows in another file: three more events */
	ck_assert_int_eq(iki_outbox_put_file(ob, "", "b.csv", g, rows, 3, 0, o, &rep), 0);
	ck_assert_uint_eq(rep.added, 3);
	ck_assert_uint_eq(count(ob, IKI_OUTBOX_LIST_ALL), 6);
	/* row 2 edited: a correction of its event; the others stay */
	struct proto_event h[3] = {event("", V1, 1), event("", V1, 5), event("", V2, 2)};
	ck_assert_int_eq(iki_outbox_put_file(ob, "", "a.csv", h, rows, 3, 0, o, &rep), 0);
	ck_assert_uint_eq(rep.corrected, 1);
	ck_assert_int_eq(o[1], IKI_OUTBOX_ROW_CORRECTED);
	ck_assert_str_eq(h[1].ref, first[1]);
	ck_assert_str_eq(h[0].id, first[0]);
	/* row 3 gone: refused unless told what to do */
	struct proto_event k[2] = {event("", V1, 1), event("", V1, 5)};
	ck_assert_int_eq(iki_outbox_put_file(ob, "", "a.csv", k, rows, 2, 0, o, &rep), 1);
	ck_assert_uint_eq(rep.missing, 1);
	ck_assert_str_eq(rep.first_missing, "#3");
	ck_assert_uint_eq(count(ob, IKI_OUTBOX_LIST_ALL), 7); /* nothing captured */
	ck_assert_int_eq(iki_outbox_put_file(ob, "", "a.csv", k, rows, 2, IKI_OUTBOX_KEEP_MISSING,
					     o, &rep), 0);
	ck_assert_uint_eq(count(ob, IKI_OUTBOX_LIST_ALL), 7);
	ck_assert_int_eq(iki_outbox_put_file(ob, "", "a.csv", k, rows, 2, IKI_OUTBOX_VOID_MISSING,
					     o, &rep), 0);
	ck_assert_uint_eq(rep.voided, 1);
	struct iki_outbox_entry *e = NULL;
	size_t n = 0;
	ck_assert_int_eq(iki_outbox_list(ob, IKI_OUTBOX_LIST_ALL, NULL, 0, &e, &n), 0);
	ck_assert_uint_eq(n, 8);
	ck_assert_int_eq(e[7].ev.op, PROTO_OP_VOID);
	ck_assert_str_eq(e[7].ev.ref, first[2]);
	free(e);
	/* voided, it is no longer missing */
	ck_assert_int_eq(iki_outbox_put_file(ob, "", "a.csv", k, rows, 2, 0, o, &rep), 0);
	ck_assert_uint_eq(rep.missing, 0);
	iki_outbox_close(&ob);
}
END_TEST

START_TEST(test_outbox_default_dir_follows_the_environment)
{
	char p[256];
	setenv("IKI_OUTBOX", "/x/ob", 1);
	ck_assert_int_eq(iki_outbox_default_dir(p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/x/ob");
	unsetenv("IKI_OUTBOX");
	setenv("XDG_STATE_HOME", "/x/state", 1);
	ck_assert_int_eq(iki_outbox_default_dir(p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/x/state/iki/outbox");
	unsetenv("XDG_STATE_HOME");
	setenv("HOME", "/home/clerk", 1);
	ck_assert_int_eq(iki_outbox_default_dir(p, sizeof(p)), 0);
	ck_assert_str_eq(p, "/home/clerk/.local/state/iki/outbox");
	ck_assert_int_eq(iki_outbox_default_dir(p, 8), -ENAMETOOLONG);
	unsetenv("HOME");
	ck_assert_int_eq(iki_outbox_default_dir(p, sizeof(p)), -ENOENT);
}
END_TEST

/* ---- the file rule, end to end ---- */

static struct ikid d;

static void e2e_setup(void)
{
	scratch_setup();
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(harness_start(&d, MINI), 0);
}

static void e2e_teardown(void)
{
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	scratch_teardown();
}

/* Write text to dir/name. */
static void file(const char *name, const char *text)
{
	char p[200];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* iki submit -f dir/name [extra]: its exit status; *out its output (stdout and stderr). */
static int submit(const char *name, const char *extra, char **out)
{
	char args[400];
	snprintf(args, sizeof(args), "submit -f %s/%s %s 2>&1", dir, name, extra);
	return harness_iki(&d, args, out);
}

/* The March value of surat_masuk at a village: its denominator (the sum of surat_masuk). */
static long masuk(const char *ou)
{
	char args[200], *out = NULL;
	snprintf(args, sizeof(args), "query --json --indicator surat --period 202203 --orgunit %s",
		 ou);
	ck_assert_int_eq(harness_iki(&d, args, &out), 0);
	const char *den = strstr(out, "\"den\":");
	ck_assert_ptr_nonnull(den);
	long v = strtol(den + 6, NULL, 10);
	free(out);
	return v;
}

#define CSV "element,orgunit,date,value\n"
#define ROW1 "surat_masuk," V1 ",2022-03-01,3\n"
#define ROW2 "surat_masuk," V1 ",2022-03-02,4\n"
#define ROW3 "surat_masuk," V2 ",2022-03-03,5\n"

START_TEST(test_file_sent_twice_adds_nothing)
{
	char *out = NULL;
	file("maret.csv", CSV ROW1 ROW2 ROW3);
	ck_assert_int_eq(submit("maret.csv", "", &out), 0);
	ck_assert_msg(strstr(out, "diterima 3, duplikat 0, ditolak 0"), "%s", out);
	free(out);
	ck_assert_int_eq(submit("maret.csv", "", &out), 0);
	ck_assert_msg(strstr(out, "diterima 0, duplikat 3, ditolak 0"), "%s", out);
	free(out);
	ck_assert_int_eq(masuk(V1), 7);
	ck_assert_int_eq(masuk(V2), 5);
}
END_TEST

START_TEST(test_same_row_in_two_files_is_two_events)
{
	char *out = NULL;
	file("agenda-a.csv", CSV ROW1);
	file("agenda-b.csv", CSV ROW1); /* two real letters, the same day, the same count */
	ck_assert_int_eq(submit("agenda-a.csv", "", &out), 0);
	free(out);
	ck_assert_int_eq(submit("agenda-b.csv", "", &out), 0);
	ck_assert_msg(strstr(out, "diterima 1, duplikat 0"), "%s", out);
	free(out);
	ck_assert_int_eq(masuk(V1), 6);
}
END_TEST

START_TEST(test_edited_file_corrects_what_changed_and_nothing_else)
{
	char *out = NULL;
	file("maret.csv", CSV ROW1 ROW2 ROW3);
	ck_assert_int_eq(submit("maret.csv", "", &out), 0);
	free(out);
	file("maret.csv", CSV ROW1 "surat_masuk," V1 ",2022-03-02,9\n" ROW3);
	ck_assert_int_eq(submit("maret.csv", "", &out), 0);
	ck_assert_msg(strstr(out, "1 baris diubah") && strstr(out, "diterima 1, duplikat 2"), "%s",
		      out);
	free(out);
	ck_assert_int_eq(masuk(V1), 3 + 9); /* not 3 + 4 + 9 */
	ck_assert_int_eq(masuk(V2), 5);
	/* history shows the correction: the row's first event, replaced by the new one */
	struct iki_outbox *ob = NULL;
	char p[200], args[300];
	struct iki_outbox_entry *e = NULL;
	size_t n = 0;
	snprintf(p, sizeof(p), "%s/client-outbox", d.state);
	ck_assert_int_eq(iki_outbox_open(p, &ob), 0);
	ck_assert_int_eq(iki_outbox_list(ob, IKI_OUTBOX_LIST_ALL, NULL, 0, &e, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_str_eq(e[3].ev.ref, e[1].ev.id);
	ck_assert_str_eq(e[3].row, "#2");
	snprintf(args, sizeof(args), "history %s", e[1].ev.id);
	ck_assert_int_eq(harness_iki(&d, args, &out), 0);
	ck_assert_msg(strstr(out, e[3].ev.id), "%s", out);
	free(out);
	free(e);
	iki_outbox_close(&ob);
}
END_TEST

START_TEST(test_removed_row_is_not_silently_kept)
{
	char *out = NULL;
	file("maret.csv", CSV ROW1 ROW2 ROW3);
	ck_assert_int_eq(submit("maret.csv", "", &out), 0);
	free(out);
	file("maret.csv", CSV ROW1 ROW2); /* the last row deleted */
	ck_assert_int_eq(submit("maret.csv", "", &out), 2);
	ck_assert_msg(strstr(out, "tidak ada lagi di file") && strstr(out, "--void-missing"), "%s",
		      out);
	free(out);
	ck_assert_int_eq(masuk(V2), 5); /* nothing was done */
	ck_assert_int_eq(submit("maret.csv", "--void-missing", &out), 0);
	free(out);
	ck_assert_int_eq(masuk(V2), 0);
	ck_assert_int_eq(masuk(V1), 7);
	/* --keep-missing keeps counting it */
	file("april.csv", CSV ROW1 ROW3);
	ck_assert_int_eq(submit("april.csv", "", &out), 0);
	free(out);
	file("april.csv", CSV ROW1);
	ck_assert_int_eq(submit("april.csv", "--keep-missing", &out), 0);
	free(out);
	ck_assert_int_eq(masuk(V2), 5);
}
END_TEST

START_TEST(test_nomor_agenda_is_the_rows_identity)
{
	char *out = NULL;
	file("agenda.csv", "no," CSV "101," ROW1 "102," ROW2 "103," ROW3);
	ck_assert_int_eq(submit("agenda.csv", "", &out), 0);
	free(out);
	/* sorted otherwise, a row inserted in the middle: only the new row is new */
	file("agenda.csv", "no," CSV "103," ROW3 "101," ROW1 "104,surat_masuk," V2
			   ",2022-03-04,1\n" "102," ROW2);
	ck_assert_int_eq(submit("agenda.csv", "", &out), 0);
	ck_assert_msg(strstr(out, "diterima 1, duplikat 3"), "%s", out);
	free(out);
	ck_assert_int_eq(masuk(V1), 7);
	ck_assert_int_eq(masuk(V2), 6);
	/* an unknown --format is refused, not read as JSON lines */
	ck_assert_int_eq(submit("agenda.csv", "--format xlsx", &out), 2);
	ck_assert_msg(strstr(out, "format 'xlsx' tidak dikenal"), "%s", out);
	free(out);
	/* a number used twice is refused before anything is captured */
	file("dobel.csv", "no," CSV "1," ROW1 "1," ROW2);
	ck_assert_int_eq(submit("dobel.csv", "", &out), 2);
	ck_assert_msg(strstr(out, "dipakai oleh dua baris"), "%s", out);
	free(out);
}
END_TEST

START_TEST(test_refused_row_is_fixed_from_the_outbox)
{
	char *out = NULL, args[200], id[PROTO_ID_MAX + 1] = "";
	file("maret.csv", CSV ROW1 "surat_masuk,35.27.03.9999,2022-03-05,2\n");
	ck_assert_int_eq(submit("maret.csv", "", &out), 1);
	ck_assert_msg(strstr(out, "unknown_orgunit"), "%s", out);
	free(out);
	ck_assert_int_eq(harness_iki(&d, "outbox --refused", &out), 0);
	ck_assert_msg(strstr(out, "ditolak: unknown_orgunit") && strstr(out, "Kemendagri"), "%s", out);
	ck_assert_int_eq(sscanf(strstr(out, "\n") + 1, "%64s", id), 1);
	free(out);
	snprintf(args, sizeof(args), "outbox fix %s --orgunit " V2 " 2>&1", id);
	ck_assert_int_eq(harness_iki(&d, args, &out), 0);
	ck_assert_msg(strstr(out, "menggantikan"), "%s", out);
	free(out);
	ck_assert_int_eq(masuk(V2), 2);
	/* the file, sent again as it was, adds nothing: its row now names the fixed event */
	ck_assert_int_eq(submit("maret.csv", "", &out), 0);
	ck_assert_msg(strstr(out, "diterima 0, duplikat 2, ditolak 0"), "%s", out);
	free(out);
	ck_assert_int_eq(masuk(V2), 2);
	/* a refused one can be dropped */
	ck_assert_int_eq(harness_iki(&d, "submit --element surat_masuk --orgunit 35.27.03.9999 "
				     "--date 2022-03-01 --value 1 >/dev/null 2>&1", NULL), 1);
	ck_assert_int_eq(harness_iki(&d, "outbox --refused --json", &out), 0);
	const char *q = strstr(out, "\"id\":\"");
	ck_assert_ptr_nonnull(q);
	ck_assert_int_eq(sscanf(q + 6, "%64[^\"]", id), 1);
	free(out);
	snprintf(args, sizeof(args), "outbox drop %s", id);
	ck_assert_int_eq(harness_iki(&d, args, NULL), 0);
	ck_assert_int_eq(harness_iki(&d, "outbox", &out), 0);
	ck_assert_msg(strstr(out, "ditolak 0"), "%s", out);
	free(out);
}
END_TEST

static Suite *outbox_suite(void)
{
	Suite *s = suite_create("outbox");
	TCase *tc = tcase_create("library");
	tcase_add_checked_fixture(tc, scratch_setup, scratch_teardown);
	tcase_add_test(tc, test_outbox_ids_are_made_once_and_survive_reopening);
	tcase_add_test(tc, test_outbox_an_id_is_captured_once);
	tcase_add_test(tc, test_outbox_answers_drops_and_fixes);
	tcase_add_test(tc, test_outbox_file_rule_in_the_library);
	tcase_add_test(tc, test_outbox_default_dir_follows_the_environment);
	suite_add_tcase(s, tc);
	tc = tcase_create("files");
	tcase_add_checked_fixture(tc, e2e_setup, e2e_teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_file_sent_twice_adds_nothing);
	tcase_add_test(tc, test_same_row_in_two_files_is_two_events);
	tcase_add_test(tc, test_edited_file_corrects_what_changed_and_nothing_else);
	tcase_add_test(tc, test_removed_row_is_not_silently_kept);
	tcase_add_test(tc, test_nomor_agenda_is_the_rows_identity);
	tcase_add_test(tc, test_refused_row_is_fixed_from_the_outbox);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(outbox_suite)
