/* libiki.h: the request socket's internals that delivery (deliver.c) drives itself. */
#ifndef IKI_LIBIKI_H
#define IKI_LIBIKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iki_client.h"

/* What the request socket's connection did, from ZeroMQ's monitor events. */
struct libiki_link {
	bool connected;      /* a TCP connection is up (ZMQ_EVENT_CONNECTED, no DISCONNECTED since) */
	bool ever_connected; /* since the socket was opened */
	unsigned retries;    /* connection attempts that failed since the last success */
	unsigned disconnects;/* connections that dropped since the socket was opened */
	int handshake;       /* 1 the last handshake succeeded, -1 it was refused (our key, or
			      * CURVE against plain text), 0 none yet or cut short */
};

/*
 * Lazy Pirate: close the request socket (dropping what it queued) and open a new one to the
 * same endpoint. Replies to requests sent before are lost; send them again. Returns 0 or -errno.
 */
int libiki_reopen(struct iki_client *c);

/* The link's state, after taking the monitor events that arrived (borrowed). */
const struct libiki_link *libiki_link(struct iki_client *c);

/* The request endpoint (borrowed) and the reply timeout the client was opened with. */
const char *libiki_endpoint(const struct iki_client *c);
int libiki_timeout_ms(const struct iki_client *c);

/* The next request number (a message's req). */
uint64_t libiki_next_req(struct iki_client *c);

/* Hand an encoded request to the socket without blocking: 0, -EAGAIN (queue full), -errno. */
int libiki_send(struct iki_client *c, const void *buf, size_t len);

/*
 * Wait up to timeout_ms for a reply and decode it into *m: 1, 0 when none came, -EINTR when a
 * signal interrupted the wait, or a decode error (the reply is dropped).
 */
int libiki_recv(struct iki_client *c, struct proto_msg *m, int timeout_ms);

#endif
