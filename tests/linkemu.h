/* linkemu.h: run tests/linkemu.py (a bad link as a TCP proxy) between iki and ikid. */
#ifndef IKI_LINKEMU_H
#define IKI_LINKEMU_H

#include <sys/types.h>

struct linkemu {
	pid_t pid;
	char dir[160];      /* its files: port, target, down, stats */
	char endpoint[64];  /* where iki connects: tcp://127.0.0.1:PORT */
};

/*
 * Start the proxy with its files in dir (which must exist), forwarding to ikid's request
 * endpoint target ("tcp://127.0.0.1:PORT"), with linkemu.py's options (NULL-terminated; e.g.
 * "--rate", "32000"). Returns 0 once it listens, -1 when it did not start within 5 s.
 */
int linkemu_start(struct linkemu *l, const char *dir, const char *target,
		  const char *const *opts);

/* Point the proxy at another ikid endpoint (new connections go there). Returns 0 or -1. */
int linkemu_retarget(struct linkemu *l, const char *target);

/* Take the link down ("silent": nothing moves; "cut": connections closed) or up (NULL). */
void linkemu_down(struct linkemu *l, const char *how);

/* Stop the proxy (it writes its last counts). Safe twice. */
void linkemu_stop(struct linkemu *l);

/* Bytes carried up (client to ikid) and down so far (after linkemu_stop: in all). */
void linkemu_bytes(const struct linkemu *l, long *up, long *down);

#endif
