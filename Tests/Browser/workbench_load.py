"""Load test of `platform-sim serve` on loopback: 100 page loads and 10 what-ifs at once, every
what-if saved at once, then every saved result checked in the database; and a what-if whose
event stream is closed is cancelled. Bounded in time by its caller.

    python3 Tests/Browser/workbench_load.py BINARY
"""
import concurrent.futures
import http.client
import json
import os
import sqlite3
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from workbench_server import WorkbenchServer  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PAGES = ["/", "/model", "/model/changes", "/whatif", "/results", "/notebooks", "/notebooks/roadmap",
         "/notebooks/files/roadmap/latency.svg", "/experiments/roadmap.yaml", "/assets/workbench.js"]
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures.append(message)


def request(server, method, path, body=None, timeout=60):
    url = urllib.parse.urlparse(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def whatif(i):
    return json.dumps({"configuration": "phase3", "users": "5000", "replications": "2", "durationS": "30", "warmUpS": "10",
                       "overrides": [f"database.pool.connectionLimit={i + 1}"]})


def main():
    server = WorkbenchServer(sys.argv[1], ROOT)
    try:
        start = threading.Barrier(110)

        def page(i):
            start.wait(timeout=60)
            t = time.time()
            status, body = request(server, "GET", PAGES[i % len(PAGES)])
            return status, len(body), time.time() - t

        def submit(i):
            start.wait(timeout=60)
            status, body = request(server, "POST", "/api/whatif", whatif(i))
            return status, json.loads(body)

        with concurrent.futures.ThreadPoolExecutor(max_workers=110) as pool:
            pages = [pool.submit(page, i) for i in range(100)]
            runs = [pool.submit(submit, i) for i in range(10)]
            page_results = [f.result(timeout=120) for f in pages]
            run_results = [f.result(timeout=120) for f in runs]
        ok_pages = [r for r in page_results if r[0] == 200 and r[1] > 0]
        check(len(ok_pages) == 100, f"100 concurrent page loads: {len(ok_pages)} answered 200, slowest {max(r[2] for r in page_results):.2f} s")
        accepted = [r[1]["id"] for r in run_results if r[0] == 202]
        check(len(accepted) == 10, f"10 concurrent what-ifs accepted ({len(accepted)})")

        deadline = time.time() + 240
        phases = {}
        while time.time() < deadline:
            phases = {i: json.loads(request(server, "GET", f"/api/whatif/{i}")[1])["phase"] for i in accepted}
            if all(p in ("finished", "cancelled", "failed") for p in phases.values()):
                break
            time.sleep(0.5)
        check(all(p == "finished" for p in phases.values()), f"every what-if finished ({sorted(set(phases.values()))})")

        with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
            saves = list(pool.map(lambda p: request(server, "POST", f"/api/whatif/{p[1]}/save", json.dumps({"name": f"load-{p[0]}"})),
                                  enumerate(accepted)))
        check(all(s[0] == 201 for s in saves), f"10 concurrent saves ({[s[0] for s in saves]})")

        database = sqlite3.connect(server.database)
        experiments = [r[0] for r in database.execute("SELECT name FROM experiments ORDER BY name")]
        check(experiments == sorted(f"load-{i}" for i in range(10)), f"10 experiments stored ({len(experiments)})")
        runs = dict(database.execute("SELECT experiment, COUNT(*) FROM runs GROUP BY experiment"))
        check(all(runs.get(f"load-{i}") == 4 for i in range(10)), f"4 runs in each ({sorted(set(runs.values()))})")
        incomplete = database.execute("SELECT COUNT(*) FROM runs r WHERE NOT EXISTS (SELECT 1 FROM component_metrics c WHERE "
                                      "c.experiment = r.experiment AND c.configuration = r.configuration AND c.variant = r.variant "
                                      "AND c.users = r.users AND c.seed = r.seed AND c.replication = r.replication)").fetchone()[0]
        check(incomplete == 0, "every stored run has its component rows")
        overrides = {r[0]: r[1] for r in database.execute("SELECT experiment, overrides FROM runs WHERE variant = 'what-if' AND replication = 0")}
        check(all(json.loads(overrides[f"load-{i}"]) == [f"database.pool.connectionLimit={i + 1}"] for i in range(10)),
              "each stored what-if keeps its own override")
        database.close()

        # Closing the event stream of a running what-if cancels it.
        status, body = request(server, "POST", "/api/whatif", json.dumps(
            {"configuration": "phase3", "users": "100000", "replications": "1", "durationS": "3600", "overrides": ["api.instance.vcpu=4"]}))
        run_id = json.loads(body)["id"]
        url = urllib.parse.urlparse(server.url)
        stream = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        stream.request("GET", f"/api/whatif/{run_id}/events")
        response = stream.getresponse()
        seen = response.fp.readline()
        check(response.status == 200 and response.getheader("Content-Type") == "text/event-stream", "the event stream opens")
        stream.sock.close()
        stream.close()
        phase = ""
        deadline = time.time() + 30
        while time.time() < deadline:
            phase = json.loads(request(server, "GET", f"/api/whatif/{run_id}")[1])["phase"]
            if phase == "cancelled":
                break
            time.sleep(0.2)
        check(phase == "cancelled", f"closing the event stream cancelled the run ({phase}; first line {seen[:40]!r})")
    finally:
        server.stop()
    print(f"workbench-load: {len(failures)} failed" if failures else "workbench-load: all checks passed", flush=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
