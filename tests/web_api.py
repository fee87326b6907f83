#!/usr/bin/python3
"""ikiweb's HTTP API against a real ikid and a real ikiweb, through HTTP only.

Starts ikid (CURVE, its clients file listing each web user's own key, made by "ikiweb user
add") and ikiweb on ephemeral loopback ports, in a fresh temporary state directory, then:
replays every example of proto/WEBAPI.md (status and the fields the example shows); refuses a
wrong password, a locked-out user (429, Retry-After, Indonesian), an expired session, a POST
without or with a wrong CSRF token, another user's cookie, a token without the scope, a body
over 1 MiB (announced and chunked), more than 5,000 events, a slow-loris connection; a clerk's
event of another village is refused by ikid's scope check through the clerk's own key; each
refusal leaves nothing stored (history says unknown_ref, and ikid --verify is clean at the
end). Also: SSE updates within a second, the stream limit, static files and their headers,
SIGHUP reloading the users, HTTPS with --cert/--key, and listening beyond loopback refused.

Run from the top of the tree: IKI_BUILD=build ./tests/web_api.py   (exit 0: all passed)
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

BUILD = os.environ.get("IKI_BUILD", "build")
CATALOG = "catalog/sampang-2022.conf"
AENGSAREH, BANYUANYAR = "35.27.03.2002", "35.27.03.2001"
IDLE_S = 4
USERS = [  # name, role, scope, password, display
    ("desa-aengsareh", "clerk", AENGSAREH, "rahasia-aengsareh", "Petugas Desa Aengsareh"),
    ("desa-banyuanyar", "clerk", BANYUANYAR, "rahasia-banyuanyar", "Petugas Banyuanyar"),
    ("camat", "admin", "-", "rahasia-camat", "Camat Sampang"),
    ("tamu", "viewer", "-", "rahasia-tamu", "Tamu"),
]
PASSWORDS = {u[0]: u[3] for u in USERS}

failures = []
passed = 0


def check(cond, what):
    global passed
    if cond:
        passed += 1
    else:
        failures.append(what)
        print("FAIL: " + what, flush=True)


def run(args, stdin=None):
    return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=60)


class Web:
    """An HTTP client of one ikiweb."""

    def __init__(self, port, tls=False):
        self.port, self.tls = port, tls

    def req(self, method, path, body=None, cookie=None, csrf=None, token=None, headers=None):
        if self.tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            c = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=15, context=ctx)
        else:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        h = dict(headers or {})
        if cookie:
            h["Cookie"] = "iki_session=" + cookie
        if csrf:
            h["X-CSRF-Token"] = csrf
        if token:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h["Content-Type"] = "application/json"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, data

    def json(self, *a, **k):
        st, h, data = self.req(*a, **k)
        try:
            return st, h, json.loads(data) if data else None
        except ValueError:
            return st, h, None

    def login(self, user, password=None):
        st, h, j = self.json("POST", "/api/login",
                             {"user": user, "password": password or PASSWORDS[user]})
        m = re.search(r"iki_session=([^;]*)", h.get("set-cookie", ""))
        return st, (m.group(1) if m else None), (j or {}).get("csrf"), j, h


def error_code(j):
    return ((j or {}).get("error") or {}).get("code")


class Stream:
    """An SSE reader over a raw socket (HTTP/1.0: the stream comes unchunked)."""

    def __init__(self, port, query="", cookie=None, token=None):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        h = "GET /api/stream%s HTTP/1.0\r\nHost: 127.0.0.1\r\n" % query
        if cookie:
            h += "Cookie: iki_session=%s\r\n" % cookie
        if token:
            h += "Authorization: Bearer %s\r\n" % token
        self.s.sendall((h + "\r\n").encode())
        self.buf, self.closed = b"", False
        while b"\r\n\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                break
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ")[1]) if head else 0
        self.head = head.decode("latin-1")

    def next(self, timeout=5):
        """The next event (name, data) or comment (":", text); None on timeout or close."""
        end = time.time() + timeout
        while b"\n\n" not in self.buf:
            left = end - time.time()
            if left <= 0:
                return None
            self.s.settimeout(left)
            try:
                chunk = self.s.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                self.closed = True
                return None
            self.buf += chunk
        block, _, self.buf = self.buf.partition(b"\n\n")
        text = block.decode()
        if text.startswith(":"):
            return (":", text[1:].strip())
        name, data = None, ""
        for line in text.split("\n"):
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                data += line[6:]
        return (name, json.loads(data))

    def close(self):
        self.s.close()


def start_ikid(state):
    eps = os.path.join(state, "endpoints")
    log = open(os.path.join(state, "ikid.log"), "w")
    p = subprocess.Popen([BUILD + "/ikid", "-c", CATALOG, "-d", state, "-a", state + "/clients",
                          "-l", "tcp://127.0.0.1:*", "-p", "tcp://127.0.0.1:*", "-e", eps],
                         stderr=log)
    for _ in range(100):
        if os.path.exists(eps) and os.path.getsize(eps) > 0:
            m = re.search(r"request (\S+)\s+update (\S+)", open(eps).read())
            if m:
                return p, m.group(1), m.group(2)
        time.sleep(0.1)
    raise SystemExit("ikid did not start: " + open(os.path.join(state, "ikid.log")).read())


def start_web(state, www, ikid_eps, extra=(), logname="ikiweb.log"):
    log_path = os.path.join(state, logname)
    log = open(log_path, "w")
    p = subprocess.Popen([BUILD + "/ikiweb", "-d", state, "-s", ikid_eps[0], "-u", ikid_eps[1],
                          "-l", "127.0.0.1:0", "-w", www, "--timeout", "2",
                          "--session-idle", str(IDLE_S), "--login-attempts", "3",
                          "--max-streams", "6"] + list(extra), stderr=log)
    for _ in range(100):
        m = re.search(r"serving https?://127\.0\.0\.1:(\d+)/", open(log_path).read())
        if m:
            return p, int(m.group(1))
        if p.poll() is not None:
            break
        time.sleep(0.1)
    raise SystemExit("ikiweb did not start: " + open(log_path).read())


def setup(tmp):
    state, www = os.path.join(tmp, "state"), os.path.join(tmp, "www")
    os.makedirs(state)
    os.makedirs(os.path.join(www, "static"))
    for name, text in [("index.html", "<!doctype html><title>iki</title>"),
                       ("sw.js", "self.addEventListener('fetch', () => {});"),
                       ("manifest.webmanifest", "{}"), ("static/app.js", "1;"),
                       (".secret.html", "no")]:
        open(os.path.join(www, name), "w").write(text)
    for name, role, scope, pw, display in USERS:
        r = run([BUILD + "/ikiweb", "-d", state, "user", "add", name, "--role", role,
                 "--scope", scope, "--name", display, "--password-stdin"], stdin=pw + "\n")
        check(r.returncode == 0, "user add %s: %s" % (name, r.stderr))
    clients = open(os.path.join(state, "clients")).read()
    check(all(re.search(r"^%s\t%s\t%s\t\S{40}$" % (re.escape(n), r, re.escape(s)), clients, re.M)
              for n, r, s, _, _ in USERS), "every user's own key is in ikid's clients file")
    check(oct(os.stat(os.path.join(state, "web/keys/desa-aengsareh.key")).st_mode & 0o777)
          == "0o600", "a user's key file is 0600")
    r = run([BUILD + "/ikiweb", "-d", state, "user", "list"])
    check("desa-aengsareh\tclerk\t" + AENGSAREH in r.stdout, "user list")
    r = run([BUILD + "/ikiweb", "-d", state, "user", "add", "x", "--role", "clerk",
             "--password-stdin"], stdin="panjang-sekali\n")
    check(r.returncode == 2, "user add: a clerk without a scope is refused")
    tokens = {}
    for name, scope in [("tok-read", "read"), ("tok-submit", "read,submit")]:
        r = run([BUILD + "/ikiweb", "-d", state, "token", "add", name, "--user",
                 "desa-aengsareh", "--scope", scope])
        check(r.returncode == 0 and r.stdout.startswith("iki_"), "token add " + name)
        tokens[name] = r.stdout.strip()
    check(tokens["tok-read"] not in open(os.path.join(state, "web/tokens")).read(),
          "a token's secret is not stored")
    return state, www, tokens


def stored(web, cookie, event_id):
    """Whether ikid holds the event (its history), asked as the camat."""
    st, _, j = web.json("GET", "/api/history?id=" + event_id, cookie=cookie)
    return st == 200 and any(e["id"] == event_id for e in j["events"])


def event(eid, orgunit=AENGSAREH, element="usulan_terakomodir", value=1, **kw):
    e = {"id": eid, "element": element, "orgunit": orgunit, "date": "2022-03-14",
         "op": "add", "value": value}
    e.update(kw)
    return e


# ---- the examples of proto/WEBAPI.md ----

def doc_examples():
    """Each example block: (method, path, body text or None, status, response text)."""
    text = open("proto/WEBAPI.md").read()
    out = []
    for block in re.findall(r"(?:^    .*\n|^\n)+", text, re.M):
        lines = [l[4:] for l in block.strip("\n").split("\n")]
        m = re.match(r"(GET|POST) (/\S*)", lines[0]) if lines else None
        if not m:
            continue
        body, i = [], 1
        while i < len(lines) and not re.match(r"\d{3}\b", lines[i]):
            body.append(lines[i])
            i += 1
        if i == len(lines):
            continue
        status = int(lines[i][:3])
        resp = "\n".join(lines[i:])
        out.append((m.group(1), m.group(2), "\n".join(body).strip() or None, status, resp))
    return out


def keys_of(x, acc):
    if isinstance(x, dict):
        for k, v in x.items():
            acc.add(k)
            keys_of(v, acc)
    elif isinstance(x, list):
        for v in x:
            keys_of(v, acc)
    return acc


def replay_examples(web):
    examples = doc_examples()
    paths = {p.split("?")[0] for _, p, _, _, _ in examples}
    for p in ["/api/login", "/api/logout", "/api/me", "/api/describe", "/api/values",
              "/api/series", "/api/stream", "/api/events", "/api/events/mine", "/api/history",
              "/api/report"]:
        check(p in paths, "WEBAPI.md has an example of " + p)
    st, cookie, csrf, _, _ = web.login("desa-aengsareh")
    for method, path, body, status, resp in examples:
        if path.startswith("/api/stream"):
            s = Stream(web.port, path[len("/api/stream"):], cookie=cookie)
            ev = s.next()
            check(s.status == status and ev and ev[0] == "snapshot" and "values" in ev[1],
                  "example GET /api/stream: a snapshot first")
            s.close()
            continue
        use_cookie, use_csrf = cookie, csrf
        if path == "/api/logout":
            _, use_cookie, use_csrf, _, _ = web.login("desa-aengsareh")
        if path == "/api/login":
            use_cookie = use_csrf = None
        st, h, data = web.req(method, path, body=body, cookie=use_cookie, csrf=use_csrf,
                              headers={"Content-Type": "application/json"} if body else None)
        check(st == status, "example %s %s: status %d, expected %d (%s)"
              % (method, path, st, status, data[:200]))
        want = set(re.findall(r'"([a-z_]+)":', resp))
        if want and "json" in h.get("content-type", ""):
            got = keys_of(json.loads(data), set())
            check(want <= got, "example %s %s: fields %s missing" % (method, path, want - got))
        elif "text/html" in resp:
            check(h.get("content-type", "").startswith("text/html") and b"<table" in data,
                  "example %s %s: an HTML page with tables" % (method, path))
        if path == "/api/events":
            r = json.loads(data)["results"][0]
            check(r["status"] == "ok", "example POST /api/events: stored (%s)" % r)


# ---- security ----

def test_logins(web):
    st, cookie, _, j, _ = web.login("desa-aengsareh", "salah-sekali")
    check(st == 401 and error_code(j) == "bad_login" and cookie is None, "wrong password: 401")
    st, _, _, j, _ = web.login("tidak-ada", "apa-saja-lah")
    check(st == 401 and error_code(j) == "bad_login", "unknown user: the same 401 bad_login")
    for _ in range(3):
        web.login("tamu", "salah-sekali")
    st, cookie, _, j, h = web.login("tamu")
    check(st == 429 and error_code(j) == "locked_out" and cookie is None,
          "a locked-out user is refused even with the right password: %d %s" % (st, j))
    check(int(h.get("retry-after", "0")) > 0, "locked out: Retry-After")
    check("Coba lagi dalam 15 menit" in (j or {}).get("error", {}).get("message", ""),
          "locked out: told so in Indonesian")
    st, h, j = web.json("POST", "/api/login", "not json")
    check(st == 400 and error_code(j) == "bad_request", "login: a body that is not JSON")


def test_sessions(web, camat):
    st, cookie, csrf, j, h = web.login("desa-banyuanyar")
    check(st == 200 and cookie and len(cookie) == 43 and len(csrf) == 43, "login: 200")
    sc = h.get("set-cookie", "")
    check("HttpOnly" in sc and "SameSite=Strict" in sc and "Path=/" in sc,
          "the cookie is HttpOnly and SameSite=Strict: " + sc)
    check("Secure" not in sc, "no Secure flag on plain-HTTP loopback")
    st, _, j = web.json("GET", "/api/me", cookie=cookie)
    check(st == 200 and j["orgunits"] == [BANYUANYAR] and "usulan_terakomodir" in j["elements"]
          and "surat_masuk" not in j["elements"], "me: a clerk's village and elements")
    st, _, j = web.json("GET", "/api/me")
    check(st == 401 and error_code(j) == "unauthenticated", "me without a cookie: 401")
    st, _, j = web.json("GET", "/api/me", cookie="A" * 43)
    check(st == 401 and error_code(j) == "unauthenticated", "a forged cookie: 401")

    # CSRF: none, a wrong one, another session's
    _, other_cookie, other_csrf, _, _ = web.login("desa-aengsareh")
    for name, c, t in [("no CSRF token", cookie, None), ("a wrong CSRF token", cookie, "x" * 43),
                       ("another user's cookie with one's own CSRF token", other_cookie, csrf)]:
        eid = "csrf-" + str(abs(hash(name)))
        st, _, j = web.json("POST", "/api/events", {"events": [event(eid, BANYUANYAR)]},
                            cookie=c, csrf=t)
        check(st == 403 and error_code(j) == "csrf", name + ": 403 csrf (%d %s)" % (st, j))
        check(not stored(web, camat, eid), name + ": nothing stored")
    check(web.json("GET", "/api/me", cookie=other_cookie)[0] == 200, "other session still valid")

    # logout ends the session
    st, h, _ = web.req("POST", "/api/logout", cookie=other_cookie, csrf=other_csrf)
    check(st == 204 and "Max-Age=0" in h.get("set-cookie", ""), "logout: 204, cookie cleared")
    check(web.json("GET", "/api/me", cookie=other_cookie)[0] == 401, "after logout: 401")

    # expiry: idle
    time.sleep(IDLE_S + 1)
    st, _, j = web.json("POST", "/api/events", {"events": [event("expired-1", BANYUANYAR)]},
                        cookie=cookie, csrf=csrf)
    check(st == 401 and error_code(j) == "unauthenticated", "an expired session: 401 (%d)" % st)
    check(web.json("GET", "/api/me", cookie=cookie)[0] == 401, "expired session stays expired")


def test_tokens(web, tokens, camat):
    st, _, j = web.json("POST", "/api/events", {"events": [event("tok-1")]},
                        token=tokens["tok-read"])
    check(st == 403 and error_code(j) == "token_scope", "a read token cannot submit: 403")
    check(not stored(web, camat, "tok-1"), "token without scope: nothing stored")
    st, _, j = web.json("GET", "/api/values?period=2022", token=tokens["tok-read"])
    check(st == 200 and j["values"], "a read token reads")
    st, _, j = web.json("GET", "/api/me", token="iki_" + "A" * 43)
    check(st == 401 and error_code(j) == "unauthenticated", "an unknown token: 401")
    st, _, j = web.json("POST", "/api/events", {"events": [event("tok-2", value=3)]},
                        token=tokens["tok-submit"])
    check(st == 200 and j["results"][0]["status"] == "ok", "a submit token submits, no CSRF")
    st, _, j = web.json("GET", "/api/history?id=tok-2", cookie=camat)
    check(st == 200 and j["events"][0]["who"] == "desa-aengsareh",
          "ikid's history names the token's user: %s" % (j,))


def raw_post(port, head, body_parts):
    """Send a request as raw bytes (the server may answer and close before the body is in):
    the status and the response's bytes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    try:
        s.sendall(head)
        for part in body_parts:
            s.sendall(part)
    except OSError:
        pass
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data and b'"error"' in data:
                break
    except OSError:
        pass
    s.close()
    m = re.match(rb"HTTP/1\.\d (\d{3})", data)
    return (int(m.group(1)) if m else 0), data


