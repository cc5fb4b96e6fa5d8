// A small Express app in the platform's shape, for making calibration fixtures from real
// servers (see make-fixtures.sh): morgan's combined format with the response time appended,
// the user id in the remote-user field, node-postgres queries in the SQL Prisma generates for
// the platform's models, and the rate limiter's Lua script (express-rate-limit's Redis store)
// in Redis. Loopback only; it stops when its parent closes stdin.
const express = require('express');
const morgan = require('morgan');
const { Pool } = require('pg');
const { createClient } = require('redis');

const pool = new Pool({ host: '127.0.0.1', port: Number(process.env.PGPORT), user: process.env.PGUSER, database: 'platform', max: 10 });
const redis = createClient({ socket: { host: '127.0.0.1', port: Number(process.env.REDISPORT) } });
const RATE_LIMIT = "local totalHits = redis.call('INCR', KEYS[1]) local timeToExpire = redis.call('PTTL', KEYS[1]) if timeToExpire <= 0 or ARGV[1] == '1' then redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) timeToExpire = tonumber(ARGV[2]) end return { totalHits, timeToExpire }";

const app = express();
app.use(express.json());
// The user id comes from a header the driver sets (a JWT's subject in the real app).
app.use((req, res, next) => { const u = req.get('x-user'); if (u) req.userId = u; next(); });
morgan.token('remote-user', (req) => req.userId);
app.use(morgan(':remote-addr - :remote-user [:date[clf]] ":method :url HTTP/:http-version" :status :res[content-length] ":referrer" ":user-agent" :response-time'));
app.use(async (req, res, next) => {
  if (req.path.startsWith('/webhooks') || req.path === '/health') return next();
  const key = 'rl:' + (req.userId || req.ip);
  const [hits] = await redis.eval(RATE_LIMIT, { keys: [key], arguments: ['0', '900000'] });
  if (hits > 300) return res.status(429).json({ error: 'Too many requests' });
  next();
});
const q = (text, values) => pool.query(text, values);
const user = (req) => Number(String(req.userId || 'u1').slice(1)) || 1;
app.get('/health', (req, res) => res.json({ ok: true }));
app.get('/api/v1/dashboard', async (req, res) => {
  const cached = await redis.get('dash:' + req.userId);
  if (cached) return res.type('json').send(cached);
  const stats = await q('SELECT COUNT("public"."Lead"."id"), "public"."Lead"."status" FROM "public"."Lead" WHERE "public"."Lead"."userId" = $1 GROUP BY "public"."Lead"."status"', [user(req)]);
  const recent = await q('SELECT "public"."Lead"."id", "public"."Lead"."name", "public"."Lead"."createdAt" FROM "public"."Lead" WHERE "public"."Lead"."userId" = $1 ORDER BY "public"."Lead"."createdAt" DESC LIMIT $2 OFFSET $3', [user(req), 10, 0]);
  const body = JSON.stringify({ stats: stats.rows, recent: recent.rows });
  await redis.set('dash:' + req.userId, body, { EX: 60 });
  res.type('json').send(body);
});
app.get('/api/v1/leads', async (req, res) => {
  const limit = Math.min(Number(req.query.limit) || 20, 1000);
  const page = await q('SELECT "public"."Lead"."id", "public"."Lead"."userId", "public"."Lead"."name", "public"."Lead"."status", "public"."Lead"."createdAt" FROM "public"."Lead" WHERE "public"."Lead"."userId" = $1 ORDER BY "public"."Lead"."createdAt" DESC LIMIT $2 OFFSET $3', [user(req), limit, 0]);
  const count = await q('SELECT COUNT(*) AS "_count$_all" FROM (SELECT "public"."Lead"."id" FROM "public"."Lead" WHERE "public"."Lead"."userId" = $1 OFFSET $2) AS "sub"', [user(req), 0]);
  res.json({ leads: page.rows, total: count.rows[0] });
});
app.get('/api/v1/leads/:id', async (req, res) => {
  const r = await q('SELECT "public"."Lead"."id", "public"."Lead"."userId", "public"."Lead"."name", "public"."Lead"."status", "public"."Lead"."createdAt" FROM "public"."Lead" WHERE ("public"."Lead"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3', [Number(req.params.id) || 1, 1, 0]);
  res.json(r.rows[0] || {});
});
app.post('/api/v1/leads', async (req, res) => {
  const r = await q('INSERT INTO "public"."Lead" ("userId","name","status","createdAt") VALUES ($1,$2,$3,now()) RETURNING "public"."Lead"."id"', [user(req), 'lead', 'new']);
  res.status(201).json(r.rows[0]);
});
app.get('/api/v1/campaigns', async (req, res) => {
  const r = await q('SELECT "public"."Campaign"."id", "public"."Campaign"."name" FROM "public"."Campaign" WHERE "public"."Campaign"."userId" = $1 ORDER BY "public"."Campaign"."createdAt" DESC LIMIT $2 OFFSET $3', [user(req), Number(req.query.limit) || 20, 0]);
  res.json(r.rows);
});
app.get('/api/v1/notifications', async (req, res) => {
  const r = await q('SELECT "public"."Notification"."id", "public"."Notification"."text" FROM "public"."Notification" WHERE ("public"."Notification"."userId" = $1 AND "public"."Notification"."read" = $2) LIMIT $3 OFFSET $4', [user(req), false, 20, 0]);
  res.json(r.rows);
});
app.post('/api/v1/auth/login', async (req, res) => {
  const r = await q('SELECT "public"."User"."id", "public"."User"."tier" FROM "public"."User" WHERE ("public"."User"."id" = $1 AND 1=1) LIMIT $2 OFFSET $3', [user(req), 1, 0]);
  await q('UPDATE "public"."User" SET "lastLoginAt" = now() WHERE "public"."User"."id" = $1', [user(req)]);
  res.json(r.rows[0] || {});
});
app.get('/v/:id', async (req, res) => {
  await q('INSERT INTO "public"."VideoView" ("videoId","createdAt") VALUES ($1,now())', [Number(req.params.id) || 1]);
  res.send('<html>video</html>');
});
app.post('/webhooks/:provider', async (req, res) => {
  await q('INSERT INTO "public"."Event" ("userId","kind","createdAt") VALUES ($1,$2,now())', [1, req.params.provider]);
  res.status(204).end();
});

redis.connect().then(() => {
  const server = app.listen(Number(process.env.APPPORT), '127.0.0.1', () => console.error('listening'));
  process.stdin.on('end', () => { server.close(); pool.end(); redis.quit(); });
  process.stdin.resume();
});
