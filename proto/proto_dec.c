/* proto_dec.c: decode iki's msgpack messages; every type and length checked, nothing trusted. */
#include "proto.h"

#include <errno.h>
#include <math.h>
#include <msgpack.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "element.h"
#include "iki.h"
#include "mpack.h"
#include "proto_int.h"

/* Name of a table entry under key, as its index; -1 when missing or unknown. */
static int get_enum(const msgpack_object_map *m, const char *key, const char *const *names, size_t n)
{
	char buf[16];
	if (mpack_get_str(m, key, buf, sizeof(buf), true) < 0)
		return -1;
	return mpack_name_index(names, n, buf);
}

static void event_fail(struct proto_event *e, const char *field)
{
	if (e->err == 0) {
		e->err = IKI_EFIELD;
		snprintf(e->err_field, sizeof(e->err_field), "%s", field);
	}
}

static void decode_event(const msgpack_object_map *m, struct proto_event *e)
{
	int op = get_enum(m, "op", proto_op_names, PROTO_OP_VOID + 1);
	e->op = op > 0 ? (enum proto_op)op : PROTO_OP_NONE;
	bool full = e->op != PROTO_OP_VOID; /* a void names only what it voids */
	if (mpack_get_str(m, "id", e->id, sizeof(e->id), true) < 0)
		event_fail(e, "id");
	if (mpack_get_str(m, "element", e->element, sizeof(e->element), full) < 0)
		event_fail(e, "element");
	if (mpack_get_str(m, "orgunit", e->orgunit, sizeof(e->orgunit), full) < 0)
		event_fail(e, "orgunit");
	if (mpack_get_str(m, "date", e->date, sizeof(e->date), full) < 0)
		event_fail(e, "date");
	if (op <= 0)
		event_fail(e, "op");
	if (mpack_get_str(m, "ref", e->ref, sizeof(e->ref), !full) < 0)
		event_fail(e, "ref");
	const msgpack_object *value = mpack_get(m, "value");
	e->value = 1; /* a case's, when none is given */
	e->no_value = !value || value->type == MSGPACK_OBJECT_NIL;
	if (!e->no_value && mpack_int(value, &e->value, true) < 0)
		event_fail(e, "value");
	if (mpack_get_str(m, "case", e->case_id, sizeof(e->case_id), false) < 0)
		event_fail(e, "case");
	if (mpack_get_str(m, "comment", e->comment, sizeof(e->comment), false) < 0)
		event_fail(e, "comment");
}

/*
 * An array of maps under key, each decoded into a calloc'd array of the message: items and count
 * are the offsets of its pointer and its count in struct proto_msg. More than max maps is over
 * (IKI_ETOOBIG for a submit's events, which a client may send too many of; IKI_EFIELD for the
 * rest); any map decode refuses spoils the message.
 */
struct maps_spec {
	const char *key;
	size_t max;
	int over;
	size_t size;
	int (*decode)(const msgpack_object_map *m, void *item);
	size_t items, count;
};

static int decode_maps(const msgpack_object_map *m, const struct maps_spec *s, struct proto_msg *msg)
{
	const msgpack_object *o = mpack_get(m, s->key);
	if (o && o->type == MSGPACK_OBJECT_ARRAY && o->via.array.size > s->max)
		return s->over;
	const msgpack_object_array *a = mpack_get_maps(m, s->key, s->max);
	if (!a)
		return IKI_EFIELD;
	void *items = calloc(a->size ? a->size : 1, s->size);
	if (!items)
		return -ENOMEM;
	/* stored as its bytes: the owned arrays' pointers are alike but for the type they point to */
	memcpy((char *)msg + s->items, &items, sizeof(items));
	*(size_t *)((char *)msg + s->count) = a->size;
	for (uint32_t i = 0; i < a->size; i++)
		if (s->decode(&a->ptr[i].via.map, (char *)items + i * s->size) < 0)
			return IKI_EFIELD;
	return 0;
}

/* A submit's event: a bad field fails the event (ev->err), not the message. */
static int submit_event(const msgpack_object_map *m, void *ev)
{
	decode_event(m, ev);
	return 0;
}

