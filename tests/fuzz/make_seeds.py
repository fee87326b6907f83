#!/usr/bin/python3
"""make_seeds.py: write the fuzzers' seed corpora, tests/fuzz/seeds/<harness>/.

proto: every golden message of proto/PROTOCOL.md (golden-<name>) and the hostile corpus of
tests/hostile/ (hostile-<file>; those over fuzz.mk's -max_len of 64 KiB are left out).
catalog: tests/data/mini.conf, catalog/sampang-2022.conf and every tests/catalog/*.conf.
The seeds are copies, so that a fuzz run starts from what the tree held when they were made;
run this again after adding goldens, hostile messages or catalogs (it rewrites both folders):
    /usr/bin/python3 tests/fuzz/make_seeds.py
"""
import glob
import os
import re
import shutil

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(TOP, "tests", "fuzz", "seeds")
MAX_LEN = 65536


def fresh(name):
    d = os.path.join(SEEDS, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def goldens():
    """(name, bytes) of each '<!-- golden: NAME -->' hex block of PROTOCOL.md."""
    with open(os.path.join(TOP, "proto", "PROTOCOL.md")) as f:
        text = f.read()
    for m in re.finditer(r"<!-- golden: ([\w-]+) -->\s*```hex\n(.*?)```", text, re.S):
        yield m.group(1), bytes.fromhex(m.group(2))


proto = fresh("proto")
n_golden = 0
for name, data in goldens():
    with open(os.path.join(proto, "golden-%s.bin" % name), "wb") as f:
        f.write(data)
    n_golden += 1
assert n_golden > 20, "no goldens found in PROTOCOL.md"
n_hostile = 0
for path in sorted(glob.glob(os.path.join(TOP, "tests", "hostile", "*.bin"))):
    if os.path.getsize(path) <= MAX_LEN:
        shutil.copyfile(path, os.path.join(proto, "hostile-" + os.path.basename(path)))
        n_hostile += 1

catalog = fresh("catalog")
sources = [os.path.join(TOP, "tests", "data", "mini.conf"),
           os.path.join(TOP, "catalog", "sampang-2022.conf")] + \
    sorted(glob.glob(os.path.join(TOP, "tests", "catalog", "*.conf")))
for path in sources:
    shutil.copyfile(path, os.path.join(catalog, os.path.basename(path)))
print("seeds: proto %d goldens + %d hostile, catalog %d files" % (n_golden, n_hostile,
                                                                  len(sources)))
