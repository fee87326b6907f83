// desk.js: the clerk's desk: one form per element the user may send, grouped by indicator,
// and the user's own recent events with their status, corrected or voided from there.

import { h, fill, $, select } from "./dom.js";
import * as fmt from "./fmt.js";
import * as outbox from "./outbox.js";
import { mine, NetError } from "./api.js";
import { opsFor, OP_LABEL, sectionName, schedulePeriods } from "./catalog.js";
import { templateCsv, download, ID_OK, ID_HELP } from "./sheet.js";

const STATUS = { menunggu: "menunggu", terkirim: "terkirim", ditolak: "ditolak" };
const MAX_VALUE = 1e15;

export class Desk {
  constructor(cat, user) {
    this.cat = cat;
    this.user = user;
    this.forms = new Map();   // element code -> its form
    this.server = [];         // the user's events as ikiweb last told
    outbox.onChange((info) => (info && info.sent ? this.reload() : this.refresh()));
  }

  // Fill the three places the desk owns: the outbox line, the forms and the list.
  render(places) {
    const els = this.cat.myElements();
    this.list = h("ol.events#mine");
    this.pendingLine = h("p.pending#pending", { role: "status" });
    fill(places.outbox, this.pendingLine,
      h("button.btn.small#send-now", { type: "button", onclick: () => outbox.kick() }, "Kirim sekarang"));
    fill(places.forms, els.length ? this.cat.groups(els).map((g) => this.group(g))
      : h("p.empty", "Akun Anda tidak berwenang mengirim data apa pun."));
    fill(places.list, this.list);
    this.showForms = places.showForms || (() => {});
    this.refresh();
  }

  group(g) {
    return h("section.group", { dataset: { group: g.key } },
      h("h2", g.title),
      g.sasaran && h("p.sasaran", "Sasaran: " + g.sasaran),
      g.elements.map((e) => this.form(e)),
      h("button.btn.link.template", { type: "button", onclick: () => this.template(g) }, "Unduh templat Excel (CSV)"));
  }

  template(g) {
    const name = "templat-" + (g.indicator ? g.indicator.indicator : "lainnya") + ".csv";
    download(name, templateCsv(this.cat, g.elements, this.cat.myOrgunits()), "text/csv;charset=utf-8");
  }

  // One element's form: wilayah, date, the value (or the case's step and id), a comment.
  form(e) {
    const ops = opsFor(e);
    const orgs = this.cat.myOrgunits();
    const id = "f-" + e.code;
    const f = h("form.entry", { id, novalidate: true, dataset: { element: e.code } });
    const unit = e.unit === "amount" ? " (Rp)" : "";
    const bounds = boundsText(e);
    fill(f,
      h("input", { type: "hidden", name: "ref", value: "" }),
      h("p.fix", { hidden: true }),
      field("Wilayah", orgs.length === 1
        ? [h("output.fixed", this.cat.orgName(orgs[0])), h("input", { type: "hidden", name: "orgunit", value: orgs[0] })]
        : select({ name: "orgunit", id: id + "-org" }, orgs.map((c) => [c, this.cat.orgName(c)]))),
      this.dateField(),
      e.kind === "case" ? this.caseFields(e, id, ops)
        : field((e.aggregate === "last" ? "Nilai" : "Jumlah") + unit,
          h("input", { type: "text", name: "value", inputmode: "numeric", autocomplete: "off",
            placeholder: e.aggregate === "last" ? "mis. 1" : "mis. 12", required: true }), bounds),
      field("Keterangan (boleh kosong)", h("textarea", { name: "comment", rows: 2, maxlength: 500 })),
      h("div.actions", h("button.btn.primary", { type: "submit" }, "Simpan & kirim"),
        h("button.btn.link", { type: "button", hidden: true, name: "cancelfix",
          onclick: () => this.endFix(e.code) }, "Batal koreksi")),
      h("p.result", { role: "status" }));
    f.addEventListener("submit", (ev) => { ev.preventDefault(); this.submit(e, f); });
    this.forms.set(e.code, f);
    return h("details.card", { dataset: { element: e.code } },
      h("summary", h("span.name", e.name),
        h("span.meta", [e.kind === "case" ? `kasus, batas ${e.limit_days ? e.limit_days + " hari" : "tanpa batas"}` : fmt.unitLabel(e.unit),
          "dilaporkan oleh " + (e.reported_by || []).map(sectionName).join(", ")].join(" · "))),
      f);
  }

