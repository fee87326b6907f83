/* http.c: ikiweb's HTTP server on libmicrohttpd (see http.h). */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "grow.h"
#include "jsonout.h"

#define HTTP_STACK (256u << 10) /* each connection's thread */
#define HTTP_WATCH_MAX 4096

/* A connection the watchdog follows until its request is answered. */
struct watch {
	int fd;
	time_t start;
	bool busy; /* a request is being read (not yet answered) */
	bool used;
};

struct http {
	struct MHD_Daemon *d;
	struct app *app;
	struct http_options o;
	pthread_t watchdog;
	pthread_mutex_t lock;
	volatile bool stop;
	struct watch w[HTTP_WATCH_MAX];
};

const char *http_header(const struct web_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *http_arg(const struct web_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(const struct web_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

/* ---- static files ---- */

static const char *type_of(const char *path)
{
	static const char *const types[][2] = {
		{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"}, {".json", "application/json"},
		{".webmanifest", "application/manifest+json"}, {".svg", "image/svg+xml"},
		{".png", "image/png"}, {".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"},
		{".csv", "text/csv; charset=utf-8"},
		{".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	};
	const char *dot = strrchr(path, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(dot, types[i][0]))
			return types[i][1];
	return NULL;
}

/* Whether every segment of a URL path is a plain name (no "..", no leading dot, no NUL). */
static bool path_ok(const char *p)
{
	if (*p != '/' || strlen(p) > 512)
		return false;
	for (const char *s = p; *s; s++)
		if (*s == '/' && (s[1] == '.' || s[1] == '/'))
			return false;
	return !strchr(p, '\\');
}

static void not_found(struct web_resp *rs)
{
	rs->status = 404;
	rs->type = "application/json; charset=utf-8";
	rs->body = jsonout_error("not_found", "Halaman atau berkas tidak ditemukan.");
	rs->len = rs->body ? strlen(rs->body) : 0;
}

void http_static(const char *www, const char *path, struct web_resp *rs)
{
	char full[4700];
	struct stat st;
	if (!strcmp(path, "/"))
		path = "/index.html";
	const char *type = type_of(path);
	if (!path_ok(path) || !type || snprintf(full, sizeof(full), "%s%s", www, path) >=
					       (int)sizeof(full)) {
		not_found(rs);
		return;
	}
	int fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		not_found(rs);
		return;
	}
	rs->status = 200;
	rs->type = type;
	rs->fd = fd;
	rs->fd_size = (size_t)st.st_size;
	rs->cache = true;
}

/* ---- the watchdog: a request's line, headers and body must arrive within the timeout ---- */

static struct watch *watch_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return i ? i->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http *h = cls;
	pthread_mutex_lock(&h->lock);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *i =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = NULL;
		for (size_t k = 0; i && k < HTTP_WATCH_MAX; k++)
			if (!h->w[k].used) {
				h->w[k] = (struct watch){i->connect_fd, time(NULL), true, true};
				*socket_context = &h->w[k];
				break;
			}
	} else if (*socket_context) {
		((struct watch *)*socket_context)->used = false;
		*socket_context = NULL;
	}
	pthread_mutex_unlock(&h->lock);
}

/* A request is answered (busy false), or one ended and the next may start (true). */
static void watch_set(struct http *h, struct MHD_Connection *c, bool busy)
{
	pthread_mutex_lock(&h->lock);
	struct watch *w = watch_of(c);
	if (w) {
		w->busy = busy;
		w->start = time(NULL);
	}
	pthread_mutex_unlock(&h->lock);
}

static void *watchdog(void *arg)
{
	struct http *h = arg;
	while (!h->stop) {
		nanosleep(&(struct timespec){0, 250000000L}, NULL);
		time_t now = time(NULL);
		pthread_mutex_lock(&h->lock);
		for (size_t k = 0; k < HTTP_WATCH_MAX; k++)
			if (h->w[k].used && h->w[k].busy && now - h->w[k].start >= h->o.timeout_s) {
				shutdown(h->w[k].fd, SHUT_RDWR); /* MHD sees the end and closes it */
				h->w[k].busy = false;
			}
		pthread_mutex_unlock(&h->lock);
	}
	return NULL;
}

/* ---- requests and responses ---- */

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	ssize_t n = live_reader_read(cls, buf, max);
	return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void sse_free(void *cls)
{
	struct live_reader *r = cls;
	live_reader_free(&r);
}

static struct MHD_Response *make_response(struct web_resp *rs)
{
	struct MHD_Response *r;
	if (rs->stream)
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, sse_read, rs->stream,
						      sse_free);
	else if (rs->fd >= 0)
		r = MHD_create_response_from_fd(rs->fd_size, rs->fd);
	else
		r = MHD_create_response_from_buffer(rs->len, rs->body ? rs->body : (char *)"",
						    rs->body ? MHD_RESPMEM_MUST_FREE
							     : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		if (rs->stream)
			live_reader_free(&rs->stream);
		return NULL;
	}
	if (rs->type)
		MHD_add_response_header(r, "Content-Type", rs->type);
	MHD_add_response_header(r, "Content-Security-Policy",
				rs->csp ? rs->csp : "default-src 'self'; frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cache-Control", rs->cache ? "no-cache" : "no-store");
	if (rs->stream)
		MHD_add_response_header(r, "X-Accel-Buffering", "no");
	if (rs->cookie[0])
		MHD_add_response_header(r, "Set-Cookie", rs->cookie);
	if (rs->extra_name[0])
		MHD_add_response_header(r, rs->extra_name, rs->extra_value);
	return r;
}

static enum MHD_Result send_response(struct http *h, struct web_req *rq, struct web_resp *rs)
{
	struct MHD_Response *r = make_response(rs);
	rq->answered = true;
	watch_set(h, rq->conn, false);
	if (!r)
		return MHD_NO;
	enum MHD_Result ok = MHD_queue_response(rq->conn, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	return ok;
}

static void client_addr(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, n, "?");
	if (i && i->client_addr && i->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)i->client_addr)->sin_addr, out,
			  (socklen_t)n);
}

