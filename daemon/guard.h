/* guard.h: bound what one connected peer can make ikid hold in ZeroMQ's buffers.
 *
 * libzmq limits each frame (ZMQ_MAXMSGSIZE) and counts whole messages against its high-water
 * marks, but keeps every frame of a message until its last one arrives: a peer sending frames
 * flagged MORE forever would make ikid hold all of them. The guard watches each accepted TCP
 * connection (its file descriptor, from the socket monitor): the bytes the kernel received on it
 * (TCP_INFO) less the bytes of the frames ikid has read from it are what libzmq holds for that
 * peer, and a connection holding more than its bound is reset (the kernel sends RST: the peer
 * sees ECONNRESET or EPIPE at once, whether or not libzmq still reads that connection; libzmq
 * then closes it and drops what it held; the peer may reconnect). A thread of its own looks
 * every GUARD_POLL_MS.
 */
#ifndef IKI_GUARD_H
#define IKI_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUARD_PEER_MAX ((uint64_t)32 << 20) /* bytes received and not yet read, per peer */
#define GUARD_HANDSHAKE 8192                /* credited at accept: greeting, handshake, ZAP */
#define GUARD_POLL_MS 5
#define GUARD_UNSENT_MAX (1 << 20) /* a peer with this much of its answers still queued in the
				    * kernel is not reading: it gets no more read answers */

struct guard;

/*
 * Start watching, with frames counted as CURVE (curve: each frame boxed in a MESSAGE command) or
 * plain ZMTP framing; limit is the bound per peer (0: GUARD_PEER_MAX). Returns 0 and an owned
 * *out, or -errno.
 */
int guard_new(bool curve, uint64_t limit, struct guard **out);

/* Stop the thread, free, null the pointer. Safe on NULL and twice. */
void guard_free(struct guard **g);

/* A connection was accepted on fd, on the socket tagged tag / fd was closed (monitor events). */
void guard_accepted(struct guard *g, int fd, int tag);
void guard_closed(struct guard *g, int fd);

/* ikid read a frame of size bytes that came on connection fd (zmq_msg_get ZMQ_SRCFD; <0: none). */
void guard_read(struct guard *g, int fd, size_t size);

/* Reset every connection accepted with this tag (their peers may reconnect). How many it ended. */
unsigned guard_end_all(struct guard *g, int tag);

/*
 * The bytes queued on connection fd not yet acknowledged by its peer (SIOCOUTQ), 0 when fd is
 * not a socket: once a peer stops reading, the kernel's queue fills first, then libzmq's.
 */
uint64_t guard_unsent(int fd);

/* How many connections were cut for holding too much since the last call. */
unsigned guard_cuts(struct guard *g);

#endif
