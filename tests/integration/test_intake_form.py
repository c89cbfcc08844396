"""What the intake form and the session warning need of a real jiefend (issue 14, items 4
and 6): every field error in one 400, ID numbers made plain before the check, one ID number
once per case, the form's limits, the node's deadline policy and its courts in GET /api/v1/reference;
a session's end told without extending it (GET /api/v1/session/expiry) and refreshed on
demand (POST /api/v1/session/touch), checked across restarts with the clock moved
(JIEFEN_CLOCK_OFFSET_MS)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import NodeTest, intake, party  # noqa: E402

MINUTE = 60 * 1000


def append_config(node, text):
    with open(os.path.join(node.dir, "jiefend.conf"), "a") as f:
        f.write("\n" + text.strip() + "\n")


def restart(node, offset_ms=0):
    node.stop()
    node.env["JIEFEN_CLOCK_OFFSET_MS"] = str(int(offset_ms))
    return node.start()


def events(node):
    return node.ok("GET", "/api/v1/status")["log"]["events"]


class IntakeForm(NodeTest):
    def test_every_error_at_once_and_nothing_stored(self):
        n = self.node("v-dongcun", "village", "东村").start()
        before = events(n)
        body = intake(parties=[party(0, name="", id_number="110101199003077572"),
                               party(1, phone="12345")],
                      category="宅基地", summary="字" * 2001)
        del body["complexity"]
        s, b = n.api("POST", "/api/v1/cases", body)
        print(s, b)
        self.assertEqual(s, 400)
        got = [(e["field"], e["code"]) for e in b["error"]["errors"]]
        self.assertEqual(got, [("parties[0].name", "missing_field"),
                               ("parties[0].id_number", "invalid_field"),
                               ("parties[1].phone", "invalid_field"),
                               ("category", "invalid_field"),
                               ("summary", "invalid_field"),
                               ("complexity", "missing_field")])
        msgs = {e["field"]: e["message"] for e in b["error"]["errors"]}
        self.assertIn("校验位", msgs["parties[0].id_number"])
        self.assertEqual(msgs["summary"], "过长：最多2000个字，现有2001个字")
        # The first is the error as before, for clients that show one.
        self.assertEqual((b["error"]["field"], b["error"]["code"]),
                         ("parties[0].name", "missing_field"))
        self.assertEqual(events(n), before)

    def test_id_numbers_made_plain_and_one_person_once(self):
        n = self.node("v-dongcun", "village", "东村").start()
        pasted = "１１０１０５ １９４９１２３１ ００２ｘ"  # full-width, spaces, a small x
        c = n.ok("POST", "/api/v1/cases", intake(parties=[party(0, id_number=pasted), party(1)]))
        got = n.ok("GET", "/api/v1/cases/" + c["case"]["id"])
        self.assertEqual(got["parties"][0]["id_number"], "11010519491231002X")
        # The same person as both parties, written two ways: refused beside the second.
        before = events(n)
        s, b = n.api("POST", "/api/v1/cases",
                     intake(parties=[party(0), party(1, id_number="11010519491231002x ")]))
        print(s, b)
        self.assertEqual((s, b["error"]["field"]), (400, "parties[1].id_number"))
        self.assertEqual(b["error"]["message"],
                         "与当事人1的身份证号码相同：同一人在一个案件中只能登记一次")
        self.assertEqual(events(n), before)

    def test_reference_tells_limits_and_deadline_policy(self):
        n = self.node("v-dongcun", "village", "东村").start()
        ref = n.ok("GET", "/api/v1/reference")["intake"]
        print(ref)
        self.assertEqual(ref["limits"], {"name": 64, "id_number": 18, "phone": 16,
                                         "address": 200, "village": 64, "summary": 2000,
                                         "parties": 20, "external_ref": 64})
        self.assertEqual(ref["deadline"], {"working_days": False, "simple_days": 3,
                                           "complex_days": 7})
        self.assertEqual(n.ok("GET", "/api/v1/reference")["courts"], [])
        append_config(n, "[limits]\nworking_days = yes\nsimple_days = 5\ncomplex_days = 15")
        # The courts 司法确认 may go to: kind = court only, in config order, by title.
        append_config(n, "[interop]\n12345.key = a-hotline-secret-1\n"
                         "court_xc.key = a-court-secret-xc\ncourt_xc.kind = court\n"
                         "court_dc.key = a-court-secret-dc\ncourt_dc.kind = court\n"
                         "court_dc.title = 东城区人民法院")
        restart(n)
        ref = n.ok("GET", "/api/v1/reference")
        print(ref["courts"])
        self.assertEqual(ref["intake"]["deadline"],
                         {"working_days": True, "simple_days": 5, "complex_days": 15})
        self.assertEqual(ref["courts"], [{"code": "court_xc", "name": "court_xc"},
                                         {"code": "court_dc", "name": "东城区人民法院"}])

    def test_session_end_told_without_extending_it_and_touched(self):
        n = self.node("v-dongcun", "village", "东村").start()
        append_config(n, "[console]\nsession_idle_minutes = 30")
        restart(n)
        n.add_user("zhang", "clerk", name="张三")
        a = n.login("zhang")
        login_end = a.info["expires_ms"]
        self.assertEqual(a.info["idle_ms"], 30 * MINUTE)
        self.assertLessEqual(login_end - a.info["now_ms"], 30 * MINUTE)
        # 20 minutes later a look at the end does not move it.
        restart(n, 20 * MINUTE)
        s, b = a.api("GET", "/api/v1/session/expiry")
        print("expiry at +20 min:", s, b)
        self.assertEqual((s, b["expires_ms"]), (200, login_end))
        # 31 minutes after the login, with only looks since: ended.
        restart(n, 31 * MINUTE)
        s, b = a.api("GET", "/api/v1/session/expiry")
        self.assertEqual((s, b["error"]["code"]), (401, "session_expired"))

        b2 = n.login("zhang")
        restart(n, 51 * MINUTE)
        s, t = b2.api("POST", "/api/v1/session/touch")
        print("touch at +51 min:", s, t)
        self.assertEqual(s, 200)
        self.assertEqual(t["expires_ms"] - t["now_ms"] > 29 * MINUTE, True)
        self.assertGreater(t["expires_ms"], b2.info["expires_ms"])
        # 31 minutes after the login but 11 after the touch: still signed in.
        restart(n, 62 * MINUTE)
        s, b = b2.api("GET", "/api/v1/session/expiry")
        self.assertEqual((s, b["expires_ms"]), (200, t["expires_ms"]))
        # The touch needs the CSRF token like any change.
        s, b = b2.api("POST", "/api/v1/session/touch", csrf="wrong")
        self.assertEqual((s, b["error"]["code"]), (403, "csrf"))
        restart(n, 82 * MINUTE)
        s, b = b2.api("GET", "/api/v1/session")
        self.assertEqual((s, b["error"]["code"]), (401, "session_expired"))

    def test_token_has_no_session_to_touch(self):
        n = self.node("v-dongcun", "village", "东村").start()
        s, b = n.api("POST", "/api/v1/session/touch")
        self.assertEqual((s, b["error"]["code"]), (400, "no_session"))


if __name__ == "__main__":
    harness.main()