  // The date, and the same date in words below it (the browser's own date field may show
  // mm/dd/yyyy: the words say which day it is in Bahasa Indonesia).
  dateField() {
    const words = h("span.hint.words");
    const input = h("input", { type: "date", name: "date", value: fmt.today(), required: true, max: "2099-12-31", min: "2000-01-01" });
    const say = () => fill(words, fmt.dayLong(input.value));
    input.addEventListener("input", say);
    input.addEventListener("change", say);
    say();
    return field("Tanggal kejadian", [input, words]);
  }

  caseFields(e, id, ops) {
    if (e.schedule) {
      // ikid opened one case per period (case id "<schedule>/<period>"): say which was delivered
      return [h("input", { type: "hidden", name: "op", value: "close" }),
        field("Laporan untuk periode", select({ name: "period" }, schedulePeriods(e.every, this.cat.year()), ""),
          "Laporan ini dibuka otomatis oleh jadwal. Tanggal kejadian = tanggal laporan disampaikan" +
            (e.limit_days ? `; tepat waktu bila paling lambat ${e.limit_days} hari setelah periode berakhir.` : "."))];
    }
    return [
      h("fieldset.ops", h("legend", "Langkah"), ops.map((op, i) =>
        h("label.radio", h("input", { type: "radio", name: "op", value: op, checked: i === 0 }),
          op === "open" ? "Buka (permohonan/laporan masuk)" : "Tutup (selesai)"))),
      field("Nomor kasus / berkas", h("input", { type: "text", name: "case", maxlength: 64, required: true,
        autocomplete: "off", list: id + "-open", placeholder: "mis. AT-0042" }),
      h("datalist", { id: id + "-open" })),
    ];
  }

  // Read a form into an event, or say what is wrong (in Indonesian).
  read(e, f) {
    const d = new FormData(f);
    const ev = { id: outbox.newId(), element: e.code, orgunit: d.get("orgunit"), date: d.get("date") };
    if (!this.cat.myOrgunits().includes(ev.orgunit)) return { err: "Wilayah ini di luar wewenang Anda." };
    if (!/^\d{4}-\d{2}-\d{2}$/.test(ev.date || "")) return { err: "Isi tanggal kejadian." };
    if (e.kind === "case") {
      ev.op = d.get("op") || "open";
      ev.case = e.schedule ? `${e.schedule}/${d.get("period")}` : String(d.get("case") || "").trim();
      if (!ev.case) return { err: "Isi nomor kasus atau berkas." };
      if (!ID_OK.test(ev.case)) return { err: ID_HELP };
      ev.value = 1;
    } else {
      ev.op = opsFor(e)[0];
      const v = fmt.parseNum(d.get("value"));
      const err = checkValue(e, v);
      if (err) return { err };
      ev.value = v;
    }
    const c = String(d.get("comment") || "").trim();
    if (new TextEncoder().encode(c).length > 500) return { err: "Keterangan terlalu panjang (paling banyak 500 byte)." };
    if (c) ev.comment = c;
    if (d.get("ref")) ev.ref = d.get("ref");
    return { ev };
  }

  async submit(e, f) {
    const out = $(".result", f);
    const { ev, err } = this.read(e, f);
    if (err) { setResult(out, "ditolak", err); return; }
    // at once: the last send's "terkirim" must not stand beside this one while it is stored
    setResult(out, "menunggu", "Menyimpan di perangkat…");
    await outbox.capture(this.user, [ev]);
    f.dataset.last = ev.id;
    setResult(out, "menunggu", navigator.onLine ? "Tersimpan di perangkat, sedang dikirim…"
      : "Tersimpan di perangkat; dikirim otomatis saat sambungan kembali.");
    f.reset();
    f.elements.date.value = ev.date; // the next one is likely the same day
    f.elements.date.dispatchEvent(new Event("change"));
    this.endFix(e.code);
    await outbox.kick();
  }

