/* tables.c: the LAKIP tables laid out as text, CSV or HTML (see tables.h). */
#include "tables.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "grow.h"
#include "iki.h"
#include "iki_client.h"
#include "period.h"
#include "text.h"

/*
 * The periods a row shows after the year's figures, in reading order: each triwulan, and after
 * II and III the cumulative figure since 1 January ("s.d." = sampai dengan). s.d. Triwulan I is
 * Triwulan I itself, and s.d. Triwulan IV of a summed figure is the year: neither is repeated.
 */
static const struct {
	int p;		  /* enum tables_period */
	const char *text; /* the text format's label, within TW_PERIOD columns */
	const char *name; /* the HTML, CSV and XLSX headings */
} SHOWN[] = {
	{TABLES_Q1, "Triwulan I", "Triwulan I"},
	{TABLES_Q2, "Triwulan II", "Triwulan II"},
	{TABLES_Q2SD, "s.d. TW II", "s.d. Triwulan II"},
	{TABLES_Q3, "Triwulan III", "Triwulan III"},
	{TABLES_Q3SD, "s.d. TW III", "s.d. Triwulan III"},
	{TABLES_Q4, "Triwulan IV", "Triwulan IV"},
};
#define N_SHOWN ((int)(sizeof(SHOWN) / sizeof(SHOWN[0])))
_Static_assert(N_SHOWN == TABLES_SHOWN, "tables.h: TABLES_SHOWN");

/* What the cumulative columns are, under the tables of every format but CSV. */
static const char LEGEND[] =
	"Keterangan: s.d. = sampai dengan, sejak 1 Januari sampai akhir triwulan itu: untuk data "
	"yang dijumlahkan (surat, permohonan, belanja) jumlah sejak 1 Januari, untuk data keadaan "
	"(pagu, target, status desa) nilainya pada akhir triwulan; target dan capaiannya ialah "
	"target triwulan itu. s.d. Triwulan I sama dengan Triwulan I, dan realisasi s.d. Triwulan "
	"IV data yang dijumlahkan sama dengan realisasi Tahun, sehingga keduanya tidak ditulis lagi.";

static const struct proto_value *value_find(const struct tables *t, int p, const char *code)
{
	for (size_t i = 0; i < t->n_values[p]; i++)
		if (!strcmp(t->values[p][i].indicator, code))
			return &t->values[p][i];
	return NULL;
}

int tables_shown(int k, const char **name, int *sd)
{
	*name = SHOWN[k].name;
	*sd = SHOWN[k].p == TABLES_Q2SD || SHOWN[k].p == TABLES_Q3SD;
	return SHOWN[k].p;
}

const char *tables_legend(void)
{
	return LEGEND;
}

int tables_fetch_notes(struct iki_client *c, const struct proto_msg *catalog, const char *orgunit,
		       struct proto_note **notes, size_t *n, char *message)
{
	struct proto_query q = {0};
	snprintf(q.orgunit, sizeof(q.orgunit), "%s",
		 orgunit[0] ? orgunit : catalog->n_orgunits ? catalog->orgunits[0].code : "");
	*notes = NULL;
	*n = 0;
	int rc = iki_note(c, &q, NULL, false, notes, n, message);
	return rc == IKI_ETYPE ? 0 : rc;
}

char *tables_note(const struct tables *t, const char *indicator)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (int k = 0; k <= N_SHOWN; k++) {
		char id[PERIOD_ID_MAX];
		tables_period(t->year, k ? SHOWN[k - 1].p : TABLES_YEAR, id);
		for (size_t i = 0; i < t->n_notes; i++)
			if (!strcmp(t->notes[i].indicator, indicator) && !strcmp(t->notes[i].period, id) &&
			    t->notes[i].text[0])
				fprintf(f, "%s%s: %s", ftell(f) ? "; " : "",
					k ? SHOWN[k - 1].name : "Tahun", t->notes[i].text);
	}
	if (fclose(f) != 0 || !len) {
		free(buf);
		return NULL;
	}
	return buf;
}

bool tables_check(const struct tables *t, const char *indicator, char *buf, size_t n)
{
	const char *rule = "";
	size_t len = (size_t)snprintf(buf, n, "perlu diperiksa:");
	for (int k = 0; k <= N_SHOWN && len < n; k++) {
		const struct proto_value *v = value_find(t, k ? SHOWN[k - 1].p : TABLES_YEAR, indicator);
		if (!v || !v->check[0])
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s %s", rule[0] ? "," : "",
					k ? SHOWN[k - 1].text : "Tahun");
		rule = v->check;
	}
	if (!rule[0]) {
		buf[0] = '\0';
		return false;
	}
	if (len < n)
		snprintf(buf + len, n - len, " (aturan: %s)", rule);
	return true;
}

void tables_period(int year, int p, char *id)
{
	struct period per = {PERIOD_YEAR, year, 0};
	if (p == TABLES_PREV && year - 1 < PERIOD_YEAR_MIN) {
		id[0] = '\0';
		return;
	}
	if (p == TABLES_PREV)
		per.year = year - 1;
	else if (p >= TABLES_Q1 && p <= TABLES_Q4)
		per = (struct period){PERIOD_QUARTER, year, p - TABLES_Q1 + 1};
	else if (p == TABLES_Q2SD || p == TABLES_Q3SD)
		per = (struct period){PERIOD_QUARTER_SD, year, p == TABLES_Q2SD ? 2 : 3};
	period_format(per, id);
}

/* ---- Indonesian syllables: where a word of a narrow cell may break (tables.h) ---- */

static bool syl_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* The length of the consonant at w[i]: 2 for ng, ny, kh and sy (one sound each), else 1. */
static size_t syl_consonant(const char *w, size_t i, size_t n)
{
	if (i + 1 >= n)
		return 1;
	char a = w[i], b = w[i + 1];
	return (a == 'n' && (b == 'g' || b == 'y')) || (a == 'k' && b == 'h') || (a == 's' && b == 'y')
		       ? 2
		       : 1;
}

/* Whether consonants a b (their letters, a of len la) may begin a syllable together after a
 * prefix: a stop or f, then r or l (di-pro-ses, ke-pri-ha-tin-an). */
static bool syl_onset(const char *a, size_t la, char b)
{
	return (b == 'r' || b == 'l') && (la == 1 ? strchr("pbtdkgfv", a[0]) != NULL : !strncmp(a, "kh", 2));
}

/* Whether w (lowercase, n letters) begins with prefix p before a vowel. */
static bool syl_prefix(const char *w, size_t n, const char *p)
{
	size_t k = strlen(p);
	return n > k && !strncmp(w, p, k) && syl_vowel(w[k]);
}

