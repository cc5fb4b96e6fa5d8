'use strict';
// The testbed's API: one Express process serving every endpoint of the model's mix, each
// running the steps the model gives it (TESTBED_SETTINGS) with real work: SQL on Postgres
// through node-pg's Pool (Prisma's pool), the middleware of the seed (JWT, fixed-window rate
// limits in Redis, the session check), caches in process or in Redis, calls to the provider
// stubs, jobs pushed to a Redis list for the worker. Failures answer with the status the
// simulator gives the same kind and name the kind in `X-Error-Kind`.
//
// Environment: TESTBED_SETTINGS, API_PORT, PGHOST/PGPORT (Postgres or PgBouncer),
// REDIS_PORT, PROVIDER_PORT, TESTBED_PBKDF2_ITERATIONS, TESTBED_TIMING (1: a Server-Timing header), TESTBED_FIRST_SEGMENT.
const crypto = require('crypto');
const http = require('http');
const express = require('express');
const { Pool } = require('pg');
const { createClient } = require('redis');
const { monitorEventLoopDelay } = require('perf_hooks');
const { loadSettings } = require('./common');
const { verify } = require('./auth');
const { FixedWindowLimiter } = require('./limiter');
const { check, runOn } = require('./queries');

const settings = loadSettings();
check(settings);
const STATUS = { rateLimited: 429, rateLimitedFalse: 429, poolTimeout: 500, connectionRefused: 500, pgbouncerWaitTimeout: 500, upstream: 502, timeout: 504, overloaded: 503, redisUnavailable: 503 };
const ITERATIONS = Number(process.env.TESTBED_PBKDF2_ITERATIONS || 1000);
const TIMING = process.env.TESTBED_TIMING === '1';
// With TESTBED_FIRST_SEGMENT=1 a response carries X-First-Segment-Cpu-Us: the process's CPU from
// the request's headers being parsed to the middleware's first await (routing, body, JWT, the
// first limiter's call issued); Testbed/measure.sh reads it to split the framework's CPU.
const FIRST_SEGMENT = process.env.TESTBED_FIRST_SEGMENT === '1';

class Failure extends Error {
  constructor(kind, detail) { super(`${kind}: ${detail || ''}`); this.kind = kind; }
}

// node-pg's Pool plays Prisma's: `max` is connection_limit, `connectionTimeoutMillis` pool_timeout.
const pool = new Pool({ max: settings.poolMax, connectionTimeoutMillis: settings.poolTimeoutMs, idleTimeoutMillis: 0 });
pool.on('error', () => {}); // an idle connection dropped: the pool opens another when needed
const redis = createClient({ socket: { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) } });
redis.on('error', () => {});
const agent = new http.Agent({ keepAlive: true, maxSockets: 4096 });

/** The error kind of a database error, as the simulator names it. */
function databaseFailure(e) {
  const m = String(e && e.message || e);
  if (m.includes('timeout exceeded when trying to connect')) return new Failure('poolTimeout', m);
  if (m.includes('query_wait_timeout')) return new Failure('pgbouncerWaitTimeout', m);
  if ((e && e.code === '53300') || m.includes('max_client_conn') || m.includes('too many clients') || m.includes('ECONNREFUSED')) return new Failure('connectionRefused', m);
  return e;
}

// Ids the handlers pick from: each user's leads and videos (contiguous after seeding? no: rows
// of all users are interleaved, so keep the lists), loaded once at start.
const leadsOf = new Map();
const videosOf = new Map();
let leadCount = 1, videoCount = 1;
async function loadIds() {
  const leads = await pool.query('SELECT user_id, array_agg(id) AS ids FROM leads GROUP BY user_id');
  for (const r of leads.rows) leadsOf.set(r.user_id, r.ids.map(Number));
  const videos = await pool.query('SELECT user_id, array_agg(id) AS ids FROM videos GROUP BY user_id');
  for (const r of videos.rows) videosOf.set(r.user_id, r.ids.map(Number));
  leadCount = Number((await pool.query('SELECT max(id) AS m FROM leads')).rows[0].m) || 1;
  videoCount = Number((await pool.query('SELECT max(id) AS m FROM videos')).rows[0].m) || 1;
}
const pick = (list) => list[Math.floor(Math.random() * list.length)];

