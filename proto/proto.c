/* proto.c: encode and decode iki's msgpack messages; every type and length checked, nothing trusted. */
#include "proto.h"

#include <errno.h>
#include <msgpack.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "batch.h"
#include "element.h"
#include "iki.h"
#include "mpack.h"

static const char *const type_names[] = {
	[PROTO_SUBMIT] = "submit", [PROTO_SUBMITTED] = "submitted", [PROTO_QUERY] = "query",
	[PROTO_VALUES] = "values", [PROTO_ERROR] = "error",         [PROTO_UPDATE] = "update",
	[PROTO_SNAPSHOT] = "snapshot", [PROTO_HEARTBEAT] = "heartbeat",
	[PROTO_DESCRIBE] = "describe", [PROTO_CATALOG] = "catalog", [PROTO_LOCK] = "lock",
	[PROTO_LOCKS] = "locks", [PROTO_HISTORY] = "history", [PROTO_EVENTS] = "events",
	[PROTO_TARGET] = "target", [PROTO_TARGETS] = "targets", [PROTO_WHOAMI] = "whoami",
	[PROTO_NOTE] = "note",     [PROTO_NOTES] = "notes",
	[PROTO_IDENTITY] = "identity",
};

static const char *const op_names[] = {
	[PROTO_OP_ADD] = "add", [PROTO_OP_SET] = "set", [PROTO_OP_OPEN] = "open", [PROTO_OP_CLOSE] = "close",
	[PROTO_OP_VOID] = "void",
};

