"""The web console in a real browser: Debian's chromium driven by playwright-core (npm).

Starts a township (the root) and a village enrolled under it (real jiefend processes, by
the integration harness), adds the staff accounts through the API, then runs
console.test.mjs with Node.js against both consoles. The script asks for the village to be
restarted with its clock moved (for the session-expiry check) with a line "@@restart-village
OFFSET_MS" on its stdout and reads the village's new URL from its stdin.

playwright-core is installed by `npm ci` into JIEFEN_BROWSER_DEPS (default: build/tests/browser),
again only when tests/browser/package-lock.json changed, so the test runs offline after the
first install. Screenshots go to JIEFEN_SCREENSHOTS (default: build/screenshots, beside
the --bin directory).
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "jiefen-2026-pw"
USERS = {  # node id → [(user, name, role)]
    "t1": [("zhuren", "赵主任", "director"), ("tjy-t", "钱调解", "mediator")],
    "v11": [("chuangkou", "孙受理", "clerk"), ("tiaojie", "李调解", "mediator"),
            ("cunzhuren", "周主任", "director"), ("guanli", "吴管理", "admin")],
    "v-idle": [("shouli", "郑受理", "clerk")],
}


def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("chromium not found: run deploy/install-deps.sh (Debian package chromium)")


def ensure_playwright(deps):
    """npm ci of tests/browser into deps, unless the same lock file is installed there."""
    os.makedirs(deps, exist_ok=True)
    lock = os.path.join(HERE, "package-lock.json")
    stamp = os.path.join(deps, "node_modules", ".jiefen-installed-lock")
    with open(lock, "rb") as f:
        want = f.read()
    try:
        with open(stamp, "rb") as f:
            if f.read() == want:
                return
    except OSError:
        pass
    for name in ("package.json", "package-lock.json"):
        shutil.copy(os.path.join(HERE, name), deps)
    r = subprocess.run(["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=deps, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"npm ci (playwright-core) failed:\n{r.stdout}\n{r.stderr}"
    with open(stamp, "wb") as f:
        f.write(want)


def url(node):
    return f"http://{node.host}:{node.port}/"


class ConsoleBrowserTest(harness.NodeTest):
    def add_users(self, node):
        for user, name, role in USERS[node.id]:
            node.ok("POST", "/api/v1/users", {"user": user, "name": name, "role": role,
                                             "password": PASSWORD})

    def restart(self, node, offset_ms):
        node.stop()
        node.env["JIEFEN_CLOCK_OFFSET_MS"] = str(offset_ms)
        node.start()
        return url(node)

    def test_console(self):
        # By default beside the binaries: build/tests/browser and build/screenshots.
        deps = os.environ.get("JIEFEN_BROWSER_DEPS") or os.path.join(harness.TOOLS, "browser")
        shots = os.environ.get("JIEFEN_SCREENSHOTS") or os.path.join(
            os.path.dirname(harness.BIN), "screenshots")
        ensure_playwright(deps)
        os.makedirs(shots, exist_ok=True)

        town = self.node("t1", "township", "镇1", listen=True).start()
        town.ok("POST", "/api/v1/enrol/root")
        village = self.node("v11", "village", "东村").start()
        self.enrol(town, village)
        # Its own node, so the one-minute idle limit hurries no other check.
        idle = self.node("v-idle", "village", "南村")
        with open(os.path.join(idle.dir, "jiefend.conf"), "a") as f:
            f.write("\n[console]\nsession_idle_minutes = 1\n")
        idle.start()
        for n in (town, village, idle):
            self.add_users(n)

        env = dict(os.environ, JIEFEN_VILLAGE_URL=url(village), JIEFEN_TOWN_URL=url(town),
                   JIEFEN_IDLE_URL=url(idle),
                   JIEFEN_PASSWORD=PASSWORD, JIEFEN_CHROMIUM=chromium(),
                   JIEFEN_SCREENSHOTS=shots, JIEFEN_BROWSER_DEPS=deps)
        proc = subprocess.Popen(["node", os.path.join(HERE, "console.test.mjs")], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                cwd=deps)
        harness._procs.append(proc)
        for line in proc.stdout:
            if line.startswith("@@restart-village "):
                new = self.restart(village, int(line.split()[1]))
                proc.stdin.write(new + "\n")
                proc.stdin.flush()
            elif line.startswith("@@hold-docs") or line.startswith("@@release-docs"):
                # A file where the township keeps partial documents: its transfers wait
                # (and retry) until it is gone.
                hold = os.path.join(town.dir, "docs", "partial")
                if line.startswith("@@hold-docs"):
                    open(hold, "w").close()
                else:
                    os.unlink(hold)
                proc.stdin.write("ok\n")
                proc.stdin.flush()
            else:
                sys.stdout.write(line)
                sys.stdout.flush()
        rc = proc.wait(timeout=60)
        self.assertEqual(rc, 0, "the browser test failed (see its output above)")
        print(f"screenshots in {shots}")


if __name__ == "__main__":
    harness.main()
