/* zmtp_curve.h: a hand-written ZMTP 3.0 CURVE client (RFC 23, RFC 26) for tests that must send
 * what libzmq never would, such as a message whose frames are all flagged MORE. */
#ifndef IKI_ZMTP_CURVE_H
#define IKI_ZMTP_CURVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ZMTP_CURVE_KEY 32

/* One connection after its handshake: the session key and the next short nonce. */
struct zmtp_curve {
	int fd;
	unsigned char session[32]; /* crypto_box_beforenm(S', c') */
	uint64_t nonce;            /* the next short nonce this client sends */
	unsigned char *buf;        /* a MESSAGE being boxed (grows) */
	size_t cap;
};

/*
 * Over the connected TCP socket fd: greeting (mechanism CURVE), HELLO, WELCOME, INITIATE (with
 * a vouch and Socket-Type socket_type), READY, as the client with the permanent key pair
 * pub/sec talking to the server whose permanent public key is server. Returns 0, or -1 when the
 * server refused or broke the handshake (then why, in reason, when it sent an ERROR).
 */
int zmtp_curve_handshake(struct zmtp_curve *c, int fd, const unsigned char server[ZMTP_CURVE_KEY],
			 const unsigned char pub[ZMTP_CURVE_KEY],
			 const unsigned char sec[ZMTP_CURVE_KEY], const char *socket_type,
			 char reason[256]);

/*
 * The wire bytes of one frame of n bytes as a MESSAGE box (its ZMTP header included), flagged
 * MORE when more: *len bytes in c's buffer, valid until the next call; NULL when out of memory.
 */
const unsigned char *zmtp_curve_box(struct zmtp_curve *c, const void *data, size_t n, bool more,
				   size_t *len);

/* Send one frame of n bytes as a MESSAGE box, flagged MORE when more. 0, or -1 (errno). */
int zmtp_curve_send(struct zmtp_curve *c, const void *data, size_t n, bool more);

/* Free the buffer (the descriptor is the caller's). */
void zmtp_curve_free(struct zmtp_curve *c);

#endif
