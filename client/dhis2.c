/* dhis2.c: dataValueSets in JSON and CSV, the mapping file, periods and event ids (dhis2.h). */
#include "dhis2.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvlocale.h"
#include "grow.h"
#include "i18n.h"
#include "input.h"
#include "period.h"

/* ---- the mapping file ---- */

static const struct {
	const char *word;
	enum dhis2_kind kind;
} KINDS[] = {{"element", DHIS2_ELEMENT},     {"elemen", DHIS2_ELEMENT},
	     {"indicator", DHIS2_INDICATOR}, {"indikator", DHIS2_INDICATOR},
	     {"orgunit", DHIS2_ORGUNIT},     {"wilayah", DHIS2_ORGUNIT}};

/* Split a line into at most 5 blank-separated words (the line is changed); their count. */
static int words(char *s, char *w[5])
{
	int n = 0;
	char *hash = strchr(s, '#');
	if (hash)
		*hash = '\0';
	for (char *tok = strtok(s, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n"))
		if (n < 5)
			w[n++] = tok;
		else
			return 6;
	return n;
}

/* The message for a line that is not "KIND CODE UID [COC]"; NULL when it is. */
static const char *map_line(struct dhis2_map *m, char **w, int nw, int line)
{
	struct dhis2_entry e = {.line = line};
	size_t k = 0;
	while (k < sizeof(KINDS) / sizeof(KINDS[0]) && strcmp(w[0], KINDS[k].word))
		k++;
	if (k == sizeof(KINDS) / sizeof(KINDS[0]))
		return _("the first word must be element, indicator, orgunit or dataset");
	e.kind = KINDS[k].kind;
	if (nw < 3 || nw > 4 || (e.kind == DHIS2_ORGUNIT && nw != 3))
		return _("write KIND IKI-CODE DHIS2-ID, and for an element or indicator maybe its "
			 "categoryOptionCombo");
	if (strlen(w[1]) >= sizeof(e.iki) || strlen(w[2]) >= sizeof(e.uid) ||
	    (nw == 4 && strlen(w[3]) >= sizeof(e.coc)))
		return _("a code or an id is too long");
	snprintf(e.iki, sizeof(e.iki), "%s", w[1]);
	snprintf(e.uid, sizeof(e.uid), "%s", w[2]);
	snprintf(e.coc, sizeof(e.coc), "%s", nw == 4 ? w[3] : "");
	for (size_t i = 0; i < m->n; i++) {
		const struct dhis2_entry *o = &m->e[i];
		if (o->kind == e.kind && !strcmp(o->iki, e.iki))
			return _("this iki code is mapped already");
		if (o->kind != DHIS2_ORGUNIT && e.kind != DHIS2_ORGUNIT && !strcmp(o->uid, e.uid) &&
		    !strcmp(o->coc, e.coc))
			return _("this DHIS2 data element (and categoryOptionCombo) is mapped already");
		if (o->kind == DHIS2_ORGUNIT && e.kind == DHIS2_ORGUNIT && !strcmp(o->uid, e.uid))
			return _("this DHIS2 org unit is mapped already");
	}
	if (grow((void **)&m->e, &m->cap, m->n + 1, sizeof(*m->e)) < 0)
		return strerror(ENOMEM);
	m->e[m->n++] = e;
	return NULL;
}

int dhis2_map_read(const char *path, struct dhis2_map *m, char *err, size_t n)
{
	char buf[512], *w[5];
	int line = 0;
	FILE *f = fopen(path, "r");
	memset(m, 0, sizeof(*m));
	if (!f) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		const char *msg = NULL;
		line++;
		int nw = words(buf, w);
		if (nw == 0)
			continue;
		if (!strcmp(w[0], "dataset") && nw == 2 && strlen(w[1]) < sizeof(m->dataset))
			snprintf(m->dataset, sizeof(m->dataset), "%s", w[1]);
		else if (!strcmp(w[0], "dataset"))
			msg = _("write dataset DHIS2-ID");
		else
			msg = map_line(m, w, nw, line);
		if (msg) {
			snprintf(err, n, "%s:%d: %s", path, line, msg);
			fclose(f);
			dhis2_map_free(m);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

const struct dhis2_entry *dhis2_map_find(const struct dhis2_map *m, enum dhis2_kind k,
					 const char *uid, const char *coc)
{
	const struct dhis2_entry *any = NULL, *first = NULL;
	for (size_t i = 0; i < m->n; i++) {
		const struct dhis2_entry *e = &m->e[i];
		if (e->kind != k || strcmp(e->uid, uid) != 0)
			continue;
		if (k == DHIS2_ORGUNIT || !strcmp(e->coc, coc))
			return e;
		if (!e->coc[0] && !any)
			any = e;
		if (!first)
			first = e;
	}
	return any ? any : !coc[0] ? first : NULL;
}

const struct dhis2_entry *dhis2_map_code(const struct dhis2_map *m, enum dhis2_kind k,
					 const char *code)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].kind == k && !strcmp(m->e[i].iki, code))
			return &m->e[i];
	return NULL;
}

void dhis2_map_free(struct dhis2_map *m)
{
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* ---- the set ---- */

int dhis2_set_add(struct dhis2_set *s, const struct dhis2_value *v)
{
	if (grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v)) < 0)
		return -ENOMEM;
	s->v[s->n++] = *v;
	return 0;
}

