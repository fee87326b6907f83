/* outbox.h: what delivery (deliver.c) needs of the outbox beyond the public iki_outbox_* API. */
#ifndef IKI_OUTBOX_H
#define IKI_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "iki_client.h"

/*
 * Write ikid's answers for the entries seq[0..n) in one durable commit: stored and duplicate
 * mark them delivered, a refusal refused (with its code and message); results whose code asks
 * to wait (busy, storage, full) leave the entry pending. Returns 0 or <0.
 */
int outbox_answer(struct iki_outbox *ob, const uint64_t *seq, const struct proto_result *res,
		  size_t n);

/* Whether a refusal's code means "try again later" rather than "this event is wrong". */
int outbox_code_transient(int code);

#endif
