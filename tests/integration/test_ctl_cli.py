"""jiefenctl as an operator uses it (issue 14, item 9), against real jiefend processes: who
acts is recorded (--actor on intake and directives), a usage error is one line naming the
bad flag and only that command's usage, messages in Chinese with their English code, errors
under --json as one JSON document on stderr, --party values holding commas, and a case
reopened by a dissatisfied follow-up shown as open again with its former closing."""
import json
import os

import harness
from harness import NodeTest, intake, wait_for

FLAGS = ["--category", "land_contract", "--matter-type", "dispute_mediation",
         "--source", "walk_in", "--summary", "承包地边界争议", "--complexity", "simple"]
PERSON = "role=applicant,name=张三,id=11010519491231002X,phone=13800138000"
APPLICANT = PERSON + ",address=东村3组"


class CtlCli(NodeTest):
    def ok(self, node, *args, stdin=None):
        r = node.ctl(*args, stdin=stdin)
        self.assertEqual(r.returncode, 0, f"jiefenctl {args}: {r.stdout} {r.stderr}")
        return r.stdout

    def history(self, node, cid):
        return node.ok("GET", "/api/v1/cases/" + cid)["history"]

    def test_actor_recorded_on_intake_and_directives(self):
        county, (town,), ((v1,),) = self.tree((1,))
        # From the flags: the case file names the clerk, not admin.
        cid = self.ok(v1, "case", "new", *FLAGS, "--actor", "王登记", "--party", APPLICANT).strip()
        opened = self.history(v1, cid)[0]
        self.assertEqual((opened["kind"], opened["actor"]), ("case_opened", "王登记"))
        self.assertIn("王登记", self.ok(v1, "case", "show", cid))
        # From a JSON document, --actor added to it.
        cid2 = self.ok(v1, "case", "new", "--json", "-", "--actor", "李登记",
                       stdin=json.dumps(intake())).strip()
        self.assertEqual(self.history(v1, cid2)[0]["actor"], "李登记")
        # Without --actor: admin, as before.
        cid3 = self.ok(v1, "case", "new", "--json", "-", stdin=json.dumps(intake())).strip()
        self.assertEqual(self.history(v1, cid3)[0]["actor"], "admin")
        # "system" is the automatic rules': refused by the daemon, nothing taken in.
        r = v1.ctl("case", "new", *FLAGS, "--actor", "system", "--party", APPLICANT)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("经办人“system”保留给自动规则 (actor) [invalid_field]", r.stderr)
        self.assertEqual(len(v1.all_cases()), 3)

        # A directive sent and acknowledged, each under the person's name.
        out = self.ok(town, "directive", "send", "--to", "v11", "--kind", "notice",
                      "--title", "汛期排查", "--actor", "赵镇长")
        did = out.strip()
        sent = [d for d in town.directives() if d["id"] == did][0]
        self.assertEqual(sent["actor"], "赵镇长")
        wait_for(lambda: [d for d in v1.directives() if d["id"] == did], 20,
                 "the directive at v11")
        out = self.ok(v1, "directive", "ack", did, "--note", "已部署", "--actor", "钱主任")
        self.assertEqual(out, f"已签收: {did}\n")
        # The API shows no actor of an acknowledgement; the signed event holds it, in the
        # village's store and, sent up, the township's (an actor is no personal data).
        for node in (v1, town):
            wait_for(lambda: "钱主任".encode() in self.store_bytes(node), 20,
                     f"the acknowledgement's actor in {node.id}'s store")

    def store_bytes(self, node):
        with open(os.path.join(node.dir, "store", "data.mdb"), "rb") as f:
            return f.read()

    def test_usage_error_is_one_line_and_the_command_usage(self):
        n = self.node().start()
        r = n.ctl("case", "new", "--bogus", "x")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.splitlines()
        self.assertEqual(lines[0], "jiefenctl: 不认识的选项 --bogus [unknown_option]")
        # Then only case new's usage (its two forms), not the whole list of commands.
        self.assertTrue(lines[1].startswith("usage: jiefenctl case new --json FILE|-"), lines)
        self.assertTrue(all("case new" in l or l.startswith(" ") for l in lines[1:]), lines)
        self.assertLess(len(lines), 8, r.stderr)
        self.assertNotIn("directive send", r.stderr)
        # A case action names the flag it misses, and shows its own usage.
        r = n.ctl("case", "attempt", "X", "--mediator", "王调解")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.splitlines()[0],
                         "jiefenctl: case attempt 缺少 --date YYYY-MM-DD [missing_option]")
        self.assertIn("usage: jiefenctl case attempt ID", r.stderr)
        self.assertNotIn("case route", r.stderr)
        # An unknown command points at --help.
        r = n.ctl("case", "frob")
        self.assertEqual(r.returncode, 2)
        self.assertIn("[unknown_command]", r.stderr.splitlines()[0])
        self.assertEqual(r.stderr.splitlines()[1], "jiefenctl --help 列出全部命令")
        # --help still lists everything.
        r = n.ctl("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("directive send", r.stdout)

    def test_json_errors_on_stderr(self):
        n = self.node().start()
        # A usage error: one JSON document on stderr, nothing on stdout.
        r = n.ctl("--json", "case", "route", "X", "--bogus")
        self.assertEqual((r.returncode, r.stdout), (2, ""))
        err = json.loads(r.stderr)["error"]
        self.assertEqual(err["code"], "unknown_option")
        self.assertIn("--bogus", err["message"])
        self.assertIn("case route ID", err["usage"])
        # The daemon's refusal: its error document on stderr, nothing on stdout.
        r = n.ctl("--json", "case", "escalate", "v-dongcun-2026-999999", "--reason", "x")
        self.assertEqual((r.returncode, r.stdout), (1, ""))
        self.assertEqual(json.loads(r.stderr)["error"]["code"], "not_found")
        # Unreachable: the daemon stopped.
        n.stop()
        r = n.ctl("--json", "status")
        self.assertEqual((r.returncode, r.stdout), (3, ""))
        self.assertEqual(json.loads(r.stderr)["error"]["code"], "not_running")

    def test_every_field_error_of_an_intake(self):
        n = self.node().start()
        bad = [f if f != "承包地边界争议" else "   " for f in FLAGS]   # a blank summary
        r = n.ctl("case", "new", *bad, "--party",
                  "role=applicant,name=张三,id=11010519491231002X,phone=12345")
        self.assertEqual((r.returncode, r.stdout), (1, ""), r.stderr)
        lines = r.stderr.splitlines()
        # One line per fault the daemon names, each with its field, in the body's order.
        self.assertEqual(lines, [
            "jiefenctl: 电话号码格式不正确（手机11位，或区号-号码） (parties[0].phone) [invalid_field]",
            "jiefenctl: 缺少必填项 (parties[0].address) [missing_field]",
            "jiefenctl: 不能为空 (summary) [missing_field]"])
        self.assertEqual(n.all_cases(), [])
        # Under --json: the daemon's document, with every fault in errors.
        r = n.ctl("--json", "case", "new", *bad, "--party",
                  "role=applicant,name=张三,id=11010519491231002X,phone=12345")
        self.assertEqual((r.returncode, r.stdout), (1, ""))
        errors = json.loads(r.stderr)["error"]["errors"]
        self.assertEqual([e["field"] for e in errors],
                         ["parties[0].phone", "parties[0].address", "summary"])

    def test_messages_in_chinese_with_their_code(self):
        n = self.node().start()
        r = n.ctl("case", "list", "extra")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.splitlines()[0],
                         "jiefenctl: case list：多余的参数“extra” [unexpected_argument]")
        r = n.ctl("report", "show", "v99", "--kind", "daily", "--period", "2026-05-04")
        self.assertEqual((r.returncode, r.stdout), (1, ""), r.stderr)
        self.assertEqual(r.stderr, "jiefenctl: 本节点没有 v99 的日排查报告（2026-05-04）：它既不是"
                         "本节点，也不是报送该报告的下级 [not_found]\n")
        n.stop()
        r = n.ctl("status")
        self.assertEqual(r.returncode, 3)
        self.assertRegex(r.stderr, r"^jiefenctl: jiefend 未在 .+ 运行（没有 .+jiefend\.addr） "
                         r"\[not_running\]\n$")

    def test_party_values_with_commas(self):
        n = self.node().start()
        cid = self.ok(n, "case", "new", *FLAGS, "--party",
                      PERSON + ',address="东村3组, 12号"', "--party",
                      r"role=respondent,name=李四,id=110101199003077571,phone=13900139000,"
                      r"address=东村4组\, 7号").strip()
        parties = n.ok("GET", "/api/v1/cases/" + cid)["parties"]
        self.assertEqual([p["address"] for p in parties], ["东村3组, 12号", "东村4组, 7号"])
        # An unclosed quote is a usage error; nothing is taken in.
        r = n.ctl("case", "new", *FLAGS, "--party", PERSON + ',address="东村')
        self.assertEqual(r.returncode, 2)
        self.assertIn("--party：引号未闭合 [invalid_party]", r.stderr)
        self.assertEqual(len(n.all_cases()), 1)

    def test_reopened_case_display(self):
        n = self.node().start()
        cid = n.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        self.ok(n, "case", "attempt", cid, "--mediator", "王调解", "--date", "2026-01-06",
                "--method", "people", "--outcome", "agreement", "--agreement", "重新立桩")
        self.ok(n, "case", "close", cid, "--result", "达成协议", "--feedback", "已告知双方")
        closed = self.ok(n, "case", "show", cid)
        self.assertRegex(closed, r"办结:\s+\d{4}-\d\d-\d\d \d\d:\d\d，v-dongcun")
        self.ok(n, "case", "followup", cid, "--satisfaction", "dissatisfied")
        out = self.ok(n, "case", "show", cid)
        lines = {l.split()[0]: l for l in out.splitlines() if l.strip()}
        self.assertNotIn("办结", lines, out)
        self.assertNotIn("，v-dongcun\n", out)
        self.assertIn("回访不满意，已重新办理；前次于 v-dongcun 办结：达成协议", out)


if __name__ == "__main__":
    harness.main()
