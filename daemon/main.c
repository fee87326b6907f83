/* main.c: ikid's command line, signals and lifetime: load the catalog, open the store, serve. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#include "auth.h"
#include "catalog.h"
#include "curve.h"
#include "iki.h"
#include "log.h"
#include "schedule.h"
#include "server.h"
#include "store.h"

#ifndef IKI_DEFAULT_CATALOG
#define IKI_DEFAULT_CATALOG "/usr/local/share/iki/sampang-2022.conf"
#endif

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_reload(int sig)
{
	(void)sig;
	reload_requested = 1;
}

struct options {
	const char *catalog, *state, *endpoints_file;
	const char *key_file, *clients_file; /* NULL: in the state directory */
	int plaintext;
	struct server_options server;
	int check_only, rebuild, verbose;
	int verify;         /* --verify: compare derived values with the log, report, exit */
	const char *backup; /* --backup DEST: copy the store into DEST, exit */
	size_t map_max;     /* --map-size: the most the database may grow to (0: the default) */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ikid [-nrVv] [-c catalog] [-d statedir] [-l endpoint] [-p endpoint] [-e file]\n"
		"            [-k keyfile] [-a clientsfile | --plaintext]\n"
		"\n"
		"Collects IKI events over ZeroMQ, stores them durably in LMDB, and publishes every\n"
		"indicator value that changes.\n"
		"\n"
		"  -c, --catalog FILE         indicator catalog (default %s)\n"
		"  -d, --state DIR            state directory holding the LMDB database (default ./state)\n"
		"  -l, --listen ENDPOINT      requests (ROUTER) endpoint (default %s)\n"
		"  -p, --publish ENDPOINT     updates (PUB) endpoint (default %s)\n"
		"  -e, --endpoints-file FILE  once listening, write the bound endpoints to FILE\n"
		"  -k, --key FILE             ikid's CURVE key pair (default STATEDIR/server.key, made on\n"
		"                             first start, with its public half in STATEDIR/server.pub)\n"
		"  -a, --clients FILE         authorised clients: name, role, scope and public key of each\n"
		"                             (default STATEDIR/clients); re-read on SIGHUP\n"
		"      --plaintext            no encryption and no authentication, every client an admin:\n"
		"                             for local testing only\n"
		"  -n, --check-catalog        check the catalog, print \"configuration OK\" or its errors, exit\n"
		"  -r, --rebuild              recompute every derived value from the event log, then serve\n"
		"  -V, --verify               recompute every derived value from the event log, compare\n"
		"                             with what is stored, print a report and exit (0: consistent,\n"
		"                             1: not); reads only, so a running ikid may go on\n"
		"      --backup DEST          copy the store of -d, consistent and compacted, into\n"
		"                             DEST/data.mdb, then exit; a running ikid may go on\n"
		"      --map-size BYTES       the most the database may grow to, with K, M, G or T\n"
		"                             (default 64G); a full database refuses submits\n"
		"  -v, --verbose              log every batch\n"
		"      --heartbeat-ms MS      publish a heartbeat after MS idle milliseconds (default %d)\n"
		"      --pub-hwm N            updates queued per subscriber before they drop (default %d)\n"
		"  -h, --help                 this help\n",
		IKI_DEFAULT_CATALOG, SERVER_LISTEN_DEFAULT, SERVER_PUBLISH_DEFAULT, SERVER_HEARTBEAT_MS,
		SERVER_PUB_HWM);
}

/* Long options without a short form. */
enum { OPT_HEARTBEAT = 256, OPT_PUB_HWM, OPT_PLAINTEXT, OPT_BACKUP, OPT_MAP_SIZE };

/* A positive integer option, or exit with usage. */
static int positive(const char *name, const char *arg)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*arg == 0 || *end != 0 || v <= 0 || v > 1000000000) {
		fprintf(stderr, "ikid: --%s wants a positive number, not \"%s\"\n", name, arg);
		exit(2);
	}
	return (int)v;
}

/* A size in bytes with an optional K, M, G or T (powers of 1024), at least 1M; or exit. */
static size_t byte_size(const char *name, const char *arg)
{
	static const char units[] = "KMGT";
	char *end;
	unsigned long long v = strtoull(arg, &end, 10);
	const char *u = *end ? strchr(units, *end & ~0x20) : NULL;
	int shift = u ? 10 * (int)(u - units + 1) : 0;
	if (*arg < '0' || *arg > '9' || (*end && (!u || end[1])) || v > (~0ull >> shift) ||
	    (v << shift) < (1ull << 20) || (v << shift) > SIZE_MAX) {
		fprintf(stderr, "ikid: --%s wants a size of at least 1M, like 512M or 64G, not \"%s\"\n",
			name, arg);
		exit(2);
	}
	return (size_t)(v << shift);
}

