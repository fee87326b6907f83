/* iki.c: the command-line client: submit events, query indicator values, watch them change. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iki_client.h"
#include "input.h"

/* Exit statuses a script can rely on (man/iki.1). */
enum { EXIT_OK = 0, EXIT_REJECTED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

#define TIMEOUT_MAX_S 86400
#define NAME_WIDTH 36

struct global {
	const char *request, *update;
	int timeout_ms;
};

static volatile sig_atomic_t stop;

/* SIGINT, SIGTERM: ask the watch loop to end. */
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* The top-level help. */
static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: iki [-s ENDPOINT] [-u ENDPOINT] [-t SECONDS] COMMAND [OPTIONS]\n"
	    "\n"
	    "Talks to ikid, the IKI daemon of Kecamatan Sampang.\n"
	    "\n"
	    "commands:\n"
	    "  submit   send events, from a CSV or JSON-lines file or from flags\n"
	    "  query    print indicator values (numerator, denominator, percentage)\n"
	    "  watch    print each indicator value as the daemon publishes it\n"
	    "\n"
	    "options:\n"
	    "  -s ENDPOINT  requests endpoint (env IKI_SERVER; default %s)\n"
	    "  -u ENDPOINT  updates endpoint (env IKI_UPDATES; default %s)\n"
	    "  -t SECONDS   wait this long for each reply (default %d)\n"
	    "  -h, --help   this help; 'iki COMMAND --help' for a command's options\n"
	    "\n"
	    "exit status: 0 all accepted (or duplicate), 1 something rejected, 2 usage or input\n"
	    "file error, 3 daemon unreachable or not answering.\n",
	    IKI_CLIENT_REQUEST_DEFAULT, IKI_CLIENT_UPDATE_DEFAULT, IKI_CLIENT_TIMEOUT_MS / 1000);
}

/* Whether rc is a failure to talk to the daemon (timeout, -errno), not a refusal. */
static bool transport_error(int rc)
{
	return rc == IKI_ETIMEOUT || (rc < 0 && rc > -IKI_EBASE);
}

/* Open the client or exit: 2 for an endpoint ZeroMQ refuses, 3 otherwise. */
static struct iki_client *connect_or_die(const struct global *g)
{
	struct iki_client *c = NULL;
	int rc = iki_client_open(g->request, g->update, &c);
	if (rc < 0) {
		fprintf(stderr, "iki: cannot use endpoint %s or %s: %s\n", g->request, g->update,
			iki_strerror(rc));
		exit(rc == -EINVAL || rc == -EPROTONOSUPPORT ? EXIT_USAGE : EXIT_UNREACHABLE);
	}
	iki_client_set_timeout(c, g->timeout_ms);
	return c;
}

/* Report a failed exchange with the daemon and return the exit status for it. */
static int transport_failure(const struct global *g, int rc)
{
	if (rc == IKI_ETIMEOUT)
		fprintf(stderr, "iki: ikid at %s did not answer within %d s (is it running?): %s\n",
			g->request, g->timeout_ms / 1000, iki_strerror(rc));
	else
		fprintf(stderr, "iki: %s: %s\n", g->request, iki_strerror(rc));
	return EXIT_UNREACHABLE;
}

/* ---- submit ---- */

/* Help for submit. */
static void submit_usage(FILE *f)
{
	fputs("usage: iki submit -f FILE [--format csv|jsonl]\n"
	      "       iki submit --element CODE --orgunit CODE --date YYYY-MM-DD [--op OP]\n"
	      "                  [--value N] [--case ID] [--comment TEXT] [--id ID]\n"
	      "\n"
	      "Sends events to ikid and prints each rejected one with its code and reason, then\n"
	      "a summary: diterima (accepted), duplikat (already stored), ditolak (rejected).\n"
	      "A file (- for standard input, with --format) is sent in batches, several in\n"
	      "flight. The format comes from the extension (.csv, .jsonl, .json) unless --format\n"
	      "is given. CSV files need a header row naming their columns, in any order: id,\n"
	      "element, orgunit, date, op, value, case, comment (element, orgunit, date needed).\n"
	      "Without an id, one is made from the row's content, so resubmitting a file does\n"
	      "not count anything twice; a single event from flags gets a random id.\n"
	      "op is add (default), set, open or close; value defaults to 1.\n",
	      f);
}

