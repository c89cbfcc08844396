"""HTTP under hostile clients (issue 13) and one connection pipelined (issue 19).

A jiefend started with its fd limit lowered to 256 is held by 300 slow connections (one
header byte every second or so, from several loopback addresses) and still answers a
legitimate client; the refusals and evictions appear in /metrics by reason; a client that
trickles its headers is cut off with 408 at the header deadline although it keeps sending.
Pipelined intakes on one connection are answered in request order and share group commits.
"""
import json
import re
import resource
import socket
import threading
import time

import harness
from harness import NodeTest, intake, wait_for

NOFILE = 256


def lower_nofile():
    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))


def metric(node, name, **labels):
    """The value of one series of /metrics (0 if absent)."""
    s, text, _ = node.request("GET", "/metrics")
    assert s == 200, text
    want = name + ("{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}" if labels else "")
    for line in text.splitlines():
        if line.startswith(want + " "):
            return float(line.split()[-1])
    return 0


def slow_socket(node, source):
    """A connection from `source` (a loopback address) that has begun a request."""
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(5)
    s.connect((node.host, node.port))
    try:
        s.sendall(b"GET /api/v1/status HTTP/1.1\r\n")
    except OSError:
        pass  # refused at once: the server has closed it
    return s


class Trickler(threading.Thread):
    """Sends one more header byte on every socket each `every` seconds until stopped."""

    def __init__(self, socks, every):
        super().__init__(daemon=True)
        self.socks, self.every, self.stop = socks, every, threading.Event()

    def run(self):
        while not self.stop.wait(self.every):
            for s in self.socks:
                try:
                    s.send(b"X")
                except OSError:
                    pass


def parse_responses(data, n):
    """Splits n HTTP responses off `data`: [(status, body bytes)]; None while incomplete."""
    out = []
    while len(out) < n:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = data[:end].decode()
        m = re.search(r"(?im)^content-length:\s*(\d+)", head)
        length = int(m.group(1)) if m else 0
        if len(data) < end + 4 + length:
            return None
        out.append((int(head.split()[1]), data[end + 4:end + 4 + length]))
        data = data[end + 4 + length:]
    return out


def read_responses(sock, n):
    data = b""
    while True:
        got = parse_responses(data, n)
        if got is not None:
            return got
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed after {data[:300]!r}")
        data += chunk


