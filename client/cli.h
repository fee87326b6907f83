/* cli.h: what every iki command shares: exit statuses, connecting, saying why ikid is out of reach. */
#ifndef IKI_CLI_H
#define IKI_CLI_H

#include <json-c/json.h>

#include "iki_client.h"

/* Exit statuses a script can rely on. */
enum {
	EXIT_OK = 0,
	EXIT_REJECTED = 1,
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
	EXIT_PENDING = 4, /* stopped (Ctrl-C, --deadline): what was not delivered waits in the outbox */
};

/* Open the client; exit 2 on unusable keys, 3 when it cannot be opened. */
struct iki_client *cli_connect(const struct iki_client_options *o);

/* Say why ikid could not be reached (what the handshake saw, when it saw something), close the
 * client, and return EXIT_UNREACHABLE. */
int cli_unreachable(const struct iki_client_options *o, struct iki_client **c, int rc);

/* After a request failed with rc: ikid's refusal ("iki CMD: code: message", EXIT_REJECTED) or
 * a transport failure (cli_unreachable). Closes the client. */
int cli_refused(const char *cmd, struct iki_client **c, const struct iki_client_options *o, int rc,
		const char *message);

/* Copy an option's value into a fixed field of size n, or say "iki CMD: --NAME is too long"
 * and exit 2. */
void cli_field(char *dst, size_t n, const char *cmd, const char *name, const char *val);

/*
 * A value as JSON: indicator, name and jabatan (without seq: a query's), orgunit, period, num,
 * den, factor, value (null without data), target, target_original, capaian, predikat (when
 * there), seq (when given: an update's). The caller owns it (json_object_put).
 */
json_object *cli_value_json(const struct proto_value *v, const uint64_t *seq);

/*
 * Text from ikid or a file made safe for a terminal into buf (size n): control characters (C0,
 * DEL and the C1 range U+0080..U+009F) become '?'. s may be buf. Returns buf.
 */
const char *cli_safe(const char *s, char *buf, size_t n);

/*
 * The catalog's budget year, what commands default to without --period or --year: the year its
 * title names ("... Tahun 2022": the last 20xx standing alone in it), else the clock's year.
 */
int cli_budget_year(const struct proto_msg *catalog);

/* A period id in words for people: "tahun 2022", "triwulan I 2022", "Maret 2022" (the id
 * itself when it is none of these). Into buf (size n); returns buf. */
const char *cli_period_words(const char *period, char *buf, size_t n);

#endif
