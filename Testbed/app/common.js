'use strict';
// Shared by the testbed's processes: settings, the users file, random draws.
const fs = require('fs');

/** The running testbed's ports, pids and cores: the `KEY=value` lines of the env file
 * `Testbed/up.sh` writes (its path in TESTBED_ENV, or given). */
function loadEnv(path) {
  const file = path || process.env.TESTBED_ENV;
  let text;
  try {
    if (!file) throw new Error('TESTBED_ENV is not set (the env file Testbed/up.sh writes in its directory)');
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    // A command-line script's first step: one error line, no stack.
    console.error(`${require('path').basename(process.argv[1] || 'node')}: error: ${e.message}`);
    process.exit(64);
  }
  return Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => l.split(/=(.*)/s).slice(0, 2)));
}

/** The configuration's settings (written by `platform-sim trace --testbed-settings`). */
function loadSettings(path) {
  const file = path || process.env.TESTBED_SETTINGS;
  if (!file) throw new Error('TESTBED_SETTINGS is not set (the JSON written by platform-sim trace --testbed-settings)');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The users file (written by `platform-sim trace --users-out`): id, tier, weight, ip, active. */
function loadUsers(path) {
  const lines = fs.readFileSync(path, 'utf8').split('\n');
  const users = [];
  let header = null;
  for (const line of lines) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(',');
    if (!header) { header = f; continue; }
    users.push({ id: Number(f[0]), tier: f[1], weight: Number(f[2]), ip: f[3], active: f[4] === '1' });
  }
  return users;
}

/** A small seeded generator (mulberry32), so the stubs' draws repeat run to run. */
function rng(seed) {
  let a = seed >>> 0;
  return function () {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A draw from a provider latency as the model gives it (milliseconds). */
function drawLatency(d, u) {
  switch (d.kind) {
    case 'lognormal': {
      const [mu, sigma] = d.parameters;
      // Box-Muller from two uniforms.
      const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
      return Math.exp(mu + sigma * z);
    }
    case 'exponential': return -Math.log(1 - u()) * d.parameters[0];
    case 'deterministic': return d.parameters[0];
    case 'uniform': return d.parameters[0] + (d.parameters[1] - d.parameters[0]) * u();
    default: throw new Error('unsupported latency distribution ' + d.kind);
  }
}

/** CPU seconds (user + system) of a process from /proc, with all its descendants when asked. */
function cpuSeconds(pid, withDescendants) {
  const tick = 100; // USER_HZ on Linux
  const read = (p) => {
    try {
      const s = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      return { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / tick };
    } catch { return null; }
  };
  if (!withDescendants) return (read(pid) || { cpu: 0 }).cpu;
  // The process and all its descendants (Postgres's backends; Redis and PgBouncer under their
  // nice, taskset and runuser wrappers).
  const all = new Map();
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    const r = read(p);
    if (r) all.set(Number(p), r);
  }
  let total = 0;
  const todo = [Number(pid)];
  while (todo.length) {
    const q = todo.pop();
    total += (all.get(q) || { cpu: 0 }).cpu;
    for (const [p, r] of all) if (r.ppid === q) todo.push(p);
  }
  return total;
}

// A process's CPU time in seconds to the nanosecond: the sum of its threads' time on a CPU from
// /proc/PID/task/*/schedstat (the scheduler's own clock), where /proc/PID/stat counts 10 ms
// ticks: a figure over a few hundred short requests needs the finer clock. 0 when it is gone.
function cpuSecondsPrecise(pid) {
  try {
    let ns = 0;
    for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
      try { ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]); } catch { /* the thread ended */ }
    }
    return ns / 1e9;
  } catch { return 0; }
}

module.exports = { loadEnv, loadSettings, loadUsers, rng, drawLatency, cpuSeconds, cpuSecondsPrecise };
