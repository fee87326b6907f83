/* auth.h: who may connect: the authorised clients file, and CURVE keys checked against it by a
 * ZAP handler (what each key may do: authz.h). */
#ifndef IKI_AUTH_H
#define IKI_AUTH_H

#include <stdbool.h>

#include "catalog.h"
#include "curve.h"
#include "proto.h"

#define AUTH_NAME_MAX 63

/*
 * Roles, from the authorised clients file (ikid(8)): a clerk submits for one village, only the
 * elements the catalog lists as reported_by "desa"; a section submits its own elements (its code
 * in reported_by) for any org unit; a viewer only reads; an admin does everything. What each
 * may do is authz.c's table.
 */
enum auth_role { AUTH_NONE = 0, AUTH_ADMIN, AUTH_SECTION, AUTH_CLERK, AUTH_VIEWER };

/* One authorised client. */
struct auth_client {
	char key[CURVE_Z85_LEN + 1];   /* its public key, Z85 */
	char name[AUTH_NAME_MAX + 1];  /* who it is, in logs and in the event log */
	enum auth_role role;
	char scope[PROTO_CODE_MAX + 1]; /* clerk: village code; section: section code; else "" */
	int scope_ou;                   /* clerk: its village's catalog index; else -1 */
};

struct auth;

/*
 * Read the authorised clients file, checking scopes against the catalog (which must outlive
 * the auth). Returns 0 and an owned *out, or IKI_ECATALOG (or -errno) with *errors (malloc'd,
 * "file:line: message" lines) when errors is not NULL.
 */
int auth_load(const char *path, const struct catalog *cat, struct auth **out, char **errors);

/* Number of clients listed. */
int auth_count(const struct auth *a);

/*
 * Serve ZAP (ZeroMQ's authentication protocol) for sockets of zmq context ctx on a thread of
 * its own: a CURVE key in the file is accepted with its key as User-Id; anything else is refused
 * and logged. Call before binding CURVE sockets. Returns 0 or -errno (then nobody could be
 * authenticated, and the caller must not serve).
 */
int auth_start(struct auth *a, void *ctx);

/*
 * Read the file again; on errors (or a file listing nobody) keep the current list and return as
 * auth_load. On success returns how many keys of the old list are gone or changed (role or
 * scope): the caller ends what they have open. Thread-safe.
 */
int auth_reload(struct auth *a, char **errors);

/* Copy the client with this public key into *out; false when it is not (or no longer) listed. */
bool auth_lookup(struct auth *a, const char *key, struct auth_client *out);

/* Stop the ZAP thread (after the context is terminated) and free. Safe on NULL and twice. */
void auth_free(struct auth **a);

/* The wire name of a role ("clerk"), or "none". */
const char *auth_role_name(enum auth_role r);

#endif
