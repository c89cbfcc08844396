"""smaps — where a process's proportional set size (Pss) goes, from /proc/PID/smaps.

Each mapping is put in one bucket: the heap, the main stack, each thread's stack (named
after the thread whose stack pointer is in it: /proc/PID/task/TID/syscall, which the
parent of the process may read), glibc's malloc arenas (64 MiB reservations of their own),
other anonymous memory (malloc's large blocks, libzmq's and LMDB's buffers), LMDB's files,
the program, and each shared library (its code, relocated data and .bss together). Used by
bench_tree.py; asserts nothing.
"""
import os

ARENA = 64 << 20  # glibc's HEAP_MAX_SIZE on 64-bit: a secondary arena's reservation


def mappings(pid):
    """[(start, end, perms, path, pss_kib, private_dirty_kib)] in address order."""
    out, cur = [], None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and not head[0].endswith(":"):
                lo, hi = (int(x, 16) for x in head[0].split("-"))
                cur = [lo, hi, head[1], head[5] if len(head) > 5 else "", 0, 0]
                out.append(cur)
            elif head[0] == "Pss:":
                cur[4] = int(head[1])
            elif head[0] == "Private_Dirty:":
                cur[5] = int(head[1])
    return [tuple(m) for m in out]


def thread_stack_pointers(pid):
    """{sp: thread name} for the threads whose stack pointer can be read."""
    sps = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/syscall") as f:
                fields = f.read().split()
        except OSError:
            continue
        if len(fields) >= 2 and fields[-2].startswith("0x"):
            sps[int(fields[-2], 16)] = f"{name}" if tid != str(pid) else "main"
    return sps


def label(m, prev, nxt, sps, exe):
    lo, hi, perms, path = m[0], m[1], m[2], m[3]
    if path == "[heap]":
        return "heap (main arena)"
    if path == "[stack]":
        return "stack: main thread"
    if path.startswith("["):
        return path
    if path:
        if path == exe:
            return "program"
        base = os.path.basename(path)
        if base.endswith(".mdb"):
            return "store (" + base + ")"
        return "lib " + base.split(".so")[0] if ".so" in base else "file " + base
    for sp, name in sps.items():
        if lo <= sp < hi:
            return "stack: " + name
    if prev and prev[1] == lo and ".so" in prev[3]:  # a library's .bss past its file
        return "lib " + os.path.basename(prev[3]).split(".so")[0]
    if prev and prev[1] == lo and prev[3] == exe:
        return "program"
    if (prev and prev[2] == "---p" and not prev[3] and prev[1] == lo
            and prev[1] - prev[0] <= 65536 and hi - lo >= 1 << 20):
        return "stack: other thread"  # a thread's stack below its guard page
    if lo % ARENA == 0 and nxt and nxt[2] == "---p" and nxt[0] == hi:
        return "malloc arena (threads)"
    return "anonymous"


def breakdown(pid):
    """[(bucket, pss_kib, private_dirty_kib)], largest first, and the total Pss."""
    exe = os.path.realpath(f"/proc/{pid}/exe")
    ms = mappings(pid)
    sps = thread_stack_pointers(pid)
    sums = {}
    for i, m in enumerate(ms):
        k = label(m, ms[i - 1] if i else None, ms[i + 1] if i + 1 < len(ms) else None, sps, exe)
        a = sums.setdefault(k, [0, 0])
        a[0] += m[4]
        a[1] += m[5]
    rows = sorted(((k, v[0], v[1]) for k, v in sums.items()), key=lambda r: -r[1])
    return rows, sum(r[1] for r in rows)


def print_breakdown(title, pid, top=14):
    rows, total = breakdown(pid)
    print(f"{title} (pid {pid}): Pss {total} KiB, threads {len(os.listdir(f'/proc/{pid}/task'))}")
    libs = [r for r in rows if r[0].startswith("lib ")]
    for k, pss, dirty in [r for r in rows if not r[0].startswith("lib ")][:top]:
        print(f"  {pss:6d} KiB  (private dirty {dirty:5d})  {k}")
    print(f"  {sum(r[1] for r in libs):6d} KiB  (private dirty {sum(r[2] for r in libs):5d})  "
          f"{len(libs)} shared libraries, of which:")
    for k, pss, dirty in libs[:top]:
        print(f"      {pss:6d} KiB  (private dirty {dirty:5d})  {k[4:]}")
