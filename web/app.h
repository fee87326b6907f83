/* app.h: what every part of ikiweb's request handling shares, passed as one context pointer. */
#ifndef IKI_WEB_APP_H
#define IKI_WEB_APP_H

#include <pthread.h>
#include <stdbool.h>

#include "gateway.h"
#include "journal.h"
#include "live.h"
#include "session.h"
#include "users.h"

#define APP_BODY_MAX (1u << 20) /* bytes of a request body */
#define APP_HASHING_MAX 2       /* password checks at once (Argon2id takes 64 MiB each) */

struct app {
	pthread_rwlock_t users_lock; /* users is replaced on SIGHUP */
	struct users *users;
	struct sessions *sessions;
	struct gw *gw;
	struct live *live;
	struct journal *journal;
	const char *www;       /* the pages' directory */
	bool secure_cookie;    /* HTTPS, or behind a TLS proxy */
	bool trust_forwarded;  /* behind a proxy: the client's address is X-Forwarded-For's last */
	pthread_mutex_t hash_lock;
	pthread_cond_t hash_free;
	int hashing;
};

#endif
