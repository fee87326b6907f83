/* authz.c: the one table of roles x actions, and the scope of an event (see authz.h). */
#include "authz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	case PROTO_NOTE: return m->has_note ? AUTHZ_TARGET : AUTHZ_READ;
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

/* ---- a refusal in words ---- */

#define NAME_SHOWN 60 /* bytes of an element's or a village's name a refusal quotes */

/* s cut to at most max bytes on a character boundary, with "..." when cut, into buf. */
static const char *shorten(const char *s, size_t max, char *buf, size_t n)
{
	if (strlen(s) <= max || max + 4 > n)
		return s;
	memcpy(buf, s, max);
	buf[max] = '\0';
	iki_utf8_trim(buf);
	strcat(buf, "...");
	return buf;
}

/* An org unit for people: "Desa Panggung (35.27.03.2010)", "Kelurahan Polagan (...)". */
static void place_words(const struct catalog *cat, int ou, char *buf, size_t n)
{
	static const char *const kinds[][2] = {
		{"desa", "Desa"},           {"kelurahan", "Kelurahan"}, {"desa_adat", "Desa Adat"},
		{"kecamatan", "Kecamatan"}, {"kabupaten", "Kabupaten"}, {"kota", "Kota"},
		{"provinsi", "Provinsi"},
	};
	const struct catalog_orgunit *o = &cat->orgunits[ou];
	const char *kind = "Wilayah";
	char name[NAME_SHOWN + 4];
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(o->kind, kinds[i][0]))
			kind = kinds[i][1];
	snprintf(buf, n, "%s %s (%s)", kind, shorten(o->name, NAME_SHOWN, name, sizeof(name)),
		 o->code);
}

/* An element or case type for people: "elemen data surat_masuk (Surat masuk)". */
static void thing_words(const struct catalog *cat, int el, int ct, bool capital, char *buf,
			size_t n)
{
	char name[NAME_SHOWN + 4];
	const char *code = el >= 0 ? cat->elements[el].code : cat->casetypes[ct].code;
	const char *full = el >= 0 ? cat->elements[el].name : cat->casetypes[ct].name;
	snprintf(buf, n, "%s %s (%s)",
		 el >= 0 ? (capital ? "Elemen data" : "elemen data")
			 : (capital ? "Jenis kasus" : "jenis kasus"),
		 code, shorten(full, NAME_SHOWN, name, sizeof(name)));
}

/* Who a reported_by list names, for people: "desa/kelurahan dan bagian pemerintahan". */
static void reporters_words(const char *reporters, char *buf, size_t n)
{
	char words[8][PROTO_CODE_MAX + 24];
	int k = 0;
	for (const char *p = reporters; *p && k < 8;) {
		p += strspn(p, " ");
		int w = (int)strcspn(p, " ");
		if (w == 4 && !strncmp(p, CATALOG_VILLAGE, 4))
			snprintf(words[k++], sizeof(words[0]), "desa/kelurahan");
		else if (w > 0)
			snprintf(words[k++], sizeof(words[0]), "bagian %.*s", w, p);
		p += w;
	}
	if (k == 0) {
		snprintf(buf, n, "admin saja (tidak ada bagian yang melaporkannya)");
		return;
	}
	size_t len = 0;
	for (int i = 0; i < k && len < n; i++) {
		const char *sep = i == 0 ? "" : i == k - 1 ? " dan " : ", ";
		len += (size_t)snprintf(buf + len, n - len, "%s%s", sep, words[i]);
	}
}

int authz_refusal(const struct auth_client *c, const struct catalog *cat, int ou, int el, int ct,
		  char *buf, size_t n)
{
	bool clerk = c->role == AUTH_CLERK, thing = el >= 0 || ct >= 0;
	const char *rep = el >= 0 ? cat->elements[el].reported_by
		      : ct >= 0 ? cat->casetypes[ct].reported_by : "";
	bool place_out = clerk && ou >= 0 && ou != c->scope_ou;
	bool thing_out = thing && !catalog_reports(rep, clerk ? CATALOG_VILLAGE : c->scope);
	char place[PROTO_TEXT_MAX], own[PROTO_TEXT_MAX], what[PROTO_TEXT_MAX], who[PROTO_TEXT_MAX];
	if ((!clerk && c->role != AUTH_SECTION) || (clerk && c->scope_ou < 0) ||
	    (!place_out && !thing_out)) {
		snprintf(buf, n, "%s", iki_strerror(IKI_ESCOPE));
		return IKI_ESCOPE;
	}
	if (clerk)
		place_words(cat, c->scope_ou, own, sizeof(own));
	if (place_out)
		place_words(cat, ou, place, sizeof(place));
	if (thing_out) {
		thing_words(cat, el, ct, !place_out, what, sizeof(what));
		reporters_words(rep, who, sizeof(who));
	}
	if (place_out && !thing_out)
		snprintf(buf, n, "%s di luar wewenang kunci Anda: kunci ini hanya boleh mengirim data "
			 "%s.", place, own);
	else if (place_out)
		snprintf(buf, n, "%s dan %s di luar wewenang kunci Anda: elemen itu dilaporkan oleh "
			 "%s, dan kunci ini hanya boleh mengirim elemen data desa/kelurahan untuk %s; "
			 "daftarnya: iki whoami.", place, what, who, own);
	else if (clerk)
		snprintf(buf, n, "%s di luar wewenang kunci Anda: dilaporkan oleh %s, bukan oleh "
			 "petugas desa/kelurahan. Kunci ini hanya boleh mengirim elemen data "
			 "desa/kelurahan untuk %s; daftarnya: iki whoami.", what, who, own);
	else
		snprintf(buf, n, "%s di luar wewenang kunci Anda: dilaporkan oleh %s, bukan oleh "
			 "bagian %s. Kunci ini hanya boleh mengirim elemen data bagian %s, untuk "
			 "desa/kelurahan mana pun; daftarnya: iki whoami.", what, who, c->scope,
			 c->scope);
	iki_utf8_trim(buf);
	return IKI_ESCOPE;
}

static bool view_reaches(const void *arg, const struct store_where *at)
{
	const struct authz_view *w = arg;
	return authz_reaches(w->client, w->cat, w->action, at->ou, at->el, at->ct);
}

void authz_view_init(struct authz_view *w, const struct auth_client *c, const struct catalog *cat,
		     enum authz_action a)
{
	*w = (struct authz_view){c, cat, a, {NULL, NULL, false, 0}};
	if (authz_grant(c->role, a) == AUTHZ_ALL)
		return; /* a NULL reaches reaches everything: the store asks nothing (no void's target
			 * is read to learn its cell) */
	w->viewer.reaches = view_reaches;
	w->viewer.arg = w;
	/* a clerk's scope is its village alone (authz_reaches): an event elsewhere is not in sight,
	 * even one of an element the catalog no longer has */
	if (c->role == AUTH_CLERK && c->scope_ou >= 0 && authz_grant(c->role, a) == AUTHZ_SCOPE) {
		w->viewer.one_ou = true;
		w->viewer.ou = c->scope_ou;
	}
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
