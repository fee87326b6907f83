#!/usr/bin/env python3
"""Cross-check of tests/data/sampang-2022-03.expect. NOT used by the daemon or by the tests.

The expected values in sampang-2022-03.expect were computed by hand. This script recomputes them
independently, straight from the CSV and the catalog, with the semantics the catalog's header
describes, so that a slip in either shows up:

  - element with aggregate sum (count, amount): a period's value is the sum of the values
    ("add", empty value = 1) dated inside it;
  - element with aggregate last (state, target): at each org unit, the value "set" with the
    latest date on or before the period's end within its year (carried forward: a pagu set in
    January counts in every later month and triwulan; with carry = period, inside the period
    only); equal dates: the later row wins; nothing set: 0;
  - case type: "<case>.open" counts a case in the period of its opening date, ".closed" in the
    period of its closing date, ".ontime" too when closing - opening <= limit_days (none: always);
    with count_close = open, ".closed" and ".ontime" count in the period of the opening date;
  - schedule: before anything is submitted, a case "<schedule>/<period>" of its case type is
    opened at its org unit (default the kecamatan) for every month/quarter/year of its years,
    dated on the period's last day;
  - a cumulative period ("s.d."): 2022Q2SD runs from 1 January through the end of triwulan II,
    202205SD through the end of May; a flow (and a case's steps) sums what is dated in it, a
    stock is its value at the period's end; its target is that of the period it ends with;
  - an org unit's value is its own plus its descendants' (the kecamatan = office + villages),
    for states the sum of each org unit's own latest value;
  - an indicator's num and den are the sums of their quantities.

Usage:
  python3 tests/data/expect.py            print every expected line it can compute
  python3 tests/data/expect.py --check    compare with sampang-2022-03.expect; exit 1 on a difference
Run from the repository root. Python 3 standard library only.
"""
import csv
import datetime
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CATALOG = os.path.join(ROOT, "catalog", "sampang-2022.conf")
CSV = os.path.join(HERE, "sampang-2022-03.csv")
EXPECT = os.path.join(HERE, "sampang-2022-03.expect")


def read_catalog(path):
    """Sections of the INI catalog as (kind, code, {key: value or [values]}) in file order."""
    sections, cur = [], None
    for raw in open(path, encoding="utf-8"):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            kind, code = line[1:-1].split(None, 1)
            cur = (kind, code.strip(), {})
            sections.append(cur)
            continue
        key, val = (x.strip() for x in line.split("=", 1))
        if cur is None:
            continue  # title
        cur[2].setdefault(key, []).append(val)
    return sections


