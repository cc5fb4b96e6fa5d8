'use strict';
// Creates the schema and seeds the database for the users of a trace, with the model's rows
// per user scaled by each user's activity weight (as the simulation sizes a user's data), rows
// of all users interleaved in time order (a user's rows spread over the table's pages as a
// real table's are), and the indexes the configuration has.
//
//   node seed.js SETTINGS.json USERS.csv     (PG* environment variables name the database)
const fs = require('fs');
const path = require('path');
const { Client } = require('pg');
const { loadSettings, loadUsers } = require('./common');

const TABLE_SQL = {
  // Each fills its table from the temporary table `w(user_id, n)` of rows per user; `g` numbers
  // a user's rows. Padding brings rows to about the model's rowBytes.
  leads: `INSERT INTO leads (user_id, name, email, company, status, score, notes, created_at, updated_at)
    SELECT w.user_id, 'Lead ' || g, 'lead' || g || '@example.com', 'Company ' || (g % 97),
           (ARRAY['new','contacted','qualified','won','lost'])[1 + (g + w.user_id) % 5], (g * 37) % 100, repeat('n', 420), t, t
    FROM w, generate_series(1, w.n) g, LATERAL (SELECT now() - make_interval(mins => ((g * 7919 + w.user_id * 104729) % 525600)) AS t) x
    ORDER BY t`,
  campaigns: `INSERT INTO campaigns (user_id, name, status, body, created_at)
    SELECT w.user_id, 'Campaign ' || g, (ARRAY['draft','active','done'])[1 + g % 3], repeat('b', 300), t
    FROM w, generate_series(1, w.n) g, LATERAL (SELECT now() - make_interval(mins => ((g * 7919 + w.user_id * 104729) % 525600)) AS t) x
    ORDER BY t`,
  conversations: `INSERT INTO conversations (user_id, channel, subject, last_message, created_at)
    SELECT w.user_id, (ARRAY['email','sms','meta','twitter'])[1 + g % 4], 'Subject ' || g, repeat('m', 680), t
    FROM w, generate_series(1, w.n) g, LATERAL (SELECT now() - make_interval(mins => ((g * 7919 + w.user_id * 104729) % 525600)) AS t) x
    ORDER BY t`,
  channels: `INSERT INTO channels (user_id, kind, name, settings, created_at)
    SELECT w.user_id, (ARRAY['email','sms','meta','twitter','web'])[1 + g % 5], 'Channel ' || g, repeat('s', 200), now() - make_interval(days => g)
    FROM w, generate_series(1, w.n) g ORDER BY 5`,
  videos: `INSERT INTO videos (user_id, title, description, url, created_at)
    SELECT w.user_id, 'Video ' || g, repeat('d', 380), 'https://videos.example/' || w.user_id || '/' || g, now() - make_interval(days => g)
    FROM w, generate_series(1, w.n) g ORDER BY w.user_id, g`,
  // A user's views go to that user's videos (or, for a user without videos, anyone's).
  video_views: `INSERT INTO video_views (video_id, viewer_ip, seconds_watched, created_at)
    SELECT CASE WHEN v.n > 0 THEN v.first_id + (g % v.n) ELSE 1 + (g * 7919 + w.user_id) % (SELECT max(id) FROM videos) END,
           '10.1.' || (g % 250) || '.' || (w.user_id % 250), g % 600, t
    FROM w JOIN vid v USING (user_id), generate_series(1, w.n) g,
         LATERAL (SELECT now() - make_interval(mins => ((g * 7919 + w.user_id * 104729) % 43200)) AS t) x
    ORDER BY t`,
  emails: `INSERT INTO emails (user_id, to_address, subject, body, created_at)
    SELECT w.user_id, 'to' || g || '@example.com', 'Subject ' || g, repeat('e', 300), t
    FROM w, generate_series(1, w.n) g, LATERAL (SELECT now() - make_interval(mins => ((g * 7919 + w.user_id * 104729) % 525600)) AS t) x
    ORDER BY t`,
  events: `INSERT INTO events (user_id, kind, payload, created_at)
    SELECT w.user_id, (ARRAY['login','view','webhook','plan'])[1 + g % 4], repeat('p', 220), t
    FROM w, generate_series(1, w.n) g, LATERAL (SELECT now() - make_interval(mins => ((g * 7919 + w.user_id * 104729) % 525600)) AS t) x
    ORDER BY t`,
};

