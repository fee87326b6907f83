/* gateway.c: ikiweb's connections to ikid (see gateway.h). */
#include "gateway.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "curve.h"
#include "grow.h"
#include "jsonout.h"

#define GW_CATALOG_TTL_S 60
#define GW_USERS_MAX 4096 /* connections kept open; past it, new users share none (refused) */

struct conn {
	char user[64];
	char public_key[CURVE_Z85_LEN + 1];
	struct iki_client *c;
	pthread_mutex_t lock;
};

struct gw {
	struct gw_options o;
	char request[256], update[256], server_key[4096], gateway_key[4096], keys_dir[4096];
	struct conn self;
	pthread_mutex_t pool_lock;
	struct conn **pool;
	size_t n_pool, cap_pool;
	pthread_mutex_t cat_lock;
	char *cat_json;
	struct proto_msg cat;
	time_t cat_at;
};

static void copy(char *dst, size_t n, const char **field, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
	*field = src ? dst : NULL;
}

int gw_new(const struct gw_options *o, struct gw **out)
{
	struct gw *g = calloc(1, sizeof(*g));
	*out = NULL;
	if (!g)
		return -ENOMEM;
	g->o = *o;
	copy(g->request, sizeof(g->request), &g->o.request, o->request);
	copy(g->update, sizeof(g->update), &g->o.update, o->update);
	copy(g->server_key, sizeof(g->server_key), &g->o.server_key, o->server_key);
	copy(g->gateway_key, sizeof(g->gateway_key), &g->o.gateway_key, o->gateway_key);
	copy(g->keys_dir, sizeof(g->keys_dir), &g->o.keys_dir, o->keys_dir);
	pthread_mutex_init(&g->self.lock, NULL);
	pthread_mutex_init(&g->pool_lock, NULL);
	pthread_mutex_init(&g->cat_lock, NULL);
	struct iki_client_options co = gw_options(g);
	int rc = iki_client_open(&co, &g->self.c);
	if (rc < 0) {
		gw_free(&g);
		return rc;
	}
	*out = g;
	return 0;
}

void gw_free(struct gw **gp)
{
	struct gw *g = gp ? *gp : NULL;
	if (!g)
		return;
	for (size_t i = 0; i < g->n_pool; i++) {
		iki_client_close(&g->pool[i]->c);
		pthread_mutex_destroy(&g->pool[i]->lock);
		free(g->pool[i]);
	}
	free(g->pool);
	iki_client_close(&g->self.c);
	proto_msg_clear(&g->cat);
	free(g->cat_json);
	pthread_mutex_destroy(&g->self.lock);
	pthread_mutex_destroy(&g->pool_lock);
	pthread_mutex_destroy(&g->cat_lock);
	free(g);
	*gp = NULL;
}

struct iki_client_options gw_options(const struct gw *g)
{
	struct iki_client_options co = {
		.request = g->o.request,
		.update = g->o.update,
		.timeout_ms = g->o.timeout_ms,
		.key_file = g->o.server_key ? g->o.gateway_key : NULL,
		.server_key = g->o.server_key,
	};
	return co;
}

int gw_transport_error(int rc)
{
	return rc == IKI_ETIMEOUT || (rc < 0 && rc > -IKI_EBASE);
}

/* The user's pooled connection (made empty when new), or NULL when the pool is full. */
static struct conn *pool_get(struct gw *g, const char *user)
{
	struct conn *c = NULL;
	pthread_mutex_lock(&g->pool_lock);
	for (size_t i = 0; i < g->n_pool && !c; i++)
		if (!strcmp(g->pool[i]->user, user))
			c = g->pool[i];
	if (!c && g->n_pool < GW_USERS_MAX) {
		if (grow((void **)&g->pool, &g->cap_pool, g->n_pool + 1, sizeof(*g->pool)) == 0 &&
		    (c = calloc(1, sizeof(*c)))) {
			snprintf(c->user, sizeof(c->user), "%s", user);
			pthread_mutex_init(&c->lock, NULL);
			g->pool[g->n_pool++] = c;
		}
	}
	pthread_mutex_unlock(&g->pool_lock);
	return c;
}

