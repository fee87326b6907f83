/* auth.c: the authorised clients file, and the ZAP handler that checks CURVE keys against it. */
#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "grow.h"
#include "iki.h"
#include "log.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01" /* fixed by ZeroMQ's RFC 27 */
#define LINE_MAX_LEN 1024

struct table {
	struct auth_client *c; /* sorted by key */
	int n;
	size_t cap; /* room in c (grow) */
};

struct auth {
	char path[4096];
	const struct catalog *cat;
	pthread_mutex_t lock; /* guards table: the ZAP thread reads it, a reload replaces it */
	struct table table;
	void *zap;            /* the ZAP socket, used only by the thread once it runs */
	char last_refused[CURVE_Z85_LEN + 1]; /* the ZAP thread's: a refused client retries ten */
	time_t last_refused_at;               /* times a second; log it once per minute */
	pthread_t thread;
	bool started;
};

static const char *const role_names[] = {
	[AUTH_NONE] = "none", [AUTH_ADMIN] = "admin", [AUTH_SECTION] = "section",
	[AUTH_CLERK] = "clerk", [AUTH_VIEWER] = "viewer",
};

const char *auth_role_name(enum auth_role r)
{
	return (unsigned)r < sizeof(role_names) / sizeof(role_names[0]) ? role_names[r] : "none";
}

/* ---- the file ---- */

struct errbuf {
	char *text;
	size_t len, cap;
	int n;
};

__attribute__((format(printf, 4, 5))) static void err(struct errbuf *e, const char *path,
						      int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	e->n++;
	int need = snprintf(NULL, 0, "%s:%d: %s\n", path, line, msg);
	if (need < 0 || grow((void **)&e->text, &e->cap, e->len + (size_t)need + 1, 1) < 0)
		return;
	e->len +=
	    (size_t)snprintf(e->text + e->len, (size_t)need + 1, "%s:%d: %s\n", path, line, msg);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct auth_client *)a)->key, ((const struct auth_client *)b)->key);
}

static bool name_ok(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._-@", s[i]))
			return false;
	return n > 0 && n <= AUTH_NAME_MAX;
}

/* Whether any element or case type of the catalog lists section in reported_by. */
static bool section_known(const struct catalog *cat, const char *section)
{
	for (int i = 0; i < cat->n_elements; i++)
		if (catalog_reports(cat->elements[i].reported_by, section))
			return true;
	for (int i = 0; i < cat->n_casetypes; i++)
		if (catalog_reports(cat->casetypes[i].reported_by, section))
			return true;
	return false;
}

/* Check a line's role and scope against the catalog. */
static void check_scope(struct errbuf *e, const char *path, int line, const struct catalog *cat,
			struct auth_client *c, const char *role, const char *scope)
{
	int ou;
	for (int r = AUTH_ADMIN; r <= AUTH_VIEWER; r++)
		if (!strcmp(role, role_names[r]))
			c->role = (enum auth_role)r;
	bool dash = !strcmp(scope, "-");
	switch (c->role) {
	case AUTH_NONE:
		err(e, path, line, "role must be admin, section, clerk or viewer, not '%s'", role);
		return;
	case AUTH_ADMIN:
	case AUTH_VIEWER:
		if (!dash)
			err(e, path, line, "an %s has no scope: write '-', not '%s'", role, scope);
		return;
	case AUTH_CLERK:
		ou = catalog_orgunit_find(cat, scope);
		c->scope_ou = ou;
		if (ou <= 0)
			err(e, path, line, "a clerk's scope is one village of the catalog (e.g. %s), not '%s'",
			    cat->n_orgunits > 1 ? cat->orgunits[1].code : "35.27.03.2001", scope);
		break;
	case AUTH_SECTION:
		if (!strcmp(scope, CATALOG_VILLAGE) || !section_known(cat, scope))
			err(e, path, line,
			    "a section's scope is a section code of the catalog's reported_by lists "
			    "(not '%s', and not '%s', which is for clerks)", scope, CATALOG_VILLAGE);
		break;
	}
	snprintf(c->scope, sizeof(c->scope), "%s", scope);
}