/* A random id for a single event given by flags: "r-" and 16 hex digits from /dev/urandom. */
static int random_id(char *buf, size_t n)
{
	unsigned char r[8];
	FILE *u = fopen("/dev/urandom", "rb");
	size_t got = u ? fread(r, 1, sizeof(r), u) : 0;
	if (u)
		fclose(u);
	if (got != sizeof(r))
		return -EIO;
	snprintf(buf, n, "r-%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5],
		 r[6], r[7]);
	return 0;
}

/* Print a usage error for a subcommand and exit 2. */
static void usage_error(const char *cmd, const char *msg, void (*help)(FILE *))
{
	if (msg)
		fprintf(stderr, "iki %s: %s\n", cmd, msg);
	help(stderr);
	exit(EXIT_USAGE);
}

/* Make the one event given by flags into *in, with a random id when none was given. */
static void submit_single(struct proto_event *ev, struct input *in)
{
	char err[INPUT_ERR_MAX];
	if (input_check_event(ev, err, sizeof(err)) < 0)
		usage_error("submit", err, submit_usage);
	if (!ev->id[0] && random_id(ev->id, sizeof(ev->id)) < 0) {
		fprintf(stderr, "iki submit: cannot read /dev/urandom for an id; give --id\n");
		exit(EXIT_USAGE);
	}
	in->events = malloc(sizeof(*ev));
	in->lines = calloc(1, sizeof(int));
	if (!in->events || !in->lines) {
		fprintf(stderr, "iki submit: out of memory\n");
		exit(EXIT_USAGE);
	}
	in->events[0] = *ev;
	in->n = 1;
}

