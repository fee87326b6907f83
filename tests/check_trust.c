/* check_trust.c: CURVE keys, the authorised clients file, roles and scopes, against the real ikid
 * and the real iki: who may connect, who may write what, and that refusals store nothing. */
#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "auth.h"
#include "authz.h"
#include "catalog.h"
#include "curve.h"
#include "harness.h"
#include "iki.h"
#include "log.h"
#include "suite.h"

#define MINI "tests/data/mini.conf"
#define V1 "35.27.03.2001"
#define V2 "35.27.03.2002"

static struct ikid d;
static char keys[128];  /* a scratch directory for key pairs */
static char clients[200];

/* Make a key pair NAME in the scratch directory with the real `iki keygen`; its public key. */
static void keygen(const char *name, char pub[CURVE_Z85_LEN + 1])
{
	char bin[256], cmd[600], path[300];
	struct curve_keys k;
	harness_bin("iki", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "%s keygen %s/%s >/dev/null", bin, keys, name);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s.pub", keys, name);
	ck_assert_int_eq(curve_read(path, &k), 0);
	ck_assert_str_eq(k.secret_key, "");
	memcpy(pub, k.public_key, CURVE_Z85_LEN + 1);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static char k_admin[41], k_clerk[41], k_viewer[41], k_trantib[41], k_stranger[41];

/* The clients file: admin, a clerk of V1, a viewer, the trantib section (not the stranger). */
static void write_clients(bool with_stranger, bool with_clerk)
{
	char text[2048];
	int n = snprintf(text, sizeof(text),
			 "# test clients\n"
			 "admin\tadmin\t-\t%s\n"
			 "camat   viewer  -       %s\n"
			 "trantib section trantib %s\n",
			 k_admin, k_viewer, k_trantib);
	if (with_clerk)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "desa-1 clerk %s %s\n", V1, k_clerk);
	if (with_stranger)
		snprintf(text + n, sizeof(text) - (size_t)n, "newcomer viewer - %s\n", k_stranger);
	write_file(clients, text);
}

static void setup(void)
{
	snprintf(keys, sizeof(keys), "/tmp/iki-keys-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(keys));
	snprintf(clients, sizeof(clients), "%s/clients", keys);
	keygen("admin", k_admin);
	keygen("clerk", k_clerk);
	keygen("viewer", k_viewer);
	keygen("trantib", k_trantib);
	keygen("stranger", k_stranger);
	write_clients(false, true);
	memset(&d, 0, sizeof(d));
	const char *args[] = {"-a", clients, NULL};
	ck_assert_int_eq(harness_start_args(&d, MINI, args), 0);
}

static void teardown(void)
{
	harness_stop(&d, SIGTERM);
	harness_cleanup(&d);
	harness_rmtree(keys);
}

/* Run iki as key NAME (its .key, and ikid's server.pub from the state directory); stdout and
 * stderr together in *out. Returns the exit status. */
static int iki_as(const char *name, const char *args, char **out)
{
	char full[1024];
	if (name)
		snprintf(full, sizeof(full), "-t 3 -k %s/%s.key -S %s/server.pub %s 2>&1", keys, name,
			 d.state, args);
	else
		snprintf(full, sizeof(full), "-t 3 %s 2>&1", args);
	return harness_iki(&d, full, out);
}

/* Submit one event as NAME; the exit status, and the output in *out (may be NULL). An add with
 * no --op and no --value in extra counts 1 letter (a value is never implied). */
static int submit_as(const char *name, const char *id, const char *element, const char *ou,
		     const char *extra, char **out)
{
	char args[512];
	bool plain = !strstr(extra, "--op") && !strstr(extra, "--value");
	snprintf(args, sizeof(args), "submit --id %s --element %s --orgunit %s --date 2022-03-01 %s%s",
		 id, element, ou, extra, plain ? " --value 1" : "");
	return iki_as(name, args, out);
}

/* The kecamatan's count of events the admin sees for an indicator in 2022 (num, den). */
static void value(const char *ind, long *num, long *den)
{
	char args[256], *out = NULL;
	snprintf(args, sizeof(args), "query --indicator %s --period 2022 --json", ind);
	ck_assert_int_eq(iki_as("admin", args, &out), 0);
	const char *n = strstr(out, "\"num\":"), *dd = strstr(out, "\"den\":");
	ck_assert_msg(n && dd, "no num/den in %s", out);
	*num = strtol(n + 6, NULL, 10);
	*den = strtol(dd + 6, NULL, 10);
	free(out);
}

/* Whether ikid's log holds text. */
static bool log_has(const char *text)
{
	FILE *f = fopen(d.log, "r");
	char line[2048];
	bool found = false;
	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, text) != NULL;
	if (f)
		fclose(f);
	return found;
}

START_TEST(test_keygen_makes_a_private_pair_and_never_overwrites)
{
	char path[300], *out = NULL, bin[256], cmd[600];
	struct stat st;
	struct curve_keys k;
	snprintf(path, sizeof(path), "%s/admin.key", keys);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(curve_read(path, &k), 0);
	ck_assert_str_eq(k.public_key, k_admin);
	ck_assert(curve_z85_valid(k.secret_key));
	harness_bin("iki", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "LC_ALL=C %s keygen %s/admin 2>&1", bin, keys); /* English */
	FILE *p = popen(cmd, "r");
	char line[512] = "";
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	ck_assert_int_eq(WEXITSTATUS(pclose(p)), 2);
	ck_assert_ptr_nonnull(strstr(line, "never overwritten"));
	struct curve_keys again;
	ck_assert_int_eq(curve_read(path, &again), 0);
	ck_assert_str_eq(again.secret_key, k.secret_key);
	free(out);
}
END_TEST

/* The mode bits of path (-1 when it is not there). */
static int mode_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
}

