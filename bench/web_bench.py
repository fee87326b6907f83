#!/usr/bin/python3
"""make bench-web: ikiweb's live fan-out under load.

A real ikid (CURVE) and ikiweb on ephemeral loopback ports, fresh state. 200 dashboard
connections hold GET /api/stream?period=2022 (Server-Sent Events, read by 4 processes) while 8
clerks, each of their own village and through their own session, POST one event at a time at
IKI_WEB_RATE events/s each for IKI_WEB_SECONDS. For every update a browser socket receives, the
latency is the time from the POST of the event that made it (its village's count) to its
arrival on that socket. Prints p50/p99/max of that latency, the updates each connection
received against those expected, ikiweb's memory per connection (VmRSS with the 200 streams
open minus before, over 200), the POSTs' own latency, and ikid's publish rate over the same run
(its publish seq, read through /api/values, over the run's length).

Run from the top of the tree: IKI_BUILD=build bench/web_bench.py
Knobs: IKI_WEB_STREAMS (200), IKI_WEB_CLIENTS (8), IKI_WEB_RATE (25), IKI_WEB_SECONDS (10).
"""
import multiprocessing as mp
import os
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import web_api  # noqa: E402  (the test's HTTP client, SSE reader and process starters)

BUILD = os.environ.get("IKI_BUILD", "build")
STREAMS = int(os.environ.get("IKI_WEB_STREAMS", "200"))
CLIENTS = int(os.environ.get("IKI_WEB_CLIENTS", "8"))
RATE = float(os.environ.get("IKI_WEB_RATE", "25"))
SECONDS = float(os.environ.get("IKI_WEB_SECONDS", "10"))
READERS = 4
VILLAGES = ["35.27.03.2001", "35.27.03.2002", "35.27.03.2005", "35.27.03.2010",
            "35.27.03.2011", "35.27.03.2012", "35.27.03.2013", "35.27.03.2014",
            "35.27.03.2015", "35.27.03.2016", "35.27.03.2017", "35.27.03.2018"]


