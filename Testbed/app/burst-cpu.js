'use strict';
// Diagnosis by hand: the API's CPU per logout in bursts, by burst size and the pause between
// bursts, the ways taking turns (the machine drifts). Prints one line per way.
//   TESTBED_ENV=DIR/env node burst-cpu.js USERS.csv SIZE:PAUSE_MS,... [REQUESTS=800] [ROUNDS=8]
const http = require('http');
const { sign } = require('./auth');
const { loadEnv, loadSettings, loadUsers, cpuSecondsPrecise } = require('./common');
const { requestFor, send } = require('./request');
const env = loadEnv();
const settings = loadSettings(env.TESTBED_SETTINGS);
const users = loadUsers(process.argv[2]).filter((u) => u.active);
const ways = (process.argv[3] || '40:300,40:5').split(',').map((w) => { const [s, p] = w.split(':').map(Number); return { size: s, pause: p, cpu: 0, n: 0, wall: 0 }; });
const count = Number(process.argv[4] || 800), rounds = Number(process.argv[5] || 8);
const spec = settings.endpoints.find((x) => x.name === 'logout');
const agent = new http.Agent({ keepAlive: true, maxSockets: 400 });
let k = 0;
const logout = () => new Promise((resolve) => {
  const u = users[k++ % users.length];
  const c = requestFor('logout', spec, { user: u.id, tier: u.tier, ip: `10.7.${(k >> 8) & 255}.${k & 255}`, limit: 0, id: k }, (id, tier) => sign({ sub: id, tier }));
  send(agent, Number(env.API_PORT), c, settings.requestTimeoutMs, () => resolve());
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  for (let i = 0; i < 20; i++) await Promise.all(Array.from({ length: 40 }, logout));
  for (let r = 0; r < rounds; r++) {
    for (const w of ways) {
      const n = Math.max(w.size, Math.round(count / rounds / w.size) * w.size);
      const c0 = cpuSecondsPrecise(env.API_PID), t0 = Date.now();
      for (let i = 0; i < n / w.size; i++) { await Promise.all(Array.from({ length: w.size }, logout)); if (w.pause) await sleep(w.pause); }
      w.cpu += cpuSecondsPrecise(env.API_PID) - c0; w.n += n; w.wall += Date.now() - t0;
    }
  }
  for (const w of ways) console.log(`bursts of ${w.size}, pause ${w.pause} ms: ${(w.cpu * 1000 / w.n).toFixed(3)} ms of API CPU a logout (${w.n}, ${(w.wall / 1000).toFixed(1)} s)`);
  agent.destroy();
})();