void dhis2_set_free(struct dhis2_set *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* ---- JSON ---- */

/* Copy a JSON string or number of o's key into dst (size n); absent: keep dst. false: too
 * long, or another type. */
static bool json_text(json_object *o, const char *key, char *dst, size_t n)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return true;
	if (!json_object_is_type(v, json_type_string) && !json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return false;
	const char *s = json_object_get_string(v);
	if (strlen(s) >= n)
		return false;
	snprintf(dst, n, "%s", s);
	return true;
}

/* The fields of one JSON data value, over the defaults in v; the key that is wrong, or NULL. */
static const char *json_value(json_object *o, struct dhis2_value *v)
{
	json_object *del;
	if (!json_object_is_type(o, json_type_object))
		return "dataValues";
	if (!json_text(o, "dataElement", v->de, sizeof(v->de)))
		return "dataElement";
	if (!json_text(o, "period", v->pe, sizeof(v->pe)))
		return "period";
	if (!json_text(o, "orgUnit", v->ou, sizeof(v->ou)))
		return "orgUnit";
	if (!json_text(o, "categoryOptionCombo", v->coc, sizeof(v->coc)))
		return "categoryOptionCombo";
	if (!json_text(o, "value", v->value, sizeof(v->value)))
		return "value";
	if (!json_text(o, "comment", v->comment, sizeof(v->comment)))
		return "comment";
	if (json_object_object_get_ex(o, "deleted", &del))
		v->deleted = json_object_get_boolean(del);
	return NULL;
}

static int parse_json(const char *name, const char *text, size_t len, struct dhis2_set *s,
		      char *err, size_t n)
{
	json_tokener *tok = json_tokener_new();
	json_object *doc = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL, *vals;
	bool whole = tok && json_tokener_get_error(tok) == json_tokener_success;
	json_tokener_free(tok);
	struct dhis2_value def = {0};
	const char *bad = NULL;
	if (!whole || !json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "dataValues", &vals) ||
	    !json_object_is_type(vals, json_type_array)) {
		snprintf(err, n, _("%s: not a dataValueSets document (a JSON object with "
				   "dataValues)"), name);
		json_object_put(doc);
		return -1;
	}
	if (!json_text(doc, "dataSet", s->dataset, sizeof(s->dataset)) ||
	    !json_text(doc, "period", def.pe, sizeof(def.pe)) ||
	    !json_text(doc, "orgUnit", def.ou, sizeof(def.ou))) {
		snprintf(err, n, _("%s: dataSet, period or orgUnit is not text or is too long"), name);
		json_object_put(doc);
		return -1;
	}
	for (size_t i = 0; !bad && i < json_object_array_length(vals); i++) {
		struct dhis2_value v = def;
		v.line = (int)i + 1;
		bad = json_value(json_object_array_get_idx(vals, i), &v);
		if (!bad && dhis2_set_add(s, &v) < 0)
			bad = strerror(ENOMEM);
		if (bad)
			snprintf(err, n, _("%s: data value %zu: '%s' is not text or is too long"), name,
				 i + 1, bad);
	}
	json_object_put(doc);
	return bad ? -1 : 0;
}

/* ---- CSV ---- */

