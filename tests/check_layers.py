#!/usr/bin/env python3
"""The floor plan's rules (docs/architecture.md), checked on the source tree.

Fails, naming the file, the line and the rule, when
- a file includes a header of a folder it may not depend on, or a library of another
  concern (ZeroMQ outside the links, HTTP outside the API, ...);
- a file calls a function that only a folder it may not depend on declares;
- two or more C files call each other in a loop (directly or round a circle), or
  two or more console modules import each other;
- an mdb_* call stands outside common/store.c (and error.c's mdb_strerror) and node/log/;
- a source file is longer than 800 lines.

Usage: check_layers.py [ROOT]   (ROOT: the checkout, by default this file's parent's parent)
"""
import os
import re
import sys

# Who may include or call whom: a folder, then the folders it may depend on (itself always).
ALLOWED = {
    "common": {"common", "proto"},
    "log": {"common", "proto", "log"},
    # The outbox of messages to outside systems and their adapters (SMS gateway).
    "outbox": {"common", "proto", "log", "outbox"},
    "case": {"common", "proto", "log", "outbox", "case"},
    "report": {"common", "proto", "log", "outbox", "case", "report"},
    "link": {"common", "proto", "log", "outbox", "case", "link"},
    "print": {"common", "proto", "log", "outbox", "case", "print"},
    "api": {"common", "proto", "log", "outbox", "case", "report", "link", "print", "api"},
    "node": {"common", "proto", "log", "outbox", "case", "report", "link", "print", "api", "node"},
    # The control tool talks HTTP only: of common/ it shares the UTF-8 reader and the
    # receipt and archive checks (both offline, against a root certificate file).
    "cli": {"cli", "common/utf8", "common/receipt", "common/archcheck"},
}
# Libraries that belong to one concern: the folders that may include them.
LIBRARIES = {
    "zmq.h": {"link", "node"},          # the domain never touches ZeroMQ...
    "http_parser.h": {"api"},           # ...or HTTP
    "curl/curl.h": {"cli", "outbox"},  # the control tool; the outbox's HTTP adapters
    "archive.h": {"common/zipout", "common/archcheck"},  # the writing module; the offline check
    "uv.h": {"log", "case", "report", "link", "api", "node"},
    "cairo.h": {"print"},              # the printable forms (node/print/)
    "pango/pangocairo.h": {"print"},
    "qrencode.h": {"print"},
}
SYSTEM_INCLUDE = re.compile(r"^\s*#\s*include\s+<([^>]+)>")
MDB_ALLOWED = ("common/store.c", "common/error.c", "node/log/")  # error.c: mdb_strerror
MAX_LINES = 800
SOURCE_EXT = (".c", ".h", ".js", ".mjs", ".py", ".sh")

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
DECL = re.compile(r"^(?!typedef|return|static|extern\s+\"|#|\s)[A-Za-z_][\w\s\*]*?\b([a-z_]\w*)\s*\(")
DEF = re.compile(r"^(?!typedef|return|static|#|\s)[A-Za-z_][\w\s\*]*?\b([a-z_]\w*)\s*\([^;]*$")
CALL = re.compile(r"\b([a-z_]\w*)\s*\(")
MDB = re.compile(r"\bmdb_\w+\s*\(")
IMPORT = re.compile(r"""^\s*import\s[^'"]*?from\s+['"](\./[^'"]+)['"]""")


def folder_of(rel):
    """The folder a file belongs to, in ALLOWED's terms."""
    if rel in ("common/utf8.h", "common/utf8.c"):
        return "common/utf8"
    if rel in ("common/receipt.h", "common/receipt.c"):
        return "common/receipt"
    if rel in ("common/archcheck.h", "common/archcheck.c"):
        return "common/archcheck"
    if rel in ("common/zipout.h", "common/zipout.c"):
        return "common/zipout"
    parts = rel.split("/")
    if parts[0] == "common":
        return "common"
    if parts[0] == "node":
        return parts[1] if len(parts) > 2 else "node"
    return None


def strip_comments(text):
    """The text with comments and string literals blanked, lines kept in place."""
    def blank(m):
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])\'',
                  blank, text, flags=re.S)


