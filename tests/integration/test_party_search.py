"""Finding a person (查当事人): by name, ID number and phone, typed with odd spacing and
full-width characters; refused for roles that may not see parties; every search recorded
(who, when, which field, never the value); the index survives kill -9; and nothing of a
person is ever in clear in any file of any node, searches included."""
import os
import urllib.parse

import harness
from harness import IDS, NodeTest, intake, party

CANARY_NAME = "欧阳金丝雀"
CANARY_ID = "11010119850615006X"
CANARY_PHONE = "13912345678"


def q(**kw):
    """A search, for the purpose 办案 (a search without one is refused: test_access.py)."""
    return "/api/v1/parties?" + urllib.parse.urlencode(dict(kw, purpose="casework"))


def fullwidth(s):
    """The same text typed with a full-width input method: digits and X as U+FF10.., and
    ideographic spaces between."""
    return "\u3000".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in s)


class PartySearch(NodeTest):
    def canary_case(self, n, village="东村"):
        body = intake(parties=[party(0, name=CANARY_NAME, id_number=CANARY_ID,
                                     phone=CANARY_PHONE),
                               party(1)], village=village, summary="宅基地边界争议")
        return n.ok("POST", "/api/v1/cases", body)["case"]["id"]

    def assert_no_canary(self, nodes):
        needles = [s.encode() for s in (CANARY_NAME, CANARY_ID, CANARY_PHONE,
                                        CANARY_ID.lower())]
        for n in nodes:
            for root, _, files in os.walk(n.dir):
                for f in files:
                    with open(os.path.join(root, f), "rb") as fh:
                        data = fh.read()
                    for needle in needles:
                        self.assertNotIn(needle, data, f"{needle!r} in clear in {root}/{f}")

    def test_search_by_each_field_odd_input(self):
        n = self.node().start()
        mine = self.canary_case(n)
        other = n.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        n.add_user("zhang", "clerk", name="张窗口")
        s = n.login("zhang")
        for field, typed in (("name", " 欧阳 金丝雀 "), ("name", fullwidth(CANARY_NAME)),
                             ("id_number", "110101 19850615 006x"),
                             ("id_number", fullwidth(CANARY_ID)),
                             ("phone", "139-1234-5678"), ("phone", fullwidth(CANARY_PHONE))):
            st, b = s.api("GET", q(**{field: typed}))
            self.assertEqual(st, 200, b)
            print(field, repr(typed), "->", [(c["id"], c["party_role"]) for c in b["cases"]])
            self.assertEqual(b["field"], field)
            self.assertEqual([c["id"] for c in b["cases"]], [mine])
            c = b["cases"][0]
            self.assertEqual((c["party_role"], c["party_role_name"]), ("applicant", "申请人"))
            self.assertEqual(c["status"], "open")
            self.assertEqual(b["elsewhere"]["cases"], 0)
        # 李四 (the respondent of both cases) is found in both, as respondent.
        b = n.ok("GET", q(name="李四"))
        self.assertEqual(sorted(c["id"] for c in b["cases"]), sorted([mine, other]))
        self.assertEqual({c["party_role_name"] for c in b["cases"]}, {"被申请人"})
        # X in lower case is the same ID number.
        self.assertEqual([c["id"] for c in n.ok("GET", q(id_number=IDS[0].lower()))["cases"]],
                         [other])
        # Nobody by that name: an empty answer, not an error.
        self.assertEqual(n.ok("GET", q(name="无此人"))["cases"], [])

        # Every search is recorded: who, when, which field; never the value.
        log = n.ok("GET", "/api/v1/parties/log")["searches"]
        self.assertEqual(len(log), 9)
        self.assertEqual(log[-1]["user"], "zhang")
        self.assertEqual(log[-1]["name"], "张窗口")
        self.assertEqual(log[-1]["field"], "name")
        self.assertEqual(log[0]["user"], "admin")
        self.assertEqual([e["field_name"] for e in log[-6:]][::-1],
                         ["姓名", "姓名", "身份证号", "身份证号", "电话", "电话"])
        self.assertTrue(all(e["time_ms"] > 0 for e in log))
        self.assertNotIn(CANARY_NAME, str(log))

        # The index lives through kill -9, as the case does.
        n.kill9()
        n.start()
        self.assertEqual([c["id"] for c in n.ok("GET", q(phone=CANARY_PHONE))["cases"]], [mine])
        key = os.path.join(n.dir, "search.key")
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)
        n.stop()
        self.assert_no_canary([n])

    def test_bad_queries_and_roles_refused(self):
        n = self.node().start()
        self.canary_case(n)
        for path, field in ((q(), "name"), (q(name=""), "name"), (q(name="　 "), "name"),
                            (q(name="张三", phone="1"), "phone"), (q(city="x"), "city"),
                            (q(id_number="1" * 300), "id_number")):
            st, b = n.api("GET", path)
            self.assertEqual(st, 400, path)
            self.assertEqual(b["error"]["field"], field, b)
            print(path, "->", b["error"]["message"])
        n.add_user("adm", "admin")
        n2 = self.node("t-zhen", "township", "镇").start()
        n2.add_user("lead", "leader")
        for node, user in ((n, "adm"), (n2, "lead")):
            st, b = node.login(user).api("GET", q(name=CANARY_NAME))
            self.assertEqual(st, 403, b)
            self.assertEqual(b["error"]["code"], "forbidden")
        # A refused search is not recorded; the log is the administrator's.
        self.assertEqual(n.ok("GET", "/api/v1/parties/log")["searches"], [])
        n.add_user("med", "mediator")
        st, _ = n.login("med").api("GET", "/api/v1/parties/log")
        self.assertEqual(st, 403)

    def test_cli_party_find(self):
        n = self.node().start()
        mine = self.canary_case(n)
        r = n.ctl("party", "find", "--id-number", "110101 19850615 006x", "--purpose", "办案")
        print(r.stdout)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(mine, r.stdout)
        self.assertIn("申请人", r.stdout)
        self.assertIn("办理中", r.stdout)
        self.assertIn("树上其他节点：无", r.stdout)
        got = n.ctl_json("party", "find", "--phone", "139 1234 5678", "--purpose", "办案")
        self.assertEqual([c["id"] for c in got["cases"]], [mine])
        r = n.ctl("party", "find", "--name", "无此人", "--purpose", "办案")
        self.assertIn("本节点：无此人的案件", r.stdout)
        r = n.ctl("party", "find", "--name", "a", "--phone", "1")
        self.assertEqual(r.returncode, 2)
        self.assertIn("只能按一项查询", r.stderr)
        r = n.ctl("party", "log")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.count("本机管理令牌（admin）"), 3)
        self.assertIn("身份证号", r.stdout)

    def test_cases_elsewhere_in_the_tree_by_pseudonym(self):
        county, towns, villages = self.tree((2,))
        v1, v2 = villages[0]
        a = self.canary_case(v1, village="村11")
        b = self.canary_case(v2, village="村12")
        town = towns[0]
        harness.wait_for(lambda: len(town.all_cases()) == 2, what="cases at the township")
        # The township holds neither file: no names, but the person's two cases, by village.
        got = town.ok("GET", q(id_number=CANARY_ID))
        print("township:", got["elsewhere"])
        self.assertEqual(got["cases"], [])
        self.assertEqual(got["elsewhere"]["cases"], 2)
        self.assertEqual(sorted((x["node_name"], x["cases"]) for x in got["elsewhere"]["nodes"]),
                         [("村11", 1), ("村12", 1)])
        # A village finds its own case by name; its pseudonym reaches no other village's.
        got = v1.ok("GET", q(name=CANARY_NAME))
        self.assertEqual([c["id"] for c in got["cases"]], [a])
        self.assertNotIn(b, str(got))
        for n in (county, town, v1, v2):
            n.stop()
        self.assert_no_canary([county, town, v1, v2])

    def test_case_moved_here_is_found_by_its_new_holder(self):
        county, towns, villages = self.tree((1,))
        v, town = villages[0][0], towns[0]
        cid = self.canary_case(v, village="村11")
        v.ok("POST", f"/api/v1/cases/{cid}/escalate", {"reason": "跨村纠纷"})

        def found(node):
            return [c["id"] for c in node.ok("GET", q(name=CANARY_NAME))["cases"]] == [cid]
        harness.wait_for(lambda: found(town), 20, "the escalated case found at the township")
        got = town.ok("GET", q(phone=CANARY_PHONE))["cases"]
        self.assertEqual([(c["id"], c["party_role"]) for c in got], [(cid, "applicant")])
        # The county got the case's events, not its file: it cannot find the person yet.
        self.assertEqual(county.ok("GET", q(name=CANARY_NAME))["cases"], [])
        # Escalated on while the county is down: found there once it is back and has it.
        county.kill9()
        town.ok("POST", f"/api/v1/cases/{cid}/escalate", {"reason": "涉及多部门"})
        county.start()
        harness.wait_for(lambda: found(county), 20, "the case found at the county")
        county.kill9()
        county.start()
        self.assertTrue(found(county))
        for n in (county, town, v):
            n.stop()
        self.assert_no_canary([county, town, v])


if __name__ == "__main__":
    harness.main()
