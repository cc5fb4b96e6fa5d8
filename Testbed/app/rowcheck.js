'use strict';
// The seeded database against the model: every table of the model exists with the rows the
// model gives each user (rows per user x the user's activity weight, rounded; one users row
// per user), and exactly the configuration's indexes exist.
//   node rowcheck.js SETTINGS.json USERS.csv      (PG* environment variables name the database)
const { Client } = require('pg');
const { loadSettings, loadUsers } = require('./common');

async function main() {
  const [settingsFile, usersFile] = process.argv.slice(2);
  const settings = loadSettings(settingsFile);
  const users = loadUsers(usersFile);
  const db = new Client();
  await db.connect();
  let failures = 0;
  for (const [table, perUser] of Object.entries(settings.rowsPerUser)) {
    const expected = users.reduce((n, u) => n + (table === 'users' ? 1 : Math.round(perUser * u.weight)), 0);
    const got = Number((await db.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    const ok = got === expected;
    if (!ok) failures += 1;
    console.log(`rows ${table}: ${got} (model: ${expected})${ok ? '' : '  MISMATCH'}`);
  }
  const heavy = users.filter((u) => u.weight > 2).slice(0, 5);
  for (const u of heavy) {
    const got = Number((await db.query('SELECT count(*) AS n FROM leads WHERE user_id = $1', [u.id])).rows[0].n);
    const expected = Math.round(settings.rowsPerUser.leads * u.weight);
    if (got !== expected) { failures += 1; console.log(`leads of user ${u.id}: ${got} (model: ${expected})  MISMATCH`); }
  }
  const idx = new Set((await db.query("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).rows.map((r) => r.indexname));
  for (const [name, enabled] of Object.entries(settings.indexes)) {
    const present = name === 'users_pkey' ? idx.has('users_pkey') : idx.has(name);
    if (present !== enabled) { failures += 1; console.log(`index ${name}: ${present ? 'present' : 'absent'}, the model says ${enabled ? 'present' : 'absent'}  MISMATCH`); }
  }
  console.log(`schema and rows: ${failures === 0 ? 'match the model' : failures + ' mismatches'}`);
  await db.end();
  process.exit(failures === 0 ? 0 : 1);
}
main().catch((e) => { console.error('rowcheck: error: ' + e.message); process.exit(1); });
