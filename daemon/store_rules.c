/* store_rules.c: whether an event is one the catalog accepts, and the sentence that says why not.
 * Pure: no LMDB (store_rules.h). Part of the storage module. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "iki.h"
#include "lakip.h"
#include "store_rules.h"

/* Refuse with a sentence of its own (where the code's general one would mislead). */
__attribute__((format(printf, 3, 4))) int st_refuse(struct proto_result *res, int code,
						    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
	res->status = PROTO_STATUS_ERROR;
	res->code = code;
	iki_utf8_trim(res->message);
	return code;
}

/* Refuse with the code's sentence and a detail: "<sentence> (<detail>)". */
__attribute__((format(printf, 3, 4))) int st_fail(struct proto_result *res, int code,
						  const char *fmt, ...)
{
	char detail[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return st_refuse(res, code, "%s (%s)", iki_strerror(code), detail);
}

_Static_assert(STORE_SUM_MAX <= INT64_MAX / CATALOG_TERMS_MAX, "an indicator's side fits int64_t");

static int check_element(const struct catalog_element *e, const struct proto_event *ev,
			 struct proto_result *res)
{
	enum proto_op want = e->agg == CATALOG_SUM ? PROTO_OP_ADD : PROTO_OP_SET;
	if (ev->op != want)
		return st_fail(res, IKI_EOP, "elemen %s memakai op '%s'", e->code, proto_op_name(want));
	if (ev->no_value)
		return st_refuse(res, IKI_EVALUE, "Nilai %s belum diisi: tulis jumlahnya (value), juga "
				 "bila hanya 1; tidak ada nilai bawaan.", e->code);
	if (ev->value < 0 || ev->value > STORE_VALUE_MAX)
		return st_fail(res, IKI_EVALUE, "%s: nilai harus 0 atau lebih", e->code);
	return 0;
}

static int check_case(const struct catalog_casetype *ct, const struct proto_event *ev,
		      struct proto_result *res)
{
	if (ev->op != PROTO_OP_OPEN && ev->op != PROTO_OP_CLOSE)
		return st_fail(res, IKI_EOP, "kasus %s memakai op 'open' atau 'close'", ct->code);
	if (ev->case_id[0] == '\0')
		return st_fail(res, IKI_ECASEID, "kasus %s", ct->code);
	if (ev->value != 1)
		return st_fail(res, IKI_EVALUE, "kasus %s: nilai harus 1", ct->code);
	return 0;
}

/* Whether s is an id: 1 to PROTO_ID_MAX characters of STORE_ID_CHARS (see store.h). */
static bool id_valid(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && strspn(s, STORE_ID_CHARS) == n;
}

/* The ids of an event (its own, its ref, its case): "" or the name of the first that is not one. */
const char *st_ids_check(const struct proto_event *ev)
{
	if (!id_valid(ev->id))
		return "id";
	if (ev->ref[0] && !id_valid(ev->ref))
		return "ref";
	if (ev->case_id[0] && !id_valid(ev->case_id))
		return "case";
	return "";
}

/* The catalog indices an event names: looked up once, here (see struct store_event). */
void st_where_find(const struct catalog *cat, const struct proto_event *ev,
		   struct store_where *at)
{
	at->ou = ev->orgunit[0] ? catalog_orgunit_find(cat, ev->orgunit) : -1;
	at->el = ev->element[0] ? catalog_element_find(cat, ev->element) : -1;
	at->ct = at->el < 0 && ev->element[0] ? catalog_casetype_find(cat, ev->element) : -1;
}

/*
 * Check an event, found in the catalog at *at, against it. Returns 0 and fills *r, or an error
 * code with *res set.
 */
int st_event_check(const struct catalog *cat, const struct proto_event *ev,
		   const struct store_where *at, struct st_resolved *r, struct proto_result *res)
{
	if (ev->err)
		return st_fail(res, ev->err, "kolom '%s'", ev->err_field);
	r->ou = at->ou;
	if (r->ou < 0)
		return st_fail(res, IKI_EORGUNIT, "orgunit: %s", ev->orgunit);
	if (period_date_parse(ev->date, &r->date) < 0)
		return st_fail(res, IKI_EDATE, "date: %s", ev->date);
	r->el = at->el;
	r->ct = at->ct;
	if (r->el >= 0)
		return check_element(&cat->elements[r->el], ev, res);
	if (r->ct >= 0)
		return check_case(&cat->casetypes[r->ct], ev, res);
	return st_fail(res, IKI_EELEMENT, "element: %s", ev->element);
}

/*
 * Whether a new event is plausible under the catalog (not asked of stored events on a rebuild:
 * a catalog made stricter later does not unmake what was counted): dated in the budget year,
 * but for two ends of a case that reach over it: an open also in the year before (a case begun
 * in December closes inside the year, judged on its real dates), and a close in the year after
 * when its case type counts closes at the open (December's report, due in January); a value
 * within the element's min and max. Returns 0 or a code with *res set.
 */
int st_admit_check(const struct catalog *cat, const struct proto_event *ev,
		   const struct st_resolved *r, struct proto_result *res)
{
	int y, m, d;
	period_date_split(r->date, &y, &m, &d);
	bool reaches = r->ct >= 0 && ((ev->op == PROTO_OP_OPEN && y == cat->year - 1) ||
				      (ev->op == PROTO_OP_CLOSE && y == cat->year + 1 &&
				       cat->casetypes[r->ct].close_at_open));
	if (cat->year && y != cat->year && !reaches)
		return st_fail(res, IKI_EYEAR, "date %s: tahun anggaran %d%s", ev->date, cat->year,
			       r->ct >= 0 ? "; kasus boleh dibuka sejak tahun sebelumnya" : "");
	if (r->el < 0)
		return 0;
	const struct catalog_element *e = &cat->elements[r->el];
	char bound[32];
	if (ev->value < e->min)
		return st_fail(res, IKI_EVALUE, "%s: nilai paling kecil %s, bukan %lld", e->code,
			       lakip_count(e->min, bound, sizeof(bound)), (long long)ev->value);
	if (ev->value > e->max)
		return st_fail(res, IKI_EVALUE, "%s: nilai paling besar %s, bukan %lld; salah ketik?",
			       e->code, lakip_count(e->max, bound, sizeof(bound)), (long long)ev->value);
	return 0;
}
