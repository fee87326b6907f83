// fmt.js: numbers, dates and periods as people in Indonesia read them (id-ID, WIB).

const TZ = "Asia/Jakarta";
const nf = new Map();

// 1234.5 -> "1.234,5" (at most `digits` decimals).
export function num(x, digits = 1) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (!nf.has(digits))
    nf.set(digits, new Intl.NumberFormat("id-ID", { maximumFractionDigits: digits }));
  return nf.get(digits).format(x);
}

export const pct = (x) => (x === null || x === undefined ? "–" : num(x, 1) + " %");

// A value's realisasi: a percentage when its factor is 100 (every Sampang indicator), else the
// plain ratio times its factor.
export const realisasi = (v) => (v.factor === undefined || v.factor === null || v.factor === 100 ? pct(v.value) : num(v.value, 2));

// Parse a number as a person types it in Indonesia: "1.234" = 1234, "12,5" = 12.5.
// Returns NaN when it is not a number. Plain "1234" and "1234.5" (from XLSX cells) pass too.
export function parseNum(s) {
  if (typeof s === "number") return s;
  let t = String(s ?? "").trim().replace(/\s|\u00a0|Rp\.?/gi, "");
  if (!t) return NaN;
  if (/^-?\d+(\.\d+)?$/.test(t) && !/^-?\d{1,3}(\.\d{3})+$/.test(t)) return Number(t);
  if (!/^-?\d{1,3}(\.\d{3})*(,\d+)?$/.test(t) && !/^-?\d+(,\d+)?$/.test(t)) return NaN;
  return Number(t.replace(/\./g, "").replace(",", "."));
}

const dtf = new Intl.DateTimeFormat("id-ID", {
  timeZone: TZ, day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
});
const df = new Intl.DateTimeFormat("id-ID", { timeZone: "UTC", day: "numeric", month: "long", year: "numeric" });

// A moment (ms, ISO string or seconds) -> "2 Des 2026 16.05 WIB".
export function when(t) {
  if (t === null || t === undefined || t === "") return "";
  const d = typeof t === "number" ? new Date(t < 1e12 ? t * 1000 : t) : new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : dtf.format(d) + " WIB";
}

// "2022-03-14" -> "14 Maret 2022".
export function day(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  return m ? df.format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))) : iso || "";
}

const dlf = new Intl.DateTimeFormat("id-ID", { timeZone: "UTC", weekday: "long", day: "numeric", month: "long", year: "numeric" });

// "2022-03-14" -> "Senin, 14 Maret 2022" ("" when it is not a date).
export function dayLong(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
  return m ? dlf.format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))) : "";
}

// Today's date in WIB, "YYYY-MM-DD".
export function today() {
  const p = new Intl.DateTimeFormat("en-CA", { timeZone: TZ, year: "numeric", month: "2-digit", day: "2-digit" });
  return p.format(new Date());
}

export const MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
  "Agustus", "September", "Oktober", "November", "Desember"];
export const MON = MONTHS.map((m) => m.slice(0, 3));

// "2022" -> "Tahun 2022", "2022Q1" -> "Triwulan I 2022", "202203" -> "Maret 2022".
export function period(p) {
  const s = String(p);
  if (/^\d{4}$/.test(s)) return "Tahun " + s;
  const q = /^(\d{4})Q([1-4])$/.exec(s);
  if (q) return `Triwulan ${["I", "II", "III", "IV"][q[2] - 1]} ${q[1]}`;
  const m = /^(\d{4})(\d{2})$/.exec(s);
  if (m) return `${MONTHS[+m[2] - 1]} ${m[1]}`;
  return s;
}

// The predikat band's CSS class: the name ikid sends decides (it knows the catalog's bands).
export function band(predikat) {
  const p = String(predikat || "").toLowerCase();
  if (!p) return "band-none";
  if (p === "sangat baik") return "band-sb";
  if (p === "baik") return "band-b";
  if (p === "cukup") return "band-c";
  if (p === "kurang") return "band-k";
  if (p === "sangat kurang") return "band-sk";
  return "band-other";
}

const UNITS = { count: "jumlah", amount: "rupiah", state: "keadaan", target: "target" };
export const unitLabel = (u) => UNITS[u] || u || "";