/* (Re)open c with its user's key file when the key there is not the one c was opened with. */
static int conn_ready(struct gw *g, struct conn *c)
{
	char path[4200];
	struct curve_keys k;
	snprintf(path, sizeof(path), "%s/%s.key", g->o.keys_dir, c->user);
	int rc = curve_read(path, &k);
	if (rc < 0)
		return rc;
	bool same = c->c && !strcmp(k.public_key, c->public_key);
	snprintf(c->public_key, sizeof(c->public_key), "%s", k.public_key);
	curve_wipe(&k);
	if (same)
		return 0;
	iki_client_close(&c->c);
	struct iki_client_options co = gw_options(g);
	co.key_file = g->o.server_key ? path : NULL;
	return iki_client_open(&co, &c->c);
}

int gw_call(struct gw *g, const char *user, int (*fn)(struct iki_client *, void *), void *arg)
{
	struct conn *c = user ? pool_get(g, user) : &g->self;
	if (!c)
		return -EMFILE;
	pthread_mutex_lock(&c->lock);
	int rc = user ? conn_ready(g, c) : 0;
	if (rc == 0)
		rc = fn(c->c, arg);
	pthread_mutex_unlock(&c->lock);
	return rc;
}

struct describe_arg {
	struct proto_msg *m;
	char *msg;
};

static int do_describe(struct iki_client *c, void *arg)
{
	struct describe_arg *a = arg;
	return iki_describe(c, a->m, a->msg);
}

/* Refresh the cached catalog when older than its TTL; under cat_lock. */
static int catalog_fresh(struct gw *g, char *msg)
{
	time_t now = time(NULL);
	if (g->cat_json && now - g->cat_at < GW_CATALOG_TTL_S)
		return 0;
	struct proto_msg m = {0};
	struct describe_arg a = {&m, msg};
	int rc = gw_call(g, NULL, do_describe, &a);
	if (rc < 0)
		return g->cat_json ? 0 : rc; /* an old catalog is better than none */
	json_object *o = jsonout_catalog(&m);
	char *json = jsonout_take(&o);
	if (!json) {
		proto_msg_clear(&m);
		return -ENOMEM;
	}
	free(g->cat_json);
	proto_msg_clear(&g->cat);
	g->cat_json = json;
	g->cat = m;
	g->cat_at = now;
	return 0;
}

int gw_catalog_json(struct gw *g, char **json, char *msg)
{
	pthread_mutex_lock(&g->cat_lock);
	int rc = catalog_fresh(g, msg);
	*json = rc == 0 ? strdup(g->cat_json) : NULL;
	if (rc == 0 && !*json)
		rc = -ENOMEM;
	pthread_mutex_unlock(&g->cat_lock);
	return rc;
}

int gw_allowed(struct gw *g, const char *role, const char *scope, json_object *orgunits,
	       json_object *elements)
{
	char msg[PROTO_TEXT_MAX + 1];
	pthread_mutex_lock(&g->cat_lock);
	int rc = catalog_fresh(g, msg);
	bool all = !strcmp(role, "admin") || !strcmp(role, "section");
	for (size_t i = 0; rc == 0 && i < g->cat.n_orgunits; i++) {
		const char *code = g->cat.orgunits[i].code;
		if (all || (!strcmp(role, "clerk") && !strcmp(code, scope)))
			json_object_array_add(orgunits, json_object_new_string(code));
	}
	bool clerk = !strcmp(role, "clerk"), section = !strcmp(role, "section");
	for (size_t i = 0; rc == 0 && i < g->cat.n_elements; i++) {
		const struct proto_element *e = &g->cat.elements[i];
		if (!strcmp(role, "admin") || (clerk && jsonout_reports(e->reported_by, "desa")) ||
		    (section && jsonout_reports(e->reported_by, scope)))
			json_object_array_add(elements, json_object_new_string(e->code));
	}
	pthread_mutex_unlock(&g->cat_lock);
	return rc;
}
