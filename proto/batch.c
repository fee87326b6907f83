/* batch.c: the compact form of a submit: its events as columns, with a table of shared strings. */
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iki.h"
#include "mpack.h"
#include "period.h"

#define DAY_FIRST (-719162)  /* 0001-01-01, in days since 1970-01-01 */
#define DAY_LAST 2932896     /* 9999-12-31: the last day "YYYY-MM-DD" can write */
#define DAY_SPAN 10000000    /* |day0| and |a date's offset| at most this: no overflow adding */

enum col { COL_ID, COL_ELEMENT, COL_ORGUNIT, COL_DATE, COL_OP, COL_VALUE, COL_CASE, COL_COMMENT,
	   COL_REF, COL_COUNT };

static const char *const col_names[COL_COUNT] = {"id",    "element", "orgunit", "date", "op",
						 "value", "case",    "comment", "ref"};

/* ---- decoding ---- */

/* A batch's columns as read: every array holds exactly n entries (id: 2n). */
struct columns {
	const msgpack_object *col[COL_COUNT]; /* the arrays, NULL when left out */
	const msgpack_object *str;            /* the string table's entries (all str) */
	uint32_t n_str;
	bool has_day0;
	int64_t day0;
	char prev[PROTO_ID_MAX + 1]; /* the last id decoded without error ("" at first) */
};

/* The string table: an array of at most BATCH_STRINGS_MAX strings. */
static int table_read(const msgpack_object_map *b, struct columns *c)
{
	const msgpack_object *t = mpack_get(b, "str");
	if (!t)
		return 0;
	if (t->type != MSGPACK_OBJECT_ARRAY)
		return IKI_EFIELD;
	if (t->via.array.size > BATCH_STRINGS_MAX)
		return IKI_ETOOBIG;
	for (uint32_t i = 0; i < t->via.array.size; i++)
		if (t->via.array.ptr[i].type != MSGPACK_OBJECT_STR)
			return IKI_EFIELD;
	c->str = t->via.array.ptr;
	c->n_str = t->via.array.size;
	return 0;
}

static int columns_read(const msgpack_object_map *b, uint32_t n, struct columns *c)
{
	int rc = table_read(b, c);
	if (rc < 0)
		return rc;
	c->has_day0 = mpack_get(b, "day0") != NULL;
	if (c->has_day0 && (mpack_get_int(b, "day0", &c->day0, true) < 0 || c->day0 < -DAY_SPAN ||
			    c->day0 > DAY_SPAN))
		return IKI_EFIELD;
	for (int k = 0; k < COL_COUNT; k++) {
		const msgpack_object *o = mpack_get(b, col_names[k]);
		uint32_t want = k == COL_ID ? 2 * n : n;
		if (o && (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size != want))
			return IKI_EFIELD; /* a column that disagrees with n spoils the batch */
		c->col[k] = o;
	}
	return 0;
}

/* Entry i of column k, or NULL when the column was left out. */
static const msgpack_object *entry(const struct columns *c, enum col k, uint32_t i)
{
	return c->col[k] ? &c->col[k]->via.array.ptr[i] : NULL;
}

/* A string column's entry: a str, or a uint indexing the string table; then as mpack_str. */
static int row_str(const struct columns *c, enum col k, uint32_t i, char *buf, size_t n, bool required)
{
	const msgpack_object *o = entry(c, k, i);
	if (o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
		if (o->via.u64 >= c->n_str) {
			buf[0] = '\0';
			return IKI_EFIELD;
		}
		o = &c->str[o->via.u64];
	}
	return mpack_str(o, buf, n, required);
}

/* A date: an int, days after day0; or a str written as in the map form. */
static int row_date(const struct columns *c, uint32_t i, char *buf, bool required)
{
	const msgpack_object *o = entry(c, COL_DATE, i);
	bool pos = o && o->type == MSGPACK_OBJECT_POSITIVE_INTEGER;
	if (!pos && !(o && o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER))
		return row_str(c, COL_DATE, i, buf, PROTO_DATE_MAX + 1, required);
	buf[0] = '\0';
	if (!c->has_day0 || (pos && o->via.u64 > DAY_SPAN) || (!pos && o->via.i64 < -DAY_SPAN))
		return IKI_EFIELD;
	int64_t day = c->day0 + (pos ? (int64_t)o->via.u64 : o->via.i64);
	if (day < DAY_FIRST || day > DAY_LAST)
		return IKI_EFIELD;
	period_date_format((int32_t)day, buf);
	return 0;
}

