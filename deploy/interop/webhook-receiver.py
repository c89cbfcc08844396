#!/usr/bin/env python3
"""A minimal webhook subscriber of a Jiefen centre (docs/interop.md, "Webhooks"): checks
each delivery's signature and timestamp, takes each delivery id once, and answers 409 for
one it already has. Standard library only; a starting point, not a production server.

    deploy/interop/webhook-receiver.py 127.0.0.1 9300 'the-shared-secret'

with, in jiefend.conf,

    [webhook board]
    url = http://127.0.0.1:9300/hook
    secret = the-shared-secret
    events = case.created,case.closed
"""
import hashlib
import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

WINDOW_MS = 5 * 60 * 1000
HOST, PORT, SECRET = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
taken = set()  # keep these durably in a real subscriber


class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ts = self.headers.get("X-Timestamp", "")
        want = hmac.new(SECRET, ts.encode() + b"\n" + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(self.headers.get("X-Signature", ""), want):
            return self.answer(401)
        if not ts.isdigit() or abs(int(ts) - time.time() * 1000) > WINDOW_MS:
            return self.answer(401)
        key = self.headers["Idempotency-Key"]
        if key in taken:
            return self.answer(409)
        event = json.loads(body)
        print(event["event"], event["case_id"], event["status"], flush=True)
        taken.add(key)
        self.answer(200)

    def answer(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


HTTPServer((HOST, PORT), Hook).serve_forever()
