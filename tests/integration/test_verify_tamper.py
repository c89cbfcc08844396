"""verify notices a flipped byte in the store file, a missing event and a broken chain."""
import os
import subprocess

import harness
from harness import NodeTest, intake


class VerifyTamper(NodeTest):
    def three_cases(self):
        n = self.node().start()
        for s in ("第一件", "TAMPERME 第二件", "第三件"):
            st, b = n.api("POST", "/api/v1/cases", intake(summary=s))
            self.assertEqual(st, 201)
        r = n.ctl("verify")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        n.stop()
        return n

    def verify_fails(self, n, *expected):
        n.start()
        r = n.ctl("--json", "verify")
        print("  " + r.stdout.replace("\n", "\n  "))
        self.assertEqual(r.returncode, 4, r.stderr)
        for what in expected:
            self.assertIn(what, r.stdout)
        self.assertIn("v-dongcun-", r.stdout)

    def test_flipped_byte_in_store_file(self):
        n = self.three_cases()
        path = os.path.join(n.dir, "store", "data.mdb")
        # LMDB copies pages on write, so stale copies of the text may sit in free pages:
        # damage every copy, as a bad disk sector or an editor would.
        with open(path, "r+b") as f:
            data = f.read()
            hits = [i for i in range(len(data)) if data.startswith(b"TAMPERME", i)]
            self.assertTrue(hits)
            for at in hits:
                f.seek(at)
                f.write(b"D")
        self.verify_fails(n)

    def tamper(self, n, *args):
        r = harness.run([os.path.join(harness.TOOLS, "tamper"), n.dir, *args])
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_missing_event(self):
        n = self.three_cases()
        self.tamper(n, "delete", "v-dongcun", "3")  # seq 1 is node_created
        self.verify_fails(n, "gap in sequence", "view differs")

    def test_broken_chain_with_valid_signatures(self):
        n = self.three_cases()
        self.tamper(n, "relink", "v-dongcun", "3")
        self.verify_fails(n, "broken hash chain")


if __name__ == "__main__":
    harness.main()
