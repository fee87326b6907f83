/* report.c: iki report: asks ikid for the catalog and a year's values, writes the LAKIP tables. */
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"
#include "period.h"
#include "tables.h"
#include "xlsx.h"

struct report_args {
	int year;
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	char jabatan[PROTO_TEXT_MAX + 1];
	enum tables_format format;
	bool format_given;
	const char *output;
};

static void report_usage(FILE *f)
{
	fputs(_("usage: iki report [--year YEAR] [--orgunit CODE] [--jabatan NAME]\n"
	      "                  [--format text|csv|html] [-o FILE]\n"
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
	      "                    and no % sign: 86.67), or html (one self-contained page to\n"
	      "                    print on A4 landscape; numbers for people, as text)\n"
	      "  -o, --output FILE write to FILE, not standard output; a FILE ending in .csv or\n"
	      "                    .html sets the format when --format is not given\n"),
	      f);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcasecmp(s + n - m, suffix);
}

/* Copy an option's value into a fixed field; false when too long. */
static bool arg_copy(char *dst, size_t n, const char *val)
{
	if (strlen(val) >= n)
		return false;
	memcpy(dst, val, strlen(val) + 1);
	return true;
}

static bool arg_format(const char *s, enum tables_format *f)
{
	if (!strcmp(s, "text"))
		*f = TABLES_TEXT;
	else if (!strcmp(s, "csv"))
		*f = TABLES_CSV;
	else if (!strcmp(s, "html"))
		*f = TABLES_HTML;
	else if (!strcmp(s, "xlsx"))
		*f = TABLES_XLSX;
	else
		return false;
	return true;
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
		case 'f': ok = a->format_given = arg_format(optarg, &a->format); break;
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
				: ch == 'f' ? _("format (text, csv or html)")
					    : ch == 'u' ? _("orgunit (too long)") : _("jabatan (too long)"),
				optarg);
		return EXIT_USAGE;
	}
	if (a->output && !a->format_given)
		a->format = ends_with(a->output, ".csv")    ? TABLES_CSV
			    : ends_with(a->output, ".xlsx") ? TABLES_XLSX
			    : ends_with(a->output, ".html") || ends_with(a->output, ".htm")
				? TABLES_HTML
				: TABLES_TEXT;
	return -1;
}

/* What ikid sent: the catalog and the values of each period. */
struct fetched {
	struct proto_msg catalog;
	struct proto_value *values[TABLES_PERIODS];
	size_t n[TABLES_PERIODS];
};

static void fetched_free(struct fetched *f)
{
	proto_msg_clear(&f->catalog);
	for (int p = 0; p < TABLES_PERIODS; p++) {
		free(f->values[p]);
		f->values[p] = NULL;
	}
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
		int rc = iki_query(c, &q, &f->values[p], &f->n[p], msg);
		if (rc < 0)
			return rc;
	}
	return 0;
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

/* Write the report where the options say; returns the exit status. */
static int report_output(const struct report_args *a, const struct tables *t)
{
	if (a->format == TABLES_XLSX)
		return report_xlsx(a, t);
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
		t.generated = now;
		status = report_output(&a, &t);
	}
	fetched_free(&f);
	return status;
}
