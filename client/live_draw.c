/* live_draw.c: iki watch's live table, its frames: a line per row, of which only those that
 * changed are written (live_int.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "grow.h"
#include "live_int.h"
#include "text.h"

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
	long key = view_period_key(p);
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
void view_write(const char *buf, size_t len)
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

/* Draw a frame: only the lines that differ from what the screen shows (all after a resize). */
void view_draw(struct view *v, int64_t now)
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
		view_write(out.p, out.len);
	free(out.p);
	v->full = false;
	v->dirty = false;
	v->drawn_ms = now;
}
