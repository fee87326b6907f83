/* main.c: ikiweb, the web gateway beside ikid: options, the user and token commands, signals. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "http.h"
#include "usercmd.h"

#ifndef IKI_DEFAULT_WWW
#define IKI_DEFAULT_WWW "web/www"
#endif

struct opts {
	const char *state, *web_dir, *clients, *request, *update, *server_key, *www;
	const char *listen, *cert, *key;
	bool plaintext, behind_proxy, check;
	int max_connections, max_per_ip, timeout_s, max_streams, keepalive_s;
	int session_idle, session_max, login_attempts, ikid_timeout, heartbeat_ms;
	struct usercmd cmd;
	char web_buf[4096], clients_buf[4096], server_buf[4096], gw_key[4200], keys_dir[4200];
	char pid_buf[4200], own_pid[4200];
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ikiweb [options]                 run the web gateway (foreground, logs to stderr)\n"
		"       ikiweb -n [options]              check the configuration\n"
		"       ikiweb user add NAME --role R [--scope S] [--name 'Nama'] [--password-stdin]\n"
		"       ikiweb user passwd NAME [--password-stdin] | user del NAME | user list\n"
		"       ikiweb token add NAME --user U --scope read,submit | token del NAME | token list\n"
		"  -d, --state DIR          ikid's state directory (./state): server.pub, clients\n"
		"      --web-dir DIR        ikiweb's own state (STATE/web): users, tokens, keys/, journal/\n"
		"  -a, --clients FILE       ikid's clients file, where users' keys are listed (STATE/clients)\n"
		"      --ikid-pid FILE      ikid's pid, for user add/del to send it SIGHUP (STATE/ikid.pid)\n"
		"  -s, --server ENDPOINT    ikid's request endpoint (tcp://127.0.0.1:7470)\n"
		"  -u, --updates ENDPOINT   ikid's update endpoint (tcp://127.0.0.1:7471)\n"
		"  -S, --server-key KEY     ikid's public key (STATE/server.pub)\n"
		"      --plaintext          talk to ikid without CURVE (ikid --plaintext; tests only)\n"
		"  -l, --listen ADDR:PORT   where to serve (127.0.0.1:8080; port 0: any free port)\n"
		"      --cert FILE --key FILE   serve HTTPS (needed beyond loopback)\n"
		"      --behind-tls-proxy   a proxy in front terminates TLS (allows other addresses)\n"
		"  -w, --www DIR            the pages (%s)\n"
		"      --max-connections N (512)  --max-per-ip N (256)  --timeout S (30)\n"
		"      --max-streams N (400)  --keepalive S (15)\n"
		"      --session-idle S (1800)  --session-max S (43200)  --login-attempts N (5)\n"
		"      --ikid-timeout MS (10000)  --heartbeat-ms MS (ikid's, 1000)\n",
		IKI_DEFAULT_WWW);
}

enum {
	O_WEBDIR = 256, O_PID, O_PLAIN, O_CERT, O_KEY, O_PROXY, O_MAXC, O_MAXIP, O_TIMEOUT,
	O_STREAMS, O_KEEP, O_IDLE, O_SMAX, O_ATTEMPTS, O_ITIMEOUT, O_HB, O_ROLE, O_SCOPE, O_NAME,
	O_USER, O_STDIN
};

static const struct option long_options[] = {
	{"state", required_argument, NULL, 'd'}, {"web-dir", required_argument, NULL, O_WEBDIR},
	{"clients", required_argument, NULL, 'a'}, {"ikid-pid", required_argument, NULL, O_PID},
	{"server", required_argument, NULL, 's'}, {"updates", required_argument, NULL, 'u'},
	{"server-key", required_argument, NULL, 'S'}, {"plaintext", no_argument, NULL, O_PLAIN},
	{"listen", required_argument, NULL, 'l'}, {"cert", required_argument, NULL, O_CERT},
	{"key", required_argument, NULL, O_KEY}, {"behind-tls-proxy", no_argument, NULL, O_PROXY},
	{"www", required_argument, NULL, 'w'}, {"max-connections", required_argument, NULL, O_MAXC},
	{"max-per-ip", required_argument, NULL, O_MAXIP},
	{"timeout", required_argument, NULL, O_TIMEOUT},
	{"max-streams", required_argument, NULL, O_STREAMS},
	{"keepalive", required_argument, NULL, O_KEEP},
	{"session-idle", required_argument, NULL, O_IDLE},
	{"session-max", required_argument, NULL, O_SMAX},
	{"login-attempts", required_argument, NULL, O_ATTEMPTS},
	{"ikid-timeout", required_argument, NULL, O_ITIMEOUT},
	{"heartbeat-ms", required_argument, NULL, O_HB}, {"role", required_argument, NULL, O_ROLE},
	{"scope", required_argument, NULL, O_SCOPE}, {"name", required_argument, NULL, O_NAME},
	{"user", required_argument, NULL, O_USER},
	{"password-stdin", no_argument, NULL, O_STDIN}, {"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int number(const char *s, int min, int max)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || end == s || v < min || v > max) {
		fprintf(stderr, "ikiweb: '%s' is not a number from %d to %d\n", s, min, max);
		exit(2);
	}
	return (int)v;
}

static int *int_option(struct opts *o, int ch)
{
	switch (ch) {
	case O_MAXC: return &o->max_connections;
	case O_MAXIP: return &o->max_per_ip;
	case O_TIMEOUT: return &o->timeout_s;
	case O_STREAMS: return &o->max_streams;
	case O_KEEP: return &o->keepalive_s;
	case O_IDLE: return &o->session_idle;
	case O_SMAX: return &o->session_max;
	case O_ATTEMPTS: return &o->login_attempts;
	case O_ITIMEOUT: return &o->ikid_timeout;
	case O_HB: return &o->heartbeat_ms;
	default: return NULL;
	}
}

static void set_option(struct opts *o, int ch, const char *arg)
{
	int *n = int_option(o, ch);
	if (n) {
		*n = number(arg, 1, 100000000);
		return;
	}
	switch (ch) {
	case 'd': o->state = arg; break;
	case O_WEBDIR: o->web_dir = arg; break;
	case 'a': o->clients = arg; break;
	case O_PID: o->cmd.ikid_pid = arg; break;
	case 's': o->request = arg; break;
	case 'u': o->update = arg; break;
	case 'S': o->server_key = arg; break;
	case O_PLAIN: o->plaintext = true; break;
	case 'l': o->listen = arg; break;
	case O_CERT: o->cert = arg; break;
	case O_KEY: o->key = arg; break;
	case O_PROXY: o->behind_proxy = true; break;
	case 'w': o->www = arg; break;
	case 'n': o->check = true; break;
	case O_ROLE: o->cmd.role = arg; break;
	case O_SCOPE: o->cmd.scope = o->cmd.scopes = arg; break;
	case O_NAME: o->cmd.display = arg; break;
	case O_USER: o->cmd.user = arg; break;
	case O_STDIN: o->cmd.password_stdin = true; break;
	case 'h': usage(stdout); exit(0);
	default: usage(stderr); exit(2);
	}
}

static void defaults(struct opts *o)
{
	if (!o->state)
		o->state = "state";
	if (!o->web_dir) {
		snprintf(o->web_buf, sizeof(o->web_buf), "%s/web", o->state);
		o->web_dir = o->web_buf;
	}
	if (!o->clients) {
		snprintf(o->clients_buf, sizeof(o->clients_buf), "%s/clients", o->state);
		o->clients = o->clients_buf;
	}
	if (!o->server_key && !o->plaintext) {
		snprintf(o->server_buf, sizeof(o->server_buf), "%s/server.pub", o->state);
		o->server_key = o->server_buf;
	}
	if (!o->cmd.ikid_pid) { /* make run writes it */
		snprintf(o->pid_buf, sizeof(o->pid_buf), "%s/ikid.pid", o->state);
		o->cmd.ikid_pid = o->pid_buf;
	}
	snprintf(o->gw_key, sizeof(o->gw_key), "%s/gateway.key", o->web_dir);
	snprintf(o->keys_dir, sizeof(o->keys_dir), "%s/keys", o->web_dir);
	o->cmd.web_dir = o->web_dir;
	o->cmd.clients = o->clients;
}

