// The ingest path end to end: an agent (`blotter start`, a child process) on a fresh
// embedded database, driven over loopback HTTP from this process. Baselines in the same
// run: the chained COPY alone (the same events, writer-sized batches, straight into the
// ledger: what the database can do without the agent), and bare pino to the same file.
//   events_per_s            batches of 500, 4 in flight, until committed and chained
//   chained_copy_rows_per_s the baseline; agent_overhead = 1 - events_per_s / it (target <= 0.20)
//   ack_*_ms at 1k and 5k   latency of small requests (1-10 events, as a bot sends) at a
//                           fixed offered load of 1,000 and 5,000 events/s (target p99 <= 5 ms at 5k)
//   floor_5k_*_ms           the same client against a bare Node server that parses, appends,
//                           fdatasyncs and answers: this machine's floor for a durable ack
//   rss_idle_mb, rss_mb     after start, and the peak under the flood (target <= 80, <= 150);
//                           rss_idle_anon_mb the private part of the idle figure
//   logger_ratio            one logger call with the shipped sinks / bare pino to a file (target <= 1.2)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { loadConfig } from '../agent/config.ts';
import { makeTempHome, startServer, stopServer } from '../agent/db/server.ts';
import { DbLogSink } from '../agent/log/db-sink.ts';
import { createLoggers } from '../agent/log/logger.ts';
import { openCopy, appendedInTransaction } from '../agent/ledger/copy.ts';
import { toBotEvent } from '../agent/ingest/vocabulary.ts';
import { listening } from '../scripts/agent-child.ts';
import pino from 'pino';

const TOKEN = 'bench-token-0123456789';
// The command a user runs (bin/blotter.js: Node's compile cache on), warmed by one start.
const CLI = path.resolve(import.meta.dirname, '..', 'bin', 'blotter.js');

function items(start: number, size: number): Record<string, unknown>[] {
  const items = [];
  for (let i = start; i < start + size; i++) {
    items.push({
      event_type: 'execution', occurred_at: '2026-11-26T14:30:00.000001Z', account: 'DU1234567', idempotency_key: `bench:exec:${i}`,
      payload: { exec_id: `0000e0d5.${i}.01.01`, client_order_id: String(i >> 2), contract: { symbol: 'AAPL', sec_type: 'STK', currency: 'USD', con_id: 265598 }, side: 'BUY', quantity: String((i % 500) + 1), price: '187.25' },
    });
  }
  return items;
}
const batch = (start: number, size: number) => JSON.stringify(items(start, size));

