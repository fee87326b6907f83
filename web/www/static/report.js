// report.js: the LAKIP tables in the page (target, realisasi and capaian per triwulan, s.d.
// triwulan II and III, and for the year, by jabatan), with links to ikiweb's own report
// (/api/report) to print or download.

import { h, fill, select } from "./dom.js";
import * as fmt from "./fmt.js";
import * as api from "./api.js";

// The columns after the target, in reading order: [heading, period of a year, cumulative?].
// s.d. (sampai dengan) = 1 January through the triwulan's end; s.d. I is I, s.d. IV the year.
const COLS = [["TW I", (y) => `${y}Q1`], ["TW II", (y) => `${y}Q2`],
  ["s.d. TW II", (y) => `${y}Q2SD`, true], ["TW III", (y) => `${y}Q3`],
  ["s.d. TW III", (y) => `${y}Q3SD`, true], ["TW IV", (y) => `${y}Q4`], ["Tahun", (y) => String(y)]];
const YEAR = COLS.length - 1;

export class Report {
  constructor(root, cat) {
    this.root = root;
    this.cat = cat;
    this.gen = 0;
  }

  render() {
    const cat = this.cat, y = cat.year();
    const orgs = [[cat.root().code, cat.orgName(cat.root().code)],
      ...[...cat.orgunits.values()].filter((o) => o.parent).map((o) => [o.code, cat.orgName(o.code)])];
    this.form = h("form.controls#report-form", { onsubmit: (ev) => ev.preventDefault() },
      h("label.field", h("span.label", "Tahun"), select({ name: "year", onchange: () => this.update() },
        [y - 1, y, y + 1].map((v) => [v, String(v)]), y)),
      h("label.field", h("span.label", "Wilayah"), select({ name: "orgunit", onchange: () => this.update() }, orgs, cat.root().code)),
      h("label.field", h("span.label", "Jabatan"), select({ name: "jabatan", onchange: () => this.update() },
        [["", "Semua jabatan"], ...[...cat.byJabatan().keys()].map((j) => [j, j])], "")));
    this.links = h("div.actions#report-links");
    this.table = h("div.scroll#report-table");
    fill(this.root, h("h2", "Laporan LAKIP"),
      h("p.note", "Target, realisasi, capaian dan predikat per jabatan, tiap triwulan dan setahun. " +
        "s.d. TW = sampai dengan triwulan: sejak 1 Januari sampai akhir triwulan itu (jumlahnya, " +
        "atau nilai keadaan pada akhir triwulan). " +
        "Buka laporan untuk mencetak (A4 mendatar), atau unduh HTML/CSV."),
      this.form, this.links, this.table);
    this.update();
  }

  params() {
    const e = this.form.elements;
    return { year: e.year.value, orgunit: e.orgunit.value, jabatan: e.jabatan.value };
  }

  update() {
    const p = this.params();
    fill(this.links,
      h("a.btn.primary", { href: api.url("/api/report", { ...p, format: "html" }), target: "_blank", rel: "noopener" }, "Buka laporan"),
      h("a.btn", { href: api.url("/api/report", { ...p, format: "html" }), download: `lakip-${p.year}.html` }, "Unduh HTML"),
      h("a.btn", { href: api.url("/api/report", { ...p, format: "csv" }), download: `lakip-${p.year}.csv` }, "Unduh CSV (Excel)"));
    this.load(p);
  }

  async load(p) {
    const gen = ++this.gen;
    fill(this.table, h("p.note", "Memuat…"));
    try {
      const periods = COLS.map(([, period]) => period(p.year));
      const all = await Promise.all(periods.map((period) => api.values({ period, orgunit: p.orgunit })));
      if (gen !== this.gen) return;
      const at = new Map();
      all.forEach((r, i) => (r.values || []).forEach((v) => at.set(v.indicator + "|" + i, v)));
      fill(this.table, this.draw(at, p.jabatan));
    } catch (e) {
      if (gen === this.gen) fill(this.table, h("p.error", e.message));
    }
  }

  draw(at, jabatan) {
    const head = h("tr", h("th", "No"), h("th", "Indikator"), h("th", "Target"),
      COLS.map(([name, , sd]) => h(sd ? "th.sd" : "th", name)), h("th", "Predikat"));
    const rows = [];
    for (const [name, inds] of this.cat.byJabatan()) {
      if (jabatan && name !== jabatan) continue;
      rows.push(h("tr.jrow", h("th", { colspan: COLS.length + 4 }, name)));
      for (const ind of inds) {
        const year = at.get(ind.indicator + "|" + YEAR) || {};
        rows.push(h("tr", { dataset: { indicator: ind.indicator } },
          h("td", ind.rows || ""), h("td.iname", ind.name),
          h("td.num", year.target !== null && year.target !== undefined ? fmt.pct(year.target) : "–"),
          COLS.map(([, , sd], i) => this.cell(at.get(ind.indicator + "|" + i), sd)),
          h("td", year.predikat ? h("span.chip." + fmt.band(year.predikat), year.predikat) : "–")));
      }
    }
    return h("table.lakip", h("thead", head), h("tbody", rows));
  }

  // A period's realisasi, with its capaian under it, coloured by predikat.
  cell(v, sd) {
    const cls = sd ? ".sd" : "";
    if (!v || v.value === null || v.value === undefined) return h("td.num.band-none" + cls, "–");
    return h("td.num." + fmt.band(v.predikat) + cls, fmt.realisasi(v),
      v.capaian !== null && v.capaian !== undefined ? h("small", "capaian " + fmt.pct(v.capaian)) : null);
  }
}
