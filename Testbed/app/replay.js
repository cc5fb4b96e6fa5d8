'use strict';
// The replayer: sends a trace's requests open-loop at the trace's times (never waiting for a
// response before the next is due), user identity in a signed token, the source IP in
// X-Forwarded-For (the API trusts its loopback proxy), and records each request's status,
// latency and error kind. During the measured window it samples the servers: Postgres
// pg_stat_activity and pg_stat_statements, PgBouncer SHOW POOLS, Redis INFO, the API's event
// loop and caches (/metrics), its pool's waiting queries (/testbed/pool), and every process's
// CPU time from /proc.
//
//   node replay.js TRACE.csv OUT_DIR      (ports from the testbed's env file: TESTBED_ENV=DIR/env)
//
// Writes OUT_DIR/measured.csv (one line per trace record, in trace order) and
// OUT_DIR/servers.json (the samples), then exits.
const fs = require('fs');
const { loadEnv, cpuSeconds } = require('./common');
const http = require('http');
const { Client } = require('pg');
const { createClient } = require('redis');
const { sign } = require('./auth');
const { requestFor, send, emptyTestbed } = require('./request');

function readTrace(file) {
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  if (!lines[0].startsWith('# platformsim-trace 1')) throw new Error(`${file}:1:1: error: not a version-1 PlatformSim trace`);
  const header = JSON.parse(lines[1].slice('# header '.length));
  const records = [];
  for (let i = 3; i < lines.length; i++) {
    if (!lines[i]) continue;
    const f = lines[i].split(',');
    records.push({ t: Number(f[0]), endpoint: f[1], user: Number(f[2]), tier: f[3], ip: f[4], limit: Number(f[5]) });
  }
  return { header, records };
}

function getJSON(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => { try { resolve(JSON.parse(body)); } catch (e) { reject(e); } });
    }).on('error', reject);
  });
}

