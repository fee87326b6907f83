/* zmtp_curve.c: a ZMTP 3.0 CURVE client written by hand (see zmtp_curve.h). Each box is
 * libsodium's crypto_box (the _easy form: its MAC then the ciphertext, which is what CurveZMQ
 * puts on the wire); nonces are a 16- or 8-byte prefix and an 8- or 16-byte tail. */
#include "zmtp_curve.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define COOKIE 96 /* the server's cookie in WELCOME, echoed in INITIATE */
#define MAC crypto_box_MACBYTES

static int send_all(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;
	while (n > 0) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int recv_all(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n > 0) {
		ssize_t k = recv(fd, p, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			errno = k == 0 ? ECONNRESET : errno;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static void put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

/* A ZMTP frame header: flags (0x04 command, 0x01 more, 0x02 long) and its size. Its length. */
static size_t frame_header(unsigned char h[9], unsigned flags, uint64_t size)
{
	if (size <= 255) {
		h[0] = (unsigned char)flags;
		h[1] = (unsigned char)size;
		return 2;
	}
	h[0] = (unsigned char)(flags | 0x02);
	put_u64(h + 1, size);
	return 9;
}

static int send_command(int fd, const unsigned char *body, size_t n)
{
	unsigned char h[9];
	size_t hn = frame_header(h, 0x04, n);
	return send_all(fd, h, hn) == 0 && send_all(fd, body, n) == 0 ? 0 : -1;
}

/* Receive one command frame into body (size cap); its size, or -1. */
static long recv_command(int fd, unsigned char *body, size_t cap)
{
	unsigned char h[9];
	uint64_t size = 0;
	if (recv_all(fd, h, 2) < 0 || !(h[0] & 0x04))
		return -1;
	if (h[0] & 0x02) {
		if (recv_all(fd, h + 2, 7) < 0)
			return -1;
		for (int i = 1; i < 9; i++)
			size = size << 8 | h[i];
	} else {
		size = h[1];
	}
	if (size > cap || recv_all(fd, body, (size_t)size) < 0)
		return -1;
	return (long)size;
}

/* An ERROR command's reason into reason; the handshake fails either way. */
static int refused(const unsigned char *cmd, long n, char reason[256])
{
	if (n >= 7 && !memcmp(cmd, "\x05" "ERROR", 6) && 7 + cmd[6] <= n)
		snprintf(reason, 256, "%.*s", cmd[6], (const char *)cmd + 7);
	else
		snprintf(reason, 256, "%s", n < 0 ? "connection closed" : "unexpected command");
	return -1;
}

/* Greetings both ways: signature, version 3.0, mechanism CURVE, as-server 0. */
static int greet(int fd)
{
	unsigned char g[64] = {0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0, 'C', 'U', 'R', 'V', 'E'};
	unsigned char in[64];
	if (send_all(fd, g, sizeof(g)) < 0 || recv_all(fd, in, sizeof(in)) < 0)
		return -1;
	return in[0] == 0xff && in[10] == 3 && !memcmp(in + 12, "CURVE", 6) ? 0 : -1;
}

/* What the handshake knows: the permanent keys, the transient ones, the server's cookie. */
struct hs {
	const unsigned char *server, *pub, *sec; /* S, C, c */
	unsigned char tpub[32], tsec[32];        /* C', c' */
	unsigned char sprime[32];                /* S' */
	unsigned char cookie[COOKIE];
};

/* HELLO: version 1.0, 72 bytes of padding, C', short nonce, Box[64 zeros](C'->S). */
static int hello(struct zmtp_curve *c, const struct hs *h)
{
	unsigned char cmd[200] = "\x05" "HELLO\x01", nonce[24] = "CurveZMQHELLO---", zero[64] = {0};
	put_u64(nonce + 16, c->nonce++);
	memcpy(cmd + 80, h->tpub, 32);
	memcpy(cmd + 112, nonce + 16, 8);
	if (crypto_box_easy(cmd + 120, zero, sizeof(zero), nonce, h->server, h->tsec) != 0)
		return -1;
	return send_command(c->fd, cmd, sizeof(cmd));
}

/* WELCOME: a long nonce, Box[S' + cookie](S->C'). */
static int welcome(struct zmtp_curve *c, struct hs *h, char reason[256])
{
	unsigned char cmd[512], nonce[24] = "WELCOME-", plain[32 + COOKIE];
	long n = recv_command(c->fd, cmd, sizeof(cmd));
	if (n != 8 + 16 + (long)sizeof(plain) + MAC || memcmp(cmd, "\x07WELCOME", 8))
		return refused(cmd, n, reason);
	memcpy(nonce + 8, cmd + 8, 16);
	if (crypto_box_open_easy(plain, cmd + 24, sizeof(plain) + MAC, nonce, h->server, h->tsec))
		return refused(cmd, 0, reason);
	memcpy(h->sprime, plain, 32);
	memcpy(h->cookie, plain + 32, COOKIE);
	return 0;
}

/* Metadata: one property Socket-Type (name length, name, 4-byte value length, value). */
static size_t metadata(unsigned char *p, const char *type)
{
	size_t tl = strlen(type);
	p[0] = 11;
	memcpy(p + 1, "Socket-Type", 11);
	p[12] = p[13] = p[14] = 0;
	p[15] = (unsigned char)tl;
	memcpy(p + 16, type, tl);
	return 16 + tl;
}

/*
 * INITIATE: the cookie, a short nonce, Box[C + vouch nonce + vouch + metadata](C'->S'), the
 * vouch being Box[C' + S](C->S') under "VOUCH---" and 16 random bytes.
 */
static int initiate(struct zmtp_curve *c, const struct hs *h, const char *type)
{
	unsigned char vn[24] = "VOUCH---", vplain[64], plain[512], nonce[24] = "CurveZMQINITIATE";
	unsigned char cmd[9 + COOKIE + 8 + sizeof(plain) + MAC];
	if (strlen(type) > 255)
		return -1;
	randombytes_buf(vn + 8, 16);
	memcpy(vplain, h->tpub, 32);
	memcpy(vplain + 32, h->server, 32);
	memcpy(plain, h->pub, 32);
	memcpy(plain + 32, vn + 8, 16);
	if (crypto_box_easy(plain + 48, vplain, sizeof(vplain), vn, h->sprime, h->sec) != 0)
		return -1;
	size_t n = 48 + sizeof(vplain) + MAC;
	n += metadata(plain + n, type);
	memcpy(cmd, "\x08INITIATE", 9);
	memcpy(cmd + 9, h->cookie, COOKIE);
	put_u64(nonce + 16, c->nonce++);
	memcpy(cmd + 9 + COOKIE, nonce + 16, 8);
	if (crypto_box_easy(cmd + 9 + COOKIE + 8, plain, n, nonce, h->sprime, h->tsec) != 0)
		return -1;
	return send_command(c->fd, cmd, 9 + COOKIE + 8 + n + MAC);
}

/* READY: a short nonce, Box[metadata](S'->C'). */
static int ready(struct zmtp_curve *c, char reason[256])
{
	unsigned char cmd[1024], nonce[24] = "CurveZMQREADY---", plain[1024];
	long n = recv_command(c->fd, cmd, sizeof(cmd));
	if (n < 14 + MAC || memcmp(cmd, "\x05READY", 6))
		return refused(cmd, n, reason);
	memcpy(nonce + 16, cmd + 6, 8);
	if (crypto_box_open_easy_afternm(plain, cmd + 14, (size_t)n - 14, nonce, c->session))
		return refused(cmd, 0, reason);
	return 0;
}

int zmtp_curve_handshake(struct zmtp_curve *c, int fd, const unsigned char server[ZMTP_CURVE_KEY],
			 const unsigned char pub[ZMTP_CURVE_KEY],
			 const unsigned char sec[ZMTP_CURVE_KEY], const char *socket_type,
			 char reason[256])
{
	struct hs h = {.server = server, .pub = pub, .sec = sec};
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->nonce = 1;
	snprintf(reason, 256, "connection closed");
	if (sodium_init() < 0 || crypto_box_keypair(h.tpub, h.tsec) != 0 || greet(fd) < 0 ||
	    hello(c, &h) < 0 || welcome(c, &h, reason) < 0)
		return -1;
	if (crypto_box_beforenm(c->session, h.sprime, h.tsec) != 0 || initiate(c, &h, socket_type) < 0)
		return -1;
	sodium_memzero(h.tsec, sizeof(h.tsec));
	return ready(c, reason);
}

const unsigned char *zmtp_curve_box(struct zmtp_curve *c, const void *data, size_t n, bool more,
				   size_t *len)
{
	size_t box = 8 + 8 + MAC + 1 + n; /* "\x07MESSAGE", short nonce, Box[flags + frame] */
	unsigned char nonce[24] = "CurveZMQMESSAGEC";
	if (9 + box > c->cap) {
		unsigned char *b = realloc(c->buf, 9 + box);
		if (!b)
			return NULL;
		c->buf = b;
		c->cap = 9 + box;
	}
	unsigned char *plain = malloc(1 + n);
	if (!plain)
		return NULL;
	plain[0] = more ? 0x01 : 0x00;
	memcpy(plain + 1, data, n);
	size_t hn = frame_header(c->buf, 0x00, box);
	unsigned char *m = c->buf + hn;
	memcpy(m, "\x07MESSAGE", 8);
	put_u64(nonce + 16, c->nonce++);
	memcpy(m + 8, nonce + 16, 8);
	int rc = crypto_box_easy_afternm(m + 16, plain, 1 + n, nonce, c->session);
	free(plain);
	*len = hn + box;
	return rc == 0 ? c->buf : NULL;
}

int zmtp_curve_send(struct zmtp_curve *c, const void *data, size_t n, bool more)
{
	size_t len;
	const unsigned char *wire = zmtp_curve_box(c, data, n, more, &len);
	return wire ? send_all(c->fd, wire, len) : -1;
}

void zmtp_curve_free(struct zmtp_curve *c)
{
	sodium_memzero(c->session, sizeof(c->session));
	free(c->buf);
	c->buf = NULL;
	c->cap = 0;
}
