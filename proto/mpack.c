/* mpack.c: the msgpack helpers proto's codecs share: a walk of raw bytes, typed reads, checked writes. */
#include "mpack.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "iki.h"

/* ---- scanning: bounds and depth before msgpack-c allocates anything ---- */

/* Big-endian unsigned integer of n bytes (1, 2 or 4). */
static uint32_t be(const uint8_t *p, int n)
{
	uint32_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * Read one msgpack header at p[*off]. Sets *skip to the payload bytes that follow it (strings,
 * numbers) and *items to the objects a container holds. Returns 0 or IKI_EMALFORMED (truncated,
 * the reserved byte 0xc1, or bin/ext types, which iki never uses).
 */
static int scan_header(const uint8_t *p, size_t len, size_t *off, size_t *skip, size_t *items)
{
	static const uint8_t fixed[] = {[0xca - 0xc0] = 4, [0xcb - 0xc0] = 8, [0xcc - 0xc0] = 1,
					[0xcd - 0xc0] = 2, [0xce - 0xc0] = 4, [0xcf - 0xc0] = 8,
					[0xd0 - 0xc0] = 1, [0xd1 - 0xc0] = 2, [0xd2 - 0xc0] = 4,
					[0xd3 - 0xc0] = 8};
	uint8_t b = p[(*off)++];
	int lenbytes = 0;
	*skip = *items = 0;
	if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
		return 0;
	if (b >= 0x80 && b <= 0x9f) {
		*items = (b & 0x0f) * (b <= 0x8f ? 2u : 1u);
		return 0;
	}
	if (b >= 0xa0 && b <= 0xbf) {
		*skip = b & 0x1f;
		return 0;
	}
	if (b >= 0xca && b <= 0xd3) {
		*skip = fixed[b - 0xc0];
		return 0;
	}
	if (b >= 0xd9 && b <= 0xdb)
		lenbytes = 1 << (b - 0xd9);
	else if (b == 0xdc || b == 0xde)
		lenbytes = 2;
	else if (b == 0xdd || b == 0xdf)
		lenbytes = 4;
	else
		return IKI_EMALFORMED;
	if ((size_t)lenbytes > len - *off)
		return IKI_EMALFORMED;
	size_t n = be(p + *off, lenbytes);
	*off += lenbytes;
	if (b <= 0xdb)
		*skip = n;
	else
		*items = n * (b >= 0xde ? 2u : 1u);
	return 0;
}

/*
 * Walk one object and what it contains, checking that every count fits in the bytes left (each
 * object takes at least one byte) and that nesting stays within max.
 */
static int scan(const uint8_t *p, size_t len, size_t *off, int depth, int max)
{
	size_t skip, items;
	if (*off >= len)
		return IKI_EMALFORMED;
	int rc = scan_header(p, len, off, &skip, &items);
	if (rc < 0)
		return rc;
	if (skip > len - *off || items > len - *off)
		return IKI_EMALFORMED;
	*off += skip;
	if (items > 0 && depth >= max)
		return IKI_ETOOBIG;
	for (size_t i = 0; i < items; i++)
		if ((rc = scan(p, len, off, depth + 1, max)) < 0)
			return rc;
	return 0;
}

int mpack_scan(const void *buf, size_t len, int max_depth)
{
	size_t off = 0;
	int rc = scan(buf, len, &off, 0, max_depth);
	if (rc == 0 && off != len)
		rc = IKI_EMALFORMED; /* trailing bytes */
	return rc;
}

/* ---- reading ---- */

int mpack_name_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

const msgpack_object *mpack_get(const msgpack_object_map *m, const char *key)
{
	size_t klen = strlen(key);
	for (uint32_t i = 0; i < m->size; i++) {
		const msgpack_object *k = &m->ptr[i].key;
		if (k->type == MSGPACK_OBJECT_STR && k->via.str.size == klen &&
		    memcmp(k->via.str.ptr, key, klen) == 0)
			return &m->ptr[i].val;
	}
	return NULL;
}

/* Order of two keys: by length, then bytes (msgpack-c leaves ptr NULL for "": no memcmp then). */
static int key_order(const msgpack_object_str *a, const msgpack_object_str *b)
{
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	return a->size ? memcmp(a->ptr, b->ptr, a->size) : 0;
}

static int key_cmp(const void *a, const void *b)
{
	return key_order(*(const msgpack_object_str *const *)a, *(const msgpack_object_str *const *)b);
}

bool mpack_keys_valid(const msgpack_object_map *m)
{
	for (uint32_t i = 0; i < m->size; i++)
		if (m->ptr[i].key.type != MSGPACK_OBJECT_STR)
			return false;
	if (m->size <= 32) {
		for (uint32_t i = 0; i < m->size; i++)
			for (uint32_t j = 0; j < i; j++)
				if (key_order(&m->ptr[i].key.via.str, &m->ptr[j].key.via.str) == 0)
					return false;
		return true;
	}
	const msgpack_object_str **k = malloc(m->size * sizeof(*k));
	bool ok = k != NULL;
	for (uint32_t i = 0; ok && i < m->size; i++)
		k[i] = &m->ptr[i].key.via.str;
	if (ok)
		qsort(k, m->size, sizeof(*k), key_cmp);
	for (uint32_t i = 1; ok && i < m->size; i++)
		ok = key_order(k[i - 1], k[i]) != 0;
	free(k);
	return ok;
}

int mpack_str(const msgpack_object *o, char *buf, size_t n, bool required)
{
	buf[0] = '\0';
	if (!o)
		return required ? IKI_EFIELD : 0;
	if (o->type != MSGPACK_OBJECT_STR || o->via.str.size >= n)
		return IKI_EFIELD;
	if (iki_utf8_check(o->via.str.ptr, o->via.str.size) != o->via.str.size)
		return IKI_EFIELD;
	if (o->via.str.size) /* ptr is NULL for "" */
		memcpy(buf, o->via.str.ptr, o->via.str.size);
	buf[o->via.str.size] = '\0';
	if (required && buf[0] == '\0')
		return IKI_EFIELD;
	return 0;
}

int mpack_get_str(const msgpack_object_map *m, const char *key, char *buf, size_t n, bool required)
{
	return mpack_str(mpack_get(m, key), buf, n, required);
}

int mpack_get_int(const msgpack_object_map *m, const char *key, int64_t *v, bool required)
{
	return mpack_int(mpack_get(m, key), v, required);
}

int mpack_int(const msgpack_object *o, int64_t *v, bool required)
{
	if (!o)
		return required ? IKI_EFIELD : 0;
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX)
		*v = (int64_t)o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		*v = o->via.i64;
	else
		return IKI_EFIELD;
	return 0;
}

