/* curve.c: CURVE key pairs and their text files (see curve.h). */
#include "curve.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

static const char z85_chars[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				".-:+=^!/*?&<>()[]{}@%$#";

bool curve_z85_valid(const char *s)
{
	uint8_t bin[32];
	if (strlen(s) != CURVE_Z85_LEN || strspn(s, z85_chars) != CURVE_Z85_LEN)
		return false;
	return zmq_z85_decode(bin, s) != NULL;
}

void curve_wipe(struct curve_keys *k)
{
	volatile char *p = (volatile char *)k;
	for (size_t i = 0; i < sizeof(*k); i++)
		p[i] = 0;
}

int curve_generate(struct curve_keys *k)
{
	if (!zmq_has("curve"))
		return -ENOTSUP;
	return zmq_curve_keypair(k->public_key, k->secret_key) < 0 ? -errno : 0;
}

/* Create path exclusively with mode and write text to it. */
static int write_new(const char *path, int mode, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0)
		return -errno;
	size_t n = strlen(text);
	int rc = write(fd, text, n) == (ssize_t)n && fsync(fd) == 0 ? 0 : -EIO;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0)
		unlink(path);
	return rc;
}

int curve_write(const char *name, const struct curve_keys *k)
{
	char key[4096], pub[4096], text[512];
	if (snprintf(key, sizeof(key), "%s.key", name) >= (int)sizeof(key) ||
	    snprintf(pub, sizeof(pub), "%s.pub", name) >= (int)sizeof(pub))
		return -ENAMETOOLONG;
	if (access(key, F_OK) == 0 || access(pub, F_OK) == 0)
		return -EEXIST;
	snprintf(text, sizeof(text),
		 "# iki CURVE key pair: keep this file secret. Give %s.pub to the other side.\n"
		 "public = %s\nsecret = %s\n", name, k->public_key, k->secret_key);
	int rc = write_new(key, 0600, text);
	if (rc < 0)
		return rc;
	snprintf(text, sizeof(text), "# iki CURVE public key\npublic = %s\n", k->public_key);
	if ((rc = write_new(pub, 0644, text)) < 0)
		unlink(key);
	return rc;
}

/* Strip leading and trailing blanks in place; returns the start. */
static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && strchr(" \t\r\n", s[n - 1]))
		s[--n] = 0;
	return s;
}

int curve_read(const char *path, struct curve_keys *k)
{
	FILE *f = fopen(path, "r");
	char line[256];
	int rc = 0;
	if (!f)
		return -errno;
	memset(k, 0, sizeof(*k));
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq = strchr(s, '=');
		if (*s == 0 || *s == '#')
			continue;
		char *val = s;
		char *dst = k->public_key;
		if (eq && !curve_z85_valid(s)) { /* "public = ...", "secret = ..." (Z85 has '=' too) */
			*eq = 0;
			char *name = trim(s);
			val = trim(eq + 1);
			if (!strcmp(name, "secret"))
				dst = k->secret_key;
			else if (strcmp(name, "public") != 0)
				val = NULL; /* a key we do not know: not ours to judge */
		}
		if (!val)
			continue;
		if (!curve_z85_valid(val))
			rc = -EINVAL;
		else
			snprintf(dst, CURVE_Z85_LEN + 1, "%s", val);
	}
	fclose(f);
	if (rc == 0 && !k->public_key[0])
		rc = -EINVAL;
	return rc;
}

int curve_public_key(const char *arg, char out[CURVE_Z85_LEN + 1])
{
	struct curve_keys k;
	if (curve_z85_valid(arg) && access(arg, F_OK) != 0) {
		snprintf(out, CURVE_Z85_LEN + 1, "%s", arg);
		return 0;
	}
	int rc = curve_read(arg, &k);
	if (rc == 0)
		memcpy(out, k.public_key, CURVE_Z85_LEN + 1);
	return rc;
}

int curve_set_server(void *s, const struct curve_keys *k)
{
	int one = 1;
	if (zmq_setsockopt(s, ZMQ_CURVE_SERVER, &one, sizeof(one)) < 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, k->secret_key, CURVE_Z85_LEN) < 0 ||
	    zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, "iki", 3) < 0)
		return -errno;
	return 0;
}

int curve_set_client(void *s, const struct curve_keys *k, const char *server_public)
{
	if (zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_public, CURVE_Z85_LEN) < 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, k->public_key, CURVE_Z85_LEN) < 0 ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, k->secret_key, CURVE_Z85_LEN) < 0)
		return -errno;
	return 0;
}
