/* mpack.h: msgpack helpers shared by proto's codecs (proto.c, element.c, batch.c); not installed. */
#ifndef IKI_MPACK_H
#define IKI_MPACK_H

#include <msgpack.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Walk the raw bytes before msgpack-c allocates anything: exactly one object, every count within
 * the bytes left (each object takes at least one byte), no non-empty container at depth max_depth
 * or more (the top object is depth 0). Returns 0; IKI_EMALFORMED (truncated, trailing bytes, the
 * reserved byte 0xc1, bin or ext types, which iki never uses); IKI_ETOOBIG (too deep).
 */
int mpack_scan(const void *buf, size_t len, int max_depth);

/* Index of name in a table of names (NULL entries skipped), or -1. */
int mpack_name_index(const char *const *names, size_t n, const char *name);

/* The value under key in a map, or NULL (borrowed from the unpacked message). */
const msgpack_object *mpack_get(const msgpack_object_map *m, const char *key);

/*
 * Every key a string, none twice. Maps iki sends hold a dozen keys and are compared pairwise; a
 * hostile one may hold hundreds of thousands (unknown keys are allowed), so a large map is sorted
 * first. A map too large to sort for lack of memory is refused.
 */
bool mpack_keys_valid(const msgpack_object_map *m);

/*
 * Copy the string o into buf (size n, so at most n-1 bytes): a str, valid UTF-8, non-empty when
 * required. o NULL (absent) leaves "" and is an error only when required. Returns 0 or IKI_EFIELD.
 */
int mpack_str(const msgpack_object *o, char *buf, size_t n, bool required);

/* mpack_str of the value under key. */
int mpack_get_str(const msgpack_object_map *m, const char *key, char *buf, size_t n, bool required);

/* A signed 64-bit integer under key. Returns 0, or IKI_EFIELD (missing when required, wrong type). */
int mpack_get_int(const msgpack_object_map *m, const char *key, int64_t *v, bool required);

/* The same for an object already found (o NULL: missing, an error only when required). */
int mpack_int(const msgpack_object *o, int64_t *v, bool required);

/*
 * An optional number under key (float or integer, finite, at most 1e12 in size); *present says
 * whether it was there. Returns 0 or IKI_EFIELD.
 */
int mpack_get_double(const msgpack_object_map *m, const char *key, double *v, bool *present);

/* An unsigned integer under key (required). Returns 0 or IKI_EFIELD. */
int mpack_get_uint(const msgpack_object_map *m, const char *key, uint64_t *v);

/* The array under key, holding at most max maps with valid keys. Returns it (borrowed), or NULL. */
const msgpack_object_array *mpack_get_maps(const msgpack_object_map *m, const char *key, size_t max);

/*
 * The encoder's writer. Each map is written by one function run twice (mpack_map): first with
 * pk NULL, when it only counts the keys it would write, then, after the map's header with that
 * count, to write them; so a map's count and its keys cannot disagree. Every msgpack_pack_* call
 * is checked: the first one that fails sets rc (-ENOMEM), and every later write is skipped.
 */
struct mpack_enc {
	msgpack_packer *pk; /* NULL while counting */
	uint32_t keys;      /* keys met so far */
	int rc;             /* 0, or the first failure */
};

/* A map's writer: the keys of x (and their values) through mpack_key and the mpack_kv_*. */
typedef void mpack_map_fn(struct mpack_enc *e, const void *x);

/* Fail the encoding with rc (kept when it is the first failure): nothing more is written. */
void mpack_fail(struct mpack_enc *e, int rc);

/* Write x as the map fn writes (counted first). On a counting e, nothing. */
void mpack_map(struct mpack_enc *e, mpack_map_fn *fn, const void *x);

/* Count key k and, unless counting, write it: true when its value is to be written now. */
bool mpack_key(struct mpack_enc *e, const char *k);

/* Values (after mpack_key, or in an array): nothing while counting or once a write failed. */
void mpack_put_str(struct mpack_enc *e, const char *s);
void mpack_put_strn(struct mpack_enc *e, const char *s, size_t n);
void mpack_put_int(struct mpack_enc *e, int64_t v);
void mpack_put_uint(struct mpack_enc *e, uint64_t v);
void mpack_put_double(struct mpack_enc *e, double v);
void mpack_put_nil(struct mpack_enc *e);
void mpack_put_array(struct mpack_enc *e, size_t n);

/* A key and its value; _opt_str writes nothing for "", _true nothing when flag is false. */
void mpack_kv_str(struct mpack_enc *e, const char *k, const char *v);
void mpack_kv_opt_str(struct mpack_enc *e, const char *k, const char *v);
void mpack_kv_int(struct mpack_enc *e, const char *k, int64_t v);
void mpack_kv_uint(struct mpack_enc *e, const char *k, uint64_t v);
void mpack_kv_double(struct mpack_enc *e, const char *k, double v);
void mpack_kv_true(struct mpack_enc *e, const char *k, bool flag);

/* A key and, as its value, the map fn writes of x. */
void mpack_kv_map(struct mpack_enc *e, const char *k, mpack_map_fn *fn, const void *x);

/* A key and an array of n maps, fn writing each: items holds them, size bytes apart. */
void mpack_kv_maps(struct mpack_enc *e, const char *k, mpack_map_fn *fn, const void *items, size_t n,
		   size_t size);

/* A key and an array of n strings: the first at s, each next one stride bytes on. */
void mpack_kv_strs(struct mpack_enc *e, const char *k, const char *s, size_t n, size_t stride);

/*
 * Pack a whole message: the map fn writes of x, with pk writing its bytes. Returns 0, or the
 * first failure (a write that failed: -ENOMEM; or what the writer set).
 */
int mpack_pack(msgpack_packer *pk, mpack_map_fn *fn, const void *x);

/*
 * Where an encoder writes: a buffer that refuses to grow past max bytes. The first failure of
 * any write (IKI_ETOOBIG past max, -ENOMEM) is kept in rc and every later write fails too.
 */
struct mpack_sink {
	msgpack_sbuffer sb;
	size_t max;
	int rc;
};

/* Start an empty sink of at most max bytes, and a packer *pk that writes into it. */
void mpack_sink_init(struct mpack_sink *s, msgpack_packer *pk, size_t max);

/* The packer's write callback (returns 0, or -1 once the sink has failed). */
int mpack_sink_write(void *data, const char *buf, size_t len);

/*
 * End the message: with rc 0 and no write failed, *out is the malloc'd message (the caller frees
 * it), *len its size, and 0 is returned; otherwise the buffer is freed, *out and *len are left
 * alone, and the sink's own failure (IKI_ETOOBIG, -ENOMEM), else rc, is returned.
 */
int mpack_sink_finish(struct mpack_sink *s, int rc, char **out, size_t *len);

#endif
