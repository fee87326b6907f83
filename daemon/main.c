/* main.c: ikid's command line, signals and lifetime: load the catalog, open the store, serve. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "auth.h"
#include "catalog.h"
#include "config.h"
#include "curve.h"
#include "iki.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "schedule.h"
#include "server.h"
#include "store.h"

#ifndef IKI_DEFAULT_CATALOG
#define IKI_DEFAULT_CATALOG "/usr/local/share/iki/sampang-2022.conf"
#endif

static volatile sig_atomic_t stop_requested, reload_requested, config_reload_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_reload(int sig)
{
	(void)sig;
	reload_requested = 1;        /* the server: the authorised clients */
	config_reload_requested = 1; /* main: the configuration file */
}

struct options {
	struct config cfg;         /* the settings: defaults, then flags, then the file */
	struct config flags;       /* defaults and flags only: what a reload reads the file onto */
	const char *config_file;   /* -f: the configuration file, or NULL */
	struct server_options server;
	int check_only, rebuild;
	int verify;         /* --verify: compare derived values with the log, report, exit */
	const char *backup; /* --backup DEST: copy the store into DEST, exit */
	char metrics_at[64]; /* where GET /metrics is served ("127.0.0.1:9470"), or "" */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ikid [-nrVv] [-f config] [-c catalog] [-d statedir] [-l endpoint] [-p endpoint]\n"
		"            [-e file] [-P pidfile] [-k keyfile] [-a clientsfile | --plaintext]\n"
		"\n"
		"Collects IKI events over ZeroMQ, stores them durably in LMDB, and publishes every\n"
		"indicator value that changes.\n"
		"\n"
		"  -f, --config FILE          settings, one \"key = value\" a line, each key a long option\n"
		"                             below (listen = tcp://192.168.1.10:7470); flags win;\n"
		"                             verbose and log-priorities re-read on SIGHUP\n"
		"  -c, --catalog FILE         indicator catalog (default %s)\n"
		"  -d, --state DIR            state directory holding the LMDB database (default ./state)\n"
		"  -l, --listen ENDPOINT      requests (ROUTER) endpoint (default %s)\n"
		"  -p, --publish ENDPOINT     updates (PUB) endpoint (default %s)\n"
		"  -e, --endpoints-file FILE  once listening, write the bound endpoints to FILE\n"
		"  -P, --pid-file FILE        once listening, write ikid's pid to FILE (default\n"
		"                             STATEDIR/ikid.pid: kill -HUP $(cat state/ikid.pid)),\n"
		"                             removed on a clean stop; ikid refuses to start while\n"
		"                             another ikid holds it (a stale one is replaced)\n"
		"  -k, --key FILE             ikid's CURVE key pair (default STATEDIR/server.key, made on\n"
		"                             first start, with its public half in STATEDIR/server.pub)\n"
		"  -a, --clients FILE         authorised clients: name, role, scope and public key of each\n"
		"                             (default STATEDIR/clients); re-read on SIGHUP\n"
		"      --plaintext            no encryption and no authentication, every client an admin:\n"
		"                             for local testing only\n"
		"  -n, --check                check the configuration file, the catalog and the clients\n"
		"                             file named, print \"configuration OK\" or the errors, exit\n"
		"  -r, --rebuild              recompute every derived value from the event log, then serve\n"
		"  -V, --verify               recompute every derived value from the event log, compare\n"
		"                             with what is stored, print a report and exit (0: consistent,\n"
		"                             1: not); reads only, so a running ikid may go on\n"
		"      --backup DEST          copy the store of -d, consistent and compacted, into\n"
		"                             DEST/data.mdb, then exit; a running ikid may go on\n"
		"      --map-size BYTES       the most the database may grow to, with K, M, G or T\n"
		"                             (default 64G); a full database refuses submits\n"
		"  -v, --verbose              log every batch\n"
		"      --log-priorities WHEN  \"<N>\" syslog priorities on each log line: auto (when\n"
		"                             stderr is journald's, the default), yes or no\n"
		"      --heartbeat-ms MS      publish a heartbeat after MS idle milliseconds (default %d)\n"
		"      --pub-hwm N            updates queued per subscriber before they drop (default %d)\n"
		"      --metrics ADDR:PORT    serve GET /metrics (Prometheus' text format) over plain\n"
		"                             HTTP on this IPv4 address (127.0.0.1:9470; port 0: any\n"
		"                             free one); off by default\n"
		"  -h, --help                 this help\n",
		IKI_DEFAULT_CATALOG, SERVER_LISTEN_DEFAULT, SERVER_PUBLISH_DEFAULT, SERVER_HEARTBEAT_MS,
		SERVER_PUB_HWM);
}

