#!/usr/bin/python3
"""words_raw.py: requests iki never sends, to the real ikid, for tests/check_words.c.

usage: words_raw.py ENDPOINT [--curve KEYFILE SERVERPUB] [--pipeline N]
                    [--key-gone CLIENTS NAME PIDFILE] SPEC...

Each SPEC is a Python expression (literals, range and comprehensions; it is the test's own
text): a dict is sent as one msgpack map ("v" 1 and "req" filled in when absent), bytes are
sent as the frame they are. For each reply one line is printed,
tab-separated: its type, and for an error its code and message; for a submit's answer one
line per refused event: "result", its code and its message.
  --pipeline N   each SPEC is sent N times before any answer is read; each distinct line once
  --curve        a CURVE client with the key pair KEYFILE against the server key SERVERPUB
                 (iki keygen's files: "public = ...", "secret = ...")
  --key-gone     after the first SPEC's answer, the line of NAME leaves the clients file CLIENTS
                 and ikid (its pid in PIDFILE) is told to read it again (SIGHUP); the other SPECs
                 then go on the same connection
Exits 0, or 1 with the reason when an answer does not come within 10 s.
"""
import os
import signal
import sys
import time

import msgpack
import zmq


def z85_of(path, key):
    with open(path) as f:
        for line in f:
            k, _, v = line.partition("=")
            if k.strip() == key:
                return v.strip().encode()
    sys.exit("words_raw: no %s in %s" % (key, path))


def frame(spec, req):
    value = eval(spec, {"__builtins__": {"range": range}})  # noqa: S307 - the test's own text
    if isinstance(value, bytes):
        return value
    value.setdefault("v", 1)
    value.setdefault("req", req)
    return msgpack.packb(value)


def lines_of(raw):
    try:
        m = msgpack.unpackb(raw)
    except Exception as e:  # noqa: BLE001 - a reply that is no msgpack is a finding too
        return ["undecodable\t%r" % e]
    if m.get("type") == "error":
        return ["error\t%s\t%s" % (m.get("code"), m.get("message"))]
    if m.get("type") == "submitted":
        return ["result\t%s\t%s" % (r.get("code"), r.get("message"))
                for r in m.get("results", []) if r.get("status") == "error"] or ["submitted"]
    return [str(m.get("type"))]


def main(argv):
    endpoint, args = argv[1], argv[2:]
    curve, pipeline, gone = None, 1, None
    while args and args[0].startswith("--"):
        if args[0] == "--curve":
            curve, args = args[1:3], args[3:]
        elif args[0] == "--pipeline":
            pipeline, args = int(args[1]), args[2:]
        elif args[0] == "--key-gone":
            gone, args = args[1:4], args[4:]
        else:
            sys.exit("words_raw: unknown option " + args[0])
    ctx = zmq.Context()
    s = ctx.socket(zmq.DEALER)
    s.setsockopt(zmq.LINGER, 0)
    s.setsockopt(zmq.RCVTIMEO, 10000)
    if curve:
        s.curve_publickey = z85_of(curve[0], "public")
        s.curve_secretkey = z85_of(curve[0], "secret")
        s.curve_serverkey = z85_of(curve[1], "public")
    s.connect(endpoint)
    req = 0
    for i, spec in enumerate(args):
        for _ in range(pipeline):
            req += 1
            s.send(frame(spec, req))
        seen = []
        for _ in range(pipeline):
            try:
                raw = s.recv()
            except zmq.Again:
                sys.exit("words_raw: no answer within 10 s to " + spec[:80])
            for line in lines_of(raw):
                if line not in seen:
                    seen.append(line)
        for line in seen:
            print(line)
        if gone and i == 0:
            clients, name, pidfile = gone
            with open(clients) as f:
                kept = [l for l in f if l.split()[:1] != [name]]
            with open(clients, "w") as f:
                f.writelines(kept)
            with open(pidfile) as f:
                os.kill(int(f.read().split()[0]), signal.SIGHUP)
            time.sleep(0.5)
    sys.stdout.flush()
    s.close()
    ctx.term()


if __name__ == "__main__":
    main(sys.argv)
