'use strict';
// Diagnosis by hand: where a page view's time goes. Sends bursts of calls at once (one user per
// burst, a gap between bursts) and prints each endpoint's median total and Server-Timing
// stages (the API must run with TESTBED_TIMING=1).
//   TESTBED_ENV=DIR/env node burst-probe.js GAP_MS BURSTS endpoint,endpoint,...
const http = require('http');
const { sign } = require('./auth');
const { loadEnv, loadSettings } = require('./common');
const { requestFor, send } = require('./request');
const env = loadEnv();
const settings = loadSettings(env.TESTBED_SETTINGS);
const [gap, bursts, list] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4].split(',')];
const agent = new http.Agent({ keepAlive: true });
// One call as the replayer makes it (Testbed/app/request.js), with its Server-Timing header.
function call(ep, user) {
  return new Promise((resolve) => {
    const c = requestFor(ep, settings.endpoints.find((x) => x.name === ep), { user, tier: 'tier1-2', ip: `10.2.${user >> 8}.${user & 255}`, limit: 20, id: user },
      (id, tier) => sign({ sub: id, tier }));
    let timing = '';
    send(agent, Number(env.API_PORT), c, settings.requestTimeoutMs, (status, kind, ms) => resolve({ ep, ms, timing, status }),
      (h) => { timing = h['server-timing'] || ''; });
  });
}
async function main() {
  const by = {};
  for (let b = 0; b < bursts; b++) {
    const user = (b * 7) % 1000;
    const rs = await Promise.all(list.map((ep) => call(ep, user)));
    for (const r of rs) {
      const e = (by[r.ep] = by[r.ep] || { ms: [], stages: {} });
      e.ms.push(r.ms);
      for (const part of r.timing.split(', ').filter(Boolean)) {
        const [name, dur] = part.split(';dur=');
        (e.stages[name] = e.stages[name] || []).push(Number(dur));
      }
    }
    await new Promise((r) => setTimeout(r, gap));
  }
  const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
  for (const [ep, e] of Object.entries(by)) {
    console.log(ep.padEnd(18), 'total', med(e.ms).toFixed(2), Object.entries(e.stages).map(([k, v]) => `${k} ${med(v).toFixed(2)}`).join(' | '));
  }
  process.exit(0);
}
main();
