"""SMS notifications through the durable outbox (node/outbox/), against a mock SMS gateway
started here on 127.0.0.1: it fails (500), times out (answers after the client gave up),
refuses connections (stopped) and restarts; every message is delivered exactly once (the
mock counts by idempotency key and by content) or marked expired; none is sent in quiet
hours; none is lost across kill -9 of the node, queued or in flight; with no gateway
configured messages wait, visibly, and go once one is configured; and the phone numbers
are in no file of the node and not in its log."""
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

SECRET = "test-secret-对"
CANARIES = ["13911112222", "13922223333", "13933334444", "13944445555", "13955556666",
            "13966667777"]
HOUR_MS = 3600 * 1000
SHANGHAI = timezone(timedelta(hours=8))


class Gateway:
    """The mock gateway. `script` is what the next requests get, one entry each:
    "500", "400", "slow" (deliver, then answer after the client's timeout) or "hang"
    (answer only when released); when it is empty every request is delivered at once.
    A request whose idempotency key was delivered before is answered 200 and not delivered
    again (a gateway that honours the key)."""

    def __init__(self, port=0):
        self.lock = threading.Lock()
        self.script = []
        self.requests = 0
        self.by_key = {}       # idempotency key -> deliveries
        self.by_content = {}   # (phone, text) -> deliveries
        self.bad_signatures = 0
        self.in_flight = threading.Event()
        self.release = threading.Event()
        self.port = port
        self.server = None
        self.start()

    def start(self):
        gw = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ts = self.headers.get("X-Timestamp", "")
                want = hmac.new(SECRET.encode(), ts.encode() + b"\n" + body,
                                hashlib.sha256).hexdigest()
                if self.headers.get("X-Signature") != want or \
                        self.headers.get("X-App-Key") != "test-key":
                    with gw.lock:
                        gw.bad_signatures += 1
                    return self.answer(401, {"error": "bad signature"})
                msg = json.loads(body)
                assert msg["idempotency_key"] == self.headers["Idempotency-Key"]
                with gw.lock:
                    gw.requests += 1
                    step = gw.script.pop(0) if gw.script else "ok"
                if step in ("500", "400"):
                    return self.answer(int(step), {"error": "scripted"})
                gw.deliver(msg)
                if step == "slow":
                    time.sleep(2.5)
                elif step == "hang":
                    gw.in_flight.set()
                    gw.release.wait(30)
                self.answer(200, {"status": "sent"})

            def answer(self, status, obj):
                data = json.dumps(obj).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (a timeout): as a real gateway would see it

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def deliver(self, msg):
        with self.lock:
            key = msg["idempotency_key"]
            if key in self.by_key:
                return
            self.by_key[key] = 1
            content = (msg["phone"], msg["text"])
            self.by_content[content] = self.by_content.get(content, 0) + 1

    def url(self):
        return f"http://127.0.0.1:{self.port}/sms/send"


def sms_config(node, gateway=None, quiet="none", **extra):
    lines = ["", "[sms]", f"gateway_url = {gateway.url() if gateway else ''}",
             "app_key = test-key", f"app_secret = {SECRET}", "sign_name = 东村调解中心",
             "timeout_s = 1", "retry_base_s = 1", "retry_max_s = 2", f"quiet_hours = {quiet}",
             "rate_per_hour = 0", "template_id.receipt = SMS_0001"]
    lines += [f"{k} = {v}" for k, v in extra.items()]
    with open(os.path.join(node.dir, "jiefend.conf"), "a") as f:
        f.write("\n".join(lines) + "\n")


def open_case(node, phones):
    parties = [party(i, phone=p) for i, p in enumerate(phones)]
    return node.ok("POST", "/api/v1/cases", intake(parties=parties))["case"]["id"]


def outbox(node, **q):
    query = "&".join(f"{k}={v}" for k, v in q.items())
    return node.ok("GET", "/api/v1/outbox" + ("?" + query if query else ""))["messages"]


def all_done(node, n, status="sent"):
    ms = outbox(node)
    return len(ms) == n and all(m["status"] == status for m in ms) and ms


