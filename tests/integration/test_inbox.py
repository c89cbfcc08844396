"""待办 (issue 14, item 2) with real processes: what each role finds in GET /api/v1/inbox and
`jiefenctl inbox` at a township over a village (cases escalated to it, a child's extension
request, a child's report, a directive from above), and the live stream GET /api/v1/events:
an event arrives after a commit, local or from a link; a reconnection with Last-Event-ID
gets what it missed; a role not concerned is not told; a client that does not read is cut
off without the server holding more for it."""
import datetime
import json
import socket
import threading

import harness
from harness import NodeTest, intake, wait_for

ROLES = ["clerk", "mediator", "director", "leader", "admin"]
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


class Stream:
    """A Server-Sent Events client on its own connection, reading in a thread: `events` is
    every (id, event, data) received, in order; `bytes` how much came."""

    def __init__(self, node, headers, rcvbuf=None, read=True):
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect((node.host, node.port))
        lines = [f"GET /api/v1/events HTTP/1.1", f"Host: {node.host}:{node.port}",
                 "Accept: text/event-stream"] + [f"{k}: {v}" for k, v in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.events, self.bytes, self.closed, self.head = [], 0, False, None
        self.thread = None
        if read:
            self.start()

    def start(self):
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        buf = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                return
            self.bytes += len(chunk)
            buf += chunk
            if self.head is None and b"\r\n\r\n" in buf:
                self.head, buf = buf.split(b"\r\n\r\n", 1)
            while self.head is not None and b"\n\n" in buf:
                block, buf = buf.split(b"\n\n", 1)
                ev = {"id": None, "event": "message", "data": ""}
                for line in block.decode().split("\n"):
                    if line.startswith(":") or ":" not in line:
                        continue
                    k, v = line.split(":", 1)
                    ev[k] = v.strip()
                if ev["id"] is not None or ev["event"] != "message":
                    self.events.append((ev["id"], ev["event"], json.loads(ev["data"] or "{}")))

    def of(self, event):
        return [(i, d) for i, e, d in self.events if e == event]

    def close(self):
        self.sock.close()
        if self.thread:
            self.thread.join(10)


class Inbox(NodeTest):
    def setUp(self):
        super().setUp()
        self.county, (self.town,), ((self.village,),) = self.tree((1,))
        self.sessions = {}
        for role in ROLES:
            self.town.add_user("t1" + role, role)
            self.sessions[role] = self.town.login("t1" + role)
        self.village.add_user("v11dir", "director")
        self.village.add_user("v11med", "mediator")
        self.streams = []

    def tearDown(self):
        for s in self.streams:
            s.close()
        super().tearDown()

    def stream(self, session=None, node=None, **kw):
        node = node or self.town
        h = ({"Cookie": f"{session.cookie_name}={session.cookie}"} if session
             else {"Authorization": "Bearer " + node.token()})
        h.update(kw.pop("headers", {}))
        s = Stream(node, h, **kw)
        self.streams.append(s)
        return s

    def inbox(self, role, node=None, query=""):
        s, b = (self.sessions[role].api if node is None else node.api)("GET", "/api/v1/inbox" + query)
        self.assertEqual(s, 200, b)
        return b

    def escalated(self):
        cid = self.village.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        self.village.ok("POST", f"/api/v1/cases/{cid}/escalate", {"reason": "跨村纠纷"})
        wait_for(lambda: self.town.api("GET", f"/api/v1/cases/{cid}")[0] == 200 and
                 self.town.api("GET", f"/api/v1/cases/{cid}")[1]["case"]["holder"] == "t1",
                 20, "the escalated case at t1")
        return cid

    # ---------------------------------------------------------------------------------
    def test_inbox_per_role(self):
        cid = self.escalated()
        # A case of the village asking its township for more time.
        ext = self.village.ok("POST", "/api/v1/cases", intake(summary="宅基地纠纷"))["case"]["id"]
        self.village.ok("POST", f"/api/v1/cases/{ext}/extension", {"days": 3, "reason": "需鉴定"})
        # The village's daily, for the township to review.
        day = str(datetime.datetime.now(SHANGHAI).date() - datetime.timedelta(days=1))
        self.village.ok("POST", "/api/v1/reports/submit",
                        {"kind": "daily", "period": day, "analysis": "排查正常"})
        # A directive from the county.
        did = self.county.ok("POST", "/api/v1/directives", {"to": ["t1"], "kind": "notice",
                                                           "title": "开展矛盾纠纷大排查"})["directive"]["id"]

        def kinds(role):
            return {(i["kind"], i["id"]) for i in self.inbox(role)["items"]}
        want_dir = {("route", cid), ("extension", ext), ("report", f"v11/daily/{day}"),
                    ("directive", did)}
        wait_for(lambda: want_dir <= kinds("director"), 20, "the director's inbox")
        box = self.inbox("director")
        by = {(i["kind"], i["id"]): i for i in box["items"]}
        route = by[("route", cid)]
        self.assertEqual(route["kind_name"], "待分流")
        self.assertEqual(route["node_name"], "镇1")
        self.assertEqual(route["title"], "承包地边界争议")
        self.assertEqual(route["link"], f"#/case/{cid}")
        self.assertEqual(by[("extension", ext)]["node_name"], "村11")
        self.assertEqual(by[("report", f"v11/daily/{day}")]["title"], f"日排查 {day}")
        self.assertEqual(by[("directive", did)]["title"], "开展矛盾纠纷大排查")
        self.assertEqual(by[("directive", did)]["node_name"], "贺兰县")
        counts = {k["kind"]: k["count"] for k in box["kinds"]}
        self.assertEqual(counts["route"], 1)
        self.assertEqual(counts["extension"], 1)
        # The clerk routes; the mediator works the case; the leader and the admin act on none.
        self.assertIn(("route", cid), kinds("clerk"))
        self.assertNotIn(("extension", ext), kinds("clerk"))
        self.assertFalse({k for k, _ in kinds("mediator")} & {"route", "extension", "report",
                                                                 "directive"})
        self.assertEqual(self.inbox("admin")["items"], [])
        self.assertEqual(self.inbox("admin")["kinds"], [])
        self.assertEqual(self.inbox("leader")["total"], 0)

        # Acting takes the item away.
        self.town.ok("POST", f"/api/v1/cases/{cid}/route", {"department": "司法所", "reason": "分流"})
        self.town.ok("POST", f"/api/v1/cases/{ext}/extension/decide", {"approved": True})
        self.town.ok("POST", "/api/v1/directives/ack", {"id": did, "note": "收到"})
        self.town.ok("POST", "/api/v1/reports/review", {"node": "v11", "kind": "daily",
                                                        "period": day, "accepted": True})
        self.assertFalse(want_dir & kinds("director"))
        # A filter by kind, and a bad one refused by name.
        s, b = self.sessions["director"].api("GET", "/api/v1/inbox?kind=nonsense")
        self.assertEqual((s, b["error"]["field"]), (400, "kind"))

        # At the village: closing makes a follow-up for the mediator; the CLI shows it by name.
        done = self.village.ok("POST", "/api/v1/cases", intake(summary="邻里噪音"))["case"]["id"]
        self.village.ok("POST", f"/api/v1/cases/{done}/close", {"result": "达成协议",
                                                                "feedback": "已告知"})
        med = self.village.login("v11med")
        s, b = med.api("GET", "/api/v1/inbox")
        self.assertIn(("follow_up", done), {(i["kind"], i["id"]) for i in b["items"]})
        out = self.village.ctl("inbox")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("待回访", out.stdout)
        self.assertIn("邻里噪音", out.stdout)
        j = self.village.ctl_json("inbox", "--kind", "follow_up")
        self.assertEqual([i["id"] for i in j["items"]], [done])
        bad = self.village.ctl("inbox", "--kind", "nonsense")
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("kind", bad.stderr)

    def test_events_live_resumed_and_filtered(self):
        director = self.stream(self.sessions["director"])
        mediator = self.stream(self.sessions["mediator"])
        wait_for(lambda: director.of("hello") and mediator.of("hello"), 20, "both streams open")
        self.assertIn(b"text/event-stream", director.head)
        # A commit arriving from a link: the escalation from the village.
        cid = self.escalated()
        wait_for(lambda: any(d["id"] == cid and "route" in d["added"]
                             for _, d in director.of("inbox")), 20, "the route item live")
        # The mediator is told of the case's time limit (its own work), never of the
        # routing, which is the window's and the director's.
        wait_for(lambda: any(d["id"] == cid and d["added"] == ["due"]
                             for _, d in mediator.of("inbox")), 20, "the time limit at the mediator")
        self.assertFalse([d for _, d in mediator.of("inbox") if "route" in d["added"]])

        # A local commit while the director is away; it reconnects with the last id it saw.
        last = director.events[-1][0]
        director.close()
        self.town.ok("POST", f"/api/v1/cases/{cid}/route", {"department": "司法所", "reason": "分流"})
        ext = self.village.ok("POST", "/api/v1/cases", intake(summary="宅基地纠纷"))["case"]["id"]
        self.village.ok("POST", f"/api/v1/cases/{ext}/extension", {"days": 3, "reason": "需鉴定"})
        wait_for(lambda: self.town.api("GET", f"/api/v1/cases/{ext}")[0] == 200 and
                 (self.town.ok("GET", f"/api/v1/cases/{ext}")["case"]["extension"] or {})
                 .get("state") == "pending", 20, "the extension request at t1")
        back = self.stream(self.sessions["director"], headers={"Last-Event-ID": last})
        wait_for(lambda: any(d["id"] == ext and "extension" in d["added"]
                             for _, d in back.of("inbox")), 20, "the missed request replayed")
        got = back.of("inbox")
        self.assertTrue(any(d["id"] == cid and "route" in d["removed"] for _, d in got))
        self.assertFalse(back.of("hello"))
        ids = [int(i) for i, _, _ in back.events]
        self.assertEqual(ids, sorted(ids))
        self.assertGreater(ids[0], int(last))
        # The mediator, connected all along, was not told of the extension to decide.
        self.assertFalse([d for _, d in mediator.of("inbox") if "extension" in d["added"]])
        # An id the node never gave: told to read everything anew.
        reset = self.stream(self.sessions["director"], headers={"Last-Event-ID": "999999999"})
        wait_for(lambda: reset.of("reset"), 20, "a reset")
        s, b = self.sessions["director"].api("GET", "/api/v1/events",
                                             headers={"Last-Event-ID": "abc"})
        self.assertEqual((s, b["error"]["field"]), (400, "Last-Event-ID"))
        # Without a session or the token: refused.
        s, _ = self.town.api("GET", "/api/v1/events", token=False)
        self.assertEqual(s, 401)

    def test_slow_reader_is_cut_off(self):
        """A client that never reads: the server keeps at most its bounded queue and the
        socket's small buffers for it, then cuts it off; a reading client gets it all."""
        slow = self.stream(rcvbuf=4096, read=False)
        fast = self.stream()
        wait_for(lambda: fast.of("hello"), 20, "the reading stream")

        def refused():
            m = self.town.ok("GET", "/metrics")
            for line in m.splitlines():
                if line.startswith('jiefen_http_refused_total{reason="slow_reader"}'):
                    return int(line.split()[-1])
            return 0
        made, stop = [0], threading.Event()

        def intakes():
            while not stop.is_set() and made[0] < 4000:
                self.town.ok("POST", "/api/v1/cases", intake(village="村11"))
                made[0] += 1
        workers = [threading.Thread(target=intakes) for _ in range(4)]
        for w in workers:
            w.start()
        try:
            wait_for(lambda: refused() >= 1 or made[0] >= 4000, 300, "the slow reader cut off")
        finally:
            stop.set()
            for w in workers:
                w.join()
        self.assertEqual(refused(), 1)
        slow.start()   # now read what the server had queued: then the end
        wait_for(lambda: slow.closed, 30, "the slow stream closed")
        wait_for(lambda: len(fast.events) > made[0], 30, "every change at the reader")
        self.assertLess(slow.bytes, 256 * 1024)
        self.assertGreater(fast.bytes, slow.bytes)
        self.assertFalse(fast.closed)


if __name__ == "__main__":
    harness.main()
