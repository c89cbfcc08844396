"""一机一账号 (issue 18 item 5): with [auth] device_binding = on a password login from a
device no administrator has approved is refused (403) and files a request; the
administrator lists it (API and jiefenctl), approves it (then that device logs in) and
revokes it (then it is refused again and its live session ends). A bad value stops the
daemon naming the line; with binding off devices change nothing."""
import os

import harness
from harness import NodeTest, PASSWORD

PHONE = "0123456789abcdef0123456789abcdef"
LAPTOP = "fedcba9876543210fedcba9876543210"
PENDING = "此设备尚未登记，已提交登记申请，请联系管理员批准"


def bind(node, value="on"):
    with open(os.path.join(node.dir, "jiefend.conf"), "a") as f:
        f.write(f"\n[auth]\ndevice_binding = {value}\n")


def login(node, user, device, label="测试浏览器"):
    return node.request("POST", "/api/v1/session",
                        {"user": user, "password": PASSWORD, "device": device,
                         "device_label": label}, token=False)


def session(node, answer):
    s, b, h = answer
    assert s == 200, f"login: {s} {b}"
    return harness.Session(node, h["Set-Cookie"], b)


class DeviceTest(NodeTest):
    def test_refused_pending_approved_revoked(self):
        n = self.node()
        bind(n)
        n.start()
        n.add_user("zhang", "clerk", name="张三")

        # An unknown device: refused, and a request filed; each refusal counted.
        for _ in range(2):
            s, b, _ = login(n, "zhang", PHONE)
            self.assertEqual(s, 403, b)
            self.assertEqual(b["error"]["code"], "device_pending")
            self.assertEqual(b["error"]["message"], PENDING)
        s, b, _ = n.request("POST", "/api/v1/session", {"user": "zhang", "password": PASSWORD},
                            token=False)
        self.assertEqual((s, b["error"]["code"]), (403, "device_required"))
        # A wrong password from an unknown device files nothing.
        s, b, _ = n.request("POST", "/api/v1/session", {"user": "zhang", "password": "wrong-pass",
                                                        "device": LAPTOP}, token=False)
        self.assertEqual(s, 401, b)
        s, b, _ = n.request("POST", "/api/v1/session", {"user": "zhang", "password": PASSWORD,
                                                        "device": "短"}, token=False)
        self.assertEqual((s, b["error"]["field"]), (400, "device"))

        devices = n.ok("GET", "/api/v1/devices")
        self.assertTrue(devices["binding"])
        [d] = devices["devices"]
        self.assertEqual((d["user"], d["name"], d["device"], d["label"], d["state"],
                          d["state_name"], d["refusals"]),
                         ("zhang", "张三", PHONE, "测试浏览器", "pending", "待批准", 2))
        self.assertIn(f"login of zhang refused: device {d['id']} not approved", n.log())

        listed = n.ctl("device", "list")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn("测试浏览器", listed.stdout)
        self.assertIn("张三（zhang）", listed.stdout)
        self.assertIn("待批准", listed.stdout)

        # Approved: that device logs in; another device still cannot.
        r = n.ctl("device", "approve", d["id"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("已批准", r.stdout)
        zhang = session(n, login(n, "zhang", PHONE))
        self.assertEqual(zhang.api("GET", "/api/v1/session")[0], 200)
        self.assertEqual(login(n, "zhang", LAPTOP)[0], 403)
        states = {x["device"]: x["state"] for x in n.ctl_json("device", "list")["devices"]}
        self.assertEqual(states, {PHONE: "approved", LAPTOP: "pending"})

        # Revoked: the live session ends and the device is refused again.
        r = n.ctl("device", "revoke", d["id"])
        self.assertEqual(r.returncode, 0, r.stderr)
        s, b = zhang.api("GET", "/api/v1/session")
        self.assertEqual((s, b["error"]["code"]), (401, "device_revoked"))
        s, b, _ = login(n, "zhang", PHONE)
        self.assertEqual((s, b["error"]["code"]), (403, "device_pending"))
        states = {x["device"]: x["state"] for x in n.ok("GET", "/api/v1/devices")["devices"]}
        self.assertEqual(states, {PHONE: "revoked", LAPTOP: "pending"})

        # What is wrong is named; nothing changes.
        r = n.ctl("device", "approve", "0000000000000000")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("无此设备登记", r.stderr)
        s, _ = n.api("POST", "/api/v1/devices/nonsense/approve")
        self.assertEqual(s, 404)

        # Approval survives a restart.
        n.ok("POST", f"/api/v1/devices/{d['id']}/approve")
        n.stop()
        n.start()
        session(n, login(n, "zhang", PHONE))

    def test_not_an_admin_cannot_approve(self):
        n = self.node()
        bind(n)
        n.start()
        n.add_user("zhang", "clerk")
        self.assertEqual(login(n, "zhang", PHONE)[0], 403)
        d = n.ok("GET", "/api/v1/devices")["devices"][0]
        n.ok("POST", f"/api/v1/devices/{d['id']}/approve")
        zhang = session(n, login(n, "zhang", PHONE))
        self.assertEqual(zhang.api("GET", "/api/v1/devices")[0], 403)
        self.assertEqual(zhang.api("POST", f"/api/v1/devices/{d['id']}/revoke")[0], 403)

    def test_bad_config_stops_the_daemon_naming_the_line(self):
        n = self.node()
        bind(n, "maybe")
        r = harness.run([harness.jiefend(), "--data", n.dir, "--check-config"], timeout=60)
        self.assertNotEqual(r.returncode, 0)
        out = r.stderr + r.stdout
        self.assertIn("[auth] device_binding must be on or off", out)
        self.assertRegex(out, r"jiefend\.conf:\d+:")

    def test_binding_off_changes_nothing(self):
        n = self.node().start()
        n.add_user("zhang", "clerk")
        n.login("zhang")
        session(n, login(n, "zhang", PHONE))
        b = n.ok("GET", "/api/v1/devices")
        self.assertEqual((b["binding"], b["devices"]), (False, []))
        r = n.ctl("device", "list")
        self.assertEqual(r.stdout,
                         "没有设备登记（本中心未启用一机一账号：[auth] device_binding = off）\n")


if __name__ == "__main__":
    harness.main()
