/* config.c: ikid's settings, one table for its flags and its configuration file. */
#include "config.h"

#include "grow.h"
#include "iki.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_FILE_MAX (1u << 20) /* a settings file is a few hundred bytes */
#define CONFIG_ERRORS_MAX 50       /* errors reported before the rest are only counted */

enum type { T_PATH, T_ENDPOINT, T_BOOL, T_COUNT, T_BYTES, T_WHEN, T_ADDRESS };

static const struct key {
	const char *name;
	enum type type;
	size_t offset;
	int live; /* a running ikid takes a new value on SIGHUP */
} keys[CONFIG_KEYS] = {
	[CONFIG_CATALOG] = {"catalog", T_PATH, offsetof(struct config, catalog), 0},
	[CONFIG_STATE] = {"state", T_PATH, offsetof(struct config, state), 0},
	[CONFIG_LISTEN] = {"listen", T_ENDPOINT, offsetof(struct config, listen), 0},
	[CONFIG_PUBLISH] = {"publish", T_ENDPOINT, offsetof(struct config, publish), 0},
	[CONFIG_ENDPOINTS_FILE] = {"endpoints-file", T_PATH, offsetof(struct config, endpoints_file), 0},
	[CONFIG_KEY] = {"key", T_PATH, offsetof(struct config, key_file), 0},
	[CONFIG_CLIENTS] = {"clients", T_PATH, offsetof(struct config, clients_file), 0},
	[CONFIG_PLAINTEXT] = {"plaintext", T_BOOL, offsetof(struct config, plaintext), 0},
	[CONFIG_MAP_SIZE] = {"map-size", T_BYTES, offsetof(struct config, map_max), 0},
	[CONFIG_HEARTBEAT_MS] = {"heartbeat-ms", T_COUNT, offsetof(struct config, heartbeat_ms), 0},
	[CONFIG_PUB_HWM] = {"pub-hwm", T_COUNT, offsetof(struct config, pub_hwm), 0},
	[CONFIG_VERBOSE] = {"verbose", T_BOOL, offsetof(struct config, verbose), 1},
	[CONFIG_LOG_PRIORITIES] = {"log-priorities", T_WHEN, offsetof(struct config, log_priorities), 1},
	[CONFIG_PID_FILE] = {"pid-file", T_PATH, offsetof(struct config, pid_file), 0},
	[CONFIG_METRICS] = {"metrics", T_ADDRESS, offsetof(struct config, metrics), 0},
};

void config_init(struct config *c, const char *catalog)
{
	*c = (struct config){.catalog = catalog, .state = "state", .log_priorities = -1};
}

void config_free(struct config *c)
{
	free(c->text);
	c->text = NULL;
}

const char *config_name(enum config_key key)
{
	return keys[key].name;
}

int config_live(enum config_key key)
{
	return keys[key].live;
}

/* A size in bytes with an optional K, M, G or T (powers of 1024), at least 1M. */
static int parse_bytes(const char *arg, size_t *out)
{
	static const char units[] = "KMGT";
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	const char *u = *end ? strchr(units, *end & ~0x20) : NULL;
	int shift = u ? 10 * (int)(u - units + 1) : 0;
	if (*arg < '0' || *arg > '9' || errno || (*end && (!u || end[1])) || v > (~0ull >> shift) ||
	    (v << shift) < (1ull << 20) || (v << shift) > SIZE_MAX)
		return -EINVAL;
	*out = (size_t)(v << shift);
	return 0;
}

static int parse_count(const char *arg, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*arg < '0' || *arg > '9' || *end != 0 || v <= 0 || v > 1000000000)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

/* yes/no and their usual spellings; auto too when allowed (-1). */
static int parse_when(const char *arg, int with_auto, int *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"}, *const no[] = {"no", "false", "off", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (!strcmp(arg, yes[i]))
			return *out = 1, 0;
		if (!strcmp(arg, no[i]))
			return *out = 0, 0;
	}
	if (with_auto && !strcmp(arg, "auto"))
		return *out = -1, 0;
	return -EINVAL;
}

