/* live.h: iki watch's live table: ikid's values in place on a terminal, like top. */
#ifndef IKI_LIVE_H
#define IKI_LIVE_H

#include <signal.h>

#include "iki_client.h"

/*
 * Draw the stream's values as a table on the terminal (stdout) until *stop is set (by the
 * caller's SIGINT and SIGTERM handlers, or by the q key): the alternate screen, redrawn at most
 * 4 times a second and only in the lines that changed; a header with o's endpoint, the seq, the
 * resyncs and the last heartbeat's age; rows that just changed marked. Handles SIGWINCH and
 * Ctrl-Z, and gives the terminal back as it found it. c (borrowed) is asked once for the
 * catalog's names; s and filter are borrowed. Returns 0 when stopped, or the stream's failure
 * (a timeout is shown and tried again; any other failure ends the view).
 */
int live_run(const struct iki_client_options *o, struct iki_client *c, struct iki_stream *s,
	     const struct proto_query *filter, volatile sig_atomic_t *stop);

#endif
