"""Early warnings a page at a time (GET /api/v1/warnings): newest first, bounded by local
dates and a limit, the next page from the cursor of the last; with the clock moved so that
some warnings are two days old."""
import datetime

import harness
from harness import NodeTest, intake

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
DAY_MS = 86400000


class WarningPages(NodeTest):
    def page(self, node, query):
        return node.ok("GET", "/api/v1/warnings?" + query)

    def red(self, node):
        return node.ok("POST", "/api/v1/cases", intake(risk="red"))["case"]["id"]

    def test_bounded_newest_first_in_pages(self):
        v = self.node("v-dongcun", "village", "东村")
        v.env["JIEFEN_CLOCK_OFFSET_MS"] = str(-2 * DAY_MS)
        v.start()
        old = [self.red(v) for _ in range(2)]   # two days ago
        v.stop()
        v.env["JIEFEN_CLOCK_OFFSET_MS"] = "0"
        v.start()
        new = [self.red(v) for _ in range(3)]   # today
        newest_first = list(reversed(old + new))

        everything = self.page(v, "")
        self.assertEqual([w["case_id"] for w in everything["warnings"]], newest_first)
        self.assertEqual((everything["total"], everything["next"]), (5, None))

        # Pages of two: 2 + 2 + 1, each going on below the last one shown.
        got, query, pages = [], "limit=2", 0
        while True:
            p = self.page(v, query)
            got += [w["case_id"] for w in p["warnings"]]
            pages += 1
            if not p["next"]:
                break
            self.assertEqual(len(p["warnings"]), 2)
            query = "limit=2&before=" + p["next"]
        self.assertEqual((got, pages), (newest_first, 3))

        # By local date: today's three, the two of two days ago, none tomorrow.
        today = datetime.datetime.now(SHANGHAI).date()
        before = today - datetime.timedelta(days=2)
        tomorrow = today + datetime.timedelta(days=1)
        self.assertEqual([w["case_id"] for w in self.page(v, f"from={today}")["warnings"]],
                         list(reversed(new)))
        p = self.page(v, f"from={before}&to={before}")
        self.assertEqual([w["case_id"] for w in p["warnings"]], list(reversed(old)))
        self.assertEqual(p["total"], 5)   # every warning here, whatever the bounds
        self.assertEqual(self.page(v, f"from={tomorrow}")["warnings"], [])
        # A page within the bounds stops at them: the last of today's has no next page.
        p = self.page(v, f"from={today}&limit=3")
        self.assertEqual((len(p["warnings"]), p["next"]), (3, None))
        p = self.page(v, f"from={today}&limit=2")
        p = self.page(v, f"from={today}&limit=2&before={p['next']}")
        self.assertEqual(([w["case_id"] for w in p["warnings"]], p["next"]), ([new[0]], None))

        for query, field in (("limit=0", "limit"), ("limit=501", "limit"), ("limit=x", "limit"),
                             ("before=zz", "before"), ("before=00", "before"),
                             ("from=2026-13-01", "from"), ("to=yesterday", "to")):
            s, b = v.api("GET", "/api/v1/warnings?" + query)
            self.assertEqual((s, b["error"]["code"], b["error"]["field"]),
                             (400, "invalid_query", field), query)
        v.stop()   # a clean exit: under the sanitizers, nothing leaked


if __name__ == "__main__":
    harness.main()
