"""nodebench — what the benchmarks that run nodes (bench_network, bench_docs,
bench_reconnect, bench_tree) share: a parser with --bin and --tools as the integration tests take them,
to which a benchmark adds its own options; the run of its one test case, the process's exit
status saying whether it completed; and the machine's ceilings, measured in the same run to
be printed beside its figures."""
import argparse
import os
import subprocess
import sys
import tempfile
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


def machine(bench_dir):
    """(Ed25519 verifies per second on one core, durable LMDB commits per second of one
    record), measured now for about a second each by bench_log in bench_dir."""
    with tempfile.TemporaryDirectory(prefix="jiefen-machine-") as tmp:
        r = subprocess.run([os.path.join(bench_dir, "bench_log"), tmp, "1", "machine"],
                           capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"bench_log machine failed: {r.stderr.strip()}")
    verify, commits = r.stdout.split()
    return float(verify), float(commits)


def print_machine(bench_dir, when):
    """Prints the machine's ceilings measured now; returns its verifies per second."""
    verify, commits = machine(bench_dir)
    print(f"machine {when} (bench_log): one core verifies {verify:.0f} Ed25519 signatures/s; "
          f"the disk makes {commits:.0f} durable LMDB commits/s of one record")
    return verify