/* The op's name (a string column) as its enum, or -1. */
static int row_op(const struct columns *c, uint32_t i)
{
	char name[16];
	if (row_str(c, COL_OP, i, name, sizeof(name), true) < 0)
		return -1;
	for (int op = PROTO_OP_ADD; op <= PROTO_OP_VOID; op++)
		if (!strcmp(proto_op_name((enum proto_op)op), name))
			return op;
	return -1;
}

/* Whether event i has no value: the column left out, or nil in it (refused for an element). */
static bool row_no_value(const struct columns *c, uint32_t i)
{
	const msgpack_object *o = entry(c, COL_VALUE, i);
	return !o || o->type == MSGPACK_OBJECT_NIL;
}

/* A value: an int, or none (row_no_value), which leaves *v (1). */
static int row_value(const struct columns *c, uint32_t i, int64_t *v)
{
	return row_no_value(c, i) ? 0 : mpack_int(entry(c, COL_VALUE, i), v, true);
}

/* An id: keep the first `keep` bytes of the last id decoded, append the suffix (a str). */
static int row_id(struct columns *c, uint32_t i, char *id)
{
	const msgpack_object *keep = entry(c, COL_ID, 2 * i), *suffix = entry(c, COL_ID, 2 * i + 1);
	id[0] = '\0';
	if (!keep || keep->type != MSGPACK_OBJECT_POSITIVE_INTEGER || suffix->type != MSGPACK_OBJECT_STR ||
	    keep->via.u64 > strlen(c->prev) || keep->via.u64 + suffix->via.str.size > PROTO_ID_MAX)
		return IKI_EFIELD;
	size_t k = (size_t)keep->via.u64, n = suffix->via.str.size;
	memcpy(id, c->prev, k);
	if (n) /* ptr is NULL for "" */
		memcpy(id + k, suffix->via.str.ptr, n);
	id[k + n] = '\0';
	if (k + n == 0 || iki_utf8_check(id, k + n) != k + n) {
		memset(id, 0, k + n); /* as the map form: nothing of a refused id kept */
		return IKI_EFIELD;
	}
	memcpy(c->prev, id, k + n + 1);
	return 0;
}

/* As proto.c's event_fail: the first broken field is the one named. */
static void row_fail(struct proto_event *e, const char *field)
{
	if (e->err == 0) {
		e->err = IKI_EFIELD;
		snprintf(e->err_field, sizeof(e->err_field), "%s", field);
	}
}

/* Event i, checked field by field in the map form's order (proto.c decode_event). */
static void row_decode(struct columns *c, uint32_t i, struct proto_event *e)
{
	int op = row_op(c, i);
	e->op = op > 0 ? (enum proto_op)op : PROTO_OP_NONE;
	bool full = e->op != PROTO_OP_VOID; /* a void names only what it voids */
	if (row_id(c, i, e->id) < 0)
		row_fail(e, "id");
	if (row_str(c, COL_ELEMENT, i, e->element, sizeof(e->element), full) < 0)
		row_fail(e, "element");
	if (row_str(c, COL_ORGUNIT, i, e->orgunit, sizeof(e->orgunit), full) < 0)
		row_fail(e, "orgunit");
	if (row_date(c, i, e->date, full) < 0)
		row_fail(e, "date");
	if (op <= 0)
		row_fail(e, "op");
	if (row_str(c, COL_REF, i, e->ref, sizeof(e->ref), !full) < 0)
		row_fail(e, "ref");
	e->value = 1;
	e->no_value = row_no_value(c, i);
	if (row_value(c, i, &e->value) < 0)
		row_fail(e, "value");
	if (row_str(c, COL_CASE, i, e->case_id, sizeof(e->case_id), false) < 0)
		row_fail(e, "case");
	if (row_str(c, COL_COMMENT, i, e->comment, sizeof(e->comment), false) < 0)
		row_fail(e, "comment");
}