START_TEST(test_keygen_writes_into_the_key_directory_and_k_finds_it_by_name)
{
	char home[200], cwd[200], dir[300], path[400], cmd[1400], rel[256], bin[600], line[500];
	char *out = NULL, here[256];
	struct curve_keys k;
	harness_bin("iki", rel, sizeof(rel));
	ck_assert_ptr_nonnull(getcwd(here, sizeof(here)));
	/* the commands below run in another directory */
	snprintf(bin, sizeof(bin), "%s%s%s", rel[0] == '/' ? "" : here, rel[0] == '/' ? "" : "/",
		 rel);
	snprintf(home, sizeof(home), "%s/home", keys);
	snprintf(cwd, sizeof(cwd), "%s/cwd", keys);
	ck_assert_int_eq(mkdir(home, 0755), 0);
	ck_assert_int_eq(mkdir(cwd, 0755), 0);
	/* by default: ~/.config/iki, made 0700, never the current directory */
	snprintf(cmd, sizeof(cmd), "cd %s && HOME=%s XDG_CONFIG_HOME= %s keygen desa-baru 2>&1", cwd,
		 home, bin);
	FILE *p = popen(cmd, "r");
	char said[2048];
	size_t got = fread(said, 1, sizeof(said) - 1, p);
	said[got] = '\0';
	ck_assert_int_eq(WEXITSTATUS(pclose(p)), 0);
	snprintf(dir, sizeof(dir), "%s/.config/iki", home);
	ck_assert_int_eq(mode_of(dir), 0700);
	snprintf(path, sizeof(path), "%s/desa-baru.key", dir);
	ck_assert_int_eq(mode_of(path), 0600);
	ck_assert_int_eq(curve_read(path, &k), 0);
	snprintf(path, sizeof(path), "%s/desa-baru.pub", dir);
	ck_assert_int_eq(mode_of(path), 0644);
	snprintf(path, sizeof(path), "%s/desa-baru.key", cwd);
	ck_assert_int_eq(mode_of(path), -1);
	/* it says where both went, how to use the pair, and the operator's line (Indonesian) */
	snprintf(line, sizeof(line), "rahasia: %s/desa-baru.key (mode 0600", dir);
	ck_assert_msg(strstr(said, line), "%s", said);
	snprintf(line, sizeof(line), "publik:  %s/desa-baru.pub", dir);
	ck_assert_msg(strstr(said, line), "%s", said);
	ck_assert_msg(strstr(said, "iki -k desa-baru PERINTAH"), "%s", said);
	snprintf(line, sizeof(line), "  desa-baru  PERAN  CAKUPAN  %s\n", k.public_key);
	ck_assert_msg(strstr(said, line), "%s", said);
	/* $XDG_CONFIG_HOME/iki when set; in English under LANG=C */
	snprintf(cmd, sizeof(cmd), "cd %s && LANG=C HOME=%s XDG_CONFIG_HOME=%s/xdg %s keygen x 2>&1",
		 cwd, home, home, bin);
	p = popen(cmd, "r");
	got = fread(said, 1, sizeof(said) - 1, p);
	said[got] = '\0';
	ck_assert_int_eq(WEXITSTATUS(pclose(p)), 0);
	snprintf(line, sizeof(line), "secret: %s/xdg/iki/x.key (mode 0600", home);
	ck_assert_msg(strstr(said, line) && strstr(said, "Use it:  iki -k x COMMAND"), "%s", said);
	snprintf(path, sizeof(path), "%s/xdg/iki", home);
	ck_assert_int_eq(mode_of(path), 0700);
	/* listed as a clerk, -k NAME (and IKI_KEY=NAME) finds the pair in the key directory */
	FILE *f = fopen(clients, "a");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "desa-baru clerk %s %s\n", V2, k.public_key);
	ck_assert_int_eq(fclose(f), 0);
	kill(d.pid, SIGHUP);
	harness_sleep_ms(300);
	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	snprintf(cmd, sizeof(cmd), "-t 3 -k desa-baru -S %s/server.pub whoami 2>&1", d.state);
	ck_assert_int_eq(harness_iki(&d, cmd, &out), 0);
	ck_assert_msg(strstr(out, "desa-baru") && strstr(out, V2), "%s", out);
	free(out);
	snprintf(cmd, sizeof(cmd), "-t 3 -k desa-baru.key -S %s/server.pub whoami 2>&1", d.state);
	ck_assert_int_eq(harness_iki(&d, cmd, &out), 0);
	free(out);
	setenv("IKI_KEY", "desa-baru", 1);
	snprintf(cmd, sizeof(cmd), "-t 3 -S %s/server.pub whoami 2>&1", d.state);
	ck_assert_int_eq(harness_iki(&d, cmd, &out), 0);
	ck_assert_msg(strstr(out, "desa-baru"), "%s", out);
	free(out);
	/* a name found nowhere is still refused as a missing key */
	snprintf(cmd, sizeof(cmd), "-t 3 -k desa-lain -S %s/server.pub whoami 2>&1", d.state);
	ck_assert_int_eq(harness_iki(&d, cmd, &out), 2);
	ck_assert_msg(strstr(out, "desa-lain"), "%s", out);
	free(out);
	curve_wipe(&k);
}
END_TEST

START_TEST(test_clerk_writes_only_its_own_village_and_village_elements)
{
	char *out = NULL;
	long num, den;
	ck_assert_int_eq(submit_as("clerk", "c1", "akta", V1, "--op open --case A1", &out), 0);
	free(out);
	/* another village: refused, with the code and a sentence */
	ck_assert_int_eq(submit_as("clerk", "c2", "akta", V2, "--op open --case A2", &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "out_of_scope"));
	ck_assert_ptr_nonnull(strstr(out, "di luar wewenang"));
	free(out);
	/* its own village, but an office element */
	ck_assert_int_eq(submit_as("clerk", "c3", "surat_masuk", V1, "", &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "out_of_scope"));
	free(out);
	/* its own village, an element only the section reports */
	ck_assert_int_eq(submit_as("clerk", "c4", "desa_sasaran", V1, "--op set --value 1", &out), 1);
	free(out);
	value("akta", &num, &den);
	ck_assert_int_eq(den, 1); /* only c1 */
	value("surat", &num, &den);
	ck_assert_int_eq(den, 0);
	ck_assert(log_has("refused event c2 from desa-1"));
}
END_TEST

START_TEST(test_section_writes_its_elements_in_any_village)
{
	char *out = NULL;
	long num, den;
	ck_assert_int_eq(submit_as("trantib", "t1", "kriminal", V1, "--op open --case K1", &out), 0);
	free(out);
	ck_assert_int_eq(submit_as("trantib", "t2", "kriminal", V2, "--op open --case K2", &out), 0);
	free(out);
	ck_assert_int_eq(submit_as("trantib", "t3", "surat_masuk", "35.27.03", "", &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "out_of_scope"));
	free(out);
	value("kriminal", &num, &den);
	ck_assert_int_eq(den, 2);
	value("surat", &num, &den);
	ck_assert_int_eq(den, 0);
}
END_TEST

