/* users.c: ikiweb's users and tokens files (see users.h). */
#include "users.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"

struct users {
	char users_path[4096];
	char tokens_path[4096];
	struct web_user *u;
	size_t n_u, cap_u;
	struct web_token *t;
	size_t n_t, cap_t;
};

bool users_name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > USERS_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("._-@", *s)))
			return false;
	return true;
}

bool users_role_ok(const char *role, const char *scope)
{
	if (!strcmp(role, "admin") || !strcmp(role, "viewer"))
		return !strcmp(scope, "-");
	if (!strcmp(role, "clerk") || !strcmp(role, "section"))
		return strcmp(scope, "-") && users_name_ok(scope);
	return false;
}

static void split(char *line, char **f, int max, int *n)
{
	*n = 0;
	line[strcspn(line, "\r\n")] = 0;
	for (char *p = line; *n < max;) {
		f[(*n)++] = p;
		char *tab = strchr(p, '\t');
		if (!tab || *n == max)
			break;
		*tab = 0;
		p = tab + 1;
	}
}

static int parse_user(char **f, int n, struct web_user *w)
{
	memset(w, 0, sizeof(*w));
	if (n != 5 || !users_name_ok(f[0]) || !users_role_ok(f[1], f[2]) ||
	    strlen(f[3]) >= sizeof(w->hash) || strncmp(f[3], "$argon2id$", 10) ||
	    strlen(f[4]) > USERS_DISPLAY_MAX)
		return -EINVAL;
	snprintf(w->name, sizeof(w->name), "%s", f[0]);
	snprintf(w->role, sizeof(w->role), "%s", f[1]);
	snprintf(w->scope, sizeof(w->scope), "%s", f[2]);
	snprintf(w->hash, sizeof(w->hash), "%s", f[3]);
	snprintf(w->display, sizeof(w->display), "%s", f[4]);
	return 0;
}

static int parse_token(char **f, int n, struct web_token *t)
{
	memset(t, 0, sizeof(*t));
	if (n != 4 || !users_name_ok(f[0]) || !users_name_ok(f[1]) || strlen(f[3]) != 64)
		return -EINVAL;
	snprintf(t->name, sizeof(t->name), "%s", f[0]);
	snprintf(t->user, sizeof(t->user), "%s", f[1]);
	t->read = strstr(f[2], "read") != NULL;
	t->submit = strstr(f[2], "submit") != NULL;
	size_t len = 0;
	if (sodium_hex2bin(t->hash, sizeof(t->hash), f[3], 64, NULL, &len, NULL) < 0 || len != 32)
		return -EINVAL;
	return 0;
}

/* Read one of the two files; tokens picks which. */
static int read_file(struct users *u, bool tokens, char *err, size_t errn)
{
	const char *path = tokens ? u->tokens_path : u->users_path;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return errno == ENOENT ? 0 : -errno;
	char line[1024], *f[6];
	int n, lineno = 0, rc = 0;
	while (rc == 0 && fgets(line, sizeof(line), fp)) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		split(line, f, 6, &n);
		if (tokens) {
			rc = grow((void **)&u->t, &u->cap_t, u->n_t + 1, sizeof(*u->t));
			if (rc == 0 && (rc = parse_token(f, n, &u->t[u->n_t])) == 0)
				u->n_t++;
		} else {
			rc = grow((void **)&u->u, &u->cap_u, u->n_u + 1, sizeof(*u->u));
			if (rc == 0 && (rc = parse_user(f, n, &u->u[u->n_u])) == 0)
				u->n_u++;
		}
		if (rc == -EINVAL)
			snprintf(err, errn, "%s:%d: not a valid line", path, lineno);
	}
	fclose(fp);
	return rc;
}

int users_load(const char *dir, struct users **out, char *err, size_t n)
{
	struct users *u = calloc(1, sizeof(*u));
	*out = NULL;
	if (!u)
		return -ENOMEM;
	snprintf(u->users_path, sizeof(u->users_path), "%s/users", dir);
	snprintf(u->tokens_path, sizeof(u->tokens_path), "%s/tokens", dir);
	int rc = read_file(u, false, err, n);
	if (rc == 0)
		rc = read_file(u, true, err, n);
	if (rc < 0) {
		if (rc != -EINVAL)
			snprintf(err, n, "%s: %s", dir, strerror(-rc));
		users_free(&u);
		return rc;
	}
	*out = u;
	return 0;
}

static int write_atomic(const char *path, const char *text)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	int rc = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0 ? 0 : -EIO;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

static int save_users(const struct users *u)
{
	size_t cap = 256 + u->n_u * 512;
	char *text = malloc(cap), *p = text;
	if (!text)
		return -ENOMEM;
	p += sprintf(p, "# ikiweb users (ikiweb user add|passwd|del): name role scope argon2id-hash "
		     "display-name, tab-separated\n");
	for (size_t i = 0; i < u->n_u; i++) {
		const struct web_user *w = &u->u[i];
		p += sprintf(p, "%s\t%s\t%s\t%s\t%s\n", w->name, w->role, w->scope, w->hash, w->display);
	}
	int rc = write_atomic(u->users_path, text);
	free(text);
	return rc;
}

