'use strict';
// One request to the testbed's API as the replayer sends it, shared by the replayer and
// Testbed/app/measure.js, so that the load generator's CPU per request the measurement takes
// (`database.postgres.colocated.loadGeneratorCpuPerRequestMs`) is the replayer's own code path.
const http = require('http');

/** The path, method, headers and body of a call to `endpoint` (its entry in the settings) for
 * a user (-1 for none) of a tier from an IP, with a page `limit` and a request id;
 * `token(user, tier)` signs. An unauthenticated call names its user in a JSON body. */
function requestFor(endpoint, spec, { user, tier, ip, limit, id }, token) {
  let path, method = 'GET', body = null;
  if (endpoint === 'health') path = '/health';
  else if (endpoint === 'staticAsset') path = '/static/app.js';
  else {
    path = `/api/v1/${endpoint}` + (spec && spec.takesPageLimit ? `?limit=${limit}` : '');
    if (!/^(dashboard|list|get|video|notifications)/.test(endpoint) || endpoint === 'videoView') method = 'POST';
  }
  const headers = { 'X-Forwarded-For': ip, 'X-Request-Id': String(id) };
  if (spec && spec.authenticated) headers.Authorization = 'Bearer ' + token(user, tier);
  else if (user >= 0) body = JSON.stringify({ user, tier });
  if (body) { headers['Content-Type'] = 'application/json'; headers['Content-Length'] = Buffer.byteLength(body); }
  return { path, method, headers, body };
}

/** Sends one request on a keep-alive agent and calls `finish(status, errorKind, latencyMs)`
 * once: the clock starts before the request is written and stops when its response has ended
 * (status 0 and a `client:` kind when the connection fails, 504 `timeout` past `timeoutMs`);
 * `onHeaders`, if given, sees the response's headers. Returns the start (hrtime). */
function send(agent, port, call, timeoutMs, finish, onHeaders) {
  const t0 = process.hrtime.bigint();
  let finished = false;
  const end = (code, kind) => {
    if (finished) return;
    finished = true;
    finish(code, kind, Number(process.hrtime.bigint() - t0) / 1e6);
  };
  const req = http.request({ host: '127.0.0.1', port, path: call.path, method: call.method, headers: call.headers, agent }, (res) => {
    if (onHeaders) onHeaders(res.headers);
    res.on('data', () => {});
    res.on('end', () => end(res.statusCode, res.headers['x-error-kind'] || (res.statusCode >= 400 ? 'http' + res.statusCode : '')));
    res.on('error', () => end(0, 'client:reset'));
  });
  req.setTimeout(timeoutMs, () => { end(504, 'timeout'); req.destroy(); });
  req.on('error', (err) => end(0, 'client:' + (err.code || 'error')));
  if (call.body) req.write(call.body);
  req.end();
  return t0;
}

/** Starts the testbed cold, as a trace does: empties Redis (limiter windows, cache entries,
 * the job list) through the connected client `redis` and asks the API to empty what it holds in
 * memory (in-process caches, the limiters' shadow windows). */
async function emptyTestbed(redis, port) {
  await redis.flushAll();
  await new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/testbed/reset', method: 'POST' }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', reject);
    req.end();
  });
}

module.exports = { requestFor, send, emptyTestbed };
