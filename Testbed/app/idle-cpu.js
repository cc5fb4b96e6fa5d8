'use strict';
// How much CPU the API spends on one request after its core idled a while: logouts one at a
// time with a pause before each (the client waits in a futex, both cores idle), the API
// process's CPU from /proc over each gap's requests. `api.loopWakeUpCpuMs` is measured back to
// back (Testbed/measure.sh); a low-load replay's requests come about 125 ms apart, and there the
// testbed's API spent about three times that CPU per request (Notebooks/validation.md, the API's
// CPU per request at the lowest level). A diagnostic: it writes nothing to the overlay.
//
//   TESTBED_ENV=DIR/env node idle-cpu.js USERS.csv [GAPS_MS=0,1,5,20,125] [REQUESTS=200] [ROUNDS=5]
//
// Prints the idle API's own CPU a second, then one line per gap: the API's CPU per logout, the
// same less the idle API's own over the gap's time, and the round trip's median, in ms. Each
// gap's REQUESTS are sent in ROUNDS slices, the gaps taking turns: the API's CPU per request
// drifts through a run (on 2026-11-29 the first gap measured, in blocks, came out up to twice the
// same gap measured last), and turns spread that drift over every gap alike.
const http = require('http');
const { sign } = require('./auth');
const { loadEnv, loadSettings, loadUsers, cpuSeconds } = require('./common');
const { requestFor, send } = require('./request');

const env = loadEnv();
const settings = loadSettings(env.TESTBED_SETTINGS);
const users = loadUsers(process.argv[2]).filter((u) => u.active);
const gaps = (process.argv[3] || '0,1,5,20,125').split(',').map(Number);
const count = Number(process.argv[4] || 200);
const rounds = Number(process.argv[5] || 5);
if (gaps.some((g) => !(g >= 0)) || !(count > 0) || !Number.isInteger(rounds) || !(rounds > 0) || count % rounds !== 0) {
  console.error('idle-cpu.js: error: usage: TESTBED_ENV=DIR/env node idle-cpu.js USERS.csv [GAPS_MS] [REQUESTS] [ROUNDS, dividing REQUESTS]');
  process.exit(64);
}
const cell = new Int32Array(new SharedArrayBuffer(4));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const spec = settings.endpoints.find((x) => x.name === 'logout');
let k = 0;
// A logout as the replayer sends it (Testbed/app/request.js).
const logout = () => new Promise((resolve, reject) => {
  const u = users[k++ % users.length];
  const call = requestFor('logout', spec, { user: u.id, tier: u.tier, ip: `10.7.${(k >> 8) & 255}.${k & 255}`, limit: 0, id: k },
    (id, tier) => sign({ sub: id, tier }));
  send(agent, Number(env.API_PORT), call, settings.requestTimeoutMs, (status, kind) => (status === 0 ? reject(new Error(kind)) : resolve()));
});

(async () => {
  for (let i = 0; i < 200; i++) await logout(); // connections open, code compiled
  // The API's own CPU while nothing arrives (its timers: the event-loop lag sampler the
  // replayer reads): over a gap's requests that much is not theirs.
  const idle0 = cpuSeconds(env.API_PID, false), idleFor = 20;
  Atomics.wait(cell, 0, 0, idleFor * 1000);
  const idleMsPerS = ((cpuSeconds(env.API_PID, false) - idle0) * 1000) / idleFor;
  console.log(`idle: the API's own CPU ${idleMsPerS.toFixed(2)} ms a second with no request (${idleFor} s)`);
  const per = gaps.map(() => ({ cpu: 0, wall: 0, times: [] }));
  for (let r = 0; r < rounds; r++) {
    for (const [g, gap] of gaps.entries()) {
      const cpu0 = cpuSeconds(env.API_PID, false), wall0 = process.hrtime.bigint();
      for (let i = 0; i < count / rounds; i++) {
        if (gap > 0) Atomics.wait(cell, 0, 0, gap);
        const t = process.hrtime.bigint();
        await logout();
        per[g].times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      per[g].cpu += cpuSeconds(env.API_PID, false) - cpu0;
      per[g].wall += Number(process.hrtime.bigint() - wall0) / 1e9;
    }
  }
  for (const [g, gap] of gaps.entries()) {
    const cpuMs = (per[g].cpu * 1000) / count;
    const ownMs = (idleMsPerS * per[g].wall) / count;
    const times = per[g].times.sort((a, b) => a - b);
    console.log(`gap ${gap} ms: API CPU ${cpuMs.toFixed(3)} ms per logout, ${(cpuMs - ownMs).toFixed(3)} less the idle API's own, round trip median ${times[times.length >> 1].toFixed(3)} ms (${count} logouts in ${rounds} turns)`);
  }
  agent.destroy();
})().catch((e) => { console.error('idle-cpu.js: error: ' + e.message); process.exit(1); });
