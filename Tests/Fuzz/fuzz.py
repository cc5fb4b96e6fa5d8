"""Fuzzes platform-sim's input side through the built binary, as a hostile user would.

Two campaigns, both repeatable from a seed:

1. Every key at extreme values. Every numeric and distribution key of the merged model
   (the base file with every phase overlay) gets values that break naive code: 1e308,
   9.3e18, -1, 0, 1e-100, nan, .inf, a 20-digit integer, fractions for whole numbers, and
   distributions with huge, tiny or absurd parameters. Each goes through `validate --set`;
   a value validate accepts must then finish `run` (current and phase4), `sweep` and `report`
   (md, csv, json and charts), and `size`: validate must never say ok for a value that then
   crashes a command.
2. Mutated files. The model (base, an overlay, the pricing catalog) and an experiment file,
   mutated at random (numbers swapped for extremes, lines deleted, duplicated, swapped,
   re-indented or truncated, YAML aliases, anchors, merge keys and bombs inserted, bytes
   that are not UTF-8, lists and mappings where scalars belong), then `validate` and, when it
   accepts, `run`, or `sweep` and `report` for an experiment.

Every command must end in a clean way: exit 0, or a non-zero exit with every line of
standard error an `error:` line. A signal, Swift's trap, a backtrace, `Fatal error` or a
time-out is a failure. Prints the counts and exits 1 on any failure.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

NUMBERS = ["1e308", "9.3e18", "-1", "0", "1e-100", "nan", ".inf", "-.inf", "99999999999999999999", "0.5", "2147483648", "1e16"]
DISTRIBUTIONS = [
    "exp:1e308", "exp:1e-100", "det:1e15", "det:0", "lognormal:1,1e308", "lognormal:1e308,1", "lognormal:1e-100,1",
    "lognormal:1,100", "gamma:1,1e-100", "gamma:1e15,100", "hyperexp:1,1e308", "uniform:0,1e15", "normal:-1e15,1e15",
    "erlang:10000,1e15", "weibull:0.2,1e15", "weibull:1e-100,1", "pareto:1e15,1.0001", "pareto:1,0.5",
    "empirical:1e15,0", "empirical:", "exp:nan", "lognormal:1,-1", "1e308", "exp:1,2",
]


class Outcome:
    def __init__(self, command, status, stderr, seconds, timed_out, stdout=""):
        self.command, self.status, self.stderr, self.seconds, self.timed_out = command, status, stderr, seconds, timed_out
        self.stdout = stdout

    @property
    def kind(self):
        if self.timed_out:
            return "hang"
        if self.status < 0 or self.status >= 128 or "Fatal error" in self.stderr or "Crash" in self.stderr \
                or "backtrace" in self.stderr.lower() or "Stack dump" in self.stderr:
            return "crash"
        if self.status == 0:
            return "ok"
        # `size` answers "no capacity meets the SLO" (and why) on standard output with exit 2.
        if self.status == 2 and self.command[:1] == ["size"] and "No capacity meets the SLO" in self.stdout:
            return "ok"
        lines = [l for l in self.stderr.splitlines() if l.strip()]
        if lines and all(re.search(r"(^|: )error: ", l) for l in lines):
            return "error"
        return "messy"


class Fuzzer:
    def __init__(self, binary, work, timeout, log):
        self.binary, self.work, self.timeout, self.log = binary, Path(work), timeout, log
        self.counts = {}
        self.failures = []
        self.lock = threading.Lock()

    def run(self, args, label, cwd=None):
        started = time.time()
        env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
        try:
            p = subprocess.run([self.binary] + args, capture_output=True, timeout=self.timeout, cwd=cwd, env=env)
            out = Outcome(args, p.returncode, p.stderr.decode("utf-8", "replace"), time.time() - started, False,
                          p.stdout.decode("utf-8", "replace"))
        except subprocess.TimeoutExpired:
            out = Outcome(args, -1, "", time.time() - started, True)
        command = args[0] if args else "?"
        key = (label, command, out.kind)
        with self.lock:
            self.counts[key] = self.counts.get(key, 0) + 1
            if out.kind in ("crash", "hang", "messy"):
                detail = out.stderr.strip().splitlines()[:3]
                self.failures.append({"campaign": label, "kind": out.kind, "args": args, "stderr": detail})
                self.log.write(json.dumps(self.failures[-1]) + "\n")
                self.log.flush()
        return out

    def total(self, label=None, kinds=None):
        with self.lock:
            return sum(n for (l, _, k), n in self.counts.items() if (label is None or l == label) and (kinds is None or k in kinds))

    def map(self, jobs, function, items, label, count):
        """Runs `function` over `items` on `jobs` threads, printing progress every 200."""
        done = [0]
        def step(item):
            result = function(item)
            with self.lock:
                done[0] += 1
                n = done[0]
            if n % 200 == 0:
                print(f"  {label}: {n}/{count}, {self.total(label, ['crash', 'hang', 'messy'])} failures", flush=True)
            return result
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(pool.map(step, items))


# MARK: - Campaign 1: every key at extreme values

def model_keys(binary, model_dir):
    """Numeric and distribution keys of the model, with their kind, as `platform-sim model keys`
    lists them (what `--set` accepts) in every configuration."""
    keys = {}
    for phase in ("current", "phase1", "phase2", "phase3", "phase4"):
        out = subprocess.run([binary, "model", "keys", str(model_dir / "platform.yaml"), "--phase", phase],
                             capture_output=True, text=True, check=True, timeout=300).stdout
        path = None
        for line in out.splitlines():
            if not line.startswith(" "):
                path = line.split(" = ", 1)[0]
            elif line.strip().startswith("accepts: ") and path:
                accepts = line.strip()[len("accepts: "):]
                if accepts.startswith(("a number", "a whole number", "a user count")):
                    keys.setdefault(path, "number")
                elif accepts.startswith("a distribution"):
                    keys.setdefault(path, "distribution")
                elif accepts.startswith("a list"):
                    keys.setdefault(path, "list")
    return sorted(keys.items())


def extreme_values(kind, rng, every):
    if kind == "distribution":
        values = DISTRIBUTIONS
    elif kind == "list":
        values = ["[" + ",".join(["1e308"] * 24) + "]", "[" + ",".join(["1e-100"] * 24) + "]", "[" + ",".join(["0"] * 23) + ",1e6]", "[]"]
    else:
        values = NUMBERS
    return values if every else rng.sample(values, min(4, len(values)))


def experiment_text(model, configurations, users, overrides=(), window="{warmUpS: 5, durationS: 20}", name="fuzz"):
    lines = [f"name: {name}", "question: Does the input side hold?", f"model: {model}",
             f"configurations: [{', '.join(configurations)}]", f"users: [{', '.join(map(str, users))}]", "seeds: [1]",
             f"window: {window}", "slo: {p99Ms: 1000, errorRate: 0.01}"]
    if overrides:
        lines.append("set:")
        lines += [f"  - {json.dumps(o)}" for o in overrides]
    return "\n".join(lines) + "\n"


def accepted_value_commands(f, model, override, work, with_size):
    """What a value validate accepted must survive: run, sweep, report and size."""
    run = ["--users", "1000", "--duration", "30", "--warm-up", "0", "--set", override]
    for phase in ("current", "phase4"):
        f.run(["run", str(model), "--phase", phase] + run, "keys")
    experiment = work / "experiment.yaml"
    experiment.write_text(experiment_text(model, ["current", "phase4"], [500], [override]))
    db = work / "results.sqlite"
    if db.exists():
        db.unlink()
    if f.run(["sweep", str(experiment), "--db", str(db)], "keys").kind == "ok":
        for fmt in ("md", "csv", "json"):
            f.run(["report", "--db", str(db), "--format", fmt], "keys")
        shutil.rmtree(work / "report", ignore_errors=True)
        f.run(["report", "--db", str(db), "--out", str(work / "report")], "keys")
    if with_size:
        f.run(["size", str(model), "--phase", "phase2", "--users", "500", "--slo", "p99<=2000ms,errors<=5%",
               "--duration", "20", "--warm-up", "0", "--set", override], "keys")


def campaign_keys(f, model_dir, rng, every, limit, size_every, jobs):
    keys = model_keys(f.binary, model_dir)
    model = model_dir / "platform.yaml"
    cases = [(k, v) for k, kind in keys for v in extreme_values(kind, rng, every)]
    if limit:
        cases = rng.sample(cases, min(limit, len(cases)))
    def one(indexed):
        i, (key, value) = indexed
        override = f"{key}={value}"
        if f.run(["validate", str(model), "--set", override], "keys").kind != "ok":
            return False
        work = f.work / "keys" / str(i)
        work.mkdir(parents=True, exist_ok=True)
        accepted_value_commands(f, model, override, work, size_every and i % size_every == 0)
        shutil.rmtree(work, ignore_errors=True)
        return True
    accepted = sum(f.map(jobs, one, list(enumerate(cases)), "keys", len(cases)))
    return len(keys), len(cases), accepted


# MARK: - Campaign 2: mutated files

BOMBS = [
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
    "x: &x {a: 1}\n*x : 2\n", "? [a, b]\n: 1\n", "k: " + "[" * 5000 + "\n", "- " * 3000 + "x\n", "k: *undefined\n",
    "k: !!binary aGVsbG8=\n", "k: !custom 3\n", "<<: [*a]\n", "k: &a\n  <<: *a\n", "%YAML 1.1\n---\nk: 1\n", "---\n---\n",
    "k: \"\\u0000\\e\"\n", "\t k: 1\n", "k: |\n  *a : b\n",
]


def mutate(text, rng):
    lines = text.split("\n")
    choice = rng.randrange(13)
    numbers = [m for m in re.finditer(r"(?<![\w.])-?\d+(\.\d+)?(e-?\d+)?(?![\w.])", text)]
    if choice == 0 and numbers:
        m = rng.choice(numbers)
        return text[:m.start()] + rng.choice(NUMBERS) + text[m.end():]
    if choice == 1:
        specs = list(re.finditer(r"\b(exp|det|uniform|normal|lognormal|gamma|erlang|hyperexp|weibull|pareto|empirical):[-0-9.e,]+", text))
        if specs:
            m = rng.choice(specs)
            return text[:m.start()] + rng.choice(DISTRIBUTIONS) + text[m.end():]
    if choice == 2 and len(lines) > 1:
        del lines[rng.randrange(len(lines))]
        return "\n".join(lines)
    if choice == 3:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
        return "\n".join(lines)
    if choice == 4 and len(lines) > 2:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        return "\n".join(lines)
    if choice == 5:
        i = rng.randrange(len(lines))
        lines[i] = " " * rng.choice([1, 2, 3, 5, 8]) + lines[i]
        return "\n".join(lines)
    if choice == 6:
        return text[: rng.randrange(len(text) + 1)]
    if choice == 7:
        return text + "\n" + rng.choice(BOMBS)
    if choice == 8:
        i = rng.randrange(len(lines))
        lines.insert(i, rng.choice(BOMBS))
        return "\n".join(lines)
    if choice == 9:
        i = rng.randrange(len(text) + 1)
        return text[:i] + "\udcff" + text[i:]  # written as a lone byte 0xFF: not UTF-8
    if choice == 10:
        scalars = list(re.finditer(r": ([^\s#\[{][^#\n]*)", text))
        if scalars:
            m = rng.choice(scalars)
            return text[:m.start(1)] + rng.choice(["[1, 2]", "{a: 1}", "~", "\"str\"", "true", "*a", "&a 1", "[]", "{}"]) + text[m.end(1):]
    if choice == 11:
        keys = list(re.finditer(r"^(\s*)([A-Za-z][\w-]*):", text, re.M))
        if keys:
            m = rng.choice(keys)
            name = m.group(2)
            new = rng.choice([name + "x", name[:-1], name.lower(), name.upper(), "../" + name, "<svg onload=1>", "=1+1"])
            return text[:m.start(2)] + new + text[m.end(2):]
    anchor = rng.randrange(len(lines))
    lines[anchor] = lines[anchor] + rng.choice([" &anchor", " # comment", " ]", " }", ": :", " *alias", " !!str"])
    return "\n".join(lines)


def write(path, text):
    path.write_bytes(text.encode("utf-8", "surrogateescape"))


def campaign_files(f, model_dir, rng, count, jobs):
    targets = ["platform.yaml", "phases/phase1.yaml", "phases/phase3.yaml", "pricing/railway.yaml", "experiment"]
    # Mutations are drawn first, in order, so the files do not depend on the number of jobs.
    plans = []
    for i in range(count):
        target = targets[i % len(targets)]
        rounds = 1 if rng.random() < 0.7 else 2 + rng.randrange(2)
        plans.append((i, target, [rng.randrange(1 << 30) for _ in range(rounds)], rng.choice(["current", "phase1", "phase2", "phase3", "phase4"])))
    def one(plan):
        i, target, seeds, phase = plan
        copy = f.work / "files" / f"m{i}"
        shutil.copytree(model_dir, copy)
        try:
            if target == "experiment":
                experiment = copy / "experiment.yaml"
                text = experiment_text(copy / "platform.yaml", ["current", "phase2"], [300, 600],
                                       ["database.pool.connectionLimit=20"], name=f"fuzz{i}")
                for seed in seeds:
                    text = mutate(text, random.Random(seed))
                write(experiment, text)
                db = copy / "results.sqlite"
                if f.run(["sweep", str(experiment), "--db", str(db)], "files").kind == "ok":
                    f.run(["report", "--db", str(db), "--format", ["md", "csv", "json"][i % 3]], "files")
                    return True
                return False
            path = copy / target
            text = path.read_text()
            for seed in seeds:
                text = mutate(text, random.Random(seed))
            write(path, text)
            if f.run(["validate", str(copy / "platform.yaml")], "files").kind == "ok":
                f.run(["run", str(copy / "platform.yaml"), "--phase", phase, "--users", "1000", "--duration", "30", "--warm-up", "0"], "files")
                return True
            return False
        finally:
            shutil.rmtree(copy, ignore_errors=True)
    return sum(f.map(jobs, one, plans, "files", count))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--mutations", type=int, default=1000, help="mutated files (campaign 2)")
    p.add_argument("--keys", type=int, default=0, help="at most this many key values (0: every key at every extreme value)")
    p.add_argument("--size-every", type=int, default=10, help="run size for every Nth accepted value (0: never)")
    p.add_argument("--timeout", type=float, default=120, help="seconds before a command counts as hung")
    p.add_argument("--log", default=None, help="a file for the failures, one JSON object a line")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="commands at once")
    args = p.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="platformsim-fuzz-"))
    model_dir = work / "model"
    shutil.copytree(ROOT / "Models", model_dir)
    log = open(args.log, "w") if args.log else open(os.devnull, "w")
    f = Fuzzer(args.binary, work, args.timeout, log)
    started = time.time()
    try:
        print(f"fuzz: seed {args.seed}, binary {args.binary}", flush=True)
        key_count, values, accepted = campaign_keys(f, model_dir, rng, every=args.keys == 0, limit=args.keys,
                                                 size_every=args.size_every, jobs=args.jobs)
        print(f"fuzz: {key_count} keys, {values} extreme values through validate, {accepted} accepted and run through "
              f"run, sweep, report and size", flush=True)
        validated = campaign_files(f, model_dir, rng, args.mutations, args.jobs)
        print(f"fuzz: {args.mutations} mutated model and experiment files, {validated} accepted and run", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    commands = sum(f.counts.values())
    bad = {k: f.total(kinds=[k]) for k in ("crash", "hang", "messy")}
    by_kind = {k: f.total(kinds=[k]) for k in ("ok", "error")}
    print(f"fuzz: {commands} commands in {time.time() - started:.0f} s: {by_kind['ok']} finished, {by_kind['error']} clean errors, "
          f"{bad['crash']} crashes, {bad['hang']} hangs, {bad['messy']} other failures")
    for failure in f.failures[:20]:
        print(f"  {failure['kind']}: platform-sim {' '.join(failure['args'])}: {' / '.join(failure['stderr'])}")
    return 1 if any(bad.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
