/* list.h's iki list: the catalog as tables a clerk can read. */
#include "list.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "i18n.h"
#include "text.h"

enum { LIST_ORGUNITS = 1, LIST_ELEMENTS = 2, LIST_INDICATORS = 4, LIST_JABATAN = 8 };

static void list_usage(FILE *f)
{
	fputs(_("usage: iki list [orgunits | elements | indicators | jabatan]\n"
		"\n"
		"Shows what may be typed, from ikid's catalog: the org units (--orgunit) with their\n"
		"names, the data elements and case types (--element) with their unit, the values\n"
		"ikid accepts and who reports them (a section, or desa: a village's clerk), the\n"
		"indicators (--indicator) with their jabatan, and the jabatan (--jabatan). Without\n"
		"a word, all four.\n"),
	      f);
}

static void safe_cell(const char *s, int width)
{
	char buf[PROTO_TEXT_MAX + 1];
	text_cell(stdout, cli_safe(s, buf, sizeof(buf)), width);
}

static void list_orgunits(const struct proto_msg *cat)
{
	printf("%s\n", _("Org units (--orgunit)"));
	printf("%-16s %-10s %s\n", _("Code"), _("Kind"), _("Name"));
	for (size_t i = 0; i < cat->n_orgunits; i++) {
		const struct proto_orgunit *u = &cat->orgunits[i];
		char name[PROTO_TEXT_MAX + 1];
		safe_cell(u->code, 16);
		safe_cell(u->kind, 10);
		printf("%s\n", cli_safe(u->name, name, sizeof(name)));
	}
}

/* An element's unit in words (the catalog's count, amount, state, target); a case type's. */
static const char *unit_words(const struct proto_element *e)
{
	static const char *const units[][2] = {{"count", N_("count")},
					       {"amount", N_("rupiah")},
					       {"state", N_("state")},
					       {"target", N_("target")}};
	if (e->is_case)
		return _("case");
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (!strcmp(e->unit, units[i][0]))
			return _(units[i][1]);
	return e->unit;
}

/* The values ikid takes: "0 .. 100", "0 or more" (the default bound, 10^15), "-" for a case. */
static void range_words(const struct proto_element *e, char *buf, size_t n)
{
	char lo[32], hi[32];
	if (e->is_case)
		snprintf(buf, n, "-");
	else if (e->max >= 1000000000000000LL) /* the catalog's default bound */
		snprintf(buf, n, _("%s or more"), text_count(e->min, lo, sizeof(lo)));
	else
		snprintf(buf, n, "%s .. %s", text_count(e->min, lo, sizeof(lo)),
			 text_count(e->max, hi, sizeof(hi)));
}

static void list_elements(const struct proto_msg *cat)
{
	printf("%s\n", _("Data elements and case types (--element)"));
	printf("%-26s %-8s %-16s %-22s %s\n", _("Code"), _("Unit"), _("Values"), _("Reported by"),
	       _("Name"));
	for (size_t i = 0; i < cat->n_elements; i++) {
		const struct proto_element *e = &cat->elements[i];
		char range[80], name[PROTO_TEXT_MAX + 1];
		range_words(e, range, sizeof(range));
		safe_cell(e->code, 26);
		safe_cell(unit_words(e), 8);
		safe_cell(range, 16);
		safe_cell(e->reported_by[0] ? e->reported_by : "-", 22);
		printf("%s\n", cli_safe(e->name, name, sizeof(name)));
	}
}

static void list_indicators(const struct proto_msg *cat)
{
	printf("%s\n", _("Indicators (--indicator)"));
	printf("%-10s %-60s %s\n", _("Code"), _("Name"), "Jabatan");
	for (size_t i = 0; i < cat->n_indicators; i++) {
		const struct proto_indicator *in = &cat->indicators[i];
		char jabatan[PROTO_TEXT_MAX + 1];
		safe_cell(in->indicator, 10);
		safe_cell(in->name, 60);
		printf("%s\n", cli_safe(in->jabatan, jabatan, sizeof(jabatan)));
	}
}

/* Whether the first len bytes of name appear among the jabatan of indicators before i. */
static bool seen_before(const struct proto_msg *cat, size_t i, const char *name, size_t len)
{
	for (size_t k = 0; k < i; k++) {
		const char *p = cat->indicators[k].jabatan;
		while (*p) {
			size_t l = strcspn(p, ";");
			if (l == len && !strncmp(p, name, len))
				return true;
			p += l;
			p += strspn(p, "; ");
		}
	}
	return false;
}

