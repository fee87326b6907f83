/* proto_enc.c: encode iki's messages, one writer a message type over mpack's field writers;
 * every write checked, so a failed one is an error, never a truncated message. */
#include "proto.h"

#include <msgpack.h>
#include <stddef.h>
#include <string.h>

#include "batch.h"
#include "element.h"
#include "iki.h"
#include "mpack.h"
#include "proto_int.h"

/* A percentage kept in hundredths, written as the number it is. */
static void kv_percent(struct mpack_enc *e, const char *k, int64_t hundredths)
{
	mpack_kv_double(e, k, (double)hundredths / 100.0);
}

/* A value's codes, each when given (history, target, note). */
static void kv_codes(struct mpack_enc *e, const struct proto_query *q)
{
	mpack_kv_opt_str(e, "indicator", q->indicator);
	mpack_kv_opt_str(e, "orgunit", q->orgunit);
	mpack_kv_opt_str(e, "period", q->period);
}

/* An event's keys: element, orgunit and date are required (and so always written) but for a
 * void; a value left out (no_value) stays out, for ikid to refuse it where one is needed. */
static void event_keys(struct mpack_enc *e, const struct proto_event *ev)
{
	mpack_kv_str(e, "id", ev->id);
	mpack_kv_opt_str(e, "element", ev->element);
	mpack_kv_opt_str(e, "orgunit", ev->orgunit);
	mpack_kv_opt_str(e, "date", ev->date);
	mpack_kv_str(e, "op", proto_op_names[ev->op]);
	if (!ev->no_value)
		mpack_kv_int(e, "value", ev->value);
	mpack_kv_opt_str(e, "case", ev->case_id);
	mpack_kv_opt_str(e, "comment", ev->comment);
	mpack_kv_opt_str(e, "ref", ev->ref);
}

static void pack_event(struct mpack_enc *e, const void *x)
{
	event_keys(e, x);
}

static void pack_stored(struct mpack_enc *e, const void *x)
{
	const struct proto_stored *s = x;
	event_keys(e, &s->ev);
	mpack_kv_uint(e, "seq", s->seq);
	mpack_kv_uint(e, "at", s->at_ms);
	mpack_kv_opt_str(e, "who", s->who);
	mpack_kv_opt_str(e, "voided_by", s->voided_by);
	mpack_kv_true(e, "dropped", s->dropped);
}

static void pack_result(struct mpack_enc *e, const void *x)
{
	const struct proto_result *r = x;
	mpack_kv_str(e, "status", proto_status_names[r->status]);
	if (r->status != PROTO_STATUS_ERROR)
		return;
	mpack_kv_str(e, "code", iki_code_name(r->code));
	mpack_kv_str(e, "message", r->message);
}

static void pack_value(struct mpack_enc *e, const void *x)
{
	const struct proto_value *v = x;
	double ratio;
	mpack_kv_str(e, "indicator", v->indicator);
	mpack_kv_opt_str(e, "name", v->name);
	mpack_kv_opt_str(e, "jabatan", v->jabatan);
	mpack_kv_str(e, "orgunit", v->orgunit);
	mpack_kv_str(e, "period", v->period);
	mpack_kv_int(e, "num", v->num);
	mpack_kv_int(e, "den", v->den);
	mpack_kv_int(e, "factor", v->factor);
	if (mpack_key(e, "value")) {
		if (proto_value_ratio(v, &ratio))
			mpack_put_double(e, ratio);
		else
			mpack_put_nil(e);
	}
	mpack_kv_opt_str(e, "check", v->check);
	if (!v->has_target)
		return;
	kv_percent(e, "target", v->target);
	if (v->revised)
		kv_percent(e, "target_original", v->target_original);
	if (v->has_capaian) {
		mpack_kv_double(e, "capaian", v->capaian);
		mpack_kv_str(e, "predikat", v->predikat);
	}
}

