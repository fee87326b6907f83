/* cli.h: what every iki command shares: exit statuses, connecting, saying why ikid is out of reach. */
#ifndef IKI_CLI_H
#define IKI_CLI_H

#include "iki_client.h"

/* Exit statuses a script can rely on. */
enum { EXIT_OK = 0, EXIT_REJECTED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

/* Open the client; exit 2 on unusable keys, 3 when it cannot be opened. */
struct iki_client *cli_connect(const struct iki_client_options *o);

/* Say why ikid could not be reached (what the handshake saw, when it saw something), close the
 * client, and return EXIT_UNREACHABLE. */
int cli_unreachable(const struct iki_client_options *o, struct iki_client **c, int rc);

/* After a request failed with rc: ikid's refusal ("iki CMD: code: message", EXIT_REJECTED) or
 * a transport failure (cli_unreachable). Closes the client. */
int cli_refused(const char *cmd, struct iki_client **c, const struct iki_client_options *o, int rc,
		const char *message);

#endif