/* Submit one event as NAME that must be refused out_of_scope; the sentence, in *out. */
static void refused_as(const char *name, const char *element, const char *ou, const char *extra,
		       char **out)
{
	static int n;
	char id[32];
	snprintf(id, sizeof(id), "scope-%d", ++n);
	ck_assert_int_eq(submit_as(name, id, element, ou, extra, out), 1);
	ck_assert_msg(strstr(*out, "out_of_scope") && strstr(*out, "di luar wewenang kunci Anda"),
		      "%s", *out);
}

/* Whether out holds every one of the NULL-terminated texts and none of the others. */
static void says(const char *out, const char *const *has, const char *const *lacks)
{
	for (; has && *has; has++)
		ck_assert_msg(strstr(out, *has), "'%s' not in: %s", *has, out);
	for (; lacks && *lacks; lacks++)
		ck_assert_msg(!strstr(out, *lacks), "'%s' in: %s", *lacks, out);
}

START_TEST(test_scope_refusal_says_whether_the_village_or_the_element)
{
	char *out = NULL;
	long num, den;
	/* the clerk of V1 (P. Mandangin) and a village element at another village: the village */
	refused_as("clerk", "akta", V2, "--op open --case A2", &out);
	says(out, (const char *[]){"Desa Aengsareh (" V2 ") di luar wewenang kunci Anda",
				   "hanya boleh mengirim data Desa P. Mandangin (" V1 ")", NULL},
	     (const char *[]){"lemen data", "jenis kasus", NULL});
	free(out);
	/* its own village, an element the umum section reports: the element, and who reports it */
	refused_as("clerk", "surat_masuk", V1, "--value 3", &out);
	says(out, (const char *[]){"Elemen data surat_masuk (Surat masuk) di luar wewenang",
				   "dilaporkan oleh bagian umum, bukan oleh petugas desa/kelurahan",
				   "elemen data desa/kelurahan untuk Desa P. Mandangin (" V1 ")",
				   "iki whoami", NULL},
	     (const char *[]){"Aengsareh", NULL});
	free(out);
	refused_as("clerk", "desa_sasaran", V1, "--op set --value 1", &out);
	says(out, (const char *[]){"Elemen data desa_sasaran", "oleh bagian pemerintahan,", NULL},
	     NULL);
	free(out);
	/* both at once: both named */
	refused_as("clerk", "surat_masuk", V2, "--value 3", &out);
	says(out, (const char *[]){"Desa Aengsareh (" V2 ") dan elemen data surat_masuk",
				   "dilaporkan oleh bagian umum", "Desa P. Mandangin (" V1 ")", NULL},
	     NULL);
	free(out);
	/* a section: only the element can be outside its scope; a case type is named as one */
	refused_as("trantib", "akta", V2, "--op open --case A3", &out);
	says(out, (const char *[]){"Jenis kasus akta (Permohonan akta tanah) di luar wewenang",
				   "dilaporkan oleh desa/kelurahan dan bagian pemerintahan, bukan "
				   "oleh bagian trantib",
				   "elemen data bagian trantib, untuk desa/kelurahan mana pun", NULL},
	     (const char *[]){"Desa Aengsareh", NULL});
	free(out);
	value("akta", &num, &den);
	ck_assert_int_eq(den, 0);
	value("surat", &num, &den);
	ck_assert_int_eq(den, 0);
}
END_TEST

/* The analysis of a value is the office's: an admin writes it, anyone reads it with its history. */
START_TEST(test_only_an_admin_writes_a_note)
{
	char *out = NULL;
	static const char *const set = "note --indicator surat --period 2022 --set 'analisis'";
	ck_assert_int_eq(iki_as("viewer", set, &out), 1);
	ck_assert_msg(strstr(out, "forbidden"), "%s", out);
	free(out);
	ck_assert_int_eq(iki_as("clerk", set, &out), 1);
	ck_assert_msg(strstr(out, "forbidden"), "%s", out);
	free(out);
	ck_assert_int_eq(iki_as("admin", set, &out), 0);
	free(out);
	ck_assert_int_eq(iki_as("viewer", "note --indicator surat --period 2022 --history", &out), 0);
	ck_assert_msg(strstr(out, "analisis") && strstr(out, "admin"), "%s", out);
	free(out);
}
END_TEST

START_TEST(test_viewer_reads_but_cannot_submit)
{
	char *out = NULL;
	long num, den;
	ck_assert_int_eq(submit_as("viewer", "v1", "surat_masuk", "35.27.03", "", &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "forbidden"));
	free(out);
	ck_assert_int_eq(iki_as("viewer", "query --period 2022", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "surat"));
	free(out);
	value("surat", &num, &den);
	ck_assert_int_eq(den, 0);
	ck_assert(log_has("refused a submit from camat (viewer): forbidden"));
}
END_TEST

START_TEST(test_admin_writes_anything)
{
	char *out = NULL;
	long num, den;
	ck_assert_int_eq(submit_as("admin", "a1", "surat_masuk", "35.27.03", "", &out), 0);
	free(out);
	ck_assert_int_eq(submit_as("admin", "a2", "akta", V2, "--op open --case A9", &out), 0);
	free(out);
	value("surat", &num, &den);
	ck_assert_int_eq(den, 1);
}
END_TEST

START_TEST(test_corrections_and_locks_follow_roles)
{
	char *out = NULL;
	long num, den;
	ck_assert_int_eq(submit_as("admin", "a1", "akta", V2, "--op open --case K9", &out), 0);
	free(out);
	ck_assert_int_eq(submit_as("clerk", "c1", "akta", V1, "--op open --case K1", &out), 0);
	free(out);
	/* a clerk may not void another village's event (as if it did not exist), and may void
	 * its own */
	ck_assert_int_eq(iki_as("clerk", "submit --id v1 --void a1", &out), 1);
	ck_assert_msg(strstr(out, "unknown_ref") && !strstr(out, V2) && !strstr(out, "akta"), "%s",
		      out);
	free(out);
	ck_assert_int_eq(iki_as("clerk", "submit --id v2 --void c1", &out), 0);
	free(out);
	value("akta", &num, &den);
	ck_assert_int_eq(den, 1);
	/* locking is the admin's; listing is anyone's */
	ck_assert_int_eq(iki_as("clerk", "lock 2022", &out), 1);
	ck_assert_msg(strstr(out, "forbidden"), "%s", out);
	free(out);
	ck_assert_int_eq(iki_as("trantib", "target --indicator kriminal --period 2022 --set 90", &out),
			 1);
	ck_assert_msg(strstr(out, "forbidden"), "%s", out);
	free(out);
	ck_assert_int_eq(iki_as("viewer", "target", &out), 0); /* listing is anyone's */
	free(out);
	ck_assert_int_eq(iki_as("admin", "lock 2022", &out), 0);
	free(out);
	ck_assert_int_eq(iki_as("viewer", "locks", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "2022"));
	ck_assert_ptr_nonnull(strstr(out, "admin"));
	free(out);
	ck_assert_int_eq(submit_as("admin", "a2", "akta", V2, "--op open --case K8", &out), 1);
	ck_assert_msg(strstr(out, "locked"), "%s", out);
	free(out);
	/* the history names who did what */
	ck_assert_int_eq(iki_as("viewer", "history c1", &out), 0);
	ck_assert_ptr_nonnull(strstr(out, "oleh desa-1"));
	ck_assert_ptr_nonnull(strstr(out, "dibatalkan/diganti oleh v2"));
	free(out);
}
END_TEST

