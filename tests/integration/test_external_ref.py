"""信息互通 (issue 17), the gaps of items 1-2: the hotline's ticket number typed at the
intake window (external_ref, API and jiefenctl) is kept on the case, a malformed one is
refused naming the field and makes nothing; the external number and system travel up IN
the case's events, so the township sees them, for a typed number and a 12345 work order
alike; and a work order's case escalated from the village sends its 回单 once, result
`transferred`, to the mock 12345 system."""
import harness
import test_interop
from harness import NodeTest, intake, wait_for

FAILED = {"mediator": "王调解", "date": "2026-01-05", "method": "people", "outcome": "failed"}


def external_at(node, cid):
    """The case's external number as node sees it, once the case has reached it."""
    s, b = node.api("GET", "/api/v1/cases/" + cid)
    return b["case"]["external"] if s == 200 else None


class ExternalRef(NodeTest):
    def test_typed_and_ordered_numbers_travel_up_and_transferred_receipt(self):
        hotline = test_interop.Hotline()
        self.addCleanup(hotline.stop)
        town = self.node("t1", "township", "镇1", listen=True).start()
        town.ok("POST", "/api/v1/enrol/root")
        v = self.node("v11", "village", "东村")
        test_interop.interop_config(v, hotline)
        v.start()
        self.enrol(town, v)

        # Typed at the window (API): the hotline's number, its system from the source.
        typed = v.ok("POST", "/api/v1/cases", intake(source="hotline_12345",
                                                     external_ref="RX-2026-0001"))["case"]
        self.assertEqual(typed["external"],
                         {"system": "12345", "ref": "RX-2026-0001", "system_name": "12345热线"})
        # A malformed number is refused naming the field; nothing is made.
        before = len(v.cases())
        s, e = v.api("POST", "/api/v1/cases", intake(external_ref="RX 2026/1"))
        self.assertEqual((s, e["error"]["code"], e["error"]["field"]),
                         (400, "invalid_field", "external_ref"))
        self.assertIn("字母、数字", e["error"]["message"])
        self.assertEqual(len(v.cases()), before)
        # jiefenctl: --external-ref, shown by case show.
        r = v.ctl("case", "new", "--category", "land_contract", "--matter-type",
                  "dispute_mediation", "--source", "walk_in", "--summary", "承包地边界争议",
                  "--complexity", "simple", "--external-ref", "XF-77",
                  "--party", "role=applicant,name=张三,id=11010519491231002X,phone=13800138000,address=东村3组")
        self.assertEqual(r.returncode, 0, r.stderr)
        cli_case = r.stdout.strip().split()[-1]
        shown = v.ctl("case", "show", cli_case)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertRegex(shown.stdout, r"外部工单号:\s+XF-77")

        # A work order: its system and number are in its case too.
        s, b = test_interop.signed(v, test_interop.order("GD-T-1"))
        self.assertEqual(s, 201, b)
        order_case = b["case_id"]
        self.assertEqual(external_at(v, order_case)["ref"], "GD-T-1")
        # The township sees both numbers: they came up in the events.
        wait_for(lambda: external_at(town, typed["id"]), 20, "the typed case at the township")
        self.assertEqual(external_at(town, typed["id"])["ref"], "RX-2026-0001")
        wait_for(lambda: external_at(town, order_case), 20, "the order's case at the township")
        self.assertEqual(external_at(town, order_case),
                         {"system": "12345", "ref": "GD-T-1", "system_name": "12345热线"})

        # Three failed attempts escalate the order's case: its 回单 says transferred, once.
        for _ in range(3):
            r = v.ok("POST", f"/api/v1/cases/{order_case}/attempts", FAILED)
        self.assertEqual(r["rule"], "escalated")
        rc = wait_for(lambda: (lambda x: x if x and x["status"] == "sent" else None)(
            test_interop.receipt_of(v, order_case)), 30, "the transferred 回单 sent")
        self.assertEqual((rc["result"], rc["result_name"]), ("transferred", "已转上级办理"))
        self.assertEqual([m["result"] for m in hotline.accepted["GD-T-1"]], ["transferred"])
        self.assertEqual(hotline.accepted["GD-T-1"][0]["case_id"], order_case)
        self.assertEqual(hotline.bad, 0)
        # The township holds it now, with the order's number.
        wait_for(lambda: (lambda s_b: s_b[0] == 200 and s_b[1]["case"]["where"] == "here")(
            town.api("GET", "/api/v1/cases/" + order_case)), 20, "the case held at the township")
        self.assertEqual(external_at(town, order_case)["ref"], "GD-T-1")


if __name__ == "__main__":
    harness.main()