static const struct option long_options[] = {
	{"catalog", required_argument, NULL, 'c'},
	{"state", required_argument, NULL, 'd'},
	{"listen", required_argument, NULL, 'l'},
	{"publish", required_argument, NULL, 'p'},
	{"endpoints-file", required_argument, NULL, 'e'},
	{"check-catalog", no_argument, NULL, 'n'},
	{"rebuild", no_argument, NULL, 'r'},
	{"verify", no_argument, NULL, 'V'},
	{"backup", required_argument, NULL, OPT_BACKUP},
	{"map-size", required_argument, NULL, OPT_MAP_SIZE},
	{"verbose", no_argument, NULL, 'v'},
	{"key", required_argument, NULL, 'k'},
	{"clients", required_argument, NULL, 'a'},
	{"plaintext", no_argument, NULL, OPT_PLAINTEXT},
	{"heartbeat-ms", required_argument, NULL, OPT_HEARTBEAT},
	{"pub-hwm", required_argument, NULL, OPT_PUB_HWM},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void parse_args(int argc, char **argv, struct options *o)
{
	int ch;
	*o = (struct options){.catalog = IKI_DEFAULT_CATALOG, .state = "state"};
	while ((ch = getopt_long(argc, argv, "c:d:l:p:e:k:a:nrVvh", long_options, NULL)) != -1) {
		switch (ch) {
		case 'c': o->catalog = optarg; break;
		case 'd': o->state = optarg; break;
		case 'l': o->server.listen = optarg; break;
		case 'p': o->server.publish = optarg; break;
		case 'e': o->endpoints_file = optarg; break;
		case 'n': o->check_only = 1; break;
		case 'r': o->rebuild = 1; break;
		case 'V': o->verify = 1; break;
		case OPT_BACKUP: o->backup = optarg; break;
		case OPT_MAP_SIZE: o->map_max = byte_size("map-size", optarg); break;
		case 'v': o->verbose = 1; break;
		case 'k': o->key_file = optarg; break;
		case 'a': o->clients_file = optarg; break;
		case OPT_PLAINTEXT: o->plaintext = 1; break;
		case OPT_HEARTBEAT: o->server.heartbeat_ms = positive("heartbeat-ms", optarg); break;
		case OPT_PUB_HWM: o->server.pub_hwm = positive("pub-hwm", optarg); break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc) {
		usage(stderr);
		exit(2);
	}
}

/* Write the bound endpoints to a file, atomically, so a watcher never reads half of it. */
static void write_endpoints(const char *path, const struct server *srv)
{
	const char *listen, *publish;
	char tmp[4096];
	server_endpoints(srv, &listen, &publish);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "request %s\nupdate %s\n", listen, publish) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0)
		fatal("cannot write %s", path);
}

