"""信息互通 (issue 17, items 1-2): work orders from the 12345 hotline signed with its key,
against a mock 12345 system started here on 127.0.0.1. Every order makes exactly one case
(the same order again answers the same case); an unsigned, stale or wrongly signed order
is refused; a malformed one is refused naming what is wrong, kept in the refused list with
its body sealed, and nothing is made. When the case is closed or guided elsewhere, its 回单
goes to the mock exactly once although the mock fails (500), refuses connections
(stopped), restarts, and the node is killed -9 while a 回单 is in flight."""
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

KEY = "hotline-12345-secret-密钥"
CANARY = "13977778888"
SHANGHAI = timezone(timedelta(hours=8))


class Hotline:
    """The mock 12345 system's 回单 endpoint. `script` is what the next requests get, one
    entry each: "500", "400" (refuse it), "hang" (take it, answer only when released) or
    "slow" (take it, answer after 4 s: past the node's timeout); when empty each
    request is accepted at once. A 回单 whose idempotency key it accepted before is
    answered 409 and not counted again (a system that honours the key)."""

    def __init__(self, port=0, key=KEY):
        self.key = key
        self.lock = threading.Lock()
        self.script = []
        self.requests = 0
        self.accepted = {}     # order_no -> [receipt bodies accepted]
        self.keys = set()
        self.bad = 0
        self.in_flight = threading.Event()
        self.release = threading.Event()
        self.port = port
        h = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ts = self.headers.get("X-Timestamp", "")
                want = hmac.new(h.key.encode(), ts.encode() + b"\n" + body,
                                hashlib.sha256).hexdigest()
                if self.headers.get("X-Signature") != want:
                    with h.lock:
                        h.bad += 1
                    return self.answer(401, {"error": "bad signature"})
                msg = json.loads(body)
                no = msg.get("order_no") or msg["application_no"]  # 回单, 司法确认申请
                with h.lock:
                    h.requests += 1
                    step = h.script.pop(0) if h.script else "ok"
                    dup = msg["idempotency_key"] in h.keys
                if step in ("500", "400"):
                    return self.answer(int(step), {"error": "scripted"})
                if dup:
                    return self.answer(409, {"receipt_no": "HD-" + no})
                with h.lock:
                    h.keys.add(msg["idempotency_key"])
                    h.accepted.setdefault(no, []).append(msg)
                if step == "hang":
                    h.in_flight.set()
                    h.release.wait(30)
                if step == "slow":
                    time.sleep(4)
                self.answer(200, {"receipt_no": "HD-" + no})

            def answer(self, status, obj):
                data = json.dumps(obj).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def url(self):
        return f"http://127.0.0.1:{self.port}/receipt"


def interop_config(node, hotline):
    with open(os.path.join(node.dir, "jiefend.conf"), "a") as f:
        f.write("\n".join(["", "[interop]", f"12345.key = {KEY}",
                           f"12345.receipt_url = {hotline.url()}", "timeout_s = 2",
                           "retry_base_s = 1", "retry_max_s = 2"]) + "\n")


def signed(node, body, system="12345", key=KEY, ts=None, raw=None):
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    ts = str(ts if ts is not None else int(time.time() * 1000))
    sig = hmac.new(key.encode(), ts.encode() + b"\n" + data, hashlib.sha256).hexdigest()
    return node.api("POST", "/api/v1/interop/orders", token=False, raw=data,
                    headers={"Authorization": f"JF-HMAC {system}:{ts}:{sig}"})


def order(no, **kw):
    d = intake(parties=[party(0, phone=CANARY), party(1)], source=None)
    del d["source"]
    d.update(kw)
    return {"order_no": no, "dispute": d}


def close(node, cid):
    today = datetime.now(SHANGHAI).date().isoformat()
    node.ok("POST", f"/api/v1/cases/{cid}/attempts",
            {"mediator": "王调解", "date": today, "method": "people", "outcome": "agreement",
             "agreement": "按原界址立桩"})
    node.ok("POST", f"/api/v1/cases/{cid}/close", {"result": "双方达成协议", "feedback": "已告知"})


def receipt_of(node, cid):
    return node.ok("GET", f"/api/v1/cases/{cid}")["interop"]["receipt"]


