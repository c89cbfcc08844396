"""The web console in a real browser: Debian's chromium driven by playwright-core (npm).

Starts a township (the root) and a village enrolled under it (real jiefend processes, by
the integration harness), adds the staff accounts through the API, then runs
console.test.mjs with Node.js against both consoles. The script asks for the village to be
restarted with its clock moved (for the session-expiry check) with a line "@@restart-village
OFFSET_MS" on its stdout and reads the village's new URL from its stdin. A third village,
西村, is for the follow-ups (回访) and the roster (名册): a case closed there 16 days ago (its
clock moved back for that, then restarted on time) is overdue, another is open.

playwright-core is installed by `npm ci` into JIEFEN_BROWSER_DEPS (default: build/tests/browser),
again only when tests/browser/package-lock.json changed, so the test runs offline after the
first install. Screenshots go to JIEFEN_SCREENSHOTS (default: build/screenshots, beside
the --bin directory).
"""
import os
from datetime import datetime
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402
import test_courts  # noqa: E402
import test_documents  # noqa: E402
import test_forms  # noqa: E402
import test_interop  # noqa: E402
import test_webhooks  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "jiefen-2026-pw"
USERS = {  # node id → [(user, name, role[, department])]
    "t1": [("zhuren", "赵主任", "director"), ("tjy-t", "钱调解", "mediator"),
           ("sfs", "司法所冯", "department", "司法所"), ("xfb", "信访办陈", "department", "信访办")],
    "v11": [("chuangkou", "孙受理", "clerk"), ("tiaojie", "李调解", "mediator"),
            ("cunzhuren", "周主任", "director"), ("guanli", "吴管理", "admin")],
    "v-idle": [("shouli", "郑受理", "clerk")],
    "v-full": [("luru", "冯受理", "clerk")],
    "v-bind": [("tiaojie", "李调解", "mediator"), ("guanli", "吴管理", "admin")],
    "v-fu": [("tiaojie", "李调解", "mediator"), ("cunzhuren", "周主任", "director"),
             ("guanli", "吴管理", "admin")],
}
DAY = 86_400_000


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("chromium not found: run deploy/install-deps.sh (Debian package chromium)")