/* Options that are not settings; a setting's option is OPT_KEY + its config_key. */
enum { OPT_BACKUP = 256, OPT_KEY = 512 };

static const struct option long_options[] = {
	{"config", required_argument, NULL, 'f'},
	{"catalog", required_argument, NULL, 'c'},
	{"state", required_argument, NULL, 'd'},
	{"listen", required_argument, NULL, 'l'},
	{"publish", required_argument, NULL, 'p'},
	{"endpoints-file", required_argument, NULL, 'e'},
	{"pid-file", required_argument, NULL, 'P'},
	{"check", no_argument, NULL, 'n'},
	{"check-catalog", no_argument, NULL, 'n'},
	{"rebuild", no_argument, NULL, 'r'},
	{"verify", no_argument, NULL, 'V'},
	{"backup", required_argument, NULL, OPT_BACKUP},
	{"map-size", required_argument, NULL, OPT_KEY + CONFIG_MAP_SIZE},
	{"verbose", no_argument, NULL, 'v'},
	{"log-priorities", required_argument, NULL, OPT_KEY + CONFIG_LOG_PRIORITIES},
	{"key", required_argument, NULL, 'k'},
	{"clients", required_argument, NULL, 'a'},
	{"plaintext", no_argument, NULL, OPT_KEY + CONFIG_PLAINTEXT},
	{"heartbeat-ms", required_argument, NULL, OPT_KEY + CONFIG_HEARTBEAT_MS},
	{"pub-hwm", required_argument, NULL, OPT_KEY + CONFIG_PUB_HWM},
	{"metrics", required_argument, NULL, OPT_KEY + CONFIG_METRICS},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* The setting a short option sets, or -1. */
static int short_key(int ch)
{
	static const char shorts[] = "cdlpekavP";
	static const enum config_key key[] = {CONFIG_CATALOG, CONFIG_STATE, CONFIG_LISTEN,
					      CONFIG_PUBLISH, CONFIG_ENDPOINTS_FILE, CONFIG_KEY,
					      CONFIG_CLIENTS, CONFIG_VERBOSE, CONFIG_PID_FILE};
	const char *at = ch > 0 && ch < 256 ? strchr(shorts, ch) : NULL;
	return at ? (int)key[at - shorts] : -1;
}

/* A setting given as a flag; a value it refuses is a usage error. */
static void flag(struct options *o, int key, const char *value)
{
	char why[600];
	if (config_flag(&o->cfg, (enum config_key)key, value ? value : "yes", why, sizeof(why)) < 0) {
		fprintf(stderr, "ikid: --%s\n", why);
		exit(2);
	}
}

static void parse_args(int argc, char **argv, struct options *o)
{
	int ch;
	*o = (struct options){0};
	config_init(&o->cfg, IKI_DEFAULT_CATALOG);
	while ((ch = getopt_long(argc, argv, "f:c:d:l:p:e:P:k:a:nrVvh", long_options, NULL)) != -1) {
		if (short_key(ch) >= 0 || ch >= OPT_KEY) {
			flag(o, ch >= OPT_KEY ? ch - OPT_KEY : short_key(ch), optarg);
			continue;
		}
		switch (ch) {
		case 'f': o->config_file = optarg; break;
		case 'n': o->check_only = 1; break;
		case 'r': o->rebuild = 1; break;
		case 'V': o->verify = 1; break;
		case OPT_BACKUP: o->backup = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
	o->flags = o->cfg;
}

/* The configuration file of -f onto the flags; with -n its errors are the report. */
static void read_config(struct options *o)
{
	char *errors = NULL;
	if (!o->config_file)
		return;
	int rc = config_read(&o->cfg, o->config_file, &errors);
	if (rc < 0) {
		log_errors(errors);
		free(errors);
		fatalx("%s: configuration not loaded", o->config_file);
	}
}

/* Whether log_debug prints and whether lines carry "<N>" priorities, as the settings say. */
static void apply_log_settings(const struct config *c)
{
	log_set_verbose(c->verbose);
	log_set_priorities(c->log_priorities >= 0 ? c->log_priorities : log_journald());
}

/* What the server takes from the settings. */
static void server_settings(struct options *o)
{
	o->server.listen = o->cfg.listen;
	o->server.publish = o->cfg.publish;
	o->server.heartbeat_ms = o->cfg.heartbeat_ms;
	o->server.pub_hwm = o->cfg.pub_hwm;
}

/* Write the bound endpoints (and the metrics' address, when served) to a file, atomically, so a
 * watcher never reads half of it. */
static void write_endpoints(const char *path, const struct server *srv, const char *metrics)
{
	const char *listen, *publish;
	char tmp[4096];
	server_endpoints(srv, &listen, &publish);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "request %s\nupdate %s\n", listen, publish) < 0 ||
	    (metrics[0] && fprintf(f, "metrics %s\n", metrics) < 0) || fclose(f) != 0 ||
	    rename(tmp, path) < 0)
		fatal("cannot write %s", path);
}

/* GET /metrics, when an address is set (the one bound into o->metrics_at). */
static struct metrics *serve_metrics(struct options *o, struct store *st)
{
	struct sockaddr_in sa;
	struct metrics *m = NULL;
	if (!o->cfg.metrics)
		return NULL;
	metrics_store(st);
	config_address(o->cfg.metrics, &sa); /* checked when it was read */
	int rc = metrics_start(&sa, o->metrics_at, sizeof(o->metrics_at), &m);
	if (rc < 0)
		fatalx("cannot serve the metrics on %s: %s", o->cfg.metrics, strerror(-rc));
	log_notice("metrics: GET http://%s/metrics (plain HTTP, no authentication: counts only)",
		   o->metrics_at);
	return m;
}

/* ---- the pid file: which ikid serves the state directory ---- */

/*
 * The pid file holds the pid of the ikid that serves, and that ikid holds a write lock (fcntl)
 * on it while it lives. The kernel drops the lock when the process ends, however it ends, so
 * a file a crash left (kill -9, a power cut) is stale by construction and is replaced, and a
 * pid number since reused by another program is never taken for a live ikid.
 */
struct pid_file {
	char path[4200];
	int fd; /* -1: not held */
};

static void pid_file_path(const struct options *o, struct pid_file *pf)
{
	if (o->cfg.pid_file)
		snprintf(pf->path, sizeof(pf->path), "%s", o->cfg.pid_file);
	else
		snprintf(pf->path, sizeof(pf->path), "%s/ikid.pid", o->cfg.state);
	pf->fd = -1;
}

/* Whether another live process holds the pid file's lock; its pid into *pid (0: unknown). */
static bool pid_file_held(int fd, long *pid)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK)
		return false;
	*pid = (long)fl.l_pid;
	return true;
}

