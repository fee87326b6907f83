#!/usr/bin/env python3
"""The expected LAKIP figures of a full year of Sampang: writes tests/data/sampang-2022-year.expect.

An independent model of what ikid must answer after tests/check_year.c has submitted
sampang-2022-year.csv, had a write into the locked 2022Q1 refused, and submitted
sampang-2022-year-fix.csv. It does not import or run any of the C code (nor tests/data/expect.py):
it reads the catalog's formulas, limits, schedules, targets and bands from
catalog/sampang-2022.conf and the two CSV files, and applies the documented rules
(catalog header, proto/PROTOCOL.md "Corrections", "Events and ops", "values"):

  flows (aggregate sum)    a period's value is the sum of the values ("add"; empty = 1) dated in it;
  states (aggregate last)  at each org unit, the value "set" with the latest date on or before
                           the period's end within its budget year (the calendar year): a pagu
                           set in January counts in every month and triwulan of the year until
                           another is set; with `carry = period` in the catalog, the latest
                           inside the period only; equal dates: the later arrival wins; none
                           set: 0. An org unit above (the kecamatan) sums the latest value of
                           itself and of each org unit below it;
  cases                    ".open" counts in the period of the opening date, ".closed" in the
                           period of the closing date and ".ontime" with it when
                           close - open <= limit_days (none: always); a case type with
                           count_close = open counts its close in the period of its opening;
  schedules                before any event, ikid opens the case "<schedule>/<period>" of each
                           report due (monthly, quarterly, yearly over `years`) at the schedule's
                           org unit (default the kecamatan), dated on the period's last day;
  corrections              "void" (ref X) takes back all X counted: a flow's value, a state (the
                           period falls back to the value set before it), a case open (and its
                           close with it), a close (the case reopens and may be closed again);
                           an event with ref X and another op voids X and counts itself;
  the lock                 the events refused while 2022Q1 was locked are not stored: they are
                           not in either file, so they count nothing (one is sent again, same
                           id and content, in the fix file, after the unlock);
  cumulative ("s.d.")      2022Q2SD is 1 January through the end of triwulan II, 202205SD
                           1 January through the end of May: a flow (a sum, and a case's
                           .open, .closed and .ontime) counts every value dated from 1 January
                           to the period's end; a stock counts its value at the period's end
                           (the latest set on or before it within the year; with `carry =
                           period`, within the triwulan or month it ends with). The target
                           is that of the period it ends with (a month's: its triwulan's
                           target_q, else the year's target);
  value                    num and den: sums of the formula's quantities over the org unit's
                           subtree (ratio of sums over villages and months);
                           realisasi = num / den x factor; no data when den = 0;
  capaian                  realisasi / target x 100 (polarity up), (2 target - realisasi) / target
                           x 100 (down); target: the catalog's target_q for a triwulan, else its
                           target; predikat: the catalog's bands (default Sangat Baik >= 91,
                           Baik >= 76, Cukup >= 66, Kurang >= 51, Sangat Kurang) judged on capaian
                           rounded to 2 decimals.

While it replays the files it also checks them as ikid would (unique ids, ops that fit, a close
after an open of the same org unit, ...), so that data ikid would refuse is caught here.

Usage (from the repository root; Python 3 standard library only):
  python3 tests/data/expect_year.py           print the expect file
  python3 tests/data/expect_year.py --check   compare with tests/data/sampang-2022-year.expect
  python3 tests/data/expect_year.py --write   rewrite tests/data/sampang-2022-year.expect
"""
import csv
import datetime
import os
import sys
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CATALOG = os.path.join(ROOT, "catalog", "sampang-2022.conf")
FILES = [os.path.join(HERE, "sampang-2022-year.csv"),
         os.path.join(HERE, "sampang-2022-year-fix.csv")]
EXPECT = os.path.join(HERE, "sampang-2022-year.expect")

KEC = "35.27.03"
# the org units the expect file covers: the kecamatan and three villages with data of every kind
ORGUNITS = [KEC, "35.27.03.1003", "35.27.03.2002", "35.27.03.2001"]
PERIODS = (["2022Q1", "2022Q2", "2022Q3", "2022Q4", "2022"] +
           ["2022Q%dSD" % q for q in range(1, 5)] + ["2022%02dSD" % m for m in range(1, 13)])


# ---------------------------------------------------------------- the catalog

