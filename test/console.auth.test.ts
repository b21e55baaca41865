// The review console's sign-in parts on their own (no database, no browser): scrypt hashes
// verify only their password, an unknown name takes the same path, a malformed or
// over-costly stored hash is refused; sessions end when idle, at their maximum age and
// past the bound (oldest first); the rate limiter blocks after N failures in its window,
// lets the key in again once the window passes, and stays bounded under a flood of keys.
import t from 'tap';
import { hashPassword, newPassword, passwordProblem, verifyPassword } from '../agent/console/password.ts';
import { RateLimiter, SessionStore, sameToken } from '../agent/console/sessions.ts';

t.test('passwords: scrypt, salted, checked in constant form', async (t) => {
  const h = await hashPassword('correct horse battery');
  t.match(h, /^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  t.not(await hashPassword('correct horse battery'), h, 'salted: two hashes of one password differ');
  t.equal(await verifyPassword('correct horse battery', h), true);
  t.equal(await verifyPassword('correct horse batterY', h), false);
  t.equal(await verifyPassword('', h), false);
  t.equal(await verifyPassword('anything', null), false, 'no such person: the decoy hash is checked, and fails');
  t.equal(await verifyPassword('x', 'plain-text'), false, 'a malformed stored hash');
  t.equal(await verifyPassword('x', h.replace(/^scrypt\$32768/, 'scrypt$1073741824')), false, 'a stored cost past the bound is not run');
  const p = newPassword();
  t.match(p, /^[A-Za-z0-9_-]{20}$/, 'one-time passwords: 120 random bits');
  t.equal(passwordProblem('short'), 'must be at least 12 characters');
  t.equal(passwordProblem('x'.repeat(257)), 'must be at most 256 characters');
  t.equal(passwordProblem('long enough pass'), null);
});

t.test('sessions: idle and maximum age, the bound, sign-out', async (t) => {
  let now = 0;
  const s = new SessionStore({ idleMs: 1000, maxMs: 5000, max: 3, now: () => now });
  const a = s.create('rita', 'reviewer', false);
  t.equal(s.get(a.token)?.user, 'rita');
  t.equal(s.get('not-a-token'), null);
  t.equal(s.get(undefined), null);
  now = 900;
  t.ok(s.get(a.token), 'used within the idle time: alive, and its idle clock restarts');
  now = 1800;
  t.ok(s.get(a.token));
  now = 2801;
  t.equal(s.get(a.token), null, 'idle too long: gone');

  now = 10_000;
  const b = s.create('rita', 'reviewer', false);
  for (let i = 1; i <= 6; i++) {
    now += 900;
    t.equal(s.get(b.token) !== null, now - 10_000 <= 5000, `at ${now - 10_000} ms`);
  }
  t.equal(s.get(b.token), null, 'past its maximum age, however busy');

  const c = [s.create('a', 'viewer', false), s.create('b', 'viewer', false), s.create('c', 'viewer', false)];
  const d = s.create('d', 'viewer', false);
  t.equal(s.size(), 3, 'bounded');
  t.equal(s.get(c[0]!.token), null, 'the oldest went');
  t.ok(s.get(d.token));
  s.end(d.token);
  t.equal(s.get(d.token), null, 'signed out');
  s.endAllOf('b');
  t.equal(s.get(c[1]!.token), null, 'every session of a person');
  t.ok(s.get(c[2]!.token));
  t.not(c[1]!.session.csrf, c[2]!.session.csrf, 'each session its own CSRF token');
  t.equal(sameToken(c[2]!.session.csrf, c[2]!.session.csrf), true);
  t.equal(sameToken(c[2]!.session.csrf, c[1]!.session.csrf), false);
  t.equal(sameToken(null, null), false, 'no token never matches');
  t.equal(sameToken('', ''), false);
});

t.test('rate limit: N failures in a window, then blocked until it passes; bounded', async (t) => {
  let now = 0;
  const r = new RateLimiter({ attempts: 3, windowMs: 60_000, maxKeys: 100, now: () => now });
  for (let i = 0; i < 3; i++) {
    t.equal(r.blockedFor('name:rita'), 0);
    r.fail('name:rita');
  }
  t.equal(r.blockedFor('name:rita'), 60, 'blocked for the rest of the window (s)');
  t.equal(r.blockedFor('name:vera'), 0, 'other keys are not');
  now = 30_000;
  t.equal(r.blockedFor('name:rita'), 30);
  now = 60_001;
  t.equal(r.blockedFor('name:rita'), 0, 'the window passed');
  r.fail('name:rita');
  r.succeed('name:rita');
  t.equal(r.blockedFor('name:rita'), 0, 'a success clears the key');
  r.fail('addr:a');
  r.fail('addr:a');
  r.fail('addr:a');
  r.forgive('addr:a');
  t.equal(r.blockedFor('addr:a'), 0, 'an attempt counted in advance and then right is taken back');
  r.forgive('addr:a');
  r.forgive('addr:a');
  r.forgive('addr:a');
  t.equal((r as unknown as { fails: Map<string, unknown> }).fails.has('addr:a'), false, 'down to none: gone');
  for (let i = 0; i < 10_000; i++) r.fail(`addr:${i}`);
  t.ok((r as unknown as { fails: Map<string, unknown> }).fails.size <= 100, 'a flood of keys stays within the bound');
});
