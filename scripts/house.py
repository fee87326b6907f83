#!/usr/bin/env python3
"""house.py: the house figures of issue 15, over iki's production C sources.

Prints, for the C files under daemon/, client/, proto/, lakip/, keys/, mem/, include/, web/
(its *.c and *.h, not web/www) and lib/ (when it holds any C), and never tests/, bench/ or fuzz/:

  - every file over --max-file lines (800), with its line count;
  - every function over --max-function lines (60), as file:line name length;
  - the number of functions and the median function length;
  - the include cycles between modules: a file A.c that includes B.h while B.c includes A.h,
    and any longer cycle among the modules' .c files (a strongly connected group).

A function is found the way this code base writes one (kernel style): a line at column 0 that
starts a definition (an identifier, a '(' in the signature, no ';' before the body), the
signature possibly continued on indented lines, then either a line that is '{' at column 0 or a
signature line that ends with '{'; the function ends at the next line that starts with '}' at
column 0. A return type alone on the line above (OpenBSD's style) is counted with the function.
Its length is its lines from the first line of the signature to the closing brace, inclusive.
One-line functions ('{ ... }' on the signature's line) are not counted. The detection reads
text, not C: a definition written another way is missed, not miscounted.

Header names are resolved as the compiler does (Makefile: -Iinclude -Iproto -Ilakip -Ikeys -Imem
-Idaemon -Iclient, and -Iweb for ikiweb): the including file's directory first, then those.
B.h's module is the B.c beside it, when there is one.

Standard library only. Run from anywhere: the repository is this script's parent directory
unless --root says otherwise. Exit status 0, or 2 on a usage error.
"""

import argparse
import os
import re
import statistics
import sys

SOURCE_DIRS = ["daemon", "client", "proto", "lakip", "keys", "mem", "include", "web", "lib"]
EXCLUDED = {"tests", "bench", "fuzz", "www", "build"}
INCLUDE_PATH = ["include", "proto", "lakip", "keys", "mem", "daemon", "client"]  # the Makefile's -I order

LOCAL_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
NAME = re.compile(r"([A-Za-z_]\w*)\s*\(")
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "do", "else", "case"}


def sources(root):
    """The production .c and .h files, as paths relative to root, sorted."""
    found = []
    for top in SOURCE_DIRS:
        base = os.path.join(root, top)
        if not os.path.isdir(base):
            continue
        for d, dirs, files in os.walk(base):
            dirs[:] = sorted(x for x in dirs if x not in EXCLUDED and not x.startswith("."))
            for f in files:
                if f.endswith((".c", ".h")):
                    found.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(found)


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def strip_attributes(s):
    """s without its __attribute__((...)) parts (they hold parentheses before the name)."""
    out, i = [], 0
    while True:
        j = s.find("__attribute__", i)
        if j < 0:
            out.append(s[i:])
            return "".join(out)
        out.append(s[i:j])
        k = s.find("(", j)
        if k < 0:
            out.append(s[j:])
            return "".join(out)
        depth = 0
        while k < len(s):
            depth += s[k] == "("
            depth -= s[k] == ")"
            k += 1
            if depth == 0:
                break
        i = k


def starts_definition(line):
    """Whether a line at column 0 may open a function's signature."""
    if not line or not (line[0].isalpha() or line[0] == "_"):
        return False
    word = line.split(None, 1)[0]
    return word not in ("typedef", "extern") and word not in KEYWORDS


def type_only(line):
    """A return type alone on its line ("static int"), as OpenBSD writes one."""
    return (starts_definition(line) and not any(c in line for c in "(;{}=,")
            and not line.rstrip().endswith("\\"))


def assigns(text):
    """Whether a signature has an '=' outside parentheses: an initialised object, no function."""
    depth = 0
    for c in text:
        depth += c == "("
        depth -= c == ")"
        if c == "=" and depth == 0:
            return True
    return False


def functions(lines):
    """The functions of a file: (first line number, name, length) for each, in order."""
    found, i, n = [], 0, len(lines)
    while i < n:
        line = lines[i]
        if not starts_definition(line) or "(" not in line:
            i += 1
            continue
        first = i - 1 if i > 0 and type_only(lines[i - 1]) else i
        sig, j, body = [line], i, None
        while j < n and j - i < 12:
            cur = lines[j].rstrip()
            if j > i:
                if cur == "{":
                    body = j
                    break
                if cur[:1] not in (" ", "\t"):
                    break  # blank, or a new line at column 0 that is not the brace
                sig.append(cur)
            if ";" in cur:
                break  # a declaration, or a statement
            if cur.endswith("{"):
                body = j
                break
            j += 1
        text = strip_attributes(" ".join(sig))
        if body is None or assigns(text):
            i += 1
            continue
        m = NAME.search(text)
        if not m or m.group(1) in KEYWORDS:
            i += 1
            continue
        end = body + 1
        while end < n and not lines[end].startswith("}"):
            end += 1
        if end >= n:
            i += 1
            continue
        found.append((first + 1, m.group(1), end - first + 1))
        i = end + 1
    return found