static int web_serve(struct opts *o);

int main(int argc, char **argv)
{
	struct opts o = {.listen = "127.0.0.1:8080", .www = IKI_DEFAULT_WWW,
			 .request = IKI_CLIENT_REQUEST_DEFAULT, .update = IKI_CLIENT_UPDATE_DEFAULT,
			 .max_connections = 512, .max_per_ip = 256, .timeout_s = 30,
			 .max_streams = 400, .keepalive_s = 15, .ikid_timeout = 10000,
			 .heartbeat_ms = 1000};
	int ch;
	if (sodium_init() < 0) {
		fprintf(stderr, "ikiweb: libsodium failed to start\n");
		return 1;
	}
	while ((ch = getopt_long(argc, argv, "d:a:s:u:S:l:w:nh", long_options, NULL)) != -1)
		set_option(&o, ch, optarg);
	defaults(&o);
	if (optind < argc && (!strcmp(argv[optind], "user") || !strcmp(argv[optind], "token")))
		return usercmd_run(&o.cmd, argc - optind, argv + optind);
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	return web_serve(&o);
}

/* ---- serving ---- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	if (!f)
		return NULL;
	FILE *m = open_memstream(&buf, &len);
	int c;
	while (m && (c = fgetc(f)) != EOF)
		fputc(c, m);
	if (m)
		fclose(m);
	fclose(f);
	return buf;
}

/* The address and port of --listen, and whether serving there is allowed. 0 or exit status. */
static int check_listen(const struct opts *o, char *addr, size_t n, int *port)
{
	const char *colon = strrchr(o->listen, ':');
	if (!colon || (size_t)(colon - o->listen) >= n) {
		fprintf(stderr, "ikiweb: --listen %s: give ADDRESS:PORT, e.g. 127.0.0.1:8080\n",
			o->listen);
		return 2;
	}
	memcpy(addr, o->listen, (size_t)(colon - o->listen));
	addr[colon - o->listen] = 0;
	*port = number(colon + 1, 0, 65535);
	bool loopback = !strncmp(addr, "127.", 4);
	if ((o->cert != NULL) != (o->key != NULL)) {
		fprintf(stderr, "ikiweb: --cert and --key go together\n");
		return 2;
	}
	if (!loopback && !o->cert && !o->behind_proxy) {
		fprintf(stderr, "ikiweb: refusing to listen on %s without TLS: give --cert and --key, "
			"or --behind-tls-proxy when a reverse proxy in front terminates TLS\n", addr);
		return 2;
	}
	return 0;
}