static void pack_indicator(struct mpack_enc *e, const void *x)
{
	const struct proto_indicator *d = x;
	mpack_kv_str(e, "indicator", d->indicator);
	mpack_kv_opt_str(e, "rows", d->rows);
	mpack_kv_str(e, "name", d->name);
	mpack_kv_opt_str(e, "jabatan", d->jabatan);
	mpack_kv_opt_str(e, "sasaran", d->sasaran);
	mpack_kv_opt_str(e, "kind", d->kind);
	mpack_kv_str(e, "numerator", d->numerator);
	mpack_kv_str(e, "denominator", d->denominator);
	mpack_kv_int(e, "factor", d->factor);
	mpack_kv_str(e, "polarity", d->down ? "down" : "up");
	mpack_kv_opt_str(e, "source", d->source);
}

static void pack_orgunit(struct mpack_enc *e, const void *x)
{
	const struct proto_orgunit *o = x;
	mpack_kv_str(e, "code", o->code);
	mpack_kv_str(e, "name", o->name);
	mpack_kv_opt_str(e, "kind", o->kind);
	mpack_kv_opt_str(e, "parent", o->parent);
}

static void pack_lock(struct mpack_enc *e, const void *x)
{
	const struct proto_lock *l = x;
	mpack_kv_str(e, "period", l->period);
	mpack_kv_opt_str(e, "who", l->who);
	mpack_kv_uint(e, "at", l->at_ms);
}

static void pack_note(struct mpack_enc *e, const void *x)
{
	const struct proto_note *n = x;
	mpack_kv_str(e, "indicator", n->indicator);
	mpack_kv_str(e, "orgunit", n->orgunit);
	mpack_kv_str(e, "period", n->period);
	mpack_kv_str(e, "text", n->text);
	mpack_kv_opt_str(e, "who", n->who);
	if (n->at_ms)
		mpack_kv_uint(e, "at", n->at_ms);
}

static void pack_target(struct mpack_enc *e, const void *x)
{
	const struct proto_target *t = x;
	mpack_kv_str(e, "indicator", t->indicator);
	mpack_kv_str(e, "orgunit", t->orgunit);
	mpack_kv_str(e, "period", t->period);
	kv_percent(e, "target", t->target);
	if (t->original != t->target)
		kv_percent(e, "target_original", t->original);
	mpack_kv_opt_str(e, "who", t->who);
	mpack_kv_uint(e, "at", t->at_ms);
}

/* The page keys (see decode_page): a request's cursor and limit, an answer's next cursor. */
static void pack_page(struct mpack_enc *e, const struct proto_msg *m)
{
	enum proto_page keys = proto_page_keys(m->type);
	if (keys == PROTO_PAGE_REQUEST) {
		mpack_kv_opt_str(e, "after", m->after);
		if (m->limit)
			mpack_kv_uint(e, "limit", m->limit);
	} else if (keys == PROTO_PAGE_ANSWER) {
		mpack_kv_opt_str(e, "next", m->next);
	}
}

/* A submit's events: the compact batch, unless the message asks for the map form. */
static void pack_submit(struct mpack_enc *e, const struct proto_msg *m)
{
	if (m->submit_maps)
		mpack_kv_maps(e, "events", pack_event, m->events, m->n_events, sizeof(*m->events));
	else if (mpack_key(e, "batch"))
		batch_pack(e, m->events, m->n_events);
}

static void pack_submitted(struct mpack_enc *e, const struct proto_msg *m)
{
	mpack_kv_maps(e, "results", pack_result, m->results, m->n_results, sizeof(*m->results));
}

/* query and snapshot: a query's period is required (and so always written). */
static void pack_query(struct mpack_enc *e, const struct proto_msg *m)
{
	mpack_kv_opt_str(e, "indicator", m->query.indicator);
	mpack_kv_opt_str(e, "jabatan", m->query.jabatan);
	mpack_kv_opt_str(e, "orgunit", m->query.orgunit);
	if (m->query.period[0] || m->type == PROTO_QUERY)
		mpack_kv_str(e, "period", m->query.period);
}