#define CSV_COLS 11
#define CSV_FIELD 512

/* DHIS2's CSV columns in their order, each with the names a header may give it. */
static const char *const CSV_NAMES[CSV_COLS][3] = {
	{"dataelement", "dataElement", NULL}, {"period", NULL, NULL},
	{"orgunit", "orgUnit", NULL},	      {"catoptcombo", "categoryoptioncombo", NULL},
	{"attroptcombo", "attributeoptioncombo", NULL}, {"value", NULL, NULL},
	{"storedby", NULL, NULL},	      {"lastupdated", "lastupd", NULL},
	{"comment", NULL, NULL},	      {"followup", NULL, NULL},
	{"deleted", NULL, NULL},
};

/* Each header cell's column in CSV_NAMES (-1: not one of them); all known: the header names
 * them, else DHIS2's order is taken. */
static void csv_columns(char (*f)[CSV_FIELD], int nf, int *col)
{
	bool named = nf > 0;
	for (int i = 0; i < nf && i < CSV_COLS; i++) {
		col[i] = -1;
		for (int c = 0; c < CSV_COLS; c++)
			for (int k = 0; k < 3 && CSV_NAMES[c][k]; k++)
				if (!strcasecmp(f[i], CSV_NAMES[c][k]))
					col[i] = c;
		named &= col[i] >= 0;
	}
	for (int i = 0; i < CSV_COLS; i++)
		if (!named || i >= nf)
			col[i] = named ? -1 : i;
}

/* One record's value; false when a field is too long for its place. */
static bool csv_value(char (*f)[CSV_FIELD], int nf, const int *col, struct dhis2_value *v)
{
	struct {
		char *dst;
		size_t n;
	} at[CSV_COLS] = {{v->de, sizeof(v->de)}, {v->pe, sizeof(v->pe)}, {v->ou, sizeof(v->ou)},
			  {v->coc, sizeof(v->coc)}, {NULL, 0}, {v->value, sizeof(v->value)},
			  {NULL, 0}, {NULL, 0}, {v->comment, sizeof(v->comment)}, {NULL, 0},
			  {NULL, 0}};
	for (int i = 0; i < nf && i < CSV_COLS; i++) {
		int c = col[i];
		if (c == 10)
			v->deleted = !strcasecmp(f[i], "true");
		if (c < 0 || !at[c].dst)
			continue;
		if (strlen(f[i]) >= at[c].n)
			return false;
		snprintf(at[c].dst, at[c].n, "%s", f[i]);
	}
	return true;
}

