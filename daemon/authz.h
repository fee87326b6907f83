/* authz.h: what a key may do, decided in one place: one table of roles x actions, and the
 * scope of an event (org unit and element) for the roles whose grant is scoped. */
#ifndef IKI_AUTHZ_H
#define IKI_AUTHZ_H

#include <stdbool.h>

#include "auth.h"
#include "catalog.h"
#include "proto.h"
#include "store.h"

/*
 * What a request asks to do. Subscribing is AUTHZ_READ too (every listed key may; the ZAP
 * handler, auth.c, admits only listed keys). Periods are no role's business: a locked period
 * refuses everyone's events, the admin's too.
 */
enum authz_action {
	AUTHZ_READ,    /* query, snapshot, describe, whoami, subscribe, list locks, targets, notes */
	AUTHZ_HISTORY, /* an event's history, a value's history */
	AUTHZ_SUBMIT,  /* submit events (corrections included) */
	AUTHZ_LOCK,    /* lock or unlock a period */
	AUTHZ_TARGET,  /* set a target, write a note (the office's accountability) */
	AUTHZ_ACTIONS
};

/*
 * How much of an action a role gets: none (the request is forbidden), all of it, or the events
 * of its scope: a clerk's are the elements reported by "desa" at its village, a section's the
 * elements whose reported_by names it, at any org unit. Out of scope, a submitted event is
 * out_of_scope, and a stored one (a correction's target, an id, a history's event) is as if it
 * did not exist.
 */
enum authz_grant { AUTHZ_DENY, AUTHZ_SCOPE, AUTHZ_ALL };

/* The grant of role r for action a (the table; AUTHZ_DENY for AUTH_NONE and out of range). */
enum authz_grant authz_grant(enum auth_role r, enum authz_action a);

/* The action a request is (a lock or target message without a change only reads). */
enum authz_action authz_action_of(const struct proto_msg *m);

/* The wire-independent name of an action ("submit"), for logs and tests. */
const char *authz_action_name(enum authz_action a);

/* Whether client c may make request m at all: 0, or IKI_EFORBIDDEN. */
int authz_request(const struct auth_client *c, const struct proto_msg *m);

/*
 * Whether action a of client c reaches an event at org unit ou of element el or case type ct
 * (catalog indices, -1 when unknown or absent): true for a grant of all, false for none; in
 * scope as above for a scoped grant. An unknown org unit or element (or none: a void's own
 * fields) is in scope: the store refuses it with its own code, or judges what it corrects.
 */
bool authz_reaches(const struct auth_client *c, const struct catalog *cat, enum authz_action a,
		   int ou, int el, int ct);

/*
 * Why action a of client c does not reach an event at org unit ou of element el or case type
 * ct (authz_reaches is false for them): a sentence in Bahasa Indonesia into buf (size n, cut on
 * a character boundary) that says which is outside the key's scope, the village (a clerk's
 * other village), the element (one the clerk's villages or the section do not report), or
 * both, naming it and what the key may send instead. Returns IKI_ESCOPE, the refusal's code.
 */
int authz_refusal(const struct auth_client *c, const struct catalog *cat, int ou, int el, int ct,
		  char *buf, size_t n);

/*
 * What the store asks of a key (store_viewer): whether action a of client c reaches a stored
 * event's cell. authz_view_init fills *w (which must outlive its use: it borrows c and cat) and
 * w->viewer, the store's side of it.
 */
struct authz_view {
	const struct auth_client *client;
	const struct catalog *cat;
	enum authz_action action;
	struct store_viewer viewer;
};
void authz_view_init(struct authz_view *w, const struct auth_client *c, const struct catalog *cat,
		     enum authz_action a);

/*
 * Who ikid takes client c for, for a "whoami" answer: its name, role and scope, and the data
 * elements and case types it may submit (catalog order: elements, then case types; none for a
 * viewer). id->elements is malloc'd (proto_msg_clear frees it). 0 or -ENOMEM.
 */
int authz_whoami(const struct auth_client *c, const struct catalog *cat,
		 struct proto_identity *id);

#endif