def test_bounds(web, cookie, csrf, camat):
    big = json.dumps({"events": [event("big-1", comment="x" * 400)] * 3000}).encode()
    check(len(big) > (1 << 20), "the oversize body is over 1 MiB")
    head = ("POST /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: iki_session=%s\r\n"
            "X-CSRF-Token: %s\r\nContent-Type: application/json\r\n" % (cookie, csrf)).encode()
    st, data = raw_post(web.port, head + b"Content-Length: %d\r\n\r\n" % len(big),
                        [big[i:i + 65536] for i in range(0, len(big), 65536)])
    check(st == 413 and b"too_big" in data, "a body over 1 MiB: 413 (%d)" % st)
    # the same without Content-Length (chunked): cut at 1 MiB, refused
    parts = [b"%x\r\n%s\r\n" % (len(big[i:i + 65536]), big[i:i + 65536])
             for i in range(0, len(big), 65536)] + [b"0\r\n\r\n"]
    st, data = raw_post(web.port, head + b"Transfer-Encoding: chunked\r\n\r\n", parts)
    check(st == 413 and b"too_big" in data, "a chunked body over 1 MiB: 413 (%d)" % st)
    check(not stored(web, camat, "big-1"), "oversize: nothing stored")
    many = {"events": [event("many-%d" % i) for i in range(5001)]}
    st, _, j = web.json("POST", "/api/events", many, cookie=cookie, csrf=csrf)
    check(st == 413 and error_code(j) == "too_big", "5,001 events: 413")
    check(not stored(web, camat, "many-0"), "5,001 events: nothing stored")


