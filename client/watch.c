/* watch.c: iki watch: the values live: a table on a terminal (live.c), lines or JSON otherwise. */
#include "watch.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "text.h"
#include "live.h"

enum watch_mode { WATCH_TABLE, WATCH_LINES, WATCH_JSON };

struct watch_args {
	struct proto_query q;
	enum watch_mode mode;
	struct iki_stream_options so;
};

/* Set by the signal handlers, read by the loops (a handler only sets a flag). */
static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Catch sig with on_signal, without SA_RESTART: a wait ends at once and the loop looks. */
static void catch_signal(int sig)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* ---- options ---- */

static void watch_usage(FILE *f)
{
	fputs(
	    _("usage: iki watch [--indicator CODE] [--jabatan NAME] [--orgunit CODE]\n"
	    "                 [--period PERIOD] [--json | --plain] [--heartbeat-ms MS]\n"
	    "\n"
	    "Shows ikid's values as they change: first the current values (a snapshot), then\n"
	    "every value ikid publishes, until interrupted. Every update carries a sequence\n"
	    "number: a gap (or a heartbeat ahead of the last update) means updates were missed,\n"
	    "and watch takes a fresh snapshot by itself.\n"
	    "\n"
	    "On a terminal: a table that updates in place (q quits; arrows, PgUp, PgDn, Home and\n"
	    "End scroll; u orders by the latest change or back by the catalog). Rows that just\n"
	    "changed are marked (up, down or new); capaian and predikat are coloured by band.\n"
	    "Otherwise, or with --plain, one line per value; with --json one JSON object per\n"
	    "line (with seq, ikid's publish sequence number). The table and the lines write\n"
	    "numbers for people (1.234 and 86,67 %), --json for programs (86.67).\n"
	    "\n"
	    "The filters are exact: --orgunit 35.27.03 is the kecamatan alone, --period 2022\n"
	    "the year alone. --jabatan shows the indicators of a position (as iki query).\n"
	    "--heartbeat-ms is ikid's (default 1000): 3 of them in silence and watch says so.\n"
	    "A wall screen: iki watch --orgunit 35.27.03 --period 2022\n"),
	    f);
}


static void watch_args(int argc, char **argv, struct watch_args *a)
{
	static const struct option opts[] = {{"indicator", required_argument, NULL, 'i'},
					     {"jabatan", required_argument, NULL, 'j'},
					     {"orgunit", required_argument, NULL, 'o'},
					     {"period", required_argument, NULL, 'p'},
					     {"json", no_argument, NULL, 'J'},
					     {"plain", no_argument, NULL, 'P'},
					     {"heartbeat-ms", required_argument, NULL, 'H'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int ch, json = 0, plain = 0;
	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			cli_field(a->q.indicator, sizeof(a->q.indicator), "watch", "indicator", optarg);
			break;
		case 'j': cli_field(a->q.jabatan, sizeof(a->q.jabatan), "watch", "jabatan", optarg); break;
		case 'o': cli_field(a->q.orgunit, sizeof(a->q.orgunit), "watch", "orgunit", optarg); break;
		case 'p': cli_field(a->q.period, sizeof(a->q.period), "watch", "period", optarg); break;
		case 'J': json = 1; break;
		case 'P': plain = 1; break;
		case 'H': a->so.heartbeat_ms = atoi(optarg); break;
		case 'h': watch_usage(stdout); exit(EXIT_OK);
		default: watch_usage(stderr); exit(EXIT_USAGE);
		}
	}
	if (optind != argc || (json && plain) || a->so.heartbeat_ms < 0) {
		watch_usage(stderr);
		exit(EXIT_USAGE);
	}
	a->mode = json ? WATCH_JSON : plain || !isatty(STDOUT_FILENO) ? WATCH_LINES : WATCH_TABLE;
}

/* ---- lines and JSON ---- */


/* One value as a line of text or JSON, flushed at once (a pipe sees each as it happens). */
static void line_print(const struct proto_value *v, uint64_t seq, bool json)
{
	if (json) {
		json_object *o = cli_value_json(v, &seq);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		double r;
		char val[64] = "tidak ada data", num[32], den[32], x[48], check[128];
		if (proto_value_ratio(v, &r))
			snprintf(val, sizeof(val), "%s%s", text_number(r, 2, x, sizeof(x)),
				 v->factor == 100 ? " %" : "");
		text_check(v->check, check, sizeof(check));
		printf("%-8s %-14s %-8s %s/%s  %s%s%s\n", v->indicator, v->orgunit, v->period,
		       text_count(v->num, num, sizeof(num)), text_count(v->den, den, sizeof(den)), val,
		       check[0] ? "  " : "", cli_safe(check, check, sizeof(check)));
	}
	fflush(stdout);
}

/* Print the stream's values as they come; stderr says when a snapshot heals a gap. */
static int run_lines(struct iki_stream *s, bool json, int heartbeat_ms)
{
	bool quiet = false, busy = false;
	while (!stop) {
		struct iki_stream_event ev;
		int rc = iki_stream_next(s, &ev, 500);
		if (rc == 0 || rc == -EINTR)
			continue;
		if (iki_code_busy(rc) && !busy) /* the stream asks again */
			fprintf(stderr, _("iki watch: ikid is busy; asking for a snapshot again shortly\n"));
		busy = iki_code_busy(rc);
		if (busy)
			continue;
		if (rc < 0)
			return rc;
		if (quiet && ev.kind != IKI_STREAM_STALE)
			fprintf(stderr, _("iki watch: ikid is heard again\n"));
		quiet = ev.kind == IKI_STREAM_STALE;
		if (ev.kind == IKI_STREAM_RESET && ev.missed)
			fprintf(stderr,
				_("iki watch: %llu updates missed; a fresh snapshot follows (seq %llu)\n"),
				(unsigned long long)ev.missed, (unsigned long long)ev.seq);
		else if (ev.kind == IKI_STREAM_VALUE || ev.kind == IKI_STREAM_UPDATE)
			line_print(&ev.value, ev.seq, json);
		else if (ev.kind == IKI_STREAM_STALE)
			fprintf(stderr, _("iki watch: nothing heard from ikid for %.1f s\n"),
				3 * (heartbeat_ms > 0 ? heartbeat_ms : 1000) / 1000.0);
	}
	return 0;
}

int cmd_watch(const struct iki_client_options *o, int argc, char **argv)
{
	struct watch_args a;
	char msg[PROTO_TEXT_MAX + 1] = "";
	struct iki_stream *s = NULL;
	watch_args(argc, argv, &a);
	catch_signal(SIGINT);
	catch_signal(SIGTERM);
	struct iki_client *c = cli_connect(o);
	int rc = iki_stream_open(c, &a.q, &a.so, &s, msg);
	if (rc < 0)
		return cli_refused("watch", &c, o, rc, msg);
	if (a.mode != WATCH_TABLE) {
		rc = run_lines(s, a.mode == WATCH_JSON, a.so.heartbeat_ms);
	} else {
		rc = live_run(o, c, s, &a.q, &stop);
	}
	snprintf(msg, sizeof(msg), "%s", iki_stream_message(s));
	iki_stream_close(&s);
	if (rc < 0)
		return cli_refused("watch", &c, o, rc, msg);
	iki_client_close(&c);
	return EXIT_OK;
}