START_TEST(test_unknown_key_is_refused_at_the_handshake)
{
	char *out = NULL;
	long num, den;
	ck_assert_int_eq(submit_as("stranger", "s1", "surat_masuk", "35.27.03", "", &out), 3);
	ck_assert_msg(strstr(out, "menolak kunci"), "%s", out);
	free(out);
	value("surat", &num, &den);
	ck_assert_int_eq(den, 0);
	ck_assert(log_has("is not in"));
}
END_TEST

START_TEST(test_plain_text_client_is_refused)
{
	char *out = NULL;
	long num, den;
	ck_assert_int_eq(submit_as(NULL, "p1", "surat_masuk", "35.27.03", "", &out), 3);
	ck_assert_msg(strstr(out, "terenkripsi"), "%s", out);
	free(out);
	/* and a CURVE client holding the wrong server key */
	char args[600];
	snprintf(args, sizeof(args), "-t 3 -k %s/admin.key -S %s/viewer.pub query --period 2022 2>&1",
		 keys, keys);
	ck_assert_int_eq(harness_iki(&d, args, &out), 3);
	ck_assert_msg(strstr(out, "jabat tangan CURVE gagal"), "%s", out);
	free(out);
	value("surat", &num, &den);
	ck_assert_int_eq(den, 0);
	harness_sleep_ms(200);
	ck_assert(log_has("handshake failed"));
}
END_TEST

START_TEST(test_reload_adds_and_removes_keys)
{
	char *out = NULL;
	ck_assert_int_eq(iki_as("stranger", "query --period 2022", &out), 3);
	free(out);
	write_clients(true, false); /* the newcomer in, the clerk out */
	kill(d.pid, SIGHUP);
	harness_sleep_ms(300);
	ck_assert(log_has("reload: 4 authorised clients"));
	ck_assert_int_eq(iki_as("stranger", "query --period 2022", &out), 0);
	free(out);
	ck_assert_int_eq(submit_as("clerk", "c9", "akta", V1, "--op open --case A1", &out), 3);
	free(out);
	/* a broken file: the list we have stays */
	write_file(clients, "admin wizard - nokey\n");
	kill(d.pid, SIGHUP);
	harness_sleep_ms(300);
	ck_assert(log_has("reload failed, keeping the 4 clients"));
	ck_assert_int_eq(iki_as("stranger", "query --period 2022", &out), 0);
	free(out);
	/* an emptied file would lock everyone out, the admin too: the list we have stays */
	write_file(clients, "# nobody\n");
	kill(d.pid, SIGHUP);
	harness_sleep_ms(300);
	ck_assert(log_has("the file lists no client"));
	ck_assert_int_eq(iki_as("admin", "query --period 2022", &out), 0);
	free(out);
}
END_TEST

START_TEST(test_history_shows_a_clerk_only_its_own_scope)
{
	char *out = NULL;
	ck_assert_int_eq(submit_as("admin", "a1", "akta", V2, "--op open --case K9", &out), 0);
	free(out);
	ck_assert_int_eq(submit_as("clerk", "c1", "akta", V1, "--op open --case K1", &out), 0);
	free(out);
	/* another village's event: as if it did not exist */
	ck_assert_int_eq(iki_as("clerk", "history a1", &out), 1);
	ck_assert_msg(strstr(out, "unknown_ref") && !strstr(out, "K9"), "%s", out);
	free(out);
	ck_assert_int_eq(iki_as("clerk", "history c1", &out), 0);
	ck_assert_msg(strstr(out, "K1"), "%s", out);
	free(out);
	/* a value's history at the kecamatan: its own events only */
	ck_assert_int_eq(iki_as("clerk", "history --indicator akta --period 2022", &out), 0);
	ck_assert_msg(strstr(out, "c1") && !strstr(out, "a1") && !strstr(out, "K9"), "%s", out);
	free(out);
	ck_assert_int_eq(iki_as("viewer", "history a1", &out), 0); /* a viewer reads everything */
	free(out);
}
END_TEST

/* ikid --verify of the running daemon's state: 0 mismatches. */
static void verify_clean(void)
{
	char args[600], *out = NULL;
	snprintf(args, sizeof(args), "--verify -c %s -d %s", MINI, d.state);
	ck_assert_msg(harness_ikid(args, &out) == 0 && strstr(out, " 0 mismatches"), "%s", out);
	free(out);
}

/* One request as a key: its exit status, and what its output holds and lacks (NULL: nothing). */
struct step {
	const char *who, *args;
	int rc;
	const char *has, *lacks;
};

static void steps(const struct step *st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *out = NULL;
		int rc = iki_as(st[i].who, st[i].args, &out);
		ck_assert_msg(rc == st[i].rc && (!st[i].has || strstr(out, st[i].has)) &&
				      (!st[i].lacks || !strstr(out, st[i].lacks)),
			      "%s: iki %s: exit %d: %s", st[i].who, st[i].args, rc, out);
		free(out);
	}
}

#define AT "--date 2022-03-01 --orgunit "
#define SET(id, ou, v) "submit --id " id " --element desa_tertib --op set --value " v " " AT ou
#define CASE(id, op, ou) "submit --id " id " --element akta --case K7 --op " op " " AT ou
#define OK "diterima 1, duplikat 0, ditolak 0"
#define DUP "diterima 0, duplikat 1"

/* A clerk's id is its own, whatever another village's event chose: answered as if that one did
 * not exist (issue 11.8), and still one event in the clerk's reach. So is a case id. */
