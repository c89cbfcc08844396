"""Every intake rule: a bad request gets 400 naming the field, and nothing is stored."""
import copy
import socket
import json

import harness
from harness import NodeTest, intake, party


def without(body, key):
    b = copy.deepcopy(body)
    del b[key]
    return b


def with_party(**kw):
    return intake(parties=[party(0, **kw)])


def party_without(key):
    p = party(0)
    del p[key]
    return intake(parties=[p])


# (description, body or raw bytes, expected status, code, field)
CASES = [
    ("not JSON", b"{parties:", 400, "invalid_json", None),
    ("JSON array", b"[]", 400, "invalid_json", None),
    ("empty body", b"", 400, "invalid_json", None),
    ("no parties", without(intake(), "parties"), 400, "missing_field", "parties"),
    ("empty parties", intake(parties=[]), 400, "missing_field", "parties"),
    ("parties not a list", intake(parties="张三"), 400, "invalid_field", "parties"),
    ("21 parties", intake(parties=[party(0)] * 21), 400, "invalid_field", "parties"),
    ("party not an object", intake(parties=["张三"]), 400, "invalid_field", "parties[0]"),
    ("party name missing", party_without("name"), 400, "missing_field", "parties[0].name"),
    ("party name blank", with_party(name="   "), 400, "missing_field", "parties[0].name"),
    ("party name too long", with_party(name="张" * 65), 400, "invalid_field", "parties[0].name"),
    ("ID check digit", with_party(id_number="110101199003077578"), 400, "invalid_field",
     "parties[0].id_number"),
    ("ID 17 chars", with_party(id_number="11010119900307757"), 400, "invalid_field",
     "parties[0].id_number"),
    ("ID bad date", with_party(id_number="110101199002307574"), 400, "invalid_field",
     "parties[0].id_number"),
    ("ID not a string", with_party(id_number=110101199003077571), 400, "invalid_field",
     "parties[0].id_number"),
    ("ID missing", party_without("id_number"), 400, "missing_field", "parties[0].id_number"),
    ("phone letters", with_party(phone="1380013800a"), 400, "invalid_field", "parties[0].phone"),
    ("phone short", with_party(phone="138001380"), 400, "invalid_field", "parties[0].phone"),
    ("phone missing", party_without("phone"), 400, "missing_field", "parties[0].phone"),
    ("address missing", party_without("address"), 400, "missing_field", "parties[0].address"),
    ("bad role", with_party(role="judge"), 400, "invalid_field", "parties[0].role"),
    ("unknown party field", with_party(age=30), 400, "invalid_field", "parties[0].age"),
    ("second party bad", intake(parties=[party(0), party(1, id_number="440308199901011235")]),
     400, "invalid_field", "parties[1].id_number"),
    ("unknown category", intake(category="aliens"), 400, "invalid_field", "category"),
    ("category missing", without(intake(), "category"), 400, "missing_field", "category"),
    ("bad matter type", intake(matter_type="lawsuit"), 400, "invalid_field", "matter_type"),
    ("bad source", intake(source="pigeon"), 400, "invalid_field", "source"),
    ("empty summary", intake(summary=""), 400, "missing_field", "summary"),
    ("blank summary", intake(summary=" \u3000 "), 400, "missing_field", "summary"),
    ("summary too long", intake(summary="字" * 2001), 400, "invalid_field", "summary"),
    ("summary not text", intake(summary=12), 400, "invalid_field", "summary"),
    ("bad complexity", intake(complexity="hard"), 400, "invalid_field", "complexity"),
    ("complexity missing", without(intake(), "complexity"), 400, "missing_field", "complexity"),
    ("bad risk", intake(risk="purple"), 400, "invalid_field", "risk"),
    ("misspelt field", dict(intake(), sumary="x"), 400, "invalid_field", "sumary"),
    ("village too long", intake(village="村" * 65), 400, "invalid_field", "village"),
]

BAD_QUERIES = [
    ("status=lost", "status"), ("risk=purple", "risk"), ("category=x", "category"),
    ("from=2026-13-01", "from"), ("to=yesterday", "to"), ("limit=0", "limit"),
    ("limit=501", "limit"), ("limit=ten", "limit"), ("colour=red", "colour"),
    ("village=%ZZ", "village"),
]


class BadInput(NodeTest):
    def test_every_bad_intake_is_refused_and_changes_nothing(self):
        n = self.node(tier="township", node_id="t-xinzhen", name="新镇").start()
        s, before = n.api("GET", "/api/v1/status")
        for desc, body, status, code, field in CASES:
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            s, b = n.api("POST", "/api/v1/cases", raw=raw)
            print(f"  {desc:22} -> {s} {b['error'].get('field', '-') if isinstance(b, dict) else b}"
                  f" {b['error']['message'] if isinstance(b, dict) else ''}")
            self.assertEqual(s, status, desc)
            self.assertEqual(b["error"]["code"], code, desc)
            if field:
                self.assertEqual(b["error"]["field"], field, desc)
            self.assertTrue(b["error"]["message"], desc)
        s, after = n.api("GET", "/api/v1/status")
        self.assertEqual(after["log"], before["log"])
        self.assertEqual(after["cases"], before["cases"])
        # At a township, the village is required (it cannot be defaulted).
        body = intake()
        del body["village"]
        s, b = n.api("POST", "/api/v1/cases", body)
        self.assertEqual((s, b["error"]["field"]), (400, "village"))
        # And a good one still goes through afterwards.
        s, b = n.api("POST", "/api/v1/cases", intake())
        self.assertEqual(s, 201, b)

    def test_bad_queries_name_the_parameter(self):
        n = self.node().start()
        for q, field in BAD_QUERIES:
            s, b = n.api("GET", "/api/v1/cases?" + q)
            self.assertEqual((s, b["error"]["code"], b["error"]["field"]),
                             (400, "invalid_query", field), q)

    def test_http_level_errors(self):
        n = self.node().start()
        s, b = n.api("GET", "/api/v1/nothing")
        self.assertEqual((s, b["error"]["code"]), (404, "not_found"))
        s, b = n.api("DELETE", "/api/v1/cases")
        self.assertEqual((s, b["error"]["code"]), (405, "method_not_allowed"))
        # The limit is enforced from the headers, before any of the body is read.
        with socket.create_connection((n.host, n.port)) as c:
            c.sendall(f"POST /api/v1/cases HTTP/1.1\r\nHost: {n.host}:{n.port}\r\n"
                      f"Authorization: Bearer {n.token()}\r\n"
                      f"Content-Length: {1024 * 1024 + 1}\r\n\r\n".encode())
            self.assertIn(b" 413 ", c.recv(4096))
        s, b = n.api("GET", "/api/v1/status")
        self.assertEqual(b["cases"]["total"], 0)

    def test_cli_usage_errors(self):
        n = self.node().start()
        self.assertEqual(n.ctl("case", "frobnicate").returncode, 2)
        self.assertEqual(n.ctl("case", "new", "--json", "/nonexistent.json").returncode, 2)
        r = n.ctl("case", "new", "--category", "aliens", "--matter-type", "petition",
                  "--source", "walk_in", "--summary", "x", "--complexity", "simple",
                  "--party", "name=张三,id=11010519491231002X,phone=13800138000,address=东村")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("category", r.stderr)


if __name__ == "__main__":
    harness.main()
