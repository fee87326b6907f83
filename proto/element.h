/* element.h: encode and decode one map of a "catalog" message's "elements" (PROTOCOL.md). */
#ifndef IKI_ELEMENT_H
#define IKI_ELEMENT_H

#include <msgpack.h>

#include "proto.h"

#include "mpack.h"

/* Decode one element map into the struct proto_element at e (zeroed by the caller). Returns 0 or
 * IKI_EFIELD. */
int element_decode(const msgpack_object_map *m, void *e);

/* The keys of the struct proto_element at e (the caller checked n_ops and ops: proto_encode's
 * encodable()), for mpack_map. */
void element_pack(struct mpack_enc *enc, const void *e);

#endif