int tables_syllables(const char *word, size_t n, bool *brk)
{
	char w[TABLES_WORD_MAX];
	size_t start[TABLES_WORD_MAX], len[TABLES_WORD_MAX], units = 0;
	int capitals = 0, count = 0;
	if (n < 5 || n > TABLES_WORD_MAX)
		return 0;
	memset(brk, 0, n * sizeof(*brk));
	for (size_t i = 0; i < n; i++) {
		char c = word[i];
		if (c >= 'A' && c <= 'Z') {
			capitals++;
			c = (char)(c - 'A' + 'a');
		}
		if (c < 'a' || c > 'z')
			return 0;
		w[i] = c;
	}
	if (capitals > 1)
		return 0; /* SKPD, RKA, PNS: abbreviations, read letter by letter */
	for (size_t i = 0; i < n; i += len[units++]) { /* the word's sounds: vowels, consonants */
		start[units] = i;
		len[units] = syl_vowel(w[i]) ? 1 : syl_consonant(w, i, n);
	}
	/* between each two vowels: one consonant goes to the next syllable, two are parted, of
	 * three the first stays when the other two may begin a syllable (ben-trok); else none */
	for (size_t v = 0; v < units; v++) {
		if (!syl_vowel(w[start[v]]))
			continue;
		size_t next = v + 1;
		while (next < units && !syl_vowel(w[start[next]]))
			next++;
		size_t k = next - v - 1;
		if (next == units || k == 0)
			continue;
		size_t at = 0; /* where the break goes; 0: none */
		if (k == 1)
			at = start[v + 1];
		else if (k == 2 && !syl_onset(w + start[v + 1], len[v + 1], w[start[v + 2]]))
			at = start[v + 2];
		else if (k == 3 && w[start[v + 1]] != 's' && len[v + 3] == 1 &&
			 syl_onset(w + start[v + 2], len[v + 2], w[start[v + 3]]))
			at = start[v + 2]; /* s-tr is adminis-trasi but infra-struktur: neither */
		if (at)
			brk[at] = true;
	}
	/* a prefix before a vowel: ber-akhir or be-rakhir, peng-amat-an or pe-nga-mat-an */
	if (syl_prefix(w, n, "ber") || syl_prefix(w, n, "ter") || syl_prefix(w, n, "per") ||
	    syl_prefix(w, n, "meng") || syl_prefix(w, n, "peng"))
		brk[2] = false;
	/* a final -an or -i (before -nya) after a consonant: lapor-an, not lapo-ran */
	size_t base = n > 6 && !strncmp(w + n - 3, "nya", 3) ? n - 3 : n;
	size_t suffix = base >= 4 && !strncmp(w + base - 2, "an", 2) ? base - 2
			: base >= 3 && w[base - 1] == 'i'		  ? base - 1
									  : 0;
	for (size_t u = 1; suffix && u < units; u++)
		if (start[u] + len[u] == suffix && !syl_vowel(w[start[u]]))
			brk[start[u]] = false;
	for (size_t i = 0; i < n; i++) {
		if (i < 2 || n - i < 3)
			brk[i] = false; /* 2 letters before a break at least, 3 after */
		count += brk[i];
	}
	return count;
}

#define FORMULA_MAX (2 * PROTO_TEXT_MAX + 64)

/* ---- the model: what every format prints, in the order it prints it ---- */

/* One value as the report shows it: ikid's figures, none computed here. */
struct cell {
	bool data;    /* den > 0: realisasi is defined */
	bool percent; /* factor 100: realisasi is a percentage */
	bool target, revised, capaian;
	double realisasi, target_v, original, capaian_v;
	int64_t num, den;
	char predikat[32];
	bool check; /* it breaks its indicator's validation rule: perlu diperiksa (tables_check) */
};

struct row {
	int ind; /* index into the catalog's indicators */
	int no;  /* its number in the jabatan's table */
	struct cell cell[TABLES_PERIODS];
};

struct group {
	char jabatan[PROTO_TEXT_MAX + 1];
	struct row *rows;
	int n;
	size_t cap;
};

struct model {
	const struct tables *t;
	const struct proto_indicator *ind; /* the catalog's indicators */
	struct group *groups;
	int n_groups;
	size_t cap_groups;
	char office[PROTO_TEXT_MAX + 32]; /* "Kantor Kecamatan Sampang" */
	char unit[PROTO_TEXT_MAX + 64];   /* "Kecamatan Sampang (35.27.03)" */
	char unit_name[PROTO_TEXT_MAX + 32]; /* "Kecamatan Sampang" */
	char unit_code[PROTO_ORGUNIT_MAX + 1];
	bool has_prev; /* ikid holds data of the year before: its realisasi is shown beside */
};


static void cell_set(struct cell *c, const struct proto_value *v)
{
	memset(c, 0, sizeof(*c));
	if (!v)
		return; /* ikid sent no value: no data, no target */
	c->percent = v->factor == 100;
	c->data = proto_value_ratio(v, &c->realisasi);
	c->num = v->num;
	c->den = v->den;
	c->target = v->has_target;
	c->target_v = (double)v->target / 100;
	c->revised = v->has_target && v->revised;
	c->original = (double)v->target_original / 100;
	c->capaian = v->has_capaian;
	c->capaian_v = v->capaian;
	snprintf(c->predikat, sizeof(c->predikat), "%s", v->has_capaian ? v->predikat : "");
	c->check = v->check[0] != '\0';
}

/* The next position of a "; "-joined list into buf; returns where the rest starts, or NULL. */
static const char *jabatan_next(const char *s, char *buf, size_t n)
{
	while (*s == ' ' || *s == ';')
		s++;
	if (!*s)
		return NULL;
	const char *end = strstr(s, "; ");
	size_t len = end ? (size_t)(end - s) : strlen(s);
	snprintf(buf, n, "%.*s", (int)len, s);
	return s + len;
}

/* The group of a position, made when new; -ENOMEM. */
static int group_get(struct model *m, const char *jabatan)
{
	for (int g = 0; g < m->n_groups; g++)
		if (!strcmp(m->groups[g].jabatan, jabatan))
			return g;
	if (grow((void **)&m->groups, &m->cap_groups, (size_t)m->n_groups + 1, sizeof(*m->groups)) < 0)
		return -ENOMEM;
	struct group *gr = &m->groups[m->n_groups];
	memset(gr, 0, sizeof(*gr));
	snprintf(gr->jabatan, sizeof(gr->jabatan), "%s", jabatan);
	return m->n_groups++;
}

