"""Node lifecycle: init refuses twice, one daemon per directory, config errors, metrics."""
import hashlib
import os
import signal
import socket
import struct
import time

import harness
from harness import NodeTest, intake


def digest(d):
    h = hashlib.sha256()
    for root, _, files in sorted(os.walk(d)):
        for f in sorted(files):
            with open(os.path.join(root, f), "rb") as fh:
                h.update(f.encode() + fh.read())
    return h.hexdigest()


class Lifecycle(NodeTest):
    def test_init_twice_refused_and_changes_nothing(self):
        n = self.node()
        before = digest(n.dir)
        r = harness.run([harness.jiefend(), "init", "--data", n.dir, "--tier", "county",
                         "--id", "c-other", "--name", "县"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("not empty", r.stderr)
        self.assertEqual(digest(n.dir), before)

    def test_init_bad_arguments(self):
        for args, what in ((["--tier", "planet"], "--tier"), (["--id", "Bad Id"], "node id"),
                           (["--id", "x" * 40], "--id")):
            base = {"--tier": "village", "--id": "v1", "--name": "村"}
            base.update(dict(zip(args[::2], args[1::2])))
            argv = [harness.jiefend(), "init", "--data", os.path.join(self.root, "bad")]
            for k, v in base.items():
                argv += [k, v]
            r = harness.run(argv)
            self.assertIn(r.returncode, (1, 2), r.stderr)
            self.assertIn(what, r.stderr)
            self.assertFalse(os.path.exists(os.path.join(self.root, "bad", "node.key")))

    def test_second_daemon_refused(self):
        n = self.node().start()
        r = harness.run([harness.jiefend(), "--data", n.dir], timeout=20)
        self.assertEqual(r.returncode, 1)
        self.assertIn("already running", r.stderr)
        self.assertIn(str(n.proc.pid), r.stderr)
        s, b = n.api("GET", "/api/v1/status")  # the first one is unharmed
        self.assertEqual(s, 200)

    def test_sigint_stops_cleanly(self):
        n = self.node().start()
        n.proc.send_signal(signal.SIGINT)
        self.assertEqual(n.proc.wait(timeout=20), 0)
        self.assertFalse(os.path.exists(os.path.join(n.dir, "jiefend.addr")))
        self.assertIn("stopped", n.log())
        n.start()  # and starts again on the same directory
        s, b = n.api("GET", "/api/v1/status")
        self.assertEqual(s, 200)

    def test_second_signal_while_stopping_is_ignored(self):
        # systemd, an operator's impatient Ctrl-C: the stop still finishes cleanly.
        n = self.node().start()
        # Spaced out, or the kernel merges them into one pending signal; a zombie still
        # takes signals without error until it is reaped.
        for _ in range(100):
            os.kill(n.proc.pid, signal.SIGTERM)
            time.sleep(0.002)
        self.assertEqual(n.proc.wait(timeout=20), 0)
        self.assertIn("stopped", n.log())

    def test_client_reset_does_not_kill_the_daemon(self):
        n = self.node().start()
        # Pipelined requests, then a reset (RST) before the answers are written: the writes
        # fail with EPIPE, which must not be a SIGPIPE for the daemon.
        req = f"GET /api/v1/status HTTP/1.1\r\nHost: {n.host}:{n.port}\r\n\r\n".encode()
        for _ in range(5):
            c = socket.create_connection((n.host, n.port))
            c.sendall(req * 50)
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            c.close()
        s, b = n.api("GET", "/api/v1/status")
        self.assertEqual(s, 200)
        self.assertIsNone(n.proc.poll())

    def test_bad_config_names_file_and_line(self):
        n = self.node()
        conf = os.path.join(n.dir, "jiefend.conf")
        with open(conf) as f:
            lines = f.read().splitlines()
        at = next(i for i, l in enumerate(lines) if l.startswith("simple_days"))
        lines[at] = "simple_days = 0"
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        r = harness.run([harness.jiefend(), "--data", n.dir, "--check-config"])
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"jiefend.conf:{at + 1}: [limits] simple_days", r.stderr)
        r = harness.run([harness.jiefend(), "--data", n.dir], timeout=20)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"jiefend.conf:{at + 1}:", r.stderr)

    def test_metrics(self):
        n = self.node().start()
        for _ in range(3):
            n.api("POST", "/api/v1/cases", intake())
        n.api("POST", "/api/v1/cases", intake(category="nope"))
        s, text = n.api("GET", "/metrics")
        self.assertEqual(s, 200)
        self.assertIn('jiefen_cases{status="open"} 3', text)
        self.assertIn("jiefen_events_appended_total 3", text)
        self.assertIn("jiefen_log_events 4", text)
        self.assertIn('jiefen_http_requests_total{route="/api/v1/cases",code="201"} 3', text)
        self.assertIn('jiefen_http_requests_total{route="/api/v1/cases",code="400"} 1', text)
        self.assertIn('jiefen_http_request_duration_seconds_count{route="/api/v1/cases"} 4', text)
        self.assertIn("jiefen_store_size_bytes", text)
        s, _ = n.api("GET", "/metrics", token=False)
        self.assertEqual(s, 401)


if __name__ == "__main__":
    harness.main()
