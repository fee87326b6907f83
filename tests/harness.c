/* harness.c: process plumbing for end-to-end tests and the benchmark. */
#define _DEFAULT_SOURCE /* mkdtemp, usleep */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void harness_bin(const char *name, char *buf, size_t n)
{
	const char *b = getenv("IKI_BUILD");
	snprintf(buf, n, "%s/%s", b && b[0] ? b : "build", name);
}

/* Read "request X\nupdate Y\n" from the endpoints file once ikid has written it. */
static int read_endpoints(const char *path, struct ikid *d)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int n = fscanf(f, "request %255s update %255s", d->request, d->update);
	fclose(f);
	return n == 2 ? 0 : -1;
}

int harness_open_fds(const struct ikid *d)
{
	char path[64];
	int n = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)d->pid);
	DIR *dir = opendir(path);
	if (!dir)
		return -1;
	for (struct dirent *e; (e = readdir(dir));)
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

void harness_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

/* Whether the extra arguments set up CURVE (then no --plaintext). */
static int secure(const char *const *extra)
{
	for (; extra && *extra; extra++)
		if (!strcmp(*extra, "-a") || !strcmp(*extra, "--clients"))
			return 1;
	return 0;
}

int harness_start(struct ikid *d, const char *catalog)
{
	return harness_start_args(d, catalog, NULL);
}

int harness_start_args(struct ikid *d, const char *catalog, const char *const *extra)
{
	char bin[256], eps[300];
	const char *argv[64];
	int n = 0;
	if (d->state[0] == '\0') {
		snprintf(d->state, sizeof(d->state), "/tmp/iki-e2e-XXXXXX");
		if (!mkdtemp(d->state))
			return -1;
	}
	snprintf(eps, sizeof(eps), "%s/endpoints", d->state);
	snprintf(d->log, sizeof(d->log), "%s/ikid.log", d->state);
	unlink(eps);
	harness_bin("ikid", bin, sizeof(bin));
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (d->pid == 0) {
		if (!freopen(d->log, "a", stderr))
			_exit(127);
		const char *base[] = {"ikid", "-v", "-c", catalog, "-d", d->state, "-l",
				      "tcp://127.0.0.1:*", "-p", "tcp://127.0.0.1:*", "-e", eps};
		for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
			argv[n++] = base[i];
		if (!secure(extra))
			argv[n++] = "--plaintext";
		for (; extra && *extra && n < 63; extra++)
			argv[n++] = *extra;
		argv[n] = NULL;
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < 1000; i++) {
		if (read_endpoints(eps, d) == 0)
			return 0;
		if (waitpid(d->pid, NULL, WNOHANG) == d->pid)
			break;
		harness_sleep_ms(10);
	}
	fprintf(stderr, "harness: ikid did not start; see %s\n", d->log);
	return -1;
}

int harness_stop(struct ikid *d, int sig)
{
	int status = -1;
	if (d->pid <= 0)
		return -1;
	kill(d->pid, sig);
	while (waitpid(d->pid, &status, 0) < 0 && errno == EINTR)
		;
	d->pid = 0;
	return status;
}

void harness_rmtree(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "harness: could not remove %s\n", dir);
}

void harness_cleanup(struct ikid *d)
{
	if (d->state[0] == '\0')
		return;
	harness_rmtree(d->state);
	d->state[0] = '\0';
}

/* What the command p runs writes, into *out (malloc'd; NULL: dropped); its exit status or -1. */
static int collect(FILE *p, char **out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), p)) > 0)
		fwrite(chunk, 1, got, mem);
	fclose(mem);
	int status = pclose(p);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int harness_iki(const struct ikid *d, const char *args, char **out)
{
	char bin[256], *cmd = NULL;
	harness_bin("iki", bin, sizeof(bin));
	size_t n = strlen(bin) + strlen(args) + 2 * sizeof(d->request) + sizeof(d->state) + 64;
	if (!(cmd = malloc(n)))
		return -1;
	/* The client's outbox lives with this daemon's state (unless the test chose one), so tests
	 * running at once, each with its own ikid, never share what they captured. */
	const char *ob = getenv("IKI_OUTBOX");
	if (ob && *ob)
		snprintf(cmd, n, "%s -s %s -u %s %s", bin, d->request, d->update, args);
	else
		snprintf(cmd, n, "IKI_OUTBOX='%s/client-outbox' %s -s %s -u %s %s", d->state, bin,
			 d->request, d->update, args);
	FILE *p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return -1;
	return collect(p, out);
}

int harness_sh(const char *cmd, char **out)
{
	size_t n = strlen(cmd) + 16;
	char *full = malloc(n);
	if (!full)
		return -1;
	snprintf(full, n, "(%s) 2>&1", cmd);
	FILE *p = popen(full, "r");
	free(full);
	return p ? collect(p, out) : -1;
}

int harness_ikid(const char *args, char **out)
{
	char bin[256], *cmd = NULL;
	harness_bin("ikid", bin, sizeof(bin));
	size_t n = strlen(bin) + strlen(args) + 2;
	if (!(cmd = malloc(n)))
		return -1;
	snprintf(cmd, n, "%s %s", bin, args);
	int rc = harness_sh(cmd, out);
	free(cmd);
	return rc;
}