function rssMb(pid: number, field: 'VmHWM' | 'VmRSS' | 'RssAnon'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

// Requests of 1-10 events (5.5 on average) at RATE events/s for SECONDS: each 10 ms tick
// sends what is due. Latencies of the acknowledged ones.
async function smallRequests(port: number, rate: number, seconds: number, first: number): Promise<number[]> {
  const lat: number[] = [];
  const inflight: Promise<void>[] = [];
  const start = Date.now();
  let sent = 0;
  let key = first;
  let r = 1;
  while (Date.now() - start < seconds * 1000) {
    const due = Math.floor(((Date.now() - start) / 1000) * rate);
    while (sent < due) {
      const k = 1 + (r = (r * 48271) % 2147483647) % 10;
      inflight.push(send(port, batch(key, k)).then((x) => {
        if (x.status === 202) lat.push(x.ms);
        // Where the slowest acknowledgements spent their time (the agent's Server-Timing).
        if (process.env.BENCH_DEBUG && x.ms > 10) process.stderr.write(`slow ${x.ms.toFixed(1)} ms: ${x.timing}\n`);
      }));
      key += k;
      sent += k;
    }
    await new Promise((res) => setTimeout(res, 10));
  }
  await Promise.all(inflight);
  return lat;
}

// Below the agent's ingest.max_connections (64).
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 32 });
function send(port: number, body: string): Promise<{ status: number; ms: number; timing: string }> {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/events', method: 'POST', agent: keepAlive,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - t0) / 1e6, timing: String(res.headers['server-timing'] ?? '') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({ args, options: { n: { type: 'string' }, seconds: { type: 'string' }, json: { type: 'boolean' } }, strict: false });
  const n = Number(values.n ?? 200_000);
  const latencySeconds = Number(values.seconds ?? 20);
  const size = 500;
  const home = makeTempHome('blotter-bench-ingest-');
  const server = await startServer({ home, binDir: process.env.BLOTTER_PG_BIN || undefined });
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  const env = { ...process.env, DATABASE_URL: server.url, BLOTTER_HOME: home, BLOTTER_INGEST_PORT: '0', BLOTTER_INGEST_TOKEN: TOKEN, BLOTTER_LOGGING_HANDLERS_CONSOLE_ENABLED: 'false', BLOTTER_JOBS_ENABLED: 'false' };
  const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  // A first start fills the compile cache, as any start after an install does once.
  const warm = spawn(process.execPath, [...nodeFlags, CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  await listening(warm).port;
  warm.kill('SIGTERM');
  await new Promise((r) => warm.once('exit', r));
  const child = spawn(process.execPath, [...nodeFlags, CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const agentOut = listening(child);
  try {
    const port = await agentOut.port;
    await new Promise((r) => setTimeout(r, 2000));
    const rssIdle = rssMb(child.pid!, 'VmRSS');
    // The private part: the rest is the Node binary's own pages (file-backed, shared, ~55 MB).
    const rssIdleAnon = rssMb(child.pid!, 'RssAnon');
    // Baseline (the agent idle, its migrations done): the same events straight into the ledger through COPY, in the writer's batches.
    const copySql = postgres(server.url, { max: 1, onnotice: () => {} });
    let chainedCopyS = 0;
    try {
      const writerBatch = loadConfig({ env: {} }).writer.batch_size;
      const evs = items(50_000_000, n).map((x) => toBotEvent(x));
      const c0 = process.hrtime.bigint();
      for (let i = 0; i < evs.length; i += writerBatch) {
        await copySql.begin(async (tx) => {
          const sink = await openCopy(tx, 'ledger.events');
          for (const e of evs.slice(i, i + writerBatch)) await sink.write(e);
          await sink.end();
          await appendedInTransaction(tx);
        });
      }
      chainedCopyS = Number(process.hrtime.bigint() - c0) / 1e9;
    } finally {
      await copySql.end({ timeout: 2 });
    }
    const committed = async () => Number((await sql`select coalesce(sum(stream_seq), 0)::bigint::text as n from ledger.streams`)[0]!.n);

    // Warm-up, not measured.
    for (let i = 0; i < 4; i++) await send(port, batch(-(i + 1) * size, size));
    const base = await committed();

    // Sustained: as fast as the agent acknowledges, 4 requests in flight.
    const bodies = Array.from({ length: Math.ceil(n / size) }, (_, b) => batch(b * size, size));
    const t0 = process.hrtime.bigint();
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        let r = await send(port, body);
        while (r.status === 503) {
          await new Promise((res) => setTimeout(res, 50));
          r = await send(port, body);
        }
        if (r.status !== 202) throw new Error(`status ${r.status}`);
      }
    }));
    const ackedS = Number(process.hrtime.bigint() - t0) / 1e9;
    if (process.env.BENCH_DEBUG) {
      const h = await new Promise<string>((resolve) => http.get({ host: '127.0.0.1', port, path: '/v1/health', headers: { authorization: `Bearer ${TOKEN}` } }, (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)); }));
      process.stderr.write(`after blast: ${JSON.stringify(JSON.parse(h).memory)} peak ${rssMb(child.pid!, 'VmHWM')}MB\n`);
    }
    while ((await committed()) < base + bodies.length * size) await new Promise((r) => setTimeout(r, 20));
    const totalS = Number(process.hrtime.bigint() - t0) / 1e9;

    // Latency at fixed offered loads of small requests.
    const lat1k = await smallRequests(port, 1000, latencySeconds, 20_000_000);
    const lat5k = await smallRequests(port, 5000, latencySeconds, 30_000_000);
    const rss = rssMb(child.pid!, 'VmHWM');
    // The machine's own floor for the same client and load: a bare server's durable ack.
    const floor = spawn(process.execPath, [path.resolve(import.meta.dirname, 'floor-server.ts')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let floor5k: number[] = [];
    try {
      floor5k = await smallRequests(await listening(floor).port, 5000, latencySeconds, 40_000_000);
    } finally {
      floor.kill('SIGTERM');
      await new Promise((r) => floor.once('exit', r));
    }
    if (process.env.BENCH_DEBUG) {
      const m = await new Promise<string>((resolve) => http.get({ host: '127.0.0.1', port, path: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } }, (res) => { let b = ''; res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)); }));
      process.stderr.write(m.split('\n').filter((l) => /eventloop_lag|gc_duration_seconds_(sum|count)/.test(l) && !l.startsWith('#')).join('\n') + '\n');
    }

    // One logger call with the shipped sinks (file and database) in this process, and bare
    // pino writing the same line to a file the same way (asynchronous destination).
    const logHome = makeTempHome('blotter-bench-log-');
    const cfg = loadConfig({ env: {} }).logging;
    cfg.handlers.console.enabled = false;
    const sink = new DbLogSink({ batchSize: cfg.handlers.database.batch_size, flushMs: cfg.handlers.database.flush_ms, queueMax: cfg.handlers.database.queue_max });
    sink.attach(sql);
    const logs = await createLoggers({ config: cfg, home: logHome, dbSink: sink });
    const log = logs.category('execution');
    const dest = pino.destination({ dest: path.join(logHome, 'bare.log'), sync: false });
    const bare = pino({ level: 'info' }, dest);
    const calls = 20_000;
    const timeCalls = async (fn: () => void) => {
      let spent = 0n;
      for (let round = 0; round < 10; round++) {
        const l0 = process.hrtime.bigint();
        for (let i = 0; i < calls / 10; i++) fn();
        spent += process.hrtime.bigint() - l0;
        await new Promise((r) => setTimeout(r, 5));
      }
      return Number(spent) / 1000 / calls;
    };
    // Alternated so that neither gets the warmer machine.
    let ours = 0;
    let pinoUs = 0;
    for (let k = 0; k < 3; k++) {
      ours += await timeCalls(() => log.info({ exec_id: '0000e0d5.1.01.01', qty: '100', px: '187.25' }, 'fill'));
      pinoUs += await timeCalls(() => bare.info({ exec_id: '0000e0d5.1.01.01', qty: '100', px: '187.25' }, 'fill'));
    }
    await logs.close();
    dest.flushSync();
    fs.rmSync(logHome, { recursive: true, force: true });
    const eventsPerS = Math.round((bodies.length * size) / totalS);
    const copyPerS = Math.round(n / chainedCopyS);
    const q = (xs: number[], p: number) => (xs.length ? Number(pct(xs, p).toFixed(2)) : null);

    return {
      case: 'ingest',
      n: bodies.length * size,
      batch: size,
      events_per_s: eventsPerS,
      acked_events_per_s: Math.round((bodies.length * size) / ackedS),
      chained_copy_rows_per_s: copyPerS,
      agent_overhead: Number((1 - eventsPerS / copyPerS).toFixed(3)),
      ack_1k_p50_ms: q(lat1k, 50), ack_1k_p99_ms: q(lat1k, 99), ack_1k_p999_ms: q(lat1k, 99.9), ack_1k_samples: lat1k.length,
      ack_5k_p50_ms: q(lat5k, 50), ack_5k_p99_ms: q(lat5k, 99), ack_5k_p999_ms: q(lat5k, 99.9), ack_5k_samples: lat5k.length,
      floor_5k_p50_ms: q(floor5k, 50), floor_5k_p99_ms: q(floor5k, 99), floor_5k_p999_ms: q(floor5k, 99.9),
      ack_5k_p99_vs_floor: floor5k.length && lat5k.length ? Number((pct(lat5k, 99) / pct(floor5k, 99)).toFixed(2)) : null,
      rss_idle_mb: rssIdle,
      rss_idle_anon_mb: rssIdleAnon,
      rss_mb: rss,
      logger_call_us: Number((ours / 3).toFixed(2)),
      pino_call_us: Number((pinoUs / 3).toFixed(2)),
      logger_ratio: Number((ours / pinoUs).toFixed(2)),
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    // With BENCH_NODE_FLAGS=--trace-gc, say, what the agent printed is worth keeping.
    if (process.env.BENCH_AGENT_OUT) fs.writeFileSync(process.env.BENCH_AGENT_OUT, agentOut.output());
    await sql.end({ timeout: 2 });
    await stopServer(home);
    fs.rmSync(home, { recursive: true, force: true });
  }
}
