"""A real network partition between a village and its township: each runs in its own
network namespace, joined by a veth pair; the link is taken down and brought back up.

While cut off the village keeps taking in cases: they stay local and show as a backlog in
its status. When the link heals it catches up by itself: the township ends up with every
case exactly once, and verify is ok at both ends. No TCP reset ever reaches either side
(the cable is pulled, not the process killed), so this also exercises the links' own
heartbeats and reconnection. A second test pulls the cable for a moment only, shorter
than the heartbeat timeout.

Needs root and `ip netns` (iproute2); otherwise it says why and skips. Nothing leaves the
two namespaces: each node's HTTP API is on 127.0.0.1 inside its own namespace (the test
reaches it by entering the namespace, setns(2), for each request), and the link runs over
the veth pair's 10.213.X.0/30. Namespaces, veth and processes are removed whatever
happens (tearDown, cleanups, atexit; the daemons also die with the test process).
"""
import atexit
import contextlib
import ctypes
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

import harness
from harness import Node, NodeTest, intake, wait_for

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "setns: " + os.strerror(e))


@contextlib.contextmanager
def in_netns(name):
    """Runs the block in network namespace `name` (this thread only): sockets made inside
    belong to it for good."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = None
    try:
        target = os.open(f"/run/netns/{name}", os.O_RDONLY)
        _setns(target)
        try:
            yield
        finally:
            _setns(home)
    finally:
        os.close(home)
        if target is not None:
            os.close(target)


def _die_with_parent():
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def ip(*args, check=True):
    r = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if check and r.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {r.stderr.strip()}")
    return r


class NsNode(Node):
    """A jiefend running in network namespace `ns` (`ip netns exec`, which execs, so the
    PID is jiefend's), its API on 127.0.0.1 there. Optionally listens for children at
    `link_listen`."""

    def __init__(self, root, ns, node_id, tier, name, link_listen=None):
        self.ns = ns
        self.dir = os.path.join(root, node_id)
        self.id = node_id
        self.proc = None
        self.log_path = os.path.join(root, node_id + ".log")
        self.env = dict(os.environ)
        self.endpoint = link_listen
        argv = [harness.jiefend(), "init", "--data", self.dir, "--tier", tier, "--id",
                node_id, "--name", name, "--http", "127.0.0.1:0"]
        if link_listen:
            argv += ["--link-listen", link_listen]
        r = harness.run(argv)
        assert r.returncode == 0, r.stderr

    def start(self, wait=True):
        try:
            os.unlink(os.path.join(self.dir, "jiefend.addr"))
        except FileNotFoundError:
            pass
        with open(self.log_path, "a") as log:
            self.proc = subprocess.Popen(
                ["ip", "netns", "exec", self.ns, harness.jiefend(), "--data", self.dir],
                stdout=log, stderr=subprocess.STDOUT, env=self.env,
                preexec_fn=_die_with_parent)
        harness._procs.append(self.proc)
        if wait:
            wait_for(lambda: self.proc.poll() is not None or self.addr_ready(), 20,
                     f"{self.id} to listen")
            assert self.proc.poll() is None, self.log()
        return self

    def api(self, *args, **kw):
        with in_netns(self.ns):
            return super().api(*args, **kw)

    def ctl(self, *args, stdin=None):
        return harness.run(["ip", "netns", "exec", self.ns, harness.jiefenctl(), "--data",
                            self.dir, *args], stdin=stdin)


class Partition:
    """Two namespaces jf-t-PID and jf-v-PID joined by veth jftPID (10.213.X.1/30) and
    jfvPID (10.213.X.2/30). close() is idempotent."""

    def __init__(self):
        pid = os.getpid()
        self.ns_t, self.ns_v = f"jf-t-{pid}", f"jf-v-{pid}"
        self.if_t, self.if_v = f"jft{pid}", f"jfv{pid}"
        x = pid % 256
        self.addr_t, self.addr_v = f"10.213.{x}.1", f"10.213.{x}.2"
        self.made = []

    def open(self):
        for ns in (self.ns_t, self.ns_v):
            ip("netns", "add", ns)
            self.made.append(ns)
        # Made inside the namespaces: the veth never appears in ours.
        ip("-n", self.ns_t, "link", "add", self.if_t, "type", "veth", "peer", "name",
           self.if_v, "netns", self.ns_v)
        for ns, dev, addr in ((self.ns_t, self.if_t, self.addr_t),
                              (self.ns_v, self.if_v, self.addr_v)):
            ip("-n", ns, "addr", "add", addr + "/30", "dev", dev)
            ip("-n", ns, "link", "set", "lo", "up")
            ip("-n", ns, "link", "set", dev, "up")

    def cut(self):
        ip("-n", self.ns_v, "link", "set", self.if_v, "down")

    def heal(self):
        ip("-n", self.ns_v, "link", "set", self.if_v, "up")

    def close(self):
        while self.made:
            ip("netns", "del", self.made.pop(), check=False)


def _sweep_stale_namespaces():
    """Namespaces of earlier runs of this test whose process is gone (killed -9)."""
    r = ip("netns", "list", check=False)
    for line in r.stdout.splitlines():
        m = re.match(r"(jf-[tv]-(\d+))\b", line)
        if m and not os.path.exists(f"/proc/{m.group(2)}"):
            ip("netns", "del", m.group(1), check=False)


def village_cases(node, village):
    return [c for c in node.all_cases() if c["opened_at_node"] == village]


class PartitionTest(NodeTest):
    def setUp(self):
        if os.geteuid() != 0:
            self._skip("needs root to make network namespaces")
        if not shutil.which("ip"):
            self._skip("needs iproute2's ip")
        _sweep_stale_namespaces()
        self.net = Partition()
        self.addCleanup(self.net.close)
        atexit.register(self._at_exit)
        try:
            self.net.open()
        except (RuntimeError, OSError) as e:
            self.net.close()
            self._skip(f"cannot make network namespaces ({e})")
        super().setUp()

    def _skip(self, reason):
        print(f"test_network_partition: skipped: {reason}", file=sys.stderr)
        raise unittest.SkipTest(reason)

    def _at_exit(self):
        for n in getattr(self, "nodes", []):
            if n.proc and n.proc.poll() is None:
                n.proc.kill()
                n.proc.wait()
        self.net.close()

    def node_in(self, ns, *a, **kw):
        n = NsNode(self.root, ns, *a, **kw)
        self.nodes.append(n)
        return n

    def pair(self):
        """The township (root of this small tree) listening on its veth address, and the
        village enrolled under it and linked."""
        net = self.net
        town = self.node_in(net.ns_t, "t-xinzhen", "township", "新镇",
                            link_listen=f"tcp://{net.addr_t}:7900").start()
        town.ok("POST", "/api/v1/enrol/root")
        vil = self.node_in(net.ns_v, "v-dongcun", "village", "东村").start()
        self.enrol(town, vil)
        wait_for(lambda: (vil.links()["parent"] or {}).get("online"), 20, "village online")
        return town, vil

    def test_partitioned_village_keeps_working_and_catches_up_exactly_once(self):
        net = self.net
        t0 = time.monotonic()

        def mark(what):
            print(f"  {time.monotonic() - t0:6.2f} s  {what}", file=sys.stderr)

        town, vil = self.pair()
        mark("township and village up in their namespaces, linked over the veth")

        # Connected: cases travel up.
        before = [vil.ok("POST", "/api/v1/cases", intake(summary=f"连通时第{i}件"))["case"]["id"]
                  for i in range(5)]
        wait_for(lambda: {c["id"] for c in town.cases()} >= set(before), 20,
                 "the first cases at the township")
        mark(f"{len(before)} cases at the township")

        # The cable is pulled while the village streams intakes: some are in flight.
        burst = []

        def stream():
            for i in range(150):
                burst.append(vil.ok("POST", "/api/v1/cases",
                                    intake(summary=f"断网前后第{i}件"))["case"]["id"])
        streamer = threading.Thread(target=stream)
        streamer.start()
        try:
            wait_for(lambda: len(burst) >= 40 or not streamer.is_alive(), 30, "the stream")
            net.cut()
            mark(f"link cut after {len(burst)} of 150 streamed intakes")
        finally:
            streamer.join()
        self.assertEqual(len(burst), 150)
        during = [vil.ok("POST", "/api/v1/cases", intake(summary=f"断网中第{i}件"))["case"]["id"]
                  for i in range(30)]
        # Both ends notice (no reset arrives: heartbeats have to tell them).
        wait_for(lambda: not vil.links()["parent"]["online"], 20, "village sees parent offline")
        wait_for(lambda: not town.links()["children"][0]["online"], 20,
                 "township sees child offline")
        mark("both ends see the link offline")
        during += [vil.ok("POST", "/api/v1/cases", intake(summary=f"离线后第{i}件"))["case"]["id"]
                   for i in range(20)]
        # Everything is taken in and kept at the village, with its parties...
        at_village = {c["id"] for c in village_cases(vil, "v-dongcun")}
        self.assertTrue(at_village >= set(before + burst + during))
        shown = vil.ok("GET", "/api/v1/cases/" + during[-1])
        self.assertEqual(len(shown["parties"]), 2)
        # ...none of it crosses the cut...
        at_town = {c["id"] for c in town.all_cases()}
        self.assertFalse(at_town & set(during), "cases crossed a cut link")
        # ...and the village's status shows what waits to go up.
        up = vil.links()["parent"]
        self.assertFalse(up["online"])
        self.assertGreaterEqual(up["backlog_up"], len(during))
        self.assertIsNotNone(up["backlog_up_oldest_ms"])
        r = vil.ctl("status")
        self.assertEqual(r.returncode, 0, r.stderr)
        mark(f"{len(during)} more cases taken in during the partition; backlog_up "
             f"{up['backlog_up']}")

        net.heal()
        mark("link healed")
        want = set(before + burst + during)

        def caught_up():
            cs = village_cases(town, "v-dongcun")
            return cs if {c["id"] for c in cs} >= want else None
        got = wait_for(caught_up, 90, "every case at the township after the heal")
        mark(f"township has all {len(want)} cases")
        ids = [c["id"] for c in got]
        self.assertEqual(len(ids), len(set(ids)), "a case arrived twice")
        self.assertEqual(set(ids), want)
        wait_for(lambda: vil.links()["parent"]["backlog_up"] == 0, 30, "backlog drained")
        wait_for(lambda: vil.links()["parent"]["online"], 30, "village sees parent online")
        wait_for(lambda: town.links()["children"][0]["online"], 30, "township sees child")

        # The live path works again, and nothing was refused on the way.
        after = vil.ok("POST", "/api/v1/cases", intake(summary="恢复后"))["case"]["id"]
        wait_for(lambda: any(c["id"] == after for c in town.all_cases()), 20,
                 "a case after the heal")
        self.assertEqual(vil.links()["parent"]["rejected_total"], 0)
        self.assertEqual(town.links()["children"][0]["rejected_total"], 0)
        for n in (town, vil):
            r = n.verify()
            self.assertTrue(r["ok"], (n.id, r["problems"][:5]))
        mark("verify ok at both ends")

    def test_short_blip_loses_and_doubles_nothing(self):
        # Cut for less than the links' 6 s heartbeat timeout, so the connection need not
        # be given up: what went into the void is retransmitted (by TCP or from the
        # cursor), still exactly once.
        town, vil = self.pair()
        ids = [vil.ok("POST", "/api/v1/cases", intake(summary=f"闪断前第{i}件"))["case"]["id"]
               for i in range(20)]
        self.net.cut()
        ids += [vil.ok("POST", "/api/v1/cases", intake(summary=f"闪断中第{i}件"))["case"]["id"]
                for i in range(20)]
        time.sleep(1.5)
        self.net.heal()
        got = wait_for(lambda: (lambda cs: cs if {c["id"] for c in cs} >= set(ids) else None)(
            village_cases(town, "v-dongcun")), 60, "every case at the township")
        self.assertEqual(sorted(c["id"] for c in got), sorted(ids))
        wait_for(lambda: vil.links()["parent"]["backlog_up"] == 0, 30, "backlog drained")
        for n in (town, vil):
            r = n.verify()
            self.assertTrue(r["ok"], (n.id, r["problems"][:5]))


if __name__ == "__main__":
    # A SIGTERM (a test runner giving up) unwinds like an error: tearDown, cleanups and
    # atexit still remove the namespaces and stop the daemons.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    harness.main()
