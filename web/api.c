/* api.c: ikiweb's API routes, who is asking (session + CSRF, or a bearer token), login, logout,
 * me (see proto/WEBAPI.md). */
#include "api_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iki.h"
#include "jsonout.h"

#define JSON_TYPE "application/json; charset=utf-8"

enum need { NEED_NONE, NEED_READ, NEED_SUBMIT };

typedef void handler_fn(struct app *, const struct web_req *, const struct who *,
			struct web_resp *);

static handler_fn api_login, api_logout, api_me;

static const struct route {
	const char *method, *path;
	enum need need;
	handler_fn *fn;
} routes[] = {
	{"POST", "/api/login", NEED_NONE, api_login},
	{"POST", "/api/logout", NEED_READ, api_logout},
	{"GET", "/api/me", NEED_READ, api_me},
	{"GET", "/api/describe", NEED_READ, api_describe},
	{"GET", "/api/values", NEED_READ, api_values},
	{"GET", "/api/series", NEED_READ, api_series},
	{"GET", "/api/stream", NEED_READ, api_stream},
	{"POST", "/api/events", NEED_SUBMIT, api_events},
	{"GET", "/api/events/mine", NEED_READ, api_mine},
	{"GET", "/api/history", NEED_READ, api_history},
	{"GET", "/api/report", NEED_READ, api_report},
};

void api_json(struct web_resp *rs, int status, json_object **o)
{
	rs->status = status;
	rs->type = JSON_TYPE;
	rs->body = jsonout_take(o);
	rs->len = rs->body ? strlen(rs->body) : 0;
	if (!rs->body)
		rs->status = 500;
}

void api_error(struct web_resp *rs, int status, const char *code, const char *message)
{
	rs->status = status;
	rs->type = JSON_TYPE;
	rs->body = jsonout_error(code, message);
	rs->len = rs->body ? strlen(rs->body) : 0;
}

void api_ikid_error(struct web_resp *rs, int rc, const char *msg)
{
	if (gw_transport_error(rc)) {
		api_error(rs, 503, "unavailable", "Server data (ikid) tidak menjawab; coba lagi "
			  "sebentar lagi.");
		return;
	}
	/* ikid's own state, not the request's fault: busy (its readers' queue full, or stopping),
	 * too many of the gateway's reads waiting, its database full or failing: 503, retry */
	bool later = iki_code_busy(rc) || rc == IKI_EFULL || rc == IKI_ESTORAGE;
	int status = rc == IKI_EFORBIDDEN || rc == IKI_ESCOPE ? 403
		   : rc == IKI_EREF			      ? 404
		   : later				      ? 503
							      : 400;
	api_error(rs, status, iki_code_name(rc), msg && *msg ? msg : iki_strerror(rc));
	if (iki_code_busy(rc)) { /* a moment is enough */
		snprintf(rs->extra_name, sizeof(rs->extra_name), "Retry-After");
		snprintf(rs->extra_value, sizeof(rs->extra_value), "1");
	}
}