def test_slow_loris(web):
    """Headers trickled one line every half second: closed by --timeout (2 s), not served."""
    s = socket.create_connection(("127.0.0.1", web.port), timeout=10)
    s.sendall(b"GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    t0, closed = time.time(), False
    while time.time() - t0 < 8:
        try:
            s.sendall(b"X-Slow: %d\r\n" % int(time.time()))
            s.settimeout(0.5)
            if s.recv(4096) == b"":
                closed = True
                break
        except socket.timeout:
            continue
        except OSError:
            closed = True
            break
    took = time.time() - t0
    check(closed and took < 5, "a slow-loris connection is closed after the timeout (%.1f s)"
          % took)
    s.close()
    idle = socket.create_connection(("127.0.0.1", web.port), timeout=10)
    idle.sendall(b"GET /api/me HTTP/1.1\r\n")
    t0 = time.time()
    idle.settimeout(6)
    try:
        data = idle.recv(4096)
    except (socket.timeout, OSError):
        data = None
    check(data == b"" and time.time() - t0 < 5, "a connection that stops sending is closed")
    idle.close()


def test_scope(web, camat):
    st, cookie, csrf, _, _ = web.login("desa-aengsareh")
    evs = [event("scope-own", AENGSAREH, value=2),
           event("scope-other", BANYUANYAR, value=5, comment="<script>alert(1)</script>"),
           event("scope-element", AENGSAREH, element="surat_masuk")]
    q = "/api/values?period=2022&indicator=iki24&orgunit=" + BANYUANYAR
    before = web.json("GET", q, cookie=camat)[2]["values"][0]["num"]
    st, _, j = web.json("POST", "/api/events", {"events": evs}, cookie=cookie, csrf=csrf)
    res = {r["id"]: r for r in j["results"]}
    check(web.json("GET", q, cookie=camat)[2]["values"][0]["num"] == before,
          "another village's value did not move (a query)")
    check(res["scope-own"]["status"] == "ok", "a clerk's own village: ok")
    check(res["scope-other"]["status"] == "error" and res["scope-other"]["code"] ==
          "out_of_scope" and "wewenang" in res["scope-other"]["message"],
          "a clerk's event of another village: refused by ikid, out_of_scope: %s" % res)
    check(res["scope-element"]["code"] == "out_of_scope", "another section's element: refused")
    check(stored(web, camat, "scope-own") and not stored(web, camat, "scope-other") and
          not stored(web, camat, "scope-element"), "only the clerk's own event is stored")
    st, _, j = web.json("POST", "/api/events", {"events": evs[:1]}, cookie=cookie, csrf=csrf)
    check(j["results"][0]["status"] == "duplicate", "a resend is a duplicate")
    st, _, j = web.json("GET", "/api/events/mine?limit=3", cookie=cookie)
    mine = j["events"]
    check([e["id"] for e in mine] == ["scope-own", "scope-element", "scope-other"] and
          mine[0]["status"] == "duplicate" and mine[2]["code"] == "out_of_scope" and
          mine[2]["comment"] == "<script>alert(1)</script>",
          "events/mine: newest first, with each result: %s" % mine)
    _, vc, vcsrf, _, _ = web.login("camat")
    _, tc, tcsrf, _, _ = web.login("desa-banyuanyar")
    st, _, j = web.json("POST", "/api/events", {"events": [event("bad-1", element="")]},
                        cookie=tc, csrf=tcsrf)
    check(st == 200 and j["results"][0]["status"] == "error", "an event ikid refuses: error")
    st, _, j = web.json("POST", "/api/events", {"events": [{"element": "x"}]},
                        cookie=tc, csrf=tcsrf)
    check(j["results"][0]["code"] == "bad_field", "an event without an id: bad_field")


def test_live(web, camat):
    _, cookie, csrf, _, _ = web.login("desa-aengsareh")
    s = Stream(web.port, "?orgunit=%s&period=2022&indicator=iki24" % AENGSAREH, cookie=camat)
    check(s.status == 200 and "text/event-stream" in s.head, "stream: 200 text/event-stream")
    ev = s.next()
    check(ev and ev[0] == "snapshot", "stream: a snapshot first")
    before = [v["num"] for v in ev[1]["values"]] if ev else []
    t0 = time.time()
    st, _, j = web.json("POST", "/api/events", {"events": [event("live-1", value=7)]},
                        cookie=cookie, csrf=csrf)
    ev = s.next(timeout=3)
    took = time.time() - t0
    check(ev and ev[0] == "update" and ev[1]["value"]["indicator"] == "iki24" and
          ev[1]["value"]["orgunit"] == AENGSAREH and ev[1]["value"]["period"] == "2022" and
          ev[1]["value"]["name"], "stream: the update, filtered, with its name: %s" % (ev,))
    check(took < 1.0, "stream: the update within a second (%.3f s)" % took)
    check(not before or (ev and ev[1]["value"]["num"] == before[0] + 7), "the update's num")
    ka = s.next(timeout=4)
    check(ka == (":", "keepalive"), "stream: a keepalive when idle: %s" % (ka,))
    s.close()
    streams = [Stream(web.port, "?period=2022Q1", cookie=camat) for _ in range(6)]
    for x in streams:
        x.next()
    extra = Stream(web.port, "", cookie=camat)
    check(extra.status == 503 and "too_many_streams" in extra.buf.decode(),
          "past --max-streams: 503 too_many_streams (%d)" % extra.status)
    extra.close()
    for x in streams:
        x.close()
    st = Stream(web.port, "").status
    check(st == 401, "stream without a session: 401")
    _, c2, csrf2, _, _ = web.login("desa-aengsareh")
    s = Stream(web.port, "?period=2022Q1", cookie=c2)
    s.next()
    web.req("POST", "/api/logout", cookie=c2, csrf=csrf2)
    t0 = time.time()
    while not s.closed and time.time() - t0 < 9:
        s.next(timeout=1)
    check(s.closed, "a stream ends once its session ended (logout), in %.1f s" % (time.time() - t0))
    s.close()


def test_static(web):
    for path, typ in [("/", "text/html"), ("/sw.js", "text/javascript"),
                      ("/manifest.webmanifest", "application/manifest+json"),
                      ("/static/app.js", "text/javascript")]:
        st, h, _ = web.req("GET", path)
        check(st == 200 and h.get("content-type", "").startswith(typ), "static %s" % path)
        check(h.get("content-security-policy") == "default-src 'self'; frame-ancestors 'none'"
              and h.get("x-content-type-options") == "nosniff" and
              h.get("referrer-policy") == "same-origin", "security headers on " + path)
    for path in ["/../state/web/users", "/static/../../state/clients", "/.secret.html",
                 "/static/%2e%2e/index.html", "/nothing.html", "/index.exe"]:
        check(web.req("GET", path)[0] == 404, "static: %s is 404" % path)
    st, h, j = web.json("GET", "/api/nothing")
    check(st == 404 and error_code(j) == "not_found" and
          h.get("x-content-type-options") == "nosniff", "unknown API path: 404 with headers")
    st, h, j = web.json("GET", "/api/events")
    check(st == 405 and h.get("allow") == "POST", "GET /api/events: 405, Allow: POST")
    check(web.req("POST", "/", "x")[0] == 405, "POST /: 405")


def test_reload(web, state):
    """user add signals ikid (STATE/ikid.pid) and the running ikiweb (its pid file): the new
    clerk signs in and ikid takes events signed with the new key at once."""
    open(os.path.join(state, "ikid.pid"), "w").write("%d\n" % ikid_proc.pid)
    r = run([BUILD + "/ikiweb", "-d", state, "user", "add", "baru", "--role", "clerk",
             "--scope", "35.27.03.2005", "--password-stdin"], stdin="rahasia-baru\n")
    check(r.returncode == 0 and "SIGHUP to ikid" in r.stderr and
          "SIGHUP to the running ikiweb" in r.stderr, "user add reloads both: " + r.stderr)
    time.sleep(0.5)
    st, cookie, csrf, _, _ = web.login("baru", "rahasia-baru")
    check(st == 200, "the new user signs in without a restart")
    st, _, j = web.json("POST", "/api/events", {"events": [event("baru-1", "35.27.03.2005")]},
                        cookie=cookie, csrf=csrf)
    check(st == 200 and j["results"][0]["status"] == "ok",
          "ikid knows the new user's key: %s" % (j,))
    r = run([BUILD + "/ikiweb", "-d", state, "user", "passwd", "baru", "--password-stdin"],
            stdin="rahasia-lain\n")
    time.sleep(0.5)
    check(r.returncode == 0 and web.json("GET", "/api/me", cookie=cookie)[0] == 401,
          "a new password ends the user's sessions")
    check(web.login("baru", "rahasia-lain")[0] == 200, "the new password signs in")
    open(os.path.join(state, "web/ikiweb.pid"), "w").write("1\n")
    r = run([BUILD + "/ikiweb", "-d", state, "token", "add", "t-x", "--user", "baru",
             "--scope", "read"])
    check(r.returncode == 0 and "reads the users again on SIGHUP" in r.stderr,
          "a pid file naming another program is not signalled")
    web_proc.send_signal(signal.SIGHUP)
    time.sleep(0.3)


def test_listen_rules(state, eps):
    base = [BUILD + "/ikiweb", "-n", "-d", state, "-s", eps[0], "-u", eps[1], "-w", "web"]
    r = run(base + ["-l", "0.0.0.0:8080"])
    check(r.returncode == 2 and "refusing" in r.stderr, "beyond loopback without TLS: refused")
    r = run(base + ["-l", "0.0.0.0:8080", "--behind-tls-proxy"])
    check(r.returncode == 0 and "configuration OK" in r.stdout, "-n with --behind-tls-proxy")
    fresh = tempfile.mkdtemp(prefix="iki-web-n-")
    open(os.path.join(fresh, "clients"), "w").write("")
    r = run([BUILD + "/ikiweb", "-n", "-d", fresh, "-w", "web"])
    check(r.returncode == 0 and "not listed" in r.stderr and
          os.listdir(fresh) == ["clients"] and not open(fresh + "/clients").read(),
          "-n on a fresh state changes nothing: %s %s" % (os.listdir(fresh), r.stderr))
    shutil.rmtree(fresh)


def test_proxy_and_connections(state, www, eps):
    """--behind-tls-proxy: Secure cookies, the client address from X-Forwarded-For (so one
    address's lock-out is not everyone's); --max-connections: a connection past it is closed."""
    p, port = start_web(state, www, eps, ["--behind-tls-proxy", "--login-attempts", "1",
                                          "--max-connections", "4"], "ikiweb-proxy.log")
    try:
        w = Web(port)
        st, _, _, _, h = w.login("camat")
        check(st == 200 and "Secure" in h.get("set-cookie", ""), "behind a TLS proxy: Secure")
        for i in range(4):
            w.json("POST", "/api/login", {"user": "nobody%d" % i, "password": "salah-sekali"},
                   headers={"X-Forwarded-For": "203.0.113.7, 10.0.0.9"})
        st, h, j = w.json("POST", "/api/login", {"user": "camat", "password": "rahasia-camat"},
                          headers={"X-Forwarded-For": "10.0.0.9"})
        check(st == 429 and error_code(j) == "locked_out", "an address locked out (%d)" % st)
        st, _, _ = w.json("POST", "/api/login", {"user": "camat", "password": "rahasia-camat"},
                          headers={"X-Forwarded-For": "10.0.0.10"})
        check(st == 200, "another address behind the same proxy still signs in (%d)" % st)
        time.sleep(1)  # the connections above have ended
        held = []
        for _ in range(4):  # each served once and kept alive: surely counted
            x = socket.create_connection(("127.0.0.1", port), timeout=5)
            x.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            check(x.recv(4096).startswith(b"HTTP/1.1 200"), "a kept-alive connection")
            held.append(x)
        extra = socket.create_connection(("127.0.0.1", port), timeout=5)
        try:
            extra.sendall(b"GET / HTTP/1.0\r\n\r\n")
            data = extra.recv(4096)
        except OSError:
            data = b""
        check(data == b"", "past --max-connections a connection is closed unserved: %r" % data[:80])
        extra.close()
        for x in held:
            x.close()
        time.sleep(0.3)
        check(w.req("GET", "/")[0] == 200, "served again once connections are free")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)


