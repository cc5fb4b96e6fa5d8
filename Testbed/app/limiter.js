'use strict';
// A fixed-window rate limiter in Redis with rate-limit-redis's semantics (its Lua `increment`
// script, used by express-rate-limit's Redis store): INCR the key; if it has no expiry yet,
// PEXPIRE it for the window, so each key's window starts at its first request; the count
// after the increment decides, over the limit is a 429 with Retry-After.
//
// Written here rather than installed: Debian packages neither express-rate-limit nor
// rate-limit-redis, and only registry packages may be installed. The script below is written
// from that behaviour (INCR, PTTL, PEXPIRE when PTTL < 0) and returns the same pair.
//
// For a per-IP limiter the testbed also keeps, in process memory, the same window per user
// behind the IP: a 429 for a user whose own count is within the limit is marked false
// (`X-Error-Kind: rateLimitedFalse`), as the simulator counts false 429s. The real seed has
// no such counter; it is instrumentation and costs no Redis call.

const SCRIPT = `
local hits = redis.call("INCR", KEYS[1])
local ttl = redis.call("PTTL", KEYS[1])
if ttl < 0 then
  redis.call("PEXPIRE", KEYS[1], tonumber(ARGV[1]))
  ttl = tonumber(ARGV[1])
end
return { hits, ttl }`;

class FixedWindowLimiter {
  constructor(spec, redis) {
    this.spec = spec;
    this.redis = redis;
    this.endpoints = new Set(spec.endpoints);
    this.shadow = spec.key === 'ip' ? new Map() : null; // user -> [windowStartMs, count]
  }

  applies(endpoint) { return this.endpoints.has(endpoint); }

  limitFor(tier) {
    if (this.spec.limitByTier && tier && this.spec.limitByTier[tier] !== undefined) return this.spec.limitByTier[tier];
    return this.spec.limit;
  }

  /** Counts one request; resolves to null (allowed) or { kind, retryAfterS }. */
  async check(req) {
    const { spec } = this;
    let key;
    if (spec.key === 'user') {
      if (req.user === undefined || req.user < 0) return null;
      key = `rl:${spec.name}:${req.user}`;
    } else {
      key = `rl:${spec.name}:${req.ip}`;
    }
    const [hits, ttl] = await this.redis.evalSha(this.sha, { keys: [key], arguments: [String(spec.windowMs)] });
    const limit = this.limitFor(req.tier);
    let own = 0;
    if (this.shadow && req.user !== undefined && req.user >= 0) {
      const now = Date.now();
      const w = this.shadow.get(req.user);
      if (!w || now >= w[0] + spec.windowMs) this.shadow.set(req.user, [now, 1]);
      else w[1] += 1;
      own = this.shadow.get(req.user)[1];
    }
    if (hits <= limit) return null;
    const retryAfterS = Math.max(0, Math.ceil(ttl / 1000));
    if (this.shadow && req.user !== undefined && req.user >= 0 && own <= limit) return { kind: 'rateLimitedFalse', retryAfterS };
    return { kind: 'rateLimited', retryAfterS };
  }

  async load() { this.sha = await this.redis.scriptLoad(SCRIPT); }
}

module.exports = { FixedWindowLimiter, SCRIPT };