class Sms(NodeTest):
    def assert_once(self, gw, messages, phones):
        self.assertEqual(gw.bad_signatures, 0)
        print(f"gateway: {gw.requests} requests, {len(gw.by_key)} keys, "
              f"{sum(gw.by_content.values())} deliveries of {len(messages)} messages")
        self.assertEqual(sorted(gw.by_content.values()), [1] * len(messages))
        self.assertEqual(len(gw.by_key), len(messages))
        self.assertEqual(sorted(p for p, _ in gw.by_content), sorted(phones))
        for (_, text) in gw.by_content:
            self.assertIn("东村", text)

    def assert_no_canary(self, node):
        needles = [c.encode() for c in CANARIES]
        for root, _, files in os.walk(node.dir):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    data = fh.read()
                for needle in needles:
                    self.assertNotIn(needle, data, f"{needle!r} in clear in {root}/{f}")
        log = node.log()
        for c in CANARIES:
            self.assertNotIn(c, log)

    def test_failures_timeouts_refusals_and_restart_deliver_once(self):
        gw = Gateway()
        self.addCleanup(gw.stop)
        gw.script = ["500", "slow", "500"]
        n = self.node()
        sms_config(n, gw)
        n.start()
        ids = [open_case(n, CANARIES[0:2]), open_case(n, CANARIES[2:3])]
        done = wait_for(lambda: all_done(n, 3), 30, "three receipts sent")
        self.assertTrue(any(m["attempts"] > 1 for m in done), done)
        # The gateway goes away (connections refused) while more are queued, then returns.
        port = gw.port
        gw.stop()
        ids.append(open_case(n, CANARIES[3:5]))
        wait_for(lambda: any(m["attempts"] >= 1 and m["last_error"]
                             for m in outbox(n, status="queued")), 20, "a refused attempt")
        gw2 = Gateway(port)
        self.addCleanup(gw2.stop)
        gw2.by_key, gw2.by_content = gw.by_key, gw.by_content
        done = wait_for(lambda: all_done(n, 5), 30, "five receipts sent")
        self.assert_once(gw2, done, CANARIES[0:5])
        # The case shows its messages, masked, with their status's name.
        sms = n.ok("GET", f"/api/v1/cases/{ids[0]}")["sms"]
        self.assertEqual([m["recipient"] for m in sms], ["139****2222", "139****3333"])
        self.assertEqual({m["status_name"] for m in sms}, {"已发送"})
        self.assertEqual({m["template_name"] for m in sms}, {"受理回执"})
        texts = [t for (p, t) in gw2.by_content if p == CANARIES[0]]
        self.assertIn(ids[0], texts[0])
        n.stop()
        self.assert_no_canary(n)

    def test_closing_tells_the_parties_when_the_follow_up_is_due(self):
        gw = Gateway()
        self.addCleanup(gw.stop)
        n = self.node()
        sms_config(n, gw)
        n.start()
        cid = open_case(n, CANARIES[0:1] + ["0951-5012345"])  # a landline gets no SMS
        wait_for(lambda: all_done(n, 1), 30, "the receipt sent")
        case = n.ok("POST", f"/api/v1/cases/{cid}/close",
                    {"result": "达成协议", "feedback": "已告知双方"})["case"]
        done = wait_for(lambda: all_done(n, 2), 30, "the follow-up notice sent")
        self.assertEqual(sorted(m["template"] for m in done), ["follow_up", "receipt"])
        due = datetime.fromtimestamp(case["followup"]["due_ms"] / 1000, SHANGHAI)
        notice = [t for (p, t) in gw.by_content if "回访" in t]
        self.assertEqual(len(notice), 1, gw.by_content)
        self.assertIn(f"{due.year}年{due.month}月{due.day}日", notice[0])
        self.assertIn(cid, notice[0])
        self.assert_once(gw, done, CANARIES[0:1] * 2)
        n.stop()
        self.assert_no_canary(n)

    def test_courier_starts_with_the_first_message_and_sends_it(self):
        """An idle node runs no courier thread (node/couriers.h): a case whose parties have
        no mobile number commits and queues nothing; the first message starts the thread,
        which sends it."""
        gw = Gateway()
        self.addCleanup(gw.stop)
        n = self.node()
        sms_config(n, gw)
        n.start()
        open_case(n, ["0951-5012345", "0951-5067890"])  # landlines: no SMS
        self.assertEqual(outbox(n), [])
        threads = lambda: len(os.listdir(f"/proc/{n.proc.pid}/task"))  # noqa: E731
        before = threads()
        open_case(n, CANARIES[0:1])
        done = wait_for(lambda: all_done(n, 1), 20, "the first message sent")
        self.assertEqual(threads(), before + 1)
        self.assert_once(gw, done, CANARIES[0:1])
        n.stop()

    def test_gateway_refusal_fails_for_good(self):
        gw = Gateway()
        self.addCleanup(gw.stop)
        gw.script = ["400"]
        n = self.node()
        sms_config(n, gw)
        n.start()
        open_case(n, CANARIES[0:1])
        m = wait_for(lambda: all_done(n, 1, "failed"), 20, "the refused message failed")[0]
        self.assertEqual(m["status_name"], "发送失败")
        self.assertIn("400", m["last_error"])
        self.assertEqual(gw.requests, 1)

    def test_quiet_hours_hold_until_morning_then_expiry(self):
        gw = Gateway()
        self.addCleanup(gw.stop)
        now = datetime.now(SHANGHAI)
        start, end = now - timedelta(hours=1), now + timedelta(hours=1)
        n = self.node()
        sms_config(n, gw, quiet=f"{start:%H:%M}-{end:%H:%M}", expiry_hours=3)
        n.start()
        open_case(n, CANARIES[0:2])
        held = wait_for(lambda: all_done(n, 2, "held"), 20, "messages held for the night")
        self.assertEqual(held[0]["status_name"], "夜间免扰，待早晨发送")
        self.assertEqual(gw.requests, 0)
        # Two hours later the quiet hours are over: they go, once.
        n.stop()
        n.env["JIEFEN_CLOCK_OFFSET_MS"] = str(2 * HOUR_MS)
        n.start()
        done = wait_for(lambda: all_done(n, 2), 30, "held messages sent in the morning")
        self.assert_once(gw, done, CANARIES[0:2])
        # A message that cannot go before its expiry is marked expired, never sent.
        gw.stop()
        open_case(n, CANARIES[2:3])
        n.stop()
        n.env["JIEFEN_CLOCK_OFFSET_MS"] = str(6 * HOUR_MS)
        n.start()
        expired = wait_for(lambda: outbox(n, status="expired"), 20, "the expired message")
        self.assertEqual(expired[0]["status_name"], "已过期")
        self.assertEqual(len(gw.by_key), 2)

    def test_without_gateway_messages_wait_then_go(self):
        n = self.node()
        sms_config(n, None)
        n.start()
        case_id = open_case(n, CANARIES[0:2])
        waiting = wait_for(lambda: (lambda w: w if len(w) == 2 else None)(
            [m for m in outbox(n) if m["waiting_gateway"]]), 20, "both waiting for a gateway")
        self.assertEqual(waiting[0]["status_name"], "未配置网关，等待发送")
        self.assertFalse(n.ok("GET", "/api/v1/outbox")["gateway"]["configured"])
        _, metrics, _ = n.request("GET", "/metrics")
        self.assertIn('jiefen_outbox_pending{status="waiting_gateway"} 2', metrics)
        out = n.ctl("outbox")
        self.assertEqual(out.returncode, 0, out.stderr)
        print(out.stdout)
        self.assertIn("未配置网关，等待发送", out.stdout)
        self.assertIn("139****2222", out.stdout)
        self.assertIn("受理回执", out.stdout)
        bad = n.ctl("outbox", "--status", "nonsense")
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("status", bad.stderr)
        n.stop()
        gw = Gateway()
        self.addCleanup(gw.stop)
        sms_config(n, gw)
        n.start()
        done = wait_for(lambda: all_done(n, 2), 30, "waiting messages sent")
        self.assert_once(gw, done, CANARIES[0:2])
        show = n.ctl("case", "show", case_id)
        self.assertEqual(show.returncode, 0, show.stderr)
        self.assertIn("短信通知", show.stdout)
        self.assertIn("已发送", show.stdout)
        self.assertIn("139****3333", show.stdout)
        self.assertEqual(n.ctl_json("outbox", "--status", "sent")["messages"][0]["status"],
                         "sent")

    def test_kill9_queued_and_in_flight_nothing_lost_nothing_twice(self):
        gw = Gateway()
        self.addCleanup(gw.stop)
        gw.script = ["hang"]
        n = self.node()
        sms_config(n, gw, timeout_s=30)
        n.start()
        open_case(n, CANARIES[0:1])
        self.assertTrue(gw.in_flight.wait(20), "a message in flight")
        open_case(n, CANARIES[1:3])   # queued behind it
        n.kill9()
        gw.release.set()
        n.start()
        done = wait_for(lambda: all_done(n, 3), 30, "all sent after kill -9")
        self.assert_once(gw, done, CANARIES[0:3])
        n.stop()
        self.assert_no_canary(n)

    def test_bad_outbox_query_is_refused(self):
        n = self.node().start()
        r, body = n.api("GET", "/api/v1/outbox?status=nonsense")
        self.assertEqual(r, 400)
        self.assertEqual(body["error"]["field"], "status")
        self.assertIn("status", body["error"]["message"])
        r, body = n.api("GET", "/api/v1/outbox?limit=0")
        self.assertEqual((r, body["error"]["field"]), (400, "limit"))


if __name__ == "__main__":
    harness.main()