static void list_jabatan(const struct proto_msg *cat)
{
	printf("%s\n", _("Jabatan (--jabatan)"));
	for (size_t i = 0; i < cat->n_indicators; i++) {
		const char *p = cat->indicators[i].jabatan;
		while (*p) {
			size_t l = strcspn(p, ";");
			if (!seen_before(cat, i, p, l)) {
				char buf[PROTO_TEXT_MAX + 1];
				snprintf(buf, sizeof(buf), "%.*s", (int)l, p);
				printf("  %s\n", cli_safe(buf, buf, sizeof(buf)));
			}
			p += l;
			p += strspn(p, "; ");
		}
	}
}

/* Which tables the words ask for; 0 on a word not known. */
static int list_what(int argc, char **argv)
{
	static const char *const words[] = {"orgunits", "elements", "indicators", "jabatan"};
	if (argc < 2)
		return LIST_ORGUNITS | LIST_ELEMENTS | LIST_INDICATORS | LIST_JABATAN;
	int what = 0;
	for (int a = 1; a < argc; a++) {
		int bit = 0;
		for (int k = 0; k < 4; k++)
			if (!strcmp(argv[a], words[k]))
				bit = 1 << k;
		if (!bit)
			return 0;
		what |= bit;
	}
	return what;
}

int cmd_list(const struct iki_client_options *o, int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		list_usage(stdout);
		return EXIT_OK;
	}
	int what = list_what(argc, argv);
	if (!what) {
		list_usage(stderr);
		return EXIT_USAGE;
	}
	struct proto_msg cat = {0};
	char msg[PROTO_TEXT_MAX + 1] = "";
	struct iki_client *c = cli_connect(o);
	int rc = iki_describe(c, &cat, msg);
	if (rc < 0)
		return cli_refused("list", &c, o, rc, msg);
	iki_client_close(&c);
	void (*const show[])(const struct proto_msg *) = {list_orgunits, list_elements,
							  list_indicators, list_jabatan};
	bool first = true;
	for (int k = 0; k < 4; k++) {
		if (!(what & (1 << k)))
			continue;
		if (!first)
			putchar('\n');
		show[k](&cat);
		first = false;
	}
	proto_msg_clear(&cat);
	return EXIT_OK;
}

static void whoami_usage(FILE *f)
{
	fputs(_("usage: iki whoami\n"
		"\n"
		"Shows who ikid takes our key (-k) for: its name in ikid's authorised clients file,\n"
		"its role and scope, and the data elements and case types it may submit.\n"),
	      f);
}

/* The name describe gives a code (an element's or an org unit's), or "". */
static const char *catalog_name(const struct proto_msg *cat, const char *code)
{
	for (size_t i = 0; i < cat->n_elements; i++)
		if (!strcmp(cat->elements[i].code, code))
			return cat->elements[i].name;
	for (size_t i = 0; i < cat->n_orgunits; i++)
		if (!strcmp(cat->orgunits[i].code, code))
			return cat->orgunits[i].name;
	return "";
}

static void whoami_show(const struct proto_identity *id, const struct proto_msg *cat)
{
	char buf[PROTO_TEXT_MAX + 1];
	printf("%-12s %s\n", _("Key:"), cli_safe(id->name, buf, sizeof(buf)));
	printf("%-12s %s\n", _("Role:"), cli_safe(id->role, buf, sizeof(buf)));
	printf("%-12s %s", _("Scope:"), id->scope[0] ? cli_safe(id->scope, buf, sizeof(buf))
						     : _("everything"));
	if (id->scope[0] && catalog_name(cat, id->scope)[0])
		printf(" (%s)", cli_safe(catalog_name(cat, id->scope), buf, sizeof(buf)));
	putchar('\n');
	if (id->n_elements == 0) {
		printf("%s\n", _("May submit: nothing (read only)"));
		return;
	}
	printf("%s\n", _("May submit (--element):"));
	for (size_t i = 0; i < id->n_elements; i++) {
		printf("  ");
		safe_cell(id->elements[i].code, 26);
		printf("%s\n", cli_safe(catalog_name(cat, id->elements[i].code), buf, sizeof(buf)));
	}
}

int cmd_whoami(const struct iki_client_options *o, int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		whoami_usage(stdout);
		return EXIT_OK;
	}
	if (argc != 1) {
		whoami_usage(stderr);
		return EXIT_USAGE;
	}
	struct proto_msg id = {0}, cat = {0};
	char msg[PROTO_TEXT_MAX + 1] = "";
	struct iki_client *c = cli_connect(o);
	int rc = iki_whoami(c, &id, msg);
	if (rc == 0)
		rc = iki_describe(c, &cat, msg);
	if (rc < 0) {
		proto_msg_clear(&id);
		return cli_refused("whoami", &c, o, rc, msg);
	}
	iki_client_close(&c);
	whoami_show(&id.identity, &cat);
	proto_msg_clear(&id);
	proto_msg_clear(&cat);
	return EXIT_OK;
}
