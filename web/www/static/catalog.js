// catalog.js: what the pages need from /api/describe and /api/me: names, groups, scope.

const SECTIONS = {
  desa: "Desa/Kelurahan", umum: "Subbag Umum dan Kepegawaian", keuangan: "Subbag Keuangan",
  pemerintahan: "Seksi Pemerintahan", trantib: "Seksi Trantib", pmd: "Seksi PMD dan Kesos",
};
export const sectionName = (c) => SECTIONS[c] || c;

export class Catalog {
  constructor(desc, me) {
    this.desc = desc || {};
    this.me = me || {};
    this.elements = new Map((this.desc.elements || []).map((e) => [e.code, e]));
    this.orgunits = new Map((this.desc.orgunits || []).map((o) => [o.code, o]));
    this.indicators = this.desc.indicators || [];
  }

  root() { return (this.desc.orgunits || []).find((o) => !o.parent) || { code: "", name: "" }; }

  orgName(code) {
    const o = this.orgunits.get(code);
    if (!o) return code || "";
    const kind = { kecamatan: "Kec.", desa: "Desa", kelurahan: "Kel." }[o.kind] || "";
    return (kind ? kind + " " : "") + o.name;
  }

  elementName(code) { return (this.elements.get(code) || {}).name || code || ""; }

  // The org units this user may send for, as ikiweb says (a clerk: one village; a section
  // or an admin: all; a viewer: none), in catalog order.
  myOrgunits() {
    const mine = new Set(this.me.orgunits || []);
    return [...this.orgunits.keys()].filter((c) => mine.has(c));
  }

  // The elements this user may send, in catalog order.
  myElements() {
    const mine = new Set(this.me.elements || []);
    return (this.desc.elements || []).filter((e) => mine.has(e.code));
  }

  // Group elements under the first indicator whose formula names them (sasaran and
  // indicator as the IKI document writes them); the rest under "Lainnya".
  groups(elements) {
    const home = new Map();
    for (const ind of this.indicators) {
      const codes = ind.elements || this.formulaCodes(ind);
      for (const c of codes) if (!home.has(c)) home.set(c, ind);
    }
    const out = new Map();
    for (const e of elements) {
      const ind = home.get(e.code);
      const key = ind ? ind.indicator : "_";
      if (!out.has(key)) out.set(key, { key, indicator: ind, title: ind ? ind.name : "Lainnya",
        sasaran: ind ? ind.sasaran : "", elements: [] });
      out.get(key).elements.push(e);
    }
    return [...out.values()];
  }

  // ikid writes formulas in words ("Surat masuk + Akta tanah (dibuka)"): map names to codes.
  formulaCodes(ind) {
    const byName = new Map((this.desc.elements || []).map((e) => [e.name, e.code]));
    const words = `${ind.numerator || ""} + ${ind.denominator || ""}`.split(" + ");
    return words.map((w) => byName.get(w.trim().replace(/ \((dibuka|selesai|selesai tepat waktu)\)$/, "")))
      .filter(Boolean);
  }

  // Jabatan -> indicators (an indicator of two positions shows under both).
  byJabatan() {
    const out = new Map();
    for (const ind of this.indicators) {
      for (const j of String(ind.jabatan || "Lainnya").split("; ")) {
        if (!out.has(j)) out.set(j, []);
        out.get(j).push(ind);
      }
    }
    return out;
  }

  // The year the catalog is for ("... Tahun 2022"), else this year.
  year() {
    const m = /(20\d\d)/.exec(this.desc.title || "");
    return m ? Number(m[1]) : new Date().getFullYear();
  }
}

// The op an element takes: add (a flow), set (a state or target), open/close (a case).
// A case type on a schedule is opened by ikid itself: people only close it (deliver the report).
export function opsFor(e) {
  if (e.kind === "case" && e.schedule) return ["close"];
  if (Array.isArray(e.ops) && e.ops.length) return e.ops.filter((o) => o !== "void");
  if (e.kind === "case") return ["open", "close"];
  return e.aggregate === "last" ? ["set"] : ["add"];
}

// The periods a schedule's reports are for, in a year: [[id, label], ...].
export function schedulePeriods(every, year) {
  if (every === "year") return [[String(year), "Tahun " + year]];
  if (every === "quarter") return ["I", "II", "III", "IV"].map((r, i) => [`${year}Q${i + 1}`, `Triwulan ${r} ${year}`]);
  const months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember"];
  return months.map((m, i) => [`${year}${String(i + 1).padStart(2, "0")}`, `${m} ${year}`]);
}

export const OP_LABEL = { add: "tambah", set: "tetapkan", open: "buka", close: "tutup", void: "batal" };