START_TEST(test_an_id_another_village_took_is_free_for_the_clerk)
{
	long num, den;
	const struct step one[] = {
		{"admin", SET("x1", V2, "1"), 0, OK, NULL},
		{"clerk", SET("x1", V1, "1"), 0, OK, NULL}, /* before: id_conflict */
		/* in the clerk's reach an id is still one event: resent a duplicate, changed a conflict */
		{"clerk", SET("x1", V1, "1"), 0, DUP, NULL},
		{"clerk", SET("x1", V1, "0"), 1, "id_conflict", NULL},
		/* the admin reaches both: either resent is a duplicate, a third cell a conflict */
		{"admin", SET("x1", V2, "1"), 0, DUP, NULL},
		{"admin", SET("x1", V1, "1"), 0, DUP, NULL},
		{"admin", CASE("x1", "open", V1), 1, "id_conflict", NULL},
		/* histories: the clerk's own event; the admin's both */
		{"clerk", "history x1", 0, V1, V2},
		{"admin", "history x1", 0, V2, NULL},
		{"admin", "history x1", 0, V1, NULL},
		/* a void of x1: the admin's must say which; the clerk's voids its own */
		{"admin", "submit --id v9 --op void --ref x1", 1, "lebih dari satu", NULL},
		{"clerk", "submit --id v1 --op void --ref x1", 0, OK, NULL},
	};
	steps(one, sizeof(one) / sizeof(one[0]));
	value("tertib", &num, &den);
	ck_assert_int_eq(num, 1); /* V2's stands */
	const struct step two[] = {
		{"admin", "submit --id v2 --op void --ref x1 --orgunit " V2, 0, OK, NULL},
		{"clerk", "history v1", 0, V1, V2},
		/* a case id is one case at its village */
		{"admin", CASE("a7", "open", V2), 0, OK, NULL},
		{"clerk", CASE("c7", "open", V1), 0, OK, NULL}, /* before: case_exists */
		{"clerk", CASE("c8", "open", V1), 1, "case_exists", NULL},
		{"clerk", CASE("c9", "close", V1), 0, OK, NULL},
	};
	steps(two, sizeof(two) / sizeof(two[0]));
	value("tertib", &num, &den);
	ck_assert_int_eq(num, 0);
	value("akta", &num, &den);
	ck_assert_msg(num == 1 && den == 2, "akta %ld/%ld", num, den); /* 2 opened, 1 closed */
	verify_clean();
	/* and so after a restart */
	harness_stop(&d, SIGTERM);
	const char *args[] = {"-a", clients, NULL};
	ck_assert_int_eq(harness_start_args(&d, MINI, args), 0);
	const struct step three[] = {{"clerk", "history x1", 0, "v1", V2}};
	steps(three, 1);
	verify_clean();
}
END_TEST

START_TEST(test_ikid_refuses_a_server_key_others_can_read)
{
	char bin[256], cmd[1200], path[300];
	harness_stop(&d, SIGTERM);
	snprintf(path, sizeof(path), "%s/server.key", d.state);
	ck_assert_int_eq(chmod(path, 0644), 0);
	harness_bin("ikid", bin, sizeof(bin));
	snprintf(cmd, sizeof(cmd), "%s -c %s -d %s -a %s -l tcp://127.0.0.1:* -p tcp://127.0.0.1:* 2>&1",
		 bin, MINI, d.state, clients);
	FILE *p = popen(cmd, "r");
	char text[4096] = "";
	size_t n = fread(text, 1, sizeof(text) - 1, p);
	text[n] = 0;
	ck_assert_int_eq(WEXITSTATUS(pclose(p)), 1);
	ck_assert_msg(strstr(text, "refusing to use it") && strstr(text, "0644"), "%s", text);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(harness_start_args(&d, MINI, (const char *const[]){"-a", clients, NULL}), 0);
}
END_TEST

/*
 * A socket of type TYPE as key NAME (raw libzmq with CURVE) connected to endpoint, receives
 * timing out after timeout_ms; a SUB is subscribed to everything.
 */
static void *curve_socket(void *ctx, int type, const char *name, const char *endpoint,
			  int timeout_ms)
{
	char path[300];
	struct curve_keys k, server;
	snprintf(path, sizeof(path), "%s/%s.key", keys, name);
	ck_assert_int_eq(curve_read(path, &k), 0);
	snprintf(path, sizeof(path), "%s/server.pub", d.state);
	ck_assert_int_eq(curve_read(path, &server), 0);
	void *s = zmq_socket(ctx, type);
	int linger = 0;
	zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	ck_assert_int_eq(curve_set_client(s, &k, server.public_key), 0);
	if (type == ZMQ_SUB)
		ck_assert_int_eq(zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0), 0);
	ck_assert_int_eq(zmq_connect(s, endpoint), 0);
	curve_wipe(&k);
	return s;
}

/* A SUB of the updates as key NAME, subscribed to everything. */
static void *subscriber(void *ctx, const char *name)
{
	return curve_socket(ctx, ZMQ_SUB, name, d.update, 100);
}

/* Messages (updates, heartbeats) a SUB receives within ms milliseconds. */
static int received(void *sub, int ms)
{
	int n = 0;
	char buf[4096];
	for (int t = 0; t < ms; t += 100)
		while (zmq_recv(sub, buf, sizeof(buf), 0) >= 0)
			n++;
	return n;
}

START_TEST(test_a_revoked_key_loses_its_subscription_within_a_second)
{
	char *out = NULL;
	void *ctx = zmq_ctx_new(), *gone = subscriber(ctx, "viewer"), *stays = subscriber(ctx, "trantib");
	harness_sleep_ms(300);
	ck_assert_int_eq(submit_as("admin", "a1", "surat_masuk", "35.27.03", "", &out), 0);
	free(out);
	ck_assert_int_gt(received(gone, 500), 0);
	ck_assert_int_gt(received(stays, 100), 0);
	char text[2048]; /* the viewer out: admin, trantib and the clerk stay */
	snprintf(text, sizeof(text), "admin admin - %s\ntrantib section trantib %s\ndesa-1 clerk %s %s\n",
		 k_admin, k_trantib, V1, k_clerk);
	write_file(clients, text);
	kill(d.pid, SIGHUP);
	harness_sleep_ms(1000);
	received(gone, 100); /* what was on its way before */
	for (int i = 2; i < 6; i++) {
		char id[16];
		snprintf(id, sizeof(id), "a%d", i);
		ck_assert_int_eq(submit_as("admin", id, "surat_masuk", "35.27.03", "", &out), 0);
		free(out);
	}
	ck_assert_int_eq(received(gone, 1500), 0); /* not an update, not a heartbeat */
	ck_assert_int_gt(received(stays, 1500), 0); /* reconnected through ZAP, and hearing */
	ck_assert(log_has("reload: 1 keys gone or changed; ended 2 subscriber connections"));
	zmq_close(gone);
	zmq_close(stays);
	zmq_ctx_term(ctx);
}
END_TEST