/** The SQL of each index of the model (by its name), on the columns its name gives. */
const INDEX_SQL = {
  users_pkey: null, // the primary key
  leads_userId: 'CREATE INDEX "leads_userId" ON leads (user_id)',
  campaigns_userId: 'CREATE INDEX "campaigns_userId" ON campaigns (user_id)',
  conversations_userId: 'CREATE INDEX "conversations_userId" ON conversations (user_id)',
  channels_userId: 'CREATE INDEX "channels_userId" ON channels (user_id)',
  videos_userId: 'CREATE INDEX "videos_userId" ON videos (user_id)',
  video_views_videoId: 'CREATE INDEX "video_views_videoId" ON video_views (video_id)',
  emails_userId: 'CREATE INDEX "emails_userId" ON emails (user_id)',
  leads_userId_createdAt: 'CREATE INDEX "leads_userId_createdAt" ON leads (user_id, created_at)',
  campaigns_userId_createdAt: 'CREATE INDEX "campaigns_userId_createdAt" ON campaigns (user_id, created_at)',
  conversations_userId_createdAt: 'CREATE INDEX "conversations_userId_createdAt" ON conversations (user_id, created_at)',
  leads_userId_status: 'CREATE INDEX "leads_userId_status" ON leads (user_id, status)',
  deals_userId_status: 'CREATE INDEX "deals_userId_status" ON deals (user_id, status)',
  video_views_videoId_createdAt: 'CREATE INDEX "video_views_videoId_createdAt" ON video_views (video_id, created_at)',
};

/** Rows of `table` for one user: the model's rows per user times the user's weight, rounded. */
function rowsFor(table, perUser, user) {
  return table === 'users' ? 1 : Math.round(perUser * user.weight);
}

async function main() {
  const [settingsFile, usersFile] = process.argv.slice(2);
  if (!settingsFile || !usersFile) throw new Error('usage: node seed.js SETTINGS.json USERS.csv');
  const settings = loadSettings(settingsFile);
  const users = loadUsers(usersFile);
  const db = new Client();
  await db.connect();
  await db.query(fs.readFileSync(path.join(__dirname, '..', 'schema.sql'), 'utf8'));
  await db.query(`INSERT INTO users (id, email, tier, password_hash)
    SELECT id, 'user' || id || '@example.com', tier, 'pbkdf2$' || md5(id::text) FROM unnest($1::int[], $2::text[]) AS u(id, tier)`,
    [users.map((u) => u.id), users.map((u) => u.tier)]);
  for (const table of Object.keys(TABLE_SQL)) {
    const perUser = settings.rowsPerUser[table];
    if (perUser === undefined) throw new Error(`the model has no table ${table}`);
    await db.query('DROP TABLE IF EXISTS w; CREATE TEMP TABLE w (user_id integer, n integer)');
    await db.query('INSERT INTO w SELECT * FROM unnest($1::int[], $2::int[])',
      [users.map((u) => u.id), users.map((u) => rowsFor(table, perUser, u))]);
    if (table === 'video_views') {
      await db.query(`DROP TABLE IF EXISTS vid; CREATE TEMP TABLE vid AS
        SELECT w.user_id, coalesce(min(v.id), 0) AS first_id, count(v.id)::integer AS n FROM w LEFT JOIN videos v USING (user_id) GROUP BY w.user_id`);
    }
    await db.query(TABLE_SQL[table]);
  }
  for (const table of Object.keys(settings.rowsPerUser)) {
    if (table !== 'users' && !TABLE_SQL[table]) throw new Error(`no seeding rule for the model's table ${table}`);
  }
  for (const [name, enabled] of Object.entries(settings.indexes)) {
    if (!(name in INDEX_SQL)) throw new Error(`no SQL for the model's index ${name}`);
    if (enabled && INDEX_SQL[name]) await db.query(INDEX_SQL[name]);
  }
  // Index-only scans need the visibility map; the planner needs statistics.
  await db.query('VACUUM ANALYZE');
  await db.end();
}

main().catch((e) => { console.error('seed.js: error: ' + e.message); process.exit(1); });
