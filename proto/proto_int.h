/* proto_int.h: what proto.c, proto_dec.c and proto_enc.c share, and the encoder's inside for
 * check_proto; not installed. */
#ifndef IKI_PROTO_INT_H
#define IKI_PROTO_INT_H

#include <msgpack.h>
#include <stddef.h>

#include "proto.h"

/* The wire names of types, ops and statuses, by value (NULL where none: type 0, op none). */
extern const char *const proto_type_names[PROTO_TYPE_LAST + 1];
extern const char *const proto_op_names[PROTO_OP_VOID + 1];
extern const char *const proto_status_names[PROTO_STATUS_ERROR + 1];

/* The page keys a type carries (PROTOCOL.md "Pages"): a request answered in pages takes "after"
 * and "limit", its answer names "next"; other types carry neither. */
enum proto_page { PROTO_PAGE_NONE, PROTO_PAGE_REQUEST, PROTO_PAGE_ANSWER };
enum proto_page proto_page_keys(enum proto_type t);

/*
 * Write message m with pk, whatever its write callback is. Returns 0; IKI_EFIELD as
 * proto_encode; or, when a write failed (any msgpack_pack_* returned nonzero), -ENOMEM, and
 * nothing more was written after it.
 */
int proto_pack(msgpack_packer *pk, const struct proto_msg *m);

/* proto_encode with a limit of max bytes (proto_encode's is PROTO_MSG_MAX). */
int proto_encode_within(const struct proto_msg *m, size_t max, char **out, size_t *len);

#endif