/* ---- the roles x actions matrix, driven from authz.c's table ---- */

/* The key of each role in the fixture, and an event of its scope (its case id or comment follows). */
static const char *const role_key[] = {[AUTH_ADMIN] = "admin", [AUTH_SECTION] = "trantib",
				       [AUTH_CLERK] = "clerk", [AUTH_VIEWER] = "viewer"};
static const char *const in_scope[] = {
	[AUTH_ADMIN] = "--element surat_masuk --orgunit 35.27.03 --value 1 --comment ",
	[AUTH_SECTION] = "--element kriminal --orgunit " V2 " --op open --case ",
	[AUTH_CLERK] = "--element akta --orgunit " V1 " --op open --case ",
	[AUTH_VIEWER] = "--element surat_masuk --orgunit 35.27.03 --value 1 --comment "};

/* "submit --id ID --date DATE" and role r's event of its scope, into buf. */
static void scoped_submit(char *buf, size_t n, enum auth_role r, const char *id, const char *date)
{
	snprintf(buf, n, "submit --id %s --date %s %s%s", id, date, in_scope[r], id);
}

/* Run iki as a role; the grant its answer shows: forbidden, refused as out of scope (or as
 * unknown, for what is out of it), or done. */
static enum authz_grant as_role(enum auth_role r, const char *args)
{
	char *out = NULL;
	int rc = iki_as(role_key[r], args, &out);
	enum authz_grant g = rc == 0 ? AUTHZ_ALL
			   : strstr(out, "forbidden") ? AUTHZ_DENY
			   : strstr(out, "out_of_scope") || strstr(out, "unknown_ref") ? AUTHZ_SCOPE
									    : (enum authz_grant)-1;
	ck_assert_msg(g != (enum authz_grant)-1, "%s %s: exit %d: %s", role_key[r], args, rc, out);
	free(out);
	return g;
}

/* What role r may do of action a, as the real ikid answers it: outside the role's scope first;
 * when that is refused as out of scope, inside it (which must then be done). */
static enum authz_grant observe(enum auth_role r, enum authz_action a)
{
	char args[512];
	const char *k = role_key[r];
	enum authz_grant g;
	switch (a) {
	case AUTHZ_READ:
		g = as_role(r, "query --period 2022");
		ck_assert_int_eq(as_role(r, "locks"), g);
		ck_assert_int_eq(as_role(r, "target"), g);
		return g;
	case AUTHZ_HISTORY:
		g = as_role(r, "history x-out"); /* the admin's, at the kecamatan */
		snprintf(args, sizeof(args), "history x-%s", k);
		if (g == AUTHZ_SCOPE)
			ck_assert_int_eq(as_role(r, args), AUTHZ_ALL);
		return g;
	case AUTHZ_SUBMIT:
		snprintf(args, sizeof(args), "submit --id o-%s --element surat_masuk --orgunit "
			 "35.27.03 --date 2022-03-01 --value 1", k);
		g = as_role(r, args);
		if (g != AUTHZ_SCOPE)
			return g;
		char id[64];
		snprintf(id, sizeof(id), "i-%s", k);
		scoped_submit(args, sizeof(args), r, id, "2022-03-02");
		ck_assert_int_eq(as_role(r, args), AUTHZ_ALL);
		snprintf(args, sizeof(args), "submit --id v-%s --void x-out", k); /* a correction */
		ck_assert_int_eq(as_role(r, args), AUTHZ_SCOPE);
		return g;
	case AUTHZ_LOCK:
		g = as_role(r, "lock 2021");
		if (g == AUTHZ_ALL)
			ck_assert_int_eq(as_role(r, "unlock 2021"), AUTHZ_ALL);
		return g;
	case AUTHZ_TARGET:
		return as_role(r, "target --indicator surat --period 2022 --set 90");
	default:
		ck_abort_msg("action %d", a);
	}
	return AUTHZ_DENY;
}

START_TEST(test_every_role_may_do_what_the_table_says_and_nothing_more)
{
	char *out = NULL, args[512];
	ck_assert_int_eq(submit_as("admin", "x-out", "surat_masuk", "35.27.03", "", &out), 0);
	free(out);
	for (enum auth_role r = AUTH_ADMIN; r <= AUTH_VIEWER; r++) { /* each one's own event */
		char id[64];
		snprintf(id, sizeof(id), "x-%s", role_key[r]);
		scoped_submit(args, sizeof(args), r, id, "2022-03-01");
		ck_assert_int_eq(iki_as(r == AUTH_VIEWER ? "admin" : role_key[r], args, &out), 0);
		free(out);
	}
	int cells = 0;
	for (enum auth_role r = AUTH_ADMIN; r <= AUTH_VIEWER; r++)
		for (enum authz_action a = 0; a < AUTHZ_ACTIONS; a++, cells++)
			ck_assert_msg(observe(r, a) == authz_grant(r, a), "%s may %s: table %d",
				      auth_role_name(r), authz_action_name(a), authz_grant(r, a));
	ck_assert_int_eq(cells, 20);
	/* the table's shape: an admin does everything, a viewer writes nothing, all read */
	for (enum authz_action a = 0; a < AUTHZ_ACTIONS; a++) {
		ck_assert_int_eq(authz_grant(AUTH_ADMIN, a), AUTHZ_ALL);
		ck_assert_int_eq(authz_grant(AUTH_VIEWER, a),
				 a == AUTHZ_READ || a == AUTHZ_HISTORY ? AUTHZ_ALL : AUTHZ_DENY);
		ck_assert_int_eq(authz_grant(AUTH_NONE, a), AUTHZ_DENY);
	}
	for (enum auth_role r = AUTH_ADMIN; r <= AUTH_VIEWER; r++)
		ck_assert_int_eq(authz_grant(r, AUTHZ_READ), AUTHZ_ALL);
}
END_TEST

/* A DEALER of the requests as key NAME. */
static void *dealer_as(void *ctx, const char *name)
{
	return curve_socket(ctx, ZMQ_DEALER, name, d.request, 5000);
}

