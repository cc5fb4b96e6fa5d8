'use strict';
// Measures how much later work starts when its process's core has been idle a while
// (Models/testbed/service-times.yaml, `idleWakeUp`), for each kind of process the simulator
// times apart, each as the round trip the testbed's requests make:
//   eventLoop  the API's health endpoint from the data core (where the replayer runs): the
//              API's core idle for the gap, Node's HTTP stack and Express waking on it;
//   redis      a GET from the API's core: Redis's core idle for the gap;
//   database   a point query straight to Postgres from the API's core: a backend's.
// Both cores idle through each gap (the client waits in a futex, not a timer's spin). Each is
// measured back to back too (gap 0): the figure for a gap is its round trip less that. An idle
// core wakes late (a halted virtual CPU waits for the host to run it again) and the process
// then runs its first microseconds on cold caches, more of them the more code it runs before it
// answers: a datagram to an idle Node process (what this script measured before) showed the
// first part only, about a third of what the API's health round trip loses.
//
//   TESTBED_ENV=DIR/env node wakeup.js measure API_CORE > wakeups.json  (pinned to the data core)
//   TESTBED_ENV=DIR/env node wakeup.js hops                              (its child, on API_CORE)
//
// Prints {"eventLoop": {"0": [ms...], "0.1": [ms...], ...}, "redis": {...}, "database": {...}}:
// round trips after each idle time in ms.
const http = require('http');
const { spawn } = require('child_process');
const { loadEnv } = require('./common');

const env = loadEnv();
const now = () => process.hrtime.bigint();
const cell = new Int32Array(new SharedArrayBuffer(4));

/** The idle times measured, in milliseconds (0: back to back). WAKEUP_GAPS_MS (a comma-separated
 * list) measures others, such as the gaps of a low-load replay (about 125 ms between requests at
 * 8 a second); the overlay's keys are these. */
const GAPS_MS = process.env.WAKEUP_GAPS_MS ? [0, ...process.env.WAKEUP_GAPS_MS.split(',').map(Number)] : [0, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20];
if (GAPS_MS.some((g) => !(g >= 0))) { console.error('wakeup.js: error: WAKEUP_GAPS_MS must list idle times in ms, got ' + process.env.WAKEUP_GAPS_MS); process.exit(64); }

/** Round trips of `op` after each idle time: 300 each below 5 ms, 150 from 5 ms. */
async function roundTrips(op) {
  for (let i = 0; i < 200; i++) await op(); // connections open, code compiled
  const out = {};
  for (const g of GAPS_MS) {
    const n = g >= 5 ? 150 : 300;
    const times = [];
    for (let i = 0; i < n; i++) {
      if (g > 0) Atomics.wait(cell, 0, 0, g);
      const t = now();
      await op();
      times.push(Number(now() - t) / 1e6);
    }
    out[String(g)] = times;
  }
  return out;
}

async function hops() {
  const { Client } = require('pg');
  const { createClient } = require('redis');
  const redis = createClient({ socket: { host: '127.0.0.1', port: Number(env.REDIS_PORT) } });
  await redis.connect();
  await redis.set('wakeup:probe', 'x');
  const pg = new Client({ host: '127.0.0.1', port: Number(env.PG_PORT), user: 'postgres', database: 'postgres' });
  await pg.connect();
  let k = 0;
  const result = {
    redis: await roundTrips(() => redis.get('wakeup:probe')),
    database: await roundTrips(() => pg.query('SELECT 1 AS one WHERE $1::int >= 0', [k++])),
  };
  // WAKEUP_BOUNCER=1: the same query through PgBouncer too (both of its hops idle), which the
  // simulator has no curve of yet; measured for the notebook's gaps, not written to the overlay.
  if (process.env.WAKEUP_BOUNCER === '1' && env.USE_BOUNCER === 'true') {
    const viaBouncer = new Client({ host: '127.0.0.1', port: Number(env.BOUNCER_PORT), user: 'postgres', database: 'postgres' });
    await viaBouncer.connect();
    result.throughBouncer = await roundTrips(() => viaBouncer.query('SELECT 1 AS one WHERE $1::int >= 0', [k++]));
    await viaBouncer.end();
  }
  await redis.quit();
  await pg.end();
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function measure(core) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const health = () => new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: Number(env.API_PORT), path: '/health', agent }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
  });
  const eventLoop = await roundTrips(health);
  agent.destroy();
  const child = spawn('taskset', ['-c', core, process.execPath, __filename, 'hops'], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the probe on core ${core} exited with ${code}`);
  process.stdout.write(JSON.stringify({ eventLoop, ...JSON.parse(out) }) + '\n');
}

const fail = (e) => { console.error('wakeup.js: error: ' + e.message); process.exit(1); };
if (process.argv[2] === 'hops') hops().catch(fail);
else if (process.argv[2] === 'measure' && process.argv[3]) measure(process.argv[3]).catch(fail);
else fail(new Error('usage: TESTBED_ENV=DIR/env node wakeup.js measure API_CORE'));
