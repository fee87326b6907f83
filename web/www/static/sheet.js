// sheet.js: spreadsheets in and out. CSV as Excel writes it with Indonesian settings (";",
// decimal comma, dd/mm/yyyy, maybe a BOM), XLSX read in the browser (a zip of XML), and the
// templates a clerk fills in.

import * as fmt from "./fmt.js";
import { opsFor, OP_LABEL } from "./catalog.js";

// The template's columns; the reader also takes the English names and a few variants.
export const COLUMNS = ["ID", "Kode Elemen", "Nama Elemen", "Kode Wilayah", "Nama Wilayah",
  "Tanggal", "Operasi", "Jumlah", "Nomor Kasus", "Keterangan", "Koreksi Atas"];
const ALIASES = {
  id: "id", "id kiriman": "id",
  "kode elemen": "element", elemen: "element", element: "element", "kode data": "element",
  "kode wilayah": "orgunit", wilayah: "orgunit", orgunit: "orgunit", "kode desa": "orgunit",
  tanggal: "date", date: "date", "tanggal kejadian": "date",
  operasi: "op", op: "op", langkah: "op",
  jumlah: "value", nilai: "value", value: "value",
  "nomor kasus": "case", kasus: "case", case: "case", "nomor berkas": "case",
  keterangan: "comment", comment: "comment", catatan: "comment",
  "koreksi atas": "ref", ref: "ref",
  no: "no", nomor: "no", "no.": "no", "nomor agenda": "no", "no agenda": "no",
};
// Event ids, refs and case ids as ikid takes them (proto/PROTOCOL.md): 1 to 64 of these.
export const ID_OK = /^[A-Za-z0-9\-_.:\/@+#~=]{1,64}$/;
export const ID_HELP = "Nomor kasus hanya boleh huruf, angka dan - _ . : / @ + # ~ = (tanpa spasi), paling banyak 64.";

const OPS = { tambah: "add", add: "add", tetapkan: "set", set: "set", buka: "open", open: "open",
  tutup: "close", close: "close", selesai: "close", batal: "void", void: "void" };

// ---- CSV ----

// Rows of cells from CSV text; the separator is guessed from the first line (";" as Excel
// writes it in Indonesia, or ",", or a tab). Quotes as RFC 4180.
export function parseCsv(text) {
  text = text.replace(/^\ufeff/, "");
  const first = text.split(/\r?\n/, 1)[0] || "";
  const sep = [";", "\t", ","].reduce((a, b) => (count(first, b) > count(first, a) ? b : a));
  const rows = [];
  let row = [], cell = "", q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (c === '"') q = false; else cell += c;
    } else if (c === '"') q = true;
    else if (c === sep) { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

const count = (s, c) => s.split(c).length - 1;

// A cell as Excel reads it back; text that Excel would take for a formula gets a leading "'".
function csvCell(v) {
  let s = String(v ?? "");
  if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[;"\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

// A template for a group of elements: one row per element and org unit, to fill in.
export function templateCsv(cat, elements, orgunits) {
  const lines = [COLUMNS.join(";")];
  for (const e of elements) for (const o of orgunits) {
    const op = OP_LABEL[opsFor(e)[0]];
    lines.push([ "", e.code, e.name, o, cat.orgName(o), "", op, "", "", "", ""].map(csvCell).join(";"));
  }
  return "\ufeff" + lines.join("\r\n") + "\r\n";
}

export function download(name, text, type) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// ---- XLSX: a zip (central directory, then deflate-raw streams) of XML parts ----

export async function readXlsx(buf) {
  const files = unzipIndex(new DataView(buf));
  const text = async (name) => (files.has(name) ? new TextDecoder().decode(await inflate(buf, files.get(name))) : "");
  const xml = (s) => new DOMParser().parseFromString(s, "application/xml");
  const strings = [...xml(await text("xl/sharedStrings.xml")).getElementsByTagName("si")]
    .map((si) => [...si.getElementsByTagName("t")].map((t) => t.textContent).join(""));
  const sheet = await firstSheet(files, text, xml);
  if (!sheet) throw new Error("Berkas XLSX tidak berisi lembar kerja.");
  const rows = [];
  for (const r of xml(await text(sheet)).getElementsByTagName("row")) {
    const n = Number(r.getAttribute("r")) || rows.length + 1;
    const row = [];
    for (const c of r.getElementsByTagName("c")) row[colIndex(c.getAttribute("r")) ?? row.length] = cellValue(c, strings);
    rows[n - 1] = Array.from(row, (x) => x ?? "");
  }
  return Array.from(rows, (x) => x || []);
}

async function firstSheet(files, text, xml) {
  const wb = xml(await text("xl/workbook.xml"));
  const s = wb.getElementsByTagName("sheet")[0];
  if (!s) return [...files.keys()].find((k) => /^xl\/worksheets\/[^/]+\.xml$/.test(k));
  const rid = s.getAttribute("r:id") || s.getAttributeNS("http://schemas.openxmlformats.org/officeDocument/2006/relationships", "id");
  for (const rel of xml(await text("xl/_rels/workbook.xml.rels")).getElementsByTagName("Relationship")) {
    if (rel.getAttribute("Id") !== rid) continue;
    const t = rel.getAttribute("Target");
    return t.startsWith("/") ? t.slice(1) : "xl/" + t;
  }
  return "xl/worksheets/sheet1.xml";
}

function colIndex(ref) {
  const m = /^([A-Z]+)/.exec(ref || "");
  if (!m) return null;
  let n = 0;
  for (const ch of m[1]) n = n * 26 + ch.charCodeAt(0) - 64;
  return n - 1;
}

function cellValue(c, strings) {
  const t = c.getAttribute("t");
  const v = c.getElementsByTagName("v")[0];
  if (t === "s") return strings[Number(v && v.textContent)] ?? "";
  if (t === "inlineStr") return [...c.getElementsByTagName("t")].map((x) => x.textContent).join("");
  if (!v) return "";
  if (t === "str" || t === "e") return v.textContent;
  if (t === "b") return v.textContent === "1" ? "1" : "0";
  return Number(v.textContent); // a number (dates are serial numbers here)
}

// name -> {off, csize, method} from the zip's central directory.
function unzipIndex(dv) {
  let eocd = -1;
  for (let i = dv.byteLength - 22; i >= Math.max(0, dv.byteLength - 65558); i--)
    if (dv.getUint32(i, true) === 0x06054b50) { eocd = i; break; }
  if (eocd < 0) throw new Error("Berkas ini bukan XLSX (bukan arsip zip).");
  const n = dv.getUint16(eocd + 10, true);
  let p = dv.getUint32(eocd + 16, true);
  const files = new Map();
  const dec = new TextDecoder();
  for (let i = 0; i < n; i++) {
    if (dv.getUint32(p, true) !== 0x02014b50) throw new Error("Arsip XLSX rusak.");
    const method = dv.getUint16(p + 10, true), csize = dv.getUint32(p + 20, true);
    const nl = dv.getUint16(p + 28, true), xl = dv.getUint16(p + 30, true), cl = dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    const name = dec.decode(new Uint8Array(dv.buffer, dv.byteOffset + p + 46, nl));
    files.set(name, { local, csize, method });
    p += 46 + nl + xl + cl;
  }
  for (const f of files.values()) {
    const nl = dv.getUint16(f.local + 26, true), xl = dv.getUint16(f.local + 28, true);
    f.off = f.local + 30 + nl + xl;
  }
  return files;
}

async function inflate(buf, f) {
  const data = new Uint8Array(buf, f.off, f.csize);
  if (f.method === 0) return data;
  if (f.method !== 8) throw new Error("Kompresi XLSX tidak dikenal.");
  if (typeof DecompressionStream === "undefined")
    throw new Error("peramban ini tidak dapat membuka XLSX; simpan berkas sebagai CSV dari Excel lalu unggah lagi.");
  const s = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(s).arrayBuffer());
}

// ---- rows to events ----

// The header row's columns -> field names; null when no column names an element.
export function headerMap(row) {
  const map = row.map((c) => ALIASES[String(c).trim().toLowerCase()] || null);
  return map.includes("element") ? map : null;
}

// "14/03/2022", "14-3-2022", "2022-03-14" or an Excel serial day -> "2022-03-14" (or "").
export function parseDate(v) {
  if (typeof v === "number" && v > 20000 && v < 80000) {
    const d = new Date(Date.UTC(1899, 11, 30) + Math.round(v) * 864e5);
    return d.toISOString().slice(0, 10);
  }
  const s = String(v ?? "").trim();
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (m) return iso(+m[3], +m[2], +m[1]);
  m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  return m ? iso(+m[1], +m[2], +m[3]) : "";
}

function iso(y, mo, d) {
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) return "";
  return `${y}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

// One row -> {ev, no} or {err} (Indonesian), or null for a row left empty in the template. An
// ev without an ID column gets its id in upload.js (rowKey below).
export function rowEvent(cat, map, row) {
  const f = {};
  map.forEach((k, i) => { if (k) f[k] = row[i] ?? ""; });
  const str = (k) => String(f[k] ?? "").trim();
  if (!str("element") && !str("date") && !str("value")) return null;
  if (!str("date") && !str("value") && !str("case")) return null; // a template row not filled in
  const info = { element: str("element"), orgunit: str("orgunit"), date: parseDate(f.date) || str("date"),
    value: str("value"), case: str("case") };
  const bad = (err) => ({ err, info });
  const e = cat.elements.get(str("element"));
  if (!e) return bad(`Kode elemen "${str("element")}" tidak dikenal.`);
  const ev = { element: e.code, orgunit: str("orgunit"), date: parseDate(f.date) };
  if (!cat.orgunits.has(ev.orgunit)) return bad(`Kode wilayah "${ev.orgunit}" tidak dikenal.`);
  if (!cat.myOrgunits().includes(ev.orgunit)) return bad("Wilayah ini di luar wewenang Anda.");
  if (!cat.myElements().some((x) => x.code === e.code)) return bad("Elemen ini bukan wewenang Anda.");
  if (!ev.date) return bad("Tanggal tidak valid; tulis dd/mm/yyyy, mis. 14/03/2022.");
  ev.op = OPS[str("op").toLowerCase()] || opsFor(e)[0];
  if (!opsFor(e).includes(ev.op)) return bad(`Operasi "${str("op")}" tidak cocok untuk elemen ini.`);
  if (e.kind === "case") {
    ev.case = str("case");
    if (!ev.case) return bad("Nomor kasus wajib diisi.");
    if (!ID_OK.test(ev.case)) return bad(ID_HELP);
    ev.value = 1;
  } else {
    const v = fmt.parseNum(f.value);
    if (!Number.isInteger(v) || v < 0) return bad(`Jumlah "${str("value")}" bukan bilangan bulat.`);
    ev.value = v;
  }
  if (str("comment")) ev.comment = str("comment");
  if (new TextEncoder().encode(ev.comment || "").length > 500) return bad("Keterangan terlalu panjang (paling banyak 500 byte).");
  if (str("ref")) ev.ref = str("ref");
  if ((str("id") && !ID_OK.test(str("id"))) || (ev.ref && !ID_OK.test(ev.ref)))
    return bad("ID dan Koreksi Atas hanya boleh huruf, angka dan - _ . : / @ + # ~ =, paling banyak 64.");
  if (str("id")) ev.id = str("id");
  return { ev, no: str("no") };
}

// The rule iki submit follows for a file sent again (man iki, FILES SENT AGAIN): a file is known
// by its name, each row by its No column (the nomor agenda) or else its row number. rowKey
// names that; rowBaseId is the id of the row's first event; rowDigest its content's digest.
export const rowKey = (user, fileName, r) => [user, fileName, r.no ? "no:" + r.no : "row:" + r.n].join("\u0000");
export const rowBaseId = (key) => "x-" + hash(key);
export const rowDigest = (ev) => hash(JSON.stringify([ev.element, ev.orgunit, ev.date, ev.op, ev.value,
  ev.case || "", ev.comment || ""]));

// 2 x 53 bits of cyrb53: the same for the same text, different for others.
export function hash(s) {
  const one = (seed) => {
    let h1 = 0xdeadbeef ^ seed, h2 = 0x41c6ce57 ^ seed;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
  };
  return one(1) + one(2);
}