def resolve(root, including, header):
    """The file a #include "header" in including names, relative to root, or None."""
    here = os.path.dirname(including)
    path = [here] + INCLUDE_PATH + (["web"] if including.startswith("web" + os.sep) else [])
    for d in path:
        p = os.path.normpath(os.path.join(d, header))
        if os.path.isfile(os.path.join(root, p)):
            return p
    return None


def module_graph(root, files):
    """For each .c file, the other .c files whose header it includes."""
    cfiles = set(f for f in files if f.endswith(".c"))
    graph = {}
    for c in sorted(cfiles):
        own = c[:-2] + ".h"
        deps = set()
        for line in read_lines(os.path.join(root, c)):
            m = LOCAL_INCLUDE.match(line)
            if not m:
                continue
            h = resolve(root, c, m.group(1))
            if not h or h == own or not h.endswith(".h"):
                continue
            mod = h[:-2] + ".c"
            if mod in cfiles and mod != c:
                deps.add(mod)
        graph[c] = deps
    return graph


def strong_groups(graph):
    """The strongly connected groups of more than one file (Tarjan), each sorted."""
    index, low, on, stack, groups, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            g = []
            while True:
                w = stack.pop()
                on.discard(w)
                g.append(w)
                if w == v:
                    break
            if len(g) > 1:
                groups.append(sorted(g))

    sys.setrecursionlimit(max(1000, 4 * len(graph) + 100))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(groups)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        description="Print the house figures (issue 15) over iki's production C sources: "
        "long files, long functions, the function count and median length, include cycles.")
    ap.add_argument("--root", default=os.path.dirname(here),
                    help="the repository's top directory (default: this script's parent's)")
    ap.add_argument("--max-file", type=int, default=800, metavar="N",
                    help="list files with more than N lines (default 800)")
    ap.add_argument("--max-function", type=int, default=60, metavar="N",
                    help="list functions with more than N lines (default 60)")
    ap.add_argument("--summary", action="store_true",
                    help="print only the summary figures, not the lists")
    a = ap.parse_args(argv)
    if not os.path.isdir(os.path.join(a.root, "daemon")):
        ap.error("%s does not look like iki's repository (no daemon/)" % a.root)

    files = sources(a.root)
    text = {f: read_lines(os.path.join(a.root, f)) for f in files}
    long_files = [(f, len(text[f])) for f in files if len(text[f]) > a.max_file]
    funcs = [(f, ln, name, length) for f in files for ln, name, length in functions(text[f])]
    long_funcs = [x for x in funcs if x[3] > a.max_function]
    graph = module_graph(a.root, files)
    pairs = sorted((x, y) for x in graph for y in graph[x] if x < y and x in graph.get(y, ()))
    groups = strong_groups(graph)
    lengths = [x[3] for x in funcs]
    total = sum(len(t) for t in text.values())

    if not a.summary:
        print("Files over %d lines (%d):" % (a.max_file, len(long_files)))
        for f, n in sorted(long_files, key=lambda x: -x[1]):
            print("  %-28s %5d" % (f, n))
        print()
        print("Functions over %d lines (%d):" % (a.max_function, len(long_funcs)))
        for f, ln, name, length in sorted(long_funcs, key=lambda x: (-x[3], x[0], x[1])):
            print("  %-34s %-26s %4d" % ("%s:%d" % (f, ln), name, length))
        print()
        print("Include cycles between modules (A.c includes B.h, B.c includes A.h) (%d):"
              % len(pairs))
        for x, y in pairs:
            print("  %s <-> %s" % (x, y))
        longer = [g for g in groups if len(g) > 2 or tuple(g) not in pairs]
        if longer:
            print("Longer cycles (modules that reach each other through others):")
            for g in longer:
                print("  " + ", ".join(g))
        print()
    median = ("%g" % statistics.median(lengths)) if lengths else "-"
    rows = [
        ("files", "%d (%d .c, %d .h), %d lines"
         % (len(files), sum(f.endswith(".c") for f in files),
            sum(f.endswith(".h") for f in files), total)),
        ("files over %d lines" % a.max_file, "%d" % len(long_files)),
        ("functions", "%d" % len(funcs)),
        ("median function", "%s lines" % median),
        ("functions over %d lines" % a.max_function, "%d" % len(long_funcs)),
        ("include cycles", "%d pair%s, %d group%s"
         % (len(pairs), "" if len(pairs) == 1 else "s", len(groups),
            "" if len(groups) == 1 else "s")),
    ]
    print("Summary:")
    for label, value in rows:
        print("  %-26s %s" % (label + ":", value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
