/* iki.c: the command-line client: submit events, query indicator values, watch them change. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "curve.h"
#include "iki_client.h"
#include "admin.h"
#include "cli.h"
#include "dhis2_cmd.h"
#include "i18n.h"
#include "input.h"
#include "list.h"
#include "query.h"
#include "report.h"
#include "sync.h"
#include "text.h"
#include "watch.h"


struct global {
	struct iki_client_options o;
	const char *outbox;
};

static void usage(FILE *f)
{
	fprintf(f,
		_("usage: iki [-s ENDPOINT] [-u ENDPOINT] [-k KEYFILE -S SERVERKEY] [-t SECONDS] COMMAND\n"
		"           [OPTIONS]\n"
		"\n"
		"Talks to ikid, the IKI daemon of Kecamatan Sampang.\n"
		"\n"
		"commands:\n"
		"  submit   capture events into the outbox (a file or flags), then send them\n"
		"  sync     send what waits in the outbox (--wait: until it is all delivered)\n"
		"  outbox   what waits, was delivered or was refused; drop or fix a refused event\n"
		"  query    print indicator values (numerator, denominator, percentage)\n"
		"  review   the values of a period that break a validation rule (perlu diperiksa)\n"
		"  watch    the values live: a table on a terminal, else a line per change\n"
		"  report   print the LAKIP tables of a year (text, CSV, HTML, XLSX, PDF)\n"
		"  history  an event, who sent it and when, and the corrections of it\n"
		"  target   set a target (admin), or list the targets set\n"
		"  note     the analysis of a value (analisis / keterangan): write (admin), list\n"
		"  lock     lock a reported period (admin); unlock; locks lists them\n"
		"  list     what may be typed: villages, data elements (unit, who reports them),\n"
		"           indicators and jabatan, from ikid's catalog\n"
		"  whoami   who ikid takes our key for: name, role, scope, what it may submit\n"
		"  keygen   make a CURVE key pair: NAME.key (secret) and NAME.pub (for the operator),\n"
		"           in ~/.config/iki\n"
		"\n"
		"options:\n"
		"  -s ENDPOINT  requests endpoint (env IKI_SERVER; default %s)\n"
		"  -u ENDPOINT  updates endpoint (env IKI_UPDATES; default %s)\n"
		"  -k KEYFILE   our key pair, from 'iki keygen': a file, or the NAME of a pair in\n"
		"               ~/.config/iki (env IKI_KEY)\n"
		"  -S SERVERKEY ikid's public key: its .pub file or the key itself (env IKI_SERVER_KEY);\n"
		"               with -k and -S the connection is encrypted and authenticated (CURVE),\n"
		"               without them it is plain text, which ikid accepts only with --plaintext\n"
		"  -t SECONDS   without a reply or a byte moving for this long, a reply is taken as\n"
		"               lost: submit and sync reconnect and send again (default 30)\n"
		"  --outbox DIR the outbox (env IKI_OUTBOX; default $XDG_STATE_HOME/iki/outbox or\n"
		"               ~/.local/state/iki/outbox)\n"
		"  -h, --help   this help; 'iki COMMAND --help' for a command's options\n"
		"\n"
		"exit status: 0 all accepted (or duplicate), 1 something rejected, 2 usage or input\n"
		"file error, 3 daemon unreachable or not answering (or our key refused), 4 stopped\n"
		"(Ctrl-C, --deadline, sync without --wait): the rest waits in the outbox.\n"
		"\n"
		"iki speaks Bahasa Indonesia; with LANG=C (or LANGUAGE=en) it speaks English.\n"),
		IKI_CLIENT_REQUEST_DEFAULT, IKI_CLIENT_UPDATE_DEFAULT);
}

/* An environment variable, NULL when unset or empty. */
static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

/* ---- keys: where keygen writes them, and -k NAME ---- */

/*
 * The directory iki keeps its key pairs in, into buf (size n): $XDG_CONFIG_HOME/iki, else
 * ~/.config/iki (a relative XDG_CONFIG_HOME is ignored, as the XDG spec says). Returns 0, or
 * -ENOENT when neither names an absolute directory, -ENAMETOOLONG.
 */
