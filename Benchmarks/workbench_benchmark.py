"""Times the workbench's "done when": a new user's what-if, phase3 at 1M users with
database.pool.connectionLimit changed, from the request to the finished result, with the
form's defaults (3 seeds per side, 60 s warm-up, 180 s measured). Beside it, in the same
run, the reference: `platform-sim run` of the same 6 runs on 2 threads (the simulation alone,
no server). Writes a markdown table.

    python3 Benchmarks/workbench_benchmark.py BINARY OUT.md
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Browser"))
from workbench_server import WorkbenchServer  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
RUNS = int(os.environ.get("RUNS", "3"))


def whatif(server, limit):
    body = json.dumps({"configuration": "phase3", "users": "1000000", "overrides": [f"database.pool.connectionLimit={limit}"]})
    start = time.time()
    status, answer = server.post("/api/whatif", body)
    assert status == 202, answer
    analytic = time.time() - start
    run_id = json.loads(answer)["id"]
    while True:
        phase = json.loads(server.get(f"/api/whatif/{run_id}")[1])["phase"]
        if phase != "queued" and phase != "running":
            break
        time.sleep(0.05)
    assert phase == "finished", phase
    return analytic, time.time() - start


def ahead_then_whatif(server, pause):
    """The page's way: the baseline starts when the form opens; Run `pause` seconds later."""
    body = json.dumps({"configuration": "phase3", "users": "1000000", "overrides": []})
    status, _ = server.post("/api/baseline", body)
    assert status == 202
    time.sleep(pause)
    return whatif(server, 40)[1]


def main():
    binary, out = sys.argv[1], sys.argv[2]
    first, second, analytic, reference, ahead = [], [], [], [], []
    pause = float(os.environ.get("PAUSE", "5"))
    for i in range(RUNS):
        server = WorkbenchServer(binary, ROOT)       # a fresh server: nothing kept from before
        try:
            a, t = whatif(server, 40)
            analytic.append(a)
            first.append(t)
            second.append(whatif(server, 10)[1])     # same baseline, kept: only the what-if side runs
        finally:
            server.stop()
        server = WorkbenchServer(binary, ROOT)
        try:
            ahead.append(ahead_then_whatif(server, pause))
        finally:
            server.stop()
        start = time.time()
        subprocess.run([binary, "run", "Models/platform.yaml", "--phase", "phase3", "--users", "1000000", "--duration", "180",
                        "--warm-up", "60", "--replications", "6", "--jobs", "2", "--set", "database.pool.connectionLimit=40"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        reference.append(time.time() - start)
        print(f"round {i + 1}: first what-if {first[-1]:.2f} s, second {second[-1]:.2f} s, analytic {analytic[-1]:.2f} s, "
              f"after the baseline ahead {ahead[-1]:.2f} s, reference {reference[-1]:.2f} s", flush=True)
    med = statistics.median
    rows = [
        ("analytic answer (request to tables)", med(analytic)),
        ("first what-if, fresh server (baseline + what-if, 6 runs)", med(first)),
        ("next what-if, same baseline (3 runs)", med(second)),
        (f"first what-if as the page makes it: baseline started when the form opened, Run {pause:.0f} s later (request to result)", med(ahead)),
        ("reference: `platform-sim run --replications 6 --jobs 2` (same 6 runs, no server)", med(reference)),
    ]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    text = "# Workbench benchmark\n\n"
    text += (f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores ({cpu}), release build; median of {RUNS} rounds, each on a fresh "
             "server. What-if: `phase3` at 1,000,000 users, `database.pool.connectionLimit` changed, the form's defaults "
             "(3 seeds per side, 60 s warm-up, 180 s measured from the busiest hour). "
             f"Load average when it ended: {os.getloadavg()[0]:.1f} (other builds share the machine; the ratios are "
             "the figures to compare across machines).\n\n")
    text += "| measured | wall seconds | ratio to the reference |\n|---|---:|---:|\n"
    for name, value in rows:
        text += f"| {name} | {value:.2f} | {value / med(reference):.2f} |\n"
    text += "\nCommand: `Benchmarks/workbench-benchmark.sh`\n"
    with open(out, "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
