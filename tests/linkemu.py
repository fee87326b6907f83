#!/usr/bin/python3
"""linkemu.py: a user-space TCP proxy on 127.0.0.1 that behaves like a bad mobile link.

netem is not available on these kernels, so the end-to-end tests put this proxy between iki and
ikid. What it emulates, per direction of each connection:

  --rate BPS      throttle to BPS bits per second (serialisation delay of every chunk)
  --delay MS      one-way latency (pipelined: it does not lower the throughput)
  --stall P       with probability P per chunk, hold the chunk --stall-ms longer. This is what
                  packet loss looks like from above TCP: a lost segment is retransmitted after
                  a timeout, and everything behind it waits (head-of-line blocking). TCP itself
                  never loses or reorders bytes, so a TCP proxy cannot drop bytes; it can only
                  delay them, or cut the connection.
  --cut P         with probability P per chunk, cut the connection (both sides closed), as a
                  mobile link does when the radio drops.
  --down-file F   while F exists the link is down: if F says "cut", every connection is closed
                  and new ones are refused (closed at once); otherwise ("silent") nothing moves
                  and nothing is closed, as when the radio has no signal; data flows again
                  when F is removed.

The target ("HOST:PORT") is read from --target-file at each new connection, so ikid may be
restarted on another port. The proxy's port is written to --port-file. Bytes carried up
(client to server) and down are written to --stats ("up N down M") after each change.
"""

import argparse
import collections
import os
import random
import signal
import socket
import sys
import threading
import time

CHUNK = 1024
QUEUE_MAX = 64 * 1024  # bytes in flight per direction (delayed) before the reader waits


class Stats:
    def __init__(self, path):
        self.path, self.up, self.down = path, 0, 0
        self.lock = threading.Lock()
        self.last = 0.0

    def add(self, upstream, n):
        with self.lock:
            if upstream:
                self.up += n
            else:
                self.down += n
            now = time.monotonic()
            if self.path and now - self.last > 0.05:
                self.last = now
                self.write()

    def write(self):
        if not self.path:
            return
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            f.write("up %d down %d\n" % (self.up, self.down))
        os.replace(tmp, self.path)


class Link:
    """Options and the down state shared by every connection."""

    def __init__(self, a):
        self.a = a
        self.conns = set()
        self.lock = threading.Lock()
        self.stats = Stats(a.stats)

    def down(self):
        try:
            with open(self.a.down_file) as f:
                return "cut" if "cut" in f.read() else "silent"
        except (OSError, TypeError):
            return None


class Pipe:
    """One direction: a reader thread queues chunks with their due time, a writer sends them."""

    def __init__(self, link, conn, src, dst, upstream):
        self.link, self.conn, self.src, self.dst, self.up = link, conn, src, dst, upstream
        self.q = collections.deque()
        self.bytes = 0
        self.cv = threading.Condition()
        self.eof = False

    def read_loop(self):
        a = self.link.a
        ready = 0.0  # when the link is free again (serialisation)
        try:
            while not self.conn.closed:
                while self.link.down() == "silent" and not self.conn.closed:
                    time.sleep(0.05)  # no signal: the sender's bytes are not acknowledged
                data = self.src.recv(CHUNK)
                if not data:
                    break
                if a.rate:
                    # the link's rate paces what is taken from the sender, so that its bytes
                    # are acknowledged as fast as the link carries them, not all at once
                    ready = max(time.monotonic(), ready) + len(data) * 8.0 / a.rate
                    time.sleep(max(0.0, ready - time.monotonic()))
                due = time.monotonic() + a.delay / 1000.0
                if a.stall and random.random() < a.stall:
                    due += a.stall_ms / 1000.0
                with self.cv:
                    while self.bytes > QUEUE_MAX and not self.conn.closed:
                        self.cv.wait(0.1)
                    self.q.append((due, data))
                    self.bytes += len(data)
                    self.cv.notify_all()
                if a.cut and random.random() < a.cut:
                    break
        except OSError:
            pass
        with self.cv:
            self.eof = True
            self.cv.notify_all()

    def write_loop(self):
        try:
            while not self.conn.closed:
                with self.cv:
                    while not self.q and not self.eof and not self.conn.closed:
                        self.cv.wait(0.1)
                    if not self.q:
                        break
                    due, data = self.q[0]
                while self.link.down() == "silent" and not self.conn.closed:
                    time.sleep(0.05)
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                if self.conn.closed:
                    break
                self.dst.sendall(data)
                self.link.stats.add(self.up, len(data))
                with self.cv:
                    self.q.popleft()
                    self.bytes -= len(data)
                    self.cv.notify_all()
        except OSError:
            pass
        self.conn.close()


class Conn:
    def __init__(self, link, client, server):
        self.link, self.client, self.server = link, client, server
        self.closed = False
        self.pipes = [Pipe(link, self, client, server, True), Pipe(link, self, server, client, False)]

    def start(self):
        for p in self.pipes:
            threading.Thread(target=p.read_loop, daemon=True).start()
            threading.Thread(target=p.write_loop, daemon=True).start()

    def close(self):
        if self.closed:
            return
        self.closed = True
        for s in (self.client, self.server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        with self.link.lock:
            self.link.conns.discard(self)


def target(path):
    with open(path) as f:
        host, port = f.read().strip().rsplit(":", 1)
    return host, int(port)


def serve(link, ls):
    while True:
        client, _ = ls.accept()
        if link.down() == "cut":
            client.close()
            continue
        try:
            server = socket.create_connection(target(link.a.target_file), timeout=5)
            server.settimeout(None)
        except (OSError, ValueError):
            client.close()
            continue
        for s in (client, server):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            # the smallest buffers, so that the kernel does not acknowledge ahead of the link
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)
        c = Conn(link, client, server)
        with link.lock:
            link.conns.add(c)
        c.start()


def watch_down(link):
    while True:
        if link.down() == "cut":
            with link.lock:
                conns = list(link.conns)
            for c in conns:
                c.close()
        time.sleep(0.05)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port-file", required=True)
    p.add_argument("--target-file", required=True)
    p.add_argument("--rate", type=float, default=0)
    p.add_argument("--delay", type=float, default=0)
    p.add_argument("--stall", type=float, default=0)
    p.add_argument("--stall-ms", type=float, default=400)
    p.add_argument("--cut", type=float, default=0)
    p.add_argument("--down-file")
    p.add_argument("--stats")
    p.add_argument("--seed", type=int)
    a = p.parse_args()
    if a.seed is not None:
        random.seed(a.seed)
    link = Link(a)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)  # inherited by accepted sockets
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.replace(tmp, a.port_file)
    signal.signal(signal.SIGTERM, lambda *_: (link.stats.write(), os._exit(0)))
    threading.Thread(target=watch_down, args=(link,), daemon=True).start()
    try:
        serve(link, ls)
    except KeyboardInterrupt:
        pass
    link.stats.write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
