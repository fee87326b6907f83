/* api_data.c: ikiweb's data endpoints: describe, values, series, stream, events, mine, history,
 * report (see proto/WEBAPI.md). Every read goes through the gateway's connection, every submit
 * through the user's own key. */
#include "api_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iki.h"
#include "jsonout.h"
#include "tables.h"

#define API_EVENTS_MAX 5000

void api_describe(struct app *a, const struct web_req *rq, const struct who *w,
		  struct web_resp *rs)
{
	char msg[PROTO_TEXT_MAX + 1] = "", *json;
	(void)rq;
	(void)w;
	int rc = gw_catalog_json(a->gw, &json, msg);
	if (rc < 0) {
		api_ikid_error(rs, rc, msg);
		return;
	}
	rs->status = 200;
	rs->type = "application/json; charset=utf-8";
	rs->body = json;
	rs->len = strlen(json);
}

/* The query of a request's arguments; -1 (answered 400) when one is too long. */
static int query_args(const struct web_req *rq, struct proto_query *q, struct web_resp *rs)
{
	memset(q, 0, sizeof(*q));
	if (api_arg(rq, "indicator", q->indicator, sizeof(q->indicator)) < 0 ||
	    api_arg(rq, "jabatan", q->jabatan, sizeof(q->jabatan)) < 0 ||
	    api_arg(rq, "orgunit", q->orgunit, sizeof(q->orgunit)) < 0 ||
	    api_arg(rq, "period", q->period, sizeof(q->period)) < 0) {
		api_error(rs, 400, "bad_request", "Ada parameter yang terlalu panjang.");
		return -1;
	}
	return 0;
}

struct query_call {
	const struct proto_query *q;
	struct proto_value *v;
	size_t n;
	char msg[PROTO_TEXT_MAX + 1];
};

static int do_query(struct iki_client *c, void *arg)
{
	struct query_call *qc = arg;
	return iki_query(c, qc->q, &qc->v, &qc->n, qc->msg);
}

/* Query ikid and append the values to arr. 0 or the failure (answered into rs). */
static int values_into(struct app *a, const struct proto_query *q, json_object *arr,
		       struct web_resp *rs)
{
	struct query_call qc = {.q = q};
	int rc = gw_call(a->gw, NULL, do_query, &qc);
	if (rc < 0) {
		api_ikid_error(rs, rc, qc.msg);
		return rc;
	}
	for (size_t i = 0; i < qc.n; i++)
		json_object_array_add(arr, jsonout_value(&qc.v[i], NULL, NULL));
	free(qc.v);
	return 0;
}

void api_values(struct app *a, const struct web_req *rq, const struct who *w,
		struct web_resp *rs)
{
	struct proto_query q;
	(void)w;
	if (query_args(rq, &q, rs) < 0)
		return;
	if (!q.period[0]) {
		api_error(rs, 400, "bad_period", iki_strerror(IKI_EPERIOD));
		return;
	}
	uint64_t seq = live_seq(a->live);
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object_object_add(o, "seq", json_object_new_uint64(seq));
	json_object_object_add(o, "values", arr);
	if (values_into(a, &q, arr, rs) == 0)
		api_json(rs, 200, &o);
	json_object_put(o);
}

static int year_arg(const struct web_req *rq, int *year)
{
	char y[8];
	char *end;
	if (api_arg(rq, "year", y, sizeof(y)) != 0)
		return -1;
	long v = strtol(y, &end, 10);
	if (*end || v < 1900 || v > 2999)
		return -1;
	*year = (int)v;
	return 0;
}

void api_series(struct app *a, const struct web_req *rq, const struct who *w,
		struct web_resp *rs)
{
	struct proto_query q;
	int year;
	(void)w;
	if (query_args(rq, &q, rs) < 0)
		return;
	if (year_arg(rq, &year) < 0) {
		api_error(rs, 400, "bad_period", "Tahun tidak valid; tulis misalnya year=2022.");
		return;
	}
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	json_object_object_add(o, "values", arr);
	int rc = 0;
	for (int m = 1; m <= 12 && rc == 0; m++) {
		char id[24];
		snprintf(id, sizeof(id), "%04d%02d", year, m); /* year 1900..2999: 6 characters */
		snprintf(q.period, sizeof(q.period), "%.6s", id);
		rc = values_into(a, &q, arr, rs);
	}
	if (rc == 0)
		api_json(rs, 200, &o);
	json_object_put(o);
}

