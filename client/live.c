/* live.c: iki watch's live table: ikid's values in place on a terminal, like top (live.h). */
#define _DEFAULT_SOURCE /* SIGWINCH, TIOCGWINSZ */
#include "live.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "grow.h"
#include "period.h"
#include "text.h"

#define LIVE_FRAME_MS 250   /* at most 4 redraws a second */
#define LIVE_TICK_MS 1000   /* ages and highlights move on at least this often */
#define LIVE_RECENT_MS 3000 /* a changed row stays highlighted this long */
#define LIVE_KEY_MS 100	    /* keys are read at least this often */
#define LIVE_HEAD 3	    /* lines above the rows: two of status, one of headings */

/* Set by the signal handlers, read by the loop (a handler only sets a flag). */
static volatile sig_atomic_t resized, suspended;

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		resized = 1;
	else
		suspended = 1;
}

/* Catch sig with on_signal, without SA_RESTART: a wait ends at once and the loop looks. */
static void catch_signal(int sig)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the table's model: every value shown, in catalog order ---- */

/* One value on the screen. */
struct row {
	char indicator[PROTO_CODE_MAX + 1];
	char orgunit[PROTO_ORGUNIT_MAX + 1];
	char period[PROTO_PERIOD_MAX + 1];
	int ind, ou;	 /* places in the catalog; INT_MAX when it does not list the code */
	long period_key; /* a year, then each quarter followed by its months */
	int64_t num, den, factor;
	bool has_capaian;
	double capaian;
	char predikat[32];
	char check[PROTO_CHECK_MAX + 1]; /* the validation rule it breaks: perlu diperiksa */
	int64_t changed_ms; /* when an update last changed it (monotonic); 0: never */
	int trend;	    /* that change: +1 up, -1 down, 0 new or the same ratio */
};

/* A row's place in the order by latest change. */
struct order {
	int64_t changed_ms;
	size_t at;
};

/* A catalog code and its place in the catalog, for a binary search by code. */
struct rank {
	const char *code;
	int at;
};

struct view {
	const struct iki_client_options *o;
	const struct proto_query *filter;
	struct iki_stream *s;
	struct proto_msg cat;	 /* ikid's catalog (describe); empty when it would not say */
	struct rank *inds, *ous; /* the catalog's codes, sorted */
	struct row *rows;	 /* sorted in catalog order */
	struct row *old;	 /* while a snapshot comes in: the rows it replaces */
	size_t n_old;
	bool had; /* a snapshot was shown before: the next one marks what it changes */
	size_t n, cap, loading; /* loading: snapshot values still to come */
	struct order *order;	/* rows by latest change (when by_change) */
	bool by_change;
	size_t top; /* first row on the screen */
	int height, width, code_w;
	char **shown; /* each screen line as drawn */
	int n_shown;
	bool dirty, full, tty_in;
	int64_t drawn_ms;
	char problem[160]; /* shown in the header while ikid does not answer */
	struct termios saved;
	volatile sig_atomic_t *stop; /* the command's: set by SIGINT, SIGTERM and q */
};

static int rank_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rank *)a)->code, ((const struct rank *)b)->code);
}

/* Place of code in the catalog, INT_MAX when absent. */
static int rank_find(const struct rank *r, size_t n, const char *code)
{
	struct rank key = {code, 0}, *hit = r ? bsearch(&key, r, n, sizeof(*r), rank_cmp) : NULL;
	return hit ? hit->at : INT_MAX;
}

/* Ask ikid for names and order (a view without them shows codes in code order). */
static void view_catalog(struct view *v, struct iki_client *c)
{
	if (iki_describe(c, &v->cat, NULL) < 0)
		return;
	v->inds = calloc(v->cat.n_indicators + 1, sizeof(*v->inds));
	v->ous = calloc(v->cat.n_orgunits + 1, sizeof(*v->ous));
	if (!v->inds || !v->ous)
		return;
	for (size_t i = 0; i < v->cat.n_indicators; i++) {
		v->inds[i] = (struct rank){v->cat.indicators[i].indicator, (int)i};
		int w = text_width(v->cat.indicators[i].indicator);
		v->code_w = w > v->code_w ? w : v->code_w;
	}
	for (size_t i = 0; i < v->cat.n_orgunits; i++)
		v->ous[i] = (struct rank){v->cat.orgunits[i].code, (int)i};
	qsort(v->inds, v->cat.n_indicators, sizeof(*v->inds), rank_cmp);
	qsort(v->ous, v->cat.n_orgunits, sizeof(*v->ous), rank_cmp);
}