/* Parse one non-comment line: name role scope key. */
static void parse_line(struct errbuf *e, const char *path, int line, const struct catalog *cat,
		       char *s, struct table *t)
{
	char *f[5];
	int n = 0;
	for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t"))
		f[n < 5 ? n++ : 4] = tok;
	if (n != 4) {
		err(e, path, line, "expected 4 fields, name role scope key; found %d", n);
		return;
	}
	struct auth_client c = {.role = AUTH_NONE, .scope_ou = -1};
	if (!name_ok(f[0]))
		err(e, path, line, "name '%s': letters, digits and . _ - @, at most %d", f[0],
		    AUTH_NAME_MAX);
	else
		snprintf(c.name, sizeof(c.name), "%s", f[0]);
	check_scope(e, path, line, cat, &c, f[1], f[2]);
	if (!curve_z85_valid(f[3]))
		err(e, path, line, "'%.60s' is not a public key (40 characters of Z85, from iki keygen's "
		    ".pub file)", f[3]);
	else
		snprintf(c.key, sizeof(c.key), "%s", f[3]);
	for (int i = 0; i < t->n; i++) {
		if (c.key[0] && !strcmp(t->c[i].key, c.key))
			err(e, path, line, "key of '%s' is listed already, for '%s'", c.name, t->c[i].name);
		if (c.name[0] && !strcmp(t->c[i].name, c.name))
			err(e, path, line, "name '%s' is listed already", c.name);
	}
	if (grow((void **)&t->c, &t->cap, (size_t)t->n + 1, sizeof(*t->c)) < 0) {
		err(e, path, line, "out of memory");
		return;
	}
	t->c[t->n++] = c;
}

