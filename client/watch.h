/* watch.h: iki watch: ikid's values live, a table in place on a terminal, lines or JSON otherwise. */
#ifndef IKI_WATCH_H
#define IKI_WATCH_H

#include "iki_client.h"

/*
 * The "iki watch" command: argv[0] is "watch". Follows ikid's values through o (an iki_stream:
 * a snapshot, then every update, a fresh snapshot after a gap) until SIGINT, SIGTERM or 'q'.
 * On a terminal it draws a table that updates in place; otherwise (or with --plain) one line per
 * value, or with --json one JSON object per line. Returns iki's exit status: 0 when stopped, 1
 * when ikid refused the snapshot, 2 on usage errors, 3 when ikid is out of reach; exits 2 or 3
 * itself when the client cannot be opened (cli_connect).
 */
int cmd_watch(const struct iki_client_options *o, int argc, char **argv);

#endif
