/* users.h: ikiweb's people and machine tokens: the users file, the tokens file, password checks. */
#ifndef IKI_WEB_USERS_H
#define IKI_WEB_USERS_H

#include <stdbool.h>
#include <stddef.h>

#define USERS_NAME_MAX 63   /* as ikid's clients file allows */
#define USERS_SCOPE_MAX 63
#define USERS_DISPLAY_MAX 120
#define USERS_HASH_MAX 128  /* crypto_pwhash_STRBYTES */
#define USERS_GATEWAY "ikiweb" /* the gateway's own name in ikid's clients file (a viewer) */

/* A person: name, role and scope as in ikid's clients file, an Argon2id hash, a display name. */
struct web_user {
	char name[USERS_NAME_MAX + 1];
	char role[16]; /* admin, section, clerk, viewer */
	char scope[USERS_SCOPE_MAX + 1];
	char hash[USERS_HASH_MAX];
	char display[USERS_DISPLAY_MAX + 1];
};

/* A machine token: acts as user, with scopes; only a hash of its secret is kept. */
struct web_token {
	char name[USERS_NAME_MAX + 1];
	char user[USERS_NAME_MAX + 1];
	bool read, submit;
	unsigned char hash[32];
};

struct users;

/*
 * Read dir/users and dir/tokens (a missing file is empty). Returns 0 and an owned *out, -ENOMEM,
 * or -EINVAL with the bad file and line in err (size n).
 */
int users_load(const char *dir, struct users **out, char *err, size_t n);

/* Write both files back (0600, through a temporary file and rename). Returns 0 or -errno. */
int users_save(const struct users *u);

void users_free(struct users **u);

/* The user of that name, or NULL. Borrowed: valid until the users are freed. */
const struct web_user *users_find(const struct users *u, const char *name);

/* The i-th user (0 <= i < users_count). */
size_t users_count(const struct users *u);
const struct web_user *users_at(const struct users *u, size_t i);

/*
 * Check a password against the user's hash (w may be NULL: a dummy hash is checked so that an
 * unknown name takes as long). Returns 0 when it matches, -EACCES otherwise.
 */
int users_check_password(const struct web_user *w, const char *password);

/* Hash a password into w->hash (Argon2id). Returns 0 or -ENOMEM. */
int users_hash_password(struct web_user *w, const char *password);

/* Whether name, role and scope are acceptable (name: letters, digits, . _ - @). */
bool users_name_ok(const char *name);
bool users_role_ok(const char *role, const char *scope);

/* Add a user (-EEXIST when the name is taken) or replace its hash; delete user and its tokens. */
int users_add(struct users *u, const struct web_user *w);
int users_set_hash(struct users *u, const char *name, const char *hash);
int users_del(struct users *u, const char *name);

/*
 * A new token for user with scopes: the secret (NUL-terminated, "iki_" + 43 characters) goes to
 * secret (size >= 48) and only its hash is kept. -EEXIST for a token name taken.
 */
int users_token_add(struct users *u, const char *name, const char *user, bool read, bool submit,
		    char *secret, size_t n);
int users_token_del(struct users *u, const char *name);
size_t users_token_count(const struct users *u);
const struct web_token *users_token_at(const struct users *u, size_t i);

/* The token whose secret this is (compared in constant time), or NULL. Borrowed. */
const struct web_token *users_token_find(const struct users *u, const char *secret);

#endif
