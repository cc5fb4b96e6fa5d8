'use strict';
// Measures the testbed's service times at low load (one client, one request at a time) and
// prints them as a model overlay (Models/testbed/service-times.yaml), each number commented
// `measured: ...` with what was timed. Run by Testbed/measure.sh on a testbed started with
// the phase3 settings (PgBouncer and every composite index present).
//
//   TESTBED_ENV=DIR/env node measure.js USERS.csv > Models/testbed/service-times.yaml
const fs = require('fs');
const { join } = require('path');
const { spawnSync } = require('child_process');
const http = require('http');
const { Pool, Client } = require('pg');
const { createClient } = require('redis');
const { sign, verify } = require('./auth');
const { loadEnv, loadUsers, cpuSeconds, cpuSecondsPrecise } = require('./common');
const { requestFor, send, emptyTestbed } = require('./request');

const env = loadEnv();
const settings = JSON.parse(fs.readFileSync(env.TESTBED_SETTINGS, 'utf8'));
const users = loadUsers(process.argv[2]).filter((u) => u.active);
// The API's CPU to the nanosecond (its threads' scheduler clocks): /proc's 10 ms ticks moved an
// endpoint's figure over 600 short requests by a tenth or more.
const cpuOf = (pid) => cpuSecondsPrecise(pid);
// Postgres (its backends are the postmaster's children), PgBouncer and Redis (under their nice,
// taskset and runuser wrappers): the process and its descendants.
const treeCpu = (pid) => cpuSeconds(pid, true);
// Redis's own figures: its CPU (INFO cpu) and, per command, calls and time inside (INFO commandstats).
async function redisFigures(redis) {
  const info = await redis.info('cpu') + await redis.info('commandstats');
  const field = (k) => Number((info.match(new RegExp(`^${k}:(\\S+)`, 'm')) || [])[1] || 0);
  const commands = {};
  for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+),usec=(\d+)/gm)) if (m[1] !== 'info') commands[m[1]] = { calls: Number(m[2]), usec: Number(m[3]) };
  return { cpu: field('used_cpu_sys') + field('used_cpu_user'), commands };
}
const ownCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
const cv = (a) => { const m = mean(a); return Math.sqrt(mean(a.map((x) => (x - m) ** 2))) / m; };
const now = () => Number(process.hrtime.bigint()) / 1e6;
const fmt = (x, d = 3) => Number(x.toFixed(d));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
// The pause between bursts (the endpoints' bursts and the wake-up turns' baseline), long enough
// for each burst to drain from Postgres and Redis. Whether a shorter one changes the figure is
// within this machine's noise: a logout's CPU in bursts of 40 after 300 ms pauses against 2 ms
// was 0.44 against 0.33 ms at 15:01 on 2026-11-29 and 0.59 against 0.54 at 15:07, after 50 ms
// and 1 s 0.46 and 0.45 (Testbed/app/burst-cpu.js, the pauses taking turns).
const burstPauseMs = 300;