/* Read the events a submit names: a file, or one event from flags. Exits 2 on bad input. */
static void submit_args(int argc, char **argv, struct input *in, const char **file)
{
	static const struct option opts[] = {
	    {"file", required_argument, NULL, 'f'},    {"format", required_argument, NULL, 'F'},
	    {"id", required_argument, NULL, 'i'},      {"element", required_argument, NULL, 'e'},
	    {"orgunit", required_argument, NULL, 'o'}, {"date", required_argument, NULL, 'd'},
	    {"op", required_argument, NULL, 'p'},      {"value", required_argument, NULL, 'v'},
	    {"case", required_argument, NULL, 'c'},    {"comment", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0}};
	static const char *const fields[128] = {
	    ['i'] = "id", ['e'] = "element", ['o'] = "orgunit", ['d'] = "date",
	    ['p'] = "op", ['v'] = "value",   ['c'] = "case",	['m'] = "comment"};
	enum input_format fmt = INPUT_AUTO;
	struct proto_event ev = {.op = PROTO_OP_ADD, .value = 1};
	char err[INPUT_ERR_MAX];
	int ch, flags = 0;
	*file = NULL;
	while ((ch = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (ch == 'f') {
			*file = optarg;
		} else if (ch == 'F') {
			if (input_format_parse(optarg, &fmt) < 0)
				usage_error("submit", "--format is csv or jsonl", submit_usage);
		} else if (ch == 'h') {
			submit_usage(stdout);
			exit(EXIT_OK);
		} else if (ch > 0 && ch < 128 && fields[ch]) {
			if (input_set_field(&ev, fields[ch], optarg, err, sizeof(err)) < 0)
				usage_error("submit", err, submit_usage);
			flags++;
		} else {
			usage_error("submit", NULL, submit_usage);
		}
	}
	if (optind != argc)
		usage_error("submit", "unexpected argument", submit_usage);
	if ((*file && flags) || (!*file && !flags))
		usage_error("submit", "give either -f FILE or an event's flags", submit_usage);
	if (!*file) {
		submit_single(&ev, in);
		return;
	}
	if (input_read(*file, fmt, in, err, sizeof(err)) < 0) {
		fprintf(stderr, "iki submit: %s\n", err);
		exit(EXIT_USAGE);
	}
}

/* Tallies of a submit's outcomes. */
struct tally {
	size_t ok, dup, bad, refused, unanswered;
};

/* Whether result r is the whole-message refusal (code, sentence) rather than its own. */
static bool is_refusal(const struct proto_result *r, int code, const char *message)
{
	return code < 0 && r->code == code && !strcmp(r->message, message);
}

/* Print each rejected event ("baris N (id): code: sentence") and count every outcome. */
static void submit_report(const struct input *in, const struct proto_result *res, int rc,
			  const char *message, struct tally *t)
{
	for (size_t i = 0; i < in->n; i++) {
		const struct proto_result *r = &res[i];
		t->ok += r->status == PROTO_STATUS_OK;
		t->dup += r->status == PROTO_STATUS_DUPLICATE;
		if (r->status != PROTO_STATUS_ERROR)
			continue;
		t->bad++;
		if (transport_error(rc) && r->code == rc) {
			t->unanswered++;
		} else if (is_refusal(r, rc, message)) {
			t->refused++;
		} else {
			if (in->lines[i])
				printf("baris %d (%s): ", in->lines[i], in->events[i].id);
			else
				printf("%s: ", in->events[i].id);
			printf("%s: %s\n", iki_code_name(r->code), r->message);
		}
	}
}

/* The submit command: send, report rejections and the summary; the exit status. */
static int cmd_submit(const struct global *g, int argc, char **argv)
{
	struct input in = {0};
	struct tally t = {0};
	const char *file;
	char message[PROTO_TEXT_MAX + 1];
	submit_args(argc, argv, &in, &file);
	struct proto_result *res = calloc(in.n ? in.n : 1, sizeof(*res));
	if (!res) {
		fprintf(stderr, "iki submit: out of memory\n");
		return EXIT_USAGE;
	}
	struct iki_client *c = connect_or_die(g);
	int rc = iki_submit(c, in.events, in.n, res);
	snprintf(message, sizeof(message), "%s", iki_client_message(c));
	iki_client_close(&c);
	submit_report(&in, res, rc, message, &t);
	if (t.refused)
		printf("permintaan ditolak untuk %zu kejadian: %s: %s\n", t.refused,
		       iki_code_name(rc), message);
	printf("diterima %zu, duplikat %zu, ditolak %zu\n", t.ok, t.dup, t.bad - t.unanswered);
	free(res);
	input_free(&in);
	if (transport_error(rc)) {
		printf(
		    "tanpa jawaban %zu: kirim ulang %s; yang sudah tersimpan tidak terhitung dua "
		    "kali\n",
		    t.unanswered, file ? "berkas yang sama" : "dengan --id yang sama");
		return transport_failure(g, rc);
	}
	return t.bad ? EXIT_REJECTED : EXIT_OK;
}

/* ---- query and watch ---- */

/* Help for query. */
static void query_usage(FILE *f)
{
	fputs("usage: iki query [--indicator CODE] [--jabatan NAME] [--orgunit CODE]\n"
	      "                 [--period PERIOD] [--json]\n"
	      "\n"
	      "Prints indicator values: numerator (Pembilang), denominator (Penyebut) and their\n"
	      "ratio for the kecamatan (default) or a village, for a period: a year (2022; the\n"
	      "default is this year), a quarter (2022Q1) or a month (202203). Without\n"
	      "--indicator, every indicator (or those of a jabatan). A value without data\n"
	      "(denominator 0) is 'tidak ada data', null in JSON. --json prints a JSON array.\n",
	      f);
}

/* Help for watch. */
static void watch_usage(FILE *f)
{
	fputs("usage: iki watch [--indicator CODE] [--orgunit CODE] [--period PERIOD] [--json]\n"
	      "\n"
	      "Prints one line for each indicator value ikid publishes, as it happens, until\n"
	      "interrupted (SIGINT, SIGTERM). The options narrow what is shown; --json prints one\n"
	      "JSON object per line, with seq, the daemon's publish sequence number.\n",
	      f);
}

/* Set a fixed-size query field from an option or exit 2. */
static void query_field(char *dst, size_t n, const char *name, const char *val)
{
	if (strlen(val) >= n) {
		fprintf(stderr, "iki: --%s is longer than %zu bytes\n", name, n - 1);
		exit(EXIT_USAGE);
	}
	memcpy(dst, val, strlen(val) + 1);
}

/* Parse the filter options of query and watch into q; returns whether --json was given. */
static bool filter_args(int argc, char **argv, struct proto_query *q, const char *cmd,
			void (*help)(FILE *))
{
	static const struct option opts[] = {{"indicator", required_argument, NULL, 'i'},
					     {"jabatan", required_argument, NULL, 'j'},
					     {"orgunit", required_argument, NULL, 'o'},
					     {"period", required_argument, NULL, 'p'},
					     {"json", no_argument, NULL, 'J'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	bool json = false, watch = !strcmp(cmd, "watch");
	int ch;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			query_field(q->indicator, sizeof(q->indicator), "indicator", optarg);
			break;
		case 'j': query_field(q->jabatan, sizeof(q->jabatan), "jabatan", optarg); break;
		case 'o': query_field(q->orgunit, sizeof(q->orgunit), "orgunit", optarg); break;
		case 'p': query_field(q->period, sizeof(q->period), "period", optarg); break;
		case 'J': json = true; break;
		case 'h': help(stdout); exit(EXIT_OK);
		default: usage_error(cmd, NULL, help);
		}
	}
	if (optind != argc)
		usage_error(cmd, "unexpected argument", help);
	if (watch && q->jabatan[0])
		usage_error(cmd, "--jabatan is for query only", help);
	return json;
}

/* A value as JSON: {indicator,name,jabatan,orgunit,period,num,den,factor,value|null[,seq]}. */
static json_object *value_json(const struct proto_value *v, const uint64_t *seq)
{
	json_object *o = json_object_new_object();
	double r;
	json_object_object_add(o, "indicator", json_object_new_string(v->indicator));
	if (!seq) {
		json_object_object_add(o, "name", json_object_new_string(v->name));
		json_object_object_add(o, "jabatan", json_object_new_string(v->jabatan));
	}
	json_object_object_add(o, "orgunit", json_object_new_string(v->orgunit));
	json_object_object_add(o, "period", json_object_new_string(v->period));
	json_object_object_add(o, "num", json_object_new_int64(v->num));
	json_object_object_add(o, "den", json_object_new_int64(v->den));
	json_object_object_add(o, "factor", json_object_new_int64(v->factor));
	json_object_object_add(o, "value",
			       proto_value_ratio(v, &r) ? json_object_new_double(r) : NULL);
	if (seq)
		json_object_object_add(o, "seq", json_object_new_uint64(*seq));
	return o;
}

/* The ratio as text: "80.00 %" (just "80.00" for a factor other than 100), or no data. */
static void value_text(const struct proto_value *v, char *buf, size_t n)
{
	double r;
	if (!proto_value_ratio(v, &r))
		snprintf(buf, n, "tidak ada data");
	else
		snprintf(buf, n, "%.2f%s", r, v->factor == 100 ? " %" : "");
}

/* Print s in width columns (UTF-8 characters), cut with an ellipsis when longer, then a space. */
static void print_cell(const char *s, int width)
{
	int bytes = 0, chars = 0;
	while (s[bytes] && chars < width) {
		bytes++;
		while ((s[bytes] & 0xc0) == 0x80)
			bytes++;
		chars++;
	}
	if (!s[bytes]) {
		printf("%s%*s", s, width - chars + 1, "");
		return;
	}
	while (bytes > 0 && chars >= width) { /* back off one character for the ellipsis */
		bytes--;
		while (bytes > 0 && (s[bytes] & 0xc0) == 0x80)
			bytes--;
		chars--;
	}
	printf("%.*s\xe2\x80\xa6%*s", bytes, s, width - chars, "");
}

/* Print values as a table for people. */
static void print_table(const struct proto_value *vals, size_t n)
{
	printf("%-10s %-*s %-14s %-7s %14s %14s  %s\n", "Indikator", NAME_WIDTH, "Nama", "Wilayah",
	       "Periode", "Pembilang", "Penyebut", "Nilai");
	for (size_t i = 0; i < n; i++) {
		char val[48];
		value_text(&vals[i], val, sizeof(val));
		printf("%-10s ", vals[i].indicator);
		print_cell(vals[i].name, NAME_WIDTH);
		printf("%-14s %-7s %14" PRId64 " %14" PRId64 "  %s\n",
		       vals[i].orgunit[0] ? vals[i].orgunit : "-", vals[i].period, vals[i].num,
		       vals[i].den, val);
	}
}

/* Print values as one JSON array. */
static void print_json(const struct proto_value *vals, size_t n)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, value_json(&vals[i], NULL));
	puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
	json_object_put(arr);
}

