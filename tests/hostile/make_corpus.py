#!/usr/bin/python3
"""make_corpus.py: write the hostile message corpus of tests/hostile/ and its manifest EXPECT.

Each file is one message body as a client could send it. EXPECT has one line per file:
    file  decode  reply
decode: what proto_decode returns (a wire code name, or "ok"); reply: what ikid answers,
"error:<code>" (the whole message refused) or "event:<code>" (decoded; every event refused with
that code). None of them stores anything. Run with Debian's python3 (it needs msgpack):
    /usr/bin/python3 tests/hostile/make_corpus.py
"""
import os
import struct

import msgpack

HERE = os.path.dirname(os.path.abspath(__file__))
entries = []


def add(name, data, decode, reply):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    entries.append((name, decode, reply))


def pack(obj):
    return msgpack.packb(obj, use_bin_type=True)


def event(**over):
    e = {"id": "h-1", "element": "surat_masuk", "orgunit": "35.27.03.2001",
         "date": "2022-03-10", "op": "add", "value": 1}
    e.update(over)
    return {k: v for k, v in e.items() if v is not DROP}


DROP = object()


def submit(*events, **env):
    m = {"v": 1, "type": "submit", "req": 7, "events": list(events)}
    m.update(env)
    return pack({k: v for k, v in m.items() if v is not DROP})


good = submit(event(element="nothing_here"))  # valid, but its element is unknown: stores nothing

