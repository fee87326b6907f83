#!/usr/bin/python3
"""A second, independent iki client, written from proto/PROTOCOL.md alone.

It shares no code with the C client: Debian's python3 with python3-zmq and python3-msgpack.
Against an ikid running tests/data/mini.conf it subscribes to updates, submits, resubmits
(duplicate), resubmits with other content (id_conflict), submits a bad org unit (error),
queries the village and the kecamatan (checking the sums grew by what it submitted, so it can
run again on the same state), takes a snapshot, queries through a REQ socket too, and waits for
an update. It speaks both forms of submit: the map form and the compact batch, whose encoder
below follows PROTOCOL.md's rules and must give the golden bytes of the page.

usage: independent_client.py REQUEST_ENDPOINT UPDATE_ENDPOINT
Exits 0 with a one-line summary, or 1 with the reason.
"""
import datetime
import re
import sys
import time

import msgpack
import zmq

VILLAGE = "35.27.03.2001"
KECAMATAN = "35.27.03"


def fail(why):
    print("independent client: FAILED: " + why, file=sys.stderr)
    sys.exit(1)


class Client:
    """A DEALER socket: one frame per request; replies echo req."""

    def __init__(self, ctx, endpoint):
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.req = 0

    def call(self, type_, **body):
        self.req += 1
        msg = {"v": 1, "type": type_, "req": self.req}
        msg.update(body)
        self.sock.send(msgpack.packb(msg, use_bin_type=True))
        if not self.sock.poll(10000):
            fail("no reply to %s within 10 s" % type_)
        reply = msgpack.unpackb(self.sock.recv(), raw=False)
        if reply.get("v") != 1 or reply.get("req") != self.req:
            fail("reply does not echo v=1 and req=%d: %r" % (self.req, reply))
        return reply


def event(id_, element, day, value):
    return {"id": id_, "element": element, "orgunit": VILLAGE,
            "date": "2022-03-%02d" % day, "op": "add", "value": value}


STRING_COLUMNS = ("element", "orgunit", "op", "case", "comment", "ref")
EPOCH = datetime.date(1970, 1, 1)


def day_number(date):
    """Days since 1970-01-01 of a real date YYYY-MM-DD (years 2000-2099), else None."""
    if not re.fullmatch(r"20\d\d-\d\d-\d\d", date or ""):
        return None
    try:
        return (datetime.date(int(date[:4]), int(date[5:7]), int(date[8:])) - EPOCH).days
    except ValueError:
        return None


def compact(events):
    """The "batch" map of events (dicts as in the map form), as PROTOCOL.md says ikid writes it."""
    field = [{k: e.get(k, "") for k in STRING_COLUMNS} for e in events]
    uses, first = {}, {}
    for f in field:
        for k in STRING_COLUMNS:
            s = f[k]
            if s:
                first.setdefault(s, len(first))
                uses[s] = uses.get(s, 0) + 1
    table = sorted((s for s in uses if uses[s] > 1), key=lambda s: (-uses[s], first[s]))
    index = {s: i for i, s in enumerate(table)}
    days = [day_number(e.get("date", "")) for e in events]
    real = [d for d in days if d is not None]
    batch = {"n": len(events)}
    if table:
        batch["str"] = table
    if real:
        batch["day0"] = min(real)
    ids, prev = [], b""
    for e in events:
        b = e["id"].encode()
        keep = 0
        while keep < min(len(b), len(prev)) and b[keep] == prev[keep]:
            keep += 1
        ids += [keep, b[keep:].decode()]
        prev = b if b else prev
    batch["id"] = ids
    for k in ("element", "orgunit"):
        batch[k] = [index.get(f[k], f[k]) for f in field]
    batch["date"] = [d - batch["day0"] if d is not None else e.get("date", "")
                     for d, e in zip(days, events)]
    batch["op"] = [index.get(f["op"], f["op"]) for f in field]
    values = [e.get("value") for e in events]  # None: the event has none (nil)
    if any(v is not None and (v != 1 or e["op"] in ("add", "set"))
           for v, e in zip(values, events)):
        batch["value"] = values
    for k in ("case", "comment", "ref"):
        if any(f[k] for f in field):
            batch[k] = [index.get(f[k], f[k]) for f in field]
    return batch