int batch_decode(const msgpack_object *o, struct proto_msg *msg)
{
	uint64_t n;
	if (o->type != MSGPACK_OBJECT_MAP || !mpack_keys_valid(&o->via.map) ||
	    mpack_get_uint(&o->via.map, "n", &n) < 0)
		return IKI_EFIELD;
	if (n > PROTO_EVENTS_MAX)
		return IKI_ETOOBIG;
	struct columns c;
	memset(&c, 0, sizeof(c));
	int rc = columns_read(&o->via.map, (uint32_t)n, &c);
	if (rc < 0)
		return rc;
	msg->events = calloc(n ? n : 1, sizeof(*msg->events));
	if (!msg->events)
		return -ENOMEM;
	msg->n_events = n;
	for (uint32_t i = 0; i < n; i++)
		row_decode(&c, i, &msg->events[i]);
	return 0;
}

/* ---- encoding ---- */

/* A string of the batch and how often it is used; the table holds those used twice or more. */
struct slot {
	const char *s;
	uint32_t count, first;
	int32_t index; /* in the table, or -1: written inline */
};

struct strtab {
	struct slot *slots; /* open addressing, cap a power of two */
	size_t cap;
	uint32_t seen;
	struct slot **table; /* the table, most used first */
	uint32_t n;
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static struct slot *slot_of(const struct strtab *t, const char *s)
{
	size_t i = hash(s) & (t->cap - 1);
	while (t->slots[i].s && strcmp(t->slots[i].s, s))
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

static void count_str(struct strtab *t, const char *s)
{
	if (!s[0])
		return; /* "" is always written inline: one byte */
	struct slot *x = slot_of(t, s);
	if (!x->s)
		*x = (struct slot){.s = s, .first = t->seen++, .index = -1};
	x->count++;
}

static int slot_cmp(const void *a, const void *b)
{
	const struct slot *x = *(struct slot *const *)a, *y = *(struct slot *const *)b;
	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* The strings of the string columns; the table sorted by use so common ones get short indices. */
static int strtab_build(struct strtab *t, const struct proto_event *ev, size_t n)
{
	for (t->cap = 16; t->cap < 2 * (6 * n + 1);)
		t->cap *= 2;
	t->slots = calloc(t->cap, sizeof(*t->slots));
	t->table = calloc(6 * n + 1, sizeof(*t->table));
	if (!t->slots || !t->table)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		count_str(t, ev[i].element);
		count_str(t, ev[i].orgunit);
		count_str(t, proto_op_name(ev[i].op));
		count_str(t, ev[i].case_id);
		count_str(t, ev[i].comment);
		count_str(t, ev[i].ref);
	}
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].s && t->slots[i].count > 1)
			t->table[t->n++] = &t->slots[i];
	qsort(t->table, t->n, sizeof(*t->table), slot_cmp);
	for (uint32_t i = 0; i < t->n; i++)
		t->table[i]->index = (int32_t)i;
	return 0;
}

static void strtab_free(struct strtab *t)
{
	free(t->slots);
	free(t->table);
}

/* What the batch map is written from. */
struct batch {
	const struct proto_event *ev;
	size_t n;
	struct strtab t;
	int32_t day0;
	bool has_day0;
	bool optional[COL_COUNT]; /* which optional columns any event uses */
};

/* A string column's entry: its index in the table, or the string itself. */
static void pack_entry(struct mpack_enc *e, const struct strtab *t, const char *s)
{
	const struct slot *x = s[0] ? slot_of(t, s) : NULL;
	if (x && x->index >= 0)
		mpack_put_uint(e, (uint32_t)x->index);
	else
		mpack_put_str(e, s);
}

/* The field of event e that string column k holds. */
static const char *field(const struct proto_event *e, enum col k)
{
	switch (k) {
	case COL_ELEMENT: return e->element;
	case COL_ORGUNIT: return e->orgunit;
	case COL_OP: return proto_op_name(e->op);
	case COL_CASE: return e->case_id;
	case COL_COMMENT: return e->comment;
	case COL_REF: return e->ref;
	default: return "";
	}
}

static void pack_column(struct mpack_enc *e, const struct batch *b, enum col k)
{
	if (!mpack_key(e, col_names[k]))
		return;
	mpack_put_array(e, b->n);
	for (size_t i = 0; i < b->n; i++)
		pack_entry(e, &b->t, field(&b->ev[i], k));
}