/*
 * 2022 -> 2022000000, 2022Q1 -> 2022010000, 202203 -> 2022010300, each cumulative period just
 * after the period it ends with (2022Q1SD -> 2022010001): a year, then Q1 and its months...
 */
static long period_key(const char *p)
{
	struct period per;
	if (period_parse(p, &per) < 0)
		return LONG_MAX;
	struct period base = period_base(per);
	long q = base.kind == PERIOD_QUARTER ? base.n
	       : base.kind == PERIOD_MONTH   ? (base.n - 1) / 3 + 1
					     : 0;
	long m = base.kind == PERIOD_MONTH ? base.n : 0;
	return ((per.year * 100L + q) * 100 + m) * 100 + (period_is_cumulative(per) ? 1 : 0);
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	if (a->ind != b->ind)
		return a->ind < b->ind ? -1 : 1;
	int c = strcmp(a->indicator, b->indicator);
	if (c == 0 && a->ou != b->ou)
		return a->ou < b->ou ? -1 : 1;
	if (c == 0)
		c = strcmp(a->orgunit, b->orgunit);
	if (c == 0 && a->period_key != b->period_key)
		return a->period_key < b->period_key ? -1 : 1;
	return c ? c : strcmp(a->period, b->period);
}

/* The figures of a row from a value (its key is set by row_key). */
static void row_figures(struct row *r, const struct proto_value *val)
{
	r->num = val->num;
	r->den = val->den;
	r->factor = val->factor;
	r->has_capaian = val->has_capaian;
	r->capaian = val->capaian;
	snprintf(r->predikat, sizeof(r->predikat), "%s", val->has_capaian ? val->predikat : "");
	snprintf(r->check, sizeof(r->check), "%s", val->check);
}

static void row_key(const struct view *v, struct row *r, const struct proto_value *val)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->indicator, val->indicator, sizeof(r->indicator));
	memcpy(r->orgunit, val->orgunit, sizeof(r->orgunit));
	memcpy(r->period, val->period, sizeof(r->period));
	r->ind = rank_find(v->inds, v->cat.n_indicators, val->indicator);
	r->ou = rank_find(v->ous, v->cat.n_orgunits, val->orgunit);
	r->period_key = period_key(val->period);
}

/* Room for one more row; false when memory ran out. */
static bool rows_grow(struct view *v)
{
	size_t cr = v->cap, co = v->cap; /* the two grow alike */
	if (grow((void **)&v->rows, &cr, v->n + 1, sizeof(*v->rows)) < 0 ||
	    grow((void **)&v->order, &co, v->n + 1, sizeof(*v->order)) < 0)
		return false;
	v->cap = cr;
	return true;
}

/* +1 when the row's ratio is above what num/den gave, -1 below, 0 the same or without data. */
static int row_trend(const struct row *r, int64_t num, int64_t den)
{
	struct proto_value was = {.num = num, .den = den, .factor = r->factor};
	struct proto_value is = {.num = r->num, .den = r->den, .factor = r->factor};
	double a, b;
	return proto_value_ratio(&was, &a) && proto_value_ratio(&is, &b) ? (b > a) - (b < a) : 0;
}