/* Ask ikid who it takes key NAME for; the codes it may submit, joined with " ", into codes. */
static void whoami(const char *name, struct proto_msg *r, char *codes, size_t n)
{
	void *ctx = zmq_ctx_new(), *s = dealer_as(ctx, name);
	struct proto_msg m = {.type = PROTO_WHOAMI, .req = 7};
	char *buf, in[65536];
	size_t len;
	ck_assert_int_eq(proto_encode(&m, &buf, &len), 0);
	ck_assert_int_eq(zmq_send(s, buf, len, 0), (int)len);
	free(buf);
	int got = zmq_recv(s, in, sizeof(in), 0);
	ck_assert_int_gt(got, 0);
	ck_assert_int_eq(proto_decode(in, (size_t)got, r), 0);
	ck_assert_int_eq(r->type, PROTO_IDENTITY);
	ck_assert_uint_eq(r->req, 7);
	codes[0] = '\0';
	for (size_t i = 0, at = 0; i < r->identity.n_elements; i++)
		at += (size_t)snprintf(codes + at, n - at, "%s%s", i ? " " : "",
				       r->identity.elements[i].code);
	zmq_close(s);
	zmq_ctx_term(ctx);
}

START_TEST(test_whoami_tells_a_key_its_name_role_scope_and_elements)
{
	struct proto_msg r;
	char codes[512];
	whoami("clerk", &r, codes, sizeof(codes));
	ck_assert_str_eq(r.identity.name, "desa-1");
	ck_assert_str_eq(r.identity.role, "clerk");
	ck_assert_str_eq(r.identity.scope, V1);
	ck_assert_str_eq(codes, "desa_tertib akta"); /* reported_by desa */
	proto_msg_clear(&r);
	whoami("trantib", &r, codes, sizeof(codes));
	ck_assert_str_eq(r.identity.role, "section");
	ck_assert_str_eq(r.identity.scope, "trantib");
	ck_assert_str_eq(codes, "kriminal");
	proto_msg_clear(&r);
	whoami("viewer", &r, codes, sizeof(codes));
	ck_assert_str_eq(r.identity.name, "camat");
	ck_assert_str_eq(r.identity.scope, "");
	ck_assert_str_eq(codes, "");
	proto_msg_clear(&r);
	whoami("admin", &r, codes, sizeof(codes));
	ck_assert_str_eq(r.identity.role, "admin");
	ck_assert_str_eq(codes, "surat_masuk surat_tepat desa_tertib desa_sasaran akta kriminal");
	proto_msg_clear(&r);
	/* and what it says a clerk may submit, the clerk may: each is accepted in its village */
	char *out = NULL;
	ck_assert_int_eq(submit_as("clerk", "w1", "desa_tertib", V1, "--op set --value 3", &out), 0);
	free(out);
	ck_assert_int_eq(submit_as("clerk", "w2", "akta", V1, "--op open --case W2", &out), 0);
	free(out);
}
END_TEST

/* ---- start-up refusals and the file's errors (no daemon) ---- */

static struct catalog *mini(void)
{
	struct catalog *c = NULL;
	ck_assert_int_eq(catalog_load(MINI, &c, NULL), 0);
	return c;
}

START_TEST(test_clients_file_errors_name_their_lines)
{
	char dir[] = "/tmp/iki-auth-XXXXXX", path[64], *errors = NULL, text[2048];
	struct auth *a = NULL;
	struct catalog *c = mini();
	const char *k1 = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
	const char *k2 = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/clients", dir);
	snprintf(text, sizeof(text),
		 "# comment\n"
		 "ok      admin   -              %s\n"
		 "wizard  wizard  -              %s\n"     /* 3: unknown role */
		 "c1      clerk   35.27.03.9999  %s\n"     /* 4: not a village */
		 "c2      clerk   35.27.03       %s\n"     /* 5: the kecamatan */
		 "s1      section desa           %s\n"     /* 6: desa is for clerks */
		 "s2      section keuangan       %s\n"     /* 7: no element reported by keuangan */
		 "v1      viewer  35.27.03.2001  %s\n"     /* 8: viewers have no scope */
		 "k1      admin   -              short\n"  /* 9: not a key */
		 "ok      admin   -\n"                     /* 10: 3 fields */
		 "dup     admin   -              %s\n",    /* 11: key listed already */
		 k1, k2, k2, k2, k2, k2, k2, k1);
	write_file(path, text);
	ck_assert_int_eq(auth_load(path, c, &a, &errors), IKI_ECATALOG);
	ck_assert_ptr_null(a);
	ck_assert_ptr_nonnull(errors);
	for (int line = 3; line <= 11; line++) {
		char at[80];
		snprintf(at, sizeof(at), "%s:%d: ", path, line);
		ck_assert_msg(strstr(errors, at), "no error at line %d in:\n%s", line, errors);
	}
	ck_assert_ptr_null(strstr(errors, ":2: "));
	free(errors);
	/* a good file loads, and lookups find each key with its role and scope */
	snprintf(text, sizeof(text), "a admin - %s\nc clerk %s %s\n", k1, V2, k2);
	write_file(path, text);
	ck_assert_int_eq(auth_load(path, c, &a, &errors), 0);
	struct auth_client who;
	ck_assert(auth_lookup(a, k2, &who));
	ck_assert_str_eq(who.name, "c");
	ck_assert_int_eq(who.role, AUTH_CLERK);
	ck_assert_str_eq(who.scope, V2);
	ck_assert(!auth_lookup(a, "0000000000000000000000000000000000000000", &who));
	auth_free(&a);
	free(errors);
	catalog_free(&c);
	harness_rmtree(dir);
}
END_TEST

START_TEST(test_ikid_refuses_to_start_without_clients)
{
	char bin[256], cmd[600], dir[] = "/tmp/iki-nocl-XXXXXX";
	harness_bin("ikid", bin, sizeof(bin));
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd), "%s -c %s -d %s -l tcp://127.0.0.1:* -p tcp://127.0.0.1:* 2>&1", bin,
		 MINI, dir);
	FILE *p = popen(cmd, "r");
	char text[4096] = "";
	size_t n = fread(text, 1, sizeof(text) - 1, p);
	text[n] = 0;
	ck_assert_int_eq(WEXITSTATUS(pclose(p)), 1);
	ck_assert_msg(strstr(text, "no authorised clients file"), "%s", text);
	ck_assert_msg(strstr(text, "--plaintext"), "%s", text);
	harness_rmtree(dir);
}
END_TEST

/* A forged line, a title-setting and a screen-clearing sequence, in an id. */
#define EVIL "c9\\nikid: admin locked period 2022Q1\\033]0;owned\\007\\033[2J"

