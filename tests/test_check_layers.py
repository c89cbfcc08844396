"""The layer check fails where it should: a copy of the tree with one wrong thing put in
at a time (an include and a call across a forbidden direction, an mdb_* call in the domain,
a call loop, an import loop in the console, a file over 800 lines) must fail, naming the
file, the line and the rule; the tree as it is must pass."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CHECK = os.path.join(HERE, "check_layers.py")


def run(root):
    r = subprocess.run([sys.executable, CHECK, root], capture_output=True, text=True)
    return r.returncode, r.stdout


class LayerCheck(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="jiefen-layers-")
        for top in ("common", "node", "console/web"):
            shutil.copytree(os.path.join(ROOT, top), os.path.join(self.tmp, top))

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def append(self, rel, text):
        with open(os.path.join(self.tmp, rel), "a") as f:
            f.write(text)
        with open(os.path.join(self.tmp, rel)) as f:
            return f.read().count("\n")

    def fails_with(self, *parts):
        rc, out = run(self.tmp)
        print(out.strip().splitlines()[0] if out.strip() else "(nothing)")
        self.assertEqual(rc, 1, out)
        self.assertTrue(any(all(p in line for p in parts) for line in out.splitlines()), out)

    def test_tree_passes(self):
        rc, out = run(ROOT)
        self.assertEqual(rc, 0, out)

    def test_include_up(self):
        line = self.append("node/case/case.c", '#include "api/api.h"\n')
        self.fails_with(f"node/case/case.c:{line}:", '"api/api.h"', "case/ may depend only on")

    def test_include_of_the_node(self):
        line = self.append("node/log/fold.c", '#include "node.h"\n')
        self.fails_with(f"node/log/fold.c:{line}:", "log/ may depend only on common")

    def test_call_up_without_include(self):
        line = self.append("node/log/eventlog.c",
                           "int intake_apply(void *tx, void *arg);\n"
                           "static int up(void) { return intake_apply(0, 0); }\n")
        self.fails_with(f"node/log/eventlog.c:{line}:", "calls intake_apply() of case/")

    def test_zeromq_in_the_domain(self):
        line = self.append("node/case/deadline.c", "#include <zmq.h>\n")
        self.fails_with(f"node/case/deadline.c:{line}:", "includes <zmq.h>", "link, node/")

    def test_cli_reaches_the_store(self):
        line = self.append("node/cli/msg.c", '#include "store.h"\n')
        self.fails_with(f"node/cli/msg.c:{line}:", "cli/ may depend only on common/archcheck, common/receipt, common/utf8")

    def test_mdb_in_the_domain(self):
        line = self.append("node/report/ledger.c",
                           "static void raw(MDB_txn *t) { mdb_txn_abort(t); }\n")
        self.fails_with(f"node/report/ledger.c:{line}:", "calls mdb_txn_abort", "common/store.h")

    def test_call_loop(self):
        self.append("node/case/party.c",
                    "int intake_loop_a(void);\nint party_loop_b(void)\n{\n    return intake_loop_a();\n}\n")
        self.append("node/case/intake.c",
                    "int party_loop_b(void);\nint intake_loop_a(void)\n{\n    return party_loop_b();\n}\n")
        self.fails_with("call loop among", "node/case/party.c", "-> node/case/intake.c (intake_loop_a)")

    def test_import_loop(self):
        self.append("console/web/ui.js", "import { go } from './app.js';\n")
        self.fails_with("import loop", "console/web/app.js", "console/web/ui.js")

    def test_file_too_long(self):
        self.append("node/case/route.c", "/* padding */\n" * 800)
        self.fails_with("node/case/route.c:801:", "no source file is over 800")


if __name__ == "__main__":
    unittest.main(verbosity=2)