/* Ids front-coded: bytes kept from the last id the decoder will have taken, and the rest. */
static void pack_ids(struct mpack_enc *e, const struct batch *b)
{
	const char *prev = "";
	if (!mpack_key(e, "id"))
		return;
	mpack_put_array(e, 2 * b->n);
	for (size_t i = 0; i < b->n; i++) {
		const char *id = b->ev[i].id;
		size_t keep = 0, len = strlen(id);
		while (prev[keep] && prev[keep] == id[keep])
			keep++;
		mpack_put_uint(e, (uint32_t)keep);
		mpack_put_strn(e, id + keep, len - keep);
		if (len && iki_utf8_check(id, len) == len)
			prev = id; /* the decoder keeps only ids it took */
	}
}

/* Dates: days after day0 (the earliest real date), or the string when it is not a real date. */
static void pack_dates(struct mpack_enc *e, const struct batch *b)
{
	if (!mpack_key(e, "date"))
		return;
	mpack_put_array(e, b->n);
	for (size_t i = 0; i < b->n; i++) {
		int32_t day;
		if (period_date_parse(b->ev[i].date, &day) == 0)
			mpack_put_int(e, day - b->day0);
		else
			mpack_put_str(e, b->ev[i].date);
	}
}

/* Values: nil where an event has none. */
static void pack_values(struct mpack_enc *e, const struct batch *b)
{
	if (!mpack_key(e, "value"))
		return;
	mpack_put_array(e, b->n);
	for (size_t i = 0; i < b->n; i++)
		if (b->ev[i].no_value)
			mpack_put_nil(e);
		else
			mpack_put_int(e, b->ev[i].value);
}

/* Whether any event has a non-empty field in column k; values: whether any has one that is not
 * 1 or is an add's or a set's (the others' are 1, or none: nil in the column). */
static bool column_used(const struct proto_event *ev, size_t n, enum col k)
{
	for (size_t i = 0; i < n; i++)
		if (k == COL_VALUE ? !ev[i].no_value && (ev[i].value != 1 || ev[i].op == PROTO_OP_SET ||
							 ev[i].op == PROTO_OP_ADD)
				   : field(&ev[i], k)[0] != 0)
			return true;
	return false;
}

/* The earliest real date of the batch into *day0; false when there is none. */
static bool first_day(const struct proto_event *ev, size_t n, int32_t *day0)
{
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		int32_t day;
		if (period_date_parse(ev[i].date, &day) == 0 && (!any || day < *day0)) {
			*day0 = day;
			any = true;
		}
	}
	return any;
}

/* The batch map: n, the string table, day0, then the columns. */
static void batch_keys(struct mpack_enc *e, const void *x)
{
	const struct batch *b = x;
	mpack_kv_uint(e, "n", b->n);
	if (b->t.n > 0 && mpack_key(e, "str")) {
		mpack_put_array(e, b->t.n);
		for (uint32_t i = 0; i < b->t.n; i++)
			mpack_put_str(e, b->t.table[i]->s);
	}
	if (b->has_day0)
		mpack_kv_int(e, "day0", b->day0);
	pack_ids(e, b);
	pack_column(e, b, COL_ELEMENT);
	pack_column(e, b, COL_ORGUNIT);
	pack_dates(e, b);
	pack_column(e, b, COL_OP);
	if (b->optional[COL_VALUE])
		pack_values(e, b);
	for (int k = COL_CASE; k <= COL_REF; k++)
		if (b->optional[k])
			pack_column(e, b, (enum col)k);
}

void batch_pack(struct mpack_enc *e, const struct proto_event *ev, size_t n)
{
	struct batch b = {.ev = ev, .n = n};
	if (strtab_build(&b.t, ev, n) < 0) {
		mpack_fail(e, -ENOMEM);
	} else {
		for (int k = COL_VALUE; k <= COL_REF; k++)
			b.optional[k] = column_used(ev, n, (enum col)k);
		b.has_day0 = first_day(ev, n, &b.day0);
		mpack_map(e, batch_keys, &b);
	}
	strtab_free(&b.t);
}
