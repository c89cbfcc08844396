"""Webhooks (issue 17 item 4): a [webhook NAME] subscriber is told of the case events it
chose by a signed JSON POST, against a mock subscriber started here on 127.0.0.1 that
checks every signature and honours the delivery id (Idempotency-Key). Every delivery is
taken exactly once or ends dead (投递失败): the mock fails (500), refuses for good (400),
hangs past the timeout, goes away and comes back; the node is killed -9 mid-delivery. A
dead letter is retried (jiefenctl) and discarded (API). No body carries personal data."""
import hashlib
import hmac
import json
import os
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import harness
from harness import NodeTest, intake, party, wait_for

SECRET = "webhook-board-secret-密钥"
CANARY = "13977776666"
SHANGHAI = timezone(timedelta(hours=8))
BODY_KEYS = {"delivery_id", "event", "case_id", "time_ms", "status", "risk", "centre", "node"}


class Subscriber:
    """The mock subscriber. `script` is what the next requests get, one entry each: "500",
    "400", or "hang" (take it, then answer only after HANG_S, past the node's timeout);
    when empty each request is taken at once. A delivery id taken before is answered 409
    and not counted again. With refuse_first, the first request of each delivery id is
    refused (400) and later ones taken (a dead letter that a retry delivers)."""
    HANG_S = 4

    def __init__(self, port=0, shared=None, refuse_first=False):
        self.lock = threading.Lock()
        self.script = []
        self.refuse_first = refuse_first
        self.seen = set()
        self.taken = shared if shared is not None else {}   # delivery_id -> body
        self.raw = []
        self.bad = 0
        self.in_flight = threading.Event()
        h = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ts = self.headers.get("X-Timestamp", "")
                want = hmac.new(SECRET.encode(), ts.encode() + b"\n" + body,
                                hashlib.sha256).hexdigest()
                if self.headers.get("X-Signature") != want:
                    with h.lock:
                        h.bad += 1
                    return self.answer(401)
                msg = json.loads(body)
                with h.lock:
                    h.raw.append(body)
                    step = h.script.pop(0) if h.script else "ok"
                    key = self.headers.get("Idempotency-Key")
                    if h.refuse_first and key not in h.seen:
                        step = "400"
                    h.seen.add(key)
                    dup = key in h.taken
                    if key != msg["delivery_id"]:
                        h.bad += 1
                if step in ("500", "400"):
                    return self.answer(int(step))
                if dup:
                    return self.answer(409)
                with h.lock:
                    h.taken[key] = msg
                if step == "hang":
                    h.in_flight.set()
                    time.sleep(Subscriber.HANG_S)
                self.answer(200)

            def answer(self, status):
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def of(self, cid, event):
        with self.lock:
            return [m for m in self.taken.values()
                    if m["case_id"] == cid and m["event"] == event]


def webhook_config(node, port, events="case.created, case.closed", expiry_h=72):
    with open(os.path.join(node.dir, "jiefend.conf"), "a") as f:
        f.write("\n".join(["", "[webhook board]", f"url = http://127.0.0.1:{port}/hook",
                           f"secret = {SECRET}", f"events = {events}",
                           "max_attempts = 3", "timeout_s = 2", "retry_base_s = 1",
                           "retry_max_s = 1", f"expiry_h = {expiry_h}"]) + "\n")


def new_case(node):
    body = intake(parties=[party(0, phone=CANARY), party(1)])
    return node.ok("POST", "/api/v1/cases", body)["case"]["id"]


def close(node, cid):
    today = datetime.now(SHANGHAI).date().isoformat()
    node.ok("POST", f"/api/v1/cases/{cid}/attempts",
            {"mediator": "王调解", "date": today, "method": "people", "outcome": "agreement",
             "agreement": "按原界址立桩"})
    node.ok("POST", f"/api/v1/cases/{cid}/close", {"result": "双方达成协议", "feedback": "已告知"})


def deliveries(node, cid):
    """The board's deliveries about case cid, as the outbox lists them."""
    return [m for m in node.ok("GET", "/api/v1/outbox?limit=1000")["messages"]
            if m["system"] == "webhook:board" and m["case_id"] == cid]


def dead(node):
    return node.ok("GET", "/api/v1/webhooks/dead")["dead"]


