/* gateway.h: ikiweb's side of ikid: the gateway's own connection (reads, the catalog cache) and
 * one connection per user with the user's own CURVE key (submits), each used by one thread at
 * a time. */
#ifndef IKI_WEB_GATEWAY_H
#define IKI_WEB_GATEWAY_H

#include <json-c/json.h>

#include "iki_client.h"

struct gw;

struct gw_options {
	const char *request;     /* ikid's request endpoint */
	const char *update;      /* its update endpoint */
	const char *server_key;  /* ikid's public key (file or Z85); NULL: plain text */
	const char *gateway_key; /* the gateway's key pair file */
	const char *keys_dir;    /* the users' key pairs, NAME.key */
	int timeout_ms;          /* each reply's wait */
};

/* Returns 0 and an owned *out, or -errno / libiki's codes when the gateway's key is unusable. */
int gw_new(const struct gw_options *o, struct gw **out);
void gw_free(struct gw **g);

/* The options a connection as the gateway uses (for the live stream's own connection). */
struct iki_client_options gw_options(const struct gw *g);

/*
 * Call fn with a connection: the gateway's (user NULL) or user's own (opened with
 * keys_dir/USER.key on first use, reopened when that file's key changed); fn's return is
 * returned. -ENOENT when the user has no key file.
 */
int gw_call(struct gw *g, const char *user, int (*fn)(struct iki_client *, void *), void *arg);

/*
 * The catalog as JSON text (GET /api/describe), asked of ikid at most once a minute: 0 and a
 * malloc'd *json, or the failure of describe with msg (size PROTO_TEXT_MAX + 1) filled.
 */
int gw_catalog_json(struct gw *g, char **json, char *msg);

/*
 * The org units and elements a role and scope may submit for (GET /api/me), appended to the
 * arrays. Returns 0 or the failure of describe.
 */
int gw_allowed(struct gw *g, const char *role, const char *scope, json_object *orgunits,
	       json_object *elements);

/* Whether an error is the connection's (ikid away) rather than ikid's refusal. */
int gw_transport_error(int rc);

#endif