class HttpHostileTest(NodeTest):
    def test_slow_connections_over_the_fd_limit_leave_room_for_a_real_client(self):
        v = self.node()
        v.preexec = lower_nofile
        v.start()
        cap_all = metric(v, "jiefen_http_connections_max", scope="all")
        cap_addr = metric(v, "jiefen_http_connections_max", scope="address")
        print(f"fd limit {NOFILE}: caps {cap_all:.0f} connections, {cap_addr:.0f} per address")
        self.assertLess(cap_all, NOFILE)
        self.assertEqual(cap_addr, cap_all // 4)

        socks = []
        trickler = Trickler(socks, 1.0)
        trickler.start()
        try:
            # One greedy address: beyond its cap, refused at once.
            greedy = int(cap_addr) + 12
            socks += [slow_socket(v, "127.0.0.2") for _ in range(greedy)]
            wait_for(lambda: metric(v, "jiefen_http_refused_total", reason="address_cap") >= 12,
                     what="the greedy address refused")
            # Many addresses, more connections than the fd limit in all.
            src = 3
            while len(socks) < 300:
                socks.append(slow_socket(v, f"127.0.0.{src}"))
                src = src + 1 if len(socks) % 40 == 0 else src
            self.assertGreater(len(socks), NOFILE)

            t0 = time.monotonic()
            s, body = v.api("GET", "/api/v1/status")
            took = time.monotonic() - t0
            print(f"legitimate GET /api/v1/status with {len(socks)} slow connections open: "
                  f"{s} in {took * 1000:.1f} ms")
            self.assertEqual(s, 200, body)
            self.assertEqual(body["node"]["name"], "东村")

            evicted = metric(v, "jiefen_http_refused_total", reason="evicted")
            opened = metric(v, "jiefen_http_connections")
            print(f"evicted {evicted:.0f}, open {opened:.0f}")
            self.assertGreater(evicted, 0)
            self.assertLessEqual(opened, cap_all)
            self.assertGreaterEqual(metric(v, "jiefen_http_refused_total", reason="address_cap"),
                                    12)
            # Still alive and serving: an intake goes through as well.
            s, body = v.api("POST", "/api/v1/cases", intake())
            self.assertEqual(s, 201, body)
        finally:
            trickler.stop.set()
            trickler.join()
            for s in socks:
                s.close()
        self.assertIsNone(v.proc.poll(), "jiefend died")
        v.stop()  # and stops cleanly (under ASan: without a leak)

    def test_a_header_trickler_is_cut_off_at_the_header_deadline(self):
        v = self.node()
        harness_append(v, "[http]\nheader_timeout_s = 2\nbody_timeout_s = 3\nidle_timeout_s = 3\n")
        v.start()
        s = socket.create_connection((v.host, v.port), timeout=30)
        s.sendall(b"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n")
        sent, reply = 0, b""
        s.setblocking(False)
        while True:
            try:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
            except BlockingIOError:
                pass
            try:
                s.send(b"X-Slow: a\r\n"[sent % 11:sent % 11 + 1])
                sent += 1
            except OSError:
                break
            time.sleep(0.1)
        s.close()
        print(f"trickler sent {sent} header bytes, then got {reply[:200]!r}")
        self.assertGreater(sent, 2)  # it kept sending after its first bytes
        got = parse_responses(reply, 1)
        self.assertIsNotNone(got, reply)
        status, body = got[0]
        self.assertEqual(status, 408)
        self.assertEqual(json.loads(body)["error"]["code"], "request_timeout")
        self.assertIn("超时", json.loads(body)["error"]["message"])
        self.assertEqual(metric(v, "jiefen_http_refused_total", reason="header_timeout"), 1)

        # A connection that never sends a request is closed after the idle timeout, and a
        # body that never completes after the body deadline.
        idle = socket.create_connection((v.host, v.port), timeout=30)
        self.assertEqual(idle.recv(1), b"")
        idle.close()
        self.assertGreaterEqual(metric(v, "jiefen_http_refused_total", reason="idle_timeout"), 1)
        slow = socket.create_connection((v.host, v.port), timeout=60)
        slow.sendall(f"POST /api/v1/cases HTTP/1.1\r\nHost: {v.host}:{v.port}\r\n"
                     "Content-Length: 100\r\n\r\n{".encode())
        status, _ = read_responses(slow, 1)[0]
        slow.close()
        self.assertEqual(status, 408)
        self.assertEqual(metric(v, "jiefen_http_refused_total", reason="body_timeout"), 1)

    def test_pipelined_intakes_answered_in_order_and_committed_together(self):
        v = self.node().start()
        batches0 = metric(v, "jiefen_commit_batches_total")
        n = 12
        reqs = b""
        for i in range(n):
            body = json.dumps(intake(summary=f"流水线争议{i}")).encode()
            reqs += (f"POST /api/v1/cases HTTP/1.1\r\nHost: {v.host}:{v.port}\r\n"
                     f"Authorization: Bearer {v.token()}\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        # A read after the writes on the same connection sees them.
        reqs += (f"GET /api/v1/cases HTTP/1.1\r\nHost: {v.host}:{v.port}\r\n"
                 f"Authorization: Bearer {v.token()}\r\n\r\n").encode()
        s = socket.create_connection((v.host, v.port), timeout=60)
        s.sendall(reqs)
        got = read_responses(s, n + 1)
        s.close()
        summaries = []
        for status, body in got[:n]:
            self.assertEqual(status, 201, body)
            summaries.append(json.loads(body)["case"]["summary"])
        self.assertEqual(summaries, [f"流水线争议{i}" for i in range(n)])
        ids = [json.loads(b)["case"]["id"] for _, b in got[:n]]
        self.assertEqual(ids, sorted(ids))
        status, body = got[n]
        self.assertEqual(status, 200)
        listed = {c["id"] for c in json.loads(body)["cases"]}
        self.assertTrue(set(ids) <= listed, "the read after the writes missed some")
        commits = metric(v, "jiefen_commit_batches_total") - batches0
        print(f"{n} pipelined intakes in {commits:.0f} group commits")
        self.assertLess(commits, n)
        v.stop()

    def test_bad_http_settings_stop_the_daemon_naming_the_option(self):
        for bad in ("header_timeout_s = 0", "pipeline = 5000", "max_connections = -1"):
            v = self.node(f"v-{len(self.nodes)}")
            harness_append(v, f"[http]\n{bad}\n")
            r = harness.run([harness.jiefend(), "--data", v.dir, "--check-config"], timeout=60)
            self.assertNotEqual(r.returncode, 0, bad)
            self.assertIn(bad.split()[0], r.stderr)
            self.assertIn("must be a whole number", r.stderr)


def harness_append(node, text):
    with open(f"{node.dir}/jiefend.conf", "a") as f:
        f.write("\n" + text)


if __name__ == "__main__":
    harness.main()
