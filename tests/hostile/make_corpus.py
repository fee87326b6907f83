#!/usr/bin/python3
"""make_corpus.py: write the hostile message corpus of tests/hostile/ and its manifest EXPECT.

Each file is one message body as a client could send it. EXPECT has one line per file:
    file  decode  reply  [field]
decode: what proto_decode returns (a wire code name, or "ok"); reply: what ikid answers,
"error:<code>" (the whole message refused), "event:<code>" (decoded; every event refused with
that code) or "reply:<type>" (served as usual); field: for "event:bad_field", the field the
decoder names (err_field; the message says "kolom '<field>'"). Nothing in it stores anything:
every event is refused. Messages too large to commit (over 4 MiB, a map of 400000 keys) are made
by check_hostile itself. Run with Debian's python3 (it needs msgpack); it rewrites every file:
    /usr/bin/python3 tests/hostile/make_corpus.py
"""
import glob
import os
import struct

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
entries = []
DROP = object()  # leave the key out


def add(name, data, decode, reply, field="-"):
    assert name not in (e[0] for e in entries), name
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    entries.append((name, decode, reply, field))


def pack(obj):
    return msgpack.packb(obj, use_bin_type=True)


def strip(d):
    return {k: v for k, v in d.items() if v is not DROP}


def event(**over):
    """A well-formed event of Desa P. Mandangin (tests/data/mini.conf), changed by over."""
    e = {"id": "h-1", "element": "surat_masuk", "orgunit": "35.27.03.2001",
         "date": "2022-03-10", "op": "add", "value": 1}
    e.update(over)
    return strip(e)


def submit(*events, **env):
    m = {"v": 1, "type": "submit", "req": 7, "events": list(events)}
    m.update(env)
    return pack(strip(m))


def request(type_, **body):
    m = {"v": 1, "type": type_, "req": 2}
    m.update(body)
    return pack(strip(m))


def raw_event(field, raw, key=None):
    """A one-event submit whose field holds the raw msgpack bytes raw, last (under the raw key
    bytes key when given)."""
    ev = event()
    ev.pop(field, None)
    body = b"".join(pack(k) + pack(v) for k, v in ev.items()) + (key or pack(field)) + raw
    return b"\x84" + pack("v") + b"\x01" + pack("type") + pack("submit") + pack("req") + \
        b"\x01" + pack("events") + b"\x91" + bytes([0x80 | (len(ev) + 1)]) + body


def str_header(n):
    return bytes([0xa0 | n]) if n < 32 else b"\xd9" + bytes([n])


# A valid submit whose one event names an unknown element: it stores nothing.
good = submit(event(element="nothing_here"))