int api_arg(const struct web_req *rq, const char *name, char *dst, size_t n)
{
	const char *v = http_arg(rq, name);
	dst[0] = 0;
	if (!v)
		return 1;
	if (strlen(v) >= n)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* ---- who is asking ---- */

static int user_copy(struct app *a, const char *name, struct web_user *out)
{
	pthread_rwlock_rdlock(&a->users_lock);
	const struct web_user *u = users_find(a->users, name);
	if (u)
		*out = *u;
	pthread_rwlock_unlock(&a->users_lock);
	return u ? 0 : -1;
}

static int by_token(struct app *a, const char *secret, enum need need, struct who *w,
		    struct web_resp *rs)
{
	char user[USERS_NAME_MAX + 1] = "";
	bool read = false, submit = false;
	pthread_rwlock_rdlock(&a->users_lock);
	const struct web_token *t = users_token_find(a->users, secret);
	if (t) {
		snprintf(user, sizeof(user), "%s", t->user);
		read = t->read;
		submit = t->submit;
	}
	pthread_rwlock_unlock(&a->users_lock);
	if (!t || user_copy(a, user, &w->user) < 0) {
		api_error(rs, 401, "unauthenticated", "Token tidak dikenal atau sudah dicabut.");
		return -1;
	}
	if ((need == NEED_READ && !read) || (need == NEED_SUBMIT && !submit)) {
		api_error(rs, 403, "token_scope", need == NEED_SUBMIT
			  ? "Token ini tidak berwenang mengirim data (perlu cakupan submit)."
			  : "Token ini tidak berwenang membaca data (perlu cakupan read).");
		return -1;
	}
	w->bearer = true;
	return 0;
}

static int by_session(struct app *a, const struct web_req *rq, struct who *w,
		      struct web_resp *rs)
{
	const char *id = http_cookie(rq, "iki_session");
	struct session_info si;
	if (!id || sessions_lookup(a->sessions, id, &si) < 0 ||
	    user_copy(a, si.user, &w->user) < 0) {
		api_error(rs, 401, "unauthenticated", id ? "Sesi Anda sudah berakhir; silakan masuk lagi."
							 : "Silakan masuk terlebih dahulu.");
		return -1;
	}
	snprintf(w->session, sizeof(w->session), "%s", id);
	memcpy(w->csrf, si.csrf, sizeof(w->csrf));
	if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
		const char *t = http_header(rq, "X-CSRF-Token");
		if (!t || strlen(t) != SESSION_ID_LEN ||
		    sodium_memcmp(t, w->csrf, SESSION_ID_LEN) != 0) {
			api_error(rs, 403, "csrf", "Permintaan ditolak karena token keamanan (CSRF) "
				  "tidak ada atau salah; muat ulang halaman lalu coba lagi.");
			return -1;
		}
	}
	return 0;
}

static int authenticate(struct app *a, const struct web_req *rq, enum need need, struct who *w,
			struct web_resp *rs)
{
	const char *auth = http_header(rq, "Authorization");
	if (auth && !strncmp(auth, "Bearer ", 7))
		return by_token(a, auth + 7, need, w, rs);
	return by_session(a, rq, w, rs);
}

void api_handle(struct app *a, const struct web_req *rq, struct web_resp *rs)
{
	const char *path = rq->url;
	bool path_known = false;
	if (strncmp(path, "/api/", 5)) {
		if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD"))
			api_error(rs, 405, "method_not_allowed", "Metode ini tidak diizinkan di sini.");
		else
			http_static(a->www, path, rs);
		return;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];
		if (strcmp(r->path, path))
			continue;
		path_known = true;
		if (strcmp(r->method, rq->method))
			continue;
		struct who w = {0};
		if (r->need == NEED_NONE || authenticate(a, rq, r->need, &w, rs) == 0)
			r->fn(a, rq, &w, rs);
		sodium_memzero(&w, sizeof(w));
		return;
	}
	if (path_known) {
		api_error(rs, 405, "method_not_allowed", "Metode ini tidak diizinkan di sini.");
		snprintf(rs->extra_name, sizeof(rs->extra_name), "Allow");
		snprintf(rs->extra_value, sizeof(rs->extra_value), "%s",
			 strcmp(path, "/api/login") && strcmp(path, "/api/logout") &&
				 strcmp(path, "/api/events") ? "GET" : "POST");
	} else
		api_error(rs, 404, "not_found", "Alamat API ini tidak ada.");
}

/* ---- login, logout, me ---- */

static const char *str_field(json_object *o, const char *key, size_t max)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	const char *s = json_object_get_string(v);
	return strlen(s) <= max ? s : NULL;
}

/* At most APP_HASHING_MAX password checks at once: each takes 64 MiB. */
static void hashing(struct app *a, bool begin)
{
	pthread_mutex_lock(&a->hash_lock);
	if (begin) {
		while (a->hashing >= APP_HASHING_MAX)
			pthread_cond_wait(&a->hash_free, &a->hash_lock);
		a->hashing++;
	} else {
		a->hashing--;
		pthread_cond_signal(&a->hash_free);
	}
	pthread_mutex_unlock(&a->hash_lock);
}

