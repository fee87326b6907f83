/* list.h: iki list and iki whoami: what a person may type, and what this key may send. */
#ifndef IKI_LIST_H
#define IKI_LIST_H

#include "iki_client.h"

/*
 * The "iki list [orgunits|elements|indicators|jabatan]" command (argv[0] "list"): ikid's
 * catalog (describe) as tables a clerk can read; without a word, all four. Returns iki's exit
 * status: 0, 1 (ikid refused), 2 (usage), 3 (ikid unreachable).
 */
int cmd_list(const struct iki_client_options *o, int argc, char **argv);

/*
 * The "iki whoami" command: who ikid takes our key for (name, role, scope) and what it may
 * submit, with the catalog's names. Returns iki's exit status as cmd_list.
 */
int cmd_whoami(const struct iki_client_options *o, int argc, char **argv);

#endif
