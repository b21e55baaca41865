// The writer never stalls silently. Reproduces the fuzzer's finding (a record PostgreSQL
// refuses after the last row of a COPY left the writer waiting forever on a connection
// "idle in transaction (aborted)", with errors 0 and health ok) and proves the cure: the
// refused record is set aside and everything behind it lands; a database that hangs costs
// a batch its deadline, not the writer its life; health turns degraded with the reason,
// with a metric and an error log line; and stop() returns within its timeout whatever the
// database does. Method: a real Spool and Writer on a real PostgreSQL; records the API
// would now refuse are put straight into the spool; a hang is an advisory lock the chain
// trigger waits for, held by another session.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import t from 'tap';
import { Spool } from '../agent/ingest/spool.ts';
import { toRecord, Writer } from '../agent/ingest/writer.ts';
import type { LedgerEvent } from '../agent/ledger/event.ts';
import { testDb } from './helpers/db.ts';
import { get, inProcessAgent, order, post, until } from './helpers/agent.ts';

const { url, sql } = await testDb(t);

function ev(key: string, payload = '{"n": 1}', stream = 'w'): LedgerEvent {
  return {
    stream, occurredAt: '2026-11-26T14:30:00.000001Z', source: 'bot', eventType: 'signal', entityType: null, entityId: null,
    account: null, actor: null, sessionId: null, idempotencyKey: key, payload,
  };
}

function rig(t: { teardown: (fn: () => unknown) => void }, opts: { writeTimeoutMs?: number; stallMs?: number; batchSize?: number } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-writer-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const spool = new Spool({ dir, quotaBytes: 1e9, segmentBytes: 1e8, groupCommitMs: 0 });
  spool.open();
  const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const writer = new Writer({
    spool, connect: () => postgres(url, { max: 1, onnotice: () => {} }), batchSize: opts.batchSize ?? 1000, batchWaitMs: 5, retryMaxMs: 200,
    writeTimeoutMs: opts.writeTimeoutMs ?? 10_000, stallMs: opts.stallMs ?? 10_000, log: (level, msg, fields) => logs.push({ level, msg, fields }),
  });
  return { dir, spool, writer, logs };
}

const keys = async (prefix: string) => (await sql`select idempotency_key as k from ledger.events where idempotency_key like ${prefix + '%'} order by seq`).map((r) => r.k as string);