static struct catalog *load_catalog(const struct options *o)
{
	struct catalog *cat = NULL;
	char *errors = NULL;
	int rc = catalog_load(o->catalog, &cat, &errors);
	if (rc < 0) {
		log_errors(errors);
		free(errors);
		fatalx("%s: catalog not loaded (%s)", o->catalog, iki_code_name(rc));
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
	snprintf(base, sizeof(base), "%s/server", o->state);
	snprintf(path, sizeof(path), "%s", o->key_file ? o->key_file : "");
	if (!o->key_file)
		snprintf(path, sizeof(path), "%s.key", base);
	struct stat st;
	if (stat(path, &st) == 0 && (st.st_mode & 077))
		fatalx("%s: the server's secret key is readable or writable by others (mode %04o); "
		       "refusing to use it, like ssh: chmod 600 %s", path, (unsigned)(st.st_mode & 07777),
		       path);
	int rc = curve_read(path, k);
	if (rc == -ENOENT && !o->key_file) {
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

/* CURVE with the authorised clients, or, when asked, plain text (said loudly). */
static struct auth *setup_security(struct options *o, const struct catalog *cat,
				   struct curve_keys *keys)
{
	struct auth *auth = NULL;
	char path[4200], *errors = NULL;
	if (o->plaintext) {
		log_warnx("PLAIN TEXT: --plaintext given; connections are neither encrypted nor "
			  "authenticated, and every client may do anything. Local testing only.");
		return NULL;
	}
	if (!zmq_has("curve"))
		fatalx("this libzmq has no CURVE: cannot authenticate clients (or use --plaintext "
		       "for local testing)");
	load_server_key(o, keys);
	snprintf(path, sizeof(path), "%s", o->clients_file ? o->clients_file : "");
	if (!o->clients_file)
		snprintf(path, sizeof(path), "%s/clients", o->state);
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
	o->server.auth = auth;
	o->server.keys = keys;
	o->server.reload = &reload_requested;
	log_info("CURVE on: server key %s, %d authorised clients in %s", keys->public_key,
		 auth_count(auth), path);
	return auth;
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
	int rc = store_backup(o->state, o->backup, &events);
	if (rc == -EEXIST)
		fatalx("%s: already holds a database; back up into a new or empty directory", o->backup);
	if (rc < 0)
		fatalx("%s: backup into %s failed, nothing written there: %s", o->state, o->backup,
		       store_why(rc));
	printf("backup: %llu events copied from %s into %s/data.mdb (consistent and compacted)\n",
	       (unsigned long long)events, o->state, o->backup);
	return 0;
}

/* --verify: recompute, compare, print the report; 0 when consistent, 1 when not. */
static int run_verify(const struct options *o, struct store *st)
{
	struct store_report r;
	int rc = store_verify(st, &r);
	if (rc < 0)
		fatalx("%s: cannot verify: %s", o->state, store_why(rc));
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

int main(int argc, char **argv)
{
	struct options o;
	struct store *st = NULL;
	struct server *srv = NULL;
	const char *listen, *publish;
	uint64_t events = 0, pubseq = 0;

	parse_args(argc, argv, &o);
	log_init("ikid", o.verbose);
	/* A fixed threshold (glibc raises it as mapped blocks are freed): frames of 256 KiB and more
	 * are mapped and unmapped, so what a peer made ikid hold goes back once it is dropped. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
	if (o.backup)
		return run_backup(&o);
	struct catalog *cat = load_catalog(&o);
	if (o.check_only) {
		printf("configuration OK\n");
		catalog_free(&cat);
		return 0;
	}
	struct store_options so = {.map_max = o.map_max, .read_only = o.verify && !o.rebuild};
	int rc = store_open(o.state, cat, &so, &st);
	if (rc < 0)
		fatalx("%s: cannot open the store: %s", o.state, store_why(rc));
	if (o.rebuild) {
		uint64_t replayed, skipped;
		if ((rc = store_rebuild(st, &replayed, &skipped)) < 0)
			fatalx("%s: rebuild failed, nothing changed: %s", o.state, iki_code_name(rc));
		log_info("rebuilt from the log: %llu events replayed, %llu the catalog no longer accepts",
			 (unsigned long long)replayed, (unsigned long long)skipped);
	}
	if (o.verify) {
		rc = run_verify(&o, st);
		store_close(&st);
		catalog_free(&cat);
		return rc;
	}
	size_t map, map_max;
	store_map_size(st, &map, &map_max);
	log_info("%s: database map %zu MiB, grows up to %zu MiB (--map-size)", o.state, map >> 20,
		 map_max >> 20);
	open_schedules(st, cat);
	struct curve_keys keys;
	struct auth *auth = setup_security(&o, cat, &keys);
	if ((rc = server_new(st, cat, &o.server, &srv)) < 0)
		fatalx("cannot listen: %s", strerror(-rc));
	install_signals();
	server_endpoints(srv, &listen, &publish);
	store_stats(st, &events, &pubseq);
	log_info("%s: %d indicators, %d org units; %llu events stored in %s/", cat->title,
		 cat->n_indicators, cat->n_orgunits, (unsigned long long)events, o.state);
	log_notice("listening: requests on %s, updates on %s", listen, publish);
	if (o.endpoints_file)
		write_endpoints(o.endpoints_file, srv);
	rc = server_run(srv, &stop_requested);
	if (rc < 0)
		log_errorx("stopped on error: %s", iki_strerror(rc));
	else
		log_notice("stopped");
	server_free(&srv);
	auth_free(&auth); /* after the server: its ZAP thread ends with the server's context */
	curve_wipe(&keys);
	store_close(&st);
	catalog_free(&cat);
	return rc < 0 ? 1 : 0;
}
