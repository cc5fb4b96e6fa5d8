'use strict';
// Prints the measured window's p99 latency (ms) of the requests the platform answers alone,
// the share of errors other than 429s and the offered requests per second of one replayed
// trace: what Testbed/validate.sh's capacity search decides on.
//   node summarize.js TRACE.csv MEASURED.csv [SETTINGS.json]
// With the testbed's settings, endpoints with an `external` step (a synchronous call to the LLM
// or Mailgun) are left out of the p99, as platform-sim validation-report leaves them out of its
// saturation criterion: their latency is the provider's at any load, and whether a 15-second
// probe caught one of them is chance.
const fs = require('fs');
const [traceFile, measuredFile, settingsFile] = process.argv.slice(2);
const waits = new Set();
if (settingsFile) {
  for (const e of JSON.parse(fs.readFileSync(settingsFile, 'utf8')).endpoints) {
    if (e.steps.some((s) => s.kind === 'external')) waits.add(e.name);
  }
}
const t = fs.readFileSync(traceFile, 'utf8').split('\n');
const header = JSON.parse(t[1].slice('# header '.length));
const m = fs.readFileSync(measuredFile, 'utf8').split('\n').slice(2);
const lat = [];
let errors = 0, requests = 0;
for (let i = 3; i < t.length; i++) {
  if (!t[i]) continue;
  const time = Number(t[i].slice(0, t[i].indexOf(',')));
  if (time < header.warmUpSeconds) continue;
  requests += 1;
  const f = m[i - 3].split(',');
  const endpoint = t[i].split(',')[1];
  if (!waits.has(endpoint)) lat.push(f[3] === '' ? 30000 : Number(f[3]));
  const kind = f[4];
  if ((kind && kind !== 'rateLimited' && kind !== 'rateLimitedFalse') || (!kind && Number(f[2]) >= 400)) errors += 1;
}
lat.sort((a, b) => a - b);
const p99 = lat.length ? lat[Math.min(lat.length - 1, Math.ceil(0.99 * lat.length) - 1)] : 0;
console.log(`${p99.toFixed(3)} ${(requests ? errors / requests : 0).toFixed(5)} ${(requests / header.durationSeconds).toFixed(1)}`);