/* Everything serving needs, made in order; *err_status set when something is wrong. */
struct serving {
	struct app app;
	struct gw *gw;
	struct live *live;
	struct http *http;
	char *cert, *key;
};

static int prepare(struct opts *o, struct serving *s, char *addr, size_t n, int *port)
{
	char err[4400] = "", journal[4200];
	struct stat st;
	int st_rc = check_listen(o, addr, n, port);
	if (st_rc)
		return st_rc;
	if (o->cert && (!(s->cert = slurp(o->cert)) || !(s->key = slurp(o->key)))) {
		fprintf(stderr, "ikiweb: cannot read %s or %s\n", o->cert, o->key);
		return 1;
	}
	if (stat(o->www, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "ikiweb: --www %s: not a directory\n", o->www);
		return 1;
	}
	if (!o->check && mkdir(o->web_dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "ikiweb: %s: %s\n", o->web_dir, strerror(errno));
		return 1;
	}
	if (users_load(o->web_dir, &s->app.users, err, sizeof(err)) < 0) {
		fprintf(stderr, "ikiweb: %s\n", err);
		return 1;
	}
	int rc = o->plaintext ? 0 : usercmd_gateway_key(o->web_dir, o->clients, o->check);
	if (rc == 1 && o->check)
		fprintf(stderr, "ikiweb: note: the gateway's key (%s) is not made or not listed in %s "
			"yet; ikiweb does it when it starts, or \"ikiweb user add\" does\n", o->gw_key,
			o->clients);
	else if (rc < 0) {
		fprintf(stderr, "ikiweb: the gateway's key (%s, %s): %s\n", o->gw_key, o->clients,
			strerror(-rc));
		return 1;
	} else if (rc == 1)
		fprintf(stderr, "ikiweb: listed the gateway's own key in %s as viewer '%s': reload "
			"ikid (kill -HUP) if it runs\n", o->clients, USERS_GATEWAY);
	snprintf(journal, sizeof(journal), "%s/journal", o->web_dir);
	if (!o->check && (rc = journal_open(journal, &s->app.journal)) < 0) {
		fprintf(stderr, "ikiweb: %s: %s\n", journal, strerror(-rc));
		return 1;
	}
	return 0;
}

