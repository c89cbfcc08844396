"""Early warning (预测预警) with real processes (issue 5): each rule fires once at the node
where it happens and the warning reaches the county."""
import os

import harness
from harness import NodeTest, intake, party, wait_for
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

    def test_one_party_in_several_open_cases(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        for n in (v1, v2, town, county):
            n.stop()
            with open(os.path.join(n.dir, "jiefend.conf"), "a") as f:
                f.write("\n[warning]\nparty_cases = 3\n")
            n.start()
        # One person (ID ending in X, typed in lower case once) and a stranger in each case.
        who = "11010519800101018X"
        strangers = iter(["110105198001010016", "110105198001010032", "110105198001010059",
                          "110105198001010075", "110105198001010091"])

        def case(v, person=who):
            body = intake(parties=[party(0, id_number=person), party(1, id_number=next(strangers))])
            return v.ok("POST", "/api/v1/cases", body)["case"]["id"]

        def rules(node):
            return sorted((w["node"], w["count"], w["case_id"])
                          for w in self.warnings(node, "repeat_party"))

        a, b = case(v1), case(v1, who.lower())
        c = case(v2)
        # Three open cases, two in v1 and one in v2: only the township sees them all.
        got = wait_for(lambda: rules(town) or None, 20, "the township's warning")
        self.assertEqual(got, [("t1", 3, c)])
        detail = self.warnings(town, "repeat_party")[0]["detail"]
        self.assertEqual([detail.count(x) for x in (a, b, c)], [1, 1, 1])
        self.assertNotIn(who[:17], detail)
        self.assertEqual(rules(v1) + rules(v2), [])

        # A case no longer open does not count; the same count is not warned again.
        v1.ok("POST", f"/api/v1/cases/{a}/guide", {"channel": "court", "guidance": "起诉"})
        held_at(town, a, status="guided")
        town.stop()  # d and e reach it together on its return, checked after both are in
        d = case(v1)
        self.assertEqual(rules(v1), [])
        e = case(v1)  # b, d, e open in v1: v1 sees three itself
        self.assertEqual(rules(v1), [("v11", 3, e)])
        # The township lists its subtree's warnings: v11's and its own for the fourth case
        # (e, not d, though it checks d when e is already in).
        town.start()
        want = [("t1", 3, c), ("t1", 4, e), ("v11", 3, e)]
        wait_for(lambda: rules(town) == want, 20, "the township's second warning")
        self.assertNotIn(d, [w[2] for w in rules(town)])
        # The county, above one township, raises none of its own but receives all three.
        wait_for(lambda: rules(county) == want, 20, "three warnings at the county")
        for n in (v1, v2, town, county):
            self.assertEqual(n.verify()["problems"], [], n.id)


if __name__ == "__main__":
    harness.main()
