/* dhis2_cmd.c: iki import --dhis2 and iki export --dhis2 (see dhis2_cmd.h). */
#include "dhis2_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "dhis2.h"
#include "grow.h"
#include "i18n.h"
#include "period.h"

#define HISTORY_MAX 5000 /* ikid's bound on a value's history (PROTOCOL.md, history) */
#define CHAIN_HOPS 16	 /* voided, then imported again: a new chain; at most this many */

/* What becomes of one data value on import. */
enum fate { F_NEW, F_SAME, F_CORRECT, F_VOID, F_GONE, F_INDICATOR, F_UNMAPPED, F_REFUSED, F_BAD };

struct item {
	const struct dhis2_value *v;
	enum fate fate;
	struct proto_event ev;
	char why[200]; /* F_BAD: what is wrong, in words */
};

static void import_usage(FILE *f)
{
	fputs(_("usage: iki import --dhis2 FILE --map MAP\n"
		"\n"
		"Reads a DHIS2 dataValueSets file (JSON, or DHIS2's CSV) and sends each data value\n"
		"whose data element and org unit MAP names to ikid as an event. The event's id comes\n"
		"from (dataElement, period, orgUnit, categoryOptionCombo): importing the same file\n"
		"again adds nothing, a value changed in a later export corrects the earlier one\n"
		"(iki history shows both), a value marked deleted is voided. A value is dated on the\n"
		"last day of its period (202203, 2022Q1, 2022) or on its day (20220314). Values of\n"
		"data elements MAP gives to an indicator are skipped (ikid computes indicators).\n"
		"MAP's lines: element CODE UID [COC], indicator CODE UID [COC], orgunit CODE UID,\n"
		"dataset UID (man iki, DHIS2).\n"),
	      f);
}

static void export_usage(FILE *f)
{
	fputs(_("usage: iki export --dhis2 --map MAP --period PERIOD [--format json|csv] [-o FILE]\n"
		"\n"
		"Writes the period's values as a DHIS2 dataValueSets document: each mapped data\n"
		"element's value at each mapped org unit where events were recorded (its own,\n"
		"not its villages': DHIS2 adds those up itself), and each mapped indicator's value\n"
		"(a percentage with two decimals) at every mapped org unit with data. PERIOD is\n"
		"2022, 2022Q1 or 202203, the same id in DHIS2. JSON by default; CSV when --format\n"
		"csv or FILE ends in .csv. Importing the document back (iki import --dhis2) adds\n"
		"nothing.\n"),
	      f);
}

/* The options both commands share; returns -1 to go on, else the exit status. */
struct dhis2_args {
	bool dhis2, csv;
	const char *map, *output, *file; /* file: import's --dhis2 FILE */
	char period[PROTO_PERIOD_MAX + 1];
};

