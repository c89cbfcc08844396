"""Backups of a running node, and nodes restored from them (docs/operations.md, Backups)."""
import json
import os
import stat

import harness
from harness import NodeTest, intake, run, wait_for


def restored(test, node_id, data):
    """A Node over a data directory `jiefend restore` made (no init)."""
    n = harness.Node.__new__(harness.Node)
    n.dir, n.id, n.proc = data, node_id, None
    n.log_path = os.path.join(test.root, node_id + "-restored.log")
    n.env, n.endpoint, n.preexec = dict(os.environ), None, None
    test.nodes.append(n)
    return n


def restore(src, data):
    return run([harness.jiefend(), "restore", "--from", src, "--data", data])


class Backup(NodeTest):
    def test_backup_under_load_then_restore(self):
        n = self.node().start()
        load = harness.IntakeLoad(n, 6, timeout=30)
        acked, lock = load.acked, load.lock
        wait_for(lambda: len(acked) >= 400, 60, "400 acknowledged intakes")
        with lock:
            before = list(acked)
        out = os.path.join(self.root, "backup-1")
        r = n.ctl("backup", "--out", out)  # while the clients go on
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("备份完成", r.stdout)
        wait_for(lambda: len(acked) >= 1000, 90, "1000 acknowledged intakes")
        n.kill9()
        load.stop()
        print(f"  {len(before)} intakes before the backup, {len(acked)} in all")

        # The backup: private (0700 directories, 0600 files), with its manifest.
        for d, dirs, files in os.walk(out):
            self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o700, d)
            for f in files:
                self.assertEqual(stat.S_IMODE(os.stat(os.path.join(d, f)).st_mode), 0o600, f)
        for f in ("store/data.mdb", "node.key", "jiefend.conf", "admin.token"):
            self.assertTrue(os.path.exists(os.path.join(out, f)), f)
        self.assertFalse(os.path.exists(os.path.join(out, "jiefend.pid")))
        with open(os.path.join(out, "manifest.json")) as f:
            m = json.load(f)
        self.assertEqual((m["node_id"], m["node_name"]), ("v-dongcun", "东村"))
        self.assertGreaterEqual(m["heads"]["v-dongcun"], len(before))

        # Another backup to the same place is refused; so is a relative path over the API.
        n.start()
        s, b = n.api("POST", "/api/v1/backup", {"out": out})
        self.assertEqual((s, b["error"]["code"], b["error"]["field"]), (409, "exists", "out"))
        s, b = n.api("POST", "/api/v1/backup", {"out": "relative/dir"})
        self.assertEqual((s, b["error"]["field"]), (400, "out"))
        st = n.ok("GET", "/api/v1/status")["backup"]
        self.assertEqual(st["restored"], False)
        n.stop()

        # Restore into a fresh directory; a non-empty target or a non-backup is refused.
        data = os.path.join(self.root, "restored")
        r = restore(out, data)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = restore(out, data)
        self.assertEqual(r.returncode, 1)
        self.assertIn("不是空目录", r.stderr)
        r = restore(self.root, os.path.join(self.root, "other"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("不是备份", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.root, "other")))

        back = restored(self, "v-dongcun", data).start()
        have = {c["id"]: c["summary"] for c in back.all_cases()}
        missing = [a for a in before if have.get(a[0]) != a[1]]
        self.assertEqual(missing, [])
        self.assertTrue(set(have) <= {a[0] for a in acked} | set(have))
        r = back.ctl("verify")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # No parent to catch up from: it writes on at once.
        self.assertFalse(back.ok("GET", "/api/v1/status")["backup"]["restored"])
        s, b = back.api("POST", "/api/v1/cases", intake())
        self.assertEqual(s, 201, b)
        self.assertNotIn(b["case"]["id"], have)

        # Periodic backups: the first soon after start (the newest in dir is too old), the
        # older ones beyond `keep` removed; status says where it went.
        back.stop()
        periodic = os.path.join(self.root, "periodic")
        os.makedirs(os.path.join(periodic, "backup-20200101-000000"))
        conf = os.path.join(data, "jiefend.conf")
        with open(conf) as f:
            text = f.read()
        with open(conf, "w") as f:
            f.write(text.replace("\ndir = \n", f"\ndir = {periodic}\n", 1)
                    .replace("\nkeep = 7\n", "\nkeep = 1\n", 1))
        back.start()
        st = wait_for(lambda: back.ok("GET", "/api/v1/status")["backup"].get("last_time_ms")
                      and back.ok("GET", "/api/v1/status")["backup"], 30, "a periodic backup")
        self.assertEqual(st["last_error"], "")
        self.assertEqual(os.path.dirname(st["last_path"]), periodic)
        self.assertEqual(os.listdir(periodic), [os.path.basename(st["last_path"])])
        self.assertIn("backup:", back.ctl("status").stdout)

    def test_old_backup_catches_up_from_the_parent(self):
        county, (town,), ((v,),) = self.tree((1,))
        first = [v.ok("POST", "/api/v1/cases", intake(summary=f"备份前{i}"))["case"]["id"]
                 for i in range(3)]
        out = os.path.join(self.root, "old")
        v.ok("POST", "/api/v1/backup", {"out": out})
        later = [v.ok("POST", "/api/v1/cases", intake(summary=f"备份后{i}"))["case"]["id"]
                 for i in range(5)]
        wait_for(lambda: {c["id"] for c in town.all_cases()} >= set(first + later), 30,
                 "the village's cases at the township")
        v.kill9()
        town.stop()  # the restored village cannot reach its parent yet

        data = os.path.join(self.root, "v11-restored")
        r = restore(out, data)
        self.assertEqual(r.returncode, 0, r.stderr)
        back = restored(self, "v11", data).start()
        self.assertTrue(back.ok("GET", "/api/v1/status")["backup"]["restored"])
        s, b = back.api("POST", "/api/v1/cases", intake())
        self.assertEqual((s, b["error"]["code"]), (503, "restored_catching_up"))
        self.assertIn("由备份恢复", b["error"]["message"])
        r = back.ctl("case", "new", "--json", "-", stdin=json.dumps(intake()))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("[restored_catching_up]", r.stderr)
        self.assertNotIn("备份后0", [c["summary"] for c in back.all_cases()])

        town.start()
        wait_for(lambda: not back.ok("GET", "/api/v1/status")["backup"]["restored"], 30,
                 "the restored village to catch up")
        have = {c["id"] for c in back.all_cases()}
        self.assertTrue(set(first + later) <= have, (first, later, have))
        made = back.ok("POST", "/api/v1/cases", intake(summary="恢复后"))["case"]["id"]
        self.assertNotIn(made, first + later)
        wait_for(lambda: made in {c["id"] for c in county.all_cases()}, 30,
                 "the new case at the county")
        for n in (county, town):
            r = n.verify()
            self.assertTrue(r["ok"], (n.id, r))
        # The chain verifies at the village too; what the parent never held, the parties of
        # the cases taken in after the backup (sealed, kept only here), is named as lost.
        r = back.verify()
        self.assertEqual({(p["problem"], p["case"]) for p in r["problems"]},
                         {("sealed part missing", c) for c in later}, r)
        for n in (county, town):
            self.assertEqual(n.ok("GET", "/api/v1/links/quarantine")["proofs"], [])
            ids = [c["id"] for c in n.all_cases()]
            self.assertEqual(len(ids), len(set(ids)))

    def test_township_restored_from_an_old_backup_still_reaches_its_villages(self):
        """The restored township numbers its queue to the village from the backup's count,
        below what the village has applied since: what it queues now must still arrive."""
        county, (town,), ((v,),) = self.tree((1,))
        out = os.path.join(self.root, "town-old")
        town.ok("POST", "/api/v1/backup", {"out": out})

        def directive(title):
            return county.ok("POST", "/api/v1/directives", {"to": ["v11"], "kind": "notice",
                                                            "title": title})["directive"]["id"]

        def arrived(ids):
            wait_for(lambda: {d["id"] for d in v.directives()} >= set(ids), 30,
                     f"directives {ids} at the village")

        before = [directive(f"备份后通知{i}") for i in range(3)]
        arrived(before)
        town.kill9()
        data = os.path.join(self.root, "t1-restored")
        r = restore(out, data)
        self.assertEqual(r.returncode, 0, r.stderr)
        back = restored(self, "t1", data).start()
        wait_for(lambda: not back.ok("GET", "/api/v1/status")["backup"]["restored"], 30,
                 "the restored township to catch up")
        after = directive("恢复后通知")
        arrived([after])
        titles = [d["title"] for d in v.directives()]
        self.assertEqual(sorted(titles), sorted(["备份后通知0", "备份后通知1", "备份后通知2",
                                                 "恢复后通知"]))  # none twice
        for n in (county, back, v):
            self.assertTrue(n.verify()["ok"], n.id)


if __name__ == "__main__":
    harness.main()