static const char *const status_names[] = {
	[PROTO_STATUS_OK] = "ok", [PROTO_STATUS_DUPLICATE] = "duplicate", [PROTO_STATUS_ERROR] = "error",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *proto_type_name(enum proto_type t)
{
	return (unsigned)t < COUNT(type_names) ? type_names[t] : NULL;
}

const char *proto_op_name(enum proto_op op)
{
	return (unsigned)op < COUNT(op_names) ? op_names[op] : NULL;
}


bool proto_value_ratio(const struct proto_value *v, double *ratio)
{
	if (v->den == 0)
		return false;
	*ratio = (double)v->num / (double)v->den * (double)v->factor;
	return true;
}

void proto_topic(const struct proto_value *v, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s/%s", v->indicator, v->orgunit, v->period);
}

void proto_msg_clear(struct proto_msg *m)
{
	free(m->events);
	free(m->results);
	free(m->values);
	free(m->indicators);
	free(m->orgunits);
	free(m->elements);
	free(m->locks);
	free(m->stored);
	free(m->targets);
	free(m->notes);
	free(m->identity.elements);
	memset(m, 0, sizeof(*m));
}

/* ---- decoding helpers ---- */










/* Name of a table entry under key, as its index; -1 when missing or unknown. */
static int get_enum(const msgpack_object_map *m, const char *key, const char *const *names, size_t n)
{
	char buf[16];
	if (mpack_get_str(m, key, buf, sizeof(buf), true) < 0)
		return -1;
	return mpack_name_index(names, n, buf);
}

/* ---- decoding per message type ---- */

static void event_fail(struct proto_event *e, const char *field)
{
	if (e->err == 0) {
		e->err = IKI_EFIELD;
		snprintf(e->err_field, sizeof(e->err_field), "%s", field);
	}
}

static void decode_event(const msgpack_object_map *m, struct proto_event *e)
{
	int op = get_enum(m, "op", op_names, COUNT(op_names));
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

/* A submit: its events as maps ("events", the first form), or in the compact "batch" form. */
static int decode_submit(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object *b = mpack_get(m, "batch");
	if (b && mpack_get(m, "events"))
		return IKI_EFIELD; /* one form or the other */
	if (b)
		return batch_decode(b, msg);
	msg->submit_maps = true;
	const msgpack_object *o = mpack_get(m, "events");
	if (o && o->type == MSGPACK_OBJECT_ARRAY && o->via.array.size > PROTO_EVENTS_MAX)
		return IKI_ETOOBIG;
	const msgpack_object_array *a = mpack_get_maps(m, "events", PROTO_EVENTS_MAX);
	if (!a)
		return IKI_EFIELD;
	msg->events = calloc(a->size ? a->size : 1, sizeof(*msg->events));
	if (!msg->events)
		return -ENOMEM;
	msg->n_events = a->size;
	for (uint32_t i = 0; i < a->size; i++)
		decode_event(&a->ptr[i].via.map, &msg->events[i]);
	return 0;
}

static int decode_result(const msgpack_object_map *m, struct proto_result *r)
{
	int st = get_enum(m, "status", status_names, COUNT(status_names));
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

static int decode_submitted(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object_array *a = mpack_get_maps(m, "results", PROTO_EVENTS_MAX);
	if (!a)
		return IKI_EFIELD;
	msg->results = calloc(a->size ? a->size : 1, sizeof(*msg->results));
	if (!msg->results)
		return -ENOMEM;
	msg->n_results = a->size;
	for (uint32_t i = 0; i < a->size; i++)
		if (decode_result(&a->ptr[i].via.map, &msg->results[i]) < 0)
			return IKI_EFIELD;
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

static int decode_value(const msgpack_object_map *m, struct proto_value *v)
{
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

static int decode_values(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object_array *a = mpack_get_maps(m, "values", PROTO_VALUES_MAX);
	if (!a || (mpack_get(m, "seq") && mpack_get_uint(m, "seq", &msg->seq) < 0))
		return IKI_EFIELD;
	msg->values = calloc(a->size ? a->size : 1, sizeof(*msg->values));
	if (!msg->values)
		return -ENOMEM;
	msg->n_values = a->size;
	for (uint32_t i = 0; i < a->size; i++)
		if (decode_value(&a->ptr[i].via.map, &msg->values[i]) < 0)
			return IKI_EFIELD;
	return 0;
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

static int decode_indicator(const msgpack_object_map *m, struct proto_indicator *d)
{
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

static int decode_orgunit(const msgpack_object_map *m, struct proto_orgunit *o)
{
	if (mpack_get_str(m, "code", o->code, sizeof(o->code), true) < 0 ||
	    mpack_get_str(m, "name", o->name, sizeof(o->name), true) < 0 ||
	    mpack_get_str(m, "kind", o->kind, sizeof(o->kind), false) < 0 ||
	    mpack_get_str(m, "parent", o->parent, sizeof(o->parent), false) < 0)
		return IKI_EFIELD;
	return 0;
}




/* A report's letterhead and signature: "kop" (an array, when any) and the sign_ keys given. */
const struct proto_letter_field proto_letter_fields[PROTO_LETTER_FIELDS] = {
	{"sign_place", offsetof(struct proto_letter, place)},
	{"sign_title", offsetof(struct proto_letter, title)},
	{"sign_name", offsetof(struct proto_letter, name)},
	{"sign_rank", offsetof(struct proto_letter, rank)},
	{"sign_nip", offsetof(struct proto_letter, nip)},
};

static uint32_t letter_keys(const struct proto_letter *l)
{
	uint32_t n = l->n_kop > 0;
	for (size_t i = 0; i < PROTO_LETTER_FIELDS; i++)
		n += ((const char *)l + proto_letter_fields[i].off)[0] != 0;
	return n;
}

static void pack_letter(msgpack_packer *pk, const struct proto_letter *l)
{
	if (l->n_kop > 0) {
		mpack_pack_str(pk, "kop");
		msgpack_pack_array(pk, (size_t)l->n_kop);
		for (int i = 0; i < l->n_kop; i++)
			mpack_pack_str(pk, l->kop[i]);
	}
	for (size_t i = 0; i < PROTO_LETTER_FIELDS; i++)
		mpack_pack_opt_str(pk, proto_letter_fields[i].key, (const char *)l + proto_letter_fields[i].off);
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

static int decode_elements(const msgpack_object_map *m, struct proto_msg *msg)
{
	if (!mpack_get(m, "elements"))
		return 0; /* an ikid older than the elements sends none */
	const msgpack_object_array *el = mpack_get_maps(m, "elements", PROTO_VALUES_MAX);
	if (!el)
		return IKI_EFIELD;
	msg->elements = calloc(el->size ? el->size : 1, sizeof(*msg->elements));
	if (!msg->elements)
		return -ENOMEM;
	msg->n_elements = el->size;
	for (uint32_t i = 0; i < el->size; i++)
		if (element_decode(&el->ptr[i].via.map, &msg->elements[i]) < 0)
			return IKI_EFIELD;
	return 0;
}

static int decode_catalog(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object_array *ind = mpack_get_maps(m, "indicators", PROTO_VALUES_MAX);
	const msgpack_object_array *ou = mpack_get_maps(m, "orgunits", PROTO_VALUES_MAX);
	int64_t year = 0;
	if (!ind || !ou || mpack_get_str(m, "title", msg->title, sizeof(msg->title), false) < 0 ||
	    mpack_get_int(m, "year", &year, false) < 0 || year < 0 || year > 9999)
		return IKI_EFIELD;
	msg->year = (int)year;
	int rc = decode_letter(m, &msg->letter);
	if (rc < 0)
		return rc;
	rc = decode_elements(m, msg);
	if (rc < 0)
		return rc;
	msg->indicators = calloc(ind->size ? ind->size : 1, sizeof(*msg->indicators));
	msg->orgunits = calloc(ou->size ? ou->size : 1, sizeof(*msg->orgunits));
	if (!msg->indicators || !msg->orgunits)
		return -ENOMEM;
	msg->n_indicators = ind->size;
	msg->n_orgunits = ou->size;
	for (uint32_t i = 0; i < ind->size; i++)
		if (decode_indicator(&ind->ptr[i].via.map, &msg->indicators[i]) < 0)
			return IKI_EFIELD;
	for (uint32_t i = 0; i < ou->size; i++)
		if (decode_orgunit(&ou->ptr[i].via.map, &msg->orgunits[i]) < 0)
			return IKI_EFIELD;
	return 0;
}

static int decode_lock(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object *u = mpack_get(m, "unlock");
	if (mpack_get_str(m, "period", msg->query.period, sizeof(msg->query.period), false) < 0 ||
	    (u && u->type != MSGPACK_OBJECT_BOOLEAN))
		return IKI_EFIELD;
	msg->unlock = u && u->via.boolean;
	return msg->unlock && !msg->query.period[0] ? IKI_EFIELD : 0;
}

static int decode_locks(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object_array *a = mpack_get_maps(m, "locks", PROTO_VALUES_MAX);
	if (!a)
		return IKI_EFIELD;
	msg->locks = calloc(a->size ? a->size : 1, sizeof(*msg->locks));
	if (!msg->locks)
		return -ENOMEM;
	msg->n_locks = a->size;
	for (uint32_t i = 0; i < a->size; i++) {
		const msgpack_object_map *l = &a->ptr[i].via.map;
		struct proto_lock *x = &msg->locks[i];
		if (mpack_get_str(l, "period", x->period, sizeof(x->period), true) < 0 ||
		    mpack_get_str(l, "who", x->who, sizeof(x->who), false) < 0 ||
		    (mpack_get(l, "at") && mpack_get_uint(l, "at", &x->at_ms) < 0))
			return IKI_EFIELD;
	}
	return 0;
}

static int decode_events(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object_array *a = mpack_get_maps(m, "events", PROTO_EVENTS_MAX);
	if (!a)
		return IKI_EFIELD;
	msg->stored = calloc(a->size ? a->size : 1, sizeof(*msg->stored));
	if (!msg->stored)
		return -ENOMEM;
	msg->n_stored = a->size;
	for (uint32_t i = 0; i < a->size; i++) {
		const msgpack_object_map *e = &a->ptr[i].via.map;
		struct proto_stored *x = &msg->stored[i];
		decode_event(e, &x->ev);
		const msgpack_object *dr = mpack_get(e, "dropped");
		if (dr && dr->type != MSGPACK_OBJECT_BOOLEAN)
			return IKI_EFIELD;
		x->dropped = dr && dr->via.boolean;
		if (x->ev.err || mpack_get_uint(e, "seq", &x->seq) < 0 || mpack_get_uint(e, "at", &x->at_ms) < 0 ||
		    mpack_get_str(e, "who", x->who, sizeof(x->who), false) < 0 ||
		    mpack_get_str(e, "voided_by", x->voided_by, sizeof(x->voided_by), false) < 0)
			return IKI_EFIELD;
	}
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

static int decode_target(const msgpack_object_map *m, struct proto_msg *msg)
{
	struct proto_query *q = &msg->query;
	if (mpack_get_str(m, "indicator", q->indicator, sizeof(q->indicator), false) < 0 ||
	    mpack_get_str(m, "orgunit", q->orgunit, sizeof(q->orgunit), false) < 0 ||
	    mpack_get_str(m, "period", q->period, sizeof(q->period), false) < 0 ||
	    get_percent(m, "target", &msg->target, &msg->has_target) < 0)
		return IKI_EFIELD;
	/* setting one needs the indicator and the period */
	return msg->has_target && (!q->indicator[0] || !q->period[0]) ? IKI_EFIELD : 0;
}

/* note: the value's codes (all optional for a list), a text to write, or history of one note. */
static int decode_note(const msgpack_object_map *m, struct proto_msg *msg)
{
	struct proto_query *q = &msg->query;
	const msgpack_object *h = mpack_get(m, "history");
	if (mpack_get_str(m, "indicator", q->indicator, sizeof(q->indicator), false) < 0 ||
	    mpack_get_str(m, "orgunit", q->orgunit, sizeof(q->orgunit), false) < 0 ||
	    mpack_get_str(m, "period", q->period, sizeof(q->period), false) < 0 ||
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

static int decode_notes(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object_array *a = mpack_get_maps(m, "notes", PROTO_VALUES_MAX);
	if (!a)
		return IKI_EFIELD;
	msg->notes = calloc(a->size ? a->size : 1, sizeof(*msg->notes));
	if (!msg->notes)
		return -ENOMEM;
	msg->n_notes = a->size;
	for (uint32_t i = 0; i < a->size; i++) {
		const msgpack_object_map *t = &a->ptr[i].via.map;
		struct proto_note *x = &msg->notes[i];
		if (mpack_get_str(t, "indicator", x->indicator, sizeof(x->indicator), true) < 0 ||
		    mpack_get_str(t, "orgunit", x->orgunit, sizeof(x->orgunit), true) < 0 ||
		    mpack_get_str(t, "period", x->period, sizeof(x->period), true) < 0 ||
		    mpack_get_str(t, "text", x->text, sizeof(x->text), false) < 0 ||
		    mpack_get_str(t, "who", x->who, sizeof(x->who), false) < 0 ||
		    (mpack_get(t, "at") && mpack_get_uint(t, "at", &x->at_ms) < 0))
			return IKI_EFIELD;
	}
	return 0;
}

static int decode_targets(const msgpack_object_map *m, struct proto_msg *msg)
{
	const msgpack_object_array *a = mpack_get_maps(m, "targets", PROTO_VALUES_MAX);
	if (!a)
		return IKI_EFIELD;
	msg->targets = calloc(a->size ? a->size : 1, sizeof(*msg->targets));
	if (!msg->targets)
		return -ENOMEM;
	msg->n_targets = a->size;
	for (uint32_t i = 0; i < a->size; i++) {
		const msgpack_object_map *t = &a->ptr[i].via.map;
		struct proto_target *x = &msg->targets[i];
		bool has_t, has_o;
		if (mpack_get_str(t, "indicator", x->indicator, sizeof(x->indicator), true) < 0 ||
		    mpack_get_str(t, "orgunit", x->orgunit, sizeof(x->orgunit), true) < 0 ||
		    mpack_get_str(t, "period", x->period, sizeof(x->period), true) < 0 ||
		    get_percent(t, "target", &x->target, &has_t) < 0 || !has_t ||
		    get_percent(t, "target_original", &x->original, &has_o) < 0 ||
		    mpack_get_str(t, "who", x->who, sizeof(x->who), false) < 0 ||
		    (mpack_get(t, "at") && mpack_get_uint(t, "at", &x->at_ms) < 0))
			return IKI_EFIELD;
		if (!has_o)
			x->original = x->target;
	}
	return 0;
}

/* history: an event id, or a value (indicator and period, org unit optional). */
static int decode_history(const msgpack_object_map *m, struct proto_msg *msg)
{
	struct proto_query *q = &msg->query;
	if (mpack_get_str(m, "id", msg->id, sizeof(msg->id), false) < 0 ||
	    mpack_get_str(m, "indicator", q->indicator, sizeof(q->indicator), false) < 0 ||
	    mpack_get_str(m, "orgunit", q->orgunit, sizeof(q->orgunit), false) < 0 ||
	    mpack_get_str(m, "period", q->period, sizeof(q->period), false) < 0)
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

static void pack_identity(msgpack_packer *pk, const struct proto_identity *id)
{
	mpack_pack_kv_str(pk, "name", id->name);
	mpack_pack_kv_str(pk, "role", id->role);
	mpack_pack_opt_str(pk, "scope", id->scope);
	mpack_pack_str(pk, "elements");
	msgpack_pack_array(pk, id->n_elements);
	for (size_t i = 0; i < id->n_elements; i++)
		mpack_pack_str(pk, id->elements[i].code);
}

/* A page's fields: a request's cursor and limit, an answer's next cursor (all optional). */
static int decode_page(const msgpack_object_map *m, struct proto_msg *msg)
{
	uint64_t limit = 0;
	bool request = msg->type == PROTO_SNAPSHOT || msg->type == PROTO_HISTORY;
	if (!request && msg->type != PROTO_VALUES && msg->type != PROTO_EVENTS)
		return 0;
	if (!request)
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
	case PROTO_SUBMITTED: return decode_submitted(m, msg);
	case PROTO_QUERY: return decode_query(m, msg);
	case PROTO_VALUES: return decode_values(m, msg);
	case PROTO_ERROR: return decode_error(m, msg);
	case PROTO_UPDATE: return decode_update(m, msg);
	case PROTO_SNAPSHOT: return decode_query(m, msg);
	case PROTO_HEARTBEAT: return mpack_get_uint(m, "seq", &msg->seq) < 0 ? IKI_EFIELD : 0;
	case PROTO_DESCRIBE: return 0;
	case PROTO_CATALOG: return decode_catalog(m, msg);
	case PROTO_LOCK: return decode_lock(m, msg);
	case PROTO_LOCKS: return decode_locks(m, msg);
	case PROTO_HISTORY: return decode_history(m, msg);
	case PROTO_EVENTS: return decode_events(m, msg);
	case PROTO_TARGET: return decode_target(m, msg);
	case PROTO_TARGETS: return decode_targets(m, msg);
	case PROTO_NOTE: return decode_note(m, msg);
	case PROTO_NOTES: return decode_notes(m, msg);
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
	int t = get_enum(map, "type", type_names, COUNT(type_names));
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

/* ---- encoding ---- */





/* An event's keys, in a map of extra more keys the caller writes after them. */
static void pack_event_map(msgpack_packer *pk, const struct proto_event *e, uint32_t extra)
{
	/* element, orgunit and date are required (and so always written) but for a void; a value
	 * left out (no_value) stays out, for ikid to refuse it where one is needed */
	msgpack_pack_map(pk, extra + 2 + !e->no_value + (e->element[0] != 0) + (e->orgunit[0] != 0) +
				 (e->date[0] != 0) + (e->case_id[0] != 0) + (e->comment[0] != 0) +
				 (e->ref[0] != 0));
	mpack_pack_kv_str(pk, "id", e->id);
	mpack_pack_opt_str(pk, "element", e->element);
	mpack_pack_opt_str(pk, "orgunit", e->orgunit);
	mpack_pack_opt_str(pk, "date", e->date);
	mpack_pack_kv_str(pk, "op", op_names[e->op]);
	if (!e->no_value)
		mpack_pack_kv_int(pk, "value", e->value);
	mpack_pack_opt_str(pk, "case", e->case_id);
	mpack_pack_opt_str(pk, "comment", e->comment);
	mpack_pack_opt_str(pk, "ref", e->ref);
}

static void pack_event(msgpack_packer *pk, const struct proto_event *e)
{
	pack_event_map(pk, e, 0);
}

static void pack_stored(msgpack_packer *pk, const struct proto_stored *x)
{
	pack_event_map(pk, &x->ev, 2 + (x->who[0] != 0) + (x->voided_by[0] != 0) + x->dropped);
	mpack_pack_str(pk, "seq");
	msgpack_pack_uint64(pk, x->seq);
	mpack_pack_str(pk, "at");
	msgpack_pack_uint64(pk, x->at_ms);
	mpack_pack_opt_str(pk, "who", x->who);
	mpack_pack_opt_str(pk, "voided_by", x->voided_by);
	if (x->dropped) {
		mpack_pack_str(pk, "dropped");
		msgpack_pack_true(pk);
	}
}

static void pack_result(msgpack_packer *pk, const struct proto_result *r)
{
	bool err = r->status == PROTO_STATUS_ERROR;
	msgpack_pack_map(pk, err ? 3 : 1);
	mpack_pack_kv_str(pk, "status", status_names[r->status]);
	if (err) {
		mpack_pack_kv_str(pk, "code", iki_code_name(r->code));
		mpack_pack_kv_str(pk, "message", r->message);
	}
}

static void pack_value(msgpack_packer *pk, const struct proto_value *v)
{
	double ratio;
	msgpack_pack_map(pk, 7 + (v->name[0] != 0) + (v->jabatan[0] != 0) + (v->check[0] != 0) +
				 v->has_target + (v->has_target && v->revised) +
				 2 * (v->has_target && v->has_capaian));
	mpack_pack_kv_str(pk, "indicator", v->indicator);
	if (v->name[0])
		mpack_pack_kv_str(pk, "name", v->name);
	if (v->jabatan[0])
		mpack_pack_kv_str(pk, "jabatan", v->jabatan);
	mpack_pack_kv_str(pk, "orgunit", v->orgunit);
	mpack_pack_kv_str(pk, "period", v->period);
	mpack_pack_kv_int(pk, "num", v->num);
	mpack_pack_kv_int(pk, "den", v->den);
	mpack_pack_kv_int(pk, "factor", v->factor);
	mpack_pack_str(pk, "value");
	if (proto_value_ratio(v, &ratio))
		msgpack_pack_double(pk, ratio);
	else
		msgpack_pack_nil(pk);
	if (v->check[0])
		mpack_pack_kv_str(pk, "check", v->check);
	if (!v->has_target)
		return;
	mpack_pack_str(pk, "target");
	msgpack_pack_double(pk, (double)v->target / 100.0);
	if (v->revised) {
		mpack_pack_str(pk, "target_original");
		msgpack_pack_double(pk, (double)v->target_original / 100.0);
	}
	if (v->has_capaian) {
		mpack_pack_str(pk, "capaian");
		msgpack_pack_double(pk, v->capaian);
		mpack_pack_kv_str(pk, "predikat", v->predikat);
	}
}

static void pack_indicator(msgpack_packer *pk, const struct proto_indicator *d)
{
	msgpack_pack_map(pk, 6 + (d->rows[0] != 0) + (d->jabatan[0] != 0) + (d->sasaran[0] != 0) +
				 (d->kind[0] != 0) + (d->source[0] != 0));
	mpack_pack_kv_str(pk, "indicator", d->indicator);
	mpack_pack_opt_str(pk, "rows", d->rows);
	mpack_pack_kv_str(pk, "name", d->name);
	mpack_pack_opt_str(pk, "jabatan", d->jabatan);
	mpack_pack_opt_str(pk, "sasaran", d->sasaran);
	mpack_pack_opt_str(pk, "kind", d->kind);
	mpack_pack_kv_str(pk, "numerator", d->numerator);
	mpack_pack_kv_str(pk, "denominator", d->denominator);
	mpack_pack_kv_int(pk, "factor", d->factor);
	mpack_pack_kv_str(pk, "polarity", d->down ? "down" : "up");
	mpack_pack_opt_str(pk, "source", d->source);
}



static void pack_orgunit(msgpack_packer *pk, const struct proto_orgunit *o)
{
	msgpack_pack_map(pk, 2 + (o->kind[0] != 0) + (o->parent[0] != 0));
	mpack_pack_kv_str(pk, "code", o->code);
	mpack_pack_kv_str(pk, "name", o->name);
	mpack_pack_opt_str(pk, "kind", o->kind);
	mpack_pack_opt_str(pk, "parent", o->parent);
}

/* The page keys a message carries (see decode_page). */
static uint32_t page_keys(const struct proto_msg *m)
{
	if (m->type == PROTO_SNAPSHOT || m->type == PROTO_HISTORY)
		return (m->after[0] != 0) + (m->limit != 0);
	if (m->type == PROTO_VALUES || m->type == PROTO_EVENTS)
		return m->next[0] != 0;
	return 0;
}

static void pack_page(msgpack_packer *pk, const struct proto_msg *m)
{
	if (m->type == PROTO_SNAPSHOT || m->type == PROTO_HISTORY) {
		mpack_pack_opt_str(pk, "after", m->after);
		if (m->limit) {
			mpack_pack_str(pk, "limit");
			msgpack_pack_uint32(pk, m->limit);
		}
	} else if (m->type == PROTO_VALUES || m->type == PROTO_EVENTS) {
		mpack_pack_opt_str(pk, "next", m->next);
	}
}

/* Number of body keys each type adds to the envelope's v, type and req. */
static uint32_t body_keys(const struct proto_msg *m)
{
	const struct proto_query *q = &m->query;
	switch (m->type) {
	case PROTO_QUERY:
	case PROTO_SNAPSHOT:
		return (q->period[0] != 0 || m->type == PROTO_QUERY) + (q->indicator[0] != 0) +
		       (q->jabatan[0] != 0) + (q->orgunit[0] != 0);
	case PROTO_VALUES: return 1 + (m->seq != 0);
	case PROTO_ERROR: return 2;
	case PROTO_UPDATE: return 2;
	case PROTO_HEARTBEAT: return 1;
	case PROTO_DESCRIBE: return 0;
	case PROTO_CATALOG:
		return 2 + (m->title[0] != 0) + (m->year != 0) + (m->n_elements != 0) +
		       letter_keys(&m->letter);
	case PROTO_LOCK: return (m->query.period[0] != 0) + m->unlock;
	case PROTO_LOCKS: return 1;
	case PROTO_HISTORY:
		return m->id[0] ? 1
				: (m->query.indicator[0] != 0) + (m->query.orgunit[0] != 0) +
					  (m->query.period[0] != 0);
	case PROTO_EVENTS: return 1;
	case PROTO_TARGET:
		return (m->query.indicator[0] != 0) + (m->query.orgunit[0] != 0) +
		       (m->query.period[0] != 0) + m->has_target;
	case PROTO_TARGETS: return 1;
	case PROTO_NOTE:
		return (m->query.indicator[0] != 0) + (m->query.orgunit[0] != 0) +
		       (m->query.period[0] != 0) + m->has_note + m->note_history;
	case PROTO_NOTES: return 1;
	case PROTO_WHOAMI: return 0;
	case PROTO_IDENTITY: return 3 + (m->identity.scope[0] != 0);
	default: return 1;
	}
}

/* A submit's events: the compact batch, unless the message asks for the map form. */
static int pack_submit(msgpack_packer *pk, const struct proto_msg *m)
{
	if (!m->submit_maps) {
		mpack_pack_str(pk, "batch");
		return batch_pack(pk, m->events, m->n_events);
	}
	mpack_pack_str(pk, "events");
	msgpack_pack_array(pk, m->n_events);
	for (size_t i = 0; i < m->n_events; i++)
		pack_event(pk, &m->events[i]);
	return 0;
}

static int pack_body(msgpack_packer *pk, const struct proto_msg *m)
{
	size_t i;
	switch (m->type) {
	case PROTO_SUBMIT:
		return pack_submit(pk, m);
	case PROTO_SUBMITTED:
		mpack_pack_str(pk, "results");
		msgpack_pack_array(pk, m->n_results);
		for (i = 0; i < m->n_results; i++)
			pack_result(pk, &m->results[i]);
		break;
	case PROTO_QUERY:
	case PROTO_SNAPSHOT:
		if (m->query.indicator[0])
			mpack_pack_kv_str(pk, "indicator", m->query.indicator);
		if (m->query.jabatan[0])
			mpack_pack_kv_str(pk, "jabatan", m->query.jabatan);
		if (m->query.orgunit[0])
			mpack_pack_kv_str(pk, "orgunit", m->query.orgunit);
		if (m->query.period[0] || m->type == PROTO_QUERY)
			mpack_pack_kv_str(pk, "period", m->query.period);
		break;
	case PROTO_VALUES:
		if (m->seq) {
			mpack_pack_str(pk, "seq");
			msgpack_pack_uint64(pk, m->seq);
		}
		mpack_pack_str(pk, "values");
		msgpack_pack_array(pk, m->n_values);
		for (i = 0; i < m->n_values; i++)
			pack_value(pk, &m->values[i]);
		break;
	case PROTO_ERROR:
		mpack_pack_kv_str(pk, "code", iki_code_name(m->code));
		mpack_pack_kv_str(pk, "message", m->message);
		break;
	case PROTO_UPDATE:
		mpack_pack_str(pk, "seq");
		msgpack_pack_uint64(pk, m->seq);
		mpack_pack_str(pk, "value");
		pack_value(pk, m->values);
		break;
	case PROTO_HEARTBEAT:
		mpack_pack_str(pk, "seq");
		msgpack_pack_uint64(pk, m->seq);
		break;
	case PROTO_DESCRIBE:
		break;
	case PROTO_LOCK:
		mpack_pack_opt_str(pk, "period", m->query.period);
		if (m->unlock) {
			mpack_pack_str(pk, "unlock");
			msgpack_pack_true(pk);
		}
		break;
	case PROTO_LOCKS:
		mpack_pack_str(pk, "locks");
		msgpack_pack_array(pk, m->n_locks);
		for (i = 0; i < m->n_locks; i++) {
			msgpack_pack_map(pk, 2 + (m->locks[i].who[0] != 0));
			mpack_pack_kv_str(pk, "period", m->locks[i].period);
			mpack_pack_opt_str(pk, "who", m->locks[i].who);
			mpack_pack_str(pk, "at");
			msgpack_pack_uint64(pk, m->locks[i].at_ms);
		}
		break;
	case PROTO_HISTORY:
		if (m->id[0]) {
			mpack_pack_kv_str(pk, "id", m->id);
		} else {
			mpack_pack_opt_str(pk, "indicator", m->query.indicator);
			mpack_pack_opt_str(pk, "orgunit", m->query.orgunit);
			mpack_pack_opt_str(pk, "period", m->query.period);
		}
		break;
	case PROTO_NOTE:
		mpack_pack_opt_str(pk, "indicator", m->query.indicator);
		mpack_pack_opt_str(pk, "orgunit", m->query.orgunit);
		mpack_pack_opt_str(pk, "period", m->query.period);
		if (m->has_note)
			mpack_pack_kv_str(pk, "text", m->note_text);
		if (m->note_history) {
			mpack_pack_str(pk, "history");
			msgpack_pack_true(pk);
		}
		break;
	case PROTO_NOTES:
		mpack_pack_str(pk, "notes");
		msgpack_pack_array(pk, m->n_notes);
		for (i = 0; i < m->n_notes; i++) {
			const struct proto_note *x = &m->notes[i];
			msgpack_pack_map(pk, 4 + (x->who[0] != 0) + (x->at_ms != 0));
			mpack_pack_kv_str(pk, "indicator", x->indicator);
			mpack_pack_kv_str(pk, "orgunit", x->orgunit);
			mpack_pack_kv_str(pk, "period", x->period);
			mpack_pack_kv_str(pk, "text", x->text);
			mpack_pack_opt_str(pk, "who", x->who);
			if (x->at_ms) {
				mpack_pack_str(pk, "at");
				msgpack_pack_uint64(pk, x->at_ms);
			}
		}
		break;
	case PROTO_TARGET:
		mpack_pack_opt_str(pk, "indicator", m->query.indicator);
		mpack_pack_opt_str(pk, "orgunit", m->query.orgunit);
		mpack_pack_opt_str(pk, "period", m->query.period);
		if (m->has_target) {
			mpack_pack_str(pk, "target");
			msgpack_pack_double(pk, (double)m->target / 100.0);
		}
		break;
	case PROTO_TARGETS:
		mpack_pack_str(pk, "targets");
		msgpack_pack_array(pk, m->n_targets);
		for (i = 0; i < m->n_targets; i++) {
			const struct proto_target *x = &m->targets[i];
			bool revised = x->original != x->target;
			msgpack_pack_map(pk, 5 + revised + (x->who[0] != 0));
			mpack_pack_kv_str(pk, "indicator", x->indicator);
			mpack_pack_kv_str(pk, "orgunit", x->orgunit);
			mpack_pack_kv_str(pk, "period", x->period);
			mpack_pack_str(pk, "target");
			msgpack_pack_double(pk, (double)x->target / 100.0);
			if (revised) {
				mpack_pack_str(pk, "target_original");
				msgpack_pack_double(pk, (double)x->original / 100.0);
			}
			mpack_pack_opt_str(pk, "who", x->who);
			mpack_pack_str(pk, "at");
			msgpack_pack_uint64(pk, x->at_ms);
		}
		break;
	case PROTO_WHOAMI:
		break;
	case PROTO_IDENTITY:
		pack_identity(pk, &m->identity);
		break;
	case PROTO_EVENTS:
		mpack_pack_str(pk, "events");
		msgpack_pack_array(pk, m->n_stored);
		for (i = 0; i < m->n_stored; i++)
			pack_stored(pk, &m->stored[i]);
		break;
	case PROTO_CATALOG:
		if (m->title[0])
			mpack_pack_kv_str(pk, "title", m->title);
		if (m->year)
			mpack_pack_kv_int(pk, "year", m->year);
		pack_letter(pk, &m->letter);
		mpack_pack_str(pk, "indicators");
		msgpack_pack_array(pk, m->n_indicators);
		for (i = 0; i < m->n_indicators; i++)
			pack_indicator(pk, &m->indicators[i]);
		mpack_pack_str(pk, "orgunits");
		msgpack_pack_array(pk, m->n_orgunits);
		for (i = 0; i < m->n_orgunits; i++)
			pack_orgunit(pk, &m->orgunits[i]);
		if (m->n_elements) {
			mpack_pack_str(pk, "elements");
			msgpack_pack_array(pk, m->n_elements);
			for (i = 0; i < m->n_elements; i++)
				element_pack(pk, &m->elements[i]);
		}
		break;
	}
	return 0;
}

/* Whether the message holds only what the decoder accepts back. */
static bool encodable(const struct proto_msg *m)
{
	if (!proto_type_name(m->type) || (m->type == PROTO_UPDATE && m->n_values != 1) ||
	    m->n_events > PROTO_EVENTS_MAX || m->n_values > PROTO_VALUES_MAX ||
	    m->n_indicators > PROTO_VALUES_MAX || m->n_orgunits > PROTO_VALUES_MAX ||
	    m->n_locks > PROTO_VALUES_MAX || m->n_stored > PROTO_EVENTS_MAX ||
	    m->n_elements > PROTO_VALUES_MAX ||
	    m->n_targets > PROTO_VALUES_MAX || m->n_notes > PROTO_VALUES_MAX ||
	    m->identity.n_elements > PROTO_VALUES_MAX)
		return false;
	for (size_t i = 0; i < m->n_events; i++)
		if (m->events[i].op <= PROTO_OP_NONE || m->events[i].op > PROTO_OP_VOID)
			return false;
	for (size_t i = 0; i < m->n_results; i++)
		if (m->results[i].status > PROTO_STATUS_ERROR)
			return false;
	for (size_t i = 0; i < m->n_stored; i++)
		if (m->stored[i].ev.op <= PROTO_OP_NONE || m->stored[i].ev.op > PROTO_OP_VOID)
			return false;
	for (size_t i = 0; i < m->n_elements; i++) {
		const struct proto_element *e = &m->elements[i];
		if (e->n_ops < 1 || e->n_ops > 2)
			return false;
		for (int j = 0; j < e->n_ops; j++)
			if (e->ops[j] <= PROTO_OP_NONE || e->ops[j] >= PROTO_OP_VOID)
				return false;
	}
	return true;
}

int proto_encode(const struct proto_msg *m, char **out, size_t *len)
{
	if (!encodable(m))
		return IKI_EFIELD;
	struct mpack_sink sink;
	msgpack_packer pk;
	mpack_sink_init(&sink, &pk, PROTO_MSG_MAX);
	bool with_req = m->type != PROTO_UPDATE && m->type != PROTO_HEARTBEAT;
	msgpack_pack_map(&pk, 2 + with_req + body_keys(m) + page_keys(m));
	mpack_pack_kv_int(&pk, "v", PROTO_VERSION);
	mpack_pack_kv_str(&pk, "type", type_names[m->type]);
	if (with_req) {
		mpack_pack_str(&pk, "req");
		msgpack_pack_uint64(&pk, m->req);
	}
	int rc = pack_body(&pk, m);
	pack_page(&pk, m);
	return mpack_sink_finish(&sink, rc, out, len);
}
