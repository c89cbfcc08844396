"""The 苗头隐患 register (issue 16, item 5) with real village → township → county processes:
a hazard registered at a village is seen at the county (its description, which names
people, stays sealed at the village); bad input names the field and changes nothing; a
check-in moves the next one by the colour's policy; an overdue check-in is in the village's
inbox once its clock passes the due date; the hazard converted into a case through the
normal intake, linked both ways and seen so at the county; hazards of one category in one
village raise a warning; the ledger counts them; jiefenctl lists them by name and converts
one; the names in descriptions and notes are never in clear on disk (the PII canary)."""
import datetime
import json
import os

import harness
from harness import NodeTest, intake, wait_for

DAY = 86400000
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def today():
    return str(datetime.datetime.now(SHANGHAI).date())


def hazard(**kw):
    body = {"village": "村11", "title": "宅基地边界矛盾苗头", "category": "land_ownership",
            "risk": "red", "watcher": "网格员赵六",
            "description": "张三与李四因宅基地边界多次争吵"}
    body.update(kw)
    return body


def listed(node, hid):
    return [h for h in node.ok("GET", "/api/v1/hazards")["hazards"] if h["id"] == hid]


class Hazards(NodeTest):
    def test_register_checkin_overdue_convert_seen_at_county(self):
        county, (town,), ((v,),) = self.tree((1,))
        s, b = v.api("POST", "/api/v1/hazards", hazard())
        self.assertEqual(s, 200, b)
        h = b["hazard"]
        hid = h["id"]
        self.assertEqual((h["state"], h["state_name"], h["risk_name"], h["category_name"]),
                         ("watching", "监测中", "红", "土地权属"))
        self.assertEqual(h["checkin_days"], 7)
        self.assertAlmostEqual(h["next_due_ms"] - h["registered_ms"], 7 * DAY, delta=1000)

        # Bad input names the field and adds nothing.
        for body, field in ((hazard(title=""), "title"), (hazard(category="nope"), "category"),
                            (hazard(risk="purple"), "risk"), (hazard(watcher=None), "watcher")):
            s, b = v.api("POST", "/api/v1/hazards", body)
            self.assertEqual((s, b["error"]["field"]), (400, field), b)
        self.assertEqual(v.ok("GET", "/api/v1/hazards")["total"], 1)

        # The village reads the description; the county sees the hazard, not the names.
        self.assertEqual(v.ok("GET", f"/api/v1/hazards/{hid}")["hazard"]["description"],
                         "张三与李四因宅基地边界多次争吵")
        up = wait_for(lambda: listed(county, hid), 20, "hazard at the county")[0]
        self.assertEqual((up["node_name"], up["village"], up["title"], up["risk_name"]),
                         ("村11", "村11", "宅基地边界矛盾苗头", "红"))
        self.assertIsNone(county.ok("GET", f"/api/v1/hazards/{hid}")["hazard"]["description"])
        # Only the village that registered it acts on it.
        s, b = county.api("POST", f"/api/v1/hazards/{hid}/checkin",
                          {"date": today(), "note": "县里看看"})
        self.assertEqual((s, b["error"]["code"]), (403, "not_origin"), b)

        # A check-in: bad date refused; then recorded, turned yellow, next in 30 days.
        s, b = v.api("POST", f"/api/v1/hazards/{hid}/checkin", {"date": "2026/1/1", "note": "x"})
        self.assertEqual((s, b["error"]["field"]), (400, "date"), b)
        b = v.ok("POST", f"/api/v1/hazards/{hid}/checkin",
                 {"date": today(), "note": "双方已同意村委会调处", "risk": "yellow"})["hazard"]
        self.assertEqual((b["checkins"], b["risk_name"], b["checkin_days"]), (1, "黄", 30))
        got = v.ok("GET", f"/api/v1/hazards/{hid}")["hazard"]["checkin_list"]
        self.assertEqual([(c["date"], c["note"], c["risk_name"]) for c in got],
                         [(today(), "双方已同意村委会调处", "黄")])
        self.assertEqual(v.ok("GET", "/api/v1/inbox?kind=hazard_checkin")["items"], [])

        # 31 days on, the check-in is overdue: the village's inbox lists it by title.
        v.stop()
        v.env["JIEFEN_CLOCK_OFFSET_MS"] = str(31 * DAY)
        v.start()
        inbox = v.ok("GET", "/api/v1/inbox?kind=hazard_checkin")
        items = inbox["items"]
        self.assertEqual([(i["kind"], i["id"], i["title"], i["overdue"], i["kind_name"])
                          for i in items],
                         [("hazard_checkin", hid, "宅基地边界矛盾苗头", True, "已超期")])
        self.assertEqual([k["count"] for k in inbox["kinds"] if k["kind"] == "hazard_checkin"],
                         [1])
        self.assertTrue(listed(v, hid)[0]["overdue"])

        # Converted into a case through the intake (an intake fault names its field).
        s, b = v.api("POST", f"/api/v1/hazards/{hid}/convert", intake(village="村11", summary=""))
        self.assertEqual((s, b["error"]["field"]), (400, "summary"), b)
        s, b = v.api("POST", f"/api/v1/hazards/{hid}/convert",
                     intake(village="村11", category="land_ownership",
                            summary="宅基地边界纠纷（由隐患转入）"))
        self.assertEqual(s, 201, b)
        case_id = b["case"]["id"]
        self.assertEqual(b["case"]["hazard_id"], hid)
        after = v.ok("GET", f"/api/v1/hazards/{hid}")["hazard"]
        self.assertEqual((after["state"], after["state_name"], after["case_id"]),
                         ("converted", "已转为案件", case_id))
        self.assertEqual(v.ok("GET", "/api/v1/inbox?kind=hazard_checkin")["items"], [])
        s, b = v.api("POST", f"/api/v1/hazards/{hid}/convert", intake(village="村11"))
        self.assertEqual((s, b["error"]["code"]), (409, "not_watching"), b)

        # The county sees both ends of the link.
        wait_for(lambda: listed(county, hid)[0]["case_id"] == case_id, 20, "link at the county")
        c = wait_for(lambda: [x for x in county.cases() if x["id"] == case_id], 20, "case up")
        self.assertEqual(county.ok("GET", f"/api/v1/cases/{case_id}")["case"]["hazard_id"], hid)

        # The ledger counts it, up the tree (over the days the village's clock went through).
        d = datetime.datetime.now(SHANGHAI).date()
        span = f"?from={d - datetime.timedelta(days=1)}&to={d + datetime.timedelta(days=40)}"
        fig = wait_for(lambda: (lambda f: f if f["converted"] else None)(
            county.ok("GET", "/api/v1/ledger" + span)["ledger"]["hazards"]), 20, "ledger")
        self.assertEqual((fig["registered"], fig["converted"]), (1, 1))

    def test_cluster_warning_close_and_cli(self):
        county, (town,), ((v,),) = self.tree((1,))
        v.stop()
        with open(os.path.join(v.dir, "jiefend.conf"), "a") as f:
            f.write("\n[warning]\ncategory_cases = 3\ncategory_days = 7\n")
        v.start()
        ids = [v.ok("POST", "/api/v1/hazards", hazard(title=f"劳资欠薪苗头{i}",
                                                      category="labour_wages", risk="orange"))
               ["hazard"]["id"] for i in range(3)]
        warned = [w for w in v.ok("GET", "/api/v1/warnings")["warnings"]
                  if w["rule"] == "hazard_cluster"]
        self.assertEqual([(w["village"], w["count"]) for w in warned], [("村11", 3)])
        self.assertIn("苗头隐患 3 条", warned[0]["detail"])
        wait_for(lambda: [w for w in county.ok("GET", "/api/v1/warnings")["warnings"]
                          if w["rule"] == "hazard_cluster"], 20, "warning at the county")

        # Closed as resolved: a result is required; afterwards no more steps.
        s, b = v.api("POST", f"/api/v1/hazards/{ids[0]}/close", {})
        self.assertEqual((s, b["error"]["field"]), (400, "result"), b)
        done = v.ok("POST", f"/api/v1/hazards/{ids[0]}/close", {"result": "工资已结清"})["hazard"]
        self.assertEqual((done["state"], done["state_name"]), ("closed", "已化解"))
        s, b = v.api("POST", f"/api/v1/hazards/{ids[0]}/checkin",
                     {"date": today(), "note": "x"})
        self.assertEqual((s, b["error"]["code"]), (409, "not_watching"), b)
        self.assertEqual(v.ok("GET", "/api/v1/ledger")["ledger"]["hazards"]["resolved"], 1)
        self.assertEqual(len(v.ok("GET", "/api/v1/hazards?state=watching")["hazards"]), 2)

        # jiefenctl: list by name, add, check in, close; errors in Chinese with the code.
        r = v.ctl("hazard", "list")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("劳资欠薪苗头1", r.stdout)
        self.assertIn("橙", r.stdout)
        self.assertIn("已化解", r.stdout)
        r = v.ctl("hazard", "add", "--village", "村11", "--title", "山林权属苗头", "--category",
                  "land_ownership", "--risk", "yellow", "--watcher", "王五")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("YH-v11-4", r.stdout)
        r = v.ctl("hazard", "checkin", "YH-v11-4", "--date", today(), "--note", "已走访")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = v.ctl("hazard", "add", "--village", "村11", "--title", "x", "--category", "nope",
                  "--risk", "red", "--watcher", "王五")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("[invalid_field]", r.stderr)
        r = v.ctl("hazard", "close", "YH-v11-4", "--result", "已化解")
        self.assertEqual(r.returncode, 0, r.stderr)
        # Converted from jiefenctl: the form's parties, the rest taken from the hazard.
        form = os.path.join(self.root, "intake.json")
        with open(form, "w") as f:
            json.dump({k: x for k, x in intake().items()
                       if k not in ("village", "category", "summary")}, f)
        r = v.ctl("hazard", "convert", ids[1], "--json", form)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"（隐患 {ids[1]}）", r.stdout)
        case_id = r.stdout.split()[1].split("（")[0]
        c = v.ok("GET", f"/api/v1/cases/{case_id}")["case"]
        self.assertEqual((c["village"], c["category"], c["summary"], c["hazard_id"]),
                         ("村11", "labour_wages", "劳资欠薪苗头1", ids[1]))


    def test_description_and_notes_sealed_on_disk(self):
        """The PII canary: names in a hazard's description and check-in notes are never in
        clear in any file of any node, though the village reads them back."""
        canary = "欧阳金丝雀"
        county, (town,), ((v,),) = self.tree((1,))
        hid = v.ok("POST", "/api/v1/hazards",
                   hazard(description=f"{canary}与邻居因宅基地争吵"))["hazard"]["id"]
        v.ok("POST", f"/api/v1/hazards/{hid}/checkin",
             {"date": today(), "note": f"{canary}情绪稳定"})
        got = v.ok("GET", f"/api/v1/hazards/{hid}")["hazard"]
        self.assertIn(canary, got["description"])
        self.assertIn(canary, got["checkin_list"][0]["note"])
        wait_for(lambda: listed(county, hid) and listed(county, hid)[0]["checkins"] == 1, 20,
                 "check-in at the county")
        self.assertIsNone(county.ok("GET", f"/api/v1/hazards/{hid}")["hazard"]
                          ["checkin_list"][0]["note"])
        for n in (county, town, v):
            n.stop()
        for n in (county, town, v):
            for root, _, files in os.walk(n.dir):
                for f in files:
                    with open(os.path.join(root, f), "rb") as fh:
                        self.assertNotIn(canary.encode(), fh.read(), f"canary in {root}/{f}")


if __name__ == "__main__":
    harness.main()