async function runQuery(name, ctx) {
  let client;
  try {
    client = await pool.connect();
  } catch (e) {
    throw databaseFailure(e);
  }
  try {
    // The largest result is the query's rows (a list's page beside its count).
    return (await runOn(client, settings, name, ctx)).reduce((rows, r) => (r.rows.length > rows.length ? r.rows : rows), []);
  } catch (e) {
    throw databaseFailure(e);
  } finally {
    client.release();
  }
}

function callProvider(service) {
  const spec = settings.services.find((s) => s.name === service);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: Number(process.env.PROVIDER_PORT), path: '/' + service, agent, timeout: spec.timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Failure('upstream', `${service} ${res.statusCode}`))));
    });
    req.on('timeout', () => { req.destroy(); reject(new Failure('timeout', `${service} timed out`)); });
    req.on('error', (e) => reject(e.kind ? e : new Failure('upstream', `${service}: ${e.message}`)));
  });
}

// Caches: in the process (a Map of expiries and values) or in Redis (GET / SET PX).
const caches = new Map(settings.caches.map((c) => [c.name, { spec: c, local: new Map(), lookups: 0, hits: 0 }]));
const cacheKey = (c, ctx) => (c.spec.global ? 'all' : String(ctx.user));
async function cacheGet(name, ctx) {
  const c = caches.get(name);
  if (!c.spec.enabled || (!c.spec.global && ctx.user < 0)) return undefined;
  c.lookups += 1;
  let value;
  if (c.spec.location === 'redis') {
    const v = await redis.get(`cache:${name}:${cacheKey(c, ctx)}`);
    value = v === null ? undefined : JSON.parse(v);
  } else {
    const e = c.local.get(cacheKey(c, ctx));
    value = e && e.expires > Date.now() ? e.value : undefined;
  }
  if (value !== undefined) c.hits += 1;
  return value;
}
async function cacheSet(name, ctx, value) {
  const c = caches.get(name);
  if (!c.spec.enabled || (!c.spec.global && ctx.user < 0)) return;
  if (c.spec.location === 'redis') await redis.set(`cache:${name}:${cacheKey(c, ctx)}`, JSON.stringify(value), { PX: Math.round(c.spec.ttlMs) });
  else c.local.set(cacheKey(c, ctx), { value, expires: Date.now() + c.spec.ttlMs });
}
async function cacheDelete(name, ctx) {
  const c = caches.get(name);
  if (!c.spec.enabled || (!c.spec.global && ctx.user < 0)) return;
  if (c.spec.location === 'redis') await redis.del(`cache:${name}:${cacheKey(c, ctx)}`);
  else c.local.delete(cacheKey(c, ctx));
}

function hashPassword(ctx) {
  return new Promise((resolve, reject) => crypto.pbkdf2('password' + ctx.user, 'salt', ITERATIONS, 32, 'sha256', (e, k) => (e ? reject(e) : resolve(k))));
}

/** Runs an endpoint's (or a job's) steps; resolves to the body to send. */
async function runSteps(steps, ctx) {
  let result = [];
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    switch (s.kind) {
      case 'cpu': break; // the work of the handler itself: building the response below
      case 'threadPool': await hashPassword(ctx); break;
      case 'redis': {
        const m = redis.multi();
        for (let k = 0; k < s.count; k++) m.set(`idem:${ctx.token}:${k}`, '1', { NX: true, PX: 86400000 });
        await m.exec();
        break;
      }
      case 'cacheLookup': {
        const v = await cacheGet(s.name, ctx);
        if (v !== undefined) {
          result = v;
          const fill = steps.findIndex((t, j) => j > i && t.kind === 'cacheFill' && t.name === s.name);
          if (fill >= 0) i = fill;
        }
        break;
      }
      case 'cacheFill': await cacheSet(s.name, ctx, result); break;
      case 'cacheInvalidate': await cacheDelete(s.name, ctx); break;
      case 'query': {
        const rows = await runQuery(s.name, ctx);
        result = Array.isArray(result) && result.length > rows.length ? result : rows;
        break;
      }
      case 'external': await callProvider(s.name); break;
      case 'enqueue':
        await redis.lPush('jobs', JSON.stringify({ job: s.name, user: ctx.user, attempt: 1, created: Date.now(), token: ctx.token }));
        break;
      default: throw new Error('unknown step ' + s.kind);
    }
    if (ctx.mark) ctx.mark(s.kind === 'query' || s.kind === 'cacheLookup' || s.kind === 'cacheFill' ? `${s.kind}-${s.name}` : s.kind);
  }
  return result;
}