/* Read the file into *t. Returns 0, IKI_ECATALOG with errors, or -errno. */
static int read_file(const char *path, const struct catalog *cat, struct table *t, char **errors)
{
	FILE *f = fopen(path, "r");
	char buf[LINE_MAX_LEN + 2];
	struct errbuf e = {0};
	int line = 0;
	*t = (struct table){0};
	if (!f)
		return -errno;
	while (fgets(buf, sizeof(buf), f)) {
		line++;
		size_t n = strlen(buf);
		if (n && buf[n - 1] == '\n')
			buf[--n] = 0;
		else if (!feof(f)) {
			err(&e, path, line, "line longer than %d bytes", LINE_MAX_LEN);
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		char *s = buf + strspn(buf, " \t");
		if (*s && *s != '#')
			parse_line(&e, path, line, cat, s, t);
	}
	if (ferror(f))
		err(&e, path, line, "read error");
	fclose(f);
	if (e.n == 0 && t->n > 1)
		qsort(t->c, (size_t)t->n, sizeof(*t->c), key_cmp);
	if (errors)
		*errors = e.text;
	else
		free(e.text);
	if (e.n) {
		free(t->c);
		*t = (struct table){0};
		return IKI_ECATALOG;
	}
	return 0;
}

int auth_load(const char *path, const struct catalog *cat, struct auth **out, char **errors)
{
	struct auth *a = calloc(1, sizeof(*a));
	if (errors)
		*errors = NULL;
	if (!a)
		return -ENOMEM;
	snprintf(a->path, sizeof(a->path), "%s", path);
	a->cat = cat;
	pthread_mutex_init(&a->lock, NULL);
	int rc = read_file(path, cat, &a->table, errors);
	if (rc < 0) {
		auth_free(&a);
		return rc;
	}
	*out = a;
	return 0;
}

int auth_count(const struct auth *a)
{
	return a->table.n;
}

int auth_reload(struct auth *a, char **errors)
{
	struct table t, old;
	int rc = read_file(a->path, a->cat, &t, errors);
	if (rc < 0)
		return rc;
	if (t.n == 0) { /* a truncated or emptied file: everyone, the admin too, would be locked out */
		if (errors) {
			free(*errors);
			*errors = strdup("the file lists no client (everyone would be locked out, the "
					 "admin too)");
		}
		return IKI_ECATALOG;
	}
	pthread_mutex_lock(&a->lock);
	old = a->table;
	a->table = t;
	pthread_mutex_unlock(&a->lock);
	int gone = 0;
	for (int i = 0; i < old.n; i++) {
		const struct auth_client *c = &old.c[i];
		const struct auth_client *now = bsearch(c, t.c, (size_t)t.n, sizeof(*c), key_cmp);
		gone += !now || now->role != c->role || strcmp(now->scope, c->scope) != 0;
	}
	free(old.c);
	return gone;
}

bool auth_lookup(struct auth *a, const char *key, struct auth_client *out)
{
	struct auth_client k;
	snprintf(k.key, sizeof(k.key), "%s", key);
	pthread_mutex_lock(&a->lock);
	const struct auth_client *c =
	    a->table.n ? bsearch(&k, a->table.c, (size_t)a->table.n, sizeof(k), key_cmp) : NULL;
	if (c)
		*out = *c;
	pthread_mutex_unlock(&a->lock);
	return c != NULL;
}

/* ---- ZAP (RFC 27): request frames in, reply frames out ---- */

#define ZAP_FRAMES 7 /* version, request id, domain, address, identity, mechanism, credentials */

static void zap_reply(void *sock, const zmq_msg_t *req_id, const char *status, const char *text,
		      const char *user)
{
	zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(sock, zmq_msg_data((zmq_msg_t *)req_id), zmq_msg_size((zmq_msg_t *)req_id),
		 ZMQ_SNDMORE);
	zmq_send(sock, status, strlen(status), ZMQ_SNDMORE);
	zmq_send(sock, text, strlen(text), ZMQ_SNDMORE);
	zmq_send(sock, user, strlen(user), ZMQ_SNDMORE);
	zmq_send(sock, "", 0, 0);
}

/* Copy a frame into a NUL-terminated string (cut to n - 1 bytes). */
static void frame_str(zmq_msg_t *f, char *buf, size_t n)
{
	size_t len = zmq_msg_size(f) < n - 1 ? zmq_msg_size(f) : n - 1;
	memcpy(buf, zmq_msg_data(f), len);
	buf[len] = 0;
}

/* Judge one ZAP request. Returns false when the socket is gone (context terminated). */
static bool zap_serve(struct auth *a)
{
	zmq_msg_t f[ZAP_FRAMES], empty;
	int n = 0, more = 1;
	bool extra = false;
	while (more) {
		zmq_msg_t m;
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, a->zap, 0) < 0) {
			int e = errno;
			zmq_msg_close(&m);
			while (n > 0)
				zmq_msg_close(&f[--n]);
			return e != ETERM;
		}
		more = zmq_msg_more(&m);
		if (n < ZAP_FRAMES) {
			zmq_msg_init(&f[n]);
			zmq_msg_move(&f[n++], &m);
		} else {
			extra = true;
		}
		zmq_msg_close(&m);
	}
	char mech[16] = "", address[64] = "", key[CURVE_Z85_LEN + 1] = "";
	struct auth_client c;
	zmq_msg_init(&empty);
	const zmq_msg_t *req_id = n > 1 ? &f[1] : &empty; /* REP must answer every request */
	if (n == ZAP_FRAMES && !extra) {
		frame_str(&f[3], address, sizeof(address));
		frame_str(&f[5], mech, sizeof(mech));
		if (!strcmp(mech, "CURVE") && zmq_msg_size(&f[6]) == 32)
			zmq_z85_encode(key, zmq_msg_data(&f[6]), 32);
	}
	if (n != ZAP_FRAMES || extra) {
		log_warnx("auth: a malformed ZAP request (%d frames), refused", n);
		zap_reply(a->zap, req_id, "500", "malformed ZAP request", "");
	} else if (!key[0]) {
		log_warnx("auth: refused a connection from %s: mechanism %s, not CURVE", address, mech);
		zap_reply(a->zap, req_id, "400", "CURVE required", "");
	} else if (!auth_lookup(a, key, &c)) {
		time_t now = time(NULL);
		if (strcmp(key, a->last_refused) != 0 || now - a->last_refused_at >= 60)
			log_warnx("auth: refused a connection from %s: key %s is not in %s", address,
				  key, a->path);
		snprintf(a->last_refused, sizeof(a->last_refused), "%s", key);
		a->last_refused_at = now;
		zap_reply(a->zap, req_id, "400", "unknown key", "");
	} else {
		log_debug("auth: %s (%s %s) connected from %s", c.name, auth_role_name(c.role),
			  c.scope[0] ? c.scope : "-", address);
		zap_reply(a->zap, req_id, "200", "OK", key);
	}
	zmq_msg_close(&empty);
	while (n > 0)
		zmq_msg_close(&f[--n]);
	return true;
}

static void *zap_thread(void *arg)
{
	struct auth *a = arg;
	while (zap_serve(a))
		;
	zmq_close(a->zap);
	return NULL;
}

int auth_start(struct auth *a, void *ctx)
{
	int linger = 0;
	a->zap = zmq_socket(ctx, ZMQ_REP);
	if (!a->zap)
		return -errno;
	zmq_setsockopt(a->zap, ZMQ_LINGER, &linger, sizeof(linger));
	if (zmq_bind(a->zap, ZAP_ENDPOINT) < 0) {
		int e = errno;
		zmq_close(a->zap);
		a->zap = NULL;
		return -e;
	}
	int rc = pthread_create(&a->thread, NULL, zap_thread, a);
	if (rc != 0) {
		zmq_close(a->zap);
		a->zap = NULL;
		return -rc;
	}
	a->started = true;
	return 0;
}

void auth_free(struct auth **ap)
{
	struct auth *a = ap ? *ap : NULL;
	if (!a)
		return;
	if (a->started)
		pthread_join(a->thread, NULL);
	pthread_mutex_destroy(&a->lock);
	free(a->table.c);
	free(a);
	*ap = NULL;
}
