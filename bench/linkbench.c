/*
 * linkbench.c: iki submit over emulated slow links (tests/linkemu.py, CURVE on): the bytes per
 * event up and down, counted on the socket by the proxy, and the time to deliver a file of
 * 3,000 events (IKI_LINKBENCH_EVENTS) at 32 and 64 kbit/s, each into a fresh ikid.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "../tests/harness.h"
#include "../tests/linkemu.h"
#include "curve.h"

#define CATALOG "tests/data/mini.conf"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A CSV of n numbered rows, as a clerk's agenda book: two villages, a year of dates. */
static int write_file(const char *path, int n)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "no,element,orgunit,date,value,comment\n");
	for (int i = 1; i <= n; i++)
		fprintf(f, "%d,surat_masuk,35.27.03.%s,2022-%02d-%02d,%d,agenda %d\n", i,
			i % 2 ? "2001" : "2002", 1 + i % 12, 1 + i % 28, 1 + (i * 7) % 9, i);
	return fclose(f);
}

/* A clerk's key pair in dir (iki keygen) and the clients file that lets it in. */
static int make_keys(const char *dir)
{
	char bin[256], cmd[800], path[300];
	struct curve_keys k;
	harness_bin("iki", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "%s keygen %s/clerk >/dev/null", bin, dir);
	snprintf(path, sizeof(path), "%s/clerk.pub", dir);
	if (system(cmd) != 0 || curve_read(path, &k) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/clients", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "clerk admin - %s\n", k.public_key);
	return fclose(f);
}

/* One run: n events at rate bit/s. Returns 0 and prints the figures, or -1. */
static int run(const char *dir, int n, const char *rate)
{
	struct ikid d = {0};
	struct linkemu emu = {0};
	char clients[300], file[300], args[1500], *out = NULL;
	const char *extra[] = {"-a", clients, NULL}, *opts[] = {"--rate", rate, NULL};
	long up, down;
	snprintf(clients, sizeof(clients), "%s/clients", dir);
	snprintf(file, sizeof(file), "%s/agenda.csv", dir);
	if (write_file(file, n) < 0 || harness_start_args(&d, CATALOG, extra) < 0)
		return -1;
	int rc = linkemu_start(&emu, dir, d.request, opts);
	struct ikid via = d;
	snprintf(via.request, sizeof(via.request), "%s", emu.endpoint);
	snprintf(args, sizeof(args), "-k %s/clerk.key -S %s/server.pub submit -f %s 2>&1", dir,
		 d.state, file);
	double t0 = now_s();
	rc = rc < 0 ? -1 : harness_iki(&via, args, &out);
	double took = now_s() - t0;
	linkemu_stop(&emu);
	linkemu_bytes(&emu, &up, &down);
	if (rc == 0 && out && strstr(out, "ditolak 0"))
		printf("%6s bit/s: %d events delivered in %.1f s; on the socket %ld bytes up (%.1f per "
		       "event), %ld down (%.1f per event)\n", rate, n, took, up, (double)up / n, down,
		       (double)down / n);
	else
		fprintf(stderr, "linkbench: iki submit at %s bit/s: exit %d: %s\n", rate, rc,
			out ? out : "");
	free(out);
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

int main(void)
{
	static const char *const rates[] = {"32000", "64000"};
	const char *ev = getenv("IKI_LINKBENCH_EVENTS");
	int n = ev && atoi(ev) > 0 ? atoi(ev) : 3000, failed = 0;
	char dir[64] = "/tmp/iki-linkbench-XXXXXX";
	if (!mkdtemp(dir) || make_keys(dir) < 0) {
		fprintf(stderr, "linkbench: cannot make keys in %s\n", dir);
		return 1;
	}
	printf("linkbench: iki submit -f (%d events) through tests/linkemu.py, CURVE on\n", n);
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
		failed |= run(dir, n, rates[i]) < 0;
	harness_rmtree(dir);
	return failed;
}
