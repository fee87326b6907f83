// dash.js: the office's dashboard: every indicator by jabatan for one org unit (or all of them
// side by side) and one period, capaian coloured by predikat, a chart of the months, kept
// live from the SSE stream (/api/stream) without reloading.

import { h, fill, select } from "./dom.js";
import * as fmt from "./fmt.js";
import * as api from "./api.js";
import { monthChart } from "./chart.js";

const ALL = "*";

export class Dash {
  constructor(root, cat) {
    this.root = root;
    this.cat = cat;
    const now = new Date();
    const y = cat.year();
    this.sel = { kind: "Q", year: y, month: y === now.getFullYear() ? now.getMonth() + 1 : 12,
      q: y === now.getFullYear() ? Math.floor(now.getMonth() / 3) + 1 : 4,
      orgunit: cat.root().code, jabatan: "" };
    this.byCode = new Map(cat.indicators.map((i) => [i.indicator, i]));
    this.vals = new Map();   // "indicator|orgunit" -> value of the selected period
    this.series = new Map(); // indicator -> 12 months
    this.es = null;
    this.seq = 0;
    this.dirty = new Map(); // "indicator|orgunit" -> [indicator, orgunit] to redraw next frame
    this.frame = 0;
    this.gen = 0;
    this.retry = 2000;
  }

  period() {
    const s = this.sel;
    if (s.kind === "Y") return String(s.year);
    if (s.kind === "Q") return `${s.year}Q${s.q}`;
    return `${s.year}${String(s.month).padStart(2, "0")}`;
  }

  render() {
    this.body = h("div.dash-body#dash-body");
    this.status = h("p.live#dash-live", { role: "status" });
    fill(this.root, this.controls(), this.status, this.body);
    this.load();
  }

  controls() {
    const s = this.sel;
    const set = (k, conv = (v) => v) => (ev) => { s[k] = conv(ev.target.value); this.render(); };
    const y = this.cat.year();
    const orgs = [[this.cat.root().code, this.cat.orgName(this.cat.root().code)],
      ...[...this.cat.orgunits.values()].filter((o) => o.parent).map((o) => [o.code, this.cat.orgName(o.code)]),
      [ALL, "Semua wilayah (tabel)"]];
    return h("form.controls#dash-controls", { onsubmit: (ev) => ev.preventDefault() },
      h("div.seg", { role: "radiogroup", "aria-label": "Jenis periode" },
        [["M", "Bulan"], ["Q", "Triwulan"], ["Y", "Tahun"]].map(([k, label]) =>
          h("label", h("input", { type: "radio", name: "kind", value: k, checked: s.kind === k, onchange: set("kind") }), label))),
      h("label.field", h("span.label", "Tahun"), select({ name: "year", onchange: set("year", Number) },
        [y - 1, y, y + 1].map((v) => [v, String(v)]), s.year)),
      s.kind === "M" && h("label.field", h("span.label", "Bulan"), select({ name: "month", onchange: set("month", Number) },
        fmt.MONTHS.map((m, i) => [i + 1, m]), s.month)),
      s.kind === "Q" && h("label.field", h("span.label", "Triwulan"), select({ name: "q", onchange: set("q", Number) },
        ["I", "II", "III", "IV"].map((r, i) => [i + 1, "Triwulan " + r]), s.q)),
      h("label.field", h("span.label", "Wilayah"), select({ name: "orgunit", onchange: set("orgunit") }, orgs, s.orgunit)),
      h("label.field", h("span.label", "Jabatan"), select({ name: "jabatan", onchange: set("jabatan") },
        [["", "Semua jabatan"], ...[...this.cat.byJabatan().keys()].map((j) => [j, j])], s.jabatan)));
  }

