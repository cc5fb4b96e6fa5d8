#!/usr/bin/env python3
"""Planted faults for Tests/Mutations/run.sh.

faults.txt holds one block per fault:

    ## id: short-name
    ## file: Sources/.../File.swift
    ## tests: a `swift test --filter` regular expression (the tests that should notice)
    ## what: one line saying what the fault does
    - exact text to replace (one or more lines, each starting with "- ")
    + its replacement (one or more lines, each starting with "+ ")

The text to replace must occur exactly once in the file, so a fault that no longer applies
(the code moved on) is reported as such rather than silently planted somewhere else.

    mutate.py list FAULTS                 # id<TAB>file<TAB>tests<TAB>what, one line per fault
    mutate.py apply FAULTS ID ROOT        # plants fault ID in the copy at ROOT
"""
import sys


def parse(path):
    faults, cur = [], None
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        if line.startswith("## "):
            key, _, value = line[3:].partition(":")
            key, value = key.strip(), value.strip()
            if key == "id":
                cur = {"id": value, "old": [], "new": []}
                faults.append(cur)
            else:
                cur[key] = value
        elif line.startswith("- ") or line == "-":
            cur["old"].append(line[2:])
        elif line.startswith("+ ") or line == "+":
            cur["new"].append(line[2:])
    return faults


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    faults = parse(path)
    if cmd == "list":
        for f in faults:
            print("\t".join([f["id"], f["file"], f["tests"], f["what"]]))
        return 0
    fid, root = sys.argv[3], sys.argv[4]
    f = next(x for x in faults if x["id"] == fid)
    target = f"{root}/{f['file']}"
    text = open(target, encoding="utf-8").read()
    old, new = "\n".join(f["old"]), "\n".join(f["new"])
    n = text.count(old)
    if n != 1:
        print(f"fault {fid}: the text to replace occurs {n} times in {f['file']}", file=sys.stderr)
        return 2
    open(target, "w", encoding="utf-8").write(text.replace(old, new))
    return 0


sys.exit(main())
