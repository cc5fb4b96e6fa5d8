#!/usr/bin/env python3
"""Merges several runs of Testbed/app/measure.js into one overlay: line by line, the line of
the run whose first number after the key is the median of the runs' (its comment comes with
it, so each figure keeps the counts it was measured from). Lines without a number (keys,
steps) must be the same in every run; a run that differs in shape is an error.

    python3 Testbed/median-lines.py RUN.yaml... > service-times.yaml
"""
import re
import sys

NUMBER = re.compile(r':\s*(?:[a-z]+:)?(-?[0-9]+(?:\.[0-9]+)?)')


def main(paths):
    runs = [open(p).read().splitlines() for p in paths]
    if not runs:
        sys.exit("median-lines.py: error: no runs given")
    if len({len(r) for r in runs}) != 1:
        sys.exit("median-lines.py: error: the runs have different numbers of lines: " + ", ".join(f"{p}: {len(r)}" for p, r in zip(paths, runs)))
    out = []
    for i, lines in enumerate(zip(*runs)):
        keys = {l.split('#')[0].split(':')[0] for l in lines}
        if len(keys) != 1:
            sys.exit(f"{paths[0]}:{i + 1}:1: error: the runs differ in this line's key: {sorted(keys)}")
        values = []
        for l in lines:
            m = NUMBER.search(l.split('#')[0])
            values.append(float(m.group(1)) if m else None)
        if None in values:
            out.append(lines[0])
            continue
        order = sorted(range(len(lines)), key=lambda k: values[k])
        out.append(lines[order[(len(order) - 1) // 2]])
    header = next((k for k, l in enumerate(out) if not l.startswith('#')), len(out))
    out.insert(header, f"# The median of {len(runs)} measurements, figure by figure (Testbed/median-lines.py); a key's comment is the first run's.")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:])
