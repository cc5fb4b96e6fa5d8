'use strict';
// HS256 JSON Web Tokens, signed and verified with Node's crypto (the seed's stateless JWT):
// the replayer signs a token per user, the API verifies it on every authenticated request.
const crypto = require('crypto');

const SECRET = process.env.TESTBED_JWT_SECRET || 'testbed-secret-not-for-production';
const b64 = (buf) => Buffer.from(buf).toString('base64url');
const HEADER = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

function sign(payload) {
  const body = HEADER + '.' + b64(JSON.stringify(payload));
  return body + '.' + crypto.createHmac('sha256', SECRET).update(body).digest('base64url');
}

/** The token's payload, or null when the signature or the shape is wrong. */
function verify(token) {
  const dot = token.lastIndexOf('.');
  if (dot < 0) return null;
  const body = token.slice(0, dot);
  const expected = crypto.createHmac('sha256', SECRET).update(body).digest();
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  try {
    return JSON.parse(Buffer.from(body.slice(body.indexOf('.') + 1), 'base64url').toString());
  } catch {
    return null;
  }
}

module.exports = { sign, verify };