t.test('a record the database refuses after the last row is set aside; the rest lands', async (t) => {
  const { dir, spool, writer, logs } = rig(t);
  // Before the fix this stalled forever: stats stayed at zero and the spool never drained.
  await spool.append([
    toRecord(ev('s-1')),
    toRecord(ev('s-2', JSON.stringify({ x: '\ud800' }))), // jsonb refuses the lone surrogate escape
    toRecord(ev('s-3')),
  ]);
  writer.start();
  await until(async () => !spool.hasPending(), 10_000);
  await writer.stop(1000);
  t.same(await keys('s-'), ['s-1', 's-3'], 'everything but the refused record');
  t.equal(writer.stats.rejected, 1);
  t.ok(writer.stats.errors >= 1, 'the refusal is counted as an error');
  const rejected = fs.readFileSync(path.join(dir, 'rejected.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  t.equal(rejected.length, 1);
  t.match(rejected[0], { code: /^22/, error: /json/i });
  t.match(rejected[0].record, /s-2/);
  t.ok(logs.some((l) => l.level === 'error' && /set aside/.test(l.msg)), 'an error log line says so');
});

t.test('refused records anywhere in a large batch, in text columns too', async (t) => {
  const { spool, writer } = rig(t, { batchSize: 5000 });
  const records = Array.from({ length: 3000 }, (_, i) => toRecord(ev(`m-${String(i).padStart(4, '0')}`, `{"i": ${i}}`, `m${i % 3}`)));
  records[10] = toRecord(ev('m-bad-nul', '{"x": "a\\u0000b"}'));
  records[2990] = toRecord({ ...ev('m-bad-text'), actor: 'nul\u0000in text' });
  await spool.append(records);
  writer.start();
  await until(async () => !spool.hasPending(), 30_000);
  await writer.stop(1000);
  t.equal((await keys('m-')).length, 2998);
  t.equal(writer.stats.rejected, 2);
  t.ok((await sql`select * from ledger.verify()`).every((r) => r.reason === null), 'the chain verifies');
});

t.test('a database that hangs costs a batch its deadline; stop() returns within its timeout', async (t) => {
  const { spool, writer } = rig(t, { writeTimeoutMs: 400, stallMs: 300 });
  // The chain trigger takes this advisory lock for stream "h": hold it elsewhere.
  const locker = postgres(url, { max: 1, onnotice: () => {} });
  t.teardown(() => locker.end({ timeout: 1 }));
  const held = locker.reserve();
  const conn = await held;
  await conn`select pg_advisory_lock(ledger.stream_lock_class(), hashtext('h'))`;
  await spool.append([toRecord(ev('h-1', '{"n": 1}', 'h'))]);
  writer.start();
  await until(async () => writer.stats.timeouts + writer.stats.errors >= 2, 10_000);
  await until(async () => writer.stats.stalled, 5000);
  t.ok(writer.stalledMs() > 300, 'the writer knows how long it has made no progress');
  t.equal(writer.stats.stalls, 1, 'one stall, reported once');
  const started = Date.now();
  await writer.stop(500);
  t.ok(Date.now() - started < 3000, `stop returned in ${Date.now() - started} ms`);
  t.ok(spool.hasPending(), 'the event stays in the spool');
  await conn`select pg_advisory_unlock(ledger.stream_lock_class(), hashtext('h'))`;
  conn.release();
  t.same(await keys('h-'), [], 'nothing half-written');
});

t.test('health turns degraded with the reason, a metric and an error log line; it recovers', async (t) => {
  const agent = await inProcessAgent(t, url, { BLOTTER_WRITER_WRITE_TIMEOUT_MS: '500', BLOTTER_WRITER_STALL_MS: '400', BLOTTER_WRITER_RETRY_MAX_MS: '200' });
  const locker = postgres(url, { max: 1, onnotice: () => {} });
  t.teardown(() => locker.end({ timeout: 1 }));
  const conn = await locker.reserve();
  await conn`select pg_advisory_lock(ledger.stream_lock_class(), hashtext('bot'))`;
  const r = await post(agent.port, '/v1/events', [order(7001)]);
  t.equal(r.status, 202);
  await until(async () => JSON.parse((await get(agent.port, '/v1/health')).text).status === 'degraded', 10_000);
  const h = JSON.parse((await get(agent.port, '/v1/health')).text);
  t.match(h.reasons.join('\n'), /writer has made no progress for \d+ s while \d+ bytes wait/);
  t.ok(h.writer.stalled_ms > 400);
  await until(async () => /^blotter_writer_stalled 1$/m.test((await get(agent.port, '/metrics')).text), 5000);
  t.pass('the stalled metric is 1');
  await conn`select pg_advisory_unlock(ledger.stream_lock_class(), hashtext('bot'))`;
  conn.release();
  await until(async () => JSON.parse((await get(agent.port, '/v1/health')).text).status === 'ok', 15_000);
  await until(async () => /^blotter_writer_stalled 0$/m.test((await get(agent.port, '/metrics')).text), 5000);
  t.match((await get(agent.port, '/metrics')).text, /^blotter_writer_stalls_total 1$/m, 'one stall counted');
  t.equal((await sql`select count(*)::int as n from ledger.orders where client_order_id = '7001'`)[0]!.n, 1, 'written once, after the hang');
  await until(async () => (await sql`select count(*)::int as n from ops.logs where level = 'error' and msg = 'writer: no progress while events wait'`)[0]!.n >= 1, 10_000);
});

t.test('a drain ends within its timeout whatever the database does', async (t) => {
  const agent = await inProcessAgent(t, url, { BLOTTER_WRITER_DRAIN_TIMEOUT_MS: '500', BLOTTER_WRITER_WRITE_TIMEOUT_MS: '60000' });
  const locker = postgres(url, { max: 1, onnotice: () => {} });
  t.teardown(() => locker.end({ timeout: 1 }));
  const conn = await locker.reserve();
  await conn`select pg_advisory_lock(ledger.stream_lock_class(), hashtext('bot'))`;
  t.equal((await post(agent.port, '/v1/events', [order(7002)])).status, 202);
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  await agent.stop();
  const took = Date.now() - started;
  t.ok(took < 8000, `stopped in ${took} ms with the database hanging`);
  await conn`select pg_advisory_unlock(ledger.stream_lock_class(), hashtext('bot'))`;
  conn.release();
  t.ok(fs.readdirSync(path.join(agent.home, 'spool')).some((f) => f.endsWith('.ndjson')), 'the event is still in the spool for the next start');
});

t.test('a log line PostgreSQL would refuse does not block the log sink', async (t) => {
  const { DbLogSink } = await import('../agent/log/db-sink.ts');
  const sink = new DbLogSink({ batchSize: 100, flushMs: 60_000, queueMax: 1000 });
  const agentSql = postgres(url, { max: 1, onnotice: () => {} });
  t.teardown(() => agentSql.end({ timeout: 1 }));
  sink.attach(agentSql);
  // What pino writes for a message holding a lone surrogate and a NUL: JSON escapes.
  sink.write(JSON.stringify({ level: 'warn', time: '2026-11-26T14:30:00Z', msg: 'lone \ud800 and nul \u0000 and pair \ud83d\ude00 and text \\u0000' }) + '\n');
  sink.write(JSON.stringify({ level: 'info', time: '2026-11-26T14:30:00Z', msg: 'the next line' }) + '\n');
  await sink.flush();
  t.equal(sink.stats.written, 2);
  t.equal(sink.stats.failures, 0);
  const rows = await sql`select msg from ops.logs where logged_at = '2026-11-26T14:30:00Z' order by log_id`;
  t.same(rows.map((r) => r.msg), ['lone \ufffd and nul \ufffd and pair \ud83d\ude00 and text \\u0000', 'the next line']);
  await sink.close();
});

t.test('spool records: COPY lines with every escape, and JSON records of earlier versions', async (t) => {
  const { spool, writer } = rig(t);
  const odd = { ...ev('f-1', '{"s": "tab\\there, newline\\nand a backslash \\\\ too"}', 'stream\\with\ttab'), actor: 'a\tb\nc\rd\\e', account: 'DU\\1' };
  const legacy = ev('f-2', '{"n": 2}', 'stream\\with\ttab');
  await spool.append([
    toRecord(odd),
    // What an earlier agent left in its spool: the event as a JSON array.
    JSON.stringify([legacy.stream, legacy.occurredAt, legacy.source, legacy.eventType, legacy.entityType, legacy.entityId, legacy.account, legacy.actor, legacy.sessionId, legacy.idempotencyKey, legacy.payload]),
    toRecord(ev('f-3', '{"n": 3}', 'a-first-stream')),
  ]);
  writer.start();
  await until(async () => !spool.hasPending(), 10_000);
  await writer.stop(1000);
  const rows = await sql`select idempotency_key as k, stream, actor, account, payload::text as p from ledger.events where idempotency_key like 'f-%' order by seq`;
  t.same(rows.map((r) => r.k), ['f-3', 'f-1', 'f-2'], 'ordered by stream within the batch, each once');
  t.same({ stream: rows[1]!.stream, actor: rows[1]!.actor, account: rows[1]!.account }, { stream: odd.stream, actor: odd.actor, account: odd.account }, 'text fields exact through the escapes');
  t.same(JSON.parse(rows[1]!.p as string), JSON.parse(odd.payload));
  t.equal(rows[2]!.stream, legacy.stream, 'the JSON record lands like the others');
  t.equal(writer.stats.rejected, 0);
});

t.test('the read mark is written at most once per checkpointMs and at close; a crash replays, the ledger drops', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-mark-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const open = () => {
    const s = new Spool({ dir, quotaBytes: 1e9, segmentBytes: 1e8, groupCommitMs: 0, checkpointMs: 60_000 });
    s.open();
    return s;
  };
  const s1 = open();
  await s1.append([toRecord(ev('mark-1')), toRecord(ev('mark-2'))]);
  const recs = s1.read(10);
  await s1.commit(recs[1]!.end);
  t.notOk(s1.hasPending(), 'committed in memory at once');
  // A crash now (no close): the file's mark is behind; the records come again.
  const s2 = open();
  t.equal(s2.read(10).length, 2, 'replayed after a crash before the mark was written');
  const w = new Writer({ spool: s2, connect: () => postgres(url, { max: 1, onnotice: () => {} }), batchSize: 10, batchWaitMs: 0, retryMaxMs: 200, writeTimeoutMs: 10_000, stallMs: 10_000 });
  await sql`select 1`;
  w.start();
  await until(async () => !s2.hasPending(), 10_000);
  await w.stop(1000);
  // And once more from the same (unwritten) mark: the ledger holds each key once.
  const s3 = open();
  const w3 = new Writer({ spool: s3, connect: () => postgres(url, { max: 1, onnotice: () => {} }), batchSize: 10, batchWaitMs: 0, retryMaxMs: 200, writeTimeoutMs: 10_000, stallMs: 10_000 });
  w3.start();
  await until(async () => !s3.hasPending(), 10_000);
  await w3.stop(1000);
  t.same(await keys('mark-'), ['mark-1', 'mark-2'], 'each once');
  t.equal(w3.stats.duplicates, 2, 'the replay was dropped as duplicates');
  await s3.close();
  t.equal(open().read(10).length, 0, 'after a clean close the mark is on disk');
});
