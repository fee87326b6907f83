/* admin.h: iki lock, unlock, locks and history: a period's lock, an event's corrections. */
#ifndef IKI_ADMIN_H
#define IKI_ADMIN_H

#include "iki_client.h"

/* iki lock PERIOD | iki unlock PERIOD | iki locks: cmd is "lock", "unlock" or "locks". */
int cmd_lock(const struct iki_client_options *o, const char *cmd, int argc, char **argv);

/* iki target [--indicator CODE [--period P [--orgunit OU] --set PERCENT]]. */
int cmd_target(const struct iki_client_options *o, int argc, char **argv);

/* "iki note": list, write (admin) or trace the analysis notes of indicator values. */
int cmd_note(const struct iki_client_options *o, int argc, char **argv);

/* iki history ID | --indicator CODE --period PERIOD [--orgunit CODE]; [--json]. */
int cmd_history(const struct iki_client_options *o, int argc, char **argv);

#endif