static void pack_values(struct mpack_enc *e, const struct proto_msg *m)
{
	if (m->seq)
		mpack_kv_uint(e, "seq", m->seq);
	mpack_kv_maps(e, "values", pack_value, m->values, m->n_values, sizeof(*m->values));
}

static void pack_error(struct mpack_enc *e, const struct proto_msg *m)
{
	mpack_kv_str(e, "code", iki_code_name(m->code));
	mpack_kv_str(e, "message", m->message);
}

static void pack_update(struct mpack_enc *e, const struct proto_msg *m)
{
	mpack_kv_uint(e, "seq", m->seq);
	mpack_kv_map(e, "value", pack_value, m->values);
}

static void pack_heartbeat(struct mpack_enc *e, const struct proto_msg *m)
{
	mpack_kv_uint(e, "seq", m->seq);
}

/* A report's letterhead and signature: "kop" (an array, when any) and the sign_ keys given. */
static void pack_letter(struct mpack_enc *e, const struct proto_letter *l)
{
	if (l->n_kop > 0)
		mpack_kv_strs(e, "kop", (const char *)l->kop, (size_t)l->n_kop, sizeof(l->kop[0]));
	for (size_t i = 0; i < PROTO_LETTER_FIELDS; i++)
		mpack_kv_opt_str(e, proto_letter_fields[i].key, (const char *)l + proto_letter_fields[i].off);
}

static void pack_catalog(struct mpack_enc *e, const struct proto_msg *m)
{
	mpack_kv_opt_str(e, "title", m->title);
	if (m->year)
		mpack_kv_int(e, "year", m->year);
	pack_letter(e, &m->letter);
	mpack_kv_maps(e, "indicators", pack_indicator, m->indicators, m->n_indicators,
		      sizeof(*m->indicators));
	mpack_kv_maps(e, "orgunits", pack_orgunit, m->orgunits, m->n_orgunits, sizeof(*m->orgunits));
	if (m->n_elements)
		mpack_kv_maps(e, "elements", element_pack, m->elements, m->n_elements,
			      sizeof(*m->elements));
}

static void pack_lock_request(struct mpack_enc *e, const struct proto_msg *m)
{
	mpack_kv_opt_str(e, "period", m->query.period);
	mpack_kv_true(e, "unlock", m->unlock);
}

static void pack_locks(struct mpack_enc *e, const struct proto_msg *m)
{
	mpack_kv_maps(e, "locks", pack_lock, m->locks, m->n_locks, sizeof(*m->locks));
}

/* history: an event id, or a value's codes. */
static void pack_history(struct mpack_enc *e, const struct proto_msg *m)
{
	if (m->id[0])
		mpack_kv_str(e, "id", m->id);
	else
		kv_codes(e, &m->query);
}

static void pack_events(struct mpack_enc *e, const struct proto_msg *m)
{
	mpack_kv_maps(e, "events", pack_stored, m->stored, m->n_stored, sizeof(*m->stored));
}

static void pack_target_request(struct mpack_enc *e, const struct proto_msg *m)
{
	kv_codes(e, &m->query);
	if (m->has_target)
		kv_percent(e, "target", m->target);
}

static void pack_targets(struct mpack_enc *e, const struct proto_msg *m)
{
	mpack_kv_maps(e, "targets", pack_target, m->targets, m->n_targets, sizeof(*m->targets));
}

static void pack_note_request(struct mpack_enc *e, const struct proto_msg *m)
{
	kv_codes(e, &m->query);
	if (m->has_note)
		mpack_kv_str(e, "text", m->note_text);
	mpack_kv_true(e, "history", m->note_history);
}

