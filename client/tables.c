/* tables.c: the LAKIP tables' model (each indicator under each of its positions, with ikid's
 * figures), what every format prints around it (letterhead, signature, footer, checks, notes) and
 * how figures are written; the formats are tables_text.c, tables_csv.c and tables_html.c. */
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
#include "tables_int.h"
#include "text.h"

/*
 * The periods a row shows after the year's figures, in reading order: each triwulan, and after
 * II and III the cumulative figure since 1 January ("s.d." = sampai dengan). s.d. Triwulan I is
 * Triwulan I itself, and s.d. Triwulan IV of a summed figure is the year: neither is repeated.
 */
const struct tab_shown TAB_SHOWN[] = {
	{TABLES_Q1, "Triwulan I", "Triwulan I"},
	{TABLES_Q2, "Triwulan II", "Triwulan II"},
	{TABLES_Q2SD, "s.d. TW II", "s.d. Triwulan II"},
	{TABLES_Q3, "Triwulan III", "Triwulan III"},
	{TABLES_Q3SD, "s.d. TW III", "s.d. Triwulan III"},
	{TABLES_Q4, "Triwulan IV", "Triwulan IV"},
};
_Static_assert(sizeof(TAB_SHOWN) / sizeof(TAB_SHOWN[0]) == TABLES_SHOWN, "TABLES_SHOWN");

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
	*name = TAB_SHOWN[k].name;
	*sd = TAB_SHOWN[k].p == TABLES_Q2SD || TAB_SHOWN[k].p == TABLES_Q3SD;
	return TAB_SHOWN[k].p;
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
	for (int k = 0; k <= TABLES_SHOWN; k++) {
		char id[PERIOD_ID_MAX];
		tables_period(t->year, k ? TAB_SHOWN[k - 1].p : TABLES_YEAR, id);
		for (size_t i = 0; i < t->n_notes; i++)
			if (!strcmp(t->notes[i].indicator, indicator) && !strcmp(t->notes[i].period, id) &&
			    t->notes[i].text[0])
				fprintf(f, "%s%s: %s", ftell(f) ? "; " : "",
					k ? TAB_SHOWN[k - 1].name : "Tahun", t->notes[i].text);
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
	for (int k = 0; k <= TABLES_SHOWN && len < n; k++) {
		int p = k ? TAB_SHOWN[k - 1].p : TABLES_YEAR;
		const struct proto_value *v = value_find(t, p, indicator);
		if (!v || !v->check[0])
			continue;
		len += (size_t)snprintf(buf + len, n - len, "%s %s", rule[0] ? "," : "",
					k ? TAB_SHOWN[k - 1].text : "Tahun");
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
void tab_num_text(double x, char dec, char *buf, size_t n)
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
void tab_realisasi_text(const struct cell *c, char dec, bool unit, char *buf, size_t n)
{
	char num[40]; /* with " %", within the callers' 48 */
	if (!c->data) {
		snprintf(buf, n, "tidak ada data");
		return;
	}
	tab_num_text(c->realisasi, dec, num, sizeof(num));
	snprintf(buf, n, "%s%s", num, unit && c->percent ? " %" : "");
}

/* "90,00", or "-" without a target. */
void tab_target_text(const struct cell *c, char dec, char *buf, size_t n)
{
	if (c->target)
		tab_num_text(c->target_v, dec, buf, n);
	else
		snprintf(buf, n, "-");
}

/* "96,30", or "-" without a target or without data. */
void tab_capaian_text(const struct cell *c, char dec, char *buf, size_t n)
{
	if (c->capaian)
		tab_num_text(c->capaian_v, dec, buf, n);
	else
		snprintf(buf, n, "-");
}

const char *tab_predikat_text(const struct cell *c)
{
	return c->capaian && c->predikat[0] ? c->predikat : "-";
}

/* The formula in words: "(a + b) / c × 100 %". */
void tab_formula_text(const struct proto_indicator *in, char *buf, size_t n)
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
		tab_write_csv(&m, out);
	else if (fmt == TABLES_HTML)
		tab_write_html(&m, out);
	else
		tab_write_text(&m, out);
	model_free(&m);
	return ferror(out) ? -EIO : 0;
}