static int decode_result(const msgpack_object_map *m, void *item)
{
	struct proto_result *r = item;
	int st = get_enum(m, "status", proto_status_names, PROTO_STATUS_ERROR + 1);
	char code[48];
	if (st < 0)
		return IKI_EFIELD;
	r->status = (enum proto_status)st;
	if (st != PROTO_STATUS_ERROR)
		return 0;
	if (mpack_get_str(m, "code", code, sizeof(code), true) < 0 ||
	    mpack_get_str(m, "message", r->message, sizeof(r->message), true) < 0)
		return IKI_EFIELD;
	r->code = iki_code_from_name(code);
	return 0;
}

static int decode_query(const msgpack_object_map *m, struct proto_msg *msg)
{
	struct proto_query *q = &msg->query;
	if (mpack_get_str(m, "indicator", q->indicator, sizeof(q->indicator), false) < 0 ||
	    mpack_get_str(m, "jabatan", q->jabatan, sizeof(q->jabatan), false) < 0 ||
	    mpack_get_str(m, "orgunit", q->orgunit, sizeof(q->orgunit), false) < 0 ||
	    mpack_get_str(m, "period", q->period, sizeof(q->period), msg->type == PROTO_QUERY) < 0)
		return IKI_EFIELD; /* a snapshot's period is optional */
	return 0;
}

static int decode_value(const msgpack_object_map *m, void *item)
{
	struct proto_value *v = item;
	v->factor = 100;
	if (mpack_get_str(m, "indicator", v->indicator, sizeof(v->indicator), true) < 0 ||
	    mpack_get_str(m, "name", v->name, sizeof(v->name), false) < 0 ||
	    mpack_get_str(m, "jabatan", v->jabatan, sizeof(v->jabatan), false) < 0 ||
	    mpack_get_str(m, "orgunit", v->orgunit, sizeof(v->orgunit), true) < 0 ||
	    mpack_get_str(m, "period", v->period, sizeof(v->period), true) < 0 ||
	    mpack_get_int(m, "num", &v->num, true) < 0 || mpack_get_int(m, "den", &v->den, true) < 0 ||
	    mpack_get_int(m, "factor", &v->factor, false) < 0 ||
	    mpack_get_str(m, "check", v->check, sizeof(v->check), false) < 0)
		return IKI_EFIELD;
	double t;
	int rc = mpack_get_double(m, "target", &t, &v->has_target);
	if (rc == 0 && v->has_target)
		v->target = llround(t * 100.0);
	if (rc == 0)
		rc = mpack_get_double(m, "target_original", &t, &v->revised);
	if (rc == 0 && v->revised)
		v->target_original = llround(t * 100.0);
	if (rc == 0)
		rc = mpack_get_double(m, "capaian", &v->capaian, &v->has_capaian);
	if (rc == 0)
		rc = mpack_get_str(m, "predikat", v->predikat, sizeof(v->predikat), v->has_capaian);
	if (rc == 0 && (v->revised || v->has_capaian) && !v->has_target)
		rc = IKI_EFIELD; /* a capaian or an original target needs the target */
	return rc;
}

static int decode_update(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object *o = mpack_get(m, "value");
	if (mpack_get_uint(m, "seq", &msg->seq) < 0 || !o || o->type != MSGPACK_OBJECT_MAP ||
	    !mpack_keys_valid(&o->via.map))
		return IKI_EFIELD;
	msg->values = calloc(1, sizeof(*msg->values));
	if (!msg->values)
		return -ENOMEM;
	msg->n_values = 1;
	return decode_value(&o->via.map, msg->values);
}

static int decode_error(const msgpack_object_map *m, struct proto_msg *msg)
{
	char code[48];
	if (mpack_get_str(m, "code", code, sizeof(code), true) < 0 ||
	    mpack_get_str(m, "message", msg->message, sizeof(msg->message), true) < 0)
		return IKI_EFIELD;
	msg->code = iki_code_from_name(code);
	return 0;
}

