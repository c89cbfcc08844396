"""bench_slowloris: how fast a real client is served while slow clients hold the HTTP server.

Starts one jiefend with its fd limit at 1,024 (the usual default), opens 1,100 connections
that each send a request line and then one header byte every 2 s, from 25 loopback
addresses (44 each, under the per-address cap), and meanwhile times a legitimate
GET /api/v1/status, a new connection each time. Prints the latencies and the server's
refusal counters; asserts nothing about speed.

  python3 tests/bench/bench_slowloris.py --bin build/node [--connections 1100]
"""
import argparse
import os
import resource
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import harness  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--connections", type=int, default=1100)
    ap.add_argument("--nofile", type=int, default=1024)
    args = ap.parse_args()
    harness.BIN = os.path.abspath(args.bin)
    want = args.connections + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:  # this client needs more descriptors than the server may use
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))

    root = tempfile.mkdtemp(prefix="jiefen-slowloris-")
    node = harness.Node(root, "bench")
    node.preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (args.nofile, args.nofile))
    node.start()
    socks, stop = [], threading.Event()

    def trickle():
        while not stop.wait(2.0):
            for s in list(socks):
                try:
                    s.send(b"X")
                except OSError:
                    pass

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        t0 = time.monotonic()
        for i in range(args.connections):
            s = socket.socket()
            s.bind((f"127.0.1.{2 + i // 44}", 0))
            s.settimeout(5)
            try:
                s.connect((node.host, node.port))
                s.sendall(b"GET /api/v1/status HTTP/1.1\r\n")
            except OSError:
                pass
            socks.append(s)
        print(f"slowloris: {len(socks)} slow connections opened in "
              f"{time.monotonic() - t0:.2f} s (server fd limit {args.nofile})")
        lat = []
        for _ in range(20):
            t = time.monotonic()
            status, _ = node.api("GET", "/api/v1/status")
            lat.append((time.monotonic() - t) * 1000)
            if status != 200:
                print(f"slowloris: legitimate request answered {status}")
            time.sleep(0.1)
        lat.sort()
        print(f"slowloris: legitimate GET /api/v1/status, 20 tries: median "
              f"{statistics.median(lat):.1f} ms, max {lat[-1]:.1f} ms")
        _, text, _ = node.request("GET", "/metrics")
        for line in text.splitlines():
            if line.startswith(("jiefen_http_refused_total", "jiefen_http_connections ",
                                "jiefen_http_connections_max")) and not line.endswith(" 0"):
                print("slowloris: " + line)
    finally:
        stop.set()
        thread.join()
        for s in socks:
            s.close()
        node.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
