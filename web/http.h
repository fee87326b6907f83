/* http.h: ikiweb's HTTP server (libmicrohttpd, a thread per connection, GnuTLS for HTTPS): its
 * limits, the request bodies, the security headers, the static files, the SSE responses. */
#ifndef IKI_WEB_HTTP_H
#define IKI_WEB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "app.h"

struct http;
struct MHD_Connection;

struct http_options {
	const char *address;  /* IPv4 address to listen on */
	int port;             /* 0: any free port (http_port says which) */
	const char *cert_pem; /* both, to serve HTTPS (the PEM texts) */
	const char *key_pem;
	int max_connections;  /* 512 */
	int max_per_ip;       /* 256 */
	int timeout_s;        /* idle connection, and the time allowed for a request's headers (30) */
};

/* A request as the API sees it (the body read in full, at most APP_BODY_MAX). */
struct web_req {
	struct MHD_Connection *conn;
	const char *method, *url;
	char *body;
	size_t len, cap; /* cap: the body's room */
	bool too_big;
	char addr[64]; /* the client's address */
	bool answered;
};

/* What the API answers: a body (owned), a static file, or an SSE stream. */
struct web_resp {
	int status;
	const char *type;
	char *body;
	size_t len;
	int fd;          /* a file to send (>= 0), fd_size bytes */
	size_t fd_size;
	struct live_reader *stream;
	char cookie[256];
	char extra_name[32], extra_value[160]; /* Retry-After, Allow, Content-Disposition */
	bool cache;      /* a static file (no-cache, not no-store) */
	const char *csp; /* a Content-Security-Policy other than the default (static) */
};

/* The request's header or URL argument, or NULL. */
const char *http_header(const struct web_req *rq, const char *name);
const char *http_arg(const struct web_req *rq, const char *name);
const char *http_cookie(const struct web_req *rq, const char *name);

/* Answer with a file of the www directory (path from the URL, checked), or 404. */
void http_static(const char *www, const char *path, struct web_resp *rs);

/* Start serving app. Returns 0 and an owned *out, or -errno (-EADDRINUSE, -EINVAL...). */
int http_start(const struct http_options *o, struct app *app, struct http **out);
int http_port(const struct http *h);
void http_stop(struct http **h);

#endif
