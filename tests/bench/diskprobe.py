"""diskprobe — the floor the disk sets under a durable commit, measured beside a figure
in the same run: every 20 ms on a thread, in a node's directory, one commit made the way
LMDB makes one (a 4 KiB page written and fdatasync'd, then the 120-byte meta page written
through a second descriptor opened O_DSYNC: two flushes), its latencies in seconds; and
percentiles of such lists in milliseconds."""
import os
import threading
import time


def fsync_probe(directory, stop, lat):
    """An LMDB-like durable commit in directory every 20 ms until stop is set, in s into lat."""
    path = os.path.join(directory, "fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    meta = os.open(path, os.O_WRONLY | os.O_DSYNC)
    try:
        while not stop.is_set():
            os.pwrite(fd, os.urandom(4096), 8192 + 4096 * (len(lat) % 16))
            s0 = time.monotonic()
            os.fdatasync(fd)
            os.pwrite(meta, os.urandom(120), 4096 * (len(lat) % 2))
            lat.append(time.monotonic() - s0)
            time.sleep(0.02)
    finally:
        os.close(meta)
        os.close(fd)
        os.unlink(path)


class Probe:
    """fsync_probe on a thread, from start to stop()."""

    def __init__(self, directory):
        self.stop_ev, self.lat = threading.Event(), []
        self.t = threading.Thread(target=fsync_probe, args=(directory, self.stop_ev, self.lat))
        self.t.start()

    def stop(self):
        self.stop_ev.set()
        self.t.join()
        return self.lat


def pct(lat, x):
    """The x-quantile (0..1) of lat (seconds), in milliseconds."""
    lat = sorted(lat)
    return lat[min(len(lat) - 1, int(x * len(lat)))] * 1000
