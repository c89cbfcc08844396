"""The case list (GET /api/v1/cases, `jiefenctl case list`): newest first by the opening
time, not by case number (a case taken in with the clock set back comes last though its
number is the highest), paged with `after` without a case lost or repeated, the order kept
across a restart; filtered by the responsible department and by words of the summary
(UTF-8 substrings), alone and with the other filters; bad values refused naming the
parameter."""
import urllib.parse

import harness
from harness import NodeTest, intake

DAY = 86400000
LABOUR = "人力资源和社会保障局"


def q(**kw):
    return "/api/v1/cases?" + urllib.parse.urlencode(kw)


class CaseList(NodeTest):
    def ids(self, n, **kw):
        return [c["id"] for c in n.ok("GET", q(**kw))["cases"]]

    def test_newest_first_paged_across_a_restart(self):
        n = self.node().start()
        first = n.ok("POST", "/api/v1/cases", intake(summary="第一件"))["case"]
        second = n.ok("POST", "/api/v1/cases", intake(summary="第二件"))["case"]
        # Taken in with the clock a day back: the highest number, the oldest opening.
        n.stop()
        n.env["JIEFEN_CLOCK_OFFSET_MS"] = str(-DAY)
        n.start()
        third = n.ok("POST", "/api/v1/cases", intake(summary="第三件"))["case"]
        self.assertGreater(third["id"], second["id"])
        self.assertLess(third["opened_ms"], first["opened_ms"])
        want = [second["id"], first["id"], third["id"]]
        n.stop()
        del n.env["JIEFEN_CLOCK_OFFSET_MS"]
        n.start()
        got = self.ids(n)
        print("newest first:", got, [c["opened_ms"] for c in n.cases()])
        self.assertEqual(got, want)
        # One at a time with `after`: each page moves on, none lost or repeated.
        paged, after = [], None
        while True:
            page = n.ok("GET", q(limit=1, **({"after": after} if after else {})))
            paged += [c["id"] for c in page["cases"]]
            after = page["next"]
            if not after:
                break
        self.assertEqual(paged, want)
        self.assertEqual(n.all_cases()[0]["id"], second["id"])
        # The CLI: the same order, in the table and as JSON, one page at a time or all.
        everything = n.ctl_json("case", "list", "--limit", "1", "--all")
        self.assertEqual([c["id"] for c in everything["cases"]], want)
        r = n.ctl("case", "list")
        self.assertEqual(r.returncode, 0, r.stderr)
        pos = [r.stdout.index(i) for i in want]
        print(r.stdout)
        self.assertEqual(pos, sorted(pos), "the table lists newest first")
        # An `after` that is no case here names the parameter and lists nothing.
        s, b = n.api("GET", q(after="v-dongcun-2026-999999"))
        self.assertEqual((s, b["error"]["code"], b["error"]["field"]), (400, "invalid_query", "after"))
        self.assertIn("v-dongcun-2026-999999", b["error"]["message"])

    def test_filters_by_department_and_summary_text(self):
        n = self.node().start()
        wages = n.ok("POST", "/api/v1/cases", intake(category="labour_wages",
                                                     summary="拖欠工资三个月，工人讨薪"))["case"]
        land = n.ok("POST", "/api/v1/cases", intake(summary="承包地边界争议，界桩被移动"))["case"]
        wages2 = n.ok("POST", "/api/v1/cases", intake(category="labour_wages",
                                                      summary="加班费争议", risk="red"))["case"]
        self.assertEqual(wages["department"], LABOUR)
        self.assertEqual(self.ids(n, department=LABOUR), [wages2["id"], wages["id"]])
        self.assertEqual(self.ids(n, department="农业农村局"), [land["id"]])
        self.assertEqual(self.ids(n, department="无此部门"), [])
        # Words anywhere in the summary, whole characters; with another filter too.
        self.assertEqual(self.ids(n, text="工资"), [wages["id"]])
        self.assertEqual(self.ids(n, text="争议"), [wages2["id"], land["id"]])
        self.assertEqual(self.ids(n, text="争议", department=LABOUR), [wages2["id"]])
        self.assertEqual(self.ids(n, text="争议", risk="red"), [wages2["id"]])
        self.assertEqual(self.ids(n, text="界桩被移动"), [land["id"]])
        self.assertEqual(self.ids(n, text="调解"), [])
        # Routed to another department: the filter follows the case's current one.
        n.ok("POST", f"/api/v1/cases/{land['id']}/route",
             {"department": LABOUR, "reason": "实为务工报酬争议"})
        self.assertEqual(self.ids(n, department=LABOUR), [wages2["id"], land["id"], wages["id"]])
        # Broken UTF-8 is refused, naming the parameter.
        for name in ("text", "department"):
            s, b = n.api("GET", f"/api/v1/cases?{name}=%E5%B7")
            self.assertEqual((s, b["error"]["code"], b["error"]["field"]),
                             (400, "invalid_query", name), b)
        # The CLI's flags.
        got = n.ctl_json("case", "list", "--department", LABOUR, "--text", "工资")
        self.assertEqual([c["id"] for c in got["cases"]], [wages["id"]])
        r = n.ctl("case", "list", "--text", "争议")
        print(r.stdout)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(wages2["id"], r.stdout)
        self.assertNotIn(wages["id"], r.stdout)
        self.assertLess(r.stdout.index(wages2["id"]), r.stdout.index(land["id"]))
        r = n.ctl("case", "list", "--text", "a", "--text", "b")
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    harness.main()