static int key_dir(char *buf, size_t n)
{
	const char *xdg = env("XDG_CONFIG_HOME"), *home = env("HOME");
	int len;
	if (xdg && xdg[0] == '/')
		len = snprintf(buf, n, "%s/iki", xdg);
	else if (home && home[0] == '/')
		len = snprintf(buf, n, "%s/.config/iki", home);
	else
		return -ENOENT;
	return len < (int)n ? 0 : -ENAMETOOLONG;
}

/* mkdir -p dir (an absolute path), each directory it makes mode 0700. 0 or -errno. */
static int make_dirs(char *dir)
{
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		int rc = mkdir(dir, 0700) < 0 && errno != EEXIST ? -errno : 0;
		*p = c;
		if (rc < 0 || !c)
			return rc;
	}
}

/*
 * The key file -k (or IKI_KEY) names: as given when it is a path (it has a '/') or a file
 * here; else the pair 'iki keygen NAME' made in the key directory, NAME.key (NAME itself when
 * it ends in .key), into buf (size n) when it is there. Returns the path to use (k when none
 * of these is found: the connection then says it is missing).
 */
static const char *find_key(const char *k, char *buf, size_t n)
{
	char dir[4096];
	struct stat st;
	if (!k || strchr(k, '/') || stat(k, &st) == 0 || key_dir(dir, sizeof(dir)) < 0)
		return k;
	size_t len = strlen(k);
	bool ext = len > 4 && !strcmp(k + len - 4, ".key");
	if (snprintf(buf, n, "%s/%s%s", dir, k, ext ? "" : ".key") >= (int)n)
		return k;
	return stat(buf, &st) == 0 ? buf : k;
}

static void keygen_help(void)
{
	puts(_("usage: iki keygen NAME\n"
	     "\n"
	     "Makes a CURVE key pair in iki's key directory, $XDG_CONFIG_HOME/iki (else\n"
	     "~/.config/iki, made mode 0700): NAME.key holds both halves (mode 0600; keep it\n"
	     "secret, out of shared folders and repositories), NAME.pub the public half: give it\n"
	     "to the operator, who lists it in ikid's authorised clients file with a role and a\n"
	     "scope. Then 'iki -k NAME' (or IKI_KEY=NAME) finds the pair there. A NAME with a\n"
	     "'/' is a path instead: 'iki keygen ./desa' writes desa.key and desa.pub in the\n"
	     "current directory. Existing files are never overwritten."));
}

/* What keygen made, and what to give the operator. */
static void keygen_said(const char *base, bool in_dir, const char *pub)
{
	const char *name = strrchr(base, '/') ? strrchr(base, '/') + 1 : base;
	char use[4200];
	snprintf(use, sizeof(use), in_dir ? "%s" : "%s.key", in_dir ? name : base);
	printf(_("Key pair made (existing files are never overwritten):\n"
	       "  secret: %s.key (mode 0600: keep it, give it to nobody)\n"
	       "  public: %s.pub\n"
	       "Use it:  iki -k %s COMMAND ...   (or export IKI_KEY=%s)\n"
	       "Give the operator %s.pub, or this line for ikid's clients file (the operator\n"
	       "sets the role and the scope):\n"
	       "  %s  ROLE  SCOPE  %s\n"),
	       base, base, use, use, name, name, pub);
}

static int cmd_keygen(int argc, char **argv)
{
	struct curve_keys k;
	char base[4200], dir[4096];
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		keygen_help();
		return EXIT_OK;
	}
	const char *name = argc == 2 ? argv[1] : "";
	if (!name[0] || name[0] == '-' || !strcmp(name, ".") || !strcmp(name, "..")) {
		fputs(_("usage: iki keygen NAME\n"), stderr);
		return EXIT_USAGE;
	}
	bool in_dir = !strchr(name, '/');
	int rc = 0;
	if (in_dir && (rc = key_dir(dir, sizeof(dir))) == 0 && (rc = make_dirs(dir)) == 0)
		snprintf(base, sizeof(base), "%s/%s", dir, name);
	if (rc < 0) {
		fprintf(stderr, _("iki keygen: no key directory (%s): set HOME or XDG_CONFIG_HOME, "
				  "or give a path: iki keygen ./%s\n"),
			rc == -ENOENT ? _("no HOME") : strerror(-rc), name);
		return EXIT_USAGE;
	}
	if (!in_dir)
		snprintf(base, sizeof(base), "%s", name);
	if ((rc = curve_generate(&k)) == 0)
		rc = curve_write(base, &k);
	char pub[CURVE_Z85_LEN + 1];
	memcpy(pub, k.public_key, sizeof(pub));
	curve_wipe(&k);
	if (rc < 0) {
		fprintf(stderr, _("iki keygen: %s: %s\n"), base,
			rc == -EEXIST ? _("a key of that name exists; it is never overwritten")
				      : strerror(-rc));
		return EXIT_USAGE;
	}
	keygen_said(base, in_dir, pub);
	return EXIT_OK;
}

