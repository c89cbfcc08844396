"""Taking in disputes and reading them back through jiefenctl, as a clerk's tools would."""
import datetime
import json
import os
import stat

import harness
from harness import NodeTest, intake, party


class IntakeCli(NodeTest):
    def test_init_writes_node_files(self):
        n = self.node()
        for f, mode in (("node.key", 0o600), ("admin.token", 0o600)):
            st = os.stat(os.path.join(n.dir, f))
            self.assertEqual(stat.S_IMODE(st.st_mode), mode, f)
        with open(os.path.join(n.dir, "jiefend.conf")) as f:
            conf = f.read()
        self.assertIn("id = v-dongcun", conf)
        self.assertIn("# Time limit of a simple dispute", conf)  # commented

    def test_new_list_show_status(self):
        n = self.node().start()
        r = n.ctl("case", "new", "--category", "land_contract", "--matter-type",
                  "dispute_mediation", "--village", "东村", "--source", "walk_in",
                  "--summary", "承包地边界争议", "--complexity", "simple",
                  "--party", "role=applicant,name=张三,id=11010519491231002X,phone=13800138000,address=东村3组",
                  "--party", "role=respondent,name=李四,id=110101199003077571,phone=0951-5012345,address=东村4组")
        self.assertEqual(r.returncode, 0, r.stderr)
        first = r.stdout.strip().split()[-1]
        self.assertRegex(first, r"^v-dongcun-\d{4}-000001$")

        r = n.ctl("case", "new", "--json", "-",
                  stdin=json.dumps(intake(category="labour_wages", complexity="complex",
                                          risk="red", summary="拖欠工资")))
        self.assertEqual(r.returncode, 0, r.stderr)
        second = r.stdout.strip().split()[-1]
        self.assertTrue(second.endswith("-000002"), second)

        listed = n.ctl_json("case", "list")
        self.assertEqual([c["id"] for c in listed["cases"]], [second, first])  # newest first
        self.assertIsNone(listed["next"])
        red = n.ctl_json("case", "list", "--risk", "red")
        self.assertEqual([c["id"] for c in red["cases"]], [second])
        self.assertEqual(red["cases"][0]["department"], "人力资源和社会保障局")
        self.assertEqual(red["cases"][0]["due_ms"] - red["cases"][0]["opened_ms"], 7 * 86400000)
        cat = n.ctl_json("case", "list", "--category", "land_contract")
        self.assertEqual([c["id"] for c in cat["cases"]], [first])

        table = n.ctl("case", "list")
        self.assertEqual(table.returncode, 0)
        self.assertIn("案件编号", table.stdout)
        self.assertIn(first, table.stdout)
        self.assertIn("拖欠工资", table.stdout)

        shown = n.ctl_json("case", "show", first)
        self.assertEqual(shown["case"]["summary"], "承包地边界争议")
        self.assertEqual([p["name"] for p in shown["parties"]], ["张三", "李四"])
        self.assertEqual(shown["parties"][1]["id_number"], "110101199003077571")
        self.assertEqual(len(shown["history"]), 1)
        self.assertEqual(shown["history"][0]["kind"], "case_opened")
        self.assertTrue(shown["history"][0]["signature_ok"])

        st = n.ctl_json("status")
        self.assertEqual(st["node"]["id"], "v-dongcun")
        self.assertEqual(st["cases"]["by_status"]["open"], 2)
        # node_created, 2 intakes, the warning the red one raised (预测预警) and the view
        # of the first one's parties (查阅记录)
        self.assertEqual(st["log"]["events"], 5)

        r = n.ctl("case", "show", "v-dongcun-2026-999999")
        self.assertEqual(r.returncode, 1)
        r = n.ctl("verify")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_paging_and_date_filters(self):
        n = self.node().start()
        ids = []
        for i in range(7):
            s, b = n.api("POST", "/api/v1/cases", intake(summary=f"第{i}件"))
            self.assertEqual(s, 201, b)
            ids.append(b["case"]["id"])
        newest = ids[::-1]  # newest first: opened one after the other
        s, page = n.api("GET", "/api/v1/cases?limit=3")
        self.assertEqual([c["id"] for c in page["cases"]], newest[:3])
        s, page2 = n.api("GET", "/api/v1/cases?limit=3&after=" + page["next"])
        self.assertEqual([c["id"] for c in page2["cases"]], newest[3:6])
        everything = n.ctl_json("case", "list", "--limit", "2", "--all")
        self.assertEqual([c["id"] for c in everything["cases"]], newest)
        s, none = n.api("GET", "/api/v1/cases?from=2000-01-01&to=2000-12-31")
        self.assertEqual(none["cases"], [])
        s, all_ = n.api("GET", "/api/v1/cases?from=2000-01-01")
        self.assertEqual(len(all_["cases"]), 7)

    def test_times_in_the_node_time_zone(self):
        # The operator's shell is in UTC; the table shows the time as the centre reads it.
        n = self.node().start()
        case = n.ok("POST", "/api/v1/cases", intake())["case"]
        shanghai = datetime.timezone(datetime.timedelta(hours=8))
        opened = datetime.datetime.fromtimestamp(case["opened_ms"] / 1000, shanghai)
        r = harness.run([harness.jiefenctl(), "--data", n.dir, "case", "list"],
                        env=dict(os.environ, TZ="UTC"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(opened.strftime("%Y-%m-%d %H:%M"), r.stdout)

    def test_village_defaults_to_node_name(self):
        n = self.node().start()
        body = intake()
        del body["village"]
        s, b = n.api("POST", "/api/v1/cases", body)
        self.assertEqual(s, 201, b)
        self.assertEqual(b["case"]["village"], "东村")

    def test_token_required(self):
        n = self.node().start()
        s, b = n.api("GET", "/api/v1/status", token=False)
        self.assertEqual(s, 401)
        self.assertEqual(b["error"]["code"], "unauthorized")
        s, b = n.api("POST", "/api/v1/cases", intake(), token="0" * 64)
        self.assertEqual(s, 401)
        s, b = n.api("GET", "/api/v1/cases")
        self.assertEqual(b["cases"], [])
        os.rename(os.path.join(n.dir, "admin.token"), os.path.join(n.dir, "x"))
        r = n.ctl("status")
        self.assertEqual(r.returncode, 3, r.stderr)

    def test_host_and_origin_checks(self):
        n = self.node().start()
        s, b = n.api("GET", "/api/v1/status", headers={"Host": "evil.example:80"})
        self.assertEqual(s, 421)
        s, b = n.api("POST", "/api/v1/cases", intake(),
                     headers={"Origin": "http://evil.example"})
        self.assertEqual(s, 403)
        s, b = n.api("GET", "/api/v1/cases")
        self.assertEqual(b["cases"], [])

    def test_not_running(self):
        n = self.node()
        r = n.ctl("status")
        self.assertEqual(r.returncode, 3)
        self.assertIn("未在", r.stderr)
        self.assertIn("[not_running]", r.stderr)


if __name__ == "__main__":
    harness.main()