  // A correction: the element's form, filled with the event, sends a new event with ref.
  startFix(rec) {
    const f = this.forms.get(rec.element);
    if (!f) return;
    this.showForms();
    const card = f.closest("details");
    card.open = true;
    f.elements.ref.value = rec.id;
    for (const k of ["date", "comment", "case"]) if (f.elements[k] && rec[k] !== undefined) f.elements[k].value = rec[k];
    f.elements.date.dispatchEvent(new Event("change"));
    if (f.elements.value) f.elements.value.value = rec.value ?? "";
    if (f.elements.orgunit && f.elements.orgunit.tagName === "SELECT") f.elements.orgunit.value = rec.orgunit;
    if (rec.op && f.elements.op) for (const r of f.querySelectorAll("input[name=op]")) r.checked = r.value === rec.op;
    if (f.elements.period && rec.case) f.elements.period.value = rec.case.split("/").pop();
    const last = $(".result", f);
    last.className = "result";
    delete last.dataset.status; // the last send's word is not this correction's
    fill(last);
    delete f.dataset.last;
    const fix = $(".fix", f);
    fill(fix, "Mengoreksi kiriman " + fmt.day(rec.date) + " (" + rec.id + "): kiriman baru menggantikannya.");
    fix.hidden = false;
    f.elements.cancelfix.hidden = false;
    card.scrollIntoView({ block: "start" });
  }

  endFix(code) {
    const f = this.forms.get(code);
    if (!f) return;
    f.elements.ref.value = "";
    $(".fix", f).hidden = true;
    f.elements.cancelfix.hidden = true;
  }

  async voidEvent(rec, btn) {
    if (btn.dataset.sure !== "1") {
      btn.dataset.sure = "1";
      btn.textContent = "Yakin? Ketuk lagi untuk membatalkan";
      return;
    }
    btn.disabled = true;
    await outbox.capture(this.user, [{ id: outbox.newId(), op: "void", ref: rec.id, element: rec.element,
      comment: "dibatalkan lewat meja" }]);
    await outbox.kick();
  }

  // Fetch the server's list (when there is a connection) and redraw.
  async reload() {
    try {
      this.server = ((await mine(50)) || {}).events || [];
    } catch (e) {
      if (!(e instanceof NetError)) console.warn("events/mine:", e.message);
    }
    await this.refresh();
  }

  async refresh() {
    if (!this.list) return;
    const local = await outbox.list(this.user);
    const wait = local.filter((r) => r.status === "menunggu").length;
    const why = outbox.state.last === "offline" ? "; dikirim otomatis saat sambungan kembali"
      : outbox.state.error ? ` (${outbox.state.error})` : "";
    fill(this.pendingLine, wait ? `${fmt.num(wait, 0)} kiriman menunggu${why}.` : "Semua kiriman sudah terkirim.");
    this.pendingLine.dataset.count = String(wait);
    this.lastResults(local);
    this.drawList(merge(local, this.server));
    this.openCases(merge(local, this.server));
  }

  // The status under a form of the event it sent last.
  lastResults(local) {
    for (const f of this.forms.values()) {
      const r = f.dataset.last && local.find((x) => x.id === f.dataset.last);
      if (r && r.status !== "menunggu") setResult($(".result", f), r.status,
        r.status === "terkirim" ? (r.code === "duplicate" ? "Sudah tercatat sebelumnya (terkirim)." : "Terkirim dan tercatat.")
          : r.message);
    }
  }

  openCases(recs) {
    const open = new Map();
    for (const r of [...recs].reverse()) {
      if (r.status === "ditolak" || !r.case) continue;
      if (r.op === "open") open.set(r.element + "\u0000" + r.case, r);
      if (r.op === "close") open.delete(r.element + "\u0000" + r.case);
    }
    for (const [code, f] of this.forms) {
      const dl = f.querySelector("datalist");
      if (dl) fill(dl, [...open.values()].filter((r) => r.element === code).map((r) => h("option", { value: r.case })));
    }
  }