int mpack_get_double(const msgpack_object_map *m, const char *key, double *v, bool *present)
{
	const msgpack_object *o = mpack_get(m, key);
	*present = o != NULL;
	if (!o)
		return 0;
	if (o->type == MSGPACK_OBJECT_FLOAT64 || o->type == MSGPACK_OBJECT_FLOAT32)
		*v = o->via.f64;
	else if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER)
		*v = (double)o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		*v = (double)o->via.i64;
	else
		return IKI_EFIELD;
	if (!isfinite(*v) || fabs(*v) > 1e12)
		return IKI_EFIELD;
	return 0;
}

int mpack_get_uint(const msgpack_object_map *m, const char *key, uint64_t *v)
{
	const msgpack_object *o = mpack_get(m, key);
	if (!o || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return IKI_EFIELD;
	*v = o->via.u64;
	return 0;
}

const msgpack_object_array *mpack_get_maps(const msgpack_object_map *m, const char *key, size_t max)
{
	const msgpack_object *o = mpack_get(m, key);
	if (!o || o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size > max)
		return NULL;
	for (uint32_t i = 0; i < o->via.array.size; i++)
		if (o->via.array.ptr[i].type != MSGPACK_OBJECT_MAP || !mpack_keys_valid(&o->via.array.ptr[i].via.map))
			return NULL;
	return &o->via.array;
}

/* Whether e writes now: not counting, nothing failed. */
static bool writing(const struct mpack_enc *e)
{
	return e->pk && e->rc == 0;
}

/* Keep the first failure of a msgpack_pack_* call (it returns the write callback's nonzero). */
static void check(struct mpack_enc *e, int r)
{
	if (r != 0)
		mpack_fail(e, -ENOMEM);
}

void mpack_fail(struct mpack_enc *e, int rc)
{
	if (e->rc == 0)
		e->rc = rc;
}

void mpack_map(struct mpack_enc *e, mpack_map_fn *fn, const void *x)
{
	if (!writing(e))
		return;
	struct mpack_enc count = {0};
	fn(&count, x);
	check(e, msgpack_pack_map(e->pk, count.keys));
	if (writing(e))
		fn(e, x);
}

bool mpack_key(struct mpack_enc *e, const char *k)
{
	e->keys++;
	mpack_put_str(e, k);
	return writing(e);
}

void mpack_put_strn(struct mpack_enc *e, const char *s, size_t n)
{
	if (writing(e))
		check(e, msgpack_pack_str(e->pk, n));
	if (writing(e))
		check(e, msgpack_pack_str_body(e->pk, s, n));
}

void mpack_put_str(struct mpack_enc *e, const char *s)
{
	if (writing(e))
		mpack_put_strn(e, s, strlen(s));
}

void mpack_put_int(struct mpack_enc *e, int64_t v)
{
	if (writing(e))
		check(e, msgpack_pack_int64(e->pk, v));
}

void mpack_put_uint(struct mpack_enc *e, uint64_t v)
{
	if (writing(e))
		check(e, msgpack_pack_uint64(e->pk, v));
}

void mpack_put_double(struct mpack_enc *e, double v)
{
	if (writing(e))
		check(e, msgpack_pack_double(e->pk, v));
}

void mpack_put_nil(struct mpack_enc *e)
{
	if (writing(e))
		check(e, msgpack_pack_nil(e->pk));
}

void mpack_put_array(struct mpack_enc *e, size_t n)
{
	if (writing(e))
		check(e, msgpack_pack_array(e->pk, n));
}

void mpack_kv_str(struct mpack_enc *e, const char *k, const char *v)
{
	if (mpack_key(e, k))
		mpack_put_str(e, v);
}

void mpack_kv_opt_str(struct mpack_enc *e, const char *k, const char *v)
{
	if (v[0])
		mpack_kv_str(e, k, v);
}

void mpack_kv_int(struct mpack_enc *e, const char *k, int64_t v)
{
	if (mpack_key(e, k))
		mpack_put_int(e, v);
}

void mpack_kv_uint(struct mpack_enc *e, const char *k, uint64_t v)
{
	if (mpack_key(e, k))
		mpack_put_uint(e, v);
}

void mpack_kv_double(struct mpack_enc *e, const char *k, double v)
{
	if (mpack_key(e, k))
		mpack_put_double(e, v);
}

void mpack_kv_true(struct mpack_enc *e, const char *k, bool flag)
{
	if (flag && mpack_key(e, k))
		check(e, msgpack_pack_true(e->pk));
}

void mpack_kv_map(struct mpack_enc *e, const char *k, mpack_map_fn *fn, const void *x)
{
	if (mpack_key(e, k))
		mpack_map(e, fn, x);
}

void mpack_kv_maps(struct mpack_enc *e, const char *k, mpack_map_fn *fn, const void *items, size_t n,
		   size_t size)
{
	if (!mpack_key(e, k))
		return;
	mpack_put_array(e, n);
	for (size_t i = 0; i < n && writing(e); i++)
		mpack_map(e, fn, (const char *)items + i * size);
}

void mpack_kv_strs(struct mpack_enc *e, const char *k, const char *s, size_t n, size_t stride)
{
	if (!mpack_key(e, k))
		return;
	mpack_put_array(e, n);
	for (size_t i = 0; i < n && writing(e); i++)
		mpack_put_str(e, s + i * stride);
}

int mpack_pack(msgpack_packer *pk, mpack_map_fn *fn, const void *x)
{
	struct mpack_enc e = {.pk = pk};
	mpack_map(&e, fn, x);
	return e.rc;
}

/*
 * The packer's write callback. Every msgpack_pack_* call ends here, so a failure of any of them
 * (an allocation, or the message growing past its limit) is remembered once, and the encoder
 * checks it before handing a buffer out: never a truncated message.
 */
int mpack_sink_write(void *data, const char *buf, size_t len)
{
	struct mpack_sink *s = data;
	if (s->rc < 0)
		return -1;
	if (len > s->max - s->sb.size) {
		s->rc = IKI_ETOOBIG;
		return -1;
	}
	if (msgpack_sbuffer_write(&s->sb, buf, len) < 0) {
		s->rc = -ENOMEM;
		return -1;
	}
	return 0;
}

void mpack_sink_init(struct mpack_sink *s, msgpack_packer *pk, size_t max)
{
	msgpack_sbuffer_init(&s->sb);
	s->max = max;
	s->rc = 0;
	msgpack_packer_init(pk, s, mpack_sink_write);
}

int mpack_sink_finish(struct mpack_sink *s, int rc, char **out, size_t *len)
{
	if (s->rc < 0)
		rc = s->rc; /* why a write failed */
	if (rc == 0 && !s->sb.data)
		rc = -ENOMEM;
	if (rc < 0) {
		msgpack_sbuffer_destroy(&s->sb);
		return rc;
	}
	*len = s->sb.size;
	*out = msgpack_sbuffer_release(&s->sb);
	return 0;
}