/* An update: change its row (marked with the direction of the change) or insert a new one. */
static void view_update(struct view *v, const struct proto_value *val, int64_t now)
{
	struct row key;
	size_t lo = 0, hi = v->n;
	row_key(v, &key, val);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (row_cmp(&v->rows[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == v->n || row_cmp(&v->rows[lo], &key) != 0) {
		if (!rows_grow(v))
			return;
		memmove(&v->rows[lo + 1], &v->rows[lo], (v->n - lo) * sizeof(*v->rows));
		v->rows[lo] = key;
		v->n++;
	}
	struct row *r = &v->rows[lo];
	int64_t num = r->num, den = r->den; /* 0/0 for a new row: no trend */
	row_figures(r, val);
	r->trend = row_trend(r, num, den);
	r->changed_ms = now;
}

/*
 * A snapshot is all in: sort it, and carry over from the rows it replaces what each showed. A
 * value a resync changed (or brought) is marked as changed now: what moved while we were away.
 */
static void view_loaded(struct view *v, int64_t now)
{
	qsort(v->rows, v->n, sizeof(*v->rows), row_cmp);
	for (size_t i = 0, j = 0; v->had && i < v->n; i++) {
		struct row *r = &v->rows[i];
		while (j < v->n_old && row_cmp(&v->old[j], r) < 0)
			j++;
		const struct row *o =
		    j < v->n_old && row_cmp(&v->old[j], r) == 0 ? &v->old[j] : NULL;
		if (o && o->num == r->num && o->den == r->den) {
			r->changed_ms = o->changed_ms;
			r->trend = o->trend;
		} else {
			r->changed_ms = now;
			r->trend = o ? row_trend(r, o->num, o->den) : 0;
		}
	}
	free(v->old);
	v->old = NULL;
	v->n_old = 0;
	v->had = true;
}

/* Take one event of the stream into the model. */
static void view_apply(struct view *v, const struct iki_stream_event *ev, int64_t now)
{
	if (ev->kind == IKI_STREAM_RESET) {
		free(v->old); /* a snapshot cut short by another */
		v->old = v->rows;
		v->n_old = v->n;
		v->rows = NULL;
		v->n = v->cap = 0;
		v->loading = ev->count;
		if (v->loading == 0)
			view_loaded(v, now);
	} else if (ev->kind == IKI_STREAM_VALUE && v->loading > 0) {
		if (rows_grow(v)) {
			row_key(v, &v->rows[v->n], &ev->value);
			row_figures(&v->rows[v->n++], &ev->value);
		}
		if (--v->loading == 0)
			view_loaded(v, now);
	} else if (ev->kind == IKI_STREAM_UPDATE && v->loading == 0) {
		view_update(v, &ev->value, now);
	}
	v->problem[0] = '\0';
	v->dirty = true;
}

/* ---- drawing: a frame of lines, of which only those that changed are written ---- */

/* A growing string (a line, or the bytes of a frame). */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (grow((void **)&b->p, &b->cap, b->len + n + 1, 1) < 0)
		return; /* out of memory: the line comes out short */
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sb_add(b, buf, n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* s in a cell of width columns (cut on a character boundary, padded), then one space. */
static void sb_cell(struct sbuf *b, const char *s, int width)
{
	if (width <= 0)
		return;
	size_t cut = text_cut(s, width);
	char part[PROTO_TEXT_MAX + 1];
	snprintf(part, sizeof(part), "%.*s", (int)cut, s);
	sb_add(b, part, cut);
	for (int pad = width - text_width(part) + 1; pad > 0; pad--)
		sb_add(b, " ", 1);
}

/* An ASCII figure right-aligned in width columns, then one space. */
static void sb_rcell(struct sbuf *b, const char *s, int width)
{
	if (width > 0)
		sb_printf(b, "%*.*s ", width, width, s);
}

/* Column widths for the terminal's width; 0 hides a column. */
struct layout {
	int jab, code, name, ou, per, data, pct, cap, pred;
};

static struct layout layout(const struct view *v)
{
	struct layout l = {
	    14, v->code_w < 5 ? 5 : v->code_w > 12 ? 12 : v->code_w, 0, 14, 15, 15, 9, 7, 15};
	int *optional[] = {&l.pred, &l.cap, &l.jab, &l.per, &l.ou};
	/* A filter on one org unit or one period says it once, in the header: no column. */
	l.ou = v->filter->orgunit[0] ? 0 : l.ou;
	l.per = v->filter->period[0] ? 0 : l.per;
	/* What gives way first when the terminal is narrow; the last two only shrink. */
	for (size_t i = 0;; i++) {
		int used = 2 + l.code + 1 + l.data + 1 + l.pct + 1;
		for (size_t k = 0; k < sizeof(optional) / sizeof(optional[0]); k++)
			used += *optional[k] ? *optional[k] + 1 : 0;
		l.name = v->width - used - 2; /* and a space more after the name */
		if (l.name >= 28 || i == sizeof(optional) / sizeof(optional[0]))
			break;
		if (optional[i] == &l.per || optional[i] == &l.ou)
			*optional[i] = *optional[i] ? (optional[i] == &l.per ? 8 : 10) : 0;
		else
			*optional[i] = 0;
	}
	if (l.name < 0)
		l.name = 0;
	return l;
}

/* A position, short: the first of an indicator's positions with the office's abbreviations. */
static void jabatan_short(const char *jabatan, char *out, size_t n)
{
	static const char *const abbrev[][2] = {
	    {"Sekretaris Kecamatan", "Sekcam"},
	    {"Kepala Seksi ", "Kasi "},
	    {"Kepala Sub Bagian ", "Kasubbag "},
	    {"Staf Seksi ", "Staf "},
	    {"Staf Subbag ", "Staf "},
	    {"Pemberdayaan Masyarakat Desa dan Kesejahteraan Sosial", "PMD"},
	    {"PMD dan Kesejahteraan Sosial", "PMD"},
	    {"Ketentraman dan Ketertiban", "Trantib"},
	    {"Pemerintahan dan Pelayanan Umum", "Pem"},
	    {"Umum dan Kepegawaian", "Umpeg"},
	    {"Keuangan", "Keu"},
	};
	char buf[PROTO_TEXT_MAX + 2];
	const char *more = strstr(jabatan, "; ");
	snprintf(buf, sizeof(buf), "%.*s", more ? (int)(more - jabatan) : (int)strlen(jabatan),
		 jabatan);
	for (size_t i = 0; i < sizeof(abbrev) / sizeof(abbrev[0]); i++) {
		char *at = strstr(buf, abbrev[i][0]);
		if (!at)
			continue;
		size_t from = strlen(abbrev[i][0]), to = strlen(abbrev[i][1]);
		memmove(at + to, at + from, strlen(at + from) + 1);
		memcpy(at, abbrev[i][1], to);
	}
	size_t len = strlen(buf);
	if (more && len + 1 < sizeof(buf))
		memcpy(buf + len++, "+", 2); /* more positions than this one */
	len = len < n ? len : n - 1;
	memcpy(out, buf, len);
	out[len] = '\0';
}

/* A period for people: 2022, "TW I 2022", "Mar 2022", "s.d. TW II 2022". */
static void period_text(const char *p, char *out, size_t n)
{
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "Mei", "Jun",
					     "Jul", "Agu", "Sep", "Okt", "Nov", "Des"};
	static const char *const quarters[] = {"I", "II", "III", "IV"};
	long key = period_key(p);
	int q = (int)(key / 10000 % 100), m = (int)(key / 100 % 100);
	const char *sd = key % 100 ? "s.d. " : "";
	if (key == LONG_MAX || q > 4 || m > 12)
		snprintf(out, n, "%s", p);
	else if (m)
		snprintf(out, n, "%s%s %.4s", sd, months[m - 1], p);
	else if (q)
		snprintf(out, n, "%sTW %s %.4s", sd, quarters[q - 1], p);
	else
		snprintf(out, n, "%s", p);
}

/* A count for a cell, for people: "612.345" below a million, then "611,1jt" (juta), "1,97M"
 * (miliar). */
static void count_text(int64_t x, char *out, size_t n)
{
	double a = (double)(x < 0 ? -x : x);
	char num[32];
	if (a < 1e6)
		text_count(x, out, n);
	else if (a < 1e9)
		snprintf(out, n, "%sjt", text_number((double)x / 1e6, 1, num, sizeof(num)));
	else
		snprintf(out, n, "%sM", text_number((double)x / 1e9, 2, num, sizeof(num)));
}

/*
 * The colour of a row's capaian band (an SGR foreground), or NULL for none.
 *
 * HOOK (accountability): values carry capaian and predikat when their indicator has a target
 * for the period (proto_value has_capaian). The common five bands get colours; bands a
 * catalog names itself, and values without a target, get none.
 */
static const char *band_colour(const struct row *r)
{
	static const char *const bands[][2] = {
	    {"Sangat Baik", "\x1b[1;32m"},   {"Baik", "\x1b[32m"},
	    {"Cukup", "\x1b[33m"},	     {"Kurang", "\x1b[31m"},
	    {"Sangat Kurang", "\x1b[1;31m"},
	};
	for (size_t i = 0; r->has_capaian && i < sizeof(bands) / sizeof(bands[0]); i++)
		if (!strcmp(r->predikat, bands[i][0]))
			return bands[i][1];
	return NULL;
}

/* A figure cell in its band's colour (the row's own attributes come back after it). */
static void sb_band(struct sbuf *b, const char *colour, bool bold, const char *s, int width,
		    bool right)
{
	if (colour)
		sb_str(b, colour);
	if (right)
		sb_rcell(b, s, width);
	else
		sb_cell(b, s, width);
	if (colour)
		sb_str(b, bold ? "\x1b[0;1m" : "\x1b[0m");
}

static void draw_row(const struct view *v, const struct layout *l, const struct row *r, int64_t now,
		     struct sbuf *b)
{
	bool recent = r->changed_ms && now - r->changed_ms < LIVE_RECENT_MS;
	const struct proto_indicator *ind = r->ind < INT_MAX ? &v->cat.indicators[r->ind] : NULL;
	const struct proto_orgunit *ou = r->ou < INT_MAX ? &v->cat.orgunits[r->ou] : NULL;
	const char *colour = band_colour(r);
	char jab[PROTO_TEXT_MAX + 2] = "", ou_name[PROTO_TEXT_MAX + 8], per[32], data[64], num[24],
				  den[24], pct[32] = "-", cap[16] = "";
	struct proto_value val = {.num = r->num, .den = r->den, .factor = r->factor};
	double ratio;
	if (ind)
		jabatan_short(ind->jabatan, jab, sizeof(jab));
	snprintf(ou_name, sizeof(ou_name), "%s%s",
		 ou && !strcmp(ou->kind, "kecamatan") ? "Kec. " : "",
		 ou && ou->name[0] ? ou->name : r->orgunit);
	period_text(r->period, per, sizeof(per));
	if (text_width(per) > l->per)
		snprintf(per, sizeof(per), "%s", r->period); /* narrow: the id, 8 at most */
	count_text(r->num, num, sizeof(num));
	count_text(r->den, den, sizeof(den));
	snprintf(data, sizeof(data), "%s/%s", num, den);
	if (proto_value_ratio(&val, &ratio))
		snprintf(pct, sizeof(pct), "%s%s", text_number(ratio, 2, num, sizeof(num)),
			 r->factor == 100 ? " %" : "");
	if (r->has_capaian)
		text_number(r->capaian, 2, cap, sizeof(cap));
	sb_str(b, !recent	 ? "  "
		  : r->trend > 0 ? "\x1b[1;33m▲\x1b[39m "
		  : r->trend < 0 ? "\x1b[1;33m▼\x1b[39m "
				 : "\x1b[1;33m•\x1b[39m ");
	sb_cell(b, jab, l->jab);
	sb_cell(b, r->indicator, l->code);
	sb_cell(b, ind ? ind->name : "", l->name);
	sb_str(b, " ");
	sb_cell(b, ou_name, l->ou);
	sb_cell(b, per, l->per);
	sb_rcell(b, data, l->data);
	sb_band(b, l->cap ? NULL : colour, recent, pct, l->pct, true);
	sb_band(b, colour, recent, cap, l->cap, true);
	if (r->check[0]) /* breaks its rule: the flag instead of the predikat (the summary says which) */
		sb_band(b, "\x1b[1;7;31m", recent, "perlu diperiksa", l->pred, false);
	else
		sb_band(b, colour, recent, r->predikat, l->pred, false);
	sb_str(b, "\x1b[0m");
}

/* The row drawn at screen position i of the body (by catalog order, or by latest change). */
static const struct row *row_at(const struct view *v, size_t i)
{
	return v->by_change ? &v->rows[v->order[i].at] : &v->rows[i];
}

/* For the order by latest change: newer first, then catalog order. */
static int order_cmp(const void *pa, const void *pb)
{
	const struct order *a = pa, *b = pb;
	if (a->changed_ms != b->changed_ms)
		return a->changed_ms > b->changed_ms ? -1 : 1;
	return (a->at > b->at) - (a->at < b->at);
}

static void view_order(struct view *v)
{
	if (!v->by_change)
		return;
	for (size_t i = 0; i < v->n; i++)
		v->order[i] = (struct order){v->rows[i].changed_ms, i};
	qsort(v->order, v->n, sizeof(*v->order), order_cmp);
}

/* What the filters say, for the header: "jabatan Sekretaris Kecamatan, periode 2022". */
static void filter_text(const struct proto_query *q, char *out, size_t n)
{
	const char *names[] = {"indikator", "jabatan", "wilayah", "periode"};
	const char *vals[] = {q->indicator, q->jabatan, q->orgunit, q->period};
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < 4 && len < n; i++)
		if (vals[i][0])
			len += (size_t)snprintf(out + len, n - len, "%s%s %s", len ? ", " : "",
						names[i], vals[i]);
	if (!out[0])
		snprintf(out, n, "semua nilai");
}

/* The first status line: where, how far, how alive; the state on the right. */
static void draw_status(const struct view *v, struct sbuf *b)
{
	struct iki_stream_status st;
	char left[512], right[sizeof(v->problem) + 8], beat[48] = "belum ada";
	iki_stream_status(v->s, &st);
	if (st.heartbeat_age_ms >= 0)
		snprintf(beat, sizeof(beat), "%.1f dtk lalu", (double)st.heartbeat_age_ms / 1e3);
	snprintf(left, sizeof(left),
		 " iki watch · ikid %s · seq %" PRIu64 " · sinkron ulang %" PRIu64
		 " · detak terakhir %s",
		 v->o->request, st.seq, st.resyncs, beat);
	const char *colour = "\x1b[1;32m";
	if (v->problem[0]) {
		snprintf(right, sizeof(right), "%s ", v->problem);
		colour = "\x1b[1;37;41m";
	} else if (st.stale) {
		snprintf(right, sizeof(right), "SENYAP %.0f dtk ", (double)st.heard_age_ms / 1e3);
		colour = "\x1b[1;37;41m";
	} else {
		snprintf(right, sizeof(right), "● LANGSUNG ");
	}
	int room = v->width - text_width(right) - 1;
	sb_cell(b, left, room > 0 ? room : 0);
	if (room >= 0) {
		sb_str(b, colour);
		sb_str(b, right);
		sb_str(b, "\x1b[0m");
	}
}

/* The second status line: the filter, how many values, how many just changed, the order. */
static void draw_summary(const struct view *v, int64_t now, int body, struct sbuf *b)
{
	char filter[600], line[1000], flagged[200] = "", safe[PROTO_CHECK_MAX + 1];
	size_t recent = 0, broken = 0;
	const struct row *first = NULL;
	for (size_t i = 0; i < v->n; i++) {
		recent += v->rows[i].changed_ms && now - v->rows[i].changed_ms < LIVE_RECENT_MS;
		if (v->rows[i].check[0] && !broken++)
			first = &v->rows[i];
	}
	if (first)
		snprintf(flagged, sizeof(flagged), " · %zu perlu diperiksa (%s %s: aturan %s)",
			 broken, first->indicator, first->period,
			 cli_safe(first->check, safe, sizeof(safe)));
	filter_text(v->filter, filter, sizeof(filter));
	size_t last = v->top + (size_t)body < v->n ? v->top + (size_t)body : v->n;
	snprintf(line, sizeof(line),
		 " %s · %zu nilai · %zu berubah dalam %d dtk%s · urut %s · baris %zu-%zu", filter,
		 v->n, recent, LIVE_RECENT_MS / 1000, flagged, v->by_change ? "terbaru" : "katalog",
		 v->n ? v->top + 1 : 0, last);
	sb_cell(b, line, v->width - 1);
}

static void draw_headings(const struct layout *l, struct sbuf *b, int width)
{
	struct sbuf h = {0};
	sb_str(&h, "  ");
	sb_cell(&h, "Jabatan", l->jab);
	sb_cell(&h, "Indikator", l->code + 1 + l->name + 1);
	sb_cell(&h, "Wilayah", l->ou);
	sb_cell(&h, "Periode", l->per);
	sb_rcell(&h, "Pemb./Peny.", l->data);
	sb_rcell(&h, "Realisasi", l->pct);
	sb_rcell(&h, "Capaian", l->cap);
	sb_cell(&h, "Predikat", l->pred);
	sb_str(b, "\x1b[7m");
	sb_cell(b, h.p ? h.p : "", width - 1);
	sb_str(b, "\x1b[0m");
	free(h.p);
}

/* Screen line i of the frame, into b. */
static void draw_line(const struct view *v, const struct layout *l, int i, int64_t now,
		      struct sbuf *b)
{
	int body = v->height - LIVE_HEAD - 1;
	if (i == 0)
		draw_status(v, b);
	else if (i == 1)
		draw_summary(v, now, body, b);
	else if (i == 2)
		draw_headings(l, b, v->width);
	else if (i == v->height - 1)
		sb_cell(b, " q keluar · ↑ ↓ PgUp PgDn Home End gulir · u urut terbaru/katalog",
			v->width - 1);
	else if (v->n == 0 && i == LIVE_HEAD + 1)
		sb_cell(b, "   Belum ada nilai: menunggu data dari ikid ...", v->width - 1);
	else if (v->top + (size_t)(i - LIVE_HEAD) < v->n)
		draw_row(v, l, row_at(v, v->top + (size_t)(i - LIVE_HEAD)), now, b);
}

/* Write all of buf to stdout (a terminal may take it in parts). */
static void write_all(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static void write_str(const char *s)
{
	write_all(s, strlen(s));
}

/* Draw a frame: only the lines that differ from what the screen shows (all after a resize). */
static void view_draw(struct view *v, int64_t now)
{
	struct sbuf out = {0};
	struct layout l = layout(v);
	int body = v->height - LIVE_HEAD - 1;
	size_t max_top = v->n > (size_t)(body > 0 ? body : 0) ? v->n - (size_t)body : 0;
	if (v->top > max_top)
		v->top = max_top;
	view_order(v);
	for (int i = 0; i < v->height && i < v->n_shown; i++) {
		struct sbuf line = {0};
		draw_line(v, &l, i, now, &line);
		const char *s = line.p ? line.p : "";
		if (v->full || !v->shown[i] || strcmp(v->shown[i], s) != 0) {
			sb_printf(&out, "\x1b[%d;1H", i + 1);
			sb_str(&out, s);
			sb_str(&out, "\x1b[K");
			free(v->shown[i]);
			v->shown[i] = line.p ? line.p : strdup("");
		} else {
			free(line.p);
		}
	}
	if (out.len)
		write_all(out.p, out.len);
	free(out.p);
	v->full = false;
	v->dirty = false;
	v->drawn_ms = now;
}

/* ---- the terminal ---- */

/* Take the terminal's size, and forget what was drawn: the next frame draws every line. */
static void term_size(struct view *v)
{
	struct winsize ws;
	int h = 24, w = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
		h = ws.ws_row;
		w = ws.ws_col;
	}
	for (int i = 0; i < v->n_shown; i++)
		free(v->shown[i]);
	free(v->shown);
	v->shown = calloc((size_t)h, sizeof(*v->shown));
	v->n_shown = v->shown ? h : 0;
	v->height = h;
	v->width = w;
	v->full = true;
	write_str("\x1b[2J");
}

/* The alternate screen, no cursor, no line wrap; keys one at a time, not echoed. */
static void term_enter(struct view *v)
{
	v->tty_in = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &v->saved) == 0;
	if (v->tty_in) {
		struct termios t = v->saved;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &t);
	}
	write_str("\x1b[?1049h\x1b[?25l\x1b[?7l");
	term_size(v);
}

