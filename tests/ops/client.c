/* tests/ops/client.c: another program using libiki as installed, built by check_ops with
 * `pkg-config --cflags --libs libiki` only: submit two events to ikid, query the value they
 * make, print it. Usage: client REQUEST-ENDPOINT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iki/iki_client.h>

static void event(struct proto_event *e, const char *id, const char *element, int64_t value)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	snprintf(e->element, sizeof(e->element), "%s", element);
	snprintf(e->orgunit, sizeof(e->orgunit), "35.27.03.2001");
	snprintf(e->date, sizeof(e->date), "2022-03-14");
	e->op = PROTO_OP_ADD;
	e->value = value;
}

int main(int argc, char **argv)
{
	struct iki_client_options o = {.request = argc > 1 ? argv[1] : NULL, .timeout_ms = 5000};
	struct iki_client *c = NULL;
	struct proto_event ev[2];
	struct proto_result res[2];
	struct proto_query q = {.indicator = "surat", .period = "202203"};
	struct proto_value *v = NULL;
	size_t n = 0;
	char msg[PROTO_TEXT_MAX + 1] = "";
	int rc = iki_client_open(&o, &c);
	if (rc < 0)
		return fprintf(stderr, "open: %s\n", iki_strerror(rc)), 1;
	event(&ev[0], "lib-1", "surat_masuk", 8);
	event(&ev[1], "lib-2", "surat_tepat", 6);
	if ((rc = iki_submit(c, ev, 2, res)) < 0 || res[0].status || res[1].status)
		return fprintf(stderr, "submit: %s\n", iki_code_name(rc ? rc : res[0].code)), 1;
	if ((rc = iki_query(c, &q, &v, &n, msg)) < 0 || n != 1)
		return fprintf(stderr, "query: %s %s\n", iki_code_name(rc), msg), 1;
	printf("%s %s %s: %lld/%lld\n", v[0].indicator, v[0].orgunit, v[0].period,
	       (long long)v[0].num, (long long)v[0].den);
	free(v);
	iki_client_close(&c);
	return 0;
}
