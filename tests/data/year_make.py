#!/usr/bin/env python3
"""year_make.py: write the full year of Sampang data the accountability test submits.

  year-2022.csv         every kind of event for every indicator, all year, at the office and
                        the 18 villages; cases that close late and across triwulan boundaries
  year-2022-fix.csv     sent afterwards: a replacement, voids of a flow, a state and a case's
                        close, and late data dated in triwulan I
  year-2022-locked.csv  one event dated in a locked triwulan: it must be refused

Deterministic (a fixed seed): rerun it and the files are the same. Python 3 standard library.
Usage: python3 tests/data/year_make.py   (from the repository root)
"""
import csv
import datetime
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
OFFICE = "35.27.03"
VILLAGES = ["35.27.03.%s" % v for v in ("1003", "1004", "1006", "1007", "1008", "1009", "2001",
                                         "2002", "2005", "2010", "2011", "2012", "2013", "2014",
                                         "2015", "2016", "2017", "2018")]
rnd = random.Random(20221231)
rows, n = [], [0]


def day(month, d):
    return datetime.date(2022, month, min(d, 28)).isoformat()


def ev(element, ou, date, op="add", value="", case="", comment="", ref="", id=None):
    n[0] += 1
    if op == "add" and value == "":
        value = 1  # a count's value is written, never implied (issue 12.3)
    rows.append({"id": id or "y%04d" % n[0], "element": element, "orgunit": ou, "date": date,
                 "op": op, "value": value, "case": case, "comment": comment, "ref": ref})
    return rows[-1]["id"]


def later(date, days):
    return (datetime.date.fromisoformat(date) + datetime.timedelta(days=days)).isoformat()


# targets and ceilings, set early in the year (states: the latest in a period counts)
for el, v in (("sarpras_ada", 152), ("target_kenaikan_pangkat", 18), ("target_kenaikan_berkala", 30),
              ("target_pengajuan_cuti", 40), ("target_pegawai_diklat", 12),
              ("pagu_pemeliharaan", 93500000), ("pagu_belanja_lain", 1850000000),
              ("lap_bendahara_wajib", 12), ("spp_spm_wajib", 24), ("siskamswakarsa_rencana", 24)):
    ev(el, OFFICE, day(1, 5), "set", v)
ev("pagu_belanja_lain", OFFICE, day(9, 1), "set", 1975000000, comment="APBD Perubahan")
for v in VILLAGES:
    ev("desa_sasaran", v, day(1, 10), "set", 1)
for v in VILLAGES[6:10]:
    ev("pilkades_sasaran", v, day(1, 12), "set", 1)
for v in VILLAGES[::3]:
    ev("target_usulan_terakomodir", v, day(2, 1), "set", rnd.randint(3, 6))
    ev("target_sarpras_rt", v, day(2, 2), "set", rnd.randint(2, 5))

case_no = [0]


def case(element, ou, opened, days, limit_note=""):
    case_no[0] += 1
    cid = "%s-%03d" % (element[:3].upper(), case_no[0])
    ev(element, ou, opened, "open", case=cid)
    if days is not None:
        ev(element, ou, later(opened, days), "close", case=cid, comment=limit_note)
    return cid


