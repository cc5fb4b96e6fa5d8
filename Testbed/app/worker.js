'use strict';
// The job worker (BullMQ's role): takes jobs from the Redis list `jobs` with BRPOP, runs up to
// the model's concurrency at once, each job's steps as the model gives them (provider calls,
// queries), retrying a failed attempt after an exponential backoff up to the model's attempts.
const http = require('http');
const { Pool } = require('pg');
const { createClient } = require('redis');
const { loadSettings } = require('./common');
const { runOn } = require('./queries');

const settings = loadSettings();
const jobs = new Map(settings.jobs.map((j) => [j.name, j]));
// Prisma's pool in a worker process has the API's connection_limit (one DATABASE_URL), as the
// simulator gives every process's pool the same limit.
const pool = new Pool({ max: settings.poolMax, idleTimeoutMillis: 0 });
pool.on('error', () => {});
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });
const counts = { completed: 0, failedAttempts: 0, deadLettered: 0 };

function callProvider(name) {
  const spec = settings.services.find((s) => s.name === name);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: Number(process.env.PROVIDER_PORT), path: '/' + name, agent, timeout: spec.timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`${name} ${res.statusCode}`))));
    });
    req.on('timeout', () => { req.destroy(); reject(new Error('timeout')); });
    req.on('error', reject);
  });
}

async function runJob(job, redis) {
  const spec = jobs.get(job.job);
  const ctx = { user: job.user, lead: 1, video: 1, status: 'qualified', score: 50, token: job.token, limit: 20 };
  try {
    let rows = 0; // the last query's rows: what a fan-out splits into jobs
    for (const s of spec.steps) {
      if (s.kind === 'external') await callProvider(s.name);
      else if (s.kind === 'query') {
        const c = await pool.connect();
        try {
          const results = await runOn(c, settings, s.name, ctx);
          rows = results[results.length - 1].rowCount || 0;
        } finally { c.release(); }
      } else if (s.kind === 'fanOut') {
        // One job per `count` rows (Mailgun's batch of recipients), as the simulator's fanOut.
        const n = Math.max(1, Math.ceil(rows / s.count));
        for (let k = 0; k < n; k++) {
          await redis.lPush('jobs', JSON.stringify({ job: s.name, user: job.user, attempt: 1, created: Date.now(), token: `${job.token}:${k}` }));
        }
      }
    }
    counts.completed += 1;
  } catch (e) {
    counts.failedAttempts += 1;
    if (job.attempt < spec.maxAttempts) {
      const delay = spec.backoffBaseMs * 2 ** (job.attempt - 1);
      job.attempt += 1;
      setTimeout(() => redis.lPush('jobs', JSON.stringify(job)).catch(() => {}), delay);
    } else counts.deadLettered += 1;
  }
}

async function main() {
  const options = { socket: { host: '127.0.0.1', port: Number(process.env.REDIS_PORT) } };
  const redis = createClient(options);
  redis.on('error', () => {});
  await redis.connect();
  // One blocking connection per slot: BRPOP holds its connection while it waits.
  for (let slot = 0; slot < settings.workerConcurrency; slot++) {
    const conn = redis.duplicate();
    conn.on('error', () => {});
    await conn.connect();
    (async () => {
      for (;;) {
        const got = await conn.brPop('jobs', 0).catch(() => null);
        if (got) await runJob(JSON.parse(got.element), redis);
        else await new Promise((r) => setTimeout(r, 100));
      }
    })();
  }
  setInterval(() => redis.set('worker:counts', JSON.stringify(counts)).catch(() => {}), 1000);
  console.log(`worker running ${settings.workerConcurrency} slots`);
}
main().catch((e) => { console.error('worker: error: ' + e.message); process.exit(1); });