def test_ikid_away(state, www):
    """ikid not answering: reads and submits are 503 unavailable after --ikid-timeout."""
    dead = ("tcp://127.0.0.1:9", "tcp://127.0.0.1:9")
    p, port = start_web(state, www, dead, ["--ikid-timeout", "500"], "ikiweb-away.log")
    try:
        w = Web(port)
        st, cookie, csrf, _, _ = w.login("desa-aengsareh")
        check(st == 200, "sign-in works with ikid away (ikiweb holds the users)")
        st, _, j = w.json("GET", "/api/values?period=2022", cookie=cookie)
        check(st == 503 and error_code(j) == "unavailable", "ikid away: values 503 (%d)" % st)
        st, _, j = w.json("POST", "/api/events", {"events": [event("away-1")]}, cookie=cookie,
                          csrf=csrf)
        check(st == 503 and error_code(j) == "unavailable", "ikid away: events 503 (%d)" % st)
    finally:
        p.send_signal(signal.SIGTERM)
        check(p.wait(timeout=10) == 0, "ikiweb stops cleanly while ikid is away")


def test_key_not_listed(state, www, eps):
    """A user whose key ikid has not loaded yet (ikid not reloaded): 403 forbidden, not a
    timeout."""
    pid_file = os.path.join(state, "ikid.pid")
    if os.path.exists(pid_file):
        os.unlink(pid_file)
    r = run([BUILD + "/ikiweb", "-d", state, "user", "add", "ghost", "--role", "clerk",
             "--scope", AENGSAREH, "--password-stdin"], stdin="rahasia-ghost\n")
    # --ikid-timeout longer than --timeout (2 s): a slow answer is not cut, only slow senders
    p, port = start_web(state, www, eps, ["--ikid-timeout", "2500"], "ikiweb-ghost.log")
    try:
        w = Web(port)
        st, cookie, csrf, _, _ = w.login("ghost", "rahasia-ghost")
        st, _, j = w.json("POST", "/api/events", {"events": [event("ghost-1")]}, cookie=cookie,
                          csrf=csrf)
        check(r.returncode == 0 and st == 403 and error_code(j) == "forbidden",
              "a key ikid has not loaded: 403 forbidden (%d %s)" % (st, j))
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)