/* What an open stream checks now and then: its session, or its token's user, still there. */
struct stream_guard {
	struct app *a;
	bool bearer;
	char session[SESSION_ID_LEN + 1];
	char user[USERS_NAME_MAX + 1];
};

static int stream_alive(void *arg)
{
	struct stream_guard *g = arg;
	struct session_info si;
	if (!g->bearer) /* an open page counts as activity: the session's idle time restarts */
		return sessions_lookup(g->a->sessions, g->session, &si) == 0;
	pthread_rwlock_rdlock(&g->a->users_lock);
	int ok = users_find(g->a->users, g->user) != NULL;
	pthread_rwlock_unlock(&g->a->users_lock);
	return ok;
}

void api_stream(struct app *a, const struct web_req *rq, const struct who *w,
		struct web_resp *rs)
{
	struct proto_query q;
	struct stream_guard *g = calloc(1, sizeof(*g));
	if (!g || query_args(rq, &q, rs) < 0) {
		if (!g)
			api_error(rs, 500, "internal", iki_strerror(IKI_EINTERNAL));
		free(g);
		return;
	}
	g->a = a;
	g->bearer = w->bearer;
	memcpy(g->session, w->session, sizeof(g->session));
	memcpy(g->user, w->user.name, sizeof(g->user));
	int rc = live_reader_new(a->live, &q, &rs->stream);
	if (rc == 0)
		live_reader_guard(rs->stream, stream_alive, g);
	else
		free(g);
	if (rc == -EBUSY) {
		api_error(rs, 503, "too_many_streams", "Terlalu banyak tampilan langsung yang terbuka; "
			  "tutup salah satu lalu muat ulang.");
		snprintf(rs->extra_name, sizeof(rs->extra_name), "Retry-After");
		snprintf(rs->extra_value, sizeof(rs->extra_value), "30");
		return;
	}
	if (rc < 0) {
		api_error(rs, 500, "internal", iki_strerror(IKI_EINTERNAL));
		return;
	}
	rs->status = 200;
	rs->type = "text/event-stream; charset=utf-8";
}

/* ---- events ---- */

struct submit_call {
	const struct proto_event *ev;
	size_t n;
	struct proto_result *res;
};

static int do_submit(struct iki_client *c, void *arg)
{
	struct submit_call *sc = arg;
	int rc = iki_submit(c, sc->ev, sc->n, sc->res);
	/* no answer because ikid refused the user's key (not listed yet: ikid not reloaded) */
	return rc == IKI_ETIMEOUT && iki_client_problem(c) ? -EACCES : rc;
}