static _Noreturn void pid_file_refuse(const struct pid_file *pf, long pid)
{
	fatalx("%s: another ikid (pid %ld) serves this state directory and holds its pid file; "
	       "not starting a second one (stop it first: kill $(cat %s))", pf->path, pid, pf->path);
}

/* Before the store is opened: refuse when a live ikid holds the pid file. */
static void pid_file_check(const struct pid_file *pf)
{
	long pid = 0;
	int fd = open(pf->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return; /* none yet, or not readable: pid_file_take says why */
	bool held = pid_file_held(fd, &pid);
	close(fd);
	if (held)
		pid_file_refuse(pf, pid);
}

/* Once listening: lock the pid file (made when missing, a stale one replaced), write our pid. */
static void pid_file_take(struct pid_file *pf)
{
	char text[32];
	struct stat held, now;
	for (int tries = 0; tries < 5; tries++) {
		int fd = open(pf->path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			fatal("%s: cannot open the pid file", pf->path);
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
		if (fcntl(fd, F_SETLK, &fl) < 0) {
			long pid = 0;
			if (errno != EACCES && errno != EAGAIN)
				fatal("%s: cannot lock the pid file", pf->path);
			if (!pid_file_held(fd, &pid))
				pid = 0;
			close(fd);
			pid_file_refuse(pf, pid);
		}
		/* a stopping ikid may have removed the file we opened: lock the one named then */
		if (fstat(fd, &held) == 0 && stat(pf->path, &now) == 0 && held.st_ino == now.st_ino &&
		    held.st_dev == now.st_dev) {
			ssize_t got = pread(fd, text, sizeof(text) - 1, 0);
			text[got > 0 ? got : 0] = '\0';
			long was = strtol(text, NULL, 10);
			if (was > 0 && was != (long)getpid())
				log_info("%s: replaced a stale pid file (it named pid %ld; no ikid held it)",
					 pf->path, was);
			int n = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
			if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)n, 0) != n)
				fatal("%s: cannot write the pid file", pf->path);
			pf->fd = fd;
			return;
		}
		close(fd);
	}
	fatalx("%s: the pid file keeps being replaced; is another ikid starting?", pf->path);
}

