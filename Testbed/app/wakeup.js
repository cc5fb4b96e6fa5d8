'use strict';
// Measures how long an idle core takes to wake (Models/testbed/service-times.yaml, `idleWakeUp`):
// the one-way delay of a UDP datagram from a sender on one core to a receiver on another,
// after both cores have been idle for a given time, less the same delay after 20 us idle (a
// core that has not yet left its shallowest idle state; a spinning process keeping the core
// busy is no reference under the default scheduler, which lets the woken receiver wait for
// it). Both ends read the same monotonic clock.
//
//   node wakeup.js receive                        (run by measure, pinned to the API's core)
//   node wakeup.js measure API_CORE > delays.json (run pinned to the data core)
//
// Prints {"0.02": [ms...], "0.05": [ms...], ...}: one-way delays after each idle time in ms.
const dgram = require('dgram');
const { spawn } = require('child_process');
const now = () => process.hrtime.bigint();

if (process.argv[2] === 'receive') {
  const socket = dgram.createSocket('udp4');
  const delays = {};
  socket.on('message', (m) => {
    const t = now();
    const [label, sent] = m.toString().split(' ');
    if (label === 'end') { process.stdout.write(JSON.stringify(delays) + '\n', () => process.exit(0)); return; }
    (delays[label] = delays[label] || []).push(Number(t - BigInt(sent)) / 1e6);
  });
  socket.bind(0, '127.0.0.1', () => console.log(socket.address().port));
} else if (process.argv[2] === 'measure') {
  const core = process.argv[3];
  main(core).catch((e) => { console.error('wakeup.js: error: ' + e.message); process.exit(1); });
}

/** The idle times measured, in milliseconds. */
const GAPS_MS = [0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20];

/** Waits `ms` milliseconds, the last one spinning (a timer alone is late by up to a millisecond). */
async function pause(ms) {
  const until = now() + BigInt(Math.round(ms * 1e6));
  if (ms > 2) await new Promise((r) => setTimeout(r, ms - 1.5));
  while (now() < until) { /* spin */ }
}

async function main(core) {
  const receiver = spawn('taskset', ['-c', core, process.execPath, __filename, 'receive'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const port = await new Promise((resolve) => receiver.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
  receiver.stdout.on('data', (d) => { out += d; });
  const done = new Promise((resolve) => receiver.on('exit', resolve));
  const socket = dgram.createSocket('udp4');
  const send = (label) => new Promise((r) => socket.send(`${label} ${now()}`, port, '127.0.0.1', r));
  await pause(100);
  // The receiver's core idle for each gap, and the sender's too (it sleeps in a futex wait
  // rather than spinning): at low load both cores idle between a request's hops.
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (const g of GAPS_MS) {
    const n = g >= 5 ? 150 : 300;
    for (let i = 0; i < n; i++) { Atomics.wait(cell, 0, 0, g); await send(String(g)); }
  }
  await send('end');
  await done;
  socket.close();
  process.stdout.write(out);
}
