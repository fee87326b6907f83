/* report.c: iki report: asks ikid for the catalog and a year's values, writes the LAKIP tables. */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "input.h"
#include "period.h"
#include "tables.h"
#include "xlsx.h"

struct report_args {
	int year;
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	char jabatan[PROTO_TEXT_MAX + 1];
	enum tables_format format;
	bool pdf; /* the HTML made into a PDF by WeasyPrint (format is then TABLES_HTML) */
	bool format_given;
	const char *output;
};

static void report_usage(FILE *f)
{
	fputs(_("usage: iki report [--year YEAR] [--orgunit CODE] [--jabatan NAME]\n"
	      "                  [--format text|csv|html|xlsx|pdf] [-o FILE]\n"
	      "\n"
	      "Prints the office's performance accountability (LAKIP) tables for a budget year:\n"
	      "per jabatan, one row per indicator with its sasaran, formula, target, realisasi,\n"
	      "capaian, predikat and sumber data, and the realisasi and capaian of each triwulan.\n"
	      "The figures are ikid's, for the kecamatan (ratios of sums over its villages) or one\n"
	      "village. A value without data is 'tidak ada data'; without a target, target,\n"
	      "capaian and predikat are '-'; a revised target shows the first one (semula).\n"
	      "\n"
	      "  --year YEAR       the budget year (default: the catalog's)\n"
	      "  --orgunit CODE    a village instead of the kecamatan\n"
	      "  --jabatan NAME    only this position's table\n"
	      "  --format FORMAT   text (default, 120 columns, numbers for people: 1.234,5 and\n"
	      "                    86,67 %),\n"
	      "                    csv (UTF-8 with BOM, comma separated, RFC 4180, one header row;\n"
	      "                    numbers for programs: a decimal point, no thousands separator\n"
	      "                    and no % sign: 86.67), html (one self-contained page to\n"
	      "                    print on A4 landscape; numbers for people, as text),\n"
	      "                    xlsx (an Excel workbook; never to a terminal) or pdf (the\n"
	      "                    html page as an A4 landscape PDF, made by WeasyPrint:\n"
	      "                    apt-get install weasyprint; only with -o FILE)\n"
	      "  -o, --output FILE write to FILE, not standard output; its extension (.txt, .csv,\n"
	      "                    .html, .xlsx or .pdf; none at all is text) sets the format\n"
	      "                    when --format is not given, and any other is an error\n"),
	      f);
}

/* Copy an option's value into a fixed field; false when too long. */
static bool arg_copy(char *dst, size_t n, const char *val)
{
	if (strlen(val) >= n)
		return false;
	memcpy(dst, val, strlen(val) + 1);
	return true;
}

/* What --format names; pdf is tables.c's HTML made into a PDF here (report_pdf). */
static const struct {
	const char *name;
	enum tables_format format;
	bool pdf;
} report_formats[] = {
	{.name = "text", .format = TABLES_TEXT}, {.name = "csv", .format = TABLES_CSV},
	{.name = "html", .format = TABLES_HTML}, {.name = "xlsx", .format = TABLES_XLSX},
	{.name = "pdf", .format = TABLES_HTML, .pdf = true},
};

/* The format a file name's extension asks for (case-insensitive), by its --format name. */
static const struct {
	const char *ext, *format;
} report_extensions[] = {
	{.ext = "txt", .format = "text"},  {.ext = "csv", .format = "csv"},
	{.ext = "html", .format = "html"}, {.ext = "htm", .format = "html"},
	{.ext = "xlsx", .format = "xlsx"}, {.ext = "pdf", .format = "pdf"},
};

static bool arg_format(const char *s, struct report_args *a)
{
	for (size_t i = 0; i < sizeof(report_formats) / sizeof(report_formats[0]); i++)
		if (!strcmp(s, report_formats[i].name)) {
			a->format = report_formats[i].format;
			a->pdf = report_formats[i].pdf;
			return true;
		}
	return false;
}

/*
 * The format of an output file by its name's extension: text when it has none ("lakip", a
 * dot file ".lakip", a dot only in a directory's name); false for one iki does not write
 * ("lakip.docx", "lakip."), which would otherwise be plain text under a misleading name.
 */
static bool arg_format_of_name(const char *path, struct report_args *a)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	if (!dot || dot == base)
		return arg_format("text", a);
	for (size_t i = 0; i < sizeof(report_extensions) / sizeof(report_extensions[0]); i++)
		if (!strcasecmp(dot + 1, report_extensions[i].ext))
			return arg_format(report_extensions[i].format, a);
	return false;
}