/* Give the terminal back as it was. */
static void term_leave(struct view *v)
{
	write_str("\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l");
	if (v->tty_in)
		tcsetattr(STDIN_FILENO, TCSANOW, &v->saved);
}

/* Ctrl-Z: give the terminal back, stop; when continued, take it again and redraw. */
static void term_suspend(struct view *v)
{
	suspended = 0;
	term_leave(v);
	signal(SIGTSTP, SIG_DFL);
	raise(SIGTSTP);
	catch_signal(SIGTSTP);
	term_enter(v);
}

/* The plain key that does what the escape sequence at k (after ESC) does; *used: its length. */
static char key_escape(const char *k, ssize_t n, ssize_t *used)
{
	static const struct {
		const char *seq;
		char key;
	} seqs[] = {
	    {"[A", 'k'},  {"OA", 'k'}, {"[B", 'j'}, {"OB", 'j'},  {"[5~", 'b'}, {"[6~", ' '},
	    {"[1~", 'g'}, {"[H", 'g'}, {"OH", 'g'}, {"[4~", 'G'}, {"[F", 'G'},	{"OF", 'G'},
	};
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		ssize_t len = (ssize_t)strlen(seqs[i].seq);
		if (n >= len && !memcmp(k, seqs[i].seq, (size_t)len)) {
			*used = len;
			return seqs[i].key;
		}
	}
	*used = 0;
	return 0;
}

