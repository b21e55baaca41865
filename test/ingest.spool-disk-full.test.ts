// A spool whose disk is full acknowledges nothing it has not written whole, and the API
// says so with a 503 and Retry-After, then takes the same request once space is freed.
// Reproduces two findings of the chaos run's disk-full fault: a write(2) that took only part
// of a group (what a filling disk does before ENOSPC) was taken for the whole group, so
// acknowledged records were cut short on disk and every later offset was wrong (the writer
// then set garbage aside and the acknowledged events never reached the ledger); and
// ENOSPC reached the bot as a 500 "internal error". Method: a small tmpfs mounted as the
// spool directory (root only: skipped otherwise), filled with a ballast file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Spool, type SpoolWriteError } from '../agent/ingest/spool.ts';
import { testDb } from './helpers/db.ts';
import { inProcessAgent, order, post, until } from './helpers/agent.ts';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function tmpfs(t: { teardown: (fn: () => unknown) => void }, bytes: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-full-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]);
  t.teardown(() => {
    execFileSync('umount', [dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

// Fill the disk until `leave` bytes (rounded to pages) are free.
function fill(dir: string, leave: number): string {
  const file = path.join(dir, 'ballast');
  const { bavail, bsize } = fs.statfsSync(dir);
  fs.writeFileSync(file, Buffer.alloc(Math.max(0, bavail * bsize - leave)));
  return file;
}

t.test('a group larger than the space left is refused whole, and nothing after it is misplaced', { skip: !asRoot && 'mounting a tmpfs needs root' }, async (t) => {
  const dir = tmpfs(t, 4 * 1024 * 1024);
  const spool = new Spool({ dir, quotaBytes: 64 * 1024 * 1024, segmentBytes: 64 * 1024 * 1024, groupCommitMs: 0 });
  spool.open();
  t.teardown(() => spool.close());
  const line = (i: number) => JSON.stringify(['s', i, 'x'.repeat(1000)]);
  await spool.append([line(0)]);
  const ballast = fill(dir, 16 * 1024);
  // 40 records of ~1 kB into ~16 kB of space: the kernel takes part, then says ENOSPC.
  const err = await spool.append(Array.from({ length: 40 }, (_, i) => line(100 + i))).then(() => null, (e: unknown) => e);
  t.equal((err as SpoolWriteError | null)?.code, 'SPOOL_WRITE', `refused, not acknowledged (${err})`);
  t.same(spool.read(1000).map((r) => JSON.parse(r.line)[1]), [0], 'nothing of the refused group is readable');
  fs.rmSync(ballast);
  await spool.append([line(1), line(2)]);
  const records = spool.read(1000);
  t.same(records.map((r) => JSON.parse(r.line)[1]), [0, 1, 2], 'what was acknowledged, whole, in order');
  t.equal(records.at(-1)!.end.offset, fs.statSync(path.join(dir, '000000000000.ndjson')).size, 'offsets agree with the file');
});

t.test('the API answers 503 with Retry-After while the spool disk is full, and takes the retry after', { skip: !asRoot && 'mounting a tmpfs needs root' }, async (t) => {
  const dir = tmpfs(t, 8 * 1024 * 1024);
  const { url, sql } = await testDb(t);
  const agent = await inProcessAgent(t, url, { BLOTTER_SPOOL_DIR: dir, BLOTTER_SPOOL_QUOTA: '4MB' });
  const ballast = fill(dir, 0);
  const batch = Array.from({ length: 20 }, (_, i) => ({ ...order(i), payload: { ...order(i).payload, notes: 'n'.repeat(500) } }));
  const refused = await post(agent.port, '/v1/events', batch);
  t.equal(refused.status, 503, JSON.stringify(refused.body));
  t.match(refused.headers.get('retry-after'), /^\d+$/, 'with Retry-After');
  t.match(refused.body.error, /spool write failed: .*ENOSPC/);
  fs.rmSync(ballast);
  const taken = await post(agent.port, '/v1/events', batch);
  t.equal(taken.status, 202);
  t.same(new Set(taken.body.items.map((i: { status: string }) => i.status)), new Set(['accepted']), 'every item accepted on the retry');
  await until(async () => (await sql`select count(*)::int as n from ledger.events where event_type = 'order_submitted'`)[0]!.n === 20);
  t.equal(fs.existsSync(path.join(dir, 'rejected.ndjson')), false, 'nothing set aside');
});