static void pack_notes(struct mpack_enc *e, const struct proto_msg *m)
{
	mpack_kv_maps(e, "notes", pack_note, m->notes, m->n_notes, sizeof(*m->notes));
}

static void pack_identity(struct mpack_enc *e, const struct proto_msg *m)
{
	const struct proto_identity *id = &m->identity;
	mpack_kv_str(e, "name", id->name);
	mpack_kv_str(e, "role", id->role);
	mpack_kv_opt_str(e, "scope", id->scope);
	/* a struct proto_code is its code */
	mpack_kv_strs(e, "elements", (const char *)id->elements, id->n_elements, sizeof(*id->elements));
}

/* The body of each type (describe and whoami have none). */
static void (*const body_writers[PROTO_TYPE_LAST + 1])(struct mpack_enc *e, const struct proto_msg *m) = {
	[PROTO_SUBMIT] = pack_submit,   [PROTO_SUBMITTED] = pack_submitted,
	[PROTO_QUERY] = pack_query,     [PROTO_VALUES] = pack_values,
	[PROTO_ERROR] = pack_error,     [PROTO_UPDATE] = pack_update,
	[PROTO_SNAPSHOT] = pack_query,  [PROTO_HEARTBEAT] = pack_heartbeat,
	[PROTO_CATALOG] = pack_catalog, [PROTO_LOCK] = pack_lock_request,
	[PROTO_LOCKS] = pack_locks,     [PROTO_HISTORY] = pack_history,
	[PROTO_EVENTS] = pack_events,   [PROTO_TARGET] = pack_target_request,
	[PROTO_TARGETS] = pack_targets, [PROTO_NOTE] = pack_note_request,
	[PROTO_NOTES] = pack_notes,     [PROTO_IDENTITY] = pack_identity,
};

/* The envelope (version, type, the request number but on updates and heartbeats), the body of
 * the message's type, its page keys. */
static void pack_message(struct mpack_enc *e, const void *x)
{
	const struct proto_msg *m = x;
	mpack_kv_int(e, "v", PROTO_VERSION);
	mpack_kv_str(e, "type", proto_type_names[m->type]);
	if (m->type != PROTO_UPDATE && m->type != PROTO_HEARTBEAT)
		mpack_kv_uint(e, "req", m->req);
	if (body_writers[m->type]) /* m->type is known: encodable() */
		body_writers[m->type](e, m);
	pack_page(e, m);
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

int proto_pack(msgpack_packer *pk, const struct proto_msg *m)
{
	return encodable(m) ? mpack_pack(pk, pack_message, m) : IKI_EFIELD;
}

int proto_encode_within(const struct proto_msg *m, size_t max, char **out, size_t *len)
{
	struct mpack_sink sink;
	msgpack_packer pk;
	mpack_sink_init(&sink, &pk, max);
	return mpack_sink_finish(&sink, proto_pack(&pk, m), out, len);
}

int proto_encode(const struct proto_msg *m, char **out, size_t *len)
{
	return proto_encode_within(m, PROTO_MSG_MAX, out, len);
}

/* A fixed buffer behind the packer: a write that does not fit is refused, and remembered. */
struct fixed_sink {
	char *buf;
	size_t cap, len;
	int rc;
};

static int fixed_write(void *data, const char *b, size_t n)
{
	struct fixed_sink *f = data;
	if (n > f->cap - f->len) {
		f->rc = IKI_ETOOBIG;
		return -1;
	}
	memcpy(f->buf + f->len, b, n);
	f->len += n;
	return 0;
}

int proto_encode_to(const struct proto_msg *m, char *buf, size_t cap, size_t *len)
{
	struct fixed_sink f = {buf, cap, 0, 0};
	msgpack_packer pk;
	msgpack_packer_init(&pk, &f, fixed_write);
	int rc = proto_pack(&pk, m);
	if (rc < 0)
		return f.rc < 0 ? f.rc : rc;
	*len = f.len;
	return 0;
}