static int save_tokens(const struct users *u)
{
	size_t cap = 256 + u->n_t * 256;
	char *text = malloc(cap), *p = text, hex[65];
	if (!text)
		return -ENOMEM;
	p += sprintf(p, "# ikiweb tokens (ikiweb token add|del): name user scopes blake2b-of-secret\n");
	for (size_t i = 0; i < u->n_t; i++) {
		const struct web_token *t = &u->t[i];
		sodium_bin2hex(hex, sizeof(hex), t->hash, sizeof(t->hash));
		p += sprintf(p, "%s\t%s\t%s%s%s\t%s\n", t->name, t->user, t->read ? "read" : "",
			     t->read && t->submit ? "," : "", t->submit ? "submit" : "", hex);
	}
	int rc = write_atomic(u->tokens_path, text);
	free(text);
	return rc;
}

int users_save(const struct users *u)
{
	int rc = save_users(u);
	return rc < 0 ? rc : save_tokens(u);
}

void users_free(struct users **up)
{
	if (!up || !*up)
		return;
	sodium_memzero((*up)->u, (*up)->n_u * sizeof(*(*up)->u));
	free((*up)->u);
	free((*up)->t);
	free(*up);
	*up = NULL;
}

const struct web_user *users_find(const struct users *u, const char *name)
{
	for (size_t i = 0; u && i < u->n_u; i++)
		if (!strcmp(u->u[i].name, name))
			return &u->u[i];
	return NULL;
}

size_t users_count(const struct users *u)
{
	return u->n_u;
}

const struct web_user *users_at(const struct users *u, size_t i)
{
	return &u->u[i];
}

/* A hash of nothing anyone knows, made once: an unknown name is checked against it. */
static char dummy_hash[USERS_HASH_MAX];

static void make_dummy(void)
{
	unsigned char pw[32];
	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof(pw),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) < 0)
		dummy_hash[0] = 0;
}

int users_check_password(const struct web_user *w, const char *password)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, make_dummy); /* so an unknown name costs the same time */
	if (!w && !dummy_hash[0])
		return -EACCES;
	int ok = crypto_pwhash_str_verify(w ? w->hash : dummy_hash, password, strlen(password)) == 0;
	return w && ok ? 0 : -EACCES;
}

int users_hash_password(struct web_user *w, const char *password)
{
	return crypto_pwhash_str(w->hash, password, strlen(password),
				 crypto_pwhash_OPSLIMIT_INTERACTIVE,
				 crypto_pwhash_MEMLIMIT_INTERACTIVE) < 0 ? -ENOMEM : 0;
}

int users_add(struct users *u, const struct web_user *w)
{
	if (users_find(u, w->name))
		return -EEXIST;
	if (grow((void **)&u->u, &u->cap_u, u->n_u + 1, sizeof(*u->u)) < 0)
		return -ENOMEM;
	u->u[u->n_u++] = *w;
	return 0;
}

int users_set_hash(struct users *u, const char *name, const char *hash)
{
	struct web_user *w = (struct web_user *)users_find(u, name);
	if (!w)
		return -ENOENT;
	snprintf(w->hash, sizeof(w->hash), "%s", hash);
	return 0;
}

int users_del(struct users *u, const char *name)
{
	const struct web_user *w = users_find(u, name);
	if (!w)
		return -ENOENT;
	size_t i = (size_t)(w - u->u);
	memmove(&u->u[i], &u->u[i + 1], (u->n_u - i - 1) * sizeof(*u->u));
	u->n_u--;
	for (size_t k = u->n_t; k-- > 0;)
		if (!strcmp(u->t[k].user, name))
			users_token_del(u, u->t[k].name);
	return 0;
}

int users_token_add(struct users *u, const char *name, const char *user, bool read, bool submit,
		    char *secret, size_t n)
{
	unsigned char raw[32];
	for (size_t i = 0; i < u->n_t; i++)
		if (!strcmp(u->t[i].name, name))
			return -EEXIST;
	if (n < 48 || !users_find(u, user))
		return -EINVAL;
	if (grow((void **)&u->t, &u->cap_t, u->n_t + 1, sizeof(*u->t)) < 0)
		return -ENOMEM;
	randombytes_buf(raw, sizeof(raw));
	memcpy(secret, "iki_", 4);
	sodium_bin2base64(secret + 4, n - 4, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	struct web_token *t = &u->t[u->n_t++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	snprintf(t->user, sizeof(t->user), "%s", user);
	t->read = read;
	t->submit = submit;
	crypto_generichash(t->hash, sizeof(t->hash), (const unsigned char *)secret, strlen(secret),
			   NULL, 0);
	return 0;
}

int users_token_del(struct users *u, const char *name)
{
	for (size_t i = 0; i < u->n_t; i++)
		if (!strcmp(u->t[i].name, name)) {
			memmove(&u->t[i], &u->t[i + 1], (u->n_t - i - 1) * sizeof(*u->t));
			u->n_t--;
			return 0;
		}
	return -ENOENT;
}

size_t users_token_count(const struct users *u)
{
	return u->n_t;
}

const struct web_token *users_token_at(const struct users *u, size_t i)
{
	return &u->t[i];
}

const struct web_token *users_token_find(const struct users *u, const char *secret)
{
	unsigned char h[32];
	const struct web_token *found = NULL;
	crypto_generichash(h, sizeof(h), (const unsigned char *)secret, strlen(secret), NULL, 0);
	for (size_t i = 0; u && i < u->n_t; i++)
		if (sodium_memcmp(h, u->t[i].hash, sizeof(h)) == 0)
			found = &u->t[i];
	return found;
}
