/* curve.h: CURVE key pairs and the text files that hold them, for ikid, iki and libiki. */
#ifndef IKI_CURVE_H
#define IKI_CURVE_H

#include <stdbool.h>

#define CURVE_Z85_LEN 40 /* a 32-byte key in Z85 text */

/* A key pair in Z85; secret is "" when only the public half is known (a .pub file). */
struct curve_keys {
	char public_key[CURVE_Z85_LEN + 1];
	char secret_key[CURVE_Z85_LEN + 1];
};

/* Whether s is exactly one Z85-encoded 32-byte key. */
bool curve_z85_valid(const char *s);

/* Overwrite the keys in memory (the secret half must not linger). */
void curve_wipe(struct curve_keys *k);

/* A fresh key pair. Returns 0, or -ENOTSUP when libzmq was built without CURVE. */
int curve_generate(struct curve_keys *k);

/*
 * Write a key pair as NAME.key (both halves, mode 0600, refused when it exists) and NAME.pub (the
 * public half, to hand to the other side). Returns 0 or -errno (-EEXIST: keys are never
 * overwritten).
 */
int curve_write(const char *name, const struct curve_keys *k);

/*
 * Read a key file: "public = Z85" and, in a .key file, "secret = Z85" lines ('#' comments), or
 * one bare Z85 public key. Returns 0; -errno when it cannot be read; -EINVAL when it holds no
 * valid public key, or a secret key that is not valid.
 */
int curve_read(const char *path, struct curve_keys *k);

/*
 * A server key given on a command line: a file as above, or the Z85 text itself. Returns as
 * curve_read.
 */
int curve_public_key(const char *arg, char out[CURVE_Z85_LEN + 1]);

/*
 * Make a ZeroMQ socket a CURVE server (secret key) or client (its keys and the server's public
 * key). Returns 0 or -errno.
 */
int curve_set_server(void *socket, const struct curve_keys *k);
int curve_set_client(void *socket, const struct curve_keys *k, const char *server_public);

#endif