class Catalog:
    def __init__(self, path):
        self.parent, self.name = {}, {}
        self.aggregate = {}          # element -> "sum" | "last"
        self.carry_period = set()    # last elements with carry = period
        self.limit = {}              # case type -> days or None
        self.close_at_open = set()   # case types with count_close = open
        self.schedules = []          # dicts
        self.indicators = []         # (code, dict)
        self.bands = []              # (min, name), highest first
        section = None
        for raw in open(path, encoding="utf-8"):
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                kind, code = line[1:-1].split(None, 1)
                section = (kind, code.strip(), {})
                if kind == "indicator":
                    self.indicators.append((section[1], section[2]))
                elif kind == "schedule":
                    self.schedules.append(section[2])
                    section[2]["code"] = section[1]
                self._sections = getattr(self, "_sections", []) + [section]
                continue
            key, _, val = line.partition("=")
            key, val = key.strip(), val.strip()
            if section is None:
                if key == "band":
                    low, _, name = val.partition(" ")
                    self.bands.append((Fraction(low.replace(",", ".")), name.strip()))
                continue
            kind, code, kv = section
            kv[key] = val if key != "jabatan" else kv.get(key, "") + val
            if kind == "orgunit" and key == "parent":
                self.parent[code] = val
            elif kind == "orgunit" and key == "name":
                self.name[code] = val
            elif kind == "element" and key == "aggregate":
                self.aggregate[code] = val
            elif kind == "element" and key == "carry" and val == "period":
                self.carry_period.add(code)
            elif kind == "case" and key == "limit_days":
                self.limit[code] = None if val == "none" else int(val)
            elif kind == "case" and key == "count_close" and val == "open":
                self.close_at_open.add(code)
        for kind, code, _ in self._sections:
            if kind == "orgunit":
                self.parent.setdefault(code, None)
        if not self.bands:
            self.bands = [(Fraction(91), "Sangat Baik"), (Fraction(76), "Baik"), (Fraction(66), "Cukup"),
                          (Fraction(51), "Kurang"), (Fraction(0), "Sangat Kurang")]
        self.root = next(code for kind, code, _ in self._sections if kind == "orgunit")

    def terms(self, formula):
        return [t.strip() for t in formula.split("+")]


# ---------------------------------------------------------------- periods and dates

def day(s):
    return datetime.date.fromisoformat(s)


