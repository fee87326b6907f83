"""daemons.py: a real ikid and a real ikiweb for the browser tests, as tests/harness.c starts ikid
(fresh state directory, ephemeral ports, the endpoints file) and as man ikiweb says: users made
with `ikiweb user add`, each listed with a key of their own in ikid's clients file (CURVE)."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATALOG = os.path.join(TOP, "catalog", "sampang-2022.conf")
WWW = os.path.join(TOP, "web", "www")


def binary(name):
    return os.path.join(TOP, os.environ.get("IKI_BUILD") or "build", name)


def slurp(path, binary=False):
    """A file's whole content (text, or bytes)."""
    with open(path, "rb" if binary else "r") as f:
        return f.read()


def wait_for(pred, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.02)
    raise RuntimeError("%s did not happen within %.0f s" % (what, timeout))


class Env:
    """ikid on STATE (CURVE, its clients file STATE/clients) and ikiweb on 127.0.0.1:<free port>."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="iki-web-")
        self.state = os.path.join(self.dir, "state")
        os.mkdir(self.state, 0o700)
        self.clients = os.path.join(self.state, "clients")
        with open(self.clients, "w"):
            pass
        os.chmod(self.clients, 0o600)
        self.ikid = self.ikiweb = None
        self.url = ""

    def start(self):
        self.start_ikid()
        self.start_ikiweb()

    def start_ikid(self):
        eps = os.path.join(self.state, "endpoints")
        self.ikid_log = open(os.path.join(self.dir, "ikid.log"), "ab")
        self.ikid = subprocess.Popen(
            [binary("ikid"), "-c", CATALOG, "-d", self.state, "-a", self.clients, "-l", "tcp://127.0.0.1:*",
             "-p", "tcp://127.0.0.1:*", "-e", eps], stdout=self.ikid_log, stderr=self.ikid_log)

        def endpoints():
            if self.ikid.poll() is not None:
                raise RuntimeError("ikid exited; see %s/ikid.log" % self.dir)
            try:
                m = re.match(r"request (\S+)\s+update (\S+)", slurp(eps))
            except OSError:
                return None
            return m and (m.group(1), m.group(2))
        self.request, self.update = wait_for(endpoints, 10, "ikid's start")
        with open(os.path.join(self.state, "ikid.pid"), "w") as f:
            f.write("%d\n" % self.ikid.pid)

    def start_ikiweb(self):
        self.web_log_path = os.path.join(self.dir, "ikiweb.log")
        self.web_log = open(self.web_log_path, "ab")
        self.ikiweb = subprocess.Popen(
            [binary("ikiweb"), "-d", self.state, "-s", self.request, "-u", self.update,
             "-l", "127.0.0.1:0", "-w", WWW, "--ikid-pid", os.path.join(self.state, "ikid.pid")],
            stdout=self.web_log, stderr=self.web_log)

        def serving():
            if self.ikiweb.poll() is not None:
                raise RuntimeError("ikiweb exited: %s" % slurp(self.web_log_path))
            m = re.search(r"serving (http://127\.0\.0\.1:\d+)/", slurp(self.web_log_path))
            return m and m.group(1)
        self.url = wait_for(serving, 10, "ikiweb's start")

    def user_add(self, name, password, role, scope, display):
        """`ikiweb user add` (the password on stdin), then SIGHUP to ikid and ikiweb."""
        args = [binary("ikiweb"), "-d", self.state, "--ikid-pid", os.path.join(self.state, "ikid.pid"),
                "user", "add", name, "--role", role, "--name", display, "--password-stdin"]
        if scope != "-":
            args[-1:-1] = ["--scope", scope]
        r = subprocess.run(args, input=(password + "\n").encode(), capture_output=True, timeout=30)
        if r.returncode != 0:
            raise RuntimeError("ikiweb user add %s: %s" % (name, r.stderr.decode()))
        if self.ikiweb:
            self.ikiweb.send_signal(signal.SIGHUP)
        if self.ikid:
            self.ikid.send_signal(signal.SIGHUP)
        time.sleep(0.2)

    def iki(self, *args):
        """Run iki as the admin (a key of its own, listed in the clients file), with an outbox
        of this test's own (iki submit keeps every event it sent)."""
        key = os.path.join(self.dir, "admin")
        if not os.path.exists(key + ".key"):
            subprocess.run([binary("iki"), "keygen", key], check=True, capture_output=True)
            pub = re.search(r"public\s*=\s*(\S+)", slurp(key + ".pub")).group(1)
            with open(self.clients, "a") as f:
                f.write("test-admin admin - %s\n" % pub)
            self.ikid.send_signal(signal.SIGHUP)
            time.sleep(0.3)
        r = subprocess.run([binary("iki"), "-s", self.request, "-u", self.update, "-k", key + ".key",
                            "-S", os.path.join(self.state, "server.pub")] + list(args),
                           capture_output=True, timeout=60,
                           env=dict(os.environ, IKI_OUTBOX=os.path.join(self.dir, "outbox")))
        return r.returncode, r.stdout.decode(), r.stderr.decode()

    def query(self, indicator, period, orgunit):
        """One value through `iki query --json` (not through ikiweb)."""
        rc, out, err = self.iki("query", "--indicator", indicator, "--period", period, "--orgunit", orgunit, "--json")
        if rc != 0:
            raise RuntimeError("iki query: %s %s" % (out, err))
        data = json.loads(out)
        vals = data["values"] if isinstance(data, dict) else data
        return vals[0]

    def verify(self):
        r = subprocess.run([binary("ikid"), "--verify", "-c", CATALOG, "-d", self.state],
                           capture_output=True, timeout=60)
        return r.returncode == 0, (r.stdout + r.stderr).decode()

    def stop(self):
        for p in (self.ikiweb, self.ikid):
            if p and p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for f in (getattr(self, "ikid_log", None), getattr(self, "web_log", None)):
            if f:
                f.close()
        if os.environ.get("KEEP") != "1":
            shutil.rmtree(self.dir, ignore_errors=True)