/* The options before the command into g; returns -1 to go on, or the exit code to end with. */
static int global_options(struct global *g, int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
					     {"outbox", required_argument, NULL, 'O'},
					     {NULL, 0, NULL, 0}};
	int ch;
	while ((ch = getopt_long(argc, argv, "+s:u:k:S:t:h", opts, NULL)) != -1) {
		switch (ch) {
		case 's': g->o.request = optarg; break;
		case 'u': g->o.update = optarg; break;
		case 'k': g->o.key_file = optarg; break;
		case 'S': g->o.server_key = optarg; break;
		case 't': g->o.timeout_ms = atoi(optarg) * 1000; break;
		case 'O': g->outbox = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc || g->o.timeout_ms <= 0) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

/* Run the command cmd (argv[0], its options after it); returns its exit code. */
static int run_command(const struct global *g, const char *cmd, int argc, char **argv)
{
	struct sync_config sc = {g->o, g->outbox};
	if (!strcmp(cmd, "submit"))
		return cmd_submit(&sc, argc, argv);
	if (!strcmp(cmd, "sync"))
		return cmd_sync(&sc, argc, argv);
	if (!strcmp(cmd, "outbox"))
		return cmd_outbox(&sc, argc, argv);
	if (!strcmp(cmd, "query"))
		return cmd_query(&g->o, argc, argv);
	if (!strcmp(cmd, "review"))
		return cmd_review(&g->o, argc, argv);
	if (!strcmp(cmd, "watch"))
		return cmd_watch(&g->o, argc, argv);
	if (!strcmp(cmd, "report"))
		return cmd_report(&g->o, argc, argv);
	if (!strcmp(cmd, "lock") || !strcmp(cmd, "unlock") || !strcmp(cmd, "locks"))
		return cmd_lock(&g->o, cmd, argc, argv);
	if (!strcmp(cmd, "history"))
		return cmd_history(&g->o, argc, argv);
	if (!strcmp(cmd, "target"))
		return cmd_target(&g->o, argc, argv);
	if (!strcmp(cmd, "note"))
		return cmd_note(&g->o, argc, argv);
	if (!strcmp(cmd, "list"))
		return cmd_list(&g->o, argc, argv);
	if (!strcmp(cmd, "whoami"))
		return cmd_whoami(&g->o, argc, argv);
	if (!strcmp(cmd, "import"))
		return cmd_import(&g->o, argc, argv);
	if (!strcmp(cmd, "export"))
		return cmd_export(&g->o, argc, argv);
	if (!strcmp(cmd, "keygen"))
		return cmd_keygen(argc, argv);
	char safe[64];
	fprintf(stderr, _("iki: unknown command '%s'\n"), cli_safe(cmd, safe, sizeof(safe)));
	usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct global g = {{.request = env("IKI_SERVER"), .update = env("IKI_UPDATES"),
			    .timeout_ms = 30000, .key_file = env("IKI_KEY"),
			    .server_key = env("IKI_SERVER_KEY")}, NULL};
	i18n_init();
	if (!g.o.request)
		g.o.request = IKI_CLIENT_REQUEST_DEFAULT;
	if (!g.o.update)
		g.o.update = IKI_CLIENT_UPDATE_DEFAULT;
	int rc = global_options(&g, argc, argv);
	if (rc >= 0)
		return rc;
	static char key_path[4200];
	g.o.key_file = find_key(g.o.key_file, key_path, sizeof(key_path));
	const char *cmd = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	return run_command(&g, cmd, argc, argv);
}
