#!/usr/bin/env python3
"""The Debian package (deploy/build-deb.sh): built, lintian clean, installed with dpkg on
this machine, a node started from it as its unit starts it, upgraded over the running node
(the node restarted on the new binaries, its data kept), and purged (the jiefen user,
/etc/jiefen and /var/lib/jiefen gone).

Needs root (dpkg). The machine is changed while the test runs: the package is purged at
the end, also when the test fails, and the node it started is killed by its PID.

Without systemd as PID 1 (a container), the instance is started the way jiefend@.service
would start it: its ExecStartPre and ExecStart, read from the installed unit with %i
replaced, run as the unit's User with its UMask (setpriv execs, so the PID is jiefend's).
The restart on upgrade, which postinst asks of systemd (`try-restart jiefend@*`), is then
done by the test: stop by PID, start again from the unit."""
import configparser
import os
import shutil
import signal
import subprocess
import tempfile
import unittest
import urllib.request

import harness
from harness import run, wait_for

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODE = "v-debtest"
DATA = f"/var/lib/jiefen/{NODE}"
CONF = f"/etc/jiefen/{NODE}.conf"
UNIT = "/usr/lib/systemd/system/jiefend@.service"


def sh(argv, **kw):
    r = run(argv, **kw)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(argv)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout


def installed():
    r = run(["dpkg-query", "-W", "-f=${Status} ${Version}", "jiefen"])
    return r.stdout if r.returncode == 0 and "installed" in r.stdout.split(" ")[:3] else None


def systemd_runs():
    return os.path.isdir("/run/systemd/system")


