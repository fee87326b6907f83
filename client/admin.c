/* admin.c: iki lock, unlock, locks and history (see admin.h). */
#include "admin.h"

#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "i18n.h"
#include "lakip.h"
#include "text.h"

/* Milliseconds since the epoch as the office reads them: "YYYY-MM-DD HH:MM:SS WIB". */
static void when(uint64_t ms, char *buf, size_t n)
{
	text_wib((time_t)(ms / 1000), buf, n);
}

/* Whether argv asks for help (-h, --help) as its only argument. */
static int wants_help(int argc, char **argv)
{
	return argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));
}

int cmd_lock(const struct iki_client_options *o, const char *cmd, int argc, char **argv)
{
	bool list = !strcmp(cmd, "locks"), unlock = !strcmp(cmd, "unlock");
	if (wants_help(argc, argv) || argc != (list ? 1 : 2)) {
		fprintf(wants_help(argc, argv) ? stdout : stderr,
			_("usage: iki lock PERIOD | iki unlock PERIOD | iki locks\n"
			"\n"
			"Locks a period once it is reported (2022, 2022Q1, 202203): ikid then refuses every\n"
			"event dated inside it, corrections included, until an admin unlocks it. Locking and\n"
			"unlocking need an admin's key; 'iki locks' lists the locked periods.\n"));
		return wants_help(argc, argv) ? EXIT_OK : EXIT_USAGE;
	}
	struct iki_client *c = cli_connect(o);
	struct proto_lock *l = NULL;
	size_t n = 0;
	char msg[PROTO_TEXT_MAX + 1] = "";
	int rc = iki_lock(c, list ? NULL : argv[1], unlock, &l, &n, msg);
	if (rc < 0)
		return cli_refused(cmd, &c, o, rc, msg);
	iki_client_close(&c);
	if (!list)
		printf("Periode %s %s.\n", argv[1], unlock ? "dibuka" : "dikunci");
	if (n == 0)
		printf("Tidak ada periode yang dikunci.\n");
	else
		printf("%-8s %-24s %s\n", "Periode", "Dikunci pada", "Oleh");
	for (size_t i = 0; i < n; i++) {
		char at[32];
		when(l[i].at_ms, at, sizeof(at));
		printf("%-8s %-24s %s\n", l[i].period, at, l[i].who);
	}
	free(l);
	return EXIT_OK;
}

/* One stored event as a JSON object. */
static json_object *stored_json(const struct proto_stored *x)
{
	json_object *o = json_object_new_object();
	const struct proto_event *e = &x->ev;
	json_object_object_add(o, "id", json_object_new_string(e->id));
	json_object_object_add(o, "op", json_object_new_string(proto_op_name(e->op)));
	if (e->element[0]) {
		json_object_object_add(o, "element", json_object_new_string(e->element));
		json_object_object_add(o, "orgunit", json_object_new_string(e->orgunit));
		json_object_object_add(o, "date", json_object_new_string(e->date));
		json_object_object_add(o, "value", json_object_new_int64(e->value));
	}
	if (e->case_id[0])
		json_object_object_add(o, "case", json_object_new_string(e->case_id));
	if (e->comment[0])
		json_object_object_add(o, "comment", json_object_new_string(e->comment));
	if (e->ref[0])
		json_object_object_add(o, "ref", json_object_new_string(e->ref));
	json_object_object_add(o, "seq", json_object_new_uint64(x->seq));
	json_object_object_add(o, "at", json_object_new_uint64(x->at_ms));
	json_object_object_add(o, "who", json_object_new_string(x->who));
	if (x->voided_by[0])
		json_object_object_add(o, "voided_by", json_object_new_string(x->voided_by));
	if (x->dropped)
		json_object_object_add(o, "dropped", json_object_new_boolean(1));
	return o;
}

/*
 * One stored event as lines for a clerk. Every text in it came from a client (ids and names
 * from older ikids too, comments in any UTF-8), so each passes cli_safe before the terminal.
 */
static void stored_print(const struct proto_stored *x)
{
	const struct proto_event *e = &x->ev;
	char at[32], id[PROTO_ID_MAX + 1], who[sizeof(x->who)], ref[PROTO_ID_MAX + 1];
	char el[PROTO_CODE_MAX + 1], ou[PROTO_ORGUNIT_MAX + 1], date[PROTO_DATE_MAX + 1];
	char kasus[PROTO_ID_MAX + 1], note[PROTO_COMMENT_MAX + 1], by[PROTO_ID_MAX + 1], value[32];
	when(x->at_ms, at, sizeof(at));
	cli_safe(e->ref, ref, sizeof(ref));
	printf("%s  %s  oleh %s\n", at, cli_safe(e->id, id, sizeof(id)),
	       x->who[0] ? cli_safe(x->who, who, sizeof(who)) : "?");
	if (e->op == PROTO_OP_VOID)
		printf("    membatalkan %s\n", ref);
	else
		printf("    %s %s %s %s nilai %s%s%s%s%s\n", proto_op_name(e->op),
		       cli_safe(e->element, el, sizeof(el)), cli_safe(e->orgunit, ou, sizeof(ou)),
		       cli_safe(e->date, date, sizeof(date)), text_count(e->value, value, sizeof(value)),
		       e->case_id[0] ? ", kasus " : "",
		       cli_safe(e->case_id, kasus, sizeof(kasus)), e->ref[0] ? ", mengganti " : "", ref);
	if (e->comment[0])
		printf("    catatan: %s\n", cli_safe(e->comment, note, sizeof(note)));
	if (x->voided_by[0])
		printf("    dibatalkan/diganti oleh %s\n", cli_safe(x->voided_by, by, sizeof(by)));
	else if (x->dropped)
		printf("    tidak berlaku lagi: pembukaan kasusnya dibatalkan\n");
	else
		printf("    berlaku\n");
}

