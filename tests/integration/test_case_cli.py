"""The case actions through jiefenctl against real processes (county c-helan, township t1,
villages v11 and v12): each `case <action>` maps to its API route, prints a line in Chinese
(and the 3221 rule when it fired), passes the API's refusals on with its message and exit
code 1, and `case show` lists the file's history; `supervision` prints the 督办 lists."""
import json

import harness
from harness import NodeTest, intake, wait_for

FAILED = ["--mediator", "王调解", "--date", "2026-01-05", "--method", "people",
          "--outcome", "failed"]


def case_at(node, cid):
    """The case as node sees it, or None until it has reached node."""
    s, b = node.api("GET", "/api/v1/cases/" + cid)
    if s == 404:
        return None
    assert s == 200, f"{node.id}: {s} {b}"
    return b["case"]


def seen_at(node, cid, what, cond):
    return wait_for(lambda: (lambda c: c if c and cond(c) else None)(case_at(node, cid)), 20,
                    f"{what} at {node.id}")


class CaseCli(NodeTest):
    def ok(self, node, *args):
        r = node.ctl(*args)
        self.assertEqual(r.returncode, 0, f"jiefenctl {args}: {r.stdout} {r.stderr}")
        return r.stdout

    def refused(self, node, *args):
        r = node.ctl(*args)
        self.assertEqual(r.returncode, 1, f"jiefenctl {args}: {r.stdout} {r.stderr}")
        self.assertEqual(r.stdout, "")
        return r.stderr

    def test_3221_through_the_cli(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        cid = v1.ok("POST", "/api/v1/cases", intake(summary="宅基地边界纠纷"))["case"]["id"]

        for i in (1, 2):
            out = self.ok(v1, "case", "attempt", cid, *FAILED, "--actor", "李四",
                          "--note", f"第{i}次")
            self.assertEqual(out, f"已记录调解（调解不成）：案件 {cid} 本级失败 {i} 次，办理中\n")
        out = self.ok(v1, "case", "attempt", cid, *FAILED)
        lines = out.splitlines()
        self.assertEqual(len(lines), 2, out)
        self.assertIn("案件已按3221规则自动上报至 镇1（t1）", lines[1])
        self.assertIn("已上报", lines[0])

        # The village no longer holds it: refused, the holder named, nothing on stdout.
        err = self.refused(v1, "case", "attempt", cid, *FAILED)
        self.assertIn("镇1（t1）", err)
        self.assertIn(cid, err)
        # --json: the API's error document on stderr, nothing on stdout.
        r = v1.ctl("--json", "case", "attempt", cid, *FAILED)
        self.assertEqual((r.returncode, r.stdout), (1, ""))
        self.assertEqual(json.loads(r.stderr)["error"]["code"], "not_holder")

        seen_at(town, cid, "the case held", lambda c: c["where"] == "here")
        # A bad value is the daemon's to judge: its message, the member named.
        bad = FAILED[:-1] + ["maybe"]
        err = self.refused(town, "case", "attempt", cid, *bad)
        self.assertIn("调解结果“maybe”不在可选范围内 (outcome)", err)
        # A missing flag is a usage error: exit 2, nothing sent.
        r = town.ctl("case", "attempt", cid, "--mediator", "王调解", "--method", "people",
                     "--outcome", "failed")
        self.assertEqual(r.returncode, 2)
        self.assertIn("case attempt 缺少 --date", r.stderr)
        r = town.ctl("case", "decide", cid, "--approve", "--refuse")
        self.assertEqual(r.returncode, 2)
        self.assertIn("只能给一个", r.stderr)
        # An unknown case is 404 from the daemon: exit 1.
        err = self.refused(town, "case", "escalate", "t1-2026-999999", "--reason", "x")
        self.assertIn("无此案件", err)

        # The township's first failure: no rule yet; the county sees it in its lists.
        got = town.ctl_json("case", "attempt", cid, *FAILED, "--actor", "周调解")
        self.assertIsNone(got["rule"])
        self.assertEqual(got["case"]["failed_attempts_here"], 1)
        sup = county.ctl_json("supervision")
        self.assertEqual(set(sup), {"overdue", "due_soon", "risk", "leader_owned",
                                    "needs_leader", "extensions_to_decide"})
        self.assertTrue(all(isinstance(v, list) for v in sup.values()))
        out = self.ok(county, "supervision")
        self.assertIn("超期: 无", out)
        self.assertIn("需安排领导包案: 无", out)

        shown = self.ok(town, "case", "show", cid)
        self.assertIn("承办节点:", shown)
        self.assertIn("镇1（t1）", shown)
        self.assertIn("本节点办理", shown)
        self.assertRegex(shown, r"承办阶段:\s+第 2 段")
        self.assertRegex(shown, r"调解:\s+共 4 次，本级不成 1 次")
        history = shown[shown.index("历史:"):].splitlines()[2:]
        self.assertEqual(len(history), 6, shown)  # opened, 3 attempts, moved, 1 attempt
        self.assertIn("受理", history[0])
        self.assertIn("宅基地边界纠纷", history[0])
        attempts = [h for h in history if " 调解 " in h]
        self.assertEqual(len(attempts), 4, shown)
        self.assertEqual(sum("李四" in h for h in attempts), 2)
        self.assertTrue(all("调解不成，王调解，人民调解" in h for h in attempts), shown)
        moved = [h for h in history if "移交" in h]
        self.assertEqual(len(moved), 1, shown)
        self.assertIn("system", moved[0])
        self.assertIn("自动上报 v11 → t1", moved[0])
        self.assertTrue(all(h.rstrip().endswith("✓") for h in history), shown)
        self.assertTrue(any(" 村 " in h and "村11" in h for h in history), shown)
        self.assertTrue(any(" 乡镇 " in h and "镇1" in h for h in history), shown)

    def test_every_action_reaches_its_route(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        cid = v2.ok("POST", "/api/v1/cases", intake(village="西村"))["case"]["id"]

        out = self.ok(v2, "case", "route", cid, "--lead-unit", "司法所", "--reason", "涉及承包合同")
        self.assertEqual(out, f"已重新分流：案件 {cid}，归口部门 农业农村局，牵头单位 司法所\n")
        out = self.ok(v2, "case", "risk", cid, "--risk", "yellow", "--reason", "双方情绪激动")
        self.assertEqual(out, f"已调整风险等级：案件 {cid} 为黄色，由中心主任负责\n")

        # Extension: asked at the village, decided by its parent.
        out = self.ok(v2, "case", "extend", cid, "--days", "10", "--reason", "等待测绘")
        self.assertEqual(out, f"已申请延期：案件 {cid} 延长 10 天，待上级审批\n")
        err = self.refused(v2, "case", "extend", cid, "--days", "5", "--reason", "再等")
        self.assertIn("已有一份延期申请等待上级审批", err)
        err = self.refused(v2, "case", "extend", cid, "--days", "91", "--reason", "x")
        self.assertIn("延长天数应为 1 到 90 的整数 (days)", err)
        seen_at(town, cid, "the extension request",
                lambda c: (c["extension"] or {}).get("state") == "pending")
        sup = town.ctl_json("supervision")
        self.assertIn(cid, [c["id"] for c in sup["extensions_to_decide"]])
        self.assertIn("待本级审批的延期: 1", self.ok(town, "supervision"))
        out = self.ok(town, "case", "decide", cid, "--approve", "--reason", "同意",
                      "--actor", "镇长")
        self.assertTrue(out.startswith(f"已审批延期：案件 {cid} 已批准，办理期限 "), out)
        seen_at(v2, cid, "the decision", lambda c: c["extension"]["state"] == "approved")

        # Leader assigned from above, acknowledged by the holder, progress recorded.
        out = self.ok(town, "case", "assign", cid, "--leader", "镇党委书记 赵六",
                      "--organisation", "镇调委会", "--liaison-unit", "镇司法所",
                      "--plan", "现场勘界", "--legal-consultation", "镇法律顾问")
        self.assertEqual(out, f"已安排领导包案：案件 {cid}，包案领导 镇党委书记 赵六，未签收\n")
        seen_at(v2, cid, "the assignment", lambda c: c["leader"] is not None)
        out = self.ok(v2, "case", "ack", cid, "--note", "已收到")
        self.assertEqual(out, f"已签收包案安排：案件 {cid}，包案领导 镇党委书记 赵六\n")
        self.assertIn("包案安排已经签收", self.refused(v2, "case", "ack", cid))
        out = self.ok(v2, "case", "progress", cid, "--text", "已约双方见面")
        self.assertEqual(out, f"已记录包案进展：案件 {cid}，共 1 条\n")

        # Escalated by hand, handed back down, resolved, closed, followed up.
        out = self.ok(v2, "case", "escalate", cid, "--reason", "村级无法协调")
        self.assertTrue(out.startswith(f"已上报：案件 {cid} 现由 镇1（t1）办理"), out)
        seen_at(town, cid, "the escalated case", lambda c: c["where"] == "here")
        self.assertIn("不是本节点已登记的下级 (to)",
                      self.refused(town, "case", "handdown", cid, "--to", "c-helan",
                                   "--instructions", "x"))
        out = self.ok(town, "case", "handdown", cid, "--to", "v12", "--instructions", "请村里跟进")
        self.assertTrue(out.startswith(f"已交办：案件 {cid} 交 村12（v12）办理"), out)
        seen_at(v2, cid, "the handed-down case", lambda c: c["where"] == "here")
        out = self.ok(v2, "case", "attempt", cid, "--mediator", "王调解", "--date", "2026-01-06",
                      "--method", "people", "--outcome", "agreement", "--agreement", "重新立桩",
                      "--judicial-confirmation")
        self.assertEqual(out, f"已记录调解（调解成功）：案件 {cid}，已化解\n")
        out = self.ok(v2, "case", "close", cid, "--result", "达成协议", "--feedback", "已告知双方")
        # The follow-up is due 15 days on; closed with the token, it is no one's in particular.
        self.assertRegex(out, rf"^已办结：案件 {cid}，由 村12（v12）回访，回访期限 \d{{4}}-\d\d-\d\d \d\d:\d\d\n$")
        out = self.ok(v2, "case", "followup", cid, "--satisfaction", "satisfied")
        self.assertEqual(out, f"已回访：案件 {cid} 满意，已办结\n")

        # A matter already decided by a court: guided to it.
        other = v2.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        out = self.ok(v2, "case", "guide", other, "--channel", "court",
                      "--guidance", "已有生效判决，请申请执行")
        self.assertEqual(out, f"已引导至法定途径：案件 {other}（法院判决），已引导\n")
        # The parties withdrew: said by --withdrawn, shown by `case show`.
        gone = v2.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        out = self.ok(v2, "case", "close", gone, "--result", "双方自行和解", "--feedback",
                      "已告知", "--withdrawn")
        self.assertTrue(out.startswith(f"已办结（当事人撤回）：案件 {gone}，"), out)
        shown = self.ok(v2, "case", "show", gone)
        self.assertRegex(shown, r"办理结果:\s+双方自行和解（当事人撤回）")
        self.assertIn("当事人撤回：双方自行和解", shown)

        shown = self.ok(v2, "case", "show", cid)
        for text in ("分流", "风险调整", "申请延期", "延期审批", "领导包案", "签收包案",
                     "包案进展", "交办", "办结", "回访", "延长 10 天：等待测绘",
                     "批准", "申请司法确认", "镇长"):
            self.assertIn(text, shown)
        self.assertRegex(shown, r"包案领导:\s+镇党委书记 赵六（镇调委会，联络单位 镇司法所），已签收")
        self.assertRegex(shown, r"回访:\s+满意")
        for n in (v2, town):
            r = n.ctl("verify")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    harness.main()
