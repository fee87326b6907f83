/* query.h: iki query: indicator values for people (or JSON for programs). */
#ifndef IKI_QUERY_H
#define IKI_QUERY_H

#include "iki_client.h"

/*
 * The "iki query" command: argv[0] is "query". Without --period, the catalog's budget year
 * (cli_budget_year). Returns iki's exit status: 0, 1 (ikid refused), 2 (usage), 3 (ikid
 * unreachable).
 */
int cmd_query(const struct iki_client_options *o, int argc, char **argv);

/*
 * "iki review": the values of a period that break their indicator's validation rule (those
 * ikid sends with a 'check'), from a snapshot. Same returns as cmd_query (0 when none found).
 */
int cmd_review(const struct iki_client_options *o, int argc, char **argv);

#endif
