// upload.js: a spreadsheet (CSV from Excel, or XLSX) read in the browser, shown as a preview
// with a verdict per row, then sent through the outbox; each row gets its result.

import { h, fill } from "./dom.js";
import * as fmt from "./fmt.js";
import * as outbox from "./outbox.js";
import { parseCsv, readXlsx, headerMap, rowEvent, rowKey, rowBaseId, rowDigest, templateCsv, download } from "./sheet.js";

export class Upload {
  constructor(root, cat, user) {
    this.root = root;
    this.cat = cat;
    this.user = user;
    this.rows = [];
    outbox.onChange(() => this.results());
  }

  render() {
    this.input = h("input#upload-file", { type: "file", accept: ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      onchange: () => this.read() });
    this.note = h("p.note#upload-note", { role: "status" });
    this.table = h("div.preview#upload-preview");
    this.send = h("button.btn.primary#upload-send", { type: "button", hidden: true, onclick: () => this.submit() }, "Kirim");
    fill(this.root,
      h("p", "Isi templat di Excel, simpan sebagai CSV atau XLSX, lalu pilih berkasnya di sini. Kolom: ",
        h("em", "Kode Elemen, Kode Wilayah, Tanggal (dd/mm/yyyy), Jumlah"), ", untuk kasus juga ",
        h("em", "Operasi (buka/tutup) dan Nomor Kasus"), "."),
      h("p.note", "Berkas dikenali dari namanya, tiap baris dari kolom No (nomor agenda) atau letaknya: " +
        "mengunggah berkas yang sama lagi tidak menambah apa pun, baris yang diubah dikirim sebagai koreksi, " +
        "dan baris yang sama di dua berkas adalah dua kejadian."),
      h("div.actions",
        h("label.btn.file", "Pilih berkas CSV/XLSX", this.input),
        h("button.btn.link", { type: "button", onclick: () => this.template() }, "Unduh templat semua elemen")),
      this.note, this.table, this.send);
  }

  template() {
    download("templat-iki.csv", templateCsv(this.cat, this.cat.myElements(), this.cat.myOrgunits()), "text/csv;charset=utf-8");
  }

  async read() {
    const file = this.input.files[0];
    if (!file) return;
    this.input.value = ""; // so that choosing the same file again (edited) reads it again
    fill(this.note, "Membaca " + file.name + "…");
    try {
      const buf = await file.arrayBuffer();
      const isZip = new Uint8Array(buf.slice(0, 2)).join() === "80,75";
      const rows = isZip ? await readXlsx(buf) : parseCsv(decode(buf));
      await this.preview(rows, file.name);
    } catch (e) {
      fill(this.note, "Berkas tidak dapat dibaca: " + e.message);
      this.send.hidden = true;
    }
  }

  async preview(rows, fileName) {
    const at = rows.findIndex((r) => headerMap(r));
    if (at < 0) {
      fill(this.note, "Baris judul tidak ditemukan: berkas perlu kolom \"Kode Elemen\" (pakai templat).");
      fill(this.table);
      this.send.hidden = true;
      return;
    }
    const map = headerMap(rows[at]);
    this.rows = [];
    rows.slice(at + 1).forEach((r, i) => {
      const res = rowEvent(this.cat, map, r);
      if (res) this.rows.push({ n: at + 2 + i, ...res });
    });
    await this.assignIds(fileName);
    const ok = this.rows.filter((r) => r.ev).length;
    fill(this.note, `${fmt.num(this.rows.length, 0)} baris terbaca: ${fmt.num(ok, 0)} siap dikirim, ` +
      `${fmt.num(this.rows.length - ok, 0)} bermasalah.`);
    this.draw();
    this.send.hidden = !ok;
    this.send.disabled = false;
    this.send.textContent = `Kirim ${fmt.num(ok, 0)} baris`;
  }

  // Three columns, so that the status fits on a phone: the row, what it holds, its status.
  draw() {
    fill(this.table, h("table.rows", h("thead", h("tr", ["Baris", "Isi", "Status"].map((t) => h("th", t)))),
      h("tbody", this.rows.map((r) => this.row(r)))));
  }

  row(r) {
    const e = r.ev || r.info || {};
    const st = r.status || (r.err ? "ditolak" : "siap");
    const what = [e.orgunit && this.cat.orgName(e.orgunit), e.date && (fmt.day(e.date) || e.date),
      e.case ? `${e.op === "close" ? "tutup" : "buka"} ${e.case}` : e.value !== undefined && e.value !== "" ? "jumlah " + fmt.num(e.value, 0) : ""];
    return h("tr", { dataset: { row: r.n, status: st } },
      h("td.n", r.n),
      h("td", h("strong", this.cat.elementName(e.element) || "–"), h("br"), what.filter(Boolean).join(" · ")),
      h("td", h("span.badge.st-" + st, st),
        st === "ditolak" ? h("div.reason", r.err || r.message) : (r.message || r.note) && h("div.note", r.message || r.note)));
  }

  // A row without an ID: its first event has the row's own id; a row whose content changed
  // since it was delivered from this file is sent as a correction of its last event (ref).
  async assignIds(fileName) {
    for (const r of this.rows) {
      if (!r.ev || r.ev.id) continue;
      r.key = rowKey(this.user, fileName, r);
      r.digest = rowDigest(r.ev);
      const last = await outbox.kvGet("row\u0000" + r.key).catch(() => null);
      if (!last || last.digest === r.digest) {
        r.ev.id = last ? last.id : rowBaseId(r.key);
        continue;
      }
      r.ev.id = rowBaseId(r.key) + "-" + r.digest.slice(0, 10);
      r.ev.ref = last.id;
      r.note = "baris ini berubah: dikirim sebagai koreksi";
    }
  }

  async submit() {
    const evs = this.rows.filter((r) => r.ev && !r.status).map((r) => r.ev);
    if (!evs.length) return;
    this.send.disabled = true;
    for (const r of this.rows) if (r.ev) r.status = "menunggu";
    this.draw();
    await outbox.capture(this.user, evs);
    await outbox.kick();
  }

  // Each row's status from its record in the outbox.
  async results() {
    if (!this.rows.some((r) => r.status)) return;
    const recs = new Map((await outbox.list(this.user)).map((r) => [r.id, r]));
    let changed = false;
    for (const r of this.rows) {
      const rec = r.ev && recs.get(r.ev.id);
      if (!rec || rec.status === r.status) continue;
      r.status = rec.status;
      r.message = rec.status === "ditolak" ? rec.message : rec.code === "duplicate" ? "sudah tercatat sebelumnya" : r.note || "";
      // the row's last delivered event, for the next upload of this file
      if (rec.status === "terkirim" && r.key) await outbox.kvSet("row\u0000" + r.key, { id: r.ev.id, digest: r.digest });
      changed = true;
    }
    if (!changed) return;
    this.draw();
    if (!this.rows.some((r) => r.status === "menunggu")) this.send.hidden = true;
    const sum = (s) => this.rows.filter((r) => r.status === s).length;
    fill(this.note, `Hasil: ${fmt.num(sum("terkirim"), 0)} terkirim, ${fmt.num(sum("ditolak"), 0)} ditolak, ` +
      `${fmt.num(sum("menunggu"), 0)} menunggu.`);
  }
}

// Excel writes "CSV UTF-8" with a BOM, and plain "CSV" in the Windows code page.
function decode(buf) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(buf);
  } catch (e) {
    return new TextDecoder("windows-1252").decode(buf);
  }
}