static int decode_indicator(const msgpack_object_map *m, void *item)
{
	struct proto_indicator *d = item;
	char polarity[8];
	d->factor = 100;
	if (mpack_get_str(m, "indicator", d->indicator, sizeof(d->indicator), true) < 0 ||
	    mpack_get_str(m, "rows", d->rows, sizeof(d->rows), false) < 0 ||
	    mpack_get_str(m, "name", d->name, sizeof(d->name), true) < 0 ||
	    mpack_get_str(m, "jabatan", d->jabatan, sizeof(d->jabatan), false) < 0 ||
	    mpack_get_str(m, "sasaran", d->sasaran, sizeof(d->sasaran), false) < 0 ||
	    mpack_get_str(m, "kind", d->kind, sizeof(d->kind), false) < 0 ||
	    mpack_get_str(m, "numerator", d->numerator, sizeof(d->numerator), true) < 0 ||
	    mpack_get_str(m, "denominator", d->denominator, sizeof(d->denominator), true) < 0 ||
	    mpack_get_int(m, "factor", &d->factor, false) < 0 ||
	    mpack_get_str(m, "polarity", polarity, sizeof(polarity), true) < 0 ||
	    mpack_get_str(m, "source", d->source, sizeof(d->source), false) < 0)
		return IKI_EFIELD;
	if (strcmp(polarity, "up") && strcmp(polarity, "down"))
		return IKI_EFIELD;
	d->down = !strcmp(polarity, "down");
	return 0;
}

static int decode_orgunit(const msgpack_object_map *m, void *item)
{
	struct proto_orgunit *o = item;
	if (mpack_get_str(m, "code", o->code, sizeof(o->code), true) < 0 ||
	    mpack_get_str(m, "name", o->name, sizeof(o->name), true) < 0 ||
	    mpack_get_str(m, "kind", o->kind, sizeof(o->kind), false) < 0 ||
	    mpack_get_str(m, "parent", o->parent, sizeof(o->parent), false) < 0)
		return IKI_EFIELD;
	return 0;
}




static int decode_letter(const msgpack_object_map *m, struct proto_letter *l)
{
	const msgpack_object *kop = mpack_get(m, "kop");
	if (kop && (kop->type != MSGPACK_OBJECT_ARRAY || kop->via.array.size > PROTO_KOP_LINES))
		return IKI_EFIELD;
	for (uint32_t i = 0; kop && i < kop->via.array.size; i++)
		if (mpack_str(&kop->via.array.ptr[i], l->kop[i], sizeof(l->kop[i]), true) < 0)
			return IKI_EFIELD;
	l->n_kop = kop ? (int)kop->via.array.size : 0;
	for (size_t i = 0; i < PROTO_LETTER_FIELDS; i++)
		if (mpack_get_str(m, proto_letter_fields[i].key, (char *)l + proto_letter_fields[i].off,
				  PROTO_TEXT_MAX + 1, false) < 0)
			return IKI_EFIELD;
	return 0;
}

static int decode_lock(const msgpack_object_map *m, void *item)
{
	struct proto_lock *x = item;
	if (mpack_get_str(m, "period", x->period, sizeof(x->period), true) < 0 ||
	    mpack_get_str(m, "who", x->who, sizeof(x->who), false) < 0 ||
	    (mpack_get(m, "at") && mpack_get_uint(m, "at", &x->at_ms) < 0))
		return IKI_EFIELD;
	return 0;
}

static int decode_stored(const msgpack_object_map *m, void *item)
{
	struct proto_stored *x = item;
	decode_event(m, &x->ev);
	const msgpack_object *dr = mpack_get(m, "dropped");
	if (dr && dr->type != MSGPACK_OBJECT_BOOLEAN)
		return IKI_EFIELD;
	x->dropped = dr && dr->via.boolean;
	if (x->ev.err || mpack_get_uint(m, "seq", &x->seq) < 0 || mpack_get_uint(m, "at", &x->at_ms) < 0 ||
	    mpack_get_str(m, "who", x->who, sizeof(x->who), false) < 0 ||
	    mpack_get_str(m, "voided_by", x->voided_by, sizeof(x->voided_by), false) < 0)
		return IKI_EFIELD;
	return 0;
}

/* A percentage under key as hundredths (two decimals kept); *present says whether it was there. */
static int get_percent(const msgpack_object_map *m, const char *key, int64_t *v, bool *present)
{
	double d = 0;
	int rc = mpack_get_double(m, key, &d, present);
	if (rc == 0 && *present) {
		if (d < 0 || d > 1e9)
			return IKI_EFIELD;
		*v = llround(d * 100.0);
	}
	return rc;
}

