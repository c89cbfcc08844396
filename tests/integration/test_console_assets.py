"""The embedded web console: served by jiefend itself at / and /console/..., without the
token or a session, with its content type, ETag revalidation and security headers."""
import http.client

import harness


class ConsoleAssetsTest(harness.NodeTest):
    def get(self, node, path, method="GET", headers=None):
        c = http.client.HTTPConnection(node.host, node.port, timeout=30)
        c.request(method, path, headers=dict({"Host": f"127.0.0.1:{node.port}"}, **(headers or {})))
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body

    def test_pages_and_headers(self):
        n = self.node().start()
        status, h, body = self.get(n, "/")
        self.assertEqual(status, 200)
        self.assertEqual(h["content-type"], "text/html; charset=utf-8")
        self.assertIn('lang="zh-CN"', body.decode())
        self.assertIn("default-src 'self'", h["content-security-policy"])
        self.assertIn("frame-ancestors 'none'", h["content-security-policy"])
        self.assertEqual(h["x-frame-options"], "DENY")
        self.assertEqual(h["x-content-type-options"], "nosniff")
        self.assertEqual(h["cache-control"], "no-cache")
        for path, type_ in [("/console/app.js", "text/javascript; charset=utf-8"),
                            ("/console/console.css", "text/css; charset=utf-8"),
                            ("/console/favicon.svg", "image/svg+xml"),
                            ("/console/vendor/echarts.min.js", "text/javascript; charset=utf-8")]:
            status, h, body = self.get(n, path)
            print(f"{path}: {status} {h['content-type']} {len(body)} bytes etag {h['etag']}")
            self.assertEqual((status, h["content-type"]), (200, type_))
            self.assertGreater(len(body), 0)
        # Every page the app imports is embedded.
        app = self.get(n, "/console/app.js")[2].decode()
        for line in app.splitlines():
            if line.startswith("import ") and "from './" in line:
                page = line.split("from './")[1].split("'")[0]
                self.assertEqual(self.get(n, "/console/" + page)[0], 200, page)

    def test_revalidation_and_refusals(self):
        n = self.node().start()
        _, h, _ = self.get(n, "/console/vendor/echarts.min.js")
        status, h2, body = self.get(n, "/console/vendor/echarts.min.js",
                                    headers={"If-None-Match": h["etag"]})
        self.assertEqual((status, body), (304, b""))
        self.assertEqual(h2["etag"], h["etag"])
        self.assertEqual(self.get(n, "/console/vendor/echarts.min.js",
                                  headers={"If-None-Match": '"0000000000000000"'})[0], 200)
        self.assertEqual(self.get(n, "/console/../admin.token")[0], 404)
        self.assertEqual(self.get(n, "/console/nothing.js")[0], 404)
        self.assertEqual(self.get(n, "/console/app.js", method="POST")[0], 405)
        # The DNS-rebinding check holds for the pages too.
        status, _, _ = self.get(n, "/", headers={"Host": "evil.example:80"})
        self.assertEqual(status, 421)
        # The API itself still needs a login or the token, and carries the same headers.
        status, h, _ = self.get(n, "/api/v1/status")
        self.assertEqual(status, 401)
        self.assertEqual(h["x-content-type-options"], "nosniff")


if __name__ == "__main__":
    harness.main()