/* The query command: ask once, print a table or JSON. */
static int cmd_query(const struct global *g, int argc, char **argv)
{
	struct proto_query q = {0};
	struct proto_value *vals = NULL;
	size_t n = 0;
	bool json = filter_args(argc, argv, &q, "query", query_usage);
	if (!q.period[0]) {
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		snprintf(q.period, sizeof(q.period), "%04d", (tm.tm_year + 1900) % 10000);
	}
	struct iki_client *c = connect_or_die(g);
	int rc = iki_query(c, &q, &vals, &n);
	if (rc < 0 && !transport_error(rc))
		fprintf(stderr, "iki query: %s: %s\n", iki_code_name(rc), iki_client_message(c));
	iki_client_close(&c);
	if (rc < 0)
		return transport_error(rc) ? transport_failure(g, rc) : EXIT_REJECTED;
	if (json)
		print_json(vals, n);
	else
		print_table(vals, n);
	free(vals);
	return EXIT_OK;
}

/* Print one update: a line for people, or a JSON object per line. */
static void print_update(const struct proto_value *v, uint64_t seq, bool json)
{
	if (json) {
		json_object *o = value_json(v, &seq);
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		char val[48];
		value_text(v, val, sizeof(val));
		printf("%-10s %-14s %-7s %" PRId64 "/%" PRId64 "  %s\n", v->indicator,
		       v->orgunit[0] ? v->orgunit : "-", v->period, v->num, v->den, val);
	}
	fflush(stdout);
}