/* Keys waiting on stdin: q quits; arrows, PgUp, PgDn, Home, End (or k j b space g G) scroll;
 * u switches the order. */
static void view_keys(struct view *v)
{
	char k[64];
	struct pollfd p = {STDIN_FILENO, POLLIN, 0};
	if (!v->tty_in || poll(&p, 1, 0) <= 0)
		return;
	ssize_t n = read(STDIN_FILENO, k, sizeof(k));
	size_t body = v->height > LIVE_HEAD + 1 ? (size_t)(v->height - LIVE_HEAD - 1) : 1;
	for (ssize_t i = 0, used; i < n; i++) {
		char c = k[i];
		if (c == '\x1b') {
			c = key_escape(k + i + 1, n - i - 1, &used);
			i += used;
		}
		if (c == 'q' || c == 'Q')
			*v->stop = 1;
		else if (c == 'k' && v->top > 0)
			v->top--;
		else if (c == 'j')
			v->top++;
		else if (c == 'b')
			v->top = v->top > body ? v->top - body : 0;
		else if (c == ' ')
			v->top += body;
		else if (c == 'g')
			v->top = 0;
		else if (c == 'G')
			v->top = v->n; /* view_draw brings it back to the last page */
		else if (c == 'u')
			v->by_change = !v->by_change;
		v->dirty = true;
	}
}

