/* check_ops.c: ikid as an operator runs it: log priorities for journald, the configuration file
 * (-f, flags winning, ikid -n, SIGHUP), the pid file, systemd's readiness and watchdog protocol,
 * the units' hardening score, and libiki installed for other programs. Against the real ikid. */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
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
	ck_assert_int_eq(harness_sh(cmd, NULL), 1);
	log = slurp(file);
	ck_assert_msg(strncmp(log, "<3>", 3) == 0 && all_prefixed(log), "%s", log);
	free(log);
	snprintf(cmd, sizeof(cmd), "%s -n -c %s/none.conf", bin, dir);
	ck_assert_int_eq(harness_sh(cmd, &out), 1);
	ck_assert_msg(strstr(out, "none.conf: No such file") && strstr(out, "\nikid: ") &&
			      !strchr(out, '<'), "%s", out);
	free(out);
}
END_TEST


/* ---- the configuration file ---- */

/* A fresh directory for a test's files, as d.state (removed by the teardown). */
static void fresh_dir(void)
{
	snprintf(d.state, sizeof(d.state), "/tmp/iki-ops-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(d.state));
}

/* "ikid -n ARGS" (2>&1): its exit status, its output into *out. */
static int ikid_check(const char *args, char **out)
{
	char bin[256], cmd[2048];
	harness_bin("ikid", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "%s -n %s", bin, args);
	return harness_sh(cmd, out);
}

START_TEST(test_config_check_names_each_bad_line)
{
	char path[300], args[600], *out;
	fresh_dir();
	snprintf(path, sizeof(path), "%s/ikid.conf", d.state);
	write_file(path, "# ikid's settings\n"
			 "catalog = " MINI "\n"
			 "listen = http://192.168.1.10:7470\n"
			 "map-size = 12\n"
			 "verbose = maybe\n"
			 "colour = red\n"
			 "catalog = other.conf\n"
			 "just words\n"
			 "heartbeat-ms = 0\n"
			 "pub-hwm = 10\x1b[2J\n"
			 "log-priorities = sometimes\n"
			 "metrics = localhost:9470\n");
	snprintf(args, sizeof(args), "-f %s", path);
	ck_assert_int_eq(ikid_check(args, &out), 1);
	const char *want[] = {":3: listen wants an endpoint like tcp://192.168.1.10:7470",
			      ":4: map-size wants a size of at least 1M",
			      ":5: verbose wants yes or no, not \"maybe\"",
			      ":6: unknown key \"colour\"",
			      ":7: catalog given twice (first on line 2)",
			      ":8: expected \"key = value\"",
			      ":9: heartbeat-ms wants a positive number, not \"0\"",
			      ":10: a control character in the line",
			      ":11: log-priorities wants auto, yes or no",
			      ":12: metrics wants an IPv4 address and a port like 127.0.0.1:9470",
			      "ikid.conf: configuration not loaded"};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(strstr(out, want[i]), "no \"%s\" in:\n%s", want[i], out);
	ck_assert_msg(!strstr(out, ":1:") && !strstr(out, ":2:") && !strchr(out, 0x1b), "%s", out);
	ck_assert_msg(!strstr(out, "configuration OK"), "%s", out);
	free(out);

	/* a good file; then one whose clients file (named in it) has an error at its line */
	write_file(path, "catalog = " MINI "\nlisten = tcp://*:7470\npublish = tcp://eth0:7471\n"
			 "map-size = 2G\nverbose = yes\nlog-priorities = auto\nmetrics = 0.0.0.0:9470\n");
	ck_assert_int_eq(ikid_check(args, &out), 0);
	ck_assert_str_eq(out, "configuration OK\n");
	free(out);
	char clients[300], text[800];
	snprintf(clients, sizeof(clients), "%s/clients", d.state);
	write_file(clients, "camat viewer - rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\n"
			    "desa clerk 35.27.03.9999 JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6\n");
	snprintf(text, sizeof(text), "catalog = " MINI "\nclients = %s\n", clients);
	write_file(path, text);
	ck_assert_int_eq(ikid_check(args, &out), 1);
	ck_assert_msg(strstr(out, "clients:2:"), "%s", out);
	free(out);
	/* a flag wins over the file, and a bad flag is a usage error */
	snprintf(args, sizeof(args), "-f %s --plaintext", path);
	ck_assert_int_eq(ikid_check(args, &out), 0);
	free(out);
	snprintf(args, sizeof(args), "-f %s --map-size 12", path);
	ck_assert_int_eq(ikid_check(args, &out), 2);
	ck_assert_msg(strstr(out, "ikid: --map-size wants a size of at least 1M"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "-f %s --metrics 127.0.0.1:65536", path);
	ck_assert_int_eq(ikid_check(args, &out), 2);
	ck_assert_msg(strstr(out, "ikid: --metrics wants an IPv4 address"), "%s", out);
	free(out);
}
END_TEST

/* The file sets what no flag gave: the harness's flags (-l, -p, -v, ...) win over it. */
START_TEST(test_config_file_sets_what_flags_do_not)
{
	char path[300];
	fresh_dir();
	snprintf(path, sizeof(path), "%s/ikid.conf", d.state);
	write_file(path, "listen = tcp://127.0.0.1:1\nverbose = no\nmap-size = 2M\n"
			 "catalog = tests/data/none.conf\n");
	const char *const extra[] = {"-f", path, NULL};
	ck_assert_int_eq(harness_start_args(&d, MINI, extra), 0);
	ck_assert_msg(strncmp(d.request, "tcp://127.0.0.1:", 16) == 0 &&
			      strcmp(d.request, "tcp://127.0.0.1:1"), "%s", d.request);
	ck_assert_int_eq(harness_iki(&d, "submit --element surat_masuk --orgunit 35.27.03.2001 "
				       "--date 2022-03-14 --value 3 >/dev/null", NULL), 0);
	harness_stop(&d, SIGTERM);
	char *log = slurp(d.log);
	ck_assert_msg(strstr(log, "grows up to 2 MiB (--map-size)"), "%s", log);
	ck_assert_msg(strstr(log, "batch: 1 requests"), "%s", log); /* -v, not verbose = no */
	free(log);
	const char *const more[] = {"-f", path, "--map-size", "3M", NULL};
	ck_assert_int_eq(harness_start_args(&d, MINI, more), 0);
	harness_stop(&d, SIGTERM);
	log = slurp(d.log);
	ck_assert_msg(strstr(log, "grows up to 3 MiB (--map-size)"), "%s", log);
	free(log);
}
END_TEST

/* Wait (up to 5 s) until the log holds text; whether it did. */
static int log_waits_for(const char *text)
{
	for (int i = 0; i < 500; i++) {
		char *log = slurp(d.log);
		int found = log && strstr(log, text);
		free(log);
		if (found)
			return 1;
		harness_sleep_ms(10);
	}
	return 0;
}

/* SIGHUP reads the file again: log-priorities changes at once, heartbeat-ms waits for a
 * restart (and says so), a file with an error changes nothing. */
START_TEST(test_config_reloads_on_sighup)
{
	char path[300];
	fresh_dir();
	snprintf(path, sizeof(path), "%s/ikid.conf", d.state);
	write_file(path, "log-priorities = no\n");
	const char *const extra[] = {"-f", path, NULL};
	ck_assert_int_eq(harness_start_args(&d, MINI, extra), 0);
	write_file(path, "log-priorities = yes\nheartbeat-ms = 500\n");
	kill(d.pid, SIGHUP);
	ck_assert(log_waits_for("<5>reload: "));
	ck_assert(log_waits_for("<4>reload: heartbeat-ms changed in "));
	write_file(path, "log-priorities = no\nmap-size = 1K\n");
	kill(d.pid, SIGHUP);
	ck_assert(log_waits_for("ikid.conf:2: map-size wants"));
	ck_assert(log_waits_for("<4>reload: "));
	ck_assert_int_eq(harness_iki(&d, "submit --element surat_masuk --orgunit 35.27.03.2001 "
				       "--date 2022-03-14 --value 3 >/dev/null", NULL), 0);
	ck_assert(log_waits_for("<7>batch: 1 requests")); /* still prefixed: nothing changed */
	harness_stop(&d, SIGTERM);
	char *log = slurp(d.log);
	ck_assert_msg(strstr(log, "\nikid: listening") && strstr(log, "<5>stopped"), "%s", log);
	ck_assert_msg(strstr(log, "ikid.conf read, 1 setting changed now"), "%s", log);
	free(log);
}
END_TEST

/* ---- the pid file ---- */

/* The pid a pid file holds, or 0 when there is none (or no number in it). */
static long pid_in(const char *path)
{
	char *text = slurp(path);
	long pid = text ? strtol(text, NULL, 10) : 0;
	free(text);
	return pid;
}

/* Written once listening (where pid-file says, the file's key), read by kill -HUP $(cat ...),
 * removed on a clean stop. */
START_TEST(test_pid_file_names_the_ikid_to_signal_and_goes_on_a_clean_stop)
{
	char conf[300], pidf[300], text[400], cmd[700], dflt[300];
	fresh_dir();
	snprintf(conf, sizeof(conf), "%s/ikid.conf", d.state);
	snprintf(pidf, sizeof(pidf), "%s/run/ikid.pid", d.state);
	snprintf(dflt, sizeof(dflt), "%s/ikid.pid", d.state);
	snprintf(text, sizeof(text), "pid-file = %s\n", pidf);
	write_file(conf, text);
	snprintf(text, sizeof(text), "%s/run", d.state);
	ck_assert_int_eq(mkdir(text, 0755), 0);
	const char *const extra[] = {"-f", conf, NULL};
	ck_assert_int_eq(harness_start_args(&d, MINI, extra), 0);
	ck_assert_int_eq(pid_in(pidf), d.pid); /* there before the endpoints file */
	ck_assert_int_eq(access(dflt, F_OK), -1);
	snprintf(cmd, sizeof(cmd), "kill -HUP $(cat %s)", pidf);
	ck_assert_int_eq(harness_sh(cmd, NULL), 0);
	ck_assert(log_waits_for("ikid.conf read, 0 settings changed now"));
	ck_assert_int_eq(kill(d.pid, 0), 0); /* reloaded, not stopped */
	int st = harness_stop(&d, SIGTERM);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(access(pidf, F_OK), -1);
	/* the default: STATEDIR/ikid.pid, and -P FILE */
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	ck_assert_int_eq(pid_in(dflt), d.pid);
	harness_stop(&d, SIGTERM);
	ck_assert_int_eq(access(dflt, F_OK), -1);
	const char *const flag[] = {"-P", pidf, NULL};
	ck_assert_int_eq(harness_start_args(&d, MINI, flag), 0);
	ck_assert_int_eq(pid_in(pidf), d.pid);
	ck_assert_int_eq(access(dflt, F_OK), -1);
}
END_TEST

/* A second ikid on the state directory a live one serves is refused, naming the first; the
 * first goes on, its pid file untouched. */
START_TEST(test_a_second_ikid_on_a_served_state_directory_is_refused)
{
	char bin[256], cmd[1024], pidf[300], *out = NULL;
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	snprintf(pidf, sizeof(pidf), "%s/ikid.pid", d.state);
	harness_bin("ikid", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "%s -c %s -d %s --plaintext -l 'tcp://127.0.0.1:*' "
		 "-p 'tcp://127.0.0.1:*'", bin, MINI, d.state);
	ck_assert_int_eq(harness_sh(cmd, &out), 1);
	char want[200];
	snprintf(want, sizeof(want), "another ikid (pid %ld) serves this state directory",
		 (long)d.pid);
	ck_assert_msg(strstr(out, want) && !strstr(out, "listening"), "%s", out);
	free(out);
	ck_assert_int_eq(pid_in(pidf), d.pid);
	ck_assert_int_eq(harness_iki(&d, "submit --element surat_masuk --orgunit 35.27.03.2001 "
				       "--date 2022-03-14 --value 3 >/dev/null", NULL), 0);
}
END_TEST

/* A pid file no live ikid holds is stale: one a kill -9 left, or one naming a live process
 * that is not ikid (a reused number), is replaced and ikid starts. */
START_TEST(test_a_stale_pid_file_is_replaced)
{
	char pidf[300], text[32];
	fresh_dir();
	snprintf(pidf, sizeof(pidf), "%s/ikid.pid", d.state);
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	long first = d.pid;
	harness_stop(&d, SIGKILL);
	ck_assert_int_eq(pid_in(pidf), first); /* left behind */
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	ck_assert_int_eq(pid_in(pidf), d.pid);
	ck_assert(log_waits_for("replaced a stale pid file"));
	harness_stop(&d, SIGKILL);
	snprintf(text, sizeof(text), "%ld\n", (long)getpid()); /* alive, and not ikid */
	write_file(pidf, text);
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	ck_assert_int_eq(pid_in(pidf), d.pid);
}
END_TEST

/* ---- systemd ---- */

/* A unit from systemd/NAME.in with its paths filled in, as make install writes it, in dir. */
static void unit_file(const char *dir, const char *name, char *out, size_t n)
{
	char cmd[1024];
	snprintf(out, n, "%s/%s", dir, name);
	snprintf(cmd, sizeof(cmd), "sed 's|@SBINDIR@|/usr/sbin|g; s|@DATADIR@|/usr/share/iki|g' "
		 "systemd/%s.in > %s", name, out);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_units_score_ok_on_systemd_analyze)
{
	static const char *const units[] = {"ikid.service", "ikiweb.service"};
	char *out;
	if (harness_sh("systemd-analyze --version", NULL) != 0) {
		printf("check_ops: systemd-analyze not found; the units' security score is not checked\n");
		return;
	}
	fresh_dir();
	for (size_t i = 0; i < 2; i++) {
		char unit[300], cmd[600], want[100];
		unit_file(d.state, units[i], unit, sizeof(unit));
		snprintf(cmd, sizeof(cmd), "systemd-analyze security --offline=yes %s", unit);
		int rc = harness_sh(cmd, &out);
		if (rc != 0 && strstr(out, "offline")) { /* systemd before 250 */
			printf("check_ops: this systemd-analyze has no --offline; not checked\n%s", out);
			free(out);
			return;
		}
		snprintf(want, sizeof(want), "Overall exposure level for %s: ", units[i]);
		const char *at = strstr(out, want);
		ck_assert_msg(at, "%s", out);
		double score = strtod(at + strlen(want), NULL);
		printf("check_ops: systemd-analyze security %s: %.1f\n", units[i], score);
		ck_assert_msg(score <= 2.0, "%s scores %.1f:\n%s", units[i], score, out);
		free(out);
	}
	char unit[300], *text;
	unit_file(d.state, "ikid.service", unit, sizeof(unit));
	text = slurp(unit);
	ck_assert_msg(strstr(text, "\nType=notify\n") && strstr(text, "\nWatchdogSec="), "%s", text);
	ck_assert_msg(strstr(text, "\nExecStart=/usr/sbin/ikid -f /etc/iki/ikid.conf\n"), "%s", text);
	free(text);
}
END_TEST

/* An AF_UNIX datagram socket bound at path (or "@name": abstract), as systemd's NOTIFY_SOCKET. */
static int notify_socket(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	size_t n = strlen(path);
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	return fd;
}

/* The next datagram within ms (into buf); its length, or -1 when none came. */
static int notify_next(int fd, char *buf, size_t n, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, ms) != 1)
		return -1;
	ssize_t r = recv(fd, buf, n - 1, 0);
	ck_assert_int_ge(r, 0);
	buf[r] = '\0';
	return (int)r;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* READY=1 comes once both sockets listen (the endpoints file is written first); then WATCHDOG=1
 * at least every half of WATCHDOG_USEC, idle or busy; STOPPING=1 on SIGTERM. */
START_TEST(test_ready_once_listening_then_watchdog_pings)
{
	char path[300], buf[1024], eps[300];
	fresh_dir();
	snprintf(path, sizeof(path), "%s/notify", d.state);
	int fd = notify_socket(path);
	setenv("WATCHDOG_USEC", "400000", 1);
	unsetenv("WATCHDOG_PID");
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	ck_assert_int_gt(notify_next(fd, buf, sizeof(buf), 5000), 0);
	ck_assert_msg(strncmp(buf, "READY=1\nSTATUS=listening: requests on tcp://127.0.0.1:", 54) == 0,
		      "%s", buf);
	ck_assert_msg(strstr(buf, d.request) && strstr(buf, d.update), "%s", buf);
	snprintf(eps, sizeof(eps), "%s/endpoints", d.state);
	ck_assert_int_eq(access(eps, F_OK), 0);
	int pings = 0, worst = 0;
	int64_t last = mono_ms(), end = last + 2000;
	while (mono_ms() < end) {
		if (pings == 3) /* busy for a while: the loop is applying batches */
			ck_assert_int_eq(harness_iki(&d, "submit -f tests/data/mini-month.csv "
						       ">/dev/null 2>&1 || true", NULL), 0);
		if (notify_next(fd, buf, sizeof(buf), 1000) < 0)
			break;
		ck_assert_str_eq(buf, "WATCHDOG=1");
		int64_t now = mono_ms();
		worst = now - last > worst ? (int)(now - last) : worst;
		last = now;
		pings++;
	}
	ck_assert_msg(pings >= 5 && worst < 400, "%d pings in 2 s, %d ms apart at most", pings, worst);
	kill(d.pid, SIGTERM);
	int stopping = 0;
	while (!stopping && notify_next(fd, buf, sizeof(buf), 5000) > 0)
		stopping = !strcmp(buf, "STOPPING=1");
	ck_assert(stopping);
	harness_stop(&d, SIGTERM);
	close(fd);
}
END_TEST

/* No watchdog meant for this process (WATCHDOG_PID another's), an abstract socket name. */
START_TEST(test_watchdog_for_another_pid_is_not_pinged)
{
	char name[64], buf[256];
	fresh_dir();
	snprintf(name, sizeof(name), "@iki-ops-notify-%d", (int)getpid());
	int fd = notify_socket(name);
	setenv("WATCHDOG_USEC", "200000", 1);
	setenv("WATCHDOG_PID", "1", 1);
	ck_assert_int_eq(harness_start(&d, MINI), 0);
	ck_assert_int_gt(notify_next(fd, buf, sizeof(buf), 5000), 0);
	ck_assert_msg(strncmp(buf, "READY=1\n", 8) == 0, "%s", buf);
	ck_assert_int_lt(notify_next(fd, buf, sizeof(buf), 600), 0);
	harness_stop(&d, SIGTERM);
	close(fd);
}
END_TEST

/* ---- libiki for other programs ---- */

/* The defined global symbols of a library that are not iki_ (nm's output, filtered). */
static char *foreign_symbols(const char *nm_args)
{
	char cmd[600], *out;
	snprintf(cmd, sizeof(cmd), "nm %s | awk 'NF == 3 && $2 != \"A\" && $3 !~ /^iki_/ "
		 "{ print $3 }' | head -20", nm_args);
	ck_assert_int_eq(harness_sh(cmd, &out), 0);
	return out;
}

START_TEST(test_library_exports_only_iki_symbols)
{
	char lib[300], args[400], *out;
	const char *b = getenv("IKI_BUILD");
	b = b && *b ? b : "build";
	snprintf(lib, sizeof(lib), "%s/libiki.so.1.0.0", b);
	snprintf(args, sizeof(args), "-D --defined-only %s", lib);
	out = foreign_symbols(args);
	ck_assert_msg(!*out, "libiki.so exports more than iki_:\n%s", out);
	free(out);
	snprintf(args, sizeof(args), "nm -D --defined-only %s", lib);
	ck_assert_int_eq(harness_sh(args, &out), 0);
	ck_assert_msg(strstr(out, " T iki_client_open@@LIBIKI_1\n") &&
			      strstr(out, " T iki_outbox_put@@LIBIKI_1\n") &&
			      strstr(out, " T iki_strerror@@LIBIKI_1\n"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "readelf -d %s", lib);
	ck_assert_int_eq(harness_sh(args, &out), 0);
	ck_assert_msg(strstr(out, "Library soname: [libiki.so.1]"), "%s", out);
	free(out);
	snprintf(args, sizeof(args), "-g --defined-only %s/libiki.a", b);
	out = foreign_symbols(args);
	ck_assert_msg(!*out, "libiki.a exports more than iki_:\n%s", out);
	free(out);
}
END_TEST

/* "make install" into dir with PREFIX (NULL: the default), as the tree was built. */
static void make_install(const char *dir, const char *prefix, int asan)
{
	char cmd[1200], *out;
	const char *b = getenv("IKI_BUILD");
	snprintf(cmd, sizeof(cmd), "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s BUILD=%s "
		 "DESTDIR=%s %s%s %s install", b && *b ? b : "build", dir, prefix ? "PREFIX=" : "",
		 prefix ? prefix : "", asan ? "SANITIZE=1" : "");
	int rc = harness_sh(cmd, &out);
	ck_assert_msg(rc == 0, "%s:\n%s", cmd, out);
	free(out);
}

/* Whether the tree under test was built with the sanitizers (then so is a program using it). */
static int asan_build(void)
{
	char bin[256], cmd[400];
	harness_bin("ikid", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "nm %s | grep -q __asan_init", bin);
	return harness_sh(cmd, NULL) == 0;
}

/* make install with another PREFIX rebuilds what holds it (ikid's default catalog); then a
 * program built with pkg-config --cflags --libs libiki only, against a DESTDIR tree, runs with
 * the shared library, and one linked with libiki.a too. */
START_TEST(test_installed_library_serves_another_program)
{
	char dir[400], cmd[2000], *out;
	int asan = asan_build();
	/* the test's directory names are short (/tmp/iki-ops-XXXXXX/dest) */
	fresh_dir();
	snprintf(dir, sizeof(dir), "%s/opt", d.state);
	make_install(dir, "/opt/iki-ops", asan);
	snprintf(cmd, sizeof(cmd), "%s/opt/iki-ops/sbin/ikid -h", dir);
	ck_assert_int_eq(harness_sh(cmd, &out), 0);
	ck_assert_msg(strstr(out, "(default /opt/iki-ops/share/iki/sampang-2022.conf)"), "%s", out);
	free(out);
	snprintf(dir, sizeof(dir), "%s/dest", d.state);
	make_install(dir, NULL, asan);
	snprintf(cmd, sizeof(cmd), "%s/usr/local/sbin/ikid -h", dir);
	ck_assert_int_eq(harness_sh(cmd, &out), 0);
	ck_assert_msg(strstr(out, "(default /usr/local/share/iki/sampang-2022.conf)"), "%s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "test -f %s/usr/local/include/iki/iki_client.h && "
		 "test -f %s/usr/local/include/iki/proto.h && ! test -e %s/usr/local/include/proto.h",
		 dir, dir, dir);
	ck_assert_int_eq(harness_sh(cmd, NULL), 0);

	char env[900], cc[4000];
	snprintf(env, sizeof(env), "PKG_CONFIG_SYSROOT_DIR=%s PKG_CONFIG_PATH=%s/usr/local/lib/pkgconfig",
		 dir, dir);
	snprintf(cc, sizeof(cc), "cc -std=c11 -Wall -Werror %s -o %s/client tests/ops/client.c "
		 "$(%s pkg-config --cflags --libs libiki)", asan ? "-fsanitize=address,undefined" : "",
		 d.state, env);
	ck_assert_msg(harness_sh(cc, &out) == 0, "%s\n%s", cc, out);
	free(out);
	snprintf(cc, sizeof(cc), "cc -std=c11 %s -o %s/client-static tests/ops/client.c "
		 "$(%s pkg-config --cflags libiki) %s/usr/local/lib/libiki.a "
		 "$(%s pkg-config --static --libs-only-l libiki | sed 's/-liki//')",
		 asan ? "-fsanitize=address,undefined" : "", d.state, env, dir, env);
	ck_assert_msg(harness_sh(cc, &out) == 0, "%s\n%s", cc, out);
	free(out);

	struct ikid k = {0};
	ck_assert_int_eq(harness_start(&k, MINI), 0);
	snprintf(cmd, sizeof(cmd), "LD_LIBRARY_PATH=%s/usr/local/lib %s/client %s", dir, d.state,
		 k.request);
	int rc = harness_sh(cmd, &out);
	ck_assert_msg(rc == 0 && !strcmp(out, "surat 35.27.03 202203: 6/8\n"), "%s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "ldd %s/client-static | grep -c libiki", d.state);
	ck_assert_int_ne(harness_sh(cmd, NULL), 0); /* grep found none: libiki.a is inside */
	harness_stop(&k, SIGTERM);
	harness_cleanup(&k);
	ck_assert_int_eq(harness_start(&k, MINI), 0);
	snprintf(cmd, sizeof(cmd), "%s/client-static %s", d.state, k.request);
	rc = harness_sh(cmd, &out);
	ck_assert_msg(rc == 0 && !strcmp(out, "surat 35.27.03 202203: 6/8\n"), "%s", out);
	free(out);
	harness_stop(&k, SIGTERM);
	harness_cleanup(&k);
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
	TCase *tc = tcase_create("config");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_config_check_names_each_bad_line);
	tcase_add_test(tc, test_config_file_sets_what_flags_do_not);
	tcase_add_test(tc, test_config_reloads_on_sighup);
	suite_add_tcase(s, tc);
	TCase *tp = tcase_create("pidfile");
	tcase_add_checked_fixture(tp, setup, teardown);
	tcase_set_timeout(tp, 60);
	tcase_add_test(tp, test_pid_file_names_the_ikid_to_signal_and_goes_on_a_clean_stop);
	tcase_add_test(tp, test_a_second_ikid_on_a_served_state_directory_is_refused);
	tcase_add_test(tp, test_a_stale_pid_file_is_replaced);
	suite_add_tcase(s, tp);
	TCase *ts = tcase_create("systemd");
	tcase_add_checked_fixture(ts, setup, teardown);
	tcase_set_timeout(ts, 60);
	tcase_add_test(ts, test_units_score_ok_on_systemd_analyze);
	tcase_add_test(ts, test_ready_once_listening_then_watchdog_pings);
	tcase_add_test(ts, test_watchdog_for_another_pid_is_not_pinged);
	suite_add_tcase(s, ts);
	TCase *tb = tcase_create("lib");
	tcase_add_checked_fixture(tb, setup, teardown);
	tcase_set_timeout(tb, 300);
	tcase_add_test(tb, test_library_exports_only_iki_symbols);
	tcase_add_test(tb, test_installed_library_serves_another_program);
	suite_add_tcase(s, tb);
	return s;
}

SUITE_MAIN(suite)
