/* check_ops.c: ikid as an operator runs it: log priorities for journald, the configuration file
 * (-f, flags winning, ikid -n, SIGHUP), systemd's readiness and watchdog protocol, the units'
 * hardening score, and libiki installed for other programs. Against the real ikid. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"

static struct ikid d;

static void setup(void)
{
	memset(&d, 0, sizeof(d));
}

static void teardown(void)
{
	if (d.pid > 0)
		harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
}

/* The whole of a file (malloc'd, NUL-terminated), or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = malloc(1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* Run a shell command; its stdout and stderr (malloc'd) into *out; its exit status. */
static int run(const char *cmd, char **out)
{
	char full[4096];
	snprintf(full, sizeof(full), "(%s) 2>&1", cmd);
	FILE *p = popen(full, "r");
	ck_assert_ptr_nonnull(p);
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	while (n < cap - 1) {
		size_t r = fread(buf + n, 1, cap - 1 - n, p);
		if (r == 0)
			break;
		n += r;
	}
	buf[n] = '\0';
	int st = pclose(p);
	if (out)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Point JOURNAL_STREAM at file (made empty), as systemd does for a unit's stderr. */
static void journal_stream(const char *file)
{
	char v[64];
	struct stat st;
	write_file(file, "");
	ck_assert_int_eq(stat(file, &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
}

/* Whether every line of text starts with "<N>" (N a syslog priority). */
static int all_prefixed(const char *text)
{
	for (const char *s = text; *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : s + strlen(s))
		if (s[0] != '<' || s[1] < '0' || s[1] > '7' || s[2] != '>')
			return 0;
	return 1;
}

/* ---- logs ---- */

START_TEST(test_log_is_plain_without_journald)
{
	unsetenv("JOURNAL_STREAM");
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	ck_assert_int_eq(harness_iki(&d, "submit --element surat_masuk --orgunit 35.27.03.2001 "
				       "--date 2022-03-14 --value 3 >/dev/null", NULL), 0);
	harness_stop(&d, SIGTERM);
	char *log = slurp(d.log);
	ck_assert_ptr_nonnull(log);
	ck_assert_msg(strncmp(log, "ikid: ", 6) == 0, "%s", log);
	ck_assert_msg(strstr(log, "\nikid: listening: requests on tcp://127.0.0.1:"), "%s", log);
	ck_assert_msg(strstr(log, "\nikid: batch: 1 requests, 1 ok"), "%s", log);
	ck_assert_msg(!strstr(log, "\n<"), "%s", log);
	free(log);
}
END_TEST

/* Under journald (JOURNAL_STREAM names stderr) every line carries its priority, and only then:
 * a JOURNAL_STREAM naming another file (a child of a unit writing elsewhere) keeps the plain form. */
START_TEST(test_log_under_journald_carries_priorities)
{
	char dir[] = "/tmp/iki-ops-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(d.state, sizeof(d.state), "%s", dir);
	snprintf(d.log, sizeof(d.log), "%s/ikid.log", dir);
	journal_stream(d.log);
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	ck_assert_int_eq(harness_iki(&d, "submit --element surat_masuk --orgunit 35.27.03.2001 "
				       "--date 2022-03-14 --value 3 >/dev/null", NULL), 0);
	harness_stop(&d, SIGTERM);
	char *log = slurp(d.log), *out;
	ck_assert_ptr_nonnull(log);
	ck_assert_msg(strstr(log, "<5>listening: requests on tcp://127.0.0.1:"), "%s", log);
	ck_assert_msg(strstr(log, "<7>batch: 1 requests, 1 ok"), "%s", log);
	ck_assert_msg(strstr(log, "<6>Katalog uji: "), "%s", log);
	ck_assert_msg(strstr(log, "<4>PLAIN TEXT: --plaintext given"), "%s", log);
	ck_assert_msg(strstr(log, "<5>stopped\n"), "%s", log);
	free(log);

	/* a fatal error, on the journal's stream, then on another */
	char bin[256], cmd[1024], file[200];
	harness_bin("ikid", bin, sizeof(bin));
	snprintf(file, sizeof(file), "%s/fatal.log", dir);
	journal_stream(file);
	snprintf(cmd, sizeof(cmd), "%s -n -c %s/none.conf 2>>%s", bin, dir, file);
	ck_assert_int_eq(run(cmd, NULL), 1);
	log = slurp(file);
	ck_assert_msg(strncmp(log, "<3>", 3) == 0 && all_prefixed(log), "%s", log);
	free(log);
	snprintf(cmd, sizeof(cmd), "%s -n -c %s/none.conf", bin, dir);
	ck_assert_int_eq(run(cmd, &out), 1);
	ck_assert_msg(strstr(out, "none.conf: No such file") && strstr(out, "\nikid: ") &&
			      !strchr(out, '<'), "%s", out);
	free(out);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ops");
	TCase *tl = tcase_create("log");
	tcase_add_checked_fixture(tl, setup, teardown);
	tcase_set_timeout(tl, 60);
	tcase_add_test(tl, test_log_is_plain_without_journald);
	tcase_add_test(tl, test_log_under_journald_carries_priorities);
	suite_add_tcase(s, tl);
	return s;
}

SUITE_MAIN(suite)
