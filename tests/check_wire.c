/* check_wire.c: the wire against the real ikid: describe's elements, and the bytes a submit costs. */
#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "iki_client.h"
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

static Suite *wire_suite(void)
{
	Suite *s = suite_create("wire");
	TCase *tc = tcase_create("describe");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_describe_lists_every_element_and_case_with_its_reporters);
	suite_add_tcase(s, tc);
	return s;
}

SUITE_MAIN(wire_suite)