/* Behind a proxy every connection comes from it: the client is the last X-Forwarded-For hop
 * (the one the proxy added), when it is a plain address. */
static void forwarded_addr(const struct http *h, struct web_req *rq)
{
	const char *xff = h->app->trust_forwarded ? http_header(rq, "X-Forwarded-For") : NULL;
	const char *last = xff ? strrchr(xff, ',') : NULL;
	last = last ? last + 1 : xff;
	while (last && *last == ' ')
		last++;
	if (last && *last && strlen(last) < sizeof(rq->addr) &&
	    strspn(last, "0123456789abcdefABCDEF.:") == strlen(last))
		snprintf(rq->addr, sizeof(rq->addr), "%s", last);
}

static void too_big(struct web_resp *rs)
{
	rs->status = 413;
	rs->type = "application/json; charset=utf-8";
	rs->body = jsonout_error("too_big", "Kiriman terlalu besar (lebih dari 1 MiB); bagi menjadi "
				 "beberapa kiriman yang lebih kecil.");
	rs->len = rs->body ? strlen(rs->body) : 0;
}

/* The first call of a request: its context, and a body announced over the limit refused. */
static enum MHD_Result begin(struct http *h, struct MHD_Connection *c, const char *url,
			     const char *method, void **con_cls)
{
	struct web_req *rq = calloc(1, sizeof(*rq));
	if (!rq)
		return MHD_NO;
	rq->conn = c;
	rq->url = url;
	rq->method = method;
	client_addr(c, rq->addr, sizeof(rq->addr));
	forwarded_addr(h, rq);
	*con_cls = rq;
	const char *cl = http_header(rq, "Content-Length");
	if (cl && strtoull(cl, NULL, 10) > APP_BODY_MAX) {
		struct web_resp rs = {.fd = -1};
		too_big(&rs);
		return send_response(h, rq, &rs);
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct http *h = cls;
	struct web_req *rq = *con_cls;
	(void)version;
	if (!rq)
		return begin(h, c, url, method, con_cls);
	if (rq->answered) {
		*data_size = 0; /* the rest of a refused body is read and dropped */
		return MHD_YES;
	}
	if (*data_size) {
		if (rq->len + *data_size > APP_BODY_MAX) {
			rq->too_big = true;
		} else {
			if (grow((void **)&rq->body, &rq->cap, rq->len + *data_size + 1, 1) < 0)
				return MHD_NO;
			memcpy(rq->body + rq->len, data, *data_size);
			rq->len += *data_size;
			rq->body[rq->len] = 0;
		}
		*data_size = 0;
		return MHD_YES;
	}
	struct web_resp rs = {.fd = -1};
	watch_set(h, c, false); /* all of it is in: answering may take ikid's time */
	if (rq->too_big)
		too_big(&rs);
	else
		api_handle(h->app, rq, &rs);
	return send_response(h, rq, &rs);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	struct web_req *rq = *con_cls;
	(void)toe;
	if (rq) {
		free(rq->body);
		free(rq);
		*con_cls = NULL;
	}
	watch_set(h, c, true); /* the next request on this connection starts its clock */
}

/* libmicrohttpd's messages, with anything but printable ASCII replaced (they may quote what a
 * client sent). */
static void on_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			*p = p[1] ? '?' : *p == '\n' ? '\n' : '?';
	fprintf(stderr, "ikiweb: http: %s%s", line, strchr(line, '\n') ? "" : "\n");
}

int http_start(const struct http_options *o, struct app *app, struct http **out)
{
	struct http *h = calloc(1, sizeof(*h));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
	*out = NULL;
	if (!h)
		return -ENOMEM;
	if (inet_pton(AF_INET, o->address, &sa.sin_addr) != 1) {
		free(h);
		return -EINVAL;
	}
	h->app = app;
	h->o = *o;
	pthread_mutex_init(&h->lock, NULL);
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_POLL | MHD_USE_ERROR_LOG;
	if (o->cert_pem)
		flags |= MHD_USE_TLS;
	h->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, h, MHD_OPTION_EXTERNAL_LOGGER, on_log, h,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)o->max_per_ip,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32u << 10),
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)HTTP_STACK,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
		o->cert_pem ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, o->cert_pem,
		MHD_OPTION_HTTPS_MEM_KEY, o->key_pem, MHD_OPTION_END);
	if (!h->d) {
		int rc = errno ? -errno : -EINVAL;
		pthread_mutex_destroy(&h->lock);
		free(h);
		return rc;
	}
	if (pthread_create(&h->watchdog, NULL, watchdog, h) != 0) {
		MHD_stop_daemon(h->d);
		free(h);
		return -ENOMEM;
	}
	*out = h;
	return 0;
}

int http_port(const struct http *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
	return i ? i->port : -1;
}

void http_stop(struct http **hp)
{
	struct http *h = hp ? *hp : NULL;
	if (!h)
		return;
	h->stop = true;
	pthread_join(h->watchdog, NULL);
	MHD_stop_daemon(h->d);
	pthread_mutex_destroy(&h->lock);
	free(h);
	*hp = NULL;
}