def periods_of(date):
    d = day(date)
    return ["%04d%02d" % (d.year, d.month), "%04dQ%d" % (d.year, (d.month - 1) // 3 + 1), "%04d" % d.year]


def through(date):
    """The cumulative periods whose span (1 January through their end) holds date: the
    "s.d." months from the date's own to December, and the "s.d." triwulans from its own on."""
    d = day(date)
    q = (d.month - 1) // 3 + 1
    return (["%04d%02dSD" % (d.year, m) for m in range(d.month, 13)] +
            ["%04dQ%dSD" % (d.year, k) for k in range(q, 5)])


def periods_counting(date, carry):
    """The periods a stock set on date counts in: those holding the date and, carried forward,
    every later month and triwulan of its year (a period whose end is on or after the date),
    with the cumulative ones ending on those, whose stock is its value at their end. Not
    carried (carry = period): the month and triwulan holding the date, and their s.d. twins."""
    d = day(date)
    if not carry:
        q = (d.month - 1) // 3 + 1
        return periods_of(date) + ["%04d%02dSD" % (d.year, d.month), "%04dQ%dSD" % (d.year, q)]
    q = (d.month - 1) // 3 + 1
    return (["%04d%02d" % (d.year, m) for m in range(d.month, 13)] +
            ["%04dQ%d" % (d.year, k) for k in range(q, 5)] + ["%04d" % d.year] + through(date))


def last_day(year, month):
    nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)


def scheduled(cat):
    """The opening events ikid makes for the catalog's schedules, in the catalog's order."""
    out = []
    for s in cat.schedules:
        ct = s["case"]
        assert ct in cat.limit, "schedule %s: case %s" % (s["code"], ct)
        # the catalog says the on-time limit of a scheduled report is the schedule's due_days
        assert "due_days" not in s or int(s["due_days"]) == cat.limit[ct], s["code"]
        first, _, last = s["years"].partition("-")
        for y in range(int(first), int(last or first) + 1):
            if s["every"] == "month":
                due = [("%04d%02d" % (y, m), last_day(y, m)) for m in range(1, 13)]
            elif s["every"] == "quarter":
                due = [("%04dQ%d" % (y, q), last_day(y, 3 * q)) for q in range(1, 5)]
            else:
                due = [("%04d" % y, datetime.date(y, 12, 31))]
            for pid, end in due:
                out.append({"id": "jadwal/%s/%s" % (s["code"], pid), "element": ct,
                            "orgunit": s.get("orgunit", cat.root), "date": end.isoformat(), "op": "open",
                            "value": "", "case": "%s/%s" % (s["code"], pid), "comment": "", "ref": ""})
    return out


# ---------------------------------------------------------------- replaying the events

def replay(cat, events):
    """Replay the events in arrival order, as ikid would accept them; returns the events that
    stand at the end (not voided, not voids), each with its arrival number."""
    stored = {}     # id -> event
    voided = set()  # ids voided or replaced
    cases = {}      # (case type, case id) -> {"open": event id or None, "close": event id or None}
    for n, e in enumerate(events):
        e["n"] = n
        assert e["id"] and e["id"] not in stored, "id used twice: " + e["id"]
        if e["op"] == "void":
            ref = e["ref"]
            assert ref in stored and ref not in voided and stored[ref]["op"] != "void", e["id"]
            take_back(cat, stored[ref], cases, voided)
            stored[e["id"]] = e
            continue
        if e["ref"]:
            ref = e["ref"]
            assert ref in stored and ref not in voided and stored[ref]["op"] != "void", e["id"]
            take_back(cat, stored[ref], cases, voided)
        el, op = e["element"], e["op"]
        assert e["orgunit"] in cat.parent, e["id"]
        day(e["date"])
        if el in cat.aggregate:
            assert op == ("add" if cat.aggregate[el] == "sum" else "set") and not e["case"], e["id"]
            assert cat.aggregate[el] == "sum" or e["value"] != "", e["id"]
        else:
            assert el in cat.limit and op in ("open", "close") and e["case"], e["id"]
            assert e["value"] in ("", "1"), e["id"]
            c = cases.setdefault((el, e["case"]), {"open": None, "close": None, "ever": False})
            if op == "open":
                assert not c["ever"], "case opened twice: %s" % e["id"]
                c["open"], c["ever"] = e["id"], True
            else:
                o = c["open"] and stored[c["open"]]
                assert o and o["orgunit"] == e["orgunit"], "close without open: " + e["id"]
                assert c["close"] is None, "closed twice: " + e["id"]
                assert e["date"] >= o["date"], "closed before opened: " + e["id"]
                c["close"] = e["id"]
        stored[e["id"]] = e
    return [e for i, e in stored.items() if i not in voided and e["op"] != "void"], cases


def take_back(cat, e, cases, voided):
    voided.add(e["id"])
    if e["element"] in cat.limit:
        c = cases[(e["element"], e["case"])]
        if e["op"] == "open":  # the case goes, and its close with it
            if c["close"]:
                voided.add(c["close"])
            c["open"] = c["close"] = None
        else:                  # the case reopens
            c["close"] = None


def tally(cat, standing, cases):
    """(quantity, own org unit, period) -> value, for every quantity a formula may name."""
    t = {}

    def add(q, ou, date, v):  # a flow: its month, triwulan and year, and the s.d. periods after
        for p in periods_of(date) + through(date):
            t[(q, ou, p)] = t.get((q, ou, p), 0) + v

    latest = {}  # (element, org unit, period) -> (date, arrival, value)
    byid = {e["id"]: e for e in standing}
    for e in standing:
        el, ou = e["element"], e["orgunit"]
        v = int(e["value"]) if e["value"] != "" else 1
        if el in cat.aggregate and cat.aggregate[el] == "sum":
            add(el, ou, e["date"], v)
        elif el in cat.aggregate:
            for p in periods_counting(e["date"], el not in cat.carry_period):
                k = (el, ou, p)
                if k not in latest or (e["date"], e["n"]) > latest[k][:2]:
                    latest[k] = (e["date"], e["n"], v)
        elif e["op"] == "open":
            add(el + ".open", ou, e["date"], 1)
    for (el, _), c in cases.items():
        if not c["close"] or not c["open"]:
            continue
        o, x = byid[c["open"]], byid[c["close"]]
        days = (day(x["date"]) - day(o["date"])).days
        when = o["date"] if el in cat.close_at_open else x["date"]
        add(el + ".closed", x["orgunit"], when, 1)
        if cat.limit[el] is None or days <= cat.limit[el]:
            add(el + ".ontime", x["orgunit"], when, 1)
    for (el, ou, p), (_, _, v) in latest.items():
        t[(el, ou, p)] = t.get((el, ou, p), 0) + v
    return t


# ---------------------------------------------------------------- values

class Model:
    def __init__(self):
        self.cat = Catalog(CATALOG)
        events = scheduled(self.cat)
        self.counts = []
        for path in FILES:
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
            self.counts.append((os.path.basename(path), len(rows)))
            events += rows
        self.standing, cases = replay(self.cat, events)
        self.t = tally(self.cat, self.standing, cases)

    def below(self, ou, root):
        while ou is not None:
            if ou == root:
                return True
            ou = self.cat.parent[ou]
        return False

    def qty(self, q, root, p):
        return sum(v for (qq, ou, pp), v in self.t.items() if qq == q and pp == p and self.below(ou, root))

    def numden(self, ind, ou, p):
        kv = dict(self.cat.indicators)[ind]
        num = sum(self.qty(q, ou, p) for q in self.cat.terms(kv["numerator"]))
        den = sum(self.qty(q, ou, p) for q in self.cat.terms(kv["denominator"]))
        return num, den

    def value(self, ind, ou, p):
        """num, den, realisasi, target, capaian, predikat (None where there is none)."""
        kv = dict(self.cat.indicators)[ind]
        num, den = self.numden(ind, ou, p)
        factor = int(kv.get("factor", "100"))
        target = None
        quarter = quarter_of(p)
        if "target_q" in kv and quarter:
            target = Fraction(kv["target_q"].split()[quarter - 1].replace(",", "."))
        elif "target" in kv:
            target = Fraction(kv["target"].replace(",", "."))
        if den == 0:
            return num, den, None, target, None, None
        real = Fraction(num, den) * factor
        if target is None:
            return num, den, real, None, None, None
        up = kv.get("polarity", "up") == "up"
        cap = real / target * 100 if up else (2 * target - real) / target * 100
        # banded on capaian rounded to 2 decimals; keep clear of ties at a band's edge, where
        # ikid's double arithmetic could round the other way
        for low, _ in self.cat.bands:
            assert abs(cap - (low - Fraction(1, 200))) > Fraction(1, 10**6), (ind, ou, p, float(cap))
        hundredths = (cap * 100 + Fraction(1, 2)) // 1
        pred = next((name for low, name in self.cat.bands if hundredths >= low * 100), self.cat.bands[-1][1])
        return num, den, real, target, cap, pred


def quarter_of(p):
    """The triwulan whose target_q a period takes: a triwulan's own, a month's (2022Q2SD and
    202205SD are targeted as the period they end with: 2022Q2, 202205), none for the year."""
    p = p[:-2] if p.endswith("SD") else p
    if "Q" in p:
        return int(p[-1])
    if len(p) == 6:
        return (int(p[4:]) - 1) // 3 + 1
    return None


def fmt(x):
    return "-" if x is None else "%.2f" % float(x)


def lines(m):
    cat = m.cat
    n_events = sum(n for _, n in m.counts)
    out = [
        "# tests/data/sampang-2022-year.expect: the LAKIP figures of a full year of Kecamatan Sampang,",
        "# checked by tests/check_year.c. WRITTEN BY tests/data/expect_year.py --write, an independent",
        "# model of the counting rules (see its docstring); do not edit by hand: check_year runs the",
        "# model and fails when its output and this file differ.",
        "#",
        "# THE SCENARIO",
        "# ikid starts and opens the %d reports its schedules make due (rows 15 and 19). check_year" % len(
            scheduled(cat)),
        "# submits sampang-2022-year.csv (%d events: the office, its sections and the villages over" % (
            m.counts[0][1]),
        "# the year: letters, assets, personnel, budget, reports and documents, cases of every type,",
        "# village evaluations and elections, musrenbang, RT stimulus; at its end, late rows dated in",
        "# earlier triwulans; cases that close in the next triwulan or the next year), locks 2022Q1,",
        "# has five writes into it refused ('locked', exit status 1, nothing stored: a new event, a",
        "# void, a replacement moving a Q1 event out, one moving a Q2 event in, a state), unlocks",
        "# 2022Q1, submits sampang-2022-year-fix.csv (%d events, below) and locks 2022Q1 again." % (
            m.counts[1][1]),
        "# ikid must answer every line below; again after kill -9, and after a rebuild from its log.",
        "#",
        "# THE FIX FILE, and where it lands",
        "#   y22-terkunci-1  the March letters refused under the lock, same id and content: now late",
        "#                   data, iki06 Q1",
        "#   y22-fix-01      void of a January letter count (iki06 Q1 and the year)",
        "#   y22-fix-02      replacement of a May count of letters, 3 fewer (iki06 Q2)",
        "#   y22-fix-03      replacement that moves an August training to June (iki11: Q3 -> Q2)",
        "#   y22-fix-04, 05  replacement of the September asset count (144 -> 146), void of the",
        "#                   December one: Q4 and the year fall back to October's (iki07)",
        "#   y22-fix-06      P. Mandangin's Q2 evaluation set again on the same date: the later",
        "#                   arrival wins (iki16 Q2: tertib)",
        "#   y22-fix-07      an Aengsareh evaluation dated before the latest of Q4: it does not win",
        "#   y22-fix-08      void of a Polagan letter count (iki06 Q2)",
        "#   y22-fix-09      void of a land deed opened (and closed) in Aengsareh: both go (iki18, 20)",
        "#   y22-fix-10, 11  void of a crime follow-up of July, followed up again in October",
        "#                   (iki22: Q3 -> Q4)",
        "#   y22-fix-12..14  replacements of closes, each now on time: a land deed (iki18, 20 Q4), a",
        "#                   personnel service (iki01 Q3), June's financial report (iki15 Q2)",
        "#   y22-fix-15      void of a civil registration never closed (iki18 Q4, P. Mandangin)",
        "#   y22-fix-16..25  late data (no 19: a close dated 2023 is refused now, out_of_year): a",
        "#                   civil registration opened in March, closed late in April (iki18 Q1/Q2);",
        "#                   a land deed closed in December; a crime report of February",
        "#                   (Gunung Sekar); March spending; November's financial report, late",
        "#                   (iki15 Q4: closed, not on time); RT stimulus; a musrenbang proposal",
        "#",
        "# Org units: %s = %s (the kecamatan = its office + all 18 villages)," % (KEC, cat.name[KEC]),
        "# %s." % ", ".join("%s = %s" % (ou, cat.name[ou]) for ou in ORGUNITS[1:]),
        "# Targets, bands, limits and formulas: catalog/sampang-2022.conf (every target is 100 there, so",
        "# capaian = realisasi). num and den are totals over the org unit's subtree and the period's",
        "# months (ratio of sums). '-' = none: no data when den = 0 (no realisasi, capaian, predikat).",
        "# Periods: each triwulan and the year, then the cumulative ones (s.d., sampai dengan):",
        "# 2022Q1SD..2022Q4SD from 1 January through each triwulan, 202201SD..202212SD through each",
        "# month: flows summed since 1 January, stocks at the period's end, targets of the period",
        "# they end with. (Q1SD = Q1, Q4SD of a flow = the year, 202203SD = Q1SD: the model reaches",
        "# each from the events on its own, and asserts those identities.) A cumulative period's",
        "# figure is not the sum of its triwulans' percentages: see the s.d. lines at the end.",
        "#",
        "# indicator orgunit period num den realisasi target capaian predikat (spaces in it as '_')",
    ]
    for ou in ORGUNITS:
        for p in PERIODS:
            out.append("# -- %s %s, %s" % (ou, cat.name.get(ou, ""), p))
            for ind, _ in cat.indicators:
                num, den, real, target, cap, pred = m.value(ind, ou, p)
                out.append("%-6s %-13s %-8s %11d %11d %7s %7s %7s %s" % (
                    ind, ou, p, num, den, fmt(real), fmt(target), fmt(cap),
                    "-" if pred is None else pred.replace(" ", "_")))
    out += ratio_of_sums(m)
    out += cumulative_identities(m)
    return out


def cumulative_identities(m):
    """What the cumulative periods must be, reached apart: s.d. triwulan I is triwulan I and
    202203SD; 202206SD is 2022Q2SD, 202209SD 2022Q3SD, 202212SD 2022Q4SD; 2022Q4SD is the year
    (no element of the catalog is carry = period); a flow's s.d. is more than a triwulan's once
    the year goes on. Comment lines show a ratio of sums over months for the office's penyerapan."""
    same = [("2022Q1SD", "2022Q1"), ("202203SD", "2022Q1SD"), ("202206SD", "2022Q2SD"),
            ("202209SD", "2022Q3SD"), ("202212SD", "2022Q4SD"), ("2022Q4SD", "2022")]
    assert not m.cat.carry_period, "the year's identity needs every stock carried"
    grew = 0
    for ind, _ in m.cat.indicators:
        for ou in ORGUNITS:
            for a, b in same:
                assert m.numden(ind, ou, a) == m.numden(ind, ou, b), (ind, ou, a, b)
            q2, q3 = m.numden(ind, ou, "2022Q2"), m.numden(ind, ou, "2022Q3SD")
            grew += q3[1] > q2[1]
    assert grew >= 20, grew
    out = ["#", "# s.d. (cumulative) figures are ratios of sums since 1 January, not averages of"
           " triwulans:"]
    for ind in ("iki06", "iki18", "iki22"):
        num, den = m.numden(ind, KEC, "2022Q3SD")
        qs = [m.numden(ind, KEC, "2022Q%d" % q) for q in (1, 2, 3)]
        avg = sum(Fraction(n, d) * 100 for n, d in qs if d) / len([d for _, d in qs if d])
        ratio = Fraction(num, den) * 100
        assert abs(ratio - avg) > Fraction(1, 100), ind
        out.append("#   %s 2022Q3SD: %d/%d = %.2f %%; average of triwulan I-III = %.2f %%" % (
            ind, num, den, float(ratio), float(avg)))
    return out


def ratio_of_sums(m):
    """Comment lines (and assertions) showing that the kecamatan is a ratio of sums: it differs
    from the average of its org units' percentages, and the year from the average of its
    triwulans' percentages."""
    cat = m.cat
    units = [ou for ou in cat.parent if ou == KEC or cat.parent[ou] == KEC]
    out = ["#", "# Ratio of sums, not an average of percentages (checked by expect_year.py):",
           "# indicator period: kecamatan num/den = %; average of the % of its N org units with data"]
    differ = 0
    for ind, _ in cat.indicators:
        for p in ("2022", "2022Q3"):
            num, den = m.numden(ind, KEC, p)
            pcts = []
            for ou in units:
                n, d = m.numden(ind, ou, p) if ou != KEC else own(m, ind, p)
                if d:
                    pcts.append(Fraction(n, d) * 100)
            if den and len(pcts) > 1:
                avg = sum(pcts) / len(pcts)
                ratio = Fraction(num, den) * 100
                if abs(ratio - avg) > Fraction(1, 100):
                    differ += 1
                    out.append("#   %s %s: %d/%d = %.2f %%; average of %d org units = %.2f %%" % (
                        ind, p, num, den, float(ratio), len(pcts), float(avg)))
    # the indicators whose data the villages hold must all show it for the year
    for ind in ("iki18", "iki20", "iki22", "iki25"):
        assert any(l.startswith("#   %s 2022:" % ind) for l in out), ind + ": no case for ratio of sums"
    assert differ >= 8, differ
    out += ["#", "# ... and over months: the kecamatan's year against the average of its triwulans' %:"]
    months = 0
    for ind, _ in cat.indicators:
        num, den = m.numden(ind, KEC, "2022")
        qs = [m.numden(ind, KEC, "2022Q%d" % q) for q in range(1, 5)]
        qs = [Fraction(n, d) * 100 for n, d in qs if d]
        if ind in ("iki06", "iki18", "iki22") and den:
            avg = sum(qs) / len(qs)
            assert abs(Fraction(num, den) * 100 - avg) > Fraction(1, 100), ind
            months += 1
            out.append("#   %s 2022: %d/%d = %.2f %%; average of %d triwulans = %.2f %%" % (
                ind, num, den, float(Fraction(num, den) * 100), len(qs), float(avg)))
    assert months == 3
    return out


def own(m, ind, p):
    """The office's own num and den: the kecamatan's minus its villages'."""
    num, den = m.numden(ind, KEC, p)
    for ou, par in m.cat.parent.items():
        if par == KEC:
            n, d = m.numden(ind, ou, p)
            num, den = num - n, den - d
    return num, den


def main():
    text = "\n".join(lines(Model())) + "\n"
    if "--write" in sys.argv:
        open(EXPECT, "w", encoding="utf-8").write(text)
        return 0
    if "--check" in sys.argv:
        same = os.path.exists(EXPECT) and open(EXPECT, encoding="utf-8").read() == text
        print("%s %s" % (os.path.basename(EXPECT), "is the model's" if same else "DIFFERS from the model"))
        return 0 if same else 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
