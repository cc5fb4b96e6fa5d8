'use strict';
// Prints the measured window's p99 latency (ms), the share of errors other than 429s and the
// offered requests per second of one replayed trace: what Testbed/validate.sh's capacity
// search decides on.   node summarize.js TRACE.csv MEASURED.csv
const fs = require('fs');
const [traceFile, measuredFile] = process.argv.slice(2);
const t = fs.readFileSync(traceFile, 'utf8').split('\n');
const header = JSON.parse(t[1].slice('# header '.length));
const m = fs.readFileSync(measuredFile, 'utf8').split('\n').slice(2);
const lat = [];
let errors = 0;
for (let i = 3; i < t.length; i++) {
  if (!t[i]) continue;
  const time = Number(t[i].slice(0, t[i].indexOf(',')));
  if (time < header.warmUpSeconds) continue;
  const f = m[i - 3].split(',');
  lat.push(f[3] === '' ? 30000 : Number(f[3]));
  const kind = f[4];
  if ((kind && kind !== 'rateLimited' && kind !== 'rateLimitedFalse') || (!kind && Number(f[2]) >= 400)) errors += 1;
}
lat.sort((a, b) => a - b);
const p99 = lat.length ? lat[Math.min(lat.length - 1, Math.ceil(0.99 * lat.length) - 1)] : 0;
console.log(`${p99.toFixed(3)} ${(lat.length ? errors / lat.length : 0).toFixed(5)} ${(lat.length / header.durationSeconds).toFixed(1)}`);
