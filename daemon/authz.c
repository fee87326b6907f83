/* authz.c: the one table of roles x actions, and the scope of an event (see authz.h). */
#include "authz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "iki.h"

/* The table. A change here is a change of ikid(8) and PROTOCOL.md's "Keys and roles". */
static const enum authz_grant grants[][AUTHZ_ACTIONS] = {
	/*               read        history      submit       lock        target */
	[AUTH_ADMIN]   = {AUTHZ_ALL, AUTHZ_ALL,   AUTHZ_ALL,   AUTHZ_ALL,  AUTHZ_ALL},
	[AUTH_SECTION] = {AUTHZ_ALL, AUTHZ_SCOPE, AUTHZ_SCOPE, AUTHZ_DENY, AUTHZ_DENY},
	[AUTH_CLERK]   = {AUTHZ_ALL, AUTHZ_SCOPE, AUTHZ_SCOPE, AUTHZ_DENY, AUTHZ_DENY},
	[AUTH_VIEWER]  = {AUTHZ_ALL, AUTHZ_ALL,   AUTHZ_DENY,  AUTHZ_DENY, AUTHZ_DENY},
};

static const char *const action_names[AUTHZ_ACTIONS] = {
	[AUTHZ_READ] = "read", [AUTHZ_HISTORY] = "history", [AUTHZ_SUBMIT] = "submit",
	[AUTHZ_LOCK] = "lock", [AUTHZ_TARGET] = "target",
};

enum authz_grant authz_grant(enum auth_role r, enum authz_action a)
{
	if ((unsigned)r >= sizeof(grants) / sizeof(grants[0]) || (unsigned)a >= AUTHZ_ACTIONS)
		return AUTHZ_DENY;
	return grants[r][a]; /* AUTH_NONE's row is all zero: AUTHZ_DENY */
}

const char *authz_action_name(enum authz_action a)
{
	return (unsigned)a < AUTHZ_ACTIONS ? action_names[a] : "?";
}

enum authz_action authz_action_of(const struct proto_msg *m)
{
	switch (m->type) {
	case PROTO_SUBMIT: return AUTHZ_SUBMIT;
	case PROTO_HISTORY: return AUTHZ_HISTORY;
	case PROTO_LOCK: return m->query.period[0] ? AUTHZ_LOCK : AUTHZ_READ;
	case PROTO_TARGET: return m->has_target ? AUTHZ_TARGET : AUTHZ_READ;
	default: return AUTHZ_READ;
	}
}

int authz_request(const struct auth_client *c, const struct proto_msg *m)
{
	return authz_grant(c->role, authz_action_of(m)) == AUTHZ_DENY ? IKI_EFORBIDDEN : 0;
}

bool authz_reaches(const struct auth_client *c, const struct catalog *cat, enum authz_action a,
		   int ou, int el, int ct)
{
	enum authz_grant g = authz_grant(c->role, a);
	if (g != AUTHZ_SCOPE)
		return g == AUTHZ_ALL;
	const char *reporters = el >= 0 ? cat->elements[el].reported_by
			      : ct >= 0 ? cat->casetypes[ct].reported_by : NULL;
	if (!reporters || ou < 0)
		return true; /* unknown, or a void's own fields: see authz.h */
	if (c->role == AUTH_CLERK)
		return ou == c->scope_ou && catalog_reports(reporters, CATALOG_VILLAGE);
	return c->role == AUTH_SECTION && catalog_reports(reporters, c->scope);
}

bool authz_reaches_event(const struct auth_client *c, const struct catalog *cat,
			 enum authz_action a, const struct proto_event *ev)
{
	if (authz_grant(c->role, a) != AUTHZ_SCOPE)
		return authz_grant(c->role, a) == AUTHZ_ALL; /* no lookups for an admin */
	int el = catalog_element_find(cat, ev->element);
	int ct = el < 0 ? catalog_casetype_find(cat, ev->element) : -1;
	return authz_reaches(c, cat, a, catalog_orgunit_find(cat, ev->orgunit), el, ct);
}

int authz_whoami(const struct auth_client *c, const struct catalog *cat,
		 struct proto_identity *id)
{
	int ou = c->role == AUTH_CLERK ? c->scope_ou : 0; /* a section's reach is every org unit */
	snprintf(id->name, sizeof(id->name), "%s", c->name);
	snprintf(id->role, sizeof(id->role), "%s", auth_role_name(c->role));
	snprintf(id->scope, sizeof(id->scope), "%s", c->scope);
	id->n_elements = 0;
	id->elements = calloc((size_t)cat->n_elements + (size_t)cat->n_casetypes + 1,
			      sizeof(*id->elements));
	if (!id->elements)
		return -ENOMEM;
	for (int i = 0; i < cat->n_elements + cat->n_casetypes; i++) {
		bool el = i < cat->n_elements;
		int k = el ? i : i - cat->n_elements;
		if (!authz_reaches(c, cat, AUTHZ_SUBMIT, ou, el ? k : -1, el ? -1 : k))
			continue;
		snprintf(id->elements[id->n_elements++].code, sizeof(id->elements[0].code), "%s",
			 el ? cat->elements[k].code : cat->casetypes[k].code);
	}
	return 0;
}
