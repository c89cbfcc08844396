"""A case's archive is streamed as it is made (GET /api/v1/cases/{id}/archive), so the
stream must not let a client hold the node: a client that stops reading is cut off after
`[http] stall_timeout_s` (counted as slow_reader) and the read it held is freed, so the
next archive is made at once although only two such reads run at a time; and an archive
cut short by a failure while it is made (a document's file damaged on disk) reaches the
client as an error, never as a shorter file that looks whole: jiefenctl keeps nothing."""
import os
import socket
import sys
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from harness import NodeTest, intake, wait_for  # noqa: E402
from test_documents import attach, pdf  # noqa: E402


def slow_readers(n):
    for line in n.request("GET", "/metrics")[1].splitlines():
        if line.startswith('jiefen_http_refused_total{reason="slow_reader"}'):
            return int(line.split()[-1])
    return 0


def stalled_client(n, path, times=1):
    """A client that asks for path (times over, pipelined: the answers behind the stream
    must not restart its deadline), takes its first bytes and reads no more."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((n.host, n.port))
    s.sendall(times * (f"GET {path} HTTP/1.1\r\nHost: {n.host}:{n.port}\r\n"
                       f"Authorization: Bearer {n.token()}\r\n\r\n").encode())
    assert s.recv(64).startswith(b"HTTP/1.1 200")
    return s


class ArchiveStream(NodeTest):
    def test_stalled_reader_cut_off_and_failure_is_an_error(self):
        c = self.node("c-jianxian", "county", "简县")
        with open(os.path.join(c.dir, "jiefend.conf"), "a") as f:
            f.write("\n[http]\nstall_timeout_s = 2\n\n[access]\napproval_for = copy\n")
        c.start()
        c.ok("POST", "/api/v1/enrol/root")
        cid = c.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        q = urllib.parse.quote(cid)
        s, b = attach(c, cid, "证据.pdf", pdf(pad=4 << 20), kind="evidence")
        self.assertEqual(s, 200, b)
        h = b["document"]["id"]
        c.ok("POST", f"/api/v1/cases/{q}/close", {"result": "调解成功", "feedback": "已告知"})

        # Two clients stop reading (one asked twice in one go): both reads the node allows
        # at once are theirs, until each is cut off.
        path = f"/api/v1/cases/{q}/archive?purpose=casework"
        stalled = [stalled_client(c, path, times) for times in (1, 2)]
        wait_for(lambda: slow_readers(c) >= 2, 60, "both stalled readers cut off")
        out = os.path.join(self.root, "case.tar")
        r = c.ctl("case", "archive", cid, "--out", out, "--purpose", "casework")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertGreater(os.path.getsize(out), 4 << 20)
        for s in stalled:
            s.close()

        # The document's file damaged on disk: the archive fails while it is streamed.
        blob = os.path.join(c.dir, "docs", h[:2], h)
        with open(blob, "r+b") as f:
            f.seek(os.path.getsize(blob) // 2)
            f.write(b"\x00" * 16)
        bad = os.path.join(self.root, "bad.tar")
        r = c.ctl("case", "archive", cid, "--out", bad, "--purpose", "casework")
        print("cut short:", r.returncode, r.stderr.strip())
        self.assertEqual(r.returncode, 3)
        self.assertIn("[download_cut_short]", r.stderr)
        self.assertIn("文件未保存", r.stderr)
        self.assertFalse(os.path.exists(bad))
        self.assertEqual([f for f in os.listdir(self.root) if f.startswith("bad.tar")], [])
        wait_for(lambda: f"case {cid}: no archive" in c.log(), 10, "the failure logged")


if __name__ == "__main__":
    harness.main()