static void history_usage(FILE *f)
{
	fputs(_("usage: iki history ID [--json]\n"
	      "       iki history --indicator CODE --period PERIOD [--orgunit CODE] [--json]\n"
	      "\n"
	      "Shows an event as ikid stored it, who sent it and when, and every correction in\n"
	      "its chain: the original first, then what voided or replaced each. With\n"
	      "--indicator and --period: every event that counts (or counted) in that value, at\n"
	      "the org unit and the villages under it (the kecamatan by default), and the voids\n"
	      "of them, oldest first. Times are WIB (Asia/Jakarta).\n"),
	      f);
}

int cmd_history(const struct iki_client_options *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},	     {"indicator", required_argument, NULL, 'i'},
		{"period", required_argument, NULL, 'p'},    {"orgunit", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},	     {NULL, 0, NULL, 0}};
	struct proto_query q = {0};
	int ch, json = 0;
	optind = 0; /* glibc: start afresh, so that options may follow the id */
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else if (ch == 'i' && strlen(optarg) < sizeof(q.indicator))
			strcpy(q.indicator, optarg);
		else if (ch == 'p' && strlen(optarg) < sizeof(q.period))
			strcpy(q.period, optarg);
		else if (ch == 'o' && strlen(optarg) < sizeof(q.orgunit))
			strcpy(q.orgunit, optarg);
		else {
			history_usage(ch == 'h' ? stdout : stderr);
			return ch == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	bool by_value = q.indicator[0] || q.period[0] || q.orgunit[0];
	if (by_value ? optind != argc || !q.indicator[0] || !q.period[0] : optind != argc - 1) {
		history_usage(stderr);
		return EXIT_USAGE;
	}
	struct iki_client *c = cli_connect(o);
	struct proto_stored *x = NULL;
	size_t n = 0;
	char msg[PROTO_TEXT_MAX + 1] = "";
	int rc = by_value ? iki_history_value(c, &q, &x, &n, msg)
			  : iki_history(c, argv[optind], &x, &n, msg);
	if (rc < 0)
		return cli_refused("history", &c, o, rc, msg);
	iki_client_close(&c);
	if (json) {
		json_object *arr = json_object_new_array();
		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, stored_json(&x[i]));
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
		json_object_put(arr);
	} else {
		if (by_value && n == 0)
			printf("Belum ada kejadian untuk %s di %s, periode %s.\n", q.indicator,
			       q.orgunit[0] ? q.orgunit : "kecamatan", q.period);
		for (size_t i = 0; i < n; i++)
			stored_print(&x[i]);
	}
	free(x);
	return EXIT_OK;
}

static void target_usage(FILE *f)
{
	fputs(_("usage: iki target [--indicator CODE]\n"
	      "       iki target --indicator CODE --period PERIOD [--orgunit CODE] --set PERCENT\n"
	      "\n"
	      "Lists the targets set over the catalog's, or sets one (an admin's key): for the\n"
	      "year (2022) or a triwulan (2022Q1), for the kecamatan or a village, as a percentage\n"
	      "(95 or 95,5). Setting it again is a target perubahan: the first stays visible as\n"
	      "the original. A village without targets of its own takes the kecamatan's; a month\n"
	      "takes its triwulan's. Every value it decides is published again, with its capaian.\n"),
	      f);
}