static int start(struct opts *o, struct serving *s, const char *addr, int port)
{
	struct gw_options go = {o->request, o->update, o->server_key, o->gw_key, o->keys_dir,
				o->ikid_timeout};
	struct session_options so = {o->session_idle, o->session_max, 0, o->login_attempts};
	int keep = o->keepalive_s < o->timeout_s ? o->keepalive_s : (o->timeout_s + 1) / 2;
	struct live_options lo = {o->max_streams, keep, o->heartbeat_ms};
	int rc = gw_new(&go, &s->gw);
	if (rc < 0) {
		fprintf(stderr, "ikiweb: cannot use %s and %s to reach ikid: %s\n", o->gw_key,
			o->server_key ? o->server_key : "-", rc < -IKI_EBASE ? iki_strerror(rc)
								      : strerror(-rc));
		return 1;
	}
	struct iki_client_options co = gw_options(s->gw);
	if ((rc = live_start(&co, &lo, &s->live)) < 0 ||
	    !(s->app.sessions = sessions_new(&so))) {
		fprintf(stderr, "ikiweb: out of memory\n");
		return 1;
	}
	s->app.gw = s->gw;
	s->app.live = s->live;
	s->app.www = o->www;
	s->app.secure_cookie = o->cert || o->behind_proxy;
	s->app.trust_forwarded = o->behind_proxy;
	struct http_options ho = {addr, port, s->cert, s->key, o->max_connections, o->max_per_ip,
				  o->timeout_s};
	if ((rc = http_start(&ho, &s->app, &s->http)) < 0) {
		fprintf(stderr, "ikiweb: cannot listen on %s: %s\n", o->listen, strerror(-rc));
		return 1;
	}
	snprintf(o->own_pid, sizeof(o->own_pid), "%s/ikiweb.pid", o->web_dir);
	FILE *pf = fopen(o->own_pid, "w"); /* for "ikiweb user ..." to send SIGHUP to */
	if (pf) {
		fprintf(pf, "%ld\n", (long)getpid());
		fclose(pf);
	}
	fprintf(stderr, "ikiweb: serving %s://%s:%d/ (www %s), ikid at %s%s; %zu users\n",
		o->cert ? "https" : "http", addr, http_port(s->http), o->www, o->request,
		o->server_key ? "" : " in plain text", users_count(s->app.users));
	return 0;
}

static void reload(struct opts *o, struct app *a)
{
	struct users *u = NULL;
	char err[4400] = "";
	if (users_load(o->web_dir, &u, err, sizeof(err)) < 0) {
		fprintf(stderr, "ikiweb: SIGHUP: keeping the users as they were: %s\n", err);
		return;
	}
	pthread_rwlock_wrlock(&a->users_lock);
	struct users *old = a->users;
	a->users = u;
	pthread_rwlock_unlock(&a->users_lock);
	size_t ended = 0;
	for (size_t i = 0; old && i < users_count(old); i++) {
		const struct web_user *was = users_at(old, i), *now = users_find(u, was->name);
		if (!now || strcmp(now->hash, was->hash) || strcmp(now->role, was->role) ||
		    strcmp(now->scope, was->scope)) { /* deleted, new password, new rights */
			sessions_end_user(a->sessions, was->name);
			ended++;
		}
	}
	users_free(&old);
	fprintf(stderr, "ikiweb: SIGHUP: %zu users, %zu tokens; the sessions of %zu changed users "
		"ended\n", users_count(u), users_token_count(u), ended);
}

static void finish(struct serving *s)
{
	if (s->live)
		live_shutdown(s->live);
	http_stop(&s->http);
	live_stop(&s->live);
	gw_free(&s->gw);
	sessions_free(&s->app.sessions);
	journal_close(&s->app.journal);
	users_free(&s->app.users);
	free(s->cert);
	free(s->key);
}

static int web_serve(struct opts *o)
{
	struct serving s = {0};
	char addr[64];
	int port, sig = 0;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* every thread made from here on too */
	signal(SIGPIPE, SIG_IGN);
	pthread_rwlock_init(&s.app.users_lock, NULL);
	pthread_mutex_init(&s.app.hash_lock, NULL);
	pthread_cond_init(&s.app.hash_free, NULL);
	int status = prepare(o, &s, addr, sizeof(addr), &port);
	if (status == 0 && o->check)
		printf("configuration OK\n");
	else if (status == 0 && (status = start(o, &s, addr, port)) == 0) {
		while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
			reload(o, &s.app);
		fprintf(stderr, "ikiweb: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
		unlink(o->own_pid);
	}
	finish(&s);
	return status;
}