static bool arg_year(const char *s, int *year)
{
	char *end;
	long y = strtol(s, &end, 10);
	if (strlen(s) != 4 || *end || y < PERIOD_YEAR_MIN || y > PERIOD_YEAR_MAX)
		return false;
	*year = (int)y;
	return true;
}

/* Parse the options into a; returns -1 to go on, or the exit status (help, usage error). */
static int report_args(int argc, char **argv, struct report_args *a)
{
	static const struct option opts[] = {
		{"year", required_argument, NULL, 'y'},	  {"orgunit", required_argument, NULL, 'u'},
		{"jabatan", required_argument, NULL, 'j'}, {"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},  {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int ch;
	bool ok = true;
	while (ok && (ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'y': ok = arg_year(optarg, &a->year); break;
		case 'u': ok = arg_copy(a->orgunit, sizeof(a->orgunit), optarg); break;
		case 'j': ok = arg_copy(a->jabatan, sizeof(a->jabatan), optarg); break;
		case 'f': ok = a->format_given = arg_format(optarg, a); break;
		case 'o': a->output = optarg; break;
		case 'h': report_usage(stdout); return EXIT_OK;
		default: ok = false;
		}
	}
	if (!ok || optind != argc) {
		if (ok || ch == '?')
			report_usage(stderr);
		else
			fprintf(stderr, _("iki report: bad value for --%s: '%s'\n"),
				ch == 'y' ? _("year (four digits, 2000-2099)")
				: ch == 'f' ? _("format (text, csv, html, xlsx or pdf)")
					    : ch == 'u' ? _("orgunit (too long)") : _("jabatan (too long)"),
				optarg);
		return EXIT_USAGE;
	}
	if (a->output && !a->format_given && !arg_format_of_name(a->output, a)) {
		fprintf(stderr,
			_("iki report: %s: unknown extension; write .txt, .csv, .html, .xlsx or .pdf "
			  "(or give --format)\n"),
			a->output);
		return EXIT_USAGE;
	}
	/* A PDF only to a file: never to a terminal, like a workbook, and not to a pipe, which
	 * nothing needs (ikiweb renders tables.c itself); refused before ikid is asked. */
	if (a->pdf && !a->output) {
		fputs(_("iki report: a PDF is written to a file: give -o FILE.pdf\n"), stderr);
		return EXIT_USAGE;
	}
	return -1;
}

/* What ikid sent: the catalog and the values of each period. */
struct fetched {
	struct proto_msg catalog;
	struct proto_value *values[TABLES_PERIODS];
	size_t n[TABLES_PERIODS];
	struct proto_note *notes; /* the analysis notes of the org unit reported on */
	size_t n_notes;
};

static void fetched_free(struct fetched *f)
{
	proto_msg_clear(&f->catalog);
	for (int p = 0; p < TABLES_PERIODS; p++) {
		free(f->values[p]);
		f->values[p] = NULL;
	}
	free(f->notes);
	f->notes = NULL;
}

/* Whether an error came from the connection (ikid gone, no answer) rather than from ikid. */
static bool transport_error(int rc)
{
	return rc == IKI_ETIMEOUT || (rc < 0 && rc > -IKI_EBASE);
}

/*
 * The publish seq ikid is at, from the smallest snapshot it serves (one indicator, the
 * kecamatan, the year): 0, or ikid's refusal, or a transport error.
 */
static int fetch_seq(struct iki_client *c, const struct fetched *f, int year, uint64_t *seq)
{
	struct proto_query q = {0};
	struct proto_value *v = NULL;
	size_t n = 0;
	char msg[PROTO_TEXT_MAX + 1], id[PERIOD_ID_MAX];
	if (!f->catalog.n_indicators || !f->catalog.n_orgunits)
		return IKI_EINDICATOR;
	memcpy(q.indicator, f->catalog.indicators[0].indicator, sizeof(q.indicator));
	memcpy(q.orgunit, f->catalog.orgunits[0].code, sizeof(q.orgunit));
	period_format((struct period){PERIOD_YEAR, year, 0}, id);
	snprintf(q.period, sizeof(q.period), "%s", id);
	int rc = iki_snapshot(c, &q, &v, &n, seq, msg);
	free(v);
	return rc;
}

static int fetch_values(struct iki_client *c, const struct report_args *a, struct fetched *f,
			char *msg)
{
	for (int p = 0; p < TABLES_PERIODS; p++) {
		struct proto_query q = {0};
		memcpy(q.orgunit, a->orgunit, sizeof(q.orgunit));
		memcpy(q.jabatan, a->jabatan, sizeof(q.jabatan));
		char id[PERIOD_ID_MAX];
		tables_period(a->year, p, id);
		snprintf(q.period, sizeof(q.period), "%s", id);
		free(f->values[p]);
		f->values[p] = NULL;
		f->n[p] = 0;
		int rc = id[0] ? iki_query(c, &q, &f->values[p], &f->n[p], msg) : 0;
		if (rc < 0)
			return rc;
	}
	free(f->notes);
	return tables_fetch_notes(c, &f->catalog, a->orgunit, &f->notes, &f->n_notes, msg);
}

/*
 * The catalog, then the values between two readings of the publish seq: when the seq moved
 * (data arrived meanwhile) the values are read again, a few times at most, so that the report
 * is one consistent point when ikid is quiet enough, and says so when it is not.
 */
static int fetch(struct iki_client *c, struct report_args *a, struct fetched *f,
		 struct tables *t, char *msg)
{
	int rc = iki_describe(c, &f->catalog, msg);
	if (rc == 0 && !a->year)
		t->year = a->year = cli_budget_year(&f->catalog);
	for (int attempt = 0; rc == 0 && attempt < 3; attempt++) {
		uint64_t before = 0, after = 0;
		int seq_rc = fetch_seq(c, f, a->year, &before);
		if (transport_error(seq_rc))
			return seq_rc;
		rc = fetch_values(c, a, f, msg);
		if (rc == 0 && seq_rc == 0)
			seq_rc = fetch_seq(c, f, a->year, &after);
		if (transport_error(seq_rc))
			return seq_rc;
		t->has_seq = seq_rc == 0;
		t->seq = before;
		t->seq_end = after;
		if (!t->has_seq || before == after)
			break;
	}
	return rc;
}

/* The workbook (xlsx.c), to a file or a pipe: never to a terminal. Returns the exit status. */
static int report_xlsx(const struct report_args *a, const struct tables *t)
{
	int rc = !a->output && isatty(STDOUT_FILENO) ? -ENOTTY : xlsx_write(t, a->output);
	if (rc == -ENOTTY)
		fputs(_("iki report: an XLSX workbook is not for a terminal: give -o FILE.xlsx\n"),
		      stderr);
	else if (rc < 0)
		fprintf(stderr, "iki report: %s: %s\n", a->output ? a->output : "-", strerror(-rc));
	return rc < 0 ? EXIT_USAGE : EXIT_OK;
}

/*
 * A PDF is tables.c's HTML (its print CSS: A4 landscape, headers repeated on each page) laid
 * out by WeasyPrint, run as a program: iki links no layout engine. Its input, its output and
 * what it says live in one scratch directory (mode 0700, removed afterwards); only a PDF that
 * WeasyPrint finished is copied to -o FILE, so a failure leaves FILE as it was, and FILE is
 * never an argument WeasyPrint could read as an option or as "-" (standard output).
 */
struct pdf_scratch {
	char dir[512];
	char html[544], pdf[544], log[544];
};

/* Make the scratch directory in $TMPDIR (else /tmp). Returns 0 or -errno. */
static int pdf_scratch_make(struct pdf_scratch *s)
{
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(s->dir, sizeof(s->dir), "%s/iki-report-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(s->dir))
		return -ENAMETOOLONG;
	if (!mkdtemp(s->dir))
		return -errno;
	snprintf(s->html, sizeof(s->html), "%s/lakip.html", s->dir);
	snprintf(s->pdf, sizeof(s->pdf), "%s/lakip.pdf", s->dir);
	snprintf(s->log, sizeof(s->log), "%s/weasyprint.log", s->dir);
	return 0;
}

static void pdf_scratch_remove(const struct pdf_scratch *s)
{
	unlink(s->html);
	unlink(s->pdf);
	unlink(s->log);
	rmdir(s->dir);
}

/* The tables as HTML into s->html. Returns 0, -errno, or tables_write's error. */
static int pdf_write_html(const struct pdf_scratch *s, const struct tables *t)
{
	FILE *f = fopen(s->html, "w");
	if (!f)
		return -errno;
	int rc = tables_write(t, TABLES_HTML, f);
	if (fclose(f) != 0 && rc == 0)
		rc = -EIO;
	return rc;
}

/*
 * Run "weasyprint -e utf-8 -- HTML PDF" (found in PATH, no shell) with its standard output and
 * error into s->log, and wait for it. Returns 0 once it has ended, its wait status in
 * *wstatus; -ENOENT when there is no weasyprint; -errno when it could not be started. A
 * close-on-exec pipe tells a failed execvp (the child writes its errno) from a started one.
 */
static int pdf_spawn(struct pdf_scratch *s, int *wstatus)
{
	char *argv[] = {"weasyprint", "-e", "utf-8", "--", s->html, s->pdf, NULL};
	int p[2];
	if (pipe(p) != 0)
		return -errno;
	pid_t pid = fcntl(p[1], F_SETFD, FD_CLOEXEC) == 0 ? fork() : -1;
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return -e;
	}
	if (pid == 0) {
		close(p[0]);
		int log = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (log >= 0) {
			dup2(log, STDOUT_FILENO);
			dup2(log, STDERR_FILENO);
			close(log);
		}
		execvp(argv[0], argv);
		int e = errno;
		ssize_t w = write(p[1], &e, sizeof(e));
		(void)w;
		_exit(127);
	}
	close(p[1]);
	int e = 0;
	ssize_t got;
	while ((got = read(p[0], &e, sizeof(e))) < 0 && errno == EINTR)
		;
	close(p[0]);
	while (waitpid(pid, wstatus, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return got == (ssize_t)sizeof(e) ? -e : 0;
}

/* Where the bytes of what (len) first stand in buf[0..n), or NULL. */
static char *pdf_find(char *buf, size_t n, const char *what, size_t len)
{
	for (size_t i = 0; len <= n && i <= n - len; i++)
		if (!memcmp(buf + i, what, len))
			return buf + i;
	return NULL;
}

/*
 * Drop the soft hyphens from what the glyphs of a PDF stand for. WeasyPrint (57) maps a glyph to
 * the text of the first place it drew it, and a soft hyphen (tables.c breaks long words with
 * them) joins the letter after it there: once "Me&shy;ning" is drawn, every later 'n' of that
 * font would read "\u00adn" to a program taking the text out (pdftotext, a viewer's search, copy
 * and paste). In the ToUnicode maps, which it writes uncompressed, each hex string of more than
 * one UTF-16 unit ("<00ad006e>") loses its 00AD units, padded with spaces after its '>' so that
 * no byte moves (the cross-reference table stays true). A map written compressed is left as it
 * is. Returns how many strings were changed.
 */
static int pdf_unshy(char *buf, size_t n)
{
	int changed = 0;
	char *p = buf, *stop = buf + n;
	while ((p = pdf_find(p, (size_t)(stop - p), "beginbf", 7))) {
		char *end = pdf_find(p, (size_t)(stop - p), "endbf", 5);
		if (!end)
			break;
		for (char *q = p; q < end; q++) {
			char *close = *q == '<' ? memchr(q, '>', (size_t)(end - q)) : NULL;
			size_t len = close ? (size_t)(close - q - 1) : 0, hex = 0;
			while (hex < len && strchr("0123456789abcdefABCDEF", q[1 + hex]))
				hex++;
			if (!close || len <= 4 || len % 4 || hex != len)
				continue;
			char *w = q + 1;
			for (size_t u = 0; u < len; u += 4)
				if (strncasecmp(q + 1 + u, "00ad", 4) != 0) {
					memmove(w, q + 1 + u, 4);
					w += 4;
				}
			if (w != close && w != q + 1) {
				*w++ = '>';
				memset(w, ' ', (size_t)(close + 1 - w));
				changed++;
			}
			q = close;
		}
		p = end;
	}
	return changed;
}

/*
 * Write what WeasyPrint wrote (from), its text made exact (pdf_unshy), to the file named to,
 * created or truncated; says what failed, naming the file it failed on. Returns the exit status.
 */
static int pdf_copy(const char *from, const char *to)
{
	size_t n = 0;
	char *buf = input_slurp(from, &n);
	int rc = buf ? 0 : -errno;
	const char *failed = rc < 0 ? from : NULL;
	FILE *out = rc == 0 ? fopen(to, "wb") : NULL;
	if (rc == 0 && !out) {
		rc = -errno;
		failed = to;
	}
	if (rc == 0) {
		pdf_unshy(buf, n);
		if (fwrite(buf, 1, n, out) != n)
			rc = -EIO;
		if (fclose(out) != 0 && rc == 0)
			rc = -errno;
		if (rc < 0)
			failed = to;
	}
	free(buf);
	if (rc < 0)
		fprintf(stderr, "iki report: %s: %s\n", failed, strerror(-rc));
	return rc < 0 ? EXIT_USAGE : EXIT_OK;
}

/* What WeasyPrint said (its log), after the sentence that it failed. */
static void pdf_show_log(const struct pdf_scratch *s)
{
	FILE *f = fopen(s->log, "r");
	char line[1024];
	while (f && fgets(line, sizeof(line), f))
		fputs(line, stderr);
	if (f)
		fclose(f);
}

/* The tables made into s->pdf, or why not on stderr. Returns the exit status. */
static int pdf_render(struct pdf_scratch *s, const struct tables *t)
{
	int wstatus = 0, rc = pdf_write_html(s, t);
	if (rc < 0) {
		fprintf(stderr, "iki report: %s: %s\n", s->html, strerror(-rc));
		return EXIT_USAGE;
	}
	rc = pdf_spawn(s, &wstatus);
	if (rc == -ENOENT) {
		fputs(_("iki report: a PDF is made by WeasyPrint, which is not installed: "
			"apt-get install weasyprint (or write .html and print it from a browser)\n"),
		      stderr);
		return EXIT_USAGE;
	}
	if (rc < 0) {
		fprintf(stderr, "iki report: weasyprint: %s\n", strerror(-rc));
		return EXIT_USAGE;
	}
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
		return EXIT_OK;
	if (WIFEXITED(wstatus))
		fprintf(stderr, _("iki report: weasyprint failed (exit status %d):\n"),
			WEXITSTATUS(wstatus));
	else
		fprintf(stderr, _("iki report: weasyprint was stopped by signal %d\n"),
			WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
	pdf_show_log(s);
	return EXIT_USAGE;
}

/* The PDF, to -o FILE (report_args asked for one). Returns the exit status. */
static int report_pdf(const struct report_args *a, const struct tables *t)
{
	struct pdf_scratch s;
	int rc = pdf_scratch_make(&s);
	if (rc < 0) {
		fprintf(stderr, "iki report: %s: %s\n", s.dir, strerror(-rc));
		return EXIT_USAGE;
	}
	int status = pdf_render(&s, t);
	if (status == EXIT_OK)
		status = pdf_copy(s.pdf, a->output);
	pdf_scratch_remove(&s);
	return status;
}

/* Write the report where the options say; returns the exit status. */
static int report_output(const struct report_args *a, const struct tables *t)
{
	if (a->format == TABLES_XLSX)
		return report_xlsx(a, t);
	if (a->pdf)
		return report_pdf(a, t);
	FILE *f = a->output ? fopen(a->output, "w") : stdout;
	const char *name = a->output ? a->output : _("standard output");
	if (!f) {
		fprintf(stderr, "iki report: %s: %s\n", name, strerror(errno));
		return EXIT_USAGE;
	}
	int rc = tables_write(t, a->format, f);
	if ((a->output ? fclose(f) : fflush(f)) != 0 && rc == 0)
		rc = -EIO;
	if (rc < 0) {
		fprintf(stderr, "iki report: %s: %s\n", name, strerror(-rc));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_report(const struct iki_client_options *o, int argc, char **argv)
{
	struct report_args a = {.format = TABLES_TEXT};
	struct fetched f = {0};
	char msg[PROTO_TEXT_MAX + 1] = "";
	time_t now = time(NULL);
	int status = report_args(argc, argv, &a);
	if (status >= 0)
		return status;
	struct iki_client *c = cli_connect(o);
	struct tables t = {.year = a.year, .orgunit = a.orgunit, .jabatan = a.jabatan};
	int rc = fetch(c, &a, &f, &t, msg);
	if (rc < 0)
		status = cli_refused("report", &c, o, rc, msg); /* closes c */
	iki_client_close(&c);
	if (status < 0) {
		t.catalog = &f.catalog;
		for (int p = 0; p < TABLES_PERIODS; p++) {
			t.values[p] = f.values[p];
			t.n_values[p] = f.n[p];
		}
		t.notes = f.notes;
		t.n_notes = f.n_notes;
		t.generated = now;
		status = report_output(&a, &t);
	}
	fetched_free(&f);
	return status;
}
