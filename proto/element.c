/* element.c: the catalog message's data elements and case types (what an entry form needs). */
#include "element.h"

#include <string.h>

#include "iki.h"
#include "mpack.h"

/* The strings of the array under key joined with " " into buf (size n): each non-empty, no blank. */
static int get_words(const msgpack_object_map *m, const char *key, char *buf, size_t n)
{
	const msgpack_object *o = mpack_get(m, key);
	size_t len = 0;
	buf[0] = '\0';
	if (!o)
		return 0;
	if (o->type != MSGPACK_OBJECT_ARRAY)
		return IKI_EFIELD;
	for (uint32_t i = 0; i < o->via.array.size; i++) {
		const msgpack_object *w = &o->via.array.ptr[i];
		if (w->type != MSGPACK_OBJECT_STR || w->via.str.size == 0 ||
		    len + (i > 0) + w->via.str.size >= n || memchr(w->via.str.ptr, ' ', w->via.str.size) ||
		    iki_utf8_check(w->via.str.ptr, w->via.str.size) != w->via.str.size)
			return IKI_EFIELD;
		if (i > 0)
			buf[len++] = ' ';
		memcpy(buf + len, w->via.str.ptr, w->via.str.size);
		len += w->via.str.size;
		buf[len] = '\0';
	}
	return 0;
}

/* An element's ops: an array of one or two op names, void not among them. */
static int get_ops(const msgpack_object_map *m, struct proto_element *e)
{
	const msgpack_object *o = mpack_get(m, "ops");
	if (!o || o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 1 || o->via.array.size > 2)
		return IKI_EFIELD;
	for (uint32_t i = 0; i < o->via.array.size; i++) {
		const msgpack_object *w = &o->via.array.ptr[i];
		char name[8];
		if (w->type != MSGPACK_OBJECT_STR || w->via.str.size == 0 || w->via.str.size >= sizeof(name))
			return IKI_EFIELD;
		memcpy(name, w->via.str.ptr, w->via.str.size);
		name[w->via.str.size] = '\0';
		int op = PROTO_OP_ADD;
		while (op < PROTO_OP_VOID && strcmp(proto_op_name((enum proto_op)op), name))
			op++;
		if (op == PROTO_OP_VOID)
			return IKI_EFIELD; /* unknown, or void */
		e->ops[e->n_ops++] = (enum proto_op)op;
	}
	return 0;
}

int element_decode(const msgpack_object_map *m, void *item)
{
	struct proto_element *e = item;
	char kind[8], count_close[8];
	int64_t limit = -1;
	if (mpack_get_str(m, "code", e->code, sizeof(e->code), true) < 0 ||
	    mpack_get_str(m, "name", e->name, sizeof(e->name), true) < 0 ||
	    mpack_get_str(m, "kind", kind, sizeof(kind), true) < 0 ||
	    mpack_get_str(m, "unit", e->unit, sizeof(e->unit), false) < 0 ||
	    mpack_get_str(m, "aggregate", e->aggregate, sizeof(e->aggregate), false) < 0 || get_ops(m, e) < 0 ||
	    mpack_get_int(m, "min", &e->min, true) < 0 || mpack_get_int(m, "max", &e->max, true) < 0 ||
	    mpack_get_int(m, "limit_days", &limit, false) < 0 ||
	    mpack_get_str(m, "count_close", count_close, sizeof(count_close), false) < 0 ||
	    get_words(m, "reported_by", e->reported_by, sizeof(e->reported_by)) < 0 ||
	    mpack_get_str(m, "schedule", e->schedule, sizeof(e->schedule), false) < 0 ||
	    mpack_get_str(m, "every", e->every, sizeof(e->every), e->schedule[0] != 0) < 0)
		return IKI_EFIELD;
	e->is_case = !strcmp(kind, "case");
	e->limit_days = (int)limit;
	e->close_at_open = !strcmp(count_close, "open");
	if ((!e->is_case && strcmp(kind, "element")) || e->min > e->max || limit < -1 || limit > 100000 ||
	    (count_close[0] && !e->close_at_open))
		return IKI_EFIELD;
	return 0;
}

/* A reported_by list ("umum desa") as an array of its words. */
static void pack_words(struct mpack_enc *enc, const char *list)
{
	uint32_t n = 0;
	for (const char *p = list; *p; p++)
		n += (p == list || p[-1] == ' ') && *p != ' ';
	mpack_put_array(enc, n);
	for (const char *p = list; *p;) {
		size_t w = strcspn(p, " ");
		if (w)
			mpack_put_strn(enc, p, w);
		p += w + (p[w] == ' ');
	}
}

void element_pack(struct mpack_enc *enc, const void *item)
{
	const struct proto_element *e = item;
	mpack_kv_str(enc, "code", e->code);
	mpack_kv_str(enc, "name", e->name);
	mpack_kv_str(enc, "kind", e->is_case ? "case" : "element");
	mpack_kv_opt_str(enc, "unit", e->unit);
	mpack_kv_opt_str(enc, "aggregate", e->aggregate);
	if (mpack_key(enc, "ops")) {
		mpack_put_array(enc, (size_t)e->n_ops);
		for (int i = 0; i < e->n_ops; i++)
			mpack_put_str(enc, proto_op_name(e->ops[i]));
	}
	mpack_kv_int(enc, "min", e->min);
	mpack_kv_int(enc, "max", e->max);
	if (e->is_case && e->limit_days >= 0)
		mpack_kv_int(enc, "limit_days", e->limit_days);
	if (e->close_at_open)
		mpack_kv_str(enc, "count_close", "open");
	if (e->reported_by[0] && mpack_key(enc, "reported_by"))
		pack_words(enc, e->reported_by);
	if (e->schedule[0]) {
		mpack_kv_str(enc, "schedule", e->schedule);
		mpack_kv_str(enc, "every", e->every);
	}
}
