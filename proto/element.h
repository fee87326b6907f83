/* element.h: encode and decode one map of a "catalog" message's "elements" (PROTOCOL.md). */
#ifndef IKI_ELEMENT_H
#define IKI_ELEMENT_H

#include <msgpack.h>

#include "proto.h"

/* Decode one element map into *e (zeroed by the caller). Returns 0 or IKI_EFIELD. */
int element_decode(const msgpack_object_map *m, struct proto_element *e);

/* Write *e as its map (the caller checked n_ops and ops: proto_encode's encodable()). */
void element_pack(msgpack_packer *pk, const struct proto_element *e);

#endif