class Interop(NodeTest):
    def setUp(self):
        super().setUp()
        self.hotline = Hotline()
        self.addCleanup(self.hotline.stop)
        self.n = self.node()
        interop_config(self.n, self.hotline)
        self.n.start()

    def cases(self):
        return self.n.ok("GET", "/api/v1/cases")["cases"]

    def test_orders_in_once_refusals_kept(self):
        n = self.n
        s, b = signed(n, order("GD-001"))
        self.assertEqual(s, 201, b)
        cid = b["case_id"]
        self.assertFalse(b["duplicate"])
        for _ in range(2):  # delivered again: the same case, nothing new
            s, b = signed(n, order("GD-001"))
            self.assertEqual((s, b["case_id"], b["duplicate"]), (200, cid, True))
        self.assertEqual(len(self.cases()), 1)
        shown = n.ok("GET", f"/api/v1/cases/{cid}")
        self.assertEqual(shown["case"]["source"], "hotline_12345")
        io = shown["interop"]
        self.assertEqual((io["system"], io["system_name"], io["order_no"]),
                         ("12345", "12345热线", "GD-001"))
        self.assertIsNone(io["receipt"])

        # Not signed, signed with another key, too old, an unknown system: 401, not kept.
        s, b = n.api("POST", "/api/v1/interop/orders", order("GD-002"), token=False)
        self.assertEqual((s, b["error"]["code"]), (401, "unauthorized"))
        s, b = signed(n, order("GD-002"), key="another-key-another-key")
        self.assertEqual((s, b["error"]["code"]), (401, "bad_signature"))
        s, b = signed(n, order("GD-002"), ts=int(time.time() * 1000) - 6 * 60 * 1000)
        self.assertEqual((s, b["error"]["code"]), (401, "stale_request"))
        s, b = signed(n, order("GD-002"), system="court")
        self.assertEqual((s, b["error"]["code"]), (401, "unknown_system"))
        self.assertEqual(n.ctl("interop", "refused").stdout, "没有被拒收的外部工单\n")

        # Malformed: refused naming what is wrong, kept, nothing made.
        s, b = signed(n, order("GD-003", category="nonsense"))
        self.assertEqual((s, b["error"]["field"]), (400, "dispute.category"), b)
        s, b = signed(n, {"dispute": order("x")["dispute"]})
        self.assertEqual((s, b["error"]["field"]), (400, "order_no"))
        self.assertIn("工单号", b["error"]["message"])
        s, b = signed(n, None, raw=b"{not json")
        self.assertEqual((s, b["error"]["code"]), (400, "invalid_json"))
        self.assertEqual(len(self.cases()), 1)
        refused = n.ok("GET", "/api/v1/interop/refused")["refused"]
        self.assertEqual([r["code"] for r in refused],
                         ["invalid_json", "invalid_field", "invalid_field"])
        self.assertEqual(refused[2]["order_no"], "GD-003")
        self.assertEqual(refused[2]["system_name"], "12345热线")
        self.assertIn("纠纷类别", refused[2]["reason"])
        out = n.ctl("interop", "refused")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("GD-003", out.stdout)
        self.assertIn("12345热线", out.stdout)
        self.assertIn("纠纷类别", out.stdout)
        out = n.ctl("case", "show", cid)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("外部工单: 12345热线 GD-001", out.stdout)
        self.assertIn("回单: 尚未办结，未发送", out.stdout)
        # The refused body named a party's phone: sealed at rest like party data.
        n.stop()
        for root, _, files in os.walk(n.dir):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    self.assertNotIn(CANARY.encode(), fh.read(), f"{root}/{f}")

    def test_receipt_exactly_once_across_failures_restarts_and_kill9(self):
        n, h = self.n, self.hotline
        ids = [signed(n, order(f"GD-1{i}"))[1]["case_id"] for i in range(3)]
        # The first 回单 fails (500), then goes.
        h.script = ["500"]
        close(n, ids[0])
        r = wait_for(lambda: (lambda x: x if x and x["status"] == "sent" else None)(
            receipt_of(n, ids[0])), 30, "the first 回单 sent")
        self.assertEqual((r["result"], r["result_name"], r["answer"]),
                         ("closed", "已办结", "HD-GD-10"))
        self.assertGreaterEqual(r["attempts"], 2)
        # The node dies while the system is taking the second 回单; it comes back and
        # sends it again under the same key: the system keeps one.
        h.script = ["hang"]
        n.ok("POST", f"/api/v1/cases/{ids[1]}/guide",
             {"channel": "court", "guidance": "已经法院判决，告知依法申请执行"})
        self.assertTrue(h.in_flight.wait(20), "the 回单 reached the system")
        n.kill9()
        h.release.set()
        n.start()
        r = wait_for(lambda: (lambda x: x if x and x["status"] == "sent" else None)(
            receipt_of(n, ids[1])), 30, "the second 回单 sent after kill -9")
        self.assertEqual(r["result"], "returned")
        out = n.ctl("case", "show", ids[1])
        self.assertIn("回单", out.stdout)  # listed with the case's outbox messages
        self.assertIn("回单: 非本中心受理范围，已退回（已发送），对方回执 HD-GD-11", out.stdout)
        # The system goes away (refused connections) and comes back on the same port.
        port = h.port
        h.stop()
        close(n, ids[2])
        wait_for(lambda: (lambda x: x and x["last_error"])(receipt_of(n, ids[2])), 20,
                 "a refused attempt")
        h2 = Hotline(port)
        self.addCleanup(h2.stop)
        h2.keys, h2.accepted = h.keys, h.accepted
        wait_for(lambda: (lambda x: x if x and x["status"] == "sent" else None)(
            receipt_of(n, ids[2])), 30, "the third 回单 sent after the system restarted")
        # Each order has exactly one accepted 回单, carrying its own case.
        self.assertEqual(sorted(h.accepted), ["GD-10", "GD-11", "GD-12"])
        self.assertEqual([len(v) for v in h.accepted.values()], [1, 1, 1])
        self.assertEqual(h.bad + h2.bad, 0)
        by_case = {m["order_no"]: m["case_id"] for v in h.accepted.values() for m in v}
        self.assertEqual([by_case[f"GD-1{i}"] for i in range(3)], ids)


