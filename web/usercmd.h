/* usercmd.h: "ikiweb user add|passwd|del|list" and "ikiweb token add|del|list": the users file,
 * each user's CURVE key pair, and their line in ikid's clients file. */
#ifndef IKI_WEB_USERCMD_H
#define IKI_WEB_USERCMD_H

#include <stdbool.h>

/* Where things are, and the command's own options. */
struct usercmd {
	const char *web_dir;   /* users, tokens, keys/, gateway.key */
	const char *clients;   /* ikid's clients file */
	const char *ikid_pid;  /* a file with ikid's pid, to send it SIGHUP; NULL: say so */
	const char *role, *scope, *display, *user, *scopes;
	bool password_stdin;
};

/* Run "user ..." or "token ..." (argv[0] is "user" or "token"). Returns the exit status. */
int usercmd_run(const struct usercmd *c, int argc, char **argv);

/*
 * Make the gateway's own key pair (web_dir/gateway.key) when missing, and list it in the clients
 * file as a viewer named "ikiweb" when it is not. Returns 1 when the clients file changed (ikid
 * needs a SIGHUP), 0 when nothing did, or -errno. With dry, changes nothing and returns 1 when
 * something would change.
 */
int usercmd_gateway_key(const char *web_dir, const char *clients, bool dry);

#endif