def periods_of(date):
    d = datetime.date.fromisoformat(date)
    return ("%04d%02d" % (d.year, d.month), "%04dQ%d" % (d.year, (d.month - 1) // 3 + 1), "%04d" % d.year)


def sd_periods(date):
    """The cumulative ("s.d.", sampai dengan) periods a flow dated on date counts in: every one
    running from 1 January of its year to an end on or after it (202205SD: 1 January through
    May 31; 2022Q2SD: through June 30)."""
    d = datetime.date.fromisoformat(date)
    q = (d.month - 1) // 3 + 1
    return (["%04d%02dSD" % (d.year, m) for m in range(d.month, 13)] +
            ["%04dQ%dSD" % (d.year, k) for k in range(q, 5)])


def flow_periods(date):
    """The periods a flow dated on date counts in: those holding it, and the s.d. ones."""
    return list(periods_of(date)) + sd_periods(date)


def periods_counting(date, carry):
    """The periods a stock set on date counts in: those holding the date and, carried forward
    (the default), every later month and triwulan of its budget year; and the s.d. periods
    whose end is in one of those months or triwulans, a stock's s.d. figure being its value at
    the period's end (not carried: the date's own month and triwulan, and their s.d. twins)."""
    d = datetime.date.fromisoformat(date)
    q = (d.month - 1) // 3 + 1
    if not carry:
        return list(periods_of(date)) + ["%04d%02dSD" % (d.year, d.month), "%04dQ%dSD" % (d.year, q)]
    return (["%04d%02d" % (d.year, m) for m in range(d.month, 13)] +
            ["%04dQ%d" % (d.year, k) for k in range(q, 5)] + ["%04d" % d.year] + sd_periods(date))


def effective(rows):
    """The events that stand once corrections are applied: a void (op void, ref X) takes X
    away, a replacement (ref X, another op) takes X away and stands itself."""
    gone = {r["ref"] for r in rows if r.get("ref")}
    return [r for r in rows if r["id"] not in gone and r["op"] != "void"]


def compute(csvs=None):
    secs = read_catalog(CATALOG)
    parent, elements, cases, indicators, schedules = {}, {}, {}, [], []
    carry_period = set()
    close_at_open = set()
    for kind, code, kv in secs:
        if kind == "orgunit":
            parent[code] = kv.get("parent", [None])[0]
        elif kind == "element":
            elements[code] = kv["aggregate"][0]
            if kv.get("carry", ["year"])[0] == "period":
                carry_period.add(code)
        elif kind == "case":
            lim = kv["limit_days"][0]
            cases[code] = None if lim == "none" else int(lim)
            if kv.get("count_close", ["close"])[0] == "open":
                close_at_open.add(code)
        elif kind == "schedule":
            schedules.append(kv)
        elif kind == "indicator":
            terms = lambda s: [t.strip() for t in s.split("+")]
            indicators.append((code, terms(kv["numerator"][0]), terms(kv["denominator"][0])))

    flows = {}    # (quantity, own orgunit, period) -> sum
    latest = {}   # (element, own orgunit, period) -> (date, row, value)
    opened = {}   # (case type, case id) -> (orgunit, date)
    ids = set()
    rows = []
    for path in csvs or [CSV]:
        with open(path, newline="", encoding="utf-8") as f:
            rows += list(csv.DictReader(f))
    due = []
    for kv in schedules:
        a, _, b = kv["years"][0].partition("-")
        for year in range(int(a), int(b or a) + 1):
            every = kv["every"][0]
            n = {"month": 12, "quarter": 4, "year": 1}[every]
            for k in range(1, n + 1):
                if every == "month":
                    pid, last = "%04d%02d" % (year, k), datetime.date(year + k // 12, k % 12 + 1, 1)
                elif every == "quarter":
                    pid = "%04dQ%d" % (year, k)
                    last = datetime.date(year + (3 * k) // 12, (3 * k) % 12 + 1, 1)
                else:
                    pid, last = "%04d" % year, datetime.date(year + 1, 1, 1)
                last -= datetime.timedelta(days=1)
                due.append({"id": "jadwal/%s/%s" % (kv["case"][0], pid), "element": kv["case"][0],
                            "orgunit": kv.get("orgunit", ["35.27.03"])[0],
                            "date": last.isoformat(), "op": "open", "value": "",
                            "case": "%s/%s" % (kv["case"][0], pid)})
    rows = due + rows
    assert len({r["id"] for r in rows}) == len(rows), "duplicate ids"
    rows = effective(rows)
    for n, r in enumerate(rows):
        ids.add(r["id"])
        el, ou, date, op = r["element"], r["orgunit"], r["date"], r["op"]
        assert ou in parent, "unknown orgunit " + ou
        value = int(r["value"]) if r["value"] != "" else 1
        if el in elements:
            assert r["case"] == "", r["id"]
            if elements[el] == "sum":
                assert op == "add", r["id"]
                for p in flow_periods(date):
                    flows[(el, ou, p)] = flows.get((el, ou, p), 0) + value
            else:
                assert op == "set", r["id"]
                for p in periods_counting(date, el not in carry_period):
                    k = (el, ou, p)
                    if k not in latest or date >= latest[k][0]:
                        latest[k] = (date, n, value)
            continue
        assert el in cases and value == 1 and r["case"], r["id"]
        key = (el, r["case"])
        if op == "open":
            assert key not in opened, "opened twice: %s" % (key,)
            opened[key] = (ou, date)
            steps = [".open"]
        else:
            assert op == "close", r["id"]
            if key not in opened or opened[key][0] != ou:
                continue  # its open was voided: the close went with it (ikid skips it too)
            days = (datetime.date.fromisoformat(date) - datetime.date.fromisoformat(opened[key][1])).days
            assert days >= 0, r["id"]
            steps = [".closed"]
            if cases[el] is None or days <= cases[el]:
                steps.append(".ontime")
            if el in close_at_open:
                date = opened[key][1]  # counts in the period it reports on
            del opened[key]  # a case closes once
        for s in steps:
            for p in flow_periods(date):
                k = (el + s, ou, p)
                flows[k] = flows.get(k, 0) + 1
    for (el, ou, p), (_, _, v) in latest.items():
        flows[(el, ou, p)] = flows.get((el, ou, p), 0) + v

    def under(ou, root):
        while ou is not None:
            if ou == root:
                return True
            ou = parent[ou]
        return False

    def qty(q, root, p):
        return sum(v for (qq, ou, pp), v in flows.items() if qq == q and pp == p and under(ou, root))

    def value(code, root, p):
        for c, num, den in indicators:
            if c == code:
                return sum(qty(q, root, p) for q in num), sum(qty(q, root, p) for q in den)
        raise KeyError(code)

    def meta(code):
        for kind, c, kv in secs:
            if kind == "indicator" and c == code:
                return kv
        raise KeyError(code)

    return [c for c, _, _ in indicators], value, meta, bands(secs)


def bands(secs):
    """The predikat bands, highest first: (min capaian, name)."""
    return [(91, "Sangat Baik"), (76, "Baik"), (66, "Cukup"), (51, "Kurang"), (0, "Sangat Kurang")]


def capaian(code, num, den, meta, band_list, period):
    """(target, capaian, predikat) by the LAKIP arithmetic, or None without a target; capaian and
    predikat None without data."""
    kv = meta(code)
    if "target" not in kv:
        return None
    target = float(kv["target"][0].replace(",", "."))
    base = period[:-2] if period.endswith("SD") else period  # an s.d. period: the one it ends with
    q = int(base[-1]) if "Q" in base else (int(base[4:]) + 2) // 3 if len(base) == 6 else 0
    if "target_q" in kv and q:
        target = float(kv["target_q"][0].split()[q - 1].replace(",", "."))
    if den == 0:
        return target, None, None
    real = num / den * int(kv.get("factor", ["100"])[0])
    up = kv["polarity"][0] == "up"
    cap = real / target * 100 if up else (2 * target - real) / target * 100
    shown = round(cap, 2)
    name = next(n for m, n in band_list if shown >= m or m == 0)
    return target, cap, name


WHERE = [("35.27.03", ["202201", "202202", "202203", "202204", "2022Q1", "2022Q2", "2022"]),
         ("35.27.03.2002", ["202203", "2022Q1", "2022"]),
         ("35.27.03.1003", ["202203", "2022Q1", "2022"])]


YEAR_CSVS = [os.path.join(HERE, "year-2022.csv"), os.path.join(HERE, "year-2022-fix.csv")]
YEAR_EXPECT = os.path.join(HERE, "year-2022.expect")
YEAR_WHERE = ["35.27.03", "35.27.03.2002", "35.27.03.1003"]
YEAR_PERIODS = (["2022Q1", "2022Q2", "2022Q3", "2022Q4", "2022"] +
                ["2022Q%dSD" % q for q in range(1, 5)] + ["2022%02dSD" % m for m in range(1, 13)])


def year_lines():
    """Every indicator at the kecamatan and two villages, each triwulan and the year, and the
    cumulative periods 2022Q1SD..2022Q4SD and 202201SD..202212SD (s.d.: since 1 January), after
    the year file and its corrections: indicator orgunit period num den capaian predikat."""
    codes, value, meta, band_list = compute(YEAR_CSVS)
    out = ["# tests/data/year-2022.expect: written by tests/data/expect.py --year (do not edit);",
           "# checked by tests/check_lakip.c against ikid after year-2022.csv, a lock, a refused",
           "# write, year-2022-fix.csv (a replacement, voids, late data) and another lock.",
           "# Periods: each triwulan, the year, then s.d. (1 January through the end of) each",
           "# triwulan and each month: flows summed since 1 January, stocks at the period's end.",
           "# indicator orgunit period num den capaian(- without data) predikat(- without data)"]
    uneven = 0
    for ou in YEAR_WHERE:
        for p in YEAR_PERIODS:
            for c in codes:
                num, den = value(c, ou, p)
                t = capaian(c, num, den, meta, band_list, p)
                cap = "-" if not t or t[1] is None else "%.2f" % t[1]
                pred = "-" if not t or t[2] is None else t[2].replace(" ", "_")
                out.append("%-6s %-14s %-8s %6d %6d %8s %s" % (c, ou, p, num, den, cap, pred))
    # Ratio of sums, not an average of percentages: say where the two differ.
    villages = [ou for ou in _parents() if ou.count(".") == 3]
    for c in codes:
        num, den = value(c, "35.27.03", "2022")
        pcts = [value(c, v, "2022") for v in villages]
        pcts = [n / d * 100 for n, d in pcts if d]
        if den and len(pcts) > 1 and abs(num / den * 100 - sum(pcts) / len(pcts)) > 0.01:
            uneven += 1
            out.append("# %s 2022: kecamatan %.2f %% (ratio of sums) vs %.2f %% (average of %d "
                       "villages)" % (c, num / den * 100, sum(pcts) / len(pcts), len(pcts)))
    assert uneven >= 3, "the data should tell ratio of sums from averages"
    return out


def _parents():
    return [c for k, c, _ in read_catalog(CATALOG) if k == "orgunit"]


def main():
    if "--year" in sys.argv:
        lines = year_lines()
        if "--check" in sys.argv:
            same = open(YEAR_EXPECT, encoding="utf-8").read() == "\n".join(lines) + "\n"
            print("year-2022.expect %s" % ("matches" if same else "DIFFERS from the model"))
            return 0 if same else 1
        print("\n".join(lines))
        return 0
    codes, value, _, _ = compute()
    if "--check" not in sys.argv:
        for ou, periods in WHERE:
            for p in periods:
                for c in codes:
                    print("%s %s %s %d %d" % ((c, ou, p) + value(c, ou, p)))
        return 0
    bad = checked = 0
    for n, line in enumerate(open(EXPECT, encoding="utf-8"), 1):
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        got = value(f[0], f[1], f[2])
        checked += 1
        if got != (int(f[3]), int(f[4])):
            bad += 1
            print("%s:%d: %s %s %s: expect file says %s/%s, recomputed %d/%d" % (
                EXPECT, n, f[0], f[1], f[2], f[3], f[4], got[0], got[1]))
    print("%d lines checked, %d differ" % (checked, bad))
    return 1 if bad or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
