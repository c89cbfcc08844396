"""Directives to chosen children (one, several, a subtree, all), tied to a case and listed
with it at every node that holds the case, with names beside codes; acknowledgements by
addressees only; all through the API of real nodes, and the CLI's list."""
import harness
from harness import NodeTest, intake, wait_for


def find(node, did, query=""):
    return [x for x in node.ok("GET", "/api/v1/directives" + query)["directives"]
            if x["id"] == did]


class Directives(NodeTest):
    def test_directive_to_one_township_about_a_case_names_and_acks(self):
        county, (t1, t2), ((v11,), (v21,)) = self.tree((1, 1))
        t1.add_user("li", "director", name="李主任")
        county.add_user("wang", "director", name="王书记")
        town = t1.login("li")
        s, b = town.api("POST", "/api/v1/cases", intake(village="东村"))
        self.assertEqual(s, 201, b)
        case_id = b["case"]["id"]
        wait_for(lambda: any(c["id"] == case_id for c in county.cases()), 20, "case at county")

        # The county's leader sends a supervision to 镇1 alone, about that case.
        boss = county.login("wang")
        s, b = boss.api("POST", "/api/v1/directives",
                        {"to": ["t1"], "kind": "supervise", "title": "督办土地纠纷",
                         "body": "三日内化解", "case_id": case_id})
        self.assertEqual(s, 200, b)
        d = b["directive"]
        self.assertEqual(d["actor_name"], "王书记")
        self.assertEqual(d["origin_name"], "贺兰县")
        self.assertEqual(d["target_nodes"], [{"id": "t1", "name": "镇1"}])
        self.assertEqual(d["pending_nodes"], [{"id": "t1", "name": "镇1"}])

        # 镇1 lists it on the case, with names; 镇2 and the villages never get it.
        got = wait_for(lambda: find(t1, d["id"], f"?case_id={case_id}"), 20, "directive at t1")[0]
        self.assertEqual((got["actor_name"], got["origin_name"]), ("王书记", "贺兰县"))
        self.assertTrue(got["awaiting_me"])
        self.assertEqual(t1.ok("GET", "/api/v1/directives?case_id=t1-none")["directives"], [])
        # The case history names people and nodes: the intake by 李主任 at 镇1, at both tiers.
        for n in (t1, county):
            hist = n.ok("GET", f"/api/v1/cases/{case_id}")["history"]
            self.assertEqual((hist[0]["actor_name"], hist[0]["origin_name"]), ("李主任", "镇1"))
            self.assertEqual(hist[0]["actor"], "li")
        self.assertEqual(find(t2, d["id"]), [])

        # 镇2 was not asked and never received it: its ack is refused (the fold ignores
        # an ack by a node not asked anyway: tests/unit/test_directive_ack_by_node_not_asked.c).
        s, b = t2.api("POST", "/api/v1/directives/ack", {"id": d["id"]})
        self.assertEqual((s, b["error"]["code"]), (404, "not_found"), b)

        # 镇1 acknowledges; the county shows it by name, nobody pending.
        s, b = town.api("POST", "/api/v1/directives/ack", {"id": d["id"], "note": "已落实专人"})
        self.assertEqual(s, 200, b)
        acked = wait_for(lambda: [x for x in find(county, d["id"]) if x["acks"]], 20,
                         "ack at county")[0]
        self.assertEqual([(a["node"], a["node_name"], a["note"]) for a in acked["acks"]],
                         [("t1", "镇1", "已落实专人")])
        self.assertEqual((acked["pending"], acked["pending_nodes"]), ([], []))

        # The names survive a kill -9 and a restart of 镇1.
        t1.kill9()
        t1.start()
        again = find(t1, d["id"], f"?case_id={case_id}")[0]
        self.assertEqual((again["actor_name"], again["acks"][0]["node_name"]), ("王书记", "镇1"))

        # jiefenctl lists the case's directives with names, not codes.
        r = county.ctl("directive", "list", "--case", case_id)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("督办土地纠纷", r.stdout)
        self.assertIn("贺兰县", r.stdout)
        row = [line for line in r.stdout.splitlines() if "督办土地纠纷" in line][0]
        self.assertEqual(row.split()[4:], ["贺兰县", *row.split()[5:7], "镇1", "-"])

    def test_several_subtree_all_and_bad_input(self):
        county, (t1, t2), ((v11,), (v21,)) = self.tree((1, 1))
        several = county.ok("POST", "/api/v1/directives",
                            {"to": ["t1", "t2"], "kind": "notice", "title": "两镇通知"})["directive"]
        self.assertEqual(sorted(n["name"] for n in several["pending_nodes"]), ["镇1", "镇2"])
        sub = county.ok("POST", "/api/v1/directives",
                        {"to": ["t1"], "subtree": True, "kind": "screening",
                         "title": "镇1全镇排查"})["directive"]
        self.assertEqual(sorted(n["name"] for n in sub["pending_nodes"]), ["村11", "镇1"])
        everyone = county.ok("POST", "/api/v1/directives",
                             {"to": "all", "kind": "notice", "title": "全县通知"})["directive"]
        self.assertEqual(len(everyone["pending_nodes"]), 4)
        wait_for(lambda: find(v11, sub["id"]) and find(v21, everyone["id"]), 20, "down")
        wait_for(lambda: find(t2, several["id"]), 20, "several at t2")
        self.assertEqual(find(v21, sub["id"]), [])
        self.assertEqual(find(v11, several["id"]), [])

        # A directive about an unknown case, or to a node not below, is refused, and no
        # directive is added.
        before = len(county.directives())
        s, b = county.api("POST", "/api/v1/directives",
                          {"to": ["t1"], "kind": "supervise", "title": "督办", "case_id": "t9-x"})
        self.assertEqual((s, b["error"]["field"]), (400, "case_id"), b)
        self.assertIn("t9-x", b["error"]["message"])
        s, b = t1.api("POST", "/api/v1/directives",
                      {"to": ["v21"], "kind": "notice", "title": "越级"})
        self.assertEqual((s, b["error"]["field"]), (400, "to"), b)
        self.assertEqual(len(county.directives()), before)
        r = county.ctl("directive", "send", "--to", "t1", "--kind", "supervise", "--title", "督办",
                       "--case", "t9-x")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("t9-x", r.stderr + r.stdout)


if __name__ == "__main__":
    harness.main()
