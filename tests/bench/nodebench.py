"""nodebench — the command line of the benchmarks that run nodes (bench_network, bench_docs,
bench_reconnect): a parser with --bin and --tools as the integration tests take them, to
which a benchmark adds its own options, and the run of its one test case, the process's
exit status saying whether it completed."""
import argparse
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import harness  # noqa: E402


def parser():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--tools", required=True)
    return ap


def run(bench, args):
    """Runs bench (a NodeTest class) with the nodes of args.bin and the tools of args.tools,
    then exits."""
    harness.BIN, harness.TOOLS = os.path.abspath(args.bin), os.path.abspath(args.tools)
    res = unittest.TextTestRunner(verbosity=0).run(bench())
    sys.exit(0 if res.wasSuccessful() else 1)