class Tree:
    def __init__(self, root):
        self.root = root
        self.files = {}  # rel -> text
        for top in ("common", "node", "console/web", "tests", "deploy"):
            for dirpath, dirs, names in os.walk(os.path.join(root, top)):
                dirs[:] = [d for d in dirs if d not in ("node_modules", "corpus")]
                for n in names:
                    if n.endswith(SOURCE_EXT):
                        p = os.path.join(dirpath, n)
                        with open(p, encoding="utf-8", errors="replace") as f:
                            self.files[os.path.relpath(p, root)] = f.read()
        self.problems = []

    def say(self, rel, line, msg):
        self.problems.append(f"{rel}:{line}: {msg}")

    def c_files(self):
        return sorted(r for r in self.files if r.endswith((".c", ".h")) and folder_of(r))

    def resolve(self, rel, inc):
        """The folder an include names ('proto' for generated code), None if unknown."""
        here = os.path.dirname(rel)
        for cand in (os.path.join(here, inc), os.path.join("node", inc), os.path.join("common", inc)):
            cand = os.path.normpath(cand)
            if cand in self.files:
                return folder_of(cand)
        return "proto" if inc.endswith(".pb-c.h") else None

    def allowed(self, src, dst):
        shared = ("common/utf8", "common/receipt", "common/archcheck", "common/zipout")
        ok = ALLOWED["common" if src in shared else src]
        return dst in ok or (dst in shared and "common" in ok) or \
            (src in shared and dst == "common")

    def check_includes(self):
        for rel in self.c_files():
            src = folder_of(rel)
            for n, line in enumerate(self.files[rel].splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                dst = self.resolve(rel, m.group(1))
                if dst is None:
                    if not (src == "api" and m.group(1) == "console_assets.h"):
                        self.say(rel, n, f'includes "{m.group(1)}", which is no file of the tree')
                elif not self.allowed(src, dst):
                    self.say(rel, n, f'includes "{m.group(1)}" ({dst}/): {src}/ may depend only '
                                     f'on {", ".join(sorted(ALLOWED[src] - {src}))} '
                                     f"(docs/architecture.md)")

    def check_libraries(self):
        for rel in self.c_files():
            src = folder_of(rel)
            for n, line in enumerate(self.files[rel].splitlines(), 1):
                m = SYSTEM_INCLUDE.match(line)
                if m and m.group(1) in LIBRARIES and src not in LIBRARIES[m.group(1)]:
                    self.say(rel, n, f"includes <{m.group(1)}>: only "
                                     f"{', '.join(sorted(LIBRARIES[m.group(1)]))}/ may "
                                     f"(docs/architecture.md)")

    def declarations(self):
        """Function name -> the folders whose headers declare it."""
        owners = {}
        for rel in self.c_files():
            if rel.endswith(".h"):
                for line in strip_comments(self.files[rel]).splitlines():
                    m = DECL.match(line)
                    if m:
                        owners.setdefault(m.group(1), set()).add(folder_of(rel))
        return owners

    def definitions(self):
        """Function name -> the .c files that define it (not static)."""
        defs = {}
        for rel in self.c_files():
            if rel.endswith(".c"):
                for line in strip_comments(self.files[rel]).splitlines():
                    m = DEF.match(line)
                    if m:
                        defs.setdefault(m.group(1), set()).add(rel)
        return defs

    def calls(self, rel):
        """(line, name) of each call-like use in a C file, comments and strings left out."""
        for n, line in enumerate(strip_comments(self.files[rel]).splitlines(), 1):
            if line.lstrip().startswith("#") or (DECL.match(line) and line.rstrip().endswith(";")):
                continue  # a directive, or a declaration at file scope: no call
            for m in CALL.finditer(line):
                yield n, m.group(1)

    def local_functions(self, rel):
        """Every function the file itself defines, static or not."""
        text = strip_comments(self.files[rel])
        return set(re.findall(r"^(?:static\s+)?[A-Za-z_][\w\s\*]*?\b([a-z_]\w*)\s*\([^;]*$", text, re.M))

    def check_calls(self, owners):
        for rel in self.c_files():
            src = folder_of(rel)
            seen = self.local_functions(rel)
            for n, name in self.calls(rel):
                homes = owners.get(name)
                if not homes or src in homes or name in seen:
                    continue
                if not any(self.allowed(src, h) for h in homes):
                    seen.add(name)
                    self.say(rel, n, f"calls {name}() of {'/'.join(sorted(homes))}/: {src}/ may "
                                     f"depend only on {', '.join(sorted(ALLOWED[src] - {src}))} "
                                     f"(docs/architecture.md)")

    def check_mdb(self):
        for rel in self.c_files():
            if rel.startswith(MDB_ALLOWED):
                continue
            for n, line in enumerate(strip_comments(self.files[rel]).splitlines(), 1):
                m = MDB.search(line)
                if m:
                    self.say(rel, n, f"calls {m.group(0).rstrip('( ')}: the store is reached "
                                     f"through common/store.h outside common/store.c and node/log/")

    def check_sizes(self):
        for rel, text in sorted(self.files.items()):
            lines = text.count("\n")
            if lines > MAX_LINES:
                self.say(rel, MAX_LINES + 1, f"{lines} lines: no source file is over {MAX_LINES}")

    def call_graph(self, defs):
        """For each .c file, the .c files whose functions it calls, with one name per edge."""
        edges = {}
        for rel in self.c_files():
            if not rel.endswith(".c"):
                continue
            out = edges.setdefault(rel, {})
            for n, name in self.calls(rel):
                for home in defs.get(name, ()):
                    if home != rel and len(defs[name]) == 1:
                        out.setdefault(home, (n, name))
        return edges

    def js_graph(self):
        edges = {}
        for rel, text in self.files.items():
            if not rel.startswith("console/web/") or not rel.endswith(".js"):
                continue
            out = edges.setdefault(rel, {})
            for n, line in enumerate(text.splitlines(), 1):
                m = IMPORT.match(line)
                if m:
                    dst = os.path.normpath(os.path.join(os.path.dirname(rel), m.group(1)))
                    out.setdefault(dst, (n, m.group(1)))
        return edges

    def check_loops(self, edges, what):
        for comp in strongly_connected(edges):
            if len(comp) < 2:
                continue
            comp = sorted(comp)
            ties = []
            for a in comp:
                for b, (n, name) in sorted(edges.get(a, {}).items()):
                    if b in comp:
                        ties.append(f"{a}:{n} -> {b} ({name})")
            self.say(comp[0], 1, f"{what} loop among {len(comp)} files: " + "; ".join(ties))


def strongly_connected(edges):
    """Tarjan's components of the graph {node: {node: ...}}."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    t = Tree(root)
    t.check_includes()
    t.check_libraries()
    t.check_calls(t.declarations())
    t.check_mdb()
    t.check_sizes()
    t.check_loops(t.call_graph(t.definitions()), "call")
    t.check_loops(t.js_graph(), "import")
    for p in t.problems:
        print(p)
    print(f"check_layers: {len(t.c_files())} C files, {len(t.problems)} problems")
    return 1 if t.problems else 0


if __name__ == "__main__":
    sys.exit(main())
