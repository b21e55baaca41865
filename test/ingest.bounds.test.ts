// Every stage that holds data in memory has a byte bound, and what happens at the bound is
// designed: requests past ingest.max_in_flight are answered 503 with Retry-After and not
// read (nothing taken, nothing written), the writer's batch stops at writer.batch_bytes,
// the database log sink spills past queue_max_bytes to the file, and health shows each
// stage's fill. Method: a real agent on a real PostgreSQL, held-open requests on raw
// sockets to fill the budget.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import t from 'tap';
import { loadConfig } from '../agent/config.ts';
import { Spool } from '../agent/ingest/spool.ts';
import { toRecord, Writer } from '../agent/ingest/writer.ts';
import { DbLogSink } from '../agent/log/db-sink.ts';
import { testDb } from './helpers/db.ts';
import { get, inProcessAgent, order, post, TOKEN, until } from './helpers/agent.ts';

const { url, sql } = await testDb(t);

// A POST whose headers promise `length` bytes, of which only `sent` are sent for now.
function heldRequest(port: number, body: string, sent: number): Promise<{ socket: net.Socket; finish: () => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`POST /v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`);
      socket.write(body.slice(0, sent));
      let answer = '';
      socket.on('data', (d) => (answer += d));
      resolve({
        socket,
        // The rest of the body; the answer once it is complete (a chunked response's last chunk).
        finish: async () => {
          socket.write(body.slice(sent));
          await until(async () => /\r\n0\r\n\r\n$/.test(answer) || socket.destroyed, 10_000);
          socket.destroy();
          return answer;
        },
      });
    });
    socket.on('error', reject);
  });
}

const events = (prefix: string, n: number, pad = 0) => JSON.stringify(Array.from({ length: n }, (_, i) => order(i, { idempotency_key: `${prefix}-${i}`, payload: { ...order(i).payload as object, notes: 'x'.repeat(pad) } })));

t.test('past max_in_flight a request is answered 503 with Retry-After, unread; then taken', async (t) => {
  const agent = await inProcessAgent(t, url, { BLOTTER_INGEST_MAX_BODY: '64KB', BLOTTER_INGEST_MAX_IN_FLIGHT: '64KB' });
  const big = events('held', 60, 700);
  t.ok(Buffer.byteLength(big) > 40_000 && Buffer.byteLength(big) < 64 * 1024, `a body of ${Buffer.byteLength(big)} bytes`);
  const held = await heldRequest(agent.port, big, 1000);
  await until(async () => (JSON.parse((await get(agent.port, '/v1/health')).text) as { stages: { in_flight: { bytes: number } } }).stages.in_flight.bytes > 0);
  const h = JSON.parse((await get(agent.port, '/v1/health')).text) as { stages: Record<string, { bytes: number; limit_bytes: number; receiving_bytes?: number }> };
  t.equal(h.stages.in_flight!.bytes, Buffer.byteLength(big), 'the held request is counted whole from its declared length');
  t.equal(h.stages.in_flight!.limit_bytes, 64 * 1024);
  t.equal(h.stages.in_flight!.receiving_bytes, Buffer.byteLength(big));
  t.ok(h.stages.writer_batch && h.stages.log_queue, 'writer batch and log queue are reported too');

  const second = events('second', 30, 100);
  const refused = await fetch(`http://127.0.0.1:${agent.port}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: second });
  t.equal(refused.status, 503);
  t.equal(refused.headers.get('retry-after'), '1');
  t.match(await refused.json(), { error: /ingest\.max_in_flight/ });

  // A chunked body (no declared length) is counted as it arrives and cut at the bound.
  const chunked = await new Promise<string>((resolve, reject) => {
    const s = net.connect(agent.port, '127.0.0.1', () => {
      s.write(`POST /v1/events HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`);
      const part = 'x'.repeat(8000);
      for (let i = 0; i < 4; i++) s.write(`${part.length.toString(16)}\r\n${part}\r\n`);
    });
    let a = '';
    s.on('data', (d) => (a += d));
    s.on('close', () => resolve(a));
    s.on('error', reject);
  });
  t.match(chunked, /^HTTP\/1\.1 503/, 'a chunked body past the bound: 503');

  const answer = await held.finish();
  t.match(answer, /^HTTP\/1\.1 202/, 'the held request completes');
  await until(async () => (JSON.parse((await get(agent.port, '/v1/health')).text) as { stages: { in_flight: { bytes: number } } }).stages.in_flight.bytes === 0);
  const retried = await post(agent.port, '/v1/events', JSON.parse(second));
  t.equal(retried.status, 202, 'the refused request, retried, is taken');
  await until(async () => Number((await sql`select count(*)::int as n from ledger.events where idempotency_key like 'held-%' or idempotency_key like 'second-%'`)[0]!.n) === 90);
  t.equal(Number((await sql`select count(*)::int as n from ledger.events where idempotency_key like 'second-%'`)[0]!.n), 30, 'each event of the refused request once');
});

t.test('max_in_flight below max_body is a configuration error naming both', async (t) => {
  t.throws(() => loadConfig({ env: { BLOTTER_INGEST_MAX_BODY: '16MB', BLOTTER_INGEST_MAX_IN_FLIGHT: '1MB' } }), /ingest\.max_in_flight .* ingest\.max_body/);
});

t.test('the writer batch stops at writer.batch_bytes', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blotter-bounds-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const spool = new Spool({ dir, quotaBytes: 1e9, segmentBytes: 1e8, groupCommitMs: 0 });
  spool.open();
  const ev = (i: number) => ({
    stream: 'bounds', occurredAt: '2026-11-26T14:30:00Z', source: 'bot' as const, eventType: 'signal', entityType: null, entityId: null,
    account: null, actor: null, sessionId: null, idempotencyKey: `wb-${i}`, payload: JSON.stringify({ i, pad: 'p'.repeat(250) }),
  });
  await spool.append(Array.from({ length: 50 }, (_, i) => toRecord(ev(i))));
  const writer = new Writer({ spool, connect: () => postgres(url, { max: 1, onnotice: () => {} }), batchSize: 1000, batchBytes: 2048, batchWaitMs: 0, retryMaxMs: 200, writeTimeoutMs: 10_000, stallMs: 10_000 });
  writer.start();
  await until(async () => !spool.hasPending(), 10_000);
  await writer.stop(1000);
  t.ok(writer.stats.batches >= 7, `${writer.stats.batches} batches for 50 records of ~350 bytes`);
  t.ok(writer.batchFill().peak_bytes <= 2048, `peak batch ${writer.batchFill().peak_bytes} bytes`);
  t.equal(writer.stats.events, 50);
});

t.test('the database log sink spills past queue_max_bytes, counted', async (t) => {
  const spilled: string[] = [];
  const sink = new DbLogSink({ batchSize: 1000, flushMs: 60_000, queueMax: 1_000_000, queueMaxBytes: 10_000 });
  sink.spillTo({ write: (s: string) => spilled.push(s) });
  for (let i = 0; i < 100; i++) sink.write(JSON.stringify({ level: 30, time: Date.now(), msg: `line ${i} ${'m'.repeat(400)}` }) + '\n');
  const f = sink.fill();
  t.ok(f.bytes <= 10_000, `${f.bytes} bytes queued`);
  t.ok(f.lines > 0 && f.lines < 100);
  t.equal(spilled.length, 100 - f.lines, 'every line not queued went to the file');
  t.equal(f.refused, spilled.length);
  await sink.close();
});
