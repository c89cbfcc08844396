"""bench_reconnect — how long a township that kept trying its stopped county takes to be
linked again once the county is back: the county is stopped for 2 to 2.6 s (so the
township's retries have backed off to their ceiling) and started, RUNS times; prints the
seconds from the county answering its API to the township's link being online, sorted,
with the median and the mean. Asserts nothing.

    python3 tests/bench/bench_reconnect.py --bin build/node --tools build/tests [--runs N]
"""
import time

import nodebench
from harness import NodeTest, wait_for  # noqa: E402  (nodebench puts it on the path)


class Bench(NodeTest):
    RUNS = 12

    def runTest(self):
        county, (town,), _ = self.tree((1,))
        wait_for(lambda: town.links()["parent"]["online"], 20, "linked")
        took = []
        for i in range(self.RUNS):
            county.stop()
            time.sleep(2.0 + (i % 5) * 0.137)  # a different moment of the retry cycle
            county.start()
            t0 = time.monotonic()
            while not town.links()["parent"]["online"]:
                self.assertLess(time.monotonic() - t0, 20, "linked again")
                time.sleep(0.005)
            took.append(time.monotonic() - t0)
        took.sort()
        print(f"reconnect: the township linked again {took[len(took) // 2]:.3f} s (median), "
              f"{sum(took) / len(took):.3f} s (mean) after its county came back; "
              f"{self.RUNS} restarts: " + " ".join(f"{t:.3f}" for t in took))


def main():
    ap = nodebench.parser()
    ap.add_argument("--runs", type=int, default=12)
    a = ap.parse_args()
    if a.runs < 1:
        ap.error("--runs must be at least 1")
    Bench.RUNS = a.runs
    nodebench.run(Bench, a)


if __name__ == "__main__":
    main()