class DebTest(unittest.TestCase):
    proc = None

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root to install packages")
        for tool in ("dpkg-deb", "dpkg-shlibdeps", "lintian", "setpriv"):
            if not shutil.which(tool):
                self.skipTest(f"needs {tool} (deploy/install-deps.sh)")
        if run(["dpkg-query", "-W", "jiefen"]).returncode == 0:
            self.skipTest("a jiefen package is already on this machine: not touching it")
        if "libasan" in run(["ldd", os.path.join(harness.BIN, "jiefend")]).stdout:
            self.skipTest("a sanitizer build is no package (the plain build's run tests it)")
        self.tmp = tempfile.mkdtemp(prefix="jiefen-deb-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.addCleanup(self._purge)
        self.addCleanup(self._stop)

    def _purge(self):
        if run(["dpkg-query", "-W", "jiefen"]).returncode == 0:
            run(["dpkg", "--purge", "jiefen"])

    def build(self, version=None):
        env = dict(os.environ, JIEFEN_DEB_OUT=self.tmp)
        if version:
            env["JIEFEN_DEB_VERSION"] = version
        out = sh(["bash", f"{SRC}/deploy/build-deb.sh", os.path.dirname(harness.BIN)],
                 env=env, timeout=600)
        deb = out.strip().splitlines()[-1]
        self.assertTrue(os.path.isfile(deb), out)
        return deb

    def lintian_clean(self, deb):
        lint = run(["lintian", "--fail-on", "error,warning", deb], timeout=300)
        self.assertEqual(lint.returncode, 0, "lintian:\n" + lint.stdout + lint.stderr)

    def unit_commands(self):
        """ExecStartPre and ExecStart of the installed unit for our instance, its User and
        UMask: what systemd would run."""
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str
        unit.read(UNIT)
        svc = unit["Service"]
        cmds = [svc[k].replace("%i", NODE).split() for k in ("ExecStartPre", "ExecStart")]
        return cmds, svc["User"], int(svc["UMask"], 8)

    def _as_unit(self, argv, user, umask, wait):
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *argv]
        if wait:
            return sh(cmd)
        # The node's log (its stderr, the journal under systemd) goes to the test's output.
        return subprocess.Popen(cmd, preexec_fn=lambda: os.umask(umask),
                                stdout=subprocess.DEVNULL)

    def start(self):
        if systemd_runs():
            sh(["systemctl", "start", f"jiefend@{NODE}"])
        else:
            (pre, main), user, umask = self.unit_commands()
            self.assertIn("jiefend.conf: ok", self._as_unit(pre, user, umask, True))
            self.proc = self._as_unit(main, user, umask, False)
        return wait_for(self.address, timeout=30, what="jiefend.addr")

    def _stop(self):
        if systemd_runs():
            run(["systemctl", "stop", f"jiefend@{NODE}"])
        elif self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def address(self):
        try:
            with open(f"{DATA}/jiefend.addr") as f:
                return f.readline().strip()
        except FileNotFoundError:
            return None

    def ctl(self, *args, stdin=None):
        return sh(["/usr/bin/jiefenctl", "--data", DATA, *args], stdin=stdin)

    def console(self, addr):
        with urllib.request.urlopen(f"http://{addr}/", timeout=10) as r:
            self.assertEqual(r.status, 200)
            return r.read().decode()

    def check_files(self):
        for path in ("/usr/sbin/jiefend", "/usr/bin/jiefenctl", UNIT,
                     "/usr/share/man/man8/jiefend.8.gz", "/usr/share/man/man1/jiefenctl.1.gz",
                     "/usr/share/doc/jiefen/copyright", "/usr/share/doc/jiefen/changelog.gz",
                     "/etc/jiefen/NAME.conf.example"):
            self.assertTrue(os.path.isfile(path), path)
        # The node logs to the journal (stderr) only: no log file, so no logrotate file.
        self.assertFalse(os.path.exists("/etc/logrotate.d/jiefen"))
        pw = sh(["getent", "passwd", "jiefen"]).split(":")
        self.assertLess(int(pw[2]), 1000, "jiefen is a system user")
        self.assertEqual(pw[5:7], ["/var/lib/jiefen", "/usr/sbin/nologin\n"])
        st = os.stat("/var/lib/jiefen")
        self.assertEqual((st.st_uid, oct(st.st_mode & 0o777)), (int(pw[2]), "0o750"))
        self.assertIn("/etc/jiefen/NAME.conf.example",
                      sh(["dpkg-query", "-W", "-f=${Conffiles}", "jiefen"]))

    def make_instance(self):
        """The steps docs/operations.md gives an operator: init as jiefen, the config moved
        to /etc/jiefen/NAME.conf, a link to it in the data directory."""
        sh(["setpriv", "--reuid=jiefen", "--regid=jiefen", "--init-groups", "/usr/sbin/jiefend",
            "init", "--data", DATA, "--tier", "village", "--id", NODE, "--name", "包测村",
            "--http", "127.0.0.1:0"])
        sh(["install", "-o", "root", "-g", "jiefen", "-m", "0640", f"{DATA}/jiefend.conf", CONF])
        os.unlink(f"{DATA}/jiefend.conf")
        os.symlink(CONF, f"{DATA}/jiefend.conf")

    def test_build_install_upgrade_purge(self):
        version = sh([os.path.join(harness.BIN, "jiefend"), "--version"]).split()[1]
        deb_a = self.build()
        self.assertTrue(deb_a.endswith(f"/jiefen_{version}_amd64.deb"), deb_a)
        self.lintian_clean(deb_a)
        deps = sh(["dpkg-deb", "-f", deb_a, "Depends"])
        for lib in ("libzmq5", "liblmdb0", "libsodium23", "libuv1"):
            self.assertIn(lib, deps)

        sh(["dpkg", "-i", deb_a])
        self.assertTrue(installed().endswith(version), installed())
        self.check_files()
        self.make_instance()
        addr = self.start()
        self.assertIn("<html", self.console(addr))
        self.assertIn("已添加用户", self.ctl("user", "add", "zhang", "--role", "clerk", "--name",
                                         "张三", "--password-stdin", stdin="correct horse 42\n"))

        # The upgrade, installed over the running node.
        deb_b = self.build(f"{version}+up1")
        self.lintian_clean(deb_b)
        sh(["dpkg", "-i", deb_b])
        self.assertTrue(installed().endswith(f"{version}+up1"), installed())
        if not systemd_runs():
            self._stop()
            addr = self.start()
        self.assertTrue(os.path.islink(f"{DATA}/jiefend.conf"))
        self.assertIn("张三", self.ctl("user", "list"))
        self.assertIn(NODE, self.ctl("status"))
        self.ctl("verify")
        self.assertIn("<html", self.console(addr))
        self._stop()

        # Remove keeps the configs, the data and the user; purge takes them.
        sh(["dpkg", "--remove", "jiefen"])
        self.assertFalse(os.path.exists("/usr/sbin/jiefend"))
        self.assertTrue(os.path.isfile(CONF))
        self.assertTrue(os.path.isdir(DATA))
        self.assertEqual(run(["getent", "passwd", "jiefen"]).returncode, 0)

        sh(["dpkg", "--purge", "jiefen"])
        self.assertNotEqual(run(["dpkg-query", "-W", "jiefen"]).returncode, 0)
        for path in ("/etc/jiefen", "/var/lib/jiefen", UNIT):
            self.assertFalse(os.path.exists(path), path)
        self.assertNotEqual(run(["getent", "passwd", "jiefen"]).returncode, 0)
        self.assertNotEqual(run(["getent", "group", "jiefen"]).returncode, 0)


if __name__ == "__main__":
    harness.main()
