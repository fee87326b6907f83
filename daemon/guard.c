/* guard.c: bound what one connected peer can make ikid hold (see guard.h). */
#include "guard.h"

#include <errno.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>

#include "grow.h"

#define GUARD_PEERS_MAX 65536 /* connections watched at once (fds above: not watched) */

/* One watched connection. */
struct peer {
	int fd;
	struct sockaddr_storage addr; /* its peer address at accept: the fd is still this connection */
	socklen_t addr_len;
	uint64_t credited; /* bytes accounted for: handshake, frames read */
	int tag;           /* the socket it came on */
};

struct guard {
	pthread_t thread;
	pthread_mutex_t lock;
	bool started, stop, curve;
	uint64_t limit;
	struct peer *peers;
	size_t n, cap;
	unsigned cuts;
};

/* The bytes a frame of size took on the wire: its ZMTP header, and in CURVE its MESSAGE box. */
static uint64_t wire_size(const struct guard *g, size_t size)
{
	uint64_t n = size;
	if (g->curve)
		n += 8 + 8 + 16 + 1; /* "\x07MESSAGE", short nonce, box MAC, flags byte */
	return n + (n <= 255 ? 2 : 9);
}

static struct peer *find(struct guard *g, int fd)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->peers[i].fd == fd)
			return &g->peers[i];
	return NULL;
}

void guard_accepted(struct guard *g, int fd, int tag)
{
	if (!g || fd < 0)
		return;
	pthread_mutex_lock(&g->lock);
	struct peer *p = find(g, fd);
	if (!p && g->n < GUARD_PEERS_MAX && grow((void **)&g->peers, &g->cap, g->n + 1,
						  sizeof(*g->peers)) == 0)
		p = &g->peers[g->n++];
	if (p) {
		memset(p, 0, sizeof(*p));
		p->fd = fd;
		p->addr_len = sizeof(p->addr);
		if (getpeername(fd, (struct sockaddr *)&p->addr, &p->addr_len) < 0)
			p->addr_len = 0;
		p->credited = GUARD_HANDSHAKE;
		p->tag = tag;
	}
	pthread_mutex_unlock(&g->lock);
}

void guard_closed(struct guard *g, int fd)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	struct peer *p = find(g, fd);
	if (p)
		*p = g->peers[--g->n];
	pthread_mutex_unlock(&g->lock);
}

void guard_read(struct guard *g, int fd, size_t size)
{
	if (!g || fd < 0)
		return;
	pthread_mutex_lock(&g->lock);
	struct peer *p = find(g, fd);
	if (p)
		p->credited += wire_size(g, size);
	pthread_mutex_unlock(&g->lock);
}

uint64_t guard_unsent(int fd)
{
	int n = 0;
	if (fd < 0 || ioctl(fd, SIOCOUTQ, &n) < 0 || n < 0)
		return 0;
	return (uint64_t)n;
}

unsigned guard_cuts(struct guard *g)
{
	if (!g)
		return 0;
	pthread_mutex_lock(&g->lock);
	unsigned n = g->cuts;
	g->cuts = 0;
	pthread_mutex_unlock(&g->lock);
	return n;
}

/* Whether fd still is the connection accepted as p (an fd number is reused once closed). */
static bool same_connection(const struct peer *p)
{
	struct sockaddr_storage a;
	socklen_t n = sizeof(a);
	return p->addr_len > 0 && getpeername(p->fd, (struct sockaddr *)&a, &n) == 0 &&
	       n == p->addr_len && memcmp(&a, &p->addr, n) == 0;
}

/*
 * End the connection on fd at once with a reset: connect() to AF_UNSPEC dissolves a TCP
 * connection (connect(2); the kernel sends RST and drops both queues). A FIN alone (shutdown)
 * waited for libzmq to read to the end and close its descriptor, which it does not do for a
 * connection whose input it has stopped: the peer's send then waited forever on a closed window.
 * libzmq sees the reset (EPOLLERR) and closes its descriptor. Not TCP: shut it down both ways.
 */
static void end_connection(int fd)
{
	struct sockaddr sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	if (connect(fd, &sa, sizeof(sa)) < 0)
		shutdown(fd, SHUT_RDWR);
}

unsigned guard_end_all(struct guard *g, int tag)
{
	unsigned n = 0;
	if (!g)
		return 0;
	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < g->n; i++) {
		struct peer *p = &g->peers[i];
		if (p->tag != tag || !same_connection(p))
			continue;
		end_connection(p->fd);
		n++;
		*p = g->peers[--g->n];
		i--;
	}
	pthread_mutex_unlock(&g->lock);
	return n;
}

/* Look at every connection once: cut those holding more than the bound. */
static void sweep(struct guard *g)
{
	pthread_mutex_lock(&g->lock);
	for (size_t i = 0; i < g->n; i++) {
		struct peer *p = &g->peers[i];
		struct tcp_info ti;
		socklen_t n = sizeof(ti);
		memset(&ti, 0, sizeof(ti));
		if (getsockopt(p->fd, IPPROTO_TCP, TCP_INFO, &ti, &n) < 0 ||
		    n < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(ti.tcpi_bytes_received))
			continue;
		if (ti.tcpi_bytes_received > p->credited + g->limit && same_connection(p)) {
			end_connection(p->fd); /* libzmq sees the reset, drops what it held */
			g->cuts++;
			*p = g->peers[--g->n];
			i--;
		}
	}
	pthread_mutex_unlock(&g->lock);
}

static void *guard_run(void *arg)
{
	struct guard *g = arg;
	struct timespec t = {0, GUARD_POLL_MS * 1000000L};
	for (;;) {
		pthread_mutex_lock(&g->lock);
		bool stop = g->stop;
		pthread_mutex_unlock(&g->lock);
		if (stop)
			return NULL;
		sweep(g);
		nanosleep(&t, NULL);
	}
}

int guard_new(bool curve, uint64_t limit, struct guard **out)
{
	struct guard *g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->curve = curve;
	g->limit = limit ? limit : GUARD_PEER_MAX;
	pthread_mutex_init(&g->lock, NULL);
	int rc = pthread_create(&g->thread, NULL, guard_run, g);
	if (rc != 0) {
		pthread_mutex_destroy(&g->lock);
		free(g);
		return -rc;
	}
	g->started = true;
	*out = g;
	return 0;
}

void guard_free(struct guard **gp)
{
	struct guard *g = gp ? *gp : NULL;
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = true;
	pthread_mutex_unlock(&g->lock);
	if (g->started)
		pthread_join(g->thread, NULL);
	pthread_mutex_destroy(&g->lock);
	free(g->peers);
	free(g);
	*gp = NULL;
}