const app = express();
app.set('trust proxy', 'loopback'); // the replayer stands for the proxy: X-Forwarded-For is the client
app.disable('etag');
app.disable('x-powered-by');
let inFlight = 0;
// The event loop's lag, sampled once a second: a finer resolution is a timer that wakes the
// loop as often (at 10 ms, until 2026-11-28, 100 wake-ups and about 8 ms of CPU a second on an
// idle API, which the seed's API does not spend and the simulator does not model).
const loopDelay = monitorEventLoopDelay({ resolution: 1000 });
loopDelay.enable();
const counters = { requests: 0, errors: {} };

// Health and metrics answer without the middleware (as the model's health endpoint does).
app.get('/metrics', (req, res) => {
  const cacheStats = {};
  for (const [name, c] of caches) cacheStats[name] = { lookups: c.lookups, hits: c.hits };
  res.json({ requests: counters.requests, errors: counters.errors, caches: cacheStats, cpuUs: process.cpuUsage(),
             loopDelayP99Ms: loopDelay.percentile(99) / 1e6, loopDelayMeanMs: loopDelay.mean / 1e6,
             pool: { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } });
  loopDelay.reset();
});

// The pool and the requests under way, for the replayer's once-a-second samples (without
// resetting the loop-lag histogram /metrics reports over the whole window).
app.get('/testbed/pool', (req, res) => {
  res.json({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, inFlight });
});

const endpoints = new Map(settings.endpoints.map((e) => [e.name, e]));
const limiters = settings.limiters.map((l) => new FixedWindowLimiter(l, redis));

// The replayer starts every trace cold, as the simulator does with `--cold-start`: it empties
// Redis (limiter windows, caches, the job list) and asks the API to empty what it holds in
// memory (the in-process caches and the per-user shadow windows). Testbed control, loopback only.
app.post('/testbed/reset', (req, res) => {
  for (const c of caches.values()) { c.local.clear(); c.lookups = 0; c.hits = 0; }
  for (const l of limiters) if (l.shadow) l.shadow.clear();
  res.json({ reset: true });
});

function send(res, status, body, kind) {
  if (kind) {
    res.set('X-Error-Kind', kind);
    counters.errors[kind] = (counters.errors[kind] || 0) + 1;
  }
  res.status(status).json(body);
}

