/* usercmd.c: ikiweb's user and token commands (see usercmd.h). */
#include "usercmd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "curve.h"
#include "users.h"

#define PASSWORD_MAX 1024
#define PASSWORD_MIN 8

/* ---- ikid's clients file ---- */

/* Whether the clients file lists name (its first field). */
static bool clients_lists(const char *path, const char *name)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	size_t n = strlen(name);
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, n) && (line[n] == ' ' || line[n] == '\t');
	if (f)
		fclose(f);
	return found;
}

static int clients_append(const char *path, const char *name, const char *role,
			  const char *scope, const char *key)
{
	FILE *f = fopen(path, "a");
	if (!f)
		return -errno;
	fprintf(f, "%s\t%s\t%s\t%s\n", name, role, scope, key);
	return fclose(f) == 0 ? 0 : -EIO;
}

/* Rewrite the clients file without name's line. */
static int clients_remove(const char *path, const char *name)
{
	char tmp[4200], line[1024];
	size_t n = strlen(name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *in = fopen(path, "r"), *out = in ? fopen(tmp, "w") : NULL;
	if (!out) {
		if (in)
			fclose(in);
		return -errno;
	}
	while (fgets(line, sizeof(line), in))
		if (strncmp(line, name, n) || (line[n] != ' ' && line[n] != '\t'))
			fputs(line, out);
	fclose(in);
	if (fclose(out) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

/* Send SIGHUP to the pid in file when that process is really prog (a stale pid file must not
 * signal whatever took the number). Returns the pid signalled, or 0. */
static long hup(const char *file, const char *prog)
{
	char path[64], comm[32] = "";
	long pid = 0;
	FILE *f = file ? fopen(file, "r") : NULL;
	if (!f || fscanf(f, "%ld", &pid) != 1 || pid <= 1)
		pid = 0;
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = pid ? fopen(path, "r") : NULL;
	if (f && fgets(comm, sizeof(comm), f))
		comm[strcspn(comm, "\n")] = 0;
	if (f)
		fclose(f);
	return pid && !strcmp(comm, prog) && kill((pid_t)pid, SIGHUP) == 0 ? pid : 0;
}

/* Tell ikid to read its clients file again and a running ikiweb its users, or say how. */
static void reload(const struct usercmd *c, bool ikid_too)
{
	char own[4200];
	long pid = ikid_too ? hup(c->ikid_pid, "ikid") : 0;
	if (pid)
		fprintf(stderr, "ikiweb: sent SIGHUP to ikid (pid %ld): it reads %s again\n", pid,
			c->clients);
	else if (ikid_too)
		fprintf(stderr, "ikiweb: %s changed: reload ikid (kill -HUP <pid of ikid>)\n",
			c->clients);
	snprintf(own, sizeof(own), "%s/ikiweb.pid", c->web_dir);
	if ((pid = hup(own, "ikiweb")))
		fprintf(stderr, "ikiweb: sent SIGHUP to the running ikiweb (pid %ld)\n", pid);
	else
		fprintf(stderr, "ikiweb: a running ikiweb reads the users again on SIGHUP\n");
}

int usercmd_gateway_key(const char *web_dir, const char *clients, bool dry)
{
	char base[4096], path[4200];
	struct curve_keys k;
	snprintf(base, sizeof(base), "%s/gateway", web_dir);
	snprintf(path, sizeof(path), "%s.key", base);
	if (dry)
		return access(path, R_OK) == 0 && clients_lists(clients, USERS_GATEWAY) ? 0 : 1;
	if (mkdir(web_dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	int rc = access(path, F_OK) == 0 ? 0 : curve_generate(&k);
	if (rc == 0 && access(path, F_OK) != 0)
		rc = curve_write(base, &k);
	if (rc == 0)
		rc = curve_read(path, &k);
	if (rc < 0 || clients_lists(clients, USERS_GATEWAY))
		return rc;
	rc = clients_append(clients, USERS_GATEWAY, "viewer", "-", k.public_key);
	curve_wipe(&k);
	return rc < 0 ? rc : 1;
}

/* ---- passwords ---- */

static int read_line(FILE *f, char *buf, size_t n)
{
	if (!fgets(buf, (int)n, f))
		return -1;
	buf[strcspn(buf, "\r\n")] = 0;
	return 0;
}

/* A password from the terminal without echo (asked twice), or one line of stdin. */
static int read_password(bool from_stdin, char *pw, size_t n)
{
	char again[PASSWORD_MAX + 2];
	struct termios t, quiet;
	if (from_stdin || !isatty(STDIN_FILENO))
		return read_line(stdin, pw, n);
	tcgetattr(STDIN_FILENO, &t);
	quiet = t;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	fprintf(stderr, "Kata sandi: ");
	int rc = read_line(stdin, pw, n);
	fprintf(stderr, "\nUlangi kata sandi: ");
	if (rc == 0)
		rc = read_line(stdin, again, sizeof(again));
	fprintf(stderr, "\n");
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &t);
	if (rc == 0 && strcmp(pw, again)) {
		fprintf(stderr, "ikiweb: kedua kata sandi tidak sama\n");
		rc = -1;
	}
	memset(again, 0, sizeof(again));
	return rc;
}

static int new_hash(const struct usercmd *c, struct web_user *w)
{
	char pw[PASSWORD_MAX + 2];
	if (read_password(c->password_stdin, pw, sizeof(pw)) < 0)
		return 2;
	if (strlen(pw) < PASSWORD_MIN || strlen(pw) > PASSWORD_MAX) {
		fprintf(stderr, "ikiweb: kata sandi harus %d sampai %d karakter\n", PASSWORD_MIN,
			PASSWORD_MAX);
		memset(pw, 0, sizeof(pw));
		return 2;
	}
	int rc = users_hash_password(w, pw);
	memset(pw, 0, sizeof(pw));
	return rc < 0 ? 1 : 0;
}

/* ---- user add|passwd|del|list ---- */

static int user_key(const struct usercmd *c, const char *name, char *pub)
{
	char dir[4096], base[4200];
	struct curve_keys k;
	snprintf(dir, sizeof(dir), "%s/keys", c->web_dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	snprintf(base, sizeof(base), "%s/%s", dir, name);
	int rc = curve_generate(&k);
	if (rc == 0)
		rc = curve_write(base, &k);
	snprintf(pub, CURVE_Z85_LEN + 1, "%s", k.public_key);
	curve_wipe(&k);
	return rc;
}

static void user_key_remove(const struct usercmd *c, const char *name)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/keys/%s.key", c->web_dir, name);
	unlink(path);
	snprintf(path, sizeof(path), "%s/keys/%s.pub", c->web_dir, name);
	unlink(path);
}

static int user_add(const struct usercmd *c, struct users *u, const char *name)
{
	struct web_user w = {0};
	char pub[CURVE_Z85_LEN + 1];
	const char *scope = c->scope ? c->scope : "-";
	if (!c->role || !users_name_ok(name) || !strcmp(name, USERS_GATEWAY) ||
	    !users_role_ok(c->role, scope)) {
		fprintf(stderr, "ikiweb user add NAME --role admin|section|clerk|viewer [--scope S] "
			"[--name 'Nama Lengkap']: name of letters, digits and . _ - @; scope '-' for "
			"admin and viewer, a village code for a clerk, a section code for a section\n");
		return 2;
	}
	if (users_find(u, name) || clients_lists(c->clients, name)) {
		fprintf(stderr, "ikiweb: %s exists already (users or %s)\n", name, c->clients);
		return 1;
	}
	snprintf(w.name, sizeof(w.name), "%s", name);
	snprintf(w.role, sizeof(w.role), "%s", c->role);
	snprintf(w.scope, sizeof(w.scope), "%s", scope);
	snprintf(w.display, sizeof(w.display), "%s", c->display ? c->display : name);
	w.display[strcspn(w.display, "\t\r\n")] = 0;
	int st = new_hash(c, &w);
	if (st)
		return st;
	int rc = usercmd_gateway_key(c->web_dir, c->clients, false);
	if (rc >= 0)
		rc = user_key(c, name, pub);
	if (rc == 0)
		rc = clients_append(c->clients, name, w.role, w.scope, pub);
	if (rc == 0 && (rc = users_add(u, &w)) == 0)
		rc = users_save(u);
	if (rc < 0) {
		fprintf(stderr, "ikiweb user add: %s\n", strerror(-rc));
		return 1;
	}
	fprintf(stderr, "ikiweb: user %s (%s %s) added, with a key of their own listed in %s\n",
		name, w.role, w.scope, c->clients);
	reload(c, true);
	return 0;
}

static int user_passwd(const struct usercmd *c, struct users *u, const char *name)
{
	struct web_user w = {0};
	if (!users_find(u, name)) {
		fprintf(stderr, "ikiweb: no user %s\n", name);
		return 1;
	}
	int st = new_hash(c, &w);
	if (st == 0 && (users_set_hash(u, name, w.hash) < 0 || users_save(u) < 0))
		st = 1;
	if (st == 0) {
		fprintf(stderr, "ikiweb: password of %s changed\n", name);
		reload(c, false);
	}
	return st;
}

static int user_del(const struct usercmd *c, struct users *u, const char *name)
{
	if (users_del(u, name) < 0) {
		fprintf(stderr, "ikiweb: no user %s\n", name);
		return 1;
	}
	int rc = users_save(u);
	if (rc == 0)
		rc = clients_remove(c->clients, name);
	user_key_remove(c, name);
	if (rc < 0) {
		fprintf(stderr, "ikiweb user del: %s\n", strerror(-rc));
		return 1;
	}
	fprintf(stderr, "ikiweb: user %s deleted, with their key and tokens\n", name);
	reload(c, true);
	return 0;
}

static int user_list(const struct users *u)
{
	for (size_t i = 0; i < users_count(u); i++) {
		const struct web_user *w = users_at(u, i);
		printf("%s\t%s\t%s\t%s\n", w->name, w->role, w->scope, w->display);
	}
	return 0;
}

/* ---- token add|del|list ---- */

static int token_add(const struct usercmd *c, struct users *u, const char *name)
{
	char secret[64];
	bool read = c->scopes && strstr(c->scopes, "read"), submit = c->scopes &&
								   strstr(c->scopes, "submit");
	if (!users_name_ok(name) || !c->user || !(read || submit)) {
		fprintf(stderr, "ikiweb token add NAME --user U --scope read,submit\n");
		return 2;
	}
	int rc = users_token_add(u, name, c->user, read, submit, secret, sizeof(secret));
	if (rc == 0)
		rc = users_save(u);
	if (rc < 0) {
		fprintf(stderr, "ikiweb token add: %s\n", rc == -EEXIST ? "that name is taken"
					     : rc == -EINVAL ? "no such user" : strerror(-rc));
		return 1;
	}
	printf("%s\n", secret);
	fprintf(stderr, "ikiweb: token %s for %s (%s%s%s): shown once, keep it\n", name, c->user,
		read ? "read" : "", read && submit ? "," : "", submit ? "submit" : "");
	reload(c, false);
	return 0;
}

static int token_cmd(const struct usercmd *c, struct users *u, const char *verb,
		     const char *name)
{
	if (!strcmp(verb, "list")) {
		for (size_t i = 0; i < users_token_count(u); i++) {
			const struct web_token *t = users_token_at(u, i);
			printf("%s\t%s\t%s%s%s\n", t->name, t->user, t->read ? "read" : "",
			       t->read && t->submit ? "," : "", t->submit ? "submit" : "");
		}
		return 0;
	}
	if (!name)
		return 2;
	if (!strcmp(verb, "add"))
		return token_add(c, u, name);
	if (!strcmp(verb, "del")) {
		if (users_token_del(u, name) < 0 || users_save(u) < 0) {
			fprintf(stderr, "ikiweb: no token %s\n", name);
			return 1;
		}
		reload(c, false);
		return 0;
	}
	return 2;
}

int usercmd_run(const struct usercmd *c, int argc, char **argv)
{
	struct users *u = NULL;
	char err[4400] = "";
	const char *verb = argc > 1 ? argv[1] : "", *name = argc > 2 ? argv[2] : NULL;
	if (mkdir(c->web_dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "ikiweb: %s: %s\n", c->web_dir, strerror(errno));
		return 1;
	}
	if (users_load(c->web_dir, &u, err, sizeof(err)) < 0) {
		fprintf(stderr, "ikiweb: %s\n", err);
		return 1;
	}
	int st = 2;
	if (!strcmp(argv[0], "token"))
		st = token_cmd(c, u, verb, name);
	else if (!strcmp(verb, "list"))
		st = user_list(u);
	else if (name && !strcmp(verb, "add"))
		st = user_add(c, u, name);
	else if (name && !strcmp(verb, "passwd"))
		st = user_passwd(c, u, name);
	else if (name && !strcmp(verb, "del"))
		st = user_del(c, u, name);
	if (st == 2 && strcmp(verb, "add"))
		fprintf(stderr, "usage: ikiweb user add|passwd|del NAME, ikiweb user list, "
			"ikiweb token add|del NAME, ikiweb token list (see ikiweb -h)\n");
	users_free(&u);
	return st;
}
