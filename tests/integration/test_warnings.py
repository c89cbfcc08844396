"""Early warning (预测预警) with real processes (issue 5): each rule fires once at the node
where it happens and the warning reaches the county."""
import os

import harness
from harness import NodeTest, intake, wait_for
from test_case_path import FAILED, held_at


class Warnings(NodeTest):
    def warnings(self, node, rule=None):
        ws = node.ok("GET", "/api/v1/warnings")["warnings"]
        return [w for w in ws if rule is None or w["rule"] == rule]

    def test_rules_fire_once_and_reach_the_county(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        v1.stop()
        with open(os.path.join(v1.dir, "jiefend.conf"), "a") as f:
            f.write("\n[warning]\ncategory_cases = 3\ncategory_days = 7\n")
        v1.start()
        # Three land-contract disputes in one village within a week: one warning.
        for _ in range(2):
            v1.ok("POST", "/api/v1/cases", intake(village="村11"))
        v1.ok("POST", "/api/v1/cases", intake(village="村11", category="labour_wages"))
        v2.ok("POST", "/api/v1/cases", intake(village="村11"))  # another node's intake
        self.assertEqual(self.warnings(v1, "category_cluster"), [])
        third = v1.ok("POST", "/api/v1/cases", intake(village="村11"))["case"]["id"]
        v1.ok("POST", "/api/v1/cases", intake(village="村11"))  # the fourth: no second warning
        got = self.warnings(v1, "category_cluster")
        self.assertEqual(len(got), 1)
        self.assertEqual((got[0]["village"], got[0]["category"], got[0]["count"]),
                         ("村11", "land_contract", 3))
        self.assertEqual(got[0]["case_id"], third)
        self.assertIn("村11", got[0]["detail"])

        # Red risk, at intake or later: one warning per case.
        red = v2.ok("POST", "/api/v1/cases", intake(village="村12", risk="red"))["case"]["id"]
        other = v2.ok("POST", "/api/v1/cases", intake(village="村12"))["case"]["id"]
        v2.ok("POST", f"/api/v1/cases/{other}/risk", {"risk": "red", "reason": "扬言上访"})
        v2.ok("POST", f"/api/v1/cases/{other}/risk", {"risk": "orange", "reason": "稳控"})
        v2.ok("POST", f"/api/v1/cases/{other}/risk", {"risk": "red", "reason": "反复"})
        self.assertEqual(sorted(w["case_id"] for w in self.warnings(v2, "red_risk")),
                         sorted([red, other]))

        # A case escalated twice within a week: warned by the node that escalates it again.
        esc = v1.ok("POST", "/api/v1/cases", intake(village="村11", category="medical"))["case"]["id"]
        v1.ok("POST", f"/api/v1/cases/{esc}/escalate", {"reason": "涉及医院"})
        held_at(town, esc, holder="t1", where="here")
        self.assertEqual(self.warnings(town, "repeat_escalation"), [])
        town.ok("POST", f"/api/v1/cases/{esc}/escalate", {"reason": "涉及县医院"})
        got = self.warnings(town, "repeat_escalation")
        self.assertEqual([(w["case_id"], w["count"], w["node"]) for w in got], [(esc, 2, "t1")])

        # Every warning travels up to the county; none comes down to a village.
        def at_county():
            ws = self.warnings(county)
            return ws if len(ws) == 4 else None
        ws = wait_for(at_county, 20, "four warnings at the county")
        self.assertEqual(sorted(w["rule"] for w in ws),
                         ["category_cluster", "red_risk", "red_risk", "repeat_escalation"])
        self.assertEqual(self.warnings(v1, "repeat_escalation"), [])
        for n in (v1, v2, town, county):
            self.assertEqual(n.verify()["problems"], [], n.id)


if __name__ == "__main__":
    harness.main()
