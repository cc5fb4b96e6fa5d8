'use strict';
// Stand-ins for Mailgun and the LLM: one HTTP server answering GET /NAME after a latency drawn
// from the model's distribution for that service, failing with 500 at the model's failure
// probability and with 429 beyond its rate limit per second (a fixed one-second window, as
// the simulator counts it). Waiting costs no CPU: a timer per call.
const http = require('http');
const { loadSettings, rng, drawLatency } = require('./common');

const settings = loadSettings();
const services = new Map(settings.services.map((s) => [s.name, { spec: s, windowStart: -Infinity, count: 0, u: rng(0x5eed + s.name.length) }]));
const server = http.createServer((req, res) => {
  const s = services.get(req.url.slice(1).split('?')[0]);
  if (!s) { res.writeHead(404); return res.end(); }
  const now = Date.now();
  if (now - s.windowStart >= 1000) { s.windowStart = now; s.count = 0; }
  s.count += 1;
  if (s.spec.rateLimitPerS != null && s.count > s.spec.rateLimitPerS) { res.writeHead(429); return res.end('rate limited'); }
  const latency = drawLatency(s.spec.latency, s.u);
  const fail = s.u() < s.spec.failureProbability;
  setTimeout(() => { res.writeHead(fail ? 500 : 200, { 'Content-Type': 'application/json' }); res.end(fail ? '{"error":"failed"}' : '{"ok":true}'); }, latency);
});
server.keepAliveTimeout = 120000;
server.listen(Number(process.env.PROVIDER_PORT), '127.0.0.1', () => console.log(`providers listening on 127.0.0.1:${process.env.PROVIDER_PORT}`));
