/* query.c: iki query: indicator values for people (or JSON for programs), see query.h. */
#include "query.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "text.h"

static void query_usage(FILE *f)
{
	fputs(_("usage: iki query [--indicator CODE | --jabatan NAME] [--orgunit CODE]\n"
	      "                 [--period PERIOD] [--json]\n"
	      "\n"
	      "Prints indicator values: numerator, denominator and their ratio for the kecamatan\n"
	      "(default) or a village, for a period: a year (2022; the default is the catalog's\n"
	      "budget year), a quarter (2022Q1), a month (202203), or since 1 January (s.d.):\n"
	      "through a quarter (2022Q2SD) or a month (202205SD). Without --indicator, every\n"
	      "indicator (or those of a jabatan). A value without data (denominator 0) is 'tidak\n"
	      "ada data'. Numbers are written for people (1.234.567 and 86,67 %); --json writes\n"
	      "numbers for programs (86.67, no thousands separator).\n"),
	      f);
}

/* Parse the options into q; returns whether --json was given. Exits on help or misuse. */
static bool query_args(int argc, char **argv, struct proto_query *q)
{
	static const struct option opts[] = {{"indicator", required_argument, NULL, 'i'},
					     {"jabatan", required_argument, NULL, 'j'},
					     {"orgunit", required_argument, NULL, 'o'},
					     {"period", required_argument, NULL, 'p'},
					     {"json", no_argument, NULL, 'J'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int ch;
	bool json = false;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': cli_field(q->indicator, sizeof(q->indicator), "query", "indicator", optarg); break;
		case 'j': cli_field(q->jabatan, sizeof(q->jabatan), "query", "jabatan", optarg); break;
		case 'o': cli_field(q->orgunit, sizeof(q->orgunit), "query", "orgunit", optarg); break;
		case 'p': cli_field(q->period, sizeof(q->period), "query", "period", optarg); break;
		case 'J': json = true; break;
		case 'h': query_usage(stdout); exit(EXIT_OK);
		default: query_usage(stderr); exit(EXIT_USAGE);
		}
	}
	if (optind != argc) {
		query_usage(stderr);
		exit(EXIT_USAGE);
	}
	return json;
}

/* The ratio for people: "80,00 %" (or "80,00" for a factor other than 100), "tidak ada data". */
static void ratio_text(const struct proto_value *v, char *buf, size_t n)
{
	double r;
	char num[48];
	if (!proto_value_ratio(v, &r))
		snprintf(buf, n, "tidak ada data");
	else
		snprintf(buf, n, "%s%s", text_number(r, 2, num, sizeof(num)),
			 v->factor == 100 ? " %" : "");
}

static void print_table(const struct proto_value *vals, size_t n)
{
	printf("%-10s %-46s %-14s %-8s %13s %13s  %-14s %8s %8s  %s\n", "Indikator", "Nama",
	       "Wilayah", "Periode", "Pembilang", "Penyebut", "Realisasi", "Target", "Capaian",
	       "Predikat");
	for (size_t i = 0; i < n; i++) {
		const struct proto_value *v = &vals[i];
		char val[64], target[32] = "-", capaian[32] = "-", num[32], den[32], check[128];
		ratio_text(v, val, sizeof(val));
		if (v->has_target)
			text_number((double)v->target / 100, 2, target, sizeof(target));
		if (v->has_capaian)
			text_number(v->capaian, 2, capaian, sizeof(capaian));
		printf("%-10s ", v->indicator);
		text_cell(stdout, v->name, 45);
		text_check(v->check, check, sizeof(check));
		printf("%-14s %-8s %13s %13s  %-14s %8s %8s  %s%s%s\n", v->orgunit, v->period,
		       text_count(v->num, num, sizeof(num)), text_count(v->den, den, sizeof(den)),
		       val, target, capaian, v->has_capaian ? v->predikat : "",
		       v->has_capaian && check[0] ? "  " : "", cli_safe(check, check, sizeof(check)));
	}
}

static void print_json(const struct proto_value *vals, size_t n)
{
	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, cli_value_json(&vals[i], NULL));
	puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY));
	json_object_put(arr);
}

/* When nothing has data: which period was asked, and the budget year when it is another. */
static void say_no_data(const struct proto_value *vals, size_t n, const char *period, int year)
{
	for (size_t i = 0; i < n; i++)
		if (vals[i].den > 0)
			return;
	char words[64];
	fprintf(stderr, _("iki query: no data for %s (--period %s).\n"),
		cli_period_words(period, words, sizeof(words)), period);
	char asked[5] = "";
	memcpy(asked, period, strnlen(period, 4));
	if (year > 0 && atoi(asked) != year)
		fprintf(stderr, _("The catalog's budget year is %d: try --period %d.\n"), year, year);
}