  // Several changes in a row start several loads: only the last one draws and listens (an
  // older one's EventSource would hold one of the browser's six connections to the server).
  async load() {
    this.close();
    const gen = ++this.gen;
    const s = this.sel, p = this.period();
    fill(this.body, h("p.note", "Memuat…"));
    try {
      this.vals.clear();
      this.series.clear();
      if (s.orgunit === ALL) {
        const r = await Promise.all([...this.cat.orgunits.keys()].map((o) => api.values({ period: p, orgunit: o })));
        if (gen !== this.gen) return;
        r.forEach((x) => this.take(x.values || []));
        this.seq = Math.min(...r.map((x) => x.seq || 0));
      } else {
        const [v, ser] = await Promise.all([api.values({ period: p, orgunit: s.orgunit }),
          api.series({ year: s.year, orgunit: s.orgunit })]);
        if (gen !== this.gen) return;
        this.take(v.values || []);
        this.seq = v.seq || 0;
        this.takeSeries(ser.values || []);
      }
      this.draw();
      this.listen();
    } catch (e) {
      if (gen === this.gen) fill(this.body, h("p.error", e.message));
    }
  }

  take(values) { for (const v of values) this.vals.set(v.indicator + "|" + v.orgunit, v); }

  takeSeries(values) {
    for (const v of values) {
      const m = Number(String(v.period).slice(4)) - 1;
      if (!this.series.has(v.indicator)) this.series.set(v.indicator, new Array(12).fill(null));
      if (m >= 0 && m < 12) this.series.get(v.indicator)[m] = v;
    }
  }

  indicators() {
    const j = this.sel.jabatan;
    const by = this.cat.byJabatan();
    return [...by.entries()].filter(([name]) => !j || name === j);
  }

  draw() {
    const title = `${fmt.period(this.period())} · ${this.sel.orgunit === ALL ? "semua wilayah" : this.cat.orgName(this.sel.orgunit)}`;
    if (this.sel.orgunit === ALL) {
      fill(this.body, h("h2.ptitle", title), this.matrix());
      return;
    }
    fill(this.body, h("h2.ptitle", title), this.indicators().map(([name, inds]) =>
      h("section.jabatan", h("h3", name), h("div.cards", inds.map((ind) => this.card(ind))))));
  }

  card(ind) {
    const v = this.vals.get(ind.indicator + "|" + this.sel.orgunit) || {};
    const el = h("article.card.kpi", { dataset: { indicator: ind.indicator } });
    this.fillCard(el, ind, v);
    return el;
  }

  fillCard(el, ind, v) {
    const has = v.value !== null && v.value !== undefined;
    el.className = "card kpi " + fmt.band(has ? v.predikat : "");
    fill(el,
      h("h4", h("span.code", ind.rows ? "Baris " + ind.rows : ind.indicator), " ", ind.name),
      h("div.figure",
        h("span.v", { dataset: { num: v.num ?? "", den: v.den ?? "" } }, has ? fmt.realisasi(v) : "tidak ada data"),
        has && h("span.nd", `${fmt.num(v.num, 0)} / ${fmt.num(v.den, 0)}`)),
      h("div.cap",
        v.target !== null && v.target !== undefined
          ? h("span.target", "Target " + fmt.pct(v.target) + (v.revised ? " (perubahan, semula " + fmt.pct(v.target_original) + ")" : ""))
          : h("span.target", "Tanpa target"),
        has && v.capaian !== null && v.capaian !== undefined &&
          h("span.chip." + fmt.band(v.predikat), "Capaian " + fmt.pct(v.capaian) + " · " + (v.predikat || ""))),
      this.series.has(ind.indicator) || this.sel.orgunit !== ALL ? monthChart(this.series.get(ind.indicator) || new Array(12).fill(null), ind.name) : null,
      h("p.src", (ind.down ? "Makin kecil makin baik. " : "") + (ind.source ? "Sumber: " + ind.source : "")));
  }

  matrix() {
    const orgs = [...this.cat.orgunits.keys()];
    return h("div.scroll", h("table.matrix",
      h("thead", h("tr", h("th", "Indikator"), orgs.map((o) => h("th", this.cat.orgName(o))))),
      h("tbody", this.indicators().map(([name, inds]) => [
        h("tr.jrow", h("th", { colspan: orgs.length + 1 }, name)),
        inds.map((ind) => h("tr", h("th.iname", ind.name), orgs.map((o) => this.cell(ind, o))))]))));
  }