int cmd_target(const struct iki_client_options *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"indicator", required_argument, NULL, 'i'}, {"period", required_argument, NULL, 'p'},
		{"orgunit", required_argument, NULL, 'o'},   {"set", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},	     {NULL, 0, NULL, 0}};
	struct proto_query q = {0};
	int64_t target = 0;
	bool set = false;
	int ch;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *arg = optarg;
		if (ch == 'i' && strlen(arg) < sizeof(q.indicator)) {
			strcpy(q.indicator, arg);
		} else if (ch == 'p' && strlen(arg) < sizeof(q.period)) {
			strcpy(q.period, arg);
		} else if (ch == 'o' && strlen(arg) < sizeof(q.orgunit)) {
			strcpy(q.orgunit, arg);
		} else if (ch == 's' && lakip_parse_percent(arg, 100000, &target) && target > 0) {
			set = true;
		} else {
			if (ch == 's')
				fprintf(stderr, _("iki target: --set wants a percentage above 0, such as 95 "
					"or 95,5, not '%s'\n"), arg);
			target_usage(ch == 'h' ? stdout : stderr);
			return ch == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	if (optind != argc || (set && (!q.indicator[0] || !q.period[0]))) {
		target_usage(stderr);
		return EXIT_USAGE;
	}
	struct iki_client *c = cli_connect(o);
	struct proto_target *t = NULL;
	size_t n = 0;
	char msg[PROTO_TEXT_MAX + 1] = "";
	int rc = iki_target(c, &q, set, target, &t, &n, msg);
	if (rc < 0)
		return cli_refused("target", &c, o, rc, msg);
	iki_client_close(&c);
	if (n == 0)
		printf("Belum ada target yang ditetapkan di luar katalog.\n");
	else
		printf("%-10s %-14s %-8s %10s %10s  %-24s %s\n", "Indikator", "Wilayah", "Periode",
		       "Target", "Semula", "Ditetapkan", "Oleh");
	for (size_t i = 0; i < n; i++) {
		char at[40], orig[32] = "-", now[32];
		when(t[i].at_ms, at, sizeof(at));
		if (t[i].original != t[i].target)
			text_number((double)t[i].original / 100, 2, orig, sizeof(orig));
		text_number((double)t[i].target / 100, 2, now, sizeof(now));
		printf("%-10s %-14s %-8s %10s %10s  %-24s %s\n", t[i].indicator, t[i].orgunit,
		       t[i].period, now, orig, at, t[i].who);
	}
	free(t);
	return EXIT_OK;
}

/* ---- note: the analysis of a value (analisis / keterangan) ---- */

static void note_usage(FILE *f)
{
	fputs(_("usage: iki note [--indicator CODE] [--orgunit CODE] [--period PERIOD]\n"
	      "       iki note --indicator CODE --period PERIOD [--orgunit CODE] --set TEXT\n"
	      "       iki note --indicator CODE --period PERIOD [--orgunit CODE] --history\n"
	      "\n"
	      "The analysis of an indicator's value (the LAKIP's analisis / keterangan column):\n"
	      "lists the notes written (those the options name), writes one (an admin's key; for\n"
	      "the kecamatan unless --orgunit names a village; --set '' clears it), or shows every\n"
	      "version of one, newest first, with who wrote it and when (each write is kept).\n"
	      "iki report prints the year's note and the triwulans' in its last column.\n"),
	      f);
}

int cmd_note(const struct iki_client_options *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"indicator", required_argument, NULL, 'i'}, {"period", required_argument, NULL, 'p'},
		{"orgunit", required_argument, NULL, 'o'},   {"set", required_argument, NULL, 's'},
		{"history", no_argument, NULL, 'H'},	     {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct proto_query q = {0};
	const char *text = NULL;
	bool history = false;
	int ch;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': cli_field(q.indicator, sizeof(q.indicator), "note", "indicator", optarg); break;
		case 'p': cli_field(q.period, sizeof(q.period), "note", "period", optarg); break;
		case 'o': cli_field(q.orgunit, sizeof(q.orgunit), "note", "orgunit", optarg); break;
		case 's': text = optarg; break;
		case 'H': history = true; break;
		default: note_usage(ch == 'h' ? stdout : stderr); return ch == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	if (optind != argc || (text && history) ||
	    ((text || history) && (!q.indicator[0] || !q.period[0]))) {
		note_usage(stderr);
		return EXIT_USAGE;
	}
	if (text && strlen(text) > PROTO_COMMENT_MAX) {
		fprintf(stderr, _("iki note: the note is %zu bytes long; at most %d\n"), strlen(text),
			PROTO_COMMENT_MAX);
		return EXIT_USAGE;
	}
	struct iki_client *c = cli_connect(o);
	struct proto_note *x = NULL;
	size_t n = 0;
	char msg[PROTO_TEXT_MAX + 1] = "";
	int rc = iki_note(c, &q, text, history, &x, &n, msg);
	if (rc < 0)
		return cli_refused("note", &c, o, rc, msg);
	iki_client_close(&c);
	if (text)
		printf(text[0] ? _("Note saved:\n") : _("Note cleared:\n"));
	else if (n == 0)
		printf(_("No note written yet.\n"));
	for (size_t i = 0; i < n; i++) {
		char at[40], safe[PROTO_COMMENT_MAX + 1], who[64];
		when(x[i].at_ms, at, sizeof(at));
		printf("%-10s %-14s %-8s %s  %s\n", x[i].indicator, x[i].orgunit, x[i].period, at,
		       cli_safe(x[i].who, who, sizeof(who)));
		printf("    %s\n", x[i].text[0] ? cli_safe(x[i].text, safe, sizeof(safe))
					   : _("(cleared)"));
	}
	free(x);
	return EXIT_OK;
}