/* Parse the body's events into ev (n of them); bad ones get their result in res already. */
static int parse_events(const struct web_req *rq, json_object **root, struct proto_event **ev,
			struct proto_result **res, bool **bad, size_t *n, struct web_resp *rs)
{
	json_object *arr;
	*root = rq->body ? json_tokener_parse(rq->body) : NULL;
	if (!*root || !json_object_object_get_ex(*root, "events", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		api_error(rs, 400, "bad_request", "Kiriman harus berupa {\"events\": [...]}.");
		return -1;
	}
	*n = json_object_array_length(arr);
	if (*n > API_EVENTS_MAX) {
		api_error(rs, 413, "too_big", "Lebih dari 5.000 kejadian dalam satu kiriman; bagi "
			  "menjadi beberapa kiriman.");
		return -1;
	}
	*ev = calloc(*n + 1, sizeof(**ev));
	*res = calloc(*n + 1, sizeof(**res));
	*bad = calloc(*n + 1, sizeof(**bad));
	if (!*ev || !*res || !*bad) {
		api_error(rs, 500, "internal", iki_strerror(IKI_EINTERNAL));
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		char err[200];
		if (jsonout_parse_event(json_object_array_get_idx(arr, i), &(*ev)[i], err,
					sizeof(err)) < 0) {
			(*bad)[i] = true;
			(*res)[i].status = PROTO_STATUS_ERROR;
			(*res)[i].code = IKI_EFIELD;
			snprintf((*res)[i].message, sizeof((*res)[i].message), "%s (kolom %s)",
				 iki_strerror(IKI_EFIELD), err);
		}
	}
	return 0;
}

/* Submit the good events (compacted), and spread their results back in place. */
static int submit_good(struct app *a, const struct who *w, struct proto_event *ev,
		       struct proto_result *res, const bool *bad, size_t n)
{
	struct proto_event *good = calloc(n + 1, sizeof(*good));
	struct proto_result *got = calloc(n + 1, sizeof(*got));
	size_t k = 0;
	int rc = good && got ? 0 : -ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (!bad[i])
			good[k++] = ev[i];
	struct submit_call sc = {good, k, got};
	if (rc == 0 && k)
		rc = gw_call(a->gw, w->user.name, do_submit, &sc);
	for (size_t i = 0, j = 0; rc == 0 && i < n; i++)
		if (!bad[i])
			res[i] = got[j++];
	free(good);
	free(got);
	return rc;
}

void api_events(struct app *a, const struct web_req *rq, const struct who *w,
		struct web_resp *rs)
{
	json_object *root = NULL;
	struct proto_event *ev = NULL;
	struct proto_result *res = NULL;
	bool *bad = NULL;
	size_t n = 0;
	if (parse_events(rq, &root, &ev, &res, &bad, &n, rs) == 0) {
		int rc = submit_good(a, w, ev, res, bad, n);
		if (rc == -ENOENT || rc == -EACCES || rc == -EINVAL)
			api_error(rs, 403, "forbidden", "Kunci akun Anda belum dikenal server data "
				  "(ikid); hubungi operator.");
		else if (rc < 0)
			api_ikid_error(rs, rc, "");
		else {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			journal_append(a->journal, w->user.name, ev, res, n,
				       (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
			json_object *o = json_object_new_object(), *arr = json_object_new_array();
			for (size_t i = 0; i < n; i++)
				json_object_array_add(arr, jsonout_result(ev[i].id, &res[i]));
			json_object_object_add(o, "results", arr);
			api_json(rs, 200, &o);
		}
	}
	json_object_put(root);
	free(ev);
	free(res);
	free(bad);
}

void api_mine(struct app *a, const struct web_req *rq, const struct who *w,
	      struct web_resp *rs)
{
	char lim[8];
	long limit = 50;
	int have = api_arg(rq, "limit", lim, sizeof(lim));
	if (have == 0)
		limit = strtol(lim, NULL, 10);
	if (have < 0 || limit < 1 || limit > 500) {
		api_error(rs, 400, "bad_request", "limit harus antara 1 dan 500.");
		return;
	}
	json_object *o = json_object_new_object();
	json_object *arr = journal_read(a->journal, w->user.name, (size_t)limit);
	json_object_object_add(o, "events", arr ? arr : json_object_new_array());
	api_json(rs, 200, &o);
}

struct history_call {
	const char *id;
	struct proto_stored *s;
	size_t n;
	char msg[PROTO_TEXT_MAX + 1];
};

static int do_history(struct iki_client *c, void *arg)
{
	struct history_call *hc = arg;
	return iki_history(c, hc->id, &hc->s, &hc->n, hc->msg);
}

void api_history(struct app *a, const struct web_req *rq, const struct who *w,
		 struct web_resp *rs)
{
	char id[PROTO_ID_MAX + 1];
	(void)w;
	if (api_arg(rq, "id", id, sizeof(id)) != 0 || !id[0]) {
		api_error(rs, 400, "bad_request", "Sebutkan ID kejadian: ?id=...");
		return;
	}
	struct history_call hc = {.id = id};
	int rc = gw_call(a->gw, NULL, do_history, &hc);
	if (rc < 0) {
		api_ikid_error(rs, rc, hc.msg);
		return;
	}
	json_object *o = json_object_new_object(), *arr = json_object_new_array();
	for (size_t i = 0; i < hc.n; i++)
		json_object_array_add(arr, jsonout_stored(&hc.s[i]));
	free(hc.s);
	json_object_object_add(o, "events", arr);
	api_json(rs, 200, &o);
}
