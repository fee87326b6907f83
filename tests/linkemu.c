/* linkemu.c: run tests/linkemu.py (a bad link as a TCP proxy) between iki and ikid. */
#define _DEFAULT_SOURCE
#include "linkemu.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static void file_in(const struct linkemu *l, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", l->dir, name);
}

int linkemu_retarget(struct linkemu *l, const char *target)
{
	char p[200];
	const char *hp = strstr(target, "://");
	file_in(l, "target", p, sizeof(p));
	FILE *f = fopen(p, "w");
	if (!f)
		return -1;
	fprintf(f, "%s\n", hp ? hp + 3 : target);
	return fclose(f) == 0 ? 0 : -1;
}

/* Wait for the port file; 0 with l->endpoint set, or -1. */
static int wait_port(struct linkemu *l, const char *port_file)
{
	for (int i = 0; i < 500; i++) {
		FILE *f = fopen(port_file, "r");
		int port = 0;
		if (f && fscanf(f, "%d", &port) == 1 && port > 0) {
			fclose(f);
			snprintf(l->endpoint, sizeof(l->endpoint), "tcp://127.0.0.1:%d", port);
			return 0;
		}
		if (f)
			fclose(f);
		harness_sleep_ms(10);
	}
	return -1;
}

int linkemu_start(struct linkemu *l, const char *dir, const char *target,
		  const char *const *opts)
{
	char port[200], tgt[200], down[200], stats[200];
	const char *argv[48] = {"python3", "tests/linkemu.py", "--port-file", port, "--target-file",
				tgt, "--down-file", down, "--stats", stats, "--seed", "9"};
	int n = 12;
	snprintf(l->dir, sizeof(l->dir), "%s", dir);
	file_in(l, "port", port, sizeof(port));
	file_in(l, "target", tgt, sizeof(tgt));
	file_in(l, "down", down, sizeof(down));
	file_in(l, "stats", stats, sizeof(stats));
	unlink(port);
	unlink(down);
	unlink(stats);
	for (; opts && *opts && n < 46; opts++)
		argv[n++] = *opts;
	argv[n] = NULL;
	if (linkemu_retarget(l, target) < 0 || (l->pid = fork()) < 0)
		return -1;
	if (l->pid == 0) {
		execv("/usr/bin/python3", (char *const *)argv);
		_exit(127);
	}
	if (wait_port(l, port) == 0)
		return 0;
	linkemu_stop(l);
	fprintf(stderr, "linkemu: tests/linkemu.py did not start\n");
	return -1;
}

void linkemu_down(struct linkemu *l, const char *how)
{
	char p[200];
	file_in(l, "down", p, sizeof(p));
	if (!how) {
		unlink(p);
		return;
	}
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(how, f);
		fclose(f);
	}
}

void linkemu_stop(struct linkemu *l)
{
	if (l->pid > 0) {
		kill(l->pid, SIGTERM);
		waitpid(l->pid, NULL, 0);
	}
	l->pid = 0;
}

void linkemu_bytes(const struct linkemu *l, long *up, long *down)
{
	char p[200];
	file_in(l, "stats", p, sizeof(p));
	FILE *f = fopen(p, "r");
	*up = *down = 0;
	if (f) {
		if (fscanf(f, "up %ld down %ld", up, down) != 2)
			*up = *down = 0;
		fclose(f);
	}
}
