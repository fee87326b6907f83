/* redispeer.c: Redis 7 + Lua doing ikid's work per event, through hiredis (redispeer.h). */
#include "redispeer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "../../tests/harness.h"

#define SCRIPT "bench/peer/ingest.lua"
#define WINDOW_MAX 1024

struct redis_peer {
	char dir[160];
	int port;
	pid_t pid;
	char sha[64];
};

bool redis_peer_available(void)
{
	return system("redis-server --version >/dev/null 2>&1") == 0;
}

/* A TCP port free now on 127.0.0.1 (the kernel's pick). */
static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t n = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &n) < 0)
		load_die("cannot find a free port: %s", strerror(errno));
	close(fd);
	return ntohs(a.sin_port);
}

static redisContext *connect_peer(const struct redis_peer *p)
{
	redisContext *c = redisConnect("127.0.0.1", p->port);
	if (!c || c->err) {
		if (c)
			redisFree(c);
		return NULL;
	}
	return c;
}

/* The script's text, malloc'd. */
static char *read_script(void)
{
	FILE *f = fopen(SCRIPT, "r");
	char *s = calloc(1, 1 << 16);
	if (!f || !s)
		load_die("cannot read %s (run from the top of the tree)", SCRIPT);
	size_t n = fread(s, 1, (1 << 16) - 1, f);
	fclose(f);
	s[n] = '\0';
	return s;
}

static void spawn(struct redis_peer *p)
{
	char port[16], log[200];
	snprintf(port, sizeof(port), "%d", p->port);
	snprintf(log, sizeof(log), "%s/redis.log", p->dir);
	if ((p->pid = fork()) < 0)
		load_die("fork: %s", strerror(errno));
	if (p->pid == 0) {
		execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1",
		       "--dir", p->dir, "--appendonly", "yes", "--appendfsync", "always", "--save",
		       "", "--daemonize", "no", "--logfile", log, (char *)NULL);
		_exit(127);
	}
}

struct redis_peer *redis_peer_start(void)
{
	struct redis_peer *p = calloc(1, sizeof(*p));
	const char *t = getenv("TMPDIR");
	if (!p)
		load_die("out of memory");
	snprintf(p->dir, sizeof(p->dir), "%s/iki-redis-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(p->dir))
		load_die("mkdtemp: %s", strerror(errno));
	p->port = free_port();
	spawn(p);
	redisContext *c = NULL;
	for (int i = 0; i < 200 && !(c = connect_peer(p)); i++)
		harness_sleep_ms(25);
	if (!c)
		load_die("redis-server did not come up on port %d (log: %s/redis.log)", p->port,
			 p->dir);
	char *lua = read_script();
	redisReply *r = redisCommand(c, "SCRIPT LOAD %s", lua);
	if (!r || r->type != REDIS_REPLY_STRING)
		load_die("SCRIPT LOAD failed: %s", r && r->str ? r->str : c->errstr);
	snprintf(p->sha, sizeof(p->sha), "%s", r->str);
	freeReplyObject(r);
	free(lua);
	redisFree(c);
	return p;
}

struct client {
	const struct redis_peer *p;
	const struct load_domain *dom;
	int n, inflight;
	double secs;
	pthread_barrier_t *go;
	double *lat;
	size_t n_lat, cap_lat;
	long events;
	double last;
};

/* Append one EVALSHA of a random event to c's output buffer. */
static void append_event(redisContext *rc, const struct client *c, uint64_t *rng, const char *tag)
{
	struct proto_event ev;
	char m[8], q[8], y[8], value[24], record[256];
	int v = load_event(c->dom, rng, tag, &ev);
	load_periods(ev.date, m, q, y);
	snprintf(value, sizeof(value), "%lld", (long long)ev.value);
	snprintf(record, sizeof(record), "%s,%s,%s,%s,add,%s", ev.id, ev.element, ev.orgunit,
		 ev.date, value);
	const char *kec = c->dom->ou[c->dom->village_parent[v]];
	redisAppendCommand(rc, "EVALSHA %s 0 %s %s %s %s %s %s %s %s %s", c->p->sha, ev.id,
			   ev.element, ev.orgunit, kec, m, q, y, value, record);
}

static void flush(redisContext *rc)
{
	int done = 0;
	while (!done)
		if (redisBufferWrite(rc, &done) != REDIS_OK)
			load_die("redis: %s", rc->errstr);
}

static void *client_run(void *arg)
{
	struct client *c = arg;
	redisContext *rc = connect_peer(c->p);
	uint64_t rng = 0x2545f4914f6cdd1dull ^ ((uint64_t)c->n << 40) ^ (uint64_t)load_now();
	double sent_at[WINDOW_MAX];
	char tag[16];
	long sent = 0, done = 0;
	if (!rc)
		load_die("cannot connect to redis-server");
	snprintf(tag, sizeof(tag), "r%d", c->n);
	pthread_barrier_wait(c->go);
	double deadline = load_now() + c->secs;
	for (;;) {
		bool more = false;
		while (sent - done < c->inflight && load_now() < deadline) {
			append_event(rc, c, &rng, tag);
			sent_at[sent++ % c->inflight] = load_now();
			more = true;
		}
		if (more)
			flush(rc);
		if (done == sent)
			break;
		redisReply *r = NULL;
		if (redisGetReply(rc, (void **)&r) != REDIS_OK || !r)
			load_die("redis: %s", rc->errstr);
		if (r->type != REDIS_REPLY_INTEGER || r->integer != 1)
			load_die("the script did not store an event: %s",
				 r->type == REDIS_REPLY_ERROR ? r->str : "duplicate");
		freeReplyObject(r);
		c->last = load_now();
		load_keep(&c->lat, &c->n_lat, &c->cap_lat, c->last - sent_at[done++ % c->inflight]);
	}
	c->events = sent;
	redisFree(rc);
	return NULL;
}

void redis_peer_run(struct redis_peer *p, const struct load_domain *dom, int clients,
		    int inflight, double secs, struct load_result *r)
{
	pthread_t th[64];
	struct client c[64];
	pthread_barrier_t go;
	int n = clients < 64 ? clients : 64;
	if (inflight > WINDOW_MAX)
		load_die("more than %d in flight", WINDOW_MAX);
	memset(r, 0, sizeof(*r));
	pthread_barrier_init(&go, NULL, (unsigned)n + 1);
	for (int i = 0; i < n; i++) {
		c[i] = (struct client){.p = p, .dom = dom, .n = i, .inflight = inflight,
				       .secs = secs, .go = &go};
		if (pthread_create(&th[i], NULL, client_run, &c[i]) != 0)
			load_die("pthread_create");
	}
	pthread_barrier_wait(&go);
	double t0 = load_now(), last = t0;
	for (int i = 0; i < n; i++) {
		pthread_join(th[i], NULL);
		load_add(r, c[i].lat, c[i].n_lat, c[i].events, c[i].last, &last);
	}
	pthread_barrier_destroy(&go);
	r->requests = r->events;
	r->secs = last - t0;
	load_finish(r);
}

void redis_peer_stop(struct redis_peer *p)
{
	redisContext *c = connect_peer(p);
	if (c) {
		redisReply *r = redisCommand(c, "SHUTDOWN NOSAVE");
		if (r)
			freeReplyObject(r);
		redisFree(c);
	}
	int st;
	for (int i = 0; i < 200 && waitpid(p->pid, &st, WNOHANG) == 0; i++)
		harness_sleep_ms(25);
	if (waitpid(p->pid, &st, WNOHANG) == 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &st, 0);
	}
	harness_rmtree(p->dir);
	free(p);
}