  cell(ind, o) {
    const v = this.vals.get(ind.indicator + "|" + o) || {};
    const has = v.value !== null && v.value !== undefined;
    return h("td." + fmt.band(has ? v.predikat : ""), { dataset: { indicator: ind.indicator, orgunit: o },
      title: has && v.capaian !== null && v.capaian !== undefined ? `Capaian ${fmt.pct(v.capaian)} (${v.predikat})` : "" },
      has ? fmt.realisasi(v) : "–");
  }

  // ---- live ----

  listen() {
    this.close();
    const s = this.sel;
    const q = s.orgunit === ALL ? { period: this.period() } : { orgunit: s.orgunit };
    this.es = new EventSource(api.url("/api/stream", q));
    this.es.addEventListener("snapshot", (m) => this.onSnapshot(JSON.parse(m.data)));
    this.es.addEventListener("update", (m) => this.onUpdate(JSON.parse(m.data)));
    this.es.onopen = () => { this.retry = 2000; this.setLive(true); };
    this.es.onerror = () => {
      this.setLive(false);
      // the browser retries a dropped stream itself, but not one refused (401, 503): we do
      if (this.es && this.es.readyState === EventSource.CLOSED) {
        this.close();
        this.again = setTimeout(() => this.listen(), this.retry);
        this.retry = Math.min(this.retry * 2, 60000);
      }
    };
  }

  close() {
    clearTimeout(this.again);
    if (this.es) { this.es.close(); this.es = null; }
  }

  setLive(on) {
    this.status.className = "live " + (on ? "on" : "off");
    this.status.dataset.seq = String(this.seq);
    fill(this.status, on ? "● Langsung: nilai diperbarui otomatis" : "○ Terputus; menyambung lagi…");
  }

  onSnapshot(d) {
    this.seq = d.seq || 0;
    for (const v of d.values || []) this.apply(v, false);
    this.draw();
    this.setLive(true);
  }

  onUpdate(d) {
    this.seq = Math.max(this.seq, d.seq || 0);
    this.apply(d.value, true);
    this.status.dataset.seq = String(this.seq);
  }

  // A value from the stream: the selected period's card (or cell), or a month of the chart.
  apply(v, redraw) {
    if (!v) return;
    const s = this.sel, p = this.period();
    const ind = this.byCode.get(v.indicator);
    if (!ind) return;
    if (v.period === p && (s.orgunit === ALL || v.orgunit === s.orgunit)) {
      const key = v.indicator + "|" + v.orgunit;
      const old = this.vals.get(key) || {};
      const nv = { ...old, ...v, value: v.value ?? null, capaian: v.capaian ?? null, predikat: v.predikat ?? null };
      this.vals.set(key, nv);
      if (redraw) this.later(ind, v.orgunit);
    }
    if (s.orgunit !== ALL && v.orgunit === s.orgunit && /^\d{6}$/.test(v.period) && v.period.startsWith(String(s.year))) {
      this.takeSeries([v]);
      if (redraw) this.later(ind, v.orgunit);
    }
  }

  // Redraw a card once per frame however many updates came for it (a bulk import sends
  // thousands a second; a wall screen must keep up).
  later(ind, orgunit) {
    this.dirty.set(ind.indicator + "|" + orgunit, [ind, orgunit]);
    if (this.frame) return;
    const run = () => {
      this.frame = 0;
      const todo = [...this.dirty.values()];
      this.dirty.clear();
      for (const [i, o] of todo) this.redraw(i, o, this.vals.get(i.indicator + "|" + o) || {});
    };
    // a hidden tab gets no animation frames: redraw on a timer then
    this.frame = document.hidden ? setTimeout(run, 250) : requestAnimationFrame(run);
  }

  redraw(ind, orgunit, v) {
    const sel = `[data-indicator="${CSS.escape(ind.indicator)}"]`;
    if (this.sel.orgunit === ALL) {
      const td = this.body.querySelector(`td${sel}[data-orgunit="${CSS.escape(orgunit)}"]`);
      if (td) { td.replaceWith(this.cell(ind, orgunit)); }
      return;
    }
    for (const el of this.body.querySelectorAll(`article${sel}`)) {
      this.fillCard(el, ind, v);
      el.classList.add("changed");
      setTimeout(() => el.classList.remove("changed"), 1500);
    }
  }
}