/* A TCP port, 1 ... 65535, or 0 too when zero (any free port). */
static int parse_port(const char *arg, bool zero, int *port)
{
	if (zero && !strcmp(arg, "0"))
		return *port = 0, 0;
	return parse_count(arg, port) == 0 && *port <= 65535 ? 0 : -EINVAL;
}

/* A ZeroMQ endpoint ikid can bind: tcp://HOST:PORT (HOST an address, an interface or *; PORT a
 * number or *) or ipc://PATH. libzmq says the rest when it binds. */
static int parse_endpoint(const char *arg)
{
	if (!strncmp(arg, "ipc://", 6))
		return arg[6] ? 0 : -EINVAL;
	if (strncmp(arg, "tcp://", 6))
		return -EINVAL;
	const char *colon = strrchr(arg + 6, ':');
	if (!colon || colon == arg + 6 || !colon[1])
		return -EINVAL;
	if (!strcmp(colon + 1, "*"))
		return 0;
	int port;
	return parse_port(colon + 1, false, &port);
}

int config_address(const char *text, struct sockaddr_in *out)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(text, ':');
	int port = 0;
	if (!colon || colon == text || (size_t)(colon - text) >= sizeof(host) ||
	    parse_port(colon + 1, true, &port) < 0)
		return -EINVAL;
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	*out = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	return inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -EINVAL;
}

/* Check value for key and store it into c; on error a sentence goes into why. */
static int set_value(struct config *c, const struct key *k, const char *value, char *why, size_t n)
{
	static const char *const wants[] = {
		[T_PATH] = "wants a file or directory name",
		[T_ENDPOINT] = "wants an endpoint like tcp://192.168.1.10:7470, tcp://eth0:7470, "
			       "tcp://*:7470 or ipc:///run/iki/ikid.sock",
		[T_BOOL] = "wants yes or no",
		[T_COUNT] = "wants a positive number",
		[T_BYTES] = "wants a size of at least 1M, like 512M or 64G",
		[T_WHEN] = "wants auto, yes or no",
		[T_ADDRESS] = "wants an IPv4 address and a port like 127.0.0.1:9470 (port 0: any "
			      "free one)",
	};
	char *field = (char *)c + k->offset;
	int rc = -EINVAL;
	switch (k->type) {
	case T_PATH: rc = value[0] ? 0 : -EINVAL; break;
	case T_ENDPOINT: rc = parse_endpoint(value); break;
	case T_BOOL: rc = parse_when(value, 0, (int *)(void *)field); break;
	case T_COUNT: rc = parse_count(value, (int *)(void *)field); break;
	case T_BYTES: rc = parse_bytes(value, (size_t *)(void *)field); break;
	case T_WHEN: rc = parse_when(value, 1, (int *)(void *)field); break;
	case T_ADDRESS: rc = config_address(value, &(struct sockaddr_in){0}); break;
	}
	if (rc == 0 && (k->type == T_PATH || k->type == T_ENDPOINT || k->type == T_ADDRESS))
		*(const char **)(void *)field = value;
	if (rc < 0)
		snprintf(why, n, "%s %s, not \"%s\"", k->name, wants[k->type], value);
	return rc;
}

int config_flag(struct config *c, enum config_key key, const char *value, char *why, size_t n)
{
	int rc = set_value(c, &keys[key], value, why, n);
	if (rc == 0)
		c->given |= 1u << key;
	return rc;
}

int config_differs(const struct config *a, const struct config *b, enum config_key key)
{
	const struct key *k = &keys[key];
	const char *fa = (const char *)a + k->offset, *fb = (const char *)b + k->offset;
	switch (k->type) {
	case T_PATH:
	case T_ENDPOINT:
	case T_ADDRESS: {
		const char *sa = *(const char *const *)(const void *)fa;
		const char *sb = *(const char *const *)(const void *)fb;
		return (sa == NULL) != (sb == NULL) || (sa && strcmp(sa, sb));
	}
	case T_BYTES: return *(const size_t *)(const void *)fa != *(const size_t *)(const void *)fb;
	default: return *(const int *)(const void *)fa != *(const int *)(const void *)fb;
	}
}

/* ---- the file ---- */

