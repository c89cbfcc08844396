"""A village on a small disk (a 16 MiB tmpfs mounted by the test), filled up.

Below [store] min_free_mb the node takes no new intake (507 disk_full, with how much is
free and how much is needed, in Chinese), keeps serving reads, and says so in status and
/metrics. Every intake acknowledged before is there after a kill -9 and a restart on the
completely full disk: the start writes nothing it needs (no pid or address file can be
written: none is left behind, neither empty nor stale). Space freed, intakes resume.
Skipped when this process may not mount a file system."""
import json
import os
import re
import subprocess
import tempfile
import unittest

import harness
from harness import NodeTest, intake, wait_for

MIN_FREE_MB = 4
FULL = re.compile(r"^磁盘空间不足：剩余 (\d+) MiB，至少需要 4 MiB；只读运行中$")


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill(path, leave):
    """Writes DISK/filler-N until only `leave` bytes are free (0: until the disk is full)."""
    name = os.path.join(path, f"filler-{len(os.listdir(path))}")
    block = b"\0" * 65536
    with open(name, "wb", buffering=0) as f:
        try:
            while free_bytes(path) > leave:
                f.write(block[:max(4096, min(len(block), free_bytes(path) - leave))])
        except OSError:
            pass
    return name


def metric(node, name):
    s, body, _ = node.request("GET", "/metrics")
    m = re.search(rf"^{name} (\d+)$", body, re.M)
    return int(m.group(1)) if m else None


