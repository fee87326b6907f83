/* server.h: ikid's sockets and its one writer loop: receive, decode, apply, commit, reply, publish. */
#ifndef IKI_SERVER_H
#define IKI_SERVER_H

#include <signal.h>
#include <stddef.h>

#include "auth.h"
#include "catalog.h"
#include "curve.h"
#include "store.h"

#define SERVER_LISTEN_DEFAULT "tcp://127.0.0.1:7470"
#define SERVER_PUBLISH_DEFAULT "tcp://127.0.0.1:7471"
#define SERVER_HEARTBEAT_MS 1000 /* a subscriber hearing nothing for 3 of these may reconnect */
#define SERVER_NOFD_PAUSE_MS 1000 /* out of descriptors: requests not listened to this long */
#define SERVER_READERS_CHECK_MS 1000 /* how often dead LMDB readers are looked for */
#define SERVER_PUB_HWM 100000    /* updates queued per subscriber before the PUB socket drops */

struct server_options {
	const char *listen;  /* ROUTER endpoint for requests */
	const char *publish; /* PUB endpoint for updates */
	size_t batch_events; /* drain until a batch holds this many events; 0 for the default */
	int heartbeat_ms;    /* publish a heartbeat after this long without updates; 0: default */
	int pub_hwm;         /* updates queued per subscriber before PUB drops them; 0: default */
	struct auth *auth;   /* authorised clients (borrowed), checked by ZAP; NULL: plain text,
			      * where every client is "local" with the admin role */
	const struct curve_keys *keys; /* the server's key pair, with auth */
	volatile sig_atomic_t *reload; /* set (by SIGHUP): read the authorised clients again */
	void (*tick)(void *arg); /* called at the top of every pass of server_run's loop (so at
				  * least every tick_ms while idle: a watchdog); NULL: none */
	void *tick_arg;
	int tick_ms;             /* the loop passes at least this often when idle; 0: heartbeat_ms */
};

struct server;

/*
 * Bind the sockets. The store and catalog are borrowed and must outlive the server. Returns 0 and
 * an owned *out, or -errno (a ZeroMQ failure such as an endpoint in use).
 */
int server_new(struct store *st, const struct catalog *cat, const struct server_options *o,
	       struct server **out);

/* Free the server and null the pointer. Safe on NULL and twice. */
void server_free(struct server **s);

/* The endpoints actually bound (wildcard ports resolved), for logs and tests. */
void server_endpoints(const struct server *s, const char **listen, const char **publish);

/*
 * Serve until *stop is set (from a signal handler). The batch in flight when it is set is
 * committed, answered and published before returning. A batch the store could not commit is
 * answered with its error and serving goes on (nothing of it was stored). Returns 0, or -errno
 * when ZeroMQ failed (zmq_poll or a receive: the sockets cannot serve any more).
 */
int server_run(struct server *s, volatile sig_atomic_t *stop);

#endif
