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

/* Write a string; a key and a string; a key and an integer; a key and a string unless it is "". */
void mpack_pack_str(msgpack_packer *pk, const char *s);
void mpack_pack_kv_str(msgpack_packer *pk, const char *k, const char *v);
void mpack_pack_kv_int(msgpack_packer *pk, const char *k, int64_t v);
void mpack_pack_opt_str(msgpack_packer *pk, const char *key, const char *val);

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
 * it), *len its size, and 0 is returned; otherwise the buffer is freed and rc, or the first write
 * failure (IKI_ETOOBIG, -ENOMEM), returned.
 */
int mpack_sink_finish(struct mpack_sink *s, int rc, char **out, size_t *len);

#endif