class DiskFull(NodeTest):
    def setUp(self):
        super().setUp()
        self.disk = tempfile.mkdtemp(prefix="jiefen-disk-")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", self.disk],
                           capture_output=True, text=True)
        if r.returncode != 0:
            os.rmdir(self.disk)
            self.skipTest(f"cannot mount a tmpfs here: {r.stderr.strip()}")

    def tearDown(self):
        super().tearDown()  # every node killed first
        subprocess.run(["umount", self.disk], capture_output=True)
        os.rmdir(self.disk)

    def village(self):
        v = harness.Node(self.disk, "v-dongcun", "village", "东村")
        v.log_path = os.path.join(self.root, "v-dongcun.log")  # the log not on the small disk
        self.nodes.append(v)
        port = harness.free_port()
        with open(os.path.join(v.dir, "jiefend.conf"), "a") as f:
            f.write(f"\n[http]\nlisten = 127.0.0.1:{port}\n"
                    f"[store]\nmin_free_mb = {MIN_FREE_MB}\nmap_size_mb = 64\n")
        return v, port

    def start_without_addr(self, v, port):
        """Starts v as it is left (the harness's start would remove jiefend.addr first) and
        waits for its API on the configured port (no addr file needed)."""
        with open(v.log_path, "a") as log:
            v.proc = subprocess.Popen([harness.jiefend(), "--data", v.dir], stdout=log,
                                      stderr=subprocess.STDOUT, env=v.env)
        harness._procs.append(v.proc)
        v.host, v.port = "127.0.0.1", port

        def up():
            assert v.proc.poll() is None, v.log()
            try:
                return v.request("GET", "/api/v1/status")[0] == 200
            except OSError:
                return False
        wait_for(up, 20, "the village to answer")

    def test_full_disk(self):
        v, port = self.village()
        v.start()
        v.add_user("luru", "clerk", name="冯受理")
        first = v.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        self.assertFalse(v.ok("GET", "/api/v1/status")["disk"]["low"])
        fillers = [fill(self.disk, (MIN_FREE_MB << 20) + (512 << 10))]

        # Intakes until the floor is crossed: each one answered 201 was durable.
        acked, refused = [first], None
        for i in range(5000):
            s, b = v.api("POST", "/api/v1/cases", intake(summary=f"争议{i}"))
            if s == 201:
                acked.append(b["case"]["id"])
                continue
            refused = (s, b)
            break
        print(f"  {len(acked)} intakes acknowledged, then {refused[0]}: "
              f"{refused[1]['error']['message']}")
        self.assertEqual(refused[0], 507, refused)
        self.assertEqual(refused[1]["error"]["code"], "disk_full")
        self.assertRegex(refused[1]["error"]["message"], FULL)
        self.assertNotIn("unknown error", refused[1]["error"]["message"])

        # Reads go on, logins too (a session is no event); status, the CLI and /metrics
        # say why writes stopped.
        self.assertEqual(len(v.all_cases()), len(acked))
        clerk = v.login("luru")
        s, page = clerk.api("GET", "/api/v1/cases?limit=5")
        self.assertEqual((s, len(page["cases"])), (200, 5))
        s, b = clerk.api("POST", "/api/v1/cases", intake())
        self.assertEqual((s, b["error"]["code"]), (507, "disk_full"))
        # The file reads on; its parties only once their view can be recorded (查阅记录).
        shown = v.ok("GET", f"/api/v1/cases/{first}")
        self.assertEqual(shown["case"]["id"], first)
        self.assertIsNone(shown["parties"])
        self.assertIn("磁盘空间不足", shown["parties_withheld"])
        disk = v.ok("GET", "/api/v1/status")["disk"]
        print(f"  status disk: {disk}")
        self.assertTrue(disk["low"])
        self.assertEqual(disk["min_free_bytes"], MIN_FREE_MB << 20)
        self.assertRegex(disk["message"], FULL)
        self.assertRegex(v.ctl("status").stdout, r"disk: +磁盘空间不足.*\[disk_full\]")
        self.assertEqual(metric(v, "jiefen_disk_full"), 1)
        self.assertLess(metric(v, "jiefen_disk_free_bytes"), MIN_FREE_MB << 20)
        r = v.ctl("case", "new", "--json", "-", stdin=json.dumps(intake()))
        print(f"  jiefenctl case new: exit {r.returncode}, {r.stderr.strip()}")
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr.strip(), r"磁盘空间不足：剩余 \d+ MiB，至少需要 4 MiB；只读运行中 "
                                           r"\[disk_full\]$")
        # A refused intake changes nothing.
        self.assertEqual(len(v.all_cases()), len(acked))

        # Completely full, killed, restarted: every acknowledged intake is there, and no
        # empty or stale pid or address file is left.
        fillers.append(fill(self.disk, 0))
        self.assertLess(free_bytes(self.disk), 64 << 10)
        old_pid = v.proc.pid
        v.kill9()
        self.start_without_addr(v, port)
        # The dead process's pid file could not be replaced: it is gone, never left stale
        # or empty (its page then held the new address file).
        self.assertIn("cannot write", v.log())
        self.assertIn("jiefend.pid (No space left on device): running without it", v.log())
        self.assertFalse(os.path.exists(os.path.join(v.dir, "jiefend.pid")))
        addr = os.path.join(v.dir, "jiefend.addr")
        if os.path.exists(addr):
            with open(addr) as f:
                self.assertEqual(f.readline().strip(), f"127.0.0.1:{port}")
        ids = {c["id"] for c in v.all_cases()}
        self.assertEqual(ids, set(acked))
        self.assertTrue(v.verify()["ok"])
        s, b = v.api("POST", "/api/v1/cases", intake())
        self.assertEqual((s, b["error"]["code"]), (507, "disk_full"))

        # Room again: writes resume, status and metrics say so.
        for f in fillers:
            os.unlink(f)
        c = v.ok("POST", "/api/v1/cases", intake(summary="恢复后"))["case"]["id"]
        wait_for(lambda: not v.ok("GET", "/api/v1/status")["disk"]["low"], 15, "space back")
        self.assertEqual(metric(v, "jiefen_disk_full"), 0)
        pid_file = os.path.join(v.dir, "jiefend.pid")
        wait_for(lambda: os.path.exists(pid_file), 15, "the pid file written with room")
        with open(pid_file) as f:
            self.assertEqual(f.read(), f"{v.proc.pid}\n")
        self.assertNotEqual(v.proc.pid, old_pid)
        self.assertEqual(len(v.all_cases()), len(acked) + 1)
        v.stop()
        # A clean exit leaves neither file behind.
        self.assertFalse(os.path.exists(os.path.join(v.dir, "jiefend.pid")))
        self.assertFalse(os.path.exists(os.path.join(v.dir, "jiefend.addr")))
        self.assertIn("disk almost full", v.log())

    def test_link_batches_wait_for_room(self):
        """A township out of space takes no batch from its village (none half-way: the
        village keeps it and sends it again), keeps answering reads, and takes it once
        there is room."""
        town = harness.Node(self.disk, "t1", "township", "镇1", listen=True)
        town.log_path = os.path.join(self.root, "t1.log")
        self.nodes.append(town)
        with open(os.path.join(town.dir, "jiefend.conf"), "a") as f:
            f.write(f"\n[store]\nmin_free_mb = {MIN_FREE_MB}\nmap_size_mb = 64\n")
        town.start()
        town.ok("POST", "/api/v1/enrol/root")
        v = self.node("v11", "village", "村11").start()
        self.enrol(town, v)
        filler = fill(self.disk, (MIN_FREE_MB << 20) - (256 << 10))
        wait_for(lambda: town.ok("GET", "/api/v1/status")["disk"]["low"], 15, "the town low")
        cid = v.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        v.ok("POST", f"/api/v1/cases/{cid}/escalate", {"reason": "涉及跨村"})
        wait_for(lambda: "cannot apply events from v11 (no space left for the store)"
                 in town.log(), 20, "the batch refused at the town")
        self.assertNotIn(cid, [c["id"] for c in town.cases()])
        self.assertEqual(town.ok("GET", "/api/v1/status")["disk"]["low"], True)
        os.unlink(filler)
        wait_for(lambda: cid in [c["id"] for c in town.cases()], 30, "the case at the town")
        self.assertTrue(town.verify()["ok"])

    def test_map_ceiling(self):
        """The map may not grow past [store] max_map_mb: then 507 too, reads go on."""
        v, port = self.village()
        with open(os.path.join(v.dir, "jiefend.conf"), "a") as f:
            f.write("\n[store]\nmap_size_mb = 1\nmax_map_mb = 1\nmin_free_mb = 0\n")
        v.start()
        acked = 0
        for i in range(3000):
            s, b = v.api("POST", "/api/v1/cases", intake(summary=f"争议{i}"))
            if s != 201:
                break
            acked += 1
        print(f"  {acked} intakes fit in a 1 MiB map, then {s}: {b['error']['message']}")
        self.assertEqual((s, b["error"]["code"]), (507, "disk_full"))
        self.assertIn("max_map_mb", b["error"]["message"])
        self.assertEqual(len(v.all_cases()), acked)
        self.assertEqual(v.ok("GET", "/api/v1/status")["store"]["map_bytes"], 1 << 20)


if __name__ == "__main__":
    harness.main()