def golden(name):
    """The bytes of a golden example of PROTOCOL.md."""
    with open("proto/PROTOCOL.md") as f:
        m = re.search(r"<!-- golden: %s -->\s*```hex\n(.*?)```" % re.escape(name), f.read(), re.S)
    if not m:
        fail("no golden %s in PROTOCOL.md" % name)
    return bytes.fromhex(m.group(1))


def check_compact_goldens():
    """Our compact encoder gives the page's bytes."""
    two = [{"id": "s0301-001", "element": "surat_masuk", "orgunit": "35.27.03.2002",
            "date": "2022-03-14", "op": "add", "value": 12},
           {"id": "s0301-002", "element": "akta_tanah", "orgunit": "35.27.03.2002",
            "date": "2022-03-01", "op": "open", "value": 1, "case": "AT-0042",
            "comment": "Pak Hasan"}]
    ou = "35.27.03.2001"
    shared = [{"id": "k7Qd3x-000123", "element": "surat_masuk", "orgunit": ou,
               "date": "2022-03-14", "op": "add", "value": 1},
              {"id": "k7Qd3x-000124", "element": "surat_masuk", "orgunit": ou,
               "date": "2022-03-15", "op": "add", "value": 1},
              {"id": "k7Qd3x-000125", "element": "surat_masuk", "orgunit": ou,
               "date": "2022-02-30", "op": "add", "value": 1},
              {"id": "k7Qd3x-000130", "op": "void", "ref": "k7Qd3x-000123", "comment": "dobel"}]
    for name, req, events in (("submit-compact", 1, two), ("submit-compact-shared", 2, shared)):
        mine = msgpack.packb({"v": 1, "type": "submit", "req": req, "batch": compact(events)},
                             use_bin_type=True)
        if mine != golden(name):
            fail("compact encoding of golden %s differs: %s" % (name, mine.hex()))


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    ctx = zmq.Context()
    sub = ctx.socket(zmq.SUB)
    sub.setsockopt(zmq.LINGER, 0)
    sub.setsockopt(zmq.SUBSCRIBE, b"surat/")
    sub.connect(sys.argv[2])
    time.sleep(0.3)  # a SUB joins asynchronously
    c = Client(ctx, sys.argv[1])
    run = "py%d-" % int(time.time() * 1000)

    # What is there already (0/0 on a fresh ikid), so the script can run again on the same state.
    def sums(orgunit):
        r = c.call("query", indicator="surat", orgunit=orgunit, period="202203")
        if r.get("type") != "values" or len(r["values"]) != 1:
            fail("query before submitting: %r" % r)
        return r["values"][0]["num"], r["values"][0]["den"]

    base_v, base_k = sums(VILLAGE), sums(KECAMATAN)
    want_v = (base_v[0] + 8, base_v[1] + 17)
    want_k = (base_k[0] + 8, base_k[1] + 17)

    events = [event(run + "1", "surat_masuk", 1, 10),
              event(run + "2", "surat_tepat", 2, 7),
              event(run + "3", "surat_masuk", 3, 5)]
    r = c.call("submit", events=events)
    if r.get("type") != "submitted" or [x["status"] for x in r["results"]] != ["ok"] * 3:
        fail("first submit: %r" % r)

    r = c.call("submit", events=[events[0]])
    if r["results"][0]["status"] != "duplicate":
        fail("resubmit should be duplicate: %r" % r)

    changed = dict(events[0], value=11)
    r = c.call("submit", events=[changed])
    res = r["results"][0]
    if res["status"] != "error" or res["code"] != "id_conflict":
        fail("same id, other content should be id_conflict: %r" % r)

    bad = dict(event(run + "4", "surat_masuk", 4, 1), orgunit="35.27.03.9999")
    r = c.call("submit", events=[bad])
    res = r["results"][0]
    if res["status"] != "error" or res["code"] != "unknown_orgunit" or not res["message"]:
        fail("bad org unit: %r" % r)

    # A value is never implied: an add without one is refused (map and compact form alike).
    bare = event(run + "8", "surat_masuk", 4, 1)
    del bare["value"]
    for form in ({"events": [bare]}, {"batch": compact([bare])}):
        r = c.call("submit", **form)
        res = r["results"][0]
        if res["status"] != "error" or res["code"] != "bad_value" or not res["message"]:
            fail("an add without a value should be bad_value: %r" % r)

    # The compact form: new events in a batch; the same events again as maps are duplicates.
    check_compact_goldens()
    more = [event(run + "5", "surat_masuk", 5, 2), event(run + "6", "surat_tepat", 5, 1),
            dict(event(run + "7", "surat_masuk", 31, 0), comment="dari python")]
    r = c.call("submit", batch=compact(more))
    if r.get("type") != "submitted" or [x["status"] for x in r["results"]] != ["ok"] * 3:
        fail("compact submit: %r" % r)
    r = c.call("submit", events=more)
    if [x["status"] for x in r.get("results", [])] != ["duplicate"] * 3:
        fail("the compact events again as maps should be duplicates: %r" % r)
    r = c.call("submit", batch=compact(events))
    if [x["status"] for x in r.get("results", [])] != ["duplicate"] * 3:
        fail("the first events again, compact, should be duplicates: %r" % r)
    r = c.call("submit", batch=dict(compact([bad]), orgunit=[99]))
    res = r["results"][0]
    if res["status"] != "error" or res["code"] != "bad_field" or "orgunit" not in res["message"]:
        fail("a string index past the table should be bad_field (orgunit): %r" % r)

    r = c.call("query", indicator="surat", orgunit=VILLAGE, period="202203")
    if r.get("type") != "values" or len(r["values"]) != 1:
        fail("query: %r" % r)
    v = r["values"][0]
    if ((v["num"], v["den"]) != want_v
            or abs(v["value"] - v["num"] / v["den"] * v["factor"]) > 1e-9):
        fail("query value: %r" % v)

    # The kecamatan: named, and by leaving orgunit out; its villages' sums (only one has data).
    for where in ({"orgunit": KECAMATAN}, {}):
        r = c.call("query", indicator="surat", period="202203", **where)
        if r.get("type") != "values" or len(r["values"]) != 1:
            fail("kecamatan query %r: %r" % (where, r))
        v = r["values"][0]
        if (v["orgunit"], v["period"], v["num"], v["den"]) != (KECAMATAN, "202203") + want_k:
            fail("kecamatan value %r: %r" % (where, v))

    r = c.call("query", indicator="surat", period="2099")
    if r["values"][0]["value"] is not None or r["values"][0]["den"] != 0:
        fail("a period without data must have value nil: %r" % r)

    r = c.call("query", indicator="nope", period="2022")
    if r.get("type") != "error" or r.get("code") != "unknown_indicator":
        fail("unknown indicator: %r" % r)

    r = c.call("snapshot", indicator="surat", period="202203")
    got = {v["orgunit"]: (v["num"], v["den"]) for v in r.get("values", [])}
    if (r.get("type") != "values" or not isinstance(r.get("seq"), int) or r["seq"] < 1
            or got.get(VILLAGE) != want_v or got.get(KECAMATAN) != want_k):
        fail("snapshot: %r" % r)

    # The same query through a REQ socket (ZeroMQ adds the empty delimiter frame itself).
    req = ctx.socket(zmq.REQ)
    req.setsockopt(zmq.LINGER, 0)
    req.connect(sys.argv[1])
    req.send(msgpack.packb({"v": 1, "type": "query", "req": 99, "indicator": "surat",
                            "orgunit": VILLAGE, "period": "202203"}, use_bin_type=True))
    if not req.poll(10000):
        fail("no reply through REQ")
    r = msgpack.unpackb(req.recv(), raw=False)
    if r.get("req") != 99 or r["values"][0]["num"] != want_v[0]:
        fail("REQ query: %r" % r)

    if not sub.poll(5000):
        fail("no update published within 5 s")
    topic, body = sub.recv_multipart()
    u = msgpack.unpackb(body, raw=False)
    val = u.get("value", {})
    if (u.get("type") != "update" or not topic.startswith(b"surat/")
            or topic.decode() != "%s/%s/%s" % (val["indicator"], val["orgunit"], val["period"])
            or not isinstance(u.get("seq"), int)):
        fail("update: %r %r" % (topic, u))

    print("independent client: submit (maps and compact), duplicate, conflict, error, village and "
          "kecamatan query, snapshot, REQ query, update: ok")


if __name__ == "__main__":
    main()
