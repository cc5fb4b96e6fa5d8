'use strict';
// The SQL of each query class of the model (`database.queries`), with as many statements as
// the model says the class has. Each runs on one pool connection (one transaction's worth of
// work, as Prisma holds a connection for a query) and is tagged with a comment naming its
// class, so pg_stat_statements can be read per class.
//
// `ctx` carries the request: user, page limit, and the ids the app picked (a lead, a video).

const Q = {
  dashboardStats: (c) => [
    ['/* dashboardStats */ SELECT status, count(*) AS n FROM leads WHERE user_id = $1 GROUP BY status', [c.user]],
    ['/* dashboardStats */ SELECT count(*) AS n FROM leads WHERE user_id = $1 AND status = $2', [c.user, 'won']],
  ],
  dashboardRecent: (c) => [
    ['/* dashboardRecent */ SELECT id, name, status, created_at FROM leads WHERE user_id = $1 ORDER BY created_at DESC LIMIT 10', [c.user]],
  ],
  listLeads: (c) => [
    ['/* listLeads */ SELECT id, name, email, company, status, score, created_at FROM leads WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2', [c.user, c.limit]],
  ],
  countLeads: (c) => [
    ['/* countLeads */ SELECT count(*) AS n FROM leads WHERE user_id = $1', [c.user]],
  ],
  listCampaigns: (c) => [
    ['/* listCampaigns */ SELECT id, name, status, created_at FROM campaigns WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2', [c.user, c.limit]],
  ],
  listConversations: (c) => [
    ['/* listConversations */ SELECT id, channel, subject, created_at FROM conversations WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2', [c.user, c.limit]],
  ],
  listChannels: (c) => [
    ['/* listChannels */ SELECT id, kind, name FROM channels WHERE user_id = $1', [c.user]],
  ],
  listVideos: (c) => [
    ['/* listVideos */ SELECT id, title, url, created_at FROM videos WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2', [c.user, c.limit]],
  ],
  videoStats: (c) => [
    ["/* videoStats */ SELECT date_trunc('day', created_at) AS day, count(*) AS n FROM video_views WHERE video_id = $1 AND created_at > now() - interval '30 days' GROUP BY 1", [c.video]],
  ],
  getRecord: (c) => [
    ['/* getRecord */ SELECT id, user_id, name, email, company, status, score, notes, created_at FROM leads WHERE id = $1', [c.lead]],
  ],
  writeRecord: (c) => [
    ['/* writeRecord */ UPDATE leads SET status = $2, score = $3, updated_at = now() WHERE id = $1', [c.lead, c.status, c.score]],
    ['/* writeRecord */ UPDATE leads SET notes = notes WHERE id = $1 RETURNING id, status, updated_at', [c.lead]],
  ],
  campaignRecipients: (c) => [
    ['/* campaignRecipients */ SELECT id, email, name FROM leads WHERE user_id = $1', [Math.max(0, c.user)]],
  ],
  userLookup: (c) => [
    ['/* userLookup */ SELECT id, email, tier, plan, password_hash FROM users WHERE id = $1', [Math.max(0, c.user)]],
  ],
  userUpdate: (c) => c.user >= 0
    ? [['/* userUpdate */ UPDATE users SET updated_at = now() WHERE id = $1', [c.user]]]
    : [["/* userUpdate */ INSERT INTO users (id, email, tier, password_hash) VALUES ((SELECT max(id) + 1 FROM users), 'new' || $1 || '@example.com', 'tier1-2', $2) ON CONFLICT DO NOTHING", [c.token, 'pbkdf2$new']]],
  insertVideoView: (c) => [
    ['/* insertVideoView */ INSERT INTO video_views (video_id, viewer_ip, seconds_watched, created_at) VALUES ($1, $2, $3, now())', [c.video, c.ip, 30]],
  ],
  insertEmail: (c) => [
    ['/* insertEmail */ INSERT INTO emails (user_id, to_address, subject, body, created_at) VALUES ($1, $2, $3, $4, now())', [Math.max(0, c.user), 'lead@example.com', 'Hello', 'Body']],
  ],
  insertEvent: (c) => [
    ['/* insertEvent */ INSERT INTO events (user_id, kind, payload, created_at) VALUES ($1, $2, $3, now())', [c.user >= 0 ? c.user : null, 'webhook', '{}']],
  ],
  loadFeatureFlags: () => [
    ['/* loadFeatureFlags */ SELECT kind, count(*) FROM (SELECT kind FROM events LIMIT 50000) e GROUP BY kind', []],
    ['/* loadFeatureFlags */ SELECT kind, max(created_at) FROM (SELECT kind, created_at FROM events LIMIT 50000) e GROUP BY kind', []],
    ['/* loadFeatureFlags */ SELECT count(DISTINCT user_id) FROM (SELECT user_id FROM events LIMIT 50000) e', []],
  ],
  notifications: (c) => [
    ['/* notifications */ SELECT id, kind, created_at FROM events WHERE user_id = $1 ORDER BY created_at DESC LIMIT 20', [Math.max(0, c.user)]],
  ],
};

/** Checks that every query class of the model has SQL with the model's number of statements. */
function check(settings) {
  const ctx = { user: 0, limit: 20, lead: 1, video: 1, ip: '10.0.0.1', status: 'new', score: 1, token: 'x' };
  for (const q of settings.queries) {
    if (!Q[q.name]) throw new Error(`no SQL for the model's query ${q.name}`);
    const n = Q[q.name](ctx).length;
    if (n !== q.statements) throw new Error(`query ${q.name}: ${n} statements in SQL, ${q.statements} in the model`);
  }
}

/**
 * Runs query class `name` on a checked-out pool client, each statement awaited before the next
 * (one round trip each), inside BEGIN and COMMIT when the model says the class is one
 * transaction (`transaction` in the settings: QueryModel.roundTrips's rule, a write of several
 * statements); a failure rolls it back and is thrown. Returns every statement's result. The
 * caller releases the client.
 */
async function runOn(client, settings, name, ctx) {
  const spec = settings.queries.find((q) => q.name === name);
  const transaction = Boolean(spec && spec.transaction);
  const results = [];
  try {
    if (transaction) await client.query('BEGIN');
    for (const [sql, params] of Q[name](ctx)) results.push(await client.query(sql, params));
    if (transaction) await client.query('COMMIT');
    return results;
  } catch (e) {
    if (transaction) await client.query('ROLLBACK').catch(() => {});
    throw e;
  }
}

module.exports = { Q, check, runOn };