class Webhooks(NodeTest):
    def setUp(self):
        super().setUp()
        self.sub = Subscriber()
        self.addCleanup(lambda: self.sub.stop())
        self.n = self.node()
        webhook_config(self.n, self.sub.port)
        self.n.start()

    def sent(self, cid, what):
        return wait_for(lambda: [m for m in deliveries(self.n, cid) if m["status"] == "sent"],
                        30, what)

    def test_exactly_once_or_dead_across_failures_timeouts_restarts_and_kill9(self):
        n, sub = self.n, self.sub
        subs = n.ok("GET", "/api/v1/webhooks")["subscribers"]
        self.assertEqual([(s["name"], [e["code"] for e in s["events"]]) for s in subs],
                         [("board", ["case.created", "case.closed"])])
        # Three 500s: dead after max_attempts = 3.
        sub.script = ["500", "500", "500"]
        a = new_case(n)
        d = wait_for(lambda: dead(n), 30, "the first delivery dead")
        self.assertEqual([(x["case_id"], x["event"], x["event_name"], x["attempts"],
                           x["status"]) for x in d], [(a, "case.created", "案件受理", 3, "failed")])
        # A 400 is refused for good: dead at once.
        sub.script = ["400"]
        b = new_case(n)
        wait_for(lambda: len(dead(n)) == 2, 30, "the refused delivery dead")
        ids = {x["case_id"]: x["id"] for x in dead(n)}
        out = n.ctl("webhook", "dead")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("案件受理", out.stdout)
        self.assertIn("HTTP 400", out.stdout)
        # Retried from the CLI: taken; discarded through the API: gone from the list.
        out = n.ctl("webhook", "retry", str(ids[a]))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("已重新排队投递", out.stdout)
        self.sent(a, "the retried delivery taken")
        n.ok("POST", f"/api/v1/webhooks/dead/{ids[b]}/discard")
        self.assertEqual(dead(n), [])
        self.assertEqual(n.ctl("webhook", "dead").stdout, "没有投递失败的 webhook 消息\n")
        s, e = n.api("POST", f"/api/v1/webhooks/dead/{ids[b]}/retry")
        self.assertEqual((s, e["error"]["code"]), (409, "not_dead"))
        s, e = n.api("POST", "/api/v1/webhooks/dead/999999/retry")
        self.assertEqual((s, e["error"]["code"]), (404, "not_found"))
        # Past the timeout: tried again under the same delivery id, taken once.
        sub.script = ["hang"]
        c = new_case(n)
        self.assertTrue(sub.in_flight.wait(20))
        self.assertGreaterEqual(self.sent(c, "the delivery after a timeout")[0]["attempts"], 2)
        # Killed -9 while the subscriber takes it: sent again after the restart, taken once.
        sub.in_flight.clear()
        sub.script = ["hang"]
        d_ = new_case(n)
        self.assertTrue(sub.in_flight.wait(20))
        n.kill9()
        n.start()
        self.sent(d_, "the delivery after kill -9")
        # The subscriber goes away (refused connections) and comes back on its port.
        port = sub.port
        sub.stop()
        close(n, c)
        wait_for(lambda: [m for m in deliveries(n, c) if m["last_error"]], 20,
                 "a refused attempt")
        sub2 = Subscriber(port, shared=sub.taken)
        self.addCleanup(sub2.stop)
        wait_for(lambda: sub2.of(c, "case.closed"), 30, "the closing delivered after restart")
        # Each case's creation taken exactly once (b's was discarded), c's closing once.
        for cid in (a, c, d_):
            self.assertEqual(len(sub.of(cid, "case.created")), 1, cid)
        self.assertEqual(sub.of(b, "case.created"), [])
        closed = sub2.of(c, "case.closed")
        self.assertEqual(len(closed), 1)
        self.assertEqual((closed[0]["status"], closed[0]["centre"], closed[0]["node"]),
                         ("closed", "东村", "v-dongcun"))
        self.assertEqual(sub.bad + sub2.bad, 0)
        # No personal data: the fields are the case's number, the event, its time and state.
        for m in sub.taken.values():
            self.assertEqual(set(m), BODY_KEYS)
        for raw in sub.raw + sub2.raw:
            for secret in (CANARY, "张三", harness.IDS[0]):
                self.assertNotIn(secret.encode(), raw)

    def test_bad_config_stops_the_daemon_naming_the_line(self):
        n = self.node("v-xicun")
        with open(os.path.join(n.dir, "jiefend.conf"), "a") as f:
            f.write("\n[webhook board]\nurl = http://127.0.0.1:1/hook\nsecret = "
                    f"{SECRET}\nevents = case.created, case.exploded\n")
        r = harness.run([harness.jiefend(), "--data", n.dir, "--check-config"], timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("case.exploded", r.stderr + r.stdout)
        self.assertIn("jiefend.conf:", r.stderr + r.stdout)


if __name__ == "__main__":
    harness.main()
