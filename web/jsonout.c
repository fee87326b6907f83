/* jsonout.c: ikiweb's JSON (see jsonout.h). */
#include "jsonout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iki.h"
#include "input.h"

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_int(json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

json_object *jsonout_value(const struct proto_value *v, const char *name, const char *jabatan)
{
	json_object *o = json_object_new_object();
	double r;
	add_str(o, "indicator", v->indicator);
	add_str(o, "name", v->name[0] || !name ? v->name : name);
	add_str(o, "jabatan", v->jabatan[0] || !jabatan ? v->jabatan : jabatan);
	add_str(o, "orgunit", v->orgunit);
	add_str(o, "period", v->period);
	add_int(o, "num", v->num);
	add_int(o, "den", v->den);
	add_int(o, "factor", v->factor);
	json_object_object_add(o, "value",
			       proto_value_ratio(v, &r) ? json_object_new_double(r) : NULL);
	json_object_object_add(o, "target", v->has_target
				   ? json_object_new_double((double)v->target / 100) : NULL);
	json_object_object_add(o, "target_original",
			       v->has_target ? json_object_new_double(
						       (double)(v->revised ? v->target_original
									   : v->target) / 100)
					     : NULL);
	json_object_object_add(o, "revised", json_object_new_boolean(v->has_target && v->revised));
	json_object_object_add(o, "capaian",
			       v->has_capaian ? json_object_new_double(v->capaian) : NULL);
	json_object_object_add(o, "predikat",
			       v->has_capaian ? json_object_new_string(v->predikat) : NULL);
	json_object_object_add(o, "check", /* the validation rule it breaks: perlu diperiksa */
			       v->check[0] ? json_object_new_string(v->check) : NULL);
	return o;
}

static json_object *indicator_json(const struct proto_indicator *i)
{
	json_object *o = json_object_new_object();
	add_str(o, "indicator", i->indicator);
	add_str(o, "rows", i->rows);
	add_str(o, "name", i->name);
	add_str(o, "jabatan", i->jabatan);
	add_str(o, "sasaran", i->sasaran);
	add_str(o, "kind", i->kind);
	add_str(o, "numerator", i->numerator);
	add_str(o, "denominator", i->denominator);
	add_int(o, "factor", i->factor);
	json_object_object_add(o, "down", json_object_new_boolean(i->down));
	add_str(o, "source", i->source);
	return o;
}

static json_object *words(const char *s)
{
	json_object *a = json_object_new_array();
	char buf[PROTO_REPORTERS_MAX + 1], *save = NULL;
	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		json_object_array_add(a, json_object_new_string(t));
	return a;
}

static json_object *element_json(const struct proto_element *e)
{
	json_object *o = json_object_new_object(), *ops = json_object_new_array();
	add_str(o, "code", e->code);
	add_str(o, "name", e->name);
	add_str(o, "kind", e->is_case ? "case" : "element");
	add_str(o, "unit", e->unit);
	add_str(o, "aggregate", e->aggregate);
	for (int i = 0; i < e->n_ops && i < 2; i++)
		json_object_array_add(ops, json_object_new_string(proto_op_name(e->ops[i])));
	json_object_object_add(o, "ops", ops);
	add_int(o, "min", e->min);
	add_int(o, "max", e->max);
	json_object_object_add(o, "limit_days",
			       e->limit_days >= 0 ? json_object_new_int(e->limit_days) : NULL);
	json_object_object_add(o, "close_at_open", json_object_new_boolean(e->close_at_open));
	json_object_object_add(o, "reported_by", words(e->reported_by));
	add_str(o, "schedule", e->schedule);
	add_str(o, "every", e->every);
	return o;
}

bool jsonout_reports(const char *reported_by, const char *who)
{
	size_t n = strlen(who);
	for (const char *p = reported_by; (p = strstr(p, who)); p += n)
		if ((p == reported_by || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0))
			return true;
	return false;
}

json_object *jsonout_catalog(const struct proto_msg *m)
{
	json_object *els = json_object_new_array();
	for (size_t i = 0; i < m->n_elements; i++)
		json_object_array_add(els, element_json(&m->elements[i]));
	json_object *o = json_object_new_object(), *ind = json_object_new_array(),
		    *ous = json_object_new_array();
	add_str(o, "title", m->title);
	for (size_t i = 0; i < m->n_indicators; i++)
		json_object_array_add(ind, indicator_json(&m->indicators[i]));
	for (size_t i = 0; i < m->n_orgunits; i++) {
		json_object *u = json_object_new_object();
		add_str(u, "code", m->orgunits[i].code);
		add_str(u, "name", m->orgunits[i].name);
		add_str(u, "kind", m->orgunits[i].kind);
		add_str(u, "parent", m->orgunits[i].parent);
		json_object_array_add(ous, u);
	}
	json_object_object_add(o, "indicators", ind);
	json_object_object_add(o, "orgunits", ous);
	json_object_object_add(o, "elements", els);
	return o;
}

json_object *jsonout_event(const struct proto_event *e)
{
	json_object *o = json_object_new_object();
	const char *op = proto_op_name(e->op);
	add_str(o, "id", e->id);
	add_str(o, "element", e->element);
	add_str(o, "orgunit", e->orgunit);
	add_str(o, "date", e->date);
	add_str(o, "op", op ? op : "");
	add_int(o, "value", e->value);
	add_str(o, "case", e->case_id);
	add_str(o, "comment", e->comment);
	add_str(o, "ref", e->ref);
	return o;
}

json_object *jsonout_stored(const struct proto_stored *s)
{
	json_object *o = jsonout_event(&s->ev);
	json_object_object_add(o, "seq", json_object_new_uint64(s->seq));
	json_object_object_add(o, "at", json_object_new_uint64(s->at_ms));
	add_str(o, "who", s->who);
	add_str(o, "voided_by", s->voided_by);
	json_object_object_add(o, "dropped", json_object_new_boolean(s->dropped));
	return o;
}

json_object *jsonout_result(const char *id, const struct proto_result *r)
{
	static const char *const status[] = {"ok", "duplicate", "error"};
	json_object *o = json_object_new_object();
	add_str(o, "id", id);
	add_str(o, "status", r->status <= PROTO_STATUS_ERROR ? status[r->status] : "error");
	if (r->status == PROTO_STATUS_ERROR) {
		add_str(o, "code", iki_code_name(r->code));
		add_str(o, "message", r->message[0] ? r->message : iki_strerror(r->code));
	}
	return o;
}

/* One field of an event from JSON: strings as they are, numbers as text (input_set_field). */
static int parse_field(json_object *o, const char *key, struct proto_event *e, char *err, size_t n)
{
	json_object *v;
	char num[32];
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return 0;
	if (!strcmp(key, "value")) {
		if (!json_object_is_type(v, json_type_int)) {
			snprintf(err, n, "value must be a whole number");
			return -1;
		}
		snprintf(num, sizeof(num), "%lld", (long long)json_object_get_int64(v));
		return input_set_field(e, key, num, err, n);
	}
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, n, "%s must be a string", key);
		return -1;
	}
	return input_set_field(e, key, json_object_get_string(v), err, n);
}

int jsonout_parse_event(json_object *o, struct proto_event *e, char *err, size_t n)
{
	static const char *const keys[] = {"id", "element", "orgunit", "date", "op",
					   "value", "case", "comment", "ref"};
	memset(e, 0, sizeof(*e));
	e->op = PROTO_OP_ADD;
	e->value = 1;
	e->no_value = true; /* until "value" is read: ikid refuses an add or a set without one */
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, n, "events"); /* not an object */
		return -1;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (parse_field(o, keys[i], e, err, n) < 0) {
			snprintf(err, n, "%s", keys[i]); /* the field, for a sentence in Indonesian */
			return -1;
		}
	if (!e->id[0]) {
		snprintf(err, n, "id");
		return -1;
	}
	return 0;
}

char *jsonout_take(json_object **o)
{
	const char *s = json_object_to_json_string_ext(*o, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	char *copy = s ? strdup(s) : NULL;
	json_object_put(*o);
	*o = NULL;
	return copy;
}

char *jsonout_error(const char *code, const char *message)
{
	json_object *o = json_object_new_object(), *e = json_object_new_object();
	add_str(e, "code", code);
	add_str(e, "message", message);
	json_object_object_add(o, "error", e);
	return jsonout_take(&o);
}