static int row_add(struct model *m, int g, int ind)
{
	struct group *gr = &m->groups[g];
	if (gr->n && gr->rows[gr->n - 1].ind == ind)
		return 0; /* a position listed twice on one indicator */
	if (grow((void **)&gr->rows, &gr->cap, (size_t)gr->n + 1, sizeof(*gr->rows)) < 0)
		return -ENOMEM;
	struct row *row = &gr->rows[gr->n++];
	row->ind = ind;
	row->no = gr->n;
	for (int p = 0; p < TABLES_PERIODS; p++)
		cell_set(&row->cell[p], value_find(m->t, p, m->ind[ind].indicator));
	m->has_prev |= row->cell[TABLES_PREV].data;
	return 0;
}

/* The year before as a row shows it: its realisasi alone (the year's targets are this year's). */
static struct cell prev_cell(const struct row *row)
{
	struct cell c = row->cell[TABLES_PREV];
	c.target = c.revised = c.capaian = c.check = false;
	c.predikat[0] = '\0';
	return c;
}

/* Put each indicator ikid answered for under each of its positions, in catalog order. */
static int model_groups(struct model *m)
{
	const struct proto_msg *cat = m->t->catalog;
	char name[PROTO_TEXT_MAX + 1];
	for (size_t i = 0; i < cat->n_indicators; i++) {
		const char *s = m->ind[i].jabatan[0] ? m->ind[i].jabatan : "Tanpa jabatan";
		if (!value_find(m->t, 0, m->ind[i].indicator))
			continue; /* not selected (--jabatan) */
		while ((s = jabatan_next(s, name, sizeof(name)))) {
			if (m->t->jabatan[0] && strcasecmp(name, m->t->jabatan) != 0)
				continue;
			int g = group_get(m, name);
			if (g < 0 || row_add(m, g, (int)i) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

/* "Kecamatan", "Desa", "Kelurahan" for an org unit's kind; "" for another. */
static const char *kind_label(const char *kind)
{
	return !strcmp(kind, "kecamatan") ? "Kecamatan "
	       : !strcmp(kind, "desa")	  ? "Desa "
	       : !strcmp(kind, "kelurahan") ? "Kelurahan "
					    : "";
}

/* The office (the catalog's root) and the org unit reported on, by name. */
static void model_names(struct model *m)
{
	const struct proto_msg *cat = m->t->catalog;
	const struct proto_orgunit *root = NULL, *unit = NULL;
	for (size_t i = 0; i < cat->n_orgunits; i++) {
		const struct proto_orgunit *ou = &cat->orgunits[i];
		if (!root && !ou->parent[0])
			root = ou;
		if (m->t->orgunit[0] && !strcmp(ou->code, m->t->orgunit))
			unit = ou;
	}
	if (!m->t->orgunit[0])
		unit = root;
	m->office[0] = '\0';
	if (root)
		snprintf(m->office, sizeof(m->office), "%s%s",
			 !strcmp(root->kind, "kecamatan") ? "Kantor Kecamatan " : "", root->name);
	snprintf(m->unit_code, sizeof(m->unit_code), "%s", unit ? unit->code : m->t->orgunit);
	snprintf(m->unit_name, sizeof(m->unit_name), "%s%s", unit ? kind_label(unit->kind) : "",
		 unit ? unit->name : m->t->orgunit);
	snprintf(m->unit, sizeof(m->unit), "%s (%s)", m->unit_name, m->unit_code);
}

int tables_head(const struct tables *t, struct tables_head lines[TABLES_HEAD_LINES])
{
	struct model m = {.t = t};
	const struct proto_letter *l = &t->catalog->letter;
	int n = 0;
	model_names(&m);
	for (int i = 0; i < l->n_kop && i < PROTO_KOP_LINES; i++) {
		lines[n].part = TABLES_HEAD_KOP;
		snprintf(lines[n++].text, sizeof(lines->text), "%s", l->kop[i]);
	}
	if (m.office[0]) {
		lines[n].part = TABLES_HEAD_OFFICE;
		snprintf(lines[n++].text, sizeof(lines->text), "%s", m.office);
	}
	lines[n].part = TABLES_HEAD_TITLE;
	snprintf(lines[n++].text, sizeof(lines->text), "Laporan Kinerja (LAKIP) Tahun %d", t->year);
	if (t->catalog->title[0]) {
		lines[n].part = TABLES_HEAD_CATALOG;
		snprintf(lines[n++].text, sizeof(lines->text), "%s", t->catalog->title);
	}
	lines[n].part = TABLES_HEAD_UNIT;
	snprintf(lines[n++].text, sizeof(lines->text), "Unit: %s", m.unit);
	return n;
}

static void model_free(struct model *m)
{
	for (int g = 0; g < m->n_groups; g++)
		free(m->groups[g].rows);
	free(m->groups);
	m->groups = NULL;
	m->n_groups = 0;
	m->cap_groups = 0;
}

/* ---- how figures are written ---- */

/* x with two decimals and the decimal mark dec ("86,67"); never "-0,00". */
static void num_text(double x, char dec, char *buf, size_t n)
{
	if (x > -0.005 && x < 0.005)
		x = 0;
	if (dec == ',') { /* for people: 1.234,56 */
		text_number(x, 2, buf, n);
		return;
	}
	snprintf(buf, n, "%.2f", x);
	char *point = strchr(buf, '.');
	if (point)
		*point = dec;
}

/* "86,67 %" (unit: the % of a percentage), "86,67", or "tidak ada data". */
static void realisasi_text(const struct cell *c, char dec, bool unit, char *buf, size_t n)
{
	char num[40]; /* with " %", within the callers' 48 */
	if (!c->data) {
		snprintf(buf, n, "tidak ada data");
		return;
	}
	num_text(c->realisasi, dec, num, sizeof(num));
	snprintf(buf, n, "%s%s", num, unit && c->percent ? " %" : "");
}

/* "90,00", or "-" without a target. */
static void target_text(const struct cell *c, char dec, char *buf, size_t n)
{
	if (c->target)
		num_text(c->target_v, dec, buf, n);
	else
		snprintf(buf, n, "-");
}

/* "96,30", or "-" without a target or without data. */
static void capaian_text(const struct cell *c, char dec, char *buf, size_t n)
{
	if (c->capaian)
		num_text(c->capaian_v, dec, buf, n);
	else
		snprintf(buf, n, "-");
}

static const char *predikat_text(const struct cell *c)
{
	return c->capaian && c->predikat[0] ? c->predikat : "-";
}

/* The formula in words: "(a + b) / c × 100 %". */
static void formula_text(const struct proto_indicator *in, char *buf, size_t n)
{
	bool pn = strstr(in->numerator, " + ") != NULL, pd = strstr(in->denominator, " + ") != NULL;
	char factor[32];
	if (in->factor == 100)
		snprintf(factor, sizeof(factor), "× 100 %%");
	else
		snprintf(factor, sizeof(factor), "× %lld", (long long)in->factor);
	snprintf(buf, n, "%s%s%s / %s%s%s %s", pn ? "(" : "", in->numerator, pn ? ")" : "",
		 pd ? "(" : "", in->denominator, pd ? ")" : "", factor);
}

static const char *const BULAN[12] = {"Januari", "Februari", "Maret",     "April",
				      "Mei",	 "Juni",     "Juli",	  "Agustus",
				      "September", "Oktober", "November", "Desember"};

/* When the report was made, in Indonesian: "25 November 2026 pukul 10.31 WIB". */
static void when_text(time_t t, char *buf, size_t n)
{
	struct tm tm;
	text_wib_tm(t, &tm); /* the office's time, whatever the machine's zone */
	snprintf(buf, n, "%d %s %d pukul %02d.%02d WIB", tm.tm_mday, BULAN[tm.tm_mon % 12],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

int tables_sign(const struct tables *t, char lines[TABLES_SIGN_LINES][TABLES_LINE_MAX])
{
	const struct proto_letter *l = &t->catalog->letter;
	struct tm tm;
	int n = 0;
	if (!l->place[0] && !l->title[0] && !l->name[0])
		return 0;
	text_wib_tm(t->generated, &tm);
	snprintf(lines[n++], sizeof(lines[0]), "%s%s%d %s %d", l->place, l->place[0] ? ", " : "",
		 tm.tm_mday, BULAN[tm.tm_mon % 12], tm.tm_year + 1900);
	snprintf(lines[n++], sizeof(lines[0]), "%s", l->title);
	lines[n++][0] = '\0'; /* TABLES_SIGN_GAP: where it is signed */
	snprintf(lines[n++], sizeof(lines[0]), "%s", l->name);
	snprintf(lines[n++], sizeof(lines[0]), "%s", l->rank);
	if (l->nip[0])
		snprintf(lines[n++], sizeof(lines[0]), "NIP. %s", l->nip);
	else
		lines[n++][0] = '\0';
	return n;
}

/* Which of ikid's publish points the figures are: "data per seq 12", or "" when unknown. */
static void seq_text(const struct tables *t, char *buf, size_t n)
{
	if (!t->has_seq)
		buf[0] = '\0';
	else if (t->seq == t->seq_end)
		snprintf(buf, n, ", data per seq %llu", (unsigned long long)t->seq);
	else
		snprintf(buf, n, ", data berubah selama laporan dibuat (seq %llu sampai %llu)",
			 (unsigned long long)t->seq, (unsigned long long)t->seq_end);
}

void tables_footer(const struct tables *t, char *buf, size_t n)
{
	char when[96], seq[96];
	when_text(t->generated, when, sizeof(when));
	seq_text(t, seq, sizeof(seq));
	snprintf(buf, n, "Dibuat %s oleh iki report. Sumber: ikid%s.", when, seq);
}

/* ---- text: 120 columns; the left column wraps, each row has a line per period ---- */

#define TW_NO 3
#define TW_TEXT 39
#define TW_PERIOD 12
#define TW_TARGET 22
#define TW_REAL 14
#define TW_CAP 11
#define TW_PREDIKAT 13
#define TW_LINES 40

struct text_col {
	char line[TW_LINES][TW_TEXT * 4 + 1];
	int n;
};

/* Add s to the column, wrapped; lines after the first indented by two spaces. */
static void text_para(struct text_col *col, const char *s)
{
	struct text_line l[TW_LINES];
	int n = text_wrap(s, TW_TEXT - 2, l, TW_LINES);
	for (int i = 0; i < n && i < TW_LINES && col->n < TW_LINES; i++)
		snprintf(col->line[col->n++], sizeof(col->line[0]), "%s%.*s", i ? "  " : "",
			 (int)l[i].len, s + l[i].start);
}

static void text_head(FILE *f)
{
	static const char *const dashes = "----------------------------------------";
	text_cell(f, "No", TW_NO);
	text_cell(f, "Indikator Kinerja", TW_TEXT);
	text_cell(f, "Periode", TW_PERIOD);
	text_cell(f, "Target (%)", TW_TARGET);
	text_cell(f, "Realisasi", TW_REAL);
	text_cell(f, "Capaian (%)", TW_CAP);
	fprintf(f, "Predikat\n");
	fprintf(f, "%.*s %.*s %.*s %.*s %.*s %.*s %.*s\n", TW_NO, dashes, TW_TEXT, dashes, TW_PERIOD,
		dashes, TW_TARGET, dashes, TW_REAL, dashes, TW_CAP, dashes, TW_PREDIKAT, dashes);
}

/* The period columns of one line: "Triwulan I  90,00  86,67 %  96,30  Sangat Baik". */
static void text_period(FILE *f, const char *label, const struct cell *c)
{
	char target[64], original[32], real[48], cap[48];
	const char *pk = predikat_text(c);
	target_text(c, ',', target, sizeof(target));
	if (c->revised) {
		num_text(c->original, ',', original, sizeof(original));
		snprintf(target + strlen(target), sizeof(target) - strlen(target), " (semula %s)",
			 original);
	}
	realisasi_text(c, ',', true, real, sizeof(real));
	capaian_text(c, ',', cap, sizeof(cap));
	text_cell(f, label, TW_PERIOD);
	text_cell(f, target, TW_TARGET);
	text_cell(f, real, TW_REAL);
	text_cell(f, cap, TW_CAP);
	fprintf(f, "%.*s\n", (int)text_cut(pk, 31), pk);
}

/* The analysis under a row: "Analisis: ...", wrapped within the page, control characters as
 * spaces (a note is anyone's text and this may be a terminal). */
static void text_note(FILE *f, const struct tables *t, const char *indicator)
{
	struct text_line l[TW_LINES];
	char *note = tables_note(t, indicator);
	if (!note)
		return;
	for (char *p = note; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	int n = text_wrap(note, 120 - TW_NO - 3 - 10, l, TW_LINES); /* after "Analisis: " */
	for (int i = 0; i < n && i < TW_LINES; i++) {
		text_cell(f, "", TW_NO);
		fprintf(f, "%s%.*s\n", i ? "  " : "Analisis: ", (int)l[i].len, note + l[i].start);
	}
	free(note);
}

static void text_row(FILE *f, const struct model *m, const struct row *row)
{
	const struct proto_indicator *in = &m->ind[row->ind];
	struct text_col *col = calloc(1, sizeof(*col));
	char buf[FORMULA_MAX + 64], formula[FORMULA_MAX], no[16], year[24], prev_label[24];
	if (!col)
		return;
	snprintf(buf, sizeof(buf), "%s [%s]", in->name, in->indicator);
	text_para(col, buf);
	snprintf(buf, sizeof(buf), "Sasaran: %s", in->sasaran[0] ? in->sasaran : "-");
	text_para(col, buf);
	formula_text(in, formula, sizeof(formula));
	snprintf(buf, sizeof(buf), "Formula: %s", formula);
	text_para(col, buf);
	snprintf(buf, sizeof(buf), "Sumber Data: %s", in->source[0] ? in->source : "-");
	text_para(col, buf);
	snprintf(no, sizeof(no), "%d.", row->no);
	snprintf(year, sizeof(year), "Tahun %d", m->t->year);
	snprintf(prev_label, sizeof(prev_label), "Tahun %d", m->t->year - 1);
	struct cell prev = prev_cell(row);
	int periods = N_SHOWN + 1 + m->has_prev; /* the year, the shown periods, the year before */
	for (int k = 0; k < col->n || k < periods; k++) {
		text_cell(f, k ? "" : no, TW_NO);
		if (k < periods) {
			text_cell(f, k < col->n ? col->line[k] : "", TW_TEXT);
			if (k > N_SHOWN)
				text_period(f, prev_label, &prev);
			else
				text_period(f, k ? SHOWN[k - 1].text : year,
					    &row->cell[k ? SHOWN[k - 1].p : TABLES_YEAR]);
		} else {
			fprintf(f, "%s\n", col->line[k]);
		}
	}
	if (tables_check(m->t, in->indicator, buf, sizeof(buf))) {
		text_cell(f, "", TW_NO);
		fprintf(f, "! %s\n", buf);
	}
	text_note(f, m->t, in->indicator);
	free(col);
}

/* The legend, wrapped to the page's 120 columns. */
static void text_legend(FILE *f)
{
	struct text_line l[TW_LINES];
	int n = text_wrap(LEGEND, 118, l, TW_LINES);
	fputc('\n', f);
	for (int i = 0; i < n && i < TW_LINES; i++)
		fprintf(f, "%s%.*s\n", i ? "  " : "", (int)l[i].len, LEGEND + l[i].start);
}

/* The signature block, in the right half of the 120 columns, three empty lines to sign in. */
static void text_sign(FILE *f, const struct tables *t)
{
	char lines[TABLES_SIGN_LINES][TABLES_LINE_MAX];
	int n = tables_sign(t, lines);
	if (n)
		fputc('\n', f);
	for (int i = 0; i < n; i++) {
		if (i == TABLES_SIGN_GAP) {
			fputs("\n\n\n", f);
			continue;
		}
		if (lines[i][0])
			fprintf(f, "%72s%s\n", "", lines[i]);
	}
}

static void text_write(const struct model *m, FILE *f)
{
	char footer[512];
	struct tables_head head[TABLES_HEAD_LINES];
	int n_head = tables_head(m->t, head);
	for (int i = 0; i < n_head; i++) /* the letterhead, as the HTML's */
		fprintf(f, "%s\n", head[i].text);
	for (int g = 0; g < m->n_groups; g++) {
		fprintf(f, "\nJabatan: %s\n\n", m->groups[g].jabatan);
		text_head(f);
		for (int i = 0; i < m->groups[g].n; i++) {
			if (i)
				fputc('\n', f);
			text_row(f, m, &m->groups[g].rows[i]);
		}
	}
	if (!m->n_groups)
		fprintf(f, "\nTidak ada indikator.\n");
	else
		text_legend(f);
	text_sign(f, m->t);
	tables_footer(m->t, footer, sizeof(footer));
	fprintf(f, "\n%s\n", footer);
}

/*
 * ---- CSV: UTF-8 with a BOM, RFC 4180, one header row, decimal point ----
 *
 * Numbers are written plainly: two decimals, a decimal point, no % sign and no grouping
 * ("86.67"). A comma-separated file cannot carry a decimal comma unquoted, and a quoted
 * "86,67" is text to a spreadsheet in an English locale; "86.67" is a number there at once, and
 * stays one under an Indonesian locale when the file is imported with the column language set
 * to English (LibreOffice's import dialog, Excel's From Text/CSV). The BOM is what makes Excel
 * read the file as UTF-8. A cell without a number (no data, no target, no capaian) is empty,
 * never a word: a spreadsheet sums, averages and charts the column as numbers (the text and
 * HTML formats say "tidak ada data" and "-").
 */

struct csv {
	FILE *f;
	int col;
};

/*
 * One field, quoted when it holds a comma, a quote or a line break. A text from the catalog that
 * starts like a spreadsheet formula (=, +, -, @) gets a leading apostrophe, so that opening the
 * file never runs it; our own "-" and numbers are written as they are.
 */
static void csv_put(struct csv *c, const char *s, bool text)
{
	bool guard = text && s[0] && strchr("=+-@\t\r", s[0]) && strcmp(s, "-") != 0;
	if (c->col++)
		fputc(',', c->f);
	if (!guard && !strpbrk(s, ",\"\r\n")) {
		fputs(s, c->f);
		return;
	}
	fputc('"', c->f);
	if (guard)
		fputc('\'', c->f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', c->f);
		fputc(*s, c->f);
	}
	fputc('"', c->f);
}

static void csv_end(struct csv *c)
{
	fputs("\r\n", c->f);
	c->col = 0;
}

static void csv_head(struct csv *c)
{
	static const char *const head[] = {
		"Tahun",	"Kode Unit",	 "Unit",	"Jabatan",   "No",	  "Kode Indikator",
		"Sasaran",	"Indikator Kinerja", "Formula", "Target", "Target Semula", "Realisasi",
		"Capaian",	"Predikat",	 "Sumber Data", "Pembilang", "Penyebut"};
	char name[64];
	static const char *const sub[] = {"Target", "Realisasi", "Capaian", "Predikat"};
	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
		csv_put(c, head[i], false);
	for (int k = 0; k < N_SHOWN; k++)
		for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
			snprintf(name, sizeof(name), "%s %s", SHOWN[k].name, sub[i]);
			csv_put(c, name, false);
		}
	csv_put(c, "Perlu Diperiksa", false);
	csv_put(c, "Realisasi Tahun Sebelumnya", false);
	csv_put(c, "Analisis / Keterangan", false);
	csv_end(c);
}

/* A number with a decimal point ("86.67"), or an empty cell when there is none. */
static void csv_number(struct csv *c, bool has, double x)
{
	char buf[64] = "";
	if (has)
		num_text(x, '.', buf, sizeof(buf));
	csv_put(c, buf, false);
}

/* Target, realisasi, capaian and predikat of one period: numbers, or empty cells. */
static void csv_figures(struct csv *c, const struct cell *cell, bool original)
{
	csv_number(c, cell->target, cell->target_v);
	if (original)
		csv_number(c, cell->revised, cell->original);
	csv_number(c, cell->data, cell->realisasi);
	csv_number(c, cell->capaian, cell->capaian_v);
	csv_put(c, cell->capaian ? cell->predikat : "", true);
}

static void csv_row(struct csv *c, const struct model *m, const struct group *g,
		    const struct row *row)
{
	const struct proto_indicator *in = &m->ind[row->ind];
	const struct cell *year = &row->cell[0];
	char buf[FORMULA_MAX];
	snprintf(buf, sizeof(buf), "%d", m->t->year);
	csv_put(c, buf, false);
	csv_put(c, m->unit_code, true);
	csv_put(c, m->unit_name, true);
	csv_put(c, g->jabatan, true);
	snprintf(buf, sizeof(buf), "%d", row->no);
	csv_put(c, buf, false);
	csv_put(c, in->indicator, true);
	csv_put(c, in->sasaran, true);
	csv_put(c, in->name, true);
	formula_text(in, buf, sizeof(buf));
	csv_put(c, buf, true);
	csv_figures(c, year, true);
	/* csv_figures wrote the predikat last; the source comes after it */
	csv_put(c, in->source, true);
	snprintf(buf, sizeof(buf), "%lld", (long long)year->num);
	csv_put(c, buf, false);
	snprintf(buf, sizeof(buf), "%lld", (long long)year->den);
	csv_put(c, buf, false);
	for (int k = 0; k < N_SHOWN; k++)
		csv_figures(c, &row->cell[SHOWN[k].p], false);
	tables_check(m->t, in->indicator, buf, sizeof(buf));
	csv_put(c, buf, true);
	csv_number(c, row->cell[TABLES_PREV].data, row->cell[TABLES_PREV].realisasi);
	char *note = tables_note(m->t, in->indicator);
	csv_put(c, note ? note : "", true);
	free(note);
	csv_end(c);
}

static void csv_write(const struct model *m, FILE *f)
{
	struct csv c = {f, 0};
	fputs("\xEF\xBB\xBF", f);
	csv_head(&c);
	for (int g = 0; g < m->n_groups; g++)
		for (int i = 0; i < m->groups[g].n; i++)
			csv_row(&c, m, &m->groups[g], &m->groups[g].rows[i]);
}

/* ---- HTML: one self-contained page for A4 landscape ---- */

/* One character as HTML: markup characters escaped, control characters (none are valid) as
 * spaces. */
static void html_char(FILE *f, unsigned char ch)
{
	if (ch == '&')
		fputs("&amp;", f);
	else if (ch == '<')
		fputs("&lt;", f);
	else if (ch == '>')
		fputs("&gt;", f);
	else if (ch == '"')
		fputs("&quot;", f);
	else if (ch == '\'')
		fputs("&#39;", f);
	else if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
		fputc(' ', f);
	else
		fputc(ch, f);
}

/* Text as HTML, escaped (html_char). */
static void html_esc(FILE *f, const char *s)
{
	for (; *s; s++)
		html_char(f, (unsigned char)*s);
}

/* Whether c may stand beside a word that is hyphenated: not a letter or digit of the same token
 * ("surat_masuk", "iki01", "caf\u00e9" are not Indonesian words to break). */
static bool word_edge(unsigned char c)
{
	return !(c >= 0x80 || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		 (c >= 'A' && c <= 'Z'));
}

static bool ascii_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Text of a narrow cell as HTML (html_esc), each word given soft hyphens (&shy;) where it may
 * break between syllables (tables_syllables): the page's CSS says hyphens: manual, so a browser
 * or WeasyPrint breaks a long word there, with a hyphen, and nowhere else.
 */
static void html_text(FILE *f, const char *s)
{
	bool brk[TABLES_WORD_MAX];
	const char *start = s;
	while (*s) {
		size_t n = 0;
		while (ascii_letter((unsigned char)s[n]))
			n++;
		bool word = n >= 5 && n <= TABLES_WORD_MAX && (s == start || word_edge((unsigned char)s[-1])) &&
			    word_edge((unsigned char)s[n]);
		if (!word || tables_syllables(s, n, brk) == 0) {
			if (n == 0) /* not a letter: one character */
				n = 1;
			for (size_t i = 0; i < n; i++)
				html_char(f, (unsigned char)s[i]);
			s += n;
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			if (brk[i])
				fputs("&shy;", f);
			fputc(s[i], f);
		}
		s += n;
	}
}

static const char HTML_STYLE[] =
	"@page{size:A4 landscape;margin:10mm 9mm 12mm 9mm;"
	"@bottom-right{content:\"Halaman \" counter(page) \" dari \" counter(pages);"
	"font:7pt Arial,\"Liberation Sans\",sans-serif}}\n"
	"html{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"body{font:8pt/1.25 Arial,\"Liberation Sans\",\"DejaVu Sans\",sans-serif;color:#000;"
	"margin:0 auto;max-width:279mm;padding:8mm 4mm}\n"
	"@media print{body{padding:0;max-width:none}}\n"
	"@media screen{table{min-width:270mm}}\n" /* a narrow screen scrolls, never squeezes */
	".kop{text-align:center;border-bottom:3px double #000;padding-bottom:5pt;"
	"margin-bottom:10pt}\n"
	".kop h1{font-size:13pt;margin:0;text-transform:uppercase;letter-spacing:.4pt}\n"
	".kop .pemda{font-size:11pt;font-weight:bold;text-transform:uppercase}\n"
	".kop .instansi{font-size:11pt;font-weight:bold;text-transform:uppercase}\n"
	".ttd{width:75mm;margin:12pt 0 0 auto;text-align:center;font-size:9pt;break-inside:avoid;"
	"page-break-inside:avoid}\n"
	".ttd .jab{font-weight:bold}.ttd .ruang{height:42pt}"
	".ttd .nama{font-weight:bold;text-decoration:underline}\n"
	".kop .katalog,.kop .unit{font-size:9pt;margin-top:1pt}\n"
	"section{margin-bottom:12pt}\n"
	"table{width:100%;border-collapse:collapse;table-layout:fixed}\n"
	"thead{display:table-header-group}\n"
	"tr{break-inside:avoid;page-break-inside:avoid}\n"
	"th,td{border:.75pt solid #000;padding:2pt 3pt;vertical-align:top;"
	"overflow-wrap:break-word;hyphens:manual;-webkit-hyphens:manual}\n"
	"th{background:#d9d9d9;text-align:center;vertical-align:middle;font-weight:bold;"
	"font-size:7pt}\n"
	"tr.jab th{border:none;background:none;text-align:left;font-size:9pt;padding:0 0 3pt}\n"
	"td.f{font-size:7pt}\n"
	"td.q{font-size:6.5pt;padding:2pt 1.5pt}\n"
	"tr.sub th{font-size:5.5pt;padding:1pt 0}\n"
	"tr.kolom th{background:#f2f2f2;font-weight:normal;font-size:6.5pt;padding:0 2pt}\n"
	"td.c{text-align:center}\n"
	"td.n{text-align:right}\n"
	".n span.v{white-space:nowrap}\n"
	"td.nd{color:#555;font-style:italic;text-align:center}\n"
	".kode,.semula,.tq,.lalu{display:block;font-size:6.5pt;color:#444}\n"
	"td.an{font-size:7pt}\n"
	".periksa{display:block;font-size:6.5pt;font-weight:bold;color:#a00000;margin-top:1pt}\n"
	"td.cek,td.cek .v{color:#a00000;font-weight:bold}\n"
	"td.pk{text-align:center;font-weight:bold}\n"
	"th.sd{background:#c9d7e8}td.sd{background:#eef3f9}\n"
	"tr.sub th.sd{background:#dbe5f1}\n"
	".ket{font-size:7pt;margin:0 0 6pt}\n"
	".pk-sb{background:#8fd19e}.pk-b{background:#c8e6b0}.pk-c{background:#fff09a}"
	".pk-k{background:#ffc57d}.pk-sk{background:#f19c9c}\n"
	"footer{margin-top:10pt;border-top:.75pt solid #000;padding-top:3pt;font-size:7pt;"
	"color:#333}\n";

/* Column widths, percent of the table: No, Sasaran, Indikator, Formula, Target, Realisasi,
 * Capaian, Predikat, Sumber Data, then realisasi and capaian of each period SHOWN (12 x 3), then
 * Analisis / Keterangan. */
static const char *const HTML_COLS[] = {"2.3", "7", "10", "8.7", "4.7", "5.3", "5",
					"5.5", "6.5", "3", "9"};
#define HTML_MAIN 9 /* the columns before the periods', then the periods', then Analisis */

static void html_head(FILE *f, const struct model *m)
{
	static const char *const open[] = {
	    [TABLES_HEAD_KOP] = "<div class=\"pemda\">", [TABLES_HEAD_OFFICE] = "<div class=\"instansi\">",
	    [TABLES_HEAD_TITLE] = "<h1>", [TABLES_HEAD_CATALOG] = "<div class=\"katalog\">",
	    [TABLES_HEAD_UNIT] = "<div class=\"unit\">"};
	struct tables_head head[TABLES_HEAD_LINES];
	int n = tables_head(m->t, head);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"id\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<title>Laporan Kinerja (LAKIP) Tahun %d &#8211; ", m->t->year);
	html_esc(f, m->unit);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header class=\"kop\">\n",
		HTML_STYLE);
	for (int i = 0; i < n; i++) {
		fputs(open[head[i].part], f);
		html_esc(f, head[i].text);
		fputs(head[i].part == TABLES_HEAD_TITLE ? "</h1>\n" : "</div>\n", f);
	}
	fputs("</header>\n", f);
}

/* The class of a cumulative period's cells, shaded apart from the triwulan's own. */
static const char *html_sd(int k)
{
	return SHOWN[k].p == TABLES_Q2SD || SHOWN[k].p == TABLES_Q3SD ? " class=\"sd\"" : "";
}

/* The head of a jabatan's table, repeated on every page it continues on (thead): the jabatan,
 * the column headings, their numbers. */
static void html_thead(FILE *f, const char *jabatan)
{
	static const char *const main_cols[] = {"No",	      "Sasaran",   "Indikator Kinerja",
						"Formula",    "Target (%)", "Realisasi",
						"Capaian (%)", "Predikat", "Sumber Data"};
	const int n = HTML_MAIN + 2 * N_SHOWN + 1;
	fputs("<colgroup>", f);
	for (int i = 0; i < n; i++)
		fprintf(f, "<col style=\"width:%s%%\">",
			HTML_COLS[i < HTML_MAIN ? i : i < n - 1 ? HTML_MAIN : HTML_MAIN + 1]);
	fprintf(f, "</colgroup>\n<thead>\n<tr class=\"jab\"><th colspan=\"%d\">Jabatan: ", n);
	html_esc(f, jabatan);
	fputs("</th></tr>\n<tr>", f);
	for (int i = 0; i < HTML_MAIN; i++) {
		fputs("<th rowspan=\"2\">", f);
		html_text(f, main_cols[i]);
		fputs("</th>", f);
	}
	for (int k = 0; k < N_SHOWN; k++) /* "Triwulan" fits its two columns: kept whole */
		fprintf(f, "<th colspan=\"2\"%s>%s</th>", html_sd(k), SHOWN[k].name);
	fputs("<th rowspan=\"2\">Analisis / Keterangan</th>", f);
	fputs("</tr>\n<tr class=\"sub\">", f);
	for (int k = 0; k < N_SHOWN; k++)
		for (int i = 0; i < 2; i++) {
			fprintf(f, "<th%s>", html_sd(k));
			html_text(f, i ? "Capaian" : "Realisasi");
			fputs("</th>", f);
		}
	fputs("</tr>\n<tr class=\"kolom\">", f);
	for (int i = 1; i <= n; i++)
		fprintf(f, "<th>%d</th>", i);
	fputs("</tr>\n</thead>\n", f);
}

/* The class of a predikat's colour: the common five; another band name goes uncoloured. */
static const char *html_band(const char *predikat)
{
	static const char *const names[][2] = {{"Sangat Baik", "pk-sb"}, {"Baik", "pk-b"},
					       {"Cukup", "pk-c"},	{"Kurang", "pk-k"},
					       {"Sangat Kurang", "pk-sk"}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(predikat, names[i][0]))
			return names[i][1];
	return "";
}

/* The realisasi cell; cls: more classes (" q", " q sd": a period's narrow column, where a
 * percentage goes without its %, the year's column showing it) or "". */
static void html_realisasi(FILE *f, const struct cell *c, const char *cls, const char *note)
{
	char buf[48];
	realisasi_text(c, ',', !cls[0], buf, sizeof(buf));
	fprintf(f, c->data ? "<td class=\"n%s%s\"><span class=\"v\">%s</span>"
			   : "<td class=\"n nd%s%s\">%s",
		cls, c->check ? " cek" : "", buf); /* cek: it breaks its rule (tables_check says) */
	if (note[0]) /* the year before's realisasi, under the year's */
		fprintf(f, "<span class=\"lalu\">%s</span>", note);
	fputs("</td>", f);
}

/* Target, realisasi, capaian and predikat of the year. */
static void html_year(FILE *f, const struct cell *c, const char *prev)
{
	char buf[48];
	target_text(c, ',', buf, sizeof(buf));
	fprintf(f, "<td class=\"n\"><span class=\"v\">%s</span>", buf);
	if (c->revised) {
		num_text(c->original, ',', buf, sizeof(buf));
		fprintf(f, " <span class=\"semula\">(semula %s)</span>", buf);
	}
	fputs("</td>", f);
	html_realisasi(f, c, "", prev);
	capaian_text(c, ',', buf, sizeof(buf));
	fprintf(f, "<td class=\"n\"><span class=\"v\">%s</span></td>", buf);
	if (c->capaian) {
		fprintf(f, "<td class=\"pk %s\">", html_band(c->predikat));
		html_text(f, c->predikat);
		fputs("</td>", f);
	} else {
		fputs("<td class=\"c\">-</td>", f);
	}
}

/* Realisasi and capaian of a period shown (SHOWN[k]); its target beside the capaian when not
 * the year's. */
static void html_quarter(FILE *f, const struct cell *c, const struct cell *year, int k)
{
	char buf[48];
	const char *cls = html_sd(k)[0] ? " q sd" : " q";
	html_realisasi(f, c, cls, "");
	capaian_text(c, ',', buf, sizeof(buf));
	fprintf(f, "<td class=\"n%s\"><span class=\"v\">%s</span>", cls, buf);
	if (c->target && (!year->target || c->target_v != year->target_v)) {
		num_text(c->target_v, ',', buf, sizeof(buf));
		fprintf(f, "<span class=\"tq\">target %s</span>", buf);
	}
	fputs("</td>", f);
}

/* How many rows from i on share row i's sasaran (merged into one cell, as the document does). */
static int sasaran_span(const struct model *m, const struct group *g, int i)
{
	int n = 1;
	while (i + n < g->n &&
	       !strcmp(m->ind[g->rows[i].ind].sasaran, m->ind[g->rows[i + n].ind].sasaran))
		n++;
	return n;
}

static void html_row(FILE *f, const struct model *m, const struct group *g, int i)
{
	const struct row *row = &g->rows[i];
	const struct proto_indicator *in = &m->ind[row->ind];
	char formula[FORMULA_MAX];
	fprintf(f, "<tr><td class=\"c\">%d</td>", row->no);
	if (i == 0 || strcmp(in->sasaran, m->ind[g->rows[i - 1].ind].sasaran) != 0) {
		fprintf(f, "<td rowspan=\"%d\">", sasaran_span(m, g, i));
		html_text(f, in->sasaran[0] ? in->sasaran : "-");
		fputs("</td>", f);
	}
	fputs("<td>", f);
	html_text(f, in->name);
	fputs("<span class=\"kode\">", f);
	html_esc(f, in->indicator);
	fputs("</span>", f);
	if (tables_check(m->t, in->indicator, formula, sizeof(formula))) {
		fputs("<span class=\"periksa\">", f);
		html_text(f, formula);
		fputs("</span>", f);
	}
	fputs("</td><td class=\"f\">", f);
	formula_text(in, formula, sizeof(formula));
	html_text(f, formula);
	fputs("</td>", f);
	char prev[64] = "", real[48];
	if (m->has_prev) {
		realisasi_text(&row->cell[TABLES_PREV], ',', true, real, sizeof(real));
		snprintf(prev, sizeof(prev), "%d: %s", m->t->year - 1, real);
	}
	html_year(f, &row->cell[0], prev);
	fputs("<td>", f);
	html_text(f, in->source[0] ? in->source : "-");
	fputs("</td>", f);
	for (int k = 0; k < N_SHOWN; k++)
		html_quarter(f, &row->cell[SHOWN[k].p], &row->cell[TABLES_YEAR], k);
	char *note = tables_note(m->t, in->indicator);
	fputs("<td class=\"an\">", f);
	if (note)
		html_text(f, note);
	fputs("</td></tr>\n", f);
	free(note);
}

/* The signature block: right, below the tables, kept whole on its page. */
static void html_sign(FILE *f, const struct tables *t)
{
	static const char *const cls[TABLES_SIGN_LINES] = {"tgl",	"jab",	   "ruang",
							   "nama", "pangkat", "nip"};
	char lines[TABLES_SIGN_LINES][TABLES_LINE_MAX];
	int n = tables_sign(t, lines);
	if (!n)
		return;
	fputs("<div class=\"ttd\">", f);
	for (int i = 0; i < n; i++) {
		fprintf(f, "<div class=\"%s\">", cls[i]);
		html_esc(f, lines[i]);
		fputs("</div>", f);
	}
	fputs("</div>\n", f);
}

static void html_write(const struct model *m, FILE *f)
{
	char footer[512];
	html_head(f, m);
	for (int g = 0; g < m->n_groups; g++) {
		fputs("<section>\n<table>\n", f);
		html_thead(f, m->groups[g].jabatan);
		fputs("<tbody>\n", f);
		for (int i = 0; i < m->groups[g].n; i++)
			html_row(f, m, &m->groups[g], i);
		fputs("</tbody>\n</table>\n</section>\n", f);
	}
	if (!m->n_groups)
		fputs("<p>Tidak ada indikator.</p>\n", f);
	else
		fprintf(f, "<p class=\"ket\">%s</p>\n", LEGEND);
	html_sign(f, m->t);
	tables_footer(m->t, footer, sizeof(footer));
	fputs("<footer>", f);
	html_esc(f, footer);
	fputs("</footer>\n</body>\n</html>\n", f);
}

int tables_write(const struct tables *t, enum tables_format fmt, FILE *out)
{
	struct model m = {.t = t, .ind = t->catalog->indicators};
	if (fmt == TABLES_XLSX)
		return -ENOTSUP; /* xlsx_write (a file of its own, not a stream) */
	int rc = model_groups(&m);
	if (rc < 0) {
		model_free(&m);
		return rc;
	}
	model_names(&m);
	if (fmt == TABLES_CSV)
		csv_write(&m, out);
	else if (fmt == TABLES_HTML)
		html_write(&m, out);
	else
		text_write(&m, out);
	model_free(&m);
	return ferror(out) ? -EIO : 0;
}