/* Whether ikid's log holds a byte below 0x20 (other than the newlines ending lines) or DEL. */
static bool log_has_control(void)
{
	FILE *f = fopen(d.log, "r");
	int c;
	bool found = false;
	while (f && (c = fgetc(f)) != EOF)
		found |= (c < 0x20 && c != '\n') || c == 0x7f;
	if (f)
		fclose(f);
	return found;
}

START_TEST(test_ids_are_printable_and_logs_escape_what_clients_send)
{
	char *out = NULL, args[512];
	long num, den;
	/* out of scope: refused and logged, escaped: no forged line, no sequence */
	snprintf(args, sizeof(args), "submit --id \"$(printf '" EVIL "')\" --element akta "
		 "--orgunit %s --date 2022-03-01 --op open --case A2", V2);
	ck_assert_int_eq(iki_as("clerk", args, &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "out_of_scope"));
	free(out);
	harness_sleep_ms(100);
	ck_assert(log_has("refused event c9\\x0aikid: admin locked period 2022Q1\\x1b]0;owned\\x07"));
	ck_assert(!log_has_control());
	FILE *f = fopen(d.log, "r");
	char line[2048];
	while (fgets(line, sizeof(line), f))
		ck_assert_msg(strncmp(line, "ikid: admin locked", 18) != 0, "forged: %s", line);
	fclose(f);
	/* in scope: an id outside the documented set is refused, naming the field */
	snprintf(args, sizeof(args), "submit --id \"$(printf '" EVIL "')\" --element akta "
		 "--orgunit %s --date 2022-03-01 --op open --case A1", V1);
	ck_assert_int_eq(iki_as("clerk", args, &out), 1);
	ck_assert_msg(strstr(out, "bad_field") && strstr(out, "kolom 'id'"), "%s", out);
	free(out);
	ck_assert_int_eq(submit_as("clerk", "'c 10'", "akta", V1, "--op open --case A1", &out), 1);
	ck_assert_ptr_nonnull(strstr(out, "bad_field"));
	free(out);
	ck_assert_int_eq(submit_as("clerk", "c11", "akta", V1, "--op open --case \"$(printf 'A\\033')\"",
				   &out), 1);
	ck_assert_msg(strstr(out, "kolom 'case'"), "%s", out);
	free(out);
	/* the documented set passes; a comment may hold any valid UTF-8 */
	ck_assert_int_eq(submit_as("clerk", "Desa-1_x.y:z/2@3+4#5~6=7", "akta", V1,
				   "--op open --case SPT/2022/001 --comment 'surat ke-2 · café'", &out), 0);
	free(out);
	value("akta", &num, &den);
	ck_assert_int_eq(den, 1);
	ck_assert(!log_has_control());
	/* a comment is stored as sent, but iki history shows its control bytes as '?' */
	ck_assert_int_eq(submit_as("clerk", "c12", "akta", V1, "--op open --case A3 --comment "
				   "\"$(printf 'x\\033]0;owned\\007\\033[2J y\\302\\233z')\"", &out), 0);
	free(out);
	ck_assert_int_eq(iki_as("clerk", "history c12", &out), 0);
	ck_assert_msg(strstr(out, "catatan: x?]0;owned??[2J y?z"), "%s", out);
	for (const unsigned char *p = (const unsigned char *)out; *p; p++)
		ck_assert_msg(*p >= 0x20 || *p == '\n', "control byte 0x%02x in: %s", *p, out);
	ck_assert_ptr_null(strstr(out, "\302\233")); /* nor U+009B, a CSI to some terminals */
	free(out);
}
END_TEST

START_TEST(test_log_escape_keeps_utf8_and_escapes_controls)
{
	char out[256];
	log_escape("a\nb\x1b[2J\\c\x7f", out, sizeof(out));
	ck_assert_str_eq(out, "a\\x0ab\\x1b[2J\\\\c\\x7f");
	log_escape("caf\xc3\xa9 \xc2\x9b" "1m \xff\xc3", out, sizeof(out)); /* é kept; C1 CSI, junk */
	ck_assert_str_eq(out, "caf\xc3\xa9 \\xc2\\x9b" "1m \\xff\\xc3");
	char tiny[8];
	log_escape("\n\n\n\n", tiny, sizeof(tiny)); /* cut, never a half escape */
	ck_assert_str_eq(tiny, "\\x0a");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("trust");
	TCase *tc = tcase_create("curve");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_keygen_makes_a_private_pair_and_never_overwrites);
	tcase_add_test(tc, test_keygen_writes_into_the_key_directory_and_k_finds_it_by_name);
	tcase_add_test(tc, test_clerk_writes_only_its_own_village_and_village_elements);
	tcase_add_test(tc, test_section_writes_its_elements_in_any_village);
	tcase_add_test(tc, test_scope_refusal_says_whether_the_village_or_the_element);
	tcase_add_test(tc, test_viewer_reads_but_cannot_submit);
	tcase_add_test(tc, test_only_an_admin_writes_a_note);
	tcase_add_test(tc, test_admin_writes_anything);
	tcase_add_test(tc, test_corrections_and_locks_follow_roles);
	tcase_add_test(tc, test_unknown_key_is_refused_at_the_handshake);
	tcase_add_test(tc, test_plain_text_client_is_refused);
	tcase_add_test(tc, test_reload_adds_and_removes_keys);
	tcase_add_test(tc, test_ids_are_printable_and_logs_escape_what_clients_send);
	tcase_add_test(tc, test_history_shows_a_clerk_only_its_own_scope);
	tcase_add_test(tc, test_an_id_another_village_took_is_free_for_the_clerk);
	tcase_add_test(tc, test_a_revoked_key_loses_its_subscription_within_a_second);
	tcase_add_test(tc, test_ikid_refuses_a_server_key_others_can_read);
	tcase_add_test(tc, test_every_role_may_do_what_the_table_says_and_nothing_more);
	tcase_add_test(tc, test_whoami_tells_a_key_its_name_role_scope_and_elements);
	suite_add_tcase(s, tc);
	TCase *tf = tcase_create("file");
	tcase_add_test(tf, test_clients_file_errors_name_their_lines);
	tcase_add_test(tf, test_ikid_refuses_to_start_without_clients);
	tcase_add_test(tf, test_log_escape_keeps_utf8_and_escapes_controls);
	suite_add_tcase(s, tf);
	return s;
}

SUITE_MAIN(suite)