static int parse_args(int argc, char **argv, struct dhis2_args *a, bool export,
		      void (*usage)(FILE *))
{
	static const struct option opts[] = {
		{"dhis2", no_argument, NULL, 'D'},	   {"map", required_argument, NULL, 'm'},
		{"period", required_argument, NULL, 'p'}, {"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	static const struct option import_opts[] = {
		{"dhis2", required_argument, NULL, 'D'},  {"map", required_argument, NULL, 'm'},
		{"period", required_argument, NULL, 'p'}, {"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	int ch, format = -1; /* 0 json, 1 csv, -1 from the output's name */
	bool ok = true;
	while (ok && (ch = getopt_long(argc, argv, "o:h", export ? opts : import_opts, NULL)) != -1) {
		if (ch == 'D') {
			a->dhis2 = true;
			a->file = export ? NULL : optarg;
		} else if (ch == 'm')
			a->map = optarg;
		else if (ch == 'p' && export)
			cli_field(a->period, sizeof(a->period), "export", "period", optarg);
		else if (ch == 'f' && export && (!strcmp(optarg, "json") || !strcmp(optarg, "csv")))
			format = !strcmp(optarg, "csv");
		else if (ch == 'o' && export)
			a->output = optarg;
		else if (ch == 'h') {
			usage(stdout);
			return EXIT_OK;
		} else
			ok = false;
	}
	if (!ok || !a->dhis2 || !a->map || optind != argc || (export && !a->period[0])) {
		usage(stderr);
		return EXIT_USAGE;
	}
	size_t n = a->output ? strlen(a->output) : 0;
	a->csv = format >= 0 ? format == 1 : n >= 4 && !strcasecmp(a->output + n - 4, ".csv");
	return -1;
}

/* The catalog's element of a code, or NULL. */
static const struct proto_element *element_of(const struct proto_msg *cat, const char *code)
{
	for (size_t i = 0; i < cat->n_elements; i++)
		if (!strcmp(cat->elements[i].code, code))
			return &cat->elements[i];
	return NULL;
}

static bool orgunit_known(const struct proto_msg *cat, const char *code)
{
	for (size_t i = 0; i < cat->n_orgunits; i++)
		if (!strcmp(cat->orgunits[i].code, code))
			return true;
	return false;
}

static bool indicator_known(const struct proto_msg *cat, const char *code)
{
	for (size_t i = 0; i < cat->n_indicators; i++)
		if (!strcmp(cat->indicators[i].indicator, code))
			return true;
	return false;
}

/* Every code of the map is ikid's (an element a data element, not a case); false after saying
 * which line is not. */
static bool map_check(const char *path, const struct dhis2_map *m, const struct proto_msg *cat)
{
	char safe[64];
	for (size_t i = 0; i < m->n; i++) {
		const struct dhis2_entry *e = &m->e[i];
		const struct proto_element *el = element_of(cat, e->iki);
		const char *why = NULL;
		if (e->kind == DHIS2_ELEMENT && (!el || el->is_case))
			why = el ? _("is a case type: only data elements take DHIS2's values")
				 : _("is not a data element of ikid's catalog");
		else if (e->kind == DHIS2_INDICATOR && !indicator_known(cat, e->iki))
			why = _("is not an indicator of ikid's catalog");
		else if (e->kind == DHIS2_ORGUNIT && !orgunit_known(cat, e->iki))
			why = _("is not an org unit of ikid's catalog");
		if (why) {
			fprintf(stderr, "iki: %s:%d: '%s' %s\n", path, e->line,
				cli_safe(e->iki, safe, sizeof(safe)), why);
			return false;
		}
	}
	return true;
}

/* ---- import ---- */

/* A DHIS2 value as a whole number for an element: "12", "12.0", true/false (a state). */
static bool value_parse(const char *s, int64_t *v)
{
	char *end;
	if (!strcmp(s, "true") || !strcmp(s, "false")) {
		*v = !strcmp(s, "true");
		return true;
	}
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (*end == '.') /* a whole number written with a fraction of zeros */
		for (end++; *end == '0'; end++)
			;
	if (errno || end == s || *end || x < 0)
		return false;
	*v = x;
	return true;
}

/* Map one value to its event (it->ev, id derived) or decide it is skipped or bad. */
static void item_map(struct item *it, const struct dhis2_map *m, const struct proto_msg *cat)
{
	const struct dhis2_value *v = it->v;
	const struct dhis2_entry *el = dhis2_map_find(m, DHIS2_ELEMENT, v->de, v->coc);
	const struct dhis2_entry *ou = dhis2_map_find(m, DHIS2_ORGUNIT, v->ou, "");
	struct proto_event *ev = &it->ev;
	it->fate = F_BAD;
	if (!el && dhis2_map_find(m, DHIS2_INDICATOR, v->de, v->coc)) {
		it->fate = F_INDICATOR;
		return;
	}
	if (!el || !ou) {
		it->fate = F_UNMAPPED;
		if (!el)
			snprintf(it->why, sizeof(it->why), _("data element %s (categoryOptionCombo "
							     "%s) is not in the map"), v->de,
				 v->coc[0] ? v->coc : "-");
		else
			snprintf(it->why, sizeof(it->why), _("org unit %s is not in the map"), v->ou);
		return;
	}
	const char *coc = v->coc[0] ? v->coc : el->coc; /* DHIS2's default combo, named or not */
	const struct proto_element *e = element_of(cat, el->iki);
	memset(ev, 0, sizeof(*ev));
	if (dhis2_period_date(v->pe, ev->date) < 0) {
		snprintf(it->why, sizeof(it->why), _("period '%s' is not a month, triwulan, year or "
						     "day"), v->pe);
		return;
	}
	if (!v->deleted && !value_parse(v->value, &ev->value)) {
		snprintf(it->why, sizeof(it->why), _("value '%s' is not a whole number"), v->value);
		return;
	}
	dhis2_event_id(v->de, v->pe, v->ou, coc, ev->id);
	snprintf(ev->element, sizeof(ev->element), "%s", el->iki);
	snprintf(ev->orgunit, sizeof(ev->orgunit), "%.24s", ou->iki);
	ev->op = e && !strcmp(e->aggregate, "last") ? PROTO_OP_SET : PROTO_OP_ADD;
	snprintf(ev->comment, sizeof(ev->comment), "DHIS2 %s %s %s %s", v->de, v->pe, v->ou,
		 coc[0] ? coc : "-");
	it->fate = F_NEW;
}

/* Whether the stored event s says what ev says. */
static bool same_content(const struct proto_event *s, const struct proto_event *ev)
{
	return s->op == ev->op && s->value == ev->value && !strcmp(s->element, ev->element) &&
	       !strcmp(s->orgunit, ev->orgunit) && !strcmp(s->date, ev->date) &&
	       !strcmp(s->comment, ev->comment);
}

/*
 * What ikid holds for the value's id: the event of its chains that counts now (standing: not a
 * void, not voided) into *now ("" when none), and the next revision number to use. Returns 0,
 * or a transport error or a refusal other than unknown_ref (msg filled).
 */
static int item_state(struct iki_client *c, const char *base, struct proto_event *now, int *next,
		      char *msg)
{
	char id[PROTO_ID_MAX + 1];
	int top = 1;
	now->id[0] = '\0';
	snprintf(id, sizeof(id), "%s", base);
	for (int hop = 0; hop < CHAIN_HOPS; hop++) {
		struct proto_stored *x = NULL;
		size_t n = 0;
		int rc = iki_history(c, id, &x, &n, msg);
		if (rc == IKI_EREF)
			break; /* nothing stored under this id: the chain ends here */
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < n; i++) {
			int r = dhis2_revision(base, x[i].ev.id);
			top = r > top ? r : top;
			if (x[i].ev.op != PROTO_OP_VOID && !x[i].voided_by[0])
				*now = x[i].ev;
		}
		free(x);
		if (now->id[0])
			break;
		dhis2_revision_id(base, top + 1, id); /* voided: a later import started anew there */
	}
	*next = top + 1;
	return 0;
}

/* Decide a mapped value's fate from what ikid holds, and make its event that. */
static int item_decide(struct iki_client *c, struct item *it, char *msg)
{
	struct proto_event now;
	int next;
	int rc = item_state(c, it->ev.id, &now, &next, msg);
	if (rc < 0)
		return rc;
	if (it->v->deleted) {
		it->fate = now.id[0] ? F_VOID : F_GONE;
		if (!now.id[0])
			return 0;
		struct proto_event voiding = {.op = PROTO_OP_VOID, .value = 1};
		snprintf(voiding.ref, sizeof(voiding.ref), "%s", now.id);
		snprintf(voiding.comment, sizeof(voiding.comment), "%s", it->ev.comment);
		dhis2_revision_id(it->ev.id, next, voiding.id);
		it->ev = voiding;
		return 0;
	}
	if (now.id[0] && same_content(&now, &it->ev)) {
		it->fate = F_SAME;
		return 0;
	}
	if (now.id[0] || next > 2) { /* a correction, or a value back after its void */
		it->fate = now.id[0] ? F_CORRECT : F_NEW;
		snprintf(it->ev.ref, sizeof(it->ev.ref), "%s", now.id);
		dhis2_revision_id(it->ev.id, next, it->ev.id);
	}
	return 0;
}

/* A second value for the same (dataElement, period, orgUnit, categoryOptionCombo) is bad. */
static void mark_twice(struct item *items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < i && items[i].fate == F_NEW; k++)
			if (items[k].fate == F_NEW && !strcmp(items[k].ev.id, items[i].ev.id)) {
				items[i].fate = F_BAD;
				snprintf(items[i].why, sizeof(items[i].why),
					 _("the same value as line %d (data element, period, org "
					   "unit and categoryOptionCombo)"), items[k].v->line);
			}
}

/* Submit the events of the items that need one; a refused one is printed and F_REFUSED. */
static int import_send(struct iki_client *c, struct item *items, size_t n, const char *file)
{
	struct proto_event *evs = calloc(n ? n : 1, sizeof(*evs));
	struct proto_result *res = calloc(n ? n : 1, sizeof(*res));
	size_t *at = calloc(n ? n : 1, sizeof(*at)), k = 0;
	int rc = evs && res && at ? 0 : -ENOMEM;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (items[i].fate == F_NEW || items[i].fate == F_CORRECT || items[i].fate == F_VOID) {
			at[k] = i;
			evs[k++] = items[i].ev;
		}
	if (rc == 0 && k)
		rc = iki_submit(c, evs, k, res);
	for (size_t j = 0; rc == 0 && j < k; j++) {
		char safe[PROTO_TEXT_MAX + 1], where[3 * DHIS2_ID_MAX + 32];
		if (res[j].status != PROTO_STATUS_ERROR)
			continue;
		const struct dhis2_value *v = items[at[j]].v;
		snprintf(where, sizeof(where), "%s, %s, %s", v->de, v->pe, v->ou);
		fprintf(stderr, _("iki import: %s:%d (%s): %s: %s\n"), file, v->line,
			cli_safe(where, where, sizeof(where)), iki_code_name(res[j].code),
			cli_safe(res[j].message, safe, sizeof(safe)));
		items[at[j]].fate = F_REFUSED;
	}
	free(evs);
	free(res);
	free(at);
	return rc;
}

/* The summary line, and what was skipped. */
static int import_report(const struct item *items, size_t n, const char *file)
{
	size_t count[F_BAD + 1] = {0};
	char safe[256];
	for (size_t i = 0; i < n; i++) {
		count[items[i].fate]++;
		if (items[i].fate == F_BAD)
			fprintf(stderr, "iki import: %s:%d: %s\n", file, items[i].v->line,
				cli_safe(items[i].why, safe, sizeof(safe)));
		else if (items[i].fate == F_UNMAPPED && count[F_UNMAPPED] <= 5)
			fprintf(stderr, _("iki import: %s:%d: %s: skipped\n"), file, items[i].v->line,
				cli_safe(items[i].why, safe, sizeof(safe)));
	}
	printf(_("new %zu, corrected %zu, already recorded %zu, voided %zu, refused %zu; skipped: "
		 "%zu indicator values, %zu not in the map, %zu bad\n"),
	       count[F_NEW], count[F_CORRECT], count[F_SAME] + count[F_GONE], count[F_VOID],
	       count[F_REFUSED], count[F_INDICATOR], count[F_UNMAPPED], count[F_BAD]);
	return count[F_REFUSED] || count[F_BAD] ? EXIT_REJECTED : EXIT_OK;
}

int cmd_import(const struct iki_client_options *o, int argc, char **argv)
{
	struct dhis2_args a = {0};
	struct dhis2_map m;
	struct dhis2_set s;
	struct proto_msg cat = {0};
	char err[400], msg[PROTO_TEXT_MAX + 1] = "";
	int status = parse_args(argc, argv, &a, false, import_usage);
	if (status >= 0)
		return status;
	const char *file = a.file;
	if (dhis2_map_read(a.map, &m, err, sizeof(err)) < 0 ||
	    dhis2_read(file, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "iki import: %s\n", cli_safe(err, err, sizeof(err)));
		dhis2_map_free(&m);
		return EXIT_USAGE;
	}
	struct iki_client *c = cli_connect(o);
	struct item *items = calloc(s.n ? s.n : 1, sizeof(*items));
	int rc = items ? iki_describe(c, &cat, msg) : -ENOMEM;
	if (rc == 0 && !map_check(a.map, &m, &cat))
		status = EXIT_USAGE;
	for (size_t i = 0; rc == 0 && status < 0 && i < s.n; i++) {
		items[i].v = &s.v[i];
		item_map(&items[i], &m, &cat);
	}
	if (rc == 0 && status < 0)
		mark_twice(items, s.n);
	for (size_t i = 0; rc == 0 && status < 0 && i < s.n; i++)
		if (items[i].fate == F_NEW)
			rc = item_decide(c, &items[i], msg);
	if (rc == 0 && status < 0)
		rc = import_send(c, items, s.n, file);
	if (rc < 0)
		status = cli_refused("import", &c, o, rc, msg);
	if (status < 0)
		status = import_report(items, s.n, file);
	iki_client_close(&c);
	free(items);
	proto_msg_clear(&cat);
	dhis2_set_free(&s);
	dhis2_map_free(&m);
	return status;
}

/* ---- export ---- */

/* One element's value at one org unit: a flow's sum, or the state set last. */
struct total {
	char element[PROTO_CODE_MAX + 1];
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	int64_t value;
	char date[PROTO_DATE_MAX + 1]; /* a state: the date and seq of the set that counts */
	uint64_t seq;
};

struct totals {
	struct total *t;
	size_t n, cap;
};

static struct total *total_get(struct totals *ts, const char *element, const char *orgunit)
{
	for (size_t i = 0; i < ts->n; i++)
		if (!strcmp(ts->t[i].element, element) && !strcmp(ts->t[i].orgunit, orgunit))
			return &ts->t[i];
	if (grow((void **)&ts->t, &ts->cap, ts->n + 1, sizeof(*ts->t)) < 0)
		return NULL;
	struct total *t = &ts->t[ts->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->element, sizeof(t->element), "%s", element);
	snprintf(t->orgunit, sizeof(t->orgunit), "%s", orgunit);
	return t;
}

/* Count one stored event that stands (not a void, not voided) into its total; -ENOMEM. */
static int total_add(struct totals *ts, const struct proto_stored *x)
{
	const struct proto_event *ev = &x->ev;
	if ((ev->op != PROTO_OP_ADD && ev->op != PROTO_OP_SET) || x->voided_by[0])
		return 0;
	struct total *t = total_get(ts, ev->element, ev->orgunit);
	if (!t)
		return -ENOMEM;
	if (ev->op == PROTO_OP_ADD) {
		t->value += ev->value;
	} else if (strcmp(ev->date, t->date) > 0 || (!strcmp(ev->date, t->date) && x->seq > t->seq)) {
		t->value = ev->value; /* the latest date in the period; on a tie the later arrival */
		snprintf(t->date, sizeof(t->date), "%s", ev->date);
		t->seq = x->seq;
	}
	return 0;
}

static int cmp_seq(const void *a, const void *b)
{
	const struct proto_stored *x = a, *y = b;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Append n stored events to *all (*n_all of them, room for *cap); -ENOMEM. */
static int gather(struct proto_stored **all, size_t *n_all, size_t *cap,
		  const struct proto_stored *x, size_t n)
{
	if (grow((void **)all, cap, *n_all + n, sizeof(**all)) < 0)
		return -ENOMEM;
	if (n)
		memcpy(*all + *n_all, x, n * sizeof(*x));
	*n_all += n;
	return 0;
}

/*
 * Every element's value per org unit in the period, from the events of each indicator's
 * history at the catalog's root (ikid's figures are per indicator; its events are the
 * elements'), each event counted once however many indicators it feeds. Returns 0, 1 when a
 * history was cut at ikid's bound (the export would be short), or a negative code.
 */
static int element_totals(struct iki_client *c, const struct proto_msg *cat, const char *period,
			  struct totals *ts, char *msg)
{
	struct proto_query q = {0};
	struct proto_stored *all = NULL;
	size_t n_all = 0, cap = 0;
	int cut = 0, rc = 0;
	snprintf(q.period, sizeof(q.period), "%s", period);
	for (size_t i = 0; i < cat->n_orgunits; i++)
		if (!cat->orgunits[i].parent[0])
			snprintf(q.orgunit, sizeof(q.orgunit), "%s", cat->orgunits[i].code);
	for (size_t i = 0; rc == 0 && i < cat->n_indicators; i++) {
		struct proto_stored *x = NULL;
		size_t n = 0;
		snprintf(q.indicator, sizeof(q.indicator), "%s", cat->indicators[i].indicator);
		rc = iki_history_value(c, &q, &x, &n, msg);
		if (rc == 0)
			rc = gather(&all, &n_all, &cap, x, n);
		free(x);
		cut |= n >= HISTORY_MAX;
	}
	if (n_all)
		qsort(all, n_all, sizeof(*all), cmp_seq);
	for (size_t i = 0; rc == 0 && i < n_all; i++)
		if (i == 0 || all[i].seq != all[i - 1].seq)
			rc = total_add(ts, &all[i]);
	free(all);
	return rc < 0 ? rc : cut;
}

/* The mapped elements' totals as data values. */
static int export_elements(const struct totals *ts, const struct dhis2_map *m, const char *pe,
			   struct dhis2_set *out)
{
	for (size_t i = 0; i < ts->n; i++) {
		const struct dhis2_entry *el = dhis2_map_code(m, DHIS2_ELEMENT, ts->t[i].element);
		const struct dhis2_entry *ou = dhis2_map_code(m, DHIS2_ORGUNIT, ts->t[i].orgunit);
		struct dhis2_value v = {0};
		if (!el || !ou)
			continue;
		snprintf(v.de, sizeof(v.de), "%s", el->uid);
		snprintf(v.coc, sizeof(v.coc), "%s", el->coc);
		snprintf(v.ou, sizeof(v.ou), "%s", ou->uid);
		snprintf(v.pe, sizeof(v.pe), "%s", pe);
		snprintf(v.value, sizeof(v.value), "%" PRId64, ts->t[i].value);
		if (dhis2_set_add(out, &v) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* The mapped indicators' values at every mapped org unit with data. */
static int export_indicators(struct iki_client *c, const struct dhis2_map *m, const char *pe,
			     struct dhis2_set *out, char *msg)
{
	for (size_t i = 0; i < m->n; i++) {
		struct proto_query q = {0};
		struct proto_value *vals = NULL;
		size_t n = 0;
		if (m->e[i].kind != DHIS2_ORGUNIT)
			continue;
		snprintf(q.period, sizeof(q.period), "%s", pe);
		snprintf(q.orgunit, sizeof(q.orgunit), "%.24s", m->e[i].iki);
		int rc = iki_query(c, &q, &vals, &n, msg);
		for (size_t k = 0; rc == 0 && k < n; k++) {
			const struct dhis2_entry *in = dhis2_map_code(m, DHIS2_INDICATOR,
								      vals[k].indicator);
			struct dhis2_value v = {0};
			double r;
			if (!in || !proto_value_ratio(&vals[k], &r))
				continue; /* not mapped, or no data: DHIS2 has no value then */
			snprintf(v.de, sizeof(v.de), "%s", in->uid);
			snprintf(v.coc, sizeof(v.coc), "%s", in->coc);
			snprintf(v.ou, sizeof(v.ou), "%s", m->e[i].uid);
			snprintf(v.pe, sizeof(v.pe), "%s", pe);
			snprintf(v.value, sizeof(v.value), "%.2f", r);
			rc = dhis2_set_add(out, &v);
		}
		free(vals);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int cmp_value(const void *a, const void *b)
{
	const struct dhis2_value *x = a, *y = b;
	int d = strcmp(x->de, y->de);
	d = d ? d : strcmp(x->ou, y->ou);
	return d ? d : strcmp(x->coc, y->coc);
}

/* Write the set where the options say; the exit status. */
static int export_write(const struct dhis2_args *a, struct dhis2_set *out)
{
	FILE *f = a->output ? fopen(a->output, "w") : stdout;
	if (!f) {
		fprintf(stderr, "iki export: %s: %s\n", a->output, strerror(errno));
		return EXIT_USAGE;
	}
	qsort(out->v, out->n, sizeof(*out->v), cmp_value);
	if (a->csv)
		dhis2_write_csv(f, out);
	else
		dhis2_write_json(f, out);
	if (ferror(f) | (a->output ? fclose(f) : fflush(f))) {
		fprintf(stderr, "iki export: %s: %s\n", a->output ? a->output : "-", strerror(EIO));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

int cmd_export(const struct iki_client_options *o, int argc, char **argv)
{
	struct dhis2_args a = {0};
	struct dhis2_map m;
	struct dhis2_set out = {0};
	struct totals ts = {0};
	struct proto_msg cat = {0};
	struct period per;
	char err[400], msg[PROTO_TEXT_MAX + 1] = "";
	int status = parse_args(argc, argv, &a, true, export_usage);
	if (status >= 0)
		return status;
	if (period_parse(a.period, &per) != 0 || period_is_cumulative(per)) {
		/* DHIS2 has no "s.d." period: it sums its own months */
		fprintf(stderr, "iki export: %s (%s)\n", iki_strerror(IKI_EPERIOD),
			cli_safe(a.period, err, sizeof(err)));
		return EXIT_USAGE;
	}
	if (dhis2_map_read(a.map, &m, err, sizeof(err)) < 0) {
		fprintf(stderr, "iki export: %s\n", cli_safe(err, err, sizeof(err)));
		return EXIT_USAGE;
	}
	struct iki_client *c = cli_connect(o);
	int rc = iki_describe(c, &cat, msg), cut = 0;
	if (rc == 0 && !map_check(a.map, &m, &cat))
		status = EXIT_USAGE;
	if (rc == 0 && status < 0)
		rc = cut = element_totals(c, &cat, a.period, &ts, msg);
	if (rc >= 0 && status < 0)
		rc = export_elements(&ts, &m, a.period, &out);
	if (rc >= 0 && status < 0)
		rc = export_indicators(c, &m, a.period, &out, msg);
	if (rc < 0)
		status = cli_refused("export", &c, o, rc, msg);
	snprintf(out.dataset, sizeof(out.dataset), "%s", m.dataset);
	if (status < 0)
		status = export_write(&a, &out);
	if (status == EXIT_OK && cut) {
		fprintf(stderr, _("iki export: a history of over %d events was cut by ikid: element "
				  "values may be short; export a shorter period\n"), HISTORY_MAX);
		status = EXIT_REJECTED;
	}
	iki_client_close(&c);
	free(ts.t);
	proto_msg_clear(&cat);
	dhis2_set_free(&out);
	dhis2_map_free(&m);
	return status;
}