static void user_json(json_object *o, const struct web_user *u, const char *csrf)
{
	json_object_object_add(o, "user", json_object_new_string(u->name));
	json_object_object_add(o, "name", json_object_new_string(u->display));
	json_object_object_add(o, "role", json_object_new_string(u->role));
	json_object_object_add(o, "scope", json_object_new_string(u->scope));
	json_object_object_add(o, "csrf", json_object_new_string(csrf));
}

static void locked_out(struct web_resp *rs, int retry)
{
	char msg[160];
	int minutes = (retry + 59) / 60;
	snprintf(msg, sizeof(msg), "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %d "
		 "menit.", minutes);
	api_error(rs, 429, "locked_out", msg);
	snprintf(rs->extra_name, sizeof(rs->extra_name), "Retry-After");
	snprintf(rs->extra_value, sizeof(rs->extra_value), "%d", retry);
}

static void login_ok(struct app *a, const struct web_user *u, struct web_resp *rs)
{
	char id[SESSION_ID_LEN + 1], csrf[SESSION_ID_LEN + 1];
	sessions_login_ok(a->sessions, u->name);
	if (sessions_create(a->sessions, u->name, id, csrf) < 0) {
		api_error(rs, 500, "internal", iki_strerror(IKI_EINTERNAL));
		return;
	}
	snprintf(rs->cookie, sizeof(rs->cookie), "iki_session=%s; Path=/; HttpOnly; "
		 "SameSite=Strict%s", id, a->secure_cookie ? "; Secure" : "");
	json_object *o = json_object_new_object();
	user_json(o, u, csrf);
	api_json(rs, 200, &o);
	sodium_memzero(id, sizeof(id));
}

static void api_login(struct app *a, const struct web_req *rq, const struct who *w,
		      struct web_resp *rs)
{
	(void)w;
	json_object *o = rq->body ? json_tokener_parse(rq->body) : NULL;
	const char *name = str_field(o, "user", USERS_NAME_MAX), *pw = str_field(o, "password", 1024);
	struct web_user u;
	int retry;
	if (!name || !pw)
		api_error(rs, 400, "bad_request", "Isi nama pengguna dan kata sandi.");
	else if (sessions_login_allowed(a->sessions, name, rq->addr, &retry) < 0)
		locked_out(rs, retry);
	else {
		bool known = user_copy(a, name, &u) == 0;
		hashing(a, true);
		int ok = users_check_password(known ? &u : NULL, pw) == 0;
		hashing(a, false);
		if (ok)
			login_ok(a, &u, rs);
		else {
			sessions_login_failed(a->sessions, name, rq->addr);
			api_error(rs, 401, "bad_login", "Nama pengguna atau kata sandi salah.");
		}
		sodium_memzero(&u, sizeof(u));
	}
	json_object_put(o);
}

static void api_logout(struct app *a, const struct web_req *rq, const struct who *w,
		       struct web_resp *rs)
{
	(void)rq;
	if (!w->bearer)
		sessions_end(a->sessions, w->session);
	rs->status = 204;
	snprintf(rs->cookie, sizeof(rs->cookie), "iki_session=; Path=/; Max-Age=0; HttpOnly; "
		 "SameSite=Strict%s", a->secure_cookie ? "; Secure" : "");
}

static void api_me(struct app *a, const struct web_req *rq, const struct who *w,
		   struct web_resp *rs)
{
	(void)rq;
	json_object *o = json_object_new_object(), *ous = json_object_new_array(),
		    *els = json_object_new_array();
	user_json(o, &w->user, w->bearer ? "" : w->csrf);
	gw_allowed(a->gw, w->user.role, w->user.scope, ous, els);
	json_object_object_add(o, "orgunits", ous);
	json_object_object_add(o, "elements", els);
	api_json(rs, 200, &o);
}
