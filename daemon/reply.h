/* reply.h: one request from its arrival to its answer, and sending that answer to the peer that
 * asked (on the ROUTER from the writer, or on a reader thread's way back to it). */
#ifndef IKI_REPLY_H
#define IKI_REPLY_H

#include <stdbool.h>
#include <zmq.h>

#include "auth.h"
#include "authz.h"
#include "proto.h"
#include "store.h"

/* One received request, from its arrival to its reply. */
struct pending {
	zmq_msg_t identity;
	bool delim;       /* sent through a REQ socket: echo the empty delimiter frame */
	int rc;           /* 0, or why the request cannot be served (decode failure) */
	struct proto_msg msg;
	struct proto_result *results; /* submit: one per event */
	struct auth_client client;    /* who sent it (from the ZAP User-Id), and what it may do */
	struct authz_view view;       /* submit: what of the store it reaches (for store_resolve) */
	const char *who;              /* client.name */
	int lock_rc;                  /* lock: store_lock's outcome (1: it already was so) */
	struct store_target target;   /* target: what was set, noted once committed */
	int target_rc;                /* target: why it was refused, or 0 */
	struct store_note note;       /* note: what was written, noted once committed */
	int note_rc;                  /* note: why it was refused, or 0 */
	int fd;                       /* the connection it came on (ZMQ_SRCFD), or -1 */
};

/*
 * Encode reply and send it to p's peer on sock: [identity] ([""]) [body], never blocking (a
 * peer whose queue is full loses it, and asks again). Logs what it cannot encode or send.
 */
void reply_send(void *sock, struct pending *p, const struct proto_msg *reply);

/*
 * The sentence of a refusal of p's request with code, from one table of request type x code
 * (reply.c): one that fits the request where the code's own (iki_strerror) would mislead (an
 * unknown jabatan is not an unknown indicator code; the history of an id names no correction; a
 * cumulative period is neither locked nor given a target; a month has no target of its own; only
 * an admin locks, sets a target or writes a note), else the code's own.
 */
const char *reply_sentence(const struct pending *p, int code);

/* The wire code of a refusal: iki's codes as they are, a system error (-errno) busy or internal. */
int reply_code(int code);

/* Send an error reply: reply_sentence, with the detail in brackets when there is one. */
void reply_error(void *sock, struct pending *p, int code, const char *detail);

/* The detail of a refusal of q for code rc: the field it names, or NULL. */
const char *reply_detail(const struct proto_query *q, int rc);

#endif