int cmd_query(const struct iki_client_options *o, int argc, char **argv)
{
	struct proto_query q = {0};
	struct proto_msg cat = {0};
	struct proto_value *vals = NULL;
	size_t n = 0;
	char msg[PROTO_TEXT_MAX + 1] = "";
	bool json = query_args(argc, argv, &q);
	struct iki_client *c = cli_connect(o);
	int rc = iki_describe(c, &cat, msg);
	if (rc < 0)
		return cli_refused("query", &c, o, rc, msg);
	int year = cli_budget_year(&cat);
	proto_msg_clear(&cat);
	if (!q.period[0])
		snprintf(q.period, sizeof(q.period), "%04d", year);
	rc = iki_query(c, &q, &vals, &n, msg);
	if (rc < 0)
		return cli_refused("query", &c, o, rc, msg);
	iki_client_close(&c);
	if (json) {
		print_json(vals, n);
	} else {
		print_table(vals, n);
		say_no_data(vals, n, q.period, year);
	}
	free(vals);
	return EXIT_OK;
}

/* ---- review: the values that break their indicator's validation rule ---- */

static void review_usage(FILE *f)
{
	fputs(_("usage: iki review [--period PERIOD] [--indicator CODE] [--orgunit CODE] [--json]\n"
	      "\n"
	      "Lists every value of a period (default: the catalog's budget year) that breaks its\n"
	      "indicator's validation rule (the catalog's 'check', such as numerator <= denominator):\n"
	      "stored and counted, but marked 'perlu diperiksa' by iki query, watch and report\n"
	      "until the events behind it are corrected. Every village and the kecamatan, unless\n"
	      "--orgunit names one. Exit status 0 whether or not any is found.\n"),
	      f);
}

/* The indicators' names and jabatan (a snapshot's values carry none), from ikid's catalog. */
static void name_values(struct proto_value *vals, size_t n, const struct proto_msg *cat)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < cat->n_indicators; k++)
			if (!strcmp(vals[i].indicator, cat->indicators[k].indicator)) {
				snprintf(vals[i].name, sizeof(vals[i].name), "%s",
					 cat->indicators[k].name);
				snprintf(vals[i].jabatan, sizeof(vals[i].jabatan), "%s",
					 cat->indicators[k].jabatan);
				break;
			}
}

int cmd_review(const struct iki_client_options *o, int argc, char **argv)
{
	static const struct option opts[] = {{"indicator", required_argument, NULL, 'i'},
					     {"orgunit", required_argument, NULL, 'o'},
					     {"period", required_argument, NULL, 'p'},
					     {"json", no_argument, NULL, 'J'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct proto_query q = {0};
	struct proto_msg cat = {0};
	struct proto_value *vals = NULL;
	size_t n = 0, flagged = 0;
	uint64_t seq;
	char msg[PROTO_TEXT_MAX + 1] = "", words[64];
	bool json = false;
	int ch;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i': cli_field(q.indicator, sizeof(q.indicator), "review", "indicator", optarg); break;
		case 'o': cli_field(q.orgunit, sizeof(q.orgunit), "review", "orgunit", optarg); break;
		case 'p': cli_field(q.period, sizeof(q.period), "review", "period", optarg); break;
		case 'J': json = true; break;
		case 'h': review_usage(stdout); return EXIT_OK;
		default: review_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		review_usage(stderr);
		return EXIT_USAGE;
	}
	struct iki_client *c = cli_connect(o);
	int rc = iki_describe(c, &cat, msg);
	if (rc < 0)
		return cli_refused("review", &c, o, rc, msg);
	if (!q.period[0])
		snprintf(q.period, sizeof(q.period), "%04d", cli_budget_year(&cat));
	rc = iki_snapshot(c, &q, &vals, &n, &seq, msg);
	if (rc < 0) {
		proto_msg_clear(&cat);
		return cli_refused("review", &c, o, rc, msg);
	}
	iki_client_close(&c);
	for (size_t i = 0; i < n; i++) /* the flagged ones, in the snapshot's order */
		if (vals[i].check[0] && !strcmp(vals[i].period, q.period))
			vals[flagged++] = vals[i];
	name_values(vals, flagged, &cat);
	proto_msg_clear(&cat);
	cli_period_words(q.period, words, sizeof(words));
	if (json) {
		print_json(vals, flagged);
	} else if (!flagged) {
		printf(_("No value of %s breaks its validation rule.\n"), words);
	} else {
		printf(_("%zu values of %s break their validation rule (perlu diperiksa):\n"), flagged,
		       words);
		print_table(vals, flagged);
	}
	free(vals);
	return EXIT_OK;
}
