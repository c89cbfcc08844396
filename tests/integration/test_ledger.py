"""The ledger figures (综合台账) of each tier over its subtree, against hand-computed values,
with real processes (issue 5, figures)."""
import harness
from harness import NodeTest, intake, wait_for
from test_case_path import FAILED, held_at

AGREED = dict(FAILED, outcome="agreement", agreement="双方同意按原界址")


class Ledger(NodeTest):
    def ledger(self, node, **q):
        query = "&".join(f"{k}={v}" for k, v in q.items())
        return node.ok("GET", "/api/v1/ledger" + ("?" + query if query else ""))["ledger"]

    def test_figures_of_each_tier_over_its_subtree(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        a = v1.ok("POST", "/api/v1/cases", intake(village="村11"))["case"]["id"]
        b = v1.ok("POST", "/api/v1/cases", intake(village="村11", risk="red"))["case"]["id"]
        c = v1.ok("POST", "/api/v1/cases", intake(village="村11", category="labour_wages",
                                                   matter_type="petition"))["case"]["id"]
        d = v2.ok("POST", "/api/v1/cases", intake(village="村12", source="hotline_12345"))["case"]["id"]
        # a: settled and closed at the village; b: escalated to the township (3221)
        v1.ok("POST", f"/api/v1/cases/{a}/attempts", AGREED)
        v1.ok("POST", f"/api/v1/cases/{a}/close", {"result": "已履行", "feedback": "已告知"})
        v1.ok("POST", f"/api/v1/cases/{a}/followup", {"satisfaction": "satisfied"})
        for _ in range(3):
            v1.ok("POST", f"/api/v1/cases/{b}/attempts", FAILED)
        held_at(town, b, holder="t1", where="here")
        # d: settled at the township after a hand-up
        v2.ok("POST", f"/api/v1/cases/{d}/escalate", {"reason": "涉及两村"})
        held_at(town, d, holder="t1", where="here")
        town.ok("POST", f"/api/v1/cases/{d}/attempts", AGREED)
        town.ok("POST", f"/api/v1/cases/{d}/close", {"result": "已调解", "feedback": "已告知"})
        held_at(county, d, status="closed")
        held_at(county, c, holder="v11")

        lv = self.ledger(v1)
        self.assertEqual(lv["taken_in"], 3)
        self.assertEqual(lv["taken_in_by"]["category"]["land_contract"], 2)
        self.assertEqual(lv["taken_in_by"]["category"]["labour_wages"], 1)
        self.assertEqual(lv["taken_in_by"]["village"], {"村11": 3})
        self.assertEqual(lv["petitions"], 1)
        self.assertAlmostEqual(lv["petition_rate"], 1 / 3)
        self.assertEqual((lv["resolved"], lv["closed"], lv["pending"]), (1, 1, 2))
        self.assertAlmostEqual(lv["resolution_rate"], 1 / 3)
        self.assertEqual(lv["on_time_rate"], 1.0)
        self.assertEqual(lv["closed_at_tier"], {"village": 1})
        self.assertEqual(lv["red"], 1)
        self.assertEqual(lv["satisfaction"]["satisfied"], 1)
        self.assertAlmostEqual(lv["escalation_rate"]["village"], 1 / 3)

        lt = self.ledger(town)
        self.assertEqual(lt["taken_in"], 4)
        self.assertEqual(lt["taken_in_by"]["village"], {"村11": 3, "村12": 1})
        self.assertEqual(lt["taken_in_by"]["source"]["hotline_12345"], 1)
        self.assertEqual(lt["taken_in_by"]["tier"], {"village": 4})
        self.assertEqual((lt["resolved"], lt["closed"], lt["pending"]), (2, 2, 2))
        self.assertEqual(lt["closed_at_tier"], {"village": 1, "township": 1})
        self.assertEqual(lt["local_share"], 1.0)
        self.assertAlmostEqual(lt["escalation_rate"]["village"], 2 / 4)
        self.assertEqual(lt["escalation_rate"]["township"], 0.0)
        lc = self.ledger(county)
        for k in ("taken_in", "resolved", "closed", "pending", "red", "petitions"):
            self.assertEqual(lc[k], lt[k], k)
        # A village's ledger holds only its own subtree.
        self.assertEqual(self.ledger(v2)["taken_in"], 1)
        # A period before any of it is empty; a bad date names the parameter.
        self.assertEqual(self.ledger(county, **{"from": "2020-01-01", "to": "2020-01-31"})["taken_in"], 0)
        s, b = county.api("GET", "/api/v1/ledger?from=2026-13-01")
        self.assertEqual((s, b["error"]["field"]), (400, "from"))
        s, b = county.api("GET", "/api/v1/ledger?from=2026-02-01&to=2026-01-01")
        self.assertEqual((s, b["error"]["field"]), (400, "to"))


if __name__ == "__main__":
    harness.main()
