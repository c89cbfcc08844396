"""回单 to the exchange folder of an offline site (issue 17 leftover, docs/interop.md
"Offline: the exchange folder"): a system with no receipt_url while [interop] drop_dir is
set gets each 回单 as <drop_dir>/<system>/receipts/<order_no>.<key>.json, the exact body the
HTTP adapter would POST, with <name>.sig "<timestamp> <HMAC-SHA256 hex>" beside it. One
file per 回单, also when the node is killed -9 as it writes and restarted; a folder that
cannot be written is a retry with the reason on the outbox, and the file arrives once it
is fixed. A court is never written to the folder (its applications carry the parties'
names): it waits for a receipt_url, as the outbox says."""
import hashlib
import hmac
import json
import os
import shutil

import harness
from harness import NodeTest, wait_for
from test_interop import CANARY, KEY, close, order, receipt_of

COURT_KEY = "court-dc-secret-法院密钥-0001"


def receipt_files(folder):
    try:
        return sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []


class ReceiptFolder(NodeTest):
    def setUp(self):
        super().setUp()
        self.n = self.node()
        self.drop = os.path.join(self.root, "exchange")
        self.inbox = os.path.join(self.drop, "12345")
        self.receipts = os.path.join(self.inbox, "receipts")
        os.makedirs(self.inbox)
        with open(os.path.join(self.n.dir, "jiefend.conf"), "a") as f:
            f.write(f"\n[interop]\n12345.key = {KEY}\ncourt_dc.key = {COURT_KEY}\n"
                    "court_dc.kind = court\ncourt_dc.title = 东城区人民法院\n"
                    f"drop_dir = {self.drop}\ndrop_scan_s = 1\n"
                    "retry_base_s = 1\nretry_max_s = 1\n")
        self.n.start()

    def case_ids(self):
        return {c["id"] for c in self.n.ok("GET", "/api/v1/cases")["cases"]}

    def drop_order(self, no):
        """The site drops order `no` (written elsewhere, moved in); the centre takes it in as
        a new case, whose id is returned."""
        before = self.case_ids()
        tmp = os.path.join(self.drop, no + ".tmp")
        with open(tmp, "w") as f:
            json.dump(order(no), f, ensure_ascii=False)
        os.rename(tmp, os.path.join(self.inbox, no + ".json"))
        wait_for(lambda: os.path.exists(os.path.join(self.inbox, "done", no + ".json")), 20,
                 f"order {no} taken")
        (cid,) = self.case_ids() - before
        return cid

    def check_receipt(self, no, cid):
        """The one 回单 of order `no`: its body as the HTTP adapter's, its signature valid."""
        names = [f for f in receipt_files(self.receipts) if f.startswith(no + ".")]
        self.assertEqual(len(names), 2, names)  # NAME.json and NAME.json.sig, nothing else
        body_name, sig_name = names
        self.assertEqual(sig_name, body_name + ".sig")
        key = body_name[len(no) + 1:-len(".json")]
        self.assertRegex(key, r"^[0-9a-f]{32}$")
        with open(os.path.join(self.receipts, body_name), "rb") as f:
            raw = f.read()
        with open(os.path.join(self.receipts, sig_name)) as f:
            ts, sig = f.read().split()
        want = hmac.new(KEY.encode(), ts.encode() + b"\n" + raw, hashlib.sha256).hexdigest()
        self.assertEqual(sig, want, "the signature checks with the shared key")
        body = json.loads(raw)
        print(f"回单 file {body_name}: {body}")
        self.assertEqual(body, {"order_no": no, "case_id": cid, "result": "closed",
                                "centre": "东村", "idempotency_key": key})
        self.assertNotIn(CANARY.encode(), raw)  # no personal data
        return names

    def test_receipt_written_once_signed_retried_until_the_folder_is_fixed(self):
        n = self.n
        # The outbox tells how each system's 回单 travel, decided at start.
        box = n.ok("GET", "/api/v1/outbox")
        by = {r["system"]: r for r in box["receipts"]}
        self.assertEqual((by["12345"]["delivery"], by["12345"]["delivery_name"],
                          by["12345"]["folder"]), ("folder", "交换目录", self.receipts))
        self.assertEqual((by["court_dc"]["delivery"], by["court_dc"]["system_name"]),
                         ("none", "东城区人民法院"))
        out = n.ctl("outbox")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(f"回单（12345热线）：交换目录 {self.receipts}", out.stdout)
        self.assertIn("回单（东城区人民法院）：未配置网关，等待发送", out.stdout)

        # An order from the folder, closed: its 回单 file appears; the node is killed -9
        # as soon as it does and restarted: still one file, the 回单 sent.
        cid = self.drop_order("GD-R1")
        close(n, cid)
        wait_for(lambda: any(f.endswith(".json") for f in receipt_files(self.receipts)), 20,
                 "the 回单 file")
        n.kill9()
        n.start()
        r = wait_for(lambda: (lambda x: x if x and x["status"] == "sent" else None)(
            receipt_of(n, cid)), 20, "the 回单 recorded sent")
        self.assertEqual(r["result"], "closed")
        first = self.check_receipt("GD-R1", cid)
        n.stop()
        n.start()
        self.assertEqual(receipt_files(self.receipts), first)

        # The folder cannot be written (receipts/ is a regular file, which stops root too):
        # the 回单 waits with the reason, and arrives once the folder is back.
        cid2 = self.drop_order("GD-R2")
        aside = os.path.join(self.inbox, "receipts-aside")
        os.rename(self.receipts, aside)
        with open(self.receipts, "w") as f:
            f.write("not a folder\n")
        close(n, cid2)
        r = wait_for(lambda: (lambda x: x if x and x["last_error"] else None)(
            receipt_of(n, cid2)), 20, "a failed attempt")
        self.assertNotEqual(r["status"], "sent")
        self.assertIn("交换目录不可写", r["last_error"])
        self.assertIn(self.receipts, r["last_error"])
        msg = [m for m in n.ok("GET", "/api/v1/outbox")["messages"]
               if m["case_id"] == cid2 and m["template"] == "interop_receipt"][0]
        self.assertIn("交换目录不可写", msg["last_error"])
        self.assertIn(msg["status"], ("queued", "sending"))
        os.unlink(self.receipts)
        os.rename(aside, self.receipts)
        wait_for(lambda: (lambda x: x if x and x["status"] == "sent" else None)(
            receipt_of(n, cid2)), 20, "the 回单 sent once the folder is back")
        self.check_receipt("GD-R2", cid2)
        self.assertEqual(len(receipt_files(self.receipts)), 4)
        self.assertFalse([f for f in receipt_files(self.receipts) if f.startswith(".")],
                         "no temp file left")

    def test_missing_exchange_folder_is_a_retry(self):
        n = self.n
        cid = self.drop_order("GD-R3")
        away = self.drop + "-unmounted"
        os.rename(self.drop, away)  # the disk is not mounted: nothing is written around it
        close(n, cid)
        r = wait_for(lambda: (lambda x: x if x and x["last_error"] else None)(
            receipt_of(n, cid)), 20, "a failed attempt")
        self.assertIn("交换目录不可用", r["last_error"])
        self.assertFalse(os.path.exists(self.drop))
        os.rename(away, self.drop)
        wait_for(lambda: (lambda x: x if x and x["status"] == "sent" else None)(
            receipt_of(n, cid)), 20, "the 回单 sent once the folder is back")
        self.check_receipt("GD-R3", cid)
        shutil.rmtree(self.drop)


if __name__ == "__main__":
    harness.main()