struct problems {
	const char *path;
	char *text;
	size_t len, cap;
	int count;
};

/* Note an error at line (0: the whole file). Returns -1, for "return problem(...)". */
__attribute__((format(printf, 3, 4))) static int problem(struct problems *p, int line,
							 const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	if (p->count++ >= CONFIG_ERRORS_MAX)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	size_t need = strlen(p->path) + strlen(msg) + 16;
	if (grow((void **)&p->text, &p->cap, p->len + need, 1) < 0)
		return -1;
	char *t = p->text + p->len;
	if (line > 0)
		p->len += (size_t)snprintf(t, need, "%s:%d: %s\n", p->path, line, msg);
	else
		p->len += (size_t)snprintf(t, need, "%s: %s\n", p->path, msg);
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int find_key(const char *name)
{
	for (int i = 0; i < CONFIG_KEYS; i++)
		if (!strcmp(keys[i].name, name))
			return i;
	return -1;
}

/* Whether s holds a control character other than a tab (then it is not shown back as it is). */
static int has_control(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f)
			return 1;
	return 0;
}

/* One line "key = value" into t; problems into p. Returns 0, or -1 after noting a problem. */
static int read_line(struct config *t, struct config *c, char *s, int line, struct problems *p)
{
	char why[512], *eq = strchr(s, '=');
	s = trim(s);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (has_control(s))
		return problem(p, line, "a control character in the line");
	if (!eq)
		return problem(p, line, "expected \"key = value\", like \"listen = tcp://*:7470\"");
	*eq = '\0';
	char *name = trim(s), *value = trim(eq + 1);
	int k = find_key(name);
	if (k < 0)
		return problem(p, line, "unknown key \"%s\" (the keys are the long options of ikid -h)",
			       name);
	if (t->line[k])
		return problem(p, line, "%s given twice (first on line %d)", name, t->line[k]);
	t->line[k] = line;
	/* a flag wins: its value is kept, the file's is only checked */
	struct config *into = c->given & (1u << k) ? &(struct config){0} : t;
	if (set_value(into, &keys[k], value, why, sizeof(why)) < 0)
		return problem(p, line, "%s", why);
	return 0;
}

static int read_text(const char *path, char **out, struct problems *p)
{
	FILE *f = fopen(path, "r");
	int rc = 0;
	if (!f) {
		rc = -errno;
		problem(p, 0, "cannot read: %s", strerror(-rc));
		return rc;
	}
	char *buf = malloc(CONFIG_FILE_MAX + 1);
	size_t n = buf ? fread(buf, 1, CONFIG_FILE_MAX + 1, f) : 0;
	if (!buf)
		rc = -ENOMEM;
	else if (ferror(f))
		rc = -EIO;
	else if (n > CONFIG_FILE_MAX)
		rc = -EFBIG;
	fclose(f);
	if (rc < 0) {
		problem(p, 0, "cannot read: %s", rc == -EFBIG ? "over 1 MiB" : strerror(-rc));
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		problem(p, 0, "a NUL byte: not a text file");
		free(buf);
		return IKI_ECATALOG;
	}
	*out = buf;
	return 0;
}

int config_read(struct config *c, const char *path, char **errors)
{
	struct problems p = {.path = path};
	struct config t = *c;
	char *text = NULL;
	*errors = NULL;
	if (c->text)
		return -EALREADY;
	int rc = read_text(path, &text, &p);
	memset(t.line, 0, sizeof(t.line));
	int line = 1;
	for (char *s = text, *nl; rc == 0 && s && *s; s = nl ? nl + 1 : NULL, line++) {
		if ((nl = strchr(s, '\n')))
			*nl = '\0';
		read_line(&t, c, s, line, &p);
	}
	if (p.count > CONFIG_ERRORS_MAX) {
		int more = p.count - CONFIG_ERRORS_MAX;
		p.count = 0;
		problem(&p, line, "... and %d more errors", more);
	}
	if (rc == 0 && p.count)
		rc = IKI_ECATALOG;
	if (rc < 0) {
		free(text);
		*errors = p.text;
		return rc;
	}
	t.text = text;
	*c = t;
	return 0;
}
