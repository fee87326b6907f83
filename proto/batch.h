/* batch.h: the compact form of a submit's events: columns and a string table (PROTOCOL.md). */
#ifndef IKI_BATCH_H
#define IKI_BATCH_H

#include <msgpack.h>
#include <stddef.h>

#include "mpack.h"
#include "proto.h"

#define BATCH_STRINGS_MAX (6 * PROTO_EVENTS_MAX) /* entries of a batch's string table */

/*
 * Decode a submit's "batch" map into msg->events (owned, msg->n_events), with every check of the
 * map form: an event whose own entries are broken gets err and err_field and the rest of the
 * batch stands. Returns 0; IKI_EFIELD when the batch itself is broken (not a map, n missing, a
 * column that is not an array of n entries, a string table that is not an array of strings);
 * IKI_ETOOBIG for n over PROTO_EVENTS_MAX or a table over BATCH_STRINGS_MAX; -ENOMEM.
 */
int batch_decode(const msgpack_object *batch, struct proto_msg *msg);

/*
 * Write the "batch" map of n events (the caller checked their ops) as the value of the key e
 * just wrote. When the string table cannot be built, nothing is written and e fails (-ENOMEM).
 */
void batch_pack(struct mpack_enc *e, const struct proto_event *ev, size_t n);

#endif