/* On a clean stop: remove the pid file when it is still ours, and let the lock go. */
static void pid_file_release(struct pid_file *pf)
{
	struct stat held, now;
	if (pf->fd < 0)
		return;
	if (fstat(pf->fd, &held) == 0 && stat(pf->path, &now) == 0 && held.st_ino == now.st_ino &&
	    held.st_dev == now.st_dev && unlink(pf->path) < 0)
		log_warn("%s: cannot remove the pid file", pf->path);
	close(pf->fd);
	pf->fd = -1;
}

static struct catalog *load_catalog(const struct options *o)
{
	struct catalog *cat = NULL;
	char *errors = NULL;
	int rc = catalog_load(o->cfg.catalog, &cat, &errors);
	if (rc < 0) {
		log_errors(errors);
		free(errors);
		fatalx("%s: catalog not loaded (%s)", o->cfg.catalog, iki_code_name(rc));
	}
	free(errors);
	return cat;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* The server's key pair: the given file, or STATEDIR/server.key, made on the first start. */
static void load_server_key(const struct options *o, struct curve_keys *k)
{
	char path[4200], base[4096];
	snprintf(base, sizeof(base), "%s/server", o->cfg.state);
	snprintf(path, sizeof(path), "%s", o->cfg.key_file ? o->cfg.key_file : "");
	if (!o->cfg.key_file)
		snprintf(path, sizeof(path), "%s.key", base);
	struct stat st;
	if (stat(path, &st) == 0 && (st.st_mode & 077))
		fatalx("%s: the server's secret key is readable or writable by others (mode %04o); "
		       "refusing to use it, like ssh: chmod 600 %s", path, (unsigned)(st.st_mode & 07777),
		       path);
	int rc = curve_read(path, k);
	if (rc == -ENOENT && !o->cfg.key_file) {
		if ((rc = curve_generate(k)) == 0 && (rc = curve_write(base, k)) == 0)
			log_info("made the server key pair %s (public half in %s.pub)", path, base);
	}
	if (rc == 0 && !k->secret_key[0])
		rc = -EINVAL;
	if (rc < 0)
		fatalx("%s: cannot use the server key: %s", path,
		       rc == -EINVAL ? "not a key pair (make one with: iki keygen NAME)"
				     : strerror(-rc));
}

/* The authorised clients file: the one named, or STATEDIR/clients. */
static void clients_path(const struct options *o, char *path, size_t n)
{
	if (o->cfg.clients_file)
		snprintf(path, n, "%s", o->cfg.clients_file);
	else
		snprintf(path, n, "%s/clients", o->cfg.state);
}

/* Read the authorised clients file, or exit saying why. Returns the owned list. */
static struct auth *load_clients(const char *path, const struct catalog *cat)
{
	struct auth *auth = NULL;
	char *errors = NULL;
	int rc = auth_load(path, cat, &auth, &errors);
	if (rc == -ENOENT)
		fatalx("%s: no authorised clients file. List each client there, one line each: "
		       "name role scope public-key (see ikid(8)); or, for local testing only, run "
		       "with --plaintext", path);
	if (rc < 0) {
		log_errors(errors);
		fatalx("%s: authorised clients not loaded: %s", path,
		       rc == IKI_ECATALOG ? "errors above" : strerror(-rc));
	}
	free(errors);
	return auth;
}

/* CURVE with the authorised clients, or, when asked, plain text (said loudly). */
static struct auth *setup_security(struct options *o, const struct catalog *cat,
				   struct curve_keys *keys)
{
	char path[4200];
	if (o->cfg.plaintext) {
		log_warnx("PLAIN TEXT: --plaintext given; connections are neither encrypted nor "
			  "authenticated, and every client may do anything. Local testing only.");
		return NULL;
	}
	if (!zmq_has("curve"))
		fatalx("this libzmq has no CURVE: cannot authenticate clients (or use --plaintext "
		       "for local testing)");
	load_server_key(o, keys);
	clients_path(o, path, sizeof(path));
	struct auth *auth = load_clients(path, cat);
	o->server.auth = auth;
	o->server.keys = keys;
	o->server.reload = &reload_requested;
	log_info("CURVE on: server key %s, %d authorised clients in %s", keys->public_key,
		 auth_count(auth), path);
	return auth;
}

/* -n: the configuration file (read already), the catalog, and the clients file when one is
 * named (by a flag or the file): "configuration OK", or exit 1 with their errors. */
static int run_check(const struct options *o, const struct catalog *cat)
{
	char path[4200];
	if (o->cfg.clients_file && !o->cfg.plaintext) {
		clients_path(o, path, sizeof(path));
		struct auth *auth = load_clients(path, cat);
		auth_free(&auth);
	}
	printf("configuration OK\n");
	return 0;
}

/* Why a store call failed, for the log: strerror for system errors, else iki's code name. */
static const char *store_why(int rc)
{
	return rc < 0 && rc > -IKI_EBASE ? strerror(-rc) : iki_code_name(rc);
}

/* --backup: copy the store, read only beside a running ikid; exit 0, or 1 on failure. */
static int run_backup(const struct options *o)
{
	uint64_t events;
	int rc = store_backup(o->cfg.state, o->backup, &events);
	if (rc == -EEXIST)
		fatalx("%s: already holds a database; back up into a new or empty directory", o->backup);
	if (rc < 0)
		fatalx("%s: backup into %s failed, nothing written there: %s", o->cfg.state, o->backup,
		       store_why(rc));
	printf("backup: %llu events copied from %s into %s/data.mdb (consistent and compacted)\n",
	       (unsigned long long)events, o->cfg.state, o->backup);
	return 0;
}

/* --verify: recompute, compare, print the report; 0 when consistent, 1 when not. */
static int run_verify(const struct options *o, struct store *st)
{
	struct store_report r;
	int rc = store_verify(st, &r);
	if (rc < 0)
		fatalx("%s: cannot verify: %s", o->cfg.state, store_why(rc));
	printf("verify: %llu events checked, %llu values compared, %llu mismatches",
	       (unsigned long long)r.events, (unsigned long long)r.compared,
	       (unsigned long long)r.mismatches);
	if (r.skipped)
		printf(" (%llu events the catalog no longer accepts were left out)",
		       (unsigned long long)r.skipped);
	printf("%s\n", r.mismatches ? "; run ikid --rebuild to recompute them from the log" : "");
	for (size_t i = 0; i < r.n_shown; i++) {
		const struct store_mismatch *m = &r.shown[i];
		printf("  %s %s%s%s%s%s%s%s%s: stored %s, recomputed %s\n", m->what, m->name,
		       m->indicator[0] ? " (indicator " : "", m->indicator, m->indicator[0] ? ")" : "",
		       m->orgunit[0] ? " at " : "", m->orgunit, m->period[0] ? " in " : "", m->period,
		       m->stored, m->recomputed);
	}
	if (r.mismatches > r.n_shown)
		printf("  ... and %llu more\n", (unsigned long long)(r.mismatches - r.n_shown));
	return r.mismatches ? 1 : 0;
}

/* Open the cases of the reports the catalog's schedules make due (done once; then duplicates). */
static void open_schedules(struct store *st, const struct catalog *cat)
{
	uint64_t opened, refused;
	int rc = schedule_open_all(st, cat, &opened, &refused);
	if (rc < 0)
		fatalx("cannot open the scheduled reports: %s", iki_code_name(rc));
	if (opened || refused)
		log_info("schedules: %llu reports now due%s", (unsigned long long)opened,
			 refused ? ", some refused (see above)" : "");
}

/* ---- while serving: SIGHUP's configuration reload, systemd's watchdog ---- */

struct ticker {
	struct options *o;
	int64_t watchdog_ms; /* systemd's WatchdogSec, or 0 */
	int64_t pinged_ms;   /* when WATCHDOG=1 was last sent */
	int notify_failed;   /* a failure to reach systemd was logged (once) */
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Tell systemd state; a failure is logged once (ikid serves on without it). */
static void tell_systemd(struct ticker *t, const char *state)
{
	int rc = notify_send(state);
	if (rc < 0 && !t->notify_failed++)
		log_warnx("cannot notify systemd through NOTIFY_SOCKET: %s", strerror(-rc));
}

/* Read the configuration file again onto the flags: take what can change while serving
 * (verbose, log-priorities), say which others changed and wait for a restart; on errors keep
 * every setting as it is. */
static void reload_config(struct ticker *t)
{
	struct options *o = t->o;
	struct config next = o->flags;
	char *errors = NULL;
	int live = 0;
	if (!o->config_file)
		return;
	tell_systemd(t, "RELOADING=1");
	if (config_read(&next, o->config_file, &errors) < 0) {
		log_errors(errors);
		free(errors);
		log_warnx("reload: %s not loaded (errors above); keeping the settings we have",
			  o->config_file);
		tell_systemd(t, "READY=1");
		return;
	}
	struct config was = o->cfg; /* the live settings first, so the lines below follow them */
	o->cfg.verbose = next.verbose;
	o->cfg.log_priorities = next.log_priorities;
	apply_log_settings(&o->cfg);
	for (int k = 0; k < CONFIG_KEYS; k++) {
		if (!config_differs(&was, &next, (enum config_key)k))
			continue;
		if (config_live((enum config_key)k))
			live++;
		else
			log_warnx("reload: %s changed in %s; it takes effect when ikid restarts",
				  config_name((enum config_key)k), o->config_file);
	}
	config_free(&next);
	log_notice("reload: %s read, %d setting%s changed now", o->config_file, live,
		   live == 1 ? "" : "s");
	tell_systemd(t, "READY=1");
}

/* Each pass of the writer loop: a reload asked for, and the watchdog's ping, which proves the
 * loop is alive (it is sent from nowhere else). */
static void on_tick(void *arg)
{
	struct ticker *t = arg;
	if (config_reload_requested) {
		config_reload_requested = 0;
		reload_config(t);
	}
	if (t->watchdog_ms && now_ms() - t->pinged_ms >= t->watchdog_ms / 2) {
		t->pinged_ms = now_ms();
		tell_systemd(t, "WATCHDOG=1");
	}
}

/* Hook the ticker into the server; the loop passes at least every quarter of the watchdog. */
static void setup_ticker(struct options *o, struct ticker *t)
{
	*t = (struct ticker){.o = o, .watchdog_ms = (int64_t)(notify_watchdog_usec() / 1000)};
	t->pinged_ms = now_ms();
	o->server.tick = on_tick;
	o->server.tick_arg = t;
	if (t->watchdog_ms > 0)
		o->server.tick_ms = t->watchdog_ms / 4 > 0 ? (int)(t->watchdog_ms / 4) : 1;
}

/* systemd's READY=1, with the endpoints as the unit's status line. */
static void tell_ready(struct ticker *t, const char *listen, const char *publish)
{
	char state[700];
	snprintf(state, sizeof(state), "READY=1\nSTATUS=listening: requests on %s, updates on %s",
		 listen, publish);
	tell_systemd(t, state);
}

/*
 * The store, read-only for --verify alone; before it is written to, the pid file is checked (no
 * other ikid serves this state), and with --rebuild every derived value is recomputed from the
 * log first. Exits on failure.
 */
static struct store *open_store(const struct options *o, struct catalog *cat, struct pid_file *pf)
{
	struct store_options so = {.map_max = o->cfg.map_max, .read_only = o->verify && !o->rebuild};
	struct store *st = NULL;
	pid_file_path(o, pf);
	if (!so.read_only)
		pid_file_check(pf); /* before anything is written */
	int rc = store_open(o->cfg.state, cat, &so, &st);
	if (rc < 0)
		fatalx("%s: cannot open the store: %s", o->cfg.state, store_why(rc));
	if (o->rebuild) {
		uint64_t replayed, skipped;
		if ((rc = store_rebuild(st, &replayed, &skipped)) < 0)
			fatalx("%s: rebuild failed, nothing changed: %s", o->cfg.state, iki_code_name(rc));
		log_info("rebuilt from the log: %llu events replayed, %llu the catalog no longer accepts",
			 (unsigned long long)replayed, (unsigned long long)skipped);
	}
	return st;
}

/* Serve until a signal stops it: the schedules, keys, server, metrics and signals, the pid file
 * taken once listening, systemd told; everything but the store and the catalog undone after.
 * Returns server_run's result. */
static int serve(struct options *o, struct store *st, struct catalog *cat, struct pid_file *pf)
{
	struct server *srv = NULL;
	const char *listen, *publish;
	uint64_t events = 0, pubseq = 0;
	struct curve_keys keys;
	struct ticker ticker;
	int rc;
	open_schedules(st, cat);
	struct auth *auth = setup_security(o, cat, &keys);
	setup_ticker(o, &ticker);
	if ((rc = server_new(st, cat, &o->server, &srv)) < 0)
		fatalx("cannot listen: %s", strerror(-rc));
	struct metrics *metrics = serve_metrics(o, st);
	install_signals();
	server_endpoints(srv, &listen, &publish);
	store_stats(st, &events, &pubseq);
	log_info("%s: %d indicators, %d org units; %llu events stored in %s/", cat->title,
		 cat->n_indicators, cat->n_orgunits, (unsigned long long)events, o->cfg.state);
	pid_file_take(pf);
	log_notice("listening: requests on %s, updates on %s", listen, publish);
	if (o->cfg.endpoints_file)
		write_endpoints(o->cfg.endpoints_file, srv, o->metrics_at);
	tell_ready(&ticker, listen, publish);
	rc = server_run(srv, &stop_requested);
	tell_systemd(&ticker, "STOPPING=1");
	if (rc < 0)
		log_errorx("stopped on error: %s", iki_strerror(rc));
	else
		log_notice("stopped");
	metrics_stop(&metrics);
	server_free(&srv);
	pid_file_release(pf);
	auth_free(&auth); /* after the server: its ZAP thread ends with the server's context */
	curve_wipe(&keys);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	struct pid_file pf;
	int rc;

	parse_args(argc, argv, &o);
	log_init("ikid", o.cfg.verbose);
	apply_log_settings(&o.cfg);
	read_config(&o);
	apply_log_settings(&o.cfg);
	server_settings(&o);
	/* A fixed threshold (glibc raises it as mapped blocks are freed): frames of 256 KiB and more
	 * are mapped and unmapped, so what a peer made ikid hold goes back once it is dropped. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	if (o.backup)
		return run_backup(&o);
	struct catalog *cat = load_catalog(&o);
	if (o.check_only) {
		rc = run_check(&o, cat);
		catalog_free(&cat);
		config_free(&o.cfg);
		return rc;
	}
	struct store *st = open_store(&o, cat, &pf);
	if (o.verify) {
		rc = run_verify(&o, st);
		store_close(&st);
		catalog_free(&cat);
		return rc;
	}
	size_t map, map_max;
	store_map_size(st, &map, &map_max);
	log_info("%s: database map %zu MiB, grows up to %zu MiB (--map-size)", o.cfg.state, map >> 20,
		 map_max >> 20);
	rc = serve(&o, st, cat, &pf);
	store_close(&st);
	catalog_free(&cat);
	config_free(&o.cfg);
	return rc < 0 ? 1 : 0;
}