for m in range(1, 13):
    masuk, keluar = rnd.randint(20, 45), rnd.randint(10, 25)
    ev("surat_masuk", OFFICE, day(m, 8), value=masuk)
    ev("surat_keluar", OFFICE, day(m, 20), value=keluar)
    ev("surat_tepat", OFFICE, day(m, 25), value=int((masuk + keluar) * rnd.uniform(0.7, 0.98)))
    ev("sarpras_terpelihara", OFFICE, day(m, 27), "set", rnd.randint(118, 150))
    for el in ("kenaikan_pangkat", "kenaikan_berkala", "pengajuan_cuti", "pegawai_diklat"):
        if rnd.random() < 0.6:
            ev(el, OFFICE, day(m, rnd.randint(2, 27)), value=rnd.randint(1, 4))
    ev("realisasi_pemeliharaan", OFFICE, day(m, 15), value=rnd.randint(3, 9) * 1000000)
    ev("realisasi_belanja_lain", OFFICE, day(m, 18), value=rnd.randint(80, 190) * 1000000)
    ev("lapkeu_disusun", OFFICE, day(m, 6), comment="LRA bulanan")
    if rnd.random() < 0.8:
        ev("lapkeu_tepat", OFFICE, day(m, 6))
    ev("lap_bendahara_tepat", OFFICE, day(m, 9)) if rnd.random() < 0.85 else None
    ev("spp_spm_tepat", OFFICE, day(m, 12), value=rnd.randint(1, 3))
    ev("siskamswakarsa_terlaksana", OFFICE, day(m, 21), value=rnd.randint(1, 3))
    # scheduled reports of the month before: most on time, some late; December's never comes
    if m >= 2:
        late = rnd.random() < 0.25
        ev("lapkeu_bulanan", OFFICE, day(m, 14 if late else 7), "close",
           case="lapkeu_bulanan/2022%02d" % (m - 1), comment="terlambat" if late else "")
        ev("lap_kependudukan", OFFICE, day(m, 12 if rnd.random() < 0.3 else 9), "close",
           case="lap_kependudukan/2022%02d" % (m - 1))
    if m in (3, 6, 9, 12):
        for el in ("dok_perencanaan", "dok_pemerintahan", "dok_evaluasi"):
            made = rnd.randint(1, 3)
            ev(el + "_disusun", OFFICE, day(m, 20), value=made)
            ev(el + "_sesuai", OFFICE, day(m, 22), value=rnd.randint(0, made))
        for v in VILLAGES:  # the triwulan's evaluation of each village's administration
            if rnd.random() < 0.9:
                ev("desa_tertib", v, day(m, 24), "set", 1 if rnd.random() < 0.7 else 0)
    if m in (4, 7, 10):  # the previous triwulan's report, on the 8th or (late) the 13th
        late = m == 7
        ev("lapkeu_triwulanan", OFFICE, day(m, 13 if late else 8), "close",
           case="lapkeu_triwulanan/2022Q%d" % (m // 3))
    for _ in range(rnd.randint(0, 2)):
        case("layanan_kepegawaian", OFFICE, day(m, rnd.randint(1, 20)), rnd.randint(1, 12))
    for v in rnd.sample(VILLAGES, 5):
        opened = day(m, rnd.randint(1, 27))
        days = None if (m == 12 and rnd.random() < 0.5) else rnd.randint(3, 25)
        case("akta_tanah", v, opened, days)
        case("adminduk", v, day(m, rnd.randint(1, 25)), rnd.randint(0, 6))
        if rnd.random() < 0.4:
            case("kriminal", v, day(m, rnd.randint(1, 25)),
                 None if rnd.random() < 0.3 else rnd.randint(1, 40))
    for v in VILLAGES[::3]:
        if rnd.random() < 0.3:
            ev("usulan_terakomodir", v, day(m, 11))
        if rnd.random() < 0.25:
            ev("sarpras_rt_dibangun", v, day(m, 16))
ev("lapkeu_triwulanan", OFFICE, "2023-01-09", "close", case="lapkeu_triwulanan/2022Q4")
ev("lapkeu_tahunan", OFFICE, "2023-02-20", "close", case="lapkeu_tahunan/2022",
   comment="laporan keuangan tahunan 2022 (unaudited)")
for v in VILLAGES[6:9]:
    ev("pilkades_sukses", v, day(10, 16))
# the cases to correct later: a close in the second triwulan, a flow, a state
close_fix = case("akta_tanah", "35.27.03.2002", day(5, 3), 6)
flow_fix = ev("surat_masuk", OFFICE, day(5, 28), value=99, comment="salah ketik")
state_fix = ev("desa_tertib", "35.27.03.1003", day(6, 29), "set", 0, comment="evaluasi keliru")


# Case types whose close counts in the period of the open (scheduled reports): December's may
# be delivered in January. Every other event of 2023 is refused by a catalog of 2022 (year =
# 2022: out_of_year), so it is left out of the files; it counted in no 2022 period anyway.
REPORTS = ("lapkeu_bulanan", "lapkeu_triwulanan", "lapkeu_tahunan", "lap_kependudukan")


def in_year(r):
    return not r["date"] or r["date"] < "2023" or (r["op"] == "close" and r["element"] in REPORTS)


def write(name, data):
    data = [r for r in data if in_year(r)]
    with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, ["id", "element", "orgunit", "date", "op", "value", "case",
                               "comment", "ref"], lineterminator="\n")
        w.writeheader()
        w.writerows(data)


write("year-2022.csv", rows)
main = len(rows)
# corrections and late data, sent after the year file (and a lock on triwulan I was lifted)
close_id = [r["id"] for r in rows if r["case"] == close_fix and r["op"] == "close"][0]
ev("surat_masuk", OFFICE, day(5, 28), value=9, ref=flow_fix, id="fix-1",
   comment="dibetulkan: 9, bukan 99")
ev("", "", "", "void", ref=close_id, id="fix-2", comment="penyelesaian dicatat keliru")
ev("", "", "", "void", ref=state_fix, id="fix-3", comment="evaluasi dibatalkan")
ev("adminduk", "35.27.03.2002", day(2, 14), "open", case="ADM-LATE", id="fix-4",
   comment="data terlambat")
ev("adminduk", "35.27.03.2002", day(2, 16), "close", case="ADM-LATE", id="fix-5")
ev("surat_keluar", OFFICE, day(3, 30), value=7, id="fix-6", comment="agenda Maret terlambat")
write("year-2022-fix.csv", rows[main:])
write("year-2022-locked.csv", [{"id": "lock-1", "element": "surat_masuk", "orgunit": OFFICE,
                                "date": day(2, 15), "op": "add", "value": 3, "case": "",
                                "comment": "ditulis ke triwulan yang dikunci", "ref": ""}])
print("%d events, %d corrections and late events" % (main, len(rows) - main))