static int parse_csv(const char *name, const char *text, size_t len, struct dhis2_set *s,
		     char *err, size_t n)
{
	char (*f)[CSV_FIELD] = malloc(CSV_COLS * sizeof(*f));
	const char *p = text, *end = text + len;
	int col[CSV_COLS], line = 1, nf;
	if (len >= 3 && !memcmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	nf = f ? csvlocale_record(&p, end, ',', f[0], CSV_FIELD, CSV_COLS, &line) : -1;
	if (nf > 0)
		csv_columns(f, nf, col);
	while (nf > 0) {
		int at = line;
		struct dhis2_value v = {.line = at};
		nf = csvlocale_record(&p, end, ',', f[0], CSV_FIELD, CSV_COLS, &line);
		if (nf == 0 || (nf == 1 && !f[0][0]))
			continue;
		if (nf < 0 || !csv_value(f, nf, col, &v) || dhis2_set_add(s, &v) < 0) {
			snprintf(err, n, _("%s:%d: a broken quote, or a field too long"), name, at);
			free(f);
			return -1;
		}
	}
	free(f);
	if (nf < 0) {
		snprintf(err, n, _("%s:1: a broken quote, or a field too long"), name);
		return -1;
	}
	return 0;
}

int dhis2_parse(const char *name, const char *text, size_t len, bool json, struct dhis2_set *s,
		char *err, size_t n)
{
	memset(s, 0, sizeof(*s));
	int rc = json ? parse_json(name, text, len, s, err, n) : parse_csv(name, text, len, s, err, n);
	if (rc < 0)
		dhis2_set_free(s);
	return rc;
}

int dhis2_read(const char *path, struct dhis2_set *s, char *err, size_t n)
{
	size_t len = 0;
	memset(s, 0, sizeof(*s));
	char *text = input_slurp(path, &len);
	if (!text) {
		snprintf(err, n, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t k = 0;
	while (k < len && isspace((unsigned char)text[k]))
		k++;
	int rc = dhis2_parse(path, text, len, k < len && text[k] == '{', s, err, n);
	free(text);
	return rc;
}

/* ---- writing ---- */

void dhis2_write_json(FILE *f, const struct dhis2_set *s)
{
	json_object *doc = json_object_new_object(), *vals = json_object_new_array();
	if (s->dataset[0])
		json_object_object_add(doc, "dataSet", json_object_new_string(s->dataset));
	for (size_t i = 0; i < s->n; i++) {
		const struct dhis2_value *v = &s->v[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "dataElement", json_object_new_string(v->de));
		json_object_object_add(o, "period", json_object_new_string(v->pe));
		json_object_object_add(o, "orgUnit", json_object_new_string(v->ou));
		if (v->coc[0])
			json_object_object_add(o, "categoryOptionCombo",
					       json_object_new_string(v->coc));
		json_object_object_add(o, "value", json_object_new_string(v->value));
		if (v->comment[0])
			json_object_object_add(o, "comment", json_object_new_string(v->comment));
		json_object_array_add(vals, o);
	}
	json_object_object_add(doc, "dataValues", vals);
	fprintf(f, "%s\n", json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(doc);
}

void dhis2_write_csv(FILE *f, const struct dhis2_set *s)
{
	for (int c = 0; c < CSV_COLS; c++)
		csvlocale_put(f, CSV_NAMES[c][0], ',', c == 0, true);
	fputs("\r\n", f);
	for (size_t i = 0; i < s->n; i++) {
		const struct dhis2_value *v = &s->v[i];
		const char *cells[CSV_COLS] = {v->de, v->pe, v->ou, v->coc, "", v->value, "", "",
					       v->comment, "", ""};
		for (int c = 0; c < CSV_COLS; c++)
			csvlocale_put(f, cells[c], ',', c == 0, c != 8);
		fputs("\r\n", f);
	}
}

/* ---- periods and ids ---- */

int dhis2_period_date(const char *pe, char date[11])
{
	struct period p;
	int32_t first, last;
	if (strlen(pe) == 8) { /* a day: 20220314 */
		snprintf(date, 11, "%.4s-%.2s-%.2s", pe, pe + 4, pe + 6);
		return period_date_parse(date, &first) == 0 && isdigit((unsigned char)pe[7]) ? 0 : -1;
	}
	if (period_parse(pe, &p) != 0)
		return -1;
	period_bounds(p, &first, &last);
	period_date_format(last, date);
	return 0;
}

/* FNV-1a over the four fields, each followed by a unit separator, from a given basis. */
static uint64_t fnv(uint64_t h, const char *const f[4])
{
	for (int i = 0; i < 4; i++) {
		for (const unsigned char *p = (const unsigned char *)f[i]; *p; p++)
			h = (h ^ *p) * 0x100000001b3ULL;
		h = (h ^ 0x1f) * 0x100000001b3ULL;
	}
	return h;
}

void dhis2_event_id(const char *de, const char *pe, const char *ou, const char *coc,
		    char id[PROTO_ID_MAX + 1])
{
	const char *const f[4] = {de, pe, ou, coc};
	snprintf(id, PROTO_ID_MAX + 1, "d2-%016" PRIx64 "%016" PRIx64,
		 fnv(0xcbf29ce484222325ULL, f), fnv(0x84222325cbf29ce4ULL, f));
}

void dhis2_revision_id(const char *base, int rev, char id[PROTO_ID_MAX + 1])
{
	char copy[41];
	snprintf(copy, sizeof(copy), "%s", base); /* base may be id */
	snprintf(id, PROTO_ID_MAX + 1, "%s~%d", copy, rev);
}

int dhis2_revision(const char *base, const char *id)
{
	size_t n = strlen(base);
	if (strncmp(base, id, n) != 0)
		return 0;
	if (!id[n])
		return 1;
	char *end;
	long r = id[n] == '~' ? strtol(id + n + 1, &end, 10) : 0;
	return r >= 2 && r < 1000000 && !*end && isdigit((unsigned char)id[n + 1]) ? (int)r : 0;
}