/* ---- the table's loop ---- */

/*
 * Draw until stopped: a frame at most every LIVE_FRAME_MS while values change, and every
 * LIVE_TICK_MS anyway (ages, highlights that fade). ikid not answering a snapshot is shown and
 * tried again; any other failure ends the view and is returned.
 */
static int run_table(struct view *v)
{
	int rc = 0;
	term_enter(v);
	while (!*v->stop) {
		if (suspended)
			term_suspend(v);
		if (resized) {
			resized = 0;
			term_size(v);
		}
		view_keys(v);
		int64_t now = now_ms();
		int64_t due = v->drawn_ms + (v->dirty ? LIVE_FRAME_MS : LIVE_TICK_MS);
		if ((now >= due || v->full) && v->loading == 0) {
			view_draw(v, now);
			continue;
		}
		int64_t wait = v->loading ? 0 : due - now < LIVE_KEY_MS ? due - now : LIVE_KEY_MS;
		struct iki_stream_event ev;
		rc = iki_stream_next(v->s, &ev, (int)wait);
		if (rc == 1)
			view_apply(v, &ev, now_ms());
		else if (rc == IKI_ETIMEOUT)
			snprintf(v->problem, sizeof(v->problem),
				 "ikid tidak menjawab; mencoba lagi");
		else if (rc < 0 && rc != -EINTR)
			break;
		rc = 0;
	}
	term_leave(v);
	return rc;
}

static void view_free(struct view *v)
{
	for (int i = 0; i < v->n_shown; i++)
		free(v->shown[i]);
	free(v->shown);
	free(v->rows);
	free(v->old);
	free(v->order);
	free(v->inds);
	free(v->ous);
	proto_msg_clear(&v->cat);
}

int live_run(const struct iki_client_options *o, struct iki_client *c, struct iki_stream *s,
	     const struct proto_query *filter, volatile sig_atomic_t *stop)
{
	struct view v = {.o = o, .filter = filter, .s = s, .stop = stop};
	catch_signal(SIGWINCH);
	catch_signal(SIGTSTP);
	view_catalog(&v, c);
	int rc = run_table(&v);
	view_free(&v);
	return rc;
}