  drawList(recs) {
    const corrected = new Set(recs.filter((r) => r.ref && r.status !== "ditolak").map((r) => r.ref));
    fill(this.list, recs.length ? recs.slice(0, 50).map((r) => this.item(r, corrected.has(r.id)))
      : h("li.empty", "Belum ada kiriman."));
  }

  item(r, corrected) {
    const what = r.op === "void" ? "Pembatalan kiriman " + r.ref
      : this.cat.elementName(r.element);
    const detail = r.op === "void" ? "" : [this.cat.orgName(r.orgunit), fmt.day(r.date),
      r.case ? `${OP_LABEL[r.op]} kasus ${r.case}` : (r.op === "set" ? "nilai " : "jumlah ") + fmt.num(r.value, 0),
      r.ref ? "koreksi atas " + r.ref : ""].filter(Boolean).join(" · ");
    const canFix = r.status === "terkirim" && r.op !== "void" && !corrected && this.forms.has(r.element);
    return h("li.event", { dataset: { id: r.id, status: r.status } },
      h("div.head", h("span.what", what), h("span.badge.st-" + r.status, STATUS[r.status] || r.status)),
      detail && h("div.detail", detail),
      r.comment && h("div.comment", "“", r.comment, "”"),
      r.status === "ditolak" && h("div.reason", r.message || r.code),
      corrected && h("div.note", "Sudah dikoreksi atau dibatalkan."),
      h("div.foot", h("span.when", fmt.when(r.at)),
        canFix && h("button.btn.small", { type: "button", onclick: () => this.startFix(r) }, "Koreksi"),
        canFix && h("button.btn.small.danger", { type: "button", onclick: (ev) => this.voidEvent(r, ev.currentTarget) }, "Batalkan")));
  }
}

function field(label, input, hint) {
  return h("label.field", h("span.label", label), input, hint && h("span.hint", hint));
}

function boundsText(e) {
  const lo = e.min ?? 0;
  const hi = e.max ?? null;
  return hi !== null && hi < MAX_VALUE ? `Bilangan bulat ${fmt.num(lo, 0)} sampai ${fmt.num(hi, 0)}.`
    : `Bilangan bulat, paling kecil ${fmt.num(lo, 0)}.`;
}

function checkValue(e, v) {
  if (Number.isNaN(v)) return "Isi angka bulat, mis. 12 atau 1.250.000.";
  if (!Number.isInteger(v)) return "Isi angka bulat tanpa koma.";
  const lo = e.min ?? 0;
  const hi = Math.min(e.max ?? MAX_VALUE, MAX_VALUE);
  if (v < lo || v > hi) return `Nilai harus antara ${fmt.num(lo, 0)} dan ${fmt.num(hi, 0)}.`;
  return "";
}

function setResult(el, status, text) {
  el.className = "result st-" + status;
  el.dataset.status = status;
  fill(el, h("span.badge.st-" + status, STATUS[status] || status), " ", text || "");
}

// The outbox's records and the server's list, one per id: what is still in the outbox
// as menunggu shows so; the server's word decides the rest.
function merge(local, server) {
  const out = new Map();
  for (const s of server) {
    const st = s.status === "error" || s.status === "ditolak" ? "ditolak" : "terkirim";
    out.set(s.id, { ...s, status: st, at: s.at });
  }
  for (const r of local) {
    const s = out.get(r.id);
    if (s && r.status !== "menunggu") continue;
    out.set(r.id, { ...r.event, status: r.status, code: r.code, message: r.message, at: r.at });
  }
  return [...out.values()].sort((a, b) => toMs(b.at) - toMs(a.at));
}

function toMs(t) {
  if (typeof t === "number") return t < 1e12 ? t * 1000 : t;
  const d = Date.parse(t);
  return Number.isNaN(d) ? 0 : d;
}
