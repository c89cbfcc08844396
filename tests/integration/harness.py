"""Test harness: real jiefend processes on 127.0.0.1, driven through jiefenctl and HTTP.

Every process started here is tracked by PID and killed when the test ends, whatever
happens. Nothing sleeps for long: waits poll for a condition with a deadline.
"""
import argparse
import atexit
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

BIN = None
TOOLS = None
_procs = []


def _kill_all():
    for p in _procs:
        if p.poll() is None:
            p.kill()
            p.wait()


atexit.register(_kill_all)


def wait_for(cond, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


# Valid resident ID numbers (GB 11643 check digits), for test parties.
IDS = ["11010519491231002X", "110101199003077571", "440308199901011234"]


def party(i=0, **kw):
    p = {"role": "applicant" if i == 0 else "respondent", "name": ["张三", "李四", "王五"][i % 3],
         "id_number": IDS[i % 3], "phone": "13800138000", "address": "东村3组12号"}
    p.update(kw)
    return p


def intake(**kw):
    body = {"parties": [party(0), party(1)], "category": "land_contract",
            "matter_type": "dispute_mediation", "village": "东村", "source": "walk_in",
            "summary": "承包地边界争议", "complexity": "simple"}
    body.update(kw)
    return body


def free_port():
    """A TCP port nothing listens on right now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    """One jiefend with its own data directory under a test temp dir."""

    def __init__(self, root, node_id="v-dongcun", tier="village", name="东村", env=None,
                 listen=False):
        self.dir = os.path.join(root, node_id)
        self.id = node_id
        self.proc = None
        self.log_path = os.path.join(root, node_id + ".log")
        self.env = dict(os.environ, **(env or {}))
        self.endpoint = f"tcp://127.0.0.1:{free_port()}" if listen else None
        self.preexec = None  # run in the child before jiefend starts (e.g. setrlimit)
        argv = [jiefend(), "init", "--data", self.dir, "--tier", tier, "--id", node_id,
                "--name", name, "--http", "127.0.0.1:0"]
        if listen:
            argv += ["--link-listen", self.endpoint]
        r = run(argv)
        assert r.returncode == 0, r.stderr

    # -- process -----------------------------------------------------------------------
    def start(self, wait=True):
        # A kill -9 leaves the last address behind; wait for the new one.
        try:
            os.unlink(os.path.join(self.dir, "jiefend.addr"))
        except FileNotFoundError:
            pass
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([jiefend(), "--data", self.dir], stdout=log,
                                     stderr=subprocess.STDOUT, env=self.env,
                                     preexec_fn=self.preexec)
        _procs.append(self.proc)
        log.close()
        if wait:
            wait_for(lambda: self.proc.poll() is not None or self.addr_ready(), 20,
                     f"{self.id} to listen")
            assert self.proc.poll() is None, self.log()
        return self

    def addr_ready(self):
        try:
            with open(os.path.join(self.dir, "jiefend.addr")) as f:
                a = f.readline().strip()  # then the time zone
            host, port = a.rsplit(":", 1)
            self.host, self.port = host, int(port)
            return True
        except (OSError, ValueError):
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=20)
            assert rc == 0, f"{self.id} exited {rc}: {self.log()}"
        self.proc = None

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.proc = None

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    # -- clients -----------------------------------------------------------------------
    def token(self):
        with open(os.path.join(self.dir, "admin.token")) as f:
            return f.read().strip()

    def request(self, method, path, body=None, token=True, headers=None, raw=None):
        """One request; (status, JSON body or text, the response's headers)."""
        c = http.client.HTTPConnection(self.host, self.port, timeout=60)
        h = {"Content-Type": "application/json"}
        if token:
            h["Authorization"] = "Bearer " + (self.token() if token is True else token)
        h.update(headers or {})
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        text = r.read().decode()
        c.close()
        try:
            return r.status, json.loads(text), r.headers
        except ValueError:
            return r.status, text, r.headers

    def api(self, method, path, body=None, token=True, headers=None, raw=None):
        s, b, _ = self.request(method, path, body, token, headers, raw)
        return s, b

    def ok(self, method, path, body=None):
        s, b = self.api(method, path, body)
        assert s in (200, 201), f"{self.id} {method} {path}: {s} {b}"
        return b

    def cases(self):
        return self.ok("GET", "/api/v1/cases?limit=500")["cases"]

    def all_cases(self):
        out, after = [], ""
        while True:
            page = self.ok("GET", "/api/v1/cases?limit=500" + (f"&after={after}" if after else ""))
            out += page["cases"]
            if not page["next"]:
                return out
            after = page["next"]

    def directives(self):
        return self.ok("GET", "/api/v1/directives")["directives"]

    def links(self):
        return self.ok("GET", "/api/v1/status")["links"]

    def verify(self):
        return self.ok("POST", "/api/v1/verify")

    # -- accounts ----------------------------------------------------------------------
    def add_user(self, user, role, password=None, name=None):
        """Adds a user through the API with the admin token; returns the USER object."""
        body = {"user": user, "role": role, "password": password or PASSWORD}
        if name:
            body["name"] = name
        return self.ok("POST", "/api/v1/users", body)["user"]

    def login(self, user, password=None):
        """Logs in as a browser would; the Session carries the cookie and CSRF token."""
        s, b, h = self.request("POST", "/api/v1/session",
                               {"user": user, "password": password or PASSWORD}, token=False)
        assert s == 200, f"{self.id}: login of {user}: {s} {b}"
        return Session(self, h["Set-Cookie"], b)

    def ctl(self, *args, stdin=None):
        return run([jiefenctl(), "--data", self.dir, *args], stdin=stdin)

    def ctl_json(self, *args, stdin=None):
        r = self.ctl("--json", *args, stdin=stdin)
        assert r.returncode == 0, f"jiefenctl {args}: {r.returncode} {r.stderr}"
        return json.loads(r.stdout)


PASSWORD = "调解-2026-pass"


class Session:
    """A user's browser session at a node: the session cookie from the login's Set-Cookie,
    sent with every request, and the CSRF token sent with every state-changing one (as the
    console does). `info` is the login's answer."""

    def __init__(self, node, set_cookie, info):
        self.node = node
        self.set_cookie = set_cookie
        self.cookie_name, self.cookie = set_cookie.split(";")[0].split("=", 1)
        self.info = info
        self.csrf = info["csrf"]

    def api(self, method, path, body=None, csrf=True, headers=None):
        h = {"Cookie": f"{self.cookie_name}={self.cookie}"}
        if csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf if csrf is True else csrf
        h.update(headers or {})
        return self.node.api(method, path, body, token=False, headers=h)


def run(argv, stdin=None, timeout=120, env=None):
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout,
                          env=env)


def jiefend():
    return os.path.join(BIN, "jiefend")


def jiefenctl():
    return os.path.join(BIN, "jiefenctl")


def pdf_qr(pdf, workdir):
    """The text of the one QR code drawn in the PDF file, read (zbarimg) from PNG images of
    its pages made in workdir (pdftoppm): the printable forms' receipts (test_forms.py)."""
    stem = os.path.join(workdir, os.path.basename(pdf)[:-4])
    r = subprocess.run(["pdftoppm", "-png", "-r", "200", pdf, stem], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    png = sorted(os.path.join(workdir, f) for f in os.listdir(workdir)
                 if f.startswith(os.path.basename(stem) + "-") and f.endswith(".png"))
    assert png, "pdftoppm made no image"
    r = subprocess.run(["zbarimg", "--quiet", "--raw", *png], capture_output=True, text=True)
    found = r.stdout.split()
    assert len(found) == 1, f"want one QR code in {pdf}, found {found}: {r.stderr}"
    return found[0]


def fetch_bytes(node, path):
    """(status, bytes, headers) of a GET with the node's token: a PDF, a spreadsheet."""
    c = http.client.HTTPConnection(node.host, node.port, timeout=60)
    c.request("GET", path, headers={"Authorization": "Bearer " + node.token()})
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body, r.headers



class IntakeLoad:
    """`clients` threads posting intakes to node n until stop() or the daemon is gone;
    `acked` holds (case id, summary) of each one answered 201, under `lock`."""

    def __init__(self, n, clients, timeout=10):
        self.acked, self.lock, self._stop = [], threading.Lock(), threading.Event()
        self._n, self._token, self._timeout = n, n.token(), timeout
        self._threads = [threading.Thread(target=self._client, args=(k,))
                         for k in range(clients)]
        for t in self._threads:
            t.start()

    def _client(self, k):
        i = 0
        while not self._stop.is_set():
            try:
                c = http.client.HTTPConnection(self._n.host, self._n.port, timeout=self._timeout)
                c.request("POST", "/api/v1/cases",
                          body=json.dumps(intake(summary=f"客户端{k}第{i}件")),
                          headers={"Authorization": "Bearer " + self._token,
                                   "Content-Type": "application/json"})
                r = c.getresponse()
                body = json.loads(r.read())
                c.close()
            except (OSError, http.client.HTTPException, ValueError):
                return  # the daemon is gone
            if r.status == 201:
                with self.lock:
                    self.acked.append((body["case"]["id"], body["case"]["summary"]))
            i += 1

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join()

class NodeTest(unittest.TestCase):
    """Gives each test a temp dir, removed afterwards with every process stopped."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="jiefen-it-")
        self.nodes = []

    def tearDown(self):
        for n in self.nodes:
            if n.proc and n.proc.poll() is None:
                n.proc.kill()
                n.proc.wait()
        if self.failed():
            for n in self.nodes:
                sys.stderr.write(f"--- log of {n.id}\n{n.log()}\n")
        shutil.rmtree(self.root, ignore_errors=True)

    def failed(self):
        """Whether this test has failed so far. The outcome's own flag is reset while
        tearDown runs (Python 3.11), so the result's lists are the record."""
        result = getattr(getattr(self, "_outcome", None), "result", None)
        return result is not None and any(t is self for t, _ in result.failures + result.errors)

    def node(self, *a, **kw):
        n = Node(self.root, *a, **kw)
        self.nodes.append(n)
        return n

    def enrol(self, parent, child):
        """Enrols a running child under a running parent through the API."""
        req = child.ok("POST", "/api/v1/enrol/request")["request"]
        bundle = parent.ok("POST", "/api/v1/enrol/approve", {"request": req})["bundle"]
        child.ok("POST", "/api/v1/enrol/install", {"bundle": bundle})

    def tree(self, villages_per_township=(2,), start=True):
        """County c-helan; townships t1.. each with villages v<t><k>, all enrolled and running.
        Returns (county, [townships], [[villages of t1], ...])."""
        county = self.node("c-helan", "county", "贺兰县", listen=True).start()
        county.ok("POST", "/api/v1/enrol/root")
        towns, villages = [], []
        for t, nv in enumerate(villages_per_township, 1):
            town = self.node(f"t{t}", "township", f"镇{t}", listen=True).start()
            self.enrol(county, town)
            towns.append(town)
            vs = []
            for k in range(1, nv + 1):
                v = self.node(f"v{t}{k}", "village", f"村{t}{k}").start()
                self.enrol(town, v)
                vs.append(v)
            villages.append(vs)
        return county, towns, villages


def main():
    global BIN, TOOLS
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True, help="directory with jiefend and jiefenctl")
    ap.add_argument("--tools", help="directory with the test tools (tamper)")
    args, rest = ap.parse_known_args()
    BIN = os.path.abspath(args.bin)
    TOOLS = os.path.abspath(args.tools or args.bin)
    unittest.main(module="__main__", argv=[sys.argv[0], "-v", *rest])
