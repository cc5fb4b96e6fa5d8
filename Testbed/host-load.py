#!/usr/bin/env python3
"""Tells whether a measurement ran on a quiet machine: the CPU that processes other than the
testbed's used meanwhile, and the hypervisor's steal.

    python3 Testbed/host-load.py start FILE
    python3 Testbed/host-load.py check FILE --pid PID --label TEXT [--limit 0.05] [--json OUT]
                                   [--log FILE] [--program NAME] [--unwritten TEXT]

`start` writes a snapshot of /proc (the machine's CPU counters and every process's); `check`
compares the machine now with it. The testbed's CPU is that of processes named node, postgres,
pgbouncer or redis-server (what Testbed/up.sh starts and the replayer) and of the children PID
has reaped meanwhile (the shell that runs the measurement, `$BASHPID` in a script: its replayer
or measure.js once they exit). The kernel's own threads (children of kthreadd: memory monitoring, block I/O, soft
interrupts; 2-5% of a core under the testbed's load here) are reported apart and are not foreign.
Everything else the machine did in the window is foreign: another build, a profiler, a
benchmark. A core kept busy by another process does not sleep, so the wake-up delays and the
service times measured beside it come out wrong. (Stop 24's run of 2026-11-28, measured beside a
profiler, gave a wake-up delay after 5 ms idle of 0.18 ms against 0.77 an hour before; a quiet
measurement at 20:00 gave 0.08, so the delays also move on their own: Testbed/README.md.)

`check` writes one line, to --log when given (appended) and else to standard error. When the
foreign CPU exceeds --limit of one core over the window it exits 3 and also writes, to standard
error, one error line as the calling script's: `NAME: error: ...; TEXT` (--program, --unwritten).
"""
import json
import os
import sys
import time

TESTBED = {"node", "postgres", "pgbouncer", "redis-server"}
TICK = os.sysconf("SC_CLK_TCK")


def machine():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return {"busy": user + nice + system + irq + softirq, "steal": steal,
            "all": user + nice + system + idle + iowait + irq + softirq + steal}


def processes():
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                text = f.read()
        except OSError:
            continue
        comm = text[text.index("(") + 1:text.rindex(")")]
        rest = text[text.rindex(")") + 2:].split()
        # Fields 14-17 of proc(5): utime, stime, cutime, cstime (rest[0] is field 3).
        own, children = int(rest[11]) + int(rest[12]), int(rest[13]) + int(rest[14])
        # A kernel thread is a child of kthreadd (pid 2): the machine's own work.
        out[entry] = {"comm": comm, "own": own, "children": children, "kernel": rest[1] in ("0", "2") and entry != "1"}
    return out


def snapshot():
    return {"wall": time.monotonic(), "machine": machine(), "processes": processes()}


def fail(message):
    print(f"host-load.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv):
    if len(argv) < 2 or argv[0] not in ("start", "check"):
        fail("usage: host-load.py start FILE | check FILE --pid PID --label TEXT [--limit 0.05] [--steal-limit 0.01] [--json OUT]")
    command, path, options = argv[0], argv[1], argv[2:]
    if command == "start":
        with open(path, "w") as f:
            json.dump(snapshot(), f)
        return 0
    settings = {"--pid": None, "--label": "the measurement", "--limit": "0.05", "--steal-limit": "0.01", "--json": None, "--log": None,
                "--program": "host-load.py", "--unwritten": "rerun with nothing else running"}
    while options:
        if options[0] not in settings or len(options) < 2:
            fail(f"unknown or incomplete option {options[0]}")
        settings[options[0]] = options[1]
        options = options[2:]
    try:
        with open(path) as f:
            before = json.load(f)
    except (OSError, ValueError) as error:
        fail(f"{path}: cannot read the snapshot: {error}")
    after = snapshot()
    wall = after["wall"] - before["wall"]
    span = max(after["machine"]["all"] - before["machine"]["all"], 1)
    busy = (after["machine"]["busy"] - before["machine"]["busy"]) / TICK
    steal = (after["machine"]["steal"] - before["machine"]["steal"]) / span
    testbed, kernel, others = 0.0, 0.0, {}
    for pid, now in after["processes"].items():
        then = before["processes"].get(pid, {"own": 0, "children": 0})
        delta = (now["own"] - then["own"]) / TICK
        if pid == str(os.getpid()):  # this check's own start-up and scan
            testbed += delta
        elif now["comm"] in TESTBED or pid == settings["--pid"]:
            testbed += delta + (now["children"] - then["children"]) / TICK
        elif now.get("kernel"):
            kernel += delta
        else:
            # With the children it reaped meanwhile: a build's compilers, a profiler's runs.
            delta += (now["children"] - then["children"]) / TICK
            if delta > 0:
                others[f"{now['comm']} (pid {pid})"] = delta
    # Counted process by process: the machine's total less the testbed's is too coarse (the
    # two are accounted differently, a few per cent apart, more than a small foreign load).
    foreign = sum(others.values())
    unattributed = busy - testbed - kernel - foreign
    share = foreign / wall if wall > 0 else 0.0
    top = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sorted(others.items(), key=lambda kv: -kv[1])[:3] if seconds >= 0.05)
    line = (f"{settings['--label']}: other processes used {foreign:.1f} CPU seconds in {wall:.0f} s "
            f"({share * 100:.1f}% of a core; the most: {top or 'none'}), the kernel's threads {kernel:.1f} s, "
            f"the hypervisor stole {steal * 100:.1f}%")
    if settings["--json"]:
        with open(settings["--json"], "w") as f:
            json.dump({"foreignCpuSeconds": round(foreign, 2), "kernelThreadCpuSeconds": round(kernel, 2),
                       "testbedCpuSeconds": round(testbed, 2), "unattributedCpuSeconds": round(unattributed, 2), "wallSeconds": round(wall, 1),
                       "foreignCoreShare": round(share, 4), "stealShare": round(steal, 4)}, f)
    limit = float(settings["--limit"])
    if settings["--log"]:
        with open(settings["--log"], "a") as f:
            print(line, file=f)
    else:
        print(line, file=sys.stderr)
    if share > limit:
        print(f"{settings['--program']}: error: {line}: more than {limit * 100:.0f}% of a core, so the measurement "
              f"is not of a quiet machine; {settings['--unwritten']}", file=sys.stderr)
        return 3
    # The hypervisor's steal stalls every process on the machine, the testbed and the replayer
    # alike (it sends late and measures the stall as latency): a replay with more than a few per
    # cent of the machine's CPU time stolen measures the neighbours, not the testbed. In the run
    # of 2026-11-29 15:30 the levels lost 0.01-0.08 s of 120 core-seconds; on a fresh machine at
    # 19:01 they lost 0.1-8.9 s, and the tails measured 30-40% apart between two replays of the
    # same trace.
    steal_limit = float(settings["--steal-limit"])
    if steal > steal_limit:
        print(f"{settings['--program']}: error: {line}: more than {steal_limit * 100:.0f}% of the machine's CPU time "
              f"stolen by the hypervisor, so the measurement is of a stalled machine; {settings['--unwritten']}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