async function main() {
  const [traceFile, outDir] = process.argv.slice(2);
  if (!traceFile || !outDir) throw new Error('usage: node replay.js TRACE.csv OUT_DIR (with TESTBED_ENV=DIR/env)');
  const env = loadEnv();
  const settings = JSON.parse(fs.readFileSync(env.TESTBED_SETTINGS, 'utf8'));
  const { header, records } = readTrace(traceFile);
  const endpoints = new Map(settings.endpoints.map((e) => [e.name, e]));
  const apiPort = Number(env.API_PORT);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 10000 });
  const tokens = new Map();
  const token = (user, tier) => {
    if (!tokens.has(user)) tokens.set(user, sign({ sub: user, tier }));
    return tokens.get(user);
  };
  const n = records.length;
  const sent = new Float64Array(n).fill(NaN);
  const latency = new Float64Array(n).fill(NaN);
  const status = new Int16Array(n);
  const kind = new Array(n).fill('');
  let done = 0;
  let resolveAll;
  const allDone = new Promise((r) => (resolveAll = r));
  const timeoutMs = settings.requestTimeoutMs;

  function sendRecord(i, start) {
    const r = records[i];
    const call = requestFor(r.endpoint, endpoints.get(r.endpoint), { user: r.user, tier: r.tier, ip: r.ip, limit: r.limit, id: i }, token);
    const t0 = send(agent, apiPort, call, timeoutMs, (code, k, ms) => {
      latency[i] = ms;
      status[i] = code;
      kind[i] = k;
      if (++done === n) resolveAll();
    });
    sent[i] = Number(t0 - start) / 1e9;
  }

  // Server-side samples, every second of the measured window.
  const pgClient = new Client({ host: '127.0.0.1', port: Number(env.PG_PORT), user: 'postgres', database: 'postgres' });
  await pgClient.connect();
  let bouncer = null;
  if (env.USE_BOUNCER === 'true') {
    bouncer = new Client({ host: '127.0.0.1', port: Number(env.BOUNCER_PORT), user: 'postgres', database: 'pgbouncer' });
    await bouncer.connect();
  }
  const redis = createClient({ socket: { host: '127.0.0.1', port: Number(env.REDIS_PORT) } });
  await redis.connect();
  // Start cold, as the trace does: no limiter window, cache entry or job left from a run before.
  await emptyTestbed(redis, apiPort);
  const samples = [];
  const groups = { api: [env.API_PID, false], postgres: [env.POSTGRES_PID, true], pgbouncer: [env.BOUNCER_PID, true],
                   redis: [env.REDIS_PID, true], worker: [env.WORKER_PID, false], providers: [env.PROVIDERS_PID, false] };
  const cpuNow = () => {
    const c = {};
    for (const [name, [pid, children]] of Object.entries(groups)) if (pid) c[name] = cpuSeconds(pid, children);
    const own = process.cpuUsage();
    c.replayer = (own.user + own.system) / 1e6;
    return c;
  };
  let sampling = null;
  let atStart = null;
  // The hypervisor's steal over all cores (seconds, /proc/stat), to tell a stall of the whole
  // machine from one of the testbed's.
  const stealNow = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    return Number(f[8] || 0) / 100;
  };
  let lastSteal = stealNow();
  async function sample() {
    const s = { t: Number(process.hrtime.bigint() - startTime) / 1e9 };
    const steal = stealNow();
    s.stealS = Number((steal - lastSteal).toFixed(2));
    lastSteal = steal;
    const a = await pgClient.query("SELECT count(*) FILTER (WHERE state = 'active' AND pid <> pg_backend_pid()) AS active, count(*) FILTER (WHERE backend_type = 'client backend') - 1 AS backends FROM pg_stat_activity");
    s.pgActive = Number(a.rows[0].active);
    s.pgBackends = Number(a.rows[0].backends);
    if (bouncer) {
      const p = await bouncer.query('SHOW POOLS');
      const row = p.rows.find((r) => r.database === 'postgres') || {};
      s.bouncerClientsWaiting = Number(row.cl_waiting || 0);
      s.bouncerServersActive = Number(row.sv_active || 0);
      s.bouncerMaxWaitS = Number(row.maxwait || 0) + Number(row.maxwait_us || 0) / 1e6;
    }
    const info = await redis.info();
    const field = (k) => Number((info.match(new RegExp(`^${k}:(\\S+)`, 'm')) || [])[1] || 0);
    s.redisOpsPerS = field('instantaneous_ops_per_sec');
    s.redisUsedMemory = field('used_memory');
    // The API's pool: requests waiting for one of its connections (node-pg's waitingCount).
    // (A failed call leaves these two out of the sample, not the sample out of the run.)
    const pool = await getJSON(apiPort, '/testbed/pool').catch(() => null);
    if (pool) {
      s.apiPoolWaiting = Number(pool.waiting);
      s.apiInFlight = Number(pool.inFlight);
    }
    samples.push(s);
  }

  const warmUp = header.warmUpSeconds;
  let startTime;
  async function startMeasuring() {
    await pgClient.query('SELECT pg_stat_statements_reset()');
    lastSteal = stealNow();
    atStart = { cpu: cpuNow(), metrics: await getJSON(apiPort, '/metrics'), wall: Number(process.hrtime.bigint() - startTime) / 1e9 };
    sampling = setInterval(() => { sample().catch(() => {}); }, 1000);
  }

  // Open loop: each request at its time, however the earlier ones are doing.
  startTime = process.hrtime.bigint();
  let next = 0;
  let measuringStarted = false;
  await new Promise((resolve) => {
    function tick() {
      const now = Number(process.hrtime.bigint() - startTime) / 1e9;
      if (!measuringStarted && now >= warmUp) { measuringStarted = true; startMeasuring().catch((e) => console.error('replay: sampling: ' + e.message)); }
      while (next < n && records[next].t <= now + 0.0005) sendRecord(next++, startTime);
      if (next >= n) return resolve();
      // Sleep until the next is due; timers have a 1 ms grain, so a request due within half a
      // millisecond goes now. No spinning: until 2026-11-28 the replayer spun through the last
      // millisecond before each request, on the database's core, which it shares: replaying
      // phase3's 75% trace (549 requests a second) it used 0.35 ms of CPU a request, 0.30 without.
      const wait = (records[next].t - now) * 1000;
      setTimeout(tick, Math.max(1, Math.min(Math.floor(wait), 50)));
    }
    tick();
  });
  const endOfTrace = warmUp + header.durationSeconds;
  while (Number(process.hrtime.bigint() - startTime) / 1e9 < endOfTrace) await new Promise((r) => setTimeout(r, 20));
  if (!measuringStarted) await startMeasuring();
  const atEnd = { cpu: cpuNow(), metrics: await getJSON(apiPort, '/metrics'), wall: Number(process.hrtime.bigint() - startTime) / 1e9 };
  clearInterval(sampling);
  const statements = await pgClient.query("SELECT substring(query from '/\\* (\\w+) \\*/') AS class, sum(calls)::float8 AS calls, sum(total_exec_time)::float8 AS total_ms, sum(rows)::float8 AS rows FROM pg_stat_statements WHERE query LIKE '/*%' GROUP BY 1 ORDER BY 1");
  // Wait for the requests still under way (each bounded by the request timeout).
  const deadline = Date.now() + timeoutMs + 5000;
  while (done < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const window = atEnd.wall - atStart.wall;
  const cpu = {};
  for (const k of Object.keys(atEnd.cpu)) cpu[k] = atEnd.cpu[k] - atStart.cpu[k];
  const cacheDiff = {};
  for (const [name, c] of Object.entries(atEnd.metrics.caches)) {
    const b = atStart.metrics.caches[name];
    cacheDiff[name] = { lookups: c.lookups - b.lookups, hits: c.hits - b.hits };
  }
  const lateness = [];
  for (let i = 0; i < n; i++) if (records[i].t >= warmUp) lateness.push((sent[i] - records[i].t) * 1000);
  lateness.sort((a, b) => a - b);
  const q = (p) => (lateness.length ? lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))] : 0);
  const measuredCount = lateness.length;
  const servers = {
    windowSeconds: window, cpuSeconds: cpu, caches: cacheDiff, samples,
    loopDelayP99Ms: atEnd.metrics.loopDelayP99Ms, loopDelayMeanMs: atEnd.metrics.loopDelayMeanMs,
    statements: statements.rows,
    replayer: { requests: measuredCount, cpuMsPerRequest: measuredCount ? (cpu.replayer * 1000) / measuredCount : 0,
                latenessP50Ms: q(0.5), latenessP99Ms: q(0.99), latenessMaxMs: lateness.length ? lateness[lateness.length - 1] : 0,
                unfinished: n - done },
  };
  fs.mkdirSync(outDir, { recursive: true });
  let out = '# platformsim-measured 1\nindex,sent_s,status,latency_ms,error\n';
  for (let i = 0; i < n; i++) {
    out += `${i},${Number.isNaN(sent[i]) ? '' : sent[i].toFixed(6)},${status[i]},${Number.isNaN(latency[i]) ? '' : latency[i].toFixed(3)},${kind[i]}\n`;
  }
  fs.writeFileSync(outDir + '/measured.csv.tmp', out);
  fs.renameSync(outDir + '/measured.csv.tmp', outDir + '/measured.csv');
  fs.writeFileSync(outDir + '/servers.json.tmp', JSON.stringify(servers, null, 1) + '\n');
  fs.renameSync(outDir + '/servers.json.tmp', outDir + '/servers.json');
  await pgClient.end();
  if (bouncer) await bouncer.end();
  await redis.quit();
  agent.destroy();
  console.log(`replayed ${n} requests (${done} answered); replayer ${servers.replayer.cpuMsPerRequest.toFixed(3)} ms CPU per request, lateness p99 ${servers.replayer.latenessP99Ms.toFixed(2)} ms`);
}

main().catch((e) => { console.error('replay: error: ' + e.message); process.exit(1); });