/* The topic prefix for a watch: "<indicator>/" or "<indicator>/<orgunit>/", else all. */
static void watch_prefix(const struct proto_query *q, char *buf, size_t n)
{
	if (q->indicator[0] && q->orgunit[0])
		snprintf(buf, n, "%s/%s/", q->indicator, q->orgunit);
	else if (q->indicator[0])
		snprintf(buf, n, "%s/", q->indicator);
	else
		buf[0] = '\0';
}

/* The watch command: subscribe and print updates until a signal. */
static int cmd_watch(const struct global *g, int argc, char **argv)
{
	struct proto_query q = {0};
	bool json = filter_args(argc, argv, &q, "watch", watch_usage);
	char prefix[PROTO_CODE_MAX + PROTO_ORGUNIT_MAX + 3];
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	watch_prefix(&q, prefix, sizeof(prefix));
	struct iki_client *c = connect_or_die(g);
	int rc = iki_watch_open(c, prefix);
	while (rc >= 0 && !stop) {
		struct proto_value v;
		rc = iki_watch_next(c, &v, 500);
		if (rc <= 0)
			continue;
		if ((q.orgunit[0] && strcmp(q.orgunit, v.orgunit)) ||
		    (q.period[0] && strcmp(q.period, v.period)))
			continue; /* the prefix cannot express these filters */
		print_update(&v, iki_watch_seq(c), json);
	}
	iki_client_close(&c);
	if (rc < 0 && rc != -EINTR) {
		fprintf(stderr, "iki watch: %s: %s\n", g->update, iki_strerror(rc));
		return EXIT_UNREACHABLE;
	}
	return EXIT_OK;
}

/* ---- main ---- */

/* Parse -t SECONDS into milliseconds, or exit 2. */
static int parse_timeout(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > TIMEOUT_MAX_S) {
		fprintf(stderr, "iki: -t takes whole seconds from 1 to %d, not '%s'\n",
			TIMEOUT_MAX_S, s);
		exit(EXIT_USAGE);
	}
	return (int)v * 1000;
}

/* An environment variable, or def when it is unset or empty. */
static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	struct global g = {env_or("IKI_SERVER", IKI_CLIENT_REQUEST_DEFAULT),
			   env_or("IKI_UPDATES", IKI_CLIENT_UPDATE_DEFAULT), IKI_CLIENT_TIMEOUT_MS};
	int ch;
	while ((ch = getopt_long(argc, argv, "+s:u:t:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's': g.request = optarg; break;
		case 'u': g.update = optarg; break;
		case 't': g.timeout_ms = parse_timeout(optarg); break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	if (!strcmp(cmd, "submit"))
		return cmd_submit(&g, argc, argv);
	if (!strcmp(cmd, "query"))
		return cmd_query(&g, argc, argv);
	if (!strcmp(cmd, "watch"))
		return cmd_watch(&g, argc, argv);
	if (!strcmp(cmd, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "iki: unknown command '%s'\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