static int decode_note(const msgpack_object_map *m, void *item)
{
	struct proto_note *x = item;
	if (mpack_get_str(m, "indicator", x->indicator, sizeof(x->indicator), true) < 0 ||
	    mpack_get_str(m, "orgunit", x->orgunit, sizeof(x->orgunit), true) < 0 ||
	    mpack_get_str(m, "period", x->period, sizeof(x->period), true) < 0 ||
	    mpack_get_str(m, "text", x->text, sizeof(x->text), false) < 0 ||
	    mpack_get_str(m, "who", x->who, sizeof(x->who), false) < 0 ||
	    (mpack_get(m, "at") && mpack_get_uint(m, "at", &x->at_ms) < 0))
		return IKI_EFIELD;
	return 0;
}

static int decode_target(const msgpack_object_map *m, void *item)
{
	struct proto_target *x = item;
	bool has_t, has_o;
	if (mpack_get_str(m, "indicator", x->indicator, sizeof(x->indicator), true) < 0 ||
	    mpack_get_str(m, "orgunit", x->orgunit, sizeof(x->orgunit), true) < 0 ||
	    mpack_get_str(m, "period", x->period, sizeof(x->period), true) < 0 ||
	    get_percent(m, "target", &x->target, &has_t) < 0 || !has_t ||
	    get_percent(m, "target_original", &x->original, &has_o) < 0 ||
	    mpack_get_str(m, "who", x->who, sizeof(x->who), false) < 0 ||
	    (mpack_get(m, "at") && mpack_get_uint(m, "at", &x->at_ms) < 0))
		return IKI_EFIELD;
	if (!has_o)
		x->original = x->target;
	return 0;
}

