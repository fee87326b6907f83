/* cli.c: what every iki command shares: exit statuses, connecting, saying why ikid is out of reach. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct iki_client *cli_connect(const struct iki_client_options *o)
{
	struct iki_client *c = NULL;
	int rc = iki_client_open(o, &c);
	if (rc == -EINVAL || rc == -ENOENT || rc == -EACCES) {
		fprintf(stderr, "iki: keys: %s (-k %s, -S %s): give both, a key pair from 'iki keygen' "
			"and ikid's public key\n", rc == -EINVAL ? "not a usable key" : strerror(-rc),
			o->key_file ? o->key_file : "missing", o->server_key ? o->server_key : "missing");
		exit(EXIT_USAGE);
	}
	if (rc < 0) {
		fprintf(stderr, "iki: cannot connect to %s: %s\n", o->request, iki_strerror(rc));
		exit(EXIT_UNREACHABLE);
	}
	return c;
}

int cli_unreachable(const struct iki_client_options *o, struct iki_client **c, int rc)
{
	const char *problem = rc == IKI_ETIMEOUT ? iki_client_problem(*c) : NULL;
	if (problem)
		fprintf(stderr, "iki: %s: %s\n", o->request, problem);
	else if (rc == IKI_ETIMEOUT)
		fprintf(stderr, "iki: ikid at %s did not answer within %d s (is it running?)\n",
			o->request, o->timeout_ms / 1000);
	else
		fprintf(stderr, "iki: %s: %s\n", iki_code_name(rc), iki_strerror(rc));
	iki_client_close(c);
	return EXIT_UNREACHABLE;
}

int cli_refused(const char *cmd, struct iki_client **c, const struct iki_client_options *o, int rc,
		const char *message)
{
	if (rc == IKI_ETIMEOUT || (rc < 0 && rc > -IKI_EBASE))
		return cli_unreachable(o, c, rc);
	fprintf(stderr, "iki %s: %s: %s\n", cmd, iki_code_name(rc),
		message && *message ? message : iki_strerror(rc));
	iki_client_close(c);
	return EXIT_REJECTED;
}