/** Fits y = a + b x by least squares. */
function fit(xs, ys) {
  const mx = mean(xs), my = mean(ys);
  let sxy = 0, sxx = 0;
  for (let i = 0; i < xs.length; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; }
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

async function main() {
  const out = [];
  const line = (s) => out.push(s);
  const redis = createClient({ socket: { host: '127.0.0.1', port: Number(env.REDIS_PORT) } });
  await redis.connect();
  await redis.set('probe', 'x');
  // Redis round trip from the API's client library, one command at a time.
  const rt = [];
  for (let i = 0; i < 3000; i++) { const t = now(); await redis.get('probe'); if (i >= 500) rt.push((now() - t) * 1000); }
  // Postgres: a point query's round trip, direct and through PgBouncer, and the client's CPU per query.
  const direct = new Pool({ host: '127.0.0.1', port: Number(env.PG_PORT), user: 'postgres', database: 'postgres', max: 1 });
  const viaBouncer = env.USE_BOUNCER === 'true' ? new Pool({ host: '127.0.0.1', port: Number(env.BOUNCER_PORT), user: 'postgres', database: 'postgres', max: 1 }) : null;
  const pointRT = async (pool) => {
    const times = [];
    const c0 = ownCpu();
    for (let i = 0; i < 3000; i++) { const t = now(); await pool.query('SELECT 1 AS one WHERE $1::int >= 0', [i]); if (i >= 500) times.push(now() - t); }
    return { ms: mean(times), cpuMs: ((ownCpu() - c0) * 1000) / 3000 };
  };
  const pgCpu0 = treeCpu(env.POSTGRES_PID);
  const d = await pointRT(direct);
  const pgCpuPerQuery = ((treeCpu(env.POSTGRES_PID) - pgCpu0) * 1000) / 3000;
  // PgBouncer's CPU per point query one at a time (every round trip finds its thread idle),
  // set against the bursts below for its wake-up.
  const bouncerOne0 = viaBouncer && env.BOUNCER_PID ? treeCpu(env.BOUNCER_PID) : 0;
  const b = viaBouncer ? await pointRT(viaBouncer) : null;
  const bouncerOneUs = viaBouncer && env.BOUNCER_PID ? ((treeCpu(env.BOUNCER_PID) - bouncerOne0) * 1e6) / 3000 : null;
  // JWT verification CPU.
  const tok = sign({ sub: 1, tier: 'tier1-2' });
  let c0 = ownCpu();
  for (let i = 0; i < 20000; i++) verify(tok);
  const jwtMs = ((ownCpu() - c0) * 1000) / 20000;
  // Postgres cost per row by access path, from EXPLAIN ANALYZE over users with few and many rows.
  const pg = new Client({ host: '127.0.0.1', port: Number(env.PG_PORT), user: 'postgres', database: 'postgres' });
  await pg.connect();
  await pg.query('SET max_parallel_workers_per_gather = 0');
  const pgNow = () => treeCpu(env.POSTGRES_PID);
  const explain = async (sql, params) => {
    let best = Infinity, rows = 0;
    for (let k = 0; k < 5; k++) {
      const r = await pg.query('EXPLAIN (ANALYZE, FORMAT JSON) ' + sql, params);
      const plan = r.rows[0]['QUERY PLAN'][0];
      best = Math.min(best, plan['Execution Time']);
      rows = plan.Plan['Actual Rows'];
      const walk = (p) => { if (p['Node Type'] && /Scan/.test(p['Node Type'])) rows = p['Actual Rows']; (p.Plans || []).forEach(walk); };
      walk(plan.Plan);
    }
    return { ms: best, rows };
  };
  // Postgres CPU per row by access path, as under load: the server's CPU (all its processes,
  // /proc) while this one client runs a count over each user's rows, users from few rows to
  // many, each once per pass, so a user's rows are in shared_buffers but no longer in the CPU's
  // caches (under load a user's rows come back minutes apart, with thousands of other users'
  // rows read in between). The slope over 8 groups of users sorted by rows. EXPLAIN ANALYZE
  // repeating one user's query (best of 5, the previous measurement) times rows already in the
  // CPU's caches: 0.22 us a heap row against about 1 us here, and the simulator then predicted
  // a quarter of the testbed's Postgres CPU at load.
  const cpuSlope = async (sql) => {
    const pool = users.slice().sort((x, y) => x.weight - y.weight);
    const per = Math.max(1, Math.floor(pool.length / 8));
    const groups = [];
    for (let g = 0; g < 8; g++) groups.push(pool.slice(g * per, (g + 1) * per));
    const counts = new Map();
    for (const u of pool) { const r = await pg.query(sql, [u.id]); counts.set(u.id, Number(Object.values(r.rows[0])[0])); }
    const xs = [], ys = [];
    for (const group of groups) {
      let cpu = 0, rows = 0, n = 0;
      for (let pass = 0; pass < 3; pass++) {
        const c0 = pgNow();
        for (const u of group) { await pg.query(sql, [u.id]); rows += counts.get(u.id); n += 1; }
        cpu += pgNow() - c0;
      }
      xs.push(rows / n); ys.push((cpu * 1000) / n);
    }
    return { fit: fit(xs, ys), lo: Math.round(Math.min(...xs)), hi: Math.round(Math.max(...xs)), statements: 3 * per * 8 };
  };
  await pg.query('SET enable_bitmapscan = off');
  const heapCpu = await cpuSlope('SELECT count(notes) FROM leads WHERE user_id = $1');
  const onlyCpu = await cpuSlope("SELECT count(*) FROM leads WHERE user_id = $1 AND status > ''");
  await pg.query('RESET enable_bitmapscan');
  const seq = await explain('SELECT count(*) FROM leads WHERE score < 0', []);
  const seqRows = Number((await pg.query('SELECT count(*) AS n FROM leads')).rows[0].n);
  // Writes: a single-row UPDATE with its commit (WAL flush included).
  const writes = [];
  for (let i = 0; i < 300; i++) { const t = now(); await direct.query('UPDATE leads SET score = score WHERE id = $1', [1 + (i * 7919) % seqRows]); writes.push(now() - t); }
  // The libuv pool's hash (bcrypt's stand-in), timed in this process as the API runs it.
  const crypto = require('crypto');
  const iterations = Number(process.env.TESTBED_PBKDF2_ITERATIONS || 1000);
  const hashes = [];
  for (let i = 0; i < 200; i++) { const t = now(); await new Promise((r) => crypto.pbkdf2('password' + i, 'salt', iterations, 32, 'sha256', r)); hashes.push(now() - t); }
  // The idle API's own CPU (its timers; about 8 ms a second until 2026-11-28, its 10 ms
  // loop-lag sampler, under 2 ms since), taken out of every per-request figure below by the
  // time each measurement lasted.
  const idle0 = cpuOf(env.API_PID), pgIdle0 = pgNow(), idleT0 = now();
  await new Promise((r) => setTimeout(r, 5000));
  const idleRate = (cpuOf(env.API_PID) - idle0) / ((now() - idleT0) / 1000);
  // Postgres's own at rest (its background writers' timers), taken out of its figures likewise.
  const pgIdleRate = (pgNow() - pgIdle0) / ((now() - idleT0) / 1000);
  // The API's CPU per request by endpoint, each request from another user (no 429s), the
  // caches emptied before each run (no hits: every step the model counts runs), two ways: one
  // request at a time (every segment finds the loop asleep and wakes it) and in bursts of 40 at
  // once with a pause between bursts (the loop busy when most segments arrive, as under load).
  // The bursts give each endpoint's CPU at load; the difference is the cost of waking. The
  // machine's speed moves by half from one minute to the next here, so the endpoints take turns
  // in 3 rounds of 200 requests each way, and every figure spans the whole measurement.
  const apiCpu = {}, burstCpu = {}, burstErrors = {};
  const stable = ['health', 'staticAsset', 'logout', 'dashboard', 'listLeads', 'listCampaigns', 'listConversations', 'listChannels',
    'listVideos', 'videoStats', 'getRecord', 'writeRecord', 'updatePlan', 'videoUpload', 'login', 'notifications', 'videoView', 'publicPage'];
  let ui = 0;
  // Postgres's CPU per request by endpoint: in the bursts (`pgCpu`, the cores busy when most
  // statements arrive, as under load: the query classes' figures) and one at a time
  // (`pgOneCpu`, every round trip waking a backend on an idle core).
  const pgCpu = {}, pgOneCpu = {};
  const emptyCaches = () => emptyTestbed(redis, Number(env.API_PORT));
  // A call as the replayer makes it (Testbed/app/request.js), from user u and an IP of its own.
  // Tokens signed once per user, as the replayer signs them.
  const tokens = new Map();
  const token = (id, tier) => { if (!tokens.has(id)) tokens.set(id, sign({ sub: id, tier })); return tokens.get(id); };
  const callOf = (e, limit, u, k) => requestFor(e, settings.endpoints.find((x) => x.name === e),
    { user: u.id, tier: u.tier, ip: `10.9.${(k >> 8) & 255}.${k & 255}`, limit, id: k }, token);
  const timeoutMs = settings.requestTimeoutMs;
  const sendCall = (ag, c, onHeaders) => new Promise((resolve) => send(ag, Number(env.API_PORT), c, timeoutMs, (code) => resolve(code), onHeaders));
  // One request at a time: the API's CPU (less its idle rate) and Postgres's, per request.
  // Besides the API's and Postgres's: this client's own CPU (the replayer's request code) and
  // Redis's CPU and calls, summed over every endpoint each way (`clientAndRedis`), for the
  // wake-ups of the load generator's loop and of Redis's thread (one at a time every receipt
  // and every Redis call finds its loop or thread idle; in bursts most do not).
  const clientAndRedis = { one: { client: 0, requests: 0, redisCpu: 0, redisCalls: 0 }, burst: { client: 0, requests: 0, redisCpu: 0, redisCalls: 0 } };
  const redisCallsOf = (f) => Object.values(f.commands).reduce((s, c) => s + c.calls, 0);
  // Only the endpoints' rounds count (the same endpoints both ways), not the runs after them.
  let accounting = false;
  const account = async (way, own0, redis0, requests) => {
    if (!accounting) return;
    const redis1 = await redisFigures(redis);
    const w = clientAndRedis[way];
    w.client += ownCpu() - own0; w.requests += requests;
    w.redisCpu += redis1.cpu - redis0.cpu; w.redisCalls += redisCallsOf(redis1) - redisCallsOf(redis0);
  };
  const timeEndpoint = async (e, limit, n) => {
    await emptyCaches();
    let failed = 0;
    const redis0 = await redisFigures(redis);
    const cpu0 = cpuOf(env.API_PID), pg0 = pgNow(), t0 = now(), own0 = ownCpu();
    for (let i = 0; i < n; i++) {
      const c = callOf(e, limit, users[ui % users.length], ui);
      ui += 1;
      const code = await sendCall(agent, c);
      if (code === 0 || code >= 400) failed += 1;
    }
    if (failed > 0) throw new Error(`${e} answered ${failed} of ${n} requests one at a time with an error`);
    const idle = idleRate * (now() - t0) / 1000;
    const pgIdle = pgIdleRate * (now() - t0) / 1000;
    const result = { api: ((cpuOf(env.API_PID) - cpu0 - idle) * 1000) / n, pg: ((pgNow() - pg0 - pgIdle) * 1000) / n };
    await account('one', own0, redis0, n);
    return result;
  };
  // In bursts: the API's CPU (less its idle rate) per request, and the requests answered with
  // an error (none expected: a burst of 40 is within every pool and limit); `onHeaders` sees
  // each response's headers. The bursts follow one another after `burstPauseMs`.
  const burstEndpoint = async (e, limit, bursts, size, onHeaders) => {
    await emptyCaches();
    const burstAgent = new http.Agent({ keepAlive: true, maxSockets: size });
    let errors = 0;
    const redis0 = await redisFigures(redis);
    const cpu0 = cpuOf(env.API_PID), pg0 = pgNow(), t0 = now(), own0 = ownCpu();
    for (let b = 0; b < bursts; b++) {
      await Promise.all(Array.from({ length: size }, () => {
        const c = callOf(e, limit, users[ui % users.length], ui);
        ui += 1;
        return sendCall(burstAgent, c, onHeaders).then((code) => { if (code === 0 || code >= 400) errors += 1; });
      }));
      await new Promise((r) => setTimeout(r, burstPauseMs));
    }
    const ms = ((cpuOf(env.API_PID) - cpu0 - idleRate * (now() - t0) / 1000) * 1000) / (bursts * size);
    const pg = ((pgNow() - pg0 - pgIdleRate * (now() - t0) / 1000) * 1000) / (bursts * size);
    await account('burst', own0, redis0, bursts * size);
    burstAgent.destroy();
    return { ms, pg, errors };
  };
  // Every user's token signed before anything is timed, so neither way pays for signing.
  for (const u of users) token(u.id, u.tier);
  const rounds = 3, perRound = 200;
  for (const e of stable) { apiCpu[e] = 0; burstCpu[e] = 0; pgCpu[e] = 0; pgOneCpu[e] = 0; burstErrors[e] = 0; }
  accounting = true;
  for (let round = 0; round < rounds; round++) {
    for (const e of stable) {
      const one = await timeEndpoint(e, 20, perRound);
      const many = await burstEndpoint(e, 20, perRound / 40, 40);
      apiCpu[e] += one.api / rounds; pgOneCpu[e] += one.pg / rounds; pgCpu[e] += many.pg / rounds;
      burstCpu[e] += many.ms / rounds; burstErrors[e] += many.errors;
    }
  }
  accounting = false;
  for (const e of stable) {
    if (burstErrors[e] > 0) throw new Error(`${e} answered ${burstErrors[e]} of ${rounds * perRound} requests in bursts of 40 with an error`);
  }
  // CPU per row of a list's result: listLeads at 100 rows against 20 (users with 100+ leads).
  const rich = users.filter((u) => u.weight * settings.rowsPerUser.leads >= 100);
  const saved = users.splice(0, users.length, ...rich);
  const at100 = (await timeEndpoint('listLeads', 100, 400)).api, at20 = (await timeEndpoint('listLeads', 20, 400)).api;
  users.splice(0, users.length, ...saved);
  const perRowUs = Math.max(0, ((at100 - at20) / 80) * 1000);
  // Logouts in bursts of 40 at once again, with the API's first-segment counter and the
  // figures of Redis, PgBouncer and this client around them: the framework's CPU at load (a
  // logout does little besides), the share of it before the first limiter call, Redis's CPU
  // per call, the load generator's CPU per request.
  const firstSegmentUs = [];
  const firstSegment = (h) => { const first = Number(h['x-first-segment-cpu-us']); if (first >= 0) firstSegmentUs.push(first); };
  for (const u of users) token(u.id, u.tier);
  const redis0 = await redisFigures(redis);
  const own0 = ownCpu();
  // 25 bursts of 40: a thousand users, each once (the caches emptied before: no hits).
  const logoutBursts = 25, logouts = logoutBursts * 40;
  const logoutErrors = (await burstEndpoint('logout', 20, logoutBursts, 40, firstSegment)).errors;
  if (logoutErrors > 0) throw new Error(`logout answered ${logoutErrors} of ${logouts} requests in bursts of 40 with an error`);
  const generatorMs = ((ownCpu() - own0) * 1000) / logouts;
  const redis1 = await redisFigures(redis);
  // Redis in those bursts: time inside scripts and inside other commands per call, and its CPU
  // per call besides (reading requests and writing replies), from its own counters.
  let scriptCalls = 0, scriptUsec = 0, otherCalls = 0, otherUsec = 0;
  for (const [name, c] of Object.entries(redis1.commands)) {
    const before = redis0.commands[name] || { calls: 0, usec: 0 };
    const calls = c.calls - before.calls, usec = c.usec - before.usec;
    if (/^eval/.test(name)) { scriptCalls += calls; scriptUsec += usec; } else { otherCalls += calls; otherUsec += usec; }
  }
  const redisCalls = Math.max(1, scriptCalls + otherCalls);
  const callUs = Math.max(0.1, ((redis1.cpu - redis0.cpu) * 1e6 - scriptUsec - otherUsec) / redisCalls);
  // PgBouncer's CPU per statement, 20 clients at once in 40 bursts (its thread busy, as under load).
  let bouncerUs = null;
  if (viaBouncer && env.BOUNCER_PID) {
    const many = new Pool({ host: '127.0.0.1', port: Number(env.BOUNCER_PORT), user: 'postgres', database: 'postgres', max: 20 });
    await Promise.all(Array.from({ length: 20 }, () => many.query('SELECT 1')));
    const b0 = treeCpu(env.BOUNCER_PID);
    for (let k = 0; k < 40; k++) {
      await Promise.all(Array.from({ length: 20 }, (_, i) => many.query('SELECT 1 AS one WHERE $1::int >= 0', [i])));
      await new Promise((r) => setTimeout(r, 50));
    }
    bouncerUs = ((treeCpu(env.BOUNCER_PID) - b0) * 1e6) / 800;
    await many.end();
  }
  // The CPU of waking an idle loop, per segment: the simulator charges it to each CPU segment
  // that finds its loop idle (the middleware's first, its later share when a Redis reply splits
  // them, each query's return, each CPU step), and one request at a time every segment does.
  // The least-squares slope through the origin of each endpoint's CPU one at a time less in
  // bursts against its segments, over the endpoints measured both ways.
  if (firstSegmentUs.length < 100) throw new Error('the API did not report its first segment (TESTBED_FIRST_SEGMENT=1 when it started?)');
  const callsRedis = (e) => (settings.sessionCheck && settings.endpoints.find((x) => x.name === e).authenticated)
    || settings.limiters.some((l) => l.endpoints.includes(e));
  const segmentsOf = (e) => {
    const spec = settings.endpoints.find((x) => x.name === e);
    return (spec.middleware ? 1 : 0) + (spec.middleware && callsRedis(e) ? 1 : 0)
      + spec.steps.filter((t) => t.kind === 'query' || t.kind === 'cpu').length;
  };
  let sxy = 0, sxx = 0;
  for (const e of stable) { const n = segmentsOf(e); sxy += n * (apiCpu[e] - burstCpu[e]); sxx += n * n; }
  const slope = Math.max(0, sxx > 0 ? sxy / sxx : 0);
  // The wake-up CPU by the time the loop idled (the curve api.loopWakeUpCpuMs): the health
  // endpoint (no middleware, no I/O: one segment on the loop, one wake-up a request one at a
  // time) taking turns, in bursts of 40 (the loop busy: no wake-up), one at a time back to back,
  // and one at a time after each pause of IDLE_GAPS_MS (the client waiting in a futex, both cores
  // idle). One at a time, a request's CPU over the bursts' is its wake-up, after the loop idled
  // for the cycle less the API's CPU (back to back: a round trip's network and client time),
  // plus whatever a pause added to the cycle. Turns (ROUNDS of each) spread the machine's drift
  // over every way alike: measured in blocks, the first way came out up to twice the same
  // measured last (Testbed/app/idle-cpu.js, 2026-11-29).
  const idleGaps = [0.5, 2, 5, 20, 100];
  const turnRounds = 8, perTurn = 50;
  const ways = [{ name: 'burst', cpu: 0, wall: 0, n: 0 }, { name: 'b2b', gap: 0, cpu: 0, wall: 0, n: 0 }]
    .concat(idleGaps.map((gap) => ({ name: `gap ${gap}`, gap, cpu: 0, wall: 0, n: 0 })));
  const futex = new Int32Array(new SharedArrayBuffer(4));
  const turnAgent = new http.Agent({ keepAlive: true, maxSockets: 40 });
  const nextHealth = () => { const c = callOf('health', 0, users[ui % users.length], ui); ui += 1; return c; };
  for (let r = 0; r < turnRounds; r++) {
    for (const w of ways) {
      const cpu0 = cpuOf(env.API_PID), t0 = now();
      let failed = 0;
      if (w.name === 'burst') {
        for (let b = 0; b < perTurn / 25; b++) {
          if (b > 0) await new Promise((res) => setTimeout(res, burstPauseMs));
          await Promise.all(Array.from({ length: 25 }, () => sendCall(turnAgent, nextHealth()).then((code) => { if (code === 0 || code >= 400) failed += 1; })));
        }
      } else {
        for (let i = 0; i < perTurn; i++) {
          if (w.gap > 0) Atomics.wait(futex, 0, 0, w.gap);
          const code = await sendCall(agent, nextHealth());
          if (code === 0 || code >= 400) failed += 1;
        }
      }
      if (failed > 0) throw new Error(`health answered ${failed} of ${perTurn} requests (${w.name}) with an error`);
      const wall = now() - t0;
      w.cpu += (cpuOf(env.API_PID) - cpu0) * 1000 - idleRate * wall; w.wall += wall; w.n += perTurn;
      if (w.name === 'burst') await new Promise((res) => setTimeout(res, burstPauseMs));
    }
  }
  turnAgent.destroy();
  const per = (w) => ({ cpu: w.cpu / w.n, cycle: w.wall / w.n });
  const burstTurn = per(ways[0]), b2b = per(ways[1]);
  const shortIdle = Math.max(0.001, b2b.cycle - b2b.cpu);
  const wake = Math.max(0, b2b.cpu - burstTurn.cpu);
  const wakeCurve = [{ idleMs: shortIdle, cpuMs: wake, how: `health one at a time back to back ${fmt(b2b.cpu)} ms of API CPU against ${fmt(burstTurn.cpu)} in bursts of 25 ${burstPauseMs} ms apart; idle the cycle ${fmt(b2b.cycle)} ms less the CPU` }];
  for (const w of ways.slice(2)) {
    const g = per(w);
    // The cycle the pause added is the loop's extra idle (at least the pause asked for); a
    // point never before the one before it, should a pause overshoot the next one's.
    const idle = Math.max(shortIdle + Math.max(w.gap, g.cycle - b2b.cycle), wakeCurve[wakeCurve.length - 1].idleMs + 0.001);
    wakeCurve.push({ idleMs: idle, cpuMs: Math.max(0, g.cpu - burstTurn.cpu),
      how: `health after a ${w.gap} ms pause ${fmt(g.cpu)} ms of API CPU, the cycle ${fmt(g.cycle)} against ${fmt(b2b.cycle)} ms back to back` });
  }
  const queryClientCpu = Math.max(0.01, d.cpuMs - wake);
  // The framework (Express, the limiters' and the session check's calls, the response), one
  // figure for every endpoint with the middleware: the least of those endpoints' CPU in the
  // bursts less JWT verify (if authenticated), their statements' client CPU and their rows', so
  // that every endpoint's CPU step (what remains) is positive and every endpoint's CPU at load
  // is what the bursts measured. The share of it before the first limiter call comes from the
  // API's own counter in the logout bursts (X-First-Segment-Cpu-Us; Testbed/measure.sh starts
  // the API with it on).
  // An endpoint's query classes (one entry per query step): their statements and round trips.
  const queriesOf = (e) => settings.endpoints.find((x) => x.name === e).steps.filter((t) => t.kind === 'query')
    .map((t) => settings.queries.find((q) => q.name === t.name));
  const statementsOf = (e) => queriesOf(e).reduce((n, q) => n + q.statements, 0);
  const rowCpuOf = (spec) => (spec.takesPageLimit && spec.steps.some((t) => t.kind === 'cpu' && t.perRowUs) ? (perRowUs * 20) / 1000 : 0);
  const frameworkOf = (e) => {
    const spec = settings.endpoints.find((x) => x.name === e);
    return burstCpu[e] - (spec.authenticated ? jwtMs : 0) - statementsOf(e) * queryClientCpu - rowCpuOf(spec) - 0.005;
  };
  const withMiddleware = stable.filter((e) => settings.endpoints.find((x) => x.name === e).middleware);
  const cheapest = withMiddleware.reduce((a, e) => (frameworkOf(e) < frameworkOf(a) ? e : a));
  const framework = Math.max(0.01, frameworkOf(cheapest));
  const firstMs = mean(firstSegmentUs) / 1000;
  const shareAfter = Math.min(1, Math.max(0, 1 - (firstMs - jwtMs) / framework));

  // Wake-up delays after idle time by kind of process (Testbed/app/wakeup.js): each round trip
  // after a gap less the same round trip back to back; the mean of the fastest 98% of each.
  const wakeRun = spawnSync(process.execPath, [join(__dirname, 'wakeup.js'), 'measure', String(env.API_CORE)], { encoding: 'utf8', env: process.env });
  if (wakeRun.status !== 0) throw new Error('wakeup.js failed: ' + (wakeRun.stderr || '').trim());
  const wakeTrips = JSON.parse(wakeRun.stdout);
  const trimmedMean = (a) => { const s = [...a].sort((x, y) => x - y).slice(0, Math.max(1, Math.floor(a.length * 0.98))); return mean(s); };
  const wakeWhat = {
    eventLoop: "the API's health endpoint from the data core (the API's core idle that long)",
    redis: "a Redis GET from the API's core (Redis's core idle that long)",
    database: "a point query straight to Postgres from the API's core (its core idle that long)",
  };

  // The wake-ups of the load generator's loop and Redis's thread (clientAndRedis, above).
  const one = clientAndRedis.one, burst = clientAndRedis.burst;
  const generatorWakeMs = Math.max(0, (one.client / one.requests - burst.client / burst.requests) * 1000);
  const redisOneUs = (one.redisCpu * 1e6) / Math.max(1, one.redisCalls), redisBurstUs = (burst.redisCpu * 1e6) / Math.max(1, burst.redisCalls);
  const redisWakeUs = Math.max(0, redisOneUs - redisBurstUs);

  const cmd = 'Testbed/measure.sh (node Testbed/app/measure.js on a phase3 testbed at one client), ' + new Date().toISOString().slice(0, 10);
  line('# Service times of the testbed, measured at low load (one client, one request at a time) by');
  line(`# ${cmd}.`);
  line('# An overlay applied after topology.yaml: `--overlay Models/testbed/topology.yaml --overlay');
  line('# Models/testbed/service-times.yaml`. Written by the program: rerun Testbed/measure.sh, do not edit.');
  line('# No figure here is taken at the load levels the validation judges (Notebooks/validation.md).');
  line('api:');
  line(`  frameworkCpuMs: lognormal:${fmt(framework)},0.5   # measured: the least API process CPU per request in bursts of 40 among the ${withMiddleware.length} endpoints with the middleware (${cheapest}'s ${fmt(burstCpu[cheapest])} ms: Express, limiter calls, JSON; the loop busy) less JWT verify and its statements' and rows' client CPU; ${rounds * perRound} requests`);
  line(`  frameworkCpuShareAfterMiddleware: ${fmt(shareAfter)}   # measured: the API's CPU from a logout's headers parsed to its first limiter call ${fmt(firstMs)} ms (process.cpuUsage, ${firstSegmentUs.length} logouts in other bursts of 40) less JWT verify, against the framework's ${fmt(framework)} ms`);
  line(`  loopWakeUpCpuMs:   # measured: the API's CPU of a segment that finds the loop idle, by the time it idled (linear between points, from none at no idle, the last beyond): health requests taking turns, ${turnRounds} rounds of ${perTurn} each way (the CPU over the bursts' one at a time, one wake-up each; the slope of the ${stable.length} endpoints' one at a time against in bursts of 40 over their segments, about the first point's idle: ${fmt(slope)} ms)`);
  for (const p of wakeCurve) line(`    - {cpuMs: ${fmt(p.cpuMs, 4)}, idleMs: ${fmt(p.idleMs, 4)}}   # measured: ${p.how}`);
  line('idleWakeUp:   # measured: round trips after each idle time (both cores idle) less back to back, the mean of the fastest 98%; Testbed/app/wakeup.js');
  for (const kind of ['eventLoop', 'redis', 'database']) {
    const trips = wakeTrips[kind];
    const awake = trimmedMean(trips['0']);
    line(`  ${kind}:   # measured: ${wakeWhat[kind]}`);
    for (const g of Object.keys(trips).filter((k) => Number(k) > 0).sort((a, b) => Number(a) - Number(b))) {
      line(`    - {delayMs: ${fmt(Math.max(0, trimmedMean(trips[g]) - awake), 4)}, idleMs: ${g}}   # measured: ${trips[g].length} round trips against ${trips['0'].length} back to back (${fmt(awake)} ms)`);
    }
  }
  line('auth:');
  line(`  jwtVerifyCpuMs: lognormal:${fmt(jwtMs, 4)},0.3   # measured: HS256 verify in Node, 20,000 verifies`);
  line('redis:');
  line(`  commandTimeUs: exp:${fmt(otherCalls ? otherUsec / otherCalls : 0.5, 2)}   # measured: Redis INFO commandstats, time inside simple commands over the logout bursts (${otherCalls} calls)`);
  line(`  scriptTimeUs: exp:${fmt(scriptCalls ? scriptUsec / scriptCalls : 1.4, 2)}   # measured: as above, inside the limiter's script (${scriptCalls} calls)`);
  line(`  callCpuUs: det:${fmt(callUs, 1)}   # measured: Redis INFO used_cpu over the logout bursts less the time inside commands, per call (${redisCalls} calls)`);
  line(`  wakeUpCpuUs: ${fmt(redisWakeUs, 1)}   # measured: Redis's CPU (INFO used_cpu) per call with the endpoints one request at a time ${fmt(redisOneUs, 1)} us (${one.redisCalls} calls) less in bursts of 40 ${fmt(redisBurstUs, 1)} us (${burst.redisCalls} calls), the same endpoints`);
  line(`  roundTripUs: lognormal:${fmt(mean(rt), 1)},${fmt(Math.min(2, cv(rt)), 2)}   # measured: node-redis GET on loopback, 2,500 sequential calls (client and network)`);
  line('database:');
  line('  pool:');
  line(`    clientCpuPerQueryMs: lognormal:${fmt(queryClientCpu)},0.5   # measured: node-pg client CPU per point query ${fmt(d.cpuMs)} ms (3,000 sequential) less one loop wake-up, at least 0.01 ms`);
  if (b) {
    line('  pgbouncer:');
    line(`    hopLatencyUs: ${fmt(Math.max(1, (b.ms - d.ms) * 1000), 1)}   # measured: point query through PgBouncer ${fmt(b.ms)} ms less direct ${fmt(d.ms)} ms, 2,500 each`);
    if (bouncerUs !== null) line(`    cpuPerStatementUs: exp:${fmt(bouncerUs, 1)}   # measured: PgBouncer's CPU (/proc) per point query, 20 clients at once in 40 bursts`);
    if (bouncerUs !== null && bouncerOneUs !== null) line(`    wakeUpCpuUs: ${fmt(Math.max(0, bouncerOneUs - bouncerUs), 1)}   # measured: PgBouncer's CPU (/proc) per point query one at a time ${fmt(bouncerOneUs, 1)} us (3,000 sequential) less in the bursts ${fmt(bouncerUs, 1)} us`);
  }
  // Postgres's wake-up: its CPU one request at a time less in the bursts, over every endpoint
  // that reaches it, per round trip (a statement each; BEGIN and COMMIT around a write of
  // several statements: the settings' roundTrips, QueryModel.roundTrips's, as api.js sends them).
  const roundTripsOf = (e) => queriesOf(e).reduce((n, q) => n + q.roundTrips, 0);
  const pgEndpoints = stable.filter((e) => roundTripsOf(e) > 0);
  const pgTrips = pgEndpoints.reduce((n, e) => n + roundTripsOf(e), 0);
  const pgOneMs = pgEndpoints.reduce((n, e) => n + pgOneCpu[e], 0) / pgTrips;
  const pgBurstMs = pgEndpoints.reduce((n, e) => n + pgCpu[e], 0) / pgTrips;
  const pgWakeMs = Math.max(0, pgOneMs - pgBurstMs);
  line('  postgres:');
  line('    colocated:');
  line(`      loadGeneratorCpuPerRequestMs: lognormal:${fmt(generatorMs)},0.5   # measured: this client's CPU per logout in the bursts of 40, sent by the replayer's own code (Testbed/app/request.js; tokens signed beforehand, as the replayer signs each user's once), on the same core as Postgres`);
  line(`      loadGeneratorWakeUpCpuMs: ${fmt(generatorWakeMs)}   # measured: this client's CPU per request with the endpoints one at a time ${fmt(one.client * 1000 / one.requests)} ms (${one.requests} requests) less in bursts of 40 ${fmt(burst.client * 1000 / burst.requests)} ms (${burst.requests}), the same endpoints: one wake-up a request one at a time (the receipt; the next send follows in the same turn of the loop)`);
  line(`    networkRoundTripMs: ${fmt(d.ms)}   # measured: node-pg point query round trip on loopback (SELECT 1 with a parameter), 2,500 sequential`);
  line(`    wakeUpCpuMs: ${fmt(pgWakeMs, 4)}   # measured: Postgres's CPU (all its processes, /proc, less its rate at rest) per round trip with the endpoints one request at a time ${fmt(pgOneMs, 4)} ms less in bursts of 40 ${fmt(pgBurstMs, 4)} ms (${pgTrips} round trips a pass of the ${pgEndpoints.length} endpoints that reach it, ${rounds * perRound} requests each way)`);
  line(`    heapRowUs: ${fmt(Math.max(0.05, heapCpu.fit.b * 1000), 2)}   # measured: Postgres CPU (/proc) of a count over a user's leads by index and heap, one client, each user once a pass, slope over 8 groups of users (${heapCpu.lo}-${heapCpu.hi} rows on average; intercept ${fmt(heapCpu.fit.a)} ms; ${heapCpu.statements} statements)`);
  line(`    indexOnlyRowUs: ${fmt(Math.max(0.01, onlyCpu.fit.b * 1000), 3)}   # measured: as heapRowUs, a count by leads_userId_status (index only; intercept ${fmt(onlyCpu.fit.a)} ms)`);
  line(`    sequentialRowUs: ${fmt((seq.ms * 1000) / seqRows, 4)}   # measured: EXPLAIN ANALYZE serial scan of leads, ${seqRows} rows in ${fmt(seq.ms)} ms`);
  line(`    walFlushMs: lognormal:${fmt(Math.max(0.01, mean(writes) - d.ms))},0.5   # measured: single-row UPDATE with commit ${fmt(mean(writes))} ms less a point query's round trip ${fmt(d.ms)} ms (300 sequential)`);
  line('  queries:');
  // Postgres's CPU per statement of each query class, from the endpoints in bursts above (every
  // process of the cluster, less its rate at rest; one at a time adds wakeUpCpuMs a round trip). On the phase3 testbed measured here
  // every authenticated endpoint reads the user's hot data first, and with the caches emptied
  // it misses: a userLookup (a point query by key) before the endpoint's own statements.
  // getRecord's two statements are both point queries by key (its userLookup and its own):
  // their mean is a point query's, userLookup's figure. An endpoint's own classes share what
  // remains of its CPU after its userLookups; the email and event inserts take videoView's.
  // (Until 2026-11-29 the userLookups were averaged in, which lowered the dashboard's and the
  // lists' figures by a third to a half of a point query each, and userLookup was login less
  // updatePlan, which both run a userLookup and a userUpdate: at the 0.005 ms floor.)
  const lookupsOf = (e) => settings.endpoints.find((x) => x.name === e).steps.filter((t) => t.kind === 'query' && t.name === 'userLookup').length;
  const pointMs = pgCpu.getRecord / Math.max(1, statementsOf('getRecord'));
  const perStatement = (e) => {
    const own = statementsOf(e) - lookupsOf(e);
    return own > 0 ? (pgCpu[e] - lookupsOf(e) * pointMs) / own : pointMs;
  };
  const source = {
    dashboardStats: ['dashboard', perStatement('dashboard')], dashboardRecent: ['dashboard', perStatement('dashboard')],
    listLeads: ['listLeads', perStatement('listLeads')], countLeads: ['listLeads', perStatement('listLeads')], listCampaigns: ['listCampaigns', perStatement('listCampaigns')],
    listConversations: ['listConversations', perStatement('listConversations')], listChannels: ['listChannels', perStatement('listChannels')],
    listVideos: ['listVideos', perStatement('listVideos')], videoStats: ['videoStats', perStatement('videoStats')],
    getRecord: ['point', pointMs], writeRecord: ['writeRecord', perStatement('writeRecord')],
    userUpdate: ['updatePlan', perStatement('updatePlan')],
    userLookup: ['point', pointMs],
    insertVideoView: ['videoView', perStatement('videoView')], insertEmail: ['videoView', perStatement('videoView')],
    insertEvent: ['videoView', perStatement('videoView')], notifications: ['notifications', perStatement('notifications')],
  };
  for (const q of settings.queries) {
    if (!source[q.name]) continue;
    const [from, ms] = source[q.name];
    line(`    ${q.name}:`);
    const how = from === 'point'
      ? `a point query by key: Postgres CPU (all its processes, /proc) per statement over ${rounds * perRound} getRecord requests in bursts of 40 (its userLookup and its own, both point queries)`
      : `Postgres CPU per statement (all its processes, /proc) over ${rounds * perRound} ${from} requests in bursts of 40, less their userLookups at a point query's ${fmt(pointMs)} ms`;
    line(`      statementCpuMs: lognormal:${fmt(Math.max(0.005, ms))},0.5   # measured: ${how}; a point SELECT alone costs ${fmt(pgCpuPerQuery)} ms`);
  }
  line('endpoints:');
  // Each stable endpoint's steps as the model has them, its CPU steps set from the measurement:
  // the endpoint's CPU in bursts (the loop busy, as under load) less the middleware, the
  // client's CPU per statement and per row; one at a time the simulator adds a wake-up per
  // segment (loopWakeUpCpuMs above).
  for (const e of stable) {
    const spec = settings.endpoints.find((x) => x.name === e);
    const statements = statementsOf(e);
    const rows = spec.takesPageLimit ? 20 : 0;
    const middleware = spec.middleware ? framework + (spec.authenticated ? jwtMs : 0) : 0;
    const residual = Math.max(0.005, burstCpu[e] - middleware - statements * queryClientCpu - rowCpuOf(spec));
    line(`  ${e}:                                  # measured: API process CPU ${fmt(burstCpu[e])} ms per request in bursts of 40 and ${fmt(apiCpu[e])} ms one at a time (${rounds * perRound} requests each way${rows ? ', 20 rows each' : ''}; less the idle API's ${fmt(idleRate * 1000, 1)} ms a second)`);
    line('    steps:');
    let lastCpu = spec.steps.map((t) => t.kind).lastIndexOf('cpu');
    spec.steps.forEach((t, i) => {
      switch (t.kind) {
        case 'cpu':
          if (i === lastCpu) {
            line(`      - cpuMs: lognormal:${fmt(residual)},0.5   # measured: the bursts' CPU less middleware ${fmt(middleware)} ms and ${statements} statement(s) x ${fmt(queryClientCpu)} ms`);
            if (t.perRowUs) line(`        perRowUs: ${fmt(perRowUs, 1)}   # measured: listLeads CPU at 100 rows ${fmt(at100)} ms against 20 rows ${fmt(at20)} ms, 400 requests each`);
          } else line('      - cpuMs: det:0.001   # measured: folded into the last CPU step');
          break;
        case 'threadPool': line(`      - threadPoolMs: lognormal:${fmt(mean(hashes))},${fmt(Math.max(0.05, cv(hashes)), 2)}   # measured: pbkdf2-sha256 x${iterations} on the libuv pool, 200 sequential`); break;
        case 'redis': line(`      - redisCommands: ${t.count}`); break;
        default: line(`      - ${t.kind}: ${t.name}`);
      }
    });
  }
  process.stdout.write(out.join('\n') + '\n');
  await redis.quit(); await direct.end(); if (viaBouncer) await viaBouncer.end(); await pg.end(); agent.destroy();
}
main().catch((e) => { console.error('measure: error: ' + e.message); process.exit(1); });