/* The arrays of maps the messages carry, each with its element decoder and its place. */
#define MAPS(k, max, over, field, fn)                                                           \
	{k, max, over, sizeof(*((struct proto_msg *)0)->field), fn, offsetof(struct proto_msg, field), \
	 offsetof(struct proto_msg, n_##field)}
enum { MAPS_EVENTS, MAPS_RESULTS, MAPS_VALUES, MAPS_INDICATORS, MAPS_ORGUNITS, MAPS_ELEMENTS,
       MAPS_LOCKS, MAPS_STORED, MAPS_TARGETS, MAPS_NOTES };
static const struct maps_spec maps[] = {
	[MAPS_EVENTS] = MAPS("events", PROTO_EVENTS_MAX, IKI_ETOOBIG, events, submit_event),
	[MAPS_RESULTS] = MAPS("results", PROTO_EVENTS_MAX, IKI_EFIELD, results, decode_result),
	[MAPS_VALUES] = MAPS("values", PROTO_VALUES_MAX, IKI_EFIELD, values, decode_value),
	[MAPS_INDICATORS] = MAPS("indicators", PROTO_VALUES_MAX, IKI_EFIELD, indicators, decode_indicator),
	[MAPS_ORGUNITS] = MAPS("orgunits", PROTO_VALUES_MAX, IKI_EFIELD, orgunits, decode_orgunit),
	[MAPS_ELEMENTS] = MAPS("elements", PROTO_VALUES_MAX, IKI_EFIELD, elements, element_decode),
	[MAPS_LOCKS] = MAPS("locks", PROTO_VALUES_MAX, IKI_EFIELD, locks, decode_lock),
	[MAPS_STORED] = MAPS("events", PROTO_EVENTS_MAX, IKI_EFIELD, stored, decode_stored),
	[MAPS_TARGETS] = MAPS("targets", PROTO_VALUES_MAX, IKI_EFIELD, targets, decode_target),
	[MAPS_NOTES] = MAPS("notes", PROTO_VALUES_MAX, IKI_EFIELD, notes, decode_note),
};

/* A submit: its events as maps ("events", the first form), or in the compact "batch" form. */
static int decode_submit(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object *b = mpack_get(m, "batch");
	if (b && mpack_get(m, "events"))
		return IKI_EFIELD; /* one form or the other */
	if (b)
		return batch_decode(b, msg);
	msg->submit_maps = true;
	return decode_maps(m, &maps[MAPS_EVENTS], msg);
}

static int decode_values(const msgpack_object_map *m, struct proto_msg *msg)
{
	if (mpack_get(m, "seq") && mpack_get_uint(m, "seq", &msg->seq) < 0)
		return IKI_EFIELD;
	return decode_maps(m, &maps[MAPS_VALUES], msg);
}

static int decode_catalog(const msgpack_object_map *m, struct proto_msg *msg)
{
	int64_t year = 0;
	if (mpack_get_str(m, "title", msg->title, sizeof(msg->title), false) < 0 ||
	    mpack_get_int(m, "year", &year, false) < 0 || year < 0 || year > 9999)
		return IKI_EFIELD;
	msg->year = (int)year;
	int rc = decode_letter(m, &msg->letter);
	if (rc == 0 && mpack_get(m, "elements")) /* an ikid older than the elements sends none */
		rc = decode_maps(m, &maps[MAPS_ELEMENTS], msg);
	if (rc == 0)
		rc = decode_maps(m, &maps[MAPS_INDICATORS], msg);
	return rc < 0 ? rc : decode_maps(m, &maps[MAPS_ORGUNITS], msg);
}

static int decode_lock_request(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object *u = mpack_get(m, "unlock");
	if (mpack_get_str(m, "period", msg->query.period, sizeof(msg->query.period), false) < 0 ||
	    (u && u->type != MSGPACK_OBJECT_BOOLEAN))
		return IKI_EFIELD;
	msg->unlock = u && u->via.boolean;
	return msg->unlock && !msg->query.period[0] ? IKI_EFIELD : 0;
}

/* A value's codes, each optional (history, target, note). */
static int get_codes(const msgpack_object_map *m, struct proto_query *q)
{
	if (mpack_get_str(m, "indicator", q->indicator, sizeof(q->indicator), false) < 0 ||
	    mpack_get_str(m, "orgunit", q->orgunit, sizeof(q->orgunit), false) < 0 ||
	    mpack_get_str(m, "period", q->period, sizeof(q->period), false) < 0)
		return IKI_EFIELD;
	return 0;
}

static int decode_target_request(const msgpack_object_map *m, struct proto_msg *msg)
{
	struct proto_query *q = &msg->query;
	if (get_codes(m, q) < 0 || get_percent(m, "target", &msg->target, &msg->has_target) < 0)
		return IKI_EFIELD;
	/* setting one needs the indicator and the period */
	return msg->has_target && (!q->indicator[0] || !q->period[0]) ? IKI_EFIELD : 0;
}

/* note: the value's codes (all optional for a list), a text to write, or history of one note. */
static int decode_note_request(const msgpack_object_map *m, struct proto_msg *msg)
{
	struct proto_query *q = &msg->query;
	const msgpack_object *h = mpack_get(m, "history");
	if (get_codes(m, q) < 0 ||
	    mpack_get_str(m, "text", msg->note_text, sizeof(msg->note_text), false) < 0 ||
	    (h && h->type != MSGPACK_OBJECT_BOOLEAN))
		return IKI_EFIELD;
	msg->has_note = mpack_get(m, "text") != NULL;
	msg->note_history = h && h->via.boolean;
	/* writing one, or its history, needs the indicator and the period; not both at once */
	if ((msg->has_note || msg->note_history) && (!q->indicator[0] || !q->period[0]))
		return IKI_EFIELD;
	return msg->has_note && msg->note_history ? IKI_EFIELD : 0;
}

/* history: an event id, or a value (indicator and period, org unit optional). */
static int decode_history(const msgpack_object_map *m, struct proto_msg *msg)
{
	struct proto_query *q = &msg->query;
	if (mpack_get_str(m, "id", msg->id, sizeof(msg->id), false) < 0 || get_codes(m, q) < 0)
		return IKI_EFIELD;
	return msg->id[0] || (q->indicator[0] && q->period[0]) ? 0 : IKI_EFIELD;
}

/* identity: name, role, scope and the codes the key may submit (an array of str). */
static int decode_identity(const msgpack_object_map *m, struct proto_msg *msg)
{
	struct proto_identity *id = &msg->identity;
	const msgpack_object *a = mpack_get(m, "elements");
	if (mpack_get_str(m, "name", id->name, sizeof(id->name), true) < 0 ||
	    mpack_get_str(m, "role", id->role, sizeof(id->role), true) < 0 ||
	    mpack_get_str(m, "scope", id->scope, sizeof(id->scope), false) < 0 || !a ||
	    a->type != MSGPACK_OBJECT_ARRAY || a->via.array.size > PROTO_VALUES_MAX)
		return IKI_EFIELD;
	id->elements = calloc(a->via.array.size + 1, sizeof(*id->elements));
	if (!id->elements)
		return -ENOMEM;
	id->n_elements = a->via.array.size;
	for (uint32_t i = 0; i < a->via.array.size; i++)
		if (mpack_str(&a->via.array.ptr[i], id->elements[i].code,
			      sizeof(id->elements[i].code), true) < 0)
			return IKI_EFIELD;
	return 0;
}

/* A page's fields: a request's cursor and limit, an answer's next cursor (all optional). */
static int decode_page(const msgpack_object_map *m, struct proto_msg *msg)
{
	uint64_t limit = 0;
	enum proto_page keys = proto_page_keys(msg->type);
	if (keys == PROTO_PAGE_NONE)
		return 0;
	if (keys == PROTO_PAGE_ANSWER)
		return mpack_get_str(m, "next", msg->next, sizeof(msg->next), false) < 0 ? IKI_EFIELD
											 : 0;
	if (mpack_get_str(m, "after", msg->after, sizeof(msg->after), false) < 0 ||
	    (mpack_get(m, "limit") && (mpack_get_uint(m, "limit", &limit) < 0 || limit < 1 ||
				       limit > PROTO_PAGE_MAX)))
		return IKI_EFIELD;
	msg->limit = (uint32_t)limit;
	return 0;
}

static int decode_type(const msgpack_object_map *m, struct proto_msg *msg)
{
	switch (msg->type) {
	case PROTO_SUBMIT: return decode_submit(m, msg);
	case PROTO_SUBMITTED: return decode_maps(m, &maps[MAPS_RESULTS], msg);
	case PROTO_QUERY: return decode_query(m, msg);
	case PROTO_VALUES: return decode_values(m, msg);
	case PROTO_ERROR: return decode_error(m, msg);
	case PROTO_UPDATE: return decode_update(m, msg);
	case PROTO_SNAPSHOT: return decode_query(m, msg);
	case PROTO_HEARTBEAT: return mpack_get_uint(m, "seq", &msg->seq) < 0 ? IKI_EFIELD : 0;
	case PROTO_DESCRIBE: return 0;
	case PROTO_CATALOG: return decode_catalog(m, msg);
	case PROTO_LOCK: return decode_lock_request(m, msg);
	case PROTO_LOCKS: return decode_maps(m, &maps[MAPS_LOCKS], msg);
	case PROTO_HISTORY: return decode_history(m, msg);
	case PROTO_EVENTS: return decode_maps(m, &maps[MAPS_STORED], msg);
	case PROTO_TARGET: return decode_target_request(m, msg);
	case PROTO_TARGETS: return decode_maps(m, &maps[MAPS_TARGETS], msg);
	case PROTO_NOTE: return decode_note_request(m, msg);
	case PROTO_NOTES: return decode_maps(m, &maps[MAPS_NOTES], msg);
	case PROTO_WHOAMI: return 0;
	case PROTO_IDENTITY: return decode_identity(m, msg);
	}
	return IKI_ETYPE;
}

static int decode_body(const msgpack_object_map *m, struct proto_msg *msg)
{
	int rc = decode_type(m, msg);
	return rc < 0 ? rc : decode_page(m, msg);
}

/* The envelope: version, type and request number, then the body. */
static int decode_map(const msgpack_object *root, struct proto_msg *m)
{
	if (root->type != MSGPACK_OBJECT_MAP || !mpack_keys_valid(&root->via.map))
		return IKI_EMALFORMED;
	const msgpack_object_map *map = &root->via.map;
	int64_t v = 0;
	if (mpack_get_int(map, "v", &v, true) < 0)
		return IKI_EFIELD;
	mpack_get_uint(map, "req", &m->req); /* optional on updates; echoed when present */
	int t = get_enum(map, "type", proto_type_names, PROTO_TYPE_LAST + 1);
	if (v != PROTO_VERSION)
		return IKI_EVERSION;
	if (t <= 0)
		return IKI_ETYPE;
	m->type = (enum proto_type)t;
	return decode_body(map, m);
}

int proto_decode(const void *buf, size_t len, struct proto_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (len > PROTO_MSG_MAX)
		return IKI_ETOOBIG;
	int rc = mpack_scan(buf, len, PROTO_DEPTH_MAX);
	if (rc < 0)
		return rc;
	size_t off = 0;
	msgpack_unpacked u;
	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, buf, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len)
		rc = IKI_EMALFORMED;
	else
		rc = decode_map(&u.data, m);
	msgpack_unpacked_destroy(&u);
	if (rc < 0) {
		enum proto_type t = m->type;
		uint64_t req = m->req;
		proto_msg_clear(m);
		m->type = t;
		m->req = req;
	}
	return rc;
}