def cut_points(b):
    """Offsets inside b worth cutting at: each object's first byte, inside multi-byte headers,
    and the middle of each string's bytes."""
    cuts = set()

    def walk(off):
        cuts.add(off)
        t = b[off]
        if t <= 0x7f or t >= 0xe0 or t in (0xc0, 0xc2, 0xc3):
            return off + 1
        if 0xa0 <= t <= 0xbf or t in (0xd9, 0xda, 0xdb):
            hl = 1 if t <= 0xbf else 1 + (1 << (t - 0xd9))
            n = t & 0x1f if t <= 0xbf else int.from_bytes(b[off + 1:off + hl], "big")
            if hl > 1:
                cuts.add(off + 1)
            if n >= 2:
                cuts.add(off + hl + n // 2)
            return off + hl + n
        if 0x80 <= t <= 0x9f:
            items, off = (t & 0x0f) * (2 if t <= 0x8f else 1), off + 1
            for _ in range(items):
                off = walk(off)
            return off
        if t in (0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3):
            n = {0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8, 0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8}[t]
            cuts.add(off + 1)
            return off + 1 + n
        raise ValueError("cut_points: byte %02x" % t)

    assert walk(0) == len(b)
    return sorted(c for c in cuts if 0 < c < len(b)) + [len(b) - 1]


# ---- structure: truncated, trailing, counts that cannot fit, reserved and bin/ext bytes ----
for cut in sorted(set(cut_points(good))):
    add("truncated-%03d.bin" % cut, good[:cut], "malformed", "error:malformed")
add("trailing-byte.bin", good + b"\x00", "malformed", "error:malformed")
add("trailing-nil.bin", good + b"\xc0", "malformed", "error:malformed")
add("trailing-map.bin", good + pack({"v": 1}), "malformed", "error:malformed")
add("trailing-1k-zeros.bin", good + bytes(1024), "malformed", "error:malformed")
add("twice.bin", good + good, "malformed", "error:malformed")
ENV = b"\xa1v\x01\xa4type\xa6submit"
add("array32-4g.bin", b"\x83" + ENV + b"\xa6events\xdd\xff\xff\xff\xff", "malformed",
    "error:malformed")
add("array16-65535.bin", b"\x83" + ENV + b"\xa6events\xdc\xff\xff\x80\x80", "malformed",
    "error:malformed")
add("fixarray-15-of-1.bin", b"\x83" + ENV + b"\xa6events\x9f\x80", "malformed",
    "error:malformed")
add("map32-4g.bin", b"\xdf\xff\xff\xff\xff\xa1v\x01", "malformed", "error:malformed")
add("map16-65535.bin", b"\xde\xff\xff\xa1v\x01\xa4type\xa5query", "malformed", "error:malformed")
add("event-map32-4g.bin", b"\x83" + ENV + b"\xa6events\x91\xdf\xff\xff\xff\xff\xa2id\xa1a",
    "malformed", "error:malformed")
add("str32-4g.bin", b"\x82\xa1v\x01\xa4type\xdb\xff\xff\xff\xff", "malformed", "error:malformed")
add("str16-65535.bin", b"\x82\xa1v\x01\xa4type\xda\xff\xffquery", "malformed", "error:malformed")
add("str8-255.bin", b"\x82\xa1v\x01\xa4type\xd9\xffquery", "malformed", "error:malformed")
add("key-str32-4g.bin", b"\x82\xa1v\x01\xdb\xff\xff\xff\xfftype", "malformed", "error:malformed")
add("uint64-cut.bin", b"\x82\xa1v\xcf\x00\x00\x01", "malformed", "error:malformed")
add("reserved-c1.bin", b"\x82\xa1v\x01\xa4type\xc1", "malformed", "error:malformed")
QUERY_X = b"\x84\xa1v\x01\xa4type\xa5query\xa6period\xa62022Q5\xa1x"  # then x's value
for name, raw in (("bin8", b"\xc4\x02ab"), ("bin16", b"\xc5\x00\x02ab"),
                  ("bin32", b"\xc6\x00\x00\x00\x02ab"), ("ext8", b"\xc7\x01\x05a"),
                  ("ext16", b"\xc8\x00\x01\x05a"), ("ext32", b"\xc9\x00\x00\x00\x01\x05a"),
                  ("fixext1", b"\xd4\x05a"), ("fixext2", b"\xd5\x05ab"),
                  ("fixext4", b"\xd6\x05abcd"), ("fixext8", b"\xd7\x05" + bytes(8)),
                  ("fixext16", b"\xd8\x05" + bytes(16)),
                  ("fixext-timestamp", b"\xd6\xff\x00\x00\x00\x00"),
                  ("ext-negative-type", b"\xc7\x00\x80"),
                  ("float32-nan", b"\xca\x7f\xc0\x00\x00")):
    decode = "ok" if name.startswith("float") else "malformed"
    reply = "error:bad_period" if decode == "ok" else "error:malformed"
    add("%s.bin" % name, QUERY_X + raw, decode, reply)  # under a key nobody reads
add("ext-in-event.bin", raw_event("x", b"\xd6\xff\x00\x00\x00\x00"), "malformed",
    "error:malformed")
add("ext-as-value.bin", raw_event("value", b"\xd4\x00\x01"), "malformed", "error:malformed")
add("bin-as-id.bin", raw_event("id", b"\xc4\x03h-1"), "malformed", "error:malformed")
add("empty.bin", b"", "malformed", "error:malformed")

# ---- nesting (the top map is depth 0; a non-empty container at depth 4 is too deep) ----
add("deep-300.bin", b"\x83\xa1v\x01\xa4type\xa5query\xa1x" + b"\x91" * 300 + b"\x01",
    "too_big", "error:too_big")
add("deep-maps-300.bin", b"\x83\xa1v\x01\xa4type\xa5query" + b"\xa1x\x81" * 300 + b"\xa1x\x01",
    "too_big", "error:too_big")
add("deep-10000.bin", b"\x83\xa1v\x01\xa4type\xa5query\xa1x" + b"\x91" * 10000 + b"\xc0",
    "too_big", "error:too_big")
add("deep-5.bin", request("query", period="2022", x=[[[[[1]]]]]), "too_big", "error:too_big")
add("deep-in-event.bin", submit(event(id=[[1]])), "too_big", "error:too_big")
add("deep-4-empty.bin", request("query", period="2022Q5", x=[[[[]]]]), "ok",
    "error:bad_period")  # empty containers at depth 4 are allowed
add("deep-3-full.bin", request("query", period="2022Q5", x=[[[1, {}]]]), "ok",
    "error:bad_period")

# ---- the top object and its keys ----
add("top-array.bin", pack([1, "submit"]), "malformed", "error:malformed")
add("top-int.bin", pack(42), "malformed", "error:malformed")
add("top-nil.bin", pack(None), "malformed", "error:malformed")
add("top-str.bin", pack("submit"), "malformed", "error:malformed")
add("top-empty-map.bin", pack({}), "bad_field", "error:bad_field")
add("key-int.bin", b"\x83\xa1v\x01\xa4type\xa5query\x07\x01", "malformed", "error:malformed")
add("key-nil.bin", b"\x83\xa1v\x01\xa4type\xa5query\xc0\x01", "malformed", "error:malformed")
add("key-array.bin", b"\x83\xa1v\x01\xa4type\xa5query\x91\xa1v\x01", "malformed",
    "error:malformed")
add("key-twice.bin", b"\x83\xa1v\x01\xa4type\xa5query\xa1v\x01", "malformed", "error:malformed")
add("key-type-twice.bin", b"\x84\xa1v\x01\xa4type\xa5query\xa6period\xa42022\xa4type\xa6submit",
    "malformed", "error:malformed")
# found by fuzz_proto: two empty keys (msgpack-c gives "" a NULL pointer; UBSan saw a memcmp on it)
add("key-empty-twice.bin", b"\x82\xa0\x7b\xa0\x03", "malformed", "error:malformed")


def many_keys(n, extra=b"", count_extra=0):
    """A query map with n unknown keys k0000..., then extra (count_extra more pairs)."""
    body = b"".join(pack("k%04d" % i) + b"\xc0" for i in range(n))
    return b"\xde" + struct.pack(">H", n + 3 + count_extra) + b"\xa1v\x01\xa4type\xa5query" + \
        b"\xa6period\xa62022Q5" + body + extra


# Maps over 32 keys have their duplicates found by sorting (proto.c keys_valid).
add("keys-40.bin", many_keys(40), "ok", "error:bad_period")
add("keys-40-twice-last.bin", many_keys(40, b"\xa5k0003\x01", 1), "malformed", "error:malformed")
add("keys-40-empty-twice.bin", many_keys(40, b"\xa0\x01\xa0\x02", 2), "malformed",
    "error:malformed")
add("keys-40-period-twice.bin", many_keys(40, b"\xa6period\xa42022", 1), "malformed",
    "error:malformed")
add("key-bad-utf8.bin", b"\x84\xa1v\x01\xa4type\xa5query\xa6period\xa62022Q5\xa2\xff\xfe\x01",
    "ok", "error:bad_period")  # keys nobody reads are only compared

# ---- envelope: v, type, req ----
BODY = {"period": "2022Q5"}  # a query the daemon refuses with bad_period once it decodes
for name, v, decode in (("missing", DROP, "bad_field"), ("string", "1", "bad_field"),
                        ("nil", None, "bad_field"), ("true", True, "bad_field"),
                        ("float", 1.0, "bad_field"), ("nan", float("nan"), "bad_field"),
                        ("array", [1], "bad_field"), ("map", {"v": 1}, "bad_field"),
                        ("uint64-max", 2 ** 64 - 1, "bad_field"),
                        ("2", 2, "bad_version"), ("0", 0, "bad_version"),
                        ("negative", -1, "bad_version"),
                        ("int64-max", 2 ** 63 - 1, "bad_version"),
                        ("int64-min", -2 ** 63, "bad_version")):
    add("version-%s.bin" % name, pack(strip({"v": v, "type": "query", "req": 3, **BODY})),
        decode, "error:" + decode)
for name, t in (("missing", DROP), ("int", 3), ("nil", None), ("true", True), ("empty", ""),
                ("upper", "SUBMIT"), ("unknown", "drop_tables"), ("nul", "query\0"),
                ("space", "query "), ("long", "q" * 300), ("array", ["query"]),
                ("map", {"query": 1})):
    add("type-%s.bin" % name, pack(strip({"v": 1, "type": t, "req": 3, **BODY})), "bad_type",
        "error:bad_type")
add("type-bad-utf8.bin", b"\x83\xa1v\x01\xa4type\xa5que\xc0\xb9\xa6period\xa62022Q5",
    "bad_type", "error:bad_type")
# what ikid sends, sent to ikid: it decodes, and ikid does not serve it
add("type-reply.bin", request("submitted", results=[]), "ok", "error:bad_type")
add("type-heartbeat.bin", request("heartbeat", seq=1), "ok", "error:bad_type")
add("type-error.bin", request("error", code="internal", message="x"), "ok", "error:bad_type")
add("type-locks.bin", request("locks", locks=[]), "ok", "error:bad_type")
add("type-update-no-value.bin", request("update", seq=1), "bad_field", "error:bad_field")
for name, req in (("nil", None), ("string", "7"), ("float", 7.0), ("nan", float("nan")),
                  ("true", True), ("array", [7]), ("negative", -7), ("int64-min", -2 ** 63),
                  ("uint64-max", 2 ** 64 - 1)):
    add("req-%s.bin" % name, request("query", req=req, **BODY), "ok", "error:bad_period")
add("req-negative-submit.bin", submit(event(element="nothing_here"), req=-3), "ok",
    "event:unknown_element")

# ---- submit bodies ----
add("events-missing.bin", request("submit"), "bad_field", "error:bad_field")
add("events-empty.bin", request("submit", events=[]), "ok", "reply:submitted")
for name, evs in (("nil", None), ("string", "events"), ("map", {"a": 1}), ("int", 1),
                  ("ints", [1, 2]), ("nils", [None]), ("arrays", [[event()]]),
                  ("strings", ["id"]), ("map-then-nil", [event(element="nothing_here"), None])):
    add("events-%s.bin" % name, request("submit", events=evs), "bad_field", "error:bad_field")
add("events-5001.bin", submit(*[event(id="h-%d" % i, element="nothing_here")
                                for i in range(5001)]), "too_big", "error:too_big")
add("event-key-twice.bin", b"\x84\xa1v\x01\xa4type\xa6submit\xa3req\x01\xa6events\x91"
    b"\x82\xa2id\xa1a\xa2id\xa1b", "bad_field", "error:bad_field")
add("event-key-int.bin", raw_event("x", b"\x01", key=b"\x07"), "bad_field", "error:bad_field")
add("event-key-nil.bin", raw_event("x", b"\x01", key=b"\xc0"), "bad_field", "error:bad_field")
add("event-empty-map.bin", request("submit", events=[{}]), "ok", "event:bad_field", "id")

# ---- an event's own fields, each of the wrong type, nil, empty or too long ----
STRINGS = {"id": 64, "element": 48, "orgunit": 24, "date": 10, "case": 64, "comment": 500,
           "ref": 64}
WRONG = (("nil", None), ("true", True), ("int", 7), ("negative", -1), ("float", 1.5),
         ("array", ["x"]), ("map", {"x": 1}))
for field in ("id", "element", "orgunit", "date", "op", "case", "comment", "ref"):
    for kind, val in WRONG:
        add("event-%s-%s.bin" % (field, kind), submit(event(**{field: val})), "ok",
            "event:bad_field", field)
for kind, val in (("true", True), ("string", "1"), ("float", 1.5),
                  ("float-whole", 1.0), ("nan", float("nan")), ("inf", float("inf")),
                  ("array", [1]), ("map", {"x": 1}), ("uint64-max", 2 ** 64 - 1)):
    add("event-value-%s.bin" % kind, submit(event(value=val)), "ok", "event:bad_field", "value")
add("event-value-float32.bin", raw_event("value", b"\xca\x3f\x80\x00\x00"), "ok",
    "event:bad_field", "value")
for field in ("id", "element", "orgunit", "date", "op"):  # required: empty is missing
    add("event-%s-empty.bin" % field, submit(event(**{field: ""})), "ok", "event:bad_field",
        field)
    add("event-%s-missing.bin" % field, submit(event(**{field: DROP})), "ok", "event:bad_field",
        field)
for field, limit in STRINGS.items():
    add("event-%s-%d.bin" % (field, limit + 1), submit(event(**{field: "x" * (limit + 1)})),
        "ok", "event:bad_field", field)
add("event-id-4byte-chars-65.bin", submit(event(id="\U0001F600" * 16 + "x")), "ok",
    "event:bad_field", "id")
add("event-id-64-ok.bin", submit(event(id="x" * 64, element="nothing_here")), "ok",
    "event:unknown_element")  # the limit itself is allowed
for name, op in (("delete", "delete"), ("upper", "ADD"), ("space", "add "), ("nul", "add\0"),
                 ("long", "a" * 100)):
    add("event-op-%s.bin" % name, submit(event(op=op)), "ok", "event:bad_field", "op")

# ---- invalid UTF-8 in every string an event has ----
BAD_UTF8 = (("overlong", b"\xc0\x80"), ("overlong-3", b"\xe0\x80\xaf"),
            ("overlong-4", b"\xf0\x80\x80\xaf"), ("surrogate", b"\xed\xa0\x80"),
            ("surrogate-pair", b"\xed\xa0\xbd\xed\xb2\xa9"), ("lone-continuation", b"\x80"),
            ("above-10ffff", b"\xf4\x90\x80\x80"), ("five-byte", b"\xf8\x88\x80\x80\x80"),
            ("ff", b"\xff"), ("fe", b"a\xfe"), ("nul", b"a\x00b"), ("cut-sequence", b"\xe2\x82"),
            ("cut-4", b"x\xf0\x9f\x98"))
for name, raw in BAD_UTF8:
    add("utf8-%s.bin" % name, raw_event("element", str_header(len(raw)) + raw), "ok",
        "event:bad_field", "element")
for field in ("id", "orgunit", "date", "case", "comment", "ref"):
    raw = b"ok\xed\xbf\xbf"  # a surrogate after good bytes
    add("utf8-in-%s.bin" % field, raw_event(field, str_header(len(raw)) + raw), "ok",
        "event:bad_field", field)

# ---- absurd dates (the element and org unit are real: the date alone is wrong) ----
for date in ("2022-02-30", "9999-99-99", "0000-01-01", "2022-13-01", "22-03-10", "1999-12-31",
             "2100-01-01", "2022-3-10", "2021-02-29", "2100-02-29", "2022-04-31", "2022-00-10",
             "2022-03-00", "-001-03-10", "-2022-3-10", "2022/03/10", "2022-03-1a", " 2022-03-1",
             "+022-03-10", "2022-03-1 ", "20220310", "2022-03--1", "0x7e6-3-10", "2022-1e1-1"):
    add("date-%s.bin" % date.replace("/", "_").replace(" ", "_"), submit(event(date=date)), "ok",
        "event:bad_date")
add("date-with-time.bin", submit(event(date="2022-03-10T00:00")), "ok", "event:bad_field",
    "date")  # over the 10 bytes of a date
add("date-fullwidth.bin", submit(event(date="２０２２-03-10")), "ok", "event:bad_field", "date")
add("date-nul.bin", submit(event(date="2022-03-1\0")), "ok", "event:bad_field", "date")
add("date-int.bin", submit(event(date=20220310)), "ok", "event:bad_field", "date")

# ---- values and ops the element does not allow ----
add("value-negative.bin", submit(event(value=-5)), "ok", "event:bad_value")
add("value-huge.bin", submit(event(value=10 ** 16)), "ok", "event:bad_value")
add("value-over-1e15.bin", submit(event(value=10 ** 15 + 1)), "ok", "event:bad_value")
add("value-int64-max.bin", submit(event(value=2 ** 63 - 1)), "ok", "event:bad_value")
add("value-int64-min.bin", submit(event(value=-2 ** 63)), "ok", "event:bad_value")
# a value is never implied: an add or a set without one (left out, or nil) is refused
add("value-missing.bin", submit(event(value=DROP)), "ok", "event:bad_value")
add("value-nil.bin", submit(event(value=None)), "ok", "event:bad_value")
add("op-set-on-flow.bin", submit(event(op="set")), "ok", "event:bad_op")
add("op-open-on-flow.bin", submit(event(op="open", case="c-1")), "ok", "event:bad_op")
add("op-add-on-case.bin", submit(event(element="akta")), "ok", "event:bad_op")
add("open-no-case.bin", submit(event(element="akta", op="open")), "ok", "event:missing_case")
add("open-value-2.bin", submit(event(element="akta", op="open", case="c-1", value=2)), "ok",
    "event:bad_value")
add("close-unknown-case.bin", submit(event(element="akta", op="close", case="never-opened")),
    "ok", "event:unknown_case")
add("element-unknown.bin", submit(event(element="nothing_here")), "ok", "event:unknown_element")
add("element-case-of-sum.bin", submit(event(element="akta.open")), "ok", "event:unknown_element")
add("orgunit-unknown.bin", submit(event(orgunit="99.99.99.9999")), "ok",
    "event:unknown_orgunit")
add("orgunit-prefix.bin", submit(event(orgunit="35.27")), "ok", "event:unknown_orgunit")

# ---- corrections of nothing ----
add("void-no-ref.bin", submit({"id": "h-2", "op": "void"}), "ok", "event:bad_field", "ref")
add("void-ref-nil.bin", submit({"id": "h-2", "op": "void", "ref": None}), "ok",
    "event:bad_field", "ref")
add("void-unknown-ref.bin", submit({"id": "h-2", "op": "void", "ref": "never-stored"}), "ok",
    "event:unknown_ref")
add("replace-unknown-ref.bin", submit(event(ref="never-stored")), "ok", "event:unknown_ref")
add("void-self.bin", submit({"id": "h-2", "op": "void", "ref": "h-2"}), "ok",
    "event:unknown_ref")

# ---- other requests (none of them can change anything: every one is refused) ----
for name, body, decode, reply in (
        ("query-no-period", {}, "bad_field", "error:bad_field"),
        ("query-period-nil", {"period": None}, "bad_field", "error:bad_field"),
        ("query-period-int", {"period": 2022}, "bad_field", "error:bad_field"),
        ("query-period-9", {"period": "2022Q1SDx"}, "bad_field", "error:bad_field"),
        ("query-period-empty", {"period": ""}, "bad_field", "error:bad_field"),
        ("query-period-bad-utf8", None, "bad_field", "error:bad_field"),
        ("query-indicator-nil", {"period": "2022", "indicator": None}, "bad_field",
         "error:bad_field"),
        ("query-indicator-49", {"period": "2022", "indicator": "i" * 49}, "bad_field",
         "error:bad_field"),
        ("query-jabatan-401", {"period": "2022", "jabatan": "j" * 401}, "bad_field",
         "error:bad_field"),
        ("query-jabatan-array", {"period": "2022", "jabatan": ["Camat"]}, "bad_field",
         "error:bad_field"),
        ("query-orgunit-25", {"period": "2022", "orgunit": "3" * 25}, "bad_field",
         "error:bad_field"),
        ("query-orgunit-true", {"period": "2022", "orgunit": True}, "bad_field",
         "error:bad_field"),
        ("query-period-q5", {"period": "2022Q5"}, "ok", "error:bad_period"),
        ("query-period-8", {"period": "2022Q1xx"}, "ok", "error:bad_period"),
        ("query-period-q5-sd", {"period": "2022Q5SD"}, "ok", "error:bad_period"),
        ("query-period-1999", {"period": "1999"}, "ok", "error:bad_period"),
        ("query-period-month-13", {"period": "202213"}, "ok", "error:bad_period"),
        ("query-period-negative", {"period": "-2022"}, "ok", "error:bad_period"),
        ("query-indicator-unknown", {"period": "2022", "indicator": "iki99"}, "ok",
         "error:unknown_indicator"),
        ("query-jabatan-unknown", {"period": "2022", "jabatan": "Raja"}, "ok",
         "error:unknown_indicator"),
        ("query-orgunit-unknown", {"period": "2022", "orgunit": "99.99"}, "ok",
         "error:unknown_orgunit")):
    data = request("query", **body) if body is not None else \
        b"\x84\xa1v\x01\xa4type\xa5query\xa3req\x02\xa6period\xa4202\xff"
    add(name + ".bin", data, decode, reply)
for name, body, decode, reply in (
        ("snapshot-period-nil", {"period": None}, "bad_field", "error:bad_field"),
        ("snapshot-period-bad", {"period": "2022-03"}, "ok", "error:bad_period"),
        ("snapshot-indicator-int", {"indicator": 6}, "bad_field", "error:bad_field"),
        ("snapshot-indicator-unknown", {"indicator": "iki99"}, "ok", "error:unknown_indicator"),
        ("lock-unlock-no-period", {"unlock": True}, "bad_field", "error:bad_field"),
        ("lock-unlock-string", {"unlock": "yes", "period": "2022"}, "bad_field",
         "error:bad_field"),
        ("lock-unlock-int", {"unlock": 1, "period": "2022"}, "bad_field", "error:bad_field"),
        ("lock-unlock-nil", {"unlock": None, "period": "2022"}, "bad_field", "error:bad_field"),
        ("lock-period-int", {"period": 2022}, "bad_field", "error:bad_field"),
        ("lock-period-nil", {"period": None}, "bad_field", "error:bad_field"),
        ("lock-period-bad", {"period": "2022W3"}, "ok", "error:bad_period"),
        ("lock-period-2100", {"period": "2100"}, "ok", "error:bad_period"),
        ("target-nan", {"indicator": "surat", "period": "2022", "target": float("nan")},
         "bad_field", "error:bad_field"),
        ("target-inf", {"indicator": "surat", "period": "2022", "target": float("-inf")},
         "bad_field", "error:bad_field"),
        ("target-negative", {"indicator": "surat", "period": "2022", "target": -5}, "bad_field",
         "error:bad_field"),
        ("target-1e300", {"indicator": "surat", "period": "2022", "target": 1e300},
         "bad_field", "error:bad_field"),
        ("target-string", {"indicator": "surat", "period": "2022", "target": "90"},
         "bad_field", "error:bad_field"),
        ("target-nil", {"indicator": "surat", "period": "2022", "target": None}, "bad_field",
         "error:bad_field"),
        ("target-no-indicator", {"period": "2022", "target": 90}, "bad_field",
         "error:bad_field"),
        ("target-no-period", {"indicator": "surat", "target": 90}, "bad_field",
         "error:bad_field"),
        ("target-month", {"indicator": "surat", "period": "202203", "target": 90}, "ok",
         "error:bad_period"),
        ("target-zero", {"indicator": "surat", "period": "2022", "target": 0}, "ok",
         "error:bad_value"),
        ("target-1001", {"indicator": "surat", "period": "2022", "target": 1001}, "ok",
         "error:bad_value"),
        ("target-indicator-unknown", {"indicator": "iki99", "period": "2022", "target": 90},
         "ok", "error:unknown_indicator"),
        ("target-orgunit-unknown", {"indicator": "surat", "orgunit": "99.99", "period": "2022",
                                    "target": 90}, "ok", "error:unknown_orgunit"),
        ("history-unknown", {"id": "never-stored"}, "ok", "error:unknown_ref"),
        ("history-nothing", {}, "bad_field", "error:bad_field"),
        ("history-id-nil", {"id": None}, "bad_field", "error:bad_field"),
        ("history-id-65", {"id": "x" * 65}, "bad_field", "error:bad_field"),
        ("history-indicator-only", {"indicator": "surat"}, "bad_field", "error:bad_field"),
        ("history-indicator-unknown", {"indicator": "iki99", "period": "2022"}, "ok",
         "error:unknown_indicator"),
        ("history-period-bad", {"indicator": "surat", "period": "2022Q0"}, "ok",
         "error:bad_period")):
    add(name + ".bin", request(name.split("-")[0], **body), decode, reply)
add("describe-junk.bin", request("describe", x={"": None}, y=[[[]]], z=-1), "ok",
    "reply:catalog")

# ---- the compact form of submit ("batch", PROTOCOL.md): columns, a string table ----


def batch(count=1, **cols):
    """A compact submit of count events: by default each a well-formed event of an unknown element
    (nothing is stored); cols replaces (or with DROP removes) the batch's keys."""
    default = {"n": lambda: count, "str": lambda: ["nothing_here", "35.27.03.2001"],
               "day0": lambda: 19061,
               "id": lambda: [x for i in range(count) for x in ((0, "hb-0") if i == 0 else (3, str(i)))],
               "element": lambda: [0] * count, "orgunit": lambda: [1] * count, "date": lambda: [0] * count,
               "op": lambda: ["add"] * count}
    b = {k: cols[k] if k in cols else f() for k, f in default.items()}
    b.update({k: v for k, v in cols.items() if k not in default})
    return pack({"v": 1, "type": "submit", "req": 7, "batch": strip(b)})


def batch_raw(column, raw, twice=False, **cols):
    """A one-event batch whose column holds the raw msgpack bytes raw (an array header and its
    entries), last (with twice, after the usual one: a key twice); cols changes the others."""
    b = {"n": 1, "str": ["nothing_here", "35.27.03.2001"], "day0": 19061, "id": [0, "hb-0"],
         "element": [0], "orgunit": [1], "date": [0], "op": ["add"]}
    b.update(cols)
    if not twice:
        b.pop(column, None)
    b = strip(b)
    body = b"".join(pack(k) + pack(v) for k, v in b.items()) + pack(column) + raw
    return b"\x84" + pack("v") + b"\x01" + pack("type") + pack("submit") + pack("req") + \
        b"\x07" + pack("batch") + bytes([0x80 | (len(b) + 1)]) + body


good_batch = batch(2)
for cut in sorted(set(cut_points(good_batch))):
    add("batch-truncated-%03d.bin" % cut, good_batch[:cut], "malformed", "error:malformed")
add("batch-unknown-element.bin", good_batch, "ok", "event:unknown_element")
add("batch-trailing-byte.bin", good_batch + b"\x00", "malformed", "error:malformed")
add("batch-column-array32-4g.bin", batch_raw("op", b"\xdd\xff\xff\xff\xff\xa3add"), "malformed",
    "error:malformed")
add("batch-str-array32-4g.bin", batch_raw("str", b"\xdd\xff\xff\xff\xff\xa1x"), "malformed",
    "error:malformed")
# the whole message: counts, columns that disagree with n, a broken table or envelope
for name, data, code in (
        ("batch-n-5001", batch(5001, id=DROP, element=DROP, orgunit=DROP, date=DROP, op=DROP),
         "too_big"),
        ("batch-n-4g", batch(0xffffffff, id=DROP, element=DROP, orgunit=DROP, date=DROP, op=DROP),
         "too_big"),
        ("batch-n-uint64-max", batch(2**64 - 1, id=DROP, element=DROP, orgunit=DROP, date=DROP,
                                     op=DROP), "too_big"),
        ("batch-str-30001", batch(1, str=[""] * 30001), "too_big"),
        ("batch-n-missing", batch(1, n=DROP), "bad_field"),
        ("batch-n-negative", batch(1, n=-1), "bad_field"),
        ("batch-n-string", batch(1, n="1"), "bad_field"),
        ("batch-n-nil", batch(1, n=None), "bad_field"),
        ("batch-column-short", batch(2, op=["add"]), "bad_field"),
        ("batch-column-long", batch(2, orgunit=[1, 1, 1]), "bad_field"),
        ("batch-column-empty", batch(2, element=[]), "bad_field"),
        ("batch-id-column-n", batch(2, id=[0, "hb-0"]), "bad_field"),
        ("batch-id-column-odd", batch(1, id=[0, "hb-0", 1]), "bad_field"),
        ("batch-value-column-long", batch(1, value=[1, 1]), "bad_field"),
        ("batch-column-map", batch(1, op={"0": "add"}), "bad_field"),
        ("batch-column-string", batch(1, date="2022-03-10"), "bad_field"),
        ("batch-column-nil", batch(1, case=None), "bad_field"),
        ("batch-str-not-array", batch(1, str="nothing_here"), "bad_field"),
        ("batch-str-int", batch(1, str=["nothing_here", 7]), "bad_field"),
        ("batch-str-nil", batch(1, str=[None, "35.27.03.2001"]), "bad_field"),
        ("batch-day0-float", batch(1, day0=19061.0), "bad_field"),
        ("batch-day0-string", batch(1, day0="2022-03-10"), "bad_field"),
        ("batch-day0-huge", batch(1, day0=10**7 + 1), "bad_field"),
        ("batch-not-map", pack({"v": 1, "type": "submit", "req": 7, "batch": [1]}), "bad_field"),
        ("batch-nil", pack({"v": 1, "type": "submit", "req": 7, "batch": None}), "bad_field"),
        ("batch-and-events", pack({"v": 1, "type": "submit", "req": 7, "batch": {"n": 0},
                                   "events": []}), "bad_field"),
        ("batch-key-twice", batch_raw("n", b"\x01", twice=True), "bad_field"),
        ("batch-deep", batch(1, op=[[["add"]]]), "too_big")):
    add(name + ".bin", data, code, "error:" + code)
# one event each: the rest of a batch would stand (here every event is broken the same way)
for name, cols, field in (
        ("batch-index-past-table", {"element": [2, 2]}, "element"),
        ("batch-index-uint64-max", {"orgunit": [2**64 - 1] * 2}, "orgunit"),
        ("batch-index-no-table", {"str": DROP}, "element"),
        ("batch-index-negative", {"element": [-1, -1]}, "element"),
        ("batch-index-float", {"element": [0.0, 0.0]}, "element"),
        ("batch-entry-nil", {"orgunit": [None, None]}, "orgunit"),
        ("batch-entry-true", {"element": [True, True]}, "element"),
        ("batch-entry-array", {"op": [["add"], ["add"]]}, "op"),
        ("batch-entry-map", {"element": [{}, {}]}, "element"),
        ("batch-keep-too-long", {"id": [1, "hb-0", 9, "1"]}, "id"),
        ("batch-keep-negative", {"id": [-1, "hb-0", -1, "1"]}, "id"),
        ("batch-keep-string", {"id": ["0", "hb-0", "0", "hb-1"]}, "id"),
        ("batch-suffix-int", {"id": [0, 5, 0, 6]}, "id"),
        ("batch-id-empty", {"id": [0, "", 0, ""]}, "id"),
        ("batch-id-65", {"id": [0, "x" * 65, 0, "y" * 65]}, "id"),
        ("batch-date-no-day0", {"day0": DROP}, "date"),
        ("batch-date-before-year-1", {"date": [-19061 - 719163] * 2}, "date"),
        ("batch-date-after-9999", {"date": [2932896 - 19061 + 1] * 2}, "date"),
        ("batch-date-int64-min", {"date": [-2**63] * 2}, "date"),
        ("batch-date-float", {"date": [0.0, 0.0]}, "date"),
        ("batch-date-string-11", {"date": ["2022-03-100", "2022-03-100"]}, "date"),
        ("batch-op-unknown", {"op": ["delete", "delete"]}, "op"),
        ("batch-op-index-no-op", {"op": [0, 0]}, "op"),
        ("batch-op-int", {"op": [1, 1]}, "op"),
        ("batch-op-upper", {"op": ["ADD", "ADD"]}, "op"),
        ("batch-value-float", {"value": [1.0, 1.0]}, "value"),
        ("batch-value-string", {"value": ["1", "1"]}, "value"),
        ("batch-value-uint64-max", {"value": [2**64 - 1] * 2}, "value"),
        ("batch-void-no-ref", {"op": ["void", "void"]}, "ref"),
        ("batch-comment-501", {"comment": ["c" * 501] * 2}, "comment"),
        ("batch-case-65", {"case": ["k" * 65] * 2}, "case"),
        ("batch-element-empty", {"element": ["", ""]}, "element"),
        ("batch-column-missing", {"orgunit": DROP}, "orgunit")):
    add(name + ".bin", batch(2, **cols), "ok", "event:bad_field", field)
# an add of a known element without a value: the column left out, or nil in it
add("value-missing-batch.bin", batch(1, element=["surat_masuk"]), "ok", "event:bad_value")
add("value-nil-batch.bin", batch(2, element=["surat_masuk"] * 2, value=[None, None]), "ok",
    "event:bad_value")
# strings that are not UTF-8, in the table and inline; a kept prefix that splits a character
TABLE = b"\x93" + pack("nothing_here") + pack("35.27.03.2001")
for name, column, raw, cols, field in (
        ("batch-table-bad-utf8", "str", TABLE + b"\xa2\xc0\xaf", {"case": [2]}, "case"),
        ("batch-table-surrogate", "str", TABLE + b"\xa3\xed\xa0\x80", {"comment": [2]},
         "comment"),
        ("batch-inline-bad-utf8", "element", b"\x91\xa2\xff\xfe", {}, "element"),
        ("batch-suffix-bad-utf8", "id", b"\x92\x00\xa3hb\xc3", {}, "id"),
        ("batch-suffix-nul", "id", b"\x92\x00\xa3hb\x00", {}, "id")):
    add(name + ".bin", batch_raw(column, raw, **cols), "ok", "event:bad_field", field)

# Remove files of earlier runs that are no longer made.
names = {e[0] for e in entries}
for path in glob.glob(os.path.join(HERE, "*.bin")):
    if os.path.basename(path) not in names:
        os.unlink(path)
with open(os.path.join(HERE, "EXPECT"), "w") as f:
    f.write("# tests/hostile/EXPECT: written by make_corpus.py. file, what proto_decode returns,\n"
            "# what ikid answers (error:<code> for the whole message, event:<code> for each\n"
            "# event, reply:<type> when it is served), and for event:bad_field the field named\n")
    for name, decode, reply, field in entries:
        f.write("%-34s %-12s %-24s %s\n" % (name, decode, reply, field))
print("%d hostile messages" % len(entries))
