/* config.h: ikid's settings, from its flags and its configuration file (/etc/iki/ikid.conf). */
#ifndef IKI_CONFIG_H
#define IKI_CONFIG_H

#include <netinet/in.h>
#include <stddef.h>

/*
 * Every setting a flag has, under the flag's long name: "listen = tcp://192.168.1.10:7470".
 * One "key = value" a line; '#' or ';' starts a comment line; blank lines are ignored; a key
 * given twice, an unknown key and a value the flag would refuse are errors at their file:line.
 * A flag given on the command line wins over the file (the file's value is still checked).
 */
enum config_key {
	CONFIG_CATALOG,
	CONFIG_STATE,
	CONFIG_LISTEN,
	CONFIG_PUBLISH,
	CONFIG_ENDPOINTS_FILE,
	CONFIG_KEY,
	CONFIG_CLIENTS,
	CONFIG_PLAINTEXT,
	CONFIG_MAP_SIZE,
	CONFIG_HEARTBEAT_MS,
	CONFIG_PUB_HWM,
	CONFIG_VERBOSE,
	CONFIG_LOG_PRIORITIES,
	CONFIG_PID_FILE,
	CONFIG_METRICS,
	CONFIG_KEYS
};

struct config {
	const char *catalog, *state, *endpoints_file;
	const char *listen, *publish; /* NULL: the server's defaults */
	const char *key_file, *clients_file; /* NULL: in the state directory */
	const char *pid_file;         /* NULL: STATEDIR/ikid.pid */
	const char *metrics;          /* ADDRESS:PORT serving GET /metrics, or NULL: none */
	int plaintext, verbose;
	int heartbeat_ms, pub_hwm;    /* 0: the server's defaults */
	int log_priorities;           /* -1: when stderr is journald's; 0: never; 1: always */
	size_t map_max;               /* 0: the store's default */
	unsigned given;               /* bit (1u << key): set by a flag, which the file does not change */
	int line[CONFIG_KEYS];        /* where the file set each key (0: it did not) */
	char *text;                   /* the file read (owned): the values above point into it */
};

/* Defaults: no file read, nothing given. catalog is borrowed (it must outlive c). */
void config_init(struct config *c, const char *catalog);

/* Free what the file's values point into, and null c->text. Safe twice. */
void config_free(struct config *c);

/*
 * A flag: set key to value (borrowed: argv), and mark it given. A boolean flag has the value
 * "yes". Returns 0, or -EINVAL with a sentence in why (n bytes), like "wants a positive number,
 * not \"x\"".
 */
int config_flag(struct config *c, enum config_key key, const char *value, char *why, size_t n);

/* The long name of a key ("map-size"), which is also its flag. */
const char *config_name(enum config_key key);

/*
 * Read the file at path into c: every key it sets that no flag gave. Nothing of it is applied
 * when it has an error: then *errors gets each as "path:line: message\n" (owned; free it) and
 * IKI_ECATALOG is returned; -errno (with *errors saying so) when it cannot be read.
 * Returns 0 otherwise.
 */
int config_read(struct config *c, const char *path, char **errors);

/*
 * Whether key differs between a and b; and whether a running ikid can take a new value of it
 * (verbose and log-priorities can; the others need a restart).
 */
/* An IPv4 address and port, "127.0.0.1:9470" (port 0: any free one), into *out; 0 or -EINVAL. */
int config_address(const char *text, struct sockaddr_in *out);

int config_differs(const struct config *a, const struct config *b, enum config_key key);
int config_live(enum config_key key);

#endif