def ensure_playwright(deps):
    """npm ci of tests/browser into deps, unless the same lock file is installed there."""
    os.makedirs(deps, exist_ok=True)
    lock = os.path.join(HERE, "package-lock.json")
    stamp = os.path.join(deps, "node_modules", ".jiefen-installed-lock")
    with open(lock, "rb") as f:
        want = f.read()
    try:
        with open(stamp, "rb") as f:
            if f.read() == want:
                return
    except OSError:
        pass
    for name in ("package.json", "package-lock.json"):
        shutil.copy(os.path.join(HERE, name), deps)
    r = subprocess.run(["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=deps, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"npm ci (playwright-core) failed:\n{r.stdout}\n{r.stderr}"
    with open(stamp, "wb") as f:
        f.write(want)


def url(node):
    return f"http://{node.host}:{node.port}/"


class ConsoleBrowserTest(harness.NodeTest):
    def add_users(self, node):
        for user, name, role, *dept in USERS[node.id]:
            body = {"user": user, "name": name, "role": role, "password": PASSWORD}
            if dept:
                body["department"] = dept[0]
            node.ok("POST", "/api/v1/users", body)

    def restart(self, node, offset_ms):
        node.stop()
        node.env["JIEFEN_CLOCK_OFFSET_MS"] = str(offset_ms)
        node.start()
        return url(node)

    def receipt_qr(self, node, case_id):
        """The QR text of the case's receipt as a party scans it: the PDF's drawing decoded."""
        s, body, _ = harness.fetch_bytes(
            node, f"/api/v1/cases/{case_id}/forms/receipt.pdf?purpose=casework")
        assert s == 200, body
        work = os.path.join(self.root, "receipt")
        os.makedirs(work, exist_ok=True)
        with open(os.path.join(work, "receipt.pdf"), "wb") as f:
            f.write(body)
        return harness.pdf_qr(f.name, work)

    def followup_village(self):
        """西村: a case closed by 李调解 16 days ago (overdue), and one open."""
        fu = self.node("v-fu", "village", "西村")
        with open(os.path.join(fu.dir, "jiefend.conf"), "a") as f:  # orders from 12345
            f.write(f"\n[interop]\n12345.key = {test_interop.KEY}\n")
            f.write(f"court_dc.key = {test_courts.KEY}\ncourt_dc.kind = court\n"  # 诉前委派
                    "court_dc.title = 东城区人民法院\n")
            f.write("\n[linkage]\npopulation = 2000\n")  # 万人成讼率 (sub-linkage.mjs)
        # A webhook subscriber that refuses each delivery the first time: the closing of
        # the old case is a dead letter (投递失败) until retried from the console.
        hook = test_webhooks.Subscriber(refuse_first=True)
        self.addCleanup(hook.stop)
        test_webhooks.webhook_config(fu, hook.port, events="case.closed", expiry_h=720)
        fu.env["JIEFEN_CLOCK_OFFSET_MS"] = str(-16 * DAY)
        fu.start()
        self.add_users(fu)
        old = fu.ok("POST", "/api/v1/cases", harness.intake(summary="邻里漏水纠纷"))["case"]["id"]
        fu.ok("POST", f"/api/v1/cases/{old}/close",
              {"result": "达成协议", "feedback": "已告知双方", "actor": "tiaojie"})
        fu.stop()
        fu.env["JIEFEN_CLOCK_OFFSET_MS"] = "0"
        fu.start()
        new = fu.ok("POST", "/api/v1/cases", harness.intake(summary="婚姻家庭纠纷"))["case"]["id"]
        # A work order from 12345, guided to the court (no follow-up due, unlike a closed
        # case): its 回单 waits (no receipt_url), shown on its page.
        s, b = test_interop.signed(fu, test_interop.order("GD-20261207-001"))
        assert s == 201, b
        s, e = test_interop.signed(fu, test_interop.order("GD-20261207-002", category="nonsense"))
        assert s == 400, e  # refused: listed on 被拒收工单
        fu.ok("POST", f"/api/v1/cases/{b['case_id']}/guide",
              {"channel": "court", "guidance": "已经法院判决，告知依法申请执行"})
        return fu, old, new, b["case_id"]

    def court_delegation(self, fu):
        """西村: a dispute delegated by a court (诉前委派), with its 案号 and deadline."""
        body = test_courts.delegation("WT-20261207-1", "（2026）京0101民诉前调1号")
        s, b = test_interop.signed(fu, body, system="court_dc", key=test_courts.KEY)
        assert s == 201, b
        today = datetime.now(test_interop.SHANGHAI).date().isoformat()  # 司法确认 applied
        fu.ok("POST", f"/api/v1/cases/{b['case_id']}/attempts",
              {"mediator": "王调解", "date": today, "method": "people", "outcome": "agreement",
               "agreement": "被告于月底前恢复界址"})
        for kind, fields in (("agreement", test_forms.AGREEMENT),
                             ("confirmation_application", test_forms.CONFIRMATION)):
            fu.ok("POST", f"/api/v1/cases/{b['case_id']}/records", {"kind": kind, "fields": fields})
        fu.ok("POST", f"/api/v1/cases/{b['case_id']}/confirmation", {"court": "court_dc"})
        return b["case_id"]
    def archive_case(self, town):
        """A case taken in and closed at the township, with a document (sub-archive.mjs)."""
        cid = town.ok("POST", "/api/v1/cases", harness.intake(summary="宅基地纠纷"))["case"]["id"]
        s, b = test_documents.attach(town, cid, "卷宗材料.pdf", test_documents.pdf("卷宗"))
        assert s == 200, b
        town.ok("POST", f"/api/v1/cases/{cid}/close",
                {"result": "达成协议", "feedback": "已告知双方", "actor": "tjy-t"})
        return cid

    def archive_verify(self, town, path):
        """'ok', or why jiefenctl archive verify refuses the file, against the root."""
        root = os.path.join(self.root, "archive-root.cert")
        town.ctl("receipt", "root", "--out", root)
        r = harness.run([harness.jiefenctl(), "archive", "verify", path, "--root", root])
        return "ok" if r.returncode == 0 else (r.stdout + r.stderr).replace("\n", " ")

    def test_console(self):
        # By default beside the binaries: build/tests/browser and build/screenshots.
        deps = os.environ.get("JIEFEN_BROWSER_DEPS") or os.path.join(harness.TOOLS, "browser")
        shots = os.environ.get("JIEFEN_SCREENSHOTS") or os.path.join(
            os.path.dirname(harness.BIN), "screenshots")
        ensure_playwright(deps)
        os.makedirs(shots, exist_ok=True)

        town = self.node("t1", "township", "镇1", listen=True).start()
        town.ok("POST", "/api/v1/enrol/root")
        village = self.node("v11", "village", "东村")
        with open(os.path.join(village.dir, "jiefend.conf"), "a") as f:  # 摘抄 needs approval
            f.write("\n[access]\napproval_for = archive,copy\n")
            drop = os.path.join(self.root, "exchange")  # 信访's 回单 to the folder (sub-rfolder)
            os.makedirs(drop)
            f.write(f"\n[interop]\nxinfang.key = {test_interop.KEY}\ndrop_dir = {drop}\n")
        village.start()
        self.enrol(town, village)
        # Its own node, so the one-minute idle limit hurries no other check.
        idle = self.node("v-idle", "village", "南村")
        with open(os.path.join(idle.dir, "jiefend.conf"), "a") as f:
            f.write("\n[console]\nsession_idle_minutes = 1\n")
        idle.start()
        # A village whose disk is "full": a floor above any disk ([store] min_free_mb), so
        # it takes no new writes (docs/operations.md); the tmpfs case is test_disk_full.py.
        full = self.node("v-full", "village", "北村").start()
        for n in (town, village, idle, full):
            self.add_users(n)
        full.stop()  # its accounts made while there was room
        with open(os.path.join(full.dir, "jiefend.conf"), "a") as f:
            f.write("\n[store]\nmin_free_mb = 1073741824\n")
        full.start()
        fu, overdue_case, open_case, order_case = self.followup_village()
        court_case = self.court_delegation(fu)
        bind = self.node("v-bind", "village", "中村")  # 一机一账号 (sub-devices.mjs)
        with open(os.path.join(bind.dir, "jiefend.conf"), "a") as f:
            f.write("\n[auth]\ndevice_binding = on\n")
        bind.start()
        self.add_users(bind)

        env = dict(os.environ, JIEFEN_VILLAGE_URL=url(village), JIEFEN_TOWN_URL=url(town),
                   JIEFEN_IDLE_URL=url(idle), JIEFEN_FULL_URL=url(full), JIEFEN_FU_URL=url(fu),
                   JIEFEN_FU_OVERDUE=overdue_case, JIEFEN_FU_OPEN=open_case,
                   JIEFEN_FU_ORDER=order_case, JIEFEN_FU_COURT=court_case,
                   JIEFEN_BIND_URL=url(bind),
                   JIEFEN_BIND_TOKEN=bind.token(),
                   JIEFEN_PASSWORD=PASSWORD, JIEFEN_CHROMIUM=chromium(),
                   JIEFEN_SCREENSHOTS=shots, JIEFEN_BROWSER_DEPS=deps)
        proc = subprocess.Popen(["node", os.path.join(HERE, "console.test.mjs")], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                cwd=deps)
        harness._procs.append(proc)
        for line in proc.stdout:
            if line.startswith("@@restart-village "):
                new = self.restart(village, int(line.split()[1]))
                proc.stdin.write(new + "\n")
                proc.stdin.flush()
            elif line.startswith("@@receipt-qr "):
                proc.stdin.write(self.receipt_qr(village, line.split()[1]) + "\n")
                proc.stdin.flush()
            elif line.startswith("@@archive-case"):
                proc.stdin.write(self.archive_case(town) + "\n")
                proc.stdin.flush()
            elif line.startswith("@@archive-verify "):
                proc.stdin.write(self.archive_verify(town, line.split(" ", 1)[1].strip()) + "\n")
                proc.stdin.flush()
            elif line.startswith("@@hold-docs") or line.startswith("@@release-docs"):
                # A file where the township keeps partial documents: its transfers wait
                # (and retry) until it is gone.
                hold = os.path.join(town.dir, "docs", "partial")
                if line.startswith("@@hold-docs"):
                    open(hold, "w").close()
                else:
                    os.unlink(hold)
                proc.stdin.write("ok\n")
                proc.stdin.flush()
            else:
                sys.stdout.write(line)
                sys.stdout.flush()
        rc = proc.wait(timeout=60)
        self.assertEqual(rc, 0, "the browser test failed (see its output above)")
        print(f"screenshots in {shots}")


if __name__ == "__main__":
    harness.main()