/** Every endpoint of the model at /api/v1/NAME (the replayer's method and path for each). */
app.all('/api/v1/:endpoint', express.json({ limit: '1mb' }), async (req, res) => {
  counters.requests += 1;
  const endpoint = endpoints.get(req.params.endpoint);
  if (!endpoint) return send(res, 404, { error: 'no such endpoint' });
  if (inFlight >= settings.maxInFlight) return send(res, 503, { error: 'overloaded' }, 'overloaded');
  inFlight += 1;
  res.on('close', () => { inFlight -= 1; });
  const ctx = { user: -1, tier: undefined, ip: req.ip, token: req.get('X-Request-Id') || String(Math.random()) };
  // With TESTBED_TIMING=1 each response says where its time went (a Server-Timing header:
  // the limiters' and the session check's awaits, then each step's), for diagnosis by hand.
  if (TIMING) { ctx.marks = []; ctx.last = process.hrtime.bigint(); ctx.mark = (name) => { const t = process.hrtime.bigint(); ctx.marks.push(`${name};dur=${(Number(t - ctx.last) / 1e6).toFixed(3)}`); ctx.last = t; }; }
  try {
    if (endpoint.middleware) {
      if (endpoint.authenticated) {
        const auth = req.get('Authorization') || '';
        const claims = auth.startsWith('Bearer ') ? verify(auth.slice(7)) : null;
        if (!claims) return send(res, 401, { error: 'invalid token' });
        ctx.user = claims.sub;
        ctx.tier = claims.tier;
      } else if (req.body && Number.isInteger(req.body.user)) {
        ctx.user = req.body.user; // login: the user named in the body (for the per-user shadow count)
        ctx.tier = req.body.tier;
      }
      for (const l of limiters) {
        if (!l.applies(endpoint.name)) continue;
        const check = l.check({ user: ctx.user, tier: ctx.tier, ip: ctx.ip });
        if (FIRST_SEGMENT && req.cpu0 && !res.headersSent && !res.get('X-First-Segment-Cpu-Us')) {
          const c = process.cpuUsage(req.cpu0);
          res.set('X-First-Segment-Cpu-Us', String(c.user + c.system));
        }
        const rejected = await check;
        if (ctx.mark) ctx.mark('limiter');
        if (rejected) {
          res.set('Retry-After', String(rejected.retryAfterS));
          return send(res, 429, { error: 'Too many requests' }, rejected.kind);
        }
      }
      if (settings.sessionCheck && endpoint.authenticated) { await redis.get(`session:${ctx.user}`); if (ctx.mark) ctx.mark('session'); }
    }
    if (endpoint.takesPageLimit) {
      let limit = Number(req.query.limit) || 20;
      if (settings.maxPageSize) limit = Math.min(limit, settings.maxPageSize);
      ctx.limit = limit;
    }
    if (ctx.user >= 0) {
      const leads = leadsOf.get(ctx.user);
      const videos = videosOf.get(ctx.user);
      ctx.lead = leads ? pick(leads) : 1 + Math.floor(Math.random() * leadCount);
      ctx.video = videos ? pick(videos) : 1 + Math.floor(Math.random() * videoCount);
    } else {
      ctx.lead = 1 + Math.floor(Math.random() * leadCount);
      ctx.video = 1 + Math.floor(Math.random() * videoCount);
    }
    ctx.status = pick(['new', 'contacted', 'qualified', 'won', 'lost']);
    ctx.score = Math.floor(Math.random() * 100);
    const result = await runSteps(endpoint.steps, ctx);
    if (ctx.marks) res.set('Server-Timing', ctx.marks.join(', '));
    res.status(200).json({ endpoint: endpoint.name, items: result });
  } catch (e) {
    if (e.kind) return send(res, STATUS[e.kind], { error: e.message }, e.kind);
    if (String(e.message).includes('ECONNREFUSED') || String(e.message).includes('The client is closed')) return send(res, 503, { error: e.message }, 'redisUnavailable');
    send(res, 500, { error: String(e.message) }, 'internal');
  }
});

// Static assets: a file of the model's average asset size, served from memory (the OS page
// cache in a real express.static).
const asset = Buffer.alloc(80000, 'a');
app.get('/static/:name', (req, res) => { counters.requests += 1; res.type('application/javascript').send(asset); });
app.get('/health', (req, res) => { counters.requests += 1; res.json({ ok: true }); });

async function main() {
  await redis.connect();
  for (const l of limiters) await l.load();
  await loadIds();
  const server = app.listen(Number(process.env.API_PORT), '127.0.0.1', () => console.log(`api listening on 127.0.0.1:${process.env.API_PORT} (${settings.configuration})`));
  if (FIRST_SEGMENT) server.prependListener('request', (req) => { req.cpu0 = process.cpuUsage(); });
  server.keepAliveTimeout = 120000;
  server.headersTimeout = 121000;
}
main().catch((e) => { console.error('api: error: ' + e.message); process.exit(1); });
