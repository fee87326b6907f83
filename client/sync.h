/* sync.h: iki submit, iki sync and iki outbox: capture into the outbox, deliver, look inside. */
#ifndef IKI_SYNC_H
#define IKI_SYNC_H

#include "iki_client.h"

/* Where the commands find ikid and the outbox. */
struct sync_config {
	struct iki_client_options o;
	const char *outbox; /* --outbox DIR, or NULL: iki_outbox_default_dir */
};

/* iki submit: capture a file or one event (flags) into the outbox, then deliver. */
int cmd_submit(const struct sync_config *g, int argc, char **argv);

/* iki sync [--wait] [--deadline SECS]: deliver what is pending. */
int cmd_sync(const struct sync_config *g, int argc, char **argv);

/* iki outbox [list options] | iki outbox drop ID | iki outbox fix ID FIELDS...: look and mend. */
int cmd_outbox(const struct sync_config *g, int argc, char **argv);

#endif