def test_https(tmp, state, www, eps):
    if not shutil.which("openssl"):
        print("skip: HTTPS (no openssl to make a certificate)")
        return
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    r = run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert])
    check(r.returncode == 0, "openssl made a certificate")
    p, port = start_web(state, www, eps, ["--cert", cert, "--key", key], "ikiweb-tls.log")
    try:
        w = Web(port, tls=True)
        st, cookie, _, _, h = w.login("camat")
        check(st == 200 and "Secure" in h.get("set-cookie", ""),
              "HTTPS: login, and the cookie is Secure")
        check(w.json("GET", "/api/me", cookie=cookie)[0] == 200, "HTTPS: me")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)


def main():
    global web_proc, ikid_proc
    t_start = time.time()
    tmp = tempfile.mkdtemp(prefix="iki-web-")
    ikid = web_proc = None
    try:
        state, www, tokens = setup(tmp)
        ikid, req, upd = start_ikid(state)
        ikid_proc = ikid
        web_proc, port = start_web(state, www, (req, upd))
        web = Web(port)
        _, camat, _, _, _ = web.login("camat")
        replay_examples(web)
        test_logins(web)
        test_tokens(web, tokens, camat)
        _, cookie, csrf, _, _ = web.login("desa-aengsareh")
        test_bounds(web, cookie, csrf, camat)
        test_scope(web, camat)
        test_live(web, camat)
        test_static(web)
        test_slow_loris(web)
        test_sessions(web, web.login("camat")[1])
        test_reload(web, state)
        test_listen_rules(state, (req, upd))
        test_https(tmp, state, www, (req, upd))
        test_proxy_and_connections(state, www, (req, upd))
        test_ikid_away(state, www)
        test_key_not_listed(state, www, (req, upd))
        web_proc.send_signal(signal.SIGTERM)
        check(web_proc.wait(timeout=10) == 0, "ikiweb stops cleanly on SIGTERM")
        ikid.send_signal(signal.SIGTERM)
        ikid.wait(timeout=20)
        r = run([BUILD + "/ikid", "--verify", "-c", CATALOG, "-d", state])
        check(r.returncode == 0 and " 0 mismatches" in r.stdout + r.stderr,
              "ikid --verify is clean: " + (r.stdout + r.stderr).strip()[-200:])
    finally:
        for p in (web_proc, ikid):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        if failures:
            for f in ("ikiweb.log", "ikid.log"):
                path = os.path.join(tmp, "state", f)
                if os.path.exists(path):
                    print("---- " + f + "\n" + open(path).read()[-3000:])
        shutil.rmtree(tmp, ignore_errors=True)
    print("web_api: %d checks, %d failures, %.1f s" % (passed + len(failures), len(failures),
                                                      time.time() - t_start))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