# ---- structure: truncated, trailing, counts that cannot fit, reserved and bin/ext bytes ----
for cut in (1, 2, 5, 9, 17, len(good) // 2, len(good) - 1):
    add("truncated-%03d.bin" % cut, good[:cut], "malformed", "error:malformed")
add("trailing-byte.bin", good + b"\x00", "malformed", "error:malformed")
add("trailing-map.bin", good + pack({"v": 1}), "malformed", "error:malformed")
add("array32-4g.bin", b"\x83\xa1v\x01\xa4type\xa6submit\xa6events\xdd\xff\xff\xff\xff",
    "malformed", "error:malformed")
add("map32-4g.bin", b"\xdf\xff\xff\xff\xff\xa1v\x01", "malformed", "error:malformed")
add("str32-4g.bin", b"\x82\xa1v\x01\xa4type\xdb\xff\xff\xff\xff", "malformed", "error:malformed")
add("reserved-c1.bin", b"\x82\xa1v\x01\xa4type\xc1", "malformed", "error:malformed")
add("bin8.bin", b"\x83\xa1v\x01\xa4type\xa5query\xa1x\xc4\x02ab", "malformed", "error:malformed")
add("ext8.bin", b"\x83\xa1v\x01\xa4type\xa5query\xa1x\xc7\x01\x05a", "malformed", "error:malformed")
add("fixext-timestamp.bin", b"\x83\xa1v\x01\xa4type\xa5query\xa1x\xd6\xff\x00\x00\x00\x00",
    "malformed", "error:malformed")
add("empty.bin", b"", "malformed", "error:malformed")

# ---- nesting ----
deep = b"\x81\xa1x" + b"\x91" * 300 + b"\x01"
add("deep-300.bin", b"\x83\xa1v\x01\xa4type\xa5query" + deep[1:], "too_big", "error:too_big")
add("deep-5.bin", pack({"v": 1, "type": "query", "period": "2022", "x": [[[[[1]]]]]}),
    "too_big", "error:too_big")

# ---- the top object and its keys ----
add("top-array.bin", pack([1, "submit"]), "malformed", "error:malformed")
add("top-int.bin", pack(42), "malformed", "error:malformed")
add("top-nil.bin", pack(None), "malformed", "error:malformed")
add("key-int.bin", b"\x83\xa1v\x01\xa4type\xa5query\x07\x01", "malformed", "error:malformed")
add("key-twice.bin", b"\x83\xa1v\x01\xa4type\xa5query\xa1v\x01", "malformed", "error:malformed")
# found by fuzz_proto: two empty keys (msgpack-c gives "" a NULL pointer; UBSan saw a memcmp on it)
add("key-empty-twice.bin", b"\x82\xa0\x7b\xa0\x03", "malformed", "error:malformed")

# ---- envelope ----
add("no-version.bin", pack({"type": "query", "period": "2022"}), "bad_field", "error:bad_field")
add("version-string.bin", pack({"v": "1", "type": "query", "period": "2022"}), "bad_field",
    "error:bad_field")
add("version-2.bin", pack({"v": 2, "type": "query", "period": "2022"}), "bad_version",
    "error:bad_version")
add("version-negative.bin", pack({"v": -1, "type": "query", "period": "2022"}), "bad_version",
    "error:bad_version")
add("version-float.bin", pack({"v": 1.0, "type": "query", "period": "2022"}), "bad_field",
    "error:bad_field")
add("no-type.bin", pack({"v": 1, "period": "2022"}), "bad_type", "error:bad_type")
add("type-int.bin", pack({"v": 1, "type": 3}), "bad_type", "error:bad_type")
add("type-upper.bin", pack({"v": 1, "type": "SUBMIT", "events": []}), "bad_type",
    "error:bad_type")
add("type-unknown.bin", pack({"v": 1, "type": "drop_tables"}), "bad_type", "error:bad_type")
add("type-reply.bin", pack({"v": 1, "type": "submitted", "req": 1, "results": []}), "ok",
    "error:bad_type")

# ---- submit bodies ----
add("events-missing.bin", pack({"v": 1, "type": "submit", "req": 1}), "bad_field",
    "error:bad_field")
add("events-map.bin", pack({"v": 1, "type": "submit", "req": 1, "events": {"a": 1}}),
    "bad_field", "error:bad_field")
add("events-ints.bin", pack({"v": 1, "type": "submit", "req": 1, "events": [1, 2]}),
    "bad_field", "error:bad_field")
add("events-5001.bin", submit(*[event(id="h-%d" % i, element="nothing_here")
                               for i in range(5001)]), "too_big", "error:too_big")
add("event-key-twice.bin", b"\x84\xa1v\x01\xa4type\xa6submit\xa3req\x01\xa6events\x91"
    b"\x82\xa2id\xa1a\xa2id\xa1b", "bad_field", "error:bad_field")

# ---- events whose own fields are broken: decoded, each refused on its own ----
for name, raw in (("overlong", b"\xc0\x80"), ("surrogate", b"\xed\xa0\x80"),
                  ("lone-continuation", b"\x80"), ("above-10ffff", b"\xf4\x90\x80\x80"),
                  ("nul", b"a\x00b"), ("cut-sequence", b"\xe2\x82")):
    body = b"\x84\xa1v\x01\xa4type\xa6submit\xa3req\x01\xa6events\x91\x86" \
        b"\xa2id\xa3h-1\xa7element" + bytes([0xa0 | len(raw)]) + raw + \
        b"\xa7orgunit\xad35.27.03.2001\xa4date\xaa2022-03-10\xa2op\xa3add\xa5value\x01"
    add("utf8-%s.bin" % name, body, "ok", "event:bad_field")
add("id-65.bin", submit(event(id="x" * 65)), "ok", "event:bad_field")
add("comment-501.bin", submit(event(comment="k" * 501)), "ok", "event:bad_field")
add("op-delete.bin", submit(event(op="delete")), "ok", "event:bad_field")
add("op-missing.bin", submit(event(op=DROP)), "ok", "event:bad_field")
add("value-float.bin", submit(event(value=1.5)), "ok", "event:bad_field")
add("value-nil.bin", submit(event(value=None)), "ok", "event:bad_field")
add("value-uint64-max.bin", submit(event(value=2 ** 64 - 1)), "ok", "event:bad_field")
add("value-negative.bin", submit(event(value=-5)), "ok", "event:bad_value")
add("value-huge.bin", submit(event(value=10 ** 16)), "ok", "event:bad_value")
add("element-nil.bin", submit(event(element=None)), "ok", "event:bad_field")
add("element-unknown.bin", submit(event(element="nothing_here")), "ok", "event:unknown_element")
add("orgunit-unknown.bin", submit(event(orgunit="99.99.99.9999")), "ok",
    "event:unknown_orgunit")
for date in ("2022-02-30", "9999-99-99", "0000-01-01", "2022-13-01", "22-03-10",
             "1999-12-31", "2100-01-01", "2022-3-10"):
    add("date-%s.bin" % date, submit(event(date=date)), "ok", "event:bad_date")
add("date-with-time.bin", submit(event(date="2022-03-10T00:00")), "ok",
    "event:bad_field")  # over the 10 bytes of a date
add("void-no-ref.bin", submit({"id": "h-2", "op": "void"}), "ok", "event:bad_field")
add("void-unknown-ref.bin", submit({"id": "h-2", "op": "void", "ref": "never-stored"}), "ok",
    "event:unknown_ref")
add("req-negative.bin", submit(event(element="nothing_here"), req=-3), "ok",
    "event:unknown_element")

# ---- other requests ----
add("query-no-period.bin", pack({"v": 1, "type": "query", "req": 2}), "bad_field",
    "error:bad_field")
add("query-period-nil.bin", pack({"v": 1, "type": "query", "req": 2, "period": None}),
    "bad_field", "error:bad_field")
add("query-period-q5.bin", pack({"v": 1, "type": "query", "req": 2, "period": "2022Q5"}), "ok",
    "error:bad_period")
add("query-indicator-unknown.bin", pack({"v": 1, "type": "query", "req": 2, "period": "2022",
                                         "indicator": "iki99"}), "ok", "error:unknown_indicator")
add("lock-unlock-no-period.bin", pack({"v": 1, "type": "lock", "req": 2, "unlock": True}),
    "bad_field", "error:bad_field")
add("lock-period-bad.bin", pack({"v": 1, "type": "lock", "req": 2, "period": "2022W3"}), "ok",
    "error:bad_period")
add("target-nan.bin", pack({"v": 1, "type": "target", "req": 2, "indicator": "surat",
                            "period": "2022", "target": float("nan")}), "bad_field",
    "error:bad_field")
add("target-month.bin", pack({"v": 1, "type": "target", "req": 2, "indicator": "surat",
                              "period": "202203", "target": 90}), "ok", "error:bad_period")
add("history-unknown.bin", pack({"v": 1, "type": "history", "req": 2, "id": "never-stored"}),
    "ok", "error:unknown_ref")

with open(os.path.join(HERE, "EXPECT"), "w") as f:
    f.write("# tests/hostile/EXPECT: written by make_corpus.py; file, what proto_decode returns,\n"
            "# what ikid answers (error:<code> for the whole message, event:<code> for each event)\n")
    for name, decode, reply in entries:
        f.write("%-32s %-12s %s\n" % (name, decode, reply))
print("%d hostile messages" % len(entries))
