// The in-memory key table that answers a retry `duplicate` without the database: exact
// answers, its two generations, and forgetting on a failed spool write.
import t from 'tap';
import { hash } from 'node:crypto';
import { RecentKeys } from '../agent/ingest/recent-keys.ts';

const fp = (s: string) => hash('sha1', s, 'base64');

t.test('new, same and different', async (t) => {
  const r = new RecentKeys(1000);
  t.equal(r.check('k1', fp('a')), 'new');
  r.add('k1', fp('a'));
  t.equal(r.check('k1', fp('a')), 'same');
  t.equal(r.check('k1', fp('b')), 'different');
  t.equal(r.check('k2', fp('a')), 'new', 'another key with the same event is not a duplicate');
  r.delete('k1');
  t.equal(r.check('k1', fp('a')), 'new', 'deleted (the spool write failed): asked again');
  r.add('k1', fp('b'));
  t.equal(r.check('k1', fp('b')), 'same', 'a deleted slot is taken again');
});

t.test('between max/2 and max keys are remembered, the newest always', async (t) => {
  const max = 10_000;
  const r = new RecentKeys(max);
  const n = 3 * max + 17;
  for (let i = 0; i < n; i++) r.add(`key:${i}`, fp(String(i)));
  let kept = 0;
  for (let i = 0; i < n; i++) if (r.check(`key:${i}`, fp(String(i))) === 'same') kept++;
  t.ok(kept >= max / 2 && kept <= max, `${kept} remembered`);
  for (let i = n - max / 2; i < n; i++) if (r.check(`key:${i}`, fp(String(i))) !== 'same') t.fail(`key:${i} forgotten`);
  // None answers for a key it never saw, and a remembered key never answers another fingerprint as same.
  for (let i = 0; i < 5000; i++) if (r.check(`other:${i}`, fp(String(i))) !== 'new') t.fail(`other:${i} seen`);
  for (let i = n - 100; i < n; i++) t.equal(r.check(`key:${i}`, fp(`x${i}`)), 'different');
});

t.test('the known-key filter grows with the keys: no false "new", few false "maybe"', async (t) => {
  const { KeyFilter } = await import('../agent/ingest/bloom.ts');
  const f = new KeyFilter(1_000_000);
  const small = f.bytes();
  t.ok(small <= 100 * 1024, `${small} bytes while empty`);
  const n = 300_000;
  for (let i = 0; i < n; i++) f.add(`known:${i}`);
  for (let i = 0; i < n; i++) if (!f.mightContain(`known:${i}`)) t.fail(`known:${i} answered new`);
  let fp = 0;
  for (let i = 0; i < 100_000; i++) if (f.mightContain(`unknown:${i}`)) fp++;
  t.ok(fp < 5_000, `${fp} of 100,000 new keys answered maybe`);
  t.ok(f.bytes() > small && f.bytes() <= 1_000_000 * 10 / 8 + 65_536 * 2, `${f.bytes()} bytes for ${n} keys`);
  const tiny = new KeyFilter(10);
  for (let i = 0; i < 11; i++) tiny.add(`k${i}`);
  t.ok(tiny.mightContain('never-added'), 'past its capacity it only answers maybe');
});
