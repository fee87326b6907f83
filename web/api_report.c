/* api_report.c: GET /api/report: the LAKIP tables of "iki report" (client/tables.c) as a page or
 * a CSV download, from the catalog and the values of the periods tables.h lists (the year, its
 * four triwulan, s.d. triwulan II and III). */
#include "api_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iki.h"
#include "period.h"
#include "tables.h"

struct report_call {
	int year;
	struct proto_query q; /* orgunit and jabatan */
	struct proto_msg cat;
	struct proto_value *v[TABLES_PERIODS];
	size_t n[TABLES_PERIODS];
	struct proto_note *notes; /* the org unit's analysis notes */
	size_t n_notes;
	char msg[PROTO_TEXT_MAX + 1];
};

static int do_report(struct iki_client *c, void *arg)
{
	struct report_call *r = arg;
	int rc = iki_describe(c, &r->cat, r->msg);
	for (int p = 0; rc == 0 && p < TABLES_PERIODS; p++) {
		struct proto_query q = r->q;
		char id[PERIOD_ID_MAX];
		tables_period(r->year, p, id);
		if (!id[0])
			continue; /* no such period: no values */
		snprintf(q.period, sizeof(q.period), "%s", id);
		rc = iki_query(c, &q, &r->v[p], &r->n[p], r->msg);
	}
	if (rc == 0) /* the notes of the org unit, as iki report */
		rc = tables_fetch_notes(c, &r->cat, r->q.orgunit, &r->notes, &r->n_notes, r->msg);
	return rc;
}

/* Lay the tables out into a malloc'd buffer. 0 or -errno. */
static int render(struct report_call *r, enum tables_format f, char **out, size_t *len)
{
	struct tables t = {.year = r->year, .orgunit = r->q.orgunit, .jabatan = r->q.jabatan,
			   .catalog = &r->cat, .generated = time(NULL), .notes = r->notes,
			   .n_notes = r->n_notes};
	for (int p = 0; p < TABLES_PERIODS; p++) {
		t.values[p] = r->v[p];
		t.n_values[p] = r->n[p];
	}
	FILE *fp = open_memstream(out, len);
	if (!fp)
		return -ENOMEM;
	int rc = tables_write(&t, f, fp);
	if (fclose(fp) != 0 && rc == 0)
		rc = -ENOMEM;
	return rc;
}

static void report_free(struct report_call *r)
{
	proto_msg_clear(&r->cat);
	for (int p = 0; p < TABLES_PERIODS; p++)
		free(r->v[p]);
	free(r->notes);
}

void api_report(struct app *a, const struct web_req *rq, const struct who *w,
		struct web_resp *rs)
{
	struct report_call r = {0};
	char y[8], fmt[8], *end;
	(void)w;
	if (api_arg(rq, "year", y, sizeof(y)) != 0 || (r.year = (int)strtol(y, &end, 10)) < 2000 ||
	    *end || r.year > 2099 || api_arg(rq, "format", fmt, sizeof(fmt)) < 0 ||
	    api_arg(rq, "orgunit", r.q.orgunit, sizeof(r.q.orgunit)) < 0 ||
	    api_arg(rq, "jabatan", r.q.jabatan, sizeof(r.q.jabatan)) < 0 ||
	    (fmt[0] && strcmp(fmt, "html") && strcmp(fmt, "csv"))) {
		api_error(rs, 400, "bad_request", "Sebutkan tahun (year=2022) dan format html atau csv.");
		return;
	}
	bool csv = !strcmp(fmt, "csv");
	int rc = gw_call(a->gw, NULL, do_report, &r);
	if (rc < 0)
		api_ikid_error(rs, rc, r.msg);
	else if ((rc = render(&r, csv ? TABLES_CSV : TABLES_HTML, &rs->body, &rs->len)) < 0)
		api_error(rs, 500, "internal", iki_strerror(IKI_EINTERNAL));
	else {
		rs->status = 200;
		rs->type = csv ? "text/csv; charset=utf-8" : "text/html; charset=utf-8";
		/* the report's page styles itself inline and runs no script */
		rs->csp = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
		if (csv) {
			snprintf(rs->extra_name, sizeof(rs->extra_name), "Content-Disposition");
			snprintf(rs->extra_value, sizeof(rs->extra_value),
				 "attachment; filename=\"lakip-%d.csv\"", r.year);
		}
	}
	report_free(&r);
}
