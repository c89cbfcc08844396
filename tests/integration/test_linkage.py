"""Linkage without ID numbers (issue 17 item 5, docs/ledger.md) on a real village: cases
taken in with the county's linkage key carry tags of the normalised ID numbers, the court's
filings come in by tag through jiefenctl (a bad one refused, nothing stored), and
`jiefenctl ledger` shows 初信初访, 重复信访, 万人成讼率 and 无讼村居 with the right numbers;
no ID number is in any file of the node."""
import datetime
import hashlib
import json
import os

import harness
from harness import IDS, NodeTest, intake, party

KEY = "5a" * 32


def tag(id_number):
    """The tag as the court computes it (docs/interop.md): keyed BLAKE2b-128, hex."""
    return hashlib.blake2b(id_number.encode(), digest_size=16,
                           key=bytes.fromhex(KEY)).hexdigest()


class Linkage(NodeTest):
    def village(self):
        key = os.path.join(self.root, "linkage.key")
        with open(os.open(key, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(KEY + "\n")
        n = self.node()
        with open(os.path.join(n.dir, "jiefend.conf"), "a") as f:
            f.write(f"\n[linkage]\nkey_file = {key}\npopulation = 2000\n")
        return n.start()

    def test_rates_from_tags_never_numbers(self):
        n = self.village()
        # Person 0 in two cases (the second typed with spaces and a lower-case x).
        n.ok("POST", "/api/v1/cases", intake(parties=[party(0), party(1)]))
        n.ok("POST", "/api/v1/cases",
             intake(parties=[party(0, id_number=" " + IDS[0][:6] + " " + IDS[0][6:].lower()),
                             party(2)]))
        k = n.ctl_json("ledger")["ledger"]["linkage"]
        self.assertEqual((k["linked_cases"], k["first_cases"], k["first_resolved"]), (2, 1, 0))
        self.assertEqual((k["repeat_persons"], k["repeat_cases"]), (1, 2))
        self.assertEqual(k["villages"]["v-dongcun"]["filings"], 0)
        self.assertEqual(k["no_lawsuit_villages"], ["v-dongcun"])

        # The first day of the period, a local date whatever the zone (±12 h).
        start = n.ctl_json("ledger")["ledger"]["from_ms"] + 12 * 3600_000
        day = datetime.datetime.fromtimestamp(start / 1000, datetime.timezone.utc).date()
        filing = {"tag": tag(IDS[0]), "village": "v-dongcun", "date": day.isoformat()}
        bad = os.path.join(self.root, "bad.json")
        with open(bad, "w") as f:
            json.dump({"filings": [filing, dict(filing, tag=IDS[0])]}, f)
        r = n.ctl("interop", "filings", bad)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("第 2 条起诉登记的关联标记", r.stderr)
        good = os.path.join(self.root, "good.json")
        with open(good, "w") as f:
            json.dump({"filings": [filing]}, f)
        r = n.ctl("interop", "filings", good)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("已收到起诉登记 1 条，新增 1 条", r.stdout)

        r = n.ctl("ledger")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = " ".join(r.stdout.split())
        self.assertIn("初信初访一次性化解率: 0.0%（初信初访 1 件，首次受理地化解 0 件）", out)
        self.assertIn("重复信访: 1 人，涉及 2 件", out)
        self.assertIn("东村 2000 1 5.00", out)
        self.assertIn("无讼村居: 无", out)

        n.stop()
        needles = [s.encode() for s in IDS + [IDS[0].lower(), IDS[0][6:].lower()]]
        for root, _, files in os.walk(n.dir):
            for name in files:
                with open(os.path.join(root, name), "rb") as fh:
                    data = fh.read()
                for needle in needles:
                    self.assertNotIn(needle, data, f"{needle!r} in clear in {root}/{name}")


if __name__ == "__main__":
    harness.main()
