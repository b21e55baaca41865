// A retry that arrives while the first request with the same key is still being written
// is not acknowledged before that write is durable. Reproduces the chaos run's finding: an
// impatient bot (a client timeout shorter than the spool's group commit) sent the same keys
// again, the agent answered `duplicate` at once from its memory of claimed keys, and then
// the first write failed (disk full) or the agent was killed: the bot held an
// acknowledgement for events that never reached the ledger (52 in a 3-round run). Method:
// an in-process agent whose spool waits 300 ms before each write, the same batch sent
// twice 30 ms apart; for the failed write, a tmpfs spool filled in between (root only).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { testDb } from './helpers/db.ts';
import { inProcessAgent, order, post, until } from './helpers/agent.ts';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed(p: ReturnType<typeof post>) {
  const r = await p;
  return { ...r, at: performance.now() };
}

t.test('the retry is answered after the first write is durable, not before', async (t) => {
  const { url, sql } = await testDb(t);
  const agent = await inProcessAgent(t, url, { BLOTTER_SPOOL_GROUP_COMMIT_MS: '300' });
  const batch = [order(1), order(2)];
  const first = timed(post(agent.port, '/v1/events', batch));
  await sleep(30);
  const retry = await timed(post(agent.port, '/v1/events', batch));
  const original = await first;
  t.equal(original.status, 202);
  t.same(retry.body.items.map((i: { status: string }) => i.status), ['duplicate', 'duplicate']);
  t.ok(retry.at >= original.at, `the duplicate answer came after the first write's 202 (${(retry.at - original.at).toFixed(1)} ms)`);
  await until(async () => (await sql`select count(*)::int as n from ledger.events`)[0]!.n === 2);
});

t.test('when the first write fails, its retry is refused too, then taken', { skip: !asRoot && 'mounting a tmpfs needs root' }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-inflight-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]);
  t.teardown(() => {
    execFileSync('umount', [dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const { url, sql } = await testDb(t);
  const agent = await inProcessAgent(t, url, { BLOTTER_SPOOL_DIR: dir, BLOTTER_SPOOL_QUOTA: '2MB', BLOTTER_SPOOL_GROUP_COMMIT_MS: '300' });
  const batch = [order(1), order(2)];
  const first = post(agent.port, '/v1/events', batch);
  await sleep(30);
  // The disk fills while the first request waits for its write.
  const ballast = path.join(dir, 'ballast');
  const { bavail, bsize } = fs.statfsSync(dir);
  fs.writeFileSync(ballast, Buffer.alloc(bavail * bsize));
  const retry = await post(agent.port, '/v1/events', batch);
  t.equal((await first).status, 503, 'the first request is refused');
  t.equal(retry.status, 503, `so is its retry, not answered duplicate (${JSON.stringify(retry.body)})`);
  t.match(retry.headers.get('retry-after'), /^\d+$/);
  fs.rmSync(ballast);
  const again = await post(agent.port, '/v1/events', batch);
  t.same(again.body.items.map((i: { status: string }) => i.status), ['accepted', 'accepted'], 'the next retry takes them');
  await until(async () => (await sql`select count(*)::int as n from ledger.events`)[0]!.n === 2);
});