class DropFolder(NodeTest):
    def test_folder_orders_taken_broken_refused_and_kept(self):
        n = self.node()
        drop = os.path.join(self.root, "exchange")
        os.makedirs(os.path.join(drop, "12345"))
        with open(os.path.join(n.dir, "jiefend.conf"), "a") as f:
            f.write(f"\n[interop]\n12345.key = {KEY}\ndrop_dir = {drop}\ndrop_scan_s = 1\n")
        n.start()
        folder = os.path.join(drop, "12345")

        def put(name, data):
            tmp = os.path.join(drop, name + ".tmp")  # whole files only: write, then move in
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(folder, name))

        put("a.json", json.dumps(order("GD-F1"), ensure_ascii=False).encode())
        put("a-again.json", json.dumps(order("GD-F1"), ensure_ascii=False).encode())
        put("broken.json", b'{"order_no": "GD-F2", "dispute": {')
        put("bad.json", json.dumps(order("GD-F3", category="nonsense")).encode())
        wait_for(lambda: sorted(f for f in os.listdir(folder) if f.endswith(".json")) == [],
                 30, "every file looked at")
        self.assertEqual(sorted(os.listdir(os.path.join(folder, "done"))),
                         ["a-again.json", "a.json"])
        self.assertEqual(sorted(os.listdir(os.path.join(folder, "refused"))),
                         ["bad.json", "bad.json.error", "broken.json", "broken.json.error"])
        with open(os.path.join(folder, "refused", "broken.json.error")) as f:
            self.assertIn("invalid_json", f.read())
        with open(os.path.join(folder, "refused", "bad.json.error")) as f:
            why = f.read()
        self.assertIn("dispute.category", why)
        self.assertIn("纠纷类别", why)
        cases = n.ok("GET", "/api/v1/cases")["cases"]
        self.assertEqual(len(cases), 1)  # the order twice: one case
        refused = n.ok("GET", "/api/v1/interop/refused")["refused"]
        self.assertEqual(sorted((r["via"], r["code"]) for r in refused),
                         [("folder", "invalid_field"), ("folder", "invalid_json")])


if __name__ == "__main__":
    harness.main()
