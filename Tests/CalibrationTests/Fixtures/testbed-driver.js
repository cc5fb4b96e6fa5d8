// Drives testbed-app.js with a bounded number of requests from a few users (sessions of page
// views that fire several API calls at once), unauthenticated visitors and webhooks.
const http = require('http');
const port = Number(process.env.APPPORT);
const pages = Number(process.env.PAGES || 300);
function call(method, path, user) {
  return new Promise((resolve) => {
    const headers = user ? { 'x-user': user } : {};
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', resolve);
    req.end();
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pageCalls = [
  [['GET', '/api/v1/dashboard'], ['GET', '/api/v1/notifications'], ['GET', '/api/v1/leads?limit=20']],
  [['GET', '/api/v1/leads?limit=50'], ['GET', '/api/v1/campaigns?limit=20'], ['GET', '/api/v1/leads/7']],
  [['POST', '/api/v1/leads'], ['GET', '/api/v1/leads/3'], ['GET', '/api/v1/notifications']],
  [['GET', '/api/v1/leads?limit=1000'], ['GET', '/api/v1/dashboard'], ['GET', '/api/v1/unknown/route/42']],
];
(async () => {
  for (let i = 0; i < pages; i++) {
    const user = 'u' + (1 + (i * 7) % 12);
    if (i % 25 === 0) await call('POST', '/api/v1/auth/login', user);
    await Promise.all(pageCalls[i % pageCalls.length].map(([m, p]) => call(m, p, user)));
    if (i % 3 === 0) await call('GET', '/v/' + (i % 40), null);
    if (i % 10 === 0) await call('POST', '/webhooks/stripe', null);
    if (i % 30 === 0) await call('GET', '/health', null);
    await sleep(5 + (i * 37) % 40);
  }
})();