def rss_kib(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def reader(port, cookie, n, ready, stop, out):
    """Hold n streams; record (orgunit, num, arrival) of every village update, per stream."""
    streams = [web_api.Stream(port, "?period=2022&indicator=iki24", cookie=cookie)
               for _ in range(n)]
    ok = sum(1 for s in streams if s.status == 200 and s.next(10)[0] == "snapshot")
    ready.put(ok)
    sel = selectors.DefaultSelector()
    for i, s in enumerate(streams):
        s.s.setblocking(False)
        sel.register(s.s, selectors.EVENT_READ, i)
    got = [[] for _ in streams]
    resyncs = 0
    while not stop.is_set():
        for key, _ in sel.select(timeout=0.2):
            s, i = streams[key.data], key.data
            try:
                chunk = s.s.recv(262144)
            except BlockingIOError:
                continue
            now = time.time()
            s.buf += chunk
            while b"\n\n" in s.buf:
                block, _, s.buf = s.buf.partition(b"\n\n")
                if block.startswith(b"event: snapshot"):
                    resyncs += 1
                elif block.startswith(b"event: update"):
                    text = block.decode()
                    ou = text.split('"orgunit":"', 1)[1].split('"', 1)[0]
                    num = int(text.split('"num":', 1)[1].split(",", 1)[0])
                    got[i].append((ou, num, now))
    out.put((got, resyncs))
    for s in streams:
        s.close()


def submitter(web, user, village, sent, post_lat, errors, t_end):
    _, cookie, csrf, _, _ = web.login(user, "rahasia-" + user)
    n, period, next_t = 0, 1.0 / RATE, time.time()
    while time.time() < t_end:
        n += 1
        ev = web_api.event("bench-%s-%d" % (user, n), village, value=1)
        t0 = time.time()
        sent[(village, n)] = t0
        st, _, j = web.json("POST", "/api/events", {"events": [ev]}, cookie=cookie, csrf=csrf)
        post_lat.append(time.time() - t0)
        if st != 200 or j["results"][0]["status"] != "ok":
            errors.append((st, j))
        next_t += period
        time.sleep(max(0, next_t - time.time()))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else float("nan")


def main():
    tmp = tempfile.mkdtemp(prefix="iki-webbench-")
    state, www = os.path.join(tmp, "state"), os.path.join(tmp, "www")
    os.makedirs(state)
    os.makedirs(www)
    open(os.path.join(www, "index.html"), "w").write("iki")
    users = [("clerk%d" % k, "clerk", VILLAGES[k]) for k in range(CLIENTS)]
    users.append(("dash", "viewer", "-"))
    for name, role, scope in users:
        r = web_api.run([BUILD + "/ikiweb", "-d", state, "user", "add", name, "--role", role,
                         "--scope", scope, "--password-stdin"], stdin="rahasia-%s\n" % name)
        if r.returncode:
            raise SystemExit("bench-web: user add: " + r.stderr)
    ikid = web = None
    try:
        ikid, req, upd = web_api.start_ikid(state)
        web, port = web_api.start_web(state, www, (req, upd),
                                      ["--timeout", "30", "--max-streams", str(STREAMS + 10),
                                       "--max-per-ip", str(STREAMS + CLIENTS + 20),
                                       "--max-connections", str(STREAMS + CLIENTS + 50),
                                       "--session-idle", "3600", "--keepalive", "15"])
        http = web_api.Web(port)
        _, dash, _, _, _ = http.login("dash", "rahasia-dash")
        time.sleep(0.5)
        rss0 = rss_kib(web.pid)
        ready, out, stop = mp.Queue(), mp.Queue(), mp.Event()
        per = [STREAMS // READERS + (1 if i < STREAMS % READERS else 0) for i in range(READERS)]
        procs = [mp.Process(target=reader, args=(port, dash, n, ready, stop, out)) for n in per]
        for p in procs:
            p.start()
        opened = sum(ready.get(timeout=60) for _ in procs)
        time.sleep(0.5)
        rss1 = rss_kib(web.pid)
        seq0 = http.json("GET", "/api/values?period=2022&indicator=iki24", cookie=dash)[2]["seq"]
        sent, post_lat, errors = {}, [], []
        t_start = time.time()
        threads = [threading.Thread(target=submitter, args=(http, u, v, sent, post_lat, errors,
                                                            t_start + SECONDS))
                   for u, _, v in users[:CLIENTS]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t_sub = time.time() - t_start
        rss2 = rss_kib(web.pid)
        time.sleep(2)
        seq1 = http.json("GET", "/api/values?period=2022&indicator=iki24", cookie=dash)[2]["seq"]
        stop.set()
        results = [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join()
    finally:
        for p in (web, ikid):
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)

    lat, counts, resyncs = [], [], 0
    last = {v: max([n for (vv, n) in sent if vv == v] or [0]) for _, _, v in users[:CLIENTS]}
    for got, rs in results:
        resyncs += rs
        for stream in got:
            seen = 0
            for ou, num, t in stream:
                if (ou, num) in sent:
                    lat.append(t - sent[(ou, num)])
                    seen += 1
            counts.append(seen)
    total = len(sent)
    ms = [x * 1000 for x in lat]
    print("bench-web: %d SSE streams open (of %d), %d clerks posting %g events/s each for %.1f s"
          % (opened, STREAMS, CLIENTS, RATE, t_sub))
    print("  events posted             %d (%.0f/s), %d refused" % (total, total / t_sub,
                                                                   len(errors)))
    print("  POST /api/events latency  p50 %.1f ms  p99 %.1f ms" %
          (pct(post_lat, 50) * 1000, pct(post_lat, 99) * 1000))
    print("  event -> browser socket   p50 %.1f ms  p99 %.1f ms  max %.1f ms  (%d deliveries)"
          % (pct(ms, 50), pct(ms, 99), max(ms) if ms else float("nan"), len(ms)))
    print("  village updates per stream: min %d, median %d, of %d events (coalesced updates "
          "count once); %d resnapshots" % (min(counts), statistics.median(counts), total,
                                           resyncs))
    print("  ikiweb VmRSS              %d KiB idle, %d KiB with %d streams (%.1f KiB each), "
          "%d KiB after the run" % (rss0, rss1, opened, (rss1 - rss0) / max(opened, 1), rss2))
    print("  ikid published            %d updates in %.1f s: %.0f updates/s (seq %d -> %d)"
          % (seq1 - seq0, t_sub, (seq1 - seq0) / t_sub, seq0, seq1))
    print("  fan-out                   %.0f SSE updates/s delivered (all streams)"
          % (sum(len(s) for g, _ in results for s in g) / t_sub))
    return 1 if errors or opened < STREAMS else 0


if __name__ == "__main__":
    sys.exit(main())
