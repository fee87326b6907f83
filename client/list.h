/* list.h: iki list: what a person may type (org units, elements, indicators, jabatan). */
#ifndef IKI_LIST_H
#define IKI_LIST_H

#include "iki_client.h"

/*
 * The "iki list [orgunits|elements|indicators|jabatan]" command (argv[0] "list"): ikid's
 * catalog (describe) as tables a clerk can read; without a word, all four. Returns iki's exit
 * status: 0, 1 (ikid refused), 2 (usage), 3 (ikid unreachable).
 */
int cmd_list(const struct iki_client_options *o, int argc, char **argv);

#endif
