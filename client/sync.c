/* sync.c: iki submit, iki sync and iki outbox: capture into the outbox, deliver, look inside. */
#define _DEFAULT_SOURCE /* struct sigaction's flags, strdup */
#include "sync.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "input.h"
#include "text.h"

/* Set by SIGINT and SIGTERM: delivery stops and leaves the rest in the outbox. */
static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Catch Ctrl-C and SIGTERM without SA_RESTART, so the wait for a reply is interrupted. */
static void catch_stop(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Open the outbox or say why not (exit 2). */
static struct iki_outbox *open_outbox(const struct sync_config *g, const char *cmd)
{
	struct iki_outbox *ob = NULL;
	char dir[4096] = "";
	int rc = iki_outbox_open(g->outbox, &ob);
	if (rc < 0) {
		if (!g->outbox)
			iki_outbox_default_dir(dir, sizeof(dir));
		fprintf(stderr, "iki %s: outbox %s tidak dapat dibuka: %s (pilih tempat lain dengan "
			"--outbox DIR atau IKI_OUTBOX)\n", cmd, g->outbox ? g->outbox : dir,
			rc < 0 && rc > -IKI_EBASE ? strerror(-rc) : iki_strerror(rc));
		exit(EXIT_USAGE);
	}
	return ob;
}

/* ---- the status line ---- */

struct status {
	bool tty;
	enum iki_outbox_wait last;
	time_t last_line;
	bool drawn;
};

/* Bytes for people: "45,6 KB". */
static const char *kb(uint64_t bytes, char *buf, size_t n)
{
	char whole[32];
	uint64_t tenths = (bytes * 10 + 512) / 1024;
	snprintf(buf, n, "%s,%u KB", text_count((long long)(tenths / 10), whole, sizeof(whole)),
		 (unsigned)(tenths % 10));
	return buf;
}

/*
 * "terkirim 1.234 dari 3.000 peristiwa (45,6 KB), ditolak 2, tertunda 1.764": the KB are what
 * the link carried up (what was handed to the socket where that is not known).
 */
static void progress_text(const struct iki_outbox_progress *p, char *buf, size_t n)
{
	char a[32], b[32], c[32], d[32], r[48] = "";
	size_t pending = p->total - p->delivered - p->refused;
	if (p->refused)
		snprintf(r, sizeof(r), ", ditolak %s", text_count((long long)p->refused, d, sizeof(d)));
	snprintf(buf, n, "terkirim %s dari %s peristiwa (%s)%s, tertunda %s",
		 text_count((long long)p->delivered, a, sizeof(a)),
		 text_count((long long)p->total, b, sizeof(b)),
		 kb(p->bytes_acked ? p->bytes_acked : p->bytes_sent, c, sizeof(c)), r,
		 text_count((long long)pending, d, sizeof(d)));
}

/* One status line on a terminal (redrawn), else a plain line when the reason to wait changes
 * or every 30 s. */
static void on_progress(const struct iki_outbox_progress *p, void *arg)
{
	struct status *s = arg;
	char text[300];
	time_t now = time(NULL);
	progress_text(p, text, sizeof(text));
	const char *why = iki_outbox_wait_text(p->wait);
	if (p->total == 0)
		return;
	if (s->tty) {
		fprintf(stderr, "\r\033[K%s%s%s", text, *why ? "; " : "", why);
		s->drawn = true;
	} else if ((p->wait != s->last && p->wait != IKI_WAIT_NONE) || now - s->last_line >= 30) {
		fprintf(stderr, "iki: %s%s%s\n", text, *why ? "; " : "", why);
		s->last_line = now;
	}
	s->last = p->wait;
	fflush(stderr);
}

/*
 * Deliver what of c's key is pending. Returns an exit status for what is left to say: EXIT_OK
 * (all delivered), EXIT_PENDING (stopped, or ikid's database full: said so), EXIT_UNREACHABLE
 * (said why).
 */
static int deliver(const struct sync_config *g, struct iki_outbox *ob, struct iki_client **c,
		   int64_t deadline_ms, bool once, struct iki_outbox_progress *p)
{
	struct status s = {.tty = isatty(STDERR_FILENO), .last = IKI_WAIT_NONE,
			   .last_line = time(NULL)};
	struct iki_outbox_deliver_options d = {.deadline_ms = deadline_ms, .once = once,
					       .stop = &stop_flag, .progress = on_progress,
					       .arg = &s};
	char text[300], left[32];
	catch_stop();
	int rc = iki_outbox_deliver(ob, *c, &d, p);
	if (s.drawn)
		fputs("\n", stderr);
	if (rc == 0)
		return EXIT_OK;
	if (rc == -EPERM)
		return cli_unreachable(&g->o, c, IKI_ETIMEOUT);
	size_t pending = 0;
	iki_outbox_count(ob, iki_client_owner(*c), &pending, NULL, NULL);
	progress_text(p, text, sizeof(text));
	if (rc == IKI_EFULL) /* ikid's own words, as every refusal: only its operator can help */
		fprintf(stderr, "iki: %s: %s\n", iki_code_name(rc), iki_strerror(rc));
	else
		fprintf(stderr, "iki: %s: %s.\n", rc == -EINTR ? "dihentikan" : rc == IKI_ETIMEOUT
		? (once ? "ikid tidak menjawab" : "batas waktu (--deadline) habis")
		: iki_strerror(rc), text);
	fprintf(stderr, "iki: %s peristiwa yang belum terkirim aman di outbox (%s); kirimkan nanti "
		"dengan 'iki sync' (tidak ada yang terhitung dua kali).\n",
		text_count((long long)pending, left, sizeof(left)), iki_outbox_dir(ob));
	bool stopped = rc == -EINTR || rc == IKI_ETIMEOUT || rc == IKI_EFULL;
	return stopped ? EXIT_PENDING : EXIT_UNREACHABLE;
}

/* --deadline SECS, or exit 2. */
static int64_t deadline_arg(const char *cmd, const char *v)
{
	char *end;
	long s = strtol(v, &end, 10);
	if (*end || end == v || s <= 0) {
		fprintf(stderr, "iki %s: --deadline harus berupa jumlah detik (bilangan bulat positif), "
			"bukan '%s'\n", cmd, v);
		exit(EXIT_USAGE);
	}
	return (int64_t)s * 1000;
}

/* ---- submit ---- */

static void submit_usage(FILE *f)
{
	fputs(_("usage: iki submit -f FILE [--format csv|jsonl] [--file-id NAME]\n"
	      "                  [--void-missing | --keep-missing] [--deadline SECS]\n"
	      "       iki submit --element CODE --orgunit CODE --date YYYY-MM-DD [--op OP]\n"
	      "                  [--value N] [--case ID] [--comment TEXT] [--id ID] [--ref ID]\n"
	      "       iki submit --void ID [--comment TEXT]\n"
	      "\n"
	      "Writes the events into the outbox (iki outbox) first, each with its id, then sends\n"
	      "them, in batches sized to the link, and prints each refused one with its code and\n"
	      "reason, then a summary. Through an outage it keeps trying, on one status line;\n"
	      "Ctrl-C, --deadline or a full ikid database stops it (exit 4): the rest waits in the\n"
	      "outbox for 'iki sync'.\n"
	      "A flag event without --id gets its id now, and it is printed.\n"
	      "\n"
	      "A file is known by its name (or --file-id), each row by its 'no' column (nomor\n"
	      "agenda) or else by its place in the file. Sent again: an unchanged row adds nothing;\n"
	      "a changed row corrects its event (history keeps both); a row gone from the file\n"
	      "stops the submit unless --void-missing (void its event) or --keep-missing. CSV\n"
	      "columns: id, element, orgunit, date, op, value, case, comment, ref, no. op is add\n"
	      "(default), set, open, close or void; an add or a set needs its value (1 too).\n"
	      "\n"
	      "Corrections: --void ID cancels an earlier event; an event with --ref ID (a ref\n"
	      "column in a file) replaces the earlier event ID. The original stays in ikid's log\n"
	      "('iki history ID' shows both); every value it counted in moves at once.\n"),
	      f);
}

/* What a submit was asked to do. */
struct submit_args {
	const char *file, *file_id;
	enum input_format fmt;
	unsigned flags;
	int64_t deadline_ms;
	struct proto_event ev;
	int n_flags;
};

/* --format csv|jsonl, or exit 2. */
static enum input_format format_arg(const char *v)
{
	if (!strcmp(v, "csv"))
		return INPUT_CSV;
	if (!strcmp(v, "jsonl") || !strcmp(v, "json"))
		return INPUT_JSONL;
	char safe[64];
	fprintf(stderr, "iki submit: format '%s' tidak dikenal: --format harus csv atau jsonl\n",
		cli_safe(v, safe, sizeof(safe)));
	exit(EXIT_USAGE);
}

/* Parse a submit's options into a. Exits 0 on --help, 2 on a usage error. */
static void submit_parse(int argc, char **argv, struct submit_args *a)
{
	static const struct option opts[] = {
		{"file", required_argument, NULL, 'f'}, {"format", required_argument, NULL, 'F'},
		{"id", required_argument, NULL, 'i'},	{"element", required_argument, NULL, 'e'},
		{"orgunit", required_argument, NULL, 'o'}, {"date", required_argument, NULL, 'd'},
		{"op", required_argument, NULL, 'p'},	{"value", required_argument, NULL, 'v'},
		{"case", required_argument, NULL, 'c'}, {"comment", required_argument, NULL, 'm'},
		{"ref", required_argument, NULL, 'r'},	{"void", required_argument, NULL, 'V'},
		{"file-id", required_argument, NULL, 'I'},
		{"void-missing", no_argument, NULL, 'X'}, {"keep-missing", no_argument, NULL, 'K'},
		{"deadline", required_argument, NULL, 'D'},
		{"help", no_argument, NULL, 'h'},	{NULL, 0, NULL, 0}};
	static const char *const fields[128] = {['i'] = "id",	   ['e'] = "element",
						['o'] = "orgunit", ['d'] = "date",
						['p'] = "op",	   ['v'] = "value",
						['c'] = "case",	   ['m'] = "comment",
						['r'] = "ref"};
	char err[300];
	int ch;
	while ((ch = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		if (ch == 'f') {
			a->file = optarg;
		} else if (ch == 'F') {
			a->fmt = format_arg(optarg);
		} else if (ch == 'I') {
			a->file_id = optarg;
		} else if (ch == 'X' || ch == 'K') {
			a->flags |= ch == 'X' ? IKI_OUTBOX_VOID_MISSING : IKI_OUTBOX_KEEP_MISSING;
		} else if (ch == 'D') {
			a->deadline_ms = deadline_arg("submit", optarg);
		} else if (ch == 'h') {
			submit_usage(stdout);
			exit(EXIT_OK);
		} else if (ch == 'V') { /* --void ID: op void, ref ID */
			a->ev.op = PROTO_OP_VOID;
			cli_field(a->ev.ref, sizeof(a->ev.ref), "submit", "void", optarg);
			a->n_flags++;
		} else if (ch > 0 && ch < 128 && fields[ch]) {
			if (input_set_field(&a->ev, fields[ch], optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, "iki submit: %s\n", cli_safe(err, err, sizeof(err)));
				exit(EXIT_USAGE);
			}
			a->n_flags++;
		} else {
			submit_usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind != argc || (a->file && a->n_flags) || (!a->file && !a->n_flags) ||
	    a->flags == (IKI_OUTBOX_VOID_MISSING | IKI_OUTBOX_KEEP_MISSING) ||
	    (!a->file && (a->flags || a->file_id))) {
		submit_usage(stderr);
		exit(EXIT_USAGE);
	}
	if (!a->file && input_check_value(&a->ev, err, sizeof(err)) < 0) {
		fprintf(stderr, _("iki submit: %s: give --value N\n"), err);
		exit(EXIT_USAGE);
	}
}

/* The file's identity: --file-id, else its name without the directories. */
static const char *file_identity(const struct submit_args *a)
{
	if (a->file_id)
		return a->file_id;
	const char *slash = strrchr(a->file, '/');
	return slash ? slash + 1 : a->file;
}

/* Capture the file into the outbox; exits 2 when it cannot be read or rows are missing. */
static void capture_file(struct iki_outbox *ob, const char *owner, const struct submit_args *a,
			 struct input *in, enum iki_outbox_row **outcome)
{
	char err[300], safe[PROTO_ID_MAX + 1];
	struct iki_outbox_file_report rep;
	if (input_read(a->file, a->fmt, in, err, sizeof(err)) < 0) {
		fprintf(stderr, "iki submit: %s\n", cli_safe(err, err, sizeof(err)));
		exit(EXIT_USAGE);
	}
	const char **rows = calloc(in->n ? in->n : 1, sizeof(*rows));
	*outcome = calloc(in->n ? in->n : 1, sizeof(**outcome));
	if (!rows || !*outcome)
		exit(EXIT_USAGE);
	for (size_t i = 0; i < in->n; i++)
		rows[i] = in->rows[i][0] ? in->rows[i] : NULL;
	int rc = iki_outbox_put_file(ob, owner, file_identity(a), in->events, rows, in->n, a->flags,
				     *outcome, &rep);
	free(rows);
	if (rc == 1) {
		fprintf(stderr, "iki submit: %zu baris yang dulu dikirim dari %s tidak ada lagi di file "
			"ini (yang pertama: %s). Tidak ada yang dicatat. Jika baris itu memang dihapus,\n"
			"kirim lagi dengan --void-missing (peristiwanya dibatalkan); jika tetap berlaku,\n"
			"dengan --keep-missing.\n", rep.missing, file_identity(a),
			cli_safe(rep.first_missing, safe, sizeof(safe)));
		exit(EXIT_USAGE);
	}
	if (rc < 0) {
		fprintf(stderr, "iki submit: outbox: %s\n", iki_strerror(rc));
		exit(EXIT_USAGE);
	}
	if (rep.corrected || rep.voided)
		printf("%s: %zu baris baru, %zu baris diubah (koreksi), %zu tetap, %zu baris hilang "
		       "dibatalkan\n", file_identity(a), rep.added, rep.corrected, rep.same,
		       rep.voided);
}

/* Capture the one event the flags give; prints its id. */
static void capture_flags(struct iki_outbox *ob, const char *owner, struct submit_args *a,
			  struct input *in, enum iki_outbox_row **outcome)
{
	in->events = malloc(sizeof(a->ev));
	in->lines = calloc(1, sizeof(int));
	*outcome = calloc(1, sizeof(**outcome));
	if (!in->events || !in->lines || !*outcome)
		exit(EXIT_USAGE);
	in->events[0] = a->ev;
	in->n = 1;
	int rc = iki_outbox_put(ob, owner, in->events, 1, *outcome);
	if (rc < 0) {
		fprintf(stderr, "iki submit: outbox: %s\n", iki_strerror(rc));
		exit(EXIT_USAGE);
	}
	printf("id %s\n", in->events[0].id);
	fflush(stdout);
}

/* Print the refused ones and the summary of this submit's events. Returns the exit status. */
static int submit_summary(struct iki_outbox *ob, const struct input *in,
			  const enum iki_outbox_row *outcome, bool own_id)
{
	size_t ok = 0, dup = 0, bad = 0, wait = 0;
	for (size_t i = 0; i < in->n; i++) {
		struct iki_outbox_entry e;
		char msg[PROTO_TEXT_MAX + 1], id[PROTO_ID_MAX + 1];
		if (iki_outbox_get(ob, in->events[i].id, &e) < 0 || e.state == IKI_OUTBOX_PENDING) {
			wait++;
		} else if (e.state == IKI_OUTBOX_DELIVERED) {
			/* ikid's "duplicate" for an id this outbox made means an earlier try of
			 * ours got through (its answer was lost): that event is new. Only a row
			 * sent before, or an id of the clerk's own that ikid had, is a duplicate. */
			bool made_here = in->lines[i] ? in->rows && in->rows[i][0] != '\0' : own_id;
			bool d = outcome[i] == IKI_OUTBOX_ROW_SAME || (e.duplicate && !made_here);
			dup += d;
			ok += !d;
		} else {
			bad++;
			cli_safe(e.ev.id, id, sizeof(id));
			if (in->lines[i])
				printf("baris %d (%s): ", in->lines[i], id);
			else
				printf("%s: ", id);
			printf("%s: %s\n", iki_code_name(e.code), cli_safe(e.message, msg, sizeof(msg)));
		}
	}
	printf("diterima %zu, duplikat %zu, ditolak %zu", ok, dup, bad);
	if (wait)
		printf(", tertunda %zu (di outbox)", wait);
	printf("\n");
	return bad ? EXIT_REJECTED : EXIT_OK;
}

int cmd_submit(const struct sync_config *g, int argc, char **argv)
{
	struct submit_args a = {.ev = {.op = PROTO_OP_ADD, .value = 1, .no_value = true}};
	struct input in = {0};
	struct iki_outbox_progress p;
	enum iki_outbox_row *outcome = NULL;
	submit_parse(argc, argv, &a);
	struct iki_outbox *ob = open_outbox(g, "submit");
	struct iki_client *c = cli_connect(&g->o);
	if (a.file)
		capture_file(ob, iki_client_owner(c), &a, &in, &outcome);
	else
		capture_flags(ob, iki_client_owner(c), &a, &in, &outcome);
	int rc = deliver(g, ob, &c, a.deadline_ms, false, &p);
	if (rc == EXIT_OK || rc == EXIT_PENDING) {
		int s = submit_summary(ob, &in, outcome, !a.file && !a.ev.id[0]);
		rc = rc == EXIT_OK ? s : rc;
	}
	iki_client_close(&c);
	iki_outbox_close(&ob);
	input_free(&in);
	free(outcome);
	return rc;
}

/* ---- sync ---- */

int cmd_sync(const struct sync_config *g, int argc, char **argv)
{
	static const struct option opts[] = {{"wait", no_argument, NULL, 'w'},
					     {"deadline", required_argument, NULL, 'D'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int ch;
	bool wait = false;
	int64_t deadline = 0;
	while ((ch = getopt_long(argc, argv, "wh", opts, NULL)) != -1) {
		if (ch == 'w' || ch == 'D') {
			wait = true;
			deadline = ch == 'D' ? deadline_arg("sync", optarg) : deadline;
			continue;
		}
		fputs(_("usage: iki sync [--wait] [--deadline SECS]\n"
		      "\n"
		      "Sends what waits in the outbox (events captured by 'iki submit' and not yet\n"
		      "answered by ikid). Without --wait it gives up when ikid does not answer within\n"
		      "-t seconds (exit 4: the events stay in the outbox); with --wait it keeps trying\n"
		      "until all are delivered, --deadline runs out, Ctrl-C or ikid's database is full\n"
		      "(storage_full: only its operator can make room).\n"),
		      ch == 'h' ? stdout : stderr);
		return ch == 'h' ? EXIT_OK : EXIT_USAGE;
	}
	if (optind != argc)
		return EXIT_USAGE;
	struct iki_outbox *ob = open_outbox(g, "sync");
	struct iki_client *c = cli_connect(&g->o);
	struct iki_outbox_progress p;
	char text[300];
	int rc = deliver(g, ob, &c, deadline, !wait, &p);
	if (rc == EXIT_OK) {
		progress_text(&p, text, sizeof(text));
		printf("%s\n", text);
		rc = p.refused ? EXIT_REJECTED : EXIT_OK;
	}
	iki_client_close(&c);
	iki_outbox_close(&ob);
	return rc;
}

/* ---- outbox ---- */

static void outbox_usage(FILE *f)
{
	fputs(_("usage: iki outbox [--pending] [--delivered] [--refused] [--all] [--json]\n"
	      "       iki outbox drop ID\n"
	      "       iki outbox fix ID [--element CODE] [--orgunit CODE] [--date YYYY-MM-DD]\n"
	      "                  [--op OP] [--value N] [--case ID] [--comment TEXT] [--ref ID]\n"
	      "\n"
	      "Shows what the outbox holds: how many events wait, were delivered, were refused,\n"
	      "and lists the waiting and refused ones (with ikid's reason); --delivered or --all\n"
	      "lists the delivered ones too. 'drop' forgets a refused event. 'fix' sends a refused\n"
	      "event again, corrected by the options given, under a new id (printed), and drops\n"
	      "the refused one; the file row it came from now names the new event.\n"),
	      f);
}

static const char *state_word(enum iki_outbox_state s, bool dup)
{
	return s == IKI_OUTBOX_PENDING ? "tertunda"
	       : s == IKI_OUTBOX_REFUSED ? "ditolak"
	       : dup ? "duplikat" : "terkirim";
}

/* One entry as a line (or a JSON object into arr). */
static void entry_print(const struct iki_outbox_entry *e, json_object *arr)
{
	char id[PROTO_ID_MAX + 1], el[PROTO_CODE_MAX + 1], ou[PROTO_ORGUNIT_MAX + 1],
		from[IKI_OUTBOX_FILE_MAX + PROTO_ID_MAX + 2] = "", msg[PROTO_TEXT_MAX + 1];
	if (e->file[0])
		snprintf(from, sizeof(from), "%s %s", e->file, e->row);
	if (arr) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "id", json_object_new_string(e->ev.id));
		json_object_object_add(o, "state", json_object_new_string(state_word(e->state,
											 e->duplicate)));
		json_object_object_add(o, "element", json_object_new_string(e->ev.element));
		json_object_object_add(o, "orgunit", json_object_new_string(e->ev.orgunit));
		json_object_object_add(o, "date", json_object_new_string(e->ev.date));
		json_object_object_add(o, "op", json_object_new_string(proto_op_name(e->ev.op)));
		json_object_object_add(o, "value", json_object_new_int64(e->ev.value));
		json_object_object_add(o, "ref", json_object_new_string(e->ev.ref));
		json_object_object_add(o, "file", json_object_new_string(e->file));
		json_object_object_add(o, "row", json_object_new_string(e->row));
		if (e->state == IKI_OUTBOX_REFUSED) {
			json_object_object_add(o, "code", json_object_new_string(iki_code_name(e->code)));
			json_object_object_add(o, "message", json_object_new_string(e->message));
		}
		json_object_array_add(arr, o);
		return;
	}
	printf("%-20s %-9s %-10s %-5s %-24s %-14s %6" PRId64 "  %s\n", cli_safe(e->ev.id, id, sizeof(id)),
	       state_word(e->state, e->duplicate), e->ev.date, proto_op_name(e->ev.op),
	       cli_safe(e->ev.element, el, sizeof(el)), cli_safe(e->ev.orgunit, ou, sizeof(ou)),
	       e->ev.value, cli_safe(from, from, sizeof(from)));
	if (e->state == IKI_OUTBOX_REFUSED)
		printf("    ditolak: %s: %s\n", iki_code_name(e->code),
		       cli_safe(e->message, msg, sizeof(msg)));
}

static int outbox_list(struct iki_outbox *ob, unsigned mask, bool json)
{
	struct iki_outbox_entry *e = NULL;
	size_t n = 0, pending, delivered, refused;
	char a[32], b[32], c[32];
	int rc = iki_outbox_count(ob, NULL, &pending, &delivered, &refused);
	rc = rc < 0 ? rc : iki_outbox_list(ob, mask, NULL, 0, &e, &n);
	if (rc < 0) {
		fprintf(stderr, "iki outbox: %s\n", iki_strerror(rc));
		return EXIT_USAGE;
	}
	json_object *arr = json ? json_object_new_array() : NULL;
	if (!json)
		printf("outbox %s: tertunda %s, terkirim %s, ditolak %s\n", iki_outbox_dir(ob),
		       text_count((long long)pending, a, sizeof(a)),
		       text_count((long long)delivered, b, sizeof(b)),
		       text_count((long long)refused, c, sizeof(c)));
	for (size_t i = 0; i < n; i++)
		entry_print(&e[i], arr);
	if (json) {
		puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
		json_object_put(arr);
	}
	free(e);
	return EXIT_OK;
}

/* iki outbox fix ID [fields]: the refused event, corrected, under a new id; then deliver. */
static int outbox_fix(const struct sync_config *g, struct iki_outbox *ob, int argc, char **argv)
{
	static const struct option opts[] = {
		{"element", required_argument, NULL, 'e'}, {"orgunit", required_argument, NULL, 'o'},
		{"date", required_argument, NULL, 'd'},	   {"op", required_argument, NULL, 'p'},
		{"value", required_argument, NULL, 'v'},   {"case", required_argument, NULL, 'c'},
		{"comment", required_argument, NULL, 'm'}, {"ref", required_argument, NULL, 'r'},
		{NULL, 0, NULL, 0}};
	static const char *const fields[128] = {['e'] = "element", ['o'] = "orgunit",
						['d'] = "date",	   ['p'] = "op",
						['v'] = "value",   ['c'] = "case",
						['m'] = "comment", ['r'] = "ref"};
	struct iki_outbox_entry e;
	char err[300], new_id[PROTO_ID_MAX + 1], safe[PROTO_ID_MAX + 1];
	int ch;
	if (argc < 2 || iki_outbox_get(ob, argv[1], &e) < 0 || e.state != IKI_OUTBOX_REFUSED) {
		fprintf(stderr, "iki outbox fix: %s bukan peristiwa yang ditolak di outbox ini "
			"(lihat 'iki outbox --refused')\n", argc < 2 ? "?" : cli_safe(argv[1], safe, sizeof(safe)));
		return EXIT_USAGE;
	}
	optind = 2;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (ch <= 0 || ch >= 128 || !fields[ch] ||
		    input_set_field(&e.ev, fields[ch], optarg, err, sizeof(err)) < 0) {
			fprintf(stderr, "iki outbox fix: %s\n", ch > 0 && ch < 128 && fields[ch]
				? cli_safe(err, err, sizeof(err))
				: "pilihan tidak dikenal (lihat iki outbox --help)");
			return EXIT_USAGE;
		}
	int rc = iki_outbox_fix(ob, argv[1], &e.ev, new_id);
	if (rc < 0) {
		fprintf(stderr, "iki outbox fix: %s\n", iki_strerror(rc));
		return EXIT_USAGE;
	}
	printf("id %s (menggantikan %s yang ditolak)\n", new_id, cli_safe(argv[1], safe, sizeof(safe)));
	fflush(stdout);
	struct iki_client *c = cli_connect(&g->o);
	struct iki_outbox_progress p;
	rc = deliver(g, ob, &c, 0, false, &p);
	if (rc == EXIT_OK && iki_outbox_get(ob, new_id, &e) == 0 && e.state == IKI_OUTBOX_REFUSED) {
		printf("%s: %s: %s\n", new_id, iki_code_name(e.code), cli_safe(e.message, err, sizeof(err)));
		rc = EXIT_REJECTED;
	}
	iki_client_close(&c);
	return rc;
}

int cmd_outbox(const struct sync_config *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{"pending", no_argument, NULL, 'p'}, {"delivered", no_argument, NULL, 'd'},
		{"refused", no_argument, NULL, 'r'}, {"all", no_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'J'},    {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	unsigned mask = 0;
	bool json = false;
	int ch, rc;
	if (argc >= 2 && (!strcmp(argv[1], "drop") || !strcmp(argv[1], "fix"))) {
		struct iki_outbox *ob = open_outbox(g, "outbox");
		char safe[PROTO_ID_MAX + 1];
		if (!strcmp(argv[1], "fix")) {
			rc = outbox_fix(g, ob, argc - 1, argv + 1);
		} else if (argc != 3) {
			outbox_usage(stderr);
			rc = EXIT_USAGE;
		} else if ((rc = iki_outbox_drop(ob, argv[2])) < 0) {
			fprintf(stderr, "iki outbox drop: %s: %s\n", cli_safe(argv[2], safe, sizeof(safe)),
				rc == -EBUSY ? "hanya peristiwa yang ditolak yang dapat dibuang"
				: rc == -ENOENT ? "tidak ada di outbox ini" : iki_strerror(rc));
			rc = EXIT_USAGE;
		} else {
			printf("%s dibuang dari outbox\n", cli_safe(argv[2], safe, sizeof(safe)));
		}
		iki_outbox_close(&ob);
		return rc;
	}
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': mask |= IKI_OUTBOX_LIST_PENDING; break;
		case 'd': mask |= IKI_OUTBOX_LIST_DELIVERED; break;
		case 'r': mask |= IKI_OUTBOX_LIST_REFUSED; break;
		case 'a': mask |= IKI_OUTBOX_LIST_ALL; break;
		case 'J': json = true; break;
		default: outbox_usage(ch == 'h' ? stdout : stderr); return ch == 'h' ? EXIT_OK : EXIT_USAGE;
		}
	}
	if (optind != argc) {
		outbox_usage(stderr);
		return EXIT_USAGE;
	}
	struct iki_outbox *ob = open_outbox(g, "outbox");
	rc = outbox_list(ob, mask ? mask : IKI_OUTBOX_LIST_PENDING | IKI_OUTBOX_LIST_REFUSED, json);
	iki_outbox_close(&ob);
	return rc;
}
